from __future__ import annotations

import io
import zipfile
from datetime import date

import polars as pl
import pytest

from workbench import exports

HOSTILE = [
    '=HYPERLINK("http://x","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "<script>alert(1)</script>",
    "plain",
    None,
]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\t=1", "'\t=1"),
        ("a=b", "a=b"),
        ("<b>", "<b>"),
        ("", ""),
        (None, None),
    ],
)
def test_neutralise_formulas(cell, expected):
    frame = pl.DataFrame({"text": [cell]}, schema={"text": pl.String})
    assert exports.neutralise_formulas(frame)["text"][0] == expected


def test_numbers_and_dates_are_untouched():
    frame = pl.DataFrame({"n": [-5.0], "d": [date(2024, 1, 1)]})
    assert exports.neutralise_formulas(frame).equals(frame)


def test_csv_has_bom_and_no_live_formula():
    csv = exports.to_csv_bytes(
        pl.DataFrame({"name": HOSTILE, "n": list(range(len(HOSTILE)))})
    )
    assert csv.startswith(b"\xef\xbb\xbf")
    back = pl.read_csv(io.BytesIO(csv))
    for value in back["name"].drop_nulls():
        assert not value.startswith(exports.FORMULA_TRIGGERS), value


def test_excel_holds_text_not_formulas():
    data = exports.to_excel_bytes(pl.DataFrame({"name": HOSTILE}), sheet_name="a/b:c")
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = next(n for n in book.namelist() if n.startswith("xl/worksheets/sheet"))
        assert b"<f>" not in book.read(sheet), "a cell was written as a formula"
    back = pl.read_excel(io.BytesIO(data))
    assert back["name"][0] == '\'=HYPERLINK("http://x","click")'


def test_lists_are_flattened_for_csv():
    csv = exports.to_csv_bytes(pl.DataFrame({"roles": [["user", "decider"]]}))
    assert b"user; decider" in csv
