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
import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import polars as pl

from workbench.analytics.economics import (
    compute_contribution,
)
from workbench.analytics.finite import finite_or_null
from workbench.analytics.observed import observed_relationship
from workbench.analytics.overview import (
    RowOrders,
    SegmentCuts,
    SegmentOverview,
    drawn_accounts,
    orders_of,
    remember_orders,
    row_orders,
    segment_counts,
    segment_cuts,
    segment_overview,
    segment_summary,
)
from workbench.analytics.reasons import EXPLANATIONS, explain_segments
from workbench.analytics.retention import Retention
from workbench.analytics.target import target_relationship
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
    VALUE_INPUT_THRESHOLDS,
    ValueInputs,
    value_inputs,
    value_segments,
)
from workbench.i18n import DEFAULT_LANGUAGE

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "CONTRACT_POINTS_SHARE",
    "DEFAULT_THRESHOLDS",
    "EXPLANATIONS",
    "RELATIONSHIPS",
    "SIGNALS",
    "VALUE_BASES",
    "VALUE_SEGMENTS",
    "Mode",
    "SegmentCuts",
    "SegmentOverview",
    "Thresholds",
    "account_choices",
    "account_table",
    "assign_segments",
    "best_first",
    "compare_scenarios",
    "compute_contribution",
    "drawn_accounts",
    "explain_segments",
    "filter_accounts",
    "moved_accounts",
    "scenario_moves",
    "scenario_thresholds",
    "score_weights",
    "segment_counts",
    "segment_cuts",
    "segment_overview",
    "segment_summary",
    "shown_account_table",
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
        ``relationship_source`` (``override``, ``target`` or ``observed``),
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
    valued_part = value_segments(
        valued, t, explain=False, inputs=_value_inputs(valued, t)
    )
    decided = pl.concat(
        [valued_part, scored, _decided_types(valued_part, scored, overrides)],
        how="horizontal",
    )
    if explain:
        return explain_segments(decided, t)
    remember_orders(decided, _row_orders(valued))
    return decided


def _decided_types(
    valued: pl.DataFrame, scored: pl.DataFrame, overrides: pl.DataFrame | None
) -> pl.DataFrame:
    """Return the override's columns and the type each account follows, row for row.

    Columns: ``override_reason``, ``override_by``, ``relationship`` (the override
    where there is one, else the target, else the observed type) and
    ``relationship_source``. One query over the scored columns: the overrides (a
    few rows, the last per account winning) are looked up by account rather than
    joined, each step of a join costing more to set up than to run.
    """
    chosen: dict[str, tuple[Any, Any, Any]] = {}
    if overrides is not None and overrides.height:
        by = (
            pl.col("set_by")
            if "set_by" in overrides.columns
            else pl.lit(None, dtype=pl.String)
        )
        for account_id, *decision in overrides.select(
            "account_id", "relationship", "reason", by
        ).iter_rows():
            chosen[account_id] = tuple(decision)

    def looked_up(position: int) -> pl.Expr:
        # the override's value for each account (null where it has none)
        return pl.col("account_id").replace_strict(
            list(chosen),
            [decision[position] for decision in chosen.values()],
            default=None,
            return_dtype=pl.String,
        )

    nothing = pl.lit(None, dtype=pl.String)
    override = looked_up(0) if chosen else nothing
    overridden = override.is_not_null()
    targeted = pl.col("relationship_target").is_not_null()
    return scored.hstack([valued.get_column("account_id")]).select(
        override_reason=looked_up(1) if chosen else nothing,
        override_by=looked_up(2) if chosen else nothing,
        relationship=pl.when(overridden)
        .then(override)
        .when(targeted)
        .then(pl.col("relationship_target"))
        .otherwise(pl.col("relationship_observed")),
        relationship_source=pl.when(overridden)
        .then(pl.lit("override"))
        .when(targeted)
        .then(pl.lit("target"))
        .otherwise(pl.lit("observed")),
    )


#: Thresholds only the value segments read (and the growth score they rank by).
_VALUE_ONLY_THRESHOLDS: tuple[str, ...] = (
    "valuable_basis",
    "valuable_mode",
    "valuable_top_pct",
    "valuable_min_contribution",
    "growable_top_pct",
    "growth_headroom_weight_pct",
    "pipeline_full_at_headroom_pct",
    "trend_full_at_pct",
)
#: The last few results of :func:`_threshold_free_part`, by the identity of their
#: features and situation frames (held weakly: a frame gone, its entry is stale).
_PARTS: OrderedDict[Hashable, tuple[Any, Any, pl.DataFrame, pl.DataFrame]] = (
    OrderedDict()
)
#: A few: each holds a valued copy of the portfolio (about 10 MB at 10,000 accounts).
_PARTS_KEPT = 4
_PARTS_LOCK = threading.Lock()


def _threshold_free_part(
    features: pl.DataFrame,
    t: Thresholds,
    situation: pl.DataFrame | None,
    retention: Retention | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the valued features and the observed and target types' columns.

    None of it reads the value segments' thresholds, so a slider that moves only
    those (the top shares, the basis, the growth weights) reuses the result for the
    same features frame: the app shares one frame per data version, and this part
    costs more than the ranking the slider changes. The result is the same as
    computing it again (tested).
    """
    unmoved = replace(
        t, **{f: getattr(DEFAULT_THRESHOLDS, f) for f in _VALUE_ONLY_THRESHOLDS}
    )
    key = (id(features), id(situation), unmoved, retention)
    with _PARTS_LOCK:  # the app's sessions segment in threads of one process
        kept = _PARTS.get(key)
        if (
            kept is not None
            and kept[0]() is features
            and (situation is None or kept[1]() is situation)
        ):
            _PARTS.move_to_end(key)
            return kept[2], kept[3]
    # One contiguous chunk per column (frames glued from many parts otherwise pay
    # the chunking in every step); NaN or infinity stored by an older version is unknown
    features_finite = finite_or_null(features).rechunk()
    valued = (
        features_finite
        if "contribution" in features_finite.columns
        else compute_contribution(features_finite, t, retention)
    )
    observed = observed_relationship(valued, t, explain=False)
    targeted = target_relationship(observed, t, situation, explain=False)
    scored = targeted.select(targeted.columns[len(valued.columns) :])
    with _PARTS_LOCK:
        _PARTS[key] = (
            weakref.ref(features),
            (lambda: None) if situation is None else weakref.ref(situation),
            valued,
            scored,
        )
        # Entries of frames gone are of no use: drop them first, then the oldest.
        for stale in [k for k, entry in _PARTS.items() if entry[0]() is None]:
            del _PARTS[stale]
        while len(_PARTS) > _PARTS_KEPT:
            _PARTS.popitem(last=False)
    return valued, scored


#: The last few :func:`~.value.value_inputs`, by the identity of their valued
#: frame (one of :data:`_PARTS`', held weakly) and the thresholds they read.
_INPUTS: OrderedDict[Hashable, tuple[Any, ValueInputs]] = OrderedDict()


#: The last few :func:`~.overview.row_orders` of valued frames, held weakly.
_VALUED_ORDERS: OrderedDict[int, tuple[Any, RowOrders]] = OrderedDict()


def _row_orders(valued: pl.DataFrame) -> RowOrders:
    """Return the rows' orders by contribution and revenue, kept per valued frame."""
    with _PARTS_LOCK:
        kept = _VALUED_ORDERS.get(id(valued))
        if kept is not None and kept[0]() is valued:
            return kept[1]
    orders = row_orders(valued)
    with _PARTS_LOCK:
        _VALUED_ORDERS[id(valued)] = (weakref.ref(valued), orders)
        for stale in [k for k, e in _VALUED_ORDERS.items() if e[0]() is None]:
            del _VALUED_ORDERS[stale]
        while len(_VALUED_ORDERS) > _PARTS_KEPT:
            _VALUED_ORDERS.popitem(last=False)
    return orders


def _value_inputs(valued: pl.DataFrame, t: Thresholds) -> ValueInputs:
    """Return :func:`~.value.value_inputs` of ``valued``, kept between slider moves.

    The growth signs and the ranks by value read three thresholds
    (:data:`~.value.VALUE_INPUT_THRESHOLDS`), none of them a top share, so a
    move of a top share only ranks a few narrow columns again (tested against
    the whole chain computed from scratch).
    """
    key = (id(valued), *(getattr(t, f) for f in VALUE_INPUT_THRESHOLDS))
    with _PARTS_LOCK:
        kept = _INPUTS.get(key)
        if kept is not None and kept[0]() is valued:
            _INPUTS.move_to_end(key)
            return kept[1]
    inputs = value_inputs(valued, t)
    with _PARTS_LOCK:
        _INPUTS[key] = (weakref.ref(valued), inputs)
        for stale in [k for k, entry in _INPUTS.items() if entry[0]() is None]:
            del _INPUTS[stale]
        while len(_INPUTS) > _PARTS_KEPT:
            _INPUTS.popitem(last=False)
    return inputs


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


def account_table(segments: pl.DataFrame) -> pl.DataFrame:
    """Return the segments in table form: the :data:`TABLE_COLUMNS`, best first."""
    return best_first(
        segments.select(c for c in TABLE_COLUMNS if c in segments.columns)
    )


def best_first(segments: pl.DataFrame) -> pl.DataFrame:
    """Return the rows by contribution, highest first (ties in their order)."""
    return segments.sort("contribution", descending=True, maintain_order=True)


def shown_account_table(
    segments: pl.DataFrame,
    thresholds: Thresholds,
    limit: int | None = None,
    offset: int = 0,
    language: str = DEFAULT_LANGUAGE,
) -> pl.DataFrame:
    """Return :func:`account_table` of ``limit`` rows from ``offset``, explained.

    Rows are ordered best first (highest contribution, ties in their order).
    ``segments`` may come from ``assign_segments(..., explain=False)``: the
    reasons are built for the rows kept only (see :func:`explain_segments`), in
    ``language``.
    """
    # order one column and gather the rows kept, rather than sorting every column
    # (a frame a segmentation returned has its order kept: see remember_orders)
    known = orders_of(segments)
    order = (row_orders(segments) if known is None else known).by_contribution
    kept = order.slice(offset, limit)
    explained = explain_segments(segments[kept], thresholds, language)
    # already best first: the columns of the table, not a sort again
    # (a frame of the columns themselves: a select is planned, as a query)
    return pl.DataFrame(
        [explained.get_column(c) for c in TABLE_COLUMNS if c in explained.columns]
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
