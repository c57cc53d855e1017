"""Entry point: page titles, icons and order live here and nowhere else."""

from pathlib import Path

import streamlit as st

from workbench.app import hardening, sign_in, transport, warm
from workbench.app.components import show_pending_toasts
from workbench.app.entry import entry_runs
from workbench.app.language import _, apply_language, language_picker

ROOT = Path(__file__).resolve().parent

# This run goes through the entry (a page script run on its own reruns through it).
entry_runs()
# This session's messages leave as soon as they are written (once a session).
transport.send_without_delay()
# The language first: every title below is read in it.
apply_language()
st.set_page_config(
    page_title=_("Account-planning workbench"),
    page_icon="🧭",  # an emoji: material favicons are fetched from the internet
    layout="wide",
)

# (script, title, icon). A screen is listed once its file exists, so the menu only
# ever shows pages with real content.
PAGES = (
    ("pages/overview.py", _("Overview"), ":material/dashboard:"),
    ("pages/import_data.py", _("Import"), ":material/upload_file:"),
    ("pages/buying_centre.py", _("Buying centre"), ":material/hub:"),
    ("pages/segments.py", _("Segments"), ":material/scatter_plot:"),
    ("pages/effort.py", _("Effort"), ":material/schedule:"),
    ("pages/voice.py", _("Voice of the customer"), ":material/record_voice_over:"),
    ("pages/plans.py", _("Account plans"), ":material/assignment:"),
)

# Hosted mode: nobody sees a page before signing in. Every page's URL shows the
# sign-in form instead (so a bookmarked page opens right after signing in), and no
# screen can be reached by its URL. Local mode passes.
if not sign_in.require_sign_in():
    st.navigation(
        [
            st.Page(sign_in.sign_in_page, title=_("Sign in"), icon=":material/login:"),
            *(
                st.Page(
                    sign_in.sign_in_page, title=_("Sign in"), url_path=Path(script).stem
                )
                for script, _title, _icon in PAGES[1:]
                if (ROOT / script).exists()
            ),
        ],
        position="hidden",
    ).run()
    st.stop()

language_picker()
show_pending_toasts()
navigation = st.navigation(
    [
        st.Page(script, title=title, icon=icon, default=(script == PAGES[0][0]))
        for script, title, icon in PAGES
        if (ROOT / script).exists()
    ]
)
# An unexpected error shows a reference to the server log, never a traceback.
hardening.run_page(navigation, hosted=sign_in.hosted_now())
# Once per process, after the first page is sent: what later pages would import.
warm.after_page()
