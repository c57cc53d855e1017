"""A move of the hourly cost on arrays gives what the polars chain gives, bit for bit.

:func:`~workbench.analytics.cost_arrays.cost_move` is what a move of the hourly
cost runs; :func:`~workbench.analytics.economics.with_costs`,
:func:`~workbench.analytics.target.with_target` and
:func:`~workbench.analytics.value.ranked_inputs` state the rule. Compared
exactly (a value one unit in the last place apart can break a tie at a cut), on
the demo and on a small frame shaped like a real export: hours priced by role
and flat, direct costs, two accounts alike, an account without data, one with
no revenue and a negative margin (a contribution of minus zero).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.conftest import count_calls, rated_and_overridden
from workbench import store
from workbench.analytics import overview, segment, segment_parts
from workbench.analytics.cost_arrays import cost_move
from workbench.analytics.economics import compute_contribution, with_costs
from workbench.analytics.observed import observed_relationship
from workbench.analytics.target import target_signals, value_signal, with_target

COSTS = (0.0, 45.0, 77.5, 400.0)


def _features() -> pl.DataFrame:
    """Seven accounts shaped like a CRM export's, two of them alike."""
    alike = {
        "won_12m": 120_000.0,
        "gross_margin_pct": 20.0,
        "direct_cost_annual": None,
        "effort_minutes_recorded_12m": 1_200.0,
        "rated_minutes_recorded_12m": 600.0,
        "rated_recorded_cost_12m": 900.0,
    }
    rows = {
        "account_id": ["R", "F", "A1", "A2", "E", "N", "D"],
        "won_12m": [500_000.0, 200_000.0, 120_000.0, 120_000.0, None, 0.0, None],
        "won_prev_12m": [400_000.0, 250_000.0, None, None, None, None, None],
        "gross_margin_pct": [30.0, None, 20.0, 20.0, None, -5.0, None],
        "annual_revenue": [9e6, None, 2e6, 2e6, None, None, None],
        "wallet_estimate": [None, 1e6, None, None, None, None, None],
        "direct_cost_annual": [12_000.0, None, None, None, None, None, 4_000.0],
        "contract_type": ["multi_year", "spot", None, None, None, None, None],
        "created_on": [date(2015, 1, 1)] * 7,
        "tenure_years": [11.0, 3.0, 0.5, 0.5, None, 1.0, 2.0],
        "effort_minutes_recorded_12m": [6_000.0, 900.0, 1_200.0, 1_200.0, 0.0, 0, 0],
        "activities_without_duration_12m": [4, 10, 2, 2, 0, 0, 0],
        "effort_minutes_recorded_prev_12m": [5_000.0, 600.0, None, None, 0, 0, 0],
        "activities_without_duration_prev_12m": [2, 3, None, None, 0, 0, 0],
        "activities_12m": [60, 20, 30, 30, 0, 0, 0],
        "activities_prev_12m": [50, 12, 0, 0, 0, 0, 0],
        "rated_minutes_recorded_12m": [6_000.0, 0.0, 600.0, 600.0, 0, 0, 0],
        "rated_without_duration_12m": [4, 0, 1, 1, 0, 0, 0],
        "rated_recorded_cost_12m": [15_000.0, 0.0, 900.0, 900.0, 0, 0, 0],
        "rated_without_duration_rate_sum_12m": [600.0, 0.0, 120.0, 120.0, 0, 0, 0],
        "contacts": [40, 5, 8, 8, 0, 1, 0],
        "departments_engaged": [6, 1, 2, 2, 0, 0, 0],
        "executive_contacts_engaged": [3, 0, 1, 1, 0, 0, 0],
        "joint_activities": [5, 0, 1, 1, 0, 0, 0],
        "open_pipeline": [100_000.0, 0.0, 20_000.0, 20_000.0, None, None, None],
    }
    frame = pl.DataFrame(rows, strict=False)
    assert frame.row(2, named=True) | alike == frame.row(2, named=True)
    return frame.with_columns(pl.col(pl.Int32).cast(pl.Int64))


def _demo(demo_db_file) -> pl.DataFrame:
    with store.connect(demo_db_file, read_only=True) as con:
        return store.account_features(con)


@pytest.fixture(params=["small", "demo", "empty"])
def features(request, demo_db_file) -> pl.DataFrame:
    if request.param == "demo":
        return _demo(demo_db_file)
    small = _features()
    return small.clear() if request.param == "empty" else small


def test_a_cost_move_values_and_types_as_the_polars_chain(features):
    source = compute_contribution(features)
    observed = observed_relationship(source, segment.DEFAULT_THRESHOLDS, explain=False)
    observed_part = observed.select(observed.columns[source.width :])
    signals = target_signals(observed)
    for cost in COSTS:
        t = segment.Thresholds(hourly_cost=cost)
        made = cost_move(source, observed_part, signals, t)
        assert made is not None
        valued, move = made
        assert_frame_equal(valued, with_costs(source, t), check_exact=True)
        # what the polars chain adds: the contribution's place, the target
        again = valued.hstack(observed_part.get_columns())
        targeted = with_target(again, signals.with_columns(value_signal(again)), t)
        assert_frame_equal(
            move.scored,
            targeted.select(targeted.columns[valued.width :]),
            check_exact=True,
        )


@pytest.mark.parametrize("basis", ["lifetime_value", "contribution"])
@pytest.mark.parametrize("rated", [False, True])
def test_cost_moves_segment_as_computing_anew_exactly(
    features, basis, rated, monkeypatch
):
    situation, overrides = (
        rated_and_overridden(features) if rated and features.height else (None, None)
    )

    def segmented(frame: pl.DataFrame, t: segment.Thresholds) -> pl.DataFrame:
        return segment.assign_segments(frame, t, overrides, situation, explain=False)

    t = segment.Thresholds(valuable_basis=basis, valuable_top_pct=40.0)
    segmented(features, t)
    valued_in_polars = count_calls(monkeypatch, segment_parts, "with_costs")
    for cost in (*COSTS, 45.0):
        moved_t = segment.Thresholds(
            hourly_cost=cost, valuable_basis=basis, valuable_top_pct=40.0
        )
        moved = segmented(features, moved_t)
        # a copy of the frame shares nothing kept with the moves before
        anew = segmented(features.clone(), moved_t)
        assert_frame_equal(moved, anew, check_exact=True)
        # the table and the chart read the rows' orders kept with the frame
        assert overview.orders_of(moved).by_contribution.equals(
            overview.row_orders(moved).by_contribution
        )
        assert_frame_equal(
            segment.shown_account_table(moved, moved_t, 5),
            segment.shown_account_table(anew, moved_t, 5),
            check_exact=True,
        )
    assert valued_in_polars == []


def test_the_move_keeps_the_chart_arrays_of_the_new_contribution():
    features = _features()
    segment.assign_segments(features, explain=False)
    t = segment.Thresholds(hourly_cost=300.0)
    valued, _scored = segment_parts._threshold_free_part(features, t, None, None)
    orders, arrays = segment_parts._row_orders(valued)
    expected = overview.row_orders(valued)
    assert orders.by_contribution.equals(expected.by_contribution)
    assert orders.by_revenue.equals(expected.by_revenue)
    drawn = overview.drawn_arrays(valued, expected)
    np.testing.assert_array_equal(arrays.contribution, drawn.contribution)
    np.testing.assert_array_equal(arrays.headroom, drawn.headroom)


def test_a_frame_without_role_rates_is_valued_in_polars():
    features = _features().drop("rated_recorded_cost_12m")
    source = compute_contribution(features)
    observed = observed_relationship(source, segment.DEFAULT_THRESHOLDS, explain=False)
    signals = target_signals(observed)
    part = observed.select(observed.columns[source.width :])
    assert cost_move(source, part, signals, segment.DEFAULT_THRESHOLDS) is None
    segment.assign_segments(features, explain=False)
    t = segment.Thresholds(hourly_cost=10.0)
    assert_frame_equal(
        segment.assign_segments(features, t, explain=False),
        segment.assign_segments(features.clone(), t, explain=False),
        check_exact=True,
    )
