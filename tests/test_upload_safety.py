"""Uploaded file names with paths and oversize uploads are refused or defused cleanly.

The import reads uploads from memory, and writes a large one only to a temporary
folder under a numbered name, so a path in a name can do no harm; it is still cut
to the base name so that reports and the import journal never show or store a path. Oversize files are refused before any
parsing, and nothing in the database changes.
"""

from __future__ import annotations

import io
import tomllib
import zipfile
from pathlib import Path

import pytest

from workbench import ingest, store
from workbench.domain import LOCAL_ACTOR
from workbench.errors import RejectedInputError

ROOT = Path(__file__).resolve().parents[1]
ACCOUNTS_CSV = (
    b"Account ID,Account Name,Industry,Region\n"
    b"X-1,Path Traversal Ltd,Chemicals,EMEA\n"
    b"X-2,Second Ltd,Energy,APAC\n"
)


@pytest.mark.parametrize(
    ("uploaded", "kept"),
    [
        ("../../x.csv", "x.csv"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("C:\\Users\\me\\accounts.csv", "accounts.csv"),
        ("reports/../../../accounts.csv", "accounts.csv"),
        ("..", "upload"),
        ("", "upload"),
        ("a\x00b.csv", "ab.csv"),
    ],
)
def test_uploaded_names_lose_every_path_part(uploaded, kept):
    assert ingest.safe_file_name(uploaded) == kept


def test_import_with_a_path_in_the_name_records_only_the_base_name(con, tmp_path):
    report = ingest.import_files(
        con, [("../../x/accounts.csv", ACCOUNTS_CSV)], actor=LOCAL_ACTOR, dry_run=True
    )
    names = [f.name for f in report.files] + [p.file for p in report.problems]
    assert names
    assert all("/" not in n and "\\" not in n and ".." not in n for n in names), names
    assert not (tmp_path.parent.parent / "x").exists()


def test_zip_members_with_paths_are_defused(con):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../../evil/accounts.csv", ACCOUNTS_CSV)
    inputs = ingest.collect_inputs([("export.zip", buffer.getvalue())])
    assert [name for name, _ in inputs] == ["accounts.csv"]


def test_oversize_files_are_refused_before_reading(con, monkeypatch):
    with pytest.raises(RejectedInputError, match="more than the limit"):
        ingest.check_size("huge.csv", ingest.MAX_FILE_BYTES + 1)
    ingest.check_size("fine.csv", ingest.MAX_FILE_BYTES)
    # The import applies the same check to every upload (a small limit here keeps
    # the test's memory small) and changes nothing.
    limited = ingest.check_size

    def small_limit(name: str, size: int, limit: int = 1_000) -> None:
        limited(name, size, limit=1_000)

    monkeypatch.setattr(ingest.inputs, "check_size", small_limit)
    before = store.table_counts(con)
    big = ACCOUNTS_CSV + b"".join(
        f"X-{i},Filler {i},Chemicals,EMEA\n".encode() for i in range(3, 200)
    )
    report = ingest.import_files(con, [("big.csv", big)], actor=LOCAL_ACTOR)
    assert not report.ok
    assert [p.file for p in report.errors] == ["big.csv"]
    assert "more than the limit" in report.errors[0].message
    assert store.table_counts(con) == before


def test_the_largest_file_can_be_set_in_megabytes(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ingest.MAX_FILE_ENV_VAR, raising=False)
    assert ingest.max_file_bytes() == ingest.MAX_FILE_BYTES
    # a machine importing a 20-million-row activity export raises it
    monkeypatch.setenv(ingest.MAX_FILE_ENV_VAR, "4096")
    ingest.check_size("activities.csv", ingest.MAX_FILE_BYTES + 1)
    with pytest.raises(RejectedInputError, match="limit of 4,096 MB"):
        ingest.check_size("activities.csv", 4096 * 1_048_576 + 1)
    monkeypatch.setenv(ingest.MAX_FILE_ENV_VAR, "1")
    with pytest.raises(RejectedInputError, match="limit of 1 MB"):
        ingest.check_size("small.csv", 1_048_577)
    for wrong in ("0", "-5", "1.5", "lots"):
        monkeypatch.setenv(ingest.MAX_FILE_ENV_VAR, wrong)
        with pytest.raises(RejectedInputError, match="WORKBENCH_MAX_FILE_MB"):
            ingest.max_file_bytes()
    # a wrong setting refuses the import with its sentence and changes nothing
    before = store.table_counts(con)
    report = ingest.import_files(con, [("a.csv", ACCOUNTS_CSV)], actor=LOCAL_ACTOR)
    assert not report.ok
    assert "WORKBENCH_MAX_FILE_MB" in report.errors[0].message
    assert store.table_counts(con) == before


def test_streamlit_upload_limit_is_set_and_below_the_library_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    limit_mb = config["server"]["maxUploadSize"]
    assert 0 < limit_mb <= 1024
    assert limit_mb * 1_048_576 <= ingest.MAX_FILE_BYTES
    assert config["server"]["enableXsrfProtection"] is True
    assert config["client"]["toolbarMode"] == "viewer"


HOSTILE_CELLS = (
    "<script>alert(1)</script>",
    "</script>",
    "<img src=x onerror=alert(1)>",
    "=1+1",
    "+cmd",
    "-2",
    "@SUM(A1)",
    "'); DROP TABLE accounts;--",
    "W" * 5_000,
    "ctl\x07\x1b[31m\ttab",
    "line\nbreak",
)


def test_hostile_cells_are_imported_verbatim_and_exported_defused(con):
    import csv

    from workbench import exports

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Account ID", "Account Name", "Industry", "Region"])
    for number, cell in enumerate(HOSTILE_CELLS):
        writer.writerow([f"H-{number:02d}", cell, cell, cell])
    report = ingest.import_files(
        con, [("accounts.csv", buffer.getvalue().encode())], actor=LOCAL_ACTOR
    )
    assert report.ok, report.problems
    accounts = store.read_table(con, "accounts").sort("account_id")
    assert accounts["name"].to_list() == list(HOSTILE_CELLS)  # stored as text, whole
    assert accounts["industry"].to_list() == list(HOSTILE_CELLS)
    assert store.table_counts(con)["accounts"] == len(HOSTILE_CELLS)
    exported = exports.to_csv_bytes(accounts.select("name")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported, newline="")))[1:]
    assert all(not row[0].startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows)


def test_a_large_upload_with_a_path_is_spilled_only_into_the_scratch_folder(
    con, tmp_path, monkeypatch
):
    import tempfile

    monkeypatch.setattr(
        ingest.inputs, "LARGE_FILE_BYTES", 64
    )  # every upload counts as large
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    victim_dir = tmp_path / "scratch" / "a" / "b"
    victim_dir.mkdir(parents=True)
    spilled: list[Path] = []
    spill = ingest.inputs._spilled

    def recording_spill(item, folder):  # type: ignore[no-untyped-def]
        result = spill(item, folder)
        if result.path is not None:
            spilled.append(result.path)
        return result

    monkeypatch.setattr(ingest.inputs, "_spilled", recording_spill)
    name = "../../../evil.csv"
    report = ingest.import_files(
        con, [(name, ACCOUNTS_CSV * 3)], actor=LOCAL_ACTOR, dry_run=True
    )
    assert [f.name for f in report.files] == ["evil.csv"]
    assert spilled, "the upload was not written to the scratch folder"
    assert all(p.parent.parent == tmp_path / "scratch" for p in spilled), spilled
    assert all(p.name != "evil.csv" for p in spilled)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert not [p for p in written if p.name == "evil.csv"], written
    assert not written  # the scratch copies are gone after the import


def _refused_upload_page() -> None:
    from workbench.app.components import show_refusal
    from workbench.errors import RejectedInputError

    show_refusal(
        RejectedInputError("**x**_[y](javascript:alert(1))$1$.csv: the file is empty")
    )


def test_a_refusal_naming_markdown_in_a_file_name_shows_it_as_typed() -> None:
    # The Import and Voice pages show refusals through one helper; a file name is
    # the user's text, so its Markdown (bold, a link, a formula) must not render.
    from streamlit.testing.v1 import AppTest

    page = AppTest.from_function(_refused_upload_page, default_timeout=30).run()
    shown = page.error[0].value
    assert r"\*\*x\*\*" in shown
    assert r"\[y\]\(javascript:alert\(1\)\)" in shown.replace(r"\:", ":")
    assert r"\$1\$" in shown
