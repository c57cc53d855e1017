import streamlit as st

from workbench.app.language import _, apply_language
from workbench.app.screens import voice as screen
from workbench.app.screens import voice_import, voice_register

# The language first: a page can run without app.py (a direct URL, a test).
apply_language()

st.title(_("Voice of the customer"))
st.caption(
    _(
        "Hear every role, not just the buyer (Bain's B2B loyalty work). NPS is the "
        "share of promoters (9–10) minus the share of detractors (0–6), from −100 to "
        "+100; passives (7–8) count only in the total. A group nobody answered for "
        "shows –, not 0."
    )
)

heard = screen.headline()

tabs = st.tabs(
    [
        _("By account"),
        _("By role and group"),
        _("Role conflicts"),
        _("Detractors"),
        _("Requirements"),
        _("Comments"),
        _("Drivers"),
        _("Import survey"),
    ]
)

with tabs[0]:
    screen.accounts_tab(heard)
with tabs[1]:
    screen.roles_tab(heard)
with tabs[2]:
    screen.conflicts_tab(heard)
with tabs[3]:
    screen.detractors_tab(heard)
with tabs[4]:
    voice_register.register_tab(heard.responses, heard.accounts)
with tabs[5]:
    screen.comments_tab(heard)
with tabs[6]:
    screen.drivers_tab(heard)
with tabs[7]:
    voice_import.import_tab()
