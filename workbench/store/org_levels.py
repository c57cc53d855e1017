"""Reporting levels in SQL: how far up each contact's manager chain reaches.

A recursive query over hundreds of thousands of contacts, or one join per level,
costs several times more in DuckDB than pointer jumping, which doubles each
contact's reach with every self-join. Only people with a manager on record take
part in the jumps: in a CRM most contacts have none (a fifth had one in the
10,000-account bench data), and each of those is a top of their own, at level
1, without a join. The steps need a ``manager_links`` CTE (``contact_row``,
``manager_row``: the ``rowid`` of a contact and of its manager within the same
account; row numbers join several times faster than the text IDs).
"""

from __future__ import annotations


def jump_steps(levels: int) -> tuple[str, str]:
    """Return the pointer-jumping steps that reach ``levels`` up, and the last's name.

    Over the people with a manager only: step 0 points each at its manager (one
    level); each next step points it at its pointer's pointer where that one has
    a manager too (a top stays put), doubling the reach, so four steps see 16
    levels. ``dist`` is how many levels up the pointer is.
    """
    steps = [
        "jump0 AS (SELECT contact_row, manager_row AS up, 1 AS dist FROM manager_links)"
    ]
    reach = 1
    while reach < levels:
        step = len(steps)
        steps.append(
            f"jump{step} AS (SELECT j.contact_row, coalesce(k.up, j.up) AS up, "
            f"j.dist + coalesce(k.dist, 0) AS dist "
            f"FROM jump{step - 1} j LEFT JOIN jump{step - 1} k ON k.contact_row = j.up)"
        )
        reach *= 2
    return ",\n".join(steps), f"jump{len(steps) - 1}"


def linked_levels_cte(levels: int) -> str:
    """Return the CTEs that end in ``linked_levels``: the levels of linked people.

    ``linked_levels`` (``contact_row``, ``org_level``, ``tree_depth``) has a row for
    every person with a manager on record and every top that manages someone;
    ``org_level`` and ``tree_depth`` are NULL for a person whose chain reaches no
    top within ``levels`` levels (a cycle in bad data, or deeper). Anyone without
    a row is alone at the top of a tree of one: level 1, depth 1. Needs
    ``manager_links``.
    """
    steps, last = jump_steps(levels)
    return f"""{steps},
linked_tree AS (
    -- reached a top (it has no manager in the account) within the levels counted
    SELECT u.contact_row, u.up AS root_row, u.dist + 1 AS depth
    FROM {last} u
    WHERE u.dist < {levels}
      AND NOT EXISTS (SELECT 1 FROM manager_links l WHERE l.contact_row = u.up)
),
tree_depths AS (
    SELECT root_row, max(depth) AS tree_depth FROM linked_tree GROUP BY root_row
),
linked_levels AS (
    SELECT l.contact_row, t.depth AS org_level, d.tree_depth
    FROM manager_links l
    LEFT JOIN linked_tree t USING (contact_row)
    LEFT JOIN tree_depths d USING (root_row)
    UNION ALL
    SELECT root_row, 1, tree_depth FROM tree_depths
)"""
