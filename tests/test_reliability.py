"""Many sessions at once, and a process killed mid-write: nothing lost, nothing half-done.

Streamlit runs each browser session's script in its own thread over one shared
connection; each thread takes its own cursor. The simulation below does the same
with 20 threads reading and writing through the library's public writers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from typing import TYPE_CHECKING

import polars as pl
import pytest

from tests.conftest import REAL_DATASETS
from workbench import plans, store
from workbench.domain import Actor

if TYPE_CHECKING:
    from pathlib import Path

SESSIONS = 20
ROUNDS = 4
ANALYST = Actor(name="analyst", role="analyst")


def _run_sessions(body, sessions: int = SESSIONS) -> list[BaseException]:
    """Run ``body(index)`` in parallel threads released together; return errors."""
    errors: list[BaseException] = []
    start = threading.Barrier(sessions)

    def session(index: int) -> None:
        try:
            start.wait()
            body(index)
        except BaseException as error:  # collected and asserted on below
            errors.append(error)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a session hung"
    return errors


def test_twenty_sessions_read_and_edit_without_errors_or_lost_updates(demo_con):
    con = demo_con
    contacts = store.read_table(con, "contacts").sort("contact_id")
    accounts = store.read_table(con, "accounts")["account_id"].sort().to_list()
    version_before = store.data_version(con)
    edits_before = store.read_table(con, "contact_edits").height
    attitudes = ("champion", "supporter", "neutral", "skeptic", "blocker")
    # Every session edits its own people, so each save changes exactly one value.
    mine = {
        i: contacts["contact_id"][i * ROUNDS : (i + 1) * ROUNDS].to_list()
        for i in range(SESSIONS)
    }
    old_attitude = dict(zip(contacts["contact_id"], contacts["attitude"], strict=True))
    expected_attitude: dict[str, str] = {}
    for index, people in mine.items():
        for round_, contact_id in enumerate(people):
            choices = [a for a in attitudes if a != old_attitude[contact_id]]
            expected_attitude[contact_id] = choices[(index + round_) % len(choices)]
    shared_account = accounts[0]
    saves = {"plan": 0, "conflicts": 0}
    lock = threading.Lock()

    def session(index: int) -> None:
        actor = Actor(name=f"analyst-{index}", role="analyst")
        for round_, contact_id in enumerate(mine[index]):
            # read as a page would: headline figures and a table, each on a cursor
            summary = store.portfolio_summary(con)
            assert summary["accounts"] == len(accounts)
            assert store.read_table(con, "accounts").height == len(accounts)
            changed = store.save_contact_edits(
                con,
                actor,
                pl.DataFrame(
                    {
                        "contact_id": [contact_id],
                        "field": ["attitude"],
                        "new_value": [expected_attitude[contact_id]],
                    }
                ),
            )
            assert changed == 1
            store.set_relationship_override(
                con,
                actor,
                accounts[index + 1],
                "partnership" if round_ % 2 else "transactional",
                f"round {round_} by session {index}",
            )
            # Everyone edits the same plan: each save must build on the newest
            # version, and a stale one is refused, never silently overwritten.
            while True:
                head = plans.load_plan(con, shared_account)
                based_on = head.version if head else 0
                plan = head.plan if head else plans.new_plan(shared_account, "Shared")
                try:
                    plans.save_plan(con, actor, plan, based_on=based_on)
                except plans.PlanConflictError:
                    with lock:
                        saves["conflicts"] += 1
                    continue
                with lock:
                    saves["plan"] += 1
                break

    # How long the sessions take is the benchmarks' business; here, only that
    # none fails and no update is lost.
    errors = _run_sessions(session)
    assert not errors, errors[:3]

    # No lost update: every edit is recorded once, every value is the one written.
    edits = store.read_table(con, "contact_edits")
    assert edits.height - edits_before == SESSIONS * ROUNDS
    assert edits["edit_id"].n_unique() == edits.height
    after = store.read_table(con, "contacts")
    now_attitude = dict(zip(after["contact_id"], after["attitude"], strict=True))
    assert {c: now_attitude[c] for c in expected_attitude} == expected_attitude
    overrides = store.read_table(con, "relationship_overrides")
    assert set(overrides["account_id"]) >= set(accounts[1 : SESSIONS + 1])
    assert (
        overrides.filter(pl.col("account_id").is_in(accounts[1 : SESSIONS + 1]))[
            "reason"
        ]
        .str.starts_with(f"round {ROUNDS - 1} by session")
        .all()
    )
    history = plans.plan_history(con, shared_account)
    assert saves["plan"] == SESSIONS * ROUNDS
    assert sorted(history["version"].to_list()) == list(range(1, SESSIONS * ROUNDS + 1))
    # Every committed write bumped the data version exactly once.
    writes = SESSIONS * ROUNDS * 3
    assert store.data_version(con) - version_before == writes


def test_concurrent_readers_see_whole_transactions(demo_con):
    """A reader never sees half of a write: counts move in whole steps only."""
    con = demo_con
    base = store.table_counts(con)["nps_responses"]
    step = 500
    template = store.read_table(con, "nps_responses").head(step)
    seen: list[int] = []
    done = threading.Event()

    def writer() -> None:
        for batch in range(10):
            frame = template.with_columns(
                (pl.col("response_id") + f"-copy{batch}").alias("response_id")
            )
            with store.write_transaction(con) as cur:
                for chunk in frame.iter_slices(50):  # many statements, one transaction
                    store.insert_frame(cur, "nps_responses", chunk)
        done.set()

    def reader(_: int) -> None:
        while not done.is_set():
            seen.append(store.table_counts(con)["nps_responses"])

    errors = _run_sessions(lambda i: writer() if i == 0 else reader(i), sessions=6)
    assert not errors, errors[:3]
    assert seen
    assert all((count - base) % step == 0 for count in seen), sorted(set(seen))[:10]
    assert store.table_counts(con)["nps_responses"] == base + 10 * step


_KILLED_WRITER = textwrap.dedent(
    """
    import sys, time
    import polars as pl
    from workbench import demo, store

    con = store.connect(sys.argv[1])
    frames = demo.generate(60, 120_000, seed=7)
    activities = frames["activities"].with_columns(
        ("killed-" + pl.col("activity_id")).alias("activity_id")
    )
    with store.write_transaction(con) as cur:
        # What a replacing import does: empty the tables, then fill them again.
        for table in reversed(store.DATA_TABLES):
            cur.execute(f"DELETE FROM {table}")
        store.insert_frame(cur, "accounts", frames["accounts"])
        store.set_meta(cur, "half_done", "yes")
        print("MIDWAY", flush=True)
        while True:  # keep writing until killed
            for chunk in activities.iter_slices(20_000):
                store.insert_frame(cur, "activities", chunk)
                time.sleep(0.05)
            activities = activities.with_columns(pl.col("activity_id") + "+")
    """
)


def _snapshot(path: Path) -> dict[str, pl.DataFrame]:
    con = store.connect(path, read_only=True)
    try:
        return {t: store.read_catalog_table(con, t) for t in store.catalog_tables(con)}
    finally:
        con.close()


def _kill_writer_and_compare(
    demo_db: Path, script: str, argv: list[str], marker: bytes, wait: float
) -> None:
    """Run ``script``, kill it ``wait`` seconds after it prints ``marker``, and
    check that every table holds exactly what it held before."""
    store.connect(demo_db).close()  # migrated, as the writer will find it
    before = _snapshot(demo_db)
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(demo_db), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == marker, proc.stderr.read() if proc.stderr else line
        time.sleep(wait)
        assert proc.poll() is None, "the writer stopped before it was killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    after = _snapshot(demo_db)
    # The writer's own connect may have applied a migration (committed on its own
    # before the import began); such a table is new and empty.
    assert set(before) <= set(after)
    assert all(after[t].is_empty() for t in set(after) - set(before))
    for table, frame in before.items():
        assert after[table].equals(frame, null_equal=True), table


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_process_killed_mid_import_leaves_the_database_as_it_was(demo_db: Path):
    # killed deep inside the transaction: several chunks written
    _kill_writer_and_compare(demo_db, _KILLED_WRITER, [], b"MIDWAY", 0.8)
    con = store.connect(demo_db)  # writable again, and still usable
    try:
        assert store.get_meta(con, "half_done") is None
        assert store.table_counts(con)["accounts"] == 63
    finally:
        con.close()


_KILLED_IMPORT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import polars as pl
    from workbench import ingest, store
    from workbench.domain import LOCAL_ACTOR

    folder = Path(sys.argv[2])
    pipeline = pl.read_csv(folder / "sales_pipeline.csv", infer_schema=False)
    bigger = pl.concat(
        pipeline.with_columns(pl.col("opportunity_id") + f"-{i}") for i in range(8)
    )
    files = [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.csv"))
             if p.name != "sales_pipeline.csv"]
    files.append(("sales_pipeline.csv", bigger.write_csv().encode()))

    commit_rows = store.import_commit

    def slow_commit(*args, **kwargs):
        # Say when the upsert starts, then hold the transaction open after it:
        # the kill lands while the import's rows are written but not committed.
        print("WRITING", flush=True)
        result = commit_rows(*args, **kwargs)
        print("WRITTEN", flush=True)
        time.sleep(60)
        return result

    store.import_commit = slow_commit
    con = store.connect(sys.argv[1])
    ingest.import_files(con, files, actor=LOCAL_ACTOR)
    print("COMMITTED", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_process_killed_in_the_import_pipeline_changes_nothing(demo_db: Path):
    folder = REAL_DATASETS / "maven-crm-sales-opportunities"
    if not (folder / "sales_pipeline.csv").exists():
        pytest.skip("the real sample exports are not available")
    ingest = pytest.importorskip("workbench.ingest")
    assert hasattr(ingest, "import_files")
    # killed in the middle of the upsert, or just after it
    _kill_writer_and_compare(demo_db, _KILLED_IMPORT, [str(folder)], b"WRITING", 0.5)
