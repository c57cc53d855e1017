"""The command line's JSON: tables written by polars read back as Python wrote them."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from workbench.cli._json import document_text

HOSTILE = [
    '<img src=x onerror=alert(1)><script>alert("x")</script>',
    '=HYPERLINK("http://evil","click")',
    "'; DROP TABLE accounts;--",
    'quote " and back\\slash',
    "tab\tnew\nline\rreturn\x00nul\x1funit\x7fdel",
    "中文 客户 \u2028 line separator \U0001f600",
    "",
    None,
]


def _as_python_wrote(document: Any) -> str:
    """What ``--json`` printed before: every frame turned into its rows first."""

    def rows(value: Any) -> Any:
        if isinstance(value, pl.DataFrame):
            return value.to_dicts()
        if isinstance(value, dict):
            return {k: rows(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rows(v) for v in value]
        return value

    return json.dumps(rows(document), ensure_ascii=False, default=str, indent=2)


def _table(height: int = len(HOSTILE)) -> pl.DataFrame:
    numbers = [0.1, 1e-7, None, -0.0, 1e22, 123456789.123, 5e-324, 2.5]
    return pl.DataFrame(
        {
            "account_id": [f"A{i:05d}" for i in range(height)],
            "name": HOSTILE[:height],
            "revenue": numbers[:height],
            "contacts": pl.Series([1, None, 3, 0, -5, 2**40, 7, 8][:height]),
            "ranked": pl.Series(list(range(height)), dtype=pl.UInt32),
            "created_on": [dt.date(2024, 1, 2), None, *[dt.date(1999, 12, 31)] * 6][
                :height
            ],
            "engaged": [True, False, None, True, True, False, None, True][:height],
            "segment": pl.Series(
                ["a", None, "b", "a", "a", "b", "a", "a"][:height]
            ).cast(pl.Categorical),
            "share": pl.Series(
                [0.1, None, 2.5, 1.0, 3.3, 0.0, 1e-3, 9.0][:height]
            ).cast(pl.Float32),
            "nothing": pl.Series([None] * height, dtype=pl.Null),
        }
    )


def test_a_document_with_tables_reads_back_as_python_wrote_it() -> None:
    table = _table()
    document = {
        "as_of": dt.date(2026, 9, 30),
        "thresholds": {"hourly_cost": 90.0, "valuable_mode": "percent"},
        "accounts": table,
        "nested": [table.head(2), {"inner": table.head(1)}, []],
        "count": 3,
    }
    written = document_text(document)
    before = _as_python_wrote(document)
    assert json.loads(written) == json.loads(before)
    # the text too, but for the shortest spelling of a small exponent
    assert written == before.replace("1e-07", "1e-7")


def test_a_table_alone_and_an_empty_one() -> None:
    table = _table(3)
    assert document_text(table) == _as_python_wrote(table).replace("1e-07", "1e-7")
    empty = table.head(0)
    assert document_text({"rows": empty}) == _as_python_wrote({"rows": empty})
    assert document_text(empty) == "[]"


def test_the_float32_values_are_the_ones_to_dicts_gave() -> None:
    # 0.1 as a 32-bit float is 0.10000000149011612 as a Python float
    table = pl.DataFrame({"share": pl.Series([0.1], dtype=pl.Float32)})
    assert json.loads(document_text(table)) == table.to_dicts()
    assert "0.10000000149011612" in document_text(table)


@pytest.mark.parametrize(
    "column",
    [
        pl.Series("at", [dt.datetime(2024, 1, 2, 3, 4, 5, 6)]),
        pl.Series("ids", [["a", "b"]]),
        pl.Series("amount", [Decimal("12.50")]),
        pl.Series("ratio", [math.nan]),
        pl.Series("ratio", [math.inf]),
    ],
)
def test_a_type_polars_writes_otherwise_goes_through_python(column) -> None:
    # a timestamp's text, a list, a decimal (as text) and NaN or Infinity (not
    # JSON, but what Python printed) stay as they were
    table = pl.DataFrame([pl.Series("id", ["A1"]), column])
    assert document_text({"rows": table}) == _as_python_wrote({"rows": table})


def test_a_value_spelled_like_the_placeholder_is_left_alone() -> None:
    # the placeholder is a random token per document: a cell cannot name it
    table = pl.DataFrame({"name": ["frame:0", "0"]})
    document = {"a": table, "b": "frame:0", "c": table}
    assert json.loads(document_text(document)) == json.loads(_as_python_wrote(document))


def test_a_table_without_columns() -> None:
    table = pl.DataFrame({"x": [1, 2]}).select()
    assert document_text(table) == _as_python_wrote(table)
