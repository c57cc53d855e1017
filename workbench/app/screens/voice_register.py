"""The requirements register on the Voice of the customer page.

What each role of an account needs, in its own words, with the source; survey
comments promoted into it; pairs of needs marked as in conflict with an owner.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from workbench import access, domain, store, terms
from workbench.analytics import voice
from workbench.app import actions, reads, session
from workbench.app.components import show_refusal, show_table
from workbench.errors import WorkbenchError
from workbench.i18n import format_number
from workbench.i18n import gettext as _

NO_ROLE = "(no role)"


def register_tab(responses: pl.DataFrame, accounts: pl.DataFrame) -> None:
    """Show one account's register, its conflicts, and the forms that add to them."""
    names = voice.account_names(accounts)
    if not names:
        st.info(_("No accounts yet."))
        return
    account_id = st.selectbox(
        _("Account"),
        list(names),
        format_func=lambda a: f"{names[a]} · {a}",
        key="register_account",
    )
    flash = st.session_state.pop("register_flash", None)
    if flash:
        st.success(flash)
    register = reads.requirements(account_id)
    conflicts = reads.requirement_conflicts(account_id)
    st.caption(
        _(
            "What each role needs, in its own words (procurement the lowest price, "
            "operations a four-hour response, IT a security review, legal a "
            "liability cap), and which needs pull against each other, with who "
            "resolves it. Open conflicts appear in the account plan."
        )
    )
    show_table(
        terms.localise_values(
            register.select("role", "category", "need", "source", "recorded_by")
        ),
        key="register_table",
    )
    st.markdown(
        _("**Conflicts** ({count} open)").format(
            count=format_number(int((conflicts["status"] == "open").sum()))
        )
    )
    show_table(
        terms.localise_values(
            conflicts.select(
                "role_a", "need_a", "role_b", "need_b", "owner", "status", "resolution"
            )
        ),
        key="register_conflicts",
    )
    if not access.can(session.current_actor(), "plan"):
        st.info(_("Adding to the register needs the analyst or admin role."))
        return
    _add_form(account_id)
    _promote_form(voice.responses_for_account(responses, account_id))
    _conflict_form(register)


def _role_names() -> dict[str, str]:
    return {code: terms.buying_role(code) for code in terms.BUYING_ROLES}


def _run(action: str, write: Callable[[], str]) -> None:
    try:
        result = write()
    except WorkbenchError as error:
        show_refusal(error)
    else:
        # Rerun so the tables above show the write; the message survives it.
        st.session_state["register_flash"] = f"{action} ({result})."
        st.rerun()


def _add_form(account_id: str) -> None:
    with st.form("register_add"):
        st.markdown(_("**Add a requirement**"))
        cols = st.columns(3)
        role = cols[0].selectbox(
            _("Role"), [*domain.BUYING_ROLES, NO_ROLE], format_func=terms.buying_role
        )
        category = cols[1].selectbox(
            _("About"),
            store.REQUIREMENT_CATEGORIES,
            format_func=terms.requirement_category,
        )
        source = cols[2].selectbox(
            _("Source"),
            store.REQUIREMENT_SOURCES,
            index=1,
            format_func=terms.requirement_source,
        )
        need = st.text_input(_("Need, in the role's words"), key="register_need")
        if st.form_submit_button(_("Add requirement")):
            _run(
                _("Requirement added"),
                lambda: actions.add_requirement(
                    account_id,
                    need,
                    None if role == NO_ROLE else role,
                    category,
                    source,
                ),
            )


def _promote_form(responses: pl.DataFrame) -> None:
    # The newest 200 commented answers: enough to find the one a workshop means.
    ids = (
        responses.filter(
            pl.col("comment").is_not_null()
            & (pl.col("comment").str.strip_chars() != "")
        )
        .sort("responded_on", descending=True)
        .head(200)
    )
    if ids.height == 0:
        return
    label = pl.format(
        "{} ({}, {}): {}",
        pl.coalesce("contact_name", "contact_id", pl.lit(_("anonymous"))),
        pl.coalesce("buying_role", pl.lit(NO_ROLE)).replace(_role_names()),
        "score",
        pl.col("comment").str.slice(0, 80),
    )
    shown = ids.select("response_id", label.alias("label"))
    labels = dict(zip(shown["response_id"], shown["label"], strict=True))
    with st.form("register_promote"):
        st.markdown(_("**Promote a survey comment**"))
        chosen = st.selectbox(
            _("Comment"), list(labels), format_func=labels.__getitem__
        )
        category = st.selectbox(
            _("About"),
            store.REQUIREMENT_CATEGORIES,
            format_func=terms.requirement_category,
            key="promote_cat",
        )
        if st.form_submit_button(_("Promote into the register")):
            _run(
                _("Comment promoted"),
                lambda: actions.promote_comment(chosen, category),
            )


def _conflict_form(register: pl.DataFrame) -> None:
    if register.height < 2:
        return
    label = pl.format(
        "{}: {}",
        pl.coalesce("role", pl.lit(NO_ROLE)).replace(_role_names()),
        pl.col("need").str.slice(0, 80),
    )
    shown = register.select("requirement_id", label.alias("label"))
    labels = dict(zip(shown["requirement_id"], shown["label"], strict=True))
    with st.form("register_conflict"):
        st.markdown(_("**Mark two needs as in conflict** (or update the mark)"))
        cols = st.columns(2)
        first = cols[0].selectbox(
            _("Need"), list(labels), format_func=labels.__getitem__
        )
        second = cols[1].selectbox(
            _("Conflicts with"), list(labels), index=1, format_func=labels.__getitem__
        )
        cols = st.columns(2)
        owner = cols[0].text_input(_("Owner who resolves it"), key="register_owner")
        status = cols[1].selectbox(
            _("Status"), store.CONFLICT_STATUSES, format_func=terms.status
        )
        resolution = st.text_input(_("Resolution"), key="register_resolution")
        if st.form_submit_button(_("Save conflict")):
            _run(
                _("Conflict saved"),
                lambda: actions.mark_requirement_conflict(
                    first, second, owner, status, resolution or None
                ),
            )
