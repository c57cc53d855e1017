import streamlit as st

from workbench.app import reads, session
from workbench.app.language import _, apply_language
from workbench.app.screens import effort as screen
from workbench.app.screens import effort_model, effort_what_if
from workbench.app.screens import segments as segment_screen

# The language first: a page can run without app.py (a direct URL, a test).
apply_language()

st.title(_("Effort"))
st.caption(
    _(
        "Where our time goes, against what each account deserves. Hutt & Speh: "
        "transactional accounts deserve efficient, purchasing-focused service; "
        "partnership accounts deserve investment across functions and executives."
    )
)

# the page's reads that are not kept open the file once
with session.one_opening():
    choices = screen.sidebar()
    currency = reads.portfolio_currency()
    judged = screen.judged_or_stop(choices, currency)
    verdicts = screen.verdicts(choices, currency)
    screen.headline(choices, verdicts, currency)
    screen.totals(choices, currency)
    # effort on partners and competitors is in no total: said, with them
    segment_screen.not_segmented_note()
    screen.verdicts_section(choices, judged, verdicts, currency)
    screen.people_section(choices, currency)
    effort_what_if.what_if_section(choices, currency)
    effort_model.model_section(choices)
    screen.groups_section(choices, judged, currency)
    screen.breakdown_section(choices)
    screen.trend_section(choices)
    screen.accounts_section(choices, judged, currency)
