"""Portfolio segmentation: value segments and transactional/partnership types.

Peppers & Rogers differentiate customers by value; Hutt & Speh decide which accounts
get a transactional and which a partnership relationship. Everything here is a pure
function over the one-row-per-account frame from :func:`workbench.store.account_features`
(frames in, frames out, vectorised polars expressions, no loops over rows), so a
threshold change recomputes 10,000 accounts in a few milliseconds.

Public, stable API (used by the pages, the CLI, account plans and notebooks):

- :class:`Thresholds`: every threshold, with documented defaults;
- :func:`compute_contribution`: margin, cost-to-serve, contribution, potential;
- :func:`assign_segments`: one row per account with ``value_segment``,
  ``relationship``, the score's points and the reasons;
- :func:`workbench.readers.account_segments`: the same, read from a database
  connection (it lives with the readers, as analytics never open the store);
- :func:`segment_summary`, :func:`segment_cuts`, :func:`filter_accounts`,
  :func:`compare_scenarios`, :func:`score_weights`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import polars as pl

from workbench.analytics.economics import (
    compute_contribution,
    wallets_below_revenue,
)
from workbench.analytics.overview import (
    KnownSegments,
    SegmentCuts,
    SegmentOverview,
    TransactionalDetail,
    drawn_accounts,
    orders_of,
    remember_orders,
    row_orders,
    segment_counts,
    segment_cuts,
    segment_overview,
    segment_summary,
)
from workbench.analytics.reasons import (
    EXPLANATIONS,
    explain_segments,
    reason_columns,
)
from workbench.analytics.retention import Retention
from workbench.analytics.segment_parts import (
    _VALUE_ONLY_THRESHOLDS,
    _kept_decided_types,
    _row_orders,
    _summed_arrays,
    _threshold_free_part,
    _unmoved,
    _value_inputs,
)
from workbench.analytics.thresholds import (
    CONTRACT_POINTS_SHARE,
    DEFAULT_THRESHOLDS,
    RELATIONSHIPS,
    SIGNALS,
    VALUE_BASES,
    VALUE_SEGMENTS,
    Mode,
    Thresholds,
    score_weights,
)
from workbench.analytics.value import (
    value_segments,
)
from workbench.analytics.value_arrays import SEGMENT_NAMES, segment_codes
from workbench.i18n import DEFAULT_LANGUAGE

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "CONTRACT_POINTS_SHARE",
    "DEFAULT_THRESHOLDS",
    "EXPLANATIONS",
    "KEY_TABLE_COLUMNS",
    "RELATIONSHIPS",
    "SIGNALS",
    "TABLE_COLUMNS",
    "VALUE_BASES",
    "VALUE_SEGMENTS",
    "Mode",
    "SegmentCuts",
    "SegmentOverview",
    "Thresholds",
    "TransactionalDetail",
    "account_choices",
    "account_table",
    "accounts_above_wallet",
    "assign_segments",
    "best_first",
    "compare_scenarios",
    "compute_contribution",
    "drawn_accounts",
    "explain_segments",
    "filter_accounts",
    "matching_accounts",
    "moved_accounts",
    "scenario_moves",
    "scenario_thresholds",
    "score_weights",
    "segment_counts",
    "segment_cuts",
    "segment_overview",
    "segment_summary",
    "shown_account_table",
    "valuation_thresholds",
]


def assign_segments(
    features: pl.DataFrame,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    overrides: pl.DataFrame | None = None,
    situation: pl.DataFrame | None = None,
    retention: Retention | None = None,
    *,
    explain: bool = True,
) -> pl.DataFrame:
    """Return one row per account with its value segment and relationship type.

    Args:
        features: rows of :func:`workbench.store.account_features` (value columns
            from :func:`compute_contribution` are added when missing).
        thresholds: the thresholds to apply.
        overrides: rows of ``account_id``, ``relationship``, ``reason`` (and
            optionally ``set_by``) from :func:`workbench.store.relationship_overrides`.
        situation: the buying situation workshops rated, rows of
            :func:`workbench.store.account_situation` (see :mod:`.target`).
        retention: the portfolio's retention (:mod:`.retention`); default: the
            counts the features carry, else the option.
        explain: build the reasons in words (see below); ``False`` leaves them
            out.

    Returns:
        The features and value columns plus ``value_segment`` (one of
        :data:`VALUE_SEGMENTS`), ``value_reason``, ``contribution_rank``, the
        observed score (:mod:`.observed`: six ``points_*`` columns,
        ``observed_signals``, ``relationship_score``, ``relationship_observed`` and
        its old name ``relationship_scored``), the target (:mod:`.target`:
        ``signal_*``, ``target_signals``, ``target_score``, ``relationship_target``,
        ``target_reason``), ``relationship`` (the type plans follow: the override
        where there is one, else the target, else the observed type),
        ``relationship_source`` (``override``, ``target``, ``observed``, or
        ``default`` where no signal of either is known),
        ``override_reason``, ``override_by`` and ``relationship_reason`` (why, in
        words).

        With ``explain=False`` the sentences (``value_reason``, ``target_reason``,
        ``relationship_reason`` and ``why``) are left out: building them for every
        account costs more than the segmentation itself, so a page segments the
        whole portfolio without them and passes only the rows it shows to
        :func:`explain_segments`, which gives the same text.
    """
    t = thresholds
    valued, scored = _threshold_free_part(features, t, situation, retention)
    # The value segments rank with the thresholds a slider moves; the observed
    # and target types read only the valued features and their own thresholds.
    # Each part is a frame of its own columns, glued side by side at the end:
    # the wide frame is never rewritten, only a few narrow columns are computed.
    inputs = _value_inputs(valued, t)
    valued_part = value_segments(valued, t, explain=False, inputs=inputs)
    types = _kept_decided_types(valued, scored, overrides)
    decided = pl.concat(
        [valued_part, scored, types],
        how="horizontal",
    )
    if explain:
        return explain_segments(decided, t)
    orders, arrays = _row_orders(valued)
    # the value segments' codes, row for row, for the chart's points
    known = KnownSegments(
        segment_codes(inputs, t),
        SEGMENT_NAMES,
        arrays,
        _summed_arrays(valued, types),
    )
    remember_orders(decided, orders, known)
    return decided


def valuation_thresholds(thresholds: Thresholds) -> Thresholds:
    """Return ``thresholds`` with those only the value segments read at their defaults.

    Two thresholds alike but in a top share, the value basis or the growth
    score's weights value every account the same (revenue, margin, cost to
    serve, wallet, headroom): a key for what rests on the valuation alone.
    """
    return _unmoved(thresholds, _VALUE_ONLY_THRESHOLDS)


def accounts_above_wallet(
    features: pl.DataFrame,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    situation: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Return the accounts that buy more from us than their wallet, widest gap first.

    :func:`~.economics.wallets_below_revenue` of the accounts valued as
    :func:`assign_segments` values them (the valuation it keeps for the same
    features frame, so this costs no valuation after a segmentation).
    """
    valued, _scored = _threshold_free_part(features, thresholds, situation, None)
    return wallets_below_revenue(valued)


def filter_accounts(
    segments: pl.DataFrame,
    *,
    value_segments: Iterable[str] | None = None,
    relationships: Iterable[str] | None = None,
    name_contains: str = "",
) -> pl.DataFrame:
    """Return the accounts in the chosen segments and types whose name or ID matches.

    Empty choices mean "all"; the name search is case-insensitive plain text.
    """
    condition = pl.lit(True)
    chosen_segments = list(value_segments or [])
    chosen_types = list(relationships or [])
    if chosen_segments:
        condition &= pl.col("value_segment").is_in(chosen_segments)
    if chosen_types:
        condition &= pl.col("relationship").is_in(chosen_types)
    needle = name_contains.strip().lower()
    if needle:
        condition &= pl.col("name").str.to_lowercase().str.contains(
            needle, literal=True
        ) | pl.col("account_id").str.to_lowercase().str.contains(needle, literal=True)
    if not (chosen_segments or chosen_types or needle):
        return segments  # the same frame: nothing to copy, its orders are known
    return segments.filter(condition)


#: Columns of the account table and the command line's output, in order.
TABLE_COLUMNS: tuple[str, ...] = (
    "account_id",
    "name",
    "value_segment",
    "relationship",
    "why",
    "relationship_source",
    "relationship_target",
    "target_score",
    "target_signals",
    "relationship_observed",
    "relationship_score",
    "observed_signals",
    "revenue",
    "revenue_basis",
    "revenue_prev",
    "won_12m",
    "won_prev_12m",
    "growth_pct",
    "margin_pct",
    "margin",
    "effort_hours",
    "activities_12m",
    "activities_without_duration_12m",
    "direct_cost_annual",
    "people_cost",
    "cost_basis",
    "cost_to_serve",
    "contribution",
    "lifetime_value",
    "remaining_years",
    "remaining_years_source",
    "value_rank",
    "potential",
    "potential_source",
    "headroom",
    "share_of_wallet_pct",
    "growth_score",
    "growth_signals_known",
    "growth_reason",
    "deciders_approvers",
    "deciders_approvers_engaged",
    "tenure_years",
    "contract_type",
    "contract_term_months",
    "contacts",
    "contacts_engaged",
    "departments_engaged",
    "org_levels_engaged",
    "executive_contacts_engaged",
    "executive_touches",
    "joint_activities",
    "open_pipeline",
    "nps",
    "nps_responses",
    "industry",
    "region",
    "value_reason",
    "relationship_reason",
    "target_reason",
    "override_reason",
)


#: The account table's columns a workshop reads first (the Segments page's
#: default view, a third of :data:`TABLE_COLUMNS`): who the account is, its
#: segment and type with the one-line why, what it brings and costs with their
#: bases, its room to grow, the observed and target scores, who is engaged, the
#: voice with its number of answers, and where. The signals and inputs behind
#: the scores and the long reasons are a toggle away, and every column is in
#: the downloads and the command line's output. (A page of 200 rows of every
#: column is about 340 KB that the browser decodes at each move before it
#: redraws the chart; see docs/performance.md.)
KEY_TABLE_COLUMNS: tuple[str, ...] = (
    "account_id",
    "name",
    "value_segment",
    "relationship",
    "why",
    "revenue",
    "revenue_basis",
    "contribution",
    "cost_to_serve",
    "cost_basis",
    "effort_hours",
    "potential",
    "potential_source",
    "headroom",
    "share_of_wallet_pct",
    "growth_score",
    "relationship_score",
    "target_score",
    "contacts_engaged",
    "deciders_approvers_engaged",
    "nps",
    "nps_responses",
    "industry",
    "region",
)


#: The columns of the table that are sentences built for the rows shown.
_SENTENCES = frozenset({*EXPLANATIONS, "growth_reason"})


def account_table(segments: pl.DataFrame) -> pl.DataFrame:
    """Return the segments in table form: the :data:`TABLE_COLUMNS`, best first."""
    return best_first(
        segments.select(c for c in TABLE_COLUMNS if c in segments.columns)
    )


def best_first(
    segments: pl.DataFrame, columns: Iterable[str] | None = None
) -> pl.DataFrame:
    """Return the rows by contribution, highest first (ties in their order).

    ``columns``: the columns to return (default: all). A frame a segmentation
    returned has its order known (see :func:`~.overview.remember_orders`): its
    rows are gathered in that order, not sorted again.
    """
    picked = (
        segments
        if columns is None
        else pl.DataFrame([segments.get_column(c) for c in columns])
    )
    known = orders_of(segments)
    if known is not None:
        return picked[known.by_contribution]
    return picked.sort("contribution", descending=True, maintain_order=True)


def shown_account_table(
    segments: pl.DataFrame,
    thresholds: Thresholds,
    limit: int | None = None,
    offset: int = 0,
    language: str = DEFAULT_LANGUAGE,
    columns: Sequence[str] = TABLE_COLUMNS,
) -> pl.DataFrame:
    """Return :func:`account_table` of ``limit`` rows from ``offset``, explained.

    Rows are ordered best first (highest contribution, ties in their order).
    ``segments`` may come from ``assign_segments(..., explain=False)``: the
    reasons are built for the rows kept only (see :func:`explain_segments`), in
    ``language``. ``columns``: those of :data:`TABLE_COLUMNS` to return, in
    that order (e.g. :data:`KEY_TABLE_COLUMNS`).
    """
    # order one column and gather the rows kept, rather than sorting every column
    # (a frame a segmentation returned has its order kept: see remember_orders)
    known = orders_of(segments)
    order = (row_orders(segments) if known is None else known).by_contribution
    kept = order.slice(offset, limit)
    # Only the sentences shown are built (the key columns' one-line why does
    # not read the relationship's and the target's long reasons), and only the
    # columns shown and those the sentences read are gathered (the sentences
    # read the same columns, so they are the same text).
    sentences = [c for c in columns if c in _SENTENCES]
    read = set(reason_columns(tuple(segments.columns), thresholds, language, sentences))
    shown = set(columns)
    needed = [c for c in segments.columns if c in read or c in shown]
    narrow = pl.DataFrame([segments.get_column(c) for c in needed])
    explained = explain_segments(narrow[kept], thresholds, language, sentences)
    # already best first: the columns of the table, not a sort again
    # (a frame of the columns themselves: a select is planned, as a query)
    return pl.DataFrame(
        [explained.get_column(c) for c in columns if c in explained.columns]
    )


def compare_scenarios(
    features: pl.DataFrame,
    first: Thresholds,
    second: Thresholds,
    overrides: pl.DataFrame | None = None,
    situation: pl.DataFrame | None = None,
    retention: Retention | None = None,
    *,
    second_features: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Return each account's segment and type under two threshold sets.

    ``features`` must be read with ``first``'s default contract term; when
    ``second`` assumes another term, pass the features read with it as
    ``second_features`` (revenue is spread over the term, so the features differ).

    Columns: ``account_id``, ``name``, ``value_segment_a``, ``relationship_a``,
    ``value_segment_b``, ``relationship_b``, ``moved`` (segment or type differs),
    ``contribution_a``, ``contribution_b``; accounts that move come first.
    """
    picked = ("account_id", "value_segment", "relationship", "contribution")
    side_a = assign_segments(
        features, first, overrides, situation, retention, explain=False
    ).select("name", *[pl.col(c).alias(f"{c}_a") for c in picked])
    side_b = assign_segments(
        features if second_features is None else second_features,
        second,
        overrides,
        situation,
        retention,
        explain=False,
    ).select(*[pl.col(c).alias(f"{c}_b") for c in picked])
    both = side_a.join(side_b, left_on="account_id_a", right_on="account_id_b")
    return (
        both.rename({"account_id_a": "account_id"})
        .with_columns(
            moved=(pl.col("value_segment_a") != pl.col("value_segment_b"))
            | (pl.col("relationship_a") != pl.col("relationship_b"))
        )
        .select(
            "account_id",
            "name",
            "value_segment_a",
            "relationship_a",
            "value_segment_b",
            "relationship_b",
            "moved",
            "contribution_a",
            "contribution_b",
        )
        .sort("moved", "account_id", descending=[True, False])
    )


def scenario_moves(comparison: pl.DataFrame) -> pl.DataFrame:
    """Return how many accounts go from each (segment, type) to each other one."""
    return (
        comparison.group_by(
            "value_segment_a", "relationship_a", "value_segment_b", "relationship_b"
        )
        .agg(accounts=pl.len())
        .sort("accounts", descending=True)
    )


def moved_accounts(comparison: pl.DataFrame) -> pl.DataFrame:
    """Return the rows of :func:`compare_scenarios` whose segment or type changes."""
    return comparison.filter(pl.col("moved"))


def scenario_thresholds(scenarios: pl.DataFrame, name: str) -> Thresholds | None:
    """Return a saved scenario's thresholds (``None`` when no scenario has that name).

    Args:
        scenarios: rows of :func:`workbench.store.segment_scenarios`.
        name: the scenario's name.
    """
    rows = scenarios.filter(pl.col("name") == name)
    if rows.height == 0:
        return None
    return Thresholds.from_dict(json.loads(rows["thresholds"][0]))


def account_choices(accounts: pl.DataFrame, limit: int) -> tuple[list[str], list[str]]:
    """Return the first ``limit`` account IDs and their labels (``name (id)``) for a picker."""
    head = accounts.head(limit).select(
        "account_id",
        label=pl.format("{} ({})", pl.col("name").fill_null(""), pl.col("account_id")),
    )
    return head["account_id"].to_list(), head["label"].to_list()


def matching_accounts(
    accounts: pl.DataFrame, query: str, limit: int
) -> tuple[tuple[str, ...], int]:
    """Return the accounts whose name or ID holds ``query`` (any case), and how many.

    ``accounts``: rows with ``account_id`` and ``name``, in the order a picker
    lists them. The IDs are the first ``limit`` matches in that order; the count
    is of every match. An empty query matches all. For a search box above a
    picker, which then sends a few hundred options instead of every account.
    """
    needle = query.strip().lower()
    if needle:
        accounts = accounts.filter(
            pl.col("name")
            .fill_null("")
            .str.to_lowercase()
            .str.contains(needle, literal=True)
            | pl.col("account_id").str.to_lowercase().str.contains(needle, literal=True)
        )
    ids = accounts.get_column("account_id").head(limit).to_list()
    return tuple(ids), accounts.height
