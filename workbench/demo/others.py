"""The accounts a supplier's CRM holds beside its customers: partners and competitors.

A real CRM types some accounts as no customer (Salesforce's ``Type``): the
technology and installation partners our people work with (alliance meetings,
joint solution work, calls) and competitors whose people we meet at trade fairs.
They have people and activities, and no deal. The workbench keeps them, shows
their buying centres, and does not segment them (docs/segments.md, "Which
accounts are segmented"): the demo holds them so that this shows.

One such account for every :data:`CUSTOMERS_PER_OTHER` customers, drawn from a
generator of its own after every customer table, so those stay as they were.
Their IDs follow the customers' (``A00061`` after ``A00060``); their people's
and activities' IDs have prefixes of their own.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl

from workbench.demo.draw import _company_name, _company_site, _person_name
from workbench.demo.vocabulary import DEMO_END, DEMO_YEARS
from workbench.vocabulary import ACCOUNT_COLUMNS

#: One partner or competitor for this many customer accounts.
CUSTOMERS_PER_OTHER = 20

#: (the CRM's type, the workbench's, activities a year, people's titles and
#: departments, activity kinds): partners are worked with every other week or
#: so, competitors met a few times a year.
_KINDS: tuple[
    tuple[str, str, int, tuple[tuple[str, str], ...], tuple[str, ...]], ...
] = (
    (
        "Technology Partner",
        "partner",
        24,
        (
            ("Managing Director", "Executive"),
            ("Alliance Manager", "Partnerships"),
            ("Solutions Architect", "Engineering"),
            ("Channel Sales Manager", "Sales"),
        ),
        ("meeting", "call", "email", "workshop"),
    ),
    (
        "Installation Partner",
        "partner",
        18,
        (
            ("Managing Director", "Executive"),
            ("Project Manager", "Projects"),
            ("Service Technician", "Service"),
        ),
        ("meeting", "call", "email", "visit"),
    ),
    (
        "Competitor",
        "competitor",
        3,
        (
            ("Sales Director", "Sales"),
            ("Product Manager", "Product"),
        ),
        ("meeting",),
    ),
)
_SUBJECTS = {
    "competitor": "Trade association meeting",
    "meeting": "Partner meeting",
    "call": "Partner call",
    "email": "Partner e-mail",
    "workshop": "Joint solution workshop",
    "visit": "Installation site visit",
}
_MINUTES = {"meeting": 60, "call": 20, "email": 5, "workshop": 180, "visit": 120}


def other_accounts(
    rng: np.random.Generator, customers: pl.DataFrame, sellers: pl.DataFrame
) -> dict[str, pl.DataFrame]:
    """Return the partners' and competitors' accounts, people and activities.

    ``customers``: the customer accounts (their count sets how many others,
    their industries and places the others'); ``sellers``: who owns the
    others and logs their activities.
    """
    count = customers.height // CUSTOMERS_PER_OTHER
    kinds = [_KINDS[k % len(_KINDS)] for k in range(count)]
    ids = [f"A{customers.height + k + 1:05d}" for k in range(count)]
    template = customers.sample(count, seed=int(rng.integers(1 << 31)))
    owners = sellers.filter(pl.col("team") == "Key Account Management")["seller_id"]
    accounts = template.select(
        pl.Series("account_id", ids, dtype=pl.String),
        pl.Series("name", _new_names(rng, customers["name"], count), dtype=pl.String),
        "industry",
        "region",
        "country",
        pl.lit(None, dtype=pl.Float64).alias("annual_revenue"),
        pl.lit(None, dtype=pl.Int64).alias("employees"),
        pl.lit(None, dtype=pl.String).alias("parent_account_id"),
        pl.Series(
            "owner_seller_id",
            owners.gather(rng.integers(0, owners.len(), count)).to_list(),
            dtype=pl.String,
        ),
        pl.lit(None, dtype=pl.Float64).alias("wallet_estimate"),
        pl.lit(None, dtype=pl.Float64).alias("gross_margin_pct"),
        pl.Series(
            "created_on",
            [DEMO_END - timedelta(days=int(d)) for d in rng.integers(400, 3000, count)],
            dtype=pl.Date,
        ),
        pl.lit("demo").alias("source"),
        pl.Series("source_id", ids, dtype=pl.String),
        pl.lit(None, dtype=pl.String).alias("contract_type"),
        pl.lit(None, dtype=pl.Float64).alias("direct_cost_annual"),
        pl.Series("crm_type", [k[0] for k in kinds], dtype=pl.String),
        pl.Series("account_type", [k[1] for k in kinds], dtype=pl.String),
    )
    assert tuple(accounts.columns) == ACCOUNT_COLUMNS
    people: dict[str, list[object]] = {
        c: [] for c in ("contact_id", "account_id", "name", "title", "department")
    }
    work: dict[str, list[object]] = {
        c: [] for c in ("account_id", "contact_id", "seller_id", "kind", "days_back")
    }
    for account_id, owner, kind in zip(
        ids, accounts["owner_seller_id"], kinds, strict=True
    ):
        _crm_type, _type, per_year, titles, activity_kinds = kind
        staff = [f"{account_id}-{k + 1}" for k in range(len(titles))]
        for contact_id, (title, department) in zip(staff, titles, strict=True):
            people["contact_id"].append(f"CX{contact_id}")
            people["account_id"].append(account_id)
            people["name"].append(_person_name(rng, "en")[2])
            people["title"].append(title)
            people["department"].append(department)
        n = int(rng.poisson(per_year * DEMO_YEARS))
        work["account_id"] += [account_id] * n
        work["contact_id"] += [
            f"CX{staff[int(i)]}" for i in rng.integers(0, len(staff), n)
        ]
        work["seller_id"] += [owner] * n
        work["kind"] += [
            activity_kinds[int(i)] for i in rng.integers(0, len(activity_kinds), n)
        ]
        work["days_back"] += rng.integers(0, 365 * DEMO_YEARS, n).tolist()
    contacts = pl.DataFrame(
        people, schema=dict.fromkeys(people, pl.String)
    ).with_columns(
        reports_to_id=pl.lit(None, dtype=pl.String),
        buying_role=pl.lit(None, dtype=pl.String),
        influence=pl.lit(None, dtype=pl.Int8),
        attitude=pl.lit(None, dtype=pl.String),
        email=pl.lit(None, dtype=pl.String),
        phone=pl.lit(None, dtype=pl.String),
        source=pl.lit("demo"),
        source_id=pl.col("contact_id"),
    )
    competitors = [i for i, k in zip(ids, kinds, strict=True) if k[1] == "competitor"]
    activities = (
        pl.DataFrame(
            work,
            schema={
                "account_id": pl.String,
                "contact_id": pl.String,
                "seller_id": pl.String,
                "kind": pl.String,
                "days_back": pl.Int64,
            },
        )
        .sort("account_id", "days_back")
        .with_columns(
            pl.concat_str(
                pl.lit("ACX"),
                pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(6),
            ).alias("activity_id"),
            (pl.lit(DEMO_END) - pl.duration(days=pl.col("days_back")))
            .cast(pl.Date)
            .alias("activity_date"),
            pl.col("kind")
            .replace_strict(_MINUTES, return_dtype=pl.Float64)
            .alias("duration_minutes"),
            pl.when(pl.col("account_id").is_in(competitors))
            .then(pl.lit(_SUBJECTS["competitor"]))
            .otherwise(pl.col("kind").replace_strict(_SUBJECTS, return_dtype=pl.String))
            .alias("subject"),
            pl.lit("demo").alias("source"),
            pl.lit(None, dtype=pl.String).alias("source_id"),
        )
    )
    return {"accounts": accounts, "contacts": contacts, "activities": activities}


def _new_names(rng: np.random.Generator, taken: pl.Series, count: int) -> list[str]:
    """Return ``count`` company names none of the customers has (a name is a key too)."""
    seen = set(taken.to_list())
    names: list[str] = []
    for _ in range(count):
        name = _company_name(rng, "en")
        while name in seen:  # as the customers' names: a site name appended
            name = f"{name} {_company_site(rng, 'en')}"
        seen.add(name)
        names.append(name)
    return names
