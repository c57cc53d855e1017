"""Dates a CRM wrote but did not mean, and dates still ahead, in a real-shaped export.

Real exports hold placeholders for "no date" (1900-01-01), timestamps read in
the wrong unit (the Fivetran HubSpot seeds' meetings on 1970-01-19), open ends
(9999-12-31) and meetings booked ahead. The import warns of the first
kinds with their place and keeps them as written; the analytics read no tenure,
contract term, years left or data range from them, and the as-of day never
runs past the latest import. Dates are relative to today, as an export taken
today holds them.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP, import_texts
from tests.ingest_support import imported_small_and_large
from workbench import store
from workbench.ingest import ImportReport

TODAY = date.today()
RECENT = TODAY - timedelta(days=40)
AHEAD = TODAY + timedelta(days=200)


def _export() -> dict[str, str]:
    return {
        "Account.csv": "Id,Name,CreatedDate\n"
        "001A1,Nordwerk AG,1900-01-01\n"
        "001A2,Huadong Steel,2019-05-01\n",
        "Contract.csv": "Id,AccountId,StartDate,EndDate,ContractTerm,Status\n"
        # an open-ended framework agreement: no term, no end
        "800A1,001A1,2024-01-01,9999-12-31,,Activated\n",
        "Opportunity.csv": "Id,AccountId,Name,StageName,Amount,CloseDate,IsClosed,"
        "IsWon,ContractId\n"
        f"006A1,001A1,Framework,Closed Won,120000,{RECENT},true,true,800A1\n"
        # a closed deal whose year was mistyped
        "006A2,001A2,Spares,Closed Won,5000,2102-06-30,true,true,\n",
        "Task.csv": "Id,AccountId,Subject,ActivityDate,Status\n"
        f"00T1,001A1,Call,{RECENT},Completed\n"
        # seconds read as milliseconds upstream
        "00T2,001A1,Meeting,1970-01-19,Completed\n"
        # an open task, due ahead: a to-do, not imported
        f"00T3,001A2,Send proposal,{AHEAD},Not Started\n",
        # a meeting booked ahead: imported, in no window yet
        "Event.csv": "Id,AccountId,Subject,ActivityDate,DurationInMinutes\n"
        f"00U1,001A2,Quarterly review,{AHEAD},60\n",
    }


@pytest.fixture
def imported(con: store.Connection) -> tuple[store.Connection, ImportReport]:
    report = import_texts(con, _export())
    assert report.ok, [p.message for p in report.errors]
    return con, report


def test_dates_no_crm_means_are_warned_of_in_place_and_kept_as_written(
    imported: tuple[store.Connection, ImportReport],
) -> None:
    con, report = imported
    flagged = sorted(
        (p.file, p.row, p.column, p.message.split(" lies before")[0])
        for p in report.problems
        if p.level == "warning" and p.code == "unlikely_date"
    )
    # the open end (9999-12-31) of a contract is no mistake: not flagged
    assert flagged == [
        ("Account.csv", 1, "CreatedDate", "“1900-01-01”"),
        ("Opportunity.csv", 2, "CloseDate", "“2102-06-30”"),
        ("Task.csv", 2, "ActivityDate", "“1970-01-19”"),
    ]
    kept = store.query_frame(
        con,
        "SELECT (SELECT created_on FROM accounts WHERE account_id = '001A1'), "
        "(SELECT activity_date FROM activities WHERE activity_id = '00T2')",
    ).row(0)
    assert kept == (date(1900, 1, 1), date(1970, 1, 19))


def test_the_data_range_and_the_as_of_day_are_the_days_a_crm_means(
    imported: tuple[store.Connection, ImportReport],
) -> None:
    con, _report = imported
    # not 1970 (a mis-read timestamp), not the open task's due date nor 2102
    assert store.data_date_range(con) == (RECENT, RECENT)
    assert store.resolve_as_of(con) == RECENT
    summary = store.portfolio_summary(con)
    assert summary["as_of"] == RECENT
    assert summary["activities_after_as_of"] == 1


def test_a_placeholder_start_gives_no_tenure_and_an_open_end_no_term(
    imported: tuple[store.Connection, ImportReport],
) -> None:
    con, _report = imported
    features = store.account_features(con, RECENT, default_term_months=12)
    row = {r["account_id"]: r for r in features.iter_rows(named=True)}["001A1"]
    # 1900-01-01 is no start: unknown, not 126 years
    assert row["tenure_years"] is None
    # 2024-01-01 to 9999-12-31 is no term of 95,000 months: the deal is spread
    # over the default term, and the open end bounds no years left
    assert row["revenue_annualised"] == pytest.approx(120_000)
    assert row["revenue_basis"] == "default_term"
    assert row["contract_years_left"] is None


def test_the_overview_says_how_many_activities_lie_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "export.duckdb"
    con = store.connect(path)
    report = import_texts(con, _export())
    assert report.ok
    con.close()
    monkeypatch.setenv(store.DB_ENV_VAR, str(path))
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception, app.exception
    captions = " ".join(c.value for c in app.caption)
    assert f"Activities dated after {RECENT}" in captions
    assert "tasks due ahead): 1." in captions
    assert f"Data from **{RECENT}** to **{RECENT}**" in captions


def test_a_file_imported_into_before_the_import_day_was_kept_stops_at_its_import(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    store.migrate(old, target=18)
    old.execute(
        "INSERT INTO accounts (account_id, name) VALUES ('001A1', 'Nordwerk AG')"
    )
    old.execute(
        "INSERT INTO activities (activity_id, account_id, kind, activity_date) "
        "VALUES ('00T1', '001A1', 'call', $recent), ('00T3', '001A1', 'task', $ahead)",
        {"recent": RECENT, "ahead": AHEAD},
    )
    old.execute(
        "INSERT INTO import_runs (run_id, started_at, finished_at, status) VALUES "
        "(1, $day, $day, 'committed'), (2, $later, $later, 'rejected')",
        {"day": RECENT, "later": AHEAD},
    )
    old.close()
    upgraded = store.connect(path)
    # the committed run's day, not the rejected one's
    assert store.data_date_range(upgraded) == (RECENT, RECENT)
    upgraded.close()


#: Times in seconds a system upstream stored as milliseconds (the Fivetran
#: HubSpot seeds' meetings): 1,583,517,600 s is 2020-03-06 18:00 UTC, read as
#: milliseconds 1970-01-19 07:51:57.600. (A day alone, 1970-01-19, has lost
#: its seconds: it stays a date to check, above.)
SECONDS_AS_MILLISECONDS = {
    "Account.csv": "Id,Name\n001A1,Nordwerk AG\n",
    "Opportunity.csv": "Id,AccountId,Name,StageName,Amount,CloseDate,IsClosed,IsWon\n"
    "006A1,001A1,Line upgrade,Closed Won,50000,1970-01-19 07:51:57.600,true,true\n",
    "Task.csv": "Id,AccountId,Subject,ActivityDate,Status\n"
    "00T1,001A1,Offer meeting,1970-01-19T07:51:57.600Z,Completed\n"
    "00T2,001A1,Call,2020-03-02,Completed\n",
}


def test_a_time_in_seconds_stored_as_milliseconds_is_read_as_its_seconds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def seen(con: store.Connection, report: ImportReport) -> object:
        dates = store.query_frame(
            con,
            "SELECT (SELECT close_date FROM opportunities), "
            "list(activity_date ORDER BY activity_id) FROM activities",
        ).row(0)
        warned = sorted(
            (p.file, p.row, p.column, p.code or "")
            for p in report.problems
            if p.code in {"date_in_seconds", "unlikely_date"}
        )
        said = {p.code: p.message for p in report.problems}
        return dates, warned, said.get("date_in_seconds")

    # held in memory (the staged path), and each file large: the deals built in
    # place and the tasks' one-pass load hand such a row to the checked path
    small, large = imported_small_and_large(
        tmp_path, monkeypatch, SECONDS_AS_MILLISECONDS, seen
    )
    assert large == small
    dates, warned, message = small
    day = date(2020, 3, 6)
    assert dates == (day, [day, date(2020, 3, 2)])
    assert warned == [
        ("Opportunity.csv", 1, "CloseDate", "date_in_seconds"),
        ("Task.csv", 1, "ActivityDate", "date_in_seconds"),
    ]
    assert message == (
        "“1970-01-19T07:51:57.600Z” is a time in seconds stored as milliseconds "
        "(it reads as January 1970): read as the day those seconds give; check it "
        "in the CRM"
    )


def test_a_meeting_timed_in_seconds_stored_as_milliseconds_lasts_its_time(
    con: store.Connection,
) -> None:
    # HubSpot gives a meeting's start and end, from which its minutes are
    # worked out: both misread, their gap was 5.4 seconds for a 90-minute
    # meeting (1,583,517,600 to 1,583,523,000 s), 0.1 minutes of effort
    from tests.test_activity_accounts import HUBSPOT

    export = {
        **HUBSPOT,
        "engagement_meeting_data.csv": "engagement_id,start_time,end_time,title\n"
        "92,1970-01-19 07:51:57.600,1970-01-19 07:52:03,Offer meeting\n"
        "95,2020-03-09 10:00:00,2020-03-09 11:00:00,Review\n",
    }
    report = import_texts(con, export, source="hubspot")
    assert report.ok, [p.message for p in report.errors]
    meetings = store.query_frame(
        con,
        "SELECT activity_id, activity_date, duration_minutes FROM activities "
        "WHERE activity_id IN ('92', '95') ORDER BY 1",
    ).rows()
    assert meetings == [("92", date(2020, 3, 6), 90.0), ("95", date(2020, 3, 9), 60.0)]
    assert [
        (p.file, p.row) for p in report.problems if p.code == "date_in_seconds"
    ] == [("engagement_meeting_data.csv", 1)]
