"""Small hand-built frames of accounts and their judging, for the verdicts' tests."""

from __future__ import annotations

import polars as pl

from workbench.analytics import effort

HOURLY = 90.0

_DEFAULTS: dict[str, object] = {
    "name": "x",
    "relationship": "transactional",
    "value_segment": "maintain",
    "revenue": 0.0,
    "revenue_prev": 0.0,
    "margin_pct": 25.0,
    "headroom": 0.0,
    "potential": None,
    "hours": 0.0,
    "procurement_hours": 0.0,
    "executive_hours": 0.0,
    "unattributed_hours": 0.0,
    "activities": 0,
    "procurement_only": False,
    "departments_engaged": 0,
}


def segments_frame(*rows: dict[str, object]) -> pl.DataFrame:
    """Return segmented accounts as :func:`effort.account_effort` reads them."""
    full = [{**_DEFAULTS, **row} for row in rows]
    base = pl.DataFrame(full, infer_schema_length=None)
    minutes = pl.col("hours").cast(pl.Float64) * 60
    return base.select(
        pl.col("account_id").cast(pl.String),
        pl.col("name").cast(pl.String),
        pl.col("relationship").cast(pl.String),
        pl.col("value_segment").cast(pl.String),
        effort_minutes=minutes,
        effort_minutes_recorded_12m=minutes,
        effort_hours=pl.col("hours").cast(pl.Float64),
        activities_12m=pl.col("activities").cast(pl.Int64),
        activities_without_duration_12m=pl.lit(0, pl.Int64),
        effort_change_pct=pl.lit(None, pl.Float64),
        won_12m=pl.col("revenue").cast(pl.Float64),
        revenue=pl.col("revenue").cast(pl.Float64),
        revenue_prev=pl.col("revenue_prev").cast(pl.Float64),
        margin_pct=pl.col("margin_pct").cast(pl.Float64),
        margin=pl.col("revenue") * pl.col("margin_pct") / 100,
        cost_to_serve=pl.col("hours") * HOURLY,
        contribution=pl.col("revenue") * pl.col("margin_pct") / 100
        - pl.col("hours") * HOURLY,
        potential=pl.col("potential").cast(pl.Float64),
        headroom=pl.col("headroom").cast(pl.Float64),
        departments_engaged=pl.col("departments_engaged").cast(pl.Int64),
        procurement_only=pl.col("procurement_only").cast(pl.Boolean),
        procurement_minutes_12m=pl.col("procurement_hours").cast(pl.Float64) * 60,
        executive_minutes_12m=pl.col("executive_hours").cast(pl.Float64) * 60,
        unattributed_minutes_12m=pl.col("unattributed_hours").cast(pl.Float64) * 60,
    )


def judged(*rows: dict[str, object], **rules: float) -> pl.DataFrame:
    accounts = effort.account_effort(segments_frame(*rows))
    return effort.judge(
        accounts,
        rules=effort.MisallocationRules().changed(**rules),
        hourly_cost=HOURLY,
        currency="EUR",
    )


def row_of(frame: pl.DataFrame, account_id: str) -> dict[str, object]:
    return frame.filter(pl.col("account_id") == account_id).row(0, named=True)
