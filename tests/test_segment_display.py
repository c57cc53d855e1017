"""What segmentation shows: its chart, a CSV safe from hostile names, its reasons."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest

from tests.factories import load_frames
from tests.segment_support import (
    PORTFOLIO,
    _segmented_with_an_override,
    _tiny_frames,
    by_id,
)
from workbench import i18n, store
from workbench.analytics import segment
from workbench.analytics.observed import _number

# --- charts and hostile text ------------------------------------------------------


def test_scatter_encodes_the_segments_and_moves_its_rules():
    from workbench import charts

    segments = segment.assign_segments(PORTFOLIO)
    cuts = segment.segment_cuts(segments, segment.DEFAULT_THRESHOLDS)
    spec = charts.segment_scatter(
        segments, cuts.contribution_cut, cuts.headroom_cut
    ).to_dict()
    points = spec["layer"][0]["encoding"]
    assert points["x"]["field"] == "contribution"
    assert points["y"]["field"] == "headroom"
    assert points["size"]["field"] == "won_12m"
    assert points["color"]["field"] == "value_segment"
    assert points["shape"]["field"] == "relationship"
    assert {t["field"] for t in points["tooltip"]} >= {
        "name",
        "contribution",
        "headroom_text",
        "score_text",
        "potential_text",
    }
    rules = [
        json.dumps(spec["datasets"][layer["data"]["name"]])
        for layer in spec["layer"][1:]
    ]
    assert "290000" in rules[0]  # A's contribution is the most-valuable cut
    assert "1800000" in rules[1]  # B's headroom is the most-growable cut
    lower = segment.assign_segments(PORTFOLIO, segment.Thresholds(valuable_top_pct=40))
    lower_cuts = segment.segment_cuts(lower, segment.DEFAULT_THRESHOLDS)
    assert lower_cuts.contribution_cut == pytest.approx(45_500)


def test_an_unknown_headroom_or_score_is_drawn_at_0_and_reads_unknown():
    from workbench import charts

    # one account with no wallet known: no headroom, no potential; no observed
    # signal known anywhere: no score
    frame = PORTFOLIO.with_columns(
        wallet_estimate=pl.when(pl.col("account_id") == "E")
        .then(None)
        .otherwise(pl.col("wallet_estimate")),
        annual_revenue=pl.lit(None, dtype=pl.Float64),
    )
    segments = segment.assign_segments(frame, explain=False)
    chart = charts.segment_scatter_spec(segments, None, None)
    points = chart.datasets["points"]
    e = points.filter(pl.col("account_id") == "E").row(0, named=True)
    assert e["headroom"] == 0.0  # its place on the chart
    assert e["headroom_figure"] is None and e["potential"] is None
    spec = json.loads(chart.spec)
    (calculated,) = [
        layer["transform"] for layer in spec["layer"] if "transform" in layer
    ]
    expressions = {t["as"]: t["calculate"] for t in calculated}
    assert expressions["headroom_text"] == (
        "isValid(datum.headroom_figure) ? format(datum.headroom_figure, ',.0f') "
        ': "unknown"'
    )
    assert "isValid(datum.relationship_score)" in expressions["score_text"]
    assert "isValid(datum.potential)" in expressions["potential_text"]


def test_hostile_account_names_are_neutralised_in_the_csv(tmp_path, capsys):
    from workbench.cli import main

    path = tmp_path / "hostile.duckdb"
    connection = store.connect(path)
    frames = _tiny_frames()
    frames["accounts"] = frames["accounts"].with_columns(
        name=pl.Series(['=HYPERLINK("http://x")<script>', "+cmd|' /C calc'!A0"])
    )
    load_frames(connection, frames)
    connection.close()
    assert main(["segment", "--db", str(path), "--csv"]) == 0
    text = capsys.readouterr().out
    assert "'=HYPERLINK" in text
    assert "'+cmd" in text
    assert ",=HYPERLINK" not in text
    assert ",+cmd" not in text


def test_chart_draws_each_segment_and_its_extremes_when_thinned(demo_con):
    segments = segment.assign_segments(store.account_features(demo_con), explain=False)
    ranked = segments.filter(pl.col("value_segment") != "no_data")
    assert segment.drawn_accounts(segments, ranked.height).height == ranked.height
    drawn = segment.drawn_accounts(segments, 12)
    assert 12 <= drawn.height < ranked.height
    assert "no_data" not in drawn["value_segment"].to_list()
    # every segment keeps its extremes, so the axes and the cuts do not move
    assert set(drawn["value_segment"]) == set(ranked["value_segment"])
    for column in ("contribution", "headroom"):
        assert drawn[column].max() == ranked[column].max()
        assert drawn[column].min() == ranked[column].min()
    # the largest account by revenue is always drawn
    assert ranked.sort("revenue", descending=True)["account_id"][0] in set(
        drawn["account_id"]
    )


@pytest.mark.parametrize(
    ("language", "most_valuable", "partnership", "contract", "override"),
    [
        ("zh-Hans", "最有价值客户", "合作型关系", "多年期合同", "已手动设为合作型关系"),
        ("zh-Hant", "最有價值客戶", "合作型關係", "多年期合約", "已手動設為合作型關係"),
    ],
)
def test_reasons_read_in_the_language_asked_and_keep_their_figures(
    language, most_valuable, partnership, contract, override
):
    bare = _segmented_with_an_override()
    english = segment.explain_segments(bare)
    chinese = segment.explain_segments(bare, language=language)
    # the same rows and codes; only the sentences change
    sentences = [*segment.EXPLANATIONS, "growth_reason"]
    assert chinese.drop(sentences).equals(english.drop(sentences))
    a_reason = by_id(chinese, "relationship_reason")["A"]
    assert "≥ 60" in a_reason and contract in a_reason and partnership in a_reason
    assert "（+20）" in a_reason  # the contract's points, as in English
    assert "290,000" in by_id(chinese, "value_reason")["A"]
    assert by_id(chinese, "why")["A"].startswith(most_valuable)
    assert override in by_id(chinese, "relationship_reason")["E"]
    assert "co-developing" in by_id(chinese, "relationship_reason")["E"]  # data as is
    assert "< 0" in by_id(chinese, "value_reason")["D"]
    for column in sentences:
        for text in chinese[column].to_list():
            words = re.sub(r"co-developing|kam", "", text)
            assert not re.search(r"[A-Za-z]{3,}", words), (column, text)


def test_english_reasons_stay_english_whatever_language_is_in_force():
    bare = segment.assign_segments(PORTFOLIO, explain=False)
    i18n.set_language("zh-Hant")
    try:
        shown = segment.shown_account_table(bare, segment.DEFAULT_THRESHOLDS)
    finally:
        i18n.set_language("en")
    assert (
        shown.to_dicts()
        == segment.shown_account_table(bare, segment.DEFAULT_THRESHOLDS).to_dicts()
    )
    assert "multi_year" in by_id(shown, "relationship_reason")["A"]


def test_a_reason_quotes_whole_figures_with_their_thousands_grouped():
    # as the pages and exports write figures; signs, short figures and the
    # digits' groups at every length; decimals stay as they were
    figures = pl.DataFrame(
        {"x": [0.0, 7, 999.4, 999.6, 1000, -1000, 12345, -123456, 1234567.0, None]}
    )
    assert figures.select(_number(pl.col("x"))).to_series().to_list() == [
        "0",
        "7",
        "999",
        "1,000",
        "1,000",
        "-1,000",
        "12,345",
        "-123,456",
        "1,234,567",
        "0",  # unknown reads 0, as before
    ]
    assert figures.head(3).select(_number(pl.col("x"), 1)).to_series().to_list() == [
        "0.0",
        "7.0",
        "999.4",
    ]
