"""What CRM exports look like: header dictionaries per source and value vocabularies.

Pure data plus small lookups; no I/O. Headers are compared in the normalised form of
:func:`normalise_header` (case-folded, without spaces and punctuation), so
``AccountId``, ``ACCOUNTID``, ``account_id`` and ``Account Id`` are one alias.

Buying-role vocabularies (the workbench never guesses: a value not listed here is
stored as NULL and reported as a warning):

============================  =================================================
source value                  workbench
============================  =================================================
Salesforce OpportunityContactRole.Role
``Decision Maker``            ``decider``
``Economic Buyer``            ``approver`` (holds the budget and signs off)
``Executive Sponsor``         ``approver``
``Technical Buyer``           ``influencer`` (shapes the specification)
``Evaluator``                 ``influencer``
``Influencer``                ``influencer``
``Business User``             ``user``
``Other``                     NULL
HubSpot Buying Role (multi-select; the most decisive role wins, with a warning)
``DECISION_MAKER``            ``decider``
``BUDGET_HOLDER``             ``approver``
``EXECUTIVE_SPONSOR``         ``approver``
``LEGAL_AND_COMPLIANCE``      ``approver``
``INFLUENCER``                ``influencer``
``END_USER``                  ``user``
``CHAMPION``                  attitude ``champion`` (not a role)
``BLOCKER``                   attitude ``blocker`` (not a role)
``OTHER``                     NULL
Dynamics 365 msdyn_decisioninfluencetag
``Decision maker`` / ``0``    ``decider``
``Influencer`` / ``1``        ``influencer``
``Blocker`` / ``2``           attitude ``blocker``
``Unknown`` / ``3``           NULL
Chinese CRMs 采购角色 / 採購角色
决策者/決策者 → ``decider``, 使用者 → ``user``, 影响者/影響者 → ``influencer``,
采购/採購 → ``buyer``, 把关者/守门人 → ``gatekeeper``,
审批/審批/批准者 → ``approver``, 发起者/發起者 → ``initiator``
============================  =================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


def normalise_header(header: str) -> str:
    """Return a header in a comparable form: case-folded, no spaces or punctuation."""
    return re.sub(
        r"[\s_\-./:()'’\[\]#]+", "", header.strip().lstrip("\ufeff").casefold()
    )


@dataclass(frozen=True)
class ObjectLayout:
    """How one kind of CRM file maps onto a workbench table.

    Attributes:
        source: ``salesforce``, ``hubspot``, ``dynamics``, ``chinese_crm``, ``generic``.
        name: the CRM's object name (``Contact``, ``Task``, ``deals``, …).
        table: the workbench table it fills.
        aliases: canonical column → header aliases, best first (normalised on use).
        signature: canonical columns at least one of which must be present.
        file_stems: normalised file-name stems that name this object.
        kind: the activity kind when the file does not say (Task → ``task``).
    """

    source: str
    name: str
    table: str
    aliases: dict[str, tuple[str, ...]]
    signature: tuple[str, ...]
    file_stems: tuple[str, ...] = ()
    kind: str | None = None
    normalised: dict[str, tuple[str, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "normalised",
            {
                column: tuple(normalise_header(a) for a in names)
                for column, names in self.aliases.items()
            },
        )


_SF_DELETED = ("IsDeleted", "_fivetran_deleted")
_SF_OBJECTS = (
    ObjectLayout(
        "salesforce",
        "Account",
        "accounts",
        {
            "account_id": ("Id",),
            "name": ("Name", "Account Name"),
            "industry": ("Industry",),
            "region": ("Region", "Sales Region"),
            "country": ("BillingCountry", "ShippingCountry", "Billing Country"),
            "annual_revenue": ("AnnualRevenue", "Annual Revenue"),
            "employees": ("NumberOfEmployees", "Employees"),
            "parent_account_id": ("ParentId",),
            "owner_seller_id": ("OwnerId",),
            "created_on": ("CreatedDate", "Created Date"),
            "is_deleted": _SF_DELETED,
        },
        ("name",),
        ("account", "accounts", "sfaccountdata", "sfaccount"),
    ),
    ObjectLayout(
        "salesforce",
        "Contact",
        "contacts",
        {
            "contact_id": ("Id",),
            "account_id": ("AccountId",),
            "name": ("Name", "Full Name"),
            "first_name": ("FirstName", "First Name"),
            "last_name": ("LastName", "Last Name"),
            "title": ("Title",),
            "department": ("Department",),
            "reports_to_id": ("ReportsToId",),
            "email": ("Email",),
            "phone": ("Phone", "MobilePhone"),
            "is_deleted": _SF_DELETED,
        },
        ("last_name", "name"),
        ("contact", "contacts", "sfcontactdata", "sfcontact"),
    ),
    ObjectLayout(
        "salesforce",
        "User",
        "sellers",
        {
            "seller_id": ("Id",),
            "name": ("Name",),
            "first_name": ("FirstName",),
            "last_name": ("LastName",),
            "title": ("Title",),
            "team": ("Department", "Division"),
            "email": ("Email",),
        },
        ("last_name", "name"),
        ("user", "users", "sfuserdata", "sfuser"),
    ),
    ObjectLayout(
        "salesforce",
        "Opportunity",
        "opportunities",
        {
            "opportunity_id": ("Id",),
            "account_id": ("AccountId",),
            "name": ("Name",),
            "stage": ("StageName", "Stage"),
            "amount": ("Amount",),
            "close_date": ("CloseDate",),
            "is_closed": ("IsClosed",),
            "is_won": ("IsWon",),
            "owner_seller_id": ("OwnerId",),
            "created_on": ("CreatedDate",),
            "is_deleted": _SF_DELETED,
        },
        ("stage", "close_date"),
        ("opportunity", "opportunities", "sfopportunitydata", "sfopportunity"),
    ),
    ObjectLayout(
        "salesforce",
        "OpportunityContactRole",
        "opportunity_contacts",
        {
            "opportunity_id": ("OpportunityId",),
            "contact_id": ("ContactId",),
            "role": ("Role",),
            "is_primary": ("IsPrimary",),
            "is_deleted": _SF_DELETED,
        },
        ("contact_id",),
        (
            "opportunitycontactrole",
            "opportunitycontactroles",
            "sfopportunitycontactroledata",
        ),
    ),
    ObjectLayout(
        "salesforce",
        "Task",
        "activities",
        {
            "activity_id": ("Id",),
            "account_id": ("AccountId",),
            "contact_id": ("WhoId",),
            "seller_id": ("OwnerId",),
            "kind": ("TaskSubtype", "Type"),
            "activity_date": ("ActivityDate", "CompletedDateTime", "CreatedDate"),
            "duration_seconds": ("CallDurationInSeconds",),
            "subject": ("Subject",),
            "is_deleted": _SF_DELETED,
        },
        ("activity_date", "subject"),
        ("task", "tasks", "sftaskdata", "sftask"),
        kind="task",
    ),
    ObjectLayout(
        "salesforce",
        "Event",
        "activities",
        {
            "activity_id": ("Id",),
            "account_id": ("AccountId",),
            "contact_id": ("WhoId",),
            "seller_id": ("OwnerId",),
            "kind": ("EventSubtype", "Type"),
            "activity_date": ("ActivityDate", "StartDateTime", "ActivityDateTime"),
            "duration_minutes": ("DurationInMinutes",),
            "subject": ("Subject",),
            "is_deleted": _SF_DELETED,
        },
        ("activity_date", "subject"),
        ("event", "events", "sfeventdata", "sfevent"),
        kind="event",
    ),
)

#: Salesforce objects a full export holds that the workbench does not store.
SALESFORCE_SKIPPED = (
    "lead",
    "sfleaddata",
    "opportunitylineitem",
    "sfopportunitylineitemdata",
    "product2",
    "sfproduct2data",
    "userrole",
    "sfuserroledata",
    "opportunityhistory",
    "sfopportunityhistorydata",
)

# HubSpot UI exports in English, Spanish, German, French and Chinese portals, and
# the Fivetran layout (property_<internal name>).
_HS_ID = (
    "Record ID",
    "ID de registro",
    "Datensatz-ID",
    "ID de l'enregistrement",
    "ID de la fiche",
    "记录 ID",
    "記錄 ID",
    "hs_object_id",
)
_HS_COMPANY_IDS = (
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
_HS_OBJECTS = (
    ObjectLayout(
        "hubspot",
        "companies",
        "accounts",
        {
            "account_id": (*_HS_ID, "id", "company_id"),
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
            "created_on": (
                "Create Date",
                "Fecha de creación",
                "Erstelldatum",
                "Date de création",
                "创建日期",
                "property_createdate",
            ),
            "is_deleted": ("is_deleted", "_fivetran_deleted"),
        },
        ("name",),
        ("companies", "company", "companydata"),
    ),
    ObjectLayout(
        "hubspot",
        "contacts",
        "contacts",
        {
            "contact_id": (*_HS_ID, "id"),
            "account_id": _HS_COMPANY_IDS,
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
            "is_deleted": ("is_deleted", "_fivetran_deleted"),
        },
        ("first_name", "last_name", "email"),
        ("contacts", "contact", "contactdata"),
    ),
    ObjectLayout(
        "hubspot",
        "deals",
        "opportunities",
        {
            "opportunity_id": (*_HS_ID, "deal_id", "id"),
            "account_id": _HS_COMPANY_IDS,
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
                "Amount",
                "Importe",
                "Cantidad",
                "Betrag",
                "Montant",
                "金额",
                "property_amount",
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
            "is_closed": ("Is closed", "property_hs_is_closed"),
            "owner_seller_id": ("owner_id", "hubspot_owner_id"),
            "owner_seller_name": (
                "Deal owner",
                "Propietario del negocio",
                "Dealinhaber",
                "Propriétaire de la transaction",
                "交易所有者",
            ),
            "created_on": (
                "Create Date",
                "Fecha de creación",
                "Erstelldatum",
                "Date de création",
                "创建日期",
                "property_createdate",
            ),
            "is_deleted": ("is_deleted", "_fivetran_deleted"),
        },
        ("name", "stage"),
        ("deals", "deal", "dealdata"),
    ),
    ObjectLayout(
        "hubspot",
        "owners",
        "sellers",
        {
            "seller_id": ("owner_id", "Owner ID", *_HS_ID),
            "first_name": ("first_name", "First Name"),
            "last_name": ("last_name", "Last Name"),
            "email": ("email", "Email"),
            "is_deleted": ("is_deleted", "_fivetran_deleted"),
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
)

_DYN_OBJECTS = (
    ObjectLayout(
        "dynamics",
        "account",
        "accounts",
        {
            "account_id": ("accountid", "(Do Not Modify) Account"),
            "name": ("name", "Account Name"),
            "industry": ("industrycode", "Industry"),
            "country": ("address1_country", "Address 1: Country/Region"),
            "region": ("territoryid", "Territory"),
            "annual_revenue": ("revenue", "Annual Revenue"),
            "employees": ("numberofemployees", "Number of Employees"),
            "parent_account_id": ("parentaccountid",),
            # "Export to Excel" writes lookups as display names, not GUIDs.
            "parent_account_name": ("Parent Account",),
            "owner_seller_id": ("ownerid",),
            "owner_seller_name": ("Owner",),
            "created_on": ("createdon", "Created On"),
        },
        ("account_id",),
        ("account", "accounts"),
    ),
    ObjectLayout(
        "dynamics",
        "contact",
        "contacts",
        {
            "contact_id": ("contactid", "(Do Not Modify) Contact"),
            "account_id": ("parentcustomerid", "accountid"),
            "account_name": ("Company Name",),
            "name": ("fullname", "Full Name"),
            "first_name": ("firstname",),
            "last_name": ("lastname",),
            "title": ("jobtitle", "Job Title"),
            "department": ("department", "Department"),
            "reports_to_name": ("managername", "Manager"),
            "buying_role": ("msdyn_decisioninfluencetag", "Decision influence tag"),
            "email": ("emailaddress1", "Email"),
            "phone": ("telephone1", "Business Phone"),
        },
        ("contact_id",),
        ("contact", "contacts"),
    ),
    ObjectLayout(
        "dynamics",
        "opportunity",
        "opportunities",
        {
            "opportunity_id": ("opportunityid", "(Do Not Modify) Opportunity"),
            "account_id": ("parentaccountid", "customerid"),
            "account_name": ("Account", "Potential Customer"),
            "name": ("name", "Topic"),
            "stage": (
                "stepname",
                "salesstagecode",
                "Pipeline Phase",
                "statecode",
                "Status",
            ),
            "amount": (
                "actualvalue",
                "estimatedvalue",
                "Est. Revenue",
                "Actual Revenue",
            ),
            "close_date": (
                "actualclosedate",
                "estimatedclosedate",
                "Est. Close Date",
                "Actual Close Date",
            ),
            "owner_seller_id": ("ownerid",),
            "owner_seller_name": ("Owner",),
            "created_on": ("createdon", "Created On"),
        },
        ("opportunity_id",),
        ("opportunity", "opportunities"),
    ),
    ObjectLayout(
        "dynamics",
        "activitypointer",
        "activities",
        {
            "activity_id": ("activityid", "(Do Not Modify) Activity"),
            "account_id": ("regardingobjectid",),
            "account_name": ("Regarding",),
            "seller_id": ("ownerid",),
            "seller_name": ("Owner",),
            "kind": ("activitytypecode", "Activity Type"),
            "activity_date": (
                "actualstart",
                "scheduledstart",
                "Actual Start",
                "Start Date",
            ),
            "duration_minutes": ("actualdurationminutes", "Actual Duration"),
            "subject": ("subject", "Subject"),
        },
        ("activity_id",),
        ("activitypointer", "activity", "activities", "phonecall", "appointment"),
    ),
    ObjectLayout(
        "dynamics",
        "systemuser",
        "sellers",
        {
            "seller_id": ("systemuserid", "(Do Not Modify) User"),
            "name": ("fullname", "Full Name"),
            "title": ("title", "Title"),
            "team": ("businessunitid", "Business Unit"),
            "email": ("internalemailaddress", "Primary Email"),
        },
        ("seller_id",),
        ("systemuser", "users"),
    ),
)

_CN_ACCOUNT_NAME = ("客户名称", "客戶名稱", "公司名称", "公司名稱", "客户", "客戶")
_CN_OWNER = ("负责人", "負責人", "销售负责人", "客户经理", "業務負責人")
_CN_OBJECTS = (
    ObjectLayout(
        "chinese_crm",
        "客户",
        "accounts",
        {
            "account_id": ("客户编号", "客户ID", "客戶編號", "客户代码"),
            "name": _CN_ACCOUNT_NAME,
            "industry": ("行业", "行業", "所属行业"),
            "region": ("区域", "區域", "大区", "地区"),
            "country": ("国家", "國家"),
            "annual_revenue": ("年收入", "营业收入", "年營收"),
            "employees": ("员工人数", "員工人數", "人员规模"),
            "parent_account_name": ("上级客户", "母公司", "上級客戶"),
            "owner_seller_name": _CN_OWNER,
            "created_on": ("创建日期", "建立日期", "创建时间"),
        },
        ("name",),
        ("客户", "客戶", "accounts"),
    ),
    ObjectLayout(
        "chinese_crm",
        "联系人",
        "contacts",
        {
            "contact_id": ("联系人编号", "联系人ID", "聯絡人編號", "聯絡人ID"),
            "account_id": ("客户编号", "客户ID", "客戶編號"),
            "account_name": _CN_ACCOUNT_NAME,
            "name": ("联系人", "聯絡人", "联系人姓名", "聯絡人姓名", "姓名"),
            "title": ("职务", "職稱", "职位", "職務"),
            "department": ("部门", "部門"),
            "reports_to_name": ("直属上级", "直屬上級", "上级", "上級", "汇报对象"),
            "buying_role": ("采购角色", "採購角色", "角色"),
            "influence": ("影响力", "影響力"),
            "attitude": ("态度", "態度"),
            "email": ("邮箱", "电子邮件", "電子郵件", "邮件"),
            "phone": ("电话", "手机", "電話", "手機"),
        },
        ("name",),
        ("联系人", "聯絡人", "contacts"),
    ),
    ObjectLayout(
        "chinese_crm",
        "拜访记录",
        "activities",
        {
            "activity_id": ("拜访编号", "活动编号", "拜訪編號", "记录编号"),
            "account_id": ("客户编号", "客户ID", "客戶編號"),
            "account_name": _CN_ACCOUNT_NAME,
            "contact_name": ("联系人", "聯絡人", "拜访对象", "拜訪對象"),
            "seller_name": _CN_OWNER,
            "kind": ("拜访方式", "拜訪方式", "方式", "活动类型"),
            "activity_date": ("拜访日期", "拜訪日期", "日期", "活动日期"),
            "duration_minutes": ("时长", "時長", "时长分钟", "時長分鐘"),
            "subject": ("主题", "主題", "内容", "拜访内容", "拜訪內容"),
        },
        ("activity_date",),
        ("拜访记录", "拜訪記錄", "activities"),
    ),
    ObjectLayout(
        "chinese_crm",
        "商机",
        "opportunities",
        {
            "opportunity_id": ("商机编号", "商機編號", "商机ID"),
            "account_id": ("客户编号", "客户ID", "客戶編號"),
            "account_name": _CN_ACCOUNT_NAME,
            "name": ("商机名称", "商機名稱"),
            "stage": ("阶段", "階段", "销售阶段"),
            "amount": ("金额", "金額", "预计金额", "預估金額"),
            "close_date": ("预计成交日期", "成交日期", "預計成交日期"),
            "owner_seller_name": _CN_OWNER,
        },
        ("name", "stage"),
        ("商机", "商機", "opportunities"),
    ),
)

_GENERIC_OBJECTS = (
    ObjectLayout(
        "generic",
        "accounts",
        "accounts",
        {
            "account_id": ("account_id", "customer_id", "company_id"),
            "name": (
                "account",
                "account_name",
                "company",
                "company_name",
                "customer",
                "customer_name",
                # last: a bare "name" is the account's only in an accounts file
                "name",
            ),
            "industry": ("industry", "sector"),
            "region": ("region",),
            "country": ("country", "office_location"),
            "annual_revenue": ("annual_revenue", "revenue"),
            "employees": ("employees", "number_of_employees", "headcount"),
            "parent_account_id": ("parent_account_id", "parent_id"),
            "parent_account_name": (
                "subsidiary_of",
                "parent_account",
                "parent_company",
            ),
            "owner_seller_name": ("owner", "account_owner"),
            "wallet_estimate": (
                "wallet_estimate",
                "wallet",
                "share_of_wallet_potential",
            ),
            "gross_margin_pct": ("gross_margin_pct", "gross_margin"),
            "created_on": ("created_on", "customer_since"),
            "contract_type": ("contract_type",),
        },
        ("name",),
        ("accounts", "account", "companies", "customers"),
    ),
    ObjectLayout(
        "generic",
        "contacts",
        "contacts",
        {
            "contact_id": ("contact_id", "person_id"),
            "account_id": ("account_id", "company_id"),
            "account_name": ("account", "account_name", "company", "company_name"),
            "name": ("contact", "contact_name", "name", "full_name"),
            "first_name": ("first_name",),
            "last_name": ("last_name",),
            "title": ("title", "job_title"),
            "department": ("department",),
            "reports_to_id": ("reports_to_id", "manager_id"),
            "reports_to_name": ("reports_to", "manager"),
            "buying_role": ("buying_role", "role"),
            "influence": ("influence",),
            "attitude": ("attitude",),
            "email": ("email", "e_mail"),
            "phone": ("phone",),
        },
        ("name", "last_name"),
        ("contacts", "contact", "people"),
    ),
    ObjectLayout(
        "generic",
        "sellers",
        "sellers",
        {
            "seller_id": ("seller_id", "agent_id"),
            "name": ("sales_agent", "seller", "seller_name", "agent"),
            "team": ("team", "regional_office", "sales_team"),
            "title": ("title",),
            "email": ("email",),
        },
        ("name",),
        ("sellers", "sales_teams", "salesteams"),
    ),
    ObjectLayout(
        "generic",
        "opportunities",
        "opportunities",
        {
            "opportunity_id": ("opportunity_id", "deal_id"),
            "account_id": ("account_id",),
            "account_name": ("account", "account_name", "company", "customer"),
            "name": ("opportunity_name", "deal_name", "opportunity"),
            "stage": ("deal_stage", "stage"),
            "amount": ("close_value", "amount", "deal_value", "value"),
            "close_date": ("close_date",),
            "is_closed": ("is_closed",),
            "is_won": ("is_won",),
            "owner_seller_name": ("sales_agent", "owner", "seller"),
            "created_on": ("engage_date", "created_on", "created_date"),
        },
        ("stage", "close_date"),
        ("opportunities", "sales_pipeline", "salespipeline", "deals", "pipeline"),
    ),
    ObjectLayout(
        "generic",
        "activities",
        "activities",
        {
            "activity_id": ("activity_id",),
            "account_id": ("account_id",),
            "account_name": ("account", "account_name", "company"),
            "contact_id": ("contact_id",),
            "contact_name": ("contact", "contact_name"),
            "seller_id": ("seller_id",),
            "seller_name": ("seller", "sales_agent", "owner"),
            "kind": ("kind", "type", "activity_type"),
            "activity_date": ("activity_date", "date"),
            "duration_minutes": ("duration_minutes", "duration"),
            "subject": ("subject",),
        },
        ("activity_date",),
        ("activities", "activity", "visits"),
    ),
)

LAYOUTS: tuple[ObjectLayout, ...] = (
    *_SF_OBJECTS,
    *_HS_OBJECTS,
    *_DYN_OBJECTS,
    *_CN_OBJECTS,
    *_GENERIC_OBJECTS,
)


def _normalised(*headers: str) -> frozenset[str]:
    return frozenset(normalise_header(h) for h in headers)


#: Headers that give a source away: (strong markers, weak markers), normalised. A
#: strong marker counts 2, a weak one 1; a source needs 3. Weak markers are names a
#: plain CSV may also use (``account_id`` normalises like ``AccountId``).
_SOURCE_MARKERS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "hubspot": (
        _normalised(
            *_HS_ID,
            *_HS_COMPANY_IDS,
            "Buying Role",
            "property_name",
            "property_dealname",
            "property_firstname",
            "property_createdate",
            "portal_id",
            "deal_pipeline_stage_id",
            "hubspot_owner_id",
        ),
        frozenset(),
    ),
    "dynamics": (
        _normalised(
            "parentcustomerid",
            "msdyn_decisioninfluencetag",
            "systemuserid",
            "(Do Not Modify) Row Checksum",
            "(Do Not Modify) Modified On",
            "statecode",
            "address1_country",
            "emailaddress1",
            "telephone1",
            "industrycode",
            "estimatedvalue",
            "actualdurationminutes",
            "activitytypecode",
            "regardingobjectid",
            "internalemailaddress",
        ),
        _normalised(
            "accountid",
            "contactid",
            "opportunityid",
            "activityid",
            "fullname",
            "createdon",
            "jobtitle",
            "ownerid",
        ),
    ),
    "salesforce": (
        _normalised(
            "IsDeleted",
            "StageName",
            "ReportsToId",
            "WhoId",
            "WhatId",
            "SystemModstamp",
            "CallDurationInSeconds",
            "DurationInMinutes",
            "LastModifiedById",
            "CreatedById",
            "MasterRecordId",
            "TaskSubtype",
            "EventSubtype",
        ),
        _normalised(
            "AccountId",
            "OpportunityId",
            "ContactId",
            "OwnerId",
            "CreatedDate",
            "CloseDate",
            "IsWon",
            "IsClosed",
            "Role",
            "IsPrimary",
        ),
    ),
}


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def source_scores(headers: list[str]) -> dict[str, int]:
    """Return how strongly a header points at each CRM (2 per strong marker, 1 per weak)."""
    normalised = {normalise_header(h) for h in headers}
    scores: dict[str, int] = {}
    for source, (strong, weak) in _SOURCE_MARKERS.items():
        score = 2 * len(normalised & strong) + len(normalised & weak)
        if source == "dynamics":
            score += 2 * sum(1 for h in normalised if h.startswith("msdyn"))
        scores[source] = score
    return scores


#: File names a Salesforce Data Export gives its objects (the stem, exactly).
SALESFORCE_FILE_STEMS = frozenset(
    {
        "Account",
        "Contact",
        "Opportunity",
        "OpportunityContactRole",
        "Task",
        "Event",
        "User",
    }
)


#: The workbench's own column names, exactly as docs/schema.md spells them.
_WORKBENCH_COLUMNS: frozenset[str] = frozenset(
    column
    for layout in LAYOUTS
    if layout.source == "generic"
    for column in layout.aliases
)


def detect_source(
    headers: list[str], sobject: str | None = None, file_name: str | None = None
) -> str:
    """Return which CRM a file's headers come from (``generic`` when unsure)."""
    if sobject:
        return "salesforce"
    stem = (file_name or "").rsplit(".", 1)[0]
    if stem in SALESFORCE_FILE_STEMS and any(h.casefold() == "id" for h in headers):
        return "salesforce"  # a Data Export names each file by its object
    if any(h.strip().startswith("(Do Not Modify)") for h in headers):
        return "dynamics"  # "Export to Excel" keeps its keys in these hidden columns
    if sum(1 for h in headers if re.match(r"^[A-Za-z][\w ]*: .+", h)) >= 2:
        return "salesforce"  # report export: "Account: Account Name"
    # A file in the workbench's own column names (an earlier export, a script's
    # output) is generic, even though `account_id` also reads as Dynamics' accountid.
    own_names = sum(1 for h in headers if h.strip() in _WORKBENCH_COLUMNS)
    if own_names >= 3 and own_names >= 0.8 * len(headers):
        return "generic"
    scores = source_scores(headers)
    best = max(scores, key=lambda source: scores[source])
    if scores[best] >= 3:
        return best
    if sum(1 for h in headers if _has_cjk(h)) >= 2:
        return "chinese_crm"
    return "generic"


def file_stem(file_name: str) -> str:
    """Return the normalised stem of a file name (``sf_account_data.csv`` → ``sfaccountdata``)."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    return normalise_header(stem)


@dataclass(frozen=True)
class Recognition:
    """A file matched to a layout, with its proposed mapping."""

    layout: ObjectLayout
    mapping: dict[str, str]  # canonical column -> header as in the file
    score: int


def map_headers(layout: ObjectLayout, headers: list[str]) -> dict[str, str]:
    """Return canonical column → file header for every alias the file has."""
    by_normal: dict[str, str] = {}
    for header in headers:
        by_normal.setdefault(normalise_header(header), header)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for column, aliases in layout.normalised.items():
        for alias in aliases:
            found = by_normal.get(alias)
            if found is not None and found not in used:
                mapping[column] = found
                used.add(found)
                break
    return mapping


def recognise(
    file_name: str, headers: list[str], source: str = "auto", sobject: str | None = None
) -> Recognition | None:
    """Return the best layout for a file, or None when nothing fits well enough."""
    chosen = detect_source(headers, sobject) if source == "auto" else source
    stem = file_stem(file_name)
    sobject_stem = normalise_header(sobject) if sobject else None
    best: Recognition | None = None
    for layout in LAYOUTS:
        if layout.source != chosen:
            continue
        mapping = map_headers(layout, headers)
        if not any(column in mapping for column in layout.signature):
            continue
        named = stem in layout.file_stems or (
            sobject_stem is not None and sobject_stem == normalise_header(layout.name)
        )
        if chosen == "generic" and not named and len(mapping) < 2:
            continue  # one matching header ("name") is not enough to guess a table
        if missing_required(layout.table, set(mapping)) and not named:
            continue  # a file named Contact.csv without AccountId is reported instead
        score = len(mapping) + (100 if named else 0)
        if best is None or score > best.score:
            best = Recognition(layout, mapping, score)
    return best


#: Column groups a table needs; one column of each group must be mapped.
REQUIRED_COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "accounts": (("account_id", "name"),),
    "contacts": (("name", "first_name", "last_name"), ("account_id", "account_name")),
    "sellers": (("seller_id", "name", "first_name", "last_name", "email"),),
    "opportunities": (("account_id", "account_name"),),
    "opportunity_contacts": (("opportunity_id",), ("contact_id",)),
    "activities": (("activity_date",),),
    "contact_influences": (("from_contact_id",), ("to_contact_id",)),
}


def missing_required(table: str, mapped: set[str]) -> list[str]:
    """Return the required column groups a mapping lacks, each as ``a or b``."""
    return [
        " or ".join(group)
        for group in REQUIRED_COLUMNS.get(table, ())
        if not mapped & set(group)
    ]


def layout_by_name(source: str, table: str) -> ObjectLayout | None:
    """Return the first layout of a source that fills a table (for user mappings)."""
    for layout in LAYOUTS:
        if layout.source == source and layout.table == table:
            return layout
    return None
