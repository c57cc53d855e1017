"""What an import will do, and the promise that it leaves nothing dangling.

``import_plan`` counts, per table, the built rows that will be added and those
that will update a stored record. ``orphan_counts`` counts references to records
that do not exist; the commit runs it over the rows it wrote inside the write
transaction and rolls back if anything would dangle.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import polars as pl

from workbench.domain import Wording
from workbench.errors import RejectedInputError
from workbench.i18n import N_
from workbench.store._base import Connection, _frame
from workbench.store.connection import UNINDEXED_KEYS
from workbench.store.imports.erp import erp_lines_added_up
from workbench.store.imports.staging import _IMPORT_KEYS, IMPORT_ORDER

#: (table, column, referenced table, referenced key): every reference between
#: the CRM tables. After a commit none of them may point at nothing.
REFERENCES: tuple[tuple[str, str, str, str], ...] = (
    ("accounts", "parent_account_id", "accounts", "account_id"),
    ("accounts", "owner_seller_id", "sellers", "seller_id"),
    ("contacts", "account_id", "accounts", "account_id"),
    ("contacts", "reports_to_id", "contacts", "contact_id"),
    ("opportunities", "account_id", "accounts", "account_id"),
    ("opportunities", "owner_seller_id", "sellers", "seller_id"),
    ("opportunity_contacts", "opportunity_id", "opportunities", "opportunity_id"),
    ("opportunity_contacts", "contact_id", "contacts", "contact_id"),
    ("activities", "account_id", "accounts", "account_id"),
    ("activities", "contact_id", "contacts", "contact_id"),
    ("activities", "seller_id", "sellers", "seller_id"),
    ("contact_influences", "from_contact_id", "contacts", "contact_id"),
    ("contact_influences", "to_contact_id", "contacts", "contact_id"),
    ("nps_responses", "account_id", "accounts", "account_id"),
    ("nps_responses", "contact_id", "contacts", "contact_id"),
    ("contracts", "account_id", "accounts", "account_id"),
    ("opportunities", "contract_id", "contracts", "contract_id"),
    ("erp_revenue", "account_id", "accounts", "account_id"),
)

#: The same for the work done on those records in the workbench: plans,
#: decisions, estimates, ratings (an import may bring those too), edits, needs
#: and follow-ups. Removing records (the demo replaced, an import undone) must
#: not leave them pointing at nothing.
WORK_REFERENCES: tuple[tuple[str, str, str, str], ...] = (
    ("account_plans", "account_id", "accounts", "account_id"),
    ("plan_objectives", "account_id", "accounts", "account_id"),
    ("plan_actions", "account_id", "accounts", "account_id"),
    ("plan_risks", "account_id", "accounts", "account_id"),
    ("relationship_overrides", "account_id", "accounts", "account_id"),
    ("contact_edits", "contact_id", "contacts", "contact_id"),
    ("account_wallet_estimates", "account_id", "accounts", "account_id"),
    ("account_situation", "account_id", "accounts", "account_id"),
    ("account_requirements", "account_id", "accounts", "account_id"),
    ("account_requirements", "contact_id", "contacts", "contact_id"),
    ("account_requirements", "response_id", "nps_responses", "response_id"),
    ("requirement_conflicts", "account_id", "accounts", "account_id"),
    (
        "requirement_conflicts",
        "requirement_a",
        "account_requirements",
        "requirement_id",
    ),
    (
        "requirement_conflicts",
        "requirement_b",
        "account_requirements",
        "requirement_id",
    ),
    ("detractor_followups", "response_id", "nps_responses", "response_id"),
    ("detractor_followups", "account_id", "accounts", "account_id"),
    ("detractor_followups", "contact_id", "contacts", "contact_id"),
)


def _dangles(column: str, target: str, target_key: str) -> str:
    """The condition that a row (alias ``t``) of a reference points at nothing."""
    return (
        f"t.{column} IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {target} x WHERE x.{target_key} = t.{column})"
    )


def _orphans_sql(table: str, column: str, target: str, target_key: str) -> str:
    return (
        f"SELECT t.{column} AS value FROM {table} t "
        f"WHERE {_dangles(column, target, target_key)}"
    )


def orphan_counts(con: Connection) -> dict[str, int]:
    """Return ``table.column`` → references to a record that does not exist (all rows).

    The CRM tables' references and the work's (:data:`WORK_REFERENCES`).
    """
    with con.cursor() as cur:
        return dangling_counts(cur, (*REFERENCES, *WORK_REFERENCES))


def dangling_counts(
    cur: Connection, references: Sequence[tuple[str, str, str, str]]
) -> dict[str, int]:
    """Return ``table.column`` → references to nothing, for ``references`` only.

    Inside a write transaction, before and after removing records, to see
    what the removal would leave dangling (:func:`refuse_undo_that_dangles`).
    """
    return {
        f"{table}.{column}": int(
            cur.execute(
                f"SELECT count(*) FROM ({_orphans_sql(table, column, target, key)})"
            ).fetchall()[0][0]
        )
        for table, column, target, key in references
    }


def remove_stranded_work(cur: Connection) -> dict[str, int]:
    """Delete the work that points at records no longer held; return rows per table.

    For a write that replaces the CRM data wholesale by request (the demo
    written over a database): the work on records it kept stays, the work on
    records it removed cannot be shown and goes. In :data:`WORK_REFERENCES`'s
    order, so that a requirement's conflicts go with it.
    """
    removed: dict[str, int] = {}
    for table, column, target, key in WORK_REFERENCES:
        deleted = cur.execute(
            f"DELETE FROM {table} t WHERE {_dangles(column, target, key)}"
        ).fetchall()
        count = int(deleted[0][0]) if deleted else 0
        if count:
            removed[table] = removed.get(table, 0) + count
    return removed


def references_into(tables: Collection[str]) -> tuple[tuple[str, str, str, str], ...]:
    """Return the references (CRM and work) that point into ``tables``."""
    return tuple(
        reference
        for reference in (*REFERENCES, *WORK_REFERENCES)
        if reference[2] in tables
    )


def refuse_undo_that_dangles(
    cur: Connection,
    references: Sequence[tuple[str, str, str, str]],
    before: dict[str, int],
    run_id: int,
) -> None:
    """Raise if undoing ``run_id`` left more references to nothing than ``before``.

    Work done after an import on the records it added (a plan, a decision, an
    estimate, an edit), or data written since that names them, would point at
    nothing once the import is undone. The undo is refused instead (the caller
    rolls back): nothing is lost, and another import can correct the records.
    Defects an older file held before the undo are not counted against it.

    Raises:
        RejectedInputError: the undo would leave something dangling.
    """
    after = dangling_counts(cur, references)
    dangling: list[str] = []
    for table, column, target, key in references:
        name = f"{table}.{column}"
        if after[name] > before.get(name, 0):
            rows = cur.execute(
                f"{_orphans_sql(table, column, target, key)} LIMIT 3"
            ).fetchall()
            dangling.append(f"{name} → {target} ({_quoted(rows)})")
    if dangling:
        raise RejectedInputError(
            Wording(
                N_(
                    "undoing import run {run} would leave records pointing at "
                    "nothing, so nothing was undone: {dangling}. They were made "
                    "after that import, on records it added; the import stays, "
                    "and another import can correct its records."
                ),
                (("run", run_id), ("dangling", "; ".join(dangling))),
            )
        )


def _raise_if_dangling(
    cur: Connection, tables: Sequence[str], rows_of: dict[str, str]
) -> None:
    """Raise if a reference of ``tables``' rows named by ``rows_of`` points at nothing.

    ``rows_of`` gives per table the SQL condition (over alias ``t``) that picks
    the rows this import wrote.
    """
    dangling: list[str] = []
    for table, column, target, target_key in REFERENCES:
        if table not in tables:
            continue
        rows = cur.execute(
            f"""
            SELECT t.{column} FROM {table} t
            WHERE {_dangles(column, target, target_key)}
              AND {rows_of[table]}
            LIMIT 3
            """
        ).fetchall()
        if rows:
            dangling.append(f"{table}.{column} → {target} ({_quoted(rows)})")
    if dangling:
        raise _refused(
            N_(
                "the import would leave records pointing at nothing, so nothing "
                "was written: {dangling}"
            ),
            "dangling",
            dangling,
        )


def _quoted(rows: list[tuple[object, ...]]) -> str:
    """Return the rows' first values, each in quotes, for a refusal."""
    return ", ".join(f"“{r[0]}”" for r in rows)


def _refused(message: str, name: str, found: list[str]) -> RejectedInputError:
    """Return the commit's refusal: ``message`` naming what was ``found``."""
    return RejectedInputError(Wording(message, ((name, "; ".join(found)),)))


def import_assert_no_orphans(cur: Connection, tables: Sequence[str]) -> None:
    """Raise if a row this import wrote refers to a record that does not exist.

    Runs inside the commit's write transaction, after the upserts: the check is
    limited to the rows of ``_import_new_<table>`` so that an older database's
    own defects do not block every later import.

    Raises:
        RejectedInputError: something would dangle; the caller rolls back.
    """
    _raise_if_dangling(
        cur,
        tables,
        {
            table: f"{_IMPORT_KEYS[table]} IN (SELECT {_IMPORT_KEYS[table]} "
            f"FROM _import_new_{table})"
            for table in tables
        },
    )


#: Tables whose key no index holds (:data:`~workbench.store.connection.UNINDEXED_KEYS`)
#: and whose written IDs the commit checks. Activities are checked by their
#: one-pass load; their staged rows are unique by the same construction as these.
UNINDEXED_KEY_TABLES = tuple(t for t in UNINDEXED_KEYS if t != "activities")


def import_assert_unique_keys(cur: Connection, tables: Sequence[str]) -> None:
    """Raise if an ID this import wrote is held by more than one row.

    The import keeps these tables' IDs unique by construction (an ID twice in
    the files is refused; a stored record is deleted before its new row is
    written); this is the promise kept where no key index holds it, over the
    IDs of ``_import_new_<table>`` only, inside the commit's transaction. The
    commit passes the tables where it replaced stored records.

    Raises:
        RejectedInputError: an ID would be held twice; the caller rolls back.
    """
    doubled: list[str] = []
    for table in tables:
        if table not in UNINDEXED_KEY_TABLES:
            continue
        key = _IMPORT_KEYS[table]
        rows = cur.execute(
            f"""
            SELECT {key} FROM {table}
            SEMI JOIN (SELECT {key} FROM _import_new_{table}) USING ({key})
            GROUP BY {key} HAVING count(*) > 1 LIMIT 3
            """
        ).fetchall()
        if rows:
            doubled.append(f"{table}.{key} ({_quoted(rows)})")
    if doubled:
        raise _refused(
            N_(
                "the import would store two records under one ID, so nothing "
                "was written: {doubled}"
            ),
            "doubled",
            doubled,
        )


def import_assert_run_has_no_orphans(cur: Connection, table: str, run_id: int) -> None:
    """Raise if a row the one-pass load marked with ``run_id`` refers to nothing.

    The one-pass activity load writes straight into ``table`` (no
    ``_import_new_<table>``); this is its last word before the commit, as
    :func:`import_assert_no_orphans` is the staged path's.

    Raises:
        RejectedInputError: something would dangle; the caller rolls back.
    """
    _raise_if_dangling(cur, [table], {table: f"t.import_run_id = {int(run_id)}"})


def import_built_tables(cur: Connection, staged: Sequence[str]) -> list[str]:
    """Return the tables the commit writes: the staged ones and those build filled.

    Build creates accounts (and sellers) that records name only by name; they are
    written even when no file of the import holds that table.
    """
    tables = set(staged)
    for table in ("sellers", "accounts"):
        exists = cur.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = $t AND temporary",
            parameters={"t": f"_import_new_{table}"},
        ).fetchall()[0][0]
        if (
            exists
            and cur.execute(f"SELECT count(*) FROM _import_new_{table}").fetchall()[0][
                0
            ]
        ):
            tables.add(table)
    return [t for t in IMPORT_ORDER if t in tables]


def import_plan(cur: Connection, tables: Sequence[str]) -> dict[str, dict[str, int]]:
    """Return, per table the commit writes, rows to ``add`` and to ``update``.

    ``created`` counts the records made from a name another record gives
    (accounts and sellers), which no file row holds.
    """
    plan: dict[str, dict[str, int]] = {}
    for table in import_built_tables(cur, tables):
        key = _IMPORT_KEYS[table]
        created = (
            "count(*) FILTER (WHERE created_from_reference)"
            if table in {"accounts", "sellers"}
            else "0"
        )
        total, existing, made = cur.execute(
            f"""
            SELECT count(*), count(*) FILTER (WHERE n._k IN (SELECT {key} FROM {table})),
                   {created}
            FROM (SELECT *, {key} AS _k FROM _import_new_{table}) n
            """
        ).fetchall()[0]
        plan[table] = {
            "add": int(total) - int(existing),
            "update": int(existing),
            "created": int(made),
        }
        if table == "erp_revenue":
            # Lines of one account and month are added up, not left out.
            plan[table]["merged"] = erp_lines_added_up(cur)
    return plan


def import_reporting_lines(cur: Connection) -> pl.DataFrame:
    """Return every reporting line among the imported people and their accounts' people.

    Columns: ``contact_id``, ``name``, ``account_id``, ``reports_to_id``,
    ``manager_account_id``, ``_file``, ``_row`` (null for people already stored).
    """
    frame: pl.DataFrame = _frame(
        cur.sql(
            """
        WITH people AS (
            SELECT contact_id, name, account_id, reports_to_id, _file, _row::BIGINT AS _row
            FROM _import_new_contacts
            UNION ALL
            SELECT contact_id, name, account_id, reports_to_id, NULL, NULL FROM contacts
            WHERE contact_id NOT IN (SELECT contact_id FROM _import_new_contacts)
              AND account_id IN (SELECT account_id FROM _import_new_contacts)
        )
        SELECT p.contact_id, p.name, p.account_id, p.reports_to_id,
               m.account_id AS manager_account_id, p._file, p._row
        FROM people p LEFT JOIN people m ON m.contact_id = p.reports_to_id
        WHERE p.reports_to_id IS NOT NULL
        """
        )
    )
    return frame


def import_clear_reports_to(cur: Connection, contact_ids: Sequence[str]) -> None:
    """Leave out the reporting lines of these imported people (cycles, other accounts)."""
    if contact_ids:
        cur.execute(
            "UPDATE _import_new_contacts SET reports_to_id = NULL "
            "WHERE contact_id IN (SELECT unnest($ids))",
            {"ids": list(contact_ids)},
        )
