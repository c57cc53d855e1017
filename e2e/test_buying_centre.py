"""The buying-centre map in real Chromium: it draws, offline, and hostile names stay text.

A private copy of the demo database gets one extra account whose name and whose
people's names, titles and departments are HTML and script payloads, with a seller
who touched them. The account's name starts with ``<``, so the picker selects it
first. The map must draw (``#mynetwork canvas`` inside the iframe), load nothing from
outside, open no dialog, log no console error, and show the hostile name as text in
the node's tooltip.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import polars as pl
from PIL import Image
from playwright.sync_api import FrameLocator, Page, expect

from e2e.conftest import app_with_frames, screenshot, wait_idle

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(1)</script>"
SVG = '"><svg onload=alert(2)>'
LINK = "<a href=javascript:alert(3)>click</a>"
FORMULA = '=HYPERLINK("http://x.io","ok")'  # fits a label (30 characters)


def hostile_account() -> dict[str, pl.DataFrame]:
    """Return an account of hostile names, table by table, as an import would add it."""
    return {
        "accounts": pl.DataFrame({"account_id": ["AX1"], "name": [f"{IMG} Hostile"]}),
        "contacts": pl.DataFrame(
            {
                "contact_id": ["X1", "X2", "X3"],
                "account_id": ["AX1", "AX1", "AX1"],
                "name": [IMG, SCRIPT, LINK],
                "title": [SCRIPT, SVG, FORMULA],
                "department": [SVG, "Procurement", LINK],
                "reports_to_id": [None, "X1", "X1"],
                "buying_role": ["decider", "buyer", None],
                "influence": pl.Series([5, 3, 4], dtype=pl.Int8),
                "attitude": ["champion", "skeptic", None],
                "email": [f"{IMG}@example.com", None, None],
            }
        ),
        "contact_influences": pl.DataFrame(
            {
                "from_contact_id": ["X3"],
                "to_contact_id": ["X1"],
                "strength": pl.Series([2], dtype=pl.Int8),
            }
        ),
        "sellers": pl.DataFrame({"seller_id": ["SX"], "name": [SCRIPT], "team": [IMG]}),
        "activities": pl.DataFrame(
            {
                "activity_id": ["AX-1", "AX-2"],
                "account_id": ["AX1", "AX1"],
                "contact_id": ["X1", "X2"],
                "seller_id": ["SX", "SX"],
                "kind": ["visit", "call"],
                "activity_date": [date(2026, 9, 1), date(2026, 8, 1)],
                "duration_minutes": [60.0, 15.0],
                "subject": [SCRIPT, IMG],
            }
        ),
        "nps_responses": pl.DataFrame(
            {
                "response_id": ["NX-1"],
                "account_id": ["AX1"],
                "contact_id": ["X1"],
                "responded_on": [date(2026, 6, 30)],
                "score": pl.Series([2], dtype=pl.Int8),
                "comment": [SCRIPT],
            }
        ),
    }


# The store's connection is not needed: the hostile rows stand on their own.
hostile_app = app_with_frames("buying-centre", lambda _con: hostile_account())


def open_buying_centre(page: Page, url: str) -> None:
    # Start at the root: a deep link makes the frontend probe /buying_centre/_stcore
    # first, which logs two 404s in the console.
    page.goto(url)
    wait_idle(page)
    page.get_by_role("link", name="Buying centre").click()
    expect(page.get_by_role("heading", name="Buying centre")).to_be_visible(
        timeout=30_000
    )
    wait_idle(page)


def test_map_draws_offline_and_hostile_names_run_nothing(
    page: Page, hostile_app: str, console_errors: list[str]
):
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith((hostile_app, "data:", "blob:", "about:"))
            else None
        ),
    )
    open_buying_centre(page, hostile_app)
    # the picker shows the hostile account's name as text
    expect(page.get_by_role("combobox", name="Account", exact=True)).to_have_value(
        f"{IMG} Hostile (3 people)"
    )

    frame = page.frame_locator("iframe").first
    expect(frame.locator("#mynetwork canvas")).to_be_visible(timeout=30_000)
    expect(frame.locator("img")).to_have_count(0)
    expect(frame.locator("svg")).to_have_count(0)
    expect(frame.locator("a")).to_have_count(0)

    # hover the hostile person's node: vis shows its tooltip as plain text
    map_frame = next(f for f in page.frames if f.query_selector("#mynetwork"))
    map_frame.wait_for_function("typeof network !== 'undefined'")
    node_id = map_frame.evaluate(
        """() => nodes.get().find(n => n.label.startsWith('\\u2039img')).id"""
    )
    spot = map_frame.evaluate(
        "(id) => network.canvasToDOM(network.getPositions([id])[id])", node_id
    )
    box = page.locator("iframe").first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + spot["x"], box["y"] + spot["y"])
    tooltip = frame.locator("div.vis-tooltip")
    expect(tooltip).to_be_visible(timeout=10_000)
    expect(tooltip).to_contain_text("‹img src=x onerror=alert(1)›")
    expect(tooltip).to_contain_text("Latest NPS: 2 (detractor")
    expect(frame.locator("img")).to_have_count(0)

    page.wait_for_timeout(500)  # give any injected handler the chance to fire
    screenshot(page, "buying-centre-hostile")
    assert not console_errors, console_errors
    assert not outside, outside
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_demo_account_map_draws_and_warm_path_redraws(
    page: Page, app_url: str, console_errors: list[str]
):
    open_buying_centre(page, app_url)
    frame = page.frame_locator("iframe").first
    expect(frame.locator("#mynetwork canvas")).to_be_visible(timeout=30_000)
    before = page.locator("iframe").first.get_attribute("srcdoc") or ""
    page.get_by_text("Org chart", exact=True).click()
    expect(page.locator("iframe").first).not_to_have_attribute("srcdoc", before)
    expect(frame.locator("#mynetwork canvas")).to_be_visible(timeout=30_000)
    hierarchical = page.locator("iframe").first.get_attribute("srcdoc") or ""
    # the org chart: fixed positions, no physics
    assert '"physics": {"enabled": false' in hierarchical

    page.get_by_role("combobox", name="Show the warm path to").click()
    # the demo's org charts are sparse (managers known for a fifth of the people):
    # the first person to reach has no warm path, the second one has
    page.get_by_role("option").nth(2).click()
    expect(page.locator("iframe").first).not_to_have_attribute(
        "srcdoc", hierarchical, timeout=30_000
    )
    assert "warm path" in (page.locator("iframe").first.get_attribute("srcdoc") or "")
    expect(frame.locator("#mynetwork canvas")).to_be_visible(timeout=30_000)
    page.set_viewport_size({"width": 1400, "height": 1600})
    page.wait_for_timeout(1500)
    screenshot(page, "buying-centre")
    assert not console_errors, console_errors


def test_save_svg_and_png_carry_the_map_its_legend_and_hostile_names_as_text(
    page: Page, hostile_app: str, console_errors: list[str], tmp_path: Path
):
    open_buying_centre(page, hostile_app)
    frame = page.frame_locator("iframe").first
    expect(frame.locator("#mynetwork canvas")).to_be_visible(timeout=30_000)
    map_frame = next(f for f in page.frames if f.query_selector("#mynetwork"))
    map_frame.wait_for_function("typeof network !== 'undefined'")
    frame.locator("#wb-labels").click()  # every name on the picture
    page.wait_for_timeout(500)

    with page.expect_download() as svg_download:
        frame.locator("#wb-svg").click()
    assert svg_download.value.suggested_filename.endswith(".svg")
    svg_path = tmp_path / "map.svg"
    svg_download.value.save_as(svg_path)
    root = ET.parse(svg_path).getroot()  # well-formed XML, or this raises
    ns = "{http://www.w3.org/2000/svg}"
    texts = [
        element.text or ""
        for element in root.iter()
        if element.tag in (f"{ns}text", f"{ns}tspan")
    ]
    assert "‹img src=x onerror=alert(1)›" in texts  # a person's name
    assert FORMULA in texts  # a title, as text
    assert f"{IMG} Hostile" in texts  # the account's name in the corner
    assert "Shape = buying role" in texts and "Badge = latest NPS" in texts
    assert len(list(root.iter(f"{ns}polygon"))) + len(list(root.iter(f"{ns}circle")))
    assert not [
        name
        for element in root.iter()
        for name in element.attrib
        if name.lower().startswith("on") or "href" in name.lower()
    ]
    tags = {element.tag.removeprefix(ns) for element in root.iter()}
    assert "script" not in tags and "img" not in tags and "foreignObject" not in tags

    canvas_width = map_frame.evaluate(
        "document.querySelector('#mynetwork canvas').width"
    )
    # the legend shown on the map: drawn where it stands (the map was fitted
    # beside it); hidden: drawn to the right of the map
    on_map = save_png(page, frame, "#wb-png", tmp_path / "on-map.png")
    assert on_map.width == canvas_width
    corner = on_map.convert("L").crop((12, 12, 250, 60))
    assert corner.getextrema()[0] < 100  # the legend's dark title, not white map
    frame.locator("#wb-legend-toggle").click()
    beside = save_png(page, frame, "#wb-png", tmp_path / "beside.png")
    assert beside.width > canvas_width + 250

    expect(frame.locator("img")).to_have_count(0)
    assert not console_errors, console_errors


def save_png(page: Page, frame: FrameLocator, button: str, path: Path) -> Image.Image:
    """Click a button that downloads a PNG and return the picture."""
    with page.expect_download() as download:
        frame.locator(button).click()
    download.value.save_as(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(path)
