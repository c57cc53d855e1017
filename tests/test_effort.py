"""Effort allocation: hand-computed totals, misallocation cases, the what-if, the CLI."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from tests.test_segment import features_frame
from workbench import readers, store
from workbench.analytics import effort, segment

# --- effort totals from activities as the Salesforce importer writes them -------------


def _salesforce_like_frames() -> dict[str, pl.DataFrame]:
    # Salesforce Task.CallDurationInSeconds / 60 and Event.DurationInMinutes arrive in
    # duration_minutes; a task without call seconds (an e-mail, a to-do) has NULL.
    sellers = pl.DataFrame(
        {
            "seller_id": ["005A", "005B"],
            "name": ["Ada Kim", "Bo Li"],
            "team": ["Key Account Management", "Inside Sales"],
        }
    )
    accounts = pl.DataFrame(
        {
            "account_id": ["001A", "001B"],
            "name": ["Acme", "Bolt"],
            "gross_margin_pct": [30.0, 20.0],
            "created_on": [date(2015, 1, 1), date(2024, 1, 1)],
        }
    )
    contacts = pl.DataFrame(
        {
            "contact_id": ["003A", "003B", "003C"],
            "account_id": ["001A", "001A", "001B"],
            "department": ["Engineering", "Procurement", "Procurement"],
            "buying_role": ["influencer", "buyer", "buyer"],
        }
    )
    activities = pl.DataFrame(
        {
            "activity_id": ["00T1", "00T2", "00T3", "00U1", "00U2", "00T4"],
            "account_id": ["001A", "001A", "001A", "001A", "001A", "001B"],
            "contact_id": ["003A", "003B", "003B", "003A", "003B", "003C"],
            "seller_id": ["005A", "005B", "005B", "005A", "005A", "005B"],
            "kind": ["call", "email", "task", "meeting", "visit", "call"],
            "activity_date": [
                date(2026, 5, 2),
                date(2026, 5, 3),
                date(2026, 4, 1),
                date(2026, 3, 10),
                date(2025, 11, 20),
                date(2026, 2, 1),
            ],
            # Task 900 s → 15 min; e-mail and to-do tasks: no duration;
            # Events: 90 and 30 minutes; Bolt's call 1,200 s → 20 min.
            "duration_minutes": [900 / 60, None, None, 90.0, 30.0, 1200 / 60],
            "source": ["salesforce"] * 6,
            "source_id": ["00T1", "00T2", "00T3", "00U1", "00U2", "00T4"],
        }
    )
    opportunities = pl.DataFrame(
        {
            "opportunity_id": ["006A", "006B"],
            "account_id": ["001A", "001B"],
            "amount": [100_000.0, 5_000.0],
            "close_date": [date(2026, 1, 15), date(2026, 1, 15)],
            "is_closed": [True, True],
            "is_won": [True, True],
        }
    )
    return {
        "sellers": sellers,
        "accounts": accounts,
        "contacts": contacts,
        "activities": activities,
        "opportunities": opportunities,
    }


@pytest.fixture
def salesforce_con(con):
    with store.write_transaction(con) as cur:
        store.replace_data(cur, _salesforce_like_frames())
    return con


AS_OF = date(2026, 6, 30)


def test_effort_totals_mix_call_seconds_event_minutes_and_missing(salesforce_con):
    segments = readers.account_segments(salesforce_con, as_of=AS_OF)
    accounts = effort.account_effort(segments)
    acme = accounts.filter(pl.col("account_id") == "001A").row(0, named=True)
    # recorded 15 + 90 + 30 = 135 min; 2 without a duration at 15 min → 165 min
    assert acme["effort_minutes_recorded"] == pytest.approx(135)
    assert acme["activities"] == 5
    assert acme["activities_without_duration"] == 2
    assert acme["effort_minutes"] == pytest.approx(165)
    assert acme["effort_hours"] == pytest.approx(2.75)
    bolt = accounts.filter(pl.col("account_id") == "001B").row(0, named=True)
    assert bolt["effort_minutes"] == pytest.approx(20)
    # another assumption changes only the assumed part
    other = effort.account_effort(
        segment.assign_segments(
            store.account_features(salesforce_con, AS_OF),
            segment.Thresholds(minutes_per_activity_without_duration=0),
        )
    )
    assert other.filter(pl.col("account_id") == "001A")["effort_minutes"][0] == 135
    totals = effort.effort_totals(accounts, hourly_cost=100)
    assert totals["effort_hours"] == pytest.approx(185 / 60)
    assert totals["activities_without_duration"] == 2
    assert totals["cost"] == pytest.approx(185 / 60 * 100)


def test_breakdowns_add_up_to_the_account_totals(salesforce_con):
    segments = readers.account_segments(salesforce_con, as_of=AS_OF)
    aggregates = store.effort_aggregates(salesforce_con, AS_OF)
    total_hours = 185 / 60
    for view in effort.BREAKDOWNS:
        if view == "month":
            continue
        breakdown = effort.effort_breakdown(aggregates, segments, view)
        assert breakdown["effort_hours"].sum() == pytest.approx(total_hours), view
    sellers = effort.seller_effort(aggregates, segments)
    by_seller = dict(zip(sellers["seller_name"], sellers["effort_hours"], strict=True))
    # Ada: 15 + 90 + 30 min; Bo: two tasks without a duration (2 × 15) + 20 min
    assert by_seller == pytest.approx({"Ada Kim": 135 / 60, "Bo Li": 50 / 60})
    departments = effort.effort_breakdown(aggregates, segments, "department")
    per_department = departments.group_by("department").agg(
        pl.col("effort_hours").sum()
    )
    assert dict(per_department.iter_rows()) == pytest.approx(
        {"Engineering": 105 / 60, "Procurement": 80 / 60}
    )
    roles = effort.effort_breakdown(aggregates, segments, "role")
    assert set(roles["buying_role"]) == {"influencer", "buyer"}
    trend = effort.effort_trend(aggregates, segments, granularity="quarter")
    assert trend["effort_hours"].sum() == pytest.approx(total_hours)
    assert trend["period_start"].min() == date(2025, 10, 1)


# --- misallocation on a hand-computed portfolio ----------------------------------------
#
# | id | won       | margin  | hours | type          | notes                            |
# | A  | 1,000,000 | 300,000 | 100   | partnership   | hours were 200 a year before     |
# | B  |   400,000 | 100,000 | 10    | partnership*  | only purchasing engaged          |
# | C  |    10,000 |   1,000 | 20    | transactional | below zero; 75 % beyond purchasing |
# | D  |   200,000 |  50,000 | 50    | transactional | all purchasing                   |
# | E  |   100,000 |  20,000 | 10    | transactional | 20 % of hours with executives    |
# (* by override)
# Partnership rate: 110 h / 400,000 margin → A expects 82.5 h (index 1.21), B 27.5 h
# (0.36: thin). Transactional rate: 80 h / 71,000 → C expects 1.13 h (17.75),
# D 56.3 h (0.89), E 22.5 h (0.44).
PORTFOLIO = features_frame(
    {
        "account_id": "A",
        "name": "Alpha",
        "won_12m": 1_000_000.0,
        "gross_margin_pct": 30.0,
        "effort_minutes_recorded_12m": 6000.0,
        "effort_minutes_recorded_prev_12m": 12000.0,
        "procurement_minutes_12m": 1000.0,
        "executive_minutes_12m": 1500.0,
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
        "won_12m": 400_000.0,
        "gross_margin_pct": 25.0,
        "effort_minutes_recorded_12m": 600.0,
        "effort_minutes_recorded_prev_12m": 600.0,
        "procurement_minutes_12m": 600.0,
        "departments_engaged": 1,
        "procurement_only": True,
    },
    {
        "account_id": "C",
        "name": "Gamma",
        "won_12m": 10_000.0,
        "gross_margin_pct": 10.0,
        "effort_minutes_recorded_12m": 1200.0,
        "effort_minutes_recorded_prev_12m": 1200.0,
        "procurement_minutes_12m": 300.0,
    },
    {
        "account_id": "D",
        "name": "Delta",
        "won_12m": 200_000.0,
        "gross_margin_pct": 25.0,
        "effort_minutes_recorded_12m": 3000.0,
        "effort_minutes_recorded_prev_12m": 3000.0,
        "procurement_minutes_12m": 3000.0,
    },
    {
        "account_id": "E",
        "name": "Epsilon",
        "won_12m": 100_000.0,
        "gross_margin_pct": 20.0,
        "effort_minutes_recorded_12m": 600.0,
        "effort_minutes_recorded_prev_12m": 600.0,
        "procurement_minutes_12m": 480.0,
        "executive_minutes_12m": 120.0,
    },
)
OVERRIDES = pl.DataFrame(
    {"account_id": ["B"], "relationship": ["partnership"], "reason": ["co-design"]}
)


@pytest.fixture
def accounts() -> pl.DataFrame:
    return effort.account_effort(
        segment.assign_segments(PORTFOLIO, overrides=OVERRIDES)
    )


def value(frame: pl.DataFrame, account_id: str, column: str):
    return frame.filter(pl.col("account_id") == account_id)[column][0]


def test_expected_hours_and_index(accounts):
    assert value(accounts, "A", "relationship") == "partnership"
    assert value(accounts, "C", "value_segment") == "below_zero"
    assert value(accounts, "A", "expected_hours") == pytest.approx(82.5)
    assert value(accounts, "A", "effort_index") == pytest.approx(100 / 82.5)
    assert value(accounts, "B", "effort_index") == pytest.approx(10 / 27.5)
    assert value(accounts, "C", "effort_index") == pytest.approx(
        20 / (1000 * 80 / 71_000)
    )
    assert value(accounts, "A", "effort_change_pct") == pytest.approx(-50)
    assert value(accounts, "C", "non_procurement_share_pct") == pytest.approx(75)
    assert value(accounts, "E", "executive_share_pct") == pytest.approx(20)
    assert value(accounts, "D", "hours_per_1000_margin") == pytest.approx(1.0)
    assert accounts["effort_share_pct"].sum() == pytest.approx(100)


def test_misallocation_lists(accounts):
    issues = effort.misallocations(accounts)
    listed = [
        (row[0], row[1]) for row in issues.select("issue", "account_id").iter_rows()
    ]
    assert listed == [
        ("over_served", "C"),
        ("under_served", "A"),  # shrinking by half
        ("under_served", "B"),  # thin: 0.36 of what its margin justifies
        ("procurement_only_partnership", "B"),
        ("broad_transactional", "C"),  # 75 % beyond purchasing
        ("broad_transactional", "E"),  # 20 % with executives
    ]
    assert effort.issue_counts(issues) == {
        "over_served": 1,
        "under_served": 2,
        "procurement_only_partnership": 1,
        "broad_transactional": 2,
    }
    assert "transactional" in issues["why"][0]


def test_misallocation_thresholds_move_the_lists(accounts):
    # a strict over-served factor adds no one (C is listed for being below zero)
    loose = effort.misallocations(accounts, over_factor=1.1)
    over = loose.filter(pl.col("issue") == "over_served")["account_id"].to_list()
    assert over == ["C", "A"]  # below zero first, then A at 1.21×
    calm = effort.misallocations(
        accounts,
        thin_factor=0.1,
        shrink_pct=60,
        broad_share_pct=80,
        executive_share_pct=25,
    )
    assert effort.issue_counts(calm)["under_served"] == 0
    assert effort.issue_counts(calm)["broad_transactional"] == 0


def test_groups_and_shares(accounts):
    groups = effort.effort_by_group(accounts, "relationship")
    partnership = groups.filter(pl.col("relationship") == "partnership").row(
        0, named=True
    )
    assert partnership["effort_hours"] == pytest.approx(110)
    assert partnership["effort_share_pct"] == pytest.approx(110 / 190 * 100)
    assert partnership["revenue_share_pct"] == pytest.approx(1.4e6 / 1.71e6 * 100)
    shares = effort.share_comparison(groups, "relationship")
    assert set(shares["measure"]) == {"effort", "revenue", "contribution"}
    assert shares.height == 6
    both = effort.effort_by_group(accounts, "segment_and_type")
    assert both["accounts"].sum() == 5


def test_what_if_moves_cost_between_groups(accounts):
    projection = effort.what_if(
        accounts, "relationship", "transactional", "partnership", 50, hourly_cost=90
    )
    rows = {r["group"]: r for r in projection.to_dicts()}
    assert rows["transactional"]["projected_hours"] == pytest.approx(40)
    assert rows["partnership"]["projected_hours"] == pytest.approx(150)
    assert rows["partnership"]["contribution_change"] == pytest.approx(-3600)
    assert rows["transactional"]["contribution_change"] == pytest.approx(3600)
    assert projection["projected_contribution"].sum() == pytest.approx(
        projection["contribution"].sum()
    )
    same = effort.what_if(accounts, "relationship", "partnership", "partnership", 50)
    assert same["contribution_change"].abs().sum() == 0
    assert (
        effort.group_labels(accounts, "segment_and_type")[0]
        == "below_zero · transactional"
    )
    with pytest.raises(ValueError, match="between 0 and 100"):
        effort.what_if(accounts, "relationship", "partnership", "transactional", 150)


def test_top_labels_keeps_the_busiest(salesforce_con):
    segments = readers.account_segments(salesforce_con, as_of=AS_OF)
    breakdown = effort.effort_breakdown(
        store.effort_aggregates(salesforce_con, AS_OF), segments, "kind"
    )
    top = effort.top_labels(breakdown, 1)
    assert set(top["label"]) == {"meeting"}


# --- the demo and the command line --------------------------------------------------


def test_demo_overserved_accounts_are_listed_first(demo_con):
    accounts = effort.account_effort(readers.account_segments(demo_con))
    issues = effort.misallocations(accounts)
    over = issues.filter(pl.col("issue") == "over_served")
    below_zero = accounts.filter(pl.col("value_segment") == "below_zero")
    assert below_zero.height > 0
    first = over.head(below_zero.height)
    assert set(first["account_id"]) == set(below_zero["account_id"])


def test_cli_effort(demo_db, capsys):
    from workbench.cli import main

    assert main(["effort", "--db", str(demo_db), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 60
    assert {
        "account_id",
        "effort_minutes",
        "activities",
        "relationship",
        "value_segment",
    } <= set(rows[0])
    assert sum(r["activities"] for r in rows) > 0
    assert main(["effort", "--db", str(demo_db), "--csv", "--issues"]) == 0
    text = capsys.readouterr().out
    assert text.lstrip("\ufeff").startswith("issue,account_id")
    assert main(["effort", "--db", str(demo_db), "--over-factor", "0"]) == 1


def test_effort_charts_encode_the_right_fields(accounts, salesforce_con):
    from workbench import charts

    scatter = charts.effort_value_scatter(accounts).to_dict()
    assert scatter["encoding"]["x"]["field"] == "margin"
    assert scatter["encoding"]["y"]["field"] == "effort_hours"
    assert scatter["encoding"]["shape"]["field"] == "relationship"
    groups = effort.effort_by_group(accounts, "value_segment")
    bars = charts.share_bars(effort.share_comparison(groups, "value_segment")).to_dict()
    assert bars["encoding"]["x"]["field"] == "share_pct"
    assert bars["encoding"]["color"]["field"] == "measure"
    segments = readers.account_segments(salesforce_con, as_of=AS_OF)
    aggregates = store.effort_aggregates(salesforce_con, AS_OF)
    stacked = charts.effort_stacked_bars(
        effort.effort_breakdown(aggregates, segments, "seller"), "Effort by seller"
    ).to_dict()
    assert stacked["encoding"]["color"]["field"] == "relationship"
    assert stacked["encoding"]["y"]["field"] == "label"
    trend = charts.effort_trend_chart(
        effort.effort_trend(aggregates, segments, "value_segment"), "value_segment"
    ).to_dict()
    assert trend["encoding"]["x"]["field"] == "period_start"
    assert trend["encoding"]["color"]["field"] == "value_segment"


def test_cli_effort_issue_thresholds(demo_db, capsys):
    from workbench.cli import main

    assert main(["effort", "--db", str(demo_db), "--issues", "--json"]) == 0
    default = json.loads(capsys.readouterr().out)
    args = ["--broad-share", "101", "--executive-share", "101", "--thin-factor", "0"]
    assert main(["effort", "--db", str(demo_db), "--issues", "--json", *args]) == 0
    strict = json.loads(capsys.readouterr().out)
    assert any(r["issue"] == "broad_transactional" for r in default)
    assert not any(r["issue"] == "broad_transactional" for r in strict)
    assert main(["effort", "--db", str(demo_db), "--issues", "--shrink-pct", "-1"]) == 1
