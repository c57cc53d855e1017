"""Backup and restore round-trip every table exactly, and refuse what they should."""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING

import polars as pl
import pytest

from workbench import backup, store
from workbench.cli import main
from workbench.domain import LOCAL_ACTOR, Actor
from workbench.errors import PermissionDeniedError, RejectedInputError

if TYPE_CHECKING:
    from pathlib import Path

HOSTILE = (
    "<script>alert('x')</script> =1+1 '); DROP TABLE accounts;-- \t\r\n\x01 ü 张伟"
)


def _snapshot(path: Path) -> dict[str, tuple[list[tuple[str, str]], pl.DataFrame]]:
    con = store.connect(path, read_only=True)
    try:
        return {
            table: (
                store.catalog_columns(con, table),
                store.read_catalog_table(con, table),
            )
            for table in store.catalog_tables(con)
        }
    finally:
        con.close()


def _assert_same(before: dict, after: dict) -> None:
    assert sorted(before) == sorted(after)
    for table, (columns, frame) in before.items():
        after_columns, after_frame = after[table]
        assert after_columns == columns, table
        assert after_frame.equals(frame, null_equal=True), table
        assert after_frame.schema == frame.schema, table


@pytest.fixture
def rich_db(demo_db: Path) -> Path:
    """The demo plus rows in workbench tables, hostile text, NULLs and timestamps."""
    con = store.connect(demo_db)
    try:
        with store.write_transaction(con) as cur:
            now = store.now_utc()
            store.insert_frame(
                cur,
                "contact_edits",
                pl.DataFrame(
                    {
                        "edit_id": [1, 2],
                        "contact_id": ["C1", "C2"],
                        "field": ["attitude", "influence"],
                        "old_value": [None, "3"],
                        "new_value": [HOSTILE, "5"],
                        "edited_by": ["anna", None],
                        "edited_at": [now, now],
                    }
                ),
            )
            store.insert_frame(
                cur,
                "relationship_overrides",
                pl.DataFrame(
                    {
                        "account_id": ["A1"],
                        "relationship": ["partnership"],
                        "reason": [HOSTILE * 50],
                        "set_by": ["anna"],
                        "set_at": [now],
                    }
                ),
            )
            store.set_meta(cur, "hostile", HOSTILE)
    finally:
        con.close()
    return demo_db


def test_backup_and_restore_round_trip_every_table(
    rich_db: Path, tmp_path: Path, capsys
):
    before = _snapshot(rich_db)
    backup_dir = tmp_path / "back'up dir"  # a quote in the path must not break SQL
    assert main(["backup", "--db", str(rich_db), str(backup_dir), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["contacts"] == before["contacts"][1].height
    assert (backup_dir / backup.MANIFEST_NAME).is_file()

    restored = tmp_path / "restored" / "workbench.duckdb"
    assert main(["restore", str(backup_dir), "--db", str(restored)]) == 0
    after = _snapshot(restored)
    _assert_same(before, after)
    assert set(store.list_tables_static()) <= set(before)  # every table came back
    con = store.connect(restored, read_only=True)
    try:
        assert store.get_meta(con, "hostile") == HOSTILE
        assert store.schema_version(con) == max(m.version for m in store.MIGRATIONS)
    finally:
        con.close()


def test_restore_refuses_a_target_with_data_unless_forced(
    rich_db: Path, demo_db_file: Path, tmp_path: Path, capsys
):
    backup_dir = tmp_path / "backup"
    assert main(["backup", "--db", str(rich_db), str(backup_dir)]) == 0
    target = tmp_path / "other.duckdb"
    shutil.copy(demo_db_file, target)
    plain_demo = _snapshot(target)

    assert main(["restore", str(backup_dir), "--db", str(target)]) == 1
    assert "--force" in capsys.readouterr().err
    _assert_same(plain_demo, _snapshot(target))  # untouched

    assert main(["restore", str(backup_dir), "--db", str(target), "--force"]) == 0
    _assert_same(_snapshot(rich_db), _snapshot(target))
    assert not (tmp_path / "other.duckdb.restoring").exists()


def test_restore_into_an_empty_migrated_file_needs_no_force(
    rich_db: Path, tmp_path: Path
):
    backup_dir = tmp_path / "backup"
    con = store.connect(rich_db)
    try:
        backup.backup_database(con, backup_dir, LOCAL_ACTOR)
    finally:
        con.close()
    target = tmp_path / "fresh.duckdb"
    store.connect(target).close()  # what the app creates: tables, no rows
    summary = backup.restore_database(backup_dir, target, LOCAL_ACTOR)
    assert summary.counts["accounts"] == 60
    _assert_same(_snapshot(rich_db), _snapshot(target))


def test_backup_refuses_a_non_empty_directory(demo_con, tmp_path: Path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("keep me")
    with pytest.raises(RejectedInputError, match="not an empty directory"):
        backup.backup_database(demo_con, tmp_path / "taken", LOCAL_ACTOR)
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path, capsys):
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "schema.sql").write_text("DROP TABLE accounts;")
    target = tmp_path / "t.duckdb"
    assert main(["restore", str(tmp_path / "junk"), "--db", str(target)]) == 1
    assert "not a complete workbench backup" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "nowhere"), "--db", str(target)]) == 1
    assert not target.exists()


def test_restore_checks_counts_against_the_manifest(rich_db: Path, tmp_path: Path):
    backup_dir = tmp_path / "backup"
    con = store.connect(rich_db)
    try:
        backup.backup_database(con, backup_dir, LOCAL_ACTOR)
    finally:
        con.close()
    manifest_path = backup_dir / backup.MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text())
    manifest["counts"]["contacts"] += 1  # as if a Parquet file had lost rows
    manifest_path.write_text(json.dumps(manifest))
    target = tmp_path / "t.duckdb"
    with pytest.raises(RejectedInputError, match="contacts"):
        backup.restore_database(backup_dir, target, LOCAL_ACTOR)
    assert not target.exists()
    assert not (tmp_path / "t.duckdb.restoring").exists()


def test_only_admins_back_up_and_restore(demo_con, tmp_path: Path):
    for role in ("viewer", "analyst"):
        actor = Actor(name="someone", role=role)
        with pytest.raises(PermissionDeniedError):
            backup.backup_database(demo_con, tmp_path / role, actor)
        with pytest.raises(PermissionDeniedError):
            backup.restore_database(tmp_path, tmp_path / "x.duckdb", actor)
        assert not (tmp_path / role).exists()


def test_hash_password_command_prints_a_usable_hash(monkeypatch, capsys):
    import io

    from workbench import auth

    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret pass\n"))
    assert main(["hash-password", "--user", "alice", "--role", "analyst"]) == 0
    out = capsys.readouterr().out
    import tomllib

    parsed = tomllib.loads(out)
    entry = parsed["workbench"]["users"]["alice"]
    assert entry["role"] == "analyst"
    assert auth.verify_password("s3cret pass", entry["password_hash"])
    assert not auth.verify_password("s3cret pass\n", entry["password_hash"])
