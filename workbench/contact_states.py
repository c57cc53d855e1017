"""The CRMs' spellings of whether a person is still at the account.

Real CRMs keep the people who left: Dynamics 365 deactivates a contact
(``statecode`` 1, "Inactive"), a Salesforce org ticks a "No Longer at Company"
box (``No_Longer_at_Company__c``, a field most data-enrichment packages add),
a Chinese CRM marks 离职. The import stores what the CRM says as
``contacts.has_left`` (NULL: the CRM says nothing, read as still there). A data
table beside :mod:`workbench.vocabulary`, read by the import's store half;
imports only :mod:`workbench.vocabulary`.
"""

from __future__ import annotations

from workbench.vocabulary import FALSE_VALUES, TRUE_VALUES

#: State text (case-folded, trimmed) → whether the person has left. A yes/no
#: column ("No Longer at Company", 是否离职, the workbench's own ``has_left``)
#: reads yes as left; Dynamics' state reads its code (0 active, 1 inactive) the
#: same way, and its labels and a Chinese CRM's words below. A text not here is
#: a warning per row: the person is kept as still at the account.
CONTACT_STATE_VALUES: dict[str, bool] = {
    **dict.fromkeys(TRUE_VALUES, True),
    **dict.fromkeys(FALSE_VALUES, False),
    # Dynamics 365's contact state and status reason labels
    "active": False,
    "inactive": True,
    # the workbench's own words, and plain English ones
    "current": False,
    "left": True,
    "former": True,
    "left company": True,
    "no longer at company": True,
    # Chinese CRMs (simplified and traditional)
    "在职": False,
    "在職": False,
    "有效": False,
    "离职": True,
    "離職": True,
    "已离职": True,
    "已離職": True,
    "无效": True,
    "無效": True,
    "停用": True,
}
