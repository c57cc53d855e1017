"""The buying situation an import brings: account ratings the CRM holds.

Accounts files may rate the factors of the buying situation (see
``ingest.sources.situation``). The import writes them to ``account_situation``
with ``set_by`` ``import:<source>``; a rating a person set in the workbench is
never replaced by a file. The commit journals what it replaces so that undo
restores it.
"""

from __future__ import annotations

from workbench.domain import SITUATION_FACTORS
from workbench.store._base import Connection, _now

#: ``set_by`` of a rating an import wrote (followed by the source).
IMPORTED_BY = "import:"


def build_account_situation(cur: Connection, staged: set[str]) -> None:
    """Build ``_import_new_account_situation`` (account, factor, level) from accounts files."""
    # A temporary table lives as long as the connection: one left by an
    # earlier import must not be written again.
    cur.execute("DROP TABLE IF EXISTS _import_new_account_situation")
    if "accounts" not in staged:
        return
    arms = " UNION ALL ".join(
        f"SELECT n.account_id, n._source, '{factor}' AS factor, iv.influence AS level "
        f"FROM _import_in_accounts s "
        f"JOIN _import_new_accounts n ON n._file = s._file AND n._row = s._row "
        f"JOIN _import_influences iv ON iv.value = lower(s.{factor})"
        for factor in SITUATION_FACTORS
    )
    cur.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _import_new_account_situation AS
        SELECT account_id, factor, arg_max(level, _source) AS level,
               min(_source) AS _source
        FROM ({arms}) GROUP BY account_id, factor
        """
    )


def commit_account_situation(cur: Connection, run_id: int) -> int:
    """Write the import's ratings, never over a person's; journal them. Returns rows written."""
    exists = cur.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary "
        "AND table_name = '_import_new_account_situation'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    cur.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _import_situation_final AS
        SELECT n.* FROM _import_new_account_situation n
        LEFT JOIN account_situation e USING (account_id, factor)
        WHERE n.account_id IN (SELECT account_id FROM accounts)
          AND (e.account_id IS NULL OR starts_with(e.set_by, '{IMPORTED_BY}'))
        """
    )
    cur.execute(
        """
        INSERT INTO import_undo_rows
        SELECT $run, 'account_situation', f.account_id || '|' || f.factor,
               e.account_id IS NOT NULL,
               CASE WHEN e.account_id IS NOT NULL THEN to_json(e)::VARCHAR END
        FROM _import_situation_final f
        LEFT JOIN account_situation e USING (account_id, factor)
        """,
        {"run": run_id},
    )
    cur.execute(
        """
        DELETE FROM account_situation WHERE account_id || '|' || factor IN (
            SELECT account_id || '|' || factor FROM _import_situation_final)
        """
    )
    written = cur.execute(
        f"""
        INSERT INTO account_situation (account_id, factor, level, set_by, set_at)
        SELECT account_id, factor, level, '{IMPORTED_BY}' || _source, $at
        FROM _import_situation_final
        """,
        {"at": _now()},
    ).fetchall()
    cur.execute("DROP TABLE _import_situation_final")
    cur.execute("DROP TABLE _import_new_account_situation")
    return int(written[0][0]) if written else 0


def undo_account_situation(cur: Connection, run_id: int) -> int:
    """Restore the ratings an import run replaced and remove those it added."""
    touched = cur.execute(
        """
        DELETE FROM account_situation WHERE account_id || '|' || factor IN (
            SELECT row_key FROM import_undo_rows
            WHERE run_id = $run AND table_name = 'account_situation')
        """,
        {"run": run_id},
    ).fetchall()
    cur.execute(
        """
        INSERT INTO account_situation BY NAME
        SELECT unnest(from_json(row_json, '{"account_id": "VARCHAR", "factor": "VARCHAR",
            "level": "TINYINT", "set_by": "VARCHAR", "set_at": "TIMESTAMP"}'))
        FROM import_undo_rows
        WHERE run_id = $run AND table_name = 'account_situation' AND existed
        """,
        {"run": run_id},
    )
    return int(touched[0][0]) if touched else 0
