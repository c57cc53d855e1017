"""The closed loop on the Voice of the customer page: deciding detractors' follow-ups."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from workbench import access
from workbench.analytics import voice
from workbench.app import actions, reads, session
from workbench.errors import WorkbenchError

TABLE_CONFIG = {
    "responded_on": st.column_config.DateColumn(format="YYYY-MM-DD"),
    "due_on": st.column_config.DateColumn(format="YYYY-MM-DD"),
}


def followups_section() -> None:
    """Show the closed loop: every deciding detractor's follow-up, and its editor."""
    st.subheader("Follow-ups: deciders and approvers")
    followups = reads.detractor_followups(date.today())
    overdue = int(followups["overdue"].sum())
    st.caption(
        f"Every decider or approver whose latest answer is 0–6 gets a call back from "
        f"a named owner by a date (proposed: {voice.FOLLOWUP_DUE_DAYS} days after the "
        f"answer). {overdue:,} overdue; the leaders' overview lists them."
    )
    st.dataframe(
        followups,
        hide_index=True,
        width="stretch",
        key="voice_followups",
        column_config=TABLE_CONFIG,
    )
    if followups.height == 0 or not access.can(session.current_actor(), "plan"):
        return
    label = pl.format(
        "{} · {} · {} on {}",
        pl.coalesce("contact_name", "contact_id"),
        "account_name",
        "score",
        "responded_on",
    )
    shown = followups.select("response_id", label.alias("label"))
    labels = dict(zip(shown["response_id"], shown["label"], strict=True))
    # The choice sits outside the form so that the fields show its current values.
    chosen = st.selectbox(
        "Detractor", list(labels), format_func=labels.__getitem__, key="voice_followup"
    )
    current = followups.filter(pl.col("response_id") == chosen).row(0, named=True)
    with st.form(f"voice_followup_form_{chosen}"):
        cols = st.columns(3)
        owner = cols[0].text_input(
            "Owner", value=current["owner"] or "", key=f"voice_followup_owner_{chosen}"
        )
        due_on = cols[1].date_input("Due", value=current["due_on"])
        status = cols[2].selectbox(
            "Status",
            ["open", "done"],
            index=0 if current["status"] != "done" else 1,
        )
        note = st.text_input("Note", value=current["note"] or "")
        if st.form_submit_button("Save follow-up"):
            try:
                actions.save_detractor_followup(
                    str(chosen), owner, due_on, status, note or None
                )
            except WorkbenchError as error:
                st.error(str(error))
            else:
                st.success("Follow-up saved.")
