"""A session's messages leave at once: Nagle's algorithm off on the server's connections.

Checked on a real ``streamlit run`` server (the flaw is in how it binds its
socket, which Streamlit's test runner does not do), through a probe page that
calls :func:`workbench.app.transport.send_without_delay` and prints what it
found; two sessions connect one after the other over Streamlit's protocol.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.testing.v1 import AppTest

from tests.conftest import APP, ROOT
from workbench.app import transport

PROBE = """
import json

import streamlit as st

from workbench.app import transport

connection, listening = transport.session_sockets()
before = None if connection is None else transport.without_delay(connection)
turned = transport.send_without_delay()
again = transport.send_without_delay()
connection, listening = transport.session_sockets()
print("TRANSPORT " + json.dumps({
    "before": before,
    "turned": turned,
    "again": again,
    "connection": None if connection is None else transport.without_delay(connection),
    "listening": [transport.without_delay(s) for s in listening],
}), flush=True)
st.write("probed")
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _one_session(url: str) -> None:
    """Open one session over Streamlit's protocol and wait for its first run's end.

    A synchronous client: a browser test run before in the same process leaves
    an event loop running in this thread, where ``asyncio.run`` is refused.
    """
    from websockets.sync.client import connect
    from websockets.typing import Subprotocol

    with connect(
        url.replace("http://", "ws://") + "/_stcore/stream",
        subprotocols=[Subprotocol("streamlit")],
        max_size=None,
        open_timeout=60,
    ) as websocket:
        rerun = BackMsg(rerun_script=ClientState(page_name="", query_string=""))
        websocket.send(rerun.SerializeToString())
        while True:
            message = ForwardMsg()
            message.ParseFromString(websocket.recv(timeout=60))
            if message.WhichOneof("type") == "script_finished":
                return


def _probed_sessions(tmp_path: Path, sessions: int) -> list[dict[str, object]]:
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    log = tmp_path / "server.log"
    port = _free_port()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(probe),
                "--server.headless=true",
                f"--server.port={port}",
                "--server.address=127.0.0.1",
                "--browser.gatherUsageStats=false",
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        for _ in range(sessions):
            _one_session(url)
    finally:
        server.terminate()
        server.wait(timeout=15)
    lines = [
        line.split("TRANSPORT ", 1)[1]
        for line in log.read_text().splitlines()
        if "TRANSPORT " in line
    ]
    assert len(lines) == sessions, log.read_text()[-2000:]
    return [json.loads(line) for line in lines]


@pytest.mark.skipif(not hasattr(socket, "TCP_NODELAY"), reason="no TCP_NODELAY")
def test_a_session_and_those_after_it_send_without_waiting(tmp_path: Path) -> None:
    first, second = _probed_sessions(tmp_path, sessions=2)
    # the first session's connection was accepted before any page ran: turned off
    # by the call, on its connection and on the listening socket
    assert first["turned"] is True
    assert first["again"] is False  # once a session
    assert first["connection"] is True
    assert first["listening"] and all(first["listening"])
    # a later connection takes it from the listening socket before its page runs
    assert second["before"] is True
    assert second["connection"] is True


def test_outside_a_server_nothing_is_reached_and_nothing_fails() -> None:
    assert transport.session_sockets() == (None, [])


def test_every_session_of_the_app_goes_through_it(app_db: Path) -> None:
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    # Streamlit's test runner has no server: looked at once, nothing changed
    assert app.session_state[transport.SENT_WITHOUT_DELAY_KEY] is True


def test_a_connection_that_refuses_the_option_leaves_the_page_running(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Closed:
        family, type = socket.AF_INET, socket.SOCK_STREAM

        def setsockopt(self, *_args: object) -> None:
            raise OSError(9, "Bad file descriptor")

    state: dict[str, object] = {}
    monkeypatch.setattr(transport.st, "session_state", state)
    monkeypatch.setattr(transport, "session_sockets", lambda: (Closed(), []))
    monkeypatch.setattr(transport, "_SAID_SO", transport.threading.Event())
    with caplog.at_level("INFO", logger="workbench.transport"):
        assert transport.send_without_delay() is False
        assert transport.send_without_delay() is False  # once a session
    assert state[transport.SENT_WITHOUT_DELAY_KEY] is True
    assert "Bad file descriptor" in caplog.text
