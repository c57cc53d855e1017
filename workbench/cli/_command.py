"""How a command is declared, the options several commands share, opening ``--db``.

:class:`Command` holds a command's help, examples, options and the function that runs.

A command module declares its commands as ``Command`` values in ``COMMANDS``;
:func:`workbench.cli.build_parser` adds them all the same way, after the language is
chosen.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from workbench import store
from workbench.domain import Wording
from workbench.errors import MissingDatabaseError
from workbench.i18n import N_
from workbench.i18n import gettext as _

if TYPE_CHECKING:
    from workbench.api import Workbench


@dataclass(frozen=True)
class Command:
    """One command: its help, its options and what it runs.

    ``summary`` (the line in ``workbench --help``), ``description`` and ``notes``
    (printed after the examples) are messages marked with ``N_``; they are translated
    when the parser is built, in the language chosen by then. Their ``{fields}`` and
    those of the example command lines are filled from ``fill()``, called at the same
    time (only where it is given: a text without it keeps its braces as written).
    The example command lines themselves are never translated.
    """

    name: str
    summary: str
    description: str
    examples: tuple[str, ...]
    add_options: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    notes: str = ""
    fill: Callable[[], Mapping[str, object]] | None = None

    def add_to(self, subparsers: Any, common: argparse.ArgumentParser) -> None:
        """Add this command, with the common options (--db, --lang) first."""
        values = self.fill() if self.fill is not None else {}

        def filled(text: str) -> str:
            return text.format_map(values) if values else text

        # The layout of the description and epilog (examples, exit codes) is kept as
        # written.
        parser: argparse.ArgumentParser = subparsers.add_parser(
            self.name,
            parents=[common],
            help=filled(_(self.summary)),
            description=filled(_(self.description)),
            epilog=examples_epilog(
                *(filled(line) for line in self.examples),
                notes=filled(_(self.notes)) if self.notes else "",
            ),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        self.add_options(parser)
        parser.set_defaults(handler=self.run)


@contextmanager
def database(
    args: argparse.Namespace, *, create: bool = False
) -> Iterator[store.Connection]:
    """The ``--db`` database, open for the ``with`` block and closed after it.

    Without ``--db``: ``$WORKBENCH_DB``, else the default file. A command that
    makes a database (``create``: init, demo, a first import) creates the file;
    any other refuses a path where there is none (:func:`existing_database`).
    """
    if not create:
        existing_database(args)
    con = store.connect(getattr(args, "db", None))
    try:
        yield con
    finally:
        store.close(con)


def open_workbench(args: argparse.Namespace) -> Workbench:
    """Open the ``--db`` database, which must exist, as a :class:`~workbench.api.Workbench`."""
    # Imported on use: the commands that only need the store start quicker.
    from workbench.api import open_workbench as open_api

    existing_database(args)
    return open_api(getattr(args, "db", None))


def existing_database(args: argparse.Namespace) -> None:
    """Refuse a ``--db`` path (or ``$WORKBENCH_DB``, or the default) with no file.

    A command that reads (info, segment, a backup...) would otherwise create an
    empty database there, with its folders, and report nothing in it: a path
    mistyped read as a portfolio lost, and left a stray file behind.

    Raises:
        MissingDatabaseError: there is no file at the path.
    """
    path = store.resolve_db_path(getattr(args, "db", None))
    if str(path) != ":memory:" and not path.exists():
        raise MissingDatabaseError(
            Wording(
                N_(
                    "there is no database at {path}: `workbench init` creates one "
                    "with the demo portfolio, `workbench init --empty` an empty one, "
                    "and `workbench import` loads CRM exports into a new one"
                ),
                (("path", str(path)),),
            )
        )


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


def add_table_output(parser: argparse.ArgumentParser, json_help: str) -> None:
    """Add ``--json`` or ``--csv`` (one of them) for a command that prints a table."""
    add_flags(
        parser.add_mutually_exclusive_group(),
        {"--json": json_help, "--csv": _("print CSV")},
    )


def add_account_argument(parser: argparse.ArgumentParser) -> None:
    """Add the ``ACCOUNT_ID`` the command is about."""
    parser.add_argument("account_id", metavar="ACCOUNT_ID", help=_("the account's ID"))


def add_as_of_and_scenario(parser: argparse.ArgumentParser, scenario_help: str) -> None:
    """Add the options every segmentation-based command takes: --as-of, --scenario."""
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help=_("last day of the 12-month window (default: the last day in the data)"),
    )
    parser.add_argument("--scenario", metavar="NAME", help=scenario_help)
