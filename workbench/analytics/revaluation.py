"""A portfolio valued again from a frame alike valued before, in what changed only.

A move of the default contract term changes the account features' revenue in
force, the deals it rests on and the retention counts, nothing else; a wallet
estimated by hand changes two columns of one account. The segmentation's
threshold-free part (:mod:`.segment_parts`) keeps the frames it valued; for a
features frame that differs from one of them in a few columns, the valuation,
the observed score and the target are computed again by their own steps
(:mod:`.steps`) only where those columns reach: the same columns, bit for bit,
as valuing the frame anew (tested).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import replace
from typing import TYPE_CHECKING

from workbench.analytics.economics import (
    LASTING_COLUMNS,
    lasting_columns,
    valuation_steps,
)
from workbench.analytics.finite import finite_or_null
from workbench.analytics.observed import observed_steps
from workbench.analytics.retention import Retention, retention_from_features
from workbench.analytics.steps import Step, revalued
from workbench.analytics.target import RATED_COLUMNS, signal_step, target_steps
from workbench.analytics.thresholds import DEFAULT_THRESHOLDS, FEATURES_ONLY_THRESHOLDS

if TYPE_CHECKING:
    from collections.abc import Sequence

    import polars as pl

    from workbench.analytics.thresholds import Thresholds


#: The last few :func:`scoring_steps`, by their columns and thresholds: a move of
#: the default term values frames of the same columns with the same steps.
_STEPS: OrderedDict[Hashable, tuple[list[Step], list[str], list[str]]] = OrderedDict()
_STEPS_KEPT = 4
_STEPS_LOCK = threading.Lock()


def scoring_steps(
    columns: Sequence[str], t: Thresholds
) -> tuple[list[Step], list[str], list[str]]:
    """Return the steps from features of ``columns`` to their observed and target types.

    The steps of the valuation, the observed score and the target, in the order
    the segmentation runs them (:func:`~.segment_parts._valued_and_typed`), and
    the names of the observed score's columns and of the target's signals. The
    features hold the :data:`~.economics.LASTING_COLUMNS`. Kept: the
    expressions cost more to build than to run on a few columns.
    """
    key = (tuple(columns), t)
    with _STEPS_LOCK:
        kept = _STEPS.get(key)
        if kept is not None:
            _STEPS.move_to_end(key)
            return kept
    valuation = valuation_steps(columns, t)
    valued = list(dict.fromkeys([*columns, *(n for s in valuation for n in s)]))
    observed = observed_steps(valued, t)
    observed_names = [n for s in observed for n in s if n != "_known_weight"]
    signals = signal_step([*valued, *observed_names, *RATED_COLUMNS])
    target = target_steps(list(signals), t)
    made = ([*valuation, *observed, signals, *target], observed_names, list(signals))
    with _STEPS_LOCK:
        _STEPS[key] = made
        while len(_STEPS) > _STEPS_KEPT:
            _STEPS.popitem(last=False)
    return made


def valued_again(
    features: pl.DataFrame,
    changed: Sequence[str],
    valued: pl.DataFrame,
    scored: pl.DataFrame,
    t: Thresholds,
    retention: Retention | None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame] | None:
    """Return the valuation of ``features`` from that of a frame alike.

    Args:
        features: the account features to value.
        changed: the columns in which they differ from the features ``valued``
            was valued from (:func:`~.steps.changed_columns`).
        valued: those features valued (with ``t``'s costs).
        scored: their observed and target columns.
        t: the thresholds both are valued with.
        retention: the retention given to the segmentation (None: each frame's
            own counts, which a move of the term changes).

    Returns:
        The valued features, the observed score's columns, the target's signals
        and the observed and target columns (as ``valued`` and ``scored``), or
        None where the steps cannot be run on what the frames hold.
    """
    lasting = retention or retention_from_features(features, t)
    # the retention's figures count as changed: the remaining years are computed
    # again, which is cheap, rather than the retention of both frames compared
    fresh = (
        finite_or_null(features.select(changed))
        .with_columns(lasting_columns(lasting))
        .rechunk()
    )
    steps, observed_names, signal_names = scoring_steps(
        [*features.columns, *LASTING_COLUMNS], _unread(t)
    )
    moved = revalued(valued.hstack(scored.get_columns()), fresh, steps)
    if moved is None:
        return None
    in_valued, in_scored = set(valued.columns), set(scored.columns)
    valued_now = valued.with_columns(
        column for column in moved.get_columns() if column.name in in_valued
    )
    scored_now = scored.with_columns(
        column for column in moved.get_columns() if column.name in in_scored
    )
    return (
        valued_now,
        scored_now.select(observed_names),
        scored_now.select(signal_names),
        scored_now,
    )


def _unread(t: Thresholds) -> Thresholds:
    """Return ``t`` with the thresholds no step reads at their defaults (a key)."""
    return replace(
        t, **{f: getattr(DEFAULT_THRESHOLDS, f) for f in FEATURES_ONLY_THRESHOLDS}
    )
