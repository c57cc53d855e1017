"""Problems of an import: how they are made, located, capped and worded.

Every problem carries a code (see :data:`workbench.ingest.summary.KINDS`); rows
the store's checks return are turned into problems here, naming the file's own
header for a workbench column. A problem's sentence is made from a template marked
``N_()`` and its parameters (:func:`worded`): ``message`` keeps the English text,
the one ``--json``, the import log and scripts read, and :func:`problem_text`
says it in the reader's language where a person reads it (docs/i18n.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from workbench.domain import Problem, Wording
from workbench.errors import WorkbenchError
from workbench.i18n import N_, gettext

if TYPE_CHECKING:  # model's report shows problems through this module
    from workbench.ingest.model import RecognisedFile


#: Sentences the import pipeline writes whole, without a template: marked here so
#: that :func:`problem_text` finds them in the catalogue (a test checks they still
#: match what the pipeline writes).
WHOLE_SENTENCES = (
    N_("nothing to import: the file(s) hold a header but no data rows"),
    N_("nothing to import: no file could be mapped to a workbench table"),
    N_("nothing to import: every row was left out (the warnings say why)"),
)


def worded(template: str, **params: object) -> Wording:
    """Return a sentence to be worded in the reader's language: template and parameters.

    The template is marked where it is written (``worded(N_("{value} is not a
    date"), value=…)``); parameters are data and are never translated, except one
    that is itself a :class:`Wording`.
    """
    return Wording(template, tuple(params.items()))


def said_whole(sentence: str) -> Wording:
    """Return a sentence written whole (a note, the store's reason) as a wording.

    It is looked up in the catalogue as it stands (marked ``N_()`` where it is
    written); braces in it are text, never placeholders.
    """
    return Wording(sentence.replace("{", "{{").replace("}", "}}"))


def joined(parts: Sequence[object], separator: str = "") -> Wording:
    """Return parts (worded or data) as one wording, joined by ``separator``.

    The joining template is no catalogue message (gettext gives it back as it
    is), so each worded part is said in the reader's language and data stays.
    """
    template = (
        separator.replace("{", "{{")
        .replace("}", "}}")
        .join(f"{{p{index}}}" for index in range(len(parts)))
    )
    return Wording(template, tuple((f"p{i}", part) for i, part in enumerate(parts)))


def problem_text(problem: Problem) -> str:
    """Return the problem's sentence in the language in force.

    A problem made from a template is worded in that language; one written whole
    (by code that gave no template) is looked up in the catalogue as it stands
    and shown in English when the catalogue does not have it.
    """
    if problem.wording is not None:
        try:
            return problem.wording.text(gettext)
        except (KeyError, IndexError, ValueError):
            # A translation whose placeholders drifted (tests/test_i18n.py refuses
            # one): the English sentence beats a page that fails.
            return problem.message
    return gettext(problem.message) if problem.message else problem.message


def refusal_wording(error: WorkbenchError) -> str | Wording:
    """Return an error's sentence for a problem: its wording, else its English text."""
    return error.wording if isinstance(error.wording, Wording) else str(error)


def refusal_text(error: WorkbenchError) -> str:
    """Return an error's sentence in the language in force, for a person to read.

    A worded error (a template and its parameters) is said in that language; one
    written whole is looked up in the catalogue as it stands, else shown in
    English. ``str(error)`` stays English for logs and ``--json``.
    """
    if error.wording is not None:
        try:
            return error.wording.text(gettext)
        except (KeyError, IndexError, ValueError):
            return str(error)
    return gettext(str(error)) if str(error) else str(error)


def make_problem(
    level: str,
    file: str,
    row: int | None,
    column: str | None,
    message: str | Wording,
    code: str | None = None,
    *,
    rows: int | None = None,
) -> Problem:
    """Return a Problem; any level other than ``error`` is a warning.

    ``message`` is the English sentence, or better a :func:`worded` one that can
    be shown in the reader's language; ``code`` is the kind it is grouped under
    (see :data:`.summary.KINDS`).
    """
    wording = message if isinstance(message, Wording) else None
    return Problem(
        level="error" if level == "error" else "warning",
        file=file,
        row=row,
        column=column,
        message=message.text() if isinstance(message, Wording) else message,
        code=code,
        wording=wording,
        rows=rows,
    )


def header_for(
    files_by_name: dict[str, list[RecognisedFile]],
    file: str,
    table: str,
    column: str,
    filled_from: int = 0,
) -> str:
    """Return the file's own header for a workbench column (the column if unmapped).

    ``filled_from``: 0 for the mapped header, 1 for the first of the headers
    that fill its empty cells (:attr:`RecognisedFile.fallbacks`), and so on.
    """
    for recognised in files_by_name.get(file, []):
        if recognised.table == table:
            others = recognised.fallbacks.get(column, [])
            if 0 < filled_from <= len(others):
                return others[filled_from - 1]
            for header, canonical in recognised.mapping.items():
                if canonical == column:
                    return header
    return column


def capped_problems(
    found: pl.DataFrame,
    files_by_name: dict[str, list[RecognisedFile]],
    table: str,
    describe: Callable[[dict[str, Any]], str | Wording],
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
                files_by_name,
                record["_file"],
                record.get("table") or table,
                column,
                int(record.get("filled_from") or 0),
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
                    worded(
                        N_("… and {count} more with the same problem"),
                        count=f"{total - shown[group]:,}",
                    ),
                    group_code,
                )
            )
    return problems


def quoted(value: Any) -> str:
    """Return a value in quotation marks, cut to 80 characters."""
    text = str(value)
    return f"“{text[:80]}{'…' if len(text) > 80 else ''}”"


def file_problem(
    level: str,
    file: str,
    message: str | Wording,
    code: str,
    *,
    rows: int | None = None,
) -> Problem:
    """Return a problem about a whole file (no row, no column); ``rows`` it counts."""
    return make_problem(level, file, None, None, message, code, rows=rows)


def row_problems(
    found: pl.DataFrame,
    level: str,
    describe: Callable[[dict[str, Any]], str | Wording],
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
