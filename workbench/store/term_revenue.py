"""The account features a default contract term changes, read apart from the rest.

A won deal with no contract term on record is spread over the default term (a
slider of the Segments and Effort pages). Of the one row of features per account
(:func:`workbench.store.account_features`), the term changes only the revenue in
force, the deals counted on the default term, the revenue's basis and the
portfolio's retention counts: :data:`TERM_COLUMNS`. Reading every feature again
for each term aggregated two million activities again, about four times the
deals' part alone at 10,000 accounts; :func:`account_term_revenue` reads only that
part, and :func:`with_term_revenue` puts it in place in features read for another
term. The result equals the features read for that term (tested). A move of the
term in the app reads not even that: :mod:`workbench.store.term_steps` keeps the
won deals as steps from which any term's figures are looked up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from workbench.store._base import zero_if_missing
from workbench.store.account_types import CUSTOMER_SCOPE_SQL, customer_scope_params
from workbench.store.connection import query_frame
from workbench.store.economic_inputs import RETENTION_CTE
from workbench.store.economics import REVENUE_CTE, revenue_params

if TYPE_CHECKING:
    from datetime import date

    from workbench.store._base import Connection

#: The revenue in force and the deals it rests on, zero for an account without.
REVENUE_COLUMNS = zero_if_missing(
    "r",
    "revenue_annualised",
    "revenue_annualised_prev",
    "deals_in_force",
    "deals_on_default_term",
)
#: ``revenue_basis``: which terms the revenue in force rests on (also worked out,
#: with the retention counts, by :mod:`workbench.store.term_steps` for a term move).
REVENUE_BASIS_SQL = """CASE WHEN coalesce(r.deals_in_force, 0) = 0 THEN 'none'
                 WHEN r.deals_on_default_term = 0 THEN 'contract_terms'
                 WHEN r.deals_on_default_term = r.deals_in_force THEN 'default_term'
                 ELSE 'mixed' END AS revenue_basis"""
#: The portfolio's retention counts (the same on every row), and their columns
#: read from ``retention_counts rc``.
RETENTION_COUNT_COLUMNS: tuple[str, ...] = (
    "retention_account_years",
    "retention_retained",
    "retention_year_pairs",
)
RETENTION_COLUMNS = ", ".join(f"rc.{column}" for column in RETENTION_COUNT_COLUMNS)

#: The columns of the account features that the default contract term changes.
TERM_COLUMNS: tuple[str, ...] = (
    "revenue_annualised",
    "revenue_annualised_prev",
    "deals_in_force",
    "deals_on_default_term",
    "revenue_basis",
    "default_term_months",
    "retention_account_years",
    "retention_retained",
    "retention_year_pairs",
)
#: Of those, the ones an ERP file replaces for the accounts it covers
#: (:mod:`workbench.store.erp_revenue`): its figures do not depend on the term.
_ERP_REPLACED = ("revenue_annualised", "revenue_annualised_prev", "revenue_basis")

# What the term changes, read from the accounts and the revenue CTEs.
_TERM_REVENUE_SQL = f"""
    WITH {REVENUE_CTE}, {RETENTION_CTE}
    SELECT a.account_id,
        {REVENUE_COLUMNS},
        {REVENUE_BASIS_SQL},
        $default_term::INTEGER AS default_term_months,
        {RETENTION_COLUMNS}
    FROM accounts a
    LEFT JOIN revenue r USING (account_id)
    CROSS JOIN retention_counts rc
    -- the accounts of the features (store.account_types)
    WHERE {CUSTOMER_SCOPE_SQL}
    ORDER BY a.account_id
"""


def account_term_revenue(
    con: Connection, as_of: date, default_term_months: int = 12
) -> pl.DataFrame:
    """Return per account the features the default contract term changes.

    Columns: ``account_id`` and :data:`TERM_COLUMNS`, as
    :func:`workbench.store.account_features` computes them for
    ``default_term_months`` (before an ERP file's figures replace the revenue of
    the accounts it covers: :func:`with_term_revenue` keeps those). One row per
    account, by ID.
    """
    return query_frame(
        con,
        _TERM_REVENUE_SQL,
        {
            "as_of": as_of,
            **revenue_params(default_term_months),
            **customer_scope_params(),
        },
    )


def with_term_revenue(
    features: pl.DataFrame, term_revenue: pl.DataFrame
) -> pl.DataFrame:
    """Return ``features`` with the :data:`TERM_COLUMNS` of ``term_revenue`` in place.

    ``features``: rows of :func:`workbench.store.account_features` read for any
    term, as of the day ``term_revenue`` was read for (the caller's to match).
    Each column keeps its place and type. Where an ERP file covers an account
    (``erp_months`` is known), its revenue and basis stay, as the ERP's figures
    do not depend on the term. An account ``term_revenue`` does not hold (written
    between the two reads) gets no revenue in force, as an account without deals.
    """
    columns = [c for c in TERM_COLUMNS if c in features.columns]
    incoming = _aligned(features, term_revenue).select(
        pl.col(c).cast(features.schema[c]).alias(f"_term_{c}") for c in columns
    )
    covered = (
        pl.col("erp_months").is_not_null()
        if "erp_months" in features.columns
        else pl.lit(False)
    )
    return (
        features.hstack(incoming.get_columns())
        .with_columns(
            (
                pl.when(covered).then(pl.col(c)).otherwise(pl.col(f"_term_{c}"))
                if c in _ERP_REPLACED
                else pl.col(f"_term_{c}")
            ).alias(c)
            for c in columns
        )
        .drop(incoming.columns)
    )


def _aligned(features: pl.DataFrame, term_revenue: pl.DataFrame) -> pl.DataFrame:
    """Return ``term_revenue`` row for row with ``features`` (by account)."""
    ids = features.get_column("account_id")
    if ids.equals(term_revenue.get_column("account_id")):
        return term_revenue
    # the portfolio's figures are the same on every row: an account added between
    # the two reads takes them too
    portfolio = {
        c: term_revenue.get_column(c).first() if term_revenue.height else None
        for c in _PORTFOLIO_COLUMNS
    }
    return (
        ids.to_frame()
        .join(term_revenue, on="account_id", how="left", maintain_order="left")
        .with_columns(
            pl.col(_ZERO_COLUMNS).fill_null(0),
            pl.col("revenue_basis").fill_null("none"),
            *(pl.col(c).fill_null(v) for c, v in portfolio.items() if v is not None),
        )
    )


#: Counts and sums of the accounts' own deals: zero for an account without any.
_ZERO_COLUMNS = (
    "revenue_annualised",
    "revenue_annualised_prev",
    "deals_in_force",
    "deals_on_default_term",
)
#: The term and the portfolio's retention counts: the same on every row.
_PORTFOLIO_COLUMNS = (
    "default_term_months",
    "retention_account_years",
    "retention_retained",
    "retention_year_pairs",
)
