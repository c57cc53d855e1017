"""Drivers: NPS against plain buckets (breadth, effort, freshness, relationship)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from datetime import date

import polars as pl

from workbench.analytics.sentences import words
from workbench.analytics.voice.score import (
    _COUNT_COLUMNS,
    _count_aggregations,
    _with_nps,
    summarise_nps,
)
from workbench.i18n import DEFAULT_LANGUAGE, N_


def bucket_by_edges(
    values: pl.Expr, edges: Sequence[float], unit: str, *, missing: str = "none"
) -> tuple[pl.Expr, pl.Expr]:
    """Return expressions for a bucket label and its order, cut at the given edges.

    Edges ``[10, 50]`` with unit ``h`` give ``< 10 h``, ``10–50 h`` and ``≥ 50 h``;
    a null value falls into ``missing`` (ordered last).
    """
    cut = sorted(set(edges))
    label: pl.Expr = pl.lit(missing)
    order: pl.Expr = pl.lit(len(cut) + 1)
    bounds = [None, *cut, None]
    labels: list[tuple[float | None, float | None, str]] = []
    for low, high in itertools.pairwise(bounds):
        if low is None and high is None:
            text = f"all {unit}".strip()
        elif low is None:
            text = f"< {_number(high)} {unit}".strip()
        elif high is None:
            text = f"≥ {_number(low)} {unit}".strip()
        else:
            text = f"{_number(low)}–{_number(high)} {unit}".strip()
        labels.append((low, high, text))
    # Build from the last bucket backwards so the first matching condition wins.
    for index in reversed(range(len(labels))):
        low, high, text = labels[index]
        condition = values.is_not_null()
        if low is not None:
            condition = condition & (values >= low)
        if high is not None:
            condition = condition & (values < high)
        label = pl.when(condition).then(pl.lit(text)).otherwise(label)
        order = pl.when(condition).then(pl.lit(index)).otherwise(order)
    return label, order


#: What a driver bucket's label says besides its figures (:func:`bucket_by_edges`'s
#: unit and the bucket of no value; :func:`relationship_buckets`' unknown type),
#: as the catalogue words it (:func:`buckets_worded`).
_BUCKET_UNITS: dict[str, str] = {
    "departments": N_("departments"),
    "h/year": N_("h/year"),
    "days": N_("days"),
}
_BUCKET_WORDS: dict[str, str] = {
    "none": N_("none"),
    "no effort": N_("no effort"),
    "never touched": N_("never touched"),
    "(unknown)": N_("(unknown)"),
}
_EVERY_BUCKET = N_("all {unit}")
_BUCKET_LABEL = re.compile(r"(?P<span>.+) (?P<unit>departments|h/year|days)")


def bucket_words(label: str, language: str) -> str:
    """Return a driver bucket's label, as the buckets here write it, in ``language``.

    The figures and signs stay (``< 2``, ``2–4``, ``≥ 5``); the unit and the
    words are the catalogue's. English, and a label written otherwise, as is.
    """
    if language == DEFAULT_LANGUAGE:
        return label
    if label in _BUCKET_WORDS:
        return words(_BUCKET_WORDS[label], language)
    match = _BUCKET_LABEL.fullmatch(label)
    if match is None:
        return label
    unit = words(_BUCKET_UNITS[match["unit"]], language)
    if match["span"] == "all":
        return words(_EVERY_BUCKET, language).format(unit=unit)
    return f"{match['span']} {unit}"


def buckets_worded(frame: pl.DataFrame, language: str) -> pl.DataFrame:
    """Return :func:`nps_by_bucket` rows with their ``bucket`` in ``language``.

    For display: a handful of rows; the data keeps the English labels.
    """
    if language == DEFAULT_LANGUAGE or frame.is_empty():
        return frame
    labels = frame.get_column("bucket").drop_nulls().unique().to_list()
    return frame.with_columns(
        pl.col("bucket").replace(
            {label: bucket_words(label, language) for label in labels}
        )
    )


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def quartile_edges(values: pl.Series) -> list[float]:
    """Return rounded quartile cut points of a numeric series (fewer when tied)."""
    clean = values.drop_nulls().cast(pl.Float64)
    if clean.len() < 4:
        return []
    edges = []
    for q in (0.25, 0.5, 0.75):
        found = clean.quantile(q, "linear")
        if found is not None:
            edges.append(float(round(found)))
    return sorted({e for e in edges if e > float(clean.min())})  # type: ignore[arg-type]


#: Fixed, readable cut points for the drivers that have a natural scale.
BREADTH_EDGES: tuple[float, ...] = (2, 4, 7, 10)
FRESHNESS_EDGES_DAYS: tuple[float, ...] = (30, 90, 180, 365)


def nps_by_bucket(
    responses: pl.DataFrame, buckets: pl.DataFrame, key: str = "account_id"
) -> pl.DataFrame:
    """Return NPS, responses and accounts per bucket, in the buckets' order.

    Args:
        responses: needs ``score``, ``account_id`` and ``key``.
        buckets: rows of ``key``, ``bucket``, ``bucket_order``.
        key: the column that links a response to its bucket (``account_id`` for
            account-level drivers, ``response_id`` for response-level ones).
    """
    # only what the figures read: a join gathers every column it carries (at
    # 350,000 answers the answers' comments and names cost more than the rest)
    read = responses.select(list(dict.fromkeys([key, "account_id", "score"])))
    keys = read.get_column(key)
    bucketed = buckets.select("bucket", "bucket_order")
    if (
        buckets.height == read.height
        and not keys.null_count()
        and buckets.get_column(key).equals(keys)
        and keys.n_unique() == keys.len()
    ):
        # the buckets are the responses' own rows, each key once (a response's
        # driver): the join would pair each row with itself
        joined = read.hstack(bucketed.get_columns())
    else:
        joined = read.join(
            buckets.select(key, "bucket", "bucket_order"), on=key, how="inner"
        )
    counts = joined.group_by(["bucket", "bucket_order"]).agg(
        pl.col("account_id").n_unique().cast(pl.Int64).alias("accounts"),
        *_count_aggregations(),
    )
    return (
        _with_nps(counts)
        .sort("bucket_order")
        .drop("bucket_order")
        .select(
            "bucket",
            "accounts",
            "responses",
            "promoters",
            "passives",
            "detractors",
            "nps",
        )
    )


def breadth_buckets(signals: pl.DataFrame) -> pl.DataFrame:
    """Bucket accounts by how many of their departments we touched (last 12 months).

    Needs ``account_id``, ``departments_engaged``.
    """
    label, order = bucket_by_edges(
        pl.col("departments_engaged"), BREADTH_EDGES, "departments", missing="none"
    )
    return signals.select(
        "account_id", label.alias("bucket"), order.alias("bucket_order")
    )


def effort_buckets(signals: pl.DataFrame) -> pl.DataFrame:
    """Bucket accounts by our hours spent on them per year, cut at the quartiles.

    Needs ``account_id``, ``effort_hours_12m``.
    """
    edges = quartile_edges(signals["effort_hours_12m"]) if signals.height else []
    label, order = bucket_by_edges(
        pl.col("effort_hours_12m"), edges, "h/year", missing="no effort"
    )
    return signals.select(
        "account_id", label.alias("bucket"), order.alias("bucket_order")
    )


def freshness_buckets(responses: pl.DataFrame) -> pl.DataFrame:
    """Bucket responses by days between our last touch of the respondent and the answer.

    Needs ``response_id``, ``days_since_touch`` (null: never touched before).
    """
    label, order = bucket_by_edges(
        pl.col("days_since_touch"),
        FRESHNESS_EDGES_DAYS,
        "days",
        missing="never touched",
    )
    return responses.select(
        "response_id", label.alias("bucket"), order.alias("bucket_order")
    )


def relationship_buckets(relationships: pl.DataFrame) -> pl.DataFrame:
    """Bucket accounts by relationship type. Needs ``account_id``, ``relationship``."""
    kinds = ("partnership", "transactional")
    order = pl.col("relationship").replace_strict(
        list(kinds), [0, 1], default=2, return_dtype=pl.Int64
    )
    return relationships.select(
        "account_id",
        pl.col("relationship").fill_null("(unknown)").alias("bucket"),
        order.alias("bucket_order"),
    )


def overall_nps(responses: pl.DataFrame) -> dict[str, float | int | None]:
    """Return the headline figures: responses, promoters, passives, detractors, NPS."""
    row = summarise_nps(responses).row(0, named=True)
    return {key: row[key] for key in (*_COUNT_COLUMNS, "nps")}


def period_start(last_day: date | None, quarters: int | None) -> date | None:
    """Return the first day of the last ``quarters`` calendar quarters to ``last_day``.

    The quarter holding ``last_day`` counts as the first; ``None`` means all time.

    >>> period_start(date(2026, 9, 25), 4)
    datetime.date(2025, 10, 1)
    """
    if last_day is None or quarters is None:
        return None
    first_month_index = last_day.year * 12 + (last_day.month - 1) // 3 * 3
    start_index = first_month_index - 3 * (quarters - 1)
    return date(start_index // 12, start_index % 12 + 1, 1)
