"""The Voice page's cached views: the period's answers, the conflict tests, the picker.

At 10,000 accounts and 350,000 answers every rerun of the page filtered the
answers to the period again, ran the role-conflict permutation tests of every
account again (seconds), and sent a picker of every account. Here each is kept
per data version and what it depends on (the period, the survey type, the
answers per role, the pair of roles; the search), shared between sessions:
polars frames are immutable. Keys are the arguments' repr (numbers, strings,
tuples of strings, ``None``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from workbench import store
from workbench.analytics import segment, voice
from workbench.app import reads
from workbench.app.cached import cached

#: Accounts the one-account picker lists at a time; a search finds the others.
PICKER_ACCOUNTS = 200


@cached(max_entries=16, share=True, by_repr=True)
def period_answers(
    quarters: int | None, survey_type: str | None, with_context: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the answers of the last ``quarters`` (all: ``None``) of one survey type.

    Returns every answer (the comments keep them all) and each person's latest
    (what the figures count). ``with_context`` adds each answer's org level and
    days since the last touch (:func:`reads.voice_responses`), which only the
    figures by org level and the drivers read: at 350,000 answers reading them
    is 0.3 to 0.5 s of the page's first opening, and the other tabs do without.
    """
    every = reads.voice_responses() if with_context else reads.voice_answers()
    since = voice.period_start(last_answer_day(), quarters)
    responses = voice.of_survey_type(voice.responses_since(every, since), survey_type)
    return responses, voice.one_answer_per_person(responses)


def counted_answers(
    quarters: int | None, survey_type: str | None, dimension: str
) -> pl.DataFrame:
    """Return each person's latest answer of the period, for figures by ``dimension``.

    With the answers' context for the org level only (see :func:`period_answers`).
    """
    return period_answers(quarters, survey_type, with_context=dimension == "org_level")[
        1
    ]


@cached(max_entries=4, share=True)
def last_answer_day() -> date | None:
    """Return the day of the latest answer (the periods end on it)."""
    return voice.last_response_day(reads.voice_answers())


@dataclass(frozen=True)
class PeriodFigures:
    """The headline figures of a period, its accounts' NPS and its risky detractors."""

    headline: dict[str, Any]
    by_account: pl.DataFrame
    risky: pl.DataFrame
    #: how many of ``by_account`` have an answer (the headline and the conflicts
    #: tab both show it: counted once, not at every rerun)
    accounts_heard: int


@cached(max_entries=16, share=True, by_repr=True)
def period_figures(quarters: int | None, survey_type: str | None) -> PeriodFigures:
    """Return the NPS of the period (one answer a person), per account, and who is risky.

    Shared between sessions and read only: the headline row, and the frames
    (immutable).
    """
    every, counted = period_answers(quarters, survey_type)
    _contacts, accounts = reads.survey_link_targets()
    left_out = reads.accounts_not_segmented().get_column("account_id").to_list()
    by_account = voice.nps_by_account(counted, accounts, left_out)
    return PeriodFigures(
        headline=voice.summarise_nps(counted).row(0, named=True),
        by_account=by_account,
        risky=voice.risky_detractors(every),
        accounts_heard=voice.accounts_heard(by_account),
    )


@cached(max_entries=16, share=True, by_repr=True)
def account_role_figures(
    quarters: int | None, survey_type: str | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the period's NPS per account and role: as a matrix, and as rows.

    The matrix has a column per role (:func:`~workbench.analytics.voice.account_role_matrix`);
    the rows (:func:`~workbench.analytics.voice.nps_by_account_role`) say which of
    its figures rest on too few answers. On each person's latest answer.
    """
    _every, counted = period_answers(quarters, survey_type)
    by_role = voice.nps_by_account_role(counted)
    return voice.account_role_matrix(counted, by_role), by_role


@cached(max_entries=32, share=True, by_repr=True)
def found_comments(
    quarters: int | None,
    survey_type: str | None,
    text: str,
    roles: tuple[str, ...],
) -> pl.DataFrame:
    """Return :func:`~workbench.analytics.voice.search_comments` over the period.

    Kept per search: every other widget of the tab reran the search through
    all the period's answers (tens of milliseconds at 350,000 answers).
    """
    every, _counted = period_answers(quarters, survey_type)
    return voice.search_comments(every, text, roles)


@dataclass(frozen=True)
class DriverBuckets:
    """The period's NPS per bucket of each driver (see the Voice page's Drivers)."""

    breadth: pl.DataFrame
    freshness: pl.DataFrame
    effort: pl.DataFrame
    #: the buckets are relationship codes (the page puts them in words)
    relationship: pl.DataFrame


@cached(max_entries=16, share=True, by_repr=True)
def driver_buckets(quarters: int | None, survey_type: str | None) -> DriverBuckets:
    """Return the NPS of every answer of the period per bucket of each driver."""
    # the freshness buckets read the days since the last touch: the period's
    # answers joined to it (not every answer enriched, then filtered again)
    answers, _counted = period_answers(quarters, survey_type)
    every = store.with_answer_context(answers, reads.answer_context())
    signals = reads.voice_account_signals()
    return DriverBuckets(
        breadth=voice.nps_by_bucket(every, voice.breadth_buckets(signals)),
        freshness=voice.nps_by_bucket(
            every, voice.freshness_buckets(every), key="response_id"
        ),
        effort=voice.nps_by_bucket(every, voice.effort_buckets(signals)),
        relationship=voice.nps_by_bucket(
            every, voice.relationship_buckets(reads.voice_relationships())
        ),
    )


@cached(max_entries=16, share=True, by_repr=True)
def conflict_tests(
    quarters: int | None,
    survey_type: str | None,
    min_responses: int,
    roles_a: tuple[str, ...] | None,
    roles_b: tuple[str, ...] | None,
) -> pl.DataFrame:
    """Return :func:`~workbench.analytics.voice.role_conflict_tests` of the period.

    On the latest answer of each person of :func:`period_answers`; a move of the
    gap threshold filters this table and tests nothing again.
    """
    _every, counted = period_answers(quarters, survey_type)
    return voice.role_conflict_tests(
        counted, min_responses=min_responses, roles_a=roles_a, roles_b=roles_b
    )


def _accounts_in_order() -> pl.DataFrame:
    # every account survey answers may name, by name (else its ID), then ID: the
    # order the picker lists them in, as on the other pages
    _contacts, accounts = reads.survey_link_targets()
    return accounts.select(
        "account_id", pl.coalesce(pl.col("name"), pl.col("account_id")).alias("name")
    ).sort("name", "account_id")


@cached(max_entries=4, share=True)
def account_labels() -> dict[str, str]:
    """Return ``{account_id: "name · ID"}`` for every account, by name."""
    ordered = _accounts_in_order()
    return dict(
        zip(
            ordered["account_id"],
            (ordered["name"] + " · " + ordered["account_id"]).to_list(),
            strict=True,
        )
    )


@cached(max_entries=16, share=True)
def account_matches(query: str) -> tuple[tuple[str, ...], int]:
    """Return the accounts a search names for the picker, and how many match."""
    return segment.matching_accounts(_accounts_in_order(), query, PICKER_ACCOUNTS)
