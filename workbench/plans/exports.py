"""A plan as Markdown, HTML and its actions as CSV (through :mod:`workbench.exports`).

Headings, fixed phrases, column headers and vocabulary values (statuses, the
relationship type, the value-proposition checklist) read in the language in force:
the app's session language, or the command line's ``--lang``/``LANG``. So does the
situation appendix's wording (its titles, labels, notes, column headers and codes,
through :mod:`workbench.plans.wording`). What people wrote and the situation's
figures are shown as they are; dates stay ISO (one unambiguous form in every
language).
"""

from __future__ import annotations

import html

import polars as pl

from workbench import exports, terms
from workbench.i18n import N_, current_language
from workbench.i18n import gettext as _
from workbench.plans import wording
from workbench.plans.lines import (
    actions_frame,
)
from workbench.plans.model import (
    RELATIONSHIP_GUIDANCE,
    SECTION_TITLES,
    Cell,
    Plan,
    PlanVersion,
    Situation,
    SituationTable,
    _iso,
    format_value,
    value_services_for,
)


def _heading(plan: Plan, meta: PlanVersion | None) -> tuple[str, str]:
    title = _("Account plan: {name} ({account_id})").format(
        name=plan.account_name or plan.account_id, account_id=plan.account_id
    )
    if meta is None:
        saved = _("Unsaved draft · status {status}").format(
            status=terms.status(plan.status)
        )
    else:
        saved = _(
            "Version {version} · saved by {who} on {when} UTC · status {status}"
        ).format(
            version=meta.version,
            who=meta.saved_by,
            when=f"{meta.saved_at:%Y-%m-%d %H:%M}",
            status=terms.status(plan.status),
        )
    return title, saved


def _situation_heading(situation: Situation) -> str:
    return _("Situation as of {day} (computed {when} UTC)").format(
        day=situation.as_of.isoformat(),
        when=f"{situation.computed_at:%Y-%m-%d %H:%M}",
    )


def _line_rows(plan: Plan) -> list[tuple[str, list[str], list[list[Cell]]]]:
    objectives: list[list[Cell]] = [
        [o.objective, o.measure, o.target, _iso(o.due_on), terms.status(o.status)]
        for o in plan.objectives
    ]
    actions: list[list[Cell]] = [
        [
            wording.contact_words(a.contact),
            a.action,
            a.owner,
            _iso(a.due_on),
            terms.status(a.status),
        ]
        for a in plan.actions
    ]
    risks: list[list[Cell]] = [
        [r.risk, _iso(r.risk_date), terms.severity(r.severity)] for r in plan.risks
    ]
    return [
        (
            _("Objectives"),
            [_("Objective"), _("Measure"), _("Target"), _("Due"), _("Status")],
            objectives,
        ),
        (
            _("Actions"),
            [_("Contact"), _("Action"), _("Owner"), _("Due"), _("Status")],
            actions,
        ),
        (_("Risks"), [_("Risk"), _("Date"), _("Severity")], risks),
    ]


def _md_text(text: str) -> str:
    # Escaping <, > and & keeps any HTML in the text inert wherever the Markdown is
    # rendered, while the author's own Markdown (lists, emphasis) still works.
    # Images are the one Markdown construct that fetches by itself when rendered
    # (a tracking pixel); "!\\[" shows the text instead.
    # Links to javascript:, data: and the like lose their target (see
    # exports.defuse_links): Markdown renderers follow them when clicked.
    return html.escape(exports.defuse_links(text), quote=False).replace("![", "!\\[")


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


def plan_to_markdown(
    plan: Plan, meta: PlanVersion | None = None, currency: str | None = None
) -> str:
    """Return the plan as a Markdown document; any HTML in its text stays inert.

    The plan comes first (objectives, strategy and value proposition, actions,
    risks); the situation it was written from follows as an appendix, its money
    in ``currency`` (the portfolio's ISO code) where given.
    """
    title, saved = _heading(plan, meta)
    out = [f"# {_md_text(title)}", "", f"_{_md_text(saved)}_", ""]
    objectives, actions, risks = _line_rows(plan)
    out += _md_lines(*objectives)
    for name, heading in SECTION_TITLES.items():
        text = getattr(plan, name).strip()
        empty = "_" + _("(empty)") + "_"
        out += [f"## {_(heading)}", "", _md_text(text) if text else empty, ""]
    out += _md_value_proposition(plan)
    out += _md_lines(*actions)
    out += _md_lines(*risks)
    out += _md_situation(plan, currency)
    return "\n".join(out)


def _md_lines(heading: str, columns: list[str], rows: list[list[Cell]]) -> list[str]:
    return [
        f"## {heading}",
        "",
        *(_md_table(columns, rows) if rows else ["_" + _("None.") + "_"]),
        "",
    ]


def _md_value_proposition(plan: Plan) -> list[str]:
    out = ["## " + _("Value proposition"), ""]
    if plan.relationship:
        out += [
            _("Relationship: **{relationship}**. {guidance}").format(
                relationship=terms.relationship(plan.relationship),
                guidance=_(RELATIONSHIP_GUIDANCE[plan.relationship]),
            ),
            "",
        ]
    else:
        out += [_("Relationship: _not decided_."), ""]
    checklist = value_services_for(plan.relationship)
    chosen = set(plan.value_services)
    out += [
        f"- [{'x' if service in chosen else ' '}] {_md_text(_(service))}"
        for service in (
            *checklist,
            *(s for s in plan.value_services if s not in checklist),
        )
    ]
    out.append("")
    if plan.value_notes.strip():
        out += [_md_text(plan.value_notes.strip()), ""]
    return out


def _md_situation(plan: Plan, currency: str | None) -> list[str]:
    if plan.situation is None:
        return [
            "## " + _("Appendix: situation"),
            "",
            "_" + _("Not computed yet.") + "_",
            "",
        ]
    heading = _("Appendix: {situation}").format(
        situation=_situation_heading(plan.situation)
    )
    out = [f"## {heading}", ""]
    for part in plan.situation.parts:
        out += [f"### {_md_text(wording.part_title(part))}", ""]
        if part.status != "ready":
            out += [
                f"_{wording.part_status(part.status)}: {_md_text(wording.part_note(part))}_",
                "",
            ]
            continue
        if part.note:
            out += [_md_text(wording.part_note(part)), ""]
        out += [
            f"- **{_md_text(wording.fact_label(f))}**: {_md_text(wording.fact_text(f, currency))}"
            for f in part.facts
        ]
        out.append("")
        for table in part.tables:
            out += [f"**{_md_text(wording.table_title(table))}**", ""]
            out += [*_md_table(_headers(table), wording.table_rows(table)), ""]
    return out


def _headers(table: SituationTable) -> list[str]:
    return [wording.column_words(column) for column in table.columns]


_HTML_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC",
       "Microsoft YaHei", "Noto Sans CJK SC", "PingFang TC", "Microsoft JhengHei",
       "Noto Sans CJK TC", sans-serif; color: #1f2328; max-width: 60rem;
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


def plan_to_html(
    plan: Plan, meta: PlanVersion | None = None, currency: str | None = None
) -> str:
    """Return the plan as one self-contained, printable HTML page.

    Styles are inline, nothing loads from elsewhere, and every piece of text from
    the plan or the data is HTML-escaped, so hostile text shows as text. The plan
    comes first; the situation follows as an appendix.
    """
    e = html.escape
    title, saved = _heading(plan, meta)
    body = [f"<h1>{e(title)}</h1>", f'<p class="meta">{e(saved)}</p>']
    objectives, actions, risks = _line_rows(plan)
    body += _html_lines(*objectives)
    for name, heading in SECTION_TITLES.items():
        text = getattr(plan, name).strip()
        body.append(f"<h2>{e(_(heading))}</h2>")
        body.append(
            f'<div class="text">{e(text)}</div>'
            if text
            else ('<p class="pending">' + e(_("(empty)")) + "</p>")
        )
    body += _html_value_proposition(plan)
    body += _html_lines(*actions)
    body += _html_lines(*risks)
    body += _html_situation(plan, currency)
    return (
        f'<!DOCTYPE html>\n<html lang="{current_language()}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{_HTML_STYLE}</style>\n</head>\n"
        "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def _html_lines(heading: str, columns: list[str], rows: list[list[Cell]]) -> list[str]:
    table = (
        _html_table(columns, rows)
        if rows
        else ('<p class="pending">' + html.escape(_("None.")) + "</p>")
    )
    return [f"<h2>{html.escape(heading)}</h2>", table]


def _html_value_proposition(plan: Plan) -> list[str]:
    e = html.escape
    body = ["<h2>" + e(_("Value proposition")) + "</h2>"]
    if plan.relationship:
        body.append(
            "<p>"
            + e(_("Relationship: {relationship}.")).format(
                relationship=f"<strong>{e(terms.relationship(plan.relationship))}"
                "</strong>"
            )
            + f" {e(_(RELATIONSHIP_GUIDANCE[plan.relationship]))}</p>"
        )
    else:
        body.append("<p>" + e(_("Relationship: not decided.")) + "</p>")
    checklist = value_services_for(plan.relationship)
    chosen = set(plan.value_services)
    items = "".join(
        f"<li>{'☑' if s in chosen else '☐'} {e(_(s))}</li>"
        for s in (*checklist, *(s for s in plan.value_services if s not in checklist))
    )
    body.append(f'<ul class="checklist">{items}</ul>')
    if plan.value_notes.strip():
        body.append(f'<div class="text">{e(plan.value_notes.strip())}</div>')
    return body


def _html_situation(plan: Plan, currency: str | None) -> list[str]:
    e = html.escape
    if plan.situation is None:
        return [
            "<h2>"
            + e(_("Appendix: situation"))
            + '</h2><p class="pending">'
            + e(_("Not computed yet."))
            + "</p>"
        ]
    heading = _("Appendix: {situation}").format(
        situation=_situation_heading(plan.situation)
    )
    body = [f"<h2>{e(heading)}</h2>"]
    for part in plan.situation.parts:
        body.append(f"<h3>{e(wording.part_title(part))}</h3>")
        note = wording.part_note(part)
        if part.status != "ready":
            body.append(
                f'<p class="pending">{e(wording.part_status(part.status))}: {e(note)}</p>'
            )
            continue
        if note:
            body.append(f'<p class="note">{e(note)}</p>')
        facts = "".join(
            f"<dt>{e(wording.fact_label(f))}</dt><dd>{e(wording.fact_text(f, currency))}</dd>"
            for f in part.facts
        )
        body.append(f'<dl class="facts">{facts}</dl>')
        for table in part.tables:
            body.append(f"<p><strong>{e(wording.table_title(table))}</strong></p>")
            body.append(_html_table(_headers(table), wording.table_rows(table)))
    return body


#: The actions CSV's headers as people read them (the English ones are the codes).
ACTION_HEADERS = {
    "account_id": N_("account_id"),
    "account": N_("account"),
    "contact": N_("contact"),
    "action": N_("action"),
    "owner": N_("owner"),
    "due_on": N_("due_on"),
    "status": N_("status"),
}


def actions_csv(plan: Plan) -> bytes:
    """Return the plan's actions as spreadsheet-safe CSV (formulas neutralised).

    English files keep the column codes (``account_id``, ``due_on``); in Chinese the
    headers, the status and the contacts' buying roles read in the language, for a
    person opening the file.
    """
    frame = actions_frame(plan).select(
        pl.lit(plan.account_id).alias("account_id"),
        pl.lit(plan.account_name).alias("account"),
        pl.all(),
    )
    if current_language() != "en":
        frame = frame.with_columns(
            pl.col("status").replace(
                {code: terms.status(code) for code in terms.STATUSES}
            ),
            pl.Series(
                "contact",
                [wording.contact_words(c) for c in frame["contact"]],
                dtype=pl.String,
            ),
        ).rename({c: _(h) for c, h in ACTION_HEADERS.items() if c in frame.columns})
    return exports.to_csv_bytes(frame)
