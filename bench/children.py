"""What the bench measures in child processes: each prints one JSON line.

An import, an aggregation or an AppTest session runs in a fresh process of
its own (``python -m bench --child KIND ...``), so its peak memory and its
caches are its own.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import feature_changes_bench
from bench.common import (
    FEATURE_COLUMN_FLOOR_QUERIES,
    FLOOR_QUERIES,
    PAGE_RUNS,
    ROOT,
    median_cpu_ms,
    median_ms,
    peak_rss_mb,
)

#: How long an AppTest run may take in a child (a first opening at 100,000 accounts).
APP_TEST_TIMEOUT_S = 600


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
        Path(db),
        page_runs=PAGE_RUNS,
        say=lambda message: print(message, file=sys.stderr),
        ensure=False,
    )
    return asdict(timing)


def child_openings(db: str) -> dict[str, Any]:
    """First openings under AppTest (bench/openings_bench.py), in a fresh process."""
    from bench import openings_bench

    return openings_bench.time_openings(Path(db))


def child_import_bench(rows: str) -> dict[str, Any]:
    """The import engineer's own benchmark (bench/import_bench.py), as is."""
    from bench import import_bench

    return import_bench.run_bench(int(rows))


def child_whole_export(rows: str, accounts: str, contacts: str) -> dict[str, Any]:
    """A whole Salesforce export, imported and read by DuckDB (each in its child)."""
    from bench import import_bench

    return import_bench.run_whole_export(
        int(rows),
        accounts=int(accounts),
        contacts=int(contacts),
        opportunities=int(accounts) * 20,
    )


def child_features(db: str) -> dict[str, Any]:
    """Feature aggregation against its floor, in a process of its own."""
    from workbench import store

    con = store.connect(db, read_only=True)
    try:
        as_of = store.resolve_as_of(con)
        counts = store.table_counts(con)
        features_ms = median_ms(lambda: store.account_features(con, as_of), 3)
        # Floor: one plain grouped pass over each table the features read.
        floor_ms = median_ms(lambda: [con.sql(q).pl() for q in FLOOR_QUERIES], 3)
        # CPU time of this process (every thread), which moves far less with the
        # machine's load than wall time: a longer statement loses more of its
        # wall time to other processes on a shared machine than a short one.
        features_cpu_ms = median_cpu_ms(lambda: store.account_features(con, as_of), 3)
        floor_cpu_ms = median_cpu_ms(
            lambda: [con.sql(q).pl() for q in FLOOR_QUERIES], 3
        )
        columns_floor_cpu_ms = median_cpu_ms(
            lambda: [con.sql(q).pl() for q in FEATURE_COLUMN_FLOOR_QUERIES], 3
        )
    finally:
        con.close()
    return {
        "features_ms": features_ms,
        "floor_ms": floor_ms,
        "features_cpu_ms": features_cpu_ms,
        "floor_cpu_ms": floor_cpu_ms,
        "columns_floor_cpu_ms": columns_floor_cpu_ms,
        "activities": counts["activities"],
        "opportunities": counts["opportunities"],
        "peak_mb": peak_rss_mb(),
        "db_mb": Path(db).stat().st_size / 1e6,
    }


CHILDREN: dict[str, Callable[..., Any]] = {
    "import-bench": child_import_bench,
    "whole-export": child_whole_export,
    "features": child_features,
    "feature-changes": feature_changes_bench.child_feature_changes,
    "segment-bench": child_segment_bench,
    "import-workbench": child_import_workbench,
    "import-duckdb": child_import_duckdb,
    "apptest": child_apptest,
    "openings": child_openings,
}
