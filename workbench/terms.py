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
ACCOUNT_TYPES: dict[str, str] = {
    "customer": N_("customer"),
    "prospect": N_("prospect"),
    "reseller": N_("reseller"),
    "partner": N_("partner"),
    "competitor": N_("competitor"),
    "supplier": N_("supplier"),
    "press": N_("press or analyst"),
    "investor": N_("investor"),
    "other": N_("other"),
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
#: The effort verdicts: investment, people, whom the service model involves, and
#: the issues found (workbench.analytics.effort).
EFFORT_VERDICTS: dict[str, str] = {
    "under_invested": N_("under-invested"),
    "over_invested": N_("over-invested"),
    "right": N_("right"),
    "not_judged": N_("not judged"),
    "wrong_people": N_("wrong people"),
    "purchasing": N_("purchasing only"),
    "purchasing_and_deciders": N_("purchasing and the deciders"),
    "functions_and_executives": N_("functions and executives"),
    "over_served": N_("over-served"),
    "under_served": N_("under-served"),
    "procurement_only_partnership": N_("purchasing only, model wants functions"),
    "deciders_not_reached": N_("deciders not reached"),
    "broad_transactional": N_("too broad for purchasing-only"),
}
CONTRACT_TYPES: dict[str, str] = {
    "spot": N_("spot"),
    "framework": N_("framework agreement"),
    "multi_year": N_("multi-year"),
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
    # an import run's (the Import page's past imports)
    "committed": N_("committed"),
    "undone": N_("undone"),
}
#: The buying-centre map's relationship risks (workbench.analytics.network's
#: ``find_risks``; the codes are keys elsewhere, e.g. a plan's suggested actions).
RELATIONSHIP_RISKS: dict[str, str] = {
    "dark decider": N_("dark decider"),
    "dark approver": N_("dark approver"),
    "high-influence skeptic": N_("high-influence skeptic"),
    "high-influence blocker": N_("high-influence blocker"),
    "stale key player": N_("stale key player"),
    "detractor decider": N_("detractor decider"),
    "no contact": N_("no contact"),
    "single-threaded": N_("single-threaded"),
    "key person left": N_("key person left"),
    "reporting cycle": N_("reporting cycle"),
    "broken reporting line": N_("broken reporting line"),
    "broken influence link": N_("broken influence link"),
}
SEVERITIES: dict[str, str] = {
    "low": N_("low"),
    "medium": N_("medium"),
    "high": N_("high"),
}
#: An NPS answer's band (0–6 detractor, 7–8 passive, 9–10 promoter).
NPS_BANDS: dict[str, str] = {
    "detractor": N_("detractor"),
    "passive": N_("passive"),
    "promoter": N_("promoter"),
}

#: How a table's columns are headed in Chinese (English tables show the codes,
#: which are what the downloads carry).
COLUMN_LABELS: dict[str, str] = {
    "account_id": N_("Account ID"),
    "account_name": N_("Account"),
    "account_type": N_("Account type"),
    "crm_type": N_("Type in the CRM"),
    "name": N_("Name"),
    "accounts": N_("Accounts"),
    "activities_12m": N_("Activities, 12 months"),
    "activities_without_duration_12m": N_("Activities without a duration, 12 months"),
    "band": N_("Band"),
    "bucket": N_("Bucket"),
    "buying_role": N_("Buying role"),
    "category": N_("About"),
    "comment": N_("Comment"),
    "contact_id": N_("Contact ID"),
    "contact_name": N_("Contact"),
    "contacts": N_("Contacts"),
    "contacts_engaged": N_("Contacts engaged"),
    "contract_term_months": N_("Contract term, months"),
    "contract_type": N_("Contract type"),
    "department": N_("Department"),
    "departments_engaged": N_("Departments engaged"),
    "detractors": N_("Detractors"),
    "direct_cost_annual": N_("Direct cost a year"),
    "due_on": N_("Due"),
    "effective_responses": N_("Effective answers"),
    "effort_hours": N_("Effort hours"),
    "executive_contacts_engaged": N_("Executives engaged"),
    "executive_touches": N_("Executive touches"),
    "flagged": N_("Flagged"),
    "full_points_at": N_("Full points at"),
    "gap": N_("Gap"),
    "growth_pct": N_("Growth %"),
    "headroom": N_("Headroom"),
    "high_nps": N_("Higher NPS"),
    "high_nps_high": N_("Higher NPS, upper bound"),
    "high_nps_low": N_("Higher NPS, lower bound"),
    "high_responses": N_("Answers (higher)"),
    "high_role": N_("Happier role"),
    "industry": N_("Industry"),
    "influence": N_("Influence"),
    "joint_activities": N_("Joint activities"),
    "lifetime_value": N_("Lifetime value"),
    "low_nps": N_("Lower NPS"),
    "low_nps_high": N_("Lower NPS, upper bound"),
    "low_nps_low": N_("Lower NPS, lower bound"),
    "low_responses": N_("Answers (lower)"),
    "low_role": N_("Less happy role"),
    "margin_pct": N_("Margin %"),
    "max_points": N_("Maximum points"),
    "need": N_("Need"),
    "need_a": N_("Need A"),
    "need_b": N_("Need B"),
    "note": N_("Note"),
    "nps": N_("NPS"),
    "nps_by_influence": N_("NPS by influence"),
    "nps_by_influence_high": N_("NPS by influence, upper bound"),
    "nps_by_influence_low": N_("NPS by influence, lower bound"),
    "nps_high": N_("NPS, upper bound"),
    "nps_low": N_("NPS, lower bound"),
    "nps_responses": N_("NPS answers"),
    "observed_signals": N_("Observed signals"),
    "open_pipeline": N_("Open pipeline"),
    "org_levels_engaged": N_("Org levels engaged"),
    "overdue": N_("Overdue"),
    "override_reason": N_("Reason for the decision"),
    "owner": N_("Owner"),
    "p_value": N_("p-value"),
    "passives": N_("Passives"),
    "potential": N_("Potential"),
    "potential_source": N_("Potential from"),
    "promoters": N_("Promoters"),
    "q_value": N_("q-value"),
    "recorded_by": N_("Recorded by"),
    "region": N_("Region"),
    "relationship": N_("Relationship"),
    "relationship_observed": N_("Observed relationship"),
    "relationship_reason": N_("Why this relationship"),
    "relationship_score": N_("Relationship score"),
    "relationship_source": N_("Relationship from"),
    "relationship_target": N_("Target relationship"),
    "remaining_years": N_("Remaining years"),
    "resolution": N_("Resolution"),
    "responded_on": N_("Answered on"),
    "response_id": N_("Answer ID"),
    "responses": N_("Answers"),
    "revenue": N_("Revenue a year"),
    "revenue_basis": N_("Revenue basis"),
    "revenue_prev": N_("Revenue, year before"),
    "role": N_("Role"),
    "role_a": N_("Role A"),
    "role_b": N_("Role B"),
    "roles_heard": N_("Roles heard"),
    "roles_missing": N_("Roles not heard"),
    "score": N_("Score (0–10)"),
    "share_of_wallet_pct": N_("Share of wallet %"),
    "side": N_("Side"),
    "signal": N_("Signal"),
    "source": N_("Source"),
    "status": N_("Status"),
    "target_reason": N_("Why this target"),
    "target_score": N_("Target score"),
    "target_signals": N_("Target signals"),
    "tenure_years": N_("Years a customer"),
    "title": N_("Title"),
    "too_few": N_("Too few answers"),
    "value_reason": N_("Why this segment"),
    "value_segment": N_("Value segment"),
    "value_segment_a": N_("Value segment (a)"),
    "value_segment_b": N_("Value segment (b)"),
    "relationship_a": N_("Relationship (a)"),
    "relationship_b": N_("Relationship (b)"),
    "contribution_a": N_("Contribution (a)"),
    "contribution_b": N_("Contribution (b)"),
    "why": N_("Why"),
    "won_prev_12m": N_("Won, 12 months before"),
    "survey_type": N_("Survey type"),
    "moved": N_("Moved"),
    "quarter": N_("Quarter"),
    "org_level": N_("Org level"),
    "effort_hours_12m": N_("Effort hours, 12 months"),
    # the columns of a plan's situation tables
    "activities": N_("Activities"),
    "attitude": N_("Attitude"),
    "avg_influence": N_("Average influence"),
    "basis": N_("Basis"),
    "champions_supporters": N_("Champions and supporters"),
    "coverage": N_("Coverage"),
    "detail": N_("Detail"),
    "engaged": N_("Touched"),
    "hours_recorded": N_("Hours recorded"),
    "issue": N_("Issue"),
    "kind": N_("Kind of activity"),
    "path": N_("Warm path"),
    "people": N_("People"),
    "present": N_("Known"),
    "rank": N_("Rank"),
    "risk": N_("Risk"),
    "skeptics_blockers": N_("Skeptics and blockers"),
    "team": N_("Team"),
    "touches": N_("Touches"),
    # the Import page: the files recognised, the problems, the plan, the runs
    "file": N_("File"),
    "object": N_("CRM object"),
    "table": N_("Workbench table"),
    "rows": N_("Rows"),
    "encoding": N_("Encoding"),
    "mapped_columns": N_("Columns mapped"),
    "ignored_columns": N_("Columns ignored"),
    "level": N_("Level"),
    "row": N_("Row"),
    "column": N_("Column"),
    "message": N_("Message"),
    "code": N_("Code"),
    "count": N_("Count"),
    "add": N_("Add"),
    "update": N_("Update"),
    "skip": N_("Skip"),
    "created_from_names": N_("Created from names"),
    "deleted_in_crm": N_("Deleted in the CRM"),
    "not_done_in_crm": N_("Not done in the CRM"),
    # ingest.plan_frame's own spelling of them (a notebook's frame keeps it)
    "created from names": N_("Created from names"),
    "deleted in the CRM": N_("Deleted in the CRM"),
    "not done in the CRM": N_("Not done in the CRM"),
    "why skipped": N_("Why skipped"),
    "run_id": N_("Run"),
    "started_at": N_("Started (UTC)"),
    "finished_at": N_("Finished (UTC)"),
    "files": N_("Files"),
    "problems": N_("Problems"),
    "user_name": N_("User"),
}


#: Whom our time in an account went to (workbench.analytics.network's breadth).
CONTACT_FUNCTIONS: dict[str, str] = {
    "executive": N_("executives"),
    "procurement": N_("procurement"),
    "other": N_("other functions"),
    "no person named": N_("no person named"),
}


#: Which vocabulary a table's column holds, by the column's name.
COLUMN_VOCABULARIES: dict[str, Mapping[str, str]] = {
    "account_type": ACCOUNT_TYPES,
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
    "risk": RELATIONSHIP_RISKS,
    "band": NPS_BANDS,
    "function": CONTACT_FUNCTIONS,
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


def account_type(term: str | None) -> str:
    """Return an account type (``competitor``) as the language in force reads it."""
    return _term(ACCOUNT_TYPES, term)


def relationship(term: str | None) -> str:
    """Return a relationship type (``partnership``) as the language in force reads it."""
    return _term(RELATIONSHIPS, term)


def effort_verdict(term: str | None) -> str:
    """Return an effort verdict (``under_invested``) in the language in force."""
    return _term(EFFORT_VERDICTS, term)


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


def relationship_risk(term: str | None) -> str:
    """Return a buying-centre risk (``dark decider``) in the language in force."""
    return _term(RELATIONSHIP_RISKS, term)


def column_label(column: str) -> str | None:
    """Return how a table column is headed in the language in force (None: unknown)."""
    message = COLUMN_LABELS.get(column)
    return gettext(message) if message is not None else None


def column_header(column: str) -> str:
    """Return a table column's header: its label, else the code in words.

    ``days_since_touch`` without a label reads "Days since touch": a person never
    reads a column code, whatever the language.
    """
    label = column_label(column)
    if label is not None:
        return label
    words = column.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


#: How the store labels what the CRM left empty in a grouped table (a seller,
#: a team, a department, a role); a label, shown in the language in force.
UNKNOWN = "(unknown)"
_UNKNOWN_WORDS = N_("(unknown)")


def localise_unknown_label() -> str:
    """Return the :data:`UNKNOWN` label in the language in force."""
    return UNKNOWN if current_language() == "en" else gettext(_UNKNOWN_WORDS)


def localise_unknown(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` for display, its ``(unknown)`` labels in the language in force."""
    if current_language() == "en":
        return frame
    text = [c for c, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return frame
    return frame.with_columns(pl.col(text).replace(UNKNOWN, localise_unknown_label()))


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
