from __future__ import annotations

import polars as pl

from workbench.domain import Actor
from workbench.privacy import mask_personal_data

PEOPLE = pl.DataFrame(
    {
        "name": ["Anna", "Bo", "Cy"],
        "email": ["anna.schmidt@acme.de", "not-an-address", None],
        "phone": ["+49 30 1234 5647", None, "n/a"],
        "seller_email": ["me@supplier.example", None, None],
    }
)


def test_viewers_see_masked_contact_details():
    masked = mask_personal_data(PEOPLE, Actor("v", "viewer"))
    assert masked["email"].to_list() == ["a***@acme.de", "***", None]
    assert masked["phone"].to_list() == ["*** 47", None, None]
    assert masked["seller_email"][0] == "m***@supplier.example"
    assert masked["name"].to_list() == PEOPLE["name"].to_list()


def test_analysts_see_everything():
    assert mask_personal_data(PEOPLE, Actor("a", "analyst")).equals(PEOPLE)
