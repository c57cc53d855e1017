"""``workbench plan`` and ``workbench plans``: export a plan; the leaders' overview."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from workbench import plans
from workbench.cli._command import (
    Command,
    add_account_argument,
    add_flags,
    open_workbench,
)
from workbench.cli._output import print_json, progress, write_stdout_bytes
from workbench.i18n import N_
from workbench.i18n import gettext as _


def _add_plan_options(plan: argparse.ArgumentParser) -> None:
    add_account_argument(plan)
    plan.add_argument(
        "--format",
        choices=("md", "html", "summary", "csv", "json"),
        required=True,
        help=_(
            "md: Markdown; html: printable page; summary: one printable page for "
            "leaders (HTML); csv: the actions; json: the stored plan with its "
            "version, author and time"
        ),
    )
    plan.add_argument(
        "--out", metavar="FILE", help=_("write to this file (default: stdout)")
    )
    plan.add_argument(
        "--version",
        type=int,
        metavar="N",
        dest="plan_version",
        help=_("an older version (default: the current one)"),
    )


def _add_overview_options(overview: argparse.ArgumentParser) -> None:
    overview.add_argument(
        "--overview", action="store_true", required=True, help=_("print the overview")
    )
    overview.add_argument(
        "--today",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help=_("judge overdue and stale against this day (default: today)"),
    )
    add_flags(overview, {"--json": _("print JSON")})


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
        data = plans.plan_to_html(current.plan, saved, currency).encode("utf-8")
    else:
        data = plans.plan_to_markdown(current.plan, saved, currency).encode("utf-8")
    if args.out:
        Path(args.out).write_bytes(data)
        what = (
            _("the draft")
            if current.is_draft
            else _("version {version}").format(version=current.version)
        )
        progress(
            _("wrote {what} of {account} to {path}").format(
                what=what, account=args.account_id, path=args.out
            )
        )
    else:
        write_stdout_bytes(data)
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
                "summary": overview.summary,
                "missing": overview.missing,
                "overdue": overview.overdue,
                "key_people_left": overview.key_people_left,
            }
        )
        return 0
    print(_("Plans on {day}").format(day=overview.today))
    for row in overview.summary.iter_rows(named=True):
        print(
            "  "
            + _(
                "{segment}: {accounts} accounts, {current_plans} current plans "
                "({agreed} agreed), {stale_plans} stale, {no_plan} without a plan, "
                "{overdue_actions} overdue actions"
            ).format(**row)
        )
    print(
        "\n"
        + _("Accounts without a current plan: {count}").format(
            count=overview.missing.height
        )
    )
    for row in overview.missing.iter_rows(named=True):
        print(f"  {row['account_id']}  {row['name']}  ({row['plan_state']})")
    print("\n" + _("Overdue actions: {count}").format(count=overview.overdue.height))
    for row in overview.overdue.iter_rows(named=True):
        print(
            f"  {row['due_on']}  {row['account']}: {row['action']} "
            f"({row['contact']}; {row['owner']})"
        )
    gone = overview.key_people_left
    print("\n" + _("Key people who have left: {count}").format(count=gone.height))
    for row in gone.iter_rows(named=True):
        role = row["buying_role"] or _("role unknown")
        print(
            f"  {row['account']}: {row['contact_name']} ({role}, {row['title'] or '-'})"
        )
    return 0


COMMANDS = (
    Command(
        "plan",
        summary=N_(
            "export one account's plan (or its draft) as Markdown, HTML, a one-page "
            "summary or actions CSV"
        ),
        description=N_(
            "Write an account's current plan (or an older version; for an account "
            "with no saved plan, the draft with its situation, marked as a draft) as "
            "Markdown, as a self-contained printable HTML page, as a one-page "
            "printable summary for leaders, or its actions as spreadsheet-safe CSV."
        ),
        examples=(
            "workbench plan A00001 --format md",
            "workbench plan A00001 --format html --out acme-plan.html",
            "workbench plan A00001 --format csv --out acme-actions.csv",
            "workbench plan A00001 --format summary --out acme-summary.html",
            "workbench plan A00001 --version 2 --format md --db /tmp/demo.duckdb",
            "workbench plan A00001 --format json",
        ),
        add_options=_add_plan_options,
        run=run_plan,
    ),
    Command(
        "plans",
        summary=N_(
            "the leaders' overview: accounts without a current plan, overdue actions"
        ),
        description=N_(
            "Summarise every account's plan: accounts with no current plan (none, or "
            "none saved in the last {days} days), open actions past their due date, "
            "and plans per segment and status."
        ),
        examples=(
            "workbench plans --overview",
            "workbench plans --overview --json --today 2026-10-01",
        ),
        fill=lambda: {"days": plans.STALE_AFTER_DAYS},
        add_options=_add_overview_options,
        run=run_overview,
    ),
)
