"""Detecting which CRM a file comes from and which table it holds, and mapping its headers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench import vocabulary
from workbench.ingest.sources import (
    chinese,
    dynamics,
    generic,
    hubspot,
    salesforce,
)
from workbench.ingest.sources.erp import erp_layout
from workbench.ingest.sources.layout import ObjectLayout, normalise_header

LAYOUTS: tuple[ObjectLayout, ...] = (
    *salesforce.OBJECTS,
    *hubspot.OBJECTS,
    *dynamics.OBJECTS,
    *chinese.OBJECTS,
    *generic.OBJECTS,
    erp_layout("generic"),
    erp_layout("chinese_crm"),
)


def _normalised(*headers: str) -> frozenset[str]:
    return frozenset(normalise_header(h) for h in headers)


#: Headers that give a source away: (strong markers, weak markers), normalised. A
#: strong marker counts 2, a weak one 1; a source needs 3. Weak markers are names a
#: plain CSV may also use (``account_id`` normalises like ``AccountId``).
_SOURCE_MARKERS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "hubspot": (
        _normalised(
            *hubspot.ID_HEADERS,
            *hubspot.COMPANY_ID_HEADERS,
            "Buying Role",
            "property_name",
            "property_dealname",
            "property_firstname",
            "property_createdate",
            "portal_id",
            "deal_pipeline_stage_id",
            "hubspot_owner_id",
            *hubspot.CONTACT_ID_HEADERS,
            "Activity assigned to",
            "Call Title",
            "Meeting name",
            "hs_timestamp",
            "hs_call_title",
            "hs_meeting_title",
            "hs_email_subject",
            "hs_note_body",
            "hs_task_subject",
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
    if stem in salesforce.SALESFORCE_FILE_STEMS and any(
        h.casefold() == "id" for h in headers
    ):
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


def row_fallbacks(
    layout: ObjectLayout, headers: list[str], mapping: dict[str, str]
) -> dict[str, list[str]]:
    """Return the headers that fill a mapped column's empty cells, in their order.

    For each of the table's :data:`~workbench.vocabulary.ROW_FALLBACK_COLUMNS`
    that ``mapping`` (canonical column → file header) maps: the file's other
    headers the layout lists for it, best first, that no column maps.
    """
    used = set(mapping.values())
    by_normal: dict[str, str] = {}
    for header in headers:
        by_normal.setdefault(normalise_header(header), header)
    fallbacks: dict[str, list[str]] = {}
    for column in vocabulary.ROW_FALLBACK_COLUMNS.get(layout.table, ()):
        if column not in mapping:
            continue
        others: list[str] = []
        for alias in layout.normalised.get(column, ()):
            found = by_normal.get(alias)
            if found is not None and found not in used and found not in others:
                others.append(found)
        if others:
            fallbacks[column] = others
    return fallbacks


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
    "erp_revenue": (
        ("account_id", "account_name"),
        ("month",),
        ("revenue", "cost", "margin"),
    ),
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
