"""The revenue a default contract term gives, read once for every term.

A won deal on the default term serves from its close date for the term's months
(at least twelve), at its amount × 12 / term a year. Whether it serves a given
day (as of, a year before, the ends of the retention's years) depends on the
term in one way only: from some number of months on, it does. So each such
deal, for each day the revenue rule looks at, has one *step*: the shortest
term under which it serves that day. Summed per account, day and step, and
added up along the steps, the deals give the revenue in force for any term by
one comparison per step and one look-up per account and day, where the rule's
statement grouped every won deal twice: at 10,000 accounts and half a million
won deals (360,000 steps), a move of the default term costs a few milliseconds
instead of 50 to 90.

Deals whose term is known (a contract, the deal's own term) serve the same
days whatever the default; they are summed once, as step 0.

:func:`term_steps` reads the steps from the file as of a day;
:func:`term_revenue_of_steps` gives, for a term, the frame of
:func:`workbench.store.account_term_revenue` (the same figures, tested for every
term from 1 to 240 months on deals closed on every day of two years).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from workbench.store.connection import finite_or_null
from workbench.store.economic_inputs import RETENTION_YEARS
from workbench.store.economics import (
    CONTRACTS_NOT_IN_FORCE,
    DEAL_TERMS_CTE,
    revenue_params,
)

if TYPE_CHECKING:
    from datetime import date

    from workbench.store._base import Connection

# The days the revenue rule looks at, each with the day by which a deal must
# have closed and started to count: the revenue in force (serving the as-of
# day), the revenue in force a year before, and each retention year k (serving
# any day of it: its service ends after the year's start, it started by the
# year's end). ``point``: years back of the day served; ``within``: years back
# of the day the deal must have closed and started by.
_MEASURES: tuple[tuple[int, int], ...] = (
    (0, 0),  # revenue_annualised
    (1, 1),  # revenue_annualised_prev
    *((k + 1, k) for k in range(RETENTION_YEARS)),  # y0 … y4 of the retention
)
_IN_FORCE, _PREVIOUS, _FIRST_YEAR = 0, 1, 2
_MEASURE_COUNT = len(_MEASURES)
# A term is at least a year (revenue_params' rule): a step of 12 or fewer months
# is taken by every term, and is kept as step 0 with the known terms.
_SHORTEST_TERM = 12

_SUMMED = ("known_annual", "default_amount", "deals", "default_deals")
_RUNNING = ",\n    ".join(
    f"sum({c}) OVER (PARTITION BY account_id, measure ORDER BY step) AS {c}"
    for c in _SUMMED
)
_MEASURES_VALUES = ", ".join(f"({i}, {p}, {w})" for i, (p, w) in enumerate(_MEASURES))
_TERM_STEPS_SQL = f"""
WITH {DEAL_TERMS_CTE},
days AS (
    SELECT measure, served, within,
           year(served) * 12 + month(served) AS served_month,
           day(served) AS served_day, day(last_day(served)) AS served_month_days
    FROM (
        SELECT measure,
               ($as_of::DATE - to_months(12 * point_years))::DATE AS served,
               ($as_of::DATE - to_months(12 * within_years))::DATE AS within
        FROM (VALUES {_MEASURES_VALUES}) m(measure, point_years, within_years)
    )
),
deals AS (
    -- what the steps read of a deal, worked out once, not once per day looked at
    SELECT account_id, amount, known_term_months,
        greatest(service_start, close_date) AS counted_from,
        year(service_start) * 12 + month(service_start) AS start_month,
        day(service_start) AS start_day,
        CASE WHEN known_term_months IS NOT NULL THEN (service_start
            + to_months(greatest(known_term_months, {_SHORTEST_TERM})))::DATE
        END AS known_end
    FROM deal_terms WHERE account_id IS NOT NULL
),
steps AS (
    SELECT d.account_id, measure, d.amount, d.known_term_months,
        CASE WHEN d.known_term_months IS NOT NULL THEN 0 ELSE
            -- the shortest term n with start + n months after the day served:
            -- start + (months between) falls in the served day's month, on the
            -- start's day of month or that month's last day, whichever is
            -- earlier; one month more if that is not after the day served
            m.served_month - d.start_month
            + CASE WHEN least(d.start_day, m.served_month_days) <= m.served_day
                   THEN 1 ELSE 0 END
        END AS step
    -- each deal with each day by the day's number (an equality join on a
    -- handful of rows; the inequality joined by a merge took twice as long)
    FROM (SELECT *, unnest(range({_MEASURE_COUNT})) AS measure FROM deals) d
    JOIN days m USING (measure)
    WHERE d.counted_from <= m.within
      AND (d.known_end IS NULL OR d.known_end > m.served)
),
summed AS (
    SELECT account_id, measure::UTINYINT AS measure,
        (CASE WHEN step <= {_SHORTEST_TERM} THEN 0 ELSE step END)::INTEGER AS step,
        coalesce(sum(amount * 12.0 / greatest(known_term_months, {_SHORTEST_TERM}))
            FILTER (WHERE known_term_months IS NOT NULL), 0)::DOUBLE AS known_annual,
        coalesce(sum(amount) FILTER (WHERE known_term_months IS NULL), 0)::DOUBLE
            AS default_amount,
        count(*)::DOUBLE AS deals,
        count(*) FILTER (WHERE known_term_months IS NULL)::DOUBLE AS default_deals
    FROM steps
    GROUP BY ALL
)
-- each account and day's totals up to each step, summed within it (a running
-- total over every row, less the total before the group, would lose the small
-- sums' digits and carry a NaN into every later group)
SELECT account_id, measure, step,
    {_RUNNING}
FROM summed
ORDER BY account_id, measure, step
"""


@dataclass(frozen=True, eq=False)
class TermSteps:
    """Each account's revenue steps as of a day, added up along the steps.

    Rows are the (account, day looked at, step) of :func:`term_steps`, by
    account (in the order of the accounts asked for, then the accounts with
    deals that were not asked for), day and step; ``running`` holds the totals
    within each account and day up to the row, so a term's figures are the
    totals at the last step the term reaches.
    """

    #: the accounts asked for, in their order (the first ``len`` codes)
    account_ids: pl.Series
    #: the accounts asked for and those with deals not asked for (retention
    #: counts them all)
    accounts: int
    #: per (account, day), where its rows start; one more at the end
    offsets: np.ndarray
    #: per row: the shortest term under which its deals count
    steps: np.ndarray
    #: per row: running known annual revenue, default-term amount, deals,
    #: deals on the default term
    running: np.ndarray


def term_steps(con: Connection, as_of: date, account_ids: pl.Series) -> TermSteps:
    """Return the won deals up to ``as_of`` as :class:`TermSteps` (one read).

    ``account_ids``: the accounts whose figures a term move gives (the
    features' IDs); the steps are laid out in their order, so a move needs no
    join.
    """
    params = {"as_of": as_of, "not_in_force": list(CONTRACTS_NOT_IN_FORCE)}
    with con.cursor() as cur:
        # as read, non-finite amounts of an older file included: the file's
        # statement sums them as they are, and so must the steps
        rows: pl.DataFrame = cur.sql(_TERM_STEPS_SQL, params=params).pl()
    asked = account_ids.to_frame("account_id").with_row_index("code")
    rows = rows.join(asked, on="account_id", how="left", maintain_order="left")
    # an account with deals but not asked for (written between the reads)
    # counts in the portfolio's retention: it takes a code after the rest
    others = (
        rows.filter(pl.col("code").is_null())
        .select(pl.col("account_id").unique(maintain_order=True))
        .with_row_index("other", offset=len(asked))
    )
    rows = (
        rows.join(others, on="account_id", how="left", maintain_order="left")
        .with_columns(code=pl.coalesce("code", "other").cast(pl.Int64))
        .sort("code", "measure", "step")
    )
    accounts = len(asked) + len(others)
    group = (
        rows.get_column("code").to_numpy().astype(np.int64) * _MEASURE_COUNT
        + rows.get_column("measure").to_numpy()
    )
    offsets = np.searchsorted(group, np.arange(accounts * _MEASURE_COUNT + 1))
    running = np.ascontiguousarray(rows.select(_SUMMED).to_numpy())
    return TermSteps(
        account_ids=account_ids,
        accounts=accounts,
        offsets=offsets,
        steps=rows.get_column("step").to_numpy(),
        running=running,
    )


_BASES = pl.Series(["none", "contract_terms", "default_term", "mixed"])


def term_revenue_of_steps(
    steps: TermSteps, default_term_months: int = 12
) -> pl.DataFrame:
    """Return :func:`workbench.store.account_term_revenue` worked out from steps.

    ``steps``: :func:`term_steps` read as of the day of the features, for the
    accounts to return a row for (in their order). A few passes over arrays of
    the accounts and of the steps; no deal is read.
    """
    revenue_params(default_term_months)  # refuses a term under a month
    term = int(default_term_months)
    reached = max(term, _SHORTEST_TERM)
    # per (account, day), how many of its rows the term reaches: the steps
    # ascend within each, so they are its first rows, and the last is the total
    within = np.r_[0, np.cumsum(steps.steps <= reached, dtype=np.int32)]
    counts = within[steps.offsets[1:]] - within[steps.offsets[:-1]]
    found = counts > 0
    last = np.where(found, steps.offsets[:-1] + counts - 1, 0)
    if len(steps.running):
        totals = np.take(steps.running, last, axis=0)  # a row's four at once
        totals[~found] = 0.0
    else:
        totals = np.zeros((len(found), len(_SUMMED)))
    totals = totals.reshape(steps.accounts, _MEASURE_COUNT, len(_SUMMED))
    known, amount, deals, default_deals = (totals[:, :, i] for i in range(4))
    revenue = known + amount * 12.0 / reached
    # a year had revenue where its sum is over zero (or NaN, greater than any
    # number in the file's statement), as the retention's counts read it
    years = revenue[:, _FIRST_YEAR:]
    had = (years > 0) | np.isnan(years)
    later, earlier = had[:, 1:], had[:, :-1]
    asked = len(steps.account_ids)
    in_force = deals[:asked, _IN_FORCE].astype(np.int64)
    on_default = default_deals[:asked, _IN_FORCE].astype(np.int64)
    basis = np.where(
        in_force == 0,
        0,
        np.where(on_default == 0, 1, np.where(on_default == in_force, 2, 3)),
    ).astype(np.uint32)
    frame = pl.DataFrame(
        {
            "account_id": steps.account_ids,
            "revenue_annualised": revenue[:asked, _IN_FORCE],
            "revenue_annualised_prev": revenue[:asked, _PREVIOUS],
            "deals_in_force": in_force,
            "deals_on_default_term": on_default,
            "revenue_basis": _BASES.gather(pl.Series(basis, dtype=pl.UInt32)),
        }
    ).with_columns(
        pl.lit(term, pl.Int32).alias("default_term_months"),
        pl.lit(int(later.sum()), pl.Int64).alias("retention_account_years"),
        pl.lit(int((later & earlier).sum()), pl.Int64).alias("retention_retained"),
        pl.lit(int(later.any(axis=0).sum()), pl.Int64).alias("retention_year_pairs"),
    )
    return finite_or_null(frame)
