"""The import's number and date readers give each spelling its value (or none)."""

from __future__ import annotations

import datetime as dt

import pytest

from workbench import store
from workbench.store.imports.staging import import_begin

NUMBERS = [
    ("1,200,000.00", 1_200_000.0),
    ("1.200.000,00", 1_200_000.0),
    ("$1.2M", 1_200_000.0),
    ("120万", 1_200_000.0),
    ("12k", 12_000.0),
    ("3 亿", 300_000_000.0),
    ("EUR 300", 300.0),
    ("10%", 10.0),
    (" 7 ", 7.0),
    ("1,5", 1.5),
    ("-5", -5.0),
    ("10.0", 10.0),
    ("nan", None),
    ("inf", None),
    ("Infinity", None),
    ("1e400", None),
    ("abc", None),
    ("", None),
    (None, None),
]

DATES = [
    ("2024-03-01", None, dt.date(2024, 3, 1)),
    ("2024-03-01 10:00:00", None, dt.date(2024, 3, 1)),
    ("2024-03-01T10:00:00Z", None, dt.date(2024, 3, 1)),
    ("01.03.2024", None, dt.date(2024, 3, 1)),
    ("2024年3月1日", None, dt.date(2024, 3, 1)),
    ("2024/3/1 10:00", None, dt.date(2024, 3, 1)),
    ("03/04/2024", None, None),
    ("03/04/2024", "mdy", dt.date(2024, 3, 4)),
    ("03/04/2024", "dmy", dt.date(2024, 4, 3)),
    ("13/04/2024", "mdy", None),
    ("x", None, None),
    (None, "dmy", None),
]


@pytest.fixture
def cur(tmp_path):
    con = store.connect(tmp_path / "macros.duckdb")
    cursor = con.cursor()
    import_begin(cursor)
    yield cursor
    cursor.close()
    con.close()


@pytest.mark.parametrize(("text", "expected"), NUMBERS)
def test_numbers_as_people_write_them(cur, text, expected):
    assert cur.sql("SELECT wb_num($t::VARCHAR)", params={"t": text}).fetchall() == [
        (expected,)
    ]


@pytest.mark.parametrize(("text", "order", "expected"), DATES)
def test_dates_as_people_write_them(cur, text, order, expected):
    found = cur.sql(
        "SELECT wb_date($t::VARCHAR, $o::VARCHAR)", params={"t": text, "o": order}
    ).fetchall()
    assert found == [(expected,)]


def test_a_column_of_mixed_numbers_reads_row_by_row(cur):
    # The plain and the spelled-out values side by side in one column: each
    # row takes its own branch of the reader.
    texts = [t for t, _ in NUMBERS]
    found = cur.sql(
        "SELECT wb_num(t) FROM unnest($t::VARCHAR[]) WITH ORDINALITY AS u(t, i) "
        "ORDER BY i",
        params={"t": texts},
    ).fetchall()
    assert [v for (v,) in found] == [e for _, e in NUMBERS]
