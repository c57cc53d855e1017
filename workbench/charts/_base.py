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
