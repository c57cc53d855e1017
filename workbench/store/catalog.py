"""The catalog of the database's tables, and whole-database export and import.

Backups (:mod:`workbench.backup`, which holds no SQL) call :func:`export_database`
and :func:`import_database_file`. The catalog reads see every table of the file,
not only the allow-listed ones: the backup manifest counts their rows and tests
compare whole databases with them.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl

from workbench.store._base import _WRITE_LOCK, Connection
from workbench.store.connection import _sql_text_literal
from workbench.store.schema import migrate


def catalog_tables(con: Connection) -> list[str]:
    """Return every table in the database's main schema, by name."""
    with con.cursor() as cur:
        rows = cur.sql(
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
        frame: pl.DataFrame = cur.sql(f"SELECT * FROM {name} ORDER BY ALL").pl()
    return frame


def catalog_columns(con: Connection, table: str) -> list[tuple[str, str]]:
    """Return a catalog table's (column, type) pairs in order."""
    _catalog_table(con, table)
    with con.cursor() as cur:
        rows = cur.sql(
            """
            SELECT column_name, data_type FROM duckdb_columns()
            WHERE database_name = current_database() AND schema_name = 'main'
              AND table_name = $t
            ORDER BY column_index
            """,
            params={"t": table},
        ).fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


def catalog_row_counts(con: Connection) -> dict[str, int]:
    """Return the number of rows in every table of the database."""
    counts: dict[str, int] = {}
    with con.cursor() as cur:
        for table in catalog_tables(con):
            name = '"' + table.replace('"', '""') + '"'
            counts[table] = int(
                cur.sql(f"SELECT count(*) FROM {name}").fetchall()[0][0]
            )
    return counts


def export_database(con: Connection, directory: str | os.PathLike[str]) -> None:
    """Write the whole database (schema and every table as Parquet) to a directory.

    Holds the writer lock, so no write of this process interleaves: the copy is
    one consistent state.
    """
    target = _sql_text_literal(str(Path(directory).resolve()))
    with _WRITE_LOCK, con.cursor() as cur:
        cur.execute(f"EXPORT DATABASE {target} (FORMAT parquet)")


def import_database_file(
    directory: str | os.PathLike[str], target: str | os.PathLike[str]
) -> None:
    """Create a new database file from an exported directory, then migrate it.

    The file must not exist yet: DuckDB imports only into an empty database.
    Migrations run afterwards, so a backup of an older schema comes back current.
    """
    target_path = Path(target)
    if target_path.exists():
        raise FileExistsError(f"{target_path} already exists")
    source = _sql_text_literal(str(Path(directory).resolve()))
    con = duckdb.connect(str(target_path))
    try:
        con.execute(f"IMPORT DATABASE {source}")
        migrate(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
