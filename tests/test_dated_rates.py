"""A deal converted at its close date's rate, where the org keeps dated rates.

A Salesforce org with advanced currency management keeps a rate per currency
and period (``DatedConversionRate``: ``StartDate`` to the next period's
``NextStartDate``) and converts each deal at the rate of its close date; its
``CurrencyType`` rates are then the static ones, for what no period holds.
Read as static rates, the dated file gave each code the rate of whichever
period came last in the file, for deals of every year: a euro deal of 2021
converted at 2024's rate, silently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.conftest import import_texts
from tests.test_deal_currency import (
    ACCOUNTS,
    RATES,
    _amounts,
    _currency_notes,
    _other_currency,
    _small_and_in_place,
    _whole_export,
)

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from workbench import store

# Euros a dollar: 0.8 in the first quarter of 2024, 0.9 from April on (the last
# period open, as Salesforce writes it); pounds 0.5 all year.
DATED = (
    "Id,IsoCode,ConversionRate,StartDate,NextStartDate\n"
    "04w1,EUR,0.8,2024-01-01,2024-04-01\n"
    "04w2,EUR,0.9,2024-04-01,9999-12-31\n"
    "04w3,GBP,0.5,2024-01-01,\n"
)
DEALS = (
    "Id,AccountId,Name,StageName,Amount,CloseDate,IsClosed,IsWon,CurrencyIsoCode\n"
    "006A,001A,Line A,Closed Won,1000,2024-03-01,true,true,USD\n"
    "006B,001A,Line B,Closed Won,2000,2024-03-15,true,true,EUR\n"
    "006C,001A,Service,Closed Won,900,2024-04-01,true,true,EUR\n"
    "006D,001A,Spares,Closed Won,3000,2024-05-01,true,true,GBP\n"
    # before every period: the static rate (CurrencyType's 0.8), if any
    "006E,001A,Pilot,Closed Won,400,2023-06-01,true,true,EUR\n"
)


def test_each_deal_converts_at_the_rate_of_its_close_date(
    con: store.Connection,
) -> None:
    report = import_texts(
        con,
        {
            "Account.csv": ACCOUNTS,
            "Opportunity.csv": DEALS,
            "CurrencyType.csv": RATES,
            "DatedConversionRate.csv": DATED,
        },
    )
    assert report.ok, [p.message for p in report.errors]
    assert [(i, round(float(a), 6)) for i, a in _amounts(con)] == [
        ("006A", 1000.0),
        ("006B", 2500.0),  # 2,000 EUR at 0.8 a dollar (March)
        ("006C", 1000.0),  # 900 EUR at 0.9 (April, the period's first day)
        ("006D", 6000.0),
        ("006E", 500.0),  # 400 EUR at the static 0.8
    ]
    converted = [p.message for p in report.problems if p.code == "converted_currency"]
    assert converted == [
        "3 deal(s) in EUR converted into USD with the org's dated rates "
        "(CurrencyType.csv, DatedConversionRate.csv), each at its close date's "
        "rate: × 1.11111 to × 1.25",
        "1 deal(s) in GBP converted into USD with the org's rates "
        "(CurrencyType.csv, DatedConversionRate.csv): each amount × 2",
    ]
    assert _other_currency(report) == []
    notes = {
        p.file: p.message for p in report.problems if p.code == "file_not_imported"
    }
    assert "at its close date's rate" in notes["DatedConversionRate.csv"]


def test_a_deal_no_period_holds_and_no_static_rate_is_named(
    con: store.Connection,
) -> None:
    # Dated rates alone; the portfolio's dollar has a period from year one.
    dated = DATED + "04w0,USD,1.0,0001-01-01,\n"
    report = import_texts(
        con,
        {
            "Account.csv": ACCOUNTS,
            "Opportunity.csv": DEALS,
            "DatedConversionRate.csv": dated,
        },
    )
    assert report.ok, [p.message for p in report.errors]
    amounts = dict(_amounts(con))
    assert amounts["006B"] == 2500.0 and amounts["006E"] == 400.0
    assert _other_currency(report) == [
        ("Opportunity.csv", 5, "CurrencyIsoCode", "“EUR”")
    ]


def test_a_period_that_cannot_be_read_is_named_and_not_used(
    con: store.Connection,
) -> None:
    dated = (
        DATED.replace("0.9,2024-04-01,9999", "0.9,April 2024,9999")
        .replace("GBP,0.5", "GBP,-")
        .replace("2024-01-01,2024-04-01", "2024-01-01,soon")
    )
    report = import_texts(
        con,
        {
            "Account.csv": ACCOUNTS,
            "Opportunity.csv": DEALS,
            "CurrencyType.csv": RATES,
            "DatedConversionRate.csv": dated,
        },
    )
    assert report.ok
    unread = sorted(
        (p.row, p.column)
        for p in report.problems
        if p.file == "DatedConversionRate.csv" and p.row is not None
    )
    # an unread end would leave its period open over the ones after it
    assert unread == [(1, "NextStartDate"), (2, "StartDate"), (3, "ConversionRate")]
    # the euro deals fall back to the static rate; the pound's too
    amounts = dict(_amounts(con))
    assert amounts["006C"] == 900 / 0.8 and amounts["006D"] == 6000.0


def test_deals_built_in_place_convert_at_the_same_dated_rates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _whole_export(tmp_path, DEALS, RATES)
    (tmp_path / "DatedConversionRate.csv").write_text(DATED)
    files.append(tmp_path / "DatedConversionRate.csv")
    small, large = _small_and_in_place(files, monkeypatch)
    assert small[1] == large[1]
    assert dict(small[1])["006B"] == 2500.0
    assert _currency_notes(small[0]) == _currency_notes(large[0])
