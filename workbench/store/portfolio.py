"""Portfolio reads: headline figures, account features, effort.

One row of features per account for segmentation and effort, and effort
aggregates. The segmentation's saved decisions live in :mod:`.decisions`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl

from workbench.domain import (
    EXECUTIVE_MAX_LEVEL,
    EXECUTIVE_MIN_TREE_DEPTH,
    JOINT_ACTIVITY_KINDS,
    PLAUSIBLE_DAYS,
    seniority_patterns,
)
from workbench.store._base import (
    LAST_IMPORT_DAY_KEY,
    PLAUSIBLE_END_DAY,
    Connection,
    plausible,
    zero_if_missing,
)
from workbench.store.account_types import CUSTOMER_SCOPE_SQL, customer_scope_params
from workbench.store.connection import get_meta, query_frame
from workbench.store.economic_inputs import (
    ECONOMICS_FEATURE_COLUMNS,
    GROWTH_SIGNALS_CTE,
    INDUSTRY_WALLET_SHARE_COLUMN,
    RATED_ACTIVITY_SUMS,
    RATED_EFFORT_SUMS,
    RETENTION_CTE,
    RETENTION_MASK,
    SELLER_RATES_CTE,
    WALLET_FEATURE_COLUMNS,
    growth_signal_params,
    seller_rate_params,
)
from workbench.store.economics import REVENUE_CTE, revenue_params
from workbench.store.erp_revenue import with_erp_revenue
from workbench.store.org_levels import linked_levels_cte
from workbench.store.term_revenue import (
    RETENTION_COUNT_COLUMNS,
    REVENUE_BASIS_SQL,
    REVENUE_COLUMNS,
)

#: Every dated event: the activities, the closed deals, the survey answers.
_DATED_EVENTS = """
    SELECT activity_date AS d FROM activities
    UNION ALL SELECT close_date FROM opportunities WHERE is_closed
    UNION ALL SELECT responded_on FROM nps_responses
"""


def data_date_range(con: Connection) -> tuple[date | None, date | None]:
    """Return the first and last day of the data's dated events (activities, deals, NPS).

    Only days a CRM means count (:data:`workbench.domain.PLAUSIBLE_DAYS`: not a
    1900-01-01 placeholder nor a timestamp read in the wrong unit). And the last
    is never after the day after the latest import (a day of grace for the time
    zones: the import's clock is UTC, a CRM's dates the seller's own): an export
    holds the due dates of open tasks and the meetings planned ahead, which are
    not yet effort, and would otherwise move the as-of day (and every 12-month
    window) into the future. A database no import wrote (the demo, a
    notebook's) has no such day.
    """
    return _date_ranges(con)[:2]


def _date_ranges(con: Connection) -> tuple[date | None, date | None, date | None]:
    """Return :func:`data_date_range`, and the last day of any event (the raw last)."""
    first, end = PLAUSIBLE_DAYS
    imported = get_meta(con, LAST_IMPORT_DAY_KEY)
    cap = date.fromisoformat(imported) + timedelta(days=1) if imported else None
    with con.cursor() as cur:
        raw_first, raw_last = cur.execute(
            f"SELECT min(d), max(d) FROM ({_DATED_EVENTS})"
        ).fetchall()[0]
        # The plain minimum and maximum come from the columns' statistics (4 ms
        # at 2 million activities); only data holding a day to leave out pays
        # for the filtered scan (13 ms).
        if raw_first is None or (
            raw_first >= first and raw_last < end and (cap is None or raw_last <= cap)
        ):
            return raw_first, raw_last, raw_last
        kept_first, kept_last = cur.execute(
            f"""
            SELECT min(d), max(d) FILTER (WHERE d <= $cap)
            FROM ({_DATED_EVENTS}) WHERE d >= $first AND d < $end
            """,
            {"first": first, "end": end, "cap": cap or end},
        ).fetchall()[0]
    return kept_first, kept_last, raw_last


def portfolio_summary(con: Connection, as_of: date | None = None) -> dict[str, Any]:
    """Return headline figures of the whole portfolio for the Overview page.

    Won revenue covers the 12 months up to ``as_of`` (default: the last day in the
    data). Effort hours count every activity's duration. ``accounts`` counts every
    account, ``customers`` those the segments count (:mod:`.account_types`).
    """
    first_day, last_day, raw_last = _date_ranges(con)
    as_of = as_of or last_day or datetime.now(UTC).date()
    # a count over every activity only when some event lies after the day
    later = raw_last is not None and raw_last > as_of
    row = query_frame(
        con,
        f"""
        SELECT
            (SELECT count(*) FROM accounts) AS accounts,
            -- the accounts the segments count (store.account_types)
            (SELECT count(*) FROM accounts a WHERE {CUSTOMER_SCOPE_SQL}) AS customers,
            (SELECT count(*) FROM contacts) AS contacts,
            (SELECT count(*) FROM sellers) AS sellers,
            (SELECT count(*) FROM opportunities) AS opportunities,
            (SELECT count(*) FROM activities) AS activities,
            -- dated after the as-of day: planned, or a CRM's typo; in no window
            (SELECT count(*) FROM activities
              WHERE $later AND activity_date > $as_of::DATE) AS activities_after_as_of,
            (SELECT count(*) FROM nps_responses) AS nps_responses,
            (SELECT coalesce(sum(CASE WHEN isfinite(amount) THEN amount END), 0)::DOUBLE FROM opportunities
               WHERE is_won AND close_date > $as_of::DATE - INTERVAL 12 MONTH
                 AND close_date <= $as_of::DATE) AS won_revenue_12m,
            (SELECT coalesce(sum(CASE WHEN isfinite(duration_minutes) THEN duration_minutes END), 0)::DOUBLE / 60 FROM activities)
                AS effort_hours,
            (SELECT coalesce(sum(CASE WHEN isfinite(duration_minutes) THEN duration_minutes END), 0)::DOUBLE / 60 FROM activities
               WHERE activity_date > $as_of::DATE - INTERVAL 12 MONTH
                 AND activity_date <= $as_of::DATE) AS effort_hours_12m
        """,
        {"as_of": as_of, "later": later, **customer_scope_params()},
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
            SELECT account_id, sum(CASE WHEN isfinite(amount) THEN amount END) AS won FROM opportunities
            WHERE is_won GROUP BY account_id
        ) w USING (account_id)
        GROUP BY ALL ORDER BY won_revenue DESC
        """,
    )


# --- segmentation (issue 6) and effort allocation (issue 7) -----------------------

#: Reporting trees deeper than this are cut (and cycles in bad data stop here).
_MAX_ORG_DEPTH = 12


# Each contact's level in its account's reporting tree (1 at the top) and the depth
# of that tree; people whose manager chain does not reach a top within
# _MAX_ORG_DEPTH levels (a cycle in bad data, or deeper) get no level. The chain is
# walked up by pointer jumping over the people with a manager on record only
# (:mod:`.org_levels`); everyone else is a top of their own. Reporting lines count
# within an account, as on the buying-centre map: a manager recorded at another
# account leaves the person at the top here. ``is_executive`` is the one seniority
# rule of :mod:`workbench.domain` (title, executive office, or the top levels of a
# deep tree when the title is unknown); the patterns come in as bound parameters.
_CONTACT_LEVELS_CTE = f"""
manager_links AS (
    SELECT c.rowid AS contact_row, m.rowid AS manager_row
    FROM (SELECT rowid, account_id, reports_to_id FROM contacts
          WHERE reports_to_id IS NOT NULL) c
    JOIN contacts m ON m.contact_id = c.reports_to_id AND m.account_id = c.account_id
),
{linked_levels_cte(_MAX_ORG_DEPTH)},
-- The patterns are matched once per distinct title and department, not once per
-- contact: a CRM has a few hundred titles for hundreds of thousands of people.
title_flags AS (
    SELECT title,
           coalesce(regexp_matches(title, $executive_title)
                    AND NOT regexp_matches(title, $executive_title_exclude),
                    false) AS senior_title
    FROM (SELECT DISTINCT title FROM contacts WHERE title IS NOT NULL)
),
department_flags AS (
    SELECT department,
           coalesce(regexp_matches(department, $procurement_department), false)
               AS is_procurement,
           coalesce(regexp_matches(department, $executive_department), false)
               AS executive_department
    FROM (SELECT DISTINCT department FROM contacts WHERE department IS NOT NULL)
),
people AS (
    SELECT c.contact_id, c.account_id AS contact_account_id, c.department,
           c.buying_role,
           -- no row: no manager and nobody's manager, a tree of one
           CASE WHEN l.contact_row IS NULL THEN 1 ELSE l.org_level END AS org_level,
           coalesce(df.is_procurement, false) AS is_procurement,
           -- buying from the head of purchasing is still transactional
           NOT coalesce(df.is_procurement, false)
           AND (
               coalesce(tf.senior_title, false)
               OR coalesce(df.executive_department, false)
               OR (nullif(trim(c.title), '') IS NULL
                   AND coalesce(
                       CASE WHEN l.contact_row IS NULL THEN 1 ELSE l.org_level END
                           <= {EXECUTIVE_MAX_LEVEL}
                       AND CASE WHEN l.contact_row IS NULL THEN 1 ELSE l.tree_depth END
                           >= {EXECUTIVE_MIN_TREE_DEPTH},
                       false))
           ) AS is_executive
    FROM contacts c LEFT JOIN linked_levels l ON l.contact_row = c.rowid
    LEFT JOIN title_flags tf ON tf.title = c.title
    LEFT JOIN department_flags df ON df.department = c.department
)
"""


def _segment_params(as_of: date) -> dict[str, Any]:
    return {"as_of": as_of, **seniority_patterns()}


def resolve_as_of(con: Connection, as_of: date | None = None) -> date:
    """Return the as-of date: the one given, else the last day in the data, else today."""
    if as_of is not None:
        return as_of
    _first, last_day = data_date_range(con)
    return last_day or datetime.now(UTC).date()


# Sums skip NaN and infinities (CASE WHEN isfinite ...): imports refuse them, but a
# file written by an older version may hold some, and one such deal must not
# blank an account's or the portfolio's total (they count as unknown, like NULL).

#: The aggregates' counts and sums, zero for an account they have no row for: won
#: deals (``r``; the revenue in force: :mod:`.term_revenue`), effort (``e``) and
#: who was engaged.
WON_COLUMNS = zero_if_missing("r", "won_12m", "won_prev_12m")
EFFORT_COLUMNS = zero_if_missing(
    "e",
    "effort_minutes_recorded_12m",
    "activities_12m",
    "activities_without_duration_12m",
    "effort_minutes_recorded_prev_12m",
    "activities_prev_12m",
    "activities_without_duration_prev_12m",
    "procurement_minutes_12m",
    "executive_minutes_12m",
)
ENGAGEMENT_COLUMNS = zero_if_missing(
    "e",
    "contacts_engaged",
    "departments_engaged",
    "non_procurement_departments_engaged",
)


#: The retention counts' places in the accounts' join, and their values after it.
_EMPTY_RETENTION_COUNTS = ", ".join(f"NULL AS {c}" for c in RETENTION_COUNT_COLUMNS)
_RETENTION_COUNT_VALUES = ", ".join(f"rc.{c} AS {c}" for c in RETENTION_COUNT_COLUMNS)


#: The months of activities whose people count in an account's features (the
#: ``touches``: engagement, departments, deciders engaged). Only through them
#: does an activity reach beyond its own account, so bringing features up to
#: date looks this far back for other accounts' activities naming the changed
#: accounts' people (:mod:`.feature_changes`).
TOUCHES_MONTHS = 12

#: One row of segmentation signals per account (see :func:`account_features`).
#: The activities of the two windows the account features sum (the twelve
#: months up to ``$as_of``, ``current``, and the twelve before), with the
#: columns their sums read: a duration that is not a finite number counts no
#: minutes.
_WINDOW_ACTIVITIES = """
                    SELECT account_id, seller_id, duration_minutes,
                           CASE WHEN isfinite(duration_minutes)
                                THEN duration_minutes END AS minutes,
                           list_contains($joint, kind) AS joint,
                           activity_date > $as_of::DATE - INTERVAL 12 MONTH
                               AS current
                    FROM activities
                    WHERE account_id IS NOT NULL
                      AND activity_date > $as_of::DATE - INTERVAL 24 MONTH
                      AND activity_date <= $as_of::DATE
"""

ACCOUNT_FEATURES_SQL = f"""
        WITH {_CONTACT_LEVELS_CTE}, {REVENUE_CTE}, {RETENTION_CTE}, {SELLER_RATES_CTE},
        -- The activities are summed twice, each in one grouped scan: per account
        -- and window (the twelve months or the twelve before) for the sums that
        -- need no person (the sellers' rates are a small table, priced per
        -- activity), and per account and person over the twelve months for what
        -- does; only those far fewer rows meet the people. Grouping every sum per
        -- account and person (and seller's rate) made several times more groups,
        -- and distinct counts over 2 M activities cost several times the scan.
        activity_windows AS (
            SELECT account_id, current,
                count(*) AS activities,
                sum(minutes) AS minutes,
                -- counts of a CASE rather than FILTER clauses: a fifth faster
                -- over a million and a half rows, same figures
                count(*) - count(duration_minutes) AS without_duration,
                count(CASE WHEN joint THEN 1 END) AS joint_activities,
                {RATED_ACTIVITY_SUMS}
            FROM (
                -- the kind is reduced to a flag before the join to the sellers'
                -- rates: carrying the text through the join of a million and a
                -- half rows cost a sixth of the statement
                SELECT a.account_id, a.duration_minutes, a.minutes, a.joint,
                       sr.hourly_rate AS seller_rate, a.current
                FROM ({_WINDOW_ACTIVITIES}) a
                LEFT JOIN seller_rates sr ON sr.seller_id = a.seller_id
            )
            GROUP BY account_id, current
        ),
        activity_sums AS (
            SELECT account_id,
                coalesce(sum(minutes) FILTER (WHERE current), 0)::DOUBLE
                    AS effort_minutes_recorded_12m,
                sum(activities) FILTER (WHERE current)::BIGINT AS activities_12m,
                sum(without_duration) FILTER (WHERE current)::BIGINT
                    AS activities_without_duration_12m,
                coalesce(sum(minutes) FILTER (WHERE NOT current), 0)::DOUBLE
                    AS effort_minutes_recorded_prev_12m,
                sum(activities) FILTER (WHERE NOT current)::BIGINT
                    AS activities_prev_12m,
                sum(without_duration) FILTER (WHERE NOT current)::BIGINT
                    AS activities_without_duration_prev_12m,
                sum(joint_activities) FILTER (WHERE current)::BIGINT
                    AS joint_activities,
                {RATED_EFFORT_SUMS}
            FROM activity_windows GROUP BY account_id
        ),
        -- each person an account's activities of the twelve months name (one row
        -- per account and person, so people need no DISTINCT)
        touches AS (
            SELECT t.*, p.contact_account_id, p.buying_role, p.department,
                   p.org_level,
                   coalesce(p.is_procurement, false) AS is_procurement,
                   coalesce(p.is_executive, false) AS is_executive
            FROM (
                SELECT account_id, contact_id, count(*) AS activities_12m,
                       sum(CASE WHEN isfinite(duration_minutes)
                                THEN duration_minutes END) AS minutes_12m
                FROM activities
                WHERE account_id IS NOT NULL AND contact_id IS NOT NULL
                  AND activity_date > $as_of::DATE - INTERVAL {TOUCHES_MONTHS} MONTH
                  AND activity_date <= $as_of::DATE
                GROUP BY account_id, contact_id
            ) t
            LEFT JOIN people p USING (contact_id)
        ),
        -- No DISTINCT aggregates: any one of them made DuckDB group the touches
        -- again for each and join the counts back, a tenth of the statement.
        -- The levels engaged are bits of one integer (a level is at most
        -- _MAX_ORG_DEPTH); the departments are counted from (account,
        -- department) pairs grouped once (whether a department is purchasing
        -- depends on its name alone).
        engagement AS (
            SELECT account_id,
                coalesce(sum(minutes_12m) FILTER (WHERE is_procurement), 0)::DOUBLE
                    AS procurement_minutes_12m,
                coalesce(sum(minutes_12m) FILTER (WHERE is_executive), 0)::DOUBLE
                    AS executive_minutes_12m,
                count(*) AS contacts_engaged,
                coalesce(bit_count(bit_or(1::BIGINT << org_level)), 0)::BIGINT
                    AS org_levels_engaged,
                coalesce(sum(activities_12m) FILTER (WHERE is_executive), 0)::BIGINT
                    AS executive_touches,
                count(*) FILTER (WHERE is_executive) AS executive_contacts_engaged
            FROM touches GROUP BY account_id
        ),
        departments_engaged AS (
            SELECT account_id, count(*) AS departments_engaged,
                   count(*) FILTER (WHERE NOT is_procurement)
                       AS non_procurement_departments_engaged
            FROM (SELECT DISTINCT account_id, department, is_procurement
                  FROM touches WHERE department IS NOT NULL)
            GROUP BY account_id
        ),
        -- every account with people touched in the twelve months has sums too
        effort AS (
            SELECT * FROM activity_sums
            LEFT JOIN engagement USING (account_id)
            LEFT JOIN departments_engaged USING (account_id)
        ),
        {GROWTH_SIGNALS_CTE},
        pipeline AS (
            -- open at the as-of date: opened by then and not yet closed by then
            SELECT account_id, coalesce(sum(CASE WHEN isfinite(amount) THEN amount END), 0)::DOUBLE AS open_pipeline
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
        -- The accounts meet their sums in two joins, not one: DuckDB searches
        -- every order of one join's relations (up to twelve), and the nine
        -- sums, the two contract look-ups below and the industry and
        -- retention tables in one join cost 17 ms of planning at every read
        -- (a quarter of a few accounts' read); in two, 3 ms. The inner join
        -- leaves the outer one's columns empty, in their places.
        per_account AS (
            SELECT
                a.account_id, a.name, a.industry, a.region, a.owner_seller_id,
                a.annual_revenue::DOUBLE AS annual_revenue,
                {WALLET_FEATURE_COLUMNS},
                NULL AS industry_wallet_share_pct,
                a.gross_margin_pct::DOUBLE AS gross_margin_pct,
                a.direct_cost_annual::DOUBLE AS direct_cost_annual,
                a.contract_type, a.created_on,
                -- unknown without a start (greatest() would read NULL as 0:
                -- a tenure of 0 years, scored as known) or from a placeholder
                -- (1900-01-01: a tenure of 126 years)
                CASE WHEN {plausible("a.created_on")} THEN
                    greatest(date_diff('day', a.created_on, $as_of::DATE), 0) / 365.25
                END AS tenure_years,
                {WON_COLUMNS},
                {REVENUE_COLUMNS},
                {REVENUE_BASIS_SQL},
                $default_term::INTEGER AS default_term_months,
                NULL AS contract_term_months,
                NULL AS contract_years_left,
                coalesce(p.open_pipeline, 0) AS open_pipeline,
                {EFFORT_COLUMNS},
                coalesce(g.contacts, 0) AS contacts,
                {ENGAGEMENT_COLUMNS},
                coalesce(e.departments_engaged, 0) > 0
                    AND coalesce(e.non_procurement_departments_engaged, 0) = 0
                    AS procurement_only,
                coalesce(e.org_levels_engaged, 0) AS org_levels_engaged,
                coalesce(e.executive_touches, 0) AS executive_touches,
                coalesce(e.executive_contacts_engaged, 0)
                    AS executive_contacts_engaged,
                coalesce(e.joint_activities, 0) AS joint_activities,
                {ECONOMICS_FEATURE_COLUMNS},
                n.nps, coalesce(n.nps_responses, 0) AS nps_responses,
                {_EMPTY_RETENTION_COUNTS},
                $as_of::DATE AS as_of,
                coalesce(rm.retention_years_mask, 0) AS {RETENTION_MASK}
            FROM accounts a
            LEFT JOIN revenue r USING (account_id)
            LEFT JOIN pipeline p USING (account_id)
            LEFT JOIN effort e USING (account_id)
            LEFT JOIN nps n USING (account_id)
            LEFT JOIN growth_signals g USING (account_id)
            LEFT JOIN account_wallet_estimates we USING (account_id)
            LEFT JOIN retention_masks rm USING (account_id)
            -- no competitor, partner or supplier (store.account_types)
            WHERE {CUSTOMER_SCOPE_SQL}
        )
        SELECT f.* REPLACE (
            {INDUSTRY_WALLET_SHARE_COLUMN},
            (SELECT max(ct.term_months) FROM contract_terms ct
              WHERE ct.account_id = f.account_id
                AND ct.start_date <= $as_of::DATE
                AND $as_of::DATE <= coalesce(ct.end_date, $as_of::DATE)
                AND ct.status NOT IN (SELECT unnest($not_in_force)))
                AS contract_term_months,
            (SELECT max(date_diff('day', $as_of::DATE, ct.end_date)) / 365.25
               FROM contract_terms ct
              WHERE ct.account_id = f.account_id
                AND ct.start_date <= $as_of::DATE AND $as_of::DATE <= ct.end_date
                -- an open end (9999-12-31) bounds no years: the expected apply
                AND ct.end_date < {PLAUSIBLE_END_DAY}
                AND ct.status NOT IN (SELECT unnest($not_in_force)))
                AS contract_years_left,
            {_RETENTION_COUNT_VALUES}
        )
        FROM per_account f
        LEFT JOIN industry_wallet_shares iw ON iw.industry = f.industry
        CROSS JOIN retention_counts rc
        ORDER BY f.account_id
        """


def account_features(
    con: Connection, as_of: date | None = None, default_term_months: int = 12
) -> pl.DataFrame:
    """Return one row per customer account with every signal segmentation and effort use.

    An account the CRM types as no customer is left out (:mod:`.account_types`).

    Windows: "12m" is the 12 months up to and including ``as_of``; "prev_12m" the
    12 months before that. Executive contacts follow the one seniority rule of
    :mod:`workbench.domain` (senior title, the executive office, or the top two
    levels of a deep reporting tree when the title is unknown; never purchasing,
    never merely for having no manager on record). All amounts are DOUBLE, counts
    BIGINT, so charts and polars never meet DECIMAL.

    Revenue: ``won_12m`` and ``won_prev_12m`` are bookings (won deals closed in
    the window); ``revenue_annualised`` is the annual revenue of the won deals in
    force on ``as_of``, each spread over its contract term (``default_term_months``
    where no contract is known, terms under a year counted as a year) and
    ``revenue_annualised_prev`` the same a year earlier; ``revenue_basis`` says
    which terms it rests on (``contract_terms``, ``default_term``, ``mixed`` or
    ``none``), with ``deals_in_force``, ``deals_on_default_term``,
    ``default_term_months`` and ``contract_term_months`` and ``contract_years_left``
    (of the account's contracts in force on ``as_of``, NULL when none).

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

    And the economics' inputs of :mod:`workbench.store.economic_inputs`
    (edited wallets, hours priced by role, growth signs, retention counts).
    """
    day = resolve_as_of(con, as_of)
    features = query_frame(
        con, ACCOUNT_FEATURES_SQL, account_feature_params(day, default_term_months)
    )
    # An imported ERP file is the revenue basis of the accounts it covers.
    return with_erp_revenue(con, features, day).drop(RETENTION_MASK)


def account_feature_params(as_of: date, default_term_months: int) -> dict[str, Any]:
    """Return the parameters of :data:`ACCOUNT_FEATURES_SQL`.

    The statement keeps :data:`RETENTION_MASK`; :mod:`.feature_changes` runs it too.
    """
    return {
        **_segment_params(as_of),
        **revenue_params(default_term_months),
        **seller_rate_params(),
        **growth_signal_params(),
        **customer_scope_params(),
        "joint": list(JOINT_ACTIVITY_KINDS),
    }


#: The priced hours of :data:`ACCOUNT_FEATURES_SQL` (``rated_*``) alone, per
#: account with activities of a seller with an hourly cost in the twelve months
#: (the others' are 0): the same parts of the statement over the same rows, so
#: that a change of an hourly cost reads them again without adding up the rest
#: (:mod:`.feature_changes`). Takes :func:`account_feature_params`.
PRICED_HOURS_SQL = f"""
        WITH {SELLER_RATES_CTE},
        activity_windows AS (
            SELECT account_id, current,
                {RATED_ACTIVITY_SUMS}
            FROM (
                SELECT a.account_id, a.duration_minutes, a.minutes,
                       sr.hourly_rate AS seller_rate, a.current
                FROM ({_WINDOW_ACTIVITIES}) a
                JOIN seller_rates sr ON sr.seller_id = a.seller_id
                WHERE a.current AND sr.hourly_rate IS NOT NULL
            )
            GROUP BY account_id, current
        )
        SELECT account_id, {RATED_EFFORT_SUMS}
        FROM activity_windows GROUP BY account_id
        """

#: The columns of :data:`PRICED_HOURS_SQL`, as the account features hold them.
PRICED_HOURS_COLUMNS: tuple[str, ...] = (
    "rated_minutes_recorded_12m",
    "rated_recorded_cost_12m",
    "rated_without_duration_12m",
    "rated_without_duration_rate_sum_12m",
)


def priced_hours_params(as_of: date) -> dict[str, Any]:
    """Return the parameters of :data:`PRICED_HOURS_SQL`."""
    return {
        "as_of": as_of,
        **seller_rate_params(),
        "joint": list(JOINT_ACTIVITY_KINDS),
    }
