"""What the import's checks say: the sentences of reference, name and value problems.

Each is a :func:`~workbench.ingest.problems.worded` template with its data, so
the problem reads in the reader's language (docs/i18n.md); the codes that group
them stay stable words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench import vocabulary
from workbench.domain import Problem, Wording
from workbench.i18n import N_
from workbench.ingest.problems import (
    file_problem,
    header_for,
    make_problem,
    quoted,
    worded,
)

if TYPE_CHECKING:
    import polars as pl

    from workbench.ingest.model import RecognisedFile

#: (table, action) of a dangling reference → its problem code.
_REFERENCE_CODES: dict[tuple[str, str], str] = {
    ("contacts", "drop"): "contact_without_account",
    ("opportunities", "drop"): "deal_without_account",
    ("contracts", "drop"): "contract_without_account",
    ("erp_revenue", "drop"): "erp_without_account",
    ("opportunity_contacts", "drop"): "link_side_missing",
    ("contact_influences", "drop"): "link_side_missing",
    ("contacts", "clear"): "manager_missing",
}


def collision_message(table: str, record: dict[str, Any]) -> Wording:
    """Return the message for an imported ID that belongs to another source's record."""
    return worded(
        N_("ID {id} already belongs to a {table} record from {source}"),
        id=quoted(record["key"]),
        table=table,
        source=record["other_source"],
    )


def value_message(record: dict[str, Any]) -> Wording:
    """Return ``“value” reason`` for a store's value check (reasons are marked there)."""
    params = {"role": record["kept"]} if "kept" in record else {}
    if record.get("portfolio"):  # the currency a deal's is not
        params["portfolio"] = record["portfolio"]
    reason = worded(str(record["message"]), **params)
    return worded(N_("{value} {reason}"), value=quoted(record["value"]), reason=reason)


#: A record's noun by its table, in messages about one record.
RECORD_NOUNS = {
    "accounts": N_("account"),
    "contacts": N_("contact"),
    "sellers": N_("seller"),
}


def reference_code(record: dict[str, Any]) -> str:
    """Return the code of a reference to a record neither stored nor imported."""
    return _REFERENCE_CODES.get(
        (record["table"], record.get("action") or "clear"), "missing_reference"
    )


#: What a dangling reference names, by its column.
_REFERENCE_TARGETS = {
    "account_id": N_("an account"),
    "parent_account_id": N_("a parent account"),
    "owner_seller_id": N_("an owner (seller)"),
    "seller_id": N_("a seller"),
    "contact_id": N_("a person"),
    "reports_to_id": N_("a manager"),
    "opportunity_id": N_("a deal"),
    "from_contact_id": N_("a person"),
    "to_contact_id": N_("a person"),
}
#: What a dangling reference did to its row, by (table, action).
_REFERENCE_CONSEQUENCES = {
    ("contacts", "drop"): N_("; the person was not imported"),
    ("opportunities", "drop"): N_("; the deal was not imported"),
    ("opportunity_contacts", "drop"): N_("; the link was not imported (orphan)"),
    ("contact_influences", "drop"): N_("; the influence line was not imported"),
    ("contracts", "drop"): N_("; the contract was not imported"),
    ("erp_revenue", "drop"): N_("; the ERP line was not imported"),
    ("contacts", "clear"): N_("; the reporting line was left out"),
}


def reference_message(record: dict[str, Any]) -> Wording:
    """Return the message for a reference to a record neither stored nor imported."""
    column = record["column"]
    consequence = _REFERENCE_CONSEQUENCES.get(
        (record["table"], record.get("action") or "clear"),
        N_("; left empty") if record["level"] == "warning" else "",
    )
    if record.get("regarding") and column == "account_id":
        # a Dynamics Regarding, a HubSpot deal association, a Salesforce WhatId:
        # the ID may be a deal's or a person's the export does not hold
        target: Wording | str = worded(N_("an account, a deal or a person"))
    elif column in _REFERENCE_TARGETS:
        target = worded(_REFERENCE_TARGETS[column])
    else:
        target = column
    return worded(
        N_(
            "refers to {target} {value} that is neither in the import nor in the "
            "database{consequence}{rows}"
        ),
        target=target,
        value=quoted(record["value"]),
        consequence=worded(consequence) if consequence else "",
        rows=rows_note(record),
    )


def rows_note(record: dict[str, Any]) -> Wording | str:
    """Return how many rows share a grouped problem's value, when more than one."""
    rows = int(record.get("rows") or 1)
    if rows <= 1:
        return ""
    return worded(N_(" ({count} rows from this one)"), count=f"{rows:,}")


#: What an unmatched name should have matched, by its column.
_NAME_TARGETS = {
    "parent_account_name": N_("parent account"),
    "owner_seller_name": N_("seller"),
    "seller_name": N_("seller"),
    "contact_name": N_("person of this account"),
    "reports_to_name": N_(
        "person of the same account (reports-to must stay inside the account)"
    ),
}


def name_message(record: dict[str, Any]) -> Wording:
    """Return the message for a name that matched no record."""
    column = record["column"]
    return worded(
        N_("{value} matches no {target}{tail}{rows}"),
        value=quoted(record["value"]),
        target=worded(_NAME_TARGETS[column]) if column in _NAME_TARGETS else column,
        tail="" if record["level"] == "error" else worded(N_("; left empty")),
        rows=rows_note(record),
    )


#: The whole-file warnings of rows an import counts per file, by code: rows
#: left out, but for ``merged_into_missing`` (rows kept as they are).
ROWS_LEFT_OUT: dict[str, str] = {
    "deleted_in_crm": N_(
        "{count} row(s) marked as deleted (IsDeleted) were not imported"
    ),
    "merged_in_crm": N_(
        "{count} record(s) merged into another in the CRM (MasterRecordId, "
        "masterid) were not imported: their deals, people and activities were "
        "moved to the record they were merged into, and kept they would be a "
        "second, empty account or person of the same name"
    ),
    "merged_into_missing": N_(
        "{count} record(s) name a record they were merged into (MasterRecordId, "
        "masterid) that is neither in the import nor in the database (a filler "
        "such as 00000000-0000-0000-0000-000000000000, or a record the export "
        "left out): they are kept as records of their own"
    ),
    "not_done_in_crm": N_(
        "{count} activity(ies) the CRM holds as not done (a task open, under "
        "way or cancelled; a meeting proposed and not confirmed) were not "
        "imported: a to-do is not effort yet; a later import brings each in "
        "once it is done"
    ),
    "one_to_many": N_(
        "{count} record(s) of one message or campaign sent to many people at "
        "once (a list e-mail's task on each recipient, a quick campaign, a "
        "campaign activity) were not imported: neither time spent on the "
        "account nor a touch of the person"
    ),
    "recurring_series": N_(
        "{count} recurring series record(s) (the pattern a series repeats, "
        "beside its occurrences) were not imported: each occurrence is a row "
        "of its own, and the series' first would count twice"
    ),
}


def open_stage_problem(file: str, rows: int, stages: list[dict[str, Any]]) -> Problem:
    """Return the warning of a file's deals read as open for want of a flag (by stage)."""
    if not stages:
        message = worded(
            N_(
                "{count} deal(s) are read as open: the file says of none whether "
                "it is won or lost (no stage, and no won or closed flag); export "
                "the deals with their stage or their flags"
            ),
            count=f"{rows:,}",
        )
        return file_problem("warning", file, message, "stage_read_as_open", rows=rows)
    quoted = ", ".join(f"“{s['stage']}” ({s['rows']:,})" for s in stages)
    message = worded(
        N_(
            "{count} deal(s) are read as open: the file gives no won or closed "
            "flag, and their stage is none the workbench knows as won or lost "
            "({stages}); where a stage means won or lost, export the deals with "
            "their flags (Salesforce IsWon and IsClosed, HubSpot Is Closed Won, "
            "Dynamics Status) or name the stage Closed Won or Closed Lost"
        ),
        count=f"{rows:,}",
        stages=quoted,
    )
    return file_problem("warning", file, message, "stage_read_as_open", rows=rows)


def rows_left_out_problem(code: str, file: str, rows: int) -> Problem:
    """Return a file's warning of ``rows`` rows left out and counted (:data:`ROWS_LEFT_OUT`)."""
    message = worded(ROWS_LEFT_OUT[code], count=f"{rows:,}")
    return file_problem("warning", file, message, code, rows=rows)


def merged_reference_problems(
    moved: pl.DataFrame, files_by_name: dict[str, list[RecognisedFile]]
) -> list[Problem]:
    """Return per file and column how many rows named a merged record, now its survivor.

    ``moved``: the layout of :func:`workbench.store.import_redirect_merged`.
    """
    problems: list[Problem] = []
    for record in moved.iter_rows(named=True):
        file = record["_file"]
        header = header_for(files_by_name, file, record["table"], record["column"])
        message = worded(
            N_(
                "{count} row(s) name in {header} a record merged into another "
                "in the CRM (such as “{old}”, merged into “{new}”): they are "
                "read as naming the record it was merged into"
            ),
            count=f"{int(record['rows']):,}",
            header=header,
            old=record["example_old"],
            new=record["example_new"],
        )
        problems.append(
            file_problem(
                "warning", file, message, "merged_reference", rows=int(record["rows"])
            )
        )
    return problems


def not_done_problem(file: str, rows: int) -> Problem:
    """Return the warning of a file's tasks its CRM holds as not done (left out)."""
    return rows_left_out_problem("not_done_in_crm", file, rows)


def filled_problems(
    found: pl.DataFrame,
    files_by_name: dict[str, list[RecognisedFile]],
    table: str,
) -> list[Problem]:
    """Return per file and header how many rows another header filled.

    ``found``: the layout of :func:`workbench.store.import_filled_rows`.
    """
    problems: list[Problem] = []
    for record in found.iter_rows(named=True):
        file, column = record["_file"], record["column"]
        entry = next((e for e in files_by_name.get(file, []) if e.table == table), None)
        others = entry.fallbacks.get(column, []) if entry else []
        place = int(record["filled_from"]) - 1
        if not 0 <= place < len(others):
            continue
        header = header_for(files_by_name, file, table, column)
        message = worded(
            N_(
                "{count} row(s) have {header} empty, or holding a date no CRM "
                "means (a stand-in for none such as 1900-01-01, or a year from "
                "2100 on): the date of {other} is read instead"
            )
            if column in vocabulary.DATE_COLUMNS
            else N_(
                "{count} row(s) have {header} empty: the value of {other} is read "
                "instead"
            ),
            count=f"{int(record['rows']):,}",
            header=header,
            other=others[place],
        )
        problems.append(
            make_problem("warning", file, None, header, message, "filled_from_other")
        )
    return problems


#: The warning of an activity with no date in any header read.
UNDATED = N_(
    "the activity has no date (nor any other date column read where it is "
    "empty): it is imported but counts in no 12-month figure"
)


#: Per way an activity's account was found (:mod:`workbench.store.imports.account_names`):
#: the message of a file's count, and its problem code.
_ACCOUNT_VIA: dict[str, tuple[str, str]] = {
    "deal": (
        N_(
            "activities naming a deal, not an account (a Dynamics Regarding, a "
            "HubSpot deal association, a Salesforce WhatId): {count}; each counts "
            "for the deal's account"
        ),
        "account_from_record",
    ),
    "person": (
        N_(
            "activities naming a person, not an account (as Dynamics' Regarding "
            "does): {count}; each counts for the person's account"
        ),
        "account_from_record",
    ),
    "contact": (
        N_(
            "activities naming a person but no account: {count}; each counts "
            "for the person's account"
        ),
        "account_from_record",
    ),
    "shared": (
        N_(
            "activities naming a deal or a person by a name several accounts' "
            "records share: {count}; left without an account (name the record "
            "by its ID)"
        ),
        "account_name_shared",
    ),
}


def account_via_problems(found: pl.DataFrame) -> list[Problem]:
    """Return per file and way how many activities took a deal's or a person's account.

    ``found``: the layout of :func:`workbench.store.import_account_via`.
    """
    return [
        file_problem(
            "warning",
            record["_file"],
            worded(_ACCOUNT_VIA[record["via"]][0], count=f"{int(record['rows']):,}"),
            _ACCOUNT_VIA[record["via"]][1],
        )
        for record in found.iter_rows(named=True)
        if record["via"] in _ACCOUNT_VIA
    ]
