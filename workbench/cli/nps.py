"""``workbench nps``: Net Promoter Score per account, overall and per role."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from workbench.analytics import voice
from workbench.cli._common import open_workbench, print_json

EPILOG = """\
examples:
  workbench nps
  workbench nps --db data/workbench.duckdb --json
  workbench nps --by quarter --since 2026-01-01

Each account gets a row for all its responses ("all"), then one per role (or
department, or quarter). NPS = % promoters (9-10) - % detractors (0-6); it is
empty (null in JSON) where nobody answered.
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
        help="only responses on or after this day",
    )
    parser.set_defaults(handler=run)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date: {text!r}") from error


def run(args: argparse.Namespace) -> int:
    """Print one row per account and group."""
    with open_workbench(args) as wb:
        responses = wb.nps_responses(args.since)
    rows = voice.nps_rows_for_cli(responses, args.by)
    if args.json:
        print_json(rows.to_dicts())
        return 0
    print(f"{'account_id':<14}{args.by:<22}{'responses':>10}{'nps':>8}")
    for account_id, group, count, nps in rows.iter_rows():
        shown = "" if nps is None else f"{nps:+.1f}"
        print(f"{account_id:<14}{group:<22}{count:>10,}{shown:>8}")
    return 0
