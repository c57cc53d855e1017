"""The hand-computed portfolio and tiny databases shared by segmentation's tests."""

from __future__ import annotations

from datetime import date

import polars as pl

from tests.factories import rows_frame
from workbench.analytics import segment

_FEATURE_DEFAULTS: dict[str, object] = {
    "name": "x",
    "industry": None,
    "region": None,
    "annual_revenue": None,
    "wallet_estimate": None,
    "gross_margin_pct": None,
    "direct_cost_annual": None,
    "contract_type": None,
    "tenure_years": 0.0,
    "won_12m": 0.0,
    "won_prev_12m": 0.0,
    "open_pipeline": 0.0,
    "effort_minutes_recorded_12m": 0.0,
    "activities_12m": 0,
    "activities_without_duration_12m": 0,
    "effort_minutes_recorded_prev_12m": 0.0,
    "activities_prev_12m": 0,
    "activities_without_duration_prev_12m": 0,
    "procurement_minutes_12m": 0.0,
    "executive_minutes_12m": 0.0,
    "contacts": 0,
    "contacts_engaged": 0,
    "departments_engaged": 0,
    "non_procurement_departments_engaged": 0,
    "procurement_only": False,
    "org_levels_engaged": 0,
    "executive_touches": 0,
    "executive_contacts_engaged": 0,
    "joint_activities": 0,
    "nps": None,
    "nps_responses": 0,
}

_SCHEMA = {
    "account_id": pl.String,
    "name": pl.String,
    "industry": pl.String,
    "region": pl.String,
    "annual_revenue": pl.Float64,
    "wallet_estimate": pl.Float64,
    "gross_margin_pct": pl.Float64,
    "direct_cost_annual": pl.Float64,
    "contract_type": pl.String,
    "tenure_years": pl.Float64,
    "won_12m": pl.Float64,
    "won_prev_12m": pl.Float64,
    "open_pipeline": pl.Float64,
    "effort_minutes_recorded_12m": pl.Float64,
    "activities_12m": pl.Int64,
    "activities_without_duration_12m": pl.Int64,
    "effort_minutes_recorded_prev_12m": pl.Float64,
    "activities_prev_12m": pl.Int64,
    "activities_without_duration_prev_12m": pl.Int64,
    "procurement_minutes_12m": pl.Float64,
    "executive_minutes_12m": pl.Float64,
    "contacts": pl.Int64,
    "contacts_engaged": pl.Int64,
    "departments_engaged": pl.Int64,
    "non_procurement_departments_engaged": pl.Int64,
    "procurement_only": pl.Boolean,
    "org_levels_engaged": pl.Int64,
    "executive_touches": pl.Int64,
    "executive_contacts_engaged": pl.Int64,
    "joint_activities": pl.Int64,
    "nps": pl.Float64,
    "nps_responses": pl.Int64,
}


def features_frame(*rows: dict[str, object]) -> pl.DataFrame:
    """Build an account_features-shaped frame; unspecified columns take defaults."""
    full = [{**_FEATURE_DEFAULTS, **row} for row in rows]
    return pl.DataFrame(full, schema=_SCHEMA)


# Hand-computed with the default thresholds (90 per hour, 25 % default margin,
# 0.3 % of revenue as wallet, top 20 % most valuable, top 25 % of the rest growable):
#
# | id | won       | margin       | hours            | direct | contribution | potential   | headroom  |
# | A  | 1,000,000 | 30 % 300,000 | 6000/60 = 100    | 1,000  | 290,000      | 2,500,000   | 1,500,000 |
# | B  |   200,000 | 25 %* 50,000 | 3000/60 = 50     | 0      |  45,500      | 2,000,000   | 1,800,000 |
# | C  |   100,000 | 20 %  20,000 | (1200+4×15)/60=21| 0      |  18,110      | 0.3 % × 1e8 |   200,000 |
# | D  |    10,000 | 10 %   1,000 | 1200/60 = 20     | 0      |    -800      |    50,000   |    40,000 |
# | E  |    50,000 | 25 %  12,500 | 600/60 = 10      | 0      |  11,600      |    60,000   |    10,000 |
# (* B has no margin of its own: the default applies)
# top 20 % of 5 → 1 account (A); D is below zero; of the 3 left, 25 % → 1: B.
PORTFOLIO = features_frame(
    {
        "account_id": "A",
        "name": "Alpha",
        "won_12m": 1_000_000.0,
        "won_prev_12m": 800_000.0,
        "gross_margin_pct": 30.0,
        "effort_minutes_recorded_12m": 6000.0,
        "direct_cost_annual": 1000.0,
        "wallet_estimate": 2_500_000.0,
        "tenure_years": 12.0,
        "departments_engaged": 5,
        "executive_contacts_engaged": 8,
        "contract_type": "multi_year",
        "joint_activities": 12,
    },
    {
        "account_id": "B",
        "name": "Beta",
        "won_12m": 200_000.0,
        "effort_minutes_recorded_12m": 3000.0,
        "wallet_estimate": 2_000_000.0,
        "contract_type": "framework",
        "tenure_years": 2.0,
    },
    {
        "account_id": "C",
        "name": "Gamma",
        "won_12m": 100_000.0,
        "gross_margin_pct": 20.0,
        "effort_minutes_recorded_12m": 1200.0,
        "activities_without_duration_12m": 4,
        "annual_revenue": 100_000_000.0,
    },
    {
        "account_id": "D",
        "name": "Delta",
        "won_12m": 10_000.0,
        "gross_margin_pct": 10.0,
        "effort_minutes_recorded_12m": 1200.0,
        "wallet_estimate": 50_000.0,
        "contract_type": "spot",
        "tenure_years": 2.0,
        "departments_engaged": 4,
        "executive_contacts_engaged": 2,
    },
    {
        "account_id": "E",
        "name": "Epsilon",
        "won_12m": 50_000.0,
        "gross_margin_pct": 25.0,
        "effort_minutes_recorded_12m": 600.0,
        "wallet_estimate": 60_000.0,
    },
)


def by_id(frame: pl.DataFrame, column: str) -> dict[str, object]:
    return dict(zip(frame["account_id"], frame[column], strict=True))


def _segmented_with_an_override() -> pl.DataFrame:
    """The portfolio segmented without reasons, account E set by hand to partnership."""
    overrides = pl.DataFrame(
        {
            "account_id": ["E"],
            "relationship": ["partnership"],
            "reason": ["co-developing"],
            "set_by": ["kam"],
        }
    )
    return segment.assign_segments(PORTFOLIO, overrides=overrides, explain=False)


def _tiny_frames() -> dict[str, pl.DataFrame]:
    accounts = pl.DataFrame(
        {
            "account_id": ["A1", "A2"],
            "name": ["One", "Two"],
            "annual_revenue": [1e8, 5e7],
            "wallet_estimate": [None, 200_000.0],
            "gross_margin_pct": [30.0, None],
            "created_on": [date(2020, 6, 30), date(2025, 6, 30)],
            "contract_type": ["multi_year", "spot"],
            "direct_cost_annual": [500.0, None],
        }
    )
    contacts = pl.DataFrame(
        {
            "contact_id": ["c1", "c2", "c3", "c4", "c5"],
            "account_id": ["A1", "A1", "A1", "A1", "A2"],
            "department": [
                "Executive",
                "Engineering",
                "Engineering",
                "Procurement",
                "Procurement",
            ],
            "reports_to_id": [None, "c1", "c2", "c1", None],
        }
    )
    opportunities = pl.DataFrame(
        {
            "opportunity_id": ["o1", "o2", "o3", "o4", "o5"],
            "account_id": ["A1", "A1", "A1", "A1", "A2"],
            "amount": [100.0, 50.0, 70.0, 1000.0, 30.0],
            "close_date": [
                date(2026, 3, 1),  # in the 12 months to 2026-06-30
                date(2025, 3, 1),  # in the 12 months before
                date(2026, 9, 1),  # after the as-of date: not counted
                date(2026, 12, 1),  # open
                date(2026, 6, 30),  # on the as-of date: counted
            ],
            "is_closed": [True, True, True, False, True],
            "is_won": [True, True, True, False, True],
            "created_on": [date(2026, 1, 1)] * 5,
        }
    )
    activities = rows_frame(
        "activity_id account_id contact_id kind activity_date duration_minutes",
        ("x0", "A1", "c1", "meeting", date(2026, 5, 1), 60.0),
        ("x1", "A1", "c3", "workshop", date(2026, 4, 1), 240.0),
        ("x2", "A1", "c3", "call", date(2026, 4, 2), None),
        ("x3", "A1", "c4", "email", date(2026, 1, 1), 6.0),
        # in the previous 12 months
        ("x4", "A1", "c2", "joint_planning", date(2025, 1, 1), 180.0),
        ("x5", "A2", "c5", "call", date(2026, 2, 1), 20.0),
    )
    nps = pl.DataFrame(
        {
            "response_id": ["n1", "n2", "n3"],
            "account_id": ["A1", "A1", "A1"],
            "responded_on": [date(2026, 1, 1), date(2026, 2, 1), date(2024, 1, 1)],
            "score": [10, 3, 10],
        }
    )
    return {
        "accounts": accounts,
        "contacts": contacts,
        "opportunities": opportunities,
        "activities": activities,
        "nps_responses": nps,
    }
