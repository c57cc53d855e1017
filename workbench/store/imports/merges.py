"""References to a record merged into another in its CRM, read as naming the survivor.

A CRM merge keeps one record and removes the other, moving the loser's deals,
people and activities to the survivor. An export holds what says so in one of
two ways: the loser's own row names the survivor (Salesforce's
``MasterRecordId``, Dynamics' ``masterid``: ``master_id``, the row is left out,
see :func:`merged_away`), or the survivor lists the IDs merged
into it (HubSpot's ``hs_merged_object_ids``, ``101;102``: ``merged_ids``). A
row of another file that still names the loser (files exported before and after
a merge, an association table synced late) was a reference to a missing
record: a person or a deal left out, an activity counted for nobody. Here it is
read as naming the survivor, in the staged rows before anything else reads
them, and each file says how many it moved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from workbench import vocabulary
from workbench.store._base import Connection, _frame

#: The columns naming an account or a person, per staged table: (column, the
#: table of the record it names).
MERGE_REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "accounts": (("parent_account_id", "accounts"),),
    "contacts": (("account_id", "accounts"), ("reports_to_id", "contacts")),
    "opportunities": (("account_id", "accounts"),),
    "activities": (("account_id", "accounts"), ("contact_id", "contacts")),
    "contracts": (("account_id", "accounts"),),
}
# Not moved: a deal–person or influence link (keyed by the two IDs it joins,
# moved it could state the survivor's own link a second time, which refuses
# the import), nor an ERP line (keyed by account and month). A link naming a
# loser is left out as a link whose side is missing, as before.

#: How many survivors of survivors are followed (A merged into B, B into C).
_CHAIN_STEPS = 3


def _stage(index: int) -> str:
    return f"_import_stage_{int(index)}"


def names_a_master(table: str, alias: str) -> str:
    """Return the SQL condition of a staged row whose ``master_id`` names another record.

    Whether that record is one the import or the database holds is
    :func:`merged_away`'s question; this one needs no map (a file built in
    place is staged when it holds such a row).
    """
    key = vocabulary.KEY_COLUMNS.get(table)
    if "master_id" not in vocabulary.CANONICAL_COLUMNS.get(table, ()) or key is None:
        return "false"
    return (
        f"({alias}.master_id IS NOT NULL "
        f"AND {alias}.master_id IS DISTINCT FROM {alias}.{key})"
    )


def merged_away(table: str, alias: str) -> str:
    """Return the SQL condition of a staged row merged into another record in its CRM.

    When two accounts or two people are merged, Salesforce deletes the loser and
    writes the survivor's ID in its ``MasterRecordId``; Dynamics deactivates it
    and writes it in its ``masterid`` (``master_id``). Its deals, people and
    activities were moved to the survivor: the loser is an empty duplicate, and
    imported it would be a second account or a second person of the same name.

    Only where the survivor is a record of the import or the database
    (``_import_known_ids``, :func:`import_merged_map`): a value naming none (a
    filler such as Dynamics' empty ``00000000-…`` GUID, a survivor the export
    left out) keeps the row, and the import says so (``merged_into_missing``).
    """
    named = names_a_master(table, alias)
    if named == "false":
        return named
    return (
        f"({named} AND {alias}.master_id IN "
        f"(SELECT id FROM _import_known_ids WHERE kind = '{table}'))"
    )


def import_merge_tables(cur: Connection) -> None:
    """Make the import's empty map of merged IDs and the IDs survivors are looked up in.

    Run as the import begins (:func:`workbench.store.import_begin`), so that
    every statement of it may read them; :func:`import_merged_map` fills them.
    """
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE _import_merged_ids "
        "(kind VARCHAR, old_id VARCHAR, master_id VARCHAR)"
    )
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE _import_known_ids (kind VARCHAR, id VARCHAR)"
    )


def _known_ids(cur: Connection, table: str, indexes: Sequence[int]) -> None:
    """Fill ``_import_known_ids`` with ``table``'s staged and stored IDs, if a row names a master."""
    key = vocabulary.KEY_COLUMNS[table]
    named = any(
        cur.execute(
            f"SELECT 1 FROM {_stage(i)} s WHERE {names_a_master(table, 's')} LIMIT 1"
        ).fetchall()
        for i in indexes
    )
    if not named:
        return  # the usual case: the column is there, and empty
    staged = " UNION ".join(
        f"SELECT {key} FROM {_stage(i)} WHERE {key} IS NOT NULL" for i in indexes
    )
    cur.execute(
        f"""
        INSERT INTO _import_known_ids
        SELECT '{table}', id FROM ({staged} UNION SELECT {key} FROM {table}) k(id)
        """
    )


def _merges_in_stage(table: str, index: int) -> list[str]:
    """Return the SELECTs of (kind, old_id, master_id) a stage of ``table`` gives."""
    columns = vocabulary.CANONICAL_COLUMNS[table]
    key = vocabulary.KEY_COLUMNS[table]
    found = []
    if "master_id" in columns:
        found.append(
            f"SELECT '{table}' AS kind, s.{key} AS old_id, s.master_id "
            f"FROM {_stage(index)} s WHERE {merged_away(table, 's')}"
        )
    if "merged_ids" in columns:
        found.append(
            f"SELECT '{table}' AS kind, trim(m.old_id) AS old_id, m.{key} AS master_id "
            f"FROM (SELECT s.{key}, unnest(string_split(s.merged_ids, ';')) AS old_id "
            f"FROM {_stage(index)} s WHERE s.merged_ids IS NOT NULL "
            f"AND s.{key} IS NOT NULL AND NOT s._deleted) m"
        )
    return found


def import_merged_map(cur: Connection, by_table: Mapping[str, Sequence[int]]) -> int:
    """Make ``_import_merged_ids`` (kind, old_id, master_id) from the staged rows.

    An ID a kept row of the import still holds is no loser (its row stands);
    a survivor that was merged in turn is followed to its own survivor. Returns
    the IDs mapped.
    """
    # filled afresh by every import that stages files: the one-pass load of
    # a large activity file asks it afterwards (import_merged_count)
    cur.execute("DELETE FROM _import_merged_ids")
    cur.execute("DELETE FROM _import_known_ids")
    for table in ("accounts", "contacts"):
        _known_ids(cur, table, by_table.get(table, ()))
    arms = [
        select
        for table in ("accounts", "contacts")
        for index in by_table.get(table, ())
        for select in _merges_in_stage(table, index)
    ]
    if not arms:
        return 0
    cur.execute(
        f"""
        INSERT INTO _import_merged_ids
        SELECT kind, old_id, min(master_id) AS master_id
        FROM ({" UNION ALL ".join(arms)})
        WHERE old_id IS NOT NULL AND old_id <> '' AND old_id <> master_id
        GROUP BY kind, old_id
        """
    )
    if not import_merged_count(cur):
        return 0  # the usual case: the columns are there, and empty
    kept = " UNION ALL ".join(
        f"SELECT '{table}' AS kind, s.{vocabulary.KEY_COLUMNS[table]} AS id "
        f"FROM {_stage(index)} s "
        f"WHERE NOT s._deleted AND NOT {merged_away(table, 's')}"
        for table in ("accounts", "contacts")
        for index in by_table.get(table, ())
    )
    cur.execute(
        f"DELETE FROM _import_merged_ids WHERE (kind, old_id) IN "
        f"(SELECT (kind, id) FROM ({kept}))"
    )
    for _ in range(_CHAIN_STEPS):
        cur.execute(
            """
            UPDATE _import_merged_ids m SET master_id = n.master_id
            FROM _import_merged_ids n
            WHERE n.kind = m.kind AND n.old_id = m.master_id
              AND n.master_id <> m.old_id
            """
        )
    return import_merged_count(cur)


def import_merged_count(cur: Connection) -> int:
    """Return how many IDs the import's :func:`import_merged_map` maps to a survivor."""
    rows = cur.execute("SELECT count(*) FROM _import_merged_ids").fetchall()
    return int(rows[0][0])


def import_redirect_merged(
    cur: Connection, by_table: Mapping[str, Sequence[int]]
) -> pl.DataFrame:
    """Point the staged rows naming a merged record at its survivor; return what moved.

    Run after :func:`import_merged_map`. Columns: ``_file``, ``table``,
    ``column``, ``rows``, ``example_old`` and ``example_new`` (one ID moved, and where to).
    """
    counted: list[pl.DataFrame] = []
    for table, references in MERGE_REFERENCES.items():
        for index in by_table.get(table, ()):
            # a row left out itself (deleted, merged) is neither moved nor
            # counted, nor is a row without its own ID: its key is made of
            # what it names, and moved it could be another row's twin
            key = vocabulary.KEY_COLUMNS[table]
            kept = (
                f"NOT s._deleted AND NOT {merged_away(table, 's')} "
                f"AND s.{key} IS NOT NULL"
            )
            for column, kind in references:
                # a parent or manager merged into the row itself stays a line
                # to a missing record (left out, as before), not one to itself
                not_itself = f" AND m.master_id <> s.{key}" if kind == table else ""
                matched = f"""
                    FROM _import_merged_ids m
                    WHERE m.kind = '{kind}' AND s.{column} = m.old_id AND {kept}{not_itself}"""
                counted.append(
                    _frame(
                        cur.sql(
                            f"""
                            SELECT s._file, '{table}' AS "table",
                                   '{column}' AS "column",
                                   count(*)::BIGINT AS rows,
                                   min(s.{column}) AS example_old,
                                   arg_min(m.master_id, s.{column}) AS example_new
                            FROM {_stage(index)} s
                            JOIN _import_merged_ids m
                              ON m.kind = '{kind}' AND s.{column} = m.old_id
                            WHERE {kept}{not_itself}
                            GROUP BY s._file
                            """
                        )
                    )
                )
                cur.execute(
                    f"UPDATE {_stage(index)} s SET {column} = m.master_id {matched}"
                )
    return _moved(counted)


def import_redirect_loaded(cur: Connection, run_id: int, file: str) -> pl.DataFrame:
    """Point the activities a one-pass load wrote naming a merged record at its survivor.

    :func:`import_redirect_merged` for the rows of ``activities`` the run
    ``run_id`` loaded from ``file`` (unstaged), run once the export's other
    files made the map and before the loaded rows' references are checked.
    """
    counted: list[pl.DataFrame] = []
    for column, kind in MERGE_REFERENCES["activities"]:
        params = {"run": run_id, "file": file, "kind": kind}
        counted.append(
            _frame(
                cur.sql(
                    f"""
                    SELECT $file::VARCHAR AS _file, 'activities' AS "table",
                           '{column}' AS "column", count(*)::BIGINT AS rows,
                           min(a.{column}) AS example_old,
                           arg_min(m.master_id, a.{column}) AS example_new
                    FROM activities a
                    JOIN _import_merged_ids m
                      ON m.kind = $kind AND a.{column} = m.old_id
                    WHERE a.import_run_id = $run
                    HAVING count(*) > 0
                    """,
                    params=params,
                )
            )
        )
        cur.execute(
            f"""
            UPDATE activities a SET {column} = m.master_id
            FROM _import_merged_ids m
            WHERE m.kind = $kind AND a.{column} = m.old_id AND a.import_run_id = $run
            """,
            {"run": run_id, "kind": kind},
        )
    return _moved(counted)


#: What :func:`import_redirect_merged` and :func:`import_redirect_loaded` return.
_MOVED_SCHEMA = {
    "_file": pl.String,
    "table": pl.String,
    "column": pl.String,
    "rows": pl.Int64,
    "example_old": pl.String,
    "example_new": pl.String,
}


def _moved(counted: list[pl.DataFrame]) -> pl.DataFrame:
    """Return the moves counted per file and column, in one frame (empty when none)."""
    frames = [pl.DataFrame(schema=_MOVED_SCHEMA), *(f for f in counted if f.height)]
    return pl.concat(frames).sort("_file", "column")
