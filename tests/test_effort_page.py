"""The Effort page: the headline in money, verdicts, the model, the what-if."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP, open_page
from workbench import store
from workbench.analytics import effort, segment
from workbench.domain import LOCAL_ACTOR

PAGE = "pages/effort.py"


@pytest.fixture
def page(app_db) -> AppTest:
    return open_page(PAGE)


def number(text: str) -> float:
    """Return the figure of a metric ("$1,601,812", "-$0", "17,798")."""
    cleaned = re.sub(r"[^0-9.\-]", "", text)
    return float(cleaned)


def metrics(at: AppTest) -> dict[str, float]:
    return {m.label: number(m.value) for m in at.metric}


def table_with(at: AppTest, column: str):
    for element in at.dataframe:
        if column in element.value.columns:
            return element.value
    raise AssertionError(f"no table with a {column!r} column")


def keys(at: AppTest) -> set[str]:
    """Return the keys of the widgets the last run drew."""
    return {w.key for w in at.main if getattr(w, "key", None)} | {
        w.key for w in at.sidebar if getattr(w, "key", None)
    }


def specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def test_page_opens_with_the_verdict_in_money(page):
    sentence = page.markdown[0].value
    assert "% of hours go to transactional accounts that bring" in sentence
    # the currency sign is escaped, so Markdown shows it instead of starting a formula
    assert "largest over\\-investments cost \\$" in sentence
    biggest = table_with(page, "map_link")
    assert len(biggest) == 3
    assert biggest["map_link"].str.startswith("buying_centre?account=").all()
    assert biggest["plan_link"].str.startswith("plans?account=").all()
    # words, not codes, in the tables
    assert set(biggest["investment"]) <= {"over-invested", "under-invested"}
    counts = metrics(page)
    assert counts["Activities"] > 10_000
    assert counts["Over-invested"] > 0
    assert any(m.label == "Cost of that time" and "$" in m.value for m in page.metric)
    titles = {spec.get("title") for spec in specs(page)}
    assert "Effort against value" in titles
    # the breakdown and the trend are built only while their expanders are open
    assert "Effort over time" not in titles
    opened(page, "eff_trend_open")
    assert "Effort over time" in {spec.get("title") for spec in specs(page)}


def test_issue_table_shows_one_verdict_per_dimension(page):
    issues = table_with(page, "why")
    assert "effort_index" not in issues.columns
    per_account = issues.groupby("name")["issue"].apply(set)
    for found in per_account:
        assert not {"under-served", "over-served"} <= found
        assert not {"under-served", "too broad for purchasing-only"} <= found


def test_verdict_sliders(page):
    before = metrics(page)
    page.slider(key="eff_over_factor").set_value(3.0).run()
    assert metrics(page)["Over-invested"] < before["Over-invested"]
    page.slider(key="eff_broad_share").set_value(100.0).run()
    page.slider(key="eff_exec_share").set_value(100.0).run()
    assert metrics(page)["Wrong people"] <= before["Wrong people"]


def test_sellers_and_teams(page):
    sellers = table_with(page, "over_invested_hours")
    assert "seller_name" in sellers.columns
    page.radio(key="eff_people_by").set_value("team").run()
    teams = table_with(page, "over_invested_hours")
    assert "seller_name" not in teams.columns
    assert teams["effort_hours"].sum() == pytest.approx(
        sellers["effort_hours"].sum(), rel=1e-6
    )


def test_breakdown_and_trend_controls(page):
    opened(page, "eff_breakdown_open", "eff_trend_open")
    page.selectbox(key="eff_view").select("department").run()
    assert not page.exception
    bars = next(
        s for s in specs(page) if str(s.get("title", "")).startswith("Effort by")
    )
    assert bars["title"] == "Effort by contact department"
    page.radio(key="eff_granularity").set_value("quarter").run()
    page.radio(key="eff_trend_by").set_value("value_segment").run()
    assert not page.exception
    trend = next(s for s in specs(page) if s.get("title") == "Effort over time")
    assert trend["encoding"]["color"]["field"] == "value_segment"


def test_each_section_adds_up_the_effort_it_reads_alone(app_db, monkeypatch):
    # the page opens on the sellers' rows; the people's departments, the months
    # and the kinds are added up only when a section that shows them is opened
    from tests.conftest import count_calls

    asked = count_calls(monkeypatch, store, "effort_aggregates")
    at = open_page(PAGE)
    assert [args[2] for args, _kwargs in asked] == [("seller",)]
    opened(at, "eff_breakdown_open")
    at.selectbox(key="eff_view").select("department").run()
    assert not at.exception
    opened(at, "eff_trend_open")
    dimensions = [args[2] for args, _kwargs in asked]
    assert dimensions == [("seller",), ("department",), ("month",)]


def opened(at: AppTest, *keys: str) -> AppTest:
    """Open the page's expanders ``keys`` (their content is built only while open)."""
    for key in keys:
        at.session_state[key] = True
    return at.run()


def test_what_if_moves_hours_and_adds_a_seller(page):
    opened(page, "eff_whatif_open", "eff_response_open")
    page.selectbox(key="eff_whatif_by").select("value_segment")
    page.run()
    page.selectbox(key="eff_whatif_from").select("maintain")
    page.selectbox(key="eff_whatif_to").select("most_growable")
    page.number_input(key="eff_whatif_hours").set_value(300.0).run()
    moved = metrics(page)
    assert moved["Hours moved"] == 300
    assert moved["Cost change a year"] == 0
    assert moved["Assumed contribution change"] > 0
    assert any("not a forecast" in w.value for w in page.warning)
    page.radio(key="eff_whatif_mode").set_value("add").run()
    page.number_input(key="eff_whatif_sellers").set_value(2).run()
    added = metrics(page)
    assert added["Hours moved"] == 2 * effort.DEFAULT_HOURS_PER_SELLER
    assert added["Cost change a year"] == pytest.approx(
        2 * effort.DEFAULT_HOURS_PER_SELLER * 90
    )
    page.number_input(key="eff_response_most_valuable").set_value(3.0).run()
    assert not page.exception


def test_saving_the_model_and_a_scenario_with_its_own_model(app_db):
    connection = store.connect(app_db)
    store.save_segment_scenario(
        connection,
        LOCAL_ACTOR,
        "Dear time",
        segment.Thresholds(hourly_cost=180).to_dict(),
    )
    generous = effort.default_model().with_columns(high_pct=pl.lit(90.0))
    store.save_service_model(connection, LOCAL_ACTOR, "Dear time", generous.to_dicts())
    connection.close()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(PAGE).run()
    before = metrics(at)
    opened(at, "eff_model_open")
    at.button(key="eff_model_save").click().run()
    assert not at.exception
    assert any("Service model saved" in t.proto.body for t in at.toast)
    at.selectbox(key="eff_scenario").select("Dear time").run()
    assert not at.exception
    after = metrics(at)
    assert after["Cost of that time"] == pytest.approx(
        before["Cost of that time"] * 2, rel=1e-3
    )
    assert after["Over-invested"] < before["Over-invested"]
    check = store.connect(app_db)
    try:
        assert set(store.service_models(check)["scenario"]) == {"", "Dear time"}
    finally:
        check.close()


def test_page_in_chinese(app_db):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "zh-Hans"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "交易型" in at.markdown[0].value
    # the issues' reasons are written in Chinese too
    reasons = table_with(at, "why")["why"].tolist()
    assert reasons and all("服务模式" in r for r in reasons)
    assert not any("service model" in r or "a year" in r for r in reasons)


def test_links_open_the_map_and_the_plan_on_the_account(app_db):
    for page, key in (
        ("pages/buying_centre.py", "bc_account"),
        ("pages/plans.py", "plan_account"),
    ):
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["account"] = "A00008"
        at.run()
        at.switch_page(page).run()
        assert not at.exception
        assert at.selectbox(key=key).value == "A00008"


def test_the_model_editor_shows_words_and_saves_codes():
    from workbench.app.screens import effort as screen

    shown = effort.default_model().with_columns(
        screen.words(c).alias(c) for c in ("relationship", "value_segment", "involve")
    )
    assert "most valuable" in shown["value_segment"].to_list()
    assert "functions and executives" in shown["involve"].to_list()
    back = screen.codes(shown)
    assert back.equals(effort.default_model())
    assert effort.model_from_frame(back).equals(effort.default_model())


def test_moving_a_rule_back_and_forth_shows_a_fresh_computation(page, app_db):
    # Each move re-judges cached accounts and sums sellers' hours prepared once,
    # and a move back to a value seen comes from the cache: every step must show
    # what the notebook API computes from the database for the same rules.
    from workbench.api import Workbench

    notebook = Workbench.on_file(app_db)
    with notebook.unit() as connection:
        day = store.resolve_as_of(connection)
        aggregates = store.effort_aggregates(connection, day)
    minutes = segment.DEFAULT_THRESHOLDS.minutes_per_activity_without_duration
    for factor in (3.0, 1.0, 3.0, 2.0):
        page.slider(key="eff_over_factor").set_value(factor).run()
        assert not page.exception
        judged = notebook.judged_effort(
            rules=effort.MisallocationRules(over_factor=factor)
        )
        counts = effort.verdict_counts(judged)
        shown = metrics(page)
        assert shown["Over-invested"] == counts["investment:over_invested"]
        assert shown["Under-invested"] == counts["investment:under_invested"]
        expected = effort.seller_verdicts(aggregates, judged, minutes).sort("seller_id")
        sellers = table_with(page, "over_invested_hours")
        assert len(sellers) == expected.height
        assert sorted(sellers["over_invested_hours"].round(6)) == pytest.approx(
            sorted(expected["over_invested_hours"].round(6).to_list())
        )
        assert sorted(sellers["excess_cost"].round(6)) == pytest.approx(
            sorted(expected["excess_cost"].round(6).to_list())
        )


WHAT_IF_INPUTS = {"eff_whatif_mode", "eff_whatif_by", "eff_whatif_hours"}


def test_closed_what_if_is_not_built_and_keeps_its_values(page):
    # built only while open: nothing of it at a rerun of a page that left it closed
    assert "eff_whatif_open" in keys(page)
    assert not keys(page) & WHAT_IF_INPUTS
    opened(page, "eff_whatif_open", "eff_response_open")
    page.selectbox(key="eff_whatif_by").select("value_segment").run()
    page.selectbox(key="eff_whatif_from").select("maintain")
    page.selectbox(key="eff_whatif_to").select("most_growable")
    page.number_input(key="eff_whatif_hours").set_value(300.0)
    page.number_input(key="eff_response_most_growable").set_value(3.0).run()
    assert not page.exception, page.exception
    before = metrics(page)
    # the assumption closed: its value still counts
    page.session_state["eff_response_open"] = False
    page.run()
    assert "eff_response_most_growable" not in keys(page)
    assert metrics(page)["Assumed contribution change"] == pytest.approx(
        before["Assumed contribution change"]
    )
    # the what-if closed while a rule moves, then opened again: as it was left
    page.session_state["eff_whatif_open"] = False
    page.run()
    assert not keys(page) & WHAT_IF_INPUTS
    rule = page.slider(key="eff_over_factor").value
    page.slider(key="eff_over_factor").set_value(3.0).run()
    page.slider(key="eff_over_factor").set_value(rule).run()
    opened(page, "eff_whatif_open", "eff_response_open")
    assert not page.exception, page.exception
    assert page.selectbox(key="eff_whatif_by").value == "value_segment"
    assert page.selectbox(key="eff_whatif_to").value == "most_growable"
    assert page.number_input(key="eff_whatif_hours").value == 300.0
    assert page.number_input(key="eff_response_most_growable").value == 3.0
    after = metrics(page)
    for label in ("Hours moved", "Assumed contribution change"):
        assert after[label] == pytest.approx(before[label])


def test_model_edits_outlive_closing_the_editor(page, app_db):
    assert "eff_model_save" not in keys(page)  # the editor is built only while open
    opened(page, "eff_model_open")
    first = page.data_editor[0].value
    assert first["high_pct"][0] != 77.0
    # an edit, then the editor closed while a rule moves, then opened again
    page.session_state["eff_model_editor"] = {
        "edited_rows": {0: {"high_pct": 77.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    page.run()
    page.session_state["eff_model_open"] = False
    page.run()
    assert not page.data_editor
    page.slider(key="eff_over_factor").set_value(3.0).run()
    opened(page, "eff_model_open")
    assert not page.exception, page.exception
    assert page.data_editor[0].value["high_pct"][0] == 77.0
    page.button(key="eff_model_save").click().run()
    assert not page.exception, page.exception
    check = store.connect(app_db)
    try:
        saved = store.service_model(check)
    finally:
        check.close()
    assert saved is not None
    assert saved[0]["high_pct"] == 77.0
    assert [row["high_pct"] for row in saved[1:]] == first["high_pct"][1:].tolist()
