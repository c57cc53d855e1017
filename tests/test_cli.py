from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest

from tests.conftest import run_cli
from workbench import store
from workbench.cli import main


def _tables(path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            t: con.sql(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
            for t in store.DATA_TABLES
        }
    finally:
        con.close()


def test_demo_twice_gives_identical_non_empty_tables(tmp_path, capsys):
    first, second = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    assert (
        main(["demo", "--db", str(first), "--accounts", "15", "--activities", "3000"])
        == 0
    )
    assert (
        main(["--db", str(second), "demo", "--accounts", "15", "--activities", "3000"])
        == 0
    )
    a, b = _tables(first), _tables(second)
    assert a == b
    for table in (
        "accounts",
        "contacts",
        "sellers",
        "opportunities",
        "activities",
        "nps_responses",
    ):
        assert a[table], f"{table} is empty"


def test_demo_json_reports_counts(tmp_path, capsys):
    assert (
        main(
            [
                "demo",
                "--db",
                str(tmp_path / "d.duckdb"),
                "--accounts",
                "5",
                "--activities",
                "100",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["counts"]["accounts"] == 5


def test_info_reports_schema_and_counts(tmp_path, capsys):
    path = tmp_path / "i.duckdb"
    main(["demo", "--db", str(path), "--accounts", "5", "--activities", "100"])
    capsys.readouterr()
    assert main(["info", "--db", str(path), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["schema_version"] == store.MIGRATIONS[-1].version
    assert facts["counts"]["accounts"] == 5


def test_db_from_environment(tmp_path, monkeypatch, capsys):
    path = tmp_path / "env.duckdb"
    monkeypatch.setenv(store.DB_ENV_VAR, str(path))
    assert main(["demo", "--accounts", "3", "--activities", "10"]) == 0
    assert path.exists()


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["no-such-command"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--accounts", "many"])
    assert exit_info.value.code == 2


def test_locked_database_is_a_clear_rejection(tmp_path, capsys, monkeypatch):
    # Wait for the lock a short while, far less than the holder holds it: under a
    # loaded machine the default wait (30 s) could outlast the holder.
    monkeypatch.setenv(store.LOCK_TIMEOUT_ENV_VAR, "2")
    path = tmp_path / "locked.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(path)!r}); print('ready', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        assert main(["info", "--db", str(path)]) == 1
        assert "cannot open the database" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()


def test_console_script_help_lists_commands():
    result = run_cli("--help")
    assert (
        "demo" in result.stdout
        and "info" in result.stdout
        and "exit codes" in result.stdout
    )
