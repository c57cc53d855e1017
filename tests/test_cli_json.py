"""The command line's JSON: the same text as Python's indented encoder writes, faster.

``--json`` documents are read by scripts and people; their shape is a contract,
and so is their text: a script may compare two runs' outputs byte for byte.
"""

from __future__ import annotations

import datetime
import decimal
import json
from pathlib import Path
from typing import Any

import pytest

from workbench import api
from workbench.analytics import segment
from workbench.cli._output import json_text


def _python_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, indent=2)


DOCUMENTS: list[Any] = [
    {},
    [],
    "text",
    3,
    None,
    {"empty dict": {}, "empty list": [], "list of empties": [[], {}]},
    [[1, [2, [3, {}]]]],
    {"a": 1, "b": [1, 2, {"c": None, "d": [True, False]}]},
    {"small": 1.5e-7, "nan": float("nan"), "inf": float("-inf"), "big": 10**20},
    {"中文": "华东汽车 <script>alert(1)</script>", "=1+1": 'line\nbreak\t"q"\\'},
    {"day": datetime.date(2026, 1, 2), "at": datetime.datetime(2026, 1, 2, 3, 4, 5)},
    {"amount": decimal.Decimal("1.10"), "pair": (1, (2, 3))},
    # keys that are not text (Python writes them as text)
    {1: 2, "rows": [{None: 3, 1.5: "x", True: []}]},
    {"rows": [{"a": 1, "b": "x"}, {"a": 2, "b": None}], "n": 2},
    {"deep": {"deeper": {"deepest": [{"a": [1]}, {"b": {"c": {}}}]}}},
]


@pytest.mark.parametrize("document", DOCUMENTS, ids=range(len(DOCUMENTS)))
def test_the_text_is_pythons_character_for_character(document: Any) -> None:
    assert json_text(document) == _python_text(document)


def test_a_segment_document_is_written_as_python_writes_it(demo_db: Path) -> None:
    # the shape ``workbench segment --json`` prints: settings, then a row per account
    with api.open_workbench(demo_db) as wb:
        thresholds = segment.Thresholds()
        as_of = wb.as_of(None)
        rows = segment.account_table(wb.segments(thresholds, as_of)).to_dicts()
    document = {"as_of": as_of, "thresholds": thresholds.to_dict(), "accounts": rows}
    assert len(rows) > 10
    assert json_text(document) == _python_text(document)
