"""The Segments page: sliders move accounts, overrides and scenarios are saved."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP, open_page
from tests.segments_page_support import (
    PAGE,
    _chart_data,
    accounts_table,
    metrics,
    opened,
    table_with,
)
from tests.segments_page_support import page as page
from workbench import readers, store
from workbench.analytics import segment
from workbench.domain import LOCAL_ACTOR, Actor


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


def test_the_transactional_count_says_it_holds_the_accounts_without_data(app_db):
    # A CRM sync leaves accounts with nothing on record (420 of the 423 in the
    # Salesforce Data Loader samples); they count as transactional, unless a
    # workshop decided otherwise: one decided a partnership is not among them.
    with store.connect(app_db) as con:
        with store.write_transaction(con) as cur:
            cur.execute(
                "INSERT INTO accounts (account_id, name) VALUES ('EMPTY1', 'Empty'),"
                " ('EMPTY2', 'Void')"
            )
        store.set_relationship_override(
            con, LOCAL_ACTOR, "EMPTY1", "partnership", "Board-level sponsor"
        )
    at = open_page(PAGE)
    counts = metrics(at)
    helps = {m.label: m.proto.help for m in at.metric}
    assert counts["No data"] >= 2
    assert helps["Transactional"] == (
        f"Including the {counts['No data'] - 1} accounts without data: no revenue, "
        "people, activity or open deal on record."
    )
    assert not helps["Partnership"]


def test_the_transactional_count_says_how_many_are_typed_by_default(
    tmp_path, monkeypatch
):
    # A portfolio of accounts alone (a first import of a CRM's accounts): no
    # relationship signal is known of any account, so each is transactional by
    # default. (On the demo, above, none is: an account with no people in a
    # portfolio that holds people scores 0 on its breadth, a signal known.)
    path = tmp_path / "accounts.duckdb"
    with store.connect(path) as con, store.write_transaction(con) as cur:
        cur.execute(
            "INSERT INTO accounts (account_id, name) VALUES ('A1', 'One'), "
            "('A2', 'Two'), ('A3', 'Three')"
        )
    with store.connect(path) as con:
        segments = readers.account_segments(con)
    assert segments["relationship_source"].to_list() == ["default"] * 3
    monkeypatch.setenv(store.DB_ENV_VAR, str(path))
    at = open_page(PAGE)
    help_text = {m.label: m.proto.help for m in at.metric}["Transactional"]
    assert "Including the 3 accounts without data" in help_text
    assert "3 accounts are transactional by default: no relationship signal" in (
        help_text
    )


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
