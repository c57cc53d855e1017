"""Applying the migrations of :mod:`.schema` to a file, in order, once each."""

from __future__ import annotations

from workbench.store._base import _WRITE_LOCK, Connection, _now, _table_exists
from workbench.store.schema import MIGRATIONS


def schema_version(con: Connection) -> int:
    """Return the highest migration applied to this database (0 for a new file)."""
    if not _table_exists(con, "schema_version"):
        return 0
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()
    return int(row[0][0])


def migrate(con: Connection, *, target: int | None = None) -> list[int]:
    """Apply every migration not yet recorded, in order, each in its own transaction.

    Args:
        con: an open, writable connection.
        target: stop after this version (tests use it to build an older file).

    Returns:
        The versions applied now.
    """
    with _WRITE_LOCK:
        con.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_version (
                version INTEGER PRIMARY KEY,
                description VARCHAR NOT NULL,
                applied_at TIMESTAMP NOT NULL
            )
            """
        )
        done = {
            int(r[0])
            for r in con.execute("SELECT version FROM schema_version").fetchall()
        }
        applied: list[int] = []
        for migration in sorted(MIGRATIONS, key=lambda m: m.version):
            if migration.version in done:
                continue
            if target is not None and migration.version > target:
                break
            con.execute("BEGIN TRANSACTION")
            try:
                for statement in migration.statements:
                    con.execute(statement)
                con.execute(
                    "INSERT INTO schema_version VALUES ($v, $d, $t)",
                    {"v": migration.version, "d": migration.description, "t": _now()},
                )
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
            applied.append(migration.version)
        return applied
