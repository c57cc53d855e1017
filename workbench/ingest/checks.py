"""Staging files in the write transaction and turning the store's checks into problems."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

from workbench import store, vocabulary
from workbench.domain import Problem
from workbench.ingest import sources, surveys
from workbench.ingest.model import DateOrder, ProgressCallback, RecognisedFile
from workbench.ingest.problems import (
    capped_problems,
    file_problem,
    header_for,
    make_problem,
    quoted,
    row_problems,
)
from workbench.ingest.proposal import stage_frame
from workbench.ingest.read import codec_name
from workbench.ingest.reporting_lines import reporting_problems


def file_problems(entry: RecognisedFile) -> list[Problem]:
    """Return what a recognised file lacks or leaves out: required columns, rows, columns."""
    problems: list[Problem] = []
    if entry.table is None:
        if entry.note:
            note = f"not imported: {entry.note}"
            problems.append(
                file_problem("warning", entry.name, note, "file_not_imported")
            )
        return problems
    if entry.source == "survey":
        return problems
    missing = sources.missing_required(entry.table, set(entry.mapping.values()))
    has = f"{', '.join(entry.headers[:15])}{'…' if len(entry.headers) > 15 else ''}"
    for group in missing:
        message = (
            f"missing required column for {entry.table}: {group} (the file has: {has})"
        )
        problems.append(file_problem("error", entry.name, message, "missing_column"))
    if entry.rows == 0:
        message = "the file has a header but no rows"
        problems.append(file_problem("warning", entry.name, message, "empty_file"))
    if entry.unmapped:
        shown = entry.unmapped[:25]
        more = len(entry.unmapped) - len(shown)
        message = (
            f"{len(entry.unmapped)} column(s) not imported (no workbench column): "
            + ", ".join(shown)
            + (f", … and {more} more" if more > 0 else "")
        )
        problems.append(
            file_problem("warning", entry.name, message, "columns_not_imported")
        )
    return problems


def stage_and_check(
    con: store.Connection,
    cur: store.Connection,
    importable: list[RecognisedFile],
    overwrite_edits: bool,
    date_order: DateOrder | None,
    say: ProgressCallback,
) -> list[Problem]:
    """Stage every file, build the tables and return every problem found."""
    store.import_begin(cur)
    by_table, files_by_name, survey_entries = _stage_files(cur, importable, say)
    tables = [t for t in store.IMPORT_ORDER if t in by_table]
    problems = _union_stages(cur, tables, by_table)
    say(0.6, "checking values")
    problems += _date_orders(cur, tables, date_order, files_by_name)
    store.import_drop_stages(cur, tables, [i for t in tables for i in by_table[t]])
    # Every check runs even after an error, so that one pass reports everything:
    # a value that does not parse builds as empty and its row is still checked.
    problems += _value_problems(cur, tables, files_by_name)
    say(0.7, "resolving references")
    store.import_build(cur, tables, overwrite_edits=overwrite_edits)
    store.import_drop_inputs(cur, tables)
    if survey_entries:
        problems += _stage_surveys(cur, survey_entries, tables)
        tables.append("nps_responses")
    problems += _record_problems(cur, tables, files_by_name)
    problems += _key_problems(cur, tables, files_by_name)
    return problems


def _stage_files(
    cur: store.Connection, importable: list[RecognisedFile], say: ProgressCallback
) -> tuple[dict[str, list[int]], dict[str, list[RecognisedFile]], list[RecognisedFile]]:
    """Stage each file as text; return the stages per table, files by name, surveys."""
    by_table: dict[str, list[int]] = {}
    files_by_name: dict[str, list[RecognisedFile]] = {}
    survey_entries: list[RecognisedFile] = []
    for index, entry in enumerate(importable):
        assert entry.table is not None
        files_by_name.setdefault(entry.name, []).append(entry)
        if entry.source == "survey":
            survey_entries.append(entry)
            continue
        say(0.3 + 0.3 * index / max(1, len(importable)), f"staging {entry.name}")
        if entry.frame is not None:
            store.import_stage_frame(cur, index, entry.table, stage_frame(entry))
        else:
            entry.rows = _stage_large(cur, index, entry)
        by_table.setdefault(entry.table, []).append(index)
    return by_table, files_by_name, survey_entries


def _union_stages(
    cur: store.Connection, tables: list[str], by_table: dict[str, list[int]]
) -> list[Problem]:
    """Union each table's stages; warn about rows the export marked as deleted."""
    problems: list[Problem] = []
    for table in tables:
        store.import_union(cur, table, by_table[table])
        for record in store.import_deleted_rows(cur, table).iter_rows(named=True):
            message = (
                f"{record['rows']:,} row(s) marked as deleted (IsDeleted) were not "
                "imported"
            )
            problems.append(
                file_problem("warning", record["_file"], message, "deleted_in_crm")
            )
    return problems


def _value_problems(
    cur: store.Connection,
    tables: list[str],
    files_by_name: dict[str, list[RecognisedFile]],
) -> list[Problem]:
    """Return unreadable values, unknown roles and skipped rows, per table."""
    problems: list[Problem] = []
    for table in tables:
        found = store.import_value_problems(cur, table)
        problems += capped_problems(
            found,
            files_by_name,
            table,
            lambda r: f"{quoted(r['value'])} {r['message']}",
            lambda r: "bad_value" if r["level"] == "error" else "unknown_value",
        )
    if "contacts" in tables:
        problems += capped_problems(
            store.import_role_problems(cur),
            files_by_name,
            "contacts",
            lambda r: f"{quoted(r['value'])} {r['message']}",
            "buying_role",
        )
    for table in tables:
        skipped = _as_problem_rows(
            store.import_skipped_rows(cur, table), "warning", "", pl.col("reason")
        )
        problems += capped_problems(
            skipped,
            files_by_name,
            table,
            lambda r: str(r["reason"]),
            lambda r: (
                "row_without_account"
                if "names no account" in str(r["reason"])
                else "row_without_key"
            ),
        )
    return problems


def _as_problem_rows(
    found: pl.DataFrame, level: str, column: str, message: pl.Expr
) -> pl.DataFrame:
    """Give a store frame of rows the level, column and message problems need."""
    return found.with_columns(
        pl.lit(level).alias("level"),
        pl.lit(column).alias("column"),
        message.alias("message"),
    )


def _record_problems(
    cur: store.Connection,
    tables: list[str],
    files_by_name: dict[str, list[RecognisedFile]],
) -> list[Problem]:
    """Return records without a name, records merged by name and accounts by name."""
    problems: list[Problem] = []
    for table in ("accounts", "contacts"):
        if table not in tables:
            continue
        nameless = _as_problem_rows(
            store.import_missing_required(cur, table), "error", "name", pl.lit("")
        )
        problems += capped_problems(
            nameless,
            files_by_name,
            table,
            lambda _r: "the record has no name (required)",
            "nameless_record",
        )
    problems += row_problems(
        store.import_merged_by_name(cur),
        "warning",
        lambda r: (
            f"{quoted(r['name'])} is the same {r['table'][:-1]} as "
            f"{r['into_id']} in {r['into_file']} (same name); kept once"
        ),
        "same_record_twice",
    )
    problems += row_problems(
        store.import_seller_notes(cur),
        "warning",
        lambda r: (
            f"seller {quoted(r['name'])} was named but not in the database "
            "or the import: created from the name"
        ),
        "created_from_name",
    )
    problems += row_problems(
        store.import_account_notes(cur),
        "warning",
        lambda r: (
            f"account {quoted(r['name'])} "
            + (
                "was not in the database or the import: created from its name"
                if r["how"] == "created"
                else f"matched the existing account {r['account_id']} by name"
            )
        ),
        lambda r: "created_from_name" if r["how"] == "created" else "matched_by_name",
    )
    return problems


def _key_problems(
    cur: store.Connection,
    tables: list[str],
    files_by_name: dict[str, list[RecognisedFile]],
) -> list[Problem]:
    """Return duplicate and colliding IDs, missing references and reporting lines."""
    problems: list[Problem] = []
    for table in tables:
        for record in store.import_duplicates(cur, table).iter_rows(named=True):
            places = ", ".join(
                f"{f} row {r}"
                for f, r in zip(record["files"], record["rows"], strict=False)
            )
            problems.append(
                make_problem(
                    "error",
                    record["files"][0],
                    record["rows"][0],
                    None,
                    f"duplicate ID {quoted(record['key'])} in {table}: {places}",
                    "duplicate_id",
                )
            )
        problems += row_problems(
            store.import_id_collisions(cur, table),
            "error",
            partial(_collision_message, table),
            "id_collision",
        )
    references = store.import_missing_references(cur, tables)
    if references.height:
        problems += capped_problems(
            references, files_by_name, "", reference_message, reference_code
        )
    names = store.import_unresolved_names(cur, tables)
    if names.height:
        problems += capped_problems(
            names, files_by_name, "", _name_message, "unmatched_name"
        )
    if "erp_revenue" in tables:
        problems += capped_problems(
            store.import_erp_unmatched(cur),
            files_by_name,
            "erp_revenue",
            lambda r: (
                f"customer {quoted(r['value'])} matches no account; the ERP "
                f"line was not imported{_rows_note(r)}"
            ),
            "erp_without_account",
        )
    if "contacts" in tables:
        problems += reporting_problems(cur)
    return problems


#: (table, action) of a dangling reference → its problem code.
_REFERENCE_CODES: dict[tuple[str, str], str] = {
    ("contacts", "drop"): "contact_without_account",
    ("opportunities", "drop"): "deal_without_account",
    ("contracts", "drop"): "contract_without_account",
    ("erp_revenue", "drop"): "erp_without_account",
    ("opportunity_contacts", "drop"): "link_side_missing",
    ("contact_influences", "drop"): "link_side_missing",
    ("contacts", "clear"): "manager_missing",
}


def _collision_message(table: str, record: dict[str, Any]) -> str:
    return (
        f"ID {quoted(record['key'])} already belongs to a {table} record "
        f"from {record['other_source']}"
    )


def reference_code(record: dict[str, Any]) -> str:
    """Return the code of a reference to a record neither stored nor imported."""
    return _REFERENCE_CODES.get(
        (record["table"], record.get("action") or "clear"), "missing_reference"
    )


def reference_message(record: dict[str, Any]) -> str:
    """Return the message for a reference to a record neither stored nor imported."""
    target = {
        "account_id": "an account",
        "parent_account_id": "a parent account",
        "owner_seller_id": "an owner (seller)",
        "seller_id": "a seller",
        "contact_id": "a person",
        "reports_to_id": "a manager",
        "opportunity_id": "a deal",
        "from_contact_id": "a person",
        "to_contact_id": "a person",
    }.get(record["column"], record["column"])
    consequence = {
        ("contacts", "drop"): "; the person was not imported",
        ("opportunities", "drop"): "; the deal was not imported",
        ("opportunity_contacts", "drop"): "; the link was not imported (orphan)",
        ("contact_influences", "drop"): "; the influence line was not imported",
        ("contracts", "drop"): "; the contract was not imported",
        ("erp_revenue", "drop"): "; the ERP line was not imported",
        ("contacts", "clear"): "; the reporting line was left out",
    }.get(
        (record["table"], record.get("action") or "clear"),
        "; left empty" if record["level"] == "warning" else "",
    )
    return (
        f"refers to {target} {quoted(record['value'])} that is neither in the import "
        f"nor in the database{consequence}{_rows_note(record)}"
    )


def _rows_note(record: dict[str, Any]) -> str:
    rows = int(record.get("rows") or 1)
    return f" ({rows:,} rows from this one)" if rows > 1 else ""


def _name_message(record: dict[str, Any]) -> str:
    what = {
        "parent_account_name": "parent account",
        "owner_seller_name": "seller",
        "seller_name": "seller",
        "contact_name": "person of this account",
        "reports_to_name": "person of the same account (reports-to must stay inside the account)",
    }.get(record["column"], record["column"])
    tail = "" if record["level"] == "error" else "; left empty"
    return f"{quoted(record['value'])} matches no {what}{tail}{_rows_note(record)}"


def _date_orders(
    cur: store.Connection,
    tables: list[str],
    date_order: DateOrder | None,
    files_by_name: dict[str, list[RecognisedFile]],
) -> list[Problem]:
    """Decide day-first or month-first per file and column; report what is ambiguous."""
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    for table in tables:
        for column in vocabulary.CANONICAL_COLUMNS[table]:
            if column not in vocabulary.DATE_COLUMNS:
                continue
            stats = store.import_slash_dates(cur, table, column)
            for record in stats.iter_rows(named=True):
                header = header_for(files_by_name, record["_file"], table, column)
                first, second = record["max_first"] or 0, record["max_second"] or 0
                order: str | None = None
                unclear: str | None = None
                if first > 12 and second > 12:
                    unclear = (
                        "mixes day-first (31/01/2024) and month-first (01/31/2024) "
                        "dates; fix the column"
                    )
                elif first > 12:
                    order = "dmy"
                elif second > 12:
                    order = "mdy"
                elif date_order:
                    order = date_order
                else:
                    unclear = (
                        f"{record['slash_values']:,} date(s) like 03/04/2024 could be "
                        "day-first or month-first (no part is above 12); choose the "
                        "date order (--date-order mdy|dmy)"
                    )
                if unclear:
                    problems.append(
                        make_problem(
                            "error",
                            record["_file"],
                            None,
                            header,
                            unclear,
                            "date_order",
                        )
                    )
                rows.append(
                    {"_file": record["_file"], "col": column, "date_order": order}
                )
    store.import_set_date_orders(
        cur,
        tables,
        pl.DataFrame(
            rows, schema={"_file": pl.String, "col": pl.String, "date_order": pl.String}
        ),
    )
    return problems


def column_positions(entry: RecognisedFile) -> dict[str, int]:
    """Canonical column → 0-based position of the file's column."""
    return {
        column: entry.headers.index(header) for header, column in entry.mapping.items()
    }


@contextmanager
def utf8_copy(entry: RecognisedFile) -> Iterator[Path]:
    """Yield the large file's path, transcoded to a temporary UTF-8 copy if needed."""
    if entry.path is None:
        raise ValueError(f"{entry.name} is not a large file")
    if entry.encoding in {"utf-8", "ascii"}:
        yield entry.path
        return
    handle, name = tempfile.mkstemp(suffix=".csv")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as target, entry.path.open("rb") as raw:
            reader = io.TextIOWrapper(
                raw, encoding=codec_name(entry.encoding), newline=""
            )
            for block in iter(lambda: reader.read(4 * 1024 * 1024), ""):
                target.write(block.encode("utf-8"))
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def _stage_large(cur: store.Connection, index: int, entry: RecognisedFile) -> int:
    """Stage a large CSV with DuckDB's reader, transcoding it to UTF-8 first if needed."""
    if entry.path is None or entry.table is None or entry.delimiter is None:
        raise ValueError(f"{entry.name} is not a large CSV file")
    with utf8_copy(entry) as path:
        return store.import_stage_csv(
            cur,
            index,
            entry.table,
            str(path),
            positions=column_positions(entry),
            n_columns=len(entry.headers),
            delimiter=entry.delimiter,
            file=entry.name,
            source=entry.source,
            kind=entry.kind,
        )


def _stage_surveys(
    cur: store.Connection, entries: list[RecognisedFile], tables: list[str]
) -> list[Problem]:
    """Read survey files with :mod:`workbench.ingest.surveys` and stage their responses."""
    problems: list[Problem] = []
    contacts, accounts = store.import_link_targets(cur, tables)
    responses: list[pl.DataFrame] = []
    for entry in entries:
        assert entry.frame is not None
        result = surveys.read_survey(entry.name, entry.frame, contacts, accounts)
        problems += result.problems
        if result.responses.height:
            responses.append(
                result.responses.with_columns(
                    pl.lit(entry.name).alias("_file"),
                    pl.lit(None, dtype=pl.Int64).alias("_row"),
                )
            )
    if responses:
        store.import_stage_responses(cur, pl.concat(responses, how="diagonal_relaxed"))
    else:
        store.import_stage_responses(
            cur,
            pl.DataFrame(
                schema={
                    "_file": pl.String,
                    "_row": pl.Int64,
                    "account_id": pl.String,
                    "contact_id": pl.String,
                    "responded_on": pl.Date,
                    "score": pl.Int64,
                    "comment": pl.String,
                    "source": pl.String,
                    "source_id": pl.String,
                }
            ),
        )
    return problems
