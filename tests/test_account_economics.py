"""Account economics on data shaped like real exports.

Multi-year contracts between renewals, sparse org charts, empty accounts after a
CRM sync: each rule on a small fixture built for it.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from tests.factories import load_frames, monthly_activities, won_deal
from workbench import domain, readers, store
from workbench.analytics import network, segment

AS_OF = date(2026, 6, 30)


def _accounts(ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "account_id": ids,
            "name": [f"Account {i}" for i in ids],
            "gross_margin_pct": [30.0] * len(ids),
            "created_on": [date(2018, 1, 1)] * len(ids),
        }
    )


def _visits(account: str, count: int, minutes: float = 120.0) -> list[dict]:
    return monthly_activities(
        account, count, id_prefix=f"{account}-v", kind="visit", minutes=minutes
    )


def _assert_annual_revenue(
    con: store.Connection, expected: dict[str, tuple[float, str]]
) -> None:
    """Each account's annualised revenue and its basis as of AS_OF are as expected."""
    features = store.account_features(con, AS_OF)
    rows = {r["account_id"]: r for r in features.iter_rows(named=True)}
    for account_id, (revenue, basis) in expected.items():
        assert rows[account_id]["revenue_annualised"] == pytest.approx(revenue)
        assert rows[account_id]["revenue_basis"] == basis


# --- revenue over contract terms ---------------------------------------------------


@pytest.fixture
def partner_portfolio(con):
    """P signed 3 years / 3.6 M fourteen months ago; S1–S4 buy every year."""
    deals = [
        won_deal("p-frame", "P", 3_600_000.0, date(2025, 4, 20), contract_id="K1"),
        *[
            won_deal(f"s{i}", f"S{i}", 150_000.0 * i, date(2026, 3, 1))
            for i in range(1, 5)
        ],
        # last year's order of S1: served until 2026-02, not in force any more
        won_deal("s1-old", "S1", 400_000.0, date(2025, 2, 1)),
    ]
    contracts = pl.DataFrame(
        {
            "contract_id": ["K1"],
            "account_id": ["P"],
            "start_date": [date(2025, 5, 1)],
            "end_date": [date(2028, 4, 30)],
            "term_months": [36],
            "status": ["Activated"],
        },
        schema_overrides={"term_months": pl.Int32},
    )
    activities = [row for a in ("P", "S1", "S2", "S3", "S4") for row in _visits(a, 10)]
    load_frames(
        con,
        {
            "accounts": _accounts(["P", "S1", "S2", "S3", "S4"]),
            "opportunities": pl.DataFrame(deals),
            "contracts": contracts,
            "activities": pl.DataFrame(activities),
        },
    )
    return con


def test_a_multi_year_partner_stays_valuable_between_renewals(partner_portfolio):
    segments = readers.account_segments(partner_portfolio, as_of=AS_OF)
    partner = segments.filter(pl.col("account_id") == "P").row(0, named=True)
    # no booking in the 12 months, yet a third of the contract a year in force
    assert partner["won_12m"] == 0
    assert partner["revenue"] == pytest.approx(1_200_000.0)
    assert partner["revenue_basis"] == "contract_terms"
    assert partner["contract_term_months"] == 36
    assert partner["value_segment"] == "most_valuable"
    assert partner["contribution"] > 0
    assert "annualised over contract terms" in partner["value_reason"]
    # a year before it was already in force: no fake growth or decline
    assert partner["revenue_prev"] == pytest.approx(1_200_000.0)
    assert partner["growth_pct"] == pytest.approx(0.0)


def test_deals_without_a_contract_count_a_year_after_closing(partner_portfolio):
    features = store.account_features(partner_portfolio, AS_OF)
    s1 = features.filter(pl.col("account_id") == "S1").row(0, named=True)
    # the 2025-02 order ran out in 2026-02; only the 2026-03 one is in force
    assert s1["revenue_annualised"] == pytest.approx(150_000.0)
    assert s1["revenue_basis"] == "default_term"
    assert s1["revenue_annualised_prev"] == pytest.approx(400_000.0)
    assert s1["won_12m"] == pytest.approx(150_000.0)


def test_the_default_term_is_an_option(partner_portfolio):
    features = store.account_features(partner_portfolio, AS_OF, default_term_months=24)
    s1 = features.filter(pl.col("account_id") == "S1").row(0, named=True)
    # both orders are now in force, each at half its amount a year
    assert s1["revenue_annualised"] == pytest.approx(75_000.0 + 200_000.0)
    segments = readers.account_segments(
        partner_portfolio, segment.Thresholds(default_term_months=24), AS_OF
    )
    assert segments.filter(pl.col("account_id") == "S1")["revenue"][0] == pytest.approx(
        275_000.0
    )


def test_a_deal_inside_an_account_contract_takes_its_term(con):
    # No Opportunity.ContractId: the account's contract in force on the close date
    # gives the term; a draft contract does not.
    contracts = pl.DataFrame(
        {
            "contract_id": ["K1", "K2"],
            "account_id": ["A", "B"],
            "start_date": [date(2025, 1, 1), date(2025, 1, 1)],
            "end_date": [date(2027, 12, 31), date(2027, 12, 31)],
            "term_months": [None, 36],
            "status": ["Activated", "Draft"],
        },
        schema_overrides={"term_months": pl.Int32},
    )
    deals = [
        won_deal("a", "A", 360_000.0, date(2025, 3, 1)),
        won_deal("b", "B", 360_000.0, date(2026, 3, 1)),
    ]
    load_frames(
        con,
        {
            "accounts": _accounts(["A", "B"]),
            "opportunities": pl.DataFrame(deals),
            "contracts": contracts,
        },
    )
    # K1's term comes from its dates (36 months); the deal is still in force
    _assert_annual_revenue(
        con, {"A": (120_000.0, "contract_terms"), "B": (360_000.0, "default_term")}
    )


# --- no data, no rank ---------------------------------------------------------------


def test_empty_accounts_are_never_ranked(con):
    ids = ["A", "B", "E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8"]
    load_frames(
        con,
        {
            "accounts": _accounts(ids),
            "opportunities": pl.DataFrame(
                [
                    won_deal("a", "A", 500_000.0, date(2026, 3, 1)),
                    won_deal("b", "B", 100_000.0, date(2026, 3, 1)),
                ]
            ),
            "activities": pl.DataFrame(_visits("A", 2) + _visits("B", 2)),
        },
    )
    segments = readers.account_segments(con, as_of=AS_OF)
    by_id = {r["account_id"]: r for r in segments.iter_rows(named=True)}
    empty = [by_id[i] for i in ids if i.startswith("E")]
    assert {r["value_segment"] for r in empty} == {"no_data"}
    assert all(r["contribution_rank"] is None for r in empty)
    assert all(r["value_reason"].startswith("no data") for r in empty)
    # 20 % of the two accounts with data is one: A; the empty ones fill nothing
    assert by_id["A"]["value_segment"] == "most_valuable"
    assert by_id["A"]["value_reason"].startswith(
        "lifetime value 448,920 ranks #1 of 2 accounts with data "
        "(contribution 149,640 × 3.0 years)"
    )
    assert by_id["B"]["value_segment"] != "most_valuable"
    counts = segment.segment_counts(segments)
    assert counts["no_data"] == 8 and counts["most_valuable"] == 1


def test_an_account_with_only_people_is_not_empty(con):
    load_frames(
        con,
        {
            "accounts": _accounts(["A", "P"]),
            "contacts": pl.DataFrame({"contact_id": ["c1"], "account_id": ["P"]}),
        },
    )
    segments = readers.account_segments(con, as_of=AS_OF)
    kinds = dict(segments.select("account_id", "value_segment").iter_rows())
    assert kinds["A"] == "no_data"
    assert kinds["P"] != "no_data"


# --- one seniority rule on a sparse org chart ---------------------------------------


def _sparse_org() -> pl.DataFrame:
    # 20 people; the manager is known for four of them (a fifth), as in real CRMs.
    rows = [
        ("c01", "Chief Executive Officer", "Operations", None),
        ("c02", "IT总监", "IT", None),
        ("c03", "Assistant to the CEO", "Operations", None),
        ("c04", "Director of Purchasing", "Procurement", None),
        ("c05", None, "Operations", None),
        ("c06", None, "Operations", "c05"),
        ("c07", None, "Operations", "c06"),
    ]
    rows += [(f"c{i:02d}", "Engineer", "Engineering", None) for i in range(8, 19)]
    rows += [("c19", "Buyer", "Procurement", "c04"), ("c20", "Engineer", "IT", "c02")]
    return pl.DataFrame(
        rows,
        schema=["contact_id", "title", "department", "reports_to_id"],
        orient="row",
    ).with_columns(account_id=pl.lit("A"))


EXPECTED_EXECUTIVES = {"c01", "c02", "c05", "c06"}


def test_a_sparse_org_chart_does_not_inflate_executives(con):
    contacts = _sparse_org()
    activities = [
        {
            "activity_id": f"t{c}",
            "account_id": "A",
            "contact_id": c,
            "kind": "meeting",
            "activity_date": date(2026, 5, 1),
            "duration_minutes": 60.0,
        }
        for c in contacts["contact_id"]
    ]
    load_frames(
        con,
        {
            "accounts": _accounts(["A"]),
            "contacts": contacts,
            "activities": pl.DataFrame(activities),
        },
    )
    features = store.account_features(con, AS_OF).row(0, named=True)
    # 16 of the 20 have no manager on record; the old rule made them all executives
    assert features["executive_contacts_engaged"] == len(EXPECTED_EXECUTIVES)
    assert features["executive_minutes_12m"] == 60.0 * len(EXPECTED_EXECUTIVES)


def test_the_map_and_the_store_apply_the_same_seniority_rule(con):
    contacts = _sparse_org()
    load_frames(con, {"accounts": _accounts(["A"]), "contacts": contacts})
    data = store.read_buying_centre(con, "A", as_of=AS_OF)
    persons = network.people(data)
    on_map = set(
        persons.filter(pl.col("function") == "executive")["contact_id"].to_list()
    )
    assert on_map == EXPECTED_EXECUTIVES


def test_the_seniority_patterns_are_defined_once_in_the_domain():
    patterns = domain.seniority_patterns()
    assert patterns["executive_title"] == domain.EXECUTIVE_TITLE_PATTERN
    frame = pl.DataFrame(
        {"title": ["总裁", "總經理", "Managing Director", "Sales Rep", "秘书"]}
    )
    senior = frame.select(
        pl.col("title").str.contains(domain.EXECUTIVE_TITLE_PATTERN)
        & ~pl.col("title").str.contains(domain.EXECUTIVE_TITLE_EXCLUDE_PATTERN)
    )["title"].to_list()
    assert senior == [True, True, True, False, False]


# --- the Salesforce Contract object through the import ------------------------------

_SF_ACCOUNTS = (
    b"Id,Name,CreatedDate\n"
    b"001A,Partner Co,2015-01-01T00:00:00.000Z\n"
    b"001B,Spot Buyer Ltd,2020-01-01T00:00:00.000Z\n"
)
_SF_CONTRACTS = (
    b"Id,AccountId,StartDate,EndDate,ContractTerm,Status,IsDeleted\n"
    b"800A,001A,2025-05-01,2028-04-30,36,Activated,false\n"
)
_SF_DEALS = (
    b"Id,AccountId,Name,StageName,Amount,CloseDate,IsClosed,IsWon,ContractId\n"
    b'006A,001A,Framework 2025-2028,Closed Won,"3,600,000.00",2025-04-20,true,true,800A\n'
    b"006B,001B,Spot order,Closed Won,90000,2026-03-01,true,true,\n"
)


def test_salesforce_contracts_import_and_spread_their_deals(con):
    from workbench import ingest
    from workbench.domain import Actor

    report = ingest.import_files(
        con,
        [
            ("Account.csv", _SF_ACCOUNTS),
            ("Contract.csv", _SF_CONTRACTS),
            ("Opportunity.csv", _SF_DEALS),
        ],
        actor=Actor(name="ana", role="analyst"),
    )
    assert report.ok, [p.message for p in report.problems]
    assert report.counts["contracts"] == 1
    stored = store.contracts(con).row(0, named=True)
    assert stored["contract_id"] == "800A" and stored["account_id"] == "001A"
    assert stored["term_months"] == 36
    assert stored["start_date"] == date(2025, 5, 1)
    _assert_annual_revenue(
        con,
        {"001A": (1_200_000.0, "contract_terms"), "001B": (90_000.0, "default_term")},
    )


def test_a_contract_of_an_unknown_account_is_left_out_with_a_warning(con):
    from workbench import ingest
    from workbench.domain import Actor

    bad = _SF_CONTRACTS.replace(b"800A,001A", b"800A,001Z")
    report = ingest.import_files(
        con,
        [("Account.csv", _SF_ACCOUNTS), ("Contract.csv", bad)],
        actor=Actor(name="ana", role="analyst"),
    )
    # Real CRMs hold such rows: the import goes on, says which row it left out
    # and why, and nothing points at a missing account afterwards.
    assert report.ok
    warnings = [p for p in report.problems if p.level == "warning"]
    assert any(p.file == "Contract.csv" and p.row == 1 for p in warnings), warnings
    assert "800A" not in store.contracts(con)["contract_id"].to_list()
    assert store.table_counts(con)["accounts"] > 0
    assert not any(store.orphan_counts(con).values())


# --- observed and target relationship: unknown signals do not cap the score ---------


def _plain_export_features() -> pl.DataFrame:
    # What a plain Salesforce export gives: no contract type, no joint activities
    # anywhere in the CRM, no wallet estimate for one account.
    from tests.test_segment import features_frame

    return features_frame(
        {
            "account_id": "BEST",
            "name": "Best",
            "won_12m": 2_000_000.0,
            "gross_margin_pct": 30.0,
            "wallet_estimate": 4_000_000.0,
            "tenure_years": 12.0,
            "departments_engaged": 8,
            "executive_contacts_engaged": 6,
        },
        {
            "account_id": "MID",
            "name": "Mid",
            "won_12m": 300_000.0,
            "wallet_estimate": 3_000_000.0,
            "tenure_years": 3.0,
            "departments_engaged": 2,
        },
        {
            "account_id": "LOW",
            "name": "Low",
            "won_12m": 20_000.0,
            "effort_minutes_recorded_12m": 600.0,
            "tenure_years": 1.0,
            "departments_engaged": 1,
        },
    )


def test_unknown_signals_do_not_cap_the_observed_score():
    segments = segment.assign_segments(_plain_export_features())
    best = segments.filter(pl.col("account_id") == "BEST").row(0, named=True)
    # tenure 15 + wallet 50 % → 15 + 8 departments 12 + 6 executives 11.25 = 53.25
    # of the 60 known points: contract and joint activity drop out
    assert best["observed_signals"] == 4
    assert best["points_contract"] is None and best["points_joint"] is None
    assert best["relationship_score"] == pytest.approx(53.25 / 60 * 100)
    assert best["relationship_observed"] == "partnership"
    assert "based on 4 of 6 signals" in best["relationship_reason"]
    assert "contract (unknown, left out)" in best["relationship_reason"]
    assert "joint activities (unknown, left out)" in best["relationship_reason"]
    low = segments.filter(pl.col("account_id") == "LOW").row(0, named=True)
    # LOW has no potential at all: share of wallet is unknown too
    assert low["observed_signals"] == 3


def test_a_portfolio_with_no_engagement_recorded_leaves_breadth_and_executives_out():
    # An export of accounts and deals alone: no activity reaches any department,
    # so no account is scored 0 on breadth and executives; what is known counts.
    from tests.test_segment import features_frame

    deals_only = features_frame(
        {"account_id": "A", "won_12m": 500_000.0, "tenure_years": 10.0},
        {"account_id": "B", "won_12m": 50_000.0, "tenure_years": 1.0},
    )
    segments = segment.assign_segments(deals_only)
    a = segments.filter(pl.col("account_id") == "A").row(0, named=True)
    assert a["points_breadth"] is None and a["points_executive"] is None
    assert a["observed_signals"] == 1  # tenure: no wallet known either
    assert "departments engaged (unknown, left out)" in a["relationship_reason"]
    assert "executives engaged (unknown, left out)" in a["relationship_reason"]
    # one department reached anywhere: every account's breadth is known again
    engaged = deals_only.with_columns(
        departments_engaged=pl.when(pl.col("account_id") == "B").then(1).otherwise(0)
    )
    a = segment.assign_segments(engaged).filter(pl.col("account_id") == "A")
    assert a.row(0, named=True)["points_breadth"] == 0
    assert a.row(0, named=True)["observed_signals"] == 3


def test_the_target_comes_from_the_buying_situation_and_plans_follow_it():
    features = _plain_export_features()
    situation = pl.DataFrame(
        {
            "account_id": ["MID", "LOW"],
            "purchase_importance": [5, 1],
            "purchase_complexity": [5, 2],
            "switching_costs": [4, 1],
            "supply_alternatives": [1, 5],  # few alternatives: partnership
            "strategic_fit": [5, None],
        }
    )
    segments = segment.assign_segments(features, situation=situation)
    rows = {r["account_id"]: r for r in segments.iter_rows(named=True)}
    mid = rows["MID"]
    # rated by a workshop: 5 situation signals + value + potential (no contract)
    assert mid["target_signals"] == 7
    assert mid["relationship_target"] == "partnership"
    assert mid["relationship"] == "partnership"
    assert mid["relationship_source"] == "target"
    assert mid["relationship_observed"] == "transactional"
    assert "based on 7 of 8 signals" in mid["relationship_reason"]
    assert rows["LOW"]["relationship"] == "transactional"
    # an unrated strategic fit is left out, not counted as low
    assert rows["LOW"]["target_signals"] == 5
    # BEST has no workshop rating: value and potential alone still reach partnership
    assert rows["BEST"]["target_signals"] == 2
    assert rows["BEST"]["relationship"] == "partnership"


def test_an_override_still_wins_over_the_target():
    overrides = pl.DataFrame(
        {
            "account_id": ["BEST"],
            "relationship": ["transactional"],
            "reason": ["tender-only buyer by policy"],
        }
    )
    segments = segment.assign_segments(_plain_export_features(), overrides=overrides)
    best = segments.filter(pl.col("account_id") == "BEST").row(0, named=True)
    assert best["relationship"] == "transactional"
    assert best["relationship_source"] == "override"
    assert best["relationship_target"] == "partnership"
    assert "tender-only" in best["relationship_reason"]


def test_situation_is_stored_per_account_and_checked(con):
    from workbench.errors import PermissionDeniedError, RejectedInputError

    load_frames(con, {"accounts": _accounts(["A", "B"])})
    store.set_account_situation(
        con, domain.LOCAL_ACTOR, "A", {"switching_costs": 5, "strategic_fit": 4}
    )
    with pytest.raises(RejectedInputError, match="1 to 5"):
        store.set_account_situation(con, domain.LOCAL_ACTOR, "A", {"strategic_fit": 9})
    with pytest.raises(RejectedInputError, match="unknown situation factors"):
        store.set_account_situation(con, domain.LOCAL_ACTOR, "A", {"mood": 3})
    with pytest.raises(RejectedInputError, match="no account"):
        store.set_account_situation(con, domain.LOCAL_ACTOR, "Z", {"strategic_fit": 3})
    with pytest.raises(PermissionDeniedError):
        store.set_account_situation(
            con, domain.Actor(name="v", role="viewer"), "A", {"strategic_fit": 3}
        )
    # forgetting a factor makes it unknown again
    store.set_account_situation(con, domain.LOCAL_ACTOR, "A", {"switching_costs": None})
    wide = store.account_situation(con).row(0, named=True)
    assert wide["account_id"] == "A"
    assert wide["strategic_fit"] == 4 and wide["switching_costs"] is None
    assert wide["situation_set_by"] == "local"
    segments = readers.account_segments(con, as_of=AS_OF)
    assert segments.filter(pl.col("account_id") == "A")["target_signals"][0] >= 1


def test_a_comparison_reads_each_scenario_on_its_own_contract_term(demo_db):
    # A deal without a known contract is spread over the default term: a scenario
    # that assumes 60 months must see the revenue the 60-month features give, not
    # the first scenario's 12-month figures.
    from workbench.api import open_workbench

    with open_workbench(demo_db) as wb:
        short = wb.thresholds(default_term_months=12)
        long = wb.thresholds(default_term_months=60)
        comparison = wb.compare_scenarios(short, long)
        expected_b = segment.assign_segments(
            wb.features(None, 60),
            long,
            situation=store.account_situation(wb.connection),
        ).select("account_id", "contribution")
        expected_a = segment.assign_segments(
            wb.features(None, 12),
            short,
            situation=store.account_situation(wb.connection),
        ).select("account_id", "contribution")
    got = comparison.select("account_id", "contribution_a", "contribution_b")
    joined = got.join(expected_a, on="account_id").join(
        expected_b, on="account_id", suffix="_expected_b"
    )
    assert joined.height == comparison.height > 0
    assert (joined["contribution_a"] - joined["contribution"]).abs().max() < 1e-6
    assert (
        joined["contribution_b"] - joined["contribution_expected_b"]
    ).abs().max() < 1e-6
    # the terms really differ somewhere, so the test can tell the two apart
    assert (joined["contribution_a"] != joined["contribution_b"]).any()
