"""The names of the tables the migrations create (:mod:`.schema`), in order.

Kept apart from the DDL so that the modules naming tables (the import's order,
the demo's load, the connection's allow-list) need not read the schema's text.
A test keeps the list equal to what the migrations create (tests/test_store.py).
"""

from __future__ import annotations

#: Tables holding CRM data, in the order a full load fills them.
DATA_TABLES: tuple[str, ...] = (
    "sellers",
    "accounts",
    "contacts",
    "contact_influences",
    "opportunities",
    "opportunity_contacts",
    "activities",
    "nps_responses",
    "contracts",
    "erp_revenue",
)


def list_tables_static() -> tuple[str, ...]:
    """Return every table the migrations create, in creation order."""
    return (
        "schema_version",
        *DATA_TABLES,
        "contact_edits",
        "import_runs",
        "import_undo_rows",
        "column_mappings",
        "relationship_overrides",
        "segment_scenarios",
        "account_plans",
        "plan_objectives",
        "plan_actions",
        "plan_risks",
        "workbench_meta",
        "sign_in_failures",
        "account_situation",
        "detractor_followups",
        "account_requirements",
        "requirement_conflicts",
        "seller_cost_rates",
        "account_wallet_estimates",
        "industry_wallet_shares",
        "service_models",
        "fact_changes",
        "shared_fact_changes",
    )
