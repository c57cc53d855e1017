"""How the vocabularies' values read in the language in force (display only).

The database, the CSV/JSON exports and the command line's ``--json`` keep the
English codes (``most_valuable``, ``decider``, ``joint_planning``); a screen, a
chart or a plan export shows them through one function per vocabulary, translated
with the glossary of docs/i18n.md at display time. A value outside its vocabulary
(a CRM's own spelling that slipped through) is shown as it is: nothing is lost.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from workbench.i18n import N_, current_language, gettext

BUYING_ROLES: dict[str, str] = {
    "initiator": N_("initiator"),
    "user": N_("user"),
    "influencer": N_("influencer"),
    "buyer": N_("buyer"),
    "decider": N_("decider"),
    "gatekeeper": N_("gatekeeper"),
    "approver": N_("approver"),
    "(no role)": N_("(no role)"),
}
ATTITUDES: dict[str, str] = {
    "champion": N_("champion"),
    "supporter": N_("supporter"),
    "neutral": N_("neutral"),
    "skeptic": N_("skeptic"),
    "blocker": N_("blocker"),
}
VALUE_SEGMENTS: dict[str, str] = {
    "most_valuable": N_("most valuable"),
    "most_growable": N_("most growable"),
    "maintain": N_("maintain"),
    "below_zero": N_("below zero"),
    "no_data": N_("no data"),
}
RELATIONSHIPS: dict[str, str] = {
    "transactional": N_("transactional"),
    "partnership": N_("partnership"),
}
ACTIVITY_KINDS: dict[str, str] = {
    "call": N_("call"),
    "email": N_("e-mail"),
    "meeting": N_("meeting"),
    "visit": N_("visit"),
    "demo": N_("demo"),
    "workshop": N_("workshop"),
    "joint_planning": N_("joint planning"),
    "support": N_("support"),
    "quote": N_("quote"),
    "task": N_("task"),
    "event": N_("event"),
    "note": N_("note"),
}
SURVEY_TYPES: dict[str, str] = {
    "relationship": N_("relationship survey"),
    "touchpoint": N_("touchpoint survey"),
}
SITUATION_FACTORS: dict[str, str] = {
    "purchase_importance": N_("Purchase importance"),
    "purchase_complexity": N_("Purchase complexity"),
    "switching_costs": N_("Switching costs"),
    "supply_alternatives": N_("Supply alternatives"),
    "strategic_fit": N_("Strategic fit"),
}
REQUIREMENT_CATEGORIES: dict[str, str] = {
    "price": N_("price"),
    "service level": N_("service level"),
    "response time": N_("response time"),
    "security": N_("security"),
    "contract terms": N_("contract terms"),
    "delivery": N_("delivery"),
    "quality": N_("quality"),
    "other": N_("other"),
}
REQUIREMENT_SOURCES: dict[str, str] = {
    "survey comment": N_("survey comment"),
    "meeting": N_("meeting"),
    "other": N_("other"),
}
#: Statuses of follow-ups, conflicts, plans and their objectives and actions.
STATUSES: dict[str, str] = {
    "open": N_("open"),
    "done": N_("done"),
    "resolved": N_("resolved"),
    "draft": N_("draft"),
    "agreed": N_("agreed"),
    "under_review": N_("under review"),
    "on_track": N_("on track"),
    "at_risk": N_("at risk"),
    "achieved": N_("achieved"),
    "missed": N_("missed"),
    "in_progress": N_("in progress"),
    "dropped": N_("dropped"),
}
SEVERITIES: dict[str, str] = {
    "low": N_("low"),
    "medium": N_("medium"),
    "high": N_("high"),
}

#: Which vocabulary a table's column holds, by the column's name.
COLUMN_VOCABULARIES: dict[str, Mapping[str, str]] = {
    "buying_role": BUYING_ROLES,
    "role": BUYING_ROLES,
    "role_a": BUYING_ROLES,
    "role_b": BUYING_ROLES,
    "attitude": ATTITUDES,
    "value_segment": VALUE_SEGMENTS,
    "value_segment_a": VALUE_SEGMENTS,
    "value_segment_b": VALUE_SEGMENTS,
    "segment": VALUE_SEGMENTS,
    "relationship": RELATIONSHIPS,
    "relationship_a": RELATIONSHIPS,
    "relationship_b": RELATIONSHIPS,
    "relationship_observed": RELATIONSHIPS,
    "relationship_target": RELATIONSHIPS,
    "target_relationship": RELATIONSHIPS,
    "kind": ACTIVITY_KINDS,
    "activity_kind": ACTIVITY_KINDS,
    "survey_type": SURVEY_TYPES,
    "category": REQUIREMENT_CATEGORIES,
    "source": REQUIREMENT_SOURCES,
    "status": STATUSES,
    "severity": SEVERITIES,
}


def _term(vocabulary: Mapping[str, str], term: str | None) -> str:
    if term is None:
        return "–"
    message = vocabulary.get(term)
    return gettext(message) if message is not None else term


def buying_role(term: str | None) -> str:
    """Return a buying role (``decider``) as the language in force reads it."""
    return _term(BUYING_ROLES, term)


def attitude(term: str | None) -> str:
    """Return an attitude (``champion``) as the language in force reads it."""
    return _term(ATTITUDES, term)


def value_segment(term: str | None) -> str:
    """Return a value segment (``most_valuable``) as the language in force reads it."""
    return _term(VALUE_SEGMENTS, term)


def relationship(term: str | None) -> str:
    """Return a relationship type (``partnership``) as the language in force reads it."""
    return _term(RELATIONSHIPS, term)


def activity_kind(term: str | None) -> str:
    """Return an activity kind (``joint_planning``) as the language in force reads it."""
    return _term(ACTIVITY_KINDS, term)


def survey_type(term: str | None) -> str:
    """Return an NPS survey type (``touchpoint``) as the language in force reads it."""
    return _term(SURVEY_TYPES, term)


def situation_factor(term: str | None) -> str:
    """Return a buying-situation factor (``switching_costs``) as a label."""
    return _term(SITUATION_FACTORS, term)


def requirement_category(term: str | None) -> str:
    """Return what a requirement is about (``price``) in the language in force."""
    return _term(REQUIREMENT_CATEGORIES, term)


def requirement_source(term: str | None) -> str:
    """Return where a requirement came from (``meeting``) in the language in force."""
    return _term(REQUIREMENT_SOURCES, term)


def status(term: str | None) -> str:
    """Return a follow-up's or a conflict's status (``open``) in the language in force."""
    return _term(STATUSES, term)


def severity(term: str | None) -> str:
    """Return a risk's severity (``high``) in the language in force."""
    return _term(SEVERITIES, term)


def localise_values(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` for display, its vocabulary columns in the language in force.

    English tables keep the codes, which are what the downloads, the command line
    and the notebooks carry (one spelling to filter on); Chinese tables read the
    glossary's terms. Only the shown frame changes: downloads take the original.
    """
    if current_language() == "en":
        return frame
    replaced = []
    for column, vocabulary in COLUMN_VOCABULARIES.items():
        if column in frame.columns and frame.schema[column] == pl.String:
            shown = {code: gettext(message) for code, message in vocabulary.items()}
            replaced.append(pl.col(column).replace(shown))
    return frame.with_columns(replaced) if replaced else frame
