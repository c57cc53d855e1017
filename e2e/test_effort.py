from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import Page, expect

from e2e.conftest import copy_db, screenshot, wait_idle
from workbench import readers, store
from workbench.analytics import effort

if TYPE_CHECKING:
    from pathlib import Path


def _biggest_misallocation(served_db: Path, tmp_path: Path) -> tuple[str, str]:
    # The served database as it is now (earlier tests of the session may have
    # edited it), judged the same way, on a copy so the app keeps its file.
    con = store.connect(copy_db(served_db, tmp_path))
    try:
        biggest = effort.headline(readers.judged_effort(con)).biggest
    finally:
        con.close()
    return str(biggest["account_id"][0]), str(biggest["name"][0])


def test_effort_opens_with_the_verdict_and_links_to_the_map_and_plan(
    page: Page, app_url: str, e2e_db: Path, tmp_path: Path
):
    errors: list[str] = []

    def on_console(message) -> None:  # type: ignore[no-untyped-def]
        # Opened at a page's URL, Streamlit first probes <page>/_stcore/… (404s):
        # the framework finding its server, not an error of the page.
        url = str(message.location.get("url", ""))
        if message.type == "error" and "/_stcore/" not in url:
            errors.append(f"{message.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{app_url}/effort")
    wait_idle(page)
    headline = page.get_by_role("heading").filter(has_text="of hours go to")
    expect(headline).to_contain_text("transactional accounts", timeout=60_000)
    expect(headline).to_contain_text("$")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    screenshot(page, "effort")

    account_id, name = _biggest_misallocation(e2e_db, tmp_path)
    for target in ("buying_centre", "plans"):
        page.goto(f"{app_url}/{target}?account={account_id}")
        wait_idle(page)
        # the account picker (the sidebar's language picker is a combobox too)
        picker = page.get_by_role("combobox", name=re.compile("^Account"))
        expect(picker).to_be_visible(timeout=60_000)
        expect(picker).to_have_value(re.compile(re.escape(name)), timeout=60_000)
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        screenshot(page, f"effort-link-{target}")
    assert not errors, errors
