"""The service model: what each kind of account deserves, stated as an editable table.

Hutt & Speh: transactional accounts deserve efficient, purchasing-focused service;
partnerships deserve investment across functions and executives. The model turns
that into one row per (relationship type × value segment): the band of hours the
account deserves, who should be involved, and how often we should be in touch.
Verdicts (:mod:`.verdicts`) compare each account with *its* row. docs/effort.md
states every default with its reasoning; a leader edits the table on the Effort
page and saves it with a threshold scenario.

The band is a share of the account's yearly **margin at stake** spent on our time
(currency-free, so one model fits a portfolio in dollars or in yuan):

    margin at stake = margin % × (the larger of this year's and last year's revenue
                                  + headroom weight × headroom)
    deserved hours  = margin at stake × share % ÷ hourly cost, at least the floor

so a partner between two renewals keeps last year's revenue as its base, and a
growable account's headroom (potential − revenue) earns hours before it is won.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import polars as pl

from workbench.errors import RejectedInputError
from workbench.i18n import N_

#: Who should be involved on the customer's side, from narrowest to broadest.
INVOLVEMENTS: tuple[str, ...] = (
    "purchasing",
    "purchasing_and_deciders",
    "functions_and_executives",
)

#: What each involvement asks of the account team, in the plan's words (catalogue
#: messages: a plan drafted in Chinese quotes their translation). Plans quote
#: these, so a plan says what the model says and nothing that contradicts it.
INVOLVEMENT_GUIDANCE: dict[str, str] = {
    "purchasing": N_(
        "Work mainly with the customer's buyers and procurement; keep the "
        "offer competitive and the service dependable without special investment."
    ),
    "purchasing_and_deciders": N_(
        "Work with procurement and reach the deciders and influencers who can "
        "widen what they buy from us; keep the service efficient."
    ),
    "functions_and_executives": N_(
        "Work with procurement and with the functional managers on strategy and "
        "coordination; executives and technical staff visit regularly."
    ),
}

#: The model's segments: every value segment but "no data", which is never judged
#: (nothing is known to compare with).
MODEL_SEGMENTS: tuple[str, ...] = (
    "most_valuable",
    "most_growable",
    "maintain",
    "below_zero",
)
MODEL_RELATIONSHIPS: tuple[str, ...] = ("partnership", "transactional")


@dataclass(frozen=True)
class ServiceLevel:
    """One row of the service model (see the module docstring for the formula).

    Attributes:
        relationship: ``partnership`` or ``transactional`` (the target type).
        value_segment: one of :data:`MODEL_SEGMENTS`.
        low_pct: the fewest hours deserved, as a share of the margin at stake.
        high_pct: the most hours deserved, as a share of the margin at stake.
        headroom_weight: how much of the headroom counts as margin at stake (0–1).
        floor_hours: hours a year any such account deserves, whatever its size.
        involve: who should be involved, one of :data:`INVOLVEMENTS`.
        touches_per_year: the cadence: activities a year we should have with it.
    """

    relationship: str
    value_segment: str
    low_pct: float
    high_pct: float
    headroom_weight: float
    floor_hours: float
    involve: str
    touches_per_year: float


#: The default model (docs/effort.md gives the reasoning row by row).
DEFAULT_MODEL: tuple[ServiceLevel, ...] = (
    ServiceLevel("partnership", "most_valuable", 1, 4, 0.25, 40, "functions_and_executives", 24),
    ServiceLevel("partnership", "most_growable", 1.5, 5, 0.5, 30, "functions_and_executives", 12),
    ServiceLevel("partnership", "maintain", 1, 4, 0.25, 20, "functions_and_executives", 12),
    ServiceLevel("partnership", "below_zero", 0, 1, 0, 0, "functions_and_executives", 4),
    ServiceLevel("transactional", "most_valuable", 0.5, 2, 0.25, 8, "purchasing_and_deciders", 12),
    ServiceLevel("transactional", "most_growable", 0.75, 3, 0.5, 8, "purchasing_and_deciders", 6),
    ServiceLevel("transactional", "maintain", 0.25, 1.5, 0, 2, "purchasing", 4),
    ServiceLevel("transactional", "below_zero", 0, 1, 0, 0, "purchasing", 2),
)  # fmt: skip

MODEL_COLUMNS: dict[str, type[pl.DataType]] = {
    "relationship": pl.String,
    "value_segment": pl.String,
    "low_pct": pl.Float64,
    "high_pct": pl.Float64,
    "headroom_weight": pl.Float64,
    "floor_hours": pl.Float64,
    "involve": pl.String,
    "touches_per_year": pl.Float64,
}
_NUMBERS = ("low_pct", "high_pct", "headroom_weight", "floor_hours", "touches_per_year")


def default_model() -> pl.DataFrame:
    """Return the default service model, one row per type × segment."""
    return pl.DataFrame(
        [level.__dict__ for level in DEFAULT_MODEL], schema=MODEL_COLUMNS
    )


def _number(row: dict[str, Any], name: str, where: str) -> float:
    value = row.get(name)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RejectedInputError(f"{where}: {name} must be a number") from None
    if not math.isfinite(number) or number < 0:
        raise RejectedInputError(f"{where}: {name} must be a number of 0 or more")
    return number


def validate_model(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Return a complete, checked model from edited rows; every problem at once.

    Rows may come in any order and with extra columns; a missing (type × segment)
    keeps its default row.

    Raises:
        RejectedInputError: an unknown type, segment or involvement, a duplicate
            row, a negative or non-numeric figure, a band whose low end is above
            its high end, a headroom weight above 1 or a share above 100 %.
    """
    problems: list[str] = []
    cleaned: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (str(row.get("relationship")), str(row.get("value_segment")))
        where = f"{key[0]} × {key[1]}"
        if key[0] not in MODEL_RELATIONSHIPS or key[1] not in MODEL_SEGMENTS:
            problems.append(f"{where}: no such relationship type and segment")
            continue
        if key in cleaned:
            problems.append(f"{where}: given twice")
            continue
        clean: dict[str, Any] = {"relationship": key[0], "value_segment": key[1]}
        try:
            for name in _NUMBERS:
                clean[name] = _number(row, name, where)
        except RejectedInputError as error:
            problems.append(str(error))
            continue
        if clean["low_pct"] > clean["high_pct"]:
            problems.append(f"{where}: the low end of the band is above the high end")
        if clean["high_pct"] > 100:
            problems.append(f"{where}: a share of the margin is at most 100 %")
        if clean["headroom_weight"] > 1:
            problems.append(f"{where}: the headroom weight is between 0 and 1")
        involve = row.get("involve")
        if involve not in INVOLVEMENTS:
            problems.append(f"{where}: involve one of {', '.join(INVOLVEMENTS)}")
        clean["involve"] = involve
        cleaned[key] = clean
    if problems:
        raise RejectedInputError("; ".join(problems))
    merged = [
        cleaned.get((level.relationship, level.value_segment), level.__dict__)
        for level in DEFAULT_MODEL
    ]
    return pl.DataFrame(merged, schema=MODEL_COLUMNS)


def model_from_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Return a checked model from an edited frame (see :func:`validate_model`)."""
    return validate_model(frame.to_dicts())
