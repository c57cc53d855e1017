"""Archives are unpacked within a budget; memory and nesting exhaustion are refusals.

The budget is shrunk for the tests (the real one is a gigabyte): the behaviour
(declared sizes added up before reading, real bytes counted while copying to
disk, one level of nesting) does not depend on the number. Peak memory is
measured by bench/zip_bomb_bench.py, not here.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from workbench import ingest, store
from workbench.domain import Actor
from workbench.errors import RejectedInputError

ANALYST = Actor(name="ana", role="analyst")
ACCOUNTS_CSV = b"account_id,name\nA1,Acme\nA2,Beta\n"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _counts(con: store.Connection) -> dict[str, int]:
    return store.table_counts(con)


@pytest.fixture
def small_budget(monkeypatch: pytest.MonkeyPatch) -> int:
    budget = 1_000_000
    monkeypatch.setattr(ingest.inputs, "MAX_ZIP_TOTAL_BYTES", budget)
    return budget


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of archive members read (decompressed) during the test."""
    names: list[str] = []
    original = zipfile.ZipFile.open

    def recording_open(self, name, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        if mode == "r":  # not the test's own writing of an archive
            names.append(name if isinstance(name, str) else name.filename)
        return original(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    return names


def test_an_archive_declaring_more_than_the_budget_is_refused_before_reading(
    demo_con, small_budget, opened
):
    bomb = _zip({f"part{i}.csv": b"0" * 600_000 for i in range(3)})
    assert len(bomb) < 20_000  # a real bomb: tiny packed, large unpacked
    before = _counts(demo_con)
    report = ingest.import_files(demo_con, [("bomb.zip", bomb)], actor=ANALYST)
    assert not report.ok
    messages = [p.message for p in report.problems if p.level == "error"]
    assert any("bomb.zip" in m and "unpacks to more than" in m for m in messages), (
        messages
    )
    assert opened == []  # refused on the declared sizes alone
    assert _counts(demo_con) == before


def test_declared_sizes_that_lie_are_caught_while_copying(
    demo_con, small_budget, tmp_path
):
    # Rewrite the central directory to declare 10 bytes for a 2 MB member.
    packed = bytearray(_zip({"big.csv": b"a,b\n" + b"1,2\n" * 500_000}))
    central = packed.rfind(b"PK\x01\x02")
    packed[central + 24 : central + 28] = (10).to_bytes(4, "little")
    local = packed.find(b"PK\x03\x04")
    packed[local + 22 : local + 26] = (10).to_bytes(4, "little")
    before = _counts(demo_con)
    with pytest.raises(RejectedInputError, match=r"lying\.zip"):
        ingest.inputs.collect([("lying.zip", bytes(packed))], tmp_path)
    report = ingest.import_files(
        demo_con, [("lying.zip", bytes(packed))], actor=ANALYST
    )
    assert not report.ok
    assert _counts(demo_con) == before


def test_members_are_copied_to_disk_not_held_in_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 1_000)
    table = b"account_id,name\n" + b"".join(
        f"A{i},Name {i}\n".encode() for i in range(2_000)
    )
    found = ingest.inputs.collect(
        [("export.zip", _zip({"accounts.csv": table}))], tmp_path
    )
    assert [f.name for f in found] == ["accounts.csv"]
    assert found[0].data is None and found[0].path is not None
    assert found[0].path.parent == tmp_path
    assert found[0].path.read_bytes() == table


def test_one_level_of_nested_archives_is_unpacked(con):
    inner = _zip({"accounts.csv": ACCOUNTS_CSV})
    outer = _zip({"inner.zip": inner})
    report = ingest.import_files(con, [("outer.zip", outer)], actor=ANALYST)
    assert report.ok, [p.as_dict() for p in report.problems]
    assert report.counts["accounts"] == 2


def test_archives_nested_deeper_are_refused(con):
    innermost = _zip({"accounts.csv": ACCOUNTS_CSV})
    middle = _zip({"middle.zip": innermost})
    outer = _zip({"inner.zip": middle})
    report = ingest.import_files(con, [("outer.zip", outer)], actor=ANALYST)
    assert not report.ok
    messages = [p.message for p in report.problems if p.level == "error"]
    assert any("archive inside an archive" in m for m in messages), messages
    assert sum(_counts(con).values()) == 0


def test_nested_archives_share_one_budget(con, small_budget):
    inner = _zip({"accounts.csv": b"0" * 700_000})
    outer = _zip({"a.zip": inner, "b.zip": inner})
    report = ingest.import_files(con, [("outer.zip", outer)], actor=ANALYST)
    assert not report.ok
    messages = [p.message for p in report.problems if p.level == "error"]
    assert any("unpacks to more than" in m for m in messages), messages


@pytest.mark.parametrize(
    "error",
    [
        store.OutOfMemoryError("could not allocate block of size 256 KiB"),
        MemoryError(),
        RecursionError("maximum recursion depth exceeded"),
    ],
)
def test_running_out_of_memory_mid_import_is_a_refusal_and_changes_nothing(
    demo_con, monkeypatch, error
):
    from workbench.ingest import pipeline

    real = pipeline.stage_and_check

    def exhausted(con, cur, *args, **kwargs):  # type: ignore[no-untyped-def]
        real(con, cur, *args, **kwargs)  # staged rows exist when memory runs out
        raise error

    monkeypatch.setattr(pipeline, "stage_and_check", exhausted)
    before = _counts(demo_con)
    version = store.data_version(demo_con)
    with pytest.raises(RejectedInputError, match=r"accounts\.csv") as refused:
        ingest.import_files(
            demo_con,
            [("accounts.csv", b"account_id,name\nNEW1,New Co\n")],
            actor=ANALYST,
        )
    assert "nothing was changed" in str(refused.value)
    assert _counts(demo_con) == before
    assert store.data_version(demo_con) == version
    # the connection still works after the refusal
    monkeypatch.undo()
    report = ingest.import_files(
        demo_con, [("accounts.csv", b"account_id,name\nNEW1,New Co\n")], actor=ANALYST
    )
    assert report.ok


def test_a_zip_on_disk_is_unpacked_from_the_file(con, tmp_path: Path):
    path = tmp_path / "export.zip"
    path.write_bytes(_zip({"accounts.csv": ACCOUNTS_CSV, "notes.md": b"# hi"}))
    report = ingest.import_files(con, [path], actor=ANALYST)
    assert report.ok, [p.as_dict() for p in report.problems]
    assert report.counts["accounts"] == 2


@pytest.mark.parametrize(
    ("upload", "data", "large_file_bytes", "file", "says"),
    [
        (
            "deep.json",
            b"[" * 200_000 + b"]" * 200_000,
            None,
            "deep.json",
            "nests too deeply",
        ),
        # A bomb's member of zeros: one "line" of hundreds of megabytes, refused
        # before loading.
        (
            "bomb.zip",
            _zip({"Account.csv": b"0" * 400_000}),
            1_000,
            "Account.csv",
            "longer than 256 KB",
        ),
    ],
    ids=["deeply-nested-json", "member-without-line-breaks"],
)
def test_an_unreadable_input_is_refused_with_its_name(
    con, monkeypatch, upload, data, large_file_bytes, file, says
):
    if large_file_bytes is not None:
        monkeypatch.setattr(ingest.inputs, "LARGE_FILE_BYTES", large_file_bytes)
    report = ingest.import_files(con, [(upload, data)], actor=ANALYST)
    assert not report.ok
    messages = [(p.file, p.message) for p in report.problems if p.level == "error"]
    assert any(f == file and says in m for f, m in messages), messages
    assert sum(_counts(con).values()) == 0
