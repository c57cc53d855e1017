"""Account plans in real Chromium: two people save the same plan; the second is refused.

Two browser contexts are two sessions of the app on one database, as two sellers in
a workshop would be. The first save becomes version 1; the second, based on the
same (empty) plan, is refused with a message naming who saved, and the second
person's text stays in the editor and beside the saved version.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import copy_db, screenshot, start_app, stop_app, wait_idle

if TYPE_CHECKING:
    from collections.abc import Iterator

IDENTIFY = "1. Identify — key people and gaps"


@pytest.fixture(scope="module")
def plans_url(e2e_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = copy_db(e2e_db, tmp_path_factory.mktemp("plans"))
    proc, url = start_app(db)
    try:
        yield url
    finally:
        stop_app(proc)


def _open(browser: Browser, url: str, errors: list[str]) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()

    def on_console(message) -> None:  # type: ignore[no-untyped-def]
        # Opened at a page's URL, Streamlit first probes <page>/_stcore/… (404s).
        if message.type == "error" and "/_stcore/" not in str(
            message.location.get("url", "")
        ):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/plans")
    wait_idle(page)
    expect(page.get_by_label(IDENTIFY)).to_be_visible(timeout=60_000)
    return page


def _write_and_save(page: Page, text: str) -> None:
    box = page.get_by_label(IDENTIFY)
    box.fill(text)
    box.press("Control+Enter")  # commit the text area before clicking
    page.get_by_role("button", name="Save as a new version").click()


def test_two_people_save_the_same_plan_second_is_refused_and_kept(
    browser: Browser, plans_url: str
):
    errors: list[str] = []
    anna = _open(browser, plans_url, errors)
    ben = _open(browser, plans_url, errors)

    _write_and_save(anna, "Anna: Dora decides")
    # said at the top and again beside the Save button, where the user is, and
    # confirmed by a toast
    saved = anna.locator('[data-testid="stAlert"]').filter(
        has_text="Saved version 1 of the plan"
    )
    expect(saved).to_have_count(2, timeout=30_000)
    expect(saved.last).to_be_in_viewport()
    expect(
        anna.locator('[data-testid="stToast"]').filter(
            has_text="Saved version 1 of the plan"
        )
    ).to_be_visible()

    _write_and_save(ben, "Ben: Bert buys")
    refusal = ben.get_by_text("Not saved: local saved version 1 of this plan")
    expect(refusal).to_have_count(2, timeout=30_000)
    expect(refusal.last).to_be_in_viewport()
    expect(ben.get_by_label(IDENTIFY)).to_have_value("Ben: Bert buys")
    # both texts side by side, to merge by hand
    expect(ben.get_by_text("Anna: Dora decides").first).to_be_visible()
    screenshot(ben, "plans-concurrent-refusal")

    with anna.expect_download() as download:
        anna.get_by_role("button", name="Printable page (HTML)").click()
    page_html = Path(download.value.path()).read_text(encoding="utf-8")
    assert page_html.startswith("<!DOCTYPE html>")
    assert "Anna: Dora decides" in page_html and "Ben: Bert buys" not in page_html
    assert not errors, errors


def test_a_leaders_csv_is_built_when_clicked_and_holds_every_row(
    page: Page, app_url: str
):
    """The leaders' CSVs are written only on a click; the file has every row."""
    page.goto(f"{app_url}/plans")
    wait_idle(page)
    page.get_by_role("tab", name="Leaders' overview").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Accounts without a current plan (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("account_id,name,segment")
    assert len(lines) == 1 + 60  # the demo's 60 accounts, none with a plan yet
