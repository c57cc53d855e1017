"""Whose time is where, from sellers' hours prepared once: against a from-scratch sum.

The Effort page prepares each seller's hours per account once per data version and
thresholds, then adds the verdicts of each move of a rule by position. These tests
compare that with the plain computation (join the verdicts by account, group by
seller or team) on frames shaped like real exports: sellers on many accounts, an
account several sellers share, a seller without a team, activities without a
duration, an account with no hours, rows of other dimensions and of last year, and
effort on an account the segmentation does not hold.
"""

from __future__ import annotations

import random

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from workbench.analytics import effort

MINUTES = 15.0


def from_scratch(
    aggregates: pl.DataFrame, judged: pl.DataFrame, minutes: float, by: str
) -> pl.DataFrame:
    """The sellers' verdicts as written before any preparation: join, then group."""
    rows = aggregates.filter(
        (pl.col("dimension") == "seller") & (pl.col("period") == "current")
    ).join(
        judged.select(
            "account_id",
            "relationship",
            "investment",
            "people",
            "misallocation_cost",
            account_hours="effort_hours",
        ),
        on="account_id",
        how="inner",
    )
    keys = ["seller_id", "seller_name", "team"] if by == "seller" else ["team"]
    hours = (
        pl.col("minutes_recorded") + pl.col("activities_without_duration") * minutes
    ) / 60
    part = pl.when(pl.col("account_hours") > 0).then(hours / pl.col("account_hours"))
    over = pl.col("investment") == "over_invested"
    return (
        rows.group_by(keys)
        .agg(
            accounts=pl.col("account_id").n_unique(),
            effort_hours=hours.sum(),
            over_invested_hours=hours.filter(over).sum(),
            under_invested_hours=hours.filter(
                pl.col("investment") == "under_invested"
            ).sum(),
            wrong_people_hours=hours.filter(pl.col("people") == "wrong_people").sum(),
            transactional_hours=hours.filter(
                pl.col("relationship") == "transactional"
            ).sum(),
            excess_cost=(part * pl.col("misallocation_cost")).filter(over).sum(),
        )
        .with_columns(
            transactional_share_pct=pl.when(pl.col("effort_hours") > 0).then(
                pl.col("transactional_hours") / pl.col("effort_hours") * 100
            )
        )
        .drop("transactional_hours")
        .sort(["effort_hours", *keys], descending=[True, *([False] * len(keys))])
    )


def portfolio(seed: int, accounts: int = 60, sellers: int = 9) -> pl.DataFrame:
    """Accounts as the segmentation hands them to effort (hours and type)."""
    rng = random.Random(seed)
    return pl.DataFrame(
        {
            "account_id": [f"A{n:03d}" for n in range(accounts)],
            "relationship": [
                rng.choice(["transactional", "partnership", "no_data"])
                for _ in range(accounts)
            ],
            # one account in ten without hours: its sellers' part is unknown
            "effort_hours": [
                0.0 if n % 10 == 0 else rng.uniform(1, 400) for n in range(accounts)
            ],
        }
    )


def aggregates_of(seed: int, accounts: int = 60, sellers: int = 9) -> pl.DataFrame:
    """Effort aggregates: seller rows of both periods, other dimensions, a stranger."""
    rng = random.Random(seed + 1)
    rows: list[dict[str, object]] = []
    for n in range(accounts + 2):  # two accounts the segmentation does not hold
        for seller in rng.sample(range(sellers), k=rng.randint(1, 4)):
            for period in ("current", "previous"):
                rows.append(
                    {
                        "dimension": "seller",
                        "period": period,
                        "account_id": f"A{n:03d}",
                        "seller_id": f"s{seller}",
                        "seller_name": f"Seller {seller}",
                        # seller 0 has no team in the CRM
                        "team": None if seller == 0 else f"Team {seller % 3}",
                        "minutes_recorded": float(rng.randint(0, 3_000)),
                        "activities": rng.randint(1, 30),
                        "activities_without_duration": rng.randint(0, 5),
                    }
                )
        rows.append(
            {
                "dimension": "kind",
                "period": "current",
                "account_id": f"A{n:03d}",
                "seller_id": None,
                "seller_name": None,
                "team": None,
                "minutes_recorded": 600.0,
                "activities": 3,
                "activities_without_duration": 1,
            }
        )
    return pl.DataFrame(rows)


def verdicts_of(accounts: pl.DataFrame, seed: int) -> pl.DataFrame:
    """One set of verdicts, as a move of the rules would give."""
    rng = random.Random(seed)
    count = accounts.height
    return accounts.with_columns(
        investment=pl.Series(
            [
                rng.choice(["under_invested", "over_invested", "right", "not_judged"])
                for _ in range(count)
            ]
        ),
        people=pl.Series(
            [rng.choice(["wrong_people", "right", "not_judged"]) for _ in range(count)]
        ),
        misallocation_cost=pl.Series([rng.uniform(0, 50_000) for _ in range(count)]),
    ).sample(fraction=1.0, shuffle=True, seed=seed)  # any row order


@pytest.mark.parametrize("by", ["seller", "team"])
def test_prepared_hours_give_the_from_scratch_verdicts_for_every_move(by):
    accounts = portfolio(7)
    aggregates = aggregates_of(7)
    prepared = effort.seller_account_hours(aggregates, accounts, MINUTES)
    for move in range(6):
        judged = verdicts_of(accounts, move)
        expected = from_scratch(aggregates, judged, MINUTES, by)
        got = effort.judged_seller_hours(prepared, judged, by)
        # the same rows and columns; sums equal up to the order of addition
        assert_frame_equal(got, expected, check_exact=False, rel_tol=1e-12)
        assert_frame_equal(
            effort.seller_verdicts(aggregates, judged, MINUTES, by),
            got,
            check_exact=False,
            rel_tol=1e-12,
        )
    # the seller without a team is a group of its own, as before
    if by == "team":
        assert got["team"].null_count() == 1


def test_verdicts_of_other_accounts_are_refused():
    accounts = portfolio(3)
    prepared = effort.seller_account_hours(aggregates_of(3), accounts, MINUTES)
    fewer = verdicts_of(accounts, 1).filter(pl.col("account_id") != "A001")
    with pytest.raises(ValueError, match="not those of the prepared accounts"):
        effort.judged_seller_hours(prepared, fewer)
    with pytest.raises(ValueError, match="unknown grouping"):
        effort.judged_seller_hours(prepared, verdicts_of(accounts, 1), "region")


def test_no_seller_rows_give_an_empty_table():
    accounts = portfolio(5, accounts=4)
    aggregates = aggregates_of(5, accounts=4).filter(pl.col("dimension") != "seller")
    prepared = effort.seller_account_hours(aggregates, accounts, MINUTES)
    judged = verdicts_of(accounts, 2)
    for by in ("seller", "team"):
        got = effort.judged_seller_hours(prepared, judged, by)
        assert got.height == 0
        assert got.columns == from_scratch(aggregates, judged, MINUTES, by).columns
