import streamlit as st

from workbench import charts
from workbench.app import drawn, reads, session
from workbench.app.components import metric_row
from workbench.app.language import (
    _,
    apply_language,
    format_money,
    format_money_short,
    format_number,
)

# The language first: a page can run without app.py (a direct URL, a test).
apply_language()

# the headline's reads, when not kept, open the file once (five openings before)
with session.one_opening():
    db = session.database()
    summary = reads.portfolio_summary()

    st.title(_("Account-planning workbench"))
    if db.created_demo and reads.holds_demo():
        st.info(
            _(
                "No database was found, so the workbench created the demo portfolio in "
                "`{path}`. Import your own CRM exports on the Import page."
            ).format(path=db.path)
        )

    first_day, last_day = summary["first_day"], summary["last_day"]
    row = metric_row()
    # the customers the segments count; the others a CRM holds beside them
    others = summary["accounts"] - summary["customers"]
    row.metric(
        _("Accounts"),
        format_number(summary["customers"]),
        help=_(
            "Customer accounts. {others} more the CRM types as no customer "
            "(partners, competitors, suppliers) are kept, and not segmented."
        ).format(others=format_number(others))
        if others
        else None,
    )
    row.metric(_("Contacts"), format_number(summary["contacts"]))
    currency = reads.portfolio_currency()
    # short in the metric (a full amount in the billions was cut), exact in its help
    row.metric(
        _("Won revenue, last 12 months"),
        format_money_short(summary["won_revenue_12m"], currency),
        help=_(
            "Closed-won opportunities in the 12 months up to {day}, in {currency}."
        ).format(day=summary["as_of"], currency=currency)
        + " "
        + _("Exactly {amount}.").format(
            amount=format_money(summary["won_revenue_12m"], currency)
        ),
    )
    row.metric(
        _("Effort hours, last 12 months"),
        format_number(summary["effort_hours_12m"]),
        help=_("{hours} hours over the whole data.").format(
            hours=format_number(summary["effort_hours"])
        ),
    )
    row.metric(_("Activities"), format_number(summary["activities"]))

    st.caption(
        _(
            "Data from **{first}** to **{last}** · {sellers} of our people · "
            "{opportunities} opportunities · {responses} NPS responses · "
            "database file `{path}`"
        ).format(
            first=first_day or "–",
            last=last_day or "–",
            sellers=format_number(summary["sellers"]),
            opportunities=format_number(summary["opportunities"]),
            responses=format_number(summary["nps_responses"]),
            path=db.path,
        )
    )

    if summary["activities_after_as_of"]:
        st.caption(
            _(
                "Activities dated after {day}, the last day of the data up to the "
                "latest import (meetings booked ahead, tasks due ahead): {count}. "
                "No 12-month figure counts them."
            ).format(
                count=format_number(summary["activities_after_as_of"]),
                day=summary["as_of"],
            )
        )

    industries = reads.accounts_by_industry()
    if industries.height:
        # built once per data version and language: Altair's build and validation
        # were half of every visit's rerun
        currency = reads.portfolio_currency()
        drawn.altair_chart(
            ("industry_bars", currency),
            lambda: charts.industry_bars(industries, currency),
            width="stretch",
        )

st.subheader(_("How to use the workbench"))
st.markdown(
    _(
        "The workbench follows Peppers & Rogers' four steps for one-to-one "
        "relationships with business customers, and Hutt & Speh's split between "
        "transactional and partnership relationships.\n\n"
        "1. **Identify** the people. Load your CRM exports on **Import**; each "
        "account is a buying centre of users, influencers, buyers, deciders, "
        "gatekeepers, initiators and approvers. **Buying centre** maps who reports "
        "to whom, who decides, how they feel about us and which of our people cover "
        "whom.\n"
        "2. **Differentiate** accounts by value. **Segments** sorts them into most "
        "valuable, most growable, below zero (serving costs more than the account "
        "brings) and maintain, and proposes a transactional or partnership "
        "relationship for each.\n"
        "3. **Interact** where it pays. **Effort** compares where our hours go with "
        "what each account brings; **Voice of the customer** hears every role's "
        "NPS, not just the buyer's.\n"
        "4. **Customise**. **Account plans** turns all of this into a written, "
        "versioned plan per account, exported for leaders."
    )
)
