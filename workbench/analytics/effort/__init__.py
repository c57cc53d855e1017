"""Effort: where our time goes, what each account deserves, and what to change.

- :mod:`.allocation`: hours per account, group, seller, department, month;
  whom the hours went to (unattributed when no person is named);
- :mod:`.model`: the service model, one editable row per type × segment;
- :mod:`.verdicts`: each account against its model, one verdict per dimension;
- :mod:`.capacity`: the headline, verdicts per seller and team, the what-if.

Every public name is re-exported here: ``from workbench.analytics import effort``.
"""

from workbench.analytics.effort.allocation import (
    BREAKDOWNS,
    CLI_COLUMNS,
    FUNCTIONS,
    GROUPINGS,
    account_effort,
    effort_breakdown,
    effort_by_group,
    effort_totals,
    effort_trend,
    group_labels,
    seller_effort,
    share_comparison,
    top_labels,
)
from workbench.analytics.effort.capacity import (
    ACCOUNT_GROUPING,
    DEFAULT_HOURS_PER_SELLER,
    DEFAULT_RESPONSE,
    HOURS_PER_SELLER_SOURCE,
    RESPONSE_SOURCE,
    CapacityChange,
    Headline,
    group_label,
    headline,
    move_capacity,
    seller_verdicts,
)
from workbench.analytics.effort.model import (
    DEFAULT_MODEL,
    INVOLVEMENT_GUIDANCE,
    INVOLVEMENTS,
    MODEL_COLUMNS,
    MODEL_RELATIONSHIPS,
    MODEL_SEGMENTS,
    ServiceLevel,
    default_model,
    model_from_frame,
    validate_model,
)
from workbench.analytics.effort.verdicts import (
    CONTRADICTIONS,
    INVESTMENT_VERDICTS,
    ISSUES,
    PEOPLE_VERDICTS,
    MisallocationRules,
    issue_counts,
    issues,
    judge,
    misallocations,
    verdict_counts,
)

__all__ = [
    "ACCOUNT_GROUPING",
    "BREAKDOWNS",
    "CLI_COLUMNS",
    "CONTRADICTIONS",
    "DEFAULT_HOURS_PER_SELLER",
    "DEFAULT_MODEL",
    "DEFAULT_RESPONSE",
    "FUNCTIONS",
    "GROUPINGS",
    "HOURS_PER_SELLER_SOURCE",
    "INVESTMENT_VERDICTS",
    "INVOLVEMENTS",
    "INVOLVEMENT_GUIDANCE",
    "ISSUES",
    "MODEL_COLUMNS",
    "MODEL_RELATIONSHIPS",
    "MODEL_SEGMENTS",
    "PEOPLE_VERDICTS",
    "RESPONSE_SOURCE",
    "CapacityChange",
    "Headline",
    "MisallocationRules",
    "ServiceLevel",
    "account_effort",
    "default_model",
    "effort_breakdown",
    "effort_by_group",
    "effort_totals",
    "effort_trend",
    "group_label",
    "group_labels",
    "headline",
    "issue_counts",
    "issues",
    "judge",
    "misallocations",
    "model_from_frame",
    "move_capacity",
    "seller_effort",
    "seller_verdicts",
    "share_comparison",
    "top_labels",
    "validate_model",
    "verdict_counts",
]
