"""Each account's segment and relationship type explained in words.

The sentences are built from each row's own columns (the segmentation, the
observed score's points, the target's signals), never from the whole portfolio,
so a page explains only the rows it shows and gets the same text as explaining
every account (:func:`explain_segments`). Building them for 10,000 accounts costs
more than the segmentation itself.
"""

from __future__ import annotations

import polars as pl

from workbench.analytics.economics import REVENUE_BASIS_TEXT
from workbench.analytics.observed import _number, score_reason
from workbench.analytics.target import (
    TARGET_SIGNALS,
    target_reason,
)
from workbench.analytics.thresholds import DEFAULT_THRESHOLDS, Thresholds
from workbench.analytics.value import value_reason as value_reason_of
from workbench.analytics.value import with_growth_reason

__all__ = ["EXPLANATIONS", "explain_segments"]


def _one_line_why() -> pl.Expr:
    """Return each account's segment and type explained in one line."""
    type_why = (
        pl.when(pl.col("relationship_source") == "override")
        .then(
            pl.format(
                "set by hand: {}", pl.col("override_reason").fill_null("no reason")
            )
        )
        .when(pl.col("relationship_source") == "target")
        .then(
            pl.format(
                "target score {} on {} of {} signals; observed {} (score {} on {} of 6)",
                _number(pl.col("target_score")),
                pl.col("target_signals").cast(pl.String),
                pl.lit(str(len(TARGET_SIGNALS))),
                pl.col("relationship_observed"),
                _number(pl.col("relationship_score")),
                pl.col("observed_signals").cast(pl.String),
            )
        )
        .otherwise(
            pl.format(
                "observed score {} on {} of 6 signals",
                _number(pl.col("relationship_score")),
                pl.col("observed_signals").cast(pl.String),
            )
        )
    )
    return pl.format(
        "{} — {} · {} — {}",
        pl.col("value_segment").str.replace_all("_", " "),
        pl.col("value_reason"),
        pl.col("relationship"),
        type_why,
    )


#: The sentences :func:`explain_segments` adds, in the order they come.
EXPLANATIONS: tuple[str, ...] = (
    "target_reason",
    "relationship_reason",
    "value_reason",
    "why",
)


def explain_segments(
    segments: pl.DataFrame, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> pl.DataFrame:
    """Return rows of :func:`assign_segments` with their reasons, in words.

    Each sentence is built from the row's own columns, so explaining the 1,000
    rows a page shows gives the same text as explaining all 10,000 and keeping
    those 1,000 (``thresholds`` must be the ones the rows were segmented with).
    Adds (or rebuilds) ``target_reason``, ``relationship_reason``, ``value_reason``
    and ``why``; ``target_reason`` comes right after ``relationship_target``.
    """
    # In steps, each naming the columns the one before built: one expression
    # holding the score's and the target's sentences several times over costs
    # polars more to plan than to run on a thousand rows.
    basis_reason = (
        pl.when(pl.col("relationship_target").is_not_null())
        .then(pl.format("{}; {}", pl.col("target_reason"), pl.col("_score_reason")))
        .otherwise(pl.col("_score_reason"))
    )
    value_reason = value_reason_of(thresholds)
    segments = with_growth_reason(segments)
    explained = (
        segments.with_columns(
            target_reason=target_reason(),
            _score_reason=score_reason(segments.columns, thresholds),
            _value_reason=value_reason,
        )
        .with_columns(_basis_reason=basis_reason)
        .with_columns(
            relationship_reason=pl.when(pl.col("relationship_source") == "override")
            .then(
                pl.format(
                    "set by hand to {} ({}: {}); the {}",
                    pl.col("relationship"),
                    pl.col("override_by").fill_null("unknown"),
                    pl.col("override_reason"),
                    pl.col("_basis_reason"),
                )
            )
            .otherwise(pl.col("_basis_reason")),
            value_reason=pl.when(pl.col("value_segment") == "no_data")
            .then(pl.col("_value_reason"))
            .otherwise(
                pl.format(
                    "{}; revenue {} a year, {}",
                    pl.col("_value_reason"),
                    _number(pl.col("revenue")),
                    pl.col("revenue_basis").replace(REVENUE_BASIS_TEXT),
                )
            ),
        )
        .with_columns(why=_one_line_why())
    )
    order: list[str] = []
    for column in segments.columns:
        if column in EXPLANATIONS:
            continue
        order.append(column)
        if column == "relationship_target":
            order.append("target_reason")
    if "target_reason" not in order:
        order.append("target_reason")
    return explained.select(*order, *EXPLANATIONS[1:])
