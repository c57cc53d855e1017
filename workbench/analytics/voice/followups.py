"""The closed loop: a follow-up for every detractor among deciders and approvers.

Bain's closed loop: a detractor who decides or approves is called back, by a
named owner, by a date. The workbench proposes a follow-up for each such person
(their latest answer is a detractor's); the team sets the owner, the date and
whether it is done, and overdue ones reach the leaders' overview.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from workbench.analytics.voice.score import DECIDING_ROLES
from workbench.analytics.voice.views import risky_detractors

#: A proposed follow-up is due this many days after the answer: two weeks is long
#: enough to arrange a call, short enough that the person still remembers why.
FOLLOWUP_DUE_DAYS = 14


#: What a follow-up shows of the answer it follows up.
_ANSWER_COLUMNS = (
    "response_id",
    "account_id",
    "account_name",
    "contact_id",
    "contact_name",
    "buying_role",
    "score",
    "responded_on",
    "comment",
)


def detractor_followups(
    responses: pl.DataFrame,
    stored: pl.DataFrame,
    *,
    today: date,
    due_days: int = FOLLOWUP_DUE_DAYS,
) -> pl.DataFrame:
    """Return the follow-up of every deciding detractor, stored or proposed.

    Args:
        responses: the answers with who answered (see
            :func:`workbench.store.nps_answers`; the enriched ones of
            :func:`workbench.store.nps_responses_enriched` do as well).
        stored: rows of :func:`workbench.store.detractor_followups`.
        today: the day ``overdue`` is judged against.
        due_days: a proposed follow-up's due date, in days after the answer.

    Returns:
        ``response_id``, ``account_id``, ``account_name``, ``contact_id``,
        ``contact_name``, ``buying_role``, ``score``, ``responded_on``,
        ``comment``, ``owner`` (null: nobody named yet), ``due_on``, ``status``
        (``open``/``done``), ``note``, ``overdue``; overdue first, then by due date.
        A stored follow-up of an answer that is no longer the person's latest
        stays listed (it was promised).
    """
    deciding = risky_detractors(responses).filter(
        pl.col("buying_role").is_in(list(DECIDING_ROLES))
    )
    people = deciding.select(_ANSWER_COLUMNS)
    promised = stored.join(people, on="response_id", how="anti").join(
        responses.select(
            "response_id",
            "account_name",
            "contact_name",
            "buying_role",
            "score",
            "responded_on",
            "comment",
        ),
        on="response_id",
        how="left",
    )
    kept = stored.select("response_id", "owner", "due_on", "status", "note")
    current = people.join(kept, on="response_id", how="left")
    columns = [*_ANSWER_COLUMNS, "owner", "due_on", "status", "note"]
    both = pl.concat(
        [current.select(columns), promised.select(columns)], how="vertical_relaxed"
    )
    return (
        both.with_columns(
            pl.coalesce(
                pl.col("due_on"), pl.col("responded_on") + timedelta(days=due_days)
            ).alias("due_on"),
            pl.col("status").fill_null("open"),
        )
        .with_columns(
            ((pl.col("status") != "done") & (pl.col("due_on") < today)).alias("overdue")
        )
        .sort(["overdue", "due_on", "response_id"], descending=[True, False, False])
    )
