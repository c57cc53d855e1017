"""The key flows, in a real browser: every page, an upload, a slider, the map.

Tests that only read share the session's server (``app_url``); the upload writes,
so it gets its own server on a private copy of the demo database, and reads the
file back only after that server has stopped (DuckDB locks a file per process).
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import polars as pl
import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import (
    copy_db,
    listed_pages,
    screenshot,
    served,
    wait_idle,
)
from workbench import store

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Locator

EXCEPTION = '[data-testid="stException"]'
ERROR_ALERT = '[data-testid="stAlertContentError"]'
# A page's own content, as opposed to the app shell that appears first.
CONTENT = '[data-testid="stMain"] [data-testid="stHeading"], [data-testid="stMetric"]'
# Streamlit keeps the page inside its own scrolling container, so a screenshot only
# shows what fits the viewport: grow the viewport to the content, up to this.
MAX_SCREENSHOT_HEIGHT_PX = 8_000


def _listed_pages() -> list[tuple[str, str]]:
    """(script, title) of every page app.py lists whose file exists, in menu order."""
    return [(script, title) for script, title, _path in listed_pages()]


# Opened at a page's own URL (``/segments``), Streamlit's frontend first probes
# ``/segments/_stcore/health`` and ``…/host-config``, gets 404 and retries at the
# root. That is the framework finding its server, not an error of the page.
_URL_PROBE = re.compile(r"/[\w-]+/_stcore/(health|host-config)$")


def _page_problems(page: Page) -> list[str]:
    """Collect console errors, page errors and dialogs from now on."""
    problems: list[str] = []

    def on_console(message) -> None:  # type: ignore[no-untyped-def]
        if message.type != "error":
            return
        url = str(message.location.get("url", ""))
        if "404" in message.text and _URL_PROBE.search(url):
            return
        problems.append(f"{message.text} ({url})")

    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        problems.append(f"dialog opened: {dialog.message}")
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("dialog", on_dialog)
    return problems


def _full_screenshot(page: Page, name: str) -> Path:
    """Grow the viewport to the page's content, take a screenshot, then restore it."""
    before = page.viewport_size or {"width": 1400, "height": 1000}
    height = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]');
            const side = document.querySelector('[data-testid="stSidebarContent"]');
            return Math.max(main ? main.scrollHeight : 0, side ? side.scrollHeight : 0);
        }"""
    )
    page.set_viewport_size(
        {
            "width": before["width"],
            "height": max(before["height"], min(int(height), MAX_SCREENSHOT_HEIGHT_PX)),
        }
    )
    page.wait_for_timeout(500)  # charts redraw at the new size
    path = screenshot(page, name)
    page.set_viewport_size(before)
    return path


def _assert_clean(page: Page, problems: list[str], where: str) -> None:
    assert page.locator(EXCEPTION).count() == 0, (
        f"{where}: {page.locator(EXCEPTION).first.inner_text()}"
    )
    errors = page.locator(ERROR_ALERT)
    assert errors.count() == 0, f"{where}: {errors.all_inner_texts()}"
    assert not problems, f"{where}: {problems}"


def _open(page: Page, url: str) -> None:
    page.goto(url)
    wait_idle(page)
    expect(page.locator(CONTENT).first).to_be_visible(timeout=60_000)
    wait_idle(page)


def _open_if_listed(page: Page, app_url: str, stem: str, name: str) -> list[str]:
    """Open ``pages/<stem>.py`` (skipped unless app.py lists it); the problems the
    page reports from then on (see :func:`_page_problems`)."""
    if f"pages/{stem}.py" not in {s for s, _ in _listed_pages()}:
        pytest.skip(f"the {name} page is not in this build")
    problems = _page_problems(page)
    _open(page, f"{app_url}/{stem}")
    return problems


def test_app_lists_the_pages_it_has():
    pages = _listed_pages()
    assert pages[0] == ("pages/overview.py", "Overview")
    assert len(pages) >= 2, pages


def test_every_page_renders_through_the_sidebar(page: Page, app_url: str):
    """Open each page by its sidebar link, as a person would, and photograph it."""
    problems = _page_problems(page)
    _open(page, app_url)
    title_element = page.locator('[data-testid="stMain"] h1').first
    for number, (script, title) in enumerate(_listed_pages()):
        if number > 0:  # the first page is the one already open
            shown_before = title_element.inner_text()
            # A link holds its icon's name, then the title ("hub Buying centre").
            link = page.locator('[data-testid="stSidebarNavLink"]').filter(
                has=page.locator(f'span[label="{title}"]')
            )
            expect(link).to_have_count(1, timeout=30_000)
            link.click()
            stem = script.removeprefix("pages/").removesuffix(".py")
            page.wait_for_url(f"**/{stem}", timeout=30_000)
            # Right after the click the old page is still on screen and the app
            # still says it is idle: wait for the new page's own title first.
            expect(title_element).not_to_have_text(shown_before, timeout=60_000)
        wait_idle(page)
        page.wait_for_timeout(1_000)  # charts and iframes finish drawing
        wait_idle(page)
        stem = script.removeprefix("pages/").removesuffix(".py")
        path = _full_screenshot(page, f"page_{stem}")
        assert path.stat().st_size > 10_000, f"{script}: screenshot looks empty"
        _assert_clean(page, problems, script)


# --- the Import page: a Salesforce export lands in the database -------------------

SF_ACCOUNTS = (
    "Id,IsDeleted,MasterRecordId,Name,Industry,BillingCountry,AnnualRevenue,"
    "NumberOfEmployees,CreatedDate,SystemModstamp\n"
    "001E2E000000001AAA,false,,Fjord Rotor Works,Machinery,Norway,125000000,800,"
    "2025-01-15T09:00:00.000+0000,2025-01-15T09:00:00.000+0000\n"
    "001E2E000000002AAA,false,,Tejo Valve Lda,Chemicals,Portugal,40000000,210,"
    "2025-02-01T09:00:00.000+0000,2025-02-01T09:00:00.000+0000\n"
)
SF_CONTACTS = (
    "Id,IsDeleted,AccountId,FirstName,LastName,Title,Department,ReportsToId,Email,"
    "Phone,SystemModstamp\n"
    "003E2E000000001AAA,false,001E2E000000001AAA,Greta,Lindqvist,"
    "Head of Purchasing,Procurement,,greta@example.com,+47 22 1234,"
    "2025-01-15T09:00:00.000+0000\n"
    "003E2E000000002AAA,false,001E2E000000001AAA,Jonas,Weber,Plant Manager,"
    "Operations,003E2E000000001AAA,jonas@example.com,,2025-01-15T09:00:00.000+0000\n"
    "003E2E000000003AAA,false,001E2E000000002AAA,Ana,Silva,CFO,Finance,,"
    "ana@example.com,,2025-02-01T09:00:00.000+0000\n"
)


def _import_script() -> str:
    scripts = [script for script, _ in _listed_pages()]
    if "pages/import_data.py" not in scripts:
        pytest.skip("the Import page is not in this build")
    return "import_data"


def test_salesforce_export_uploaded_in_the_browser_lands_in_the_database(
    page: Page, e2e_db: Path, tmp_path: Path
):
    stem = _import_script()
    (tmp_path / "export").mkdir()
    accounts_csv = tmp_path / "export" / "Account.csv"
    contacts_csv = tmp_path / "export" / "Contact.csv"
    accounts_csv.write_text(SF_ACCOUNTS)
    contacts_csv.write_text(SF_CONTACTS)
    db_path = copy_db(e2e_db, tmp_path)
    con = store.connect(db_path)
    try:
        before = store.table_counts(con)
    finally:
        con.close()

    with served(db_path) as url:
        problems = _page_problems(page)
        _open(page, f"{url}/{stem}")
        page.locator(
            '[data-testid="stFileUploaderDropzoneInput"]'
        ).first.set_input_files([str(accounts_csv), str(contacts_csv)])
        # The page checks the files first (a dry run) and says so; then commit.
        expect(
            page.locator('[data-testid="stAlertContentSuccess"]').filter(
                has_text="can be imported"
            )
        ).to_be_visible(timeout=60_000)
        wait_idle(page)
        page.get_by_role("button", name="Commit the import").click()
        expect(
            page.locator('[data-testid="stAlertContentSuccess"]').filter(
                has_text=re.compile(r"Imported \(run \d+\)")
            )
        ).to_be_visible(timeout=60_000)
        wait_idle(page)
        _full_screenshot(page, "flow_import_committed")
        _assert_clean(page, problems, "import page")

    con = store.connect(db_path)
    try:
        after = store.table_counts(con)
        accounts = store.read_table(con, "accounts")
        contacts = store.read_table(con, "contacts")
    finally:
        con.close()
    assert after["accounts"] == before["accounts"] + 2
    assert after["contacts"] == before["contacts"] + 3
    assert {"Fjord Rotor Works", "Tejo Valve Lda"} <= set(accounts["name"])
    greta = contacts.filter(pl.col("email") == "greta@example.com")
    assert greta.height == 1
    assert greta["title"][0] == "Head of Purchasing"


# --- the Segments page: a slider moves the chart and the table ---------------------


def _element_image(locator: Locator) -> bytes:
    return locator.screenshot(animations="disabled")


def _wait_until_changed(
    locator: Locator, before: bytes, timeout_s: float = 30.0
) -> bytes:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = _element_image(locator)
        if now != before:
            return now
        time.sleep(0.2)
    raise AssertionError("the element did not change")


def test_moving_a_segment_slider_changes_chart_and_table(page: Page, app_url: str):
    problems = _open_if_listed(page, app_url, "segments", "Segments")
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    expect(chart).to_be_visible(timeout=30_000)
    summary = page.locator('[data-testid="stDataFrame"]').first
    expect(summary).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1_000)  # the chart finishes drawing
    valuable = (
        page.locator('[data-testid="stMetric"]')
        .filter(has_text="Most valuable")
        .locator('[data-testid="stMetricValue"]')
    )
    count_before = valuable.inner_text()
    chart_before = _element_image(chart)
    table_before = _element_image(summary)

    slider = page.locator('[data-testid="stSlider"]').filter(
        has_text="Most valuable: top % of accounts"
    )
    thumb = slider.get_by_role("slider")
    value_before = thumb.get_attribute("aria-valuenow")
    thumb.focus()
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    expect(thumb).not_to_have_attribute("aria-valuenow", value_before or "")

    expect(valuable).not_to_have_text(count_before, timeout=30_000)
    wait_idle(page)
    _wait_until_changed(chart, chart_before)
    _wait_until_changed(summary, table_before)
    assert int(valuable.inner_text().replace(",", "")) > int(
        count_before.replace(",", "")
    )
    _full_screenshot(page, "flow_segments_after_slider")
    _assert_clean(page, problems, "segments page")


# --- the Voice page: tables kept as drawn come back -----------------------------------


def test_voice_tables_kept_as_drawn_come_back_on_a_rerun(page: Page, app_url: str):
    # The By account tab's tables (grey figures on too few answers) are kept as
    # drawn and replayed by the next run with the same period: after another tab
    # and back, they are there again, in the same number, and nothing failed.
    problems = _open_if_listed(page, app_url, "voice", "Voice of the customer")
    tables = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]')
    roles_only = page.get_by_text("Trend per role")
    expect(tables.first).to_be_visible(timeout=30_000)
    drawn = _settled_count(tables)
    assert drawn >= 2
    page.get_by_role("tab", name="By role and group").click()
    expect(roles_only).to_be_visible(timeout=30_000)
    page.get_by_role("tab", name="By account").click()
    # the other tab's elements gone: the run that replays the tables has ended
    expect(roles_only).to_have_count(0, timeout=30_000)
    wait_idle(page)
    expect(tables).to_have_count(drawn, timeout=30_000)
    assert _settled_count(tables) == drawn
    _assert_clean(page, problems, "voice page, back on its first tab")


def _settled_count(locator: Locator, timeout_s: float = 30.0) -> int:
    """Return how many elements ``locator`` finds once that number holds for a second.

    Streamlit keeps a run's elements while the next one draws its own: a count
    taken at one instant may include some of either.
    """
    deadline = time.monotonic() + timeout_s
    seen, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = locator.count()
        if count != seen:
            seen, since = count, time.monotonic()
        elif time.monotonic() - since >= 1.0:
            return count
        time.sleep(0.1)
    raise AssertionError(f"the number of elements kept changing (last {seen})")


# --- the Buying centre page: the map draws -----------------------------------------


def test_buying_centre_map_draws_its_network(page: Page, app_url: str):
    problems = _open_if_listed(page, app_url, "buying_centre", "Buying centre")
    frame = page.frame_locator('[data-testid="stIFrame"]').first
    canvas = frame.locator("#mynetwork canvas")
    expect(canvas).to_be_visible(timeout=30_000)
    # Drawn means pixels: some of the canvas is not background.
    painted = 0
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and painted == 0:
        painted = canvas.evaluate(
            """(c) => {
                const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
                return n;
            }"""
        )
        if painted == 0:
            time.sleep(0.3)
    assert painted > 1_000, f"the network canvas is blank ({painted} painted pixels)"
    _full_screenshot(page, "flow_buying_centre_map")
    _assert_clean(page, problems, "buying centre page")


def test_a_page_url_as_the_servers_first_request_opens_through_the_app(
    page: Page, e2e_db: Path, tmp_path: Path
):
    """A bookmarked page opened right after a restart gets the app's menu and page.

    Streamlit used to run ``pages/plans.py`` alone for it, with a menu of file
    names and no language picker, until some session had run ``app.py``.
    """
    db_path = copy_db(e2e_db, tmp_path)
    with served(db_path) as url:
        page.goto(f"{url}/plans")  # nothing has run on this server before
        wait_idle(page)
        expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(
            "Account plans", timeout=60_000
        )
        menu = page.locator('[data-testid="stSidebarNav"]')
        expect(menu).to_contain_text("Voice of the customer")
        expect(menu).not_to_contain_text("import data")  # a file name
        expect(page.get_by_text("Language · 语言 · 語言")).to_be_visible()
        assert page.url.endswith("/plans")
