"""Cost to serve per seller role, lifetime value over measured retention, most growable.

Each rule on a small fixture shaped like a real export: sellers whose team names
their role (and one whose does not), activities naming no seller, won-deal
histories with lapsed customers, a large static account beside a small one that
is winning.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from tests.factories import load_frames, monthly_activities
from tests.test_segment import features_frame
from workbench import readers, store
from workbench.analytics import segment
from workbench.analytics.cost import FLAT_RATE_LINE, cost_breakdown
from workbench.analytics.retention import measure_retention
from workbench.api import Workbench
from workbench.domain import DEFAULT_HOURLY_COST_BY_ROLE, LOCAL_ACTOR, Actor
from workbench.errors import PermissionDeniedError, RejectedInputError

AS_OF = date(2026, 6, 30)
VIEWER = Actor(name="viewer", role="viewer")


def _activities(account: str, seller: str | None, count: int, minutes: float | None):
    return monthly_activities(
        account,
        count,
        id_prefix=f"{account}-{seller}-",
        kind="meeting",
        minutes=minutes,
        seller_id=seller,
    )


@pytest.fixture
def served(con):
    """Two accounts with the same ten hours: one by an executive, one by inside sales.

    A third account gets ten hours from a seller whose team and title name no
    role, and ten from activities naming no seller (a shared inbox).
    """
    sellers = pl.DataFrame(
        {
            "seller_id": ["EX", "IS", "XX"],
            "name": ["Vera", "Ian", "Olga"],
            "team": ["Executive Sponsors", "Inside Sales", "Team Nord"],
            "title": ["Vice President", "Inside Sales Representative", None],
        }
    )
    accounts = pl.DataFrame(
        {
            "account_id": ["A-EX", "A-IS", "A-XX"],
            "name": ["Exec-served", "Inside-served", "Unknown-served"],
            "gross_margin_pct": [30.0] * 3,
            "direct_cost_annual": [None, None, 500.0],
        }
    )
    activities = pl.DataFrame(
        _activities("A-EX", "EX", 5, 120.0)
        + _activities("A-IS", "IS", 5, 120.0)
        + _activities("A-XX", "XX", 5, 120.0)
        + _activities("A-XX", None, 4, None)  # 4 × 15 assumed minutes
    )
    deals = pl.DataFrame(
        {
            "opportunity_id": ["d1", "d2", "d3"],
            "account_id": ["A-EX", "A-IS", "A-XX"],
            "amount": [100_000.0] * 3,
            "close_date": [date(2026, 3, 1)] * 3,
            "is_closed": [True] * 3,
            "is_won": [True] * 3,
        }
    )
    load_frames(
        con,
        {
            "sellers": sellers,
            "accounts": accounts,
            "activities": activities,
            "opportunities": deals,
        },
    )
    return con


def _by_id(segments: pl.DataFrame, column: str) -> dict[str, object]:
    return dict(zip(segments["account_id"], segments[column], strict=True))


# --- cost to serve ------------------------------------------------------------------


def test_an_executive_hour_costs_more_than_an_inside_sales_hour(served):
    segments = readers.account_segments(served, as_of=AS_OF)
    cost = _by_id(segments, "cost_to_serve")
    assert cost["A-EX"] == pytest.approx(10 * DEFAULT_HOURLY_COST_BY_ROLE["executive"])
    assert cost["A-IS"] == pytest.approx(
        10 * DEFAULT_HOURLY_COST_BY_ROLE["inside_sales"]
    )
    assert cost["A-EX"] > cost["A-IS"]
    assert _by_id(segments, "cost_basis")["A-EX"] == "role_rates"


def test_the_flat_rate_prices_unknown_roles_and_unnamed_sellers_and_says_so(served):
    thresholds = segment.Thresholds(hourly_cost=80)
    segments = readers.account_segments(served, thresholds, as_of=AS_OF)
    # 10 h of a seller of no known role + 4 activities without duration or seller
    assert _by_id(segments, "people_cost")["A-XX"] == pytest.approx(11 * 80)
    assert _by_id(segments, "cost_to_serve")["A-XX"] == pytest.approx(11 * 80 + 500)
    assert _by_id(segments, "cost_basis")["A-XX"] == "flat_rate"


def test_a_rate_edited_for_a_role_or_a_team_is_used_and_kept(served):
    store.set_cost_rate(served, LOCAL_ACTOR, "inside_sales", 40.0)
    store.set_cost_rate(served, LOCAL_ACTOR, "Team Nord", 70.0)
    segments = readers.account_segments(served, as_of=AS_OF)
    assert _by_id(segments, "cost_to_serve")["A-IS"] == pytest.approx(400)
    # the team's own rate prices its seller; the unnamed activities stay flat (90)
    assert _by_id(segments, "people_cost")["A-XX"] == pytest.approx(700 + 90)
    assert _by_id(segments, "cost_basis")["A-XX"] == "mixed"
    rates = store.cost_rates(served)
    row = rates.filter(pl.col("rate_key") == "inside_sales").row(0, named=True)
    assert row["edited"] and row["hourly_cost"] == 40.0 and row["default_cost"] == 55.0
    assert rates.filter(pl.col("rate_key") == "team nord")["kind"].to_list() == ["team"]
    # back to the default
    store.set_cost_rate(served, LOCAL_ACTOR, "inside_sales", None)
    assert store.cost_rates(served).filter(pl.col("rate_key") == "inside_sales")[
        "hourly_cost"
    ].to_list() == [55.0]


def test_cost_rates_are_checked_and_need_an_editor(served):
    with pytest.raises(PermissionDeniedError):
        store.set_cost_rate(served, VIEWER, "executive", 300.0)
    for bad in (-1.0, float("nan"), 1e9):
        with pytest.raises(RejectedInputError):
            store.set_cost_rate(served, LOCAL_ACTOR, "executive", bad)
    with pytest.raises(RejectedInputError):
        store.set_cost_rate(served, LOCAL_ACTOR, "  ", 100.0)
    assert not store.cost_rates(served)["edited"].any()


def test_the_breakdown_adds_up_to_the_cost_to_serve(served):
    segments = readers.account_segments(served, as_of=AS_OF)
    wb = Workbench(served)
    lines = wb.cost_breakdown("A-XX", as_of=AS_OF)
    assert lines["cost"].sum() == pytest.approx(
        _by_id(segments, "cost_to_serve")["A-XX"]
    )
    assert FLAT_RATE_LINE in lines["line"].to_list()
    assert "direct costs (account record)" in lines["line"].to_list()
    executive = wb.cost_breakdown("A-EX", as_of=AS_OF)
    assert executive.row(0, named=True)["line"] == "executive"
    assert executive.row(0, named=True)["hours"] == pytest.approx(10)


def test_the_breakdown_of_a_small_frame():
    effort = pl.DataFrame(
        {
            "rate_key": ["executive", None],
            "hourly_rate": [250.0, None],
            "activities": [2, 3],
            "minutes_recorded": [120.0, 60.0],
            "activities_without_duration": [0, 2],
        }
    )
    lines = cost_breakdown(effort, {"direct": 100.0, "unknown": None})
    assert lines["line"].to_list() == ["executive", FLAT_RATE_LINE, "direct"]
    assert lines["cost"].to_list() == pytest.approx([500.0, 1.5 * 90, 100.0])


# --- lifetime value -----------------------------------------------------------------


def _years(rows: list[tuple[str, int]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["account_id", "years_back"], orient="row")


def test_retention_is_measured_when_enough_accounts_have_history():
    # 30 accounts with revenue two years ago; 24 kept it last year; of those 24
    # (and 6 new ones), 27 have it this year
    rows = [(f"A{i}", 2) for i in range(30)]
    rows += [(f"A{i}", 1) for i in range(24)] + [(f"N{i}", 1) for i in range(6)]
    rows += [(f"A{i}", 0) for i in range(21)] + [(f"N{i}", 0) for i in range(6)]
    retention = measure_retention(_years(rows))
    assert retention.source == "measured"
    assert retention.account_years == 60
    assert retention.retained == 24 + 27
    assert retention.rate == pytest.approx(51 / 60)
    # (1 + 10 %) ÷ (1 + 10 % − 85 %) = 4.4 years of contribution
    assert retention.expected_years == pytest.approx(4.4)
    assert "85 %" in retention.basis() and "51 of 60" in retention.basis()


def test_retention_falls_back_to_the_option_on_too_little_history():
    rows = [("A", 1), ("A", 0), ("B", 1)]
    retention = measure_retention(_years(rows), segment.Thresholds())
    assert retention.source == "option"
    assert retention.expected_years == 3.0
    assert "only 2 account-years" in retention.basis()
    assert measure_retention(None).basis().startswith("no revenue history")


def test_full_retention_is_capped_at_the_horizon():
    rows = [(f"A{i}", k) for i in range(30) for k in range(3)]
    thresholds = segment.Thresholds(discount_rate_pct=0, lifetime_horizon_years=8)
    assert measure_retention(_years(rows), thresholds).expected_years == 8


def test_the_store_counts_retention_on_the_won_deal_history(con):
    # 25 accounts bought every January for three years; 5 of them only in 2024.
    # That order serves until January 2025, so all 25 had revenue two years back
    # and one year back (25 of 25 kept it), and 20 of 25 this year
    accounts = pl.DataFrame(
        {"account_id": [f"A{i:02d}" for i in range(25)]}
    ).with_columns(name=pl.col("account_id"))
    deals = [
        {
            "opportunity_id": f"{a}-{year}",
            "account_id": a,
            "amount": 10_000.0,
            "close_date": date(year, 1, 15),
            "is_closed": True,
            "is_won": True,
        }
        for n, a in enumerate(accounts["account_id"])
        for year in (2024, 2025, 2026)
        if n >= 5 or year == 2024
    ]
    load_frames(con, {"accounts": accounts, "opportunities": pl.DataFrame(deals)})
    years = store.account_revenue_years(con, AS_OF)
    assert years.filter(pl.col("years_back") == 2).height == 25
    wb = Workbench(con)
    retention = wb.retention(as_of=AS_OF)
    assert (retention.account_years, retention.retained) == (50, 45)
    assert retention.source == "measured"
    segments = readers.account_segments(con, as_of=AS_OF)
    kept = segments.filter(pl.col("account_id") == "A10").row(0, named=True)
    assert kept["remaining_years"] == pytest.approx(retention.expected_years)
    assert kept["remaining_years_source"] == "measured"


def test_most_valuable_is_decided_on_lifetime_value_by_default():
    # X earns more this year, but its contract ends now; Y's runs eight more years
    frame = features_frame(
        {"account_id": "X", "won_12m": 400_000.0, "gross_margin_pct": 30.0},
        {"account_id": "Y", "won_12m": 300_000.0, "gross_margin_pct": 30.0},
        *[
            {"account_id": f"S{i}", "won_12m": 10_000.0, "gross_margin_pct": 30.0}
            for i in range(8)
        ],
    ).with_columns(contract_years_left=pl.when(pl.col("account_id") == "Y").then(8.0))
    top_one = segment.Thresholds(valuable_top_pct=10)
    by_value = segment.assign_segments(frame, top_one)
    assert _by_id(by_value, "value_segment")["Y"] == "most_valuable"
    assert _by_id(by_value, "remaining_years_source")["Y"] == "contract"
    assert "lifetime value" in str(_by_id(by_value, "value_reason")["Y"])
    by_year = segment.assign_segments(
        frame, top_one.with_changes(valuable_basis="contribution")
    )
    assert _by_id(by_year, "value_segment")["X"] == "most_valuable"
    with pytest.raises(RejectedInputError):
        segment.Thresholds.from_dict({"valuable_basis": "size"})


# --- most growable ------------------------------------------------------------------


def _growth_portfolio() -> pl.DataFrame:
    """A large static account, a small winning one, and ordinary accounts around."""
    big = {
        "account_id": "BIG",
        "won_12m": 2_000_000.0,
        "won_prev_12m": 2_000_000.0,
        "wallet_estimate": 40_000_000.0,
        "gross_margin_pct": 20.0,
        "deciders_approvers": 4,
        "deciders_approvers_engaged": 0,
        "contacts_with_role": 10,
        "nps": -20.0,
    }
    small = {
        "account_id": "SMALL",
        "won_12m": 150_000.0,
        "won_prev_12m": 100_000.0,
        "wallet_estimate": 600_000.0,
        "open_pipeline": 200_000.0,
        "gross_margin_pct": 20.0,
        "deciders_approvers": 2,
        "deciders_approvers_engaged": 2,
        "contacts_with_role": 6,
        "nps": 40.0,
    }
    top = [
        {
            "account_id": f"TOP{i}",
            "won_12m": 5_000_000.0,
            "gross_margin_pct": 30.0,
            "wallet_estimate": 5_000_000.0,
        }
        for i in range(2)
    ]
    rest = [
        {
            "account_id": f"M{i}",
            "won_12m": 300_000.0 + 50_000 * i,
            "won_prev_12m": 300_000.0 + 50_000 * i,
            "wallet_estimate": 1_000_000.0 + 500_000 * i,
            "gross_margin_pct": 10.0,
        }
        for i in range(6)
    ]
    extra = {
        "deciders_approvers": pl.Int64,
        "deciders_approvers_engaged": pl.Int64,
        "contacts_with_role": pl.Int64,
    }
    rows = [big, small, *top, *rest]
    return features_frame(
        *[{k: v for k, v in r.items() if k not in extra} for r in rows]
    ).with_columns(
        pl.Series(name, [r.get(name, 0) for r in rows], dtype=dtype)
        for name, dtype in extra.items()
    )


def test_a_small_winning_account_outranks_a_large_static_one():
    segments = segment.assign_segments(
        _growth_portfolio(), segment.Thresholds(growable_top_pct=10)
    )
    score = _by_id(segments, "growth_score")
    assert (
        _by_id(segments, "headroom")["BIG"] > 50 * _by_id(segments, "headroom")["SMALL"]
    )
    assert score["SMALL"] > score["BIG"]
    assert _by_id(segments, "value_segment")["SMALL"] == "most_growable"
    assert _by_id(segments, "value_segment")["BIG"] != "most_growable"
    small = segments.filter(pl.col("account_id") == "SMALL").row(0, named=True)
    assert small["growth_signals_known"] == 4
    assert "open pipeline 200,000" in small["value_reason"]
    assert "2 of 2 deciders/approvers engaged" in small["why"]
    # headroom alone (the old rule) would have ranked BIG first
    by_headroom = segment.assign_segments(
        _growth_portfolio(),
        segment.Thresholds(growable_top_pct=10, growth_headroom_weight_pct=100),
    )
    assert _by_id(by_headroom, "value_segment")["BIG"] == "most_growable"


def test_the_growth_ranking_does_not_follow_account_size():
    segments = segment.assign_segments(_growth_portfolio())
    candidates = segments.filter(pl.col("growth_score").is_not_null())
    correlation = candidates.select(
        pl.corr("growth_score", "headroom", method="spearman")
    ).item()
    assert correlation < 0.9


def test_unknown_signs_drop_out_instead_of_counting_as_none():
    frame = features_frame(
        {"account_id": "A", "won_12m": 100_000.0, "wallet_estimate": 500_000.0}
    )
    segments = segment.assign_segments(frame)
    row = segments.row(0, named=True)
    # pipeline (none open) and trend (a first year) are known; coverage and
    # sentiment are not on record and leave the denominator
    assert row["growth_signals_known"] == 2
    assert row["growth_coverage"] is None and row["growth_sentiment"] is None


def test_empty_accounts_are_never_growable():
    frame = features_frame(
        {"account_id": "E", "annual_revenue": 1e9},
        {"account_id": "A", "won_12m": 10_000.0, "wallet_estimate": 50_000.0},
    )
    segments = segment.assign_segments(frame, segment.Thresholds(growable_top_pct=100))
    assert _by_id(segments, "value_segment")["E"] == "no_data"
    assert _by_id(segments, "growth_score")["E"] is None


# --- wallets ------------------------------------------------------------------------


def test_wallets_by_hand_and_by_industry_set_the_potential(con):
    accounts = pl.DataFrame(
        {
            "account_id": ["A", "B", "C"],
            "name": ["A", "B", "C"],
            "industry": ["Chemicals", "Chemicals", "Retail"],
            "annual_revenue": [100_000_000.0] * 3,
            "wallet_estimate": [None, 2_000_000.0, None],
        }
    )
    load_frames(con, {"accounts": accounts})
    store.set_industry_wallet_share(con, LOCAL_ACTOR, "Chemicals", 1.5)
    store.set_account_wallet(con, LOCAL_ACTOR, "C", 900_000.0, "workshop 2026-05")
    segments = readers.account_segments(con, as_of=AS_OF)
    potential = _by_id(segments, "potential")
    source = _by_id(segments, "potential_source")
    assert (
        potential["A"] == pytest.approx(1_500_000) and source["A"] == "industry_share"
    )
    assert (
        potential["B"] == pytest.approx(2_000_000) and source["B"] == "wallet_estimate"
    )
    assert potential["C"] == pytest.approx(900_000) and source["C"] == "edited_estimate"
    shares = store.industry_wallet_shares(con)
    assert dict(
        zip(shares["industry"], shares["share_of_revenue_pct"], strict=True)
    ) == {
        "Chemicals": 1.5,
        "Retail": None,
    }
    # forgetting puts the defaults back
    store.set_account_wallet(con, LOCAL_ACTOR, "C", None)
    store.set_industry_wallet_share(con, LOCAL_ACTOR, "Chemicals", None)
    segments = readers.account_segments(con, as_of=AS_OF)
    assert set(_by_id(segments, "potential_source").values()) == {
        "default_share",
        "wallet_estimate",
    }
    with pytest.raises(RejectedInputError):
        store.set_account_wallet(con, LOCAL_ACTOR, "nobody", 1.0)
    with pytest.raises(RejectedInputError):
        store.set_industry_wallet_share(con, LOCAL_ACTOR, "Retail", 120.0)
    with pytest.raises(PermissionDeniedError):
        store.set_industry_wallet_share(con, VIEWER, "Retail", 1.0)
