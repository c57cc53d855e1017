"""Saving and loading plans through the store: versions, conflicts, history."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import polars as pl

from workbench import store
from workbench.access import require
from workbench.errors import RejectedInputError
from workbench.plans.lines import (
    _problems_message,
    validate_plan,
)
from workbench.plans.model import (
    Plan,
    PlanConflictError,
    PlanVersion,
    plan_from_json,
    plan_to_json,
)

if TYPE_CHECKING:
    from workbench.domain import Actor


def save_plan(
    con: store.Connection,
    actor: Actor,
    plan: Plan,
    *,
    based_on: int,
    now: datetime | None = None,
) -> PlanVersion:
    """Save the plan as a new version and return it; never overwrite a newer one.

    The version check and the insert run in one serialised write transaction, so of
    two saves based on the same version exactly one succeeds. Any failure rolls the
    whole save back and leaves the previous version as it was.

    Args:
        con: the database.
        actor: who saves; needs the ``plan`` permission.
        plan: the plan as edited.
        based_on: the version the edit started from (0 for a first plan).
        now: the save time in UTC (default: now).

    Raises:
        PermissionDeniedError: the actor may not write plans.
        RejectedInputError: the plan has problems (the message lists them all).
        PlanConflictError: someone saved a newer version; the plan is attached.
    """
    require(actor, "plan")
    problems = validate_plan(plan)
    if problems:
        raise RejectedInputError(_problems_message(problems))
    saved_at = now or store.now_utc()
    content = plan_to_json(plan)
    # a plan is a decision: the facts (and the reads kept under them) stay
    with store.write_transaction(con, facts=False) as cur:
        head = store.plan_head(cur, plan.account_id)
        current = head["version"] if head else 0
        if current != based_on:
            if head is None:
                raise RejectedInputError(
                    f"Not saved: there is no version {based_on} of the plan for "
                    f"{plan.account_id}; reload the plan and save again."
                )
            raise PlanConflictError(
                plan, based_on, current, str(head["saved_by"]), head["saved_at"]
            )
        version = current + 1
        store.insert_plan_version(
            cur,
            account_id=plan.account_id,
            version=version,
            based_on=based_on,
            content=content,
            status=plan.status,
            saved_by=actor.name,
            saved_at=saved_at,
        )
        store.insert_plan_lines(
            cur,
            account_id=plan.account_id,
            version=version,
            objectives=[
                (o.objective, o.measure, o.target, o.due_on, o.status)
                for o in plan.objectives
            ],
            actions=[
                (a.contact, a.action, a.owner, a.due_on, a.status) for a in plan.actions
            ],
            risks=[(r.risk, r.risk_date, r.severity) for r in plan.risks],
        )
    return PlanVersion(
        account_id=plan.account_id,
        version=version,
        based_on=based_on,
        saved_by=actor.name,
        saved_at=saved_at,
        plan=plan,
    )


def load_plan(
    con: store.Connection, account_id: str, version: int | None = None
) -> PlanVersion | None:
    """Return one version of the account's plan (the current one by default)."""
    row = store.plan_content(con, account_id, version)
    if row is None:
        return None
    return PlanVersion(
        account_id=account_id,
        version=row["version"],
        based_on=int(row["based_on"] or 0),
        saved_by=str(row["saved_by"] or ""),
        saved_at=row["saved_at"],
        plan=plan_from_json(row["content"]),
    )


def restore_version(
    con: store.Connection,
    actor: Actor,
    account_id: str,
    version: int,
    *,
    based_on: int,
) -> PlanVersion:
    """Save an older version's content again as the new current version.

    Nothing is lost: the versions in between stay in the history. ``based_on`` is
    the version the person saw as current, so a save made meanwhile is not
    overwritten (:class:`PlanConflictError`).

    Raises:
        RejectedInputError: there is no such version.
    """
    old = load_plan(con, account_id, version)
    if old is None:
        raise RejectedInputError(f"{account_id} has no plan version {version}")
    return save_plan(con, actor, old.plan, based_on=based_on)


def plan_history(con: store.Connection, account_id: str) -> pl.DataFrame:
    """Return every version of the account's plan with who and when, newest first."""
    return store.plan_versions(con, account_id)


def plan_accounts(con: store.Connection) -> pl.DataFrame:
    """Return every account with its owner and current plan version (null: none)."""
    return store.plan_accounts(con)
