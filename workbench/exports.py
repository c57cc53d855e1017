"""Exports that are safe to open in a spreadsheet: CSV and Excel bytes from frames.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by Excel, LibreOffice and Google Sheets as a formula (OWASP "CSV injection").
Every text cell that does is prefixed with a single quote, which spreadsheets show
as text and which a person can still read.

This stays a top-level module rather than part of :mod:`workbench.plans`: the
pages, the command line and plans all export through it; :mod:`workbench.plans.exports`
builds a plan's Markdown, HTML and CSV on top of it.
"""

from __future__ import annotations

import io
import re

import polars as pl

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: URL schemes that run code or smuggle content when a rendered link is followed.
ACTIVE_SCHEMES = ("javascript", "vbscript", "data", "livescript", "mocha", "file")
_ACTIVE_LINK = re.compile(
    # an inline link or image whose destination starts with an active scheme
    r"(!?)\[([^\]\n]*)\]\(\s*<?\s*((?:" + "|".join(ACTIVE_SCHEMES) + r")\s*:[^)\n]*)\)",
    re.IGNORECASE,
)
_ACTIVE_DEFINITION = re.compile(
    # a reference definition "[name]: javascript:..." at the start of a line
    r"^(\s{0,3})\[([^\]\n]+)\]:(?=\s*<?\s*(?:" + "|".join(ACTIVE_SCHEMES) + r")\s*:)",
    re.IGNORECASE | re.MULTILINE,
)
_ACTIVE_SCHEME = re.compile(
    # "javascript:alert(1)" as an autolinker would see it; "Data: 2024" is prose
    r"\b(" + "|".join(ACTIVE_SCHEMES) + r"):(?=\S)",
    re.IGNORECASE,
)
_TRIGGER_PATTERN = r"^[=+\-@\t\r]"


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Return the frame with every formula-like text cell prefixed by a quote.

    Only text columns change; numbers, dates and booleans are written as values.
    """
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_TRIGGER_PATTERN))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )


def _flatten(frame: pl.DataFrame) -> pl.DataFrame:
    # Lists and structs have no CSV form; join lists with "; " and JSON-encode structs.
    columns = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.List):
            columns.append(pl.col(name).cast(pl.List(pl.String)).list.join("; "))
        elif isinstance(dtype, pl.Struct):
            columns.append(pl.col(name).struct.json_encode())
        elif dtype == pl.Object:
            columns.append(pl.col(name).map_elements(str, return_dtype=pl.String))
        else:
            columns.append(pl.col(name))
    return frame.select(columns)


def to_csv_bytes(frame: pl.DataFrame) -> bytes:
    """Return the frame as UTF-8 CSV with a byte-order mark, formulas neutralised.

    The mark makes Excel read Chinese and accented text correctly.
    """
    safe = neutralise_formulas(_flatten(frame))
    return b"\xef\xbb\xbf" + safe.write_csv().encode("utf-8")


def to_excel_bytes(frame: pl.DataFrame, sheet_name: str = "data") -> bytes:
    """Return the frame as an .xlsx workbook, formulas neutralised, text as text."""
    safe = neutralise_formulas(_flatten(frame))
    buffer = io.BytesIO()
    # Sheet names cannot hold []:*?/\ and are at most 31 characters.
    clean_sheet = "".join(c for c in sheet_name if c not in "[]:*?/\\")[:31] or "data"
    safe.write_excel(buffer, worksheet=clean_sheet, autofit=True)
    return buffer.getvalue()


def defuse_links(text: str) -> str:
    """Return Markdown text in which no link can run code when it is rendered.

    A link or image to ``javascript:``, ``vbscript:``, ``data:`` (and the other
    :data:`ACTIVE_SCHEMES`) keeps its words and shows its target as plain text
    ("click (link removed: javascript:…)"); a reference definition to one is
    escaped so it stays text. Any other mention of such a scheme gets a word
    joiner before its colon, so no renderer, autolinker or later edit can turn
    it into a live link, while a reader still sees the same characters
    ("Data: 2024", with a space, is prose and stays as it is). Links
    to ``http``, ``https`` and ``mailto`` are left alone.
    """

    def removed(match: re.Match[str]) -> str:
        words = match.group(2) or "link"
        return f"{words} (link removed: {match.group(3).strip()})"

    text = _ACTIVE_LINK.sub(removed, text)
    text = _ACTIVE_DEFINITION.sub(r"\1\\[\2\\]:", text)
    return _ACTIVE_SCHEME.sub("\\1\u2060:", text)
