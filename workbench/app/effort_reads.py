"""The Effort page's cached computations, each keyed on what it depends on.

A move of a verdict rule (a slider) changes the verdicts only: the accounts' hours,
value and bands, each seller's hours per account, the groups and the charts depend
on the data, the as-of day and the thresholds. So the accounts are added up once
per thresholds, the sellers' hours once per thresholds, and a move re-judges the
10,000-row accounts frame and sums the prepared sellers' hours by position. Every
result is cached (and shared: polars frames are immutable) on the database's data
version and its arguments, so a move back to a value already seen costs nothing.
The keys are the arguments' repr (dates, strings, numbers, and the thresholds and
rules, frozen dataclasses of numbers): Streamlit's own hash of the thresholds costs
about a millisecond per read, and a rerun makes about ten of these reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from workbench.analytics import effort, segment
from workbench.app import reads
from workbench.app.cached import cached
from workbench.app.components import TABLE_ROWS
from workbench.i18n import N_

#: The arguments of :func:`judged`: as-of day, thresholds, scenario, rules, currency.
Judging = tuple[date, segment.Thresholds, str | None, effort.MisallocationRules, str]


@cached(max_entries=8, share=True, by_repr=True)
def account_effort(as_of: date, thresholds: segment.Thresholds) -> pl.DataFrame:
    """Return :func:`workbench.analytics.effort.account_effort` of the segmentation."""
    return effort.account_effort(
        reads.segments_unexplained(as_of, thresholds),
        reads.effort_by_function(as_of),
        thresholds.minutes_per_activity_without_duration,
    )


@cached(max_entries=32, share=True, by_repr=True)
def judged(
    as_of: date,
    thresholds: segment.Thresholds,
    scenario: str | None,
    rules: effort.MisallocationRules,
    currency: str,
) -> pl.DataFrame:
    """Return every account judged against the scenario's service model.

    Without the reasons in words (``verdict_why``): a move of a rule judged
    10,000 accounts and wrote a sentence for each. The issue rows shown get
    theirs (:func:`verdict_view`); the downloads get every row's when clicked.
    """
    return effort.judge(
        account_effort(as_of, thresholds),
        reads.service_model(scenario),
        rules,
        thresholds.hourly_cost,
        currency,
        explain=False,
    )


@dataclass(frozen=True)
class VerdictView:
    """The page's verdicts: the headline, the counts and the issue rows shown.

    Attributes:
        headline: :func:`workbench.analytics.effort.headline` of the judged accounts.
        counts: :func:`workbench.analytics.effort.verdict_counts`.
        shown_issues: the first ``TABLE_ROWS`` rows of
            :func:`workbench.analytics.effort.issues`, in the page's language.
    """

    headline: effort.Headline
    counts: dict[str, int]
    shown_issues: pl.DataFrame


@cached(max_entries=32, share=True, by_repr=True)
def verdict_view(
    as_of: date,
    thresholds: segment.Thresholds,
    scenario: str | None,
    rules: effort.MisallocationRules,
    currency: str,
    language: str,
) -> VerdictView:
    """Return the headline, the verdict counts and the issue rows the page shows."""
    accounts = judged(as_of, thresholds, scenario, rules, currency)
    return VerdictView(
        headline=effort.headline(accounts),
        counts=effort.verdict_counts(accounts),
        shown_issues=effort.issues(accounts, currency, language, limit=TABLE_ROWS),
    )


@cached(spinner=N_("Adding up effort…"), max_entries=4, share=True, by_repr=True)
def seller_account_hours(
    as_of: date, thresholds: segment.Thresholds
) -> effort.SellerAccountHours:
    """Return each seller's hours per account, prepared for any verdict rules."""
    return effort.seller_account_hours(
        reads.effort_aggregates(as_of, "seller"),
        account_effort(as_of, thresholds),
        thresholds.minutes_per_activity_without_duration,
    )


@cached(max_entries=64, share=True, by_repr=True)
def seller_verdicts(
    as_of: date,
    thresholds: segment.Thresholds,
    scenario: str | None,
    rules: effort.MisallocationRules,
    currency: str,
    by: str,
) -> pl.DataFrame:
    """Return :func:`workbench.analytics.effort.seller_verdicts` under these rules."""
    return effort.judged_seller_hours(
        seller_account_hours(as_of, thresholds),
        judged(as_of, thresholds, scenario, rules, currency),
        by,
    )


@cached(max_entries=16, share=True, by_repr=True)
def effort_by_group(
    as_of: date,
    thresholds: segment.Thresholds,
    scenario: str | None,
    currency: str,
    grouping: str,
) -> pl.DataFrame:
    """Return effort, revenue and contribution per group (no verdict is involved).

    Summed over the accounts as judged (under the default rules: the sums read no
    verdict), in the judged frame's order, so each sum adds its terms in the same
    order as the page always did.
    """
    accounts = judged(
        as_of, thresholds, scenario, effort.MisallocationRules(), currency
    )
    return effort.effort_by_group(accounts, grouping)


#: At most about this many accounts in the effort-against-value chart.
CHART_POINTS = 2_000


@cached(max_entries=8, share=True, by_repr=True)
def chart_accounts(
    as_of: date, thresholds: segment.Thresholds, scenario: str | None, currency: str
) -> pl.DataFrame:
    """Return the accounts the effort-against-value chart draws (at most about 2,000).

    Their effort index reads the band, which the verdict rules do not move: judged
    under the default rules, the same points whatever the sliders say.
    """
    accounts = judged(
        as_of, thresholds, scenario, effort.MisallocationRules(), currency
    )
    return effort.drawn_accounts(accounts, CHART_POINTS)


@cached(max_entries=16, share=True, by_repr=True)
def group_names(
    as_of: date,
    thresholds: segment.Thresholds,
    scenario: str | None,
    rules: effort.MisallocationRules,
    currency: str,
    grouping: str,
) -> dict[str, str]:
    """Return the what-if's groups (or accounts) as ``{value: label}``, in order."""
    accounts = judged(as_of, thresholds, scenario, rules, currency)
    if grouping == effort.ACCOUNT_GROUPING:
        return dict(zip(accounts["account_id"], accounts["name"], strict=True))
    labels = effort.group_labels(accounts, grouping)
    return dict(zip(labels, labels, strict=True))


@cached(max_entries=32, share=True, by_repr=True)
def capacity_move(
    judging: Judging,
    grouping: str,
    source: str | None,
    target: str | None,
    hours: float,
    response: dict[str, float],
) -> tuple[pl.DataFrame, effort.CapacityChange]:
    """Return :func:`workbench.analytics.effort.move_capacity` of the judged accounts.

    ``judging`` holds the arguments of :func:`judged`.
    """
    return effort.move_capacity(
        judged(*judging),
        grouping,
        source,
        target,
        hours,
        hourly_cost=judging[1].hourly_cost,
        response=response,
    )


@cached(max_entries=16, share=True)
def scenario_thresholds(name: str) -> segment.Thresholds:
    """Return a saved scenario's thresholds, else the defaults (for any other name).

    Cached: finding the scenario's row and reading its thresholds cost a few
    milliseconds at every rerun of the page.
    """
    saved = segment.scenario_thresholds(reads.segment_scenarios(), name)
    return saved or segment.DEFAULT_THRESHOLDS


@dataclass(frozen=True)
class Totals:
    """The portfolio's hours, activities, cost and hours naming no person."""

    figures: dict[str, float]
    unattributed_hours: float


@cached(max_entries=16, share=True, by_repr=True)
def totals(
    as_of: date, thresholds: segment.Thresholds, scenario: str | None, currency: str
) -> Totals:
    """Return the portfolio's totals (no verdict is involved, as for the groups)."""
    accounts = judged(
        as_of, thresholds, scenario, effort.MisallocationRules(), currency
    )
    return Totals(
        figures=effort.effort_totals(accounts, thresholds.hourly_cost),
        unattributed_hours=float(accounts["unattributed_hours"].sum()),
    )
