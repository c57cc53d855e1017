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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl

from workbench.domain import PLAUSIBLE_DAYS, Actor
from workbench.errors import RejectedInputError

Connection = duckdb.DuckDBPyConnection
#: What DuckDB raises when a statement needs more memory than it may use; the
#: import turns it into a refusal without naming duckdb outside the store.
OutOfMemoryError = duckdb.OutOfMemoryException

# One writer at a time in this process: DuckDB refuses (rather than waits for) a
# second concurrent write to the same rows, so writers queue here instead.
_WRITE_LOCK = threading.RLock()


#: :data:`workbench.domain.PLAUSIBLE_DAYS` as SQL literals (constants, not input):
#: a date from the first on and before the second is one a CRM means.
PLAUSIBLE_FIRST_DAY, PLAUSIBLE_END_DAY = (
    f"DATE '{day.isoformat()}'" for day in PLAUSIBLE_DAYS
)


#: The ``workbench_meta`` key of the day (UTC) of the latest committed import.
LAST_IMPORT_DAY_KEY = "last_import_day"


def plausible(column: str) -> str:
    """Return the SQL condition of a date a CRM means (NULL: no date, false)."""
    return f"({column} >= {PLAUSIBLE_FIRST_DAY} AND {column} < {PLAUSIBLE_END_DAY})"


def zero_if_missing(alias: str, *columns: str) -> str:
    """Return ``coalesce(alias.column, 0) AS column`` for each column, comma-separated.

    An aggregate LEFT JOINed to every account has no row for an account with
    nothing to count; its counts and sums read zero there, not unknown.
    """
    return ",\n".join(
        f"coalesce({alias}.{column}, 0) AS {column}" for column in columns
    )


def _table_exists(con: Connection, table: str) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = $t",
        parameters={"t": table},
    ).fetchall()
    return bool(rows[0][0])


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _stamped(actor: Actor, **values: object) -> dict[str, object]:
    """A write's bound parameters with who makes it (``$who``) and when (``$at``)."""
    return {**values, "who": actor.name, "at": _now()}


def _require_account(cur: Connection, account_id: str) -> None:
    """Refuse (inside a write) a decision about an account the database does not hold."""
    known = cur.execute(
        "SELECT count(*) FROM accounts WHERE account_id = $id",
        parameters={"id": account_id},
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


def _frame(relation: duckdb.DuckDBPyRelation) -> pl.DataFrame:
    """Return a relation's rows as a polars frame, read by the Arrow C stream interface.

    The same frame as ``relation.pl()`` (tested for every type the store
    returns), which converts with pyarrow: a process that only imports or
    answers the command line then loads no pyarrow (about 60 ms and some forty
    megabytes). What that stream does not carry as ``relation.pl()`` does
    goes through pyarrow as before: names given twice (``.pl()`` suffixes them
    ``_1``, ``_2``; the stream refuses them), and an interval (polars reads
    none: from the stream it panics, by ``.pl()`` it raises an error).
    """
    columns = relation.columns
    if len(set(columns)) != len(columns) or any(
        "INTERVAL" in str(column_type) for column_type in relation.types
    ):
        read: pl.DataFrame = relation.pl()
        return read
    return pl.DataFrame(relation)


class _ArrowStream:
    """A polars frame offered to DuckDB by the Arrow C stream interface alone.

    DuckDB reads a polars frame by converting it with pyarrow, which a process
    that only imports then loads for that (see :func:`_frame`). An object with
    nothing but ``__arrow_c_stream__`` is read through that interface instead,
    by polars' own export; each scan asks for a new stream, so a view may be
    read twice.
    """

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> Any:
        return self.frame.__arrow_c_stream__(requested_schema)


def _holds_null_type(dtype: Any) -> bool:
    # polars' Null type crosses the C stream without the validity bitmap DuckDB
    # asks for (DuckDB refuses the batch); pyarrow's conversion gives one
    inner = getattr(dtype, "inner", None)
    fields = getattr(dtype, "fields", None) or ()
    return (
        str(dtype) == "Null"
        or (inner is not None and _holds_null_type(inner))
        or any(_holds_null_type(f.dtype) for f in fields)
    )


@contextmanager
def _registered(cur: Connection, name: str, frame: pl.DataFrame) -> Iterator[None]:
    """Let the body's statements read ``frame`` as the view ``name``, then drop it.

    Read by the Arrow C stream interface (:class:`_ArrowStream`); a frame with a
    column of polars' Null type goes through pyarrow, as DuckDB reads it only so.
    """
    source: object = (
        frame.to_arrow()
        if any(_holds_null_type(dtype) for dtype in frame.schema.values())
        else _ArrowStream(frame)
    )
    cur.register(name, source)
    try:
        yield
    finally:
        cur.unregister(name)
