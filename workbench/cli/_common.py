"""Small pieces every command shares: opening the database, printing, progress."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from workbench import store
from workbench.i18n import gettext as _

if TYPE_CHECKING:
    from collections.abc import Mapping

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


def add_command(
    subparsers: Any,
    common: argparse.ArgumentParser,
    name: str,
    *,
    summary: str,
    description: str,
    epilog: str,
) -> argparse.ArgumentParser:
    """Add one command that takes the common options (--db, --lang).

    The layout of its description and epilog (examples, exit codes) is kept as written.
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        parents=[common],
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def examples_epilog(*command_lines: str, notes: str = "") -> str:
    """An epilog listing example command lines (never translated), then ``notes``."""
    lines = [_("examples:"), *(f"  {line}" if line else "" for line in command_lines)]
    text = "\n".join(lines)
    return f"{text}\n\n{notes}" if notes else text


def add_flags(parser: Any, helps: Mapping[str, str]) -> None:
    """Add on/off options (``--dry-run``, ...), in order: option → its help.

    ``parser`` is a parser or a group of one (mutually exclusive options).
    """
    for option, help_text in helps.items():
        parser.add_argument(option, action="store_true", help=help_text)


def add_json_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    """Add ``--json``: print data as JSON (its keys and values are never translated)."""
    add_flags(parser, {"--json": help_text})


def print_counts(
    counts: Mapping[str, int], *, indent: str = "", width: int = 22
) -> None:
    """Print one line per table: its name and its number of rows."""
    for table, rows in counts.items():
        print(f"{indent}{table:{width}} {rows:>10,}")


def add_as_of_and_scenario(parser: argparse.ArgumentParser, scenario_help: str) -> None:
    """Add the options every segmentation-based command takes: --as-of, --scenario."""
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help=_("last day of the 12-month window (default: the last day in the data)"),
    )
    parser.add_argument("--scenario", metavar="NAME", help=scenario_help)
