"""Reporting lines an import leaves out: those that leave the account or close a loop.

Both are warnings: the people are imported, the offending line is not, and the
map draws the rest. A loop names every person in it with their CRM ID and says
which line was dropped.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from workbench import store
from workbench.domain import Problem
from workbench.i18n import N_
from workbench.ingest.problems import make_problem, quoted, worded


def _person(name: str | None, contact_id: str) -> str:
    """Name a person with their CRM ID, so the user can find them in the CRM."""
    return f"{quoted(name)} ({contact_id})" if name else contact_id


def _loops(graph: Any, component: set[str]) -> bool:
    """Return whether a strongly connected component holds a loop."""
    if len(component) > 1:
        return True
    (only,) = component
    return bool(graph.has_edge(only, only))


def reporting_problems(cur: store.Connection) -> list[Problem]:
    """Leave out reports-to lines that leave the account or close a loop; say which.

    Both are warnings: the people are imported, the offending line is not, and
    the map draws the rest. Of each loop, the line of the imported person with
    the smallest ID is left out (stored people's lines are not touched).
    """
    problems: list[Problem] = []
    lines = store.import_reporting_lines(cur)
    if lines.height == 0:
        return problems
    outside = lines.filter(
        pl.col("manager_account_id").is_not_null()
        & (pl.col("manager_account_id") != pl.col("account_id"))
        & pl.col("_file").is_not_null()
    )
    for record in outside.iter_rows(named=True):
        if len(problems) < 50:
            problems.append(
                make_problem(
                    "warning",
                    record["_file"],
                    record["_row"],
                    None,
                    worded(
                        N_(
                            "{person} reports to {manager}, who works for another "
                            "account ({account}); the reporting line was left out"
                        ),
                        person=_person(record["name"], record["contact_id"]),
                        manager=record["reports_to_id"],
                        account=record["manager_account_id"],
                    ),
                    "reports_to_other_account",
                )
            )
    store.import_clear_reports_to(cur, outside["contact_id"].to_list())
    lines = lines.filter(~pl.col("contact_id").is_in(outside["contact_id"].implode()))
    # imported here: only a people file with reporting lines needs it, and an
    # import of activities alone (a multi-million-row export) holds 22 MB less
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_edges_from(
        zip(
            lines["contact_id"].to_list(), lines["reports_to_id"].to_list(), strict=True
        )
    )
    names = dict(
        zip(lines["contact_id"].to_list(), lines["name"].to_list(), strict=True)
    )
    places = {
        r["contact_id"]: (r["_file"], r["_row"])
        for r in lines.filter(pl.col("_file").is_not_null()).iter_rows(named=True)
    }
    dropped: list[str] = []
    # Loops are found once, as strongly connected components (each person has
    # one manager, so a component is one loop); only a component that still
    # loops after a line is left out is looked at again.
    pending = [c for c in nx.strongly_connected_components(graph) if _loops(graph, c)]
    while pending:
        component = pending.pop()
        cycle = [edge[0] for edge in nx.find_cycle(graph.subgraph(component))]
        imported = [c for c in cycle if c in places]
        if not imported:
            continue  # a loop among stored people only: not this import's to change
        start = cycle.index(min(imported))
        cycle = cycle[start:] + cycle[:start]
        member = cycle[0]
        manager = next(iter(graph.successors(member)))
        graph.remove_edge(member, manager)
        dropped.append(member)
        pending += [
            c
            for c in nx.strongly_connected_components(graph.subgraph(component))
            if _loops(graph, c)
        ]
        if len(problems) >= 100:
            continue
        loop = " → ".join(_person(names.get(c), c) for c in [*cycle, cycle[0]])
        file, row = places[member]
        problems.append(
            make_problem(
                "warning",
                file,
                row,
                None,
                worded(
                    N_(
                        "reporting cycle: {loop}; left out the line {person} reports "
                        "to {manager}"
                    ),
                    loop=loop,
                    person=_person(names.get(member), member),
                    manager=_person(names.get(manager), manager),
                ),
                "reporting_cycle",
            )
        )
    store.import_clear_reports_to(cur, dropped)
    return problems
