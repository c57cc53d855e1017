"""Charts (and large tables) built once per data version and choice.

``st.altair_chart`` turns the Altair chart into a Vega-Lite spec at every rerun:
Altair walks and validates the whole chart against its JSON schema and the data
is serialised to Arrow, tens of milliseconds per chart whatever moved. A chart
whose inputs did not change (a slider of another section moved) is drawn here
from the spec built the first time, keyed on what the chart depends on, the
database's data version and the language. The spec is Streamlit's own conversion
of the same chart, so the element sent to the browser is the same. Tables are
kept the same way as the Arrow they are sent as, and elements whose drawing is
itself the cost (pandas Stylers) as the messages Streamlit drew (``replayed``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import polars as pl
import streamlit as st

from workbench.app import session
from workbench.app.components import arrow_table
from workbench.i18n import current_language

_vega_lite_spec: Callable[[Any], dict[str, Any]] | None
try:  # Streamlit's conversion, as st.altair_chart does it (thread-safe, themed)
    from streamlit.elements.vega_charts import (
        _convert_altair_to_vega_lite_spec as _vega_lite_spec,
    )
except ImportError:  # pragma: no cover - a Streamlit without it: draw uncached
    _vega_lite_spec = None


@st.cache_resource(max_entries=64, show_spinner=False)
def _spec(
    path: str,
    version: int,
    key: str,
    language: str,
    _build: Callable[[], Any],
) -> dict[str, Any]:
    # ``_build`` is not part of the key (Streamlit skips arguments named with an
    # underscore): ``key`` names everything the chart depends on.
    assert _vega_lite_spec is not None
    spec: dict[str, Any] = _vega_lite_spec(_build())
    return spec


def altair_chart(
    key: tuple[Hashable, ...], build: Callable[[], Any], **options: Any
) -> None:
    """Draw the chart ``build()`` returns, building it only when ``key`` is new.

    Args:
        key: everything the chart depends on besides the data version and the
            language (the chart's name first, then the choices it was built from),
            each a value whose repr names it whole (dates, strings, numbers,
            thresholds): the key is its repr, which costs far less than
            Streamlit's hash of a dataclass.
        build: returns the Altair chart.
        options: passed to ``st.vega_lite_chart`` (``width``...).
    """
    if _vega_lite_spec is None:  # pragma: no cover - see the import
        st.altair_chart(build(), **options)
        return
    db = session.database()
    spec = _spec(
        path=db.path,
        version=session.data_version(db),
        key=repr(key),
        language=current_language(),
        _build=build,
    )
    # Streamlit clones the spec's top level before taking the datasets out of it;
    # the copy here keeps the cached spec whole should that ever change.
    st.vega_lite_chart(spec=dict(spec), **options)


@st.cache_resource(max_entries=64, show_spinner=False)
def _table(
    path: str,
    version: int,
    key: str,
    language: str,
    _build: Callable[[], pl.DataFrame],
) -> Any:
    # as ``_spec``: ``key`` names everything the table depends on
    return arrow_table(_build())


def table(key: tuple[Hashable, ...], build: Callable[[], pl.DataFrame]) -> Any:
    """Return the table ``build()`` returns as Arrow, building it only when ``key`` is new.

    For a page's large shown tables (1,000 rows): selecting the columns, putting
    codes in words and the conversion to Arrow cost milliseconds each at every
    rerun, for a table whose inputs did not change. ``key`` as for
    :func:`altair_chart`. The table is what ``show_table`` would have sent.
    """
    db = session.database()
    return _table(
        path=db.path,
        version=session.data_version(db),
        key=repr(key),
        language=current_language(),
        _build=build,
    )


@st.cache_data(max_entries=64, show_spinner=False)
def _replayed(
    path: str,
    version: int,
    key: str,
    language: str,
    _draw: Callable[[], object],
) -> None:
    # Streamlit keeps the elements a cached function draws and draws them again
    # on a hit, without running it: ``key`` names everything they depend on.
    _draw()


def replayed(key: tuple[Hashable, ...], draw: Callable[[], object]) -> None:
    """Draw what ``draw()`` draws, running it only when ``key`` is new.

    For elements whose drawing itself is the cost: a table styled with pandas'
    Styler (figures on too few answers in grey) is rendered cell by cell by
    Streamlit at every run, a tenth of a second for 200 rows. Kept as drawn, it
    is sent again as it was. ``draw`` must draw elements only, no widget (a
    widget's value would be replayed, not read); ``key`` as for
    :func:`altair_chart`.
    """
    db = session.database()
    _replayed(
        path=db.path,
        version=session.data_version(db),
        key=repr(key),
        language=current_language(),
        _draw=draw,
    )
