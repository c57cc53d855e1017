"""``workbench nps``: Net Promoter Score per account, overall and per role."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

import polars as pl

from workbench.analytics import voice
from workbench.analytics.voice.conflicts import CONFLICT_COLUMNS
from workbench.cli._common import open_workbench, print_json

EPILOG = """\
examples:
  workbench nps
  workbench nps --db data/workbench.duckdb --json
  workbench nps --by quarter --since 2026-01-01

  workbench nps --conflicts --db data/workbench.duckdb --json

Each account gets a row for all its responses ("all"), then one per role (or
department, or quarter). NPS = % promoters (9-10) - % detractors (0-6); it is
empty (null in JSON) where nobody answered. Each person counts once (their
latest answer in the period; with --by quarter, in each quarter); the period is
the last four quarters unless
--quarters or --since says otherwise. Every row carries its 95% interval
(nps_low, nps_high) and too_few (fewer than 5 answers: not a finding).

--conflicts lists the accounts whose widest gap between two roles is unlikely
under chance (a permutation test within the account, Benjamini-Hochberg at 5%
across accounts) and wider than --gap points.
"""


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``nps`` command."""
    parser = subparsers.add_parser(
        "nps",
        parents=[common],
        help="print the NPS per account and buying role",
        description="Print the Net Promoter Score of every account that has survey "
        "responses: overall and per buying role, department or quarter.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print as JSON")
    parser.add_argument(
        "--by",
        choices=("role", "department", "quarter"),
        default="role",
        help="split each account by this (default %(default)s)",
    )
    parser.add_argument(
        "--since",
        type=_date,
        metavar="YYYY-MM-DD",
        help="only responses on or after this day (instead of --quarters)",
    )
    parser.add_argument(
        "--quarters",
        type=int,
        default=voice.DEFAULT_QUARTERS,
        metavar="N",
        help="the last N quarters of answers (default %(default)s; 0 = all time)",
    )
    parser.add_argument(
        "--conflicts",
        action="store_true",
        help="list the role conflicts beyond chance instead",
    )
    parser.add_argument(
        "--gap",
        type=float,
        default=70.0,
        help="with --conflicts: the smallest gap worth a flag, in NPS points "
        "(default %(default)s)",
    )
    parser.add_argument(
        "--min-responses",
        type=int,
        default=voice.MIN_RESPONSES,
        help="with --conflicts: answers a role needs in the account "
        "(default %(default)s)",
    )
    parser.set_defaults(handler=run)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date: {text!r}") from error


def run(args: argparse.Namespace) -> int:
    """Print one row per account and group, or the role conflicts."""
    with open_workbench(args) as wb:
        since = args.since or wb.nps_period_start(args.quarters or None)
        if args.conflicts:
            conflicts = wb.role_conflicts(
                args.gap, min_responses=args.min_responses, since=since
            )
            return _print_conflicts(conflicts, args.json)
        answers = wb.nps_responses(since)
    # Each person once per period; split by quarter, once per quarter.
    responses = (
        voice.one_answer_per_person(voice.with_quarter(answers), by=["quarter"])
        if args.by == "quarter"
        else voice.one_answer_per_person(answers)
    )
    rows = voice.nps_rows_for_cli(responses, args.by)
    if args.json:
        print_json(rows.to_dicts())
        return 0
    print(
        f"{'account_id':<14}{args.by:<22}{'responses':>10}{'nps':>8}"
        f"{'95% interval':>16}"
    )
    for account_id, group, count, nps, low, high, too_few in rows.iter_rows():
        shown = "" if nps is None else f"{nps:+.0f}"
        interval = "" if low is None else f"{low:+.0f} to {high:+.0f}"
        note = f"  ({voice.TOO_FEW_LABEL})" if too_few and count else ""
        print(f"{account_id:<14}{group:<22}{count:>10,}{shown:>8}{interval:>16}{note}")
    return 0


def _print_conflicts(conflicts: pl.DataFrame, as_json: bool) -> int:
    columns = [c for c in CONFLICT_COLUMNS if c != "flagged"]
    rows = conflicts.select(columns)
    if as_json:
        print_json(rows.to_dicts())
        return 0
    if rows.height == 0:
        print("No role conflict beyond chance in the period.")
        return 0
    for row in rows.iter_rows(named=True):
        print(
            f"{row['account_id']}  {row['account_name']}: "
            f"{row['high_role']} {row['high_nps']:+.0f} "
            f"[{row['high_nps_low']:+.0f}, {row['high_nps_high']:+.0f}] "
            f"n={row['high_responses']} vs {row['low_role']} {row['low_nps']:+.0f} "
            f"[{row['low_nps_low']:+.0f}, {row['low_nps_high']:+.0f}] "
            f"n={row['low_responses']}; gap {row['gap']:.0f}, "
            f"p={row['p_value']:.4f}, q={row['q_value']:.3f}"
        )
    return 0
