"""What every part of the bench shares: where its files are, the targets, a result row.

The scale data's paths, the results file and the number of sessions are
set by :func:`configure` and ``main`` for a run: read them as
``common.SCALE_DB`` (and so on), not imported by name, so that a part sees
the run's own.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
SCALE_DB = OUT / "scale.duckdb"
DEMO_DB = OUT / "demo.duckdb"
IMPORT_DIR = OUT / "import"
SCALE = {"accounts": 10_000, "contacts": 250_000, "activities": 2_000_000}
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
SCALES = {
    "10k": {"accounts": 10_000, "contacts": 250_000, "activities": 2_000_000},
    "100k": {"accounts": 100_000, "contacts": 2_500_000, "activities": 20_000_000},
}
SEGMENT_TARGET_MS = 10.0
PAGE_TARGET_RATIO = 10.0
#: Reruns timed per page line.
PAGE_RUNS = 7
FEATURES_TARGET_RATIO = 5.0
IMPORT_TARGET_RATIO = 1.5
MEMORY_TARGET_RATIO = 1.5
BROWSER_TARGET_RATIO = 1.3
# What the Segments page keeps per rerun (workbench.app.screens.segments.PAGE_ROWS and
# workbench.app.screens.segments.CHART_POINTS; the same values, tested: the bench's
# children do not import the app).
SHOWN_ROWS = 200
CHART_POINTS = 500
FLOOR_QUERIES = (
    "SELECT account_id, count(*), sum(duration_minutes) FROM activities GROUP BY 1",
    "SELECT account_id, count(*), sum(amount) FROM opportunities GROUP BY 1",
    "SELECT account_id, count(*), count(DISTINCT department) FROM contacts GROUP BY 1",
    "SELECT account_id, count(*), avg(score) FROM nps_responses GROUP BY 1",
)
# The same passes reading every column the features read (the floor above reads
# two of each table's): a second, fairer floor, reported beside the first.
FEATURE_COLUMN_FLOOR_QUERIES = (
    "SELECT account_id, count(*), sum(duration_minutes), max(activity_date), "
    "count(contact_id), count(seller_id), max(kind) FROM activities GROUP BY 1",
    "SELECT account_id, count(*), sum(amount), count_if(is_won), "
    "count_if(is_closed), max(close_date), max(created_on), count(contract_id), "
    "sum(term_months) FROM opportunities GROUP BY 1",
    "SELECT account_id, count(*), count(DISTINCT department), count(contact_id), "
    "count(reports_to_id), max(title), max(buying_role), max(attitude) "
    "FROM contacts GROUP BY 1",
    "SELECT account_id, count(*), avg(score) FROM nps_responses GROUP BY 1",
)


def met(ok: bool) -> str:
    return "met" if ok else "MISSED"


@dataclass
class Row:
    """One line of the results table."""

    measure: str
    value: str
    baseline: str
    ratio: str = ""
    target: str = ""
    note: str = ""
    # the machine's one-minute load average when the figure was taken
    load: str = field(default_factory=lambda: f"{os.getloadavg()[0]:.1f}")


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """Peak resident memory of this process alone, in MB.

    Every measured step runs in a child of its own and reads this there, so no
    figure is another process's (``RUSAGE_CHILDREN`` would give the largest child
    so far to every later one).
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_ms(run: Any, repeats: int) -> float:
    """The median wall-clock time of ``repeats`` runs, in milliseconds."""
    return _median_of(time.perf_counter, run, repeats)


def median_cpu_ms(run: Any, repeats: int) -> float:
    """The median CPU time of this process (all its threads) over ``repeats`` runs."""
    return _median_of(time.process_time, run, repeats)


def _median_of(clock: Callable[[], float], run: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = clock()
        run()
        times.append((clock() - started) * 1000)
    return statistics.median(times)


# --- data --------------------------------------------------------------------------


def ensure_databases(regenerate: bool) -> None:
    """Write the scale and the 60-account demo databases unless they are there."""
    from bench import segment_bench
    from workbench import demo, store

    OUT.mkdir(parents=True, exist_ok=True)
    scales: tuple[tuple[Path, dict[str, int]], ...] = ((SCALE_DB, SCALE), (DEMO_DB, {}))
    for path, options in scales:
        if regenerate and path.exists():
            path.unlink()
            path.with_suffix(".duckdb.wal").unlink(missing_ok=True)
        wanted = options.get("accounts", demo.DEFAULT_ACCOUNTS)
        counts = segment_bench.stored_counts(path)
        if counts.get("accounts") == wanted and (
            not options or counts.get("activities") == options["activities"]
        ):
            continue
        say(f"generating {path.name} {options or '(demo)'}; this takes minutes")
        con = store.connect(path)
        try:
            demo.write_demo(
                con,
                accounts=options.get("accounts", demo.DEFAULT_ACCOUNTS),
                activities=options.get("activities", demo.DEFAULT_ACTIVITIES),
                contacts=options.get("contacts"),
            )
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
    # The columns a CRM's activity export holds: not the import's provenance.
    provenance = {"source", "source_id", "import_run_id"}
    activities.select(c for c in activities.columns if c not in provenance).write_csv(
        csv_path
    )
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


# --- the run's portfolio -------------------------------------------------------------


def configure(sizes: dict[str, int]) -> None:
    """Point the bench at the portfolio of these sizes (its own files and results)."""
    global SCALE, SCALE_DB, IMPORT_DIR, RESULTS
    SCALE = dict(sizes)
    if SCALES["10k"] != SCALE:
        label = f"{SCALE['accounts']}-{SCALE['contacts']}-{SCALE['activities']}"
        SCALE_DB = OUT / f"scale-{label}.duckdb"
        IMPORT_DIR = OUT / f"import-{label}"
        name = "100k" if SCALES["100k"] == SCALE else label
        RESULTS = ROOT / "bench" / f"RESULTS-{name}.md"
        # 20 million activities make a 1.3 GB file (2.2 GB as Salesforce's
        # Task.csv), over the import's default 1 GB limit for one file: raised
        # as an operator would on a machine meant for such exports.
        os.environ.setdefault(ingest_max_file_env(), "16384")


def ingest_max_file_env() -> str:
    from workbench import ingest

    return ingest.MAX_FILE_ENV_VAR


def sizes_text() -> str:
    return (
        f"{SCALE['accounts']:,} accounts, {SCALE['contacts']:,} contacts, "
        f"{SCALE['activities']:,} activities"
    )


#: Browser sessions at once in the sessions part (``--sessions``; set by ``main``).
SESSIONS = 20
SESSIONS_TARGET_RATIO = 3.0
