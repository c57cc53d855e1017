import streamlit as st

from workbench.app import session
from workbench.app.language import _, apply_language
from workbench.app.screens import plans as screen
from workbench.app.screens import plans_overview

apply_language()  # the page runs in its own context: put the language in force
may_plan = screen.may_plan()

st.title(_("Account plans"))
st.caption(
    _(
        "One written plan per account, in Peppers & Rogers' order: identify the "
        "people, differentiate by value, interact with each stakeholder, customise "
        "the offer. Every save is a new version; nothing is overwritten."
    )
)

# the overview is built only while its tab is open (choosing a tab reruns)
plan_tab, overview_tab = st.tabs(
    [_("Plan"), _("Leaders' overview")], key="plans_tab", on_change="rerun"
)

# an account's reads (its plan, situation, people, versions) and the
# overview's, when its tab is open, open the file once
with session.one_opening():
    with plan_tab:
        opened = screen.open_account(may_plan)
        screen.sections(opened.account_id, may_plan)
        edited = screen.tables(opened.account_id, may_plan)
        screen.save_bar(opened, edited, may_plan)
        screen.conflict_view(opened.account_id, opened.conflict)
        screen.versions(opened.account_id, opened.current, may_plan)
    if overview_tab.open:
        with overview_tab:
            plans_overview.leaders_overview()
