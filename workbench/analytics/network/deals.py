"""A deal's own buying centre: the people the CRM names on each opportunity.

Deals have their own buying centres (Salesforce's opportunity contact roles,
HubSpot's deal associations): the map can show only the people named on one deal.
Pure functions over the frame ``store.account_deals`` returns.
"""

from __future__ import annotations

import polars as pl


def deal_list(deals: pl.DataFrame) -> pl.DataFrame:
    """Return one row per deal, in the input's order (open deals first).

    Columns: ``opportunity_id, deal, stage, amount, close_date, is_closed, is_won,
    people`` (how many people the CRM names on it).
    """
    return deals.group_by("opportunity_id", maintain_order=True).agg(
        pl.col("deal").first(),
        pl.col("stage").first(),
        pl.col("amount").first(),
        pl.col("close_date").first(),
        pl.col("is_closed").first(),
        pl.col("is_won").first(),
        pl.col("contact_id").drop_nulls().n_unique().cast(pl.Int64).alias("people"),
    )


def deal_people(deals: pl.DataFrame, opportunity_id: str) -> tuple[str, ...]:
    """Return the IDs of the people named on one deal (sorted, no repeats)."""
    named = deals.filter(
        (pl.col("opportunity_id") == opportunity_id)
        & pl.col("contact_id").is_not_null()
    )
    return tuple(sorted(set(named["contact_id"].to_list())))


def deal_roles(
    deals: pl.DataFrame, opportunity_id: str, persons: pl.DataFrame
) -> pl.DataFrame:
    """Return the deal's people with their role on the deal and our coverage.

    Columns: ``name, title, deal_role, is_primary, role`` (buying role in the
    account), ``engaged`` (touched by us in the window); people the CRM names on
    the deal who are not among ``persons`` (another account's contact) are left out.
    """
    named = deals.filter(
        (pl.col("opportunity_id") == opportunity_id)
        & pl.col("contact_id").is_not_null()
    ).select("contact_id", "deal_role", "is_primary")
    return (
        named.join(
            persons.select("contact_id", "name", "title", "role", "engaged"),
            on="contact_id",
            how="inner",
        )
        .sort(["is_primary", "name"], descending=[True, False], nulls_last=True)
        .select("name", "title", "deal_role", "is_primary", "role", "engaged")
    )
