import streamlit as st

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

may_edit = screen.may_edit()
as_of = segment_thresholds.sidebar()
thresholds = screen.thresholds_or_stop()
features, segments = screen.segments_or_stop(as_of, thresholds)
screen.overview_section(segments, thresholds)
table = screen.accounts_section(segments, as_of, thresholds)
screen.overrides_section(table, may_edit)
screen.situation_section(table, may_edit)
screen.economics_section(features, segments, table, thresholds, as_of, may_edit)
screen.scenarios_section(as_of, thresholds, may_edit)
