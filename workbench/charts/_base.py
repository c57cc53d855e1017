"""What every chart shares: the font stack and vocabulary labels in the language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import altair as alt
import polars as pl

from workbench import terms
from workbench.i18n import N_, font_stack
from workbench.i18n import gettext as _

ChartT = TypeVar("ChartT", bound=alt.TopLevelMixin)


def _with_font(chart: ChartT) -> ChartT:
    """Return ``chart`` configured to draw its text with :func:`font_stack`."""
    configured: ChartT = chart.configure(font=font_stack())
    return configured


def _vocabulary(column: str, vocabulary: Mapping[str, str]) -> pl.Expr:
    """Return ``column`` with its codes replaced by their labels in the language."""
    return pl.col(column).replace(
        {code: _(label) for code, label in vocabulary.items()}
    )


ROLE_LABELS = {**terms.BUYING_ROLES, "all": N_("all roles")}


def symlog_axes(
    x: tuple[str, str, float], y: tuple[str, str, float]
) -> dict[str, alt.X | alt.Y]:
    """Return the ``x`` and ``y`` encodings of a scatter on symmetric-log scales.

    Each axis is ``(field, title, constant)``: money and hours span orders of
    magnitude and cross zero, which a log scale cannot show; ``constant`` is where
    the scale turns from linear to logarithmic.
    """
    (x_field, x_title, x_constant), (y_field, y_title, y_constant) = x, y
    return {
        "x": alt.X(
            f"{x_field}:Q",
            title=x_title,
            scale=alt.Scale(type="symlog", constant=x_constant),
        ),
        "y": alt.Y(
            f"{y_field}:Q",
            title=y_title,
            scale=alt.Scale(type="symlog", constant=y_constant),
        ),
    }


def amount_tooltips(titles: Mapping[str, str]) -> list[alt.Tooltip]:
    """Return tooltips of whole amounts (money, hours) by field, in this order."""
    return [
        alt.Tooltip(f"{field}:Q", title=title, format=",.0f")
        for field, title in titles.items()
    ]


def account_tooltips() -> list[alt.Tooltip]:
    """Return the tooltips naming an account: its name, segment and relationship."""
    return [
        alt.Tooltip("name:N", title=_("Account")),
        alt.Tooltip("value_segment:N", title=_("Segment")),
        alt.Tooltip("relationship:N", title=_("Relationship")),
    ]
