"""Segmentation on a hand-computed portfolio: rules, reasons, tables, thresholds."""

from __future__ import annotations

import polars as pl
import pytest

from tests.segment_support import PORTFOLIO, _segmented_with_an_override, by_id
from tests.segment_support import features_frame as features_frame
from workbench import store
from workbench.analytics import segment
from workbench.analytics.economics import wallets_below_revenue
from workbench.errors import RejectedInputError


def test_contribution_is_hand_computed():
    valued = segment.compute_contribution(PORTFOLIO)
    assert by_id(valued, "effort_hours") == pytest.approx(
        {"A": 100, "B": 50, "C": 21, "D": 20, "E": 10}
    )
    assert by_id(valued, "contribution") == pytest.approx(
        {"A": 290_000, "B": 45_500, "C": 18_110, "D": -800, "E": 11_600}
    )
    assert by_id(valued, "potential") == pytest.approx(
        {"A": 2.5e6, "B": 2e6, "C": 3e5, "D": 5e4, "E": 6e4}
    )
    assert by_id(valued, "headroom") == pytest.approx(
        {"A": 1.5e6, "B": 1.8e6, "C": 2e5, "D": 4e4, "E": 1e4}
    )
    assert by_id(valued, "margin_pct_source")["B"] == "default"
    assert by_id(valued, "potential_source")["C"] == "default_share"
    assert by_id(valued, "growth_pct")["A"] == pytest.approx(25.0)
    assert by_id(valued, "share_of_wallet_pct")["A"] == pytest.approx(40.0)


def test_a_wallet_below_what_the_account_buys_gives_no_share_of_wallet():
    # The Maven CRM data gives each customer's revenue in millions: 1% of it is a
    # wallet of a few dollars against deals of 155,000 a year. A share of
    # 3,600,000 % is no share: unknown, and left out of the observed score.
    first = PORTFOLIO.row(0, named=True)  # a revenue of 1,000,000 a year
    rows = [
        {**first, "account_id": "M", "annual_revenue": 1420.0, "wallet_estimate": None},
        {**first, "account_id": "S", "wallet_estimate": 5e5},
        {**first, "account_id": "F", "wallet_estimate": 1e6},
    ]
    frame = pl.DataFrame(rows, schema=PORTFOLIO.schema)
    valued = segment.compute_contribution(frame)
    shares = by_id(valued, "share_of_wallet_pct")
    assert shares["M"] is None and shares["S"] is None
    assert shares["F"] == pytest.approx(100.0)  # all of it: still a share
    below = wallets_below_revenue(valued)
    assert below["account_id"].to_list() == ["M", "S"]  # the widest gap first
    segments = segment.assign_segments(frame)
    reasons = by_id(segments, "relationship_reason")
    assert "share of wallet (unknown, left out)" in reasons["M"]
    assert "share of wallet 100 % (+15)" in reasons["F"]


def test_default_segments_and_precedence():
    segments = segment.assign_segments(PORTFOLIO)
    assert by_id(segments, "value_segment") == {
        "A": "most_valuable",
        "B": "most_growable",
        "C": "maintain",
        "D": "below_zero",
        "E": "maintain",
    }
    assert set(segments["value_segment"]) <= set(segment.VALUE_SEGMENTS)
    assert "< 0" in by_id(segments, "value_reason")["D"]


def test_most_valuable_with_headroom_stays_most_valuable():
    # A has a headroom of 1.5 million, but value comes first.
    thresholds = segment.Thresholds(growable_top_pct=100)
    segments = segment.assign_segments(PORTFOLIO, thresholds)
    assert by_id(segments, "value_segment")["A"] == "most_valuable"
    assert by_id(segments, "value_segment")["C"] == "most_growable"


def test_absolute_mode_and_cuts():
    # the floor applies to the 12-month contribution here (the option); by default
    # it applies to lifetime value, which would make C (54,330 over 3 years) valuable
    thresholds = segment.Thresholds(
        valuable_mode="absolute",
        valuable_min_contribution=40_000,
        valuable_basis="contribution",
    )
    segments = segment.assign_segments(PORTFOLIO, thresholds)
    assert by_id(segments, "value_segment") == {
        "A": "most_valuable",
        "B": "most_valuable",
        # C and E are left; 25 % of 2 rounds up to 1: C has the larger headroom
        # and the same signs (a first year of revenue each).
        "C": "most_growable",
        "D": "below_zero",
        "E": "maintain",
    }
    cuts = segment.segment_cuts(segments, thresholds)
    assert cuts.contribution_cut == 40_000
    assert cuts.headroom_cut == pytest.approx(200_000)


def test_hourly_cost_moves_accounts_below_zero():
    # At 1,200 per hour E costs 12,000 against 12,500 margin; at 1,300 it loses money.
    segments = segment.assign_segments(PORTFOLIO, segment.Thresholds(hourly_cost=1_300))
    assert by_id(segments, "value_segment")["E"] == "below_zero"


def test_relationship_score_points_and_reason():
    segments = segment.assign_segments(PORTFOLIO)
    row = segments.filter(pl.col("account_id") == "A").row(0, named=True)
    # tenure 12 y → 15; 40 % of wallet → 40/50 × 15 = 12; 5 departments → 7.5;
    # 8 executives → 15; multi-year → 20; 12 joint activities → 12/24 × 20 = 10.
    assert row["points_tenure"] == pytest.approx(15)
    assert row["points_share_of_wallet"] == pytest.approx(12)
    assert row["points_breadth"] == pytest.approx(7.5)
    assert row["points_executive"] == pytest.approx(15)
    assert row["points_contract"] == pytest.approx(20)
    assert row["points_joint"] == pytest.approx(10)
    assert row["relationship_score"] == pytest.approx(79.5)
    assert row["observed_signals"] == 6
    assert row["relationship_observed"] == "partnership"
    # the type plans follow is the target one, from the buying situation
    assert row["relationship"] == "partnership"
    assert row["relationship_source"] == "target"
    assert "≥ 60" in row["relationship_reason"]
    assert "multi_year" in row["relationship_reason"]
    assert by_id(segments, "relationship")["D"] == "transactional"
    assert by_id(segments, "relationship_observed")["D"] == "transactional"
    stricter = segment.assign_segments(
        PORTFOLIO, segment.Thresholds(relationship_threshold=80)
    )
    assert by_id(stricter, "relationship_observed")["A"] == "transactional"
    # B: value and wallet second of five (75 each), framework contract (50) → 67
    assert by_id(segments, "target_score")["B"] == pytest.approx(200 / 3)
    assert by_id(segments, "relationship")["B"] == "partnership"
    stricter_target = segment.assign_segments(
        PORTFOLIO, segment.Thresholds(target_threshold=70)
    )
    assert by_id(stricter_target, "relationship")["B"] == "transactional"
    assert by_id(stricter_target, "relationship")["A"] == "partnership"


def test_override_wins_and_explains_itself():
    overrides = pl.DataFrame(
        {
            "account_id": ["E"],
            "relationship": ["partnership"],
            "reason": ["co-developing a new line with them"],
            "set_by": ["kam"],
        }
    )
    segments = segment.assign_segments(PORTFOLIO, overrides=overrides)
    row = segments.filter(pl.col("account_id") == "E").row(0, named=True)
    assert row["relationship"] == "partnership"
    assert row["relationship_scored"] == "transactional"
    assert row["relationship_source"] == "override"
    assert "co-developing" in row["relationship_reason"]
    assert row["override_reason"] == "co-developing a new line with them"


def test_reasons_built_for_shown_rows_read_as_for_the_whole_portfolio():
    # Only A records joint activities, so the joint signal is known for every
    # account; explaining D and E alone must still say so, not "left out".
    overrides = pl.DataFrame(
        {
            "account_id": ["E"],
            "relationship": ["partnership"],
            "reason": ["co-developing"],
            "set_by": [None],
        }
    )
    situation = pl.DataFrame(
        {"account_id": ["B"], "purchase_importance": [5], "switching_costs": [2]},
        schema_overrides={"purchase_importance": pl.Int64, "switching_costs": pl.Int64},
    ).with_columns(
        purchase_complexity=pl.lit(None, dtype=pl.Int64),
        supply_alternatives=pl.lit(4, dtype=pl.Int64),
        strategic_fit=pl.lit(None, dtype=pl.Int64),
    )
    thresholds = segment.Thresholds(valuable_top_pct=40.0, relationship_threshold=30.0)
    whole = segment.assign_segments(PORTFOLIO, thresholds, overrides, situation)
    bare = segment.assign_segments(
        PORTFOLIO, thresholds, overrides, situation, explain=False
    )
    assert not set(segment.EXPLANATIONS) & set(bare.columns)
    shown = ["E", "D", "B"]
    explained = segment.explain_segments(
        bare.filter(pl.col("account_id").is_in(shown)), thresholds
    )
    expected = whole.filter(pl.col("account_id").is_in(shown))
    assert explained.columns == whole.columns
    assert explained.to_dicts() == expected.to_dicts()
    assert "0 joint activities (+0)" in by_id(explained, "relationship_reason")["E"]
    assert (
        "set by hand to partnership (unknown: co-developing)"
        in (by_id(explained, "relationship_reason")["E"])
    )
    assert by_id(explained, "why")["B"].startswith("most valuable")
    top_two = segment.shown_account_table(bare, thresholds, 2)
    assert top_two.to_dicts() == segment.account_table(whole).head(2).to_dicts()


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_only_the_sentences_asked_for_are_built_and_read_the_same(language):
    # The key columns' table asks for the one-line why alone: it is the same
    # text as when every sentence is built, and the others are left out.
    bare = _segmented_with_an_override()
    every = segment.explain_segments(bare, language=language)
    only_why = segment.explain_segments(bare, language=language, only=["why"])
    assert "why" in only_why.columns
    left_out = {"relationship_reason", "target_reason", "value_reason", "growth_reason"}
    assert not left_out & set(only_why.columns)
    assert only_why["why"].to_list() == every["why"].to_list()
    assert only_why.drop("why").equals(every.drop([*left_out, "why"]))
    key = segment.shown_account_table(
        bare,
        language=language,
        columns=segment.KEY_TABLE_COLUMNS,
        thresholds=segment.DEFAULT_THRESHOLDS,
    )
    whole = segment.shown_account_table(
        bare, segment.DEFAULT_THRESHOLDS, language=language
    )
    assert key.columns == [c for c in segment.KEY_TABLE_COLUMNS if c in whole.columns]
    assert key.equals(whole.select(key.columns))


def test_shown_rows_of_the_demo_read_as_before(demo_con):
    features = store.account_features(demo_con)
    overrides = store.relationship_overrides(demo_con)
    thresholds = segment.Thresholds(valuable_top_pct=10.0)
    whole = segment.account_table(
        segment.assign_segments(features, thresholds, overrides)
    )
    bare = segment.assign_segments(features, thresholds, overrides, explain=False)
    shown = segment.shown_account_table(bare, thresholds, 25)
    assert shown.height == 25
    assert shown.sort("account_id").to_dicts() == (
        whole.head(25).sort("account_id").to_dicts()
    )


def test_filter_and_table():
    segments = segment.assign_segments(PORTFOLIO)
    chosen = segment.filter_accounts(segments, value_segments=["maintain"])
    assert sorted(chosen["account_id"]) == ["C", "E"]
    assert segment.filter_accounts(segments, name_contains="ALP")[
        "account_id"
    ].to_list() == ["A"]
    # A and B: the two most valuable, B with the largest headroom and a framework
    # contract, so both are worth a partnership (see the target's signals)
    assert sorted(
        segment.filter_accounts(segments, relationships=["partnership"])["account_id"]
    ) == ["A", "B"]
    table = segment.account_table(segments)
    assert table.columns[:4] == ["account_id", "name", "value_segment", "relationship"]
    assert table["account_id"][0] == "A"


def test_summary_shares_add_up():
    summary = segment.segment_summary(segment.assign_segments(PORTFOLIO))
    assert summary["accounts"].sum() == 5
    assert summary["effort_share_pct"].sum() == pytest.approx(100)
    assert summary["revenue_share_pct"].sum() == pytest.approx(100)
    below = summary.filter(pl.col("value_segment") == "below_zero").row(0, named=True)
    assert below["contribution"] == pytest.approx(-800)


def test_compare_scenarios_lists_moves():
    comparison = segment.compare_scenarios(
        PORTFOLIO,
        segment.Thresholds(),
        segment.Thresholds(valuable_mode="absolute", valuable_min_contribution=40_000),
    )
    moved = comparison.filter(pl.col("moved"))
    # the floor applies to lifetime value (3 years): B and C pass it and become
    # most valuable; E, then the only account left with headroom, most growable
    assert set(moved["account_id"]) == {"B", "C", "E"}
    assert comparison["moved"][0] is True
    moves = segment.scenario_moves(comparison)
    assert moves["accounts"].sum() == 5


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"hourly_cost": -1}, "negative"),
        ({"valuable_top_pct": 120}, "between 0 and 100"),
        ({"valuable_mode": "magic"}, "percent"),
        ({"nonsense": 1}, "unknown"),
        ({"hourly_cost": "=cmd|' /C calc'!A0"}, "number"),
        ({"joint_full_at_activities": 0}, "above 0"),
    ],
)
def test_bad_thresholds_are_rejected(values, message):
    with pytest.raises(RejectedInputError, match=message):
        segment.Thresholds.from_dict(values)


def test_thresholds_round_trip():
    thresholds = segment.Thresholds(hourly_cost=120, valuable_mode="absolute")
    assert segment.Thresholds.from_dict(thresholds.to_dict()) == thresholds
    assert segment.Thresholds.from_dict({}) == segment.DEFAULT_THRESHOLDS


def _segmented_in_one_go(
    features: pl.DataFrame, t: segment.Thresholds, situation: pl.DataFrame | None
) -> pl.DataFrame:
    """The segmentation as one chain, nothing reused (how it was computed before)."""
    from workbench.analytics.finite import finite_or_null
    from workbench.analytics.observed import observed_relationship
    from workbench.analytics.target import target_relationship
    from workbench.analytics.value import value_segments

    valued = segment.compute_contribution(finite_or_null(features).rechunk(), t)
    return target_relationship(
        observed_relationship(
            value_segments(valued, t, explain=False), t, explain=False
        ),
        t,
        situation,
        explain=False,
    )


@pytest.mark.parametrize(
    "moves",
    [
        pytest.param(
            [{"valuable_top_pct": v} for v in (10.0, 35.0, 20.0)], id="top-share"
        ),
        pytest.param(
            [
                {"growable_top_pct": 40.0, "growth_headroom_weight_pct": 80.0},
                {"valuable_mode": "absolute", "valuable_min_contribution": 50_000.0},
                {"valuable_basis": "contribution", "trend_full_at_pct": 5.0},
            ],
            id="value-only",
        ),
        pytest.param(
            [{"hourly_cost": 400.0}, {"relationship_threshold": 20.0}, {}],
            id="costs-and-types",
        ),
    ],
)
def test_a_threshold_move_reusing_the_unmoved_part_gives_the_full_result(
    demo_con, moves
):
    features = store.account_features(demo_con)
    overrides = store.relationship_overrides(demo_con)
    situation = pl.DataFrame(
        {"account_id": features["account_id"].head(5)},
    ).with_columns(
        **{
            factor: pl.lit(level, dtype=pl.Int64)
            for factor, level in zip(
                (
                    "purchase_importance",
                    "switching_costs",
                    "purchase_complexity",
                    "supply_alternatives",
                    "strategic_fit",
                ),
                (5, 4, None, 2, 3),
                strict=True,
            )
        }
    )
    for move in moves:
        t = segment.Thresholds(**move)
        for chosen in (None, situation):
            # warm: the same frames were segmented under other thresholds before
            reused = segment.assign_segments(features, t, overrides, chosen)
            fresh = segment.assign_segments(
                features.clone(), t, overrides, chosen, explain=True
            )
            assert reused.to_dicts() == fresh.to_dicts()
            chain = _segmented_in_one_go(features, t, chosen)
            bare = segment.assign_segments(features, t, None, chosen, explain=False)
            assert bare.select(chain.columns).to_dicts() == chain.to_dicts()
            assert bare.columns[: len(chain.columns)] == chain.columns
