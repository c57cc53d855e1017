"""Starting clean: the demo is marked, a real import can replace it (all or
nothing), ``workbench init --empty`` makes an empty database, and imported data
is never emptied by ``init``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ANALYST, cli_import, demo_database
from tests.conftest import INGEST_FIXTURES as FIXTURES
from workbench import ingest, store
from workbench.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_the_demo_is_marked_and_an_import_offers_to_replace_it(
    demo_con: store.Connection,
) -> None:
    assert store.holds_demo(demo_con)
    demo_accounts = store.table_counts(demo_con)["accounts"]
    report = ingest.import_files(
        demo_con, [FIXTURES / "salesforce"], actor=ANALYST, dry_run=True
    )
    assert any("holds the demo portfolio" in p.message for p in report.problems)
    replaced = ingest.import_files(
        demo_con, [FIXTURES / "salesforce"], actor=ANALYST, replace_demo=True
    )
    assert replaced.ok, [p.message for p in replaced.errors]
    assert not store.holds_demo(demo_con)
    counts = store.table_counts(demo_con)
    assert counts["accounts"] == 3 < demo_accounts
    assert store.query_frame(demo_con, "SELECT DISTINCT source FROM accounts")[
        "source"
    ].to_list() == ["salesforce"]
    assert sum(store.orphan_counts(demo_con).values()) == 0
    assert (
        store.query_frame(demo_con, "SELECT count(*) AS n FROM account_plans")["n"][0]
        == 0
    )


def test_a_rejected_replacement_keeps_the_demo_exactly(
    demo_con: store.Connection,
) -> None:
    before = store.database_fingerprint(demo_con)
    report = ingest.import_files(
        demo_con,
        [FIXTURES / "bad" / "duplicates"],
        actor=ANALYST,
        replace_demo=True,
    )
    assert not report.ok
    assert store.database_fingerprint(demo_con) == before
    assert store.holds_demo(demo_con)


def test_init_empty_then_import_has_no_demo_offer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "fresh.duckdb")
    code, out = _run(capsys, "init", "--empty", "--db", db, "--json")
    assert code == 0
    result = json.loads(out)
    assert result["outcome"] == "created empty"
    assert not any(result["counts"].values())
    code, out = cli_import(capsys, "salesforce", db, "--json")
    assert code == 0
    report = json.loads(out)
    assert not any("demo" in p["message"] for p in report["problems"])
    assert report["added"]["accounts"] == 3
    # The same files again: said, not written twice.
    code, out = cli_import(capsys, "salesforce", db, "--json")
    assert code == 0
    again = json.loads(out)
    assert any("imported already" in p["message"] for p in again["problems"])
    assert again["added"] == {}
    # init never empties imported data.
    code, _out = _run(capsys, "init", "--empty", "--db", db)
    assert code == 1
    con = store.connect(db)
    try:
        assert store.table_counts(con)["accounts"] == 3
    finally:
        con.close()


def test_init_empties_a_demo_database_and_fills_a_new_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = demo_database(tmp_path / "demo.duckdb", accounts=3, activities=30)
    code, out = _run(capsys, "init", "--empty", "--db", str(db), "--json")
    assert code == 0
    assert json.loads(out)["outcome"] == "emptied the demo portfolio"
    other = tmp_path / "new.duckdb"
    code, out = _run(capsys, "init", "--db", str(other), "--json")
    assert code == 0
    assert json.loads(out)["counts"]["accounts"] > 0


def test_cli_replace_demo_flag_and_plan_in_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = demo_database(tmp_path / "demo.duckdb", accounts=3, activities=30)
    code, out = cli_import(capsys, "bad/cycle", db, "--replace-demo")
    assert code == 0
    assert "added, updated, left out:" in out
    assert "reporting cycle: one line left out" in out
    con = store.connect(db)
    try:
        assert not store.holds_demo(con)
        assert store.table_counts(con)["contacts"] == 4
    finally:
        con.close()
