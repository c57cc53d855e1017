"""The voice of the customer's charts: NPS by role, with intervals, over time, drivers."""

from __future__ import annotations

import altair as alt
import polars as pl

from workbench.charts._base import ROLE_LABELS, _vocabulary, _with_font
from workbench.i18n import gettext as _

_NPS_SCALE = alt.Scale(domain=[-100, 100])
_NPS_COLOUR = alt.condition(
    "datum.nps >= 0", alt.value("#2e7d32"), alt.value("#c62828")
)


def _nps_bars(
    data: pl.DataFrame,
    category: str,
    tooltips: dict[str, str],
    *,
    horizontal: bool,
) -> alt.Chart:
    """Return bars of NPS per ``category`` in the frame's order.

    ``tooltips`` heads the category and then the counts shown beside the NPS, by
    column; ``horizontal`` bars suit long labels (roles), upright ones buckets.
    """
    sort = list(data[category])
    if horizontal:
        x = alt.X("nps:Q", title=_("NPS"), scale=_NPS_SCALE)
        y = alt.Y(f"{category}:N", sort=sort, title=None)
    else:
        x = alt.X(f"{category}:N", sort=sort, title=None, axis=alt.Axis(labelAngle=0))
        y = alt.Y("nps:Q", title=_("NPS"), scale=_NPS_SCALE)
    category_title, *counts = tooltips.items()
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=x,
            y=y,
            color=_NPS_COLOUR,
            tooltip=[
                alt.Tooltip(f"{category}:N", title=category_title[1]),
                alt.Tooltip("nps:Q", title=_("NPS"), format=".0f"),
                *(alt.Tooltip(f"{column}:Q", title=title) for column, title in counts),
            ],
        )
    )
    return chart


def role_bars(by_role: pl.DataFrame) -> alt.Chart:
    """Return horizontal bars of NPS per role (rows of :func:`workbench.analytics.voice.nps_by_role`)."""
    data = by_role.filter(pl.col("nps").is_not_null()).with_columns(
        pl.col("nps").cast(pl.Float64), _vocabulary("role", ROLE_LABELS)
    )
    tooltips = {
        "role": _("Role"),
        "responses": _("Answers"),
        "promoters": _("Promoters"),
        "detractors": _("Detractors"),
    }
    chart = _nps_bars(data, "role", tooltips, horizontal=True).properties(
        title=_("NPS by buying role"), height=alt.Step(28)
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
    tooltips = {
        "bucket": _("Bucket"),
        "accounts": _("Accounts"),
        "responses": _("Answers"),
    }
    chart = _nps_bars(data, "bucket", tooltips, horizontal=False)
    return _with_font(chart.properties(title=title) if title else chart)
