"""Errors the workbench raises on purpose, each with a message meant for a person.

An error may carry its sentence as a wording (a template marked ``N_()`` and its
parameters, :class:`workbench.domain.Wording`): ``str(error)`` is the English
sentence, the one logs and ``--json`` keep, and where a person reads it the
wording is said in the reader's language (``ingest.refusal_text``). This module
imports nothing of ours, so the wording is only known by what it can do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Worded(Protocol):
    """A sentence that can be said in a language (what a Wording offers)."""

    def text(self, translate: Callable[[str], str] = str) -> str:
        """Return the sentence, its template passed through ``translate``."""
        ...


class WorkbenchError(Exception):
    """Base class: the command line turns these into exit code 1 and a plain message."""

    def __init__(self, message: str | Worded = "", *args: object) -> None:
        self.wording: Worded | None = None if isinstance(message, str) else message
        super().__init__(message if isinstance(message, str) else message.text(), *args)


class RejectedInputError(WorkbenchError):
    """Input that cannot be used as it is; nothing was changed."""


class MissingDatabaseError(WorkbenchError):
    """A command that reads a database was given a path where there is none."""


class DatabaseBusyError(WorkbenchError):
    """Another process holds the database file open for writing."""


class PermissionDeniedError(WorkbenchError):
    """The signed-in user's role does not allow this action."""
