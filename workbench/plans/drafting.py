"""Drafting: sections and suggested actions proposed from the situation."""

from __future__ import annotations

import re
from datetime import date, timedelta

from workbench.analytics import effort, network
from workbench.plans.model import (
    RELATIONSHIP_GUIDANCE,
    SECTIONS,
    VALUE_SERVICES,
    Action,
    Cell,
    Plan,
    Situation,
    format_value,
    proposed_relationship,
)
from workbench.plans.situation import (
    OUR_TEAM_TABLE,
    SEGMENT_STRATEGY,
)


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
    for gap in _rows(situation, "voice", "Role conflicts beyond chance"):
        interact.append(
            f"- Role conflict beyond chance: {gap['high_role']} NPS "
            f"{gap['high_nps']:+.0f} ({gap['high_responses']} answers) against "
            f"{gap['low_role']} {gap['low_nps']:+.0f} ({gap['low_responses']}): "
            "hear what each needs and who resolves it."
        )
    for need in _rows(situation, "voice", "Open requirement conflicts"):
        interact.append(
            f"- Requirement conflict: {need['role_a'] or 'a role'} needs "
            f"“{need['need_a']}”, {need['role_b'] or 'a role'} needs "
            f"“{need['need_b']}”; {need['owner']} resolves it."
        )
    if heard.get("Roles nobody answered for") not in (None, "none"):
        interact.append(
            f"- Ask for NPS from the roles nobody answered for: "
            f"{heard['Roles nobody answered for']}."
        )

    relationship = proposed_relationship(situation)
    if relationship:
        guidance = _effort_guidance(spent, str(seg.get("Value segment") or ""))
        drafts["customise"] += [
            *(guidance or [RELATIONSHIP_GUIDANCE[relationship]]),
            "Offer: " + "; ".join(VALUE_SERVICES[relationship]) + ".",
        ]
    return {name: "\n".join(lines) for name, lines in drafts.items()}


def _effort_guidance(spent: dict[str, Cell], value_segment: str) -> list[str]:
    # The plan follows the Effort page's verdicts: whom to involve is the service
    # model's (never a second, contradicting rule of thumb), and the hours follow
    # the investment verdict. A below-zero account fixes its economics first, so
    # no involvement that costs more is proposed for it.
    involve = str(spent.get("Who to involve") or "")
    if involve not in effort.INVOLVEMENT_GUIDANCE:
        return []
    lines = (
        [] if value_segment == "below_zero" else [effort.INVOLVEMENT_GUIDANCE[involve]]
    )
    band = (
        f"{format_value(spent.get('Hours its service model deserves, from'), 'h')}–"
        f"{format_value(spent.get('Hours its service model deserves, up to'), 'h')}"
    )
    hours = format_value(spent.get("Effort, last 12 months"), "h")
    verdict = spent.get("Investment verdict")
    if verdict == "under_invested":
        lines.append(
            f"Invest more time: {hours} a year against the {band} it deserves."
        )
    elif verdict == "over_invested":
        lines.append(f"Spend less time: {hours} a year against the {band} it deserves.")
    return lines or [f"Keep the time within the {band} a year it deserves."]


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


#: Who of us owns each kind of suggested action (Hutt & Speh: executives meet the
#: customer's deciders; service hears what went wrong; the account owner opens
#: doors). Filled from the account's own team when the CRM names one.
OWNER_ROLES: tuple[str, ...] = ("executive sponsor", "service lead", "account owner")
#: Our teams whose names mark a role (English and Chinese CRMs; case-insensitive).
OWNER_TEAM_PATTERNS: dict[str, str] = {
    "executive sponsor": r"(?i)executive|sponsor|leadership|高管|管理层|總經理|总经理",
    "service lead": r"(?i)service|support|success|客服|服务|服務|售后|售後",
}
#: Days from the workshop to the due date of each kind of action. A detractor is
#: heard within two weeks (a complaint left longer becomes a lost renewal); a
#: decider nobody met within a month; a first conversation within a month for a
#: partnership, six weeks otherwise (the partnership's cadence is tighter).
ACTION_DUE_DAYS: dict[str, int] = {
    "detractor": 14,
    "dark decider": 30,
    "reach partnership": 30,
    "reach": 45,
}


def _owners(situation: Situation) -> dict[str, str]:
    # Each owner role → the person of ours who fills it: the busiest member of
    # the matching team on this account, else the account owner; a role nobody
    # fills stays with the account owner (or empty when the CRM names none).
    account_owner = str(_facts(situation, "crm").get("Account owner") or "")
    team = _rows(situation, "coverage", OUR_TEAM_TABLE)  # busiest first
    owners = {"account owner": account_owner}
    for role, pattern in OWNER_TEAM_PATTERNS.items():
        owners[role] = next(
            (
                str(member["name"])
                for member in team
                if member["team"] and re.search(pattern, str(member["team"]))
            ),
            account_owner,
        )
    return owners


def suggested_actions(situation: Situation, today: date | None = None) -> list[Action]:
    """Return actions the situation calls for: one per person, owned and dated.

    Findings: whom to reach next (with the warm path, if any), detractors who can
    sink a deal, and deciders or approvers nobody touched in the window. A person
    with several findings gets one action that names them all. Owners by role
    (:data:`OWNER_ROLES`): the executive sponsor meets deciders and approvers, the
    service lead hears detractors, the account owner opens first conversations.
    Due dates count :data:`ACTION_DUE_DAYS` from ``today`` (default: the
    situation's as-of day), the most urgent finding deciding. Nothing is
    suggested without a finding.
    """
    start = today or situation.as_of
    owners = _owners(situation)
    partnership = proposed_relationship(situation) == "partnership"
    # contact → (what to do, owner role, days until due), in finding order
    found: dict[str, tuple[list[str], str, int]] = {}

    def add(contact: str, action: str, owner_role: str, days: int) -> None:
        texts, role, due = found.get(contact, ([], owner_role, days))
        if action not in texts:
            texts.append(action)
        # the most senior owner and the earliest date win
        if OWNER_ROLES.index(owner_role) < OWNER_ROLES.index(role):
            role = owner_role
        found[contact] = (texts, role, min(due, days))

    for person in _rows(situation, "coverage", "Whom to reach next"):
        path = person["path"]
        how = f"through {path}" if path and path != "no warm path" else "(no warm path)"
        senior = person["role"] in ("decider", "approver")
        add(
            _contact_label(person["name"], person["role"]),
            f"First conversation {how}",
            "executive sponsor" if senior else "account owner",
            ACTION_DUE_DAYS["reach partnership" if partnership else "reach"],
        )
    for person in _rows(situation, "voice", "Detractors who can sink a deal"):
        add(
            _contact_label(person["contact_name"], person["buying_role"]),
            f"Hear why the score is {person['score']}; agree what we fix",
            "service lead",
            ACTION_DUE_DAYS["detractor"],
        )
    for risk in _rows(situation, "coverage", "Relationship risks"):
        if risk["risk"] in ("dark decider", "dark approver") and risk["name"]:
            role = str(risk["risk"]).removeprefix("dark ")
            add(
                _contact_label(risk["name"], role),
                "Meet: nobody touched them in the window",
                "executive sponsor",
                ACTION_DUE_DAYS["dark decider"],
            )
    return [
        Action(
            contact,
            " · ".join(texts),
            owners[role],
            start + timedelta(days=days),
        )
        for contact, (texts, role, days) in found.items()
    ]


def add_suggested_actions(plan: Plan, today: date | None = None) -> int:
    """Append suggested actions for the people the plan has no action for yet.

    A person who already has an action in the plan (suggested or written by the
    workshop) gets no second one; returns how many were added.
    """
    if plan.situation is None:
        return 0
    present = {a.contact for a in plan.actions}
    new = [
        a for a in suggested_actions(plan.situation, today) if a.contact not in present
    ]
    plan.actions.extend(new)
    return len(new)
