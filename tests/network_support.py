"""Small hand-built buying centres (people, touches, links), shared by their tests."""

from __future__ import annotations

from datetime import date

import polars as pl

from workbench import domain

END = date(2026, 9, 30)
START = date(2025, 9, 30)

CONTACT_SCHEMA = {
    "contact_id": pl.String,
    "name": pl.String,
    "title": pl.String,
    "department": pl.String,
    "reports_to_id": pl.String,
    "manager_account_id": pl.String,
    "buying_role": pl.String,
    "influence": pl.Int8,
    "attitude": pl.String,
    "email": pl.String,
    "phone": pl.String,
    "last_touch": pl.Date,
    "nps_score": pl.Int8,
    "nps_date": pl.Date,
}
TOUCH_SCHEMA = {
    "seller_id": pl.String,
    "seller_name": pl.String,
    "seller_team": pl.String,
    "contact_id": pl.String,
    "touches": pl.Int64,
    "minutes": pl.Float64,
    "last_touch": pl.Date,
}
INFLUENCE_SCHEMA = {
    "from_contact_id": pl.String,
    "to_contact_id": pl.String,
    "strength": pl.Int8,
}


def person(contact_id: str, **fields: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(CONTACT_SCHEMA)
    row.update(contact_id=contact_id, name=f"Person {contact_id}", title="Staff")
    row.update(fields)
    return row


def touch(seller_id: str, contact_id: str | None, touches: int, minutes: float = 0):
    return {
        "seller_id": seller_id,
        "seller_name": f"Seller {seller_id}",
        "seller_team": "Key Account Management",
        "contact_id": contact_id,
        "touches": touches,
        "minutes": minutes,
        "last_touch": END,
    }


def centre(
    people: list[dict[str, object]],
    touches: list[dict[str, object]] | None = None,
    influences: list[tuple[str, str, int]] | None = None,
) -> domain.BuyingCentreData:
    return domain.BuyingCentreData(
        account_id="A1",
        account_name="Acme",
        start=START,
        end=END,
        contacts=pl.DataFrame(people, schema=CONTACT_SCHEMA),
        influences=pl.DataFrame(
            influences or [], schema=INFLUENCE_SCHEMA, orient="row"
        ),
        touches=pl.DataFrame(touches or [], schema=TOUCH_SCHEMA),
    )


# A small account used by several tests:
#
#   CEO (decider, champion, Executive)
#   ├── BUY (buyer, Procurement)            ← touched 6 times
#   │   └── CLERK (gatekeeper, Procurement)
#   └── ENG (influencer, Engineering, supporter) ← touched 2 times
#       └── TECH (user, Engineering, influence 4, never touched)
#   FIN (approver, Finance, reports to nobody known: "GONE")
#   TECH influences FIN (dashed link)
SMALL_ACCOUNT_COLUMNS = (
    "contact_id",
    "department",
    "reports_to_id",
    "buying_role",
    "influence",
    "attitude",
    "last_touch",
)
SMALL_ACCOUNT_PEOPLE = (
    ("CEO", "Executive", None, "decider", 5, "champion", date(2026, 9, 1)),
    ("BUY", "Procurement", "CEO", "buyer", 3, "neutral", date(2026, 8, 1)),
    ("CLERK", "Procurement", "BUY", "gatekeeper", 1, None, None),
    ("ENG", "Engineering", "CEO", "influencer", 3, "supporter", date(2026, 9, 20)),
    ("TECH", "Engineering", "ENG", "user", 4, "skeptic", None),
    ("FIN", "Finance", "GONE", "approver", 4, "neutral", date(2025, 1, 1)),
)


def small_account() -> domain.BuyingCentreData:
    people = [
        person(**dict(zip(SMALL_ACCOUNT_COLUMNS, row, strict=True)))
        for row in SMALL_ACCOUNT_PEOPLE
    ]
    people[-1].update(nps_score=3, nps_date=date(2026, 6, 30))  # FIN answered
    return centre(
        people,
        touches=[
            touch("S1", "BUY", 6, 300),
            touch("S2", "ENG", 2, 100),
            touch("S1", None, 2, 100),
        ],
        influences=[("TECH", "FIN", 2)],
    )


HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "<a href='javascript:alert(1)'>x</a>",
]
