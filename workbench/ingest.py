"""Reading and importing CRM export files.

The reading half is pure: bytes in, all-text polars frames and problems out. It
decodes (UTF-8 first, then a guess among GB18030, Big5 and Windows-1252, or the
encoding the user names), sniffs delimiters, reads CSV/TSV, Excel, Parquet and
Salesforce CLI JSON trees, recognises the CRM and table of each file
(:mod:`workbench.sources`), and turns every unreadable input into a
:class:`~workbench.errors.RejectedInputError` with a message a person can act on.

:func:`import_files` drives the import: it hands the recognised files to
:mod:`workbench.store`, which stages, parses, checks and upserts them in one write
transaction (this module holds no SQL). Errors reject the whole import; warnings
are imported and reported.
"""

from __future__ import annotations

import csv
import hashlib
import importlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from types import ModuleType
from typing import Any, Literal

import networkx as nx
import polars as pl
from charset_normalizer import from_bytes

from workbench import sources as _sources
from workbench import store, vocabulary
from workbench.access import require
from workbench.domain import Actor, Problem
from workbench.errors import RejectedInputError
from workbench.sources import normalise_header

#: Largest single file accepted, in bytes (uploads are limited by Streamlit too).
MAX_FILE_BYTES = 1024 * 1024 * 1024
#: Largest total of the files inside one zip archive, in bytes (zip bombs).
MAX_ZIP_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
#: Delimiters tried when sniffing, most common first.
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
#: Encodings a user may pick when the guess is wrong.
ENCODING_CHOICES: tuple[str, ...] = ("utf-8", "gb18030", "big5", "cp1252", "utf-16")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".tab")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
PARQUET_SUFFIXES = (".parquet", ".pq")
JSON_SUFFIXES = (".json",)

# Encodings a guess chooses from when the bytes are not UTF-8.
_GUESSES = ("gb18030", "big5", "cp1252")
_SNIFF_CHARS = 64 * 1024
_SNIFF_LINES = 30


@dataclass(frozen=True)
class TableFile:
    """One file read as text: the frame plus how it was read.

    Attributes:
        name: the file's base name (never a path).
        frame: every column as ``pl.String``; empty cells are null.
        encoding: the encoding used (``"utf-8"`` for binary formats).
        delimiter: the CSV delimiter, or ``None`` for other formats.
        sobject: the Salesforce object named inside a CLI JSON tree, else ``None``.
    """

    name: str
    frame: pl.DataFrame
    encoding: str
    delimiter: str | None
    sobject: str | None = None


def safe_file_name(file_name: str) -> str:
    """Return only the base name of an uploaded file's name (no folders, no ``..``)."""
    base = PureWindowsPath(PurePosixPath(str(file_name)).name).name
    base = base.replace("\x00", "").strip()
    if base in {"", ".", ".."}:
        return "upload"
    return base


def check_size(name: str, size: int, limit: int | None = None) -> None:
    """Raise :class:`RejectedInputError` when a file is larger than the limit."""
    limit = MAX_FILE_BYTES if limit is None else limit
    if size > limit:
        raise RejectedInputError(
            f"{name}: the file is {size / 1_048_576:,.1f} MB, more than the limit of "
            f"{limit / 1_048_576:,.0f} MB; split it or export fewer columns."
        )


def decode_text(name: str, data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)``: UTF-8 first, then a guess, or the given encoding.

    Raises:
        RejectedInputError: the bytes are not text in the given or guessed encoding.
    """
    if encoding:
        try:
            return data.decode(_codec(encoding)).lstrip("\ufeff"), encoding.lower()
        except (UnicodeDecodeError, LookupError) as error:
            raise RejectedInputError(
                f"{name}: cannot be read as {encoding} ({error.__class__.__name__}); "
                f"try another encoding ({', '.join(ENCODING_CHOICES)})."
            ) from error
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").lstrip("\ufeff"), "utf-16"
        except UnicodeDecodeError as error:
            raise RejectedInputError(
                f"{name}: the file starts like UTF-16 text but is not ({error.reason})."
            ) from error
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Only the encodings CRM exports really come in: an open guess on a short file
    # picks cp949 for GBK or cp1250 for Windows-1252.
    best = from_bytes(data[: 4 * 1024 * 1024], cp_isolation=list(_GUESSES)).best()
    guesses: list[str] = [best.encoding] if best is not None else []
    guesses += ["cp1252", "latin-1"]
    for guess in guesses:
        try:
            return data.decode(guess), _normalise_encoding_name(guess)
        except (UnicodeDecodeError, LookupError):
            continue
    raise RejectedInputError(f"{name}: the file is not text in any known encoding.")


def _codec(encoding: str) -> str:
    # Salesforce and Excel users say "GBK" or "UTF-8 BOM"; Python wants codec names.
    lowered = encoding.strip().lower().replace(" ", "-")
    return {"utf-8-bom": "utf-8-sig", "utf8": "utf-8-sig", "utf-8": "utf-8-sig"}.get(
        lowered, lowered
    )


def _normalise_encoding_name(encoding: str) -> str:
    return encoding.lower().replace("_", "-")


def _looks_binary(text: str) -> bool:
    sample = text[:_SNIFF_CHARS]
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    return controls > max(8, len(sample) // 100)


def sniff_delimiter(text: str) -> str:
    """Return the delimiter that splits the first lines into the most equal columns."""
    lines = text[:_SNIFF_CHARS].splitlines()[:_SNIFF_LINES]
    if len(lines) > 1 and len(text) > _SNIFF_CHARS:
        lines = lines[:-1]  # the last line of the sample may be cut in half
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        consistent = sum(1 for width in widths if width == widths[0])
        score = (consistent, widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique: list[str] = []
    for position, raw in enumerate(headers, start=1):
        header = raw.strip().lstrip("\ufeff").strip() or f"column_{position}"
        count = seen.get(header, 0) + 1
        seen[header] = count
        unique.append(header if count == 1 else f"{header} ({count})")
    return unique


def _frame_from_rows(name: str, rows: list[list[str]]) -> pl.DataFrame:
    """Build an all-text frame from parsed rows; the first row is the header."""
    headers = _unique_headers(rows[0])
    body = rows[1:]
    widths = pl.Series("width", [len(row) for row in body], dtype=pl.Int64)
    # Report exports drop trailing empty fields, so short rows are padded with
    # nulls; a row with MORE fields than the header is misread data.
    bad = widths > len(headers)
    if bad.any():
        positions = bad.arg_true().head(5).to_list()
        first = positions[0]
        raise RejectedInputError(
            f"{name}: row {first + 1} has {len(body[first])} fields but the header has "
            f"{len(headers)} (ragged rows at data rows "
            f"{', '.join(str(p + 1) for p in positions)}); check the delimiter and "
            "quoting, or re-export the file."
        )
    short = widths < len(headers)
    if short.any():
        padding = [""] * len(headers)
        body = [row + padding[len(row) :] for row in body]
    keep = [row for row in body if any(row)]
    columns = list(zip(*keep, strict=True)) if keep else [()] * len(headers)
    frame = pl.DataFrame(
        {header: list(values) for header, values in zip(headers, columns, strict=True)},
        schema=dict.fromkeys(headers, pl.String),
    )
    return _clean_text(frame)


def _clean_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Trim spaces around every cell and turn empty cells into nulls.

    The same rule as the large-file path in :func:`workbench.store.import_stage_csv`.
    """
    return frame.with_columns(
        pl.col(column).cast(pl.String).str.strip_chars(" ").replace("", None)
        for column in frame.columns
    )


def _read_delimited(name: str, text: str, delimiter: str | None) -> TableFile:
    if not text.strip():
        raise RejectedInputError(f"{name}: the file is empty.")
    if _looks_binary(text):
        raise RejectedInputError(
            f"{name}: the file holds binary data, not text; export it as CSV, "
            "Excel (.xlsx) or Parquet."
        )
    chosen = delimiter or (
        "\t" if name.lower().endswith((".tsv", ".tab")) else sniff_delimiter(text)
    )
    try:
        rows = list(
            csv.reader(io.StringIO(text, newline=""), delimiter=chosen, strict=True)
        )
    except csv.Error as error:
        raise RejectedInputError(
            f"{name}: the file is not valid CSV ({error}); a quote may be unclosed "
            "or a field may hold a stray quote."
        ) from error
    rows = _drop_leading_blank_rows(rows)
    if not rows:
        raise RejectedInputError(f"{name}: the file is empty.")
    frame = _frame_from_rows(name, rows)
    return TableFile(name=name, frame=frame, encoding="utf-8", delimiter=chosen)


def _drop_leading_blank_rows(rows: list[list[str]]) -> list[list[str]]:
    start = 0
    while start < len(rows) and not any(cell.strip() for cell in rows[start]):
        start += 1
    return rows[start:]


def _read_excel(name: str, data: bytes) -> TableFile:
    try:
        frame = pl.read_excel(io.BytesIO(data), infer_schema_length=0)
    except Exception as error:  # the Excel reader raises many kinds
        raise RejectedInputError(
            f"{name}: cannot be read as an Excel workbook ({error.__class__.__name__})."
        ) from error
    frame = frame.rename(
        dict(zip(frame.columns, _unique_headers(frame.columns), strict=True))
    )
    return TableFile(
        name=name,
        frame=_clean_text(_stringify(frame)),
        encoding="utf-8",
        delimiter=None,
    )


def _read_parquet(name: str, data: bytes) -> TableFile:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as error:  # pyarrow and polars raise many kinds
        raise RejectedInputError(
            f"{name}: cannot be read as Parquet ({error.__class__.__name__})."
        ) from error
    return TableFile(
        name=name,
        frame=_clean_text(_stringify(frame)),
        encoding="utf-8",
        delimiter=None,
    )


def _stringify(frame: pl.DataFrame) -> pl.DataFrame:
    """Cast every column to text; dates and times as ISO strings."""
    columns: list[pl.Expr] = []
    for column, dtype in frame.schema.items():
        if dtype == pl.Datetime:
            columns.append(pl.col(column).dt.strftime("%Y-%m-%dT%H:%M:%S"))
        elif dtype == pl.Date:
            columns.append(pl.col(column).dt.strftime("%Y-%m-%d"))
        elif dtype.is_nested():
            columns.append(
                pl.col(column).map_elements(_to_json, return_dtype=pl.String)
            )
        else:
            columns.append(pl.col(column).cast(pl.String))
    return frame.select(columns) if columns else frame


def _to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _read_json(name: str, text: str) -> TableFile:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise RejectedInputError(
            f"{name}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
        ) from error
    sobject: str | None = None
    if isinstance(document, dict) and isinstance(document.get("records"), list):
        records = document["records"]
    elif isinstance(document, list):
        records = document
    else:
        raise RejectedInputError(
            f"{name}: JSON must be a list of records or a Salesforce CLI tree "
            '({"records": [...]}).'
        )
    if not records:
        raise RejectedInputError(f"{name}: the JSON file holds no records.")
    if not all(isinstance(record, dict) for record in records):
        raise RejectedInputError(f"{name}: every JSON record must be an object.")
    flat: list[dict[str, str | None]] = []
    for record in records:
        row: dict[str, str | None] = {}
        attributes = record.get("attributes")
        if isinstance(attributes, dict):
            sobject = sobject or _text_or_none(attributes.get("type"))
            reference = _text_or_none(attributes.get("referenceId"))
            if reference is not None and "Id" not in record:
                row["Id"] = reference
        for key, value in record.items():
            if key == "attributes":
                continue
            text_value = _text_or_none(value)
            # CLI trees link records by "@ReferenceId"; the reference is the ID.
            if (
                text_value is not None
                and text_value.startswith("@")
                and key.lower().endswith("id")
            ):
                text_value = text_value[1:]
            row[str(key)] = text_value
        flat.append(row)
    headers = _unique_headers(list(dict.fromkeys(key for row in flat for key in row)))
    keys = list(dict.fromkeys(key for row in flat for key in row))
    frame = pl.DataFrame(
        {
            header: [row.get(key) for row in flat]
            for header, key in zip(headers, keys, strict=True)
        },
        schema=dict.fromkeys(headers, pl.String),
    )
    return TableFile(
        name=name,
        frame=_clean_text(frame),
        encoding="utf-8",
        delimiter=None,
        sobject=sobject,
    )


def _text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return _to_json(value)
    return str(value)


def read_table(
    file_name: str,
    data: bytes,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> TableFile:
    """Read one file of any supported format into a :class:`TableFile`.

    Raises:
        RejectedInputError: the file is empty, too large, binary, ragged, badly
            quoted, or in a format the workbench does not read.
    """
    name = safe_file_name(file_name)
    check_size(name, len(data))
    if not data:
        raise RejectedInputError(f"{name}: the file is empty.")
    lowered = name.lower()
    if data.startswith(b"PAR1") or lowered.endswith(PARQUET_SUFFIXES):
        return _read_parquet(name, data)
    if data.startswith(b"PK\x03\x04") or lowered.endswith(EXCEL_SUFFIXES):
        if data.startswith(b"PK\x03\x04") and not _is_xlsx(data):
            raise RejectedInputError(
                f"{name}: a zip archive holds several files; upload it as a .zip "
                "(the import reads every table inside)."
            )
        return _read_excel(name, data)
    text, used = decode_text(name, data, encoding)
    if lowered.endswith(JSON_SUFFIXES) or (
        not lowered.endswith(TEXT_SUFFIXES) and text.lstrip()[:1] in {"{", "["}
    ):
        if _looks_binary(text):
            raise RejectedInputError(f"{name}: the file holds binary data, not JSON.")
        table = _read_json(name, text)
    else:
        table = _read_delimited(name, text, delimiter)
    return TableFile(
        name=name,
        frame=table.frame,
        encoding=used,
        delimiter=table.delimiter,
        sobject=table.sobject,
    )


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(n.startswith("xl/") for n in archive.namelist())
    except zipfile.BadZipFile:
        return False


def read_table_file(
    file_name: str, data: bytes, encoding: str | None = None
) -> pl.DataFrame:
    """Return any CSV/TSV, Excel, Parquet or JSON file as an all-text polars frame.

    Encodings are detected (UTF-8 with or without BOM first, then GB18030, Big5,
    Windows-1252, … by guess) unless ``encoding`` names one; delimiters are sniffed.
    Cells are trimmed and empty cells are null. Column names are the file's headers
    (trimmed; duplicates get `` (2)``, `` (3)``).

    Args:
        file_name: the uploaded name; only its base name is used.
        data: the file's bytes.
        encoding: force a text encoding (``utf-8``, ``gb18030``, ``big5``, …).

    Raises:
        RejectedInputError: the file cannot be read; the message says why.
    """
    return read_table(file_name, data, encoding).frame


def _survey_module() -> ModuleType | None:
    # workbench.surveys reads files with this module, so it is imported lazily.
    try:
        return importlib.import_module("workbench.surveys")
    except ImportError:
        return None


# --- the import pipeline -------------------------------------------------------------
# Files are read and recognised here; the store stages them as text in one write
# transaction, parses and checks them with SQL, and upserts them. Errors reject the
# whole import (the transaction rolls back); warnings import and stay visible.

#: CSV files larger than this are loaded by DuckDB's own reader, not through Python.
LARGE_FILE_BYTES = 16 * 1024 * 1024
#: DuckDB's memory cap while a large file is imported (it spills to disk beyond).
LARGE_IMPORT_MEMORY_LIMIT = "1GB"

DateOrder = Literal["mdy", "dmy"]
ProgressCallback = Callable[[float, str], None]


@dataclass(frozen=True)
class ColumnMapping:
    """A user's mapping of one file: its target table and source → workbench columns."""

    table: str
    columns: dict[str, str]


@dataclass
class RecognisedFile:
    """What the import made of one input file (or one part of a report export).

    Attributes:
        name: the file's base name.
        sha256: the hash of its bytes.
        rows: data rows read.
        source: ``salesforce``, ``hubspot``, ``dynamics``, ``chinese_crm``,
            ``generic``, ``survey``.
        object_name: the CRM object (``Contact``, ``deals``, …), or None.
        table: the workbench table it fills, or None when it is not imported.
        mapping: file column → workbench column (the editable proposal).
        unmapped: file columns that are not imported.
        header_signature: identifies files with the same header (remembered mappings).
        encoding: the text encoding used.
        delimiter: the CSV delimiter, or None.
        note: why the file is not imported, when it is not.
    """

    name: str
    sha256: str
    rows: int
    source: str
    object_name: str | None
    table: str | None
    mapping: dict[str, str]
    unmapped: list[str]
    header_signature: str
    encoding: str
    delimiter: str | None
    note: str | None = None
    kind: str | None = None
    frame: pl.DataFrame | None = field(default=None, repr=False)
    path: Path | None = field(default=None, repr=False)
    headers: list[str] = field(default_factory=list, repr=False)


@dataclass
class ImportReport:
    """The outcome of :func:`import_files`.

    ``ok`` is True when the import was committed (or, for a dry run, would be).
    ``counts`` are the rows per table in the database after the run.
    """

    ok: bool
    source: str
    counts: dict[str, int]
    problems: list[Problem]
    run_id: int | None
    files: list[RecognisedFile]
    dry_run: bool = False
    written: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that rejected the import."""
        return [p for p in self.problems if p.level == "error"]

    def as_json(self) -> dict[str, Any]:
        """Return the report in the command line's ``--json`` shape."""
        return {
            "ok": self.ok,
            "source": self.source,
            "counts": self.counts,
            "problems": [p.as_dict() for p in self.problems],
        }

    def problems_frame(self) -> pl.DataFrame:
        """Return the problems as a frame (level, file, row, column, message)."""
        return problems_frame(self.problems)

    def files_frame(self) -> pl.DataFrame:
        """Return one row per recognised file: what it is and where it goes."""
        return files_frame(self.files)


def files_frame(files: Sequence[RecognisedFile]) -> pl.DataFrame:
    """Return one row per recognised file: what it is and where it goes."""
    return pl.DataFrame(
        [
            {
                "file": f.name,
                "source": f.source,
                "object": f.object_name,
                "table": f.table,
                "rows": f.rows if f.rows >= 0 else None,
                "encoding": f.encoding,
                "mapped_columns": len(f.mapping),
                "ignored_columns": len(f.unmapped),
                "note": f.note,
            }
            for f in files
        ],
        schema={
            "file": pl.String,
            "source": pl.String,
            "object": pl.String,
            "table": pl.String,
            "rows": pl.Int64,
            "encoding": pl.String,
            "mapped_columns": pl.Int64,
            "ignored_columns": pl.Int64,
            "note": pl.String,
        },
    )


def counts_frame(counts: dict[str, int]) -> pl.DataFrame:
    """Return rows per table as a two-column frame (table, rows)."""
    return pl.DataFrame(
        {"table": list(counts), "rows": list(counts.values())},
        schema={"table": pl.String, "rows": pl.Int64},
    )


def problems_frame(problems: Sequence[Problem]) -> pl.DataFrame:
    """Return problems as a frame with the columns level, file, row, column, message."""
    return pl.DataFrame(
        [p.as_dict() for p in problems],
        schema={
            "level": pl.String,
            "file": pl.String,
            "row": pl.Int64,
            "column": pl.String,
            "message": pl.String,
        },
    )


@dataclass(frozen=True)
class _Input:
    name: str
    data: bytes | None
    path: Path | None
    size: int


class _RejectedImport(Exception):
    """Raised inside the write transaction to roll it back."""


class _NotClean(Exception):
    """Raised inside the direct load's transaction to roll it back for the staged path."""


def header_signature(headers: Sequence[str]) -> str:
    """Return a short hash of a file's normalised header (order does not matter)."""
    joined = "\x1f".join(sorted(normalise_header(h) for h in headers))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def collect_inputs(
    files: Sequence[tuple[str, bytes]] | Sequence[Path] | Sequence[str | Path],
) -> list[tuple[str, bytes | Path]]:
    """Return (base name, bytes or path) for files, folders and zip archives.

    Raises:
        RejectedInputError: a path does not exist, a file is too large, or a zip
            archive is damaged or too large when unpacked.
    """
    return [(i.name, i.data if i.data is not None else i.path) for i in _collect(files)]  # type: ignore[misc]


def _collect(files: Sequence[Any], spill: Path | None = None) -> list[_Input]:
    found: list[_Input] = []
    for item in files:
        if isinstance(item, tuple):
            name, data = safe_file_name(str(item[0])), bytes(item[1])
            check_size(name, len(data))
            found += [_spilled(i, spill) for i in _expand(name, data)]
            continue
        path = Path(item)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not child.name.startswith(".") and child.suffix.lower() != ".md":
                    found += _collect([child], spill)
            continue
        if not path.is_file():
            raise RejectedInputError(f"{path.name}: no such file or folder.")
        size = path.stat().st_size
        check_size(path.name, size)
        if path.suffix.lower() == ".zip" or size <= LARGE_FILE_BYTES:
            found += [_spilled(i, spill) for i in _expand(path.name, path.read_bytes())]
        else:
            found.append(_Input(path.name, None, path, size))
    return found


def _spilled(item: _Input, spill: Path | None) -> _Input:
    """Write a large uploaded CSV to the spill folder so DuckDB's reader loads it."""
    data = item.data
    if (
        spill is None
        or data is None
        or len(data) <= LARGE_FILE_BYTES
        or item.name.lower().endswith(EXCEL_SUFFIXES + PARQUET_SUFFIXES + JSON_SUFFIXES)
        or data.startswith((b"PK\x03\x04", b"PAR1"))
    ):
        return item
    target = spill / f"{len(list(spill.iterdir()))}.csv"
    target.write_bytes(data)
    return _Input(item.name, None, target, len(data))


def _expand(name: str, data: bytes) -> list[_Input]:
    if not (
        name.lower().endswith(".zip")
        or (data.startswith(b"PK\x03\x04") and not _is_xlsx(data))
    ):
        return [_Input(name, data, None, len(data))]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise RejectedInputError(
            f"{name}: the zip archive is damaged ({error})."
        ) from error
    inputs: list[_Input] = []
    total = 0
    seen: dict[str, int] = {}
    with archive:
        for info in archive.infolist():
            inner = safe_file_name(info.filename)
            if info.is_dir() or inner.startswith(".") or "__MACOSX" in info.filename:
                continue
            if inner.lower().endswith((".md", ".txt")) and inner.lower() != "data.txt":
                continue
            check_size(f"{name}/{inner}", info.file_size)
            total += info.file_size
            if total > MAX_ZIP_TOTAL_BYTES:
                raise RejectedInputError(
                    f"{name}: the archive unpacks to more than "
                    f"{MAX_ZIP_TOTAL_BYTES / 1_048_576:,.0f} MB."
                )
            try:
                content = archive.read(info)
            except (zipfile.BadZipFile, RuntimeError, OSError) as error:
                raise RejectedInputError(
                    f"{name}: cannot unpack {inner} ({error})."
                ) from error
            count = seen.get(inner, 0) + 1
            seen[inner] = count
            unique = inner if count == 1 else f"{inner} ({count})"
            inputs.append(_Input(unique, content, None, len(content)))
    return inputs


def _sha256(item: _Input) -> str:
    digest = hashlib.sha256()
    if item.data is not None:
        digest.update(item.data)
    elif item.path is not None:
        with item.path.open("rb") as handle:
            for block in iter(lambda: handle.read(8 * 1024 * 1024), b""):
                digest.update(block)
    return digest.hexdigest()


def recognise_file(
    file_name: str,
    data: bytes,
    *,
    source: str = "auto",
    encoding: str | None = None,
    mapping: ColumnMapping | None = None,
    saved: tuple[str, dict[str, str]] | None = None,
) -> list[RecognisedFile]:
    """Read one file and say what it holds: source, table and proposed mapping.

    A Salesforce report export (``Account: Account Name``, ``Contact: Title``)
    gives one entry per object in it.

    Raises:
        RejectedInputError: the file cannot be read.
    """
    table_file = read_table(file_name, data, encoding)
    item = _Input(table_file.name, data, None, len(data))
    return _recognise_table(item, table_file, _sha256(item), source, mapping, saved)


def _recognise_table(
    item: _Input,
    table_file: TableFile,
    sha: str,
    source: str,
    user_mapping: ColumnMapping | None,
    saved: tuple[str, dict[str, str]] | None,
    *,
    guessed_source: bool = False,
    common_source: str | None = None,
    allow_survey: bool = False,
) -> list[RecognisedFile]:
    """Recognise a read file; ``guessed_source`` lets it fall back to generic layouts."""
    frame = table_file.frame
    headers = list(frame.columns)
    signature = header_signature(headers)
    base: dict[str, Any] = {
        "name": table_file.name,
        "sha256": sha,
        "rows": frame.height,
        "header_signature": signature,
        "encoding": table_file.encoding,
        "delimiter": table_file.delimiter,
        "frame": frame,
        "headers": headers,
    }
    stem = _sources.file_stem(table_file.name)
    if table_file.name.lower() == "data-plan.json" or (
        {"sobject", "files"} <= {h.lower() for h in headers}
    ):
        return [
            RecognisedFile(
                **base,
                source="salesforce",
                object_name="plan",
                table=None,
                mapping={},
                unmapped=[],
                note="Salesforce CLI data plan: the files it lists are read on their own",
            )
        ]
    chosen = user_mapping or (ColumnMapping(saved[0], saved[1]) if saved else None)
    if chosen is not None:
        return [_with_user_mapping(base, headers, chosen, source)]
    surveys = _survey_module()
    if (
        surveys is not None
        and (source in {"auto", "survey"} or guessed_source or allow_survey)
        and surveys.looks_like_survey(headers)
    ):
        return [
            RecognisedFile(
                **base,
                source="survey",
                object_name="NPS survey",
                table="nps_responses",
                mapping={},
                unmapped=[],
            )
        ]
    report = (
        _split_report(base, frame, headers)
        if source in {"auto", "salesforce"}
        else None
    )
    if report:
        return report
    if stem in _sources.SALESFORCE_SKIPPED and "salesforce" in {
        source,
        common_source,
        "salesforce" if source == "auto" else None,
    }:
        return [
            RecognisedFile(
                **base,
                source="salesforce",
                object_name=table_file.name.rsplit(".", 1)[0],
                table=None,
                mapping={},
                unmapped=headers,
                note="a Salesforce object the workbench does not store (leads, products, "
                "line items, roles, history)",
            )
        ]
    found = _sources.recognise(table_file.name, headers, source, table_file.sobject)
    if guessed_source and common_source:
        # The export's common source wins when it knows this file better.
        other = _sources.recognise(
            table_file.name, headers, common_source, table_file.sobject
        )
        if other is not None and (found is None or other.score >= found.score):
            found = other
    if found is None and guessed_source:
        fallback = _sources.recognise(table_file.name, headers, "generic")
        found = fallback if fallback is not None and fallback.score >= 3 else None
    if found is None:
        detected = (
            _sources.detect_source(headers, table_file.sobject)
            if source == "auto"
            else source
        )
        return [
            RecognisedFile(
                **base,
                source=detected,
                object_name=None,
                table=None,
                mapping={},
                unmapped=headers,
                note="the columns do not match any workbench table; map them by hand",
            )
        ]
    mapping = {header: column for column, header in found.mapping.items()}
    return [
        RecognisedFile(
            **base,
            source=found.layout.source,
            object_name=found.layout.name,
            table=found.layout.table,
            mapping=mapping,
            unmapped=[h for h in headers if h not in mapping],
            kind=found.layout.kind,
        )
    ]


def _with_user_mapping(
    base: dict[str, Any], headers: list[str], chosen: ColumnMapping, source: str
) -> RecognisedFile:
    if chosen.table not in vocabulary.CANONICAL_COLUMNS:
        raise RejectedInputError(
            f"{base['name']}: the mapping names an unknown table {chosen.table!r}; "
            f"choose one of {', '.join(vocabulary.TARGET_TABLES)}."
        )
    allowed = set(vocabulary.CANONICAL_COLUMNS[chosen.table])
    mapping: dict[str, str] = {}
    for header, column in chosen.columns.items():
        if not column:
            continue
        if header not in headers:
            raise RejectedInputError(
                f"{base['name']}: the mapping names a column {header!r} the file does not have."
            )
        if column not in allowed:
            raise RejectedInputError(
                f"{base['name']}: {column!r} is not a column of {chosen.table}; "
                f"choose from {', '.join(sorted(allowed))}."
            )
        mapping[header] = column
    targets = list(mapping.values())
    doubled = sorted({c for c in targets if targets.count(c) > 1})
    if doubled:
        raise RejectedInputError(
            f"{base['name']}: several file columns map to {', '.join(doubled)}; keep one each."
        )
    detected = source if source != "auto" else _sources.detect_source(headers)
    layout = _sources.layout_by_name(detected, chosen.table)
    return RecognisedFile(
        **base,
        source=detected,
        object_name=layout.name if layout else chosen.table,
        table=chosen.table,
        mapping=mapping,
        unmapped=[h for h in headers if h not in mapping],
        kind=layout.kind if layout else None,
    )


def _split_report(
    base: dict[str, Any], frame: pl.DataFrame, headers: list[str]
) -> list[RecognisedFile]:
    """Split a Salesforce report export ("Object: Field") into one entry per object."""
    prefixed = [h for h in headers if re.match(r"^[A-Za-z][\w ]*: .+", h)]
    if len(prefixed) < 2 or len(prefixed) < len(headers) // 2:
        return []
    objects: dict[str, list[str]] = {}
    for header in prefixed:
        objects.setdefault(header.split(":", 1)[0].strip(), []).append(header)
    results: list[RecognisedFile] = []
    account_name = next(
        (
            h
            for h in objects.get("Account", [])
            if _sources.normalise_header(h.split(":", 1)[1]) in {"accountname", "name"}
        ),
        None,
    )
    frame = frame.with_row_index("__source_row", offset=1)
    for object_name, columns in objects.items():
        layout = next(
            (
                candidate
                for candidate in _sources.LAYOUTS
                if candidate.source == "salesforce" and candidate.name == object_name
            ),
            None,
        )
        if layout is None:
            continue
        labels = {h: h.split(":", 1)[1].strip() for h in columns}
        found = _sources.map_headers(layout, list(labels.values()))
        by_label = {label: header for header, label in labels.items()}
        mapping = {by_label[label]: column for column, label in found.items()}
        part = frame.select("__source_row", *columns)
        part = part.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in columns))
        if object_name == "Account":
            name_header = next((h for h, c in mapping.items() if c == "name"), None)
            if name_header:
                part = part.unique(
                    subset=[name_header], keep="first", maintain_order=True
                )
        elif account_name is not None and "account_id" not in mapping.values():
            part = frame.select(["__source_row", *columns, account_name]).filter(
                pl.any_horizontal(pl.col(c).is_not_null() for c in columns)
            )
            mapping[account_name] = "account_name"
        if part.height == 0:
            continue
        results.append(
            RecognisedFile(
                **{
                    **base,
                    "frame": part,
                    "rows": part.height,
                    "headers": [c for c in part.columns if c != "__source_row"],
                },
                source="salesforce",
                object_name=f"{object_name} (report)",
                table=layout.table,
                mapping=mapping,
                unmapped=[h for h in columns if h not in mapping],
                kind=layout.kind,
            )
        )
    return results


def _read_large_header(
    item: _Input, encoding: str | None
) -> tuple[list[str], str, str]:
    """Return (headers, delimiter, encoding) from the start of a large file."""
    assert item.path is not None
    with item.path.open("rb") as handle:
        head = handle.read(256 * 1024)
    cut = head.rfind(b"\n")
    sample = head[: cut + 1] if cut > 0 else head
    text, used = decode_text(item.name, sample, encoding)
    if _looks_binary(text):
        raise RejectedInputError(f"{item.name}: the file holds binary data, not text.")
    delimiter = (
        "\t" if item.name.lower().endswith((".tsv", ".tab")) else sniff_delimiter(text)
    )
    first = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    if not first:
        raise RejectedInputError(f"{item.name}: the file is empty.")
    return _unique_headers(first), delimiter, used


def _large_table_file(item: _Input, encoding: str | None) -> TableFile:
    """Return a large file's header as an empty frame (the rows stay on disk)."""
    headers, delimiter, used = _read_large_header(item, encoding)
    empty = pl.DataFrame(schema=dict.fromkeys(headers, pl.String))
    return TableFile(item.name, empty, used, delimiter)


def _stage_frame(recognised: RecognisedFile) -> pl.DataFrame:
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
    return frame.select(
        row.alias("_row"),
        pl.lit(recognised.name, dtype=pl.String).alias("_file"),
        pl.lit(recognised.source, dtype=pl.String).alias("_source"),
        pl.lit(recognised.kind, dtype=pl.String).alias("_kind"),
        *(
            pl.col(by_column[column]).alias(column)
            if column in by_column
            else pl.lit(None, dtype=pl.String).alias(column)
            for column in vocabulary.CANONICAL_COLUMNS[recognised.table]
        ),
    )


def _problem(
    level: str, file: str, row: int | None, column: str | None, message: str
) -> Problem:
    return Problem(
        level="error" if level == "error" else "warning",
        file=file,
        row=row,
        column=column,
        message=message,
    )


def _header_for(
    files_by_name: dict[str, list[RecognisedFile]], file: str, table: str, column: str
) -> str:
    for recognised in files_by_name.get(file, []):
        if recognised.table == table:
            for header, canonical in recognised.mapping.items():
                if canonical == column:
                    return header
    return column


def _capped_problems(
    found: pl.DataFrame,
    files_by_name: dict[str, list[RecognisedFile]],
    table: str,
    describe: Callable[[dict[str, Any]], str],
) -> list[Problem]:
    """Turn capped problem rows into Problems, with a summary when rows were left out."""
    problems: list[Problem] = []
    if found.height == 0:
        return problems
    shown: dict[tuple[str, str, str], int] = {}
    totals: dict[tuple[str, str, str], tuple[int, str]] = {}
    for record in found.iter_rows(named=True):
        column = record.get("column") or ""
        group = (record["_file"], column, record.get("message") or "")
        header = (
            _header_for(
                files_by_name, record["_file"], record.get("table") or table, column
            )
            if column
            else None
        )
        problems.append(
            _problem(
                record["level"],
                record["_file"],
                record["_row"],
                header,
                describe(record),
            )
        )
        shown[group] = shown.get(group, 0) + 1
        totals[group] = (int(record.get("total") or 0), record["level"])
    for group, (total, level) in totals.items():
        if total > shown[group]:
            file, column, _message = group
            header = _header_for(files_by_name, file, table, column) if column else None
            problems.append(
                _problem(
                    level,
                    file,
                    None,
                    header,
                    f"… and {total - shown[group]:,} more with the same problem",
                )
            )
    return problems


def _quote(value: Any) -> str:
    text = str(value)
    return f"“{text[:80]}{'…' if len(text) > 80 else ''}”"


def propose_files(
    con: store.Connection,
    files: Sequence[tuple[str, bytes]] | Sequence[Path] | Sequence[str | Path],
    *,
    source: str = "auto",
    encoding: str | None = None,
    mappings: dict[str, ColumnMapping] | None = None,
    progress: ProgressCallback | None = None,
    spill_dir: Path | None = None,
) -> tuple[list[RecognisedFile], list[Problem]]:
    """Read files and propose where each goes, changing nothing.

    Uses mappings remembered for the same header when the user gives none.

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
    recognised: list[RecognisedFile] = []
    try:
        inputs = _collect(files, spill_dir)
    except RejectedInputError as error:
        problems.append(_problem("error", _first_name(files), None, None, str(error)))
        inputs = []
    read: list[tuple[_Input, TableFile]] = []
    for number, item in enumerate(inputs):
        say(0.3 * number / max(1, len(inputs)), f"reading {item.name}")
        try:
            if item.data is None:
                read.append((item, _large_table_file(item, encoding)))
            else:
                read.append((item, read_table(item.name, item.data, encoding)))
        except RejectedInputError as error:
            problems.append(
                _problem(
                    "error", item.name, None, None, _strip_name(item.name, str(error))
                )
            )
    # Files of one export share a source: a file that does not give itself away
    # (an association table, a users file) takes the others' source.
    detected = {
        item.name: _sources.detect_source(list(t.frame.columns), t.sobject, item.name)
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
            entries = _recognise_table(
                item,
                table_file,
                _sha256(item),
                file_source,
                (mappings or {}).get(item.name),
                saved,
                guessed_source=guessed,
                common_source=common,
                allow_survey=source in {"auto", "survey"},
            )
        except RejectedInputError as error:
            problems.append(
                _problem(
                    "error", item.name, None, None, _strip_name(item.name, str(error))
                )
            )
            continue
        if item.data is None:
            for entry in entries:
                entry.frame = None
                entry.path = item.path
                entry.rows = -1
                if entry.source == "survey":
                    problems.append(
                        _problem(
                            "error",
                            item.name,
                            None,
                            None,
                            "survey files this large are not supported; split the file",
                        )
                    )
        recognised += entries
    problems += _attach_deal_companies(recognised)
    return recognised, problems


#: Normalised headers of a deal ↔ company association table (HubSpot's API and
#: warehouse exports keep a deal's company there, not on the deal).
_DEAL_COMPANY_COLUMNS = ("dealid", "companyid")


def _attach_deal_companies(recognised: list[RecognisedFile]) -> list[Problem]:
    """Give deals without a company column their company from an association file.

    The association file is used, not imported as a table of its own. A deal
    with several companies keeps the first one the file lists (a warning says
    how many); deals it does not list stay without a company and are reported
    when the import checks them.
    """
    links: list[tuple[RecognisedFile, pl.DataFrame]] = []
    for entry in recognised:
        if entry.table is not None or entry.frame is None:
            continue
        by_normal = {normalise_header(h): h for h in entry.frame.columns}
        if all(c in by_normal for c in _DEAL_COMPANY_COLUMNS):
            links.append(
                (
                    entry,
                    entry.frame.select(
                        pl.col(by_normal["dealid"]).str.strip_chars().alias("deal"),
                        pl.col(by_normal["companyid"])
                        .str.strip_chars()
                        .alias("company"),
                    ).drop_nulls(),
                )
            )
    deals = [
        e
        for e in recognised
        if e.table == "opportunities"
        and e.frame is not None
        and not {"account_id", "account_name"} & set(e.mapping.values())
        and "opportunity_id" in e.mapping.values()
    ]
    if not links or not deals:
        return []
    pairs = pl.concat([frame for _entry, frame in links]).unique(maintain_order=True)
    first_company = pairs.group_by("deal", maintain_order=True).agg(
        pl.col("company").first(), pl.len().alias("companies")
    )
    names = ", ".join(entry.name for entry, _frame in links)
    for entry, _frame in links:
        entry.note = (
            "an association table: it gives the deals in "
            + ", ".join(d.name for d in deals)
            + " their company"
        )
    problems: list[Problem] = []
    for deal_file in deals:
        assert deal_file.frame is not None
        deal_header = next(
            h for h, c in deal_file.mapping.items() if c == "opportunity_id"
        )
        company_header = f"company (from {names})"
        joined = deal_file.frame.with_columns(
            pl.col(deal_header).str.strip_chars().alias("__deal_key")
        ).join(
            first_company.rename({"deal": "__deal_key", "company": company_header}),
            on="__deal_key",
            how="left",
            maintain_order="left",
        )
        several = joined.filter(pl.col("companies") > 1).height
        deal_file.frame = joined.drop("__deal_key", "companies")
        deal_file.headers = [*deal_file.headers, company_header]
        deal_file.mapping = {**deal_file.mapping, company_header: "account_id"}
        if several:
            problems.append(
                _problem(
                    "warning",
                    deal_file.name,
                    None,
                    None,
                    f"{several:,} deal(s) are associated with several companies in "
                    f"{names}; each keeps the first company listed",
                )
            )
    return problems


def markdown_safe(text: str) -> str:
    """Return text that Streamlit labels show literally (Markdown characters escaped).

    File names come from users: ``**x**.csv`` or ``<img …>`` must read as typed.
    """
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~:$])", r"\\\1", text)


def mapping_table(entry: RecognisedFile) -> pl.DataFrame:
    """Return a file's mapping as rows (file column, workbench column) for an editor."""
    return pl.DataFrame(
        {
            "file column": entry.headers,
            "workbench column": [entry.mapping.get(h, "") for h in entry.headers],
        },
        schema={"file column": pl.String, "workbench column": pl.String},
    )


def mapping_from_table(table: str, edited: Any) -> ColumnMapping:
    """Return the mapping a person edited (a frame with file/workbench columns)."""
    frame = edited if isinstance(edited, pl.DataFrame) else pl.DataFrame(edited)
    pairs = frame.select("file column", "workbench column").rows()
    return ColumnMapping(
        table=table,
        columns={str(h): str(c) for h, c in pairs if h is not None and c},
    )


def import_files(
    con: store.Connection,
    files: Sequence[tuple[str, bytes]] | Sequence[Path] | Sequence[str | Path],
    *,
    actor: Actor,
    source: str = "auto",
    dry_run: bool = False,
    mappings: dict[str, ColumnMapping] | None = None,
    overwrite_edits: bool = False,
    progress: ProgressCallback | None = None,
    encoding: str | None = None,
    date_order: DateOrder | None = None,
) -> ImportReport:
    """Import CRM exports into the database, all or nothing.

    Args:
        con: the database.
        files: ``(name, bytes)`` pairs (uploads) or paths of files, folders and zip
            archives.
        actor: who imports; needs the ``import`` right.
        source: ``auto`` or one of ``salesforce``, ``hubspot``, ``dynamics``,
            ``chinese_crm``, ``generic``.
        dry_run: check everything, change nothing.
        mappings: per file name, the user's table and column mapping; saved for
            files with the same header when the import commits.
        overwrite_edits: let the files replace roles, influence and attitude
            edited in the workbench (default: edits win).
        progress: called with (fraction done, what is happening).
        encoding: force a text encoding for every file.
        date_order: ``mdy`` or ``dmy`` for dates like 03/04/2024 that could be either.

    Returns:
        The report: ok, source, counts after the run, problems, run ID, files.

    Raises:
        PermissionDeniedError: the actor may not import.
    """
    require(actor, "import")
    if source not in {"auto", "survey", *vocabulary.SOURCES}:
        raise RejectedInputError(
            f"unknown source {source!r}; choose auto, {', '.join(vocabulary.SOURCES)}."
        )
    started = store.now_utc()
    say = progress or (lambda _fraction, _message: None)
    say(0.0, "reading files")
    # Large uploads are written here for DuckDB's reader; removed at the end.
    with tempfile.TemporaryDirectory(prefix="workbench-import-") as spill:
        return _import_with(
            con,
            files,
            actor=actor,
            source=source,
            dry_run=dry_run,
            mappings=mappings,
            overwrite_edits=overwrite_edits,
            say=say,
            encoding=encoding,
            date_order=date_order,
            started=started,
            spill=Path(spill),
        )


def _import_with(
    con: store.Connection,
    files: Sequence[Any],
    *,
    actor: Actor,
    source: str,
    dry_run: bool,
    mappings: dict[str, ColumnMapping] | None,
    overwrite_edits: bool,
    say: ProgressCallback,
    encoding: str | None,
    date_order: DateOrder | None,
    started: Any,
    spill: Path,
) -> ImportReport:
    recognised, problems = propose_files(
        con,
        files,
        source=source,
        encoding=encoding,
        mappings=mappings,
        progress=say,
        spill_dir=spill,
    )
    for entry in recognised:
        problems += _file_problems(entry)
    importable = [r for r in recognised if r.table is not None]
    if (
        importable
        and all(r.rows == 0 for r in importable)
        and not any(p.level == "error" for p in problems)
    ):
        problems.append(
            _problem(
                "error",
                _first_name(files),
                None,
                None,
                "nothing to import: the file(s) hold a header but no data rows",
            )
        )
    if not importable and not any(p.level == "error" for p in problems):
        problems.append(
            _problem(
                "error",
                _first_name(files),
                None,
                None,
                "nothing to import: no file could be mapped to a workbench table",
            )
        )
    sources_used = sorted({r.source for r in importable}) or (
        [source] if source != "auto" else ["unknown"]
    )
    source_label = "+".join(sources_used)
    # A large file is loaded by DuckDB under a memory cap, spilling to disk
    # rather than growing past it.
    previous_limit = (
        store.set_memory_limit(con, LARGE_IMPORT_MEMORY_LIMIT)
        if any(r.path is not None for r in importable)
        else None
    )
    try:
        return _run_import(
            con,
            files,
            recognised,
            problems,
            importable,
            source_label,
            actor=actor,
            started=started,
            dry_run=dry_run,
            mappings=mappings,
            overwrite_edits=overwrite_edits,
            date_order=date_order,
            say=say,
        )
    finally:
        if previous_limit is not None:
            store.set_memory_limit(con, previous_limit)


def _run_import(
    con: store.Connection,
    files: Sequence[Any],
    recognised: list[RecognisedFile],
    problems: list[Problem],
    importable: list[RecognisedFile],
    source_label: str,
    *,
    actor: Actor,
    started: Any,
    dry_run: bool,
    mappings: dict[str, ColumnMapping] | None,
    overwrite_edits: bool,
    date_order: DateOrder | None,
    say: ProgressCallback,
) -> ImportReport:
    """Stage, check and (unless rejected or a dry run) commit; record the run."""
    direct = _direct_load(
        con,
        recognised,
        problems,
        importable,
        source_label,
        actor=actor,
        started=started,
        dry_run=dry_run,
        mappings=mappings,
        say=say,
    )
    if direct is not None:
        return direct
    written: dict[str, int] = {}
    if not any(p.level == "error" for p in problems):
        try:
            with store.write_transaction(con) as cur:
                run_id = store.import_next_run_id(cur)
                problems += _stage_and_check(
                    con, cur, importable, overwrite_edits, date_order, say
                )
                if any(p.level == "error" for p in problems) or dry_run:
                    raise _RejectedImport
                say(0.85, "writing")
                written = store.import_commit(
                    cur, run_id, sorted({r.table for r in importable if r.table})
                )
                counts = _record_commit(
                    cur,
                    run_id,
                    recognised,
                    importable,
                    problems,
                    source_label,
                    actor=actor,
                    started=started,
                    mappings=mappings,
                )
            say(1.0, "done")
            return ImportReport(
                True, source_label, counts, problems, run_id, recognised, False, written
            )
        except _RejectedImport:
            pass
        except RejectedInputError as error:
            problems.append(
                _problem("error", _first_name(files), None, None, str(error))
            )
    ok = dry_run and not any(p.level == "error" for p in problems)
    run_id_recorded: int | None = None
    if not dry_run:
        with store.write_transaction(con) as cur:
            run_id_recorded = store.import_next_run_id(cur)
            store.record_import_run(
                cur,
                run_id=run_id_recorded,
                started_at=started,
                source=source_label,
                status="rejected",
                files=_files_record(recognised),
                counts=store.import_table_counts(cur),
                problems=[p.as_dict() for p in problems],
                user_name=actor.name,
            )
    say(1.0, "checked" if dry_run else "rejected")
    return ImportReport(
        ok,
        source_label,
        store.table_counts(con),
        problems,
        run_id_recorded,
        recognised,
        dry_run,
        {},
    )


def _record_commit(
    cur: store.Connection,
    run_id: int,
    recognised: list[RecognisedFile],
    importable: list[RecognisedFile],
    problems: list[Problem],
    source_label: str,
    *,
    actor: Actor,
    started: Any,
    mappings: dict[str, ColumnMapping] | None,
) -> dict[str, int]:
    """Remember the user's mappings and record the committed run; return the counts."""
    for entry in importable:
        if entry.name in (mappings or {}) and entry.table:
            store.save_column_mapping(
                cur, actor, entry.header_signature, entry.table, dict(entry.mapping)
            )
    counts = store.import_table_counts(cur)
    store.record_import_run(
        cur,
        run_id=run_id,
        started_at=started,
        source=source_label,
        status="committed",
        files=_files_record(recognised),
        counts=counts,
        problems=[p.as_dict() for p in problems],
        user_name=actor.name,
    )
    return counts


def _direct_load(
    con: store.Connection,
    recognised: list[RecognisedFile],
    problems: list[Problem],
    importable: list[RecognisedFile],
    source_label: str,
    *,
    actor: Actor,
    started: Any,
    dry_run: bool,
    mappings: dict[str, ColumnMapping] | None,
    say: ProgressCallback,
) -> ImportReport | None:
    """Load one large, clean activity export in a single pass; None to stage instead.

    Activity exports are the files with millions of rows. When such a file is
    the whole import and holds nothing the staged path would report (see
    :func:`store.import_activities_direct`), the result is the same as staging,
    at about the cost of reading the file once. Otherwise the transaction is
    rolled back and the caller stages, checks and reports as usual.
    """
    if dry_run or len(importable) != 1 or any(p.level == "error" for p in problems):
        return None
    entry = importable[0]
    if (
        entry.table != "activities"
        or entry.path is None
        or entry.delimiter is None
        or entry.source == "survey"
    ):
        return None
    try:
        with store.write_transaction(con) as cur:
            run_id = store.import_next_run_id(cur)
            store.import_begin(cur)
            say(0.3, f"loading {entry.name}")
            with _utf8_copy(entry) as path:
                loaded = store.import_activities_direct(
                    cur,
                    run_id,
                    str(path),
                    positions=_positions(entry),
                    n_columns=len(entry.headers),
                    delimiter=entry.delimiter,
                    file=entry.name,
                    source=entry.source,
                    kind=entry.kind,
                )
            if loaded is None:
                raise _NotClean
            rows, references = loaded
            entry.rows = rows
            problems = problems + _capped_problems(
                references, {entry.name: [entry]}, "", _reference_message
            )
            counts = _record_commit(
                cur,
                run_id,
                recognised,
                importable,
                problems,
                source_label,
                actor=actor,
                started=started,
                mappings=mappings,
            )
    except (_NotClean, RejectedInputError):
        # The staged path finds the same problems and reports them row by row.
        say(0.3, f"checking {entry.name} row by row")
        return None
    say(1.0, "done")
    return ImportReport(
        True,
        source_label,
        counts,
        problems,
        run_id,
        recognised,
        False,
        {"activities": rows},
    )


def _first_name(files: Sequence[Any]) -> str:
    if not files:
        return "(no files)"
    first = files[0]
    return safe_file_name(
        str(first[0] if isinstance(first, tuple) else Path(first).name)
    )


def _strip_name(name: str, message: str) -> str:
    # Problems carry the file separately; keep the message readable on its own.
    prefix = f"{name}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def _files_record(recognised: Sequence[RecognisedFile]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for entry in recognised:
        record = seen.setdefault(
            entry.name,
            {"name": entry.name, "sha256": entry.sha256, "rows": 0, "tables": []},
        )
        record["rows"] = max(int(record["rows"]), entry.rows)
        if entry.table:
            record["tables"].append(entry.table)
    return list(seen.values())


def _file_problems(entry: RecognisedFile) -> list[Problem]:
    problems: list[Problem] = []
    if entry.table is None:
        if entry.note:
            problems.append(
                _problem(
                    "warning", entry.name, None, None, f"not imported: {entry.note}"
                )
            )
        return problems
    if entry.source == "survey":
        return problems
    missing = _sources.missing_required(entry.table, set(entry.mapping.values()))
    for group in missing:
        problems.append(
            _problem(
                "error",
                entry.name,
                None,
                None,
                f"missing required column for {entry.table}: {group} (the file has: "
                f"{', '.join(entry.headers[:15])}{'…' if len(entry.headers) > 15 else ''})",
            )
        )
    if entry.rows == 0:
        problems.append(
            _problem(
                "warning", entry.name, None, None, "the file has a header but no rows"
            )
        )
    if entry.unmapped:
        shown = entry.unmapped[:25]
        more = len(entry.unmapped) - len(shown)
        problems.append(
            _problem(
                "warning",
                entry.name,
                None,
                None,
                f"{len(entry.unmapped)} column(s) not imported (no workbench column): "
                + ", ".join(shown)
                + (f", … and {more} more" if more > 0 else ""),
            )
        )
    return problems


def _stage_and_check(
    con: store.Connection,
    cur: store.Connection,
    importable: list[RecognisedFile],
    overwrite_edits: bool,
    date_order: DateOrder | None,
    say: ProgressCallback,
) -> list[Problem]:
    """Stage every file, build the tables and return every problem found."""
    problems: list[Problem] = []
    store.import_begin(cur)
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
            store.import_stage_frame(cur, index, entry.table, _stage_frame(entry))
        else:
            entry.rows = _stage_large(cur, index, entry)
        by_table.setdefault(entry.table, []).append(index)
    tables = [t for t in store.IMPORT_ORDER if t in by_table]
    for table in tables:
        store.import_union(cur, table, by_table[table])
        for record in store.import_deleted_rows(cur, table).iter_rows(named=True):
            problems.append(
                _problem(
                    "warning",
                    record["_file"],
                    None,
                    None,
                    f"{record['rows']:,} row(s) marked as deleted (IsDeleted) were not imported",
                )
            )
    say(0.6, "checking values")
    problems += _date_orders(cur, tables, date_order, files_by_name)
    store.import_drop_stages(cur, tables, [i for t in tables for i in by_table[t]])
    if any(p.level == "error" for p in problems):
        return problems
    for table in tables:
        found = store.import_value_problems(cur, table)
        problems += _capped_problems(
            found,
            files_by_name,
            table,
            lambda r: f"{_quote(r['value'])} {r['message']}",
        )
    if "contacts" in tables:
        problems += _capped_problems(
            store.import_role_problems(cur),
            files_by_name,
            "contacts",
            lambda r: f"{_quote(r['value'])} {r['message']}",
        )
    for table in tables:
        skipped = store.import_skipped_rows(cur, table).with_columns(
            pl.lit("warning").alias("level"),
            pl.lit("").alias("column"),
            pl.col("reason").alias("message"),
        )
        problems += _capped_problems(
            skipped, files_by_name, table, lambda r: str(r["reason"])
        )
    if any(p.level == "error" for p in problems):
        return problems
    say(0.7, "resolving references")
    store.import_build(cur, tables, overwrite_edits=overwrite_edits)
    store.import_drop_inputs(cur, tables)
    if survey_entries:
        problems += _stage_surveys(cur, survey_entries, tables)
        tables.append("nps_responses")
    for table in ("accounts", "contacts"):
        if table not in tables:
            continue
        nameless = store.import_missing_required(cur, table).with_columns(
            pl.lit("error").alias("level"),
            pl.lit("name").alias("column"),
            pl.lit("").alias("message"),
        )
        problems += _capped_problems(
            nameless,
            files_by_name,
            table,
            lambda _r: "the record has no name (required)",
        )
    for record in store.import_merged_by_name(cur).iter_rows(named=True):
        problems.append(
            _problem(
                "warning",
                record["_file"],
                record["_row"],
                None,
                f"{_quote(record['name'])} is the same {record['table'][:-1]} as "
                f"{record['into_id']} in {record['into_file']} (same name); kept once",
            )
        )
    for record in store.import_account_notes(cur).iter_rows(named=True):
        how = (
            "was not in the database or the import: created from its name"
            if record["how"] == "created"
            else f"matched the existing account {record['account_id']} by name"
        )
        problems.append(
            _problem(
                "warning",
                record["_file"],
                record["_row"],
                None,
                f"account {_quote(record['name'])} {how}",
            )
        )
    for table in tables:
        for record in store.import_duplicates(cur, table).iter_rows(named=True):
            places = ", ".join(
                f"{f} row {r}"
                for f, r in zip(record["files"], record["rows"], strict=False)
            )
            problems.append(
                _problem(
                    "error",
                    record["files"][0],
                    record["rows"][0],
                    None,
                    f"duplicate ID {_quote(record['key'])} in {table}: {places}",
                )
            )
        for record in store.import_id_collisions(cur, table).iter_rows(named=True):
            problems.append(
                _problem(
                    "error",
                    record["_file"],
                    record["_row"],
                    None,
                    f"ID {_quote(record['key'])} already belongs to a {table} record "
                    f"from {record['other_source']}",
                )
            )
    references = store.import_missing_references(cur, tables)
    if references.height:
        problems += _capped_problems(
            references, files_by_name, "", lambda r: _reference_message(r)
        )
    names = store.import_unresolved_names(cur, tables)
    if names.height:
        problems += _capped_problems(
            names, files_by_name, "", lambda r: _name_message(r)
        )
    if "contacts" in tables:
        problems += _reporting_problems(store.import_reporting_lines(cur))
    return problems


def _reference_message(record: dict[str, Any]) -> str:
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
        ("opportunity_contacts", "warning"): "; the link was not imported (orphan)",
    }.get(
        (record["table"], record["level"]),
        "; left empty" if record["level"] == "warning" else "",
    )
    return (
        f"refers to {target} {_quote(record['value'])} that is neither in the import "
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
    return f"{_quote(record['value'])} matches no {what}{tail}{_rows_note(record)}"


def _reporting_problems(lines: pl.DataFrame) -> list[Problem]:
    """Return reports-to lines that leave the account, and reporting cycles by name."""
    problems: list[Problem] = []
    if lines.height == 0:
        return problems
    outside = lines.filter(
        pl.col("manager_account_id").is_not_null()
        & (pl.col("manager_account_id") != pl.col("account_id"))
        & pl.col("_file").is_not_null()
    )
    for record in outside.head(50).iter_rows(named=True):
        problems.append(
            _problem(
                "error",
                record["_file"],
                record["_row"],
                None,
                f"{_quote(record['name'])} reports to {record['reports_to_id']}, who works for "
                f"another account ({record['manager_account_id']}); reports-to must stay inside the account",
            )
        )
    graph = nx.DiGraph()
    graph.add_edges_from(
        zip(
            lines["contact_id"].to_list(), lines["reports_to_id"].to_list(), strict=True
        )
    )
    names = dict(
        zip(lines["contact_id"].to_list(), lines["name"].to_list(), strict=True)
    )
    places = {
        r["contact_id"]: (r["_file"], r["_row"])
        for r in lines.filter(pl.col("_file").is_not_null()).iter_rows(named=True)
    }
    for cycle in list(nx.simple_cycles(graph))[:50]:
        members = [names.get(c) or c for c in cycle]
        file, row = next((places[c] for c in cycle if c in places), ("", None))
        loop = " → ".join([*members, members[0]])
        problems.append(_problem("error", file, row, None, f"reporting cycle: {loop}"))
    return problems


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
                header = _header_for(files_by_name, record["_file"], table, column)
                first, second = record["max_first"] or 0, record["max_second"] or 0
                order: str | None
                if first > 12 and second > 12:
                    problems.append(
                        _problem(
                            "error",
                            record["_file"],
                            None,
                            header,
                            "mixes day-first (31/01/2024) and month-first (01/31/2024) dates; fix the column",
                        )
                    )
                    order = None
                elif first > 12:
                    order = "dmy"
                elif second > 12:
                    order = "mdy"
                elif date_order:
                    order = date_order
                else:
                    problems.append(
                        _problem(
                            "error",
                            record["_file"],
                            None,
                            header,
                            f"{record['slash_values']:,} date(s) like 03/04/2024 could be day-first or "
                            "month-first (no part is above 12); choose the date order (--date-order mdy|dmy)",
                        )
                    )
                    order = None
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


def _positions(entry: RecognisedFile) -> dict[str, int]:
    """Canonical column → 0-based position of the file's column."""
    return {
        column: entry.headers.index(header) for header, column in entry.mapping.items()
    }


@contextmanager
def _utf8_copy(entry: RecognisedFile) -> Iterator[Path]:
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
            reader = io.TextIOWrapper(raw, encoding=_codec(entry.encoding), newline="")
            for block in iter(lambda: reader.read(4 * 1024 * 1024), ""):
                target.write(block.encode("utf-8"))
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def _stage_large(cur: store.Connection, index: int, entry: RecognisedFile) -> int:
    """Stage a large CSV with DuckDB's reader, transcoding it to UTF-8 first if needed."""
    if entry.path is None or entry.table is None or entry.delimiter is None:
        raise ValueError(f"{entry.name} is not a large CSV file")
    with _utf8_copy(entry) as path:
        return store.import_stage_csv(
            cur,
            index,
            entry.table,
            str(path),
            positions=_positions(entry),
            n_columns=len(entry.headers),
            delimiter=entry.delimiter,
            file=entry.name,
            source=entry.source,
            kind=entry.kind,
        )


def _stage_surveys(
    cur: store.Connection, entries: list[RecognisedFile], tables: list[str]
) -> list[Problem]:
    """Read survey files with :mod:`workbench.surveys` and stage their responses."""
    surveys = _survey_module()
    assert surveys is not None
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
