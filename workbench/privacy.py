"""Personal data on screen: viewers see customers' e-mail addresses and phones masked."""

from __future__ import annotations

import polars as pl

from workbench.access import can
from workbench.domain import Actor

#: Columns that hold personal contact details, wherever they appear.
PERSONAL_COLUMNS = ("email", "phone")


def mask_email(column: pl.Expr) -> pl.Expr:
    """Return an expression keeping an address's first letter and domain: ``j***@acme.com``."""
    return (
        pl.when(column.str.contains("@"))
        .then(
            column.str.slice(0, 1) + pl.lit("***@") + column.str.split("@").list.last()
        )
        .otherwise(pl.when(column.is_not_null()).then(pl.lit("***")))
    )


def mask_phone(column: pl.Expr) -> pl.Expr:
    """Return an expression keeping only a phone number's last two digits: ``*** 47``."""
    digits = column.str.replace_all(r"\D", "")
    return pl.when(digits.str.len_chars() > 0).then(
        pl.lit("*** ") + digits.str.slice(-2)
    )


def mask_personal_data(frame: pl.DataFrame, actor: Actor) -> pl.DataFrame:
    """Return the frame as this actor may see it: masked for anyone who cannot edit.

    Every column whose name ends in ``email`` or ``phone`` is masked.
    """
    if can(actor, "edit"):
        return frame
    masks = []
    for name in frame.columns:
        lowered = name.lower()
        if lowered.endswith("email") and frame.schema[name] == pl.String:
            masks.append(mask_email(pl.col(name)).alias(name))
        elif lowered.endswith("phone") and frame.schema[name] == pl.String:
            masks.append(mask_phone(pl.col(name)).alias(name))
    return frame.with_columns(masks) if masks else frame
