"""Whether the database holds the demo portfolio, and clearing it for real data.

``write_demo`` marks the database (``workbench_meta.demo_data``); the first real
import can then replace the demo instead of mixing customers into it.
"""

from __future__ import annotations

from workbench.access import require
from workbench.domain import Actor
from workbench.store._base import Connection
from workbench.store.connection import (
    get_meta,
    replace_data,
    set_meta,
    write_transaction,
)
from workbench.store.imports.integrity import WORK_REFERENCES

#: The meta key ``write_demo`` sets; ``"true"`` while the demo is in the database.
DEMO_KEY = "demo_data"

#: Tables that hold work done on the demo's accounts, people and answers
#: (every table a work reference leaves from), and the demo's own import
#: journal; they go with it. Settings that name no record (cost rates, wallet
#: shares by industry, scenarios, service models) stay.
_DEMO_WORK_TABLES = (
    *dict.fromkeys(table for table, *_ in WORK_REFERENCES),
    "import_undo_rows",
)


def holds_demo(con: Connection) -> bool:
    """Return whether the database still holds the demo portfolio.

    A database written before the mark existed holds the demo when it has the
    demo's seed and no mark.
    """
    mark = get_meta(con, DEMO_KEY)
    if mark is None:
        return get_meta(con, "demo_seed") is not None
    return mark == "true"


def mark_demo(cur: Connection, is_demo: bool) -> None:
    """Record (inside a write transaction) whether the CRM data is the demo's."""
    set_meta(cur, DEMO_KEY, "true" if is_demo else "false")


def clear_demo(cur: Connection) -> None:
    """Empty the CRM tables and the work done on them; the demo mark goes.

    Runs inside the caller's write transaction (an import that replaces the
    demo), so a rejected import leaves the demo exactly as it was.
    """
    for table in _DEMO_WORK_TABLES:
        cur.execute(f"DELETE FROM {table}")
    replace_data(cur, {})
    mark_demo(cur, False)


def remove_demo(con: Connection, actor: Actor) -> None:
    """Empty a database of the demo portfolio (and mark it as holding none).

    Raises:
        PermissionDeniedError: the actor may not import.
    """
    require(actor, "import")
    with write_transaction(con) as cur:
        clear_demo(cur)
