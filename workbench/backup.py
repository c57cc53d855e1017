"""Backups of the whole database as a directory of Parquet files, and restores.

A backup is DuckDB's ``EXPORT DATABASE`` (``schema.sql``, ``load.sql`` and one
Parquet file per table) plus ``workbench-backup.json``, a manifest with the schema
version and every table's row count. A restore builds a new file beside the
target, checks every count against the manifest, and only then moves it into
place, so a failed restore leaves the target as it was.

This module holds no SQL: it checks, orders and moves files, and the statements
(``EXPORT DATABASE``, ``IMPORT DATABASE``, the row counts) live in
:mod:`workbench.store.catalog`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench import store
from workbench.access import require
from workbench.domain import Actor
from workbench.errors import RejectedInputError

MANIFEST_NAME = "workbench-backup.json"
_EXPORT_FILES = ("schema.sql", "load.sql")


@dataclass(frozen=True)
class BackupSummary:
    """What a backup or restore holds: where, which schema, rows per table."""

    directory: str
    database: str
    schema_version: int
    counts: dict[str, int]

    def as_dict(self) -> dict[str, object]:
        """Return the summary as plain JSON-ready values."""
        return {
            "directory": self.directory,
            "database": self.database,
            "schema_version": self.schema_version,
            "counts": dict(self.counts),
        }


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
    store.export_database(con, target)
    summary = BackupSummary(
        directory=str(target.resolve()),
        database=store.database_path(con),
        schema_version=store.schema_version(con),
        counts=store.catalog_row_counts(con),
    )
    manifest = {
        "format": 1,
        "taken_at": store.now_utc().isoformat(timespec="seconds"),
        "taken_by": actor.name,
        **summary.as_dict(),
    }
    (target / MANIFEST_NAME).write_text(
        json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8"
    )
    return summary


def read_manifest(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """Return a backup directory's manifest after checking the export is complete.

    Raises:
        RejectedInputError: not a workbench backup, or a part is missing.
    """
    source = Path(directory)
    if not source.is_dir():
        raise RejectedInputError(f"{source} is not a directory")
    missing = [
        name
        for name in (*_EXPORT_FILES, MANIFEST_NAME)
        if not (source / name).is_file()
    ]
    if missing:
        raise RejectedInputError(
            f"{source} is not a complete workbench backup: missing {', '.join(missing)}"
        )
    try:
        manifest = json.loads((source / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise RejectedInputError(f"{MANIFEST_NAME} cannot be read: {error}") from error
    if not isinstance(manifest, dict) or not isinstance(manifest.get("counts"), dict):
        raise RejectedInputError(f"{MANIFEST_NAME} has no table counts")
    return manifest


def _has_data(path: Path) -> bool:
    con = store.connect(path, read_only=True)
    try:
        counts = store.catalog_row_counts(con)
    finally:
        con.close()
    # A freshly created file only records its migrations.
    return any(rows for table, rows in counts.items() if table != "schema_version")


def restore_database(
    directory: str | os.PathLike[str],
    target: str | os.PathLike[str],
    actor: Actor,
    *,
    force: bool = False,
) -> BackupSummary:
    """Restore a backup directory into the database file ``target``.

    Args:
        directory: a directory written by :func:`backup_database`.
        target: the database file to (re)create.
        actor: who restores; must be an admin.
        force: replace a target that already holds data.

    Raises:
        PermissionDeniedError: the actor is not an admin.
        RejectedInputError: not a backup, the target holds data and ``force`` is
            false, or the restored counts differ from the manifest.
        DatabaseBusyError: another process has the target open.
    """
    require(actor, "admin")
    manifest = read_manifest(directory)
    target_path = Path(target)
    if target_path.exists() and not force and _has_data(target_path):
        raise RejectedInputError(
            f"{target_path} already holds data; restore into a new file, or pass "
            "--force to replace it"
        )
    if target_path.exists():
        # Fails (DatabaseBusyError) while the app or a command has it open.
        store.connect(target_path, read_only=True).close()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    staging = target_path.with_name(target_path.name + ".restoring")
    for leftover in (staging, Path(f"{staging}.wal")):
        leftover.unlink(missing_ok=True)
    try:
        store.import_database_file(directory, staging)
        con = store.connect(staging, read_only=True)
        try:
            counts = store.catalog_row_counts(con)
            version = store.schema_version(con)
        finally:
            con.close()
        expected = {str(k): int(v) for k, v in manifest["counts"].items()}
        differing = sorted(t for t, n in expected.items() if counts.get(t) != n)
        if differing:
            raise RejectedInputError(
                f"the restored copy differs from the backup in {', '.join(differing)}; "
                "the target was not changed"
            )
        # A write-ahead log left by the old file would be replayed onto the new one.
        Path(f"{target_path}.wal").unlink(missing_ok=True)
        os.replace(staging, target_path)
    finally:
        staging.unlink(missing_ok=True)
        Path(f"{staging}.wal").unlink(missing_ok=True)
    return BackupSummary(
        directory=str(Path(directory).resolve()),
        database=str(target_path.resolve()),
        schema_version=version,
        counts=counts,
    )
