"""Errors the workbench raises on purpose, each with a message meant for a person."""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base class: the command line turns these into exit code 1 and a plain message."""


class RejectedInputError(WorkbenchError):
    """Input that cannot be used as it is; nothing was changed."""


class DatabaseBusyError(WorkbenchError):
    """Another process holds the database file open for writing."""


class PermissionDeniedError(WorkbenchError):
    """The signed-in user's role does not allow this action."""
