"""Effort reads and the saved service models.

Whom each hour went to (the one seniority rule, shared with the account features
and the buying-centre map; activities naming nobody we know are *unattributed*),
and the service model a leader edits on the Effort page, saved per threshold
scenario (migration 14, table ``service_models``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import polars as pl

from workbench.access import require
from workbench.domain import Actor
from workbench.errors import RejectedInputError
from workbench.store._base import Connection
from workbench.store.connection import query_frame
from workbench.store.decisions import save_scenario_row
from workbench.store.portfolio import (
    _CONTACT_LEVELS_CTE,
    _segment_params,
    resolve_as_of,
)

#: The name the default thresholds' service model is saved under.
DEFAULT_SCENARIO = ""


def effort_by_function(con: Connection, as_of: date | None = None) -> pl.DataFrame:
    """Return effort per account and function over the 12 months up to ``as_of``.

    ``function`` is ``procurement`` (a purchasing department), ``executive`` (the
    one seniority rule of :mod:`workbench.domain`; purchasing wins over a senior
    title), ``other`` (every other named person) or ``unattributed`` (the activity
    names no person, or one not on record). Measures as in
    :func:`effort_aggregates`: ``minutes_recorded``, ``activities``,
    ``activities_without_duration``.
    """
    day = resolve_as_of(con, as_of)
    return query_frame(
        con,
        f"""
        WITH {_CONTACT_LEVELS_CTE}
        SELECT a.account_id,
            CASE WHEN p.contact_id IS NULL THEN 'unattributed'
                 WHEN p.is_procurement THEN 'procurement'
                 WHEN p.is_executive THEN 'executive'
                 ELSE 'other' END AS function,
            coalesce(sum(CASE WHEN isfinite(a.duration_minutes)
                              THEN a.duration_minutes END), 0)::DOUBLE
                AS minutes_recorded,
            count(*) AS activities,
            count(*) FILTER (WHERE a.duration_minutes IS NULL)
                AS activities_without_duration
        FROM activities a LEFT JOIN people p USING (contact_id)
        WHERE a.account_id IS NOT NULL
          AND a.activity_date > $as_of::DATE - INTERVAL 12 MONTH
          AND a.activity_date <= $as_of::DATE
        GROUP BY ALL
        ORDER BY a.account_id, function
        """,
        _segment_params(day),
    )


def service_model(
    con: Connection, scenario: str = DEFAULT_SCENARIO
) -> list[dict[str, Any]] | None:
    """Return the service model saved for a scenario (its rows), or None if none is."""
    rows = con.execute(
        "SELECT model FROM service_models WHERE scenario = $scenario",
        {"scenario": scenario},
    ).fetchall()
    if not rows:
        return None
    loaded = json.loads(rows[0][0])
    return loaded if isinstance(loaded, list) else None


def save_service_model(
    con: Connection, actor: Actor, scenario: str, rows: list[dict[str, Any]]
) -> None:
    """Save (or replace) the service model of a scenario ("" for the defaults).

    The rows are checked by the caller (:func:`workbench.analytics.effort.validate_model`).

    Raises:
        PermissionDeniedError: the actor may not edit.
        RejectedInputError: no rows, or a scenario name over 200 characters.
    """
    require(actor, "edit")
    if not rows:
        raise RejectedInputError("a service model needs its rows")
    save_scenario_row(
        con, actor, "service_models", ("scenario", scenario), ("model", rows)
    )


def service_models(con: Connection) -> pl.DataFrame:
    """Return which scenarios have a saved service model: scenario, who, when."""
    return query_frame(
        con,
        "SELECT scenario, saved_by, saved_at FROM service_models ORDER BY scenario",
    )
