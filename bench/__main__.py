"""Run every benchmark at scale, print one table and write ``bench/RESULTS.md``.

Usage: ``python -m bench`` (or ``bash dev.sh bench``). Options: ``--skip-browser``
leaves out the two Chromium measurements; ``--regenerate`` rebuilds the scale data.

The scale data (10,000 accounts, 250,000 contacts, 2,000,000 activities) is
generated once into ``bench/out/`` and reused. Each row pairs a figure with a
baseline measured in the same run. Import and AppTest figures are measured in
child processes, so their peak memory and caches are their own; DuckDB locks a file
per process, so no two parts hold the same database at once.

The baselines call DuckDB directly on purpose: they are the floor the workbench is
compared with, not application code.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
SCALE_DB = OUT / "scale.duckdb"
DEMO_DB = OUT / "demo.duckdb"
IMPORT_DIR = OUT / "import"
SCALE = {"accounts": 10_000, "contacts": 250_000, "activities": 2_000_000}
ACTIVITY_COLUMNS = (
    "activity_id",
    "account_id",
    "contact_id",
    "seller_id",
    "kind",
    "activity_date",
    "duration_minutes",
    "subject",
)
PACKAGES = (
    "streamlit",
    "duckdb",
    "polars",
    "altair",
    "pyvis",
    "networkx",
    "pyarrow",
    "playwright",
)
SEGMENT_TARGET_MS = 20.0
FLOOR_QUERIES = (
    "SELECT account_id, count(*), sum(duration_minutes) FROM activities GROUP BY 1",
    "SELECT account_id, count(*), sum(amount) FROM opportunities GROUP BY 1",
    "SELECT account_id, count(*), count(DISTINCT department) FROM contacts GROUP BY 1",
    "SELECT account_id, count(*), avg(score) FROM nps_responses GROUP BY 1",
)
BROWSER_TARGET_MS = 500.0


@dataclass
class Row:
    """One line of the results table."""

    measure: str
    value: str
    baseline: str
    ratio: str = ""
    target: str = ""
    note: str = ""


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_ms(run: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# --- the machine -------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
                break
    except OSError:
        pass
    os_name = platform.platform()
    try:
        release = dict(
            line.split("=", 1)
            for line in Path("/etc/os-release").read_text().splitlines()
            if "=" in line
        )
        os_name = (
            f"{release.get('PRETTY_NAME', '').strip(chr(34))} ({platform.release()})"
        )
    except OSError:
        pass
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    chromium = "not found"
    with contextlib.suppress(OSError):
        chromium = subprocess.run(
            ["/usr/bin/chromium", "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout.strip()
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": os_name,
        "Python": platform.python_version(),
        "packages": ", ".join(versions),
        "browser": chromium,
        "load average at start": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# --- data --------------------------------------------------------------------------


def ensure_databases(regenerate: bool) -> None:
    """Write the scale and the 60-account demo databases unless they are there."""
    from workbench import demo, store

    OUT.mkdir(parents=True, exist_ok=True)
    for path, options in ((SCALE_DB, SCALE), (DEMO_DB, {})):
        if regenerate and path.exists():
            path.unlink()
            path.with_suffix(".duckdb.wal").unlink(missing_ok=True)
        wanted = options.get("accounts", demo.DEFAULT_ACCOUNTS)
        if path.exists():
            con = store.connect(path)
            try:
                counts = store.table_counts(con)
            finally:
                con.close()
            if counts.get("accounts") == wanted and (
                not options or counts.get("activities") == options["activities"]
            ):
                continue
        say(f"generating {path.name} {options or '(demo)'}; this takes minutes")
        con = store.connect(path)
        try:
            demo.write_demo(con, **options)
        finally:
            con.close()


def ensure_import_files() -> tuple[Path, Path]:
    """The 2,000,000-row activity export and a database that has its references."""
    from workbench import store

    csv_path = IMPORT_DIR / "activities.csv"
    base = IMPORT_DIR / "base.duckdb"
    if csv_path.exists() and base.exists():
        return csv_path, base
    IMPORT_DIR.mkdir(parents=True, exist_ok=True)
    say("writing the activity export and its base database")
    con = store.connect(SCALE_DB, read_only=True)
    try:
        activities = store.read_table(con, "activities", order_by_key=False)
        references = {
            table: store.read_table(con, table, order_by_key=False)
            for table in ("sellers", "accounts", "contacts")
        }
    finally:
        con.close()
    activities.select(ACTIVITY_COLUMNS).write_csv(csv_path)
    del activities
    base.unlink(missing_ok=True)
    target = store.connect(base)
    try:
        with store.write_transaction(target) as cur:
            store.replace_data(cur, references)
    finally:
        target.close()
    return csv_path, base


# --- child processes ---------------------------------------------------------------


def child(kind: str, *args: str) -> dict[str, Any]:
    """Run ``python -m bench --child kind args`` and return the JSON it prints."""
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--child", kind, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            done.stderr.strip().splitlines()[-1] if done.stderr else kind
        )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def child_import_workbench(db: str, csv_path: str) -> dict[str, Any]:
    from workbench import ingest, store
    from workbench.domain import LOCAL_ACTOR

    con = store.connect(db)
    try:
        started = time.perf_counter()
        # The file has the workbench's own column names: a generic export.
        report = ingest.import_files(
            con, [Path(csv_path)], actor=LOCAL_ACTOR, source="generic"
        )
        seconds = time.perf_counter() - started
    finally:
        con.close()
    if not report.ok:
        raise RuntimeError(f"import rejected: {report.errors[:2]}")
    return {
        "seconds": seconds,
        "rows": report.written.get("activities", 0),
        "peak_mb": peak_rss_mb(),
    }


def child_import_duckdb(db: str, csv_path: str) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(db)
    try:
        started = time.perf_counter()
        con.execute(
            "CREATE TABLE activities AS SELECT * FROM read_csv($path)",
            {"path": csv_path},
        )
        rows = con.sql("SELECT count(*) FROM activities").fetchall()[0][0]
        seconds = time.perf_counter() - started
    finally:
        con.close()
    return {"seconds": seconds, "rows": rows, "peak_mb": peak_rss_mb()}


APP_TEST_TIMEOUT_S = 600


def child_apptest(db: str, repeats: str) -> dict[str, Any]:
    """Median rerun after a slider move: Segments at this database vs an empty page."""
    os.environ["WORKBENCH_DB"] = db
    from streamlit.testing.v1 import AppTest

    from workbench import store

    assert store.DB_ENV_VAR == "WORKBENCH_DB"
    count = int(repeats)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TEST_TIMEOUT_S)
    app.run()
    app.switch_page("pages/segments.py").run()
    if app.exception:
        raise RuntimeError(str(app.exception[0].message))
    values = [21.0, 20.0]
    app.slider(key="seg_top_pct").set_value(values[0]).run()  # warm the caches
    segment_times = []
    for number in range(count):
        started = time.perf_counter()
        app.slider(key="seg_top_pct").set_value(values[(number + 1) % 2]).run()
        segment_times.append((time.perf_counter() - started) * 1000)
        if app.exception:
            raise RuntimeError(str(app.exception[0].message))

    empty = AppTest.from_string(
        "import streamlit as st\nst.slider('x', 0.0, 100.0, 20.0, step=1.0, key='x')\n",
        default_timeout=60,
    )
    empty.run()
    empty.slider(key="x").set_value(values[0]).run()
    empty_times = []
    for number in range(count):
        started = time.perf_counter()
        empty.slider(key="x").set_value(values[(number + 1) % 2]).run()
        empty_times.append((time.perf_counter() - started) * 1000)
    return {
        "segments_ms": statistics.median(segment_times),
        "empty_ms": statistics.median(empty_times),
    }


def child_segment_bench(db: str) -> dict[str, Any]:
    """The segmentation engineer's own benchmark (bench/segment_bench.py), as is."""
    from dataclasses import asdict

    from bench import segment_bench

    timing = segment_bench.run_benchmark(
        Path(db), say=lambda message: print(message, file=sys.stderr)
    )
    return asdict(timing)


def child_import_bench(rows: str) -> dict[str, Any]:
    """The import engineer's own benchmark (bench/import_bench.py), as is."""
    from bench import import_bench

    return import_bench.run_bench(int(rows))


CHILDREN = {
    "import-bench": child_import_bench,
    "segment-bench": child_segment_bench,
    "import-workbench": child_import_workbench,
    "import-duckdb": child_import_duckdb,
    "apptest": child_apptest,
}


# --- the parts ---------------------------------------------------------------------


def part_import() -> list[Row]:
    csv_path, base = ensure_import_files()
    work = IMPORT_DIR / "target.duckdb"
    plain = IMPORT_DIR / "plain.duckdb"
    for path in (work, plain):
        path.unlink(missing_ok=True)
        path.with_suffix(".duckdb.wal").unlink(missing_ok=True)
    shutil.copy(base, work)
    say("import: DuckDB read_csv into a table (baseline)")
    duck = child("import-duckdb", str(plain), str(csv_path))
    say("import: the workbench's import of the same file")
    ours = child("import-workbench", str(work), str(csv_path))
    for path in (work, plain):
        path.unlink(missing_ok=True)
    rows = [
        Row(
            f"import {ours['rows']:,}-row activity export into the 10,000-account "
            f"database (generic CSV, {csv_path.stat().st_size / 1e6:,.0f} MB)",
            f"{ours['seconds']:.1f} s",
            f"DuckDB read_csv into a table: {duck['seconds']:.1f} s",
            f"{ours['seconds'] / duck['seconds']:.1f}×",
        ),
        Row(
            "import: peak memory of the import process (RSS)",
            f"{ours['peak_mb']:,.0f} MB",
            f"DuckDB read_csv process: {duck['peak_mb']:,.0f} MB",
            f"{ours['peak_mb'] / duck['peak_mb']:.1f}×",
        ),
    ]
    if (ROOT / "bench" / "import_bench.py").exists():
        say("bench/import_bench.py: 2,000,000-row Salesforce Task.csv")
        theirs = child("import-bench", "2000000")
        if not theirs["import_ok"]:
            raise RuntimeError(f"Task.csv import rejected: {theirs['import_errors']}")
        rows += [
            Row(
                f"import {theirs['activities']:,}-row Salesforce Task.csv "
                f"({theirs['file_mb']:,.0f} MB, bench/import_bench.py), median of 3",
                f"{theirs['import_seconds']:.1f} s",
                f"DuckDB read_csv into a table: {theirs['duckdb_seconds']:.1f} s",
                f"{theirs['ratio']:.1f}×",
                "≤ 1.5×: " + ("met" if theirs["ratio_target_met"] else "MISSED"),
            ),
            Row(
                f"import of the same Task.csv with 1 task in 1,000 naming a lead "
                f"({theirs['with_leads_warnings']} warning(s) with their rows)",
                f"{theirs['with_leads_seconds']:.1f} s",
                f"DuckDB read_csv into a table: {theirs['duckdb_seconds']:.1f} s",
                f"{theirs['with_leads_ratio']:.1f}×",
            ),
            Row(
                "import of Task.csv: peak memory (largest child process RSS)",
                f"{theirs['peak_rss_mb']:,.0f} MB",
                f"DuckDB read_csv process above: {duck['peak_mb']:,.0f} MB",
                f"{theirs['peak_rss_mb'] / duck['peak_mb']:.1f}×",
                "< 1,536 MB: " + ("met" if theirs["memory_target_met"] else "MISSED"),
            ),
        ]
    return rows


def part_segments() -> list[Row]:
    from workbench import store
    from workbench.analytics import segment

    con = store.connect(SCALE_DB, read_only=True)
    try:
        as_of = store.resolve_as_of(con)
        say("account features at scale")
        features_ms = median_ms(lambda: store.account_features(con, as_of), 3)
        # Floor: one plain grouped pass over each table the features read.
        floor_ms = median_ms(lambda: [con.sql(q).pl() for q in FLOOR_QUERIES], 3)
        features = store.account_features(con, as_of)
        overrides = store.relationship_overrides(con)
    finally:
        con.close()
    small = store.connect(DEMO_DB, read_only=True)
    try:
        small_features = store.account_features(small, store.resolve_as_of(small))
        small_overrides = store.relationship_overrides(small)
    finally:
        small.close()

    moved = segment.Thresholds(valuable_top_pct=25.0)

    def recompute(frame: Any, overrides_frame: Any) -> None:
        # What the Segments page does after a threshold moves (features are cached).
        segments = segment.assign_segments(frame, moved, overrides_frame)
        segment.segment_cuts(segments, moved)
        segment.segment_summary(segments)
        segment.segment_counts(segments)
        segment.account_table(segments)

    say("segment recompute")
    recompute(features, overrides)
    big_ms = median_ms(lambda: recompute(features, overrides), 21)
    recompute(small_features, small_overrides)
    small_ms = median_ms(lambda: recompute(small_features, small_overrides), 21)
    return [
        Row(
            f"account feature aggregation ({features.height:,} accounts, "
            "2,000,000 activities, 1.1 M opportunities)",
            f"{features_ms:,.0f} ms",
            f"one GROUP BY per table read: {floor_ms:,.0f} ms",
            f"{features_ms / floor_ms:.1f}×",
        ),
        Row(
            f"segment recompute after a threshold change ({features.height:,} accounts)",
            f"{big_ms:.1f} ms",
            f"same on {small_features.height} accounts: {small_ms:.1f} ms",
            f"{big_ms / small_ms:.1f}×",
            f"< {SEGMENT_TARGET_MS:.0f} ms: "
            + ("met" if big_ms < SEGMENT_TARGET_MS else "MISSED"),
        ),
    ]


def part_apptest() -> list[Row]:
    if (ROOT / "bench" / "segment_bench.py").exists():
        say("bench/segment_bench.py: recompute and AppTest rerun")
        timing = child("segment-bench", str(SCALE_DB))
        return [
            Row(
                "segment_bench: assign_segments alone (10,000 accounts), median of 51",
                f"{timing['recompute_ms']:.1f} ms",
                f"polars no-op on the same frame: {timing['baseline_noop_ms']:.2f} ms",
                f"{timing['recompute_ms'] / timing['baseline_noop_ms']:,.0f}×",
                f"< {SEGMENT_TARGET_MS:.0f} ms: "
                + ("met" if timing["recompute_ms"] < SEGMENT_TARGET_MS else "MISSED"),
            ),
            Row(
                "page rerun after a slider move (AppTest, Segments, 10,000 accounts), "
                "median of 7",
                f"{timing['page_rerun_s'] * 1000:,.0f} ms",
                f"empty page's rerun: {timing['empty_page_rerun_s'] * 1000:,.1f} ms",
                f"{timing['page_rerun_s'] / timing['empty_page_rerun_s']:,.0f}×",
            ),
        ]
    say("AppTest rerun after a slider move")
    result = child("apptest", str(SCALE_DB), "5")
    return [
        Row(
            "page rerun after a slider move (AppTest, Segments, 10,000 accounts)",
            f"{result['segments_ms']:,.0f} ms",
            f"empty page with one slider: {result['empty_ms']:,.1f} ms",
            f"{result['segments_ms'] / result['empty_ms']:,.0f}×",
        )
    ]


def part_browser() -> list[Row]:
    from bench import browser_bench

    say("Chromium: slider release to redrawn chart (both databases)")
    result = browser_bench.run(SCALE_DB, DEMO_DB, samples=10)
    median = result["median_ms"]
    return [
        Row(
            "browser: slider release to updated chart, median of 10 (10,000 accounts)",
            f"{median:,.0f} ms",
            f"same on 60 accounts: {result['baseline_median_ms']:,.0f} ms",
            f"{median / result['baseline_median_ms']:.1f}×",
            f"< {BROWSER_TARGET_MS:.0f} ms: "
            + ("met" if median < BROWSER_TARGET_MS else "MISSED"),
            "samples ms: "
            + ", ".join(f"{x:.0f}" for x in result["all_ms"])
            + f"; the app reported its rerun finished after {result['rerun_median_ms']:,.0f} ms "
            f"(60 accounts: {result['baseline_rerun_median_ms']:,.0f} ms), median; the "
            "chart is sent before the rest of the page, so it can change earlier",
        )
    ]


def part_map() -> list[Row]:
    from bench import map_bench

    say("buying-centre map")
    large = map_bench.time_account_map(1_000)
    small = map_bench.time_account_map(10)
    return [
        Row(
            f"build a {large.people:,}-contact buying-centre map (read, metrics, HTML)",
            f"{large.total_s * 1000:,.0f} ms",
            f"same for {small.people} contacts: {small.total_s * 1000:,.0f} ms",
            f"{large.total_s / small.total_s:.1f}×",
            note=f"HTML {large.html_bytes / 1e6:.2f} MB; read "
            f"{large.read_s * 1000:.0f} ms, metrics {large.analyse_s * 1000:.0f} ms, "
            f"HTML {large.html_s * 1000:.0f} ms",
        )
    ]


def part_startup() -> list[Row]:
    from bench import startup_bench

    say("cold start to first paint (app on the scale data, hello world)")
    result = startup_bench.run(SCALE_DB, repeats=3)
    return [
        Row(
            "cold start to first paint (streamlit run → Overview metric, 10,000 "
            "accounts), median of 3",
            f"{result['app_s']:.1f} s",
            f"hello-world Streamlit app: {result['hello_s']:.1f} s",
            f"{result['app_s'] / result['hello_s']:.1f}×",
        )
    ]


PARTS: tuple[tuple[str, Any, bool], ...] = (
    # (what, function, needs a browser)
    ("import", part_import, False),
    ("segments", part_segments, False),
    ("apptest", part_apptest, False),
    ("browser", part_browser, True),
    ("map", part_map, False),
    ("startup", part_startup, True),
)


# --- output ------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    header = ("measure", "value", "baseline (same run)", "ratio", "target")
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for row in rows:
        cells = (row.measure, row.value, row.baseline, row.ratio, row.target)
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def write_results(rows: list[Row], info: dict[str, str], seconds: float) -> None:
    notes = [f"- {row.measure}: {row.note}" for row in rows if row.note]
    text = "\n".join(
        [
            "# Benchmark results",
            "",
            "Written by `python -m bench` (`bash dev.sh bench`); do not edit by hand.",
            "",
            f"Run on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
            f"{seconds / 60:.1f} minutes in all. Scale data: 10,000 accounts, "
            "250,000 contacts, 2,000,000 activities (`workbench demo`, fixed seed).",
            "",
            "## Machine",
            "",
            *[f"- {key}: {value}" for key, value in info.items()],
            "",
            "## Results",
            "",
            "Each figure has a baseline measured in the same run on the same machine;",
            "the ratio is figure ÷ baseline. On a shared machine the absolute figures",
            "move with the load (see the load averages above); the ratios move less.",
            "",
            table(rows),
            "",
            *(["## Notes", "", *notes, ""] if notes else []),
        ]
    )
    RESULTS.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument(
        "--only", choices=[name for name, _, _ in PARTS], action="append"
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child:
        kind, *args = options.child
        print(json.dumps(CHILDREN[kind](*args)))
        return 0

    started = time.perf_counter()
    info = machine()
    ensure_databases(options.regenerate)
    rows: list[Row] = []
    for name, part, needs_browser in PARTS:
        if options.only and name not in options.only:
            continue
        if needs_browser and options.skip_browser:
            rows.append(Row(name, "not measured: --skip-browser", ""))
            continue
        try:
            rows.extend(part())
        except Exception as error:  # one broken part must not hide the others
            traceback.print_exc()
            rows.append(Row(name, f"not measured: {error}", ""))
    seconds = time.perf_counter() - started
    # Other work on the machine slows every figure; the ratios are the comparable part.
    info["load average at end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(table(rows))
    for row in rows:
        if row.note:
            print(f"  {row.measure}: {row.note}")
    if not options.no_write:
        write_results(rows, info, seconds)
        say(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
