"""The ERP revenue file: recognised, checked, stored per account and month, and
the revenue basis of the accounts it covers. Fixtures are small and made here."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import ANALYST, import_texts
from workbench import store
from workbench.cli import main

ACCOUNTS = (
    "Id,Name\n001A1,Huadong Machinery\n001A2,Rheinstahl GmbH\n001A3,Nordwerk AG\n"
)
OPPORTUNITIES = (
    "Id,AccountId,Name,StageName,Amount,CloseDate,IsWon,IsClosed\n"
    "006O1,001A1,Pumps,Closed Won,100000,2024-02-10,true,true\n"
    "006O2,001A3,Valves,Closed Won,40000,2024-03-01,true,true\n"
)
# 用友/金蝶 style: customer code and name, the month, one line per product.
CHINESE_ERP = (
    "客户编码,客户名称,期间,产品,销售收入,销售成本,运费\n"
    '001A1,华东机械,2024-03,泵,"120,000.00","80,000.00",1500\n'
    "001A1,华东机械,2024-03,阀,30000,20000,\n"
    ",Rheinstahl GmbH,2024年4月,钢,50万,30万,\n"
    ',=HYPERLINK("http://x";"x"),2024-04,钢,100,50,\n'
    "001A9,<script>alert(1)</script>,2024-04,钢,100,50,\n"
)


def _erp(con: store.Connection) -> list[tuple[object, ...]]:
    return store.query_frame(
        con,
        "SELECT account_id, month::VARCHAR, revenue, cost, logistics_cost "
        "FROM erp_revenue ORDER BY 1, 2",
    ).rows()


def test_a_chinese_erp_file_is_added_up_per_account_and_month(
    con: store.Connection,
) -> None:
    report = import_texts(con, {"Account.csv": ACCOUNTS, "收入明细.csv": CHINESE_ERP})
    assert report.ok, [p.message for p in report.errors]
    assert {f.name: f.table for f in report.files}["收入明细.csv"] == "erp_revenue"
    assert _erp(con) == [
        ("001A1", "2024-03-01", 150000.0, 100000.0, 1500.0),
        # matched by its name; 50万 is 500,000
        ("001A2", "2024-04-01", 500000.0, 300000.0, None),
    ]
    # Lines added up are not "left out"; lines of unknown customers are.
    assert report.plan["erp_revenue"]["add"] == 2
    assert report.plan["erp_revenue"]["skip"] == 2
    left_out = [p for p in report.problems if p.code == "erp_without_account"]
    assert sorted((p.row, p.column) for p in left_out) == [
        (4, "客户名称"),
        (5, "客户编码"),
    ]
    # Hostile text is quoted as text in the message, never interpreted.
    assert any('=HYPERLINK("http://x";"x")' in p.message for p in left_out)
    assert sum(store.orphan_counts(con).values()) == 0


def test_sap_periods_with_a_fiscal_year_and_a_margin_instead_of_cost(
    con: store.Connection,
) -> None:
    sap = (
        "Sold-to party,Fiscal Year,Posting Period,Net Revenue,Gross Margin,Freight,Rebates\n"
        "001A1,2024,1,1000,250,10,5\n"
        "001A1,2024,13,200,50,,\n"  # a special period closes the year: December
        "001A2,2024,002,500,100,,\n"
    )
    report = import_texts(con, {"Account.csv": ACCOUNTS, "erp_revenue.csv": sap})
    assert report.ok, [p.message for p in report.errors]
    assert _erp(con) == [
        ("001A1", "2024-01-01", 1000.0, 750.0, 10.0),
        ("001A1", "2024-12-01", 200.0, 150.0, None),
        ("001A2", "2024-02-01", 500.0, 400.0, None),
    ]


@pytest.mark.parametrize(
    ("month", "amount", "column"),
    [
        ("=1+1", "100", "期间"),
        ("2024-13", "100", "期间"),
        ("2024-03", "很多", "销售收入"),
        ("2024-03", "NaN", "销售收入"),
    ],
)
def test_an_unreadable_month_or_amount_refuses_the_import_with_its_place(
    con: store.Connection, month: str, amount: str, column: str
) -> None:
    assert import_texts(con, {"Account.csv": ACCOUNTS}).ok
    before = store.database_fingerprint(con)
    erp = f"客户编码,期间,销售收入\n001A1,2024-02,10\n001A1,{month},{amount}\n"
    report = import_texts(con, {"收入明细.csv": erp})
    assert not report.ok
    assert [(p.file, p.row, p.column, p.code) for p in report.errors] == [
        ("收入明细.csv", 2, column, "bad_value")
    ]
    assert store.database_fingerprint(con) == before


def test_erp_revenue_takes_precedence_for_the_accounts_it_covers(
    con: store.Connection,
) -> None:
    assert import_texts(
        con, {"Account.csv": ACCOUNTS, "Opportunity.csv": OPPORTUNITIES}
    ).ok
    months = "".join(f"001A1,2024-{m:02d},10000,6000,100,50\n" for m in range(1, 13))
    erp = "客户编码,期间,收入,成本,物流费用,折扣\n" + months
    assert import_texts(con, {"收入明细.csv": erp}).ok
    features = store.account_features(con, date(2024, 12, 31)).sort("account_id")
    rows = {
        r["account_id"]: r
        for r in features.select(
            "account_id",
            "revenue_annualised",
            "revenue_basis",
            "gross_margin_pct",
            "logistics_cost_12m",
            "discount_cost_12m",
            "support_cost_12m",
        ).iter_rows(named=True)
    }
    # Covered: 12 months of ERP revenue, its margin and its direct costs.
    assert rows["001A1"]["revenue_basis"] == "erp"
    assert rows["001A1"]["revenue_annualised"] == pytest.approx(120000)
    assert rows["001A1"]["gross_margin_pct"] == pytest.approx(40)
    assert rows["001A1"]["logistics_cost_12m"] == pytest.approx(1200)
    assert rows["001A1"]["discount_cost_12m"] == pytest.approx(600)
    assert rows["001A1"]["support_cost_12m"] is None
    # Not covered: the won deal over its default term, as before.
    assert rows["001A3"]["revenue_basis"] == "default_term"
    assert rows["001A3"]["revenue_annualised"] == pytest.approx(40000)
    # The ERP data hold all 12 months: an account without a line in six of
    # them bought nothing then.
    half = "客户编码,期间,收入\n" + "".join(
        f"001A2,2024-{m:02d},5000\n" for m in range(7, 13)
    )
    assert import_texts(con, {"收入明细.csv": half}).ok
    features = store.account_features(con, date(2024, 12, 31))
    a2 = features.filter(features["account_id"] == "001A2").row(0, named=True)
    assert a2["revenue_basis"] == "erp"
    assert a2["revenue_annualised"] == pytest.approx(30000)


def test_an_erp_file_of_part_of_the_year_is_scaled_to_a_year(
    con: store.Connection,
) -> None:
    assert import_texts(con, {"Account.csv": ACCOUNTS}).ok
    half = "客户编码,期间,收入\n" + "".join(
        f"001A2,2024-{m:02d},5000\n" for m in range(7, 13)
    )
    assert import_texts(con, {"收入明细.csv": half}).ok
    features = store.account_features(con, date(2024, 12, 31))
    a2 = features.filter(features["account_id"] == "001A2").row(0, named=True)
    assert (a2["revenue_basis"], a2["erp_months"]) == ("erp", 6)
    assert a2["revenue_annualised"] == pytest.approx(60000)
    # An ERP file that ends before the window holds nothing to go by.
    old = store.account_features(con, date(2026, 6, 30))
    assert "erp" not in old["revenue_basis"].to_list()


def test_reimporting_a_month_replaces_it_and_undo_restores(
    con: store.Connection,
) -> None:
    assert import_texts(con, {"Account.csv": ACCOUNTS}).ok
    assert import_texts(con, {"erp.csv": "客户编码,期间,收入\n001A1,2024-03,100\n"}).ok
    again = import_texts(con, {"erp.csv": "客户编码,期间,收入\n001A1,2024-03,250\n"})
    assert again.ok and again.plan["erp_revenue"]["update"] == 1
    assert _erp(con) == [("001A1", "2024-03-01", 250.0, None, None)]
    store.undo_last_import(con, ANALYST)
    assert _erp(con) == [("001A1", "2024-03-01", 100.0, None, None)]


def test_the_cli_imports_an_erp_file_with_the_json_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "Account.csv").write_text(ACCOUNTS)
    (export / "收入明细.csv").write_text(CHINESE_ERP)
    db = str(tmp_path / "w.duckdb")
    assert main(["init", "--empty", "--db", db]) == 0
    capsys.readouterr()
    code = main(["import", str(export), "--db", db, "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {"ok", "source", "counts", "problems"} <= set(report)
    assert report["counts"]["erp_revenue"] == 2
    assert {"level", "file", "row", "column", "message"} <= set(report["problems"][0])


def test_a_chinese_crm_and_its_erp_share_the_customer_code(
    con: store.Connection,
) -> None:
    # 客户编码 is the customer's code in 用友/金蝶 and in some CRMs' account lists.
    crm = "客户编码,客户名称,行业\nC001,华东机械,机械\nC002,台北精密,電子\n"
    erp = "客户编码,年度,期间,收入,毛利率\nC001,2024,3,1000,25%\nC002,2024,3,500,40\n"
    report = import_texts(con, {"客户.csv": crm, "收入明细.csv": erp})
    assert report.ok, [p.message for p in report.errors]
    assert _erp(con) == [
        ("C001", "2024-03-01", 1000.0, 750.0, None),
        ("C002", "2024-03-01", 500.0, 300.0, None),
    ]
