"""The portfolio's currency as a first import's deals give it.

A database holds one currency, USD until one is set. An export whose deals
all name one other currency (a Chinese CRM's 人民币, a European org's EUR) is in
that currency: when the database has never had its currency set and holds no
money yet, the import sets it, inside its own transaction, and says so. A
database that holds money, or whose currency someone set, keeps its currency;
the deals in another one are then named row by row (the value checks'
``OTHER_CURRENCY``).
"""

from __future__ import annotations

from workbench.store._base import Connection
from workbench.store.connection import set_meta
from workbench.store.imports.commit import import_next_run_id
from workbench.store.imports.staging import _CSV_READER, LargeCsv, read_column
from workbench.store.imports.value_rules import currency_code
from workbench.store.settings import CURRENCY_KEY, portfolio_currency

#: The undo journal's name for the settings a run changed.
UNDO_TABLE = "workbench_meta"

# Money a database may hold before an import: deals' amounts, ERP lines, and
# the prices a workshop set (hourly costs, wallets).
_MONEY_HELD = """
    SELECT (SELECT count(*) FROM opportunities WHERE amount IS NOT NULL)
         + (SELECT count(*) FROM erp_revenue)
         + (SELECT count(*) FROM seller_cost_rates)
         + (SELECT count(*) FROM account_wallet_estimates)
"""


def import_adopt_currency(cur: Connection, in_place: LargeCsv | None) -> str | None:
    """Set the portfolio's currency to the one every deal of the import names.

    Only when the database's currency was never set and it holds no money;
    the deals are the staged ones and, when ``in_place``, those of the file
    built in place. Returns the code set, or None.
    """
    meta = cur.execute(
        "SELECT count(*) FROM workbench_meta WHERE key = $k", {"k": CURRENCY_KEY}
    ).fetchall()
    if meta[0][0] or cur.execute(_MONEY_HELD).fetchall()[0][0]:
        return None
    codes = {
        str(r[0])
        for r in cur.execute(
            f"SELECT DISTINCT {currency_code('currency')} FROM _import_in_opportunities"
        ).fetchall()
        if r[0] is not None
    }
    if in_place is not None and "currency" in in_place.positions:
        codes |= {
            str(r[0])
            for r in cur.execute(
                f"SELECT DISTINCT {currency_code(read_column(in_place, 'currency'))} "
                f"FROM {_CSV_READER}",
                in_place.reader_params(),
            ).fetchall()
            if r[0] is not None
        }
    if len(codes) != 1:
        return None
    (code,) = codes
    if code == portfolio_currency(cur):
        return None
    set_meta(cur, CURRENCY_KEY, code)
    cur.execute("UPDATE _import_currency SET code = $code", {"code": code})
    # the run's undo unsets it again (it was never set before)
    cur.execute(
        "INSERT INTO import_undo_rows VALUES ($run, $table, $key, false, NULL)",
        {"run": import_next_run_id(cur), "table": UNDO_TABLE, "key": CURRENCY_KEY},
    )
    return code


def undo_currency(cur: Connection, run_id: int) -> None:
    """Unset the portfolio's currency where the run being undone set it."""
    set_by_run = cur.execute(
        "SELECT count(*) FROM import_undo_rows "
        "WHERE run_id = $run AND table_name = $table AND row_key = $key",
        {"run": run_id, "table": UNDO_TABLE, "key": CURRENCY_KEY},
    ).fetchall()[0][0]
    if set_by_run:
        cur.execute(
            "DELETE FROM workbench_meta WHERE key = $key", {"key": CURRENCY_KEY}
        )
