"""Which accounts are customers to segment, by the type the CRM gives them.

A competitor, a partner, a supplier, the press or an investor is imported and
kept, but is not a customer: the account features (and with them the segments,
the effort comparison and the plans' figures) leave it out, unless a deal or
ERP revenue is on record for it (then we sell to it too: a deal won, lost or
open, or invoiced revenue). See :data:`workbench.domain.NOT_CUSTOMER_TYPES`.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from workbench.domain import NOT_CUSTOMER_TYPES
from workbench.store._base import Connection
from workbench.store.connection import query_frame

#: The condition an account row ``a`` meets when it is a customer to segment;
#: takes :func:`customer_scope_params`. An account of no known type is one.
#: Only the deals of accounts typed as no customer are looked up: a look-up
#: of every deal's account made the features' statement 15 % slower at
#: 10,000 accounts and a million deals (315 against 267 ms without the rule,
#: medians of 9, alternated); this way the same within the noise.
_TYPED_AS_NO_CUSTOMER = """
    SELECT t.account_id FROM accounts t
    WHERE t.account_type IN (SELECT unnest($not_customers::VARCHAR[]))
"""
CUSTOMER_SCOPE_SQL = f"""
    (a.account_type IS NULL
     OR a.account_type NOT IN (SELECT unnest($not_customers::VARCHAR[]))
     OR a.account_id IN (
         SELECT o.account_id FROM opportunities o
         WHERE o.account_id IN ({_TYPED_AS_NO_CUSTOMER})
         UNION ALL
         SELECT e.account_id FROM erp_revenue e
         WHERE e.account_id IN ({_TYPED_AS_NO_CUSTOMER})))
"""


def customer_scope_params() -> dict[str, Any]:
    """Return the parameters of :data:`CUSTOMER_SCOPE_SQL`."""
    return {"not_customers": list(NOT_CUSTOMER_TYPES)}


def accounts_not_segmented(con: Connection) -> pl.DataFrame:
    """Return the accounts the CRM types as no customer, which are not segmented.

    Columns: ``account_id``, ``name``, ``account_type`` (one of
    :data:`~workbench.domain.NOT_CUSTOMER_TYPES`), ``crm_type`` (the CRM's own
    text), ``contacts`` and ``activities`` (what is on record for it), ordered
    by type and name.
    """
    return query_frame(
        con,
        f"""
        WITH left_out AS (
            SELECT a.account_id, a.name, a.account_type, a.crm_type
            FROM accounts a WHERE NOT {CUSTOMER_SCOPE_SQL}
        ),
        people AS (
            SELECT account_id, count(*) AS contacts FROM contacts
            WHERE account_id IN (SELECT account_id FROM left_out) GROUP BY 1
        ),
        touches AS (
            SELECT account_id, count(*) AS activities FROM activities
            WHERE account_id IN (SELECT account_id FROM left_out) GROUP BY 1
        )
        SELECT o.*, coalesce(p.contacts, 0) AS contacts,
               coalesce(t.activities, 0) AS activities
        FROM left_out o
        LEFT JOIN people p USING (account_id)
        LEFT JOIN touches t USING (account_id)
        ORDER BY o.account_type, o.name, o.account_id
        """,
        customer_scope_params(),
    )
