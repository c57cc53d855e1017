"""Features alike a frame valued before are valued again in what changed only, exactly.

A move of the default contract term changes the features' revenue in force, the
deals it rests on and the retention counts; a wallet estimated by hand changes
two columns of one account. The segmentation values such a frame again from the
one kept (:func:`~workbench.analytics.revaluation.valued_again`), by the steps of
the valuation, the observed score and the target that the changed columns reach.
Each test compares the result with the same frame segmented the long way,
exactly (a value one unit in the last place apart can break a tie at a cut), on
the demo read for other terms and on a small frame shaped like a real export.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.conftest import count_calls, rated_and_overridden
from workbench import store
from workbench.analytics import segment, segment_parts
from workbench.analytics.retention import Retention
from workbench.analytics.steps import changed_columns, revalued

#: The caches of the segmentation's parts: emptied, a frame is valued the long way.
_KEPT = ("_PARTS", "_COSTLESS", "_DECIDED", "_INPUTS", "_VALUED_ORDERS", "_SUMMED")


def _forget(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _KEPT:
        monkeypatch.setattr(segment_parts, name, OrderedDict())


def _small() -> pl.DataFrame:
    """Six accounts with the store's revenue, retention and role-rate columns."""
    rows = {
        "account_id": ["R", "F", "A1", "A2", "E", "N"],
        "won_12m": [500_000.0, 200_000.0, 120_000.0, 120_000.0, None, 0.0],
        "won_prev_12m": [400_000.0, 250_000.0, None, None, None, None],
        "revenue_annualised": [480_000.0, 90_000.0, 60_000.0, 60_000.0, 0.0, 0.0],
        "revenue_annualised_prev": [300_000.0, 80_000.0, 0.0, 0.0, 0.0, 0.0],
        "deals_in_force": [3, 1, 1, 1, 0, 0],
        "deals_on_default_term": [1, 1, 0, 0, 0, 0],
        "revenue_basis": ["mixed", "default_term", "contract_terms"] * 2,
        "default_term_months": [12] * 6,
        "retention_account_years": [40] * 6,
        "retention_retained": [30] * 6,
        "retention_year_pairs": [3] * 6,
        "gross_margin_pct": [30.0, None, 20.0, 20.0, None, -5.0],
        "annual_revenue": [9e6, None, 2e6, 2e6, None, None],
        "wallet_estimate": [None, 1e6, None, None, None, None],
        "wallet_estimate_source": [None, "edited", None, None, None, None],
        "direct_cost_annual": [12_000.0, None, None, None, None, None],
        "contract_type": ["multi_year", "spot", None, None, None, None],
        "contract_term_months": [36, None, 12, 12, None, None],
        "contract_years_left": [2.5, None, 0.5, 0.5, None, None],
        "created_on": [date(2015, 1, 1)] * 6,
        "tenure_years": [11.0, 3.0, 0.5, 0.5, None, 1.0],
        "effort_minutes_recorded_12m": [6_000.0, 900.0, 1_200.0, 1_200.0, 0.0, 0],
        "activities_without_duration_12m": [4, 10, 2, 2, 0, 0],
        "effort_minutes_recorded_prev_12m": [5_000.0, 600.0, None, None, 0, 0],
        "activities_without_duration_prev_12m": [2, 3, None, None, 0, 0],
        "activities_12m": [60, 20, 30, 30, 0, 0],
        "activities_prev_12m": [50, 12, 0, 0, 0, 0],
        "rated_minutes_recorded_12m": [6_000.0, 0.0, 600.0, 600.0, 0, 0],
        "rated_without_duration_12m": [4, 0, 1, 1, 0, 0],
        "rated_recorded_cost_12m": [15_000.0, 0.0, 900.0, 900.0, 0, 0],
        "rated_without_duration_rate_sum_12m": [600.0, 0.0, 120.0, 120.0, 0, 0],
        "contacts": [40, 5, 8, 8, 0, 1],
        "departments_engaged": [6, 1, 2, 2, 0, 0],
        "executive_contacts_engaged": [3, 0, 1, 1, 0, 0],
        "joint_activities": [5, 0, 1, 1, 0, 0],
        "open_pipeline": [100_000.0, 0.0, 20_000.0, 20_000.0, None, None],
    }
    return pl.DataFrame(rows, strict=False).with_columns(
        pl.col(pl.Int32).cast(pl.Int64)
    )


def _small_term_move(features: pl.DataFrame) -> pl.DataFrame:
    """The same features for a longer default term, as the store puts them in place.

    The revenue on the default term is spread thinner, one account's deal falls
    out of force (no revenue left: no data), and the retention counts move.
    """
    return features.with_columns(
        revenue_annualised=pl.Series([460_000.0, 60_000.0, 60_000.0, 60_000.0, 0, 0]),
        revenue_annualised_prev=pl.Series([250_000.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        deals_in_force=pl.Series([3, 0, 1, 1, 0, 0], dtype=pl.Int64),
        revenue_basis=pl.Series(["mixed", "none", "contract_terms"] * 2),
        default_term_months=pl.lit(24, dtype=pl.Int64),
        retention_retained=pl.lit(36, dtype=pl.Int64),
    )


def _demo_for_terms(demo_db_file) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The demo's features for the default term and for 30 months, as the app reads them."""
    with store.connect(demo_db_file, read_only=True) as con:
        as_of = store.resolve_as_of(con)
        base = store.account_features(con, as_of, 12)
        moved = store.with_term_revenue(
            base, store.account_term_revenue(con, as_of, 30)
        )
    return base, moved


@pytest.fixture(params=["small", "demo"])
def term_move(request, demo_db_file) -> tuple[pl.DataFrame, pl.DataFrame]:
    if request.param == "demo":
        return _demo_for_terms(demo_db_file)
    small = _small()
    return small, _small_term_move(small)


@pytest.mark.parametrize("rated", [False, True])
@pytest.mark.parametrize(
    "t",
    [
        segment.Thresholds(),
        segment.Thresholds(hourly_cost=140.0, valuable_basis="contribution"),
    ],
)
def test_a_term_move_segments_as_computing_anew_exactly(
    term_move, rated, t, monkeypatch
):
    base, moved = term_move
    situation, overrides = rated_and_overridden(base) if rated else (None, None)
    moved_t = segment.Thresholds(**{**t.__dict__, "default_term_months": 30.0})

    def segmented(frame: pl.DataFrame) -> pl.DataFrame:
        return segment.assign_segments(
            frame, moved_t, overrides, situation, explain=False
        )

    _forget(monkeypatch)
    anew = segmented(moved)
    valued_anew, scored_anew = segment_parts._threshold_free_part(
        moved, moved_t, situation, None
    )
    _forget(monkeypatch)
    segment.assign_segments(base, t, overrides, situation, explain=False)
    valued_long_way = count_calls(monkeypatch, segment_parts, "contribution_of_finite")
    again = segmented(moved)
    assert valued_long_way == []  # valued again from the base's valuation
    assert_frame_equal(again, anew, check_exact=True)
    valued, scored = segment_parts._threshold_free_part(moved, moved_t, situation, None)
    assert_frame_equal(valued, valued_anew, check_exact=True)
    assert_frame_equal(scored, scored_anew, check_exact=True)
    assert_frame_equal(
        segment.shown_account_table(again, moved_t, 5),
        segment.shown_account_table(anew, moved_t, 5),
        check_exact=True,
    )


def test_the_term_move_changed_what_it_values_again(term_move):
    # the fixture is a real move: revenue, retention and so the remaining years
    base, moved = term_move
    changed = changed_columns(base, moved)
    assert changed is not None
    assert {"revenue_annualised", "default_term_months"} <= set(changed)
    assert not {"won_12m", "contacts", "wallet_estimate"} & set(changed)


def test_a_term_move_after_a_cost_move_and_a_cost_move_after_it_are_exact(
    monkeypatch,
):
    base = _small()
    moved = _small_term_move(base)
    cheap = segment.Thresholds(hourly_cost=20.0)
    dear = segment.Thresholds(hourly_cost=300.0)
    anew = {}
    for t in (cheap, dear):
        _forget(monkeypatch)
        anew[t] = segment.assign_segments(moved, t, explain=False)
    _forget(monkeypatch)
    segment.assign_segments(base, explain=False)
    segment.assign_segments(base, cheap, explain=False)  # the hourly cost moves
    valued_long_way = count_calls(monkeypatch, segment_parts, "contribution_of_finite")
    costed_in_polars = count_calls(monkeypatch, segment_parts, "with_costs")
    # the term moves: valued again from the base's valuation at that cost
    again = segment.assign_segments(moved, cheap, explain=False)
    assert_frame_equal(again, anew[cheap], check_exact=True)
    # the hourly cost moves on the moved frame: on arrays, from its valuation
    dearer = segment.assign_segments(moved, dear, explain=False)
    assert_frame_equal(dearer, anew[dear], check_exact=True)
    assert (valued_long_way, costed_in_polars) == ([], [])


def test_a_wallet_estimated_by_hand_values_one_account_again(monkeypatch):
    base = _small()
    estimated = base.with_columns(
        wallet_estimate=pl.when(pl.col("account_id") == "A1")
        .then(pl.lit(5e6))
        .otherwise(pl.col("wallet_estimate")),
        wallet_estimate_source=pl.when(pl.col("account_id") == "A1")
        .then(pl.lit("edited"))
        .otherwise(pl.col("wallet_estimate_source")),
    )
    _forget(monkeypatch)
    anew = segment.assign_segments(estimated, explain=False)
    _forget(monkeypatch)
    segment.assign_segments(base, explain=False)
    valued_long_way = count_calls(monkeypatch, segment_parts, "contribution_of_finite")
    again = segment.assign_segments(estimated, explain=False)
    assert valued_long_way == []
    assert_frame_equal(again, anew, check_exact=True)
    row = again.filter(pl.col("account_id") == "A1").row(0, named=True)
    assert row["potential_source"] == "edited_estimate"


def test_a_given_retention_holds_through_the_move(monkeypatch):
    base = _small()
    moved = _small_term_move(base)
    given = Retention(0.8, 100, 80, 4, 3.5, "measured")
    _forget(monkeypatch)
    anew = segment.assign_segments(moved, retention=given, explain=False)
    _forget(monkeypatch)
    segment.assign_segments(base, retention=given, explain=False)
    again = segment.assign_segments(moved, retention=given, explain=False)
    assert_frame_equal(again, anew, check_exact=True)
    assert set(again.get_column("remaining_years").to_list()) <= {3.5, 2.5}


def test_frames_not_alike_are_valued_anew(monkeypatch):
    base = _small()
    _forget(monkeypatch)
    segment.assign_segments(base, explain=False)
    valued_long_way = count_calls(monkeypatch, segment_parts, "contribution_of_finite")
    # other accounts, another order, another column, a copy, most columns changed
    others = [
        base.with_columns(pl.col("account_id") + "x"),
        base.reverse(),
        base.drop("open_pipeline"),
        base.clone(),
        base.with_columns(pl.col(pl.Float64) + 1, pl.col(pl.Int64) + 1),
    ]
    for frame in others:
        segment.assign_segments(frame, explain=False)
    assert len(valued_long_way) == len(others)


def test_changed_columns_compare_values_nulls_equal():
    before = pl.DataFrame({"account_id": ["a", "b"], "x": [1.0, None], "y": [1, 2]})
    assert changed_columns(before, before.clone()) == []
    assert changed_columns(
        before, before.with_columns(y=pl.lit(3, dtype=pl.Int64))
    ) == ["y"]
    assert changed_columns(
        before, before.with_columns(x=pl.lit(None, dtype=pl.Float64))
    ) == ["x"]
    assert changed_columns(before, before.reverse()) is None
    both = before.with_columns(x=pl.lit(2.0), y=pl.lit(5, dtype=pl.Int64))
    assert changed_columns(before, both) == ["x", "y"]
    assert changed_columns(before, both, at_most=2) == ["x", "y"]
    assert changed_columns(before, both, at_most=1) is None
    assert changed_columns(before, before.head(1)) is None
    assert (
        changed_columns(before, before.with_columns(pl.col("y").cast(pl.Float64)))
        is None
    )


def test_revalued_computes_what_a_change_reaches_and_the_helpers_dropped():
    steps = [
        {"double": pl.col("x") * 2, "_helper": pl.col("y") + 1},
        {"total": pl.col("double") + pl.col("_helper"), "y_only": pl.col("y") * 3},
        {"final": pl.col("total") - 1},
    ]
    frame = pl.DataFrame({"x": [1, 2], "y": [10, 20]})
    valued = frame
    for step in steps:
        valued = valued.with_columns(**step)
    source = valued.drop("_helper")
    changed = pl.DataFrame({"x": [5, 6]})
    again = revalued(source, changed, steps)
    assert again is not None
    # y_only reads no changed column: kept; the helper is computed for total
    assert again.columns == ["x", "double", "_helper", "total", "final"]
    assert again.get_column("final").to_list() == [20, 32]
    # a step reading a column neither frame holds: cannot be valued again
    assert revalued(source.drop("y"), changed, steps) is None
