"""A move of the hourly cost, on arrays prepared once per frame valued before.

:func:`~.economics.with_costs` states in polars what the hourly cost moves: the
people's cost, the cost to serve, the contribution and the lifetime value; on
them rest the contribution's place among the ranked accounts
(:func:`~.target.value_signal`), the target score it enters
(:func:`~.target.with_target`) and the places by value and by contribution
(:func:`~.value.ranked_inputs`). Each of those is a polars statement over the
whole portfolio, 0.5 to 1.5 ms whatever it computes. What the hourly cost does
not move is prepared here once per valued frame, so a move is a few array
operations, in the order polars does them (the same values, bit for bit:
tested), and one sort of each column ranked.

A frame this cannot value so (no role rates, an unknown margin: a frame built
by hand) gives ``None``, and the caller values it in polars.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from workbench.analytics.economics import DIRECT_COST_COLUMNS
from workbench.analytics.orders import average_places, descending_order
from workbench.analytics.target import target_types
from workbench.analytics.thresholds import Thresholds

#: The columns a move gives anew, in the order of :data:`~.economics.COST_COLUMNS`.
_MOVED = ("people_cost", "cost_to_serve", "contribution", "lifetime_value")
#: What the role-rated cost reads (see :func:`~.economics._people_cost`).
_RATED = (
    "rated_minutes_recorded_12m",
    "rated_without_duration_12m",
    "rated_recorded_cost_12m",
    "rated_without_duration_rate_sum_12m",
)


@dataclass(frozen=True)
class _Base:
    """What no hourly cost moves, of one valued frame and its target signals."""

    rated_cost: np.ndarray  # the hours priced at a role's or team's rate
    flat_hours: np.ndarray  # the hours priced at the flat hourly cost
    direct_costs: tuple[np.ndarray, ...]  # unknown as 0, in their columns' order
    margin: np.ndarray
    remaining_years: np.ndarray
    #: the accounts the contribution's place is taken among (those with data)
    ranked: np.ndarray
    #: the target signals before ``signal_value``, unknown as 0, added left to right
    signals_before: np.ndarray
    signals_after: tuple[np.ndarray, ...]  # those after it, unknown as 0
    signals_known: np.ndarray  # how many signals but the value's are known


@dataclass(frozen=True)
class CostMove:
    """What a frame valued again for another hourly cost was made of.

    ``source``: the frame valued before (its other columns are the new one's);
    ``scored``: the new frame's observed and target columns;
    ``by_contribution``: every row, highest contribution first, ties in row order.
    (The new frame itself is not held: the move is kept as long as it lives.)
    """

    source: pl.DataFrame
    scored: pl.DataFrame
    contribution: np.ndarray
    lifetime_value: np.ndarray
    by_contribution: np.ndarray


def _floats(frame: pl.DataFrame, name: str) -> np.ndarray:
    return frame.get_column(name).cast(pl.Float64).to_numpy().astype(np.float64)


def _prepare(
    source: pl.DataFrame, signals: pl.DataFrame, t: Thresholds
) -> _Base | None:
    needed = ("effort_minutes", "margin", "remaining_years", *_RATED)
    if any(c not in source.columns for c in needed) or "signal_value" not in (
        signals.columns
    ):
        return None
    each = t.minutes_per_activity_without_duration
    # the same expressions as economics._people_cost, evaluated once
    rated_minutes = pl.col("rated_minutes_recorded_12m").fill_null(0) + pl.col(
        "rated_without_duration_12m"
    ).fill_null(0) * pl.lit(each)
    parts = source.select(
        rated_cost=pl.col("rated_recorded_cost_12m").fill_null(0)
        + pl.col("rated_without_duration_rate_sum_12m").fill_null(0)
        * pl.lit(each / 60),
        flat_hours=(pl.col("effort_minutes") - rated_minutes).clip(lower_bound=0) / 60,
        ranked=pl.col("has_data").fill_null(True)
        if "has_data" in source.columns
        else pl.lit(True),
    )
    base = {c: _floats(parts, c) for c in ("rated_cost", "flat_hours")}
    margin, years = _floats(source, "margin"), _floats(source, "remaining_years")
    if any(np.isnan(a).any() for a in (*base.values(), margin, years)):
        return None  # unknown: the polars chain carries NULL through
    names = signals.columns
    at = names.index("signal_value")
    filled = [_floats(signals, n) for n in names]
    known = sum(
        (~np.isnan(a)).astype(np.int32) for i, a in enumerate(filled) if i != at
    )
    filled = [np.nan_to_num(a, nan=0.0) for a in filled]
    before = filled[0] if at else np.zeros(source.height)
    for a in filled[1:at]:
        before = before + a
    return _Base(
        rated_cost=base["rated_cost"],
        flat_hours=base["flat_hours"],
        direct_costs=tuple(
            np.nan_to_num(_floats(source, c), nan=0.0)
            for c in DIRECT_COST_COLUMNS
            if c in source.columns
        ),
        margin=margin,
        remaining_years=years,
        ranked=parts.get_column("ranked").to_numpy().astype(bool),
        signals_before=before,
        signals_after=tuple(filled[at + 1 :]),
        signals_known=np.asarray(known, dtype=np.int32),
    )


def _percentile(
    values: np.ndarray, order: np.ndarray, ranked: np.ndarray
) -> np.ndarray:
    """Return :func:`~.target._percentile` of ``values`` (no NaN), NaN where unranked.

    ``order``: :func:`descending_order` of ``values``. The average place of each
    tie, lowest first, as polars' ``rank("average")``.
    """
    rows = order[ranked[order]][::-1]  # the ranked rows, lowest first
    count = int(ranked.sum())
    share = np.full(values.size, np.nan)
    if count == 1:
        share[rows] = 1.0
    elif count > 1:
        place = average_places(values[rows])
        # polars divides by a number as it multiplies by its inverse
        share[rows] = (place - 1) * (1 / (count - 1))
    return share


#: The bases of the last few frames moved from, by their identity (held weakly).
_BASES: dict[int, tuple[Any, Any, _Base | None]] = {}
#: The moves made, by the identity of their new frame (held weakly).
_MOVES: dict[int, tuple[Any, CostMove]] = {}
_KEPT = 4
_LOCK = threading.Lock()


def _base(source: pl.DataFrame, signals: pl.DataFrame, t: Thresholds) -> _Base | None:
    with _LOCK:
        kept = _BASES.get(id(source))
        if kept is not None and kept[0]() is source and kept[1]() is signals:
            return kept[2]
    base = _prepare(source, signals, t)
    with _LOCK:
        for gone in [k for k, e in _BASES.items() if e[0]() is None]:
            del _BASES[gone]
        while len(_BASES) >= _KEPT:
            del _BASES[next(iter(_BASES))]
        _BASES[id(source)] = (weakref.ref(source), weakref.ref(signals), base)
    return base


def cost_move(
    source: pl.DataFrame,
    observed: pl.DataFrame,
    signals: pl.DataFrame,
    t: Thresholds,
) -> tuple[pl.DataFrame, CostMove] | None:
    """Return ``source`` valued again for ``t``'s hourly cost and its move, or None.

    ``source``: a frame of :func:`~.economics.compute_contribution` valued with
    the same thresholds but the hourly cost; ``observed``: its observed types'
    columns (:func:`~.observed.observed_relationship`, which reads no cost);
    ``signals``: its :func:`~.target.target_signals`. The frame returned is
    :func:`~.economics.with_costs` of ``source``; the move's ``scored``, the
    observed columns and those :func:`~.target.with_target` adds. None where
    the frame is not one this can value (see the module).
    """
    base = _base(source, signals, t)
    if base is None:
        return None
    people = base.rated_cost + base.flat_hours * t.hourly_cost
    cost = people
    for direct in base.direct_costs:
        cost = cost + direct
    contribution = base.margin - cost
    lifetime = contribution * base.remaining_years
    moved = dict(zip(_MOVED, (people, cost, contribution, lifetime), strict=True))
    valued = source.with_columns(pl.Series(n, a) for n, a in moved.items())
    order = descending_order(contribution)
    value = _percentile(contribution, order, base.ranked)
    total = base.signals_before + np.nan_to_num(value, nan=0.0)
    for after in base.signals_after:
        total = total + after
    known = base.signals_known + (~np.isnan(value)).astype(np.int32)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(known > 0, total / known * 100, np.nan)
    scored = observed.hstack(
        [
            *(
                pl.Series("signal_value", value, nan_to_null=True)
                if s.name == "signal_value"
                else s
                for s in signals.get_columns()
            ),
            pl.Series("target_signals", known, dtype=pl.Int32),
            pl.Series("target_score", score, nan_to_null=True),
            target_types(score, t),
        ]
    )
    move = CostMove(source, scored, contribution, lifetime, order)
    with _LOCK:
        for gone in [k for k, e in _MOVES.items() if e[0]() is None]:
            del _MOVES[gone]
        _MOVES[id(valued)] = (weakref.ref(valued), move)
    return valued, move


def move_of(valued: pl.DataFrame) -> CostMove | None:
    """Return the :class:`CostMove` that made ``valued``, if it was made by one."""
    with _LOCK:
        kept = _MOVES.get(id(valued))
    return kept[1] if kept is not None and kept[0]() is valued else None
