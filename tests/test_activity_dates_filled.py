"""An activity's date where the CRM left its first date column empty.

A Salesforce ``Task`` export dates a task by its due date (``ActivityDate``),
which a to-do done without one leaves empty; ``CompletedDateTime`` and
``CreatedDate`` still date it. Read from the first column alone, such a task
had no date and counted in no 12-month figure, silently. Each row now takes
the first date the export holds for it, in the dictionary's order; each file
says how many rows another column dated, and names every activity left with no
date at all. The small, the medium (read by DuckDB) and the large (one-pass)
paths give the same rows and the same warnings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from workbench import ingest, store
from workbench.domain import Actor
from workbench.ingest import inputs, medium

ANALYST = Actor(name="ana", role="analyst")
ACCOUNTS = "Id,IsDeleted,Name\n001A00000000000001,false,Huadong Machinery\n"
TASK_HEADER = (
    "Id,IsDeleted,AccountId,Subject,ActivityDate,CompletedDateTime,CreatedDate,"
    "IsClosed,Status,TaskSubtype"
)
# A call logged on its day; a to-do done with no due date; an e-mail logged by
# an integration that sets neither (its creation dates it); an open to-do
# (left out); a task with no date anywhere (kept and named).
TASKS = (
    "00T000000000000001,false,001A00000000000001,Call,2024-03-01,"
    "2024-03-05T10:00:00.000+0000,2024-02-01T09:00:00.000+0000,true,Completed,Call",
    "00T000000000000002,false,001A00000000000001,Send the offer,,"
    "2024-04-05T10:00:00.000+0000,2024-02-01T09:00:00.000+0000,true,Completed,Task",
    "00T000000000000003,false,001A00000000000001,Email: offer,,,"
    "2024-04-20T08:00:00.000+0000,true,Completed,Email",
    "00T000000000000004,false,001A00000000000001,Call back,,,"
    "2024-04-21T08:00:00.000+0000,false,Not Started,Task",
    "00T000000000000005,false,001A00000000000001,Visit,,,,true,Completed,Task",
)


def _write(folder: Path, tasks: tuple[str, ...] = TASKS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Account.csv").write_text(ACCOUNTS)
    (folder / "Task.csv").write_text(TASK_HEADER + "\n" + "\n".join(tasks) + "\n")
    return [folder / "Account.csv", folder / "Task.csv"]


def _import(
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    tasks: tuple[str, ...] = TASKS,
) -> tuple[ingest.ImportReport, store.Connection]:
    """Import the export by ``path``: ``small``, ``medium`` or ``large``."""
    con = store.connect(":memory:")
    files = _write(folder, tasks)
    with monkeypatch.context() as patch:
        if path == "medium":
            patch.setattr(medium, "MEDIUM_FILE_BYTES", 0)
        if path == "large":
            # the accounts first: a large activity file alone loads in one pass
            first = ingest.import_files(con, files[:1], actor=ANALYST)
            assert first.ok
            files = files[1:]
            patch.setattr(inputs, "LARGE_FILE_BYTES", 0)
        report = ingest.import_files(con, files, actor=ANALYST)
    return report, con


def _dates(con: store.Connection) -> dict[str, Any]:
    rows = store.query_frame(
        con, "SELECT activity_id, activity_date FROM activities ORDER BY 1"
    ).rows()
    return {str(i)[-1]: (str(d) if d is not None else None) for i, d in rows}


def _said(report: ingest.ImportReport, code: str) -> list[tuple[Any, ...]]:
    return [
        (p.file, p.row, p.column, p.message) for p in report.problems if p.code == code
    ]


@pytest.mark.parametrize("path", ["small", "medium", "large"])
def test_each_task_takes_the_first_date_its_export_holds(
    path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, con = _import(tmp_path / path, monkeypatch, path)
    assert report.ok, [p.message for p in report.errors]
    # the due date where there is one; else when it was done; else its creation
    assert _dates(con) == {
        "1": "2024-03-01",
        "2": "2024-04-05",
        "3": "2024-04-20",
        "5": None,
    }
    assert _said(report, "filled_from_other") == [
        (
            "Task.csv",
            None,
            "ActivityDate",
            "1 row(s) have ActivityDate empty, or holding a date no CRM means (a "
            "stand-in for none such as 1900-01-01, or a year from 2100 on): the "
            "date of CompletedDateTime is read instead",
        ),
        (
            "Task.csv",
            None,
            "ActivityDate",
            "1 row(s) have ActivityDate empty, or holding a date no CRM means (a "
            "stand-in for none such as 1900-01-01, or a year from 2100 on): the "
            "date of CreatedDate is read instead",
        ),
    ]
    # the activity with no date at all is kept, and named with its row
    undated = _said(report, "undated_activity")
    assert [(f, r, c) for f, r, c, _m in undated] == [("Task.csv", 5, "ActivityDate")]
    assert "counts in no 12-month figure" in undated[0][3]
    # the date columns read are not reported as left unread
    unread = " ".join(m for *_rest, m in _said(report, "columns_not_imported"))
    assert "CompletedDateTime" not in unread and "CreatedDate" not in unread
    con.close()


def test_the_three_paths_agree_row_for_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes = []
    for path in ("small", "medium", "large"):
        report, con = _import(tmp_path / path, monkeypatch, path)
        outcomes.append(
            (
                store.query_frame(
                    con,
                    "SELECT * EXCLUDE (import_run_id) FROM activities ORDER BY ALL",
                ).rows(),
                sorted(
                    (p.code or "", str(p.row), p.message)
                    for p in report.problems
                    if p.file == "Task.csv"
                ),
            )
        )
        con.close()
    assert outcomes[0] == outcomes[1] == outcomes[2]


def test_a_clean_large_export_dated_from_other_columns_still_loads_in_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    con = store.connect(":memory:")
    files = _write(tmp_path, TASKS[:4])
    assert ingest.import_files(con, files[:1], actor=ANALYST).ok
    loaded: list[int | None] = []
    direct = store.import_activities_load

    def watched(*args: Any, **kwargs: Any) -> Any:
        loaded.append(direct(*args, **kwargs))
        return loaded[-1]

    with monkeypatch.context() as patch:
        patch.setattr(inputs, "LARGE_FILE_BYTES", 0)
        patch.setattr(store, "import_activities_load", watched)
        report = ingest.import_files(con, files[1:], actor=ANALYST)
    assert report.ok
    assert loaded == [3]  # one pass: three tasks done, the open one left out
    assert len(_said(report, "filled_from_other")) == 2
    assert report.plan["activities"]["not_done_in_crm"] == 1
    con.close()


def test_the_task_done_without_a_due_date_counts_in_the_years_effort(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, con = _import(tmp_path, monkeypatch, "small")
    assert report.ok
    features = store.account_features(con, store.resolve_as_of(con))
    # the call, the offer sent and the logged e-mail; not the undated visit
    assert features.get_column("activities_12m").to_list() == [3]
    con.close()


def test_a_hand_mapping_keeps_the_other_date_columns_where_its_own_is_empty(
    tmp_path: Path,
) -> None:
    files = _write(tmp_path)
    con = store.connect(":memory:")
    mapping = ingest.ColumnMapping(
        "activities",
        {
            "Id": "activity_id",
            "AccountId": "account_id",
            "Subject": "subject",
            "ActivityDate": "activity_date",
            "IsClosed": "is_closed",
        },
    )
    report = ingest.import_files(
        con, files, actor=ANALYST, mappings={"Task.csv": mapping}
    )
    assert report.ok, [p.message for p in report.errors]
    assert _dates(con)["2"] == "2024-04-05"
    con.close()


def test_the_mapping_table_shows_which_columns_fill_empty_cells(
    tmp_path: Path,
) -> None:
    task = _write(tmp_path)[1]
    (entry,) = ingest.recognise_file("Task.csv", task.read_bytes())
    table = ingest.mapping_table(entry)
    fills = dict(table.select("file column", "fills empty cells of").rows())
    assert fills["CompletedDateTime"] == "activity_date (2)"
    assert fills["CreatedDate"] == "activity_date (3)"
    assert fills["Subject"] == ""
    # the recognised files' table counts them among the columns read
    files = ingest.files_frame([entry])
    assert files.select("mapped_columns", "ignored_columns").row(0) == (10, 0)
    # the editor's mapping itself is unchanged: one header per workbench column
    chosen = ingest.mapping_from_table("activities", table)
    assert chosen.columns["ActivityDate"] == "activity_date"
    assert "CompletedDateTime" not in chosen.columns


def test_a_person_may_choose_not_to_read_a_column_where_another_is_empty(
    tmp_path: Path,
) -> None:
    # An integration's CreatedDate is when the record was logged, which may be
    # weeks after the e-mail: an analyst unticks it in the mapping editor.
    files = _write(tmp_path)
    (entry,) = ingest.recognise_file("Task.csv", files[1].read_bytes())
    table = ingest.mapping_table(entry)
    fills = dict(table.select("file column", "fills").rows())
    assert fills["CreatedDate"] is True and fills["Subject"] is None
    unticked = table.with_columns(
        fills=pl.when(pl.col("file column") == "CreatedDate")
        .then(False)
        .otherwise(pl.col("fills"))
    )
    chosen = ingest.mapping_from_table("activities", unticked)
    assert chosen.columns["CreatedDate"] == ""
    path = tmp_path / "portfolio.duckdb"
    con = store.connect(path)
    report = ingest.import_files(
        con, files, actor=ANALYST, mappings={"Task.csv": chosen}
    )
    assert report.ok, [p.message for p in report.errors]
    # the task done without a due date still takes its completion; the e-mail
    # only CreatedDate dated has no date, and is named
    assert _dates(con)["2"] == "2024-04-05"
    assert _dates(con)["3"] is None
    assert [p.row for p in report.problems if p.code == "undated_activity"] == [3, 5]
    # remembered for files with the same header: the next import reads it so,
    # and the editor shows the column unticked
    saved = store.saved_column_mapping(con, entry.header_signature)
    assert saved is not None and saved[1]["CreatedDate"] == ""
    (again,) = ingest.recognise_file("Task.csv", files[1].read_bytes(), saved=saved)
    assert again.not_fallbacks == ["CreatedDate"]
    assert "CreatedDate" not in again.fallbacks.get("activity_date", [])
    shown = dict(ingest.mapping_table(again).select("file column", "fills").rows())
    assert shown["CreatedDate"] is False
    assert shown["CompletedDateTime"] is True
    con.close()


#: Tasks whose due date is a CRM's stand-in for none (1900-01-01 from Excel or
#: SQL Server, 0001-01-01 from .NET, 1/1/1900 from a US locale) beside the
#: dates that are there; one with no other date (its stand-in stands, warned
#: of); one typed 2102 for 2012; a plain one.
PLACEHOLDER_TASKS = (
    "00T000000000000006,false,001A00000000000001,Send the offer,1/1/1900,"
    "2024-05-02T10:00:00.000+0000,2024-02-01T09:00:00.000+0000,true,Completed,Task",
    "00T000000000000007,false,001A00000000000001,Email: offer,0001-01-01,,"
    "2024-05-03T08:00:00.000+0000,true,Completed,Email",
    "00T000000000000008,false,001A00000000000001,Visit,1900-01-01,,,true,Completed,"
    "Task",
    "00T000000000000009,false,001A00000000000001,Call,2102-05-04,"
    "2012-05-04T10:00:00.000+0000,2012-05-01T09:00:00.000+0000,true,Completed,Call",
    # a day-first stand-in starting "20", as a date of this century does
    "00T000000000000001,false,001A00000000000001,Offer,20/01/1900,"
    "2024-05-07T10:00:00.000+0000,2024-05-01T09:00:00.000+0000,true,Completed,Task",
    "00T000000000000000,false,001A00000000000001,Call,2024-05-05,"
    "2024-05-06T10:00:00.000+0000,2024-05-01T09:00:00.000+0000,true,Completed,Call",
)


@pytest.mark.parametrize("path", ["small", "medium", "large"])
def test_a_date_no_crm_means_lets_the_next_column_date_the_task(
    path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, con = _import(tmp_path / path, monkeypatch, path, PLACEHOLDER_TASKS)
    assert report.ok, [p.message for p in report.errors]
    assert _dates(con) == {
        "6": "2024-05-02",
        "7": "2024-05-03",
        "8": "1900-01-01",
        "9": "2012-05-04",
        "0": "2024-05-05",
        "1": "2024-05-07",
    }
    # the completion dates the stand-ins 1/1/1900 and 20/01/1900 and the typed 2102; the
    # creation the .NET stand-in 0001-01-01
    filled = [m for *_rest, m in _said(report, "filled_from_other")]
    assert [(m.split(" ")[0], m.rsplit(": ", 1)[1]) for m in filled] == [
        ("3", "the date of CompletedDateTime is read instead"),
        ("1", "the date of CreatedDate is read instead"),
    ]
    # with no other date, the stand-in stands: a date to check, with its row
    assert [(f, r, c) for f, r, c, _m in _said(report, "unlikely_date")] == [
        ("Task.csv", 3, "ActivityDate")
    ]
    con.close()


def test_a_dynamics_activity_without_an_actual_start_is_dated_by_its_schedule(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "dynamics"
    folder.mkdir()
    (folder / "activitypointer.csv").write_text(
        "activityid,regardingobjectid,Regarding,activitytypecode,actualstart,"
        "scheduledstart,subject\n"
        "a1,acc1,Huadong Machinery,phonecall,2024-05-02,2024-05-01,Call\n"
        "a2,acc1,Huadong Machinery,phonecall,,2024-06-01,Call\n"
    )
    con = store.connect(":memory:")
    report = ingest.import_files(
        con, [folder / "activitypointer.csv"], actor=ANALYST, source="dynamics"
    )
    assert report.ok, [p.message for p in report.errors]
    rows = store.query_frame(
        con, "SELECT activity_id, activity_date::VARCHAR FROM activities ORDER BY 1"
    ).rows()
    assert rows == [("a1", "2024-05-02"), ("a2", "2024-06-01")]
    assert [p.column for p in report.problems if p.code == "filled_from_other"] == [
        "actualstart"
    ]
    con.close()


@pytest.mark.parametrize("path", ["small", "medium", "large"])
def test_an_unreadable_date_is_named_under_the_column_that_held_it(
    path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The due date is empty, so the completion is read: its unreadable value is
    # that column's, not ActivityDate's (which the analyst would find empty).
    bad = TASKS[1].replace("2024-04-05T10:00:00.000+0000", "next week")
    report, con = _import(tmp_path, monkeypatch, path, (TASKS[0], bad, *TASKS[2:]))
    assert not report.ok
    assert [(p.file, p.row, p.column) for p in report.errors] == [
        ("Task.csv", 2, "CompletedDateTime")
    ]
    assert "“next week” is not a date" in report.errors[0].message
    con.close()
