"""The demo's opportunities, their contact roles, and NPS answers."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from workbench.demo.draw import (
    _quarter_end,
)
from workbench.demo.vocabulary import (
    _NPS_COMMENTS,
    _OPP_ROLES,
    _STAGES_OPEN,
    DEMO_END,
    DEMO_YEARS,
    NPS_QUARTERS,
)


def _opportunities(
    rng: np.random.Generator, accounts: pl.DataFrame, sellers: pl.DataFrame
) -> pl.DataFrame:
    start = DEMO_END - timedelta(days=365 * DEMO_YEARS)
    kam = sellers.filter(
        pl.col("team").is_in(["Key Account Management", "Technical Sales"])
    )["seller_id"].to_list()
    frames = []
    next_id = 1
    for row in accounts.iter_rows(named=True):
        growth = row["growth"]
        won_per_year_now = row["true_wallet"] * row["our_share"]
        deals_per_year = int(np.clip(won_per_year_now / 30_000, 6, 60))
        n = deals_per_year * DEMO_YEARS + int(
            rng.integers(2, 6)
        )  # plus a few open ones
        days = np.sort(rng.integers(0, 365 * DEMO_YEARS + 120, n))
        close = [start + timedelta(days=int(d)) for d in days]
        years_before_end = np.array([(DEMO_END - c).days / 365.25 for c in close])
        # Revenue this far back was smaller (or larger) by the growth rate.
        scale = np.power(1 + growth, -np.clip(years_before_end, 0, None))
        amount = np.round(
            won_per_year_now
            / deals_per_year
            * scale
            * rng.lognormal(0, 0.35, n)
            / 0.62,
            -2,
        )
        future = np.array([c > DEMO_END for c in close])
        is_closed = ~future & (rng.random(n) < 0.97)
        is_won = is_closed & (rng.random(n) < 0.62)
        stage = np.where(
            is_won,
            "Closed Won",
            np.where(
                is_closed, "Closed Lost", np.array(_STAGES_OPEN)[rng.integers(0, 4, n)]
            ),
        )
        owners = np.where(
            rng.random(n) < 0.7,
            row["owner_seller_id"],
            np.array(kam)[rng.integers(0, len(kam), n)],
        )
        ids = [f"O{next_id + k:07d}" for k in range(n)]
        next_id += n
        subjects = [
            "Framework renewal",
            "Spare parts",
            "Line upgrade",
            "Service contract",
            "Pilot order",
            "Retrofit",
        ]
        frames.append(
            pl.DataFrame(
                {
                    "opportunity_id": ids,
                    "account_id": row["account_id"],
                    "name": [
                        f"{subjects[int(i)]} {c.year}"
                        for i, c in zip(
                            rng.integers(0, len(subjects), n), close, strict=True
                        )
                    ],
                    "stage": stage,
                    "amount": amount,
                    "close_date": close,
                    "is_closed": is_closed,
                    "is_won": is_won,
                    "owner_seller_id": owners,
                    "created_on": [
                        c - timedelta(days=int(d))
                        for c, d in zip(close, rng.integers(20, 180, n), strict=True)
                    ],
                    "source": "demo",
                    "source_id": ids,
                }
            )
        )
    return pl.concat(frames)


def _opportunity_contacts(
    rng: np.random.Generator, opportunities: pl.DataFrame, contacts: pl.DataFrame
) -> pl.DataFrame:
    people = (
        contacts.filter(pl.col("level") <= 3)
        .group_by("account_id", maintain_order=True)
        .agg("contact_id")
    )
    lookup = dict(
        zip(people["account_id"].to_list(), people["contact_id"].to_list(), strict=True)
    )
    opp_ids: list[str] = []
    contact_ids: list[str] = []
    roles: list[str] = []
    primary: list[bool] = []
    for opp_id, account_id in zip(
        opportunities["opportunity_id"], opportunities["account_id"], strict=True
    ):
        candidates = lookup.get(account_id, [])
        if not candidates:
            continue
        k = min(len(candidates), int(rng.integers(1, 4)))
        for j, idx in enumerate(rng.choice(len(candidates), k, replace=False)):
            opp_ids.append(opp_id)
            contact_ids.append(candidates[int(idx)])
            roles.append(_OPP_ROLES[int(rng.integers(0, len(_OPP_ROLES)))])
            primary.append(j == 0)
    return pl.DataFrame(
        {
            "opportunity_id": opp_ids,
            "contact_id": contact_ids,
            "role": roles,
            "is_primary": primary,
        }
    )


def _nps(
    rng: np.random.Generator, accounts: pl.DataFrame, contacts: pl.DataFrame
) -> pl.DataFrame:
    # Base loyalty by archetype, then role effects: in some accounts users and
    # executives disagree sharply, the conflict an average hides.
    base = {
        "strategic": 8.6,
        "growth": 7.4,
        "overserved": 5.6,
        "steady": 7.0,
        "partner": 8.0,
    }
    by_account = contacts.filter(pl.col("buying_role").is_not_null()).partition_by(
        "account_id", as_dict=True, maintain_order=True
    )
    ids: list[str] = []
    acc: list[str] = []
    who: list[str] = []
    when: list[date] = []
    score: list[int] = []
    comment: list[str | None] = []
    next_id = 1
    for row in accounts.iter_rows(named=True):
        people = by_account.get((row["account_id"],))
        if people is None or people.height == 0:
            continue
        conflict = rng.random() < 0.3
        roles = people["buying_role"].to_list()
        person_ids = people["contact_id"].to_list()
        attitudes = people["attitude"].to_list()
        for q in range(NPS_QUARTERS):
            quarter_end = _quarter_end(DEMO_END, q)
            k = min(len(person_ids), int(rng.integers(3, 7)))
            for idx in rng.choice(len(person_ids), k, replace=False):
                role = roles[int(idx)]
                s = base[row["archetype"]] + rng.normal(0, 1.4)
                if conflict and role in {"user", "influencer"}:
                    s -= 3.0
                if conflict and role in {"decider", "approver"}:
                    s += 1.0
                s += {
                    "champion": 1.0,
                    "supporter": 0.5,
                    "skeptic": -1.0,
                    "blocker": -2.0,
                }.get(attitudes[int(idx)] or "", 0.0)
                value = int(np.clip(round(s), 0, 10))
                band = (
                    "promoter"
                    if value >= 9
                    else "passive"
                    if value >= 7
                    else "detractor"
                )
                ids.append(f"N{next_id:07d}")
                next_id += 1
                acc.append(row["account_id"])
                who.append(person_ids[int(idx)])
                when.append(quarter_end - timedelta(days=int(rng.integers(5, 60))))
                score.append(value)
                options = _NPS_COMMENTS[band]
                comment.append(
                    options[int(rng.integers(0, len(options)))]
                    if rng.random() < 0.6
                    else None
                )
    return pl.DataFrame(
        {
            "response_id": ids,
            "account_id": acc,
            "contact_id": who,
            "responded_on": when,
            "score": score,
            "comment": comment,
        },
        schema={
            "response_id": pl.String,
            "account_id": pl.String,
            "contact_id": pl.String,
            "responded_on": pl.Date,
            "score": pl.Int8,
            "comment": pl.String,
        },
    ).with_columns(
        pl.lit("demo").alias("source"), pl.col("response_id").alias("source_id")
    )


#: Archetypes that sign multi-year framework agreements in the demo.
_FRAMEWORK_ARCHETYPES = ("strategic", "partner")
#: A framework agreement runs three years and was signed about 14 months before the
#: demo's end, so the demo holds a partner between two renewals.
_FRAMEWORK_TERM_MONTHS = 36
_FRAMEWORK_SIGNED_DAYS_BEFORE_END = 425


def _framework_contracts(
    rng: np.random.Generator, accounts: pl.DataFrame, opportunities: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return contracts and the opportunities with each contract's signing deal added.

    Strategic and partner accounts signed a three-year framework agreement worth a
    share of three years' business; its won deal names the contract (as
    Salesforce's ``Opportunity.ContractId`` does), so its amount is spread over the
    36 months instead of counting as one year's bookings.
    """
    signers = accounts.filter(pl.col("archetype").is_in(_FRAMEWORK_ARCHETYPES))
    n = signers.height
    start = [
        DEMO_END - timedelta(days=_FRAMEWORK_SIGNED_DAYS_BEFORE_END + int(d))
        for d in rng.integers(-30, 30, n)
    ]
    end = [
        date(s.year + _FRAMEWORK_TERM_MONTHS // 12, s.month, min(s.day, 28))
        - timedelta(days=1)
        for s in start
    ]
    contract_ids = [f"K{i + 1:06d}" for i in range(n)]
    yearly = (signers["true_wallet"] * signers["our_share"]).to_numpy()
    amount = np.round(yearly * rng.uniform(0.25, 0.4, n) * 3, -3)
    contracts = pl.DataFrame(
        {
            "contract_id": contract_ids,
            "account_id": signers["account_id"],
            "start_date": start,
            "end_date": end,
            "term_months": [_FRAMEWORK_TERM_MONTHS] * n,
            "status": ["Activated"] * n,
            "source": "demo",
            "source_id": contract_ids,
        },
        schema_overrides={"term_months": pl.Int32},
    )
    deal_ids = [f"OF{i + 1:06d}" for i in range(n)]
    deals = pl.DataFrame(
        {
            "opportunity_id": deal_ids,
            "account_id": signers["account_id"],
            "name": [f"Framework agreement {s.year}–{s.year + 3}" for s in start],
            "stage": "Closed Won",
            "amount": amount,
            "close_date": [s - timedelta(days=10) for s in start],
            "is_closed": True,
            "is_won": True,
            "owner_seller_id": signers["owner_seller_id"],
            "created_on": [s - timedelta(days=120) for s in start],
            "source": "demo",
            "source_id": deal_ids,
            "contract_id": contract_ids,
        }
    )
    return contracts, pl.concat([opportunities, deals], how="diagonal_relaxed")
