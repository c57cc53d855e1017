"""The buying centre: its reads, the checked contact edits and their history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from workbench.access import require
from workbench.domain import (
    ATTITUDES,
    BUYING_ROLES,
    INFLUENCE_RANGE,
    Actor,
    BuyingCentreData,
    months_before,
)
from workbench.errors import RejectedInputError
from workbench.store._base import Connection, _now, _registered
from workbench.store.connection import query_frame, write_transaction
from workbench.store.portfolio import data_date_range
from workbench.store.versions import scope_facts


def buying_centre_accounts(con: Connection) -> pl.DataFrame:
    """Return every account with its number of contacts, for the picker.

    Accounts with people come first, by name; accounts with nobody on record (common
    after a CRM sync) follow, so that the picker never opens on an empty map.
    """
    return query_frame(
        con,
        """
        SELECT a.account_id, a.name, count(c.contact_id) AS contacts
        FROM accounts a LEFT JOIN contacts c USING (account_id)
        GROUP BY a.account_id, a.name
        ORDER BY count(c.contact_id) = 0, lower(a.name), a.account_id
        """,
    )


def account_deals(con: Connection, account_id: str) -> pl.DataFrame:
    """Return the account's deals with the people the CRM names on each (contact roles).

    One row per (deal, person): ``opportunity_id, deal, stage, amount, close_date,
    is_closed, is_won, contact_id, deal_role, is_primary``; a deal nobody is named on
    has one row with NULL ``contact_id``. Open deals first, then by close date.
    """
    return query_frame(
        con,
        """
        SELECT o.opportunity_id, o.name AS deal, o.stage, o.amount, o.close_date,
               o.is_closed, o.is_won, oc.contact_id, oc.role AS deal_role,
               oc.is_primary
        FROM opportunities o
        LEFT JOIN opportunity_contacts oc USING (opportunity_id)
        WHERE o.account_id = $a
        ORDER BY coalesce(o.is_closed, false), o.close_date DESC NULLS LAST,
                 o.opportunity_id, oc.contact_id
        """,
        {"a": account_id},
    )


def read_buying_centre(
    con: Connection,
    account_id: str,
    *,
    months: int = 12,
    as_of: date | None = None,
) -> BuyingCentreData:
    """Return one account's buying centre with our touches in a window of months.

    Args:
        con: an open connection.
        account_id: the account.
        months: the window's length in calendar months, ending on ``as_of``.
        as_of: the window's last day; default the last day in the data.

    Raises:
        RejectedInputError: the account does not exist or ``months`` is not positive.
    """
    if months < 1:
        raise RejectedInputError(f"the window must be at least one month, not {months}")
    names = query_frame(
        con,
        "SELECT name FROM accounts WHERE account_id = $a",
        {"a": account_id},
    )
    if names.height == 0:
        raise RejectedInputError(f"no account has the ID {account_id!r}")
    end = as_of or data_date_range(con)[1] or _now().date()
    start = months_before(end, months)
    contacts = query_frame(
        con,
        """
        WITH people AS (SELECT * FROM contacts WHERE account_id = $a),
        touched AS (
            SELECT contact_id, max(activity_date) AS last_touch FROM activities
            WHERE contact_id IN (SELECT contact_id FROM people)
              AND activity_date <= $end
            GROUP BY contact_id
        ),
        nps AS (
            SELECT contact_id, score AS nps_score, responded_on AS nps_date,
                   count(*) OVER (PARTITION BY contact_id) AS nps_answers
            FROM nps_responses
            WHERE contact_id IN (SELECT contact_id FROM people) AND responded_on <= $end
            QUALIFY row_number() OVER (
                PARTITION BY contact_id ORDER BY responded_on DESC, response_id DESC
            ) = 1
        ),
        managers AS (
            SELECT contact_id, min(account_id) AS manager_account_id FROM contacts
            WHERE contact_id IN (SELECT reports_to_id FROM people)
            GROUP BY contact_id
        )
        SELECT p.contact_id, p.name, p.title, p.department, p.reports_to_id,
               m.manager_account_id, p.buying_role, p.influence, p.attitude,
               p.email, p.phone, coalesce(p.has_left, false) AS has_left,
               t.last_touch, n.nps_score, n.nps_date, n.nps_answers
        FROM people p
        LEFT JOIN managers m ON m.contact_id = p.reports_to_id
        LEFT JOIN touched t ON t.contact_id = p.contact_id
        LEFT JOIN nps n ON n.contact_id = p.contact_id
        ORDER BY p.contact_id
        """,
        {"a": account_id, "end": end},
    )
    influences = query_frame(
        con,
        """
        WITH people AS (SELECT contact_id FROM contacts WHERE account_id = $a)
        SELECT from_contact_id, to_contact_id, max(strength) AS strength
        FROM contact_influences
        WHERE from_contact_id IN (SELECT contact_id FROM people)
           OR to_contact_id IN (SELECT contact_id FROM people)
        GROUP BY ALL ORDER BY ALL
        """,
        {"a": account_id},
    )
    touches = query_frame(
        con,
        """
        SELECT x.seller_id, s.name AS seller_name, s.team AS seller_team,
               x.contact_id, count(*) AS touches,
               coalesce(sum(CASE WHEN isfinite(x.duration_minutes) THEN x.duration_minutes END), 0)::DOUBLE AS minutes,
               max(x.activity_date) AS last_touch
        FROM activities x LEFT JOIN sellers s USING (seller_id)
        -- the account's own activities, and other accounts' naming its people,
        -- found apart by their rows and then read: an OR of the two conditions
        -- scanned every activity's columns (24 against 5 ms at 2 M activities)
        WHERE x.rowid IN (
            SELECT rowid FROM activities
            WHERE account_id = $a
              AND activity_date > $start AND activity_date <= $end
            UNION ALL
            SELECT rowid FROM activities
            WHERE contact_id IN (SELECT contact_id FROM contacts WHERE account_id = $a)
              AND account_id IS DISTINCT FROM $a
              AND activity_date > $start AND activity_date <= $end)
        GROUP BY ALL ORDER BY touches DESC, x.seller_id, x.contact_id
        """,
        {"a": account_id, "start": start, "end": end},
    )
    return BuyingCentreData(
        account_id=account_id,
        account_name=str(names["name"][0]),
        start=start,
        end=end,
        contacts=contacts,
        influences=influences,
        touches=touches,
    )


def _check_contact_changes(changes: pl.DataFrame) -> list[str]:
    # Messages for every change outside the vocabularies; empty when all is well.
    problems: list[str] = []
    missing = {"contact_id", "field", "new_value"} - set(changes.columns)
    if missing:
        return [f"changes need the columns {sorted(missing)}"]
    allowed: dict[str, set[str]] = {
        "buying_role": set(BUYING_ROLES),
        "attitude": set(ATTITUDES),
        "influence": {
            str(v) for v in range(INFLUENCE_RANGE[0], INFLUENCE_RANGE[1] + 1)
        },
        "has_left": {"true", "false"},
    }
    for change in changes.iter_rows(named=True):  # a person's edits: a few rows
        field, value = change["field"], change["new_value"]
        if field not in allowed:
            problems.append(f"{change['contact_id']}: {field!r} cannot be edited here")
        elif value is not None and str(value) not in allowed[field]:
            choices = ", ".join(sorted(allowed[field]))
            problems.append(
                f"{change['contact_id']}: {value!r} is not a valid {field} ({choices})"
            )
    if changes.select("contact_id", "field").is_duplicated().any():
        problems.append("a contact's field is changed twice in one save")
    return problems


def save_contact_edits(con: Connection, actor: Actor, changes: pl.DataFrame) -> int:
    """Set roles, influence, attitudes and who left, and record each change with who and when.

    Args:
        con: an open, writable connection.
        actor: who saves; needs the ``edit`` permission.
        changes: one row per changed value: ``contact_id, field, new_value`` where
            ``field`` is one of :data:`CONTACT_EDIT_FIELDS` and ``new_value`` is text
            (``"4"`` for influence, ``"true"`` or ``"false"`` for ``has_left``)
            or NULL to clear it.

    Returns:
        How many values actually changed (unchanged values are not recorded).

    Raises:
        PermissionDeniedError: the actor may not edit.
        RejectedInputError: an unknown person, field or value; nothing is saved.
    """
    require(actor, "edit")
    if changes.height == 0:
        return 0
    changes = changes.select(
        pl.col("contact_id").cast(pl.String),
        pl.col("field").cast(pl.String),
        pl.col("new_value").cast(pl.String),
    )
    problems = _check_contact_changes(changes)
    if problems:
        raise RejectedInputError("; ".join(problems))
    with (
        write_transaction(con) as cur,
        _registered(cur, "_contact_changes", changes),
    ):
        unknown = cur.execute(
            """
            SELECT DISTINCT contact_id FROM _contact_changes
            WHERE contact_id NOT IN (SELECT contact_id FROM contacts)
            ORDER BY contact_id
            """
        ).fetchall()
        if unknown:
            raise RejectedInputError(
                "no contact has the ID "
                + ", ".join(repr(str(row[0])) for row in unknown)
            )
        cur.execute(
            """
            CREATE TEMP TABLE _contact_edit_rows AS
            SELECT ch.contact_id, ch.field,
                   CASE ch.field
                       WHEN 'buying_role' THEN c.buying_role
                       WHEN 'influence' THEN c.influence::VARCHAR
                       WHEN 'has_left' THEN c.has_left::VARCHAR
                       ELSE c.attitude
                   END AS old_value,
                   ch.new_value
            FROM _contact_changes ch JOIN contacts c USING (contact_id)
            """
        )
        cur.execute(
            "DELETE FROM _contact_edit_rows WHERE old_value IS NOT DISTINCT FROM new_value"
        )
        changed = int(
            cur.execute("SELECT count(*) FROM _contact_edit_rows").fetchall()[0][0]
        )
        cur.execute(
            """
            INSERT INTO contact_edits
            SELECT (SELECT coalesce(max(edit_id), 0) FROM contact_edits)
                       + row_number() OVER (ORDER BY contact_id, field),
                   contact_id, field, old_value, new_value, $by, $at
            FROM _contact_edit_rows
            """,
            {"by": actor.name, "at": _now()},
        )
        cur.execute(
            """
            UPDATE contacts SET buying_role = e.new_value FROM _contact_edit_rows e
            WHERE e.contact_id = contacts.contact_id AND e.field = 'buying_role'
            """
        )
        cur.execute(
            """
            UPDATE contacts SET influence = e.new_value::TINYINT
            FROM _contact_edit_rows e
            WHERE e.contact_id = contacts.contact_id AND e.field = 'influence'
            """
        )
        cur.execute(
            """
            UPDATE contacts SET attitude = e.new_value FROM _contact_edit_rows e
            WHERE e.contact_id = contacts.contact_id AND e.field = 'attitude'
            """
        )
        cur.execute(
            """
            UPDATE contacts SET has_left = e.new_value::BOOLEAN
            FROM _contact_edit_rows e
            WHERE e.contact_id = contacts.contact_id AND e.field = 'has_left'
            """
        )
        # the people's accounts (those whose activities name them are
        # found by the features' reader)
        scope_facts(
            cur,
            "SELECT account_id FROM contacts WHERE contact_id IN "
            "(SELECT contact_id FROM _contact_edit_rows)",
            {},
        )
        cur.execute("DROP TABLE _contact_edit_rows")
    return changed


def contact_edit_history(
    con: Connection, account_id: str, *, limit: int = 50
) -> pl.DataFrame:
    """Return the latest edits to an account's people: who changed what, when."""
    return query_frame(
        con,
        """
        SELECT e.edited_at, e.edited_by, c.name, e.field, e.old_value, e.new_value,
               e.contact_id
        FROM contact_edits e JOIN contacts c USING (contact_id)
        WHERE c.account_id = $a
        ORDER BY e.edit_id DESC LIMIT $limit
        """,
        {"a": account_id, "limit": limit},
    )


def key_people_left(
    con: Connection, roles: Sequence[str], min_influence: int
) -> pl.DataFrame:
    """Return every key person who has left an account, for the leaders' overview.

    Key: a ``roles`` holder (deciders, approvers) or of influence at least
    ``min_influence``. Columns ``account_id, account, contact_id, name, title,
    buying_role, influence, last_touch`` (our last activity with them, NULL when
    never); by account name, then the most influential first.
    """
    return query_frame(
        con,
        """
        WITH gone AS (
            SELECT * FROM contacts
            WHERE has_left
              AND (buying_role IN (SELECT unnest($roles::VARCHAR[]))
                   OR influence >= $min_influence)
        )
        SELECT g.account_id, coalesce(a.name, g.account_id) AS account,
               g.contact_id, g.name, g.title, g.buying_role,
               g.influence::INTEGER AS influence, t.last_touch
        FROM gone g
        LEFT JOIN accounts a USING (account_id)
        LEFT JOIN (
            SELECT contact_id, max(activity_date) AS last_touch FROM activities
            WHERE contact_id IN (SELECT contact_id FROM gone)
            GROUP BY contact_id
        ) t USING (contact_id)
        ORDER BY lower(coalesce(a.name, g.account_id)), g.account_id,
                 g.influence DESC NULLS LAST, g.name, g.contact_id
        """,
        {"roles": list(roles), "min_influence": min_influence},
    )
