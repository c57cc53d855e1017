"""Frames to and from DuckDB by the Arrow C stream interface, as pyarrow gave them.

The store reads its results and offers its frames through that interface so
that an import or a command loads no pyarrow; each must give what the pyarrow
conversion gave before, type for type and value for value.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import duckdb
import polars as pl
import pytest

from workbench.store._base import _frame, _registered

# Every type the schema stores or a statement returns, and some it might.
_EVERY_TYPE = """
SELECT 1::TINYINT AS tiny, 2::SMALLINT AS small, 3::INTEGER AS int,
       4::BIGINT AS big, 5::HUGEINT AS huge, 6::UTINYINT AS utiny, 7::UBIGINT AS ubig,
       1.5::FLOAT AS float, 2.5::DOUBLE AS double, 'NaN'::DOUBLE AS nan,
       3.25::DECIMAL(10, 2) AS dec, 12345678901234.5678::DECIMAL(38, 4) AS wide_dec,
       'Zhang 张' AS text, NULL::VARCHAR AS no_text, '=1+1' AS formula,
       DATE '2024-01-02' AS day, TIMESTAMP '2024-01-02 03:04:05.123456' AS moment,
       TIMESTAMPTZ '2024-01-02 03:04:05+00' AS moment_tz, TIME '03:04:05' AS clock,
       true AS yes, NULL::BOOLEAN AS unknown, [1, 2] AS ints, ['a', NULL] AS texts,
       {'k': 1, 'v': 'x'} AS record, 'b'::mood AS mood, 'ab'::BLOB AS bytes,
       MAP {'k': 1} AS mapping, NULL AS nothing,
       '8f4e7a6c-1d2b-4c3a-9e8f-7a6b5c4d3e2f'::UUID AS id
FROM range(3)
"""


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("CREATE TYPE mood AS ENUM ('a', 'b')")
    return connection


def _same(read: pl.DataFrame, expected: pl.DataFrame) -> None:
    assert read.schema == expected.schema
    assert read.equals(expected, null_equal=True)


@pytest.mark.parametrize(
    "sql",
    [
        _EVERY_TYPE,
        "SELECT 1 AS x WHERE false",  # no rows: the columns' types still
        # the NaN of a double is a value, not a null
        "SELECT CASE WHEN range = 1 THEN 'NaN'::DOUBLE END AS x FROM range(3)",
    ],
)
def test_a_result_reads_as_pyarrow_read_it(
    con: duckdb.DuckDBPyConnection, sql: str
) -> None:
    _same(_frame(con.sql(sql)), con.sql(sql).pl())


def test_names_given_twice_read_as_before(con: duckdb.DuckDBPyConnection) -> None:
    # refused by the stream, suffixed by the pyarrow read
    sql = "SELECT 1 AS name, 2 AS name, 3 AS name"
    _same(_frame(con.sql(sql)), con.sql(sql).pl())
    assert _frame(con.sql("SELECT 1 AS a, 2 AS a")).columns == ["a", "a_1"]


def test_an_interval_fails_as_before_not_with_a_panic(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # polars reads no interval either way; from the stream it panics (an
    # exception no caller expects), by the pyarrow read it says so
    sql = "SELECT INTERVAL 3 DAY AS gap, 1 AS n"
    with pytest.raises(pl.exceptions.ComputeError):
        con.sql(sql).pl()
    with pytest.raises(pl.exceptions.ComputeError):
        _frame(con.sql(sql))


def test_a_frame_is_offered_as_pyarrow_offered_it(
    con: duckdb.DuckDBPyConnection,
) -> None:
    frame = pl.DataFrame(
        {
            "text": ["a", None, "<script>x</script>"],
            "number": [1, None, 3],
            "double": [1.5, None, math.nan],
            "day": [dt.date(2024, 1, 1), None, dt.date(2025, 2, 3)],
            "moment": [dt.datetime(2024, 1, 1, 3), None, None],
            "yes": [True, None, False],
            "category": pl.Series(["p", "q", "p"], dtype=pl.Categorical),
            "choice": pl.Series(["p", None, "q"], dtype=pl.Enum(["p", "q"])),
            "amount": pl.Series([Decimal("1.25"), None, Decimal("3")]).cast(
                pl.Decimal(10, 2)
            ),
            "ints": [[1], [2, 3], None],
        }
    )
    con.register("by_pyarrow", frame.to_arrow())
    with _registered(con, "by_stream", frame):
        # read twice: each scan asks for a stream of its own
        for _ in range(2):
            _same(
                con.sql("SELECT * FROM by_stream").pl(),
                con.sql("SELECT * FROM by_pyarrow").pl(),
            )
        assert con.sql(
            "SELECT count(*) FROM by_stream WHERE text IN (SELECT text FROM by_stream)"
        ).fetchall() == [(2,)]
    # gone after the block
    with pytest.raises(duckdb.CatalogException):
        con.sql("SELECT * FROM by_stream").fetchall()


def test_a_frame_with_a_column_of_nulls_is_offered_too(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # polars' Null type crosses the stream without the validity bitmap DuckDB asks
    frame = pl.DataFrame({"nothing": [None, None], "also": [[None], None], "n": [1, 2]})
    assert frame.schema["nothing"] == pl.Null
    with _registered(con, "nulls", frame):
        assert con.sql("SELECT * FROM nulls ORDER BY n").fetchall() == [
            (None, [None], 1),
            (None, None, 2),
        ]
