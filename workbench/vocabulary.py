"""The import's canonical tables and the CRM spellings of the domain's values.

Data tables shared by the import's two halves: ``workbench.ingest`` maps a file's
headers and values onto them, and the store's import checks validate and convert
the staged text against them. Imports only :mod:`workbench.domain`.
"""

from __future__ import annotations

from workbench.domain import ACTIVITY_KINDS, BUYING_ROLES, SITUATION_FACTORS

SOURCES: tuple[str, ...] = (
    "salesforce",
    "hubspot",
    "dynamics",
    "chinese_crm",
    "generic",
)

#: An ERP revenue file's amounts (per customer and month).
ERP_AMOUNT_COLUMNS: tuple[str, ...] = (
    "revenue",
    "cost",
    "margin",
    "margin_pct",
    "logistics_cost",
    "discount_cost",
    "support_cost",
)

#: Column kinds decide how text becomes a value (store parses them in SQL).
NUMBER_COLUMNS = frozenset(
    {
        "annual_revenue",
        "wallet_estimate",
        "gross_margin_pct",
        "direct_cost_annual",
        "amount",
        "duration_minutes",
        "duration_seconds",
        *ERP_AMOUNT_COLUMNS,
        # what a deal is worth a year and over its term
        "annual_value",
        "total_value",
        "recurring_annual",
        "recurring_monthly",
    }
)
INTEGER_COLUMNS = frozenset({"employees", "score", "strength", "term_months", "year"})
DATE_COLUMNS = frozenset(
    {
        "created_on",
        "close_date",
        "activity_date",
        "responded_on",
        "start_date",
        "end_date",
    }
)
BOOL_COLUMNS = frozenset(
    {"is_closed", "is_won", "is_primary", "is_deleted", "all_day", "is_series"}
)

#: The accounts table's columns, in the store's order (schema.py; the demo builds
#: its accounts in this order and tests check the table against it).
ACCOUNT_COLUMNS: tuple[str, ...] = (
    "account_id",
    "name",
    "industry",
    "region",
    "country",
    "annual_revenue",
    "employees",
    "parent_account_id",
    "owner_seller_id",
    "wallet_estimate",
    "gross_margin_pct",
    "created_on",
    "source",
    "source_id",
    "contract_type",
    "direct_cost_annual",
    # the CRM's type text, and what it says in the workbench's words
    # (workbench.account_types)
    "crm_type",
    "account_type",
)

#: The contacts table's columns, in the store's order (schema.py).
CONTACT_COLUMNS: tuple[str, ...] = (
    "contact_id",
    "account_id",
    "name",
    "title",
    "department",
    "reports_to_id",
    "buying_role",
    "influence",
    "attitude",
    "email",
    "phone",
    "source",
    "source_id",
    # whether the CRM says the person has left the account (NULL: it says
    # nothing; workbench.contact_states)
    "has_left",
)

#: The opportunities table's columns, in the store's order (schema.py).
OPPORTUNITY_COLUMNS: tuple[str, ...] = (
    "opportunity_id",
    "account_id",
    "name",
    "stage",
    "amount",
    "close_date",
    "is_closed",
    "is_won",
    "owner_seller_id",
    "created_on",
    "source",
    "source_id",
    "contract_id",
    "term_months",
)

#: Canonical columns per target table, including helper columns that are not
#: stored as such (names by which a record refers to another, first/last names,
#: seconds, the deleted flag).
CANONICAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "sellers": (
        "seller_id",
        "name",
        "first_name",
        "last_name",
        "team",
        "title",
        "email",
        "is_deleted",
    ),
    "accounts": (
        *(
            c
            for c in ACCOUNT_COLUMNS
            if c not in {"source", "source_id", "account_type"}
        ),
        "parent_account_name",
        "owner_seller_name",
        # the buying situation where the CRM rates it (ingest.sources.situation)
        *SITUATION_FACTORS,
        "is_deleted",
        # the record this one was merged into in the CRM (Salesforce's
        # MasterRecordId, Dynamics' masterid): not stored, the row is left out
        # (workbench.store.imports.merges.merged_away)
        "master_id",
        # the IDs merged into this record (HubSpot's hs_merged_object_ids,
        # "101;102"): not stored, another file's row naming one of them is read
        # as naming this record (workbench.store.imports.merges)
        "merged_ids",
    ),
    "contacts": (
        *(c for c in CONTACT_COLUMNS if c not in {"source", "source_id"}),
        "account_name",
        "first_name",
        "last_name",
        "reports_to_name",
        "is_deleted",
        # as an account's: the person this one was merged into, and the people
        # merged into this one (not stored)
        "master_id",
        "merged_ids",
    ),
    "opportunities": (
        *(c for c in OPPORTUNITY_COLUMNS if c not in {"source", "source_id"}),
        "account_name",
        "owner_seller_name",
        # What a deal is worth a year and over its term (HubSpot's ACV, TCV,
        # ARR, MRR properties; a contract term in months): see docs/import.md.
        "annual_value",
        "total_value",
        "recurring_annual",
        "recurring_monthly",
        "is_deleted",
        # the CRM's state of the deal (Dynamics' statecode 0 open, 1 won, 2
        # lost, or its label): not stored, it says won or lost before the
        # stage's name (workbench.store.imports.deal_state)
        "state_code",
        # the currency the deal's amounts are in (not stored: the import warns
        # of a deal in another currency than the portfolio's)
        "currency",
    ),
    "opportunity_contacts": (
        "opportunity_id",
        "contact_id",
        "role",
        "is_primary",
        "is_deleted",
    ),
    "activities": (
        "activity_id",
        "account_id",
        "account_name",
        "contact_id",
        "contact_name",
        "seller_id",
        "seller_name",
        "kind",
        # the CRM's type picklist beside its subtype (Salesforce's Type), read
        # where the kind names only the object (OBJECT_KINDS; not stored)
        "activity_type",
        "activity_date",
        "duration_minutes",
        "duration_seconds",
        # an all-day event: its duration is the calendar's span, counted as a
        # working day a day (not stored: workbench.domain.WORKING_DAY_MINUTES)
        "all_day",
        # a recurring series' main record, beside its occurrences (not stored:
        # left out, see workbench.store.imports.task_status)
        "is_series",
        # Salesforce's GroupEventType: 3 is a Lightning series' record (the
        # pattern, beside its occurrences), 2 a meeting proposed and not yet
        # confirmed (not stored: both left out, see task_status)
        "group_event_type",
        "subject",
        "is_deleted",
        # whether the CRM holds the task as done (not stored: see
        # workbench.store.imports.task_status)
        "is_closed",
        "status",
        # Dynamics' numeric state (0 open, 1 completed, 2 cancelled, 3
        # scheduled), where an export gives the code and not its label
        "state_code",
    ),
    "contact_influences": ("from_contact_id", "to_contact_id", "strength"),
    "contracts": (
        "contract_id",
        "account_id",
        "account_name",
        "start_date",
        "end_date",
        "term_months",
        "status",
        "is_deleted",
    ),
    # Revenue and cost per customer and month from an ERP (an optional file):
    # ``month`` is a month (2024-03, 202403, 2024年3月, Mar-24) or, with
    # ``year``, the period's number (金蝶: 年度 + 期间).
    "erp_revenue": (
        "account_id",
        "account_name",
        "month",
        "year",
        *ERP_AMOUNT_COLUMNS,
        # the currency of the line's amounts (not stored: a line in another
        # currency than the portfolio's is named, never converted)
        "currency",
    ),
}
#: The table's own ID column (None: the table has no single key).
KEY_COLUMNS: dict[str, str | None] = {
    "sellers": "seller_id",
    "accounts": "account_id",
    "contacts": "contact_id",
    "opportunities": "opportunity_id",
    "opportunity_contacts": None,
    "activities": "activity_id",
    "contact_influences": None,
    "contracts": "contract_id",
    "erp_revenue": None,
}
TARGET_TABLES: tuple[str, ...] = tuple(CANONICAL_COLUMNS)

#: Currency names and non-ISO codes CRMs write, case-folded → ISO 4217 code.
#: A three-letter value is read as a code as it stands; any other value is
#: not read (no warning is given on it).
CURRENCY_NAMES: dict[str, str] = {
    "rmb": "CNY",
    "人民币": "CNY",
    "人民幣": "CNY",
    "美元": "USD",
    "欧元": "EUR",
    "歐元": "EUR",
    "日元": "JPY",
    "日圓": "JPY",
    "英镑": "GBP",
    "英鎊": "GBP",
    "港币": "HKD",
    "港幣": "HKD",
    "us dollar": "USD",
    "euro": "EUR",
    "pound sterling": "GBP",
    "yen": "JPY",
    "yuan renminbi": "CNY",
    "chinese yuan": "CNY",
}

#: Columns a row may fill from the file's other headers for the same thing
#: when the mapped one is empty, per table: the other headers a dictionary
#: knows for the column, in its order (the mapped one first). An activity's
#: date: every header a CRM's dictionary lists for it dates the same activity
#: (Salesforce's due date ``ActivityDate``, then ``CompletedDateTime``, then
#: ``CreatedDate``; Dynamics' actual start, then its scheduled start; HubSpot's
#: activity date, then its creation). A CRM leaves the first empty routinely
#: (a Salesforce to-do done without a due date), and an activity with no date
#: counts in no 12-month figure. A deal's amount and close date: Dynamics
#: gives a closed deal's actual value and close date, an open one's estimated
#: value and close date, the first empty while the deal is open; HubSpot's
#: amount in the company's currency, then the deal's own. IDs and names never
#: fall back: another header's ID may name another record.
ROW_FALLBACK_COLUMNS: dict[str, tuple[str, ...]] = {
    "activities": ("activity_date",),
    "opportunities": ("amount", "close_date"),
}

#: A date column's text that is a date no CRM means, for the row fallbacks: a
#: year before 1970 or from 2100 on, where a date writes its year (first, as
#: ISO does and 年 follows; or last of a day, a month and a year). SQL Server,
#: .NET, Excel and Dynamics write 0001-01-01, 1753-01-01, 1899-12-30 or
#: 1900-01-01 for an empty date, an ERP 9999-12-31 for none, a typist 2102
#: for 2012. Where the mapped header holds one and another header a date, the
#: row takes the other (the date that is there, not the CRM's stand-in for
#: none); where none does, the text stands and is warned of as a date to
#: check. Only the mapped header is matched: its fallbacks are the CRM's own
#: timestamps. 1970 is not among them: a time in seconds stored as
#: milliseconds reads as January 1970 and is read as its seconds instead.
PLACEHOLDER_DATE_PATTERN = (
    r"^\s*(?:(?:0\d{3}|1[0-8]\d{2}|19[0-6]\d|2[1-9]\d{2}|[3-9]\d{3})[-/.年]"
    r"|\d{1,2}[-/.]\d{1,2}[-/.](?:0\d{3}|1[0-8]\d{2}|19[0-6]\d|2[1-9]\d{2}|[3-9]\d{3})"
    r"(?:\D|$))"
)


# --- vocabularies -----------------------------------------------------------------

#: Value (case-folded, trimmed) → (buying_role, attitude). A role of "" is an
#: explicit "no role" (Other, Unknown): stored NULL without a warning.
ROLE_VALUES: dict[str, tuple[str, str]] = {
    # the workbench's own words
    **{role: (role, "") for role in BUYING_ROLES},
    # Salesforce OpportunityContactRole.Role
    "decision maker": ("decider", ""),
    "economic buyer": ("approver", ""),
    "executive sponsor": ("approver", ""),
    "technical buyer": ("influencer", ""),
    "evaluator": ("influencer", ""),
    "business user": ("user", ""),
    "other": ("", ""),
    # HubSpot buying roles (internal values and English labels)
    "decision_maker": ("decider", ""),
    "budget_holder": ("approver", ""),
    "budget holder": ("approver", ""),
    "executive_sponsor": ("approver", ""),
    "legal_and_compliance": ("approver", ""),
    "legal and compliance": ("approver", ""),
    "end_user": ("user", ""),
    "end user": ("user", ""),
    "champion": ("", "champion"),
    "blocker": ("", "blocker"),
    # Dynamics 365 msdyn_decisioninfluencetag (labels and option values)
    "0": ("decider", ""),
    "1": ("influencer", ""),
    "2": ("", "blocker"),
    "3": ("", ""),
    "unknown": ("", ""),
    # Chinese CRMs (simplified and traditional)
    "决策者": ("decider", ""),
    "決策者": ("decider", ""),
    "使用者": ("user", ""),
    "用户": ("user", ""),
    "影响者": ("influencer", ""),
    "影響者": ("influencer", ""),
    "采购": ("buyer", ""),
    "採購": ("buyer", ""),
    "采购者": ("buyer", ""),
    "採購者": ("buyer", ""),
    "把关者": ("gatekeeper", ""),
    "把關者": ("gatekeeper", ""),
    "守门人": ("gatekeeper", ""),
    "守門人": ("gatekeeper", ""),
    "审批": ("approver", ""),
    "審批": ("approver", ""),
    "审批者": ("approver", ""),
    "批准者": ("approver", ""),
    "发起者": ("initiator", ""),
    "發起者": ("initiator", ""),
    "其他": ("", ""),
}
#: When a multi-select holds several roles, the most decisive one is kept.
ROLE_PRECEDENCE: tuple[str, ...] = (
    "decider",
    "approver",
    "buyer",
    "influencer",
    "gatekeeper",
    "initiator",
    "user",
)

ATTITUDE_VALUES: dict[str, str] = {
    **{a: a for a in ("champion", "supporter", "neutral", "skeptic", "blocker")},
    "sceptic": "skeptic",
    "支持者": "supporter",
    "支持": "supporter",
    "拥护者": "champion",
    "擁護者": "champion",
    "中立": "neutral",
    "怀疑": "skeptic",
    "懷疑": "skeptic",
    "反对者": "blocker",
    "反對者": "blocker",
    "反对": "blocker",
}
INFLUENCE_VALUES: dict[str, int] = {
    **{str(n): n for n in range(1, 6)},
    "高": 5,
    "中": 3,
    "低": 1,
    "high": 5,
    "medium": 3,
    "low": 1,
    "very high": 5,
    "very low": 1,
    "很高": 5,
    "较高": 4,
    "較高": 4,
    "一般": 3,
    "较低": 2,
    "較低": 2,
    "很低": 1,
}
#: Activity kinds (a file's kind cell, lower-case) that are one message sent to
#: many: Salesforce's List Email (``TaskSubtype`` ``ListEmail``) logs one task on
#: each recipient, as a mass e-mail does in other CRMs. Such a task is neither
#: time spent on the account nor a touch of the person: imported, the 15
#: minutes assumed of an activity without a duration put 50 hours on the
#: accounts of one list e-mail to 200 people, and each of them counted as
#: covered and engaged. A Dynamics quick campaign (``bulkoperation``) or
#: campaign activity is the campaign's own record, regarding the campaign or
#: its list: the e-mails and calls it sends are rows of their own. The import
#: leaves them out and counts them per file (docs/import.md).
ONE_TO_MANY_KINDS = frozenset(
    {
        "listemail",
        "list email",
        "mass email",
        "群发邮件",
        "群發郵件",
        "bulkoperation",
        "quick campaign",
        "campaignactivity",
        "campaign activity",
    }
)
#: Activity kinds (a file's kind cell, lower-case) that name only the CRM's
#: object: Salesforce's ``TaskSubtype`` is "Task" for every task not logged as
#: a call, an e-mail or a list e-mail, and its ``EventSubtype`` "Event" for
#: every event. Such a row's type picklist (``Type``: Call, Email, Meeting,
#: Send Letter, Send Quote and the org's own values; the column
#: ``activity_type``) says what it was where it holds a kind the vocabulary
#: knows: the Fivetran Salesforce seeds' ten events, all of subtype "Event",
#: are six calls and four meetings by their type.
OBJECT_KINDS = frozenset({"task", "event"})
#: Activity kinds (a file's kind cell, lower-case) that are a recurring
#: series' main record, not one of its occurrences: Dynamics' recurring
#: appointment master, which its activity exports list beside each occurrence
#: (an appointment of its own). See Salesforce's ``IsRecurrence`` (the column
#: ``is_series``) and ``GroupEventType`` 3 (``group_event_type``) for the same.
SERIES_KINDS = frozenset({"recurringappointmentmaster", "recurring appointment"})
KIND_VALUES: dict[str, str] = {
    **{kind: kind for kind in ACTIVITY_KINDS},
    "phone call": "call",
    "phonecall": "call",
    "appointment": "meeting",
    **dict.fromkeys(SERIES_KINDS, "meeting"),
    "e-mail": "email",
    # left out, but known: an unknown kind would send the row to be reported
    **dict.fromkeys(ONE_TO_MANY_KINDS, "email"),
    "cadence": "task",
    "todo": "task",  # HubSpot's task type for a plain to-do
    # written and remote, as an e-mail is: Salesforce's Type picklist (Send
    # Letter), Dynamics' letters and faxes, a LinkedIn message (Salesforce's
    # TaskSubtype LinkedIn, HubSpot's task type LINKED_IN)
    "letter": "email",
    "send letter": "email",
    "fax": "email",
    "linkedin": "email",
    "linked_in": "email",
    "send quote": "quote",  # Salesforce's Type picklist
    # Dynamics' service appointment: a visit of our service people
    "serviceappointment": "support",
    "service activity": "support",
    "电话": "call",
    "電話": "call",
    "邮件": "email",
    "郵件": "email",
    "会议": "meeting",
    "會議": "meeting",
    "拜访": "visit",
    "拜訪": "visit",
    "上门拜访": "visit",
    "现场拜访": "visit",
    # Chinese CRMs' usual channels (Simplified and Traditional). WeChat text is
    # written and remote like e-mail; a WeChat voice or video call is a call.
    "微信": "email",
    "wechat": "email",
    "企业微信": "email",
    "企業微信": "email",
    "微信语音": "call",
    "微信語音": "call",
    "微信电话": "call",
    "微信電話": "call",
    "电话拜访": "call",
    "電話拜訪": "call",
    "电话沟通": "call",
    "電話溝通": "call",
    "电子邮件": "email",
    "電子郵件": "email",
    "上門拜訪": "visit",
    "現場拜訪": "visit",
    "实地拜访": "visit",
    "實地拜訪": "visit",
    "视频会议": "meeting",
    "視訊會議": "meeting",
    "线上会议": "meeting",
    "線上會議": "meeting",
    "技术交流会": "workshop",
    "技術交流會": "workshop",
    "技术交流": "workshop",
    "技術交流": "workshop",
    "展会": "event",
    "展會": "event",
    "展览会": "event",
    "展覽會": "event",
    "演示": "demo",
    "產品演示": "demo",
    "产品演示": "demo",
    "培训": "workshop",
    "培訓": "workshop",
    "研讨会": "workshop",
    "报价": "quote",
    "報價": "quote",
    "支持": "support",
}
#: Stage names that mean a deal is won or lost (case-folded), when no flag says so.
WON_STAGES = frozenset(
    {
        "closed won",
        "won",
        "closedwon",
        "赢单",
        "成交",
        "已成交",
        "贏單",
        "gewonnen",
        "ganado",
        "gagné",
    }
)
LOST_STAGES = frozenset(
    {
        "closed lost",
        "lost",
        "closedlost",
        "输单",
        "丢单",
        "輸單",
        "verloren",
        "perdido",
        "perdu",
    }
)
TRUE_VALUES = (
    "true",
    "t",
    "1",
    "yes",
    "y",
    "是",
    "是的",
    "真",
    "ja",
    "oui",
    "sí",
    "si",
    "x",
)
FALSE_VALUES = ("false", "f", "0", "no", "n", "否", "不是", "假", "nein", "non")
