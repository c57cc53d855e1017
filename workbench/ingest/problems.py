"""Problems of an import: how they are made, located and capped.

Every problem carries a code (see :data:`workbench.ingest.summary.KINDS`); rows
the store's checks return are turned into problems here, naming the file's own
header for a workbench column.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from workbench.domain import Problem
from workbench.ingest.model import RecognisedFile


def make_problem(
    level: str,
    file: str,
    row: int | None,
    column: str | None,
    message: str,
    code: str | None = None,
) -> Problem:
    """Return a Problem; any level other than ``error`` is a warning.

    ``code`` is the kind it is grouped under (see :data:`.summary.KINDS`).
    """
    return Problem(
        level="error" if level == "error" else "warning",
        file=file,
        row=row,
        column=column,
        message=message,
        code=code,
    )


def header_for(
    files_by_name: dict[str, list[RecognisedFile]], file: str, table: str, column: str
) -> str:
    """Return the file's own header for a workbench column (the column if unmapped)."""
    for recognised in files_by_name.get(file, []):
        if recognised.table == table:
            for header, canonical in recognised.mapping.items():
                if canonical == column:
                    return header
    return column


def capped_problems(
    found: pl.DataFrame,
    files_by_name: dict[str, list[RecognisedFile]],
    table: str,
    describe: Callable[[dict[str, Any]], str],
    code: str | Callable[[dict[str, Any]], str],
) -> list[Problem]:
    """Turn capped problem rows into Problems, with a summary when rows were left out.

    ``code`` is the problems' code, or a function of the row that gives it; the
    summary line ("… and N more") carries its group's code.
    """
    problems: list[Problem] = []
    if found.height == 0:
        return problems
    shown: dict[tuple[str, str, str], int] = {}
    totals: dict[tuple[str, str, str], tuple[int, str, str]] = {}
    for record in found.iter_rows(named=True):
        record_code = code(record) if callable(code) else code
        column = record.get("column") or ""
        group = (record["_file"], column, record.get("message") or "")
        header = (
            header_for(
                files_by_name, record["_file"], record.get("table") or table, column
            )
            if column
            else None
        )
        problems.append(
            make_problem(
                record["level"],
                record["_file"],
                record["_row"],
                header,
                describe(record),
                record_code,
            )
        )
        shown[group] = shown.get(group, 0) + 1
        totals[group] = (int(record.get("total") or 0), record["level"], record_code)
    for group, (total, level, group_code) in totals.items():
        if total > shown[group]:
            file, column, _message = group
            header = header_for(files_by_name, file, table, column) if column else None
            problems.append(
                make_problem(
                    level,
                    file,
                    None,
                    header,
                    f"… and {total - shown[group]:,} more with the same problem",
                    group_code,
                )
            )
    return problems


def quoted(value: Any) -> str:
    """Return a value in quotation marks, cut to 80 characters."""
    text = str(value)
    return f"“{text[:80]}{'…' if len(text) > 80 else ''}”"


def file_problem(level: str, file: str, message: str, code: str) -> Problem:
    """Return a problem about a whole file (no row, no column)."""
    return make_problem(level, file, None, None, message, code)


def row_problems(
    found: pl.DataFrame,
    level: str,
    describe: Callable[[dict[str, Any]], str],
    code: str | Callable[[dict[str, Any]], str],
) -> list[Problem]:
    """Return one problem per row of a store frame holding ``_file`` and ``_row``.

    ``code`` is the problems' code, or a function of the row that gives it.
    """
    return [
        make_problem(
            level,
            record["_file"],
            record["_row"],
            None,
            describe(record),
            code(record) if callable(code) else code,
        )
        for record in found.iter_rows(named=True)
    ]
