"""The Account plans page's leaders' overview: counts, tables in words, quick reruns."""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import count_calls, count_queries, open_page
from tests.plans_page_support import PAGE, _open
from workbench import store
from workbench.app.screens import plans_overview
from workbench.domain import Actor


def _open_overview(actor: Actor | None = None) -> AppTest:
    """The page with its leaders' overview tab chosen (built only while open)."""
    at = _open(actor)
    at.session_state["plans_tab"] = "Leaders' overview"
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("tab", ["Leaders' overview"])
def test_leaders_overview_tab_counts_accounts_without_plans(app_db, tab):
    at = _open()
    assert tab in [t.label for t in at.tabs]
    # built only while its tab is open: the plan's tab opens first
    assert not at.metric
    at = _open_overview()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Accounts without a current plan"] == "60"
    assert metrics["Overdue actions"] == "0"
    assert metrics["Plans agreed"] == "0"
    labels = {b.label for b in at.get("download_button")}
    assert {"Overdue actions (CSV)", "Accounts without a current plan (CSV)"} <= labels


def test_overview_tables_read_in_words_with_money_in_the_portfolio_currency(app_db):
    at = _open_overview()
    missing = next(d for d in at.dataframe if "contribution" in d.value.columns)
    config = missing.proto.columns
    assert "Contribution (USD)" in config and "Last saved (UTC)" in config
    assert '"account_id"' in config and "CRM ID" in config
    # our codes read as words in the cells
    assert "most_valuable" not in set(missing.value["segment"])
    assert "Most valuable" in set(missing.value["segment"])
    # the most valuable accounts come first, by contribution
    assert missing.value["segment"].iloc[0] == "Most valuable"


def test_a_leaders_table_shows_its_first_rows_and_says_the_csv_has_all(app_db):
    # (on the demo database: the table's first rows are kept per data version)
    script = """
from datetime import date
import polars as pl
from workbench.app.screens import plans_overview as plans
today = date(2026, 12, 1)
plans._leaders_table(
    pl.DataFrame({"name": [f"Account {n:03}" for n in range(250)]}), "many", {}, today
)
plans._leaders_table(pl.DataFrame({"name": ["Only one"]}), "few", {}, today)
"""
    at = AppTest.from_string(script, default_timeout=30).run()
    assert not at.exception
    many, few = (table.value for table in at.dataframe)
    assert len(many) == plans_overview.LEADERS_TABLE_ROWS == 200
    assert many["name"].iloc[0] == "Account 000"  # the first rows, in order
    assert list(few["name"]) == ["Only one"]
    assert [caption.value for caption in at.caption] == [
        "The first 200 of 250 rows; the CSV holds them all."
    ]


def test_overview_cells_say_a_plans_state_in_the_pages_language():
    # the state column showed "no plan" in English on a Chinese page
    from workbench import i18n

    frame = pl.DataFrame(
        {"plan_state": ["no plan", "stale", "current"], "segment": ["maintain"] * 3}
    )
    i18n.set_language("zh-Hans")
    try:
        shown = plans_overview.in_words(frame)
    finally:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)
    assert shown["plan_state"].to_list() == ["无计划", "过期", "最新"]
    assert shown["segment"].to_list() == ["维持型客户"] * 3


def test_the_leaders_overview_reruns_without_building_its_tables_again(
    app_db, monkeypatch
):
    # a rerun (another widget, a tab back) shows the kept tables and chart: the
    # codes are put in words once per day and data version
    from workbench.app.screens import plans_overview as screen

    worded = count_calls(monkeypatch, screen, "in_words")
    at = _open_overview()
    shown = [d.value for d in at.dataframe]
    assert worded
    worded.clear()
    at.run()
    assert not at.exception, at.exception
    assert worded == []
    again = [d.value for d in at.dataframe]
    assert len(again) == len(shown)
    assert all(a.equals(b) for a, b in zip(again, shown, strict=True))


def test_leaders_overview_reuses_the_segments_pages_features(app_db, monkeypatch):
    from datetime import date

    from workbench.api import Workbench

    at = open_page("pages/segments.py")  # aggregates the account features
    aggregated = count_calls(monkeypatch, store, "account_features")
    at.switch_page(PAGE).run()
    at.session_state["plans_tab"] = "Leaders' overview"
    at.run()
    assert not at.exception, at.exception
    assert aggregated == []
    # grouped by the same segments as the API's overview at the defaults
    con = store.connect(app_db, read_only=True)
    try:
        expected = Workbench(con).plans_overview(date.today())
    finally:
        con.close()
    missing = next(d.value for d in at.dataframe if "contribution" in d.value.columns)
    assert list(missing["account_id"]) == expected.missing["account_id"].to_list()


def test_the_leaders_overview_reads_no_answers_context(app_db, monkeypatch):
    # Its overdue follow-ups need the answers and who gave them, not the
    # reporting trees and last touches the Voice page shows (most of reading
    # the answers at scale).
    from workbench.api import Workbench

    at = open_page(PAGE)
    context = count_queries(monkeypatch, store.voice, "ASOF")
    at.session_state["plans_tab"] = "Leaders' overview"
    at.run()
    assert not at.exception, at.exception
    assert context == []
    shown = next(
        d.value
        for d in at.dataframe
        if {"response_id", "due_on"} <= set(d.value.columns)
    )
    con = store.connect(app_db, read_only=True)
    try:
        expected = Workbench(con).detractor_followups()
    finally:
        con.close()
    overdue = expected.filter(expected["overdue"])
    assert len(shown) == overdue.height > 0
    assert sorted(shown["response_id"]) == sorted(overdue["response_id"])
