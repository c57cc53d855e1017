"""What makes the demo look like a real CRM export rather than a textbook.

Applied after the archetypes are drawn, from a generator of its own, so the tables
the archetypes produce stay as they were:

- **sparse org charts**: CRMs know the manager of about a fifth of the people
  (Salesforce's ``ReportsToId`` is mostly empty), so only that share keeps theirs;
- **activities naming no person**: logged e-mails, calls and quotes often name no
  contact (a shared inbox, a call to the switchboard), and a few no seller either
  (a mail-merge, a web quote): their hours cost the flat hourly cost;
- **lapsed customers**: some accounts stopped buying at some point of the three
  years (their later wins became losses), so the portfolio's retention is
  measurable and below 100 %;
- **people who left**: a CRM keeps the people who moved on, deactivated
  (Dynamics) or ticked "No Longer at Company" (Salesforce); some of them were
  deciders or the person our touches went through.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl

from workbench.demo.vocabulary import DEMO_END

#: Share of people whose manager the CRM knows.
MANAGER_KNOWN_SHARE = 0.2
#: Share of e-mails, calls and quotes logged without a person.
UNNAMED_CONTACT_SHARE = 0.3
#: Share of activities logged without a seller.
UNNAMED_SELLER_SHARE = 0.03
#: Share of the people with no touch in the demo's last half year marked as having
#: left: about one person in twenty of the CRM (B2B contact data decays by a
#: fifth to a third a year; a CRM marks only some of those who went).
LEFT_SHARE_OF_QUIET = 0.12
#: Nobody we touched in this many days before the demo's end has left.
LEFT_QUIET_DAYS = 180
#: One account in this many of the transactional archetypes lapsed.
LAPSED_ONE_IN = 3
_LAPSING_ARCHETYPES = ("steady", "overserved")


def sparse_org_chart(rng: np.random.Generator, contacts: pl.DataFrame) -> pl.DataFrame:
    """Return the contacts with a manager on record for about a fifth of them."""
    keep = rng.random(contacts.height) < MANAGER_KNOWN_SHARE
    return contacts.with_columns(
        reports_to_id=pl.when(pl.Series(keep)).then(pl.col("reports_to_id"))
    )


def unnamed_activities(
    rng: np.random.Generator, activities: pl.DataFrame
) -> pl.DataFrame:
    """Return the activities with some naming no contact and a few no seller."""
    n = activities.height
    loose = activities["kind"].is_in(["email", "call", "quote"]).to_numpy()
    no_contact = loose & (rng.random(n) < UNNAMED_CONTACT_SHARE)
    no_seller = rng.random(n) < UNNAMED_SELLER_SHARE
    return activities.with_columns(
        contact_id=pl.when(pl.Series(no_contact)).then(None).otherwise("contact_id"),
        seller_id=pl.when(pl.Series(no_seller)).then(None).otherwise("seller_id"),
    )


def lapsed_customers(
    rng: np.random.Generator, accounts: pl.DataFrame, opportunities: pl.DataFrame
) -> pl.DataFrame:
    """Return the opportunities with the wins of lapsed accounts after their lapse lost.

    One in :data:`LAPSED_ONE_IN` steady or over-served accounts stopped buying
    between 13 and 33 months before the demo's end.
    """
    candidates = accounts.filter(pl.col("archetype").is_in(_LAPSING_ARCHETYPES))[
        "account_id"
    ].to_list()
    lapsed = candidates[::LAPSED_ONE_IN]
    lapse_days = rng.integers(400, 1000, len(lapsed))
    lapse = pl.DataFrame(
        {
            "account_id": lapsed,
            "_lapsed_on": [DEMO_END - timedelta(days=int(d)) for d in lapse_days],
        },
        schema={"account_id": pl.String, "_lapsed_on": pl.Date},
    )
    marked = opportunities.join(lapse, on="account_id", how="left")
    lost = (
        pl.col("_lapsed_on").is_not_null()
        & pl.col("is_won")
        & (pl.col("close_date") > pl.col("_lapsed_on"))
    )
    return marked.with_columns(
        is_won=pl.when(lost).then(False).otherwise("is_won"),
        stage=pl.when(lost).then(pl.lit("Closed Lost")).otherwise("stage"),
    ).drop("_lapsed_on")


def people_who_left(
    rng: np.random.Generator, contacts: pl.DataFrame, activities: pl.DataFrame
) -> pl.DataFrame:
    """Return the contacts with ``has_left``: some of those we have not touched lately.

    A person who left is no longer touched, so only people with no activity in
    the last :data:`LEFT_QUIET_DAYS` days qualify, and :data:`LEFT_SHARE_OF_QUIET`
    of them left. The CRM carries the flag: false for everyone else.
    """
    recent = activities.filter(
        pl.col("contact_id").is_not_null()
        & (pl.col("activity_date") > DEMO_END - timedelta(days=LEFT_QUIET_DAYS))
    )["contact_id"].unique()
    quiet = ~contacts["contact_id"].is_in(recent.implode()).to_numpy()
    left = quiet & (rng.random(contacts.height) < LEFT_SHARE_OF_QUIET)
    return contacts.with_columns(has_left=pl.Series(left, dtype=pl.Boolean))
