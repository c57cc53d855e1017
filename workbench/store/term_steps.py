"""The revenue a default contract term gives, read once for every term.

A won deal on the default term serves from its close date for the term's months
(at least twelve), at its amount × 12 / term a year. Whether it serves a given
day (as of, a year before, the ends of the retention's years) depends on the
term in one way only: from some number of months on, it does. So each such
deal, for each day the revenue rule looks at, has one *step*: the shortest
term under which it serves that day. Summed per account, day and step, and
kept in the order of their steps, the deals a term reaches are the first rows:
a term's revenue in force is one sum per account and day over them, where the
rule's statement grouped every won deal twice. At 10,000 accounts and half a
million won deals (356,000 rows of steps), a move of the default term costs
about 3 ms instead of 50 to 90.

Deals whose term is known (a contract, the deal's own term) serve the same
days whatever the default; they are summed once per account and day.

This mirrors the revenue rule's SQL (``TERMED_REVENUE_CTE`` and the retention's
``RETENTION_CTE``) without running it: a change to the rule is made in both, and
tests/test_term_revenue.py compares them for every term. The arrays are kept
read-only: the app shares one :class:`TermSteps` between its sessions.

:func:`term_steps` reads the steps from the file as of a day;
:func:`term_revenue_of_steps` gives, for a term, the frame of
:func:`workbench.store.account_term_revenue` (the same figures, tested for every
term from 1 to 240 months on deals closed on every day of two years).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from workbench.store._base import _frame
from workbench.store.connection import finite_or_null
from workbench.store.economic_inputs import RETENTION_MASK, RETENTION_YEARS
from workbench.store.economics import (
    CONTRACTS_NOT_IN_FORCE,
    DEAL_TERMS_CTE,
    SHORTEST_TERM_MONTHS,
    revenue_params,
)

if TYPE_CHECKING:
    from datetime import date

    import numpy as np

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
# A term is at least a year (the revenue rule's): a step of 12 or fewer months is
# taken by every term, and is kept as step 0 with the known terms.
_SHORTEST_TERM = SHORTEST_TERM_MONTHS

_MEASURES_VALUES = ", ".join(f"({i}, {p}, {w})" for i, (p, w) in enumerate(_MEASURES))
_TERM_STEPS_SQL = f"""
WITH {DEAL_TERMS_CTE},
asked AS (
    -- the accounts asked for, numbered in their order from 0
    SELECT unnest($ids) AS account_id, unnest(range(len($ids))) AS code
),
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
    -- what the steps read of a deal, worked out once, not once per day looked
    -- at; its account by number (grouping by the ID's text cost twice as
    -- much), or by ID for an account not asked for
    SELECT k.code, CASE WHEN k.code IS NULL THEN d.account_id END AS other_id,
        d.amount, d.known_term_months,
        greatest(d.service_start, d.close_date) AS counted_from,
        year(d.service_start) * 12 + month(d.service_start) AS start_month,
        day(d.service_start) AS start_day,
        CASE WHEN d.known_term_months IS NOT NULL THEN (d.service_start
            + to_months(greatest(d.known_term_months, {_SHORTEST_TERM})))::DATE
        END AS known_end
    FROM deal_terms d LEFT JOIN asked k USING (account_id)
    WHERE d.account_id IS NOT NULL
),
steps AS (
    SELECT d.code, d.other_id, measure, d.amount, d.known_term_months,
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
)
SELECT code, other_id, measure::UTINYINT AS measure,
    (CASE WHEN step <= {_SHORTEST_TERM} THEN 0 ELSE step END)::INTEGER AS step,
    coalesce(sum(amount * 12.0 / greatest(known_term_months, {_SHORTEST_TERM}))
        FILTER (WHERE known_term_months IS NOT NULL), 0)::DOUBLE AS known_annual,
    coalesce(sum(amount) FILTER (WHERE known_term_months IS NULL), 0)::DOUBLE
        AS default_amount,
    count(*) FILTER (WHERE known_term_months IS NOT NULL)::DOUBLE AS known_deals,
    count(*) FILTER (WHERE known_term_months IS NULL)::DOUBLE AS default_deals
FROM steps
GROUP BY ALL
"""


@dataclass(frozen=True, eq=False)
class TermSteps:
    """The won deals as of a day, summed per account, day looked at and step.

    An account's code is its place among the accounts asked for, then among
    those with deals that were not asked for. A group is an account's code ×
    the days looked at + the day. The deals on the default term are kept by
    step, ascending, so the ones a term reaches are a prefix.
    """

    #: the accounts asked for, in their order (the first ``len`` codes)
    account_ids: pl.Series
    #: the accounts asked for and those with deals not asked for (retention
    #: counts them all)
    accounts: int
    #: per group: the annual revenue and the deals of known terms serving the day
    known_annual: np.ndarray
    known_deals: np.ndarray
    #: per row of the deals on the default term, ascending by step: the step,
    #: the group and the amount
    steps: np.ndarray
    groups: np.ndarray
    default_amount: np.ndarray
    #: the same rows of the as-of day alone (the deals in force are counted
    #: for it only): the step, the account's code and the deals
    in_force_steps: np.ndarray
    in_force_codes: np.ndarray
    in_force_deals: np.ndarray


def term_steps(con: Connection, as_of: date, account_ids: pl.Series) -> TermSteps:
    """Return the won deals up to ``as_of`` as :class:`TermSteps` (one read).

    ``account_ids``: the accounts whose figures a term move gives (the
    features' IDs, each once), in the order a move returns them.
    """
    # numpy is loaded with the first term move, not with the store: the
    # commands that import files or read plans need none of it
    import numpy as np

    params = {
        "as_of": as_of,
        "not_in_force": list(CONTRACTS_NOT_IN_FORCE),
        "ids": account_ids.to_list(),
    }
    with con.cursor() as cur:
        # as read, non-finite amounts of an older file included: the file's
        # statement sums them as they are, and so must the steps
        rows: pl.DataFrame = _frame(cur.sql(_TERM_STEPS_SQL, params=params))
    asked = len(account_ids)
    # an account with deals but not asked for (written between the reads)
    # counts in the portfolio's retention: it takes a code after the rest
    others = (
        rows.filter(pl.col("code").is_null())
        .select(pl.col("other_id").unique().sort())
        .with_row_index("other", offset=asked)
    )
    if others.height:
        rows = rows.join(others, on="other_id", how="left").with_columns(
            code=pl.coalesce("code", "other")
        )
    accounts = asked + others.height
    rows = rows.with_columns(
        group=pl.col("code").cast(pl.Int64) * _MEASURE_COUNT + pl.col("measure")
    )
    groups = accounts * _MEASURE_COUNT
    known = rows.filter(pl.col("step") == 0)
    known_group = known.get_column("group").to_numpy()

    def per_group(column: str) -> np.ndarray:
        weights = known.get_column(column).to_numpy()
        return np.bincount(known_group, weights=weights, minlength=groups)

    # by step, then group (one row each): the order the sums are taken in is
    # the same at every read, not the parallel grouping's, so a figure does
    # not move in its last digits from one read to the next
    defaults = rows.filter(pl.col("default_deals") > 0).sort(
        pl.col("step").cast(pl.Int64) * groups + pl.col("group")  # one key: quicker
    )
    in_force = defaults.filter(pl.col("measure") == _IN_FORCE)
    return TermSteps(
        account_ids=account_ids,
        accounts=accounts,
        known_annual=_read_only(per_group("known_annual")),
        known_deals=_read_only(per_group("known_deals")),
        steps=_read_only(defaults.get_column("step").to_numpy()),
        groups=_read_only(defaults.get_column("group").to_numpy()),
        default_amount=_read_only(defaults.get_column("default_amount").to_numpy()),
        in_force_steps=_read_only(in_force.get_column("step").to_numpy()),
        in_force_codes=_read_only(in_force.get_column("code").to_numpy()),
        in_force_deals=_read_only(in_force.get_column("default_deals").to_numpy()),
    )


def _read_only(values: np.ndarray) -> np.ndarray:
    """Return ``values``, made an array no one can write to."""
    values.flags.writeable = False
    return values


_BASES = pl.Series(["none", "contract_terms", "default_term", "mixed"])


def term_revenue_of_steps(
    steps: TermSteps, default_term_months: int = 12
) -> pl.DataFrame:
    """Return :func:`workbench.store.account_term_revenue` worked out from steps.

    ``steps``: :func:`term_steps` read as of the day of the features, for the
    accounts to return a row for (in their order). The default term's deals a
    term reaches are a prefix of its rows, summed per group; no deal is read.
    """
    return term_revenue_and_masks(steps, default_term_months)[0]


def term_revenue_and_masks(
    steps: TermSteps, default_term_months: int = 12
) -> tuple[pl.DataFrame, pl.Series]:
    """Return :func:`term_revenue_of_steps` and each asked account's retention mask.

    The masks (:data:`~.economic_inputs.RETENTION_MASK`, bit k: revenue in force
    in year k back, as the statement's), in the order of ``steps.account_ids``,
    are what the features of this term need to be brought up to date after a
    later change of facts (:mod:`.feature_changes`); worked out from the same
    years the retention counts read.
    """
    import numpy as np

    term = int(default_term_months)
    revenue, reached = _revenue(steps, term)
    shape = (steps.accounts, _MEASURE_COUNT)
    counted = int(np.searchsorted(steps.in_force_steps, reached, side="right"))
    on_default_all = np.bincount(
        steps.in_force_codes[:counted],
        weights=steps.in_force_deals[:counted],
        minlength=steps.accounts,
    )
    had = _years_with_revenue(revenue)
    later, earlier = had[:, 1:], had[:, :-1]
    asked = len(steps.account_ids)
    bits = (
        had[:asked].astype(np.int32) << np.arange(had.shape[1], dtype=np.int32)
    ).sum(axis=1)
    masks = pl.Series(RETENTION_MASK, bits, dtype=pl.Int32)
    on_default = on_default_all[:asked].astype(np.int64)
    known = steps.known_deals.reshape(shape)[:asked, _IN_FORCE].astype(np.int64)
    in_force = known + on_default
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
    return finite_or_null(frame), masks


def _revenue(steps: TermSteps, term: int) -> tuple[np.ndarray, int]:
    """Return each account's revenue per measure for ``term``, and the term reached."""
    import numpy as np

    revenue_params(term)  # refuses a term under a month
    reached = max(term, _SHORTEST_TERM)
    # the rows whose step the term reaches: the steps ascend
    until = int(np.searchsorted(steps.steps, reached, side="right"))
    amount = np.bincount(
        steps.groups[:until],
        weights=steps.default_amount[:until],
        minlength=steps.accounts * _MEASURE_COUNT,
    )
    shape = (steps.accounts, _MEASURE_COUNT)
    revenue = steps.known_annual.reshape(shape) + amount.reshape(shape) * 12.0 / reached
    return revenue, reached


def _years_with_revenue(revenue: np.ndarray) -> np.ndarray:
    # a year had revenue where its sum is over zero (or NaN, greater than any
    # number in the file's statement), as the retention's counts read it
    import numpy as np

    years = revenue[:, _FIRST_YEAR:]
    had: np.ndarray = (years > 0) | np.isnan(years)
    return had
