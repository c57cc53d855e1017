"""The Effort page: totals, misallocation sliders, breakdowns and the what-if."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP, open_page
from workbench import store
from workbench.analytics import segment
from workbench.domain import LOCAL_ACTOR

PAGE = "pages/effort.py"


@pytest.fixture
def page(app_db) -> AppTest:
    return open_page(PAGE)


def metrics(at: AppTest) -> dict[str, int]:
    return {m.label: int(m.value.replace(",", "")) for m in at.metric}


def table_with(at: AppTest, column: str):
    for element in at.dataframe:
        if column in element.value.columns:
            return element.value
    raise AssertionError(f"no table with a {column!r} column")


def specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def test_page_shows_demo_effort(page):
    counts = metrics(page)
    assert counts["Activities"] > 10_000
    assert counts["Effort hours, 12 months"] > 0
    assert counts["Over-served"] > 0
    issues = table_with(page, "why")
    first = issues[issues["issue"] == "over_served"].iloc[0]
    assert first["value_segment"] == "below_zero"
    titles = {spec.get("title") for spec in specs(page)}
    assert "Effort against value" in titles
    assert "Effort over time" in titles
    assert any(str(t).startswith("Effort by") for t in titles)


def test_misallocation_sliders(page):
    before = metrics(page)
    page.slider(key="eff_over_factor").set_value(1.0).run()
    assert metrics(page)["Over-served"] > before["Over-served"]
    page.slider(key="eff_broad_share").set_value(100.0).run()
    page.slider(key="eff_exec_share").set_value(100.0).run()
    assert (
        metrics(page)["Transactional, broad effort"]
        < before["Transactional, broad effort"]
    )


def test_breakdown_and_trend_controls(page):
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


def test_what_if(page):
    page.selectbox(key="eff_whatif_from").select("transactional")
    page.selectbox(key="eff_whatif_to").select("partnership")
    page.slider(key="eff_whatif_share").set_value(50).run()
    projection = table_with(page, "projected_contribution")
    rows = projection.set_index("group")
    moved = rows.loc["transactional", "effort_hours"] / 2
    assert rows.loc["transactional", "projected_hours"] == pytest.approx(moved)
    assert rows.loc["partnership", "contribution_change"] == pytest.approx(-moved * 90)
    assert any("stay as they are" in info.value for info in page.info)


def test_a_saved_scenario_changes_the_cost(app_db):
    connection = store.connect(app_db)
    store.save_segment_scenario(
        connection,
        LOCAL_ACTOR,
        "Dear time",
        segment.Thresholds(hourly_cost=180).to_dict(),
    )
    connection.close()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(PAGE).run()
    cost = metrics(at)["Cost of that time"]
    at.selectbox(key="eff_scenario").select("Dear time").run()
    assert not at.exception
    assert metrics(at)["Cost of that time"] == pytest.approx(cost * 2, rel=1e-3)
