"""Reporting levels in SQL: how far up each contact's manager chain reaches.

A recursive query over hundreds of thousands of contacts, or one join per level,
costs several times more in DuckDB than pointer jumping, which doubles each
contact's reach with every self-join. The steps need a ``manager_links`` CTE
(``contact_id``, ``manager_id``: the manager within the same account).
"""

from __future__ import annotations


def jump_steps(levels: int) -> tuple[str, str]:
    """Return the pointer-jumping steps that reach ``levels`` up, and the last's name.

    Step 0 points each contact at its manager (one level); each next step points
    it at its pointer's pointer, doubling the reach, so four steps see 16 levels.
    A top points at itself at distance 0.
    """
    steps = [
        "jump0 AS (SELECT c.contact_id, coalesce(l.manager_id, c.contact_id) AS up, "
        "CASE WHEN l.manager_id IS NULL THEN 0 ELSE 1 END AS dist "
        "FROM contacts c LEFT JOIN manager_links l USING (contact_id))"
    ]
    reach = 1
    while reach < levels:
        step = len(steps)
        steps.append(
            f"jump{step} AS (SELECT j.contact_id, k.up, j.dist + k.dist AS dist "
            f"FROM jump{step - 1} j JOIN jump{step - 1} k ON k.contact_id = j.up)"
        )
        reach *= 2
    return ",\n".join(steps), f"jump{len(steps) - 1}"
