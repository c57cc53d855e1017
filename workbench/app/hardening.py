"""Hosted-mode guards on Streamlit's own server, outside any page.

Two things Streamlit answers for anybody who can reach the server, signed in or not:

- **"Clear cache"** (a ``BackMsg`` with ``clear_cache``, sent by the main menu's
  item or the ``c`` shortcut, or by any script speaking the WebSocket protocol).
  Streamlit's ``AppSession._handle_clear_cache_request`` clears
  ``st.cache_data`` and ``st.cache_resource`` for the whole process, including the
  shared database connection. Streamlit offers no setting to switch it off, so
  :func:`install_clear_cache_guard` wraps that one method, once per process: in
  hosted mode only a session signed in as an admin may clear the caches; anybody
  else's request is logged and ignored. Local mode is untouched. (The sign-in
  throttle does not rely on this: its memory is in the database, see
  :mod:`workbench.throttle`.)
- **``/_stcore/metrics``**, the server's OpenMetrics page (sessions, cache sizes),
  which has no setting either. :class:`ClosedRoutesMiddleware` answers 404 for it;
  the hosted entry point ``hosted_app.py`` puts it in front of the app through
  Streamlit's documented ``st.App(middleware=...)``.

And one about what people see when something breaks: ``.streamlit/config.toml``
sets ``client.showErrorDetails = "none"`` (no message, type or traceback reaches a
browser), and in hosted mode :func:`run_page` replaces Streamlit's generic box with
a short message carrying a reference that finds the traceback in the server log.

If a Streamlit upgrade renames the wrapped method, :func:`install_clear_cache_guard`
logs an error instead of failing the app; ``tests/test_hardening.py`` fails first.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable
from typing import Any

import streamlit as st
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.app_session import AppSession

from workbench.domain import Actor

_LOG = logging.getLogger("workbench.hardening")
_GUARDED_MARK = "_workbench_hosted_guard"
_CLEAR_CACHE_METHOD = "_handle_clear_cache_request"

#: Paths of Streamlit's server closed in hosted mode (after any base URL path).
CLOSED_PATHS = ("/_stcore/metrics",)


def may_clear_caches(session_state: Any, actor_key: str) -> bool:
    """Return whether the session behind ``session_state`` is a signed-in admin."""
    # Streamlit's SessionState has ``in`` and ``[]`` but no ``get``.
    try:
        actor = session_state[actor_key] if actor_key in session_state else None  # noqa: SIM401
    except Exception:
        return False
    return isinstance(actor, Actor) and actor.role == "admin"


def install_clear_cache_guard(is_hosted: Callable[[], bool], actor_key: str) -> bool:
    """Make Streamlit ignore "clear cache" from anyone but a signed-in admin.

    Applies only while ``is_hosted()`` is true (asked at each request, so switching
    hosted mode off in the secrets lifts it). Idempotent. Returns whether the guard
    is in place.
    """
    current = getattr(AppSession, _CLEAR_CACHE_METHOD, None)
    if current is None:
        _LOG.error(
            "Streamlit has no %s any more: clearing caches is not guarded",
            _CLEAR_CACHE_METHOD,
        )
        return False
    if getattr(current, _GUARDED_MARK, False):
        return True

    @functools.wraps(current)
    def guarded(self: AppSession) -> None:
        if is_hosted() and not may_clear_caches(self.session_state, actor_key):
            _LOG.warning(
                "Ignored a request to clear the server's caches from session %s: "
                "in hosted mode only a signed-in admin may do that",
                self.id,
            )
            return
        current(self)

    setattr(guarded, _GUARDED_MARK, True)
    setattr(AppSession, _CLEAR_CACHE_METHOD, guarded)
    return True


class ClosedRoutesMiddleware:
    """ASGI middleware answering 404 for :data:`CLOSED_PATHS`, whatever the method."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a closed path with 404; pass everything else to the app."""
        if scope["type"] == "http":
            path = str(scope.get("path", "")).rstrip("/")
            if any(path.endswith(closed) for closed in CLOSED_PATHS):
                response = PlainTextResponse("Not found", status_code=404)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def run_page(page: StreamlitPage, *, hosted: bool) -> None:
    """Run the chosen page; in hosted mode, turn an unexpected error into a reference.

    The traceback goes to the server log with the reference; the person sees only
    the reference. Local mode lets the error through (the person running it has
    the terminal, and tests see the exception). Streamlit's own stop and rerun
    signals are not ``Exception`` subclasses and pass untouched.
    """
    if not hosted:
        page.run()
        return
    try:
        page.run()
    except Exception:
        reference = secrets.token_hex(4)
        _LOG.exception(
            "Unexpected error on page %r, reference %s", page.title, reference
        )
        st.error(
            "Something went wrong on this page. Whoever runs the workbench can find "
            f"the details in the server log under reference {reference}."
        )
