"""Real-browser fixtures: Debian's Chromium driven by Playwright against `streamlit run`.

The app runs on a free loopback port on a private copy of the demo database.
Screenshots go to ``test-output/screenshots`` so a person can look.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import demo_database
from workbench import auth, store

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-output" / "screenshots"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "e2e" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `bash dev.sh setup`")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


@pytest.fixture(scope="session")
def e2e_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_database(tmp_path_factory.mktemp("e2e") / "workbench.duckdb")


def start_app(
    db_path: Path, extra_env: dict[str, str] | None = None, script: str = "app.py"
) -> tuple[subprocess.Popen[bytes], str]:
    """Start `streamlit run <script>` on a free loopback port; return the process and URL.

    The log goes to ``test-output/streamlit-<port>.log`` (see :func:`app_log`).
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, store.DB_ENV_VAR: str(db_path), **(extra_env or {})}
    log = ROOT / "test-output"
    log.mkdir(exist_ok=True)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(log / f"streamlit-{port}.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("streamlit did not start within 60 s")


def app_log(url: str) -> Path:
    """Return the server log of the app started by :func:`start_app` at ``url``."""
    return ROOT / "test-output" / f"streamlit-{url.rsplit(':', 1)[-1]}.log"


def stop_app(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def served(
    db_path: Path, extra_env: dict[str, str] | None = None, script: str = "app.py"
) -> Iterator[str]:
    """The app (see :func:`start_app`) serving ``db_path`` for the block; its URL."""
    proc, url = start_app(db_path, extra_env, script)
    try:
        yield url
    finally:
        stop_app(proc)


def hosted_env(users: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Hosted mode's environment with these users: name → (role, password).

    The password hashes use a small scrypt cost: these tests sign in often.
    """
    table = {
        name: {"role": role, "password_hash": auth.hash_password(password, n=2**12)}
        for name, (role, password) in users.items()
    }
    return {auth.HOSTED_ENV_VAR: "1", auth.USERS_ENV_VAR: json.dumps(table)}


@pytest.fixture(scope="session")
def app_url(e2e_db: Path) -> Iterator[str]:
    with served(e2e_db) as url:
        yield url


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Console errors and dialogs seen by the page during the test."""
    errors: list[str] = []
    page.on(
        "console", lambda msg: errors.append(msg.text) if msg.type == "error" else None
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_dialog(dialog):  # a dialog means someone's script ran
        errors.append(f"dialog opened: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return errors


def wait_idle(page: Page, timeout_ms: int = 60_000) -> None:
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def copy_db(source: Path, target_dir: Path) -> Path:
    target = target_dir / "workbench.duckdb"
    shutil.copy(source, target)
    return target


def copy_db_with(source: Path, target_dir: Path, frames: dict[str, Any]) -> Path:
    """Return a private copy of ``source`` with extra rows (table → polars frame).

    The rows go in through the store in one transaction, as an import would.
    """
    target = copy_db(source, target_dir)
    con = store.connect(target)
    try:
        with store.write_transaction(con) as cur:
            for table, frame in frames.items():
                store.insert_frame(cur, table, frame)
    finally:
        con.close()
    return target
