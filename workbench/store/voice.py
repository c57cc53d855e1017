"""The voice of the customer: NPS responses with who answered, and survey writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl

from workbench.access import require
from workbench.domain import SURVEY_TYPES, Actor
from workbench.errors import RejectedInputError
from workbench.store._base import Connection, _now, _registered, _replace_row, _stamped
from workbench.store.connection import query_frame, write_transaction
from workbench.store.imports.commit import (
    _SURVEY_COLUMNS,
    _with_survey_type,
    import_next_run_id,
    record_import_run,
)
from workbench.store.portfolio import resolve_as_of
from workbench.store.versions import scope_facts

#: Reporting trees deeper than this are cut (and cycles in bad data stop here).
_VOICE_MAX_ORG_DEPTH = 20

# Every answer with who answered: the person's role, department and influence
# and the account's name, in the order every reader keeps (by day, then ID).
ANSWERS_SQL = """
SELECT r.response_id, r.account_id,
       coalesce(a.name, r.account_id) AS account_name,
       r.contact_id, c.name AS contact_name, c.title, c.buying_role, c.department,
       c.influence::INTEGER AS influence,
       coalesce(c.has_left, false) AS has_left,
       r.responded_on, r.score::INTEGER AS score, r.comment, r.source,
       coalesce(r.survey_type, 'relationship') AS survey_type
FROM nps_responses r
LEFT JOIN accounts a ON a.account_id = r.account_id
LEFT JOIN contacts c ON c.contact_id = r.contact_id
"""
ANSWERS_ORDER = "ORDER BY r.responded_on, r.response_id"

# What an answer means beyond its words: the depth of who answered in the
# reporting tree (1 = top) and the days since we last touched that person before
# the answer (ASOF join: the latest activity on or before the response date; it
# takes one activity per answer, so the same day twice needs no DISTINCT, and an
# answer naming no person or no day finds none). In no order: it is joined to
# the answers on their ID.
_ANSWER_CONTEXT_SQL = f"""
WITH RECURSIVE tree(contact_id, depth) AS (
    SELECT c.contact_id, 1 FROM contacts c
    LEFT JOIN contacts m ON m.contact_id = c.reports_to_id
    WHERE m.contact_id IS NULL
    UNION ALL
    SELECT c.contact_id, t.depth + 1 FROM contacts c
    JOIN tree t ON c.reports_to_id = t.contact_id
    WHERE t.depth < {_VOICE_MAX_ORG_DEPTH}
),
levels AS (SELECT contact_id, min(depth) AS org_level FROM tree GROUP BY contact_id)
SELECT r.response_id, l.org_level::INTEGER AS org_level,
       date_diff('day', t.activity_date, r.responded_on)::INTEGER
           AS days_since_touch
FROM nps_responses r
ASOF LEFT JOIN (SELECT contact_id, activity_date FROM activities
                WHERE contact_id IS NOT NULL AND activity_date IS NOT NULL) t
  ON r.contact_id = t.contact_id AND r.responded_on >= t.activity_date
LEFT JOIN levels l ON l.contact_id = r.contact_id
"""


def nps_answers(con: Connection) -> pl.DataFrame:
    """Return every NPS answer with who answered, without the answer's context.

    The columns of :func:`nps_responses_enriched` but ``org_level`` and
    ``days_since_touch``, in the same order of rows. Enough for what reads the
    answers and the people only (the detractors' follow-ups), and a third of
    the cost or less: the context walks the reporting trees and looks up every
    answer's last touch among all activities.
    """
    return query_frame(con, f"{ANSWERS_SQL} {ANSWERS_ORDER}")


def nps_answer_context(con: Connection) -> pl.DataFrame:
    """Return each NPS answer's ``response_id``, ``org_level`` and ``days_since_touch``.

    In no particular order (:func:`with_answer_context` joins it on the answer);
    see :func:`nps_responses_enriched`.
    """
    return query_frame(con, _ANSWER_CONTEXT_SQL)


def with_answer_context(answers: pl.DataFrame, context: pl.DataFrame) -> pl.DataFrame:
    """Return :func:`nps_answers` with their :func:`nps_answer_context`, enriched.

    Joined on the answer, the answers' order kept: read apart (the app keeps the
    answers for several pages), a write between the two reads leaves an answer
    without context (nulls) rather than another answer's.
    """
    joined = answers.join(context, on="response_id", how="left", maintain_order="left")
    # the enriched layout: the org level after the person's influence, the days
    # since the last touch last
    after = answers.columns.index("influence") + 1
    return joined.select(
        *answers.columns[:after],
        "org_level",
        *answers.columns[after:],
        "days_since_touch",
    )


def nps_responses_enriched(con: Connection) -> pl.DataFrame:
    """Return every NPS response joined to the person who answered and the account.

    Columns: ``response_id``, ``account_id``, ``account_name``, ``contact_id``,
    ``contact_name``, ``title``, ``buying_role``, ``department``, ``influence``,
    ``has_left`` (the person has left the account since: the answer counts in
    its time's scores, nobody is called back), ``org_level`` (1 = top of the
    account's reporting tree), ``responded_on``,
    ``score``, ``comment``, ``source``, ``survey_type`` (``relationship`` or
    ``touchpoint``), ``days_since_touch`` (days from our last
    activity with that person to the answer; NULL when never touched before).
    Ordered by ``responded_on``, then ``response_id``.
    """
    return with_answer_context(nps_answers(con), nps_answer_context(con))


def voice_account_signals(con: Connection, as_of: date | None = None) -> pl.DataFrame:
    """Return per account the plain signals NPS is compared against.

    Window: the 12 months up to and including ``as_of`` (default: the last day in
    the data). Columns: ``account_id``, ``departments_engaged`` (distinct
    departments of the people we had activities with), ``last_touch``,
    ``days_since_last_touch``, ``effort_hours_12m``.
    """
    as_of = resolve_as_of(con, as_of)
    return query_frame(
        con,
        """
        SELECT a.account_id,
               count(DISTINCT c.department) FILTER (
                   WHERE t.activity_date > $as_of::DATE - INTERVAL 12 MONTH
               )::BIGINT AS departments_engaged,
               max(t.activity_date) AS last_touch,
               date_diff('day', max(t.activity_date), $as_of::DATE)::INTEGER
                   AS days_since_last_touch,
               (coalesce(sum(CASE WHEN isfinite(t.duration_minutes) THEN t.duration_minutes END) FILTER (
                   WHERE t.activity_date > $as_of::DATE - INTERVAL 12 MONTH
               ), 0) / 60)::DOUBLE AS effort_hours_12m
        FROM accounts a
        LEFT JOIN activities t
          ON t.account_id = a.account_id AND t.activity_date <= $as_of::DATE
        LEFT JOIN contacts c ON c.contact_id = t.contact_id
        GROUP BY a.account_id
        ORDER BY a.account_id
        """,
        {"as_of": as_of},
    )


def survey_link_targets(con: Connection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return what survey responses can link to: contacts and accounts.

    Returns:
        ``(contacts, accounts)``: contacts with ``contact_id``, ``account_id``,
        ``email``; accounts with ``account_id``, ``name``.
    """
    contacts = query_frame(
        con,
        "SELECT contact_id, account_id, email FROM contacts ORDER BY contact_id",
    )
    accounts = query_frame(
        con, "SELECT account_id, name FROM accounts ORDER BY account_id"
    )
    return contacts, accounts


def write_survey_responses(
    con: Connection,
    actor: Actor,
    responses: pl.DataFrame,
    *,
    file_name: str,
    file_sha256: str,
    problems: Sequence[dict[str, Any]] = (),
) -> dict[str, int]:
    """Store survey responses in one transaction and record the import run.

    Responses update earlier ones with the same (``source``, ``source_id``), so
    importing the same export twice changes nothing; new ones get a
    ``response_id`` derived from that pair.

    Args:
        con: the database.
        actor: who imports; needs the ``import`` right.
        responses: rows in the ``nps_responses`` layout (``account_id``,
            ``contact_id``, ``responded_on``, ``score``, ``comment``, ``source``,
            ``source_id``), already checked by :mod:`workbench.ingest.surveys`.
        file_name: the uploaded file's name, for the import log.
        file_sha256: the file's hash, for the import log.
        problems: the warnings found while reading, for the import log.

    Returns:
        ``inserted``, ``updated`` and ``run_id``.

    Raises:
        RejectedInputError: missing columns, scores outside 0–10, or the same
            (source, source_id) twice; nothing is written.
    """
    require(actor, "import")
    incoming = _checked_survey_rows(responses)
    started_at = _now()
    with write_transaction(con) as cur:
        updated = _upsert_survey_rows(cur, incoming)
        total = int(cur.execute("SELECT count(*) FROM nps_responses").fetchall()[0][0])
        run_id = import_next_run_id(cur)
        sources = sorted(set(incoming["source"].to_list()))
        record_import_run(
            cur,
            run_id=run_id,
            started_at=started_at,
            source=",".join(sources) or "survey",
            status="committed",
            files=[{"name": file_name, "sha256": file_sha256, "rows": incoming.height}],
            counts={"nps_responses": total},
            problems=problems,
            user_name=actor.name,
        )
    return {
        "inserted": incoming.height - updated,
        "updated": updated,
        "run_id": run_id,
    }


def _checked_survey_rows(responses: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in _SURVEY_COLUMNS if c not in responses.columns]
    if missing:
        raise RejectedInputError(f"survey responses lack the columns {missing}")
    incoming = _with_survey_type(responses).select([*_SURVEY_COLUMNS, "survey_type"])
    if incoming.filter(
        pl.col("survey_type").is_not_null()
        & ~pl.col("survey_type").is_in(list(SURVEY_TYPES))
    ).height:
        raise RejectedInputError(
            f"a survey type must be one of {', '.join(SURVEY_TYPES)}"
        )
    if incoming.filter(
        pl.col("score").is_null() | ~pl.col("score").is_between(0, 10)
    ).height:
        raise RejectedInputError("every survey response needs a score from 0 to 10")
    if incoming.filter(
        pl.col("source").is_null() | pl.col("source_id").is_null()
    ).height:
        raise RejectedInputError("every survey response needs a source and source ID")
    if incoming.select(pl.struct("source", "source_id").is_duplicated().any()).item():
        raise RejectedInputError("the same survey response appears twice in the file")
    return incoming


def _upsert_survey_rows(cur: Connection, incoming: pl.DataFrame) -> int:
    """Replace stored responses by (source, source_id), add new ones; return updates."""
    with _registered(cur, "_survey_rows", incoming):
        updated = int(
            cur.execute(
                """
                SELECT count(*) FROM nps_responses r JOIN _survey_rows s
                  ON r.source = s.source AND r.source_id = s.source_id
                """
            ).fetchall()[0][0]
        )
        # Keep the ID an earlier import gave a response; derive one otherwise.
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE _survey_ids AS
            SELECT s.* REPLACE (coalesce(s.survey_type, r.survey_type,
                                         'relationship') AS survey_type),
                   coalesce(r.response_id,
                   'S' || substr(md5(s.source || chr(31) || s.source_id), 1, 15))
                   AS response_id
            FROM _survey_rows s LEFT JOIN nps_responses r
              ON r.source = s.source AND r.source_id = s.source_id
            """
        )
    # the answers' accounts, before and after
    scope_facts(
        cur,
        """
        SELECT account_id FROM _survey_ids
        UNION ALL
        SELECT account_id FROM nps_responses WHERE response_id IN
            (SELECT response_id FROM _survey_ids)
           OR (source, source_id) IN (SELECT source, source_id FROM _survey_ids)
        """,
        {},
    )
    cur.execute(
        """
        DELETE FROM nps_responses WHERE response_id IN
            (SELECT response_id FROM _survey_ids)
           OR (source, source_id) IN (SELECT source, source_id FROM _survey_ids)
        """
    )
    cur.execute(
        """
        INSERT INTO nps_responses (response_id, account_id, contact_id,
            responded_on, score, comment, source, source_id, survey_type)
        SELECT response_id, account_id, contact_id, responded_on, score,
               comment, source, source_id, survey_type
        FROM _survey_ids
        """
    )
    cur.execute("DROP TABLE _survey_ids")
    return updated


#: Follow-up states: still to do, or done.
FOLLOWUP_STATUSES: tuple[str, ...] = ("open", "done")


def detractor_followups(con: Connection) -> pl.DataFrame:
    """Return every stored detractor follow-up (one row per answer followed up).

    Columns: ``response_id``, ``account_id``, ``contact_id``, ``owner``,
    ``due_on``, ``status``, ``note``, ``updated_by``, ``updated_at``.
    """
    return query_frame(
        con,
        """
        SELECT response_id, account_id, contact_id, owner, due_on, status, note,
               updated_by, updated_at
        FROM detractor_followups ORDER BY due_on, response_id
        """,
    )


def save_detractor_followup(
    con: Connection,
    actor: Actor,
    *,
    response_id: str,
    owner: str,
    due_on: date,
    status: str = "open",
    note: str | None = None,
) -> None:
    """Record who follows up a detractor's answer, by when, and how it stands.

    Raises:
        PermissionDeniedError: the actor may not plan.
        RejectedInputError: no such answer, no owner, or an unknown status.
    """
    require(actor, "plan")
    if status not in FOLLOWUP_STATUSES:
        raise RejectedInputError(
            f"a follow-up is {' or '.join(FOLLOWUP_STATUSES)}, not {status!r}"
        )
    if not owner.strip():
        raise RejectedInputError("a follow-up needs an owner")
    with write_transaction(con, facts=False) as cur:  # a decision on an answer
        found = cur.execute(
            "SELECT account_id, contact_id FROM nps_responses WHERE response_id = $r",
            parameters={"r": response_id},
        ).fetchall()
        if not found:
            raise RejectedInputError(f"there is no survey answer {response_id!r}")
        _replace_row(
            cur,
            "detractor_followups",
            _stamped(
                actor,
                response_id=response_id,
                account_id=found[0][0],
                contact_id=found[0][1],
                owner=owner.strip(),
                due_on=due_on,
                status=status,
                note=note,
            ),
        )
