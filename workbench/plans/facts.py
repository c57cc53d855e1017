"""The figures a plan's situation shows: their labels, in order, and their units.

Each part of the situation (:mod:`.situation`) lists the columns it quotes
here, by the column that holds them; :func:`facts_of` turns a row into its
facts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.i18n import N_
from workbench.plans.model import Fact

if TYPE_CHECKING:
    from collections.abc import Mapping


#: The facts each part shows, by the column that holds them, in the order shown.
CRM_FACTS: dict[str, str] = {
    "industry": N_("Industry"),
    "crm_type": N_("Type in the CRM"),
    "region": N_("Region"),
    "owner": N_("Account owner"),
    "won_revenue_12m": N_("Won revenue, last 12 months"),
    "open_pipeline": N_("Open pipeline"),
    "open_opportunities": N_("Open opportunities"),
    "effort_hours_12m": N_("Effort, last 12 months"),
    "activities_12m": N_("Activities, last 12 months"),
    "gross_margin_pct": N_("Gross margin"),
    "wallet_estimate": N_("Wallet estimate"),
    "contract_type": N_("Contract type"),
    "direct_cost_annual": N_("Direct cost to serve per year"),
    "contacts": N_("Contacts known, still at the account"),
}
SEGMENT_FACTS: dict[str, str] = {
    "value_segment": N_("Value segment"),
    "value_reason": N_("Why this segment"),
    "relationship": N_("Relationship type"),
    "relationship_reason": N_("Why this relationship"),
    "relationship_score": N_("Relationship score"),
    "won_12m": N_("Won revenue, last 12 months"),
    "margin": N_("Margin"),
    "cost_to_serve": N_("Cost to serve"),
    "contribution": N_("Contribution"),
    "contribution_rank": N_("Contribution rank"),
    "potential": N_("Potential"),
    "headroom": N_("Headroom"),
    "share_of_wallet_pct": N_("Share of wallet"),
    "growth_pct": N_("Growth, year on year"),
}
EFFORT_FACTS: dict[str, str] = {
    "effort_hours": N_("Effort, last 12 months"),
    "activities_without_duration": N_("Activities without a duration"),
    "effort_share_pct": N_("Share of our effort"),
    "revenue_share_pct": N_("Share of won revenue"),
    "contribution_share_pct": N_("Share of contribution"),
    "ratio": N_("Effort share ÷ revenue share"),
    "rank": N_("Rank by effort"),
    "deserved_low_hours": N_("Hours its service model deserves, from"),
    "deserved_high_hours": N_("Hours its service model deserves, up to"),
    "effort_index": N_("Effort index (hours ÷ justified)"),
    "investment": N_("Investment verdict"),
    "people": N_("People verdict"),
    "involve": N_("Who to involve"),
    "touches_per_year": N_("Cadence, activities a year"),
    "unattributed_share_pct": N_("Share of hours naming no person"),
    "non_procurement_share_pct": N_("Share of named hours beyond purchasing"),
    "executive_share_pct": N_("Share of named hours with executives"),
    "cost_to_serve": N_("Cost to serve"),
    "contribution_per_hour": N_("Contribution per effort hour"),
    "effort_change_pct": N_("Effort change on the previous 12 months"),
    "issues_found": N_("Effort issues found"),
}
#: The unit of a fact, by its column (none where not named).
FACT_UNITS: dict[str, str] = {
    "effort_hours_12m": "h",
    "gross_margin_pct": "%",
    "relationship_score": "points",
    "share_of_wallet_pct": "%",
    "growth_pct": "%",
    "effort_hours": "h",
    "effort_share_pct": "%",
    "revenue_share_pct": "%",
    "contribution_share_pct": "%",
    "deserved_low_hours": "h",
    "deserved_high_hours": "h",
    "unattributed_share_pct": "%",
    "non_procurement_share_pct": "%",
    "executive_share_pct": "%",
    "effort_change_pct": "%",
}


def facts_of(values: Mapping[str, Any], labels: Mapping[str, str]) -> list[Fact]:
    """Return one fact per ``labels`` entry (column → label), with its unit."""
    return [
        Fact(label, values[column], FACT_UNITS.get(column, ""))
        for column, label in labels.items()
    ]
