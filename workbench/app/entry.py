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


def run_through_app() -> None:
    """Rerun through ``app.py`` when Streamlit runs a page script on its own."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
