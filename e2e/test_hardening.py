"""Hosted mode's guards against a stranger on the network, in a real browser and
over Streamlit's own WebSocket protocol, on the container's entry point."""

from __future__ import annotations

import contextlib
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
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
PAUSED_NAME = "Too many wrong passwords for this user name"
CLOSED_ADDRESS = "Too many wrong passwords from your network address"


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
    # Wait for this attempt's run to start and end: a next click while it still
    # runs would stop it (Streamlit reruns on new input) before it records the
    # failure, and the message of the attempt before would pass for this one's.
    with contextlib.suppress(PlaywrightTimeoutError):  # over before we looked
        page.wait_for_selector(
            '[data-testid="stApp"]:not([data-test-script-state="notRunning"])',
            timeout=3_000,
        )
    wait_idle(page)


def _open_sign_in(page: Page, url: str) -> Page:
    page.goto(url)
    wait_idle(page)
    return page


def _wrong_passwords(page: Page, users: list[str]) -> None:
    """One wrong password for each of ``users``; each is told so."""
    for user in users:
        _sign_in(page, user, "guess")
        expect(page.get_by_text("Wrong user name or password.")).to_be_visible()


def _refused(page: Page, user: str, password: str, because: str) -> None:
    """Sign in with a right password and be refused ``because``."""
    _sign_in(page, user, password)
    expect(page.get_by_text(because)).to_be_visible()


def test_the_sign_in_pause_survives_a_clear_cache_message(
    page: Page, hosted_entry_url: str
):
    _wrong_passwords(_open_sign_in(page, hosted_entry_url), ["anna"] * 5)
    _refused(page, "anna", "analyst pass", PAUSED_NAME)

    _send_clear_cache(hosted_entry_url)
    log = app_log(hosted_entry_url)
    deadline = time.monotonic() + 60  # a loaded machine logs late
    while IGNORED not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert IGNORED in log.read_text()

    # A new tab (a new session) still meets the pause: nothing was forgotten.
    fresh = _open_sign_in(page.context.new_page(), hosted_entry_url)
    _refused(fresh, "anna", "analyst pass", PAUSED_NAME)
    expect(fresh.locator('[data-testid="stMetric"]')).to_have_count(0)


def test_spraying_user_names_from_one_address_locks_that_address(
    browser: Browser, hosted_entry_url: str
):
    # The server trusts X-Forwarded-For from a proxy on 127.0.0.1 (uvicorn's
    # default), so this tab stands for a visitor at 203.0.113.9 behind a proxy.
    context = browser.new_context(extra_http_headers={"X-Forwarded-For": "203.0.113.9"})
    sprayer = _open_sign_in(context.new_page(), hosted_entry_url)
    _wrong_passwords(sprayer, [f"guess{i}" for i in range(10)])
    # even a right password: not from here
    _refused(sprayer, "otto", "viewer pass", CLOSED_ADDRESS)
    context.close()

    # Someone at another address signs in as usual.
    other = browser.new_context()
    page = _open_sign_in(other.new_page(), hosted_entry_url)
    _sign_in(page, "otto", "viewer pass")
    expect(page.get_by_text("Signed in as otto (viewer)")).to_be_visible(timeout=30_000)
    other.close()
