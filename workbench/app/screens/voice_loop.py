"""The Voice of the customer page's detractors, and the closed loop on deciding ones."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from workbench import access, terms
from workbench.analytics import voice
from workbench.analytics.sentences import sentence
from workbench.app import actions, reads, session
from workbench.app.components import (
    TABLE_ROWS,
    csv_download,
    first_rows_caption,
    show_refusal,
    show_table,
)
from workbench.errors import WorkbenchError
from workbench.i18n import N_, current_language, format_number
from workbench.i18n import gettext as _

TABLE_CONFIG = {
    "responded_on": st.column_config.DateColumn(format="YYYY-MM-DD"),
    "due_on": st.column_config.DateColumn(format="YYYY-MM-DD"),
}


def detractors_tab(risky: pl.DataFrame) -> None:
    """Show the risky detractors, then the deciding ones' follow-ups.

    ``risky``: :func:`~workbench.analytics.voice.risky_detractors` of the period.
    """
    st.caption(
        _(
            "Latest score 0–6 from a decider or an approver, or from anyone with "
            "influence {influence} or more: a risk no average shows. The "
            "buying-centre map marks the same people."
        ).format(influence=voice.HIGH_INFLUENCE_MIN)
    )
    # the first rows in words (why each counts too), and all the codes as CSV
    shown = voice.detractors_worded(risky.head(TABLE_ROWS), current_language())
    show_table(
        terms.localise_values(shown), key="voice_detractors", column_config=TABLE_CONFIG
    )
    first_rows_caption(risky.height, TABLE_ROWS)
    csv_download(
        risky,
        _("Download detractors (CSV)"),
        "nps_risky_detractors.csv",
        "voice_detractors_download",
    )
    followups_section()


def followups_section() -> None:
    """Show the closed loop: every deciding detractor's follow-up, and its editor."""
    st.subheader(_("Follow-ups: deciders and approvers"))
    followups = reads.detractor_followups(date.today())
    overdue = int(followups["overdue"].sum())
    st.caption(
        _(
            "Every decider or approver whose latest answer is 0–6 gets a call back "
            "from a named owner by a date (proposed: {days} days after the answer). "
            "{overdue} overdue; the leaders' overview lists them."
        ).format(days=voice.FOLLOWUP_DUE_DAYS, overdue=format_number(overdue))
    )
    # the first rows; the CSV holds them all
    show_table(
        terms.localise_values(followups.head(TABLE_ROWS)),
        key="voice_followups",
        column_config=TABLE_CONFIG,
    )
    first_rows_caption(followups.height, TABLE_ROWS)
    csv_download(
        followups,
        _("Download follow-ups (CSV)"),
        "nps_followups.csv",
        "voice_followups_download",
    )
    if followups.height == 0 or not access.can(session.current_actor(), "plan"):
        return
    label = sentence(
        N_("{name} · {account} · {score} on {day}"),
        current_language(),
        name=pl.coalesce("contact_name", "contact_id"),
        account=pl.col("account_name"),
        score=pl.col("score").cast(pl.String),
        day=pl.col("responded_on").cast(pl.String),
    )
    shown = followups.select("response_id", label.alias("label"))
    labels = dict(zip(shown["response_id"], shown["label"], strict=True))
    # The choice sits outside the form so that the fields show its current values.
    chosen = st.selectbox(
        _("Detractor"),
        list(labels),
        format_func=labels.__getitem__,
        key="voice_followup",
    )
    current = followups.filter(pl.col("response_id") == chosen).row(0, named=True)
    with st.form(f"voice_followup_form_{chosen}"):
        cols = st.columns(3)
        owner = cols[0].text_input(
            _("Owner"),
            value=current["owner"] or "",
            key=f"voice_followup_owner_{chosen}",
        )
        due_on = cols[1].date_input(_("Due"), value=current["due_on"])
        status = cols[2].selectbox(
            _("Status"),
            ["open", "done"],
            index=0 if current["status"] != "done" else 1,
            format_func=terms.status,
        )
        note = st.text_input(_("Note"), value=current["note"] or "")
        if st.form_submit_button(_("Save follow-up")):
            try:
                actions.save_detractor_followup(
                    str(chosen), owner, due_on, status, note or None
                )
            except WorkbenchError as error:
                show_refusal(error)
            else:
                st.success(_("Follow-up saved."))
