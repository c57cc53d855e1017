"""The import pipeline over real exports and small fixtures: recognition, parsing,
validation, all-or-nothing commits, re-imports, edits that survive, and undo."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import (
    ANALYST,
    REAL_DATASETS,
    assert_import_reads,
    assert_rejected_unchanged,
)
from tests.conftest import INGEST_FIXTURES as FIXTURES
from workbench import ingest, store
from workbench.domain import Actor
from workbench.errors import PermissionDeniedError, RejectedInputError


def _import(
    con: store.Connection, *paths: str | Path, **options: object
) -> ingest.ImportReport:
    resolved = [p if isinstance(p, Path) else FIXTURES / p for p in paths]
    return ingest.import_files(con, resolved, actor=ANALYST, **options)  # type: ignore[arg-type]


def _rows(con: store.Connection, sql: str) -> list[tuple[object, ...]]:
    return store.query_frame(con, sql).rows()


def _messages(report: ingest.ImportReport, level: str | None = None) -> str:
    return "\n".join(
        f"{p.file}|{p.row}|{p.column}|{p.message}"
        for p in report.problems
        if level is None or p.level == level
    )


# --- real data sets ---------------------------------------------------------------------


def _real(name: str) -> Path:
    path = REAL_DATASETS / name
    if not path.exists():
        pytest.skip(f"real data set {name} is not available")
    return path


def test_real_salesforce_data_loader_samples(con: store.Connection) -> None:
    report = _import(con, _real("salesforce-dataloader-samples"))
    assert report.ok, _messages(report, "error")
    assert report.source == "salesforce"
    assert report.counts["accounts"] == 423
    assert report.counts["opportunities"] == 38
    assert {f.encoding for f in report.files if f.name == "accountData.csv"} == {
        "cp1252"
    }
    assert _rows(con, "SELECT count(*) FROM accounts WHERE name LIKE '%Crédito%'") == [
        (1,)
    ]
    # The owner is a user the export does not contain: said once, not 423 times.
    owner = [
        p
        for p in report.problems
        if p.column == "OWNERID" and p.file == "accountData.csv"
    ]
    assert len(owner) == 1
    assert "423 rows" in owner[0].message
    assert _rows(
        con,
        "SELECT amount, close_date::VARCHAR, is_won FROM opportunities WHERE opportunity_id = '006x0000001YtCrAAK'",
    ) == [(500000.0, "2005-11-09", True)]


def test_real_salesforce_lwc_recipes_json_tree_and_report(
    con: store.Connection,
) -> None:
    report = _import(con, _real("salesforce-lwc-recipes"))
    assert report.ok, _messages(report, "error")
    assert report.counts["accounts"] == 10
    assert report.counts["contacts"] == 6
    assert report.counts["opportunities"] == 20
    messages = _messages(report)
    assert "data-plan.json|None|None|not imported: Salesforce CLI data plan" in messages
    # The report export names the same accounts and people as the JSON tree.
    assert "is the same account as AccountRef1 in Accounts.json" in messages
    assert _rows(
        con, "SELECT account_id, title FROM contacts WHERE name = 'Jennifer Wu'"
    ) == [("AccountRef1", "CEO")]


def test_real_maven_crm_generic_csv(con: store.Connection) -> None:
    report = _import(con, _real("maven-crm-sales-opportunities"))
    assert report.ok, _messages(report, "error")
    assert report.counts["accounts"] == 85
    assert report.counts["sellers"] == 35
    # 1,425 pipeline rows name no account: not imported, and said so.
    assert report.counts["opportunities"] == 8800 - 1425
    skipped = [
        p
        for p in report.problems
        if p.file == "sales_pipeline.csv" and "names no account" in p.message
    ]
    assert len(skipped) == store.IMPORT_PROBLEM_ROWS
    assert "… and 1,405 more with the same problem" in _messages(report)
    assert "products.csv|None|None|not imported: the columns do not match" in _messages(
        report
    )
    assert _rows(
        con, "SELECT count(*) FROM accounts WHERE parent_account_id IS NOT NULL"
    ) == [(15,)]
    assert _rows(con, "SELECT count(*) FROM opportunities WHERE is_won") == [(4238,)]
    assert _rows(
        con, "SELECT count(*) FROM opportunities WHERE owner_seller_id IS NULL"
    ) == [(0,)]


def test_real_fivetran_salesforce_imports_what_it_can_and_says_what_it_left_out(
    con: store.Connection,
) -> None:
    report = _import(con, _real("fivetran-salesforce-seeds"))
    assert report.ok, _messages(report, "error")
    warnings = _messages(report, "warning")
    # Scrubbed foreign keys: contacts name accounts the export does not hold.
    # They cannot live without an account: left out, and said so per value.
    assert (
        "sf_contact_data.csv|2|account_id|refers to an account “0011G00000eM9wvQAC” "
        "that is neither in the import nor in the database; the person was not imported"
        in warnings
    )
    assert (
        "sf_lead_data.csv|None|None|not imported: a Salesforce object the workbench does not store"
        in warnings
    )
    assert "9 row(s) marked as deleted (IsDeleted) were not imported" in warnings
    assert "357 column(s) not imported" in warnings
    assert report.plan["contacts"]["skip"] > 0
    assert report.plan["contacts"]["why"]
    assert sum(store.orphan_counts(con).values()) == 0


def test_real_fivetran_hubspot_deals_get_companies_from_the_association_table(
    con: store.Connection,
) -> None:
    folder = _real("fivetran-hubspot-seeds")
    report = _import(con, folder)
    assert report.ok, _messages(report, "error")
    warnings = _messages(report, "warning")
    assert (
        "deal_company_data.csv|None|None|not imported: an association table: it gives "
        "the deals in deal_data.csv their company" in warnings
    )
    # The seed's two associations name deals that deal_data.csv does not hold:
    # every deal is reported as having no company, and nothing is invented.
    assert (
        "deal_data.csv|1|None|names no account; the deal was not imported" in warnings
    )
    assert report.counts["opportunities"] == 0
    assert report.counts["accounts"] >= 24
    assert report.counts["sellers"] == 102
    assert report.counts["opportunity_contacts"] == 0
    orphans = [
        p for p in report.problems if p.file == "deal_contact_data.csv" and p.column
    ]
    assert len(orphans) == 11
    assert all("(orphan)" in p.message for p in orphans)


def test_hubspot_deal_company_associations_attach_deals(
    con: store.Connection, tmp_path: Path
) -> None:
    # The headers of HubSpot's warehouse (Fivetran) export, as in the real seeds.
    (tmp_path / "company_data.csv").write_text(
        "id,is_deleted,_fivetran_synced,property_name,property_industry,property_country\n"
        "501,false,2024-01-01 0:00:00,Huadong Machinery,Machinery,China\n"
        "502,false,2024-01-01 0:00:00,Rheinstahl GmbH,Steel,Germany\n"
    )
    (tmp_path / "deal_data.csv").write_text(
        "deal_id,is_deleted,deal_pipeline_id,deal_pipeline_stage_id,owner_id,portal_id,"
        "property_dealname,property_amount,property_closedate,property_createdate\n"
        "901,false,,closedwon,,4727653,Line upgrade,120000,2024-03-01,2024-01-05\n"
        "902,false,,appointmentscheduled,,4727653,Spare parts,8000,2024-04-01,2024-01-06\n"
        "903,false,,closedlost,,4727653,Pilot,5000,2024-05-01,2024-01-07\n"
    )
    (tmp_path / "deal_company_data.csv").write_text(
        "company_id,deal_id,type_id,category\n"
        "501,901,5,HUBSPOT_DEFINED\n"
        "502,902,5,HUBSPOT_DEFINED\n"
        "501,902,5,HUBSPOT_DEFINED\n"
    )
    report = _import(con, tmp_path)
    assert report.ok, _messages(report, "error")
    assert _rows(
        con, "SELECT opportunity_id, account_id FROM opportunities ORDER BY 1"
    ) == [("901", "501"), ("902", "502")]
    warnings = _messages(report, "warning")
    assert (
        "deal_data.csv|None|None|1 deal(s) are associated with several companies in "
        "deal_company_data.csv; each keeps the first company listed" in warnings
    )
    assert (
        "deal_data.csv|3|None|names no account; the deal was not imported" in warnings
    )


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
    # Task seconds and Event minutes become minutes; subtypes become kinds.
    assert _rows(
        con,
        "SELECT activity_id, kind, duration_minutes, activity_date::VARCHAR, contact_id FROM activities ORDER BY 1",
    ) == [
        ("00T1x000007AAAAAA1", "call", 30.0, "2024-02-01", "0031x000004AAAAAA2"),
        ("00T1x000007AAAAAA2", "email", None, "2024-02-03", "0031x000004AAAAAA3"),
        ("00T1x000007AAAAAA4", "call", 10.0, "2024-02-05", None),
        ("00U1x000009AAAAAA1", "event", 240.0, "2024-03-05", "0031x000004AAAAAA1"),
        ("00U1x000009AAAAAA2", "event", 90.0, "2024-03-07", "0031x000004AAAAAA4"),
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


# --- delimiters, formats, dates, numbers ---------------------------------------------


def test_semicolon_tab_excel_and_parquet(con: store.Connection) -> None:
    report = _import(
        con,
        "delimiters/accounts_semicolon.csv",
        "delimiters/accounts_tab.tsv",
        "generic/accounts.xlsx",
    )
    assert report.ok, _messages(report, "error")
    assert [f.delimiter for f in report.files] == [";", "\t", None]
    assert _rows(
        con,
        "SELECT name, annual_revenue FROM accounts WHERE annual_revenue IS NOT NULL ORDER BY name",
    ) == [
        ("Müller Maschinenbau", 1_200_000.0),
        ("Schmidt & Söhne", 2_500.5),
        ("Tabula Rasa Ltd", 1_200_000.0),
    ]
    report = _import(con, "generic/accounts.parquet")
    assert report.ok, _messages(report, "error")
    # The same accounts by name: updated, not duplicated.
    assert _rows(
        con,
        "SELECT count(*) FROM accounts WHERE name IN ('Excel Works', 'Sheet Metal Inc')",
    ) == [(2,)]


def test_dates_in_every_unambiguous_format(con: store.Connection) -> None:
    assert_import_reads(
        con,
        _import(con, "dates/Account.csv"),
        {
            "SELECT DISTINCT created_on::VARCHAR FROM accounts ORDER BY 1": [
                ("2024-03-05",),
                ("2024-03-15",),
            ]
        },
    )
    assert_import_reads(
        con,
        _import(con, "dates/us/Account.csv"),
        {
            "SELECT created_on::VARCHAR FROM accounts "
            "WHERE name LIKE 'US%' ORDER BY 1": [("2024-03-15",), ("2024-04-01",)]
        },
    )


def test_ambiguous_dates_are_reported_not_guessed(con: store.Connection) -> None:
    report = assert_rejected_unchanged(con, lambda: _import(con, "bad/ambiguous_dates"))
    assert (
        "Account.csv|None|CreatedDate|2 date(s) like 03/04/2024 could be day-first or month-first"
        in _messages(report)
    )
    assert_import_reads(
        con,
        _import(con, "bad/ambiguous_dates", date_order="dmy"),
        {
            "SELECT created_on::VARCHAR FROM accounts ORDER BY 1": [
                ("2024-04-03",),
                ("2024-06-05",),
            ]
        },
    )


def test_bad_values_name_the_row_and_column(con: store.Connection) -> None:
    report = assert_rejected_unchanged(con, lambda: _import(con, "bad/bad_values"))
    errors = _messages(report, "error")
    assert "Opportunity.csv|1|Amount|“lots” is not a number" in errors
    assert "Opportunity.csv|1|CloseDate|“someday” is not a date" in errors
    assert "Opportunity.csv|1|IsWon|“maybe” is not true/false" in errors


# --- validation that rejects, and the database left as it was -------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("bad/empty.csv", "empty.csv|None|None|the file is empty"),
        ("bad/header_only.csv", "nothing to import"),
        ("bad/junk.csv", "junk.csv|None|None|the file holds binary data"),
        (
            "bad/ragged.csv",
            "ragged.csv|None|None|row 2 has 4 fields but the header has 2",
        ),
        (
            "bad/unclosed_quote.csv",
            "unclosed_quote.csv|None|None|the file is not valid CSV",
        ),
        (
            "bad/duplicates",
            "duplicate ID “001D00000000000001” in accounts: Account.csv row 1, Account.csv row 2",
        ),
        (
            "bad/missing_account",
            "Contact.csv|1|AccountId|refers to an account “001M00000000000099”",
        ),
    ],
)
def test_bad_inputs_reject_and_change_nothing(
    demo_con: store.Connection, path: str, expected: str
) -> None:
    runs_before = store.import_runs(demo_con).height
    report = assert_rejected_unchanged(demo_con, lambda: _import(demo_con, path))
    assert expected in _messages(report), _messages(report)
    runs = store.import_runs(demo_con)
    assert runs.height == runs_before + 1
    assert runs["status"][0] == "rejected"


def test_reporting_cycle_is_a_warning_that_names_everyone_and_drops_one_line(
    con: store.Connection,
) -> None:
    report = _import(con, "bad/cycle")
    assert report.ok, _messages(report, "error")
    cycles = [
        p.message for p in report.problems if p.message.startswith("reporting cycle")
    ]
    assert len(cycles) == 1 and report.problems[0].level == "warning"
    loop, dropped = cycles[0].removeprefix("reporting cycle: ").split("; left out ")
    people = loop.split(" → ")
    assert people[0] == people[-1]
    assert set(people) == {
        "“Ames” (003C00000000000001)",
        "“Baker” (003C00000000000002)",
        "“Clark” (003C00000000000003)",
    }
    assert dropped == (
        "the line “Ames” (003C00000000000001) reports to “Baker” (003C00000000000002)"
    )
    outside = [p for p in report.problems if "works for another account" in p.message]
    assert [(p.level, p.row) for p in outside] == [("warning", 4)]
    assert "“Dunn” (003C00000000000004)" in outside[0].message
    # Everyone is imported; the two offending lines are left out, the rest drawn.
    assert _rows(
        con, "SELECT contact_id, reports_to_id FROM contacts ORDER BY contact_id"
    ) == [
        ("003C00000000000001", None),
        ("003C00000000000002", "003C00000000000003"),
        ("003C00000000000003", "003C00000000000001"),
        ("003C00000000000004", None),
    ]
    assert sum(store.orphan_counts(con).values()) == 0


def test_over_size_files_are_refused(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest.read, "MAX_FILE_BYTES", 100)
    report = ingest.import_files(
        con, [("Account.csv", b"Id,Name\n" + b"1,A\n" * 50)], actor=ANALYST
    )
    assert not report.ok
    assert "more than the limit" in _messages(report, "error")


def test_dry_run_checks_and_changes_nothing(demo_con: store.Connection) -> None:
    before = store.database_fingerprint(demo_con)
    report = _import(demo_con, "salesforce", dry_run=True)
    assert report.ok
    assert report.dry_run
    assert store.database_fingerprint(demo_con) == before


def test_viewers_cannot_import(con: store.Connection) -> None:
    with pytest.raises(PermissionDeniedError):
        ingest.import_files(
            con, [FIXTURES / "salesforce"], actor=Actor(name="v", role="viewer")
        )


def test_unknown_source_is_refused(con: store.Connection) -> None:
    with pytest.raises(RejectedInputError, match="unknown source"):
        _import(con, "salesforce", source="pipedrive")


def test_hostile_text_is_stored_as_text(con: store.Connection) -> None:
    data = (
        b"Id,Name,Industry\n"
        b'001H00000000000001,"<script>alert(1)</script>","=HYPERLINK(""http://x"")"\n'
        b"001H00000000000002,'; DROP TABLE accounts; --,@SUM(A1)\n"
    )
    report = ingest.import_files(con, [("Account.csv", data)], actor=ANALYST)
    assert report.ok, _messages(report, "error")
    assert _rows(con, "SELECT name, industry FROM accounts ORDER BY account_id") == [
        ("<script>alert(1)</script>", '=HYPERLINK("http://x")'),
        ("'; DROP TABLE accounts; --", "@SUM(A1)"),
    ]


# --- re-imports, edits, undo, remembered mappings ---------------------------------------


def test_reimport_is_idempotent_and_newer_exports_update(con: store.Connection) -> None:
    assert _import(con, "salesforce").ok
    first = store.database_fingerprint(con)
    activities_sql = "SELECT * EXCLUDE (import_run_id) FROM activities ORDER BY ALL"
    first_activities = _rows(con, activities_sql)
    assert _import(con, "salesforce", again=True).ok
    second = store.database_fingerprint(con)
    # Activities carry the run that last wrote them; everything else is unchanged.
    ignored = {"import_undo_rows", "activities"}
    assert {t: v for t, v in first.items() if t not in ignored} == {
        t: v for t, v in second.items() if t not in ignored
    }
    assert first_activities and _rows(con, activities_sql) == first_activities
    assert _rows(con, "SELECT DISTINCT import_run_id FROM activities") == [(2,)]
    newer = (
        (FIXTURES / "salesforce" / "Account.csv")
        .read_text()
        .replace('"5400"', '"5600"')
    )
    report = ingest.import_files(con, [("Account.csv", newer.encode())], actor=ANALYST)
    assert report.ok
    assert _rows(
        con, "SELECT employees FROM accounts WHERE account_id = '0011x000003AAAAAA1'"
    ) == [(5600,)]
    assert report.counts["accounts"] == 3


def test_workbench_edits_survive_a_reimport_unless_overwritten(
    con: store.Connection,
) -> None:
    assert _import(con, "hubspot_en").ok
    con.execute(
        "UPDATE contacts SET buying_role = 'influencer' WHERE contact_id = '101'"
    )
    con.execute(
        "INSERT INTO contact_edits VALUES (1, '101', 'buying_role', 'decider', 'influencer', 'ana', now()::TIMESTAMP)"
    )
    assert _import(con, "hubspot_en", again=True).ok
    assert _rows(con, "SELECT buying_role FROM contacts WHERE contact_id = '101'") == [
        ("influencer",)
    ]
    assert _import(con, "hubspot_en", overwrite_edits=True).ok
    assert _rows(con, "SELECT buying_role FROM contacts WHERE contact_id = '101'") == [
        ("decider",)
    ]


def test_undo_restores_the_exact_previous_state(demo_con: store.Connection) -> None:
    before = store.database_fingerprint(demo_con)
    assert _import(demo_con, "salesforce").ok
    assert _import(demo_con, "chinese_gbk").ok
    middle = store.database_fingerprint(demo_con)
    changed = ingest.import_files(
        demo_con,
        [
            (
                "Account.csv",
                (FIXTURES / "salesforce" / "Account.csv")
                .read_text()
                .replace("Machinery", "Robots")
                .encode(),
            )
        ],
        actor=ANALYST,
    )
    assert changed.ok
    undone = store.undo_last_import(demo_con, ANALYST)
    assert undone["run_id"] == changed.run_id
    after = store.database_fingerprint(demo_con)
    assert {t: v for t, v in after.items() if t != "import_undo_rows"} == {
        t: v for t, v in middle.items() if t != "import_undo_rows"
    }
    assert store.import_runs(demo_con)["status"][0] == "undone"
    with pytest.raises(RejectedInputError, match="no import to undo"):
        store.undo_last_import(demo_con, ANALYST)
    assert before != after


def test_undoing_a_first_import_empties_its_tables(con: store.Connection) -> None:
    before = store.database_fingerprint(con)
    report = _import(con, "salesforce")
    assert report.ok
    # every table the run wrote held nothing: one journal row without a key
    # each says that all its rows are the run's (none per row)
    journal = _rows(
        con,
        "SELECT table_name, count(*), count(row_key) FROM import_undo_rows "
        "GROUP BY 1 ORDER BY 1",
    )
    written = {t: n for t, n in report.written.items() if n and t != "activities"}
    assert journal == [(table, 1, 0) for table in sorted(written)]
    undone = store.undo_last_import(con, ANALYST)
    assert {t: n for t, n in undone["restored"].items() if t != "activities"} == written
    assert store.database_fingerprint(con) == before
    # a second import into tables that hold rows journals each key again
    assert _import(con, "salesforce").ok
    assert _import(con, "hubspot_en").ok
    assert _rows(
        con, "SELECT count(*) FROM import_undo_rows WHERE row_key IS NULL"
    ) == [(0,)]


def test_data_written_over_an_import_leaves_nothing_of_it_to_undo(
    con: store.Connection,
) -> None:
    # A first import journals its tables whole; the demo written over it
    # afterwards must not be what an undo of that import takes away.
    from workbench import demo

    assert _import(con, "salesforce").ok
    demo.write_demo(con, accounts=5, activities=50)
    demo_rows = store.database_fingerprint(con)
    assert store.last_undoable_import(con) is None
    with pytest.raises(RejectedInputError, match="no import to undo"):
        store.undo_last_import(con, ANALYST)
    assert store.database_fingerprint(con) == demo_rows


def test_a_users_mapping_is_used_and_remembered(con: store.Connection) -> None:
    data = b"Firma,Mitarbeiter\nZahnrad AG,40\n"
    report = ingest.import_files(con, [("firmen.csv", data)], actor=ANALYST)
    assert not report.ok
    mapping = ingest.ColumnMapping(
        "accounts", {"Firma": "name", "Mitarbeiter": "employees"}
    )
    report = ingest.import_files(
        con, [("firmen.csv", data)], actor=ANALYST, mappings={"firmen.csv": mapping}
    )
    assert report.ok, _messages(report, "error")
    assert _rows(con, "SELECT name, employees FROM accounts") == [("Zahnrad AG", 40)]
    # The next file with the same header is mapped the same way without asking.
    report = ingest.import_files(
        con,
        [("firmen2.csv", b"Firma,Mitarbeiter\nKette KG,7\n")],
        actor=ANALYST,
    )
    assert report.ok, _messages(report, "error")
    assert report.counts["accounts"] == 2


def test_large_files_go_through_duckdb_with_the_same_result(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    small = store.connect(":memory:")
    try:
        assert _import(small, "salesforce", "chinese_gbk").ok
        expected = {
            t: store.read_table(small, t).drop("source_id", strict=False)
            for t in ("accounts", "contacts", "activities", "opportunities")
        }
    finally:
        small.close()
    monkeypatch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 0)
    report = _import(con, "salesforce", "chinese_gbk")
    assert report.ok, _messages(report, "error")
    assert all(f.path is not None for f in report.files)
    for table, frame in expected.items():
        assert (
            store.read_table(con, table).drop("source_id", strict=False).equals(frame)
        ), table
    monkeypatch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 0)
    ragged = tmp_path / "Account.csv"
    ragged.write_text("Id,Name\n001R00000000000001,A\n001R00000000000002,B,extra\n")
    report = assert_rejected_unchanged(con, lambda: _import(con, ragged))
    assert "row 2 has more fields than the header (2)" in _messages(report, "error")


# --- NPS survey files go through workbench.ingest.surveys, all or nothing ----------------------

SURVEY = (
    "account,email,date,score,comment\n"
    "Huadong Machinery Co.,zhang.mei@huadong.example,2024-05-01,9,Great service\n"
    "Rheinstahl GmbH,k.weber@rheinstahl.example,2024-05-02,4,Slow delivery\n"
)


def test_survey_files_are_recognised_and_imported_with_the_crm_files(
    con: store.Connection,
) -> None:
    report = ingest.import_files(
        con,
        [
            *(
                (p.name, p.read_bytes())
                for p in sorted((FIXTURES / "salesforce").glob("*.csv"))
            ),
            ("nps.csv", SURVEY.encode()),
        ],
        actor=ANALYST,
    )
    assert report.ok, _messages(report, "error")
    assert [(f.source, f.table) for f in report.files if f.name == "nps.csv"] == [
        ("survey", "nps_responses")
    ]
    assert _rows(
        con, "SELECT account_id, contact_id, score FROM nps_responses ORDER BY score"
    ) == [
        ("0011x000003AAAAAA4", "0031x000004AAAAAA4", 4),
        ("0011x000003AAAAAA1", "0031x000004AAAAAA2", 9),
    ]
    again = ingest.import_files(con, [("nps.csv", SURVEY.encode())], actor=ANALYST)
    assert again.ok
    assert again.counts["nps_responses"] == 2


def test_a_bad_survey_row_rejects_the_whole_import(con: store.Connection) -> None:
    assert _import(con, "salesforce").ok
    bad = SURVEY + "Rheinstahl GmbH,k.weber@rheinstahl.example,2024-05-03,11,??\n"
    report = assert_rejected_unchanged(
        con,
        lambda: ingest.import_files(con, [("nps.csv", bad.encode())], actor=ANALYST),
    )
    assert "nps.csv|3|score|score 11 is outside 0–10" in _messages(report, "error")


# --- parsing rules, one table for numbers, booleans and dates ---------------------------

PARSE_CASES = [
    # (Amount, IsWon, CloseDate) as written → (amount, is_won, close_date)
    ("1,200,000.00", "true", "2024-03-15", 1_200_000.0, True, "2024-03-15"),
    (
        "1.200.000,00",
        "TRUE",
        "2024-03-15T09:00:00.000Z",
        1_200_000.0,
        True,
        "2024-03-15",
    ),
    ("$1.2M", "1", "2024/3/5", 1_200_000.0, True, "2024-03-05"),
    ("120万", "是", "15.03.2024", 1_200_000.0, True, "2024-03-15"),
    ("2.500,50", "否", "2024年3月5日", 2500.5, False, "2024-03-05"),
    ("€ 12k", "no", "2024-03-15 3:15:52", 12_000.0, False, "2024-03-15"),
    ("1 200", "FALSE", "2024-03-15", 1200.0, False, "2024-03-15"),
    ("0.5", "0", "2024-03-15", 0.5, False, "2024-03-15"),
]


def test_numbers_booleans_and_dates_as_people_write_them(con: store.Connection) -> None:
    account = "Id,Name\n001P00000000000001,Parse Co\n"
    lines = ["Id,AccountId,Name,StageName,Amount,IsWon,CloseDate"]
    for number, (amount, won, close, *_expected) in enumerate(PARSE_CASES):
        lines.append(
            f'006P{number:014d},001P00000000000001,Deal {number},Open,"{amount}",{won},{close}'
        )
    report = ingest.import_files(
        con,
        [
            ("Account.csv", account.encode()),
            ("Opportunity.csv", ("\n".join(lines) + "\n").encode()),
        ],
        actor=ANALYST,
    )
    assert report.ok, _messages(report, "error")
    found = _rows(
        con,
        "SELECT amount, is_won, close_date::VARCHAR FROM opportunities ORDER BY opportunity_id",
    )
    assert found == [tuple(case[3:]) for case in PARSE_CASES]


def test_large_uploads_are_loaded_by_duckdb_from_a_scratch_copy(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 10)
    files = [
        (p.name, p.read_bytes())
        for p in sorted((FIXTURES / "salesforce").glob("*.csv"))
    ]
    report = ingest.import_files(con, files, actor=ANALYST)
    assert report.ok, _messages(report, "error")
    assert all(f.path is not None and f.frame is None for f in report.files)
    assert not any(f.path.exists() for f in report.files if f.path)  # scratch removed
    assert report.counts["activities"] == 5


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


def test_a_column_only_one_file_fills_is_still_checked(
    con: store.Connection, tmp_path: Path
) -> None:
    # The checks skip columns no file fills; a column one file of two fills (and
    # the other lacks) is checked in that file's rows.
    (tmp_path / "accounts_a.csv").write_text(
        "Account ID,Account Name,Industry\n001A,Alpha,Retail\n", encoding="utf-8"
    )
    (tmp_path / "accounts_b.csv").write_text(
        "Account ID,Account Name,Annual Revenue\n001B,Beta,1000\n001C,Gamma,plenty\n",
        encoding="utf-8",
    )
    report = assert_rejected_unchanged(
        con,
        lambda: _import(con, tmp_path / "accounts_a.csv", tmp_path / "accounts_b.csv"),
    )
    assert "accounts_b.csv|2|Annual Revenue|“plenty” is not a number" in _messages(
        report, "error"
    )


def test_past_imports_read_as_names_and_counts_even_from_an_unreadable_record():
    runs = pl.DataFrame(
        {
            "run_id": [2, 1],
            "started_at": [None, None],
            "finished_at": [None, None],
            "source": ["salesforce", "generic"],
            "status": ["committed", "undone"],
            "files": [
                '[{"name": "Account.csv", "rows": 4, "sha256": "ab", "tables": '
                '["accounts"]}, {"name": "<b>x</b>.csv", "rows": 5}]',
                "not json",
            ],
            "counts": ["{}", "{}"],
            "problems": ['[{"code": "demo_data"}, {"code": "x"}]', None],
            "user_name": ["ana", "local"],
        }
    )
    shown = ingest.summary.readable_runs(runs)
    assert shown.columns == list(ingest.summary.RUN_COLUMNS)
    assert shown["files"].to_list() == ["Account.csv, <b>x</b>.csv", ""]
    assert shown["rows"].to_list() == [9, 0]
    assert shown["problems"].to_list() == [2, 0]
