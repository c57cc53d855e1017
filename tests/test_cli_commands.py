"""Each command of ``workbench`` on its own: exit codes, JSON, files written.

Exit codes: 0 done, 1 input rejected (nothing changed), 2 usage error. Data goes to
stdout (``--json`` parses), progress to stderr.
"""

from __future__ import annotations

import io
import json
import sys
from typing import TYPE_CHECKING

import pytest

from tests.cli_all_support import EFFORT_JSON_KEYS, _run
from tests.conftest import salesforce_export
from workbench import store
from workbench.api import open_workbench

if TYPE_CHECKING:
    from pathlib import Path

ACCOUNT = "A00001"


def _counts(path: Path) -> dict[str, int]:
    with open_workbench(path) as wb:
        return dict(wb.info()["counts"])


# --- demo and info -----------------------------------------------------------------


def test_demo_with_db_after_the_command_prints_json_and_progress_on_stderr(
    capsys, tmp_path
):
    path = tmp_path / "d.duckdb"
    code, out, err = _run(
        capsys,
        "demo",
        "--accounts",
        "6",
        "--activities",
        "300",
        "--db",
        str(path),
        "--json",
    )
    assert code == 0 and json.loads(out)["counts"]["accounts"] == 6
    assert "…" in err and "…" not in out
    assert _counts(path)["accounts"] == 6


def test_demo_rejects_impossible_sizes_as_usage(capsys, tmp_path):
    path = tmp_path / "d.duckdb"
    code, out, err = _run(capsys, "--db", str(path), "demo", "--accounts", "0")
    assert code == 2 and out == "" and "--accounts" in err
    assert not path.exists()


def test_info_json(capsys, demo_db):
    code, out, _ = _run(capsys, "info", "--json", "--db", str(demo_db))
    facts = json.loads(out)
    assert code == 0 and facts["database"] == str(demo_db)
    assert facts["counts"]["accounts"] == 63


def test_a_database_that_cannot_be_opened_is_rejected(capsys, tmp_path):
    code, out, err = _run(capsys, "info", "--db", str(tmp_path))  # a directory
    assert code == 1 and out == "" and "cannot open the database" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["info"],
        ["info", "--json"],
        ["segment", "--json"],
        ["effort"],
        ["nps"],
        ["map", ACCOUNT, "--json"],
        ["plan", ACCOUNT, "--format", "md"],
        ["plans", "--overview"],
        ["backup", "a-copy"],
        ["import", "--undo"],
    ],
)
def test_a_reading_command_refuses_a_database_that_is_not_there(capsys, tmp_path, argv):
    # A mistyped path used to be created, empty (with its folders), and
    # reported as a portfolio of nothing.
    path = tmp_path / "typo" / "workbench.duckdb"
    code, out, err = _run(capsys, *argv, "--db", str(path))
    assert code == 1 and out == ""
    assert f"there is no database at {path}" in err and "workbench init" in err
    assert not (tmp_path / "typo").exists()
    code, out, err = _run(capsys, "--lang", "zh-Hans", *argv, "--db", str(path))
    assert code == 1 and f"{path} 处没有数据库" in err
    assert not (tmp_path / "typo").exists()


@pytest.mark.parametrize(
    "argv",
    [["init", "--empty"], ["demo", "--accounts", "3", "--activities", "20"]],
)
def test_a_command_that_makes_a_database_creates_it(capsys, tmp_path, argv):
    path = tmp_path / "new" / "workbench.duckdb"
    assert _run(capsys, *argv, "--db", str(path))[0] == 0
    assert path.exists()
    code, out, _ = _run(capsys, "info", "--json", "--db", str(path))
    assert code == 0 and json.loads(out)["database"] == str(path)


def test_a_first_import_creates_its_database(capsys, tmp_path):
    folder = salesforce_export(tmp_path / "export")
    path = tmp_path / "new.duckdb"
    code, out, _ = _run(capsys, "import", str(folder), "--db", str(path), "--json")
    assert code == 0 and json.loads(out)["ok"] is True and path.exists()


def test_a_folder_holding_its_own_database_imports_the_exports_beside_it(
    capsys, tmp_path
):
    # The default database lives in data/, where an analyst may drop exports:
    # the folder's import reads the exports, not the database, its log or lock.
    folder = salesforce_export(tmp_path / "data")
    path = folder / "workbench.duckdb"
    code, out, _ = _run(capsys, "import", str(folder), "--db", str(path), "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    (folder / "workbench.duckdb.wal").write_bytes(b"\x00log")
    (folder / "Contact.csv").write_text(
        (folder / "Contact.csv").read_text().replace("Buyer", "Head of Buying")
    )
    code, out, _ = _run(capsys, "import", str(folder), "--db", str(path), "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True, report["problems"]
    assert {p["file"] for p in report["problems"]} <= {"Account.csv", "Contact.csv"}
    assert report["counts"]["contacts"] == 2


# --- import ------------------------------------------------------------------------


def test_import_json_then_undo(capsys, demo_db, tmp_path):
    folder = salesforce_export(tmp_path / "export")
    code, out, err = _run(capsys, "import", str(folder), "--db", str(demo_db), "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True and report["source"] == "salesforce"
    assert report["counts"]["accounts"] == 64 and err
    code, out, _ = _run(capsys, "import", "--undo", "--json", "--db", str(demo_db))
    assert code == 0 and json.loads(out)["counts"]["accounts"] == 63


def test_rejected_import_exits_1_and_changes_nothing(capsys, demo_db, tmp_path):
    folder = salesforce_export(tmp_path / "export", account_id="001MISSING")
    (folder / "Account.csv").unlink()
    before = _counts(demo_db)
    code, out, _ = _run(capsys, "--db", str(demo_db), "import", str(folder), "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    assert any(p["level"] == "error" for p in report["problems"])
    assert _counts(demo_db) == before


def test_import_of_a_missing_file_is_rejected(capsys, demo_db, tmp_path):
    code, _, err = _run(
        capsys, "import", str(tmp_path / "nope.csv"), "--db", str(demo_db)
    )
    assert code == 1 and "no such file or folder" in err


@pytest.mark.parametrize(
    "argv",
    [["import"], ["import", "--undo", "x.csv"], ["import", "--date-order", "ymd", "x"]],
)
def test_import_usage_errors(capsys, demo_db, argv):
    code, out, err = _run(capsys, *argv, "--db", str(demo_db))
    assert code == 2 and out == "" and err


# --- segment -----------------------------------------------------------------------


def test_segment_json_with_thresholds(capsys, demo_db):
    code, out, err = _run(
        capsys, "segment", "--db", str(demo_db), "--top-pct", "10", "--json"
    )
    result = json.loads(out)
    assert code == 0 and "…" in err
    assert result["thresholds"]["valuable_top_pct"] == 10
    accounts = result["accounts"]
    assert len(accounts) == 60
    assert sum(a["value_segment"] == "most_valuable" for a in accounts) == 6
    # the money's currency beside it, in the document and over the text's column
    assert result["currency"] == "USD"
    code, out, _ = _run(capsys, "segment", "--db", str(demo_db))
    assert code == 0 and "contribution (USD)" in out.splitlines()[0]


def test_segment_csv_is_spreadsheet_safe_text(capsys, demo_db):
    code, out, _ = _run(capsys, "segment", "--csv", "--db", str(demo_db))
    assert code == 0 and out.lstrip("\ufeff").startswith("account_id,name,")
    assert len(out.splitlines()) == 61


# --- effort ------------------------------------------------------------------------


def test_effort_json_has_every_account(capsys, demo_db):
    code, out, err = _run(capsys, "effort", "--json", "--db", str(demo_db))
    rows = json.loads(out)
    assert code == 0 and len(rows) == 60 and "…" in err
    assert set(rows[0]) >= EFFORT_JSON_KEYS


def test_effort_issues_csv(capsys, demo_db):
    code, out, _ = _run(capsys, "--db", str(demo_db), "effort", "--issues", "--csv")
    header = out.lstrip("\ufeff").splitlines()[0]
    assert code == 0 and header.startswith("issue,") and "over_served" in out


# --- map ---------------------------------------------------------------------------


def test_map_writes_html_and_prints_json(capsys, demo_db, tmp_path):
    page = tmp_path / "maps" / "acme.html"
    code, out, err = _run(
        capsys, "map", ACCOUNT, "--html", str(page), "--json", "--db", str(demo_db)
    )
    found = json.loads(out)
    assert code == 0 and found["account_id"] == ACCOUNT
    assert {"coverage", "breadth", "risks", "reach_next"} <= set(found)
    text = page.read_text(encoding="utf-8")
    assert "vis-network" in text and "cdn.jsdelivr.net" not in text
    assert "wrote" in err


# Rejected input exits 1, a usage error 2; either way nothing on stdout and a
# reason on stderr.
@pytest.mark.parametrize(
    ("command", "argv", "expected"),
    [
        ("segment", ["--top-pct", "150"], 1),
        ("segment", ["--scenario", "no such scenario"], 1),
        ("segment", ["--as-of", "yesterday"], 2),
        ("segment", ["--json", "--csv"], 2),
        ("effort", ["--over-factor", "0"], 1),
        ("effort", ["--scenario", "no such scenario"], 1),
        ("effort", ["--as-of", "2026-13-01"], 2),
        ("effort", ["--json", "--csv"], 2),
        ("map", ["NO-SUCH-ACCOUNT", "--json"], 1),
        ("map", [ACCOUNT], 2),
        ("map", [ACCOUNT, "--json", "--months", "0"], 2),
        ("map", [ACCOUNT, "--json", "--layout", "circle"], 2),
    ],
)
def test_segment_effort_and_map_errors(capsys, demo_db, command, argv, expected):
    code, out, err = _run(capsys, command, *argv, "--db", str(demo_db))
    assert code == expected and out == "" and err


# --- nps ---------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["role", "department", "quarter"])
def test_nps_json(capsys, demo_db, by):
    code, out, _ = _run(
        capsys, "nps", "--by", by, "--quarters", "0", "--json", "--db", str(demo_db)
    )
    rows = json.loads(out)
    interval = {"nps_low", "nps_high", "too_few"}
    assert code == 0 and rows
    assert set(rows[0]) == {"account_id", by, "responses", "nps", *interval}
    overall = [r for r in rows if r[by] == "all"]
    # Each person counts once (their latest answer); split by quarter, once a quarter.
    con = store.connect(demo_db)
    try:
        unit = "contact_id, date_trunc('quarter', responded_on)"
        people = con.sql(
            f"SELECT count(DISTINCT ({unit if by == 'quarter' else 'contact_id'})) "
            "FROM nps_responses"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert sum(r["responses"] for r in overall) == people <= 2103


def test_nps_since_filters(capsys, demo_db):
    code, out, _ = _run(
        capsys,
        "nps",
        "--since",
        "2026-07-01",
        "--by",
        "quarter",
        "--json",
        "--db",
        str(demo_db),
    )
    quarters = {r["quarter"] for r in json.loads(out)} - {"all"}
    assert code == 0 and quarters == {"2026-Q3"}


@pytest.mark.parametrize("argv", [["--by", "colour"], ["--since", "soon"]])
def test_nps_usage_errors(capsys, demo_db, argv):
    code, out, _ = _run(capsys, "nps", *argv, "--db", str(demo_db))
    assert code == 2 and out == ""


# --- plan and plans ----------------------------------------------------------------


def _save_plan(path: Path) -> None:
    with open_workbench(path) as wb:
        draft = wb.plan(ACCOUNT)
        draft.plan.identify = "Who signs the framework?"
        wb.save_plan(draft)


def test_plan_exports_markdown_to_stdout_and_html_to_a_file(capsys, demo_db, tmp_path):
    _save_plan(demo_db)
    code, out, _ = _run(capsys, "plan", ACCOUNT, "--format", "md", "--db", str(demo_db))
    assert code == 0 and out.startswith("# Account plan:") and "Who signs" in out
    page = tmp_path / "plan.html"
    code, out, err = _run(
        capsys,
        "plan",
        ACCOUNT,
        "--format",
        "html",
        "--out",
        str(page),
        "--db",
        str(demo_db),
    )
    assert code == 0 and out == "" and "wrote version 1" in err
    assert "Who signs the framework?" in page.read_text(encoding="utf-8")


def test_plan_json_parses(capsys, demo_db):
    _save_plan(demo_db)
    code, out, _ = _run(
        capsys, "plan", ACCOUNT, "--format", "json", "--db", str(demo_db)
    )
    document = json.loads(out)
    assert code == 0 and document["version"] == 1 and document["saved_by"] == "local"
    assert document["plan"]["identify"] == "Who signs the framework?"


@pytest.mark.parametrize(
    ("argv", "expected", "message"),
    [
        ([ACCOUNT, "--format", "md", "--version", "7"], 1, "version 7"),
        (["NO-SUCH-ACCOUNT", "--format", "md"], 1, "no account"),
        ([ACCOUNT], 2, "--format"),
        ([ACCOUNT, "--format", "docx"], 2, "invalid choice"),
    ],
)
def test_plan_errors(capsys, demo_db, argv, expected, message):
    code, out, err = _run(capsys, "plan", *argv, "--db", str(demo_db))
    assert code == expected and out == "" and message in err


def test_plan_of_an_account_without_one_prints_the_draft_plan_first(capsys, demo_db):
    code, out, _ = _run(capsys, "plan", ACCOUNT, "--format", "md", "--db", str(demo_db))
    assert code == 0
    assert "Unsaved draft" in out
    assert out.index("## Objectives") < out.index("## Appendix: Situation as of")
    code, out, _ = _run(
        capsys, "plan", ACCOUNT, "--format", "json", "--db", str(demo_db)
    )
    document = json.loads(out)
    assert code == 0 and document["draft"] is True and document["version"] == 0


def test_plans_overview_json(capsys, demo_db):
    _save_plan(demo_db)
    code, out, _ = _run(
        capsys,
        "plans",
        "--overview",
        "--json",
        "--today",
        "2026-10-01",
        "--db",
        str(demo_db),
    )
    overview = json.loads(out)
    assert code == 0 and overview["today"] == "2026-10-01"
    assert len(overview["missing"]) == 59


def test_plans_without_overview_is_a_usage_error(capsys, demo_db):
    code, _, _ = _run(capsys, "plans", "--db", str(demo_db))
    assert code == 2


# --- backup and restore ------------------------------------------------------------


def test_backup_then_restore_into_a_new_file(capsys, demo_db, tmp_path):
    folder = tmp_path / "backup"
    code, out, err = _run(capsys, "backup", str(folder), "--json", "--db", str(demo_db))
    assert code == 0 and json.loads(out)["ok"] is True and "backing up" in err
    restored = tmp_path / "restored.duckdb"
    code, out, _ = _run(capsys, "restore", str(folder), "--db", str(restored), "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    assert _counts(restored) == _counts(demo_db)
    # a target that holds data needs --force
    code, out, err = _run(capsys, "restore", str(folder), "--db", str(restored))
    assert code == 1 and out == "" and "--force" in err


def test_backup_into_a_non_empty_directory_is_rejected(capsys, demo_db, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    code, out, err = _run(
        capsys, "backup", str(tmp_path / "busy"), "--db", str(demo_db)
    )
    assert code == 1 and out == "" and err


def test_restore_from_a_folder_that_is_no_backup_is_rejected(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    code, out, _ = _run(
        capsys, "restore", str(tmp_path / "empty"), "--db", str(tmp_path / "r.duckdb")
    )
    assert code == 1 and out == ""


# --- hash-password -----------------------------------------------------------------


def test_hash_password_reads_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse\n"))
    code, out, _ = _run(capsys, "hash-password", "--user", "alice", "--role", "analyst")
    assert (
        code == 0 and '[workbench.users."alice"]' in out and 'role = "analyst"' in out
    )


def test_hash_password_usage_error(capsys):
    code, out, _ = _run(capsys, "hash-password", "--role", "owner")
    assert code == 2 and out == ""
