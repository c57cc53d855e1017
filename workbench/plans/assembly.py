"""An account's situation assembled from its sources, for an as-of date.

The sources are :mod:`workbench.plans.situation`'s functions, one per part. The
segment and effort parts take the account's row from the whole portfolio's
frames (:class:`PortfolioFrames`); a caller that builds many situations works
them out once and passes them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from workbench import readers, store
from workbench.plans import situation as sources
from workbench.plans.model import Situation


@dataclass(frozen=True)
class PortfolioFrames:
    """The whole portfolio's frames an account's situation takes its rows from.

    Working them out aggregates every account's features (about half a second
    at 10,000 accounts); a caller that builds several situations (the app, as a
    user goes from account to account; a notebook drafting many plans) works
    them out once per as-of day and data with :func:`portfolio_frames`.

    Attributes:
        as_of: the day they are worked out for.
        segments: :func:`workbench.readers.account_segments` (default
            thresholds), without the reasons in words: a situation explains its
            own account's row (:func:`~.situation.situation_from_segment`).
        judged_effort: :func:`workbench.readers.judged_effort` over those segments.
    """

    as_of: date
    segments: pl.DataFrame
    judged_effort: pl.DataFrame


def portfolio_frames(
    con: store.Connection,
    as_of: date | None = None,
    features: pl.DataFrame | None = None,
    segments: pl.DataFrame | None = None,
) -> PortfolioFrames:
    """Return the portfolio's frames situations read, for ``as_of`` (default: last day).

    ``features``: :func:`workbench.store.account_features` for that day and the
    default term, when already read (the app keeps it for every page).
    ``segments``: the segmentation of those features at the default thresholds,
    explained or not, when already worked out (the app keeps the Segments
    page's).
    """
    day = as_of or sources.default_as_of(con)
    if segments is None:
        # every account's reasons in words cost more than the segmentation;
        # a situation explains its own account's row
        segments = readers.account_segments(
            con, as_of=day, features=features, explain=False
        )
    return PortfolioFrames(
        as_of=day,
        segments=segments,
        judged_effort=readers.judged_effort(con, as_of=day, segments=segments),
    )


def build_situation(
    con: store.Connection,
    account_id: str,
    *,
    as_of: date | None = None,
    now: datetime | None = None,
    portfolio: PortfolioFrames | None = None,
) -> Situation:
    """Return the account's situation from every source, for ``as_of``.

    Args:
        con: the database.
        account_id: the account.
        as_of: the day the figures are computed for (default: the data's last
            day, or ``portfolio``'s day when given).
        now: when it was computed, UTC (default: now).
        portfolio: the portfolio's frames already worked out; worked out here
            when not given or for another day.
    """
    day = as_of or (portfolio.as_of if portfolio else sources.default_as_of(con))
    if portfolio is None or portfolio.as_of != day:
        portfolio = portfolio_frames(con, day)
    return Situation(
        account_id=account_id,
        as_of=day,
        computed_at=now or store.now_utc(),
        parts=[
            sources.situation_from_crm(con, account_id, day),
            sources.situation_from_segment(con, account_id, day, portfolio.segments),
            sources.situation_from_effort(
                con, account_id, day, portfolio.judged_effort
            ),
            sources.situation_from_network(con, account_id, day),
            sources.situation_from_voice(con, account_id, day),
        ],
    )
