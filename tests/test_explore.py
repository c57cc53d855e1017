"""Notebook explorers: controls driven from Python update the result, no browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import polars as pl
import pytest

from workbench.analytics import segment
from workbench.api import Workbench, open_workbench


@pytest.fixture
def wb(demo_db: Path) -> Iterator[Workbench]:
    with open_workbench(demo_db) as workbench:
        yield workbench


def _control(box: widgets.Widget, description: str) -> widgets.Widget:
    """Return the control with this description anywhere in the box."""
    stack = [box]
    while stack:
        widget = stack.pop()
        if getattr(widget, "description", None) == description:
            return widget
        stack.extend(getattr(widget, "children", ()))
    raise AssertionError(f"no control {description!r}")


def test_segments_explorer_follows_its_sliders_like_the_page(wb):
    box = wb.explore_segments()
    assert isinstance(box, widgets.VBox)
    before = box.result
    assert before.height == 60
    assert before["value_segment"].to_list() == (
        wb.segments()["value_segment"].to_list()
    )
    top = _control(box, "Most valuable: top % of accounts")
    assert top.value == segment.DEFAULT_THRESHOLDS.valuable_top_pct
    top.value = 50.0
    after = box.result
    valuable = (after["value_segment"] == "most_valuable").sum()
    assert valuable > (before["value_segment"] == "most_valuable").sum()
    assert after["value_segment"].to_list() == (
        wb.segments(valuable_top_pct=50.0)["value_segment"].to_list()
    )
    assert box.rendered["thresholds"].valuable_top_pct == 50.0
    summary = box.rendered["summary"]
    assert isinstance(summary, pl.DataFrame) and summary.height > 0
    assert box.rendered["chart"].to_dict()["layer"]


def test_segments_explorer_saves_and_compares_scenarios(wb):
    box = wb.explore_segments()
    _control(box, "Most valuable: top % of accounts").value = 10.0
    _control(box, "Save as").value = "Lean"
    _control(box, "Save scenario").click()
    assert wb.scenarios()["name"].to_list() == ["Lean"]
    assert wb.scenario("Lean").valuable_top_pct == 10.0
    _control(box, "Most valuable: top % of accounts").value = 40.0
    _control(box, "with").value = "Lean"
    _control(box, "Compare").click()
    moved = box.rendered["comparison"]
    assert moved.height > 0
    assert (moved["value_segment_a"] == "most_valuable").sum() > (
        moved["value_segment_b"] == "most_valuable"
    ).sum()


def test_segments_explorer_reads_the_database_once_per_window(wb, monkeypatch):
    calls = []
    original = Workbench.features

    def counting(self, as_of=None):
        calls.append(as_of)
        return original(self, as_of)

    monkeypatch.setattr(Workbench, "features", counting)
    box = wb.explore_segments()
    for value in (10.0, 30.0, 50.0):
        _control(box, "Most valuable: top % of accounts").value = value
    assert len(calls) == 1
    day = _control(box, "As of")
    day.value = day.value.replace(year=day.value.year - 1)
    assert len(calls) == 2


def test_effort_explorer_groups_and_flags(wb):
    box = wb.explore_effort()
    assert set(box.result["relationship"]) == {"transactional", "partnership"}
    _control(box, "Group by").value = "account"
    assert box.result.height == 60
    strict = box.rendered["verdicts"].height
    _control(box, "Over-invested above × the band's top").value = 5.0
    assert box.rendered["verdicts"].height <= strict


def test_buying_centre_explorer_filters_the_map(wb):
    account_id = wb.segments()["account_id"][0]
    box = wb.explore_buying_centre(account_id)
    everyone = box.result.height
    assert everyone > 0
    assert "<iframe" in box.rendered["map"]._repr_html_()
    _control(box, "Roles").value = ("decider",)
    assert box.rendered["map"].html.count('"label"') < (
        wb.buying_centre(account_id).html.count('"label"')
    )
    assert box.rendered["coverage"].height > 0


def test_without_a_frontend_the_explorer_shows_its_figures_as_html(wb):
    bundle = wb.explore_segments()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "<table" in bundle["text/html"]
