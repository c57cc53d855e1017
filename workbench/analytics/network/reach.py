"""Whom to reach next in one buying centre, and the warm path to each.

A warm path runs from one of our champions or supporters over reporting lines
and influence links; the people to reach are those of influence we did not
touch in the window, ranked. People who have left are neither.
"""

from __future__ import annotations

import networkx as nx
import polars as pl

from workbench.analytics.network.people import (
    NO_WARM_PATH,
    REACH_MIN_INFLUENCE,
    ROLE_WEIGHTS,
    relationship_graph,
    still_there,
)


def warm_paths(persons: pl.DataFrame, influences: pl.DataFrame) -> dict[str, list[str]]:
    """Return the shortest warm path to every reachable person.

    A path starts at one of our champions or supporters (preferring those we
    touched in the window) and follows reporting lines and influence links in
    either direction. A champion's own path is just themself. A person who left
    is no start and no step: their introductions went with them.

    Returns:
        ``{contact_id: [start, …, contact_id]}``.
    """
    persons = still_there(persons)
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
    candidates: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Return uncovered high-influence people ranked, each with a warm path.

    ``candidates`` (some of ``persons``, e.g. a deal's buying centre) limits whom
    to rank; warm paths still run through the whole account. People who left
    are neither ranked nor on a path.

    Uncovered: no touch in the window. Score = 2 × influence + role weight
    (decider 3 … unknown 0.5) + staleness (0 when touched today, 2 when a year
    ago or never). Ties go to the smaller ID.

    Returns:
        ``rank, contact_id, name, title, department, role, influence, attitude,
        days_since_touch, score, path_ids`` (list, empty when there is no warm
        path), ``path`` (names joined with →) and ``path_length`` (links; NULL
        without a path).
    """
    persons = still_there(persons)
    ranked = (
        still_there(persons if candidates is None else candidates)
        .filter(
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
    ids = ranked["contact_id"].to_list()
    path_ids = [paths.get(c, []) for c in ids]
    return ranked.select(
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
                " → ".join(str(names.get(c) or c) for c in p) if p else NO_WARM_PATH
                for p in path_ids
            ],
            dtype=pl.String,
        ),
        pl.Series(
            "path_length", [len(p) - 1 if p else None for p in path_ids], dtype=pl.Int64
        ),
    )
