"""The range each imported number must lie in, as data and as SQL conditions."""

from __future__ import annotations

from workbench.domain import WORKING_DAY_MINUTES
from workbench.i18n import N_

#: The message of a value that is no finite number (``wb_num`` gives NULL).
NOT_A_NUMBER = N_("is not a number (NaN and infinity are refused)")

#: The range each number column must lie in (inclusive), and the import's message
#: for a value outside it (marked for translation).
#: Beyond these a value is a typo, a unit mix-up or an overflow, never a figure a
#: plan can use; the import refuses it with the file, row and column. Money
#: stops at 10^15 in absolute value (a thousand times the largest company's
#: revenue, and far inside the range where sums of doubles stay exact to the
#: cent); revenue, wallet, cost, durations and head counts are never negative,
#: while a deal's amount may be (credit notes, reversals) and so may a margin
#: (below-zero accounts are the point of the value segments). See
#: docs/security.md.
VALUE_RANGES: dict[str, tuple[float, float, str]] = {
    "annual_revenue": (
        0,
        1e15,
        N_("is out of range: annual revenue must lie between 0 and 10^15"),
    ),
    "wallet_estimate": (
        0,
        1e15,
        N_("is out of range: a wallet estimate must lie between 0 and 10^15"),
    ),
    "direct_cost_annual": (
        0,
        1e15,
        N_("is out of range: a direct cost must lie between 0 and 10^15"),
    ),
    "amount": (
        -1e15,
        1e15,
        N_("is out of range: an amount must lie between -10^15 and 10^15"),
    ),
    "gross_margin_pct": (
        -1000,
        100,
        N_(
            "is out of range: a gross margin must lie between -1000 % and 100 % "
            "(percent, not a fraction)"
        ),
    ),
    "duration_minutes": (
        0,
        7 * 24 * 60,
        N_("is out of range: a duration must lie between 0 and a week"),
    ),
    "duration_seconds": (
        0,
        7 * 24 * 3600,
        N_("is out of range: a duration must lie between 0 and a week"),
    ),
    "employees": (
        0,
        1e8,
        N_("is out of range: employees must lie between 0 and 100,000,000"),
    ),
    "score": (0, 10, N_("is out of range: a score must lie between 0 and 10")),
    "strength": (
        1,
        3,
        N_("is out of range: an influence strength must lie between 1 and 3"),
    ),
}


def range_condition(alias: str, column: str) -> str | None:
    """Return the SQL condition of a parsed number outside its column's range.

    An all-day event's duration may span up to a year of days (a fortnight's
    commissioning at a customer's plant): it is counted as working days.
    """
    if column not in VALUE_RANGES:
        return None
    low, high, _reason = VALUE_RANGES[column]
    value = f"wb_num({alias}.{column})"
    if column in _DURATION_UNITS:
        longest = ALL_DAY_EVENT_DAYS * LONG_ACTIVITY_MINUTES * _DURATION_UNITS[column]
        return (
            f"({value} < {low!r} OR {value} > CASE WHEN {is_all_day(alias)} "
            f"THEN {longest!r} ELSE {high!r} END)"
        )
    return f"({value} < {low!r} OR {value} > {high!r})"


def range_check(column: str) -> tuple[str, str, str, str] | None:
    """Return the import check (column, level, condition, message) of a range."""
    condition = range_condition("s", column)
    if condition is None:
        return None
    return (column, "error", condition, VALUE_RANGES[column][2])


#: Each duration column's unit, in minutes.
_DURATION_UNITS = {"duration_minutes": 1, "duration_seconds": 60}
#: The days an all-day event may span at most (a year): beyond, a typo.
ALL_DAY_EVENT_DAYS = 366

#: An activity longer than this many minutes is warned of (a day): a meeting or
#: an event exported with its start and end counts its whole span as effort,
#: and a span of days (an offsite, a trade fair, a calendar block left open) is
#: rarely worked through. The import counts it as written and names the row, so
#: that it can be mended in the CRM; beyond a week it is refused (above).
LONG_ACTIVITY_MINUTES = 24 * 60
LONG_ACTIVITY = N_(
    "lasts more than a day: its whole span counts as effort, which an event of "
    "several days rarely is; counted as written, check it in the CRM"
)


def long_activity_check(column: str) -> tuple[str, str, str, str] | None:
    """Return the import's warning (column, level, condition, message) of a long activity.

    An all-day event is not one: it is counted as working days (below).
    """
    if column not in _DURATION_UNITS:
        return None
    value = f"wb_num(s.{column})"
    longest = LONG_ACTIVITY_MINUTES * _DURATION_UNITS[column]
    high = VALUE_RANGES[column][1]
    return (
        column,
        "warning",
        f"({value} > {longest!r} AND {value} <= {high!r} AND NOT {is_all_day('s')})",
        LONG_ACTIVITY,
    )


#: An all-day event's warning: it counts as a working day for each day it spans
#: (:data:`workbench.domain.WORKING_DAY_MINUTES`), not as the 24 hours a day
#: its duration says.
ALL_DAY_EVENT = N_(
    "marks an all-day event: counted as a working day (8 hours) for each day "
    "it spans, not as 24 hours a day"
)


def is_all_day(alias: str) -> str:
    """Return the SQL condition of an activity the CRM holds as an all-day event."""
    return f"coalesce(wb_bool({alias}.all_day), false)"


def all_day_check() -> tuple[str, str, str, str]:
    """Return the import's warning (column, level, condition, message) of an all-day event."""
    return ("all_day", "warning", is_all_day("s"), ALL_DAY_EVENT)


def effort_minutes(alias: str, minutes: str) -> str:
    """Return the SQL of the minutes an activity counts, from its ``minutes`` read.

    An all-day event counts a working day for each day its duration spans (a
    day where it gives none); any other activity its minutes as written.
    """
    days = f"greatest(1, ceil(coalesce({minutes}, 0) / {LONG_ACTIVITY_MINUTES}))"
    return (
        f"CASE WHEN {is_all_day(alias)} "
        f"THEN {days} * {WORKING_DAY_MINUTES}::DOUBLE ELSE {minutes} END"
    )


def durations_to_report(minutes: str, seconds: str) -> str:
    """Return the SQL condition of a parsed duration the import reports (NULL: false).

    Below 0 or above a week (refused), or above a day (warned of, unless an
    all-day event: the caller marks those apart).
    """
    parts = []
    for parsed, column in (
        (minutes, "duration_minutes"),
        (seconds, "duration_seconds"),
    ):
        low = VALUE_RANGES[column][0]
        longest = LONG_ACTIVITY_MINUTES * _DURATION_UNITS[column]
        parts.append(f"coalesce({parsed} < {low!r} OR {parsed} > {longest!r}, false)")
    return "(" + " OR ".join(parts) + ")"
