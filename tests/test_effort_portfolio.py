"""The service model over a portfolio: capacity, sellers, what-if, the saved model.

The headline figures and moves of hours or sellers on a small hand-built
portfolio; whom the store says the hours went to; the command line and plans
following the same verdicts.
"""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from tests.effort_verdicts_support import HOURLY, judged, row_of, segments_frame
from workbench import plans, readers, store
from workbench.analytics import effort
from workbench.domain import LOCAL_ACTOR
from workbench.errors import RejectedInputError

# --- capacity: headline, sellers, what-if -------------------------------------------

PORTFOLIO = (
    {
        "account_id": "P1",
        "relationship": "partnership",
        "value_segment": "most_valuable",
        "revenue": 4_000_000.0,
        "margin_pct": 30.0,
        "hours": 400.0,
        "procurement_hours": 100.0,
        "executive_hours": 60.0,
    },
    {
        "account_id": "G1",
        "value_segment": "most_growable",
        "revenue": 200_000.0,
        "headroom": 2_000_000.0,
        "hours": 5.0,
        "procurement_hours": 5.0,
    },
    {
        "account_id": "T1",
        "revenue": 100_000.0,
        "hours": 60.0,
        "procurement_hours": 60.0,
    },
    {
        "account_id": "T2",
        "value_segment": "below_zero",
        "revenue": 10_000.0,
        "margin_pct": 10.0,
        "hours": 40.0,
        "procurement_hours": 10.0,
    },
)


def test_headline_figures():
    frame = judged(*PORTFOLIO)
    figures = effort.headline(frame)
    # transactional hours: 5 + 60 + 40 of 505
    assert figures.transactional_hours_pct == pytest.approx(105 / 505 * 100)
    contribution = frame["contribution"]
    transactional = frame.filter(pl.col("relationship") == "transactional")
    assert figures.transactional_contribution_pct == pytest.approx(
        transactional["contribution"].sum() / contribution.sum() * 100
    )
    over = frame.filter(pl.col("investment") == "over_invested")
    assert set(over["account_id"]) == {"T1", "T2"}
    assert figures.top_over_count == 2
    assert figures.top_over_cost == pytest.approx(over["misallocation_cost"].sum())
    assert figures.biggest["misallocation_cost"].is_sorted(descending=True)
    assert figures.biggest.height == 3


def test_moving_hours_to_growable_accounts_raises_assumed_contribution():
    frame = judged(*PORTFOLIO)
    projected, change = effort.move_capacity(
        frame, "value_segment", "maintain", "most_growable", 30, hourly_cost=HOURLY
    )
    assert change.hours_moved == 30
    assert change.hours_change == pytest.approx(0)
    assert change.cost_change == pytest.approx(0)
    # +30 h × 90 × (1.5 − 1) on growable, −30 h × 90 × (0.5 − 1) on maintain
    assert change.assumed_contribution_change == pytest.approx(30 * 90 * 1.0)
    g1 = row_of(projected, "G1")
    assert g1["projected_hours"] == pytest.approx(35)
    assert g1["projected_investment"] == "right" and g1["verdict_changes"]
    assert change.verdicts_changed >= 1
    # taking more than a group has moves only what it has
    _, capped = effort.move_capacity(
        frame, "account", "T2", "G1", 1_000, hourly_cost=HOURLY
    )
    assert capped.hours_moved == 40


def test_adding_and_removing_sellers_changes_the_cost():
    frame = judged(*PORTFOLIO)
    projected, added = effort.move_capacity(
        frame,
        "relationship",
        None,
        "partnership",
        effort.DEFAULT_HOURS_PER_SELLER,
        hourly_cost=HOURLY,
    )
    assert added.hours_change == pytest.approx(600)
    assert added.cost_change == pytest.approx(600 * HOURLY)
    # most valuable: each hour returns its cost, so contribution stays
    assert added.assumed_contribution_change == pytest.approx(0)
    assert row_of(projected, "P1")["projected_hours"] == pytest.approx(1_000)
    _, removed = effort.move_capacity(
        frame, "relationship", "transactional", None, 50, hourly_cost=HOURLY
    )
    assert removed.hours_change == pytest.approx(-50)
    assert removed.cost_change == pytest.approx(-50 * HOURLY)
    with pytest.raises(ValueError, match="come from or go to"):
        effort.move_capacity(frame, "relationship", None, None, 5, hourly_cost=1)
    with pytest.raises(ValueError, match="0 or more"):
        effort.move_capacity(frame, "relationship", "a", "b", -5, hourly_cost=1)


def test_seller_and_team_verdicts():
    frame = judged(*PORTFOLIO)
    aggregates = pl.DataFrame(
        {
            "dimension": ["seller"] * 4,
            "period": ["current"] * 4,
            "account_id": ["T1", "T1", "P1", "G1"],
            "seller_id": ["s1", "s2", "s1", "s2"],
            "seller_name": ["Ada", "Bo", "Ada", "Bo"],
            "team": ["KAM", "Inside", "KAM", "Inside"],
            "minutes_recorded": [40 * 60.0, 20 * 60.0, 400 * 60.0, 5 * 60.0],
            "activities": [4, 2, 40, 1],
            "activities_without_duration": [0, 0, 0, 0],
        }
    )
    sellers = effort.seller_verdicts(aggregates, frame, 15)
    ada = sellers.filter(pl.col("seller_name") == "Ada").row(0, named=True)
    assert ada["effort_hours"] == pytest.approx(440)
    assert ada["over_invested_hours"] == pytest.approx(40)
    t1_cost = row_of(frame, "T1")["misallocation_cost"]
    assert ada["excess_cost"] == pytest.approx(t1_cost * 40 / 60)
    bo = sellers.filter(pl.col("seller_name") == "Bo").row(0, named=True)
    assert bo["under_invested_hours"] == pytest.approx(5)
    teams = effort.seller_verdicts(aggregates, frame, 15, by="team")
    assert teams["effort_hours"].sum() == pytest.approx(465)
    assert set(teams["team"]) == {"KAM", "Inside"}


# --- the store: whom the hours went to, the saved model -------------------------------


def test_store_splits_hours_by_function_and_keeps_unnamed_activities_apart(con):
    frames = {
        "accounts": pl.DataFrame({"account_id": ["A"], "name": ["Acme"]}),
        "contacts": pl.DataFrame(
            {
                "contact_id": ["c1", "c2", "c3"],
                "account_id": ["A", "A", "A"],
                "department": ["Procurement", "Engineering", "Engineering"],
                "title": ["Buyer", "Engineer", "Managing Director"],
            }
        ),
        "activities": pl.DataFrame(
            {
                "activity_id": ["1", "2", "3", "4", "5"],
                "account_id": ["A"] * 5,
                "contact_id": ["c1", "c2", "c3", None, "gone"],
                "kind": ["call"] * 5,
                "activity_date": [date(2026, 5, 1)] * 5,
                "duration_minutes": [60.0, 30.0, 30.0, 120.0, None],
                "source": ["crm"] * 5,
                "source_id": ["1", "2", "3", "4", "5"],
            }
        ),
    }
    with store.write_transaction(con) as cur:
        store.replace_data(cur, frames)
    split = store.effort_by_function(con, date(2026, 6, 30))
    minutes = dict(zip(split["function"], split["minutes_recorded"], strict=True))
    assert minutes == {
        "procurement": 60,
        "other": 30,
        "executive": 30,
        "unattributed": 120,  # no person, and a person not on record (no minutes)
    }
    unnamed = split.filter(pl.col("function") == "unattributed").row(0, named=True)
    assert unnamed["activities"] == 2 and unnamed["activities_without_duration"] == 1
    accounts = effort.account_effort(
        readers.account_segments(con, as_of=date(2026, 6, 30)), split, 15
    )
    acme = accounts.row(0, named=True)
    assert acme["unattributed_hours"] == pytest.approx(135 / 60)
    assert acme["non_procurement_share_pct"] == pytest.approx(50)
    assert acme["executive_share_pct"] == pytest.approx(25)


def test_service_model_is_saved_per_scenario_and_an_older_file_upgrades(tmp_path):
    import duckdb

    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    store.migrate(old, target=12)
    old.execute(
        "INSERT INTO segment_scenarios VALUES ('Lean', '{}', 'ada', now()::TIMESTAMP)"
    )
    old.close()
    connection = store.connect(path)
    try:
        assert store.schema_version(connection) >= 14
        assert store.segment_scenarios(connection)["name"].to_list() == ["Lean"]
        assert store.service_model(connection) is None
        rows = effort.default_model().with_columns(floor_hours=pl.lit(7.0)).to_dicts()
        store.save_service_model(connection, LOCAL_ACTOR, "", rows)
        assert store.service_model(connection)[0]["floor_hours"] == 7.0
        assert store.service_model(connection, "Other") is None
        assert store.service_models(connection)["scenario"].to_list() == [""]
    finally:
        connection.close()


def test_workbench_saves_the_model_with_a_scenario(demo_con):
    from workbench.api import Workbench

    wb = Workbench(demo_con)
    wb.save_scenario("Lean", valuable_top_pct=15)
    generous = wb.service_model().with_columns(high_pct=pl.lit(50.0))
    wb.save_service_model(generous, "Lean")
    assert wb.service_model("Lean")["high_pct"].to_list() == [50.0] * 8
    assert wb.service_model()["high_pct"].to_list() != [50.0] * 8
    with pytest.raises(RejectedInputError, match="no saved scenario"):
        wb.save_service_model(generous, "Nope")
    with pytest.raises(RejectedInputError, match="above the high end"):
        wb.save_service_model(generous.with_columns(low_pct=pl.lit(60.0)))

    # the default thresholds' model judges the API's and the plans' effort
    def over() -> int:
        return wb.effort().filter(pl.col("investment") == "over_invested").height

    before = over()
    wb.save_service_model(generous)
    assert over() < before


# --- the command line and plans follow the same verdicts -----------------------------


def test_cli_issue_rows_never_contradict(demo_db, capsys):
    from workbench.cli import main

    assert main(["effort", "--db", str(demo_db), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 60
    assert {"account_id", "effort_minutes", "investment", "people"} <= set(rows[0])
    assert main(["effort", "--issues", "--db", str(demo_db), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found and {"issue", "account_id", "name", "why"} <= set(found[0])
    per_account: dict[str, set[str]] = {}
    for row in found:
        per_account.setdefault(row["account_id"], set()).add(row["issue"])
    for issues in per_account.values():
        for first, second in effort.CONTRADICTIONS:
            assert not {first, second} <= issues
    assert all("USD" in row["why"] for row in found if row["issue"] == "over_served")


def test_plans_follow_the_verdicts(demo_con):
    judged_accounts = readers.judged_effort(demo_con)
    for involve, opposite in (
        ("purchasing", "reach the deciders"),
        ("purchasing_and_deciders", "Work mainly with the customer's buyers"),
        ("functions_and_executives", "Work mainly with the customer's buyers"),
    ):
        candidates = judged_accounts.filter(
            (pl.col("involve") == involve) & (pl.col("value_segment") != "below_zero")
        )
        if candidates.height == 0:
            continue
        account_id = str(candidates["account_id"][0])
        situation = plans.build_situation(demo_con, account_id)
        drafted = plans.draft_sections(situation)["customise"]
        assert effort.INVOLVEMENT_GUIDANCE[involve] in drafted
        assert opposite not in drafted
        facts = {f.label: f.value for f in situation.part("effort").facts}
        assert facts["Investment verdict"] == candidates["investment"][0]


def test_the_earlier_entry_point_still_lists_issues():
    accounts = effort.account_effort(
        segments_frame(
            {
                "account_id": "B",
                "revenue": 400_000.0,
                "hours": 20.0,
                "procurement_hours": 20.0,
            }
        )
    )
    assert effort.misallocations(accounts)["issue"].to_list() == ["over_served"]
    assert effort.misallocations(accounts, over_factor=2).height == 0


@pytest.mark.parametrize("language", ["en", "zh-Hans", "zh-Hant"])
def test_issues_worded_for_the_first_rows_only_are_those_rows(language):
    # The page words only the rows it shows: the same rows and sentences as the
    # first of every issue, whatever the cut (inside a kind of issue, or between).
    frame = judged(*PORTFOLIO)
    every = effort.issues(frame, "EUR", language)
    assert every.height > 2
    for limit in range(every.height + 2):
        first = effort.issues(frame, "EUR", language, limit=limit)
        assert first.equals(every.head(limit))


@pytest.mark.parametrize("language", ["en", "zh-Hans", "zh-Hant"])
def test_judged_without_reasons_gives_the_same_issues_and_downloads(language):
    # The page judges without the reasons in words (a sentence per account at each
    # move of a rule); the issues and the download add them to their own rows.
    explained = judged(*PORTFOLIO)
    bare = effort.judge(
        effort.account_effort(segments_frame(*PORTFOLIO)),
        hourly_cost=HOURLY,
        currency="EUR",
        explain=False,
    )
    assert "verdict_why" not in bare.columns
    assert effort.explain_verdicts(bare, "EUR").equals(explained)
    for limit in (None, 1, 2):
        assert effort.issues(bare, "EUR", language, limit=limit).equals(
            effort.issues(explained, "EUR", language, limit=limit)
        )
