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
        snapshot = {
            table: (
                store.catalog_columns(con, table),
                store.read_catalog_table(con, table),
            )
            for table in store.catalog_tables(con)
        }
    finally:
        con.close()
    # A restore raises the data and facts versions on purpose (caches keyed on
    # them must not take the restored data for older data): every other setting
    # comes back.
    columns, meta = snapshot["workbench_meta"]
    versions = ["data_version", "facts_version", "decisions_version"]
    snapshot["workbench_meta"] = (columns, meta.filter(~pl.col("key").is_in(versions)))
    # and logs that it changed every account (checked below), as every write logs
    # what it changed
    columns, log = snapshot["fact_changes"]
    snapshot["fact_changes"] = (columns, log.clear())
    return snapshot


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
        # features held from the replaced file are added up again in full
        log = con.sql("SELECT data_version, account_id FROM fact_changes").fetchall()
        assert log == [(store.data_version(con), None)]
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
    assert summary.counts["accounts"] == 63
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


def _backup(db: Path, directory: Path) -> Path:
    con = store.connect(db)
    try:
        backup.backup_database(con, directory, LOCAL_ACTOR)
    finally:
        con.close()
    return directory


def _edit_manifest(directory: Path, change, *, reseal: bool) -> None:
    path = directory / backup.MANIFEST_NAME
    manifest = json.loads(path.read_text())
    change(manifest)
    if reseal:  # an editor who also recomputes the manifest's own checksum
        manifest["manifest_sha256"] = backup._manifest_checksum(manifest)
    path.write_text(json.dumps(manifest))


def _drop_a_contact(directory: Path) -> None:
    path = directory / "contacts.parquet"
    pl.read_parquet(path).slice(1).write_parquet(path)


def _hostile_sql(directory: Path, leak: Path) -> str:
    # What an attacker appends to schema.sql: write files, attach, read files.
    return (
        f"\nCOPY (SELECT * FROM contacts) TO '{leak}' (FORMAT csv);\n"
        f"ATTACH '{leak}.duckdb' AS other;\n"
        "CREATE TABLE stolen AS SELECT * FROM read_text('/etc/passwd');\n"
    )


TAMPERING = {
    "schema.sql added": (
        lambda d, leak: (d / "schema.sql").write_text(_hostile_sql(d, leak)),
        "does not list",
    ),
    "an extra file": (
        lambda d, leak: (d / "notes.txt").write_text("hello"),
        "does not list",
    ),
    "a missing file": (
        lambda d, leak: (d / "plan_actions.parquet").unlink(),
        "missing plan_actions.parquet",
    ),
    "a changed Parquet file": (
        lambda d, leak: _drop_a_contact(d),
        "contacts.parquet does not match its checksum",
    ),
    "an edited manifest": (
        lambda d, leak: _edit_manifest(
            d, lambda m: m["counts"].update(contacts=1), reseal=False
        ),
        "does not match its checksum",
    ),
    "a resealed manifest with other counts": (
        lambda d, leak: _edit_manifest(
            d,
            lambda m: (
                m["counts"].update(contacts=1),
                m["tables"]["contacts"].update(rows=1),
            ),
            reseal=True,
        ),
        "contacts.parquet holds 2529 rows, the manifest says 1",
    ),
    "a resealed manifest over a changed file": (
        lambda d, leak: (
            _drop_a_contact(d),
            _edit_manifest(
                d,
                lambda m: m["tables"]["contacts"].update(
                    sha256=backup._sha256((d / "contacts.parquet").read_bytes())
                ),
                reseal=True,
            ),
        ),
        "holds 2528 rows, the manifest says 2529",
    ),
    "a newer schema version": (
        lambda d, leak: _edit_manifest(
            d, lambda m: m.update(schema_version=999), reseal=True
        ),
        "newer than this workbench",
    ),
    "a table the schema does not have": (
        lambda d, leak: _edit_manifest(
            d,
            lambda m: m["tables"].update(
                stolen={"file": "stolen.parquet", "rows": 0, "sha256": "0" * 64}
            ),
            reseal=True,
        ),
        "unknown stolen",
    ),
}


@pytest.mark.parametrize("tampering", sorted(TAMPERING))
def test_a_tampered_backup_is_refused_before_anything_is_written(
    rich_db: Path, demo_db_file: Path, tmp_path: Path, tampering: str, capsys
):
    backup_dir = _backup(rich_db, tmp_path / "backup")
    leak = tmp_path / "leak.csv"
    tamper, message = TAMPERING[tampering]
    tamper(backup_dir, leak)

    fresh = tmp_path / "fresh.duckdb"
    with pytest.raises(RejectedInputError, match=message):
        backup.restore_database(backup_dir, fresh, LOCAL_ACTOR)
    # An existing target, even with --force, stays exactly as it was.
    target = tmp_path / "existing.duckdb"
    shutil.copy(demo_db_file, target)
    before = _snapshot(target)
    assert main(["restore", str(backup_dir), "--db", str(target), "--force"]) == 1
    assert "nothing was written" in capsys.readouterr().err
    _assert_same(before, _snapshot(target))
    assert not fresh.exists()
    assert not leak.exists()
    # (the ``.lock`` files are the empty files processes take turns on)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".lock") == [
        "backup",
        "existing.duckdb",
        "workbench.duckdb",
    ]


def _legacy_backup(db: Path, directory: Path) -> Path:
    """A folder as the previous version's `workbench backup` wrote it."""
    con = store.connect(db)
    try:
        store.export_database(con, directory)
        manifest = {
            "format": 1,
            "taken_at": "2026-11-01T10:00:00",
            "taken_by": "local",
            "directory": str(directory),
            "database": str(db),
            "schema_version": store.schema_version(con),
            "counts": store.catalog_row_counts(con),
        }
    finally:
        con.close()
    (directory / backup.MANIFEST_NAME).write_text(json.dumps(manifest))
    return directory


def test_an_old_backup_restores_as_data_and_its_sql_is_never_run(
    rich_db: Path, tmp_path: Path, capsys
):
    backup_dir = _legacy_backup(rich_db, tmp_path / "old backup")
    leak = tmp_path / "leak.csv"
    for script in ("schema.sql", "load.sql"):
        with (backup_dir / script).open("a") as sql:
            sql.write(_hostile_sql(backup_dir, leak))
    restored = tmp_path / "restored.duckdb"
    assert main(["restore", str(backup_dir), "--db", str(restored), "--json"]) == 0
    out = capsys.readouterr()
    assert "SQL files were not run" in out.err
    assert json.loads(out.out)["notes"]
    _assert_same(_snapshot(rich_db), _snapshot(restored))
    assert not leak.exists()
    assert not (tmp_path / "leak.csv.duckdb").exists()


def test_an_old_backup_with_wrong_counts_or_extra_files_is_refused(
    rich_db: Path, tmp_path: Path
):
    backup_dir = _legacy_backup(rich_db, tmp_path / "old")
    path = backup_dir / backup.MANIFEST_NAME
    manifest = json.loads(path.read_text())
    manifest["counts"]["accounts"] = 64
    path.write_text(json.dumps(manifest))
    with pytest.raises(RejectedInputError, match="63 rows, the manifest says 64"):
        backup.restore_database(backup_dir, tmp_path / "t.duckdb", LOCAL_ACTOR)
    manifest["counts"]["accounts"] = 60
    path.write_text(json.dumps(manifest))
    (backup_dir / "evil.sql").write_text("DROP TABLE accounts;")
    with pytest.raises(RejectedInputError, match=r"evil\.sql"):
        backup.restore_database(backup_dir, tmp_path / "t.duckdb", LOCAL_ACTOR)
    assert not (tmp_path / "t.duckdb").exists()


def test_a_backup_of_an_older_schema_comes_back_current(tmp_path: Path):
    old = tmp_path / "old.duckdb"
    import duckdb

    raw = duckdb.connect(str(old))
    try:
        store.migrate(raw, target=3)
        raw.execute("INSERT INTO accounts (account_id, name) VALUES ('A1', 'Old Co')")
        backup.backup_database(raw, tmp_path / "backup", LOCAL_ACTOR)
    finally:
        raw.close()
    manifest = json.loads((tmp_path / "backup" / backup.MANIFEST_NAME).read_text())
    assert manifest["schema_version"] == 3
    summary = backup.restore_database(
        tmp_path / "backup", tmp_path / "new.duckdb", LOCAL_ACTOR
    )
    assert summary.schema_version == max(m.version for m in store.MIGRATIONS)
    assert summary.counts["accounts"] == 1


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


def test_a_restore_raises_the_data_version_above_the_replaced_file(
    rich_db: Path, demo_db_file: Path, tmp_path: Path
):
    backup_dir = _backup(rich_db, tmp_path / "backup")
    target = tmp_path / "busy.duckdb"
    shutil.copy(demo_db_file, target)
    with store.unit_of_work(target) as con:
        for i in range(5):  # the served file moved on since the backup
            with store.write_transaction(con, facts=i % 2 == 0) as cur:
                store.set_meta(cur, "touched", "yes")
    before = store.file_versions(target)
    backup.restore_database(backup_dir, target, LOCAL_ACTOR, force=True)
    # above every key a running app may hold for the replaced file's facts too
    assert store.file_versions(target).facts > before.data


def test_an_old_csv_backup_restores_as_data(rich_db: Path, tmp_path: Path):
    import duckdb

    folder = tmp_path / "csv backup"
    raw = duckdb.connect(str(rich_db))
    try:
        raw.execute(f"EXPORT DATABASE '{folder}' (FORMAT csv)")
        manifest = {
            "format": 1,
            "schema_version": store.schema_version(raw),
            "counts": store.catalog_row_counts(raw),
        }
    finally:
        raw.close()
    (folder / backup.MANIFEST_NAME).write_text(json.dumps(manifest))
    assert (folder / "contacts.csv").is_file()
    restored = tmp_path / "restored.duckdb"
    backup.restore_database(folder, restored, LOCAL_ACTOR)
    _assert_same(_snapshot(rich_db), _snapshot(restored))
