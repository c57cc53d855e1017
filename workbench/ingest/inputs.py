"""Collecting the import's inputs: files, folders and zip archives, spilled to disk when large."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import RejectedInputError
from workbench.ingest.read import (
    EXCEL_SUFFIXES,
    JSON_SUFFIXES,
    MAX_ZIP_TOTAL_BYTES,
    PARQUET_SUFFIXES,
    check_size,
    is_xlsx,
    safe_file_name,
)

#: CSV files larger than this are loaded by DuckDB's own reader, not through Python.
LARGE_FILE_BYTES = 16 * 1024 * 1024


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
    """Return the inputs for files, folders and archives; large uploads spill to ``spill``."""
    found: list[InputFile] = []
    for item in files:
        if isinstance(item, tuple):
            name, data = safe_file_name(str(item[0])), bytes(item[1])
            check_size(name, len(data))
            found += [_spilled(i, spill) for i in _expand(name, data)]
            continue
        path = Path(item)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not child.name.startswith(".") and child.suffix.lower() != ".md":
                    found += collect([child], spill)
            continue
        if not path.is_file():
            raise RejectedInputError(f"{path.name}: no such file or folder.")
        size = path.stat().st_size
        check_size(path.name, size)
        if path.suffix.lower() == ".zip" or size <= LARGE_FILE_BYTES:
            found += [_spilled(i, spill) for i in _expand(path.name, path.read_bytes())]
        else:
            found.append(InputFile(path.name, None, path, size))
    return found


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


def _expand(name: str, data: bytes) -> list[InputFile]:
    if not (
        name.lower().endswith(".zip")
        or (data.startswith(b"PK\x03\x04") and not is_xlsx(data))
    ):
        return [InputFile(name, data, None, len(data))]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise RejectedInputError(
            f"{name}: the zip archive is damaged ({error})."
        ) from error
    inputs: list[InputFile] = []
    total = 0
    seen: dict[str, int] = {}
    with archive:
        for info in archive.infolist():
            inner = safe_file_name(info.filename)
            if info.is_dir() or inner.startswith(".") or "__MACOSX" in info.filename:
                continue
            if inner.lower().endswith((".md", ".txt")) and inner.lower() != "data.txt":
                continue
            check_size(f"{name}/{inner}", info.file_size)
            total += info.file_size
            if total > MAX_ZIP_TOTAL_BYTES:
                raise RejectedInputError(
                    f"{name}: the archive unpacks to more than "
                    f"{MAX_ZIP_TOTAL_BYTES / 1_048_576:,.0f} MB."
                )
            try:
                content = archive.read(info)
            except (zipfile.BadZipFile, RuntimeError, OSError) as error:
                raise RejectedInputError(
                    f"{name}: cannot unpack {inner} ({error})."
                ) from error
            count = seen.get(inner, 0) + 1
            seen[inner] = count
            unique = inner if count == 1 else f"{inner} ({count})"
            inputs.append(InputFile(unique, content, None, len(content)))
    return inputs


def input_sha256(item: InputFile) -> str:
    """Return the SHA-256 of an input's bytes, reading a file on disk in blocks."""
    digest = hashlib.sha256()
    if item.data is not None:
        digest.update(item.data)
    elif item.path is not None:
        with item.path.open("rb") as handle:
            for block in iter(lambda: handle.read(8 * 1024 * 1024), b""):
                digest.update(block)
    return digest.hexdigest()
