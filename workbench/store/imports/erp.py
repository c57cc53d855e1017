"""The import's build of an ERP revenue file: one row per account and month.

An ERP exports revenue and cost per customer and month, often per product too:
the lines of one account and month are added up. The account is the file's
customer ID, else its name looked up among the import's and the database's
accounts; a name that matches no account is reported, and its lines are left
out (an ERP knows customers the CRM does not: they are not made into accounts).
Cost is the file's cost, else revenue − gross margin, else revenue × (1 − gross
margin % / 100).
"""

from __future__ import annotations

import polars as pl

from workbench.store._base import Connection, _frame
from workbench.store.imports.staging import IMPORT_PROBLEM_ROWS

#: The month of a staged row: the month column, or the year with a period number.
MONTH_SQL = "coalesce(wb_month(s.month), wb_ym(s.year, s.month))"


def build_erp_revenue(cur: Connection, staged: set[str]) -> None:
    """Build ``_import_new_erp_revenue`` from the staged ERP lines."""
    if "erp_revenue" not in staged:
        return
    cur.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _import_erp_lines AS
        SELECT s._row, s._file, s._source, s.account_name,
               coalesce(s.account_id, i.account_id) AS account_id,
               {MONTH_SQL} AS month,
               wb_num(s.revenue) AS revenue,
               coalesce(wb_num(s.cost), wb_num(s.revenue) - wb_num(s.margin),
                        wb_num(s.revenue) * (1 - wb_num(s.margin_pct) / 100)) AS cost,
               wb_num(s.logistics_cost) AS logistics_cost,
               wb_num(s.discount_cost) AS discount_cost,
               wb_num(s.support_cost) AS support_cost
        FROM _import_in_erp_revenue s
        LEFT JOIN _import_account_index i
               ON i.k = lower(s.account_name) AND s.account_id IS NULL
        WHERE coalesce(s.account_id, s.account_name) IS NOT NULL
          AND {MONTH_SQL} IS NOT NULL
        """
    )
    cur.execute(
        """
        CREATE OR REPLACE TEMP TABLE _import_new_erp_revenue AS
        SELECT min(_row)::BIGINT AS _row, min(_file) AS _file, min(_source) AS _source,
               account_id || '|' || strftime(month, '%Y-%m') AS source_id,
               account_id, month, sum(revenue) AS revenue, sum(cost) AS cost,
               sum(logistics_cost) AS logistics_cost,
               sum(discount_cost) AS discount_cost,
               sum(support_cost) AS support_cost,
               count(*)::BIGINT AS lines
        FROM _import_erp_lines WHERE account_id IS NOT NULL
        GROUP BY account_id, month
        """
    )


def import_erp_unmatched(cur: Connection) -> pl.DataFrame:
    """Return ERP customer names that match no account, per name with its first row.

    Columns as :func:`import_unresolved_names`: ``level``, ``table``, ``column``,
    ``_file``, ``_row``, ``value``, ``rows``, ``total``.
    """
    frame: pl.DataFrame = _frame(
        cur.sql(
            f"""
        SELECT 'warning' AS level, 'erp_revenue' AS "table", 'account_name' AS "column",
               _file, min(_row)::BIGINT AS _row, account_name AS value,
               count(*)::BIGINT AS rows,
               (count(*) OVER (PARTITION BY _file))::BIGINT AS total
        FROM _import_erp_lines WHERE account_id IS NULL
        GROUP BY _file, account_name
        QUALIFY row_number() OVER (PARTITION BY _file ORDER BY min(_row)) <= {IMPORT_PROBLEM_ROWS}
        """
        )
    )
    return frame


def erp_lines_added_up(cur: Connection) -> int:
    """Return how many ERP lines were added to another line of the same account and month."""
    rows = cur.execute(
        "SELECT coalesce(sum(lines - 1), 0) FROM _import_new_erp_revenue"
    ).fetchall()
    return int(rows[0][0])
