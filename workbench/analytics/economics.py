"""Account economics: revenue on its basis, margin, cost to serve, contribution.

Pure polars over the one-row-per-account frame of
:func:`workbench.store.account_features`. Revenue is the annual revenue of the won
deals in force (each spread over its contract term, see the store), so a partner
between two renewals of a multi-year contract keeps its revenue; frames without
that column (older callers, hand-made frames) fall back to 12-month bookings and
say so in ``revenue_basis``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from workbench.analytics.finite import finite_or_null
from workbench.analytics.thresholds import DEFAULT_THRESHOLDS

if TYPE_CHECKING:
    from workbench.analytics.thresholds import Thresholds

#: What ``revenue_basis`` says, in words, for reasons and captions.
REVENUE_BASIS_TEXT: dict[str, str] = {
    "contract_terms": "annualised over contract terms",
    "default_term": "annualised over the default term",
    "mixed": "annualised over contract and default terms",
    "none": "no won deal in force",
    "bookings_12m": "bookings of 12 months",
    "erp": "ERP revenue of 12 months",
}


def _column_or(frame: pl.DataFrame, name: str, fallback: pl.Expr) -> pl.Expr:
    return pl.col(name) if name in frame.columns else fallback


def has_data_expr(frame: pl.DataFrame) -> pl.Expr:
    """Return whether an account has anything to rank it by.

    Data is revenue (in force or booked in 24 months), a person on record, an
    activity in 24 months, an open deal or a known direct cost. An account with
    none of them (common after a CRM sync) is ``no_data``: it is shown apart and
    never fills a top share.
    """

    def positive(name: str) -> pl.Expr:
        return (_column_or(frame, name, pl.lit(0)).fill_null(0) > 0).fill_null(False)

    return (
        positive("revenue")
        | positive("won_12m")
        | positive("won_prev_12m")
        | positive("revenue_annualised_prev")
        | positive("contacts")
        | positive("activities_12m")
        | positive("activities_prev_12m")
        | positive("open_pipeline")
        | positive("direct_cost_annual")
    )


def compute_contribution(
    features: pl.DataFrame, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> pl.DataFrame:
    """Return the features with value columns added.

    Added: ``revenue`` (annual revenue on its basis: ``revenue_annualised`` where
    the store computed it, else ``won_12m``), ``revenue_prev`` (the same a year
    earlier), ``revenue_basis`` (kept from the store, else ``bookings_12m``),
    ``margin_pct`` and ``margin_pct_source`` (``account`` or ``default``),
    ``effort_minutes`` (recorded minutes plus the assumed minutes of activities
    without a duration), ``effort_hours``, ``margin`` (revenue × margin),
    ``cost_to_serve`` (effort hours × hourly cost + direct costs),
    ``contribution`` (margin − cost-to-serve), ``lifetime_value`` (contribution ×
    expected remaining years: the years left on the contract in force, at least
    ``thresholds.expected_remaining_years``), ``potential`` and
    ``potential_source`` (``wallet_estimate``, ``estimated`` or NULL when neither
    wallet nor annual revenue is known), ``headroom`` (potential − revenue, at
    least 0), ``share_of_wallet_pct``, ``growth_pct`` (year on year),
    ``effort_change_pct``, ``has_data``.
    """
    t = thresholds
    # NaN or infinity stored by an older version counts as unknown
    features = finite_or_null(features)
    minutes_each = t.minutes_per_activity_without_duration
    won = pl.col("won_12m").fill_null(0)
    revenue = _column_or(features, "revenue_annualised", won).fill_null(0)
    revenue_prev = _column_or(
        features, "revenue_annualised_prev", pl.col("won_prev_12m")
    ).fill_null(0)
    basis = _column_or(features, "revenue_basis", pl.lit("bookings_12m"))
    effort_minutes = pl.col("effort_minutes_recorded_12m").fill_null(0) + pl.col(
        "activities_without_duration_12m"
    ).fill_null(0) * pl.lit(minutes_each)
    effort_minutes_prev = pl.col("effort_minutes_recorded_prev_12m").fill_null(
        0
    ) + pl.col("activities_without_duration_prev_12m").fill_null(0) * pl.lit(
        minutes_each
    )
    potential = pl.coalesce(
        pl.col("wallet_estimate"),
        pl.col("annual_revenue") * (t.wallet_share_of_revenue_pct / 100),
    )
    contract_years_left = _column_or(
        features, "contract_years_left", pl.lit(None, dtype=pl.Float64)
    )
    valued = features.with_columns(
        revenue=revenue,
        revenue_prev=revenue_prev,
        revenue_basis=basis,
        margin_pct=pl.col("gross_margin_pct").fill_null(t.default_margin_pct),
        margin_pct_source=pl.when(pl.col("gross_margin_pct").is_null())
        .then(pl.lit("default"))
        .otherwise(pl.lit("account")),
        effort_minutes=effort_minutes,
        effort_minutes_prev_12m=effort_minutes_prev,
        potential=potential,
        potential_source=pl.when(pl.col("wallet_estimate").is_not_null())
        .then(pl.lit("wallet_estimate"))
        .when(pl.col("annual_revenue").is_not_null())
        .then(pl.lit("estimated")),
        remaining_years=pl.max_horizontal(
            contract_years_left.fill_null(0), pl.lit(t.expected_remaining_years)
        ),
    ).with_columns(
        effort_hours=pl.col("effort_minutes") / 60,
        margin=pl.col("revenue") * pl.col("margin_pct") / 100,
        headroom=(pl.col("potential") - pl.col("revenue"))
        .clip(lower_bound=0)
        .fill_null(0),
        share_of_wallet_pct=pl.when(pl.col("potential") > 0).then(
            pl.col("revenue") / pl.col("potential") * 100
        ),
        growth_pct=pl.when(pl.col("revenue_prev") > 0).then(
            (pl.col("revenue") - pl.col("revenue_prev")) / pl.col("revenue_prev") * 100
        ),
        effort_change_pct=pl.when(pl.col("effort_minutes_prev_12m") > 0).then(
            (pl.col("effort_minutes") - pl.col("effort_minutes_prev_12m"))
            / pl.col("effort_minutes_prev_12m")
            * 100
        ),
    )
    return (
        valued.with_columns(
            cost_to_serve=pl.col("effort_hours") * t.hourly_cost
            + pl.col("direct_cost_annual").fill_null(0)
        )
        .with_columns(contribution=pl.col("margin") - pl.col("cost_to_serve"))
        .with_columns(
            lifetime_value=pl.col("contribution") * pl.col("remaining_years"),
            has_data=has_data_expr(valued),
        )
    )
