"""The Segments page's cached views, each keyed on what it depends on.

A threshold move changes the counts, the cuts, the summary, the chart's points
and the accounts table; nothing else on the page. Each of those is computed once
per data version, as-of day, thresholds (and, for the table, its filters and
page) and language, and kept as a shared object ready to be drawn: the summary
and the table's page as the Arrow tables Streamlit would have made of them, the
chart as its Vega-Lite spec with its datasets already serialised (Streamlit's
own conversion). A slider back at a value seen before, by this session or by
another leader's, then costs no computation at all; a new value costs the
segmentation's steps once. Keys are the arguments' repr (dates, strings,
numbers, tuples of those and the thresholds, a frozen dataclass of numbers and
strings), which costs far less than Streamlit's hash of a dataclass.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
import pyarrow as pa
from streamlit import dataframe_util

from workbench import charts, terms
from workbench.analytics import segment
from workbench.app import reads
from workbench.app.cached import cached
from workbench.app.components import arrow_table


@dataclass(frozen=True)
class OverviewView:
    """What the page shows above the accounts table, ready to draw.

    Attributes:
        counts: accounts per value segment and relationship type.
        cuts: where the value segments are cut.
        summary: the segment summary, its codes in the page's language, as Arrow.
        chart: the portfolio chart's Vega-Lite spec, its datasets as Arrow IPC
            bytes (pass a copy of the top level: Streamlit takes them out of it).
        drawn: the accounts the chart draws.
        ranked: the accounts with data (the chart draws at most these).
        transactional: the transactional accounts without data, and those
            typed transactional because no relationship signal is known of them.
    """

    counts: dict[str, int]
    cuts: segment.SegmentCuts
    summary: pa.Table | pl.DataFrame
    chart: dict[str, Any]
    drawn: int
    ranked: int
    transactional: segment.TransactionalDetail


@cached(max_entries=64, share=True, by_repr=True)
def overview(
    as_of: date, thresholds: segment.Thresholds, points: int, language: str
) -> OverviewView:
    """Return the counts, cuts, summary and chart (of at most ``points``).

    ``language`` is the language in force (the summary's words and the chart's
    titles are in it); it is an argument so that the cache is keyed on it.
    """
    segments = reads.segments_unexplained(as_of, thresholds)
    shown = segment.segment_overview(segments, thresholds)
    drawn = segment.drawn_accounts(
        segments, points, columns=charts.SEGMENT_SCATTER_COLUMNS
    )
    # The spec is the same from one move to the next and only its data change,
    # so the browser replaces the points instead of building the chart again.
    chart = charts.segment_scatter_spec(
        drawn, shown.cuts.contribution_cut, shown.cuts.headroom_cut
    )
    spec: dict[str, Any] = json.loads(chart.spec)
    spec["datasets"] = {
        name: dataframe_util.convert_anything_to_arrow_bytes(frame)
        for name, frame in chart.datasets.items()
    }
    return OverviewView(
        counts=shown.counts,
        cuts=shown.cuts,
        summary=arrow_table(terms.localise_values(shown.summary)),
        chart=spec,
        drawn=drawn.height,
        ranked=segments.height - shown.counts["no_data"],
        transactional=shown.transactional_detail,
    )


#: The accounts table's filters: value segments, relationship types, name search.
Filters = tuple[tuple[str, ...], tuple[str, ...], str]


@dataclass(frozen=True)
class FilteredAccounts:
    """The accounts the table's filters keep.

    Attributes:
        table: their rows of the segmentation (unexplained; the downloads explain
            every row when clicked).
        segments: the whole segmentation (unexplained), shared.
    """

    table: pl.DataFrame
    segments: pl.DataFrame

    @property
    def total(self) -> int:
        """Return how many accounts the segmentation holds."""
        return self.segments.height

    @functools.cached_property
    def best_first(self) -> pl.DataFrame:
        """Return the rows' ``account_id``, ``name`` and ``contribution``, best first.

        The pickers below the table list these, and they are drawn only while
        their expander is open: ordered when first asked for, not at every move
        of a threshold (gathering every account's row is a millisecond at
        10,000 accounts). Computed at most twice when two sessions ask at once,
        the same frame both times.
        """
        return segment.best_first(self.table, ("account_id", "name", "contribution"))


# Few: each holds a whole segmentation (and a filtered copy of its rows), as
# the segmentation's own cache does; the views above and below hold small tables.
@cached(max_entries=8, share=True, by_repr=True)
def filtered_accounts(
    as_of: date, thresholds: segment.Thresholds, filters: Filters
) -> FilteredAccounts:
    """Return the accounts the table's ``filters`` keep."""
    segments = reads.segments_unexplained(as_of, thresholds)
    chosen_segments, chosen_types, search = filters
    table = segment.filter_accounts(
        segments,
        value_segments=chosen_segments,
        relationships=chosen_types,
        name_contains=search,
    )
    return FilteredAccounts(table=table, segments=segments)


@cached(max_entries=64, share=True, by_repr=True)
def table_page(
    as_of: date,
    thresholds: segment.Thresholds,
    filters: Filters,
    first: int,
    rows: int,
    language: str,
    every_column: bool = False,
) -> pa.Table | pl.DataFrame:
    """Return the table's ``rows`` rows from ``first``, explained, as Arrow.

    Best first; the reasons in ``language`` (the language in force), the codes
    in its words; :data:`~.segment.KEY_TABLE_COLUMNS`, or with ``every_column``
    every column of :data:`~.segment.TABLE_COLUMNS`.
    """
    table = filtered_accounts(as_of, thresholds, filters).table
    columns = segment.TABLE_COLUMNS if every_column else segment.KEY_TABLE_COLUMNS
    return arrow_table(
        terms.localise_values(
            segment.shown_account_table(
                table, thresholds, rows, first, language, columns
            )
        )
    )


def accounts_above_wallet(as_of: date, thresholds: segment.Thresholds) -> pl.DataFrame:
    """Return the accounts that buy more from us than their wallet, widest gap first.

    The same for every move of a top share, the value basis or the growth
    weights: kept per valuation (:func:`~.segment.valuation_thresholds`), not
    filtered and sorted again at each such move.
    """
    return _accounts_above_wallet(as_of, segment.valuation_thresholds(thresholds))


@cached(max_entries=8, share=True, by_repr=True)
def _accounts_above_wallet(as_of: date, valuation: segment.Thresholds) -> pl.DataFrame:
    return segment.accounts_above_wallet(
        reads.account_features(as_of, round(valuation.default_term_months)),
        valuation,
        reads.account_situation(),
    )


@cached(max_entries=16, share=True, by_repr=True)
def scenario_comparison(
    as_of: date, side_a: segment.Thresholds, side_b: segment.Thresholds
) -> pl.DataFrame:
    """Compare two scenarios, each on the features of its own contract term.

    Kept per pair of thresholds: with saved scenarios, the page compared them
    (two segmentations) again at every rerun, a slider move of its own included.
    """
    return segment.compare_scenarios(
        reads.account_features(as_of, round(side_a.default_term_months)),
        side_a,
        side_b,
        reads.relationship_overrides(),
        reads.account_situation(),
        second_features=reads.account_features(
            as_of, round(side_b.default_term_months)
        ),
    )
