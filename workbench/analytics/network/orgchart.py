"""The hierarchy layout: the account's reporting lines drawn as an org chart.

Each person sits at their level in the reporting tree, top-down, managers centred
over their reports; a manager whose reports have no reports of their own gets them
stacked in a column below (as a printed org chart does), so a department of forty
clerks does not stretch the chart across the room. People with neither a manager
nor reports on the map, and people caught in a reporting cycle, are laid out in a
grid under the chart: they are part of the buying centre, not of any tree.

Positions are in vis-network's canvas units; the page fixes them (no physics).
"""

from __future__ import annotations

import math

import networkx as nx
import polars as pl

from workbench.analytics.network.people import reporting_graph

#: Horizontal distance between two neighbouring slots of the chart.
SLOT_WIDTH = 200.0
#: Vertical distance between two levels.
LEVEL_HEIGHT = 170.0
#: Vertical distance between two people stacked under one manager.
STACK_HEIGHT = 90.0
#: A team whose reporting tree is at most this many levels deep below its manager
#: is drawn as one indented column under the manager, not spread sideways.
STACK_LEVELS = 2
#: At most this many people in one column; a longer team wraps to the next one.
STACK_COLUMN = 8
#: A stacked column stands this share of a slot right of its manager, so that the
#: lines to the lower reports do not run through the upper ones.
STACK_INDENT = 0.2
#: People outside any tree are placed this many to a row.
LOOSE_PER_ROW = 10


def _forest(shown: pl.DataFrame) -> tuple[nx.DiGraph, list[str], list[str]]:
    # manager → report edges of the shown people; roots with reports; everyone else
    to_manager = reporting_graph(shown)
    to_manager.remove_edges_from(list(nx.selfloop_edges(to_manager)))
    in_cycles: set[str] = set()
    for cycle in nx.simple_cycles(to_manager):
        in_cycles.update(cycle)
    # anyone whose chain upwards meets a cycle has no tree to sit in
    below_cycles = set(in_cycles)
    for node in in_cycles:
        below_cycles |= nx.ancestors(to_manager, node)
    tree = to_manager.subgraph(set(to_manager) - below_cycles).reverse(copy=True)
    roots = sorted(node for node in tree if tree.in_degree(node) == 0)
    with_reports = [root for root in roots if tree.out_degree(root) > 0]
    loose = sorted(
        [root for root in roots if tree.out_degree(root) == 0] + list(below_cycles)
    )
    return tree, with_reports, loose


def _height(tree: nx.DiGraph, node: str, heights: dict[str, int]) -> int:
    # levels below a node (0 for a leaf); children are computed first (post-order)
    return 1 + max((heights[c] for c in tree.successors(node)), default=-1)


def _column(tree: nx.DiGraph, node: str) -> list[tuple[str, int]]:
    # the node's team in reading order, with each person's depth below the node
    out: list[tuple[str, int]] = []
    stack = [(child, 1) for child in sorted(tree.successors(node), reverse=True)]
    while stack:
        person, depth = stack.pop()
        out.append((person, depth))
        stack.extend(
            (c, depth + 1) for c in sorted(tree.successors(person), reverse=True)
        )
    return out


def org_chart_positions(shown: pl.DataFrame) -> dict[str, tuple[float, float]]:
    """Return each shown person's ``(x, y)`` on an org chart of the shown people.

    Args:
        shown: people with ``contact_id`` and ``reports_to_id`` (lines to people
            outside the frame are ignored: their manager is not on the map).

    Returns:
        ``contact_id → (x, y)``: level 1 at ``y = 0``, each level
        :data:`LEVEL_HEIGHT` lower; trees side by side from ``x = 0``; people
        outside any tree in rows below the deepest level.
    """
    if shown.height == 0:
        return {}
    tree, roots, loose = _forest(shown)
    positions: dict[str, tuple[float, float]] = {}
    next_slot = 0.0
    deepest = 0.0
    # An explicit stack instead of recursion: a long reporting chain must not
    # exhaust Python's recursion limit. Post-order: children placed before parents.
    for root in roots:
        order: list[tuple[str, float]] = []
        stack: list[tuple[str, float]] = [(root, 0.0)]
        while stack:
            node, y = stack.pop()
            order.append((node, y))
            for child in sorted(tree.successors(node), reverse=True):
                stack.append((child, y + LEVEL_HEIGHT))
        heights: dict[str, int] = {}
        placed_below: set[str] = set()
        for node, _y in reversed(order):
            heights[node] = _height(tree, node, heights)
        columned: set[str] = set()
        for node, _y in order:  # managers before their reports: outermost team wins
            if node in placed_below or node == root:
                continue
            if 0 < heights[node] <= STACK_LEVELS:
                columned.add(node)
                placed_below.update(nx.descendants(tree, node))
        for node, y in reversed(order):
            if node in placed_below:
                continue  # placed in its manager's column
            children = sorted(tree.successors(node))
            if node in columned:
                # a small team: the manager, and below them everyone in an
                # indented column (wrapped when long), as printed org charts do
                team = _column(tree, node)
                columns = math.ceil(len(team) / STACK_COLUMN)
                for index, (person, depth) in enumerate(team):
                    column, row = divmod(index, STACK_COLUMN)
                    indent = STACK_INDENT * depth
                    positions[person] = (
                        (next_slot + column + indent) * SLOT_WIDTH,
                        y + LEVEL_HEIGHT * 0.8 + row * STACK_HEIGHT,
                    )
                    deepest = max(deepest, positions[person][1])
                    placed_below.add(person)
                positions[node] = ((next_slot + (columns - 1) / 2) * SLOT_WIDTH, y)
                next_slot += columns
            elif not children:
                positions[node] = (next_slot * SLOT_WIDTH, y)
                next_slot += 1
            else:
                xs = [positions[c][0] for c in children]
                positions[node] = ((min(xs) + max(xs)) / 2, y)
            deepest = max(deepest, y)
        next_slot += 0.5  # a gap between two trees
    width = max(next_slot, LOOSE_PER_ROW)
    per_row = max(LOOSE_PER_ROW, int(width))
    top = deepest + LEVEL_HEIGHT * (1.5 if positions else 0)
    for index, person in enumerate(loose):
        row, column = divmod(index, per_row)
        positions[person] = (column * SLOT_WIDTH, top + row * STACK_HEIGHT * 1.4)
    return positions
