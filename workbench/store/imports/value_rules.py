"""What the import's value checks say about a column, by the kind of value it holds.

Errors for values that cannot be read (numbers, dates, yes/no, ERP months) and
warnings for values outside a vocabulary (influence, attitude, activity kind, a
buying situation level), for dates no CRM means (before 1980, from 2100 on) and
for times in seconds stored as milliseconds (read as the seconds they hold),
each as an SQL condition over the staged row ``s`` and the
message the problem gives (marked for translation: the import shows it in the
reader's language, :func:`workbench.ingest.problems.problem_text`).
"""

from __future__ import annotations

from workbench import vocabulary
from workbench.domain import SITUATION_FACTORS
from workbench.i18n import N_
from workbench.store._base import PLAUSIBLE_FIRST_DAY, plausible
from workbench.store.imports.currency import convertible, currency_code
from workbench.store.imports.ranges import (
    NOT_A_NUMBER,
    all_day_check,
    long_activity_check,
    range_check,
)
from workbench.store.imports.staging import _import_columns, date_expr

#: Values read through a vocabulary: column → (vocabulary table, message). A value
#: outside it is a warning; the value is stored as unknown.
VOCABULARY_CHECKS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        SITUATION_FACTORS,
        (
            "_import_influences",
            N_("is not a level of 1–5 (or high/medium/low, 高/中/低); left unrated"),
        ),
    ),
    "influence": (
        "_import_influences",
        N_("is not an influence of 1–5 or 高/中/低; stored as unknown"),
    ),
    "attitude": (
        "_import_attitudes",
        N_(
            "is not an attitude (champion, supporter, neutral, skeptic, blocker); "
            "stored as unknown"
        ),
    ),
    "kind": (
        "_import_kinds",
        N_("is not a known activity kind; the file's default kind is used"),
    ),
    "has_left": (
        "_import_contact_states",
        N_(
            "is not a state the workbench reads (active or inactive, left, "
            "在职 or 离职, yes or no); the person is kept as still at the account"
        ),
    ),
    "crm_type": (
        "_import_account_types",
        N_(
            "is not an account type the workbench knows (customer, prospect, "
            "reseller, partner, competitor, supplier, press, investor, other); "
            "kept as the CRM's type, and the account is segmented as a customer"
        ),
    ),
}

#: Errors by the kind of value a column holds: (condition, message); ``{c}`` is
#: the column.
DATE_CHECK = (
    "{date} IS NULL",
    N_(
        "is not a date the workbench reads (2024-03-15, 2024/3/5, 15.03.2024, "
        "03/15/2024, 2024年3月5日, ISO timestamps)"
    ),
)
BOOL_CHECK = (
    "wb_bool(s.{c}) IS NULL",
    N_("is not true/false (true, 1, yes, 是 / false, 0, no, 否)"),
)
MONTH_CHECK = (
    "coalesce(wb_month(s.month), wb_ym(s.year, s.month)) IS NULL",
    N_(
        "is not a month the workbench reads (2024-03, 202403, 2024年3月, "
        "003/2024, Mar-24, or a period number with a year column)"
    ),
)

#: A date read but not meant: a placeholder, a timestamp in the wrong unit or a
#: typed year (see :data:`workbench.domain.PLAUSIBLE_DAYS`). A warning: the row
#: imports as written, and the analytics read no tenure, term or range from it.
UNLIKELY_DATE = N_(
    "lies before 1980 or after 2099: a CRM's placeholder for no date "
    "(1900-01-01), a timestamp read in the wrong unit (1970-01-…) or a mistyped "
    "year; imported as written, check it in the CRM"
)

#: A time in seconds a system upstream stored as milliseconds, which reads as a
#: time in January 1970: read as the day its seconds give (the macro
#: ``wb_epoch_seconds`` of :mod:`.sql_macros`). A warning, with the row.
SECONDS_AS_MILLISECONDS = N_(
    "is a time in seconds stored as milliseconds (it reads as January 1970): "
    "read as the day those seconds give; check it in the CRM"
)


#: A deal's currency other than the portfolio's, which no rate of the export
#: converts (see :mod:`.currency`): the row imports as written, and its amounts
#: read as the portfolio's currency, which ``{portfolio}`` names (the import's
#: own, :func:`.currency.import_currency`).
OTHER_CURRENCY = N_(
    "is not the portfolio's currency ({portfolio}): its amounts are read as "
    "{portfolio}, not converted; convert them in the CRM, or set the "
    "portfolio's currency (on the Import page, or with workbench init "
    "--currency) if every amount is in this one"
)


def unlikely_date(date: str, column: str) -> str:
    """Return the SQL condition of a read date no CRM means (NULL for no date).

    A contract's end from 2100 on is an open end (9999-12-31), which the contract
    terms read as such: only its start is checked against both ends.
    """
    if column == "end_date":
        return f"({date} < {PLAUSIBLE_FIRST_DAY})"
    return f"NOT {plausible(date)}"


def value_checks(table: str) -> list[tuple[str, str, str, str]]:
    """Return (column, level, SQL condition of a bad value, message) for a table."""
    checks: list[tuple[str, str, str, str]] = []
    for column in _import_columns(table):
        if column in vocabulary.NUMBER_COLUMNS:
            checks.append(
                (column, "error", f"wb_num(s.{column}) IS NULL", NOT_A_NUMBER)
            )
        elif column in vocabulary.INTEGER_COLUMNS:
            checks.append(
                (
                    column,
                    "error",
                    f"(wb_num(s.{column}) IS NULL OR wb_num(s.{column}) <> round(wb_num(s.{column})))",
                    N_("is not a whole number"),
                )
            )
        if (out_of_range := range_check(column)) is not None:
            checks.append(out_of_range)
            if (long := long_activity_check(column)) is not None:
                checks.append(long)
            continue
        error = (
            DATE_CHECK
            if column in vocabulary.DATE_COLUMNS
            else BOOL_CHECK
            if column in vocabulary.BOOL_COLUMNS
            else MONTH_CHECK
            if column == "month"
            else None
        )
        if error is not None:
            condition, message = error
            date = date_expr("s", column)
            checks.append(
                (column, "error", condition.format(c=column, date=date), message)
            )
            if column == "all_day":
                checks.append(all_day_check())
            if column in vocabulary.DATE_COLUMNS:
                checks.append(
                    (column, "warning", unlikely_date(date, column), UNLIKELY_DATE)
                )
                checks.append(
                    (
                        column,
                        "warning",
                        f"wb_epoch_seconds(s.{column}) IS NOT NULL",
                        SECONDS_AS_MILLISECONDS,
                    )
                )
        elif column == "currency":
            code = currency_code("s.currency")
            other = f"{code} <> (SELECT code FROM _import_currency)"
            if table == "opportunities":  # the only amounts the rates convert
                day = date_expr("s", "close_date")
                other = f"{other} AND NOT {convertible(code, day)}"
            checks.append((column, "warning", other, OTHER_CURRENCY))
        elif column in VOCABULARY_CHECKS:
            values, message = VOCABULARY_CHECKS[column]
            condition = f"lower(s.{column}) NOT IN (SELECT value FROM {values})"
            checks.append((column, "warning", condition, message))
    return checks
