"""The account features a default contract term changes, read apart from the rest.

A won deal with no contract term on record is spread over the default term (a
slider of the Segments and Effort pages). Of the one row of features per account
(:func:`workbench.store.account_features`), the term changes only the revenue in
force, the deals counted on the default term, the revenue's basis and the
portfolio's retention counts: :data:`TERM_COLUMNS`. Reading every feature again
for each term aggregated two million activities again, about four times the
deals' part alone at 10,000 accounts; :func:`account_term_revenue` reads only that
part, and :func:`with_term_revenue` puts it in place in features read for another
term. The result equals the features read for that term (tested).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from workbench.store._base import zero_if_missing
from workbench.store.connection import finite_or_null, query_frame
from workbench.store.economic_inputs import RETENTION_CTE
from workbench.store.economics import (
    CONTRACTS_NOT_IN_FORCE,
    DEAL_TERMS_CTE,
    REVENUE_CTE,
    TERMED_REVENUE_CTE,
    revenue_params,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import date

    import pyarrow as pa

    from workbench.store._base import Connection

#: The revenue in force and the deals it rests on, zero for an account without.
REVENUE_COLUMNS = zero_if_missing(
    "r",
    "revenue_annualised",
    "revenue_annualised_prev",
    "deals_in_force",
    "deals_on_default_term",
)
#: ``revenue_basis``: which terms the revenue in force rests on.
REVENUE_BASIS_SQL = """CASE WHEN coalesce(r.deals_in_force, 0) = 0 THEN 'none'
                 WHEN r.deals_on_default_term = 0 THEN 'contract_terms'
                 WHEN r.deals_on_default_term = r.deals_in_force THEN 'default_term'
                 ELSE 'mixed' END AS revenue_basis"""
#: The portfolio's retention counts (the same on every row).
RETENTION_COLUMNS = (
    "rc.retention_account_years, rc.retention_retained, rc.retention_year_pairs"
)

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

# What the term changes, read from the accounts and the revenue CTEs; the two
# statements below differ only in where ``deal_terms`` and ``accounts`` come from.
_TERM_COLUMNS_SELECT = f"""
    SELECT a.account_id,
        {REVENUE_COLUMNS},
        {REVENUE_BASIS_SQL},
        $default_term::INTEGER AS default_term_months,
        {RETENTION_COLUMNS}
    FROM accounts a
    LEFT JOIN revenue r USING (account_id)
    CROSS JOIN retention_counts rc
    ORDER BY a.account_id
"""
_TERM_REVENUE_SQL = f"WITH {REVENUE_CTE}, {RETENTION_CTE} {_TERM_COLUMNS_SELECT}"
# Over frames registered as ``deal_terms`` and ``accounts`` (no file).
_KEPT_DEALS_SQL = f"WITH {TERMED_REVENUE_CTE}, {RETENTION_CTE} {_TERM_COLUMNS_SELECT}"
_DEAL_TERMS_SQL = f"WITH {DEAL_TERMS_CTE} SELECT * FROM deal_terms"


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
        con, _TERM_REVENUE_SQL, {"as_of": as_of, **revenue_params(default_term_months)}
    )


def deal_terms(con: Connection, as_of: date) -> pl.DataFrame:
    """Return the won deals up to ``as_of``, each with the term it is known to run for.

    Columns: ``account_id`` and ``term_source`` (categorical), ``amount``,
    ``close_date``, ``service_start`` and ``known_term_months`` (NULL for a deal
    on the default term), as the revenue in force reads them. Kept, it lets
    :func:`term_revenue_of_deals` work out the revenue for any default term
    without the database: a term move of the Segments page then reads nothing.
    """
    params = {"as_of": as_of, "not_in_force": list(CONTRACTS_NOT_IN_FORCE)}
    # as read, non-finite amounts of an older file included: the file's statement
    # sums them as they are, and so must the kept deals' (its result is cleaned)
    with con.cursor() as cur:
        deals: pl.DataFrame = cur.sql(_DEAL_TERMS_SQL, params=params).pl()
    # kept for as long as the data: each account's ID and each source once, not
    # once per deal (a quarter less memory; the same figures, tested)
    return deals.with_columns(pl.col("account_id", "term_source").cast(pl.Categorical))


def term_revenue_of_deals(
    deals: pl.DataFrame | pa.Table,
    account_ids: pl.Series,
    as_of: date,
    default_term_months: int = 12,
) -> pl.DataFrame:
    """Return :func:`account_term_revenue` worked out from kept deals, not the file.

    ``deals``: :func:`deal_terms` read as of ``as_of``, as read or as an Arrow
    table (kept so, a move reads it where it lies: a polars frame is turned into
    Arrow at every statement, a tenth of a move); ``account_ids``: the
    accounts to return a row for (the features' IDs). Runs the revenue rule's
    own SQL (the same text as the file's statement after the deals' terms are
    found) in a private in-memory database over the two frames, so the figures
    are the file's (tested).
    """
    params = {
        "as_of": as_of,
        "default_term": revenue_params(default_term_months)["default_term"],
    }
    with _in_memory() as cur:
        cur.register("deal_terms", deals)
        cur.register("accounts", account_ids.to_frame("account_id"))
        frame: pl.DataFrame = cur.sql(_KEPT_DEALS_SQL, params=params).pl()
    return finite_or_null(frame)


_MEMORY: list[duckdb.DuckDBPyConnection] = []
_MEMORY_LOCK = threading.Lock()


@contextmanager
def _in_memory() -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a private cursor of one in-memory database kept for the process.

    Opening an in-memory database costs several milliseconds; a cursor of a kept
    one, a fraction of that. Each caller registers its frames on its own cursor,
    so sessions' threads do not see each other's.
    """
    with _MEMORY_LOCK:
        if not _MEMORY:
            _MEMORY.append(duckdb.connect(":memory:"))
        cur = _MEMORY[0].cursor()
    try:
        yield cur
    finally:
        cur.close()


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
