"""The one-pass load of a large activity export: same result as the staged path.

A large ``Task.csv`` imported on its own is parsed straight into ``activities``.
Whenever the file holds anything the staged path would report, the direct load
is rolled back and the staged path runs; either way the database and the report
must be exactly what the staged path alone gives.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REAL_DATASETS
from workbench import ingest, store
from workbench.domain import Actor
from workbench.errors import RejectedInputError
from workbench.ingest import guards

ANALYST = Actor(name="ana", role="analyst")
TASK_HEADER = (
    "Id,IsDeleted,AccountId,WhoId,OwnerId,Subject,ActivityDate,TaskSubtype,"
    "CallDurationInSeconds,Status"
)
Rows = list[list[str]]
FIVETRAN_SALESFORCE = REAL_DATASETS / "fivetran-salesforce-seeds"


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


def _activities(con: store.Connection) -> list[tuple[object, ...]]:
    return store.query_frame(
        con, "SELECT * EXCLUDE (import_run_id) FROM activities ORDER BY ALL"
    ).rows()


def _problems(report: ingest.ImportReport) -> list[tuple[object, ...]]:
    return [(p.level, p.file, p.row, p.column, p.message) for p in report.problems]


def _both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: Rows
) -> tuple[Any, Any, list[int | None]]:
    """Import the same Task.csv directly and staged-only into twin databases."""
    results = []
    said: list[int | None] = []
    for staged_only in (False, True):
        folder = tmp_path / ("staged" if staged_only else "direct")
        folder.mkdir()
        con = _database(folder)
        before = store.database_fingerprint(con)
        report, said_now = _import_task(
            con, _write_tasks(folder, rows), monkeypatch, staged_only=staged_only
        )
        if not staged_only:
            said = said_now
        results.append(
            (
                report.ok,
                _problems(report),
                report.counts,
                _activities(con),
                store.database_fingerprint(con) == before,
            )
        )
        con.close()
    return results[0], results[1], said


@pytest.fixture
def same_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Rows], tuple[Any, list[int | None]]]:
    """Import rows both ways (see :func:`_both_ways`): the outcomes must be the
    same. Gives the outcome, and what the direct load said it loaded."""

    def import_both_ways(rows: Rows) -> tuple[Any, list[int | None]]:
        direct, staged, said = _both_ways(tmp_path, monkeypatch, rows)
        assert direct == staged
        return direct, said

    return import_both_ways


def test_a_clean_export_loads_in_one_pass_with_the_staged_result(
    same_both_ways: Callable[[Rows], tuple[Any, list[int | None]]],
) -> None:
    direct, said = same_both_ways(_tasks())
    assert said == [12]
    assert direct[0] is True
    activities = direct[3]
    assert len(activities) == 12
    # Call durations are seconds in Salesforce; the kind comes from TaskSubtype.
    first = activities[0]
    assert first[0] == "00TT0000000000000000"
    assert first[4] == "call"
    assert first[6] == 0.0


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


#: Rows the staged path reads as they stand, saying nothing: a slash date whose
#: order the file shows (25 is no month), a row without an ID (keyed by content).
_READ_AS_THEY_STAND = [
    pytest.param(_set(2, 6, "03/25/2024"), id="slash-date"),
    pytest.param(_set(6, 0, ""), id="no-id"),
]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(_set(3, 1, "true"), id="deleted-row"),
        pytest.param(_set(3, 1, "maybe"), id="unreadable-boolean"),
        pytest.param(_set(2, 7, "Carrier pigeon"), id="unknown-kind"),
        pytest.param(_set(3, 8, "NaN"), id="nan-duration"),
        pytest.param(_set(3, 8, "9000000"), id="duration-beyond-a-week"),
        pytest.param(_set(4, 6, "1970-01-19"), id="epoch-date"),
        pytest.param(_set(4, 6, "9999-12-31"), id="placeholder-end-of-time"),
        *_REJECTED_DAMAGE,
    ],
)
def test_anything_to_report_falls_back_to_the_staged_path(
    same_both_ways: Callable[[Rows], tuple[Any, list[int | None]]],
    damage: Callable[[Rows], Rows],
) -> None:
    direct, said = same_both_ways(damage(_tasks()))
    assert said == [None]  # the direct load saw it and stepped aside
    assert direct[1], "the staged path reports the damage"
    if not direct[0]:
        assert direct[4], "a rejected import leaves the database unchanged"


@pytest.mark.parametrize("damage", _READ_AS_THEY_STAND)
def test_what_the_staged_path_reads_as_it_stands_also_falls_back(
    same_both_ways: Callable[[Rows], tuple[Any, list[int | None]]],
    damage: Callable[[Rows], Rows],
) -> None:
    direct, said = same_both_ways(damage(_tasks()))
    assert said == [None]  # the direct load does not read them itself
    assert direct[0] is True
    assert direct[1] == []
    assert len(direct[3]) == 12


def test_tasks_not_done_are_left_out_in_one_pass_as_the_staged_path_leaves_them(
    same_both_ways: Callable[[Rows], tuple[Any, list[int | None]]],
) -> None:
    rows = _tasks()
    rows[3][9] = "Not Started"
    rows[7][9] = "Deferred"
    direct, said = same_both_ways(rows)
    # a real export holds open tasks: it still loads in one pass, without them
    assert said == [10]
    assert direct[0] is True
    assert [a[0] for a in direct[3]] == [
        r[0] for i, r in enumerate(_tasks()) if i not in (3, 7)
    ]
    assert [p for p in direct[1] if "not done" in p[4]] == [
        (
            "warning",
            "Task.csv",
            None,
            None,
            "2 task(s) the CRM holds as not done (open, under way or cancelled) "
            "were not imported: a to-do is not effort yet; a later import brings "
            "each in once it is done",
        )
    ]


def _leads(rows: Rows) -> Rows:
    # Salesforce tasks name leads (00Q…) in WhoId as often as contacts.
    for number in (1, 5, 9):
        rows[number][3] = "00Q000000000000001"
    rows[2][3] = "00Q000000000000002"
    return rows


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(_leads, id="leads-not-contacts"),
        pytest.param(_set(1, 2, "001A00000000000099"), id="missing-account"),
        pytest.param(_set(1, 4, "005U00000000000099"), id="missing-seller"),
    ],
)
def test_references_to_missing_records_are_reported_in_the_direct_load(
    same_both_ways: Callable[[Rows], tuple[Any, list[int | None]]],
    damage: Callable[[Rows], Rows],
) -> None:
    direct, said = same_both_ways(damage(_tasks()))
    assert said == [12]  # loaded in one pass, warnings and all
    assert direct[0] is True
    assert direct[1] and all(p[0] == "warning" for p in direct[1])


def test_lead_warnings_name_the_first_row_and_count_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    direct, _staged, said = _both_ways(tmp_path, monkeypatch, _leads(_tasks()))
    assert said == [12]
    warnings = [w for w in direct[1] if w[3] == "WhoId"]
    assert [(w[2], w[3]) for w in warnings] == [(2, "WhoId"), (3, "WhoId")]
    assert "“00Q000000000000001”" in warnings[0][4] and "3 rows" in warnings[0][4]
    assert all(row[3] != "00Q000000000000001" for row in direct[3])


def test_reimporting_a_directly_loaded_export_updates_in_place_and_undo_restores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    con, _task, _first = _loaded_in_one_pass(tmp_path, monkeypatch)
    loaded = _activities(con)
    after_first = store.database_fingerprint(con)

    newer = _tasks()
    newer[0][5] = "Renewal call"
    second, said = _import_task(
        con, _write_tasks(tmp_path, newer), monkeypatch, staged_only=False
    )
    # Every ID is stored already: the staged path upserts them.
    assert second.ok and said == [None]
    assert second.counts["activities"] == 12
    subjects = {r[0]: r[7] for r in _activities(con)}
    assert subjects["00TT0000000000000000"] == "Renewal call"

    assert store.undo_last_import(con, ANALYST)["run_id"] == second.run_id
    assert _activities(con) == loaded
    con.close()
    assert after_first  # the first import is no longer undoable (only the last is)


def test_undoing_a_direct_load_removes_exactly_its_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    con = _database(tmp_path)
    before = store.database_fingerprint(con)
    report, said = _import_task(
        con, _write_tasks(tmp_path, _tasks()), monkeypatch, staged_only=False
    )
    assert report.ok and said == [12]
    assert store.last_undoable_import(con) == report.run_id
    runs = store.import_runs(con)
    assert runs["status"][0] == "committed"
    assert '"activities": 12' in runs["counts"][0]

    undone = store.undo_last_import(con, ANALYST)
    assert undone["restored"] == {"activities": 12}
    after = store.database_fingerprint(con)
    assert {t: v for t, v in after.items() if t != "import_undo_rows"} == {
        t: v for t, v in before.items() if t != "import_undo_rows"
    }
    con.close()


def test_a_direct_load_that_fails_midway_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    con = _database(tmp_path)
    before = store.database_fingerprint(con)
    task = _write_tasks(tmp_path, _tasks())

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 0)
        patch.setattr(store, "record_import_run", broken)
        with pytest.raises(RuntimeError, match="disk full"):
            ingest.import_files(con, [task], actor=ANALYST)
    assert store.database_fingerprint(con) == before
    con.close()


def test_staged_large_files_report_the_file_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows staged inside the import's transaction get rowids from an offset;
    # the report must still say "row 3" for the third data row.
    direct, _staged, said = _both_ways(
        tmp_path, monkeypatch, _set(2, 6, "not a date")(_tasks())
    )
    assert said == [None]
    assert direct[0] is False
    assert [(p[2], p[3]) for p in direct[1] if p[0] == "error"] == [(3, "ActivityDate")]


def test_an_uploaded_export_loads_in_one_pass_and_keeps_hostile_text_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The Import page passes uploads as (name, bytes); large ones are spilled
    # to a scratch file and take the same one-pass load.
    rows = _tasks()
    rows[0][5] = '"=HYPERLINK(""http://x"",""click"")"'
    rows[1][5] = '"<script>alert(1)</script>; DROP TABLE activities; --"'
    data = _write_tasks(tmp_path, rows).read_bytes()
    con = _database(tmp_path)
    said: list[object] = []
    direct = store.import_activities_load

    def watched(*args: Any, **kwargs: Any) -> Any:
        result = direct(*args, **kwargs)
        said.append(result)
        return result

    with monkeypatch.context() as patch:
        patch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 10)
        patch.setattr(store, "import_activities_load", watched)
        report = ingest.import_files(con, [("Task.csv", data)], actor=ANALYST)
    assert report.ok and said == [12]
    subjects = dict(
        store.query_frame(
            con, "SELECT activity_id, subject FROM activities ORDER BY 1"
        ).rows()
    )
    assert subjects["00TT0000000000000000"] == '=HYPERLINK("http://x","click")'
    assert (
        subjects["00TT0000000000000001"]
        == "<script>alert(1)</script>; DROP TABLE activities; --"
    )
    assert store.table_counts(con)["activities"] == 12
    con.close()


def test_a_large_export_naming_unknown_records_loads_in_one_pass_with_the_staged_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Over the real large-file threshold (no patched limit): the file takes the
    # one-pass load. Its activities name accounts and people the database does
    # not hold; they get the same named warnings as on the staged path, the
    # references are left empty and nothing dangles.
    header = TASK_HEADER + "\n"
    line = (
        "00T{i:015d},false,001A0000000000000{a},003C0000000000000{c},"
        "005U0000000000000{s},Follow-up {i} about the quarterly order,"
        "2024-0{m}-1{d},Call,{sec},Completed\n"
    )
    body = "".join(
        line.format(
            i=i,
            a=1 + i % 3,
            c=1 + i % 4,
            s=1 + i % 2,
            m=1 + i % 9,
            d=i % 10,
            sec=60 * (i % 7),
        )
        for i in range(ingest.LARGE_FILE_BYTES // 140 + 1000)
    )
    results = []
    said: list[object] = []
    direct = store.import_activities_load
    for staged_only in (False, True):
        folder = tmp_path / ("staged" if staged_only else "direct")
        folder.mkdir()
        task = folder / "Task.csv"
        task.write_text(header + body)
        assert task.stat().st_size > ingest.LARGE_FILE_BYTES
        con = _database(folder)
        said.clear()

        def watched(*args: Any, _only: bool = staged_only, **kwargs: Any) -> Any:
            result = None if _only else direct(*args, **kwargs)
            said.append(result)
            return result

        with monkeypatch.context() as patch:
            patch.setattr(store, "import_activities_load", watched)
            report = ingest.import_files(con, [task], actor=ANALYST)
        assert report.ok
        if not staged_only:
            assert said and said[0] is not None, "the large file took the one pass"
        warnings = sorted(
            (p.code, p.row, p.column, p.message)
            for p in report.problems
            if p.code in {"missing_reference", "manager_missing"}
        )
        assert sum(store.orphan_counts(con).values()) == 0
        cleared = store.query_frame(
            con,
            "SELECT count(*) FILTER (WHERE account_id IS NULL), "
            "count(*) FILTER (WHERE contact_id IS NULL) FROM activities",
        ).row(0)
        results.append((warnings, cleared, report.counts["activities"]))
        con.close()
    (direct_warnings, direct_cleared, rows), staged = results[0], results[1]
    assert (direct_warnings, direct_cleared, rows) == staged
    # Account 001…03 and people 003…03/04 are unknown (the database holds 01, 02).
    assert {w[3].split("“")[1].split("”")[0] for w in direct_warnings} == {
        "001A00000000000003",
        "003C00000000000003",
        "003C00000000000004",
    }
    assert all(w[0] == "missing_reference" for w in direct_warnings)
    assert direct_cleared[0] > 0 and direct_cleared[1] > 0


def _whole_export(
    folder: Path, monkeypatch: pytest.MonkeyPatch, rows: Rows, *, staged_only: bool
) -> tuple[tuple[object, ...], list[int | None], store.Connection]:
    """Import users, accounts, contacts, deals and tasks in one go into a new database.

    Every file is large (read from disk), as in a real export of millions of rows.
    Returns what the import gave, what the one-pass load said, and the database.
    """
    folder.mkdir()
    (folder / "Opportunity.csv").write_text(
        "Id,IsDeleted,AccountId,Name,StageName,Amount,CloseDate,IsClosed,IsWon,OwnerId\n"
        "006O00000000000001,false,001A00000000000001,Line 3 retrofit,Closed Won,"
        "120000,2024-03-31,true,true,005U00000000000001\n"
        "006O00000000000002,false,001A00000000000002,Spare parts,Negotiation,"
        "8500,2024-11-30,false,false,005U00000000000002\n"
    )
    files = [*_write_people(folder), folder / "Opportunity.csv"]
    return _new_database_import(
        [*files, _write_tasks(folder, rows)], monkeypatch, staged_only=staged_only
    )


def _new_database_import(
    files: list[Path], monkeypatch: pytest.MonkeyPatch, *, staged_only: bool
) -> tuple[tuple[object, ...], list[int | None], store.Connection]:
    """Import ``files`` into a new database, every file taken as large.

    With ``staged_only`` the one-pass load steps aside (the staged path alone).
    Returns what the import gave, what the one-pass load said, and the database.
    """
    con = store.connect(":memory:")
    before = store.database_fingerprint(con)
    said: list[int | None] = []
    direct = store.import_activities_load

    def watched(*args: Any, **kwargs: Any) -> Any:
        result = None if staged_only else direct(*args, **kwargs)
        said.append(result)
        return result

    with monkeypatch.context() as patch:
        patch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 0)
        patch.setattr(store, "import_activities_load", watched)
        report = ingest.import_files(con, files, actor=ANALYST)
    return _outcome(con, report, before), said, con


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


def test_a_real_salesforce_export_gives_the_same_result_through_the_one_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Fivetran's public Salesforce seeds: users, accounts, people, deals and one
    # task file, every file taken as large, so the task file is loaded in one
    # pass first in the transaction and the other files after it. Real defects
    # come with them: deleted rows, people naming no account, tasks naming
    # records the export does not hold.
    if not FIVETRAN_SALESFORCE.is_dir():
        pytest.skip("the public Fivetran Salesforce seeds are not available")
    files = [
        FIVETRAN_SALESFORCE / f"sf_{name}_data.csv"
        for name in ("user", "account", "contact", "opportunity", "task")
    ]
    outcomes = []
    for staged_only in (False, True):
        outcome, said, con = _new_database_import(
            files, monkeypatch, staged_only=staged_only
        )
        assert sum(store.orphan_counts(con).values()) == 0
        con.close()
        outcomes.append((outcome, said))
    (direct_outcome, direct_said), (staged_outcome, _said) = outcomes
    assert direct_said and direct_said[0], "the task file took the one pass"
    assert direct_outcome[0] is True
    # the tasks' references to records the export does not hold: warned, cleared
    assert any(
        p[0] == "warning" and p[1] == "sf_task_data.csv" for p in direct_outcome[1]
    )
    assert direct_outcome == staged_outcome


def test_a_whole_export_loads_its_activities_in_one_pass_with_the_staged_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _leads(_tasks())  # warnings too: tasks naming leads
    direct, said, con = _whole_export(
        tmp_path / "direct", monkeypatch, rows, staged_only=False
    )
    staged, _said, staged_con = _whole_export(
        tmp_path / "staged", monkeypatch, rows, staged_only=True
    )
    staged_con.close()
    assert said == [12], "the task file took the one pass inside the whole import"
    assert direct[0] is True
    assert direct[5]["activities"] and direct[5]["opportunities"]
    assert any(p[0] == "warning" and p[3] == "WhoId" for p in direct[1])
    # Every table's rows, the undo journal, the counts, the plan and the problems.
    assert direct == staged
    # One run: undoing it empties the database again.
    undone = store.undo_last_import(con, ANALYST)
    assert undone["restored"]["activities"] == 12
    assert all(store.table_counts(con)[t] == 0 for t in ("activities", "accounts"))
    con.close()


@pytest.mark.parametrize("damage", _REJECTED_DAMAGE)
def test_a_whole_export_with_a_bad_activity_row_is_rejected_whole_with_its_row(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    damage: Callable[[Rows], Rows],
) -> None:
    rows = damage(_tasks())
    direct, said, con = _whole_export(
        tmp_path / "direct", monkeypatch, rows, staged_only=False
    )
    con.close()
    staged, _said, staged_con = _whole_export(
        tmp_path / "staged", monkeypatch, rows, staged_only=True
    )
    staged_con.close()
    assert said == [None]  # the one pass saw the bad row and stepped aside
    assert direct == staged
    assert direct[0] is False
    errors = [p for p in direct[1] if p[0] == "error"]
    # With its file and row (and column, where the problem is one value's).
    assert errors and all(p[1] == "Task.csv" and p[2] for p in errors)
    # Nothing of the accounts, contacts or deals files was kept either.
    assert direct[6], "a rejected import leaves the database unchanged"


@pytest.mark.parametrize("bad_task", [True, False], ids=["bad-task", "clean-tasks"])
def test_an_error_in_another_file_of_the_export_is_reported_with_the_activity_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad_task: bool
) -> None:
    folder = tmp_path / "export"
    rows = _set(2, 6, "not a date")(_tasks()) if bad_task else _tasks()
    original = _write_people

    def people_with_a_bad_deal(target: Path) -> list[Path]:
        files = original(target)
        (target / "Opportunity.csv").write_text(
            "Id,IsDeleted,AccountId,Name,StageName,Amount,CloseDate,IsClosed,IsWon\n"
            "006O00000000000001,false,001A00000000000001,Retrofit,Closed Won,"
            "lots,2024-03-31,true,true\n"
        )
        return files

    monkeypatch.setattr(sys.modules[__name__], "_write_people", people_with_a_bad_deal)
    result, said, con = _whole_export(folder, monkeypatch, rows, staged_only=False)
    con.close()
    # The activity file is loaded first: a bad row of its own sends the import
    # to the staged path at once; clean, its load is rolled back with the
    # transaction when the deals' error is found.
    assert said == ([None] if bad_task else [12])
    errors = {(p[1], p[2], p[3]) for p in result[1] if p[0] == "error"}
    assert (("Task.csv", 3, "ActivityDate") in errors) is bad_task
    assert ("Opportunity.csv", 1, "Amount") in errors
    assert result[0] is False and result[6]
    assert not any(rows for rows in result[5].values()), "nothing was written"


def test_the_memory_cap_of_a_large_import_grows_with_its_files_within_the_machine():
    mb = 2**20
    # at least the floor: a file of a few megabytes
    assert ingest.large_import_memory_limit(5 * mb, 24 * 2**30) == "400MiB"
    # then three times the files' bytes: the staged path holds their text
    assert ingest.large_import_memory_limit(1_000 * mb, 24 * 2**30) == "3000MiB"
    # never above four fifths of the machine's memory
    assert ingest.large_import_memory_limit(10_000 * mb, 10_000 * mb) == "8000MiB"
    # a system that does not say its memory: no cap but the files'
    assert ingest.large_import_memory_limit(1_000 * mb, None) == "3000MiB"
    # the one-pass load's cap: half the files' bytes, at least the floor
    one_pass = ingest.ONE_PASS_MEMORY_PER_FILE_BYTE
    assert ingest.large_import_memory_limit(1_000 * mb, 24 * 2**30, one_pass) == (
        "500MiB"
    )
    assert ingest.large_import_memory_limit(5 * mb, 24 * 2**30, one_pass) == "400MiB"


def test_duckdb_is_capped_at_the_bytes_the_cap_was_worked_out_in(tmp_path):
    # the cap is worked out in binary megabytes: DuckDB reads "MB" as a million
    # bytes, so the cap must say MiB to be the memory meant
    con = store.connect(tmp_path / "w.duckdb")
    try:
        store.set_memory_limit(con, ingest.large_import_memory_limit(0, None))
        stated = store.query_frame(
            con, "SELECT current_setting('memory_limit') AS limit_"
        )["limit_"][0]
    finally:
        con.close()
    assert stated == "400.0 MiB"


def _caps_by_path(
    monkeypatch: pytest.MonkeyPatch,
) -> list[tuple[str, str]]:
    """Give the staged path a cap of 500 MB and the one-pass load 450 MB.

    Returns the caps set, each with the cap it replaced, as they are set.
    """
    from workbench.ingest import pipeline

    def capped(_bytes: int, _machine: int | None, per_file_byte: float = 3.0) -> str:
        one_pass = per_file_byte == pipeline.ONE_PASS_MEMORY_PER_FILE_BYTE
        return "450MB" if one_pass else "500MB"

    caps: list[tuple[str, str]] = []
    cap = store.set_memory_limit

    def watched(connection: store.Connection, limit: str) -> str:
        previous = cap(connection, limit)
        caps.append((limit, previous))
        return previous

    monkeypatch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 0)
    monkeypatch.setattr(pipeline, "large_import_memory_limit", capped)
    monkeypatch.setattr(store, "set_memory_limit", watched)
    return caps


def test_a_large_import_runs_under_its_cap_and_gives_the_previous_one_back(
    tmp_path, monkeypatch
):
    con = store.connect(tmp_path / "w.duckdb")
    try:
        before = store.query_frame(
            con, "SELECT current_setting('memory_limit') AS limit_"
        )["limit_"][0]
        task = _write_tasks(tmp_path, _tasks())
        with monkeypatch.context() as patch:
            caps = _caps_by_path(patch)
            report = ingest.import_files(
                con, [*_write_people(tmp_path), task], actor=ANALYST
            )
    finally:
        con.close()
    assert report.ok, [p.message for p in report.errors]
    # the staged path's cap, the one-pass load's under it, each given back (as
    # DuckDB states it, rounded to 0.1 GiB)
    (staged, was), (one_pass, in_force), *given_back = caps
    assert (staged, was, one_pass) == ("500MB", before, "450MB")
    assert [limit for limit, _previous in given_back] == [in_force, before]


def test_an_activity_file_alone_is_loaded_under_the_staged_cap(tmp_path, monkeypatch):
    # alone it holds nothing until its commit that the lower cap would spill
    con = _database(tmp_path)
    task = _write_tasks(tmp_path, _tasks())
    with monkeypatch.context() as patch:
        caps = _caps_by_path(patch)
        report = ingest.import_files(con, [task], actor=ANALYST)
    assert report.ok, [p.message for p in report.errors]
    assert [limit for limit, _previous in caps][:1] == ["500MB"]
    assert "450MB" not in [limit for limit, _previous in caps]


def test_a_one_pass_load_short_of_memory_under_its_cap_runs_again_under_the_staged_one(
    tmp_path, monkeypatch
):
    # the one-pass load's lower cap does not hold every export: one that runs
    # out of memory under it is rolled back and loaded again under the staged
    # path's cap, and imports as it would have
    con = store.connect(tmp_path / "w.duckdb")
    task = _write_tasks(tmp_path, _tasks())
    under: list[str] = []
    load = store.import_activities_load

    def short_once(cur: store.Connection, *args: Any) -> int | None:
        under.append(
            str(cur.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
        )
        if len(under) == 1:
            raise store.OutOfMemoryError("could not allocate block of size 256.0 KiB")
        return load(cur, *args)

    with monkeypatch.context() as patch:
        caps = _caps_by_path(patch)
        patch.setattr(store, "import_activities_load", short_once)
        report = ingest.import_files(
            con, [*_write_people(tmp_path), task], actor=ANALYST
        )
    assert report.ok, [p.message for p in report.errors]
    staged_as_stated = caps[1][1]  # the cap the one-pass cap replaced
    one_pass_as_stated = caps[2][1]
    # DuckDB states a cap rounded to 0.1 MiB, and one given back as stated may
    # read 0.1 MiB less
    mib = [float(stated.removesuffix(" MiB")) for stated in under]
    assert under[0] == one_pass_as_stated
    assert mib[1] == pytest.approx(
        float(staged_as_stated.removesuffix(" MiB")), abs=0.2
    )
    assert mib[1] > mib[0] + 40
    assert store.table_counts(con)["activities"] == len(_tasks())


@pytest.mark.parametrize("staged_only", [False, True], ids=["one-pass", "staged"])
def test_a_large_file_beyond_the_memory_cap_is_refused_as_such_not_as_unreadable(
    tmp_path, monkeypatch, staged_only
):
    from workbench.store.imports import direct, staging

    con = _database(tmp_path)
    task = _write_tasks(tmp_path, _tasks())

    def out_of_memory(*_args: Any) -> None:
        # as DuckDB's reader says it when the cap is reached mid-file
        raise store.OutOfMemoryError("could not allocate block of size 256.0 KiB")

    with monkeypatch.context() as patch:
        patch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 0)
        patch.setattr(direct, "_reject_ragged", out_of_memory)
        patch.setattr(staging, "_reject_ragged", out_of_memory)
        if staged_only:
            patch.setattr(store, "import_activities_load", lambda *_args: None)
        with pytest.raises(RejectedInputError) as refused:
            ingest.import_files(con, [task], actor=ANALYST)
    assert "ran out of memory" in str(refused.value)
    assert "reader refused" not in str(refused.value)
    assert store.query_frame(con, "SELECT count(*) AS n FROM activities")["n"][0] == 0


def test_a_large_files_digest_is_hashed_beside_the_load_and_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The digest of a file on disk is computed beside the load, and done (its
    # spilled copy not yet removed) before the import returns.
    con, task, report = _loaded_in_one_pass(tmp_path, monkeypatch)
    (entry,) = report.files
    assert isinstance(entry.digest, str)  # plain text once the import returns
    expected = hashlib.sha256(task.read_bytes()).hexdigest()
    assert entry.sha256 == expected
    recorded = json.loads(store.import_runs(con, limit=1)["files"][0])
    assert [f["sha256"] for f in recorded] == [expected]
    # The same file again is said to be imported already; changed, it imports.
    again, _said = _import_task(con, task, monkeypatch, staged_only=False)
    assert again.ok and again.run_id is None
    assert any(p.code == "already_imported" for p in again.problems)
    changed = _write_tasks(tmp_path, _tasks(13))
    third, _said = _import_task(con, changed, monkeypatch, staged_only=False)
    assert third.ok and third.run_id is not None
    con.close()


class _NeverHashed(Future[str]):
    """A digest the test fails on when it is waited for."""

    def result(self, timeout: float | None = None) -> str:
        raise AssertionError("the digest was waited for")


def test_files_filling_other_tables_than_the_last_import_are_not_hashed_first(
    tmp_path: Path,
) -> None:
    con = _database(tmp_path)  # the last committed run: users, accounts, contacts
    (entry,) = ingest.propose_files(con, [_write_tasks(tmp_path, _tasks())])[0]
    assert isinstance(entry.digest, str)  # a proposal hands back plain text
    entry.digest = _NeverHashed()
    assert entry.table == "activities"
    assert guards.same_files_committed(con, [entry]) is None
    con.close()


def test_a_large_task_file_loads_without_arrow_or_numpy(tmp_path):
    """The one-pass load reads and checks in DuckDB, and asks the store for tuples.

    pyarrow (about 40 MB of a process's memory) and numpy (about 11 MB) are
    loaded by neither the store's reads (by the Arrow C stream) nor this load:
    a clean activity export needs neither, down to the check that the same
    files were not imported just before.
    """

    path = tmp_path / "held.duckdb"
    con = store.connect(str(path))
    try:
        report = ingest.import_files(con, _write_people(tmp_path), actor=ANALYST)
        assert report.ok, [p.message for p in report.errors]
    finally:
        con.close()
    task = _write_tasks(tmp_path, _tasks())
    # every file large: the task file loads in one pass
    assert _imported_in_a_child(path, [task], large_file_bytes=0) == "True [12] []"


def test_a_whole_export_in_one_go_loads_without_arrow_or_numpy(tmp_path):
    """Users, accounts and people staged from frames, tasks loaded in one pass.

    The small files' frames reach DuckDB by the Arrow C stream interface and
    every check's rows come back by it, so a whole export's import loads
    neither pyarrow nor numpy (they loaded with the first check's read).
    """
    people = _write_people(tmp_path)
    task = _write_tasks(tmp_path, _tasks())
    largest_small = max(p.stat().st_size for p in people)
    assert task.stat().st_size > largest_small
    path = tmp_path / "whole.duckdb"
    # the task file large, the people's files read into frames
    said = _imported_in_a_child(path, [*people, task], largest_small + 1)
    assert said == "True [12] []"
    con = store.connect(path)
    try:
        counts = store.table_counts(con)
    finally:
        con.close()
    assert [counts[t] for t in ("sellers", "accounts", "contacts", "activities")] == [
        2,
        2,
        2,
        12,
    ]


#: An import in a process of its own: whether it was accepted, what the one-pass
#: load said, and which of pyarrow and numpy the process loaded.
_IMPORT_PROBE = (
    "import sys\n"
    "from pathlib import Path\n"
    "from workbench import ingest, store\n"
    "from workbench.domain import LOCAL_ACTOR\n"
    "ingest.inputs.LARGE_FILE_BYTES = int(sys.argv[2])\n"
    "loaded = []\n"
    "load = store.import_activities_load\n"
    "def watched(*args, **kwargs):\n"
    "    loaded.append(load(*args, **kwargs))\n"
    "    return loaded[-1]\n"
    "store.import_activities_load = watched\n"
    "con = store.connect(sys.argv[1])\n"
    "report = ingest.import_files(\n"
    "    con, [Path(p) for p in sys.argv[3:]], actor=LOCAL_ACTOR)\n"
    "con.close()\n"
    "print(report.ok, loaded, [m for m in ('pyarrow', 'numpy') if m in sys.modules])\n"
)


def _imported_in_a_child(path: Path, files: list[Path], large_file_bytes: int) -> str:
    """Import ``files`` into ``path`` in a fresh process; return what it printed."""
    import subprocess

    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _IMPORT_PROBE,
            str(path),
            str(large_file_bytes),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "doubled",
    [None, "in the file", "with a stored task"],
    ids=["unique", "doubled-in-the-file", "doubled-with-a-stored-task"],
)
def test_the_uniqueness_of_many_stored_ids_is_counted_in_parts(
    tmp_path, monkeypatch, doubled
):
    """Past a few million stored activities the distinct hashes are counted in parts.

    Each part counts the IDs whose hash leaves one remainder: a doubled ID falls
    in one part twice, in the file or beside a task stored before, and the load
    steps aside for the staged path, which reports a double in the file with
    its rows and updates a task stored before.
    """
    from workbench.store.imports import direct

    con = _database(tmp_path)
    tasks = _tasks()
    if doubled == "with a stored task":
        earlier = tmp_path / "earlier"
        earlier.mkdir()
        report, said = _import_task(
            con, _write_tasks(earlier, [_tasks()[0]]), monkeypatch, staged_only=False
        )
        assert report.ok and said == [1]
    elif doubled == "in the file":
        tasks = _duplicate(tasks)
    counted: list[str] = []
    statements = direct._distinct_hash_counts

    def watched(rows: int) -> list[tuple[str, dict[str, int]]]:
        made = statements(rows)
        counted.extend(sql for sql, _params in made)
        return made

    with monkeypatch.context() as patch:
        patch.setattr(direct, "DISTINCT_HASHES_PER_STATEMENT", 3)
        patch.setattr(direct, "_distinct_hash_counts", watched)
        report, said = _import_task(
            con, _write_tasks(tmp_path, tasks), monkeypatch, staged_only=False
        )
    stored = 1 if doubled == "with a stored task" else 0
    # twelve (or thirteen) stored activities, three a part
    assert len(counted) == -(-(len(tasks) + stored) // 3)
    assert all("% $parts::UBIGINT = $part::UBIGINT" in sql for sql in counted)
    if doubled is None:
        assert report.ok and said == [12]
        return
    assert said == [None], "the load stepped aside"
    if doubled == "in the file":
        assert not report.ok
        assert any("duplicate" in str(p.message).lower() for p in report.errors)
    else:
        assert report.ok and report.plan["activities"]["update"] == 1
