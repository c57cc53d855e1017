"""ERP revenue as the revenue basis of the accounts an ERP file covers.

The import stores revenue and cost per account and month (table
``erp_revenue``). For the accounts it covers, ERP figures over the 12 months up
to the as-of date take precedence over the won deals of the CRM: revenue
becomes the ERP revenue of those months and gross margin the ERP's
(revenue − cost) / revenue; its logistics, discount and support costs are
added as direct costs to serve. ``revenue_basis`` then says ``erp``.

When the ERP file does not reach back a full 12 months (an export of this
year to date), its months are scaled to a year: revenue × 12 / the months of
the window the file holds (counted over the whole file, so an account that
bought nothing in a month the file holds counts that month as zero).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from workbench.store.connection import query_frame

if TYPE_CHECKING:
    from datetime import date

    from workbench.store._base import Connection

#: ``revenue_basis`` of an account whose revenue comes from the ERP file.
ERP_BASIS = "erp"

# Per account, the ERP totals of the 12 months up to $as_of and of the 12 before,
# scaled by the months of each window the file holds (at least one).
_ERP_TOTALS_SQL = """
WITH windows AS (
    SELECT *, CASE
        WHEN month > $as_of::DATE - INTERVAL 12 MONTH AND month <= $as_of::DATE THEN 'current'
        WHEN month > $as_of::DATE - INTERVAL 24 MONTH
             AND month <= $as_of::DATE - INTERVAL 12 MONTH THEN 'previous' END AS span
    FROM erp_revenue
),
held AS (
    SELECT count(DISTINCT month) FILTER (WHERE span = 'current') AS months_now,
           count(DISTINCT month) FILTER (WHERE span = 'previous') AS months_before
    FROM windows
)
SELECT w.account_id,
       coalesce(sum(w.revenue) FILTER (WHERE w.span = 'current'), 0)
           * 12.0 / any_value(h.months_now) AS erp_revenue_12m,
       sum(w.cost) FILTER (WHERE w.span = 'current')
           * 12.0 / any_value(h.months_now) AS erp_cost_12m,
       sum(w.logistics_cost) FILTER (WHERE w.span = 'current')
           * 12.0 / any_value(h.months_now) AS logistics_cost_12m,
       sum(w.discount_cost) FILTER (WHERE w.span = 'current')
           * 12.0 / any_value(h.months_now) AS discount_cost_12m,
       sum(w.support_cost) FILTER (WHERE w.span = 'current')
           * 12.0 / any_value(h.months_now) AS support_cost_12m,
       CASE WHEN any_value(h.months_before) > 0 THEN
           coalesce(sum(w.revenue) FILTER (WHERE w.span = 'previous'), 0)
           * 12.0 / any_value(h.months_before) END AS erp_revenue_prev_12m,
       any_value(h.months_now)::BIGINT AS erp_months
FROM windows w, held h
WHERE h.months_now > 0
GROUP BY w.account_id
"""


def _any_erp_row(con: Connection) -> bool:
    """Return whether an ERP file was imported (any row of ``erp_revenue``).

    Most portfolios have none: the look costs a tenth of the totals'
    statement, which every read of the features would otherwise pay.
    """
    with con.cursor() as cur:  # a cursor of its own, as query_frame's
        return bool(
            cur.execute("SELECT EXISTS (SELECT 1 FROM erp_revenue)").fetchall()[0][0]
        )


def erp_account_totals(con: Connection, as_of: date) -> pl.DataFrame:
    """Return per account the ERP file covers its annual figures as of a day.

    Columns: ``account_id``, ``erp_revenue_12m``, ``erp_cost_12m`` (NULL when the
    file gives no cost), ``logistics_cost_12m``, ``discount_cost_12m`` and
    ``support_cost_12m`` (the direct costs to serve the ERP gives, NULL when it
    gives none), ``erp_revenue_prev_12m`` (NULL when the file
    does not reach back), ``erp_months`` (the months of the span the file
    holds). No rows when the file holds no month of the span.
    """
    return query_frame(con, _ERP_TOTALS_SQL, {"as_of": as_of})


def with_erp_revenue(
    con: Connection, features: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """Return account features with ERP figures in place for the accounts it covers.

    ``features`` is the frame of :func:`workbench.store.account_features`;
    ``revenue_annualised``, ``revenue_annualised_prev``, ``revenue_basis`` and
    ``gross_margin_pct`` are replaced where the ERP covers the account; the
    ``erp_*`` columns and the ERP's direct costs (``logistics_cost_12m``,
    ``discount_cost_12m``, ``support_cost_12m``, which the cost to serve adds to
    the account's own ``direct_cost_annual``) are added, NULL elsewhere.
    Nothing changes when no ERP file was imported.
    """
    if features.height == 0 or not _any_erp_row(con):
        return features
    totals = erp_account_totals(con, as_of)
    if totals.height == 0:
        return features
    joined = features.join(totals, on="account_id", how="left")
    covered = pl.col("erp_months").is_not_null()
    erp_revenue = pl.col("erp_revenue_12m")
    return joined.with_columns(
        revenue_annualised=pl.when(covered)
        .then(erp_revenue)
        .otherwise(pl.col("revenue_annualised")),
        revenue_annualised_prev=pl.when(covered)
        .then(pl.col("erp_revenue_prev_12m"))
        .otherwise(pl.col("revenue_annualised_prev")),
        revenue_basis=pl.when(covered)
        .then(pl.lit(ERP_BASIS))
        .otherwise(pl.col("revenue_basis")),
        gross_margin_pct=pl.when(
            covered & (erp_revenue > 0) & pl.col("erp_cost_12m").is_not_null()
        )
        .then((erp_revenue - pl.col("erp_cost_12m")) / erp_revenue * 100)
        .otherwise(pl.col("gross_margin_pct")),
    )
