"""The buying centre's people: constants, safe text, one row per person, graphs.

Pure functions over :class:`workbench.domain.BuyingCentreData`; nothing here opens
the database or knows about Streamlit.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

import networkx as nx
import polars as pl

from workbench import domain

if TYPE_CHECKING:
    from workbench.domain import BuyingCentreData


Layout = Literal["force", "hierarchy"]

UNKNOWN = "unknown"
#: Influence from which a person counts as a key player (1–5 scale).
HIGH_INFLUENCE = 4
#: Uncovered people with at least this influence are proposed as whom to reach next.
REACH_MIN_INFLUENCE = 3
#: Whom to reach next's path when no warm path leads to the person (a code: plans
#: match on it; screens put it in words).
NO_WARM_PATH = "no warm path"
#: A key player whose last touch is older than this is stale.
STALE_DAYS = 120
#: Share of our touches through one person above which the account is single-threaded.
SINGLE_THREAD_SHARE = 0.8
#: NPS scores up to this are detractors.
DETRACTOR_MAX_SCORE = 6
#: From this many people on the map, vis-network runs in its fast mode.
LARGE_MAP_NODES = 150
#: At most this many seller-to-contact lines are drawn (the heaviest first).
MAX_SELLER_EDGES = 400


# Weight of each role when ranking whom to reach next: who signs and decides first.
ROLE_WEIGHTS: dict[str, float] = {
    "decider": 3.0,
    "approver": 2.5,
    "buyer": 2.0,
    "influencer": 2.0,
    "initiator": 1.5,
    "gatekeeper": 1.0,
    "user": 1.0,
    UNKNOWN: 0.5,
}


# --- safe text ----------------------------------------------------------------------


def safe_text(value: object, *, max_chars: int = 80) -> str:
    """Return data text that cannot form markup: ``<``/``>`` replaced, ``href`` split.

    ``None`` becomes an empty string; long text is shortened with an ellipsis.
    """
    if value is None:
        return ""
    text = str(value).replace("<", "‹").replace(">", "›")
    # pyvis switches every tooltip to an innerHTML popup when one contains "href".
    text = re.sub(r"(?i)(h)(ref)", "\\1\u200b\\2", text)
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return text


# --- people, levels and graphs ------------------------------------------------------


def reporting_graph(contacts: pl.DataFrame) -> nx.DiGraph:
    """Return the reporting lines as a directed graph, person → manager.

    Only lines between two people of the frame are kept; a line to oneself is kept
    as a loop (it is a cycle of length one).
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(contacts["contact_id"].to_list())
    lines = contacts.filter(
        pl.col("reports_to_id").is_not_null()
        & pl.col("reports_to_id").is_in(contacts["contact_id"].implode())
    )
    graph.add_edges_from(
        zip(
            lines["contact_id"].to_list(), lines["reports_to_id"].to_list(), strict=True
        )
    )
    return graph


def relationship_graph(contacts: pl.DataFrame, influences: pl.DataFrame) -> nx.Graph:
    """Return reporting lines and influence links as one undirected graph of the account."""
    graph = nx.Graph(reporting_graph(contacts).to_undirected())
    graph.remove_edges_from(list(nx.selfloop_edges(graph)))
    inside = influences.filter(
        pl.col("from_contact_id").is_in(contacts["contact_id"].implode())
        & pl.col("to_contact_id").is_in(contacts["contact_id"].implode())
        & (pl.col("from_contact_id") != pl.col("to_contact_id"))
    )
    graph.add_edges_from(
        zip(
            inside["from_contact_id"].to_list(),
            inside["to_contact_id"].to_list(),
            strict=True,
        )
    )
    return graph


def org_positions(contacts: pl.DataFrame) -> pl.DataFrame:
    """Return each person's depth in the reporting tree and the depth of that tree.

    ``level`` is 1 at the top, 2 below, …; people with no (known) manager are at
    level 1 of their own tree. People in a reporting cycle, or below one, have no
    level (NULL). ``tree_depth`` is the number of levels of the person's tree (1
    for someone with neither manager nor reports on record).

    Returns:
        ``contact_id, level, tree_depth`` for every row of ``contacts``.
    """
    to_manager = reporting_graph(contacts)
    to_report = to_manager.reverse(copy=True)
    roots = [node for node, degree in to_manager.out_degree() if degree == 0]
    depth: dict[str, int] = {}
    tree_depth: dict[str, int] = {}
    for root in roots:
        below = nx.single_source_shortest_path_length(to_report, root)
        deepest = max(below.values()) + 1
        for node, distance in below.items():
            depth[node] = distance + 1
            tree_depth[node] = deepest
    ids = contacts["contact_id"].to_list()
    return pl.DataFrame(
        {
            "contact_id": ids,
            "level": [depth.get(c) for c in ids],
            "tree_depth": [tree_depth.get(c) for c in ids],
        },
        schema={"contact_id": pl.String, "level": pl.Int32, "tree_depth": pl.Int32},
    )


def org_levels(contacts: pl.DataFrame) -> pl.DataFrame:
    """Return each person's depth in the reporting tree: 1 at the top, 2 below, ….

    People with no (known) manager are at level 1. People in a reporting cycle, or
    below one, have no level (NULL): their depth is undefined.

    Returns:
        ``contact_id, level`` for every row of ``contacts``.
    """
    return org_positions(contacts).select("contact_id", "level")


def is_procurement_expr() -> pl.Expr:
    """Return whether a person (``department``) is in purchasing: the domain's rule."""
    return (
        pl.col("department")
        .str.contains(domain.PROCUREMENT_DEPARTMENT_PATTERN)
        .fill_null(False)
    )


def is_executive_expr() -> pl.Expr:
    """Return the one seniority rule of :mod:`workbench.domain` as a polars expression.

    Needs ``title``, ``department``, ``level`` and ``tree_depth`` (from
    :func:`org_positions`); the store applies the same patterns in SQL.
    """
    senior_title = (
        pl.col("title").str.contains(domain.EXECUTIVE_TITLE_PATTERN)
        & ~pl.col("title").str.contains(domain.EXECUTIVE_TITLE_EXCLUDE_PATTERN)
    ).fill_null(False)
    executive_office = (
        pl.col("department")
        .str.contains(domain.EXECUTIVE_DEPARTMENT_PATTERN)
        .fill_null(False)
    )
    title_unknown = pl.col("title").str.strip_chars().replace("", None).is_null()
    top_of_deep_tree = (
        title_unknown
        & (pl.col("level") <= domain.EXECUTIVE_MAX_LEVEL)
        & (pl.col("tree_depth") >= domain.EXECUTIVE_MIN_TREE_DEPTH)
    ).fill_null(False)
    return ~is_procurement_expr() & (senior_title | executive_office | top_of_deep_tree)


def people(data: BuyingCentreData) -> pl.DataFrame:
    """Return the account's people with what the map and metrics need.

    Adds to ``data.contacts``: ``role`` and ``attitude_mark`` (``"unknown"`` when
    NULL), ``level``, ``tree_depth``, ``function`` (``executive`` by the
    domain's one seniority rule, ``procurement`` or ``other``),
    ``touches``, ``minutes`` and ``sellers`` in the window, ``engaged`` (touched in
    the window), ``days_since_touch`` (up to the window's end; NULL when never) and
    ``detractor`` (latest NPS at most 6), and ``has_left`` (false where the data
    does not say: a frame from before people who left were read).
    """
    contacts = data.contacts
    if "has_left" not in contacts.columns:
        contacts = contacts.with_columns(pl.lit(False).alias("has_left"))
    per_contact = (
        data.touches.filter(pl.col("contact_id").is_not_null())
        .group_by("contact_id")
        .agg(
            pl.col("touches").sum().cast(pl.Int64),
            pl.col("minutes").sum().cast(pl.Float64),
            pl.col("seller_id").n_unique().cast(pl.Int64).alias("sellers"),
        )
    )
    levels = org_positions(contacts)
    return (
        contacts.join(levels, on="contact_id", how="left")
        .join(per_contact, on="contact_id", how="left")
        .with_columns(
            pl.col("buying_role").fill_null(UNKNOWN).alias("role"),
            pl.col("attitude").fill_null(UNKNOWN).alias("attitude_mark"),
            pl.col("has_left").fill_null(False),
            pl.col("touches").fill_null(0),
            pl.col("minutes").fill_null(0.0),
            pl.col("sellers").fill_null(0),
            (pl.col("touches").fill_null(0) > 0).alias("engaged"),
            (pl.lit(data.end) - pl.col("last_touch"))
            .dt.total_days()
            .cast(pl.Int64)
            .alias("days_since_touch"),
            (pl.col("nps_score") <= DETRACTOR_MAX_SCORE)
            .fill_null(False)
            .alias("detractor"),
        )
        .with_columns(
            pl.when(is_executive_expr())
            .then(pl.lit("executive"))
            .when(is_procurement_expr())
            .then(pl.lit("procurement"))
            .otherwise(pl.lit("other"))
            .alias("function")
        )
        .sort("contact_id")
    )


def still_there(persons: pl.DataFrame) -> pl.DataFrame:
    """Return the people who have not left the account: the buying centre as it is now.

    People who left keep their history (our touches with them count as effort,
    their answers as the voice of their time), but nobody covers, convinces or
    reaches the account through them any longer.
    """
    return persons.filter(~pl.col("has_left"))


def filter_people(
    persons: pl.DataFrame,
    *,
    departments: tuple[str, ...] = (),
    roles: tuple[str, ...] = (),
) -> pl.DataFrame:
    """Return the people in the given departments and roles (empty tuple: all).

    ``roles`` may contain ``"unknown"`` for people without a role.
    """
    kept = persons
    if departments:
        kept = kept.filter(pl.col("department").is_in(list(departments)))
    if roles:
        kept = kept.filter(pl.col("role").is_in(list(roles)))
    return kept


def departments(data: BuyingCentreData) -> list[str]:
    """Return the account's departments, sorted, for a filter widget."""
    return sorted(data.contacts["department"].drop_nulls().unique().to_list())
