"""Undoing the last import: every row it touched back as it was before it.

The commit journals what undo needs in ``import_undo_rows``
(:mod:`.commit`): the keys of the rows it added (or one row without a key
for a table that held nothing), the before-images of the rows it replaced;
the rows of a table with an ``import_run_id`` carry the run's mark instead.
An import that replaced the demo journals the demo too, every row and the
work done on it (:func:`~workbench.store.demo_data.clear_demo`), so that its
undo brings the demo back as it was.
"""

from __future__ import annotations

import json
from typing import Any

from workbench.access import require
from workbench.domain import Actor, Wording
from workbench.errors import RejectedInputError
from workbench.i18n import N_
from workbench.store._base import Connection
from workbench.store.connection import query_frame, table_columns, write_transaction
from workbench.store.demo_data import (
    DEMO_JOURNAL_TABLE,
    DEMO_WORK_TABLES,
    mark_demo,
)
from workbench.store.imports.currency import undo_currency
from workbench.store.imports.integrity import (
    dangling_counts,
    references_into,
    refuse_undo_that_dangles,
)
from workbench.store.imports.situation import undo_account_situation
from workbench.store.imports.staging import _IMPORT_KEYS, IMPORT_ORDER


def last_undoable_import(con: Connection) -> int | None:
    """Return the run that :func:`undo_last_import` would undo, or None."""
    rows = query_frame(
        con,
        """
        SELECT max(r.run_id) AS run_id FROM import_runs r
        WHERE r.status = 'committed'
          AND r.run_id = (SELECT max(run_id) FROM import_runs WHERE status IN ('committed', 'undone'))
          AND (EXISTS (SELECT 1 FROM import_undo_rows u WHERE u.run_id = r.run_id)
               OR EXISTS (SELECT 1 FROM activities a WHERE a.import_run_id = r.run_id))
        """,
    )
    value = rows["run_id"][0]
    return int(value) if value is not None else None


def undo_last_import(con: Connection, actor: Actor) -> dict[str, Any]:
    """Restore every row the last committed import touched to its state before it.

    Rows it inserted are deleted; rows it changed get their earlier values back;
    a demo it replaced comes back with the work done on it.

    Returns:
        ``run_id`` and the rows restored per table.

    Raises:
        RejectedInputError: there is no import to undo, or undoing it would
            leave work done since (or data written since) pointing at records
            it removes, or bring a demo it replaced back over work done since;
            nothing is changed then.
    """
    require(actor, "import")
    run_id = last_undoable_import(con)
    if run_id is None:
        raise RejectedInputError(Wording(N_("there is no import to undo.")))
    restored: dict[str, int] = {}
    with write_transaction(con) as cur:
        replaced_demo = _replaced_demo(cur, run_id)
        if replaced_demo:
            _refuse_demo_over_work(cur, run_id)
        guarded = references_into(_tables_the_run_wrote(cur, run_id))
        dangling_before = dangling_counts(cur, guarded)
        for table in reversed(IMPORT_ORDER):
            key = _IMPORT_KEYS[table]
            touched = int(
                cur.execute(
                    "SELECT count(*) FROM import_undo_rows WHERE run_id = $run AND table_name = $t",
                    parameters={"run": run_id, "t": table},
                ).fetchall()[0][0]
            )
            if "import_run_id" in table_columns(cur, table):
                # Rows the run inserted carry its mark instead of a journal row.
                added = cur.execute(
                    f"""
                    DELETE FROM {table} WHERE import_run_id = $run AND {key} NOT IN (
                        SELECT row_key FROM import_undo_rows
                        WHERE run_id = $run AND table_name = $t)
                    """,
                    {"run": run_id, "t": table},
                ).fetchall()
                touched += int(added[0][0]) if added else 0
            if not touched:
                continue
            whole = cur.execute(
                "SELECT count(*) FROM import_undo_rows "
                "WHERE run_id = $run AND table_name = $t AND row_key IS NULL",
                parameters={"run": run_id, "t": table},
            ).fetchall()[0][0]
            if whole:
                # all its rows are the run's: the table held nothing before it,
                # or the run emptied it of the demo (whose rows come back below)
                touched = int(
                    cur.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
                )
                cur.execute(f"DELETE FROM {table}")
            cur.execute(
                f"""
                DELETE FROM {table} WHERE {key} IN (
                    SELECT row_key FROM import_undo_rows WHERE run_id = $run AND table_name = $t)
                """,
                {"run": run_id, "t": table},
            )
            back = _put_back(cur, run_id, table)
            # a whole table's journal rows are the demo's, put back on top
            restored[table] = touched + back if whole else touched
        undo_currency(cur, run_id)
        situation = undo_account_situation(cur, run_id)
        if situation:
            restored["account_situation"] = situation
        if replaced_demo:
            restored |= _demo_work_back(cur, run_id)
            mark_demo(cur, True)
        refuse_undo_that_dangles(cur, guarded, dangling_before, run_id)
        cur.execute("DELETE FROM import_undo_rows WHERE run_id = $run", {"run": run_id})
        cur.execute(
            "UPDATE import_runs SET status = 'undone' WHERE run_id = $run",
            {"run": run_id},
        )
    return {"run_id": run_id, "restored": restored}


def _tables_the_run_wrote(cur: Connection, run_id: int) -> set[str]:
    """Return the tables whose rows undoing ``run_id`` may remove."""
    tables = {
        str(name)
        for (name,) in cur.execute(
            "SELECT DISTINCT table_name FROM import_undo_rows WHERE run_id = $run",
            parameters={"run": run_id},
        ).fetchall()
    }
    for table in IMPORT_ORDER:
        # rows the run inserted carry its mark instead of a journal row
        if table not in tables and "import_run_id" in table_columns(cur, table):
            marked = cur.execute(
                f"SELECT 1 FROM {table} WHERE import_run_id = $run LIMIT 1",
                parameters={"run": run_id},
            ).fetchall()
            if marked:
                tables.add(table)
    return tables


def _put_back(cur: Connection, run_id: int, table: str) -> int:
    """Insert the rows ``run_id`` journalled as they were before it; return them."""
    structure = {
        str(name): str(dtype)
        for name, dtype in cur.execute(
            """
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_name = $t AND table_schema = 'main' ORDER BY ordinal_position
            """,
            parameters={"t": table},
        ).fetchall()
    }
    inserted = cur.execute(
        f"""
        INSERT INTO {table} BY NAME
        SELECT unnest(from_json(row_json, $structure))
        FROM import_undo_rows
        WHERE run_id = $run AND table_name = $t AND existed
        """,
        {"run": run_id, "t": table, "structure": json.dumps(structure)},
    ).fetchall()
    return int(inserted[0][0]) if inserted else 0


def _replaced_demo(cur: Connection, run_id: int) -> bool:
    """Whether ``run_id`` replaced the demo (its journal holds the demo's mark)."""
    return bool(
        cur.execute(
            "SELECT count(*) FROM import_undo_rows "
            "WHERE run_id = $run AND table_name = $mark",
            parameters={"run": run_id, "mark": DEMO_JOURNAL_TABLE},
        ).fetchall()[0][0]
    )


def _work_since(cur: Connection, run_id: int) -> dict[str, int]:
    """Return the rows of work done since ``run_id`` replaced the demo, per table.

    The demo's work went with it, so every row is later work, but for the
    buying-situation ratings the run itself imported (its undo takes them).
    """
    # the run's own ratings are those its journal says it added
    imported = (
        "account_id || '|' || factor NOT IN (SELECT row_key FROM import_undo_rows "
        "WHERE run_id = $run AND table_name = 'account_situation' AND NOT existed)"
    )
    counts: dict[str, int] = {}
    for table in DEMO_WORK_TABLES:
        if table == "account_situation":
            sql, params = (
                f"SELECT count(*) FROM {table} WHERE {imported}",
                {"run": run_id},
            )
        else:
            sql, params = f"SELECT count(*) FROM {table}", None
        rows = cur.execute(sql, parameters=params).fetchall()[0][0]
        if rows:
            counts[table] = int(rows)
    return counts


def _refuse_demo_over_work(cur: Connection, run_id: int) -> None:
    """Raise if bringing the demo back would mix it with work done since.

    That work was done on the import's records (or on records under the
    demo's IDs): it would point at nothing, or at a demo record it was not
    meant for.
    """
    work = _work_since(cur, run_id)
    if work:
        raise RejectedInputError(
            Wording(
                N_(
                    "undoing import run {run} would bring back the demo portfolio "
                    "it replaced over work done since ({work}), so nothing was "
                    "undone; the import stays."
                ),
                (
                    ("run", run_id),
                    ("work", ", ".join(f"{t}: {n}" for t, n in work.items())),
                ),
            )
        )


def _demo_work_back(cur: Connection, run_id: int) -> dict[str, int]:
    """Put back the work done on the demo the run replaced; return rows per table.

    The ratings come back with the import's own (:func:`undo_account_situation`).
    """
    back: dict[str, int] = {}
    for table in DEMO_WORK_TABLES:
        if table != "account_situation":
            rows = _put_back(cur, run_id, table)
            if rows:
                back[table] = rows
    return back
