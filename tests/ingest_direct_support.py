"""Small Salesforce exports and their one-pass and staged imports, for the tests.

The people's and tasks' files, an import of them into a new database either
way, and the outcome (rows, report, undo journal) to compare.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from workbench import ingest, store
from workbench.domain import Actor

ANALYST = Actor(name="ana", role="analyst")
TASK_HEADER = (
    "Id,IsDeleted,AccountId,WhoId,OwnerId,Subject,ActivityDate,TaskSubtype,"
    "CallDurationInSeconds,Status"
)
Rows = list[list[str]]


def _write_people(folder: Path) -> list[Path]:
    (folder / "User.csv").write_text(
        "Id,Name,Department\n"
        "005U00000000000001,Li Wei,Key Accounts\n"
        "005U00000000000002,Anna Berg,Key Accounts\n"
    )
    (folder / "Account.csv").write_text(
        "Id,IsDeleted,Name,Industry\n"
        "001A00000000000001,false,Huadong Machinery,Machinery\n"
        "001A00000000000002,false,Rheinstahl GmbH,Steel\n"
    )
    (folder / "Contact.csv").write_text(
        "Id,IsDeleted,AccountId,LastName,Title\n"
        "003C00000000000001,false,001A00000000000001,Zhang,Plant Manager\n"
        "003C00000000000002,false,001A00000000000002,Weber,Buyer\n"
    )
    return [folder / "User.csv", folder / "Account.csv", folder / "Contact.csv"]


def _tasks(count: int = 12) -> Rows:
    kinds = ("Call", "Email", "Task")
    return [
        [
            f"00T T{i:016d}".replace(" ", ""),
            "false",
            f"001A0000000000000{1 + i % 2}",
            f"003C0000000000000{1 + i % 2}" if i % 4 else "",
            f"005U0000000000000{1 + i % 2}",
            f'"Follow-up, {i}"',
            f"2024-0{1 + i % 9}-1{i % 10}",
            kinds[i % 3],
            str(60 * i) if i % 3 == 0 else "",
            "Completed",
        ]
        for i in range(count)
    ]


def _write_tasks(folder: Path, rows: Rows) -> Path:
    path = folder / "Task.csv"
    path.write_text(TASK_HEADER + "\n" + "\n".join(",".join(r) for r in rows) + "\n")
    return path


def _database(folder: Path) -> store.Connection:
    con = store.connect(":memory:")
    report = ingest.import_files(con, _write_people(folder), actor=ANALYST)
    assert report.ok, [p.message for p in report.errors]
    return con


def _import_task(
    con: store.Connection,
    task: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    staged_only: bool,
) -> tuple[ingest.ImportReport, list[int | None]]:
    """Import Task.csv as a large file; return the report and what the direct load said."""
    said: list[int | None] = []
    direct = store.import_activities_load

    def watched(*args: Any, **kwargs: Any) -> Any:
        result = None if staged_only else direct(*args, **kwargs)
        said.append(result)  # the rows it loaded
        return result

    with monkeypatch.context() as patch:
        patch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 0)
        patch.setattr(store, "import_activities_load", watched)
        report = ingest.import_files(con, [task], actor=ANALYST)
    return report, said


def _loaded_in_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[store.Connection, Path, ingest.ImportReport]:
    """A database whose twelve tasks were loaded in one pass; its Task.csv; the report."""
    con = _database(tmp_path)
    task = _write_tasks(tmp_path, _tasks())
    report, said = _import_task(con, task, monkeypatch, staged_only=False)
    assert report.ok and said == [12]
    return con, task, report


def _problems(report: ingest.ImportReport) -> list[tuple[object, ...]]:
    return [(p.level, p.file, p.row, p.column, p.message) for p in report.problems]


def _set(row: int, column: int, value: str) -> Callable[[Rows], Rows]:
    def change(rows: Rows) -> Rows:
        rows[row][column] = value
        return rows

    return change


def _duplicate(rows: Rows) -> Rows:
    rows[5][0] = rows[4][0]
    return rows


#: Damage the staged path rejects with an error naming its row.
_REJECTED_DAMAGE = [
    pytest.param(_set(2, 6, "not a date"), id="bad-date"),
    pytest.param(_set(3, 8, "abc"), id="bad-duration"),
    pytest.param(_duplicate, id="duplicate-id"),
]


def _leads(rows: Rows) -> Rows:
    # Salesforce tasks name leads (00Q…) in WhoId as often as contacts.
    for number in (1, 5, 9):
        rows[number][3] = "00Q000000000000001"
    rows[2][3] = "00Q000000000000002"
    return rows


def _outcome(
    con: store.Connection, report: ingest.ImportReport, before: object
) -> tuple[object, ...]:
    """Return what an import gave: the report's parts, every table and the journal."""
    tables = {
        table: store.query_frame(con, f"SELECT * FROM {table} ORDER BY ALL").rows()
        for table in (*store.DATA_TABLES, "import_undo_rows")
    }
    return (
        report.ok,
        _problems(report),
        report.counts,
        report.plan,
        report.written,
        tables,
        store.database_fingerprint(con) == before,
    )
