"""Voice of the customer: Net Promoter Score by account, buying role and more.

Pure functions over polars frames. The input is one row per survey response,
already joined to the person who answered (see
:func:`workbench.store.nps_responses_enriched`)::

    response_id | account_id | account_name | contact_id | contact_name | title
    buying_role | department | influence | org_level | responded_on | score
    comment | days_since_touch

Most functions need only a few of these columns; each says which.

NPS is the share of promoters (9–10) minus the share of detractors (0–6), in
percentage points from −100 to 100; passives (7–8) count in the denominator only.
A group with no responses has no NPS (null), never 0: "nobody answered" and
"as many promoters as detractors" are different findings.

One module per concern: ``score`` (the NPS itself and the constants),
``uncertainty`` (one answer per person, the interval, the minimum sample),
``conflicts`` (role conflicts beyond chance: a permutation test), ``views``
(slices, accounts, detractors, comments) and ``drivers`` (NPS against plain
buckets). Callers use ``voice.<name>`` from this package; the charts
live in :mod:`workbench.charts`.
"""

from __future__ import annotations

from workbench.analytics.voice.conflicts import (
    CONFLICT_ALPHA,
    CONFLICT_SEED,
    benjamini_hochberg,
    permutation_p_value,
    permutations_for,
    role_conflict_tests,
    role_conflicts,
)
from workbench.analytics.voice.drivers import (
    BREADTH_EDGES,
    FRESHNESS_EDGES_DAYS,
    breadth_buckets,
    bucket_by_edges,
    bucket_words,
    buckets_worded,
    effort_buckets,
    freshness_buckets,
    nps_by_bucket,
    overall_nps,
    period_start,
    quartile_edges,
    relationship_buckets,
)
from workbench.analytics.voice.followups import (
    FOLLOWUP_DUE_DAYS,
    detractor_followups,
)
from workbench.analytics.voice.score import (
    DECIDING_ROLES,
    DETRACTOR_MAX_SCORE,
    DIMENSIONS,
    HIGH_INFLUENCE_MIN,
    PASSIVE_MIN_SCORE,
    PROMOTER_MIN_SCORE,
    SURVEY_TYPES,
    UNKNOWN_ROLE,
    Dimension,
    band_expr,
    nps_score,
    summarise_nps,
)
from workbench.analytics.voice.uncertainty import (
    DEFAULT_QUARTERS,
    INTERVAL_Z,
    MIN_RESPONSES,
    TOO_FEW_LABEL,
    influence_weighted_nps,
    interval_expressions,
    of_survey_type,
    one_answer_per_person,
    too_few_mask,
    trusted_nps,
    with_interval,
)
from workbench.analytics.voice.views import (
    ALL_GROUP,
    account_names,
    account_role_matrix,
    accounts_heard,
    conflict_comments,
    detractor_why,
    detractors_worded,
    last_response_day,
    latest_score_per_contact,
    nps_by,
    nps_by_account,
    nps_by_account_role,
    nps_by_role,
    nps_rows_for_cli,
    quarterly_trend,
    responses_for_account,
    responses_for_account_ids,
    responses_since,
    risky_detractors,
    search_comments,
    with_quarter,
    with_role_label,
)
from workbench.domain import BUYING_ROLES

__all__ = [
    "ALL_GROUP",
    "BREADTH_EDGES",
    "BUYING_ROLES",
    "CONFLICT_ALPHA",
    "CONFLICT_SEED",
    "DECIDING_ROLES",
    "DEFAULT_QUARTERS",
    "DETRACTOR_MAX_SCORE",
    "DIMENSIONS",
    "FOLLOWUP_DUE_DAYS",
    "FRESHNESS_EDGES_DAYS",
    "HIGH_INFLUENCE_MIN",
    "INTERVAL_Z",
    "MIN_RESPONSES",
    "PASSIVE_MIN_SCORE",
    "PROMOTER_MIN_SCORE",
    "SURVEY_TYPES",
    "TOO_FEW_LABEL",
    "UNKNOWN_ROLE",
    "Dimension",
    "account_names",
    "account_role_matrix",
    "accounts_heard",
    "band_expr",
    "benjamini_hochberg",
    "breadth_buckets",
    "bucket_by_edges",
    "bucket_words",
    "buckets_worded",
    "conflict_comments",
    "detractor_followups",
    "detractor_why",
    "detractors_worded",
    "effort_buckets",
    "freshness_buckets",
    "influence_weighted_nps",
    "interval_expressions",
    "last_response_day",
    "latest_score_per_contact",
    "nps_by",
    "nps_by_account",
    "nps_by_account_role",
    "nps_by_bucket",
    "nps_by_role",
    "nps_rows_for_cli",
    "nps_score",
    "of_survey_type",
    "one_answer_per_person",
    "overall_nps",
    "period_start",
    "permutation_p_value",
    "permutations_for",
    "quarterly_trend",
    "quartile_edges",
    "relationship_buckets",
    "responses_for_account",
    "responses_for_account_ids",
    "responses_since",
    "risky_detractors",
    "role_conflict_tests",
    "role_conflicts",
    "search_comments",
    "summarise_nps",
    "too_few_mask",
    "trusted_nps",
    "with_interval",
    "with_quarter",
    "with_role_label",
]
