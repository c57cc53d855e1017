"""The Segments page opened, and its figures and tables read, for its test modules."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import open_page

PAGE = "pages/segments.py"


@pytest.fixture
def page(app_db) -> AppTest:
    return open_page(PAGE)


def metrics(at: AppTest) -> dict[str, int]:
    # the counts; money figures (one account's costs) carry their currency
    counts = {m.label: m.value.replace(",", "") for m in at.metric}
    return {k: int(v) for k, v in counts.items() if v.lstrip("-").isdigit()}


def table_with(at: AppTest, column: str):
    # AppTest does not expose st.dataframe keys; find a table by a column of its own.
    for element in at.dataframe:
        if column in element.value.columns:
            return element.value
    raise AssertionError(f"no table with a {column!r} column")


def accounts_table(at: AppTest):
    """The accounts table with every column (its toggle turned on if it is off)."""
    every = at.toggle(key="seg_all_columns")
    if not every.value:
        every.set_value(True).run()
        assert not at.exception, at.exception
    return table_with(at, "relationship_reason")


def opened(at: AppTest, *keys: str) -> AppTest:
    """Open the expanders ``keys`` (their content is built only while open)."""
    for key in keys:
        at.session_state[key] = True
    at.run()
    assert not at.exception, at.exception
    return at


def _chart_data(at) -> tuple[str, dict[str, list[dict]]]:
    """Return the chart's spec (text) and its datasets' rows, by name."""
    import pyarrow as pa

    proto = at.get("vega_lite_chart")[0].proto
    rows = {
        d.name: pa.ipc.open_stream(d.data.data).read_all().to_pylist()
        for d in proto.datasets
    }
    return proto.spec, rows
