"""Import parsing and validation: values as people write them, bad input rejected.

Delimiters, formats, dates and numbers; every rejection names its row and column
and leaves the database as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ANALYST, assert_import_reads, assert_rejected_unchanged
from tests.conftest import INGEST_FIXTURES as FIXTURES
from tests.ingest_support import _import, _messages, _rows
from workbench import ingest, store
from workbench.domain import Actor
from workbench.errors import PermissionDeniedError, RejectedInputError

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
