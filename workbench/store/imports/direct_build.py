"""People and deals built straight from their CSV file, without a text stage.

In a whole export's one-pass import (see :mod:`workbench.ingest.direct`) the
contacts' and deals' files were staged as text, checked by several scans of
the stage and parsed again by the build: about a third of the time the export
took beside its activities. Here the build's own statement reads the file in
place (:func:`direct_source`), and every row the staged path would have
something to say or do about before the build (a deleted row, a value that
does not parse, a slash date whose order is to be chosen, an unknown or
multiple buying role, a row without an account ID whose name is looked up, an
owner named by name, a person without an ID) is marked. Only when no row is marked does the build
stand (:func:`direct_built`): the staged checks then find nothing in the
empty stage (:func:`import_direct_stage`), and what the build does after its
first statement (merges, managers, edits that win, the checks of duplicates,
references and reporting lines) runs on the built rows as on the staged path.
A marked row raises :class:`NotDirect` and the caller stages the file, which
reports each problem with its row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from workbench import vocabulary
from workbench.store._base import Connection
from workbench.store.imports.currency import currency_code, has_rate
from workbench.store.imports.deal_state import read_as_open
from workbench.store.imports.merges import MERGE_REFERENCES, names_a_master
from workbench.store.imports.staging import (
    _CSV_READER,
    LargeCsv,
    _import_columns,
    _reader_refused,
    _reject_ragged,
    filled_from,
    staged_columns,
)
from workbench.store.imports.value_rules import value_checks

#: Tables whose file the one-pass import builds in place.
DIRECT_BUILD_TABLES = frozenset({"contacts", "opportunities"})

#: What the staged path would act on before the build, per table, over ``s``.
_NAMES_LOOKED_UP = {
    # a person without an ID is keyed by name (and, with no name, left out)
    "contacts": ("s.account_id IS NULL", "s.contact_id IS NULL"),
    "opportunities": (
        "s.account_id IS NULL",
        "(s.owner_seller_id IS NULL AND s.owner_seller_name IS NOT NULL)",
    ),
}
# One role the vocabulary knows is what the staged role check passes silently;
# several roles in a cell, or an unknown one, it reports.
_ROLE_REPORTED = (
    "(s.buying_role IS NOT NULL AND (contains(s.buying_role, ';') "
    "OR lower(trim(s.buying_role)) NOT IN (SELECT value FROM _import_roles)))"
)


#: Tables built from their file in place, and the rows each build found there.
Direct = tuple[Mapping[str, LargeCsv], dict[str, int]]


@dataclass(frozen=True)
class BuildSource:
    """Where a table's first build statement reads its rows, and what it keeps.

    Built over the stage, the statement reads ``_import_in_{table}`` and keeps
    no mark. Built in place, it reads the file (:func:`direct_source`) and also
    keeps the rows marked by ``_direct_flag``, selected as a column
    (``marks``) and kept whatever else the statement leaves out (``kept``),
    for the check that none is (:func:`direct_built`).
    """

    relation: str
    #: the column list's tail: the mark, selected (empty over the stage)
    marks: str = ""
    #: the filter's tail: a marked row kept (empty over the stage)
    kept: str = ""
    #: the columns the rows can hold a value in (None over the stage: any);
    #: a statement may write the others as NULL rather than parse them
    held: frozenset[str] | None = None

    def may_hold(self, column: str) -> bool:
        """Return whether ``column`` can hold a value in the rows read."""
        return self.held is None or column in self.held


def first_build(
    cur: Connection,
    table: str,
    statement: Callable[[BuildSource], str],
    direct: Direct,
) -> None:
    """Run a table's first build statement over its stage, or over its file in place.

    ``statement`` returns the SQL that reads from a :class:`BuildSource`.
    """
    files, rows = direct
    if table not in files:
        cur.execute(statement(BuildSource(f"_import_in_{table}")))
        return
    source, params = direct_source(table, files[table])
    in_place = BuildSource(
        source,
        ", k._direct_flag",
        " OR k._direct_flag",
        frozenset(files[table].positions),
    )
    rows[table] = direct_built(
        cur, table, statement(in_place), params, files[table].file
    )


class NotDirect(Exception):
    """A file the one-pass build does not take: stage it, which reports each row."""


def import_direct_stage(cur: Connection, table: str, csv: LargeCsv) -> None:
    """Stand in for a directly built table's stage: empty, as its checks then find nothing.

    Also refuses the file as staging it would (rows longer than the header).
    """
    if table not in DIRECT_BUILD_TABLES:
        raise ValueError(f"{table} is not built from its file directly")
    _reject_ragged(cur, csv.reader_params(), csv.n_columns, csv.file)
    columns = ", ".join(
        [
            *(f"NULL::VARCHAR AS {c}" for c in _import_columns(table)),
            *(
                f"NULL::TINYINT AS {filled_from(c)}"
                for c in vocabulary.ROW_FALLBACK_COLUMNS.get(table, ())
            ),
        ]
    )
    cur.execute(
        f"CREATE OR REPLACE TEMP VIEW _import_all_{table} AS "
        "SELECT NULL::BIGINT AS _row, NULL::VARCHAR AS _file, NULL::VARCHAR AS _source, "
        f"NULL::VARCHAR AS _kind, {columns}, false AS _deleted WHERE false"
    )
    cur.execute(
        f"CREATE OR REPLACE TEMP VIEW _import_in_{table} AS "
        f"SELECT * FROM _import_all_{table} WHERE NOT _deleted"
    )


def direct_source(table: str, csv: LargeCsv) -> tuple[str, dict[str, Any]]:
    """Return the file's rows as the build reads a stage, with ``_direct_flag``; and params.

    The columns are the stage's (the file's text, trimmed, empty as NULL; the
    row number; the file, source and kind; no date order, as a file without
    slash dates has none), and ``_direct_flag`` marks a row the staged path
    would act on before the build.
    """
    columns = _import_columns(table)
    raw, deleted = staged_columns(csv, table)
    dates = [c for c in columns if c in vocabulary.DATE_COLUMNS]
    orders = "".join(f", NULL::VARCHAR AS _order_{c}" for c in dates)
    # A column the file does not hold is NULL on every row: no mark reads it.
    # Left in, the value checks of a deal's seven unmapped amounts and dates
    # and the currency's look-ups cost binding and planning (about a third of
    # the deals' statement) and scans of the rates for nothing.
    held = csv.positions
    marks = [
        "s._deleted",
        # a record naming one it was merged into: the staged path looks the
        # survivor up and counts the row per file
        *((names_a_master(table, "s"),) if "master_id" in held else ()),
        # the IDs merged into a record: the staged path maps them first
        *(("s.merged_ids IS NOT NULL",) if "merged_ids" in held else ()),
        # a reference to a record merged into another: the staged path moves
        # it to the survivor (the import's map, made before any build)
        *(
            f"s.{column} IN (SELECT old_id FROM _import_merged_ids WHERE kind = '{kind}')"
            for column, kind in MERGE_REFERENCES.get(table, ())
            if column in held
        ),
        *(
            f"(s.{column} IS NOT NULL AND {condition})"
            for column, _level, condition, _message in value_checks(table)
            if column in held
        ),
        *(f"contains(s.{c}, '/')" for c in dates if c in held),
        # a deal the rates convert: the staged path counts them per file
        *(
            (
                f"({has_rate(currency_code('s.currency'))} AND "
                f"{currency_code('s.currency')} <> (SELECT code FROM _import_currency))",
            )
            if table == "opportunities" and "currency" in held
            else ()
        ),
        # a value another header filled: the staged path counts them per file
        *(
            f"coalesce(s.{filled_from(c)}, 0) > 0"
            for c in vocabulary.ROW_FALLBACK_COLUMNS.get(table, ())
            if csv.fallbacks.get(c)
        ),
        # a deal read as open for want of a flag: the staged path names them
        *(
            (read_as_open("s"),)
            if table == "opportunities"
            and not {"is_won", "is_closed", "state_code"} & set(held)
            else ()
        ),
        *_NAMES_LOOKED_UP[table],
        *((_ROLE_REPORTED,) if table == "contacts" else ()),
    ]
    relation = f"""(
        SELECT s.*, ({" OR ".join(marks)}) AS _direct_flag FROM (
            SELECT row_number() OVER () AS _row, $file::VARCHAR AS _file,
                   $source::VARCHAR AS _source, $kind::VARCHAR AS _kind, {raw},
                   {deleted} AS _deleted{orders}
            FROM {_CSV_READER}) s)"""
    params = {
        **csv.reader_params(),
        "file": csv.file,
        "source": csv.source,
        "kind": csv.kind,
    }
    return relation, params


def direct_built(
    cur: Connection, table: str, statement: str, params: dict[str, Any], file: str
) -> int:
    """Run a build's first statement over the file in place; return the rows built.

    The statement keeps the marked rows (``_direct_flag``); when there is one,
    :class:`NotDirect` is raised, else the mark's column is dropped.

    Raises:
        NotDirect: a row the staged path would act on (it then reports it).
        RejectedInputError: the CSV reader refused the file.
    """
    try:
        cur.execute(statement, params)
    except duckdb.OutOfMemoryException:
        raise  # not the file's fault: the import says so (ingest.pipeline)
    except duckdb.Error as error:
        raise _reader_refused(file, error) from error
    rows, marked = cur.execute(
        f"SELECT count(*), count(*) FILTER (WHERE _direct_flag) FROM _import_new_{table}"
    ).fetchall()[0]
    if marked:
        raise NotDirect(table)
    cur.execute(f"ALTER TABLE _import_new_{table} DROP COLUMN _direct_flag")
    return int(rows)
