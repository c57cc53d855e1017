"""Every write a page makes, as the current user, through the notebook API.

Pages never call the store: each write here is a :class:`~workbench.api.Workbench`
method over the shared connection, so the app, the notebook and the command line
check roles, validate and record the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import polars as pl

from workbench import ingest
from workbench.analytics import segment
from workbench.app import session
from workbench.domain import Actor, Problem
from workbench.ingest import surveys


def import_uploads(
    files: Sequence[tuple[str, bytes]],
    *,
    progress: Callable[[float, str], Any] | None = None,
    **options: Any,
) -> ingest.ImportReport:
    """Import (or, with ``dry_run=True``, check) uploaded CRM exports; see ingest."""
    return session.workbench().import_uploads(files, progress=progress, **options)


def propose_uploads(
    files: Sequence[tuple[str, bytes]], source: str, encoding: str | None
) -> tuple[list[ingest.RecognisedFile], list[Problem]]:
    """Return how each uploaded file would be read and mapped (changes nothing)."""
    return session.workbench().propose_uploads(files, source=source, encoding=encoding)


def undo_last_import(actor: Actor) -> dict[str, Any]:
    """Undo the last committed import (the library checks the actor's role)."""
    return session.workbench().undo_last_import(actor=actor)


def commit_survey_upload(
    file_name: str,
    data: bytes,
    result: surveys.SurveyResult,
    survey_type: str = "relationship",
) -> dict[str, int]:
    """Store a read survey's responses as the current user; return what changed.

    ``survey_type`` goes to the answers whose file does not name their survey.
    """
    return session.workbench().commit_survey(
        file_name, data, result, survey_type=survey_type
    )


def save_detractor_followup(
    response_id: str, owner: str, due_on: date, status: str, note: str | None
) -> None:
    """Record the follow-up of a detractor's answer as the current user."""
    session.workbench().save_detractor_followup(
        response_id, owner=owner, due_on=due_on, status=status, note=note
    )


def add_requirement(
    account_id: str, need: str, role: str | None, category: str, source: str
) -> str:
    """Record what a role of the account needs, as the current user."""
    return session.workbench().add_requirement(
        account_id, need, role=role, category=category, source=source
    )


def promote_comment(response_id: str, category: str) -> str:
    """Put a survey comment into the requirements register, as the current user."""
    return session.workbench().promote_comment(response_id, category=category)


def mark_requirement_conflict(
    requirement_a: str,
    requirement_b: str,
    owner: str,
    status: str,
    resolution: str | None,
) -> str:
    """Mark two requirements as in conflict (or update the mark), as the current user."""
    return session.workbench().mark_requirement_conflict(
        requirement_a, requirement_b, owner=owner, status=status, resolution=resolution
    )


def save_contact_edits(changes: pl.DataFrame) -> int:
    """Save edits to people's roles, influence and attitudes; return how many."""
    return session.workbench().edit_contacts(changes)


def set_relationship(account_id: str, relationship: str, reason: str) -> None:
    """Decide an account's relationship type by hand."""
    session.workbench().set_relationship(account_id, relationship, reason)  # type: ignore[arg-type]


def set_situation(account_id: str, levels: dict[str, int | None]) -> None:
    """Rate factors of an account's buying situation (``None`` forgets one)."""
    session.workbench().set_buying_situation(account_id, levels)


def set_currency(code: str) -> str:
    """Record the currency the portfolio's amounts are in; return it as stored."""
    return session.workbench().set_currency(code)


def set_cost_rate(rate_key: str, hourly_cost: float | None) -> None:
    """Set the hourly cost of a seller role or team (``None``: the default)."""
    session.workbench().set_cost_rate(rate_key, hourly_cost)


def set_wallet_estimate(
    account_id: str, wallet_estimate: float | None, note: str = ""
) -> None:
    """Estimate an account's wallet by hand (``None``: forget the estimate)."""
    session.workbench().set_wallet_estimate(account_id, wallet_estimate, note)


def set_industry_wallet_share(industry: str, share_pct: float | None) -> None:
    """Set an industry's wallet share of revenue (``None``: the default)."""
    session.workbench().set_industry_wallet_share(industry, share_pct)


def clear_relationship(account_id: str) -> bool:
    """Remove an account's manual decision; return whether there was one."""
    return session.workbench().clear_relationship(account_id)


def save_service_model(model: pl.DataFrame, scenario: str | None) -> None:
    """Check and save the Effort page's service model with a scenario."""
    session.workbench().save_service_model(model, scenario)


def save_scenario(name: str, thresholds: segment.Thresholds) -> None:
    """Save the thresholds under a name (replacing one of that name)."""
    session.workbench().save_scenario(name, thresholds)
