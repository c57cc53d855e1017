"""Whether the database holds the demo portfolio, clearing it, and replacing the data.

``write_demo`` marks the database (``workbench_meta.demo_data``); the first real
import can then replace the demo instead of mixing customers into it.
"""

from __future__ import annotations

import polars as pl

from workbench.access import require
from workbench.domain import Actor
from workbench.store._base import Connection
from workbench.store.connection import (
    get_meta,
    insert_frame,
    set_meta,
    write_transaction,
)
from workbench.store.imports.integrity import WORK_REFERENCES, remove_stranded_work
from workbench.store.imports.staging import _IMPORT_KEYS
from workbench.store.tables import DATA_TABLES
from workbench.store.versions import scope_every_account

#: The meta key ``write_demo`` sets; ``"true"`` while the demo is in the database.
DEMO_KEY = "demo_data"

#: Tables that hold work done on the demo's accounts, people and answers
#: (every table a work reference leaves from); they go with it. Settings that
#: name no record (cost rates, wallet shares by industry, scenarios, service
#: models) stay.
DEMO_WORK_TABLES: tuple[str, ...] = tuple(
    dict.fromkeys(table for table, *_ in WORK_REFERENCES)
)

#: The journal's name for the demo's mark: an import run whose journal holds
#: it replaced the demo, and its undo brings the demo back.
DEMO_JOURNAL_TABLE = "workbench_meta"

#: How the journal keys a buying-situation rating (as the import's own
#: journal of ratings does: its undo puts them back by this key).
_SITUATION_KEY = "account_id || '|' || factor"


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


def clear_demo(cur: Connection, run_id: int | None = None) -> None:
    """Empty the CRM tables and the work done on them; the demo mark goes.

    Runs inside the caller's write transaction (an import that replaces the
    demo), so a rejected import leaves the demo exactly as it was. With
    ``run_id`` (that import's run), every row removed is journalled under the
    run first, so that undoing the import brings the demo back with its work
    (:mod:`.imports.undo`). The demo's own import journal goes: none of its
    runs can be undone after this one.
    """
    if run_id is not None:
        _journal_demo(cur, run_id)
    for table in (*DEMO_WORK_TABLES, "import_undo_rows"):
        cur.execute(f"DELETE FROM {table}")
    replace_data(cur, {})
    mark_demo(cur, False)
    if run_id is not None:
        cur.execute("INSERT INTO import_undo_rows SELECT * FROM _demo_journal")
        cur.execute("DROP TABLE _demo_journal")


def _journal_demo(cur: Connection, run_id: int) -> None:
    """Journal every row of the demo and its work under ``run_id`` (a temp table).

    The rows go in as the import's before-images do (``existed``, the row as
    JSON, keyed as the import keys its tables; the work needs no key but the
    ratings'), with one row that says the demo was there. Kept aside while the
    tables are emptied: emptying them empties the journal too.
    """
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE _demo_journal AS "
        "SELECT * FROM import_undo_rows LIMIT 0"
    )
    keys = {
        **{table: _IMPORT_KEYS[table] for table in DATA_TABLES},
        **dict.fromkeys(DEMO_WORK_TABLES, "NULL"),
        "account_situation": _SITUATION_KEY,
    }
    for table, key in keys.items():
        cur.execute(
            f"INSERT INTO _demo_journal SELECT $run, $table, {key}, true, "
            f"to_json(x)::VARCHAR FROM {table} x",
            {"run": run_id, "table": table},
        )
    cur.execute(
        "INSERT INTO _demo_journal VALUES ($run, $mark, $key, true, NULL)",
        {"run": run_id, "mark": DEMO_JOURNAL_TABLE, "key": DEMO_KEY},
    )


def remove_demo(con: Connection, actor: Actor) -> None:
    """Empty a database of the demo portfolio (and mark it as holding none).

    Raises:
        PermissionDeniedError: the actor may not import.
    """
    require(actor, "import")
    with write_transaction(con) as cur:
        clear_demo(cur)


def replace_data(cur: Connection, frames: dict[str, pl.DataFrame]) -> dict[str, int]:
    """Empty every CRM data table and fill those given, inside a write transaction.

    Columns missing from a frame stay NULL; extra columns are an error. The
    last import's undo journal goes too: none of its rows is left to undo, and
    a journal that says "every row of the table was the import's" would
    otherwise take the new rows away. The work done on records the new data
    no longer holds (a plan, a decision, an estimate, an edit) goes with them,
    so that nothing points at nothing; work on records it holds again stays.

    Returns:
        The rows of work removed, per table (none: an empty mapping).
    """
    scope_every_account(cur)
    cur.execute("DELETE FROM import_undo_rows")
    for table in reversed(DATA_TABLES):
        cur.execute(f"DELETE FROM {table}")
    for table in DATA_TABLES:
        if table in frames:
            insert_frame(cur, table, frames[table])
    return remove_stranded_work(cur)
