"""The buying-centre map: one account's people as graphs, metrics, and a safe pyvis page.

Pure functions over :class:`workbench.domain.BuyingCentreData`. One module per
concern: ``people`` (constants, safe text, one row per person, graphs), ``style``
(one visual channel per meaning), ``orgchart`` (the hierarchy layout),
``overlay`` (the legend, toolbar and label logic inside the map's page),
``export`` (the PNG's legend and the SVG for slides), ``tooltip`` (what hovering
says, translated), ``metrics`` (coverage, breadth, risks), ``reach`` (whom to
reach next, warm paths), ``deals`` (a
deal's own buying centre), ``render`` (the pyvis page and its legend) and
``edits`` (the editable contacts table, the map summary). Callers use ``network.<name>`` from this package.
"""

from __future__ import annotations

from workbench.analytics.network.deals import (
    DealBasis,
    deal_basis,
    deal_focus,
    deal_list,
    deal_people,
    deal_roles,
)
from workbench.analytics.network.edits import (
    contact_changes,
    editable_contacts,
    map_summary,
)
from workbench.analytics.network.legend import (
    attitude_name,
    legend_blocks,
    legend_items,
    legend_markdown,
    role_name,
)
from workbench.analytics.network.metrics import (
    BreadthDepth,
    BuyingCentreReport,
    analyse_buying_centre,
    breadth_and_depth,
    find_risks,
    reporting_cycles,
    role_coverage,
    sorted_cycle,
)
from workbench.analytics.network.orgchart import org_chart_positions
from workbench.analytics.network.people import (
    DETRACTOR_MAX_SCORE,
    HIGH_INFLUENCE,
    LARGE_MAP_NODES,
    MAX_SELLER_EDGES,
    NO_WARM_PATH,
    REACH_MIN_INFLUENCE,
    ROLE_WEIGHTS,
    SINGLE_THREAD_SHARE,
    STALE_DAYS,
    UNKNOWN,
    Layout,
    departments,
    filter_people,
    is_executive_expr,
    is_procurement_expr,
    org_levels,
    org_positions,
    people,
    relationship_graph,
    reporting_graph,
    safe_text,
    still_there,
)
from workbench.analytics.network.reach import reach_next, warm_paths
from workbench.analytics.network.render import (
    MapOptions,
    build_buying_centre,
    buying_centre_html,
    label_ranks,
    network_html,
)
from workbench.analytics.network.style import (
    ATTITUDE_MARKS,
    COVERED_RING,
    DETRACTOR_COLOUR,
    FONT_FACE,
    INFLUENCE_COLOUR,
    LEFT_OPACITY,
    NPS_BADGE_COLOURS,
    PATH_COLOUR,
    REPORTING_COLOUR,
    ROLE_SHAPES,
    ROLE_SYMBOLS,
    SELLER_COLOUR,
    UNCOVERED_RING,
    AttitudeMark,
)
from workbench.analytics.network.tooltip import nps_verdict

__all__ = [
    "ATTITUDE_MARKS",
    "COVERED_RING",
    "DETRACTOR_COLOUR",
    "DETRACTOR_MAX_SCORE",
    "FONT_FACE",
    "HIGH_INFLUENCE",
    "INFLUENCE_COLOUR",
    "LARGE_MAP_NODES",
    "LEFT_OPACITY",
    "MAX_SELLER_EDGES",
    "NO_WARM_PATH",
    "NPS_BADGE_COLOURS",
    "PATH_COLOUR",
    "REACH_MIN_INFLUENCE",
    "REPORTING_COLOUR",
    "ROLE_SHAPES",
    "ROLE_SYMBOLS",
    "ROLE_WEIGHTS",
    "SELLER_COLOUR",
    "SINGLE_THREAD_SHARE",
    "STALE_DAYS",
    "UNCOVERED_RING",
    "UNKNOWN",
    "AttitudeMark",
    "BreadthDepth",
    "BuyingCentreReport",
    "DealBasis",
    "Layout",
    "MapOptions",
    "analyse_buying_centre",
    "attitude_name",
    "breadth_and_depth",
    "build_buying_centre",
    "buying_centre_html",
    "contact_changes",
    "deal_basis",
    "deal_focus",
    "deal_list",
    "deal_people",
    "deal_roles",
    "departments",
    "editable_contacts",
    "filter_people",
    "find_risks",
    "is_executive_expr",
    "is_procurement_expr",
    "label_ranks",
    "legend_blocks",
    "legend_items",
    "legend_markdown",
    "map_summary",
    "network_html",
    "nps_verdict",
    "org_chart_positions",
    "org_levels",
    "org_positions",
    "people",
    "reach_next",
    "relationship_graph",
    "reporting_cycles",
    "reporting_graph",
    "role_coverage",
    "role_name",
    "safe_text",
    "sorted_cycle",
    "still_there",
    "warm_paths",
]
