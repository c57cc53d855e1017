"""The CRM tables as the first migration creates them.

Accounts, people, our sellers, deals, activities and survey answers, in the
columns version 1 gave them; later migrations add and rebuild
(:data:`workbench.store.schema.MIGRATIONS`, which lists this as its first step).
Never edited: a file made by the first version opens by applying the rest.
"""

from __future__ import annotations

CORE_TABLES = (
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
