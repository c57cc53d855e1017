"""Medium CSV files (1–16 MB) read by DuckDB's reader instead of Python's parser.

Python's ``csv`` module parses a 14 MB export (250,000 contacts) in about a
second and holds every cell as a Python string for a while; DuckDB's reader
stages the same file in a tenth of that. The two readers agree on well-formed
CSV (quoted delimiters, doubled quotes, quoted line breaks, short rows padded);
where they could differ, the file is read by Python as before:

* a carriage return that does not end a line (Python ends the row there),
* a blank row, or a row of empty fields (Python drops it, and the data rows
  after it are numbered without it),
* a quote inside an unquoted value, a NUL character,
* a header with a quoted line break, an encoding other than UTF-8,
* anything DuckDB's reader refuses or reads as more fields than the header
  (Python's parser then words the refusal, as it always has).

Only files that need no reshaping of their rows qualify: HubSpot files (several
IDs in one cell, durations, association tables), surveys, Salesforce report
exports and Salesforce activities without ``AccountId`` keep Python's frame
(see :func:`needs_frame`).
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from pathlib import Path

import polars as pl

from workbench.errors import RejectedInputError
from workbench.ingest import inputs, sources, surveys
from workbench.ingest.garbled import garbled_text
from workbench.ingest.inputs import InputFile
from workbench.ingest.read import (
    TEXT_SUFFIXES,
    TableFile,
    decode_text,
    looks_binary,
    sniff_delimiter,
    unique_headers,
)

#: CSV files from this size up to the large-file size are read by DuckDB when plain.
MEDIUM_FILE_BYTES = 1024 * 1024

# Normalised headers of association tables (HubSpot): their rows fill other files.
_ASSOCIATION_HEADERS = {"dealid", "contactid", "engagementid"}


def is_medium(item: InputFile) -> bool:
    """Return whether an input is a CSV file held in memory of the medium size."""
    return (
        item.data is not None
        and MEDIUM_FILE_BYTES <= len(item.data) <= inputs.LARGE_FILE_BYTES
        and item.name.lower().endswith(TEXT_SUFFIXES)
        and not item.data.startswith((b"PK\x03\x04", b"PAR1"))
    )


def plain_csv(text: str, delimiter: str) -> bool:
    """Return whether DuckDB's reader reads ``text`` row for row as Python's does."""
    if "\x00" in text:
        return False
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return False  # a lone carriage return
    body = text[:-2] if text.endswith("\r\n") else text.removesuffix("\n")
    field = _CLASS_ESCAPES.get(delimiter, delimiter)
    # Each pattern starts with a literal character, so that Python's engine
    # jumps from one newline or quote to the next (about 25 ms for 15 MB) and
    # holds nothing; polars' engine took 75 ms and kept about 65 MB of the
    # process's memory for the rest of the import.
    blank_first = rf'\A(?:""|{field}|[ \t])*\r?(?:\n|\Z)'
    blank_later = rf'\n(?:""|{field}|[ \t])*\r?(?:\n|\Z)'
    stray = rf'"(?<=[^{field}\r\n"]")[^{field}\r\n"]'
    # a blank row or a row of empty fields (Python drops it, and numbers the
    # rows after it without it); a quote with an ordinary character on both
    # sides (inside an unquoted value)
    return not any(
        re.search(pattern, body) for pattern in (blank_first, blank_later, stray)
    )


#: Delimiters as they are written inside a character class of a regular expression.
_CLASS_ESCAPES = {"\t": r"\t", "|": r"\|"}


def header_only(item: InputFile, encoding: str | None) -> TableFile | None:
    """Return a plain medium CSV file's header as an empty frame; None to read it whole.

    The encoding, delimiter and mojibake warning are found as for a file read
    whole (the whole text is decoded); only the rows are left to DuckDB.
    """
    assert item.data is not None
    try:
        text, used = decode_text(item.name, item.data, encoding)
    except RejectedInputError:
        return None  # the whole read refuses it, in its own words
    if used not in {"utf-8", "ascii"} or not text.strip() or looks_binary(text):
        return None
    delimiter = (
        "\t" if item.name.lower().endswith((".tsv", ".tab")) else sniff_delimiter(text)
    )
    if not plain_csv(text, delimiter):
        return None
    try:
        first = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except (csv.Error, StopIteration):
        return None
    if len(first) < 2 or any("\n" in h or "\r" in h for h in first):
        return None
    headers = unique_headers(first)
    if len(set(headers)) != len(headers):
        return None
    garbled = garbled_text(item.data, text, used)
    return TableFile(
        item.name,
        pl.DataFrame(schema=dict.fromkeys(headers, pl.String)),
        used,
        delimiter,
        warning=f"{item.name}: {garbled.text()}" if garbled is not None else None,
        garbled=garbled,
    )


def needs_frame(headers: list[str], source: str, all_headers: list[list[str]]) -> bool:
    """Return whether a file's rows must be read into a frame before staging.

    ``all_headers`` are the headers of every file of the import: an association
    table among them fills other files' frames.
    """
    if source in {"hubspot", "survey"} or surveys.looks_like_survey(headers):
        return True
    normal = {sources.normalise_header(h) for h in headers}
    if source == "salesforce" and "whatid" in normal and "accountid" not in normal:
        return True  # a task's account read from its WhatId (vendor_shapes)
    prefixed = [h for h in headers if re.match(r"^[A-Za-z][\w ]*: .+", h)]
    if len(prefixed) >= 2:
        return True  # a Salesforce report export, split per object
    return any(
        "companyid" in normal or len(_ASSOCIATION_HEADERS & normal) >= 2
        for normal in (
            {sources.normalise_header(h) for h in file_headers}
            for file_headers in all_headers
        )
    )


def spill(item: InputFile, folder: Path) -> Path:
    """Write a medium file's bytes to ``folder`` for DuckDB's reader; return the path."""
    assert item.data is not None
    # a name of its own: the folder also holds files taken out of archives, and
    # spilled files are removed again as the proposal goes on
    handle, name = tempfile.mkstemp(prefix="medium-", suffix=".csv", dir=folder)
    with os.fdopen(handle, "wb") as target:
        target.write(item.data)
    return Path(name)
