"""Several processes writing one database file at once: do they queue or fail?

Usage: ``python -m bench.concurrency_bench [--writers 20] [--db FILE]``.

Each writer is its own process (as a nightly job, a backup and the app are). The
writers first import the workbench and open nothing; then, released together, each
makes one relationship override through ``Workbench.on_file`` (open the file, write,
close). The run is made twice: once with ``WORKBENCH_LOCK_TIMEOUT=0`` (one try, as
before the store waited for the lock) and once with the default wait. It prints how
many writers succeeded, how many overrides are in the file afterwards, and the
slowest writer's wait.

The test suite (``tests/test_concurrency.py``) uses :func:`run_writers` too, and
asserts only that every write succeeded and none was lost.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class WritersResult:
    """What a run of concurrent writers did."""

    writers: int
    succeeded: int
    errors: list[str]
    overrides_after: int
    wall_seconds: float
    slowest_seconds: float


def _write_one(
    path: str, account_id: str, timeout: str, ready: Any, start: Any, results: Any
) -> None:
    os.environ["WORKBENCH_LOCK_TIMEOUT"] = timeout
    from workbench.api import Workbench

    workbench = Workbench.on_file(path)
    ready.put(account_id)
    start.wait()
    began = time.perf_counter()
    try:
        workbench.set_relationship(
            account_id, "partnership", f"decided in process {os.getpid()}"
        )
        results.put((account_id, None, time.perf_counter() - began))
    except Exception as error:  # reported, not raised: the parent counts them
        results.put((account_id, f"{type(error).__name__}: {error}", 0.0))


def run_writers(
    path: str | os.PathLike[str], writers: int = 20, *, timeout: float | None = None
) -> WritersResult:
    """Start ``writers`` processes that each write one override at the same moment."""
    from workbench import store

    with store.unit_of_work(path) as con:
        accounts = store.buying_centre_accounts(con)["account_id"].to_list()
        before = store.relationship_overrides(con).height
    if len(accounts) < writers:
        raise ValueError(f"need {writers} accounts, the file has {len(accounts)}")
    context = mp.get_context("spawn")
    start = context.Event()
    ready = context.Queue()
    results = context.Queue()
    setting = "" if timeout is None else f"{timeout:g}"
    processes = [
        context.Process(
            target=_write_one,
            args=(str(path), accounts[i], setting, ready, start, results),
        )
        for i in range(writers)
    ]
    for process in processes:
        process.start()
    # Every writer has finished importing before they are released together.
    for _ in processes:
        ready.get(timeout=300)
    began = time.perf_counter()
    start.set()
    outcomes = [results.get(timeout=300) for _ in processes]
    wall = time.perf_counter() - began
    for process in processes:
        process.join(timeout=60)
    with store.unit_of_work(path) as con:
        after = store.relationship_overrides(con).height
    errors = [error for _, error, _ in outcomes if error]
    return WritersResult(
        writers=writers,
        succeeded=writers - len(errors),
        errors=errors,
        overrides_after=after - before,
        wall_seconds=wall,
        slowest_seconds=max(seconds for _, _, seconds in outcomes),
    )


def main(argv: list[str] | None = None) -> int:
    """Print the figures for one-try and waiting writers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--db", help="a database to copy (default: a new demo)")
    args = parser.parse_args(argv)
    from workbench import demo, store

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "source.duckdb"
        if args.db:
            shutil.copy(args.db, source)
        else:
            with store.unit_of_work(source) as con:
                demo.write_demo(con, accounts=60, activities=2_000)
        print(f"{args.writers} processes, one relationship override each, at once")
        for label, timeout in (("one try (before)", 0.0), ("waiting (now)", None)):
            path = Path(folder) / f"{label[:3]}.duckdb"
            shutil.copy(source, path)
            result = run_writers(path, args.writers, timeout=timeout)
            print(
                f"  {label:18} {result.succeeded:>3}/{result.writers} succeeded, "
                f"{result.overrides_after:>3} overrides stored, "
                f"all done in {result.wall_seconds:5.2f} s, "
                f"slowest writer {result.slowest_seconds:5.2f} s"
            )
            for error in sorted(set(result.errors))[:1]:
                print(f"    e.g. {error[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
