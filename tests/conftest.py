"""Shared fixtures: fresh in-memory stores, one demo database file per test session.

Building the demo takes about a second, so the session builds it once and each test
that writes gets its own copy (DuckDB locks a file per process, and tests must not
see each other's edits).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.plans_seed import seed
from workbench import demo, i18n, store
from workbench.domain import Actor

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from workbench.ingest import ImportReport

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SHARED = ROOT.parent / "shared"
REAL_DATASETS = SHARED / "datasets" / "real"
#: Small exports made for the import tests, one folder a CRM (and ``bad/``).
INGEST_FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
#: The analyst who runs the tests' imports.
ANALYST = Actor(name="ana", role="analyst")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Every test starts and ends in English, whatever a page or command chose."""
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    # cache_resource survives between AppTest instances in one pytest process; a
    # connection cached by one test would otherwise serve the next test's database.
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def con() -> Iterator[store.Connection]:
    """An empty, migrated in-memory database."""
    connection = store.connect(":memory:")
    yield connection
    connection.close()


@pytest.fixture
def seeded(con: store.Connection) -> store.Connection:
    """An empty database with the account-plan tests' portfolio (``tests/plans_seed.py``)."""
    seed(con)
    return con


def demo_database(path: Path, **sizes: int) -> Path:
    """Write the demo portfolio (of ``sizes``: accounts, activities, contacts, ...)
    into a new database file at ``path``."""
    connection = store.connect(path)
    try:
        demo.write_demo(connection, **sizes)
    finally:
        connection.close()
    return path


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo portfolio written once per session; copy it before writing."""
    return demo_database(tmp_path_factory.mktemp("demo") / "demo.duckdb")


@pytest.fixture
def demo_db(demo_db_file: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database file for one test."""
    path = tmp_path / "workbench.duckdb"
    shutil.copy(demo_db_file, path)
    return path


@pytest.fixture
def demo_con(demo_db: Path) -> Iterator[store.Connection]:
    """An open connection to a private copy of the demo database."""
    connection = store.connect(demo_db)
    yield connection
    connection.close()


@pytest.fixture
def app_db(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at a private copy of the demo database."""
    monkeypatch.setenv(store.DB_ENV_VAR, str(demo_db))
    return demo_db


@pytest.fixture
def at(app_db: Path) -> AppTest:
    """The app, run once on the demo database."""
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception, app.exception
    return app


def open_page(
    page: str,
    actor: Actor | None = None,
    *,
    timeout: float = 60,
    language: str | None = None,
) -> AppTest:
    """Run the app (as ``actor``, else the local user; in ``language`` as ``?lang=``
    asks), then switch to ``page``; neither run may raise."""
    app = AppTest.from_file(APP, default_timeout=timeout)
    if actor is not None:
        app.session_state["workbench_actor"] = actor
    if language is not None:
        app.query_params["lang"] = language
    app.run()
    assert not app.exception, app.exception
    app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


def assert_import_reads(
    con: store.Connection,
    report: ImportReport,
    expected: dict[str, list[tuple[object, ...]]],
) -> None:
    """The import succeeded (else its errors are shown), and each query returns its rows."""
    assert report.ok, [
        f"{p.file}|{p.row}|{p.column}|{p.message}" for p in report.errors
    ]
    for sql, rows in expected.items():
        assert store.query_frame(con, sql).rows() == rows, sql


def import_texts(
    con: store.Connection, files: dict[str, str], **options: object
) -> ImportReport:
    """Import ``files`` (file name → its text) as :data:`ANALYST` would upload them."""
    from workbench import ingest

    return ingest.import_files(
        con,
        [(name, text.encode()) for name, text in files.items()],
        actor=ANALYST,
        **options,  # type: ignore[arg-type]
    )


def imported_ok(
    con: store.Connection, files: dict[str, str], **options: object
) -> ImportReport:
    """:func:`import_texts`, which must succeed (else its errors are shown)."""
    report = import_texts(con, files, **options)
    assert report.ok, [p.message for p in report.problems if p.level == "error"]
    return report


def imported_into(path: Path, files: dict[str, str]) -> Path:
    """Import ``files`` into the database file ``path`` (made if missing) and close it:
    a file for the command line or the app to open; returns ``path``."""
    con = store.connect(path)
    try:
        imported_ok(con, files)
    finally:
        store.close(con)
    return path


def cli_import(
    capsys: pytest.CaptureFixture[str], fixture: str, db: Path | str, *flags: str
) -> tuple[int, str]:
    """Run ``workbench import`` on the folder ``fixture`` of :data:`INGEST_FIXTURES`
    into the database ``db`` with ``flags``; its exit code and what it printed."""
    from workbench.cli import main

    code = main(["import", str(INGEST_FIXTURES / fixture), "--db", str(db), *flags])
    return code, capsys.readouterr().out


def nps_response_frame(rows: list[tuple], *, with_people: bool = False) -> pl.DataFrame:
    """NPS answers as the analytics receive them, from rows of (account, contact,
    role, score, day) — with ``with_people``, also (comment, influence) and the
    person's name, title and department."""
    schema: dict[str, type[pl.DataType]] = {
        "account_id": pl.String,
        "contact_id": pl.String,
        "buying_role": pl.String,
        "score": pl.Int64,
        "responded_on": pl.Date,
    }
    if with_people:
        schema |= {"comment": pl.String, "influence": pl.Int64}
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    frame = frame.with_columns(
        pl.format("R{}", pl.int_range(1, frame.height + 1)).alias("response_id"),
        (pl.lit("Name ") + pl.col("account_id")).alias("account_name"),
    )
    if not with_people:
        return frame
    return frame.with_columns(
        (pl.lit("Person ") + pl.col("contact_id")).alias("contact_name"),
        pl.lit("Title").alias("title"),
        pl.lit("Engineering").alias("department"),
    )


def older_database(path: Path, version: int, *statements: str) -> store.Connection:
    """Open the file an older workbench left: migrated only to ``version``, with
    ``statements`` run on it, then opened as today's workbench opens it (upgraded)."""
    raw = duckdb.connect(str(path))
    store.migrate(raw, target=version)
    for statement in statements:
        raw.execute(statement)
    raw.close()
    return store.connect(path)


def run_cli(
    *argv: str, check: bool = True, language: str = "C.UTF-8"
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m workbench.cli ARGV`` from the project's folder, as a person
    would in a shell whose locale is ``language`` (English unless a test says)."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("LC_ALL", "LC_MESSAGES", "LANG")
    }
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", *argv],
        capture_output=True,
        text=True,
        check=check,
        cwd=ROOT,
        env={**environment, "LANG": language},
    )


def salesforce_export(folder: Path, account_id: str = "001SF0000001") -> Path:
    """A small Salesforce export in ``folder`` (created): one account and two of its
    people, with headers as Salesforce's Data Loader writes them (enough to
    recognise the CRM). ``account_id`` is the account the people name."""
    folder.mkdir()
    (folder / "Account.csv").write_text(
        "Id,Name,Industry,BillingCountry\n"
        "001SF0000001,Nordlicht Maschinenbau GmbH,Machinery,Germany\n",
        encoding="utf-8",
    )
    (folder / "Contact.csv").write_text(
        "Id,AccountId,FirstName,LastName,Title,Department,ReportsToId\n"
        f"003SF0000001,{account_id},Anna,Becker,Managing Director,Executive,\n"
        f"003SF0000002,{account_id},Jonas,Weber,Buyer,Procurement,003SF0000001\n",
        encoding="utf-8",
    )
    return folder


def assert_rejected_unchanged(
    con: store.Connection, importing: Callable[[], ImportReport]
) -> ImportReport:
    """Run ``importing``: it must be rejected with errors and change nothing."""
    before = store.database_fingerprint(con)
    report = importing()
    assert not report.ok
    assert report.errors
    assert store.database_fingerprint(con) == before
    return report


def count_queries(
    monkeypatch: pytest.MonkeyPatch, module: object, contains: str
) -> list[str]:
    """Wrap ``module.query_frame``; return the SQL of its calls that hold ``contains``.

    For a read the app binds once (a cached read of a store function), which
    wrapping the function by name would not see: the store module looks its
    ``query_frame`` up at each call.
    """
    queries: list[str] = []
    original = module.query_frame  # type: ignore[attr-defined]

    def counted(con: object, sql: str, *args: object, **kwargs: object) -> object:
        if contains in sql:
            queries.append(sql)
        return original(con, sql, *args, **kwargs)

    monkeypatch.setattr(module, "query_frame", counted)
    return queries


def count_calls(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str
) -> list[tuple[tuple, dict]]:
    """Wrap ``owner.name`` for the test; return the list of its calls' arguments.

    For tests that a rerun computes or draws nothing again: the wrapped function
    still runs, and each call appends its ``(args, kwargs)``.
    """
    calls: list[tuple[tuple, dict]] = []
    original = getattr(owner, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def rated_and_overridden(features: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A workshop's ratings of two accounts and a decision set by hand on a third.

    The decision's reason is HTML and a formula, as a pasted note can be.
    """
    ids = features.get_column("account_id").head(3).to_list()
    situation = pl.DataFrame(
        {
            "account_id": ids[:2],
            "purchase_importance": [5, 2],
            "purchase_complexity": [4, 1],
            "switching_costs": [5, 2],
            "supply_alternatives": [1, 4],
            "strategic_fit": [5, None],
        }
    )
    overrides = pl.DataFrame(
        {
            "account_id": ids[2:],
            "relationship": ["partnership"],
            "reason": ["<b>board</b> decision =1+1"],
            "set_by": ["workshop"],
        }
    )
    return situation, overrides
