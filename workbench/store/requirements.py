"""The requirements register: what each role of an account needs, and the conflicts.

Seed 004's point: roles score differently because they need different things
(procurement the lowest price, operations a four-hour response, IT a security
review, legal a liability cap). Each need is kept in the role's own words with
its source; two needs that pull against each other form a conflict with an owner
who resolves it.
"""

from __future__ import annotations

import uuid

import polars as pl

from workbench.access import require
from workbench.domain import BUYING_ROLES, Actor
from workbench.errors import RejectedInputError
from workbench.store._base import Connection, _replace_row, _stamped
from workbench.store.connection import query_frame, write_transaction

#: What a need is about (the seed's examples, plus delivery and quality).
REQUIREMENT_CATEGORIES: tuple[str, ...] = (
    "price",
    "service level",
    "response time",
    "security",
    "contract terms",
    "delivery",
    "quality",
    "other",
)
REQUIREMENT_SOURCES: tuple[str, ...] = ("survey comment", "meeting", "other")
CONFLICT_STATUSES: tuple[str, ...] = ("open", "resolved")


def account_requirements(
    con: Connection, account_id: str | None = None
) -> pl.DataFrame:
    """Return the register (one account's, or every account's), oldest first.

    Columns: those of ``account_requirements``.
    """
    return query_frame(
        con,
        """
        SELECT requirement_id, account_id, role, contact_id, category, need, source,
               response_id, recorded_by, recorded_at
        FROM account_requirements
        WHERE $a IS NULL OR account_id = $a
        ORDER BY account_id, recorded_at, requirement_id
        """,
        {"a": account_id},
    )


def add_requirement(
    con: Connection,
    actor: Actor,
    *,
    account_id: str,
    role: str | None,
    category: str,
    need: str,
    source: str,
    contact_id: str | None = None,
    response_id: str | None = None,
) -> str:
    """Record one need of an account's role; return its ID.

    Raises:
        PermissionDeniedError: the actor may not plan.
        RejectedInputError: an empty need, an unknown role, category or source, or
            an account that does not exist.
    """
    require(actor, "plan")
    if not need.strip():
        raise RejectedInputError("a requirement needs the role's words")
    if role is not None and role not in BUYING_ROLES:
        raise RejectedInputError(f"unknown buying role {role!r}")
    if category not in REQUIREMENT_CATEGORIES:
        raise RejectedInputError(
            f"a requirement's category is one of {', '.join(REQUIREMENT_CATEGORIES)}"
        )
    if source not in REQUIREMENT_SOURCES:
        raise RejectedInputError(
            f"a requirement's source is one of {', '.join(REQUIREMENT_SOURCES)}"
        )
    requirement_id = "Q" + uuid.uuid4().hex[:15]
    with write_transaction(con, facts=False) as cur:  # decisions only
        if not cur.execute(
            "SELECT 1 FROM accounts WHERE account_id = $a", parameters={"a": account_id}
        ).fetchall():
            raise RejectedInputError(f"there is no account {account_id!r}")
        cur.execute(
            """
            INSERT INTO account_requirements VALUES
                ($id, $a, $role, $contact, $category, $need, $source, $response,
                 $who, $at)
            """,
            _stamped(
                actor,
                id=requirement_id,
                a=account_id,
                role=role,
                contact=contact_id,
                category=category,
                need=need.strip(),
                source=source,
                response=response_id,
            ),
        )
    return requirement_id


def survey_comment(con: Connection, response_id: str) -> dict[str, str | None]:
    """Return an answer's account, contact, role and comment (for promoting it).

    Raises:
        RejectedInputError: no such answer, or it has no comment.
    """
    rows = con.execute(
        """
        SELECT r.account_id, r.contact_id, c.buying_role, r.comment
        FROM nps_responses r LEFT JOIN contacts c ON c.contact_id = r.contact_id
        WHERE r.response_id = $r
        """,
        parameters={"r": response_id},
    ).fetchall()
    if not rows:
        raise RejectedInputError(f"there is no survey answer {response_id!r}")
    account_id, contact_id, role, comment = rows[0]
    if comment is None or not str(comment).strip():
        raise RejectedInputError(f"survey answer {response_id!r} has no comment")
    return {
        "account_id": account_id,
        "contact_id": contact_id,
        "role": role,
        "comment": str(comment),
    }


def requirement_conflicts(
    con: Connection, account_id: str | None = None
) -> pl.DataFrame:
    """Return the conflicts between requirements, each with both needs and roles.

    Columns: ``conflict_id``, ``account_id``, ``role_a``, ``need_a``, ``role_b``,
    ``need_b``, ``owner``, ``status``, ``resolution``, ``requirement_a``,
    ``requirement_b``, ``recorded_by``, ``recorded_at``; open ones first.
    """
    return query_frame(
        con,
        """
        SELECT k.conflict_id, k.account_id, a.role AS role_a, a.need AS need_a,
               b.role AS role_b, b.need AS need_b, k.owner, k.status, k.resolution,
               k.requirement_a, k.requirement_b, k.recorded_by, k.recorded_at
        FROM requirement_conflicts k
        LEFT JOIN account_requirements a ON a.requirement_id = k.requirement_a
        LEFT JOIN account_requirements b ON b.requirement_id = k.requirement_b
        WHERE $a IS NULL OR k.account_id = $a
        ORDER BY k.status = 'resolved', k.account_id, k.recorded_at, k.conflict_id
        """,
        {"a": account_id},
    )


def save_requirement_conflict(
    con: Connection,
    actor: Actor,
    *,
    requirement_a: str,
    requirement_b: str,
    owner: str,
    status: str = "open",
    resolution: str | None = None,
) -> str:
    """Mark two requirements of one account as in conflict (or update the mark).

    The pair is unordered: marking (b, a) updates the mark of (a, b).

    Raises:
        PermissionDeniedError: the actor may not plan.
        RejectedInputError: the same requirement twice, requirements of two
            accounts or unknown ones, no owner, or an unknown status.
    """
    require(actor, "plan")
    if requirement_a == requirement_b:
        raise RejectedInputError("a requirement cannot conflict with itself")
    if not owner.strip():
        raise RejectedInputError("a conflict needs an owner who resolves it")
    if status not in CONFLICT_STATUSES:
        raise RejectedInputError(
            f"a conflict is {' or '.join(CONFLICT_STATUSES)}, not {status!r}"
        )
    first, second = requirement_a, requirement_b
    with write_transaction(con, facts=False) as cur:  # decisions only
        accounts = cur.execute(
            """
            SELECT DISTINCT account_id FROM account_requirements
            WHERE requirement_id IN ($x, $y)
            """,
            parameters={"x": first, "y": second},
        ).fetchall()
        found = cur.execute(
            "SELECT count(*) FROM account_requirements WHERE requirement_id IN ($x, $y)",
            parameters={"x": first, "y": second},
        ).fetchall()[0][0]
        if found != 2:
            raise RejectedInputError("both requirements must be in the register")
        if len(accounts) != 1:
            raise RejectedInputError("a conflict joins requirements of one account")
        existing = cur.execute(
            """
            SELECT conflict_id, requirement_a, requirement_b
            FROM requirement_conflicts
            WHERE (requirement_a = $x AND requirement_b = $y)
               OR (requirement_a = $y AND requirement_b = $x)
            """,
            parameters={"x": first, "y": second},
        ).fetchall()
        conflict_id = existing[0][0] if existing else "K" + uuid.uuid4().hex[:15]
        if existing:
            # The pair keeps the order it was first marked in.
            first, second = existing[0][1], existing[0][2]
        _replace_row(
            cur,
            "requirement_conflicts",
            _stamped(
                actor,
                conflict_id=conflict_id,
                account_id=accounts[0][0],
                requirement_a=first,
                requirement_b=second,
                owner=owner.strip(),
                status=status,
                resolution=resolution,
            ),
        )
    return str(conflict_id)
