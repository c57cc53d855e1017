"""What the import's value checks say about a column, by the kind of value it holds.

Errors for values that cannot be read (dates, yes/no, ERP months) and warnings
for values outside a vocabulary (influence, attitude, activity kind, a buying
situation level), each as an SQL condition over the staged row ``s`` and the
message the problem gives (marked for translation: the import shows it in the
reader's language, :func:`workbench.ingest.problems.problem_text`).
"""

from __future__ import annotations

from workbench.domain import SITUATION_FACTORS
from workbench.i18n import N_

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
