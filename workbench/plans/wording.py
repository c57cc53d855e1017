"""How a plan's figures read on a screen or a page: column names, money, codes.

The situation stores its tables with the analytics' column names, its labels in
English and its money as plain numbers (a plan file outlives any one display). This
module turns them into what a person reads, in the language in force: "Buying
role", "USD 1,250,000", "Most valuable", "最有价值". The data (names, reasons,
figures) stays as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace

import polars as pl

from workbench import terms
from workbench.analytics import network, segment, voice
from workbench.analytics.sentences import clause_separator
from workbench.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    current_language,
    format_money,
    gettext,
)
from workbench.plans.model import (
    DETRACTORS_TABLE,
    EFFORT_ISSUES_TABLE,
    Cell,
    Fact,
    SituationPart,
    SituationTable,
    format_value,
)

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

#: Our codes as words (value segments, plan and line statuses, the relationship
#: types, the effort verdicts and contract types a situation's facts hold).
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
    **terms.RELATIONSHIPS,
    **terms.EFFORT_VERDICTS,
    **terms.CONTRACT_TYPES,
}

#: Words the situation writes into its figures and tables in English.
SITUATION_WORDS: dict[str, str] = {
    "none": N_("none"),
    "too few answers": N_("too few answers"),
    "no answers": N_("no answers"),
    "enough answers": N_("enough answers"),
    # the buying-centre map's coverage of a role, and a person's warm path
    "missing": N_("nobody known"),
    "nobody known": N_("nobody known"),
    "engaged": N_("engaged"),
    "not engaged": N_("not engaged"),
    "no warm path": N_("no warm path"),
}
#: Units a fact may carry besides hours and percent.
UNIT_WORDS: dict[str, str] = {"points": N_("points")}

#: Facts that list buying roles ("decider, approver").
ROLE_LIST_FACTS: frozenset[str] = frozenset(
    {
        "Buying roles with nobody known",
        "Roles with nobody known",
        "Roles known but not touched",
        "Roles nobody answered for",
    }
)

#: Arguments of a note that are themselves catalogue messages (the strategy a
#: segment implies, the label of a thin figure); the others are data.
MESSAGE_ARGS: frozenset[str] = frozenset({"strategy", "too_few"})

#: "16 of 25" (people, departments, the rank) and "-10 to +50" (an interval).
_PART_OF_WHOLE = re.compile(r"^(\d+) of (\d+)$")
_INTERVAL = re.compile(r"^([+-]?\d+) to ([+-]?\d+)$")
_COVERED = re.compile(r"^(\d+) of (\d+) covered$")
#: A plan's contact as :func:`contact_label` writes it: "Name (decider)".
_CONTACT_WITH_ROLE = re.compile(r"^(?P<name>.+) \((?P<role>[^()]+)\)$")


def column_words(name: str) -> str:
    """Return a situation table's column name as a header in the language in force."""
    return terms.column_header(name)


def code_words(value: Cell) -> Cell:
    """Return one of our codes in words (``most_valuable`` → ``Most valuable``)."""
    if isinstance(value, str) and value in CODE_WORDS:
        return gettext(CODE_WORDS[value])
    return value


def value_words(value: Cell) -> Cell:
    """Return a stored figure in the language in force: codes and fixed phrases.

    Names, reasons and numbers stay as they are; only our codes, the situation's
    own words ("none", "too few answers") and its "16 of 25" and "-10 to +50"
    phrasings are re-written.
    """
    if not isinstance(value, str):
        return value
    if value in SITUATION_WORDS:
        return gettext(SITUATION_WORDS[value])
    if match := _PART_OF_WHOLE.match(value):
        return gettext("{part} of {whole}").format(
            part=match.group(1), whole=match.group(2)
        )
    if match := _COVERED.match(value):
        return gettext("{part} of {whole} covered").format(
            part=match.group(1), whole=match.group(2)
        )
    if match := _INTERVAL.match(value):
        return gettext("{low} to {high}").format(
            low=match.group(1), high=match.group(2)
        )
    return code_words(value)


def cell_words(column: str, value: Cell) -> Cell:
    """Return a situation table's cell as read: its column's vocabulary, our codes."""
    vocabulary = terms.COLUMN_VOCABULARIES.get(column)
    if isinstance(value, str) and vocabulary is not None and value in vocabulary:
        return gettext(vocabulary[value])
    if value == terms.UNKNOWN:  # what the CRM left empty, as every table labels it
        return terms.localise_unknown_label()
    return value_words(value)


def fact_label(fact: Fact) -> str:
    """Return a fact's label in the language in force."""
    return gettext(fact.label)


def fact_text(fact: Fact, currency: str | None = None) -> str:
    """Return a fact's value as read: money with its currency, codes in words."""
    if fact.worded and current_language() in fact.worded:
        return fact.worded[current_language()]
    if (
        currency
        and fact.label in MONEY_FACTS
        and isinstance(fact.value, int | float)
        and not isinstance(fact.value, bool)
    ):
        return format_money(fact.value, currency)
    if fact.label.startswith("NPS") and isinstance(fact.value, int | float):
        return f"{fact.value:+.0f}"  # NPS reads as a whole number with its sign
    if fact.label in ROLE_LIST_FACTS and isinstance(fact.value, str):
        return role_list_words(fact.value)
    unit = gettext(UNIT_WORDS[fact.unit]) if fact.unit in UNIT_WORDS else fact.unit
    return format_value(value_words(fact.value), unit)


def role_words(role: Cell) -> str:
    """Return a buying role as read, the buying-centre map's "unknown" among them."""
    if role == network.UNKNOWN:
        return gettext("unknown")
    return terms.buying_role(str(role))


def role_list_words(roles: str) -> str:
    """Return a stored list of buying roles ("decider, approver", "none") as read."""
    if roles in SITUATION_WORDS:
        return gettext(SITUATION_WORDS[roles])
    return ", ".join(role_words(role) for role in roles.split(", "))


def part_title(part: SituationPart) -> str:
    """Return a situation part's title in the language in force."""
    return gettext(part.title)


def part_note(part: SituationPart) -> str:
    """Return a situation part's note in the language in force.

    A note saved before notes kept their message (older plans) reads as stored.
    """
    if not part.note_template:
        return gettext(part.note) if part.note else ""
    args = {
        name: gettext(value)
        if name in MESSAGE_ARGS and isinstance(value, str)
        else value
        for name, value in part.note_args.items()
    }
    if "issues" in args and current_language() != DEFAULT_LANGUAGE:
        # the effort note quotes its issues in English: said again from its table
        args["issues"] = effort_issues_words(part) or args["issues"]
    return gettext(part.note_template).format(**args)


def rows_by_column(part: SituationPart, title: str) -> list[dict[str, Cell]]:
    """Return the rows of the part's table ``title`` by column ([]: no such table).

    Its sentences (a risk's detail, why an effort issue) in the language in force
    where the situation keeps them in it; its codes and names are the same rows'
    in every language.
    """
    for table in part.tables:
        if table.title == title:
            rows = table.worded.get(current_language(), table.rows)
            return [dict(zip(table.columns, row, strict=True)) for row in rows]
    return []


def effort_issues_words(part: SituationPart) -> str:
    """Return the effort part's issues as its note lists them, in the language in force.

    "wrong people (why)", from the part's issues table: the issue a verdict's
    words, the why as the situation wrote it in the language (English in a plan
    saved before it kept other languages); "" when the part lists no issue.
    """
    return clause_separator(current_language()).join(
        gettext("{issue} ({why})").format(
            issue=terms.effort_verdict(str(issue["issue"])), why=issue["why"]
        )
        for issue in rows_by_column(part, EFFORT_ISSUES_TABLE)
    )


def effort_verdict_words(part: SituationPart) -> str:
    """Return the effort note's verdict, its second sentence, in the language in force.

    English reads the stored note's; another language says it again from what the
    note was written from: the issues table and the investment verdict.
    """
    if current_language() == DEFAULT_LANGUAGE:
        return part.note.split(". ", 1)[-1]
    issues = effort_issues_words(part)
    if issues:
        return gettext("Effort issues: {issues}.").format(issues=issues)
    investment = next(
        (fact.value for fact in part.facts if fact.label == "Investment verdict"), None
    )
    if investment == "not_judged":
        return gettext("No data to judge the effort by.")
    return gettext("Effort fits the account's service model.")


def detractor_reason(person: Mapping[str, Cell]) -> Cell:
    """Return why a detractor counts, in the language in force.

    ``person``: a row of the situation's detractors table, whose ``why`` is stored
    in English ("decider, influence 5") and said again from the row's own buying
    role and influence.
    """
    why, role = person.get("why"), person.get("buying_role")
    return voice.detractor_why(
        None if why is None else str(why),
        None if role is None else str(role),
        person.get("influence"),
        current_language(),
    )


def part_status(status: str) -> str:
    """Return a situation part's state (pending, unavailable) as a heading word."""
    return {"pending": gettext("Pending"), "unavailable": gettext("Unavailable")}.get(
        status, status.capitalize()
    )


def table_title(table: SituationTable) -> str:
    """Return a situation table's title in the language in force."""
    return gettext(table.title)


def table_rows(table: SituationTable) -> list[list[Cell]]:
    """Return a situation table's rows as read (see :func:`cell_words`).

    Its sentences in the language in force where the table holds them.
    """
    rows = table.worded.get(current_language(), table.rows)
    if table.title == DETRACTORS_TABLE and "why" in table.columns:
        why = table.columns.index("why")
        rows = [
            [
                detractor_reason(dict(zip(table.columns, row, strict=True)))
                if column == why
                else cell
                for column, cell in enumerate(row)
            ]
            for row in rows
        ]
    return [
        [
            cell_words(column, cell)
            for column, cell in zip(table.columns, row, strict=True)
        ]
        for row in rows
    ]


def contact_label(name: Cell, role: Cell) -> str:
    """Return how a plan names the person an action is for: "Name (decider)".

    The role is its code in every language, as the contact picker offers it
    (:func:`people_choices`): the label is stored with the action, and a
    person the plan has an action for is known by it (no second suggestion).
    It is shown through :func:`contact_words`.
    """
    has_role = role not in (None, "", network.UNKNOWN)
    return f"{name} ({role})" if has_role else str(name)


def people_choices(
    contacts: list[tuple[str, str | None]], sellers: list[str]
) -> dict[str, list[str]]:
    """Return the names a plan's tables offer: contacts labelled "Name (decider)".

    ``contacts`` and ``sellers`` as :func:`workbench.store.plan_people_choices`
    reads them; the labels are :func:`contact_label`'s, as the suggested actions
    name the same people.
    """
    return {
        "contacts": [contact_label(name, role) for name, role in contacts],
        "sellers": sellers,
    }


def contact_words(contact: str) -> str:
    """Return a plan's contact as read in the language in force: "Name（决策者）".

    Only a buying role's code in the label's last brackets is said in the
    language; the name, and a contact written otherwise, stay as stored.
    """
    match = _CONTACT_WITH_ROLE.match(contact)
    if match is None or match["role"] not in terms.BUYING_ROLES:
        return contact
    return gettext("{name} ({role})").format(
        name=match["name"], role=terms.buying_role(match["role"])
    )


def status_words(status: str) -> str:
    """Return a plan or line status, or a risk's severity, in the language in force."""
    for vocabulary in (terms.STATUSES, terms.SEVERITIES):
        if status in vocabulary:
            return gettext(vocabulary[status])
    return status.replace("_", " ")


def reasons_worded(
    facts: list[Fact], row: pl.DataFrame, labels: Mapping[str, str]
) -> list[Fact]:
    """Return ``facts`` with the segment's reasons also written in the other languages.

    ``row``: the account's row of :func:`~workbench.analytics.segment.assign_segments`;
    ``labels``: the reason columns (``value_reason``) and their facts' labels.
    The reasons are sentences, not a catalogue's messages, so they are written
    again from the row, as the Segments page writes them; only when the English
    written again is the value stored (the row was segmented with the default
    thresholds, which the sentences quote), else they stay English.
    """
    columns = [c for c in labels if c in row.columns]
    if row.height != 1 or not columns:
        return facts
    thresholds = segment.DEFAULT_THRESHOLDS
    english = segment.explain_segments(row, thresholds, DEFAULT_LANGUAGE)
    if english.select(columns).row(0) != row.select(columns).row(0):
        return facts
    worded: dict[str, dict[str, str]] = {labels[column]: {} for column in columns}
    for language in LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        written = segment.explain_segments(row, thresholds, language)
        for column in columns:
            value = written.get_column(column)[0]
            if value is not None:
                worded[labels[column]][language] = str(value)
    return [
        replace(fact, worded=worded[fact.label]) if fact.label in worded else fact
        for fact in facts
    ]


def situation_table(
    title: str,
    frame: pl.DataFrame,
    worded: Callable[[str], pl.DataFrame] | None = None,
) -> SituationTable:
    """Return ``frame`` as a situation table, its floats rounded for reading.

    ``worded``: the same rows with their sentences written in a language (called
    for each language but English); a language whose rows are not ``frame``'s
    (other columns, another number of rows, or another first column: the codes
    that say which row is which) is left out, and its display shows English.
    """
    other = {
        language: _rounded_rows(written)
        for language in LANGUAGES
        if language != DEFAULT_LANGUAGE
        and worded is not None
        and (written := worded(language)).columns == frame.columns
        and written.get_column(frame.columns[0]).equals(
            frame.get_column(frame.columns[0])
        )
    }
    return SituationTable(title, list(frame.columns), _rounded_rows(frame), other)


def _rounded_rows(frame: pl.DataFrame) -> list[list[Cell]]:
    # Situation tables are a handful of rows; floats are rounded for reading.
    rounded = frame.with_columns(pl.col(pl.Float32, pl.Float64).round(2))
    return [list(r) for r in rounded.rows()]
