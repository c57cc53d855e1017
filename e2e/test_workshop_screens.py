"""Workshop-grade screens in real Chromium: a projector's 1280×720 and a laptop's 1440×900.

A private copy of the demo database gets one more account of 80 people (a CEO, eight
directors, 71 staff; deciders, approvers, NPS answers, a deal with contact roles),
named so that it opens first in the buying centre's picker. Every page is opened at
both sizes and photographed into ``test-output/screenshots`` (ignored by git: look
at them, do not commit them). No page may show a snake_case identifier in a heading,
label, tab, button, metric label, caption or table header. The map of the 80 people must keep its labels readable (at least
12 CSS pixels on screen), show the names of the people who matter, and carry its
legend on the map.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import polars as pl
import pytest
from playwright.sync_api import Frame, Page, expect

from e2e.conftest import app_with_frames, screenshot, wait_idle
from workbench import store

VIEWPORTS = ((1280, 720), (1440, 900))
PAGES = (
    ("Overview", "overview"),
    ("Import", "import"),
    ("Buying centre", "buying-centre"),
    ("Segments", "segments"),
    ("Effort", "effort"),
    ("Voice of the customer", "voice"),
    ("Account plans", "plans"),
)
ACCOUNT = "0 Workshop Eighty GmbH"
#: A word joined by underscores, as code names things (value_segment, days_since_touch).
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
#: What a person reads as a name of something on a page: headings, labels, tabs,
#: buttons, metric labels, captions, and the headers of tables (data cells are not
#: checked: a CRM ID may well contain an underscore).
LABEL_SELECTORS = (
    "h1, h2, h3, [data-testid='stWidgetLabel'], [data-testid='stMetricLabel'], "
    "[data-testid='stCaptionContainer'], "
    "button[role='tab'], [data-testid='stExpander'] summary, "
    "[data-testid='stBaseButton-secondary'], [data-testid='stBaseButton-primary'], "
    "[role='columnheader']"
)


def eighty_people(con: store.Connection) -> dict[str, pl.DataFrame]:
    """Return the 80-person account, its touches, NPS answers and a deal."""
    sellers = con.sql(
        "SELECT seller_id FROM sellers ORDER BY seller_id LIMIT 4"
    ).fetchall()
    seller_ids = [s[0] for s in sellers]
    ids = (
        ["W00"]
        + [f"W{d + 1:02d}" for d in range(8)]
        + [f"W{i:02d}" for i in range(9, 80)]
    )
    managers = [None] + ["W00"] * 8 + [f"W{(i % 8) + 1:02d}" for i in range(9, 80)]
    roles = ["decider"] + ["approver", "decider", "influencer", "buyer"] * 2
    roles += [
        ["user", "influencer", "gatekeeper", None, "initiator"][i % 5]
        for i in range(71)
    ]
    attitudes = [
        ["champion", "supporter", "neutral", "skeptic", "blocker", None][i % 6]
        for i in range(80)
    ]
    names = ["Ingrid Vogelsang-Oberhuber"] + [f"Director {n}" for n in "ABCDEFGH"]
    names += [
        f"{['张伟', 'Maria Lopez', 'Kenji Watanabe', 'Olu Adeyemi'][i % 4]} {i}"
        for i in range(71)
    ]
    last_day = date(2026, 9, 30)
    contacts = pl.DataFrame(
        {
            "contact_id": ids,
            "account_id": ["AW80"] * 80,
            "name": names,
            "title": ["Chief Executive Officer"] + ["Director"] * 8 + ["Engineer"] * 71,
            "department": ["Executive"]
            + ["Operations", "Finance", "Engineering", "Purchasing"] * 2
            + ["Operations"] * 71,
            "reports_to_id": managers,
            "buying_role": roles,
            "influence": pl.Series(
                [5] + [4] * 8 + [1 + i % 5 for i in range(71)], dtype=pl.Int8
            ),
            "attitude": attitudes,
        }
    )
    touched = ids[::3]
    activities = pl.DataFrame(
        {
            "activity_id": [f"AW-{n}" for n in range(len(touched))],
            "account_id": ["AW80"] * len(touched),
            "contact_id": touched,
            "seller_id": [seller_ids[n % len(seller_ids)] for n in range(len(touched))],
            "kind": ["meeting"] * len(touched),
            "activity_date": [
                last_day - timedelta(days=10 + n) for n in range(len(touched))
            ],
            "duration_minutes": [45.0] * len(touched),
            "subject": ["Review"] * len(touched),
        }
    )
    answered = ids[:40:2]
    nps = pl.DataFrame(
        {
            "response_id": [f"NW-{n}" for n in range(len(answered))],
            "account_id": ["AW80"] * len(answered),
            "contact_id": answered,
            "responded_on": [last_day - timedelta(days=30)] * len(answered),
            "score": pl.Series(
                [(3 * n) % 11 for n in range(len(answered))], dtype=pl.Int8
            ),
            "comment": [None] * len(answered),
        }
    )
    deal = pl.DataFrame(
        {
            "opportunity_id": ["OW80"],
            "account_id": ["AW80"],
            "name": ["Plant retrofit 2027"],
            "stage": ["Proposal"],
            "amount": [1_250_000.0],
            "close_date": [date(2026, 12, 15)],
            "is_closed": [False],
            "is_won": [False],
        }
    )
    deal_people = pl.DataFrame(
        {
            "opportunity_id": ["OW80"] * 6,
            "contact_id": ["W00", "W01", "W02", "W04", "W12", "W20"],
            "role": [
                "Decision Maker",
                "Approver",
                "Decision Maker",
                "Buyer",
                "User",
                "User",
            ],
            "is_primary": [True, False, False, False, False, False],
        }
    )
    frames = {
        "accounts": pl.DataFrame({"account_id": ["AW80"], "name": [ACCOUNT]}),
        "contacts": contacts,
        "activities": activities,
        "nps_responses": nps,
        "opportunities": deal,
        "opportunity_contacts": deal_people,
    }
    return frames


workshop_app = app_with_frames("workshop", eighty_people)


def open_page(page: Page, url: str, link: str) -> None:
    page.goto(url)
    wait_idle(page)
    if link != "Overview":
        page.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", level=1).first).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.wait_for_timeout(800)


def shown_labels(page: Page) -> list[str]:
    # the text a person reads: Material icons are ligatures ("keyboard_arrow_down")
    # drawn as a symbol, so their text is left out
    texts: list[str] = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].map(e => {
            const copy = e.cloneNode(true);
            copy.querySelectorAll('[data-testid="stIconMaterial"]')
                .forEach(icon => icon.remove());
            return copy.textContent;
        })""",
        LABEL_SELECTORS,
    )
    return [text.strip() for text in texts if text and text.strip()]


def table_headers(page: Page) -> list[str]:
    """Return the column headers of every table on the page (glide grid's a11y table)."""
    # A page draws its tables after its chart or map; on a loaded machine they may
    # still be coming when the page first goes idle, and a grid below the fold
    # fills its header cells once scrolled to.
    tables = page.locator("[data-testid='stDataFrame']")
    tables.first.wait_for(state="attached", timeout=60_000)
    for index in range(tables.count()):
        if tables.nth(index).is_visible():
            tables.nth(index).scroll_into_view_if_needed()
    page.locator("[data-testid='stDataFrame'] [role='columnheader']").first.wait_for(
        state="attached", timeout=30_000
    )
    return [
        text.strip()
        for text in page.locator(
            "[data-testid='stDataFrame'] [role='columnheader']"
        ).all_inner_texts()
        if text.strip()
    ]


def map_frame(page: Page) -> Frame:
    page.wait_for_function(
        "() => [...document.querySelectorAll('iframe')].some(f => "
        "f.contentDocument && f.contentDocument.querySelector('#mynetwork canvas'))",
        timeout=60_000,
    )
    frame = next(f for f in page.frames if f.query_selector("#mynetwork canvas"))
    frame.wait_for_function(
        "typeof window.workbenchMap !== 'undefined'", timeout=30_000
    )
    return frame


#: The Voice page's tabs after the first, each built only when chosen.
VOICE_TABS = (
    "By role and group",
    "Role conflicts",
    "Detractors",
    "Requirements",
    "Comments",
    "Drivers",
    "Import survey",
)

#: Pages with no table until something is uploaded or chosen.
NO_TABLE_YET = ("Overview", "Import")


def page_words(page: Page, link: str, name: str, size: str) -> list[str]:
    """Return every label and table header a person reads on the open page."""
    labels = shown_labels(page)
    if link == "Account plans":  # the leaders' overview: a tab of tables
        page.get_by_role("tab", name="Leaders' overview").click()
        wait_idle(page)
        page.wait_for_timeout(800)
        screenshot(page, f"workshop-{name}-overview-{size}")
        labels += shown_labels(page)
    if link == "Voice of the customer":  # each tab is built when chosen
        for tab in VOICE_TABS:
            page.get_by_role("tab", name=tab).click()
            wait_idle(page)
            page.wait_for_timeout(500)
            labels += shown_labels(page)
        page.get_by_role("tab", name="By account").click()
        wait_idle(page)
    assert labels, f"no label read on {link}"
    if link in NO_TABLE_YET:
        return labels
    headers = table_headers(page)
    assert headers, f"no table header read on {link}"
    return labels + headers


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_every_page_is_photographed_and_speaks_plainly(
    page: Page, workshop_app: str, console_errors: list[str], width: int, height: int
):
    page.set_viewport_size({"width": width, "height": height})
    offenders: dict[str, list[str]] = {}
    for link, name in PAGES:
        open_page(page, workshop_app, link)
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        screenshot(page, f"workshop-{name}-{width}x{height}")
        words = page_words(page, link, name, f"{width}x{height}")
        found = sorted({m for text in words for m in SNAKE.findall(text)})
        if found:
            offenders[link] = found
    assert not offenders, offenders
    assert not console_errors, console_errors


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_the_map_of_eighty_people_is_readable_with_its_legend(
    page: Page, workshop_app: str, width: int, height: int
):
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, workshop_app, "Buying centre")
    expect(page.get_by_role("combobox", name="Account", exact=True)).to_have_value(
        f"{ACCOUNT} (80 people)"
    )
    for layout in ("Network", "Org chart"):
        if layout == "Org chart":
            page.get_by_text("Org chart", exact=True).click()
            wait_idle(page)
            page.wait_for_timeout(1500)
        frame = map_frame(page)
        frame.wait_for_timeout(2500)  # the network settles
        state = frame.evaluate("() => window.workbenchMap.state()")
        assert state["total"] >= 80
        assert state["labelPx"] >= 12, state  # on screen, whatever the zoom
        assert state["shown"] >= 8, state  # the people who matter are named
        ceo = frame.evaluate(
            "() => nodes.get().find(n => (n.title || '').startsWith('Ingrid')).label"
        )
        assert ceo.startswith("Ingrid"), "the decider at the top has her name shown"
        legend = frame.locator("#wb-legend")
        expect(legend).to_be_visible()
        expect(legend).to_contain_text("Shape = buying role")
        expect(legend).to_contain_text("Fill = attitude")
        expect(legend).to_contain_text("Ring = our coverage")
        expect(legend).to_contain_text("Badge = latest NPS")
        size = float(legend.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        assert size >= 12
        expect(frame.get_by_role("button", name="Save PNG")).to_be_visible()
        expect(frame.get_by_role("button", name="Full screen")).to_be_visible()
        page.locator("iframe").first.scroll_into_view_if_needed()
        screenshot(
            page, f"workshop-map-{layout.lower().replace(' ', '-')}-{width}x{height}"
        )
    # zooming in names more people, at the same readable size
    before = frame.evaluate("() => window.workbenchMap.state()")
    frame.evaluate("() => network.moveTo({scale: network.getScale() * 3})")
    after = frame.evaluate("() => window.workbenchMap.state()")
    assert after["labelPx"] >= 12
    assert after["scale"] > before["scale"]


def test_the_map_saves_a_png_and_a_deal_shows_its_buying_centre(
    page: Page, workshop_app: str
):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, workshop_app, "Buying centre")
    frame = map_frame(page)
    with page.expect_download() as download:
        frame.get_by_role("button", name="Save PNG").click()
    assert download.value.suggested_filename == "0-Workshop-Eighty-GmbH.png"
    saved = download.value.path()
    assert saved is not None and saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    page.get_by_role("combobox", name="Deal").click()
    page.get_by_role("option", name=re.compile("Plant retrofit 2027")).click()
    wait_idle(page)
    expect(page.get_by_text("This deal's buying centre: 6 people named")).to_be_visible(
        timeout=30_000
    )
    page.wait_for_timeout(1500)
    frame = map_frame(page)
    count = frame.evaluate("() => nodes.get().filter(n => n.kind === 'contact').length")
    assert count == 6
    screenshot(page, "workshop-deal-1280x720")
