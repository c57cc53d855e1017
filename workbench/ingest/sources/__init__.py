"""What CRM exports look like: header dictionaries per source and their recognition.

One module per CRM family holds its header dictionaries (:mod:`.salesforce`,
:mod:`.hubspot`, :mod:`.dynamics`, :mod:`.chinese`, :mod:`.generic` for the
workbench's own names, :mod:`.surveys` for NPS survey exports); :mod:`.layout` is
what they share and :mod:`.detect` recognises a file's CRM and table. Pure data
plus small lookups; no I/O. Headers are compared in the normalised form of
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

from workbench.ingest.sources.detect import (
    LAYOUTS,
    REQUIRED_COLUMNS,
    Recognition,
    detect_source,
    file_stem,
    layout_by_name,
    map_headers,
    missing_required,
    recognise,
    row_fallbacks,
    source_scores,
)
from workbench.ingest.sources.layout import ObjectLayout, normalise_header
from workbench.ingest.sources.salesforce import (
    SALESFORCE_FILE_STEMS,
    SALESFORCE_SKIPPED,
)

__all__ = [
    "LAYOUTS",
    "REQUIRED_COLUMNS",
    "SALESFORCE_FILE_STEMS",
    "SALESFORCE_SKIPPED",
    "ObjectLayout",
    "Recognition",
    "detect_source",
    "file_stem",
    "layout_by_name",
    "map_headers",
    "missing_required",
    "normalise_header",
    "recognise",
    "row_fallbacks",
    "source_scores",
]
