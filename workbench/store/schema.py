"""Every table definition and the one ordered sequence of migrations.

The DDL of the database lives here, grouped by the migration that creates it
(the first one's CRM tables in :mod:`.schema_crm`), and :data:`MIGRATIONS` lists
the steps in version order.
:func:`workbench.store.migrations.migrate` applies those a file has not recorded
yet, each in its own transaction, so files made by every earlier version open and
upgrade. Append new migrations; never edit one that has shipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.store._base import LAST_IMPORT_DAY_KEY
from workbench.store.schema_crm import CORE_TABLES


@dataclass(frozen=True)
class Migration:
    """One ordered step of the schema; applied once, recorded in schema_version."""

    version: int
    description: str
    statements: tuple[str, ...]


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

# The import's journal: before-images of every row an import touches, so the
# last import can be undone exactly.
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


# Failed sign-ins, kept in the database rather than in the app's memory so that no
# message from a browser (Streamlit's "clear cache") and no restart forgets them.
# One row per wrong password, or per attempt refused because the user name was
# paused (``counts_for_user`` false: it counts against the address only). Times
# are seconds since the epoch; rows older than the longest window are pruned.
_SIGN_IN_TABLES = (
    """
    CREATE TABLE IF NOT EXISTS sign_in_failures (
        failed_at DOUBLE NOT NULL,
        user_name VARCHAR NOT NULL,
        client_address VARCHAR NOT NULL,
        counts_for_user BOOLEAN NOT NULL
    )
    """,
)


# Relationship NPS (how likely to recommend us, asked of everyone once or twice a
# year) and touchpoint NPS (asked after a support case, a delivery, a training)
# measure different things and are never pooled. Answers stored before this
# column existed were relationship surveys, which is what the default says.
_SURVEY_TYPE_COLUMN = (
    """
    ALTER TABLE nps_responses
    ADD COLUMN IF NOT EXISTS survey_type VARCHAR DEFAULT 'relationship'
    """,
    "UPDATE nps_responses SET survey_type = 'relationship' WHERE survey_type IS NULL",
    # The closed loop: every detractor among deciders and approvers gets a
    # follow-up with an owner and a due date, keyed by the answer that made them one.
    """
    CREATE TABLE IF NOT EXISTS detractor_followups (
        response_id VARCHAR PRIMARY KEY,
        account_id VARCHAR,
        contact_id VARCHAR,
        owner VARCHAR,
        due_on DATE,
        status VARCHAR,
        note VARCHAR,
        updated_by VARCHAR,
        updated_at TIMESTAMP
    )
    """,
    # The requirements register: what each role needs, in its own words, and
    # which needs pull against each other, with who resolves it.
    """
    CREATE TABLE IF NOT EXISTS account_requirements (
        requirement_id VARCHAR PRIMARY KEY,
        account_id VARCHAR NOT NULL,
        role VARCHAR,
        contact_id VARCHAR,
        category VARCHAR,
        need VARCHAR NOT NULL,
        source VARCHAR,
        response_id VARCHAR,
        recorded_by VARCHAR,
        recorded_at TIMESTAMP
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS requirement_conflicts (
        conflict_id VARCHAR PRIMARY KEY,
        account_id VARCHAR NOT NULL,
        requirement_a VARCHAR NOT NULL,
        requirement_b VARCHAR NOT NULL,
        owner VARCHAR,
        status VARCHAR,
        resolution VARCHAR,
        recorded_by VARCHAR,
        recorded_at TIMESTAMP
    )
    """,
)


# Account economics (issue 19): contracts spread a won deal over its term; the
# buying situation that a workshop sets decides the relationship to aim for.
_ACCOUNT_ECONOMICS_TABLES = (
    """
    CREATE TABLE IF NOT EXISTS contracts (
        contract_id VARCHAR PRIMARY KEY,
        account_id VARCHAR NOT NULL,
        start_date DATE,
        end_date DATE,
        term_months INTEGER,
        status VARCHAR,
        source VARCHAR,
        source_id VARCHAR
    )
    """,
    "ALTER TABLE opportunities ADD COLUMN IF NOT EXISTS contract_id VARCHAR",
    """
    CREATE TABLE IF NOT EXISTS account_situation (
        account_id VARCHAR NOT NULL,
        factor VARCHAR NOT NULL,
        level TINYINT NOT NULL,
        set_by VARCHAR,
        set_at TIMESTAMP NOT NULL,
        PRIMARY KEY (account_id, factor)
    )
    """,
)

#: The service model a leader edits on the Effort page, one per threshold scenario
#: ("" for the default thresholds); rows as JSON (docs/effort.md).
_SERVICE_MODEL_TABLES = (
    """
    CREATE TABLE IF NOT EXISTS service_models (
        scenario VARCHAR PRIMARY KEY,
        model VARCHAR NOT NULL,
        saved_by VARCHAR,
        saved_at TIMESTAMP NOT NULL
    )
    """,
)


# Inputs of the account economics a workshop edits (issue 19): the hourly cost of
# each seller role or team (defaults in workbench.domain), wallet estimates per
# account (they win over the imported one, and a re-import keeps them), and the
# share of a customer's revenue its wallet is estimated at, per industry.
_ECONOMICS_INPUT_TABLES = (
    """
    CREATE TABLE IF NOT EXISTS seller_cost_rates (
        rate_key VARCHAR PRIMARY KEY,
        hourly_cost DOUBLE NOT NULL,
        set_by VARCHAR,
        set_at TIMESTAMP NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS account_wallet_estimates (
        account_id VARCHAR PRIMARY KEY,
        wallet_estimate DOUBLE NOT NULL,
        note VARCHAR,
        set_by VARCHAR,
        set_at TIMESTAMP NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS industry_wallet_shares (
        industry VARCHAR PRIMARY KEY,
        share_of_revenue_pct DOUBLE NOT NULL,
        set_by VARCHAR,
        set_at TIMESTAMP NOT NULL
    )
    """,
)


# Revenue and cost per account and month from an ERP (an optional import file):
# the revenue basis of the accounts it covers (docs/import.md, "ERP revenue").
_ERP_REVENUE_TABLES = (
    """
    CREATE TABLE IF NOT EXISTS erp_revenue (
        account_id VARCHAR NOT NULL,
        month DATE NOT NULL,
        revenue DOUBLE,
        cost DOUBLE,
        logistics_cost DOUBLE,
        discount_cost DOUBLE,
        support_cost DOUBLE,
        source VARCHAR,
        source_id VARCHAR,
        PRIMARY KEY (account_id, month)
    )
    """,
    # A deal's own term, from its annual and total value (HubSpot's ACV/TCV,
    # ARR/MRR) or a contract-term field: its amount is spread over it.
    "ALTER TABLE opportunities ADD COLUMN IF NOT EXISTS term_months INTEGER",
)


# Which accounts each change of facts touched (workbench/store/versions.py), so
# that features held from before are brought up to date for those accounts
# alone; NULL: every account. And the file's own identity, which a copy keeps
# and a new file does not share.
_FACT_CHANGE_TABLES = (
    """
    CREATE TABLE IF NOT EXISTS fact_changes (
        data_version BIGINT NOT NULL,
        account_id VARCHAR
    )
    """,
    """
    INSERT INTO workbench_meta SELECT 'database_id', uuid()::VARCHAR
    WHERE NOT EXISTS (SELECT 1 FROM workbench_meta WHERE key = 'database_id')
    """,
)


# People and deals lose their key index as activities did (migration 8): DuckDB
# keeps a primary key in an index that every insert and every commit brings up
# to date, and a whole Salesforce export's 250,000 people and 200,000 deals
# spent about half a second of its four in it. The import keeps their IDs
# unique as it does the activities': an ID twice in the files is refused, a
# stored record is replaced by key, and the commit checks the IDs it wrote
# (``store.imports.integrity.import_assert_unique_keys``). Each table is copied
# whole once; its columns keep their NOT NULL.
# The undo journal's key may be empty: one row without a key says that every
# row of a table that held none before the run is the run's (a key per row cost
# about 130 ms for the same export's first import).
_CONTACTS_AND_DEALS_WITHOUT_INDEX = (
    *(
        statement
        for table, key in (
            ("contacts", "contact_id"),
            ("opportunities", "opportunity_id"),
        )
        for statement in (
            f"CREATE TABLE {table}_v17 AS SELECT * FROM {table}",
            f"DROP TABLE {table}",
            f"ALTER TABLE {table}_v17 RENAME TO {table}",
            f"ALTER TABLE {table} ALTER COLUMN {key} SET NOT NULL",
            f"ALTER TABLE {table} ALTER COLUMN account_id SET NOT NULL",
        )
    ),
    "ALTER TABLE import_undo_rows ALTER COLUMN row_key DROP NOT NULL",
)


# What a change of facts logged as touching every account changed, where it
# was one thing every account reads the same way: ``cost_rates`` (an hourly
# cost of a seller role or team), of which the features are the priced hours
# alone, read again for every account without adding the rest up
# (workbench/store/versions.py). The change keeps its row of every account in
# ``fact_changes``, so a reader that does not know this table reads everything
# again, which is still right; and a writer that does not know it logs no row
# here, which reads as a change of anything.
_SHARED_FACT_CHANGES = (
    """
    CREATE TABLE IF NOT EXISTS shared_fact_changes (
        data_version BIGINT NOT NULL,
        shared VARCHAR NOT NULL
    )
    """,
)


#: Ordered migrations. Append new ones; never edit one that has shipped.
# A file imported into before this version: its latest committed import's day,
# from the runs' record (later imports set it as they commit).
_LAST_IMPORT_DAY = f"""
    INSERT INTO workbench_meta
    SELECT '{LAST_IMPORT_DAY_KEY}', max(finished_at)::DATE::VARCHAR FROM import_runs
    WHERE status = 'committed'
    HAVING max(finished_at) IS NOT NULL
    ON CONFLICT (key) DO NOTHING
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "core CRM tables", CORE_TABLES),
    Migration(
        2,
        "workbench tables: provenance, edits, imports, scenarios, plans",
        _WORKBENCH_TABLES,
    ),
    Migration(3, "undo journal of the last import", _IMPORT_UNDO_TABLES),
    Migration(7, "account plan status and plan lines", _PLAN_TABLES),
    Migration(
        8,
        "activities without a key index, marked with the import run",
        _ACTIVITIES_WITHOUT_INDEX,
    ),
    Migration(9, "failed sign-ins for the sign-in throttle", _SIGN_IN_TABLES),
    Migration(
        11,
        "contracts, deals linked to them, and each account's buying situation",
        _ACCOUNT_ECONOMICS_TABLES,
    ),
    Migration(
        12,
        "survey type on NPS responses; detractor follow-ups; requirements register",
        _SURVEY_TYPE_COLUMN,
    ),
    Migration(
        13,
        "hourly cost per seller role or team; wallet estimates per account and industry",
        _ECONOMICS_INPUT_TABLES,
    ),
    Migration(14, "service models of the Effort page", _SERVICE_MODEL_TABLES),
    Migration(
        15,
        "ERP revenue and cost per account and month; a deal's own term",
        _ERP_REVENUE_TABLES,
    ),
    Migration(16, "the accounts each change of facts touched", _FACT_CHANGE_TABLES),
    Migration(
        17,
        "people and deals without a key index; an undo journal row for a whole table",
        _CONTACTS_AND_DEALS_WITHOUT_INDEX,
    ),
    Migration(
        18,
        "what a change of facts shared by every account changed (the hourly costs)",
        _SHARED_FACT_CHANGES,
    ),
    Migration(
        19,
        "the day of the latest committed import, which the as-of day stops at",
        (_LAST_IMPORT_DAY,),
    ),
    # the CRM's account type, as written and in the workbench's words
    # (workbench.account_types; NULL in a file from before: a customer)
    Migration(
        20,
        "each account's type in the CRM (customer, partner, competitor, ...)",
        tuple(
            f"ALTER TABLE accounts ADD COLUMN IF NOT EXISTS {c} VARCHAR"
            for c in ("crm_type", "account_type")
        ),
    ),
    # whether the CRM says a person has left the account (workbench.contact_states;
    # NULL in a file from before: still there)
    Migration(
        21,
        "whether each person has left the account (the CRM's inactive or left flag)",
        ("ALTER TABLE contacts ADD COLUMN IF NOT EXISTS has_left BOOLEAN",),
    ),
)
