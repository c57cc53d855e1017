"""The command line's JSON: a document whose tables are written by polars.

``--json`` prints one document, indented by two spaces; its tables (every
account of ``workbench segment``, every row of ``effort`` or ``nps``) are
lists of one object per row. Python's ``json`` indents in Python, value by
value: at 10,000 accounts of 60 columns, turning the rows into dictionaries
and writing them took 0.5 s of the command's 1.4 s, and 4.5 s at 100,000.
Here a table is a polars frame in the document, and each of its values is
written by polars' JSON encoder in one pass over the column; the text around
the values (the keys, the indentation) is joined by polars too.

The document reads back as it did (``json.loads`` gives the same values,
tested): strings are escaped as ``json.dumps(..., ensure_ascii=False)``
escapes them, dates are ISO text, and every float is written in its
shortest exact form, which may spell an exponent differently (``1e-7`` for
Python's ``1e-07``). A table with a type this does not write as Python did
(a timestamp, a list, a decimal, a float that is not finite) goes through
Python's rows as before.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import polars as pl

#: Types written by polars as ``to_dicts`` and ``json.dumps(default=str)`` wrote them.
_WRITTEN = (
    pl.String,
    pl.Boolean,
    pl.Date,
    pl.Null,
    pl.Int8,
    pl.Int16,
    pl.Int32,
    pl.Int64,
    pl.UInt8,
    pl.UInt16,
    pl.UInt32,
    pl.UInt64,
    pl.Float64,
)
#: Written after a cast: a category as its text, a 32-bit float as the 64-bit
#: float ``to_dicts`` gave (0.10000000149011612, not the shortest 0.1).
_CAST: dict[Any, Any] = {
    pl.Categorical: pl.String,
    pl.Enum: pl.String,
    pl.Float32: pl.Float64,
}
_INDENT = 2


def document_text(document: Any) -> str:
    """Return ``document`` as indented JSON (dates as ISO text, text unescaped).

    As ``json.dumps(document, ensure_ascii=False, default=str, indent=2)``,
    where a polars frame anywhere in it stands for the list of its rows.
    """
    token = uuid.uuid4().hex
    frames: list[pl.DataFrame] = []

    def placed(value: Any) -> Any:
        if not isinstance(value, pl.DataFrame):
            return str(value)
        written = _writable(value)
        if written is None:
            return value.to_dicts()
        frames.append(written)
        return f"{token}:{len(frames) - 1}"

    text = json.dumps(document, ensure_ascii=False, default=placed, indent=_INDENT)
    for number, frame in enumerate(frames):
        mark = json.dumps(f"{token}:{number}")
        at = text.index(mark)
        line = text[text.rfind("\n", 0, at) + 1 : at]
        depth = len(line) - len(line.lstrip(" "))
        text = text[:at] + _rows_text(frame, depth) + text[at + len(mark) :]
    return text


def _writable(frame: pl.DataFrame) -> pl.DataFrame | None:
    """Return ``frame`` as polars writes it as Python did, or None when it cannot."""
    if frame.width == 0:
        return None
    cast = [
        pl.col(name).cast(_CAST[dtype.base_type()])
        for name, dtype in frame.schema.items()
        if dtype.base_type() in _CAST
    ]
    frame = frame.with_columns(cast) if cast else frame
    if not all(dtype in _WRITTEN for dtype in frame.dtypes):
        return None
    floats = [name for name, dtype in frame.schema.items() if dtype == pl.Float64]
    # Python writes NaN and Infinity (not JSON); the store gives none, but a
    # frame that holds one is written by Python, as before
    if (
        floats
        and not frame.select(
            pl.all_horizontal(pl.col(floats).is_finite() | pl.col(floats).is_null())
            .all()
            .fill_null(True)
        ).item()
    ):
        return None
    return frame


def _rows_text(frame: pl.DataFrame, depth: int) -> str:
    """Return the frame's rows as ``json.dumps`` indents a list starting at ``depth``."""
    if frame.height == 0:
        return "[]"
    row_pad = " " * (depth + _INDENT)
    key_pad = "\n" + " " * (depth + 2 * _INDENT)
    parts: list[pl.Expr | str] = []
    for position, name in enumerate(frame.columns):
        key = json.dumps(name, ensure_ascii=False)
        parts.append(f"{',' if position else ''}{key_pad}{key}: ")
        parts.append(_value_text(name))
    between = f"\n{row_pad}}},\n{row_pad}{{"
    body = frame.select(
        pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in parts])
        .str.join(between)
        .alias("rows")
    ).item()
    return f"[\n{row_pad}{{{body}\n{row_pad}}}\n{' ' * depth}]"


def _value_text(name: str) -> pl.Expr:
    """Return the JSON text of each value of column ``name``, as polars writes it."""
    # a one-field object per row, {"v":…}, whose value is cut out of it
    return (
        pl.struct(pl.col(name).alias("v"))
        .struct.json_encode()
        .str.strip_prefix('{"v":')
        .str.strip_suffix("}")
    )
