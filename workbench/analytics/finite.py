"""Numbers the analytics can use: NaN and infinities in a frame read as unknown."""

from __future__ import annotations

import polars as pl


def finite_or_null(frame: pl.DataFrame) -> pl.DataFrame:
    """Return the frame with NaN and infinities in float columns as NULL.

    The store's reads already do this; a frame built by hand in a notebook may
    not, and one NaN would otherwise break the integer casts of the reasons.
    """
    floats = [c for c, t in frame.schema.items() if t.is_float()]
    return frame.with_columns(
        pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c) for c in floats
    )
