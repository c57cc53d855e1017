"""Importing the small fixture exports and reading back rows and problems, for tests."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ANALYST
from tests.conftest import INGEST_FIXTURES as FIXTURES
from workbench import ingest, store


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
