"""The service model and its verdicts, rule by rule, on small hand-built frames.

Each account row is what segmentation hands to effort (relationship type, value
segment, revenue on its basis, margin, headroom, hours and whom they went to), so
every rule is checked without depending on how segments are cut.
"""

from __future__ import annotations

import json
import re
from datetime import date

import polars as pl
import pytest

from workbench import plans, readers, store
from workbench.analytics import effort
from workbench.domain import LOCAL_ACTOR
from workbench.errors import RejectedInputError

HOURLY = 90.0

_DEFAULTS: dict[str, object] = {
    "name": "x",
    "relationship": "transactional",
    "value_segment": "maintain",
    "revenue": 0.0,
    "revenue_prev": 0.0,
    "margin_pct": 25.0,
    "headroom": 0.0,
    "potential": None,
    "hours": 0.0,
    "procurement_hours": 0.0,
    "executive_hours": 0.0,
    "unattributed_hours": 0.0,
    "activities": 0,
    "procurement_only": False,
    "departments_engaged": 0,
}


def segments_frame(*rows: dict[str, object]) -> pl.DataFrame:
    """Return segmented accounts as :func:`effort.account_effort` reads them."""
    full = [{**_DEFAULTS, **row} for row in rows]
    base = pl.DataFrame(full, infer_schema_length=None)
    minutes = pl.col("hours").cast(pl.Float64) * 60
    return base.select(
        pl.col("account_id").cast(pl.String),
        pl.col("name").cast(pl.String),
        pl.col("relationship").cast(pl.String),
        pl.col("value_segment").cast(pl.String),
        effort_minutes=minutes,
        effort_minutes_recorded_12m=minutes,
        effort_hours=pl.col("hours").cast(pl.Float64),
        activities_12m=pl.col("activities").cast(pl.Int64),
        activities_without_duration_12m=pl.lit(0, pl.Int64),
        effort_change_pct=pl.lit(None, pl.Float64),
        won_12m=pl.col("revenue").cast(pl.Float64),
        revenue=pl.col("revenue").cast(pl.Float64),
        revenue_prev=pl.col("revenue_prev").cast(pl.Float64),
        margin_pct=pl.col("margin_pct").cast(pl.Float64),
        margin=pl.col("revenue") * pl.col("margin_pct") / 100,
        cost_to_serve=pl.col("hours") * HOURLY,
        contribution=pl.col("revenue") * pl.col("margin_pct") / 100
        - pl.col("hours") * HOURLY,
        potential=pl.col("potential").cast(pl.Float64),
        headroom=pl.col("headroom").cast(pl.Float64),
        departments_engaged=pl.col("departments_engaged").cast(pl.Int64),
        procurement_only=pl.col("procurement_only").cast(pl.Boolean),
        procurement_minutes_12m=pl.col("procurement_hours").cast(pl.Float64) * 60,
        executive_minutes_12m=pl.col("executive_hours").cast(pl.Float64) * 60,
        unattributed_minutes_12m=pl.col("unattributed_hours").cast(pl.Float64) * 60,
    )


def judged(*rows: dict[str, object], **rules: float) -> pl.DataFrame:
    accounts = effort.account_effort(segments_frame(*rows))
    return effort.judge(
        accounts,
        rules=effort.MisallocationRules().changed(**rules),
        hourly_cost=HOURLY,
        currency="EUR",
    )


def row_of(frame: pl.DataFrame, account_id: str) -> dict[str, object]:
    return frame.filter(pl.col("account_id") == account_id).row(0, named=True)


# --- the deserved band ---------------------------------------------------------------


def test_band_is_the_share_of_the_margin_at_stake_over_the_hourly_cost():
    # partnership × most valuable: 1–4 % of the margin at stake, headroom weight
    # 0.25, floor 40 h. Margin at stake 30 % × (1,000,000 + 0.25 × 400,000) =
    # 330,000 → 3,300 / 90 = 36.7 h, below the floor: 40 h; up to 13,200 / 90.
    frame = judged(
        {
            "account_id": "P",
            "relationship": "partnership",
            "value_segment": "most_valuable",
            "revenue": 1_000_000.0,
            "margin_pct": 30.0,
            "headroom": 400_000.0,
            "hours": 100.0,
            "procurement_hours": 20.0,
            "executive_hours": 20.0,
        }
    )
    p = row_of(frame, "P")
    assert p["margin_at_stake"] == pytest.approx(330_000)
    assert p["deserved_low_hours"] == pytest.approx(40)
    assert p["deserved_high_hours"] == pytest.approx(13_200 / 90)
    assert p["expected_hours"] == pytest.approx((40 + 13_200 / 90) / 2)
    assert p["investment"] == "right"
    assert p["people"] == "right"
    assert p["misallocation_cost"] == 0
    assert "EUR" in str(p["verdict_why"])


def test_a_partnership_between_renewals_keeps_last_years_revenue_as_its_base():
    # No revenue this year (the renewal falls next year), 1.2 M last year: the
    # band is last year's margin at stake, not "deserves 0 h".
    frame = judged(
        {
            "account_id": "R",
            "relationship": "partnership",
            "value_segment": "maintain",
            "revenue": 0.0,
            "revenue_prev": 1_200_000.0,
            "margin_pct": 25.0,
            "hours": 120.0,
            "procurement_hours": 30.0,
            "executive_hours": 30.0,
        }
    )
    r = row_of(frame, "R")
    # 25 % × 1.2 M = 300,000; 1–4 % → 33.3–133.3 h (floor 20 h)
    assert r["deserved_low_hours"] == pytest.approx(3_000 / 90)
    assert r["deserved_high_hours"] == pytest.approx(12_000 / 90)
    assert r["investment"] == "right"
    assert effort.issues(frame).height == 0


def test_a_growable_account_can_be_under_invested_and_is_not_told_to_narrow():
    # Transactional × most growable: 0.75–3 % of margin on revenue plus half the
    # headroom. 25 % × (200,000 + 0.5 × 2,000,000) = 300,000 → 25–100 h deserved;
    # 6 h given. Its model involves the deciders too, so reaching beyond
    # purchasing is right, not "broad effort on a transactional account".
    frame = judged(
        {
            "account_id": "G",
            "value_segment": "most_growable",
            "revenue": 200_000.0,
            "headroom": 2_000_000.0,
            "hours": 6.0,
            "procurement_hours": 2.0,
            "executive_hours": 2.0,
        }
    )
    g = row_of(frame, "G")
    assert g["involve"] == "purchasing_and_deciders"
    assert g["investment"] == "under_invested"
    assert g["people"] == "right"
    assert g["misallocation_cost"] == pytest.approx((2_250 / 90 - 6) * HOURLY)
    found = effort.issues(frame)
    assert found["issue"].to_list() == ["under_served"]


def test_procurement_only_account_with_no_org_chart_and_unnamed_activities_is_left_alone():
    # Transactional × maintain; no people on record, so all 3 h name no person.
    # Hours within the band (25 % × 400,000 = 100,000 → 2.8–16.7 h); people not
    # judged (nothing known); no issue at all.
    frame = judged(
        {
            "account_id": "U",
            "revenue": 400_000.0,
            "hours": 3.0,
            "unattributed_hours": 3.0,
        }
    )
    u = row_of(frame, "U")
    assert u["named_hours"] == 0
    assert u["non_procurement_share_pct"] is None
    assert u["unattributed_share_pct"] == pytest.approx(100)
    assert u["investment"] == "right"
    assert u["people"] == "not_judged"
    assert effort.issues(frame).height == 0


def test_unnamed_activities_never_count_as_beyond_purchasing():
    # 10 h: 4 with purchasing, 2 with engineering, 4 naming no person. Counting
    # the unnamed as "beyond purchasing" would give 60 % (broad); of the named
    # hours it is 33 %.
    frame = judged(
        {
            "account_id": "N",
            "revenue": 1_000_000.0,
            "hours": 10.0,
            "procurement_hours": 4.0,
            "unattributed_hours": 4.0,
        }
    )
    n = row_of(frame, "N")
    assert n["named_hours"] == pytest.approx(6)
    assert n["non_procurement_share_pct"] == pytest.approx(100 / 3)
    assert n["unattributed_share_pct"] == pytest.approx(40)
    assert n["people"] == "right"


def over_served_and_broad() -> pl.DataFrame:
    # Transactional × maintain with 50 h against 2.8–16.7 h, 80 % of the named
    # hours beyond purchasing: over-served and too broad (the same message: less,
    # and with purchasing).
    return judged(
        {
            "account_id": "B",
            "revenue": 400_000.0,
            "hours": 50.0,
            "procurement_hours": 10.0,
            "executive_hours": 10.0,
        }
    )


def test_purchasing_only_model_flags_broad_effort_and_over_investment_together():
    frame = over_served_and_broad()
    assert row_of(frame, "B")["investment"] == "over_invested"
    found = effort.issues(frame)
    assert found["issue"].to_list() == ["over_served", "broad_transactional"]
    assert "EUR" in found["why"][0]


@pytest.mark.parametrize(
    ("language", "band", "involve", "cost"),
    [
        ("zh-Hans", "50.0 小时，其服务模式应得", "服务模式要求：仅采购", "每年成本"),
        ("zh-Hant", "50.0 小時，其服務模式應得", "服務模式要求：僅採購", "每年成本"),
    ],
)
def test_the_reasons_of_the_issues_read_in_the_language_asked(
    language, band, involve, cost
):
    frame = over_served_and_broad()
    english = effort.issues(frame, "EUR")
    found = effort.issues(frame, "EUR", language)
    # the same issues, codes and figures; only the sentences change
    assert found.drop("why").equals(english.drop("why"))
    over, broad = found["why"].to_list()
    assert over.startswith(band) and cost in over and "EUR" in over
    assert "80 %" in broad and broad.startswith(involve)
    for text in (over, broad):
        assert not re.search(r"[a-z]{3,}", text), text
    # English stays as it was, whatever language is in force
    assert english["why"][0].startswith("50.0 h against the")
    assert "hours beyond the band cost" in english["why"][0]


def test_under_invested_account_is_never_also_too_broad():
    # Transactional × maintain, 1 h against 2.8 h, all with an executive: more
    # hours with purchasing is one message, so no "broad" verdict beside it.
    frame = judged(
        {
            "account_id": "T",
            "revenue": 400_000.0,
            "hours": 1.0,
            "executive_hours": 1.0,
        }
    )
    t = row_of(frame, "T")
    assert t["investment"] == "under_invested"
    assert t["people"] == "right"
    assert effort.issues(frame)["issue"].to_list() == ["under_served"]


def test_partnership_served_through_purchasing_only_is_wrong_people():
    frame = judged(
        {
            "account_id": "Q",
            "relationship": "partnership",
            "value_segment": "maintain",
            "revenue": 1_000_000.0,
            "hours": 40.0,
            "procurement_hours": 38.0,
        }
    )
    assert row_of(frame, "Q")["people"] == "wrong_people"
    assert effort.issues(frame)["issue"].to_list() == ["procurement_only_partnership"]
    # too little named to judge: below the minimum of named hours
    few = judged(
        {
            "account_id": "Q",
            "relationship": "partnership",
            "value_segment": "maintain",
            "revenue": 1_000_000.0,
            "hours": 40.0,
            "procurement_hours": 0.5,
            "unattributed_hours": 39.5,
        }
    )
    assert row_of(few, "Q")["people"] == "not_judged"


def test_no_data_accounts_are_not_judged():
    frame = judged({"account_id": "Z", "value_segment": "no_data"})
    z = row_of(frame, "Z")
    assert z["investment"] == "not_judged" and z["people"] == "not_judged"
    assert effort.issues(frame).height == 0


def test_a_portfolio_with_no_effort_recorded_is_not_judged_on_hours():
    # An export of accounts and deals alone (no activity file, as the Maven CRM
    # data): every account's zero hours are not known, not every account starved.
    rich = {"revenue": 400_000.0, "value_segment": "most_valuable"}
    frame = judged({"account_id": "A", **rich}, {"account_id": "B", **rich})
    assert frame["investment"].to_list() == ["not_judged", "not_judged"]
    assert frame["people"].to_list() == ["not_judged", "not_judged"]
    assert effort.issues(frame).height == 0
    assert frame["misallocation_cost"].to_list() == [0.0, 0.0]
    assert "no effort recorded" in row_of(frame, "A")["verdict_why"]
    zh = effort.explain_verdicts(frame.drop("verdict_why"), "EUR", "zh-Hans")
    assert "未记录" in row_of(zh, "A")["verdict_why"]
    # one activity anywhere in the portfolio: the account with none is under-invested
    served = {"hours": 3.0, "procurement_hours": 3.0, "activities": 2}
    frame = judged({"account_id": "A", **rich}, {"account_id": "B", **rich, **served})
    assert row_of(frame, "A")["investment"] == "under_invested"
    assert "no effort recorded" not in row_of(frame, "A")["verdict_why"]
    # said by the caller, which knows the whole portfolio (one account's rows)
    alone = effort.account_effort(segments_frame({"account_id": "A", **rich}))
    assert (
        effort.judge(alone, effort_recorded=True).row(0, named=True)["investment"]
        == "under_invested"
    )


def test_rules_move_the_verdicts():
    base = {
        "account_id": "B",
        "revenue": 400_000.0,
        "hours": 20.0,
        "procurement_hours": 20.0,
    }
    assert row_of(judged(base), "B")["investment"] == "over_invested"
    assert row_of(judged(base, over_factor=1.5), "B")["investment"] == "right"
    thin = {**base, "hours": 2.0, "procurement_hours": 2.0}
    assert row_of(judged(thin), "B")["investment"] == "under_invested"
    assert row_of(judged(thin, thin_factor=0.5), "B")["investment"] == "right"
    with pytest.raises(ValueError, match="unknown rules"):
        effort.MisallocationRules().changed(colour=1)


def test_no_account_ever_carries_two_contradicting_issues():
    rows = [
        {
            "account_id": f"A{i}",
            "relationship": relationship,
            "value_segment": value_segment,
            "revenue": revenue,
            "headroom": revenue,
            "hours": hours,
            "procurement_hours": hours * share,
            "executive_hours": hours * (1 - share) / 2,
            "unattributed_hours": 0.0,
        }
        for i, (relationship, value_segment, revenue, hours, share) in enumerate(
            (r, s, rev, h, sh)
            for r in effort.MODEL_RELATIONSHIPS
            for s in effort.MODEL_SEGMENTS
            for rev in (0.0, 50_000.0, 5_000_000.0)
            for h in (0.5, 5.0, 500.0)
            for sh in (0.0, 0.5, 1.0)
        )
    ]
    found = effort.issues(judged(*rows))
    per_account = found.group_by("account_id").agg(pl.col("issue"))
    for issues in per_account["issue"].to_list():
        for first, second in effort.CONTRADICTIONS:
            assert not (first in issues and second in issues)
        assert len(issues) <= 2


# --- the model table -----------------------------------------------------------------


def test_model_validation_reports_every_problem_and_keeps_defaults_for_the_rest():
    model = effort.default_model()
    edited = model.with_columns(
        low_pct=pl.when(pl.col("value_segment") == "maintain")
        .then(9.0)
        .otherwise(pl.col("low_pct")),
    )
    with pytest.raises(RejectedInputError) as error:
        effort.model_from_frame(edited.vstack(edited.head(1)))
    message = str(error.value)
    assert "low end of the band is above the high end" in message
    assert "given twice" in message
    bad = [
        {"relationship": "partnership", "value_segment": "maintain", "involve": "x"},
        {"relationship": "friends", "value_segment": "maintain"},
    ]
    with pytest.raises(RejectedInputError, match="must be a number") as error:
        effort.validate_model(bad)
    assert "no such relationship type" in str(error.value)
    one = effort.validate_model(
        [{**effort.DEFAULT_MODEL[0].__dict__, "floor_hours": 99.0}]
    )
    assert one.height == len(effort.DEFAULT_MODEL)
    assert one["floor_hours"][0] == 99 and one["floor_hours"][1] != 99


def test_the_model_changes_the_verdict():
    row = {"account_id": "M", "revenue": 400_000.0, "hours": 30.0}
    assert row_of(judged(row), "M")["investment"] == "over_invested"
    generous = effort.default_model().with_columns(
        high_pct=pl.when(pl.col("value_segment") == "maintain")
        .then(5.0)
        .otherwise(pl.col("high_pct"))
    )
    accounts = effort.account_effort(segments_frame(row))
    again = effort.judge(accounts, generous, hourly_cost=HOURLY)
    assert row_of(again, "M")["investment"] == "right"


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
