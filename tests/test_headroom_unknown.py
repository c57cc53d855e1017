"""A headroom no wallet supports is unknown, and a growth reason says why there is no score.

Two shapes of real exports: accounts with no wallet and no annual revenue on
record (most CRMs' accounts), and a customer's revenue exported in millions
(the Maven CRM data set: "1100.04" for 1.1 billion), which makes every wallet
smaller than what the account buys. Their headroom read 0, and every account
not scored for growth read "growth score 0 on 1 of 4 signs: headroom 0".
"""

from __future__ import annotations

import polars as pl
import pytest

from tests.segment_support import PORTFOLIO, by_id, features_frame
from workbench.analytics import segment

#: A wallet known and above the revenue; one below it (revenue in millions);
#: none known; and the one account ranked most valuable.
WALLETS = features_frame(
    {"account_id": "room", "won_12m": 100_000.0, "wallet_estimate": 400_000.0},
    {"account_id": "millions", "won_12m": 80_000.0, "annual_revenue": 1_100.04},
    {"account_id": "unknown", "won_12m": 60_000.0},
    {"account_id": "top", "won_12m": 900_000.0, "wallet_estimate": 2_000_000.0},
)


def _rows() -> dict[str, dict[str, object]]:
    segments = segment.assign_segments(WALLETS)
    return {row["account_id"]: row for row in segments.iter_rows(named=True)}


def test_headroom_is_unknown_where_no_wallet_supports_it() -> None:
    rows = _rows()
    assert rows["room"]["headroom"] == pytest.approx(300_000.0)
    assert rows["top"]["headroom"] == pytest.approx(1_100_000.0)
    # 0.3 % of 1,100.04 is a wallet of 3.3 beside 80,000 bought: no headroom known
    assert rows["millions"]["potential"] == pytest.approx(1_100.04 * 0.003)
    assert rows["millions"]["headroom"] is None
    assert rows["unknown"]["potential"] is None
    assert rows["unknown"]["headroom"] is None
    # nor is either scored for growth, or counted as a sign with no headroom
    assert rows["millions"]["growth_score"] is None
    assert rows["unknown"]["growth_pipeline"] is None


def test_the_growth_reason_says_why_an_account_has_no_score() -> None:
    rows = _rows()
    assert str(rows["room"]["growth_reason"]).startswith("growth score ")
    assert str(rows["millions"]["growth_reason"]).startswith(
        "no growth score: its wallet 3 is below what it buys (80,000), "
        "so no headroom is known"
    )
    assert str(rows["unknown"]["growth_reason"]).startswith(
        "no growth score: no wallet known, so no headroom"
    )
    # the most valuable are not scored for growth: they say so, with their headroom
    assert rows["top"]["value_segment"] == "most_valuable"
    assert str(rows["top"]["growth_reason"]).startswith(
        "not scored for growth: headroom 1,100,000"
    )
    for row in rows.values():
        assert "growth score 0 " not in str(row["why"])


def test_the_hand_computed_portfolio_keeps_its_headrooms() -> None:
    # every wallet of the hand-computed portfolio is above what its account buys
    segments = segment.assign_segments(PORTFOLIO)
    assert by_id(segments, "headroom") == pytest.approx(
        {
            "A": 1_500_000.0,
            "B": 1_800_000.0,
            "C": 200_000.0,
            "D": 40_000.0,
            "E": 10_000.0,
        }
    )


def test_the_overview_and_the_chart_take_an_unknown_headroom() -> None:
    segments = segment.assign_segments(WALLETS, explain=False)
    shown = segment.segment_overview(segments, segment.DEFAULT_THRESHOLDS)
    assert sum(shown.counts[s] for s in segment.VALUE_SEGMENTS) == 4
    drawn = segment.drawn_accounts(segments, 500)
    assert drawn.height == 4


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_the_reasons_are_written_in_chinese(language: str) -> None:
    explained = segment.explain_segments(
        segment.assign_segments(WALLETS, explain=False),
        segment.DEFAULT_THRESHOLDS,
        language,
    )
    for text in explained.get_column("why").to_list():
        assert "growth score" not in text and "not scored" not in text
        assert "wallet" not in text
    assert explained.filter(pl.col("account_id") == "millions").height == 1


def test_accounts_above_wallet_are_those_of_the_segmentation() -> None:
    # the Segments page's warning reads the valuation a segmentation keeps, once
    # per valuation: the same accounts as the segmentation's own rows
    moved = segment.Thresholds(valuable_top_pct=35.0, wallet_share_of_revenue_pct=0.01)
    for thresholds in (segment.DEFAULT_THRESHOLDS, moved):
        above = segment.accounts_above_wallet(WALLETS, thresholds)
        segments = segment.assign_segments(WALLETS, thresholds)
        expected = segments.filter(pl.col("revenue") > pl.col("potential")).sort(
            pl.col("revenue") - pl.col("potential"), descending=True
        )
        assert above.columns == ["account_id", "name", "revenue", "potential"]
        assert above["account_id"].to_list() == expected["account_id"].to_list()
    assert segment.accounts_above_wallet(WALLETS)["account_id"].to_list() == [
        "millions"
    ]
    # 0.01 % of revenue is below what "unknown" buys too, but it has no revenue on
    # record to take a share of: still unknown, not below
    assert segment.accounts_above_wallet(WALLETS, moved)["account_id"].to_list() == [
        "millions"
    ]


def test_a_move_of_the_value_thresholds_keeps_the_valuation_key() -> None:
    base = segment.Thresholds(hourly_cost=120.0)
    ranked = segment.Thresholds(
        hourly_cost=120.0, valuable_top_pct=35.0, growable_top_pct=10.0
    )
    assert segment.valuation_thresholds(base) == segment.valuation_thresholds(ranked)
    for valued_otherwise in (
        segment.Thresholds(hourly_cost=130.0),
        segment.Thresholds(hourly_cost=120.0, wallet_share_of_revenue_pct=1.0),
        segment.Thresholds(hourly_cost=120.0, default_term_months=24.0),
    ):
        assert segment.valuation_thresholds(
            valued_otherwise
        ) != segment.valuation_thresholds(base)


def test_a_wallet_below_what_an_account_buys_gives_no_potential_signal() -> None:
    # The target ranked such a wallet among the others: the Maven data set's
    # wallets (revenue exported in millions) read "potential 100" for the
    # largest, though each is below what its account buys.
    rows = _rows()
    assert rows["millions"]["signal_potential"] is None
    assert "potential" not in str(rows["millions"]["target_reason"]).split(":")[1]
    # the credible wallets keep their places among themselves
    assert rows["room"]["signal_potential"] == pytest.approx(0.0)
    assert rows["top"]["signal_potential"] == pytest.approx(1.0)
    assert rows["unknown"]["signal_potential"] is None
