"""The primitives under both the schema and the connection module.

The DuckDB connection type, the one writer lock of this process, the clock the
database's timestamps use (and the who-and-when every write records), and a
table-existence check. :mod:`.schema` needs them
to migrate and :mod:`.connection` to open files and write, so they live below both
and neither imports the other's internals. Names starting with ``_`` are private to
the ``workbench.store`` package.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import duckdb

from workbench.domain import Actor
from workbench.errors import RejectedInputError

Connection = duckdb.DuckDBPyConnection
#: What DuckDB raises when a statement needs more memory than it may use; the
#: import turns it into a refusal without naming duckdb outside the store.
OutOfMemoryError = duckdb.OutOfMemoryException

# One writer at a time in this process: DuckDB refuses (rather than waits for) a
# second concurrent write to the same rows, so writers queue here instead.
_WRITE_LOCK = threading.RLock()


def zero_if_missing(alias: str, *columns: str) -> str:
    """Return ``coalesce(alias.column, 0) AS column`` for each column, comma-separated.

    An aggregate LEFT JOINed to every account has no row for an account with
    nothing to count; its counts and sums read zero there, not unknown.
    """
    return ",\n".join(
        f"coalesce({alias}.{column}, 0) AS {column}" for column in columns
    )


def _table_exists(con: Connection, table: str) -> bool:
    rows = con.sql(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = $t",
        params={"t": table},
    ).fetchall()
    return bool(rows[0][0])


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _stamped(actor: Actor, **values: object) -> dict[str, object]:
    """A write's bound parameters with who makes it (``$who``) and when (``$at``)."""
    return {**values, "who": actor.name, "at": _now()}


def _require_account(cur: Connection, account_id: str) -> None:
    """Refuse (inside a write) a decision about an account the database does not hold."""
    known = cur.sql(
        "SELECT count(*) FROM accounts WHERE account_id = $id",
        params={"id": account_id},
    ).fetchall()[0][0]
    if not known:
        raise RejectedInputError(f"no account with ID {account_id!r}")


def _replace_row(cur: Connection, table: str, row: dict[str, object]) -> None:
    """Replace (inside a write) the row of ``table`` keyed by ``row``'s first column.

    ``row`` holds every column in the table's order, the key first; the old row is
    deleted and the new one inserted, so the key keeps one row.
    """
    key = next(iter(row))
    cur.execute(f"DELETE FROM {table} WHERE {key} = $key", {"key": row[key]})
    placeholders = ", ".join(f"${name}" for name in row)
    cur.execute(f"INSERT INTO {table} VALUES ({placeholders})", row)
