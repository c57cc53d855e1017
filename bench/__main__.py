"""Run every benchmark at scale, print one table and write ``bench/RESULTS.md``.

Usage: ``python -m bench`` (or ``bash dev.sh bench``). Options: ``--skip-browser``
leaves out the two Chromium measurements; ``--regenerate`` rebuilds the scale data;
``--only PART`` runs some parts; ``--accounts``, ``--contacts``, ``--activities``
set the portfolio's size and ``--scale 100k`` picks the ten-times point (100,000
accounts, 2.5 M contacts, 20 M activities: about an hour to generate on two cores
and a few GB of disk; it writes ``bench/RESULTS-100k.md``).

The scale data (by default 10,000 accounts, 250,000 contacts, 2,000,000 activities)
is generated once into ``bench/out/`` and reused. Each row pairs a figure with a
baseline measured in the same run. Import and AppTest figures are measured in
child processes, so their peak memory and caches are their own; DuckDB locks a file
per process, so no two parts hold the same database at once.

The baselines call DuckDB directly on purpose: they are the floor the workbench is
compared with, not application code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback

from bench import common
from bench.children import CHILDREN
from bench.common import ROOT, SCALES, Row, configure, ensure_databases, say
from bench.parts import PARTS
from bench.results import machine, merged, table, write_results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument(
        "--only", choices=[name for name, _, _ in PARTS], action="append"
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--scale", choices=sorted(SCALES), default="10k", help="portfolio size preset"
    )
    parser.add_argument(
        "--sessions",
        type=int,
        default=common.SESSIONS,
        help="concurrent browser sessions",
    )
    parser.add_argument("--accounts", type=int, help="accounts (overrides --scale)")
    parser.add_argument("--contacts", type=int, help="contacts (overrides --scale)")
    parser.add_argument("--activities", type=int, help="activities (overrides --scale)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child:
        kind, *args = options.child
        print(json.dumps(CHILDREN[kind](*args)))
        return 0

    sizes = dict(SCALES[options.scale])
    for name in ("accounts", "contacts", "activities"):
        if getattr(options, name):
            sizes[name] = getattr(options, name)
    configure(sizes)
    common.SESSIONS = options.sessions
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
        # a partial run replaces its own lines and keeps the others' (each line
        # carries the load average it was measured under)
        write_results(
            merged(rows) if options.only else rows, info, seconds, options.only
        )
        say(f"wrote {common.RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
