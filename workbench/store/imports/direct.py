"""The one-pass load of a large activity export, without staging every column."""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from workbench.store._base import Connection
from workbench.store.imports.account_names import (
    REGARDING_SOURCES,
    load_activity_accounts,
)
from workbench.store.imports.checks import _IMPORT_REFERENCES, _reference_problem_rows
from workbench.store.imports.integrity import import_assert_run_has_no_orphans
from workbench.store.imports.ranges import durations_to_report, is_all_day
from workbench.store.imports.row_notes import no_filled_rows
from workbench.store.imports.sql_macros import EPOCH_DAYS
from workbench.store.imports.staging import (
    _CSV_READER,
    LargeCsv,
    _import_columns,
    _raw_column,
    _reader_refused,
    _reject_ragged,
    activity_kind,
    filled_from,
    filled_from_expr,
    read_column,
)
from workbench.store.imports.task_status import lightning_series, not_done
from workbench.store.imports.value_rules import unlikely_date
from workbench.store.versions import scope_every_account
from workbench.vocabulary import ROW_FALLBACK_COLUMNS

# A duration outside its range, or of more than a day, marks the row: the staged
# path then refuses it, or warns of it.
_DURATIONS_REPORTED = durations_to_report("p.parsed_minutes", "p.parsed_seconds")
# So does a date no CRM means: the staged path then warns of it with its row.
_DATE_UNLIKELY = f"coalesce({unlikely_date('p.parsed_date', 'activity_date')}, false)"


def _left_out(alias: str) -> str:
    """Return the SQL condition of a task the load leaves out: not done, not deleted.

    A deleted row is marked instead (the staged path counts it as deleted).
    """
    kept = f"({alias}.is_deleted IS NULL OR wb_bool({alias}.is_deleted) = false)"
    return f"({not_done(alias)} AND {kept})"


def import_activities_load(cur: Connection, run_id: int, csv: LargeCsv) -> int | None:
    """Load a large activity CSV straight into ``activities`` when it is clean.

    The staged path reads a file into a temporary table, checks it and copies it
    again; for a multi-million-row export of calls and e-mails those extra
    passes cost more than reading the file. This path parses and inserts in
    one pass, marking with ``-run_id`` every row the staged path would have
    something to say about (a deleted row, an unreadable value, a date no CRM
    means or no date at all, a missing ID, a name to look up), leaving out each
    task the CRM holds as not done (:func:`import_activities_recount` counts
    them), then checks the inserted rows: no mark, no duplicate or already
    stored ID. The rows' references are checked afterwards
    (:func:`import_activities_references`), once the other files of the same
    export are written in the same transaction.

    It runs first in its transaction (after :func:`import_begin`): a load adds
    a few hundred megabytes while it runs and holds little once done, whereas
    the other files' staged and built tables stay in memory until the commit
    (DuckDB frees a temporary table dropped in a transaction only then); in
    that order the two do not add up.

    Returns:
        The rows inserted when the file is clean; None when it is not: the
        caller must roll the transaction back and take the staged path, which
        reports each problem with its row.

    Raises:
        RejectedInputError: the CSV reader refused the file (ragged rows, quotes).
    """
    # the file's accounts are not gathered: a file this large touches most
    scope_every_account(cur)
    # Only the last import can be undone: older journals go (this run's rows
    # carry its mark; the other files' writes journal theirs afterwards).
    cur.execute("DELETE FROM import_undo_rows")
    raw = {c: read_column(csv, c) for c in _import_columns("activities")}
    # Each value is parsed once (inner query); the mark compares it with the text.
    problem = " OR ".join(
        (
            "p.activity_id IS NULL",
            "(p.is_deleted IS NOT NULL AND coalesce(wb_bool(p.is_deleted), true))",
            "(p.kind IS NOT NULL AND p.known_kind IS NULL)",
            "p.activity_date IS NULL",
            "(p.activity_date IS NOT NULL AND p.parsed_date IS NULL)",
            # a time in seconds stored as milliseconds (read, and warned of),
            # among the ISO days of January 1970 it reads as
            f"p._iso_date BETWEEN {EPOCH_DAYS}",
            "(p.duration_minutes IS NOT NULL AND p.parsed_minutes IS NULL)",
            "(p.duration_seconds IS NOT NULL AND p.parsed_seconds IS NULL)",
            "(p.account_id IS NULL AND p.account_name IS NOT NULL)",
            "(p.contact_id IS NULL AND p.contact_name IS NOT NULL)",
            "(p.seller_id IS NULL AND p.seller_name IS NOT NULL)",
            "(p.is_closed IS NOT NULL AND wb_bool(p.is_closed) IS NULL)",
            # an all-day event (the checked path counts it as working days, and
            # warns of it) or a flag that is no yes or no; only where the file
            # holds the flag (a condition on a column of NULLs is not free)
            *(
                (
                    is_all_day("p"),
                    "(p.all_day IS NOT NULL AND wb_bool(p.all_day) IS NULL)",
                )
                if "all_day" in csv.positions
                else ()
            ),
            # a list e-mail's task on a recipient, a recurring series' main
            # record (the checked path leaves them out and counts them)
            *(("coalesce(p.left_out_kind, false)",) if "kind" in csv.positions else ()),
            *(
                ("(p.is_series IS NOT NULL AND coalesce(wb_bool(p.is_series), true))",)
                if "is_series" in csv.positions
                else ()
            ),
            # a Lightning series' record (likewise; a meeting only proposed is
            # not done: left out by the insert, counted by the recount)
            *((lightning_series("p"),) if "group_event_type" in csv.positions else ()),
        )
    )
    # the type picklist, read where the kind names only the object: joined
    # only where the file holds one
    typed = "activity_type" in csv.positions
    typed_kind = "tv.kind" if typed else "NULL::VARCHAR"
    typed_join = (
        "LEFT JOIN _import_kinds tv ON tv.value = lower(trim(r.activity_type))"
        if typed
        else ""
    )
    kind = activity_kind("p.kind", "p.known_kind", "p.typed_kind", "$kind::VARCHAR")
    params = csv.reader_params()
    try:
        _reject_ragged(cur, params, csv.n_columns, csv.file)
        inserted = cur.execute(
            f"""
            INSERT INTO activities (activity_id, account_id, contact_id, seller_id, kind,
                                    activity_date, duration_minutes, subject, source,
                                    source_id, import_run_id)
            SELECT p.activity_id, p.account_id, p.contact_id, p.seller_id,
                   {kind}, p.parsed_date,
                   coalesce(p.parsed_minutes, p.parsed_seconds / 60),
                   p.subject, $source::VARCHAR, NULL,
                   CASE WHEN {problem} OR {_DURATIONS_REPORTED} OR {_DATE_UNLIKELY}
                        THEN -$run ELSE $run END
            FROM (
                SELECT r.*, kv.kind AS known_kind, kv.left_out AS left_out_kind,
                       {typed_kind} AS typed_kind,
                       -- wb_date's first way, its ISO day read once for the mark
                       CASE WHEN r._iso_date NOT BETWEEN {EPOCH_DAYS} THEN r._iso_date
                            ELSE wb_date(r.activity_date, NULL) END AS parsed_date,
                       wb_num(r.duration_minutes) AS parsed_minutes,
                       wb_num(r.duration_seconds) AS parsed_seconds
                FROM (SELECT {", ".join(f"{e} AS {c}" for c, e in raw.items())},
                             TRY_CAST({raw["activity_date"]} AS DATE) AS _iso_date
                      FROM {_CSV_READER}) r
                LEFT JOIN _import_kinds kv ON kv.value = lower(r.kind)
                {typed_join}
            ) p
            WHERE NOT {_left_out("p")}
            """,
            {
                **params,
                "source": csv.source,
                "kind": csv.kind,
                "run": run_id,
            },
        ).fetchall()
    except duckdb.OutOfMemoryException:
        raise  # not the file's fault: the import says so (ingest.pipeline)
    except duckdb.Error as error:
        raise _reader_refused(csv.file, error) from error
    rows = int(inserted[0][0]) if inserted else 0
    if rows == 0 or not _loaded_cleanly(cur, run_id):
        return None
    return rows


def import_activities_recount(
    cur: Connection, csv: LargeCsv
) -> tuple[int, pl.DataFrame]:
    """Return what :func:`import_activities_load` did not count: tasks left out, dates filled.

    The staged path leaves the tasks the CRM holds as not done out of its
    stage and counts them (:func:`workbench.store.import_not_done_rows`), and
    counts the rows whose date another header filled
    (:func:`workbench.store.import_filled_rows`). The load's insert cannot
    count what it leaves out or how it read a value; one read of the file's
    flag, status and date fields does both: 0.4 to 0.6 s beside a load of 2 s
    at two million tasks (a file with none of them is not read again).
    Inserting every row and deleting the tasks not done before the commit
    cost three times that (the commit's share).

    Returns:
        The tasks left out, and the rows filled from a fallback in the layout
        of :func:`workbench.store.import_filled_rows`.
    """
    filled = no_filled_rows()
    fallbacks = [
        c for c in ROW_FALLBACK_COLUMNS.get("activities", ()) if c in csv.fallbacks
    ]
    says_done = ("is_closed", "status", "state_code", "group_event_type")
    if not set(says_done) & set(csv.positions) and not fallbacks:
        return 0, filled
    raw = ", ".join(
        [
            *(
                f"{_raw_column(csv.positions, c)} AS {c}"
                for c in (*says_done, "is_deleted")
            ),
            *(f"{filled_from_expr(csv, c)} AS {filled_from(c)}" for c in fallbacks),
        ]
    )
    froms = [filled_from(c) for c in fallbacks] or ["NULL::TINYINT"]
    arms = " UNION ALL ".join(
        f"SELECT {i} AS column_index, {name}::BIGINT AS filled_from, left_out FROM r"
        for i, name in enumerate(froms)
    )
    try:
        found = cur.execute(
            f"""
            WITH r AS (SELECT *, {_left_out("r0")} AS left_out
                       FROM (SELECT {raw} FROM {_CSV_READER}) r0)
            SELECT column_index, filled_from,
                   count(*) FILTER (WHERE left_out) AS not_done,
                   count(*) FILTER (WHERE NOT left_out) AS kept
            FROM ({arms}) GROUP BY ALL
            """,
            csv.reader_params(),
        ).fetchall()
    except duckdb.Error as error:
        raise _reader_refused(csv.file, error) from error
    not_done_rows = sum(int(r[2]) for r in found if r[0] == 0)
    counted = [
        (csv.file, fallbacks[int(r[0])], int(r[1]), int(r[3]))
        for r in found
        if fallbacks and r[1] is not None and r[1] > 0 and r[3] > 0
    ]
    if counted:
        filled = pl.DataFrame(counted, schema=filled.schema, orient="row").sort(
            "column", "filled_from"
        )
    return not_done_rows, filled


def import_activities_references(
    cur: Connection, run_id: int, csv: LargeCsv
) -> pl.DataFrame | None:
    """Report and clear the loaded rows' references to missing records.

    Runs after :func:`import_activities_load` and after the other files of
    the same export are written, so that the references are checked against
    the rows just written.

    Returns:
        The reference warnings (the layout of
        :func:`import_missing_references`), empty when there are none; None
        when the staged path is needed after all (an error-level reference, or
        names it would then look up).
    """
    load_activity_accounts(cur, run_id, csv.file, csv.source)
    return _direct_reference_problems(
        cur, run_id, csv.reader_params(), csv.positions, csv.file, csv.source
    )


def _loaded_cleanly(cur: Connection, run_id: int) -> bool:
    """Return whether no loaded row is marked and every stored activity ID is unique."""
    marked, total = cur.execute(
        "SELECT count(*) FILTER (WHERE import_run_id = -$run), count(*) FROM activities",
        parameters={"run": run_id},
    ).fetchall()[0]
    if marked:
        return False
    # Distinct hashes prove distinct IDs, and counting 64-bit hashes is cheaper
    # than grouping the strings; only a collision needs the exact check. The
    # distinct count is a statement of its own: beside other aggregates DuckDB
    # plans it without its parallel hash table (236 against 104 ms at 2 M rows).
    distinct_hashes = sum(
        cur.execute(statement, parameters=params).fetchall()[0][0]
        for statement, params in _distinct_hash_counts(int(total))
    )
    return bool(
        distinct_hashes == total
        or not cur.execute(
            "SELECT 1 FROM activities GROUP BY activity_id HAVING count(*) > 1 LIMIT 1"
        ).fetchall()
    )


#: Stored activities whose distinct hashes one statement counts at most. The
#: count's hash table grows with them: 20 million in one statement took 2.0 s
#: and 1.1 GB under the import's memory cap; counted in four parts of a quarter
#: of the hashes each (a hash and its doubles fall in the same part), 1.7 s
#: and 0.4 GB. Two million, in one statement as before: 0.1 s.
DISTINCT_HASHES_PER_STATEMENT = 5_000_000


def _distinct_hash_counts(rows: int) -> list[tuple[str, dict[str, int]]]:
    """Return the statements whose counts add up to the activities' distinct hashes."""
    parts = max(1, -(-rows // DISTINCT_HASHES_PER_STATEMENT))
    if parts == 1:
        return [("SELECT count(DISTINCT hash(activity_id)) FROM activities", {})]
    return [
        (
            "SELECT count(DISTINCT h) FROM (SELECT hash(activity_id) AS h "
            "FROM activities) WHERE h % $parts::UBIGINT = $part::UBIGINT",
            {"parts": parts, "part": part},
        )
        for part in range(parts)
    ]


def _direct_reference_problems(
    cur: Connection,
    run_id: int,
    params: dict[str, Any],
    positions: dict[str, int],
    file: str,
    source: str,
) -> pl.DataFrame | None:
    """Report and clear the directly loaded rows' references to missing records.

    The same warnings as the staged path (a task naming a lead rather than a
    contact is common in Salesforce exports): grouped per value with the first
    row, and the reference left empty. Returns None when the staged path is
    needed after all (an error-level reference, or names it would then look up).
    """
    checks = [
        (column, target, key, action)
        for table, column, target, key, action in _IMPORT_REFERENCES
        if table == "activities"
    ]
    dangling = {
        column: f"a.{column} IS NOT NULL AND a.{column} NOT IN (SELECT {key} FROM {target})"
        for column, target, key, _action in checks
    }
    cur.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _import_dangling AS
        SELECT a.activity_id,
               {", ".join(f"CASE WHEN {c} THEN a.{col} END AS {col}" for col, c in dangling.items())}
        FROM activities a
        WHERE a.import_run_id = $run AND ({" OR ".join(dangling.values())})
        """,
        {"run": run_id},
    )
    found = int(cur.execute("SELECT count(*) FROM _import_dangling").fetchall()[0][0])
    names = {"account_name", "contact_name", "seller_name"} & set(positions)
    if found and (names or any(action != "clear" for *_rest, action in checks)):
        return None
    problems: list[pl.DataFrame] = []
    if found:
        # Which lines of the file: one more read that numbers them, only now.
        cur.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _import_dangling_rows AS
            SELECT $file::VARCHAR AS _file, f._row, d.*
            FROM _import_dangling d JOIN (
                SELECT row_number() OVER () AS _row,
                       {_raw_column(positions, "activity_id")} AS activity_id
                FROM {_CSV_READER}) f USING (activity_id)
            """,
            {**params, "file": file},
        )
    for column, _target, _key, _action in checks:
        if not found:
            break
        problems.append(
            _reference_problem_rows(
                cur,
                f"SELECT _file, _row, {column} AS value FROM _import_dangling_rows "
                f"WHERE {column} IS NOT NULL",
                level="warning",
                table="activities",
                column=column,
                # a Dynamics Regarding may name a deal or a person the file's
                # export does not hold
                regarding=str(column == "account_id" and source in REGARDING_SOURCES),
            )
        )
        cur.execute(
            f"""
            UPDATE activities SET {column} = NULL
            WHERE import_run_id = $run AND activity_id IN (
                SELECT activity_id FROM _import_dangling WHERE {column} IS NOT NULL)
            """,
            {"run": run_id},
        )
    cur.execute("DROP TABLE IF EXISTS _import_dangling_rows")
    cur.execute("DROP TABLE _import_dangling")
    if found:
        # The same promise as the staged commit: nothing this load wrote dangles.
        # (With nothing found, the query above is that proof: it looked for
        # every reference of this run to a missing record, in this transaction.)
        import_assert_run_has_no_orphans(cur, "activities", run_id)
    if not problems:
        return pl.DataFrame()
    return pl.concat(problems, how="vertical_relaxed")
