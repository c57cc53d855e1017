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

import polars as pl

from workbench.domain import Problem
from workbench.i18n import N_, gettext


class _File(Protocol):
    """What the plan reads of a recognised file (``model`` imports this module)."""

    name: str
    rows: int
    table: str | None


#: Each problem code with the heading its warnings are grouped under and whether
#: it means rows of a file were left out. The codes are stable (tests, the JSON
#: report's ``warning_kinds`` and the Import page group by them); headings and
#: messages may be reworded freely.
KINDS: dict[str, tuple[str, bool]] = {
    "reporting_cycle": (N_("reporting cycle: one line left out"), False),
    "reports_to_other_account": (
        N_("reports to another account: line left out"),
        False,
    ),
    "manager_missing": (N_("manager missing: line left out"), False),
    "contact_without_account": (N_("person left out: their account is missing"), True),
    "deal_without_account": (N_("deal left out: its account is missing"), True),
    "contract_without_account": (N_("contract left out: its account is missing"), True),
    "link_side_missing": (N_("link left out: a side is missing"), True),
    "erp_without_account": (N_("ERP line left out: no such account"), True),
    "missing_reference": (N_("reference to a missing record"), False),
    "unmatched_name": (N_("name that matches no record"), False),
    "created_from_name": (N_("record created from a name"), False),
    "matched_by_name": (N_("record matched by name"), False),
    "deleted_in_crm": (N_("deleted in the CRM: left out"), False),
    "merged_in_crm": (N_("merged into another record in the CRM: left out"), False),
    "merged_reference": (N_("names a merged record: read as its survivor"), False),
    "merged_into_missing": (N_("merged into a record not held: kept"), False),
    "not_done_in_crm": (
        N_("not done (open, cancelled, only proposed): not effort, left out"),
        False,
    ),
    "one_to_many": (
        N_("sent to many (list e-mail, campaign): not a touch, left out"),
        True,
    ),
    "recurring_series": (N_("recurring series' pattern: left out"), True),
    "same_record_twice": (N_("same record twice: kept once"), True),
    "row_without_account": (N_("row without an account: left out"), True),
    "row_without_key": (N_("row without a key: left out"), True),
    "buying_role": (N_("buying roles"), False),
    "unknown_value": (N_("value stored as unknown"), False),
    "unlikely_date": (N_("date to check: placeholder or mistyped"), False),
    "date_in_seconds": (N_("time in seconds stored as milliseconds: read"), False),
    "long_activity": (N_("activity longer than a day: counted as written"), False),
    "all_day_event": (N_("all-day event: counted as working days"), False),
    "filled_from_other": (
        N_("empty or stand-in value read from another column"),
        False,
    ),
    "other_currency": (N_("amount in another currency: not converted"), False),
    "currency_set": (N_("portfolio's currency set from the deals"), False),
    "converted_currency": (N_("deals converted with the org's rates"), False),
    "undated_activity": (N_("activity without a date: in no figure"), False),
    "several_associations": (N_("several companies or people: first kept"), False),
    "stage_read_as_open": (N_("deal stage not known as won or lost: open"), False),
    "account_from_record": (
        N_("activity's account read from its deal or person"),
        False,
    ),
    "account_name_shared": (
        N_("activity naming a record several accounts share"),
        False,
    ),
    "columns_not_imported": (N_("columns not imported"), False),
    "file_not_imported": (N_("file not imported"), False),
    "empty_file": (N_("file without rows"), False),
    "encoding": (N_("text encoding to check"), False),
    "demo_data": (N_("demo portfolio kept"), False),
    "already_imported": (N_("already imported"), False),
    "survey_answer": (N_("survey answers"), False),
    # errors (they are listed first, not grouped; the code still names them)
    "unreadable_file": (N_("file cannot be read"), False),
    "missing_column": (N_("required column missing"), False),
    "bad_value": (N_("value cannot be read"), False),
    "date_order": (N_("date order unclear"), False),
    "nameless_record": (N_("record without a name"), False),
    "duplicate_id": (N_("duplicate ID"), False),
    "id_collision": (N_("ID of another source"), False),
    "nothing_to_import": (N_("nothing to import"), False),
    "refused": (N_("refused"), False),
}

#: A problem's level as a person reads it (the data and ``--json`` keep the code).
LEVELS: dict[str, str] = {"error": N_("error"), "warning": N_("warning")}


def level_text(level: str) -> str:
    """Return a problem level (``error``, ``warning``) in the language in force."""
    return gettext(LEVELS[level]) if level in LEVELS else level


def readable_kinds(kinds: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return :func:`warning_kinds` rows with each heading in the language in force.

    The code and count stay; only ``kind``, the heading a person reads, moves.
    """
    return [{**kind, "kind": gettext(kind["kind"])} for kind in kinds]


#: One entry of a plan's ``why``: a kind's heading and how many left rows out.
_WHY = re.compile(r"^(?P<kind>.*) \((?P<count>[\d,]+)\)$")


def why_text(why: str) -> str:
    """Return one ``why`` entry of :func:`import_plan` with its heading in the language."""
    found = _WHY.match(why)
    if found is None:
        return gettext(why)
    return f"{gettext(found['kind'])} ({found['count']})"


#: Problems made without a code (older callers): what the message holds → code.
_CODES_BY_MESSAGE: tuple[tuple[str, str], ...] = (
    ("reporting cycle", "reporting_cycle"),
    ("works for another account", "reports_to_other_account"),
    ("the reporting line was left out", "manager_missing"),
    ("the person was not imported", "contact_without_account"),
    ("the deal was not imported", "deal_without_account"),
    ("the contract was not imported", "contract_without_account"),
    ("the link was not imported", "link_side_missing"),
    ("the ERP line was not imported", "erp_without_account"),
    ("influence line was not imported", "link_side_missing"),
    ("neither in the import nor in the database", "missing_reference"),
    ("matches no", "unmatched_name"),
    ("created from", "created_from_name"),
    ("marked as deleted", "deleted_in_crm"),
    ("(same name); kept once", "same_record_twice"),
    ("names no account", "row_without_account"),
    ("has no ID", "row_without_key"),
    ("lacks", "row_without_key"),
    ("buying role", "buying_role"),
    ("holds several roles", "buying_role"),
    ("column(s) not imported", "columns_not_imported"),
    ("not imported:", "file_not_imported"),
    ("imported already", "already_imported"),
)


def problem_code(problem: Problem) -> str:
    """Return the problem's code: its own, else the one its message implies.

    ``other`` (a warning) or ``error`` when neither says.
    """
    if problem.code:
        return problem.code
    for needle, code in _CODES_BY_MESSAGE:
        if needle in problem.message:
            return code
    return "other" if problem.level == "warning" else "error"


def problem_kind(problem: Problem) -> str:
    """Return the heading a problem is grouped under."""
    code = problem_code(problem)
    return KINDS[code][0] if code in KINDS else code


def drops_rows(problem: Problem) -> bool:
    """Return whether the problem means rows of a file were left out."""
    kind = KINDS.get(problem_code(problem))
    return problem.level == "warning" and kind is not None and kind[1]


def ordered_problems(problems: Sequence[Problem]) -> list[Problem]:
    """Return errors first (as found), then warnings grouped by kind."""
    errors = [p for p in problems if p.level == "error"]
    warnings = [p for p in problems if p.level != "error"]
    first_seen: dict[str, int] = {}
    for index, problem in enumerate(warnings):
        first_seen.setdefault(problem_code(problem), index)
    warnings.sort(key=lambda p: first_seen[problem_code(p)])
    return errors + warnings


def warning_kinds(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    """Return ``[{kind, code, count}]`` of the warnings, in the order they are listed.

    Grouped by code; ``kind`` is the code's heading. A "… and N more" line
    counts as one of its kind (it carries the same code).
    """
    counts = Counter(problem_code(p) for p in problems if p.level != "error")
    seen: list[str] = []
    for problem in ordered_problems(problems):
        code = problem_code(problem)
        if problem.level != "error" and code not in seen:
            seen.append(code)
    return [
        {
            "kind": KINDS[code][0] if code in KINDS else code,
            "code": code,
            "count": counts[code],
        }
        for code in seen
    ]


def import_plan(
    built: dict[str, dict[str, int]],
    importable: Sequence[_File],
    problems: Sequence[Problem],
) -> dict[str, dict[str, Any]]:
    """Return per table: rows to ``add``, to ``update``, to ``skip`` and ``why``.

    Rows the export marks as deleted, or as merged into another record, are
    counted as ``deleted_in_crm``, not as skipped: the CRM removed them, the
    import loses nothing. So are the tasks the
    CRM holds as not done, as ``not_done_in_crm``: a later import brings them.

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
        from_files = (
            counts["add"]
            + counts["update"]
            - counts.get("created", 0)
            + counts.get("merged", 0)
        )
        # a record merged into another is the CRM's removal too (Salesforce
        # deletes it, Dynamics deactivates it): counted with the deleted rows
        deleted = sum(
            _counted(problems, code, files_of.get(table, set()))
            for code in ("deleted_in_crm", "merged_in_crm")
        )
        # tasks not done: a to-do is no effort yet; nothing of it is lost
        not_done = _counted(problems, "not_done_in_crm", files_of.get(table, set()))
        skip = max(0, file_rows.get(table, 0) - from_files - deleted - not_done)
        # a whole file's note counts its rows (list e-mails), a row's problem one
        reasons: Counter[str] = Counter()
        for p in problems:
            if drops_rows(p) and p.file in files_of.get(table, set()):
                reasons[problem_kind(p)] += p.rows or 1
        plan[table] = {
            "add": counts["add"],
            "update": counts["update"],
            "skip": skip,
            "created_from_names": counts.get("created", 0),
            "deleted_in_crm": deleted,
            "not_done_in_crm": not_done,
            "why": [f"{kind} ({n})" for kind, n in reasons.items()] if skip else [],
        }
    return plan


def _counted(problems: Sequence[Problem], code: str, files: set[str]) -> int:
    """Return the rows the files' whole-file notes of ``code`` count."""
    return sum(p.rows or 0 for p in problems if p.code == code and p.file in files)


def rows_left_out(plan: dict[str, dict[str, Any]]) -> int:
    """Return how many rows of the files the import leaves out."""
    return sum(int(p.get("skip", 0)) for p in plan.values())


def files_tables(files: Sequence[dict[str, Any]]) -> list[list[str]]:
    """Return the tables each of a run's files fills, in an order of their own.

    Two runs whose files fill different tables imported different files; this
    tells so without their digests (see :func:`files_fingerprint`).
    """
    return sorted(sorted(f.get("tables") or []) for f in files)


def files_fingerprint(files: Sequence[dict[str, Any]]) -> str:
    """Return one hash of a run's files: their bytes and the tables they fill.

    ``files`` is the run's record (``sha256`` and ``tables`` per file), as stored
    with every run, so a new run compares with the runs before it.
    """
    parts = sorted(
        json.dumps([f.get("sha256"), sorted(f.get("tables") or [])]) for f in files
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


#: The columns of :func:`readable_runs`, in their order.
RUN_COLUMNS = (
    "run_id",
    "started_at",
    "finished_at",
    "source",
    "status",
    "files",
    "rows",
    "problems",
    "user_name",
)


def readable_runs(runs: pl.DataFrame) -> pl.DataFrame:
    """Return import runs (``store.import_runs``) as a person reads them.

    The run's record keeps its files, counts and problems as JSON; a person reads
    the files' names, their rows and how many problems were found. A record
    that cannot be read (an older file's) shows no names and no counts.
    """

    def parsed(text: str | None) -> list[Any]:
        try:
            value = json.loads(text) if text else []
        except ValueError:
            return []
        return value if isinstance(value, list) else []

    files = [parsed(text) for text in runs.get_column("files").to_list()]
    problems = [parsed(text) for text in runs.get_column("problems").to_list()]
    return runs.with_columns(
        pl.Series(
            "files",
            [
                ", ".join(str(f.get("name", "")) for f in run if isinstance(f, dict))
                for run in files
            ],
            dtype=pl.String,
        ),
        pl.Series(
            "rows",
            [
                sum(
                    int(f.get("rows") or 0)
                    for f in run
                    if isinstance(f, dict) and isinstance(f.get("rows"), int)
                )
                for run in files
            ],
            dtype=pl.Int64,
        ),
        pl.Series("problems", [len(run) for run in problems], dtype=pl.Int64),
    ).select(RUN_COLUMNS)
