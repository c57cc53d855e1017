"""``workbench map``: one account's buying-centre map as a self-contained HTML file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from workbench import store
from workbench.analytics import network
from workbench.cli._command import Command, add_account_argument, add_flags, database
from workbench.cli._output import print_json, progress, usage_error
from workbench.i18n import N_
from workbench.i18n import gettext as _

if TYPE_CHECKING:
    from workbench.domain import BuyingCentreData


def _add_options(parser: argparse.ArgumentParser) -> None:
    add_account_argument(parser)
    parser.add_argument(
        "--html", metavar="OUT.html", type=Path, help=_("write the map to this file")
    )
    parser.add_argument(
        "--months",
        type=int,
        default=12,
        metavar="N",
        help=_("time window in months up to the data's last day (default %(default)s)"),
    )
    parser.add_argument(
        "--layout",
        choices=("force", "hierarchy"),
        default="force",
        help=_("map layout (default %(default)s)"),
    )
    add_flags(
        parser,
        {
            "--no-freeze": _("keep the physics running after the layout has settled"),
            "--json": _(
                "print coverage, breadth and depth, risks and whom to reach next as "
                "JSON"
            ),
        },
    )


def run(args: argparse.Namespace) -> int:
    """Read the account, write the map, print the findings."""
    if args.html is None and not args.json:
        return usage_error("map", _("give --html OUT.html, --json, or both"))
    if args.months < 1:
        return usage_error("map", _("--months must be at least 1"))
    with database(args) as con:
        progress(_("reading account {account}").format(account=args.account_id))
        data = store.read_buying_centre(con, args.account_id, months=args.months)
    report = network.analyse_buying_centre(data)
    if args.html is not None:
        progress(_("drawing {count} people").format(count=data.contacts.height))
        page = network.buying_centre_html(
            data,
            network.MapOptions(layout=args.layout, freeze=not args.no_freeze),
        )
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(page, encoding="utf-8")
        progress(_("wrote {path}").format(path=args.html))
    if args.json:
        print_json(
            {
                "account_id": data.account_id,
                "account_name": data.account_name,
                "window": {"start": data.start, "end": data.end},
                **network.map_summary(report),
            }
        )
    else:
        _print_findings(data, report)
    return 0


def _print_findings(data: BuyingCentreData, report: network.BuyingCentreReport) -> None:
    print(
        _("{account}: {start} (exclusive) to {end}").format(
            account=data.account_name, start=data.start, end=data.end
        )
    )
    print(
        _(
            "people engaged {contacts_engaged} of {contacts_present}, departments "
            "{departments_engaged} of {departments_present}, org levels "
            "{levels_reached} of {levels_present}"
        ).format_map(vars(report.breadth))
    )
    if report.breadth.contacts_left:
        print(
            _("people who have left, not counted: {n}").format(
                n=report.breadth.contacts_left
            )
        )
    none = _("none")
    missing = report.coverage.filter(report.coverage["status"] != "engaged")
    print(
        _("roles not engaged: {roles}").format(
            roles=", ".join(missing["role"].to_list()) or none
        )
    )
    # a role counts as engaged with one person touched: say the gap as well
    gaps = report.coverage.filter(
        (report.coverage["engaged"] < report.coverage["present"])
        & (report.coverage["role"] != network.UNKNOWN)
    )
    gap_list = "; ".join(
        f"{row['role']}: {row['coverage']}" for row in gaps.iter_rows(named=True)
    )
    print(_("coverage gaps: {gaps}").format(gaps=gap_list or none))
    print(_("risks: {count}").format(count=report.risks.height))
    for risk in report.risks.iter_rows(named=True):
        print(f"  {risk['risk']}: {risk['name'] or '-'}: {risk['detail']}")


COMMANDS = (
    Command(
        "map",
        summary=N_(
            "write an account's buying-centre map (HTML) and its coverage and risks"
        ),
        description=N_(
            "Write the buying-centre map of one account as one HTML file that "
            "works offline (the network's JavaScript is inlined), and print role "
            "coverage, breadth and depth, risks and whom to reach next."
        ),
        examples=(
            "workbench map A00001 --html acme.html",
            "workbench map A00001 --db demo.duckdb --html acme.html --months 6 "
            "--layout hierarchy",
            "workbench map A00001 --json > acme.json",
        ),
        add_options=_add_options,
        run=run,
    ),
)
