"""The data version and the facts version: the keys cached reads are kept under.

Every committed write bumps the *data version*; a read cached under it is read
again after any write. Most writes in a workshop are decisions, not facts: a
plan saved, a relationship overridden, a buying situation rated, a scenario
saved, a service model, a requirement noted, a detractor's follow-up, a
rejected import's record.
None of them changes what the account features add up (accounts, people,
deals, activities, answers, contracts, wallets, cost rates). Such a write says
so (``write_transaction(con, facts=False)``) and may write the
:data:`DECISION_TABLES` only; the *facts version* then stays where it was, and
the reads cached under it (the account features, the term's revenue: seconds
at 100,000 accounts) are not read again because a plan was saved.

A write that does not say so counts as a change of facts: a forgotten
declaration costs a read, never a stale figure. A write this code did not mark
(a version before the facts version, writing the same file) moves the data
version alone; the facts version is then taken to be the data version, as if
that write changed facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.store._base import Connection

#: The tables a write that changes no fact may write (with ``workbench_meta``,
#: where the versions are kept). No read cached under the facts version reads
#: them (tests/test_versions.py checks both, statement by statement).
DECISION_TABLES: frozenset[str] = frozenset(
    {
        "account_plans",
        "plan_objectives",
        "plan_actions",
        "plan_risks",
        "relationship_overrides",
        "segment_scenarios",
        "service_models",
        "account_situation",
        "account_requirements",
        "requirement_conflicts",
        "detractor_followups",
        "import_runs",
    }
)

_DATA, _FACTS, _DECISIONS = "data_version", "facts_version", "decisions_version"


@dataclass(frozen=True)
class Versions:
    """A database's versions: ``data`` moves at every write, ``facts`` at a change of facts.

    ``facts`` is the data version the facts last changed at, so it names one
    state of the facts for good: it only grows, and two states never share it.
    """

    data: int
    facts: int


def _stored(cur: Connection) -> dict[str, int]:
    rows = cur.sql(
        "SELECT key, value FROM workbench_meta WHERE key IN ($d, $f, $c)",
        params={"d": _DATA, "f": _FACTS, "c": _DECISIONS},
    ).fetchall()
    return {str(key): int(value) for key, value in rows}


def _of(stored: dict[str, int]) -> Versions:
    data = stored.get(_DATA, 0)
    facts = stored.get(_FACTS)
    # the facts stand where they were only if this code marked the last write:
    # a change of facts (the facts version) or a decision (the decisions one)
    if facts is not None and data in (facts, stored.get(_DECISIONS)):
        return Versions(data, facts)
    return Versions(data, data)


def versions(con: Connection) -> Versions:
    """Return the database's :class:`Versions`."""
    # a cursor of its own: the connection may hold a result not yet fetched
    with con.cursor() as cur:
        return _of(_stored(cur))


def bump_versions(cur: Connection, *, facts: bool) -> None:
    """Move the data version on, and the facts version with it when ``facts``.

    Called by the write transaction before it commits, with its cursor: the
    versions are read in the transaction, as its body may have set them (a
    restore raises the data version above the replaced file's).
    """
    stored = _stored(cur)
    data = stored.get(_DATA, 0)
    after = data + 1
    moved = {_DATA: after}
    if facts:
        moved[_FACTS] = after
    else:
        # where the facts stood before this write (an unmarked write taken as
        # a change of facts), kept for the reads that ask after it
        moved[_FACTS] = _of(stored).facts
        moved[_DECISIONS] = after
    for key, value in moved.items():
        cur.execute(
            """
            INSERT INTO workbench_meta VALUES ($k, $v)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """,
            {"k": key, "v": str(value)},
        )
