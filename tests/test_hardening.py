"""Hosted-mode guards on Streamlit's own server: cache clearing, the metrics page,
error details."""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import tomllib
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.state.session_state import SessionState
from streamlit.testing.v1 import AppTest

from workbench.app import hardening
from workbench.domain import Actor

ROOT = Path(__file__).resolve().parents[1]
ACTOR_KEY = "workbench_actor"


class FakeSession:
    """Just what Streamlit's clear-cache handler touches on an AppSession, with
    Streamlit's own SessionState (which has no ``get``)."""

    def __init__(self, state: dict[str, Any]) -> None:
        self._session_state = SessionState()
        for key, value in state.items():
            self._session_state[key] = value
        self.id = "test-session"

    @property
    def session_state(self) -> SessionState:
        return self._session_state


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch):
    # Start from Streamlit's own handler (an earlier hosted test in this process
    # may have guarded it already) and put back whatever was there afterwards.
    original = inspect.unwrap(AppSession._handle_clear_cache_request)
    monkeypatch.setattr(AppSession, "_handle_clear_cache_request", original)
    hosted = {"on": True}
    assert hardening.install_clear_cache_guard(lambda: hosted["on"], ACTOR_KEY)
    assert hardening.install_clear_cache_guard(lambda: hosted["on"], ACTOR_KEY)
    return hosted


def _calls_after_clear(session: FakeSession) -> int:
    calls: list[int] = []

    @st.cache_resource
    def shared() -> int:
        calls.append(1)
        return len(calls)

    shared()
    AppSession._handle_clear_cache_request(session)  # type: ignore[arg-type]
    shared()
    shared.clear()
    return len(calls)


def test_hosted_mode_ignores_clear_cache_from_a_signed_out_session(guarded, caplog):
    session = FakeSession({"other": 1})
    assert _calls_after_clear(session) == 1  # the cached value survived
    assert "other" in session.session_state  # and the session's state
    assert "Ignored a request to clear the server's caches" in caplog.text


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_hosted_mode_ignores_clear_cache_from_non_admins(guarded, role):
    session = FakeSession({ACTOR_KEY: Actor("someone", role)})
    assert _calls_after_clear(session) == 1


def test_a_signed_in_admin_and_local_mode_may_clear_caches(guarded):
    assert _calls_after_clear(FakeSession({ACTOR_KEY: Actor("root", "admin")})) == 2
    guarded["on"] = False
    assert _calls_after_clear(FakeSession({})) == 2


def test_the_guard_wraps_a_method_streamlit_still_calls_for_clear_cache():
    # If Streamlit renames its handler, the guard would silently guard nothing.
    source = Path(st.__file__).parent / "runtime" / "app_session.py"
    assert "self._handle_clear_cache_request()" in source.read_text()


def _asgi_get(path: str) -> tuple[int, bool]:
    reached: list[str] = []
    sent: list[dict[str, Any]] = []

    async def inner(scope, receive, send):  # the Streamlit app behind
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "headers": []}
    middleware = hardening.ClosedRoutesMiddleware(inner)
    # A fresh loop in a thread of its own: an earlier test (Playwright's sync API)
    # may leave a loop running in this one, where asyncio.run() refuses to start.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, middleware(scope, receive, send)).result()
    return sent[0]["status"], bool(reached)


def test_the_metrics_page_is_closed_and_the_rest_passes():
    assert _asgi_get("/_stcore/metrics") == (404, False)
    assert _asgi_get("/workbench/_stcore/metrics/") == (404, False)  # base URL path
    assert _asgi_get("/_stcore/health") == (200, True)
    assert _asgi_get("/segments") == (200, True)


def test_the_hosted_entry_point_serves_app_py_behind_the_guard():
    text = (ROOT / "hosted_app.py").read_text()
    assert 'st.App("app.py", middleware=[Middleware(ClosedRoutesMiddleware)])' in text
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"streamlit", "run", "hosted_app.py"' in dockerfile


def test_no_error_details_reach_a_browser():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    # Nothing in the container puts details back (the environment would win).
    assert "SHOW_ERROR_DETAILS" not in (ROOT / "Dockerfile").read_text()


def test_streamlit_withholds_message_type_and_trace_under_that_setting(monkeypatch):
    from streamlit import config
    from streamlit.elements import exception

    monkeypatch.setattr(
        config,
        "get_option",
        lambda name: "none" if name == "client.showErrorDetails" else None,
    )
    visibility = exception._error_detail_visibility(True)
    assert not (
        visibility.show_message or visibility.show_trace or visibility.show_type
    )


def _failing_app() -> None:
    import streamlit as st

    from workbench.app import hardening

    def broken() -> None:
        raise ValueError("secret customer detail")

    page = st.navigation([st.Page(broken, title="Broken")])
    hardening.run_page(page, hosted=True)


def test_a_hosted_page_error_shows_a_reference_not_the_error(caplog):
    app = AppTest.from_function(_failing_app, default_timeout=30).run()
    assert not app.exception
    [message] = [e.value for e in app.error]
    assert "server log under reference" in message
    assert "secret customer detail" not in message
    reference = message.rsplit(" ", 1)[-1].rstrip(".")
    assert f"reference {reference}" in caplog.text
    assert "secret customer detail" in caplog.text  # the details are in the log


def _failing_local_app() -> None:
    import streamlit as st

    from workbench.app import hardening

    def broken() -> None:
        raise ValueError("for the developer")

    hardening.run_page(st.navigation([st.Page(broken, title="Broken")]), hosted=False)


def test_a_local_page_error_goes_through_to_streamlit():
    app = AppTest.from_function(_failing_local_app, default_timeout=30).run()
    assert app.exception


def test_an_analyst_may_undo_an_import_and_every_document_says_so(tmp_path):
    from workbench import open_workbench
    from workbench.errors import PermissionDeniedError

    path = tmp_path / "accounts.csv"
    path.write_text("Account ID,Account Name\nA-1,Acme\n", encoding="utf-8")
    analyst = open_workbench(":memory:", actor=Actor("anna", "analyst"))
    analyst.import_files([path])
    viewer = Actor("vera", "viewer")
    with pytest.raises(PermissionDeniedError):
        analyst.undo_last_import(actor=viewer)
    assert analyst.undo_last_import()["run_id"] >= 1  # the analyst may
    analyst.close()

    access_doc = (ROOT / "workbench" / "access.py").read_text()
    assert "an *analyst* imports (and\nundoes the last import" in access_doc
    for doc in ("README.md", "docs/deploy.md", "docs/security.md"):
        text = (ROOT / doc).read_text()
        assert "undo" in text.lower()
        assert "admin** also undoes" not in text and "admin also undoes" not in text
    assert "undo the last import" in (ROOT / "docs" / "security.md").read_text()
