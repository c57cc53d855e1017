"""Segmentation on a hand-computed portfolio, the feature SQL, overrides, scenarios."""

from __future__ import annotations

import json
import re
from datetime import date

import polars as pl
import pytest

from tests.factories import load_frames, rows_frame
from workbench import demo, i18n, readers, store
from workbench.analytics import segment
from workbench.analytics.economics import wallets_below_revenue
from workbench.analytics.observed import _number
from workbench.domain import LOCAL_ACTOR, Actor
from workbench.errors import PermissionDeniedError, RejectedInputError

VIEWER = Actor(name="viewer", role="viewer")

_FEATURE_DEFAULTS: dict[str, object] = {
    "name": "x",
    "industry": None,
    "region": None,
    "annual_revenue": None,
    "wallet_estimate": None,
    "gross_margin_pct": None,
    "direct_cost_annual": None,
    "contract_type": None,
    "tenure_years": 0.0,
    "won_12m": 0.0,
    "won_prev_12m": 0.0,
    "open_pipeline": 0.0,
    "effort_minutes_recorded_12m": 0.0,
    "activities_12m": 0,
    "activities_without_duration_12m": 0,
    "effort_minutes_recorded_prev_12m": 0.0,
    "activities_prev_12m": 0,
    "activities_without_duration_prev_12m": 0,
    "procurement_minutes_12m": 0.0,
    "executive_minutes_12m": 0.0,
    "contacts": 0,
    "contacts_engaged": 0,
    "departments_engaged": 0,
    "non_procurement_departments_engaged": 0,
    "procurement_only": False,
    "org_levels_engaged": 0,
    "executive_touches": 0,
    "executive_contacts_engaged": 0,
    "joint_activities": 0,
    "nps": None,
    "nps_responses": 0,
}

_SCHEMA = {
    "account_id": pl.String,
    "name": pl.String,
    "industry": pl.String,
    "region": pl.String,
    "annual_revenue": pl.Float64,
    "wallet_estimate": pl.Float64,
    "gross_margin_pct": pl.Float64,
    "direct_cost_annual": pl.Float64,
    "contract_type": pl.String,
    "tenure_years": pl.Float64,
    "won_12m": pl.Float64,
    "won_prev_12m": pl.Float64,
    "open_pipeline": pl.Float64,
    "effort_minutes_recorded_12m": pl.Float64,
    "activities_12m": pl.Int64,
    "activities_without_duration_12m": pl.Int64,
    "effort_minutes_recorded_prev_12m": pl.Float64,
    "activities_prev_12m": pl.Int64,
    "activities_without_duration_prev_12m": pl.Int64,
    "procurement_minutes_12m": pl.Float64,
    "executive_minutes_12m": pl.Float64,
    "contacts": pl.Int64,
    "contacts_engaged": pl.Int64,
    "departments_engaged": pl.Int64,
    "non_procurement_departments_engaged": pl.Int64,
    "procurement_only": pl.Boolean,
    "org_levels_engaged": pl.Int64,
    "executive_touches": pl.Int64,
    "executive_contacts_engaged": pl.Int64,
    "joint_activities": pl.Int64,
    "nps": pl.Float64,
    "nps_responses": pl.Int64,
}


def features_frame(*rows: dict[str, object]) -> pl.DataFrame:
    """Build an account_features-shaped frame; unspecified columns take defaults."""
    full = [{**_FEATURE_DEFAULTS, **row} for row in rows]
    return pl.DataFrame(full, schema=_SCHEMA)


# Hand-computed with the default thresholds (90 per hour, 25 % default margin,
# 0.3 % of revenue as wallet, top 20 % most valuable, top 25 % of the rest growable):
#
# | id | won       | margin       | hours            | direct | contribution | potential   | headroom  |
# | A  | 1,000,000 | 30 % 300,000 | 6000/60 = 100    | 1,000  | 290,000      | 2,500,000   | 1,500,000 |
# | B  |   200,000 | 25 %* 50,000 | 3000/60 = 50     | 0      |  45,500      | 2,000,000   | 1,800,000 |
# | C  |   100,000 | 20 %  20,000 | (1200+4×15)/60=21| 0      |  18,110      | 0.3 % × 1e8 |   200,000 |
# | D  |    10,000 | 10 %   1,000 | 1200/60 = 20     | 0      |    -800      |    50,000   |    40,000 |
# | E  |    50,000 | 25 %  12,500 | 600/60 = 10      | 0      |  11,600      |    60,000   |    10,000 |
# (* B has no margin of its own: the default applies)
# top 20 % of 5 → 1 account (A); D is below zero; of the 3 left, 25 % → 1: B.
PORTFOLIO = features_frame(
    {
        "account_id": "A",
        "name": "Alpha",
        "won_12m": 1_000_000.0,
        "won_prev_12m": 800_000.0,
        "gross_margin_pct": 30.0,
        "effort_minutes_recorded_12m": 6000.0,
        "direct_cost_annual": 1000.0,
        "wallet_estimate": 2_500_000.0,
        "tenure_years": 12.0,
        "departments_engaged": 5,
        "executive_contacts_engaged": 8,
        "contract_type": "multi_year",
        "joint_activities": 12,
    },
    {
        "account_id": "B",
        "name": "Beta",
        "won_12m": 200_000.0,
        "effort_minutes_recorded_12m": 3000.0,
        "wallet_estimate": 2_000_000.0,
        "contract_type": "framework",
        "tenure_years": 2.0,
    },
    {
        "account_id": "C",
        "name": "Gamma",
        "won_12m": 100_000.0,
        "gross_margin_pct": 20.0,
        "effort_minutes_recorded_12m": 1200.0,
        "activities_without_duration_12m": 4,
        "annual_revenue": 100_000_000.0,
    },
    {
        "account_id": "D",
        "name": "Delta",
        "won_12m": 10_000.0,
        "gross_margin_pct": 10.0,
        "effort_minutes_recorded_12m": 1200.0,
        "wallet_estimate": 50_000.0,
        "contract_type": "spot",
        "tenure_years": 2.0,
        "departments_engaged": 4,
        "executive_contacts_engaged": 2,
    },
    {
        "account_id": "E",
        "name": "Epsilon",
        "won_12m": 50_000.0,
        "gross_margin_pct": 25.0,
        "effort_minutes_recorded_12m": 600.0,
        "wallet_estimate": 60_000.0,
    },
)


def by_id(frame: pl.DataFrame, column: str) -> dict[str, object]:
    return dict(zip(frame["account_id"], frame[column], strict=True))


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


def _segmented_with_an_override() -> pl.DataFrame:
    """The portfolio segmented without reasons, account E set by hand to partnership."""
    overrides = pl.DataFrame(
        {
            "account_id": ["E"],
            "relationship": ["partnership"],
            "reason": ["co-developing"],
            "set_by": ["kam"],
        }
    )
    return segment.assign_segments(PORTFOLIO, overrides=overrides, explain=False)


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


# --- the feature SQL on a tiny database ----------------------------------------


def _tiny_frames() -> dict[str, pl.DataFrame]:
    accounts = pl.DataFrame(
        {
            "account_id": ["A1", "A2"],
            "name": ["One", "Two"],
            "annual_revenue": [1e8, 5e7],
            "wallet_estimate": [None, 200_000.0],
            "gross_margin_pct": [30.0, None],
            "created_on": [date(2020, 6, 30), date(2025, 6, 30)],
            "contract_type": ["multi_year", "spot"],
            "direct_cost_annual": [500.0, None],
        }
    )
    contacts = pl.DataFrame(
        {
            "contact_id": ["c1", "c2", "c3", "c4", "c5"],
            "account_id": ["A1", "A1", "A1", "A1", "A2"],
            "department": [
                "Executive",
                "Engineering",
                "Engineering",
                "Procurement",
                "Procurement",
            ],
            "reports_to_id": [None, "c1", "c2", "c1", None],
        }
    )
    opportunities = pl.DataFrame(
        {
            "opportunity_id": ["o1", "o2", "o3", "o4", "o5"],
            "account_id": ["A1", "A1", "A1", "A1", "A2"],
            "amount": [100.0, 50.0, 70.0, 1000.0, 30.0],
            "close_date": [
                date(2026, 3, 1),  # in the 12 months to 2026-06-30
                date(2025, 3, 1),  # in the 12 months before
                date(2026, 9, 1),  # after the as-of date: not counted
                date(2026, 12, 1),  # open
                date(2026, 6, 30),  # on the as-of date: counted
            ],
            "is_closed": [True, True, True, False, True],
            "is_won": [True, True, True, False, True],
            "created_on": [date(2026, 1, 1)] * 5,
        }
    )
    activities = rows_frame(
        "activity_id account_id contact_id kind activity_date duration_minutes",
        ("x0", "A1", "c1", "meeting", date(2026, 5, 1), 60.0),
        ("x1", "A1", "c3", "workshop", date(2026, 4, 1), 240.0),
        ("x2", "A1", "c3", "call", date(2026, 4, 2), None),
        ("x3", "A1", "c4", "email", date(2026, 1, 1), 6.0),
        # in the previous 12 months
        ("x4", "A1", "c2", "joint_planning", date(2025, 1, 1), 180.0),
        ("x5", "A2", "c5", "call", date(2026, 2, 1), 20.0),
    )
    nps = pl.DataFrame(
        {
            "response_id": ["n1", "n2", "n3"],
            "account_id": ["A1", "A1", "A1"],
            "responded_on": [date(2026, 1, 1), date(2026, 2, 1), date(2024, 1, 1)],
            "score": [10, 3, 10],
        }
    )
    return {
        "accounts": accounts,
        "contacts": contacts,
        "opportunities": opportunities,
        "activities": activities,
        "nps_responses": nps,
    }


def test_account_features_sql(con):
    load_frames(con, _tiny_frames())
    features = store.account_features(con, date(2026, 6, 30))
    one = features.filter(pl.col("account_id") == "A1").row(0, named=True)
    assert one["won_12m"] == 100
    assert one["won_prev_12m"] == 50
    assert one["open_pipeline"] == 1000 + 70  # o3 was still open on the as-of date
    assert one["effort_minutes_recorded_12m"] == 60 + 240 + 6
    assert one["activities_12m"] == 4
    assert one["activities_without_duration_12m"] == 1
    assert one["effort_minutes_recorded_prev_12m"] == 180
    assert one["procurement_minutes_12m"] == 6
    assert one["contacts"] == 4
    assert one["contacts_engaged"] == 3
    assert one["departments_engaged"] == 3
    assert one["non_procurement_departments_engaged"] == 2
    assert one["org_levels_engaged"] == 3  # c1 level 1, c4 level 2, c3 level 3
    # executive: the Executive department (c1); c4 is level 2 but heads procurement
    assert one["executive_touches"] == 1
    assert one["executive_contacts_engaged"] == 1
    assert one["executive_minutes_12m"] == 60
    assert one["joint_activities"] == 1  # the workshop; joint planning was earlier
    assert one["nps"] == pytest.approx(0.0)  # one promoter, one detractor
    assert one["nps_responses"] == 2
    assert one["tenure_years"] == pytest.approx(6.0, abs=0.01)
    assert one["as_of"] == date(2026, 6, 30)
    two = features.filter(pl.col("account_id") == "A2").row(0, named=True)
    assert two["won_12m"] == 30
    assert two["procurement_only"] is True
    assert two["nps"] is None
    # a later as-of date moves the windows
    later = store.account_features(con, date(2026, 12, 31))
    assert later.filter(pl.col("account_id") == "A1")["won_12m"][0] == 170


def test_org_levels_stop_at_cycles_other_accounts_and_twelve_levels(con):
    # A1: a chain of 14 (levels 1-12 counted, 13 and 14 cut), two people managing
    # each other (no top: no level), one whose manager is at A2 (a top here).
    chain = [f"k{i}" for i in range(14)]
    ids = [*chain, "p", "q", "x", "y"]
    contacts = pl.DataFrame(
        {
            "contact_id": ids,
            "account_id": ["A1"] * 17 + ["A2"],
            "title": ["Engineer"] * 18,
            "department": ["Engineering"] * 18,
            "reports_to_id": [None, *chain[:-1], "q", "p", "y", None],
        }
    )
    activities = pl.DataFrame(
        {
            "activity_id": [f"t{i}" for i in range(len(ids))],
            "account_id": ["A1"] * 17 + ["A2"],
            "contact_id": ids,
            "kind": ["meeting"] * len(ids),
            "activity_date": [date(2026, 5, 1)] * len(ids),
            "duration_minutes": [30.0] * len(ids),
        }
    )
    frames = _tiny_frames()
    load_frames(con, {**frames, "contacts": contacts, "activities": activities})
    features = store.account_features(con, as_of=date(2026, 6, 30))
    row = features.filter(pl.col("account_id") == "A1").row(0, named=True)
    # levels 1 to 12 from the chain; x sits at the top (level 1) too
    assert row["org_levels_engaged"] == 12
    assert row["contacts_engaged"] == 17
    assert row["activities_12m"] == 17


def test_default_as_of_is_the_last_day_in_the_data(con):
    load_frames(con, _tiny_frames())
    assert store.resolve_as_of(con) == date(2026, 9, 1)


def test_account_segments_from_the_database(con):
    load_frames(con, _tiny_frames())
    store.set_relationship_override(con, LOCAL_ACTOR, "A2", "partnership", "pilot")
    segments = readers.account_segments(con, as_of=date(2026, 6, 30))
    assert by_id(segments, "relationship")["A2"] == "partnership"
    assert by_id(segments, "effort_hours")["A1"] == pytest.approx((306 + 15) / 60)


# --- overrides and scenarios -----------------------------------------------------


def test_overrides_crud_and_validation(con):
    load_frames(con, _tiny_frames())
    version = store.data_version(con)
    store.set_relationship_override(
        con, LOCAL_ACTOR, "A1", "transactional", " tender only "
    )
    store.set_relationship_override(con, LOCAL_ACTOR, "A1", "partnership", "renewed")
    overrides = store.relationship_overrides(con)
    assert overrides.height == 1
    assert overrides.row(0, named=True)["reason"] == "renewed"
    assert overrides.row(0, named=True)["set_by"] == "local"
    assert store.data_version(con) > version
    with pytest.raises(RejectedInputError, match="reason"):
        store.set_relationship_override(con, LOCAL_ACTOR, "A1", "partnership", "  ")
    with pytest.raises(RejectedInputError, match="one of"):
        store.set_relationship_override(con, LOCAL_ACTOR, "A1", "friends", "x")
    with pytest.raises(RejectedInputError, match="no account"):
        store.set_relationship_override(con, LOCAL_ACTOR, "nope", "partnership", "x")
    with pytest.raises(PermissionDeniedError):
        store.set_relationship_override(con, VIEWER, "A1", "partnership", "x")
    assert store.relationship_overrides(con).row(0, named=True)["reason"] == "renewed"
    assert store.delete_relationship_override(con, LOCAL_ACTOR, "A1")
    assert store.relationship_overrides(con).height == 0


def test_hostile_override_reason_is_stored_as_text(con):
    load_frames(con, _tiny_frames())
    evil = "<script>alert(1)</script>'; DROP TABLE accounts; --"
    store.set_relationship_override(con, LOCAL_ACTOR, "A1", "partnership", evil)
    assert store.relationship_overrides(con)["reason"][0] == evil
    assert store.table_counts(con)["accounts"] == 2


def test_scenarios_persist(demo_db):
    connection = store.connect(demo_db)
    thresholds = segment.Thresholds(hourly_cost=120, valuable_top_pct=10)
    store.save_segment_scenario(
        connection, LOCAL_ACTOR, "Workshop A", thresholds.to_dict()
    )
    with pytest.raises(RejectedInputError):
        store.save_segment_scenario(connection, LOCAL_ACTOR, " ", thresholds.to_dict())
    with pytest.raises(PermissionDeniedError):
        store.save_segment_scenario(connection, VIEWER, "x", thresholds.to_dict())
    connection.close()
    reopened = store.connect(demo_db)
    scenarios = store.segment_scenarios(reopened)
    assert scenarios["name"].to_list() == ["Workshop A"]
    saved = segment.Thresholds.from_dict(json.loads(scenarios["thresholds"][0]))
    assert saved == thresholds
    assert store.delete_segment_scenario(reopened, LOCAL_ACTOR, "Workshop A")
    assert store.segment_scenarios(reopened).height == 0
    reopened.close()


# --- the demo portfolio -----------------------------------------------------------


def test_demo_yields_every_segment_and_type(demo_con):
    segments = readers.account_segments(demo_con)
    assert set(segments["value_segment"]) == set(segment.VALUE_SEGMENTS)
    assert set(segments["relationship"]) == {"transactional", "partnership"}
    kinds = segments.join(demo.archetypes(), on="account_id")
    overserved = kinds.filter(pl.col("archetype") == "overserved")
    assert overserved.height > 0
    assert set(overserved["value_segment"]) == {"below_zero"}
    assert set(overserved["relationship"]) == {"transactional"}
    strategic = kinds.filter(pl.col("archetype") == "strategic")
    assert set(strategic["value_segment"]) == {"most_valuable"}
    assert set(strategic["relationship"]) == {"partnership"}


# --- the command line -------------------------------------------------------------


def test_cli_segment_json_and_csv(demo_db, capsys):
    from workbench.cli import main

    assert (
        main(["segment", "--db", str(demo_db), "--json", "--hourly-cost", "120"]) == 0
    )
    printed = json.loads(capsys.readouterr().out)
    assert printed["thresholds"]["hourly_cost"] == 120
    assert printed["as_of"] == "2026-09-30"
    rows = printed["accounts"]
    assert len(rows) == 60
    assert {
        "account_id",
        "name",
        "value_segment",
        "relationship",
        "contribution",
    } <= set(rows[0])
    assert {r["value_segment"] for r in rows} <= set(segment.VALUE_SEGMENTS)
    assert (
        main(["segment", "--db", str(demo_db), "--csv", "--as-of", "2026-06-30"]) == 0
    )
    csv_text = capsys.readouterr().out
    assert csv_text.lstrip("\ufeff").startswith(
        "account_id,name,value_segment,relationship"
    )
    assert len(csv_text.strip().splitlines()) == 61


def test_cli_segment_rejects_bad_input(demo_db, capsys):
    from workbench.cli import main

    assert main(["segment", "--db", str(demo_db), "--top-pct", "150"]) == 1
    assert "between 0 and 100" in capsys.readouterr().err
    assert main(["segment", "--db", str(demo_db), "--scenario", "missing"]) == 1
    with pytest.raises(SystemExit) as exit_info:
        main(["segment", "--db", str(demo_db), "--as-of", "yesterday"])
    assert exit_info.value.code == 2


# --- charts and hostile text ------------------------------------------------------


def test_scatter_encodes_the_segments_and_moves_its_rules():
    from workbench import charts

    segments = segment.assign_segments(PORTFOLIO)
    cuts = segment.segment_cuts(segments, segment.DEFAULT_THRESHOLDS)
    spec = charts.segment_scatter(
        segments, cuts.contribution_cut, cuts.headroom_cut
    ).to_dict()
    points = spec["layer"][0]["encoding"]
    assert points["x"]["field"] == "contribution"
    assert points["y"]["field"] == "headroom"
    assert points["size"]["field"] == "won_12m"
    assert points["color"]["field"] == "value_segment"
    assert points["shape"]["field"] == "relationship"
    assert {t["field"] for t in points["tooltip"]} >= {
        "name",
        "contribution",
        "headroom",
    }
    rules = [
        json.dumps(spec["datasets"][layer["data"]["name"]])
        for layer in spec["layer"][1:]
    ]
    assert "290000" in rules[0]  # A's contribution is the most-valuable cut
    assert "1800000" in rules[1]  # B's headroom is the most-growable cut
    lower = segment.assign_segments(PORTFOLIO, segment.Thresholds(valuable_top_pct=40))
    lower_cuts = segment.segment_cuts(lower, segment.DEFAULT_THRESHOLDS)
    assert lower_cuts.contribution_cut == pytest.approx(45_500)


def test_hostile_account_names_are_neutralised_in_the_csv(tmp_path, capsys):
    from workbench.cli import main

    path = tmp_path / "hostile.duckdb"
    connection = store.connect(path)
    frames = _tiny_frames()
    frames["accounts"] = frames["accounts"].with_columns(
        name=pl.Series(['=HYPERLINK("http://x")<script>', "+cmd|' /C calc'!A0"])
    )
    load_frames(connection, frames)
    connection.close()
    assert main(["segment", "--db", str(path), "--csv"]) == 0
    text = capsys.readouterr().out
    assert "'=HYPERLINK" in text
    assert "'+cmd" in text
    assert ",=HYPERLINK" not in text
    assert ",+cmd" not in text


def test_chart_draws_each_segment_and_its_extremes_when_thinned(demo_con):
    segments = segment.assign_segments(store.account_features(demo_con), explain=False)
    ranked = segments.filter(pl.col("value_segment") != "no_data")
    assert segment.drawn_accounts(segments, ranked.height).height == ranked.height
    drawn = segment.drawn_accounts(segments, 12)
    assert 12 <= drawn.height < ranked.height
    assert "no_data" not in drawn["value_segment"].to_list()
    # every segment keeps its extremes, so the axes and the cuts do not move
    assert set(drawn["value_segment"]) == set(ranked["value_segment"])
    for column in ("contribution", "headroom"):
        assert drawn[column].max() == ranked[column].max()
        assert drawn[column].min() == ranked[column].min()
    # the largest account by revenue is always drawn
    assert ranked.sort("revenue", descending=True)["account_id"][0] in set(
        drawn["account_id"]
    )


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


@pytest.mark.parametrize(
    ("language", "most_valuable", "partnership", "contract", "override"),
    [
        ("zh-Hans", "最有价值客户", "合作型关系", "多年期合同", "已手动设为合作型关系"),
        ("zh-Hant", "最有價值客戶", "合作型關係", "多年期合約", "已手動設為合作型關係"),
    ],
)
def test_reasons_read_in_the_language_asked_and_keep_their_figures(
    language, most_valuable, partnership, contract, override
):
    bare = _segmented_with_an_override()
    english = segment.explain_segments(bare)
    chinese = segment.explain_segments(bare, language=language)
    # the same rows and codes; only the sentences change
    sentences = [*segment.EXPLANATIONS, "growth_reason"]
    assert chinese.drop(sentences).equals(english.drop(sentences))
    a_reason = by_id(chinese, "relationship_reason")["A"]
    assert "≥ 60" in a_reason and contract in a_reason and partnership in a_reason
    assert "（+20）" in a_reason  # the contract's points, as in English
    assert "290,000" in by_id(chinese, "value_reason")["A"]
    assert by_id(chinese, "why")["A"].startswith(most_valuable)
    assert override in by_id(chinese, "relationship_reason")["E"]
    assert "co-developing" in by_id(chinese, "relationship_reason")["E"]  # data as is
    assert "< 0" in by_id(chinese, "value_reason")["D"]
    for column in sentences:
        for text in chinese[column].to_list():
            words = re.sub(r"co-developing|kam", "", text)
            assert not re.search(r"[A-Za-z]{3,}", words), (column, text)


def test_english_reasons_stay_english_whatever_language_is_in_force():
    bare = segment.assign_segments(PORTFOLIO, explain=False)
    i18n.set_language("zh-Hant")
    try:
        shown = segment.shown_account_table(bare, segment.DEFAULT_THRESHOLDS)
    finally:
        i18n.set_language("en")
    assert (
        shown.to_dicts()
        == segment.shown_account_table(bare, segment.DEFAULT_THRESHOLDS).to_dicts()
    )
    assert "multi_year" in by_id(shown, "relationship_reason")["A"]


def test_a_reason_quotes_whole_figures_with_their_thousands_grouped():
    # as the pages and exports write figures; signs, short figures and the
    # digits' groups at every length; decimals stay as they were
    figures = pl.DataFrame(
        {"x": [0.0, 7, 999.4, 999.6, 1000, -1000, 12345, -123456, 1234567.0, None]}
    )
    assert figures.select(_number(pl.col("x"))).to_series().to_list() == [
        "0",
        "7",
        "999",
        "1,000",
        "1,000",
        "-1,000",
        "12,345",
        "-123,456",
        "1,234,567",
        "0",  # unknown reads 0, as before
    ]
    assert figures.head(3).select(_number(pl.col("x"), 1)).to_series().to_list() == [
        "0.0",
        "7.0",
        "999.4",
    ]
