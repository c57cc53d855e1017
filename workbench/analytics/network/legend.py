"""The map's legend: one block per visual channel, and the names it shows.

The same legend is drawn on the map (HTML inside the map's page, see
:mod:`overlay`) and, as a frame, for a chart outside it (a report or notebook).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from workbench.analytics.network import overlay
from workbench.analytics.network.people import UNKNOWN
from workbench.analytics.network.style import (
    ATTITUDE_MARKS,
    COVERED_RING,
    DETRACTOR_COLOUR,
    INFLUENCE_COLOUR,
    NPS_BADGE_COLOURS,
    PATH_COLOUR,
    REPORTING_COLOUR,
    ROLE_SHAPES,
    ROLE_SYMBOLS,
    SELLER_COLOUR,
    UNCOVERED_RING,
)
from workbench.domain import ATTITUDES, BUYING_ROLES
from workbench.i18n import N_
from workbench.i18n import gettext as _

_LINES: tuple[tuple[str, str, str], ...] = (
    ("solid", REPORTING_COLOUR, N_("reports to (arrow to the report)")),
    ("dashed", INFLUENCE_COLOUR, N_("influences")),
    ("solid", SELLER_COLOUR, N_("our touches (thicker: more)")),
    ("solid", PATH_COLOUR, N_("warm path")),
)


def legend_blocks() -> list[overlay.LegendBlock]:
    """Return the legend drawn on the map: one block per visual channel."""
    roles = overlay.LegendBlock(
        _("Shape = buying role"),
        [
            (overlay.symbol(ROLE_SYMBOLS[role]), role_name(role))
            for role in [*BUYING_ROLES, UNKNOWN]
        ],
    )
    attitudes = overlay.LegendBlock(
        _("Fill = attitude"),
        [
            (
                overlay.swatch(fill=ATTITUDE_MARKS[a].fill, ring="#777777"),
                attitude_name(a),
            )
            for a in [*ATTITUDES, UNKNOWN]
        ],
    )
    ring = overlay.LegendBlock(
        _("Ring = our coverage"),
        [
            (
                overlay.swatch(ring=COVERED_RING, ring_px=3),
                _("touched by us in the window"),
            ),
            (
                '<span class="wb-sw" style="border:2px dashed '
                + UNCOVERED_RING
                + '"></span>',
                _("not touched: a gap"),
            ),
        ],
    )
    badge = overlay.LegendBlock(
        _("Badge = latest NPS"),
        [
            (overlay.swatch(fill=NPS_BADGE_COLOURS["detractor"]), _("0–6 detractor")),
            (overlay.swatch(fill=NPS_BADGE_COLOURS["passive"]), _("7–8 passive")),
            (overlay.swatch(fill=NPS_BADGE_COLOURS["promoter"]), _("9–10 promoter")),
        ],
    )
    size = overlay.LegendBlock(
        _("Size = influence"),
        [(overlay.symbol("●", "#999999"), _("bigger: more influence (1–5)"))],
    )
    lines = overlay.LegendBlock(
        _("Lines"),
        [
            (
                '<span class="wb-line" style="border-top:3px '
                + style
                + " "
                + colour
                + '"></span>',
                _(label),
            )
            for style, colour, label in _LINES
        ]
        + [(overlay.swatch(fill=SELLER_COLOUR), _("our seller (dark blue dot)"))],
    )
    return [roles, attitudes, ring, badge, size, lines]


def role_name(role: str) -> str:
    """Return a buying role as a person reads it, in the language in force."""
    names = {
        "initiator": _("initiator"),
        "user": _("user"),
        "influencer": _("influencer"),
        "buyer": _("buyer"),
        "decider": _("decider"),
        "gatekeeper": _("gatekeeper"),
        "approver": _("approver"),
        UNKNOWN: _("role unknown"),
    }
    return names.get(role, role)


def attitude_name(attitude: str) -> str:
    """Return an attitude as a person reads it, in the language in force."""
    names = {
        "champion": _("champion"),
        "supporter": _("supporter"),
        "neutral": _("neutral"),
        "skeptic": _("skeptic"),
        "blocker": _("blocker"),
        UNKNOWN: _("attitude unknown"),
    }
    return names.get(attitude, attitude)


def legend_items() -> pl.DataFrame:
    """Return the map's legend as a frame, for a chart outside the map (e.g. a report).

    Columns: ``column`` (the channel), ``row``, ``label``, and how to draw the
    symbol: ``shape`` (a Vega shape), ``fill``, ``stroke``, ``stroke_width``.
    """
    vega_shapes = {
        "star": "M0,-1L0.2245,-0.309L0.951,-0.309L0.363,0.118L0.588,0.809L0,0.382"
        "L-0.588,0.809L-0.363,0.118L-0.951,-0.309L-0.2245,-0.309Z",
        "hexagon": "M0,-1L0.866,-0.5L0.866,0.5L0,1L-0.866,0.5L-0.866,-0.5Z",
        "square": "square",
        "diamond": "diamond",
        "triangle": "triangle-up",
        "triangleDown": "triangle-down",
        "dot": "circle",
    }
    rows: list[dict[str, Any]] = []
    for row, role in enumerate([*BUYING_ROLES, UNKNOWN]):
        rows.append(
            {
                "column": "Shape = buying role",
                "row": row,
                "label": role,
                "shape": vega_shapes[ROLE_SHAPES[role]],
                "fill": "#bbbbbb",
                "stroke": "#555555",
                "stroke_width": 0.5,
            }
        )
    for row, attitude in enumerate([*ATTITUDES, UNKNOWN]):
        rows.append(
            {
                "column": "Fill = attitude",
                "row": row,
                "label": f"{attitude} ({ATTITUDE_MARKS[attitude].colour_name})",
                "shape": "circle",
                "fill": ATTITUDE_MARKS[attitude].fill,
                "stroke": "#777777",
                "stroke_width": 1.0,
            }
        )
    marks = [
        ("covered by us: thick ring", "circle", "#ffffff", COVERED_RING, 4.0),
        ("not covered: thin dashed ring", "circle", "#ffffff", UNCOVERED_RING, 1.0),
        ("NPS detractor badge", "circle", DETRACTOR_COLOUR, DETRACTOR_COLOUR, 1.0),
        ("our seller", "square", SELLER_COLOUR, SELLER_COLOUR, 1.0),
        ("reports to (arrow)", "stroke", "none", REPORTING_COLOUR, 2.0),
        ("influences (dashed)", "stroke", "none", INFLUENCE_COLOUR, 2.0),
        ("warm path", "stroke", "none", PATH_COLOUR, 6.0),
    ]
    for row, (label, shape, fill, stroke, width) in enumerate(marks):
        rows.append(
            {
                "column": "Ring, badge and lines",
                "row": row,
                "label": label,
                "shape": shape,
                "fill": fill,
                "stroke": stroke,
                "stroke_width": width,
            }
        )
    return pl.DataFrame(rows)


def legend_markdown() -> str:
    """Return what a legend outside the map adds: size and the hover details."""
    return _(
        "**Size = influence** (1–5; smallest when unknown). The badge on a person is "
        "their latest NPS answer (red: detractor). Hover a person for department, "
        "role, influence, attitude, last touch and latest NPS."
    )
