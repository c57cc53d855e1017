"""Opening database files, the serialised writer, and allow-listed generic access.

:func:`connect` opens (creating if needed) a file and migrates it, waiting with
bounded backoff while another process holds it; :func:`unit_of_work` holds it for
one ``with`` block only, and :func:`file_data_version` tells whether it changed
without holding it;
:func:`write_transaction` runs a body as the only writer of this process, in one
DuckDB transaction, rolls back on any error and bumps ``data_version`` (and,
unless it changes no fact, the facts version: :mod:`.versions`) so cached
analytics know the data changed. Also here: workbench settings (meta), reads and
writes of whole tables whose names come from the allow-list in :mod:`.schema`, and
the small helpers every other store module shares.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from workbench.errors import DatabaseBusyError
from workbench.store._base import _WRITE_LOCK, Connection, _frame, _now, _registered
from workbench.store.file_turns import file_turn
from workbench.store.migrations import migrate
from workbench.store.tables import DATA_TABLES, list_tables_static
from workbench.store.versions import (
    Versions,
    bump_versions,
    versions,
)

_LOG = logging.getLogger("workbench.store")

DEFAULT_DB_PATH = Path("data") / "workbench.duckdb"
DB_ENV_VAR = "WORKBENCH_DB"
LOCK_TIMEOUT_ENV_VAR = "WORKBENCH_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 30.0
_FIRST_RETRY_DELAY = 0.01
_LAST_RETRY_DELAY = 0.5


def resolve_db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Return the database path: the argument, else ``$WORKBENCH_DB``, else the default."""
    if path:
        return Path(path)
    env_path = os.environ.get(DB_ENV_VAR)
    if env_path:
        return Path(env_path)
    return DEFAULT_DB_PATH


def lock_timeout() -> float:
    """Return how long an open waits for another process's lock, in seconds.

    ``$WORKBENCH_LOCK_TIMEOUT`` sets it (default 30); ``0`` means try once.
    """
    raw = os.environ.get(LOCK_TIMEOUT_ENV_VAR, "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(
            f"{LOCK_TIMEOUT_ENV_VAR} must be a number of seconds, not {raw!r}"
        ) from None
    return max(seconds, 0.0)


def _is_lock_conflict(error: duckdb.Error) -> bool:
    # DuckDB says "Could not set lock on file …: Conflicting lock is held in …"
    # when another process has the file open; every other IO error is final.
    text = str(error)
    return "Conflicting lock" in text or "Could not set lock" in text


def _open_waiting(db_path: str, read_only: bool, timeout: float) -> Connection:
    """Open the file, retrying a lock conflict with bounded exponential backoff.

    Each try is made in this process's turn at the file (:mod:`.file_turns`).
    """
    deadline = time.monotonic() + timeout
    delay = _FIRST_RETRY_DELAY
    while True:
        try:
            with file_turn(db_path, max(deadline - time.monotonic(), 0.0)):
                return duckdb.connect(db_path, read_only=read_only)
        except duckdb.IOException as error:
            left = deadline - time.monotonic()
            if not _is_lock_conflict(error) or left <= 0:
                waited = f" after waiting {timeout:g} s" if timeout > 0 else ""
                raise DatabaseBusyError(
                    f"cannot open the database {db_path}{waited} ({error}). Another "
                    "process (a long import, a notebook holding the file) is using "
                    f"it: try again when it is done, or raise {LOCK_TIMEOUT_ENV_VAR}."
                ) from error
            # Jitter spreads the retries of many waiting processes apart.
            time.sleep(min(left, delay * (0.5 + random.random())))
            delay = min(delay * 2, _LAST_RETRY_DELAY)


def connect(
    path: str | os.PathLike[str] | None = None,
    *,
    read_only: bool = False,
    timeout: float | None = None,
) -> Connection:
    """Open (creating if needed) the database file and bring its schema up to date.

    DuckDB lets one process open a file at a time; when another has it, this
    waits and retries (bounded exponential backoff) for up to ``timeout`` seconds
    (default :func:`lock_timeout`), so commands queue instead of failing.
    ``":memory:"`` gives a private in-memory database, handy in tests and notebooks.

    Raises:
        DatabaseBusyError: the file stayed locked for the whole timeout, or
            cannot be opened at all.
    """
    db_path = str(path) if str(path) == ":memory:" else str(resolve_db_path(path))
    if db_path != ":memory:":
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    con = _open_waiting(
        db_path, read_only, lock_timeout() if timeout is None else timeout
    )
    if not read_only:
        try:
            migrate(con)
        except BaseException:
            close(con)
            raise
    return con


@contextmanager
def unit_of_work(
    path: str | os.PathLike[str] | None = None, *, timeout: float | None = None
) -> Iterator[Connection]:
    """Open the database for one unit of work and close it afterwards.

    The file is held only inside the ``with`` block, so other processes (the app,
    a nightly import, a backup) take turns instead of failing: see :func:`connect`
    for the waiting. Writes inside still go through :func:`write_transaction`.
    """
    con = connect(path, timeout=timeout)
    try:
        yield con
    finally:
        close(con)


def close(con: Connection) -> None:
    """Close a connection in this process's turn at its file (:mod:`.file_turns`).

    Prefer it to ``con.close()`` for a file: a close and another process's open
    at the same moment can lose a commit. When the turn cannot be had within
    :func:`lock_timeout`, the connection is closed anyway (holding it open would
    keep every other process out) and a warning is logged.
    """
    try:
        db_path = database_path(con)
    except duckdb.Error:
        con.close()  # already closed, or unusable: nothing to hand over
        return
    try:
        with file_turn(db_path, lock_timeout()):
            con.close()
            return
    except DatabaseBusyError as error:
        _LOG.warning("closing without a turn: %s", error)
    con.close()


def file_state(path: str | os.PathLike[str]) -> tuple[int, ...]:
    """Return a cheap fingerprint of a database file (size and time, with its log).

    Any committed write changes it (the write-ahead log grows, or a checkpoint
    rewrites the file); reading does not. It needs no lock, so the app can check
    it at every rerun while another process holds the file.
    """
    # plain strings and os.stat: the app checks it about twenty times a rerun,
    # and two Path objects per check cost three times the two stats
    name = os.fspath(path)
    state: list[int] = []
    for part in (name, f"{name}.wal"):
        try:
            found = os.stat(part)
        except FileNotFoundError:
            state.extend((0, -1))
            continue
        state.extend((found.st_mtime_ns, found.st_size))
    return tuple(state)


_VERSION_SEEN: dict[str, tuple[tuple[int, ...], Versions]] = {}
_VERSION_SEEN_LOCK = threading.Lock()


def file_data_version(
    path: str | os.PathLike[str], *, timeout: float = 2.0, resolved: bool = False
) -> int:
    """Return the data version of a database file without holding it open.

    The version is read in a short open only when :func:`file_state` changed since
    the last read in this process. When another process holds the file longer
    than ``timeout`` seconds, the last version read is returned (a page keeps
    showing what it showed); with none read yet, :class:`DatabaseBusyError`.
    ``resolved``: ``path`` is already absolute with its links resolved (the app
    asks a dozen times a rerun; resolving walks every folder of the path).
    """
    return file_versions(path, timeout=timeout, resolved=resolved).data


def file_versions(
    path: str | os.PathLike[str],
    *,
    timeout: float = 2.0,
    resolved: bool = False,
    opened: Callable[[float], Connection] | None = None,
) -> Versions:
    """Return the :class:`~.versions.Versions` of a file, as :func:`file_data_version` does.

    ``opened``: where the versions are to be read, when they must be, on a
    connection the caller holds open for more (given the timeout; not closed
    here): the app's screen that reads the file after a write opens it once
    for both, not once for the versions and again for its reads.
    """
    key = str(path) if resolved else str(Path(path).resolve())
    state = file_state(key)
    with _VERSION_SEEN_LOCK:
        seen = _VERSION_SEEN.get(key)
    if seen is not None and seen[0] == state:
        return seen[1]
    try:
        if opened is not None:
            found = versions(opened(timeout))
        else:
            with unit_of_work(key, timeout=timeout) as con:
                found = versions(con)
    except DatabaseBusyError:
        if seen is None:
            raise
        return seen[1]
    # The state read before the open: a write during the read is seen next time.
    with _VERSION_SEEN_LOCK:
        _VERSION_SEEN[key] = (state, found)
    return found


def database_path(con: Connection) -> str:
    """Return the file behind a connection (``:memory:`` for an in-memory one)."""
    # a cursor of its own: the connection may hold a result not yet fetched
    with con.cursor() as cur:
        rows = cur.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchall()
    found = rows[0][0] if rows else None
    return str(found) if found else ":memory:"


# --- transactions and the data version -------------------------------------------


@contextmanager
def write_transaction(con: Connection, *, facts: bool = True) -> Iterator[Connection]:
    """Run the body as the only writer, in one transaction, and bump the data version.

    Yields a cursor of ``con``; use it for every statement in the body. Any exception
    rolls everything back, so the database is exactly as it was before.
    ``facts``: whether the body may change facts (the default); a body that
    writes only :data:`~.versions.DECISION_TABLES` passes ``False``, and the
    reads cached under the facts version are kept (see :mod:`.versions`).
    """
    with _WRITE_LOCK:
        cur = con.cursor()
        try:
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
                bump_versions(cur, facts=facts)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        finally:
            cur.close()


def data_version(con: Connection) -> int:
    """Return a number that grows at every committed write; cache keys use it."""
    return versions(con).data


def facts_version(con: Connection) -> int:
    """Return the data version the facts last changed at (see :mod:`.versions`)."""
    return versions(con).facts


def get_meta(con: Connection, key: str) -> str | None:
    """Return one workbench setting (``None`` when unset)."""
    return scalar_text(
        con, "SELECT value FROM workbench_meta WHERE key = $k", {"k": key}
    )


def scalar_text(con: Connection, sql: str, params: dict[str, object]) -> str | None:
    """Return the first column of a query's first row as text (``None``: no row)."""
    with con.cursor() as cur:
        rows = cur.execute(sql, parameters=params).fetchall()
    return str(rows[0][0]) if rows else None


def set_meta(cur: Connection, key: str, value: str) -> None:
    """Set one workbench setting inside a write transaction."""
    cur.execute(
        """
        INSERT INTO workbench_meta VALUES ($k, $v)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value
        """,
        {"k": key, "v": value},
    )


# --- generic helpers (table names from the allow-lists only) ---------------------


def _checked_table(table: str) -> str:
    known = {*DATA_TABLES, *(t for t in list_tables_static())}
    if table not in known:
        raise ValueError(f"unknown table {table!r}")
    return table


def table_columns(con: Connection, table: str) -> list[str]:
    """Return a table's column names in order."""
    with con.cursor() as cur:
        rows = cur.execute(
            """
            SELECT column_name FROM information_schema.columns
            WHERE table_name = $t ORDER BY ordinal_position
            """,
            parameters={"t": _checked_table(table)},
        ).fetchall()
    return [str(r[0]) for r in rows]


def table_counts(con: Connection) -> dict[str, int]:
    """Return the number of rows in every CRM data table."""
    counts: dict[str, int] = {}
    with con.cursor() as cur:
        for table in DATA_TABLES:
            counts[table] = int(
                cur.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
            )
    return counts


def read_table(
    con: Connection, table: str, *, order_by_key: bool = True
) -> pl.DataFrame:
    """Return a whole table (from the allow-list) as a polars frame."""
    name = _checked_table(table)
    order = ""
    if order_by_key:
        columns = table_columns(con, name)
        order = " ORDER BY ALL" if columns else ""
    with con.cursor() as cur:
        frame: pl.DataFrame = _frame(cur.sql(f"SELECT * FROM {name}{order}"))
    return frame


#: Tables whose ID no key index holds (activities since migration 8, people and
#: deals since 17), with that ID: what writes them keeps it unique instead (the
#: import's checks, :func:`insert_frame`).
UNINDEXED_KEYS: dict[str, str] = {
    "contacts": "contact_id",
    "opportunities": "opportunity_id",
    "activities": "activity_id",
}


def insert_frame(cur: Connection, table: str, frame: pl.DataFrame) -> int:
    """Append a frame's rows to a table by column name; returns rows inserted.

    Raises:
        ValueError: a column the table lacks, or an ID (of a table no key index
            guards) held twice in the frame or already stored; nothing is
            inserted.
    """
    name = _checked_table(table)
    columns = table_columns(cur, name)
    unknown = [c for c in frame.columns if c not in columns]
    if unknown:
        raise ValueError(f"{name}: unknown columns {unknown}")
    if frame.height == 0:
        return 0
    column_list = ", ".join(f'"{c}"' for c in frame.columns)
    with _registered(cur, "_incoming_rows", frame):
        key = UNINDEXED_KEYS.get(name)
        if key is not None and key in frame.columns:
            # the refusal a key index gave before these tables lost theirs
            doubled = cur.execute(
                f"""
                SELECT k FROM (
                    SELECT {key} AS k FROM _incoming_rows
                    UNION ALL
                    SELECT {key} FROM {name} WHERE {key} IN (
                        SELECT {key} FROM _incoming_rows)
                ) WHERE k IS NOT NULL GROUP BY k HAVING count(*) > 1 ORDER BY k LIMIT 3
                """
            ).fetchall()
            if doubled:
                shown = ", ".join(repr(row[0]) for row in doubled)
                raise ValueError(f"{name}: {key} held twice: {shown}")
        cur.execute(
            f"INSERT INTO {name} ({column_list}) SELECT {column_list} FROM _incoming_rows"
        )
    return frame.height


# --- helpers every store module shares ---------------------------------------------


def query_frame(
    con: Connection, sql: str, params: dict[str, Any] | Sequence[Any] | None = None
) -> pl.DataFrame:
    """Run one of the store's statements and return a polars frame.

    Private to the library: callers outside ``store`` use the named functions.
    """
    with con.cursor() as cur:
        frame: pl.DataFrame = _frame(cur.sql(sql, params=params))
    return finite_or_null(frame)


def finite_or_null(frame: pl.DataFrame) -> pl.DataFrame:
    """Return the frame with NaN and infinities in float columns read as NULL.

    Imports refuse non-finite numbers, but a file written by an older version
    may hold them (or a sum over them); every read treats them as unknown, so
    the analytics and polars casts downstream never meet them.
    """
    floats = [c for c, t in frame.schema.items() if t.is_float()]
    if not floats:
        return frame
    return frame.with_columns(
        pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c) for c in floats
    )


def record_json(value: Any) -> str:
    """Serialise a value for a JSON text column (dates as ISO strings)."""
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def now_utc() -> datetime:
    """Return the current time in UTC without a zone, as the database stores it."""
    return _now()


def run_in_write(con: Connection, body: Callable[[Connection], Any]) -> Any:
    """Run ``body(cursor)`` inside :func:`write_transaction` and return its result."""
    with write_transaction(con) as cur:
        return body(cur)


# --- SQL text, fingerprints and settings ------------------------------------------


def _sql_text_literal(text: str) -> str:
    # EXPORT/IMPORT DATABASE take no bound parameters, so the one value they need,
    # a directory path, is quoted here: single quotes doubled, NUL refused.
    if "\x00" in text:
        raise ValueError("a path cannot contain a NUL character")
    return "'" + text.replace("'", "''") + "'"


def database_fingerprint(con: Connection) -> dict[str, Any]:
    """Return every CRM table's row count and content hash (tests compare them)."""
    result: dict[str, Any] = {}
    with con.cursor() as cur:
        for table in (
            *DATA_TABLES,
            "contact_edits",
            "import_undo_rows",
            "column_mappings",
        ):
            rows = cur.execute(
                f"SELECT count(*), coalesce(sum(hash(to_json(t)::VARCHAR)), 0)::VARCHAR FROM {table} t"
            ).fetchall()
            result[table] = (int(rows[0][0]), str(rows[0][1]))
    return result


def set_memory_limit(con: Connection, limit: str) -> str:
    """Set DuckDB's memory limit (e.g. ``"1GB"``) and return the previous one.

    Large imports lower it so that DuckDB spills to disk instead of growing; the
    caller restores the previous value afterwards.
    """
    # The value goes into SQL text (SET takes no parameters): only sizes pass.
    compact = limit.replace(" ", "")
    number = compact.rstrip("KMGTiB")
    unit = compact[len(number) :]
    units = {"B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB"}
    if not number.replace(".", "", 1).isdigit() or unit not in units:
        raise ValueError(f"not a memory size: {limit!r}")
    limit = number + unit
    with con.cursor() as cur:
        previous = str(
            cur.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        )
        cur.execute(f"SET memory_limit = '{limit}'")
    return previous
