"""Each rerun's messages leave at once: Nagle's algorithm off on the app's connections.

Streamlit's server (1.67: uvicorn behind Starlette) binds its listening socket
itself, without naming the protocol, and asyncio turns Nagle's algorithm off
only on connections whose socket names TCP (uvicorn's own pre-bound sockets
have the same flaw: Kludex/uvicorn#3149). With the algorithm on, once a rerun
has sent its first messages, the small ones after them (the "script finished"
among them) wait until the client acknowledges the first, and a client's
system may hold an acknowledgement back hoping to send it with data: 40 ms on
Linux, up to 200 ms on Windows. A client of Streamlit's protocol that did so
paid it at every page and slider move: one session at 10,000 accounts
(docs/performance.md, twenty-seventh pass) saw a page after 45 to 60 ms, of
which the server's run took 5 to 17 ms; with the algorithm off, 9 to 26 ms.
(Chromium on Linux, measured the same way, did not hold its acknowledgements
back: its figures did not move.)

At a session's first run :func:`send_without_delay` sets ``TCP_NODELAY`` on its
connection and on the server's listening sockets, from which later connections
take it. It reaches them through the server's objects, which are not
Streamlit's public interface (the session's client, the ASGI server's protocol
and asyncio's transport): where they are not as expected (another server or
version, a Unix socket, Streamlit's test runner) it changes nothing, and says
so once in the server log when a server was there to change.
"""

from __future__ import annotations

import logging
import socket
import threading
from typing import Any

import streamlit as st

_LOG = logging.getLogger("workbench.transport")

#: Set in a session once its connection was looked at.
SENT_WITHOUT_DELAY_KEY = "workbench_sent_without_delay"

_TCP_FAMILIES = (socket.AF_INET, socket.AF_INET6)
_SAID_SO = threading.Event()


def send_without_delay() -> bool:
    """Turn Nagle's algorithm off on this session's connection, once a session.

    Also on the server's listening sockets, so later connections start without
    it. Returns whether this call turned it off on this session's connection
    (False in a session already seen, outside a server, or where the server's
    objects are not as expected).
    """
    if st.session_state.get(SENT_WITHOUT_DELAY_KEY):
        return False
    st.session_state[SENT_WITHOUT_DELAY_KEY] = True
    connection, listening = session_sockets()
    if connection is None:
        if _server_running():
            _say_once("could not reach the session's connection")
        return False
    try:
        for each in (connection, *listening):
            each.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError as error:  # a connection closed meanwhile: the page goes on
        _say_once(f"could not set the session's connection ({error})")
        return False
    return True


def _say_once(what: str) -> None:
    if not _SAID_SO.is_set():
        _SAID_SO.set()
        _LOG.info(
            "%s: its messages may wait for the client's acknowledgements "
            "(Nagle's algorithm)",
            what,
        )


def without_delay(sock: Any) -> bool:
    """Return whether Nagle's algorithm is off on ``sock``."""
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def session_sockets() -> tuple[Any | None, list[Any]]:
    """Return this session's TCP connection and the server's TCP listening sockets.

    ``(None, [])`` where they cannot be reached (see the module).
    """
    if not _server_running():
        return None, []
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner_utils.script_run_context import (
        get_script_run_ctx,
    )

    context = get_script_run_ctx()
    if context is None:
        return None, []
    client = Runtime.instance().get_client(context.session_id)
    # Streamlit's Starlette session client keeps the connection's WebSocket; its
    # receive is the ASGI server's protocol's own (its send is wrapped), and
    # that protocol holds asyncio's transport, which knows the server that
    # accepted it.
    websocket = getattr(client, "_websocket", None)
    protocol = getattr(getattr(websocket, "_receive", None), "__self__", None)
    transport = getattr(protocol, "transport", None)
    if transport is None or not hasattr(transport, "get_extra_info"):
        return None, []
    connection = transport.get_extra_info("socket")
    if not _is_tcp(connection):
        return None, []
    server = getattr(transport, "_server", None)
    listening = [s for s in (getattr(server, "sockets", None) or ()) if _is_tcp(s)]
    return connection, listening


def _is_tcp(sock: Any) -> bool:
    return (
        sock is not None
        and getattr(sock, "family", None) in _TCP_FAMILIES
        and getattr(sock, "type", None) == socket.SOCK_STREAM
    )


def _server_running() -> bool:
    from streamlit.runtime import Runtime

    return Runtime.exists()
