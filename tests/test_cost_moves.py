"""A move of the hourly cost values the accounts again from what the last move kept.

Only the cost to serve and what rests on it depend on the hourly cost
(:data:`~workbench.analytics.economics.COST_COLUMNS`): the segmentation keeps the
valued features and the observed types between cost moves and computes those
columns again (:func:`~workbench.analytics.economics.with_costs`), and the
reasons keep their expressions. Each shortcut must give what computing anew
gives, on the demo and on a small frame shaped like a real export (hours priced
by role and flat, direct costs, an account without data).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.conftest import count_calls
from workbench import store
from workbench.analytics import economics, reasons, segment
from workbench.analytics import thresholds as segment_thresholds
from workbench.analytics.economics import COST_COLUMNS, compute_contribution, with_costs
from workbench.analytics.growth import growth_signals
from workbench.analytics.observed import observed_relationship
from workbench.analytics.reasons import explain_segments
from workbench.analytics.target import target_signals, value_signal

COSTS = (0.0, 45.0, 90.0, 400.0, 1_000.0)


def _small_features() -> pl.DataFrame:
    """Four accounts: hours priced by role, flat, mixed; one with nothing at all."""
    return pl.DataFrame(
        {
            "account_id": ["R", "F", "M", "E"],
            "name": ["Rated", "Flat", "Mixed", "Empty"],
            "won_12m": [500_000.0, 200_000.0, 80_000.0, None],
            "won_prev_12m": [400_000.0, 250_000.0, None, None],
            "gross_margin_pct": [30.0, None, 25.0, None],
            "annual_revenue": [9e6, None, 2e6, None],
            "wallet_estimate": [None, 1e6, None, None],
            "direct_cost_annual": [12_000.0, None, 3_000.0, None],
            "contract_type": ["multi_year", "spot", None, None],
            "created_on": [date(2015, 1, 1)] * 4,
            "tenure_years": [11.0, 3.0, 0.5, None],
            "effort_minutes_recorded_12m": [6_000.0, 900.0, 2_400.0, 0.0],
            "activities_without_duration_12m": [4, 10, 2, 0],
            "effort_minutes_recorded_prev_12m": [5_000.0, 600.0, None, 0.0],
            "activities_without_duration_prev_12m": [2, 3, None, 0],
            "activities_12m": [60, 20, 30, 0],
            "activities_prev_12m": [50, 12, 0, 0],
            "rated_minutes_recorded_12m": [6_000.0, 0.0, 1_200.0, 0.0],
            "rated_without_duration_12m": [4, 0, 1, 0],
            "rated_recorded_cost_12m": [15_000.0, 0.0, 1_500.0, 0.0],
            "rated_without_duration_rate_sum_12m": [600.0, 0.0, 120.0, 0.0],
            "contacts": [40, 5, 8, 0],
            "departments_engaged": [6, 1, 2, 0],
            "executive_contacts_engaged": [3, 0, 1, 0],
            "joint_activities": [5, 0, 1, 0],
            "open_pipeline": [100_000.0, 0.0, 20_000.0, None],
        }
    )


def _demo_features(demo_db_file) -> pl.DataFrame:
    with store.connect(demo_db_file, read_only=True) as con:
        return store.account_features(con)


@pytest.mark.parametrize("source", ["small", "demo"])
def test_costs_computed_again_equal_valuing_anew(source, demo_db_file):
    features = _small_features() if source == "small" else _demo_features(demo_db_file)
    valued = compute_contribution(features)
    for cost in COSTS:
        t = segment.Thresholds(hourly_cost=cost)
        assert_frame_equal(with_costs(valued, t), compute_contribution(features, t))


def _garbled(valued: pl.DataFrame) -> pl.DataFrame:
    """``valued`` with nonsense in every column the hourly cost moves."""
    return valued.with_columns(
        pl.lit(-1e12).alias(c)
        for c in COST_COLUMNS
        if c not in ("cost_basis", "has_data")
    ).with_columns(cost_basis=pl.lit("garbled"))


def test_the_observed_type_reads_no_cost():
    # else keeping it across a move of the hourly cost would be wrong
    valued = compute_contribution(_small_features())
    garbled = _garbled(valued)
    added = observed_relationship(valued, segment.DEFAULT_THRESHOLDS, explain=False)
    again = observed_relationship(garbled, segment.DEFAULT_THRESHOLDS, explain=False)
    new = added.columns[valued.width :]
    assert_frame_equal(added.select(new), again.select(new))


def test_no_target_signal_but_the_contributions_place_reads_a_cost():
    valued = compute_contribution(_small_features())
    signals = target_signals(valued)
    again = target_signals(_garbled(valued))
    assert_frame_equal(signals.drop("signal_value"), again.drop("signal_value"))
    assert not signals["signal_value"].equals(again["signal_value"])
    assert value_signal(valued).equals(signals["signal_value"])


def test_the_growth_signs_read_no_cost():
    # else keeping them across a move of the hourly cost would be wrong
    valued = compute_contribution(_small_features())
    garbled = _garbled(valued)
    added = growth_signals(valued, segment.DEFAULT_THRESHOLDS)
    again = growth_signals(garbled, segment.DEFAULT_THRESHOLDS)
    new = added.columns[valued.width :]
    assert new and added.select(new).equals(again.select(new))


@pytest.mark.parametrize("source", ["small", "demo"])
def test_cost_moves_segment_as_computing_anew(source, demo_db_file):
    features = _small_features() if source == "small" else _demo_features(demo_db_file)
    for cost in (*COSTS, 90.0, 45.0):
        t = segment.Thresholds(hourly_cost=cost, valuable_top_pct=40.0)
        moved = segment.assign_segments(features, t, explain=False)
        # a copy of the frame shares nothing kept with the moves before
        anew = segment.assign_segments(features.clone(), t, explain=False)
        assert_frame_equal(moved, anew)


def test_the_cost_moves_reuse_what_they_can(monkeypatch):
    features = _small_features()
    segment.assign_segments(features, segment.Thresholds(hourly_cost=50.0))
    valued_anew: list[object] = []
    original = economics.contribution_of_finite

    def counted(*args: object, **kwargs: object) -> pl.DataFrame:
        valued_anew.append(args)
        return original(*args, **kwargs)

    from workbench.analytics import segment_parts

    monkeypatch.setattr(segment_parts, "contribution_of_finite", counted)
    growth_anew = count_calls(monkeypatch, segment_parts, "value_inputs")
    signals_anew = count_calls(monkeypatch, segment_parts, "target_signals")
    for cost in (60.0, 70.0, 80.0, 90.0, 100.0, 110.0):
        segment.assign_segments(features, segment.Thresholds(hourly_cost=cost))
    assert valued_anew == [] and growth_anew == [] and signals_anew == []
    # another threshold the valuation reads values every account anew
    segment.assign_segments(features, segment.Thresholds(default_margin_pct=10.0))
    assert len(valued_anew) == 1


@pytest.mark.parametrize("threshold", segment_thresholds.FEATURES_ONLY_THRESHOLDS)
def test_the_segmentation_reads_no_features_only_threshold(demo_db_file, threshold):
    # what is kept per thresholds for one features frame (the reasons) leaves the
    # default term out, as the store reads it when it adds the features up: the
    # segmentation of the same frame under another term must then be the same
    features = _demo_features(demo_db_file)
    base = segment.Thresholds(hourly_cost=120.0)
    expected = segment.assign_segments(features, base)
    for value in (1.0, 36.0, 240.0):
        assert_frame_equal(
            segment.assign_segments(features, base.with_changes(**{threshold: value})),
            expected,
        )


def _sentences(
    rows: pl.DataFrame, t: segment.Thresholds, language: str
) -> pl.DataFrame:
    """The reasons built from expressions made for ``t`` (none kept)."""
    build = reasons._reason_steps.__wrapped__  # the expressions, not the kept ones
    steps, built, read = build(tuple(rows.columns), t, language)
    frame = rows.select(read)
    for step in steps:
        frame = frame.with_columns(step)
    return frame.select(built)


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
@pytest.mark.parametrize(
    ("threshold", "moves"),
    [("hourly_cost", (0.0, 90.0, 777.0)), ("default_term_months", (1.0, 36.0, 240.0))],
)
def test_no_sentence_reads_the_hourly_cost_or_the_term(
    demo_db_file, language, threshold, moves
):
    # the reasons' expressions are kept across cost and term moves: the figures
    # they quote are the rows' own, never the threshold (the term is read only
    # when the features are added up: a move of it brings new rows, not new words)
    features = _demo_features(demo_db_file)
    t = segment.Thresholds(hourly_cost=120.0, default_term_months=24.0)
    rows = segment.assign_segments(features, t, explain=False).head(40)
    for value in moves:
        assert_frame_equal(
            _sentences(rows, t, language),
            _sentences(rows, t.with_changes(**{threshold: value}), language),
        )
    # and the kept ones read as those built anew
    assert_frame_equal(
        explain_segments(rows, t.with_changes(**{threshold: 5.0}), language).select(
            _sentences(rows, t, language).columns
        ),
        _sentences(rows, t, language),
    )
