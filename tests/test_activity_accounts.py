"""An activity's account where its export names a deal or a person instead.

Dynamics files an activity "regarding" a record: an account, a deal or a
person. Read as an account, a deal's ID matched no account (the activity was
left without one: its effort counted for nobody) and, in a view's export, a
deal's name ("Regarding": "Contoso – Line upgrade") was made into an account of
its own. HubSpot and other exports name an activity's person and no company.
Each now counts for the account of the deal or person it names, on the staged
and the one-pass paths alike, and each file says how many.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ANALYST, import_texts
from tests.ingest_support import imported_small_and_large
from workbench import ingest, store
from workbench.ingest import inputs

CONTOSO = "6f1c1e00-0000-0000-0000-000000000001"
FABRIKAM = "6f1c1e00-0000-0000-0000-000000000002"
NORA, PIOTR = (
    "7a000000-0000-0000-0000-000000000001",
    "7a000000-0000-0000-0000-000000000003",
)
DEAL = "9b000000-0000-0000-0000-000000000001"
ACCOUNTS = (
    f"accountid,name\n{CONTOSO},Contoso Pharmaceuticals\n{FABRIKAM},Fabrikam Metals\n"
)
PEOPLE = (
    "contactid,parentcustomerid,fullname,jobtitle\n"
    f"{NORA},{CONTOSO},Nora Keller,Head of QA\n"
    f"{PIOTR},{FABRIKAM},Piotr Nowak,CFO\n"
)
DEALS = (
    "opportunityid,customerid,name,statecode,actualvalue,actualclosedate\n"
    f"{DEAL},{CONTOSO},Contoso – Line upgrade,1,50000,2024-03-01\n"
)
# Regarding the account, the deal and a person, by their IDs (the API's export)
CALLS = (
    "activityid,regardingobjectid,subject,actualend,actualdurationminutes,statecode\n"
    f"ac01,{CONTOSO},Kick-off,2024-02-01,30,1\n"
    f"ac02,{DEAL},Offer call,2024-02-10,45,1\n"
    f"ac03,{PIOTR},Budget call,2024-02-12,20,1\n"
)
# Regarding by name (a view's "Export to Excel")
CALL_VIEW = (
    "(Do Not Modify) Phone Call,Regarding,Subject,Actual End,Duration,Call To,"
    "Activity Status\n"
    "ac11,Contoso – Line upgrade,Offer follow-up,2024-02-20,15,Nora Keller,Completed\n"
    "ac12,Fabrikam Metals,Intro,2024-02-21,15,Piotr Nowak,Completed\n"
)


#: The export's accounts, people and deals, beside which its calls are read.
DYNAMICS = {"account.csv": ACCOUNTS, "contact.csv": PEOPLE, "opportunity.csv": DEALS}


def _activities(con: store.Connection) -> dict[str, tuple[Any, Any]]:
    rows = store.query_frame(
        con, "SELECT activity_id, account_id, contact_id FROM activities"
    ).rows()
    return {str(i): (a, c) for i, a, c in rows}


def _notes(report: ingest.ImportReport) -> list[tuple[str, str, str]]:
    return sorted(
        (p.file, p.code or "", p.message)
        for p in report.problems
        if p.code in {"account_from_record", "account_name_shared"}
    )


def test_an_activity_regarding_a_deal_or_a_person_counts_for_its_account(
    con: store.Connection,
) -> None:
    report = import_texts(con, {**DYNAMICS, "phonecall.csv": CALLS})
    assert report.ok, [p.message for p in report.errors]
    assert _activities(con) == {
        "ac01": (CONTOSO, None),
        "ac02": (CONTOSO, None),  # the deal's account
        "ac03": (FABRIKAM, PIOTR),  # the person's account, and the person
    }
    # no reference is reported missing: each was read for what it is
    assert not [p for p in report.problems if p.code == "missing_reference"]
    assert _notes(report) == [
        (
            "phonecall.csv",
            "account_from_record",
            "activities naming a deal, not an account (a Dynamics Regarding, a "
            "HubSpot deal association, a Salesforce WhatId): 1; each counts for the "
            "deal's account",
        ),
        (
            "phonecall.csv",
            "account_from_record",
            "activities naming a person, not an account (as Dynamics' Regarding "
            "does): 1; each counts for the person's account",
        ),
    ]
    # the offer call's effort is the account's
    features = store.account_features(con, store.resolve_as_of(con))
    by_account = dict(features.select("account_id", "activities_12m").rows())
    assert by_account[CONTOSO] == 2 and by_account[FABRIKAM] == 1


def test_a_deal_named_as_regarding_is_not_made_into_an_account(
    con: store.Connection,
) -> None:
    report = import_texts(con, {**DYNAMICS, "Phone Calls.csv": CALL_VIEW})
    assert report.ok, [p.message for p in report.errors]
    names = store.query_frame(con, "SELECT name FROM accounts ORDER BY 1")
    assert names["name"].to_list() == ["Contoso Pharmaceuticals", "Fabrikam Metals"]
    assert not [p for p in report.problems if p.code == "created_from_name"]
    # the follow-up is the deal's account's, and its person is found there
    assert _activities(con) == {"ac11": (CONTOSO, NORA), "ac12": (FABRIKAM, PIOTR)}
    assert [code for _f, code, _m in _notes(report)] == ["account_from_record"]


def test_a_name_several_accounts_deals_share_gives_no_account(
    con: store.Connection,
) -> None:
    deals = DEALS + f"9b02,{FABRIKAM},Contoso – Line upgrade,1,1000,2024-03-02\n"
    report = import_texts(
        con,
        {
            "account.csv": ACCOUNTS,
            "opportunity.csv": deals,
            "Phone Calls.csv": CALL_VIEW.replace(",Nora Keller,", ",,"),
        },
    )
    assert report.ok, [p.message for p in report.errors]
    assert _activities(con)["ac11"] == (None, None)
    assert store.query_frame(con, "SELECT count(*) AS n FROM accounts")["n"][0] == 2
    ((file, code, message),) = _notes(report)
    assert (file, code) == ("Phone Calls.csv", "account_name_shared")
    assert "by its ID" in message


def test_an_activity_naming_only_its_person_counts_for_the_person_s_account(
    con: store.Connection,
) -> None:
    # a generic export: the visit log names the person, not the company
    report = import_texts(
        con,
        {
            "accounts.csv": "account_id,name\nA1,Nordwerk AG\n",
            "contacts.csv": "contact_id,account_id,name\nC1,A1,Jonas Weber\n",
            "activities.csv": "activity_id,contact_id,kind,activity_date\n"
            "V1,C1,visit,2024-03-01\nV2,,visit,2024-03-02\n",
        },
    )
    assert report.ok, [p.message for p in report.errors]
    assert _activities(con) == {"V1": ("A1", "C1"), "V2": (None, None)}
    assert [m for _f, _c, m in _notes(report)] == [
        "activities naming a person but no account: 1; each counts for the "
        "person's account"
    ]


GENERIC = {
    "accounts.csv": "account_id,name\nA1,Nordwerk AG\n",
    "contacts.csv": "contact_id,account_id,name\nC1,A1,Jonas Weber\n",
}
GENERIC_VISITS = (
    "activity_id,contact_id,kind,activity_date\nV1,C1,visit,2024-03-01\n"
    "V2,,visit,2024-03-02\nV3,C9,visit,2024-03-03\n"
)


@pytest.mark.parametrize(
    ("first", "name", "text", "expected"),
    [
        pytest.param(
            DYNAMICS,
            "phonecall.csv",
            CALLS,
            {
                "ac01": (CONTOSO, None),
                "ac02": (CONTOSO, None),
                "ac03": (FABRIKAM, PIOTR),
            },
            id="dynamics-regarding",
        ),
        pytest.param(
            GENERIC,
            "activities.csv",
            GENERIC_VISITS,
            # a person the database does not hold gives nothing (and is named)
            {"V1": ("A1", "C1"), "V2": (None, None), "V3": (None, None)},
            id="generic-person-only",
        ),
    ],
)
def test_a_large_file_loaded_in_one_pass_reads_the_same_accounts(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    first: dict[str, str],
    name: str,
    text: str,
    expected: dict[str, tuple[Any, Any]],
) -> None:
    outcomes = []
    loaded: list[int | None] = []
    one_pass = store.import_activities_load

    def watched(*args: Any, **kwargs: Any) -> Any:
        loaded.append(one_pass(*args, **kwargs))
        return loaded[-1]

    for large in (False, True):
        con = store.connect(":memory:")
        assert import_texts(con, first).ok
        calls = tmp_path / f"{large}" / name
        calls.parent.mkdir()
        calls.write_text(text)
        loaded.clear()
        with monkeypatch.context() as patch:
            if large:
                patch.setattr(inputs, "LARGE_FILE_BYTES", 0)
            patch.setattr(store, "import_activities_load", watched)
            report = ingest.import_files(con, [calls], actor=ANALYST)
        assert report.ok, [p.message for p in report.errors]
        # the large file in one pass
        assert loaded == ([len(expected)] if large else [])
        outcomes.append((_activities(con), _notes(report)))
        con.close()
    assert outcomes[0] == outcomes[1]
    assert outcomes[1][0] == expected
    assert outcomes[1][1]


#: HubSpot's warehouse export: engagements and their associations in tables of
#: their own. The call is associated with its company; the meeting only with a
#: deal; the note with its person alone.
HUBSPOT = {
    "company_data.csv": "id,is_deleted,property_name\n501,false,Huadong\n"
    "502,false,Nordwerk\n",
    "contact_data.csv": "_fivetran_deleted,id,property_firstname,"
    "property_lastname,associatedcompanyid\nFALSE,7001,Wei,Wang,502\n",
    "deal_data.csv": "deal_id,is_deleted,property_dealname,property_amount,"
    "property_closedate\n801,false,Line upgrade,5000,2024-03-01\n",
    "deal_company_data.csv": "company_id,deal_id,type_id,category\n"
    "501,801,5,HUBSPOT_DEFINED\n",
    "engagement_call_data.csv": "engagement_id,_fivetran_deleted,"
    "property_hs_timestamp,property_hs_call_title,type\n"
    "91,false,2024-03-01 10:00:00.000000,Intro call,CALL\n",
    "engagement_meeting_data.csv": "engagement_id,start_time,title\n"
    "92,2024-03-05 13:00:00,Offer meeting\n",
    "engagement_note_data.csv": "engagement_id,_fivetran_deleted,"
    "property_hs_timestamp,property_hs_body_preview,type\n"
    "93,false,2024-03-06 09:00:00.000000,note body,NOTE\n",
    "engagement_company_data.csv": "company_id,engagement_id,engagement_type,"
    "type_id,category\n502,91,CALL,182,HUBSPOT_DEFINED\n",
    # the call and the meeting are each on two deals: the meeting keeps
    # the first listed; the call's own company makes both moot
    "engagement_deal_data.csv": "deal_id,engagement_id\n801,91\n801,92\n"
    "802,91\n802,92\n",
    "engagement_contact_data.csv": "contact_id,engagement_id,engagement_type,"
    "type_id,category\n7001,93,NOTE,202,HUBSPOT_DEFINED\n",
}


def test_a_hubspot_engagement_logged_on_a_deal_alone_counts_for_its_company(
    con: store.Connection,
) -> None:
    report = import_texts(
        con,
        HUBSPOT,
        source="hubspot",
    )
    assert report.ok, [p.message for p in report.errors]
    # the call keeps its own company (502), not its deal's (501)
    assert _activities(con) == {
        "91": ("502", None),
        "92": ("501", None),
        "93": ("502", "7001"),
    }
    notes = [m for _f, _c, m in _notes(report)]
    assert len(notes) == 2 and "a Salesforce WhatId): 1;" in notes[0]
    said = {p.file: p.message for p in report.problems if p.code == "file_not_imported"}
    assert "their deal" in said["engagement_deal_data.csv"]
    several = [p.message for p in report.problems if p.code == "several_associations"]
    assert several == [
        "1 activities are associated with several deals in engagement_deal_data.csv; "
        "each keeps the first deal listed"
    ]


def test_a_generic_file_s_missing_account_is_not_read_as_a_deal_of_that_id(
    con: store.Connection,
) -> None:
    # A generic export counts its IDs per table: account "17" is not deal "17".
    report = import_texts(
        con,
        {
            "accounts.csv": "account_id,name\n1,Nordwerk AG\n",
            "opportunities.csv": "opportunity_id,account_id,name,stage,amount,"
            "close_date\n17,1,Line upgrade,won,5000,2024-03-01\n",
            "activities.csv": "activity_id,account_id,kind,activity_date\n"
            "V1,17,visit,2024-03-01\n",
        },
    )
    assert report.ok, [p.message for p in report.errors]
    assert _activities(con) == {"V1": (None, None)}
    assert [p.code for p in report.problems if p.file == "activities.csv"] == [
        "missing_reference"
    ]


def test_a_deal_the_export_lacks_is_not_called_a_missing_account(
    con: store.Connection,
) -> None:
    # A HubSpot engagement logged on a deal the export does not hold (a deal
    # deleted, or left out of the sync): its account column holds the deal's ID,
    # and the warning called it "an account 803" in the column "company (from
    # engagement_company_data.csv)", which no CRM user could find.
    export = {
        **HUBSPOT,
        "engagement_meeting_data.csv": "engagement_id,start_time,title\n"
        "92,2024-03-05 13:00:00,Offer meeting\n94,2024-03-07 13:00:00,Review\n",
        "engagement_deal_data.csv": "deal_id,engagement_id\n801,92\n803,94\n",
    }
    report = import_texts(con, export, source="hubspot")
    assert report.ok, [p.message for p in report.errors]
    assert _activities(con)["94"] == (None, None)
    missing = [p for p in report.problems if p.code == "missing_reference"]
    assert [(p.file, p.row, p.column) for p in missing] == [
        (
            "engagement_meeting_data.csv",
            2,
            "company or deal (from engagement_company_data.csv, "
            "engagement_deal_data.csv)",
        )
    ]
    assert missing[0].message.startswith(
        "refers to an account, a deal or a person “803” that is neither in the "
        "import nor in the database; left empty"
    )


def test_a_generic_file_s_missing_account_is_still_called_an_account(
    con: store.Connection,
) -> None:
    report = import_texts(
        con,
        {
            "accounts.csv": "account_id,name\n1,Nordwerk AG\n",
            "activities.csv": "activity_id,account_id,kind,activity_date\n"
            "V1,17,visit,2024-03-01\n",
        },
    )
    (missing,) = [p for p in report.problems if p.code == "missing_reference"]
    assert missing.message.startswith("refers to an account “17” that is neither")


#: A Salesforce export whose tasks were exported without ``AccountId``: each
#: names what it is related to (``WhatId``) and its person (``WhoId``).
SALESFORCE = {
    "Account.csv": "Id,Name\n001A1,Nordwerk AG\n001A2,Huadong Steel\n"
    "001A3,Fabrikam Metals\n",
    "Contact.csv": "Id,AccountId,FirstName,LastName\n003P3,001A3,Piotr,Nowak\n",
    "Opportunity.csv": "Id,AccountId,Name,StageName,Amount,CloseDate\n"
    "006D2,001A2,Line upgrade,Closed Won,50000,2024-03-01\n",
    "Task.csv": "Id,WhoId,WhatId,Subject,ActivityDate,Status\n"
    # related to the account; to its opportunity; to a case, with its person;
    # to a lead alone; and to an opportunity the export does not hold
    "00T1,,001A1,Kick-off,2024-02-01,Completed\n"
    "00T2,,006D2,Offer call,2024-02-10,Completed\n"
    "00T3,003P3,500C1,Support call,2024-02-12,Completed\n"
    "00T4,003P3,,Follow-up,2024-02-13,Completed\n"
    "00T5,,006D9,Renewal call,2024-02-14,Completed\n",
}


def test_a_salesforce_task_without_account_id_reads_its_what_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Salesforce fills a task's AccountId from its WhatId or WhoId, but an export
    # may leave the column out: the tasks were imported without any account, and
    # their effort counted for nobody.
    def seen(con: store.Connection, report: ingest.ImportReport) -> Any:
        missing = [
            (p.file, p.row, p.message.split(" that is")[0])
            for p in report.problems
            if p.code == "missing_reference"
        ]
        return _activities(con), _notes(report), missing

    in_memory, large = imported_small_and_large(tmp_path, monkeypatch, SALESFORCE, seen)
    assert large == in_memory
    activities, notes, missing = in_memory
    assert activities == {
        "00T1": ("001A1", None),
        "00T2": ("001A2", None),
        # a case gives no account: the person's does
        "00T3": ("001A3", "003P3"),
        "00T4": ("001A3", "003P3"),
        "00T5": (None, None),
    }
    assert [(file, message.split(":")[0]) for file, _code, message in notes] == [
        (
            "Task.csv",
            "activities naming a deal, not an account (a Dynamics Regarding, "
            "a HubSpot deal association, a Salesforce WhatId)",
        ),
        ("Task.csv", "activities naming a person but no account"),
    ]
    assert missing == [
        ("Task.csv", 5, "refers to an account, a deal or a person “006D9”")
    ]


def test_a_salesforce_task_with_account_id_keeps_it(con: store.Connection) -> None:
    export = {
        **SALESFORCE,
        "Task.csv": "Id,AccountId,WhoId,WhatId,Subject,ActivityDate,Status\n"
        "00T1,001A1,003P3,006D2,Call,2024-02-01,Completed\n"
        "00T2,001A9,,,Call,2024-02-02,Completed\n",
    }
    report = import_texts(con, export)
    assert report.ok, [p.message for p in report.errors]
    # AccountId is Salesforce's own reading of WhatId and WhoId: it wins, and an
    # account it names that the export lacks is a missing account
    assert _activities(con) == {"00T1": ("001A1", "003P3"), "00T2": (None, None)}
    (missing,) = [p for p in report.problems if p.code == "missing_reference"]
    assert missing.message.startswith("refers to an account “001A9”")


def test_a_large_hubspot_export_takes_its_associations_as_a_small_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Files above the large size are read from disk, for DuckDB's reader; an
    # association table fills other files' frames. Left on disk, the engagements
    # silently kept none of their companies, and the deals file was refused for
    # want of an account column.
    def seen(con: store.Connection, report: ingest.ImportReport) -> Any:
        deals = store.query_frame(
            con, "SELECT opportunity_id, account_id FROM opportunities"
        ).rows()
        return _activities(con), deals, _notes(report)

    in_memory, large = imported_small_and_large(
        tmp_path, monkeypatch, HUBSPOT, seen, source="hubspot"
    )
    assert large == in_memory
    assert large[0] == {
        "91": ("502", None),
        "92": ("501", None),
        "93": ("502", "7001"),
    }
    assert large[1] == [("801", "501")]
