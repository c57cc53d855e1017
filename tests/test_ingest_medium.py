"""Medium CSV files read by DuckDB's reader give the import Python's parser gave.

Each export is imported twice into twin databases: once with its contacts file
read by DuckDB's reader (the medium path, forced here for a small file), once
read whole by Python's parser. The reports (every problem with its file, row,
column and words), the counts and the stored rows must be the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REAL_DATASETS
from workbench import ingest, store
from workbench.domain import LOCAL_ACTOR
from workbench.ingest import medium

ACCOUNTS = "Id,IsDeleted,Name\n001A,false,Acme\n001B,false,Beta\n001C,true,Gone\n"
HEADER = "Id,IsDeleted,AccountId,FirstName,LastName,Title,ReportsToId,Email\n"
# What real exports hold: quoted delimiters, doubled quotes,
# padded values, a short row, a deleted row, a missing account, a deleted
# manager, a reporting loop, a duplicate ID, an empty ID.
PLAIN = (
    HEADER
    + '003A,false,001A,Ann,"Lee, Jr.","Head of ""Ops""",,ann@x.com\n'
    + '003B,false,001A,Bob,Ray,"Buyer, EMEA",003A,bob@x.com\n'
    + "003C,false,001Z,Cy,Sun,  CFO  ,003D,cy@x.com\n"
    + "003D,false,001B,Di,Wu,CTO,003C,\n"
    + "003E,true,001B,Ed,Old,,,\n"
    + "003F,false,001B,Fay,Ng,,003E\n"
    + "003F,false,001A,Fay,Twice,,,\n"
    + ",false,001A,No,Id,,,\n"
    + '"003G","false","001C","Gil","Quoted","","",""\n'
)

CASES = {
    "plain": PLAIN,
    "crlf": PLAIN.replace("\n", "\r\n"),
    "quoted line break": PLAIN.replace('"Buyer, EMEA"', '"Buyer\nEMEA"'),
    # DuckDB's parallel reader refuses a quoted line break while it pads short
    # rows, short rows or not: medium files are read in one thread.
    "quoted line break, no short row": PLAIN.replace(
        '"Buyer, EMEA"', '"Buyer\nEMEA"'
    ).replace("003F,false,001B,Fay,Ng,,003E\n", "003F,false,001B,Fay,Ng,,003E,\n"),
    "lone carriage return": PLAIN.replace("003D,false", "003D\r,false"),
    "blank row": PLAIN.replace("003D,false", "\n003D,false"),
    "row of empty fields": PLAIN.replace("003D,false", ",,,,,,,\n003D,false"),
    "ragged row": PLAIN.replace("003D,false,001B", "003D,false,001B,extra,x,y,z,w,v"),
    "stray quote": PLAIN.replace("Di,Wu", 'Di,W"u'),
    "unclosed quote": PLAIN.replace("Di,Wu", 'Di,"Wu'),
    "byte order mark": "\ufeff" + PLAIN,
}


def _import(
    folder: Path,
    contacts: bytes,
    monkeypatch: pytest.MonkeyPatch,
    *,
    medium_path: bool,
) -> tuple[Any, list[str]]:
    """Import Account.csv and Contact.csv; return what can be compared, and who staged."""
    folder.mkdir()
    (folder / "Account.csv").write_text(ACCOUNTS)
    (folder / "Contact.csv").write_bytes(contacts)
    staged: list[str] = []
    stage_csv = store.import_stage_csv

    def watched(
        cur: store.Connection, index: int, table: str, csv: store.LargeCsv
    ) -> int:
        staged.append(csv.file)
        return stage_csv(cur, index, table, csv)

    con = store.connect(":memory:")
    before = store.database_fingerprint(con)
    with monkeypatch.context() as patch:
        patch.setattr(medium, "MEDIUM_FILE_BYTES", 0 if medium_path else 1 << 40)
        patch.setattr(store, "import_stage_csv", watched)
        report = ingest.import_files(
            con, [folder / "Account.csv", folder / "Contact.csv"], actor=LOCAL_ACTOR
        )
    result = (
        report.ok,
        [(p.level, p.file, p.row, p.column, p.message) for p in report.problems],
        report.counts,
        store.query_frame(
            con, "SELECT * EXCLUDE (source) FROM contacts ORDER BY ALL"
        ).rows(),
        store.database_fingerprint(con) == before,
    )
    con.close()
    return result, staged


@pytest.mark.parametrize("case", CASES)
def test_medium_path_reports_and_stores_what_python_reading_does(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contacts = CASES[case].encode("utf-8")
    ours, staged = _import(tmp_path / "duckdb", contacts, monkeypatch, medium_path=True)
    theirs, not_staged = _import(
        tmp_path / "python", contacts, monkeypatch, medium_path=False
    )
    assert ours == theirs
    assert not_staged == []
    # The plain files are read by DuckDB; the others by Python, as before.
    plain = case in {
        "plain",
        "crlf",
        "byte order mark",
        "quoted line break",
        "quoted line break, no short row",
    }
    assert ("Contact.csv" in staged) == plain


def test_plain_export_with_problems_is_rejected_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plain case above holds errors (a duplicate ID, an empty one): rejected."""
    contacts = PLAIN.encode("utf-8")
    ours, staged = _import(tmp_path / "d", contacts, monkeypatch, medium_path=True)
    ok, problems, _counts, rows, unchanged = ours
    assert "Contact.csv" in staged
    assert not ok and unchanged and rows == []
    found = {(p[0], p[1], p[2], p[3]) for p in problems}
    assert ("error", "Contact.csv", 6, None) in found  # 003F twice
    for row, column in ((3, "AccountId"), (9, "AccountId"), (4, "ReportsToId")):
        assert ("warning", "Contact.csv", row, column) in found


def test_clean_medium_export_imports_with_its_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the errors, the same export imports, warning about the loop and the rest."""
    clean = PLAIN.replace("003F,false,001A,Fay,Twice,,,\n", "").replace(
        ",false,001A,No,Id,,,\n", ""
    )
    contacts = clean.encode("utf-8")
    ours, staged = _import(tmp_path / "d", contacts, monkeypatch, medium_path=True)
    theirs, _ = _import(tmp_path / "p", contacts, monkeypatch, medium_path=False)
    assert "Contact.csv" in staged
    assert ours == theirs
    ok, problems, counts, rows, _unchanged = ours
    assert ok and counts["contacts"] == 4 and len(rows) == 4
    assert any(p[0] == "warning" and p[3] == "ReportsToId" for p in problems)


def _real_import(
    folder: Path, monkeypatch: pytest.MonkeyPatch, *, medium_path: bool
) -> Any:
    con = store.connect(":memory:")
    with monkeypatch.context() as patch:
        patch.setattr(medium, "MEDIUM_FILE_BYTES", 0 if medium_path else 1 << 40)
        report = ingest.import_files(con, [folder], actor=LOCAL_ACTOR)
    tables = {
        table: store.query_frame(
            con, f"SELECT * EXCLUDE (source) FROM {table} ORDER BY ALL"
        ).rows()
        for table in ("accounts", "contacts", "opportunities", "activities")
    }
    con.close()
    # Sorted: the order of one check's warnings across files (two activity
    # files) follows the database's grouping, whichever reader read them.
    return (
        report.ok,
        sorted(
            (p.level, p.file, p.row or 0, p.column or "", p.message)
            for p in report.problems
        ),
        report.counts,
        tables,
    )


@pytest.mark.parametrize(
    "name",
    [
        "fivetran-hubspot-seeds",
        "fivetran-salesforce-seeds",
        "maven-crm-sales-opportunities",
        "salesforce-dataloader-samples",
        "salesforce-lwc-recipes",
    ],
)
def test_real_exports_import_alike_with_every_csv_through_the_medium_path(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real exports (each file small) with the medium path forced on every CSV file."""
    folder = REAL_DATASETS / name
    if not folder.exists():
        pytest.skip(f"real data set {name} is not available")
    assert _real_import(folder, monkeypatch, medium_path=True) == _real_import(
        folder, monkeypatch, medium_path=False
    )


def test_a_spilled_file_never_takes_the_name_of_one_already_there(tmp_path):
    # The folder also holds files taken out of archives, and spilled files are
    # removed as the proposal goes on: a name counted from the folder's files
    # could land on one still in use and overwrite it.
    from workbench.ingest import medium
    from workbench.ingest.inputs import InputFile

    kept = tmp_path / "medium-1.csv"
    kept.write_bytes(b"a,b\n1,2\n")
    paths = [
        medium.spill(InputFile(f"f{i}.csv", b"x,y\n%d,0\n" % i, None, 8), tmp_path)
        for i in range(3)
    ]
    assert kept.read_bytes() == b"a,b\n1,2\n"
    assert len(set(paths)) == 3
    assert [p.read_bytes() for p in paths] == [b"x,y\n%d,0\n" % i for i in range(3)]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_which_texts_duckdb_reads_row_for_row_as_python_does(delimiter: str) -> None:
    # Each pattern of plain_csv, with each delimiter the sniffer gives (a tab
    # and a bar are escaped inside a character class) and at the first row,
    # a middle one and the last one.
    def text(*rows: str) -> str:
        return "\n".join(rows).replace(",", delimiter) + "\n"

    header, row = "Id,Name,Title", 'a1,"Lee, Jr.","Head of ""Ops"""'
    plain = [
        text(header, row, row),
        text(header, row, row).replace("\n", "\r\n"),
        text(header, row, 'a2,"two\nlines",x'),
        text(header, "a3,,", ",b,"),
        text(header, 'a4,"",x'),
    ]
    not_plain = [
        text("", header, row),  # a blank first line
        text(header, "", row),  # a blank row
        text(header, row, ""),  # a blank last row before the end
        text(header, ",,", row),  # a row of empty fields
        text(header, '"",,""', row),  # empty quoted fields only
        text(header, row, " \t"),  # spaces only, the last row
        text(header, 'a5,W"u,x'),  # a quote inside an unquoted value
        text(header, row).replace("\n", "\r", 1),  # a lone carriage return
        text(header, row) + "\x00",
    ]
    for case in plain:
        assert medium.plain_csv(case, delimiter), repr(case)
    for case in not_plain:
        assert not medium.plain_csv(case, delimiter), repr(case)
