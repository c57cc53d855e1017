"""The import pipeline over real public CRM exports: what it reads, what it leaves."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REAL_DATASETS
from tests.ingest_support import _import, _messages, _rows
from workbench import store

# --- real data sets ---------------------------------------------------------------------


def _real(name: str) -> Path:
    path = REAL_DATASETS / name
    if not path.exists():
        pytest.skip(f"real data set {name} is not available")
    return path


def test_real_salesforce_data_loader_samples(con: store.Connection) -> None:
    report = _import(con, _real("salesforce-dataloader-samples"))
    assert report.ok, _messages(report, "error")
    assert report.source == "salesforce"
    assert report.counts["accounts"] == 423
    assert report.counts["opportunities"] == 38
    assert {f.encoding for f in report.files if f.name == "accountData.csv"} == {
        "cp1252"
    }
    assert _rows(con, "SELECT count(*) FROM accounts WHERE name LIKE '%Crédito%'") == [
        (1,)
    ]
    # The owner is a user the export does not contain: said once, not 423 times.
    owner = [
        p
        for p in report.problems
        if p.column == "OWNERID" and p.file == "accountData.csv"
    ]
    assert len(owner) == 1
    assert "423 rows" in owner[0].message
    assert _rows(
        con,
        "SELECT amount, close_date::VARCHAR, is_won FROM opportunities WHERE opportunity_id = '006x0000001YtCrAAK'",
    ) == [(500000.0, "2005-11-09", True)]


def test_real_salesforce_lwc_recipes_json_tree_and_report(
    con: store.Connection,
) -> None:
    report = _import(con, _real("salesforce-lwc-recipes"))
    assert report.ok, _messages(report, "error")
    assert report.counts["accounts"] == 10
    assert report.counts["contacts"] == 6
    assert report.counts["opportunities"] == 20
    messages = _messages(report)
    assert "data-plan.json|None|None|not imported: Salesforce CLI data plan" in messages
    # The report export names the same accounts and people as the JSON tree.
    assert "is the same account as AccountRef1 in Accounts.json" in messages
    assert _rows(
        con, "SELECT account_id, title FROM contacts WHERE name = 'Jennifer Wu'"
    ) == [("AccountRef1", "CEO")]


def test_real_maven_crm_generic_csv(con: store.Connection) -> None:
    report = _import(con, _real("maven-crm-sales-opportunities"))
    assert report.ok, _messages(report, "error")
    assert report.counts["accounts"] == 85
    assert report.counts["sellers"] == 35
    # 1,425 pipeline rows name no account: not imported, and said so.
    assert report.counts["opportunities"] == 8800 - 1425
    skipped = [
        p
        for p in report.problems
        if p.file == "sales_pipeline.csv" and "names no account" in p.message
    ]
    assert len(skipped) == store.IMPORT_PROBLEM_ROWS
    assert "… and 1,405 more with the same problem" in _messages(report)
    assert "products.csv|None|None|not imported: the columns do not match" in _messages(
        report
    )
    assert _rows(
        con, "SELECT count(*) FROM accounts WHERE parent_account_id IS NOT NULL"
    ) == [(15,)]
    assert _rows(con, "SELECT count(*) FROM opportunities WHERE is_won") == [(4238,)]
    assert _rows(
        con, "SELECT count(*) FROM opportunities WHERE owner_seller_id IS NULL"
    ) == [(0,)]


def test_real_fivetran_salesforce_imports_what_it_can_and_says_what_it_left_out(
    con: store.Connection,
) -> None:
    report = _import(con, _real("fivetran-salesforce-seeds"))
    assert report.ok, _messages(report, "error")
    warnings = _messages(report, "warning")
    # Scrubbed foreign keys: contacts name accounts the export does not hold.
    # They cannot live without an account: left out, and said so per value.
    assert (
        "sf_contact_data.csv|2|account_id|refers to an account “0011G00000eM9wvQAC” "
        "that is neither in the import nor in the database; the person was not imported"
        in warnings
    )
    assert (
        "sf_lead_data.csv|None|None|not imported: a Salesforce object the workbench does not store"
        in warnings
    )
    # One of the nine accounts marked deleted was merged into another, but the
    # seeds scrub its MasterRecordId to a hash no record has: a survivor the
    # export does not hold, so the row counts as deleted only.
    assert "9 row(s) marked as deleted (IsDeleted) were not imported" in warnings
    assert "merged into another in the CRM" not in warnings
    assert report.plan["accounts"]["deleted_in_crm"] == 9
    # its no_longer_at_company_c is read (whether the person has left)
    assert "355 column(s) not imported" in warnings
    assert report.plan["contacts"]["skip"] > 0
    assert report.plan["contacts"]["why"]
    assert sum(store.orphan_counts(con).values()) == 0


def test_real_fivetran_hubspot_deals_get_companies_from_the_association_table(
    con: store.Connection,
) -> None:
    folder = _real("fivetran-hubspot-seeds")
    report = _import(con, folder)
    assert report.ok, _messages(report, "error")
    warnings = _messages(report, "warning")
    assert (
        "deal_company_data.csv|None|None|not imported: an association table: it gives "
        "the deals in deal_data.csv their company" in warnings
    )
    # The seed's two associations name deals that deal_data.csv does not hold:
    # every deal is reported as having no company, and nothing is invented.
    assert (
        "deal_data.csv|1|None|names no account; the deal was not imported" in warnings
    )
    assert report.counts["opportunities"] == 0
    assert report.counts["accounts"] >= 24
    assert report.counts["sellers"] == 102
    assert report.counts["opportunity_contacts"] == 0
    orphans = [
        p for p in report.problems if p.file == "deal_contact_data.csv" and p.column
    ]
    assert len(orphans) == 11
    assert all("(orphan)" in p.message for p in orphans)


def test_hubspot_deal_company_associations_attach_deals(
    con: store.Connection, tmp_path: Path
) -> None:
    # The headers of HubSpot's warehouse (Fivetran) export, as in the real seeds.
    (tmp_path / "company_data.csv").write_text(
        "id,is_deleted,_fivetran_synced,property_name,property_industry,property_country\n"
        "501,false,2024-01-01 0:00:00,Huadong Machinery,Machinery,China\n"
        "502,false,2024-01-01 0:00:00,Rheinstahl GmbH,Steel,Germany\n"
    )
    (tmp_path / "deal_data.csv").write_text(
        "deal_id,is_deleted,deal_pipeline_id,deal_pipeline_stage_id,owner_id,portal_id,"
        "property_dealname,property_amount,property_closedate,property_createdate\n"
        "901,false,,closedwon,,4727653,Line upgrade,120000,2024-03-01,2024-01-05\n"
        "902,false,,appointmentscheduled,,4727653,Spare parts,8000,2024-04-01,2024-01-06\n"
        "903,false,,closedlost,,4727653,Pilot,5000,2024-05-01,2024-01-07\n"
    )
    (tmp_path / "deal_company_data.csv").write_text(
        "company_id,deal_id,type_id,category\n"
        "501,901,5,HUBSPOT_DEFINED\n"
        "502,902,5,HUBSPOT_DEFINED\n"
        "501,902,5,HUBSPOT_DEFINED\n"
    )
    report = _import(con, tmp_path)
    assert report.ok, _messages(report, "error")
    assert _rows(
        con, "SELECT opportunity_id, account_id FROM opportunities ORDER BY 1"
    ) == [("901", "501"), ("902", "502")]
    warnings = _messages(report, "warning")
    assert (
        "deal_data.csv|None|None|1 deal(s) are associated with several companies in "
        "deal_company_data.csv; each keeps the first company listed" in warnings
    )
    assert (
        "deal_data.csv|3|None|names no account; the deal was not imported" in warnings
    )
