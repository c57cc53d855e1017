"""Every altair chart builder: frames in, ``alt.Chart`` out; no Streamlit here.

One section per screen: overview, segments, effort, the buying-centre legend and
the plans overview; the voice of the customer's charts are in :mod:`.voice`. The analytics compute the frames;
the charts only draw them.

Titles, axes, legends and tooltips read in the language in force when the chart is
built (charts are built on every run, never cached); vocabulary values (segments,
relationship types, roles) are shown through :mod:`workbench.terms`, and every chart
names a font stack that draws Chinese as well as Latin text.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import altair as alt
import polars as pl

from workbench import terms
from workbench.analytics import network
from workbench.charts._base import ROLE_LABELS as ROLE_LABELS
from workbench.charts._base import (
    _vocabulary,
    _with_font,
    account_tooltips,
    amount_tooltips,
    symlog_axes,
)
from workbench.charts.voice import (
    driver_bars as driver_bars,
)
from workbench.charts.voice import (
    role_bars as role_bars,
)
from workbench.charts.voice import (
    role_intervals as role_intervals,
)
from workbench.charts.voice import (
    trend_lines as trend_lines,
)
from workbench.i18n import N_, current_language
from workbench.i18n import gettext as _

if TYPE_CHECKING:
    from workbench.plans import PlansOverview


def industry_bars(industries: pl.DataFrame, currency: str | None = None) -> alt.Chart:
    """Return a bar chart of won revenue per industry with the account count in tooltips.

    Args:
        industries: rows of ``industry``, ``accounts``, ``won_revenue``.
        currency: the portfolio's currency (ISO code), named on the axis and in
            the tooltip; ``None`` leaves it out.
    """
    revenue = (
        _("Won revenue")
        if currency is None
        else _("Won revenue ({currency})").format(currency=currency)
    )
    chart: alt.Chart = (
        alt.Chart(industries, title=_("Won revenue by industry (all time)"))
        .mark_bar()
        .encode(
            x=alt.X("won_revenue:Q", title=revenue),
            y=alt.Y("industry:N", sort="-x", title=None),
            tooltip=[
                alt.Tooltip("industry:N", title=_("Industry")),
                alt.Tooltip("accounts:Q", title=_("Accounts")),
                alt.Tooltip("won_revenue:Q", title=revenue, format=",.0f"),
            ],
        )
    )
    return _with_font(chart)


# --- segmentation (issue 6) and effort allocation (issue 7) -----------------------

#: Colours per value segment and marks per relationship type, the same on every chart.
SEGMENT_COLOURS = {
    "most_valuable": "#1b7837",
    "most_growable": "#2166ac",
    "maintain": "#8c8c8c",
    "below_zero": "#b2182b",
    "no_data": "#d9d9d9",
}
RELATIONSHIP_SHAPES = {"partnership": "circle", "transactional": "triangle-up"}
#: The three shares the effort page compares, in their order.
MEASURES = {
    "effort": N_("effort"),
    "revenue": N_("revenue"),
    "contribution": N_("contribution"),
}
#: Roles as the voice charts show them: the buying roles, and everyone together.
#: A plan's state on the plans overview.
PLAN_STATES = {
    "current_plans": N_("current"),
    "stale_plans": N_("stale"),
    "no_plan": N_("no plan"),
}


def _relationship_shape() -> alt.Shape:
    """Return the one shape scale for transactional and partnership accounts."""
    return alt.Shape(
        "relationship:N",
        title=_("Relationship"),
        scale=alt.Scale(
            domain=[terms.relationship(r) for r in RELATIONSHIP_SHAPES],
            range=list(RELATIONSHIP_SHAPES.values()),
        ),
    )


def _segment_colour(title: str | None = None) -> alt.Color:
    return alt.Color(
        "value_segment:N",
        title=title or _("Value segment"),
        scale=alt.Scale(
            domain=[terms.value_segment(s) for s in SEGMENT_COLOURS],
            range=list(SEGMENT_COLOURS.values()),
        ),
    )


def _relationship_colour() -> alt.Color:
    return alt.Color(
        "relationship:N",
        title=_("Relationship"),
        scale=alt.Scale(
            domain=[terms.relationship(r) for r in ("partnership", "transactional")],
            range=["#5e3c99", "#e66101"],
        ),
    )


def _shown_vocabularies(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with its segment and relationship codes as labels."""
    shown = {"value_segment": terms.VALUE_SEGMENTS, "relationship": terms.RELATIONSHIPS}
    return frame.with_columns(
        [_vocabulary(c, v) for c, v in shown.items() if c in frame.columns]
    )


#: The columns :func:`segment_scatter` reads (``revenue``, else ``won_12m``, sizes
#: the points): a page passes only these when it picks the points to draw.
SEGMENT_SCATTER_COLUMNS: tuple[str, ...] = (
    "account_id",
    "name",
    "value_segment",
    "relationship",
    "relationship_score",
    "contribution",
    "headroom",
    "potential",
    "effort_hours",
    "revenue",
    "won_12m",
)
#: The named datasets of :func:`segment_scatter_spec`, layer by layer.
SCATTER_DATASETS: tuple[str, ...] = (
    "points",
    "contribution_cut",
    "headroom_cut",
    "zero_contribution",
)


def segment_scatter(
    segments: pl.DataFrame,
    contribution_cut: float | None,
    headroom_cut: float | None,
) -> alt.LayerChart:
    """Return value (contribution) against headroom, one point per account.

    Size is revenue a year (on its basis), colour the value segment, shape the relationship type;
    dashed rules mark the current cuts (most valuable to the right of the vertical
    one, most growable above the horizontal one). Both axes are symmetric-log, so
    loss-making and very large accounts fit on one chart.

    Args:
        segments: rows of :func:`workbench.segment.assign_segments`.
        contribution_cut: the vertical rule (``None``: no rule).
        headroom_cut: the horizontal rule (``None``: no rule).
    """
    return _scatter_layers(
        _scatter_points(segments),
        None if contribution_cut is None else _rule("contribution", contribution_cut),
        None if headroom_cut is None else _rule("headroom", headroom_cut),
        _rule("contribution", 0.0),
    )


@dataclass(frozen=True)
class VegaLiteChart:
    """A chart as a Vega-Lite spec whose layers read named datasets, and those data.

    ``spec`` is the spec's JSON text, shared between calls; :meth:`with_data`
    returns a new spec a renderer takes (and may change), the datasets beside it.
    """

    spec: str
    datasets: dict[str, pl.DataFrame]

    def with_data(self) -> dict[str, Any]:
        """Return the spec with its datasets (``datasets``: name → frame)."""
        spec: dict[str, Any] = json.loads(self.spec)
        spec["datasets"] = dict(self.datasets)
        return spec


def segment_scatter_spec(
    segments: pl.DataFrame,
    contribution_cut: float | None,
    headroom_cut: float | None,
) -> VegaLiteChart:
    """Return :func:`segment_scatter` as a Vega-Lite spec and its datasets.

    The same chart: the spec is built and validated through Altair once per
    language and reused, and only the data change with the thresholds (a cut
    that is ``None`` is an empty dataset, so its rule draws nothing). Since the
    spec stays the same from one slider move to the next, a browser can replace
    the chart's data instead of building the chart again.
    """
    frames = (
        _scatter_points(segments),
        _rule("contribution", contribution_cut),
        _rule("headroom", headroom_cut),
        _rule("contribution", 0.0),
    )
    return VegaLiteChart(
        spec=_scatter_template(current_language()),
        datasets=dict(zip(SCATTER_DATASETS, frames, strict=True)),
    )


@functools.lru_cache(maxsize=8)
def _scatter_template(language: str) -> str:
    """Return the scatter's Vega-Lite spec in ``language``, its data by name.

    Built as the top level of a chart that is not drawn by Altair itself: no
    Altair theme is merged in, as Streamlit does when it draws an Altair chart.
    """
    named = [alt.NamedData(name=name) for name in SCATTER_DATASETS]
    chart = _scatter_layers(*named)
    spec: dict[str, Any] = chart.to_dict(context={"top_level": False})
    spec["$schema"] = alt.SCHEMA_URL
    return json.dumps(spec)


def _scatter_points(segments: pl.DataFrame) -> pl.DataFrame:
    """Return the accounts with data, as the scatter draws them."""
    size_column = "revenue" if "revenue" in segments.columns else "won_12m"
    return (
        segments.filter(pl.col("value_segment") != "no_data")
        .select(
            "account_id",
            "name",
            "value_segment",
            "relationship",
            "relationship_score",
            pl.col("headroom").cast(pl.Float64).alias("headroom_figure"),
            pl.col("potential").cast(pl.Float64),
            pl.col("contribution", "headroom", "effort_hours")
            .cast(pl.Float64)
            .fill_null(0.0),
            pl.col(size_column).cast(pl.Float64).fill_null(0.0).alias("won_12m"),
        )
        .pipe(_shown_vocabularies)
    )


def _rule(field: str, at: float | None) -> pl.DataFrame:
    """Return where a rule is drawn on ``field`` (no row: no rule)."""
    return pl.DataFrame(
        {field: [] if at is None else [float(at)]}, schema={field: pl.Float64}
    )


def _scatter_layers(
    points: Any, contribution_cut: Any, headroom_cut: Any, zero: Any
) -> alt.LayerChart:
    """Return the scatter's layers over their data (a frame or a named dataset).

    A cut that is ``None`` leaves its layer out.
    """
    # A headroom or a score that is unknown is drawn at 0 (a point needs a
    # place) but reads "unknown" in the tooltip, not 0.
    unknown = json.dumps(_("unknown"))
    scatter = (
        alt.Chart(points)
        .transform_calculate(
            headroom_text="isValid(datum.headroom_figure) ? "
            f"format(datum.headroom_figure, ',.0f') : {unknown}",
            score_text="isValid(datum.relationship_score) ? "
            f"format(datum.relationship_score, '.0f') : {unknown}",
            potential_text="isValid(datum.potential) ? "
            f"format(datum.potential, ',.0f') : {unknown}",
        )
        .mark_point(filled=True, opacity=0.75)
        .encode(
            **symlog_axes(
                (
                    "contribution",
                    _("Contribution, 12 months (margin − cost-to-serve)"),
                    10_000,
                ),
                ("headroom", _("Headroom (potential − revenue)"), 10_000),
            ),
            # a floor on the size keeps small (often loss-making) accounts visible
            size=alt.Size(
                "won_12m:Q",
                title=_("Revenue a year"),
                legend=None,
                scale=alt.Scale(range=[40, 900]),
            ),
            color=_segment_colour(),
            shape=_relationship_shape(),
            tooltip=[
                *account_tooltips(),
                alt.Tooltip("account_id:N", title=_("ID")),
                alt.Tooltip("score_text:N", title=_("Score")),
                *amount_tooltips(
                    {
                        "won_12m": _("Revenue a year"),
                        "contribution": _("Contribution"),
                    }
                ),
                alt.Tooltip("potential_text:N", title=_("Potential")),
                alt.Tooltip("headroom_text:N", title=_("Headroom")),
                *amount_tooltips({"effort_hours": _("Effort hours")}),
            ],
        )
    )
    layers: list[alt.Chart] = [scatter]
    if contribution_cut is not None:
        layers.append(
            alt.Chart(contribution_cut)
            .mark_rule(strokeDash=[6, 4], color=SEGMENT_COLOURS["most_valuable"])
            .encode(x="contribution:Q")
        )
    if headroom_cut is not None:
        layers.append(
            alt.Chart(headroom_cut)
            .mark_rule(strokeDash=[6, 4], color=SEGMENT_COLOURS["most_growable"])
            .encode(y="headroom:Q")
        )
    layers.append(
        alt.Chart(zero)
        .mark_rule(color=SEGMENT_COLOURS["below_zero"], opacity=0.5)
        .encode(x="contribution:Q")
    )
    chart: alt.LayerChart = alt.LayerChart(layer=layers).properties(height=460)
    return _with_font(chart)


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
    ).pipe(_shown_vocabularies)
    chart: alt.Chart = (
        alt.Chart(bars, title=title)
        .mark_bar()
        .encode(
            x=alt.X("sum(effort_hours):Q", title=_("Effort hours, 12 months")),
            y=alt.Y("label:N", sort="-x", title=None),
            color=_relationship_colour(),
            tooltip=[
                alt.Tooltip("label:N", title=_("Who / what")),
                alt.Tooltip("relationship:N", title=_("Relationship")),
                alt.Tooltip("value_segment:N", title=_("Segment")),
                alt.Tooltip("effort_hours:Q", title=_("Hours"), format=",.0f"),
                alt.Tooltip("activities:Q", title=_("Activities"), format=","),
            ],
        )
    )
    return _with_font(chart)


def share_bars(shares: pl.DataFrame) -> alt.Chart:
    """Return effort, revenue and contribution shares side by side per group.

    Args:
        shares: rows of :func:`workbench.effort.share_comparison`.
    """
    measures = [_(m) for m in MEASURES.values()]
    data = shares.with_columns(
        pl.col("share_pct").cast(pl.Float64).fill_null(0.0),
        _vocabulary("measure", MEASURES),
        _vocabulary("group", {**terms.VALUE_SEGMENTS, **terms.RELATIONSHIPS}),
    )
    chart: alt.Chart = (
        alt.Chart(data, title=_("Share of effort, revenue and contribution"))
        .mark_bar()
        .encode(
            y=alt.Y("group:N", title=None),
            yOffset=alt.YOffset("measure:N", sort=measures),
            x=alt.X(
                "share_pct:Q", title=_("{percent} of the portfolio").format(percent="%")
            ),
            color=alt.Color(
                "measure:N",
                title=_("Share of"),
                sort=measures,
                scale=alt.Scale(
                    domain=measures, range=["#e66101", "#5e3c99", "#1b7837"]
                ),
            ),
            tooltip=[
                alt.Tooltip("group:N", title=_("Group")),
                alt.Tooltip("measure:N", title=_("Share of")),
                alt.Tooltip("share_pct:Q", title="%", format=".1f"),
            ],
        )
    )
    return _with_font(chart)


def effort_value_scatter(accounts: pl.DataFrame) -> alt.Chart:
    """Return effort hours against gross margin, one point per account.

    Colour is the value segment, shape the relationship type; both axes are
    symmetric-log. Args: ``accounts``: rows of :func:`workbench.effort.account_effort`
    (or of ``judge``, whose effort index the tooltip then shows).
    """
    index = (
        pl.col("effort_index")
        if "effort_index" in accounts.columns
        else pl.lit(None, pl.Float64).alias("effort_index")
    )
    points = accounts.select(
        "account_id",
        "name",
        "relationship",
        "value_segment",
        pl.col("effort_hours", "margin", "contribution")
        .cast(pl.Float64)
        .fill_null(0.0),
        index.cast(pl.Float64).fill_null(0.0),
    ).pipe(_shown_vocabularies)
    chart: alt.Chart = (
        alt.Chart(points, title=_("Effort against value"))
        .mark_point(filled=True, opacity=0.75, size=70)
        .encode(
            **symlog_axes(
                ("margin", _("Gross margin, 12 months"), 10_000),
                ("effort_hours", _("Effort hours, 12 months"), 10),
            ),
            color=_segment_colour(),
            shape=_relationship_shape(),
            tooltip=[
                *account_tooltips(),
                *amount_tooltips(
                    {
                        "effort_hours": _("Hours"),
                        "margin": _("Margin"),
                        "contribution": _("Contribution"),
                    }
                ),
                alt.Tooltip("effort_index:Q", title=_("Effort index"), format=".1f"),
            ],
        )
    )
    return _with_font(chart)


def effort_trend_chart(trend: pl.DataFrame, by: str) -> alt.Chart:
    """Return effort hours over time, one line per ``by`` group (type or segment).

    Args:
        trend: rows of :func:`workbench.effort.effort_trend`.
        by: ``relationship`` or ``value_segment``.
    """
    data = trend.with_columns(pl.col("effort_hours").cast(pl.Float64)).pipe(
        _shown_vocabularies
    )
    colour = _relationship_colour() if by == "relationship" else _segment_colour()
    chart: alt.Chart = (
        alt.Chart(data, title=_("Effort over time"))
        .mark_line(point=True)
        .encode(
            x=alt.X("period_start:T", title=None),
            y=alt.Y("effort_hours:Q", title=_("Effort hours")),
            color=colour,
            tooltip=[
                alt.Tooltip("period_start:T", title=_("From")),
                alt.Tooltip(
                    f"{by}:N",
                    title=_("Relationship")
                    if by == "relationship"
                    else _("Value segment"),
                ),
                alt.Tooltip("effort_hours:Q", title=_("Hours"), format=",.0f"),
                alt.Tooltip("activities:Q", title=_("Activities"), format=","),
            ],
        )
    )
    return _with_font(chart)


# --- buying-centre legend ------------------------------------------------------------


def legend_chart() -> alt.HConcatChart:
    """Return the map's legend as a small chart drawn with the map's own colours."""
    items = network.legend_items()
    columns = []
    widths = {"Shape = buying role": 130, "Fill = attitude": 180}
    for title in items["column"].unique(maintain_order=True).to_list():
        part = items.filter(pl.col("column") == title)
        base = alt.Chart(part, title=alt.Title(title, fontSize=12, anchor="start"))
        y = alt.Y("row:O", axis=None)
        symbols = base.mark_point(filled=True, size=160, opacity=1).encode(
            x=alt.value(8),
            y=y,
            shape=alt.Shape("shape:N", scale=None),
            fill=alt.Fill("fill:N", scale=None),
            stroke=alt.Stroke("stroke:N", scale=None),
            strokeWidth=alt.StrokeWidth("stroke_width:Q", scale=None),
        )
        labels = base.mark_text(align="left", dx=0, fontSize=12).encode(
            x=alt.value(24), y=y, text="label:N"
        )
        columns.append(
            alt.layer(symbols, labels).properties(
                width=widths.get(title, 170), height=22 * part.height
            )
        )
    legend: alt.HConcatChart = alt.hconcat(*columns).configure_view(stroke=None)
    return _with_font(legend)


# --- plans overview -------------------------------------------------------------------


def overview_chart(overview: PlansOverview) -> alt.Chart:
    """Return a bar per segment: accounts with a current, a stale or no plan."""
    states = ["current_plans", "stale_plans", "no_plan"]
    counts = (
        overview.summary.select("segment", *states)
        .unpivot(
            index="segment",
            on=states,
            variable_name="plan_state",
            value_name="accounts",
        )
        .with_columns(
            _vocabulary("plan_state", PLAN_STATES),
            pl.col("accounts").cast(pl.Int64),
        )
    )
    chart: alt.Chart = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("accounts:Q", title=_("Accounts")),
            y=alt.Y(
                "segment:N", title=_("Segment"), sort=list(overview.summary["segment"])
            ),
            color=alt.Color(
                "plan_state:N",
                title=_("Plan"),
                scale=alt.Scale(
                    domain=[_(state) for state in PLAN_STATES.values()],
                    range=["#2f9e44", "#f08c00", "#c92a2a"],
                ),
            ),
            tooltip=[
                alt.Tooltip("segment:N", title=_("Segment")),
                alt.Tooltip("plan_state:N", title=_("Plan")),
                alt.Tooltip("accounts:Q", title=_("Accounts")),
            ],
        )
    )
    return _with_font(chart)
