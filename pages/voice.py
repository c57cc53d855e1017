import streamlit as st

from workbench.app import session
from workbench.app.language import _, apply_language
from workbench.app.screens import voice as screen
from workbench.app.screens import voice_import, voice_loop, voice_register

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

# the answers' reads and the open tab's open the file once
with session.one_opening():
    heard = screen.headline()

    # Each tab is built only while it is open (choosing one reruns the page): at
    # 10,000 accounts the eight tabs' tables and tests cost seconds at every rerun.
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
        ],
        key="voice_tab",
        on_change="rerun",
    )
    shown = (
        lambda: screen.accounts_tab(heard),
        lambda: screen.roles_tab(heard),
        lambda: screen.conflicts_tab(heard),
        lambda: voice_loop.detractors_tab(heard.risky),
        lambda: voice_register.register_tab(heard.responses, heard.accounts),
        lambda: screen.comments_tab(heard),
        lambda: screen.drivers_tab(heard),
        voice_import.import_tab,
    )
    for tab, show in zip(tabs, shown, strict=True):
        if tab.open:
            with tab:
                show()
