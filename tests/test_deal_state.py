"""Whether a deal is won, lost or open, where its export does not say it plainly.

A Dynamics opportunity closed as won keeps the pipeline step it was in
("3-Propose"), and says won in its state (``statecode`` 1, or the view's
``Status``): read by its step, every won deal was open, and its account had no
revenue. A Salesforce report export or a HubSpot view exported without the won
flag leaves a deal's stage to say it; a stage an org named itself ("Contract
signed") says nothing the workbench knows, and such deals were read as open
without a word. Fixtures are small and made here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.conftest import import_texts
from tests.ingest_support import (
    DYNAMICS_ACCOUNT,
    import_dynamics,
    imported_small_and_large,
)
from workbench import store
from workbench.ingest import ImportReport


def _deals(con: store.Connection) -> list[tuple[object, ...]]:
    return store.query_frame(
        con,
        "SELECT opportunity_id, stage, is_closed, is_won FROM opportunities ORDER BY 1",
    ).rows()


def test_a_dynamics_opportunity_is_won_or_lost_by_its_state_not_its_step(
    con: store.Connection,
) -> None:
    account = DYNAMICS_ACCOUNT
    report = import_dynamics(
        con,
        {
            "opportunity.csv": "opportunityid,parentaccountid,name,stepname,"
            "statecode,actualvalue,actualclosedate\n"
            f"o1,{account},Framework,3-Propose,1,100000,2024-03-01\n"
            f"o2,{account},Pilot,2-Develop,2,5000,2024-03-02\n"
            f"o3,{account},Extension,1-Qualify,0,7000,2024-09-01\n",
        },
    )
    assert report.ok, [p.message for p in report.errors]
    # the step stays the deal's stage; the state says won, lost or open
    assert _deals(con) == [
        ("o1", "3-Propose", True, True),
        ("o2", "2-Develop", True, False),
        ("o3", "1-Qualify", False, False),
    ]
    features = store.account_features(con, date(2024, 6, 30))
    assert features["revenue_annualised"].to_list() == [100000.0]
    assert not [p for p in report.problems if p.code == "stage_read_as_open"]


def test_a_dynamics_view_says_the_state_by_its_label(con: store.Connection) -> None:
    report = import_dynamics(
        con,
        {
            "opportunity.csv": "(Do Not Modify) Opportunity,Topic,Potential Customer,"
            "Pipeline Phase,Status,Est. Revenue,Est. Close Date\n"
            "o1,Framework,Contoso Pharmaceuticals,3-Propose,Won,100000,2024-03-01\n"
            "o2,Pilot,Contoso Pharmaceuticals,2-Develop,Lost,5000,2024-03-02\n"
            "o3,Extension,Contoso Pharmaceuticals,1-Qualify,Open,7000,2024-09-01\n",
        },
    )
    assert report.ok, [p.message for p in report.errors]
    assert [(d[0], d[2], d[3]) for d in _deals(con)] == [
        ("o1", True, True),
        ("o2", True, False),
        ("o3", False, False),
    ]


#: A report export of deals (no won or closed flag): a stage the org named
#: itself, an open one and the standard won one.
REPORT = {
    "Account.csv": "Id,Name\n001A1,Nordwerk AG\n",
    "Opportunity.csv": "Id,AccountId,Name,StageName,Amount,CloseDate\n"
    "006A1,001A1,Framework,Contract signed,100000,2024-03-01\n"
    "006A2,001A1,Spares,Closed Won,5000,2024-03-01\n"
    "006A3,001A1,Extension,Negotiation,7000,2024-09-01\n"
    "006A4,001A1,Service,Contract signed,2000,2024-04-01\n",
}


def _read_as_open(con: store.Connection, report: ImportReport) -> object:
    said = [
        (p.file, p.rows, p.message)
        for p in report.problems
        if p.code == "stage_read_as_open"
    ]
    return _deals(con), said


def test_deals_read_as_open_for_want_of_a_flag_are_named_by_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small, large = imported_small_and_large(
        tmp_path, monkeypatch, REPORT, _read_as_open
    )
    assert small == large
    deals, said = small
    assert [(d[0], d[3]) for d in deals] == [
        ("006A1", False),
        ("006A2", True),
        ("006A3", False),
        ("006A4", False),
    ]
    assert said == [
        (
            "Opportunity.csv",
            3,
            "3 deal(s) are read as open: the file gives no won or closed flag, and "
            "their stage is none the workbench knows as won or lost (“Contract "
            "signed” (2), “Negotiation” (1)); where a stage means won or lost, "
            "export the deals with their flags (Salesforce IsWon and IsClosed, "
            "HubSpot Is Closed Won, Dynamics Status) or name the stage Closed Won "
            "or Closed Lost",
        )
    ]


def test_a_report_export_s_won_column_says_won(con: store.Connection) -> None:
    # Salesforce's report columns for IsWon and IsClosed are labelled Won and
    # Closed: with them, the stage's name need not say it, and nothing is warned
    files = {
        **REPORT,
        "Opportunity.csv": "Id,AccountId,Name,StageName,Amount,CloseDate,Closed,Won\n"
        "006A1,001A1,Framework,Contract signed,100000,2024-03-01,1,1\n"
        "006A3,001A1,Extension,Negotiation,7000,2024-09-01,0,0\n",
    }
    report = import_texts(con, files)
    assert report.ok, [p.message for p in report.errors]
    assert [(d[0], d[3]) for d in _deals(con)] == [("006A1", True), ("006A3", False)]
    assert not [p for p in report.problems if p.code == "stage_read_as_open"]


def test_a_close_date_no_crm_means_lets_the_next_column_date_the_deal(
    con: store.Connection,
) -> None:
    # a sync that writes .NET's 0001-01-01 for an empty actual close date: the
    # estimated close date is the deal's, as where the cell is empty
    account = DYNAMICS_ACCOUNT
    report = import_dynamics(
        con,
        {
            "opportunity.csv": "opportunityid,parentaccountid,name,statecode,"
            "actualvalue,actualclosedate,estimatedclosedate\n"
            f"o1,{account},Framework,1,100000,0001-01-01T00:00:00Z,2024-03-01\n"
            f"o2,{account},Pilot,1,5000,2024-03-02,2024-02-01\n",
        },
    )
    assert report.ok, [p.message for p in report.errors]
    assert store.query_frame(
        con, "SELECT opportunity_id, close_date::VARCHAR FROM opportunities ORDER BY 1"
    ).rows() == [("o1", "2024-03-01"), ("o2", "2024-03-02")]
    assert [p.column for p in report.problems if p.code == "filled_from_other"] == [
        "actualclosedate"
    ]
    assert not [p for p in report.problems if p.code == "unlikely_date"]


def test_a_file_of_deals_without_a_stage_or_a_flag_is_named(
    con: store.Connection,
) -> None:
    # a list of orders exported as deals, with no stage and no won flag: every
    # deal reads as open and brings no revenue, and the file says so
    report = import_texts(
        con,
        {
            "accounts.csv": "account_id,name\nA1,Nordwerk AG\n",
            "deals.csv": "opportunity_id,account_id,amount,close_date\n"
            "D1,A1,1000,2024-03-01\nD2,A1,500,2024-04-01\n",
        },
    )
    assert report.ok, [p.message for p in report.errors]
    assert [(p.file, p.rows, p.message) for p in report.problems] == [
        (
            "deals.csv",
            2,
            "2 deal(s) are read as open: the file says of none whether it is won "
            "or lost (no stage, and no won or closed flag); export the deals with "
            "their stage or their flags",
        )
    ]


def test_a_state_the_workbench_does_not_read_says_nothing(
    con: store.Connection,
) -> None:
    # a view exported in another language: "Open" says open, "Offen" nothing
    # the workbench reads, so that deal is named among those read as open
    report = import_dynamics(
        con,
        {
            "opportunity.csv": "(Do Not Modify) Opportunity,Topic,Potential Customer,"
            "Pipeline Phase,Status,Est. Revenue,Est. Close Date\n"
            "o1,Framework,Contoso Pharmaceuticals,1-Qualify,Offen,100000,2024-03-01\n"
            "o2,Extension,Contoso Pharmaceuticals,1-Qualify,Open,7000,2024-09-01\n",
        },
    )
    assert report.ok, [p.message for p in report.errors]
    said = [
        (p.rows, p.message) for p in report.problems if p.code == "stage_read_as_open"
    ]
    assert len(said) == 1 and said[0][0] == 1
    assert "(“1-Qualify” (1))" in said[0][1]
