"""``workbench info``: where the database is, its schema version and row counts."""

from __future__ import annotations

import argparse
from typing import Any

from workbench.cli._command import Command, add_flags, open_workbench
from workbench.cli._output import print_counts, print_outcome
from workbench.i18n import N_
from workbench.i18n import gettext as _


def _add_options(parser: argparse.ArgumentParser) -> None:
    add_flags(parser, {"--json": _("print as JSON")})


def run(args: argparse.Namespace) -> int:
    """Print the database's facts."""
    with open_workbench(args) as wb:
        facts = wb.info()
    return print_outcome(args.json, facts, lambda: _print_facts(facts))


def _print_facts(facts: dict[str, Any]) -> None:
    database, schema_version = _("database"), _("schema version")
    print(f"{database:16}{facts['database']}")
    print(f"{schema_version:16}{facts['schema_version']}")
    print_counts(facts["counts"])


COMMANDS = (
    Command(
        "info",
        summary=N_("show the database file, its schema version and row counts"),
        description=N_(
            "Show which database file is used, its schema version, and the "
            "number of rows in each CRM table."
        ),
        examples=("workbench info", "workbench info --db data/workbench.duckdb --json"),
        add_options=_add_options,
        run=run,
    ),
)
