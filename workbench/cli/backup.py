"""``workbench backup``, ``workbench restore`` and ``workbench hash-password``."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from workbench import auth, backup, store
from workbench.cli._command import Command, add_flags, database
from workbench.cli._output import print_counts, print_outcome, progress, usage_error
from workbench.domain import LOCAL_ACTOR
from workbench.i18n import N_
from workbench.i18n import gettext as _


def _add_backup_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", help=_("new or empty directory"))
    add_flags(parser, {"--json": _("print the summary as JSON")})


def _add_restore_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", help=_("a backup directory"))
    add_flags(
        parser,
        {
            "--force": _("replace a database that holds data"),
            "--json": _("print the summary as JSON"),
        },
    )


def _add_hash_options(parser: argparse.ArgumentParser) -> None:
    # --db is accepted (and unused) so that every command takes it the same way
    parser.add_argument(
        "--user", metavar="NAME", help=_("print a TOML table for this user")
    )
    parser.add_argument(
        "--role",
        choices=auth.ROLES,
        default="viewer",
        help=_("role (default %(default)s)"),
    )


def _print_summary(summary: backup.BackupSummary, as_json: bool) -> int:
    return print_outcome(
        as_json,
        {"ok": True, **summary.as_dict()},
        lambda: print_counts(dict(sorted(summary.counts.items())), width=26),
    )


def run_backup(args: argparse.Namespace) -> int:
    """Back the database up into a directory."""
    with database(args) as con:
        progress(
            _("backing up {database} to {directory}").format(
                database=store.database_path(con), directory=args.directory
            )
        )
        summary = backup.backup_database(con, args.directory, LOCAL_ACTOR)
    return _print_summary(summary, args.json)


def run_restore(args: argparse.Namespace) -> int:
    """Restore a backup directory into the database file."""
    target = store.resolve_db_path(getattr(args, "db", None))
    if str(target) == ":memory:":
        return usage_error("restore", _("--db must name a file"))
    progress(
        _("restoring {directory} into {target}").format(
            directory=args.directory, target=target
        )
    )
    summary = backup.restore_database(
        args.directory, target, LOCAL_ACTOR, force=args.force
    )
    for note in summary.notes:
        progress(note)
    return _print_summary(summary, args.json)


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(_("Password: "))
        if getpass.getpass(_("Again: ")) != first:
            raise auth.HostedConfigError(_("the two passwords differ"))
        return first
    return sys.stdin.readline().rstrip("\r\n")


def run_hash_password(args: argparse.Namespace) -> int:
    """Print a salted hash of a password read from the terminal or stdin."""
    password_hash = auth.hash_password(_read_password())
    if args.user:
        # A JSON string is a valid TOML basic string: quotes and backslashes escaped.
        print(
            f"[workbench.users.{json.dumps(args.user)}]\n"
            f'role = "{args.role}"\npassword_hash = "{password_hash}"'
        )
    else:
        print(password_hash)
    return 0


COMMANDS = (
    Command(
        "backup",
        summary=N_("copy every table of the database to a directory of Parquet files"),
        description=N_(
            "Write every table of the database as Parquet to DIR (new or "
            "empty), with a manifest of the schema version, row counts and SHA-256 "
            "checksums. Runs while the app serves users: it waits its turn for the "
            "file (up to $WORKBENCH_LOCK_TIMEOUT seconds, default 30)."
        ),
        examples=(
            "workbench backup backups/2026-11-23",
            "workbench backup --db data/workbench.duckdb /mnt/backups/wb --json",
        ),
        add_options=_add_backup_options,
        run=run_backup,
    ),
    Command(
        "restore",
        summary=N_("rebuild a database file from a backup directory"),
        description=N_(
            "Rebuild the database file from DIR (written by `workbench backup`). "
            "The folder is read as data only: its manifest, checksums, file list, "
            "columns and row counts are all verified before anything is written, the "
            "schema comes from this workbench's own migrations, and no SQL from the "
            "folder is run. The file is built beside the target and only then moved "
            "into place. A target that already holds data is refused unless --force "
            "is given."
        ),
        examples=(
            "workbench restore backups/2026-11-23 --db restored.duckdb",
            "workbench restore backups/2026-11-23 --db data/workbench.duckdb --force",
        ),
        add_options=_add_restore_options,
        run=run_restore,
    ),
    Command(
        "hash-password",
        summary=N_("make a salted password hash for a hosted workbench's secrets"),
        description=N_(
            "Read a password (asked twice on a terminal, else one line from "
            "stdin) and print its salted scrypt hash for [workbench.users.NAME] "
            "password_hash in .streamlit/secrets.toml. With --user, print the whole "
            "TOML table."
        ),
        examples=(
            "workbench hash-password",
            "workbench hash-password --user alice --role analyst "
            ">> .streamlit/secrets.toml",
            "printf '%s\\n' \"$PASSWORD\" | workbench hash-password",
        ),
        add_options=_add_hash_options,
        run=run_hash_password,
    ),
)
