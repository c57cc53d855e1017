"""Imports load whole and true: nothing dangles after a commit, every problem is
reported in one pass, warnings tolerate what real CRMs hold, the plan says what
will happen, and the same files are not committed twice by accident."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import (
    ANALYST,
    REAL_DATASETS,
    assert_import_reads,
    assert_rejected_unchanged,
    import_texts,
)
from tests.conftest import INGEST_FIXTURES as FIXTURES
from workbench import ingest, store
from workbench.domain import Actor
from workbench.errors import RejectedInputError


def _rows(con: store.Connection, sql: str) -> list[tuple[object, ...]]:
    return store.query_frame(con, sql).rows()


def _import_reads(
    con: store.Connection,
    files: dict[str, str],
    expected: dict[str, list[tuple[object, ...]]],
    **options: object,
) -> ingest.ImportReport:
    """Import ``files``; it must succeed, and each query must return its rows."""
    report = import_texts(con, files, **options)
    assert_import_reads(con, report, expected)
    return report


def _every_import_input() -> list[Path]:
    """Every fixture (file or folder) and every real data set present."""
    inputs = sorted(p for p in FIXTURES.iterdir() if p.name != "bad")
    inputs += sorted((FIXTURES / "bad").iterdir())
    if REAL_DATASETS.exists():
        inputs += sorted(p for p in REAL_DATASETS.iterdir() if p.is_dir())
    return inputs


@pytest.mark.parametrize(
    "path", _every_import_input(), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_no_import_leaves_anything_pointing_at_nothing(
    con: store.Connection, path: Path
) -> None:
    report = ingest.import_files(con, [path], actor=ANALYST)
    assert store.orphan_counts(con) == dict.fromkeys(store.orphan_counts(con), 0), (
        report.problems[:5]
    )


def test_everything_imported_together_into_one_database_has_no_orphans(
    con: store.Connection,
) -> None:
    committed = 0
    for path in _every_import_input():
        committed += ingest.import_files(con, [path], actor=ANALYST).ok
    assert committed > 10
    assert sum(store.orphan_counts(con).values()) == 0


def test_an_account_created_from_a_name_exists_as_a_row(con: store.Connection) -> None:
    report = ingest.import_files(
        con, [FIXTURES / "chinese_big5" / "聯絡人.csv"], actor=ANALYST
    )
    assert report.ok
    assert _rows(con, "SELECT count(*) FROM accounts WHERE name = '鴻海精密工業'") == [
        (1,)
    ]
    assert _rows(
        con,
        "SELECT count(*) FROM contacts c JOIN accounts a USING (account_id) "
        "WHERE a.name = '鴻海精密工業'",
    ) == [(3,)]
    assert report.plan["accounts"]["created_from_names"] == 1
    assert report.as_json()["added"]["accounts"] == 1


def test_the_commit_rolls_back_when_a_written_row_would_dangle(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Simulate a check that missed a reference: the commit's own check refuses.
    from workbench.store.imports import checks

    monkeypatch.setattr(checks, "_IMPORT_REFERENCES", ())
    files = {
        "Account.csv": "Id,Name\n001A,Acme\n",
        "Contact.csv": "Id,AccountId,LastName,ReportsToId\n003A,001A,Ames,003Z\n",
    }
    report = assert_rejected_unchanged(con, lambda: import_texts(con, files))
    assert any(
        "would leave records pointing at nothing" in p.message
        and "contacts.reports_to_id" in p.message
        for p in report.errors
    )


def test_the_commit_rolls_back_when_an_id_would_be_held_twice(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # People and deals have no key index (migration 17): simulate a check of
    # doubles that missed one; the commit's own check refuses the import.
    accounts = {"Account.csv": "Id,Name\n001A,Acme\n"}
    assert import_texts(con, accounts).ok
    assert import_texts(
        con, {"Contact.csv": "Id,AccountId,LastName\n003A,001A,Ames\n"}
    ).ok
    found_by_the_check = store.import_duplicates
    monkeypatch.setattr(
        store,
        "import_duplicates",
        lambda cur, table: found_by_the_check(cur, table).clear(),
    )
    doubled = {"Contact.csv": "Id,AccountId,LastName\n003A,001A,Ames\n003A,001A,Berg\n"}
    report = assert_rejected_unchanged(con, lambda: import_texts(con, doubled))
    assert any(
        "two records under one ID" in p.message and "contacts.contact_id" in p.message
        for p in report.errors
    ), report.errors


def test_a_manager_missing_from_the_export_is_a_warning_naming_the_person(
    con: store.Connection,
) -> None:
    report = _import_reads(
        con,
        {
            "Account.csv": "Id,Name\n001A,Acme\n001B,Other\n",
            "Contact.csv": "Id,AccountId,LastName,ReportsToId\n"
            "003A,001A,Ames,003DELETED\n"
            "003B,001A,Baker,003A\n"
            "003C,001B,Clark,003A\n",
        },
        {
            "SELECT contact_id, reports_to_id FROM contacts ORDER BY 1": [
                ("003A", None),
                ("003B", "003A"),
                ("003C", None),
            ]
        },
    )
    messages = [(p.level, p.row, p.message) for p in report.problems]
    assert any(
        level == "warning"
        and row == 1
        and "“003DELETED”" in message
        and "the reporting line was left out" in message
        for level, row, message in messages
    ), messages
    assert any(
        "“Clark” (003C) reports to 003A, who works for another account" in message
        for _level, _row, message in messages
    )


def test_one_pass_reports_a_bad_number_and_a_missing_account_together(
    con: store.Connection,
) -> None:
    files = {
        "Account.csv": "Id,Name,AnnualRevenue\n001A,Acme,lots\n",
        "Contact.csv": "Id,AccountId,LastName\n003A,001A,Ames\n003B,001MISSING,Baker\n",
    }
    report = assert_rejected_unchanged(con, lambda: import_texts(con, files))
    levels = [p.level for p in report.problems]
    # Errors first, then warnings.
    assert levels == sorted(levels, key=lambda level: level != "error")
    assert any("is not a number" in p.message for p in report.errors)
    assert any(
        "“001MISSING”" in p.message and p.level == "warning" for p in report.problems
    )
    kinds = report.as_json()["warning_kinds"]
    assert {
        "kind": "person left out: their account is missing",
        "code": "contact_without_account",
        "count": 1,
    } in kinds


def test_the_plan_counts_rows_to_add_update_and_skip(con: store.Connection) -> None:
    files = {
        "Account.csv": "Id,Name\n001A,Acme\n001B,Beta\n",
        "Contact.csv": "Id,AccountId,LastName\n003A,001A,Ames\n003B,001GONE,Baker\n",
    }
    dry = import_texts(con, files, dry_run=True)
    assert dry.ok and dry.dry_run
    assert dry.plan["accounts"] == {
        "add": 2,
        "update": 0,
        "skip": 0,
        "created_from_names": 0,
        "deleted_in_crm": 0,
        "not_done_in_crm": 0,
        "why": [],
    }
    assert dry.plan["contacts"]["add"] == 1
    assert dry.plan["contacts"]["skip"] == 1
    assert dry.plan["contacts"]["why"] == [
        "person left out: their account is missing (1)"
    ]
    assert dry.as_json()["added"] == {}
    assert ingest.summary.rows_left_out(dry.plan) == 1
    assert import_texts(con, files).ok
    changed = dict(files, **{"Account.csv": "Id,Name\n001A,Acme Ltd\n001C,Gamma\n"})
    report = import_texts(con, changed)
    assert report.ok
    assert report.plan["accounts"]["add"] == 1
    assert report.plan["accounts"]["update"] == 1
    assert report.as_json()["added"]["accounts"] == 1


def test_the_same_files_twice_are_committed_once(con: store.Connection) -> None:
    files = {"Account.csv": "Id,Name\n001A,Acme\n"}
    first = import_texts(con, files)
    assert first.ok and first.run_id is not None
    second = import_texts(con, files)
    assert second.ok and second.run_id is None
    assert any("imported already" in p.message for p in second.problems)
    assert store.import_runs(con).height == 1
    again = import_texts(con, files, again=True)
    assert again.ok and again.run_id is not None
    # After an undo the same files import normally.
    store.undo_last_import(con, ANALYST)
    assert import_texts(con, files).run_id is not None


def test_owners_named_only_by_name_become_sellers_once(con: store.Connection) -> None:
    report = _import_reads(
        con,
        {
            "Account.csv": "Id,Name,Owner\n001A,Acme,Wang Li\n001B,Beta,wang li \n",
            "Opportunity.csv": "Id,AccountId,Name,Amount,CloseDate,StageName,Owner\n"
            "006A,001A,Deal,100,2024-01-01,Closed Won,Wang Li\n"
            "006B,001B,Deal,100,2024-01-01,Closed Won,Chen Jie\n",
        },
        {
            "SELECT name FROM sellers ORDER BY name": [("Chen Jie",), ("Wang Li",)],
            "SELECT count(*) FROM opportunities WHERE owner_seller_id IS NULL": [(0,)],
        },
    )
    assert not any("matches no seller" in p.message for p in report.problems)
    _import_reads(
        con,
        {"Account.csv": "Id,Name,Owner\n001C,Gamma,WANG LI\n"},
        {"SELECT count(*) FROM sellers": [(2,)]},
    )


@pytest.mark.parametrize(
    ("managers", "reports_to"),
    [
        # a column of codes is read as IDs: nobody is looked up by name
        (["", "C001", "C002"], [("王伟", None), ("李娜", "C001"), ("赵强", "C002")]),
        # a column of names is still read as names
        (["", "王伟"], [("王伟", None), ("李娜", "C001")]),
    ],
    ids=["codes", "names"],
)
def test_a_manager_column_is_read_as_ids_or_as_names(
    con: store.Connection, managers: list[str], reports_to: list[tuple[str, str]]
) -> None:
    people = [
        ("C001", "王伟", "总经理"),
        ("C002", "李娜", "采购经理"),
        ("C003", "赵强", "工程师"),
    ]
    lines = [
        f"{code},华东机械,{name},{title},{manager}\n"
        for (code, name, title), manager in zip(people, managers, strict=False)
    ]
    report = _import_reads(
        con,
        {"联系人.csv": "联系人编号,客户名称,姓名,职务,直属上级\n" + "".join(lines)},
        {"SELECT name, reports_to_id FROM contacts ORDER BY contact_id": reports_to},
    )
    assert not any("matches no person" in p.message for p in report.problems)


def test_viewers_still_cannot_import(con: store.Connection) -> None:
    with pytest.raises(Exception, match="import"):
        ingest.import_files(
            con, [("a.csv", b"Id,Name\n1,A\n")], actor=Actor("v", "viewer")
        )
    with pytest.raises(RejectedInputError):
        ingest.import_files(con, [], actor=ANALYST, source="nonsense")


def test_chinese_crm_columns_and_channels_are_recognised(
    con: store.Connection,
) -> None:
    report = _import_reads(
        con,
        {
            "客户.csv": "客户编号,客户名称,年销售额(元),跟进人\n"
            "K01,华东机械,120000000,王丽\n",
            "联系人.csv": "联系人编号,客户编号,姓名,影响力(1-5),上级编号\n"
            "C01,K01,王伟,5,\n"
            "C02,K01,李娜,3,C01\n",
            "拜访记录.csv": "客户编号,联系人编号,拜访日期,拜访方式,跟进人\n"
            "K01,C02,2024-03-05,微信,王丽\n"
            "K01,C01,2024-03-06,技术交流会,王丽\n"
            "K01,C01,2024-03-07,展會,王丽\n",
        },
        {
            "SELECT annual_revenue FROM accounts": [(120000000.0,)],
            "SELECT contact_id, influence, reports_to_id FROM contacts ORDER BY 1": [
                ("C01", 5, None),
                ("C02", 3, "C01"),
            ],
            "SELECT contact_id, kind, s.name FROM activities "
            "JOIN sellers s USING (seller_id) ORDER BY activity_date": [
                ("C02", "email", "王丽"),
                ("C01", "workshop", "王丽"),
                ("C01", "event", "王丽"),
            ],
            "SELECT count(*) FROM sellers": [(1,)],
        },
    )
    assert not [p for p in report.problems if "not a known" in p.message]


def test_hubspot_contacts_get_their_company_from_the_association_table(
    con: store.Connection,
) -> None:
    report = _import_reads(
        con,
        {
            "company_data.csv": "id,is_deleted,_fivetran_synced,property_name,"
            "property_industry,property_country\n"
            "501,false,2024-01-01 0:00:00,Huadong,Machinery,China\n"
            "502,false,2024-01-01 0:00:00,Rheinstahl,Steel,Germany\n",
            "contact_data.csv": "_fivetran_deleted,_fivetran_synced,property_email,id,"
            "property_company,property_firstname,property_lastname\n"
            "FALSE,2024-01-01 0:00:00,a@x.example,7001,,Wei,Wang\n"
            "FALSE,2024-01-01 0:00:00,b@x.example,7002,,Klaus,Weber\n"
            "FALSE,2024-01-01 0:00:00,c@x.example,7003,Huadong,Jun,Li\n",
            "contact_company_data.csv": "contact_id,company_id,type_id,category\n"
            "7001,501,1,HUBSPOT_DEFINED\n"
            "7002,502,1,HUBSPOT_DEFINED\n",
        },
        {
            "SELECT contact_id, account_id FROM contacts ORDER BY contact_id": [
                ("7001", "501"),
                ("7002", "502"),
                ("7003", "501"),
            ]
        },
        source="hubspot",
    )
    notes = [p.message for p in report.problems if p.file == "contact_company_data.csv"]
    assert notes == [
        "not imported: an association table: it gives the people in "
        "contact_data.csv their company"
    ]


def test_dynamics_activity_views_become_activities(con: store.Connection) -> None:
    folder = FIXTURES / "dynamics"
    files = {p.name: p.read_text() for p in folder.iterdir()}
    files["Phone Calls.csv"] = (
        "(Do Not Modify) Phone Call,(Do Not Modify) Row Checksum,(Do Not Modify) Modified On,"
        "Subject,Call To,Regarding,Duration,Owner,Due\n"
        "c1000000-0000-0000-0000-000000000001,abc,2024-03-01,Line trial,Ivo Brandt,"
        "Contoso Pharmaceuticals,30,Mia Roth,2024-03-01\n"
    )
    files["Appointments.csv"] = (
        "(Do Not Modify) Appointment,(Do Not Modify) Row Checksum,Subject,"
        "Required Attendees,Regarding,Start Time,Duration,Owner\n"
        "a1000000-0000-0000-0000-000000000001,def,QBR,Nora Keller,"
        "Contoso Pharmaceuticals,2024-04-02 10:00,90,Mia Roth\n"
    )
    _import_reads(
        con,
        files,
        {
            "SELECT a.kind, c.name, a.duration_minutes, s.name FROM activities a "
            "JOIN contacts c USING (contact_id) JOIN sellers s USING (seller_id) "
            "ORDER BY a.activity_date": [
                ("call", "Ivo Brandt", 30.0, "Mia Roth"),
                ("meeting", "Nora Keller", 90.0, "Mia Roth"),
            ]
        },
    )


def test_hubspot_engagements_become_activities_with_their_people(
    con: store.Connection,
) -> None:
    _import_reads(
        con,
        {
            "company_data.csv": "id,is_deleted,_fivetran_synced,property_name,"
            "property_industry,property_country\n"
            "501,false,2024-01-01 0:00:00,Huadong,Machinery,China\n",
            "contact_data.csv": "_fivetran_deleted,_fivetran_synced,property_email,id,"
            "property_company,property_firstname,property_lastname\n"
            "FALSE,2024-01-01 0:00:00,a@x.example,7001,Huadong,Wei,Wang\n",
            "engagement_call_data.csv": "engagement_id,_fivetran_deleted,"
            "property_hs_timestamp,property_hs_call_title,property_hs_call_duration,type\n"
            "91,false,2024-03-01 10:00:00.000000,Intro call,1500000,CALL\n",
            "engagement_meeting_data.csv": "engagement_id,start_time,end_time,title\n"
            "92,2024-03-05 13:00:00,2024-03-05 14:30:00,Plant visit\n",
            "engagement_note_data.csv": "engagement_id,_fivetran_deleted,"
            "property_hs_timestamp,property_hs_body_preview,type\n"
            "93,false,2024-03-06 09:00:00.000000,note body,NOTE\n",
            "engagement_contact_data.csv": "contact_id,engagement_id,engagement_type,"
            "type_id,category\n7001,91,CALL,194,HUBSPOT_DEFINED\n"
            "7001,92,MEETING,200,HUBSPOT_DEFINED\n",
            "engagement_company_data.csv": "company_id,engagement_id,engagement_type,"
            "type_id,category\n501,91,CALL,182,HUBSPOT_DEFINED\n"
            "501,92,MEETING,188,HUBSPOT_DEFINED\n"
            "501,93,NOTE,190,HUBSPOT_DEFINED\n",
        },
        {
            "SELECT activity_id, kind, account_id, contact_id, subject, "
            "duration_minutes FROM activities ORDER BY activity_id": [
                ("91", "call", "501", "7001", "Intro call", 25.0),
                ("92", "meeting", "501", "7001", "Plant visit", 90.0),
                ("93", "note", "501", None, "note body", None),
            ]
        },
        source="hubspot",
    )
    assert sum(store.orphan_counts(con).values()) == 0


def test_nested_and_self_reporting_loops_each_lose_one_line(
    con: store.Connection,
) -> None:
    report = _import_reads(
        con,
        {
            "Account.csv": "Id,Name\n001A,Acme\n",
            "Contact.csv": "Id,AccountId,LastName,ReportsToId\n"
            "003A,001A,Ames,003B\n"
            "003B,001A,Baker,003A\n"
            "003C,001A,Clark,003C\n"
            "003D,001A,Dunn,003E\n"
            "003E,001A,Evans,003F\n"
            "003F,001A,Ford,003D\n"
            "003G,001A,Gray,003D\n",
        },
        {
            "SELECT contact_id, reports_to_id FROM contacts ORDER BY 1": [
                ("003A", None),
                ("003B", "003A"),
                ("003C", None),
                ("003D", None),
                ("003E", "003F"),
                ("003F", "003D"),
                ("003G", "003D"),
            ]
        },
    )
    cycles = sorted(
        p.message for p in report.problems if p.message.startswith("reporting cycle")
    )
    assert len(cycles) == 3
    assert any("“Clark” (003C) → “Clark” (003C)" in c for c in cycles)
