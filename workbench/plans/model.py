"""The plan model: vocabularies, the plan and situation dataclasses, and JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from workbench.errors import RejectedInputError, WorkbenchError
from workbench.i18n import N_, gettext

#: Version of the plan JSON layout, stored in every plan so later layouts can read it.
PLAN_FORMAT = 1

PLAN_STATUSES: tuple[str, ...] = ("draft", "agreed", "under_review")
OBJECTIVE_STATUSES: tuple[str, ...] = (
    "open",
    "on_track",
    "at_risk",
    "achieved",
    "missed",
)
ACTION_STATUSES: tuple[str, ...] = ("open", "in_progress", "done", "dropped")
RISK_SEVERITIES: tuple[str, ...] = ("low", "medium", "high")
RELATIONSHIPS: tuple[str, ...] = ("transactional", "partnership")

#: The value proposition's checklist per relationship type (Hutt & Speh). A
#: transactional customer can switch suppliers easily: special investment does not
#: pay, the "should-have" services do. A partnership earns services that add value
#: to the relationship and lower both sides' costs.
VALUE_SERVICES: dict[str, tuple[str, ...]] = {
    "transactional": (
        N_("Price terms for volume and assortment"),
        N_("Technical assistance"),
        N_("Reliable delivery"),
        N_("Fast quotes and easy ordering"),
    ),
    "partnership": (
        N_("Coordinated planning that lowers both sides' costs"),
        N_("Technical assistance"),
        N_("Delivery guarantees"),
        N_("Joint promotion"),
        N_("Help with the customer's production planning"),
        N_("Shared information and operating links"),
    ),
}

#: How each relationship type is worked (Hutt & Speh): who we talk to.
RELATIONSHIP_GUIDANCE: dict[str, str] = {
    "transactional": N_(
        "Work mainly with the customer's buyers and procurement; keep the offer "
        "competitive and the service dependable without special investment."
    ),
    "partnership": N_(
        "Work with procurement and with the functional managers on strategy and "
        "coordination; executives and technical staff visit regularly."
    ),
}

#: Longest text accepted in one section, so a paste accident cannot bloat the file.
MAX_SECTION_CHARS = 20_000
#: Most lines accepted per list (objectives, actions, risks).
MAX_LINES = 500
#: Longest list a situation's table keeps (every version stores its situation); the
#: facts beside it give the full count.
MAX_TABLE_ROWS = 30
#: A plan last saved longer ago than this no longer counts as current.
STALE_AFTER_DAYS = 365

SECTION_TITLES: dict[str, str] = {
    "identify": N_("1. Identify — key people and gaps"),
    "differentiate": N_("2. Differentiate — segment and the strategy it implies"),
    "interact": N_("3. Interact — actions per stakeholder"),
    "customise": N_("4. Customise — the tailored offer"),
}
SECTIONS: tuple[str, ...] = tuple(SECTION_TITLES)

#: Titles of the situation's tables that are read for more than their display:
#: the drafts quote them, and their sentences are said again in the language in
#: force (:mod:`workbench.plans.wording`).
EFFORT_ISSUES_TABLE = N_("Effort issues")
DETRACTORS_TABLE = N_("Detractors who can sink a deal")

PartStatus = Literal["ready", "pending", "unavailable"]
Cell = str | int | float | bool | None


# --- the plan model ----------------------------------------------------------------


@dataclass
class Fact:
    """One figure of the situation, with its unit (``""``, ``"h"``, ``"%"``).

    ``worded``: a sentence's value (why this segment) written in each other
    language (language tag → text), for a display in that language; the value
    itself is the English (older plans have none: the value is shown as it is).
    """

    label: str
    value: Cell
    unit: str = ""
    worded: dict[str, str] = field(default_factory=dict)


@dataclass
class SituationTable:
    """A small table in the situation (a few rows: roles, people, segments).

    ``worded``: the same rows with their sentences (a risk's detail, why an
    effort issue) written in each other language (language tag → rows), for a
    display in that language; ``rows`` hold the English (older plans have no
    other: their rows are shown as stored).
    """

    title: str
    columns: list[str]
    rows: list[list[Cell]]
    worded: dict[str, list[list[Cell]]] = field(default_factory=dict)


@dataclass
class SituationPart:
    """What one source (the CRM tables or one analytics module) says about the account.

    ``status`` is ``pending`` while the analytics behind it is not available yet,
    and ``unavailable`` when the source has nothing on this account; ``note`` then
    says why. Figures are never invented.

    The title, the facts' labels and the tables' titles are stored in English, the
    catalogue's message IDs, and read in the language in force when shown. The
    note is stored in English too, and beside it the message it was written from
    (``note_template``) with its values (``note_args``), so that a display can
    write it again in another language (older plans have neither: their note is
    shown as it is).
    """

    key: str
    title: str
    status: PartStatus
    note: str = ""
    facts: list[Fact] = field(default_factory=list)
    tables: list[SituationTable] = field(default_factory=list)
    note_template: str = ""
    note_args: dict[str, Cell] = field(default_factory=dict)


@dataclass
class Situation:
    """The account's situation as computed for ``as_of`` at ``computed_at`` (UTC)."""

    account_id: str
    as_of: date
    computed_at: datetime
    parts: list[SituationPart] = field(default_factory=list)

    def part(self, key: str) -> SituationPart | None:
        """Return the part from one source, or None."""
        return next((p for p in self.parts if p.key == key), None)


@dataclass
class Objective:
    """A measurable objective: what, how measured, the target, by when, status."""

    objective: str
    measure: str = ""
    target: str = ""
    due_on: date | None = None
    status: str = "open"


@dataclass
class Action:
    """An action for one of the customer's people, owned by one of our sellers."""

    contact: str
    action: str
    owner: str = ""
    due_on: date | None = None
    status: str = "open"


@dataclass
class Risk:
    """A risk with the date it comes due (a renewal, a re-tender) and its severity."""

    risk: str
    risk_date: date | None = None
    severity: str = "medium"


@dataclass
class Plan:
    """One account plan: situation, the four sections, value proposition, lines."""

    account_id: str
    account_name: str = ""
    status: str = "draft"
    situation: Situation | None = None
    identify: str = ""
    differentiate: str = ""
    interact: str = ""
    customise: str = ""
    relationship: str | None = None
    value_services: list[str] = field(default_factory=list)
    value_notes: str = ""
    objectives: list[Objective] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)


@dataclass(frozen=True)
class PlanVersion:
    """A stored version of a plan and who saved it when."""

    account_id: str
    version: int
    based_on: int
    saved_by: str
    saved_at: datetime
    plan: Plan


class PlanConflictError(WorkbenchError):
    """A save based on an older version than the current one: refused, text kept.

    Attributes:
        mine: the plan that was not saved, for the author to merge.
        based_on: the version the author started from.
        current_version: the version in the database now.
        saved_by: who saved it.
        saved_at: when (UTC).
    """

    def __init__(
        self,
        mine: Plan,
        based_on: int,
        current_version: int,
        saved_by: str,
        saved_at: datetime,
    ) -> None:
        self.mine = mine
        self.based_on = based_on
        self.current_version = current_version
        self.saved_by = saved_by
        self.saved_at = saved_at
        started = f"version {based_on}" if based_on else "an empty plan"
        super().__init__(
            f"Not saved: {saved_by} saved version {current_version} of this plan "
            f"on {saved_at:%Y-%m-%d at %H:%M} UTC, after you started from {started}. "
            f"Your text is kept: compare it with version {current_version}, merge "
            "what you want to keep, and save again."
        )


def new_plan(
    account_id: str, account_name: str = "", situation: Situation | None = None
) -> Plan:
    """Return an empty draft plan, its relationship proposed from the situation."""
    return Plan(
        account_id=account_id,
        account_name=account_name,
        situation=situation,
        relationship=proposed_relationship(situation) if situation else None,
    )


def value_services_for(relationship: str | None) -> tuple[str, ...]:
    """Return the value-proposition checklist for a relationship type (both if None)."""
    if relationship in VALUE_SERVICES:
        return VALUE_SERVICES[relationship]
    both = (*VALUE_SERVICES["transactional"], *VALUE_SERVICES["partnership"])
    return tuple(dict.fromkeys(both))


def proposed_relationship(situation: Situation) -> str | None:
    """Return the relationship type the situation supports, or None when unknown.

    A person's recorded decision (an override) wins over the analytics' proposal.
    """
    for key, label in (
        ("crm", "Relationship set by a person"),
        ("segment", "Relationship type"),
    ):
        part = situation.part(key)
        if part is None or part.status != "ready":
            continue
        for fact in part.facts:
            if fact.label == label and fact.value in RELATIONSHIPS:
                return str(fact.value)
    return None


# --- JSON ------------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_date(value: Any) -> date | None:
    """Return a date from what editors and JSON give: date, datetime, ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    raise ValueError(f"not a date: {value!r}")


def situation_to_dict(situation: Situation) -> dict[str, Any]:
    """Return the situation as plain JSON-ready data."""
    data = asdict(situation)
    data["as_of"] = _iso(situation.as_of)
    data["computed_at"] = _iso(situation.computed_at)
    return data


def situation_from_dict(data: dict[str, Any]) -> Situation:
    """Return a situation from :func:`situation_to_dict`'s output."""
    return Situation(
        account_id=str(data.get("account_id", "")),
        as_of=_parse_date(data["as_of"]) or date.min,
        computed_at=datetime.fromisoformat(str(data["computed_at"])),
        parts=[
            SituationPart(
                key=str(p["key"]),
                title=str(p["title"]),
                status=p["status"],
                note=str(p.get("note", "")),
                facts=[Fact(**f) for f in p.get("facts", [])],
                tables=[SituationTable(**t) for t in p.get("tables", [])],
                note_template=str(p.get("note_template", "")),
                note_args=dict(p.get("note_args") or {}),
            )
            for p in data.get("parts", [])
        ],
    )


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """Return the plan as plain JSON-ready data (dates as ISO text)."""
    return {
        "format": PLAN_FORMAT,
        "account_id": plan.account_id,
        "account_name": plan.account_name,
        "status": plan.status,
        "situation": situation_to_dict(plan.situation) if plan.situation else None,
        **{name: getattr(plan, name) for name in SECTIONS},
        "relationship": plan.relationship,
        "value_services": list(plan.value_services),
        "value_notes": plan.value_notes,
        "objectives": [
            {**asdict(o), "due_on": _iso(o.due_on)} for o in plan.objectives
        ],
        "actions": [{**asdict(a), "due_on": _iso(a.due_on)} for a in plan.actions],
        "risks": [{**asdict(r), "risk_date": _iso(r.risk_date)} for r in plan.risks],
    }


def plan_from_dict(data: dict[str, Any]) -> Plan:
    """Return a plan from :func:`plan_to_dict`'s output."""
    situation = data.get("situation")
    return Plan(
        account_id=str(data["account_id"]),
        account_name=str(data.get("account_name") or ""),
        status=str(data.get("status") or "draft"),
        situation=situation_from_dict(situation) if situation else None,
        **{name: str(data.get(name) or "") for name in SECTIONS},
        relationship=data.get("relationship"),
        value_services=[str(s) for s in data.get("value_services") or []],
        value_notes=str(data.get("value_notes") or ""),
        objectives=[
            Objective(**{**o, "due_on": _parse_date(o.get("due_on"))})
            for o in data.get("objectives") or []
        ],
        actions=[
            Action(**{**a, "due_on": _parse_date(a.get("due_on"))})
            for a in data.get("actions") or []
        ],
        risks=[
            Risk(**{**r, "risk_date": _parse_date(r.get("risk_date"))})
            for r in data.get("risks") or []
        ],
    )


def plan_to_json(plan: Plan) -> str:
    """Return the plan as the JSON text stored in ``account_plans.content``."""
    return json.dumps(plan_to_dict(plan), ensure_ascii=False, sort_keys=True)


def plan_from_json(text: str) -> Plan:
    """Return a plan from its stored JSON text."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise RejectedInputError("a plan must be a JSON object")
    return plan_from_dict(data)


def format_value(value: Cell, unit: str = "") -> str:
    """Return a figure as a person reads it: thousands separators, units, dashes."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float):
        if unit == "%":
            text = f"{value:.1f}"
        else:
            text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
    else:
        text = str(value)
    if unit == "%":
        return f"{text} %"
    return f"{text} {unit}" if unit else text
