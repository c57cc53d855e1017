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

Each change of facts also says which accounts it touched, in ``fact_changes``
(one row per account and data version; a NULL account: every account), so that
account features held from before are brought up to date for those accounts
alone (:mod:`.feature_changes`). A write names them with :func:`scope_facts`;
one that does not touched every account. A write this code did not mark is
logged as touching every account by the next write that is marked, and, while
it is the last write, :func:`fact_changes` says so by itself.

A change of every account that is one thing every account reads the same way
says which (:func:`scope_shared`, in ``shared_fact_changes``): an hourly cost
of a seller role or team changes the priced hours of the account features and
nothing else, which are read again for every account on their own
(:func:`fact_changes`). It is still logged as touching every account, so a
reader that does not know what a shared change is reads everything again.
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

#: The per-connection table a write's scope is gathered in (temporary: it dies
#: with the write's cursor, and no other connection sees it).
_SCOPE = "_facts_scope"
#: The per-connection table the shared things a write changes are named in.
_SHARED = "_facts_shared"

#: A change of the hourly cost of a seller role or team (``seller_cost_rates``):
#: every account's priced hours, and nothing else of its features.
COST_RATES = "cost_rates"
#: The shared changes a write may name (:func:`scope_shared`).
SHARED_CHANGES: frozenset[str] = frozenset({COST_RATES})

#: A log longer than this is cut to one row saying every account changed: the
#: features are then added up once from scratch, which costs less than reading
#: that many changes.
MAX_LOGGED_CHANGES = 200_000


@dataclass(frozen=True)
class Versions:
    """A database's versions: ``data`` moves at every write, ``facts`` at a change of facts.

    ``facts`` is the data version the facts last changed at, so it names one
    state of the facts for good: it only grows, and two states never share it.
    """

    data: int
    facts: int


def _stored(cur: Connection) -> dict[str, int]:
    rows = cur.execute(
        "SELECT key, value FROM workbench_meta WHERE key IN ($d, $f, $c)",
        parameters={"d": _DATA, "f": _FACTS, "c": _DECISIONS},
    ).fetchall()
    return {str(key): int(value) for key, value in rows}


def _of(stored: dict[str, int]) -> Versions:
    data = stored.get(_DATA, 0)
    facts = stored.get(_FACTS)
    # the facts stand where they were only if this code marked the last write:
    # a change of facts (the facts version) or a decision (the decisions one)
    if facts is not None and _marked(stored):
        return Versions(data, facts)
    return Versions(data, data)


def _marked(stored: dict[str, int]) -> bool:
    facts = stored.get(_FACTS)
    return facts is not None and stored.get(_DATA, 0) in (facts, stored.get(_DECISIONS))


def stored_versions(cur: Connection) -> Versions:
    """Return the :class:`Versions` read on ``cur`` itself (inside its transaction)."""
    return _of(_stored(cur))


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
    logged = _has_log(cur)
    if logged and data and not _marked(stored):
        # the last write was not marked: it may have changed any account
        _log_every_account(cur, data)
    moved = {_DATA: after}
    if facts:
        moved[_FACTS] = after
        if logged:
            _log_changes(cur, after)
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


def scope_facts(cur: Connection, accounts_sql: str, params: dict[str, object]) -> None:
    """Say that the write on ``cur`` touches the facts of these accounts (and no other).

    ``accounts_sql``: a query of one column, the account IDs (run with ``params``
    inside the write's transaction; call it more than once to add more; a
    NULL ID means every account).
    An account's own rows (the account, its people, deals, activities,
    answers, contracts, wallet) count; the accounts whose features read them
    through a person (an activity naming someone of another account) are
    found by the reader (:mod:`.feature_changes`). A write that changes a
    seller, a cost rate, a setting or anything shared by every account does
    not call this: it touched every account.
    """
    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_SCOPE} (account_id VARCHAR)")
    cur.execute(f"INSERT INTO {_SCOPE} SELECT * FROM ({accounts_sql})", params)


def scope_shared(cur: Connection, what: str) -> None:
    """Say that the write on ``cur`` changes ``what``, read alike by every account.

    ``what``: one of :data:`SHARED_CHANGES`. The write touches every account
    (and is logged so), but a reader holding features from before may read
    again only what ``what`` changes (:func:`fact_changes`). With
    :func:`scope_facts` in the same write, the accounts it names changed too;
    with :func:`scope_every_account`, anything did.
    """
    if what not in SHARED_CHANGES:
        raise ValueError(f"not a shared change of facts: {what!r}")
    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_SHARED} (what VARCHAR)")
    cur.execute(f"INSERT INTO {_SHARED} VALUES ($w)", {"w": what})


def scope_every_account(cur: Connection) -> None:
    """Say that the write on ``cur`` may touch every account, whatever else it scoped.

    For a part of a write that does not know its accounts (a large activity
    file loaded in one pass, a seller changed) inside a write whose other parts
    called :func:`scope_facts`.
    """
    scope_facts(cur, "SELECT NULL", {})


def _has_log(cur: Connection) -> bool:
    # a file not migrated yet (a test building an older one) keeps no log
    rows = cur.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'fact_changes' "
        "AND NOT temporary AND database_name = current_database()"
    ).fetchall()
    return bool(rows[0][0])


def _scoped(cur: Connection, table: str = _SCOPE) -> bool:
    rows = cur.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = $t AND temporary",
        parameters={"t": table},
    ).fetchall()
    return bool(rows[0][0])


def _logs_shared(cur: Connection) -> bool:
    # a file before migration 18 has no table of shared changes
    rows = cur.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = "
        "'shared_fact_changes' AND NOT temporary AND database_name = current_database()"
    ).fetchall()
    return bool(rows[0][0])


def _log_every_account(cur: Connection, version: int) -> None:
    # what came before is covered: a reader older than this reads everything
    cur.execute("DELETE FROM fact_changes WHERE data_version <= $v", {"v": version})
    cur.execute(
        "INSERT INTO fact_changes (data_version, account_id) VALUES ($v, NULL)",
        {"v": version},
    )
    if _logs_shared(cur):
        cur.execute(
            "DELETE FROM shared_fact_changes WHERE data_version <= $v", {"v": version}
        )


def _log_changes(cur: Connection, version: int) -> None:
    scoped = _scoped(cur)
    shared = _scoped(cur, _SHARED)
    if (
        not (scoped or shared)
        or (shared and not _logs_shared(cur))
        or (
            scoped
            and cur.execute(
                f"SELECT count(*) FROM {_SCOPE} WHERE account_id IS NULL"
            ).fetchall()[0][0]
        )
    ):
        _log_every_account(cur, version)
    else:
        if scoped:
            cur.execute(
                f"""
                INSERT INTO fact_changes (data_version, account_id)
                SELECT DISTINCT $v, account_id FROM {_SCOPE}
                WHERE account_id IS NOT NULL
                """,
                {"v": version},
            )
        if shared:
            # every account, as a reader that knows no shared change reads it
            cur.execute(
                "INSERT INTO fact_changes (data_version, account_id) VALUES ($v, NULL)",
                {"v": version},
            )
            cur.execute(
                f"INSERT INTO shared_fact_changes SELECT DISTINCT $v, what FROM {_SHARED}",
                {"v": version},
            )
        rows = cur.execute("SELECT count(*) FROM fact_changes").fetchall()
        if int(rows[0][0]) > MAX_LOGGED_CHANGES:
            _log_every_account(cur, version)
    for table in (_SCOPE, _SHARED):
        cur.execute(f"DROP TABLE IF EXISTS temp.main.{table}")


@dataclass(frozen=True)
class FactChanges:
    """What changed after a reader's versions: some accounts, some shared things."""

    #: the accounts whose own facts changed
    accounts: frozenset[str]
    #: the things every account reads alike that changed (of :data:`SHARED_CHANGES`)
    shared: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.accounts or self.shared)


def fact_changes(cur: Connection, since: Versions) -> FactChanges | None:
    """Return what changed after ``since`` (``None``: any fact of any account may have).

    ``since``: the versions a reader read its features at, on this file. Read on
    the cursor of the reader's transaction, so the answer and the rows read
    after it are one state of the file. A change of every account is a shared
    change only where the write said so (:func:`scope_shared`).
    """
    stored = _stored(cur)
    now = _of(stored)
    if now.facts == since.facts:
        return FactChanges(frozenset(), frozenset())
    if not _has_log(cur) or not _marked(stored) or now.data < since.data:
        return None
    # each row of every account with the shared things its write named, if any
    shared_of = (
        "(SELECT list(s.shared) FROM shared_fact_changes s "
        "WHERE s.data_version = c.data_version)"
        if _logs_shared(cur)
        else "NULL::VARCHAR[]"
    )
    rows = cur.execute(
        f"""
        SELECT c.account_id, CASE WHEN c.account_id IS NULL THEN {shared_of} END
        FROM fact_changes c WHERE c.data_version > $v
        """,
        parameters={"v": since.facts},
    ).fetchall()
    accounts: set[str] = set()
    shared: set[str] = set()
    for account, things in rows:
        if account is not None:
            accounts.add(str(account))
        elif not things or not set(things) <= SHARED_CHANGES:
            return None  # every account, not one shared thing (or one unknown)
        else:
            shared.update(things)
    return FactChanges(frozenset(accounts), frozenset(shared))


def database_id(cur: Connection) -> str | None:
    """Return the file's identity (kept by a copy, not shared by a new file)."""
    rows = cur.execute(
        "SELECT value FROM workbench_meta WHERE key = 'database_id'"
    ).fetchall()
    return str(rows[0][0]) if rows else None
