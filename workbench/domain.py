"""The domain's vocabulary and the small types every layer shares.

Buying roles, attitudes, activity kinds, relationship types, who is acting, problems
found in input, and one account's buying-centre data. Every layer may import this
module; it imports nothing of the workbench's own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Literal

import polars as pl

ProblemLevel = Literal["error", "warning"]
Role = Literal["viewer", "analyst", "admin"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely enough to fix it.

    ``row`` counts data rows from 1 as a spreadsheet shows them after the header
    (``None`` when the problem is about the whole file or a column); ``column`` is
    the column's name in the file as given.
    """

    level: ProblemLevel
    file: str
    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        """Return the problem as a plain dict (for JSON and tables)."""
        return asdict(self)


@dataclass(frozen=True)
class Actor:
    """Who performs an action, and with which role; every write takes one."""

    name: str
    role: Role


#: The single user of a local, login-free workbench: may do everything.
LOCAL_ACTOR = Actor(name="local", role="admin")


#: NPS survey types: relationship (a periodic survey of everyone) and touchpoint
#: (after a support case or a delivery); they answer different questions and are
#: never pooled (docs/voice.md).
SURVEY_TYPES: tuple[str, ...] = ("relationship", "touchpoint")

#: Vocabularies, kept as separate axes (docs/schema.md explains each value).
BUYING_ROLES: tuple[str, ...] = (
    "initiator",
    "user",
    "influencer",
    "buyer",
    "decider",
    "gatekeeper",
    "approver",
)
ATTITUDES: tuple[str, ...] = ("champion", "supporter", "neutral", "skeptic", "blocker")
INFLUENCE_RANGE: tuple[int, int] = (1, 5)
ACTIVITY_KINDS: tuple[str, ...] = (
    "call",
    "email",
    "meeting",
    "visit",
    "demo",
    "workshop",
    "joint_planning",
    "support",
    "quote",
    "task",
    "event",
    "note",
)

#: Contact departments that count as purchasing (compared lower-case).
PROCUREMENT_DEPARTMENTS: tuple[str, ...] = (
    "procurement",
    "purchasing",
    "sourcing",
    "buying",
    "einkauf",
    "采购",
    "採購",
)
#: Contact departments that count as executive (compared lower-case).
EXECUTIVE_DEPARTMENTS: tuple[str, ...] = (
    "executive",
    "management",
    "board",
    "c-level",
    "管理层",
    "管理層",
)
#: Org levels (1 = top of the account's reporting tree) that count as executive.
EXECUTIVE_MAX_LEVEL = 2
#: Activity kinds done together with the customer (a partnership signal).
JOINT_ACTIVITY_KINDS: tuple[str, ...] = ("joint_planning", "workshop")
RELATIONSHIP_TYPES: tuple[str, ...] = ("transactional", "partnership")

#: Contact fields the workbench lets people set; every change is kept in contact_edits.
CONTACT_EDIT_FIELDS: tuple[str, ...] = ("buying_role", "influence", "attitude")


@dataclass(frozen=True)
class BuyingCentreData:
    """One account's people, links and our touches in a time window, ready for analysis.

    ``contacts`` has one row per person of the account: ``contact_id, name, title,
    department, reports_to_id, manager_account_id`` (the account of the person named
    in ``reports_to_id``, NULL when nobody has that ID), ``buying_role, influence,
    attitude, email, phone, last_touch`` (our last activity with them up to ``end``),
    ``nps_score, nps_date`` (their latest NPS answer up to ``end``).

    ``influences`` has ``from_contact_id, to_contact_id, strength`` for every link
    with at least one end in the account.

    ``touches`` aggregates our activities in the window per (seller, contact):
    ``seller_id, seller_name, seller_team, contact_id`` (NULL when the activity named
    no person), ``touches, minutes, last_touch``.
    """

    account_id: str
    account_name: str
    start: date  # window start, exclusive
    end: date  # window end, inclusive: the "as of" day
    contacts: pl.DataFrame
    influences: pl.DataFrame
    touches: pl.DataFrame


def months_before(day: date, months: int) -> date:
    """Return the same day ``months`` calendar months earlier (clamped to month end)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month_first = date(year + (month == 12), month % 12 + 1, 1)
    last_day = date.fromordinal(next_month_first.toordinal() - 1).day
    return date(year, month, min(day.day, last_day))
