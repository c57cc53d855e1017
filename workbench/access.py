"""Who may do what. Checked by the library's writing functions, not only by pages.

Roles: a *viewer* reads everything and changes nothing; an *analyst* imports (and
undoes the last import: ``Workbench.undo_last_import`` requires ``"import"``), edits
people, overrides relationships, saves scenarios and writes plans; an *admin* also
backs up and restores the whole database, and is the only one who may clear the
hosted app's caches.
"""

from __future__ import annotations

from typing import Literal

from workbench.domain import Actor, Role
from workbench.errors import PermissionDeniedError

Action = Literal["read", "import", "edit", "plan", "admin"]

_ALLOWED: dict[Role, frozenset[Action]] = {
    "viewer": frozenset({"read"}),
    "analyst": frozenset({"read", "import", "edit", "plan"}),
    "admin": frozenset({"read", "import", "edit", "plan", "admin"}),
}


def can(actor: Actor, action: Action) -> bool:
    """Return whether the actor's role allows the action."""
    return action in _ALLOWED.get(actor.role, frozenset())


def require(actor: Actor, action: Action) -> None:
    """Raise :class:`PermissionDeniedError` unless the actor may do the action."""
    if not can(actor, action):
        raise PermissionDeniedError(
            f"{actor.name} is signed in as {actor.role} and may not {action}; "
            "ask an analyst or an admin."
        )
