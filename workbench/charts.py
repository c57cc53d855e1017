"""Altair chart builders: frames in, ``alt.Chart`` out; no Streamlit here."""

from __future__ import annotations

import altair as alt
import polars as pl


def industry_bars(industries: pl.DataFrame) -> alt.Chart:
    """Return a bar chart of won revenue per industry with the account count in tooltips.

    Args:
        industries: rows of ``industry``, ``accounts``, ``won_revenue``.
    """
    chart: alt.Chart = (
        alt.Chart(industries, title="Won revenue by industry (all time)")
        .mark_bar()
        .encode(
            x=alt.X("won_revenue:Q", title="Won revenue"),
            y=alt.Y("industry:N", sort="-x", title=None),
            tooltip=[
                alt.Tooltip("industry:N"),
                alt.Tooltip("accounts:Q"),
                alt.Tooltip("won_revenue:Q", format=",.0f"),
            ],
        )
    )
    return chart


# --- segmentation (issue 6) and effort allocation (issue 7) -----------------------

#: Colours per value segment and marks per relationship type, the same on every chart.
SEGMENT_COLOURS = {
    "most_valuable": "#1b7837",
    "most_growable": "#2166ac",
    "maintain": "#8c8c8c",
    "below_zero": "#b2182b",
}
RELATIONSHIP_SHAPES = {"partnership": "circle", "transactional": "triangle-up"}


def _segment_colour(title: str = "Value segment") -> alt.Color:
    return alt.Color(
        "value_segment:N",
        title=title,
        scale=alt.Scale(
            domain=list(SEGMENT_COLOURS), range=list(SEGMENT_COLOURS.values())
        ),
    )


def _relationship_colour() -> alt.Color:
    return alt.Color(
        "relationship:N",
        title="Relationship",
        scale=alt.Scale(
            domain=["partnership", "transactional"], range=["#5e3c99", "#e66101"]
        ),
    )


def segment_scatter(
    segments: pl.DataFrame,
    contribution_cut: float | None,
    headroom_cut: float | None,
) -> alt.LayerChart:
    """Return value (contribution) against headroom, one point per account.

    Size is won revenue, colour the value segment, shape the relationship type;
    dashed rules mark the current cuts (most valuable to the right of the vertical
    one, most growable above the horizontal one). Both axes are symmetric-log, so
    loss-making and very large accounts fit on one chart.

    Args:
        segments: rows of :func:`workbench.segment.assign_segments`.
        contribution_cut: the vertical rule (``None``: no rule).
        headroom_cut: the horizontal rule (``None``: no rule).
    """
    points = segments.select(
        "account_id",
        "name",
        "value_segment",
        "relationship",
        "relationship_score",
        pl.col("contribution", "headroom", "won_12m", "potential", "effort_hours")
        .cast(pl.Float64)
        .fill_null(0.0),
    )
    scatter = (
        alt.Chart(points)
        .mark_point(filled=True, opacity=0.75)
        .encode(
            x=alt.X(
                "contribution:Q",
                title="Contribution, 12 months (margin − cost-to-serve)",
                scale=alt.Scale(type="symlog", constant=10_000),
            ),
            y=alt.Y(
                "headroom:Q",
                title="Headroom (potential − won)",
                scale=alt.Scale(type="symlog", constant=10_000),
            ),
            # a floor on the size keeps small (often loss-making) accounts visible
            size=alt.Size(
                "won_12m:Q",
                title="Won revenue",
                legend=None,
                scale=alt.Scale(range=[40, 900]),
            ),
            color=_segment_colour(),
            shape=alt.Shape(
                "relationship:N",
                title="Relationship",
                scale=alt.Scale(
                    domain=list(RELATIONSHIP_SHAPES),
                    range=list(RELATIONSHIP_SHAPES.values()),
                ),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Account"),
                alt.Tooltip("account_id:N", title="ID"),
                alt.Tooltip("value_segment:N", title="Segment"),
                alt.Tooltip("relationship:N", title="Relationship"),
                alt.Tooltip("relationship_score:Q", title="Score", format=".0f"),
                alt.Tooltip("won_12m:Q", title="Won, 12 months", format=",.0f"),
                alt.Tooltip("contribution:Q", title="Contribution", format=",.0f"),
                alt.Tooltip("potential:Q", title="Potential", format=",.0f"),
                alt.Tooltip("headroom:Q", title="Headroom", format=",.0f"),
                alt.Tooltip("effort_hours:Q", title="Effort hours", format=",.0f"),
            ],
        )
    )
    layers: list[alt.Chart] = [scatter]
    if contribution_cut is not None:
        layers.append(
            alt.Chart(pl.DataFrame({"contribution": [float(contribution_cut)]}))
            .mark_rule(strokeDash=[6, 4], color=SEGMENT_COLOURS["most_valuable"])
            .encode(x="contribution:Q")
        )
    if headroom_cut is not None:
        layers.append(
            alt.Chart(pl.DataFrame({"headroom": [float(headroom_cut)]}))
            .mark_rule(strokeDash=[6, 4], color=SEGMENT_COLOURS["most_growable"])
            .encode(y="headroom:Q")
        )
    layers.append(
        alt.Chart(pl.DataFrame({"contribution": [0.0]}))
        .mark_rule(color=SEGMENT_COLOURS["below_zero"], opacity=0.5)
        .encode(x="contribution:Q")
    )
    chart: alt.LayerChart = alt.LayerChart(layer=layers).properties(height=460)
    return chart


def effort_stacked_bars(breakdown: pl.DataFrame, title: str) -> alt.Chart:
    """Return effort hours per label, stacked by relationship type.

    Args:
        breakdown: rows of :func:`workbench.effort.effort_breakdown` (``label``,
            ``relationship``, ``value_segment``, ``effort_hours``, ``activities``).
        title: the chart's title.
    """
    bars = breakdown.select(
        "label",
        "relationship",
        "value_segment",
        pl.col("effort_hours").cast(pl.Float64),
        pl.col("activities").cast(pl.Int64),
    )
    chart: alt.Chart = (
        alt.Chart(bars, title=title)
        .mark_bar()
        .encode(
            x=alt.X("sum(effort_hours):Q", title="Effort hours, 12 months"),
            y=alt.Y("label:N", sort="-x", title=None),
            color=_relationship_colour(),
            tooltip=[
                alt.Tooltip("label:N", title="Who / what"),
                alt.Tooltip("relationship:N", title="Relationship"),
                alt.Tooltip("value_segment:N", title="Segment"),
                alt.Tooltip("effort_hours:Q", title="Hours", format=",.0f"),
                alt.Tooltip("activities:Q", title="Activities", format=","),
            ],
        )
    )
    return chart


def share_bars(shares: pl.DataFrame) -> alt.Chart:
    """Return effort, revenue and contribution shares side by side per group.

    Args:
        shares: rows of :func:`workbench.effort.share_comparison`.
    """
    data = shares.with_columns(pl.col("share_pct").cast(pl.Float64).fill_null(0.0))
    chart: alt.Chart = (
        alt.Chart(data, title="Share of effort, revenue and contribution")
        .mark_bar()
        .encode(
            y=alt.Y("group:N", title=None),
            yOffset=alt.YOffset(
                "measure:N", sort=["effort", "revenue", "contribution"]
            ),
            x=alt.X("share_pct:Q", title="% of the portfolio"),
            color=alt.Color(
                "measure:N",
                title="Share of",
                sort=["effort", "revenue", "contribution"],
                scale=alt.Scale(
                    domain=["effort", "revenue", "contribution"],
                    range=["#e66101", "#5e3c99", "#1b7837"],
                ),
            ),
            tooltip=[
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("measure:N", title="Share of"),
                alt.Tooltip("share_pct:Q", title="%", format=".1f"),
            ],
        )
    )
    return chart


def effort_value_scatter(accounts: pl.DataFrame) -> alt.Chart:
    """Return effort hours against gross margin, one point per account.

    Colour is the value segment, shape the relationship type; both axes are
    symmetric-log. Args: ``accounts``: rows of :func:`workbench.effort.account_effort`.
    """
    points = accounts.select(
        "account_id",
        "name",
        "relationship",
        "value_segment",
        pl.col("effort_hours", "margin", "contribution", "effort_index")
        .cast(pl.Float64)
        .fill_null(0.0),
    )
    chart: alt.Chart = (
        alt.Chart(points, title="Effort against value")
        .mark_point(filled=True, opacity=0.75, size=70)
        .encode(
            x=alt.X(
                "margin:Q",
                title="Gross margin, 12 months",
                scale=alt.Scale(type="symlog", constant=10_000),
            ),
            y=alt.Y(
                "effort_hours:Q",
                title="Effort hours, 12 months",
                scale=alt.Scale(type="symlog", constant=10),
            ),
            color=_segment_colour(),
            shape=alt.Shape(
                "relationship:N",
                title="Relationship",
                scale=alt.Scale(
                    domain=list(RELATIONSHIP_SHAPES),
                    range=list(RELATIONSHIP_SHAPES.values()),
                ),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Account"),
                alt.Tooltip("value_segment:N", title="Segment"),
                alt.Tooltip("relationship:N", title="Relationship"),
                alt.Tooltip("effort_hours:Q", title="Hours", format=",.0f"),
                alt.Tooltip("margin:Q", title="Margin", format=",.0f"),
                alt.Tooltip("contribution:Q", title="Contribution", format=",.0f"),
                alt.Tooltip("effort_index:Q", title="Effort index", format=".1f"),
            ],
        )
    )
    return chart


def effort_trend_chart(trend: pl.DataFrame, by: str) -> alt.Chart:
    """Return effort hours over time, one line per ``by`` group (type or segment).

    Args:
        trend: rows of :func:`workbench.effort.effort_trend`.
        by: ``relationship`` or ``value_segment``.
    """
    data = trend.with_columns(pl.col("effort_hours").cast(pl.Float64))
    colour = _relationship_colour() if by == "relationship" else _segment_colour()
    chart: alt.Chart = (
        alt.Chart(data, title="Effort over time")
        .mark_line(point=True)
        .encode(
            x=alt.X("period_start:T", title=None),
            y=alt.Y("effort_hours:Q", title="Effort hours"),
            color=colour,
            tooltip=[
                alt.Tooltip("period_start:T", title="From"),
                alt.Tooltip(f"{by}:N"),
                alt.Tooltip("effort_hours:Q", title="Hours", format=",.0f"),
                alt.Tooltip("activities:Q", title="Activities", format=","),
            ],
        )
    )
    return chart
