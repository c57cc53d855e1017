"""Builders of small test data shaped like real exports, shared by the test files.

A frame is written as rows, one record a line as a CRM export holds it, under one
line naming its columns; the store is filled the way an import fills it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from workbench import store

if TYPE_CHECKING:
    from collections.abc import Mapping


def rows_frame(
    columns: str,
    *rows: tuple[object, ...],
    schema_overrides: Mapping[str, pl.DataType | type[pl.DataType]] | None = None,
) -> pl.DataFrame:
    """A frame of ``rows`` under ``columns`` (their names, separated by spaces);
    types are inferred from every row unless ``schema_overrides`` names them."""
    return pl.DataFrame(
        list(rows),
        schema=columns.split(),
        schema_overrides=schema_overrides,
        orient="row",
        infer_schema_length=None,
    )


def load_frames(con: store.Connection, frames: dict[str, pl.DataFrame]) -> None:
    """Replace the store's data with ``frames`` (table name → rows) in one write."""
    with store.write_transaction(con) as cur:
        store.replace_data(cur, frames)


def monthly_activities(
    account_id: str,
    count: int,
    *,
    id_prefix: str,
    kind: str,
    minutes: float | None,
    **columns: object,
) -> list[dict[str, object]]:
    """``count`` activities of one account on the 10th of January to June 2026 in
    turn, each ``minutes`` long, with ``columns`` (a seller, say) on every one."""
    return [
        {
            "activity_id": f"{id_prefix}{i}",
            "account_id": account_id,
            **columns,
            "kind": kind,
            "activity_date": date(2026, 1 + i % 6, 10),
            "duration_minutes": minutes,
        }
        for i in range(count)
    ]


def won_deal(
    deal_id: str, account: str, amount: float, closed: date, **more: object
) -> dict[str, object]:
    """A closed-won opportunity; ``more``: its other columns (``contract_id``, a
    deal's own ``term_months``)."""
    return {
        "opportunity_id": deal_id,
        "account_id": account,
        "amount": amount,
        "close_date": closed,
        "is_closed": True,
        "is_won": True,
        "contract_id": more.pop("contract_id", None),
        **more,
    }
