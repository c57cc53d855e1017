"""Many leaders at once: concurrent browser sessions against one ``streamlit run``.

Usage: ``python -m bench.sessions_bench DB [--sessions 20]``.

One Streamlit server on the database; Chromium with one browser context per
session (separate cookies and Streamlit sessions, as separate people have). Each
session opens the Overview, then Segments (until its chart is drawn), moves the
"Most valuable" slider one step and waits for the rerun to finish, then opens
Account plans. First one session alone, then ``--sessions`` sessions released
together, against the same server in the same run, so the single session is the
baseline. Prints p50 and p95 of each step's time for both.

What it shows is the server's limit: Streamlit runs each session's script in a
thread of one Python process, so concurrent reruns share one interpreter (the GIL)
and the machine's cores; DuckDB and polars release the GIL while they work, the
page code and the serialisation of elements do not.

To say what limits it, each phase also reads the CPU time the server and the
browser used (``/proc``: user and system time of each process tree, with the
children each process has already reaped), so the report can compare the wall
time of twenty sessions with the work they needed and the cores there are.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bench import startup_bench as server
from bench.startup_bench import CHART, IDLE, SLIDER_LABEL

RUNNING = '[data-testid="stApp"][data-test-script-state="running"]'
METRIC = '[data-testid="stMetric"]'
STEPS = ("overview", "segments", "slider", "plans")
TIMEOUT_MS = 600_000


async def _idle(page: Any) -> None:
    # a rerun may not have started yet when the page is asked: give it a moment
    await page.wait_for_timeout(50)
    await page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)


async def one_session(browser: Any, url: str) -> dict[str, float]:
    """Return ms per step for one fresh session (its own browser context)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    # a loaded server answers slowly: wait as long as the bench allows, not 30 s
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = await context.new_page()
    times: dict[str, float] = {}
    try:
        started = time.perf_counter()
        await page.goto(url)
        await page.wait_for_selector(METRIC, timeout=TIMEOUT_MS)
        await _idle(page)
        times["overview"] = (time.perf_counter() - started) * 1000

        started = time.perf_counter()
        await page.goto(f"{url}/segments")
        await page.wait_for_selector(CHART, state="visible", timeout=TIMEOUT_MS)
        await _idle(page)
        times["segments"] = (time.perf_counter() - started) * 1000

        thumb = (
            page.locator('[data-testid="stSlider"]')
            .filter(has_text=SLIDER_LABEL)
            .get_by_role("slider")
        )
        await thumb.focus()
        started = time.perf_counter()
        await page.keyboard.press("ArrowRight")
        await _idle(page)
        times["slider"] = (time.perf_counter() - started) * 1000

        started = time.perf_counter()
        await page.goto(f"{url}/plans")
        await page.wait_for_selector('[data-testid="stMain"]', timeout=TIMEOUT_MS)
        await _idle(page)
        times["plans"] = (time.perf_counter() - started) * 1000
    finally:
        await context.close()
    return times


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(part) for part in text.split()]


def _tree(pid: int) -> list[int]:
    found = [pid]
    for child in _children(pid):
        found.extend(_tree(child))
    return found


def _cpu_seconds(pid: int) -> float:
    """User + system time of a process and of the children it has reaped."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # gone: its time is in its parent's reaped children
        return 0.0
    # fields[11:15]: utime, stime, cutime, cstime (man 5 proc, counted from state)
    ticks = sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_split(server_pid: int) -> dict[str, float]:
    """CPU seconds so far of the server's tree and of everything else this bench runs.

    The rest is the Playwright driver and Chromium with its renderers: the
    browsers that people would have on their own machines.
    """
    server = set(_tree(server_pid))
    others = [
        pid for pid in _tree(os.getpid()) if pid not in server and pid != os.getpid()
    ]
    return {
        "server": sum(_cpu_seconds(pid) for pid in server),
        "browser": sum(_cpu_seconds(pid) for pid in others),
    }


def _spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {key: after[key] - before[key] for key in before}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary(runs: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    return {
        step: {
            "p50": statistics.median([run[step] for run in runs]),
            "p95": _percentile([run[step] for run in runs], 0.95),
        }
        for step in STEPS
    }


async def _measure(
    url: str, sessions: int, single_runs: int, server_pid: int | None = None
) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=server.CHROMIUM, args=server.CHROMIUM_ARGS
        )
        try:
            await one_session(browser, url)  # warm the server's caches
            cpu = {"start": cpu_split(server_pid)} if server_pid else {}
            started = time.perf_counter()
            single = [await one_session(browser, url) for _ in range(single_runs)]
            single_wall_s = time.perf_counter() - started
            if server_pid:
                cpu["single"] = cpu_split(server_pid)
            started = time.perf_counter()
            together = await asyncio.gather(
                *[one_session(browser, url) for _ in range(sessions)]
            )
            wall_s = time.perf_counter() - started
            if server_pid:
                cpu["together"] = cpu_split(server_pid)
        finally:
            await browser.close()
    return {
        "sessions": sessions,
        "single": summary(single),
        "together": summary(list(together)),
        "together_wall_s": wall_s,
        "single_wall_s": single_wall_s,
        "single_runs": single_runs,
        # CPU seconds per session in each phase (server, browser)
        **(
            {
                "cpu_per_session_single": {
                    key: value / single_runs
                    for key, value in _spent(cpu["start"], cpu["single"]).items()
                },
                "cpu_per_session_together": {
                    key: value / sessions
                    for key, value in _spent(cpu["single"], cpu["together"]).items()
                },
                "cores": os.cpu_count() or 1,
            }
            if cpu
            else {}
        ),
    }


def served(
    db_path: Path,
    log_name: str,
    measure: Callable[[str, int], Coroutine[Any, Any, Any]],
) -> Any:
    """Start one server on ``db_path``, run ``measure(url, server_pid)``, stop it."""
    proc, url = server.launch_streamlit(
        server.ROOT / "app.py", db_path, f"{log_name}-{db_path.stem}"
    )
    try:
        server.wait_healthy(url)
        return asyncio.run(measure(url, proc.pid))
    finally:
        server.stop(proc)


def run(db_path: Path, sessions: int = 20, single_runs: int = 3) -> dict[str, Any]:
    """Time one session alone, then ``sessions`` at once, on one server."""
    return served(  # type: ignore[no-any-return]
        db_path,
        "sessions",
        lambda url, pid: _measure(url, sessions, single_runs, pid),
    )


def cli(run_bench: Callable[[Path, int], dict[str, Any]]) -> dict[str, Any]:
    """Read ``DB [--sessions N]``, run the bench, print and return its result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--sessions", type=int, default=20)
    options = parser.parse_args()
    result = run_bench(options.db, options.sessions)
    print(json.dumps(result, indent=2))
    return result


def main() -> None:
    result = cli(run)
    for step in STEPS:
        one = result["single"][step]
        many = result["together"][step]
        print(
            f"{step:9} one session p50 {one['p50']:7,.0f} ms · "
            f"{result['sessions']} sessions p50 {many['p50']:7,.0f} ms, "
            f"p95 {many['p95']:7,.0f} ms = {many['p95'] / one['p50']:.1f}× one session"
        )


if __name__ == "__main__":
    main()
