"""Orders, ranks and places on arrays give what polars' sorts and ranks give.

The segmentation sorts and ranks a few columns at every slider move on arrays
(:mod:`workbench.analytics.orders`); polars states the rule. Compared on
values with many ties, zeros and minus zeros, NULLs and accounts without data,
and on frames with a NaN (sorted in polars then).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from workbench.analytics import overview
from workbench.analytics import target as target_module
from workbench.analytics.cost_arrays import _percentile
from workbench.analytics.orders import (
    average_places,
    descending_order,
    ordinal_places,
    ordinal_ranks,
    stable_order,
)
from workbench.analytics.value import ranked_inputs

SIZES = [0, 1, 2, 50, 3_000]


def _with_ties(size: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = np.round(rng.normal(size=size) * 3) * 1000.0  # many equal values
    values[rng.random(size) < 0.2] = 0.0
    values[rng.random(size) < 0.05] = -0.0
    return values


def _with_nulls(size: int, seed: int) -> pl.Series:
    values = pl.Series("v", _with_ties(size, seed))
    nulls = np.random.default_rng(seed + 7).random(size) < 0.1
    return values.scatter(np.flatnonzero(nulls), None) if size else values


@pytest.mark.parametrize("size", SIZES)
def test_orders_ranks_and_places_as_polars(size):
    values = _with_ties(size, seed=size)
    ranked = np.random.default_rng(size + 1).random(size) < 0.8
    frame = pl.DataFrame({"v": values, "ranked": ranked})
    order = descending_order(values)
    expected_order = frame.select(
        pl.arg_sort_by("v", descending=True, maintain_order=True)
    ).to_series()
    assert order.tolist() == expected_order.to_list()
    ascending = frame.select(pl.arg_sort_by("v", maintain_order=True)).to_series()
    assert stable_order(values).tolist() == ascending.to_list()
    expected_ranks = frame.select(
        pl.when(pl.col("ranked")).then(pl.col("v")).rank("ordinal", descending=True)
    ).to_series()
    ranks = ordinal_ranks(ordinal_places(order, ranked))
    assert ranks.to_list() == expected_ranks.to_list()
    assert ranks.dtype == expected_ranks.dtype
    expected_places = frame.select(
        target_module._percentile("v", pl.col("ranked"))
    ).to_series()
    places = pl.Series(_percentile(values, order, ranked), nan_to_null=True)
    assert places.to_list() == expected_places.to_list()
    ordered = np.sort(values)
    average = pl.Series(ordered).rank("average")
    assert average_places(ordered).tolist() == average.to_list()


def _polars_row_orders(frame: pl.DataFrame) -> tuple[list[int], list[int]]:
    by_contribution = frame.select(
        pl.arg_sort_by("contribution", descending=True, maintain_order=True)
    ).to_series()
    by_revenue = (
        frame.select(pl.col("revenue"))
        .with_row_index("_row")
        .filter(pl.col("revenue").is_not_null())
        .sort("revenue", descending=True, maintain_order=True)
        .get_column("_row")
    )
    return by_contribution.to_list(), by_revenue.to_list()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("nan", [False, True])
def test_row_orders_as_polars_sorts(size, nan):
    frame = pl.DataFrame(
        [
            _with_nulls(size, size).alias("contribution"),
            _with_nulls(size, size + 3).alias("revenue"),
        ]
    )
    if nan and size:
        frame = frame.with_columns(
            pl.when(pl.int_range(pl.len()) == size // 2)
            .then(float("nan"))
            .otherwise(pl.col("contribution"))
            .alias("contribution")
        )
    orders = overview.row_orders(frame)
    expected = _polars_row_orders(frame)
    assert orders.by_contribution.to_list() == expected[0]
    assert orders.by_revenue.to_list() == expected[1]
    assert orders.by_contribution.dtype == pl.get_index_type()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("nan", [False, True])
def test_value_ranks_as_polars_ranks(size, nan):
    rng = np.random.default_rng(size)
    narrow = pl.DataFrame(
        [
            pl.Series("_data", rng.random(size) < 0.85),
            _with_nulls(size, size).alias("_value"),
            _with_nulls(size, size + 1).alias("_contribution"),
            pl.Series("headroom", rng.random(size)),
            pl.Series("winnability", rng.random(size)),
        ]
    )
    if nan and size:
        narrow = narrow.with_columns(
            pl.when(pl.int_range(pl.len()) == 0)
            .then(float("nan"))
            .otherwise(pl.col("_value"))
            .alias("_value")
        )
    ranked = ranked_inputs(narrow, narrow).ranked
    expected = narrow.with_columns(
        _below_zero=pl.col("_data") & (pl.col("_contribution") < 0),
        value_rank=pl.when(pl.col("_data"))
        .then(pl.col("_value"))
        .rank("ordinal", descending=True),
        contribution_rank=pl.when(pl.col("_data"))
        .then(pl.col("_contribution"))
        .rank("ordinal", descending=True),
    )
    assert ranked.equals(expected)
    assert ranked.schema == expected.schema
