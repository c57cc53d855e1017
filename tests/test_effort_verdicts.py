"""The service model and its verdicts, rule by rule, on small hand-built frames.

Each account row is what segmentation hands to effort (relationship type, value
segment, revenue on its basis, margin, headroom, hours and whom they went to), so
every rule is checked without depending on how segments are cut.
"""

from __future__ import annotations

import re

import polars as pl
import pytest

from tests.effort_verdicts_support import HOURLY, judged, row_of, segments_frame
from workbench.analytics import effort
from workbench.errors import RejectedInputError

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
