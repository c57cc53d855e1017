"""A plan's objectives, actions and risks as editable tables, and plan validation."""

from __future__ import annotations

from dataclasses import MISSING, asdict, fields
from typing import TYPE_CHECKING, Any, TypeVar

import polars as pl

from workbench.domain import Problem
from workbench.plans.model import (
    ACTION_STATUSES,
    MAX_LINES,
    MAX_SECTION_CHARS,
    OBJECTIVE_STATUSES,
    PLAN_STATUSES,
    RELATIONSHIPS,
    RISK_SEVERITIES,
    SECTIONS,
    Action,
    Objective,
    Plan,
    Risk,
    _parse_date,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

LineT = TypeVar("LineT", Objective, Action, Risk)


# --- editing tables -------------------------------------------------------------

OBJECTIVE_COLUMNS: dict[str, pl.DataType] = {
    "objective": pl.String(),
    "measure": pl.String(),
    "target": pl.String(),
    "due_on": pl.Date(),
    "status": pl.String(),
}
ACTION_COLUMNS: dict[str, pl.DataType] = {
    "contact": pl.String(),
    "action": pl.String(),
    "owner": pl.String(),
    "due_on": pl.Date(),
    "status": pl.String(),
}
RISK_COLUMNS: dict[str, pl.DataType] = {
    "risk": pl.String(),
    "risk_date": pl.Date(),
    "severity": pl.String(),
}


def objectives_frame(plan: Plan) -> pl.DataFrame:
    """Return the plan's objectives as a frame (for editing and export)."""
    return pl.DataFrame(
        [asdict(o) for o in plan.objectives], schema=OBJECTIVE_COLUMNS, orient="row"
    )


def actions_frame(plan: Plan) -> pl.DataFrame:
    """Return the plan's actions as a frame (for editing and export)."""
    return pl.DataFrame(
        [asdict(a) for a in plan.actions], schema=ACTION_COLUMNS, orient="row"
    )


def risks_frame(plan: Plan) -> pl.DataFrame:
    """Return the plan's risks as a frame (for editing and export)."""
    return pl.DataFrame(
        [asdict(r) for r in plan.risks], schema=RISK_COLUMNS, orient="row"
    )


def _clean_records(
    frame: pl.DataFrame, columns: dict[str, pl.DataType]
) -> list[dict[str, Any]]:
    # An editor may hand back extra or missing columns and wholly blank rows
    # (a row added and left empty); those are dropped, not saved.
    present = frame.select(
        [
            pl.col(name) if name in frame.columns else pl.lit(None).alias(name)
            for name in columns
        ]
    )
    text_columns = [n for n, t in columns.items() if t == pl.String()]
    present = present.with_columns(
        pl.col(n).cast(pl.String).str.strip_chars() for n in text_columns
    ).with_columns(
        pl.when(pl.col(n) == "").then(None).otherwise(pl.col(n)).alias(n)
        for n in text_columns
    )
    blank = pl.all_horizontal(pl.col(n).is_null() for n in columns)
    return present.filter(~blank).to_dicts()


def _lines_from_frame(
    frame: pl.DataFrame, columns: dict[str, pl.DataType], line: type[LineT]
) -> list[LineT]:
    # Each column fills the field of its name: dates parsed, an empty text its
    # field's default (a status "open", a severity "medium"), else "".
    made = []
    for record in _clean_records(frame, columns):
        values: dict[str, Any] = {}
        for spec in fields(line):
            value = record[spec.name]
            if columns[spec.name] == pl.Date():
                values[spec.name] = _parse_date(value)
            else:
                default = "" if spec.default is MISSING else spec.default
                values[spec.name] = value or default
        made.append(line(**values))
    return made


def objectives_from_frame(frame: pl.DataFrame) -> list[Objective]:
    """Return objectives from an edited table; blank rows are dropped."""
    return _lines_from_frame(frame, OBJECTIVE_COLUMNS, Objective)


def actions_from_frame(frame: pl.DataFrame) -> list[Action]:
    """Return actions from an edited table; blank rows are dropped."""
    return _lines_from_frame(frame, ACTION_COLUMNS, Action)


def risks_from_frame(frame: pl.DataFrame) -> list[Risk]:
    """Return risks from an edited table; blank rows are dropped."""
    return _lines_from_frame(frame, RISK_COLUMNS, Risk)


# --- validation -----------------------------------------------------------------


def validate_plan(plan: Plan) -> list[Problem]:
    """Return every problem that stops the plan from being saved (empty: fine)."""
    problems: list[Problem] = []

    def problem(where: str, row: int | None, column: str | None, message: str) -> None:
        problems.append(Problem("error", where, row, column, message))

    if not plan.account_id.strip():
        problem("plan", None, "account_id", "the plan names no account")
    if plan.status not in PLAN_STATUSES:
        problem("plan", None, "status", f"status must be one of {PLAN_STATUSES}")
    if plan.relationship is not None and plan.relationship not in RELATIONSHIPS:
        problem(
            "plan", None, "relationship", f"relationship must be one of {RELATIONSHIPS}"
        )
    for name in (*SECTIONS, "value_notes"):
        if len(getattr(plan, name)) > MAX_SECTION_CHARS:
            problem("plan", None, name, f"longer than {MAX_SECTION_CHARS:,} characters")
    lines: Sequence[tuple[str, Sequence[Any], str, str, tuple[str, ...]]] = (
        ("objectives", plan.objectives, "objective", "status", OBJECTIVE_STATUSES),
        ("actions", plan.actions, "action", "status", ACTION_STATUSES),
        ("risks", plan.risks, "risk", "severity", RISK_SEVERITIES),
    )
    for where, items, text_field, choice_field, choices in lines:
        if len(items) > MAX_LINES:
            problem(where, None, None, f"more than {MAX_LINES} lines")
        for row, item in enumerate(items, start=1):
            if not str(getattr(item, text_field)).strip():
                problem(where, row, text_field, f"the {text_field} is empty")
            if getattr(item, choice_field) not in choices:
                problem(
                    where,
                    row,
                    choice_field,
                    f"{getattr(item, choice_field)!r} is not one of {choices}",
                )
    for row, action in enumerate(plan.actions, start=1):
        if not action.contact.strip():
            problem("actions", row, "contact", "name the person the action is for")
    return problems


def _problems_message(problems: list[Problem]) -> str:
    parts = []
    for p in problems:
        where = p.file + (f" row {p.row}" if p.row else "")
        where += f", {p.column}" if p.column else ""
        parts.append(f"{where}: {p.message}")
    return "The plan was not saved: " + "; ".join(parts)
