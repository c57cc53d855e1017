import streamlit as st

from workbench.app import session
from workbench.app.language import _, apply_language
from workbench.app.screens import segment_thresholds
from workbench.app.screens import segments as screen

# The language first: a page can run without app.py (a direct URL, a test).
apply_language()

segment_thresholds.init_thresholds()

st.title(_("Segments"))
st.caption(
    _(
        "Differentiate accounts by value (Peppers & Rogers) and choose a "
        "transactional or partnership relationship for each (Hutt & Speh). Every "
        "threshold is a slider; the chart, the summary and the table follow at once."
    )
)

# what the page reads that is not kept (after a write: the decisions, the
# segmentation) opens the file once
with session.one_opening():
    may_edit = screen.may_edit()
    currency = segment_thresholds.portfolio_currency()
    as_of = segment_thresholds.sidebar(currency)
    thresholds = screen.thresholds_or_stop()
    features = screen.features_or_stop(as_of, thresholds)
    # What a threshold move changes is computed once per thresholds (shared by
    # every session), so a slider back at a value seen before redraws without
    # computing.
    screen.overview_section(as_of, thresholds, currency)
    accounts = screen.accounts_section(as_of, thresholds, currency)
    screen.overrides_section(accounts, may_edit)
    screen.situation_section(accounts, may_edit)
    screen.economics_section(features, accounts, thresholds, as_of, may_edit)
    screen.scenarios_section(as_of, thresholds, may_edit)
