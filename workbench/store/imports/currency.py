"""A deal's currency: read as a code, converted where the export gives rates.

A database holds one currency, USD until one is set. A deal names its own
(Salesforce's ``CurrencyIsoCode``, a Chinese CRM's 币种): :func:`currency_code`
reads it as an ISO 4217 code. Where the export holds the org's exchange rates
(Salesforce's ``CurrencyType``: units of each currency per unit of the
corporate one), a deal in another currency than the portfolio's is converted
into it (:func:`exchange_factor`) and counted per file; without a rate it is
named row by row (the value checks' ``OTHER_CURRENCY``). An org with dated
rates (``DatedConversionRate``: a rate per code and period, as Salesforce's
advanced currency management converts a deal at its close date's rate)
converts each deal at the rate of the period its close date falls in, and at
the static rate where no period holds it.

An export whose deals all name one other currency (a Chinese CRM's 人民币, a
European org's EUR), or whose rates name a corporate currency, is in that
currency: when the database has never had its currency set and holds no money
yet, the import sets it, inside its own transaction, and says so; undoing the
import unsets it again.
"""

from __future__ import annotations

import polars as pl

from workbench import vocabulary
from workbench.store._base import Connection, _frame
from workbench.store.connection import _sql_text_literal, set_meta
from workbench.store.imports.commit import import_next_run_id
from workbench.store.imports.staging import (
    _CSV_READER,
    LargeCsv,
    date_expr,
    read_column,
)
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


def currency_code(value: str) -> str:
    """Return the SQL reading a currency cell as an ISO 4217 code (NULL: not read).

    A three-letter value is a code; a name or non-ISO code CRMs write is read
    through :data:`workbench.vocabulary.CURRENCY_NAMES`.
    """
    cell = f"lower(trim({value}))"
    names = " ".join(
        f"WHEN {_sql_text_literal(name)} THEN {_sql_text_literal(code)}"
        for name, code in vocabulary.CURRENCY_NAMES.items()
    )
    return (
        f"(CASE {cell} {names} ELSE CASE WHEN regexp_full_match({cell}, '[a-z]{{3}}') "
        f"THEN upper({cell}) END END)"
    )


def _rate_on(code: str, day: str) -> str:
    """Return the SQL of a currency's rate (units per corporate unit) on a day.

    The dated rate of the period ``day`` falls in, else the static rate, else
    NULL. ``code`` and ``day`` are expressions over the outer row; they must
    not name a column of ``_import_rates`` (``code`` would read the rate's own).
    """
    return (
        "(SELECT arg_min(d.per_corporate, (d.start_date IS NULL)::INTEGER) "
        f"FROM _import_rates d WHERE d.code = {code} AND (d.start_date IS NULL OR "
        f"({day} >= d.start_date AND ({day} < d.next_start OR d.next_start IS NULL))))"
    )


def _portfolio_rate(day: str) -> str:
    return _rate_on("(SELECT c.code FROM _import_currency c)", day)


def convertible(code: str, day: str = "NULL::DATE") -> str:
    """Return the SQL condition of a currency code the import's rates convert on ``day``.

    Without a day, only the static rates convert.
    """
    return f"coalesce({_rate_on(code, day)} > 0 AND {_portfolio_rate(day)} > 0, false)"


def has_rate(code: str) -> str:
    """Return the SQL condition of a currency code some rate of the import names."""
    return f"coalesce({code} IN (SELECT d.code FROM _import_rates d), false)"


def exchange_factor(value: str, day: str = "NULL::DATE") -> str:
    """Return the SQL of what a deal's amount in currency ``value`` is multiplied by.

    The portfolio's rate over the deal's on ``day`` (the deal's close date),
    where both are known; else 1 (the amount as written: a deal with no
    currency is in the portfolio's).
    """
    code = currency_code(value)
    return (
        f"coalesce(CASE WHEN {convertible(code, day)} "
        f"THEN {_portfolio_rate(day)} / {_rate_on(code, day)} END, 1.0)"
    )


def deal_factor(converts: bool) -> str:
    """Return the SQL of a staged deal ``s``'s :func:`exchange_factor` at its close date.

    ``converts``: the import has rates. Without, the factor is 1: its look-ups,
    planned for every deal, cost a whole export's build about a tenth.
    """
    if not converts:
        return "1.0"
    return exchange_factor("s.currency", date_expr("s", "close_date"))


def import_has_rates(cur: Connection) -> bool:
    """Return whether the import was given exchange rates."""
    return bool(cur.execute("SELECT count(*) FROM _import_rates").fetchall()[0][0])


def import_set_rates(
    cur: Connection,
    rates: dict[str, float],
    corporate: str | None,
    dated: pl.DataFrame | None = None,
) -> None:
    """Give the import the org's exchange rates (code → units per corporate unit).

    ``dated``: the org's dated rates, columns ``code``, ``rate``, ``start``
    (a date) and ``next_start`` (the next period's start, or null).
    """
    codes = sorted(rates)
    cur.execute("DELETE FROM _import_rates")
    if codes:
        cur.execute(
            "INSERT INTO _import_rates SELECT unnest($codes::VARCHAR[]), "
            "unnest($rates::DOUBLE[]), unnest($corporate::BOOLEAN[]), NULL, NULL",
            {
                "codes": codes,
                "rates": [rates[c] for c in codes],
                "corporate": [c == corporate for c in codes],
            },
        )
    if dated is not None and dated.height:
        cur.execute(
            "INSERT INTO _import_rates SELECT unnest($codes::VARCHAR[]), "
            "unnest($rates::DOUBLE[]), false, unnest($starts::DATE[]), "
            "unnest($nexts::DATE[])",
            {
                "codes": dated["code"].to_list(),
                "rates": dated["rate"].to_list(),
                "starts": dated["start"].to_list(),
                "nexts": dated["next_start"].to_list(),
            },
        )


def import_currency(cur: Connection) -> str:
    """Return the portfolio's currency as the import's transaction holds it.

    The import may set it (a first import's, :func:`import_adopt_currency`);
    a connection outside the transaction would still read the old one.
    """
    return str(cur.execute("SELECT code FROM _import_currency").fetchall()[0][0])


def import_converted_deals(cur: Connection) -> pl.DataFrame:
    """Return per file and currency the staged deals the rates convert.

    Columns: ``_file``, ``code``, ``factor`` and ``factor_high`` (the least and
    the most each amount is multiplied by: apart where dated rates convert the
    deals at their close dates' rates), ``rows`` and ``portfolio`` (the
    currency converted into, as this import reads it: one it sets is not
    committed yet). The staged deals need their date orders.
    """
    day = date_expr("o", "close_date")
    found: pl.DataFrame = _frame(
        cur.sql(
            f"""
        SELECT _file, deal_code AS code, min(factor) AS factor,
               max(factor) AS factor_high, count(*)::BIGINT AS rows,
               (SELECT code FROM _import_currency) AS portfolio
        FROM (SELECT o._file, {currency_code("o.currency")} AS deal_code,
                     {exchange_factor("o.currency", day)} AS factor,
                     {convertible(currency_code("o.currency"), day)} AS converts
              FROM _import_in_opportunities o)
        WHERE deal_code <> (SELECT code FROM _import_currency) AND converts
        GROUP BY ALL ORDER BY _file, deal_code
        """
        )
    )
    return found


def import_adopt_currency(
    cur: Connection, in_place: LargeCsv | None
) -> tuple[str, bool] | None:
    """Set the portfolio's currency to the one the import's deals are in.

    Only when the database's currency was never set and it holds no money:
    the currency every deal that names one names (the staged ones and, when
    ``in_place``, those of the file built in place), else the rates'
    corporate currency. Returns the code set and whether it is the rates'
    corporate one, or None.
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
    from_rates = len(codes) != 1
    if from_rates:
        corporate = cur.execute(
            "SELECT code FROM _import_rates WHERE corporate"
        ).fetchall()
        codes = {str(corporate[0][0])} if len(corporate) == 1 else set()
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
    return code, from_rates


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
