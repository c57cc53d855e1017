"""An account's type in the CRM: read from each CRM, and no customer left unsegmented.

Real CRMs hold accounts that are no customers: Salesforce's "Technology
Partner" and "Competitor" types, HubSpot's PARTNER and VENDOR companies,
Dynamics' relationship types. Segmented as customers, a partner we spend
effort with and sell nothing to reads as a customer below zero.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from tests.conftest import imported_into, imported_ok
from workbench import readers, store

AS_OF = date(2026, 6, 30)


def _types(con: store.Connection) -> dict[str, tuple[object, object]]:
    rows = store.query_frame(
        con, "SELECT account_id, crm_type, account_type FROM accounts"
    ).rows()
    return {str(r[0]): (r[1], r[2]) for r in rows}


def test_salesforce_types_read_in_the_workbenchs_words_and_unknown_ones_said(
    con: store.Connection,
):
    report = imported_ok(
        con,
        {
            "Account.csv": "Id,Name,Type\n"
            "001A,Acme,Customer - Direct\n"
            "001B,Alpha Dynamics,Technology Partner\n"
            "001C,Rival Corp,Competitor\n"
            "001D,Maybe Ltd,Prospect\n"
            "001E,Channel Co,Channel Partner / Reseller\n"
            "001F,Distrib AG,Distributor\n"
            "001G,Plain Inc,\n"
        },
    )
    assert _types(con) == {
        "001A": ("Customer - Direct", "customer"),
        "001B": ("Technology Partner", "partner"),
        "001C": ("Competitor", "competitor"),
        "001D": ("Prospect", "prospect"),
        "001E": ("Channel Partner / Reseller", "reseller"),
        "001F": ("Distributor", None),
        "001G": (None, None),
    }
    unknown = [p for p in report.problems if p.column == "Type"]
    assert [(p.row, p.level, p.code) for p in unknown] == [
        (6, "warning", "unknown_value")
    ]
    assert "segmented as a customer" in unknown[0].message


@pytest.mark.parametrize(
    ("source", "files", "expected"),
    [
        (
            "dynamics",
            # Dynamics' option values, as a Web API export gives them
            {
                "account.csv": "accountid,name,customertypecode,revenue,statecode\n"
                "a1,One,1,,0\na2,Two,3,,0\na3,Three,10,,0\n"
            },
            {
                "a1": ("1", "competitor"),
                "a2": ("3", "customer"),
                "a3": ("10", "supplier"),
            },
        ),
        (
            "hubspot",
            # HubSpot's internal values, case-folded
            {
                "companies.csv": "Record ID,Company name,Type\n"
                "11,One,PARTNER\n12,Two,VENDOR\n13,Three,PROSPECT\n"
            },
            {
                "11": ("PARTNER", "partner"),
                "12": ("VENDOR", "supplier"),
                "13": ("PROSPECT", "prospect"),
            },
        ),
        (
            "chinese_crm",
            {
                "客户.csv": "客户编号,客户名称,客户类型\nK1,华东机电,竞争对手\nK2,华北,正式客户\n"
            },
            {"K1": ("竞争对手", "competitor"), "K2": ("正式客户", "customer")},
        ),
    ],
    ids=["dynamics", "hubspot", "chinese_crm"],
)
def test_each_crms_type_is_read(
    con: store.Connection,
    source: str,
    files: dict[str, str],
    expected: dict[str, tuple[str, str]],
):
    report = imported_ok(con, files, source=source)
    assert report.source == source
    assert _types(con) == expected
    assert not [p for p in report.problems if p.code == "unknown_value"]


_PORTFOLIO = {
    "accounts.csv": "account_id,name,account_type\n"
    "A1,Buyer GmbH,Customer\n"
    "C1,Rival Corp,Competitor\n"
    "P1,Partner Tech,Technology Partner\n"
    "P2,Partner Buying,Partner\n"
    "U1,Untyped Ltd,\n",
    "contacts.csv": "contact_id,account_id,name,title\n"
    "c1,A1,Ann Buyer,Purchasing Manager\n"
    "c2,C1,Cy Rival,Sales Director\n"
    "c3,P1,Pat Partner,Alliance Manager\n",
    "opportunities.csv": "opportunity_id,account_id,amount,close_date,is_closed,is_won\n"
    "o1,A1,10000,2026-03-01,true,true\n"
    # a partner we sell to as well: a lost deal is a deal on record
    "o2,P2,5000,2026-02-01,true,false\n",
    "activities.csv": "activity_id,account_id,contact_id,kind,activity_date,duration_minutes\n"
    "x1,A1,c1,visit,2026-05-01,60\n"
    "x2,C1,c2,call,2026-05-02,30\n"
    "x3,P1,c3,meeting,2026-05-03,240\n"
    "x4,P1,,meeting,2026-05-04,120\n",
}


def test_what_is_no_customer_is_kept_but_not_segmented(con: store.Connection):
    imported_ok(con, _PORTFOLIO)
    # nothing is lost: every account, person and activity is stored
    assert store.query_frame(con, "SELECT count(*) FROM accounts").item() == 5
    assert store.query_frame(con, "SELECT count(*) FROM activities").item() == 4
    features = store.account_features(con, AS_OF)
    assert sorted(features["account_id"]) == ["A1", "P2", "U1"]
    segments = readers.account_segments(con, as_of=AS_OF)
    assert sorted(segments["account_id"]) == ["A1", "P2", "U1"]
    left_out = store.accounts_not_segmented(con)
    assert left_out.select(
        "account_id", "account_type", "crm_type", "contacts", "activities"
    ).rows() == [
        ("C1", "competitor", "Competitor", 1, 1),
        ("P1", "partner", "Technology Partner", 1, 2),
    ]


def test_a_file_without_the_type_keeps_the_type_stored(con: store.Connection):
    imported_ok(con, _PORTFOLIO)
    imported_ok(
        con, {"accounts.csv": "account_id,name,industry\nC1,Rival Corp,Energy\n"}
    )
    assert _types(con)["C1"] == ("Competitor", "competitor")
    assert "C1" not in store.account_features(con, AS_OF)["account_id"].to_list()


def test_a_file_from_before_types_were_read_counts_every_account(tmp_path):
    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    store.migrate(old, target=19)
    old.execute(
        "INSERT INTO accounts (account_id, name) VALUES ('A1', 'Old One'), ('A2', 'Two')"
    )
    assert "account_type" not in store.table_columns(old, "accounts")
    old.close()
    con = store.connect(path)
    try:
        assert store.schema_version(con) == store.MIGRATIONS[-1].version
        assert _types(con) == {"A1": (None, None), "A2": (None, None)}
        features = store.account_features(con, AS_OF)
        assert sorted(features["account_id"]) == ["A1", "A2"]
        assert store.accounts_not_segmented(con).height == 0
    finally:
        store.close(con)


def test_the_demo_holds_partners_and_a_competitor_beside_its_customers(
    demo_con: store.Connection,
):
    # as a real CRM does: with people and activities, and no deal
    types = store.query_frame(
        demo_con,
        "SELECT account_type, count(*) AS n FROM accounts GROUP BY 1 ORDER BY 1",
    ).rows()
    assert types == [("competitor", 1), ("customer", 60), ("partner", 2)]
    left_out = store.accounts_not_segmented(demo_con)
    assert left_out.height == 3
    assert left_out["contacts"].min() >= 2 and left_out["activities"].min() >= 1
    # every customer is segmented, and no other account
    segmented = readers.account_segments(demo_con, explain=False)
    assert segmented.height == 60
    assert not set(segmented["account_id"]) & set(left_out["account_id"])


def test_a_plan_of_a_competitor_says_why_it_has_no_segment(con: store.Connection):
    from workbench.plans import build_situation

    imported_ok(con, _PORTFOLIO)
    parts = {p.key: p for p in build_situation(con, "C1", as_of=AS_OF).parts}
    for key in ("segment", "effort"):
        assert parts[key].status == "unavailable"
        assert "no customer (Competitor)" in parts[key].note
    crm = {f.label: f.value for f in parts["crm"].facts}
    assert crm["Type in the CRM"] == "Competitor"
    # a customer's plan is built as before
    assert {p.key: p.status for p in build_situation(con, "A1", as_of=AS_OF).parts}[
        "segment"
    ] == "ready"


_COMPETITOR = {
    "accounts.csv": "account_id,name,account_type\nRIVAL,Rival <b>Corp</b>,Competitor\n",
    "contacts.csv": "contact_id,account_id,name,title\nr1,RIVAL,Cy Rival,Sales Director\n",
}


@pytest.mark.parametrize("page", ["pages/segments.py", "pages/effort.py"])
def test_the_segments_and_effort_pages_say_which_accounts_they_leave_out(
    app_db, page: str
):
    from tests.conftest import open_page

    imported_into(app_db, _COMPETITOR)
    at = open_page(page)
    # the demo's two partners and competitor, and the one imported
    notes = [c.value for c in at.caption if "no customer" in c.value]
    assert notes == [
        "Accounts typed in the CRM as no customer (competitors, partners, suppliers, "
        "the press or investors) with no deal on record: 4. They are not segmented, "
        "valued or counted in the effort; their buying centres are shown."
    ]
    table = next(d.value for d in at.dataframe if "crm_type" in d.value.columns)
    assert len(table) == 4
    assert {
        "name": "Rival <b>Corp</b>",
        "account_type": "competitor",
        "crm_type": "Competitor",
        "contacts": 1,
        "activities": 0,
    } in table.to_dict("records")


def test_the_segment_command_lists_what_it_leaves_out(capsys, tmp_path):
    import json

    from workbench.cli import main

    path = imported_into(tmp_path / "types.duckdb", _PORTFOLIO)
    assert main(["segment", "--db", str(path), "--as-of", "2026-06-30", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert sorted(a["account_id"] for a in document["accounts"]) == ["A1", "P2", "U1"]
    assert [(a["account_id"], a["crm_type"]) for a in document["not_segmented"]] == [
        ("C1", "Competitor"),
        ("P1", "Technology Partner"),
    ]
    assert main(["segment", "--db", str(path), "--as-of", "2026-06-30"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[-1] == (
        "Not segmented, typed in the CRM as no customer and with no deal on record: "
        "Rival Corp (Competitor), Partner Tech (Technology Partner)"
    )


def test_the_voice_counts_accounts_heard_of_the_customers():
    from workbench.analytics import voice

    accounts = pl.DataFrame(
        {
            "account_id": ["A1", "U1", "C1", "P1"],
            "name": ["Buyer", "Unheard", "Rival", "Partner that answered"],
        }
    )
    answers = pl.DataFrame(
        {
            "account_id": ["A1", "P1"],
            "score": [9, 10],
            "buying_role": ["decider", "user"],
        }
    )
    by_account = voice.nps_by_account(answers, accounts, ["C1", "P1"])
    # a competitor never surveyed is no account left unheard; a partner that
    # answered keeps its answer
    assert by_account["account_id"].to_list() == ["A1", "P1", "U1"]
    assert voice.accounts_heard(by_account) == 2
    assert voice.nps_by_account(answers, accounts).height == 4


def test_a_competitor_with_erp_revenue_is_segmented(con: store.Connection):
    # invoiced revenue says we sell to it, whatever its type says
    imported_ok(con, _PORTFOLIO)
    imported_ok(con, {"收入明细.csv": "客户编码,期间,销售收入\nC1,2026-03,1000\n"})
    assert "C1" in store.account_features(con, AS_OF)["account_id"].to_list()
    assert store.accounts_not_segmented(con)["account_id"].to_list() == ["P1"]


def test_the_effort_page_says_why_it_has_no_accounts(tmp_path, monkeypatch):
    from tests.conftest import open_page

    path = imported_into(tmp_path / "others.duckdb", _COMPETITOR)
    monkeypatch.setenv(store.DB_ENV_VAR, str(path))
    at = open_page("pages/effort.py")
    assert [i.value for i in at.info] == [
        "No customer accounts yet: the CRM types every account as no customer."
    ]
