"""The one Streamlit-aware module: the cached connection, cached queries, shared widgets.

Pages import this and :mod:`workbench`'s pure modules; nothing else in the library
imports Streamlit. One DuckDB connection serves the whole server process
(``st.cache_resource``); every query takes its own cursor, because Streamlit runs
each session's script in its own thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from workbench import demo, store
from workbench.models import LOCAL_ACTOR, Actor


@dataclass(frozen=True)
class OpenDatabase:
    """The process-wide database handle and how it came to be."""

    con: store.Connection
    path: str
    created_demo: bool


def _close(db: OpenDatabase) -> None:
    db.con.close()


@st.cache_resource(show_spinner="Opening the database…", on_release=_close)
def _open_database(path: str) -> OpenDatabase:
    # A new user starts with no database: build the demo portfolio so that every
    # page has something real to show, and say so on the Overview.
    created_demo = path != ":memory:" and not Path(path).exists()
    con = store.connect(path)
    if created_demo:
        demo.write_demo(con)
    return OpenDatabase(con=con, path=path, created_demo=created_demo)


def database() -> OpenDatabase:
    """Return the open database named by ``$WORKBENCH_DB`` (or the default file)."""
    path = store.resolve_db_path()
    return _open_database(str(path) if str(path) == ":memory:" else str(path.resolve()))


def connection() -> store.Connection:
    """Return the process-wide connection; store functions take a cursor from it."""
    return database().con


def data_version() -> int:
    """Return the database's data version, the key that invalidates cached analytics."""
    return store.data_version(connection())


def current_actor() -> Actor:
    """Return who is using the app and their role; pass it to every library write.

    Local single-user mode (the default) is login-free: the one user may do all.
    """
    actor = st.session_state.get("workbench_actor")
    return actor if isinstance(actor, Actor) else LOCAL_ACTOR


# --- cached queries: keyed by database path and data version ----------------------


@st.cache_data(show_spinner=False, max_entries=64)
def _portfolio_summary(path: str, version: int) -> dict[str, Any]:
    return store.portfolio_summary(connection())


def portfolio_summary() -> dict[str, Any]:
    """Return the Overview's headline figures, cached until the data changes."""
    return _portfolio_summary(database().path, data_version())


@st.cache_data(show_spinner=False, max_entries=64)
def _accounts_by_industry(path: str, version: int) -> Any:
    return store.accounts_by_industry(connection())


def accounts_by_industry() -> Any:
    """Return accounts and won revenue per industry, cached until the data changes."""
    return _accounts_by_industry(database().path, data_version())
