"""The observed relationship: what our behaviour and their buying look like.

Six signals (tenure, share of wallet, breadth, executive engagement, contract,
joint activity) give points up to their weights. A signal that is unknown drops out
of the denominator instead of scoring zero: an account without a recorded contract
type, or a portfolio whose CRM records no joint activities at all (a plain
Salesforce export), is scored on the signals it has, and says so ("based on 4 of
6 signals"). With none known (an export of accounts and deals alone) there is no
score and no observed type, rather than a score of 0 read as "transactional".
The type plans follow is the target one (:mod:`.target`); this score stands
beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from workbench import terms
from workbench.analytics.sentences import list_separator, sentence, term_expr, words
from workbench.analytics.steps import Step, with_steps
from workbench.analytics.thresholds import CONTRACT_POINTS_SHARE
from workbench.i18n import DEFAULT_LANGUAGE, N_

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from workbench.analytics.thresholds import Thresholds

#: The observed score's points columns, one per signal.
OBSERVED_POINTS: tuple[str, ...] = (
    "points_tenure",
    "points_share_of_wallet",
    "points_breadth",
    "points_executive",
    "points_contract",
    "points_joint",
)
#: The type an account follows with no override, no target and no observed
#: type (no signal of either known): transactional, the service model that costs
#: less. A partnership is an investment the evidence should justify (Hutt &
#: Speh), and a workshop can set it by hand. Its source reads ``default``.
DEFAULT_RELATIONSHIP = "transactional"
#: A contract in force this long (months) or longer gives the contract's full points.
FULL_CONTRACT_MONTHS = 36


def _ratio(value: pl.Expr, full_at: float) -> pl.Expr:
    return (value.fill_null(0) / full_at).clip(0, 1)


def _number(expr: pl.Expr, decimals: int = 0) -> pl.Expr:
    """Return a figure a reason quotes: rounded, whole ones with their thousands grouped.

    1234567 reads 1,234,567, as the pages and exports write figures. Grouped from
    the right by reversing the digits (the regular expressions have no lookahead).
    """
    rounded = expr.fill_null(0).round(decimals)
    if decimals:
        return rounded.cast(pl.String)
    return (
        rounded.cast(pl.Int64)
        .cast(pl.String)
        .str.reverse()
        .str.replace_all(r"(\d{3})", "${1},")
        .str.reverse()
        .str.replace(r"^(-?),", "${1}")
    )


def _known(columns: Collection[str]) -> dict[str, pl.Expr]:
    """Return, per signal, whether it is known for the account."""
    term_known = (
        pl.col("contract_term_months").is_not_null()
        if "contract_term_months" in columns
        else pl.lit(False)
    )
    # A CRM that records no joint planning or workshop for any account does not
    # record them at all: zero is unknown there, not "none".
    joint_recorded = pl.col("joint_activities").fill_null(0).sum() > 0
    # Likewise a CRM whose activities reach no department of any account (an
    # export of accounts and deals alone, or activities naming nobody) records
    # no engagement: its breadth and executives are unknown, not none.
    engagement_recorded = pl.col("departments_engaged").fill_null(0).sum() > 0
    return {
        "tenure": pl.col("tenure_years").is_not_null(),
        "share_of_wallet": pl.col("share_of_wallet_pct").is_not_null(),
        "breadth": engagement_recorded,
        "executive": engagement_recorded,
        "contract": pl.col("contract_type").is_in(list(CONTRACT_POINTS_SHARE))
        | term_known,
        "joint": joint_recorded,
    }


def _contract_label(known_term: bool, language: str) -> pl.Expr:
    """Return the contract as the reason names it: its type, else its term."""
    term = (
        sentence(
            N_("of {months} months"),
            language,
            months=pl.col("contract_term_months").cast(pl.String),
        )
        if known_term
        else pl.lit(None, dtype=pl.String)
    )
    return pl.coalesce(
        term_expr("contract_type", terms.CONTRACT_TYPES, language),
        term,
        pl.lit(words(N_("unknown"), language)),
    )


def _score_reason(
    known: dict[str, pl.Expr],
    scored_type: pl.Expr,
    t: Thresholds,
    known_term: bool,
    language: str = DEFAULT_LANGUAGE,
) -> pl.Expr:
    """Return the observed score's reason: its points, and the signals left out."""
    comparison = (
        pl.when(pl.col("relationship_score") >= t.relationship_threshold)
        .then(pl.lit("≥"))
        .otherwise(pl.lit("<"))
    )

    def part(message: str, name: str, unknown: str, **values: pl.Expr) -> pl.Expr:
        # a signal left out is named alone: its figure, unknown, would read as 0
        label = sentence(message, language, **values)
        return (
            pl.when(known[name])
            .then(
                sentence(
                    N_("{signal} (+{points})"),
                    language,
                    signal=label,
                    points=_number(pl.col(f"points_{name}")),
                )
            )
            .otherwise(
                sentence(
                    N_("{signal} (unknown, left out)"),
                    language,
                    signal=pl.lit(words(unknown, language)),
                )
            )
        )

    parts = [
        part(
            N_("tenure {years} y"),
            "tenure",
            N_("tenure"),
            years=_number(pl.col("tenure_years"), 1),
        ),
        part(
            N_("share of wallet {share} {percent}"),
            "share_of_wallet",
            N_("share of wallet"),
            share=_number(pl.col("share_of_wallet_pct")),
            percent=pl.lit("%"),
        ),
        part(
            N_("{count} departments"),
            "breadth",
            N_("departments engaged"),
            count=_number(pl.col("departments_engaged")),
        ),
        part(
            N_("{count} executives"),
            "executive",
            N_("executives engaged"),
            count=_number(pl.col("executive_contacts_engaged")),
        ),
        part(
            N_("contract {contract}"),
            "contract",
            N_("contract"),
            contract=_contract_label(known_term, language),
        ),
        part(
            N_("{count} joint activities"),
            "joint",
            N_("joint activities"),
            count=_number(pl.col("joint_activities")),
        ),
    ]
    signals = pl.concat_str(parts, separator=list_separator(language))
    return (
        pl.when(pl.col("relationship_score").is_not_null())
        .then(
            sentence(
                N_(
                    "observed score {score} {comparison} {threshold} → "
                    "{relationship}, based on {known} of 6 signals: {signals}"
                ),
                language,
                score=_number(pl.col("relationship_score")),
                comparison=comparison,
                threshold=pl.lit(f"{t.relationship_threshold:g}"),
                relationship=term_expr(scored_type, terms.RELATIONSHIPS, language),
                known=pl.col("observed_signals").cast(pl.String),
                signals=signals,
            )
        )
        .otherwise(
            sentence(
                N_(
                    "observed score unknown: none of its weighed signals is known ({signals})"
                ),
                language,
                signals=signals,
            )
        )
    )


def observed_relationship(
    scored: pl.DataFrame, t: Thresholds, *, explain: bool = True
) -> pl.DataFrame:
    """Return the frame with the observed score, its points and its reason.

    Adds ``points_<signal>`` (NULL when the signal is unknown),
    ``observed_signals`` (how many of the six are known), ``relationship_score``
    (0–100: the known points over the known weights; NULL where no signal with
    a weight is known), ``relationship_scored`` and ``relationship_observed``
    (the type the score says; NULL without a score) and, unless
    ``explain`` is false, ``_score_reason`` (:func:`score_reason` builds it later,
    for the rows shown, from the columns above).
    """
    observed = with_steps(scored, observed_steps(scored.columns, t)).drop(
        "_known_weight"
    )
    if not explain:
        return observed
    return observed.with_columns(_score_reason=score_reason(observed.columns, t))


def observed_steps(columns: Collection[str], t: Thresholds) -> list[Step]:
    """Return the steps of :func:`observed_relationship` for a frame of ``columns``.

    They add ``_known_weight`` too, which the function drops.
    """
    term_share = (
        (pl.col("contract_term_months").cast(pl.Float64) / FULL_CONTRACT_MONTHS).clip(
            0, 1
        )
        if "contract_term_months" in columns
        else pl.lit(None, dtype=pl.Float64)
    )
    contract_share = pl.max_horizontal(
        term_share,
        pl.col("contract_type").replace_strict(
            CONTRACT_POINTS_SHARE, default=None, return_dtype=pl.Float64
        ),
    )
    raw = {
        "tenure": (
            _ratio(pl.col("tenure_years"), t.tenure_full_at_years),
            t.weight_tenure,
        ),
        "share_of_wallet": (
            _ratio(pl.col("share_of_wallet_pct"), t.share_of_wallet_full_at_pct),
            t.weight_share_of_wallet,
        ),
        "breadth": (
            _ratio(
                pl.col("departments_engaged").cast(pl.Float64),
                t.breadth_full_at_departments,
            ),
            t.weight_breadth,
        ),
        "executive": (
            _ratio(
                pl.col("executive_contacts_engaged").cast(pl.Float64),
                t.executive_full_at_contacts,
            ),
            t.weight_executive,
        ),
        "contract": (contract_share.fill_null(0.0), t.weight_contract),
        "joint": (
            _ratio(
                pl.col("joint_activities").cast(pl.Float64), t.joint_full_at_activities
            ),
            t.weight_joint,
        ),
    }
    known = _known(columns)
    points: Step = {
        **{
            f"points_{name}": pl.when(known[name]).then(share * weight)
            for name, (share, weight) in raw.items()
        },
        "_known_weight": pl.sum_horizontal(
            [
                pl.when(known[n]).then(pl.lit(w)).otherwise(0.0)
                for n, (_, w) in raw.items()
            ]
        ),
        "observed_signals": pl.sum_horizontal([known[n].cast(pl.Int32) for n in raw]),
    }
    # With no weighed signal known there is no score and no observed type: a
    # CRM export of accounts and deals alone records none of the six, and its
    # accounts were "observed transactional, score 0 on 0 of 6 signals".
    score: Step = {
        "relationship_score": pl.when(pl.col("_known_weight") > 0).then(
            pl.sum_horizontal([f"points_{n}" for n in raw])
            / pl.col("_known_weight")
            * 100
        )
    }
    scored_type = (
        pl.when(pl.col("relationship_score") >= t.relationship_threshold)
        .then(pl.lit("partnership"))
        .when(pl.col("relationship_score").is_not_null())
        .then(pl.lit("transactional"))
    )
    types: Step = {
        "relationship_scored": scored_type,
        "relationship_observed": scored_type,
    }
    return [points, score, types]


def score_reason(
    columns: Sequence[str], t: Thresholds, language: str = DEFAULT_LANGUAGE
) -> pl.Expr:
    """Return the observed score's reason from one row's own columns.

    Uses only what :func:`observed_relationship` leaves in each row (a signal is
    known where its ``points_<signal>`` is not NULL), so it gives the same text on
    any subset of the rows, such as the ones a page shows.
    """
    known = {
        name.removeprefix("points_"): pl.col(name).is_not_null()
        for name in OBSERVED_POINTS
    }
    return _score_reason(
        known,
        pl.col("relationship_observed"),
        t,
        "contract_term_months" in columns,
        language,
    )
