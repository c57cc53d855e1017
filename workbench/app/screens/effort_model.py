"""The Effort page's service model: one editable row per type × segment.

What each kind of account deserves, saved with the threshold scenario in use.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from workbench import access
from workbench.analytics import effort
from workbench.app import actions, reads, session
from workbench.app.components import notify_after_rerun
from workbench.app.language import _
from workbench.app.screens.effort import WORDS, Choices, codes, words
from workbench.errors import RejectedInputError
from workbench.i18n import N_

MODEL_LABELS = {
    "relationship": N_("Relationship type"),
    "value_segment": N_("Value segment"),
    "low_pct": N_("Hours from (percent of margin at stake)"),
    "high_pct": N_("Hours up to (percent of margin at stake)"),
    "headroom_weight": N_("Share of headroom at stake"),
    "floor_hours": N_("At least (h a year)"),
    "involve": N_("Who to involve"),
    "touches_per_year": N_("Cadence (activities a year)"),
}


def model_section(choices: Choices) -> None:
    """Show the service model as an editable table; save it with the scenario."""
    st.subheader(_("Service model: what each kind of account deserves"))
    st.caption(
        _(
            "Margin at stake = margin % × (the larger of this and last year's "
            "revenue + the share of headroom). Deserved hours = margin at stake × "
            "the % ÷ the hourly cost, at least the floor. Hutt & Speh: transactional "
            "accounts deserve efficient, purchasing-focused service; partnerships "
            "investment across functions and executives."
        )
    )
    model = reads.service_model(choices.scenario).with_columns(
        words(c).alias(c) for c in ("relationship", "value_segment", "involve")
    )
    edited = st.data_editor(
        model,
        hide_index=True,
        width="stretch",
        disabled=["relationship", "value_segment"],
        key="eff_model_editor",
        column_config={
            **{
                name: st.column_config.NumberColumn(_(label), min_value=0.0)
                for name, label in MODEL_LABELS.items()
                if name not in ("relationship", "value_segment", "involve")
            },
            "relationship": st.column_config.TextColumn(
                _(MODEL_LABELS["relationship"])
            ),
            "value_segment": st.column_config.TextColumn(
                _(MODEL_LABELS["value_segment"])
            ),
            "involve": st.column_config.SelectboxColumn(
                _(MODEL_LABELS["involve"]),
                options=[_(WORDS[i]) for i in effort.INVOLVEMENTS],
                required=True,
            ),
        },
    )
    may_edit = access.can(session.current_actor(), "edit")
    if st.button(
        _("Save the service model"), key="eff_model_save", disabled=not may_edit
    ):
        try:
            actions.save_service_model(codes(pl.DataFrame(edited)), choices.scenario)
        except RejectedInputError as error:
            st.error(_("Not saved: {reason}").format(reason=error))
        else:
            notify_after_rerun(_("Service model saved with the thresholds in use."))
            st.rerun()
