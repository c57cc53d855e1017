"""The map's legend: one block per visual channel, and the names it shows.

The same legend is drawn on the map (HTML inside the map's page, see
:mod:`overlay`) and, as a frame, for a chart outside it (a report or notebook).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from workbench import terms
from workbench.analytics.network import style
from workbench.analytics.network.overlay import LegendBlock, LegendMark
from workbench.analytics.network.people import UNKNOWN
from workbench.domain import ATTITUDES, BUYING_ROLES
from workbench.i18n import N_
from workbench.i18n import gettext as _

_LINES: tuple[tuple[bool, str, str], ...] = (
    (False, style.REPORTING_COLOUR, N_("reports to (arrow to the report)")),
    (True, style.INFLUENCE_COLOUR, N_("influences")),
    (False, style.SELLER_COLOUR, N_("our touches (thicker: more)")),
    (False, style.PATH_COLOUR, N_("warm path")),
)


def legend_blocks() -> list[LegendBlock]:
    """Return the legend drawn on the map: one block per visual channel."""
    badge = style.NPS_BADGE_COLOURS
    return [
        LegendBlock(
            _("Shape = buying role"),
            [
                (
                    LegendMark("glyph", "#333333", glyph=style.ROLE_SYMBOLS[role]),
                    role_name(role),
                )
                for role in [*BUYING_ROLES, UNKNOWN]
            ],
        ),
        LegendBlock(
            _("Fill = attitude"),
            [
                (
                    LegendMark("dot", style.ATTITUDE_MARKS[a].fill, ring="#777777"),
                    attitude_name(a),
                )
                for a in [*ATTITUDES, UNKNOWN]
            ],
        ),
        LegendBlock(
            _("Ring = our coverage"),
            [
                (
                    LegendMark("dot", ring=style.COVERED_RING, ring_px=3),
                    _("touched by us in the window"),
                ),
                (
                    LegendMark(
                        "dot", ring=style.UNCOVERED_RING, ring_px=2, dashed=True
                    ),
                    _("not touched: a gap"),
                ),
            ],
        ),
        LegendBlock(
            _("Badge = latest NPS"),
            [
                (LegendMark("dot", badge["detractor"]), _("0–6 detractor")),
                (LegendMark("dot", badge["passive"]), _("7–8 passive")),
                (LegendMark("dot", badge["promoter"]), _("9–10 promoter")),
            ],
        ),
        LegendBlock(
            _("Size = influence"),
            [
                (
                    LegendMark("glyph", "#999999", glyph="●"),
                    _("bigger: more influence (1–5)"),
                ),
                (
                    LegendMark("glyph", "#cccccc", glyph="●"),
                    _("faded, “(has left)”: left the account"),
                ),
            ],
        ),
        LegendBlock(
            _("Lines"),
            [
                (LegendMark("line", colour, dashed=dashed), _(label))
                for dashed, colour, label in _LINES
            ]
            + [
                (
                    LegendMark("dot", style.SELLER_COLOUR),
                    _("our seller (dark blue dot)"),
                )
            ],
        ),
    ]


def role_name(role: str) -> str:
    """Return a buying role as a person reads it, in the language in force."""
    return _("role unknown") if role == UNKNOWN else terms.buying_role(role)


def attitude_name(attitude: str) -> str:
    """Return an attitude as a person reads it, in the language in force."""
    return _("attitude unknown") if attitude == UNKNOWN else terms.attitude(attitude)


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
                "shape": vega_shapes[style.ROLE_SHAPES[role]],
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
                "label": f"{attitude} ({style.ATTITUDE_MARKS[attitude].colour_name})",
                "shape": "circle",
                "fill": style.ATTITUDE_MARKS[attitude].fill,
                "stroke": "#777777",
                "stroke_width": 1.0,
            }
        )
    marks = [
        ("covered by us: thick ring", "circle", "#ffffff", style.COVERED_RING, 4.0),
        (
            "not covered: thin dashed ring",
            "circle",
            "#ffffff",
            style.UNCOVERED_RING,
            1.0,
        ),
        (
            "NPS detractor badge",
            "circle",
            style.DETRACTOR_COLOUR,
            style.DETRACTOR_COLOUR,
            1.0,
        ),
        ("our seller", "square", style.SELLER_COLOUR, style.SELLER_COLOUR, 1.0),
        ("reports to (arrow)", "stroke", "none", style.REPORTING_COLOUR, 2.0),
        ("influences (dashed)", "stroke", "none", style.INFLUENCE_COLOUR, 2.0),
        ("warm path", "stroke", "none", style.PATH_COLOUR, 6.0),
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
