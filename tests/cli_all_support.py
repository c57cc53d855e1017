"""Running ``workbench`` commands in-process, shared by the command-line tests."""

from __future__ import annotations

from workbench.cli import main

#: Keys every row of ``workbench effort --json`` carries (among others).
EFFORT_JSON_KEYS = {
    "account_id",
    "effort_minutes",
    "activities",
    "relationship",
    "value_segment",
}


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run one command in-process; usage errors from argparse give their code too."""
    try:
        code = main(list(argv))
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err
