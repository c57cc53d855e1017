"""A deal's money: its currency, and its amount where the first column is empty.

A deal in another currency than the portfolio's is warned of, with its row.

One database holds one currency (`workbench_meta.currency`). A multi-currency
Salesforce org exports each deal's ``CurrencyIsoCode``, HubSpot its deal
currency, a Chinese CRM its 币种. Summed as they stood, 2,000 EUR and 1,000 USD
made 3,000 of the portfolio's currency without a word. The workbench converts
nothing (it knows no rate): the deal imports as written and the import names
each row whose currency is not the portfolio's, on every path. HubSpot's
amount in the company's currency is read first, and then its currency is not
checked; Dynamics' open deal takes its estimated value and close date.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ANALYST, import_texts
from workbench import ingest, store
from workbench.ingest import inputs

ACCOUNTS = "Id,Name\n001A,Nordwerk AG\n"
DEALS = (
    "Id,AccountId,Name,StageName,Amount,CloseDate,IsClosed,IsWon,CurrencyIsoCode\n"
    "006A,001A,Line A,Closed Won,1000,2024-03-01,true,true,USD\n"
    "006B,001A,Line B,Closed Won,2000,2024-04-01,true,true,EUR\n"
    "006C,001A,Service,Closed Won,3000,2024-05-01,true,true,eur\n"
    # no currency: the portfolio's, as before
    "006D,001A,Spares,Closed Won,500,2024-05-02,true,true,\n"
)


def _amounts(con: store.Connection) -> list[tuple[object, ...]]:
    return store.query_frame(
        con, "SELECT opportunity_id, amount FROM opportunities ORDER BY 1"
    ).rows()


def _other_currency(report: ingest.ImportReport) -> list[tuple[object, ...]]:
    return [
        (p.file, p.row, p.column, p.message.split(" ")[0])
        for p in report.problems
        if p.code == "other_currency"
    ]


def test_a_deal_in_another_currency_is_named_with_its_row(
    con: store.Connection,
) -> None:
    report = import_texts(con, {"Account.csv": ACCOUNTS, "Opportunity.csv": DEALS})
    assert report.ok, [p.message for p in report.errors]
    assert _other_currency(report) == [
        ("Opportunity.csv", 2, "CurrencyIsoCode", "“EUR”"),
        ("Opportunity.csv", 3, "CurrencyIsoCode", "“eur”"),
    ]
    # imported as written: nothing is converted, nothing lost
    amounts = _amounts(con)
    assert amounts == [
        ("006A", 1000.0),
        ("006B", 2000.0),
        ("006C", 3000.0),
        ("006D", 500.0),
    ]
    kinds = {k["code"]: k["kind"] for k in report.as_json()["warning_kinds"]}
    assert kinds["other_currency"] == "amount in another currency: not converted"


def test_the_portfolio_s_own_currency_is_not_warned_of(
    con: store.Connection,
) -> None:
    store.set_portfolio_currency(con, ANALYST, "EUR")
    report = import_texts(con, {"Account.csv": ACCOUNTS, "Opportunity.csv": DEALS})
    assert report.ok
    assert _other_currency(report) == [
        ("Opportunity.csv", 1, "CurrencyIsoCode", "“USD”")
    ]
    # the message names the currency the amount is read as
    (message,) = [p.message for p in report.problems if p.code == "other_currency"]
    assert message.startswith("“USD” is not the portfolio's currency (EUR): its ")
    assert "read as EUR, not converted" in message


@pytest.mark.parametrize(
    ("files", "currency", "warned"),
    [
        pytest.param(
            {
                "客户.csv": "客户编号,客户名称\nC1,华东钢铁\n",
                "商机.csv": "商机编号,客户编号,商机名称,阶段,金额,预计成交日期,币种\n"
                "O1,C1,轧机改造,赢单,800000,2024-03-01,人民币\n"
                "O2,C1,备件,赢单,20000,2024-04-01,RMB\n"
                "O3,C1,出口项目,赢单,50000,2024-05-01,美元\n",
            },
            "CNY",
            [3],
            id="chinese-names-and-rmb",
        ),
        pytest.param(
            {
                "companies.csv": "Record ID,Company name\n101,Nordwerk AG\n",
                "deals.csv": "Record ID,Deal Name,Deal Stage,Amount,Close Date,"
                "Currency,Associated Company IDs\n"
                "201,Renewal,closedwon,1000,2024-03-01,GBP,101\n"
                "202,Upsell,closedwon,2000,2024-04-01,USD,101\n",
            },
            "USD",
            [1],
            id="hubspot-deal-currency",
        ),
        pytest.param(
            {
                "accounts.csv": "account_id,name\nA1,Nordwerk AG\n",
                # a name the workbench does not read is not warned of
                "opportunities.csv": "opportunity_id,account_id,stage,amount,"
                "close_date,currency\n"
                "X1,A1,won,1000,2024-03-01,Euro\n"
                "X2,A1,won,1000,2024-03-01,dollars\n",
            },
            "USD",
            [1],
            id="generic-names",
        ),
    ],
)
def test_each_crm_s_currency_column_is_read(
    con: store.Connection, files: dict[str, str], currency: str, warned: list[int]
) -> None:
    store.set_portfolio_currency(con, ANALYST, currency)
    report = import_texts(con, files)
    assert report.ok, [p.message for p in report.errors]
    assert [row for _f, row, _c, _v in _other_currency(report)] == warned
    assert all(
        f"is not the portfolio's currency ({currency})" in p.message
        for p in report.problems
        if p.code == "other_currency"
    )


def _whole_export(folder: Path, deals: str, rates: str | None = None) -> list[Path]:
    """Write a whole Salesforce export: its deals are built in place when large.

    With a large activity file the import loads it in one pass and builds the
    deals from their file in place (the other files are staged).
    """
    files = {
        "Account.csv": ACCOUNTS,
        "Opportunity.csv": deals,
        **({"CurrencyType.csv": rates} if rates is not None else {}),
        "Task.csv": "Id,AccountId,Subject,ActivityDate,TaskSubtype\n"
        "00T1,001A,Call,2024-03-01,Call\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    return [folder / name for name in files]


def _small_and_in_place(
    files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> list[tuple[ingest.ImportReport, list[tuple[object, ...]], str]]:
    """Import the export as small files, then as large ones (deals built in place).

    Gives per way the report, the deals' amounts and the portfolio's currency.
    """
    outcomes = []
    in_place: list[str] = []
    stand_in = store.import_direct_stage

    def watched(cur: store.Connection, table: str, csv: store.LargeCsv) -> None:
        in_place.append(table)
        stand_in(cur, table, csv)

    for large in (False, True):
        con = store.connect(":memory:")
        in_place.clear()
        with monkeypatch.context() as patch:
            if large:
                patch.setattr(inputs, "LARGE_FILE_BYTES", 0)
            patch.setattr(store, "import_direct_stage", watched)
            report = ingest.import_files(con, files, actor=ANALYST)
        assert report.ok, [p.message for p in report.errors]
        # the large way does build the deals in place (and may then stage them)
        assert in_place == (["opportunities"] if large else [])
        outcomes.append((report, _amounts(con), store.portfolio_currency(con)))
        con.close()
    return outcomes


def _currency_notes(report: ingest.ImportReport) -> list[tuple[str, str]]:
    return sorted(
        (p.code or "", p.message)
        for p in report.problems
        if "currency" in (p.code or "")
    )


def test_a_whole_export_built_in_place_names_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small, large = _small_and_in_place(_whole_export(tmp_path, DEALS), monkeypatch)
    assert (
        _other_currency(small[0])
        == _other_currency(large[0])
        == [
            ("Opportunity.csv", 2, "CurrencyIsoCode", "“EUR”"),
            ("Opportunity.csv", 3, "CurrencyIsoCode", "“eur”"),
        ]
    )


def test_a_hubspot_deal_read_in_the_company_s_currency_is_not_warned_of(
    con: store.Connection,
) -> None:
    # HubSpot converts each deal into the company's currency beside its own
    report = import_texts(
        con,
        {
            "companies.csv": "Record ID,Company name\n101,Nordwerk AG\n",
            "deals.csv": "Record ID,Deal Name,Deal Stage,Amount,Currency,"
            "Amount in company currency,Close Date,Associated Company IDs\n"
            "201,Renewal,closedwon,1000,GBP,1270,2024-03-01,101\n"
            "202,Upsell,closedwon,2000,USD,2000,2024-04-01,101\n",
        },
    )
    assert report.ok, [p.message for p in report.errors]
    assert _other_currency(report) == []
    amounts = _amounts(con)
    assert amounts == [("201", 1270.0), ("202", 2000.0)]


def test_an_open_dynamics_deal_takes_its_estimated_value(
    con: store.Connection,
) -> None:
    # Dynamics fills a closed deal's actual value, an open one's estimate
    report = import_texts(
        con,
        {
            "account.csv": "accountid,name\nacc1,Nordwerk AG\n",
            "opportunity.csv": "opportunityid,parentaccountid,name,stepname,"
            "actualvalue,estimatedvalue,actualclosedate,estimatedclosedate\n"
            "o1,acc1,Retrofit,Won,90000,80000,2024-03-01,2024-02-01\n"
            "o2,acc1,Spares,Propose,,15000,,2024-09-01\n",
        },
        source="dynamics",
    )
    assert report.ok, [p.message for p in report.errors]
    amounts = store.query_frame(
        con,
        "SELECT opportunity_id, amount, close_date::VARCHAR FROM opportunities "
        "ORDER BY 1",
    ).rows()
    assert amounts == [("o1", 90000.0, "2024-03-01"), ("o2", 15000.0, "2024-09-01")]
    filled = [p.message for p in report.problems if p.code == "filled_from_other"]
    assert any("actualvalue empty" in m and "estimatedvalue" in m for m in filled)


EURO_DEALS = (
    "Id,AccountId,Name,StageName,Amount,CloseDate,IsClosed,IsWon,CurrencyIsoCode\n"
    "006A,001A,Line A,Closed Won,1000,2024-03-01,true,true,EUR\n"
    "006B,001A,Line B,Closed Won,2000,2024-04-01,true,true,eur\n"
)


def test_a_first_import_whose_deals_are_in_one_currency_sets_it(
    con: store.Connection,
) -> None:
    report = import_texts(con, {"Account.csv": ACCOUNTS, "Opportunity.csv": EURO_DEALS})
    assert report.ok
    assert store.portfolio_currency(con) == "EUR"
    assert _other_currency(report) == []
    said = [(p.file, p.code) for p in report.problems if p.code == "currency_set"]
    assert said == [("Opportunity.csv", "currency_set")]
    # the next import in euros has nothing to say of them
    again = import_texts(con, {"Opportunity.csv": EURO_DEALS})
    assert [p.code for p in again.problems if "currency" in (p.code or "")] == []


def test_a_currency_someone_set_or_money_held_is_kept(
    con: store.Connection,
) -> None:
    store.set_portfolio_currency(con, ANALYST, "USD")
    report = import_texts(con, {"Account.csv": ACCOUNTS, "Opportunity.csv": EURO_DEALS})
    assert store.portfolio_currency(con) == "USD"
    assert len(_other_currency(report)) == 2
    other = store.connect(":memory:")
    dollars = DEALS.replace(",EUR\n", ",USD\n").replace(",eur\n", ",USD\n")
    assert import_texts(other, {"Account.csv": ACCOUNTS, "Opportunity.csv": dollars}).ok
    later = EURO_DEALS.replace("006A", "006X").replace("006B", "006Y")
    report = import_texts(other, {"Opportunity.csv": later})
    # the database held dollars: the euros are named, the currency stays
    assert store.portfolio_currency(other) == "USD"
    assert len(_other_currency(report)) == 2
    other.close()


def test_a_rejected_import_leaves_the_currency_unset(con: store.Connection) -> None:
    report = import_texts(
        con,
        {
            "Account.csv": ACCOUNTS,
            "Opportunity.csv": EURO_DEALS.replace(",1000,", ",a thousand,"),
        },
    )
    assert not report.ok
    assert store.portfolio_currency(con) == "USD"
    assert store.get_meta(con, "currency") is None


def test_deals_built_in_place_set_the_currency_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _whole_export(tmp_path, EURO_DEALS)
    for report, _amounts_read, currency in _small_and_in_place(files, monkeypatch):
        assert currency == "EUR"
        assert _other_currency(report) == []


def test_undoing_the_import_that_set_the_currency_unsets_it(
    con: store.Connection,
) -> None:
    report = import_texts(con, {"Account.csv": ACCOUNTS, "Opportunity.csv": EURO_DEALS})
    assert report.ok and store.portfolio_currency(con) == "EUR"
    store.undo_last_import(con, ANALYST)
    assert store.get_meta(con, "currency") is None
    assert store.portfolio_currency(con) == "USD"
    # the undone import may come again, and sets it again
    assert import_texts(
        con, {"Account.csv": ACCOUNTS, "Opportunity.csv": EURO_DEALS}
    ).ok
    assert store.portfolio_currency(con) == "EUR"


# A multi-currency org's rates: units of each currency per US dollar, its
# corporate currency (Salesforce's CurrencyType export).
RATES = (
    "Id,IsoCode,ConversionRate,DecimalPlaces,IsActive,IsCorporate\n"
    "01L1,USD,1.0,2,true,true\n"
    "01L2,EUR,0.8,2,true,false\n"
    "01L3,GBP,0.5,2,true,false\n"
)
MIXED = (
    "Id,AccountId,Name,StageName,Amount,CloseDate,IsClosed,IsWon,CurrencyIsoCode\n"
    "006A,001A,Line A,Closed Won,1000,2024-03-01,true,true,USD\n"
    "006B,001A,Line B,Closed Won,2000,2024-04-01,true,true,EUR\n"
    "006C,001A,Service,Closed Won,3000,2024-05-01,true,true,GBP\n"
    "006D,001A,Spares,Closed Won,4000,2024-05-02,true,true,JPY\n"
)


def test_the_org_s_rates_convert_its_deals_into_the_portfolio_s_currency(
    con: store.Connection,
) -> None:
    report = import_texts(
        con,
        {"Account.csv": ACCOUNTS, "Opportunity.csv": MIXED, "CurrencyType.csv": RATES},
    )
    assert report.ok, [p.message for p in report.errors]
    # 2,000 EUR at 0.8 a dollar, 3,000 GBP at 0.5; no rate for yen: as written
    assert _amounts(con) == [
        ("006A", 1000.0),
        ("006B", 2500.0),
        ("006C", 6000.0),
        ("006D", 4000.0),
    ]
    converted = [p.message for p in report.problems if p.code == "converted_currency"]
    assert converted == [
        "1 deal(s) in EUR converted into USD with the org's rates "
        "(CurrencyType.csv): each amount × 1.25",
        "1 deal(s) in GBP converted into USD with the org's rates "
        "(CurrencyType.csv): each amount × 2",
    ]
    assert _other_currency(report) == [
        ("Opportunity.csv", 4, "CurrencyIsoCode", "“JPY”")
    ]


def test_a_first_import_takes_the_org_s_corporate_currency(
    con: store.Connection,
) -> None:
    euro_rates = RATES.replace("USD,1.0,2,true,true", "USD,1.25,2,true,false")
    euro_rates = euro_rates.replace("EUR,0.8,2,true,false", "EUR,1.0,2,true,true")
    report = import_texts(
        con,
        {
            "Account.csv": ACCOUNTS,
            "Opportunity.csv": MIXED,
            "CurrencyType.csv": euro_rates,
        },
    )
    assert report.ok
    assert store.portfolio_currency(con) == "EUR"
    # 1,000 USD at 1.25 a euro is 800 EUR; 3,000 GBP at 0.5 a euro is 6,000 EUR
    assert _amounts(con)[:3] == [("006A", 800.0), ("006B", 2000.0), ("006C", 6000.0)]
    # the notes name the currency this import sets, and where it comes from
    notes = _currency_notes(report)
    assert [code for code, _m in notes] == [
        "converted_currency",
        "converted_currency",
        "currency_set",
        "other_currency",
    ]
    assert "converted into EUR" in notes[0][1] and "converted into EUR" in notes[1][1]
    assert "corporate currency, EUR (CurrencyType.csv)" in notes[2][1]
    assert "every deal is in" not in notes[2][1]


def test_a_rate_that_cannot_be_read_is_named_and_its_deals_not_converted(
    con: store.Connection,
) -> None:
    rates = RATES.replace("EUR,0.8,", "EUR,n/a,")
    report = import_texts(
        con,
        {"Account.csv": ACCOUNTS, "Opportunity.csv": MIXED, "CurrencyType.csv": rates},
    )
    assert report.ok
    unread = [
        (p.file, p.row, p.column)
        for p in report.problems
        if p.file == "CurrencyType.csv" and p.row is not None
    ]
    assert unread == [("CurrencyType.csv", 2, "ConversionRate")]
    assert [row for _f, row, _c, _v in _other_currency(report)] == [2, 4]
    assert _amounts(con)[1] == ("006B", 2000.0)


def test_deals_built_in_place_are_converted_with_the_staged_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _whole_export(tmp_path, MIXED, RATES)
    small, large = _small_and_in_place(files, monkeypatch)
    assert small[1] == large[1]
    assert small[1][1] == ("006B", 2500.0)
    assert _currency_notes(small[0]) == _currency_notes(large[0])


def test_an_erp_line_in_another_currency_is_named_and_never_converted(
    con: store.Connection,
) -> None:
    store.set_portfolio_currency(con, ANALYST, "CNY")
    erp = (
        "客户编码,客户名称,期间,销售收入,币别\n"
        "001A,Nordwerk AG,2024-03,1000,人民币\n"
        "001A,Nordwerk AG,2024-04,2000,美元\n"
    )
    report = import_texts(
        con,
        # the org's rates convert deals only: an ERP's ledger is its own
        {"Account.csv": ACCOUNTS, "收入明细.csv": erp, "CurrencyType.csv": RATES},
    )
    assert report.ok, [p.message for p in report.errors]
    assert _other_currency(report) == [("收入明细.csv", 2, "币别", "“美元”")]
    revenue = store.query_frame(
        con, "SELECT month::VARCHAR, revenue FROM erp_revenue ORDER BY 1"
    ).rows()
    assert revenue == [("2024-03-01", 1000.0), ("2024-04-01", 2000.0)]


def test_a_deals_file_without_an_amount_or_a_close_date_still_imports(
    con: store.Connection,
) -> None:
    # the columns that fall back are not mapped at all
    report = import_texts(
        con,
        {
            "Account.csv": ACCOUNTS,
            "Opportunity.csv": "Id,AccountId,Name,StageName\n006A,001A,Pumps,Prospecting\n",
        },
    )
    assert report.ok, [p.message for p in report.errors]
    assert _amounts(con) == [("006A", None)]
