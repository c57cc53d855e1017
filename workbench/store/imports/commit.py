"""Committing an import, its run log, column mappings, fingerprints.

The commit upserts built rows by (source, source_id) and writes before-images of
every row it touches to ``import_undo_rows``, so the last import can be undone
exactly (:mod:`.undo`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import polars as pl

from workbench.access import require
from workbench.domain import (
    Actor,
)
from workbench.store._base import (
    LAST_IMPORT_DAY_KEY,
    Connection,
    _frame,
    _now,
    _registered,
)
from workbench.store.connection import (
    query_frame,
    record_json,
    set_meta,
    table_columns,
)
from workbench.store.imports.integrity import (
    import_assert_no_orphans,
    import_assert_unique_keys,
    import_built_tables,
)
from workbench.store.imports.situation import (
    commit_account_situation,
)
from workbench.store.imports.staging import _IMPORT_KEYS
from workbench.store.tables import DATA_TABLES
from workbench.store.versions import scope_every_account, scope_facts


def _stored_import_columns(cur: Connection, table: str) -> list[str]:
    # ``_import_new_<table>`` is built with every column of the table except the
    # provenance ``source`` and the run mark, which the upsert adds; the schema is
    # the one list.
    return [
        c for c in table_columns(cur, table) if c not in {"source", "import_run_id"}
    ]


#: Columns a re-import must not blank: a file without them keeps what is stored.
_KEEP_WHEN_NULL = frozenset(
    {
        "industry",
        "region",
        "country",
        "annual_revenue",
        "employees",
        "wallet_estimate",
        "gross_margin_pct",
        "contract_type",
        "direct_cost_annual",
        "crm_type",
        "account_type",
        "parent_account_id",
        "owner_seller_id",
        "title",
        "department",
        "reports_to_id",
        "email",
        "phone",
        "has_left",
        "team",
    }
)


#: The columns of a survey response, in the ``nps_responses`` layout.
_SURVEY_COLUMNS: tuple[str, ...] = (
    "account_id",
    "contact_id",
    "responded_on",
    "score",
    "comment",
    "source",
    "source_id",
)


def _with_survey_type(responses: pl.DataFrame) -> pl.DataFrame:
    """Return the responses with a ``survey_type`` column (null where not given)."""
    if "survey_type" in responses.columns:
        return responses.with_columns(pl.col("survey_type").cast(pl.String))
    return responses.with_columns(pl.lit(None, dtype=pl.String).alias("survey_type"))


def import_stage_responses(cur: Connection, responses: pl.DataFrame) -> None:
    """Stage survey responses (the ``nps_responses`` layout plus ``_file``, ``_row``)."""
    needed = ["_file", "_row", *_SURVEY_COLUMNS]
    # The survey type is optional in a file: without it a response keeps the type
    # stored for it, or is a relationship answer (the schema's default).
    typed = _with_survey_type(responses)
    with _registered(
        cur, "_import_responses_in", typed.select([*needed, "survey_type"])
    ):
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE _import_new_nps_responses AS
            SELECT r._file, r._row::BIGINT AS _row, r.source AS _source, r.source_id,
                   coalesce(e.response_id, r.source || ':' || left(md5(r.source_id), 12)) AS response_id,
                   r.account_id, r.contact_id, r.responded_on::DATE AS responded_on,
                   r.score::TINYINT AS score, r.comment,
                   coalesce(r.survey_type, e.survey_type, 'relationship')
                       AS survey_type
            FROM _import_responses_in r
            LEFT JOIN nps_responses e ON e.source = r.source AND e.source_id = r.source_id
            """
        )


def import_commit(
    cur: Connection, run_id: int, tables: Sequence[str]
) -> dict[str, int]:
    """Upsert every built table by its key, journalling what undo needs.

    A table with an ``import_run_id`` column (activities) marks the rows this run
    wrote; only the rows it replaced are journalled. Other tables journal every
    key they touch. Returns the rows written per table.
    """
    # Only the last import can be undone: older journals go (this run's may
    # already hold the demo it replaced).
    cur.execute("DELETE FROM import_undo_rows WHERE run_id <> $run", {"run": run_id})
    written: dict[str, int] = {}
    replaced: list[str] = []  # tables where this run replaced stored records
    # Accounts and sellers that records name only by name are written too.
    staged = import_built_tables(cur, tables)
    for table in staged:
        key = _IMPORT_KEYS[table]
        stored_columns = table_columns(cur, table)
        marked = "import_run_id" in stored_columns
        columns = _stored_import_columns(cur, table)
        stored = int(cur.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
        existed = 0
        if stored:
            existed = int(
                cur.execute(
                    f"SELECT count(*) FROM (SELECT {key} AS _k FROM {table}) "
                    f"SEMI JOIN (SELECT {key} AS _k FROM _import_new_{table}) USING (_k)"
                ).fetchall()[0][0]
            )
        if existed:
            replaced.append(table)
            # Before-images of the rows this run replaces (and, for unmarked
            # tables, the keys of the rows it adds).
            join = "JOIN" if marked else "LEFT JOIN"
            cur.execute(
                f"""
                INSERT INTO import_undo_rows
                SELECT $run, $table, n._k, x._k IS NOT NULL,
                       CASE WHEN x._k IS NOT NULL THEN to_json(x)::VARCHAR END
                FROM (SELECT {key} AS _k FROM _import_new_{table}) n
                {join} (SELECT *, {key} AS _k FROM {table}) x ON x._k = n._k
                """,
                {"run": run_id, "table": table},
            )
        elif not marked and not stored:
            # The table held nothing: every row it will hold is this run's. One
            # journal row without a key says so (a key per row cost 130 ms for a
            # whole export's 450,000 people and deals).
            cur.execute(
                "INSERT INTO import_undo_rows VALUES ($run, $table, NULL, false, NULL)",
                {"run": run_id, "table": table},
            )
        elif not marked:
            # Every row is new: undo only needs the keys.
            cur.execute(
                f"""
                INSERT INTO import_undo_rows
                SELECT $run, $table, {key}, false, NULL FROM _import_new_{table}
                """,
                {"run": run_id, "table": table},
            )
        _scope_import(cur, table, key, stored_columns, existed)
        final_columns = [*columns, "source"]
        if "source" not in stored_columns:
            final_columns.remove("source")  # the link table has no provenance
        run_column = ", import_run_id" if marked else ""
        run_value = ", $run" if marked else ""
        column_list = ", ".join(final_columns)
        if not existed:
            # Nothing stored under these keys yet: a plain insert.
            plain = ", ".join(f"n.{c}" for c in columns)
            source = "" if "source" not in stored_columns else ", n._source"
            cur.execute(
                f"INSERT INTO {table} ({column_list}{run_column}) "
                f"SELECT {plain}{source}{run_value} FROM _import_new_{table} n",
                {"run": run_id} if marked else None,
            )
        else:
            values = ", ".join(
                f"coalesce(n.{c}, e.{c}) AS {c}" if c in _KEEP_WHEN_NULL else f"n.{c}"
                for c in columns
            )
            cur.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE _import_final AS
                SELECT {values}, n._source AS source
                FROM (SELECT *, {key} AS _key FROM _import_new_{table}) n
                LEFT JOIN (SELECT *, {key} AS _key FROM {table}) e ON e._key = n._key
                """
            )
            cur.execute(
                f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM _import_new_{table})"
            )
            cur.execute(
                f"INSERT INTO {table} ({column_list}{run_column}) "
                f"SELECT {column_list}{run_value} FROM _import_final",
                {"run": run_id} if marked else None,
            )
            cur.execute("DROP TABLE _import_final")
        written[table] = int(
            cur.execute(f"SELECT count(*) FROM _import_new_{table}").fetchall()[0][0]
        )
    if "opportunity_contacts" in staged:
        _import_roles_from_deals(cur, run_id)
    written_situation = commit_account_situation(cur, run_id)
    if written_situation:
        written["account_situation"] = written_situation
    # The last word before the transaction commits: nothing written may dangle,
    # and no ID written may be held twice. (Where no stored record shared an ID
    # with the built rows, the rows written are those, whose IDs the import's
    # check of doubles found unique: there is nothing to look for.)
    import_assert_no_orphans(cur, staged)
    import_assert_unique_keys(cur, replaced)
    return written


#: Tables the account features do not read (a role a deal names is given to
#: the person, which is scoped as such).
_NOT_FEATURES = frozenset({"contact_influences", "opportunity_contacts"})


def _scope_import(
    cur: Connection, table: str, key: str, columns: list[str], existed: int
) -> None:
    """Say whose facts this table's rows touch (see :mod:`workbench.store.versions`).

    Before the rows are written: the accounts of the rows replaced and of the
    rows written, and for activities and answers the accounts of the people
    the replaced rows named (a person's count of deciders engaged reads them).
    A stored seller whose team or title changes may price every account's hours.
    """
    if table in _NOT_FEATURES:
        return
    if table == "sellers":
        # a new seller prices only the activities naming them (scoped by
        # their accounts); a stored one whose team or title changes may
        # price any account's hours
        if existed and _sellers_repriced(cur):
            scope_every_account(cur)
        return
    if "account_id" not in columns:
        scope_every_account(cur)
        return
    replaced = (
        f"SELECT * FROM {table} WHERE {key} IN (SELECT {key} FROM _import_new_{table})"
    )
    scope_facts(cur, f"SELECT DISTINCT account_id FROM _import_new_{table}", {})
    if not existed:
        return
    scope_facts(cur, f"SELECT account_id FROM ({replaced})", {})
    if "contact_id" in columns:
        scope_facts(
            cur,
            f"SELECT account_id FROM contacts WHERE contact_id IN "
            f"(SELECT contact_id FROM ({replaced}))",
            {},
        )


def _sellers_repriced(cur: Connection) -> bool:
    """Whether the staged sellers change a stored seller's team or title.

    Those two give a seller's hourly rate (``SELLER_RATES_CTE``); a re-export
    of the same users (as every Salesforce export carries) changes neither.
    A value the file leaves empty keeps the stored one (``_KEEP_WHEN_NULL``).
    """
    rows = cur.execute(
        """
        SELECT count(*) FROM _import_new_sellers n JOIN sellers s USING (seller_id)
        WHERE coalesce(n.team, s.team) IS DISTINCT FROM s.team
           OR coalesce(n.title, s.title) IS DISTINCT FROM s.title
        """
    ).fetchall()
    return bool(rows[0][0])


def _import_roles_from_deals(cur: Connection, run_id: int) -> None:
    """Give people without a role the most decisive role their deals name."""
    cur.execute(
        """
        CREATE OR REPLACE TEMP TABLE _import_deal_roles AS
        SELECT n.contact_id, arg_min(n.buying_role, r.precedence) AS buying_role
        FROM _import_new_opportunity_contacts n
        JOIN _import_roles r ON r.value = n.buying_role
        WHERE n.buying_role IS NOT NULL
        GROUP BY n.contact_id
        """
    )
    cur.execute(
        """
        INSERT INTO import_undo_rows
        SELECT $run, 'contacts', c.contact_id, true, to_json(c)::VARCHAR
        FROM contacts c JOIN _import_deal_roles d USING (contact_id)
        WHERE c.buying_role IS NULL
          AND c.contact_id NOT IN (SELECT row_key FROM import_undo_rows WHERE table_name = 'contacts')
          AND c.contact_id NOT IN (SELECT contact_id FROM contact_edits WHERE field = 'buying_role')
        """,
        {"run": run_id},
    )
    scope_facts(
        cur,
        "SELECT account_id FROM contacts WHERE contact_id IN "
        "(SELECT contact_id FROM _import_deal_roles)",
        {},
    )
    cur.execute(
        """
        UPDATE contacts c SET buying_role = d.buying_role
        FROM _import_deal_roles d
        WHERE c.contact_id = d.contact_id AND c.buying_role IS NULL
          AND c.contact_id NOT IN (SELECT contact_id FROM contact_edits WHERE field = 'buying_role')
        """
    )


def next_import_run_id(con: Connection) -> int:
    """Return the next free import run number."""
    with con.cursor() as cur:
        rows = cur.execute(
            "SELECT coalesce(max(run_id), 0) + 1 FROM import_runs"
        ).fetchall()
    return int(rows[0][0])


def record_import_run(
    cur: Connection,
    *,
    run_id: int,
    started_at: datetime,
    source: str,
    status: str,
    files: Sequence[dict[str, Any]],
    counts: dict[str, int],
    problems: Sequence[dict[str, Any]],
    user_name: str,
) -> None:
    """Write one row of ``import_runs`` (inside a write transaction).

    A committed run also sets ``LAST_IMPORT_DAY_KEY``, the day the as-of day
    never runs past (:func:`workbench.store.data_date_range`): kept beside the
    versions rather than read from ``import_runs``, which a rejected import's
    record (a write of no facts) also writes.
    """
    finished = _now()
    if status == "committed":
        set_meta(cur, LAST_IMPORT_DAY_KEY, finished.date().isoformat())
    cur.execute(
        """
        INSERT INTO import_runs VALUES ($run, $started, $finished, $source, $status,
                                        $files, $counts, $problems, $user)
        """,
        {
            "run": run_id,
            "started": started_at,
            "finished": finished,
            "source": source,
            "status": status,
            "files": record_json(list(files)),
            "counts": record_json(counts),
            "problems": record_json(list(problems)),
            "user": user_name,
        },
    )


def import_runs(con: Connection, limit: int = 50) -> pl.DataFrame:
    """Return the latest import runs, newest first."""
    return query_frame(
        con,
        "SELECT * FROM import_runs ORDER BY run_id DESC LIMIT $limit",
        {"limit": int(limit)},
    )


def last_settled_import(con: Connection) -> tuple[int, str, str | None] | None:
    """Return the newest of the last 20 runs that committed or was undone.

    As (run ID, status, its files' record as JSON); None when there is none.
    A point lookup in plain tuples: an import asks it before it reads a row,
    and a frame would load Arrow (about 40 MB) into a command that needs none.
    """
    with con.cursor() as cur:
        rows = cur.execute(
            """
            SELECT run_id, status, files
            FROM (SELECT * FROM import_runs ORDER BY run_id DESC LIMIT 20)
            WHERE status IN ('committed', 'undone')
            ORDER BY run_id DESC
            LIMIT 1
            """
        ).fetchall()
    if not rows:
        return None
    run_id, status, files = rows[0]
    return int(run_id), str(status), files


def saved_column_mapping(
    con: Connection, header_signature: str
) -> tuple[str, dict[str, str]] | None:
    """Return (target table, source column → workbench column) remembered for a header."""
    # A point lookup: plain tuples, no frame (and no Arrow load in a fresh CLI).
    with con.cursor() as cur:
        rows = cur.execute(
            "SELECT target_table, mapping FROM column_mappings WHERE header_signature = $s",
            parameters={"s": header_signature},
        ).fetchall()
    if not rows:
        return None
    mapping = json.loads(rows[0][1])
    return str(rows[0][0]), {str(k): str(v) for k, v in mapping.items()}


def save_column_mapping(
    cur: Connection,
    actor: Actor,
    header_signature: str,
    target_table: str,
    mapping: dict[str, str],
) -> None:
    """Remember a mapping for files with this header (inside a write transaction)."""
    require(actor, "import")
    cur.execute(
        """
        INSERT INTO column_mappings VALUES ($s, $t, $m, $who, $at)
        ON CONFLICT (header_signature) DO UPDATE SET target_table = excluded.target_table,
            mapping = excluded.mapping, saved_by = excluded.saved_by, saved_at = excluded.saved_at
        """,
        {
            "s": header_signature,
            "t": target_table,
            "m": record_json(mapping),
            "who": actor.name,
            "at": _now(),
        },
    )


def import_table_counts(cur: Connection) -> dict[str, int]:
    """Return rows per CRM table as the given cursor sees them (inside a transaction)."""
    return {
        table: int(cur.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
        for table in DATA_TABLES
    }


def import_next_run_id(cur: Connection) -> int:
    """Return the next free import run number (inside a write transaction)."""
    rows = cur.execute(
        "SELECT coalesce(max(run_id), 0) + 1 FROM import_runs"
    ).fetchall()
    return int(rows[0][0])


def import_link_targets(
    cur: Connection, tables: Sequence[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (contacts, accounts) for linking survey answers inside an import.

    The database's rows plus those this import is about to write, so a survey in
    the same upload as the CRM export links to its people.
    """
    contact_sql = "SELECT contact_id, account_id, email FROM contacts"
    account_sql = "SELECT account_id, name FROM accounts"
    if "contacts" in tables:
        contact_sql = (
            "SELECT contact_id, account_id, email FROM _import_new_contacts UNION ALL "
            + contact_sql
            + " WHERE contact_id NOT IN (SELECT contact_id FROM _import_new_contacts)"
        )
    account_sql = (
        "SELECT account_id, name FROM _import_new_accounts UNION ALL "
        + account_sql
        + " WHERE account_id NOT IN (SELECT account_id FROM _import_new_accounts)"
    )
    contacts: pl.DataFrame = _frame(cur.sql(contact_sql))
    accounts: pl.DataFrame = _frame(cur.sql(account_sql))
    return contacts, accounts
