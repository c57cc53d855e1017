"""One account's cost to serve, line by line: hours by seller role × rate, direct costs.

The per-account figure of :func:`~workbench.analytics.economics.compute_contribution`
spelled out for the Segments page and plans: one line per hourly rate (a seller
role, or a team with a rate of its own), one for the hours at the flat hourly cost
(no seller named on the activity, or a role nobody can tell), and one per direct
cost the data holds. Pure polars over the rows of
:func:`workbench.store.account_effort_by_rate`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from workbench.analytics.thresholds import DEFAULT_THRESHOLDS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from workbench.analytics.thresholds import Thresholds

#: The line of hours priced at the flat hourly cost.
FLAT_RATE_LINE = "flat hourly cost"

_SCHEMA = {
    "line": pl.String,
    "kind": pl.String,
    "activities": pl.Int64,
    "hours": pl.Float64,
    "hourly_cost": pl.Float64,
    "cost": pl.Float64,
    "basis": pl.String,
}


def cost_breakdown(
    effort_by_rate: pl.DataFrame,
    direct_costs: Mapping[str, float | None] | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> pl.DataFrame:
    """Return an account's cost to serve, one line per rate and per direct cost.

    Args:
        effort_by_rate: rows of ``rate_key`` (NULL: the flat cost),
            ``hourly_rate``, ``activities``, ``minutes_recorded`` and
            ``activities_without_duration`` (12 months).
        direct_costs: name → annual amount of each direct cost the data holds
            (``direct_cost_annual`` of the account; logistics, discounts, support
            from an ERP file where one was imported); unknown ones are left out.
        thresholds: the flat hourly cost and the minutes assumed per activity
            without a duration.

    Returns:
        Columns ``line`` (role, team, the flat cost, or the direct cost's name),
        ``kind`` (``hours`` or ``direct``), ``activities``, ``hours``,
        ``hourly_cost``, ``cost`` and ``basis`` (where the rate or amount comes
        from, in words). The ``cost`` column adds up to the account's
        ``cost_to_serve``.
    """
    t = thresholds
    each = t.minutes_per_activity_without_duration
    flat = pl.col("hourly_rate").is_null()
    hours = effort_by_rate.select(
        line=pl.when(flat)
        .then(pl.lit(FLAT_RATE_LINE))
        .otherwise(pl.col("rate_key").str.replace_all("_", " ")),
        kind=pl.lit("hours"),
        activities=pl.col("activities").cast(pl.Int64),
        hours=(
            pl.col("minutes_recorded").fill_null(0)
            + pl.col("activities_without_duration").fill_null(0) * each
        )
        / 60,
        hourly_cost=pl.col("hourly_rate").fill_null(t.hourly_cost),
        basis=pl.when(flat)
        .then(pl.lit("no seller named, or no role known: the flat hourly cost"))
        .otherwise(pl.lit("the role's or team's hourly cost")),
    )
    # the flat-rate rows (no seller, unknown role) become one line
    hours = (
        hours.group_by("line", "kind", "hourly_cost", "basis", maintain_order=True)
        .agg(pl.col("activities").sum(), pl.col("hours").sum())
        .with_columns(cost=pl.col("hours") * pl.col("hourly_cost"))
    )
    known = {k: float(v) for k, v in (direct_costs or {}).items() if v is not None}
    direct = pl.DataFrame(
        {"line": list(known), "cost": list(known.values())},
        schema={"line": pl.String, "cost": pl.Float64},
    ).with_columns(
        kind=pl.lit("direct"), basis=pl.lit("direct cost a year, as imported")
    )
    return pl.concat(
        [hours.select(list(_SCHEMA)), direct], how="diagonal_relaxed"
    ).select([pl.col(c).cast(d) for c, d in _SCHEMA.items()])
