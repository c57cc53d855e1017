"""HubSpot: UI exports in several portal languages and the Fivetran layout."""

from __future__ import annotations

from workbench.ingest.sources.layout import ObjectLayout
from workbench.ingest.sources.situation import SITUATION_ALIASES

# HubSpot UI exports in English, Spanish, German, French and Chinese portals, and
# the Fivetran layout (property_<internal name>).
ID_HEADERS = (
    "Record ID",
    "ID de registro",
    "Datensatz-ID",
    "ID de l'enregistrement",
    "ID de la fiche",
    "记录 ID",
    "記錄 ID",
    "hs_object_id",
)
_CREATE_DATE = (
    "Create Date",
    "Fecha de creación",
    "Erstelldatum",
    "Date de création",
    "创建日期",
    "property_createdate",
)
_DELETED = ("is_deleted", "_fivetran_deleted")
#: The IDs of the records merged into this one (``101;102``): the property's
#: name, and its label in an export.
_MERGED_IDS = (
    "hs_merged_object_ids",
    "property_hs_merged_object_ids",
    "Merged record IDs",
)
COMPANY_ID_HEADERS = (
    "Associated Company IDs (Primary)",
    "Associated Company ID",
    "Associated Company IDs",
    "ID de empresas asociadas (principal)",
    "ID de empresa asociada",
    "Zugeordnete Unternehmens-IDs (primär)",
    "Zugeordnete Unternehmens-ID",
    "ID d'entreprises associées (principale)",
    "ID d'entreprise associée",
    "关联公司 ID (主要)",
    "关联公司 ID",
    "associatedcompanyid",
)


#: A deal's amount in the company's own currency, which HubSpot converts
#: each deal's amount into (a multi-currency account exports it beside the
#: deal's own amount and currency).
HOME_CURRENCY_AMOUNTS = (
    "Amount in company currency",
    "amount_in_home_currency",
    "hs_amount_in_home_currency",
    "property_amount_in_home_currency",
)


#: The warehouse's columns of the same statuses as :data:`_UI_STATUSES`.
_ENGAGEMENT_STATUSES: dict[str, tuple[str, ...]] = {
    "task": ("property_hs_task_status", "task_status"),
    "meeting": ("property_hs_meeting_outcome", "meeting_outcome"),
    "call": ("property_hs_call_status", "call_status"),
}


def _engagement(name: str, kind: str, subjects: tuple[str, ...]) -> ObjectLayout:
    """Return the layout of one engagement type's table (HubSpot's warehouse export).

    Its people and company come from ``engagement_contact`` and
    ``engagement_company`` association tables (see the import's proposal).
    """
    return ObjectLayout(
        "hubspot",
        f"engagement_{name}",
        "activities",
        {
            "activity_id": ("engagement_id",),
            "seller_id": ("property_hubspot_owner_id",),
            "activity_date": (
                "property_hs_timestamp",
                "start_time",
                "property_hs_createdate",
            ),
            "subject": subjects,
            "is_deleted": ("_fivetran_deleted", "is_deleted"),
            # what says it did not take place (see _UI_STATUSES)
            **(
                {"status": _ENGAGEMENT_STATUSES[name]}
                if name in _ENGAGEMENT_STATUSES
                else {}
            ),
        },
        ("activity_id",),
        (f"engagement{name}", f"engagement{name}data", f"engagements{name}s"),
        kind=kind,
    )


#: The person an activity of a UI export is associated with (HubSpot lists
#: several as ``id1;id2``; the import keeps the first, with a warning).
CONTACT_ID_HEADERS = (
    "Associated Contact IDs",
    "Associated Contact ID",
    "Associated Contact IDs (Primary)",
    "ID de contactos asociados",
    "Zugeordnete Kontakt-IDs",
    "ID de contacts associés",
    "关联联系人 ID",
)
#: Who the activity is assigned to: the owner's name in a UI export, the
#: owner's ID in an API or warehouse export.
_ACTIVITY_OWNER_NAMES = (
    "Activity assigned to",
    "Assigned to",
    "Call owner",
    "Meeting owner",
    "Email owner",
    "Note owner",
    "Task owner",
    "Actividad asignada a",
    "Aktivität zugewiesen an",
    "Activité attribuée à",
    "活动分配对象",
)
_ACTIVITY_DATES = (
    "Activity date",
    "Fecha de actividad",
    "Aktivitätsdatum",
    "Date de l'activité",
    "活动日期",
    "hs_timestamp",
)


#: Per UI export, the column whose value may say the activity did not take
#: place: a task not done, a meeting or call cancelled (CANCELED). A no-show,
#: a busy line or an unanswered call took our time and stays.
_UI_STATUSES: dict[str, tuple[str, ...]] = {
    "tasks": ("Task Status", "Task status", "hs_task_status"),
    "meetings": ("Meeting outcome", "hs_meeting_outcome"),
    "calls": ("Call status", "hs_call_status"),
}


def _ui_activities(
    name: str,
    kind: str,
    subjects: tuple[str, ...],
    dates: tuple[str, ...],
    kinds: tuple[str, ...],
) -> ObjectLayout:
    """Return the layout of one activity type's UI (or API) export.

    The CRM's calls, meetings, e-mails, notes and tasks index pages export one
    file per type, each activity with its associated company and contact IDs.
    ``subjects`` are the type's own headers (they tell the types apart); a
    call's duration and a meeting's start and end are turned into minutes when
    the file is proposed.
    """
    return ObjectLayout(
        "hubspot",
        name,
        "activities",
        {
            "activity_id": ID_HEADERS,
            "account_id": COMPANY_ID_HEADERS,
            "contact_id": CONTACT_ID_HEADERS,
            "seller_id": ("hubspot_owner_id", "Activity assigned to (ID)"),
            "seller_name": _ACTIVITY_OWNER_NAMES,
            "activity_date": (*dates, *_ACTIVITY_DATES, "Create Date"),
            "subject": subjects,
            "kind": kinds,
            # what says the activity did not take place (task not done, meeting
            # or call cancelled): see store.imports.task_status
            **({"status": _UI_STATUSES[name]} if name in _UI_STATUSES else {}),
        },
        ("subject",),
        (name, name.rstrip("s"), f"{name}data", f"hubspot{name}"),
        kind=kind,
    )


#: (file name, kind, the type's own subject headers, its own date headers, and
#: the column that may say the kind: a task's type is a call, an e-mail or a to-do).
_UI_ACTIVITY_TYPES: tuple[
    tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...
] = (
    (
        "calls",
        "call",
        ("Call Title", "Call title", "hs_call_title", "Call notes", "hs_call_body"),
        (),
        (),
    ),
    (
        "meetings",
        "meeting",
        (
            "Meeting name",
            "Meeting title",
            "hs_meeting_title",
            "Meeting description",
            "hs_meeting_body",
        ),
        ("Meeting start time", "Start Time", "hs_meeting_start_time"),
        (),
    ),
    (
        "emails",
        "email",
        ("Email subject", "hs_email_subject", "Email body", "hs_email_text"),
        ("Email send date",),
        (),
    ),
    ("notes", "note", ("Note body", "hs_note_body", "hs_body_preview"), (), ()),
    (
        "tasks",
        "task",
        ("Task Title", "Task title", "hs_task_subject", "Task notes", "hs_task_body"),
        ("Due date", "hs_task_due_date", "Completed at", "hs_task_completion_date"),
        ("Task type", "hs_task_type"),
    ),
)

OBJECTS = (
    ObjectLayout(
        "hubspot",
        "companies",
        "accounts",
        {
            "account_id": (*ID_HEADERS, "id", "company_id"),
            "name": (
                "Company name",
                "Nombre de la empresa",
                "Name des Unternehmens",
                "Unternehmensname",
                "Nom de l'entreprise",
                "公司名称",
                "property_name",
            ),
            "industry": (
                "Industry",
                "Sector",
                "Branche",
                "Secteur d'activité",
                "行业",
                "property_industry",
            ),
            "country": (
                "Country/Region",
                "País/región",
                "Land/Region",
                "Pays/région",
                "国家/地区",
                "property_country",
            ),
            "region": (
                "State/Region",
                "Estado/región",
                "Bundesland/Region",
                "État/Région",
                "省/地区",
            ),
            "annual_revenue": (
                "Annual Revenue",
                "Ingresos anuales",
                "Jahresumsatz",
                "Chiffre d'affaires annuel",
                "年收入",
                "property_annualrevenue",
            ),
            "employees": (
                "Number of Employees",
                "Número de empleados",
                "Anzahl der Mitarbeiter",
                "Nombre d'employés",
                "员工人数",
                "property_numberofemployees",
            ),
            "parent_account_id": (
                "Parent Company",
                "Empresa matriz",
                "Übergeordnetes Unternehmen",
                "Entreprise parente",
                "母公司",
                "property_hs_parent_company_id",
            ),
            "owner_seller_name": (
                "Company owner",
                "Propietario de la empresa",
                "Unternehmensinhaber",
                "Propriétaire de l'entreprise",
                "公司所有者",
            ),
            "created_on": _CREATE_DATE,
            # the company's type: PROSPECT, PARTNER, RESELLER, VENDOR, OTHER
            "crm_type": ("Type", "Tipo", "Typ", "类型", "property_type"),
            "is_deleted": _DELETED,
            "merged_ids": _MERGED_IDS,
            **SITUATION_ALIASES,
        },
        ("name",),
        ("companies", "company", "companydata"),
    ),
    ObjectLayout(
        "hubspot",
        "contacts",
        "contacts",
        {
            "contact_id": (*ID_HEADERS, "id"),
            "account_id": COMPANY_ID_HEADERS,
            "account_name": (
                "Associated Company",
                "Company Name",
                "Empresa asociada",
                "Zugeordnetes Unternehmen",
                "Entreprise associée",
                "关联公司",
                "property_company",
            ),
            "first_name": (
                "First Name",
                "Nombre",
                "Vorname",
                "Prénom",
                "名字",
                "property_firstname",
            ),
            "last_name": (
                "Last Name",
                "Apellidos",
                "Nachname",
                "Nom",
                "姓氏",
                "property_lastname",
            ),
            "title": (
                "Job Title",
                "Cargo",
                "Jobbezeichnung",
                "Position",
                "Intitulé du poste",
                "职位",
                "property_jobtitle",
            ),
            "email": (
                "Email",
                "Correo",
                "Correo electrónico",
                "E-Mail",
                "E-mail",
                "电子邮件",
                "property_email",
            ),
            "phone": (
                "Phone Number",
                "Número de teléfono",
                "Telefonnummer",
                "Numéro de téléphone",
                "电话号码",
                "property_phone",
            ),
            "buying_role": (
                "Buying Role",
                "Rol de compra",
                "Einkaufsrolle",
                "Rôle d'achat",
                "购买角色",
                "property_hs_buying_role",
            ),
            "is_deleted": _DELETED,
            "merged_ids": _MERGED_IDS,
        },
        ("first_name", "last_name", "email"),
        ("contacts", "contact", "contactdata"),
    ),
    ObjectLayout(
        "hubspot",
        "deals",
        "opportunities",
        {
            "opportunity_id": (*ID_HEADERS, "deal_id", "id"),
            "account_id": COMPANY_ID_HEADERS,
            "name": (
                "Deal Name",
                "Nombre del negocio",
                "Name des Deals",
                "Dealname",
                "Nom de la transaction",
                "交易名称",
                "property_dealname",
            ),
            "stage": (
                "Deal Stage",
                "Etapa del negocio",
                "Deal-Phase",
                "Phase de la transaction",
                "交易阶段",
                "property_dealstage",
                "deal_pipeline_stage_id",
            ),
            "amount": (
                # converted to the company's currency by HubSpot: see
                # vendor_shapes.home_currency_amounts
                *HOME_CURRENCY_AMOUNTS,
                "Amount",
                "Importe",
                "Cantidad",
                "Betrag",
                "Montant",
                "金额",
                "property_amount",
            ),
            "currency": (
                "Currency",
                "Deal currency code",
                "deal_currency_code",
                "property_deal_currency_code",
                "Moneda",
                "Währung",
                "Devise",
                "货币",
            ),
            "close_date": (
                "Close Date",
                "Fecha de cierre",
                "Abschlussdatum",
                "Date de fermeture",
                "成交日期",
                "关闭日期",
                "property_closedate",
            ),
            "is_won": ("Is Closed Won", "property_hs_is_closed_won"),
            # What the deal is worth a year and over its term (docs/import.md).
            "annual_value": (
                "Annual contract value",
                "ACV",
                "hs_acv",
                "property_hs_acv",
            ),
            "total_value": (
                "Total contract value",
                "TCV",
                "hs_tcv",
                "property_hs_tcv",
            ),
            "recurring_annual": (
                "Annual recurring revenue",
                "ARR",
                "hs_arr",
                "property_hs_arr",
            ),
            "recurring_monthly": (
                "Monthly recurring revenue",
                "MRR",
                "hs_mrr",
                "property_hs_mrr",
            ),
            "term_months": (
                "Contract term (months)",
                "Contract term",
                "Term (months)",
                "contract_term",
                "property_contract_term",
            ),
            "is_closed": ("Is closed", "property_hs_is_closed"),
            "owner_seller_id": ("owner_id", "hubspot_owner_id"),
            "owner_seller_name": (
                "Deal owner",
                "Propietario del negocio",
                "Dealinhaber",
                "Propriétaire de la transaction",
                "交易所有者",
            ),
            "created_on": _CREATE_DATE,
            "is_deleted": _DELETED,
        },
        ("name", "stage"),
        ("deals", "deal", "dealdata"),
    ),
    ObjectLayout(
        "hubspot",
        "owners",
        "sellers",
        {
            "seller_id": ("owner_id", "Owner ID", *ID_HEADERS),
            "first_name": ("first_name", "First Name"),
            "last_name": ("last_name", "Last Name"),
            "email": ("email", "Email"),
            "is_deleted": _DELETED,
        },
        ("last_name", "email"),
        ("owners", "owner", "ownerdata", "users", "usersdata"),
    ),
    ObjectLayout(
        "hubspot",
        "deal_contact",
        "opportunity_contacts",
        {"opportunity_id": ("deal_id",), "contact_id": ("contact_id",)},
        ("contact_id",),
        ("dealcontact", "dealcontactdata"),
    ),
    *(
        _engagement(name, kind, subjects)
        for name, kind, subjects in (
            ("call", "call", ("property_hs_call_title", "property_hs_call_body")),
            ("meeting", "meeting", ("title", "property_hs_meeting_title")),
            ("email", "email", ("property_hs_email_subject",)),
            ("note", "note", ("property_hs_body_preview", "property_hs_note_body")),
            ("task", "task", ("property_hs_task_subject", "property_hs_task_type")),
        )
    ),
    *(
        _ui_activities(name, kind, subjects, dates, kinds)
        for name, kind, subjects, dates, kinds in _UI_ACTIVITY_TYPES
    ),
)
