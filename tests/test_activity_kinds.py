"""What kind of activity a row is, where its CRM's kind column does not say it plainly.

Salesforce's ``TaskSubtype`` is "Task" for every task not logged as a call, an
e-mail or a list e-mail, and its ``EventSubtype`` "Event" for every event: the
kind the import read from it named only the object, and the Effort page's
breakdown by kind showed a real org's calls and meetings as "task" and
"event". The ``Type`` picklist beside it says what each was (the Fivetran
Salesforce seeds' ten events are six calls and four meetings by their type).

A Dynamics activity export lists every activity type in one file; a quick
campaign and a campaign activity are the campaign's own records.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REAL_DATASETS, import_texts
from tests.ingest_support import (
    DYNAMICS_ACCOUNT,
    _import,
    import_dynamics,
    imported_small_and_large,
)
from workbench import store
from workbench.ingest import ImportReport

ACCOUNT = "Id,Name\n001A1,Nordwerk AG\n"

#: Tasks of subtype "Task" whose type says a call, a meeting, a letter, a
#: quote, an org's own value and none; a call logged as such whose type says
#: a meeting (the subtype decides); a list e-mail of type Email (left out).
SALESFORCE_TASKS = {
    "Account.csv": ACCOUNT,
    "Task.csv": "Id,AccountId,Subject,ActivityDate,TaskSubtype,Type,Status\n"
    "00T1,001A1,Price call,2024-03-01,Task,Call,Completed\n"
    "00T2,001A1,Review,2024-03-02,Task, Meeting ,Completed\n"
    "00T3,001A1,Offer,2024-03-03,Task,Send Letter,Completed\n"
    "00T4,001A1,Quote,2024-03-04,Task,Send Quote,Completed\n"
    "00T5,001A1,Lunch & learn,2024-03-05,Task,X,Completed\n"
    "00T6,001A1,Follow up,2024-03-06,Task,,Completed\n"
    "00T7,001A1,Renewal call,2024-03-07,Call,Meeting,Completed\n"
    "00T8,001A1,Spring offer,2024-03-08,ListEmail,Email,Completed\n",
}


def _kinds(con: store.Connection, report: ImportReport) -> object:
    kinds = store.query_frame(
        con, "SELECT activity_id, kind FROM activities ORDER BY activity_id"
    ).rows()
    unknown = [p for p in report.problems if p.column in {"Type", "TaskSubtype"}]
    return kinds, unknown


def test_a_salesforce_task_of_subtype_task_takes_its_kind_from_its_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # held in memory, and as a large file loaded in one pass
    small, large = imported_small_and_large(
        tmp_path, monkeypatch, SALESFORCE_TASKS, _kinds
    )
    assert small == large
    kinds, unknown = small
    assert kinds == [
        ("00T1", "call"),
        ("00T2", "meeting"),
        ("00T3", "email"),
        ("00T4", "quote"),
        ("00T5", "task"),  # an org's own type: the subtype stands, unwarned
        ("00T6", "task"),
        ("00T7", "call"),
    ]
    assert unknown == []


def test_a_salesforce_event_takes_its_kind_from_its_type(
    con: store.Connection,
) -> None:
    report = import_texts(
        con,
        {
            "Account.csv": ACCOUNT,
            "Event.csv": "Id,AccountId,Subject,ActivityDate,DurationInMinutes,"
            "EventSubtype,Type\n"
            "00U1,001A1,Intro,2024-03-01,30,Event,Call\n"
            "00U2,001A1,Review,2024-03-02,60,Event,Meeting\n"
            "00U3,001A1,Fair,2024-03-03,60,Event,\n",
        },
    )
    assert report.ok, [p.message for p in report.errors]
    assert store.query_frame(
        con, "SELECT list(kind ORDER BY activity_id) FROM activities"
    ).item().to_list() == ["call", "meeting", "event"]


def test_the_real_fivetran_salesforce_events_are_calls_and_meetings(
    con: store.Connection,
) -> None:
    folder = REAL_DATASETS / "fivetran-salesforce-seeds"
    if not folder.exists():
        pytest.skip("real data set fivetran-salesforce-seeds is not available")
    report = _import(con, folder)
    assert report.ok
    # the ten events, all of subtype "Event", are six calls and four meetings
    # by their type; the ten tasks' type is "X" (an org's own value) or empty,
    # so their subtype stands
    kinds = store.query_frame(
        con, "SELECT kind, count(*) AS n FROM activities GROUP BY ALL ORDER BY ALL"
    ).rows()
    assert kinds == [("call", 6), ("meeting", 4), ("task", 10)]


def test_a_dynamics_activity_export_reads_its_kinds_and_leaves_campaigns_out(
    con: store.Connection,
) -> None:
    # an activitypointer export lists every activity type; a quick campaign
    # and a campaign activity are the campaign's own records (the e-mails and
    # calls they send are rows of their own), by code or by the view's label
    account = DYNAMICS_ACCOUNT
    rows = [
        ("p1", "phonecall", "Intro call"),
        ("l1", "letter", "Offer by post"),
        ("f1", "Fax", "Signed order"),
        ("s1", "serviceappointment", "Boiler service"),
        ("s2", "Service Activity", "Boiler check"),
        ("q1", "bulkoperation", "Spring mailing"),
        ("c1", "campaignactivity", "Spring mailing: e-mail"),
        ("c2", "Campaign Activity", "Spring mailing: letters"),
        ("q2", "Quick Campaign", "Autumn mailing"),
    ]
    report = import_dynamics(
        con,
        {
            "activitypointer.csv": "activityid,regardingobjectid,activitytypecode,"
            "subject,actualstart,statecode\n"
            + "".join(f"{i},{account},{k},{s},2024-05-06,1\n" for i, k, s in rows),
        },
    )
    assert report.ok, [p.message for p in report.errors]
    kinds = store.query_frame(
        con, "SELECT activity_id, kind FROM activities ORDER BY activity_id"
    ).rows()
    assert kinds == [
        ("f1", "email"),
        ("l1", "email"),
        ("p1", "call"),
        ("s1", "support"),
        ("s2", "support"),
    ]
    assert not [p for p in report.problems if p.column == "activitytypecode"]
    assert [p.rows for p in report.problems if p.code == "one_to_many"] == [4]
