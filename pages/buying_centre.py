import streamlit as st

from workbench.app import session
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

# the account's reads (its people, map, history) open the file once
with session.one_opening():
    account_id, months, data = screen.pick_account()
    view = screen.map_section(account_id, months, data)  # the deal's figures, if one
    with view.facts_column:
        screen.facts(view.report, view.tables)
    screen.reach_next(view.report, view.tables)
    screen.people_editor(account_id, months, view.options)
    screen.edit_history(account_id)
