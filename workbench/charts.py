"""Altair chart builders: frames in, ``alt.Chart`` out; no Streamlit here."""

from __future__ import annotations

import altair as alt
import polars as pl


def industry_bars(industries: pl.DataFrame) -> alt.Chart:
    """Return a bar chart of won revenue per industry with the account count in tooltips.

    Args:
        industries: rows of ``industry``, ``accounts``, ``won_revenue``.
    """
    chart: alt.Chart = (
        alt.Chart(industries, title="Won revenue by industry (all time)")
        .mark_bar()
        .encode(
            x=alt.X("won_revenue:Q", title="Won revenue"),
            y=alt.Y("industry:N", sort="-x", title=None),
            tooltip=[
                alt.Tooltip("industry:N"),
                alt.Tooltip("accounts:Q"),
                alt.Tooltip("won_revenue:Q", format=",.0f"),
            ],
        )
    )
    return chart
