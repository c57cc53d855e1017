"""A page's first run opens the database file once, whatever it reads.

Opening the file costs 10 to 30 ms (DuckDB starts a database instance and the
schema is checked). A page that reads several things the first time it runs
for a data version (the Effort page: its choices, the segments, whom the hours
went to, the service model) opened the file for each; its reads now share one
opening (``session.one_opening``), and a rerun whose reads are kept opens none.
"""

from __future__ import annotations

import pytest

from tests.conftest import count_calls, open_page
from workbench import open_workbench
from workbench.store import connection

#: (page, tab widget's key, tab) as a leader opens them; None: the page's first tab.
PAGES_AND_TABS = [
    ("pages/overview.py", None, None),
    ("pages/effort.py", None, None),
    ("pages/buying_centre.py", None, None),
    ("pages/segments.py", None, None),
    ("pages/plans.py", None, None),
    ("pages/plans.py", "plans_tab", "Leaders' overview"),
    ("pages/voice.py", None, None),
    ("pages/voice.py", "voice_tab", "Requirements"),
    ("pages/voice.py", "voice_tab", "Drivers"),
]


def _change_a_fact(path) -> None:
    """Estimate an account's wallet by hand, as a notebook or a command would."""
    with open_workbench(path) as wb:
        account = str(wb.accounts()["account_id"][0])
        wb.set_wallet_estimate(account, 2_500_000.0)


@pytest.mark.parametrize(("page", "tab_key", "tab"), PAGES_AND_TABS)
def test_a_pages_run_after_a_write_opens_the_file_once(
    monkeypatch, app_db, page, tab_key, tab
):
    app = open_page(page)
    if tab_key is not None:
        app.session_state[tab_key] = tab
        app.run()
        assert not app.exception, app.exception
    # another process writes: every read the page makes is out of date
    _change_a_fact(app_db)
    openings = count_calls(monkeypatch, connection, "_open_waiting")
    app.run()
    assert not app.exception, app.exception
    assert len(openings) == 1
    # and a rerun with nothing written opens nothing
    openings.clear()
    app.run()
    assert not app.exception, app.exception
    assert openings == []


def test_the_import_pages_rerun_opens_nothing(monkeypatch, app_db):
    # the undo offered under the past imports is kept per data version, as the
    # runs listed above it are (it opened the file at every rerun of the page)
    app = open_page("pages/import_data.py")
    openings = count_calls(monkeypatch, connection, "_open_waiting")
    app.run()
    assert not app.exception, app.exception
    assert openings == []
