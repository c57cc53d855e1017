"""The buying-centre map: one account's people as graphs, metrics, and a safe pyvis page.

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
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import altair as alt
import networkx as nx
import polars as pl
from pyvis.network import Network

from workbench.domain import ATTITUDES, BUYING_ROLES, CONTACT_EDIT_FIELDS

if TYPE_CHECKING:
    from workbench.domain import BuyingCentreData

Layout = Literal["force", "hierarchy"]

UNKNOWN = "unknown"
#: Influence from which a person counts as a key player (1–5 scale).
HIGH_INFLUENCE = 4
#: Uncovered people with at least this influence are proposed as whom to reach next.
REACH_MIN_INFLUENCE = 3
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

# Role colours: distinct hues from the Tableau palette; grey means unknown.
ROLE_COLOURS: dict[str, str] = {
    "initiator": "#9b59b6",
    "user": "#3b82f6",
    "influencer": "#22a34a",
    "buyer": "#f28e2b",
    "decider": "#e15759",
    "gatekeeper": "#e8c33a",
    "approver": "#8d5b3c",
    UNKNOWN: "#cfcfcf",
}


@dataclass(frozen=True)
class AttitudeMark:
    """How one attitude looks on the map: the node's shape and border."""

    shape: str
    border: str
    border_width: int
    symbol: str
    dashed: bool = False


ATTITUDE_MARKS: dict[str, AttitudeMark] = {
    "champion": AttitudeMark("star", "#1a7f37", 4, "★"),
    "supporter": AttitudeMark("dot", "#1a7f37", 3, "●"),
    "neutral": AttitudeMark("dot", "#555555", 1, "●"),
    "skeptic": AttitudeMark("diamond", "#e8590c", 3, "◆"),
    "blocker": AttitudeMark("triangleDown", "#c92a2a", 4, "▼"),
    UNKNOWN: AttitudeMark("dot", "#999999", 1, "◌", dashed=True),
}
_ATTITUDE_BORDER_NAMES = {
    "#1a7f37": "green",
    "#555555": "grey",
    "#e8590c": "orange",
    "#c92a2a": "red",
    "#999999": "dashed grey",
}
SELLER_COLOUR = "#1f3b57"
PATH_COLOUR = "#ff7f0e"
DETRACTOR_COLOUR = "#d00000"
REPORTING_COLOUR = "#9a9a9a"
INFLUENCE_COLOUR = "#7e57c2"

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

_EXECUTIVE_PATTERN = r"(?i)executive|management|board|c-suite|vorstand|geschäftsführung|管理层|高管|总经理|總經理"
_PROCUREMENT_PATTERN = r"(?i)procurement|purchas|sourcing|einkauf|采购|採購"
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


def org_levels(contacts: pl.DataFrame) -> pl.DataFrame:
    """Return each person's depth in the reporting tree: 1 at the top, 2 below, ….

    People with no (known) manager are at level 1. People in a reporting cycle, or
    below one, have no level (NULL): their depth is undefined.

    Returns:
        ``contact_id, level`` for every row of ``contacts``.
    """
    to_manager = reporting_graph(contacts)
    to_report = to_manager.reverse(copy=True)
    roots = [node for node, degree in to_manager.out_degree() if degree == 0]
    depth: dict[str, int] = {}
    for root in roots:
        for node, distance in nx.single_source_shortest_path_length(
            to_report, root
        ).items():
            depth[node] = distance + 1
    return pl.DataFrame(
        {
            "contact_id": contacts["contact_id"].to_list(),
            "level": [depth.get(c) for c in contacts["contact_id"].to_list()],
        },
        schema={"contact_id": pl.String, "level": pl.Int32},
    )


def people(data: BuyingCentreData) -> pl.DataFrame:
    """Return the account's people with what the map and metrics need.

    Adds to ``data.contacts``: ``role`` and ``attitude_mark`` (``"unknown"`` when
    NULL), ``level``, ``function`` (``executive``, ``procurement`` or ``other``),
    ``touches``, ``minutes`` and ``sellers`` in the window, ``engaged`` (touched in
    the window), ``days_since_touch`` (up to the window's end; NULL when never) and
    ``detractor`` (latest NPS at most 6).
    """
    contacts = data.contacts
    per_contact = (
        data.touches.filter(pl.col("contact_id").is_not_null())
        .group_by("contact_id")
        .agg(
            pl.col("touches").sum().cast(pl.Int64),
            pl.col("minutes").sum().cast(pl.Float64),
            pl.col("seller_id").n_unique().cast(pl.Int64).alias("sellers"),
        )
    )
    levels = org_levels(contacts)
    has_reports = contacts.filter(pl.col("reports_to_id").is_not_null())[
        "reports_to_id"
    ].implode()
    return (
        contacts.join(levels, on="contact_id", how="left")
        .join(per_contact, on="contact_id", how="left")
        .with_columns(
            pl.col("buying_role").fill_null(UNKNOWN).alias("role"),
            pl.col("attitude").fill_null(UNKNOWN).alias("attitude_mark"),
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
            pl.when(
                pl.col("department").str.contains(_EXECUTIVE_PATTERN).fill_null(False)
                | (
                    (pl.col("level") == 1)
                    & pl.col("contact_id").is_in(has_reports)
                    & pl.col("reports_to_id").is_null()
                )
            )
            .then(pl.lit("executive"))
            .when(
                pl.col("department").str.contains(_PROCUREMENT_PATTERN).fill_null(False)
            )
            .then(pl.lit("procurement"))
            .otherwise(pl.lit("other"))
            .alias("function")
        )
        .sort("contact_id")
    )


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


# --- metrics --------------------------------------------------------------------------


@dataclass(frozen=True)
class BreadthDepth:
    """How wide and how deep our contact with the account reaches."""

    contacts_present: int
    contacts_engaged: int
    departments_present: int
    departments_engaged: int
    levels_present: int
    levels_reached: int
    top_level_reached: int | None  # the highest rank we touched: 1 is the top
    sellers_engaged: int
    #: ``function, touches, minutes, touch_share, minute_share`` with functions
    #: ``executive``, ``procurement``, ``other`` and ``no person named``.
    effort: pl.DataFrame = field(repr=False)


@dataclass(frozen=True)
class BuyingCentreReport:
    """Everything computed beside the map."""

    coverage: pl.DataFrame
    breadth: BreadthDepth
    risks: pl.DataFrame
    reach_next: pl.DataFrame


def role_coverage(persons: pl.DataFrame) -> pl.DataFrame:
    """Return, for each of the seven roles (and unknown), who is present and engaged.

    Returns:
        ``role, present, engaged, status`` where ``present`` and ``engaged`` count
        people and ``status`` is ``engaged``, ``not engaged`` or ``missing``.
    """
    roles = pl.DataFrame({"role": [*BUYING_ROLES, UNKNOWN]})
    counts = persons.group_by("role").agg(
        pl.len().cast(pl.Int64).alias("present"),
        pl.col("engaged").sum().cast(pl.Int64).alias("engaged"),
    )
    return (
        roles.join(counts, on="role", how="left", maintain_order="left")
        .with_columns(pl.col("present", "engaged").fill_null(0))
        .with_columns(
            pl.when(pl.col("engaged") > 0)
            .then(pl.lit("engaged"))
            .when(pl.col("present") > 0)
            .then(pl.lit("not engaged"))
            .otherwise(pl.lit("missing"))
            .alias("status")
        )
    )


def breadth_and_depth(persons: pl.DataFrame, touches: pl.DataFrame) -> BreadthDepth:
    """Return departments and org levels engaged out of those present, and effort by function."""
    engaged = persons.filter(pl.col("engaged"))
    function_of = persons.select("contact_id", "function")
    effort_rows = (
        touches.join(function_of, on="contact_id", how="left")
        .with_columns(pl.col("function").fill_null("no person named"))
        .group_by("function")
        .agg(
            pl.col("touches").sum().cast(pl.Int64),
            pl.col("minutes").sum().cast(pl.Float64),
        )
    )
    functions = pl.DataFrame(
        {"function": ["executive", "procurement", "other", "no person named"]}
    )
    effort = (
        functions.join(effort_rows, on="function", how="left", maintain_order="left")
        .with_columns(pl.col("touches").fill_null(0), pl.col("minutes").fill_null(0.0))
        .with_columns(
            _share(pl.col("touches")).alias("touch_share"),
            _share(pl.col("minutes")).alias("minute_share"),
        )
    )
    top = engaged["level"].drop_nulls().min()
    return BreadthDepth(
        contacts_present=persons.height,
        contacts_engaged=engaged.height,
        departments_present=persons["department"].drop_nulls().n_unique(),
        departments_engaged=engaged["department"].drop_nulls().n_unique(),
        levels_present=persons["level"].drop_nulls().n_unique(),
        levels_reached=engaged["level"].drop_nulls().n_unique(),
        top_level_reached=int(top) if isinstance(top, int) else None,
        sellers_engaged=touches["seller_id"].drop_nulls().n_unique(),
        effort=effort,
    )


def _share(column: pl.Expr) -> pl.Expr:
    total = column.sum()
    return pl.when(total > 0).then(column / total).otherwise(0.0).cast(pl.Float64)


_RISK_SCHEMA = pl.Schema(
    {
        "risk": pl.String(),
        "contact_id": pl.String(),
        "name": pl.String(),
        "detail": pl.String(),
    }
)


def find_risks(
    data: BuyingCentreData,
    persons: pl.DataFrame | None = None,
    *,
    stale_days: int = STALE_DAYS,
    single_thread_share: float = SINGLE_THREAD_SHARE,
) -> pl.DataFrame:
    """Return the account's relationship risks, one row per finding.

    Risks: ``single-threaded`` (all, or more than ``single_thread_share``, of our
    touches with named people go through one person), ``no contact`` (no touch
    with any named person in the window), ``dark
    decider`` / ``dark approver`` (no touch in the window), ``high-influence
    skeptic`` / ``high-influence blocker`` (influence ≥ 4), ``stale key player``
    (influence ≥ 4, last touch older than ``stale_days`` or never), ``detractor
    decider`` (decider or approver whose latest NPS is a detractor), ``reporting
    cycle``, ``broken reporting line`` (to a missing person or another account)
    and ``broken influence link`` (to someone outside the account).

    Returns:
        ``risk, contact_id, name, detail`` (``contact_id`` NULL for account-wide risks).
    """
    persons = people(data) if persons is None else persons
    frames = [
        _single_thread_risk(persons, single_thread_share),
        persons.filter(
            pl.col("role").is_in(["decider", "approver"]) & ~pl.col("engaged")
        ).select(
            ("dark " + pl.col("role")).alias("risk"),
            "contact_id",
            "name",
            pl.format(
                "no touch between {} and {}; last touch {}",
                pl.lit(str(data.start)),
                pl.lit(str(data.end)),
                pl.col("last_touch").cast(pl.String).fill_null("never"),
            ).alias("detail"),
        ),
        persons.filter(
            pl.col("attitude").is_in(["skeptic", "blocker"])
            & (pl.col("influence") >= HIGH_INFLUENCE)
        ).select(
            ("high-influence " + pl.col("attitude")).alias("risk"),
            "contact_id",
            "name",
            pl.format(
                "{} with influence {} of 5", pl.col("role"), pl.col("influence")
            ).alias("detail"),
        ),
        persons.filter(
            (pl.col("influence") >= HIGH_INFLUENCE)
            & (
                pl.col("days_since_touch").is_null()
                | (pl.col("days_since_touch") > stale_days)
            )
        ).select(
            pl.lit("stale key player").alias("risk"),
            "contact_id",
            "name",
            pl.when(pl.col("last_touch").is_null())
            .then(pl.lit("never touched"))
            .otherwise(
                pl.format(
                    "last touch {} ({} days before {})",
                    pl.col("last_touch").cast(pl.String),
                    pl.col("days_since_touch"),
                    pl.lit(str(data.end)),
                )
            )
            .alias("detail"),
        ),
        persons.filter(
            pl.col("role").is_in(["decider", "approver"]) & pl.col("detractor")
        ).select(
            pl.lit("detractor decider").alias("risk"),
            "contact_id",
            "name",
            pl.format(
                "{} whose latest NPS is {} ({})",
                pl.col("role"),
                pl.col("nps_score"),
                pl.col("nps_date").cast(pl.String),
            ).alias("detail"),
        ),
        _cycle_risks(persons),
        _broken_line_risks(persons),
        _broken_influence_risks(persons, data.influences),
    ]
    return pl.concat(
        [frame.select(list(_RISK_SCHEMA)).cast(_RISK_SCHEMA) for frame in frames]
    )


def _single_thread_risk(persons: pl.DataFrame, threshold: float) -> pl.DataFrame:
    touched = persons.filter(pl.col("touches") > 0).sort(
        ["touches", "contact_id"], descending=[True, False]
    )
    total = int(touched["touches"].sum())
    if total == 0:
        return pl.DataFrame(
            {
                "risk": ["no contact"],
                "contact_id": [None],
                "name": [None],
                "detail": ["no touch with any named person in the window"],
            },
            schema=_RISK_SCHEMA,
        )
    top = touched.row(0, named=True)
    share = top["touches"] / total
    if touched.height > 1 and share <= threshold:
        return pl.DataFrame(schema=_RISK_SCHEMA)
    detail = (
        "all our touches in the window go through this person"
        if touched.height == 1
        else f"{share:.0%} of our touches in the window go through this person"
    )
    return pl.DataFrame(
        {
            "risk": ["single-threaded"],
            "contact_id": [top["contact_id"]],
            "name": [top["name"]],
            "detail": [detail],
        },
        schema=_RISK_SCHEMA,
    )


def reporting_cycles(contacts: pl.DataFrame) -> list[list[str]]:
    """Return every reporting cycle as the list of people in it (A reports to B … to A)."""
    graph = reporting_graph(contacts)
    cycles = [sorted_cycle(cycle) for cycle in nx.simple_cycles(graph)]
    return sorted(cycles)


def sorted_cycle(cycle: list[str]) -> list[str]:
    """Return a cycle rotated to start at its smallest ID (one spelling per cycle)."""
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


def _cycle_risks(persons: pl.DataFrame) -> pl.DataFrame:
    names = dict(
        zip(persons["contact_id"].to_list(), persons["name"].to_list(), strict=True)
    )
    rows = [
        {
            "risk": "reporting cycle",
            "contact_id": cycle[0],
            "name": names.get(cycle[0]),
            "detail": " → ".join(str(names.get(c) or c) for c in [*cycle, cycle[0]]),
        }
        for cycle in reporting_cycles(persons)
    ]
    return pl.DataFrame(rows, schema=_RISK_SCHEMA)


def _broken_line_risks(persons: pl.DataFrame) -> pl.DataFrame:
    broken = persons.filter(
        pl.col("reports_to_id").is_not_null()
        & ~pl.col("reports_to_id").is_in(persons["contact_id"].implode())
    )
    return broken.select(
        pl.lit("broken reporting line").alias("risk"),
        "contact_id",
        "name",
        pl.when(pl.col("manager_account_id").is_null())
        .then(pl.format("reports to {}, who is not in the data", "reports_to_id"))
        .otherwise(
            pl.format(
                "reports to {} of another account ({})",
                "reports_to_id",
                "manager_account_id",
            )
        )
        .alias("detail"),
    )


def _broken_influence_risks(
    persons: pl.DataFrame, influences: pl.DataFrame
) -> pl.DataFrame:
    inside = persons["contact_id"].implode()
    broken = influences.filter(
        ~pl.col("from_contact_id").is_in(inside)
        | ~pl.col("to_contact_id").is_in(inside)
    )
    named = broken.with_columns(
        pl.when(pl.col("from_contact_id").is_in(inside))
        .then(pl.col("from_contact_id"))
        .otherwise(pl.col("to_contact_id"))
        .alias("contact_id"),
        pl.when(pl.col("from_contact_id").is_in(inside))
        .then(pl.col("to_contact_id"))
        .otherwise(pl.col("from_contact_id"))
        .alias("outsider"),
    ).join(persons.select("contact_id", "name"), on="contact_id", how="left")
    return named.select(
        pl.lit("broken influence link").alias("risk"),
        "contact_id",
        "name",
        pl.format("linked to {}, who is not in this account", "outsider").alias(
            "detail"
        ),
    )


def warm_paths(persons: pl.DataFrame, influences: pl.DataFrame) -> dict[str, list[str]]:
    """Return the shortest warm path to every reachable person.

    A path starts at one of our champions or supporters (preferring those we
    touched in the window) and follows reporting lines and influence links in
    either direction. A champion's own path is just themself.

    Returns:
        ``{contact_id: [start, …, contact_id]}``.
    """
    graph = relationship_graph(persons, influences)
    friendly = persons.filter(pl.col("attitude").is_in(["champion", "supporter"]))
    paths: dict[str, list[str]] = {}
    # Any champion or supporter first, then overwrite with paths from those we
    # actually talk to: a warm path should start where we are warm now.
    for sources in (
        friendly["contact_id"].to_list(),
        friendly.filter(pl.col("engaged"))["contact_id"].to_list(),
    ):
        if sources:
            paths.update(nx.multi_source_dijkstra_path(graph, set(sources)))
    return paths


def reach_next(
    persons: pl.DataFrame,
    influences: pl.DataFrame,
    *,
    limit: int = 10,
    min_influence: int = REACH_MIN_INFLUENCE,
) -> pl.DataFrame:
    """Return uncovered high-influence people ranked, each with a warm path.

    Uncovered: no touch in the window. Score = 2 × influence + role weight
    (decider 3 … unknown 0.5) + staleness (0 when touched today, 2 when a year
    ago or never). Ties go to the smaller ID.

    Returns:
        ``rank, contact_id, name, title, department, role, influence, attitude,
        days_since_touch, score, path_ids`` (list, empty when there is no warm
        path), ``path`` (names joined with →) and ``path_length`` (links; NULL
        without a path).
    """
    candidates = (
        persons.filter(
            ~pl.col("engaged")
            & (pl.col("influence") >= min_influence)
            & (pl.col("attitude_mark") != "blocker")
        )
        .with_columns(
            (
                2.0 * pl.col("influence").cast(pl.Float64)
                + pl.col("role").replace_strict(ROLE_WEIGHTS, default=0.5)
                + 2.0
                * (
                    pl.col("days_since_touch")
                    .fill_null(365)
                    .clip(0, 365)
                    .cast(pl.Float64)
                    / 365.0
                )
            ).alias("score")
        )
        .sort(["score", "contact_id"], descending=[True, False])
        .head(limit)
    )
    paths = warm_paths(persons, influences)
    names = dict(
        zip(persons["contact_id"].to_list(), persons["name"].to_list(), strict=True)
    )
    ids = candidates["contact_id"].to_list()
    path_ids = [paths.get(c, []) for c in ids]
    return candidates.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("rank"),
        "contact_id",
        "name",
        "title",
        "department",
        "role",
        "influence",
        "attitude",
        "days_since_touch",
        pl.col("score").round(2),
        pl.Series("path_ids", path_ids, dtype=pl.List(pl.String)),
        pl.Series(
            "path",
            [
                " → ".join(str(names.get(c) or c) for c in p) if p else "no warm path"
                for p in path_ids
            ],
            dtype=pl.String,
        ),
        pl.Series(
            "path_length", [len(p) - 1 if p else None for p in path_ids], dtype=pl.Int64
        ),
    )


def analyse_buying_centre(
    data: BuyingCentreData,
    *,
    stale_days: int = STALE_DAYS,
    single_thread_share: float = SINGLE_THREAD_SHARE,
    reach_limit: int = 10,
) -> BuyingCentreReport:
    """Return role coverage, breadth and depth, risks and whom to reach next."""
    persons = people(data)
    return BuyingCentreReport(
        coverage=role_coverage(persons),
        breadth=breadth_and_depth(persons, data.touches),
        risks=find_risks(
            data,
            persons,
            stale_days=stale_days,
            single_thread_share=single_thread_share,
        ),
        reach_next=reach_next(persons, data.influences, limit=reach_limit),
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
    on_path = set(path)
    max_level = int(shown["level"].max() or 0) if shown.height else 0  # type: ignore[arg-type]

    net = Network(
        height=f"{options.height_px}px",
        width="100%",
        directed=True,
        cdn_resources="in_line",
    )
    for person in shown.iter_rows(named=True):
        mark = ATTITUDE_MARKS.get(person["attitude_mark"], ATTITUDE_MARKS[UNKNOWN])
        highlighted = person["contact_id"] in on_path
        node: dict[str, Any] = {
            "label": _label(person),
            "title": _tooltip(person, data.end),
            "shape": mark.shape,
            "size": 10 + 5 * (person["influence"] or 0),
            "borderWidth": 5 if highlighted else mark.border_width,
            "color": {
                "background": ROLE_COLOURS.get(person["role"], ROLE_COLOURS[UNKNOWN]),
                "border": PATH_COLOUR if highlighted else mark.border,
                "highlight": {
                    "background": ROLE_COLOURS.get(
                        person["role"], ROLE_COLOURS[UNKNOWN]
                    ),
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
        _add_node(net, node_of[person["contact_id"]], "contact", node)

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
    links = data.influences.filter(
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


# --- legend and editing ---------------------------------------------------------------


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


def legend_chart() -> alt.HConcatChart:
    """Return the map's legend as a small chart drawn with the map's own colours."""
    items = legend_items()
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
    return legend


def legend_markdown() -> str:
    """Return what the legend chart cannot show: size and the label line of detractors."""
    return (
        "**Size = influence** (1–5; smallest when unknown). A detractor's label "
        "gets a third line “NPS n · detractor”. Hover a person for department, role, "
        "influence, attitude, last touch and latest NPS."
    )


def editable_contacts(persons: pl.DataFrame) -> pl.DataFrame:
    """Return the table the page lets people edit: one row per person."""
    return persons.select(
        "contact_id",
        "name",
        "title",
        "department",
        "buying_role",
        pl.col("influence").cast(pl.Int64),
        "attitude",
        "email",
        "phone",
    )


def contact_changes(original: pl.DataFrame, edited: pl.DataFrame) -> pl.DataFrame:
    """Return the edited values that differ from the original, one row per value.

    Both frames hold ``contact_id`` and the editable fields; rows are matched by
    ``contact_id``.

    Returns:
        ``contact_id, field, new_value`` (text; NULL clears the value).
    """
    frames = []
    for name in CONTACT_EDIT_FIELDS:
        before = original.select(
            pl.col("contact_id").cast(pl.String), _edit_text(name).alias("old")
        )
        after = edited.select(
            pl.col("contact_id").cast(pl.String), _edit_text(name).alias("new_value")
        )
        frames.append(
            before.join(after, on="contact_id", how="inner")
            .filter(pl.col("old").ne_missing(pl.col("new_value")))
            .select("contact_id", pl.lit(name).alias("field"), "new_value")
        )
    return pl.concat(frames).sort("contact_id", "field")


def _edit_text(name: str) -> pl.Expr:
    # A table editor may hand influence back as 4.0 or "4"; compare it as "4".
    if name == "influence":
        return (
            pl.col(name)
            .cast(pl.Float64, strict=False)
            .round()
            .cast(pl.Int64)
            .cast(pl.String)
        )
    return pl.col(name).cast(pl.String)


def map_summary(report: BuyingCentreReport) -> dict[str, Any]:
    """Return the report as plain JSON-ready data (for the command line)."""
    breadth = report.breadth
    return {
        "coverage": report.coverage.to_dicts(),
        "breadth": {
            "contacts_present": breadth.contacts_present,
            "contacts_engaged": breadth.contacts_engaged,
            "departments_present": breadth.departments_present,
            "departments_engaged": breadth.departments_engaged,
            "levels_present": breadth.levels_present,
            "levels_reached": breadth.levels_reached,
            "top_level_reached": breadth.top_level_reached,
            "sellers_engaged": breadth.sellers_engaged,
            "effort": breadth.effort.to_dicts(),
        },
        "risks": report.risks.to_dicts(),
        "reach_next": json.loads(report.reach_next.write_json()),
    }
