"""How a plan's figures read on a screen or a page: column names, money, codes.

The situation stores its tables with the analytics' column names and its money as
plain numbers (a plan file outlives any one display). This module turns them into
what a person reads: "Days since last touch", "USD 1,250,000", "Most valuable".
"""

from __future__ import annotations

from workbench.i18n import N_, format_money, gettext
from workbench.plans.model import Cell, Fact, format_value

#: Facts of the situation that are money in the portfolio's currency.
MONEY_FACTS: frozenset[str] = frozenset(
    {
        "Won revenue, last 12 months",
        "Open pipeline",
        "Wallet estimate",
        "Direct cost to serve per year",
        "Margin",
        "Cost to serve",
        "Contribution",
        "Potential",
        "Headroom",
    }
)

#: Our codes as words (value segments, plan and line statuses).
CODE_WORDS: dict[str, str] = {
    "most_valuable": N_("Most valuable"),
    "most_growable": N_("Most growable"),
    "below_zero": N_("Below zero"),
    "maintain": N_("Maintain"),
    "no_data": N_("No data"),
    "under_review": N_("Under review"),
    "on_track": N_("On track"),
    "at_risk": N_("At risk"),
    "in_progress": N_("In progress"),
}

#: Column names of the situation's tables as headers.
COLUMN_WORDS: dict[str, str] = {
    "contact_name": "Person",
    "buying_role": "Buying role",
    "days_since_touch": "Days since last touch",
    "high_role": "Happier role",
    "low_role": "Less happy role",
    "high_nps": "Its NPS",
    "low_nps": "Their NPS",
    "high_responses": "Its answers",
    "low_responses": "Their answers",
    "role_a": "First role",
    "role_b": "Second role",
    "need_a": "First need",
    "need_b": "Second need",
    "nps": "NPS",
    "responses": "Answers",
}


def column_words(name: str) -> str:
    """Return a column name as a header: known names by the table, others plainly."""
    if name in COLUMN_WORDS:
        return COLUMN_WORDS[name]
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def code_words(value: Cell) -> Cell:
    """Return one of our codes in words (``most_valuable`` → ``Most valuable``)."""
    if isinstance(value, str) and value in CODE_WORDS:
        return gettext(CODE_WORDS[value])
    return value


def fact_text(fact: Fact, currency: str | None) -> str:
    """Return a fact's value as read: money with its currency, codes in words."""
    if (
        currency
        and fact.label in MONEY_FACTS
        and isinstance(fact.value, int | float)
        and not isinstance(fact.value, bool)
    ):
        return format_money(fact.value, currency)
    if fact.label.startswith("NPS") and isinstance(fact.value, int | float):
        return f"{fact.value:+.0f}"  # NPS reads as a whole number with its sign
    return format_value(code_words(fact.value), fact.unit)


def status_words(status: str) -> str:
    """Return a plan or line status in words, in the language in force."""
    words = {
        "draft": gettext("draft"),
        "agreed": gettext("agreed"),
        "under_review": gettext("under review"),
        "open": gettext("open"),
        "on_track": gettext("on track"),
        "at_risk": gettext("at risk"),
        "achieved": gettext("achieved"),
        "missed": gettext("missed"),
        "in_progress": gettext("in progress"),
        "done": gettext("done"),
        "dropped": gettext("dropped"),
        "low": gettext("low"),
        "medium": gettext("medium"),
        "high": gettext("high"),
    }
    return words.get(status, status.replace("_", " "))
