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

from workbench.analytics.network import overlay, style, tooltip
from workbench.analytics.network.legend import legend_blocks
from workbench.analytics.network.orgchart import LEVEL_HEIGHT, org_chart_positions
from workbench.analytics.network.overlay import LABEL_PX
from workbench.analytics.network.people import (
    LARGE_MAP_NODES,
    MAX_SELLER_EDGES,
    ROLE_WEIGHTS,
    UNKNOWN,
    Layout,
    filter_people,
    people,
    safe_text,
)
from workbench.analytics.network.reach import warm_paths
from workbench.analytics.network.tooltip import nps_verdict
from workbench.i18n import gettext as _

if TYPE_CHECKING:
    from pyvis.network import Network

    from workbench.domain import BuyingCentreData


_BOOTSTRAP_TAG = re.compile(
    r"<link[^>]*bootstrap[^>]*/?>|<script[^>]*bootstrap[^>]*>\s*</script>", re.DOTALL
)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>")
#: How far above the customer's top level our sellers stand on the org chart.
SELLER_ROW_ABOVE = LEVEL_HEIGHT
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
    # only these people (a deal's buying centre); None: everyone
    contact_ids: tuple[str, ...] | None = None
    title: str = ""  # shown in the PNG's corner and its file name


def _label(person: dict[str, Any]) -> str:
    label = safe_text(person["name"], max_chars=32) or _("(no name)")
    if person["title"]:
        label += "\n" + safe_text(person["title"], max_chars=30)
    if person.get("has_left"):
        label += "\n" + _("(has left)")
    return label


def _person_node(
    person: dict[str, Any], end: date, max_level: int, path: list[str]
) -> dict[str, Any]:
    # One person's node, one channel per meaning: shape = role, fill = attitude,
    # ring = whether we touched them in the window, size = influence. The NPS
    # badge is drawn by the page's script; people off a highlighted path fade.
    mark = style.ATTITUDE_MARKS.get(
        person["attitude_mark"], style.ATTITUDE_MARKS[UNKNOWN]
    )
    covered = bool(person["engaged"])
    ring = style.COVERED_RING if covered else style.UNCOVERED_RING
    node: dict[str, Any] = {
        "label": _label(person),
        "title": tooltip.person_tooltip(person, end),
        "shape": style.ROLE_SHAPES.get(person["role"], style.ROLE_SHAPES[UNKNOWN]),
        "size": 10 + 4 * (person["influence"] or 0),
        "borderWidth": style.COVERED_RING_WIDTH
        if covered
        else style.UNCOVERED_RING_WIDTH,
        "color": {
            "background": mark.fill,
            "border": ring,
            "highlight": {"background": mark.fill, "border": "#000000"},
            "hover": {"background": mark.fill, "border": "#000000"},
        },
        "level": person["level"] or max_level + 1,
    }
    if not covered:
        node["shapeProperties"] = {"borderDashes": [4, 3]}
    if path and person["contact_id"] not in path:
        node["opacity"] = 0.35
    elif person.get("has_left"):
        node["opacity"] = style.LEFT_OPACITY
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
            color=style.REPORTING_COLOUR,
            width=1,
            title=tooltip.reports_to_title(),
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
            color=style.INFLUENCE_COLOUR,
            dashes=True,
            width=1 + (strength or 1),
            title=tooltip.influence_title(strength),
        )


def _shown_people(
    data: BuyingCentreData, options: MapOptions
) -> tuple[pl.DataFrame, list[str]]:
    # The people the options show, and the warm path (its people always shown).
    persons = people(data)
    path: list[str] = []
    if options.highlight_contact_id is not None:
        path = warm_paths(persons, data.influences).get(
            options.highlight_contact_id, [options.highlight_contact_id]
        )
    shown = filter_people(persons, departments=options.departments, roles=options.roles)
    if options.contact_ids is not None:
        shown = shown.filter(pl.col("contact_id").is_in(list(options.contact_ids)))
    shown = pl.concat(
        [
            shown,
            persons.filter(
                pl.col("contact_id").is_in(path)
                & ~pl.col("contact_id").is_in(shown["contact_id"].implode())
            ),
        ]
    ).sort("contact_id")
    return tooltip.with_manager_names(shown, persons), path


def label_ranks(shown: pl.DataFrame) -> list[str]:
    """Return the shown people's IDs, the most important first (their label wins).

    Deciders and approvers first (by :data:`ROLE_WEIGHTS`), then by influence, then
    detractors and people with a strong attitude, then by name.
    """
    if shown.height == 0:
        return []
    ranked = shown.with_columns(
        pl.col("role").replace_strict(ROLE_WEIGHTS, default=0.0).alias("_weight"),
        pl.col("influence").fill_null(0).alias("_influence"),
        pl.col("attitude_mark").is_in(["champion", "blocker"]).alias("_strong"),
    ).sort(
        ["_weight", "_influence", "detractor", "_strong", "name", "contact_id"],
        descending=[True, True, True, True, False, False],
        nulls_last=True,
    )
    return ranked["contact_id"].to_list()


def build_buying_centre(
    data: BuyingCentreData, options: MapOptions | None = None
) -> Network:
    """Return the account's buying-centre map as a pyvis ``Network`` (see :func:`_build`)."""
    return _build(data, options or MapOptions())[0]


def _build(
    data: BuyingCentreData, options: MapOptions
) -> tuple[Network, pl.DataFrame, dict[str, int]]:
    """Return the account's buying-centre map as a pyvis ``Network`` (e.g. for a notebook).

    Nodes are people, one visual channel per meaning (shape: buying role; fill:
    attitude; ring: touched by us in the window, dashed when not; size: influence;
    the page draws an NPS badge) and our sellers (dark boxes) who touched them in
    the window. Edges: reporting lines (manager → report), influence links
    (dashed), seller touches (width by touches) and, when
    ``options.highlight_contact_id`` is set, the warm path to that person (orange).
    The hierarchy layout is an org chart with fixed positions
    (:func:`~workbench.analytics.network.orgchart.org_chart_positions`).
    """
    shown, path = _shown_people(data, options)
    large = shown.height >= LARGE_MAP_NODES
    node_of: dict[str, int] = {
        contact_id: number
        for number, contact_id in enumerate(shown["contact_id"].to_list(), start=1)
    }
    max_level = int(shown["level"].max() or 0) if shown.height else 0  # type: ignore[arg-type]
    chart = org_chart_positions(shown) if options.layout == "hierarchy" else {}
    # pyvis (and its templates) only where a map is drawn: a plan or the
    # command line reads the people's metrics without it
    from pyvis.network import Network

    net = Network(
        height=f"{options.height_px}px",
        width="100%",
        directed=True,
        cdn_resources="in_line",
    )
    for person in shown.iter_rows(named=True):
        node = _person_node(person, data.end, max_level, path)
        if person["contact_id"] in chart:
            node["x"], node["y"] = chart[person["contact_id"]]
        _add_node(net, node_of[person["contact_id"]], "contact", node)

    _add_people_lines(net, shown, data.influences, node_of)
    if options.show_sellers:
        _add_sellers(net, data.touches, node_of, options.max_seller_edges, chart)
    for a, b in itertools.pairwise(path):
        if a in node_of and b in node_of:
            net.add_edge(
                node_of[a],
                node_of[b],
                color=style.PATH_COLOUR,
                width=6,
                arrows={"to": {"enabled": False}},
                title=tooltip.warm_path_title(),
                physics=False,
            )
    net.options = _vis_options(options, large=large)
    return net, shown, node_of


def _add_node(
    net: Network, number: int, group: str, attributes: dict[str, Any]
) -> None:
    # pyvis drops a node's colour when "group" is passed to add_node, so the group
    # is set afterwards; "kind" says the same for the page, which drops "group"
    # (vis-network gives a grouped node its group's colours back on every update).
    net.add_node(number, **attributes)
    net.node_map[number]["group"] = group
    net.node_map[number]["kind"] = group


def _add_sellers(
    net: Network,
    touches: pl.DataFrame,
    node_of: dict[str, int],
    max_edges: int,
    chart: dict[str, tuple[float, float]],
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
    # On the org chart our sellers stand in a row above the customer's top level.
    chart_left = min((x for x, _ in chart.values()), default=0.0)
    chart_right = max((x for x, _ in chart.values()), default=0.0)
    step = (chart_right - chart_left) / max(1, sellers.height - 1)
    for index, seller in enumerate(sellers.iter_rows(named=True)):
        placed = (
            {"x": chart_left + index * step, "y": -SELLER_ROW_ABOVE} if chart else {}
        )
        seller_node[seller["seller_id"]] = next_number
        _add_node(
            net,
            next_number,
            "seller",
            {
                "label": safe_text(
                    seller["seller_name"] or seller["seller_id"], max_chars=40
                ),
                "title": tooltip.seller_tooltip(seller),
                "shape": "dot",
                "size": 12,
                "color": {"background": style.SELLER_COLOUR, "border": "#ffffff"},
                "borderWidth": 2,
                "level": 0,
                **placed,
            },
        )
        next_number += 1
    for seller_id, contact_id, count, minutes in shown_touches.select(
        "seller_id", "contact_id", "touches", "minutes"
    ).iter_rows():
        net.add_edge(
            seller_node[seller_id],
            node_of[contact_id],
            color={"color": style.SELLER_COLOUR, "opacity": 0.3},
            width=round(1 + 7 * math.sqrt(count / most), 2),
            arrows={"to": {"enabled": False}},
            title=tooltip.touches_title(count, minutes),
        )


def _vis_options(options: MapOptions, *, large: bool) -> dict[str, Any]:
    # Fast settling: few stabilisation rounds, a high minimum velocity, no curved
    # edges and no "improved layout" (which is quadratic) on large maps. The org
    # chart has fixed positions: no physics at all.
    org_chart = options.layout == "hierarchy"
    physics: dict[str, Any] = {
        "enabled": not org_chart,
        "minVelocity": 2.0 if large else 0.75,
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {
            "gravitationalConstant": -80,
            "springLength": 130,
            "avoidOverlap": 0.4,
        },
        "stabilization": {
            "enabled": not org_chart,
            "iterations": 120 if large else 250,
            "updateInterval": 25,
            "fit": True,
        },
    }
    return {
        "nodes": {
            "font": {
                "size": LABEL_PX,
                "face": style.FONT_FACE,
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            }
        },
        "edges": {
            "smooth": False
            if large or org_chart
            else {"enabled": True, "type": "continuous"},
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": large,
            "navigationButtons": False,
            "zoomSpeed": 0.6,
        },
        "layout": {
            "randomSeed": 7,
            "improvedLayout": not large and not org_chart,
            "hierarchical": {"enabled": False},
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
    """Return the account's buying-centre map as one safe, offline HTML page.

    The page carries its legend, a toolbar (full screen, PNG for slides, every
    label, fit) and the label logic of :mod:`overlay`.
    """
    options = options or MapOptions()
    net, shown, node_of = _build(data, options)
    for node in net.nodes:  # the page relabels nodes as it zooms: no groups
        node.pop("group", None)
    page = network_html(net, freeze=options.freeze and options.layout != "hierarchy")
    return overlay.decorate(
        page,
        overlay=overlay.toolbar_html(_toolbar_text())
        + overlay.legend_html(_legend_title(), legend_blocks(), _legend_hint()),
        config=_page_config(net, shown, node_of, options),
        font=style.FONT_FACE,
    )


def _toolbar_text() -> dict[str, str]:
    return {
        "full": _("Full screen"),
        "png": _("Save PNG"),
        "svg": _("Save SVG"),
        "labels": _("All names"),
        "legend": _("Legend"),
        "fit": _("Fit"),
    }


def _legend_title() -> str:
    return _("What the map shows")


def _legend_hint() -> str:
    return _(
        "Names of the most important people show first; zoom in for more. "
        "Double-click a manager to fold their team. Hover a person for details."
    )


def _page_config(
    net: Network, shown: pl.DataFrame, node_of: dict[str, int], options: MapOptions
) -> dict[str, Any]:
    # What the page's script needs: labels, their ranks, badges, the org tree.
    labels = {str(node["id"]): str(node["label"]) for node in net.nodes}
    rank: dict[str, int] = {}
    for position, contact_id in enumerate(label_ranks(shown)):
        rank[str(node_of[contact_id])] = position
    for node in net.nodes:  # our sellers after the customer's people
        rank.setdefault(str(node["id"]), len(rank))
    scored = shown.filter(pl.col("nps_score").is_not_null())
    badges = {
        str(node_of[contact_id]): {
            "score": int(score),
            "colour": style.NPS_BADGE_COLOURS[nps_verdict(int(score))],
        }
        for contact_id, score in zip(
            scored["contact_id"].to_list(), scored["nps_score"].to_list(), strict=True
        )
    }
    unknown_role = [
        str(node_of[c])
        for c in shown.filter(pl.col("role") == UNKNOWN)["contact_id"].to_list()
    ]
    lines = shown.filter(
        pl.col("reports_to_id").is_in(shown["contact_id"].implode())
        & (pl.col("reports_to_id") != pl.col("contact_id"))
    )
    reports: dict[str, list[str]] = {}
    for report, manager in zip(
        lines["contact_id"].to_list(), lines["reports_to_id"].to_list(), strict=True
    ):
        reports.setdefault(str(node_of[manager]), []).append(str(node_of[report]))
    title = options.title or _("Buying centre")
    return {
        "labels": labels,
        "rank": rank,
        "badges": badges,
        "unknownRole": unknown_role,
        "reports": reports,
        "labelPx": LABEL_PX,
        "fixed": options.layout == "hierarchy",  # no physics: fit on first draw
        "font": style.FONT_FACE,
        "height": f"{options.height_px}px",
        "filename": _file_name(title) + ".png",
        "svgFilename": _file_name(title) + ".svg",
        "legend": overlay.legend_config(legend_blocks()),
        "text": {
            "folded": _("+{n} folded"),
            "noFullScreen": _(
                "Full screen is not allowed here: save the map as HTML and open it "
                "in the browser."
            ),
            "caption": title,
            "legendTitle": _legend_title(),
        },
    }


def _file_name(title: str) -> str:
    # A file name from the account's name: letters (any script), digits, dashes.
    cleaned = re.sub(r"[^\w-]+", "-", title, flags=re.UNICODE).strip("-")
    return (cleaned or "buying-centre")[:60]
