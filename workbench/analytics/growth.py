"""Most growable: headroom and the signs it can be won.

Headroom alone (potential − revenue) ranks accounts by size: the largest customers
have the largest wallets. Peppers & Rogers' most growable customers are those whose
unrealised value we can realise, so the growth score weighs the account's place by
headroom against four signs the headroom can be won, each a share from 0 to 1:

- **pipeline**: open deals worth ``pipeline_full_at_headroom_pct`` of the headroom
  count in full;
- **trend**: revenue growth from −``trend_full_at_pct`` (0) through flat (0.5) to
  +``trend_full_at_pct`` (1); a first year of revenue counts in full;
- **coverage**: the share of the deciders and approvers on record touched in the
  12 months (unknown when the CRM records no buying roles for the account);
- **sentiment**: NPS (−100 → 0, +100 → 1) and the deciders' and approvers' mean
  attitude (blocker 0 … champion 1), their mean where both are known.

A sign that is unknown drops out (the score says "k of 4 signals"); an account
with headroom but no known sign gets the headroom part only. Pure polars over the
frame of :func:`~workbench.analytics.economics.compute_contribution`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from workbench.analytics.observed import _number
from workbench.analytics.sentences import list_separator, sentence, words
from workbench.i18n import DEFAULT_LANGUAGE, N_

if TYPE_CHECKING:
    from workbench.analytics.thresholds import Thresholds

#: The signs that headroom can be won, in the order reasons list them.
GROWTH_SIGNALS: tuple[str, ...] = ("pipeline", "trend", "coverage", "sentiment")


def _col(frame: pl.DataFrame, name: str, dtype: pl.DataType) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None, dtype=dtype)


def growth_signals(valued: pl.DataFrame, t: Thresholds) -> pl.DataFrame:
    """Return ``valued`` with the four signs and their mean added.

    Added: ``growth_pipeline``, ``growth_trend``, ``growth_coverage``,
    ``growth_sentiment`` (0–1, NULL when unknown), ``growth_signals_known``
    (0–4) and ``winnability`` (their mean over the known ones, NULL when none).
    """
    missing = {
        "open_pipeline": pl.Float64(),
        "contacts_with_role": pl.Int64(),
        "deciders_approvers": pl.Int64(),
        "deciders_approvers_engaged": pl.Int64(),
        "nps": pl.Float64(),
        "decider_attitude": pl.Float64(),
    }
    valued = valued.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in missing.items()
        if name not in valued.columns
    )
    headroom = pl.col("headroom")
    pipeline = _col(valued, "open_pipeline", pl.Float64()).fill_null(0)
    pipeline_full = headroom * t.pipeline_full_at_headroom_pct / 100
    growth = pl.col("growth_pct")
    full = t.trend_full_at_pct
    with_role = _col(valued, "contacts_with_role", pl.Int64()).fill_null(0)
    deciders = _col(valued, "deciders_approvers", pl.Int64()).fill_null(0)
    engaged = _col(valued, "deciders_approvers_engaged", pl.Int64()).fill_null(0)
    nps = _col(valued, "nps", pl.Float64())
    attitude = _col(valued, "decider_attitude", pl.Float64())
    nps_share = (nps + 100) / 200
    signals = valued.with_columns(
        growth_pipeline=pl.when(headroom > 0).then(
            pl.when(pipeline_full > 0)
            .then((pipeline / pipeline_full).clip(0, 1))
            .otherwise(pl.lit(0.0))
        ),
        growth_trend=pl.when(pl.col("revenue_prev") > 0)
        .then(((growth + full) / (2 * full)).clip(0, 1))
        .when(pl.col("revenue") > 0)
        .then(pl.lit(1.0)),
        growth_coverage=pl.when(deciders > 0)
        .then(engaged / deciders)
        .when(with_role > 0)
        .then(pl.lit(0.0)),
        growth_sentiment=pl.mean_horizontal(nps_share, attitude),
    )
    known = [pl.col(f"growth_{s}").is_not_null().cast(pl.Int64) for s in GROWTH_SIGNALS]
    return signals.with_columns(
        growth_signals_known=pl.sum_horizontal(known),
        winnability=pl.mean_horizontal([pl.col(f"growth_{s}") for s in GROWTH_SIGNALS]),
    )


def growth_score(candidates: pl.Expr, t: Thresholds) -> pl.Expr:
    """Return the growth score (0–100) of the accounts ``candidates`` marks.

    The headroom part is the account's place by headroom among the candidates
    (1 = the most headroom), so a wallet ten times larger does not count ten
    times; the rest is the winnability. NULL for accounts not marked.
    """
    weight = t.growth_headroom_weight_pct / 100
    among = pl.when(candidates).then(pl.col("headroom"))
    place = among.rank("average") / among.count()
    return pl.when(candidates).then(
        (weight * place + (1 - weight) * pl.col("winnability").fill_null(0)) * 100
    )


def growth_reason(language: str = DEFAULT_LANGUAGE) -> pl.Expr:
    """Return why an account can (or cannot) grow, in one line, in ``language``."""

    def part(name: str, text: pl.Expr) -> pl.Expr:
        return pl.when(pl.col(f"growth_{name}").is_not_null()).then(text)

    parts = [
        part(
            "pipeline",
            sentence(
                N_("open pipeline {amount}"),
                language,
                amount=_number(pl.col("open_pipeline")),
            ),
        ),
        part(
            "trend",
            pl.when(pl.col("growth_pct").is_not_null())
            .then(
                sentence(
                    N_("revenue {growth} {percent} a year"),
                    language,
                    growth=_number(pl.col("growth_pct")),
                    percent=pl.lit("%"),
                )
            )
            .otherwise(pl.lit(words(N_("first year of revenue"), language))),
        ),
        part(
            "coverage",
            sentence(
                N_("{engaged} of {present} deciders/approvers engaged"),
                language,
                engaged=pl.col("deciders_approvers_engaged").cast(pl.String),
                present=pl.col("deciders_approvers").cast(pl.String),
            ),
        ),
        part(
            "sentiment",
            sentence(
                N_("sentiment {points}/100"),
                language,
                points=_number(pl.col("growth_sentiment") * 100),
            ),
        ),
    ]
    signs = pl.concat_str(
        parts, separator=list_separator(language), ignore_nulls=True
    ).replace("", words(N_("no sign known"), language))
    # Only the accounts below the most valuable, with data, not below zero and
    # with headroom are scored; the others say why they have no score rather
    # than read "growth score 0".
    return (
        pl.when(pl.col("growth_score").is_not_null())
        .then(
            sentence(
                N_(
                    "growth score {score} on {known} of 4 signs: "
                    "headroom {headroom}; {signs}"
                ),
                language,
                score=_number(pl.col("growth_score")),
                known=pl.col("growth_signals_known").cast(pl.String),
                headroom=_number(pl.col("headroom")),
                signs=signs,
            )
        )
        .when(pl.col("potential").is_null())
        .then(
            sentence(
                N_("no growth score: no wallet known, so no headroom; {signs}"),
                language,
                signs=signs,
            )
        )
        .when(pl.col("headroom").is_null())
        .then(
            sentence(
                N_(
                    "no growth score: its wallet {potential} is below what it "
                    "buys ({revenue}), so no headroom is known; {signs}"
                ),
                language,
                potential=_number(pl.col("potential")),
                revenue=_number(pl.col("revenue")),
                signs=signs,
            )
        )
        .otherwise(
            sentence(
                N_("not scored for growth: headroom {headroom}; {signs}"),
                language,
                headroom=_number(pl.col("headroom")),
                signs=signs,
            )
        )
    )
