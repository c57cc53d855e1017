"""In Chromium: from releasing a segmentation slider to the redrawn chart.

Run alone: ``python -m bench.browser_bench DB``. Each sample moves the "Most
valuable: top %" slider by one step with the keyboard (key down and up: the
release), then waits until the scatter chart's marks (SVG) or pixels (canvas)
differ from before, and the browser has drawn the next frame. Steps alternate
right and left, so every sample changes the chart; with ``fresh=True`` every
step goes right, to a value not seen before (the page keeps what it computed per
thresholds, so a move back to a value seen before computes nothing). On a small
portfolio a step of one percent may move no account, and the chart then never
changes: use it at scale.

The probe must not weigh on what it measures. An SVG chart is watched by a
``MutationObserver``: its picture is compared with the one before only when its
marks change, and the time is the next frame after the change. An earlier probe
serialised the chart's markup at every animation frame until it changed: about
60 KB a frame for 60 accounts' points and 330 KB for 500, on the browser's one
main thread, so it slowed the large chart more than the small one (1.6 to 1.9×
against 1.2× for this probe in the same session; ``docs/performance.md``). A
canvas holds no marks to watch, so it is still compared at every frame.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

from bench.startup_bench import (
    CHART,
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE,
    ROOT,
    SLIDER_LABEL,
    launch_streamlit,
    stop,
    wait_healthy,
)

# The chart's current picture: canvas pixels when Vega draws on a canvas (it does
# above 2,000 points), the SVG's markup otherwise.
_SNAPSHOT_JS = """() => {
    const chart = document.querySelector('[data-testid="stVegaLiteChart"]');
    if (!chart) return null;
    const canvas = chart.querySelector('canvas');
    if (canvas) return canvas.toDataURL();
    const svg = chart.querySelector('svg');
    return svg ? svg.innerHTML : chart.innerHTML;
}"""
# Armed just before the key press; returns the in-page time of the press. Sets
# window.__benchDrawnAt to the first frame after the chart's picture differs.
_ARM_JS = f"""() => {{
    const snapshot = {_SNAPSHOT_JS};
    const before = snapshot();
    window.__benchDrawnAt = null;
    if (window.__benchChartObserver) window.__benchChartObserver.disconnect();
    const changed = () => {{
        const now = snapshot();
        if (now === null || now === before) return false;
        requestAnimationFrame(() => {{ window.__benchDrawnAt = performance.now(); }});
        return true;
    }};
    const chart = document.querySelector('[data-testid="stVegaLiteChart"]');
    if (chart && !chart.querySelector('canvas')) {{
        // the chart's own container: React may replace the chart node inside it
        const watched = chart.closest('[data-testid="stElementContainer"]') || chart;
        const observer = new MutationObserver(() => {{
            if (changed()) observer.disconnect();
        }});
        observer.observe(watched, {{subtree: true, childList: true, attributes: true,
                                    characterData: true}});
        window.__benchChartObserver = observer;
    }} else {{
        const poll = () => {{ if (!changed()) requestAnimationFrame(poll); }};
        requestAnimationFrame(poll);
    }}
    return performance.now();
}}"""
_DRAWN_JS = "() => window.__benchDrawnAt"
# Timestamps of the app's script state (running, notRunning, …), to split a sample
# into "the server reran the page" and "the browser drew the result".
_WATCH_STATE_JS = """() => {
    window.__benchStates = [];
    const app = document.querySelector('[data-testid="stApp"]');
    if (window.__benchObserver) window.__benchObserver.disconnect();
    window.__benchObserver = new MutationObserver(() => {
        window.__benchStates.push(
            [app.getAttribute('data-test-script-state'), performance.now()]);
    });
    window.__benchObserver.observe(app, {attributes: true,
        attributeFilter: ['data-test-script-state']});
    return performance.now();
}"""
# A rerun quicker than one frame may never show the page as running (its two
# state changes are drawn as one): a second after the chart changed with no state
# seen, the run had finished by the time the chart changed.
_RERUN_DONE_JS = """() => {
    const states = window.__benchStates || [];
    let ran = false;
    for (const [state, at] of states) {
        if (state === 'running') ran = true;
        else if (ran && state === 'notRunning') return at;
    }
    const changed = window.__benchDrawnAt;
    if (!ran && changed && performance.now() - changed > 1000) return changed;
    return null;
}"""


def slider_to_chart_ms(
    db_path: Path, samples: int = 10, warmup: int = 2, *, fresh: bool = False
) -> tuple[list[float], list[float]]:
    """Return ms from slider release to redrawn chart, and to the rerun's end, per sample.

    The second list says when the app reported its script run finished (the page's
    elements have arrived); the rest of the first figure is the browser drawing.
    """
    from playwright.sync_api import sync_playwright

    proc, url = launch_streamlit(ROOT / "app.py", db_path, f"browser-{db_path.stem}")
    try:
        wait_healthy(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{url}/segments")
                page.wait_for_selector(CHART, state="visible", timeout=300_000)
                page.wait_for_selector(IDLE, timeout=300_000)
                page.wait_for_timeout(1_000)
                thumb = (
                    page.locator('[data-testid="stSlider"]')
                    .filter(has_text=SLIDER_LABEL)
                    .get_by_role("slider")
                )
                thumb.focus()
                times: list[float] = []
                reruns: list[float] = []
                for number in range(warmup + samples):
                    page.wait_for_selector(IDLE, timeout=300_000)
                    key = "ArrowRight" if fresh or number % 2 == 0 else "ArrowLeft"
                    in_page_start = page.evaluate(_WATCH_STATE_JS)
                    pressed_at = page.evaluate(_ARM_JS)
                    page.keyboard.press(key)
                    # a cheap check, a few times a second: the probe above times it
                    page.wait_for_function(_DRAWN_JS, polling=50, timeout=300_000)
                    drawn_at = page.evaluate(_DRAWN_JS)
                    page.wait_for_function(_RERUN_DONE_JS, polling=50, timeout=300_000)
                    rerun_done = page.evaluate(_RERUN_DONE_JS)
                    if number >= warmup:
                        times.append(drawn_at - pressed_at)
                        reruns.append(rerun_done - in_page_start)
                    # Let the run finish before the next move.
                    page.wait_for_timeout(300)
            finally:
                browser.close()
    finally:
        stop(proc)
    return times, reruns


def run(db_path: Path, baseline_db: Path, samples: int = 10) -> dict[str, Any]:
    """Median slider-to-chart time at scale and on the baseline database."""
    baseline, baseline_reruns = slider_to_chart_ms(baseline_db, samples)
    scaled, reruns = slider_to_chart_ms(db_path, samples)
    return {
        "median_ms": statistics.median(scaled),
        "baseline_median_ms": statistics.median(baseline),
        "rerun_median_ms": statistics.median(reruns),
        "baseline_rerun_median_ms": statistics.median(baseline_reruns),
        "all_ms": scaled,
        "baseline_all_ms": baseline,
    }


if __name__ == "__main__":
    scale = Path(sys.argv[1])
    base = Path(sys.argv[2]) if len(sys.argv) > 2 else scale
    print(run(scale, base))
