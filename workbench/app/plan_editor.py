"""The plan editor's controller: what the Account plans page's widgets hold.

The editor keeps one plan in ``st.session_state`` (its text widgets, the tables'
starting point, the version it is based on) and saves through the Workbench as
the current user; a refused save waits in ``plan_conflict`` to be merged.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl
import streamlit as st

from workbench import plans
from workbench.analytics import segment
from workbench.analytics.sentences import list_separator
from workbench.api import AccountPlan
from workbench.app import reads, session
from workbench.app.cached import cached
from workbench.app.components import (
    arrow_table,
    notify_after_rerun,
    opened_expander,
    show_table,
)
from workbench.app.language import _, restore_language
from workbench.errors import WorkbenchError
from workbench.i18n import current_language

if TYPE_CHECKING:
    import pyarrow as pa

#: The situation's parts open when an account is opened; the others are built
#: when opened.
SITUATION_PARTS_OPEN: tuple[str, ...] = ("crm", "segment")
#: Each situation part's expander is kept open or closed under this prefix and
#: the part's key.
SITUATION_PART_KEY = "plan_situation_open_"

#: Editor widgets holding the plan's text, by plan field.
PLAN_TEXT_KEYS: dict[str, str] = {
    "identify": "plan_identify",
    "differentiate": "plan_differentiate",
    "interact": "plan_interact",
    "customise": "plan_customise",
    "value_notes": "plan_value_notes",
}


@cached(share=True, max_entries=4)
def plan_account_labels() -> dict[str, str]:
    """Return a label per account ID for the account picker: name and ID.

    The labels stay the same when plans are saved: the picker keeps showing the
    label it first rendered, so a version number in it would go stale. Built once
    per data version (10,000 labels took about 15 ms at every visit).
    """
    accounts = reads.plan_accounts()
    labels = accounts.select(
        "account_id",
        (
            pl.col("name").fill_null("(no name)") + pl.lit(" · ") + pl.col("account_id")
        ).alias("label"),
    )
    return dict(zip(labels["account_id"], labels["label"], strict=True))


#: Accounts the plan picker lists at a time; a search finds the others.
PICKER_ACCOUNTS = 200


@cached(max_entries=16, share=True)
def plan_account_matches(query: str) -> tuple[tuple[str, ...], int]:
    """Return the accounts a search names for the plan picker, and how many match.

    By name or ID, in the picker's order (by name), at most
    :data:`PICKER_ACCOUNTS` (see :func:`~workbench.analytics.segment.matching_accounts`).
    """
    return segment.matching_accounts(reads.plan_accounts(), query, PICKER_ACCOUNTS)


@cached(share=True, max_entries=4)
def _account_names() -> dict[str, str | None]:
    # every account's name (None: no name), once per data version
    accounts = reads.plan_accounts()
    return dict(zip(accounts["account_id"], accounts["name"], strict=True))


def open_plan(account_id: str) -> None:
    """Load the account's current plan into the editor when the account changes.

    Also reloads after a save or when asked (``plan_reload``). The editor remembers
    the version it started from in ``plan_based_on``; saves send it along.
    """
    state = st.session_state
    changed = state.get("plan_loaded_account") != account_id
    if not changed and not state.pop("plan_reload", False):
        return
    current = reads.plan_version(account_id)
    if current is None:
        # from the accounts already read for the picker: asking the database
        # opened it for this one name at every visit (about 50 ms)
        name = _account_names().get(account_id) or account_id
        plan = plans.new_plan(account_id, name, reads.plan_situation(account_id))
    else:
        plan = current.plan
    for field_name, key in PLAN_TEXT_KEYS.items():
        state[key] = getattr(plan, field_name)
    state["plan_status"] = plan.status
    state["plan_relationship"] = plan.relationship or ""
    state["plan_value_services"] = list(plan.value_services)
    state["plan_base"] = plan
    state["plan_situation"] = plan.situation
    state["plan_based_on"] = current.version if current else 0
    state["plan_loaded_account"] = account_id
    # New editor keys: the tables' pending edits belong to the plan just replaced.
    state["plan_editor_nonce"] = int(state.get("plan_editor_nonce", 0)) + 1
    if changed:
        state.pop("plan_conflict", None)


def plan_editor_key(table: str) -> str:
    """Return the widget key of one of the plan's table editors (objectives, …)."""
    return f"plan_{table}_{st.session_state.get('plan_editor_nonce', 0)}"


def refresh_plan_situation(account_id: str) -> None:
    """Recompute the situation from today's data into the editor (saved with the plan)."""
    refreshed = int(st.session_state.get("plan_situation_refreshed", 0)) + 1
    st.session_state["plan_situation_refreshed"] = refreshed
    st.session_state["plan_situation"] = reads.plan_situation(account_id, refreshed)


def editor_frame(frame: pl.DataFrame) -> Any:
    """Return a part of the plan as the pandas frame the table editor works on.

    ``st.data_editor`` turns a polars frame into pandas at every rerun, and the
    edits back into polars: half of what the page's three editors cost a run
    (4.0 against 2.0 ms), and about a third of the page's time with twenty
    sessions at once. Given pandas, it copies it. A frame of the same content
    is made once per process and shared (the editor edits its copy); the
    edits come back as pandas, read by :func:`plan_from_editor`.
    """
    schema = tuple(frame.schema.items())
    rows = tuple(frame.iter_rows())
    try:
        return _pandas_of(schema, rows)
    except TypeError:  # a value that cannot be a key: made, not kept
        return frame.to_pandas()


@functools.lru_cache(maxsize=256)
def _pandas_of(
    schema: tuple[tuple[str, pl.DataType], ...], rows: tuple[tuple[Any, ...], ...]
) -> Any:
    # a pandas frame (pandas has no type information installed here)
    return pl.DataFrame(list(rows), schema=dict(schema), orient="row").to_pandas()


def _as_polars(frame: Any) -> pl.DataFrame:
    # st.data_editor hands back the type it was given; accept pandas too.
    return frame if isinstance(frame, pl.DataFrame) else pl.from_pandas(frame)


def plan_from_editor(
    account_id: str, objectives: Any, actions: Any, risks: Any
) -> plans.Plan:
    """Return the plan as the editor's widgets hold it now."""
    state = st.session_state
    base: plans.Plan = state["plan_base"]
    return plans.Plan(
        account_id=account_id,
        account_name=base.account_name,
        status=str(state.get("plan_status") or "draft"),
        situation=state.get("plan_situation"),
        relationship=state.get("plan_relationship") or None,
        value_services=list(state.get("plan_value_services") or []),
        objectives=plans.objectives_from_frame(_as_polars(objectives)),
        actions=plans.actions_from_frame(_as_polars(actions)),
        risks=plans.risks_from_frame(_as_polars(risks)),
        **{name: str(state.get(key) or "") for name, key in PLAN_TEXT_KEYS.items()},
    )


def add_suggested_plan_actions(
    account_id: str, objectives: Any, actions: Any, risks: Any
) -> None:
    """Append the situation's suggested actions to the editor, keeping unsaved edits.

    The tables' current content becomes the editors' new starting point (still
    unsaved), with the suggestions the plan lacks added to the actions.
    """
    state = st.session_state
    edited = plan_from_editor(account_id, objectives, actions, risks)
    added = plans.add_suggested_actions(edited, date.today())
    base: plans.Plan = state["plan_base"]
    state["plan_base"] = replace(
        base, objectives=edited.objectives, actions=edited.actions, risks=edited.risks
    )
    state["plan_editor_nonce"] = int(state.get("plan_editor_nonce", 0)) + 1
    if added:
        message = _(
            "Added {n} suggested actions with owners and due dates; check them, "
            "then save."
        ).format(n=added)
        notify_after_rerun(message)
        state["plan_flash"] = ("success", message)
    else:
        state["plan_flash"] = (
            "info",
            _("The situation suggests no action for anyone the plan does not cover."),
        )
    st.rerun()


def save_plan_from_editor(plan: plans.Plan) -> None:
    """Save the edited plan as the current user, based on the version it started from.

    Success reloads the editor on the new version. A refused save keeps the
    author's plan in ``plan_conflict`` (and in the widgets) for merging; a rejected
    one leaves a message in ``plan_flash``.
    """
    state = st.session_state
    try:
        saved = session.workbench().save_plan(
            AccountPlan(plan=plan, version=int(state["plan_based_on"]))
        )
    except plans.PlanConflictError as conflict:
        state["plan_conflict"] = {
            "account_id": plan.account_id,
            "mine": conflict.mine,
            "message": str(conflict),
            "current_version": conflict.current_version,
        }
        return
    except WorkbenchError as error:
        state["plan_flash"] = ("error", str(error))
        return
    message = _("Saved version {version} of the plan for {account}.").format(
        version=saved.version, account=plan.account_name
    )
    # a toast, and the message at the top and beside the Save button
    notify_after_rerun(message)
    state["plan_flash"] = ("success", message)
    state["plan_reload"] = True
    state.pop("plan_conflict", None)
    st.rerun()


def restore_plan_version(account_id: str, version: int, seen_current: int) -> None:
    """Save an older version again as the current one, then reload the editor.

    ``seen_current`` is the version the user saw as current; a newer save made
    meanwhile makes this refuse rather than overwrite (message in ``plan_flash``).
    """
    state = st.session_state
    try:
        saved = session.workbench().restore_plan(
            account_id, version, based_on=seen_current
        )
    except WorkbenchError as error:
        state["plan_flash"] = ("error", str(error))
    else:
        message = _("Version {old} is current again, saved as version {new}.").format(
            old=version, new=saved.version
        )
        notify_after_rerun(message)
        state["plan_flash"] = ("success", message)
        state["plan_reload"] = True
    st.rerun()


def plan_conflict(account_id: str) -> dict[str, Any] | None:
    """Return the refused save waiting to be merged for this account, if any."""
    conflict = st.session_state.get("plan_conflict")
    if isinstance(conflict, dict) and conflict.get("account_id") == account_id:
        return conflict
    return None


def build_on_current_version() -> None:
    """Keep the author's text and base the next save on the version now current."""
    conflict = st.session_state.pop("plan_conflict", None)
    if conflict:
        st.session_state["plan_based_on"] = int(conflict["current_version"])


def discard_and_reload_plan() -> None:
    """Drop the author's unsaved text and load the current version."""
    st.session_state.pop("plan_conflict", None)
    st.session_state["plan_reload"] = True


@dataclass(frozen=True)
class _ShownPart:
    # one ready part of the situation as shown: its facts, then its tables
    # (title, table, columns)
    facts: pa.Table | pl.DataFrame
    tables: tuple[tuple[str, pa.Table | pl.DataFrame, tuple[str, ...]], ...]


@cached(share=True, by_repr=True, max_entries=64)
def _shown_parts(
    situation: plans.Situation, currency: str, language: str
) -> tuple[_ShownPart | None, ...]:
    # The situation's tables worded and made Arrow once per situation, currency
    # and language (keyed on the situation's repr, which holds every value):
    # built at every visit they were about a tenth of the page's opening.
    del language  # part of the key: the figures' labels are written in it
    shown: list[_ShownPart | None] = []
    for part in situation.parts:
        if part.status != "ready":
            shown.append(None)
            continue
        facts = pl.DataFrame(
            {
                "figure": [plans.fact_label(f) for f in part.facts],
                "value": [plans.fact_text(f, currency) for f in part.facts],
            },
            schema={"figure": pl.String, "value": pl.String},
        )
        tables = tuple(
            (
                plans.table_title(table),
                arrow_table(
                    pl.DataFrame(
                        plans.table_rows(table), schema=table.columns, orient="row"
                    )
                ),
                tuple(table.columns),
            )
            for table in part.tables
        )
        shown.append(_ShownPart(arrow_table(facts), tables))
    return tuple(shown)


def show_plan_situation(situation: plans.Situation | None) -> None:
    """Render the situation: each source's facts and tables, or why it is pending."""
    if situation is None:
        st.info(_("No situation computed yet: press **Refresh the situation**."))
        return
    currency = reads.portfolio_currency()
    st.caption(
        _("As of **{day}**, computed {when} UTC; money in {currency}.").format(
            day=situation.as_of,
            when=f"{situation.computed_at:%Y-%m-%d %H:%M}",
            currency=currency,
        )
    )
    shown_parts = _shown_parts(situation, currency, current_language())
    for part, shown in zip(situation.parts, shown_parts, strict=True):
        # A part's tables are built and sent only while it is open: the closed
        # parts' dozen tables were a third of the page's time at each rerun
        # (an edit in a plan's table reruns the page).
        box = opened_expander(
            plans.part_title(part),
            key=f"{SITUATION_PART_KEY}{part.key}",
            expanded=part.key in SITUATION_PARTS_OPEN,
        )
        if box is None:
            continue
        with box:
            if shown is None:
                st.warning(f"{plans.part_status(part.status)}: {plans.part_note(part)}")
                continue
            if part.note:
                st.caption(plans.part_note(part))
            show_table(
                shown.facts, column_config={"figure": _("Figure"), "value": _("Value")}
            )
            for table_title, table, columns in shown.tables:
                st.markdown(f"**{table_title}**")
                show_table(
                    table, column_config={c: plans.column_words(c) for c in columns}
                )


def draft_empty_plan_sections() -> None:
    """Fill the editor's empty sections with drafts from the situation (a callback).

    The drafts are written in the session's language.
    """
    restore_language()
    state = st.session_state
    situation = state.get("plan_situation")
    if situation is None:
        return
    filled = []
    for name, text in plans.draft_sections(situation).items():
        key = PLAN_TEXT_KEYS[name]
        if text and not str(state.get(key) or "").strip():
            state[key] = text
            filled.append(name)
    # the sections named as the page heads them, in bold, in the page's language
    titles = list_separator(current_language()).join(
        f"**{_(plans.SECTION_TITLES[name])}**" for name in filled
    )
    state["plan_flash"] = (
        (
            "success",
            _("Drafted from the situation: {sections}. Edit, then save.").format(
                sections=titles
            ),
        )
        if filled
        else (
            "info",
            _("Every section already has text, or the situation has nothing to add."),
        )
    )
