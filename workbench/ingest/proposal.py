"""Proposing files for import: read, recognise and describe them before anything is written."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl

from workbench import store, vocabulary
from workbench.domain import FILE_REFUSAL, Problem, Wording
from workbench.errors import RejectedInputError
from workbench.i18n import N_
from workbench.i18n import gettext as _
from workbench.ingest import (
    associations,
    currency,
    deal_stages,
    medium,
    sources,
    vendor_shapes,
)
from workbench.ingest.inputs import InputFile, collect, input_sha256
from workbench.ingest.mapping import large_table_file, recognise_table
from workbench.ingest.model import (
    ColumnMapping,
    ProgressCallback,
    RecognisedFile,
    header_signature,
    settle_digests,
)
from workbench.ingest.problems import file_problem, refusal_wording, worded
from workbench.ingest.read import (
    TableFile,
    read_table,
    safe_file_name,
)


def stage_frame(recognised: RecognisedFile) -> pl.DataFrame:
    """Return the file's rows in the staging layout: _row, _file, _source, _kind, canonical columns."""
    assert recognised.frame is not None
    assert recognised.table is not None
    frame = recognised.frame
    by_column = {column: header for header, column in recognised.mapping.items()}
    row = (
        pl.col("__source_row").cast(pl.Int64)  # a part of a report export
        if "__source_row" in frame.columns
        else pl.int_range(1, frame.height + 1, dtype=pl.Int64)
    )
    fallback_columns = vocabulary.ROW_FALLBACK_COLUMNS.get(recognised.table, ())

    def read(column: str) -> list[str]:
        # the mapped header, then those that fill its empty cells, in order
        return [by_column[column], *recognised.fallbacks.get(column, [])]

    def dated(column: str) -> bool:
        # a date column with fallbacks: a placeholder date lets the next fill
        return column in vocabulary.DATE_COLUMNS and column in recognised.fallbacks

    return frame.select(
        row.alias("_row"),
        pl.lit(recognised.name, dtype=pl.String).alias("_file"),
        pl.lit(recognised.source, dtype=pl.String).alias("_source"),
        pl.lit(recognised.kind, dtype=pl.String).alias("_kind"),
        *(
            _first_filled(read(column), dated(column)).alias(column)
            if column in by_column
            else pl.lit(None, dtype=pl.String).alias(column)
            for column in vocabulary.CANONICAL_COLUMNS[recognised.table]
        ),
        *(
            _filled_from(
                read(column) if column in by_column else [], dated(column)
            ).alias(store.filled_from(column))
            for column in fallback_columns
        ),
    )


# A read file's cells are trimmed, empty as NULL (ingest.read), as the store's
# CSV reader gives them: a header fills a row where its cell is not NULL.


def _meant(header: str) -> pl.Expr:
    """Return a date header's text, NULL where it is a date no CRM means.

    See :data:`workbench.vocabulary.PLACEHOLDER_DATE_PATTERN`; an ISO date of
    this century (``20yy-``) is not matched further (as the store's reader).
    """
    text = pl.col(header).cast(pl.String)
    this_century = text.str.starts_with("20") & (text.str.slice(4, 1) == "-")
    return (
        pl.when(~this_century & text.str.contains(vocabulary.PLACEHOLDER_DATE_PATTERN))
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(text)
    )


def _candidates(headers: list[str], dated: bool) -> list[pl.Expr]:
    """Return the headers' values in the order they fill a row.

    As :func:`workbench.store.imports.staging.read_column` reads them: a
    date's mapped header is passed over where it holds a date no CRM means,
    and read as written (a date to check) only where no other header holds one.
    """
    texts = [pl.col(h).cast(pl.String) for h in headers]
    return [_meant(headers[0]), *texts[1:], texts[0]] if dated else texts


def _first_filled(headers: list[str], dated: bool = False) -> pl.Expr:
    """Return the first of the headers' values that is not empty (:func:`_candidates`)."""
    return pl.coalesce(_candidates(headers, dated))


def _filled_from(headers: list[str], dated: bool = False) -> pl.Expr:
    """Return which of the headers filled a row: 0 for the first; NULL for none."""
    if not headers:  # the column is not mapped
        return pl.lit(None, dtype=pl.Int8)
    places = [*range(len(headers)), 0] if dated else [*range(len(headers))]
    return pl.coalesce(
        pl.when(value.is_not_null()).then(pl.lit(place, dtype=pl.Int8))
        for value, place in zip(_candidates(headers, dated), places, strict=True)
    ).cast(pl.Int8)


def propose_files(
    con: store.Connection,
    files: Sequence[tuple[str, bytes]] | Sequence[Path] | Sequence[str | Path],
    *,
    source: str = "auto",
    encoding: str | None = None,
    mappings: dict[str, ColumnMapping] | None = None,
    progress: ProgressCallback | None = None,
    spill_dir: Path | None = None,
    hasher: Executor | None = None,
) -> tuple[list[RecognisedFile], list[Problem]]:
    """Read files and propose where each goes, changing nothing.

    Uses mappings remembered for the same header when the user gives none.
    Each file's SHA-256 is computed by ``hasher``, beside the reading: given
    one and a ``spill_dir``, the files' digests may still be under way when
    this returns (their :attr:`~.RecognisedFile.sha256` waits), and the caller
    must wait for them (``hasher.shutdown()``) before removing ``spill_dir``;
    otherwise every digest is done on return.

    Returns:
        The recognised files (with their proposed mappings) and the problems of
        reading them (unreadable files are errors).
    """
    if spill_dir is None:
        # Proposals only need headers: large files are read from a scratch copy.
        with tempfile.TemporaryDirectory(prefix="workbench-propose-") as scratch:
            return propose_files(
                con,
                files,
                source=source,
                encoding=encoding,
                mappings=mappings,
                progress=progress,
                spill_dir=Path(scratch),
            )
    say = progress or (lambda _fraction, _message: None)
    problems: list[Problem] = []
    try:
        inputs = collect(files, spill_dir)
    except RejectedInputError as error:
        problems.append(
            file_problem(
                "error",
                first_file_name(files),
                refusal_wording(error),
                "unreadable_file",
            )
        )
        inputs = []
    if hasher is None:
        with ThreadPoolExecutor(max_workers=1) as own:
            proposed = _proposed(
                con, inputs, own, source, encoding, mappings, say, spill_dir, problems
            )
        settle_digests(proposed[0])
        return proposed
    return _proposed(
        con, inputs, hasher, source, encoding, mappings, say, spill_dir, problems
    )


def _proposed(
    con: store.Connection,
    inputs: list[InputFile],
    hasher: Executor,
    source: str,
    encoding: str | None,
    mappings: dict[str, ColumnMapping] | None,
    say: ProgressCallback,
    spill_dir: Path,
    problems: list[Problem],
) -> tuple[list[RecognisedFile], list[Problem]]:
    """Return :func:`propose_files`' result for the inputs collected."""
    # The files' fingerprints are computed beside the reading and, in an import,
    # beside its load: hashing releases the interpreter's lock, parsing text does
    # not, so the two overlap; a digest is waited for only where it is read (the
    # check of files imported already, the run's record).
    fingerprints = {id(item): hasher.submit(input_sha256, item) for item in inputs}
    medium_files = _MediumFiles(con, spill_dir, encoding)
    read, unreadable = _read_inputs(inputs, encoding, say, medium_files)
    recognised, problems = _recognise_inputs(
        con,
        read,
        fingerprints,
        source,
        mappings,
        [*problems, *unreadable],
        medium_files,
    )
    problems += vendor_shapes.first_of_several_ids(recognised)
    problems += associations.attach_associations(recognised)
    deal_stages.attach_deal_stages(recognised)
    vendor_shapes.engagement_durations(recognised)
    vendor_shapes.salesforce_related_accounts(recognised)
    vendor_shapes.home_currency_amounts(recognised)
    problems += currency.attach_rates(recognised)
    return recognised, problems


def _recognise_inputs(
    con: store.Connection,
    read: list[tuple[InputFile, TableFile]],
    fingerprints: dict[int, Future[str]],
    source: str,
    mappings: dict[str, ColumnMapping] | None,
    problems: list[Problem],
    medium_files: _MediumFiles,
) -> tuple[list[RecognisedFile], list[Problem]]:
    """Propose a table and mapping for each file read; return them and the problems."""
    recognised: list[RecognisedFile] = []
    read = medium_files.settle(read, source, problems)
    read = _whole_when_reshaped(
        read, source, medium_files.encoding, fingerprints, problems
    )
    # Files of one export share a source: a file that does not give itself away
    # (an association table, a users file) takes the others' source.
    detected = {
        item.name: sources.detect_source(list(t.frame.columns), t.sobject, item.name)
        for item, t in read
    }
    votes = [d for d in detected.values() if d != "generic"]
    common = max(set(votes), key=votes.count) if source == "auto" and votes else None
    for item, table_file in read:
        guessed = common is not None and detected[item.name] != common
        file_source = detected[item.name] if source == "auto" else source
        saved = store.saved_column_mapping(
            con, header_signature(table_file.frame.columns)
        )
        try:
            entries = recognise_table(
                item,
                table_file,
                fingerprints[id(item)],
                file_source,
                (mappings or {}).get(item.name),
                saved,
                guessed_source=guessed,
                common_source=common,
                allow_survey=source in {"auto", "survey"},
            )
        except RejectedInputError as error:
            problems.append(_unreadable(item.name, error))
            continue
        if item.data is None:
            problems += _read_when_staged(item, entries)
        medium_files.leave_rows_on_disk(item, entries)
        recognised += entries
    return recognised, problems


def _reshaped(
    item: InputFile, table: TableFile, source: str, every: list[list[str]]
) -> bool:
    """Return whether a file's rows must be in a frame: reshaped, or filled by an association.

    ``every``: the headers of every file of the import; the file's own source and
    the one chosen for the import are both asked.
    """
    headers = list(table.frame.columns)
    detected = sources.detect_source(headers, table.sobject, item.name)
    return medium.needs_frame(headers, detected, every) or medium.needs_frame(
        headers, source, every
    )


def _whole_when_reshaped(
    read: list[tuple[InputFile, TableFile]],
    source: str,
    encoding: str | None,
    fingerprints: dict[int, Future[str]],
    problems: list[Problem],
) -> list[tuple[InputFile, TableFile]]:
    """Read whole the large files whose rows a frame must reshape, as medium ones are.

    A large CSV file's rows stay on disk for DuckDB's reader, but an association
    table (HubSpot's deal and engagement companies, people and deals) fills the
    frames of the files it names, and a HubSpot file is reshaped in its frame:
    left on disk, a large engagement file silently kept none of its companies,
    and a large deals file was refused for want of an account column.
    """
    every = [list(t.frame.columns) for _item, t in read]
    settled: list[tuple[InputFile, TableFile]] = []
    for item, table in read:
        if (
            item.path is not None
            and item.data is None
            and _reshaped(item, table, source, every)
        ):
            whole = replace(item, data=item.path.read_bytes(), path=None)
            fingerprints[id(whole)] = fingerprints[id(item)]
            try:
                table = read_table(whole.name, whole.data or b"", encoding)
            except RejectedInputError as error:
                problems.append(_unreadable(item.name, error))
                continue
            item = whole
        settled.append((item, table))
    return settled


def _read_when_staged(item: InputFile, entries: list[RecognisedFile]) -> list[Problem]:
    """Mark a large file's entries to be read from its path when staged.

    Returns an error for a survey file this large that was not read whole (one
    recognised as a survey by a mapping alone: surveys are read in a frame; see
    :func:`_whole_when_reshaped` for the others).
    """
    problems: list[Problem] = []
    for entry in entries:
        entry.frame = None
        entry.path = item.path
        entry.rows = -1
        if entry.source == "survey":
            message = worded(
                N_("survey files this large are not supported; split the file")
            )
            problems.append(
                file_problem("error", item.name, message, "unreadable_file")
            )
    return problems


class _MediumFiles:
    """The medium CSV files of one proposal whose rows DuckDB's reader reads.

    Each is read for its header only (:func:`medium.header_only`), checked
    whole with DuckDB's reader, and written to the spill folder; after the
    files are recognised, one whose rows must be reshaped in a frame is read
    whole after all (:meth:`settle`).
    """

    def __init__(
        self, con: store.Connection, spill_dir: Path, encoding: str | None
    ) -> None:
        self.con, self.spill_dir, self.encoding = con, spill_dir, encoding
        self.on_disk: dict[int, tuple[Path, int]] = {}

    def header(self, item: InputFile) -> TableFile | None:
        """Return a plain medium file's header, its rows left on disk; else None."""
        if not medium.is_medium(item):
            return None
        table = medium.header_only(item, self.encoding)
        if table is None or table.delimiter is None:
            return None
        path = medium.spill(item, self.spill_dir)
        rows = store.import_csv_rows(
            self.con,
            str(path),
            n_columns=len(table.frame.columns),
            delimiter=table.delimiter,
        )
        if not rows:
            path.unlink()
            return None
        self.on_disk[id(item)] = (path, rows)
        return table

    def settle(
        self,
        read: list[tuple[InputFile, TableFile]],
        source: str,
        problems: list[Problem],
    ) -> list[tuple[InputFile, TableFile]]:
        """Read whole the medium files whose rows a frame must reshape."""
        if not self.on_disk:
            return read
        every = [list(t.frame.columns) for _item, t in read]
        settled: list[tuple[InputFile, TableFile]] = []
        for item, table in read:
            if id(item) in self.on_disk and (
                source == "survey" or _reshaped(item, table, source, every)
            ):
                self.on_disk.pop(id(item))[0].unlink()
                assert item.data is not None
                try:
                    table = read_table(item.name, item.data, self.encoding)
                except RejectedInputError as error:
                    problems.append(_unreadable(item.name, error))
                    continue
            settled.append((item, table))
        return settled

    def leave_rows_on_disk(
        self, item: InputFile, entries: list[RecognisedFile]
    ) -> None:
        """Point a medium file's entries at its copy on disk, with its row count."""
        if id(item) not in self.on_disk:
            return
        path, rows = self.on_disk[id(item)]
        for entry in entries:
            entry.frame, entry.path, entry.rows = None, path, rows


def _read_inputs(
    inputs: list[InputFile],
    encoding: str | None,
    say: ProgressCallback,
    medium_files: _MediumFiles,
) -> tuple[list[tuple[InputFile, TableFile]], list[Problem]]:
    """Read each input as a table; an unreadable one becomes an error, not a stop."""
    problems: list[Problem] = []
    read: list[tuple[InputFile, TableFile]] = []
    for number, item in enumerate(inputs):
        say(
            0.3 * number / max(1, len(inputs)),
            _("reading {file}").format(file=item.name),
        )
        try:
            if item.data is None:
                table = large_table_file(item, encoding)
            elif (header := medium_files.header(item)) is not None:
                table = header
            else:
                table = read_table(item.name, item.data, encoding)
            read.append((item, table))
            if table.warning:  # mojibake: imported, but the person should look
                problems.append(
                    file_problem(
                        "warning",
                        item.name,
                        table.garbled or _strip_name(item.name, table.warning),
                        "encoding",
                    )
                )
        except RejectedInputError as error:
            problems.append(_unreadable(item.name, error))
    return read, problems


def first_file_name(files: Sequence[Any]) -> str:
    """Return the first file's safe name, for problems that concern the whole upload."""
    if not files:
        return "(no files)"
    first = files[0]
    return safe_file_name(
        str(first[0] if isinstance(first, tuple) else Path(first).name)
    )


def _unreadable(name: str, error: RejectedInputError) -> Problem:
    """Return the error of a file that cannot be read, saying why.

    A refusal worded as ``name: reason`` keeps its reason worded, so that it reads
    in the reader's language.
    """
    wording = error.wording
    if isinstance(wording, Wording) and wording.template == FILE_REFUSAL:
        params = dict(wording.params)
        if params.get("file") == name:
            reason = params["reason"]
            if isinstance(reason, Wording | str):
                return file_problem("error", name, reason, "unreadable_file")
    return file_problem("error", name, _strip_name(name, str(error)), "unreadable_file")


def _strip_name(name: str, message: str) -> str:
    # Problems carry the file separately; keep the message readable on its own.
    prefix = f"{name}: "
    return message[len(prefix) :] if message.startswith(prefix) else message
