"""The value segments of a top-share move, ranked on arrays prepared once.

:func:`~.value.ranked_segments` states the rule in polars expressions; each
order-based step there (a rank, a fill) is a small query, about as costly at 60
accounts as at 10,000. What no top share changes (whether an account has data
or is below zero, its rank by value, its headroom and winnability, the
accounts' order by headroom) is prepared here once per
:class:`~.value.ValueInputs` as numpy arrays, so a move is masks, a sort of the
few candidates' scores and index arithmetic. The result is the same frame,
value for value (tested against :func:`~.value.ranked_segments`).
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from workbench.analytics.orders import average_places, stable_order
from workbench.analytics.thresholds import Thresholds

if TYPE_CHECKING:
    from workbench.analytics.value import ValueInputs

#: The value segments in the order of their codes below.
_SEGMENT_NAMES = pl.Series(
    "value_segment",
    ["no_data", "below_zero", "most_valuable", "most_growable", "maintain"],
)
_NO_DATA, _BELOW_ZERO, _VALUABLE, _GROWABLE, _MAINTAIN = range(5)
#: The value segments by their code in :func:`segment_codes`.
SEGMENT_NAMES: tuple[str, ...] = tuple(_SEGMENT_NAMES.to_list())


@dataclass(frozen=True)
class _Prepared:
    """The arrays of one :class:`~.value.ValueInputs` no top share changes."""

    #: accounts with data whose 12-month contribution is known and not negative
    #: (the only ones that can be most valuable or be in the rest)
    eligible: np.ndarray
    #: codes before any top share: no data, below zero, else maintain
    base_codes: np.ndarray
    value_rank: np.ndarray  # place by value; the length plus one where unknown
    value: np.ndarray  # the value ranked by; NaN where unknown
    headroom: np.ndarray  # NaN where unknown
    winnability: np.ndarray  # unknown as 0, as the growth score reads it
    by_headroom: np.ndarray  # the rows with a headroom, lowest first (stable)


def _column(frame: pl.DataFrame, name: str) -> np.ndarray:
    """Return a numeric column as float64, NaN where it is null."""
    return frame.get_column(name).cast(pl.Float64).to_numpy().astype(np.float64)


def _prepare(inputs: ValueInputs) -> _Prepared:
    ranked = inputs.ranked
    rows = ranked.height
    data = ranked.get_column("_data").to_numpy().astype(bool)
    below = ranked.get_column("_below_zero").fill_null(False).to_numpy().astype(bool)
    contribution = _column(ranked, "_contribution")
    eligible = data & ~np.isnan(contribution) & ~below
    base = np.full(rows, _MAINTAIN, dtype=np.int8)
    base[data & below] = _BELOW_ZERO
    base[~data] = _NO_DATA
    value_rank = (
        ranked.get_column("value_rank").fill_null(rows + 1).to_numpy().astype(np.int64)
    )
    headroom = _column(ranked, "headroom")
    winnability = np.nan_to_num(_column(ranked, "winnability"), nan=0.0)
    known = np.flatnonzero(~np.isnan(headroom))
    by_headroom = known[stable_order(headroom[known])]
    return _Prepared(
        eligible=eligible,
        base_codes=base,
        value_rank=value_rank,
        value=_column(ranked, "_value"),
        headroom=headroom,
        winnability=winnability,
        by_headroom=by_headroom,
    )


#: The last few preparations, by the identity of their inputs' frame (held weakly).
_PREPARED: dict[int, tuple[Any, _Prepared]] = {}
_PREPARED_KEPT = 4
_LOCK = threading.Lock()


def _prepared(inputs: ValueInputs) -> _Prepared:
    frame = inputs.ranked
    with _LOCK:
        kept = _PREPARED.get(id(frame))
        if kept is not None and kept[0]() is frame:
            return kept[1]
    prepared = _prepare(inputs)
    _remember(frame, prepared)
    return prepared


def _remember(frame: pl.DataFrame, prepared: _Prepared) -> None:
    with _LOCK:
        for stale in [k for k, (ref, _p) in _PREPARED.items() if ref() is None]:
            del _PREPARED[stale]
        while len(_PREPARED) >= _PREPARED_KEPT:
            del _PREPARED[next(iter(_PREPARED))]
        _PREPARED[id(frame)] = (weakref.ref(frame), prepared)


def remember_revalued(
    inputs: ValueInputs,
    like: ValueInputs,
    *,
    value: np.ndarray,
    below_zero: np.ndarray,
    value_places: np.ndarray,
) -> None:
    """Prepare ``inputs``, whose data, headroom and winnability are ``like``'s.

    For a frame valued again for another hourly cost (whether an account has
    data, its headroom and its winnability read no cost), from the arrays it
    was ranked on: ``value`` (no NaN: a contribution known for every account),
    whether each account is ``below_zero`` and its place by value (0 where it
    takes none). The sort by headroom is ``like``'s, not done again.
    """
    before = _prepared(like)
    data = before.base_codes != _NO_DATA
    base = np.where(data, _MAINTAIN, _NO_DATA).astype(np.int8)
    base[data & below_zero] = _BELOW_ZERO
    prepared = replace(
        before,
        eligible=data & ~below_zero,
        base_codes=base,
        value_rank=np.where(value_places > 0, value_places, value.size + 1),
        value=value,
    )
    _remember(inputs.ranked, prepared)


def _growth_scores(p: _Prepared, candidate: np.ndarray, t: Thresholds) -> np.ndarray:
    """Return :func:`~.growth.growth_score` of the candidates, NaN elsewhere."""
    weight = t.growth_headroom_weight_pct / 100
    rows = p.by_headroom[candidate[p.by_headroom]]  # candidates, lowest headroom first
    scores = np.full(p.headroom.size, np.nan)
    if not rows.size:
        return scores
    # each candidate's place by headroom, ties at their average, as a share
    place = average_places(p.headroom[rows]) / rows.size
    scores[rows] = (weight * place + (1 - weight) * p.winnability[rows]) * 100
    return scores


#: The codes of the last few moves, by their inputs' frame and thresholds.
_CODES: dict[tuple[int, Thresholds], tuple[Any, np.ndarray, np.ndarray]] = {}


def _codes(inputs: ValueInputs, t: Thresholds) -> tuple[np.ndarray, np.ndarray]:
    """Return each row's value segment code and growth score (NaN where none)."""
    frame = inputs.ranked
    with _LOCK:
        kept = _CODES.get((id(frame), t))
        if kept is not None and kept[0]() is frame:
            return kept[1], kept[2]
    p = _prepared(inputs)
    if t.valuable_mode == "percent":
        top_n = math.ceil(t.valuable_top_pct / 100 * inputs.ranked_accounts)
        valuable = (p.value_rank <= top_n) & (p.value >= 0)
    else:
        valuable = (p.value >= t.valuable_min_contribution) & (p.value >= 0)
    valuable &= p.eligible
    rest = p.eligible & ~valuable
    grow_n = math.ceil(t.growable_top_pct / 100 * int(rest.sum()))
    candidate = rest & (p.headroom > 0)
    scores = _growth_scores(p, candidate, t)
    codes = p.base_codes.copy()
    codes[valuable] = _VALUABLE
    if grow_n > 0:
        codes[_best(np.flatnonzero(candidate), scores, grow_n)] = _GROWABLE
    # kept and handed to every caller of the same move: read-only
    codes.flags.writeable = False
    scores.flags.writeable = False
    with _LOCK:
        for stale in [k for k, entry in _CODES.items() if entry[0]() is None]:
            del _CODES[stale]
        while len(_CODES) >= _PREPARED_KEPT:
            del _CODES[next(iter(_CODES))]
        _CODES[(id(frame), t)] = (weakref.ref(frame), codes, scores)
    return codes, scores


def _best(rows: np.ndarray, scores: np.ndarray, n: int) -> np.ndarray:
    """Return the ``n`` rows of best score, ties in row order (an ordinal rank).

    Without a sort: the n-th best score is found by a partition, the rows above
    it all taken, and of those equal to it the first in row order.
    """
    if n >= rows.size:
        return rows
    of_rows = scores[rows]
    nth = -np.partition(-of_rows, n - 1)[n - 1]
    above = rows[of_rows > nth]
    level = rows[of_rows == nth]
    return np.concatenate([above, level[: n - above.size]])


def segment_codes(inputs: ValueInputs, t: Thresholds) -> np.ndarray:
    """Return each row's value segment as a code (an index into :data:`SEGMENT_NAMES`)."""
    return _codes(inputs, t)[0]


def ranked_segments_fast(inputs: ValueInputs, t: Thresholds) -> pl.DataFrame:
    """Return :func:`~.value.ranked_segments` of ``inputs``, from prepared arrays."""
    codes, scores = _codes(inputs, t)
    ranked = inputs.ranked
    return pl.DataFrame(
        [
            pl.Series("growth_score", scores, nan_to_null=True),
            _SEGMENT_NAMES.gather(codes),
            ranked.get_column("value_rank"),
            ranked.get_column("contribution_rank"),
            pl.Series(
                "ranked_accounts",
                np.full(ranked.height, inputs.ranked_accounts, dtype=np.int32),
            ),
        ]
    )
