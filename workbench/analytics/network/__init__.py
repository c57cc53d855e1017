"""The buying-centre map: one account's people as graphs, metrics, and a safe pyvis page.

Pure functions over :class:`workbench.domain.BuyingCentreData`. One module per
concern: ``people`` (constants, safe text, one row per person, graphs), ``style``
(role colours and attitude marks), ``metrics`` (coverage, breadth, risks, reach),
``render`` (the pyvis page and its legend) and ``edits`` (the editable contacts
table, the map summary). Callers use ``network.<name>`` from this package.
"""

from __future__ import annotations

from workbench.analytics.network.edits import (
    contact_changes,
    editable_contacts,
    map_summary,
)
from workbench.analytics.network.metrics import (
    BreadthDepth,
    BuyingCentreReport,
    analyse_buying_centre,
    breadth_and_depth,
    find_risks,
    reach_next,
    reporting_cycles,
    role_coverage,
    sorted_cycle,
    warm_paths,
)
from workbench.analytics.network.people import (
    DETRACTOR_MAX_SCORE,
    HIGH_INFLUENCE,
    LARGE_MAP_NODES,
    MAX_SELLER_EDGES,
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
)
from workbench.analytics.network.render import (
    MapOptions,
    build_buying_centre,
    buying_centre_html,
    legend_items,
    legend_markdown,
    network_html,
)
from workbench.analytics.network.style import (
    ATTITUDE_MARKS,
    DETRACTOR_COLOUR,
    INFLUENCE_COLOUR,
    PATH_COLOUR,
    REPORTING_COLOUR,
    ROLE_COLOURS,
    SELLER_COLOUR,
    AttitudeMark,
)

__all__ = [
    "ATTITUDE_MARKS",
    "DETRACTOR_COLOUR",
    "DETRACTOR_MAX_SCORE",
    "HIGH_INFLUENCE",
    "INFLUENCE_COLOUR",
    "LARGE_MAP_NODES",
    "MAX_SELLER_EDGES",
    "PATH_COLOUR",
    "REACH_MIN_INFLUENCE",
    "REPORTING_COLOUR",
    "ROLE_COLOURS",
    "ROLE_WEIGHTS",
    "SELLER_COLOUR",
    "SINGLE_THREAD_SHARE",
    "STALE_DAYS",
    "UNKNOWN",
    "AttitudeMark",
    "BreadthDepth",
    "BuyingCentreReport",
    "Layout",
    "MapOptions",
    "analyse_buying_centre",
    "breadth_and_depth",
    "build_buying_centre",
    "buying_centre_html",
    "contact_changes",
    "departments",
    "editable_contacts",
    "filter_people",
    "find_risks",
    "is_executive_expr",
    "is_procurement_expr",
    "legend_items",
    "legend_markdown",
    "map_summary",
    "network_html",
    "org_levels",
    "org_positions",
    "people",
    "reach_next",
    "relationship_graph",
    "reporting_cycles",
    "reporting_graph",
    "role_coverage",
    "safe_text",
    "sorted_cycle",
    "warm_paths",
]
