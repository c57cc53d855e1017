"""The small portfolio the account-plan tests share: three accounts, a plan, hostile text.

The ``seeded`` fixture (``tests/conftest.py``) is an empty database with :func:`seed`'s rows.
"""

from __future__ import annotations

from datetime import date

from workbench import plans, store
from workbench.domain import Actor

ANNA = Actor(name="anna", role="analyst")
BEN = Actor(name="ben", role="analyst")
VERA = Actor(name="vera", role="viewer")

HOSTILE = (
    "</script><script>alert(1)</script> <img src=x onerror=alert(1)> "
    '" onmouseover="alert(1)'
)


def seed(con: store.Connection) -> None:
    with store.write_transaction(con) as cur:
        cur.execute(
            """
            INSERT INTO sellers VALUES ('S1', 'Sam Seller', 'KAM', 'Key account manager',
                                        NULL, NULL, NULL)
            """
        )
        cur.execute(
            """
            INSERT INTO accounts (account_id, name, industry, owner_seller_id)
            VALUES ('A1', 'Acme', 'Machinery', 'S1'), ('A2', 'Beta', 'Food', 'S1'),
                   ('A3', 'Gamma', 'Food', NULL)
            """
        )
        cur.execute(
            """
            INSERT INTO contacts (contact_id, account_id, name, buying_role, influence,
                                  attitude)
            VALUES ('C1', 'A1', 'Dora Decider', 'decider', 5, 'champion'),
                   ('C2', 'A1', 'Bert Buyer', 'buyer', 3, 'skeptic'),
                   ('C3', 'A1', 'Nora Nobody', NULL, NULL, NULL)
            """
        )
        cur.execute(
            """
            INSERT INTO opportunities (opportunity_id, account_id, amount, close_date,
                                       is_closed, is_won)
            VALUES ('O1', 'A1', 1000, DATE '2026-06-01', true, true),
                   ('O2', 'A1', 500, DATE '2025-01-01', true, true),
                   ('O3', 'A1', 700, DATE '2026-12-01', false, false)
            """
        )
        cur.execute(
            """
            INSERT INTO activities (activity_id, account_id, activity_date,
                                    duration_minutes)
            VALUES ('T1', 'A1', DATE '2026-05-01', 90), ('T2', 'A1', DATE '2024-01-01', 60)
            """
        )


def full_plan(account_id: str = "A1", text: str = "Meet the decider") -> plans.Plan:
    return plans.Plan(
        account_id=account_id,
        account_name="Acme",
        status="agreed",
        identify=text,
        differentiate="Most valuable: protect.",
        interact="Quarterly reviews with Dora.",
        customise="Consignment stock.",
        relationship="partnership",
        value_services=["Delivery guarantees", "Joint promotion"],
        value_notes="Joint forecast from Q1.",
        objectives=[
            plans.Objective("Grow share", "share of wallet", "40 %", date(2027, 6, 30))
        ],
        actions=[
            plans.Action(
                "Dora Decider", "Executive visit", "Sam Seller", date(2026, 1, 15)
            ),
            plans.Action(
                "Bert Buyer", "Price review", "Sam Seller", date(2026, 1, 10), "done"
            ),
        ],
        risks=[plans.Risk("Framework re-tender", date(2027, 3, 1), "high")],
    )
