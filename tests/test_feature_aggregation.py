"""The account features' activity, people and bookings columns against a
from-scratch computation.

The store sums these in one SQL statement shaped for speed (activities grouped
per account and window and per account and person, reporting levels found by
pointer jumping over the people with a manager only, on row numbers). Here the
same columns are computed the plain way in polars, each person's level with
networkx (:func:`workbench.analytics.network.org_positions`, the buying-centre
map's own) and the seniority rule with the map's polars expression, on a small
portfolio shaped like a real export: sparse org charts, a cycle and a line to
oneself, a chain deeper than the twelve levels counted, a manager recorded at
another account, activities naming no person, a person not on record or a
person of another account, sellers with and without an hourly rate, accounts
with no activity, deals over several years.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.factories import load_frames, rows_frame
from workbench import store
from workbench.analytics import network, segment
from workbench.domain import JOINT_ACTIVITY_KINDS, months_before
from workbench.store.economic_inputs import DECIDING_ROLES

#: The deepest reporting level the features count (deeper people have none).
MAX_LEVEL = 12


def _contacts() -> pl.DataFrame:
    chain = [f"k{i}" for i in range(14)]  # A1: 14 levels, untitled
    rows: list[tuple[object, ...]] = [
        (cid, "A1", None, "Engineering", boss, None, None)
        for cid, boss in zip(chain, [None, *chain[:-1]], strict=True)
    ]
    rows += [
        # A1: a pair managing each other, a line to oneself, an assistant to a CEO,
        # the head of purchasing (never an executive), a manager at A2 (a top here)
        ("p", "A1", "Engineer", "Engineering", "q", "decider", "champion"),
        ("q", "A1", "Engineer", "Engineering", "p", None, None),
        ("s", "A1", None, "Finance", "s", "approver", "blocker"),
        ("asst", "A1", "Assistant to the CEO", "Engineering", "k0", None, None),
        ("buyer", "A1", "Head of Purchasing", "Procurement", "k1", "decider", None),
        ("away", "A1", "Analyst", "Finance", "b1", "user", "neutral"),
        # A2: a sparse chart, no manager on record but one, a VP and an office
        ("b1", "A2", "VP Operations", "Operations", None, "decider", "supporter"),
        ("b2", "A2", None, "Management", None, "approver", "skeptic"),
        ("b3", "A2", "", "Procurement", "b1", None, None),
        ("b4", "A2", "Planner", None, None, None, None),
        # A3: a three-level tree whose untitled top counts as executive
        ("c1", "A3", None, "Sales", None, None, None),
        ("c2", "A3", None, "Sales", "c1", "influencer", None),
        ("c3", "A3", None, "Sales", "c2", None, None),
        # A5: people but no activity at all
        ("e1", "A5", "CEO", "Executive", None, "decider", "champion"),
    ]
    return rows_frame(
        "contact_id account_id title department reports_to_id buying_role attitude",
        *rows,
    )


def _activities() -> pl.DataFrame:
    rows: list[tuple[object, ...]] = []
    people = [*(f"k{i}" for i in range(14)), "p", "q", "s", "asst", "buyer", "away"]
    kinds = ["meeting", "call", "workshop", "email", "joint_planning"]
    sellers = ["s_exec", "s_kam", "s_none", None, "s_gone"]
    for i, person in enumerate(people):
        for j in range(3):
            rows.append(
                (
                    f"a{i}_{j}",
                    "A1",
                    person,
                    sellers[(i + j) % len(sellers)],
                    kinds[(i + 2 * j) % len(kinds)],
                    date(2024, 11, 1) + timedelta(days=127 * j + 13 * i),
                    None if (i + j) % 4 == 0 else float(15 * (i % 5 + 1)),
                )
            )
    rows += [
        # naming no person, a person not on record, a person of another account
        ("n1", "A1", None, "s_kam", "call", date(2026, 6, 30), 30.0),
        ("n2", "A1", None, None, "workshop", date(2025, 7, 1), None),
        ("n3", "A2", "ghost", "s_exec", "meeting", date(2026, 2, 2), 45.0),
        ("n4", "A3", "b1", "s_kam", "meeting", date(2026, 3, 3), 60.0),
        ("n5", "A2", "b1", "s_exec", "joint_planning", date(2026, 1, 5), 120.0),
        ("n6", "A2", "b2", "s_none", "call", date(2025, 6, 30), 10.0),
        ("n7", "A2", "b3", "s_kam", "email", date(2025, 11, 11), None),
        ("n8", "A2", "b4", None, "meeting", date(2024, 7, 1), 25.0),
        ("n9", "A3", "c1", "s_kam", "meeting", date(2026, 5, 5), 30.0),
        ("n10", "A3", "c3", "s_exec", "workshop", date(2026, 5, 6), 90.0),
        ("n11", "A3", "c2", "s_kam", "call", date(2023, 1, 1), 5.0),  # too old
        ("n12", "A3", "c2", "s_kam", "call", date(2026, 7, 1), 5.0),  # after
        ("n13", None, "c2", "s_kam", "call", date(2026, 5, 1), 5.0),  # no account
    ]
    return rows_frame(
        "activity_id account_id contact_id seller_id kind activity_date "
        "duration_minutes",
        *rows,
    )


def _frames() -> dict[str, pl.DataFrame]:
    accounts = rows_frame(
        "account_id name industry created_on",
        *((f"A{i}", f"Account {i}", "Retail", date(2020, 1, 1)) for i in range(1, 6)),
    )
    sellers = rows_frame(
        "seller_id name team title",
        ("s_exec", "Ann", "Leadership", "Vice President Sales"),
        ("s_kam", "Bo", "Key Accounts", "Key Account Manager"),
        ("s_none", "Cy", "Misc", "Helper"),
    )
    opportunities = rows_frame(
        "opportunity_id account_id amount close_date is_closed is_won",
        ("o1", "A1", 1200.0, date(2026, 1, 10), True, True),
        ("o2", "A1", 300.0, date(2025, 3, 1), True, True),
        ("o3", "A1", 999.0, date(2025, 6, 30), True, False),
        ("o4", "A2", 36000.0, date(2024, 10, 1), True, True),  # a 3-year deal
        ("o5", "A2", 50.0, date(2026, 6, 30), True, True),
        ("o6", "A3", None, date(2026, 2, 1), True, True),
        ("o7", "A3", 70.0, date(2026, 8, 1), True, True),  # after the as-of day
        ("o8", "A5", 10.0, date(2022, 1, 1), True, True),
    )
    contracts = rows_frame(
        "contract_id account_id start_date end_date status",
        ("k-A2", "A2", date(2024, 9, 1), date(2027, 8, 31), "Activated"),
    )
    return {
        "accounts": accounts,
        "sellers": sellers,
        "contacts": _contacts(),
        "opportunities": opportunities,
        "contracts": contracts,
        "activities": _activities(),
    }


def _people(contacts: pl.DataFrame) -> pl.DataFrame:
    """Each person's level (cut at twelve) and the seniority rule, the map's way."""
    positions = pl.concat(
        network.org_positions(group)
        for _, group in contacts.group_by("account_id", maintain_order=True)
    )
    cut = pl.col("level") > MAX_LEVEL
    return (
        contacts.join(positions, on="contact_id", how="left")
        .with_columns(
            level=pl.when(cut).then(None).otherwise(pl.col("level")),
            tree_depth=pl.when(cut)
            .then(None)
            .otherwise(pl.min_horizontal("tree_depth", pl.lit(MAX_LEVEL))),
        )
        .with_columns(
            is_procurement=network.is_procurement_expr(),
            is_executive=network.is_executive_expr(),
        )
    )


def _reference(frames: dict[str, pl.DataFrame], rates: pl.DataFrame, as_of: date):
    year_ago = months_before(as_of, 12)
    two_years_ago = months_before(as_of, 24)
    minutes = pl.when(pl.col("duration_minutes").is_finite()).then(
        pl.col("duration_minutes")
    )
    window = (
        frames["activities"]
        .filter(
            pl.col("account_id").is_not_null()
            & (pl.col("activity_date") > two_years_ago)
            & (pl.col("activity_date") <= as_of)
        )
        .join(rates.select("seller_id", "hourly_rate"), on="seller_id", how="left")
        .with_columns(
            current=pl.col("activity_date") > year_ago,
            minutes=minutes,
            no_duration=pl.col("duration_minutes").is_null(),
            rated=pl.col("hourly_rate").is_not_null(),
        )
    )
    now, before = pl.col("current"), ~pl.col("current")
    sums = window.group_by("account_id").agg(
        effort_minutes_recorded_12m=pl.col("minutes").filter(now).sum(),
        activities_12m=now.sum(),
        activities_without_duration_12m=(now & pl.col("no_duration")).sum(),
        effort_minutes_recorded_prev_12m=pl.col("minutes").filter(before).sum(),
        activities_prev_12m=before.sum(),
        activities_without_duration_prev_12m=(before & pl.col("no_duration")).sum(),
        joint_activities=(now & pl.col("kind").is_in(JOINT_ACTIVITY_KINDS)).sum(),
        rated_minutes_recorded_12m=pl.col("minutes")
        .filter(now & pl.col("rated"))
        .sum(),
        rated_recorded_cost_12m=(pl.col("minutes") * pl.col("hourly_rate"))
        .filter(now)
        .sum()
        / 60,
        rated_without_duration_12m=(
            now & pl.col("no_duration") & pl.col("rated")
        ).sum(),
        rated_without_duration_rate_sum_12m=pl.col("hourly_rate")
        .filter(now & pl.col("no_duration"))
        .sum(),
    )
    people = _people(frames["contacts"])
    touches = (
        window.filter(now & pl.col("contact_id").is_not_null())
        .group_by("account_id", "contact_id")
        .agg(pl.len().alias("touches"), pl.col("minutes").sum())
        .join(people.drop("account_id"), on="contact_id", how="left")
        .with_columns(pl.col("is_procurement", "is_executive").fill_null(False))
    )
    executive, procurement = pl.col("is_executive"), pl.col("is_procurement")
    engagement = touches.group_by("account_id").agg(
        procurement_minutes_12m=pl.col("minutes").filter(procurement).sum(),
        executive_minutes_12m=pl.col("minutes").filter(executive).sum(),
        contacts_engaged=pl.len(),
        departments_engaged=pl.col("department").drop_nulls().n_unique(),
        non_procurement_departments_engaged=pl.col("department")
        .filter(~procurement)
        .drop_nulls()
        .n_unique(),
        org_levels_engaged=pl.col("level").drop_nulls().n_unique(),
        executive_touches=pl.col("touches").filter(executive).sum(),
        executive_contacts_engaged=executive.sum(),
    )
    engaged = touches["contact_id"].unique().implode()
    deciding = pl.col("buying_role").is_in(DECIDING_ROLES)
    growth = (
        frames["contacts"]
        .group_by("account_id")
        .agg(
            contacts=pl.len(),
            contacts_with_role=pl.col("buying_role").is_not_null().sum(),
            deciders_approvers=deciding.sum(),
            deciders_approvers_engaged=(
                deciding & pl.col("contact_id").is_in(engaged)
            ).sum(),
        )
    )
    won_deals = frames["opportunities"].filter(
        pl.col("is_won") & pl.col("amount").is_finite()
    )
    closed = pl.col("close_date")
    won = won_deals.group_by("account_id").agg(
        won_12m=pl.col("amount").filter((closed > year_ago) & (closed <= as_of)).sum(),
        won_prev_12m=pl.col("amount")
        .filter((closed > two_years_ago) & (closed <= year_ago))
        .sum(),
    )
    reference = frames["accounts"].select("account_id")
    for part in (sums, engagement, growth, won):
        reference = reference.join(part, on="account_id", how="left")
    return reference.fill_null(0).with_columns(
        procurement_only=(pl.col("departments_engaged") > 0)
        & (pl.col("non_procurement_departments_engaged") == 0)
    )


@pytest.mark.parametrize(
    "as_of", [date(2026, 6, 30), date(2025, 12, 31), date(2025, 3, 31)]
)
def test_features_match_a_from_scratch_computation(con, as_of):
    frames = _frames()
    load_frames(con, frames)
    expected = _reference(frames, store.seller_rates(con), as_of).sort("account_id")
    # the fixture must exercise what it claims to: rated and unrated hours,
    # levels cut and cycles, people of another account and nobody
    features = store.account_features(con, as_of).sort("account_id")
    got = features.select(expected.columns)
    assert_frame_equal(got, expected, check_dtypes=False)


def test_the_fixture_reaches_every_case(con):
    frames = _frames()
    load_frames(con, frames)
    rates = store.seller_rates(con)
    assert rates["hourly_rate"].null_count() == 1  # s_none: the flat cost
    people = _people(frames["contacts"])
    levels = dict(zip(people["contact_id"], people["level"], strict=True))
    assert levels["k11"] == MAX_LEVEL and levels["k12"] is None  # cut
    assert levels["p"] is None and levels["s"] is None  # cycles
    assert levels["away"] == 1  # manager at another account
    executive = dict(zip(people["contact_id"], people["is_executive"], strict=True))
    assert executive["k0"] and executive["c1"] and not executive["buyer"]
    assert not executive["asst"] and executive["b1"] and executive["b2"]
    features = store.account_features(con, date(2026, 6, 30))
    row = features.filter(pl.col("account_id") == "A1").row(0, named=True)
    assert 0 < row["rated_minutes_recorded_12m"] < row["effort_minutes_recorded_12m"]
    assert row["rated_without_duration_12m"] > 0
    empty = features.filter(pl.col("account_id") == "A4").row(0, named=True)
    assert empty["activities_12m"] == 0 and empty["contacts"] == 0


def test_an_account_with_no_start_has_no_tenure_rather_than_none(con):
    # An export without the account's creation date (the Maven CRM data): the
    # tenure is unknown, left out of the observed score, not 0 years scored.
    frames = _frames()
    frames["accounts"] = frames["accounts"].with_columns(
        created_on=pl.when(pl.col("account_id") == "A5")
        .then(None)
        .when(pl.col("account_id") == "A4")
        .then(date(2027, 1, 1))  # after the day: a new customer, 0 years
        .otherwise(pl.col("created_on"))
    )
    load_frames(con, frames)
    features = store.account_features(con, date(2026, 6, 30))
    tenure = dict(zip(features["account_id"], features["tenure_years"], strict=True))
    assert tenure["A5"] is None and tenure["A4"] == 0
    assert tenure["A1"] == pytest.approx(
        (date(2026, 6, 30) - date(2020, 1, 1)).days / 365.25
    )
    segments = segment.assign_segments(features)
    reasons = dict(
        zip(segments["account_id"], segments["relationship_reason"], strict=True)
    )
    assert "tenure (unknown, left out)" in reasons["A5"]
    assert "tenure 0.0 y (+0)" in reasons["A4"]


def test_contracts_in_force_give_the_term_and_the_years_left(con):
    # as a CRM exports contracts: one in force, one ended, a draft, one with a
    # term and no end, and two in force at once (the longer term, the later end)
    frames = _frames()
    frames["contracts"] = rows_frame(
        "contract_id account_id start_date end_date status term_months",
        ("k-A2", "A2", date(2024, 9, 1), date(2027, 8, 31), "Activated", None),
        ("k-A1-old", "A1", date(2022, 1, 1), date(2024, 12, 31), "Expired", None),
        ("k-A1-draft", "A1", date(2026, 1, 1), date(2028, 12, 31), "Draft", None),
        ("k-A3-open", "A3", date(2025, 1, 1), None, "Activated", 24),
        ("k-A5-a", "A5", date(2025, 7, 1), date(2026, 12, 31), "Activated", None),
        ("k-A5-b", "A5", date(2026, 1, 1), date(2026, 9, 30), " activated ", 60),
    )
    load_frames(con, frames)
    as_of = date(2026, 6, 30)
    features = store.account_features(con, as_of)
    got = {
        row["account_id"]: (row["contract_term_months"], row["contract_years_left"])
        for row in features.select(
            "account_id", "contract_term_months", "contract_years_left"
        ).iter_rows(named=True)
    }

    def years_to(end: date) -> float:
        return (end - as_of).days / 365.25

    assert got["A2"] == (36, pytest.approx(years_to(date(2027, 8, 31))))
    assert got["A1"] == (None, None)  # ended, and a draft
    assert got["A3"] == (24, None)  # in force with no end: no years left known
    assert got["A5"][0] == 60
    assert got["A5"][1] == pytest.approx(years_to(date(2026, 12, 31)))
    assert got["A4"] == (None, None)  # no contract at all
