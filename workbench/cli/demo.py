"""``workbench demo``: write the deterministic demo portfolio."""

from __future__ import annotations

import argparse
from typing import Any

from workbench import demo
from workbench.cli._common import (
    add_command,
    add_json_option,
    examples_epilog,
    open_db,
    print_counts,
    print_json,
    progress,
    usage_error,
)
from workbench.i18n import gettext as _


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``demo`` command."""
    parser = add_command(
        subparsers,
        common,
        "demo",
        summary=_(
            "replace the database's CRM data with the deterministic demo portfolio"
        ),
        description=_(
            "Replace every CRM table in the database with a generated, "
            "deterministic portfolio of an industrial supplier. Plans, scenarios and "
            "settings are kept."
        ),
        epilog=examples_epilog(
            "workbench demo",
            "workbench demo --db /tmp/demo.duckdb",
            "workbench demo --db big.duckdb --accounts 10000 --contacts 250000 "
            "--activities 2000000",
        ),
    )
    parser.add_argument(
        "--accounts",
        type=int,
        default=demo.DEFAULT_ACCOUNTS,
        metavar="N",
        help=_("accounts (default %(default)s)"),
    )
    parser.add_argument(
        "--activities",
        type=int,
        default=demo.DEFAULT_ACTIVITIES,
        metavar="M",
        help=_("activities (default %(default)s)"),
    )
    parser.add_argument(
        "--contacts",
        type=int,
        default=None,
        metavar="C",
        help=_("contacts (default {count} per account)").format(
            count=demo.CONTACTS_PER_ACCOUNT
        ),
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=demo.DEFAULT_SEED,
        help=_("random seed (default %(default)s)"),
    )
    add_json_option(parser, _("print the row counts as JSON"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Generate and write the demo; print the row counts."""
    if (
        args.accounts < 1
        or args.activities < 0
        or (args.contacts is not None and args.contacts < args.accounts)
    ):
        return usage_error(
            "demo",
            _("need --accounts ≥ 1, --activities ≥ 0 and --contacts ≥ --accounts"),
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
        print_counts(counts)
    return 0
