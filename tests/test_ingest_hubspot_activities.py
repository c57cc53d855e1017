"""HubSpot activities: UI exports of calls, meetings, e-mails, notes and tasks,
and the warehouse's engagement tables, become activities with durations, their
account and person from associations. Fixtures are small and made here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REAL_DATASETS
from workbench import ingest, store
from workbench.domain import Actor

ANALYST = Actor(name="ana", role="analyst")

UI_FILES = {
    "companies.csv": "Record ID,Company name,Industry,Company owner\n"
    "101,Nordwerk AG,Machinery,Ana Silva\n"
    "102,Huadong Steel,Steel,Ana Silva\n",
    "contacts.csv": "Record ID,First Name,Last Name,Job Title,Associated Company IDs (Primary)\n"
    "201,Lena,Vogt,Head of Procurement,101\n"
    "202,Wei,Zhang,CTO,102\n",
    # The UI names an export after the view; the headers say what it holds.
    "hubspot-crm-exports-all-calls-2024-05-01.csv": "Record ID,Call Title,Activity date,"
    "Call duration,Activity assigned to,Associated Contact IDs,Associated Company IDs,"
    "Associated Deal IDs\n"
    "301,Renewal check-in,2024-04-02 10:00,125000,Ana Silva,201;202,101,\n"
    '302,"=HYPERLINK(""http://x"",""x"")",2024-04-03 11:00,0:12:30,Ana Silva,,101,\n'
    "303,<script>alert(1)</script>,2024-04-04,,Ben Ode,999,102,\n",
    "meetings.csv": "Record ID,Meeting name,Meeting start time,Meeting end time,"
    "Activity assigned to,Associated Contact IDs,Associated Company IDs\n"
    "401,Quarterly review,2024-04-10 09:00,2024-04-10 10:30,Ana Silva,201,101\n",
    "notes.csv": "Record ID,Note body,Activity date,Activity assigned to,Associated Company IDs\n"
    "501,'; DROP TABLE activities; --,2024-04-11,Ana Silva,102\n",
    "tasks.csv": "Record ID,Task Title,Due date,Task type,Assigned to,"
    "Associated Contact IDs,Associated Company IDs\n"
    "601,Send proposal,2024-04-12,TODO,Ana Silva,202,102\n"
    "602,Call back,2024-04-15,CALL,Ana Silva,202,102\n",
    "emails.csv": "Record ID,Email subject,Activity date,Activity assigned to,"
    "Associated Contact IDs,Associated Company IDs\n"
    "701,Offer 2024,2024-04-13 08:00,Ana Silva,201,101\n",
}


def _import(con: store.Connection, files: dict[str, str]) -> ingest.ImportReport:
    return ingest.import_files(
        con, [(name, text.encode()) for name, text in files.items()], actor=ANALYST
    )


def _activities(con: store.Connection) -> dict[str, tuple[object, ...]]:
    rows = store.query_frame(
        con,
        "SELECT activity_id, account_id, contact_id, kind, activity_date::VARCHAR, "
        "duration_minutes, subject FROM activities ORDER BY 1",
    ).rows()
    return {str(r[0]): r[1:] for r in rows}


def test_ui_exports_of_each_activity_type_become_activities(
    con: store.Connection,
) -> None:
    report = _import(con, UI_FILES)
    assert report.ok, [p.message for p in report.errors]
    tables = {f.name: f.table for f in report.files}
    assert tables["meetings.csv"] == "activities"
    assert tables["hubspot-crm-exports-all-calls-2024-05-01.csv"] == "activities"
    got = _activities(con)
    assert len(got) == 8
    # A call's duration in milliseconds, or as a clock; a meeting's from start to end.
    assert got["301"] == ("101", "201", "call", "2024-04-02", 2.1, "Renewal check-in")
    assert got["302"][4] == 12.5
    assert got["401"][2:5] == ("meeting", "2024-04-10", 90.0)
    assert got["501"][2] == "note" and got["701"][2] == "email"
    # A task's type says what it was: a call back is a call, a to-do a task.
    assert got["601"][2] == "task" and got["602"][2] == "call"
    # Hostile text is kept as text.
    assert got["302"][5] == '=HYPERLINK("http://x","x")'
    assert got["303"][5] == "<script>alert(1)</script>"
    assert got["501"][5] == "'; DROP TABLE activities; --"
    owners = store.query_frame(con, "SELECT name FROM sellers ORDER BY 1")
    assert owners["name"].to_list() == ["Ana Silva", "Ben Ode"]
    assert sum(store.orphan_counts(con).values()) == 0


def test_several_associated_ids_keep_the_first_with_a_warning(
    con: store.Connection,
) -> None:
    report = _import(con, UI_FILES)
    several = [p for p in report.problems if p.code == "several_associations"]
    assert len(several) == 1
    assert several[0].column == "Associated Contact IDs"
    assert several[0].file == "hubspot-crm-exports-all-calls-2024-05-01.csv"
    # A person who is not in the import: the reference is left empty, with its row.
    missing = [p for p in report.problems if p.code == "missing_reference"]
    assert [(p.row, p.column) for p in missing] == [(3, "Associated Contact IDs")]
    assert _activities(con)["303"][1] is None


def test_an_unreadable_call_duration_is_an_error_at_its_row(
    con: store.Connection,
) -> None:
    files = dict(UI_FILES)
    files["hubspot-crm-exports-all-calls-2024-05-01.csv"] = (
        "Record ID,Call Title,Activity date,Call duration,Associated Company IDs\n"
        "301,Check-in,2024-04-02,125000,101\n"
        "302,Follow-up,2024-04-03,about ten minutes,101\n"
    )
    before = store.database_fingerprint(con)
    report = _import(con, files)
    assert not report.ok
    errors = [(p.row, p.column, p.code) for p in report.errors]
    assert errors == [(2, "Call duration (minutes)", "bad_value")]
    assert store.database_fingerprint(con) == before


@pytest.fixture
def fivetran_hubspot() -> Path:
    folder = REAL_DATASETS / "fivetran-hubspot-seeds"
    if not folder.is_dir():
        pytest.skip("the public HubSpot warehouse samples are not on this machine")
    return folder


def test_the_warehouse_engagement_tables_become_activities(
    con: store.Connection, fivetran_hubspot: Path
) -> None:
    report = ingest.import_files(con, [fivetran_hubspot], actor=ANALYST)
    assert report.ok, [p.message for p in report.errors]
    kinds = dict(
        store.query_frame(
            con, "SELECT kind, count(*) FROM activities GROUP BY 1 ORDER BY 1"
        ).rows()
    )
    assert kinds["meeting"] == 100
    assert {"call", "email", "note", "task"} <= set(kinds)
    # Meetings carry their duration from their start and end.
    timed = store.query_frame(
        con,
        "SELECT count(*) FROM activities WHERE kind = 'meeting' "
        "AND duration_minutes > 0",
    ).item()
    assert timed > 0
    assert sum(store.orphan_counts(con).values()) == 0


def test_a_warehouse_meeting_cancelled_is_left_out_as_not_done(
    con: store.Connection, fivetran_hubspot: Path, tmp_path: Path
) -> None:
    import shutil

    import polars as pl

    folder = tmp_path / "hubspot"
    shutil.copytree(fivetran_hubspot, folder)
    meetings = folder / "engagement_meeting_data.csv"
    frame = pl.read_csv(meetings, infer_schema_length=0)
    cancelled = frame["engagement_id"][0]
    frame.with_columns(
        pl.when(pl.col("engagement_id") == cancelled)
        .then(pl.lit("CANCELED"))
        .otherwise(pl.col("meeting_outcome"))
        .alias("meeting_outcome")
    ).write_csv(meetings)
    report = ingest.import_files(con, [folder], actor=ANALYST)
    assert report.ok, [p.message for p in report.errors]
    said = [p for p in report.problems if p.code == "not_done_in_crm"]
    assert [(p.file, p.message[:2]) for p in said] == [
        ("engagement_meeting_data.csv", "1 ")
    ]
    left = store.query_frame(
        con,
        "SELECT count(*) FILTER (WHERE kind = 'meeting') AS meetings, "
        "count(*) FILTER (WHERE activity_id = $id) AS cancelled FROM activities",
        {"id": cancelled},
    ).row(0)
    assert left == (99, 0)
