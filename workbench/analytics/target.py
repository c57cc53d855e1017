"""The relationship to aim for (target) beside the one we see (observed).

Hutt & Speh choose between a transactional and a partnership relationship from the
buying situation, not from how much effort we already spend: how important and how
complex the purchase is for the customer, how costly a switch would be, how many
alternatives the supply market offers, how well the account fits our strategy, and
what the contract, the value and the potential say. Workshops rate the first five
per account (:data:`workbench.domain.SITUATION_FACTORS`, levels 1–5); the others
come from the data.

Every signal is a share from 0 to 1; a signal that is unknown drops out of the
denominator, so an account with four known signals is scored on those four ("based
on 4 of 8 signals") and no type is out of reach because a field is absent.
Pure polars expressions over the one-row-per-account frame; no loops over rows.
"""

from __future__ import annotations

import functools
import operator
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from workbench import terms
from workbench.analytics.sentences import list_separator, sentence, term_expr, words
from workbench.analytics.steps import Step, with_steps
from workbench.domain import SITUATION_FACTORS, SITUATION_LEVELS
from workbench.i18n import DEFAULT_LANGUAGE, N_

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from workbench.analytics.thresholds import Thresholds

#: The target score's signals, in the order reasons list them.
TARGET_SIGNALS: tuple[str, ...] = (
    *SITUATION_FACTORS,
    "contract_length",
    "value",
    "potential",
)
#: The signals as a reason names them.
TARGET_SIGNAL_WORDS: dict[str, str] = {
    "purchase_importance": N_("purchase importance"),
    "purchase_complexity": N_("purchase complexity"),
    "switching_costs": N_("switching costs"),
    "supply_alternatives": N_("supply alternatives"),
    "strategic_fit": N_("strategic fit"),
    "contract_length": N_("contract length"),
    "value": N_("value"),
    "potential": N_("potential"),
}
#: The situation's ratings as the target's steps read them, one per factor.
RATED_COLUMNS: tuple[str, ...] = tuple(f"_rated_{f}" for f in SITUATION_FACTORS)
#: A contract in force this long (months) or longer gives the full signal.
FULL_CONTRACT_MONTHS = 36
#: Where no contract is on record, the account's contract type stands in.
CONTRACT_TYPE_SIGNAL: dict[str, float] = {
    "multi_year": 1.0,
    "framework": 0.5,
    "spot": 0.0,
}


def _situation_signal(factor: str) -> pl.Expr:
    low, high = SITUATION_LEVELS
    share = (pl.col(factor).cast(pl.Float64) - low) / (high - low)
    # many alternatives in the supply market point to a transactional relationship
    return (1 - share) if factor == "supply_alternatives" else share


def _percentile(column: str, ranked: pl.Expr) -> pl.Expr:
    """Share of the ranked accounts this one is ahead of (1 = the best), else NULL."""
    rank = pl.when(ranked).then(pl.col(column)).rank("average")
    count = ranked.sum()
    return (
        pl.when(ranked & (count > 1))
        .then((rank - 1) / (count - 1))
        .when(ranked)
        .then(pl.lit(1.0))
    )


def target_relationship(
    segmented: pl.DataFrame,
    thresholds: Thresholds,
    situation: pl.DataFrame | None = None,
    *,
    explain: bool = True,
) -> pl.DataFrame:
    """Return the frame with the target relationship added.

    Args:
        segmented: accounts with ``value_segment``, ``contribution``,
            ``potential`` and, where known, ``contract_term_months`` and
            ``contract_type``.
        thresholds: ``target_threshold`` decides partnership.
        situation: rows of :func:`workbench.store.account_situation` (one column
            per situation factor, level 1–5, NULL when unknown).
        explain: add ``target_reason``; ``False`` leaves it out.

    Returns:
        Adds ``signal_<name>`` for each of :data:`TARGET_SIGNALS` (0–1, NULL when
        unknown), ``target_signals`` (how many are known), ``target_score``
        (0–100 over the known ones; NULL when none is), ``relationship_target``
        and, unless ``explain`` is false, ``target_reason`` (:func:`target_reason`
        builds it later, for the rows shown, from those columns).
    """
    targeted = with_target(segmented, target_signals(segmented, situation), thresholds)
    if not explain:
        return targeted
    return targeted.with_columns(target_reason=target_reason())


def _ranked(columns: Collection[str]) -> pl.Expr:
    """Return which accounts the value segments rank: those with data."""
    # (the same accounts before the value segments are assigned)
    if "value_segment" in columns:
        return pl.col("value_segment") != "no_data"
    if "has_data" in columns:
        return pl.col("has_data").fill_null(True)
    return pl.lit(True)


def target_signals(
    segmented: pl.DataFrame, situation: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Return the ``signal_<name>`` columns of :func:`target_relationship`, row for row.

    Of them only ``signal_value`` reads a cost (the contribution's place):
    :func:`value_signal` computes it alone.
    """
    factors = list(RATED_COLUMNS)
    if situation is None or situation.height == 0:
        # nothing rated: every situation signal unknown, no join to run
        rated_columns = [pl.lit(None, dtype=pl.Int64).alias(f) for f in factors]
        joined = segmented.with_columns(rated_columns)
    else:
        rated = situation.select(
            "account_id",
            *[
                pl.col(f).alias(rated)
                for f, rated in zip(SITUATION_FACTORS, RATED_COLUMNS, strict=True)
            ],
        )
        # the accounts' IDs joined, not the whole frame: a join gathers every
        # column it carries
        looked_up = segmented.select("account_id").join(
            rated, on="account_id", how="left", maintain_order="left"
        )
        joined = segmented.hstack(looked_up.select(factors).get_columns())
    return joined.select(**signal_step(joined.columns))


def signal_step(columns: Collection[str]) -> Step:
    """Return the step of :func:`target_signals` for a frame of ``columns``.

    The frame holds the situation's ratings as :data:`RATED_COLUMNS`.
    """
    ranked = _ranked(columns)
    term = (
        pl.col("contract_term_months")
        if "contract_term_months" in columns
        else pl.lit(None, dtype=pl.Float64)
    )
    contract_type = pl.col("contract_type").replace_strict(
        CONTRACT_TYPE_SIGNAL, default=None, return_dtype=pl.Float64
    )
    # A wallet below what the account buys from us is no wallet (an estimate
    # gone stale, a customer's revenue in thousands or millions): as its
    # headroom and share are, its size is unknown, not a place among wallets.
    wallet = pl.col("potential").is_not_null()
    if "revenue" in columns:
        wallet = wallet & ~(pl.col("revenue") > pl.col("potential")).fill_null(False)
    return {
        **{
            f"signal_{f}": _situation_signal(rated).clip(0, 1)
            for f, rated in zip(SITUATION_FACTORS, RATED_COLUMNS, strict=True)
        },
        "signal_contract_length": pl.coalesce(
            (term.cast(pl.Float64) / FULL_CONTRACT_MONTHS).clip(0, 1), contract_type
        ),
        "signal_value": _percentile("contribution", ranked),
        # the size of the customer's wallet: a large one is worth a partnership
        # even where we already hold much of it (headroom ranks growth, not this)
        "signal_potential": pl.when(wallet).then(
            _percentile("potential", ranked & wallet)
        ),
    }


def value_signal(segmented: pl.DataFrame) -> pl.Series:
    """Return the ``signal_value`` of :func:`target_signals` alone, row for row."""
    return segmented.select(
        signal_value=_percentile("contribution", _ranked(segmented.columns))
    ).to_series()


def with_target(
    segmented: pl.DataFrame, signals: pl.DataFrame, thresholds: Thresholds
) -> pl.DataFrame:
    """Return ``segmented`` with its :func:`target_signals` and the target they give.

    Adds the signals, ``target_signals``, ``target_score`` and
    ``relationship_target`` (the columns of :func:`target_relationship` without
    its reason).
    """
    # (a frame targeted before keeps its columns' places, as a new value does)
    with_signals = segmented.with_columns(signals.get_columns())
    return with_steps(with_signals, target_steps(signals.columns, thresholds)).drop(
        "_target_sum"
    )


def target_steps(names: Sequence[str], thresholds: Thresholds) -> list[Step]:
    """Return the steps of :func:`with_target` after its signals ``names``.

    They add ``_target_sum`` too, which the function drops.
    """
    target_type = (
        pl.when(pl.col("target_score") >= thresholds.target_threshold)
        .then(pl.lit("partnership"))
        .when(pl.col("target_score").is_not_null())
        .then(pl.lit("transactional"))
    )
    return [
        {
            "target_signals": pl.sum_horizontal(
                [pl.col(n).is_not_null().cast(pl.Int32) for n in names]
            ),
            # added left to right (the order a cost move's arrays repeat)
            "_target_sum": functools.reduce(
                operator.add, [pl.col(n).fill_null(0) for n in names]
            ),
        },
        {
            "target_score": pl.when(pl.col("target_signals") > 0).then(
                pl.col("_target_sum") / pl.col("target_signals") * 100
            )
        },
        {"relationship_target": target_type},
    ]


#: The target types, by their codes in :func:`target_types`.
_TARGET_TYPES = pl.Series("relationship_target", ["partnership", "transactional"])


def target_types(scores: np.ndarray, thresholds: Thresholds) -> pl.Series:
    """Return ``relationship_target`` of target scores held as an array (NaN: none).

    The rule of :func:`with_target`: partnership from the target threshold up,
    transactional below it, none without a score.
    """
    codes = np.where(scores >= thresholds.target_threshold, 0.0, 1.0)
    codes[np.isnan(scores)] = np.nan
    return _TARGET_TYPES.gather(pl.Series(codes, nan_to_null=True).cast(pl.UInt32))


def target_reason(language: str = DEFAULT_LANGUAGE) -> pl.Expr:
    """Return the target's reason from one row's own columns (signals and score).

    Gives the same text on any subset of :func:`target_relationship`'s rows; the
    sentence is in ``language``.
    """
    names = [f"signal_{name}" for name in TARGET_SIGNALS]
    known_parts = pl.concat_str(
        [
            pl.when(pl.col(n).is_not_null()).then(
                sentence(
                    N_("{signal} {points}"),
                    language,
                    signal=pl.lit(
                        words(TARGET_SIGNAL_WORDS[n.removeprefix("signal_")], language)
                    ),
                    points=(pl.col(n) * 100).round(0).cast(pl.Int64).cast(pl.String),
                )
            )
            for n in names
        ],
        separator=list_separator(language),
        ignore_nulls=True,
    )
    return (
        pl.when(pl.col("target_score").is_not_null())
        .then(
            sentence(
                N_(
                    "target {relationship}: score {score} based on {known} of "
                    "{signals} signals ({points}; of 100 each)"
                ),
                language,
                relationship=term_expr(
                    "relationship_target", terms.RELATIONSHIPS, language
                ),
                score=pl.col("target_score").round(0).cast(pl.Int64).cast(pl.String),
                known=pl.col("target_signals").cast(pl.String),
                signals=pl.lit(str(len(names))),
                points=known_parts,
            )
        )
        .otherwise(
            pl.lit(words(N_("no target: none of its signals is known"), language))
        )
    )
