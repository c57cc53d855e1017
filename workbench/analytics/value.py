"""Value segments: most valuable, most growable, below zero, maintain, no data.

Split from :mod:`workbench.analytics.segment` (which calls it). Accounts without
data are set apart first; below zero is a negative 12-month contribution; most
valuable ranks by lifetime value (or, as an option, by 12-month contribution);
most growable ranks the rest by the growth score of :mod:`.growth` (headroom and
the signs it can be won). Vectorised polars, no loop over rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from workbench.analytics.growth import growth_reason, growth_score, growth_signals
from workbench.analytics.observed import _number
from workbench.analytics.orders import (
    descending_order,
    known_floats,
    ordinal_places,
    ordinal_ranks,
)
from workbench.analytics.sentences import sentence, words
from workbench.analytics.thresholds import Thresholds
from workbench.analytics.value_arrays import ranked_segments_fast
from workbench.i18n import DEFAULT_LANGUAGE, N_

#: The value "most valuable" ranks by, in words.
VALUE_BASIS_TEXT: dict[str, str] = {
    "lifetime_value": N_("lifetime value"),
    "contribution": N_("12-month contribution"),
}


#: The thresholds :func:`value_inputs` reads; the rest of the value segments'
#: thresholds (the top shares, the floor, the growth score's weight) only rank.
VALUE_INPUT_THRESHOLDS: tuple[str, ...] = (
    "valuable_basis",
    "pipeline_full_at_headroom_pct",
    "trend_full_at_pct",
)


#: The thresholds that only decide where the ranks are cut: no sentence reads
#: them (a reason names the rank, the value and the score, from the row).
RANKING_ONLY_THRESHOLDS: tuple[str, ...] = (
    "valuable_mode",
    "valuable_top_pct",
    "valuable_min_contribution",
    "growable_top_pct",
    "growth_headroom_weight_pct",
)


@dataclass(frozen=True)
class ValueInputs:
    """What the value segments rank, before any top share or floor is applied.

    ``signals``: the valued features with the growth signs of
    :func:`~workbench.analytics.growth.growth_signals`; ``ranked``: a narrow frame,
    row for row, of what ranking reads (whether the account has data, whether it
    is below zero, the value it is ranked by, headroom, winnability, and its
    ``value_rank`` and ``contribution_rank``); ``ranked_accounts``: the accounts
    with data. None of it reads a top share, so a slider that moves one reuses it.
    """

    signals: pl.DataFrame
    ranked: pl.DataFrame
    ranked_accounts: int


def value_inputs(valued: pl.DataFrame, t: Thresholds) -> ValueInputs:
    """Return what :func:`ranked_segments` ranks; reads only :data:`VALUE_INPUT_THRESHOLDS`."""
    return inputs_of_signals(growth_signals(valued, t), t)


def inputs_of_signals(signals: pl.DataFrame, t: Thresholds) -> ValueInputs:
    """Return :func:`value_inputs` of the valued features with their growth signs.

    ``signals``: a frame of :func:`~workbench.analytics.growth.growth_signals`.
    """
    # Accounts without data are set apart first: they neither count in the number
    # of accounts a top share is taken of, nor can they fill one.
    with_data = pl.col("has_data") if "has_data" in signals.columns else pl.lit(True)
    narrow = signals.select(
        _data=with_data.fill_null(True),
        _value=pl.col(t.valuable_basis),
        _contribution=pl.col("contribution"),
        headroom=pl.col("headroom"),
        winnability=pl.col("winnability"),
    )
    return ranked_inputs(signals, narrow)


def ranked_inputs(signals: pl.DataFrame, narrow: pl.DataFrame) -> ValueInputs:
    """Return :class:`ValueInputs` of a narrow frame of what ranking reads.

    ``narrow`` holds, row for row with ``signals``: ``_data``, ``_value`` (the
    value ranked by), ``_contribution``, ``headroom`` and ``winnability``; this
    adds whether each account is below zero and its places by value and by
    contribution (accounts without data take none).
    """
    data = narrow.get_column("_data")
    ranks = [
        _ordinal_rank(narrow, column, data) for column in ("_value", "_contribution")
    ]
    ranked = narrow.with_columns(
        _below_zero=pl.col("_data") & (pl.col("_contribution") < 0),
        value_rank=pl.when(pl.col("_data"))
        .then(pl.col("_value"))
        .rank("ordinal", descending=True)
        if ranks[0] is None
        else ranks[0],
        contribution_rank=pl.when(pl.col("_data"))
        .then(pl.col("_contribution"))
        .rank("ordinal", descending=True)
        if ranks[1] is None
        else ranks[1],
    )
    return ValueInputs(signals, ranked, int(data.sum()))


def _ordinal_rank(
    narrow: pl.DataFrame, column: str, data: pl.Series
) -> pl.Series | None:
    """Return the rows' places by ``column`` among those with data, on arrays.

    As ``when(_data).then(column).rank("ordinal", descending=True)``: NULL
    where there is no data or no value; None where a value is NaN (the caller
    ranks in polars).
    """
    read = known_floats(narrow.get_column(column))
    if read is None or data.null_count():
        return None
    values, known = read
    ranked = known & data.to_numpy().astype(bool)
    return ordinal_ranks(ordinal_places(descending_order(values), ranked))


def ranked_segments(inputs: ValueInputs, t: Thresholds) -> pl.DataFrame:
    """Return, row for row, ``growth_score``, ``value_segment`` and the ranks.

    Columns: ``growth_score``, ``value_segment``, ``value_rank``,
    ``contribution_rank``, ``ranked_accounts`` (what :func:`value_segments` adds
    after the growth signs). Works on the narrow frame of :func:`value_inputs`
    only: a top share's move ranks a few columns, not the whole portfolio's.
    """
    value = pl.col("_value")
    if t.valuable_mode == "percent":
        top_n = math.ceil(t.valuable_top_pct / 100 * inputs.ranked_accounts)
        valuable = (pl.col("value_rank") <= top_n) & (value >= 0)
    else:
        valuable = (value >= t.valuable_min_contribution) & (value >= 0)
    flagged = inputs.ranked.with_columns(
        _valuable=(valuable & pl.col("_data") & ~pl.col("_below_zero")).fill_null(
            False
        ),
    ).with_columns(
        _rest=pl.col("_data") & ~pl.col("_below_zero") & ~pl.col("_valuable"),
    )
    rest = int(flagged["_rest"].sum())
    grow_n = math.ceil(t.growable_top_pct / 100 * rest)
    candidate = pl.col("_rest") & (pl.col("headroom") > 0)
    scored = flagged.with_columns(growth_score=growth_score(candidate, t))
    growable = candidate & (
        pl.col("growth_score").rank("ordinal", descending=True) <= grow_n
    )
    return scored.select(
        "growth_score",
        value_segment=pl.when(~pl.col("_data"))
        .then(pl.lit("no_data"))
        .when(pl.col("_below_zero"))
        .then(pl.lit("below_zero"))
        .when(pl.col("_valuable"))
        .then(pl.lit("most_valuable"))
        .when(growable.fill_null(False))
        .then(pl.lit("most_growable"))
        .otherwise(pl.lit("maintain")),
        value_rank=pl.col("value_rank"),
        contribution_rank=pl.col("contribution_rank"),
        ranked_accounts=pl.lit(inputs.ranked_accounts),
    )


def value_segments(
    valued: pl.DataFrame,
    t: Thresholds,
    *,
    explain: bool = True,
    inputs: ValueInputs | None = None,
) -> pl.DataFrame:
    """Return ``valued`` with ``value_segment``, the ranks and the growth score.

    Added: ``value_segment``, ``value_rank`` (place by the value ``valuable_basis``
    names, among accounts with data), ``contribution_rank``, ``ranked_accounts``,
    the growth signs of :func:`~workbench.analytics.growth.growth_signals`,
    ``growth_score`` (accounts that could be most growable: with data, not below
    zero or most valuable, with headroom) and, unless ``explain`` is False,
    ``growth_reason`` (a sentence per account, built from the row's own columns:
    :func:`with_growth_reason` adds it to the rows a page shows). ``inputs``:
    :func:`value_inputs` of ``valued`` and ``t`` computed before (the app keeps
    them between slider moves).
    """
    kept = value_inputs(valued, t) if inputs is None else inputs
    # the same rule as ranked_segments, on arrays prepared once per inputs
    segmented = kept.signals.hstack(ranked_segments_fast(kept, t).get_columns())
    return with_growth_reason(segmented) if explain else segmented


def with_growth_reason(
    segmented: pl.DataFrame, language: str = DEFAULT_LANGUAGE
) -> pl.DataFrame:
    """Return rows of :func:`value_segments` with ``growth_reason`` after the ranks.

    The sentence comes from the row's own columns, so explaining some rows gives
    the text explaining all of them would; a frame that has it in English is
    returned as is (in another ``language`` it is written again, in its place).
    """
    if "growth_reason" in segmented.columns:
        if language == DEFAULT_LANGUAGE:
            return segmented
        return segmented.with_columns(growth_reason=growth_reason(language))
    columns = segmented.columns
    at = columns.index("ranked_accounts") + 1 if "ranked_accounts" in columns else None
    added = segmented.with_columns(growth_reason=growth_reason(language))
    if at is None:
        return added
    return added.select(*columns[:at], "growth_reason", *columns[at:])


def growth_reason_step(columns: tuple[str, ...], language: str) -> list[pl.Expr]:
    """Return what :func:`with_growth_reason` adds to a frame of ``columns``, if anything.

    Empty when the frame has the sentence in English already (it is kept); else
    the expression of ``growth_reason`` in ``language``.
    """
    if "growth_reason" in columns and language == DEFAULT_LANGUAGE:
        return []
    return [growth_reason(language).alias("growth_reason")]


def value_reason(t: Thresholds, language: str = DEFAULT_LANGUAGE) -> pl.Expr:
    """Return why each account is in its value segment, in words (in ``language``)."""
    basis = words(VALUE_BASIS_TEXT[t.valuable_basis], language)
    return (
        pl.when(pl.col("value_segment") == "no_data")
        .then(
            pl.lit(
                words(
                    N_(
                        "no data: no revenue, people, activity or open deal on "
                        "record; not ranked"
                    ),
                    language,
                )
            )
        )
        .when(pl.col("value_segment") == "below_zero")
        .then(
            sentence(
                N_(
                    "contribution {contribution} < 0: cost-to-serve {cost} exceeds "
                    "margin {margin}"
                ),
                language,
                contribution=_number(pl.col("contribution")),
                cost=_number(pl.col("cost_to_serve")),
                margin=_number(pl.col("margin")),
            )
        )
        .when(pl.col("value_segment") == "most_valuable")
        .then(
            sentence(
                N_(
                    "{basis} {value} ranks #{rank} of {ranked} accounts with data "
                    "(contribution {contribution} × {years} years)"
                ),
                language,
                basis=pl.lit(basis),
                value=_number(pl.col(t.valuable_basis)),
                rank=pl.col("value_rank").cast(pl.String),
                ranked=pl.col("ranked_accounts").cast(pl.String),
                contribution=_number(pl.col("contribution")),
                years=_number(pl.col("remaining_years"), 1),
            )
        )
        .when(pl.col("value_segment") == "most_growable")
        .then(pl.col("growth_reason"))
        .otherwise(
            sentence(
                N_("{basis} {value} is below the most valuable; {growth}"),
                language,
                basis=pl.lit(basis),
                value=_number(pl.col(t.valuable_basis)),
                growth="growth_reason",
            )
        )
    )
