"""The CRMs' spellings of what an account is to the supplier.

The import stores a CRM's own type text (``crm_type``) and, where it knows the
spelling, the workbench's word for it (``account_type``, one of
:data:`workbench.domain.ACCOUNT_TYPES`). A data table beside
:mod:`workbench.vocabulary`, read by the import's store half; imports only
:mod:`workbench.domain`.
"""

from __future__ import annotations

from workbench.domain import ACCOUNT_TYPES

#: Type text (case-folded, trimmed) → account type. A text not here is kept as
#: the CRM's type with no account type: the account counts as a customer, and
#: the import says which texts it did not know (docs/import.md, "Account types").
ACCOUNT_TYPE_VALUES: dict[str, str] = {
    # the workbench's own words
    **{kind: kind for kind in ACCOUNT_TYPES},
    # Salesforce's Account.Type picklist (its standard values, and older orgs')
    "customer - direct": "customer",
    "customer - channel": "customer",
    "channel partner / reseller": "reseller",
    "installation partner": "partner",
    "technology partner": "partner",
    "analyst": "press",
    "integrator": "partner",
    # HubSpot's company type (internal values read case-folded, and labels)
    "vendor": "supplier",
    # Dynamics 365 account.customertypecode: labels and option values
    "consultant": "partner",
    "influencer": "partner",
    "1": "competitor",
    "2": "partner",
    "3": "customer",
    "4": "investor",
    "5": "partner",
    "6": "partner",
    "7": "press",
    "8": "prospect",
    "9": "reseller",
    "10": "supplier",
    "11": "supplier",
    "12": "other",
    # Chinese CRMs (simplified and traditional)
    "客户": "customer",
    "客戶": "customer",
    "正式客户": "customer",
    "正式客戶": "customer",
    "成交客户": "customer",
    "成交客戶": "customer",
    "潜在客户": "prospect",
    "潛在客戶": "prospect",
    "意向客户": "prospect",
    "意向客戶": "prospect",
    "经销商": "reseller",
    "經銷商": "reseller",
    "代理商": "reseller",
    "渠道商": "reseller",
    "合作伙伴": "partner",
    "合作夥伴": "partner",
    "竞争对手": "competitor",
    "競爭對手": "competitor",
    "供应商": "supplier",
    "供應商": "supplier",
    "媒体": "press",
    "媒體": "press",
    "投资者": "investor",
    "投資者": "investor",
    "其他": "other",
}
