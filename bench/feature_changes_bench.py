"""Account features held, then brought up to date after small writes (issue 24).

The issue's other way to the aggregation's target: an import recomputes only
the accounts it touched. :func:`child_feature_changes` runs in a process of its
own on a copy of the database; :func:`rows` reports it against the floor.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import FEATURES_TARGET_RATIO, FLOOR_QUERIES, Row, median_ms, met

#: Accounts a small import touches, and activities per account it brings.
CHANGED_ACCOUNTS, CHANGED_ACTIVITIES = 20, 10


def child_feature_changes(db: str, copy: str) -> dict[str, Any]:
    """Features held, then brought up to date after a small import and a role edit.

    On a copy of the database (the writes must not change the other lines'),
    each of three rounds imports a file of ``CHANGED_ACTIVITIES`` activities
    for each of ``CHANGED_ACCOUNTS`` accounts through the checked path, then
    times the features brought up to date; then edits one person's role and
    times the same; then rewrites the copy's activities in date order and
    imports again. Against the floor and the whole aggregation, in this process.
    """
    import shutil

    import polars as pl
    from polars.testing import assert_frame_equal

    from workbench import store
    from workbench.domain import LOCAL_ACTOR

    shutil.copy(db, copy)
    con = store.connect(copy)
    try:
        store.migrate(con)
        as_of = store.resolve_as_of(con)
        floor_ms = median_ms(lambda: [con.sql(q).pl() for q in FLOOR_QUERIES], 3)
        whole_ms = median_ms(lambda: store.account_features(con, as_of), 3)
        held = store.features_up_to_date(con, as_of)
        accounts = held.features.get_column("account_id")
        seller = con.sql("SELECT min(seller_id) FROM sellers").fetchall()[0][0]
        after_import, held = _import_rounds(con, as_of, held, seller, "bench")
        after_edit: list[float] = []
        people = con.sql(
            "SELECT contact_id FROM contacts USING SAMPLE 3 ROWS (reservoir, 7)"
        ).fetchall()
        for (person,) in people:
            change = pl.DataFrame(
                {
                    "contact_id": [person],
                    "field": ["attitude"],
                    "new_value": ["neutral"],
                }
            )
            store.save_contact_edits(con, LOCAL_ACTOR, change)
            started = time.perf_counter()
            held = store.features_up_to_date(con, as_of, held=held)
            after_edit.append((time.perf_counter() - started) * 1000)
        # what was brought up to date is what adding up gives (checked once; sums
        # of fewer rows may differ in their last bits: the order of addition)
        assert_frame_equal(
            held.features, store.account_features(con, as_of), rel_tol=1e-9
        )
        # The generated file holds each account's activities together (it is
        # written account by account); a CRM exports them in the order they
        # were logged, so an account's rows are spread over the whole table
        # and reading a few accounts' rows scans every column of it.
        _activities_in_date_order(con)
        held = store.features_up_to_date(con, as_of)
        spread, held = _import_rounds(con, as_of, held, seller, "spread")
        assert_frame_equal(
            held.features, store.account_features(con, as_of), rel_tol=1e-9
        )
    finally:
        con.close()
        Path(copy).unlink(missing_ok=True)
        Path(f"{copy}.wal").unlink(missing_ok=True)
    return {
        "after_import_ms": statistics.median(after_import),
        "after_edit_ms": statistics.median(after_edit),
        "after_import_spread_ms": statistics.median(spread),
        "floor_ms": floor_ms,
        "whole_ms": whole_ms,
        "accounts": len(accounts),
    }


def _import_rounds(
    con: Any, as_of: Any, held: Any, seller: str, prefix: str
) -> tuple[list[float], Any]:
    """Three rounds: a small file of activities imported, then the features
    brought up to date and timed; returns the times and the last features."""
    from workbench import ingest, store
    from workbench.domain import LOCAL_ACTOR

    accounts = held.features.get_column("account_id")
    times: list[float] = []
    for round_ in range(3):
        chosen = accounts.sample(CHANGED_ACCOUNTS, seed=round_).to_list()
        lines = ["activity_id,account_id,seller_id,kind,activity_date,duration_minutes"]
        lines += [
            f"{prefix}-{round_}-{a}-{i},{a},{seller},call,{as_of},30"
            for a in chosen
            for i in range(CHANGED_ACTIVITIES)
        ]
        report = ingest.import_files(
            con,
            [("activities.csv", "\n".join(lines).encode())],
            actor=LOCAL_ACTOR,
            source="generic",
        )
        if not report.ok:
            raise RuntimeError(f"import rejected: {report.errors[:2]}")
        started = time.perf_counter()
        held = store.features_up_to_date(con, as_of, held=held)
        times.append((time.perf_counter() - started) * 1000)
    return times, held


def _activities_in_date_order(con: Any) -> None:
    """Rewrite the copy's activities in the order they were logged (date, ID)."""
    from workbench import store

    with store.write_transaction(con) as cur:
        cur.execute(
            "CREATE TEMP TABLE _by_date AS "
            "SELECT * FROM activities ORDER BY activity_date, activity_id"
        )
        cur.execute("DELETE FROM activities")
        cur.execute("INSERT INTO activities SELECT * FROM _by_date")
        cur.execute("DROP TABLE _by_date")
    con.execute("CHECKPOINT")


def rows(run: dict[str, Any]) -> list[Row]:
    """The features held and brought up to date, against the floor (the issue's
    other way to the aggregation's target: recompute only what a write touched)."""
    whole = f"adding every account up again in the same run: {run['whole_ms']:,.0f} ms"
    rows = []
    for what, key in (
        (
            f"an import of {CHANGED_ACTIVITIES} activities for each of "
            f"{CHANGED_ACCOUNTS} accounts (checked path)",
            "after_import_ms",
        ),
        (
            "the same import, the file's activities in the order they were "
            "logged (as a CRM exports them; the generated file holds each "
            "account's together)",
            "after_import_spread_ms",
        ),
        ("one person's attitude edited in a workshop", "after_edit_ms"),
    ):
        ratio = run[key] / run["floor_ms"]
        rows.append(
            Row(
                f"account features brought up to date after {what} "
                f"({run['accounts']:,} accounts held), median of 3",
                f"{run[key]:,.0f} ms",
                f"one GROUP BY per table read: {run['floor_ms']:,.0f} ms",
                f"{ratio:.1f}×",
                f"≤ {FEATURES_TARGET_RATIO:.0f}×: {met(ratio <= FEATURES_TARGET_RATIO)}",
                note=f"{whole} ({run['whole_ms'] / run[key]:.1f}× longer)",
            )
        )
    return rows
