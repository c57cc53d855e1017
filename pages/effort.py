import streamlit as st

from workbench.app.screens import effort as screen

st.title("Effort")
st.caption(
    "Where our time goes, against what each account brings. Hutt & Speh: "
    "transactional accounts deserve efficient, purchasing-focused service; "
    "partnership accounts deserve investment across functions and executives."
)

as_of, thresholds, rules = screen.sidebar()
accounts = screen.accounts_or_stop(as_of, thresholds)
screen.headline(as_of, thresholds, accounts)
screen.groups_section(accounts)
screen.misallocation_section(accounts, rules)
screen.breakdown_section(as_of, thresholds)
screen.trend_section(as_of, thresholds)
screen.what_if_section(accounts, thresholds)
screen.accounts_section(accounts)
