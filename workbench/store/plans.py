"""Account plans: versions, plan lines, the facts a plan draws on, overviews.

Plan lines live in their own tables (one row per line per version) so leaders'
overviews and analysts can query objectives, actions and risks with SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import polars as pl

from workbench.domain import (
    BUYING_ROLES,
)
from workbench.store._base import Connection
from workbench.store.account_types import CUSTOMER_SCOPE_SQL, customer_scope_params
from workbench.store.connection import query_frame, scalar_text
from workbench.store.voice import ANSWERS_ORDER, ANSWERS_SQL

#: Statuses of plan actions that still need doing (overdue when past due).
OPEN_ACTION_STATUSES: tuple[str, ...] = ("open", "in_progress")

_CURRENT_PLANS = """
    SELECT account_id, max(version) AS version FROM account_plans GROUP BY account_id
"""


def plan_head(con: Connection, account_id: str) -> dict[str, Any] | None:
    """Return the current plan version's number, author, time and status, or None.

    Pass the cursor of a write transaction to read inside it.
    """
    rows = con.execute(
        """
        SELECT version, saved_by, saved_at, status FROM account_plans
        WHERE account_id = $a ORDER BY version DESC LIMIT 1
        """,
        parameters={"a": account_id},
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
        rows = cur.execute(
            """
            SELECT version, content, saved_by, saved_at, status, based_on
            FROM account_plans
            WHERE account_id = $a AND ($v IS NULL OR version = $v)
            ORDER BY version DESC LIMIT 1
            """,
            parameters={"a": account_id, "v": version},
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
    # The deals and the activities each summed in one pass over the account's
    # rows: a subquery per figure, correlated to the account, read them five
    # times (15 against 5 ms a plan opened, at 2 M activities).
    frame = query_frame(
        con,
        """
        WITH deals AS (
            SELECT coalesce(sum(CASE WHEN isfinite(amount) THEN amount END) FILTER (
                       WHERE is_won
                         AND close_date > $as_of::DATE - INTERVAL 12 MONTH
                         AND close_date <= $as_of::DATE), 0)::DOUBLE
                       AS won_revenue_12m,
                   -- none open: 0; open deals, none with an amount (a CRM's
                   -- early stages): not known, rather than a pipeline of 0
                   CASE WHEN count(*) FILTER (WHERE NOT coalesce(is_closed, false)) = 0
                        THEN 0 ELSE sum(CASE WHEN isfinite(amount) THEN amount END)
                            FILTER (WHERE NOT coalesce(is_closed, false)) END::DOUBLE
                       AS open_pipeline,
                   count(*) FILTER (WHERE NOT coalesce(is_closed, false))
                       AS open_opportunities
            FROM opportunities WHERE account_id = $a
        ),
        effort AS (
            SELECT coalesce(sum(CASE WHEN isfinite(duration_minutes)
                                     THEN duration_minutes END), 0)::DOUBLE / 60
                       AS effort_hours_12m,
                   count(*) AS activities_12m
            FROM activities
            WHERE account_id = $a
              AND activity_date > $as_of::DATE - INTERVAL 12 MONTH
              AND activity_date <= $as_of::DATE
        )
        SELECT a.account_id, a.name, a.industry, a.region, a.country,
               s.name AS owner, a.wallet_estimate, a.gross_margin_pct,
               a.contract_type, a.direct_cost_annual, a.created_on, a.crm_type,
               d.won_revenue_12m, d.open_pipeline, d.open_opportunities,
               e.effort_hours_12m, e.activities_12m,
               -- the people still at the account (who left is counted by
               -- the buying centre's coverage)
               (SELECT count(*) FROM contacts c
                WHERE c.account_id = $a AND NOT coalesce(c.has_left, false))
                   AS contacts,
               r.relationship AS relationship_override,
               r.reason AS relationship_reason,
               r.set_by AS relationship_set_by
        FROM accounts a
        LEFT JOIN sellers s ON s.seller_id = a.owner_seller_id
        LEFT JOIN relationship_overrides r ON r.account_id = a.account_id
        CROSS JOIN deals d
        CROSS JOIN effort e
        WHERE a.account_id = $a
        """,
        {"a": account_id, "as_of": as_of},
    )
    return frame.row(0, named=True) if frame.height else None


def account_contacts_by_role(con: Connection, account_id: str) -> pl.DataFrame:
    """Return the account's people per buying role: count, influence, attitudes.

    Every buying role appears, with 0 people where nobody is known (a gap); people
    without a role come last as ``(unknown)``. People who have left are not
    counted: a role whose only person left is a gap.
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
            FROM contacts
            WHERE account_id = $a AND NOT coalesce(has_left, false)
            GROUP BY ALL
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


def plan_people_choices(
    con: Connection, account_id: str
) -> tuple[list[tuple[str, str | None]], list[str]]:
    """Return the people to offer in a plan: the account's contacts and our sellers.

    Contacts as (name, buying role or None), the most influential first; the
    plan labels them (:func:`workbench.plans.people_choices`). People who have
    left are not offered.
    """
    with con.cursor() as cur:
        contacts = cur.execute(
            """
            SELECT name, buying_role FROM contacts
            WHERE account_id = $a AND name IS NOT NULL
              AND NOT coalesce(has_left, false)
            ORDER BY coalesce(influence, 0) DESC, name
            """,
            parameters={"a": account_id},
        ).fetchall()
        sellers = cur.execute(
            "SELECT name FROM sellers WHERE name IS NOT NULL ORDER BY name"
        ).fetchall()
    return [(str(name), role) for name, role in contacts], [str(r[0]) for r in sellers]


def plans_portfolio(con: Connection, today: date) -> pl.DataFrame:
    """Return every customer account with its current plan and its lines' counts.

    An account the CRM types as no customer (:mod:`.account_types`) is left out
    unless it has a plan.

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
        -- the customers, and any other account someone wrote a plan for
        WHERE {CUSTOMER_SCOPE_SQL} OR p.version IS NOT NULL
        ORDER BY a.name, a.account_id
        """,
        {"today": today, **customer_scope_params()},
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
               (coalesce(sum(CASE WHEN isfinite(duration_minutes) THEN duration_minutes END), 0) / 60)::DOUBLE AS hours_recorded
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
        f"""
        {ANSWERS_SQL}
        WHERE r.account_id = $a AND r.responded_on > $since
          AND r.responded_on <= $as_of
        {ANSWERS_ORDER}
        """,
        {"a": account_id, "since": since, "as_of": as_of},
    )


def account_name(con: Connection, account_id: str) -> str | None:
    """Return an account's name, or None when there is no such account."""
    return scalar_text(
        con, "SELECT name FROM accounts WHERE account_id = $a", {"a": account_id}
    )
