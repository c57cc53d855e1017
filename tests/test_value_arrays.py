"""The value segments of a move ranked on prepared arrays, against the polars rule.

:func:`~workbench.analytics.value_arrays.ranked_segments_fast` is what a slider
move runs; :func:`~workbench.analytics.value.ranked_segments` states the rule.
They must give the same frame on the demo portfolio and on small frames with
ties at a cut, missing values, accounts without data or below zero, no accounts,
one account and all accounts equal, for several thresholds.
"""

from __future__ import annotations

import itertools

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from workbench import store
from workbench.analytics import segment
from workbench.analytics.reasons import explain_segments
from workbench.analytics.segment_parts import _threshold_free_part, _value_inputs
from workbench.analytics.value import ValueInputs, ranked_inputs, ranked_segments
from workbench.analytics.value_arrays import ranked_segments_fast

MOVES = [
    segment.Thresholds(
        valuable_mode=mode,
        valuable_top_pct=top,
        growable_top_pct=growable,
        growth_headroom_weight_pct=weight,
        valuable_min_contribution=floor,
    )
    for mode, top, growable, weight, floor in itertools.product(
        ["percent", "absolute"],
        [0.0, 1.0, 20.0, 50.0, 100.0],
        [0.0, 30.0, 100.0],
        [0.0, 60.0, 100.0],
        [0.0, 3.0],
    )
]


def _inputs(rows: dict[str, list]) -> ValueInputs:
    """The narrow frame :func:`~.value.value_inputs` ranks, from a few columns."""
    frame = pl.DataFrame(
        rows,
        schema={
            "_data": pl.Boolean,
            "_value": pl.Float64,
            "_contribution": pl.Float64,
            "headroom": pl.Float64,
            "winnability": pl.Float64,
        },
    )
    return ranked_inputs(frame, frame)


SMALL = {
    "ties, nulls, no data and below zero": {
        "_data": [True, True, True, True, False, True, True, True, True, True],
        "_value": [5.0, 5.0, 5.0, None, 9.0, 2.0, -1.0, 2.0, 1.0, 0.0],
        "_contribution": [4.0, 4.0, None, 1.0, 9.0, -2.0, -1.0, 2.0, 1.0, 0.0],
        "headroom": [3.0, 3.0, 3.0, 3.0, 1.0, 2.0, None, 3.0, 0.0, 3.0],
        "winnability": [0.5, None, 0.5, 0.5, 0.1, 0.2, 0.3, 0.5, 0.9, 0.5],
    },
    "no accounts": {
        "_data": [],
        "_value": [],
        "_contribution": [],
        "headroom": [],
        "winnability": [],
    },
    "one account": {
        "_data": [True],
        "_value": [3.0],
        "_contribution": [3.0],
        "headroom": [2.0],
        "winnability": [0.4],
    },
    "all equal": {
        "_data": [True] * 6,
        "_value": [1.0] * 6,
        "_contribution": [1.0] * 6,
        "headroom": [2.0] * 6,
        "winnability": [0.3] * 6,
    },
    # runs of equal headroom of every length, in no order: each run is one tie
    "many ties in the headroom": {
        "_data": [i % 11 != 0 for i in range(400)],
        "_value": [float((i * 37) % 50) - 5.0 for i in range(400)],
        "_contribution": [float((i * 53) % 60) - 8.0 for i in range(400)],
        "headroom": [None if i % 17 == 0 else float((i * 7) % 13) for i in range(400)],
        "winnability": [((i * 29) % 10) / 10 for i in range(400)],
    },
    "none with data": {
        "_data": [False] * 3,
        "_value": [1.0, None, 2.0],
        "_contribution": [1.0, 2.0, None],
        "headroom": [1.0] * 3,
        "winnability": [None] * 3,
    },
}


@pytest.mark.parametrize("name", list(SMALL))
def test_the_prepared_arrays_rank_as_the_rule_on_small_frames(name):
    inputs = _inputs(SMALL[name])
    for t in MOVES:
        assert_frame_equal(ranked_segments_fast(inputs, t), ranked_segments(inputs, t))


def test_the_prepared_arrays_rank_as_the_rule_on_the_demo(demo_db_file):
    with store.connect(demo_db_file, read_only=True) as con:
        features = store.account_features(con)
    for basis in ("lifetime_value", "contribution"):
        for t in MOVES[::3]:
            moved = segment.Thresholds(**{**t.__dict__, "valuable_basis": basis})
            valued, _scored = _threshold_free_part(features, moved, None, None)
            inputs = _value_inputs(valued, moved)
            assert_frame_equal(
                ranked_segments_fast(inputs, moved), ranked_segments(inputs, moved)
            )


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_a_shown_page_reads_as_the_whole_rows_explained(demo_db_file, language):
    # the page gathers only the columns the table shows and the reasons read
    with store.connect(demo_db_file, read_only=True) as con:
        features = store.account_features(con)
        overrides = store.relationship_overrides(con)
    for t in MOVES[::7]:
        segments = segment.assign_segments(features, t, overrides, explain=False)
        shown = segment.shown_account_table(segments, t, 20, 3, language)
        rows = segment.orders_of(segments).by_contribution.slice(3, 20)
        explained = explain_segments(segments[rows], t, language)
        assert shown.equals(explained.select(shown.columns)), t
        assert shown.columns == [
            c for c in segment.TABLE_COLUMNS if c in explained.columns
        ]
