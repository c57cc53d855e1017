"""What a slider move computes, against the same computed the long way.

The Segments page recomputes after every move with shortcuts (one grouping for
the cuts, summary and counts; the chart's points without a window per segment; the
reasons' expressions kept between moves; the chart's spec built once): each is
compared here with the plain computation on the demo portfolio and on frames
with ties, empty segments and missing values.
"""

from __future__ import annotations

import io
import json

import polars as pl
import pyarrow as pa
import pytest

from workbench import charts, store
from workbench.analytics import reasons, segment
from workbench.analytics.reasons import _reason_steps

MOVES = [
    segment.Thresholds(),
    segment.Thresholds(valuable_top_pct=5.0, growable_top_pct=60.0),
    segment.Thresholds(valuable_mode="absolute", valuable_min_contribution=20_000.0),
    segment.Thresholds(valuable_basis="contribution", growth_headroom_weight_pct=90.0),
    segment.Thresholds(hourly_cost=400.0, relationship_threshold=20.0),
]


@pytest.fixture(scope="module")
def demo_segments(demo_db_file) -> list[tuple[segment.Thresholds, pl.DataFrame]]:
    with store.connect(demo_db_file, read_only=True) as con:
        features = store.account_features(con)
        overrides = store.relationship_overrides(con)
    return [
        (t, segment.assign_segments(features, t, overrides, explain=False))
        for t in MOVES
    ]


def _drawn_by_windows(segments: pl.DataFrame, limit: int) -> pl.DataFrame:
    """The chart's points as first written: ranks over windows per segment."""
    with_data = segments.filter(pl.col("value_segment") != "no_data")
    if with_data.height <= limit:
        return with_data
    segment_of = pl.col("value_segment")
    quota = (pl.len().over(segment_of) * limit / with_data.height).ceil()
    extreme = pl.lit(False)
    for column in ("contribution", "headroom"):
        for descending in (False, True):
            extreme |= (
                pl.col(column).rank("ordinal", descending=descending).over(segment_of)
                == 1
            )
    largest = pl.col("revenue").rank("ordinal", descending=True).over(segment_of)
    return with_data.filter((largest <= quota) | extreme)


@pytest.mark.parametrize("limit", [3, 12, 25, 40, 1_000])
def test_the_chart_points_are_those_the_windows_pick(demo_segments, limit):
    for _t, segments in demo_segments:
        assert segment.drawn_accounts(segments, limit).equals(
            _drawn_by_windows(segments, limit)
        )


def test_the_chart_points_keep_ties_and_missing_values_in_row_order():
    # equal revenue, contribution and headroom, a missing revenue, one segment
    # with a single account: the first of equals is picked, as a rank would
    frame = pl.DataFrame(
        {
            "account_id": [f"A{i}" for i in range(12)],
            "value_segment": ["maintain"] * 7
            + ["most_valuable"] * 3
            + ["below_zero", "no_data"],
            "revenue": [5.0, 5.0, None, 5.0, 1.0, 9.0, 9.0, 3.0, 3.0, 3.0, 2.0, 8.0],
            "contribution": [1.0, 1.0, 1.0, 0.0, 2.0, 2.0, None, 7.0, 7.0, 6.0, -1, 0],
            "headroom": [0.0, 0.0, 3.0, 3.0, None, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0],
        }
    )
    for limit in (2, 4, 6, 10):
        drawn = segment.drawn_accounts(frame, limit)
        assert drawn.equals(_drawn_by_windows(frame, limit)), limit
    narrow = segment.drawn_accounts(frame, 4, columns=["account_id", "revenue", "x"])
    assert narrow.columns == ["account_id", "revenue"]
    assert narrow["account_id"].to_list() == (
        _drawn_by_windows(frame, 4)["account_id"].to_list()
    )


def test_the_overview_is_the_cuts_summary_and_counts(demo_segments):
    for t, segments in demo_segments:
        overview = segment.segment_overview(segments, t)
        assert overview.cuts == segment.segment_cuts(segments, t)
        assert overview.counts == segment.segment_counts(segments)
        assert overview.transactional_detail == _transactional_detail(segments)
        summary = segment.segment_summary(segments)
        assert overview.summary.columns == summary.columns
        assert overview.summary.drop(pl.selectors.float()).equals(
            summary.drop(pl.selectors.float())
        )
        for column in summary.select(pl.selectors.float()).columns:
            assert overview.summary[column].to_list() == pytest.approx(
                summary[column].to_list(), nan_ok=True
            )


def test_an_empty_segment_has_no_cut(demo_segments):
    t, segments = demo_segments[0]
    no_growable = segments.with_columns(
        value_segment=pl.col("value_segment").replace("most_growable", "maintain")
    )
    overview = segment.segment_overview(no_growable, t)
    assert overview.cuts.headroom_cut is None
    assert overview.cuts == segment.segment_cuts(no_growable, t)
    assert overview.counts["most_growable"] == 0
    # the same detail of the transactional count on the path that groups in polars
    assert overview.transactional_detail == _transactional_detail(no_growable)


def _transactional_detail(segments: pl.DataFrame) -> segment.TransactionalDetail:
    transactional = segments.filter(pl.col("relationship") == "transactional")
    return segment.TransactionalDetail(
        without_data=transactional.filter(pl.col("value_segment") == "no_data").height,
        by_default=segments.filter(pl.col("relationship_source") == "default").height,
    )


def test_reasons_kept_between_moves_read_as_reasons_built_anew(demo_segments):
    # the expressions are kept per thresholds that are not ranking-only: a move
    # of a top share reuses them, and the words must be those of a fresh build
    for t, segments in demo_segments:
        kept = segment.explain_segments(segments, t)
        _reason_steps.cache_clear()
        assert kept.equals(segment.explain_segments(segments, t))


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_reasons_kept_per_row_read_as_reasons_built_anew(
    demo_segments, monkeypatch, language
):
    # a page's rows keep their sentences between moves, by the row's values: after
    # every move (segments, ranks and scores changed for some rows) the words of
    # the kept rows and of the rows built anew must be those of a fresh build
    # (tables longer than a page are built whole, never kept)
    reasons._MEMO.clear()
    kept = []
    for _round in range(2):
        for t, segments in demo_segments:
            for rows in (segments.head(7), segments, segments.tail(20)):
                kept.append((t, rows, segment.explain_segments(rows, t, language)))
    monkeypatch.setattr(reasons, "_MEMO_ROWS_AT_MOST", -1)
    for t, rows, explained in kept:
        assert explained.equals(segment.explain_segments(rows, t, language))


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_sentences_of_columns_a_cost_move_leaves_are_kept_and_read_as_built_anew(
    demo_db_file, monkeypatch, language
):
    # a move of the hourly cost changes every shown row's contribution, so no
    # row is seen before; the sentences that read only columns the move leaves
    # (the observed score's, the growth's) are kept by those columns' values,
    # the value's reason is built again, and every sentence reads as a fresh build
    with store.connect(demo_db_file, read_only=True) as con:
        features = store.account_features(con)
        overrides = store.relationship_overrides(con)
    before, after = segment.Thresholds(), segment.Thresholds(hourly_cost=150.0)
    rows_before, rows_after = (
        segment.assign_segments(features, t, overrides, explain=False).head(25)
        for t in (before, after)
    )
    assert not rows_before["contribution"].equals(rows_after["contribution"])
    reasons._MEMO.clear()
    reasons._LEAVES.clear()
    segment.explain_segments(rows_before, before, language)
    built: list[str] = []
    unseen: list[int] = []
    build, with_leaves = reasons.built_leaf, reasons._with_leaves

    def watched(frame: pl.DataFrame, leaf: pl.Expr) -> pl.Series:
        built.append(leaf.meta.output_name())
        return build(frame, leaf)

    def counted(frame: pl.DataFrame, *args: object) -> object:
        unseen.append(frame.height)
        return with_leaves(frame, *args)

    monkeypatch.setattr(reasons, "built_leaf", watched)
    monkeypatch.setattr(reasons, "_with_leaves", counted)
    kept = segment.explain_segments(rows_after, after, language)
    # the rows whose contribution moved were not seen; of their sentences, the
    # observed score's and the growth's were not built again
    moved = int((rows_before["contribution"] != rows_after["contribution"]).sum())
    assert unseen and unseen[0] >= moved > 0
    assert "_score_reason" not in built
    assert "growth_reason" not in built
    monkeypatch.setattr(reasons, "_MEMO_ROWS_AT_MOST", -1)
    assert kept.equals(segment.explain_segments(rows_after, after, language))


def test_rows_explained_in_english_read_in_chinese_as_built_anew(
    demo_db_file, monkeypatch
):
    # a frame that holds its sentences in English already (a download, a plan's
    # situation) explained again in Chinese: the sentences that read a sentence
    # the steps build again (the value's reason, the one-line why) read the
    # Chinese one, kept or not
    with store.connect(demo_db_file, read_only=True) as con:
        features = store.account_features(con)
        overrides = store.relationship_overrides(con)
    t = segment.Thresholds()
    english = segment.assign_segments(features, t, overrides).head(30)
    assert "why" in english.columns
    reasons._MEMO.clear()
    reasons._LEAVES.clear()
    kept = segment.explain_segments(english, t, "zh-Hans")
    monkeypatch.setattr(reasons, "_MEMO_ROWS_AT_MOST", -1)
    built = segment.explain_segments(english, t, "zh-Hans")
    assert kept.equals(built)
    assert not kept["why"].equals(english["why"])


def test_the_scatter_spec_is_the_altair_chart_streamlit_draws(demo_segments):
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    t, segments = demo_segments[0]
    cuts = segment.segment_cuts(segments, t)
    altair = _convert_altair_to_vega_lite_spec(
        charts.segment_scatter(segments, cuts.contribution_cut, cuts.headroom_cut)
    )
    ours = charts.segment_scatter_spec(
        segments, cuts.contribution_cut, cuts.headroom_cut
    ).with_data()
    altair_data, our_data = altair.pop("datasets"), ours.pop("datasets")
    for theirs, mine in zip(altair["layer"], ours["layer"], strict=True):
        table = pa.ipc.open_stream(io.BytesIO(altair_data[theirs["data"]["name"]]))
        assert pl.from_arrow(table.read_all()).equals(our_data[mine["data"]["name"]])
        theirs.pop("data"), mine.pop("data")
    assert json.dumps(altair, sort_keys=True) == json.dumps(ours, sort_keys=True)
    # a missing cut draws no rule: its dataset is empty, the spec the same
    uncut = charts.segment_scatter_spec(segments, None, None)
    assert uncut.spec is charts.segment_scatter_spec(segments, 1.0, 2.0).spec
    assert uncut.datasets["headroom_cut"].height == 0


def test_a_table_sent_as_arrow_is_the_table_streamlit_sends(demo_segments):
    # st.dataframe's own path (polars to pandas to Arrow) against the direct one,
    # on the account table's page (whole numbers with missing values among them)
    from streamlit import dataframe_util

    from workbench.app.components import arrow_table

    t, segments = demo_segments[0]
    page = segment.shown_account_table(segments, t, 25, 30)
    weights = segment.score_weights(t)
    for frame in (page, weights, segment.segment_summary(segments)):
        through_pandas = pa.ipc.open_stream(
            dataframe_util.convert_pandas_df_to_arrow_bytes(
                dataframe_util.convert_anything_to_pandas_df(frame)
            )
        ).read_all()
        direct = arrow_table(frame)
        assert isinstance(direct, pa.Table)
        assert (
            direct.schema.remove_metadata() == through_pandas.schema.remove_metadata()
        )
        assert direct.to_pylist() == through_pandas.to_pylist()
    dated = pl.DataFrame({"day": [None]}, schema={"day": pl.Date})
    assert arrow_table(dated) is dated  # left to Streamlit's own path


def test_the_kept_row_orders_give_what_sorting_gives(demo_segments):
    # a segmentation's own frame reuses its orders; a copy of it sorts again
    for t, segments in demo_segments:
        copy = segments.clone()
        assert segment.shown_account_table(segments, t, 20, 5).equals(
            segment.shown_account_table(copy, t, 20, 5)
        )
        assert segment.drawn_accounts(segments, 12).equals(
            segment.drawn_accounts(copy, 12)
        )
        assert segment.filter_accounts(segments) is segments
        picked = ("account_id", "name", "contribution")
        assert segment.best_first(segments, picked).equals(
            segment.best_first(copy.select(picked))
        )


def test_the_kept_types_follow_the_overrides_passed(demo_db_file):
    # the types each account follows are kept per features, scores and overrides
    # frames: other overrides (a new frame) decide again
    with store.connect(demo_db_file, read_only=True) as con:
        features = store.account_features(con)
    first = features["account_id"][0]
    segmented = {}
    for relationship in ("partnership", "transactional", "partnership"):
        overrides = pl.DataFrame(
            {"account_id": [first], "relationship": [relationship], "reason": ["x"]}
        )
        for t in (segment.Thresholds(), segment.Thresholds(valuable_top_pct=5.0)):
            segments = segment.assign_segments(features, t, overrides, explain=False)
            row = segments.row(0, named=True)
            assert (row["relationship"], row["relationship_source"]) == (
                relationship,
                "override",
            )
            segmented[relationship, t] = segments
    without = segment.assign_segments(features, explain=False)
    assert without.row(0, named=True)["relationship_source"] != "override"


def test_the_same_ratings_read_again_value_the_portfolio_once(
    demo_db_file, monkeypatch
):
    # the app reads the buying situation again after every write (a plan saved,
    # an override): the same ratings in a new frame reuse the valued portfolio;
    # other ratings value it again, and their targets follow them
    from workbench.analytics import segment_parts

    with store.connect(demo_db_file, read_only=True) as con:
        features = store.account_features(con)
    first = features["account_id"][0]

    def rated(level: int) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "account_id": [first],
                "purchase_importance": [level],
                "purchase_complexity": [level],
                "switching_costs": [level],
                "supply_alternatives": [6 - level],
                "strategic_fit": [level],
            }
        )

    valued = []
    original = segment_parts._valued_and_typed

    def counted(*args, **kwargs):
        valued.append(args[2])
        return original(*args, **kwargs)

    monkeypatch.setattr(segment_parts, "_valued_and_typed", counted)
    t = segment.Thresholds(valuable_top_pct=7.0)
    high = segment.assign_segments(features, t, None, rated(5), explain=False)
    again = segment.assign_segments(features, t, None, rated(5), explain=False)
    assert len(valued) == 1
    assert again.equals(high)
    low = segment.assign_segments(features, t, None, rated(1), explain=False)
    assert len(valued) == 2
    fresh = segment_parts._valued_and_typed(features, t, rated(1), None)[1]
    assert (
        low.row(0, named=True)["target_score"]
        == fresh.row(0, named=True)["target_score"]
    )
    assert (
        low.row(0, named=True)["target_score"]
        != high.row(0, named=True)["target_score"]
    )
