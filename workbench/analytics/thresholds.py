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


@dataclass(frozen=True)
class Thresholds:
    """Every threshold of the segmentation; the defaults are the documented ones.

    Cost and value:
        hourly_cost: cost of one hour of our people's time (90 per hour).
        minutes_per_activity_without_duration: assumed minutes of an activity whose
            CRM record has no duration (15: a short call or e-mail); the counts are
            shown separately too.
        default_margin_pct: gross margin used where the account has none (25 %).
        wallet_share_of_revenue_pct: potential estimated as this share of the
            customer's annual revenue where ``wallet_estimate`` is unknown (0.3 %).
        default_term_months: the term a won deal's revenue is spread over when
            no contract is known (12: most B2B orders and renewals are annual; a
            deal then counts in full for the year after it closes, as bookings
            did). Applied by the store when it reads the features.
        expected_remaining_years: years an account is expected to stay, for the
            lifetime value, where its contract in force leaves fewer (3: the
            usual length of a B2B framework agreement; set it from the
            portfolio's own retention where it is known).

    Value segments (precedence: below zero, most valuable, most growable, maintain):
        valuable_mode: ``percent`` (top share of accounts by contribution) or
            ``absolute`` (contribution at least ``valuable_min_contribution``).
        valuable_top_pct: the top share, in percent of accounts (20 %).
        valuable_min_contribution: the absolute threshold (500,000).
        growable_top_pct: of the accounts left, the top share by headroom =
            potential − won revenue (25 %).

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
    valuable_mode: Mode = "percent"
    valuable_top_pct: float = 20.0
    valuable_min_contribution: float = 500_000.0
    growable_top_pct: float = 25.0
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
