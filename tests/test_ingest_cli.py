"""``workbench import``: the JSON report, exit codes, dry runs and undo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import INGEST_FIXTURES as FIXTURES
from tests.conftest import cli_import
from workbench import store
from workbench.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_json_report_has_exactly_the_documented_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "w.duckdb")
    code, out = cli_import(capsys, "salesforce", db, "--json")
    assert code == 0
    report = json.loads(out)
    # The four documented keys keep their meaning; the plan and warnings by
    # kind are added.
    assert {"ok", "source", "counts", "problems"} <= set(report)
    assert report["plan"]["accounts"]["add"] == 3
    assert report["added"]["accounts"] == 3
    assert report["ok"] is True
    assert report["source"] == "salesforce"
    assert report["counts"]["activities"] == 5
    # Each problem keeps its five keys; ``code`` (its stable kind) is added.
    assert all(
        set(p) == {"level", "file", "row", "column", "message", "code"}
        for p in report["problems"]
    )
    assert all(p["code"] for p in report["problems"])


def test_rejected_import_exits_1_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "w.duckdb"
    assert cli_import(capsys, "salesforce", db)[0] == 0
    con = store.connect(db)
    before = store.database_fingerprint(con)
    con.close()
    code, out = cli_import(capsys, "bad/duplicates", db, "--json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert any(p["message"].startswith("duplicate ID") for p in report["problems"])
    con = store.connect(db)
    try:
        assert store.database_fingerprint(con) == before
    finally:
        con.close()


def test_dry_run_and_undo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "w.duckdb")
    code, out = cli_import(capsys, "chinese_gbk", db, "--dry-run", "--json")
    assert code == 0
    assert json.loads(out)["counts"]["contacts"] == 0
    assert cli_import(capsys, "chinese_gbk", db)[0] == 0
    code, out = _run(capsys, "import", "--undo", "--db", db, "--json")
    assert code == 0
    assert json.loads(out)["counts"]["contacts"] == 0
    code, _out = _run(capsys, "import", "--undo", "--db", db)
    assert code == 1


def test_usage_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["import", "--source", "pipedrive", str(FIXTURES / "salesforce")])
    assert raised.value.code == 2
    assert main(["import", "--db", str(tmp_path / "w.duckdb")]) == 2
    # A path that does not exist is a rejected input, not a usage error.
    assert (
        main(
            [
                "import",
                str(tmp_path / "missing.csv"),
                "--db",
                str(tmp_path / "w.duckdb"),
            ]
        )
        == 1
    )
