"""What an activity counts, where its CRM's rows do not say it plainly.

An all-day event counts a working day for each day it spans, not 24 hours.

A CRM writes an all-day event (a trade fair, a day at the customer's plant) with
the calendar's span as its duration: Salesforce's ``DurationInMinutes`` is 1,440
for each day of an event with ``IsAllDayEvent`` set, and a Dynamics appointment
with ``isalldayevent`` the same. Counted as written, one such day weighed as
much as sixteen 90-minute meetings in an account's effort. The import counts
it as :data:`~workbench.domain.WORKING_DAY_MINUTES` a day and names the row.

A list e-mail's tasks are left out and counted. Salesforce logs one task
(``TaskSubtype`` ``ListEmail``) on each person a list e-mail went to, without a
duration: the 15 minutes assumed of an activity without one put 50 hours on the
accounts of one e-mail to 200 people, and each of them counted as covered.

A recurring series' main record is left out and counted. Salesforce keeps it
beside each occurrence, dated and timed as the first (Classic's ``IsRecurrence``,
Lightning's ``GroupEventType`` 3), as a Dynamics activity export lists its
recurring appointment master: counted, each series' first occurrence counted
twice.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import import_texts
from tests.ingest_support import (
    DYNAMICS_ACCOUNT,
    import_dynamics,
    imported_small_and_large,
)
from workbench import store
from workbench.domain import WORKING_DAY_MINUTES
from workbench.ingest import ImportReport

#: The account every Salesforce export below logs its activities on.
ACCOUNT = "Id,Name\n001A1,Nordwerk AG\n"

#: A meeting, all-day events of one day, of three days, of no duration given
#: and of a fortnight (beyond the week a timed activity may last), and a timed
#: meeting of more than a day (warned of as before, counted as written).
SALESFORCE_EVENTS = {
    "Account.csv": ACCOUNT,
    "Event.csv": "Id,AccountId,Subject,ActivityDate,DurationInMinutes,IsAllDayEvent\n"
    "00U1,001A1,Quarterly review,2024-03-01,90,false\n"
    "00U2,001A1,Trade fair,2024-03-04,1440,true\n"
    "00U3,001A1,Plant days,2024-03-11,4320,true\n"
    "00U4,001A1,Offsite,2024-03-18,,true\n"
    "00U5,001A1,Calendar block,2024-03-20,2000,false\n"
    "00U6,001A1,Commissioning,2024-04-01,20160,TRUE\n",
}


def _minutes_and_warnings(
    con: store.Connection, report: ImportReport
) -> tuple[list[float | None], list[tuple[str, int | None, str | None, str]]]:
    minutes = (
        store.query_frame(
            con, "SELECT list(duration_minutes ORDER BY activity_id) FROM activities"
        )
        .item()
        .to_list()
    )
    warned = [
        (p.file, p.row, p.column, p.code)
        for p in report.problems
        if p.code in {"all_day_event", "long_activity"}
    ]
    return minutes, sorted(warned, key=lambda w: (w[1] or 0, w[3]))


#: Activities of an hour and a half, of a day and a half (a calendar block over
#: two days) and of five days and a half (the Fivetran HubSpot seeds hold meetings of
#: 36 to 131 hours): each counts its whole span as effort.
LONG_ACTIVITIES = {
    "accounts.csv": "account_id,name\nA1,Nordwerk AG\n",
    "activities.csv": "activity_id,account_id,kind,activity_date,duration_minutes\n"
    "V1,A1,visit,2024-03-01,90\n"
    "V2,A1,meeting,2024-03-04,2160\n"
    "V3,A1,meeting,2024-03-11,7860\n",
}


def test_an_activity_longer_than_a_day_is_warned_of_and_counted_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # held in memory, and as a large file (the one-pass load hands it over)
    small, large = imported_small_and_large(
        tmp_path, monkeypatch, LONG_ACTIVITIES, _minutes_and_warnings
    )
    assert (
        large
        == small
        == (
            [90.0, 2160.0, 7860.0],
            [
                ("activities.csv", 2, "duration_minutes", "long_activity"),
                ("activities.csv", 3, "duration_minutes", "long_activity"),
            ],
        )
    )


def test_an_all_day_event_counts_a_working_day_for_each_day_it_spans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # held in memory, and as a large file (the one-pass load hands it over)
    small, large = imported_small_and_large(
        tmp_path, monkeypatch, SALESFORCE_EVENTS, _minutes_and_warnings
    )
    assert large == small
    day = float(WORKING_DAY_MINUTES)
    assert small == (
        [90.0, day, 3 * day, day, 2000.0, 14 * day],
        [
            ("Event.csv", 2, "IsAllDayEvent", "all_day_event"),
            ("Event.csv", 3, "IsAllDayEvent", "all_day_event"),
            ("Event.csv", 4, "IsAllDayEvent", "all_day_event"),
            ("Event.csv", 5, "DurationInMinutes", "long_activity"),
            ("Event.csv", 6, "IsAllDayEvent", "all_day_event"),
        ],
    )


def test_a_large_file_of_one_day_events_is_counted_and_warned_of_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no duration above a day: only the flag sends the one-pass load's rows
    # to the checked path, which names them
    one_day = {
        "Account.csv": ACCOUNT,
        "Event.csv": "Id,AccountId,Subject,ActivityDate,DurationInMinutes,IsAllDayEvent\n"
        "00U1,001A1,Quarterly review,2024-03-01,90,false\n"
        "00U2,001A1,Trade fair,2024-03-04,1440,true\n",
    }
    small, large = imported_small_and_large(
        tmp_path, monkeypatch, one_day, _minutes_and_warnings
    )
    assert (
        large
        == small
        == (
            [90.0, float(WORKING_DAY_MINUTES)],
            [("Event.csv", 2, "IsAllDayEvent", "all_day_event")],
        )
    )


def test_the_warning_says_what_the_event_counts(con: store.Connection) -> None:
    report = import_texts(con, SALESFORCE_EVENTS)
    assert report.ok
    message = next(p.message for p in report.problems if p.code == "all_day_event")
    assert "“true”" in message and "working day (8 hours)" in message


def test_a_flag_that_is_no_yes_or_no_is_refused_with_its_place(
    con: store.Connection,
) -> None:
    files = {
        **SALESFORCE_EVENTS,
        "Event.csv": SALESFORCE_EVENTS["Event.csv"]
        + "00U7,001A1,Lunch,2024-04-20,60,maybe\n",
    }
    report = import_texts(con, files)
    assert not report.ok
    assert [(p.file, p.row, p.column) for p in report.errors] == [
        ("Event.csv", 7, "IsAllDayEvent")
    ]
    # nothing written
    assert store.query_frame(con, "SELECT count(*) FROM activities").item() == 0


def test_a_dynamics_all_day_appointment_counts_a_working_day(
    con: store.Connection,
) -> None:
    account = DYNAMICS_ACCOUNT
    report = import_dynamics(
        con,
        {
            "appointment.csv": "activityid,regardingobjectid,subject,scheduledstart,"
            "actualdurationminutes,isalldayevent,statecode\n"
            f"a1,{account},Site visit,2024-05-02T00:00:00Z,1440,1,1\n"
            f"a2,{account},Review,2024-05-06T09:00:00Z,60,0,1\n",
        },
    )
    assert report.ok, [p.message for p in report.errors]
    rows = store.query_frame(
        con, "SELECT activity_id, duration_minutes FROM activities ORDER BY 1"
    ).rows()
    assert rows == [("a1", float(WORKING_DAY_MINUTES)), ("a2", 60.0)]
    assert [p.row for p in report.problems if p.code == "all_day_event"] == [1]


def test_without_the_flag_a_days_duration_counts_as_written(
    con: store.Connection,
) -> None:
    # an export that does not hold the flag cannot tell a fair from a long
    # meeting: the duration stands, as before
    report = import_texts(
        con,
        {
            "Account.csv": ACCOUNT,
            "Event.csv": "Id,AccountId,Subject,ActivityDate,DurationInMinutes\n"
            "00U2,001A1,Trade fair,2024-03-04,1440\n",
        },
    )
    assert report.ok
    assert (
        store.query_frame(con, "SELECT duration_minutes FROM activities").item()
        == 1440.0
    )
    assert not [p for p in report.problems if p.code == "all_day_event"]


#: A list e-mail on two recipients (one with a duration), a one-to-one e-mail
#: and a call.
SALESFORCE_TASKS = {
    "Account.csv": ACCOUNT,
    "Task.csv": "Id,AccountId,Subject,ActivityDate,TaskSubtype,Status,"
    "CallDurationInSeconds\n"
    "00T1,001A1,Spring offer,2024-03-01,ListEmail,Completed,\n"
    "00T2,001A1,Spring offer,2024-03-01,ListEmail,Completed,120\n"
    "00T3,001A1,Follow-up,2024-03-02,Email,Completed,\n"
    "00T4,001A1,Call,2024-03-03,Call,Completed,600\n",
}


def _left_out(code: str) -> Callable[[store.Connection, ImportReport], object]:
    """Return what an import keeps and says of the rows it leaves out as ``code``."""

    def seen(con: store.Connection, report: ImportReport) -> object:
        rows = store.query_frame(
            con,
            "SELECT activity_id, kind, duration_minutes FROM activities ORDER BY 1",
        ).rows()
        said = [
            (p.file, p.row, p.rows, p.message)
            for p in report.problems
            if p.code == code
        ]
        plan = report.plan["activities"]
        return rows, said, (plan["add"], plan["skip"], plan["why"])

    return seen


#: A weekly review's series record (Salesforce Classic) and its two occurrences,
#: and a meeting of its own.
SALESFORCE_SERIES = {
    "Account.csv": ACCOUNT,
    "Event.csv": "Id,AccountId,Subject,ActivityDate,DurationInMinutes,IsRecurrence,"
    "RecurrenceActivityId\n"
    "00U0,001A1,Weekly review,2024-03-01,60,true,\n"
    "00U1,001A1,Weekly review,2024-03-01,60,false,00U0\n"
    "00U2,001A1,Weekly review,2024-03-08,60,false,00U0\n"
    "00U3,001A1,Site visit,2024-03-04,120,false,\n",
}


#: The same series in Lightning: its record (``GroupEventType`` 3) beside its
#: occurrences, a group meeting (1) and a meeting of no group (empty).
SALESFORCE_LIGHTNING_SERIES = {
    "Account.csv": ACCOUNT,
    "Event.csv": "Id,AccountId,Subject,ActivityDate,DurationInMinutes,"
    "GroupEventType,IsRecurrence2\n"
    "00U0,001A1,Weekly review,2024-03-01,60,3,true\n"
    "00U1,001A1,Weekly review,2024-03-01,60,0,true\n"
    "00U2,001A1,Weekly review,2024-03-08,60,0,true\n"
    "00U3,001A1,Site visit,2024-03-04,120,1,false\n"
    "00U4,001A1,Lunch,2024-03-05,60,,false\n",
}


@pytest.mark.parametrize(
    ("files", "code", "kept", "counted", "said", "why"),
    [
        (
            SALESFORCE_TASKS,
            "one_to_many",
            ["00T3", "00T4"],
            2,
            "2 record(s) of one message or campaign sent to many people at "
            "once (a list e-mail's task on each recipient, a quick campaign, a "
            "campaign activity) were not imported: neither time spent on the "
            "account nor a touch of the person",
            ["sent to many (list e-mail, campaign): not a touch, left out (2)"],
        ),
        (
            SALESFORCE_SERIES,
            "recurring_series",
            ["00U1", "00U2", "00U3"],
            1,
            "1 recurring series record(s) (the pattern a series repeats, beside "
            "its occurrences) were not imported: each occurrence is a row of its "
            "own, and the series' first would count twice",
            ["recurring series' pattern: left out (1)"],
        ),
        (
            SALESFORCE_LIGHTNING_SERIES,
            "recurring_series",
            ["00U1", "00U2", "00U3", "00U4"],
            1,
            "1 recurring series record(s) (the pattern a series repeats, beside "
            "its occurrences) were not imported: each occurrence is a row of its "
            "own, and the series' first would count twice",
            ["recurring series' pattern: left out (1)"],
        ),
    ],
    ids=["list e-mail", "recurring series", "Lightning series"],
)
def test_rows_that_are_no_activity_of_ours_are_left_out_and_counted(
    files: dict[str, str],
    code: str,
    kept: list[str],
    counted: int,
    said: str,
    why: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small, large = imported_small_and_large(
        tmp_path, monkeypatch, files, _left_out(code)
    )
    assert large == small
    rows, warned, plan = small
    assert [row[0] for row in rows] == kept
    # one whole-file warning, counting the rows; the plan skips them, with why
    assert warned == [(next(iter(files.keys() - {"Account.csv"})), None, counted, said)]
    assert plan == (len(kept), counted, why)


def test_a_dynamics_recurring_appointment_master_is_left_out(
    con: store.Connection,
) -> None:
    account = DYNAMICS_ACCOUNT
    report = import_dynamics(
        con,
        {
            "activitypointer.csv": "activityid,regardingobjectid,activitytypecode,"
            "subject,actualstart,actualdurationminutes,statecode\n"
            f"m1,{account},recurringappointmentmaster,Weekly call,2024-05-06,30,1\n"
            f"o1,{account},appointment,Weekly call,2024-05-06,30,1\n"
            f"o2,{account},appointment,Weekly call,2024-05-13,30,1\n",
        },
    )
    assert report.ok, [p.message for p in report.errors]
    assert store.query_frame(
        con, "SELECT list(activity_id ORDER BY activity_id) FROM activities"
    ).item().to_list() == ["o1", "o2"]
    assert [p.rows for p in report.problems if p.code == "recurring_series"] == [1]


def test_an_unreadable_series_flag_is_refused_with_its_place(
    con: store.Connection,
) -> None:
    files = {
        **SALESFORCE_SERIES,
        "Event.csv": SALESFORCE_SERIES["Event.csv"]
        + "00U4,001A1,Lunch,2024-03-20,60,weekly,\n",
    }
    report = import_texts(con, files)
    assert not report.ok
    assert [(p.file, p.row, p.column) for p in report.errors] == [
        ("Event.csv", 5, "IsRecurrence")
    ]
    # nothing written
    assert store.query_frame(con, "SELECT count(*) FROM activities").item() == 0
