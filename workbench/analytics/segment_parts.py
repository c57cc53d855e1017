"""The parts of a segmentation that a slider move of a top share does not change.

Split from :mod:`workbench.analytics.segment` (which calls them): the valued
features and the observed and target types, the value segments' inputs, the
rows' orders and the type each account follows are kept per frame (held weakly)
so that a move recomputes only the value segments. Each is the same as computing
it again (tested).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import replace
from typing import Any, TypeGuard, TypeVar

import polars as pl

from workbench.analytics.cost_arrays import CostMove, cost_move, move_of
from workbench.analytics.economics import (
    COST_ONLY_THRESHOLDS,
    contribution_of_finite,
    with_costs,
)
from workbench.analytics.finite import finite_or_null
from workbench.analytics.observed import DEFAULT_RELATIONSHIP, observed_relationship
from workbench.analytics.orders import descending_order, ordinal_places, ordinal_ranks
from workbench.analytics.overview import (
    DrawnArrays,
    RowOrders,
    SummedArrays,
    drawn_arrays,
    row_orders,
    summed_arrays,
)
from workbench.analytics.retention import Retention
from workbench.analytics.revaluation import valued_again
from workbench.analytics.steps import changed_columns
from workbench.analytics.target import target_signals, value_signal, with_target
from workbench.analytics.thresholds import (
    DEFAULT_THRESHOLDS,
    FEATURES_ONLY_THRESHOLDS,
    Thresholds,
)
from workbench.analytics.value import (
    VALUE_INPUT_THRESHOLDS,
    ValueInputs,
    inputs_of_signals,
    value_inputs,
)
from workbench.analytics.value_arrays import remember_revalued

#: The last few :func:`_decided_types`, by the identity of their frames (held weakly).
_DECIDED: OrderedDict[Hashable, tuple[Any, Any, Any, pl.DataFrame]] = OrderedDict()


def _kept_decided_types(
    valued: pl.DataFrame, scored: pl.DataFrame, overrides: pl.DataFrame | None
) -> pl.DataFrame:
    """Return :func:`_decided_types`, kept for the same three frames.

    ``valued`` and ``scored`` are those :func:`_threshold_free_part` keeps, so a
    move of a value segment's threshold decides the types of the move before
    (the app shares one overrides frame per data version).
    """
    key = (id(valued), id(scored), id(overrides))
    with _PARTS_LOCK:
        kept = _DECIDED.get(key)
        if (
            kept is not None
            and kept[0]() is valued
            and kept[1]() is scored
            and (overrides is None or kept[2]() is overrides)
        ):
            _DECIDED.move_to_end(key)
            return kept[3]
    decided = _decided_types(valued, scored, overrides)
    with _PARTS_LOCK:
        _DECIDED[key] = (
            weakref.ref(valued),
            weakref.ref(scored),
            (lambda: None) if overrides is None else weakref.ref(overrides),
            decided,
        )
        for stale in [k for k, entry in _DECIDED.items() if entry[0]() is None]:
            del _DECIDED[stale]
        while len(_DECIDED) > _PARTS_KEPT:
            _DECIDED.popitem(last=False)
    return decided


def _decided_types(
    valued: pl.DataFrame, scored: pl.DataFrame, overrides: pl.DataFrame | None
) -> pl.DataFrame:
    """Return the override's columns and the type each account follows, row for row.

    Columns: ``override_reason``, ``override_by``, ``relationship`` (the override
    where there is one, else the target, else the observed type, else
    :data:`~.observed.DEFAULT_RELATIONSHIP`) and ``relationship_source``
    (``override``, ``target``, ``observed`` or ``default``). One query over the
    scored columns: the overrides (a few rows, the last per account winning) are
    looked up by account rather than joined, each step of a join costing more to
    set up than to run.
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
    observed = pl.col("relationship_observed").is_not_null()
    return scored.hstack([valued.get_column("account_id")]).select(
        override_reason=looked_up(1) if chosen else nothing,
        override_by=looked_up(2) if chosen else nothing,
        relationship=pl.when(overridden)
        .then(override)
        .when(targeted)
        .then(pl.col("relationship_target"))
        .when(observed)
        .then(pl.col("relationship_observed"))
        .otherwise(pl.lit(DEFAULT_RELATIONSHIP)),
        relationship_source=pl.when(overridden)
        .then(pl.lit("override"))
        .when(targeted)
        .then(pl.lit("target"))
        .when(observed)
        .then(pl.lit("observed"))
        .otherwise(pl.lit("default")),
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
#: features frame (held weakly: the frame gone, its entry is stale) and their
#: situation (held, and compared by content: see :func:`_situation_key`).
_PARTS: OrderedDict[
    tuple[Hashable, ...], tuple[Any, Any, pl.DataFrame, pl.DataFrame]
] = OrderedDict()
#: A few: each holds a valued copy of the portfolio (about 10 MB at 10,000 accounts).
_PARTS_KEPT = 4
_PARTS_LOCK = threading.Lock()
#: An entry of :data:`_PARTS` or :data:`_COSTLESS`: a weak reference to its
#: features frame and its situation frame (or None) first.
_Entry = TypeVar("_Entry", bound=tuple[Any, ...])


def _for_frames(
    kept: _Entry | None,
    features: pl.DataFrame,
    situation: pl.DataFrame | None,
) -> TypeGuard[_Entry]:
    """Return whether an entry kept for these frames is still theirs.

    An identity can be reused once its frame is gone: the entry's weak
    reference must still point at this very features frame. The situation is
    compared by content: it is read again after every write (a plan saved, an
    override), usually the same, and valuing the portfolio again for the same
    ratings cost more than the segmentation a decision asks for.
    """
    if kept is None or kept[0]() is not features:
        return False
    return _same_situation(kept[1], situation)


def _same_situation(kept: pl.DataFrame | None, situation: pl.DataFrame | None) -> bool:
    """Return whether a kept situation is ``situation`` (by content)."""
    if situation is None or kept is None:
        return situation is None and kept is None
    return bool(kept is situation or kept.equals(situation, null_equal=True))


def _situation_key(situation: pl.DataFrame | None) -> int | None:
    """Return what a cache key holds of a situation: its number of rows.

    Its content is compared by :func:`_for_frames`.
    """
    return None if situation is None else situation.height


def _unmoved(t: Thresholds, fields: tuple[str, ...]) -> Thresholds:
    """Return ``t`` with ``fields`` at their defaults (for a cache key)."""
    return replace(t, **{f: getattr(DEFAULT_THRESHOLDS, f) for f in fields})


def _parts_key_rest(
    t: Thresholds, situation: pl.DataFrame | None, retention: Retention | None
) -> tuple[Hashable, ...]:
    """Return a :data:`_PARTS` key but its features frame's identity.

    The thresholds the features were read with (the default term) are left
    out: the analytics read them in the features' columns only.
    """
    unmoved = _unmoved(t, (*_VALUE_ONLY_THRESHOLDS, *FEATURES_ONLY_THRESHOLDS))
    return (_situation_key(situation), unmoved, retention)


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
    key = (id(features), *_parts_key_rest(t, situation, retention))
    with _PARTS_LOCK:  # the app's sessions segment in threads of one process
        kept = _PARTS.get(key)
        if _for_frames(kept, features, situation):
            _PARTS.move_to_end(key)
            return kept[2], kept[3]
    valued, scored = _valued_and_typed(features, t, situation, retention)
    with _PARTS_LOCK:
        _PARTS[key] = (
            weakref.ref(features),
            situation,
            valued,
            scored,
        )
        # Entries of frames gone are of no use: drop them first, then the oldest.
        for stale in [k for k, entry in _PARTS.items() if entry[0]() is None]:
            del _PARTS[stale]
        while len(_PARTS) > _PARTS_KEPT:
            _PARTS.popitem(last=False)
    return valued, scored


#: The last few valued frames, observed types' columns and target signals, by the
#: identity of their features frame (held weakly), their situation (by content) and
#: the thresholds but the hourly cost and the default term (read in the features'
#: columns only), so that a move of the hourly cost values the accounts again from
#: them: only the cost to serve and what rests on it change.
_COSTLESS: OrderedDict[
    Hashable, tuple[Any, Any, pl.DataFrame, pl.DataFrame, pl.DataFrame]
] = OrderedDict()
#: Fewer than :data:`_PARTS_KEPT`: a valued copy of the portfolio each, on top of
#: those; a workshop moves the cost under one set of the other assumptions at a time.
_COSTLESS_KEPT = 2


#: The frame each valued frame of a cost move was valued from (held weakly, by
#: the identity of the new one): its growth signs hold for the new one.
_RECOSTED: dict[int, tuple[Any, pl.DataFrame]] = {}


def _valued_and_typed(
    features: pl.DataFrame,
    t: Thresholds,
    situation: pl.DataFrame | None,
    retention: Retention | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the valued features, and their observed and target types' columns.

    The observed type and every target signal but the contribution's place read
    no cost (tested), so for the same features another hourly cost costs
    :func:`~.economics.with_costs` on the frame valued before, that one signal
    and the target score, not valuing and scoring every account again: on
    arrays (:func:`~.cost_arrays.cost_move`) where the frame allows. A features
    frame alike one valued before (a move of the default term, a fact changed
    for a few accounts) is valued again in what changed (:func:`_valued_alike`).
    """
    unmoved = _unmoved(
        t, (*_VALUE_ONLY_THRESHOLDS, *COST_ONLY_THRESHOLDS, *FEATURES_ONLY_THRESHOLDS)
    )
    key = (id(features), _situation_key(situation), unmoved, retention)
    costed = "contribution" not in features.columns
    source = None
    with _PARTS_LOCK:
        kept = _COSTLESS.get(key)
        if costed and _for_frames(kept, features, situation):
            _COSTLESS.move_to_end(key)
            _refs, _situation, source, observed_part, signals = kept
    if source is not None:
        made = cost_move(source, observed_part, signals, t)
        if made is not None:
            return made[0], made[1].scored
        valued = with_costs(source, t)
        with _PARTS_LOCK:
            for gone in [k for k, e in _RECOSTED.items() if e[0]() is None]:
                del _RECOSTED[gone]
            _RECOSTED[id(valued)] = (weakref.ref(valued), source)
        observed = valued.hstack(observed_part.get_columns())
        moved = signals.with_columns(value_signal(observed))
        return valued, _scored(valued, with_target(observed, moved, t))
    alike = _valued_alike(features, t, situation, retention) if costed else None
    if alike is not None:
        valued, observed_part, signals, scored = alike
        _keep_costless(key, features, situation, valued, observed_part, signals)
        return valued, scored
    # One contiguous chunk per column (frames glued from many parts otherwise pay
    # the chunking in every step); NaN or infinity stored by an older version is unknown
    features_finite = finite_or_null(features).rechunk()
    valued = (
        contribution_of_finite(features_finite, t, retention)
        if costed
        else features_finite
    )
    observed = observed_relationship(valued, t, explain=False)
    signals = target_signals(observed, situation)
    observed_part = observed.select(observed.columns[len(valued.columns) :])
    _keep_costless(key, features, situation, valued, observed_part, signals)
    return valued, _scored(valued, with_target(observed, signals, t))


def _keep_costless(
    key: Hashable,
    features: pl.DataFrame,
    situation: pl.DataFrame | None,
    valued: pl.DataFrame,
    observed_part: pl.DataFrame,
    signals: pl.DataFrame,
) -> None:
    """Keep a valuation in :data:`_COSTLESS`, for the moves of the hourly cost."""
    with _PARTS_LOCK:
        _COSTLESS[key] = (
            weakref.ref(features),
            situation,
            valued,
            observed_part,
            signals,
        )
        for stale in [k for k, entry in _COSTLESS.items() if entry[0]() is None]:
            del _COSTLESS[stale]
        while len(_COSTLESS) > _COSTLESS_KEPT:
            _COSTLESS.popitem(last=False)


def _valued_alike(
    features: pl.DataFrame,
    t: Thresholds,
    situation: pl.DataFrame | None,
    retention: Retention | None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame] | None:
    """Return the valuation of ``features`` from a frame alike valued before, if any.

    A frame kept in :data:`_PARTS` for the same thresholds and situation, with
    the same accounts and columns, of which fewer than half changed: a move of
    the default term (its revenue and retention counts), a fact changed for a
    few accounts. Only what the changed columns reach is computed again
    (:func:`~.revaluation.valued_again`). The newest such frame is tried first.
    A copy of a kept frame (nothing changed) is valued anew: the app shares its
    frames, and the tests compare a move with a copy valued the long way.
    """
    rest = _parts_key_rest(t, situation, retention)
    with _PARTS_LOCK:
        kept = [
            (entry[0](), entry[2], entry[3])
            for key, entry in reversed(_PARTS.items())
            if key[1:] == rest and _same_situation(entry[1], situation)
        ]
    for before, valued, scored in kept:
        if before is None or before is features:
            continue
        # fewer than half the columns changed, or it is no move of these features
        changed = changed_columns(before, features, (features.width - 1) // 2)
        if not changed:
            continue
        alike = valued_again(features, changed, valued, scored, t, retention)
        if alike is not None:
            return alike
    return None


def _scored(valued: pl.DataFrame, targeted: pl.DataFrame) -> pl.DataFrame:
    """Return the columns ``targeted`` adds to ``valued`` (the types' columns)."""
    return targeted.select(targeted.columns[len(valued.columns) :])


#: The last few :func:`~.value.value_inputs`, by the identity of their valued
#: frame (one of :data:`_PARTS`', held weakly) and the thresholds they read.
_INPUTS: OrderedDict[Hashable, tuple[Any, ValueInputs]] = OrderedDict()


#: The last few :func:`~.overview.row_orders` of valued frames, held weakly.
_VALUED_ORDERS: OrderedDict[int, tuple[Any, tuple[RowOrders, DrawnArrays]]] = (
    OrderedDict()
)


def _row_orders(valued: pl.DataFrame) -> tuple[RowOrders, DrawnArrays]:
    """Return the rows' orders and the chart's arrays, kept per valued frame.

    A cost move's frame takes its revenue's order and headroom from the frame
    moved from, and its contribution's order from the move.
    """
    with _PARTS_LOCK:
        kept = _VALUED_ORDERS.get(id(valued))
        if kept is not None and kept[0]() is valued:
            return kept[1]
    move = move_of(valued)
    if move is not None:
        source_orders, source_arrays = _row_orders(move.source)
        orders = RowOrders(
            by_contribution=pl.Series(
                "contribution", move.by_contribution, dtype=pl.get_index_type()
            ),
            by_revenue=source_orders.by_revenue,
        )
        both = (
            orders,
            replace(source_arrays, contribution=move.contribution),
        )
    else:
        orders = row_orders(valued)
        both = (orders, drawn_arrays(valued, orders))
    with _PARTS_LOCK:
        _VALUED_ORDERS[id(valued)] = (weakref.ref(valued), both)
        for stale in [k for k, e in _VALUED_ORDERS.items() if e[0]() is None]:
            del _VALUED_ORDERS[stale]
        while len(_VALUED_ORDERS) > _PARTS_KEPT:
            _VALUED_ORDERS.popitem(last=False)
    return both


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
    inputs = _inputs_from_source(valued, t) or value_inputs(valued, t)
    with _PARTS_LOCK:
        _INPUTS[key] = (weakref.ref(valued), inputs)
        for stale in [k for k, entry in _INPUTS.items() if entry[0]() is None]:
            del _INPUTS[stale]
        while len(_INPUTS) > _PARTS_KEPT:
            _INPUTS.popitem(last=False)
    return inputs


def _inputs_from_source(valued: pl.DataFrame, t: Thresholds) -> ValueInputs | None:
    """Return the value inputs of a cost move's frame from those of its source, if kept.

    The growth signs read no cost (tested), so the source's hold; only the
    ranking by value and contribution is done again (on the move's arrays where
    it was made on arrays).
    """
    move = move_of(valued)
    with _PARTS_LOCK:
        if move is not None:
            source = move.source
        else:
            recosted = _RECOSTED.get(id(valued))
            if recosted is None or recosted[0]() is not valued:
                return None
            source = recosted[1]
        key = (id(source), *(getattr(t, f) for f in VALUE_INPUT_THRESHOLDS))
        kept = _INPUTS.get(key)
        if kept is None or kept[0]() is not source:
            return None
        _INPUTS.move_to_end(key)  # every cost move of these features reads it
    # the growth signs are the columns growth_signals added after the source's
    growth = kept[1].signals.get_columns()[source.width :]
    signals = valued.hstack(growth)
    if move is None:
        return inputs_of_signals(signals, t)
    return _moved_inputs(signals, kept[1], move, t)


def _moved_inputs(
    signals: pl.DataFrame, before: ValueInputs, move: CostMove, t: Thresholds
) -> ValueInputs:
    """Return :func:`~.value.inputs_of_signals` of a cost move's frame, on its arrays.

    ``before``: the inputs of the frame moved from; whether an account has data,
    its headroom and its winnability read no cost (tested), so theirs hold.
    """
    ranked = before.ranked
    data = ranked.get_column("_data")
    data_rows = data.to_numpy().astype(bool)
    by_contribution = t.valuable_basis == "contribution"
    value = move.contribution if by_contribution else move.lifetime_value
    value_places = ordinal_places(
        move.by_contribution if by_contribution else descending_order(value),
        data_rows,
    )
    below_zero = data_rows & (move.contribution < 0)
    moved = pl.DataFrame(
        [
            data,
            pl.Series("_value", value),
            pl.Series("_contribution", move.contribution),
            ranked.get_column("headroom"),
            ranked.get_column("winnability"),
            pl.Series("_below_zero", below_zero),
            ordinal_ranks(value_places).alias("value_rank"),
            ordinal_ranks(ordinal_places(move.by_contribution, data_rows)).alias(
                "contribution_rank"
            ),
        ]
    )
    inputs = ValueInputs(signals, moved, before.ranked_accounts)
    remember_revalued(
        inputs,
        before,
        value=value,
        below_zero=below_zero,
        value_places=value_places,
    )
    return inputs


#: The last few :func:`~.overview.summed_arrays`, by their two frames (held weakly).
_SUMMED: OrderedDict[tuple[int, int], tuple[Any, Any, SummedArrays | None]] = (
    OrderedDict()
)


def _summed_arrays(valued: pl.DataFrame, types: pl.DataFrame) -> SummedArrays | None:
    """Return :func:`~.overview.summed_arrays`, kept for the same two frames."""
    key = (id(valued), id(types))
    with _PARTS_LOCK:
        kept = _SUMMED.get(key)
        if kept is not None and kept[0]() is valued and kept[1]() is types:
            return kept[2]
    summed = summed_arrays(valued, types)
    with _PARTS_LOCK:
        _SUMMED[key] = (weakref.ref(valued), weakref.ref(types), summed)
        for stale in [k for k, e in _SUMMED.items() if e[0]() is None]:
            del _SUMMED[stale]
        while len(_SUMMED) > _PARTS_KEPT:
            _SUMMED.popitem(last=False)
    return summed
