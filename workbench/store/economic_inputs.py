"""Inputs of the account economics a workshop edits, and the reads built on them.

The hourly cost of each seller role or team (defaults in :mod:`workbench.domain`,
edits in ``seller_cost_rates``), wallet estimates per account and the wallet share
of revenue per industry; the SQL that gives each seller their hourly rate (used
inside :func:`workbench.store.account_features`), one account's hours by rate for
the cost breakdown, and the yearly revenue history the portfolio's retention is
measured on.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import polars as pl

from workbench.access import require
from workbench.domain import (
    DEFAULT_HOURLY_COST_BY_ROLE,
    SELLER_ROLE_PATTERNS,
    SELLER_ROLES,
    Actor,
)
from workbench.errors import RejectedInputError
from workbench.store._base import Connection, _now, _require_account, zero_if_missing
from workbench.store.connection import query_frame, write_transaction
from workbench.store.economics import REVENUE_CTE, revenue_params
from workbench.store.versions import COST_RATES, scope_facts, scope_shared

if TYPE_CHECKING:
    from datetime import date

#: The highest hourly cost or wallet share accepted (a typo guard, not a rule).
_MAX_HOURLY_COST = 100_000.0
_MAX_WALLET = 1e15

_ROLE_CASE = "\n".join(
    f"WHEN regexp_matches(s.team_and_title, $role_pattern_{i}) THEN $role_name_{i}"
    for i in range(len(SELLER_ROLE_PATTERNS))
)

# Each seller's role (from team and title, the first pattern that matches) and
# hourly rate: a rate set for the seller's team by its exact name wins over the
# role's; the role's is the edited one, else the default. A seller whose role and
# team have no rate gets NULL: the flat hourly cost applies (in analytics).
# Needs the parameters of :func:`seller_rate_params`.
SELLER_RATES_CTE = f"""
seller_roles AS (
    SELECT s.seller_id, lower(trim(s.team)) AS team_key,
           CASE {_ROLE_CASE} END AS role
    FROM (SELECT seller_id, team,
                 coalesce(team, '') || ' | ' || coalesce(title, '') AS team_and_title
          FROM sellers) s
),
rates AS (
    SELECT coalesce(e.rate_key, d.rate_key) AS rate_key,
           coalesce(e.hourly_cost, d.hourly_cost) AS hourly_cost,
           e.rate_key IS NOT NULL AS edited
    FROM (SELECT unnest($default_rate_keys) AS rate_key,
                 unnest($default_rate_costs)::DOUBLE AS hourly_cost) d
    FULL JOIN seller_cost_rates e ON e.rate_key = d.rate_key
),
seller_rates AS (
    SELECT sr.seller_id, sr.role,
           CASE WHEN tr.rate_key IS NOT NULL THEN tr.rate_key ELSE sr.role END
               AS rate_key,
           coalesce(tr.hourly_cost, rr.hourly_cost) AS hourly_rate
    FROM seller_roles sr
    LEFT JOIN rates tr ON tr.rate_key = sr.team_key
    LEFT JOIN rates rr ON rr.rate_key = sr.role
)
"""


#: Buying roles whose coverage says a deal can be won (who decides and who signs).
DECIDING_ROLES: tuple[str, ...] = ("decider", "approver")
#: An attitude as a share from 0 (blocker) to 1 (champion), for the sentiment signal.
ATTITUDE_SHARES: dict[str, float] = {
    "champion": 1.0,
    "supporter": 0.75,
    "neutral": 0.5,
    "skeptic": 0.25,
    "blocker": 0.0,
}

# Per account: its contacts (``contacts``), whether buying roles are recorded at
# all, the deciders and approvers on record, those touched in the 12 months by any
# account's activities (``touches`` of the account features, which carries each
# person's own account and buying role), and their mean attitude (0 blocker … 1
# champion; NULL when none of them has an attitude on record). The contacts are
# read in one grouped pass with no join: joining all of them to the people touched
# cost more than the pass itself; the engaged deciders are counted from the far
# fewer touches of deciders. Needs :func:`growth_signal_params`.
GROWTH_SIGNALS_CTE = """
engaged_deciders AS (
    SELECT contact_account_id AS account_id,
           count(DISTINCT contact_id) AS deciders_approvers_engaged
    FROM touches
    WHERE list_contains($deciding_roles, buying_role)
    GROUP BY contact_account_id
),
growth_signals AS (
    SELECT c.*, coalesce(d.deciders_approvers_engaged, 0)
                    AS deciders_approvers_engaged
    FROM (
        SELECT account_id,
            count(*) AS contacts,
            count(*) FILTER (WHERE buying_role IS NOT NULL) AS contacts_with_role,
            count(*) FILTER (WHERE list_contains($deciding_roles, buying_role))
                AS deciders_approvers,
            avg(list_extract($attitude_shares,
                             list_position($attitude_names, lower(attitude))))
                FILTER (WHERE list_contains($deciding_roles, buying_role))::DOUBLE
                AS decider_attitude
        FROM contacts GROUP BY account_id
    ) c
    LEFT JOIN engaged_deciders d USING (account_id)
)
"""


def growth_signal_params() -> dict[str, object]:
    """Return the parameters :data:`GROWTH_SIGNALS_CTE` needs."""
    return {
        "deciding_roles": list(DECIDING_ROLES),
        "attitude_names": list(ATTITUDE_SHARES),
        "attitude_shares": list(ATTITUDE_SHARES.values()),
    }


# The parts of :func:`workbench.store.account_features` that are the economics'
# inputs, kept beside the CTEs they read: the wallet estimated by hand where there
# is one (``wallet_estimate_source``: ``edited`` or ``imported``) and the wallet
# share set for the account's industry; the hours of sellers whose role or team
# has an hourly cost, priced at it (``rated_*``); the signs growth can be won
# (``contacts_with_role``, ``deciders_approvers``, ``deciders_approvers_engaged``,
# ``decider_attitude``). The retention counts come from :data:`RETENTION_CTE`.

#: Sums of each account's activities of a window (``activity_windows`` of the
#: account features) for the hours of sellers whose role or team has an hourly
#: rate, priced at it. Priced per activity, so the activities need not be grouped
#: by rate as well; whole minutes × whole rates add up exactly, in any order the
#: parallel aggregation takes.
RATED_ACTIVITY_SUMS = """
sum(CASE WHEN seller_rate IS NOT NULL THEN minutes END) AS rated_minutes,
sum(minutes * seller_rate) AS rated_minute_cost,
count(CASE WHEN duration_minutes IS NULL THEN seller_rate END)
    AS rated_without_duration,
sum(CASE WHEN duration_minutes IS NULL THEN seller_rate END)
    AS rated_without_duration_rate_sum
"""
#: Aggregates of ``activity_windows`` (:data:`RATED_ACTIVITY_SUMS` of the twelve
#: months per account): the hours of sellers whose role or team has an hourly
#: rate, priced at it.
RATED_EFFORT_SUMS = """
coalesce(sum(rated_minutes) FILTER (WHERE current), 0)::DOUBLE
    AS rated_minutes_recorded_12m,
-- divided after summing, so the sum is of whole numbers
coalesce(sum(rated_minute_cost) FILTER (WHERE current), 0)::DOUBLE / 60
    AS rated_recorded_cost_12m,
coalesce(sum(rated_without_duration) FILTER (WHERE current), 0)::BIGINT
    AS rated_without_duration_12m,
coalesce(sum(rated_without_duration_rate_sum) FILTER (WHERE current), 0)::DOUBLE
    AS rated_without_duration_rate_sum_12m
"""
#: The account's wallet: the estimate by hand (``we``) wins over the imported one.
WALLET_FEATURE_COLUMNS = """
coalesce(we.wallet_estimate, a.wallet_estimate)::DOUBLE AS wallet_estimate,
CASE WHEN we.wallet_estimate IS NOT NULL THEN 'edited'
     WHEN a.wallet_estimate IS NOT NULL THEN 'imported' END
    AS wallet_estimate_source
"""
#: The wallet share set for the account's industry (``iw``), the column after
#: :data:`WALLET_FEATURE_COLUMNS`.
INDUSTRY_WALLET_SHARE_COLUMN = (
    "iw.share_of_revenue_pct::DOUBLE AS industry_wallet_share_pct"
)
#: The priced hours (``e``) and the growth signs (``g``).
ECONOMICS_FEATURE_COLUMNS = ",\n".join(
    (
        zero_if_missing(
            "e",
            "rated_minutes_recorded_12m",
            "rated_recorded_cost_12m",
            "rated_without_duration_12m",
            "rated_without_duration_rate_sum_12m",
        ),
        zero_if_missing(
            "g",
            "contacts_with_role",
            "deciders_approvers",
            "deciders_approvers_engaged",
        ),
        "g.decider_attitude",
    )
)


def seller_rate_params() -> dict[str, object]:
    """Return the parameters :data:`SELLER_RATES_CTE` needs."""
    params: dict[str, object] = {
        "default_rate_keys": list(DEFAULT_HOURLY_COST_BY_ROLE),
        "default_rate_costs": list(DEFAULT_HOURLY_COST_BY_ROLE.values()),
    }
    for i, (role, pattern) in enumerate(SELLER_ROLE_PATTERNS):
        params[f"role_pattern_{i}"] = pattern
        params[f"role_name_{i}"] = role
    return params


def cost_rates(con: Connection) -> pl.DataFrame:
    """Return the hourly cost table: one row per role, then per team with a rate.

    Columns: ``rate_key`` (a role of :data:`workbench.domain.SELLER_ROLES` or a
    team's name in lower case), ``kind`` (``role`` or ``team``), ``hourly_cost``
    (in force), ``default_cost`` (NULL for a team), ``edited``, ``sellers`` (how
    many sellers it prices), ``set_by``, ``set_at``.
    """
    return query_frame(
        con,
        f"""
        WITH {SELLER_RATES_CTE}
        SELECT r.rate_key,
               CASE WHEN list_contains($roles, r.rate_key) THEN 'role' ELSE 'team' END
                   AS kind,
               r.hourly_cost::DOUBLE AS hourly_cost,
               d.default_cost, r.edited,
               (SELECT count(*) FROM seller_rates s WHERE s.rate_key = r.rate_key)
                   AS sellers,
               e.set_by, e.set_at
        FROM rates r
        LEFT JOIN (SELECT unnest($default_rate_keys) AS rate_key,
                          unnest($default_rate_costs)::DOUBLE AS default_cost) d
            USING (rate_key)
        LEFT JOIN seller_cost_rates e USING (rate_key)
        ORDER BY kind, coalesce(list_position($roles, r.rate_key), 99), r.rate_key
        """,
        {**seller_rate_params(), "roles": list(SELLER_ROLES)},
    )


def seller_rates(con: Connection) -> pl.DataFrame:
    """Return each seller's role, rate key and hourly rate (NULL: the flat cost)."""
    return query_frame(
        con,
        f"""
        WITH {SELLER_RATES_CTE}
        SELECT s.seller_id, s.name, s.team, s.title, r.role, r.rate_key,
               r.hourly_rate::DOUBLE AS hourly_rate
        FROM sellers s JOIN seller_rates r USING (seller_id)
        ORDER BY s.seller_id
        """,
        seller_rate_params(),
    )


def _number(name: str, value: object, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RejectedInputError(f"{name} must be a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number) or not 0 <= number <= high:
        raise RejectedInputError(f"{name} must lie between 0 and {high:,.0f}")
    return number


def set_cost_rate(
    con: Connection, actor: Actor, rate_key: str, hourly_cost: float | None
) -> None:
    """Set the hourly cost of a seller role or team (``None``: back to the default).

    Raises:
        PermissionDeniedError: the actor may not edit.
        RejectedInputError: an empty key or a cost outside 0–100,000; nothing is
            written then.
    """
    require(actor, "edit")
    key = rate_key.strip().lower()
    if not key:
        raise RejectedInputError("name a seller role or team for the hourly cost")
    if len(key) > 200:
        raise RejectedInputError("a team name is at most 200 characters")
    cost = (
        None
        if hourly_cost is None
        else _number("the hourly cost", hourly_cost, _MAX_HOURLY_COST)
    )
    with write_transaction(con) as cur:
        # every account's priced hours, and nothing else of their features
        scope_shared(cur, COST_RATES)
        cur.execute("DELETE FROM seller_cost_rates WHERE rate_key = $k", {"k": key})
        if cost is not None:
            cur.execute(
                "INSERT INTO seller_cost_rates VALUES ($k, $c, $who, $at)",
                {"k": key, "c": cost, "who": actor.name, "at": _now()},
            )


def account_wallet_estimates(con: Connection) -> pl.DataFrame:
    """Return the wallets estimated by hand: account, estimate, note, who, when."""
    return query_frame(
        con,
        "SELECT account_id, wallet_estimate, note, set_by, set_at "
        "FROM account_wallet_estimates ORDER BY account_id",
    )


def set_account_wallet(
    con: Connection,
    actor: Actor,
    account_id: str,
    wallet_estimate: float | None,
    note: str = "",
) -> None:
    """Estimate an account's wallet by hand (``None``: forget the estimate).

    The estimate wins over the imported ``wallet_estimate`` and survives a
    re-import.

    Raises:
        PermissionDeniedError: the actor may not edit.
        RejectedInputError: an unknown account or an amount out of range.
    """
    require(actor, "edit")
    wallet = (
        None
        if wallet_estimate is None
        else _number("a wallet estimate", wallet_estimate, _MAX_WALLET)
    )
    with write_transaction(con) as cur:
        _require_account(cur, account_id)
        scope_facts(cur, "SELECT $id", {"id": account_id})
        cur.execute(
            "DELETE FROM account_wallet_estimates WHERE account_id = $id",
            {"id": account_id},
        )
        if wallet is not None:
            cur.execute(
                "INSERT INTO account_wallet_estimates VALUES ($id, $w, $note, $who, $at)",
                {
                    "id": account_id,
                    "w": wallet,
                    "note": note.strip()[:500] or None,
                    "who": actor.name,
                    "at": _now(),
                },
            )


def industry_wallet_shares(con: Connection) -> pl.DataFrame:
    """Return every industry of the accounts with its wallet share, where one is set.

    Columns: ``industry``, ``accounts``, ``share_of_revenue_pct`` (NULL: the
    portfolio-wide default applies), ``set_by``, ``set_at``.
    """
    return query_frame(
        con,
        """
        SELECT i.industry, coalesce(a.accounts, 0) AS accounts,
               w.share_of_revenue_pct, w.set_by, w.set_at
        FROM (SELECT DISTINCT industry FROM accounts WHERE industry IS NOT NULL
              UNION SELECT industry FROM industry_wallet_shares) i
        LEFT JOIN (SELECT industry, count(*) AS accounts FROM accounts
                   GROUP BY industry) a USING (industry)
        LEFT JOIN industry_wallet_shares w USING (industry)
        ORDER BY accounts DESC, i.industry
        """,
    )


def set_industry_wallet_share(
    con: Connection, actor: Actor, industry: str, share_of_revenue_pct: float | None
) -> None:
    """Set an industry's wallet as a % of a customer's revenue (``None``: the default).

    Raises:
        PermissionDeniedError: the actor may not edit.
        RejectedInputError: an empty industry or a share outside 0–100.
    """
    require(actor, "edit")
    name = industry.strip()
    if not name:
        raise RejectedInputError("name the industry the wallet share is for")
    share = (
        None
        if share_of_revenue_pct is None
        else _number("a wallet share", share_of_revenue_pct, 100.0)
    )
    with write_transaction(con) as cur:
        scope_facts(
            cur, "SELECT account_id FROM accounts WHERE industry = $i", {"i": name}
        )
        cur.execute(
            "DELETE FROM industry_wallet_shares WHERE industry = $i", {"i": name}
        )
        if share is not None:
            cur.execute(
                "INSERT INTO industry_wallet_shares VALUES ($i, $s, $who, $at)",
                {"i": name, "s": share, "who": actor.name, "at": _now()},
            )


def account_effort_by_rate(
    con: Connection, account_id: str, as_of: date
) -> pl.DataFrame:
    """Return one account's effort in the 12 months up to ``as_of``, per rate.

    One row per rate key (role or team; NULL for sellers priced at the flat cost,
    and for activities no seller is named on): ``rate_key``, ``hourly_rate``
    (NULL: the flat cost), ``sellers``, ``activities``, ``minutes_recorded``,
    ``activities_without_duration``.
    """
    return query_frame(
        con,
        f"""
        WITH {SELLER_RATES_CTE}
        SELECT r.rate_key, any_value(r.hourly_rate)::DOUBLE AS hourly_rate,
               count(DISTINCT a.seller_id) AS sellers,
               count(*) AS activities,
               coalesce(sum(CASE WHEN isfinite(a.duration_minutes)
                            THEN a.duration_minutes END), 0)::DOUBLE
                   AS minutes_recorded,
               count(*) FILTER (WHERE a.duration_minutes IS NULL)
                   AS activities_without_duration
        FROM activities a LEFT JOIN seller_rates r USING (seller_id)
        WHERE a.account_id = $account
          AND a.activity_date > $as_of::DATE - INTERVAL 12 MONTH
          AND a.activity_date <= $as_of::DATE
        GROUP BY r.rate_key
        ORDER BY hourly_rate DESC NULLS LAST, r.rate_key
        """,
        {**seller_rate_params(), "account": account_id, "as_of": as_of},
    )


#: How many years back the portfolio's retention is measured (four pairs of years).
RETENTION_YEARS = 5

# The years (0 = the 12 months up to $as_of, 1 = the 12 before, …) in which each
# account had revenue in force (a won deal, spread over its term as REVENUE_CTE
# does, serving any day of the year), and the portfolio's retention counted on
# them: of the account-years with revenue, how many had revenue the year after.
# Each year's sum is a filtered sum of one grouped pass over the deals: joining
# every deal to the years it serves (an inequality join) cost about twice as much.
# Follows REVENUE_CTE. A move of the default term counts the same retention
# without this SQL (workbench/store/term_steps.py; compared in tests).


def _year_end(years_back: int) -> str:
    # dates, not timestamps: a DATE column compared with a TIMESTAMP is cast row
    # by row over every deal
    return f"($as_of::DATE - to_months({12 * years_back}))::DATE"


_YEAR_SUMS = ",\n".join(
    f"sum(annual_amount) FILTER (WHERE service_start <= {_year_end(k)} "
    f"AND service_end > {_year_end(k + 1)} AND close_date <= {_year_end(k)}) AS y{k}"
    for k in range(RETENTION_YEARS)
)
_YEARS = ", ".join(f"y{k}" for k in range(RETENTION_YEARS))
#: The bits of a retention mask for the years one back or more (the years a
#: retained account-year is counted in).
LATER_YEARS_BITS = (1 << RETENTION_YEARS) - 2
#: The column of each account's years with revenue in force, as the bits of a
#: number (bit k: year k back; ``retention_masks`` below), in the statement of
#: the account features: the portfolio's retention counts are sums over them,
#: so a change to some accounts' deals moves the counts by those accounts'
#: parts alone (:mod:`.feature_changes`). Not a feature: dropped.
RETENTION_MASK = "_retention_years_mask"

RETENTION_CTE = f"""
revenue_year_sums AS (
    SELECT account_id, {_YEAR_SUMS}
    FROM deal_years WHERE account_id IS NOT NULL GROUP BY account_id
),
revenue_years AS (
    SELECT * FROM (
        SELECT account_id, unnest(range({RETENTION_YEARS})) AS years_back,
               unnest([{_YEARS}])::DOUBLE AS revenue
        FROM revenue_year_sums
    ) WHERE revenue > 0
),
-- each account's years with revenue as the bits of one number (bit k: year k
-- back), so the portfolio's counts are sums over accounts: an account's own
-- part can be taken out and put back (workbench/store/feature_changes.py)
retention_masks AS (
    SELECT account_id, bit_or(1 << years_back)::INTEGER AS retention_years_mask
    FROM revenue_years GROUP BY account_id
),
-- of the account-years with revenue one year back or more (the bits above the
-- first), how many had revenue the year after (the bit below set too), and
-- how many such years any account had
retention_counts AS (
    SELECT coalesce(sum(bit_count(retention_years_mask & {LATER_YEARS_BITS})), 0)::BIGINT
               AS retention_account_years,
           coalesce(sum(bit_count(retention_years_mask & (retention_years_mask << 1)
                                  & {LATER_YEARS_BITS})), 0)::BIGINT AS retention_retained,
           bit_count(coalesce(bit_or(retention_years_mask), 0) & {LATER_YEARS_BITS})::BIGINT
               AS retention_year_pairs
    FROM retention_masks
)
"""


def account_revenue_years(
    con: Connection, as_of: date, default_term_months: int = 12
) -> pl.DataFrame:
    """Return each account's revenue in force in each of the last five years.

    Year 0 is the 12 months up to ``as_of``, year 1 the 12 before, and so on. An
    account has revenue in a year when a won deal of it (spread over its contract
    term, as :data:`~workbench.store.economics.REVENUE_CTE` does) serves any day of
    that year. Columns: ``account_id``, ``years_back``, ``revenue`` (the annual
    amounts in force at some point of the year, summed). Only years with revenue
    have a row; the portfolio's retention is measured on them (the account
    features carry the counts, see :data:`RETENTION_CTE`).
    """
    return query_frame(
        con,
        f"""
        WITH {REVENUE_CTE}, {RETENTION_CTE}
        SELECT account_id, years_back, revenue FROM revenue_years
        ORDER BY account_id, years_back
        """,
        {
            **revenue_params(default_term_months),
            "as_of": as_of,
        },
    )
