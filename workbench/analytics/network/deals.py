"""A deal's own buying centre: the people the CRM names on each opportunity.

Deals have their own buying centres (Salesforce's opportunity contact roles,
HubSpot's deal associations): the map can show only the people named on one deal.
Pure functions over the frame ``store.account_deals`` returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from workbench.vocabulary import ROLE_VALUES


@dataclass(frozen=True)
class DealBasis:
    """The deal whose buying centre the figures beside the map are computed on."""

    opportunity_id: str
    name: str
    #: the account's people the CRM names on the deal; empty: the deal names
    #: nobody of the account and the figures are the whole account's
    contact_ids: tuple[str, ...]

    @property
    def names_nobody(self) -> bool:
        """Whether the deal names nobody of the account (the figures fall back)."""
        return not self.contact_ids


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


def deal_focus(
    deals: pl.DataFrame, opportunity_id: str, persons: pl.DataFrame
) -> pl.DataFrame:
    """Return the people of ``persons`` named on one deal, with their role on it.

    A person's ``role`` becomes the buying role their contact role on this deal
    means (Salesforce's ``Decision Maker`` is a decider, see
    :data:`workbench.vocabulary.ROLE_VALUES`); a contact role that names no buying
    role (``Other``, empty, a CRM's own word) keeps their role in the account.
    """
    roles_on_deal = {
        value: role for value, (role, _attitude) in ROLE_VALUES.items() if role
    }
    named = (
        deals.filter(
            (pl.col("opportunity_id") == opportunity_id)
            & pl.col("contact_id").is_not_null()
        )
        .select(
            "contact_id",
            pl.col("deal_role")
            .str.strip_chars()
            .str.to_lowercase()
            .replace_strict(roles_on_deal, default=None, return_dtype=pl.String)
            .alias("_deal_buying_role"),
        )
        .group_by("contact_id")
        .agg(pl.col("_deal_buying_role").drop_nulls().first())
    )
    return (
        persons.join(named, on="contact_id", how="inner")
        .with_columns(pl.coalesce("_deal_buying_role", "role").alias("role"))
        .drop("_deal_buying_role")
        .sort("contact_id")
    )


def deal_basis(
    deals: pl.DataFrame, opportunity_id: str, focus: pl.DataFrame
) -> DealBasis:
    """Return which deal the figures are for, and whom it names (see :func:`deal_focus`)."""
    rows = deals.filter(pl.col("opportunity_id") == opportunity_id)
    name = rows["deal"].drop_nulls().first() if rows.height else None
    return DealBasis(
        opportunity_id=opportunity_id,
        name=str(name) if name is not None else opportunity_id,
        contact_ids=tuple(focus["contact_id"].to_list()),
    )
