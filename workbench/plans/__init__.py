"""Account plans: one structured, versioned plan per account, and its exports.

A plan follows Peppers & Rogers' one-to-one steps in order — identify the people,
differentiate the account by value, interact with each stakeholder, customise the
offer — and Hutt & Speh's split of the value proposition: a transactional account
gets the "should-have" services, a partnership gets value-adding ones. It opens
with a *situation* computed from the analytics for a stated as-of date, and ends
with measurable objectives, actions per person and dated risks.

Every save is a new version with who and when; nothing is ever overwritten. A save
names the version it was based on, and is refused when someone saved a newer one
meanwhile (:class:`PlanConflictError` keeps the refused text for merging).

One module per concern: ``model`` (vocabularies, dataclasses, JSON), ``lines``
(objectives, actions and risks as tables; validation), ``saving`` (through the
store), ``situation`` (each part computed from the analytics), ``assembly`` (an
account's parts in order, from the portfolio's frames worked out once),
``drafting`` (sections and suggested actions), ``exports`` (Markdown, HTML, CSV)
and ``overview`` (the leaders' view). Callers use ``plans.<name>`` from this
package.
"""

from __future__ import annotations

from workbench.plans.assembly import (
    PortfolioFrames,
    build_situation,
    portfolio_frames,
)
from workbench.plans.drafting import (
    add_suggested_actions,
    draft_sections,
    fill_empty_sections,
    suggested_actions,
)
from workbench.plans.exports import (
    actions_csv,
    plan_to_html,
    plan_to_markdown,
)
from workbench.plans.lines import (
    ACTION_COLUMNS,
    OBJECTIVE_COLUMNS,
    RISK_COLUMNS,
    actions_frame,
    actions_from_frame,
    objectives_frame,
    objectives_from_frame,
    risks_frame,
    risks_from_frame,
    validate_plan,
)
from workbench.plans.model import (
    ACTION_STATUSES,
    MAX_LINES,
    MAX_SECTION_CHARS,
    MAX_TABLE_ROWS,
    OBJECTIVE_STATUSES,
    PLAN_FORMAT,
    PLAN_STATUSES,
    RELATIONSHIP_GUIDANCE,
    RELATIONSHIPS,
    RISK_SEVERITIES,
    SECTION_TITLES,
    SECTIONS,
    STALE_AFTER_DAYS,
    VALUE_SERVICES,
    Action,
    Cell,
    Fact,
    Objective,
    PartStatus,
    Plan,
    PlanConflictError,
    PlanVersion,
    Risk,
    Situation,
    SituationPart,
    SituationTable,
    format_value,
    new_plan,
    plan_from_dict,
    plan_from_json,
    plan_to_dict,
    plan_to_json,
    proposed_relationship,
    situation_from_dict,
    situation_to_dict,
    value_services_for,
)
from workbench.plans.overview import (
    PlansOverview,
    account_segments,
    plans_overview,
)
from workbench.plans.saving import (
    load_plan,
    plan_accounts,
    plan_history,
    restore_version,
    save_plan,
)
from workbench.plans.situation import (
    SEGMENT_STRATEGY,
    SITUATION_SOURCES,
    default_as_of,
    situation_from_crm,
    situation_from_effort,
    situation_from_network,
    situation_from_segment,
    situation_from_voice,
)
from workbench.plans.summary import coverage_gaps, plan_summary_html
from workbench.plans.wording import (
    CODE_WORDS,
    code_words,
    column_words,
    contact_words,
    fact_label,
    fact_text,
    part_note,
    part_status,
    part_title,
    people_choices,
    status_words,
    table_rows,
    table_title,
)

__all__ = [
    "ACTION_COLUMNS",
    "ACTION_STATUSES",
    "CODE_WORDS",
    "MAX_LINES",
    "MAX_SECTION_CHARS",
    "MAX_TABLE_ROWS",
    "OBJECTIVE_COLUMNS",
    "OBJECTIVE_STATUSES",
    "PLAN_FORMAT",
    "PLAN_STATUSES",
    "RELATIONSHIPS",
    "RELATIONSHIP_GUIDANCE",
    "RISK_COLUMNS",
    "RISK_SEVERITIES",
    "SECTIONS",
    "SECTION_TITLES",
    "SEGMENT_STRATEGY",
    "SITUATION_SOURCES",
    "STALE_AFTER_DAYS",
    "VALUE_SERVICES",
    "Action",
    "Cell",
    "Fact",
    "Objective",
    "PartStatus",
    "Plan",
    "PlanConflictError",
    "PlanVersion",
    "PlansOverview",
    "PortfolioFrames",
    "Risk",
    "Situation",
    "SituationPart",
    "SituationTable",
    "account_segments",
    "actions_csv",
    "actions_frame",
    "actions_from_frame",
    "add_suggested_actions",
    "build_situation",
    "code_words",
    "column_words",
    "contact_words",
    "coverage_gaps",
    "default_as_of",
    "draft_sections",
    "fact_label",
    "fact_text",
    "fill_empty_sections",
    "format_value",
    "load_plan",
    "new_plan",
    "objectives_frame",
    "objectives_from_frame",
    "part_note",
    "part_status",
    "part_title",
    "people_choices",
    "plan_accounts",
    "plan_from_dict",
    "plan_from_json",
    "plan_history",
    "plan_summary_html",
    "plan_to_dict",
    "plan_to_html",
    "plan_to_json",
    "plan_to_markdown",
    "plans_overview",
    "portfolio_frames",
    "proposed_relationship",
    "restore_version",
    "risks_frame",
    "risks_from_frame",
    "save_plan",
    "situation_from_crm",
    "situation_from_dict",
    "situation_from_effort",
    "situation_from_network",
    "situation_from_segment",
    "situation_from_voice",
    "situation_to_dict",
    "status_words",
    "suggested_actions",
    "table_rows",
    "table_title",
    "validate_plan",
    "value_services_for",
]
