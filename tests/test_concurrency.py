"""Several processes on one database: they take turns instead of failing.

The app holds no file open between units of work, commands wait (bounded) for
another process's lock, and a write by another process shows at the app's next
rerun. Only correctness is asserted here; the timings are printed by
``bench/concurrency_bench.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from typing import TYPE_CHECKING

import pytest
from streamlit.testing.v1 import AppTest

from bench.concurrency_bench import run_writers
from tests.conftest import APP, ROOT
from workbench import store
from workbench.api import Workbench, open_workbench
from workbench.errors import DatabaseBusyError, RejectedInputError

if TYPE_CHECKING:
    from pathlib import Path

# Holds the file (as a notebook's open_workbench does) until told to stop.
HOLDER = textwrap.dedent(
    """
    import sys, time
    from workbench import store
    con = store.connect(sys.argv[1])
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    con.close()
    """
)

# The app's pattern in its own process: the real app, rerun until a write by
# another process shows, never restarted. Prints each rerun's account count.
APP_PROCESS = textwrap.dedent(
    """
    import sys, time
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(sys.argv[1], default_timeout=120).run()
    first = at.metric[0].value
    print("serving", first, flush=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
        assert not at.exception, at.exception
        if at.metric[0].value != first:
            print("shows", at.metric[0].value, flush=True)
            sys.exit(0)
    sys.exit(3)
    """
)


def _env(db: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        store.DB_ENV_VAR: str(db),
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def _accounts_csv(folder: Path) -> Path:
    path = folder / "accounts.csv"
    path.write_text("account_id,name,industry\nNEW001,Nightly Import Co,Retail\n")
    return path


def test_twenty_processes_writing_at_once_all_succeed(demo_db: Path):
    # A generous timeout: the assertion is about correctness, not speed.
    result = run_writers(demo_db, 20, timeout=240)
    assert result.errors == []
    assert result.succeeded == 20
    assert result.overrides_after == 20  # none lost


def test_a_nightly_import_succeeds_while_the_app_serves_and_the_app_shows_it(
    demo_db: Path, tmp_path: Path
):
    app = subprocess.Popen(
        [sys.executable, "-c", APP_PROCESS, APP],
        env=_env(demo_db),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert app.stdout is not None
        serving = app.stdout.readline()
        assert serving.startswith("serving 60"), serving + app.stderr.read()
        imported = subprocess.run(
            [
                sys.executable,
                "-m",
                "workbench.cli",
                "import",
                str(_accounts_csv(tmp_path)),
                "--db",
                str(demo_db),
            ],
            env=_env(demo_db, WORKBENCH_LOCK_TIMEOUT="240"),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert imported.returncode == 0, imported.stderr
        assert app.wait(timeout=300) == 0, app.stderr.read()
        assert app.stdout.read().strip() == "shows 61"
    finally:
        app.kill()
        app.wait()


def test_the_app_shows_another_process_s_write_at_the_next_rerun(app_db: Path):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.metric[0].value == "60"
    with open_workbench(app_db) as wb:  # as a notebook or a command would
        wb.import_files(_accounts_csv(app_db.parent))
    at.run()
    assert not at.exception, at.exception
    assert at.metric[0].value == "61"


def test_a_command_waits_for_the_file_then_gives_up_with_a_clear_message(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(demo_db), "3"],
        env=_env(demo_db),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        monkeypatch.setenv(store.LOCK_TIMEOUT_ENV_VAR, "0.3")
        began = time.monotonic()
        with pytest.raises(DatabaseBusyError, match=store.LOCK_TIMEOUT_ENV_VAR):
            store.connect(demo_db)
        assert time.monotonic() - began >= 0.3
        # With time to wait, the same open succeeds once the holder lets go.
        monkeypatch.setenv(store.LOCK_TIMEOUT_ENV_VAR, "120")
        with store.unit_of_work(demo_db) as con:
            assert store.table_counts(con)["accounts"] == 63
    finally:
        holder.kill()
        holder.wait()


def test_a_workbench_on_a_file_holds_it_only_during_a_call(demo_db: Path):
    workbench = Workbench.on_file(demo_db)
    assert workbench.info()["counts"]["accounts"] == 63
    # Between calls another process can open (and write) the file at once.
    free = subprocess.run(
        [sys.executable, "-c", HOLDER, str(demo_db), "0"],
        env=_env(demo_db, WORKBENCH_LOCK_TIMEOUT="0"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert free.returncode == 0, free.stderr
    with pytest.raises(RejectedInputError, match=r"wb\.unit"):
        _ = workbench.connection
    with workbench.unit() as con:
        assert workbench.connection is con
        assert workbench.segments().height == 60  # nested calls share the unit


def test_the_data_version_is_read_without_holding_the_file(demo_db: Path):
    version = store.file_data_version(demo_db)
    assert store.file_data_version(demo_db) == version
    with store.unit_of_work(demo_db) as con, store.write_transaction(con) as cur:
        store.set_meta(cur, "touched", "yes")
    assert store.file_data_version(demo_db) == version + 1


def test_the_lock_timeout_setting_is_checked(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(store.LOCK_TIMEOUT_ENV_VAR, "soon")
    with pytest.raises(ValueError, match="number of seconds"):
        store.lock_timeout()
    monkeypatch.setenv(store.LOCK_TIMEOUT_ENV_VAR, "2.5")
    assert store.lock_timeout() == 2.5
