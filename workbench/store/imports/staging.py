"""The start and end of an import: macros, staging files as text, union, drop.

The import stages every file as text in temporary tables inside one write
transaction, parses and checks it with SQL (one set of rules for small and huge
files), then upserts by (source, source_id). This module prepares the transaction
(parsing macros, vocabularies), stages frames and CSV files, unions the stages of
one table and drops the temporary tables afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from workbench import vocabulary
from workbench.account_types import ACCOUNT_TYPE_VALUES
from workbench.contact_states import CONTACT_STATE_VALUES
from workbench.domain import FILE_REFUSAL, Wording
from workbench.errors import RejectedInputError
from workbench.i18n import N_
from workbench.store._base import Connection, _registered
from workbench.store.imports.merges import import_merge_tables
from workbench.store.imports.sql_macros import import_macros
from workbench.store.imports.task_status import kept_rows
from workbench.store.settings import portfolio_currency
from workbench.store.tables import DATA_TABLES

#: Each import target table with its key expression over the table's own columns.
_IMPORT_KEYS: dict[str, str] = {
    "sellers": "seller_id",
    "accounts": "account_id",
    "contacts": "contact_id",
    "opportunities": "opportunity_id",
    "activities": "activity_id",
    "nps_responses": "response_id",
    "opportunity_contacts": "opportunity_id || '|' || contact_id",
    "contact_influences": "from_contact_id || '|' || to_contact_id",
    "contracts": "contract_id",
    "erp_revenue": "account_id || '|' || strftime(month, '%Y-%m')",
}
#: Order in which an import fills tables (references point backwards): the order
#: of the data tables.
IMPORT_ORDER: tuple[str, ...] = DATA_TABLES
#: Rows listed per (file, column, check) before the rest is summarised.
IMPORT_PROBLEM_ROWS = 20


def _import_macros(cur: Connection) -> None:
    for statement in import_macros():
        cur.execute(statement)


def _import_stage_name(index: int) -> str:
    return f"_import_stage_{int(index)}"


def _import_columns(table: str) -> tuple[str, ...]:
    return vocabulary.CANONICAL_COLUMNS[table]


#: SQL types of the polars types the vocabulary tables use.
_DUCKDB_TYPES: dict[Any, str] = {
    pl.String: "VARCHAR",
    pl.Int8: "TINYINT",
    pl.Int32: "INTEGER",
    pl.Boolean: "BOOLEAN",
}


def import_begin(cur: Connection) -> None:
    """Prepare an import inside a write transaction: parsing macros, vocabularies."""
    _import_macros(cur)
    import_merge_tables(cur)
    roles = pl.DataFrame(
        [
            {"value": value, "role": role or None, "attitude": attitude or None}
            for value, (role, attitude) in vocabulary.ROLE_VALUES.items()
        ],
        schema={"value": pl.String, "role": pl.String, "attitude": pl.String},
    ).with_columns(
        precedence=pl.col("role").replace_strict(
            {r: i for i, r in enumerate(vocabulary.ROLE_PRECEDENCE)},
            default=None,
            return_dtype=pl.Int32,
        )
    )
    attitudes = pl.DataFrame(
        {
            "value": list(vocabulary.ATTITUDE_VALUES),
            "attitude": list(vocabulary.ATTITUDE_VALUES.values()),
        }
    )
    influences = pl.DataFrame(
        {
            "value": list(vocabulary.INFLUENCE_VALUES),
            "influence": list(vocabulary.INFLUENCE_VALUES.values()),
        },
        schema={"value": pl.String, "influence": pl.Int8},
    )
    kinds = pl.DataFrame(
        {
            "value": list(vocabulary.KIND_VALUES),
            "kind": list(vocabulary.KIND_VALUES.values()),
            # a list e-mail's task on a recipient, a recurring series' main
            # record: rows the checked path leaves out and counts
            "left_out": [
                v in vocabulary.ONE_TO_MANY_KINDS | vocabulary.SERIES_KINDS
                for v in vocabulary.KIND_VALUES
            ],
        }
    )
    stages = pl.DataFrame(
        {
            "value": [*vocabulary.WON_STAGES, *vocabulary.LOST_STAGES],
            "is_won": [True] * len(vocabulary.WON_STAGES)
            + [False] * len(vocabulary.LOST_STAGES),
        }
    )
    account_types = pl.DataFrame(
        {
            "value": list(ACCOUNT_TYPE_VALUES),
            "account_type": list(ACCOUNT_TYPE_VALUES.values()),
        }
    )
    contact_states = pl.DataFrame(
        {
            "value": list(CONTACT_STATE_VALUES),
            "has_left": list(CONTACT_STATE_VALUES.values()),
        },
        schema={"value": pl.String, "has_left": pl.Boolean},
    )
    for name, frame in (
        ("_import_account_types", account_types),
        ("_import_contact_states", contact_states),
        ("_import_roles", roles),
        ("_import_attitudes", attitudes),
        ("_import_influences", influences),
        ("_import_kinds", kinds),
        ("_import_stages", stages),
    ):
        # Bound lists, unnested side by side: no Arrow round trip for a few rows.
        types = {c: _DUCKDB_TYPES[dtype] for c, dtype in frame.schema.items()}
        select = ", ".join(
            f"unnest($c{i}::{sql_type}[]) AS {column}"
            for i, (column, sql_type) in enumerate(types.items())
        )
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {select}",
            {f"c{i}": frame[column].to_list() for i, column in enumerate(types)},
        )
    # the currency every amount is read in, and the export's exchange rates
    # (none until the import gives some: see store.imports.currency)
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE _import_currency AS SELECT $code::VARCHAR AS code",
        {"code": portfolio_currency(cur)},
    )
    # activities whose account a deal or person gave (store.imports.account_names)
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE _import_account_via "
        "(_file VARCHAR, via VARCHAR, rows BIGINT)"
    )
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE _import_rates (code VARCHAR, "
        "per_corporate DOUBLE, corporate BOOLEAN, start_date DATE, next_start DATE)"
    )


def activity_kind(text: str, known: str, typed: str, default: str) -> str:
    """Return the SQL of an activity's kind.

    ``text`` is the row's kind as written, ``known`` and ``typed`` the kinds
    ``_import_kinds`` gives for it and for the row's type picklist, ``default``
    the file's own kind (all SQL). The type's kind where the kind names only
    the object (:data:`workbench.vocabulary.OBJECT_KINDS`, or none is written)
    and the vocabulary knows the type (an org's own value is passed over: the
    kind stands); else the kind's; else the file's.
    """
    objects = ", ".join(f"'{kind}'" for kind in sorted(vocabulary.OBJECT_KINDS))
    return (
        f"coalesce(CASE WHEN {text} IS NULL OR lower(trim({text})) IN ({objects}) "
        f"THEN {typed} END, {known}, {default})"
    )


def filled_from(column: str) -> str:
    """Return the name of a stage's column that says which header filled ``column``.

    0 where the mapped header held the value, 1 where the first of its
    fallbacks did (see :data:`workbench.vocabulary.ROW_FALLBACK_COLUMNS`), and
    so on; NULL where none did. A stage of a table with such columns has one
    per column, after the canonical columns.
    """
    return f"_from_{column}"


def date_expr(table_alias: str, column: str) -> str:
    """Return the SQL reading a staged date column in its file's order."""
    # The order chosen for this file and column (mdy/dmy), else ISO-like only.
    return f"wb_date({table_alias}.{column}, {table_alias}._order_{column})"


def _filled_from_columns(table: str) -> list[str]:
    return [filled_from(c) for c in vocabulary.ROW_FALLBACK_COLUMNS.get(table, ())]


def import_stage_frame(
    cur: Connection, index: int, table: str, frame: pl.DataFrame
) -> int:
    """Stage an all-text frame (``_row``, ``_file``, ``_source``, ``_kind`` and canonical columns).

    A table with fallback columns also has their :func:`filled_from` columns.
    Returns the rows staged.
    """
    columns = _import_columns(table)
    expected = ["_row", "_file", "_source", "_kind", *columns]
    expected += _filled_from_columns(table)
    if frame.columns != expected:
        raise ValueError(f"staged frame for {table} must have the columns {expected}")
    deleted = (
        "coalesce(wb_bool(is_deleted), false)" if "is_deleted" in columns else "false"
    )
    with _registered(cur, "_import_incoming", frame):
        cur.execute(
            f"CREATE TEMP TABLE {_import_stage_name(index)} AS "
            f"SELECT *, {deleted} AS _deleted FROM _import_incoming"
        )
    return frame.height


_CSV_READER = """read_csv($path, all_varchar = true, header = true, names = $names,
                        delim = $delim, quote = '"', escape = '"',
                        null_padding = true, strict_mode = true,
                        parallel = $parallel)"""


def _csv_params(
    path: str, n_columns: int, delimiter: str, parallel: bool = True
) -> dict[str, Any]:
    # The parallel reader refuses a quoted line break while it pads short rows;
    # a medium file is read in one thread, which reads them.
    return {
        "path": path,
        "names": [f"c{i}" for i in range(n_columns)],
        "delim": delimiter,
        "parallel": parallel,
    }


def _raw_column(positions: dict[str, int], column: str) -> str:
    # NULL when the file lacks the column.
    if column not in positions:
        return "NULL::VARCHAR"
    return _raw_field(positions[column])


def _raw_field(position: int) -> str:
    # The file's text, without surrounding spaces, empty as NULL (the reader
    # already gives empty fields as NULL).
    # trim() copies every string; the LIKE guards compare bytes, so only padded
    # values pay for it (a quarter of the load time of a 2M-row file otherwise).
    field = f"c{int(position)}"
    return (
        f"CASE WHEN {field} LIKE ' %' OR {field} LIKE '% ' "
        f"THEN nullif(trim({field}), '') ELSE nullif({field}, '') END"
    )


def _meant_field(position: int) -> str:
    """Return a date field's text, NULL where it is a date no CRM means.

    See :data:`workbench.vocabulary.PLACEHOLDER_DATE_PATTERN`; an ISO date of
    this century (``20yy-``) is not matched further, so the two million dates
    of a task export cost a prefix comparison each (a day-first 20/01/1900
    starts with "20" too, and is matched).
    """
    field = _raw_field(position)
    pattern = vocabulary.PLACEHOLDER_DATE_PATTERN.replace("'", "''")
    return (
        f"CASE WHEN NOT (starts_with({field}, '20') AND substr({field}, 5, 1) = '-') "
        f"AND regexp_matches({field}, '{pattern}') THEN NULL ELSE {field} END"
    )


def _candidates(csv: LargeCsv, column: str) -> list[tuple[int, str]]:
    """Return (which header, SQL of its text) in the order they fill a row.

    The mapped field, then its fallbacks. A date's mapped field is passed over
    where it holds a date no CRM means, and read as written only where no
    fallback holds one: the fallbacks are the CRM's own timestamps
    (``CompletedDateTime``, ``CreatedDate``), which it writes, not a person.
    """
    fields = [csv.positions[column], *csv.fallbacks.get(column, ())]
    texts = [(i, _raw_field(p)) for i, p in enumerate(fields)]
    if column not in vocabulary.DATE_COLUMNS or len(fields) < 2:
        return texts
    return [(0, _meant_field(fields[0])), *texts[1:], texts[0]]


def read_column(csv: LargeCsv, column: str) -> str:
    """Return the SQL of a column's text: the mapped field's, else its fallbacks' in order."""
    if column not in csv.positions or not csv.fallbacks.get(column):
        return _raw_column(csv.positions, column)
    return f"coalesce({', '.join(sql for _i, sql in _candidates(csv, column))})"


def filled_from_expr(csv: LargeCsv, column: str) -> str:
    """Return the SQL of :func:`filled_from`'s value for a column of the file."""
    if column not in csv.positions:
        return "NULL::TINYINT"
    arms = " ".join(
        f"WHEN {sql} IS NOT NULL THEN {i}" for i, sql in _candidates(csv, column)
    )
    return f"(CASE {arms} END)::TINYINT"


def _reject_ragged(
    cur: Connection, params: dict[str, Any], n_columns: int, file: str
) -> None:
    """Refuse a file with rows longer than its header, naming the first rows."""
    # Short rows are padded (as the small-file reader does); a row with more
    # fields than the header shows up as an extra column in the sample.
    described = cur.execute(f"DESCRIBE SELECT * FROM {_CSV_READER}", params).fetchall()
    extra = [str(r[0]) for r in described[n_columns:]]
    if not extra or not all(
        name.startswith("column") and name[6:].isdigit() for name in extra
    ):
        return
    condition = " OR ".join(f"{name} IS NOT NULL" for name in extra)
    rows = cur.execute(
        f"SELECT r FROM (SELECT row_number() OVER () AS r, * FROM {_CSV_READER}) "
        f"WHERE {condition} ORDER BY r LIMIT 5",
        params,
    ).fetchall()
    if rows:
        raise _file_refused(
            file,
            Wording(
                N_(
                    "row {row} has more fields than the header ({columns}) (ragged "
                    "rows at data rows {rows}); check the delimiter and quoting, or "
                    "re-export the file."
                ),
                (
                    ("row", rows[0][0]),
                    ("columns", n_columns),
                    ("rows", ", ".join(str(r[0]) for r in rows)),
                ),
            ),
        )


def _file_refused(file: str, reason: Wording) -> RejectedInputError:
    """Return the refusal of one file, its reason worded (shown in the language)."""
    return RejectedInputError(
        Wording(FILE_REFUSAL, (("file", file), ("reason", reason)))
    )


def _reader_refused(file: str, error: duckdb.Error) -> RejectedInputError:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return _file_refused(
        file,
        Wording(
            N_("the CSV reader refused the file: {reason}"),
            (("reason", first_line[:300]),),
        ),
    )


def import_csv_rows(
    con: Connection, path: str, *, n_columns: int, delimiter: str
) -> int | None:
    """Return the data rows DuckDB's reader finds in a CSV file, or None.

    None when the reader refuses the file (quotes, line size) or a row has more
    fields than the header: the caller then reads the file with Python's parser,
    which says what is wrong as it always has.
    """
    params = _csv_params(path, n_columns, delimiter, parallel=False)
    try:
        described = con.execute(
            f"DESCRIBE SELECT * FROM {_CSV_READER}", params
        ).fetchall()
        if len(described) != n_columns:
            return None
        rows = con.execute(f"SELECT count(*) FROM {_CSV_READER}", params)
        return int(rows.fetchall()[0][0])
    except duckdb.Error:
        return None


@dataclass(frozen=True)
class LargeCsv:
    """A UTF-8 CSV file on disk as the store's reader reads it: layout and labels.

    Attributes:
        path: the UTF-8 CSV file.
        positions: canonical column → 0-based position of the file's column.
        n_columns: how many columns the header has.
        delimiter: the sniffed delimiter.
        file: the file's name, for problems.
        source: the recognised source.
        kind: the activity kind when the file does not say.
        parallel: read with several threads (large files; a medium one is read
            in one, which reads quoted line breaks beside short rows).
        fallbacks: canonical column → positions of the fields that fill its
            empty cells, in their order (see
            :data:`workbench.vocabulary.ROW_FALLBACK_COLUMNS`).
    """

    path: str
    positions: dict[str, int]
    n_columns: int
    delimiter: str
    file: str
    source: str
    kind: str | None
    parallel: bool = True
    fallbacks: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def reader_params(self) -> dict[str, Any]:
        """Return the bound parameters of the store's CSV reader for this file."""
        return _csv_params(self.path, self.n_columns, self.delimiter, self.parallel)


def staged_columns(csv: LargeCsv, table: str) -> tuple[str, str]:
    """Return how a stage reads a CSV file's columns: the select list, and ``_deleted``.

    Each of the table's columns as the file's text (trimmed, empty as NULL),
    NULL where the file lacks it, filled from its fallbacks where empty (and
    its :func:`filled_from` column); a row is deleted where its
    ``is_deleted`` reads true.
    """
    positions = csv.positions
    select = ", ".join(
        [
            *(f"{read_column(csv, c)} AS {c}" for c in _import_columns(table)),
            *(
                f"{filled_from_expr(csv, c)} AS {filled_from(c)}"
                for c in vocabulary.ROW_FALLBACK_COLUMNS.get(table, ())
            ),
        ]
    )
    deleted = (
        f"coalesce(wb_bool({_raw_column(positions, 'is_deleted')}), false)"
        if "is_deleted" in positions
        else "false"
    )
    return select, deleted


def import_stage_csv(cur: Connection, index: int, table: str, csv: LargeCsv) -> int:
    """Stage a large UTF-8 CSV file with DuckDB's reader, every value as text.

    Args:
        cur: the import's write transaction.
        index: the stage's number in this import.
        table: the target table.
        csv: the file and how to read it.

    Returns:
        The rows staged.

    Raises:
        RejectedInputError: the CSV reader refused the file (ragged rows, quotes).
    """
    select, deleted = staged_columns(csv, table)
    params = csv.reader_params()
    try:
        _reject_ragged(cur, params, csv.n_columns, csv.file)
        cur.execute(
            f"""
            CREATE TEMP TABLE {_import_stage_name(index)} AS
            SELECT NULL::BIGINT AS _row, $file::VARCHAR AS _file,
                   $source::VARCHAR AS _source, $kind::VARCHAR AS _kind, {select},
                   {deleted} AS _deleted
            FROM {_CSV_READER}
            """,
            {**params, "file": csv.file, "source": csv.source, "kind": csv.kind},
        )
    except duckdb.OutOfMemoryException:
        raise  # not the file's fault: the import says so (ingest.pipeline)
    except duckdb.Error as error:
        raise _reader_refused(csv.file, error) from error
    rows = cur.execute(f"SELECT count(*) FROM {_import_stage_name(index)}").fetchall()
    return int(rows[0][0])


def import_union(cur: Connection, table: str, indexes: Sequence[int]) -> None:
    """Make ``_import_in_<table>``: the table's staged files together, deleted rows out."""
    if table not in vocabulary.CANONICAL_COLUMNS or not indexes:
        raise ValueError(f"nothing staged for {table}")
    # A large CSV is staged in file order without row numbers (a window over
    # millions of rows costs time): its rowid gives the row. Rows written in
    # this transaction have rowids from an offset, not from 0; the first is row 1.
    firsts = {
        i: int(
            cur.execute(
                f"SELECT coalesce(min(rowid), 0) FROM {_import_stage_name(i)}"
            ).fetchall()[0][0]
        )
        for i in indexes
    }
    union = " UNION ALL BY NAME ".join(
        f"SELECT * REPLACE (coalesce(_row, rowid - {firsts[i]} + 1)::BIGINT AS _row) "
        f"FROM {_import_stage_name(i)}"
        for i in indexes
    )
    cur.execute(f"CREATE OR REPLACE TEMP VIEW _import_all_{table} AS {union}")
    cur.execute(
        f"CREATE OR REPLACE TEMP VIEW _import_in_{table} AS "
        f"SELECT * FROM _import_all_{table} s WHERE {kept_rows(table, 's')}"
    )


def import_drop_stages(
    cur: Connection, tables: Sequence[str], indexes: Sequence[int]
) -> None:
    """Drop staged copies that a materialised ``_import_in_<table>`` replaced."""
    materialised = {
        str(r[0]).removeprefix("_import_in_")
        for r in cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE temporary "
            "AND starts_with(table_name, '_import_in_')"
        ).fetchall()
    }
    if not set(tables) <= materialised:
        return  # views still read the staged rows
    for table in tables:
        cur.execute(f"DROP VIEW IF EXISTS _import_all_{table}")
    for index in indexes:
        cur.execute(f"DROP TABLE IF EXISTS {_import_stage_name(index)}")


def import_drop_inputs(cur: Connection, tables: Sequence[str]) -> None:
    """Drop the parsed inputs once the tables are built (frees memory)."""
    cur.execute("DROP TABLE IF EXISTS _import_bad")
    views = {
        str(r[0])
        for r in cur.execute(
            "SELECT view_name FROM duckdb_views() WHERE temporary "
            "AND starts_with(view_name, '_import_in_')"
        ).fetchall()
    }
    for table in tables:
        if table not in vocabulary.CANONICAL_COLUMNS:
            continue
        name = f"_import_in_{table}"
        cur.execute(f"DROP {'VIEW' if name in views else 'TABLE'} IF EXISTS {name}")
        cur.execute(f"DROP VIEW IF EXISTS _import_all_{table}")
    for (stage,) in cur.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary "
        "AND starts_with(table_name, '_import_stage_')"
    ).fetchall():
        if str(stage).removeprefix("_import_stage_").isdigit():
            cur.execute(f"DROP TABLE IF EXISTS {stage}")
