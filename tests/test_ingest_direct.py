"""The one-pass load of a large activity export at scale: memory, digest, stored IDs.

The memory cap grows with the files within the machine and is given back after;
a load short of memory runs again under the staged cap; the file's digest is
hashed beside the load; a child process imports without arrow or numpy; the
uniqueness of many stored IDs is counted in parts.
"""

from __future__ import annotations

import hashlib
import json
import sys
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from tests.ingest_direct_support import (
    ANALYST,
    _database,
    _duplicate,
    _import_task,
    _loaded_in_one_pass,
    _tasks,
    _write_people,
    _write_tasks,
)
from tests.ingest_direct_support import _outcome as _outcome
from workbench import ingest, store
from workbench.errors import RejectedInputError
from workbench.ingest import guards


def test_the_memory_cap_of_a_large_import_grows_with_its_files_within_the_machine():
    mb = 2**20
    # at least the floor: a file of a few megabytes
    assert ingest.large_import_memory_limit(5 * mb, 24 * 2**30) == "400MiB"
    # then three times the files' bytes: the staged path holds their text
    assert ingest.large_import_memory_limit(1_000 * mb, 24 * 2**30) == "3000MiB"
    # never above four fifths of the machine's memory
    assert ingest.large_import_memory_limit(10_000 * mb, 10_000 * mb) == "8000MiB"
    # a system that does not say its memory: no cap but the files'
    assert ingest.large_import_memory_limit(1_000 * mb, None) == "3000MiB"
    # the one-pass load's cap: half the files' bytes, at least the floor
    one_pass = ingest.ONE_PASS_MEMORY_PER_FILE_BYTE
    assert ingest.large_import_memory_limit(1_000 * mb, 24 * 2**30, one_pass) == (
        "500MiB"
    )
    assert ingest.large_import_memory_limit(5 * mb, 24 * 2**30, one_pass) == "400MiB"


def test_duckdb_is_capped_at_the_bytes_the_cap_was_worked_out_in(tmp_path):
    # the cap is worked out in binary megabytes: DuckDB reads "MB" as a million
    # bytes, so the cap must say MiB to be the memory meant
    con = store.connect(tmp_path / "w.duckdb")
    try:
        store.set_memory_limit(con, ingest.large_import_memory_limit(0, None))
        stated = store.query_frame(
            con, "SELECT current_setting('memory_limit') AS limit_"
        )["limit_"][0]
    finally:
        con.close()
    assert stated == "400.0 MiB"


def _caps_by_path(
    monkeypatch: pytest.MonkeyPatch,
) -> list[tuple[str, str]]:
    """Give the staged path a cap of 500 MB and the one-pass load 450 MB.

    Returns the caps set, each with the cap it replaced, as they are set.
    """
    from workbench.ingest import pipeline

    def capped(_bytes: int, _machine: int | None, per_file_byte: float = 3.0) -> str:
        one_pass = per_file_byte == pipeline.ONE_PASS_MEMORY_PER_FILE_BYTE
        return "450MB" if one_pass else "500MB"

    caps: list[tuple[str, str]] = []
    cap = store.set_memory_limit

    def watched(connection: store.Connection, limit: str) -> str:
        previous = cap(connection, limit)
        caps.append((limit, previous))
        return previous

    monkeypatch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 0)
    monkeypatch.setattr(pipeline, "large_import_memory_limit", capped)
    monkeypatch.setattr(store, "set_memory_limit", watched)
    return caps


def test_a_large_import_runs_under_its_cap_and_gives_the_previous_one_back(
    tmp_path, monkeypatch
):
    con = store.connect(tmp_path / "w.duckdb")
    try:
        before = store.query_frame(
            con, "SELECT current_setting('memory_limit') AS limit_"
        )["limit_"][0]
        task = _write_tasks(tmp_path, _tasks())
        with monkeypatch.context() as patch:
            caps = _caps_by_path(patch)
            report = ingest.import_files(
                con, [*_write_people(tmp_path), task], actor=ANALYST
            )
    finally:
        con.close()
    assert report.ok, [p.message for p in report.errors]
    # the staged path's cap, the one-pass load's under it, each given back (as
    # DuckDB states it, rounded to 0.1 GiB)
    (staged, was), (one_pass, in_force), *given_back = caps
    assert (staged, was, one_pass) == ("500MB", before, "450MB")
    assert [limit for limit, _previous in given_back] == [in_force, before]


def test_an_activity_file_alone_is_loaded_under_the_staged_cap(tmp_path, monkeypatch):
    # alone it holds nothing until its commit that the lower cap would spill
    con = _database(tmp_path)
    task = _write_tasks(tmp_path, _tasks())
    with monkeypatch.context() as patch:
        caps = _caps_by_path(patch)
        report = ingest.import_files(con, [task], actor=ANALYST)
    assert report.ok, [p.message for p in report.errors]
    assert [limit for limit, _previous in caps][:1] == ["500MB"]
    assert "450MB" not in [limit for limit, _previous in caps]


def test_a_one_pass_load_short_of_memory_under_its_cap_runs_again_under_the_staged_one(
    tmp_path, monkeypatch
):
    # the one-pass load's lower cap does not hold every export: one that runs
    # out of memory under it is rolled back and loaded again under the staged
    # path's cap, and imports as it would have
    con = store.connect(tmp_path / "w.duckdb")
    task = _write_tasks(tmp_path, _tasks())
    under: list[str] = []
    load = store.import_activities_load

    def short_once(cur: store.Connection, *args: Any) -> int | None:
        under.append(
            str(cur.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
        )
        if len(under) == 1:
            raise store.OutOfMemoryError("could not allocate block of size 256.0 KiB")
        return load(cur, *args)

    with monkeypatch.context() as patch:
        caps = _caps_by_path(patch)
        patch.setattr(store, "import_activities_load", short_once)
        report = ingest.import_files(
            con, [*_write_people(tmp_path), task], actor=ANALYST
        )
    assert report.ok, [p.message for p in report.errors]
    staged_as_stated = caps[1][1]  # the cap the one-pass cap replaced
    one_pass_as_stated = caps[2][1]
    # DuckDB states a cap rounded to 0.1 MiB, and one given back as stated may
    # read 0.1 MiB less
    mib = [float(stated.removesuffix(" MiB")) for stated in under]
    assert under[0] == one_pass_as_stated
    assert mib[1] == pytest.approx(
        float(staged_as_stated.removesuffix(" MiB")), abs=0.2
    )
    assert mib[1] > mib[0] + 40
    assert store.table_counts(con)["activities"] == len(_tasks())


@pytest.mark.parametrize("staged_only", [False, True], ids=["one-pass", "staged"])
def test_a_large_file_beyond_the_memory_cap_is_refused_as_such_not_as_unreadable(
    tmp_path, monkeypatch, staged_only
):
    from workbench.store.imports import direct, staging

    con = _database(tmp_path)
    task = _write_tasks(tmp_path, _tasks())

    def out_of_memory(*_args: Any) -> None:
        # as DuckDB's reader says it when the cap is reached mid-file
        raise store.OutOfMemoryError("could not allocate block of size 256.0 KiB")

    with monkeypatch.context() as patch:
        patch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 0)
        patch.setattr(direct, "_reject_ragged", out_of_memory)
        patch.setattr(staging, "_reject_ragged", out_of_memory)
        if staged_only:
            patch.setattr(store, "import_activities_load", lambda *_args: None)
        with pytest.raises(RejectedInputError) as refused:
            ingest.import_files(con, [task], actor=ANALYST)
    assert "ran out of memory" in str(refused.value)
    assert "reader refused" not in str(refused.value)
    assert store.query_frame(con, "SELECT count(*) AS n FROM activities")["n"][0] == 0


def test_a_large_files_digest_is_hashed_beside_the_load_and_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The digest of a file on disk is computed beside the load, and done (its
    # spilled copy not yet removed) before the import returns.
    con, task, report = _loaded_in_one_pass(tmp_path, monkeypatch)
    (entry,) = report.files
    assert isinstance(entry.digest, str)  # plain text once the import returns
    expected = hashlib.sha256(task.read_bytes()).hexdigest()
    assert entry.sha256 == expected
    recorded = json.loads(store.import_runs(con, limit=1)["files"][0])
    assert [f["sha256"] for f in recorded] == [expected]
    # The same file again is said to be imported already; changed, it imports.
    again, _said = _import_task(con, task, monkeypatch, staged_only=False)
    assert again.ok and again.run_id is None
    assert any(p.code == "already_imported" for p in again.problems)
    changed = _write_tasks(tmp_path, _tasks(13))
    third, _said = _import_task(con, changed, monkeypatch, staged_only=False)
    assert third.ok and third.run_id is not None
    con.close()


class _NeverHashed(Future[str]):
    """A digest the test fails on when it is waited for."""

    def result(self, timeout: float | None = None) -> str:
        raise AssertionError("the digest was waited for")


def test_files_filling_other_tables_than_the_last_import_are_not_hashed_first(
    tmp_path: Path,
) -> None:
    con = _database(tmp_path)  # the last committed run: users, accounts, contacts
    (entry,) = ingest.propose_files(con, [_write_tasks(tmp_path, _tasks())])[0]
    assert isinstance(entry.digest, str)  # a proposal hands back plain text
    entry.digest = _NeverHashed()
    assert entry.table == "activities"
    assert guards.same_files_committed(con, [entry]) is None
    con.close()


def test_a_large_task_file_loads_without_arrow_or_numpy(tmp_path):
    """The one-pass load reads and checks in DuckDB, and asks the store for tuples.

    pyarrow (about 40 MB of a process's memory) and numpy (about 11 MB) are
    loaded by neither the store's reads (by the Arrow C stream) nor this load:
    a clean activity export needs neither, down to the check that the same
    files were not imported just before.
    """

    path = tmp_path / "held.duckdb"
    con = store.connect(str(path))
    try:
        report = ingest.import_files(con, _write_people(tmp_path), actor=ANALYST)
        assert report.ok, [p.message for p in report.errors]
    finally:
        con.close()
    task = _write_tasks(tmp_path, _tasks())
    # every file large: the task file loads in one pass
    assert _imported_in_a_child(path, [task], large_file_bytes=0) == "True [12] []"


def test_a_whole_export_in_one_go_loads_without_arrow_or_numpy(tmp_path):
    """Users, accounts and people staged from frames, tasks loaded in one pass.

    The small files' frames reach DuckDB by the Arrow C stream interface and
    every check's rows come back by it, so a whole export's import loads
    neither pyarrow nor numpy (they loaded with the first check's read).
    """
    people = _write_people(tmp_path)
    task = _write_tasks(tmp_path, _tasks())
    largest_small = max(p.stat().st_size for p in people)
    assert task.stat().st_size > largest_small
    path = tmp_path / "whole.duckdb"
    # the task file large, the people's files read into frames
    said = _imported_in_a_child(path, [*people, task], largest_small + 1)
    assert said == "True [12] []"
    con = store.connect(path)
    try:
        counts = store.table_counts(con)
    finally:
        con.close()
    assert [counts[t] for t in ("sellers", "accounts", "contacts", "activities")] == [
        2,
        2,
        2,
        12,
    ]


#: An import in a process of its own: whether it was accepted, what the one-pass
#: load said, and which of pyarrow and numpy the process loaded.
_IMPORT_PROBE = (
    "import sys\n"
    "from pathlib import Path\n"
    "from workbench import ingest, store\n"
    "from workbench.domain import LOCAL_ACTOR\n"
    "ingest.inputs.LARGE_FILE_BYTES = int(sys.argv[2])\n"
    "loaded = []\n"
    "load = store.import_activities_load\n"
    "def watched(*args, **kwargs):\n"
    "    loaded.append(load(*args, **kwargs))\n"
    "    return loaded[-1]\n"
    "store.import_activities_load = watched\n"
    "con = store.connect(sys.argv[1])\n"
    "report = ingest.import_files(\n"
    "    con, [Path(p) for p in sys.argv[3:]], actor=LOCAL_ACTOR)\n"
    "con.close()\n"
    "print(report.ok, loaded, [m for m in ('pyarrow', 'numpy') if m in sys.modules])\n"
)


def _imported_in_a_child(path: Path, files: list[Path], large_file_bytes: int) -> str:
    """Import ``files`` into ``path`` in a fresh process; return what it printed."""
    import subprocess

    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _IMPORT_PROBE,
            str(path),
            str(large_file_bytes),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "doubled",
    [None, "in the file", "with a stored task"],
    ids=["unique", "doubled-in-the-file", "doubled-with-a-stored-task"],
)
def test_the_uniqueness_of_many_stored_ids_is_counted_in_parts(
    tmp_path, monkeypatch, doubled
):
    """Past a few million stored activities the distinct hashes are counted in parts.

    Each part counts the IDs whose hash leaves one remainder: a doubled ID falls
    in one part twice, in the file or beside a task stored before, and the load
    steps aside for the staged path, which reports a double in the file with
    its rows and updates a task stored before.
    """
    from workbench.store.imports import direct

    con = _database(tmp_path)
    tasks = _tasks()
    if doubled == "with a stored task":
        earlier = tmp_path / "earlier"
        earlier.mkdir()
        report, said = _import_task(
            con, _write_tasks(earlier, [_tasks()[0]]), monkeypatch, staged_only=False
        )
        assert report.ok and said == [1]
    elif doubled == "in the file":
        tasks = _duplicate(tasks)
    counted: list[str] = []
    statements = direct._distinct_hash_counts

    def watched(rows: int) -> list[tuple[str, dict[str, int]]]:
        made = statements(rows)
        counted.extend(sql for sql, _params in made)
        return made

    with monkeypatch.context() as patch:
        patch.setattr(direct, "DISTINCT_HASHES_PER_STATEMENT", 3)
        patch.setattr(direct, "_distinct_hash_counts", watched)
        report, said = _import_task(
            con, _write_tasks(tmp_path, tasks), monkeypatch, staged_only=False
        )
    stored = 1 if doubled == "with a stored task" else 0
    # twelve (or thirteen) stored activities, three a part
    assert len(counted) == -(-(len(tasks) + stored) // 3)
    assert all("% $parts::UBIGINT = $part::UBIGINT" in sql for sql in counted)
    if doubled is None:
        assert report.ok and said == [12]
        return
    assert said == [None], "the load stepped aside"
    if doubled == "in the file":
        assert not report.ok
        assert any("duplicate" in str(p.message).lower() for p in report.errors)
    else:
        assert report.ok and report.plan["activities"]["update"] == 1
