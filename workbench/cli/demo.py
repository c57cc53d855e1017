"""``workbench demo``: write the deterministic demo portfolio."""

from __future__ import annotations

import argparse
from typing import Any

from workbench import demo
from workbench.cli._common import open_db, print_json, progress, usage_error


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``demo`` command."""
    parser = subparsers.add_parser(
        "demo",
        parents=[common],
        help="replace the database's CRM data with the deterministic demo portfolio",
        description="Replace every CRM table in the database with a generated, "
        "deterministic portfolio of an industrial supplier. Plans, scenarios and "
        "settings are kept.",
        epilog="examples:\n  workbench demo\n  workbench demo --db /tmp/demo.duckdb\n"
        "  workbench demo --db big.duckdb --accounts 10000 --contacts 250000 "
        "--activities 2000000",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--accounts",
        type=int,
        default=demo.DEFAULT_ACCOUNTS,
        metavar="N",
        help="accounts (default %(default)s)",
    )
    parser.add_argument(
        "--activities",
        type=int,
        default=demo.DEFAULT_ACTIVITIES,
        metavar="M",
        help="activities (default %(default)s)",
    )
    parser.add_argument(
        "--contacts",
        type=int,
        default=None,
        metavar="C",
        help=f"contacts (default {demo.CONTACTS_PER_ACCOUNT} per account)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=demo.DEFAULT_SEED,
        help="random seed (default %(default)s)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the row counts as JSON"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Generate and write the demo; print the row counts."""
    if (
        args.accounts < 1
        or args.activities < 0
        or (args.contacts is not None and args.contacts < args.accounts)
    ):
        return usage_error(
            "demo", "need --accounts ≥ 1, --activities ≥ 0 and --contacts ≥ --accounts"
        )
    con = open_db(args)
    try:
        counts = demo.write_demo(
            con,
            args.accounts,
            args.activities,
            contacts=args.contacts,
            seed=args.seed,
            progress=progress,
        )
    finally:
        con.close()
    if args.json:
        print_json({"ok": True, "counts": counts})
    else:
        for table, rows in counts.items():
            print(f"{table:22} {rows:>10,}")
    return 0
