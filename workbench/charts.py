"""Every altair chart builder: frames in, ``alt.Chart`` out; no Streamlit here.

One section per screen: overview, segments, effort, voice of the customer, the
buying-centre legend and the plans overview. The analytics compute the frames;
the charts only draw them.

Titles, axes, legends and tooltips read in the language in force when the chart is
built (charts are built on every run, never cached); vocabulary values (segments,
relationship types, roles) are shown through :mod:`workbench.terms`, and every chart
names a font stack that draws Chinese as well as Latin text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeVar

import altair as alt
import polars as pl

from workbench import terms
from workbench.analytics import network
from workbench.i18n import N_, font_stack
from workbench.i18n import gettext as _

if TYPE_CHECKING:
    from workbench.plans import PlansOverview


ChartT = TypeVar("ChartT", bound=alt.TopLevelMixin)


def _with_font(chart: ChartT) -> ChartT:
    """Return ``chart`` configured to draw its text with :func:`font_stack`."""
    configured: ChartT = chart.configure(font=font_stack())
    return configured


def _vocabulary(column: str, vocabulary: Mapping[str, str]) -> pl.Expr:
    """Return ``column`` with its codes replaced by their labels in the language."""
    return pl.col(column).replace(
        {code: _(label) for code, label in vocabulary.items()}
    )


def industry_bars(industries: pl.DataFrame) -> alt.Chart:
    """Return a bar chart of won revenue per industry with the account count in tooltips.

    Args:
        industries: rows of ``industry``, ``accounts``, ``won_revenue``.
    """
    chart: alt.Chart = (
        alt.Chart(industries, title=_("Won revenue by industry (all time)"))
        .mark_bar()
        .encode(
            x=alt.X("won_revenue:Q", title=_("Won revenue")),
            y=alt.Y("industry:N", sort="-x", title=None),
            tooltip=[
                alt.Tooltip("industry:N", title=_("Industry")),
                alt.Tooltip("accounts:Q", title=_("Accounts")),
                alt.Tooltip("won_revenue:Q", title=_("Won revenue"), format=",.0f"),
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
ROLE_LABELS = {**terms.BUYING_ROLES, "all": N_("all roles")}
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
    size_column = "revenue" if "revenue" in segments.columns else "won_12m"
    points = (
        segments.filter(pl.col("value_segment") != "no_data")
        .select(
            "account_id",
            "name",
            "value_segment",
            "relationship",
            "relationship_score",
            pl.col("contribution", "headroom", "potential", "effort_hours")
            .cast(pl.Float64)
            .fill_null(0.0),
            pl.col(size_column).cast(pl.Float64).fill_null(0.0).alias("won_12m"),
        )
        .pipe(_shown_vocabularies)
    )
    scatter = (
        alt.Chart(points)
        .mark_point(filled=True, opacity=0.75)
        .encode(
            x=alt.X(
                "contribution:Q",
                title=_("Contribution, 12 months (margin − cost-to-serve)"),
                scale=alt.Scale(type="symlog", constant=10_000),
            ),
            y=alt.Y(
                "headroom:Q",
                title=_("Headroom (potential − revenue)"),
                scale=alt.Scale(type="symlog", constant=10_000),
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
                alt.Tooltip("name:N", title=_("Account")),
                alt.Tooltip("account_id:N", title=_("ID")),
                alt.Tooltip("value_segment:N", title=_("Segment")),
                alt.Tooltip("relationship:N", title=_("Relationship")),
                alt.Tooltip("relationship_score:Q", title=_("Score"), format=".0f"),
                alt.Tooltip("won_12m:Q", title=_("Revenue a year"), format=",.0f"),
                alt.Tooltip("contribution:Q", title=_("Contribution"), format=",.0f"),
                alt.Tooltip("potential:Q", title=_("Potential"), format=",.0f"),
                alt.Tooltip("headroom:Q", title=_("Headroom"), format=",.0f"),
                alt.Tooltip("effort_hours:Q", title=_("Effort hours"), format=",.0f"),
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
    ).pipe(_shown_vocabularies)
    chart: alt.Chart = (
        alt.Chart(points, title=_("Effort against value"))
        .mark_point(filled=True, opacity=0.75, size=70)
        .encode(
            x=alt.X(
                "margin:Q",
                title=_("Gross margin, 12 months"),
                scale=alt.Scale(type="symlog", constant=10_000),
            ),
            y=alt.Y(
                "effort_hours:Q",
                title=_("Effort hours, 12 months"),
                scale=alt.Scale(type="symlog", constant=10),
            ),
            color=_segment_colour(),
            shape=_relationship_shape(),
            tooltip=[
                alt.Tooltip("name:N", title=_("Account")),
                alt.Tooltip("value_segment:N", title=_("Segment")),
                alt.Tooltip("relationship:N", title=_("Relationship")),
                alt.Tooltip("effort_hours:Q", title=_("Hours"), format=",.0f"),
                alt.Tooltip("margin:Q", title=_("Margin"), format=",.0f"),
                alt.Tooltip("contribution:Q", title=_("Contribution"), format=",.0f"),
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


# --- voice of the customer -----------------------------------------------------------

_NPS_SCALE = alt.Scale(domain=[-100, 100])
_NPS_COLOUR = alt.condition(
    "datum.nps >= 0", alt.value("#2e7d32"), alt.value("#c62828")
)


def role_bars(by_role: pl.DataFrame) -> alt.Chart:
    """Return horizontal bars of NPS per role (rows of :func:`workbench.analytics.voice.nps_by_role`)."""
    data = by_role.filter(pl.col("nps").is_not_null()).with_columns(
        pl.col("nps").cast(pl.Float64), _vocabulary("role", ROLE_LABELS)
    )
    chart: alt.Chart = (
        alt.Chart(data, title=_("NPS by buying role"))
        .mark_bar()
        .properties(height=alt.Step(28))
        .encode(
            x=alt.X("nps:Q", title=_("NPS"), scale=_NPS_SCALE),
            y=alt.Y("role:N", sort=list(data["role"]), title=None),
            color=_NPS_COLOUR,
            tooltip=[
                alt.Tooltip("role:N", title=_("Role")),
                alt.Tooltip("nps:Q", title=_("NPS"), format=".0f"),
                alt.Tooltip("responses:Q", title=_("Answers")),
                alt.Tooltip("promoters:Q", title=_("Promoters")),
                alt.Tooltip("detractors:Q", title=_("Detractors")),
            ],
        )
    )
    return _with_font(chart)


def role_intervals(per_role: pl.DataFrame) -> alt.FacetChart:
    """Return NPS per role with its 95 % interval, one panel per account.

    Args:
        per_role: rows of ``account_name``, ``role``, ``nps``, ``nps_low``,
            ``nps_high``, ``responses``, ``too_few`` (as from
            :func:`workbench.analytics.voice.nps_by_account_role`). Roles with too
            few answers are drawn grey and labelled so: they never make a conflict.
    """
    enough, too_few = _("enough answers"), _("too few answers")
    data = per_role.filter(pl.col("nps").is_not_null()).with_columns(
        pl.col("nps", "nps_low", "nps_high").cast(pl.Float64),
        pl.when(pl.col("too_few"))
        .then(pl.lit(too_few))
        .otherwise(pl.lit(enough))
        .alias("basis"),
        _vocabulary("role", ROLE_LABELS),
    )
    basis_colour = alt.Color(
        "basis:N",
        title=None,
        scale=alt.Scale(domain=[enough, too_few], range=["#1f77b4", "#bbbbbb"]),
    )
    tooltip = [
        alt.Tooltip("account_name:N", title=_("Account")),
        alt.Tooltip("role:N", title=_("Role")),
        alt.Tooltip("nps:Q", format="+.0f", title=_("NPS")),
        alt.Tooltip(
            "nps_low:Q", format="+.0f", title=_("95{percent} low").format(percent="%")
        ),
        alt.Tooltip(
            "nps_high:Q", format="+.0f", title=_("95{percent} high").format(percent="%")
        ),
        alt.Tooltip("responses:Q", title=_("Answers")),
        alt.Tooltip("basis:N", title=_("Basis")),
    ]
    base = alt.Chart(data).encode(
        y=alt.Y("role:N", title=None), color=basis_colour, tooltip=tooltip
    )
    whiskers = base.mark_rule(strokeWidth=2).encode(
        x=alt.X(
            "nps_low:Q",
            title=_("NPS with 95{percent} interval").format(percent="%"),
            scale=_NPS_SCALE,
        ),
        x2="nps_high:Q",
    )
    points = base.mark_point(filled=True, size=70).encode(
        x=alt.X("nps:Q", scale=_NPS_SCALE)
    )
    chart: alt.FacetChart = (
        alt.layer(whiskers, points)
        .properties(width=420, height=alt.Step(22))
        .facet(row=alt.Row("account_name:N", title=None))
    )
    return _with_font(chart)


def trend_lines(trend: pl.DataFrame) -> alt.Chart:
    """Return NPS per quarter, one line per ``role`` (rows of :func:`workbench.analytics.voice.quarterly_trend`)."""
    data = trend.filter(pl.col("nps").is_not_null()).with_columns(
        pl.col("nps").cast(pl.Float64), _vocabulary("role", ROLE_LABELS)
    )
    chart: alt.Chart = (
        alt.Chart(data, title=_("NPS per quarter"))
        .mark_line(point=True)
        .encode(
            x=alt.X("quarter:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("nps:Q", title=_("NPS"), scale=_NPS_SCALE),
            color=alt.Color("role:N", title=_("Role")),
            tooltip=[
                alt.Tooltip("quarter:O", title=_("Quarter")),
                alt.Tooltip("role:N", title=_("Role")),
                alt.Tooltip("nps:Q", title=_("NPS"), format=".0f"),
                alt.Tooltip("responses:Q", title=_("Answers")),
            ],
        )
    )
    return _with_font(chart)


def driver_bars(drivers: pl.DataFrame, title: str = "") -> alt.Chart:
    """Return NPS per bucket in the buckets' order (rows of :func:`workbench.analytics.voice.nps_by_bucket`)."""
    data = drivers.filter(pl.col("nps").is_not_null()).with_columns(
        pl.col("nps").cast(pl.Float64)
    )
    chart: alt.Chart = (
        (alt.Chart(data, title=title) if title else alt.Chart(data))
        .mark_bar()
        .encode(
            x=alt.X(
                "bucket:N",
                sort=list(data["bucket"]),
                title=None,
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("nps:Q", title=_("NPS"), scale=_NPS_SCALE),
            color=_NPS_COLOUR,
            tooltip=[
                alt.Tooltip("bucket:N", title=_("Bucket")),
                alt.Tooltip("nps:Q", title=_("NPS"), format=".0f"),
                alt.Tooltip("accounts:Q", title=_("Accounts")),
                alt.Tooltip("responses:Q", title=_("Answers")),
            ],
        )
    )
    return _with_font(chart)


# --- buying-centre legend ------------------------------------------------------------


def legend_chart() -> alt.HConcatChart:
    """Return the map's legend as a small chart drawn with the map's own colours."""
    items = network.legend_items()
    columns = []
    widths = {"Colour = buying role": 130, "Shape and border = attitude": 180}
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
