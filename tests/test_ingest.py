"""The import pipeline's recognition of each CRM's exports, on small fixtures.

Salesforce (report, CLI tree, zip), HubSpot in five languages, Dynamics (its
tags, its Excel export's lookups by display name) and Chinese CRMs.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ANALYST, assert_import_reads
from tests.conftest import INGEST_FIXTURES as FIXTURES
from tests.ingest_support import _import, _messages, _rows
from workbench import ingest, store

# --- Salesforce fixtures ------------------------------------------------------------------


def test_salesforce_export_values_roles_and_deleted_rows(con: store.Connection) -> None:
    report = _import(con, "salesforce")
    assert report.ok, _messages(report, "error")
    assert report.counts == {
        "sellers": 2,
        "accounts": 3,
        "contacts": 4,
        "contact_influences": 0,
        "opportunities": 3,
        "opportunity_contacts": 4,
        "activities": 5,
        "nps_responses": 0,
        "contracts": 0,
        "erp_revenue": 0,
    }
    assert _rows(
        con,
        "SELECT account_id, annual_revenue, employees, parent_account_id FROM accounts ORDER BY 1",
    ) == [
        ("0011x000003AAAAAA1", 1_200_000_000.0, 5400, None),
        ("0011x000003AAAAAA2", 1_200_000.0, 800, "0011x000003AAAAAA1"),
        ("0011x000003AAAAAA4", 1_200_000.0, 120, None),
    ]
    assert _rows(
        con,
        "SELECT amount, is_closed, is_won FROM opportunities ORDER BY opportunity_id",
    ) == [
        (1_200_000.0, True, True),
        (1_200_000.0, False, False),
        (1_200_000.0, True, False),
    ]
    # Buying roles from OpportunityContactRole; "Other" stays unknown.
    assert _rows(
        con, "SELECT name, buying_role, reports_to_id FROM contacts ORDER BY name"
    ) == [
        ("Hao Chen", "influencer", "0031x000004AAAAAA1"),
        ("Jun Li", "decider", None),
        ("Klaus Weber", None, None),
        ("Mei Zhang", "approver", "0031x000004AAAAAA1"),
    ]
    # Task seconds and Event minutes become minutes; subtypes become kinds, and
    # an event's Type says what it was where its subtype names only the object.
    assert _rows(
        con,
        "SELECT activity_id, kind, duration_minutes, activity_date::VARCHAR, contact_id FROM activities ORDER BY 1",
    ) == [
        ("00T1x000007AAAAAA1", "call", 30.0, "2024-02-01", "0031x000004AAAAAA2"),
        ("00T1x000007AAAAAA2", "email", None, "2024-02-03", "0031x000004AAAAAA3"),
        ("00T1x000007AAAAAA4", "call", 10.0, "2024-02-05", None),
        ("00U1x000009AAAAAA1", "visit", 240.0, "2024-03-05", "0031x000004AAAAAA1"),
        ("00U1x000009AAAAAA2", "meeting", 90.0, "2024-03-07", "0031x000004AAAAAA4"),
    ]
    assert "Task.csv|4|WhoId|refers to a person “00Q1x000008LEAD001”" in _messages(
        report
    )
    assert _rows(con, "SELECT count(*) FROM contacts WHERE name = 'Gone Person'") == [
        (0,)
    ]


def test_salesforce_report_export_with_bom(con: store.Connection) -> None:
    report = _import(con, "salesforce_report.csv")
    assert_import_reads(
        con,
        report,
        {
            "SELECT name, industry FROM accounts ORDER BY name": [
                ("Kyoto Precision", "Electronics"),
                ("Nordic Pumps AB", "Machinery"),
            ],
            "SELECT c.name, a.name FROM contacts c "
            "JOIN accounts a USING (account_id) ORDER BY 1": [
                ("Eva Lind", "Nordic Pumps AB"),
                ("Ola Berg", "Nordic Pumps AB"),
            ],
        },
    )
    assert [(f.object_name, f.table) for f in report.files] == [
        ("Account (report)", "accounts"),
        ("Contact (report)", "contacts"),
    ]


def test_salesforce_cli_json_tree(con: store.Connection) -> None:
    assert_import_reads(
        con,
        _import(con, "salesforce_tree"),
        {
            "SELECT contact_id, account_id, name FROM contacts ORDER BY 1": [
                ("ContactRef1", "AccountRef1", "Urs Meier"),
                ("ContactRef2", "AccountRef2", "Ieva Kalna"),
            ]
        },
    )


def test_zip_of_a_salesforce_export(con: store.Connection) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((FIXTURES / "salesforce").glob("*.csv")):
            archive.write(path, f"export/{path.name}")
        archive.writestr("__MACOSX/._Account.csv", b"\x00\x05junk")
    report = ingest.import_files(
        con, [("../../export.zip", buffer.getvalue())], actor=ANALYST
    )
    assert report.ok, _messages(report, "error")
    assert report.counts["activities"] == 5
    assert {f.name for f in report.files} == {
        p.name for p in (FIXTURES / "salesforce").glob("*.csv")
    }


# --- HubSpot, Dynamics, Chinese CRMs ----------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es", "de", "fr", "zh"])
def test_hubspot_exports_in_five_languages(
    con: store.Connection, language: str
) -> None:
    report = _import(con, f"hubspot_{language}")
    assert report.ok, _messages(report, "error")
    assert report.source == "hubspot"
    assert report.counts["accounts"] == 2
    assert report.counts["opportunities"] == 2
    assert _rows(
        con, "SELECT name, buying_role, attitude FROM contacts ORDER BY name"
    ) == [
        ("Dana Ortiz", "decider", None),
        ("Kim Park", None, "champion"),
        ("Lee Fox", "approver", None),
        ("Sam Reed", "user", None),
    ]
    multi = [p for p in report.problems if "holds several roles" in p.message]
    assert len(multi) == 1
    assert multi[0].row == 1
    assert multi[0].message.endswith("kept the most decisive: decider")
    assert _rows(con, "SELECT annual_revenue FROM accounts ORDER BY account_id") == [
        (12_500_000.0,),
        (1_500_000.0,),
    ]


def test_dynamics_contacts_with_decision_influence_tags(con: store.Connection) -> None:
    report = _import(con, "dynamics")
    assert report.ok, _messages(report, "error")
    assert report.source == "dynamics"
    assert _rows(
        con, "SELECT name, buying_role, attitude FROM contacts ORDER BY name"
    ) == [
        ("Ivo Brandt", "influencer", None),
        ("Nora Keller", "decider", None),
        ("Ola Zielinska", None, None),
        ("Piotr Nowak", None, "blocker"),
    ]
    # managername resolves inside the account
    assert _rows(
        con,
        "SELECT m.name FROM contacts c JOIN contacts m ON m.contact_id = c.reports_to_id WHERE c.name = 'Ivo Brandt'",
    ) == [("Nora Keller",)]


@pytest.mark.parametrize("folder", ["chinese_gbk", "chinese_utf8_bom"])
def test_chinese_crm_contacts_roles_and_influence(
    con: store.Connection, folder: str
) -> None:
    report = _import(con, "chinese_gbk/客户.csv", f"{folder}/联系人.csv")
    assert report.ok, _messages(report, "error")
    assert report.source == "chinese_crm"
    assert _rows(
        con,
        "SELECT name, buying_role, influence FROM contacts ORDER BY influence DESC, name",
    ) == [
        ("周伟", "influencer", 5),
        ("王建国", "decider", 5),
        ("赵强", "user", 4),
        ("吴敏", "approver", 3),
        ("李娜", "buyer", 3),
        ("孙丽", "gatekeeper", 1),
    ]
    assert _rows(
        con,
        "SELECT count(*) FROM contacts c JOIN contacts m ON m.contact_id = c.reports_to_id WHERE m.name = '王建国'",
    ) == [(3,)]
    assert _rows(
        con, "SELECT name, created_on::VARCHAR FROM accounts ORDER BY created_on"
    ) == [
        ("华东机械有限公司", "2019-04-02"),
        ("江南电气股份公司", "2020-11-15"),
    ]


def test_chinese_visits_link_people_by_name(con: store.Connection) -> None:
    report = _import(con, "chinese_gbk")
    assert_import_reads(
        con,
        report,
        {
            "SELECT c.name, a.kind, a.duration_minutes, a.activity_date::VARCHAR "
            "FROM activities a JOIN contacts c USING (contact_id) "
            "ORDER BY a.activity_date": [
                ("李娜", "visit", 120.0, "2024-03-05"),
                ("赵强", "call", 30.0, "2024-03-18"),
                ("周伟", "meeting", 90.0, "2024-04-02"),
            ]
        },
    )
    assert {f.encoding for f in report.files} == {"gb18030"}


def test_big5_and_gb18030_files(con: store.Connection) -> None:
    report = _import(con, "chinese_big5/聯絡人.csv")
    assert report.ok, _messages(report, "error")
    assert [f.encoding for f in report.files] == ["big5"]
    assert (
        "“鴻海精密工業” was not in the database or the import: created from its name"
        in _messages(report)
    )
    assert _rows(
        con, "SELECT name, buying_role, influence FROM contacts ORDER BY name"
    ) == [
        ("張志明", "decider", 5),
        ("林美玲", "buyer", 3),
        ("陳建宏", "influencer", 1),
    ]
    report = _import(con, "chinese_gb18030/联系人.csv")
    assert report.ok, _messages(report, "error")
    # 䶮 exists in GB18030 but not in GBK: the file must be decoded as GB18030.
    assert _rows(con, "SELECT count(*) FROM contacts WHERE name = '李䶮'") == [(1,)]


# --- Dynamics 365 "Export to Excel" ------------------------------------------------------


def _dynamics_workbook(
    path: Path, sheet: str, header: list[str], rows: list[list[str]]
) -> None:
    """Write an .xlsx shaped like Dynamics' export: the data sheet, then a hidden one."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    data = book.add_worksheet(sheet)
    for r, values in enumerate([header, *rows]):
        for c, value in enumerate(values):
            data.write_string(r, c, value)
    data.set_column(0, 2, None, None, {"hidden": True})
    hidden = book.add_worksheet("hiddenSheet")
    hidden.write_string(0, 0, "account:N5Qx…")
    hidden.hide()
    book.close()


def test_dynamics_excel_exports_resolve_lookups_by_display_name(
    con: store.Connection, tmp_path: Path
) -> None:
    keys = ["(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On"]
    _dynamics_workbook(
        tmp_path / "Active Accounts 2024-05-01.xlsx",
        "Active Accounts",
        [
            "(Do Not Modify) Account",
            *keys,
            "Account Name",
            "Address 1: City",
            "Address 1: Country/Region",
            "Owner",
            "Parent Account",
        ],
        [
            [
                "6f1c1e00-0000-0000-0000-00000000000a",
                "x1",
                "2024-05-01 10:00",
                "Contoso Group",
                "Basel",
                "Switzerland",
                "",
                "",
            ],
            [
                "6f1c1e00-0000-0000-0000-00000000000b",
                "x2",
                "2024-05-01 10:00",
                "Contoso Pharmaceuticals",
                "Basel",
                "Switzerland",
                "",
                "Contoso Group",
            ],
        ],
    )
    _dynamics_workbook(
        tmp_path / "My Active Contacts.xlsx",
        "My Active Contacts",
        [
            "(Do Not Modify) Contact",
            *keys,
            "Full Name",
            "Company Name",
            "Job Title",
            "Manager",
            "Email",
        ],
        [
            [
                "7a000000-0000-0000-0000-00000000000a",
                "y1",
                "2024-05-01 10:00",
                "Nora Keller",
                "Contoso Pharmaceuticals",
                "Head of QA",
                "",
                "nora@contoso.example",
            ],
            [
                "7a000000-0000-0000-0000-00000000000b",
                "y2",
                "2024-05-01 10:00",
                "Ivo Brandt",
                "Contoso Pharmaceuticals",
                "QA Engineer",
                "Nora Keller",
                "ivo@contoso.example",
            ],
        ],
    )
    report = _import(con, tmp_path)
    assert report.ok, _messages(report, "error")
    assert report.source == "dynamics"
    assert {f.name: f.table for f in report.files} == {
        "Active Accounts 2024-05-01.xlsx": "accounts",
        "My Active Contacts.xlsx": "contacts",
    }
    assert _rows(
        con,
        """
        SELECT c.name, a.name, m.name, p.name
        FROM contacts c JOIN accounts a USING (account_id)
        LEFT JOIN contacts m ON m.contact_id = c.reports_to_id
        LEFT JOIN accounts p ON p.account_id = a.parent_account_id
        ORDER BY c.name
        """,
    ) == [
        ("Ivo Brandt", "Contoso Pharmaceuticals", "Nora Keller", "Contoso Group"),
        ("Nora Keller", "Contoso Pharmaceuticals", None, "Contoso Group"),
    ]
    assert _rows(con, "SELECT DISTINCT account_id FROM contacts") == [
        ("6f1c1e00-0000-0000-0000-00000000000b",)
    ]
