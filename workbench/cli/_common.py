"""Small pieces every command shares: opening the database, printing, progress."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from workbench import store

if TYPE_CHECKING:
    import argparse

    from workbench.api import Workbench


def open_db(args: argparse.Namespace) -> store.Connection:
    """Open the database that ``--db`` (or the environment, or the default) names."""
    return store.connect(getattr(args, "db", None))


def open_workbench(args: argparse.Namespace) -> Workbench:
    """Open the ``--db`` database as a :class:`~workbench.api.Workbench`."""
    # Imported on use: the commands that only need the store start quicker.
    from workbench.api import open_workbench as open_api

    return open_api(getattr(args, "db", None))


def usage_error(command: str, message: str) -> int:
    """Say what is wrong with the command line, on stderr; return exit code 2."""
    print(f"workbench {command}: {message}", file=sys.stderr)
    return 2


def progress(message: str) -> None:
    """Say what a long command is doing, on stderr so stdout stays data only."""
    print(f"… {message}", file=sys.stderr, flush=True)


def print_json(value: Any) -> None:
    """Print one JSON document to stdout (dates as ISO strings, text unescaped)."""
    print(json.dumps(value, ensure_ascii=False, default=str, indent=2))


def add_as_of_and_scenario(parser: argparse.ArgumentParser, scenario_help: str) -> None:
    """Add the options every segmentation-based command takes: --as-of, --scenario."""
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="last day of the 12-month window (default: the last day in the data)",
    )
    parser.add_argument("--scenario", metavar="NAME", help=scenario_help)
