"""Account economics: revenue on its basis, margin, cost to serve, contribution.

Pure polars over the one-row-per-account frame of
:func:`workbench.store.account_features`. Revenue is the annual revenue of the won
deals in force (each spread over its contract term, see the store), so a partner
between two renewals of a multi-year contract keeps its revenue; frames without
that column (older callers, hand-made frames) fall back to 12-month bookings and
say so in ``revenue_basis``.
"""

from __future__ import annotations

import functools
import operator
from typing import TYPE_CHECKING

import polars as pl

from workbench.analytics.finite import finite_or_null
from workbench.analytics.retention import Retention, retention_from_features
from workbench.analytics.steps import Step, with_steps
from workbench.analytics.thresholds import DEFAULT_THRESHOLDS
from workbench.i18n import N_

if TYPE_CHECKING:
    from collections.abc import Collection

    from workbench.analytics.thresholds import Thresholds

#: What ``revenue_basis`` says, in words, for reasons and captions.
REVENUE_BASIS_TEXT: dict[str, str] = {
    "contract_terms": N_("annualised over contract terms"),
    "default_term": N_("annualised over the default term"),
    "mixed": N_("annualised over contract and default terms"),
    "none": N_("no won deal in force"),
    "bookings_12m": N_("bookings of 12 months"),
    "erp": N_("ERP revenue of 12 months"),
}
#: Direct costs a year the account features may carry, and their names: the
#: account's own ``direct_cost_annual``, and the 12-month costs an ERP file gives
#: where one was imported (columns absent from a frame count as none).
DIRECT_COST_COLUMNS: dict[str, str] = {
    "direct_cost_annual": "direct costs (account record)",
    "logistics_cost_12m": "logistics (ERP)",
    "discount_cost_12m": "discounts (ERP)",
    "support_cost_12m": "support (ERP)",
}


def _column_or(columns: Collection[str], name: str, fallback: pl.Expr) -> pl.Expr:
    return pl.col(name) if name in columns else fallback


def has_data_expr(columns: Collection[str]) -> pl.Expr:
    """Return whether an account has anything to rank it by.

    Data is revenue (in force or booked in 24 months), a person on record, an
    activity in 24 months, an open deal or a known direct cost. An account with
    none of them (common after a CRM sync) is ``no_data``: it is shown apart and
    never fills a top share.
    """

    def positive(name: str) -> pl.Expr:
        return (_column_or(columns, name, pl.lit(0)).fill_null(0) > 0).fill_null(False)

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


def _people_cost(columns: Collection[str], t: Thresholds) -> tuple[pl.Expr, pl.Expr]:
    """Return the cost of the hours and which rates priced them (``cost_basis``).

    Hours of sellers whose role or team has an hourly cost are priced at it (the
    store sums minutes × rate, and the rates of activities without a duration);
    the rest (no seller named, or a role nobody can tell) at the flat hourly cost.
    """
    minutes = pl.col("effort_minutes")
    if "rated_recorded_cost_12m" not in columns:
        return minutes / 60 * t.hourly_cost, pl.when(minutes > 0).then(
            pl.lit("flat_rate")
        ).otherwise(pl.lit("none"))
    each = t.minutes_per_activity_without_duration
    rated_minutes = pl.col("rated_minutes_recorded_12m").fill_null(0) + pl.col(
        "rated_without_duration_12m"
    ).fill_null(0) * pl.lit(each)
    rated_cost = pl.col("rated_recorded_cost_12m").fill_null(0) + pl.col(
        "rated_without_duration_rate_sum_12m"
    ).fill_null(0) * pl.lit(each / 60)
    flat_minutes = (minutes - rated_minutes).clip(lower_bound=0)
    basis = (
        pl.when(minutes <= 0)
        .then(pl.lit("none"))
        .when(flat_minutes <= 0)
        .then(pl.lit("role_rates"))
        .when(rated_minutes <= 0)
        .then(pl.lit("flat_rate"))
        .otherwise(pl.lit("mixed"))
    )
    return rated_cost + flat_minutes / 60 * t.hourly_cost, basis


def _potential(columns: Collection[str], t: Thresholds) -> tuple[pl.Expr, pl.Expr]:
    """Return the potential (wallet) and where it comes from.

    The account's wallet estimate (edited by hand, else imported), else its
    annual revenue × the share set for its industry, else × the default share.
    """
    share = _column_or(
        columns, "industry_wallet_share_pct", pl.lit(None, dtype=pl.Float64)
    )
    edited = _column_or(
        columns, "wallet_estimate_source", pl.lit(None, dtype=pl.String)
    )
    potential = pl.coalesce(
        pl.col("wallet_estimate"),
        pl.col("annual_revenue") * share.fill_null(t.wallet_share_of_revenue_pct) / 100,
    )
    source = (
        pl.when(pl.col("wallet_estimate").is_not_null() & (edited == "edited"))
        .then(pl.lit("edited_estimate"))
        .when(pl.col("wallet_estimate").is_not_null())
        .then(pl.lit("wallet_estimate"))
        .when(pl.col("annual_revenue").is_not_null() & share.is_not_null())
        .then(pl.lit("industry_share"))
        .when(pl.col("annual_revenue").is_not_null())
        .then(pl.lit("default_share"))
    )
    return potential, source


def _effort_minutes(window: str, minutes_each: float) -> pl.Expr:
    """Return recorded minutes plus the assumed minutes of activities without any."""
    return pl.col(f"effort_minutes_recorded_{window}").fill_null(0) + pl.col(
        f"activities_without_duration_{window}"
    ).fill_null(0) * pl.lit(minutes_each)


def compute_contribution(
    features: pl.DataFrame,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    retention: Retention | None = None,
) -> pl.DataFrame:
    """Return the features with value columns added.

    Added: ``revenue`` (annual revenue on its basis: ``revenue_annualised`` where
    the store computed it, else ``won_12m``), ``revenue_prev`` (the same a year
    earlier), ``revenue_basis`` (kept from the store, else ``bookings_12m``),
    ``margin_pct`` and ``margin_pct_source`` (``account`` or ``default``),
    ``effort_minutes`` (recorded minutes plus the assumed minutes of activities
    without a duration), ``effort_hours``, ``margin`` (revenue × margin),
    ``people_cost`` (the hours, each at its seller's role or team rate where one
    is known, else at the flat hourly cost), ``cost_basis`` (``role_rates``,
    ``flat_rate``, ``mixed`` or ``none``), ``cost_to_serve`` (people cost +
    the direct costs of :data:`DIRECT_COST_COLUMNS` the frame holds), ``contribution`` (margin − cost-to-serve),
    ``remaining_years`` (the years left on the contract in force, at least the
    expected years of ``retention``: measured, else the option),
    ``remaining_years_source`` (``contract``, ``measured`` or ``option``),
    ``lifetime_value`` (contribution × remaining years), ``potential`` and
    ``potential_source`` (``edited_estimate``, ``wallet_estimate``,
    ``industry_share``, ``default_share`` or NULL when neither a wallet nor an
    annual revenue is known), ``headroom`` (potential − revenue; NULL where the
    potential is unknown or below the revenue),
    ``share_of_wallet_pct``, ``growth_pct`` (year on year),
    ``effort_change_pct``, ``has_data``.
    """
    # NaN or infinity stored by an older version counts as unknown
    return contribution_of_finite(finite_or_null(features), thresholds, retention)


def contribution_of_finite(
    features: pl.DataFrame,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    retention: Retention | None = None,
) -> pl.DataFrame:
    """Return :func:`compute_contribution` of features whose floats are finite or NULL.

    For a caller that has made them so already (:func:`~.finite.finite_or_null`,
    as the segmentation does): the frame is not read a second time for it.
    """
    t = thresholds
    lasting = retention or retention_from_features(features, t)
    with_lasting = features.with_columns(lasting_columns(lasting))
    return with_steps(with_lasting, valuation_steps(with_lasting.columns, t)).drop(
        LASTING_COLUMNS
    )


#: The retention's figures the valuation reads, as columns (the same on every
#: row) added before its steps and dropped after: the steps read only columns,
#: so a frame whose retention changed is valued again by the same steps.
LASTING_COLUMNS: tuple[str, str] = ("_expected_years", "_lasting_source")


def lasting_columns(lasting: Retention) -> list[pl.Expr]:
    """Return the :data:`LASTING_COLUMNS` of ``lasting``."""
    return [
        pl.lit(lasting.expected_years).alias(LASTING_COLUMNS[0]),
        pl.lit(lasting.source).alias(LASTING_COLUMNS[1]),
    ]


def valuation_steps(columns: Collection[str], t: Thresholds) -> list[Step]:
    """Return the steps of :func:`contribution_of_finite` for a frame of ``columns``.

    The frame holds the :data:`LASTING_COLUMNS` of the retention the remaining
    years count.
    """
    minutes_each = t.minutes_per_activity_without_duration
    won = pl.col("won_12m").fill_null(0)
    revenue = _column_or(columns, "revenue_annualised", won).fill_null(0)
    revenue_prev = _column_or(
        columns, "revenue_annualised_prev", pl.col("won_prev_12m")
    ).fill_null(0)
    basis = _column_or(columns, "revenue_basis", pl.lit("bookings_12m"))
    effort_minutes = _effort_minutes("12m", minutes_each)
    effort_minutes_prev = _effort_minutes("prev_12m", minutes_each)
    potential, potential_source = _potential(columns, t)
    contract_years_left = _column_or(
        columns, "contract_years_left", pl.lit(None, dtype=pl.Float64)
    ).fill_null(0)
    expected_years = pl.col(LASTING_COLUMNS[0])
    inputs: Step = {
        "revenue": revenue,
        "revenue_prev": revenue_prev,
        "revenue_basis": basis,
        "margin_pct": pl.col("gross_margin_pct").fill_null(t.default_margin_pct),
        "margin_pct_source": pl.when(pl.col("gross_margin_pct").is_null())
        .then(pl.lit("default"))
        .otherwise(pl.lit("account")),
        "effort_minutes": effort_minutes,
        "effort_minutes_prev_12m": effort_minutes_prev,
        "potential": potential,
        "potential_source": potential_source,
        "remaining_years": pl.max_horizontal(contract_years_left, expected_years),
        "remaining_years_source": pl.when(contract_years_left > expected_years)
        .then(pl.lit("contract"))
        .otherwise(pl.col(LASTING_COLUMNS[1])),
    }
    figures: Step = {
        "effort_hours": pl.col("effort_minutes") / 60,
        "margin": pl.col("revenue") * pl.col("margin_pct") / 100,
        # A wallet below what the account buys from us is no wallet (an estimate
        # gone stale, a customer's revenue in thousands or millions): its
        # headroom is unknown, as where no wallet is known, not 0; and its share
        # is unknown, not above 100 %.
        "headroom": pl.when(pl.col("revenue") <= pl.col("potential")).then(
            pl.col("potential") - pl.col("revenue")
        ),
        "share_of_wallet_pct": pl.when(
            (pl.col("potential") > 0) & (pl.col("revenue") <= pl.col("potential"))
        ).then(pl.col("revenue") / pl.col("potential") * 100),
        "growth_pct": pl.when(pl.col("revenue_prev") > 0).then(
            (pl.col("revenue") - pl.col("revenue_prev")) / pl.col("revenue_prev") * 100
        ),
        "effort_change_pct": pl.when(pl.col("effort_minutes_prev_12m") > 0).then(
            (pl.col("effort_minutes") - pl.col("effort_minutes_prev_12m"))
            / pl.col("effort_minutes_prev_12m")
            * 100
        ),
    }
    valued = [*columns, *inputs, *figures]
    return [inputs, figures, *cost_steps(valued, t)]


#: The columns :func:`with_costs` adds or computes again; nothing else in a frame
#: of :func:`compute_contribution` depends on :data:`COST_ONLY_THRESHOLDS`.
COST_COLUMNS: tuple[str, ...] = (
    "people_cost",
    "cost_basis",
    "cost_to_serve",
    "contribution",
    "lifetime_value",
    "has_data",
)
#: Thresholds only :func:`with_costs` reads.
COST_ONLY_THRESHOLDS: tuple[str, ...] = ("hourly_cost",)


def wallets_below_revenue(valued: pl.DataFrame) -> pl.DataFrame:
    """Return the accounts that buy more from us than their wallet (potential).

    Rows of :func:`compute_contribution` in; ``account_id``, ``name``,
    ``revenue`` and ``potential`` out, the widest gap first. Their share of
    wallet is unknown (see ``share_of_wallet_pct``); many of them point at the
    wallet's source, such as customers' revenue exported in thousands or
    millions.
    """
    return (
        valued.filter(
            (pl.col("potential") > 0) & (pl.col("revenue") > pl.col("potential"))
        )
        .select("account_id", "name", "revenue", "potential")
        .sort(pl.col("revenue") - pl.col("potential"), descending=True)
    )


def with_costs(valued: pl.DataFrame, thresholds: Thresholds) -> pl.DataFrame:
    """Return ``valued`` with the cost to serve and what rests on it, for ``thresholds``.

    ``valued``: :func:`compute_contribution`'s frame before its costs, or a frame
    it returned (valued with another hourly cost): the :data:`COST_COLUMNS` are
    computed again in their places, the same as valuing the features anew. A move
    of the hourly cost (:data:`COST_ONLY_THRESHOLDS`) needs nothing else.
    """
    return with_steps(valued, cost_steps(valued.columns, thresholds))


def cost_steps(columns: Collection[str], thresholds: Thresholds) -> list[Step]:
    """Return the steps of :func:`with_costs` for a frame of ``columns``."""
    t = thresholds
    people_cost, cost_basis = _people_cost(columns, t)
    return [
        {"people_cost": people_cost, "cost_basis": cost_basis},
        # added left to right, unknown as none (polars' sum_horizontal adds in
        # a tree of its own: a fold is the order a cost move's arrays repeat)
        {
            "cost_to_serve": functools.reduce(
                operator.add,
                [
                    pl.col("people_cost").fill_null(0),
                    *(
                        pl.col(c).fill_null(0)
                        for c in DIRECT_COST_COLUMNS
                        if c in columns
                    ),
                ],
            )
        },
        {"contribution": pl.col("margin") - pl.col("cost_to_serve")},
        {
            "lifetime_value": pl.col("contribution") * pl.col("remaining_years"),
            "has_data": has_data_expr(columns),
        },
    ]
