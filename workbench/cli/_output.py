"""How commands speak: data to stdout, progress and usage errors to stderr.

Stdout carries data only (text for a person, JSON, CSV, an exported file), so that it
can be piped; everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from workbench import exports
from workbench.cli._json import document_text

if TYPE_CHECKING:
    import polars as pl

#: Exit code for a usage error found after parsing (argparse's own code for bad options).
EXIT_USAGE = 2


def usage_error(command: str, message: str) -> int:
    """Say what is wrong with the command line, on stderr; return exit code 2."""
    print(f"workbench {command}: {message}", file=sys.stderr)
    return EXIT_USAGE


def progress(message: str) -> None:
    """Say what a long command is doing, on stderr so stdout stays data only."""
    print(f"… {message}", file=sys.stderr, flush=True)


def print_json(value: Any) -> None:
    """Print one JSON document to stdout (dates as ISO strings, text unescaped).

    A polars frame in it is printed as the list of its rows (see :mod:`._json`).
    """
    print(document_text(value))


def print_outcome(as_json: bool, document: Any, print_text: Callable[[], None]) -> int:
    """Print ``document`` as JSON (``--json``), else call ``print_text``; return 0."""
    if as_json:
        print_json(document)
    else:
        print_text()
    return 0


def fit(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded to ``width`` terminal columns; a Chinese character takes two.

    ``f"{text:12}"`` counts a Chinese character as one column, and a table drifts.
    """
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    padding = " " * max(0, width - columns)
    return padding + text if right else text + padding


def print_counts(
    counts: Mapping[str, int], *, indent: str = "", width: int = 22
) -> None:
    """Print one line per table: its name and its number of rows."""
    for table, rows in counts.items():
        print(f"{indent}{table:{width}} {rows:>10,}")


def write_stdout_bytes(data: bytes) -> None:
    """Write bytes (a CSV, an exported file) to stdout after any text printed so far."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def print_table(
    args: argparse.Namespace,
    table: pl.DataFrame,
    print_text: Callable[[], None],
    document: Any = None,
) -> int:
    """Print a table as ``--json``, ``--csv`` or text for a person; return 0.

    ``--json`` prints ``document``, else one object per row; ``--csv`` the table,
    spreadsheet-safe; otherwise ``print_text`` prints it.
    """
    if args.json:
        print_json(table if document is None else document)
    elif args.csv:
        write_stdout_bytes(exports.to_csv_bytes(table))
    else:
        print_text()
    return 0
