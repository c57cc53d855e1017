"""``workbench info``: where the database is, its schema version and row counts."""

from __future__ import annotations

import argparse
from typing import Any

from workbench.cli._common import (
    add_command,
    add_json_option,
    examples_epilog,
    open_workbench,
    print_counts,
    print_json,
)
from workbench.i18n import gettext as _


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``info`` command."""
    parser = add_command(
        subparsers,
        common,
        "info",
        summary=_("show the database file, its schema version and row counts"),
        description=_(
            "Show which database file is used, its schema version, and the "
            "number of rows in each CRM table."
        ),
        epilog=examples_epilog(
            "workbench info", "workbench info --db data/workbench.duckdb --json"
        ),
    )
    add_json_option(parser, _("print as JSON"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the database's facts."""
    with open_workbench(args) as wb:
        facts = wb.info()
    counts: dict[str, int] = facts["counts"]
    if args.json:
        print_json(facts)
    else:
        database, schema_version = _("database"), _("schema version")
        print(f"{database:16}{facts['database']}")
        print(f"{schema_version:16}{facts['schema_version']}")
        print_counts(counts)
    return 0
