"""What a page shows of a segmentation: the cuts, the summary, the counts, the points.

Split from :mod:`workbench.analytics.segment` (which re-exports every name here):
pure functions over the rows of :func:`~workbench.analytics.segment.assign_segments`,
computed after every slider move, so each takes one pass where it can
(:func:`segment_overview` groups once for the cuts, the summary and the counts;
:func:`drawn_accounts` sorts once for the chart's points).
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from workbench.analytics.orders import descending_known
from workbench.analytics.thresholds import RELATIONSHIPS, VALUE_SEGMENTS, Thresholds

if TYPE_CHECKING:
    from collections.abc import Iterable


@dataclass(frozen=True)
class RowOrders:
    """Row orders of a segmentation by columns no value threshold changes.

    ``by_contribution``: every row, highest contribution first (nulls first, ties
    in row order), as :func:`~.segment.shown_account_table` orders;
    ``by_revenue``: the rows with a revenue, highest first, ties in row order.
    """

    by_contribution: pl.Series
    by_revenue: pl.Series


@dataclass(frozen=True)
class DrawnArrays:
    """What :func:`drawn_accounts` reads that no value threshold changes, as arrays.

    ``by_revenue``: :attr:`RowOrders.by_revenue`; ``contribution`` and
    ``headroom``: every row's, NaN where unknown.
    """

    by_revenue: np.ndarray
    contribution: np.ndarray
    headroom: np.ndarray


def drawn_arrays(frame: pl.DataFrame, orders: RowOrders) -> DrawnArrays:
    """Return the :class:`DrawnArrays` of a frame with ``contribution`` and ``headroom``."""

    def floats(name: str) -> np.ndarray:
        return frame.get_column(name).cast(pl.Float64).to_numpy().astype(np.float64)

    return DrawnArrays(
        by_revenue=orders.by_revenue.to_numpy().astype(np.int64),
        contribution=floats("contribution"),
        headroom=floats("headroom"),
    )


def row_orders(frame: pl.DataFrame) -> RowOrders:
    """Return the :class:`RowOrders` of a frame with ``contribution`` and ``revenue``."""
    # sorted on arrays (a polars sort is a statement of its own); in polars
    # where a value is NaN, which polars orders above every number
    by_contribution = descending_known(
        frame.get_column("contribution"), nulls_first=True
    )
    by_revenue = descending_known(frame.get_column("revenue"), nulls_first=False)
    return RowOrders(
        by_contribution=frame.select(
            pl.arg_sort_by("contribution", descending=True, maintain_order=True)
        ).to_series()
        if by_contribution is None
        else by_contribution,
        by_revenue=frame.select(pl.col("revenue"))
        .with_row_index("_row")
        .filter(pl.col("revenue").is_not_null())
        .sort("revenue", descending=True, maintain_order=True)
        .get_column("_row")
        if by_revenue is None
        else by_revenue.alias("_row"),
    )


#: The orders of the frames :func:`~.segment.assign_segments` returned, by their
#: identity (held weakly): a move's new frame shares its columns' order with the
#: last, so the chart's points and the table's page need no sort of their own.
_ORDERS: dict[int, tuple[Any, RowOrders, Any]] = {}
_ORDERS_LOCK = threading.Lock()


@dataclass(frozen=True)
class SummedArrays:
    """What :func:`segment_overview` adds up that no value threshold changes.

    ``relationship``: each row's type as a code into ``relationships`` (sorted
    names); ``summed``: the :data:`_SUMMED` columns, unknown as 0.
    """

    relationship: np.ndarray
    relationships: tuple[str, ...]
    summed: tuple[np.ndarray, ...]


def summed_arrays(valued: pl.DataFrame, types: pl.DataFrame) -> SummedArrays | None:
    """Return the :class:`SummedArrays` of a segmentation's parts, if they fit.

    ``None`` when a type is unknown or a summed column is not a float (the
    grouping then sums as before).
    """
    relationship = types.get_column("relationship")
    # (each column's own type: the frame's schema is built anew at each access)
    if relationship.null_count() or any(
        valued.get_column(c).dtype != pl.Float64 for c in _SUMMED
    ):
        return None
    # the types as codes into their sorted names (numpy's unique of the texts
    # sorted 10,000 strings: 2 ms a move that changes a type, against 0.4 ms)
    names = relationship.unique().sort()
    codes = relationship.cast(pl.Enum(names)).to_physical().cast(pl.Int64)
    return SummedArrays(
        relationship=codes.to_numpy(),
        relationships=tuple(names.to_list()),
        summed=tuple(
            np.nan_to_num(valued.get_column(c).to_numpy().astype(np.float64))
            for c in _SUMMED
        ),
    )


@dataclass(frozen=True)
class KnownSegments:
    """A segmentation's value segments as codes, and the arrays to draw it."""

    codes: np.ndarray  # each row's code, as names numbers them
    names: tuple[str, ...]  # the value segments, by code
    arrays: DrawnArrays
    summed: SummedArrays | None = None


def remember_orders(
    frame: pl.DataFrame, orders: RowOrders, known: KnownSegments | None = None
) -> None:
    """Note that ``frame``'s rows, by contribution and revenue, are in ``orders``.

    ``known``: the frame's value segments as codes (its ``value_segment`` column
    row for row), for :func:`drawn_accounts` to pick its points on arrays.
    """
    with _ORDERS_LOCK:
        for stale in [k for k, (ref, *_o) in _ORDERS.items() if ref() is None]:
            del _ORDERS[stale]
        _ORDERS[id(frame)] = (weakref.ref(frame), orders, known)


def _known(frame: pl.DataFrame) -> tuple[RowOrders, KnownSegments | None] | None:
    with _ORDERS_LOCK:
        kept = _ORDERS.get(id(frame))
    return (kept[1], kept[2]) if kept is not None and kept[0]() is frame else None


def orders_of(frame: pl.DataFrame) -> RowOrders | None:
    """Return the orders :func:`remember_orders` noted for this very frame, if any."""
    kept = _known(frame)
    return None if kept is None else kept[0]


@dataclass(frozen=True)
class SegmentCuts:
    """Where the value segments are cut, for threshold lines on charts.

    ``contribution_cut``: the lowest contribution counted most valuable (the
    absolute threshold in absolute mode); ``headroom_cut``: the lowest headroom
    counted most growable. ``None`` when the segment is empty.
    """

    contribution_cut: float | None
    headroom_cut: float | None


def segment_cuts(segments: pl.DataFrame, thresholds: Thresholds) -> SegmentCuts:
    """Return the contribution and headroom cuts of an :func:`assign_segments` result."""
    cuts = segments.select(
        contribution=pl.col("contribution")
        .filter(pl.col("value_segment") == "most_valuable")
        .min(),
        headroom=pl.col("headroom")
        .filter(pl.col("value_segment") == "most_growable")
        .min(),
    ).row(0)
    return _cuts(cuts[0], cuts[1], thresholds)


def _cuts(
    lowest_valuable: float | None,
    lowest_growable: float | None,
    thresholds: Thresholds,
) -> SegmentCuts:
    contribution_cut = lowest_valuable
    if (
        thresholds.valuable_mode == "absolute"
        and thresholds.valuable_basis == "contribution"
    ):
        contribution_cut = thresholds.valuable_min_contribution
    return SegmentCuts(
        contribution_cut=None if contribution_cut is None else float(contribution_cut),
        headroom_cut=None if lowest_growable is None else float(lowest_growable),
    )


#: What :func:`segment_summary` adds up per segment and type, in its order.
_SUMMED = (
    "revenue",
    "won_12m",
    "margin",
    "cost_to_serve",
    "contribution",
    "effort_hours",
)


def segment_summary(segments: pl.DataFrame) -> pl.DataFrame:
    """Return accounts, revenue, contribution and shares per value segment × type.

    Shares (``*_share_pct``) are of the whole portfolio's effort hours, revenue
    (on its basis, see :func:`compute_contribution`) and contribution; a segment's contribution share can be negative (below zero)
    or exceed 100 % when other accounts lose money.
    """
    return _summary_of(_grouped(segments), segments)


def _grouped(segments: pl.DataFrame, *also: pl.Expr) -> pl.DataFrame:
    """Return the accounts and the :data:`_SUMMED` sums per segment and type (and ``also``)."""
    return segments.group_by("value_segment", "relationship").agg(
        pl.len().alias("accounts"), *[pl.col(c).sum() for c in _SUMMED], *also
    )


def _summary_of(grouped: pl.DataFrame, segments: pl.DataFrame) -> pl.DataFrame:
    """Return :func:`segment_summary` from the sums per segment and type."""
    # each column's own sum (a select of three sums is a query to plan)
    totals: list[Any] = [
        segments.get_column(c).sum()
        for c in ("effort_hours", "revenue", "contribution")
    ]
    summary = grouped.select(
        "value_segment", "relationship", "accounts", *_SUMMED
    ).with_columns(
        effort_share_pct=_share(pl.col("effort_hours"), totals[0]),
        revenue_share_pct=_share(pl.col("revenue"), totals[1]),
        contribution_share_pct=_share(pl.col("contribution"), totals[2]),
    )
    order = {name: i for i, name in enumerate(VALUE_SEGMENTS)}
    return summary.sort(
        pl.col("value_segment").replace_strict(order, default=99), "relationship"
    )


@dataclass(frozen=True)
class TransactionalDetail:
    """What the transactional count holds that a reader cannot see in it."""

    without_data: int
    by_default: int


@dataclass(frozen=True)
class SegmentOverview:
    """What a page shows of a segmentation at a glance, from one pass over it.

    The same as :func:`segment_cuts`, :func:`segment_summary` and
    :func:`segment_counts` of the same rows (tested).
    """

    cuts: SegmentCuts
    summary: pl.DataFrame
    counts: dict[str, int]
    #: the transactional accounts without data (an override may make one a
    #: partnership), and those typed transactional because no signal of either
    #: score is known of them (``relationship_source`` ``default``): with data or
    #: without (an account with no people in a portfolio that holds people scores
    #: 0 on breadth, a known signal)
    transactional_detail: TransactionalDetail


def segment_overview(segments: pl.DataFrame, thresholds: Thresholds) -> SegmentOverview:
    """Return the cuts, the summary and the counts of an :func:`assign_segments` result.

    One grouping by segment and type gives all three: the counts are the summary's
    accounts added up, the cuts the lowest contribution and headroom of the
    segments they bound.
    """
    kept = _known(segments)
    if kept is not None and kept[1] is not None and kept[1].summed is not None:
        return _overview_of(kept[1], kept[1].summed, segments, thresholds)
    grouped = _grouped(
        segments,
        pl.col("contribution").min().alias("_lowest_contribution"),
        pl.col("headroom").min().alias("_lowest_headroom"),
    )
    # the few grouped rows (a segment and a type each) read in Python: a query
    # per count or cut costs more to set up than these loops
    counts = dict.fromkeys((*VALUE_SEGMENTS, *RELATIONSHIPS), 0)
    lowest: dict[str, list[Any]] = {"most_valuable": [], "most_growable": []}
    for value_segment, relationship, accounts, contribution, headroom in grouped.select(
        "value_segment",
        "relationship",
        "accounts",
        "_lowest_contribution",
        "_lowest_headroom",
    ).iter_rows():
        for name in (str(value_segment), str(relationship)):
            counts[name] = counts.get(name, 0) + int(accounts)
        if value_segment == "most_valuable" and contribution is not None:
            lowest["most_valuable"].append(contribution)
        if value_segment == "most_growable" and headroom is not None:
            lowest["most_growable"].append(headroom)
    return SegmentOverview(
        cuts=_cuts(
            min(lowest["most_valuable"], default=None),
            min(lowest["most_growable"], default=None),
            thresholds,
        ),
        summary=_summary_of(grouped, segments),
        counts=counts,
        transactional_detail=_transactional_detail(segments),
    )


def _overview_of(
    known: KnownSegments,
    summed: SummedArrays,
    segments: pl.DataFrame,
    thresholds: Thresholds,
) -> SegmentOverview:
    """Return :func:`segment_overview` from the segments' codes, with counts by code."""
    types = len(summed.relationships)
    group = known.codes.astype(np.int64) * types + summed.relationship
    groups = len(known.names) * types
    accounts = np.bincount(group, minlength=groups)
    sums = [np.bincount(group, weights=c, minlength=groups) for c in summed.summed]
    # the summary's rows: segments in their order, then types by name
    order = {name: i for i, name in enumerate(VALUE_SEGMENTS)}
    rows = sorted(
        (g for g in np.flatnonzero(accounts)),
        key=lambda g: (order.get(known.names[g // types], 99), g % types),
    )
    picked = np.array(rows, dtype=np.int64)
    counts = dict.fromkeys((*VALUE_SEGMENTS, *RELATIONSHIPS), 0)
    for g in rows:
        for name in (known.names[g // types], summed.relationships[g % types]):
            counts[name] = counts.get(name, 0) + int(accounts[g])
    totals = [
        segments.get_column(c).sum()
        for c in ("effort_hours", "revenue", "contribution")
    ]
    columns: dict[str, Any] = {
        "value_segment": [known.names[g // types] for g in rows],
        "relationship": [summed.relationships[g % types] for g in rows],
        "accounts": pl.Series(accounts[picked], dtype=pl.UInt32),
    }
    for name, summed_up in zip(_SUMMED, sums, strict=True):
        columns[name] = summed_up[picked]
    for share, column, total in (
        ("effort_share_pct", "effort_hours", totals[0]),
        ("revenue_share_pct", "revenue", totals[1]),
        ("contribution_share_pct", "contribution", totals[2]),
    ):
        columns[share] = (
            pl.Series([None] * len(rows), dtype=pl.Float64)
            if not total
            else columns[column] / total * 100
        )
    return SegmentOverview(
        cuts=_cuts(
            _lowest(known, "most_valuable", known.arrays.contribution),
            _lowest(known, "most_growable", known.arrays.headroom),
            thresholds,
        ),
        summary=pl.DataFrame(
            columns,
            schema={
                "value_segment": pl.String,
                "relationship": pl.String,
                "accounts": pl.UInt32,
                **dict.fromkeys((*_SUMMED, *_SHARES), pl.Float64),
            },
        ),
        counts=counts,
        transactional_detail=_transactional_detail(segments),
    )


def _transactional_detail(segments: pl.DataFrame) -> TransactionalDetail:
    """Return the transactional rows without data, and the rows typed by default."""
    transactional = segments.get_column("relationship") == "transactional"
    without_data = transactional & (segments.get_column("value_segment") == "no_data")
    by_default = (
        segments.get_column("relationship_source") == "default"
        if "relationship_source" in segments.columns
        else None
    )
    return TransactionalDetail(
        without_data=int(without_data.sum()),
        by_default=0 if by_default is None else int(by_default.sum()),
    )


_SHARES = ("effort_share_pct", "revenue_share_pct", "contribution_share_pct")


def _lowest(known: KnownSegments, name: str, values: np.ndarray) -> float | None:
    """Return the lowest known value of a segment's rows, if any."""
    of_segment = values[known.codes == known.names.index(name)]
    known_values = of_segment[~np.isnan(of_segment)]
    return float(known_values.min()) if known_values.size else None


def _share(column: pl.Expr, total: float | None) -> pl.Expr:
    if not total:
        return pl.lit(None, dtype=pl.Float64)
    return column / total * 100


def drawn_accounts(
    segments: pl.DataFrame, limit: int, *, columns: Iterable[str] | None = None
) -> pl.DataFrame:
    """Return the accounts with data a portfolio chart draws, at most about ``limit``.

    All of them when there are no more than ``limit``. Beyond that, each value
    segment keeps its largest accounts by revenue in proportion to its size (the
    big marks a reader looks at), plus its lowest and highest contribution and
    headroom, so the axes, the cuts and every segment stay where they are. Ten
    thousand points cost more to send and draw than to compute, and overlap.
    Rows keep their order; ties go to the row that comes first. ``columns``: the
    columns to return, of those the frame has (default: all).
    """
    segment_of = pl.col("value_segment")
    names = list(
        segments.columns
        if columns is None
        else (c for c in columns if c in segments.columns)
    )
    kept_known = _known(segments)
    if kept_known is not None and kept_known[1] is not None:
        # each column filtered on its own (a frame's filter is a query to plan)
        drawn_rows = pl.Series(values=_drawn_rows(kept_known[1], limit))
        return pl.DataFrame([segments.get_column(c).filter(drawn_rows) for c in names])
    # One pass per segment for its size and its four extremes (the first row
    # holding the lowest or highest value, as an ordinal rank of 1 would); the
    # accounts without data are a group of their own, left out below.
    per_segment = (
        segments.select(segment_of, "revenue", "contribution", "headroom")
        .with_row_index("_row")
        .group_by(segment_of)
        .agg(
            pl.len().alias("_accounts"),
            *[
                pl.col("_row").get(getattr(pl.col(column), pick)()).alias(f"_{i}")
                for i, (column, pick) in enumerate(
                    (c, p) for c in ("contribution", "headroom") for p in _EXTREMES
                )
            ],
        )
    )
    sizes = {
        name: accounts
        for name, accounts in zip(
            per_segment.get_column("value_segment").to_list(),
            per_segment.get_column("_accounts").to_list(),
            strict=True,
        )
        if name is not None and name != "no_data"
    }
    ranked = sum(sizes.values())
    if ranked <= limit:
        with_data = segments.get_column("value_segment") != "no_data"
        return pl.DataFrame([segments.get_column(c) for c in names]).filter(with_data)
    # ...then one stable sort by revenue, in which each segment's largest come
    # first: counting a segment's rows down that order finds them without a
    # window over the segments.
    largest = pl.lit(False)
    for name, accounts in sizes.items():
        quota = math.ceil(accounts * limit / ranked)
        in_segment = segment_of == name
        largest |= in_segment & (in_segment.cum_sum() <= quota)
    # (the order is kept for the frames a segmentation returned: revenue does not
    # move with the thresholds a slider moves)
    known = orders_of(segments)
    order = (row_orders(segments) if known is None else known).by_revenue
    by_revenue = pl.DataFrame(
        {
            "_row": order,
            "value_segment": segments.get_column("value_segment").gather(order),
        }
    )
    with_data = per_segment.get_column("value_segment") != "no_data"
    kept = pl.concat(
        [
            by_revenue.filter(largest).get_column("_row"),
            *[
                per_segment.get_column(f"_{i}").filter(with_data).drop_nulls()
                for i in range(2 * len(_EXTREMES))
            ],
        ]
    )
    # the rows kept, in their order, of the columns asked for
    drawn = pl.repeat(False, segments.height, eager=True).scatter(kept, True)
    return pl.DataFrame([segments.get_column(c) for c in names]).filter(drawn)


def _drawn_rows(known: KnownSegments, limit: int) -> np.ndarray:
    """Return which rows :func:`drawn_accounts` keeps, from the segments' codes.

    The same rule on arrays: a segment's largest by revenue are its first rows
    in the kept revenue order, its extremes the first row of its lowest and
    highest contribution and headroom (unknown values left out).
    """
    codes = known.codes
    with_data: np.ndarray = np.not_equal(codes, known.names.index("no_data"))
    sizes = np.bincount(codes[with_data])
    ranked = int(sizes.sum())
    if ranked <= limit:
        return with_data
    drawn = np.zeros(codes.size, dtype=bool)
    order = known.arrays.by_revenue
    in_order = codes[order]
    for code in np.flatnonzero(sizes):
        quota = math.ceil(int(sizes[code]) * limit / ranked)
        drawn[order[np.flatnonzero(in_order == code)[:quota]]] = True
        rows = np.flatnonzero(codes == code)
        for values in (known.arrays.contribution, known.arrays.headroom):
            of_segment = values[rows]
            if not np.isnan(of_segment).all():
                drawn[rows[np.nanargmin(of_segment)]] = True
                drawn[rows[np.nanargmax(of_segment)]] = True
    return drawn


#: How :func:`drawn_accounts` finds a segment's extremes: the first row of each.
_EXTREMES = ("arg_min", "arg_max")


def segment_counts(segments: pl.DataFrame) -> dict[str, int]:
    """Return the number of accounts per value segment and per relationship type."""
    counts = dict.fromkeys((*VALUE_SEGMENTS, *RELATIONSHIPS), 0)
    for column in ("value_segment", "relationship"):
        for value, accounts in segments.group_by(column).len().iter_rows():
            counts[str(value)] = int(accounts)
    return counts
