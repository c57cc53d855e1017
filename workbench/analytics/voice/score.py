"""The Net Promoter Score itself: bands, counts, NPS over any grouping; constants."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import polars as pl

from workbench.analytics.voice.uncertainty import interval_expressions

# Re-exported: the voice package's callers pick a survey type from it.
from workbench.domain import SURVEY_TYPES as SURVEY_TYPES

#: Shown where a respondent has no buying role recorded.
UNKNOWN_ROLE = "(no role)"
PROMOTER_MIN_SCORE = 9
PASSIVE_MIN_SCORE = 7
#: Latest score at or below this makes a person a detractor.
DETRACTOR_MAX_SCORE = 6
#: Roles whose detractors are a deal risk whatever their influence.
DECIDING_ROLES: tuple[str, ...] = ("decider", "approver")
HIGH_INFLUENCE_MIN = 4

Dimension = Literal["buying_role", "department", "org_level", "quarter", "account"]
DIMENSIONS: dict[str, str] = {
    "buying_role": "Buying role",
    "department": "Department",
    "org_level": "Org level (1 = top of the reporting tree)",
    "quarter": "Quarter",
    "account": "Account",
}

_COUNT_COLUMNS = ("responses", "promoters", "passives", "detractors")


# --- the score itself ---------------------------------------------------------------


def nps_score(scores: Sequence[int]) -> float | None:
    """Return the NPS of a list of 0–10 scores, or ``None`` when the list is empty.

    >>> nps_score([10, 9, 8, 6])
    25.0
    """
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= PROMOTER_MIN_SCORE)
    detractors = sum(1 for s in scores if s <= DETRACTOR_MAX_SCORE)
    return 100.0 * (promoters - detractors) / len(scores)


def band_expr(score: pl.Expr | None = None) -> pl.Expr:
    """Return an expression naming a score's band: promoter, passive or detractor."""
    value = pl.col("score") if score is None else score
    return (
        pl.when(value >= PROMOTER_MIN_SCORE)
        .then(pl.lit("promoter"))
        .when(value >= PASSIVE_MIN_SCORE)
        .then(pl.lit("passive"))
        .when(value.is_not_null())
        .then(pl.lit("detractor"))
    )


def _count_aggregations() -> list[pl.Expr]:
    score = pl.col("score")
    return [
        score.count().cast(pl.Int64).alias("responses"),
        (score >= PROMOTER_MIN_SCORE).sum().cast(pl.Int64).alias("promoters"),
        score.is_between(PASSIVE_MIN_SCORE, PROMOTER_MIN_SCORE - 1)
        .sum()
        .cast(pl.Int64)
        .alias("passives"),
        (score <= DETRACTOR_MAX_SCORE).sum().cast(pl.Int64).alias("detractors"),
    ]


def _with_nps(counts: pl.DataFrame) -> pl.DataFrame:
    # Null when nobody answered: a division by zero is not a score of 0. Every NPS
    # carries its interval and whether it rests on too few answers.
    return counts.with_columns(
        pl.when(pl.col("responses") > 0)
        .then(
            100.0
            * (pl.col("promoters") - pl.col("detractors")).cast(pl.Float64)
            / pl.col("responses").cast(pl.Float64)
        )
        .cast(pl.Float64)
        .alias("nps")
    ).with_columns(interval_expressions())


def summarise_nps(responses: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """Return responses, promoters, passives, detractors and NPS per group.

    Args:
        responses: needs ``score`` and the ``by`` columns.
        by: grouping columns; none gives one row for everything (with a null NPS
            when there are no responses).

    Returns:
        One row per group present in the data, sorted by the group columns, with
        ``nps_low``, ``nps_high`` (the 95 % interval) and ``too_few`` (fewer than
        :data:`~workbench.analytics.voice.uncertainty.MIN_RESPONSES` answers); see
        :mod:`workbench.analytics.voice.uncertainty`. Counts are of the rows given:
        call :func:`one_answer_per_person` first to count each person once.
    """
    scored = responses.filter(pl.col("score").is_not_null())
    if not by:
        return _with_nps(scored.select(_count_aggregations()))
    counts = scored.group_by(list(by)).agg(_count_aggregations())
    return _with_nps(counts).sort(list(by), nulls_last=True)
