"""The ``workbench`` command line: one module per command, all over the library.

Exit codes: 0 done, 1 input rejected (nothing changed), 2 usage error.
Progress goes to stderr; data goes to stdout (``--json`` where a command prints data).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import TYPE_CHECKING

from workbench import __version__, i18n
from workbench.cli._argparse_words import argparse_in_language
from workbench.errors import WorkbenchError
from workbench.i18n import N_
from workbench.i18n import gettext as _

if TYPE_CHECKING:
    from collections.abc import Sequence

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2

#: Command modules in the order ``workbench --help`` lists them (the order of the
#: work: load, segment, weigh effort, map, hear, plan, keep safe). Each declares its
#: commands in ``COMMANDS`` (:class:`workbench.cli._command.Command`).
COMMAND_MODULES: tuple[str, ...] = (
    "init",
    "demo",
    "info",
    "imports",
    "segment",
    "effort",
    "map",
    "nps",
    "plan",
    "backup",
)

#: The module declaring each command (a test keeps it in step with the modules'
#: ``COMMANDS``). A command line naming a command imports its module alone: the
#: others bring what it may not need (the maps' pyvis, the demo generator).
COMMAND_MODULE: dict[str, str] = {
    "init": "init",
    "demo": "demo",
    "info": "info",
    "import": "imports",
    "segment": "segment",
    "effort": "effort",
    "map": "map",
    "nps": "nps",
    "plan": "plan",
    "plans": "plan",
    "backup": "backup",
    "restore": "backup",
    "hash-password": "backup",
}

EPILOG = N_(
    """\
exit codes:
  0  done
  1  input rejected or the database refused the change; nothing was changed
  2  usage error (unknown command or option)

The database is data/workbench.duckdb unless $WORKBENCH_DB or --db says otherwise.
"""
)


def choose_language(argv: Sequence[str]) -> str:
    """Put the language of ``--lang`` (else ``LC_ALL``, ``LC_MESSAGES``, ``LANG``) in force."""
    wanted: str | None = None
    for position, word in enumerate(argv):
        if word == "--lang" and position + 1 < len(argv):
            wanted = argv[position + 1]
        elif word.startswith("--lang="):
            wanted = word.partition("=")[2]
    if wanted is None:
        for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
            if os.environ.get(variable):
                wanted = os.environ[variable]
                break
    return i18n.set_language(i18n.normalise_language(wanted))


def command_modules(argv: Sequence[str] | None = None) -> tuple[str, ...]:
    """Return the command modules a command line needs: those of the commands it names.

    Every module when it names none, or asks for the help before naming one
    (the help lists every command); none when it asks for the version first
    (argparse prints it and stops there). A word that is a command's name but
    the value of ``--db`` imports one module more, and nothing goes wrong.
    """
    named: set[str] = set()
    for word in argv or ():
        if word in ("-h", "--help") and not named:
            return COMMAND_MODULES
        if word == "--version" and not named:
            return ()
        if word in COMMAND_MODULE:
            named.add(COMMAND_MODULE[word])
    return tuple(m for m in COMMAND_MODULES if m in named) or COMMAND_MODULES


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Return the parser with the commands ``argv`` names registered (every one without it)."""
    parser = argparse.ArgumentParser(
        prog="workbench",
        description=_(
            "Account-planning workbench: load CRM exports, segment accounts, "
            "map buying centres, weigh effort, hear every role, write account plans."
        ),
        epilog=_(EPILOG),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"workbench {__version__}",
        # given here: before Python 3.13, argparse's own help for it is not marked
        help=_("show program's version number and exit"),
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help=_("database file (default: $WORKBENCH_DB or data/workbench.duckdb)"),
    )
    parser.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        help=_("language of messages and help (default: from LC_ALL or LANG)"),
    )
    # --db is accepted before or after the command; SUPPRESS keeps the global value
    # when the command's own copy is not given.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", metavar="PATH", default=argparse.SUPPRESS, help=_("database file")
    )
    common.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        default=argparse.SUPPRESS,
        help=_("language of messages and help"),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in command_modules(argv):
        module = importlib.import_module(f"workbench.cli.{name}")
        for command in module.COMMANDS:
            command.add_to(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    choose_language(arguments)
    with argparse_in_language():
        parser = build_parser(arguments)
        args = parser.parse_args(arguments)
    try:
        code: int = args.handler(args)
    except WorkbenchError as error:
        # Said in the reader's language; imported here so that a command that
        # succeeds never loads the import package.
        from workbench.ingest.problems import refusal_text

        print(f"workbench: {refusal_text(error)}", file=sys.stderr)
        return EXIT_REJECTED
    except KeyboardInterrupt:
        print(_("workbench: interrupted; nothing was committed"), file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
