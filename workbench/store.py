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

from workbench import vocabulary
from workbench.access import require
from workbench.domain import (
    ATTITUDES,
    BUYING_ROLES,
    EXECUTIVE_DEPARTMENTS,
    EXECUTIVE_MAX_LEVEL,
    INFLUENCE_RANGE,
    JOINT_ACTIVITY_KINDS,
    PROCUREMENT_DEPARTMENTS,
    RELATIONSHIP_TYPES,
    Actor,
    BuyingCentreData,
    months_before,
)
from workbench.errors import DatabaseBusyError, RejectedInputError

DEFAULT_DB_PATH = Path("data") / "workbench.duckdb"
DB_ENV_VAR = "WORKBENCH_DB"

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
        "import_undo_rows",
        "column_mappings",
        "relationship_overrides",
        "segment_scenarios",
        "account_plans",
        "plan_objectives",
        "plan_actions",
        "plan_risks",
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


# --- segmentation (issue 6) and effort allocation (issue 7) -----------------------

#: Reporting trees deeper than this are cut (and cycles in bad data stop here).
_MAX_ORG_DEPTH = 12

# Contacts with their depth in the account's reporting tree. People whose manager
# chain never reaches a top (a cycle in bad data) get no level.
_CONTACT_LEVELS_CTE = f"""
contact_levels AS (
    SELECT contact_id, min(depth) AS org_level FROM (
        WITH RECURSIVE tree(contact_id, depth) AS (
            SELECT c.contact_id, 1 FROM contacts c
            WHERE c.reports_to_id IS NULL
               OR c.reports_to_id NOT IN (SELECT contact_id FROM contacts)
            UNION ALL
            SELECT c.contact_id, t.depth + 1 FROM contacts c
            JOIN tree t ON c.reports_to_id = t.contact_id
            WHERE t.depth < {_MAX_ORG_DEPTH}
        )
        SELECT * FROM tree
    ) GROUP BY contact_id
),
people AS (
    SELECT c.contact_id, c.department, c.buying_role, l.org_level,
           coalesce(lower(c.department) IN (SELECT unnest($procurement)), false)
               AS is_procurement,
           -- the top of the org chart is executive, except purchasing's own head:
           -- buying from a procurement director is still transactional
           coalesce(lower(c.department) IN (SELECT unnest($executive)), false)
               OR (coalesce(l.org_level <= {EXECUTIVE_MAX_LEVEL}, false)
                   AND NOT coalesce(lower(c.department) IN (SELECT unnest($procurement)),
                                    false)) AS is_executive
    FROM contacts c LEFT JOIN contact_levels l USING (contact_id)
)
"""


def _segment_params(as_of: date) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "procurement": list(PROCUREMENT_DEPARTMENTS),
        "executive": list(EXECUTIVE_DEPARTMENTS),
    }


def resolve_as_of(con: Connection, as_of: date | None = None) -> date:
    """Return the as-of date: the one given, else the last day in the data, else today."""
    if as_of is not None:
        return as_of
    _first, last_day = data_date_range(con)
    return last_day or datetime.now(UTC).date()


def account_features(con: Connection, as_of: date | None = None) -> pl.DataFrame:
    """Return one row per account with every signal segmentation and effort use.

    Windows: "12m" is the 12 months up to and including ``as_of``; "prev_12m" the
    12 months before that. Executive contacts are those in an executive department
    or at the top two levels of the account's reporting tree, except the head of
    purchasing (see :data:`PROCUREMENT_DEPARTMENTS`). All amounts are DOUBLE, counts
    BIGINT, so charts and polars never meet DECIMAL.

    Columns: ``account_id``, ``name``, ``industry``, ``region``, ``owner_seller_id``,
    ``annual_revenue``, ``wallet_estimate``, ``gross_margin_pct`` (NULL when
    unknown), ``direct_cost_annual``, ``contract_type``, ``created_on``,
    ``tenure_years``, ``won_12m``, ``won_prev_12m``, ``open_pipeline``,
    ``effort_minutes_recorded_12m``, ``activities_12m``,
    ``activities_without_duration_12m`` (and the same three for ``prev_12m``),
    ``procurement_minutes_12m``, ``executive_minutes_12m``, ``contacts``,
    ``contacts_engaged``,
    ``departments_engaged``, ``non_procurement_departments_engaged``,
    ``procurement_only``, ``org_levels_engaged``, ``executive_touches``,
    ``executive_contacts_engaged``, ``joint_activities``, ``nps``,
    ``nps_responses``, ``as_of``.
    """
    day = resolve_as_of(con, as_of)
    return query_frame(
        con,
        f"""
        WITH {_CONTACT_LEVELS_CTE},
        touches AS (
            SELECT a.account_id, a.contact_id, a.kind, a.duration_minutes,
                   a.activity_date > $as_of::DATE - INTERVAL 12 MONTH AS current,
                   p.department, p.org_level,
                   coalesce(p.is_procurement, false) AS is_procurement,
                   coalesce(p.is_executive, false) AS is_executive
            FROM activities a LEFT JOIN people p USING (contact_id)
            WHERE a.account_id IS NOT NULL
              AND a.activity_date > $as_of::DATE - INTERVAL 24 MONTH
              AND a.activity_date <= $as_of::DATE
        ),
        effort AS (
            SELECT account_id,
                coalesce(sum(duration_minutes) FILTER (WHERE current), 0)::DOUBLE
                    AS effort_minutes_recorded_12m,
                count(*) FILTER (WHERE current) AS activities_12m,
                count(*) FILTER (WHERE current AND duration_minutes IS NULL)
                    AS activities_without_duration_12m,
                coalesce(sum(duration_minutes) FILTER (WHERE NOT current), 0)::DOUBLE
                    AS effort_minutes_recorded_prev_12m,
                count(*) FILTER (WHERE NOT current) AS activities_prev_12m,
                count(*) FILTER (WHERE NOT current AND duration_minutes IS NULL)
                    AS activities_without_duration_prev_12m,
                coalesce(sum(duration_minutes)
                    FILTER (WHERE current AND is_procurement), 0)::DOUBLE
                    AS procurement_minutes_12m,
                coalesce(sum(duration_minutes)
                    FILTER (WHERE current AND is_executive), 0)::DOUBLE
                    AS executive_minutes_12m,
                count(DISTINCT contact_id) FILTER (WHERE current) AS contacts_engaged,
                count(DISTINCT department) FILTER (WHERE current)
                    AS departments_engaged,
                count(DISTINCT department) FILTER (WHERE current AND NOT is_procurement)
                    AS non_procurement_departments_engaged,
                count(DISTINCT org_level) FILTER (WHERE current) AS org_levels_engaged,
                count(*) FILTER (WHERE current AND is_executive) AS executive_touches,
                count(DISTINCT contact_id) FILTER (WHERE current AND is_executive)
                    AS executive_contacts_engaged,
                count(*) FILTER (WHERE current AND kind IN (SELECT unnest($joint)))
                    AS joint_activities
            FROM touches GROUP BY account_id
        ),
        won AS (
            SELECT account_id,
                coalesce(sum(amount) FILTER (
                    WHERE close_date > $as_of::DATE - INTERVAL 12 MONTH), 0)::DOUBLE
                    AS won_12m,
                coalesce(sum(amount) FILTER (
                    WHERE close_date <= $as_of::DATE - INTERVAL 12 MONTH), 0)::DOUBLE
                    AS won_prev_12m
            FROM opportunities
            WHERE is_won AND close_date > $as_of::DATE - INTERVAL 24 MONTH
              AND close_date <= $as_of::DATE
            GROUP BY account_id
        ),
        pipeline AS (
            -- open at the as-of date: opened by then and not yet closed by then
            SELECT account_id, coalesce(sum(amount), 0)::DOUBLE AS open_pipeline
            FROM opportunities
            WHERE (created_on IS NULL OR created_on <= $as_of::DATE)
              AND (NOT coalesce(is_closed, false) OR close_date > $as_of::DATE)
            GROUP BY account_id
        ),
        nps AS (
            SELECT account_id,
                (100.0 * (count(*) FILTER (WHERE score >= 9)
                          - count(*) FILTER (WHERE score <= 6)) / count(*))::DOUBLE
                    AS nps,
                count(*) AS nps_responses
            FROM nps_responses
            WHERE score IS NOT NULL
              AND responded_on > $as_of::DATE - INTERVAL 12 MONTH
              AND responded_on <= $as_of::DATE
            GROUP BY account_id
        ),
        headcount AS (
            SELECT account_id, count(*) AS contacts FROM contacts GROUP BY account_id
        )
        SELECT
            a.account_id, a.name, a.industry, a.region, a.owner_seller_id,
            a.annual_revenue::DOUBLE AS annual_revenue,
            a.wallet_estimate::DOUBLE AS wallet_estimate,
            a.gross_margin_pct::DOUBLE AS gross_margin_pct,
            a.direct_cost_annual::DOUBLE AS direct_cost_annual,
            a.contract_type, a.created_on,
            greatest(date_diff('day', a.created_on, $as_of::DATE), 0) / 365.25
                AS tenure_years,
            coalesce(w.won_12m, 0) AS won_12m,
            coalesce(w.won_prev_12m, 0) AS won_prev_12m,
            coalesce(p.open_pipeline, 0) AS open_pipeline,
            coalesce(e.effort_minutes_recorded_12m, 0) AS effort_minutes_recorded_12m,
            coalesce(e.activities_12m, 0) AS activities_12m,
            coalesce(e.activities_without_duration_12m, 0)
                AS activities_without_duration_12m,
            coalesce(e.effort_minutes_recorded_prev_12m, 0)
                AS effort_minutes_recorded_prev_12m,
            coalesce(e.activities_prev_12m, 0) AS activities_prev_12m,
            coalesce(e.activities_without_duration_prev_12m, 0)
                AS activities_without_duration_prev_12m,
            coalesce(e.procurement_minutes_12m, 0) AS procurement_minutes_12m,
            coalesce(e.executive_minutes_12m, 0) AS executive_minutes_12m,
            coalesce(h.contacts, 0) AS contacts,
            coalesce(e.contacts_engaged, 0) AS contacts_engaged,
            coalesce(e.departments_engaged, 0) AS departments_engaged,
            coalesce(e.non_procurement_departments_engaged, 0)
                AS non_procurement_departments_engaged,
            coalesce(e.departments_engaged, 0) > 0
                AND coalesce(e.non_procurement_departments_engaged, 0) = 0
                AS procurement_only,
            coalesce(e.org_levels_engaged, 0) AS org_levels_engaged,
            coalesce(e.executive_touches, 0) AS executive_touches,
            coalesce(e.executive_contacts_engaged, 0) AS executive_contacts_engaged,
            coalesce(e.joint_activities, 0) AS joint_activities,
            n.nps, coalesce(n.nps_responses, 0) AS nps_responses,
            $as_of::DATE AS as_of
        FROM accounts a
        LEFT JOIN won w USING (account_id)
        LEFT JOIN pipeline p USING (account_id)
        LEFT JOIN effort e USING (account_id)
        LEFT JOIN nps n USING (account_id)
        LEFT JOIN headcount h USING (account_id)
        ORDER BY a.account_id
        """,
        {**_segment_params(day), "joint": list(JOINT_ACTIVITY_KINDS)},
    )


#: Dimensions of :func:`effort_aggregates`, each grouped with account and period.
EFFORT_DIMENSIONS: tuple[str, ...] = ("month", "seller", "department", "kind")


def effort_aggregates(con: Connection, as_of: date | None = None) -> pl.DataFrame:
    """Return effort per account, period and one other dimension, in long form.

    One scan of the activities of the 24 months up to ``as_of``, grouped by
    grouping sets. ``period`` is ``current`` (the 12 months up to ``as_of``) or
    ``previous`` (the 12 before). ``dimension`` says which columns are filled:

    - ``month``: ``month`` (first day of the month);
    - ``seller``: ``seller_id``, ``seller_name``, ``team``;
    - ``department``: ``department`` and ``buying_role`` of the contact;
    - ``kind``: ``kind``.

    Missing labels read ``(unknown)``. Measures: ``minutes_recorded`` (sum of known
    durations), ``activities``, ``activities_without_duration``.
    """
    day = resolve_as_of(con, as_of)
    return query_frame(
        con,
        f"""
        WITH {_CONTACT_LEVELS_CTE},
        base AS (
            SELECT a.account_id,
                CASE WHEN a.activity_date > $as_of::DATE - INTERVAL 12 MONTH
                     THEN 'current' ELSE 'previous' END AS period,
                date_trunc('month', a.activity_date)::DATE AS month,
                coalesce(a.seller_id, '(unknown)') AS seller_id,
                coalesce(s.name, a.seller_id, '(unknown)') AS seller_name,
                coalesce(s.team, '(unknown)') AS team,
                coalesce(p.department, '(unknown)') AS department,
                coalesce(p.buying_role, '(unknown)') AS buying_role,
                coalesce(a.kind, '(unknown)') AS kind,
                a.duration_minutes
            FROM activities a
            LEFT JOIN people p USING (contact_id)
            LEFT JOIN sellers s ON s.seller_id = a.seller_id
            WHERE a.account_id IS NOT NULL
              AND a.activity_date > $as_of::DATE - INTERVAL 24 MONTH
              AND a.activity_date <= $as_of::DATE
        )
        SELECT
            CASE
                WHEN grouping(month) = 0 THEN 'month'
                WHEN grouping(seller_id) = 0 THEN 'seller'
                WHEN grouping(department) = 0 THEN 'department'
                ELSE 'kind'
            END AS dimension,
            account_id, period, month, seller_id, seller_name, team,
            department, buying_role, kind,
            coalesce(sum(duration_minutes), 0)::DOUBLE AS minutes_recorded,
            count(*) AS activities,
            count(*) FILTER (WHERE duration_minutes IS NULL)
                AS activities_without_duration
        FROM base
        GROUP BY GROUPING SETS (
            (account_id, period, month),
            (account_id, period, seller_id, seller_name, team),
            (account_id, period, department, buying_role),
            (account_id, period, kind)
        )
        ORDER BY dimension, account_id, period, month, seller_id, department,
                 buying_role, kind
        """,
        _segment_params(day),
    )


def relationship_overrides(con: Connection) -> pl.DataFrame:
    """Return every manual relationship decision: account, type, reason, who, when."""
    return query_frame(
        con,
        """
        SELECT account_id, relationship, reason, set_by, set_at
        FROM relationship_overrides ORDER BY account_id
        """,
    )


def set_relationship_override(
    con: Connection, actor: Actor, account_id: str, relationship: str, reason: str
) -> None:
    """Record (or replace) a manual transactional/partnership decision for an account.

    Raises:
        PermissionDeniedError: the actor may not edit.
        RejectedInputError: unknown account or type, or an empty reason.
    """
    require(actor, "edit")
    reason = (reason or "").strip()
    if relationship not in RELATIONSHIP_TYPES:
        raise RejectedInputError(
            f"relationship must be one of {', '.join(RELATIONSHIP_TYPES)}, "
            f"not {relationship!r}"
        )
    if not reason:
        raise RejectedInputError("say why: an override needs a reason")
    with write_transaction(con) as cur:
        known = cur.sql(
            "SELECT count(*) FROM accounts WHERE account_id = $id",
            params={"id": account_id},
        ).fetchall()[0][0]
        if not known:
            raise RejectedInputError(f"no account with ID {account_id!r}")
        cur.execute(
            """
            INSERT INTO relationship_overrides VALUES ($id, $rel, $reason, $who, $at)
            ON CONFLICT (account_id) DO UPDATE SET relationship = excluded.relationship,
                reason = excluded.reason, set_by = excluded.set_by,
                set_at = excluded.set_at
            """,
            {
                "id": account_id,
                "rel": relationship,
                "reason": reason,
                "who": actor.name,
                "at": _now(),
            },
        )


def delete_relationship_override(
    con: Connection, actor: Actor, account_id: str
) -> bool:
    """Remove an account's manual decision; return whether there was one."""
    require(actor, "edit")
    with write_transaction(con) as cur:
        rows = cur.sql(
            "DELETE FROM relationship_overrides WHERE account_id = $id RETURNING 1",
            params={"id": account_id},
        ).fetchall()
    return bool(rows)


def segment_scenarios(con: Connection) -> pl.DataFrame:
    """Return saved scenarios: ``name``, ``thresholds`` (JSON text), who, when."""
    return query_frame(
        con,
        "SELECT name, thresholds, saved_by, saved_at FROM segment_scenarios "
        "ORDER BY name",
    )


def save_segment_scenario(
    con: Connection, actor: Actor, name: str, thresholds: dict[str, Any]
) -> None:
    """Save (or replace) a named set of segmentation thresholds.

    Raises:
        PermissionDeniedError: the actor may not edit.
        RejectedInputError: an empty name or no thresholds.
    """
    require(actor, "edit")
    name = (name or "").strip()
    if not name:
        raise RejectedInputError("a scenario needs a name")
    if len(name) > 200:
        raise RejectedInputError("a scenario name has at most 200 characters")
    if not thresholds:
        raise RejectedInputError("a scenario needs its thresholds")
    with write_transaction(con) as cur:
        cur.execute(
            """
            INSERT INTO segment_scenarios VALUES ($name, $thresholds, $who, $at)
            ON CONFLICT (name) DO UPDATE SET thresholds = excluded.thresholds,
                saved_by = excluded.saved_by, saved_at = excluded.saved_at
            """,
            {
                "name": name,
                "thresholds": record_json(thresholds),
                "who": actor.name,
                "at": _now(),
            },
        )


def delete_segment_scenario(con: Connection, actor: Actor, name: str) -> bool:
    """Remove a saved scenario; return whether it existed."""
    require(actor, "edit")
    with write_transaction(con) as cur:
        rows = cur.sql(
            "DELETE FROM segment_scenarios WHERE name = $name RETURNING 1",
            params={"name": name},
        ).fetchall()
    return bool(rows)


# --- backup, restore and the catalog (issue 10) -----------------------------------


def _sql_text_literal(text: str) -> str:
    # EXPORT/IMPORT DATABASE take no bound parameters, so the one value they need,
    # a directory path, is quoted here: single quotes doubled, NUL refused.
    if "\x00" in text:
        raise ValueError("a path cannot contain a NUL character")
    return "'" + text.replace("'", "''") + "'"


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


# --- account plans (issue 9) -------------------------------------------------------

#: Plan lines kept in their own tables (one row per line per version), so leaders'
#: overviews and analysts can query objectives, actions and risks with SQL.
_PLAN_TABLES = (
    "ALTER TABLE account_plans ADD COLUMN IF NOT EXISTS status VARCHAR",
    "ALTER TABLE account_plans ADD COLUMN IF NOT EXISTS based_on INTEGER",
    """
    CREATE TABLE IF NOT EXISTS plan_objectives (
        account_id VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        position INTEGER NOT NULL,
        objective VARCHAR,
        measure VARCHAR,
        target VARCHAR,
        due_on DATE,
        status VARCHAR,
        PRIMARY KEY (account_id, version, position)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS plan_actions (
        account_id VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        position INTEGER NOT NULL,
        contact VARCHAR,
        action VARCHAR,
        owner VARCHAR,
        due_on DATE,
        status VARCHAR,
        PRIMARY KEY (account_id, version, position)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS plan_risks (
        account_id VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        position INTEGER NOT NULL,
        risk VARCHAR,
        risk_date DATE,
        severity VARCHAR,
        PRIMARY KEY (account_id, version, position)
    )
    """,
)

# Kept sorted by version whichever section of this file appends its migration.
MIGRATIONS = tuple(
    sorted(
        (
            *MIGRATIONS,
            Migration(7, "account plan status and plan lines", _PLAN_TABLES),
        ),
        key=lambda m: m.version,
    )
)

#: Statuses of plan actions that still need doing (overdue when past due).
OPEN_ACTION_STATUSES: tuple[str, ...] = ("open", "in_progress")

_CURRENT_PLANS = """
    SELECT account_id, max(version) AS version FROM account_plans GROUP BY account_id
"""


def plan_head(con: Connection, account_id: str) -> dict[str, Any] | None:
    """Return the current plan version's number, author, time and status, or None.

    Pass the cursor of a write transaction to read inside it.
    """
    rows = con.sql(
        """
        SELECT version, saved_by, saved_at, status FROM account_plans
        WHERE account_id = $a ORDER BY version DESC LIMIT 1
        """,
        params={"a": account_id},
    ).fetchall()
    if not rows:
        return None
    version, saved_by, saved_at, status = rows[0]
    return {
        "version": int(version),
        "saved_by": saved_by,
        "saved_at": saved_at,
        "status": status,
    }


def insert_plan_version(
    cur: Connection,
    *,
    account_id: str,
    version: int,
    based_on: int,
    content: str,
    status: str,
    saved_by: str,
    saved_at: datetime,
) -> None:
    """Add one plan version inside a write transaction (the key refuses duplicates)."""
    cur.execute(
        """
        INSERT INTO account_plans
            (account_id, version, content, saved_by, saved_at, status, based_on)
        VALUES ($a, $v, $c, $by, $at, $s, $b)
        """,
        {
            "a": account_id,
            "v": version,
            "c": content,
            "by": saved_by,
            "at": saved_at,
            "s": status,
            "b": based_on,
        },
    )


def insert_plan_lines(
    cur: Connection,
    *,
    account_id: str,
    version: int,
    objectives: Sequence[tuple[Any, ...]],
    actions: Sequence[tuple[Any, ...]],
    risks: Sequence[tuple[Any, ...]],
) -> None:
    """Add a version's plan lines inside a write transaction.

    Args:
        cur: the write transaction's cursor.
        account_id: the account.
        version: the plan version the lines belong to.
        objectives: (objective, measure, target, due_on, status) per line.
        actions: (contact, action, owner, due_on, status) per line.
        risks: (risk, risk_date, severity) per line.
    """
    statements = (
        (
            "INSERT INTO plan_objectives VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            objectives,
        ),
        ("INSERT INTO plan_actions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", actions),
        ("INSERT INTO plan_risks VALUES (?, ?, ?, ?, ?, ?)", risks),
    )
    for statement, lines in statements:
        if lines:
            cur.executemany(
                statement,
                [
                    (account_id, version, position, *line)
                    for position, line in enumerate(lines, start=1)
                ],
            )


def plan_content(
    con: Connection, account_id: str, version: int | None = None
) -> dict[str, Any] | None:
    """Return one stored plan version (the current one by default) with its JSON text."""
    with con.cursor() as cur:
        rows = cur.sql(
            """
            SELECT version, content, saved_by, saved_at, status, based_on
            FROM account_plans
            WHERE account_id = $a AND ($v IS NULL OR version = $v)
            ORDER BY version DESC LIMIT 1
            """,
            params={"a": account_id, "v": version},
        ).fetchall()
    if not rows:
        return None
    number, content, saved_by, saved_at, status, based_on = rows[0]
    return {
        "version": int(number),
        "content": content,
        "saved_by": saved_by,
        "saved_at": saved_at,
        "status": status,
        "based_on": based_on,
    }


def plan_versions(con: Connection, account_id: str) -> pl.DataFrame:
    """Return every saved version of an account's plan, newest first."""
    return query_frame(
        con,
        """
        SELECT version, saved_by, saved_at, status, based_on FROM account_plans
        WHERE account_id = $a ORDER BY version DESC
        """,
        {"a": account_id},
    )


def plan_accounts(con: Connection) -> pl.DataFrame:
    """Return every account with its owner and current plan version (NULL: none)."""
    return query_frame(
        con,
        f"""
        SELECT a.account_id, a.name, a.industry, a.region,
               s.name AS owner, p.version AS plan_version,
               p.saved_by AS plan_saved_by, p.saved_at AS plan_saved_at,
               p.status AS plan_status
        FROM accounts a
        LEFT JOIN sellers s ON s.seller_id = a.owner_seller_id
        LEFT JOIN ({_CURRENT_PLANS}) c USING (account_id)
        LEFT JOIN account_plans p
               ON p.account_id = c.account_id AND p.version = c.version
        ORDER BY a.name, a.account_id
        """,
    )


def account_plan_facts(
    con: Connection, account_id: str, as_of: date
) -> dict[str, Any] | None:
    """Return what the CRM tables say directly about one account, up to ``as_of``.

    Won revenue, effort hours and activities cover the 12 months up to ``as_of``;
    the open pipeline is every open deal. None when the account does not exist.
    """
    frame = query_frame(
        con,
        """
        SELECT a.account_id, a.name, a.industry, a.region, a.country,
               s.name AS owner, a.wallet_estimate, a.gross_margin_pct,
               a.contract_type, a.direct_cost_annual, a.created_on,
               (SELECT coalesce(sum(amount), 0)::DOUBLE FROM opportunities o
                 WHERE o.account_id = a.account_id AND o.is_won
                   AND o.close_date > $as_of::DATE - INTERVAL 12 MONTH
                   AND o.close_date <= $as_of::DATE) AS won_revenue_12m,
               (SELECT coalesce(sum(amount), 0)::DOUBLE FROM opportunities o
                 WHERE o.account_id = a.account_id AND NOT coalesce(o.is_closed, false))
                   AS open_pipeline,
               (SELECT count(*) FROM opportunities o
                 WHERE o.account_id = a.account_id AND NOT coalesce(o.is_closed, false))
                   AS open_opportunities,
               (SELECT coalesce(sum(duration_minutes), 0)::DOUBLE / 60 FROM activities t
                 WHERE t.account_id = a.account_id
                   AND t.activity_date > $as_of::DATE - INTERVAL 12 MONTH
                   AND t.activity_date <= $as_of::DATE) AS effort_hours_12m,
               (SELECT count(*) FROM activities t
                 WHERE t.account_id = a.account_id
                   AND t.activity_date > $as_of::DATE - INTERVAL 12 MONTH
                   AND t.activity_date <= $as_of::DATE) AS activities_12m,
               (SELECT count(*) FROM contacts c WHERE c.account_id = a.account_id)
                   AS contacts,
               r.relationship AS relationship_override,
               r.reason AS relationship_reason,
               r.set_by AS relationship_set_by
        FROM accounts a
        LEFT JOIN sellers s ON s.seller_id = a.owner_seller_id
        LEFT JOIN relationship_overrides r ON r.account_id = a.account_id
        WHERE a.account_id = $a
        """,
        {"a": account_id, "as_of": as_of},
    )
    return frame.row(0, named=True) if frame.height else None


def account_contacts_by_role(con: Connection, account_id: str) -> pl.DataFrame:
    """Return the account's people per buying role: count, influence, attitudes.

    Every buying role appears, with 0 people where nobody is known (a gap); people
    without a role come last as ``(unknown)``.
    """
    return query_frame(
        con,
        """
        WITH roles AS (
            SELECT unnest($roles::VARCHAR[]) AS buying_role,
                   generate_subscripts($roles::VARCHAR[], 1) AS role_order
        ),
        people AS (
            SELECT coalesce(buying_role, '(unknown)') AS buying_role,
                   count(*) AS contacts,
                   round(avg(influence), 1)::DOUBLE AS avg_influence,
                   count(*) FILTER (WHERE attitude IN ('champion', 'supporter'))
                       AS champions_supporters,
                   count(*) FILTER (WHERE attitude IN ('skeptic', 'blocker'))
                       AS skeptics_blockers
            FROM contacts WHERE account_id = $a GROUP BY ALL
        )
        SELECT buying_role,
               coalesce(p.contacts, 0) AS contacts,
               p.avg_influence,
               coalesce(p.champions_supporters, 0) AS champions_supporters,
               coalesce(p.skeptics_blockers, 0) AS skeptics_blockers
        FROM (SELECT buying_role, role_order FROM roles
              UNION ALL SELECT '(unknown)', 999) r
        LEFT JOIN people p USING (buying_role)
        WHERE r.buying_role <> '(unknown)' OR p.contacts > 0
        ORDER BY r.role_order
        """,
        {"a": account_id, "roles": list(BUYING_ROLES)},
    )


def plan_people_choices(con: Connection, account_id: str) -> dict[str, list[str]]:
    """Return names to offer in a plan: the account's contacts and our sellers."""
    with con.cursor() as cur:
        contacts = cur.sql(
            """
            SELECT name || coalesce(' (' || buying_role || ')', '') FROM contacts
            WHERE account_id = $a AND name IS NOT NULL
            ORDER BY coalesce(influence, 0) DESC, name
            """,
            params={"a": account_id},
        ).fetchall()
        sellers = cur.sql(
            "SELECT name FROM sellers WHERE name IS NOT NULL ORDER BY name"
        ).fetchall()
    return {
        "contacts": [str(r[0]) for r in contacts],
        "sellers": [str(r[0]) for r in sellers],
    }


def plans_portfolio(con: Connection, today: date) -> pl.DataFrame:
    """Return every account with its current plan and counts of its plan lines.

    ``overdue_actions`` counts open or in-progress actions due before ``today``.
    """
    return query_frame(
        con,
        f"""
        WITH cur AS ({_CURRENT_PLANS}),
        act AS (
            SELECT x.account_id,
                   count(*) FILTER (WHERE x.status IN ('open', 'in_progress'))
                       AS open_actions,
                   count(*) FILTER (WHERE x.status IN ('open', 'in_progress')
                                      AND x.due_on < $today) AS overdue_actions
            FROM plan_actions x JOIN cur USING (account_id, version) GROUP BY ALL
        ),
        obj AS (
            SELECT o.account_id, count(*) AS objectives
            FROM plan_objectives o JOIN cur USING (account_id, version) GROUP BY ALL
        )
        SELECT a.account_id, a.name, a.industry, a.region, s.name AS owner,
               p.version AS plan_version, p.status AS plan_status,
               p.saved_by AS plan_saved_by, p.saved_at AS plan_saved_at,
               coalesce(obj.objectives, 0) AS objectives,
               coalesce(act.open_actions, 0) AS open_actions,
               coalesce(act.overdue_actions, 0) AS overdue_actions
        FROM accounts a
        LEFT JOIN sellers s ON s.seller_id = a.owner_seller_id
        LEFT JOIN cur USING (account_id)
        LEFT JOIN account_plans p
               ON p.account_id = cur.account_id AND p.version = cur.version
        LEFT JOIN act ON act.account_id = a.account_id
        LEFT JOIN obj ON obj.account_id = a.account_id
        ORDER BY a.name, a.account_id
        """,
        {"today": today},
    )


def overdue_plan_actions(con: Connection, today: date) -> pl.DataFrame:
    """Return the open actions of current plans that were due before ``today``."""
    return query_frame(
        con,
        f"""
        WITH cur AS ({_CURRENT_PLANS})
        SELECT x.account_id, a.name AS account, x.version AS plan_version,
               x.contact, x.action, x.owner, x.due_on, x.status,
               date_diff('day', x.due_on, $today::DATE) AS days_overdue
        FROM plan_actions x
        JOIN cur USING (account_id, version)
        LEFT JOIN accounts a ON a.account_id = x.account_id
        WHERE x.status IN ('open', 'in_progress') AND x.due_on < $today
        ORDER BY x.due_on, a.name, x.position
        """,
        {"today": today},
    )


def account_effort_by_kind(
    con: Connection, account_id: str, as_of: date
) -> pl.DataFrame:
    """Return one account's activities and recorded hours per kind, 12 months to ``as_of``."""
    return query_frame(
        con,
        """
        SELECT coalesce(kind, '(unknown)') AS kind,
               count(*) AS activities,
               (coalesce(sum(duration_minutes), 0) / 60)::DOUBLE AS hours_recorded
        FROM activities
        WHERE account_id = $a
          AND activity_date > $as_of::DATE - INTERVAL 12 MONTH
          AND activity_date <= $as_of::DATE
        GROUP BY ALL ORDER BY hours_recorded DESC, kind
        """,
        {"a": account_id, "as_of": as_of},
    )


def account_nps_responses(
    con: Connection, account_id: str, since: date, as_of: date
) -> pl.DataFrame:
    """Return one account's NPS answers after ``since`` up to ``as_of``, with who answered.

    The columns of :func:`nps_responses_enriched` that the voice analysis needs for
    one account (no org level, no days since the last touch), read for that
    account only.
    """
    return query_frame(
        con,
        """
        SELECT r.response_id, r.account_id,
               coalesce(a.name, r.account_id) AS account_name,
               r.contact_id, c.name AS contact_name, c.title, c.buying_role,
               c.department, c.influence::INTEGER AS influence,
               r.responded_on, r.score::INTEGER AS score, r.comment, r.source
        FROM nps_responses r
        LEFT JOIN accounts a ON a.account_id = r.account_id
        LEFT JOIN contacts c ON c.contact_id = r.contact_id
        WHERE r.account_id = $a AND r.responded_on > $since
          AND r.responded_on <= $as_of
        ORDER BY r.responded_on, r.response_id
        """,
        {"a": account_id, "since": since, "as_of": as_of},
    )


def account_name(con: Connection, account_id: str) -> str | None:
    """Return an account's name, or None when there is no such account."""
    with con.cursor() as cur:
        rows = cur.sql(
            "SELECT name FROM accounts WHERE account_id = $a", params={"a": account_id}
        ).fetchall()
    return str(rows[0][0]) if rows else None


# --- voice of the customer (issue 8) ----------------------------------------------

#: Reporting trees deeper than this are cut (and cycles in bad data stop here).
_VOICE_MAX_ORG_DEPTH = 20

# Every response with who answered (role, department, influence, depth in the
# reporting tree: 1 = top) and the days since we last touched that person before
# the answer (ASOF join: the latest activity on or before the response date).
_NPS_ENRICHED_SQL = f"""
WITH RECURSIVE tree(contact_id, depth) AS (
    SELECT c.contact_id, 1 FROM contacts c
    LEFT JOIN contacts m ON m.contact_id = c.reports_to_id
    WHERE m.contact_id IS NULL
    UNION ALL
    SELECT c.contact_id, t.depth + 1 FROM contacts c
    JOIN tree t ON c.reports_to_id = t.contact_id
    WHERE t.depth < {_VOICE_MAX_ORG_DEPTH}
),
levels AS (SELECT contact_id, min(depth) AS org_level FROM tree GROUP BY contact_id),
touches AS (
    SELECT DISTINCT contact_id, activity_date FROM activities
    WHERE contact_id IS NOT NULL AND activity_date IS NOT NULL
),
last_touch AS (
    SELECT r.response_id, t.activity_date AS last_touch_on
    FROM (SELECT * FROM nps_responses WHERE contact_id IS NOT NULL
          AND responded_on IS NOT NULL) r
    ASOF JOIN touches t
      ON r.contact_id = t.contact_id AND r.responded_on >= t.activity_date
)
SELECT r.response_id, r.account_id,
       coalesce(a.name, r.account_id) AS account_name,
       r.contact_id, c.name AS contact_name, c.title, c.buying_role, c.department,
       c.influence::INTEGER AS influence, l.org_level::INTEGER AS org_level,
       r.responded_on, r.score::INTEGER AS score, r.comment, r.source,
       date_diff('day', lt.last_touch_on, r.responded_on)::INTEGER
           AS days_since_touch
FROM nps_responses r
LEFT JOIN accounts a ON a.account_id = r.account_id
LEFT JOIN contacts c ON c.contact_id = r.contact_id
LEFT JOIN levels l ON l.contact_id = r.contact_id
LEFT JOIN last_touch lt ON lt.response_id = r.response_id
ORDER BY r.responded_on, r.response_id
"""


def nps_responses_enriched(con: Connection) -> pl.DataFrame:
    """Return every NPS response joined to the person who answered and the account.

    Columns: ``response_id``, ``account_id``, ``account_name``, ``contact_id``,
    ``contact_name``, ``title``, ``buying_role``, ``department``, ``influence``,
    ``org_level`` (1 = top of the account's reporting tree), ``responded_on``,
    ``score``, ``comment``, ``source``, ``days_since_touch`` (days from our last
    activity with that person to the answer; NULL when never touched before).
    """
    return query_frame(con, _NPS_ENRICHED_SQL)


def voice_account_signals(con: Connection, as_of: date | None = None) -> pl.DataFrame:
    """Return per account the plain signals NPS is compared against.

    Window: the 12 months up to and including ``as_of`` (default: the last day in
    the data). Columns: ``account_id``, ``departments_engaged`` (distinct
    departments of the people we had activities with), ``last_touch``,
    ``days_since_last_touch``, ``effort_hours_12m``.
    """
    if as_of is None:
        _first, last_day = data_date_range(con)
        as_of = last_day or datetime.now(UTC).date()
    return query_frame(
        con,
        """
        SELECT a.account_id,
               count(DISTINCT c.department) FILTER (
                   WHERE t.activity_date > $as_of::DATE - INTERVAL 12 MONTH
               )::BIGINT AS departments_engaged,
               max(t.activity_date) AS last_touch,
               date_diff('day', max(t.activity_date), $as_of::DATE)::INTEGER
                   AS days_since_last_touch,
               (coalesce(sum(t.duration_minutes) FILTER (
                   WHERE t.activity_date > $as_of::DATE - INTERVAL 12 MONTH
               ), 0) / 60)::DOUBLE AS effort_hours_12m
        FROM accounts a
        LEFT JOIN activities t
          ON t.account_id = a.account_id AND t.activity_date <= $as_of::DATE
        LEFT JOIN contacts c ON c.contact_id = t.contact_id
        GROUP BY a.account_id
        ORDER BY a.account_id
        """,
        {"as_of": as_of},
    )


def survey_link_targets(con: Connection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return what survey responses can link to: contacts and accounts.

    Returns:
        ``(contacts, accounts)``: contacts with ``contact_id``, ``account_id``,
        ``email``; accounts with ``account_id``, ``name``.
    """
    contacts = query_frame(
        con,
        "SELECT contact_id, account_id, email FROM contacts ORDER BY contact_id",
    )
    accounts = query_frame(
        con, "SELECT account_id, name FROM accounts ORDER BY account_id"
    )
    return contacts, accounts


_SURVEY_COLUMNS: tuple[str, ...] = (
    "account_id",
    "contact_id",
    "responded_on",
    "score",
    "comment",
    "source",
    "source_id",
)


def write_survey_responses(
    con: Connection,
    actor: Actor,
    responses: pl.DataFrame,
    *,
    file_name: str,
    file_sha256: str,
    problems: Sequence[dict[str, Any]] = (),
) -> dict[str, int]:
    """Store survey responses in one transaction and record the import run.

    Responses update earlier ones with the same (``source``, ``source_id``), so
    importing the same export twice changes nothing; new ones get a
    ``response_id`` derived from that pair.

    Args:
        con: the database.
        actor: who imports; needs the ``import`` right.
        responses: rows in the ``nps_responses`` layout (``account_id``,
            ``contact_id``, ``responded_on``, ``score``, ``comment``, ``source``,
            ``source_id``), already checked by :mod:`workbench.surveys`.
        file_name: the uploaded file's name, for the import log.
        file_sha256: the file's hash, for the import log.
        problems: the warnings found while reading, for the import log.

    Returns:
        ``inserted``, ``updated`` and ``run_id``.

    Raises:
        RejectedInputError: missing columns, scores outside 0–10, or the same
            (source, source_id) twice; nothing is written.
    """
    require(actor, "import")
    missing = [c for c in _SURVEY_COLUMNS if c not in responses.columns]
    if missing:
        raise RejectedInputError(f"survey responses lack the columns {missing}")
    incoming = responses.select(_SURVEY_COLUMNS)
    if incoming.filter(
        pl.col("score").is_null() | ~pl.col("score").is_between(0, 10)
    ).height:
        raise RejectedInputError("every survey response needs a score from 0 to 10")
    if incoming.filter(
        pl.col("source").is_null() | pl.col("source_id").is_null()
    ).height:
        raise RejectedInputError("every survey response needs a source and source ID")
    if incoming.select(pl.struct("source", "source_id").is_duplicated().any()).item():
        raise RejectedInputError("the same survey response appears twice in the file")
    started_at = _now()
    with write_transaction(con) as cur:
        cur.register("_survey_rows", incoming.to_arrow())
        try:
            updated = int(
                cur.sql(
                    """
                    SELECT count(*) FROM nps_responses r JOIN _survey_rows s
                      ON r.source = s.source AND r.source_id = s.source_id
                    """
                ).fetchall()[0][0]
            )
            # Keep the ID an earlier import gave a response; derive one otherwise.
            cur.execute(
                """
                CREATE OR REPLACE TEMP TABLE _survey_ids AS
                SELECT s.*, coalesce(r.response_id,
                       'S' || substr(md5(s.source || chr(31) || s.source_id), 1, 15))
                       AS response_id
                FROM _survey_rows s LEFT JOIN nps_responses r
                  ON r.source = s.source AND r.source_id = s.source_id
                """
            )
        finally:
            cur.unregister("_survey_rows")
        cur.execute(
            """
            DELETE FROM nps_responses WHERE response_id IN
                (SELECT response_id FROM _survey_ids)
               OR (source, source_id) IN (SELECT source, source_id FROM _survey_ids)
            """
        )
        cur.execute(
            """
            INSERT INTO nps_responses (response_id, account_id, contact_id,
                responded_on, score, comment, source, source_id)
            SELECT response_id, account_id, contact_id, responded_on, score,
                   comment, source, source_id
            FROM _survey_ids
            """
        )
        cur.execute("DROP TABLE _survey_ids")
        total = int(cur.sql("SELECT count(*) FROM nps_responses").fetchall()[0][0])
        run_id = int(
            cur.sql("SELECT coalesce(max(run_id), 0) + 1 FROM import_runs").fetchall()[
                0
            ][0]
        )
        sources = sorted(set(incoming["source"].to_list()))
        cur.execute(
            """
            INSERT INTO import_runs (run_id, started_at, finished_at, source, status,
                files, counts, problems, user_name)
            VALUES ($run_id, $started, $finished, $source, 'committed', $files,
                $counts, $problems, $user)
            """,
            {
                "run_id": run_id,
                "started": started_at,
                "finished": _now(),
                "source": ",".join(sources) or "survey",
                "files": record_json(
                    [
                        {
                            "name": file_name,
                            "sha256": file_sha256,
                            "rows": incoming.height,
                        }
                    ]
                ),
                "counts": record_json({"nps_responses": total}),
                "problems": record_json(list(problems)),
                "user": actor.name,
            },
        )
    return {
        "inserted": incoming.height - updated,
        "updated": updated,
        "run_id": run_id,
    }


# --- buying centre (issue 5) -------------------------------------------------------


def buying_centre_accounts(con: Connection) -> pl.DataFrame:
    """Return every account with its number of contacts, by name, for the picker."""
    return query_frame(
        con,
        """
        SELECT a.account_id, a.name, count(c.contact_id) AS contacts
        FROM accounts a LEFT JOIN contacts c USING (account_id)
        GROUP BY a.account_id, a.name ORDER BY lower(a.name), a.account_id
        """,
    )


def read_buying_centre(
    con: Connection,
    account_id: str,
    *,
    months: int = 12,
    as_of: date | None = None,
) -> BuyingCentreData:
    """Return one account's buying centre with our touches in a window of months.

    Args:
        con: an open connection.
        account_id: the account.
        months: the window's length in calendar months, ending on ``as_of``.
        as_of: the window's last day; default the last day in the data.

    Raises:
        RejectedInputError: the account does not exist or ``months`` is not positive.
    """
    if months < 1:
        raise RejectedInputError(f"the window must be at least one month, not {months}")
    names = query_frame(
        con,
        "SELECT name FROM accounts WHERE account_id = $a",
        {"a": account_id},
    )
    if names.height == 0:
        raise RejectedInputError(f"no account has the ID {account_id!r}")
    end = as_of or data_date_range(con)[1] or _now().date()
    start = months_before(end, months)
    contacts = query_frame(
        con,
        """
        WITH people AS (SELECT * FROM contacts WHERE account_id = $a),
        touched AS (
            SELECT contact_id, max(activity_date) AS last_touch FROM activities
            WHERE contact_id IN (SELECT contact_id FROM people)
              AND activity_date <= $end
            GROUP BY contact_id
        ),
        nps AS (
            SELECT contact_id, score AS nps_score, responded_on AS nps_date
            FROM nps_responses
            WHERE contact_id IN (SELECT contact_id FROM people) AND responded_on <= $end
            QUALIFY row_number() OVER (
                PARTITION BY contact_id ORDER BY responded_on DESC, response_id DESC
            ) = 1
        ),
        managers AS (
            SELECT contact_id, min(account_id) AS manager_account_id FROM contacts
            WHERE contact_id IN (SELECT reports_to_id FROM people)
            GROUP BY contact_id
        )
        SELECT p.contact_id, p.name, p.title, p.department, p.reports_to_id,
               m.manager_account_id, p.buying_role, p.influence, p.attitude,
               p.email, p.phone, t.last_touch, n.nps_score, n.nps_date
        FROM people p
        LEFT JOIN managers m ON m.contact_id = p.reports_to_id
        LEFT JOIN touched t ON t.contact_id = p.contact_id
        LEFT JOIN nps n ON n.contact_id = p.contact_id
        ORDER BY p.contact_id
        """,
        {"a": account_id, "end": end},
    )
    influences = query_frame(
        con,
        """
        WITH people AS (SELECT contact_id FROM contacts WHERE account_id = $a)
        SELECT from_contact_id, to_contact_id, max(strength) AS strength
        FROM contact_influences
        WHERE from_contact_id IN (SELECT contact_id FROM people)
           OR to_contact_id IN (SELECT contact_id FROM people)
        GROUP BY ALL ORDER BY ALL
        """,
        {"a": account_id},
    )
    touches = query_frame(
        con,
        """
        SELECT x.seller_id, s.name AS seller_name, s.team AS seller_team,
               x.contact_id, count(*) AS touches,
               coalesce(sum(x.duration_minutes), 0)::DOUBLE AS minutes,
               max(x.activity_date) AS last_touch
        FROM activities x LEFT JOIN sellers s USING (seller_id)
        WHERE (x.account_id = $a
               OR x.contact_id IN (SELECT contact_id FROM contacts WHERE account_id = $a))
          AND x.activity_date > $start AND x.activity_date <= $end
        GROUP BY ALL ORDER BY touches DESC, x.seller_id, x.contact_id
        """,
        {"a": account_id, "start": start, "end": end},
    )
    return BuyingCentreData(
        account_id=account_id,
        account_name=str(names["name"][0]),
        start=start,
        end=end,
        contacts=contacts,
        influences=influences,
        touches=touches,
    )


def _check_contact_changes(changes: pl.DataFrame) -> list[str]:
    # Messages for every change outside the vocabularies; empty when all is well.
    problems: list[str] = []
    missing = {"contact_id", "field", "new_value"} - set(changes.columns)
    if missing:
        return [f"changes need the columns {sorted(missing)}"]
    allowed: dict[str, set[str]] = {
        "buying_role": set(BUYING_ROLES),
        "attitude": set(ATTITUDES),
        "influence": {
            str(v) for v in range(INFLUENCE_RANGE[0], INFLUENCE_RANGE[1] + 1)
        },
    }
    for change in changes.iter_rows(named=True):  # a person's edits: a few rows
        field, value = change["field"], change["new_value"]
        if field not in allowed:
            problems.append(f"{change['contact_id']}: {field!r} cannot be edited here")
        elif value is not None and str(value) not in allowed[field]:
            choices = ", ".join(sorted(allowed[field]))
            problems.append(
                f"{change['contact_id']}: {value!r} is not a valid {field} ({choices})"
            )
    if changes.select("contact_id", "field").is_duplicated().any():
        problems.append("a contact's field is changed twice in one save")
    return problems


def save_contact_edits(con: Connection, actor: Actor, changes: pl.DataFrame) -> int:
    """Set buying roles, influence and attitudes, and record each change with who and when.

    Args:
        con: an open, writable connection.
        actor: who saves; needs the ``edit`` permission.
        changes: one row per changed value: ``contact_id, field, new_value`` where
            ``field`` is one of :data:`CONTACT_EDIT_FIELDS` and ``new_value`` is text
            (``"4"`` for influence) or NULL to clear it.

    Returns:
        How many values actually changed (unchanged values are not recorded).

    Raises:
        PermissionDeniedError: the actor may not edit.
        RejectedInputError: an unknown person, field or value; nothing is saved.
    """
    require(actor, "edit")
    if changes.height == 0:
        return 0
    changes = changes.select(
        pl.col("contact_id").cast(pl.String),
        pl.col("field").cast(pl.String),
        pl.col("new_value").cast(pl.String),
    )
    problems = _check_contact_changes(changes)
    if problems:
        raise RejectedInputError("; ".join(problems))
    with write_transaction(con) as cur:
        cur.register("_contact_changes", changes.to_arrow())
        try:
            unknown = cur.sql(
                """
                SELECT DISTINCT contact_id FROM _contact_changes
                WHERE contact_id NOT IN (SELECT contact_id FROM contacts)
                ORDER BY contact_id
                """
            ).fetchall()
            if unknown:
                raise RejectedInputError(
                    "no contact has the ID "
                    + ", ".join(repr(str(row[0])) for row in unknown)
                )
            cur.execute(
                """
                CREATE TEMP TABLE _contact_edit_rows AS
                SELECT ch.contact_id, ch.field,
                       CASE ch.field
                           WHEN 'buying_role' THEN c.buying_role
                           WHEN 'influence' THEN c.influence::VARCHAR
                           ELSE c.attitude
                       END AS old_value,
                       ch.new_value
                FROM _contact_changes ch JOIN contacts c USING (contact_id)
                """
            )
            cur.execute(
                "DELETE FROM _contact_edit_rows WHERE old_value IS NOT DISTINCT FROM new_value"
            )
            changed = int(
                cur.sql("SELECT count(*) FROM _contact_edit_rows").fetchall()[0][0]
            )
            cur.execute(
                """
                INSERT INTO contact_edits
                SELECT (SELECT coalesce(max(edit_id), 0) FROM contact_edits)
                           + row_number() OVER (ORDER BY contact_id, field),
                       contact_id, field, old_value, new_value, $by, $at
                FROM _contact_edit_rows
                """,
                {"by": actor.name, "at": _now()},
            )
            cur.execute(
                """
                UPDATE contacts SET buying_role = e.new_value FROM _contact_edit_rows e
                WHERE e.contact_id = contacts.contact_id AND e.field = 'buying_role'
                """
            )
            cur.execute(
                """
                UPDATE contacts SET influence = e.new_value::TINYINT
                FROM _contact_edit_rows e
                WHERE e.contact_id = contacts.contact_id AND e.field = 'influence'
                """
            )
            cur.execute(
                """
                UPDATE contacts SET attitude = e.new_value FROM _contact_edit_rows e
                WHERE e.contact_id = contacts.contact_id AND e.field = 'attitude'
                """
            )
            cur.execute("DROP TABLE _contact_edit_rows")
        finally:
            cur.unregister("_contact_changes")
    return changed


def contact_edit_history(
    con: Connection, account_id: str, *, limit: int = 50
) -> pl.DataFrame:
    """Return the latest edits to an account's people: who changed what, when."""
    return query_frame(
        con,
        """
        SELECT e.edited_at, e.edited_by, c.name, e.field, e.old_value, e.new_value,
               e.contact_id
        FROM contact_edits e JOIN contacts c USING (contact_id)
        WHERE c.account_id = $a
        ORDER BY e.edit_id DESC LIMIT $limit
        """,
        {"a": account_id, "limit": limit},
    )


# --- import of CRM exports (issue 4) ---------------------------------------------

# The import stages every file as text in temporary tables inside one write
# transaction, parses and checks it with SQL (one set of rules for small and huge
# files), then upserts by (source, source_id). Before-images of every row it touches
# go to import_undo_rows, so the last import can be undone exactly.

_IMPORT_UNDO_TABLES = (
    """
    CREATE TABLE IF NOT EXISTS import_undo_rows (
        run_id BIGINT NOT NULL,
        table_name VARCHAR NOT NULL,
        row_key VARCHAR NOT NULL,
        existed BOOLEAN NOT NULL,
        row_json VARCHAR
    )
    """,
)

# Activities are the one table with millions of rows. Its primary-key index made
# appending a 2M-row export cost more than reading the file, so the table is
# rebuilt without it: the import keeps activity IDs unique (a duplicate check on
# the incoming rows, then an upsert by key), and ``import_run_id`` marks the rows
# an import inserted, so undoing it needs no per-row journal for new rows.
# ``source_id`` no longer repeats a CRM's own ID (it is the activity_id): a second
# copy of millions of unique IDs cost a sixth of the load.
_ACTIVITIES_WITHOUT_INDEX = (
    """
    CREATE TABLE activities_v8 AS
    SELECT activity_id, account_id, contact_id, seller_id, kind, activity_date,
           duration_minutes, subject, source,
           CASE WHEN source_id IS DISTINCT FROM activity_id THEN source_id END AS source_id,
           NULL::BIGINT AS import_run_id
    FROM activities
    """,
    "DROP TABLE activities",
    "ALTER TABLE activities_v8 RENAME TO activities",
)

MIGRATIONS = tuple(
    sorted(
        (
            *MIGRATIONS,
            Migration(3, "undo journal of the last import", _IMPORT_UNDO_TABLES),
            Migration(
                8,
                "activities without a key index, marked with the import run",
                _ACTIVITIES_WITHOUT_INDEX,
            ),
        ),
        key=lambda m: m.version,
    )
)


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
}
#: Order in which an import fills tables (references point backwards).
IMPORT_ORDER: tuple[str, ...] = (
    "sellers",
    "accounts",
    "contacts",
    "contact_influences",
    "opportunities",
    "opportunity_contacts",
    "activities",
    "nps_responses",
)
#: Rows listed per (file, column, check) before the rest is summarised.
IMPORT_PROBLEM_ROWS = 20

_IMPORT_MACROS = (
    # Numbers as people write them: 1,200,000.00 / 1.200.000,00 / $1.2M / 120万.
    r"""
    CREATE OR REPLACE TEMP MACRO wb_num_core(x) AS
        regexp_replace(x, '(?i)(k|m|mm|mio|mn|b|bn|万|萬|亿|億|千)$', '')
    """,
    r"""
    CREATE OR REPLACE TEMP MACRO wb_num_scale(x) AS CASE
        WHEN x ~ '(?i).*[0-9](k|千)$' THEN 1e3
        WHEN x ~ '(?i).*[0-9](m|mm|mio|mn)$' THEN 1e6
        WHEN x ~ '(?i).*[0-9](b|bn)$' THEN 1e9
        WHEN x ~ '.*[0-9](万|萬)$' THEN 1e4
        WHEN x ~ '.*[0-9](亿|億)$' THEN 1e8
        ELSE 1 END
    """,
    r"""
    CREATE OR REPLACE TEMP MACRO wb_num_plain(x) AS CASE
        WHEN x ~ '^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$' THEN replace(x, ',', '')
        WHEN x ~ '^[+-]?[0-9]{1,3}(\.[0-9]{3})+,[0-9]+$' THEN replace(replace(x, '.', ''), ',', '.')
        WHEN x ~ '^[+-]?[0-9]{1,3}(\.[0-9]{3}){2,}$' THEN replace(x, '.', '')
        WHEN x ~ '^[+-]?[0-9]+,[0-9]+$' THEN replace(x, ',', '.')
        ELSE x END
    """,
    r"""
    CREATE OR REPLACE TEMP MACRO wb_num_text(s) AS
        regexp_replace(trim(s), '[\s$€£¥￥%]|(?i:usd|eur|rmb|cny|gbp|chf|元)', '', 'g')
    """,
    """
    CREATE OR REPLACE TEMP MACRO wb_num(s) AS coalesce(
        -- plain numbers skip the regular expressions
        CASE WHEN isfinite(TRY_CAST(s AS DOUBLE)) THEN TRY_CAST(s AS DOUBLE) END,
        TRY_CAST(wb_num_plain(wb_num_core(wb_num_text(s))) AS DOUBLE)
        * wb_num_scale(wb_num_text(s)))
    """,
    r"""
    CREATE OR REPLACE TEMP MACRO wb_date(s, date_order) AS coalesce(
        TRY_CAST(s AS DATE),
        TRY_CAST(TRY_CAST(s AS TIMESTAMP) AS DATE),
        TRY_CAST(try_strptime(s, '%d.%m.%Y') AS DATE),
        TRY_CAST(try_strptime(split_part(s, ' ', 1), '%Y年%m月%d日') AS DATE),
        TRY_CAST(try_strptime(split_part(s, ' ', 1), '%Y/%m/%d') AS DATE),
        CASE
            WHEN date_order = 'mdy' THEN TRY_CAST(try_strptime(split_part(s, ' ', 1), '%m/%d/%Y') AS DATE)
            WHEN date_order = 'dmy' THEN TRY_CAST(try_strptime(split_part(s, ' ', 1), '%d/%m/%Y') AS DATE)
        END)
    """,
    """
    CREATE OR REPLACE TEMP MACRO wb_bool(s) AS CASE
        -- the usual spellings first, compared as they are: lower(trim()) copies
        -- the text, which costs seconds over millions of IsDeleted cells
        WHEN s IN ('false', 'FALSE', 'False', '0') THEN false
        WHEN s IN ('true', 'TRUE', 'True', '1') THEN true
        WHEN lower(trim(s)) IN $true_values THEN true
        WHEN lower(trim(s)) IN $false_values THEN false
        END
    """,
)


def _import_macros(cur: Connection) -> None:
    for statement in _IMPORT_MACROS:
        if "$true_values" in statement:
            # Macro bodies cannot take parameters; the two lists are constants of
            # workbench.vocabulary, quoted here.
            trues = ", ".join(_sql_text_literal(v) for v in vocabulary.TRUE_VALUES)
            falses = ", ".join(_sql_text_literal(v) for v in vocabulary.FALSE_VALUES)
            statement = statement.replace("$true_values", f"({trues})").replace(
                "$false_values", f"({falses})"
            )
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
        }
    )
    stages = pl.DataFrame(
        {
            "value": [*vocabulary.WON_STAGES, *vocabulary.LOST_STAGES],
            "is_won": [True] * len(vocabulary.WON_STAGES)
            + [False] * len(vocabulary.LOST_STAGES),
        }
    )
    for name, frame in (
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


def import_stage_frame(
    cur: Connection, index: int, table: str, frame: pl.DataFrame
) -> int:
    """Stage an all-text frame (``_row``, ``_file``, ``_source``, ``_kind`` and canonical columns).

    Returns the rows staged.
    """
    columns = _import_columns(table)
    expected = ["_row", "_file", "_source", "_kind", *columns]
    if frame.columns != expected:
        raise ValueError(f"staged frame for {table} must have the columns {expected}")
    deleted = (
        "coalesce(wb_bool(is_deleted), false)" if "is_deleted" in columns else "false"
    )
    cur.register("_import_incoming", frame.to_arrow())
    try:
        cur.execute(
            f"CREATE TEMP TABLE {_import_stage_name(index)} AS "
            f"SELECT *, {deleted} AS _deleted FROM _import_incoming"
        )
    finally:
        cur.unregister("_import_incoming")
    return frame.height


_CSV_READER = """read_csv($path, all_varchar = true, header = true, names = $names,
                        delim = $delim, quote = '"', escape = '"',
                        null_padding = true, strict_mode = true)"""


def _csv_params(path: str, n_columns: int, delimiter: str) -> dict[str, Any]:
    return {
        "path": path,
        "names": [f"c{i}" for i in range(n_columns)],
        "delim": delimiter,
    }


def _raw_column(positions: dict[str, int], column: str) -> str:
    # The file's text, without surrounding spaces, empty as NULL (the reader
    # already gives empty fields as NULL); NULL when the file lacks the column.
    # trim() copies every string; the LIKE guards compare bytes, so only padded
    # values pay for it (a quarter of the load time of a 2M-row file otherwise).
    if column not in positions:
        return "NULL::VARCHAR"
    field = f"c{int(positions[column])}"
    return (
        f"CASE WHEN {field} LIKE ' %' OR {field} LIKE '% ' "
        f"THEN nullif(trim({field}), '') ELSE nullif({field}, '') END"
    )


def _reject_ragged(
    cur: Connection, params: dict[str, Any], n_columns: int, file: str
) -> None:
    """Refuse a file with rows longer than its header, naming the first rows."""
    # Short rows are padded (as the small-file reader does); a row with more
    # fields than the header shows up as an extra column in the sample.
    described = cur.sql(
        f"DESCRIBE SELECT * FROM {_CSV_READER}", params=params
    ).fetchall()
    extra = [str(r[0]) for r in described[n_columns:]]
    if not extra or not all(
        name.startswith("column") and name[6:].isdigit() for name in extra
    ):
        return
    condition = " OR ".join(f"{name} IS NOT NULL" for name in extra)
    rows = cur.sql(
        f"SELECT r FROM (SELECT row_number() OVER () AS r, * FROM {_CSV_READER}) "
        f"WHERE {condition} ORDER BY r LIMIT 5",
        params=params,
    ).fetchall()
    if rows:
        raise RejectedInputError(
            f"{file}: row {rows[0][0]} has more fields than the header "
            f"({n_columns}) (ragged rows at data rows "
            f"{', '.join(str(r[0]) for r in rows)}); check the delimiter and "
            "quoting, or re-export the file."
        )


def _reader_refused(file: str, error: duckdb.Error) -> RejectedInputError:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return RejectedInputError(
        f"{file}: the CSV reader refused the file: {first_line[:300]}"
    )


def import_stage_csv(
    cur: Connection,
    index: int,
    table: str,
    path: str,
    *,
    positions: dict[str, int],
    n_columns: int,
    delimiter: str,
    file: str,
    source: str,
    kind: str | None,
) -> int:
    """Stage a large UTF-8 CSV file with DuckDB's reader, every value as text.

    Args:
        cur: the import's write transaction.
        index: the stage's number in this import.
        table: the target table.
        path: the UTF-8 CSV file.
        positions: canonical column → 0-based position of the file's column.
        n_columns: how many columns the header has.
        delimiter: the sniffed delimiter.
        file: the file's name, for problems.
        source: the recognised source.
        kind: the activity kind when the file does not say.

    Returns:
        The rows staged.

    Raises:
        RejectedInputError: the CSV reader refused the file (ragged rows, quotes).
    """
    columns = _import_columns(table)
    select = ", ".join(f"{_raw_column(positions, c)} AS {c}" for c in columns)
    deleted = (
        f"coalesce(wb_bool({_raw_column(positions, 'is_deleted')}), false)"
        if "is_deleted" in positions
        else "false"
    )
    params = _csv_params(path, n_columns, delimiter)
    try:
        _reject_ragged(cur, params, n_columns, file)
        cur.execute(
            f"""
            CREATE TEMP TABLE {_import_stage_name(index)} AS
            SELECT NULL::BIGINT AS _row, $file::VARCHAR AS _file,
                   $source::VARCHAR AS _source, $kind::VARCHAR AS _kind, {select},
                   {deleted} AS _deleted
            FROM {_CSV_READER}
            """,
            {**params, "file": file, "source": source, "kind": kind},
        )
    except duckdb.Error as error:
        raise _reader_refused(file, error) from error
    rows = cur.sql(f"SELECT count(*) FROM {_import_stage_name(index)}").fetchall()
    return int(rows[0][0])


def import_activities_direct(
    cur: Connection,
    run_id: int,
    path: str,
    *,
    positions: dict[str, int],
    n_columns: int,
    delimiter: str,
    file: str,
    source: str,
    kind: str | None,
) -> tuple[int, pl.DataFrame] | None:
    """Load a large activity CSV straight into ``activities`` when it is clean.

    The staged path reads a file into a temporary table, checks it and copies it
    again; for a multi-million-row export of calls and e-mails those extra
    passes cost more than reading the file. This path parses and inserts in
    one pass, marking with ``-run_id`` every row the staged path would have
    something to say about (a deleted row, an unreadable value, a missing ID,
    a name to look up), then checks the inserted rows: no mark, no duplicate or
    already stored ID. References to a missing account, person or seller are
    reported and cleared as the staged path does.

    Returns:
        The rows inserted and the reference warnings (the layout of
        :func:`import_missing_references`) when the file is otherwise clean:
        the import is then complete except for recording the run. None when it
        is not: the caller must roll the transaction back and take the staged
        path, which reports each problem with its row.

    Raises:
        RejectedInputError: the CSV reader refused the file (ragged rows, quotes).
    """
    raw = {c: _raw_column(positions, c) for c in _import_columns("activities")}
    # Each value is parsed once (inner query); the mark compares it with the text.
    problem = " OR ".join(
        (
            "p.activity_id IS NULL",
            "(p.is_deleted IS NOT NULL AND coalesce(wb_bool(p.is_deleted), true))",
            "(p.kind IS NOT NULL AND p.known_kind IS NULL)",
            "(p.activity_date IS NOT NULL AND p.parsed_date IS NULL)",
            "(p.duration_minutes IS NOT NULL AND p.parsed_minutes IS NULL)",
            "(p.duration_seconds IS NOT NULL AND p.parsed_seconds IS NULL)",
            "(p.account_id IS NULL AND p.account_name IS NOT NULL)",
            "(p.contact_id IS NULL AND p.contact_name IS NOT NULL)",
            "(p.seller_id IS NULL AND p.seller_name IS NOT NULL)",
        )
    )
    params = _csv_params(path, n_columns, delimiter)
    try:
        _reject_ragged(cur, params, n_columns, file)
        inserted = cur.execute(
            f"""
            INSERT INTO activities (activity_id, account_id, contact_id, seller_id, kind,
                                    activity_date, duration_minutes, subject, source,
                                    source_id, import_run_id)
            SELECT p.activity_id, p.account_id, p.contact_id, p.seller_id,
                   coalesce(p.known_kind, $kind::VARCHAR), p.parsed_date,
                   coalesce(p.parsed_minutes, p.parsed_seconds / 60),
                   p.subject, $source::VARCHAR, NULL,
                   CASE WHEN {problem} THEN -$run ELSE $run END
            FROM (
                SELECT r.*, kv.kind AS known_kind,
                       wb_date(r.activity_date, NULL) AS parsed_date,
                       wb_num(r.duration_minutes) AS parsed_minutes,
                       wb_num(r.duration_seconds) AS parsed_seconds
                FROM (SELECT {", ".join(f"{e} AS {c}" for c, e in raw.items())}
                      FROM {_CSV_READER}) r
                LEFT JOIN _import_kinds kv ON kv.value = lower(r.kind)
            ) p
            """,
            {**params, "source": source, "kind": kind, "run": run_id},
        ).fetchall()
    except duckdb.Error as error:
        raise _reader_refused(file, error) from error
    rows = int(inserted[0][0]) if inserted else 0
    marked, distinct_hashes, total = cur.sql(
        """
        SELECT count(*) FILTER (WHERE import_run_id = -$run),
               count(DISTINCT hash(activity_id)), count(*)
        FROM activities
        """,
        params={"run": run_id},
    ).fetchall()[0]
    # Distinct hashes prove distinct IDs, and counting 64-bit hashes is cheaper
    # than grouping the strings; only a collision needs the exact check.
    clean = marked == 0 and (
        distinct_hashes == total
        or not cur.sql(
            "SELECT 1 FROM activities GROUP BY activity_id HAVING count(*) > 1 LIMIT 1"
        ).fetchall()
    )
    if rows == 0 or not clean:
        return None
    references = _direct_reference_problems(cur, run_id, params, positions, file)
    if references is None:
        return None
    # Only the last import can be undone; this one's rows carry its mark.
    cur.execute("DELETE FROM import_undo_rows")
    return rows, references


def _direct_reference_problems(
    cur: Connection,
    run_id: int,
    params: dict[str, Any],
    positions: dict[str, int],
    file: str,
) -> pl.DataFrame | None:
    """Report and clear the directly loaded rows' references to missing records.

    The same warnings as the staged path (a task naming a lead rather than a
    contact is common in Salesforce exports): grouped per value with the first
    row, and the reference left empty. Returns None when the staged path is
    needed after all (an error-level reference, or names it would then look up).
    """
    checks = [
        (column, target, key, level)
        for table, column, target, key, level in _IMPORT_REFERENCES
        if table == "activities"
    ]
    dangling = {
        column: f"a.{column} IS NOT NULL AND a.{column} NOT IN (SELECT {key} FROM {target})"
        for column, target, key, _level in checks
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
    found = int(cur.sql("SELECT count(*) FROM _import_dangling").fetchall()[0][0])
    names = {"account_name", "contact_name", "seller_name"} & set(positions)
    if found and (names or any(level != "warning" for *_rest, level in checks)):
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
    for column, _target, _key, level in checks:
        if not found:
            break
        problems.append(
            _reference_problem_rows(
                cur,
                f"SELECT _file, _row, {column} AS value FROM _import_dangling_rows "
                f"WHERE {column} IS NOT NULL",
                level=level,
                table="activities",
                column=column,
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
    if not problems:
        return pl.DataFrame()
    return pl.concat(problems, how="vertical_relaxed")


def import_union(cur: Connection, table: str, indexes: Sequence[int]) -> None:
    """Make ``_import_in_<table>``: the table's staged files together, deleted rows out."""
    if table not in vocabulary.CANONICAL_COLUMNS or not indexes:
        raise ValueError(f"nothing staged for {table}")
    # A large CSV is staged in file order without row numbers (a window over
    # millions of rows costs time): its rowid gives the row. Rows written in
    # this transaction have rowids from an offset, not from 0; the first is row 1.
    firsts = {
        i: int(
            cur.sql(
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
        f"SELECT * FROM _import_all_{table} WHERE NOT _deleted"
    )


def import_deleted_rows(cur: Connection, table: str) -> pl.DataFrame:
    """Return per file how many rows were marked deleted (and so are skipped)."""
    if "is_deleted" not in _import_columns(table):
        return pl.DataFrame(schema={"_file": pl.String, "rows": pl.Int64})
    deleted: pl.DataFrame = cur.sql(
        f"""
        SELECT _file, count(*)::BIGINT AS rows FROM _import_all_{table}
        WHERE _deleted GROUP BY _file ORDER BY _file
        """
    ).pl()
    return deleted


def import_slash_dates(cur: Connection, table: str, column: str) -> pl.DataFrame:
    """Return, per file, how slash dates (a/b/yyyy) in a column could be read.

    Columns: ``_file``, ``slash_values``, ``max_first``, ``max_second``.
    """
    if column not in _import_columns(table) or column not in vocabulary.DATE_COLUMNS:
        raise ValueError(f"{table}.{column} is not a date column")
    stats: pl.DataFrame = cur.sql(
        f"""
        SELECT _file, count(*)::BIGINT AS slash_values,
               max(TRY_CAST(split_part(v, '/', 1) AS INTEGER)) AS max_first,
               max(TRY_CAST(split_part(v, '/', 2) AS INTEGER)) AS max_second
        FROM (
            SELECT _file, split_part({column}, ' ', 1) AS v FROM _import_in_{table}
            WHERE contains({column}, '/')  -- cheap filter before the pattern
        )
        WHERE regexp_full_match(v, '[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{4}}')
        GROUP BY _file
        """
    ).pl()
    return stats


def import_set_date_orders(
    cur: Connection, tables: Sequence[str], orders: pl.DataFrame
) -> None:
    """Attach the date order chosen per (file, column) to every staged table.

    ``orders`` has ``_file``, ``col`` and ``date_order`` (``mdy``, ``dmy`` or null).
    """
    cur.register(
        "_import_orders_in", orders.select("_file", "col", "date_order").to_arrow()
    )
    try:
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE _import_date_orders AS "
            "SELECT * FROM _import_orders_in"
        )
    finally:
        cur.unregister("_import_orders_in")
    for table in tables:
        dates = [c for c in _import_columns(table) if c in vocabulary.DATE_COLUMNS]
        files = [
            str(r[0])
            for r in cur.sql(
                f"SELECT DISTINCT _file FROM _import_all_{table}"
            ).fetchall()
        ]
        chosen = orders.filter(
            pl.col("col").is_in(dates) & pl.col("_file").is_in(files)
        )
        distinct = chosen.select("col", "date_order").unique()
        if distinct.filter(pl.col("date_order").is_not_null()).height == 0 or (
            len(files) == 1
        ):
            # One order per column for the whole table (the usual case): constants,
            # and the parsed input stays a cheap view over the staged rows.
            by_column = {
                str(c): str(o) for c, o in distinct.rows() if o in {"mdy", "dmy"}
            }
            columns = ", ".join(
                f"'{by_column[c]}' AS _order_{c}"
                if c in by_column
                else f"NULL::VARCHAR AS _order_{c}"
                for c in dates
            )
            cur.execute(
                f"CREATE OR REPLACE TEMP VIEW _import_in_{table} AS "
                f"SELECT *{', ' + columns if columns else ''} "
                f"FROM _import_all_{table} WHERE NOT _deleted"
            )
            continue
        columns = ", ".join(f"o_{c}.date_order AS _order_{c}" for c in dates)
        joins = " ".join(
            f"LEFT JOIN (SELECT _file, date_order FROM _import_date_orders "
            f"WHERE col = '{c}') o_{c} ON o_{c}._file = a._file"
            for c in dates
        )
        # Files with different orders: joined once and kept as a table.
        cur.execute(f"DROP VIEW IF EXISTS _import_in_{table}")
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE _import_in_{table} AS "
            f"SELECT a.*, {columns} "
            f"FROM _import_all_{table} a {joins} WHERE NOT a._deleted"
        )


def import_drop_stages(
    cur: Connection, tables: Sequence[str], indexes: Sequence[int]
) -> None:
    """Drop staged copies that a materialised ``_import_in_<table>`` replaced."""
    materialised = {
        str(r[0]).removeprefix("_import_in_")
        for r in cur.sql(
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
        for r in cur.sql(
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
    for (stage,) in cur.sql(
        "SELECT table_name FROM duckdb_tables() WHERE temporary "
        "AND starts_with(table_name, '_import_stage_')"
    ).fetchall():
        if str(stage).removeprefix("_import_stage_").isdigit():
            cur.execute(f"DROP TABLE IF EXISTS {stage}")


def _date_expr(table_alias: str, column: str) -> str:
    # The order chosen for this file and column (mdy/dmy), else ISO-like only.
    return f"wb_date({table_alias}.{column}, {table_alias}._order_{column})"


def _value_checks(table: str) -> list[tuple[str, str, str, str]]:
    """Return (column, level, SQL condition of a bad value, message) for a table."""
    checks: list[tuple[str, str, str, str]] = []
    for column in _import_columns(table):
        if column in vocabulary.NUMBER_COLUMNS:
            checks.append(
                (column, "error", f"wb_num(s.{column}) IS NULL", "is not a number")
            )
        elif column in vocabulary.INTEGER_COLUMNS:
            checks.append(
                (
                    column,
                    "error",
                    f"(wb_num(s.{column}) IS NULL OR wb_num(s.{column}) <> round(wb_num(s.{column})))",
                    "is not a whole number",
                )
            )
        elif column in vocabulary.DATE_COLUMNS:
            checks.append(
                (
                    column,
                    "error",
                    f"{_date_expr('s', column)} IS NULL",
                    "is not a date the workbench reads (2024-03-15, 2024/3/5, 15.03.2024, "
                    "03/15/2024, 2024年3月5日, ISO timestamps)",
                )
            )
        elif column in vocabulary.BOOL_COLUMNS:
            checks.append(
                (
                    column,
                    "error",
                    f"wb_bool(s.{column}) IS NULL",
                    "is not true/false (true, 1, yes, 是 / false, 0, no, 否)",
                )
            )
        elif column == "influence":
            checks.append(
                (
                    column,
                    "warning",
                    "lower(s.influence) NOT IN (SELECT value FROM _import_influences)",
                    "is not an influence of 1–5 or 高/中/低; stored as unknown",
                )
            )
        elif column == "attitude":
            checks.append(
                (
                    column,
                    "warning",
                    "lower(s.attitude) NOT IN (SELECT value FROM _import_attitudes)",
                    "is not an attitude (champion, supporter, neutral, skeptic, blocker); stored as unknown",
                )
            )
        elif column == "kind":
            checks.append(
                (
                    column,
                    "warning",
                    "lower(s.kind) NOT IN (SELECT value FROM _import_kinds)",
                    "is not a known activity kind; the file's default kind is used",
                )
            )
    return checks


def _capped(sql: str) -> str:
    # Keep the first rows of each (file, check) and count them all.
    return f"""
        SELECT _file, _row, value, check_id, count(*) OVER (PARTITION BY _file, check_id) AS total
        FROM ({sql})
        QUALIFY row_number() OVER (PARTITION BY _file, check_id ORDER BY _row) <= {IMPORT_PROBLEM_ROWS}
    """


def import_value_problems(cur: Connection, table: str) -> pl.DataFrame:
    """Return unreadable values of a staged table, in one scan.

    Columns: ``level``, ``_file``, ``_row``, ``column``, ``value``, ``message``,
    ``total`` (how many rows of that file fail the same check).
    """
    checks = _value_checks(table)
    empty = pl.DataFrame(
        schema={
            "level": pl.String,
            "_file": pl.String,
            "_row": pl.Int64,
            "column": pl.String,
            "value": pl.String,
            "message": pl.String,
            "total": pl.Int64,
        }
    )
    if not checks:
        return empty
    # One scan finds the rows with any bad value; only those are split by check.
    conditions = [
        f"(s.{column} IS NOT NULL AND {condition})"
        for column, _level, condition, _message in checks
    ]
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE _import_bad AS SELECT * FROM _import_in_{table} s "
        f"WHERE {' OR '.join(conditions)}"
    )
    arms = " UNION ALL ".join(
        f"SELECT s._file, s._row, s.{column} AS value, {i} AS check_id "
        f"FROM _import_bad s WHERE {conditions[i]}"
        for i, (column, _level, _condition, _message) in enumerate(checks)
    )
    found: pl.DataFrame = cur.sql(_capped(arms)).pl()
    if found.height == 0:
        return empty
    meta = pl.DataFrame(
        {
            "check_id": list(range(len(checks))),
            "column": [c[0] for c in checks],
            "level": [c[1] for c in checks],
            "message": [c[3] for c in checks],
        },
        schema={
            "check_id": pl.Int32,
            "column": pl.String,
            "level": pl.String,
            "message": pl.String,
        },
    )
    return (
        found.with_columns(pl.col("check_id").cast(pl.Int32))
        .join(meta, on="check_id")
        .select(
            "level",
            "_file",
            pl.col("_row").cast(pl.Int64),
            "column",
            "value",
            "message",
            pl.col("total").cast(pl.Int64),
        )
        .sort("_file", "column", "_row")
    )


def import_role_problems(cur: Connection) -> pl.DataFrame:
    """Return buying-role values not in the vocabularies, and multi-role cells.

    Columns: ``level``, ``_file``, ``_row``, ``column``, ``value``, ``message``, ``total``.
    """
    sql = """
        WITH parts AS (
            SELECT s._file, s._row, s.buying_role,
                   trim(unnest(string_split(s.buying_role, ';'))) AS part
            FROM _import_in_contacts s WHERE s.buying_role IS NOT NULL
        ), mapped AS (
            SELECT p.*, v.value IS NULL AS unknown, v.role, v.precedence FROM parts p
            LEFT JOIN _import_roles v ON v.value = lower(p.part)
        ), per_row AS (
            SELECT _file, _row, any_value(buying_role) AS value,
                   bool_or(unknown) AS has_unknown,
                   count(DISTINCT role) AS roles,
                   arg_min(role, precedence) AS kept
            FROM mapped GROUP BY _file, _row
        )
        SELECT _file, _row, value, CASE WHEN has_unknown THEN 0 ELSE 1 END AS check_id,
               kept
        FROM per_row WHERE has_unknown OR roles > 1
    """
    found: pl.DataFrame = cur.sql(
        f"""
        SELECT _file, _row, value, check_id, kept,
               count(*) OVER (PARTITION BY _file, check_id) AS total
        FROM ({sql})
        QUALIFY row_number() OVER (PARTITION BY _file, check_id ORDER BY _row) <= {IMPORT_PROBLEM_ROWS}
        """
    ).pl()
    return found.select(
        pl.lit("warning").alias("level"),
        "_file",
        pl.col("_row").cast(pl.Int64),
        pl.lit("buying_role").alias("column"),
        "value",
        pl.when(pl.col("check_id") == 0)
        .then(pl.lit("is not a known buying role; stored as unknown"))
        .otherwise(
            pl.lit("holds several roles; kept the most decisive: ")
            + pl.col("kept").fill_null("none")
        )
        .alias("message"),
        pl.col("total").cast(pl.Int64),
    )


def import_build(
    cur: Connection, tables: Sequence[str], *, overwrite_edits: bool
) -> None:
    """Parse and resolve every staged table into ``_import_new_<table>``.

    Names that refer to accounts, sellers and contacts are resolved against the
    import and the database; accounts named only by a reference are created.
    """
    staged = set(tables)
    if "sellers" in staged:
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE _import_new_sellers AS
            WITH s AS (
                SELECT *, coalesce(name, nullif(trim(concat_ws(' ', first_name, last_name)), ''))
                          AS full_name FROM _import_in_sellers
            ), k AS (
                SELECT *, coalesce(seller_id, full_name, email) AS natural_key FROM s
            )
            SELECT k._row, k._file, k._source, k.natural_key AS source_id,
                   coalesce(e.seller_id, k.seller_id,
                            k._source || ':' || left(md5(lower(k.natural_key)), 12)) AS seller_id,
                   coalesce(k.full_name, k.email, k.seller_id) AS name,
                   k.team, k.title, k.email
            FROM k LEFT JOIN sellers e ON e.source = k._source AND e.source_id = k.natural_key
            WHERE k.natural_key IS NOT NULL
            """
        )
    seller_index = (
        "SELECT lower(name) AS k, min(seller_id) AS seller_id FROM ("
        + (
            "SELECT name, seller_id FROM _import_new_sellers UNION ALL "
            if "sellers" in staged
            else ""
        )
        + "SELECT name, seller_id FROM sellers) GROUP BY 1"
    )
    cur.execute(f"CREATE OR REPLACE TEMP VIEW _import_seller_index AS {seller_index}")

    if "accounts" in staged:
        cur.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _import_new_accounts AS
            WITH s AS (SELECT *, coalesce(account_id, name) AS natural_key FROM _import_in_accounts),
            by_name AS (SELECT lower(name) AS k, min(account_id) AS account_id FROM accounts GROUP BY 1)
            SELECT s._row, s._file, s._source, s.natural_key AS source_id,
                   coalesce(e.account_id, s.account_id, n.account_id,
                            s._source || ':' || left(md5(lower(s.natural_key)), 12)) AS account_id,
                   s.name, s.industry, s.region, s.country,
                   wb_num(s.annual_revenue) AS annual_revenue,
                   round(wb_num(s.employees))::BIGINT AS employees,
                   s.parent_account_id, s.parent_account_name,
                   s.owner_seller_id, s.owner_seller_name,
                   wb_num(s.wallet_estimate) AS wallet_estimate,
                   wb_num(s.gross_margin_pct) AS gross_margin_pct,
                   {_date_expr("s", "created_on")} AS created_on,
                   s.contract_type, wb_num(s.direct_cost_annual) AS direct_cost_annual,
                   n.account_id IS NOT NULL AND s.account_id IS NULL AND e.account_id IS NULL
                       AS matched_by_name,
                   false AS created_from_reference,
                   s.account_id IS NOT NULL AS has_crm_id
            FROM s
            LEFT JOIN accounts e ON e.source = s._source AND e.source_id = s.natural_key
            LEFT JOIN by_name n ON n.k = lower(s.name) AND s.account_id IS NULL
            WHERE s.natural_key IS NOT NULL
            """
        )
        # A report export names accounts that another file of the import holds
        # with their ID: the same account, kept once (the row with the ID).
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE _import_merged AS
            SELECT 'accounts' AS "table", n._file, n._row::BIGINT AS _row, n.name,
                   min(m.account_id) AS into_id, min(m._file) AS into_file
            FROM _import_new_accounts n
            JOIN _import_new_accounts m ON m.has_crm_id AND lower(m.name) = lower(n.name)
            WHERE NOT n.has_crm_id
            GROUP BY ALL
            """
        )
        cur.execute(
            """
            DELETE FROM _import_new_accounts n
            WHERE NOT n.has_crm_id AND lower(n.name) IN (
                SELECT lower(name) FROM _import_new_accounts WHERE has_crm_id AND name IS NOT NULL)
            """
        )
    else:
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE _import_new_accounts AS
            SELECT NULL::BIGINT AS _row, NULL::VARCHAR AS _file, NULL::VARCHAR AS _source,
                   NULL::VARCHAR AS source_id, a.*  EXCLUDE (source, source_id),
                   NULL::VARCHAR AS parent_account_name, NULL::VARCHAR AS owner_seller_name,
                   false AS matched_by_name, false AS created_from_reference,
                   false AS has_crm_id
            FROM accounts a WHERE false
            """
        )
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE _import_merged AS
            SELECT NULL::VARCHAR AS "table", NULL::VARCHAR AS _file, NULL::BIGINT AS _row,
                   NULL::VARCHAR AS name, NULL::VARCHAR AS into_id, NULL::VARCHAR AS into_file
            WHERE false
            """
        )
    # Accounts that records name but neither the import nor the database holds.
    referrers = [t for t in ("contacts", "opportunities", "activities") if t in staged]
    if referrers:
        named = " UNION ALL ".join(
            f"SELECT _file, _row, _source, account_name FROM _import_in_{t} "
            "WHERE account_id IS NULL AND account_name IS NOT NULL"
            for t in referrers
        )
        cur.execute(
            f"""
            INSERT INTO _import_new_accounts BY NAME
            SELECT arg_min(_row, _file || lpad(_row::VARCHAR, 12, '0')) AS _row,
                   min(_file) AS _file, min(_source) AS _source,
                   min(account_name) AS source_id, min(account_name) AS name,
                   min(_source) || ':' || left(md5(lower(min(account_name))), 12) AS account_id,
                   false AS matched_by_name, true AS created_from_reference,
                   false AS has_crm_id
            FROM ({named}) r
            WHERE lower(account_name) NOT IN (
                    SELECT lower(name) FROM _import_new_accounts WHERE name IS NOT NULL)
              AND lower(account_name) NOT IN (SELECT lower(name) FROM accounts)
            GROUP BY lower(account_name)
            """
        )
    cur.execute(
        """
        CREATE OR REPLACE TEMP TABLE _import_account_index AS
        SELECT lower(name) AS k, min(account_id) AS account_id FROM (
            SELECT name, account_id FROM _import_new_accounts
            UNION ALL
            SELECT name, account_id FROM accounts
            WHERE lower(name) NOT IN (
                SELECT lower(name) FROM _import_new_accounts WHERE name IS NOT NULL)
        ) WHERE name IS NOT NULL GROUP BY 1
        """
    )
    # Parents and owners named by name.
    cur.execute(
        """
        UPDATE _import_new_accounts a SET parent_account_id = i.account_id
        FROM _import_account_index i
        WHERE a.parent_account_id IS NULL AND a.parent_account_name IS NOT NULL
          AND i.k = lower(a.parent_account_name)
        """
    )
    cur.execute(
        """
        UPDATE _import_new_accounts a SET owner_seller_id = i.seller_id
        FROM _import_seller_index i
        WHERE a.owner_seller_id IS NULL AND a.owner_seller_name IS NOT NULL
          AND i.k = lower(a.owner_seller_name)
        """
    )

    if "contacts" in staged:
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE _import_new_contacts AS
            WITH s AS (
                SELECT c.*, coalesce(c.name, nullif(trim(concat_ws(' ', c.first_name, c.last_name)), ''))
                            AS full_name,
                       coalesce(c.account_id, i.account_id) AS resolved_account
                FROM _import_in_contacts c
                LEFT JOIN _import_account_index i ON i.k = lower(c.account_name) AND c.account_id IS NULL
            ), k AS (
                SELECT *, coalesce(contact_id,
                                   resolved_account || '|' || full_name || '|' || coalesce(email, ''))
                          AS natural_key FROM s
            ), parts AS (
                SELECT _file, _row, trim(unnest(string_split(buying_role, ';'))) AS part
                FROM k WHERE buying_role IS NOT NULL
            ), roles AS (
                SELECT p._file, p._row, arg_min(v.role, v.precedence) AS role,
                       max(v.attitude) AS role_attitude
                FROM parts p JOIN _import_roles v ON v.value = lower(p.part)
                GROUP BY p._file, p._row
            )
            SELECT k._row, k._file, k._source, k.natural_key AS source_id,
                   coalesce(e.contact_id, k.contact_id,
                            k._source || ':' || left(md5(lower(k.natural_key)), 12)) AS contact_id,
                   k.resolved_account AS account_id, k.account_name,
                   k.full_name AS name, k.title, k.department,
                   k.reports_to_id, k.reports_to_name,
                   r.role AS buying_role,
                   iv.influence::TINYINT AS influence,
                   coalesce(av.attitude, r.role_attitude) AS attitude,
                   k.email, k.phone, k.contact_id IS NOT NULL AS has_crm_id
            FROM k
            LEFT JOIN contacts e ON e.source = k._source AND e.source_id = k.natural_key
            LEFT JOIN roles r ON r._file = k._file AND r._row = k._row
            LEFT JOIN _import_influences iv ON iv.value = lower(k.influence)
            LEFT JOIN _import_attitudes av ON av.value = lower(k.attitude)
            WHERE k.natural_key IS NOT NULL AND k.resolved_account IS NOT NULL
            """
        )
        cur.execute(
            """
            INSERT INTO _import_merged
            SELECT 'contacts', n._file, n._row::BIGINT, n.name, min(m.contact_id), min(m._file)
            FROM _import_new_contacts n
            JOIN _import_new_contacts m
              ON m.has_crm_id AND m.account_id = n.account_id AND lower(m.name) = lower(n.name)
            WHERE NOT n.has_crm_id
            GROUP BY ALL
            """
        )
        cur.execute(
            """
            DELETE FROM _import_new_contacts n
            WHERE NOT n.has_crm_id AND EXISTS (
                SELECT 1 FROM _import_new_contacts m
                WHERE m.has_crm_id AND m.account_id = n.account_id
                  AND lower(m.name) = lower(n.name))
            """
        )
        # Managers named by name are looked up among the same account's people.
        cur.execute(
            """
            UPDATE _import_new_contacts c SET reports_to_id = m.contact_id
            FROM (
                SELECT account_id, lower(name) AS k, min(contact_id) AS contact_id FROM (
                    SELECT account_id, name, contact_id FROM _import_new_contacts
                    UNION ALL SELECT account_id, name, contact_id FROM contacts
                ) GROUP BY 1, 2
            ) m
            WHERE c.reports_to_id IS NULL AND c.reports_to_name IS NOT NULL
              AND m.account_id = c.account_id AND m.k = lower(c.reports_to_name)
            """
        )
        if not overwrite_edits:
            # Workbench edits of roles, influence and attitude win over the file.
            cur.execute(
                """
                UPDATE _import_new_contacts n SET
                    buying_role = CASE WHEN e.role_edited THEN c.buying_role ELSE n.buying_role END,
                    influence = CASE WHEN e.influence_edited THEN c.influence ELSE n.influence END,
                    attitude = CASE WHEN e.attitude_edited THEN c.attitude ELSE n.attitude END
                FROM contacts c, (
                    SELECT contact_id,
                           bool_or(field = 'buying_role') AS role_edited,
                           bool_or(field = 'influence') AS influence_edited,
                           bool_or(field = 'attitude') AS attitude_edited
                    FROM contact_edits GROUP BY contact_id
                ) e
                WHERE c.contact_id = n.contact_id AND e.contact_id = n.contact_id
                """
            )

    if "opportunities" in staged:
        cur.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _import_new_opportunities AS
            WITH s AS (
                SELECT o.*, coalesce(o.account_id, i.account_id) AS resolved_account,
                       coalesce(o.owner_seller_id, si.seller_id) AS resolved_owner
                FROM _import_in_opportunities o
                LEFT JOIN _import_account_index i ON i.k = lower(o.account_name) AND o.account_id IS NULL
                LEFT JOIN _import_seller_index si
                       ON si.k = lower(o.owner_seller_name) AND o.owner_seller_id IS NULL
            ), k AS (
                SELECT *, coalesce(opportunity_id,
                                   resolved_account || '|' || coalesce(name, '') || '|' || coalesce(close_date, ''))
                          AS natural_key FROM s
            )
            SELECT k._row, k._file, k._source, k.natural_key AS source_id,
                   coalesce(e.opportunity_id, k.opportunity_id,
                            k._source || ':' || left(md5(lower(k.natural_key)), 12)) AS opportunity_id,
                   k.resolved_account AS account_id, k.account_name, k.name, k.stage,
                   wb_num(k.amount) AS amount,
                   {_date_expr("k", "close_date")} AS close_date,
                   coalesce(wb_bool(k.is_closed), st.value IS NOT NULL
                            OR coalesce(wb_bool(k.is_won), false)) AS is_closed,
                   coalesce(wb_bool(k.is_won), st.is_won, false) AS is_won,
                   k.resolved_owner AS owner_seller_id, k.owner_seller_name,
                   {_date_expr("k", "created_on")} AS created_on
            FROM k
            LEFT JOIN opportunities e ON e.source = k._source AND e.source_id = k.natural_key
            LEFT JOIN _import_stages st ON st.value = lower(k.stage)
            WHERE k.resolved_account IS NOT NULL
            """
        )

    if "opportunity_contacts" in staged:
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE _import_new_opportunity_contacts AS
            SELECT s._row, s._file, s._source,
                   s.opportunity_id || '|' || s.contact_id AS source_id,
                   s.opportunity_id, s.contact_id, s.role,
                   coalesce(wb_bool(s.is_primary), false) AS is_primary,
                   v.role AS buying_role
            FROM _import_in_opportunity_contacts s
            LEFT JOIN _import_roles v ON v.value = lower(s.role)
            WHERE s.opportunity_id IS NOT NULL AND s.contact_id IS NOT NULL
            """
        )

    if "activities" in staged:
        cur.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _import_new_activities AS
            WITH s AS (
                SELECT a.*, coalesce(a.account_id, i.account_id) AS resolved_account,
                       coalesce(a.seller_id, si.seller_id) AS resolved_seller
                FROM _import_in_activities a
                LEFT JOIN _import_account_index i ON i.k = lower(a.account_name) AND a.account_id IS NULL
                LEFT JOIN _import_seller_index si ON si.k = lower(a.seller_name) AND a.seller_id IS NULL
            ), k AS (
                SELECT *, activity_id AS natural_key FROM s
            )
            SELECT k._row, k._file, k._source,
                   -- the CRM's own ID is stored once, as activity_id (schema.md)
                   NULL::VARCHAR AS source_id,
                   coalesce(k.activity_id,
                            k._source || ':' || left(md5(lower(k.natural_key)), 12)) AS activity_id,
                   k.resolved_account AS account_id, k.contact_id, k.contact_name,
                   k.resolved_seller AS seller_id, k.seller_name,
                   coalesce(kv.kind, k._kind) AS kind,
                   {_date_expr("k", "activity_date")} AS activity_date,
                   coalesce(wb_num(k.duration_minutes), wb_num(k.duration_seconds) / 60) AS duration_minutes,
                   k.subject
            FROM k
            LEFT JOIN _import_kinds kv ON kv.value = lower(k.kind)
            """
        )
        # Activities without an ID (visit logs) are keyed by what they say, with a
        # running number for identical lines, so a re-import finds them again.
        cur.execute(
            """
            UPDATE _import_new_activities n
            SET source_id = x.natural_key,
                activity_id = n._source || ':' || left(md5(lower(x.natural_key)), 12)
            FROM (
                SELECT _file, _row,
                       concat_ws('|', account_id, contact_name, activity_date, kind, subject)
                       || '#' || row_number() OVER (
                           PARTITION BY _file, account_id, contact_name, activity_date, kind, subject
                           ORDER BY _row) AS natural_key
                FROM _import_new_activities WHERE activity_id IS NULL
            ) x
            WHERE n.activity_id IS NULL AND n._file = x._file AND n._row = x._row
            """
        )
        # People named in activities: this import's and the stored ones.
        contact_source = (
            "SELECT account_id, name, contact_id FROM _import_new_contacts UNION ALL "
            if "contacts" in staged
            else ""
        )
        cur.execute(
            f"""
            UPDATE _import_new_activities a SET contact_id = m.contact_id
            FROM (
                SELECT account_id, lower(name) AS k, min(contact_id) AS contact_id FROM (
                    {contact_source} SELECT account_id, name, contact_id FROM contacts
                ) GROUP BY 1, 2
            ) m
            WHERE a.contact_id IS NULL AND a.contact_name IS NOT NULL
              AND m.account_id = a.account_id AND m.k = lower(a.contact_name)
            """
        )

    if "contact_influences" in staged:
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE _import_new_contact_influences AS
            SELECT s._row, s._file, s._source,
                   s.from_contact_id || '|' || s.to_contact_id AS source_id,
                   s.from_contact_id, s.to_contact_id,
                   round(wb_num(s.strength))::TINYINT AS strength
            FROM _import_in_contact_influences s
            WHERE s.from_contact_id IS NOT NULL AND s.to_contact_id IS NOT NULL
            """
        )


def import_skipped_rows(cur: Connection, table: str) -> pl.DataFrame:
    """Return staged rows that build could not keep (no key, no account), capped.

    Columns: ``_file``, ``_row``, ``reason``, ``total``.
    """
    reasons = {
        "sellers": (
            "coalesce(s.seller_id, s.name, s.first_name, s.last_name, s.email) IS NULL",
            "has no ID, name or e-mail",
        ),
        "accounts": ("coalesce(s.account_id, s.name) IS NULL", "has no ID and no name"),
        "contacts": (
            "s.account_id IS NULL AND (s.account_name IS NULL)",
            "names no account; the person was not imported",
        ),
        "opportunities": (
            "s.account_id IS NULL AND s.account_name IS NULL",
            "names no account; the deal was not imported",
        ),
        "opportunity_contacts": (
            "s.opportunity_id IS NULL OR s.contact_id IS NULL",
            "lacks the deal or the person; the link was not imported",
        ),
        "contact_influences": (
            "s.from_contact_id IS NULL OR s.to_contact_id IS NULL",
            "lacks one of the two people; the link was not imported",
        ),
    }
    if table not in reasons:
        return pl.DataFrame(
            schema={
                "_file": pl.String,
                "_row": pl.Int64,
                "reason": pl.String,
                "total": pl.Int64,
            }
        )
    condition, reason = reasons[table]
    frame: pl.DataFrame = cur.sql(
        f"""
        SELECT s._file, s._row::BIGINT AS _row, $reason AS reason,
               (count(*) OVER (PARTITION BY s._file))::BIGINT AS total
        FROM _import_in_{table} s WHERE {condition}
        QUALIFY row_number() OVER (PARTITION BY s._file ORDER BY s._row) <= {IMPORT_PROBLEM_ROWS}
        """,
        params={"reason": reason},
    ).pl()
    return frame


def import_missing_required(cur: Connection, table: str) -> pl.DataFrame:
    """Return accounts or contacts without a name, capped: ``_file``, ``_row``, ``total``."""
    if table not in {"accounts", "contacts"}:
        raise ValueError(f"{table} has no required name")
    frame: pl.DataFrame = cur.sql(
        f"""
        SELECT _file, _row::BIGINT AS _row, (count(*) OVER (PARTITION BY _file))::BIGINT AS total
        FROM _import_new_{table} WHERE name IS NULL AND _row IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY _file ORDER BY _row) <= {IMPORT_PROBLEM_ROWS}
        """
    ).pl()
    return frame


def import_account_notes(cur: Connection) -> pl.DataFrame:
    """Return accounts matched by name or created from a name reference.

    Columns: ``_file``, ``_row``, ``name``, ``account_id``, ``how`` (``matched`` or ``created``).
    """
    frame: pl.DataFrame = cur.sql(
        """
        SELECT _file, _row::BIGINT AS _row, name, account_id,
               CASE WHEN created_from_reference THEN 'created' ELSE 'matched' END AS how
        FROM _import_new_accounts WHERE matched_by_name OR created_from_reference
        ORDER BY _file, _row
        """
    ).pl()
    return frame


def import_duplicates(cur: Connection, table: str) -> pl.DataFrame:
    """Return keys that appear more than once in the import: ``key``, ``files``, ``rows``."""
    key = _IMPORT_KEYS[table]
    # A plain count first: listing places is only needed when there are doubles.
    doubled = cur.sql(
        f"""
        SELECT k FROM (SELECT {key} AS k FROM _import_new_{table})
        GROUP BY k HAVING count(*) > 1 ORDER BY k LIMIT {IMPORT_PROBLEM_ROWS * 5}
        """
    ).fetchall()
    if not doubled:
        return pl.DataFrame(
            schema={
                "key": pl.String,
                "files": pl.List(pl.String),
                "rows": pl.List(pl.Int64),
            }
        )
    frame: pl.DataFrame = cur.sql(
        f"""
        SELECT {key} AS key, list(_file ORDER BY _file, _row) AS files,
               list(_row::BIGINT ORDER BY _file, _row) AS rows
        FROM _import_new_{table} WHERE {key} IN (SELECT unnest($keys))
        GROUP BY 1 ORDER BY 1
        """,
        params={"keys": [str(r[0]) for r in doubled]},
    ).pl()
    return frame


def import_id_collisions(cur: Connection, table: str) -> pl.DataFrame:
    """Return imported IDs that already belong to a record from another source.

    Columns: ``_file``, ``_row``, ``key``, ``other_source``.
    """
    key_column = vocabulary.KEY_COLUMNS.get(table)
    if key_column is None:
        return pl.DataFrame(
            schema={
                "_file": pl.String,
                "_row": pl.Int64,
                "key": pl.String,
                "other_source": pl.String,
            }
        )
    frame: pl.DataFrame = cur.sql(
        f"""
        SELECT n._file, n._row::BIGINT AS _row, n.{key_column} AS key,
               coalesce(e.source, '(unknown)') AS other_source
        FROM _import_new_{table} n JOIN {table} e USING ({key_column})
        WHERE e.source IS DISTINCT FROM n._source OR e.source_id IS DISTINCT FROM n.source_id
        ORDER BY n._file, n._row LIMIT {IMPORT_PROBLEM_ROWS * 5}
        """
    ).pl()
    return frame


#: (table, column, referenced table, referenced key, level) checked after build.
_IMPORT_REFERENCES: tuple[tuple[str, str, str, str, str], ...] = (
    ("accounts", "parent_account_id", "accounts", "account_id", "warning"),
    ("accounts", "owner_seller_id", "sellers", "seller_id", "warning"),
    ("contacts", "account_id", "accounts", "account_id", "error"),
    ("contacts", "reports_to_id", "contacts", "contact_id", "error"),
    ("opportunities", "account_id", "accounts", "account_id", "error"),
    ("opportunities", "owner_seller_id", "sellers", "seller_id", "warning"),
    (
        "opportunity_contacts",
        "opportunity_id",
        "opportunities",
        "opportunity_id",
        "warning",
    ),
    ("opportunity_contacts", "contact_id", "contacts", "contact_id", "warning"),
    ("activities", "account_id", "accounts", "account_id", "warning"),
    ("activities", "contact_id", "contacts", "contact_id", "warning"),
    ("activities", "seller_id", "sellers", "seller_id", "warning"),
    ("contact_influences", "from_contact_id", "contacts", "contact_id", "error"),
    ("contact_influences", "to_contact_id", "contacts", "contact_id", "error"),
)


def _reference_problem_rows(
    cur: Connection, dangling_sql: str, *, level: str, table: str, column: str
) -> pl.DataFrame:
    """Group dangling references (``_file``, ``_row``, ``value``) per value, capped per file."""
    frame: pl.DataFrame = cur.sql(
        f"""
        SELECT $level AS level, $table AS "table", $column AS "column",
               _file, min(_row)::BIGINT AS _row, value, count(*)::BIGINT AS rows,
               (count(*) OVER (PARTITION BY _file))::BIGINT AS total
        FROM ({dangling_sql})
        GROUP BY _file, value
        QUALIFY row_number() OVER (PARTITION BY _file ORDER BY min(_row)) <= {IMPORT_PROBLEM_ROWS}
        """,
        params={"level": level, "table": table, "column": column},
    ).pl()
    return frame


def import_missing_references(cur: Connection, tables: Sequence[str]) -> pl.DataFrame:
    """Return references to records neither the import nor the database holds.

    Warnings are applied at once: the dangling reference is cleared, or for a
    link row the row is dropped. Columns: ``level``, ``table``, ``column``,
    ``_file``, ``_row``, ``value``, ``total``.
    """
    staged = set(tables) | {"accounts"}
    found: list[pl.DataFrame] = []
    for table, column, target, target_key, level in _IMPORT_REFERENCES:
        if table not in staged:
            continue
        targets = f"SELECT {target_key} AS k FROM {target}"
        if target in staged:
            targets += f" UNION ALL SELECT {target_key} FROM _import_new_{target}"
        frame = _reference_problem_rows(
            cur,
            f"SELECT n._file, n._row, n.{column} AS value FROM _import_new_{table} n "
            f"WHERE n.{column} IS NOT NULL AND n.{column} NOT IN ({targets})",
            level=level,
            table=table,
            column=column,
        )
        if frame.height and level == "warning":
            if table in {"opportunity_contacts"}:
                cur.execute(
                    f"DELETE FROM _import_new_{table} WHERE {column} NOT IN ({targets})"
                )
            else:
                cur.execute(
                    f"UPDATE _import_new_{table} SET {column} = NULL "
                    f"WHERE {column} IS NOT NULL AND {column} NOT IN ({targets})"
                )
        found.append(frame)
    if not found:
        return pl.DataFrame()
    return pl.concat(found, how="vertical_relaxed")


def import_unresolved_names(cur: Connection, tables: Sequence[str]) -> pl.DataFrame:
    """Return names of sellers, managers and contacts that matched nobody.

    Columns: ``level``, ``table``, ``column``, ``_file``, ``_row``, ``value``, ``total``.
    """
    checks = []
    staged = set(tables)
    if "accounts" in staged:
        checks += [
            ("warning", "accounts", "parent_account_name", "parent_account_id"),
            ("warning", "accounts", "owner_seller_name", "owner_seller_id"),
        ]
    if "contacts" in staged:
        checks.append(("error", "contacts", "reports_to_name", "reports_to_id"))
    if "opportunities" in staged:
        checks.append(
            ("warning", "opportunities", "owner_seller_name", "owner_seller_id")
        )
    if "activities" in staged:
        checks += [
            ("warning", "activities", "seller_name", "seller_id"),
            ("warning", "activities", "contact_name", "contact_id"),
        ]
    found: list[pl.DataFrame] = []
    for level, table, name_column, id_column in checks:
        found.append(
            cur.sql(
                f"""
                SELECT $level AS level, $table AS "table", $column AS "column",
                       _file, min(_row)::BIGINT AS _row, {name_column} AS value,
                       count(*)::BIGINT AS rows,
                       (count(*) OVER (PARTITION BY _file))::BIGINT AS total
                FROM _import_new_{table}
                WHERE {name_column} IS NOT NULL AND {id_column} IS NULL
                  AND _row IS NOT NULL
                GROUP BY _file, {name_column}
                QUALIFY row_number() OVER (PARTITION BY _file ORDER BY min(_row)) <= {IMPORT_PROBLEM_ROWS}
                """,
                params={"level": level, "table": table, "column": name_column},
            ).pl()
        )
    if not found:
        return pl.DataFrame()
    return pl.concat(found, how="vertical_relaxed")


def import_reporting_lines(cur: Connection) -> pl.DataFrame:
    """Return every reporting line among the imported people and their accounts' people.

    Columns: ``contact_id``, ``name``, ``account_id``, ``reports_to_id``,
    ``manager_account_id``, ``_file``, ``_row`` (null for people already stored).
    """
    frame: pl.DataFrame = cur.sql(
        """
        WITH people AS (
            SELECT contact_id, name, account_id, reports_to_id, _file, _row::BIGINT AS _row
            FROM _import_new_contacts
            UNION ALL
            SELECT contact_id, name, account_id, reports_to_id, NULL, NULL FROM contacts
            WHERE contact_id NOT IN (SELECT contact_id FROM _import_new_contacts)
              AND account_id IN (SELECT account_id FROM _import_new_contacts)
        )
        SELECT p.contact_id, p.name, p.account_id, p.reports_to_id,
               m.account_id AS manager_account_id, p._file, p._row
        FROM people p LEFT JOIN people m ON m.contact_id = p.reports_to_id
        WHERE p.reports_to_id IS NOT NULL
        """
    ).pl()
    return frame


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
        "parent_account_id",
        "owner_seller_id",
        "title",
        "department",
        "reports_to_id",
        "email",
        "phone",
        "team",
    }
)


def import_stage_responses(cur: Connection, responses: pl.DataFrame) -> None:
    """Stage survey responses (the ``nps_responses`` layout plus ``_file``, ``_row``)."""
    needed = [
        "_file",
        "_row",
        "account_id",
        "contact_id",
        "responded_on",
        "score",
        "comment",
        "source",
        "source_id",
    ]
    cur.register("_import_responses_in", responses.select(needed).to_arrow())
    try:
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE _import_new_nps_responses AS
            SELECT r._file, r._row::BIGINT AS _row, r.source AS _source, r.source_id,
                   coalesce(e.response_id, r.source || ':' || left(md5(r.source_id), 12)) AS response_id,
                   r.account_id, r.contact_id, r.responded_on::DATE AS responded_on,
                   r.score::TINYINT AS score, r.comment
            FROM _import_responses_in r
            LEFT JOIN nps_responses e ON e.source = r.source AND e.source_id = r.source_id
            """
        )
    finally:
        cur.unregister("_import_responses_in")


def import_commit(
    cur: Connection, run_id: int, tables: Sequence[str]
) -> dict[str, int]:
    """Upsert every built table by its key, journalling what undo needs.

    A table with an ``import_run_id`` column (activities) marks the rows this run
    wrote; only the rows it replaced are journalled. Other tables journal every
    key they touch. Returns the rows written per table.
    """
    # Only the last import can be undone: older journals go.
    cur.execute("DELETE FROM import_undo_rows")
    written: dict[str, int] = {}
    staged = [t for t in IMPORT_ORDER if t in set(tables)]
    for table in staged:
        key = _IMPORT_KEYS[table]
        stored_columns = table_columns(cur, table)
        marked = "import_run_id" in stored_columns
        columns = _stored_import_columns(cur, table)
        stored = int(cur.sql(f"SELECT count(*) FROM {table}").fetchall()[0][0])
        existed = 0
        if stored:
            existed = int(
                cur.sql(
                    f"SELECT count(*) FROM (SELECT {key} AS _k FROM {table}) "
                    f"SEMI JOIN (SELECT {key} AS _k FROM _import_new_{table}) USING (_k)"
                ).fetchall()[0][0]
            )
        if existed:
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
        elif not marked:
            # Every row is new: undo only needs the keys.
            cur.execute(
                f"""
                INSERT INTO import_undo_rows
                SELECT $run, $table, {key}, false, NULL FROM _import_new_{table}
                """,
                {"run": run_id, "table": table},
            )
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
            cur.sql(f"SELECT count(*) FROM _import_new_{table}").fetchall()[0][0]
        )
    if "opportunity_contacts" in staged:
        _import_roles_from_deals(cur, run_id)
    return written


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
        rows = cur.sql(
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
    """Write one row of ``import_runs`` (inside a write transaction)."""
    cur.execute(
        """
        INSERT INTO import_runs VALUES ($run, $started, $finished, $source, $status,
                                        $files, $counts, $problems, $user)
        """,
        {
            "run": run_id,
            "started": started_at,
            "finished": _now(),
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


def last_undoable_import(con: Connection) -> int | None:
    """Return the run that :func:`undo_last_import` would undo, or None."""
    rows = query_frame(
        con,
        """
        SELECT max(r.run_id) AS run_id FROM import_runs r
        WHERE r.status = 'committed'
          AND r.run_id = (SELECT max(run_id) FROM import_runs WHERE status IN ('committed', 'undone'))
          AND (EXISTS (SELECT 1 FROM import_undo_rows u WHERE u.run_id = r.run_id)
               OR EXISTS (SELECT 1 FROM activities a WHERE a.import_run_id = r.run_id))
        """,
    )
    value = rows["run_id"][0]
    return int(value) if value is not None else None


def undo_last_import(con: Connection, actor: Actor) -> dict[str, Any]:
    """Restore every row the last committed import touched to its state before it.

    Rows it inserted are deleted; rows it changed get their earlier values back.

    Returns:
        ``run_id`` and the rows restored per table.

    Raises:
        RejectedInputError: there is no import to undo.
    """
    require(actor, "import")
    run_id = last_undoable_import(con)
    if run_id is None:
        raise RejectedInputError("there is no import to undo.")
    restored: dict[str, int] = {}
    with write_transaction(con) as cur:
        for table in reversed(IMPORT_ORDER):
            key = _IMPORT_KEYS[table]
            touched = int(
                cur.sql(
                    "SELECT count(*) FROM import_undo_rows WHERE run_id = $run AND table_name = $t",
                    params={"run": run_id, "t": table},
                ).fetchall()[0][0]
            )
            if "import_run_id" in table_columns(cur, table):
                # Rows the run inserted carry its mark instead of a journal row.
                added = cur.execute(
                    f"""
                    DELETE FROM {table} WHERE import_run_id = $run AND {key} NOT IN (
                        SELECT row_key FROM import_undo_rows
                        WHERE run_id = $run AND table_name = $t)
                    """,
                    {"run": run_id, "t": table},
                ).fetchall()
                touched += int(added[0][0]) if added else 0
            if not touched:
                continue
            cur.execute(
                f"""
                DELETE FROM {table} WHERE {key} IN (
                    SELECT row_key FROM import_undo_rows WHERE run_id = $run AND table_name = $t)
                """,
                {"run": run_id, "t": table},
            )
            structure = {
                str(name): str(dtype)
                for name, dtype in cur.sql(
                    """
                    SELECT column_name, data_type FROM information_schema.columns
                    WHERE table_name = $t AND table_schema = 'main' ORDER BY ordinal_position
                    """,
                    params={"t": table},
                ).fetchall()
            }
            cur.execute(
                f"""
                INSERT INTO {table} BY NAME
                SELECT unnest(from_json(row_json, $structure))
                FROM import_undo_rows
                WHERE run_id = $run AND table_name = $t AND existed
                """,
                {"run": run_id, "t": table, "structure": json.dumps(structure)},
            )
            restored[table] = touched
        cur.execute("DELETE FROM import_undo_rows WHERE run_id = $run", {"run": run_id})
        cur.execute(
            "UPDATE import_runs SET status = 'undone' WHERE run_id = $run",
            {"run": run_id},
        )
    return {"run_id": run_id, "restored": restored}


def saved_column_mapping(
    con: Connection, header_signature: str
) -> tuple[str, dict[str, str]] | None:
    """Return (target table, source column → workbench column) remembered for a header."""
    # A point lookup: plain tuples, no frame (and no Arrow load in a fresh CLI).
    with con.cursor() as cur:
        rows = cur.sql(
            "SELECT target_table, mapping FROM column_mappings WHERE header_signature = $s",
            params={"s": header_signature},
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
            rows = cur.sql(
                f"SELECT count(*), coalesce(sum(hash(to_json(t)::VARCHAR)), 0)::VARCHAR FROM {table} t"
            ).fetchall()
            result[table] = (int(rows[0][0]), str(rows[0][1]))
    return result


def import_table_counts(cur: Connection) -> dict[str, int]:
    """Return rows per CRM table as the given cursor sees them (inside a transaction)."""
    return {
        table: int(cur.sql(f"SELECT count(*) FROM {table}").fetchall()[0][0])
        for table in DATA_TABLES
    }


def import_next_run_id(cur: Connection) -> int:
    """Return the next free import run number (inside a write transaction)."""
    rows = cur.sql("SELECT coalesce(max(run_id), 0) + 1 FROM import_runs").fetchall()
    return int(rows[0][0])


def import_merged_by_name(cur: Connection) -> pl.DataFrame:
    """Return rows named only by name that another file of the import holds with an ID.

    Columns: ``table``, ``_file``, ``_row``, ``name``, ``into_id``, ``into_file``.
    """
    frame: pl.DataFrame = cur.sql(
        'SELECT * FROM _import_merged ORDER BY "table", _file, _row'
    ).pl()
    return frame


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
            cur.sql("SELECT current_setting('memory_limit')").fetchall()[0][0]
        )
        cur.execute(f"SET memory_limit = '{limit}'")
    return previous


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
    contacts: pl.DataFrame = cur.sql(contact_sql).pl()
    accounts: pl.DataFrame = cur.sql(account_sql).pl()
    return contacts, accounts
