"""Reads the store and hands frames to analytics.

Analytics (:mod:`workbench.analytics`) are pure functions over polars frames and never
open the database; the few entry points that read a connection and then compute
live here. This is the composition the API, the command line and account plans
share, so each reads the store the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench import store
from workbench.analytics import effort
from workbench.analytics.segment import DEFAULT_THRESHOLDS, Thresholds, assign_segments

if TYPE_CHECKING:
    from datetime import date

    import polars as pl


def account_segments(
    con: store.Connection,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    as_of: date | None = None,
    features: pl.DataFrame | None = None,
    *,
    explain: bool = True,
) -> pl.DataFrame:
    """Return :func:`~workbench.analytics.segment.assign_segments` for a database.

    Reads :func:`workbench.store.account_features` (unless ``features``, that
    frame for this day and the thresholds' default term, is given), the
    relationship overrides and the buying situation workshops rated.
    The convenience entry point for account plans, the command line and notebooks;
    the app caches the features itself and calls ``assign_segments``.
    ``explain=False`` leaves the reasons in words out (a caller that shows a few
    rows explains those, with the same text).
    """
    if features is None:
        features = store.account_features(
            con, as_of, default_term_months=round(thresholds.default_term_months)
        )
    return assign_segments(
        features,
        thresholds,
        store.relationship_overrides(con),
        store.account_situation(con),
        explain=explain,
    )


def judged_effort(
    con: store.Connection,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    as_of: date | None = None,
    model: pl.DataFrame | None = None,
    rules: effort.MisallocationRules | None = None,
    segments: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Return every account's effort judged against its service model.

    :func:`~workbench.analytics.effort.judge` over the segments, whom the hours
    went to (:func:`workbench.store.effort_by_function`) and the service model
    saved for the default thresholds (``model`` wins; else the documented
    defaults); money in the portfolio's currency. Plans and the API share it, so
    a plan says what the Effort page says. ``segments``: :func:`account_segments`
    for these thresholds and day, when already worked out.
    """
    day = store.resolve_as_of(con, as_of)
    if segments is None:
        segments = account_segments(con, thresholds, day)
    accounts = effort.account_effort(
        segments,
        store.effort_by_function(con, day),
        thresholds.minutes_per_activity_without_duration,
    )
    if model is None:
        saved = store.service_model(con)
        model = (
            effort.default_model() if saved is None else effort.validate_model(saved)
        )
    return effort.judge(
        accounts, model, rules, thresholds.hourly_cost, store.portfolio_currency(con)
    )
