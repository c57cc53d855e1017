from __future__ import annotations

import pytest

from workbench import access
from workbench.domain import LOCAL_ACTOR, Actor
from workbench.errors import PermissionDeniedError


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        ("viewer", "read", True),
        ("viewer", "import", False),
        ("viewer", "edit", False),
        ("viewer", "plan", False),
        ("analyst", "import", True),
        ("analyst", "edit", True),
        ("analyst", "plan", True),
        ("analyst", "admin", False),
        ("admin", "admin", True),
    ],
)
def test_role_matrix(role, action, allowed):
    assert access.can(Actor("x", role), action) is allowed


def test_require_names_the_role():
    with pytest.raises(PermissionDeniedError, match="viewer"):
        access.require(Actor("lea", "viewer"), "edit")


def test_local_actor_may_do_everything():
    for action in ("read", "import", "edit", "plan", "admin"):
        access.require(LOCAL_ACTOR, action)
