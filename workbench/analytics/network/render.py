"""The buying-centre map as a safe, offline pyvis page, and its legend.

Pure functions over :class:`workbench.domain.BuyingCentreData` (frames in; frames,
dataclasses, networkx graphs, a pyvis ``Network`` or an HTML string out). Nothing
here opens the database or knows about Streamlit.

Safety of the HTML (the map is shown in an iframe that can reach the app): node IDs
are our own integers, never IDs from a CRM file; every text from the data has ``<``
and ``>`` replaced and ``href`` broken up (pyvis switches to an ``innerHTML`` popup
when any title contains ``href``); the vis-network script is inlined and pyvis'
Bootstrap tags (fetched from a CDN) are removed, so the page works offline.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl
from pyvis.network import Network

from workbench.analytics.network.metrics import warm_paths
from workbench.analytics.network.people import (
    LARGE_MAP_NODES,
    MAX_SELLER_EDGES,
    UNKNOWN,
    Layout,
    filter_people,
    people,
    safe_text,
)
from workbench.analytics.network.style import (
    _ATTITUDE_BORDER_NAMES,
    ATTITUDE_MARKS,
    DETRACTOR_COLOUR,
    INFLUENCE_COLOUR,
    PATH_COLOUR,
    REPORTING_COLOUR,
    ROLE_COLOURS,
    SELLER_COLOUR,
)
from workbench.domain import ATTITUDES, BUYING_ROLES

if TYPE_CHECKING:
    from workbench.domain import BuyingCentreData


_BOOTSTRAP_TAG = re.compile(
    r"<link[^>]*bootstrap[^>]*/?>|<script[^>]*bootstrap[^>]*>\s*</script>", re.DOTALL
)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>")
_NETWORK_CREATED = "network = new vis.Network(container, data, options);"
_FREEZE_SCRIPT = (
    _NETWORK_CREATED
    + '\n                  network.once("stabilizationIterationsDone", function () {'
    + " network.setOptions({ physics: false }); });"
)


# --- the map --------------------------------------------------------------------------


@dataclass(frozen=True)
class MapOptions:
    """What the map shows and how it moves."""

    departments: tuple[str, ...] = ()  # empty: every department
    roles: tuple[str, ...] = ()  # empty: every role ("unknown" for none)
    layout: Layout = "force"
    freeze: bool = True  # physics off once the layout has settled
    highlight_contact_id: str | None = None  # show the warm path to this person
    show_sellers: bool = True
    height_px: int = 640
    max_seller_edges: int = MAX_SELLER_EDGES


def _tooltip(person: dict[str, Any], end: date) -> str:
    # Plain text with newlines: vis-network shows a string title as text.
    lines = [
        f"{safe_text(person['name'])} — {safe_text(person['title']) or 'no title'}",
        f"Department: {safe_text(person['department']) or 'unknown'}",
        f"Role: {safe_text(person['role'])}",
        f"Influence: {person['influence'] or '?'} of 5",
        f"Attitude: {safe_text(person['attitude_mark'])}",
        f"Org level: {person['level'] or '?'}",
    ]
    if person["last_touch"] is None:
        lines.append("Last touch: never")
    else:
        lines.append(
            f"Last touch: {person['last_touch']} ({person['days_since_touch']} days before {end})"
        )
    lines.append(
        f"Touches in window: {person['touches']} by {person['sellers']} of our people"
    )
    if person["nps_score"] is None:
        lines.append("Latest NPS: none")
    else:
        verdict = (
            "detractor"
            if person["detractor"]
            else "promoter"
            if person["nps_score"] >= 9
            else "passive"
        )
        lines.append(
            f"Latest NPS: {person['nps_score']} ({verdict}, {person['nps_date']})"
        )
    return "\n".join(lines)


def _label(person: dict[str, Any]) -> str:
    label = safe_text(person["name"], max_chars=40) or "(no name)"
    if person["title"]:
        label += "\n" + safe_text(person["title"], max_chars=40)
    if person["detractor"]:
        label += f"\nNPS {person['nps_score']} · detractor"
    return label


def _person_node(
    person: dict[str, Any], end: date, max_level: int, path: list[str]
) -> dict[str, Any]:
    # One person's node: colour by role, shape and border by attitude, glow if a
    # detractor, faded when a warm path is highlighted and they are not on it.
    mark = ATTITUDE_MARKS.get(person["attitude_mark"], ATTITUDE_MARKS[UNKNOWN])
    highlighted = person["contact_id"] in path
    node: dict[str, Any] = {
        "label": _label(person),
        "title": _tooltip(person, end),
        "shape": mark.shape,
        "size": 10 + 5 * (person["influence"] or 0),
        "borderWidth": 5 if highlighted else mark.border_width,
        "color": {
            "background": ROLE_COLOURS.get(person["role"], ROLE_COLOURS[UNKNOWN]),
            "border": PATH_COLOUR if highlighted else mark.border,
            "highlight": {
                "background": ROLE_COLOURS.get(person["role"], ROLE_COLOURS[UNKNOWN]),
                "border": "#000000",
            },
        },
        "level": person["level"] or max_level + 1,
    }
    if mark.dashed:
        node["shapeProperties"] = {"borderDashes": [3, 3]}
    if person["detractor"]:
        node["shadow"] = {"enabled": True, "color": DETRACTOR_COLOUR, "size": 16}
        node["font"] = {"color": DETRACTOR_COLOUR}
    if path and not highlighted:
        node["opacity"] = 0.35
    return node


def _add_people_lines(
    net: Network,
    shown: pl.DataFrame,
    influences: pl.DataFrame,
    node_of: dict[str, int],
) -> None:
    # Reporting lines (manager → report) and influence links between shown people.
    reporting = shown.filter(
        pl.col("reports_to_id").is_in(shown["contact_id"].implode())
    )
    for report, manager in zip(
        reporting["contact_id"].to_list(),
        reporting["reports_to_id"].to_list(),
        strict=True,
    ):
        net.add_edge(
            node_of[manager],
            node_of[report],
            color=REPORTING_COLOUR,
            width=1,
            title="reports to",
        )
    links = influences.filter(
        pl.col("from_contact_id").is_in(shown["contact_id"].implode())
        & pl.col("to_contact_id").is_in(shown["contact_id"].implode())
    )
    for source, target, strength in links.select(
        "from_contact_id", "to_contact_id", "strength"
    ).iter_rows():
        net.add_edge(
            node_of[source],
            node_of[target],
            color=INFLUENCE_COLOUR,
            dashes=True,
            width=1 + (strength or 1),
            title=f"influences (strength {strength or '?'} of 3)",
        )


def build_buying_centre(
    data: BuyingCentreData, options: MapOptions | None = None
) -> Network:
    """Return the account's buying-centre map as a pyvis ``Network`` (e.g. for a notebook).

    Nodes are people (colour: buying role; size: influence; shape and border:
    attitude; red glow and an extra label line: NPS detractor) and our sellers
    (dark boxes) who touched them in the window. Edges: reporting lines (manager →
    report), influence links (dashed), seller touches (width by touches) and, when
    ``options.highlight_contact_id`` is set, the warm path to that person (orange).
    """
    options = options or MapOptions()
    persons = people(data)
    path: list[str] = []
    if options.highlight_contact_id is not None:
        path = warm_paths(persons, data.influences).get(
            options.highlight_contact_id, [options.highlight_contact_id]
        )
    shown = filter_people(persons, departments=options.departments, roles=options.roles)
    # People on the highlighted path stay on the map whatever the filters say.
    shown = pl.concat(
        [
            shown,
            persons.filter(
                pl.col("contact_id").is_in(path)
                & ~pl.col("contact_id").is_in(shown["contact_id"].implode())
            ),
        ]
    ).sort("contact_id")
    large = shown.height >= LARGE_MAP_NODES
    node_of: dict[str, int] = {
        contact_id: number
        for number, contact_id in enumerate(shown["contact_id"].to_list(), start=1)
    }
    max_level = int(shown["level"].max() or 0) if shown.height else 0  # type: ignore[arg-type]

    net = Network(
        height=f"{options.height_px}px",
        width="100%",
        directed=True,
        cdn_resources="in_line",
    )
    for person in shown.iter_rows(named=True):
        node = _person_node(person, data.end, max_level, path)
        _add_node(net, node_of[person["contact_id"]], "contact", node)

    _add_people_lines(net, shown, data.influences, node_of)
    if options.show_sellers:
        _add_sellers(net, data.touches, node_of, options.max_seller_edges)
    for a, b in itertools.pairwise(path):
        if a in node_of and b in node_of:
            net.add_edge(
                node_of[a],
                node_of[b],
                color=PATH_COLOUR,
                width=6,
                arrows={"to": {"enabled": False}},
                title="warm path",
                physics=False,
            )
    net.options = _vis_options(options, large=large)
    return net


def _add_node(
    net: Network, number: int, group: str, attributes: dict[str, Any]
) -> None:
    # pyvis drops a node's colour when "group" is passed to add_node, so the group
    # is set afterwards (node colours override the group's style in vis-network).
    net.add_node(number, **attributes)
    net.node_map[number]["group"] = group


def _add_sellers(
    net: Network, touches: pl.DataFrame, node_of: dict[str, int], max_edges: int
) -> None:
    shown_touches = (
        touches.filter(pl.col("contact_id").is_in(list(node_of)))
        .sort(["touches", "seller_id", "contact_id"], descending=[True, False, False])
        .head(max_edges)
    )
    if shown_touches.height == 0:
        return
    most = int(shown_touches["touches"].max())  # type: ignore[arg-type]
    sellers = (
        shown_touches.group_by("seller_id")
        .agg(
            pl.col("seller_name").first(),
            pl.col("seller_team").first(),
            pl.col("touches").sum(),
            pl.col("contact_id").n_unique().alias("people"),
        )
        .sort("seller_id")
    )
    seller_node: dict[str, int] = {}
    next_number = len(node_of) + 1
    for seller in sellers.iter_rows(named=True):
        seller_node[seller["seller_id"]] = next_number
        _add_node(
            net,
            next_number,
            "seller",
            {
                "label": safe_text(
                    seller["seller_name"] or seller["seller_id"], max_chars=40
                ),
                "title": "\n".join(
                    [
                        f"Our {safe_text(seller['seller_team']) or 'seller'}: "
                        + safe_text(seller["seller_name"] or seller["seller_id"]),
                        f"{seller['touches']} touches with {seller['people']} people "
                        "in the window",
                    ]
                ),
                "shape": "box",
                "color": {"background": SELLER_COLOUR, "border": SELLER_COLOUR},
                "font": {"color": "#ffffff"},
                "level": 0,
            },
        )
        next_number += 1
    for seller_id, contact_id, count, minutes in shown_touches.select(
        "seller_id", "contact_id", "touches", "minutes"
    ).iter_rows():
        net.add_edge(
            seller_node[seller_id],
            node_of[contact_id],
            color={"color": SELLER_COLOUR, "opacity": 0.3},
            width=round(1 + 7 * math.sqrt(count / most), 2),
            arrows={"to": {"enabled": False}},
            title=f"{count} touches, {minutes:,.0f} minutes in the window",
        )


def _vis_options(options: MapOptions, *, large: bool) -> dict[str, Any]:
    # Fast settling: few stabilisation rounds, a high minimum velocity, no curved
    # edges and no "improved layout" (which is quadratic) on large maps.
    hierarchical = options.layout == "hierarchy"
    physics: dict[str, Any] = {
        "enabled": True,
        "minVelocity": 2.0 if large else 0.75,
        "stabilization": {
            "enabled": True,
            "iterations": 120 if large else 250,
            "updateInterval": 25,
            "fit": True,
        },
    }
    if hierarchical:
        physics["solver"] = "hierarchicalRepulsion"
        physics["hierarchicalRepulsion"] = {"nodeDistance": 140, "avoidOverlap": 0.5}
    else:
        physics["solver"] = "forceAtlas2Based"
        physics["forceAtlas2Based"] = {
            "gravitationalConstant": -60,
            "springLength": 110,
            "avoidOverlap": 0.3,
        }
    return {
        "nodes": {"font": {"size": 13, "face": "sans-serif"}},
        "edges": {
            "smooth": False if large else {"enabled": True, "type": "continuous"},
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": large,
            "navigationButtons": False,
        },
        "layout": {
            "randomSeed": 7,
            "improvedLayout": not large,
            "hierarchical": {
                "enabled": hierarchical,
                "direction": "UD",
                "sortMethod": "directed",
                "levelSeparation": 130,
                "nodeSpacing": 130,
            },
        },
        "physics": physics,
    }


def network_html(net: Network, *, freeze: bool = True) -> str:
    """Return a pyvis network's page, self-contained and without CDN tags.

    With ``freeze`` the physics stops once the layout has stabilised, so the map
    stays where it settled and people can drag nodes around.
    """
    page = net.generate_html()
    page = _BOOTSTRAP_TAG.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    if freeze and _NETWORK_CREATED in page:
        page = page.replace(_NETWORK_CREATED, _FREEZE_SCRIPT, 1)
    return page


def buying_centre_html(
    data: BuyingCentreData, options: MapOptions | None = None
) -> str:
    """Return the account's buying-centre map as one safe, offline HTML page."""
    options = options or MapOptions()
    return network_html(build_buying_centre(data, options), freeze=options.freeze)


# --- legend ---------------------------------------------------------------------------


_STAR_PATH = (
    "M0,-1L0.2245,-0.309L0.951,-0.309L0.363,0.118L0.588,0.809L0,0.382L-0.588,0.809"
    "L-0.363,0.118L-0.951,-0.309L-0.2245,-0.309Z"
)
# vis-network shape → Vega shape for the legend
_LEGEND_SHAPES = {
    "star": _STAR_PATH,
    "dot": "circle",
    "diamond": "diamond",
    "triangleDown": "triangle-down",
}


def legend_items() -> pl.DataFrame:
    """Return the map's legend, one row per symbol, in three columns of the legend.

    Columns: ``column`` (``Colour = buying role``, ``Shape and border = attitude``,
    ``Marks and lines``), ``row``, ``label``, and how to draw the symbol:
    ``shape`` (a Vega shape or SVG path), ``fill``, ``stroke``, ``stroke_width``.
    """
    rows: list[dict[str, Any]] = []
    for row, role in enumerate([*BUYING_ROLES, UNKNOWN]):
        rows.append(
            {
                "column": "Colour = buying role",
                "row": row,
                "label": role,
                "shape": "circle",
                "fill": ROLE_COLOURS[role],
                "stroke": "#555555",
                "stroke_width": 0.5,
            }
        )
    for row, attitude in enumerate([*ATTITUDES, UNKNOWN]):
        mark = ATTITUDE_MARKS[attitude]
        border = _ATTITUDE_BORDER_NAMES[mark.border]
        rows.append(
            {
                "column": "Shape and border = attitude",
                "row": row,
                "label": f"{attitude} ({border})",
                "shape": _LEGEND_SHAPES[mark.shape],
                "fill": "#ffffff",
                "stroke": mark.border,
                "stroke_width": float(mark.border_width),
            }
        )
    marks = [
        ("NPS detractor: red glow", "circle", "#ffd6d6", DETRACTOR_COLOUR, 3.0),
        ("our seller", "square", SELLER_COLOUR, SELLER_COLOUR, 1.0),
        ("reports to (arrow)", "stroke", "none", REPORTING_COLOUR, 2.0),
        ("influences (dashed)", "stroke", "none", INFLUENCE_COLOUR, 2.0),
        ("our touches (width)", "stroke", "none", SELLER_COLOUR, 4.0),
        ("warm path", "stroke", "none", PATH_COLOUR, 6.0),
    ]
    for row, (label, shape, fill, stroke, width) in enumerate(marks):
        rows.append(
            {
                "column": "Marks and lines",
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
    """Return what the legend chart cannot show: size and the label line of detractors."""
    return (
        "**Size = influence** (1–5; smallest when unknown). A detractor's label "
        "gets a third line “NPS n · detractor”. Hover a person for department, role, "
        "influence, attitude, last touch and latest NPS."
    )
