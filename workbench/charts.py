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
            size=alt.Size("won_12m:Q", title="Won revenue", legend=None),
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
