"""Many leaders at once, as the server sees them: Streamlit's own protocol, no browser.

Usage: ``python -m bench.protocol_sessions DB [--sessions 20]``.

The browser bench (``sessions_bench``) runs twenty Chromium sessions on the same
two cores as the server, and the browsers' drawing then takes ten times the
server's CPU: it measures the machine, not the server. Here each session is a
WebSocket speaking Streamlit's protocol as the browser's frontend does (a
``rerun_script`` message with the page and the widgets' values, then the
server's messages until ``script_finished``), so the figures are the server's
alone, as leaders on their own machines would meet it. Each session opens the
Overview, then Segments, moves the "Most valuable" slider one step, then opens
Account plans; one session alone first, then ``--sessions`` at once.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Common_pb2 import DoubleArray
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.sessions_bench import cli, cpu_split, served, summary

SLIDER_KEY = "seg_top_pct"
TIMEOUT_S = 600.0


class Session:
    """One Streamlit session over its WebSocket: rerun a page, collect its widgets."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.sliders: dict[str, WidgetState] = {}

    async def run(self, page: str, widgets: list[WidgetState] | None = None) -> None:
        state = ClientState(page_name=page, query_string="")
        state.widget_states.widgets.extend(widgets or [])
        await self.socket.send(BackMsg(rerun_script=state).SerializeToString())
        await self._until_finished()

    async def _until_finished(self) -> None:
        while True:
            raw = await asyncio.wait_for(self.socket.recv(), TIMEOUT_S)
            message = ForwardMsg()
            message.ParseFromString(raw)
            kind = message.WhichOneof("type")
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                if element.WhichOneof("type") == "slider":
                    slider = element.slider
                    self.sliders[slider.id] = WidgetState(
                        id=slider.id,
                        double_array_value=DoubleArray(data=list(slider.value)),
                    )
            elif kind == "script_finished" and message.script_finished in (
                ForwardMsg.FINISHED_SUCCESSFULLY,
                ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
            ):
                return

    def moved_slider(self, key: str) -> list[WidgetState]:
        """Every slider's value as shown, the one named ``key`` one step up."""
        states = []
        for widget_id, state in self.sliders.items():
            moved = WidgetState()
            moved.CopyFrom(state)
            if widget_id.endswith(key):
                values = list(moved.double_array_value.data)
                moved.double_array_value.data[:] = [values[0] + 1.0, *values[1:]]
            states.append(moved)
        return states


async def one_session(url: str) -> dict[str, float]:
    """Return ms per step for one fresh session (its own WebSocket)."""
    from websockets.asyncio.client import connect
    from websockets.typing import Subprotocol

    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    times: dict[str, float] = {}
    async with connect(
        ws_url,
        subprotocols=[Subprotocol("streamlit")],
        max_size=None,
        open_timeout=TIMEOUT_S,
    ) as socket:
        session = Session(socket)
        for step, page in (("overview", ""), ("segments", "segments")):
            started = time.perf_counter()
            await session.run(page)
            times[step] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        await session.run("segments", session.moved_slider(SLIDER_KEY))
        times["slider"] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        await session.run("plans")
        times["plans"] = (time.perf_counter() - started) * 1000
    return times


async def _measure(
    url: str, sessions: int, single_runs: int, server_pid: int
) -> dict[str, Any]:
    await one_session(url)  # warm the server's caches
    started_cpu = cpu_split(server_pid)["server"]
    single = [await one_session(url) for _ in range(single_runs)]
    single_cpu = cpu_split(server_pid)["server"]
    started = time.perf_counter()
    together = await asyncio.gather(*[one_session(url) for _ in range(sessions)])
    wall_s = time.perf_counter() - started
    together_cpu = cpu_split(server_pid)["server"]
    return {
        "sessions": sessions,
        "single": summary(single),
        "together": summary(list(together)),
        "together_wall_s": wall_s,
        "server_cpu_per_session_single": (single_cpu - started_cpu) / single_runs,
        "server_cpu_per_session_together": (together_cpu - single_cpu) / sessions,
    }


def run(db_path: Path, sessions: int = 20, single_runs: int = 3) -> dict[str, Any]:
    """Time one protocol session alone, then ``sessions`` at once, on one server."""
    return served(  # type: ignore[no-any-return]
        db_path,
        "protocol",
        lambda url, pid: _measure(url, sessions, single_runs, pid),
    )


def main() -> None:
    cli(run)


if __name__ == "__main__":
    main()
