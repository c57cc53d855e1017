"""Collecting the import's inputs: files, folders and zip archives, spilled to disk when large."""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from workbench.errors import RejectedInputError
from workbench.i18n import N_
from workbench.ingest.problems import worded
from workbench.ingest.read import (
    EXCEL_SUFFIXES,
    JSON_SUFFIXES,
    MAX_ZIP_TOTAL_BYTES,
    PARQUET_SUFFIXES,
    check_size,
    file_refused,
    is_xlsx,
    max_file_bytes,
    refused,
    safe_file_name,
)

#: CSV files larger than this are loaded by DuckDB's own reader, not through Python.
LARGE_FILE_BYTES = 16 * 1024 * 1024
#: Archive members are copied to disk in blocks of this size, never read whole.
_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class InputFile:
    """One input to import: its base name and either its bytes or a path on disk."""

    name: str
    data: bytes | None
    path: Path | None
    size: int


def collect_inputs(
    files: Sequence[tuple[str, bytes]] | Sequence[Path] | Sequence[str | Path],
) -> list[tuple[str, bytes | Path]]:
    """Return (base name, bytes or path) for files, folders and zip archives.

    Raises:
        RejectedInputError: a path does not exist, a file is too large, or a zip
            archive is damaged or too large when unpacked.
    """
    return [(i.name, i.data if i.data is not None else i.path) for i in collect(files)]  # type: ignore[misc]


def collect(files: Sequence[Any], spill: Path | None = None) -> list[InputFile]:
    """Return the inputs for files, folders and archives; large uploads spill to ``spill``.

    Without a spill folder, archives are unpacked into a temporary folder and
    read back into memory (within the archive budget) before it is removed.
    """
    if spill is not None:
        return _collect(files, spill)
    with tempfile.TemporaryDirectory(prefix="workbench-unpack-") as scratch:
        return [_in_memory(i) for i in _collect(files, Path(scratch))]


def _collect(files: Sequence[Any], spill: Path) -> list[InputFile]:
    found: list[InputFile] = []
    for item in files:
        if isinstance(item, tuple):
            name, data = safe_file_name(str(item[0])), bytes(item[1])
            check_size(name, len(data))
            if _is_archive(name, data):
                found += _unpack_archive(name, io.BytesIO(data), spill)
            else:
                found.append(_spilled(InputFile(name, data, None, len(data)), spill))
            continue
        path = Path(item)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not (
                    child.name.startswith(".")
                    or child.suffix.lower() == ".md"
                    or _is_database_file(child)
                ):
                    found += _collect([child], spill)
            continue
        if not path.is_file():
            raise file_refused(path.name, worded(N_("no such file or folder.")))
        size = path.stat().st_size
        check_size(path.name, size)
        if path.suffix.lower() == ".zip" or (
            size <= LARGE_FILE_BYTES and _is_archive(path.name, path.read_bytes())
        ):
            with path.open("rb") as handle:
                found += _unpack_archive(path.name, handle, spill)
        elif size <= LARGE_FILE_BYTES:
            found.append(InputFile(path.name, path.read_bytes(), None, size))
        else:
            found.append(InputFile(path.name, None, path, size))
    return found


def _in_memory(item: InputFile) -> InputFile:
    if item.data is not None or item.path is None:
        return item
    data = item.path.read_bytes()
    return InputFile(item.name, data, None, len(data))


def _spilled(item: InputFile, spill: Path | None) -> InputFile:
    """Write a large uploaded CSV to the spill folder so DuckDB's reader loads it."""
    data = item.data
    if (
        spill is None
        or data is None
        or len(data) <= LARGE_FILE_BYTES
        or item.name.lower().endswith(EXCEL_SUFFIXES + PARQUET_SUFFIXES + JSON_SUFFIXES)
        or data.startswith((b"PK\x03\x04", b"PAR1"))
    ):
        return item
    target = spill / f"{len(list(spill.iterdir()))}.csv"
    target.write_bytes(data)
    return InputFile(item.name, None, target, len(data))


#: Where a DuckDB database file says what it is (its header's magic bytes).
_DUCKDB_MAGIC = (8, b"DUCK")
#: Files beside a database: DuckDB's write-ahead log, the workbench's lock.
_DATABASE_COMPANIONS = (".wal", ".lock")


def _is_database_file(path: Path) -> bool:
    """Return whether a folder's file is a database, or a file beside one.

    The default database lives in ``data/``, where an analyst may also drop
    the CRM's exports: importing the folder must not read the database it
    writes (nor its log and lock), and none of them is ever a CRM export.
    """
    if path.suffix.lower() in _DATABASE_COMPANIONS:
        return True
    offset, magic = _DUCKDB_MAGIC
    try:
        with path.open("rb") as handle:
            return handle.read(offset + len(magic))[offset:] == magic
    except OSError:
        return False


def _is_archive(name: str, head: bytes) -> bool:
    """Return whether an input is a zip archive (and not an Excel workbook)."""
    return name.lower().endswith(".zip") or (
        head.startswith(b"PK\x03\x04") and not is_xlsx(head)
    )


def _members(name: str, archive: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, str]]:
    """Return the archive's table members and their safe names, checking the budget.

    The declared sizes are added up before anything is read: an archive that
    says it unpacks past :data:`MAX_ZIP_TOTAL_BYTES` is refused at once.
    """
    members: list[tuple[zipfile.ZipInfo, str]] = []
    declared = 0
    for info in archive.infolist():
        inner = safe_file_name(info.filename)
        if info.is_dir() or inner.startswith(".") or "__MACOSX" in info.filename:
            continue
        if inner.lower().endswith((".md", ".txt")) and inner.lower() != "data.txt":
            continue
        check_size(f"{name}/{inner}", info.file_size)
        declared += info.file_size
        members.append((info, inner))
    if declared > MAX_ZIP_TOTAL_BYTES:
        raise _too_large(name)
    return members


def _too_large(name: str) -> RejectedInputError:
    return file_refused(
        name,
        worded(
            N_(
                "the archive unpacks to more than {limit} MB; split it into "
                "smaller archives or import the files themselves."
            ),
            limit=f"{MAX_ZIP_TOTAL_BYTES / 1_048_576:,.0f}",
        ),
    )


@dataclass
class _Budget:
    """Bytes unpacked so far from one upload's archives (nested ones included)."""

    used: int = 0


def _unpack_archive(
    name: str,
    source: BinaryIO,
    spill: Path,
    *,
    depth: int = 0,
    budget: _Budget | None = None,
) -> list[InputFile]:
    """Unpack a zip archive's tables to disk in chunks, within the archive budget.

    Real bytes are counted as they are written (declared sizes can lie), an
    archive inside an archive is unpacked once and no deeper, and small tables
    are read back into memory as an upload would be.
    """
    budget = budget or _Budget()
    with refused(
        name, zipfile.BadZipFile, lambda error: f"the zip archive is damaged ({error})."
    ):
        archive = zipfile.ZipFile(source)
    inputs: list[InputFile] = []
    seen: dict[str, int] = {}
    with archive:
        for info, inner in _members(name, archive):
            target = Path(tempfile.mkstemp(dir=spill, prefix="unpacked-")[1])
            size = _stream_member(name, archive, info, target, budget)
            if _is_archive_file(inner, target):
                if depth >= 1:
                    raise file_refused(
                        name,
                        worded(
                            N_(
                                "{inner} is an archive inside an archive inside "
                                "an archive; unpack it and import the files."
                            ),
                            inner=inner,
                        ),
                    )
                with target.open("rb") as handle:
                    inputs += _unpack_archive(
                        f"{name}/{inner}", handle, spill, depth=depth + 1, budget=budget
                    )
                target.unlink()
                continue
            count = seen.get(inner, 0) + 1
            seen[inner] = count
            unique = inner if count == 1 else f"{inner} ({count})"
            inputs.append(_kept(unique, target, size))
    return inputs


def _is_archive_file(name: str, path: Path) -> bool:
    """Return whether an unpacked member is itself a zip archive (not a workbook)."""
    with path.open("rb") as handle:
        if not handle.read(4).startswith(b"PK\x03\x04"):
            return False
    if name.lower().endswith(".zip"):
        return True
    try:
        with zipfile.ZipFile(path) as inner:
            return not any(n.startswith("xl/") for n in inner.namelist())
    except zipfile.BadZipFile:
        return False


def _stream_member(
    name: str,
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    target: Path,
    budget: _Budget,
) -> int:
    """Copy one member to ``target`` in chunks; refuse it past the budget."""
    written = 0
    inner = safe_file_name(info.filename)
    file_limit = max_file_bytes()
    try:
        with archive.open(info) as member, target.open("wb") as out:
            while chunk := member.read(_CHUNK_BYTES):
                written += len(chunk)
                budget.used += len(chunk)
                if budget.used > MAX_ZIP_TOTAL_BYTES:
                    raise _too_large(name)
                if written > file_limit:
                    check_size(f"{name}/{inner}", written)
                out.write(chunk)
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError) as error:
        target.unlink(missing_ok=True)
        raise file_refused(
            name,
            worded(
                N_("cannot unpack {inner} ({reason})."), inner=inner, reason=str(error)
            ),
        ) from error
    except RejectedInputError:
        target.unlink(missing_ok=True)
        raise
    return written


def _kept(name: str, target: Path, size: int) -> InputFile:
    """Return an unpacked table: in memory when small or not CSV, else on disk."""
    if size <= LARGE_FILE_BYTES or name.lower().endswith(
        EXCEL_SUFFIXES + PARQUET_SUFFIXES + JSON_SUFFIXES
    ):
        data = target.read_bytes()
        target.unlink()
        return InputFile(name, data, None, size)
    return InputFile(name, None, target, size)


def input_sha256(item: InputFile) -> str:
    """Return the SHA-256 of an input's bytes, reading a file on disk in blocks."""
    digest = hashlib.sha256()
    if item.data is not None:
        digest.update(item.data)
    elif item.path is not None:
        # One buffer, filled again and again: a new block per read left the
        # hashing thread's allocator holding tens of megabytes afterwards.
        block = bytearray(_CHUNK_BYTES)
        view = memoryview(block)
        with item.path.open("rb") as handle:
            while filled := handle.readinto(block):
                digest.update(view[:filled])
    return digest.hexdigest()
