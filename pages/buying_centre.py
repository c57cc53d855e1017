import streamlit as st

from workbench.app import reads
from workbench.app.language import _, apply_language
from workbench.app.screens import buying_centre as screen

apply_language()  # the page runs in its own context: put the language in force
st.title(_("Buying centre"))
st.caption(
    _(
        "One account's people: who decides, who reports to whom, how they feel about "
        "us, which of our people know whom, and where we are blind."
    )
)

account_id, months, data = screen.pick_account()
report = reads.buying_centre_report(account_id, months)
options, facts_column = screen.map_section(account_id, months, data)
with facts_column:
    screen.facts(report)
screen.reach_next(report)
screen.people_editor(account_id, months, options)
screen.edit_history(account_id)
