"""What an import says about itself: problems in order, by kind, and its plan.

Errors come first; warnings follow grouped by kind (in the order each kind first
appears), so that a long list reads as a few headings with counts. The plan says,
per table, how many rows will be added, updated and left out, and why.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

from workbench.domain import Problem


class _File(Protocol):
    """What the plan reads of a recognised file (``model`` imports this module)."""

    name: str
    rows: int
    table: str | None


#: (what the message holds, the kind it is reported under, whether rows are left out).
_KINDS: tuple[tuple[str, str, bool], ...] = (
    ("reporting cycle", "reporting cycle: one line left out", False),
    ("works for another account", "reports to another account: line left out", False),
    ("the reporting line was left out", "manager missing: line left out", False),
    ("the person was not imported", "person left out: their account is missing", True),
    ("the deal was not imported", "deal left out: its account is missing", True),
    ("the link was not imported", "link left out: a side is missing", True),
    ("influence line was not imported", "link left out: a side is missing", True),
    (
        "neither in the import nor in the database",
        "reference to a missing record",
        False,
    ),
    ("matches no", "name that matches no record", False),
    ("created from", "record created from a name", False),
    ("marked as deleted", "deleted in the CRM: left out", False),
    ("(same name); kept once", "same record twice: kept once", True),
    ("names no account", "row without an account: left out", True),
    ("has no ID", "row without a key: left out", True),
    ("lacks", "row without a key: left out", True),
    ("buying role", "buying roles", False),
    ("holds several roles", "buying roles", False),
    ("column(s) not imported", "columns not imported", False),
    ("not imported:", "file not imported", False),
    ("imported already", "already imported", False),
)


#: The warning that counts rows an export marks as deleted (not data lost: the
#: CRM deleted them), counted apart from the rows left out for a problem.
_DELETED = re.compile(r"^([\d,]+) row\(s\) marked as deleted")


def problem_kind(problem: Problem) -> str:
    """Return the heading a problem is grouped under."""
    for needle, kind, _drops in _KINDS:
        if needle in problem.message:
            return kind
    return "other" if problem.level == "warning" else "error"


def drops_rows(problem: Problem) -> bool:
    """Return whether the problem means rows of a file were left out."""
    return (
        any(drops and needle in problem.message for needle, _kind, drops in _KINDS)
        and problem.level == "warning"
    )


def ordered_problems(problems: Sequence[Problem]) -> list[Problem]:
    """Return errors first (as found), then warnings grouped by kind."""
    errors = [p for p in problems if p.level == "error"]
    warnings = [p for p in problems if p.level != "error"]
    first_seen: dict[str, int] = {}
    for index, problem in enumerate(warnings):
        first_seen.setdefault(problem_kind(problem), index)
    warnings.sort(key=lambda p: first_seen[problem_kind(p)])
    return errors + warnings


def warning_kinds(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    """Return ``[{kind, count}]`` of the warnings, in the order they are listed."""
    counts = Counter(problem_kind(p) for p in problems if p.level != "error")
    ordered = ordered_problems(problems)
    seen: list[str] = []
    for problem in ordered:
        kind = problem_kind(problem)
        if problem.level != "error" and kind not in seen:
            seen.append(kind)
    return [{"kind": kind, "count": counts[kind]} for kind in seen]


def import_plan(
    built: dict[str, dict[str, int]],
    importable: Sequence[_File],
    problems: Sequence[Problem],
) -> dict[str, dict[str, Any]]:
    """Return per table: rows to ``add``, to ``update``, to ``skip`` and ``why``.

    Rows the export marks as deleted are counted as ``deleted_in_crm``, not as
    skipped: the CRM removed them, the import loses nothing.

    ``built`` holds the store's counts of the rows ready to write (``add``,
    ``update``, ``created``: records made from names). Rows the files hold and
    the build does not write are skipped; ``why`` lists the warnings that left
    rows of that table's files out.
    """
    file_rows: dict[str, int] = {}
    files_of: dict[str, set[str]] = {}
    for entry in importable:
        if entry.table is None:
            continue
        file_rows[entry.table] = file_rows.get(entry.table, 0) + max(entry.rows, 0)
        files_of.setdefault(entry.table, set()).add(entry.name)
    plan: dict[str, dict[str, Any]] = {}
    for table in [*built, *[t for t in file_rows if t not in built]]:
        counts = built.get(table, {"add": 0, "update": 0, "created": 0})
        from_files = counts["add"] + counts["update"] - counts.get("created", 0)
        deleted = sum(
            int(found.group(1).replace(",", ""))
            for p in problems
            if p.file in files_of.get(table, set())
            and (found := _DELETED.match(p.message))
        )
        skip = max(0, file_rows.get(table, 0) - from_files - deleted)
        reasons = Counter(
            problem_kind(p)
            for p in problems
            if drops_rows(p) and p.file in files_of.get(table, set())
        )
        plan[table] = {
            "add": counts["add"],
            "update": counts["update"],
            "skip": skip,
            "created_from_names": counts.get("created", 0),
            "deleted_in_crm": deleted,
            "why": [f"{kind} ({n})" for kind, n in reasons.items()] if skip else [],
        }
    return plan


def rows_left_out(plan: dict[str, dict[str, Any]]) -> int:
    """Return how many rows of the files the import leaves out."""
    return sum(int(p.get("skip", 0)) for p in plan.values())


def files_fingerprint(files: Sequence[dict[str, Any]]) -> str:
    """Return one hash of a run's files: their bytes and the tables they fill.

    ``files`` is the run's record (``sha256`` and ``tables`` per file), as stored
    with every run, so a new run compares with the runs before it.
    """
    parts = sorted(
        json.dumps([f.get("sha256"), sorted(f.get("tables") or [])]) for f in files
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
