"""The segmentation's saved decisions: relationship overrides and threshold scenarios.

A workshop overrides an account's relationship type with a reason, and saves
threshold sets under a name; both are kept with who decided and when.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from workbench.access import require
from workbench.domain import RELATIONSHIP_TYPES, Actor
from workbench.errors import RejectedInputError
from workbench.store._base import Connection, _require_account, _stamped
from workbench.store.connection import query_frame, record_json, write_transaction
from workbench.store.versions import DECISION_TABLES


def relationship_overrides(con: Connection) -> pl.DataFrame:
    """Return every manual relationship decision: account, type, reason, who, when."""
    return query_frame(
        con,
        """
        SELECT account_id, relationship, reason, set_by, set_at
        FROM relationship_overrides ORDER BY account_id
        """,
    )


def set_relationship_override(
    con: Connection, actor: Actor, account_id: str, relationship: str, reason: str
) -> None:
    """Record (or replace) a manual transactional/partnership decision for an account.

    Raises:
        PermissionDeniedError: the actor may not edit.
        RejectedInputError: unknown account or type, or an empty reason.
    """
    require(actor, "edit")
    reason = (reason or "").strip()
    if relationship not in RELATIONSHIP_TYPES:
        raise RejectedInputError(
            f"relationship must be one of {', '.join(RELATIONSHIP_TYPES)}, "
            f"not {relationship!r}"
        )
    if not reason:
        raise RejectedInputError("say why: an override needs a reason")
    # a decision, not a fact: the account features stay as they were read
    with write_transaction(con, facts=False) as cur:
        _require_account(cur, account_id)
        cur.execute(
            """
            INSERT INTO relationship_overrides VALUES ($id, $rel, $reason, $who, $at)
            ON CONFLICT (account_id) DO UPDATE SET relationship = excluded.relationship,
                reason = excluded.reason, set_by = excluded.set_by,
                set_at = excluded.set_at
            """,
            _stamped(
                actor,
                id=account_id,
                rel=relationship,
                reason=reason,
            ),
        )


def delete_relationship_override(
    con: Connection, actor: Actor, account_id: str
) -> bool:
    """Remove an account's manual decision; return whether there was one."""
    return _delete_one(con, actor, ("relationship_overrides", "account_id"), account_id)


def segment_scenarios(con: Connection) -> pl.DataFrame:
    """Return saved scenarios: ``name``, ``thresholds`` (JSON text), who, when."""
    return query_frame(
        con,
        "SELECT name, thresholds, saved_by, saved_at FROM segment_scenarios "
        "ORDER BY name",
    )


def save_segment_scenario(
    con: Connection, actor: Actor, name: str, thresholds: dict[str, Any]
) -> None:
    """Save (or replace) a named set of segmentation thresholds.

    Raises:
        PermissionDeniedError: the actor may not edit.
        RejectedInputError: an empty name or no thresholds.
    """
    require(actor, "edit")
    name = (name or "").strip()
    if not name:
        raise RejectedInputError("a scenario needs a name")
    if not thresholds:
        raise RejectedInputError("a scenario needs its thresholds")
    save_scenario_row(
        con, actor, "segment_scenarios", ("name", name), ("thresholds", thresholds)
    )


def save_scenario_row(
    con: Connection,
    actor: Actor,
    table: str,
    key: tuple[str, str],
    saved: tuple[str, object],
) -> None:
    """Save (or replace) a scenario's row, laid out as (name, JSON, saved_by, saved_at).

    ``key`` is the name column and the scenario's name (at most 200 characters);
    ``saved`` the JSON column and what it stores.

    Raises:
        PermissionDeniedError: the actor may not edit.
        RejectedInputError: the name is longer than 200 characters.
    """
    require(actor, "edit")
    column, name = key
    value, content = saved
    if len(name) > 200:
        raise RejectedInputError("a scenario name has at most 200 characters")
    with write_transaction(con, facts=table not in DECISION_TABLES) as cur:
        cur.execute(
            f"""
            INSERT INTO {table} VALUES ($name, $saved, $who, $at)
            ON CONFLICT ({column}) DO UPDATE SET {value} = excluded.{value},
                saved_by = excluded.saved_by, saved_at = excluded.saved_at
            """,
            _stamped(actor, name=name, saved=record_json(content)),
        )


def delete_segment_scenario(con: Connection, actor: Actor, name: str) -> bool:
    """Remove a saved scenario; return whether it existed."""
    return _delete_one(con, actor, ("segment_scenarios", "name"), name)


def _delete_one(
    con: Connection, actor: Actor, where: tuple[str, str], key: str
) -> bool:
    """Delete the row of a table (``where``: table, key column) with this key.

    Return whether there was one. Needs the ``edit`` right.
    """
    require(actor, "edit")
    table, column = where
    with write_transaction(con, facts=table not in DECISION_TABLES) as cur:
        rows = cur.execute(
            f"DELETE FROM {table} WHERE {column} = $key RETURNING 1",
            parameters={"key": key},
        ).fetchall()
    return bool(rows)
