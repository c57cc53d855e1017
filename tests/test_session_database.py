"""The app finds its database once per script run, however many reads ask for it."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from workbench import store


def _page_reading_three_times() -> None:
    import streamlit as st

    from workbench.app import session

    calls = st.session_state.setdefault("finds", [])
    gate = session._stop_unless_signed_in  # part of finding the database

    def counted() -> None:
        calls.append(1)
        gate()

    session._stop_unless_signed_in = counted
    try:
        first = session.database()
        assert session.database() is first
        session.data_version(session.database())
    finally:
        session._stop_unless_signed_in = gate
    st.write(f"found {len(calls)} times")


def test_the_database_is_found_once_per_run(monkeypatch):
    monkeypatch.setenv(store.DB_ENV_VAR, ":memory:")
    app = AppTest.from_function(_page_reading_three_times, default_timeout=30).run()
    assert not app.exception
    assert app.markdown[0].value == "found 1 times"
    app.run()  # a rerun finds it again, once
    assert app.markdown[0].value == "found 2 times"
