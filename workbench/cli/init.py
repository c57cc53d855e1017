"""``workbench init``: create a database, empty or with the demo portfolio.

``--empty`` starts clean for real data: a new file gets the schema and nothing
else; a file that still holds the demo loses it (and the work done on it). A
database holding imported data is never emptied by this command.
"""

from __future__ import annotations

import argparse
from typing import Any

from workbench import demo, store
from workbench.cli._common import open_db, print_json, progress
from workbench.domain import LOCAL_ACTOR
from workbench.errors import RejectedInputError


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``init`` command."""
    parser = subparsers.add_parser(
        "init",
        parents=[common],
        help="create a database: empty (--empty) or with the demo portfolio",
        description="Create the database file with its schema. With --empty it holds "
        "no data, ready for your CRM exports; an existing file that holds only the "
        "demo portfolio is emptied. Without --empty the demo portfolio is written "
        "into a new or empty database. A database with imported data is left as it is.",
        epilog="examples:\n  workbench init --empty --db data/acme.duckdb\n"
        "  workbench init --db /tmp/demo.duckdb",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--empty", action="store_true", help="no demo data: start from your exports"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the outcome as one JSON object"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Create or empty the database; print the rows per table."""
    con = open_db(args)
    try:
        holds_demo = store.holds_demo(con)
        holds_data = any(store.table_counts(con).values())
        if holds_data and not holds_demo:
            raise RejectedInputError(
                "the database holds imported data; init changes nothing. Use another "
                "--db file for a fresh start."
            )
        if args.empty:
            store.remove_demo(con, LOCAL_ACTOR)
            outcome = "emptied the demo portfolio" if holds_demo else "created empty"
        elif holds_demo:
            outcome = "holds the demo portfolio already"
        else:
            demo.write_demo(con, progress=progress)
            outcome = "wrote the demo portfolio"
        counts = store.table_counts(con)
    finally:
        con.close()
    if args.json:
        print_json({"ok": True, "outcome": outcome, "counts": counts})
    else:
        print(f"database {outcome}")
        for table, rows in counts.items():
            print(f"  {table:22} {rows:>10,}")
    return 0
