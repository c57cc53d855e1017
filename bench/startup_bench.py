"""Cold start: from ``streamlit run`` to the first page's content on screen.

Run alone: ``python -m bench.startup_bench [DB]``. The app is timed against a
hello-world Streamlit script started and opened the same way in the same run, so
the ratio shows what the workbench adds to Streamlit's own start.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench import store

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# The app's page as the browser benches see it: a page whose script finished, the
# portfolio chart, the Segments page's first slider.
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
CHART = '[data-testid="stVegaLiteChart"]'
SLIDER_LABEL = "Most valuable: top % of accounts"
#: How every bench starts Streamlit besides the script and the port.
STREAMLIT_FLAGS = (
    "--server.headless=true",
    "--server.address=127.0.0.1",
    "--browser.gatherUsageStats=false",
)
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
HELLO = 'import streamlit as st\n\nst.title("Hello")\nst.metric("Accounts", 0)\n'
# What "painted" means: the Overview's first metric, or the hello page's metric.
FIRST_CONTENT = '[data-testid="stMetricValue"]'


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def streamlit_command(script: Path, port: int) -> list[str]:
    """Return the command that serves ``script`` on ``port`` as every bench does."""
    serve = [sys.executable, "-m", "streamlit", "run", str(script)]
    return [*serve, f"--server.port={port}", *STREAMLIT_FLAGS]


def launch_streamlit(
    script: Path, db_path: Path | None, log_name: str
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``streamlit run script`` on a free loopback port; return process and URL."""
    port = free_port()
    env = dict(os.environ)
    if db_path is not None:
        env[store.DB_ENV_VAR] = str(db_path)
    OUT.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        streamlit_command(script, port),
        cwd=ROOT,
        env=env,
        stdout=open(OUT / f"{log_name}.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    return proc, f"http://127.0.0.1:{port}"


def wait_healthy(url: str, timeout_s: float = 120.0) -> None:
    """Wait until Streamlit answers its health check."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not become healthy in {timeout_s:.0f} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server started here."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def first_paint_s(browser: Browser, script: Path, db_path: Path | None) -> float:
    """Return seconds from starting the server to the first content on screen."""
    started = time.perf_counter()
    proc, url = launch_streamlit(script, db_path, f"startup-{script.stem}")
    try:
        wait_healthy(url)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(url)
            page.wait_for_selector(FIRST_CONTENT, state="visible", timeout=300_000)
            return time.perf_counter() - started
        finally:
            page.close()
    finally:
        stop(proc)


def run(db_path: Path, repeats: int = 3) -> dict[str, Any]:
    """Median cold start of the app on ``db_path`` and of a hello-world app."""
    from playwright.sync_api import sync_playwright

    hello = OUT / "hello_app.py"
    OUT.mkdir(parents=True, exist_ok=True)
    hello.write_text(HELLO)
    app_times: list[float] = []
    hello_times: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            for _ in range(repeats):  # interleaved, so load on the machine hits both
                hello_times.append(first_paint_s(browser, hello, None))
                app_times.append(first_paint_s(browser, ROOT / "app.py", db_path))
        finally:
            browser.close()
    return {
        "app_s": statistics.median(app_times),
        "hello_s": statistics.median(hello_times),
        "app_all": app_times,
        "hello_all": hello_times,
    }


#: What every command needs before it does anything: the baseline of a command's start.
LIBRARIES_ONLY = "import duckdb, polars"


def command_line_s(argv: list[str], repeats: int = 5) -> dict[str, float]:
    """Median seconds of ``workbench ARGV`` and of Python importing its libraries alone.

    Each is a process of its own, as a person or a script runs the command;
    interleaved, so load on the machine hits both.
    """
    ours: list[float] = []
    libraries: list[float] = []
    for _ in range(repeats):
        for command, times in (
            ([sys.executable, "-c", LIBRARIES_ONLY], libraries),
            ([sys.executable, "-m", "workbench.cli", *argv], ours),
        ):
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
            times.append(time.perf_counter() - started)
    return {
        "command_s": statistics.median(ours),
        "libraries_s": statistics.median(libraries),
    }


if __name__ == "__main__":
    database = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT / "demo.duckdb"
    print(run(database))
