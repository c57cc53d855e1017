"""Tasks their CRM holds as not done are to-dos, not effort: left out with a count.

A real Salesforce ``Task`` export holds the open to-dos beside the logged calls
(Salesforce lists them under "Open Activities"); HubSpot's and Dynamics' task
exports say the same with a status. Counted, an overdue follow-up nobody made
put hours on an account nobody visited. Fixtures are small and made here.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import ANALYST, import_texts
from tests.ingest_support import imported_small_and_large
from workbench import ingest, store

ACCOUNTS = "Id,Name\n001A1,Nordwerk AG\n001A2,Huadong Steel\n"
# Three logged calls and four to-dos; the flag decides over the status.
TASKS = (
    "Id,AccountId,Subject,ActivityDate,TaskSubtype,CallDurationInSeconds,Status,IsClosed\n"
    "00T1,001A1,Price call,2024-05-02,Call,1800,Completed,true\n"
    "00T2,001A1,Follow up,2024-05-03,Task,,Not Started,false\n"
    "00T3,001A1,Send specs,2024-05-04,Task,,Waiting on someone else,false\n"
    "00T4,001A2,Review call,2024-05-05,Call,1200,Completed,true\n"
    "00T5,001A2,Chase PO,2024-05-06,Task,,Deferred,\n"
    "00T6,001A2,Closed odd status,2024-05-07,Call,600,In Progress,true\n"
    "00T7,001A2,Cancelled visit,2024-05-08,Task,,Canceled,\n"
)


def _effort(con: store.Connection) -> dict[str, tuple[int, float]]:
    features = store.account_features(con, date(2024, 6, 30))
    return {
        r["account_id"]: (r["activities_12m"], r["effort_minutes_recorded_12m"])
        for r in features.iter_rows(named=True)
    }


def test_tasks_not_done_are_not_effort_and_the_import_says_how_many(
    con: store.Connection,
) -> None:
    report = import_texts(con, {"Account.csv": ACCOUNTS, "Task.csv": TASKS})
    assert report.ok, [p.message for p in report.errors]
    stored = store.query_frame(con, "SELECT activity_id FROM activities ORDER BY 1")
    assert stored["activity_id"].to_list() == ["00T1", "00T4", "00T6"]
    said = [p for p in report.problems if p.code == "not_done_in_crm"]
    assert [(p.level, p.file, p.row) for p in said] == [("warning", "Task.csv", None)]
    assert said[0].message.startswith("4 activity(ies) the CRM holds as not done")
    # counted apart, as deleted rows are: nothing of the file is lost
    assert report.plan["activities"]["not_done_in_crm"] == 4
    assert report.plan["activities"]["skip"] == 0
    assert ingest.summary.rows_left_out(report.plan) == 0
    # effort: the logged calls alone (minutes from their seconds)
    assert _effort(con) == {"001A1": (1, 30.0), "001A2": (2, 30.0)}


def test_a_task_done_later_comes_in_with_the_next_import(
    con: store.Connection,
) -> None:
    assert import_texts(con, {"Account.csv": ACCOUNTS, "Task.csv": TASKS}).ok
    done = TASKS.replace(
        "00T2,001A1,Follow up,2024-05-03,Task,,Not Started,false",
        "00T2,001A1,Follow up,2024-05-03,Call,900,Completed,true",
    )
    report = import_texts(con, {"Task.csv": done})
    assert report.ok, [p.message for p in report.errors]
    assert report.plan["activities"]["add"] == 1
    assert _effort(con)["001A1"] == (2, 45.0)


@pytest.mark.parametrize(
    ("files", "kept"),
    [
        pytest.param(
            {
                "companies.csv": "Record ID,Company name\n101,Nordwerk AG\n",
                "tasks.csv": "Record ID,Task Title,Due date,Task type,Task Status,"
                "Associated Company IDs\n"
                "601,Send proposal,2024-04-12,TODO,NOT_STARTED,101\n"
                "602,Call back,2024-04-15,CALL,COMPLETED,101\n"
                "603,Visit,2024-04-16,TODO,IN_PROGRESS,101\n",
            },
            ["602"],
            id="hubspot-task-status",
        ),
        pytest.param(
            {
                "companies.csv": "Record ID,Company name\n101,Nordwerk AG\n",
                "meetings.csv": "Record ID,Meeting name,Meeting start time,"
                "Meeting outcome,Associated Company IDs\n"
                "401,Quarterly review,2024-04-10 09:00,COMPLETED,101\n"
                "402,Site visit,2024-04-11 09:00,CANCELED,101\n"
                # the customer did not come: our time was spent all the same
                "403,Workshop,2024-04-12 09:00,NO_SHOW,101\n",
            },
            ["401", "403"],
            id="hubspot-meeting-outcome",
        ),
        pytest.param(
            {
                "companies.csv": "Record ID,Company name\n101,Nordwerk AG\n",
                "calls.csv": "Record ID,Call Title,Activity date,Call status,"
                "Associated Company IDs\n"
                "301,Renewal,2024-04-02 10:00,COMPLETED,101\n"
                "302,Follow-up,2024-04-03 10:00,NO_ANSWER,101\n"
                "303,Callback,2024-04-04 10:00,QUEUED,101\n",
            },
            ["301", "302"],
            id="hubspot-call-status",
        ),
        pytest.param(
            {
                "accounts.csv": "account_id,name\nA1,Nordwerk AG\n",
                "activities.csv": "activity_id,account_id,activity_date,kind,status\n"
                "X1,A1,2024-04-12,call,done\n"
                "X2,A1,2024-04-13,call,Open\n"
                "X3,A1,2024-04-14,meeting,\n"
                "X4,A1,2024-04-15,meeting,cancelled\n",
            },
            ["X1", "X3"],
            id="generic-status",
        ),
        pytest.param(
            {
                "account.csv": "accountid,name\nacc1,Nordwerk AG\n",
                # Dataverse's API gives the state as its code: 0 open,
                # 1 completed, 2 cancelled, 3 scheduled
                "activitypointer.csv": "activityid,regardingobjectid,activitytypecode,"
                "actualstart,subject,statecode\n"
                "d1,acc1,phonecall,2024-04-02,Renewal,1\n"
                "d2,acc1,phonecall,2024-04-03,Follow-up,0\n"
                "d3,acc1,appointment,2024-04-04,Visit,2\n"
                "d4,acc1,appointment,2024-04-05,Workshop,3\n",
            },
            ["d1", "d4"],
            id="dynamics-state-code",
        ),
        pytest.param(
            {
                "account.csv": "accountid,name\nacc1,Nordwerk AG\n",
                # its SQL endpoint names the state beside the code
                "activitypointer.csv": "activityid,regardingobjectid,activitytypecode,"
                "actualstart,subject,statecode,statecodename\n"
                "d1,acc1,phonecall,2024-04-02,Renewal,1,Completed\n"
                "d2,acc1,phonecall,2024-04-03,Follow-up,0,Open\n",
            },
            ["d1"],
            id="dynamics-state-name",
        ),
        pytest.param(
            {
                "客户.csv": "客户编号,客户名称\nC1,华东钢铁\n",
                "拜访记录.csv": "拜访编号,客户编号,拜访日期,拜访方式,拜访状态\n"
                "V1,C1,2024-04-12,上门拜访,已完成\n"
                "V2,C1,2024-04-13,电话,未完成\n"
                "V3,C1,2024-04-14,上门拜访,计划中\n",
            },
            ["V1", "V3"],
            id="chinese-visit-status",
        ),
    ],
)
def test_each_crm_s_status_of_a_task_not_done_leaves_it_out(
    con: store.Connection, files: dict[str, str], kept: list[str]
) -> None:
    report = import_texts(con, files)
    assert report.ok, [p.message for p in report.errors]
    stored = store.query_frame(con, "SELECT activity_id FROM activities ORDER BY 1")
    assert stored["activity_id"].to_list() == kept
    assert [p.code for p in report.problems].count("not_done_in_crm") == 1


def test_an_unreadable_closed_flag_is_refused_at_its_row(con: store.Connection) -> None:
    bad = TASKS.replace("Completed,true\n00T2", "Completed,perhaps\n00T2")
    report = import_texts(con, {"Account.csv": ACCOUNTS, "Task.csv": bad})
    assert not report.ok
    assert [(p.file, p.row, p.column) for p in report.errors] == [
        ("Task.csv", 1, "IsClosed")
    ]
    assert store.table_counts(con)["activities"] == 0


def test_a_large_dynamics_export_leaves_out_by_state_code_in_one_pass(
    tmp_path, monkeypatch
) -> None:
    (tmp_path / "account.csv").write_text("accountid,name\nacc1,Nordwerk AG\n")
    (tmp_path / "activitypointer.csv").write_text(
        "activityid,regardingobjectid,activitytypecode,actualstart,subject,statecode\n"
        "d1,acc1,phonecall,2024-04-02,Renewal,1\n"
        "d2,acc1,phonecall,2024-04-03,Follow-up,0\n"
        "d3,acc1,appointment,2024-04-04,Visit,2\n"
        "d4,acc1,appointment,2024-04-05,Workshop,3\n"
    )
    con = store.connect(":memory:")
    first = ingest.import_files(con, [tmp_path / "account.csv"], actor=ANALYST)
    assert first.ok
    loaded: list[object] = []
    direct = store.import_activities_load

    def watched(*args: object, **kwargs: object) -> object:
        loaded.append(direct(*args, **kwargs))  # type: ignore[arg-type]
        return loaded[-1]

    with monkeypatch.context() as patch:
        patch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 0)
        patch.setattr(store, "import_activities_load", watched)
        report = ingest.import_files(
            con, [tmp_path / "activitypointer.csv"], actor=ANALYST
        )
    assert report.ok, [p.message for p in report.errors]
    assert loaded == [2]  # in one pass
    stored = store.query_frame(con, "SELECT activity_id FROM activities ORDER BY 1")
    assert stored["activity_id"].to_list() == ["d1", "d4"]
    assert report.plan["activities"]["not_done_in_crm"] == 2
    con.close()


def test_a_meeting_only_proposed_is_left_out_as_not_done(tmp_path, monkeypatch) -> None:
    # Salesforce's GroupEventType 2: a meeting a seller proposed to a customer,
    # with times to choose from, that nobody confirmed (once confirmed, the
    # record becomes a group event, 1); held in memory and as a large file
    files = {
        "Account.csv": ACCOUNTS,
        "Event.csv": "Id,AccountId,Subject,ActivityDate,DurationInMinutes,"
        "GroupEventType\n"
        "00U1,001A1,Kick-off (proposed),2024-05-06,60, 2\n"
        "00U2,001A1,Site visit,2024-05-04,120,1\n"
        "00U3,001A1,Lunch,2024-05-05,60,\n",
    }

    def seen(con: store.Connection, report: ingest.ImportReport) -> object:
        stored = store.query_frame(con, "SELECT activity_id FROM activities ORDER BY 1")
        return (
            stored["activity_id"].to_list(),
            report.plan["activities"]["not_done_in_crm"],
            [p.rows for p in report.problems if p.code == "not_done_in_crm"],
        )

    small, large = imported_small_and_large(tmp_path, monkeypatch, files, seen)
    assert small == large == (["00U2", "00U3"], 1, [1])
