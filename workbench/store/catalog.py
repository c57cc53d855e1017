"""The catalog of the database's tables, and whole-database export and import.

Backups (:mod:`workbench.backup`, which holds no SQL) call :func:`export_tables`
and :func:`build_database_from_tables`: a restore builds its schema from the
workbench's own migrations and loads rows as data, never running SQL text from a
backup folder. The catalog reads see every table of the file,
not only the allow-listed ones: the backup manifest counts their rows and tests
compare whole databases with them.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from workbench.store._base import _WRITE_LOCK, Connection, _frame
from workbench.store.connection import _sql_text_literal
from workbench.store.migrations import migrate

if TYPE_CHECKING:
    import pyarrow as pa


def catalog_tables(con: Connection) -> list[str]:
    """Return every table in the database's main schema, by name."""
    with con.cursor() as cur:
        rows = cur.execute(
            """
            SELECT table_name FROM duckdb_tables()
            WHERE database_name = current_database() AND schema_name = 'main'
            ORDER BY table_name
            """
        ).fetchall()
    return [str(r[0]) for r in rows]


def _catalog_table(con: Connection, table: str) -> str:
    # The name must be one the database itself lists: never text from a person.
    if table not in catalog_tables(con):
        raise ValueError(f"unknown table {table!r}")
    return '"' + table.replace('"', '""') + '"'


def read_catalog_table(con: Connection, table: str) -> pl.DataFrame:
    """Return every row of a table the catalog lists, in a stable order (ORDER BY ALL)."""
    name = _catalog_table(con, table)
    with con.cursor() as cur:
        frame: pl.DataFrame = _frame(cur.sql(f"SELECT * FROM {name} ORDER BY ALL"))
    return frame


def catalog_columns(con: Connection, table: str) -> list[tuple[str, str]]:
    """Return a catalog table's (column, type) pairs in order."""
    _catalog_table(con, table)
    with con.cursor() as cur:
        rows = cur.execute(
            """
            SELECT column_name, data_type FROM duckdb_columns()
            WHERE database_name = current_database() AND schema_name = 'main'
              AND table_name = $t
            ORDER BY column_index
            """,
            parameters={"t": table},
        ).fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


def catalog_row_counts(con: Connection) -> dict[str, int]:
    """Return the number of rows in every table of the database."""
    counts: dict[str, int] = {}
    with con.cursor() as cur:
        for table in catalog_tables(con):
            name = '"' + table.replace('"', '""') + '"'
            counts[table] = int(
                cur.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
            )
    return counts


def export_database(con: Connection, directory: str | os.PathLike[str]) -> None:
    """Write the database in the previous backup format (DuckDB's EXPORT DATABASE).

    Backups no longer use it (see :func:`export_tables`); tests use it to make the
    folders older versions wrote, which restores still accept as data.
    """
    target = _sql_text_literal(str(Path(directory).resolve()))
    with _WRITE_LOCK, con.cursor() as cur:
        cur.execute(f"EXPORT DATABASE {target} (FORMAT parquet)")


def tables_at_version(version: int) -> dict[str, list[str]]:
    """Return the tables (and their columns) the migrations create up to ``version``.

    Built in a private in-memory database: nothing is written anywhere.
    """
    con = duckdb.connect(":memory:")
    try:
        migrate(con, target=version)
        return {
            table: [column for column, _ in catalog_columns(con, table)]
            for table in catalog_tables(con)
        }
    finally:
        con.close()


def export_tables(
    con: Connection, directory: str | os.PathLike[str], tables: list[str]
) -> dict[str, int]:
    """Write each table to ``<directory>/<table>.parquet``; return rows per table.

    One read transaction under this process's writer lock, so the files are one
    consistent state. Table names must be ones the database lists.
    """
    folder = Path(directory).resolve()
    counts: dict[str, int] = {}
    with _WRITE_LOCK, con.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            for table in tables:
                name = _catalog_table(cur, table)
                target = _sql_text_literal(str(folder / f"{table}.parquet"))
                cur.execute(f"COPY (SELECT * FROM {name}) TO {target} (FORMAT parquet)")
                counts[table] = int(
                    cur.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
                )
        finally:
            cur.execute("COMMIT")
    return counts


def read_backup_table(data: bytes, kind: str) -> pa.Table:
    """Parse one backup file's bytes (``parquet``, or ``csv`` from old exports).

    The bytes are the ones whose checksum was verified, so what is checked is what
    is loaded. A CSV's values stay text; the insert converts them to the column
    types. Raises ``ValueError`` when the bytes are not a readable file.
    """
    # pyarrow is loaded here, not with the store: a command that imports files
    # does not need it, and it holds about 40 MB of the process's memory.
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        if kind == "parquet":
            return pq.read_table(pa.BufferReader(data))
        if kind == "csv":
            frame = pl.read_csv(io.BytesIO(data), infer_schema=False)
            return frame.to_arrow()
    except (pa.ArrowException, pl.exceptions.PolarsError, OSError) as error:
        raise ValueError(f"not a readable {kind} file ({error})") from error
    raise ValueError(f"unknown backup file kind {kind!r}")


def build_database_from_tables(
    target: str | os.PathLike[str], version: int, tables: dict[str, pa.Table]
) -> dict[str, int]:
    """Create a new database file from data: schema from the migrations, rows given.

    The file is created with the workbench's own migrations up to ``version`` (the
    backup's), each table's rows replace what the migrations seeded, inserted by
    an explicit column list, and then the remaining migrations bring it up to
    date. No SQL text comes from outside. Returns the rows per table as loaded,
    before the remaining migrations.

    Raises:
        FileExistsError: ``target`` exists.
        ValueError: a table or column is not the schema's at ``version``, or a
            value does not fit its column.
    """
    target_path = Path(target)
    if target_path.exists():
        raise FileExistsError(f"{target_path} already exists")
    con = duckdb.connect(str(target_path))
    try:
        migrate(con, target=version)
        try:
            counts = _load_tables(con, tables)
        except duckdb.Error as error:
            raise ValueError(f"a value does not fit its table ({error})") from error
        migrate(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return counts


def _check_versions(cur: Connection, rows: pa.Table) -> None:
    # The backup's migration history must be exactly the one just applied: its
    # rows (with their dates) replace the new ones, and nothing else may differ.
    applied = {
        int(r[0]) for r in cur.execute("SELECT version FROM schema_version").fetchall()
    }
    recorded = {int(v) for v in rows.column("version").to_pylist() if v is not None}
    if recorded != applied or rows.num_rows != len(applied):
        raise ValueError(
            "schema_version: the migration history differs from the schema's"
        )


def _load_tables(con: Connection, tables: dict[str, pa.Table]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with _WRITE_LOCK, con.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            for table, rows in tables.items():
                name = _catalog_table(cur, table)
                columns = [column for column, _ in catalog_columns(cur, table)]
                if sorted(rows.column_names) != sorted(columns):
                    raise ValueError(f"{table}: the columns differ from the schema's")
                if table == "schema_version":
                    _check_versions(cur, rows)
                column_list = ", ".join(
                    '"' + c.replace('"', '""') + '"' for c in columns
                )
                cur.execute(f"DELETE FROM {name}")
                cur.register("_backup_rows", rows)
                try:
                    cur.execute(
                        f"INSERT INTO {name} ({column_list}) "
                        f"SELECT {column_list} FROM _backup_rows"
                    )
                finally:
                    cur.unregister("_backup_rows")
                counts[table] = int(
                    cur.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
                )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
    return counts
