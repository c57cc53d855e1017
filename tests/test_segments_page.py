"""The Segments page: sliders move accounts, overrides and scenarios are saved."""

from __future__ import annotations

import json
from datetime import timedelta

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP, count_calls, count_queries, open_page
from workbench import ingest, open_workbench, readers, store
from workbench.analytics import economics, segment
from workbench.domain import LOCAL_ACTOR, Actor
from workbench.store import feature_changes, portfolio, term_revenue

PAGE = "pages/segments.py"


@pytest.fixture
def page(app_db) -> AppTest:
    return open_page(PAGE)


def metrics(at: AppTest) -> dict[str, int]:
    # the counts; money figures (one account's costs) carry their currency
    counts = {m.label: m.value.replace(",", "") for m in at.metric}
    return {k: int(v) for k, v in counts.items() if v.lstrip("-").isdigit()}


def table_with(at: AppTest, column: str):
    # AppTest does not expose st.dataframe keys; find a table by a column of its own.
    for element in at.dataframe:
        if column in element.value.columns:
            return element.value
    raise AssertionError(f"no table with a {column!r} column")


def accounts_table(at: AppTest):
    """The accounts table with every column (its toggle turned on if it is off)."""
    every = at.toggle(key="seg_all_columns")
    if not every.value:
        every.set_value(True).run()
        assert not at.exception, at.exception
    return table_with(at, "relationship_reason")


def opened(at: AppTest, *keys: str) -> AppTest:
    """Open the expanders ``keys`` (their content is built only while open)."""
    for key in keys:
        at.session_state[key] = True
    at.run()
    assert not at.exception, at.exception
    return at


def test_page_shows_every_segment_on_the_demo(page):
    counts = metrics(page)
    for label in ("Most valuable", "Most growable", "Maintain", "Below zero"):
        assert counts[label] > 0, label
    assert counts["Partnership"] > 0 and counts["Transactional"] > 0
    assert (
        sum(
            counts[k]
            for k in (
                "Most valuable",
                "Most growable",
                "Maintain",
                "Below zero",
                "No data",
            )
        )
        == 60
    )
    # the demo's empty accounts (one in 30) are set apart, not ranked
    assert counts["No data"] == 2
    spec = json.loads(page.get("vega_lite_chart")[0].proto.spec)
    layers = spec["layer"]
    assert layers[0]["encoding"]["x"]["field"] == "contribution"
    assert layers[0]["encoding"]["y"]["field"] == "headroom"
    assert layers[0]["encoding"]["shape"]["field"] == "relationship"
    assert len(layers) == 4  # points, two threshold rules, the zero line


def test_sliders_change_the_table(page):
    before = metrics(page)
    table_before = accounts_table(page)
    page.slider(key="seg_top_pct").set_value(40.0).run()
    assert not page.exception
    after = metrics(page)
    assert after["Most valuable"] > before["Most valuable"]
    assert (accounts_table(page)["value_segment"] == "most_valuable").sum() == after[
        "Most valuable"
    ]
    # the flat hourly cost prices only the hours no role rate covers (activities
    # naming no seller): it raises the cost to serve, by little
    cost_before = accounts_table(page)["cost_to_serve"].sum()
    # the cost and value assumptions are drawn only while their expander is open
    assert not any(s.key == "seg_hourly_cost" for s in page.slider)
    opened(page, "seg_economics_open")
    page.slider(key="seg_hourly_cost").set_value(400.0).run()
    assert accounts_table(page)["cost_to_serve"].sum() > cost_before
    # accounts without a margin of their own lose money at a thin default margin
    page.slider(key="seg_default_margin").set_value(5.0).run()
    assert metrics(page)["Below zero"] > before["Below zero"]
    page.slider(key="seg_target_threshold").set_value(95.0).run()
    assert metrics(page)["Partnership"] < before["Partnership"]
    observed_before = (
        accounts_table(page)["relationship_observed"] == "partnership"
    ).sum()
    page.slider(key="seg_rel_threshold").set_value(95.0).run()
    observed_after = (
        accounts_table(page)["relationship_observed"] == "partnership"
    ).sum()
    assert observed_after < observed_before
    assert not table_before.equals(accounts_table(page))


def _chart_data(at) -> tuple[str, dict[str, list[dict]]]:
    """Return the chart's spec (text) and its datasets' rows, by name."""
    import pyarrow as pa

    proto = at.get("vega_lite_chart")[0].proto
    rows = {
        d.name: pa.ipc.open_stream(d.data.data).read_all().to_pylist()
        for d in proto.datasets
    }
    return proto.spec, rows


def test_rule_moves_with_the_slider(page):
    def rule_values(at):
        spec, rows = _chart_data(at)
        return [rows[layer["data"]["name"]] for layer in json.loads(spec)["layer"][1:]]

    spec_before, _rows = _chart_data(page)
    before = rule_values(page)
    page.slider(key="seg_growable_pct").set_value(5.0).run()
    assert rule_values(page) != before
    # only the data change: the browser swaps them instead of drawing a new chart
    assert _chart_data(page)[0] == spec_before


def test_the_summary_shows_revenue_as_money_in_the_portfolio_currency(page):
    summary = table_with(page, "revenue_share_pct")
    config = json.loads(
        next(
            d for d in page.dataframe if "revenue_share_pct" in d.value.columns
        ).proto.columns
    )
    # like the other money columns: the currency in the header, thousands separated
    assert config["revenue"]["label"] == "Revenue a year (USD)"
    assert config["revenue"]["type_config"]["format"] == "%,.0f"
    assert config["contribution"]["type_config"]["format"] == "%,.0f"
    # the figures themselves stay numbers (the downloads keep them raw)
    assert summary["revenue"].dtype.kind == "f"


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


def test_a_new_top_share_keeps_the_types_decided(page, monkeypatch):
    # the type each account follows reads no top share: a move to a value never
    # seen decides it no more (it did at every move while the page got a copy of
    # the overrides at each call, as the kept types are per overrides frame)
    from workbench.analytics import segment_parts

    calls: list[int] = []
    original = segment_parts._decided_types

    def counted(*args):
        calls.append(1)
        return original(*args)

    monkeypatch.setattr(segment_parts, "_decided_types", counted)
    start = page.slider(key="seg_top_pct").value
    page.slider(key="seg_top_pct").set_value(start + 3).run()
    calls.clear()
    for step in (4, 5, 6):
        page.slider(key="seg_top_pct").set_value(start + step).run()
        assert not page.exception, page.exception
    assert calls == []


def test_filters(page):
    page.multiselect(key="seg_filter_segments").select("below_zero").run()
    table = accounts_table(page)
    assert set(table["value_segment"]) == {"below_zero"}
    assert len(table) == metrics(page)["Below zero"]
    page.text_input(key="seg_filter_name").input("no such account zzz").run()
    assert len(accounts_table(page)) == 0


def test_override_needs_a_reason_and_is_saved(page, app_db):
    account = accounts_table(page)["account_id"].iloc[0]  # the picker follows the table
    # the decisions are built only while their expander is open
    assert not any(r.key == "seg_override_type" for r in page.radio)
    opened(page, "seg_decisions_open")
    page.radio(key="seg_override_type").set_value("partnership")
    page.text_input(key="seg_override_reason").input("   ")
    page.button[0].click()  # the form's submit button is the first button
    page.run()
    assert any("reason" in e.value for e in page.error)
    page.text_input(key="seg_override_reason").input("<b>joint roadmap</b>")
    page.button[0].click()
    page.run()
    assert not page.exception
    overrides = table_with(page, "set_by")
    assert list(overrides["account_id"]) == [account]
    assert overrides["reason"][0] == "<b>joint roadmap</b>"
    table = accounts_table(page)
    row = table[table["account_id"] == account].iloc[0]
    assert row["relationship"] == "partnership"
    assert row["relationship_source"] == "override"


def test_a_workshop_rates_the_buying_situation_and_the_target_follows(page, app_db):
    table = accounts_table(page)
    transactional = table[table["relationship"] == "transactional"]
    account = transactional["account_id"].iloc[0]
    position = list(table["account_id"]).index(account)
    opened(page, "seg_situation_open")
    page.selectbox(key="seg_situation_account").set_value(position).run()
    for factor, level in (
        ("purchase_importance", 5),
        ("purchase_complexity", 5),
        ("switching_costs", 5),
        ("supply_alternatives", 1),
        ("strategic_fit", 5),
    ):
        page.selectbox(key=f"seg_situation_{factor}_{account}").set_value(level)
    submit = next(b for b in page.button if b.label == "Save the situation")
    submit.click()
    page.run()
    assert not page.exception
    with store.connect(app_db) as con:
        rated = store.account_situation(con)
    assert rated["account_id"].to_list() == [account]
    row = accounts_table(page)
    row = row[row["account_id"] == account].iloc[0]
    assert row["target_signals"] >= 5
    assert row["relationship_source"] == "target"
    assert "based on" in row["relationship_reason"]


def test_scenarios_save_load_and_compare(page):
    page.slider(key="seg_top_pct").set_value(10.0).run()
    opened(page, "seg_scenarios_open")
    page.text_input(key="seg_scenario_name").input("Lean").run()
    page.button(key="seg_scenario_save").click().run()
    assert not page.exception
    assert [t.value for t in page.toast] == ["Scenario “Lean” saved."]
    page.button(key="seg_reset").click().run()
    assert page.slider(key="seg_top_pct").value == 20.0
    # compare the current sliders (defaults) with the saved "Lean"
    moved = table_with(page, "moved")
    assert len(moved) > 0
    assert "most_valuable" in set(moved["value_segment_a"])
    assert (moved["value_segment_a"] == "most_valuable").sum() > (
        moved["value_segment_b"] == "most_valuable"
    ).sum()
    page.button(key="seg_scenario_apply").click().run()
    assert page.slider(key="seg_top_pct").value == 10.0


def test_viewer_cannot_save(app_db):
    at = opened(
        open_page(PAGE, Actor(name="guest", role="viewer")), "seg_scenarios_open"
    )
    assert at.button(key="seg_scenario_save").disabled
    connection = store.connect(app_db)
    assert store.segment_scenarios(connection).height == 0
    connection.close()


def test_loading_a_scenario_saved_elsewhere(app_db):
    # saved from a notebook with values beyond the sliders' ranges
    connection = store.connect(app_db)
    thresholds = segment.Thresholds(hourly_cost=5_000, joint_full_at_activities=6)
    store.save_segment_scenario(
        connection, LOCAL_ACTOR, "Notebook", thresholds.to_dict()
    )
    # what the page should show: the scenario with the hourly cost clamped to 1,000
    expected = readers.account_segments(
        connection, thresholds.with_changes(hourly_cost=1_000)
    )
    connection.close()
    at = opened(open_page(PAGE), "seg_scenarios_open", "seg_economics_open")
    at.button(key="seg_scenario_apply").click().run()
    assert not at.exception, at.exception
    assert at.slider(key="seg_hourly_cost").value == 1000.0
    at.session_state["seg_full_points_open"] = True  # its inputs, drawn when open
    at.run()
    assert at.number_input(key="seg_full_joint").value == 6.0
    assert (
        metrics(at)["Below zero"] == (expected["value_segment"] == "below_zero").sum()
    )
    assert accounts_table(at)["cost_to_serve"].sum() == pytest.approx(
        expected["cost_to_serve"].sum()
    )


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


def test_the_score_settings_keep_their_values_while_closed(page):
    # built only while their expander is open
    assert not any(n.key == "seg_w_tenure" for n in page.number_input)
    default_scores = list(accounts_table(page)["relationship_score"])
    page.session_state["seg_weights_open"] = True
    page.run()
    page.number_input(key="seg_w_tenure").set_value(80.0).run()
    assert not page.exception, page.exception
    scores = list(accounts_table(page)["relationship_score"])
    assert scores != default_scores
    # closed, then another slider moves: the weight still holds and still counts
    page.session_state["seg_weights_open"] = False
    page.run()
    assert not any(n.key == "seg_w_tenure" for n in page.number_input)
    page.slider(key="seg_top_pct").set_value(25.0).run()
    page.run()
    assert page.session_state["seg_w_tenure"] == 80.0
    assert list(accounts_table(page)["relationship_score"]) == scores
    page.session_state["seg_weights_open"] = True
    page.run()
    assert page.number_input(key="seg_w_tenure").value == 80.0


def test_the_cost_assumptions_keep_their_values_while_closed(page):
    opened(page, "seg_economics_open")
    page.slider(key="seg_hourly_cost").set_value(400.0).run()
    costs = accounts_table(page)["cost_to_serve"].sum()
    page.session_state["seg_economics_open"] = False
    page.run()
    assert not any(s.key == "seg_hourly_cost" for s in page.slider)
    page.slider(key="seg_top_pct").set_value(25.0).run()
    assert page.session_state["seg_hourly_cost"] == 400.0
    assert accounts_table(page)["cost_to_serve"].sum() == pytest.approx(costs)
    opened(page, "seg_economics_open")
    assert page.slider(key="seg_hourly_cost").value == 400.0


def _open_economics(at) -> None:
    """Open the economics' expanders (their content is built only while open)."""
    for key in ("econ_costs_open", "econ_rates_open", "econ_shares_open"):
        at.session_state[key] = True
    at.run()
    assert not at.exception, at.exception


def test_economics_inputs_are_built_only_when_opened(page):
    assert not any(n.key == "econ_rate_executive" for n in page.number_input)
    _open_economics(page)
    assert any(n.key == "econ_rate_executive" for n in page.number_input)


def test_one_account_s_costs_add_up_and_the_hourly_costs_are_saved(page, app_db):
    # the breakdown of the first account of the table adds up to its cost to serve
    _open_economics(page)
    table = accounts_table(page)
    first = table.iloc[0]
    lines = table_with(page, "hourly_cost")
    assert lines["cost"].sum() == pytest.approx(first["cost_to_serve"])
    assert "executive" in set(lines["line"]) or "key account manager" in set(
        lines["line"]
    )
    assert any("years" in c.value and "retention" in c.value for c in page.caption)
    # an executive's hour gets dearer: the accounts executives serve cost more
    page.number_input(key="econ_rate_executive").set_value(400.0)
    submit = next(b for b in page.button if b.label == "Save hourly costs")
    submit.click()
    page.run()
    assert not page.exception, page.exception
    with store.connect(app_db) as con:
        rates = store.cost_rates(con)
    executive = rates.filter(pl.col("rate_key") == "executive").row(0, named=True)
    assert executive["hourly_cost"] == 400.0 and executive["edited"]
    assert not rates.filter(pl.col("rate_key") != "executive")["edited"].any()
    assert accounts_table(page)["cost_to_serve"].sum() > table["cost_to_serve"].sum()


def test_a_wallet_estimated_by_hand_sets_the_potential(page, app_db):
    _open_economics(page)
    account = accounts_table(page)["account_id"].iloc[0]
    page.number_input(key=f"econ_wallet_{account}").set_value(12_345_678.0)
    page.text_input(key=f"econ_wallet_note_{account}").input("workshop")
    submit = next(
        b for b in page.button if b.label == "Save the wallet (empty: forget it)"
    )
    submit.click()
    page.run()
    assert not page.exception, page.exception
    table = accounts_table(page)
    row = table[table["account_id"] == account].iloc[0]
    assert row["potential"] == pytest.approx(12_345_678.0)
    assert row["potential_source"] == "edited_estimate"


def test_the_transactional_count_says_it_holds_the_accounts_without_data(app_db):
    # A CRM sync leaves accounts with nothing on record (420 of the 423 in the
    # Salesforce Data Loader samples); they score 0 and count as transactional.
    with store.connect(app_db) as con, store.write_transaction(con) as cur:
        cur.execute(
            "INSERT INTO accounts (account_id, name) VALUES ('EMPTY1', 'Empty'),"
            " ('EMPTY2', 'Void')"
        )
    at = open_page(PAGE)
    counts = metrics(at)
    helps = {m.label: m.proto.help for m in at.metric}
    assert counts["No data"] >= 2
    assert (
        f"Including the {counts['No data']} accounts without data"
        in (helps["Transactional"])
    )
    assert not helps["Partnership"]


def _wallet_warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "more from us than their wallet" in w.value]


def test_accounts_buying_more_than_their_wallet_are_named(page, app_db):
    # A wallet below what the account buys (a stale estimate; customers' revenue
    # exported in millions, as in the Maven CRM data): the page says how many,
    # and names the widest gaps as the CRM wrote them.
    with store.connect(app_db) as con:
        valued = readers.account_segments(con, explain=False)
    before = economics.wallets_below_revenue(valued).height
    assert len(_wallet_warnings(page)) == (1 if before else 0)
    fine = valued.filter(
        (pl.col("revenue") > 0) & (pl.col("revenue") <= pl.col("potential"))
    )["account_id"][0]
    hostile = "**Bold** [x](javascript:alert(1)) <b>"
    with store.connect(app_db) as con, store.write_transaction(con) as cur:
        cur.execute(
            "UPDATE accounts SET name = $name WHERE account_id = $id",
            {"name": hostile, "id": fine},
        )
    with store.connect(app_db) as con:
        store.set_account_wallet(con, LOCAL_ACTOR, fine, 1.0)
    page.run()
    assert not page.exception, page.exception
    (warning,) = _wallet_warnings(page)
    assert warning.startswith(f"{before + 1} of {valued.height} accounts")
    # its gap is the widest (a wallet of 1): named first, every Markdown sign
    # escaped so that it reads as typed
    assert "The widest gaps: " + ingest.markdown_safe(hostile) in warning


def test_accounts_table_pages_and_chart_thins_on_a_large_portfolio(app_db, monkeypatch):
    # the demo's 60 accounts stand in for a large portfolio: pages of 25 rows, a
    # chart of at most 20 points
    from workbench.app.screens import segments as screen

    monkeypatch.setattr(screen, "PAGE_ROWS", 25)
    monkeypatch.setattr(screen, "CHART_POINTS", 20)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    first_page = accounts_table(at)
    assert first_page.shape[0] == 25
    assert any("Rows 1–25 of" in c.value for c in at.caption)
    assert any(c.value.startswith("Drawn: ") for c in at.caption)
    at.number_input(key="seg_table_page").set_value(3).run()
    assert not at.exception, at.exception
    last_page = accounts_table(at)
    assert 0 < last_page.shape[0] <= 25
    assert set(last_page["account_id"]).isdisjoint(first_page["account_id"])
    # best first across pages
    assert first_page["contribution"].min() >= last_page["contribution"].max()
    # the reasons of a later page read as the whole portfolio's
    connection = store.connect(app_db, read_only=True)
    try:
        whole = segment.account_table(
            segment.assign_segments(
                store.account_features(connection),
                segment.DEFAULT_THRESHOLDS,
                store.relationship_overrides(connection),
                store.account_situation(connection),
            )
        )
    finally:
        connection.close()
    expected = dict(zip(whole["account_id"], whole["why"], strict=True))
    for account_id, why in zip(last_page["account_id"], last_page["why"], strict=True):
        assert why == expected[account_id]


@pytest.mark.parametrize(
    ("language", "word"), [("zh-Hans", "现有关系得分"), ("zh-Hant", "現有關係得分")]
)
def test_the_reasons_in_the_accounts_table_read_in_chinese(app_db, language, word):
    # every column asked for before the page is drawn: AppTest cannot move a
    # widget of this page in Chinese (it looks its radios' values up among
    # their labels, which are translated)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = language
    at.session_state["seg_all_columns"] = True
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    table = accounts_table(at)
    reasons = table["relationship_reason"].tolist()
    assert reasons and all(word in r for r in reasons)
    assert not any("observed score" in r or "based on" in r for r in reasons)
    assert not any("accounts with data" in r for r in table["value_reason"].tolist())


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


def test_the_accounts_table_opens_on_its_key_columns_and_shows_every_one_on_asking(
    app_db,
):
    page = open_page(PAGE)
    first = table_with(page, "why")
    assert list(first.columns) == list(segment.KEY_TABLE_COLUMNS)
    # every figure shown says its basis, and the voice its number of answers
    for figure, basis in (
        ("revenue", "revenue_basis"),
        ("cost_to_serve", "cost_basis"),
        ("potential", "potential_source"),
        ("nps", "nps_responses"),
    ):
        assert basis in first.columns, figure
    every = accounts_table(page)
    assert list(every.columns) == list(segment.TABLE_COLUMNS)
    # the same accounts in the same order, the key columns' values the same
    assert every["account_id"].tolist() == first["account_id"].tolist()
    assert every[list(first.columns)].equals(first)


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
