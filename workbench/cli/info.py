"""``workbench info``: where the database is, its schema version and row counts."""

from __future__ import annotations

import argparse
from typing import Any

from workbench.cli._common import open_workbench, print_json


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``info`` command."""
    parser = subparsers.add_parser(
        "info",
        parents=[common],
        help="show the database file, its schema version and row counts",
        description="Show which database file is used, its schema version, and the "
        "number of rows in each CRM table.",
        epilog="examples:\n  workbench info\n  workbench info --db data/workbench.duckdb --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the database's facts."""
    with open_workbench(args) as wb:
        facts = wb.info()
    counts: dict[str, int] = facts["counts"]
    if args.json:
        print_json(facts)
    else:
        print(f"database        {facts['database']}")
        print(f"schema version  {facts['schema_version']}")
        for table, rows in counts.items():
            print(f"{table:22} {rows:>10,}")
    return 0
