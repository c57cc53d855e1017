"""The demo's sellers and accounts: who we are, and whom we sell to."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl

from workbench.demo.draw import (
    _company_name,
    _company_site,
    _span,
)
from workbench.demo.vocabulary import (
    _ARCHETYPE_SHARES,
    _COUNTRIES,
    _INDUSTRIES,
    _PROFILES,
    _SELLER_TEAMS,
    _WESTERN_FIRST,
    _WESTERN_LAST,
    ARCHETYPES,
    DEMO_END,
)
from workbench.vocabulary import ACCOUNT_COLUMNS

#: The accounts frame's columns; the last five are the generator's own and are
#: dropped before the frame reaches the store.
_ACCOUNT_COLUMNS = (
    *ACCOUNT_COLUMNS,
    "archetype",
    "naming",
    "true_wallet",
    "our_share",
    "growth",
)


def _sellers(rng: np.random.Generator, n: int) -> pl.DataFrame:
    shares = np.array([t[2] for t in _SELLER_TEAMS])
    counts = np.maximum(1, np.round(shares * n).astype(int))
    counts[0] += n - counts.sum()  # key account managers absorb rounding
    teams = np.repeat(np.arange(len(_SELLER_TEAMS)), counts)
    first = rng.integers(0, len(_WESTERN_FIRST), n)
    last = rng.integers(0, len(_WESTERN_LAST), n)
    names = [
        f"{_WESTERN_FIRST[f]} {_WESTERN_LAST[g]}"
        for f, g in zip(first, last, strict=True)
    ]
    return pl.DataFrame(
        {
            "seller_id": [f"S{i + 1:04d}" for i in range(n)],
            "name": names,
            "team": [_SELLER_TEAMS[t][0] for t in teams],
            "title": [_SELLER_TEAMS[t][1] for t in teams],
            "email": [
                f"{n_.lower().replace(' ', '.')}@supplier.example" for n_ in names
            ],
            "source": "demo",
        }
    ).with_columns(pl.col("seller_id").alias("source_id"))


def _accounts(rng: np.random.Generator, n: int, sellers: pl.DataFrame) -> pl.DataFrame:
    # Exact archetype counts (then shuffled) so small portfolios still hold each kind.
    counts = np.floor(_ARCHETYPE_SHARES * n).astype(int)
    for i in np.argsort(-(_ARCHETYPE_SHARES * n - counts))[: n - counts.sum()]:
        counts[i] += 1
    kinds = rng.permutation(np.repeat(np.arange(len(ARCHETYPES)), counts))
    country_weights = np.array([c[3] for c in _COUNTRIES], dtype=float)
    country_idx = rng.choice(
        len(_COUNTRIES), n, p=country_weights / country_weights.sum()
    )
    industries = rng.integers(0, len(_INDUSTRIES), n)

    names = _unique_company_names(rng, [_COUNTRIES[c][2] for c in country_idx])

    profile = [_PROFILES[ARCHETYPES[k]] for k in kinds]
    u = rng.random((n, 8))
    revenue = np.array(
        [_span(p.revenue_musd, x) for p, x in zip(profile, u[:, 0], strict=True)]
    )
    wallet_share = np.array(
        [
            _span(p.wallet_share_of_revenue, x)
            for p, x in zip(profile, u[:, 1], strict=True)
        ]
    )
    margin = np.array(
        [_span(p.margin_pct, x) for p, x in zip(profile, u[:, 2], strict=True)]
    )
    tenure = np.array(
        [_span(p.tenure_years, x) for p, x in zip(profile, u[:, 3], strict=True)]
    )
    annual_revenue = np.round(revenue * 1e6, -3)
    wallet = np.round(annual_revenue * wallet_share, -3)
    # Real CRMs are patchy: some wallets and margins are unknown.
    wallet_known = u[:, 4] > 0.12
    margin_known = u[:, 5] > 0.08
    employees = (
        np.round(annual_revenue / rng.uniform(180_000, 420_000, n)).astype(int) + 20
    )
    created = [DEMO_END - timedelta(days=int(t * 365.25)) for t in tenure]
    kam = sellers.filter(pl.col("team") == "Key Account Management")[
        "seller_id"
    ].to_list()
    owners = [kam[i] for i in rng.integers(0, len(kam), n)]
    contract = [
        p.contract_types[int(x * len(p.contract_types))]
        for p, x in zip(profile, rng.random(n), strict=True)
    ]
    our_share = np.array(
        [_span(p.our_share_of_wallet, x) for p, x in zip(profile, u[:, 6], strict=True)]
    )
    growth = np.array(
        [_span(p.growth_per_year, x) for p, x in zip(profile, u[:, 7], strict=True)]
    )
    # Consignment stock, dedicated logistics: about 3% of what we sell, where known.
    direct_cost = np.where(
        rng.random(n) < 0.3, np.round(wallet * our_share * 0.03, -2), np.nan
    )
    account_ids = [f"A{i + 1:05d}" for i in range(n)]
    parents = _parent_accounts(rng, [ARCHETYPES[k] for k in kinds], account_ids)
    return (
        pl.DataFrame(
            {
                "account_id": account_ids,
                "name": names,
                "industry": [_INDUSTRIES[i] for i in industries],
                "region": [_COUNTRIES[c][0] for c in country_idx],
                "country": [_COUNTRIES[c][1] for c in country_idx],
                "annual_revenue": annual_revenue,
                "employees": employees,
                "parent_account_id": parents,
                "owner_seller_id": owners,
                "wallet_estimate": np.where(wallet_known, wallet, np.nan),
                "gross_margin_pct": np.where(
                    margin_known, np.round(margin * 100, 1), np.nan
                ),
                "created_on": created,
                "source": "demo",
                "contract_type": contract,
                "direct_cost_annual": direct_cost,
                # a supplier's customers, as its CRM types them
                "crm_type": "Customer - Direct",
                "account_type": "customer",
                "archetype": [ARCHETYPES[k] for k in kinds],
                "naming": [_COUNTRIES[c][2] for c in country_idx],
                "true_wallet": wallet,
                "our_share": our_share,
                "growth": growth,
            },
            schema_overrides={"employees": pl.Int64},
        )
        .with_columns(
            pl.col("account_id").alias("source_id"),
            pl.col(
                "wallet_estimate", "gross_margin_pct", "direct_cost_annual"
            ).fill_nan(None),
        )
        .select(_ACCOUNT_COLUMNS)
    )


def _unique_company_names(rng: np.random.Generator, styles: list[str]) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for style in styles:
        name = _company_name(rng, style)
        while name in seen:  # unique names: append a site name like real CRMs do
            name = f"{name} {_company_site(rng, style)}"
        seen.add(name)
        names.append(name)
    return names


def _parent_accounts(
    rng: np.random.Generator, archetypes: list[str], account_ids: list[str]
) -> list[str | None]:
    # A few accounts are subsidiaries of a strategic account in the same region.
    parents: list[str | None] = [None] * len(account_ids)
    strategic = [i for i, kind in enumerate(archetypes) if kind == "strategic"]
    for i, kind in enumerate(archetypes):
        if strategic and kind == "steady" and rng.random() < 0.15:
            parent = strategic[int(rng.integers(0, len(strategic)))]
            if parent != i:
                parents[i] = account_ids[parent]
    return parents
