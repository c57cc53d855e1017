"""Accounts and people merged into another record in their CRM.

Merging two accounts (or two people) in Salesforce deletes the loser and writes
the survivor's ID in its ``MasterRecordId``; Dynamics deactivates the loser and
writes it in its ``masterid``. The loser's deals, people and activities move to
the survivor, so an export holds the loser as an empty duplicate: imported, it
was a second account of the same name with no revenue (segmented as the least
valuable of the portfolio), or a second person of the same name in the buying
centre. Fixtures are small and made here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import import_texts
from tests.ingest_support import DYNAMICS_ACCOUNT, imported_small_and_large
from workbench import store
from workbench.ingest import ImportReport

_DYNAMICS_ACCOUNTS = (
    "accountid,name,masterid,statecode\n"
    f"{DYNAMICS_ACCOUNT},Contoso Pharmaceuticals,,0\n"
    f"6f1c1e00-0000-0000-0000-000000000002,Contoso Pharma,{DYNAMICS_ACCOUNT},1\n"
    "6f1c1e00-0000-0000-0000-000000000003,Fabrikam,,0\n"
)
_DYNAMICS_CONTACTS = (
    "contactid,parentcustomerid,fullname,jobtitle,masterid\n"
    f"c1,{DYNAMICS_ACCOUNT},Ada Lee,Head of IT,\n"
    f"c2,{DYNAMICS_ACCOUNT},Ada Lee,Head of IT,c1\n"
    f"c3,{DYNAMICS_ACCOUNT},Ben Wu,Buyer,\n"
)


#: The warnings of a reference to a record the import and the database lack.
_MISSING = {
    "contact_without_account",
    "deal_without_account",
    "missing_reference",
    "link_side_missing",
    "manager_missing",
}


def _ids(con: store.Connection, table: str, key: str) -> list[object]:
    rows = store.query_frame(con, f"SELECT {key} FROM {table} ORDER BY 1").rows()
    return [r[0] for r in rows]


def _merged(report: ImportReport) -> dict[str, int]:
    return {
        p.file: int(p.rows or 0) for p in report.problems if p.code == "merged_in_crm"
    }


def test_a_dynamics_record_merged_into_another_is_left_out_and_counted(
    con: store.Connection,
) -> None:
    report = import_texts(
        con,
        {"account.csv": _DYNAMICS_ACCOUNTS, "contact.csv": _DYNAMICS_CONTACTS},
        source="dynamics",
    )
    assert report.ok, [p.message for p in report.errors]
    assert _ids(con, "accounts", "name") == ["Contoso Pharmaceuticals", "Fabrikam"]
    assert _ids(con, "contacts", "contact_id") == ["c1", "c3"]
    assert _merged(report) == {"account.csv": 1, "contact.csv": 1}
    message = next(p.message for p in report.problems if p.code == "merged_in_crm")
    assert "merged into another in the CRM" in message
    # the CRM removed them: counted with the deleted rows, not as skipped
    assert report.plan["accounts"]["deleted_in_crm"] == 1
    assert report.plan["accounts"]["skip"] == 0
    assert report.plan["contacts"]["deleted_in_crm"] == 1


def test_a_salesforce_merge_loser_is_counted_as_merged_not_as_deleted(
    con: store.Connection,
) -> None:
    accounts = (
        "Id,Name,IsDeleted,MasterRecordId\n"
        "001A,Acme,false,\n"
        "001B,Acme Corp,true,001A\n"
        "001C,Old Co,true,\n"
    )
    report = import_texts(con, {"Account.csv": accounts}, source="salesforce")
    assert report.ok, [p.message for p in report.errors]
    assert _ids(con, "accounts", "account_id") == ["001A"]
    assert _merged(report) == {"Account.csv": 1}
    deleted = [p.rows for p in report.problems if p.code == "deleted_in_crm"]
    assert deleted == [1]
    assert report.plan["accounts"]["deleted_in_crm"] == 2


def test_a_record_naming_itself_its_master_is_kept(con: store.Connection) -> None:
    # no CRM writes it, but a hand-made file may: a record is not merged into itself
    report = import_texts(
        con,
        {"accounts.csv": "account_id,name,master_id\na1,Acme,a1\na2,Beta,\n"},
    )
    assert report.ok, [p.message for p in report.errors]
    assert _ids(con, "accounts", "account_id") == ["a1", "a2"]
    assert not _merged(report)


def test_merged_records_are_left_out_from_large_files_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def seen(
        con: store.Connection, report: ImportReport
    ) -> tuple[list[object], list[object], dict[str, int]]:
        return (
            _ids(con, "accounts", "account_id"),
            _ids(con, "contacts", "contact_id"),
            _merged(report),
        )

    files = {
        "Account.csv": "Id,Name,IsDeleted,MasterRecordId\n"
        "001A,Acme,false,\n001B,Acme Corp,true,001A\n",
        "Contact.csv": "Id,AccountId,FirstName,LastName,MasterRecordId\n"
        "003A,001A,Ada,Lee,\n003B,001A,Ada,Lee,003A\n003C,001A,Ben,Wu,\n",
        "Opportunity.csv": "Id,AccountId,Name,StageName,Amount,CloseDate,IsClosed,IsWon\n"
        "006A,001A,Renewal,Closed Won,1000,2024-03-01,true,true\n",
    }
    small, large = imported_small_and_large(tmp_path, monkeypatch, files, seen)
    assert (
        small
        == large
        == (
            ["001A"],
            ["003A", "003C"],
            {"Account.csv": 1, "Contact.csv": 1},
        )
    )


def _accounts_of(con: store.Connection, table: str) -> list[tuple[object, ...]]:
    key = {"contacts": "contact_id", "opportunities": "opportunity_id"}[table]
    return store.query_frame(
        con, f"SELECT {key}, account_id FROM {table} ORDER BY 1"
    ).rows()


def test_a_row_naming_a_merged_account_counts_for_the_survivor(
    con: store.Connection,
) -> None:
    # deals exported before the merge, accounts after it
    files = {
        "Account.csv": "Id,Name,IsDeleted,MasterRecordId\n"
        "001A,Acme,false,\n001B,Acme Corp,true,001A\n",
        "Contact.csv": "Id,AccountId,FirstName,LastName,ReportsToId,MasterRecordId\n"
        "003A,001A,Ada,Lee,,\n003B,001B,Ada,Lee,,003A\n003C,001B,Ben,Wu,003B,\n",
        "Opportunity.csv": "Id,AccountId,Name,StageName,Amount,CloseDate,IsClosed,IsWon\n"
        "006A,001B,Renewal,Closed Won,1000,2024-03-01,true,true\n",
    }
    report = import_texts(con, files, source="salesforce")
    assert report.ok, [p.message for p in report.errors]
    assert _accounts_of(con, "contacts") == [("003A", "001A"), ("003C", "001A")]
    assert _accounts_of(con, "opportunities") == [("006A", "001A")]
    manager = store.query_frame(
        con, "SELECT reports_to_id FROM contacts WHERE contact_id = '003C'"
    ).item()
    assert manager == "003A"
    moved = [
        (p.file, p.rows, p.message)
        for p in report.problems
        if p.code == "merged_reference"
    ]
    # per file and column: the person's account and manager, the deal's account
    assert sorted((file, rows) for file, rows, _ in moved) == [
        ("Contact.csv", 1),
        ("Contact.csv", 1),
        ("Opportunity.csv", 1),
    ]
    headers = sorted(m.split(" a record")[0].split("name in ")[1] for *_, m in moved)
    assert headers == ["AccountId", "AccountId", "ReportsToId"]
    assert any("“001B”, merged into “001A”" in m for _, _, m in moved)
    assert not [p for p in report.problems if p.code in _MISSING]
    assert sum(store.orphan_counts(con).values()) == 0


def test_hubspot_lists_the_ids_merged_into_a_company(con: store.Connection) -> None:
    companies = (
        "Record ID,Company name,Merged record IDs\n101,Acme,201;202\n102,Beta,\n"
    )
    contacts = (
        "Record ID,First Name,Last Name,Associated Company IDs (Primary)\n"
        "1,Ada,Lee,202\n2,Ben,Wu,102\n"
    )
    report = import_texts(
        con, {"companies.csv": companies, "contacts.csv": contacts}, source="hubspot"
    )
    assert report.ok, [p.message for p in report.errors]
    rows = store.query_frame(
        con, "SELECT name, account_id FROM contacts ORDER BY 1"
    ).rows()
    assert rows == [("Ada Lee", "101"), ("Ben Wu", "102")]
    assert [p.rows for p in report.problems if p.code == "merged_reference"] == [1]


def test_references_to_merged_records_move_in_large_files_and_rows_keep_their_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def seen(con: store.Connection, report: ImportReport) -> tuple[object, ...]:
        activities = store.query_frame(
            con, "SELECT activity_id, account_id, contact_id FROM activities ORDER BY 1"
        ).rows()
        missing = sorted(
            (p.file, p.row, p.column) for p in report.problems if p.code in _MISSING
        )
        moved = sorted(
            (p.file, p.rows) for p in report.problems if p.code == "merged_reference"
        )
        return (
            _accounts_of(con, "contacts"),
            _accounts_of(con, "opportunities"),
            activities,
            missing,
            moved,
        )

    files = {
        "Account.csv": "Id,Name,IsDeleted,MasterRecordId\n"
        "001A,Acme,false,\n001B,Acme Corp,true,001A\n",
        # no person of the file is merged: the whole export's one-pass import
        # would build it in place, and must not while another file's merge stands
        "Contact.csv": "Id,AccountId,FirstName,LastName,MasterRecordId\n"
        "003A,001A,Ada,Lee,\n003C,001B,Ben,Wu,\n",
        "Opportunity.csv": "Id,AccountId,Name,StageName,Amount,CloseDate,IsClosed,IsWon\n"
        "006A,001B,Renewal,Closed Won,1000,2024-03-01,true,true\n"
        "006B,001Z,Lost one,Closed Won,1000,2024-03-01,true,true\n",
        "Task.csv": "Id,AccountId,WhoId,Subject,ActivityDate,TaskSubtype,IsClosed\n"
        "00T1,001B,003A,Call,2024-02-01,Call,true\n"
        "00T2,001A,003A,Call,2024-02-02,Call,true\n",
    }
    small, large = imported_small_and_large(tmp_path, monkeypatch, files, seen)
    assert small == large
    contacts, deals, activities, missing, moved = small
    assert contacts == [("003A", "001A"), ("003C", "001A")]
    assert deals == [("006A", "001A")]
    assert activities == [("00T1", "001A", "003A"), ("00T2", "001A", "003A")]
    # a row after a moved one keeps its number
    assert missing == [("Opportunity.csv", 2, "AccountId")]
    assert moved == [("Contact.csv", 1), ("Opportunity.csv", 1), ("Task.csv", 1)]


def test_hubspot_people_merged_into_a_contact_in_large_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def seen(con: store.Connection, report: ImportReport) -> list[tuple[object, ...]]:
        return store.query_frame(
            con, "SELECT activity_id, account_id, contact_id FROM activities ORDER BY 1"
        ).rows()

    files = {
        "companies.csv": "Record ID,Company name\n101,Acme\n",
        "contacts.csv": "Record ID,First Name,Last Name,"
        "Associated Company IDs (Primary),Merged record IDs\n"
        "201,Lena,Vogt,101,251;252\n202,Wei,Zhang,101,\n",
        "calls.csv": "Record ID,Call Title,Activity date,Call duration,"
        "Associated Contact IDs,Associated Company IDs\n"
        "301,Check-in,2024-04-02 10:00,600000,252,101\n"
        "302,Follow-up,2024-04-03 10:00,600000,202,101\n",
    }
    small, large = imported_small_and_large(tmp_path, monkeypatch, files, seen)
    assert small == large == [("301", "101", "201"), ("302", "101", "202")]


def _whole_export(
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    contacts: str,
    mapping: dict[str, str] | None = None,
) -> tuple[ImportReport, list[str], store.Connection]:
    """Import a whole Salesforce export whose tasks name 003C…99 and 003C…01.

    Every file counts as large: the tasks load in one pass, the people are
    built from their file in place unless a row of it must be staged. Returns
    the report, the tables built in place and the database.
    """
    from tests.ingest_direct_support import ANALYST, _write_people, _write_tasks
    from workbench import ingest
    from workbench.ingest.model import ColumnMapping
    from workbench.store.imports import direct_build

    _write_people(folder)
    (folder / "Contact.csv").write_text(contacts)
    task = ["false", "001A00000000000001"]
    tasks = _write_tasks(
        folder,
        [
            [
                "00T1",
                *task,
                "003C00000000000099",
                "",
                "Call",
                "2024-03-01",
                "Call",
                "",
                "",
            ],
            [
                "00T2",
                *task,
                "003C00000000000001",
                "",
                "Call",
                "2024-03-02",
                "Call",
                "",
                "",
            ],
        ],
    )
    mappings = {"Contact.csv": ColumnMapping("contacts", mapping)} if mapping else {}
    built_in_place: list[str] = []
    build = direct_build.direct_built

    def watched(cur: object, table: str, *args: object) -> int:
        rows = build(cur, table, *args)  # type: ignore[arg-type]
        built_in_place.append(table)  # (a row to stage raised before)
        return rows

    con = store.connect(":memory:")
    with monkeypatch.context() as patch:
        patch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 0)
        patch.setattr(direct_build, "direct_built", watched)
        files = [folder / f"{n}.csv" for n in ("User", "Account", "Contact")]
        report = ingest.import_files(
            con, [*files, tasks], actor=ANALYST, mappings=mappings
        )
    assert report.ok, [p.message for p in report.errors]
    return report, built_in_place, con


def _task_people(con: store.Connection) -> list[tuple[object, ...]]:
    return store.query_frame(
        con, "SELECT activity_id, contact_id FROM activities ORDER BY 1"
    ).rows()


_CONTACT_MAPPING = {
    "Id": "contact_id",
    "IsDeleted": "is_deleted",
    "AccountId": "account_id",
    "LastName": "last_name",
    "Title": "title",
    "MergedIds": "merged_ids",
}


@pytest.mark.parametrize(
    ("contacts", "mapping", "merged"),
    [
        pytest.param(
            # a person listing the IDs merged into them
            "Id,IsDeleted,AccountId,LastName,Title,MergedIds\n"
            "003C00000000000001,false,001A00000000000001,Zhang,Plant Manager,"
            "003C00000000000099\n"
            "003C00000000000002,false,001A00000000000002,Weber,Buyer,\n",
            _CONTACT_MAPPING,
            {},
            id="lists-merged-ids",
        ),
        pytest.param(
            # a person merged into another, not marked deleted (as a Dynamics
            # loser is not): left out and counted as the staged path counts it
            "Id,IsDeleted,AccountId,LastName,Title,MasterRecordId\n"
            "003C00000000000001,false,001A00000000000001,Zhang,Plant Manager,\n"
            "003C00000000000002,false,001A00000000000002,Weber,Buyer,\n"
            "003C00000000000099,false,001A00000000000001,Zhang,Plant Manager,"
            "003C00000000000001\n",
            None,
            {"Contact.csv": 1},
            id="merged-person",
        ),
    ],
)
def test_a_people_file_holding_a_merge_is_staged_not_built_in_place(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    contacts: str,
    mapping: dict[str, str] | None,
    merged: dict[str, int],
) -> None:
    # staged, its merge is in the map, and the task naming 003C…99 counts for
    # the person it was merged into
    report, built_in_place, con = _whole_export(
        tmp_path, monkeypatch, contacts, mapping
    )
    assert "contacts" not in built_in_place
    assert _merged(report) == merged
    assert _task_people(con) == [
        ("00T1", "003C00000000000001"),
        ("00T2", "003C00000000000001"),
    ]


def test_a_chain_of_merges_ends_at_the_last_survivor_and_a_kept_id_stands(
    con: store.Connection,
) -> None:
    a1, a2, a3 = (f"6f1c1e00-0000-0000-0000-00000000000{i}" for i in (1, 2, 3))
    accounts = (
        "accountid,name,masterid\n"
        f"{a1},Contoso,\n{a2},Contoso Pharma,{a3}\n{a3},Contoso Ltd,{a1}\n"
    )
    opportunities = (
        "opportunityid,parentaccountid,name,statecode,actualvalue,actualclosedate\n"
        f"o1,{a2},Framework,1,1000,2024-03-01\no2,{a3},Pilot,1,500,2024-03-02\n"
    )
    report = import_texts(
        con,
        {"account.csv": accounts, "opportunity.csv": opportunities},
        source="dynamics",
    )
    assert report.ok, [p.message for p in report.errors]
    # a2 was merged into a3, and a3 into a1
    assert _accounts_of(con, "opportunities") == [("o1", a1), ("o2", a1)]

    # HubSpot lists 102 as merged into 101, but the import holds 102's own row
    hubspot = store.connect(":memory:")
    report = import_texts(
        hubspot,
        {
            "companies.csv": "Record ID,Company name,Merged record IDs\n"
            "101,Acme,102;103\n102,Beta,\n",
            "contacts.csv": "Record ID,First Name,Last Name,"
            "Associated Company IDs (Primary)\n1,Ada,Lee,102\n2,Ben,Wu,103\n",
        },
        source="hubspot",
    )
    assert report.ok, [p.message for p in report.errors]
    rows = store.query_frame(
        hubspot, "SELECT name, account_id FROM contacts ORDER BY 1"
    ).rows()
    assert rows == [("Ada Lee", "102"), ("Ben Wu", "101")]


def test_a_move_never_makes_a_twin_or_a_line_to_itself(con: store.Connection) -> None:
    # Moved, these rows would refuse the import (a person without an ID keyed
    # by account and name, a deal–person link keyed by the two IDs it joins:
    # each the twin of the survivor's row) or name the row itself (a parent,
    # a manager merged into the row): they stay references to a missing record.
    files = {
        "accounts.csv": "account_id,name,master_id,parent_account_id\n"
        "a1,Acme,,a2\na2,Acme Corp,a1,\n",
        "contacts.csv": "contact_id,account_id,name,email,reports_to_id,master_id\n"
        "c1,a1,Ada Lee,ada@acme.example,c2,\nc2,a1,Ada Lee,ada@acme.example,,c1\n"
        ",a1,Ben Wu,ben@acme.example,,\n,a2,Ben Wu,ben@acme.example,,\n",
        "opportunities.csv": "opportunity_id,account_id,opportunity_name,stage,amount,"
        "close_date\n"
        "o1,a2,Renewal,Closed Won,1000,2024-03-01\n",
        "opportunity_contacts.csv": "opportunity_id,contact_id,role\n"
        "o1,c1,Decision Maker\no1,c2,Decision Maker\n",
    }
    report = import_texts(con, files)
    assert report.ok, [p.message for p in report.errors]
    accounts = store.query_frame(
        con, "SELECT account_id, parent_account_id FROM accounts"
    ).rows()
    assert accounts == [("a1", None)]
    people = store.query_frame(
        con, "SELECT name, account_id, reports_to_id FROM contacts ORDER BY 1"
    ).rows()
    assert people == [("Ada Lee", "a1", None), ("Ben Wu", "a1", None)]
    links = store.query_frame(
        con, "SELECT opportunity_id, contact_id FROM opportunity_contacts"
    ).rows()
    assert links == [("o1", "c1")]
    # the deal has its own ID: moved to the survivor
    assert _accounts_of(con, "opportunities") == [("o1", "a1")]
    assert [p.rows for p in report.problems if p.code == "merged_reference"] == [1]


def test_a_survivor_neither_imported_nor_stored_keeps_the_row(
    con: store.Connection,
) -> None:
    # A filler in the merge column (an ETL's empty GUID) or a survivor the
    # export left out names no record: every account was left out as merged,
    # and the import refused as having nothing to write.
    empty = "00000000-0000-0000-0000-000000000000"
    accounts = (
        "accountid,name,masterid\n"
        f"a1,Acme,{empty}\na2,Beta,{empty}\na3,Acme Corp,a1\na4,Gamma,a9\n"
    )
    report = import_texts(con, {"account.csv": accounts}, source="dynamics")
    assert report.ok, [p.message for p in report.errors]
    assert _ids(con, "accounts", "account_id") == ["a1", "a2", "a4"]
    assert _merged(report) == {"account.csv": 1}
    kept = [p for p in report.problems if p.code == "merged_into_missing"]
    assert [(p.file, p.rows) for p in kept] == [("account.csv", 3)]
    assert "kept as records of their own" in kept[0].message


def test_a_survivor_stored_by_an_earlier_import_is_one(con: store.Connection) -> None:
    first = import_texts(con, {"accounts.csv": "account_id,name\na1,Acme\n"})
    assert first.ok
    later = import_texts(
        con,
        {
            "accounts.csv": "account_id,name,master_id\na2,Acme Corp,a1\n",
            "opportunities.csv": "opportunity_id,account_id,opportunity_name,stage,"
            "amount,close_date\no1,a2,Renewal,Closed Won,1000,2024-03-01\n",
        },
    )
    assert later.ok, [p.message for p in later.errors]
    assert _ids(con, "accounts", "account_id") == ["a1"]
    assert _accounts_of(con, "opportunities") == [("o1", "a1")]
