"""Backups of the whole database as a directory of Parquet files, and restores.

A backup is one Parquet file per table of the workbench's schema plus
``workbench-backup.json``, a manifest with the schema version, the table list, and
every file's row count, column list and SHA-256; the manifest carries a checksum
of itself. A restore treats the folder as data only:

1. it checks everything before writing anything: the manifest's own checksum, the
   schema version (one this workbench knows), the table list against the tables
   the workbench's migrations create at that version, the folder holding exactly
   the manifest and those files, each file's checksum, columns and row count;
2. it builds a new file beside the target with the workbench's own migrations up
   to the backup's version and loads each file into its table by an explicit
   column list (the checked bytes are the loaded bytes), then migrates to the
   current version;
3. it checks the loaded counts and only then moves the file into place.

A refused backup writes nothing, and the target is untouched. No SQL text from the
folder is ever run. Folders written by the previous version (DuckDB's ``EXPORT
DATABASE``: ``schema.sql``, ``load.sql``, Parquet files, a manifest with counts and
no checksums) restore through the same path: their SQL files are ignored, their
data files are read by table name and checked against the counts.

The checksums detect damage and edits made without recomputing them; they are no
signature. What keeps a hostile folder harmless is that it is only ever read as
data into the workbench's own tables.

This module holds no SQL: the statements live in :mod:`workbench.store.catalog`.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench import store
from workbench.access import require
from workbench.domain import Actor
from workbench.errors import RejectedInputError

if TYPE_CHECKING:
    import pyarrow as pa

MANIFEST_NAME = "workbench-backup.json"
FORMAT = 2
_CHECKSUM_KEY = "manifest_sha256"
# What the previous version's folders hold besides data: read by nobody.
_LEGACY_SQL_FILES = ("schema.sql", "load.sql")


@dataclass(frozen=True)
class BackupSummary:
    """What a backup or restore holds: where, which schema, rows per table."""

    directory: str
    database: str
    schema_version: int
    counts: dict[str, int]
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        """Return the summary as plain JSON-ready values."""
        return {
            "directory": self.directory,
            "database": self.database,
            "schema_version": self.schema_version,
            "counts": dict(self.counts),
            "notes": list(self.notes),
        }


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest_checksum(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != _CHECKSUM_KEY}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _sha256(text.encode("utf-8"))


def backup_database(
    con: store.Connection, directory: str | os.PathLike[str], actor: Actor
) -> BackupSummary:
    """Write every table of the database to a new (or empty) directory.

    Backups hold all personal data, so only admins may take them.

    Raises:
        PermissionDeniedError: the actor is not an admin.
        RejectedInputError: the directory exists and is not empty, or is a file.
    """
    require(actor, "admin")
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise RejectedInputError(
            f"{target} already exists and is not an empty directory; "
            "choose a new directory for the backup"
        )
    target.mkdir(parents=True, exist_ok=True)
    version = store.schema_version(con)
    schema = store.tables_at_version(version)
    counts = store.export_tables(con, target, sorted(schema))
    tables = {}
    for table, columns in sorted(schema.items()):
        data = (target / f"{table}.parquet").read_bytes()
        tables[table] = {
            "file": f"{table}.parquet",
            "rows": counts[table],
            "columns": columns,
            "sha256": _sha256(data),
        }
    summary = BackupSummary(
        directory=str(target.resolve()),
        database=store.database_path(con),
        schema_version=version,
        counts=counts,
    )
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "taken_at": store.now_utc().isoformat(timespec="seconds"),
        "taken_by": actor.name,
        "directory": summary.directory,
        "database": summary.database,
        "schema_version": version,
        "counts": counts,
        "tables": tables,
    }
    manifest[_CHECKSUM_KEY] = _manifest_checksum(manifest)
    (target / MANIFEST_NAME).write_text(
        json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8"
    )
    return summary


def read_manifest(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """Return a backup directory's manifest, its own checksum verified.

    Raises:
        RejectedInputError: not a workbench backup, or the manifest was changed.
    """
    source = Path(directory)
    if not source.is_dir():
        raise RejectedInputError(f"{source} is not a directory")
    if not (source / MANIFEST_NAME).is_file():
        raise RejectedInputError(
            f"{source} is not a complete workbench backup: missing {MANIFEST_NAME}. "
            "Restore only folders written by `workbench backup`."
        )
    try:
        manifest = json.loads((source / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RejectedInputError(f"{MANIFEST_NAME} cannot be read: {error}") from error
    if not isinstance(manifest, dict) or not isinstance(manifest.get("counts"), dict):
        raise RejectedInputError(f"{MANIFEST_NAME} has no table counts")
    if manifest.get("format", 1) != 1 and (
        manifest.get(_CHECKSUM_KEY) != _manifest_checksum(manifest)
    ):
        raise RejectedInputError(
            f"{source} was not restored, nothing was written: {MANIFEST_NAME} does "
            "not match its checksum, so it was changed after the backup was taken; "
            "use an unaltered backup"
        )
    return manifest


@dataclass(frozen=True)
class _Checked:
    version: int
    tables: dict[str, pa.Table]
    expected: dict[str, int]
    notes: tuple[str, ...]


def _refuse(source: Path, reason: str) -> RejectedInputError:
    return RejectedInputError(
        f"{source} was not restored, nothing was written: {reason}"
    )


def _checked_version(source: Path, manifest: dict[str, Any]) -> int:
    if manifest.get("format", 1) not in (1, FORMAT):
        raise _refuse(
            source,
            f"its format {manifest.get('format')!r} is not one this workbench "
            "reads; restore it with the workbench that wrote it",
        )
    version = manifest.get("schema_version")
    newest = max(m.version for m in store.MIGRATIONS)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _refuse(source, "the manifest has no valid schema version")
    if version > newest:
        raise _refuse(
            source,
            f"it was taken with schema version {version}, newer than this "
            f"workbench's {newest}; restore it with a newer workbench",
        )
    return version


def _check_files(
    source: Path, manifest: dict[str, Any], version: int
) -> tuple[dict[str, tuple[str, str, str | None]], tuple[str, ...]]:
    """Return table -> (file, kind, sha256 or None), refusing any other file."""
    schema_tables = set(store.tables_at_version(version))
    legacy = manifest.get("format", 1) == 1
    listed: dict[str, tuple[str, str, str | None]] = {}
    notes: tuple[str, ...] = ()
    if legacy:
        present = {p.name for p in source.iterdir()}
        for table in manifest["counts"]:
            kinds = [k for k in ("parquet", "csv") if f"{table}.{k}" in present]
            if len(kinds) != 1:
                raise _refuse(source, f"no single data file for table {table!r}")
            listed[str(table)] = (f"{table}.{kinds[0]}", kinds[0], None)
        allowed = {MANIFEST_NAME, *_LEGACY_SQL_FILES}
        notes = (
            "an older backup without checksums: its data files were checked "
            "against its row counts and column lists; its SQL files were not run",
        )
    else:
        tables = manifest.get("tables")
        if not isinstance(tables, dict):
            raise _refuse(source, "the manifest lists no tables")
        for table, entry in tables.items():
            if not isinstance(entry, dict) or entry.get("file") != f"{table}.parquet":
                raise _refuse(source, f"the manifest's entry for {table!r} is invalid")
            sha256 = entry.get("sha256")
            if not isinstance(sha256, str) or len(sha256) != 64:
                raise _refuse(source, f"the manifest gives no checksum for {table!r}")
            listed[str(table)] = (f"{table}.parquet", "parquet", sha256)
        allowed = {MANIFEST_NAME}
    if set(listed) != schema_tables:
        missing = sorted(schema_tables - set(listed))
        extra = sorted(set(listed) - schema_tables)
        raise _refuse(
            source,
            f"its tables are not those of schema version {version}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(extra)}" if extra else ""),
        )
    data_files = {name for name, _, _ in listed.values()}
    entries = {p.name: p for p in source.iterdir()}
    unexpected = sorted(
        name
        for name, entry in entries.items()
        if name not in allowed | data_files or not entry.is_file() or entry.is_symlink()
    )
    if unexpected:
        raise _refuse(
            source,
            "the folder holds files the backup does not list (or links): "
            + ", ".join(unexpected),
        )
    absent = sorted(data_files - set(entries))
    if absent:
        raise _refuse(source, f"missing {', '.join(absent)}")
    return listed, notes


def check_backup(directory: str | os.PathLike[str]) -> _Checked:
    """Verify a backup folder completely and return its tables, writing nothing.

    Raises:
        RejectedInputError: anything differs from what the manifest promises.
    """
    source = Path(directory)
    manifest = read_manifest(source)
    version = _checked_version(source, manifest)
    listed, notes = _check_files(source, manifest, version)
    schema = store.tables_at_version(version)
    entries = manifest.get("tables", {})
    loaded: dict[str, pa.Table] = {}
    expected: dict[str, int] = {}
    for table, (name, kind, sha256) in sorted(listed.items()):
        data = (source / name).read_bytes()
        if sha256 is not None and _sha256(data) != sha256:
            raise _refuse(source, f"{name} does not match its checksum")
        try:
            rows = store.read_backup_table(data, kind)
        except ValueError as error:
            raise _refuse(source, f"{name} is {error}") from error
        if sorted(rows.column_names) != sorted(schema[table]):
            raise _refuse(
                source, f"{name} does not hold the columns of the table {table}"
            )
        count = manifest["counts"].get(table)
        if sha256 is not None and entries[table].get("rows") != count:
            raise _refuse(source, f"the manifest gives two row counts for {table}")
        if not isinstance(count, int) or rows.num_rows != count:
            raise _refuse(
                source,
                f"{name} holds {rows.num_rows} rows, the manifest says {count}",
            )
        loaded[table] = rows
        expected[table] = count
    return _Checked(version=version, tables=loaded, expected=expected, notes=notes)


def _target_state(path: Path) -> tuple[bool, int]:
    """Return whether an existing target holds data, and its data version.

    Read-only: a refused restore must not even upgrade the target's schema.
    """
    con = store.connect(path, read_only=True)
    try:
        counts = store.catalog_row_counts(con)
        version = store.data_version(con) if "workbench_meta" in counts else 0
        identity = store.database_id(con) if "workbench_meta" in counts else None
    finally:
        store.close(con)
    # A freshly created file only records its migrations and its own identity.
    if identity is not None:
        counts["workbench_meta"] -= 1
    has_data = any(rows for table, rows in counts.items() if table != "schema_version")
    return has_data, version


def restore_database(
    directory: str | os.PathLike[str],
    target: str | os.PathLike[str],
    actor: Actor,
    *,
    force: bool = False,
) -> BackupSummary:
    """Restore a backup directory into the database file ``target``.

    Args:
        directory: a directory written by :func:`backup_database` (or by the
            previous version's ``workbench backup``).
        target: the database file to (re)create.
        actor: who restores; must be an admin.
        force: replace a target that already holds data.

    Raises:
        PermissionDeniedError: the actor is not an admin.
        RejectedInputError: not a backup, a part was changed, added or removed,
            the target holds data and ``force`` is false, or the restored counts
            differ from the manifest.
        DatabaseBusyError: another process kept the target open for the whole
            lock timeout.
    """
    require(actor, "admin")
    checked = check_backup(directory)
    target_path = Path(target)
    has_data, previous_version = (
        _target_state(target_path) if target_path.exists() else (False, 0)
    )
    if has_data and not force:
        raise RejectedInputError(
            f"{target_path} already holds data; restore into a new file, or pass "
            "--force to replace it"
        )
    target_path.parent.mkdir(parents=True, exist_ok=True)
    staging = target_path.with_name(target_path.name + ".restoring")
    for leftover in (staging, Path(f"{staging}.wal")):
        leftover.unlink(missing_ok=True)
    try:
        try:
            counts = store.build_database_from_tables(
                staging, checked.version, checked.tables
            )
        except ValueError as error:
            raise RejectedInputError(
                f"{directory} was not restored, the target was not changed: {error}"
            ) from error
        differing = sorted(t for t, n in checked.expected.items() if counts.get(t) != n)
        if differing:
            raise RejectedInputError(
                f"the restored copy differs from the backup in {', '.join(differing)}; "
                "the target was not changed"
            )
        with store.unit_of_work(staging) as con:
            # A data version above the replaced file's: the app's caches, keyed on
            # it, must not mistake the restored data for what they hold.
            floor = max(previous_version, store.data_version(con))
            with store.write_transaction(con) as cur:
                store.set_meta(cur, "data_version", str(floor))
            final_counts = store.catalog_row_counts(con)
            version = store.schema_version(con)
        _replace(staging, target_path)
    finally:
        staging.unlink(missing_ok=True)
        Path(f"{staging}.wal").unlink(missing_ok=True)
    return BackupSummary(
        directory=str(Path(directory).resolve()),
        database=str(target_path.resolve()),
        schema_version=version,
        counts=final_counts,
        notes=checked.notes,
    )


def _replace(staging: Path, target: Path) -> None:
    # Wait for (and briefly hold) the target, so that no process is inside a unit
    # of work on it while the file is swapped.
    # Read-only, so that this connection never writes a log of its own.
    if target.exists():
        con = store.connect(target, read_only=True)
        try:
            # A write-ahead log left by the old file would be replayed onto the new.
            Path(f"{target}.wal").unlink(missing_ok=True)
            os.replace(staging, target)
        finally:
            store.close(con)
    else:
        os.replace(staging, target)
