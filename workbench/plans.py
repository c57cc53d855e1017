"""Account plans: one structured, versioned plan per account, and its exports.

A plan follows Peppers & Rogers' one-to-one steps in order — identify the people,
differentiate the account by value, interact with each stakeholder, customise the
offer — and Hutt & Speh's split of the value proposition: a transactional account
gets the "should-have" services, a partnership gets value-adding ones. It opens
with a *situation* computed from the analytics for a stated as-of date, and ends
with measurable objectives, actions per person and dated risks.

Every save is a new version with who and when; nothing is ever overwritten. A save
names the version it was based on, and is refused when someone saved a newer one
meanwhile (:class:`PlanConflictError` keeps the refused text for merging).
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import altair as alt
import polars as pl

from workbench import effort, exports, network, segment, store, voice
from workbench.access import require
from workbench.domain import Problem
from workbench.errors import RejectedInputError, WorkbenchError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from workbench.domain import Actor

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
        "Price terms for volume and assortment",
        "Technical assistance",
        "Reliable delivery",
        "Fast quotes and easy ordering",
    ),
    "partnership": (
        "Coordinated planning that lowers both sides' costs",
        "Technical assistance",
        "Delivery guarantees",
        "Joint promotion",
        "Help with the customer's production planning",
        "Shared information and operating links",
    ),
}

#: How each relationship type is worked (Hutt & Speh): who we talk to.
RELATIONSHIP_GUIDANCE: dict[str, str] = {
    "transactional": "Work mainly with the customer's buyers and procurement; keep "
    "the offer competitive and the service dependable without special investment.",
    "partnership": "Work with procurement and with the functional managers on "
    "strategy and coordination; executives and technical staff visit regularly.",
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
    "identify": "1. Identify — key people and gaps",
    "differentiate": "2. Differentiate — segment and the strategy it implies",
    "interact": "3. Interact — actions per stakeholder",
    "customise": "4. Customise — the tailored offer",
}
SECTIONS: tuple[str, ...] = tuple(SECTION_TITLES)

PartStatus = Literal["ready", "pending", "unavailable"]
Cell = str | int | float | bool | None


# --- the plan model ----------------------------------------------------------------


@dataclass
class Fact:
    """One figure of the situation, with its unit (``""``, ``"h"``, ``"%"``)."""

    label: str
    value: Cell
    unit: str = ""


@dataclass
class SituationTable:
    """A small table in the situation (a few rows: roles, people, segments)."""

    title: str
    columns: list[str]
    rows: list[list[Cell]]


@dataclass
class SituationPart:
    """What one source (the CRM tables or one analytics module) says about the account.

    ``status`` is ``pending`` while the analytics behind it is not available yet,
    and ``unavailable`` when the source has nothing on this account; ``note`` then
    says why. Figures are never invented.
    """

    key: str
    title: str
    status: PartStatus
    note: str = ""
    facts: list[Fact] = field(default_factory=list)
    tables: list[SituationTable] = field(default_factory=list)


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


# --- editing tables -------------------------------------------------------------

OBJECTIVE_COLUMNS: dict[str, pl.DataType] = {
    "objective": pl.String(),
    "measure": pl.String(),
    "target": pl.String(),
    "due_on": pl.Date(),
    "status": pl.String(),
}
ACTION_COLUMNS: dict[str, pl.DataType] = {
    "contact": pl.String(),
    "action": pl.String(),
    "owner": pl.String(),
    "due_on": pl.Date(),
    "status": pl.String(),
}
RISK_COLUMNS: dict[str, pl.DataType] = {
    "risk": pl.String(),
    "risk_date": pl.Date(),
    "severity": pl.String(),
}


def objectives_frame(plan: Plan) -> pl.DataFrame:
    """Return the plan's objectives as a frame (for editing and export)."""
    return pl.DataFrame(
        [asdict(o) for o in plan.objectives], schema=OBJECTIVE_COLUMNS, orient="row"
    )


def actions_frame(plan: Plan) -> pl.DataFrame:
    """Return the plan's actions as a frame (for editing and export)."""
    return pl.DataFrame(
        [asdict(a) for a in plan.actions], schema=ACTION_COLUMNS, orient="row"
    )


def risks_frame(plan: Plan) -> pl.DataFrame:
    """Return the plan's risks as a frame (for editing and export)."""
    return pl.DataFrame(
        [asdict(r) for r in plan.risks], schema=RISK_COLUMNS, orient="row"
    )


def _clean_records(
    frame: pl.DataFrame, columns: dict[str, pl.DataType]
) -> list[dict[str, Any]]:
    # An editor may hand back extra or missing columns and wholly blank rows
    # (a row added and left empty); those are dropped, not saved.
    present = frame.select(
        [
            pl.col(name) if name in frame.columns else pl.lit(None).alias(name)
            for name in columns
        ]
    )
    text_columns = [n for n, t in columns.items() if t == pl.String()]
    present = present.with_columns(
        pl.col(n).cast(pl.String).str.strip_chars() for n in text_columns
    ).with_columns(
        pl.when(pl.col(n) == "").then(None).otherwise(pl.col(n)).alias(n)
        for n in text_columns
    )
    blank = pl.all_horizontal(pl.col(n).is_null() for n in columns)
    return present.filter(~blank).to_dicts()


def objectives_from_frame(frame: pl.DataFrame) -> list[Objective]:
    """Return objectives from an edited table; blank rows are dropped."""
    return [
        Objective(
            objective=r["objective"] or "",
            measure=r["measure"] or "",
            target=r["target"] or "",
            due_on=_parse_date(r["due_on"]),
            status=r["status"] or "open",
        )
        for r in _clean_records(frame, OBJECTIVE_COLUMNS)
    ]


def actions_from_frame(frame: pl.DataFrame) -> list[Action]:
    """Return actions from an edited table; blank rows are dropped."""
    return [
        Action(
            contact=r["contact"] or "",
            action=r["action"] or "",
            owner=r["owner"] or "",
            due_on=_parse_date(r["due_on"]),
            status=r["status"] or "open",
        )
        for r in _clean_records(frame, ACTION_COLUMNS)
    ]


def risks_from_frame(frame: pl.DataFrame) -> list[Risk]:
    """Return risks from an edited table; blank rows are dropped."""
    return [
        Risk(
            risk=r["risk"] or "",
            risk_date=_parse_date(r["risk_date"]),
            severity=r["severity"] or "medium",
        )
        for r in _clean_records(frame, RISK_COLUMNS)
    ]


# --- validation -----------------------------------------------------------------


def validate_plan(plan: Plan) -> list[Problem]:
    """Return every problem that stops the plan from being saved (empty: fine)."""
    problems: list[Problem] = []

    def problem(where: str, row: int | None, column: str | None, message: str) -> None:
        problems.append(Problem("error", where, row, column, message))

    if not plan.account_id.strip():
        problem("plan", None, "account_id", "the plan names no account")
    if plan.status not in PLAN_STATUSES:
        problem("plan", None, "status", f"status must be one of {PLAN_STATUSES}")
    if plan.relationship is not None and plan.relationship not in RELATIONSHIPS:
        problem(
            "plan", None, "relationship", f"relationship must be one of {RELATIONSHIPS}"
        )
    for name in (*SECTIONS, "value_notes"):
        if len(getattr(plan, name)) > MAX_SECTION_CHARS:
            problem("plan", None, name, f"longer than {MAX_SECTION_CHARS:,} characters")
    lines: Sequence[tuple[str, Sequence[Any], str, str, tuple[str, ...]]] = (
        ("objectives", plan.objectives, "objective", "status", OBJECTIVE_STATUSES),
        ("actions", plan.actions, "action", "status", ACTION_STATUSES),
        ("risks", plan.risks, "risk", "severity", RISK_SEVERITIES),
    )
    for where, items, text_field, choice_field, choices in lines:
        if len(items) > MAX_LINES:
            problem(where, None, None, f"more than {MAX_LINES} lines")
        for row, item in enumerate(items, start=1):
            if not str(getattr(item, text_field)).strip():
                problem(where, row, text_field, f"the {text_field} is empty")
            if getattr(item, choice_field) not in choices:
                problem(
                    where,
                    row,
                    choice_field,
                    f"{getattr(item, choice_field)!r} is not one of {choices}",
                )
    for row, action in enumerate(plan.actions, start=1):
        if not action.contact.strip():
            problem("actions", row, "contact", "name the person the action is for")
    return problems


def _problems_message(problems: list[Problem]) -> str:
    parts = []
    for p in problems:
        where = p.file + (f" row {p.row}" if p.row else "")
        where += f", {p.column}" if p.column else ""
        parts.append(f"{where}: {p.message}")
    return "The plan was not saved: " + "; ".join(parts)


# --- storing --------------------------------------------------------------------


def save_plan(
    con: store.Connection,
    actor: Actor,
    plan: Plan,
    *,
    based_on: int,
    now: datetime | None = None,
) -> PlanVersion:
    """Save the plan as a new version and return it; never overwrite a newer one.

    The version check and the insert run in one serialised write transaction, so of
    two saves based on the same version exactly one succeeds. Any failure rolls the
    whole save back and leaves the previous version as it was.

    Args:
        con: the database.
        actor: who saves; needs the ``plan`` permission.
        plan: the plan as edited.
        based_on: the version the edit started from (0 for a first plan).
        now: the save time in UTC (default: now).

    Raises:
        PermissionDeniedError: the actor may not write plans.
        RejectedInputError: the plan has problems (the message lists them all).
        PlanConflictError: someone saved a newer version; the plan is attached.
    """
    require(actor, "plan")
    problems = validate_plan(plan)
    if problems:
        raise RejectedInputError(_problems_message(problems))
    saved_at = now or store.now_utc()
    content = plan_to_json(plan)
    with store.write_transaction(con) as cur:
        head = store.plan_head(cur, plan.account_id)
        current = head["version"] if head else 0
        if current != based_on:
            if head is None:
                raise RejectedInputError(
                    f"Not saved: there is no version {based_on} of the plan for "
                    f"{plan.account_id}; reload the plan and save again."
                )
            raise PlanConflictError(
                plan, based_on, current, str(head["saved_by"]), head["saved_at"]
            )
        version = current + 1
        store.insert_plan_version(
            cur,
            account_id=plan.account_id,
            version=version,
            based_on=based_on,
            content=content,
            status=plan.status,
            saved_by=actor.name,
            saved_at=saved_at,
        )
        store.insert_plan_lines(
            cur,
            account_id=plan.account_id,
            version=version,
            objectives=[
                (o.objective, o.measure, o.target, o.due_on, o.status)
                for o in plan.objectives
            ],
            actions=[
                (a.contact, a.action, a.owner, a.due_on, a.status) for a in plan.actions
            ],
            risks=[(r.risk, r.risk_date, r.severity) for r in plan.risks],
        )
    return PlanVersion(
        account_id=plan.account_id,
        version=version,
        based_on=based_on,
        saved_by=actor.name,
        saved_at=saved_at,
        plan=plan,
    )


def load_plan(
    con: store.Connection, account_id: str, version: int | None = None
) -> PlanVersion | None:
    """Return one version of the account's plan (the current one by default)."""
    row = store.plan_content(con, account_id, version)
    if row is None:
        return None
    return PlanVersion(
        account_id=account_id,
        version=row["version"],
        based_on=int(row["based_on"] or 0),
        saved_by=str(row["saved_by"] or ""),
        saved_at=row["saved_at"],
        plan=plan_from_json(row["content"]),
    )


def restore_version(
    con: store.Connection,
    actor: Actor,
    account_id: str,
    version: int,
    *,
    based_on: int,
) -> PlanVersion:
    """Save an older version's content again as the new current version.

    Nothing is lost: the versions in between stay in the history. ``based_on`` is
    the version the person saw as current, so a save made meanwhile is not
    overwritten (:class:`PlanConflictError`).

    Raises:
        RejectedInputError: there is no such version.
    """
    old = load_plan(con, account_id, version)
    if old is None:
        raise RejectedInputError(f"{account_id} has no plan version {version}")
    return save_plan(con, actor, old.plan, based_on=based_on)


def plan_history(con: store.Connection, account_id: str) -> pl.DataFrame:
    """Return every version of the account's plan with who and when, newest first."""
    return store.plan_versions(con, account_id)


def plan_accounts(con: store.Connection) -> pl.DataFrame:
    """Return every account with its owner and current plan version (null: none)."""
    return store.plan_accounts(con)


# --- the situation --------------------------------------------------------------


def _table(title: str, frame: pl.DataFrame) -> SituationTable:
    # Situation tables are a handful of rows; floats are rounded for reading.
    rounded = frame.with_columns(pl.col(pl.Float32, pl.Float64).round(2))
    return SituationTable(
        title=title,
        columns=list(rounded.columns),
        rows=[list(r) for r in rounded.rows()],
    )


def default_as_of(con: store.Connection) -> date:
    """Return the as-of date situations use: the last day in the data, else today."""
    _, last_day = store.data_date_range(con)
    return last_day or datetime.now(UTC).date()


def situation_from_crm(
    con: store.Connection, account_id: str, as_of: date
) -> SituationPart:
    """Return what the CRM tables say directly: revenue, effort, people by role."""
    facts = store.account_plan_facts(con, account_id, as_of)
    if facts is None:
        return SituationPart(
            "crm", "From the CRM", "unavailable", f"no account {account_id}"
        )
    roles = store.account_contacts_by_role(con, account_id)
    gaps = roles.filter(
        (pl.col("contacts") == 0) & (pl.col("buying_role") != "(unknown)")
    )["buying_role"].to_list()
    part = SituationPart(
        key="crm",
        title="From the CRM",
        status="ready",
        note="Won revenue, effort and activities cover the 12 months up to "
        f"{as_of.isoformat()}; the pipeline is every open deal.",
        facts=[
            Fact("Industry", facts["industry"]),
            Fact("Region", facts["region"]),
            Fact("Account owner", facts["owner"]),
            Fact("Won revenue, last 12 months", facts["won_revenue_12m"]),
            Fact("Open pipeline", facts["open_pipeline"]),
            Fact("Open opportunities", facts["open_opportunities"]),
            Fact("Effort, last 12 months", facts["effort_hours_12m"], "h"),
            Fact("Activities, last 12 months", facts["activities_12m"]),
            Fact("Gross margin", facts["gross_margin_pct"], "%"),
            Fact("Wallet estimate", facts["wallet_estimate"]),
            Fact("Contract type", facts["contract_type"]),
            Fact("Direct cost to serve per year", facts["direct_cost_annual"]),
            Fact("Contacts known", facts["contacts"]),
            Fact("Buying roles with nobody known", ", ".join(gaps) or "none"),
        ],
        tables=[_table("People by buying role", roles)],
    )
    if facts["relationship_override"]:
        part.facts.append(
            Fact("Relationship set by a person", facts["relationship_override"])
        )
        part.facts.append(
            Fact(
                "Reason for the relationship",
                f"{facts['relationship_reason']} ({facts['relationship_set_by']})",
            )
        )
    return part


#: The strategy each value segment implies (Peppers & Rogers' differentiation).
SEGMENT_STRATEGY: dict[str, str] = {
    "most_valuable": "Retain: protect the relationship with senior coverage, "
    "dependable service and no surprises at renewal.",
    "most_growable": "Grow: win share of wallet; reach the deciders and influencers "
    "we do not cover yet and widen the offer.",
    "below_zero": "Fix the economics: lower the cost to serve (fewer visits, inside "
    "sales, self-service) or raise price and margin before investing more.",
    "maintain": "Maintain efficiently: standard offer and service at a low cost to "
    "serve; watch for signs of growth.",
}


# The segmentation ranks every account, so each situation needs the whole
# portfolio's; two sources use it. One entry, keyed by the database, its data
# version and the day, is enough for the situations built one after another.
_SEGMENTS_MEMO: dict[tuple[str, int, date], pl.DataFrame] = {}


def _portfolio_segments(con: store.Connection, as_of: date) -> pl.DataFrame:
    path = store.database_path(con)
    if path == ":memory:":  # every in-memory database has this name: no memo
        return segment.account_segments(con, as_of=as_of)
    key = (path, store.data_version(con), as_of)
    segments = _SEGMENTS_MEMO.get(key)
    if segments is None:
        segments = segment.account_segments(con, as_of=as_of)
        # Sessions run in threads: replace the whole entry, never read it half-made.
        _SEGMENTS_MEMO.clear()
        _SEGMENTS_MEMO[key] = segments
    return segments


def _account_row(frame: pl.DataFrame, account_id: str) -> dict[str, Any] | None:
    rows = frame.filter(pl.col("account_id") == account_id)
    return rows.row(0, named=True) if rows.height else None


def situation_from_segment(
    con: store.Connection, account_id: str, as_of: date
) -> SituationPart:
    """Return the value segment, relationship type, contribution and cost-to-serve."""
    row = _account_row(_portfolio_segments(con, as_of), account_id)
    title = "Value segment and relationship"
    if row is None:
        return SituationPart("segment", title, "unavailable", "no such account")
    value_segment = str(row["value_segment"])
    return SituationPart(
        key="segment",
        title=title,
        status="ready",
        note="Segmentation with the default thresholds, over the 12 months up to "
        f"{as_of.isoformat()}. Strategy: {SEGMENT_STRATEGY.get(value_segment, '')}",
        facts=[
            Fact("Value segment", value_segment),
            Fact("Why this segment", row["value_reason"]),
            Fact("Relationship type", row["relationship"]),
            Fact("Why this relationship", row["relationship_reason"]),
            Fact("Relationship score", row["relationship_score"], "points"),
            Fact("Won revenue, last 12 months", row["won_12m"]),
            Fact("Margin", row["margin"]),
            Fact("Cost to serve", row["cost_to_serve"]),
            Fact("Contribution", row["contribution"]),
            Fact("Contribution rank", row["contribution_rank"]),
            Fact("Potential", row["potential"]),
            Fact("Headroom", row["headroom"]),
            Fact("Share of wallet", row["share_of_wallet_pct"], "%"),
            Fact("Growth, year on year", row["growth_pct"], "%"),
        ],
    )


def situation_from_effort(
    con: store.Connection, account_id: str, as_of: date
) -> SituationPart:
    """Return the effort we spend on the account against the value it brings.

    From :mod:`workbench.effort` over the 12 months up to ``as_of``: shares of the
    portfolio's effort, revenue and contribution, the effort index (hours against
    what the account's margin justifies for its relationship type) and the
    misallocation rules' findings (over- or under-served, a partnership served
    through purchasing only, a transactional account getting broad effort).
    """
    title = "Effort against value"
    accounts = effort.account_effort(_portfolio_segments(con, as_of)).with_columns(
        pl.col("effort_hours")
        .rank("ordinal", descending=True)
        .cast(pl.Int64)
        .alias("effort_rank")
    )
    row = _account_row(accounts, account_id)
    if row is None:
        return SituationPart("effort", title, "unavailable", "no such account")
    issues = effort.misallocations(accounts).filter(pl.col("account_id") == account_id)
    effort_share = row["effort_share_pct"]
    revenue_share = row["revenue_share_pct"]
    ratio = (
        effort_share / revenue_share
        if effort_share is not None and revenue_share
        else None
    )
    if issues.height:
        verdict = "Effort issues: " + "; ".join(
            f"{issue.replace('_', ' ')} ({why})"
            for issue, why in issues.select("issue", "why").rows()
        )
    elif ratio is None:
        verdict = "No won revenue in the window: every hour is an investment."
    else:
        verdict = "Effort fits the account's margin and relationship type."
    hours = row["effort_hours"] or 0.0
    by_kind = store.account_effort_by_kind(con, account_id, as_of)
    part = SituationPart(
        key="effort",
        title=title,
        status="ready",
        note=f"12 months up to {as_of.isoformat()}, shares of the portfolio's "
        f"totals. {verdict}.",
        facts=[
            Fact("Effort, last 12 months", hours, "h"),
            Fact("Activities without a duration", row["activities_without_duration"]),
            Fact("Share of our effort", effort_share, "%"),
            Fact("Share of won revenue", revenue_share, "%"),
            Fact("Share of contribution", row["contribution_share_pct"], "%"),
            Fact("Effort share ÷ revenue share", ratio),
            Fact("Rank by effort", f"{row['effort_rank']} of {accounts.height}"),
            Fact("Hours its margin justifies for its type", row["expected_hours"], "h"),
            Fact("Effort index (hours ÷ justified)", row["effort_index"]),
            Fact(
                "Share of hours beyond purchasing",
                row["non_procurement_share_pct"],
                "%",
            ),
            Fact("Share of hours with executives", row["executive_share_pct"], "%"),
            Fact("Cost to serve", row["cost_to_serve"]),
            Fact(
                "Contribution per effort hour",
                row["contribution"] / hours if hours else None,
            ),
            Fact(
                "Effort change on the previous 12 months", row["effort_change_pct"], "%"
            ),
            Fact("Effort issues found", issues.height),
        ],
    )
    if issues.height:
        part.tables.append(_table("Effort issues", issues.select("issue", "why")))
    if by_kind.height:
        part.tables.append(_table("Effort by kind of activity", by_kind))
    return part


def situation_from_network(
    con: store.Connection, account_id: str, as_of: date
) -> SituationPart:
    """Return the buying-centre map's coverage gaps and risks for the account."""
    title = "Coverage of the buying centre"
    try:
        data = store.read_buying_centre(con, account_id, months=12, as_of=as_of)
    except RejectedInputError as error:
        return SituationPart("coverage", title, "unavailable", str(error))
    report = network.analyse_buying_centre(data)
    coverage = report.coverage
    breadth = report.breadth
    missing = coverage.filter(pl.col("status") == "missing")["role"].to_list()
    not_engaged = coverage.filter(pl.col("status") == "not engaged")["role"].to_list()
    part = SituationPart(
        key="coverage",
        title=title,
        status="ready",
        note=f"Our touches from {data.start} (excluded) to {data.end}.",
        facts=[
            Fact(
                "People we touched",
                f"{breadth.contacts_engaged} of {breadth.contacts_present}",
            ),
            Fact(
                "Departments we touched",
                f"{breadth.departments_engaged} of {breadth.departments_present}",
            ),
            Fact(
                "Levels reached",
                f"{breadth.levels_reached} of {breadth.levels_present}",
            ),
            Fact("Highest level reached (1 = top)", breadth.top_level_reached),
            Fact("Our people involved", breadth.sellers_engaged),
            Fact(
                "Roles with nobody known",
                ", ".join(r for r in missing if r != network.UNKNOWN) or "none",
            ),
            Fact("Roles known but not touched", ", ".join(not_engaged) or "none"),
            Fact("Relationship risks found", report.risks.height),
        ],
        tables=[_table("Coverage by buying role", coverage)],
    )
    if report.risks.height:
        part.tables.append(
            _table(
                "Relationship risks",
                report.risks.select("risk", "name", "detail").head(MAX_TABLE_ROWS),
            )
        )
    if report.reach_next.height:
        part.tables.append(
            _table(
                "Whom to reach next",
                report.reach_next.head(5).select(
                    "rank", "name", "title", "role", "influence", "attitude", "path"
                ),
            )
        )
    return part


def situation_from_voice(
    con: store.Connection, account_id: str, as_of: date
) -> SituationPart:
    """Return the account's NPS by buying role over the 12 months up to ``as_of``."""
    title = "Voice of the customer"
    since = _months_before(as_of, 12)
    responses = store.account_nps_responses(con, account_id, since, as_of)
    if responses.filter(pl.col("score").is_not_null()).height == 0:
        return SituationPart(
            "voice",
            title,
            "unavailable",
            f"Nobody at this account answered an NPS survey between {since} and "
            f"{as_of}.",
        )
    overall = voice.overall_nps(responses)
    by_role = voice.nps_by_role(responses).select(
        "role", "responses", "promoters", "passives", "detractors", "nps"
    )
    risky = voice.risky_detractors(responses).select(
        "contact_name", "title", "buying_role", "influence", "score", "why"
    )
    silent_roles = by_role.filter(pl.col("responses") == 0)["role"].to_list()
    part = SituationPart(
        key="voice",
        title=title,
        status="ready",
        note=f"NPS answers from {since} (excluded) to {as_of}; NPS = % promoters "
        "(9–10) − % detractors (0–6).",
        facts=[
            Fact("NPS, all roles", overall["nps"]),
            Fact("Answers", overall["responses"]),
            Fact("Roles nobody answered for", ", ".join(silent_roles) or "none"),
            Fact("Influential or deciding detractors", risky.height),
        ],
        tables=[_table("NPS by buying role", by_role)],
    )
    if risky.height:
        part.tables.append(
            _table("Detractors who can sink a deal", risky.head(MAX_TABLE_ROWS))
        )
    return part


def _months_before(day: date, months: int) -> date:
    # The same day ``months`` earlier, clipped to the month's end (29 Feb → 28 Feb).
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"cannot go back {months} months from {day}")


#: The situation's sources in the order the plan shows them; each is one function.
SITUATION_SOURCES: tuple[
    Callable[[store.Connection, str, date], SituationPart], ...
] = (
    situation_from_crm,
    situation_from_segment,
    situation_from_effort,
    situation_from_network,
    situation_from_voice,
)


def build_situation(
    con: store.Connection,
    account_id: str,
    *,
    as_of: date | None = None,
    now: datetime | None = None,
) -> Situation:
    """Return the account's situation from every source, for ``as_of``.

    Args:
        con: the database.
        account_id: the account.
        as_of: the day the figures are computed for (default: the data's last day).
        now: when it was computed, UTC (default: now).
    """
    day = as_of or default_as_of(con)
    return Situation(
        account_id=account_id,
        as_of=day,
        computed_at=now or store.now_utc(),
        parts=[source(con, account_id, day) for source in SITUATION_SOURCES],
    )


# --- drafting sections from the situation ----------------------------------------


def _facts(situation: Situation, key: str) -> dict[str, Cell]:
    part = situation.part(key)
    if part is None or part.status != "ready":
        return {}
    return {f.label: f.value for f in part.facts}


def _rows(situation: Situation, key: str, title: str) -> list[dict[str, Cell]]:
    part = situation.part(key)
    if part is None or part.status != "ready":
        return []
    for table in part.tables:
        if table.title == title:
            return [dict(zip(table.columns, row, strict=True)) for row in table.rows]
    return []


def draft_sections(situation: Situation) -> dict[str, str]:
    """Return a first draft of the four sections, written from the situation only.

    Only what the analytics found is written (nothing is invented); a section with
    nothing to draw on is left empty. The workshop edits the draft.
    """
    crm = _facts(situation, "crm")
    seg = _facts(situation, "segment")
    cover = _facts(situation, "coverage")
    heard = _facts(situation, "voice")
    drafts: dict[str, list[str]] = {name: [] for name in SECTIONS}

    identify = drafts["identify"]
    gaps = cover.get("Roles with nobody known") or crm.get(
        "Buying roles with nobody known"
    )
    if gaps and gaps != "none":
        identify.append(f"- Roles with nobody known: {gaps}.")
    if cover.get("Roles known but not touched") not in (None, "none"):
        identify.append(
            f"- Roles known but not touched: {cover['Roles known but not touched']}."
        )
    for risk in _rows(situation, "coverage", "Relationship risks"):
        identify.append(
            f"- {risk['risk']}: {risk['name'] or 'account'} — {risk['detail']}."
        )
    for person in _rows(situation, "voice", "Detractors who can sink a deal"):
        identify.append(
            f"- Detractor: {person['contact_name']} ({person['why']}), NPS {person['score']}."
        )

    differentiate = drafts["differentiate"]
    if seg.get("Value segment"):
        segment_name = str(seg["Value segment"])
        differentiate.append(
            f"Value segment: {segment_name} — {seg.get('Why this segment')}."
        )
        if segment_name in SEGMENT_STRATEGY:
            differentiate.append(f"Strategy: {SEGMENT_STRATEGY[segment_name]}")
    if seg.get("Relationship type"):
        differentiate.append(
            f"Relationship: {seg['Relationship type']} — {seg.get('Why this relationship')}."
        )
    spent = _facts(situation, "effort")
    if spent.get("Share of our effort") is not None:
        effort_part = situation.part("effort")
        verdict = effort_part.note.split(". ", 1)[-1] if effort_part else ""
        differentiate.append(
            f"Effort: {format_value(spent['Share of our effort'], '%')} of our "
            f"effort for {format_value(spent.get('Share of won revenue'), '%')} of "
            f"won revenue. {verdict}"
        )
    if crm.get("Relationship set by a person"):
        differentiate.append(
            f"Relationship set by a person: {crm['Relationship set by a person']} "
            f"({crm.get('Reason for the relationship')})."
        )

    interact = drafts["interact"]
    for person in _rows(situation, "coverage", "Whom to reach next"):
        path = person["path"]
        how = (
            f"through {path}" if path and path != "no warm path" else "no warm path yet"
        )
        interact.append(
            f"- {person['name']} ({person['role']}, influence {person['influence']}, "
            f"{person['attitude'] or 'attitude unknown'}): reach {how}."
        )
    for person in _rows(situation, "voice", "Detractors who can sink a deal"):
        interact.append(
            f"- {person['contact_name']} ({person['buying_role'] or 'role unknown'}): "
            f"hear why the score is {person['score']} and agree what we fix."
        )
    if heard.get("Roles nobody answered for") not in (None, "none"):
        interact.append(
            f"- Ask for NPS from the roles nobody answered for: "
            f"{heard['Roles nobody answered for']}."
        )

    relationship = proposed_relationship(situation)
    if relationship:
        drafts["customise"] += [
            RELATIONSHIP_GUIDANCE[relationship],
            "Offer: " + "; ".join(VALUE_SERVICES[relationship]) + ".",
        ]
    return {name: "\n".join(lines) for name, lines in drafts.items()}


def fill_empty_sections(plan: Plan) -> list[str]:
    """Fill the plan's empty sections with drafts from its situation; return which."""
    if plan.situation is None:
        return []
    filled = []
    for name, text in draft_sections(plan.situation).items():
        if text and not getattr(plan, name).strip():
            setattr(plan, name, text)
            filled.append(name)
    return filled


def _contact_label(name: Cell, role: Cell) -> str:
    # The same "Name (role)" the plan's contact picker offers.
    has_role = role not in (None, "", network.UNKNOWN)
    return f"{name} ({role})" if has_role else str(name)


def suggested_actions(situation: Situation) -> list[Action]:
    """Return actions the situation calls for, one per stakeholder finding.

    Whom to reach next (with the warm path, if any), detractors who can sink a
    deal, and deciders or approvers nobody touched in the window; owned by the
    account owner when the CRM names one. Nothing is suggested without a finding.
    """
    owner = str(_facts(situation, "crm").get("Account owner") or "")
    actions: list[Action] = []
    for person in _rows(situation, "coverage", "Whom to reach next"):
        path = person["path"]
        how = f"through {path}" if path and path != "no warm path" else "(no warm path)"
        actions.append(
            Action(
                _contact_label(person["name"], person["role"]),
                f"First conversation {how}",
                owner,
            )
        )
    for person in _rows(situation, "voice", "Detractors who can sink a deal"):
        actions.append(
            Action(
                _contact_label(person["contact_name"], person["buying_role"]),
                f"Hear why the score is {person['score']}; agree what we fix",
                owner,
            )
        )
    for risk in _rows(situation, "coverage", "Relationship risks"):
        if risk["risk"] in ("dark decider", "dark approver") and risk["name"]:
            role = str(risk["risk"]).removeprefix("dark ")
            actions.append(
                Action(
                    _contact_label(risk["name"], role),
                    "Meet: nobody touched them in the window",
                    owner,
                )
            )
    unique = {(a.contact, a.action): a for a in actions}
    return list(unique.values())


def add_suggested_actions(plan: Plan) -> int:
    """Append the situation's suggested actions the plan lacks; return how many."""
    if plan.situation is None:
        return 0
    present = {(a.contact, a.action) for a in plan.actions}
    new = [
        a
        for a in suggested_actions(plan.situation)
        if (a.contact, a.action) not in present
    ]
    plan.actions.extend(new)
    return len(new)


# --- exports --------------------------------------------------------------------


def format_value(value: Cell, unit: str = "") -> str:
    """Return a figure as a person reads it: thousands separators, units, dashes."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
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


def _heading(plan: Plan, meta: PlanVersion | None) -> tuple[str, str]:
    title = f"Account plan: {plan.account_name or plan.account_id} ({plan.account_id})"
    if meta is None:
        saved = f"Unsaved draft · status {plan.status}"
    else:
        saved = (
            f"Version {meta.version} · saved by {meta.saved_by} on "
            f"{meta.saved_at:%Y-%m-%d %H:%M} UTC · status {plan.status}"
        )
    return title, saved


def _situation_heading(situation: Situation) -> str:
    return (
        f"Situation as of {situation.as_of.isoformat()} "
        f"(computed {situation.computed_at:%Y-%m-%d %H:%M} UTC)"
    )


def _line_rows(plan: Plan) -> list[tuple[str, list[str], list[list[Cell]]]]:
    objectives: list[list[Cell]] = [
        [o.objective, o.measure, o.target, _iso(o.due_on), o.status]
        for o in plan.objectives
    ]
    actions: list[list[Cell]] = [
        [a.contact, a.action, a.owner, _iso(a.due_on), a.status] for a in plan.actions
    ]
    risks: list[list[Cell]] = [
        [r.risk, _iso(r.risk_date), r.severity] for r in plan.risks
    ]
    return [
        (
            "Objectives",
            ["Objective", "Measure", "Target", "Due", "Status"],
            objectives,
        ),
        ("Actions", ["Contact", "Action", "Owner", "Due", "Status"], actions),
        ("Risks", ["Risk", "Date", "Severity"], risks),
    ]


def _md_text(text: str) -> str:
    # Escaping <, > and & keeps any HTML in the text inert wherever the Markdown is
    # rendered, while the author's own Markdown (lists, emphasis) still works.
    # Images are the one Markdown construct that fetches by itself when rendered
    # (a tracking pixel); "!\\[" shows the text instead.
    return html.escape(text, quote=False).replace("![", "!\\[")


def _md_cell(value: Cell) -> str:
    text = _md_text(format_value(value) if value is not None else "")
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _md_table(columns: list[str], rows: list[list[Cell]]) -> list[str]:
    lines = [
        "| " + " | ".join(_md_cell(c) for c in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines


def plan_to_markdown(plan: Plan, meta: PlanVersion | None = None) -> str:
    """Return the plan as a Markdown document; any HTML in its text stays inert."""
    title, saved = _heading(plan, meta)
    out = [f"# {_md_text(title)}", "", f"_{_md_text(saved)}_", ""]
    if plan.situation is not None:
        out += [f"## {_situation_heading(plan.situation)}", ""]
        for part in plan.situation.parts:
            out += [f"### {_md_text(part.title)}", ""]
            if part.status != "ready":
                out += [f"_{part.status.capitalize()}: {_md_text(part.note)}_", ""]
                continue
            if part.note:
                out += [_md_text(part.note), ""]
            out += [
                f"- **{_md_text(f.label)}**: {_md_text(format_value(f.value, f.unit))}"
                for f in part.facts
            ]
            out.append("")
            for table in part.tables:
                out += [f"**{_md_text(table.title)}**", ""]
                out += [*_md_table(table.columns, table.rows), ""]
    else:
        out += ["## Situation", "", "_Not computed yet._", ""]
    for name, heading in SECTION_TITLES.items():
        text = getattr(plan, name).strip()
        out += [f"## {heading}", "", _md_text(text) if text else "_(empty)_", ""]
    out += ["## Value proposition", ""]
    if plan.relationship:
        out += [
            f"Relationship: **{plan.relationship}**. "
            f"{RELATIONSHIP_GUIDANCE[plan.relationship]}",
            "",
        ]
    else:
        out += ["Relationship: _not decided_.", ""]
    checklist = value_services_for(plan.relationship)
    chosen = set(plan.value_services)
    out += [
        f"- [{'x' if service in chosen else ' '}] {_md_text(service)}"
        for service in (
            *checklist,
            *(s for s in plan.value_services if s not in checklist),
        )
    ]
    out.append("")
    if plan.value_notes.strip():
        out += [_md_text(plan.value_notes.strip()), ""]
    for heading, columns, rows in _line_rows(plan):
        out += [f"## {heading}", ""]
        out += [*_md_table(columns, rows), ""] if rows else ["_None._", ""]
    return "\n".join(out)


_HTML_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC",
       "Microsoft YaHei", sans-serif; color: #1f2328; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem;
     margin-top: 1.6rem; }
h3 { font-size: 1rem; margin-bottom: .3rem; }
.meta, .note { color: #57606a; }
.pending { color: #9a6700; font-style: italic; }
.text { white-space: pre-wrap; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .45rem; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
ul.checklist { list-style: none; padding-left: 0; }
@page { size: A4; margin: 15mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  h2, h3 { break-after: avoid; }
  table, dl.facts { break-inside: avoid; }
}
"""


def _html_table(columns: list[str], rows: list[list[Cell]]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(str(c))}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{e(format_value(c)) if c is not None else ''}</td>" for c in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def plan_to_html(plan: Plan, meta: PlanVersion | None = None) -> str:
    """Return the plan as one self-contained, printable HTML page.

    Styles are inline, nothing loads from elsewhere, and every piece of text from
    the plan or the data is HTML-escaped, so hostile text shows as text.
    """
    e = html.escape
    title, saved = _heading(plan, meta)
    body = [f"<h1>{e(title)}</h1>", f'<p class="meta">{e(saved)}</p>']
    if plan.situation is not None:
        body.append(f"<h2>{e(_situation_heading(plan.situation))}</h2>")
        for part in plan.situation.parts:
            body.append(f"<h3>{e(part.title)}</h3>")
            if part.status != "ready":
                body.append(
                    f'<p class="pending">{e(part.status.capitalize())}: '
                    f"{e(part.note)}</p>"
                )
                continue
            if part.note:
                body.append(f'<p class="note">{e(part.note)}</p>')
            facts = "".join(
                f"<dt>{e(f.label)}</dt><dd>{e(format_value(f.value, f.unit))}</dd>"
                for f in part.facts
            )
            body.append(f'<dl class="facts">{facts}</dl>')
            for table in part.tables:
                body.append(f"<p><strong>{e(table.title)}</strong></p>")
                body.append(_html_table(table.columns, table.rows))
    else:
        body.append('<h2>Situation</h2><p class="pending">Not computed yet.</p>')
    for name, heading in SECTION_TITLES.items():
        text = getattr(plan, name).strip()
        body.append(f"<h2>{e(heading)}</h2>")
        body.append(
            f'<div class="text">{e(text)}</div>'
            if text
            else '<p class="pending">(empty)</p>'
        )
    body.append("<h2>Value proposition</h2>")
    if plan.relationship:
        body.append(
            f"<p>Relationship: <strong>{e(plan.relationship)}</strong>. "
            f"{e(RELATIONSHIP_GUIDANCE[plan.relationship])}</p>"
        )
    else:
        body.append("<p>Relationship: <em>not decided</em>.</p>")
    checklist = value_services_for(plan.relationship)
    chosen = set(plan.value_services)
    items = "".join(
        f"<li>{'☑' if s in chosen else '☐'} {e(s)}</li>"
        for s in (*checklist, *(s for s in plan.value_services if s not in checklist))
    )
    body.append(f'<ul class="checklist">{items}</ul>')
    if plan.value_notes.strip():
        body.append(f'<div class="text">{e(plan.value_notes.strip())}</div>')
    for heading, columns, rows in _line_rows(plan):
        body.append(f"<h2>{e(heading)}</h2>")
        body.append(
            _html_table(columns, rows) if rows else '<p class="pending">None.</p>'
        )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{_HTML_STYLE}</style>\n</head>\n"
        "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def actions_csv(plan: Plan) -> bytes:
    """Return the plan's actions as spreadsheet-safe CSV (formulas neutralised)."""
    frame = actions_frame(plan).select(
        pl.lit(plan.account_id).alias("account_id"),
        pl.lit(plan.account_name).alias("account"),
        pl.all(),
    )
    return exports.to_csv_bytes(frame)


# --- the leaders' overview ------------------------------------------------------


@dataclass(frozen=True)
class PlansOverview:
    """All plans at a glance for leaders.

    Attributes:
        today: the day overdue and stale are judged against.
        accounts: one row per account with its plan state (``current``, ``stale``
            or ``no plan``), status, segment and action counts.
        missing: the accounts without a current plan.
        overdue: open actions of current plans past their due date.
        summary: per segment: accounts, plans by state and status, overdue actions.
        segments_pending: True while no segmentation is available (segment null).
    """

    today: date
    accounts: pl.DataFrame
    missing: pl.DataFrame
    overdue: pl.DataFrame
    summary: pl.DataFrame
    segments_pending: bool

    @property
    def agreed_plans(self) -> int:
        """Return how many accounts have a current plan whose status is agreed."""
        return int(self.summary["agreed"].sum())


def account_segments(con: store.Connection) -> pl.DataFrame | None:
    """Return each account's value segment (``account_id``, ``segment``).

    Typed optional so that an overview can still be given without a segmentation
    (``PlansOverview.segments_pending``).
    """
    return segment.account_segments(con).select(
        "account_id", pl.col("value_segment").alias("segment")
    )


def plans_overview(
    con: store.Connection,
    *,
    today: date | None = None,
    stale_after_days: int = STALE_AFTER_DAYS,
) -> PlansOverview:
    """Return the leaders' overview of every account's plan.

    A plan is *current* when its last version was saved within ``stale_after_days``
    before ``today`` (default: today's date in UTC).
    """
    day = today or datetime.now(UTC).date()
    stale_before = datetime.combine(
        day - timedelta(days=stale_after_days), datetime.min.time()
    )
    portfolio = store.plans_portfolio(con, day).with_columns(
        pl.when(pl.col("plan_version").is_null())
        .then(pl.lit("no plan"))
        .when(pl.col("plan_saved_at") < stale_before)
        .then(pl.lit("stale"))
        .otherwise(pl.lit("current"))
        .alias("plan_state")
    )
    segments = account_segments(con)
    if segments is None:
        accounts = portfolio.with_columns(pl.lit(None, pl.String).alias("segment"))
    else:
        accounts = portfolio.join(
            segments.select("account_id", pl.col("segment").cast(pl.String)),
            on="account_id",
            how="left",
        )
    accounts = accounts.select(
        "account_id",
        "name",
        "segment",
        "industry",
        "region",
        "owner",
        "plan_state",
        "plan_status",
        "plan_version",
        "plan_saved_by",
        "plan_saved_at",
        "objectives",
        "open_actions",
        "overdue_actions",
    )
    summary = (
        accounts.group_by(pl.col("segment").fill_null("(all accounts)"))
        .agg(
            pl.len().alias("accounts"),
            (pl.col("plan_state") == "current").sum().alias("current_plans"),
            (pl.col("plan_state") == "stale").sum().alias("stale_plans"),
            (pl.col("plan_state") == "no plan").sum().alias("no_plan"),
            *(
                ((pl.col("plan_state") == "current") & (pl.col("plan_status") == s))
                .sum()
                .alias(s)
                for s in PLAN_STATUSES
            ),
            pl.col("overdue_actions").sum(),
        )
        .sort("segment")
    )
    missing = accounts.filter(pl.col("plan_state") != "current").select(
        "account_id", "name", "segment", "owner", "plan_state", "plan_saved_at"
    )
    return PlansOverview(
        today=day,
        accounts=accounts,
        missing=missing,
        overdue=store.overdue_plan_actions(con, day),
        summary=summary,
        segments_pending=segments is None,
    )


def overview_chart(overview: PlansOverview) -> alt.Chart:
    """Return a bar per segment: accounts with a current, a stale or no plan."""
    states = ["current_plans", "stale_plans", "no_plan"]
    counts = (
        overview.summary.select("segment", *states)
        .unpivot(
            index="segment",
            on=states,
            variable_name="plan_state",
            value_name="accounts",
        )
        .with_columns(
            pl.col("plan_state").replace(
                {
                    "current_plans": "current",
                    "stale_plans": "stale",
                    "no_plan": "no plan",
                }
            ),
            pl.col("accounts").cast(pl.Int64),
        )
    )
    chart: alt.Chart = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("accounts:Q", title="Accounts"),
            y=alt.Y(
                "segment:N", title="Segment", sort=list(overview.summary["segment"])
            ),
            color=alt.Color(
                "plan_state:N",
                title="Plan",
                scale=alt.Scale(
                    domain=["current", "stale", "no plan"],
                    range=["#2f9e44", "#f08c00", "#c92a2a"],
                ),
            ),
            tooltip=["segment:N", "plan_state:N", "accounts:Q"],
        )
    )
    return chart
