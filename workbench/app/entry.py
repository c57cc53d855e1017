"""Every page runs through ``app.py``, even at a server's first request.

Streamlit decides once per server process, when it starts its first session,
whether the app uses its older multipage mode, in which each script of a
``pages/`` folder is a page of its own; it leaves that mode only when a script
calls ``st.navigation``. Until ``app.py`` has done so once, a request for a page
URL (``/plans`` bookmarked by a leader, opened right after a restart, or twenty
people opening theirs at once) ran ``pages/plans.py`` alone: a menu of file
names, no language picker, no wide layout, no toasts. Leaving that mode and
rerunning sends the run through ``app.py``, which opens the same page.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

#: Set in a session once ``app.py`` has run in it.
ENTRY_RAN_KEY = "workbench_entry_ran"


def entry_runs() -> None:
    """Say that this run goes through ``app.py`` (its first line calls this).

    Its own ``st.navigation`` opens the page, so no page script of this session
    needs the rerun below (a rerun would also drop a form just submitted).
    """
    PagesManager.uses_pages_directory = False
    st.session_state[ENTRY_RAN_KEY] = True


def run_through_app() -> None:
    """Rerun through ``app.py`` when a new session runs a page script on its own."""
    # Streamlit's test runner asks for the older mode at every run and then runs
    # the page's script alone; by then its session has been through app.py.
    if PagesManager.uses_pages_directory and not st.session_state.get(ENTRY_RAN_KEY):
        PagesManager.uses_pages_directory = False
        st.rerun()
