"""Every page renders on the demo data; Overview shows the real figures."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import open_page
from workbench import store

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def _listed_pages() -> list[str]:
    tree = ast.parse((ROOT / "app.py").read_text())
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and getattr(node.targets[0], "id", None) == "PAGES"
        ):
            return [
                elt.elts[0].value
                for elt in node.value.elts
                if (ROOT / elt.elts[0].value).exists()
            ]
    raise AssertionError("app.py has no PAGES")


def test_every_page_file_is_listed_in_app():
    listed = set(_listed_pages())
    on_disk = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    assert on_disk == listed


@pytest.mark.parametrize("page", _listed_pages())
def test_page_renders_without_exception(app_db, page):
    at = open_page(page)
    assert not at.error, [e.value for e in at.error]


def test_overview_shows_real_figures(at, app_db):
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Accounts"] == "60"
    assert int(metrics["Contacts"].replace(",", "")) > 2_000
    assert metrics["Activities"] == "50,129"
    won_text = metrics["Won revenue, last 12 months"]
    # short, with its currency (the demo portfolio is in US dollars); exact in help
    assert re.fullmatch(r"\$\d+(\.\d)?[KMB]", won_text), won_text
    won = next(m for m in at.metric if m.label == "Won revenue, last 12 months")
    exact = re.search(r"Exactly \$([\d,]+)\.", won.help)
    assert exact and int(exact[1].replace(",", "")) > 0
    captions = " ".join(c.value for c in at.caption)
    assert str(app_db.resolve()) in captions
    assert "2023-10-01" in captions and "2026-09-30" in captions


def test_overview_chart_names_its_currency_and_is_built_once(at, monkeypatch):
    import json

    from workbench import charts

    def spec() -> dict:
        return json.loads(at.get("vega_lite_chart")[0].proto.spec)

    drawn = spec()
    assert drawn["title"] == "Won revenue by industry (all time)"
    assert drawn["encoding"]["x"]["title"] == "Won revenue (USD)"
    # a rerun draws the spec built the first time (Altair's build was half of it)
    built: list[int] = []
    original = charts.industry_bars
    monkeypatch.setattr(
        charts, "industry_bars", lambda *a: (built.append(1), original(*a))[1]
    )
    at.run()
    assert not at.exception, at.exception
    assert built == []
    assert spec() == drawn


def test_overview_creates_demo_when_no_database(tmp_path, monkeypatch):
    path = tmp_path / "new" / "workbench.duckdb"
    monkeypatch.setenv(store.DB_ENV_VAR, str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    assert path.exists()
    assert any("created the demo portfolio" in i.value for i in at.info)
    assert {m.label: m.value for m in at.metric}["Accounts"] == "60"


@pytest.mark.parametrize(("page", "figures"), [("overview", 5), ("segments", 7)])
def test_a_page_s_headline_figures_sit_in_one_row_block(app_db, page, figures):
    # One block for the row rather than one per column: each block is a message to
    # every session at every rerun; a narrow window wraps the figures instead of
    # cutting their labels short.
    at = open_page(f"pages/{page}.py")
    assert not at.exception, at.exception
    rows = [
        block
        for block in at.main.children.values()
        if type(block).__name__ == "Block"
        and block.children
        and all(type(c).__name__ == "Metric" for c in block.children.values())
    ]
    assert [len(row.children) for row in rows] == [figures]
