"""``workbench effort``: our effort per account against its type, segment and value."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from workbench import exports
from workbench.analytics import effort
from workbench.cli._common import (
    add_as_of_and_scenario,
    open_workbench,
    print_json,
    progress,
)
from workbench.errors import RejectedInputError


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``effort`` command."""
    parser = subparsers.add_parser(
        "effort",
        parents=[common],
        help="effort hours per account against its relationship type and value",
        description="Effort of the 12 months up to the as-of date per account: "
        "recorded minutes plus assumed minutes for activities without a duration, "
        "activities, shares of effort, revenue and contribution, and the effort "
        "index (hours against what the margin justifies for the account's type). "
        "With --issues, the misallocation list instead.",
        epilog="examples:\n"
        "  workbench effort\n"
        "  workbench effort --json > effort.json\n"
        "  workbench effort --as-of 2026-06-30 --csv > effort.csv\n"
        "  workbench effort --issues --over-factor 4",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_as_of_and_scenario(
        parser, "segment with a saved scenario's thresholds (default: the defaults)"
    )
    parser.add_argument(
        "--issues",
        action="store_true",
        help="print the over-/under-served accounts instead of every account",
    )
    rules = effort.MisallocationRules()
    for option, field, help_text in (
        (
            "--over-factor",
            "over_factor",
            "over-served at X times the hours the margin justifies",
        ),
        ("--thin-factor", "thin_factor", "under-served at X times those hours or less"),
        ("--shrink-pct", "shrink_pct", "... or hours down by X %% or more on the year"),
        (
            "--broad-share",
            "broad_share_pct",
            "transactional with X %% or more of the hours beyond purchasing",
        ),
        (
            "--executive-share",
            "executive_share_pct",
            "transactional with X %% or more of the hours with executives",
        ),
    ):
        parser.add_argument(
            option,
            dest=field,
            type=float,
            default=getattr(rules, field),
            metavar="X",
            help=f"{help_text} (default %(default)s)",
        )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print a JSON list of rows")
    output.add_argument("--csv", action="store_true", help="print CSV")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print effort per account (or the misallocation list)."""
    if args.over_factor <= 0:
        raise RejectedInputError("--over-factor must be above 0")
    if min(args.thin_factor, args.shrink_pct, args.broad_share_pct) < 0 or (
        args.executive_share_pct < 0
    ):
        raise RejectedInputError("misallocation thresholds must not be negative")
    with open_workbench(args) as wb:
        thresholds = wb.scenario(args.scenario) if args.scenario else None
        as_of = wb.as_of(args.as_of)
        progress(f"adding up effort as of {as_of}")
        accounts = wb.effort(thresholds=thresholds, as_of=as_of)
    if args.issues:
        table = effort.misallocations(
            accounts,
            effort.MisallocationRules(
                over_factor=args.over_factor,
                thin_factor=args.thin_factor,
                shrink_pct=args.shrink_pct,
                broad_share_pct=args.broad_share_pct,
                executive_share_pct=args.executive_share_pct,
            ),
        )
    else:
        table = accounts.select(effort.CLI_COLUMNS)
    if args.json:
        print_json(table.to_dicts())
    elif args.csv:
        sys.stdout.flush()
        sys.stdout.buffer.write(exports.to_csv_bytes(table))
        sys.stdout.buffer.flush()
    elif args.issues:
        for row in table.select("issue", "account_id", "name", "why").iter_rows():
            print(f"{row[0]:30} {row[1]:12} {row[2]}: {row[3]}")
    else:
        print(
            f"{'account':12} {'relationship':14} {'segment':14} {'hours':>8} "
            f"{'activities':>10} {'index':>6}  name"
        )
        columns = (
            "account_id",
            "relationship",
            "value_segment",
            "effort_hours",
            "activities",
            "effort_index",
            "name",
        )
        for row in table.select(columns).iter_rows():
            index = "" if row[5] is None else f"{row[5]:.1f}"
            print(
                f"{row[0]:12} {row[1]:14} {row[2]:14} {row[3]:>8,.0f} "
                f"{row[4]:>10,} {index:>6}  {row[6]}"
            )
    return 0
