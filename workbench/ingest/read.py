"""Reading export files: bytes in, all-text polars frames out.

Decodes (UTF-8 first, then a guess among GB18030, Big5 and Windows-1252, or the
encoding the user names), sniffs delimiters, reads CSV/TSV, Excel, Parquet and
Salesforce CLI JSON trees, and turns every unreadable input into a
:class:`~workbench.errors.RejectedInputError` with a message a person can act on.
Nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

import polars as pl
from charset_normalizer import from_bytes

from workbench.domain import FILE_REFUSAL, Wording
from workbench.errors import RejectedInputError
from workbench.i18n import N_
from workbench.ingest.garbled import (
    garbled_text,
    normalise_encoding_name,
)
from workbench.ingest.problems import worded

#: Largest single file accepted by default, in bytes (uploads are limited by
#: Streamlit too, to far less).
MAX_FILE_BYTES = 1024 * 1024 * 1024
#: Sets the largest single file in MB instead: for a machine that imports larger
#: exports from a path (a 20-million-row activity export is about 1.3 GB).
MAX_FILE_ENV_VAR = "WORKBENCH_MAX_FILE_MB"
#: Largest total of the files inside one zip archive, in bytes (zip bombs): five
#: times the app's 200 MB upload limit, and no more than the largest single file.
#: Declared sizes are added up before anything is unpacked, and real bytes are
#: counted while members are copied to disk (see workbench.ingest.inputs).
MAX_ZIP_TOTAL_BYTES = 1024 * 1024 * 1024
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
        warning: what looks wrong with the decoded text (mojibake), else ``None``.
    """

    name: str
    frame: pl.DataFrame
    encoding: str
    delimiter: str | None
    sobject: str | None = None
    warning: str | None = None
    #: ``warning`` without the file's name, worded for the reader's language.
    garbled: Wording | None = None


def safe_file_name(file_name: str) -> str:
    """Return only the base name of an uploaded file's name (no folders, no ``..``)."""
    base = PureWindowsPath(PurePosixPath(str(file_name)).name).name
    base = base.replace("\x00", "").strip()
    if base in {"", ".", ".."}:
        return "upload"
    return base


def max_file_bytes() -> int:
    """Return the largest single file accepted: ``$WORKBENCH_MAX_FILE_MB`` or 1 GB.

    Raises:
        RejectedInputError: the setting is not a whole, positive number of
            megabytes (the import is refused with that sentence, not a traceback).
    """
    configured = os.environ.get(MAX_FILE_ENV_VAR, "").strip()
    if not configured:
        return MAX_FILE_BYTES
    if not configured.isdigit() or int(configured) == 0:
        raise RejectedInputError(
            f"{MAX_FILE_ENV_VAR} must be a whole number of megabytes above zero, "
            f"not {configured!r}"
        )
    return int(configured) * 1_048_576


def check_size(name: str, size: int, limit: int | None = None) -> None:
    """Raise :class:`RejectedInputError` when a file is larger than the limit."""
    limit = max_file_bytes() if limit is None else limit
    if size > limit:
        raise file_refused(
            name,
            worded(
                N_(
                    "the file is {size} MB, more than the limit of {limit} MB; "
                    "split it or export fewer columns."
                ),
                size=f"{size / 1_048_576:,.1f}",
                limit=f"{limit / 1_048_576:,.0f}",
            ),
        )


def file_refused(name: str, reason: str | Wording) -> RejectedInputError:
    """Return the refusal of one file, ``name: reason``, the reason worded.

    ``str()`` of the error is the English sentence; the Import page and the
    command line say the reason in the reader's language (``refusal_text``).
    """
    return RejectedInputError(
        Wording(FILE_REFUSAL, (("file", name), ("reason", reason)))
    )


@contextmanager
def refused(
    name: str,
    errors: type[BaseException] | tuple[type[BaseException], ...],
    reason: Callable[[Any], str | Wording],
) -> Iterator[None]:
    """Turn a reader's own error into a RejectedInputError naming the file and why.

    ``reason`` words the caught error (after ``name: ``); the error is chained.
    """
    try:
        yield
    except errors as error:
        raise file_refused(name, reason(error)) from error


def _unreadable_as(what: str | Wording, error: BaseException) -> Wording:
    return worded(
        N_("cannot be read as {what} ({error})."),
        what=what,
        error=error.__class__.__name__,
    )


def decode_text(name: str, data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)``: UTF-8 first, then a guess, or the given encoding.

    Raises:
        RejectedInputError: the bytes are not text in the given or guessed encoding.
    """
    if encoding:
        with refused(
            name,
            (UnicodeDecodeError, LookupError),
            lambda error: worded(
                N_(
                    "cannot be read as {encoding} ({error}); "
                    "try another encoding ({choices})."
                ),
                encoding=encoding,
                error=error.__class__.__name__,
                choices=", ".join(ENCODING_CHOICES),
            ),
        ):
            return data.decode(codec_name(encoding)).lstrip("\ufeff"), encoding.lower()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        with refused(
            name,
            UnicodeDecodeError,
            lambda error: worded(
                N_("the file starts like UTF-16 text but is not ({reason})."),
                reason=error.reason,
            ),
        ):
            return data.decode("utf-16").lstrip("\ufeff"), "utf-16"
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
            return data.decode(guess), normalise_encoding_name(guess)
        except (UnicodeDecodeError, LookupError):
            continue
    raise file_refused(name, worded(N_("the file is not text in any known encoding.")))


def codec_name(encoding: str) -> str:
    """Return the Python codec for an encoding as people name it."""
    # Salesforce and Excel users say "GBK" or "UTF-8 BOM"; Python wants codec names.
    lowered = encoding.strip().lower().replace(" ", "-")
    return {"utf-8-bom": "utf-8-sig", "utf8": "utf-8-sig", "utf-8": "utf-8-sig"}.get(
        lowered, lowered
    )


#: Control characters other than tab, line feed, form feed and carriage return.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


def looks_binary(text: str) -> bool:
    """Return whether decoded text looks like a binary file, not a table."""
    sample = text[:_SNIFF_CHARS]
    if "\x00" in sample:
        return True
    controls = len(_CONTROL_CHARACTERS.findall(sample))
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


def unique_headers(headers: list[str]) -> list[str]:
    """Return the headers with repeats and blanks made unique."""
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
    headers = unique_headers(rows[0])
    body = rows[1:]
    widths = pl.Series("width", list(map(len, body)), dtype=pl.Int64)
    # Report exports drop trailing empty fields, so short rows are padded with
    # nulls; a row with MORE fields than the header is misread data.
    bad = widths > len(headers)
    if bad.any():
        positions = bad.arg_true().head(5).to_list()
        first = positions[0]
        raise file_refused(
            name,
            worded(
                N_(
                    "row {row} has {fields} fields but the header has {columns} "
                    "(ragged rows at data rows {rows}); check the delimiter and "
                    "quoting, or re-export the file."
                ),
                row=first + 1,
                fields=len(body[first]),
                columns=len(headers),
                rows=", ".join(str(p + 1) for p in positions),
            ),
        )
    short = widths < len(headers)
    if short.any():
        padding = [""] * len(headers)
        body = [row + padding[len(row) :] for row in body]
    keep = list(filter(any, body))  # rows with a non-empty field
    # Row-wise construction: transposing the rows into Python column lists
    # first cost several times the parsing itself.
    frame = pl.DataFrame(keep, schema=dict.fromkeys(headers, pl.String), orient="row")
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
        raise file_refused(name, worded(N_("the file is empty.")))
    if looks_binary(text):
        raise file_refused(
            name,
            worded(
                N_(
                    "the file holds binary data, not text; export it as CSV, "
                    "Excel (.xlsx) or Parquet."
                )
            ),
        )
    chosen = delimiter or (
        "\t" if name.lower().endswith((".tsv", ".tab")) else sniff_delimiter(text)
    )
    with refused(
        name,
        csv.Error,
        lambda error: worded(
            N_(
                "the file is not valid CSV ({reason}); a quote may be unclosed "
                "or a field may hold a stray quote."
            ),
            reason=str(error),
        ),
    ):
        rows = list(
            csv.reader(io.StringIO(text, newline=""), delimiter=chosen, strict=True)
        )
    rows = _drop_leading_blank_rows(rows)
    if not rows:
        raise file_refused(name, worded(N_("the file is empty.")))
    frame = _frame_from_rows(name, rows)
    return TableFile(name=name, frame=frame, encoding="utf-8", delimiter=chosen)


def _drop_leading_blank_rows(rows: list[list[str]]) -> list[list[str]]:
    start = 0
    while start < len(rows) and not any(cell.strip() for cell in rows[start]):
        start += 1
    return rows[start:]


def _read_excel(name: str, data: bytes) -> TableFile:
    # The Excel reader raises many kinds of error.
    with refused(
        name,
        Exception,
        lambda error: _unreadable_as(worded(N_("an Excel workbook")), error),
    ):
        frame = pl.read_excel(io.BytesIO(data), infer_schema_length=0)
    frame = frame.rename(
        dict(zip(frame.columns, unique_headers(frame.columns), strict=True))
    )
    return TableFile(
        name=name,
        frame=_clean_text(_stringify(frame)),
        encoding="utf-8",
        delimiter=None,
    )


def _read_parquet(name: str, data: bytes) -> TableFile:
    # pyarrow and polars raise many kinds of error.
    with refused(name, Exception, lambda error: _unreadable_as("Parquet", error)):
        frame = pl.read_parquet(io.BytesIO(data))
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
    with (
        refused(
            name,
            json.JSONDecodeError,
            lambda error: worded(
                N_("not valid JSON (line {line}, column {column}: {reason})."),
                line=error.lineno,
                column=error.colno,
                reason=error.msg,
            ),
        ),
        refused(
            name,
            RecursionError,
            lambda _error: worded(
                N_("the JSON nests too deeply to be a table of records; refused.")
            ),
        ),
    ):
        document = json.loads(text)
    sobject: str | None = None
    if isinstance(document, dict) and isinstance(document.get("records"), list):
        records = document["records"]
    elif isinstance(document, list):
        records = document
    else:
        raise file_refused(
            name,
            worded(
                N_("JSON must be a list of records or a Salesforce CLI tree ({tree})."),
                tree='{"records": [...]}',
            ),
        )
    if not records:
        raise file_refused(name, worded(N_("the JSON file holds no records.")))
    if not all(isinstance(record, dict) for record in records):
        raise file_refused(name, worded(N_("every JSON record must be an object.")))
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
    headers = unique_headers(list(dict.fromkeys(key for row in flat for key in row)))
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
        raise file_refused(name, worded(N_("the file is empty.")))
    lowered = name.lower()
    if data.startswith(b"PAR1") or lowered.endswith(PARQUET_SUFFIXES):
        return _read_parquet(name, data)
    if data.startswith(b"PK\x03\x04") or lowered.endswith(EXCEL_SUFFIXES):
        if data.startswith(b"PK\x03\x04") and not is_xlsx(data):
            raise file_refused(
                name,
                worded(
                    N_(
                        "a zip archive holds several files; upload it as a .zip "
                        "(the import reads every table inside)."
                    )
                ),
            )
        return _read_excel(name, data)
    text, used = decode_text(name, data, encoding)
    if lowered.endswith(JSON_SUFFIXES) or (
        not lowered.endswith(TEXT_SUFFIXES) and text.lstrip()[:1] in {"{", "["}
    ):
        if looks_binary(text):
            raise file_refused(
                name, worded(N_("the file holds binary data, not JSON."))
            )
        table = _read_json(name, text)
    else:
        table = _read_delimited(name, text, delimiter)
    garbled = garbled_text(data, text, used)
    return TableFile(
        name=name,
        frame=table.frame,
        encoding=used,
        delimiter=table.delimiter,
        sobject=table.sobject,
        warning=f"{name}: {garbled.text()}" if garbled is not None else None,
        garbled=garbled,
    )


def is_xlsx(data: bytes) -> bool:
    """Return whether the bytes are an Excel workbook (a zip holding a workbook part)."""
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
