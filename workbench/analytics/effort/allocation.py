"""Effort allocation: where our time goes, against what each account brings.

Hutt & Speh: transactional accounts deserve efficient, purchasing-focused service;
partnership accounts deserve investment across functions and executives. These pure
functions compare the hours we spend with each account's relationship type, value
segment, revenue and contribution, and say whom the hours went to (the service
model and the verdicts are in :mod:`.model` and :mod:`.verdicts`).

Inputs are the frames the rest of the workbench already makes:

- ``segments``: :func:`workbench.segment.assign_segments` (one row per account);
- ``aggregates``: :func:`workbench.store.effort_aggregates` (effort per account,
  period and one dimension).

Effort hours are the recorded durations (Salesforce ``Task.CallDurationInSeconds``
/ 60 and ``Event.DurationInMinutes`` arrive already in minutes) plus, for activities
whose CRM record has no duration, an assumed number of minutes each
(:attr:`workbench.segment.Thresholds.minutes_per_activity_without_duration`, 15 by
default); the number of such activities is always shown next to the hours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from workbench.analytics import segment

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Views of :func:`effort_breakdown`: the label columns each one shows, and the
#: dimension of :func:`workbench.store.effort_aggregates` it reads.
BREAKDOWNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "seller": ("seller", ("seller_name", "team")),
    "team": ("seller", ("team",)),
    "department": ("department", ("department",)),
    "role": ("department", ("buying_role",)),
    "kind": ("kind", ("kind",)),
    "month": ("month", ("month",)),
}
#: Groupings offered for shares and the what-if.
GROUPINGS: dict[str, tuple[str, ...]] = {
    "relationship": ("relationship",),
    "value_segment": ("value_segment",),
    "segment_and_type": ("value_segment", "relationship"),
}


def _share(column: str) -> pl.Expr:
    total = pl.col(column).sum()
    return pl.when(total != 0).then(pl.col(column) / total * 100)


#: Whom an hour went to, as the buying-centre map says it (the one seniority rule;
#: purchasing wins over a senior title): the map's ``function`` values.
FUNCTIONS: tuple[str, ...] = ("procurement", "executive", "other", "unattributed")


def _people_hours(
    segments: pl.DataFrame, functions: pl.DataFrame | None, minutes_each: float
) -> pl.DataFrame:
    # Hours per function and account: from the store's split of every activity
    # (recorded plus assumed minutes) when given, else from the features' recorded
    # minutes (hand-made frames; ``unattributed_minutes_12m`` is 0 when absent).
    if functions is not None:
        hours = (
            pl.col("minutes_recorded").fill_null(0)
            + pl.col("activities_without_duration").fill_null(0) * minutes_each
        ) / 60
        wide = functions.group_by("account_id").agg(
            hours.filter(pl.col("function") == f).sum().alias(f"{f}_hours")
            for f in FUNCTIONS
        )
        return segments.select("account_id").join(wide, on="account_id", how="left")
    unattributed = (
        pl.col("unattributed_minutes_12m")
        if "unattributed_minutes_12m" in segments.columns
        else pl.lit(0.0)
    ).fill_null(0)
    procurement = pl.col("procurement_minutes_12m").fill_null(0)
    executive = pl.col("executive_minutes_12m").fill_null(0)
    recorded = pl.col("effort_minutes_recorded_12m").fill_null(0)
    return segments.select(
        "account_id",
        procurement_hours=procurement / 60,
        executive_hours=executive / 60,
        other_hours=(recorded - unattributed - procurement - executive).clip(0) / 60,
        unattributed_hours=unattributed / 60,
    )


def _optional(segments: pl.DataFrame, name: str) -> pl.Expr:
    present = name in segments.columns
    return (pl.col(name) if present else pl.lit(None, pl.Float64)).alias(name)


def account_effort(
    segments: pl.DataFrame,
    functions: pl.DataFrame | None = None,
    minutes_without_duration: float = segment.DEFAULT_THRESHOLDS.minutes_per_activity_without_duration,
) -> pl.DataFrame:
    """Return one row per account: effort, value, shares and whom the hours went to.

    Args:
        segments: rows of :func:`workbench.segment.assign_segments`.
        functions: rows of :func:`workbench.store.effort_by_function` (hours per
            account and function); without it the features' recorded minutes are
            split (``procurement_minutes_12m``, ``executive_minutes_12m`` and, when
            present, ``unattributed_minutes_12m``).
        minutes_without_duration: minutes assumed per activity without a duration.

    Returns:
        ``account_id``, ``name``, ``relationship``, ``value_segment``,
        ``effort_minutes`` (recorded plus assumed), ``effort_minutes_recorded``,
        ``effort_hours``, ``activities``, ``activities_without_duration``,
        ``effort_change_pct``, ``won_12m``, ``revenue``, ``revenue_prev``,
        ``revenue_basis``, ``margin_pct``, ``margin``, ``cost_to_serve``,
        ``contribution``, ``lifetime_value``, ``potential``, ``headroom``,
        ``departments_engaged``, ``procurement_only``, hours per function
        (``procurement_hours``, ``executive_hours``, ``other_hours``,
        ``unattributed_hours``), ``named_hours`` (with a named person),
        ``non_procurement_share_pct`` and ``executive_share_pct`` (of the named
        hours: activities naming no person are never "beyond purchasing"),
        ``unattributed_share_pct`` (of all), ``effort_share_pct``,
        ``revenue_share_pct``, ``contribution_share_pct``,
        ``hours_per_1000_margin``; busiest first.
    """
    recorded = pl.col("effort_minutes_recorded_12m")
    people = _people_hours(segments, functions, minutes_without_duration).with_columns(
        pl.col(f"{f}_hours").fill_null(0.0) for f in FUNCTIONS
    )
    named = (
        pl.col("procurement_hours") + pl.col("executive_hours") + pl.col("other_hours")
    )
    everyone = named + pl.col("unattributed_hours")
    return (
        segments.select(
            "account_id",
            "name",
            "relationship",
            "value_segment",
            "effort_minutes",
            recorded.alias("effort_minutes_recorded"),
            "effort_hours",
            pl.col("activities_12m").alias("activities"),
            pl.col("activities_without_duration_12m").alias(
                "activities_without_duration"
            ),
            "effort_change_pct",
            "won_12m",
            "revenue",
            "revenue_prev",
            _optional(segments, "revenue_basis").cast(pl.String),
            "margin_pct",
            "margin",
            "cost_to_serve",
            "contribution",
            _optional(segments, "lifetime_value"),
            "potential",
            "headroom",
            "departments_engaged",
            "procurement_only",
        )
        .join(people, on="account_id", how="left")
        .with_columns(named_hours=named)
        .with_columns(
            non_procurement_share_pct=pl.when(pl.col("named_hours") > 0).then(
                (pl.col("named_hours") - pl.col("procurement_hours"))
                / pl.col("named_hours")
                * 100
            ),
            executive_share_pct=pl.when(pl.col("named_hours") > 0).then(
                pl.col("executive_hours") / pl.col("named_hours") * 100
            ),
            unattributed_share_pct=pl.when(everyone > 0).then(
                pl.col("unattributed_hours") / everyone * 100
            ),
            effort_share_pct=_share("effort_hours"),
            revenue_share_pct=_share("revenue"),
            contribution_share_pct=_share("contribution"),
            hours_per_1000_margin=pl.when(pl.col("margin") > 0).then(
                pl.col("effort_hours") / pl.col("margin") * 1000
            ),
        )
        .sort("effort_hours", "account_id", descending=[True, False])
    )


def effort_by_group(accounts: pl.DataFrame, grouping: str) -> pl.DataFrame:
    """Return effort, revenue and contribution with their shares per group.

    Args:
        accounts: rows of :func:`account_effort`.
        grouping: a key of :data:`GROUPINGS`.

    Returns:
        The group columns, ``accounts``, ``effort_hours``, ``activities``,
        ``activities_without_duration``, ``won_12m``, ``margin``, ``cost_to_serve``,
        ``contribution``, ``effort_share_pct``, ``revenue_share_pct``,
        ``contribution_share_pct``, ``hours_per_1000_margin``.
    """
    keys = list(GROUPINGS[grouping])
    return (
        accounts.group_by(keys)
        .agg(
            pl.len().alias("accounts"),
            pl.col(
                "effort_hours",
                "activities",
                "activities_without_duration",
                "won_12m",
                "margin",
                "cost_to_serve",
                "contribution",
            ).sum(),
        )
        .with_columns(
            effort_share_pct=_share("effort_hours"),
            revenue_share_pct=_share("won_12m"),
            contribution_share_pct=_share("contribution"),
            hours_per_1000_margin=pl.when(pl.col("margin") > 0).then(
                pl.col("effort_hours") / pl.col("margin") * 1000
            ),
        )
        .sort(keys)
    )


def share_comparison(groups: pl.DataFrame, grouping: str) -> pl.DataFrame:
    """Return the shares of :func:`effort_by_group` in long form for a grouped bar chart.

    Columns: ``group`` (the group's label), ``measure`` (``effort``, ``revenue``,
    ``contribution``) and ``share_pct``.
    """
    keys = list(GROUPINGS[grouping])
    labelled = groups.with_columns(
        group=pl.concat_str([pl.col(k) for k in keys], separator=" · ")
    )
    return labelled.unpivot(
        index="group",
        on=["effort_share_pct", "revenue_share_pct", "contribution_share_pct"],
        variable_name="measure",
        value_name="share_pct",
    ).with_columns(pl.col("measure").str.replace("_share_pct", ""))


def _hours(minutes_each: float) -> pl.Expr:
    return (
        pl.col("minutes_recorded")
        + pl.col("activities_without_duration") * pl.lit(minutes_each)
    ) / 60


def effort_breakdown(
    aggregates: pl.DataFrame,
    segments: pl.DataFrame,
    view: str,
    minutes_without_duration: float = segment.DEFAULT_THRESHOLDS.minutes_per_activity_without_duration,
    period: str = "current",
) -> pl.DataFrame:
    """Return hours per label of one view × relationship type × value segment.

    Args:
        aggregates: rows of :func:`workbench.store.effort_aggregates`.
        segments: rows of :func:`workbench.segment.assign_segments`.
        view: a key of :data:`BREAKDOWNS` (seller, team, department, role, kind, month).
        minutes_without_duration: minutes assumed per activity without a duration.
        period: ``current`` (the 12 months to the as-of date), ``previous`` or
            ``both``.

    Returns:
        The view's label columns, ``label`` (one text for charts), ``relationship``,
        ``value_segment``, ``effort_hours``, ``activities``,
        ``activities_without_duration``, ``accounts``; largest first.
    """
    dimension, labels = BREAKDOWNS[view]
    rows = aggregates.filter(pl.col("dimension") == dimension)
    if period != "both":
        rows = rows.filter(pl.col("period") == period)
    types = segments.select("account_id", "relationship", "value_segment")
    joined = rows.join(types, on="account_id", how="inner")
    keys = [*labels, "relationship", "value_segment"]
    grouped = joined.group_by(keys).agg(
        effort_hours=_hours(minutes_without_duration).sum(),
        activities=pl.col("activities").sum(),
        activities_without_duration=pl.col("activities_without_duration").sum(),
        accounts=pl.col("account_id").n_unique(),
    )
    return grouped.with_columns(
        label=pl.concat_str(
            [pl.col(c).cast(pl.String) for c in labels], separator=" · "
        )
    ).sort("effort_hours", descending=True)


def effort_trend(
    aggregates: pl.DataFrame,
    segments: pl.DataFrame,
    by: str = "relationship",
    granularity: str = "month",
    minutes_without_duration: float = segment.DEFAULT_THRESHOLDS.minutes_per_activity_without_duration,
) -> pl.DataFrame:
    """Return hours per month (or quarter) of the 24 months to the as-of date.

    Args:
        aggregates: rows of :func:`workbench.store.effort_aggregates`.
        segments: rows of :func:`workbench.segment.assign_segments`.
        by: ``relationship`` or ``value_segment``.
        granularity: ``month`` or ``quarter``.
        minutes_without_duration: minutes assumed per activity without a duration.

    Returns:
        ``period_start`` (a date), the ``by`` column, ``effort_hours``,
        ``activities``; in time order.
    """
    if by not in ("relationship", "value_segment"):
        raise ValueError(f"unknown grouping {by!r}")
    every = "1q" if granularity == "quarter" else "1mo"
    rows = aggregates.filter(pl.col("dimension") == "month").join(
        segments.select("account_id", by), on="account_id", how="inner"
    )
    return (
        rows.with_columns(period_start=pl.col("month").dt.truncate(every))
        .group_by("period_start", by)
        .agg(
            effort_hours=_hours(minutes_without_duration).sum(),
            activities=pl.col("activities").sum(),
        )
        .sort("period_start", by)
    )


def seller_effort(
    aggregates: pl.DataFrame,
    segments: pl.DataFrame,
    minutes_without_duration: float = segment.DEFAULT_THRESHOLDS.minutes_per_activity_without_duration,
) -> pl.DataFrame:
    """Return who spends time where: one row per seller over the last 12 months.

    Columns: ``seller_id``, ``seller_name``, ``team``, ``accounts``,
    ``effort_hours``, ``activities``, hours per type (``partnership_hours``,
    ``transactional_hours``) and per value segment (``<segment>_hours``),
    ``partnership_share_pct`` and ``below_zero_share_pct``; busiest first.
    """
    rows = aggregates.filter(
        (pl.col("dimension") == "seller") & (pl.col("period") == "current")
    ).join(
        segments.select("account_id", "relationship", "value_segment"),
        on="account_id",
        how="inner",
    )
    hours = _hours(minutes_without_duration)
    per_group = [
        hours.filter(pl.col("relationship") == t).sum().alias(f"{t}_hours")
        for t in segment.RELATIONSHIPS
    ] + [
        hours.filter(pl.col("value_segment") == s).sum().alias(f"{s}_hours")
        for s in segment.VALUE_SEGMENTS
    ]
    return (
        rows.group_by("seller_id", "seller_name", "team")
        .agg(
            *per_group,
            accounts=pl.col("account_id").n_unique(),
            effort_hours=hours.sum(),
            activities=pl.col("activities").sum(),
        )
        .with_columns(
            partnership_share_pct=pl.when(pl.col("effort_hours") > 0).then(
                pl.col("partnership_hours") / pl.col("effort_hours") * 100
            ),
            below_zero_share_pct=pl.when(pl.col("effort_hours") > 0).then(
                pl.col("below_zero_hours") / pl.col("effort_hours") * 100
            ),
        )
        .sort("effort_hours", descending=True)
    )


def group_labels(accounts: pl.DataFrame, grouping: str) -> list[str]:
    """Return the labels of the groups present, in a stable order (for pickers)."""
    keys = list(GROUPINGS[grouping])
    labels = (
        accounts.select(pl.concat_str([pl.col(k) for k in keys], separator=" · "))
        .unique()
        .to_series()
        .sort()
    )
    return [str(label) for label in labels.to_list()]


#: Columns of the command line's ``workbench effort`` output, in order: rows of
#: :func:`workbench.analytics.effort.judge` (``expected_hours`` is the middle of the
#: band the account's service model deserves, ``effort_index`` hours ÷ that).
CLI_COLUMNS: Sequence[str] = (
    "account_id",
    "name",
    "relationship",
    "value_segment",
    "effort_minutes",
    "effort_minutes_recorded",
    "effort_hours",
    "activities",
    "activities_without_duration",
    "effort_change_pct",
    "won_12m",
    "margin",
    "contribution",
    "effort_share_pct",
    "revenue_share_pct",
    "contribution_share_pct",
    "hours_per_1000_margin",
    "expected_hours",
    "effort_index",
    # added with the service model (rows of verdicts.judge)
    "revenue",
    "revenue_basis",
    "lifetime_value",
    "headroom",
    "margin_at_stake",
    "deserved_low_hours",
    "deserved_high_hours",
    "involve",
    "touches_per_year",
    "investment",
    "people",
    "misallocation_cost",
    "named_hours",
    "unattributed_hours",
    "non_procurement_share_pct",
    "executive_share_pct",
    "unattributed_share_pct",
)


def top_labels(breakdown: pl.DataFrame, limit: int) -> pl.DataFrame:
    """Return the rows of :func:`effort_breakdown` of its ``limit`` busiest labels."""
    busiest = (
        breakdown.group_by("label")
        .agg(pl.col("effort_hours").sum())
        .sort("effort_hours", "label", descending=[True, False])
        .head(limit)["label"]
    )
    return breakdown.filter(pl.col("label").is_in(busiest.implode()))


def effort_totals(accounts: pl.DataFrame, hourly_cost: float) -> dict[str, float]:
    """Return the portfolio's hours, activities, activities without a duration and cost."""
    hours, activities, without = accounts.select(
        pl.col("effort_hours").sum(),
        pl.col("activities").sum(),
        pl.col("activities_without_duration").sum(),
    ).row(0)
    return {
        "effort_hours": float(hours or 0),
        "activities": float(activities or 0),
        "activities_without_duration": float(without or 0),
        "cost": float(hours or 0) * hourly_cost,
    }


def drawn_accounts(accounts: pl.DataFrame, limit: int) -> pl.DataFrame:
    """Return the accounts an effort-against-value chart draws, at most about ``limit``.

    All of them when there are no more than ``limit``. Beyond that, each value
    segment keeps, in proportion to its size, its accounts with the most hours,
    the most margin and the effort index furthest from its band (hours far above
    or below what the service model deserves, whatever the verdict rules say),
    plus its lowest and highest hours and margin, so the axes and every segment
    stay where they are. Rows keep their order. Ten thousand points cost more to
    send and draw than to compute, and overlap.
    """
    if accounts.height <= limit:
        return accounts
    segment_of = pl.col("value_segment")
    hours = pl.col("effort_hours").fill_null(0.0)
    margin = pl.col("margin").fill_null(0.0)
    # how far from its band: the index's distance from 1 on a log scale
    index = pl.col("effort_index") if "effort_index" in accounts.columns else None
    distance = (
        (index.clip(lower_bound=1e-3).log().abs()).fill_null(-1.0)
        if index is not None
        else pl.lit(-1.0)
    )
    size = pl.len().over(segment_of)
    # a third of each segment's share by each measure (overlaps draw fewer)
    quota = (size * limit / accounts.height / 3).ceil()

    def among_first(measure: pl.Expr) -> pl.Expr:
        return measure.rank("ordinal", descending=True).over(segment_of) <= quota

    def extreme(measure: pl.Expr) -> pl.Expr:
        ranked = measure.rank("ordinal").over(segment_of)
        return (ranked == 1) | (ranked == size)

    kept = (
        among_first(hours)
        | among_first(margin)
        | among_first(distance)
        | extreme(hours)
        | extreme(margin)
    )
    return accounts.filter(kept)
