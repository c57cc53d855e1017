"""Hosted mode's guards against a stranger on the network, in a real browser and
over Streamlit's own WebSocket protocol, on the container's entry point."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect
from streamlit.proto.BackMsg_pb2 import BackMsg
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from e2e.conftest import app_log, copy_db, hosted_env, served, wait_idle

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

HOSTED = hosted_env(
    {"anna": ("analyst", "analyst pass"), "otto": ("viewer", "viewer pass")}
)
IGNORED = "Ignored a request to clear the server's caches"


@pytest.fixture(scope="module")
def hosted_entry_url(
    e2e_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    db = copy_db(e2e_db, tmp_path_factory.mktemp("hardening"))
    with served(db, HOSTED, script="hosted_app.py") as url:
        yield url


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_the_metrics_page_is_closed_to_strangers(hosted_entry_url: str):
    assert _status(f"{hosted_entry_url}/_stcore/metrics") == 404
    assert _status(f"{hosted_entry_url}/_stcore/health") == 200


def _send_clear_cache(url: str) -> None:
    """Do what any script on the network can: open a session, ask to clear caches."""
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    with connect(ws_url, subprotocols=[Subprotocol("streamlit")]) as socket:
        socket.send(BackMsg(clear_cache=True).SerializeToString())
        time.sleep(1.0)  # let the server handle it before hanging up


def _sign_in(page: Page, user: str, password: str) -> None:
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    wait_idle(page)


def test_the_sign_in_pause_survives_a_clear_cache_message(
    page: Page, hosted_entry_url: str
):
    page.goto(hosted_entry_url)
    wait_idle(page)
    for _ in range(5):
        _sign_in(page, "anna", "guess")
        expect(page.get_by_text("Wrong user name or password.")).to_be_visible()
    _sign_in(page, "anna", "analyst pass")
    expect(
        page.get_by_text("Too many wrong passwords for this user name")
    ).to_be_visible()

    _send_clear_cache(hosted_entry_url)
    log = app_log(hosted_entry_url)
    deadline = time.monotonic() + 10
    while IGNORED not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert IGNORED in log.read_text()

    # A new tab (a new session) still meets the pause: nothing was forgotten.
    fresh = page.context.new_page()
    fresh.goto(hosted_entry_url)
    wait_idle(fresh)
    _sign_in(fresh, "anna", "analyst pass")
    expect(
        fresh.get_by_text("Too many wrong passwords for this user name")
    ).to_be_visible()
    expect(fresh.locator('[data-testid="stMetric"]')).to_have_count(0)


def test_spraying_user_names_from_one_address_locks_that_address(
    browser: Browser, hosted_entry_url: str
):
    # The server trusts X-Forwarded-For from a proxy on 127.0.0.1 (uvicorn's
    # default), so this tab stands for a visitor at 203.0.113.9 behind a proxy.
    context = browser.new_context(extra_http_headers={"X-Forwarded-For": "203.0.113.9"})
    sprayer = context.new_page()
    sprayer.goto(hosted_entry_url)
    wait_idle(sprayer)
    for i in range(10):
        _sign_in(sprayer, f"guess{i}", "password1")
        expect(sprayer.get_by_text("Wrong user name or password.")).to_be_visible()
    _sign_in(sprayer, "otto", "viewer pass")  # even a right password: not from here
    expect(
        sprayer.get_by_text("Too many wrong passwords from your network address")
    ).to_be_visible()
    context.close()

    # Someone at another address signs in as usual.
    other = browser.new_context()
    page = other.new_page()
    page.goto(hosted_entry_url)
    wait_idle(page)
    _sign_in(page, "otto", "viewer pass")
    expect(page.get_by_text("Signed in as otto (viewer)")).to_be_visible(timeout=30_000)
    other.close()
