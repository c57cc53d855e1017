"""What an import says of whole groups of staged rows, per file.

Rows the export marks as deleted or merged into another record, tasks the CRM
holds as not done and list e-mails' tasks on each recipient are left out and
counted; rows whose mapped column was empty and another header filled are
counted by that header; activities left with no date at all are kept and
named, row by row (they count in no 12-month figure). Each reads the union of
a table's stages (:func:`workbench.store.import_union`).
"""

from __future__ import annotations

import polars as pl

from workbench import vocabulary
from workbench.store._base import Connection, _frame
from workbench.store.imports.merges import merged_away, names_a_master
from workbench.store.imports.staging import (
    IMPORT_PROBLEM_ROWS,
    _import_columns,
    filled_from,
)
from workbench.store.imports.task_status import not_done, one_to_many, series


def _per_file() -> pl.DataFrame:
    return pl.DataFrame(schema={"_file": pl.String, "rows": pl.Int64})


def _activities_per_file(cur: Connection, table: str, condition: str) -> pl.DataFrame:
    """Return per file how many staged activity rows meet ``condition`` (alias ``s``)."""
    if table != "activities":
        return _per_file()
    counted: pl.DataFrame = _frame(
        cur.sql(
            f"""
        SELECT _file, count(*)::BIGINT AS rows FROM _import_all_{table} s
        WHERE {condition}
        GROUP BY _file ORDER BY _file
        """
        )
    )
    return counted


def import_not_done_rows(cur: Connection, table: str) -> pl.DataFrame:
    """Return per file how many activities the CRM holds as not done (and so are skipped).

    Rows also marked deleted are counted as deleted only.
    """
    return _activities_per_file(cur, table, f"NOT s._deleted AND {not_done('s')}")


def import_one_to_many_rows(cur: Connection, table: str) -> pl.DataFrame:
    """Return per file how many activities are one message sent to many (skipped).

    A list e-mail's task on each recipient (:func:`.task_status.one_to_many`);
    rows also marked deleted or not done are counted as such only.
    """
    return _activities_per_file(
        cur,
        table,
        f"NOT s._deleted AND NOT {not_done('s')} AND {one_to_many('s')}",
    )


def import_series_rows(cur: Connection, table: str) -> pl.DataFrame:
    """Return per file how many activities are a recurring series' main record (skipped).

    :func:`.task_status.series`; rows also marked deleted, not done or sent to
    many are counted as such only.
    """
    return _activities_per_file(
        cur,
        table,
        f"NOT s._deleted AND NOT {not_done('s')} AND NOT {one_to_many('s')} "
        f"AND {series('s')}",
    )


def _rows_per_file(cur: Connection, table: str, condition: str) -> pl.DataFrame:
    """Return per file how many staged rows of ``table`` meet ``condition`` (alias ``s``)."""
    counted: pl.DataFrame = _frame(
        cur.sql(
            f"""
        SELECT _file, count(*)::BIGINT AS rows FROM _import_all_{table} s
        WHERE {condition} GROUP BY _file ORDER BY _file
        """
        )
    )
    return counted


def import_deleted_rows(cur: Connection, table: str) -> pl.DataFrame:
    """Return per file how many rows were marked deleted (and so are skipped).

    A row merged into another record is counted as merged only
    (:func:`import_merged_rows`): Salesforce marks it deleted too.
    """
    if "is_deleted" not in _import_columns(table):
        return _per_file()
    return _rows_per_file(cur, table, f"s._deleted AND NOT {merged_away(table, 's')}")


def import_merged_rows(cur: Connection, table: str) -> pl.DataFrame:
    """Return per file how many rows were merged into another record (and so are skipped).

    :func:`.merges.merged_away`: accounts and people only.
    """
    if "master_id" not in _import_columns(table):
        return _per_file()
    return _rows_per_file(cur, table, merged_away(table, "s"))


def import_master_missing_rows(cur: Connection, table: str) -> pl.DataFrame:
    """Return per file how many kept rows name a survivor no record of the import or database is.

    A filler in the merge column, or a survivor the export left out: the row
    is kept as a record of its own (:func:`.merges.merged_away`).
    """
    if "master_id" not in _import_columns(table):
        return _per_file()
    return _rows_per_file(
        cur,
        table,
        f"NOT s._deleted AND {names_a_master(table, 's')} "
        f"AND NOT {merged_away(table, 's')}",
    )


def no_filled_rows() -> pl.DataFrame:
    """Return an empty frame in the layout of :func:`import_filled_rows`."""
    return pl.DataFrame(
        schema={
            "_file": pl.String,
            "column": pl.String,
            "filled_from": pl.Int64,
            "rows": pl.Int64,
        }
    )


def import_filled_rows(cur: Connection, table: str) -> pl.DataFrame:
    """Return how many kept rows took a column's value from a fallback header.

    Columns: ``_file``, ``column`` (the workbench column), ``filled_from`` (1
    for the first fallback header, 2 for the second, …) and ``rows``.
    """
    columns = vocabulary.ROW_FALLBACK_COLUMNS.get(table, ())
    if not columns:
        return no_filled_rows()
    arms = " UNION ALL ".join(
        f"SELECT _file, '{column}' AS \"column\", {filled_from(column)}::BIGINT AS filled_from "
        f"FROM _import_in_{table} WHERE {filled_from(column)} > 0"
        for column in columns
    )
    counted: pl.DataFrame = _frame(
        cur.sql(
            f"""
        SELECT _file, "column", filled_from, count(*)::BIGINT AS rows FROM ({arms})
        GROUP BY ALL ORDER BY _file, "column", filled_from
        """
        )
    )
    return counted


def import_undated_rows(cur: Connection) -> pl.DataFrame:
    """Return the kept activities with no date in any header read, capped.

    Columns: ``_file``, ``_row``, ``total``. They are imported, and count in no
    window until a later import dates them.
    """
    frame: pl.DataFrame = _frame(
        cur.sql(
            f"""
        SELECT _file, _row::BIGINT AS _row,
               (count(*) OVER (PARTITION BY _file))::BIGINT AS total
        FROM _import_in_activities WHERE activity_date IS NULL
        QUALIFY row_number() OVER (PARTITION BY _file ORDER BY _row) <= {IMPORT_PROBLEM_ROWS}
        """
        )
    )
    return frame
