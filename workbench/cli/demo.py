"""``workbench demo``: write the deterministic demo portfolio."""

from __future__ import annotations

import argparse

from workbench import demo
from workbench.cli._command import Command, add_flags, database
from workbench.cli._output import print_counts, print_outcome, progress, usage_error
from workbench.i18n import N_
from workbench.i18n import gettext as _


def _add_options(parser: argparse.ArgumentParser) -> None:
    # Every size is a whole number; --contacts has no fixed default (it follows
    # --accounts), so its help names the ratio instead.
    for option, default, metavar, help_text in (
        (
            "--accounts",
            demo.DEFAULT_ACCOUNTS,
            "N",
            _(
                "customer accounts (default %(default)s; one partner or "
                "competitor for every twenty comes on top)"
            ),
        ),
        (
            "--activities",
            demo.DEFAULT_ACTIVITIES,
            "M",
            _("activities (default %(default)s)"),
        ),
        (
            "--contacts",
            None,
            "C",
            _("contacts (default {count} per account)").format(
                count=demo.CONTACTS_PER_ACCOUNT
            ),
        ),
        ("--seed", demo.DEFAULT_SEED, None, _("random seed (default %(default)s)")),
    ):
        parser.add_argument(
            option, type=int, default=default, metavar=metavar, help=help_text
        )
    add_flags(parser, {"--json": _("print the row counts as JSON")})


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
    with database(args, create=True) as con:
        counts = demo.write_demo(
            con,
            args.accounts,
            args.activities,
            contacts=args.contacts,
            seed=args.seed,
            progress=progress,
        )
    return print_outcome(
        args.json, {"ok": True, "counts": counts}, lambda: print_counts(counts)
    )


COMMANDS = (
    Command(
        "demo",
        summary=N_(
            "replace the database's CRM data with the deterministic demo portfolio"
        ),
        description=N_(
            "Replace every CRM table in the database with a generated, "
            "deterministic portfolio of an industrial supplier. Plans, scenarios and "
            "settings are kept; work on accounts, people or answers the new "
            "portfolio does not hold goes with them."
        ),
        examples=(
            "workbench demo",
            "workbench demo --db /tmp/demo.duckdb",
            "workbench demo --db big.duckdb --accounts 10000 --contacts 250000 "
            "--activities 2000000",
        ),
        add_options=_add_options,
        run=run,
    ),
)
