"""HubSpot's deal stages from the stage table its API and warehouse exports keep.

HubSpot keeps a deal's stage as the stage's ID: ``closedwon`` in the default
pipeline, a number in every pipeline a portal adds. Read through the stages'
names alone, every deal of an added pipeline read as open, and no account had
revenue from it. The stage table (Fivetran's ``deal_pipeline_stage``) says
which stage is won and closed. Fixtures follow the Fivetran HubSpot seeds'
headers; their values are made here (the seeds' deals name no stage).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.conftest import import_texts
from tests.ingest_support import imported_small_and_large
from workbench import store
from workbench.ingest import ImportReport

COMPANIES = (
    "id,is_deleted,_fivetran_synced,property_name,property_createdate\n"
    "101,false,2024-01-02 3:15:52,Nordwerk AG,2019-07-05 20:35:26\n"
)
DEALS_HEADER = (
    "deal_id,is_deleted,deal_pipeline_id,deal_pipeline_stage_id,owner_id,"
    "portal_id,property_dealname,property_amount,property_closedate,"
    "property_createdate\n"
)
#: A deal won and one lost in a pipeline the portal added, one open there,
#: one won in the default pipeline, and one in a stage the table lacks.
DEALS = DEALS_HEADER + (
    "9001,false,p7,84311201,,4727653,Framework 2024,120000,2024-03-01,2024-01-10\n"
    "9002,false,p7,84311202,,4727653,Spares,8000,2024-03-02,2024-01-11\n"
    "9003,false,p7,84311199,,4727653,Extension,50000,2024-09-30,2024-02-01\n"
    "9004,false,default,closedwon,,4727653,Service,6000,2024-02-15,2024-01-05\n"
    "9005,false,p9,99999999,,4727653,Pilot,3000,2024-04-01,2024-02-05\n"
)
DEAL_COMPANIES = "company_id,deal_id,type_id,category\n" + "".join(
    f"101,{d},5,HUBSPOT_DEFINED\n" for d in range(9001, 9006)
)
STAGES = (
    "_fivetran_deleted,_fivetran_synced,active,closed_won,is_closed,"
    "display_order,probability,stage_id,label,pipeline_id,created_at,updated_at\n"
    "FALSE,2024-07-09 15:25:37.054,TRUE,TRUE,TRUE,6,1.0,84311201,Contract signed,"
    "p7,2023-07-09,2023-07-09\n"
    "FALSE,2024-07-09 15:25:37.054,TRUE,FALSE,TRUE,7,0.0,84311202,No decision,"
    "p7,2023-07-09,2023-07-09\n"
    "FALSE,2024-07-09 15:25:37.054,TRUE,FALSE,FALSE,3,0.6,84311199,Proposal out,"
    "p7,2023-07-09,2023-07-09\n"
    "FALSE,2024-07-09 15:25:37.054,TRUE,TRUE,TRUE,6,1.0,closedwon,Closed Won,"
    "default,2023-07-09,2023-07-09\n"
)
FILES = {
    "company_data.csv": COMPANIES,
    "deal_data.csv": DEALS,
    "deal_company_data.csv": DEAL_COMPANIES,
    "deal_pipeline_stage_data.csv": STAGES,
}


def _deals(con: store.Connection, report: ImportReport) -> object:
    deals = store.query_frame(
        con,
        "SELECT opportunity_id, stage, is_closed, is_won FROM opportunities "
        "ORDER BY opportunity_id",
    ).rows()
    said = sorted(
        (p.file, p.code, p.message)
        for p in report.problems
        if p.code == "stage_read_as_open" or p.file == "deal_pipeline_stage_data.csv"
    )
    return deals, said


def test_a_deal_of_an_added_pipeline_is_won_or_lost_by_its_stage_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small, large = imported_small_and_large(tmp_path, monkeypatch, FILES, _deals)
    assert small == large
    deals, said = small
    assert deals == [
        ("9001", "Contract signed", True, True),
        ("9002", "No decision", True, False),
        ("9003", "Proposal out", False, False),
        ("9004", "Closed Won", True, True),
        ("9005", "99999999", False, False),
    ]
    assert said == [
        (
            # a stage no table lists (and no name of won or lost)
            "deal_data.csv",
            "stage_read_as_open",
            "1 deal(s) are read as open: the file gives no won or closed flag, and "
            "their stage is none the workbench knows as won or lost (“99999999” "
            "(1)); where a stage means won or lost, export the deals with their "
            "flags (Salesforce IsWon and IsClosed, HubSpot Is Closed Won, Dynamics "
            "Status) or name the stage Closed Won or Closed Lost",
        ),
        (
            "deal_pipeline_stage_data.csv",
            "file_not_imported",
            "not imported: a deal stage table: it gives the deals in deal_data.csv "
            "their stage's name, and whether it is won and closed",
        ),
    ]


def test_the_won_deals_of_an_added_pipeline_bring_their_revenue(
    con: store.Connection,
) -> None:
    assert import_texts(con, FILES).ok
    features = store.account_features(con, date(2024, 6, 30))
    # the framework (120,000) and the service (6,000), each spread over a year
    assert features["revenue_annualised"].to_list() == [126000.0]


def test_without_the_stage_table_the_deals_read_as_open(
    con: store.Connection,
) -> None:
    # what the import did before: a stage ID is no name the workbench knows
    files = {k: v for k, v in FILES.items() if k != "deal_pipeline_stage_data.csv"}
    assert import_texts(con, files).ok
    assert store.query_frame(
        con, "SELECT list(opportunity_id ORDER BY 1) FROM opportunities WHERE is_won"
    ).item().to_list() == ["9004"]


def test_a_deal_s_own_closed_won_flag_wins_over_the_stage_table(
    con: store.Connection,
) -> None:
    deals = (
        DEALS_HEADER.replace("\n", ",property_hs_is_closed_won\n")
        + "9001,false,p7,84311201,,4727653,Framework,120000,2024-03-01,2024-01-10,"
        "false\n"
        "9002,false,p7,84311201,,4727653,Spares,8000,2024-03-02,2024-01-11,\n"
    )
    report = import_texts(con, {**FILES, "deal_data.csv": deals})
    assert report.ok, [p.message for p in report.errors]
    assert store.query_frame(
        con, "SELECT opportunity_id, is_won FROM opportunities ORDER BY 1"
    ).rows() == [("9001", False), ("9002", True)]
