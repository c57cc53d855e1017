"""The editable contacts table of the buying-centre page, and the map summary."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from workbench.analytics.network.metrics import BuyingCentreReport
from workbench.domain import CONTACT_EDIT_FIELDS


def editable_contacts(persons: pl.DataFrame) -> pl.DataFrame:
    """Return the table the page lets people edit: one row per person."""
    return persons.select(
        "contact_id",
        "name",
        "title",
        "department",
        "buying_role",
        pl.col("influence").cast(pl.Int64),
        "attitude",
        # a box: ticked, the person has left (unticked is what nothing said)
        pl.col("has_left").fill_null(False),
        "email",
        "phone",
    )


def contact_changes(original: pl.DataFrame, edited: pl.DataFrame) -> pl.DataFrame:
    """Return the edited values that differ from the original, one row per value.

    Both frames hold ``contact_id`` and the editable fields; rows are matched by
    ``contact_id``. A field one of them does not hold is not compared (a table
    from before ``has_left`` was editable).

    Returns:
        ``contact_id, field, new_value`` (text; NULL clears the value).
    """
    frames = []
    for name in CONTACT_EDIT_FIELDS:
        if name not in original.columns or name not in edited.columns:
            continue
        before = original.select(
            pl.col("contact_id").cast(pl.String), _edit_text(name).alias("old")
        )
        after = edited.select(
            pl.col("contact_id").cast(pl.String), _edit_text(name).alias("new_value")
        )
        frames.append(
            before.join(after, on="contact_id", how="inner")
            .filter(pl.col("old").ne_missing(pl.col("new_value")))
            .select("contact_id", pl.lit(name).alias("field"), "new_value")
        )
    return pl.concat(frames).sort("contact_id", "field")


def _edit_text(name: str) -> pl.Expr:
    # A table editor may hand influence back as 4.0 or "4"; compare it as "4".
    # A box reads "true" or "false", an empty one as unticked.
    if name == "has_left":
        return (
            pl.col(name).cast(pl.Boolean, strict=False).fill_null(False).cast(pl.String)
        )
    if name == "influence":
        return (
            pl.col(name)
            .cast(pl.Float64, strict=False)
            .round()
            .cast(pl.Int64)
            .cast(pl.String)
        )
    return pl.col(name).cast(pl.String)


def map_summary(report: BuyingCentreReport) -> dict[str, Any]:
    """Return the report as plain JSON-ready data (for the command line)."""
    breadth = report.breadth
    return {
        "coverage": report.coverage.to_dicts(),
        "breadth": {
            "contacts_present": breadth.contacts_present,
            "contacts_engaged": breadth.contacts_engaged,
            "contacts_left": breadth.contacts_left,
            "departments_present": breadth.departments_present,
            "departments_engaged": breadth.departments_engaged,
            "levels_present": breadth.levels_present,
            "levels_reached": breadth.levels_reached,
            "top_level_reached": breadth.top_level_reached,
            "sellers_engaged": breadth.sellers_engaged,
            "effort": breadth.effort.to_dicts(),
        },
        "risks": report.risks.to_dicts(),
        "reach_next": json.loads(report.reach_next.write_json()),
    }
