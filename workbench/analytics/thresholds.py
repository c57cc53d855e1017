"""Segmentation thresholds: every threshold with its default, and the score's rules.

Split from :mod:`workbench.analytics.segment`, which re-exports every name here.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from workbench import domain
from workbench.errors import RejectedInputError

if TYPE_CHECKING:
    from collections.abc import Mapping


VALUE_SEGMENTS: tuple[str, ...] = (
    "most_valuable",
    "most_growable",
    "below_zero",
    "maintain",
    "no_data",
)
RELATIONSHIPS: tuple[str, ...] = domain.RELATIONSHIP_TYPES
#: Points per contract type, as a share of the contract weight.
CONTRACT_POINTS_SHARE: dict[str, float] = {
    "multi_year": 1.0,
    "framework": 0.5,
    "spot": 0.0,
}
#: The relationship score's signals, in the order the page lists them.
SIGNALS: tuple[str, ...] = (
    "tenure",
    "share_of_wallet",
    "breadth",
    "executive",
    "contract",
    "joint",
)

Mode = Literal["percent", "absolute"]
#: What "most valuable" ranks by: lifetime value (default) or 12-month contribution.
ValueBasis = Literal["lifetime_value", "contribution"]
VALUE_BASES: tuple[str, ...] = ("lifetime_value", "contribution")
#: Thresholds the store reads when it adds up the account features (the revenue
#: in force spreads deals without a known contract over the default term), and
#: nothing over those features reads: a move of one brings a new features frame,
#: and whatever is kept per thresholds for a frame (the reasons' sentences) need
#: not be kept again for it.
FEATURES_ONLY_THRESHOLDS: tuple[str, ...] = ("default_term_months",)


@dataclass(frozen=True)
class Thresholds:
    """Every threshold of the segmentation; the defaults are the documented ones.

    Cost and value:
        hourly_cost: cost of one hour of our people's time where the seller's role
            or team has no hourly cost of its own (90 per hour; the roles' costs
            are a table of their own, see :data:`workbench.domain.DEFAULT_HOURLY_COST_BY_ROLE`).
        minutes_per_activity_without_duration: assumed minutes of an activity whose
            CRM record has no duration (15: a short call or e-mail); the counts are
            shown separately too.
        default_margin_pct: gross margin used where the account has none (25 %).
        wallet_share_of_revenue_pct: potential estimated as this share of the
            customer's annual revenue where neither a wallet estimate nor a share
            for the account's industry is known (0.3 %: what an industrial
            customer spends a year on one supplier category of its size, a
            rough rule; set a share per industry where you know better).
        default_term_months: the term a won deal's revenue is spread over when
            no contract is known (12: most B2B orders and renewals are annual; a
            deal then counts in full for the year after it closes, as bookings
            did). Applied by the store when it reads the features.
        expected_remaining_years: years an account is expected to stay, for the
            lifetime value, where its contract in force leaves fewer and the
            portfolio's own retention cannot be measured (3: the usual length of
            a B2B framework agreement).
        retention_min_accounts: the portfolio's retention is measured when at
            least this many account-years had revenue in a year before (20:
            fewer make the rate swing by 5 points per account).
        discount_rate_pct: what a year's wait costs (10 % a year, a common
            cost of capital): with a measured retention r, a lifetime counts
            (1 + i) ÷ (1 + i − r) years of contribution, this year's included
            (Gupta & Lehmann's margin multiple), so 75 % retention counts about
            3 years and 95 % about 7.
        lifetime_horizon_years: the most years a lifetime value counts (10:
            no B2B forecast holds longer; a retention near 100 % would
            otherwise make every lifetime endless).

    Value segments (precedence: below zero, most valuable, most growable, maintain):
        valuable_basis: ``lifetime_value`` (default: a partner between renewals
            is valued on the years it stays) or ``contribution`` (12 months).
        valuable_mode: ``percent`` (top share of accounts by that value) or
            ``absolute`` (that value at least ``valuable_min_contribution``).
        valuable_top_pct: the top share, in percent of accounts (20 %).
        valuable_min_contribution: the absolute threshold (500,000).
        growable_top_pct: of the accounts left with headroom (potential −
            revenue), the top share by growth score (25 %).
        growth_headroom_weight_pct: the growth score's share that is the
            account's place by headroom (40); the rest is the signs the
            headroom can be won (pipeline, trend, coverage of deciders and
            approvers, sentiment), so size alone does not rank an account.
        pipeline_full_at_headroom_pct: open pipeline worth this % of the
            headroom counts in full (25: a quarter of the gap already in play).
        trend_full_at_pct: revenue growth counting in full (+20 % a year; −20 %
            counts nothing, flat half).

    Target relationship (0–100 over the known signals of the buying situation;
    see :mod:`workbench.analytics.target`):
        target_threshold: partnership at or above 60, the same bar as the
            observed score: a clear majority of the known signals point that way.

    Observed relationship score (0–100 points over the known signals; partnership
    at or above the threshold):
        relationship_threshold: 60 points.
        weight_*: the points each signal gives at most (they add up to 100 by
            default); ``*_full_at``: the value at which a signal gives all its points
            (linear below, capped above).
    """

    hourly_cost: float = 90.0
    minutes_per_activity_without_duration: float = 15.0
    default_margin_pct: float = 25.0
    wallet_share_of_revenue_pct: float = 0.3
    default_term_months: float = 12.0
    expected_remaining_years: float = 3.0
    retention_min_accounts: float = 20.0
    discount_rate_pct: float = 10.0
    lifetime_horizon_years: float = 10.0
    valuable_basis: ValueBasis = "lifetime_value"
    valuable_mode: Mode = "percent"
    valuable_top_pct: float = 20.0
    valuable_min_contribution: float = 500_000.0
    growable_top_pct: float = 25.0
    growth_headroom_weight_pct: float = 40.0
    pipeline_full_at_headroom_pct: float = 25.0
    trend_full_at_pct: float = 20.0
    relationship_threshold: float = 60.0
    target_threshold: float = 60.0
    weight_tenure: float = 15.0
    weight_share_of_wallet: float = 15.0
    weight_breadth: float = 15.0
    weight_executive: float = 15.0
    weight_contract: float = 20.0
    weight_joint: float = 20.0
    tenure_full_at_years: float = 10.0
    share_of_wallet_full_at_pct: float = 50.0
    breadth_full_at_departments: float = 10.0
    executive_full_at_contacts: float = 8.0
    joint_full_at_activities: float = 24.0

    def to_dict(self) -> dict[str, Any]:
        """Return every threshold as a plain dict (for JSON and scenarios)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Thresholds:
        """Return thresholds from a dict; missing keys keep their defaults.

        Raises:
            RejectedInputError: an unknown key or a value of the wrong kind.
        """
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise RejectedInputError(f"unknown thresholds: {', '.join(unknown)}")
        clean: dict[str, Any] = {}
        for name, value in values.items():
            if name == "valuable_mode":
                if value not in ("percent", "absolute"):
                    raise RejectedInputError(
                        "valuable_mode must be 'percent' or 'absolute'"
                    )
                clean[name] = value
                continue
            if name == "valuable_basis":
                if value not in VALUE_BASES:
                    raise RejectedInputError(
                        "valuable_basis must be 'lifetime_value' or 'contribution'"
                    )
                clean[name] = value
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise RejectedInputError(f"{name} must be a number") from None
            if not math.isfinite(number):
                raise RejectedInputError(f"{name} must be a finite number")
            clean[name] = number
        thresholds = cls(**clean)
        thresholds.validate()
        return thresholds

    def with_changes(self, **changes: Any) -> Thresholds:
        """Return a copy with some thresholds changed (validated)."""
        changed = replace(self, **changes)
        changed.validate()
        return changed

    def validate(self) -> None:
        """Raise :class:`RejectedInputError` if a threshold is out of range."""
        percent_fields = (
            "default_margin_pct",
            "valuable_top_pct",
            "growable_top_pct",
            "relationship_threshold",
            "target_threshold",
            "growth_headroom_weight_pct",
        )
        for name in percent_fields:
            value = getattr(self, name)
            if not 0 <= value <= 100:
                raise RejectedInputError(f"{name} must be between 0 and 100")
        for f in fields(self):
            value = getattr(self, f.name)
            if (
                f.name != "valuable_min_contribution"
                and isinstance(value, float)
                and value < 0
            ):
                raise RejectedInputError(f"{f.name} must not be negative")
        if not 1 <= self.default_term_months <= 240:
            raise RejectedInputError("default_term_months must be 1 to 240")
        for name in (
            "tenure_full_at_years",
            "share_of_wallet_full_at_pct",
            "breadth_full_at_departments",
            "executive_full_at_contacts",
            "joint_full_at_activities",
            "lifetime_horizon_years",
            "pipeline_full_at_headroom_pct",
            "trend_full_at_pct",
        ):
            if getattr(self, name) <= 0:
                raise RejectedInputError(f"{name} must be above 0")


DEFAULT_THRESHOLDS = Thresholds()


def score_weights(thresholds: Thresholds = DEFAULT_THRESHOLDS) -> pl.DataFrame:
    """Return the relationship score's rules as a table for the page: signal, points, rule."""
    t = thresholds
    return pl.DataFrame(
        {
            "signal": [
                "tenure",
                "share of wallet",
                "breadth",
                "executive engagement",
                "contract",
                "joint activity",
            ],
            "max_points": [
                t.weight_tenure,
                t.weight_share_of_wallet,
                t.weight_breadth,
                t.weight_executive,
                t.weight_contract,
                t.weight_joint,
            ],
            "full_points_at": [
                f"{t.tenure_full_at_years:g} years a customer",
                f"{t.share_of_wallet_full_at_pct:g} % of the wallet won (12 months)",
                f"{t.breadth_full_at_departments:g} departments engaged (12 months)",
                f"{t.executive_full_at_contacts:g} executives engaged (12 months; "
                "Executive department or the top two levels of the org chart)",
                "multi-year contract (framework: half, spot or unknown: none)",
                f"{t.joint_full_at_activities:g} joint planning sessions or "
                "workshops (12 months)",
            ],
        }
    )
