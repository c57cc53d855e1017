"""Value segments: most valuable, most growable, below zero, maintain, no data.

Split from :mod:`workbench.analytics.segment` (which calls it). Accounts without
data are set apart first; below zero is a negative 12-month contribution; most
valuable ranks by lifetime value (or, as an option, by 12-month contribution);
most growable ranks the rest by the growth score of :mod:`.growth` (headroom and
the signs it can be won). Vectorised polars, no loop over rows.
"""

from __future__ import annotations

import math

import polars as pl

from workbench.analytics.growth import growth_reason, growth_score, growth_signals
from workbench.analytics.observed import _number
from workbench.analytics.sentences import sentence, words
from workbench.analytics.thresholds import Thresholds
from workbench.i18n import DEFAULT_LANGUAGE, N_

#: The value "most valuable" ranks by, in words.
VALUE_BASIS_TEXT: dict[str, str] = {
    "lifetime_value": N_("lifetime value"),
    "contribution": N_("12-month contribution"),
}


def value_segments(
    valued: pl.DataFrame, t: Thresholds, *, explain: bool = True
) -> pl.DataFrame:
    """Return ``valued`` with ``value_segment``, the ranks and the growth score.

    Added: ``value_segment``, ``value_rank`` (place by the value ``valuable_basis``
    names, among accounts with data), ``contribution_rank``, ``ranked_accounts``,
    the growth signs of :func:`~workbench.analytics.growth.growth_signals`,
    ``growth_score`` (accounts that could be most growable: with data, not below
    zero or most valuable, with headroom) and, unless ``explain`` is False,
    ``growth_reason`` (a sentence per account, built from the row's own columns:
    :func:`with_growth_reason` adds it to the rows a page shows).
    """
    # Accounts without data are set apart first: they neither count in the number
    # of accounts a top share is taken of, nor can they fill one.
    with_data = pl.col("has_data") if "has_data" in valued.columns else pl.lit(True)
    flagged = growth_signals(valued, t).with_columns(_data=with_data.fill_null(True))
    ranked_accounts = int(flagged["_data"].sum())
    value = pl.col(t.valuable_basis)
    ranked_value = pl.when(pl.col("_data")).then(value)
    below_zero = pl.col("_data") & (pl.col("contribution") < 0)
    if t.valuable_mode == "percent":
        top_n = math.ceil(t.valuable_top_pct / 100 * ranked_accounts)
        valuable = (ranked_value.rank("ordinal", descending=True) <= top_n) & (
            value >= 0
        )
    else:
        valuable = (value >= t.valuable_min_contribution) & (value >= 0)
    flagged = flagged.with_columns(
        _below_zero=below_zero,
        _valuable=(valuable & pl.col("_data") & ~below_zero).fill_null(False),
    ).with_columns(
        _candidate=pl.col("_data")
        & ~pl.col("_below_zero")
        & ~pl.col("_valuable")
        & (pl.col("headroom") > 0)
    )
    rest = int(
        flagged.select(
            (pl.col("_data") & ~pl.col("_below_zero") & ~pl.col("_valuable")).sum()
        ).item()
    )
    grow_n = math.ceil(t.growable_top_pct / 100 * rest)
    flagged = flagged.with_columns(growth_score=growth_score(pl.col("_candidate"), t))
    growable = pl.col("_candidate") & (
        pl.col("growth_score").rank("ordinal", descending=True) <= grow_n
    )
    contribution = pl.when(pl.col("_data")).then(pl.col("contribution"))
    segmented = (
        flagged.with_columns(
            value_segment=pl.when(~pl.col("_data"))
            .then(pl.lit("no_data"))
            .when(pl.col("_below_zero"))
            .then(pl.lit("below_zero"))
            .when(pl.col("_valuable"))
            .then(pl.lit("most_valuable"))
            .when(growable.fill_null(False))
            .then(pl.lit("most_growable"))
            .otherwise(pl.lit("maintain")),
            value_rank=ranked_value.rank("ordinal", descending=True),
            contribution_rank=contribution.rank("ordinal", descending=True),
            ranked_accounts=pl.lit(ranked_accounts),
        )
    ).drop("_below_zero", "_valuable", "_candidate", "_data")
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
