"""Each account's segment and relationship type explained in words.

The sentences are built from each row's own columns (the segmentation, the
observed score's points, the target's signals), never from the whole portfolio,
so a page explains only the rows it shows and gets the same text as explaining
every account (:func:`explain_segments`). Building them for 10,000 accounts costs
more than the segmentation itself.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Collection, Hashable
from dataclasses import replace

import polars as pl

from workbench import terms
from workbench.analytics.economics import COST_ONLY_THRESHOLDS, REVENUE_BASIS_TEXT
from workbench.analytics.observed import _number, score_reason
from workbench.analytics.sentences import phrase_expr, sentence, term_expr, words
from workbench.analytics.target import (
    TARGET_SIGNALS,
    target_reason,
)
from workbench.analytics.thresholds import (
    DEFAULT_THRESHOLDS,
    FEATURES_ONLY_THRESHOLDS,
    Thresholds,
)
from workbench.analytics.value import RANKING_ONLY_THRESHOLDS, growth_reason_step
from workbench.analytics.value import value_reason as value_reason_of
from workbench.i18n import DEFAULT_LANGUAGE, N_

__all__ = ["EXPLANATIONS", "explain_segments"]

#: Thresholds no sentence reads (tested): the sentences' expressions are kept
#: across their moves.
_UNREAD_THRESHOLDS: tuple[str, ...] = (
    *RANKING_ONLY_THRESHOLDS,
    *COST_ONLY_THRESHOLDS,
    *FEATURES_ONLY_THRESHOLDS,
)


def _one_line_why(language: str) -> pl.Expr:
    """Return each account's segment and type explained in one line."""
    # the target's score and signals, as both of its sentences quote them
    target: dict[str, pl.Expr | str] = {
        "target": _number(pl.col("target_score")),
        "known": pl.col("target_signals").cast(pl.String),
        "signals": pl.lit(str(len(TARGET_SIGNALS))),
    }
    type_why = (
        pl.when(pl.col("relationship_source") == "override")
        .then(
            sentence(
                N_("set by hand: {reason}"),
                language,
                reason=pl.col("override_reason").fill_null(
                    words(N_("no reason"), language)
                ),
            )
        )
        .when(
            (pl.col("relationship_source") == "target")
            & pl.col("relationship_observed").is_not_null()
        )
        .then(
            sentence(
                N_(
                    "target score {target} on {known} of {signals} signals; observed "
                    "{observed} (score {score} on {observed_known} of 6)"
                ),
                language,
                **target,
                observed=term_expr(
                    "relationship_observed", terms.RELATIONSHIPS, language
                ),
                score=_number(pl.col("relationship_score")),
                observed_known=pl.col("observed_signals").cast(pl.String),
            )
        )
        .when(pl.col("relationship_source") == "target")
        .then(
            sentence(
                N_(
                    "target score {target} on {known} of {signals} signals; "
                    "no observed score (none of its signals known)"
                ),
                language,
                **target,
            )
        )
        .when(pl.col("relationship_source") == "default")
        .then(
            sentence(
                N_("no signal known: {relationship} by default"),
                language,
                relationship=term_expr("relationship", terms.RELATIONSHIPS, language),
            )
        )
        .otherwise(
            sentence(
                N_("observed score {score} on {known} of 6 signals"),
                language,
                score=_number(pl.col("relationship_score")),
                known=pl.col("observed_signals").cast(pl.String),
            )
        )
    )
    segment = (
        pl.col("value_segment").str.replace_all("_", " ")
        if language == DEFAULT_LANGUAGE
        else phrase_expr("value_segment", terms.VALUE_SEGMENTS, language)
    )
    return sentence(
        N_("{segment} — {value_reason} · {relationship} — {relationship_reason}"),
        language,
        segment=segment,
        value_reason="value_reason",
        relationship=term_expr("relationship", terms.RELATIONSHIPS, language),
        relationship_reason=type_why,
    )


#: The sentences :func:`explain_segments` adds, in the order they come.
EXPLANATIONS: tuple[str, ...] = (
    "target_reason",
    "relationship_reason",
    "value_reason",
    "why",
)


def explain_segments(
    segments: pl.DataFrame,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    language: str = DEFAULT_LANGUAGE,
    only: Collection[str] | None = None,
) -> pl.DataFrame:
    """Return rows of :func:`assign_segments` with their reasons, in words.

    Each sentence is built from the row's own columns, so explaining the 1,000
    rows a page shows gives the same text as explaining all 10,000 and keeping
    those 1,000 (``thresholds`` must be the ones the rows were segmented with).
    Adds (or rebuilds) ``target_reason``, ``relationship_reason``, ``value_reason``
    and ``why``; ``target_reason`` comes right after ``relationship_target``.
    The sentences are written in ``language`` (English by default: the downloads,
    ``--json`` and a plan's stored situation keep it); codes stay codes.

    ``only``: the sentences wanted (of :data:`EXPLANATIONS` and
    ``growth_reason``); those not wanted, and not read by one wanted, are not
    built (the result holds them only where ``segments`` did). The ones built
    are the same text.
    """
    columns = tuple(segments.columns)
    # The sentences read no threshold that only cuts the ranks or prices an hour,
    # so a move of a top share or of the hourly cost reuses the expressions of the
    # move before (the figures a sentence quotes are the row's own).
    unmoved = replace(
        thresholds,
        **{f: getattr(DEFAULT_THRESHOLDS, f) for f in _UNREAD_THRESHOLDS},
    )
    wanted = None if only is None else frozenset(only)
    steps, built, read = _reason_steps(columns, unmoved, language, wanted)
    # Only the columns the sentences read go through the steps: each step on the
    # whole table was planned over every one of its columns.
    # (a frame of the columns themselves: a select is planned, as a query)
    reasons = pl.DataFrame([segments.get_column(c) for c in read])
    if reasons.height > _MEMO_ROWS_AT_MOST:
        for step in steps:
            reasons = reasons.with_columns(step)
        made = dict(zip(built, reasons.select(built).get_columns(), strict=True))
    else:
        made = _memo_reasons(
            reasons, steps, built, (columns, unmoved, language, wanted)
        )
    return pl.DataFrame(
        [
            made[name] if name in made else segments.get_column(name)
            for name in _explained_order(columns)
            if name in made or name in columns
        ]
    )


def reason_columns(
    columns: tuple[str, ...],
    thresholds: Thresholds,
    language: str = DEFAULT_LANGUAGE,
    only: Collection[str] | None = None,
) -> list[str]:
    """Return the columns of ``columns`` the reasons of :func:`explain_segments` read."""
    unmoved = replace(
        thresholds,
        **{f: getattr(DEFAULT_THRESHOLDS, f) for f in _UNREAD_THRESHOLDS},
    )
    wanted = None if only is None else frozenset(only)
    return _reason_steps(columns, unmoved, language, wanted)[2]


#: Tables of at most this many rows (a page's) have their sentences kept per row.
_MEMO_ROWS_AT_MOST = 2_000
#: Sentences kept per row at most, per columns, thresholds and language.
_MEMO_KEPT_ROWS = 50_000
#: The last few sets of kept sentences, by columns, thresholds and language.
_MEMO_SETS = 8
_MEMO: OrderedDict[Hashable, dict[tuple[int, int], tuple[str | None, ...]]] = (
    OrderedDict()
)
_MEMO_LOCK = threading.Lock()


def _memo_reasons(
    reasons: pl.DataFrame,
    steps: list[list[pl.Expr]],
    built: list[str],
    context: tuple[Hashable, ...],
) -> dict[str, pl.Series]:
    """Return the ``built`` sentences of the rows of ``reasons``, kept per row.

    A row's sentences come from its own values only, so a row seen before with
    the same values (a threshold move leaves most shown rows as they were) gets
    the text built then; the rows not seen go through the ``steps`` together.
    A row is known by two hashes of its values with different seeds (128 bits).
    Of the rows not seen, each sentence that reads the row's columns alone is
    kept too, by the values of those columns (:func:`_with_leaves`).
    """
    key = (*context, tuple(reasons.schema.items()))
    rows = _row_keys(reasons)
    with _MEMO_LOCK:
        kept = _MEMO.get(key)
        if kept is None:
            kept = _MEMO[key] = {}
            while len(_MEMO) > _MEMO_SETS:
                _MEMO.popitem(last=False)
        _MEMO.move_to_end(key)
        found = [kept.get(row) for row in rows]
    missing = [i for i, sentences in enumerate(found) if sentences is None]
    if missing:
        new = reasons[missing] if len(missing) < len(rows) else reasons
        new, rest = _with_leaves(new, steps, key)
        for step in rest:
            new = new.with_columns(step)
        made = new.select(built).rows()
        with _MEMO_LOCK:
            if len(kept) + len(missing) > _MEMO_KEPT_ROWS:
                kept.clear()
            for i, sentences in zip(missing, made, strict=True):
                found[i] = kept[rows[i]] = sentences
    return {
        name: pl.Series(
            name, [None if s is None else s[j] for s in found], dtype=pl.String
        )
        for j, name in enumerate(built)
    }


def _row_keys(frame: pl.DataFrame) -> list[tuple[int, int]]:
    """Return each row of ``frame`` known by two hashes of its values (128 bits)."""
    return list(
        zip(
            frame.hash_rows(seed=1).to_list(),
            frame.hash_rows(seed=7).to_list(),
            strict=True,
        )
    )


#: The sentences that read a row's columns alone, kept per sentence by the
#: values of the columns each reads (under the same key as :data:`_MEMO`).
_LEAVES: OrderedDict[Hashable, dict[tuple[int, int], str | None]] = OrderedDict()


def _with_leaves(
    frame: pl.DataFrame, steps: list[list[pl.Expr]], key: Hashable
) -> tuple[pl.DataFrame, list[list[pl.Expr]]]:
    """Return ``frame`` with the sentences that read its columns alone, and the rest.

    Such a sentence (the growth's, the target's and the observed score's; not
    one that reads a sentence the steps build, even where the frame holds that
    sentence already) is kept by the values of the columns it reads: a move of
    the hourly cost changes every shown row's contribution, not its observed
    score or its growth signs, so those sentences are not built again. The steps
    returned build the other sentences, in order (they read these). The same
    text as building every sentence (tested).
    """
    # a column a step writes (a sentence the frame held already, built again in
    # another language) is read after it is written: what reads it is no leaf
    written = {e.meta.output_name() for step in steps for e in step}
    readable = set(frame.columns) - written
    leaves = [e for step in steps for e in step if set(e.meta.root_names()) <= readable]
    rest = [
        [e for e in step if not any(e is leaf for leaf in leaves)] for step in steps
    ]
    by_roots: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    added: list[pl.Series] = []
    for leaf in leaves:
        name = leaf.meta.output_name()
        roots = tuple(sorted(set(leaf.meta.root_names())))
        if roots not in by_roots:
            by_roots[roots] = _row_keys(frame.select(roots))
        rows = by_roots[roots]
        with _MEMO_LOCK:
            kept = _LEAVES.get((key, name))
            if kept is None:
                kept = _LEAVES[(key, name)] = {}
                while len(_LEAVES) > _MEMO_SETS * len(EXPLANATIONS):
                    _LEAVES.popitem(last=False)
            _LEAVES.move_to_end((key, name))
            found = [kept.get(row, _UNSEEN) for row in rows]
        missing = [i for i, text in enumerate(found) if text is _UNSEEN]
        if missing:
            part = frame[missing] if len(missing) < len(rows) else frame
            made = built_leaf(part, leaf).to_list()
            with _MEMO_LOCK:
                if len(kept) + len(missing) > _MEMO_KEPT_ROWS:
                    kept.clear()
                for i, text in zip(missing, made, strict=True):
                    found[i] = kept[rows[i]] = text
        added.append(pl.Series(name, found, dtype=pl.String))
    return frame.with_columns(added), [step for step in rest if step]


#: A sentence not kept for a row (None is a sentence: a row with no reason).
_UNSEEN = object()


def built_leaf(frame: pl.DataFrame, leaf: pl.Expr) -> pl.Series:
    """Return the sentence ``leaf`` builds for each row of ``frame`` (not kept)."""
    return frame.select(leaf).to_series()


@functools.lru_cache(maxsize=32)
def _reason_steps(
    columns: tuple[str, ...],
    thresholds: Thresholds,
    language: str,
    wanted: frozenset[str] | None = None,
) -> tuple[list[list[pl.Expr]], list[str], list[str]]:
    """Return the steps of expressions that build the reasons, what they build, and read.

    In steps, each naming the columns the one before built: one expression holding
    the score's and the target's sentences several times over costs polars more to
    plan than to run on a thousand rows. Kept per columns, thresholds, language
    and the sentences ``wanted`` (None: all): building the expressions costs about
    as much as running them.
    """
    basis_reason = (
        pl.when(pl.col("relationship_target").is_not_null())
        .then(
            sentence(
                N_("{target_reason}; {score_reason}"),
                language,
                target_reason="target_reason",
                score_reason="_score_reason",
            )
        )
        .when(pl.col("relationship_observed").is_not_null())
        .then(pl.col("_score_reason"))
        .otherwise(
            sentence(
                N_("{score_reason}; {target_reason}"),
                language,
                score_reason="_score_reason",
                target_reason="target_reason",
            )
        )
    )
    growth = growth_reason_step(columns, language)
    steps: list[list[pl.Expr]] = [[e] for e in growth]
    steps += [
        [
            target_reason(language).alias("target_reason"),
            score_reason(columns, thresholds, language).alias("_score_reason"),
            value_reason_of(thresholds, language).alias("_value_reason"),
        ],
        [basis_reason.alias("_basis_reason")],
        [
            pl.when(pl.col("relationship_source") == "override")
            .then(
                sentence(
                    N_("set by hand to {relationship} ({by}: {reason}); the {basis}"),
                    language,
                    relationship=term_expr(
                        "relationship", terms.RELATIONSHIPS, language
                    ),
                    by=pl.col("override_by").fill_null(words(N_("unknown"), language)),
                    reason="override_reason",
                    basis="_basis_reason",
                )
            )
            .when(pl.col("relationship_source") == "default")
            .then(
                sentence(
                    N_("{basis} → {relationship} by default"),
                    language,
                    basis="_basis_reason",
                    relationship=term_expr(
                        "relationship", terms.RELATIONSHIPS, language
                    ),
                )
            )
            .otherwise(pl.col("_basis_reason"))
            .alias("relationship_reason"),
            pl.when(pl.col("value_segment") == "no_data")
            .then(pl.col("_value_reason"))
            .otherwise(
                sentence(
                    N_("{reason}; revenue {revenue} a year, {basis}"),
                    language,
                    reason="_value_reason",
                    revenue=_number(pl.col("revenue")),
                    basis=phrase_expr("revenue_basis", REVENUE_BASIS_TEXT, language),
                )
            )
            .alias("value_reason"),
        ],
        [_one_line_why(language).alias("why")],
    ]
    built = [*(["growth_reason"] if growth else []), *EXPLANATIONS]
    if wanted is not None:
        steps = _needed_steps(steps, wanted)
        made = {expr.meta.output_name() for step in steps for expr in step}
        built = [name for name in built if name in wanted and name in made]
    named = {name for step in steps for expr in step for name in expr.meta.root_names()}
    return steps, built, [c for c in columns if c in named]


def _needed_steps(
    steps: list[list[pl.Expr]], wanted: frozenset[str]
) -> list[list[pl.Expr]]:
    """Return ``steps`` with only the expressions a ``wanted`` sentence needs.

    From the last step back: an expression stays when it builds a column wanted
    or read by one that stays; a step left empty goes.
    """
    needed = set(wanted)
    kept: list[list[pl.Expr]] = []
    for step in reversed(steps):
        staying = [e for e in step if e.meta.output_name() in needed]
        for expr in staying:
            needed.update(expr.meta.root_names())
        if staying:
            kept.append(staying)
    return kept[::-1]


def _explained_order(columns: tuple[str, ...]) -> list[str]:
    """Return the columns of :func:`explain_segments`' result, in their order.

    ``growth_reason`` after ``ranked_accounts`` when it was missing (see
    :func:`~.value.with_growth_reason`), ``target_reason`` after
    ``relationship_target``, the other reasons last.
    """
    with_growth = list(columns)
    if "growth_reason" not in with_growth:
        at = (
            with_growth.index("ranked_accounts") + 1
            if "ranked_accounts" in with_growth
            else len(with_growth)
        )
        with_growth.insert(at, "growth_reason")
    order: list[str] = []
    for column in with_growth:
        if column in EXPLANATIONS:
            continue
        order.append(column)
        if column == "relationship_target":
            order.append("target_reason")
    if "target_reason" not in order:
        order.append("target_reason")
    return [*order, *EXPLANATIONS[1:]]
