"""``workbench effort``: our effort per account against its type, segment and value."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import polars as pl

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
        help="effort hours per account against what its service model deserves",
        description="Effort of the 12 months up to the as-of date per account: "
        "recorded minutes plus assumed minutes for activities without a duration, "
        "activities, shares of effort, revenue and contribution, the band of hours "
        "the account's service model deserves (docs/effort.md; the one saved with "
        "the scenario, else the defaults) and its verdicts: investment (under, "
        "over, right) and people (wrong people, right). Activities naming no person "
        "are unattributed and never count as beyond purchasing. With --issues, the "
        "misallocation list instead (one investment and one people issue at most "
        "per account, never two that contradict).",
        epilog="examples:\n"
        "  workbench effort\n"
        "  workbench effort --json > effort.json\n"
        "  workbench effort --as-of 2026-06-30 --csv > effort.csv\n"
        "  workbench effort --issues --over-factor 1.5",
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
            "over-served above X times the high end of the hours its service "
            "model deserves",
        ),
        (
            "--thin-factor",
            "thin_factor",
            "under-served below X times the low end of that band",
        ),
        (
            "--broad-share",
            "broad_share_pct",
            "purchasing-only model: too broad with X %% or more of the named hours "
            "beyond purchasing",
        ),
        (
            "--executive-share",
            "executive_share_pct",
            "purchasing-only model: too broad with X %% or more of the named hours "
            "with executives",
        ),
        (
            "--narrow-share",
            "narrow_share_pct",
            "broader models: too narrow with less than X %% of the named hours "
            "beyond purchasing",
        ),
        (
            "--min-named-hours",
            "min_named_hours",
            "judge whom we work with only on X hours or more with named people",
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
    # Kept so that older scripts still run: a fall in hours is no verdict on its
    # own any more (an account is judged against its service model).
    parser.add_argument(
        "--shrink-pct", type=float, default=None, metavar="X", help=argparse.SUPPRESS
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print a JSON list of rows")
    output.add_argument("--csv", action="store_true", help="print CSV")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print effort per account (or the misallocation list)."""
    if args.over_factor <= 0:
        raise RejectedInputError("--over-factor must be above 0")
    numbers = (
        args.thin_factor,
        args.broad_share_pct,
        args.executive_share_pct,
        args.narrow_share_pct,
        args.min_named_hours,
    )
    if min(numbers) < 0 or (args.shrink_pct is not None and args.shrink_pct < 0):
        raise RejectedInputError("misallocation thresholds must not be negative")
    if args.shrink_pct is not None:
        # kept so older scripts still run; say so rather than ignore it silently
        print(
            "note: --shrink-pct no longer changes anything: verdicts compare each "
            "account's hours with its service model's band (docs/effort.md)",
            file=sys.stderr,
        )
    rules = effort.MisallocationRules(
        over_factor=args.over_factor,
        thin_factor=args.thin_factor,
        broad_share_pct=args.broad_share_pct,
        executive_share_pct=args.executive_share_pct,
        narrow_share_pct=args.narrow_share_pct,
        min_named_hours=args.min_named_hours,
    )
    with open_workbench(args) as wb:
        thresholds = wb.scenario(args.scenario) if args.scenario else None
        as_of = wb.as_of(args.as_of)
        progress(f"adding up effort as of {as_of}")
        accounts = wb.judged_effort(
            thresholds=thresholds,
            as_of=as_of,
            model=wb.service_model(args.scenario),
            rules=rules,
        )
        currency = wb.currency()
    if args.issues:
        table = effort.issues(accounts, currency)
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
        _print_accounts(table)
    return 0


def _print_accounts(table: pl.DataFrame) -> None:
    print(
        f"{'account':12} {'relationship':14} {'segment':14} {'hours':>8} "
        f"{'deserved':>13} {'investment':15} {'people':13} name"
    )
    columns = (
        "account_id",
        "relationship",
        "value_segment",
        "effort_hours",
        "deserved_low_hours",
        "deserved_high_hours",
        "investment",
        "people",
        "name",
    )
    for row in table.select(columns).iter_rows():
        band = "" if row[4] is None else f"{row[4]:,.0f}-{row[5]:,.0f}"
        print(
            f"{row[0]:12} {row[1]:14} {row[2]:14} {row[3]:>8,.0f} "
            f"{band:>13} {row[6]:15} {row[7]:13} {row[8]}"
        )
