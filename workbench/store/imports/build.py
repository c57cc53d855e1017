"""The import's build: parse and resolve staged rows into ``_import_new_<table>``.

One function per table, run in reference order: sellers and accounts first (and
accounts that other records name only by name), then the records pointing at
them. Names of accounts, sellers and contacts resolve against the import and the
database alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

import polars as pl

from workbench.store._base import Connection, _frame
from workbench.store.imports.account_names import (
    made_from_name,
    resolve_account_names,
    resolve_activity_accounts,
)
from workbench.store.imports.currency import deal_factor, import_has_rates
from workbench.store.imports.deal_state import state_name
from workbench.store.imports.direct_build import BuildSource, Direct, first_build
from workbench.store.imports.erp import build_erp_revenue
from workbench.store.imports.ranges import effort_minutes
from workbench.store.imports.situation import build_account_situation
from workbench.store.imports.staging import LargeCsv, activity_kind, date_expr


def _build_sellers(cur: Connection, staged: set[str]) -> None:
    """Sellers, sellers named only by name, and the index that resolves names."""
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
                   k.team, k.title, k.email, false AS created_from_reference
            FROM k LEFT JOIN sellers e ON e.source = k._source AND e.source_id = k.natural_key
            WHERE k.natural_key IS NOT NULL
            """
        )
    else:
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE _import_new_sellers AS
            SELECT NULL::BIGINT AS _row, NULL::VARCHAR AS _file, NULL::VARCHAR AS _source,
                   NULL::VARCHAR AS source_id, s.* EXCLUDE (source, source_id),
                   false AS created_from_reference
            FROM sellers s WHERE false
            """
        )
    # Our people named only by name (Owner, 负责人, Deal owner) become sellers, once
    # each, unless the import or the database already has a seller of that name.
    named = [
        f"SELECT _file, _row, _source, {column} AS seller_name FROM _import_in_{table} "
        f"WHERE {id_column} IS NULL AND {column} IS NOT NULL"
        for table, column, id_column in (
            ("accounts", "owner_seller_name", "owner_seller_id"),
            ("opportunities", "owner_seller_name", "owner_seller_id"),
            ("activities", "seller_name", "seller_id"),
        )
        if table in staged
    ]
    if named:
        cur.execute(
            f"""
            INSERT INTO _import_new_sellers BY NAME
            SELECT {made_from_name("seller_name", "seller_id")},
                   true AS created_from_reference
            FROM (SELECT * REPLACE (trim(seller_name) AS seller_name)
                  FROM ({" UNION ALL ".join(named)})) r
            WHERE seller_name <> ''
              AND lower(seller_name) NOT IN (
                    SELECT lower(name) FROM _import_new_sellers WHERE name IS NOT NULL)
              AND lower(seller_name) NOT IN (
                    SELECT lower(name) FROM sellers WHERE name IS NOT NULL)
            GROUP BY lower(seller_name)
            """
        )
    cur.execute(
        """
        CREATE OR REPLACE TEMP VIEW _import_seller_index AS
        SELECT lower(trim(name)) AS k, min(seller_id) AS seller_id FROM (
            SELECT name, seller_id FROM _import_new_sellers
            UNION ALL SELECT name, seller_id FROM sellers
        ) GROUP BY 1
        """
    )


def import_seller_notes(cur: Connection) -> pl.DataFrame:
    """Return sellers created from a name: ``_file``, ``_row``, ``name``, ``seller_id``."""
    frame: pl.DataFrame = _frame(
        cur.sql(
            """
        SELECT _file, _row::BIGINT AS _row, name, seller_id FROM _import_new_sellers
        WHERE created_from_reference ORDER BY _file, _row
        """
        )
    )
    return frame


def _build_accounts(cur: Connection, staged: set[str]) -> None:
    """Accounts, and the rows kept once because another file holds them with an ID."""
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
                   TRY_CAST(round(wb_num(s.employees)) AS BIGINT) AS employees,
                   s.parent_account_id, s.parent_account_name,
                   s.owner_seller_id, s.owner_seller_name,
                   wb_num(s.wallet_estimate) AS wallet_estimate,
                   wb_num(s.gross_margin_pct) AS gross_margin_pct,
                   {date_expr("s", "created_on")} AS created_on,
                   s.contract_type, wb_num(s.direct_cost_annual) AS direct_cost_annual,
                   s.crm_type, t.account_type,
                   n.account_id IS NOT NULL AND s.account_id IS NULL AND e.account_id IS NULL
                       AS matched_by_name,
                   false AS created_from_reference,
                   s.account_id IS NOT NULL AS has_crm_id
            FROM s
            LEFT JOIN accounts e ON e.source = s._source AND e.source_id = s.natural_key
            LEFT JOIN by_name n ON n.k = lower(s.name) AND s.account_id IS NULL
            LEFT JOIN _import_account_types t ON t.value = lower(s.crm_type)
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


def _new_contacts_sql(source: BuildSource) -> str:
    """Return the contacts of the import with account, role, influence and attitude resolved."""
    return f"""
            CREATE OR REPLACE TEMP TABLE _import_new_contacts AS
            WITH s AS (
                SELECT c.*, coalesce(c.name, nullif(trim(concat_ws(' ', c.first_name, c.last_name)), ''))
                            AS full_name,
                       coalesce(c.account_id, i.account_id) AS resolved_account
                FROM {source.relation} c
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
                   k.email, k.phone, ls.has_left,
                   k.contact_id IS NOT NULL AS has_crm_id{source.marks}
            FROM k
            LEFT JOIN contacts e ON e.source = k._source AND e.source_id = k.natural_key
            LEFT JOIN roles r ON r._file = k._file AND r._row = k._row
            LEFT JOIN _import_influences iv ON iv.value = lower(k.influence)
            LEFT JOIN _import_attitudes av ON av.value = lower(k.attitude)
            LEFT JOIN _import_contact_states ls ON ls.value = lower(k.has_left)
            WHERE (k.natural_key IS NOT NULL AND k.resolved_account IS NOT NULL){source.kept}
            """


def _build_contacts(
    cur: Connection, staged: set[str], *, overwrite_edits: bool, direct: Direct
) -> None:
    """Contacts with roles, influence and attitude; managers named by name."""
    if "contacts" in staged:
        first_build(cur, "contacts", _new_contacts_sql, direct)
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
        # A manager column holding the codes of the file's people (直属上级 as
        # 联系人编号) is read as IDs; one holding names, as names.
        cur.execute(
            """
            UPDATE _import_new_contacts c SET reports_to_id = m.contact_id
            FROM (
                SELECT _file, source_id, min(contact_id) AS contact_id
                FROM _import_new_contacts WHERE has_crm_id GROUP BY ALL
            ) m, (
                SELECT c2._file FROM _import_new_contacts c2
                LEFT JOIN _import_new_contacts p
                       ON p._file = c2._file AND p.has_crm_id AND p.source_id = c2.reports_to_name
                WHERE c2.reports_to_name IS NOT NULL
                GROUP BY c2._file HAVING count(p.contact_id) * 2 > count(*)
            ) by_id
            WHERE c.reports_to_id IS NULL AND c.reports_to_name IS NOT NULL
              AND c._file = by_id._file AND m._file = c._file
              AND m.source_id = c.reports_to_name
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
            # Workbench edits of roles, influence, attitude and who has left win
            # over the file.
            cur.execute(
                """
                UPDATE _import_new_contacts n SET
                    buying_role = CASE WHEN e.role_edited THEN c.buying_role ELSE n.buying_role END,
                    influence = CASE WHEN e.influence_edited THEN c.influence ELSE n.influence END,
                    attitude = CASE WHEN e.attitude_edited THEN c.attitude ELSE n.attitude END,
                    has_left = CASE WHEN e.left_edited THEN c.has_left ELSE n.has_left END
                FROM contacts c, (
                    SELECT contact_id,
                           bool_or(field = 'buying_role') AS role_edited,
                           bool_or(field = 'influence') AS influence_edited,
                           bool_or(field = 'attitude') AS attitude_edited,
                           bool_or(field = 'has_left') AS left_edited
                    FROM contact_edits GROUP BY contact_id
                ) e
                WHERE c.contact_id = n.contact_id AND e.contact_id = n.contact_id
                """
            )


#: A deal's annual value: its ACV, else its ARR, else 12 × its MRR.
_DEAL_VALUE = (
    ("annual_value", "wb_num(annual_value)"),
    ("recurring_annual", "wb_num(recurring_annual)"),
    ("recurring_monthly", "wb_num(recurring_monthly) * 12"),
)
#: A deal's amount: the file's, else its total contract value, else its annual value.
_DEAL_AMOUNT = (("amount", "wb_num(amount)"), ("total_value", "wb_num(total_value)"))


def _first_of(
    source: BuildSource, values: Sequence[tuple[str, str]], then: str | None = None
) -> str:
    """Return the first of ``values`` (column, SQL) the rows hold, else ``then``.

    The columns the rows cannot hold are left out: over a file read in place
    that maps none of a deal's ACV, ARR or MRR (most exports), their parsing
    is not bound and planned for nothing.
    """
    held = [sql for column, sql in values if source.may_hold(column)]
    held += [then] if then is not None else []
    return f"coalesce({', '.join(held)})" if held else "NULL::DOUBLE"


def _found_by_name(
    table: str, seller: str, resolved_seller: str, source: str | None = None
) -> str:
    """Return the CTE ``s``: a table's staged rows with account and seller resolved.

    ``resolved_account`` and ``resolved_seller`` are the IDs the rows give, else
    the ones their names find in the import's and the database's indexes;
    ``seller`` is the prefix of the seller's ``_id`` and ``_name`` columns;
    ``source`` the rows read, the table's stage unless given.
    """
    return f"""s AS (
        SELECT x.*, coalesce(x.account_id, i.account_id) AS resolved_account,
               coalesce(x.{seller}_id, si.seller_id) AS {resolved_seller}
        FROM {source or f"_import_in_{table}"} x
        LEFT JOIN _import_account_index i
               ON i.k = lower(x.account_name) AND x.account_id IS NULL
        LEFT JOIN _import_seller_index si
               ON si.k = lower(trim(x.{seller}_name)) AND x.{seller}_id IS NULL
    )"""


def _new_opportunities_sql(source: BuildSource, converts: bool = False) -> str:
    """Return the opportunities of the import with their account and owner resolved.

    ``converts``: the import has exchange rates (:func:`deal_factor`).
    """
    rate = deal_factor(converts)
    value = _first_of(source, _DEAL_VALUE)
    amount = _first_of(source, _DEAL_AMOUNT, value)
    created_on = (
        date_expr("k", "created_on") if source.may_hold("created_on") else "NULL::DATE"
    )
    term = (
        "TRY_CAST(round(wb_num(k.term_months)) AS INTEGER)"
        if source.may_hold("term_months")
        else "NULL::INTEGER"
    )
    found = _found_by_name(
        "opportunities", "owner_seller", "resolved_owner", source.relation
    )
    # the CRM's state (Dynamics' statecode) before the stage's name: looked up
    # only where the rows can hold one
    stated = source.may_hold("state_code")
    state_closed = "sc.value IS NOT NULL OR" if stated else ""
    state_won = "sc.is_won," if stated else ""
    state_join = (
        f"LEFT JOIN _import_stages sc ON sc.value = {state_name('k')}" if stated else ""
    )
    return f"""
            CREATE OR REPLACE TEMP TABLE _import_new_opportunities AS
            WITH {found},
            k AS (
                SELECT *, coalesce(opportunity_id,
                                   resolved_account || '|' || coalesce(name, '') || '|' || coalesce(close_date, ''))
                          AS natural_key,
                       {value} * {rate} AS annual,
                       {amount} * {rate} AS deal_amount
                FROM s
            )
            SELECT k._row, k._file, k._source, k.natural_key AS source_id,
                   coalesce(e.opportunity_id, k.opportunity_id,
                            k._source || ':' || left(md5(lower(k.natural_key)), 12)) AS opportunity_id,
                   k.resolved_account AS account_id, k.account_name, k.name, k.stage,
                   k.deal_amount AS amount,
                   {date_expr("k", "close_date")} AS close_date,
                   coalesce(wb_bool(k.is_closed), {state_closed} st.value IS NOT NULL
                            OR coalesce(wb_bool(k.is_won), false)) AS is_closed,
                   coalesce(wb_bool(k.is_won), {state_won} st.is_won, false) AS is_won,
                   k.resolved_owner AS owner_seller_id, k.owner_seller_name,
                   {created_on} AS created_on, k.contract_id,
                   coalesce({term},
                            CASE WHEN k.annual > 0 AND k.deal_amount > 0 THEN TRY_CAST(
                                round(k.deal_amount / k.annual * 12) AS INTEGER) END)
                       AS term_months{source.marks}
            FROM k
            LEFT JOIN opportunities e ON e.source = k._source AND e.source_id = k.natural_key
            LEFT JOIN _import_stages st ON st.value = lower(k.stage)
            {state_join}
            WHERE (k.resolved_account IS NOT NULL){source.kept}
            """


def _build_opportunities(cur: Connection, staged: set[str], direct: Direct) -> None:
    """Opportunities with their account and owner resolved."""
    if "opportunities" in staged:
        build = partial(_new_opportunities_sql, converts=import_has_rates(cur))
        first_build(cur, "opportunities", build, direct)


def _build_opportunity_contacts(cur: Connection, staged: set[str]) -> None:
    """People on opportunities, with the buying role their role implies."""
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


#: An activity's minutes from its staged row ``k``: its duration in minutes,
#: else in seconds.
ACTIVITY_MINUTES = (
    "coalesce(wb_num(k.duration_minutes), wb_num(k.duration_seconds) / 60)"
)


def _build_activities(cur: Connection, staged: set[str]) -> None:
    """Activities, keyed by what they say when they have no ID; people named."""
    if "activities" in staged:
        cur.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _import_new_activities AS
            WITH {_found_by_name("activities", "seller", "resolved_seller")},
            k AS (
                SELECT *, activity_id AS natural_key FROM s
            )
            SELECT k._row, k._file, k._source,
                   -- the CRM's own ID is stored once, as activity_id (schema.md)
                   NULL::VARCHAR AS source_id,
                   coalesce(k.activity_id,
                            k._source || ':' || left(md5(lower(k.natural_key)), 12)) AS activity_id,
                   k.resolved_account AS account_id, k.contact_id, k.contact_name,
                   k.resolved_seller AS seller_id, k.seller_name,
                   k.account_name AS _account_name,
                   {activity_kind("k.kind", "kv.kind", "tv.kind", "k._kind")} AS kind,
                   {date_expr("k", "activity_date")} AS activity_date,
                   {effort_minutes("k", ACTIVITY_MINUTES)} AS duration_minutes,
                   k.subject
            FROM k
            LEFT JOIN _import_kinds kv ON kv.value = lower(k.kind)
            LEFT JOIN _import_kinds tv ON tv.value = lower(trim(k.activity_type))
            """
        )
        resolve_activity_accounts(cur, staged)
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


def _build_contracts(cur: Connection, staged: set[str]) -> None:
    """Contracts with their account resolved; a deal names one by its ID."""
    if "contracts" in staged:
        cur.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _import_new_contracts AS
            SELECT s._row, s._file, s._source, s.contract_id AS source_id,
                   s.contract_id, coalesce(s.account_id, i.account_id) AS account_id,
                   {date_expr("s", "start_date")} AS start_date,
                   {date_expr("s", "end_date")} AS end_date,
                   TRY_CAST(round(wb_num(s.term_months)) AS INTEGER) AS term_months,
                   s.status
            FROM _import_in_contracts s
            LEFT JOIN _import_account_index i
                   ON i.k = lower(s.account_name) AND s.account_id IS NULL
            WHERE s.contract_id IS NOT NULL
              AND coalesce(s.account_id, i.account_id) IS NOT NULL
            """
        )


def _build_contact_influences(cur: Connection, staged: set[str]) -> None:
    """Influence lines between contacts."""
    if "contact_influences" in staged:
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE _import_new_contact_influences AS
            SELECT s._row, s._file, s._source,
                   s.from_contact_id || '|' || s.to_contact_id AS source_id,
                   s.from_contact_id, s.to_contact_id,
                   TRY_CAST(round(wb_num(s.strength)) AS TINYINT) AS strength
            FROM _import_in_contact_influences s
            WHERE s.from_contact_id IS NOT NULL AND s.to_contact_id IS NOT NULL
            """
        )


def import_build(
    cur: Connection,
    tables: Sequence[str],
    *,
    overwrite_edits: bool,
    in_place: Mapping[str, LargeCsv] | None = None,
) -> dict[str, int]:
    """Parse and resolve every staged table into ``_import_new_<table>``.

    Names that refer to accounts, sellers and contacts are resolved against the
    import and the database; accounts named only by a reference are created.
    ``in_place``: tables built from their file without a stage (contacts and
    deals; see :mod:`.direct_build`, which raises ``NotDirect`` when the
    staged path must take them). Returns the rows built from each of those.
    """
    staged = set(tables)
    direct: Direct = (in_place or {}, {})
    _build_sellers(cur, staged)
    _build_accounts(cur, staged)
    resolve_account_names(cur, staged)
    _build_contacts(cur, staged, overwrite_edits=overwrite_edits, direct=direct)
    _build_opportunities(cur, staged, direct)
    _build_opportunity_contacts(cur, staged)
    _build_activities(cur, staged)
    _build_contact_influences(cur, staged)
    _build_contracts(cur, staged)
    build_erp_revenue(cur, staged)
    build_account_situation(cur, staged)
    return direct[1]


def import_merged_by_name(cur: Connection) -> pl.DataFrame:
    """Return rows named only by name that another file of the import holds with an ID.

    Columns: ``table``, ``_file``, ``_row``, ``name``, ``into_id``, ``into_file``.
    """
    frame: pl.DataFrame = _frame(
        cur.sql('SELECT * FROM _import_merged ORDER BY "table", _file, _row')
    )
    return frame
