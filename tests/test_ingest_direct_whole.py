"""A whole export's activities in one pass: the staged result, or its problems.

The activities of a whole export (people, deals and tasks together, a real
Salesforce export among them) load in the one pass with what staging gives, and
a bad row anywhere rejects the export whole, named with its row.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REAL_DATASETS
from tests.ingest_direct_support import (
    _REJECTED_DAMAGE,
    ANALYST,
    Rows,
    _leads,
    _outcome,
    _set,
    _tasks,
    _write_people,
    _write_tasks,
)
from workbench import ingest, store

FIVETRAN_SALESFORCE = REAL_DATASETS / "fivetran-salesforce-seeds"


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
