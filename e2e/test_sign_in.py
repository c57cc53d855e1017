"""Hosted mode in a real browser: the gate holds from a server's first request on."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import copy_db, hosted_env, screenshot, served, wait_idle

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

HOSTED = hosted_env(
    {"vera": ("viewer", "viewer pass"), "anna": ("analyst", "analyst pass")}
)


@pytest.fixture(scope="module")
def hosted_url(e2e_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = copy_db(e2e_db, tmp_path_factory.mktemp("hosted"))
    with served(db, HOSTED) as url:
        yield url


def _metric(page: Page, label: str):  # type: ignore[no-untyped-def]
    return (
        page.locator('[data-testid="stMetric"]')
        .filter(has_text=label)
        .locator('[data-testid="stMetricValue"]')
    )


def _sign_in(page: Page, user: str, password: str) -> None:
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_first_request_for_a_page_url_meets_the_sign_in_form(
    page: Page, hosted_url: str
):
    # The server's very first script run: Streamlit would run a pages/ script
    # directly here, before app.py ever ran; no data may show.
    page.goto(f"{hosted_url}/segments")
    wait_idle(page)
    expect(page.get_by_label("User name")).to_be_visible(timeout=30_000)
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(0)
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(0)
    screenshot(page, "sign_in_first_request")


def test_wrong_password_then_viewer_signs_in_and_out(page: Page, hosted_url: str):
    page.goto(hosted_url)
    wait_idle(page)
    _sign_in(page, "vera", "analyst pass")
    expect(page.get_by_text("Wrong user name or password.")).to_be_visible(
        timeout=30_000
    )
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(0)

    _sign_in(page, "vera", "viewer pass")
    expect(_metric(page, "Accounts")).to_have_text("60", timeout=30_000)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("Signed in as vera (viewer)")).to_be_visible()
    expect(sidebar.get_by_text("Read only")).to_be_visible()
    screenshot(page, "signed_in_viewer")

    sidebar.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("User name")).to_be_visible(timeout=30_000)
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(0)


def test_page_urls_stay_closed_after_sign_out(page: Page, hosted_url: str):
    for path in ("", "buying_centre", "plans", "voice"):
        page.goto(f"{hosted_url}/{path}")
        wait_idle(page)
        expect(page.get_by_label("User name")).to_be_visible(timeout=30_000)
        expect(page.locator('[data-testid="stMetric"]')).to_have_count(0)


def test_a_bookmarked_page_opens_right_after_signing_in(page: Page, hosted_url: str):
    page.goto(f"{hosted_url}/segments")
    wait_idle(page)
    expect(page.get_by_label("User name")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    _sign_in(page, "anna", "analyst pass")
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("Signed in as anna (analyst)")).to_be_visible(
        timeout=30_000
    )
    assert page.url.rstrip("/").endswith("/segments"), page.url
    expect(page.get_by_label("User name")).to_have_count(0)
