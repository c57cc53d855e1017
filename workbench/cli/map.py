"""``workbench map``: one account's buying-centre map as a self-contained HTML file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench import store
from workbench.analytics import network
from workbench.cli._common import open_db, print_json, progress

#: Exit code for a usage error (the parser's own code for bad options).
EXIT_USAGE = 2


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``map`` command."""
    parser = subparsers.add_parser(
        "map",
        parents=[common],
        help="write an account's buying-centre map (HTML) and its coverage and risks",
        description="Write the buying-centre map of one account as one HTML file that "
        "works offline (the network's JavaScript is inlined), and print role "
        "coverage, breadth and depth, risks and whom to reach next.",
        epilog="examples:\n"
        "  workbench map A00001 --html acme.html\n"
        "  workbench map A00001 --db demo.duckdb --html acme.html --months 6 "
        "--layout hierarchy\n"
        "  workbench map A00001 --json > acme.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("account_id", metavar="ACCOUNT_ID", help="the account's ID")
    parser.add_argument(
        "--html", metavar="OUT.html", type=Path, help="write the map to this file"
    )
    parser.add_argument(
        "--months",
        type=int,
        default=12,
        metavar="N",
        help="time window in months up to the data's last day (default %(default)s)",
    )
    parser.add_argument(
        "--layout",
        choices=("force", "hierarchy"),
        default="force",
        help="map layout (default %(default)s)",
    )
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="keep the physics running after the layout has settled",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print coverage, breadth and depth, risks and whom to reach next as JSON",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Read the account, write the map, print the findings."""
    if args.html is None and not args.json:
        print("workbench map: give --html OUT.html, --json, or both", file=sys.stderr)
        return EXIT_USAGE
    if args.months < 1:
        print("workbench map: --months must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    con = open_db(args)
    try:
        progress(f"reading account {args.account_id}")
        data = store.read_buying_centre(con, args.account_id, months=args.months)
    finally:
        con.close()
    report = network.analyse_buying_centre(data)
    if args.html is not None:
        progress(f"drawing {data.contacts.height} people")
        page = network.buying_centre_html(
            data,
            network.MapOptions(layout=args.layout, freeze=not args.no_freeze),
        )
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(page, encoding="utf-8")
        progress(f"wrote {args.html}")
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
        breadth = report.breadth
        print(f"{data.account_name}: {data.start} (exclusive) to {data.end}")
        print(
            f"people engaged {breadth.contacts_engaged} of {breadth.contacts_present}, "
            f"departments {breadth.departments_engaged} of "
            f"{breadth.departments_present}, org levels {breadth.levels_reached} of "
            f"{breadth.levels_present}"
        )
        missing = report.coverage.filter(report.coverage["status"] != "engaged")
        print("roles not engaged: " + (", ".join(missing["role"].to_list()) or "none"))
        # a role counts as engaged with one person touched: say the gap as well
        gaps = report.coverage.filter(
            (report.coverage["engaged"] < report.coverage["present"])
            & (report.coverage["role"] != network.UNKNOWN)
        )
        print(
            "coverage gaps: "
            + (
                "; ".join(
                    f"{row['role']}: {row['coverage']}"
                    for row in gaps.iter_rows(named=True)
                )
                or "none"
            )
        )
        print(f"risks: {report.risks.height}")
        for risk in report.risks.iter_rows(named=True):
            print(f"  {risk['risk']}: {risk['name'] or '-'}: {risk['detail']}")
    return 0
