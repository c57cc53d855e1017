"""Processes take turns at opening and closing a database file.

A close in one process and an open in another at the same moment can lose a
commit (see :mod:`workbench.store.file_turns`); twenty processes writing at once
are in ``tests/test_concurrency.py``. Here another process holds the turn and
the store must wait for it: each test checks the order of events, not times.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest

from tests.conftest import count_calls
from workbench import store
from workbench.errors import DatabaseBusyError
from workbench.store import connection, file_turns

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.skipif(
    file_turns.fcntl is None, reason="turns are taken with POSIX locks"
)

# Takes the turn at a database, says so, keeps it a while, notes that it let it
# go (before letting it go: whoever gets the turn next finds the note), then exits.
TURN_HOLDER = textwrap.dedent(
    """
    import fcntl, os, sys, time
    lock = os.open(sys.argv[1] + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(lock, fcntl.LOCK_EX)
    print("holding", flush=True)
    time.sleep(float(sys.argv[3]))
    open(sys.argv[2], "w").close()
    fcntl.flock(lock, fcntl.LOCK_UN)
    """
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "turns.duckdb"
    with store.unit_of_work(path):
        pass
    return path


def _hold_turn(db: Path, released: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", TURN_HOLDER, str(db), str(released), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "holding"
    return holder


@pytest.fixture
def released(tmp_path: Path) -> Path:
    return tmp_path / "released"


def test_an_open_waits_for_another_process_s_turn(db, released):
    holder = _hold_turn(db, released, 1.0)
    con = store.connect(db, timeout=60)
    try:
        assert released.exists()  # opened only once the other let go
    finally:
        store.close(con)
        holder.wait(timeout=60)


def test_a_close_waits_for_another_process_s_turn(db, released):
    con = store.connect(db)
    con.execute("SELECT 1")
    holder = _hold_turn(db, released, 1.0)
    store.close(con)
    assert released.exists()  # closed only once the other let go
    holder.wait(timeout=60)
    with pytest.raises(Exception, match="closed"):
        con.execute("SELECT 1")


def test_a_turn_kept_past_the_timeout_is_a_busy_error_naming_it(db, released):
    holder = _hold_turn(db, released, 30.0)
    try:
        with pytest.raises(DatabaseBusyError, match=r"turns\.duckdb\.lock"):
            store.connect(db, timeout=0.2)
    finally:
        holder.kill()
        holder.wait(timeout=60)
    # the turn came back with the holder's end: the file opens again
    with store.unit_of_work(db, timeout=60) as con:
        assert con.execute("SELECT 1").fetchall() == [(1,)]


def test_a_unit_of_work_takes_a_turn_to_open_and_one_to_close(db, monkeypatch):
    turns = count_calls(monkeypatch, connection, "file_turn")
    with store.unit_of_work(db):
        assert len(turns) == 1
    assert len(turns) == 2
    assert {str(args[0]) for args, _kwargs in turns} == {str(db)}


def test_an_in_memory_database_takes_no_turn(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    con = store.connect(":memory:")
    store.close(con)
    assert list(tmp_path.iterdir()) == []
