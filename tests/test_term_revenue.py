"""A move of the default contract term reads only what the term changes.

The features of another term are those of the full read with the revenue the
term changes put in place (:mod:`workbench.store.term_revenue`); they must equal
the full read for that term on a portfolio shaped like a real export: a
multi-year contract, a deal inside an account's contract, a deal with its own
term, deals on the default term over several years (so retention counts move
with the term), an account with no deals, and an account an ERP file covers.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.factories import load_frames, won_deal
from workbench import store
from workbench.errors import RejectedInputError

AS_OF = date(2026, 6, 30)
TERMS = (1, 6, 12, 13, 24, 36, 60, 120)


@pytest.fixture
def terms_portfolio(con):
    ids = ["K", "C", "T", "S", "E", "R"]
    deals = [
        # K: a three-year contract named by the deal
        won_deal("k1", "K", 3_600_000.0, date(2025, 4, 20), contract_id="K1"),
        # C: inside the account's contract in force on the close date
        won_deal("c1", "C", 480_000.0, date(2025, 9, 1)),
        # T: the deal's own term (HubSpot's TCV over ACV)
        won_deal("t1", "T", 900_000.0, date(2024, 11, 1), term_months=30),
        # S: yearly orders on no known term, over five years
        *[
            won_deal(f"s{year}", "S", 100_000.0 * (year - 2020), date(year, 3, 1))
            for year in range(2021, 2027)
        ],
        # R: the CRM's deals, but an ERP file covers the account
        won_deal("r1", "R", 250_000.0, date(2025, 12, 1)),
        won_deal("r2", "R", 150_000.0, date(2023, 5, 1)),
    ]
    contracts = pl.DataFrame(
        {
            "contract_id": ["K1", "C1", "C2"],
            "account_id": ["K", "C", "S"],
            "start_date": [date(2025, 5, 1), date(2025, 1, 1), date(2021, 1, 1)],
            "end_date": [date(2028, 4, 30), date(2027, 12, 31), date(2030, 1, 1)],
            "term_months": [36, None, 108],
            # S's contract was cancelled: its deals stay on the default term
            "status": ["Activated", "Activated", "Cancelled"],
        },
        schema_overrides={"term_months": pl.Int32},
    )
    erp = pl.DataFrame(
        {
            "account_id": ["R"] * 18,
            "month": [
                date(2025 + (m + 1) // 12, (m + 1) % 12 + 1, 1) for m in range(18)
            ],
            "revenue": [40_000.0] * 18,
            "cost": [25_000.0] * 18,
        }
    )
    load_frames(
        con,
        {
            "accounts": pl.DataFrame(
                {
                    "account_id": ids,
                    "name": [f"Account {i}" for i in ids],
                    "created_on": [date(2019, 1, 1)] * len(ids),
                }
            ),
            "opportunities": pl.DataFrame(deals),
            "contracts": contracts,
            "erp_revenue": erp,
        },
    )
    return con


@pytest.mark.parametrize("term", TERMS)
def test_the_revenue_of_a_term_put_in_place_equals_the_full_read(terms_portfolio, term):
    base = store.account_features(terms_portfolio, AS_OF, 12)
    moved = store.with_term_revenue(
        base, store.account_term_revenue(terms_portfolio, AS_OF, term)
    )
    assert_frame_equal(moved, store.account_features(terms_portfolio, AS_OF, term))


def test_the_fixture_moves_what_a_term_moves(terms_portfolio):
    # else the test above could pass with the term columns left as they were
    short = store.account_features(terms_portfolio, AS_OF, 1)
    long = store.account_features(terms_portfolio, AS_OF, 60)
    rows = {r["account_id"]: r for r in long.iter_rows(named=True)}
    changed = [
        c
        for c in store.TERM_COLUMNS
        if not short.get_column(c).equals(long.get_column(c))
    ]
    assert set(changed) >= {
        "revenue_annualised",
        "revenue_annualised_prev",
        "deals_in_force",
        "deals_on_default_term",
        "default_term_months",
        "retention_account_years",
    }
    # the ERP's figures and a contract's terms do not move with the term
    assert rows["R"]["revenue_basis"] == "erp"
    assert rows["K"]["revenue_basis"] == "contract_terms"
    assert rows["E"]["revenue_basis"] == "none"
    for account in ("R", "K", "C", "T"):
        before = short.filter(pl.col("account_id") == account)["revenue_annualised"]
        assert rows[account]["revenue_annualised"] == pytest.approx(before[0])


def test_an_account_written_between_the_two_reads_gets_no_revenue(terms_portfolio):
    base = store.account_features(terms_portfolio, AS_OF, 12)
    term = store.account_term_revenue(terms_portfolio, AS_OF, 24)
    moved = store.with_term_revenue(base, term.filter(pl.col("account_id") != "S"))
    row = moved.row(by_predicate=pl.col("account_id") == "S", named=True)
    assert (row["revenue_annualised"], row["deals_in_force"]) == (0.0, 0)
    assert row["revenue_basis"] == "none"
    # the portfolio's figures are the same on every row
    assert row["default_term_months"] == 24
    assert row["retention_account_years"] == term["retention_account_years"][0]
    assert moved.columns == base.columns and moved.schema == base.schema


def _ids(con) -> pl.Series:
    return store.account_features(con, AS_OF, 12).get_column("account_id")


@pytest.mark.parametrize("term", TERMS)
def test_the_steps_give_the_file_s_figures(terms_portfolio, term):
    # a term move of the app looks the revenue up in the won deals' steps
    steps = store.term_steps(terms_portfolio, AS_OF, _ids(terms_portfolio))
    assert_frame_equal(
        store.term_revenue_of_steps(steps, term),
        store.account_term_revenue(terms_portfolio, AS_OF, term),
    )


@pytest.fixture
def every_day_portfolio(con):
    """Deals closed on every day of 2023 and 2024 (month ends, a leap day),
    on the default term, beside contracts starting on month ends, so that every
    term reaches each day looked at on its own edge."""
    days = pl.date_range(date(2023, 1, 1), date(2024, 12, 31), eager=True)
    accounts = ["D1", "D2", "D3", "K", "N"]
    deals = [
        won_deal(f"d{i}", accounts[i % 3], 1_000.0 + i, day)
        for i, day in enumerate(days)
    ]
    # a refund (negative), and an account buying every few years: how many
    # years in a row it has revenue depends on the term
    deals.append(won_deal("neg", "D1", -5_000.0, date(2024, 2, 29)))
    deals += [
        won_deal("n1", "N", 20_000.0, date(2019, 7, 31)),
        won_deal("n2", "N", 20_000.0, date(2022, 1, 31)),
    ]
    starts = [
        date(2022, 1, 31),
        date(2023, 2, 28),
        date(2024, 2, 29),
        date(2025, 6, 30),
    ]
    deals += [
        won_deal(f"k{i}", "K", 50_000.0, start, contract_id=f"C{i}")
        for i, start in enumerate(starts)
    ]
    contracts = pl.DataFrame(
        {
            "contract_id": [f"C{i}" for i in range(len(starts))],
            "account_id": ["K"] * len(starts),
            "start_date": starts,
            "end_date": [date(s.year + 2, s.month, 28) for s in starts],
            "term_months": [13, 7, 25, None],
            "status": ["Activated"] * len(starts),
        },
        schema_overrides={"term_months": pl.Int32},
    )
    load_frames(
        con,
        {
            "accounts": pl.DataFrame({"account_id": accounts, "name": accounts}),
            "opportunities": pl.DataFrame(deals, infer_schema_length=None),
            "contracts": contracts,
        },
    )
    return con


@pytest.mark.parametrize("as_of", [date(2025, 2, 28), date(2025, 3, 31), AS_OF])
def test_the_steps_give_the_file_s_figures_for_every_term(every_day_portfolio, as_of):
    ids = store.account_features(every_day_portfolio, as_of, 12).get_column(
        "account_id"
    )
    steps = store.term_steps(every_day_portfolio, as_of, ids)
    in_force, retained = set(), set()
    for term in range(1, 241):
        expected = store.account_term_revenue(every_day_portfolio, as_of, term)
        assert_frame_equal(store.term_revenue_of_steps(steps, term), expected)
        in_force.add(expected["deals_in_force"].sum())
        retained.add(expected["retention_retained"][0])
    # the terms do move the figures this test compares, deal by deal
    assert len(in_force) > 10 and len(retained) > 1


def test_the_steps_hold_an_account_not_asked_for_in_the_retention(terms_portfolio):
    # an account with deals written between the features' read and the steps'
    # counts in the portfolio's retention, and gets no row
    expected = store.account_term_revenue(terms_portfolio, AS_OF, 24)
    fewer = _ids(terms_portfolio).filter(_ids(terms_portfolio) != "S")
    steps = store.term_steps(terms_portfolio, AS_OF, fewer)
    moved = store.term_revenue_of_steps(steps, 24)
    assert moved["account_id"].to_list() == fewer.to_list()
    assert_frame_equal(moved, expected.filter(pl.col("account_id") != "S"))


def test_the_steps_of_a_portfolio_without_deals(con):
    load_frames(
        con,
        {"accounts": pl.DataFrame({"account_id": ["A", "B"], "name": ["A", "B"]})},
    )
    steps = store.term_steps(con, AS_OF, pl.Series("account_id", ["A", "B"]))
    assert len(steps.steps) == 0
    assert_frame_equal(
        store.term_revenue_of_steps(steps, 24),
        store.account_term_revenue(con, AS_OF, 24),
    )


def test_the_steps_refuse_a_term_under_a_month(terms_portfolio):
    steps = store.term_steps(terms_portfolio, AS_OF, _ids(terms_portfolio))
    with pytest.raises(RejectedInputError, match="at least 1 month"):
        store.term_revenue_of_steps(steps, 0)


def test_sessions_looking_up_terms_at_once_get_each_their_own(terms_portfolio):
    # the app's sessions run in threads of one process and share the kept steps
    steps = store.term_steps(terms_portfolio, AS_OF, _ids(terms_portfolio))
    expected = {t: store.account_term_revenue(terms_portfolio, AS_OF, t) for t in TERMS}
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda t: store.term_revenue_of_steps(steps, t), TERMS * 4)
        )
    for term, frame in zip(TERMS * 4, results, strict=True):
        assert_frame_equal(frame, expected[term])


@pytest.mark.parametrize("term", [12, 30])
def test_the_steps_of_the_demo_with_amounts_an_older_version_stored(demo_con, term):
    # a realistic portfolio (contracts, deals of their own terms, years of
    # deals), with NaN and infinite amounts an older version could store: the
    # steps sum them as the file's statement does, and both read them as unknown
    with store.write_transaction(demo_con) as cur:
        cur.execute(
            "UPDATE opportunities SET amount = CASE WHEN hash(opportunity_id) % 2 = 0 "
            "THEN 'nan'::DOUBLE ELSE 'inf'::DOUBLE END "
            "WHERE opportunity_id IN (SELECT opportunity_id FROM opportunities "
            "WHERE is_won ORDER BY close_date DESC, opportunity_id LIMIT 6)"
        )
    as_of = store.resolve_as_of(demo_con)
    ids = store.account_features(demo_con, as_of, 12).get_column("account_id")
    expected = store.account_term_revenue(demo_con, as_of, term)
    assert expected["revenue_annualised"].null_count() > 0
    steps = store.term_steps(demo_con, as_of, ids)
    assert_frame_equal(store.term_revenue_of_steps(steps, term), expected)


def test_the_shared_steps_cannot_be_written_to(terms_portfolio):
    # the app shares one set of steps between its sessions' threads
    steps = store.term_steps(terms_portfolio, AS_OF, _ids(terms_portfolio))
    arrays = [v for v in vars(steps).values() if isinstance(v, np.ndarray)]
    assert len(arrays) == 8
    for values in arrays:
        with pytest.raises(ValueError, match="read-only"):
            values[:1] = 0
