"""Shared fixtures: fresh in-memory stores, one demo database file per test session.

Building the demo takes about a second, so the session builds it once and each test
that writes gets its own copy (DuckDB locks a file per process, and tests must not
see each other's edits).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from workbench import demo, i18n, store
from workbench.domain import Actor

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SHARED = ROOT.parent / "shared"
REAL_DATASETS = SHARED / "datasets" / "real"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Every test starts and ends in English, whatever a page or command chose."""
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    # cache_resource survives between AppTest instances in one pytest process; a
    # connection cached by one test would otherwise serve the next test's database.
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def con() -> Iterator[store.Connection]:
    """An empty, migrated in-memory database."""
    connection = store.connect(":memory:")
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo portfolio written once per session; copy it before writing."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    connection = store.connect(path)
    demo.write_demo(connection)
    connection.close()
    return path


@pytest.fixture
def demo_db(demo_db_file: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database file for one test."""
    path = tmp_path / "workbench.duckdb"
    shutil.copy(demo_db_file, path)
    return path


@pytest.fixture
def demo_con(demo_db: Path) -> Iterator[store.Connection]:
    """An open connection to a private copy of the demo database."""
    connection = store.connect(demo_db)
    yield connection
    connection.close()


@pytest.fixture
def app_db(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at a private copy of the demo database."""
    monkeypatch.setenv(store.DB_ENV_VAR, str(demo_db))
    return demo_db


@pytest.fixture
def at(app_db: Path) -> AppTest:
    """The app, run once on the demo database."""
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception, app.exception
    return app


def open_page(page: str, actor: Actor | None = None) -> AppTest:
    """Run the app (as ``actor``, else the local user), then switch to ``page``."""
    app = AppTest.from_file(APP, default_timeout=60)
    if actor is not None:
        app.session_state["workbench_actor"] = actor
    app.run()
    app.switch_page(page).run()
    assert not app.exception, app.exception
    return app
