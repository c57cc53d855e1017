"""Account economics in the store: contracts, revenue over contract terms, situation.

Holds the SQL that spreads a won deal over its contract term (used inside
:func:`workbench.store.account_features`), and the reads and writes of the buying
situation a workshop sets per account (the factors of the target relationship).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from workbench.access import require
from workbench.domain import SITUATION_FACTORS, SITUATION_LEVELS, Actor
from workbench.errors import RejectedInputError
from workbench.store._base import Connection, _now, _require_account, plausible
from workbench.store.connection import query_frame, write_transaction

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Contract statuses that are not (or no longer) in force: a deal is not spread over
#: such a contract merely because its close date falls inside it (compared lower-case).
CONTRACTS_NOT_IN_FORCE: tuple[str, ...] = (
    "draft",
    "in approval process",
    "cancelled",
    "canceled",
    "terminated",
    "rejected",
    "草稿",
    "作废",
    "作廢",
    "终止",
    "終止",
)

# Every won deal with the period its revenue serves. The term comes from the
# contract the deal names (Opportunity.ContractId), else from the deal's own term
# (its total over its annual value, HubSpot's TCV/ACV; docs/import.md), else from a contract of the
# account in force on the close date, else from the default term ($default_term,
# months). Terms under a year count as a year, so no deal is multiplied up; a deal's
# annual revenue is its amount × 12 / term.
#
# In two parts, so that a move of the default term need not read the deals again:
# DEAL_TERMS_CTE finds each won deal's known term (``known_term_months``, NULL for
# a deal on the default term; needs $as_of and $not_in_force), and
# TERMED_REVENUE_CTE spreads the deals of ``deal_terms`` over their terms and sums
# the revenue in force (needs $as_of and $default_term). REVENUE_CTE is both.
DEAL_TERMS_CTE = f"""
contract_terms AS (
    SELECT contract_id, account_id, start_date, end_date,
           lower(trim(coalesce(status, ''))) AS status,
           coalesce(
               CASE WHEN term_months > 0 THEN term_months END,
               -- no term from a placeholder start or an open end (9999-12-31)
               CASE WHEN {plausible("start_date")} AND {plausible("end_date")}
                    AND end_date > start_date
                    THEN greatest(round(date_diff('day', start_date, end_date + 1)
                                        / 30.4375), 1)::INTEGER END
           ) AS term_months
    FROM contracts
),
covering AS (
    -- keyed on the deal's row number: it joins back several times faster than
    -- the text ID over a million deals
    SELECT o.rowid AS opportunity_row, arg_max(ct.term_months, ct.start_date) AS term_months
    FROM opportunities o
    JOIN contract_terms ct ON ct.account_id = o.account_id
        AND ct.start_date <= o.close_date AND o.close_date <= ct.end_date
        AND ct.term_months IS NOT NULL
        AND ct.status NOT IN (SELECT unnest($not_in_force))
    WHERE o.is_won
    GROUP BY o.rowid
),
deal_terms AS (
    SELECT o.account_id, o.amount, o.close_date,
        CASE WHEN k.term_months IS NOT NULL THEN 'contract'
             WHEN o.term_months IS NOT NULL THEN 'deal_term'
             WHEN cv.term_months IS NOT NULL THEN 'account_contract'
             ELSE 'default_term' END AS term_source,
        CASE WHEN k.term_months IS NOT NULL THEN coalesce(k.start_date, o.close_date)
             ELSE o.close_date END AS service_start,
        coalesce(k.term_months, o.term_months, cv.term_months)
            AS known_term_months
    FROM opportunities o
    LEFT JOIN contract_terms k ON k.contract_id = o.contract_id
    LEFT JOIN covering cv ON cv.opportunity_row = o.rowid
    WHERE o.is_won AND o.close_date <= $as_of::DATE AND o.amount IS NOT NULL
)"""
#: The shortest term a won deal is spread over, in months: a shorter one counts
#: as a year, so no deal is multiplied up.
SHORTEST_TERM_MONTHS = 12

# The same rule is worked out without this SQL for a move of the default term
# (workbench/store/term_steps.py, from each deal's shortest serving term): a
# change here must be made there too; tests/test_term_revenue.py compares the
# two for every term from 1 to 240 months.
TERMED_REVENUE_CTE = f"""
-- The end of each deal's service and its annual amount are worked out here,
-- once per deal: the deals are kept for the two grouped passes that read them
-- (this one and the retention's years), and worked out downstream the month
-- arithmetic ran again for every comparison of every pass, a tenth of the
-- account features.
won_deals AS (
    -- the columns the two passes read, named: the known term stays behind
    SELECT account_id, amount, close_date, term_source, service_start,
           term_months, amount * 12.0 / term_months AS annual_amount,
           -- dates, not timestamps: comparing a DATE column with a TIMESTAMP
           -- casts every row of the million deals first
           (service_start + to_months(term_months))::DATE AS service_end
    FROM (
    SELECT *,
        greatest(coalesce(known_term_months, $default_term::INTEGER),
                 {SHORTEST_TERM_MONTHS}) AS term_months
    FROM deal_terms
    )
),
deal_years AS (
    SELECT *, ($as_of::DATE - INTERVAL 12 MONTH)::DATE AS year_before
    FROM won_deals
),
revenue AS (
    SELECT account_id,
        coalesce(sum(annual_amount) FILTER (
            WHERE service_start <= $as_of::DATE AND $as_of::DATE < service_end),
            0)::DOUBLE AS revenue_annualised,
        coalesce(sum(annual_amount) FILTER (
            WHERE close_date <= year_before
              AND service_start <= year_before AND year_before < service_end),
            0)::DOUBLE AS revenue_annualised_prev,
        count(*) FILTER (
            WHERE service_start <= $as_of::DATE AND $as_of::DATE < service_end)
            AS deals_in_force,
        count(*) FILTER (
            WHERE service_start <= $as_of::DATE AND $as_of::DATE < service_end
              AND term_source = 'default_term') AS deals_on_default_term,
        -- bookings: the won deals closed in the 12 months and in the 12 before
        -- (summed here rather than in a scan of the deals of their own)
        coalesce(sum(CASE WHEN isfinite(amount) THEN amount END) FILTER (
            WHERE close_date > $as_of::DATE - INTERVAL 12 MONTH), 0)::DOUBLE
            AS won_12m,
        coalesce(sum(CASE WHEN isfinite(amount) THEN amount END) FILTER (
            WHERE close_date > $as_of::DATE - INTERVAL 24 MONTH
              AND close_date <= $as_of::DATE - INTERVAL 12 MONTH), 0)::DOUBLE
            AS won_prev_12m
    FROM deal_years GROUP BY account_id
)
"""
#: Every won deal spread over its term, and the revenue in force per account.
REVENUE_CTE = f"{DEAL_TERMS_CTE},\n{TERMED_REVENUE_CTE}"


def revenue_params(default_term_months: int) -> dict[str, object]:
    """Return the parameters :data:`REVENUE_CTE` needs besides ``as_of``."""
    if default_term_months < 1:
        raise RejectedInputError("the default contract term is at least 1 month")
    return {
        "default_term": int(default_term_months),
        "not_in_force": list(CONTRACTS_NOT_IN_FORCE),
    }


def contracts(con: Connection) -> pl.DataFrame:
    """Return every contract: ID, account, start, end, term in months, status."""
    return query_frame(
        con,
        "SELECT contract_id, account_id, start_date, end_date, term_months, status "
        "FROM contracts ORDER BY account_id, start_date, contract_id",
    )


def account_situation(con: Connection) -> pl.DataFrame:
    """Return the buying situation in wide form: one row per account that has any.

    Columns: ``account_id``, one column per factor of
    :data:`workbench.domain.SITUATION_FACTORS` (level 1–5, NULL when unknown),
    ``situation_set_by``, ``situation_set_at`` (the latest change).
    """
    long = query_frame(
        con,
        "SELECT account_id, factor, level::INTEGER AS level, set_by, set_at "
        "FROM account_situation ORDER BY account_id, factor",
    )
    ids = long["account_id"].unique(maintain_order=True)
    wide = pl.DataFrame({"account_id": ids}, schema={"account_id": pl.String})
    for factor in SITUATION_FACTORS:
        levels = long.filter(pl.col("factor") == factor).select(
            "account_id", pl.col("level").alias(factor)
        )
        wide = wide.join(levels, on="account_id", how="left")
    latest = long.group_by("account_id").agg(
        situation_set_by=pl.col("set_by").sort_by("set_at").last(),
        situation_set_at=pl.col("set_at").max(),
    )
    return wide.join(latest, on="account_id", how="left").cast(
        dict.fromkeys(SITUATION_FACTORS, pl.Int64)
    )


def set_account_situation(
    con: Connection,
    actor: Actor,
    account_id: str,
    levels: Mapping[str, int | None],
) -> None:
    """Set (or, with ``None``, forget) factors of an account's buying situation.

    Raises:
        PermissionDeniedError: the actor may not edit.
        RejectedInputError: an unknown account or factor, or a level outside 1–5;
            nothing is written then.
    """
    require(actor, "edit")
    unknown = sorted(set(levels) - set(SITUATION_FACTORS))
    if unknown:
        raise RejectedInputError(
            f"unknown situation factors: {', '.join(unknown)} "
            f"(known: {', '.join(SITUATION_FACTORS)})"
        )
    low, high = SITUATION_LEVELS
    for factor, level in levels.items():
        if level is not None and not (
            isinstance(level, int)
            and not isinstance(level, bool)
            and low <= level <= high
        ):
            raise RejectedInputError(
                f"{factor} must be a whole number from {low} to {high}, not {level!r}"
            )
    # a workshop's rating, not a fact: the account features stay as they were read
    with write_transaction(con, facts=False) as cur:
        _require_account(cur, account_id)
        for factor, level in levels.items():
            cur.execute(
                "DELETE FROM account_situation WHERE account_id = $id AND factor = $f",
                {"id": account_id, "f": factor},
            )
            if level is not None:
                cur.execute(
                    "INSERT INTO account_situation VALUES ($id, $f, $level, $who, $at)",
                    {
                        "id": account_id,
                        "f": factor,
                        "level": level,
                        "who": actor.name,
                        "at": _now(),
                    },
                )
