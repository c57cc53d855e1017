"""Every cached read the pages show, each a plain function of its arguments.

Where the notebook API composes a read (features, segments, survey files,
plan history), the read calls its :class:`~workbench.api.Workbench` method, so
the composition exists once; the rest read the store as the API would.

:func:`~workbench.app.cached.cached` keys each on the database and its data
version, so a write anywhere refreshes them all. Heavy frames (features, effort
aggregates) are cached once and reused by the small recomputations built on them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from workbench import plans, store
from workbench.analytics import effort, network, segment
from workbench.app import session
from workbench.app.cached import cached
from workbench.domain import BuyingCentreData
from workbench.ingest import surveys

# --- overview and import ----------------------------------------------------------


@cached(max_entries=64)
def portfolio_summary() -> dict[str, Any]:
    """Return the Overview's headline figures."""
    return session.run(store.portfolio_summary)


@cached(max_entries=64)
def accounts_by_industry() -> pl.DataFrame:
    """Return accounts and won revenue per industry."""
    return session.run(store.accounts_by_industry)


@cached()
def import_runs() -> pl.DataFrame:
    """Return the latest import runs, newest first."""
    return session.run(store.import_runs)


@cached()
def holds_demo() -> bool:
    """Return whether the database still holds the demo portfolio."""
    return session.run(store.holds_demo)


def last_undoable_import() -> int | None:
    """Return the import run that Undo would undo, or None (not cached)."""
    return session.run(store.last_undoable_import)


# --- buying centre ------------------------------------------------------------------


@cached()
def buying_centre_accounts() -> pl.DataFrame:
    """Return every account with its number of people, for the account picker."""
    return session.run(store.buying_centre_accounts)


@cached()
def data_date_range() -> tuple[date | None, date | None]:
    """Return the first and last day in the data (``(None, None)`` when empty)."""
    return session.run(store.data_date_range)


@cached(spinner="Reading the buying centre…", max_entries=32)
def buying_centre(account_id: str, months: int) -> BuyingCentreData:
    """Return one account's people, links and our touches in the last ``months``."""
    return session.run(store.read_buying_centre, account_id, months=months)


@cached(max_entries=32)
def buying_centre_people(account_id: str, months: int) -> pl.DataFrame:
    """Return the account's people with levels, touches and flags (see network.people)."""
    return network.people(buying_centre(account_id, months))


@cached(max_entries=32)
def buying_centre_report(
    account_id: str, months: int, opportunity_id: str | None = None
) -> network.BuyingCentreReport:
    """Return coverage, breadth and depth, risks and whom to reach next.

    With ``opportunity_id`` the figures are that deal's buying centre.
    """
    if opportunity_id is None:
        return network.analyse_buying_centre(buying_centre(account_id, months))
    return network.analyse_buying_centre(
        buying_centre(account_id, months),
        deals=account_deals(account_id),
        opportunity_id=opportunity_id,
    )


@cached(spinner="Drawing the map…")
def buying_centre_html(
    account_id: str, months: int, options: network.MapOptions, language: str = "en"
) -> str:
    """Return the account's map as safe, offline HTML (its legend in ``language``)."""
    del language  # part of the cache key: the legend is written in it
    return network.buying_centre_html(buying_centre(account_id, months), options)


@cached()
def account_deals(account_id: str) -> pl.DataFrame:
    """Return the account's deals and the people named on each (see store)."""
    return session.run(store.account_deals, account_id)


@cached()
def portfolio_currency() -> str:
    """Return the ISO code every money figure of the portfolio is in."""
    return session.run(store.portfolio_currency)


@cached()
def contact_edit_history(account_id: str) -> pl.DataFrame:
    """Return the latest edits to the account's people (who, when, old, new)."""
    return session.run(store.contact_edit_history, account_id)


# --- segments and effort -----------------------------------------------------------


@cached()
def segment_as_of() -> date:
    """Return the default as-of date: the last day in the data."""
    return session.run(store.resolve_as_of)


# Shared, not copied: cache_data would unpickle a copy of the frame at every rerun.
@cached(spinner="Adding up account features…", share=True)
def account_features(as_of: date, default_term_months: int = 12) -> pl.DataFrame:
    """Return one row of features per account; threshold changes reuse it.

    ``default_term_months`` spreads deals without a known contract (see
    :func:`workbench.store.account_features`); changing it reads again.
    """
    return session.workbench().features(as_of, default_term_months)


@cached()
def account_situation() -> pl.DataFrame:
    """Return the buying situation workshops rated (one row per rated account)."""
    return session.workbench().buying_situation()


@cached()
def cost_rates() -> pl.DataFrame:
    """Return the hourly cost per seller role and team (defaults and edits)."""
    return session.workbench().cost_rates()


@cached()
def industry_wallet_shares() -> pl.DataFrame:
    """Return every industry with the wallet share set for it."""
    return session.workbench().industry_wallet_shares()


@cached()
def wallet_estimates() -> pl.DataFrame:
    """Return the wallets estimated by hand."""
    return session.workbench().wallet_estimates()


@cached(max_entries=32)
def effort_by_rate(account_id: str, as_of: date) -> pl.DataFrame:
    """Return one account's effort of 12 months per hourly rate."""
    return session.workbench().effort_by_rate(account_id, as_of)


@cached()
def relationship_overrides() -> pl.DataFrame:
    """Return the manual relationship decisions."""
    return session.run(store.relationship_overrides)


@cached()
def segment_scenarios() -> pl.DataFrame:
    """Return the saved segmentation scenarios."""
    return session.workbench().scenarios()


# Shared and keyed on the thresholds: a rerun that moves no threshold (an effort
# rule, a table filter, a page of the table) reuses the segmentation.
@cached(max_entries=8, share=True)
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
@cached(spinner="Adding up effort…", max_entries=4)
def effort_by_function(as_of: date) -> pl.DataFrame:
    """Return effort per account and function (unattributed when no person is named)."""
    return session.run(store.effort_by_function, as_of)


@cached()
def service_model(scenario: str | None) -> pl.DataFrame:
    """Return the service model saved with a scenario (None: the defaults')."""
    return session.workbench().service_model(scenario)


@cached(spinner="Adding up effort…", max_entries=4, share=True)
def effort_aggregates(as_of: date) -> pl.DataFrame:
    """Return effort per account × period × dimension."""
    return session.run(store.effort_aggregates, as_of)


@cached(max_entries=64)
def effort_breakdown(
    as_of: date, thresholds: segment.Thresholds, view: str
) -> pl.DataFrame:
    """Return :func:`workbench.effort.effort_breakdown` per view and thresholds."""
    return effort.effort_breakdown(
        effort_aggregates(as_of),
        segments(as_of, thresholds),
        view,
        thresholds.minutes_per_activity_without_duration,
    )


@cached(max_entries=64)
def effort_trend(
    as_of: date, thresholds: segment.Thresholds, by: str, granularity: str
) -> pl.DataFrame:
    """Return :func:`workbench.effort.effort_trend` per choice and thresholds."""
    return effort.effort_trend(
        effort_aggregates(as_of),
        segments(as_of, thresholds),
        by,
        granularity,
        thresholds.minutes_per_activity_without_duration,
    )


@cached()
def seller_effort(as_of: date, thresholds: segment.Thresholds) -> pl.DataFrame:
    """Return :func:`workbench.effort.seller_effort` per thresholds."""
    return effort.seller_effort(
        effort_aggregates(as_of),
        segments(as_of, thresholds),
        thresholds.minutes_per_activity_without_duration,
    )


# --- voice of the customer ------------------------------------------------------------


@cached(spinner="Reading survey responses…")
def voice_responses() -> pl.DataFrame:
    """Return every NPS response with who answered."""
    return session.run(store.nps_responses_enriched)


@cached()
def voice_account_signals() -> pl.DataFrame:
    """Return breadth, freshness and effort per account."""
    return session.run(store.voice_account_signals)


@cached()
def survey_link_targets() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return ``(contacts, accounts)`` that survey responses may link to."""
    return session.run(store.survey_link_targets)


@cached(spinner="Sorting accounts into relationship types…")
def voice_relationships() -> pl.DataFrame:
    """Return each account's relationship type (default thresholds and overrides)."""
    return session.workbench().segments().select("account_id", "relationship")


@cached(spinner="Reading the survey file…", max_entries=8)
def read_survey_upload(
    file_name: str, data: bytes, score_column: str | None, encoding: str | None
) -> surveys.SurveyResult:
    """Read an uploaded survey file against the current contacts and accounts."""
    return session.workbench().read_survey(file_name, data, score_column, encoding)


# --- account plans ---------------------------------------------------------------------


@cached()
def plan_accounts() -> pl.DataFrame:
    """Return every account with its current plan version."""
    return session.run(plans.plan_accounts)


@cached(spinner="Computing the situation…", max_entries=32)
def plan_situation(account_id: str, refreshed: int = 0) -> plans.Situation:
    """Return the account's situation from the analytics (``refreshed`` busts the cache)."""
    return session.run(plans.build_situation, account_id)


@cached(max_entries=64)
def plan_version(
    account_id: str, plan_version: int | None = None
) -> plans.PlanVersion | None:
    """Return one stored version of the account's plan (default: the current one)."""
    return session.run(plans.load_plan, account_id, plan_version)


@cached(max_entries=32)
def plan_history(account_id: str) -> pl.DataFrame:
    """Return every version of the account's plan, newest first."""
    return session.workbench().plan_history(account_id)


@cached(max_entries=32)
def plan_people_choices(account_id: str) -> dict[str, list[str]]:
    """Return the account's contacts and our sellers, to pick in the plan's tables."""
    return session.run(store.plan_people_choices, account_id)


@cached(spinner="Gathering every plan…")
def _plans_overview(today: date) -> plans.PlansOverview:
    return session.workbench().plans_overview(today)


def plans_overview() -> plans.PlansOverview:
    """Return the leaders' overview of all plans as of today."""
    return _plans_overview(date.today())


@cached()
def detractor_followups(today: date) -> pl.DataFrame:
    """Return the follow-ups of detractors among deciders and approvers."""
    return session.workbench().detractor_followups(today)


@cached()
def requirements(account_id: str) -> pl.DataFrame:
    """Return one account's requirements register."""
    return session.workbench().requirements(account_id)


@cached()
def requirement_conflicts(account_id: str) -> pl.DataFrame:
    """Return one account's conflicts between requirements."""
    return session.workbench().requirement_conflicts(account_id)
