"""A deal's own term (HubSpot's ACV/TCV/ARR/MRR), Dynamics contract lines, and the
buying situation CRMs rate on accounts. Fixtures are small and made here."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import ANALYST, import_texts
from workbench import store

COMPANIES = (
    "Record ID,Company name,Strategic importance,Switching costs\n"
    "101,Nordwerk AG,5,high\n"
    "102,Huadong Steel,低,=1+1\n"
)
DEALS = (
    "Record ID,Deal Name,Deal Stage,Amount,Close Date,Associated Company IDs,"
    "Annual contract value,Total contract value,Monthly recurring revenue\n"
    # a three-year contract signed 14 months before the as-of date
    "801,Three-year platform,closedwon,3600000,2023-10-01,101,1200000,3600000,\n"
    # a subscription known only by its monthly value
    "802,Subscription,closedwon,,2024-03-01,102,,,25000\n"
)


def test_a_multi_year_deal_keeps_its_annual_revenue_between_renewals(
    con: store.Connection,
) -> None:
    report = import_texts(con, {"companies.csv": COMPANIES, "deals.csv": DEALS})
    assert report.ok, [p.message for p in report.errors]
    deals = dict(
        store.query_frame(
            con, "SELECT opportunity_id, [amount, term_months] FROM opportunities"
        ).rows()
    )
    assert deals["801"] == [3600000.0, 36]
    # No amount: 12 × MRR, over a year.
    assert deals["802"] == [300000.0, 12]
    features = store.account_features(con, date(2024, 12, 31))
    revenue = dict(features.select("account_id", "revenue_annualised").rows())
    assert revenue["101"] == pytest.approx(1_200_000)
    assert revenue["102"] == pytest.approx(300_000)


def test_a_value_that_is_not_a_number_is_refused_with_its_place(
    con: store.Connection,
) -> None:
    bad = DEALS.replace(",,,25000", ",,,a lot")
    report = import_texts(con, {"companies.csv": COMPANIES, "deals.csv": bad})
    assert not report.ok
    assert [(p.row, p.column) for p in report.errors] == [
        (2, "Monthly recurring revenue")
    ]
    assert store.table_counts(con)["opportunities"] == 0


def test_dynamics_contract_lines_give_the_account_a_term_in_force(
    con: store.Connection,
) -> None:
    keys = "(Do Not Modify) Row Checksum,(Do Not Modify) Modified On"
    files = {
        "Accounts.csv": f"(Do Not Modify) Account,{keys},Account Name\n"
        "a1,x,2024-01-01,Contoso Ltd\n",
        "Contract Lines.csv": f"(Do Not Modify) Contract Line,{keys},Title,Customer,"
        "Start Date,End Date,Total Price,Status\n"
        "c1,x,2024-01-01,Support,Contoso Ltd,2023-01-01,2025-12-31,90000,Active\n"
        "c2,x,2024-01-01,<b>Old</b>,Contoso Ltd,2019-01-01,2019-12-31,1000,Canceled\n",
        "Opportunities.csv": f"(Do Not Modify) Opportunity,{keys},Topic,"
        "Potential Customer,Actual Revenue,Actual Close Date,Status\n"
        "o1,x,2024-01-01,Renewal,Contoso Ltd,300000,2023-02-01,Won\n",
    }
    report = import_texts(con, files)
    assert report.ok, [p.message for p in report.errors]
    assert {f.name: f.table for f in report.files}["Contract Lines.csv"] == "contracts"
    features = store.account_features(con, date(2024, 6, 30))
    row = features.row(0, named=True)
    # The deal won inside the three-year line is spread over it.
    assert row["revenue_annualised"] == pytest.approx(100_000)
    assert row["revenue_basis"] == "contract_terms"


def test_situation_ratings_of_the_crm_fill_the_accounts_and_never_a_workshops(
    con: store.Connection,
) -> None:
    # The deals file gives the export away as HubSpot's.
    report = import_texts(con, {"companies.csv": COMPANIES, "deals.csv": DEALS})
    assert report.ok, [p.message for p in report.errors]
    situation = store.account_situation(con).sort("account_id")
    rows = {r["account_id"]: r for r in situation.iter_rows(named=True)}
    assert rows["101"]["purchase_importance"] == 5
    assert rows["101"]["switching_costs"] == 5
    assert rows["102"]["purchase_importance"] == 1
    # A formula is not a level: left unrated, with a warning at its row.
    assert rows["102"]["switching_costs"] is None
    unrated = [p for p in report.problems if p.column == "Switching costs"]
    assert [(p.row, p.code) for p in unrated] == [(2, "unknown_value")]
    assert "“=1+1”" in unrated[0].message
    assert rows["101"]["situation_set_by"] == "import:hubspot"

    # A workshop's rating wins over the next import; undo restores the import's.
    store.set_account_situation(con, ANALYST, "101", {"switching_costs": 2})
    changed = COMPANIES.replace("101,Nordwerk AG,5,high", "101,Nordwerk AG,3,low")
    again = import_texts(con, {"companies.csv": changed, "deals.csv": DEALS})
    assert again.ok
    after = store.account_situation(con)
    levels = {r["account_id"]: r for r in after.iter_rows(named=True)}
    assert levels["101"]["switching_costs"] == 2
    assert levels["101"]["purchase_importance"] == 3
    store.undo_last_import(con, ANALYST)
    undone = {
        r["account_id"]: r for r in store.account_situation(con).iter_rows(named=True)
    }
    assert undone["101"]["purchase_importance"] == 5
    assert undone["101"]["switching_costs"] == 2
