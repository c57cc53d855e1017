"""The leaders' one-page summary of a plan: printable HTML, everything escaped.

A leader reads one page: where the account stands (segment, relationship, money
with its currency, coverage, NPS), what the plan will achieve (objectives), who
does what by when (the open actions, soonest first), what could go wrong (risks,
the highest first) and where we are blind (deciding roles we do not cover). The
page has print CSS for A4 and US Letter, loads nothing from elsewhere and runs no
script; every text from the plan or the data is HTML-escaped.
"""

from __future__ import annotations

import html
from datetime import date

from workbench import terms
from workbench.i18n import N_, current_language, format_day, gettext
from workbench.plans.model import Plan, PlanVersion, Situation
from workbench.plans.wording import (
    code_words,
    contact_words,
    fact_text,
    status_words,
)

#: At most this many lines per list: the summary must fit on one page.
MAX_OBJECTIVES = 5
MAX_ACTIONS = 8
MAX_RISKS = 5
#: Figures the summary shows, by situation part and fact label, in this order.
KEY_FIGURES: tuple[tuple[str, str], ...] = (
    ("segment", N_("Value segment")),
    ("segment", N_("Relationship type")),
    ("crm", N_("Won revenue, last 12 months")),
    ("segment", N_("Contribution")),
    ("crm", N_("Open pipeline")),
    ("coverage", N_("People we touched")),
    ("voice", N_("NPS, all roles")),
    ("voice", N_("Answers")),
)
_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}

_STYLE = """
@page { size: A4; margin: 14mm; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans',
  'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif;
  color: #1a1a1a; font-size: 10.5pt; line-height: 1.35; margin: 0 auto;
  max-width: 190mm; padding: 8mm; }
h1 { font-size: 16pt; margin: 0 0 2pt; }
h2 { font-size: 11.5pt; margin: 10pt 0 3pt; border-bottom: 1px solid #ccc; }
.meta { color: #555; margin: 0 0 6pt; }
.draft { color: #b00020; font-weight: 700; }
.figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 4pt 10pt;
  margin: 6pt 0; }
.figure { border: 1px solid #ddd; border-radius: 4pt; padding: 3pt 6pt; }
.figure .label { color: #555; font-size: 8.5pt; }
.figure .value { font-weight: 700; font-size: 11pt; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 2pt 4pt; border-bottom: 1px solid #e3e3e3;
  vertical-align: top; }
th { font-size: 9pt; color: #444; }
.none { color: #777; font-style: italic; }
.gaps li { margin: 0; }
@media print { body { padding: 0; } h2 { break-after: avoid; }
  tr { break-inside: avoid; } }
"""


def _figures(
    situation: Situation | None, currency: str | None
) -> list[tuple[str, str]]:
    if situation is None:
        return []
    shown = []
    for key, label in KEY_FIGURES:
        part = situation.part(key)
        if part is None or part.status != "ready":
            continue
        fact = next((f for f in part.facts if f.label == label), None)
        if fact is not None and fact.value not in (None, ""):
            shown.append((gettext(label), fact_text(fact, currency)))
    return shown


def coverage_gaps(situation: Situation | None) -> list[str]:
    """Return the deciding roles we do not fully cover, as sentences."""
    if situation is None:
        return []
    part = situation.part("coverage")
    if part is None or part.status != "ready":
        return []
    table = next((t for t in part.tables if t.title == "Coverage by buying role"), None)
    if table is None:
        return []
    gaps = []
    for row in table.rows:
        cells = dict(zip(table.columns, row, strict=True))
        role, present, engaged = cells["role"], cells["present"], cells["engaged"]
        if role not in ("decider", "approver", "buyer", "influencer"):
            continue
        if not present:
            gaps.append(
                gettext("{role}: nobody known").format(role=terms.buying_role(role))
            )
        elif (
            isinstance(engaged, int) and isinstance(present, int) and engaged < present
        ):
            gaps.append(
                gettext("{role}: {engaged} of {present} covered").format(
                    role=terms.buying_role(role), engaged=engaged, present=present
                )
            )
    return gaps


def _table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    e = html.escape
    if not rows:
        return f'<p class="none">{e(empty)}</p>'
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _day(day: date | None) -> str:
    return format_day(day) if day else "–"


def plan_summary_html(
    plan: Plan, meta: PlanVersion | None = None, currency: str | None = None
) -> str:
    """Return the plan's one-page summary for leaders as printable HTML.

    Args:
        plan: the plan (a saved version's, or a draft).
        meta: the saved version, or None for a draft (the page says so).
        currency: the portfolio's ISO currency code for money figures.
    """
    e = html.escape
    name = plan.account_name or plan.account_id
    title = gettext("Plan summary: {account}").format(account=name)
    if meta is None:
        saved = '<span class="draft">' + e(gettext("Draft, not saved")) + "</span>"
    else:
        saved = e(
            gettext("Version {version}, saved by {who} on {day} · {status}").format(
                version=meta.version,
                who=meta.saved_by,
                day=format_day(meta.saved_at.date()),
                status=status_words(plan.status),
            )
        )
    as_of = (
        " · "
        + e(gettext("data as of {day}").format(day=format_day(plan.situation.as_of)))
        if plan.situation
        else ""
    )
    body = [f"<h1>{e(title)}</h1>", f'<p class="meta">{saved}{as_of}</p>']
    figures = _figures(plan.situation, currency)
    if figures:
        body.append('<div class="figures">')
        body += [
            f'<div class="figure"><div class="label">{e(label)}</div>'
            f'<div class="value">{e(str(value))}</div></div>'
            for label, value in figures
        ]
        body.append("</div>")
    proposed = dict(figures).get(gettext("Relationship type"))
    if plan.relationship and code_words(plan.relationship) != proposed:
        # the workshop chose another relationship than the analytics proposed
        body.append(
            "<p>"
            + e(
                gettext("Relationship: {kind}").format(
                    kind=code_words(plan.relationship)
                )
            )
            + "</p>"
        )
    body += _lines(plan)
    gaps = coverage_gaps(plan.situation)
    body.append(f"<h2>{e(gettext('Where we are blind'))}</h2>")
    if gaps:
        body.append(
            '<ul class="gaps">' + "".join(f"<li>{e(g)}</li>" for g in gaps) + "</ul>"
        )
    else:
        none = (
            gettext("Every deciding role is covered.")
            if plan.situation
            else gettext("No situation was computed, so the gaps are not known.")
        )
        body.append(f'<p class="none">{e(none)}</p>')
    return (
        f'<!DOCTYPE html>\n<html lang="{current_language()}">\n<head>\n'
        '<meta charset="utf-8">\n'
        f"<title>{e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _lines(plan: Plan) -> list[str]:
    # objectives, the open actions soonest first, the risks highest first
    e = html.escape
    objectives = [
        [o.objective, o.target, _day(o.due_on), status_words(o.status)]
        for o in plan.objectives[:MAX_OBJECTIVES]
    ]
    open_actions = sorted(
        (a for a in plan.actions if a.status in ("open", "in_progress")),
        key=lambda a: (a.due_on or date.max, a.contact),
    )
    actions = [
        [contact_words(a.contact), a.action, a.owner or "–", _day(a.due_on)]
        for a in open_actions[:MAX_ACTIONS]
    ]
    risks = [
        [r.risk, status_words(r.severity), _day(r.risk_date)]
        for r in sorted(plan.risks, key=lambda r: _SEVERITY_ORDER.get(r.severity, 3))[
            :MAX_RISKS
        ]
    ]
    more = len(open_actions) - len(actions)
    parts = [
        f"<h2>{e(gettext('Objectives'))}</h2>",
        _table(
            [
                gettext("Objective"),
                gettext("Target"),
                gettext("Due"),
                gettext("Status"),
            ],
            objectives,
            gettext("No objective written yet."),
        ),
        f"<h2>{e(gettext('Next actions'))}</h2>",
        _table(
            [gettext("Person"), gettext("Action"), gettext("Owner"), gettext("Due")],
            actions,
            gettext("No open action."),
        ),
    ]
    if more > 0:
        parts.append(
            '<p class="none">'
            + e(gettext("…and {n} more in the full plan.").format(n=more))
            + "</p>"
        )
    parts += [
        f"<h2>{e(gettext('Risks'))}</h2>",
        _table(
            [gettext("Risk"), gettext("Severity"), gettext("Date")],
            risks,
            gettext("No risk recorded."),
        ),
    ]
    return parts
