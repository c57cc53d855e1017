"""The Effort page's service model: one editable row per type × segment.

What each kind of account deserves, saved with the threshold scenario in use.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from workbench import access
from workbench.analytics import effort
from workbench.app import actions, reads, session
from workbench.app.components import notify_after_rerun, opened_expander
from workbench.app.language import _
from workbench.app.screens.effort import WORDS, Choices, codes, words
from workbench.errors import RejectedInputError
from workbench.i18n import N_, current_language

EDITOR_KEY = "eff_model_editor"
#: The unsaved edits per scenario (in codes), kept while the editor is closed.
DRAFTS_KEY = "eff_model_drafts"
#: What the open editor was given: (scenario, language, data version, frame).
SHOWN_KEY = "eff_model_shown"

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
    """Show the service model as an editable table; save it with the scenario.

    Built only while its expander is open (an editor goes through pandas at every
    rerun), and nothing else on the page reads it: the judging reads the model
    saved. Edits not saved yet outlive closing it, per scenario.
    """
    box = opened_expander(
        _("Service model: what each kind of account deserves"), "eff_model_open"
    )
    if box is None:
        return
    with box:
        _editor(choices)


def _editor(choices: Choices) -> None:
    st.caption(
        _(
            "Margin at stake = margin % × (the larger of this and last year's "
            "revenue + the share of headroom). Deserved hours = margin at stake × "
            "the % ÷ the hourly cost, at least the floor. Hutt & Speh: transactional "
            "accounts deserve efficient, purchasing-focused service; partnerships "
            "investment across functions and executives."
        )
    )
    edited = st.data_editor(
        _editor_data(choices.scenario),
        hide_index=True,
        width="stretch",
        disabled=["relationship", "value_segment"],
        key=EDITOR_KEY,
        column_config=_editor_columns(),
    )
    drafts = st.session_state.setdefault(DRAFTS_KEY, {})
    drafts[choices.scenario] = codes(pl.DataFrame(edited))
    may_edit = access.can(session.current_actor(), "edit")
    if st.button(
        _("Save the service model"), key="eff_model_save", disabled=not may_edit
    ):
        try:
            actions.save_service_model(drafts[choices.scenario], choices.scenario)
        except RejectedInputError as error:
            st.error(_("Not saved: {reason}").format(reason=error))
        else:
            del drafts[choices.scenario]
            notify_after_rerun(_("Service model saved with the thresholds in use."))
            st.rerun()


def _editor_data(scenario: str | None) -> pl.DataFrame:
    """Return the model the editor starts from: the same while it stays open.

    The editor keeps its edits as changes to what it was given, so it is given
    the same frame at every rerun while open. Opened again, it starts from the
    edits not saved (the widget forgot them when it was not drawn), else from the
    model saved.
    """
    shown = st.session_state.get(SHOWN_KEY)
    key = (scenario, current_language(), session.data_version())
    if EDITOR_KEY in st.session_state and shown is not None and shown[0] == key:
        frame: pl.DataFrame = shown[1]
        return frame
    draft = st.session_state.get(DRAFTS_KEY, {}).get(scenario)
    model = draft if draft is not None else reads.service_model(scenario)
    frame = model.with_columns(
        words(c).alias(c) for c in ("relationship", "value_segment", "involve")
    )
    st.session_state[SHOWN_KEY] = (key, frame)
    return frame


def _editor_columns() -> dict[str, Any]:
    return {
        **{
            name: st.column_config.NumberColumn(_(label), min_value=0.0)
            for name, label in MODEL_LABELS.items()
            if name not in ("relationship", "value_segment", "involve")
        },
        "relationship": st.column_config.TextColumn(_(MODEL_LABELS["relationship"])),
        "value_segment": st.column_config.TextColumn(_(MODEL_LABELS["value_segment"])),
        "involve": st.column_config.SelectboxColumn(
            _(MODEL_LABELS["involve"]),
            options=[_(WORDS[i]) for i in effort.INVOLVEMENTS],
            required=True,
        ),
    }
