import streamlit as st

from workbench import charts
from workbench.app import reads, session

db = session.database()
summary = reads.portfolio_summary()

st.title("Account-planning workbench")
if db.created_demo and reads.holds_demo():
    st.info(
        f"No database was found, so the workbench created the demo portfolio in "
        f"`{db.path}`. Import your own CRM exports on the Import page."
    )

first_day, last_day = summary["first_day"], summary["last_day"]
cols = st.columns(5)
cols[0].metric("Accounts", f"{summary['accounts']:,}")
cols[1].metric("Contacts", f"{summary['contacts']:,}")
cols[2].metric(
    "Won revenue, last 12 months",
    f"{summary['won_revenue_12m']:,.0f}",
    help=f"Closed-won opportunities in the 12 months up to {summary['as_of']}.",
)
cols[3].metric(
    "Effort hours, last 12 months",
    f"{summary['effort_hours_12m']:,.0f}",
    help=f"{summary['effort_hours']:,.0f} hours over the whole data.",
)
cols[4].metric("Activities", f"{summary['activities']:,}")

st.caption(
    f"Data from **{first_day or '–'}** to **{last_day or '–'}** · "
    f"{summary['sellers']:,} of our people · {summary['opportunities']:,} opportunities · "
    f"{summary['nps_responses']:,} NPS responses · database file `{db.path}`"
)

industries = reads.accounts_by_industry()
if industries.height:
    st.altair_chart(charts.industry_bars(industries), width="stretch")

st.subheader("How to use the workbench")
st.markdown(
    """
The workbench follows Peppers & Rogers' four steps for one-to-one relationships
with business customers, and Hutt & Speh's split between transactional and
partnership relationships.

1. **Identify** the people. Load your CRM exports on **Import**; each account is a
   buying centre of users, influencers, buyers, deciders, gatekeepers, initiators
   and approvers. **Buying centre** maps who reports to whom, who decides, how they
   feel about us and which of our people cover whom.
2. **Differentiate** accounts by value. **Segments** sorts them into most valuable,
   most growable, below zero (serving costs more than the account brings) and
   maintain, and proposes a transactional or partnership relationship for each.
3. **Interact** where it pays. **Effort** compares where our hours go with what each
   account brings; **Voice of the customer** hears every role's NPS, not just the
   buyer's.
4. **Customise**. **Account plans** turns all of this into a written, versioned plan
   per account, exported for leaders.
"""
)
