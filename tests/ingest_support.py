"""Importing the small fixture exports and reading back rows and problems, for tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.conftest import ANALYST, import_texts
from tests.conftest import INGEST_FIXTURES as FIXTURES
from workbench import ingest, store
from workbench.ingest import inputs

_Seen = TypeVar("_Seen")

#: The account a Dynamics fixture's records name (a GUID, as Dynamics' IDs are).
DYNAMICS_ACCOUNT = "6f1c1e00-0000-0000-0000-000000000001"


def import_dynamics(
    con: store.Connection, files: Mapping[str, str]
) -> ingest.ImportReport:
    """Import Dynamics ``files`` beside the file of :data:`DYNAMICS_ACCOUNT`; return the report."""
    accounts = f"accountid,name\n{DYNAMICS_ACCOUNT},Contoso Pharmaceuticals\n"
    return import_texts(con, {"account.csv": accounts, **files}, source="dynamics")


def _import(
    con: store.Connection, *paths: str | Path, **options: object
) -> ingest.ImportReport:
    resolved = [p if isinstance(p, Path) else FIXTURES / p for p in paths]
    return ingest.import_files(con, resolved, actor=ANALYST, **options)  # type: ignore[arg-type]


def _rows(con: store.Connection, sql: str) -> list[tuple[object, ...]]:
    return store.query_frame(con, sql).rows()


def _messages(report: ingest.ImportReport, level: str | None = None) -> str:
    return "\n".join(
        f"{p.file}|{p.row}|{p.column}|{p.message}"
        for p in report.problems
        if level is None or p.level == level
    )


def imported_small_and_large(
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: Mapping[str, str | bytes],
    seen: Callable[[store.Connection, ingest.ImportReport], _Seen],
    **options: Any,
) -> list[_Seen]:
    """Import ``files`` from disk twice, held in memory and as large files; return what each gave.

    A large file (above :data:`~workbench.ingest.inputs.LARGE_FILE_BYTES`) is
    read from disk by DuckDB's reader; here every file is, the second time.
    ``seen`` reads each import's outcome (after checking it was accepted).
    """
    outcomes = []
    for large in (False, True):
        written = folder / f"large-{large}"
        written.mkdir()
        for name, content in files.items():
            target = written / name
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content)
        con = store.connect(":memory:")
        with monkeypatch.context() as patch:
            if large:
                patch.setattr(inputs, "LARGE_FILE_BYTES", 0)
            report = ingest.import_files(
                con, sorted(written.iterdir()), actor=ANALYST, **options
            )
        assert report.ok, _messages(report, "error")
        outcomes.append(seen(con, report))
        con.close()
    return outcomes
