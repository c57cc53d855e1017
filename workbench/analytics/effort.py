"""Effort allocation: where our time goes, against what each account brings.

Hutt & Speh: transactional accounts deserve efficient, purchasing-focused service;
partnership accounts deserve investment across functions and executives. These pure
functions compare the hours we spend with each account's relationship type, value
segment, revenue and contribution, list the accounts that look over- or under-served,
and project what moving hours between groups would do.

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

from dataclasses import dataclass
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
ISSUES: tuple[str, ...] = (
    "over_served",
    "under_served",
    "procurement_only_partnership",
    "broad_transactional",
)
WHAT_IF_ASSUMPTION = (
    "Revenue, gross margin and direct costs stay as they are; only the moved hours "
    "change groups, each costing the same hourly rate. Within a group, the hours "
    "are spread over its accounts in proportion to their current hours."
)


@dataclass(frozen=True)
class MisallocationRules:
    """When an account looks over- or under-served; every field is a slider.

    Attributes:
        over_factor: over-served when its hours are at least this multiple of what
            its margin justifies at its type's average hours per unit of margin
            (3.0); below-zero accounts with any effort are always listed, first.
        thin_factor: under-served (most valuable or partnership) when its hours are
            at most this multiple of that (0.5) ...
        shrink_pct: ... or its hours fell by at least this percentage against the
            previous 12 months (25).
        broad_share_pct: a transactional account gets multi-functional effort when
            at least this share of its hours goes to people outside purchasing (60).
        executive_share_pct: ... or executive effort when at least this share of
            its hours goes to executives (10).
    """

    over_factor: float = 3.0
    thin_factor: float = 0.5
    shrink_pct: float = 25.0
    broad_share_pct: float = 60.0
    executive_share_pct: float = 10.0


def _share(column: str) -> pl.Expr:
    total = pl.col(column).sum()
    return pl.when(total != 0).then(pl.col(column) / total * 100)


def account_effort(segments: pl.DataFrame) -> pl.DataFrame:
    """Return one row per account: effort, value, shares and the effort index.

    Columns: ``account_id``, ``name``, ``relationship``, ``value_segment``,
    ``effort_minutes`` (recorded plus assumed), ``effort_minutes_recorded``,
    ``effort_hours``, ``activities``, ``activities_without_duration``,
    ``effort_change_pct``, ``won_12m``, ``margin``, ``cost_to_serve``,
    ``contribution``, ``effort_share_pct``, ``revenue_share_pct``,
    ``contribution_share_pct``, ``hours_per_1000_margin``, ``expected_hours``
    (margin × the type's hours per unit of margin), ``effort_index`` (hours ÷
    expected; NULL without margin), ``non_procurement_share_pct``,
    ``executive_share_pct``, ``departments_engaged``, ``procurement_only``.
    """
    positive_margin = pl.col("margin").clip(lower_bound=0)
    type_rate = pl.col("effort_hours").sum().over("relationship") / (
        positive_margin.sum().over("relationship")
    )
    recorded = pl.col("effort_minutes_recorded_12m")
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
            "margin",
            "cost_to_serve",
            "contribution",
            "departments_engaged",
            "procurement_only",
            non_procurement_share_pct=pl.when(recorded > 0).then(
                (recorded - pl.col("procurement_minutes_12m")) / recorded * 100
            ),
            executive_share_pct=pl.when(recorded > 0).then(
                pl.col("executive_minutes_12m") / recorded * 100
            ),
            expected_hours=pl.when(type_rate.is_finite()).then(
                positive_margin * type_rate
            ),
        )
        .with_columns(
            effort_share_pct=_share("effort_hours"),
            revenue_share_pct=_share("won_12m"),
            contribution_share_pct=_share("contribution"),
            hours_per_1000_margin=pl.when(pl.col("margin") > 0).then(
                pl.col("effort_hours") / pl.col("margin") * 1000
            ),
            effort_index=pl.when(pl.col("expected_hours") > 0).then(
                pl.col("effort_hours") / pl.col("expected_hours")
            ),
        )
        .sort("effort_hours", descending=True)
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
            accounts=pl.len(),
            effort_hours=pl.col("effort_hours").sum(),
            activities=pl.col("activities").sum(),
            activities_without_duration=pl.col("activities_without_duration").sum(),
            won_12m=pl.col("won_12m").sum(),
            margin=pl.col("margin").sum(),
            cost_to_serve=pl.col("cost_to_serve").sum(),
            contribution=pl.col("contribution").sum(),
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


def _fmt(expr: pl.Expr, decimals: int = 0) -> pl.Expr:
    rounded = expr.fill_null(0).round(decimals)
    return (rounded.cast(pl.Int64) if decimals == 0 else rounded).cast(pl.String)


_MISALLOCATION_COLUMNS = (
    "issue",
    "account_id",
    "name",
    "relationship",
    "value_segment",
    "effort_hours",
    "expected_hours",
    "effort_index",
    "effort_change_pct",
    "contribution",
    "non_procurement_share_pct",
    "executive_share_pct",
    "why",
)


def misallocations(
    accounts: pl.DataFrame, rules: MisallocationRules | None = None, **changes: float
) -> pl.DataFrame:
    """Return the accounts whose effort does not fit their value and type.

    One row per account and issue (an account can have several), in the order of
    :data:`ISSUES`: over-served (below-zero accounts first, then by effort index),
    under-served, partnerships served through purchasing only, transactional
    accounts getting multi-functional or executive effort.

    Args:
        accounts: rows of :func:`account_effort`.
        rules: the thresholds (default :class:`MisallocationRules`).
        **changes: single fields of the rules to change, e.g.
            ``misallocations(accounts, over_factor=3)``.
    """
    r = rules or MisallocationRules()
    if changes:
        r = MisallocationRules(**{**r.__dict__, **changes})
    index = pl.col("effort_index")
    over = accounts.filter(
        ((pl.col("value_segment") == "below_zero") & (pl.col("effort_hours") > 0))
        | (index >= r.over_factor)
    ).with_columns(
        issue=pl.lit("over_served"),
        _order=pl.when(pl.col("value_segment") == "below_zero").then(0).otherwise(1),
        why=pl.format(
            "{} h against {} h its margin justifies for a {} account ({}×); contribution {}",
            _fmt(pl.col("effort_hours")),
            _fmt(pl.col("expected_hours")),
            pl.col("relationship"),
            _fmt(index, 1),
            _fmt(pl.col("contribution")),
        ),
    )
    thin = index <= r.thin_factor
    shrinking = pl.col("effort_change_pct") <= -r.shrink_pct
    under = accounts.filter(
        (
            (pl.col("value_segment") == "most_valuable")
            | (pl.col("relationship") == "partnership")
        )
        & (thin.fill_null(False) | shrinking.fill_null(False))
    ).with_columns(
        issue=pl.lit("under_served"),
        _order=pl.lit(2),
        why=pl.format(
            "{} {}: {} h against {} h expected ({}×), {} % against the year before",
            pl.col("value_segment"),
            pl.col("relationship"),
            _fmt(pl.col("effort_hours")),
            _fmt(pl.col("expected_hours")),
            _fmt(index, 1),
            _fmt(pl.col("effort_change_pct")),
        ),
    )
    procurement_only = accounts.filter(
        (pl.col("relationship") == "partnership") & pl.col("procurement_only")
    ).with_columns(
        issue=pl.lit("procurement_only_partnership"),
        _order=pl.lit(3),
        why=pl.lit("a partnership, yet every contact in 12 months was in purchasing"),
    )
    broad = pl.col("non_procurement_share_pct") >= r.broad_share_pct
    executive = pl.col("executive_share_pct") >= r.executive_share_pct
    broad_transactional = accounts.filter(
        (pl.col("relationship") == "transactional")
        & (broad.fill_null(False) | executive.fill_null(False))
    ).with_columns(
        issue=pl.lit("broad_transactional"),
        _order=pl.lit(4),
        why=pl.format(
            "transactional, yet {} % of the hours go beyond purchasing and {} % to executives",
            _fmt(pl.col("non_procurement_share_pct")),
            _fmt(pl.col("executive_share_pct")),
        ),
    )
    columns = [*_MISALLOCATION_COLUMNS, "_order"]
    return (
        pl.concat(
            [
                frame.select(columns)
                for frame in (over, under, procurement_only, broad_transactional)
            ]
        )
        .sort(
            ["_order", "effort_index", "effort_hours"],
            descending=[False, True, True],
            nulls_last=True,
        )
        .drop("_order")
    )


def what_if(
    accounts: pl.DataFrame,
    grouping: str,
    from_group: str,
    to_group: str,
    share_pct: float,
    hourly_cost: float = segment.DEFAULT_THRESHOLDS.hourly_cost,
) -> pl.DataFrame:
    """Project cost-to-serve and contribution after moving hours between two groups.

    ``share_pct`` of the hours of ``from_group`` go to ``to_group``; see
    :data:`WHAT_IF_ASSUMPTION` for what stays fixed. Group labels are those of
    :func:`share_comparison` (``"most_valuable · partnership"`` for the
    ``segment_and_type`` grouping).

    Returns:
        Per group: ``group``, ``effort_hours``, ``projected_hours``,
        ``cost_to_serve``, ``projected_cost_to_serve``, ``contribution``,
        ``projected_contribution``, ``contribution_change``.
    """
    if not 0 <= share_pct <= 100:
        raise ValueError("share_pct must be between 0 and 100")
    keys = list(GROUPINGS[grouping])
    groups = (
        effort_by_group(accounts, grouping)
        .with_columns(group=pl.concat_str([pl.col(k) for k in keys], separator=" · "))
        .select("group", "effort_hours", "cost_to_serve", "contribution")
    )
    moved = (
        float(groups.filter(pl.col("group") == from_group)["effort_hours"].sum())
        * share_pct
        / 100
    )
    if from_group == to_group:
        moved = 0.0
    delta_hours = (
        pl.when(pl.col("group") == from_group)
        .then(-moved)
        .when(pl.col("group") == to_group)
        .then(moved)
        .otherwise(0.0)
    )
    return groups.with_columns(
        projected_hours=pl.col("effort_hours") + delta_hours,
        projected_cost_to_serve=pl.col("cost_to_serve") + delta_hours * hourly_cost,
    ).with_columns(
        projected_contribution=pl.col("contribution")
        - (pl.col("projected_cost_to_serve") - pl.col("cost_to_serve")),
        contribution_change=-(
            pl.col("projected_cost_to_serve") - pl.col("cost_to_serve")
        ),
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


#: Columns of the command line's ``workbench effort`` output, in order.
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
)


def issue_counts(issues: pl.DataFrame) -> dict[str, int]:
    """Return the number of accounts listed under each issue of :func:`misallocations`."""
    counts = dict.fromkeys(ISSUES, 0)
    for issue, accounts in issues.group_by("issue").len().iter_rows():
        counts[str(issue)] = int(accounts)
    return counts


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
