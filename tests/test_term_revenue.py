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


@pytest.mark.parametrize("term", TERMS)
def test_the_kept_deals_give_the_file_s_figures(terms_portfolio, term):
    # a term move of the app works the revenue out from the deals kept in memory
    deals = store.deal_terms(terms_portfolio, AS_OF)
    ids = store.account_features(terms_portfolio, AS_OF, 12).get_column("account_id")
    expected = store.account_term_revenue(terms_portfolio, AS_OF, term)
    assert_frame_equal(store.term_revenue_of_deals(deals, ids, AS_OF, term), expected)
    # kept as the app keeps them, an Arrow table (read in place at each move)
    assert_frame_equal(
        store.term_revenue_of_deals(deals.to_arrow(), ids, AS_OF, term), expected
    )


def test_the_kept_deals_hold_each_deal_s_known_term(terms_portfolio):
    deals = store.deal_terms(terms_portfolio, AS_OF)
    known = dict(zip(deals["account_id"], deals["known_term_months"], strict=False))
    sources = set(zip(deals["account_id"], deals["term_source"], strict=True))
    assert known["K"] == 36 and known["T"] == 30 and known["C"] == 36
    # on the default term: no term of their own, whatever the default is
    assert (
        deals.filter(pl.col("account_id") == "S")["known_term_months"].is_null().all()
    )
    assert ("S", "default_term") in sources and ("K", "contract") in sources


def test_the_kept_deals_of_a_portfolio_without_deals(con):
    load_frames(
        con,
        {"accounts": pl.DataFrame({"account_id": ["A", "B"], "name": ["A", "B"]})},
    )
    deals = store.deal_terms(con, AS_OF)
    assert deals.height == 0
    ids = pl.Series("account_id", ["A", "B"])
    for kept in (deals, deals.to_arrow()):
        assert_frame_equal(
            store.term_revenue_of_deals(kept, ids, AS_OF, 24),
            store.account_term_revenue(con, AS_OF, 24),
        )


def test_the_kept_deals_refuse_a_term_under_a_month(terms_portfolio):
    deals = store.deal_terms(terms_portfolio, AS_OF)
    with pytest.raises(RejectedInputError, match="at least 1 month"):
        store.term_revenue_of_deals(deals, pl.Series(["K"]), AS_OF, 0)


def test_sessions_working_out_terms_at_once_do_not_see_each_other_s_frames(
    terms_portfolio,
):
    # the app's sessions run in threads of one process and share the in-memory
    # database: each registers its frames on a cursor of its own
    deals = store.deal_terms(terms_portfolio, AS_OF)
    ids = store.account_features(terms_portfolio, AS_OF, 12).get_column("account_id")
    expected = {t: store.account_term_revenue(terms_portfolio, AS_OF, t) for t in TERMS}
    fewer = deals.filter(pl.col("account_id") != "S")  # another session's frame

    def work(term: int) -> tuple[pl.DataFrame, pl.DataFrame]:
        return (
            store.term_revenue_of_deals(deals, ids, AS_OF, term),
            store.term_revenue_of_deals(fewer, ids, AS_OF, term),
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, TERMS * 4))
    for term, (full, without_s) in zip(TERMS * 4, results, strict=True):
        assert_frame_equal(full, expected[term])
        s_row = without_s.row(by_predicate=pl.col("account_id") == "S", named=True)
        assert s_row["deals_in_force"] == 0
