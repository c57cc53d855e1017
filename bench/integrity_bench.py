"""Benchmark: what the import's integrity and hierarchy checks cost.

Run ``python bench/integrity_bench.py [CONTACTS]`` (default 100,000). It writes a
Salesforce ``Account.csv`` and ``Contact.csv`` whose people report to each other
(with one reporting cycle per thousand people and one manager missing per
thousand), imports them into a fresh database (staged path: every value,
reference and reporting line checked, the orphan check inside the commit), and
prints:

* the whole import's time,
* the time of the commit's orphan check alone, re-run on the committed rows,
  and its share of the import,
* the number of warnings and the orphans left (0).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench import ingest, store  # noqa: E402
from workbench.domain import Actor  # noqa: E402
from workbench.store.imports import integrity  # noqa: E402
from workbench.store.imports.integrity import REFERENCES  # noqa: E402

ANALYST = Actor(name="bench", role="analyst")


def _write_export(folder: Path, contacts: int) -> None:
    accounts = max(1, contacts // 50)
    pl.DataFrame(
        {
            "Id": [f"001B{i:014d}" for i in range(accounts)],
            "Name": [f"Account {i}" for i in range(accounts)],
        }
    ).write_csv(folder / "Account.csv")
    ids = [f"003B{i:014d}" for i in range(contacts)]
    managers: list[str | None] = []
    for i in range(contacts):
        first_of_account = i % 50 == 0
        if i % 1000 == 1:
            managers.append(f"003B{i + 1:014d}")  # with the next line: a cycle
        elif i % 1000 == 2:
            managers.append(ids[i - 1])
        elif i % 1000 == 3:
            managers.append("003BDELETED0000000")  # not in the export
        else:
            managers.append(None if first_of_account else ids[i - i % 50])
    pl.DataFrame(
        {
            "Id": ids,
            "AccountId": [f"001B{i // 50:014d}" for i in range(contacts)],
            "LastName": [f"Person {i}" for i in range(contacts)],
            "ReportsToId": managers,
        }
    ).write_csv(folder / "Contact.csv")


def main() -> None:
    contacts = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        _write_export(folder, contacts)
        con = store.connect(folder / "bench.duckdb")
        started = time.perf_counter()
        report = ingest.import_files(
            con, [folder / "Account.csv", folder / "Contact.csv"], actor=ANALYST
        )
        whole = time.perf_counter() - started
        assert report.ok, report.errors[:3]
        # The commit's check, once more over the rows just written.
        with store.write_transaction(con) as cur:
            for table in ("accounts", "contacts"):
                cur.execute(
                    f"CREATE OR REPLACE TEMP TABLE _import_new_{table} AS "
                    f"SELECT * FROM {table}"
                )
            started = time.perf_counter()
            integrity.import_assert_no_orphans(cur, ["accounts", "contacts"])
            check = time.perf_counter() - started
            cur.execute("DROP TABLE _import_new_accounts")
            cur.execute("DROP TABLE _import_new_contacts")
        orphans = sum(store.orphan_counts(con).values())
        con.close()
    warnings = sum(1 for p in report.problems if p.level == "warning")
    print(f"contacts imported        {report.counts['contacts']:>12,}")
    print(f"references checked       {len(REFERENCES):>12}")
    print(f"whole import             {whole:>11.2f}s")
    print(
        f"orphan check in commit   {check:>11.3f}s  ({check / whole:.1%} of the import)"
    )
    print(f"warnings                 {warnings:>12,}")
    print(f"orphans after commit     {orphans:>12,}")


if __name__ == "__main__":
    main()
