"""Drafting: sections and suggested actions proposed from the situation.

The drafts are written in the language in force when they are drafted: our
sentences and our codes (buying roles, attitudes, risks, segments, verdicts) read
in it, as the situation appendix shows them (:mod:`workbench.plans.wording`);
names, needs and other data stay as the CRM holds them. The situation's facts and
tables are read by their English labels and codes, which are its keys.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from workbench import terms
from workbench.analytics import effort, network
from workbench.analytics.sentences import clause_separator
from workbench.i18n import DEFAULT_LANGUAGE, current_language
from workbench.i18n import gettext as _
from workbench.plans import wording
from workbench.plans.model import (
    DETRACTORS_TABLE,
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


def _fact_texts(situation: Situation, key: str) -> dict[str, str]:
    # The facts as the appendix shows them: a sentence (why this segment) in the
    # language in force where the situation wrote it in that language.
    part = situation.part(key)
    if part is None or part.status != "ready":
        return {}
    return {f.label: wording.fact_text(f) for f in part.facts}


def _rows(situation: Situation, key: str, title: str) -> list[dict[str, Cell]]:
    # A table's rows with their sentences (a risk's detail, why an effort issue)
    # in the language in force where the situation keeps them in it; their codes
    # and names are the same rows' in every language.
    part = situation.part(key)
    if part is None or part.status != "ready":
        return []
    return wording.rows_by_column(part, title)


def _value_segment(segment: str) -> str:
    # English drafts name the segment by its code, as they always have; another
    # language names it as the appendix does.
    if current_language() == DEFAULT_LANGUAGE:
        return segment
    return str(wording.code_words(segment))


def draft_sections(situation: Situation) -> dict[str, str]:
    """Return a first draft of the four sections, written from the situation only.

    Only what the analytics found is written (nothing is invented); a section with
    nothing to draw on is left empty. The workshop edits the draft. It reads in
    the language in force.
    """
    seg = _facts(situation, "segment")
    drafts = {
        "identify": [f"- {line}" for line in _identify(situation)],
        "differentiate": _differentiate(situation),
        "interact": [f"- {line}" for line in _interact(situation)],
        "customise": [],
    }
    relationship = proposed_relationship(situation)
    if relationship:
        spent = _facts(situation, "effort")
        guidance = _effort_guidance(spent, str(seg.get("Value segment") or ""))
        services = clause_separator(current_language()).join(
            _(service) for service in VALUE_SERVICES[relationship]
        )
        drafts["customise"] += [
            *(guidance or [_(RELATIONSHIP_GUIDANCE[relationship])]),
            _("Offer: {services}.").format(services=services),
        ]
    return {name: "\n".join(drafts[name]) for name in SECTIONS}


def _identify(situation: Situation) -> list[str]:
    # The roles nobody covers, the relationship risks and the detractors.
    crm = _facts(situation, "crm")
    cover = _facts(situation, "coverage")
    lines = []
    gaps = cover.get("Roles with nobody known") or crm.get(
        "Buying roles with nobody known"
    )
    if gaps and gaps != "none":
        lines.append(
            _("Roles with nobody known: {roles}.").format(
                roles=wording.role_list_words(str(gaps))
            )
        )
    untouched = cover.get("Roles known but not touched")
    if untouched not in (None, "none"):
        lines.append(
            _("Roles known but not touched: {roles}.").format(
                roles=wording.role_list_words(str(untouched))
            )
        )
    for risk in _rows(situation, "coverage", "Relationship risks"):
        lines.append(
            _("{risk}: {name} — {detail}.").format(
                risk=terms.relationship_risk(str(risk["risk"])),
                name=risk["name"] or _("account"),
                detail=risk["detail"],
            )
        )
    for person in _rows(situation, "voice", DETRACTORS_TABLE):
        lines.append(
            _("Detractor: {name} ({why}), NPS {score}.").format(
                name=person["contact_name"],
                why=wording.detractor_reason(person),
                score=person["score"],
            )
        )
    return lines


def _differentiate(situation: Situation) -> list[str]:
    # The value segment and the strategy it implies, the relationship, the effort.
    crm = _facts(situation, "crm")
    seg = _facts(situation, "segment")
    reasons = _fact_texts(situation, "segment")
    spent = _facts(situation, "effort")
    effort_part = situation.part("effort")
    lines = []
    if seg.get("Value segment"):
        segment_name = str(seg["Value segment"])
        lines.append(
            _("Value segment: {segment} — {why}.").format(
                segment=_value_segment(segment_name),
                why=reasons.get("Why this segment"),
            )
        )
        if segment_name in SEGMENT_STRATEGY:
            lines.append(
                _("Strategy: {strategy}").format(
                    strategy=_(SEGMENT_STRATEGY[segment_name])
                )
            )
    if seg.get("Relationship type"):
        lines.append(
            _("Relationship: {relationship} — {why}.").format(
                relationship=terms.relationship(str(seg["Relationship type"])),
                why=reasons.get("Why this relationship"),
            )
        )
    if effort_part is not None and spent.get("Share of our effort") is not None:
        lines.append(
            _(
                "Effort: {effort_share} of our effort for {revenue_share} of won "
                "revenue. {verdict}"
            ).format(
                effort_share=format_value(spent["Share of our effort"], "%"),
                revenue_share=format_value(spent.get("Share of won revenue"), "%"),
                verdict=wording.effort_verdict_words(effort_part),
            )
        )
    if crm.get("Relationship set by a person"):
        lines.append(
            _("Relationship set by a person: {relationship} ({reason}).").format(
                relationship=terms.relationship(
                    str(crm["Relationship set by a person"])
                ),
                reason=crm.get("Reason for the relationship"),
            )
        )
    return lines


def _interact(situation: Situation) -> list[str]:
    # Whom to reach next, detractors to hear, conflicts to resolve, roles to ask.
    heard = _facts(situation, "voice")
    lines = []
    for person in _rows(situation, "coverage", "Whom to reach next"):
        path = person["path"]
        attitude = person["attitude"]
        about = {
            "name": person["name"],
            "role": wording.role_words(person["role"]),
            "influence": person["influence"],
            "attitude": terms.attitude(str(attitude))
            if attitude
            else _("attitude unknown"),
        }
        if path and path != network.NO_WARM_PATH:
            lines.append(
                _(
                    "{name} ({role}, influence {influence}, {attitude}): reach "
                    "through {path}."
                ).format(**about, path=path)
            )
        else:
            lines.append(
                _(
                    "{name} ({role}, influence {influence}, {attitude}): reach no "
                    "warm path yet."
                ).format(**about)
            )
    for person in _rows(situation, "voice", DETRACTORS_TABLE):
        role = person["buying_role"]
        lines.append(
            _(
                "{name} ({role}): hear why the score is {score} and agree what we fix."
            ).format(
                name=person["contact_name"],
                role=wording.role_words(role) if role else _("role unknown"),
                score=person["score"],
            )
        )
    for gap in _rows(situation, "voice", "Role conflicts beyond chance"):
        lines.append(
            _(
                "Role conflict beyond chance: {high_role} NPS {high_nps} "
                "({high_responses} answers) against {low_role} {low_nps} "
                "({low_responses}): hear what each needs and who resolves it."
            ).format(
                high_role=wording.role_words(gap["high_role"]),
                high_nps=f"{gap['high_nps']:+.0f}",
                high_responses=gap["high_responses"],
                low_role=wording.role_words(gap["low_role"]),
                low_nps=f"{gap['low_nps']:+.0f}",
                low_responses=gap["low_responses"],
            )
        )
    for need in _rows(situation, "voice", "Open requirement conflicts"):
        role_a, role_b = need["role_a"], need["role_b"]
        lines.append(
            _(
                "Requirement conflict: {role_a} needs “{need_a}”, {role_b} needs "
                "“{need_b}”; {owner} resolves it."
            ).format(
                role_a=wording.role_words(role_a) if role_a else _("a role"),
                need_a=need["need_a"],
                role_b=wording.role_words(role_b) if role_b else _("a role"),
                need_b=need["need_b"],
                owner=need["owner"],
            )
        )
    silent = heard.get("Roles nobody answered for")
    if silent not in (None, "none"):
        lines.append(
            _("Ask for NPS from the roles nobody answered for: {roles}.").format(
                roles=wording.role_list_words(str(silent))
            )
        )
    return lines


def _effort_guidance(spent: dict[str, Cell], value_segment: str) -> list[str]:
    # The plan follows the Effort page's verdicts: whom to involve is the service
    # model's (never a second, contradicting rule of thumb), and the hours follow
    # the investment verdict. A below-zero account fixes its economics first, so
    # no involvement that costs more is proposed for it.
    involve = str(spent.get("Who to involve") or "")
    if involve not in effort.INVOLVEMENT_GUIDANCE:
        return []
    lines = (
        []
        if value_segment == "below_zero"
        else [_(effort.INVOLVEMENT_GUIDANCE[involve])]
    )
    hours = {
        "hours": format_value(spent.get("Effort, last 12 months"), "h"),
        "low": format_value(spent.get("Hours its service model deserves, from"), "h"),
        "high": format_value(spent.get("Hours its service model deserves, up to"), "h"),
    }
    verdict = spent.get("Investment verdict")
    if verdict == "under_invested":
        lines.append(
            _(
                "Invest more time: {hours} a year against the {low}–{high} it deserves."
            ).format(**hours)
        )
    elif verdict == "over_invested":
        lines.append(
            _(
                "Spend less time: {hours} a year against the {low}–{high} it deserves."
            ).format(**hours)
        )
    return lines or [
        _("Keep the time within the {low}–{high} a year it deserves.").format(**hours)
    ]


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
#: partnership, six weeks otherwise (the partnership's cadence is tighter); the
#: successor of a key person who left within a month (the sponsor is missed at the
#: next decision, and whoever took over is forming views now).
ACTION_DUE_DAYS: dict[str, int] = {
    "detractor": 14,
    "dark decider": 30,
    "key person left": 30,
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
    sink a deal, deciders or approvers nobody touched in the window, and key
    people who left (whoever took over from them is met). A person
    with several findings gets one action that names them all. Owners by role
    (:data:`OWNER_ROLES`): the executive sponsor meets deciders and approvers, the
    service lead hears detractors, the account owner opens first conversations.
    Due dates count :data:`ACTION_DUE_DAYS` from ``today`` (default: the
    situation's as-of day), the most urgent finding deciding. Nothing is
    suggested without a finding. What to do reads in the language in force.
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
        first_conversation = (
            _("First conversation through {path}").format(path=path)
            if path and path != network.NO_WARM_PATH
            else _("First conversation (no warm path)")
        )
        senior = person["role"] in ("decider", "approver")
        add(
            wording.contact_label(person["name"], person["role"]),
            first_conversation,
            "executive sponsor" if senior else "account owner",
            ACTION_DUE_DAYS["reach partnership" if partnership else "reach"],
        )
    for person in _rows(situation, "voice", DETRACTORS_TABLE):
        add(
            wording.contact_label(person["contact_name"], person["buying_role"]),
            _("Hear why the score is {score}; agree what we fix").format(
                score=person["score"]
            ),
            "service lead",
            ACTION_DUE_DAYS["detractor"],
        )
    for risk in _rows(situation, "coverage", "Relationship risks"):
        if risk["risk"] in ("dark decider", "dark approver") and risk["name"]:
            role = str(risk["risk"]).removeprefix("dark ")
            add(
                wording.contact_label(risk["name"], role),
                _("Meet: nobody touched them in the window"),
                "executive sponsor",
                ACTION_DUE_DAYS["dark decider"],
            )
        elif risk["risk"] == "key person left" and risk["name"]:
            # named as written (no role: the risk's row gives none), so the
            # same person is known in every language
            add(
                str(risk["name"]),
                _("Find who took over from them, and meet them: they have left"),
                "executive sponsor",
                ACTION_DUE_DAYS["key person left"],
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
