"""How records name their accounts: by name, and activities by a deal or a person.

Records that name their account by name alone give it: an account neither the
import nor the database holds is made from the name (:func:`resolve_account_names`).

An activity's export may name a deal or a person where its account belongs.

Dynamics files an activity "regarding" one record: an account, but as often a
deal or a person (``regardingobjectid``; a view's export gives the record's name
under "Regarding"). HubSpot and other exports name an activity's person and not
its company. Read as an account, a deal's ID matched no account (the activity
was left without one, and its effort counted for nobody) and a deal's or a
person's name made a new account of it.

So an activity's account is, in this order:

1. the account it names, by ID or by an account's name;
2. else the account of the deal or the person its account column names, by ID,
   or by name where no account has that name and the name is one account's
   (a deal's name several accounts share, "Renewal 2024", gives none);
3. else its person's account (Salesforce fills a task's account from its person
   the same way).

A name that some deal or person of the import or the database holds is never
made into an account. Each file's activities read through a deal or a person
are counted per way (:func:`import_account_via`), for the import's notes.
"""

from __future__ import annotations

import polars as pl

from workbench.store._base import Connection, _frame

#: How an activity's account was found: the deal or the person its account
#: column names (by ID or by name), its person, or a name several accounts share.
VIA_DEAL, VIA_PERSON, VIA_CONTACT, VIA_SHARED = "deal", "person", "contact", "shared"


#: The sources whose activity's account column may name a deal or a person:
#: Dynamics' Regarding (its IDs are GUIDs, one record's alone) and HubSpot's
#: deal associations. Elsewhere an account ID that names no account is a
#: missing account: a generic file's IDs are counted per table, and its
#: account "17" is not the deal "17".
REGARDING_SOURCES = ("dynamics", "hubspot")
_REGARDING = f"a._source IN {REGARDING_SOURCES}"
#: Salesforce's prefix of an opportunity's ID: a task exported without
#: ``AccountId`` names its account, or its opportunity, in ``WhatId``
#: (:func:`workbench.ingest.vendor_shapes.salesforce_related_accounts`).
#: Salesforce's IDs say their object, so such an ID is read through the deal
#: by ID alone (a name is not: Salesforce exports name accounts by name).
SALESFORCE_DEAL_PREFIX = "006"


def may_name_record(alias: str) -> str:
    """Return the SQL condition of an activity whose account column may name a deal or a person."""
    return (
        f"({alias}._source IN {REGARDING_SOURCES} OR ({alias}._source = 'salesforce' "
        f"AND starts_with({alias}.account_id, '{SALESFORCE_DEAL_PREFIX}')))"
    )


def _records(staged: set[str], keys: str, *, by_name: bool = False) -> str:
    """Return the SQL of the deals and people an activity may name, one row an ID.

    Columns ``k`` (the ID), ``name``, ``account_id``, ``contact_id`` (the
    person's own) and ``via``. The import's own, once built, before the stored
    (a person moved by the import is read where the import puts them); a deal
    before a person of the same ID. Only the records whose ID (or, ``by_name``,
    lower-cased name) is among ``keys`` (SQL of one column): a portfolio's
    million deals are not read for a file of a few activities.
    """
    match = f"lower(name) IN ({keys})" if by_name else f"k IN ({keys})"
    deals = "SELECT opportunity_id AS k, name, account_id, NULL::VARCHAR AS contact_id"
    people = "SELECT contact_id AS k, name, account_id, contact_id"
    parts = [f"{deals}, '{VIA_DEAL}' AS via, 1 AS stored FROM opportunities"]
    parts.append(f"{people}, '{VIA_PERSON}', 1 FROM contacts")
    if "opportunities" in staged:
        parts.append(f"{deals}, '{VIA_DEAL}', 0 FROM _import_new_opportunities")
    if "contacts" in staged:
        parts.append(f"{people}, '{VIA_PERSON}', 0 FROM _import_new_contacts")
    # one row an ID: an update joined to two would pick either, and count both
    return (
        "SELECT k, name, account_id, contact_id, via FROM ("
        + " UNION ALL ".join(f"SELECT * FROM ({part}) WHERE {match}" for part in parts)
        + ") QUALIFY row_number() OVER (PARTITION BY k ORDER BY via, stored) = 1"
    )


def staged_record_names(staged: set[str]) -> str:
    """Return the SQL of the lower-cased names of deals and people, before their build.

    An activity's account name among them is not made into an account. Only
    the names some activity of the import gives as its account's.
    """
    named = (
        "SELECT lower(account_name) FROM _import_in_activities "
        f"WHERE _source IN {REGARDING_SOURCES} AND account_id IS NULL"
    )
    sources = [("lower(name)", "opportunities"), ("lower(name)", "contacts")]
    if "opportunities" in staged:
        sources.append(("lower(name)", "_import_in_opportunities"))
    if "contacts" in staged:
        full = "coalesce(name, nullif(trim(concat_ws(' ', first_name, last_name)), ''))"
        sources.append((f"lower({full})", "_import_in_contacts"))
    return " UNION ALL ".join(
        f"SELECT {name} FROM {table} WHERE {name} IN ({named})"
        for name, table in sources
    )


def made_from_name(name: str, key: str) -> str:
    """Return the SELECT list of a record made from a name its rows give (grouped by it).

    Its first row (by file, then row), file and source; the name as its source
    ID and name; and its ``key``, from the source and the lower-cased name, so
    that a re-import makes the same record again.
    """
    return (
        "arg_min(_row, _file || lpad(_row::VARCHAR, 12, '0')) AS _row, "
        "min(_file) AS _file, min(_source) AS _source, "
        f"min({name}) AS source_id, min({name}) AS name, "
        f"min(_source) || ':' || left(md5(lower(min({name}))), 12) AS {key}"
    )


def resolve_account_names(cur: Connection, staged: set[str]) -> None:
    """Accounts named only by reference, the account index, parents and owners."""
    # Accounts that records name but neither the import nor the database holds.
    referrers = [t for t in ("contacts", "opportunities", "activities") if t in staged]
    if referrers:
        # an activity's Regarding naming a deal or a person is not an account's
        not_records = (
            f"AND (_source NOT IN {REGARDING_SOURCES} OR lower(account_name) "
            f"NOT IN ({staged_record_names(staged)}))"
            if "activities" in staged and _count(cur, _REGARDING_NAMES)
            else ""
        )
        named = " UNION ALL ".join(
            f"SELECT _file, _row, _source, account_name FROM _import_in_{t} "
            "WHERE account_id IS NULL AND account_name IS NOT NULL "
            + (not_records if t == "activities" else "")
            for t in referrers
        )
        cur.execute(
            f"""
            INSERT INTO _import_new_accounts BY NAME
            SELECT {made_from_name("account_name", "account_id")},
                   false AS matched_by_name, true AS created_from_reference,
                   false AS has_crm_id
            FROM ({named}) r
            WHERE lower(account_name) NOT IN (
                    SELECT lower(name) FROM _import_new_accounts WHERE name IS NOT NULL)
              AND lower(account_name) NOT IN (SELECT lower(name) FROM accounts)
            GROUP BY lower(account_name)
            """
        )
    cur.execute(
        """
        CREATE OR REPLACE TEMP TABLE _import_account_index AS
        SELECT lower(name) AS k, min(account_id) AS account_id FROM (
            SELECT name, account_id FROM _import_new_accounts
            UNION ALL
            SELECT name, account_id FROM accounts
            WHERE lower(name) NOT IN (
                SELECT lower(name) FROM _import_new_accounts WHERE name IS NOT NULL)
        ) WHERE name IS NOT NULL GROUP BY 1
        """
    )
    # Parents and owners named by name.
    cur.execute(
        """
        UPDATE _import_new_accounts a SET parent_account_id = i.account_id
        FROM _import_account_index i
        WHERE a.parent_account_id IS NULL AND a.parent_account_name IS NOT NULL
          AND i.k = lower(a.parent_account_name)
        """
    )
    cur.execute(
        """
        UPDATE _import_new_accounts a SET owner_seller_id = i.seller_id
        FROM _import_seller_index i
        WHERE a.owner_seller_id IS NULL AND a.owner_seller_name IS NOT NULL
          AND i.k = lower(trim(a.owner_seller_name))
        """
    )


#: Activities of an export whose account column may name a deal or a person,
#: by name, before their build (the account name no account has).
_REGARDING_NAMES = (
    f"SELECT count(*) FROM _import_in_activities WHERE _source IN {REGARDING_SOURCES} "
    "AND account_id IS NULL AND account_name IS NOT NULL"
)


def _count(cur: Connection, sql: str) -> int:
    return int(cur.execute(sql).fetchall()[0][0])


def resolve_activity_accounts(cur: Connection, staged: set[str]) -> None:
    """Give the built activities the account of the deal or person they name.

    Runs on ``_import_new_activities`` before their people are looked up by
    name (within the account) and before their references are checked. Marks
    each row so found in ``_account_via`` and counts them per file and way.
    Each way runs only where some activity needs it, and reads only the deals
    and people the activities name.
    """
    accounts = (
        "SELECT account_id FROM accounts "
        "UNION ALL SELECT account_id FROM _import_new_accounts"
    )
    cur.execute("ALTER TABLE _import_new_activities ADD COLUMN _account_via VARCHAR")
    by_id = (
        f"{may_name_record('a')} AND a.account_id IS NOT NULL "
        f"AND a.account_id NOT IN ({accounts})"
    )
    by_name = f"{_REGARDING} AND a.account_id IS NULL AND a._account_name IS NOT NULL"
    alone = "a.account_id IS NULL AND a.contact_id IS NOT NULL"
    wanted = cur.execute(
        f"SELECT count(*) FILTER ({by_id}), count(*) FILTER ({by_name}), "
        f"count(*) FILTER ({alone}) FROM _import_new_activities a"
    ).fetchall()[0]
    # 2. by ID: an account column naming no account but a deal or a person
    if wanted[0]:
        keys = f"SELECT a.account_id FROM _import_new_activities a WHERE {by_id}"
        cur.execute(
            f"""
            UPDATE _import_new_activities a
            SET account_id = r.account_id,
                contact_id = coalesce(a.contact_id, r.contact_id), _account_via = r.via
            FROM ({_records(staged, keys)}) r
            WHERE {by_id} AND a.account_id = r.k
            """
        )
    # 2. by name, where the name is one account's deals' or people's alone
    if wanted[1]:
        keys = (
            "SELECT lower(a._account_name) FROM _import_new_activities a "
            f"WHERE {by_name}"
        )
        cur.execute(
            f"""
            UPDATE _import_new_activities a
            SET account_id = r.account_id,
                contact_id = coalesce(a.contact_id, r.contact_id),
                _account_via = CASE WHEN r.accounts = 1 THEN r.via ELSE '{VIA_SHARED}' END
            FROM (
                SELECT lower(name) AS k, count(DISTINCT account_id) AS accounts,
                       CASE WHEN count(DISTINCT account_id) = 1 THEN min(account_id) END
                           AS account_id,
                       CASE WHEN count(DISTINCT contact_id) = 1
                             AND count(DISTINCT account_id) = 1
                            THEN min(contact_id) END AS contact_id,
                       min(via) AS via
                FROM ({_records(staged, keys, by_name=True)}) GROUP BY 1
            ) r
            WHERE {by_name} AND lower(a._account_name) = r.k
            """
        )
    # 3. its person's account
    if wanted[2]:
        keys = f"SELECT a.contact_id FROM _import_new_activities a WHERE {alone}"
        cur.execute(
            f"""
            UPDATE _import_new_activities a
            SET account_id = r.account_id, _account_via = '{VIA_CONTACT}'
            FROM ({_records(staged, keys)}) r
            WHERE {alone} AND a._account_via IS NULL
              AND r.via = '{VIA_PERSON}' AND a.contact_id = r.k
            """
        )
    cur.execute(
        """
        INSERT INTO _import_account_via
        SELECT _file, _account_via, count(*) FROM _import_new_activities
        WHERE _account_via IS NOT NULL GROUP BY ALL
        """
    )


def load_activity_accounts(
    cur: Connection, run_id: int, file: str, source: str
) -> None:
    """Give the activities a one-pass load wrote the account of their deal or person.

    The load's own rows (``run_id``), once the export's other files are written:
    an account column naming a stored deal or person by ID, and a row with no
    account whose person is stored. Names are the staged path's (a file naming
    records by name does not load in one pass). Counted as the staged path does.
    """
    keys = (
        "SELECT account_id FROM activities WHERE import_run_id = $run "
        "AND account_id NOT IN (SELECT account_id FROM accounts)"
    )
    records = _records(set(), keys)
    counted: dict[str, int] = {}
    dangling = (
        source in REGARDING_SOURCES
        and cur.execute(
            """
        SELECT count(*) FROM activities
        WHERE import_run_id = $run AND account_id IS NOT NULL
          AND account_id NOT IN (SELECT account_id FROM accounts)
        """,
            {"run": run_id},
        ).fetchall()[0][0]
    )
    if dangling:
        for via in (VIA_DEAL, VIA_PERSON):
            changed = cur.execute(
                f"""
                UPDATE activities a
                SET account_id = r.account_id,
                    contact_id = coalesce(a.contact_id, r.contact_id)
                FROM ({records}) r
                WHERE a.import_run_id = $run AND r.via = $via AND a.account_id = r.k
                  AND a.account_id NOT IN (SELECT account_id FROM accounts)
                """,
                {"run": run_id, "via": via},
            ).fetchall()[0][0]
            counted[via] = int(changed)
    unattributed = cur.execute(
        "SELECT count(*) FROM activities WHERE import_run_id = $run "
        "AND account_id IS NULL AND contact_id IS NOT NULL",
        {"run": run_id},
    ).fetchall()[0][0]
    if unattributed:
        counted[VIA_CONTACT] = int(
            cur.execute(
                """
                UPDATE activities a SET account_id = c.account_id FROM contacts c
                WHERE a.import_run_id = $run AND a.account_id IS NULL
                  AND a.contact_id = c.contact_id
                """,
                {"run": run_id},
            ).fetchall()[0][0]
        )
    for via, rows in counted.items():
        if rows:
            cur.execute(
                "INSERT INTO _import_account_via VALUES ($file, $via, $rows)",
                {"file": file, "via": via, "rows": rows},
            )


def import_account_via(cur: Connection, file: str | None = None) -> pl.DataFrame:
    """Return per file and way how many activities took a deal's or a person's account.

    Columns: ``_file``, ``via`` (:data:`VIA_DEAL`, :data:`VIA_PERSON`,
    :data:`VIA_CONTACT`, or :data:`VIA_SHARED` for a name several accounts'
    records share: left without an account) and ``rows``. ``file``: that
    file's alone.
    """
    found: pl.DataFrame = _frame(
        cur.sql(
            "SELECT _file, via, sum(rows)::BIGINT AS rows FROM _import_account_via "
            "WHERE $file IS NULL OR _file = $file GROUP BY ALL ORDER BY _file, via",
            params={"file": file},
        )
    )
    return found
