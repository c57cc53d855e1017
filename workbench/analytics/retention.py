"""The portfolio's own retention, and the expected years a lifetime value counts.

Peppers & Rogers value a customer over the years it stays. How long that is, the
portfolio's history says: of the accounts with revenue in one year, the share that
still has revenue in the next. Measured on the rows of
:func:`workbench.store.account_revenue_years` (one row per account and year with
revenue in force), pooled over every pair of consecutive years; with too few
account-years the option (``Thresholds.expected_remaining_years``) is used, and the
result says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import polars as pl

from workbench.analytics.thresholds import DEFAULT_THRESHOLDS

if TYPE_CHECKING:
    from workbench.analytics.thresholds import Thresholds


@dataclass(frozen=True)
class Retention:
    """How many years an account is expected to stay, and where that comes from.

    ``rate``: the measured share of accounts with revenue in a year that still
    had revenue the year after (NULL when nothing could be measured);
    ``account_years``: how many accounts-with-revenue-in-a-year it is measured on;
    ``retained``: how many of them had revenue the year after; ``year_pairs``:
    how many pairs of consecutive years; ``expected_years``: the years of
    contribution a lifetime value counts ((1 + i) ÷ (1 + i − rate) at the
    discount rate i, this year included, at most the horizon; else the option);
    ``source``: ``measured`` or ``option``.
    """

    rate: float | None
    account_years: int
    retained: int
    year_pairs: int
    expected_years: float
    source: Literal["measured", "option"]

    def basis(self) -> str:
        """Return where the expected years come from, in words."""
        if self.source == "measured" and self.rate is not None:
            return (
                f"retention {self.rate * 100:.0f} % measured: {self.retained} of "
                f"{self.account_years} accounts with revenue in a year kept it the "
                f"next ({self.year_pairs} pairs of years) → "
                f"{self.expected_years:.1f} years of contribution at the discount rate"
            )
        measured = (
            f"only {self.account_years} account-years to measure retention on"
            if self.account_years
            else "no revenue history to measure retention on"
        )
        return f"{measured}; the option's {self.expected_years:g} expected years"


def option_retention(thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Retention:
    """Return the option's expected years, measured on nothing."""
    return Retention(None, 0, 0, 0, thresholds.expected_remaining_years, "option")


def _measured(
    account_years: int, retained: int, year_pairs: int, t: Thresholds
) -> Retention:
    if account_years == 0 or account_years < t.retention_min_accounts:
        return Retention(
            None,
            account_years,
            retained,
            year_pairs,
            t.expected_remaining_years,
            "option",
        )
    rate = retained / account_years
    # Gupta & Lehmann's margin multiple, this year included: sum over k of
    # (r / (1 + i))^k, capped at the horizon (at r = 1 and i = 0 it is endless)
    interest = t.discount_rate_pct / 100
    denominator = 1 + interest - rate
    expected = (
        t.lifetime_horizon_years
        if denominator <= 0
        else min((1 + interest) / denominator, t.lifetime_horizon_years)
    )
    return Retention(
        rate, account_years, retained, year_pairs, round(expected, 2), "measured"
    )


def retention_from_features(
    features: pl.DataFrame, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Retention:
    """Return the retention the account features counted (the option without them).

    :func:`workbench.store.account_features` repeats the portfolio's counts in
    every row (``retention_account_years``, ``retention_retained``,
    ``retention_year_pairs``), so every caller of the features values accounts
    over the same expected years.
    """
    names = ("retention_account_years", "retention_retained", "retention_year_pairs")
    if features.height == 0 or any(n not in features.columns for n in names):
        return option_retention(thresholds)
    counts = [features[n][0] for n in names]
    if any(c is None for c in counts):
        return option_retention(thresholds)
    return _measured(int(counts[0]), int(counts[1]), int(counts[2]), thresholds)


def measure_retention(
    revenue_years: pl.DataFrame | None, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Retention:
    """Return the portfolio's retention and the expected years it implies.

    Args:
        revenue_years: rows of ``account_id``, ``years_back`` (0 = the 12 months
            up to the as-of date) for each year an account had revenue.
        thresholds: ``retention_min_accounts`` (fewer account-years: the option),
            ``lifetime_horizon_years`` (the cap) and ``expected_remaining_years``
            (the option).
    """
    t = thresholds
    if revenue_years is None or revenue_years.height == 0:
        return option_retention(t)
    years = revenue_years.select("account_id", pl.col("years_back").cast(pl.Int64))
    # an account-year with revenue, and whether the year after (one closer) had some
    later = years.select("account_id", pl.col("years_back") + 1, kept=pl.lit(True))
    pairs = (
        years.filter(pl.col("years_back") >= 1)
        .join(later, on=["account_id", "years_back"], how="left")
        .with_columns(pl.col("kept").fill_null(False))
    )
    account_years = pairs.height
    retained = int(pairs["kept"].sum())
    year_pairs = pairs["years_back"].n_unique()
    return _measured(account_years, retained, year_pairs, t)
