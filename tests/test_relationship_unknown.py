"""An account of which nothing is observed has no observed type, and says so.

An export of accounts and deals alone (the Maven sales data set, a Salesforce
export without activities) records none of the observed score's six signals:
no tenure, no wallet, no department or executive engaged in any account, no
contract, no joint activity. Each account was "observed transactional, score 0
on 0 of 6 signals", a finding made of nothing; the type plans follow then came
from that score wherever the target knew nothing either.
"""

from __future__ import annotations

import polars as pl
import pytest

from tests.segment_support import by_id, features_frame
from workbench.analytics import segment
from workbench.analytics.observed import DEFAULT_RELATIONSHIP

#: Accounts and deals alone: two accounts with revenue, one with nothing yet.
DEALS_ONLY = features_frame(
    {"account_id": "big", "won_12m": 900_000.0, "tenure_years": None},
    {"account_id": "small", "won_12m": 40_000.0, "tenure_years": None},
    {"account_id": "new", "tenure_years": None},
)


def test_no_signal_known_gives_no_observed_score_or_type() -> None:
    segments = segment.assign_segments(DEALS_ONLY)
    assert by_id(segments, "observed_signals") == {"big": 0, "small": 0, "new": 0}
    assert set(by_id(segments, "relationship_score").values()) == {None}
    assert set(by_id(segments, "relationship_observed").values()) == {None}
    assert set(by_id(segments, "relationship_scored").values()) == {None}


def test_the_target_decides_where_it_knows_and_says_nothing_was_observed() -> None:
    segments = segment.assign_segments(DEALS_ONLY)
    big = segments.filter(pl.col("account_id") == "big").row(0, named=True)
    assert big["relationship_target"] is not None
    assert big["relationship_source"] == "target"
    assert big["relationship"] == big["relationship_target"]
    assert big["why"].endswith("no observed score (none of its signals known)")
    assert (
        "observed score unknown: none of its weighed signals is known"
        in (big["relationship_reason"])
    )
    assert "score 0" not in big["relationship_reason"]


def test_an_account_nothing_is_known_of_is_transactional_by_default() -> None:
    segments = segment.assign_segments(DEALS_ONLY)
    new = segments.filter(pl.col("account_id") == "new").row(0, named=True)
    assert new["relationship_target"] is None
    assert new["relationship_observed"] is None
    assert new["relationship"] == DEFAULT_RELATIONSHIP == "transactional"
    assert new["relationship_source"] == "default"
    assert new["why"].endswith("no signal known: transactional by default")
    assert new["relationship_reason"].endswith("→ transactional by default")
    assert "no target: none of its signals is known" in new["relationship_reason"]


def test_a_workshop_decision_on_such_an_account_is_its_own() -> None:
    overrides = pl.DataFrame(
        {
            "account_id": ["new"],
            "relationship": ["partnership"],
            "reason": ["pilot with their plant"],
        }
    )
    segments = segment.assign_segments(DEALS_ONLY, overrides=overrides)
    new = segments.filter(pl.col("account_id") == "new").row(0, named=True)
    assert (new["relationship"], new["relationship_source"]) == (
        "partnership",
        "override",
    )
    assert new["relationship_reason"].startswith(
        "set by hand to partnership (unknown: pilot with their plant); the observed "
        "score unknown: none of its weighed signals is known"
    )
    assert "by default" not in new["relationship_reason"]


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_the_sentences_are_written_in_chinese(language: str) -> None:
    segments = segment.assign_segments(DEALS_ONLY, explain=False)
    explained = segment.explain_segments(segments, segment.DEFAULT_THRESHOLDS, language)
    for column in ("why", "relationship_reason"):
        for text in explained.get_column(column).to_list():
            assert text is not None
            assert "by default" not in text and "observed score" not in text


def test_one_signal_known_in_one_account_scores_that_account_alone() -> None:
    # a tenure recorded for one account: it is observed on that signal; the
    # others stay without an observed type
    frame = DEALS_ONLY.with_columns(
        tenure_years=pl.when(pl.col("account_id") == "big").then(pl.lit(12.0))
    )
    segments = segment.assign_segments(frame)
    assert by_id(segments, "observed_signals") == {"big": 1, "small": 0, "new": 0}
    assert by_id(segments, "relationship_score")["big"] == pytest.approx(100.0)
    assert by_id(segments, "relationship_observed") == {
        "big": "partnership",
        "small": None,
        "new": None,
    }
