"""The leaders' overview: every account's plan state, missing plans, overdue actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import polars as pl

from workbench import readers, store
from workbench.analytics import network
from workbench.plans.model import (
    PLAN_STATUSES,
    STALE_AFTER_DAYS,
)


@dataclass(frozen=True)
class PlansOverview:
    """All plans at a glance for leaders.

    Attributes:
        today: the day overdue and stale are judged against.
        accounts: one row per account with its plan state (``current``, ``stale``
            or ``no plan``), status, segment and action counts.
        missing: the accounts without a current plan.
        overdue: open actions of current plans past their due date.
        summary: per segment: accounts, plans by state and status, overdue actions.
        segments_pending: True while no segmentation is available (segment null).
        key_people_left: the deciders, approvers and people of influence 4 or 5
            who have left an account (:func:`workbench.store.key_people_left`),
            with the account's segment; the accounts that matter most first.
    """

    today: date
    accounts: pl.DataFrame
    missing: pl.DataFrame
    overdue: pl.DataFrame
    summary: pl.DataFrame
    segments_pending: bool
    key_people_left: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def agreed_plans(self) -> int:
        """Return how many accounts have a current plan whose status is agreed."""
        return int(self.summary["agreed"].sum())


#: The order in which accounts without a current plan are listed, by value segment.
SEGMENT_PRIORITY: dict[str | None, int] = {
    "most_valuable": 0,
    "most_growable": 1,
    "maintain": 2,
    "below_zero": 3,
}


def account_segments(
    con: store.Connection, segmentation: pl.DataFrame | None = None
) -> pl.DataFrame | None:
    """Return each account's value segment (``account_id``, ``segment``).

    From ``segmentation`` (a frame of :func:`~workbench.analytics.segment.assign_segments`)
    when given, else from the default thresholds at the data's last day.
    Typed optional so that an overview can still be given without a segmentation
    (``PlansOverview.segments_pending``).
    """
    if segmentation is None:
        segmentation = readers.account_segments(con)
    return segmentation.select(
        "account_id", pl.col("value_segment").alias("segment"), "contribution"
    )


def plans_overview(
    con: store.Connection,
    *,
    today: date | None = None,
    stale_after_days: int = STALE_AFTER_DAYS,
    segmentation: pl.DataFrame | None = None,
) -> PlansOverview:
    """Return the leaders' overview of every account's plan.

    A plan is *current* when its last version was saved within ``stale_after_days``
    before ``today`` (default: today's date in UTC). Accounts are grouped by the
    value segments of ``segmentation`` (a frame of
    :func:`~workbench.analytics.segment.assign_segments`, e.g. under other
    thresholds, or one already worked out); by default those of the default
    thresholds at the data's last day.
    """
    day = today or datetime.now(UTC).date()
    stale_before = datetime.combine(
        day - timedelta(days=stale_after_days), datetime.min.time()
    )
    portfolio = store.plans_portfolio(con, day).with_columns(
        pl.when(pl.col("plan_version").is_null())
        .then(pl.lit("no plan"))
        .when(pl.col("plan_saved_at") < stale_before)
        .then(pl.lit("stale"))
        .otherwise(pl.lit("current"))
        .alias("plan_state")
    )
    segments = account_segments(con, segmentation)
    if segments is None:
        accounts = portfolio.with_columns(
            pl.lit(None, pl.String).alias("segment"),
            pl.lit(None, pl.Float64).alias("contribution"),
        )
    else:
        accounts = portfolio.join(
            segments.select(
                "account_id", pl.col("segment").cast(pl.String), "contribution"
            ),
            on="account_id",
            how="left",
        )
    accounts = accounts.select(
        "account_id",
        "name",
        "segment",
        "industry",
        "region",
        "owner",
        "plan_state",
        "plan_status",
        "plan_version",
        "plan_saved_by",
        "plan_saved_at",
        "objectives",
        "open_actions",
        "overdue_actions",
    )
    summary = (
        accounts.group_by(pl.col("segment").fill_null("(all accounts)"))
        .agg(
            pl.len().alias("accounts"),
            (pl.col("plan_state") == "current").sum().alias("current_plans"),
            (pl.col("plan_state") == "stale").sum().alias("stale_plans"),
            (pl.col("plan_state") == "no plan").sum().alias("no_plan"),
            *(
                ((pl.col("plan_state") == "current") & (pl.col("plan_status") == s))
                .sum()
                .alias(s)
                for s in PLAN_STATUSES
            ),
            pl.col("overdue_actions").sum(),
        )
        # most valuable first, as the accounts without a plan are (not by name)
        .sort(
            pl.col("segment").replace_strict(
                SEGMENT_PRIORITY, default=len(SEGMENT_PRIORITY), return_dtype=pl.Int8
            ),
            "segment",
        )
    )
    missing = _missing_by_value(accounts, segments)
    # the sponsor lost: whoever took over is forming views now (the plans'
    # suggested action, :func:`workbench.plans.suggested_actions`)
    gone = store.key_people_left(con, ("decider", "approver"), network.HIGH_INFLUENCE)
    key_people_left = (
        gone.join(accounts.select("account_id", "segment"), on="account_id", how="left")
        .with_row_index("_order")
        .sort(
            pl.col("segment").replace_strict(
                SEGMENT_PRIORITY, default=len(SEGMENT_PRIORITY), return_dtype=pl.Int8
            ),
            "_order",
        )
        .select(
            "account_id",
            "account",
            "segment",
            "contact_id",
            pl.col("name").alias("contact_name"),
            "title",
            "buying_role",
            "influence",
            "last_touch",
        )
    )
    return PlansOverview(
        today=day,
        accounts=accounts,
        missing=missing,
        overdue=store.overdue_plan_actions(con, day),
        summary=summary,
        segments_pending=segments is None,
        key_people_left=key_people_left,
    )


def _missing_by_value(
    accounts: pl.DataFrame, segments: pl.DataFrame | None
) -> pl.DataFrame:
    """Return the accounts without a current plan, those that matter most first."""
    # Leaders look first at the accounts that matter most and have no current plan:
    # most valuable, then most growable, each by contribution; the rest after.
    return (
        accounts.filter(pl.col("plan_state") != "current")
        .join(
            segments.select("account_id", "contribution")
            if segments is not None
            else accounts.select("account_id").with_columns(
                pl.lit(None, pl.Float64).alias("contribution")
            ),
            on="account_id",
            how="left",
        )
        .sort(
            pl.col("segment").replace_strict(
                SEGMENT_PRIORITY, default=len(SEGMENT_PRIORITY), return_dtype=pl.Int8
            ),
            pl.col("contribution"),
            "name",
            descending=[False, True, False],
            nulls_last=True,
        )
        .select(
            "account_id",
            "name",
            "segment",
            "contribution",
            "owner",
            "plan_state",
            "plan_saved_at",
        )
    )
