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
