"""The DuckDB database file: schema, migrations, and every SQL statement.

This is the only module that imports ``duckdb``. Everything else asks it for polars
frames through named functions. Values always travel as bound parameters; table and
column names come from the allow-lists below, never from user input.

Writes go through :func:`write_transaction`, which serialises writers in this
process (one lock), runs the body in one DuckDB transaction, rolls back on any
error and bumps ``data_version`` so cached analytics know the data changed.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from workbench.errors import DatabaseBusyError

DEFAULT_DB_PATH = Path("data") / "workbench.duckdb"
DB_ENV_VAR = "WORKBENCH_DB"

#: Vocabularies, kept as separate axes (docs/schema.md explains each value).
BUYING_ROLES: tuple[str, ...] = (
    "initiator",
    "user",
    "influencer",
    "buyer",
    "decider",
    "gatekeeper",
    "approver",
)
ATTITUDES: tuple[str, ...] = ("champion", "supporter", "neutral", "skeptic", "blocker")
INFLUENCE_RANGE: tuple[int, int] = (1, 5)
ACTIVITY_KINDS: tuple[str, ...] = (
    "call",
    "email",
    "meeting",
    "visit",
    "demo",
    "workshop",
    "joint_planning",
    "support",
    "quote",
    "task",
    "event",
    "note",
)

Connection = duckdb.DuckDBPyConnection

# One writer at a time in this process: DuckDB refuses (rather than waits for) a
# second concurrent write to the same rows, so writers queue here instead.
_WRITE_LOCK = threading.RLock()


@dataclass(frozen=True)
class Migration:
    """One ordered step of the schema; applied once, recorded in schema_version."""

    version: int
    description: str
    statements: tuple[str, ...]


_CORE_TABLES = (
    """
    CREATE TABLE IF NOT EXISTS sellers (
        seller_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        team VARCHAR,
        title VARCHAR
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS accounts (
        account_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        industry VARCHAR,
        region VARCHAR,
        country VARCHAR,
        annual_revenue DOUBLE,
        employees BIGINT,
        parent_account_id VARCHAR,
        owner_seller_id VARCHAR,
        wallet_estimate DOUBLE,
        gross_margin_pct DOUBLE,
        created_on DATE,
        source VARCHAR,
        source_id VARCHAR
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS contacts (
        contact_id VARCHAR PRIMARY KEY,
        account_id VARCHAR NOT NULL,
        name VARCHAR,
        title VARCHAR,
        department VARCHAR,
        reports_to_id VARCHAR,
        buying_role VARCHAR,
        influence TINYINT,
        attitude VARCHAR,
        email VARCHAR,
        phone VARCHAR,
        source VARCHAR,
        source_id VARCHAR
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS opportunities (
        opportunity_id VARCHAR PRIMARY KEY,
        account_id VARCHAR NOT NULL,
        name VARCHAR,
        stage VARCHAR,
        amount DOUBLE,
        close_date DATE,
        is_closed BOOLEAN,
        is_won BOOLEAN,
        owner_seller_id VARCHAR
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS opportunity_contacts (
        opportunity_id VARCHAR NOT NULL,
        contact_id VARCHAR NOT NULL,
        role VARCHAR,
        is_primary BOOLEAN
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS activities (
        activity_id VARCHAR PRIMARY KEY,
        account_id VARCHAR,
        contact_id VARCHAR,
        seller_id VARCHAR,
        kind VARCHAR,
        activity_date DATE,
        duration_minutes DOUBLE,
        subject VARCHAR
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS nps_responses (
        response_id VARCHAR PRIMARY KEY,
        account_id VARCHAR,
        contact_id VARCHAR,
        responded_on DATE,
        score TINYINT,
        comment VARCHAR
    )
    """,
)

_WORKBENCH_TABLES = (
    # Provenance on every imported table, so re-imports update by source ID.
    "ALTER TABLE sellers ADD COLUMN IF NOT EXISTS source VARCHAR",
    "ALTER TABLE sellers ADD COLUMN IF NOT EXISTS source_id VARCHAR",
    "ALTER TABLE sellers ADD COLUMN IF NOT EXISTS email VARCHAR",
    "ALTER TABLE opportunities ADD COLUMN IF NOT EXISTS created_on DATE",
    "ALTER TABLE opportunities ADD COLUMN IF NOT EXISTS source VARCHAR",
    "ALTER TABLE opportunities ADD COLUMN IF NOT EXISTS source_id VARCHAR",
    "ALTER TABLE activities ADD COLUMN IF NOT EXISTS source VARCHAR",
    "ALTER TABLE activities ADD COLUMN IF NOT EXISTS source_id VARCHAR",
    "ALTER TABLE nps_responses ADD COLUMN IF NOT EXISTS source VARCHAR",
    "ALTER TABLE nps_responses ADD COLUMN IF NOT EXISTS source_id VARCHAR",
    # Signals for the relationship score and cost-to-serve.
    "ALTER TABLE accounts ADD COLUMN IF NOT EXISTS contract_type VARCHAR",
    "ALTER TABLE accounts ADD COLUMN IF NOT EXISTS direct_cost_annual DOUBLE",
    """
    CREATE TABLE IF NOT EXISTS contact_influences (
        from_contact_id VARCHAR NOT NULL,
        to_contact_id VARCHAR NOT NULL,
        strength TINYINT,
        source VARCHAR
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS contact_edits (
        edit_id BIGINT PRIMARY KEY,
        contact_id VARCHAR NOT NULL,
        field VARCHAR NOT NULL,
        old_value VARCHAR,
        new_value VARCHAR,
        edited_by VARCHAR,
        edited_at TIMESTAMP NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS import_runs (
        run_id BIGINT PRIMARY KEY,
        started_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP,
        source VARCHAR,
        status VARCHAR NOT NULL,
        files VARCHAR,
        counts VARCHAR,
        problems VARCHAR,
        user_name VARCHAR
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS column_mappings (
        header_signature VARCHAR PRIMARY KEY,
        target_table VARCHAR NOT NULL,
        mapping VARCHAR NOT NULL,
        saved_by VARCHAR,
        saved_at TIMESTAMP NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS relationship_overrides (
        account_id VARCHAR PRIMARY KEY,
        relationship VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        set_by VARCHAR,
        set_at TIMESTAMP NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS segment_scenarios (
        name VARCHAR PRIMARY KEY,
        thresholds VARCHAR NOT NULL,
        saved_by VARCHAR,
        saved_at TIMESTAMP NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS account_plans (
        account_id VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        content VARCHAR NOT NULL,
        saved_by VARCHAR,
        saved_at TIMESTAMP NOT NULL,
        PRIMARY KEY (account_id, version)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS workbench_meta (
        key VARCHAR PRIMARY KEY,
        value VARCHAR
    )
    """,
)

#: Ordered migrations. Append new ones; never edit one that has shipped.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "core CRM tables", _CORE_TABLES),
    Migration(
        2,
        "workbench tables: provenance, edits, imports, scenarios, plans",
        _WORKBENCH_TABLES,
    ),
)

#: Tables holding CRM data, in the order a full load fills them.
DATA_TABLES: tuple[str, ...] = (
    "sellers",
    "accounts",
    "contacts",
    "contact_influences",
    "opportunities",
    "opportunity_contacts",
    "activities",
    "nps_responses",
)


def resolve_db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Return the database path: the argument, else ``$WORKBENCH_DB``, else the default."""
    if path:
        return Path(path)
    env_path = os.environ.get(DB_ENV_VAR)
    if env_path:
        return Path(env_path)
    return DEFAULT_DB_PATH


def connect(
    path: str | os.PathLike[str] | None = None, *, read_only: bool = False
) -> Connection:
    """Open (creating if needed) the database file and bring its schema up to date.

    ``":memory:"`` gives a private in-memory database, handy in tests and notebooks.
    """
    db_path = str(path) if str(path) == ":memory:" else str(resolve_db_path(path))
    if db_path != ":memory:":
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(db_path, read_only=read_only)
    except duckdb.IOException as error:
        raise DatabaseBusyError(
            f"cannot open the database {db_path} ({error}). If the app or another "
            "command is using this file, stop it or choose another database."
        ) from error
    if not read_only:
        migrate(con)
    return con


def database_path(con: Connection) -> str:
    """Return the file behind a connection (``:memory:`` for an in-memory one)."""
    rows = con.sql(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    found = rows[0][0] if rows else None
    return str(found) if found else ":memory:"


def schema_version(con: Connection) -> int:
    """Return the highest migration applied to this database (0 for a new file)."""
    if not _table_exists(con, "schema_version"):
        return 0
    row = con.sql("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()
    return int(row[0][0])


def migrate(con: Connection, *, target: int | None = None) -> list[int]:
    """Apply every migration not yet recorded, in order, each in its own transaction.

    Args:
        con: an open, writable connection.
        target: stop after this version (tests use it to build an older file).

    Returns:
        The versions applied now.
    """
    with _WRITE_LOCK:
        con.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_version (
                version INTEGER PRIMARY KEY,
                description VARCHAR NOT NULL,
                applied_at TIMESTAMP NOT NULL
            )
            """
        )
        done = {
            int(r[0]) for r in con.sql("SELECT version FROM schema_version").fetchall()
        }
        applied: list[int] = []
        for migration in sorted(MIGRATIONS, key=lambda m: m.version):
            if migration.version in done:
                continue
            if target is not None and migration.version > target:
                break
            con.execute("BEGIN TRANSACTION")
            try:
                for statement in migration.statements:
                    con.execute(statement)
                con.execute(
                    "INSERT INTO schema_version VALUES ($v, $d, $t)",
                    {"v": migration.version, "d": migration.description, "t": _now()},
                )
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
            applied.append(migration.version)
        return applied


# --- transactions and the data version -------------------------------------------


@contextmanager
def write_transaction(con: Connection) -> Iterator[Connection]:
    """Run the body as the only writer, in one transaction, and bump the data version.

    Yields a cursor of ``con``; use it for every statement in the body. Any exception
    rolls everything back, so the database is exactly as it was before.
    """
    with _WRITE_LOCK:
        cur = con.cursor()
        try:
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
                _bump_data_version(cur)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        finally:
            cur.close()


def _bump_data_version(cur: Connection) -> None:
    cur.execute(
        """
        INSERT INTO workbench_meta VALUES ('data_version', '1')
        ON CONFLICT (key) DO UPDATE SET value = (CAST(value AS BIGINT) + 1)::VARCHAR
        """
    )


def data_version(con: Connection) -> int:
    """Return a number that grows at every committed write; cache keys use it."""
    with con.cursor() as cur:
        rows = cur.sql(
            "SELECT value FROM workbench_meta WHERE key = 'data_version'"
        ).fetchall()
    return int(rows[0][0]) if rows else 0


def get_meta(con: Connection, key: str) -> str | None:
    """Return one workbench setting (``None`` when unset)."""
    with con.cursor() as cur:
        rows = cur.sql(
            "SELECT value FROM workbench_meta WHERE key = $k", params={"k": key}
        ).fetchall()
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


def _table_exists(con: Connection, table: str) -> bool:
    rows = con.sql(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = $t",
        params={"t": table},
    ).fetchall()
    return bool(rows[0][0])


def _checked_table(table: str) -> str:
    known = {*DATA_TABLES, *(t for t in list_tables_static())}
    if table not in known:
        raise ValueError(f"unknown table {table!r}")
    return table


def list_tables_static() -> tuple[str, ...]:
    """Return every table the migrations create, in creation order."""
    return (
        "schema_version",
        *DATA_TABLES,
        "contact_edits",
        "import_runs",
        "column_mappings",
        "relationship_overrides",
        "segment_scenarios",
        "account_plans",
        "workbench_meta",
    )


def table_columns(con: Connection, table: str) -> list[str]:
    """Return a table's column names in order."""
    with con.cursor() as cur:
        rows = cur.sql(
            """
            SELECT column_name FROM information_schema.columns
            WHERE table_name = $t ORDER BY ordinal_position
            """,
            params={"t": _checked_table(table)},
        ).fetchall()
    return [str(r[0]) for r in rows]


def table_counts(con: Connection) -> dict[str, int]:
    """Return the number of rows in every CRM data table."""
    counts: dict[str, int] = {}
    with con.cursor() as cur:
        for table in DATA_TABLES:
            counts[table] = int(
                cur.sql(f"SELECT count(*) FROM {table}").fetchall()[0][0]
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
        frame: pl.DataFrame = cur.sql(f"SELECT * FROM {name}{order}").pl()
    return frame


def replace_data(cur: Connection, frames: dict[str, pl.DataFrame]) -> None:
    """Empty every CRM data table and fill those given, inside a write transaction.

    Columns missing from a frame stay NULL; extra columns are an error.
    """
    for table in reversed(DATA_TABLES):
        cur.execute(f"DELETE FROM {table}")
    for table in DATA_TABLES:
        if table in frames:
            insert_frame(cur, table, frames[table])


def insert_frame(cur: Connection, table: str, frame: pl.DataFrame) -> int:
    """Append a frame's rows to a table by column name; returns rows inserted."""
    name = _checked_table(table)
    columns = table_columns(cur, name)
    unknown = [c for c in frame.columns if c not in columns]
    if unknown:
        raise ValueError(f"{name}: unknown columns {unknown}")
    if frame.height == 0:
        return 0
    column_list = ", ".join(f'"{c}"' for c in frame.columns)
    cur.register("_incoming_rows", frame.to_arrow())
    try:
        cur.execute(
            f"INSERT INTO {name} ({column_list}) SELECT {column_list} FROM _incoming_rows"
        )
    finally:
        cur.unregister("_incoming_rows")
    return frame.height


# --- read models used across the app ----------------------------------------------


def query_frame(
    con: Connection, sql: str, params: dict[str, Any] | Sequence[Any] | None = None
) -> pl.DataFrame:
    """Run one of this module's statements and return a polars frame.

    Private to the library: callers outside ``store`` use the named functions.
    """
    with con.cursor() as cur:
        frame: pl.DataFrame = cur.sql(sql, params=params).pl()
    return frame


def data_date_range(con: Connection) -> tuple[date | None, date | None]:
    """Return the first and last dated event in the data (activities, deals, NPS)."""
    rows = query_frame(
        con,
        """
        SELECT min(d) AS first_day, max(d) AS last_day FROM (
            SELECT activity_date AS d FROM activities
            UNION ALL SELECT close_date FROM opportunities WHERE is_closed
            UNION ALL SELECT responded_on FROM nps_responses
        )
        """,
    )
    return rows["first_day"][0], rows["last_day"][0]


def portfolio_summary(con: Connection, as_of: date | None = None) -> dict[str, Any]:
    """Return headline figures of the whole portfolio for the Overview page.

    Won revenue covers the 12 months up to ``as_of`` (default: the last day in the
    data). Effort hours count every activity's duration.
    """
    first_day, last_day = data_date_range(con)
    as_of = as_of or last_day or datetime.now(UTC).date()
    row = query_frame(
        con,
        """
        SELECT
            (SELECT count(*) FROM accounts) AS accounts,
            (SELECT count(*) FROM contacts) AS contacts,
            (SELECT count(*) FROM sellers) AS sellers,
            (SELECT count(*) FROM opportunities) AS opportunities,
            (SELECT count(*) FROM activities) AS activities,
            (SELECT count(*) FROM nps_responses) AS nps_responses,
            (SELECT coalesce(sum(amount), 0)::DOUBLE FROM opportunities
               WHERE is_won AND close_date > $as_of::DATE - INTERVAL 12 MONTH
                 AND close_date <= $as_of::DATE) AS won_revenue_12m,
            (SELECT coalesce(sum(duration_minutes), 0)::DOUBLE / 60 FROM activities)
                AS effort_hours,
            (SELECT coalesce(sum(duration_minutes), 0)::DOUBLE / 60 FROM activities
               WHERE activity_date > $as_of::DATE - INTERVAL 12 MONTH
                 AND activity_date <= $as_of::DATE) AS effort_hours_12m
        """,
        {"as_of": as_of},
    ).row(0, named=True)
    return {**row, "first_day": first_day, "last_day": last_day, "as_of": as_of}


def accounts_by_industry(con: Connection) -> pl.DataFrame:
    """Return accounts and their won revenue (all time) per industry."""
    return query_frame(
        con,
        """
        SELECT coalesce(a.industry, '(unknown)') AS industry,
               count(*) AS accounts,
               coalesce(sum(w.won), 0)::DOUBLE AS won_revenue
        FROM accounts a
        LEFT JOIN (
            SELECT account_id, sum(amount) AS won FROM opportunities
            WHERE is_won GROUP BY account_id
        ) w USING (account_id)
        GROUP BY ALL ORDER BY won_revenue DESC
        """,
    )


def record_json(value: Any) -> str:
    """Serialise a value for a JSON text column (dates as ISO strings)."""
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def now_utc() -> datetime:
    """Return the current time in UTC without a zone, as the database stores it."""
    return _now()


def run_in_write(con: Connection, body: Callable[[Connection], Any]) -> Any:
    """Run ``body(cursor)`` inside :func:`write_transaction` and return its result."""
    with write_transaction(con) as cur:
        return body(cur)
