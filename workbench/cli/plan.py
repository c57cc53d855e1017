"""``workbench plan`` and ``workbench plans``: export a plan; the leaders' overview."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from workbench import plans
from workbench.cli._common import open_workbench, print_json, progress


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``plan`` and ``plans`` commands."""
    plan = subparsers.add_parser(
        "plan",
        parents=[common],
        help="export one account's plan (or its draft) as Markdown, HTML, a one-page "
        "summary or actions CSV",
        description="Write an account's current plan (or an older version; for an "
        "account with no saved plan, the draft with its situation, marked as a "
        "draft) as "
        "Markdown, as a self-contained printable HTML page, as a one-page printable "
        "summary for leaders, or its actions as spreadsheet-safe CSV.",
        epilog="examples:\n  workbench plan A00001 --format md\n"
        "  workbench plan A00001 --format html --out acme-plan.html\n"
        "  workbench plan A00001 --format csv --out acme-actions.csv\n"
        "  workbench plan A00001 --format summary --out acme-summary.html\n"
        "  workbench plan A00001 --version 2 --format md --db /tmp/demo.duckdb\n"
        "  workbench plan A00001 --format json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    plan.add_argument("account_id", metavar="ACCOUNT_ID", help="the account's ID")
    plan.add_argument(
        "--format",
        choices=("md", "html", "summary", "csv", "json"),
        required=True,
        help="md: Markdown; html: printable page; summary: one printable page for "
        "leaders (HTML); csv: the actions; json: the stored plan with its version, "
        "author and time",
    )
    plan.add_argument(
        "--out", metavar="FILE", help="write to this file (default: stdout)"
    )
    plan.add_argument(
        "--version",
        type=int,
        metavar="N",
        dest="plan_version",
        help="an older version (default: the current one)",
    )
    plan.set_defaults(handler=run_plan)

    overview = subparsers.add_parser(
        "plans",
        parents=[common],
        help="the leaders' overview: accounts without a current plan, overdue actions",
        description="Summarise every account's plan: accounts with no current plan "
        f"(none, or none saved in the last {plans.STALE_AFTER_DAYS} days), open "
        "actions past their due date, and plans per segment and status.",
        epilog="examples:\n  workbench plans --overview\n"
        "  workbench plans --overview --json --today 2026-10-01",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    overview.add_argument(
        "--overview", action="store_true", required=True, help="print the overview"
    )
    overview.add_argument(
        "--today",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="judge overdue and stale against this day (default: today)",
    )
    overview.add_argument("--json", action="store_true", help="print JSON")
    overview.set_defaults(handler=run_overview)


def run_plan(args: argparse.Namespace) -> int:
    """Export one plan; an account without a saved plan gets its draft, marked so."""
    with open_workbench(args) as wb:
        # A facilitator prints the draft, with its situation, before the workshop.
        current = wb.plan(args.account_id, version=args.plan_version)
        currency = wb.currency()
    saved = current.saved
    if args.format == "csv":
        data = plans.actions_csv(current.plan)
    elif args.format == "json":
        document = {
            "account_id": args.account_id,
            "version": current.version,
            "draft": current.is_draft,
            "based_on": saved.based_on if saved else None,
            "saved_by": saved.saved_by if saved else None,
            "saved_at": saved.saved_at.isoformat() if saved else None,
            "plan": plans.plan_to_dict(current.plan),
        }
        data = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
    elif args.format == "summary":
        data = plans.plan_summary_html(current.plan, saved, currency).encode("utf-8")
    elif args.format == "html":
        data = plans.plan_to_html(current.plan, saved).encode("utf-8")
    else:
        data = plans.plan_to_markdown(current.plan, saved).encode("utf-8")
    what = "the draft" if current.is_draft else f"version {current.version}"
    if args.out:
        Path(args.out).write_bytes(data)
        progress(f"wrote {what} of {args.account_id} to {args.out}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def run_overview(args: argparse.Namespace) -> int:
    """Print the leaders' overview."""
    with open_workbench(args) as wb:
        overview = wb.plans_overview(args.today)
    if args.json:
        print_json(
            {
                "today": overview.today,
                "segments_pending": overview.segments_pending,
                "summary": overview.summary.to_dicts(),
                "missing": overview.missing.to_dicts(),
                "overdue": overview.overdue.to_dicts(),
            }
        )
        return 0
    print(f"Plans on {overview.today}")
    for row in overview.summary.iter_rows(named=True):
        print(
            f"  {row['segment']}: {row['accounts']} accounts, "
            f"{row['current_plans']} current plans ({row['agreed']} agreed), "
            f"{row['stale_plans']} stale, {row['no_plan']} without a plan, "
            f"{row['overdue_actions']} overdue actions"
        )
    print(f"\nAccounts without a current plan: {overview.missing.height}")
    for row in overview.missing.iter_rows(named=True):
        print(f"  {row['account_id']}  {row['name']}  ({row['plan_state']})")
    print(f"\nOverdue actions: {overview.overdue.height}")
    for row in overview.overdue.iter_rows(named=True):
        print(
            f"  {row['due_on']}  {row['account']}: {row['action']} "
            f"({row['contact']}; {row['owner']})"
        )
    return 0
