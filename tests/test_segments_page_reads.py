"""The Segments page's reads: a move or a rerun computes and reads only what changed."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import count_calls, count_queries, open_page
from tests.segments_page_support import (
    PAGE,
    _chart_data,
    accounts_table,
    metrics,
    opened,
)
from tests.segments_page_support import page as page
from workbench import ingest, open_workbench, readers, store
from workbench.analytics import segment
from workbench.domain import LOCAL_ACTOR
from workbench.store import feature_changes, portfolio, term_revenue


def test_a_slider_back_at_a_value_seen_computes_nothing(page, monkeypatch):
    from workbench.analytics import segment as analytics

    calls: list[str] = []

    def counting(name: str):
        original = getattr(analytics, name)

        def counted(*args, **kwargs):
            calls.append(name)
            return original(*args, **kwargs)

        return counted

    counted_steps = (
        "segment_overview",
        "drawn_accounts",
        "shown_account_table",
        "best_first",
    )
    for name in counted_steps:
        monkeypatch.setattr(analytics, name, counting(name))
    start = page.slider(key="seg_top_pct").value
    page.slider(key="seg_top_pct").set_value(start + 7).run()
    # the pickers' order (best first) is made only when a section below the
    # table that lists accounts is opened: all are closed here
    assert sorted(set(calls)) == [
        "drawn_accounts",
        "segment_overview",
        "shown_account_table",
    ]
    moved = (metrics(page), accounts_table(page), _chart_data(page))
    page.slider(key="seg_top_pct").set_value(start).run()
    calls.clear()
    page.slider(key="seg_top_pct").set_value(start + 7).run()
    assert not page.exception, page.exception
    assert calls == []
    # and the page shows what it showed at that value
    assert metrics(page) == moved[0]
    assert accounts_table(page).equals(moved[1])
    assert _chart_data(page) == moved[2]


def _read_for_term(app_db, term: int) -> pl.DataFrame:
    """Return the accounts table as reading every feature for ``term`` gives it."""
    connection = store.connect(app_db)
    thresholds = segment.Thresholds(default_term_months=term)
    expected = segment.shown_account_table(
        readers.account_segments(connection, thresholds), thresholds
    )
    connection.close()
    return expected


def _assert_shows(page: AppTest, expected: pl.DataFrame) -> None:
    assert not page.exception, page.exception
    shown = accounts_table(page)
    assert shown["account_id"].tolist() == expected["account_id"].to_list()
    for column in ("revenue", "revenue_prev", "contribution", "lifetime_value"):
        assert shown[column].tolist() == pytest.approx(expected[column].to_list())


def test_a_term_move_reads_only_the_deals_and_shows_the_full_read(monkeypatch, app_db):
    # The default term changes only the revenue in force (and what rests on it):
    # a move reads the deals again, not every activity, and shows what reading
    # every feature for that term would.
    expected = _read_for_term(app_db, 30)
    page = opened(open_page(PAGE), "seg_economics_open")
    full_reads = count_queries(monkeypatch, portfolio, "activity_windows")
    page.slider(key="seg_default_term").set_value(30.0).run()
    assert full_reads == []
    _assert_shows(page, expected)


def test_a_second_term_move_reads_nothing_from_the_file(monkeypatch, app_db):
    # The first move keeps the won deals in memory as steps of the term; the
    # next moves look the revenue up in them and show what reading the file for
    # that term would.
    expected = _read_for_term(app_db, 40)
    page = opened(open_page(PAGE), "seg_economics_open")
    deal_reads = count_calls(monkeypatch, store, "term_steps")
    page.slider(key="seg_default_term").set_value(30.0).run()
    assert len(deal_reads) == 1
    file_reads = count_queries(monkeypatch, term_revenue, "revenue")
    opened_files = count_calls(monkeypatch, store, "unit_of_work")
    page.slider(key="seg_default_term").set_value(40.0).run()
    assert (len(deal_reads), file_reads, opened_files) == (1, [], [])
    _assert_shows(page, expected)


def test_a_change_of_facts_after_a_term_move_reads_no_deal_again(monkeypatch, app_db):
    # After a term move another session imports a deal: the page brings the
    # features it holds for that term up to date for that account alone, reads
    # no won deal's steps again, and shows what reading the file would.
    page = opened(open_page(PAGE), "seg_economics_open")
    # through more terms than features are held for: the last one is kept
    for term in (18.0, 20.0, 22.0, 24.0, 26.0, 28.0, 30.0):
        page.slider(key="seg_default_term").set_value(term).run()
    account = str(accounts_table(page).iloc[-1]["account_id"])
    with open_workbench(app_db) as wb:
        day = store.resolve_as_of(wb.connection) - timedelta(days=30)
        deal = (
            "opportunity_id,account_id,amount,close_date,is_closed,is_won\n"
            f"new-deal,{account},250000,{day},true,true\n"
        )
        report = ingest.import_files(
            wb.connection, [("opportunities.csv", deal.encode())], actor=LOCAL_ACTOR
        )
    assert report.ok, report.errors
    deal_reads = count_calls(monkeypatch, store, "term_steps")
    narrowed = count_calls(monkeypatch, feature_changes, "_narrow")
    page.run()
    assert deal_reads == []
    assert narrowed and all(sorted(args[1]) == [account] for args, _ in narrowed)
    _assert_shows(page, _read_for_term(app_db, 30))


def test_the_bench_measures_the_page_s_table_page_and_chart_points(app_db, monkeypatch):
    from bench import common as bench_main
    from bench import parts
    from workbench.app.screens import segments as screen

    assert bench_main.SHOWN_ROWS == screen.PAGE_ROWS
    assert bench_main.CHART_POINTS == screen.CHART_POINTS
    # and a table page of the columns the page opens on
    features, overrides = parts.features_and_overrides(app_db)
    calls = count_calls(monkeypatch, segment, "shown_account_table")
    parts.recompute_after_a_move(features, overrides, segment.DEFAULT_THRESHOLDS)
    ((_args, kwargs),) = calls
    assert kwargs["columns"] == segment.KEY_TABLE_COLUMNS


def test_a_rerun_after_another_process_writes_opens_the_file_once(monkeypatch, app_db):
    # The versions that tell the write and the reads it makes run again share
    # one opening of the file: opening it costs more than the versions' read.
    page = open_page(PAGE)
    account = str(accounts_table(page).iloc[0]["account_id"])
    with open_workbench(app_db) as wb:  # as a notebook or a command would
        wb.set_wallet_estimate(account, 2_500_000.0)
    from workbench.store import connection

    openings = count_calls(monkeypatch, connection, "_open_waiting")
    page.run()
    assert not page.exception, page.exception
    assert len(openings) == 1
    shown = accounts_table(page)
    row = shown[shown["account_id"] == account].iloc[0]
    assert row["potential_source"] == "edited_estimate"
    # and a rerun with nothing written opens nothing
    openings.clear()
    page.run()
    assert openings == []
