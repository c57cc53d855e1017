"""Effort reads and the saved service models.

Whom each hour went to (the one seniority rule, shared with the account features
and the buying-centre map; activities naming nobody we know are *unattributed*),
and the service model a leader edits on the Effort page, saved per threshold
scenario (migration 14, table ``service_models``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
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


#: Dimensions of :func:`effort_aggregates`, each grouped with account and period.
EFFORT_DIMENSIONS: tuple[str, ...] = ("month", "seller", "department", "kind")

#: The columns each dimension of :func:`effort_aggregates` fills, with their
#: expression over the activities (``a``), their people (``p``) and sellers
#: (``s``), and their type (NULL of it where another dimension's row).
_EFFORT_COLUMNS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "month": (("month", "date_trunc('month', a.activity_date)::DATE", "DATE"),),
    "seller": (
        ("seller_id", "coalesce(a.seller_id, '(unknown)')", "VARCHAR"),
        ("seller_name", "coalesce(s.name, a.seller_id, '(unknown)')", "VARCHAR"),
        ("team", "coalesce(s.team, '(unknown)')", "VARCHAR"),
    ),
    "department": (
        ("department", "coalesce(p.department, '(unknown)')", "VARCHAR"),
        ("buying_role", "coalesce(p.buying_role, '(unknown)')", "VARCHAR"),
    ),
    "kind": (("kind", "coalesce(a.kind, '(unknown)')", "VARCHAR"),),
}
#: The table a dimension joins to the activities for its columns.
_EFFORT_JOINS = {
    "seller": "LEFT JOIN sellers s ON s.seller_id = a.seller_id",
    "department": "LEFT JOIN contacts p USING (contact_id)",
}


def effort_aggregates(
    con: Connection,
    as_of: date | None = None,
    dimensions: Sequence[str] = EFFORT_DIMENSIONS,
) -> pl.DataFrame:
    """Return effort per account, period and one other dimension, in long form.

    One scan of the activities of the 24 months up to ``as_of``, grouped by
    grouping sets. ``period`` is ``current`` (the 12 months up to ``as_of``) or
    ``previous`` (the 12 before). ``dimension`` says which columns are filled:

    - ``month``: ``month`` (first day of the month);
    - ``seller``: ``seller_id``, ``seller_name``, ``team``;
    - ``department``: ``department`` and ``buying_role`` of the contact;
    - ``kind``: ``kind``.

    Missing labels read ``(unknown)``. Measures: ``minutes_recorded`` (sum of known
    durations), ``activities``, ``activities_without_duration``.

    ``dimensions``: those to add up (of :data:`EFFORT_DIMENSIONS`; default all):
    the rows of the others are left out, and so are the tables only they join
    (a reader of one dimension, the app's, spares the people's join and the
    other groupings: the sellers' rows alone cost about 0.6 of them all).

    Raises:
        ValueError: a dimension not of :data:`EFFORT_DIMENSIONS`, or none.
    """
    asked = [d for d in EFFORT_DIMENSIONS if d in set(dimensions)]
    unknown = sorted(set(dimensions) - set(EFFORT_DIMENSIONS))
    if unknown or not asked:
        raise ValueError(f"not effort dimensions: {unknown or list(dimensions)}")
    day = resolve_as_of(con, as_of)
    filled = [
        f"{expression} AS {column}"
        for dimension in asked
        for column, expression, _type in _EFFORT_COLUMNS[dimension]
    ]
    # the columns in the order every reader knows, NULL where not asked
    columns = [
        column if dimension in asked else f"NULL::{sql_type} AS {column}"
        for dimension in EFFORT_DIMENSIONS
        for column, _expression, sql_type in _EFFORT_COLUMNS[dimension]
    ]
    keys = [
        ", ".join(c for c, _e, _t in _EFFORT_COLUMNS[dimension]) for dimension in asked
    ]
    which = " ".join(
        f"WHEN grouping({_EFFORT_COLUMNS[dimension][0][0]}) = 0 THEN '{dimension}'"
        for dimension in asked[:-1]
    )
    named = f"CASE {which} ELSE '{asked[-1]}' END" if which else f"'{asked[0]}'"
    joins = "\n".join(_EFFORT_JOINS[d] for d in asked if d in _EFFORT_JOINS)
    return query_frame(
        con,
        f"""
        -- the contact's department and role as stored: no levels, no seniority
        WITH base AS (
            SELECT a.account_id,
                CASE WHEN a.activity_date > $as_of::DATE - INTERVAL 12 MONTH
                     THEN 'current' ELSE 'previous' END AS period,
                {", ".join(filled)},
                a.duration_minutes
            FROM activities a
            {joins}
            WHERE a.account_id IS NOT NULL
              AND a.activity_date > $as_of::DATE - INTERVAL 24 MONTH
              AND a.activity_date <= $as_of::DATE
        )
        SELECT
            {named} AS dimension,
            account_id, period, {", ".join(columns)},
            coalesce(sum(CASE WHEN isfinite(duration_minutes) THEN duration_minutes END), 0)::DOUBLE AS minutes_recorded,
            count(*) AS activities,
            count(*) FILTER (WHERE duration_minutes IS NULL)
                AS activities_without_duration
        FROM base
        GROUP BY GROUPING SETS (
            {", ".join(f"(account_id, period, {key})" for key in keys)}
        )
        ORDER BY dimension, account_id, period, month, seller_id, department,
                 buying_role, kind
        """,
        {"as_of": day},
    )


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
