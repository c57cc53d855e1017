"""The demo's activity log: who of ours touched whom, how, when and for how long."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl

from workbench.demo.vocabulary import (
    _EXECUTIVE,
    _KIND_MINUTES,
    _PROFILES,
    _SELLER_TEAMS,
    DEMO_END,
    DEMO_YEARS,
)

#: The subject line a CRM would show for each kind of demo activity.
_SUBJECTS = {
    "call": "Follow-up call",
    "email": "E-mail",
    "meeting": "Account meeting",
    "visit": "Site visit",
    "demo": "Product demo",
    "workshop": "Technical workshop",
    "joint_planning": "Joint business planning",
    "support": "Support case",
    "quote": "Quotation",
}


def _activities(
    rng: np.random.Generator,
    n: int,
    accounts: pl.DataFrame,
    contacts: pl.DataFrame,
    sellers: pl.DataFrame,
) -> pl.DataFrame:
    if n == 0:
        return pl.DataFrame(schema=_ACTIVITY_SCHEMA)
    archetype = accounts["archetype"].to_list()
    profiles = [_PROFILES[a] for a in archetype]
    # Effort follows the archetype and, more weakly, the account's size.
    size = np.log10(accounts["annual_revenue"].to_numpy() + 1e6)
    weights = np.array([p.effort_weight for p in profiles]) * (size / size.mean())
    account_idx = np.sort(rng.choice(len(profiles), n, p=weights / weights.sum()))

    # Pick each activity's contact from its account, weighted by department so that
    # transactional accounts are mostly procurement and partnerships reach wide.
    contact_account = contacts["account_id"].to_numpy()
    account_pos = {a: i for i, a in enumerate(accounts["account_id"].to_list())}
    contact_acc_idx = np.array([account_pos[a] for a in contact_account])
    dept = contacts["department"].to_numpy()
    is_proc = dept == "Procurement"
    is_exec = (dept == _EXECUTIVE) | (contacts["level"].to_numpy() <= 2) & ~is_proc
    breadth = np.array([p.departments_engaged for p in profiles])[contact_acc_idx]
    exec_share = np.array([p.executive_effort for p in profiles])[contact_acc_idx]
    w = np.where(is_proc, 1 - breadth + 0.05, breadth)
    w = np.where(is_exec, exec_share * 6 + 0.01, w)
    # ... and some people are simply never touched: the dark corners of the map.
    w = w * (rng.random(len(w)) > 0.25)
    w = np.maximum(w, 1e-9)
    order = np.argsort(contact_acc_idx, kind="stable")
    w_sorted = w[order]
    cum = np.cumsum(w_sorted)
    counts = np.bincount(contact_acc_idx, minlength=len(profiles))
    ends = np.cumsum(counts)
    starts = ends - counts
    cum_start = np.where(starts > 0, cum[np.maximum(starts - 1, 0)], 0.0)
    cum_total = cum[ends - 1] - cum_start
    target = cum_start[account_idx] + rng.random(n) * cum_total[account_idx]
    pick = np.searchsorted(cum, target, side="right")
    pick = np.clip(pick, starts[account_idx], ends[account_idx] - 1)
    contact_idx = order[pick]

    # Kind of activity by archetype.
    kinds = sorted(_KIND_MINUTES)
    kind_p = np.array([[p.kinds.get(k, 0.0) for k in kinds] for p in profiles])
    kind_p = kind_p / kind_p.sum(axis=1, keepdims=True)
    kind_cum = np.cumsum(kind_p, axis=1)
    u = rng.random(n)
    kind_idx = np.minimum(
        (u[:, None] > kind_cum[account_idx]).sum(axis=1), len(kinds) - 1
    )
    base_minutes = np.array([_KIND_MINUTES[k] for k in kinds])[kind_idx]
    duration = np.round(base_minutes * rng.lognormal(0, 0.3, n) / 5) * 5
    duration = np.maximum(duration, 5.0)

    # Dates: three years, weighted towards the recent past for growing accounts.
    span_days = 365 * DEMO_YEARS
    growth = np.array([np.mean(p.growth_per_year) for p in profiles])[account_idx]
    day = np.floor(
        span_days * rng.random(n) ** (1 / (1 + np.clip(growth, -0.5, 1.0)))
    ).astype(int)
    start = np.datetime64(DEMO_END - timedelta(days=span_days - 1))
    activity_date = start + day.astype("timedelta64[D]")

    kind_name = np.array(kinds)[kind_idx]
    seller_idx = _activity_sellers(
        rng, accounts, sellers, account_idx, kind_name, is_exec[contact_idx]
    )

    ids = pl.int_range(1, n + 1, eager=True).cast(pl.String).str.zfill(8)
    return (
        pl.DataFrame(
            {
                "account_id": accounts["account_id"].to_numpy()[account_idx],
                "contact_id": contacts["contact_id"].to_numpy()[contact_idx],
                "seller_id": sellers["seller_id"].to_numpy()[seller_idx],
                "kind": kind_name,
                "activity_date": activity_date,
                "duration_minutes": duration,
            }
        )
        .with_columns(
            pl.concat_str(pl.lit("ACT"), ids).alias("activity_id"),
            pl.col("activity_date").cast(pl.Date),
            pl.col("kind")
            .replace_strict(_SUBJECTS, return_dtype=pl.String)
            .alias("subject"),
            pl.lit("demo").alias("source"),
        )
        # The ID is the source's own: stored once, as activity_id.
        .with_columns(pl.lit(None, dtype=pl.String).alias("source_id"))
        .select(list(_ACTIVITY_SCHEMA))
    )


_ACTIVITY_SCHEMA = {
    "activity_id": pl.String,
    "account_id": pl.String,
    "contact_id": pl.String,
    "seller_id": pl.String,
    "kind": pl.String,
    "activity_date": pl.Date,
    "duration_minutes": pl.Float64,
    "subject": pl.String,
    "source": pl.String,
    "source_id": pl.String,
}


def _activity_sellers(
    rng: np.random.Generator,
    accounts: pl.DataFrame,
    sellers: pl.DataFrame,
    account_idx: np.ndarray,
    kind_name: np.ndarray,
    contact_is_exec: np.ndarray,
) -> np.ndarray:
    n = len(account_idx)
    # Who did it: the account owner mostly, specialists by kind, executives for
    # executive contacts.
    owner_pos = {s: i for i, s in enumerate(sellers["seller_id"].to_list())}
    owner_idx = np.array([owner_pos[s] for s in accounts["owner_seller_id"]])[
        account_idx
    ]
    team = sellers["team"].to_numpy()
    pools = {t: np.flatnonzero(team == t) for t, _, _ in _SELLER_TEAMS}
    seller_idx = owner_idx.copy()
    r = rng.random(n)
    for kinds_for_team, team_name, share in (
        ({"demo", "workshop", "visit"}, "Technical Sales", 0.5),
        ({"support"}, "Customer Service", 0.8),
        ({"call", "email", "quote"}, "Inside Sales", 0.45),
    ):
        pool = pools[team_name]
        mask = np.isin(kind_name, list(kinds_for_team)) & (r < share)
        seller_idx[mask] = pool[rng.integers(0, len(pool), mask.sum())]
    exec_mask = contact_is_exec & (rng.random(n) < 0.35)
    pool = pools["Executive Sponsors"]
    seller_idx[exec_mask] = pool[rng.integers(0, len(pool), exec_mask.sum())]
    chosen: np.ndarray = seller_idx
    return chosen
