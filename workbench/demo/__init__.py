"""A deterministic demo portfolio that looks like an industrial supplier's.

Each account gets an *archetype* that drives its numbers, so that every value
segment and both relationship types occur under the default thresholds:

- ``strategic``: large, profitable, long-tenured, served across functions and
  executives, multi-year contract, joint planning (most valuable, partnership);
- ``growth``: a big wallet of which we hold little, growing year on year (most
  growable);
- ``overserved``: small, low-margin, spot buyers who nonetheless get many visits,
  demos and support calls (below zero, transactional, visibly over-served);
- ``steady``: mid-sized purchasing-led relationships (maintain, transactional);
- ``partner``: mid-sized accounts with partnership signals (maintain or valuable).

Real exports are patchier than archetypes, so the demo is too: strategic and
partner accounts signed a three-year framework agreement about 14 months before
the demo's end (a ``contracts`` row that the signing deal names), one account
in 30 arrives from a CRM sync with nothing but its record (no people, deals or
activity: ``no_data``), and :mod:`.realism` makes the org charts sparse, leaves
many logged e-mails and calls without a person (a few without a seller), and
lets some transactional accounts lapse. Beside the customers, the CRM holds
one partner or competitor for every twenty customers (:mod:`.others`: typed
"Technology Partner", "Installation Partner" or "Competitor", with people and
activities and no deal), which the segments leave out: ``accounts`` counts the
customers. Sellers belong to teams whose roles
(key account management, technical presales, inside sales, service, executive
sponsors) price their hours differently.

Everything comes from one seeded NumPy generator; the same options give the same
tables, row for row. Nothing here touches the database: :func:`write_demo` hands
the frames to :mod:`workbench.store`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from workbench import store
from workbench.demo.accounts import _accounts, _sellers
from workbench.demo.activities import _activities
from workbench.demo.deals import (
    _framework_contracts,
    _nps,
    _opportunities,
    _opportunity_contacts,
)
from workbench.demo.others import other_accounts
from workbench.demo.people import _contacts, _influences
from workbench.demo.realism import (
    lapsed_customers,
    people_who_left,
    sparse_org_chart,
    unnamed_activities,
)
from workbench.demo.vocabulary import (
    ARCHETYPES,
    CONTACTS_PER_ACCOUNT,
    DEFAULT_ACCOUNTS,
    DEFAULT_ACTIVITIES,
    DEFAULT_SEED,
    DEMO_END,
)

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "ARCHETYPES",
    "CONTACTS_PER_ACCOUNT",
    "DEFAULT_ACCOUNTS",
    "DEFAULT_ACTIVITIES",
    "DEFAULT_SEED",
    "DEMO_END",
    "archetypes",
    "generate",
    "write_demo",
]


def generate(
    accounts: int = DEFAULT_ACCOUNTS,
    activities: int = DEFAULT_ACTIVITIES,
    *,
    contacts: int | None = None,
    sellers: int | None = None,
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] | None = None,
) -> dict[str, pl.DataFrame]:
    """Return the demo portfolio as one polars frame per table, ready for the store.

    Args:
        accounts: number of customer accounts (one partner or competitor for
            every twenty comes on top, with its people and activities).
        activities: number of the customers' activities (calls, visits,
            e-mails, ...) over three years.
        contacts: total customer contacts; default ``CONTACTS_PER_ACCOUNT`` per account.
        sellers: our own people; default 40, or one per 25 accounts when larger.
        seed: the random seed; the same arguments always give the same frames.
        progress: called with a short message as each table is built.
    """
    if accounts < 1 or activities < 0:
        raise ValueError("accounts must be at least 1 and activities not negative")
    say = progress or (lambda _message: None)
    rng = np.random.default_rng(seed)
    n_sellers = sellers or max(40, accounts // 25)
    n_contacts = contacts or accounts * CONTACTS_PER_ACCOUNT
    if n_contacts < accounts:
        raise ValueError("need at least one contact per account")

    say("sellers")
    sellers_frame = _sellers(rng, n_sellers)
    say("accounts")
    all_accounts = _accounts(rng, accounts, sellers_frame)
    # A few steady accounts arrive from a CRM sync with nothing else on record:
    # no people, deals or activity. They are shown apart, never ranked.
    empty = empty_account_ids(all_accounts)
    accounts_frame = all_accounts.filter(~pl.col("account_id").is_in(empty))
    say("contacts")
    contacts_frame = _contacts(rng, accounts_frame, n_contacts)
    influences = _influences(rng, contacts_frame)
    say("opportunities")
    opportunities = _opportunities(rng, accounts_frame, sellers_frame)
    opportunity_contacts = _opportunity_contacts(rng, opportunities, contacts_frame)
    say("activities")
    activities_frame = _activities(
        rng, activities, accounts_frame, contacts_frame, sellers_frame
    )
    say("nps responses")
    nps = _nps(rng, accounts_frame, contacts_frame)
    # Contracts draw from their own generator so the tables above stay as they were.
    contracts, opportunities = _framework_contracts(
        np.random.default_rng(seed + 1), accounts_frame, opportunities
    )
    # ... and so does what makes the portfolio look like a real export.
    real = np.random.default_rng(seed + 2)
    contacts_frame = sparse_org_chart(real, contacts_frame)
    activities_frame = unnamed_activities(real, activities_frame)
    opportunities = lapsed_customers(real, accounts_frame, opportunities)
    customers = all_accounts.with_columns(
        [
            pl.when(pl.col("account_id").is_in(empty))
            .then(None)
            .otherwise(pl.col(c))
            .alias(c)
            for c in ("contract_type", "direct_cost_annual")
        ]
    ).drop("archetype", "naming", "true_wallet", "our_share", "growth")
    contacts_frame = contacts_frame.drop("level", "naming")
    # ... and the partners and competitors a CRM holds beside the customers
    others = other_accounts(np.random.default_rng(seed + 3), customers, sellers_frame)
    everyone = pl.concat(
        [contacts_frame, others["contacts"].select(contacts_frame.columns)],
        how="vertical_relaxed",
    )
    all_activities = pl.concat(
        [activities_frame, others["activities"].select(activities_frame.columns)],
        how="vertical_relaxed",
    )
    return {
        "sellers": sellers_frame,
        # relaxed: a small portfolio's column may hold no value (a Null type)
        "accounts": pl.concat([customers, others["accounts"]], how="vertical_relaxed"),
        # ... and the people who left since, as the CRM marks them
        "contacts": people_who_left(
            np.random.default_rng(seed + 4), everyone, all_activities
        ),
        "contact_influences": influences,
        "opportunities": opportunities,
        "opportunity_contacts": opportunity_contacts,
        "activities": all_activities,
        "nps_responses": nps,
        "contracts": contracts,
    }


#: One account in this many arrives empty (from 30 accounts on).
EMPTY_ACCOUNT_EVERY = 30


def empty_account_ids(accounts: pl.DataFrame) -> list[str]:
    """Return the demo's empty accounts: the last steady ones, one in 30 accounts."""
    count = accounts.height // EMPTY_ACCOUNT_EVERY
    steady = accounts.filter(pl.col("archetype") == "steady")["account_id"]
    return steady.tail(count).to_list() if count else []


def archetypes(
    accounts: int = DEFAULT_ACCOUNTS, seed: int = DEFAULT_SEED
) -> pl.DataFrame:
    """Return the archetype the generator gave each account (for tests and docs)."""
    rng = np.random.default_rng(seed)
    sellers_frame = _sellers(rng, max(40, accounts // 25))
    return _accounts(rng, accounts, sellers_frame).select("account_id", "archetype")


def write_demo(
    con: store.Connection,
    accounts: int = DEFAULT_ACCOUNTS,
    activities: int = DEFAULT_ACTIVITIES,
    *,
    contacts: int | None = None,
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Replace all CRM data in the database with the demo portfolio; return row counts.

    The work done in the workbench (plans, decisions, estimates, edits) is kept
    where its records are in the new portfolio (the same demo written again);
    work on records it no longer holds goes, so that nothing points at nothing.
    """
    frames = generate(
        accounts, activities, contacts=contacts, seed=seed, progress=progress
    )
    if progress:
        progress("writing to the database")
    with store.write_transaction(con) as cur:
        # the work on records the new demo no longer holds goes with them
        store.replace_data(cur, frames)
        store.set_meta(cur, "demo_seed", str(seed))
        store.mark_demo(cur, True)
    return {table: frame.height for table, frame in frames.items()}
