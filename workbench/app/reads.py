"""Every cached read the pages show, each a plain function of its arguments.

Where the notebook API composes a read (features, segments, survey files,
plan history), the read calls its :class:`~workbench.api.Workbench` method, so
the composition exists once; the rest read the store as the API would.

:func:`~workbench.app.cached.cached` keys each on the database and its data
version, so a write anywhere refreshes them all. Heavy frames (features, effort
aggregates) are cached once and reused by the small recomputations built on them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import polars as pl

from workbench import plans, store
from workbench.analytics import effort, network, segment, voice
from workbench.api import Workbench
from workbench.app import held_features, session
from workbench.app.cached import cached
from workbench.domain import BuyingCentreData
from workbench.i18n import DEFAULT_LANGUAGE, N_
from workbench.ingest import surveys

R = TypeVar("R")


def _named_read(
    name: str, read: Callable[[], R], doc: str, options: dict[str, Any]
) -> Callable[[], R]:
    # Each read takes the name of what it reads, so that each has a cache of its
    # own (see workbench.app.cached.cached), and ``doc`` as its docstring.
    read.__name__ = read.__qualname__ = name
    read.__doc__ = doc
    return cached(**options)(read)


def _store_read(
    read: Callable[[store.Connection], R], doc: str, **options: Any
) -> Callable[[], R]:
    """Return a cached read of ``read``, a store function of the connection only."""
    return _named_read(read.__name__, lambda: session.run(read), doc, options)


def _workbench_read(
    read: Callable[[Workbench], R], doc: str, **options: Any
) -> Callable[[], R]:
    """Return a cached read of ``read``, a :class:`Workbench` method of no argument."""
    return _named_read(read.__name__, lambda: read(session.workbench()), doc, options)


# --- overview and import ----------------------------------------------------------


portfolio_summary = _store_read(
    store.portfolio_summary,
    "Return the Overview's headline figures.",
    max_entries=64,
    facts=True,
)


accounts_by_industry = _store_read(
    store.accounts_by_industry,
    "Return accounts and won revenue per industry.",
    max_entries=64,
    facts=True,
)


import_runs = _store_read(
    store.import_runs, "Return the latest import runs, newest first."
)


holds_demo = _store_read(
    store.holds_demo, "Return whether the database still holds the demo portfolio."
)


last_undoable_import = _store_read(
    store.last_undoable_import,
    "Return the import run that Undo would undo, or None.",
)


# --- buying centre ------------------------------------------------------------------


buying_centre_accounts = _store_read(
    store.buying_centre_accounts,
    "Return every account with its number of people, for the account picker.",
    facts=True,
)


data_date_range = _store_read(
    store.data_date_range,
    "Return the first and last day in the data (``(None, None)`` when empty).",
    facts=True,
)


@cached(
    spinner=N_("Reading the buying centre…"), max_entries=32, share=True, facts=True
)
def buying_centre(account_id: str, months: int) -> BuyingCentreData:
    """Return one account's people, links and our touches in the last ``months``."""
    return session.run(store.read_buying_centre, account_id, months=months)


@cached(max_entries=32, share=True, facts=True)
def buying_centre_people(account_id: str, months: int) -> pl.DataFrame:
    """Return the account's people with levels, touches and flags (see network.people)."""
    return network.people(buying_centre(account_id, months))


@cached(max_entries=32, share=True, facts=True)
def buying_centre_report(
    account_id: str,
    months: int,
    opportunity_id: str | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> network.BuyingCentreReport:
    """Return coverage, breadth and depth, risks and whom to reach next.

    With ``opportunity_id`` the figures are that deal's buying centre. The risks'
    sentences are written in ``language`` (part of the cache key).
    """
    if opportunity_id is None:
        return network.analyse_buying_centre(
            buying_centre(account_id, months), language=language
        )
    return network.analyse_buying_centre(
        buying_centre(account_id, months),
        deals=account_deals(account_id),
        opportunity_id=opportunity_id,
        language=language,
    )


# keyed on the options' repr (a frozen dataclass of text, numbers and tuples):
# Streamlit's hash of the dataclass cost about a millisecond at every rerun
@cached(spinner=N_("Drawing the map…"), share=True, by_repr=True, facts=True)
def buying_centre_html(
    account_id: str, months: int, options: network.MapOptions, language: str = "en"
) -> str:
    """Return the account's map as safe, offline HTML (its legend in ``language``)."""
    del language  # part of the cache key: the legend is written in it
    return network.buying_centre_html(buying_centre(account_id, months), options)


@cached(facts=True)
def account_deals(account_id: str) -> pl.DataFrame:
    """Return the account's deals and the people named on each (see store)."""
    return session.run(store.account_deals, account_id)


portfolio_currency = _store_read(
    store.portfolio_currency,
    "Return the ISO code every money figure of the portfolio is in.",
    facts=True,
)


@cached(facts=True)
def contact_edit_history(account_id: str) -> pl.DataFrame:
    """Return the latest edits to the account's people (who, when, old, new)."""
    return session.run(store.contact_edit_history, account_id)


# --- segments and effort -----------------------------------------------------------


segment_as_of = _store_read(
    store.resolve_as_of,
    "Return the default as-of date: the last day in the data.",
    facts=True,
)


#: The contract term the features are aggregated for in full; other terms read
#: only what a term changes and put it in place.
FEATURES_TERM_MONTHS = 12


# Shared, not copied: cache_data would unpickle a copy of the frame at every rerun.
@cached(spinner=N_("Adding up account features…"), share=True, facts=True)
def account_features(as_of: date, default_term_months: int = 12) -> pl.DataFrame:
    """Return one row of features per account; threshold changes reuse it.

    ``default_term_months`` spreads deals without a known contract (see
    :func:`workbench.store.account_features`). A move of it reads only the
    revenue the term changes (:func:`term_revenue`) and puts it in place in the
    features of :data:`FEATURES_TERM_MONTHS`, instead of aggregating every
    activity again: the same frame (tested).
    """
    if default_term_months == FEATURES_TERM_MONTHS:
        # after a change of facts, only the accounts it touched are read again
        return held_features.features(as_of, default_term_months)
    # this term's features held before a change of facts, brought up to date
    # (else the change would read every won deal's steps again)
    kept = held_features.kept_for_term(as_of, default_term_months)
    if kept is not None:
        return kept
    base = account_features(as_of, FEATURES_TERM_MONTHS)
    revenue, masks = term_revenue(as_of, default_term_months)
    moved = store.with_term_revenue(base, revenue)
    held_features.hold_term(as_of, default_term_months, base, moved, masks)
    return moved


@cached(facts=True)
def term_revenue(
    as_of: date, default_term_months: int
) -> tuple[pl.DataFrame, pl.Series]:
    """Return the features a default contract term changes (one row per account).

    And each account's retention mask for the term (see
    :func:`workbench.store.term_revenue_and_masks`). Looked up in the won
    deals' steps kept in memory (:func:`term_steps`): after the first move of
    the term, a move reads nothing from the file and groups no deal (about 3 ms
    at 10,000 accounts, 40 ms at 100,000). The same figures as
    :meth:`Workbench.term_revenue` (tested).
    """
    return store.term_revenue_and_masks(term_steps(as_of), default_term_months)


# Shared, and one: about 11 MB at 10,000 accounts (half a million won deals),
# 114 MB at 100,000; term moves happen at one as-of day at a time.
@cached(share=True, max_entries=1, facts=True)
def term_steps(as_of: date) -> store.TermSteps:
    """Return the won deals up to ``as_of`` as steps of the term (see store).

    Laid out for the accounts of the features, in their order, so that a move
    needs no join.
    """
    ids = account_features(as_of, FEATURES_TERM_MONTHS).get_column("account_id")
    return session.run(store.term_steps, as_of, ids)


accounts_not_segmented = _workbench_read(
    Workbench.accounts_not_segmented,
    "Return the accounts the CRM types as no customer (not segmented).",
    facts=True,
)


# Shared, not copied: the segmentation reuses its threshold-free part for the same
# features and situation frames (by identity), so a copy per rerun would redo it.
account_situation = _workbench_read(
    Workbench.buying_situation,
    "Return the buying situation workshops rated (one row per rated account).",
    share=True,
)


cost_rates = _workbench_read(
    Workbench.cost_rates,
    "Return the hourly cost per seller role and team (defaults and edits).",
)


industry_wallet_shares = _workbench_read(
    Workbench.industry_wallet_shares,
    "Return every industry with the wallet share set for it.",
)


wallet_estimates = _workbench_read(
    Workbench.wallet_estimates, "Return the wallets estimated by hand."
)


@cached(max_entries=32)
def effort_by_rate(account_id: str, as_of: date) -> pl.DataFrame:
    """Return one account's effort of 12 months per hourly rate."""
    return session.workbench().effort_by_rate(account_id, as_of)


# Shared, not copied, as the situation above: the segmentation keeps the type each
# account follows per overrides frame (by identity), and a copy per call made
# every move of a top share decide the types and sum the summary's columns again.
relationship_overrides = _store_read(
    store.relationship_overrides,
    "Return the manual relationship decisions.",
    share=True,
)


segment_scenarios = _workbench_read(
    Workbench.scenarios, "Return the saved segmentation scenarios."
)


# Shared and keyed on the thresholds: a rerun that moves no threshold (an effort
# rule, a table filter, a page of the table) reuses the segmentation. Keyed by the
# arguments' repr (a date and the thresholds): Streamlit's hash of the thresholds
# cost about a millisecond at each of the two calls a new top share makes.
@cached(max_entries=8, share=True, by_repr=True)
def segments_unexplained(as_of: date, thresholds: segment.Thresholds) -> pl.DataFrame:
    """Return :func:`segments` without the reasons in words (``explain=False``).

    Pages explain the rows they show with
    :func:`~workbench.analytics.segment.explain_segments`.
    """
    return segment.assign_segments(
        account_features(as_of, round(thresholds.default_term_months)),
        thresholds,
        relationship_overrides(),
        account_situation(),
        explain=False,
    )


def segments(as_of: date, thresholds: segment.Thresholds) -> pl.DataFrame:
    """Return every account's segment and type under ``thresholds`` (overrides win)."""
    return segment.assign_segments(
        account_features(as_of, round(thresholds.default_term_months)),
        thresholds,
        relationship_overrides(),
        account_situation(),
    )


# Shared, not copied: at 2 million activities this frame has about a million rows,
# and a copy per rerun costs about 1 s. polars frames are immutable, so sharing one
# between sessions is safe.
@cached(spinner=N_("Adding up effort…"), max_entries=4, facts=True)
def effort_by_function(as_of: date) -> pl.DataFrame:
    """Return effort per account and function (unattributed when no person is named)."""
    return session.run(store.effort_by_function, as_of)


@cached()
def service_model(scenario: str | None) -> pl.DataFrame:
    """Return the service model saved with a scenario (None: the defaults')."""
    return session.workbench().service_model(scenario)


@cached(spinner=N_("Adding up effort…"), max_entries=8, share=True, facts=True)
def effort_aggregates(as_of: date, dimension: str) -> pl.DataFrame:
    """Return effort per account × period × ``dimension`` (one of them).

    Each reader asks for the one dimension it reads: the Effort page opens on
    the sellers' rows, and the people's join and the other groupings are added
    up only when a section that reads them is opened (all four at once cost
    about 1.7 times the sellers' alone).
    """
    return session.run(store.effort_aggregates, as_of, (dimension,))


@cached(max_entries=64, by_repr=True)
def effort_breakdown(
    as_of: date, thresholds: segment.Thresholds, view: str
) -> pl.DataFrame:
    """Return :func:`workbench.effort.effort_breakdown` per view and thresholds."""
    # the view's dimension (a view it does not know is effort_breakdown's to refuse)
    dimension = effort.BREAKDOWNS[view][0] if view in effort.BREAKDOWNS else "seller"
    return effort.effort_breakdown(
        effort_aggregates(as_of, dimension),
        segments(as_of, thresholds),
        view,
        thresholds.minutes_per_activity_without_duration,
    )


@cached(max_entries=64, by_repr=True)
def effort_trend(
    as_of: date, thresholds: segment.Thresholds, by: str, granularity: str
) -> pl.DataFrame:
    """Return :func:`workbench.effort.effort_trend` per choice and thresholds."""
    return effort.effort_trend(
        effort_aggregates(as_of, "month"),
        segments(as_of, thresholds),
        by,
        granularity,
        thresholds.minutes_per_activity_without_duration,
    )


@cached(by_repr=True)
def seller_effort(as_of: date, thresholds: segment.Thresholds) -> pl.DataFrame:
    """Return :func:`workbench.effort.seller_effort` per thresholds."""
    return effort.seller_effort(
        effort_aggregates(as_of, "seller"),
        segments(as_of, thresholds),
        thresholds.minutes_per_activity_without_duration,
    )


# --- voice of the customer ------------------------------------------------------------


# Shared, not copied: a copy per call unpickled every answer (350,000 rows at
# 10,000 accounts) and every contact at each rerun of the Voice page.
voice_answers = _store_read(
    store.nps_answers,
    "Return every NPS answer with who answered, without its context.",
    spinner=N_("Reading survey responses…"),
    share=True,
    facts=True,
)


# The answers' context (the reporting trees and every answer's last touch) is
# most of reading them enriched; the leaders' overview and the Voice page's
# first tabs do without it, so it is read apart, when first shown.
answer_context = _store_read(
    store.nps_answer_context,
    "Return each answer's org level and days since the last touch.",
    spinner=N_("Reading survey responses…"),
    share=True,
    facts=True,
)


@cached(spinner=N_("Reading survey responses…"), share=True, facts=True)
def voice_responses() -> pl.DataFrame:
    """Return every NPS response with who answered (:func:`store.nps_responses_enriched`).

    The answers kept for the other pages, with their :func:`answer_context`.
    """
    return store.with_answer_context(voice_answers(), answer_context())


voice_account_signals = _store_read(
    store.voice_account_signals, "Return breadth, freshness and effort per account."
)


survey_link_targets = _store_read(
    store.survey_link_targets,
    "Return ``(contacts, accounts)`` that survey responses may link to.",
    share=True,
    facts=True,
)


def voice_relationships() -> pl.DataFrame:
    """Return each account's relationship type (default thresholds and overrides).

    The segmentation the Segments and Effort pages keep (at the data's last day
    and the default thresholds), with the account features they share: a
    segmentation of its own aggregated the features again, about 0.5 s of the
    Drivers tab's first opening at 10,000 accounts.
    """
    return segments_unexplained(segment_as_of(), segment.DEFAULT_THRESHOLDS).select(
        "account_id", "relationship"
    )


@cached(spinner=N_("Reading the survey file…"), max_entries=8)
def read_survey_upload(
    file_name: str, data: bytes, score_column: str | None, encoding: str | None
) -> surveys.SurveyResult:
    """Read an uploaded survey file against the current contacts and accounts."""
    return session.workbench().read_survey(file_name, data, score_column, encoding)


# --- account plans ---------------------------------------------------------------------


# shared, not copied: a copy of its 10,000 rows was unpickled at every visit
plan_accounts = _store_read(
    plans.plan_accounts,
    "Return every account with its current plan version.",
    share=True,
)


# Shared, not copied: two frames of every account, the same for every plan.
@cached(spinner=N_("Computing the situation…"), share=True)
def situation_portfolio() -> plans.PortfolioFrames:
    """Return the portfolio's frames every account's situation takes its rows from."""
    # from the account features and the segmentation at the default thresholds
    # the Segments page keeps (the data's last day): opening Account plans after
    # Segments reads and segments nothing again, and each situation explains its
    # own account (explaining every account made the portfolio's frames 163 ms
    # at 10,000 accounts; 109 ms without)
    as_of = segment_as_of()
    features = account_features(
        as_of, round(segment.DEFAULT_THRESHOLDS.default_term_months)
    )
    return session.run(
        plans.portfolio_frames,
        as_of=as_of,
        features=features,
        segments=segments_unexplained(as_of, segment.DEFAULT_THRESHOLDS),
    )


@cached(spinner=N_("Computing the situation…"), max_entries=32)
def plan_situation(account_id: str, refreshed: int = 0) -> plans.Situation:
    """Return the account's situation from the analytics (``refreshed`` busts the cache).

    The portfolio's segments and judged effort are worked out once per data
    version, not at each account: with them, going to another account took
    2.5 s at 10,000 accounts, two aggregations of every account's features.
    """
    return session.run(
        plans.build_situation, account_id, portfolio=situation_portfolio()
    )


@cached(max_entries=64)
def plan_version(
    account_id: str, plan_version: int | None = None
) -> plans.PlanVersion | None:
    """Return one stored version of the account's plan (default: the current one)."""
    return session.run(plans.load_plan, account_id, plan_version)


@cached(max_entries=32)
def plan_history(account_id: str) -> pl.DataFrame:
    """Return every version of the account's plan, newest first."""
    return session.run(plans.plan_history, account_id)


@cached(max_entries=32)
def plan_people_choices(account_id: str) -> dict[str, list[str]]:
    """Return the account's contacts and our sellers, to pick in the plan's tables."""
    return plans.people_choices(*session.run(store.plan_people_choices, account_id))


# Shared, not copied: cache_data unpickled every plan's rows at each rerun of the
# leaders' overview (a frozen dataclass of polars frames, which are immutable).
@cached(spinner=N_("Gathering every plan…"), share=True)
def _plans_overview(today: date) -> plans.PlansOverview:
    # grouped by the segmentation the Segments page keeps at its defaults, with
    # the features it shares: one of its own aggregated them again (about 0.4 s
    # of the overview's first opening at 10,000 accounts)
    return session.workbench().plans_overview(
        today, segments_unexplained(segment_as_of(), segment.DEFAULT_THRESHOLDS)
    )


def plans_overview() -> plans.PlansOverview:
    """Return the leaders' overview of all plans as of today."""
    return _plans_overview(date.today())


@cached(share=True)  # shared as above: the Voice page and the overview read it
def detractor_followups(today: date) -> pl.DataFrame:
    """Return the follow-ups of detractors among deciders and approvers.

    :meth:`Workbench.detractor_followups` over the answers kept for the Voice
    page (:func:`voice_answers`, which :func:`voice_responses` extends): reading
    every answer again took 0.6 s of the Detractors tab's first opening at
    350,000 answers, and the leaders' overview, which lists the overdue ones,
    reads no answer's context (0.4 to 0.6 s there). A follow-up shows no e-mail
    or phone, so the masking the API applies for viewers would change nothing in
    it.
    """
    return voice.detractor_followups(
        voice_answers(), session.run(store.detractor_followups), today=today
    )


@cached()
def requirements(account_id: str) -> pl.DataFrame:
    """Return one account's requirements register."""
    return session.workbench().requirements(account_id)


@cached()
def requirement_conflicts(account_id: str) -> pl.DataFrame:
    """Return one account's conflicts between requirements."""
    return session.workbench().requirement_conflicts(account_id)
