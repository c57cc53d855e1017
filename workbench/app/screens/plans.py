"""The Account plans screen: the plan editor's widgets, versions and the leaders' overview."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import streamlit as st

from workbench import access, plans, terms
from workbench.app import plan_editor, reads, session
from workbench.app.components import (
    built_on_click,
    choice_column,
    preselect_linked_account,
    searched_account_picker,
    show_table,
)
from workbench.app.language import _
from workbench.app.screens.plans_overview import in_words, overview_config
from workbench.i18n import N_

if TYPE_CHECKING:
    from collections.abc import Callable


@dataclass(frozen=True)
class Opened:
    """The account whose plan is in the editor, and what waits to be said about it."""

    account_id: str
    current: plans.PlanVersion | None
    flash: tuple[str, str] | None
    conflict: dict[str, Any] | None


def may_plan() -> bool:
    """Return whether the current user may save plans."""
    return access.can(session.current_actor(), "plan")


def show_flash(flash: tuple[str, str]) -> None:
    """Show a message left by the last action: ``(kind, text)``."""
    {"success": st.success, "info": st.info}.get(flash[0], st.error)(flash[1])


def open_account(may_plan: bool) -> Opened:
    """Show the account picker and where its plan stands; load it into the editor."""
    actor = session.current_actor()
    labels = plan_editor.plan_account_labels()
    if not labels:
        st.info(_("There are no accounts yet. Import your CRM exports first."))
        st.stop()
    preselect_linked_account("plan_account", list(labels))
    # a search, then a picker of what it matches: not every account at each rerun
    account_id = searched_account_picker(
        labels,
        plan_editor.plan_account_matches,
        key="plan_account",
        search_key="plan_account_search",
    )
    if not may_plan:
        st.info(
            _(
                "You are signed in as **{role}**: you can read every plan and "
                "download it, but not save changes. Ask an analyst to edit."
            ).format(role=actor.role)
        )
    plan_editor.open_plan(account_id)
    state = st.session_state
    current = reads.plan_version(account_id)

    # Shown at the top and again beside the Save button, where the user is.
    flash = state.pop("plan_flash", None)
    if flash:
        show_flash(flash)

    if current is None:
        st.caption(_("No saved plan yet: this is a new draft."))
    else:
        st.caption(
            _(
                "Current version **{version}**, saved by **{who}** on {when} UTC. "
                "You are editing from version {based_on}."
            ).format(
                version=current.version,
                who=current.saved_by,
                when=f"{current.saved_at:%Y-%m-%d %H:%M}",
                based_on=state["plan_based_on"],
            )
        )

    conflict = plan_editor.plan_conflict(account_id)
    if (
        conflict is None
        and current is not None
        and current.version != state["plan_based_on"]
    ):
        st.warning(
            _(
                "{who} saved version {version} on {when} UTC since you opened this "
                "plan. Saving now would be refused; load it, or save to compare both "
                "side by side."
            ).format(
                who=current.saved_by,
                version=current.version,
                when=f"{current.saved_at:%Y-%m-%d %H:%M}",
            )
        )
        st.button(
            _("Load version {version} (drops my unsaved changes)").format(
                version=current.version
            ),
            key="plan_load_newer",
            on_click=plan_editor.discard_and_reload_plan,
        )
    if conflict is not None:
        st.error(
            conflict["message"]
            + " "
            + _("Both texts are side by side below the Save button.")
        )
    return Opened(account_id, current, flash, conflict)


def sections(account_id: str, may_plan: bool) -> None:
    """Show the situation, the plan's text sections and its value proposition."""
    state = st.session_state
    st.subheader(_("Situation"))
    if st.button(
        _("Refresh the situation"),
        key="plan_refresh_situation",
        help=_(
            "Recompute from the data now; the new situation is kept with the next save."
        ),
    ):
        plan_editor.refresh_plan_situation(account_id)
    plan_editor.show_plan_situation(state.get("plan_situation"))

    st.subheader(_("The plan"))
    st.button(
        _("Draft empty sections from the situation"),
        key="plan_draft_sections",
        on_click=plan_editor.draft_empty_plan_sections,
        disabled=not may_plan,
        help=_(
            "Writes only what the analytics found; sections with text stay as they are."
        ),
    )

    for field_name, title in plans.SECTION_TITLES.items():
        st.text_area(
            _(title),
            key=plan_editor.PLAN_TEXT_KEYS[field_name],
            height=120,
            max_chars=plans.MAX_SECTION_CHARS,
            disabled=not may_plan,
        )

    st.subheader(_("Value proposition"))
    st.selectbox(
        _("Relationship"),
        options=("", *plans.RELATIONSHIPS),
        format_func=lambda value: (
            terms.relationship(value) if value else _("not decided")
        ),
        key="plan_relationship",
        disabled=not may_plan,
    )
    relationship = state.get("plan_relationship") or None
    if relationship:
        st.caption(_(plans.RELATIONSHIP_GUIDANCE[relationship]))
    chosen = list(state.get("plan_value_services") or [])
    checklist = plans.value_services_for(relationship)
    st.multiselect(
        _("Services we offer"),
        options=[*checklist, *(s for s in chosen if s not in checklist)],
        # stored as written in English (one spelling in every language); a
        # service typed in by hand is not in the catalogue and shows as typed
        format_func=lambda service: _(service) if service else service,
        key="plan_value_services",
        placeholder=_("Choose options"),
        disabled=not may_plan,
        help=_(
            "Transactional accounts get the should-have services; partnerships get "
            "services that add value to the relationship."
        ),
    )
    st.text_area(
        _("Value proposition notes"),
        key=plan_editor.PLAN_TEXT_KEYS["value_notes"],
        height=80,
        max_chars=plans.MAX_SECTION_CHARS,
        disabled=not may_plan,
    )


def tables(account_id: str, may_plan: bool) -> tuple[Any, Any, Any]:
    """Show the objectives, actions and risks editors; return what they hold."""
    state = st.session_state
    base: plans.Plan = state["plan_base"]
    people = reads.plan_people_choices(account_id)
    text = st.column_config.TextColumn
    editors = {
        "objectives": (
            _("Objectives"),
            plans.objectives_frame(base),
            {
                "objective": text(_("Objective"), required=True),
                "measure": text(_("Measure")),
                "target": text(_("Target")),
                **_due_and_status(plans.OBJECTIVE_STATUSES),
            },
        ),
        "actions": (
            _("Actions"),
            plans.actions_frame(base),
            {
                # stored as "Name (decider)" in every language, shown in the page's
                "contact": choice_column(
                    _("Contact"),
                    [*people["contacts"], *(a.contact for a in base.actions)],
                    plans.contact_words,
                    required=True,
                ),
                "action": text(_("Action"), required=True),
                "owner": choice_column(
                    _("Owner"),
                    [*people["sellers"], *(a.owner for a in base.actions if a.owner)],
                ),
                **_due_and_status(plans.ACTION_STATUSES),
            },
        ),
        "risks": (
            _("Risks"),
            plans.risks_frame(base),
            {
                "risk": text(_("Risk"), required=True),
                "risk_date": st.column_config.DateColumn(
                    _("Date (renewal, re-tender)")
                ),
                "severity": choice_column(
                    _("Severity"),
                    plans.RISK_SEVERITIES,
                    terms.severity,
                    default="medium",
                ),
            },
        ),
    }
    edited = []
    for part, (title, frame, columns) in editors.items():
        st.subheader(title)
        edited.append(_editor(frame, part, may_plan, columns))
    objectives, actions, risks = edited
    return objectives, actions, risks


def _due_and_status(statuses: tuple[str, ...]) -> dict[str, Any]:
    """Return the due-date and status columns of objectives and actions."""
    return {
        "due_on": st.column_config.DateColumn(_("Due")),
        "status": choice_column(_("Status"), statuses, terms.status, default="open"),
    }


def _editor(
    frame: Any, part: str, may_plan: bool, column_config: dict[str, Any]
) -> Any:
    """Return one part of the plan (objectives, actions, risks) as an editable table."""
    return st.data_editor(
        plan_editor.editor_frame(frame),
        key=plan_editor.plan_editor_key(part),
        num_rows="dynamic",
        disabled=not may_plan,
        hide_index=True,
        width="stretch",
        column_config=column_config,
    )


def save_bar(opened: Opened, edited: tuple[Any, Any, Any], may_plan: bool) -> None:
    """Show the suggest, status and save controls (and the message of the last save)."""
    account_id, flash = opened.account_id, opened.flash
    objectives, actions, risks = edited
    if st.button(
        _("Add suggested actions"),
        key="plan_suggest_actions",
        disabled=not may_plan,
        help=_(
            "Whom to reach next, detractors to hear and deciders nobody met, from the "
            "situation, with owners by role and due dates; your unsaved edits stay."
        ),
    ):
        plan_editor.add_suggested_plan_actions(account_id, objectives, actions, risks)
    status_col, save_col = st.columns([2, 1])
    status_col.selectbox(
        _("Plan status"),
        options=plans.PLAN_STATUSES,
        format_func=terms.status,
        key="plan_status",
        disabled=not may_plan,
    )
    if save_col.button(
        _("Save as a new version"),
        key="plan_save",
        type="primary",
        disabled=not may_plan,
    ):
        plan_editor.save_plan_from_editor(
            plan_editor.plan_from_editor(account_id, objectives, actions, risks)
        )
        st.rerun()
    if flash and flash[0] != "info":
        show_flash(flash)


def conflict_view(account_id: str, conflict: dict[str, Any] | None) -> None:
    """Show a refused save's text beside the version saved meanwhile, to merge."""
    if conflict is not None:
        st.error(conflict["message"])
        theirs = reads.plan_version(account_id, conflict["current_version"])
        mine: plans.Plan = conflict["mine"]
        version = conflict["current_version"]
        st.markdown(
            "**"
            + _("Left: your text (not saved)")
            + "** · **"
            + _("right: version {version} as saved").format(version=version)
            + "**"
        )
        empty = _("(empty)")
        for field_name, title in [
            *plans.SECTION_TITLES.items(),
            ("value_notes", N_("Value proposition notes")),
        ]:
            st.markdown(f"*{_(title)}*")
            left, right = st.columns(2)
            left.code(
                getattr(mine, field_name) or empty, language=None, wrap_lines=True
            )
            right.code(
                (getattr(theirs.plan, field_name) if theirs else "") or empty,
                language=None,
                wrap_lines=True,
            )
        left, right = st.columns(2)
        left.markdown("*" + _("Your actions") + "*")
        left.dataframe(
            plans.actions_frame(mine), hide_index=True, key="plan_conflict_mine"
        )
        right.markdown(
            "*" + _("Actions in version {version}").format(version=version) + "*"
        )
        if theirs:
            right.dataframe(
                plans.actions_frame(theirs.plan),
                hide_index=True,
                key="plan_conflict_theirs",
            )
        keep, discard = st.columns(2)
        keep.button(
            f"Keep my text and build on version {conflict['current_version']}",
            key="plan_conflict_keep",
            on_click=plan_editor.build_on_current_version,
            help="Merge by hand in the editor below, then save again.",
        )
        discard.button(
            f"Discard my text and load version {conflict['current_version']}",
            key="plan_conflict_discard",
            on_click=plan_editor.discard_and_reload_plan,
        )


#: The media type of each kind of plan download.
DOWNLOAD_TYPES = {"md": "text/markdown", "html": "text/html", "csv": "text/csv"}


def versions(
    account_id: str, current: plans.PlanVersion | None, may_plan: bool
) -> None:
    """Show the plan's versions, restore an older one, and download one."""
    st.subheader(_("Versions and downloads"))
    history = reads.plan_history(account_id)
    if current is None:
        st.caption(_("Save the plan to keep versions and download it."))
    else:
        show_table(
            in_words(history),
            key="plan_history_table",
            column_config=overview_config(reads.portfolio_currency()),
        )
        shown = st.selectbox(
            _("Show version"),
            options=history["version"].to_list(),
            key="plan_view_version",
        )
        viewed = reads.plan_version(account_id, shown) or current
        if viewed.version != current.version and st.button(
            _("Make version {version} current again").format(version=viewed.version),
            key="plan_restore_version",
            disabled=not may_plan,
            help=_(
                "Saves its content as a new version; every version stays in the "
                "history."
            ),
        ):
            plan_editor.restore_plan_version(
                account_id, viewed.version, current.version
            )
        file_stem = f"plan-{account_id}-v{viewed.version}"
        summary_col, md_col, html_col, csv_col = st.columns(4)
        summary_col.download_button(
            _("One-page summary for leaders"),
            built_on_click(
                plans.plan_summary_html, viewed.plan, viewed, reads.portfolio_currency()
            ),
            file_name=f"{file_stem}-summary.html",
            mime="text/html",
            key="plan_download_summary",
            on_click="ignore",
            type="primary",
            help=_(
                "A printable page: key figures, objectives, next actions, risks "
                "and coverage gaps."
            ),
        )
        # the printable page is shown below too; the others are built only when
        # clicked (in a thread of their own, so nothing in them reads the session)
        printable = plans.plan_to_html(viewed.plan, viewed, reads.portfolio_currency())
        downloads: tuple[tuple[str, str | Callable[[], str | bytes], str, str], ...] = (
            (
                _("Markdown"),
                built_on_click(
                    plans.plan_to_markdown,
                    viewed.plan,
                    viewed,
                    reads.portfolio_currency(),
                ),
                ".md",
                "md",
            ),
            (_("Printable page (HTML)"), printable, ".html", "html"),
            (
                _("Actions (CSV)"),
                built_on_click(plans.actions_csv, viewed.plan),
                "-actions.csv",
                "csv",
            ),
        )
        for column, (label, data, ending, kind) in zip(
            (md_col, html_col, csv_col), downloads, strict=True
        ):
            column.download_button(
                label,
                data,
                file_name=f"{file_stem}{ending}",
                mime=DOWNLOAD_TYPES[kind],
                key=f"plan_download_{kind}",
                on_click="ignore",
            )
        # The printable page itself: every text in it is escaped and it has no script.
        st.iframe(printable, height="content")
