"""Staging files in the write transaction and turning the store's checks into problems."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl

from workbench import store, vocabulary
from workbench.domain import Problem, Wording
from workbench.i18n import N_
from workbench.i18n import gettext as _
from workbench.ingest import inputs, sources, surveys
from workbench.ingest.currency import currency_problems
from workbench.ingest.messages import (
    RECORD_NOUNS,
    UNDATED,
    account_via_problems,
    collision_message,
    filled_problems,
    merged_reference_problems,
    name_message,
    open_stage_problem,
    reference_code,
    reference_message,
    rows_left_out_problem,
    rows_note,
    value_message,
)
from workbench.ingest.model import DateOrder, ProgressCallback, RecognisedFile
from workbench.ingest.problems import (
    capped_problems,
    file_problem,
    header_for,
    joined,
    make_problem,
    quoted,
    row_problems,
    said_whole,
    worded,
)
from workbench.ingest.proposal import stage_frame
from workbench.ingest.read import codec_name
from workbench.ingest.reporting_lines import reporting_problems

# The pipeline finds the reference sentences here, beside the checks that use them.
__all__ = [
    "column_positions",
    "file_problems",
    "read_in_parallel",
    "reference_code",
    "reference_message",
    "stage_and_check",
    "utf8_copy",
]


def file_problems(entry: RecognisedFile) -> list[Problem]:
    """Return what a recognised file lacks or leaves out: required columns, rows, columns."""
    problems: list[Problem] = []
    if entry.table is None:
        if entry.note:
            reason = (
                entry.note
                if isinstance(entry.note, Wording)
                else said_whole(entry.note)
            )
            note = worded(N_("not imported: {reason}"), reason=reason)
            problems.append(
                file_problem("warning", entry.name, note, "file_not_imported")
            )
        return problems
    if entry.source == "survey":
        return problems
    missing = sources.missing_required(entry.table, set(entry.mapping.values()))
    has = f"{', '.join(entry.headers[:15])}{'…' if len(entry.headers) > 15 else ''}"
    for group in missing:
        message = worded(
            N_("missing required column for {table}: {columns} (the file has: {has})"),
            table=entry.table,
            columns=group,
            has=has,
        )
        problems.append(file_problem("error", entry.name, message, "missing_column"))
    if entry.rows == 0:
        empty = worded(N_("the file has a header but no rows"))
        problems.append(file_problem("warning", entry.name, empty, "empty_file"))
    if entry.unmapped:
        shown = entry.unmapped[:25]
        more = len(entry.unmapped) - len(shown)
        ignored = worded(
            N_("{count} column(s) not imported (no workbench column): {columns}"),
            count=len(entry.unmapped),
            columns=joined(
                [", ".join(shown)]
                + ([worded(N_(", … and {count} more"), count=more)] if more else [])
            ),
        )
        problems.append(
            file_problem("warning", entry.name, ignored, "columns_not_imported")
        )
    return problems


class _Staged(NamedTuple):
    """One import's staged tables as its checks see them, and its files by name."""

    cur: store.Connection
    tables: list[str]
    files_by_name: dict[str, list[RecognisedFile]]

    def capped(
        self,
        found: pl.DataFrame,
        table: str,
        describe: Callable[[dict[str, Any]], Wording],
        code: str | Callable[[dict[str, Any]], str],
    ) -> list[Problem]:
        """Turn a store frame of capped problem rows into problems (see capped_problems)."""
        return capped_problems(found, self.files_by_name, table, describe, code)


def stage_and_check(
    con: store.Connection,
    cur: store.Connection,
    importable: list[RecognisedFile],
    overwrite_edits: bool,
    date_order: DateOrder | None,
    say: ProgressCallback,
    in_place: dict[str, RecognisedFile] | None = None,
) -> list[Problem]:
    """Stage every file, build the tables and return every problem found.

    ``in_place``: per table, a file its build reads in place instead of a
    stage (see :mod:`workbench.store.imports.direct_build`); a row there that
    the staged path would act on raises ``store.NotDirect``.
    """
    store.import_begin(cur)
    in_place = in_place or {}
    built_in_place = {id(entry) for entry in in_place.values()}
    by_table, files_by_name, survey_entries = _stage_files(
        cur, [r for r in importable if id(r) not in built_in_place], say
    )
    csvs = {}
    for table, entry in in_place.items():
        if entry.path is None:  # only a file on disk is read in place
            raise ValueError(f"{entry.name} is not a file on disk")
        files_by_name.setdefault(entry.name, []).append(entry)
        csvs[table] = large_csv(entry, entry.path)
        store.import_direct_stage(cur, table, csvs[table])
    tables = [t for t in store.IMPORT_ORDER if t in by_table or t in in_place]
    problems = []
    # (a file read in place that names a merged record is staged after all:
    # its build marks the row, see store.imports.direct_build)
    if store.import_merged_map(cur, by_table):
        moved = store.import_redirect_merged(cur, by_table)
        problems += merged_reference_problems(moved, files_by_name)
    problems += _union_stages(cur, [t for t in tables if t in by_table], by_table)
    say(0.6, _("checking values"))
    staged = _Staged(cur, tables, files_by_name)
    problems += _date_orders(staged, date_order)
    if "opportunities" in tables:  # dated rates read the deals' close dates
        problems += currency_problems(
            cur, importable, csvs.get("opportunities"), files_by_name
        )
    store.import_drop_stages(cur, tables, [i for t in by_table for i in by_table[t]])
    # Every check runs even after an error, so that one pass reports everything:
    # a value that does not parse builds as empty and its row is still checked.
    problems += _value_problems(staged)
    say(0.7, _("resolving references"))
    built = store.import_build(
        cur, tables, overwrite_edits=overwrite_edits, in_place=csvs
    )
    for table, entry in in_place.items():
        entry.rows = built[table]
    store.import_drop_inputs(cur, tables)
    if survey_entries:
        problems += _stage_surveys(cur, survey_entries, tables)
        tables.append("nps_responses")
    problems += _record_problems(staged)
    problems += _key_problems(staged)
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
        say(
            0.3 + 0.3 * index / max(1, len(importable)),
            _("staging {file}").format(file=entry.name),
        )
        if entry.frame is not None:
            store.import_stage_frame(cur, index, entry.table, stage_frame(entry))
        else:
            entry.rows = _stage_large(cur, index, entry)
        by_table.setdefault(entry.table, []).append(index)
    return by_table, files_by_name, survey_entries


def _union_stages(
    cur: store.Connection, tables: list[str], by_table: dict[str, list[int]]
) -> list[Problem]:
    """Union each table's stages; warn about rows deleted or not done in the CRM."""
    problems: list[Problem] = []
    for table in tables:
        store.import_union(cur, table, by_table[table])
        for code, counted in (
            ("deleted_in_crm", store.import_deleted_rows),
            ("merged_in_crm", store.import_merged_rows),
            ("merged_into_missing", store.import_master_missing_rows),
            ("not_done_in_crm", store.import_not_done_rows),
            ("one_to_many", store.import_one_to_many_rows),
            ("recurring_series", store.import_series_rows),
        ):
            for record in counted(cur, table).iter_rows(named=True):
                problems.append(
                    rows_left_out_problem(code, record["_file"], record["rows"])
                )
        for record in store.import_open_stage_rows(cur, table).iter_rows(named=True):
            problems.append(
                open_stage_problem(record["_file"], record["rows"], record["stages"])
            )
    return problems


def _value_problems(staged: _Staged) -> list[Problem]:
    """Return unreadable values, unknown roles and skipped rows, per table."""
    cur, tables = staged.cur, staged.tables
    problems: list[Problem] = []
    for table in tables:
        found = store.import_value_problems(cur, table)
        if found.height and "currency" in vocabulary.CANONICAL_COLUMNS.get(table, ()):
            found = found.with_columns(portfolio=pl.lit(store.import_currency(cur)))
        problems += staged.capped(found, table, value_message, _value_code)
    if "contacts" in tables:
        roles = store.import_role_problems(cur)
        problems += staged.capped(roles, "contacts", value_message, "buying_role")
    for table in tables:
        skipped = store.import_skipped_rows(cur, table)
        problems += staged.capped(
            _as_problem_rows(skipped, "warning", "", pl.col("reason")),
            table,
            lambda r: said_whole(str(r["reason"])),
            _skipped_code,
        )
        filled = store.import_filled_rows(cur, table)
        problems += filled_problems(filled, staged.files_by_name, table)
    if "activities" in tables:
        undated = store.import_undated_rows(cur)
        problems += staged.capped(
            _as_problem_rows(undated, "warning", "activity_date", pl.lit("")),
            "activities",
            lambda _r: worded(UNDATED),
            "undated_activity",
        )
    return problems


def _value_code(record: dict[str, Any]) -> str:
    if record["level"] == "error":
        return "bad_value"
    return {
        store.UNLIKELY_DATE: "unlikely_date",
        store.SECONDS_AS_MILLISECONDS: "date_in_seconds",
        store.LONG_ACTIVITY: "long_activity",
        store.ALL_DAY_EVENT: "all_day_event",
        store.OTHER_CURRENCY: "other_currency",
    }.get(record["message"], "unknown_value")


def _skipped_code(record: dict[str, Any]) -> str:
    if "names no account" in str(record["reason"]):
        return "row_without_account"
    return "row_without_key"


def _as_problem_rows(
    found: pl.DataFrame, level: str, column: str, message: pl.Expr
) -> pl.DataFrame:
    """Give a store frame of rows the level, column and message problems need."""
    return found.with_columns(
        pl.lit(level).alias("level"),
        pl.lit(column).alias("column"),
        message.alias("message"),
    )


def _record_problems(staged: _Staged) -> list[Problem]:
    """Return records without a name, records merged by name and accounts by name."""
    cur, tables = staged.cur, staged.tables
    problems: list[Problem] = []
    for table in ("accounts", "contacts"):
        if table not in tables:
            continue
        nameless = store.import_missing_required(cur, table)
        problems += staged.capped(
            _as_problem_rows(nameless, "error", "name", pl.lit("")),
            table,
            lambda _r: worded(N_("the record has no name (required)")),
            "nameless_record",
        )
    problems += row_problems(
        store.import_merged_by_name(cur),
        "warning",
        lambda r: worded(
            N_("{name} is the same {record} as {id} in {file} (same name); kept once"),
            name=quoted(r["name"]),
            record=worded(RECORD_NOUNS.get(r["table"], r["table"])),
            id=r["into_id"],
            file=r["into_file"],
        ),
        "same_record_twice",
    )
    problems += row_problems(
        store.import_seller_notes(cur),
        "warning",
        lambda r: worded(
            N_(
                "seller {name} was named but not in the database or the import: "
                "created from the name"
            ),
            name=quoted(r["name"]),
        ),
        "created_from_name",
    )
    problems += row_problems(
        store.import_account_notes(cur),
        "warning",
        lambda r: (
            worded(
                N_(
                    "account {name} was not in the database or the import: "
                    "created from its name"
                ),
                name=quoted(r["name"]),
            )
            if r["how"] == "created"
            else worded(
                N_("account {name} matched the existing account {id} by name"),
                name=quoted(r["name"]),
                id=r["account_id"],
            )
        ),
        lambda r: "created_from_name" if r["how"] == "created" else "matched_by_name",
    )
    return problems


def _key_problems(staged: _Staged) -> list[Problem]:
    """Return duplicate and colliding IDs, missing references and reporting lines."""
    cur, tables = staged.cur, staged.tables
    problems: list[Problem] = []
    for table in tables:
        for record in store.import_duplicates(cur, table).iter_rows(named=True):
            places = joined(
                [
                    worded(N_("{file} row {row}"), file=f, row=r)
                    for f, r in zip(record["files"], record["rows"], strict=False)
                ],
                ", ",
            )
            problems.append(
                make_problem(
                    "error",
                    record["files"][0],
                    record["rows"][0],
                    None,
                    worded(
                        N_("duplicate ID {id} in {table}: {places}"),
                        id=quoted(record["key"]),
                        table=table,
                        places=places,
                    ),
                    "duplicate_id",
                )
            )
        problems += row_problems(
            store.import_id_collisions(cur, table),
            "error",
            partial(collision_message, table),
            "id_collision",
        )
    if "activities" in tables:
        problems += account_via_problems(store.import_account_via(cur))
    references = store.import_missing_references(cur, tables)
    if references.height:
        problems += staged.capped(references, "", reference_message, reference_code)
    names = store.import_unresolved_names(cur, tables)
    if names.height:
        problems += staged.capped(names, "", name_message, "unmatched_name")
    if "erp_revenue" in tables:
        problems += staged.capped(
            store.import_erp_unmatched(cur),
            "erp_revenue",
            lambda r: worded(
                N_(
                    "customer {value} matches no account; the ERP line was not "
                    "imported{rows}"
                ),
                value=quoted(r["value"]),
                rows=rows_note(r),
            ),
            "erp_without_account",
        )
    if "contacts" in tables:
        problems += reporting_problems(cur)
    return problems


def _date_orders(staged: _Staged, date_order: DateOrder | None) -> list[Problem]:
    """Decide day-first or month-first per file and column; report what is ambiguous."""
    cur, tables, files_by_name = staged
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
                unclear: Wording | None = None
                if first > 12 and second > 12:
                    unclear = worded(
                        N_(
                            "mixes day-first (31/01/2024) and month-first "
                            "(01/31/2024) dates; fix the column"
                        )
                    )
                elif first > 12:
                    order = "dmy"
                elif second > 12:
                    order = "mdy"
                elif date_order:
                    order = date_order
                else:
                    unclear = worded(
                        N_(
                            "{count} date(s) like 03/04/2024 could be day-first or "
                            "month-first (no part is above 12); choose the date "
                            "order (--date-order mdy|dmy)"
                        ),
                        count=f"{record['slash_values']:,}",
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
        return store.import_stage_csv(cur, index, entry.table, large_csv(entry, path))


def large_csv(entry: RecognisedFile, path: Path) -> store.LargeCsv:
    """Return how the store's CSV reader reads a file on disk at ``path`` (UTF-8)."""
    assert entry.delimiter is not None
    return store.LargeCsv(
        path=str(path),
        positions=column_positions(entry),
        fallbacks={
            column: tuple(entry.headers.index(h) for h in others)
            for column, others in entry.fallbacks.items()
        },
        n_columns=len(entry.headers),
        delimiter=entry.delimiter,
        file=entry.name,
        source=entry.source,
        kind=entry.kind,
        parallel=read_in_parallel(entry),
    )


def read_in_parallel(entry: RecognisedFile) -> bool:
    """Return whether DuckDB reads a file on disk with several threads (a large one).

    A medium file (see :mod:`workbench.ingest.medium`) is read in one thread:
    the parallel reader refuses quoted line breaks while it pads short rows.
    """
    assert entry.path is not None
    return entry.path.stat().st_size > inputs.LARGE_FILE_BYTES


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
