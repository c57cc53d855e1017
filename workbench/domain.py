"""The domain's vocabulary and the small types every layer shares.

Buying roles, attitudes, activity kinds, relationship types, who is acting, problems
found in input, and one account's buying-centre data. Every layer may import this
module; it imports nothing of the workbench's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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
    the column's name in the file as given. ``code`` is the problem's kind, a
    stable word (``reporting_cycle``, ``missing_reference`` …) that lists and counts
    group by, so that rewording a message never regroups it; None when the code
    that found it gave none.
    """

    level: ProblemLevel
    file: str
    row: int | None
    column: str | None
    message: str
    code: str | None = None
    #: The message as a template and its parameters, to say it in the reader's
    #: language (``message`` is its English text); None when it was written whole.
    wording: Wording | None = field(default=None, compare=False, repr=False)
    #: How many rows of the file a whole-file note counts (rows deleted in the
    #: CRM, tasks not done), for the plan to add up; None for other problems.
    rows: int | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, object]:
        """Return the problem as a plain dict (for JSON and tables): English prose."""
        return {
            "level": self.level,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "code": self.code,
        }


#: How the refusal of one file is put together: its name, then why (never a
#: catalogue message: the reason is the part that is worded).
FILE_REFUSAL = "{file}: {reason}"


@dataclass(frozen=True)
class Wording:
    """A sentence as its English template and named parameters.

    Kept so that a message made in one place (an import's checks) can be shown in
    another language where it is read: the template is the catalogue's message
    (``"{value} is not a date"``), the parameters are data (file names, values,
    counts), never translated, except a parameter that is itself a Wording (a
    fragment such as the store's reason), which is worded in the same language.
    """

    template: str
    params: tuple[tuple[str, object], ...] = ()

    def text(self, translate: Callable[[str], str] = str) -> str:
        """Return the sentence, its template passed through ``translate`` (English: as is)."""
        values = {
            name: value.text(translate) if isinstance(value, Wording) else value
            for name, value in self.params
        }
        return translate(self.template).format(**values)


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
#: Org levels (1 = top of the account's reporting tree) that count as executive
#: when the person's title is unknown and the tree is deep enough to trust
#: (:data:`EXECUTIVE_MIN_TREE_DEPTH`).
EXECUTIVE_MAX_LEVEL = 2

# --- seniority: the one rule for "executive" (map, effort, segments, plans) ----------
#
# A person is an executive when they are not in purchasing and
#   1. their title names a senior post (EXECUTIVE_TITLE_PATTERN) and no assistant
#      post (EXECUTIVE_TITLE_EXCLUDE_PATTERN), or
#   2. their department is the executive office itself (EXECUTIVE_DEPARTMENT_PATTERN),
#   3. or, only when their title is unknown, they sit on the top EXECUTIVE_MAX_LEVEL
#      levels of a reporting tree at least EXECUTIVE_MIN_TREE_DEPTH levels deep.
# Having no manager on record is never enough: CRMs know the manager of a fifth of
# the people at best, and the others are not all at the top. The store applies the
# patterns in SQL (bound as parameters) and analytics.network in polars; both are
# RE2/Rust-regex compatible (no look-around).

#: Titles of senior posts, English, German and Chinese (simplified and traditional).
EXECUTIVE_TITLE_PATTERN = (
    r"(?i)\b(ceo|cfo|coo|cto|cio|cmo|cro|cso|chro|cdo|chief|president|vp|svp|evp"
    r"|avp|vice[ -]president|director|head of|managing director|general manager|gm"
    r"|chair|chairman|chairwoman|chairperson|founder|co-founder|geschäftsführer"
    r"|geschaeftsfuehrer|vorstand|prokurist|directeur|président)\b"
    r"|总经理|總經理|总裁|總裁|董事|副总|副總|总监|總監|首席|厂长|廠長|部长|部長"
    r"|负责人|負責人|主席|行长|行長|院长|院長"
)
#: Titles that name a senior post but are not one ("Assistant to the CEO").
EXECUTIVE_TITLE_EXCLUDE_PATTERN = (
    r"(?i)\b(assistant|secretary|intern|trainee)\b|助理|秘书|秘書|实习|實習"
)
#: Departments that are the executive office itself (the whole name, not a part of
#: it: "Product Management" is not the management).
EXECUTIVE_DEPARTMENT_PATTERN = (
    r"(?i)^\s*(executive|executives|executive (office|board|management|committee)"
    r"|management|management board|senior management|top management|board"
    r"|board of directors|c-suite|c-level|vorstand|geschäftsführung"
    r"|geschäftsleitung|direction générale"
    r"|管理层|管理層|高管|高层|高層|总经办|總經辦|总裁办|總裁辦|董事会|董事會)\s*$"
)
#: Departments that count as purchasing (a part of the name is enough).
PROCUREMENT_DEPARTMENT_PATTERN = (
    r"(?i)procurement|purchas|sourcing|einkauf|\bbuying\b|achats|采购|採購"
)
#: A reporting tree this deep (levels) makes its top levels count as executive for
#: people whose title is unknown; a shallower one is a team whose boss is missing.
EXECUTIVE_MIN_TREE_DEPTH = 3


def seniority_patterns() -> dict[str, str]:
    """Return the seniority rule's patterns, keyed as the store binds them."""
    return {
        "executive_title": EXECUTIVE_TITLE_PATTERN,
        "executive_title_exclude": EXECUTIVE_TITLE_EXCLUDE_PATTERN,
        "executive_department": EXECUTIVE_DEPARTMENT_PATTERN,
        "procurement_department": PROCUREMENT_DEPARTMENT_PATTERN,
    }


# --- cost to serve: what an hour of each seller role costs -----------------------
#
# Cost to serve counts every logged hour at the hourly cost of the seller's role
# (their team or title names it), so an executive's hour costs more than an inside
# seller's. A seller whose role nobody can tell stays at the flat hourly cost (a
# segmentation threshold) and the figures say so. The defaults are rough fully
# loaded costs (salary, on-costs, travel and tools over about 1,600 productive
# hours a year) of a European or North American B2B supplier, in the portfolio's
# currency; every database keeps its own edited copy (the Segments page's cost
# table), and a rate can also be set for one team by its exact name.

#: Seller roles, in the order the cost table lists them.
SELLER_ROLES: tuple[str, ...] = (
    "executive",
    "key_account_manager",
    "field_sales",
    "inside_sales",
    "presales",
    "service",
)
#: Default hourly cost per seller role (see above for where they come from).
DEFAULT_HOURLY_COST_BY_ROLE: dict[str, float] = {
    "executive": 250.0,
    "key_account_manager": 120.0,
    "field_sales": 100.0,
    "inside_sales": 55.0,
    "presales": 110.0,
    "service": 65.0,
}
#: How a seller's role is told from their team and title (the first match wins, in
#: this order; case-insensitive, English and Chinese). RE2/Rust-regex compatible.
SELLER_ROLE_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "executive",
        r"(?i)\b(ceo|coo|cso|cro|chief|president|vp|svp|evp|vice[ -]president"
        r"|managing director|general manager|sales director|executive sponsors?)\b"
        r"|总经理|總經理|总裁|總裁|副总|副總|总监|總監|董事",
    ),
    (
        "presales",
        r"(?i)\b(pre-?sales|solutions?|application engineer|sales engineer"
        r"|technical sales|solution consultant|se)\b|售前|解决方案|解決方案|应用工程师|應用工程師",
    ),
    (
        "service",
        r"(?i)\b(service|support|customer success|csm|field engineer)\b"
        r"|服务|服務|客服|售后|售後|支持",
    ),
    (
        "inside_sales",
        r"(?i)\b(inside|inside sales|sdr|bdr|telesales|tele-sales|sales development"
        r"|business development rep\w*)\b|电销|電銷|电话销售|電話銷售|内勤|內勤",
    ),
    (
        "key_account_manager",
        r"(?i)\b(key account|kam|strategic account|global account|enterprise account)"
        r"|大客户|大客戶|重点客户|重點客戶",
    ),
    (
        "field_sales",
        r"(?i)\b(field sales|account executive|account manager|sales representative"
        r"|sales rep|territory|area sales|regional sales|salesperson|sales)\b"
        r"|销售|銷售|业务员|業務員|客户经理|客戶經理",
    ),
)


#: What an account is to the supplier, as the CRM types it (Salesforce's and
#: HubSpot's ``Type``, Dynamics' relationship type): the stored ``account_type``.
#: A reseller buys from us to sell on, a prospect may yet buy: both are customers
#: to segment. Unknown where the CRM gives no type or one the workbench does not
#: know (then the account is treated as a customer, as before types were read).
ACCOUNT_TYPES: tuple[str, ...] = (
    "customer",
    "prospect",
    "reseller",
    "partner",
    "competitor",
    "supplier",
    "press",
    "investor",
    "other",
)
#: The account types that are not customers: a competitor, a partner we work
#: with (technology, installation, consulting), a supplier or vendor, the press
#: or an investor. Such an account is imported and shown in its buying centre,
#: but not segmented, valued or counted in the effort comparison (docs/import.md,
#: "Account types"): effort spent on a partner is not effort to serve a
#: customer, and a partner bringing no revenue is not a customer below zero.
#: Unless a deal (won, open or lost) or ERP revenue is on record for it: then
#: we sell to it too, and it is segmented.
NOT_CUSTOMER_TYPES: tuple[str, ...] = (
    "partner",
    "competitor",
    "supplier",
    "press",
    "investor",
)


#: Activity kinds done together with the customer (a partnership signal).
JOINT_ACTIVITY_KINDS: tuple[str, ...] = ("joint_planning", "workshop")
RELATIONSHIP_TYPES: tuple[str, ...] = ("transactional", "partnership")

#: The buying situation (Hutt & Speh) that decides the relationship to aim for: the
#: factors a workshop rates per account, each from 1 (low) to 5 (high). Many supply
#: alternatives point to a transactional relationship; every other factor, when
#: high, to a partnership.
SITUATION_FACTORS: tuple[str, ...] = (
    "purchase_importance",
    "purchase_complexity",
    "switching_costs",
    "supply_alternatives",
    "strategic_fit",
)
#: The lowest and highest level of a situation factor.
SITUATION_LEVELS: tuple[int, int] = (1, 5)

#: The days a CRM's or ERP's date can mean what it says: from the first to the last
#: (exclusive). Before 1980 no CRM held records (the first sales-contact programs
#: came in the mid-1980s); what real exports hold there is a placeholder for "no
#: date" (0001-01-01, 1899-12-30, 1900-01-01) or a timestamp read in the wrong
#: unit (seconds read as milliseconds land in January 1970: the Fivetran HubSpot
#: seeds' meetings start on 1970-01-19). From 2100 on, a date is an open end
#: (9999-12-31, an ERP's "no end") or a typed year (2102 for 2012). The import warns
#: of both with the row; the analytics read no tenure, contract term or data range
#: from them (docs/import.md, "Dates to check").
PLAUSIBLE_DAYS: tuple[date, date] = (date(1980, 1, 1), date(2100, 1, 1))

#: Times in seconds since 1970 a system upstream may have stored as
#: milliseconds, first and last: September 2001 to September 2039, which read
#: as milliseconds are a time from 1970-01-12 13:46:40 to 1970-01-26 11:06:39.
#: No CRM held a record then, so the import reads such a time (with its time of
#: day) as the seconds it holds, and warns of it (docs/import.md).
SECONDS_READ_AS_MILLISECONDS: tuple[int, int] = (1_000_000_000, 2_199_999_999)

#: The effort an all-day event counts for each day it spans, in minutes: a
#: working day of 8 hours. A CRM writes an all-day event (a trade fair, an
#: on-site workshop, a day at the customer's plant) as 1,440 minutes a day
#: (Salesforce's ``DurationInMinutes`` with ``IsAllDayEvent``, a Dynamics
#: appointment's duration with ``isalldayevent``): the calendar's span, not 24
#: hours of a seller's work. Counted as written, one such day weighed as much
#: as sixteen 90-minute meetings in the effort an account takes. The import
#: counts it as a working day for each day it spans and warns of it with its
#: row (docs/import.md).
WORKING_DAY_MINUTES = 8 * 60

#: Contact fields the workbench lets people set; every change is kept in contact_edits.
CONTACT_EDIT_FIELDS: tuple[str, ...] = (
    "buying_role",
    "influence",
    "attitude",
    # a person who left the account (the CRM's flag, or the workshop's word):
    # kept with their history, left out of the current buying centre
    "has_left",
)


@dataclass(frozen=True)
class BuyingCentreData:
    """One account's people, links and our touches in a time window, ready for analysis.

    ``contacts`` has one row per person of the account: ``contact_id, name, title,
    department, reports_to_id, manager_account_id`` (the account of the person named
    in ``reports_to_id``, NULL when nobody has that ID), ``buying_role, influence,
    attitude, email, phone, has_left`` (the CRM or a workshop says the person left the
    account; false when nothing says so), ``last_touch`` (our last activity with them
    up to ``end``),
    ``nps_score, nps_date`` (their latest NPS answer up to ``end``), ``nps_answers``
    (how many answers they gave up to ``end``).

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
