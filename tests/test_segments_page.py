"""The Segments page: sliders move accounts, overrides and scenarios are saved."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import open_page
from workbench import store
from workbench.analytics import segment
from workbench.domain import LOCAL_ACTOR, Actor

PAGE = "pages/segments.py"


@pytest.fixture
def page(app_db) -> AppTest:
    return open_page(PAGE)


def metrics(at: AppTest) -> dict[str, int]:
    return {m.label: int(m.value.replace(",", "")) for m in at.metric}


def table_with(at: AppTest, column: str):
    # AppTest does not expose st.dataframe keys; find a table by a column of its own.
    for element in at.dataframe:
        if column in element.value.columns:
            return element.value
    raise AssertionError(f"no table with a {column!r} column")


def accounts_table(at: AppTest):
    return table_with(at, "relationship_reason")


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
    page.slider(key="seg_hourly_cost").set_value(400.0).run()
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
        spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
        return [layer.get("data", {}) for layer in spec["layer"][1:]]

    before = rule_values(page)
    page.slider(key="seg_growable_pct").set_value(5.0).run()
    assert rule_values(page) != before


def test_filters(page):
    page.multiselect(key="seg_filter_segments").select("below_zero").run()
    table = accounts_table(page)
    assert set(table["value_segment"]) == {"below_zero"}
    assert len(table) == metrics(page)["Below zero"]
    page.text_input(key="seg_filter_name").input("no such account zzz").run()
    assert len(accounts_table(page)) == 0


def test_override_needs_a_reason_and_is_saved(page, app_db):
    account = accounts_table(page)["account_id"].iloc[0]  # the picker follows the table
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
    at = open_page(PAGE, Actor(name="guest", role="viewer"))
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
    connection.close()
    at = open_page(PAGE)
    at.button(key="seg_scenario_apply").click().run()
    assert not at.exception, at.exception
    assert at.slider(key="seg_hourly_cost").value == 1000.0
    assert at.number_input(key="seg_full_joint").value == 6.0
    assert metrics(at)["Below zero"] > 9
