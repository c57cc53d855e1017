"""The data version and the facts version (workbench.store.versions).

A write of decisions alone (a plan, an override, a rating...) moves the data
version and leaves the facts version, so the reads kept under it (the account
features: seconds at 100,000 accounts) are not read again. That holds only if
such a write touches no fact and such a read reads no decision: both are
checked here, the writes table by table and the reads statement by statement.
"""

from __future__ import annotations

import ast
import json
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import streamlit as st

from tests.conftest import count_calls, open_page
from tests.test_segments_page import accounts_table
from workbench import store
from workbench.analytics import network
from workbench.api import Workbench, open_workbench
from workbench.app import cached, held_features, session
from workbench.errors import DatabaseBusyError
from workbench.store import feature_changes
from workbench.store.tables import list_tables_static

ROOT = Path(__file__).resolve().parents[1]


def _bump_as_an_older_version_did(con: store.Connection) -> None:
    # before the facts version, a write moved the data version alone
    with con.cursor() as cur:
        cur.execute(
            "UPDATE workbench_meta SET value = (CAST(value AS BIGINT) + 1)::VARCHAR "
            "WHERE key = 'data_version'"
        )


def test_a_write_of_facts_moves_both_versions_and_a_decision_the_data_only(con):
    before = store.versions(con)
    with store.write_transaction(con) as cur:
        cur.execute("INSERT INTO accounts (account_id, name) VALUES ('A1', 'One')")
    facts = store.versions(con)
    assert facts.data == before.data + 1 and facts.facts == facts.data
    with store.write_transaction(con, facts=False) as cur:
        store.set_meta(cur, "note", "a decision")
    decided = store.versions(con)
    assert (decided.data, decided.facts) == (facts.data + 1, facts.facts)
    with store.write_transaction(con, facts=False):
        pass
    assert store.versions(con) == store.Versions(decided.data + 1, facts.facts)

    # a rolled-back write moves nothing
    def refused() -> None:
        with store.write_transaction(con) as cur:
            cur.execute("INSERT INTO accounts (account_id, name) VALUES ('A2', 'Two')")
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        refused()
    assert store.versions(con) == store.Versions(decided.data + 1, facts.facts)


def test_a_write_no_version_marked_counts_as_a_change_of_facts(con):
    with store.write_transaction(con, facts=False):
        pass
    marked = store.versions(con)
    _bump_as_an_older_version_did(con)
    unmarked = store.versions(con)
    assert unmarked == store.Versions(marked.data + 1, marked.data + 1)
    # a decision after it keeps the facts at that unmarked write
    with store.write_transaction(con, facts=False):
        pass
    assert store.versions(con) == store.Versions(marked.data + 2, marked.data + 1)


def test_a_file_written_before_the_facts_version_reads_its_data_version(con):
    # no facts version stored: every write so far counts as a change of facts
    with con.cursor() as cur:
        cur.execute("DELETE FROM workbench_meta WHERE key <> 'data_version'")
        cur.execute(
            "INSERT INTO workbench_meta VALUES ('data_version', '7') "
            "ON CONFLICT (key) DO UPDATE SET value = '7'"
        )
    assert store.versions(con) == store.Versions(7, 7)
    with store.write_transaction(con, facts=False):
        pass
    assert store.versions(con) == store.Versions(8, 7)


def test_the_file_versions_follow_a_write_by_another_connection(demo_db):
    first = store.file_versions(demo_db)
    with store.unit_of_work(demo_db) as con, store.write_transaction(con, facts=False):
        pass
    assert store.file_versions(demo_db) == store.Versions(first.data + 1, first.facts)
    assert store.file_data_version(demo_db) == first.data + 1


def test_the_file_versions_read_on_a_connection_held_for_more(demo_db):
    # A screen's block reads the versions on the connection its reads then
    # use: opened only when the file changed, and never closed here; a file
    # held elsewhere past the wait keeps the versions last read.
    first = store.file_versions(demo_db)
    asked: list[float] = []

    def must_not_open(timeout: float) -> store.Connection:
        raise AssertionError("the file did not change: nothing to open")

    assert store.file_versions(demo_db, opened=must_not_open) == first
    with store.unit_of_work(demo_db) as con, store.write_transaction(con, facts=False):
        pass
    held = store.connect(demo_db)
    try:
        moved = store.file_versions(
            demo_db, opened=lambda timeout: asked.append(timeout) or held
        )
        assert store.versions(held) == moved  # still open: the caller's to close
    finally:
        store.close(held)
    assert moved == store.Versions(first.data + 1, first.facts)
    assert asked == [2.0]
    with store.unit_of_work(demo_db) as con, store.write_transaction(con):
        pass

    def busy(timeout: float) -> store.Connection:
        raise DatabaseBusyError("held by another process")

    assert store.file_versions(demo_db, opened=busy) == moved


# --- the writes of decisions touch no fact ---------------------------------------------


def _fingerprints(path: Path) -> dict[str, tuple[int, int]]:
    with store.unit_of_work(path) as con, con.cursor() as cur:
        return {
            table: tuple(  # type: ignore[misc]
                cur.sql(
                    f'SELECT count(*), coalesce(sum(hash(t)), 0) FROM "{table}" t'
                ).fetchall()[0]
            )
            for table in list_tables_static()
            if table != "schema_version"
        }


def _detractor(wb: Workbench) -> str:
    answers = wb.nps_responses()
    return str(answers.filter(answers["score"] <= 6)["response_id"][0])


def _plan_saved(wb: Workbench, account_id: str) -> None:
    draft = wb.plan(account_id)
    draft.plan.identify = "Who signs the framework?"
    wb.save_plan(draft)


def _two_conflicting_needs(wb: Workbench, account_id: str) -> None:
    price = wb.add_requirement(
        account_id, "Lowest price", role="buyer", category="price"
    )
    uptime = wb.add_requirement(
        account_id, "Guaranteed uptime", role="user", category="service level"
    )
    wb.mark_requirement_conflict(price, uptime, owner="Sam Seller")


#: Each writer that tells the transaction it changes no fact (by function name,
#: as :func:`test_every_write_of_decisions_is_checked` finds them), and calls
#: of the notebook API that reach it.
DECISIONS: dict[str, Callable[[Workbench, str, Path], object]] = {
    "set_relationship_override": lambda wb, a, _p: wb.set_relationship(
        a, "partnership", "workshop decision"
    ),
    "_delete_one": lambda wb, a, _p: wb.clear_relationship(a),
    "save_scenario_row": lambda wb, _a, _p: (
        wb.save_scenario("cautious"),
        wb.save_service_model(wb.service_model(), scenario="cautious"),
    ),
    "save_plan": lambda wb, a, _p: _plan_saved(wb, a),
    "add_requirement": lambda wb, a, _p: wb.add_requirement(
        a, "Monthly review", role="decider", category="service level"
    ),
    "save_requirement_conflict": lambda wb, a, _p: _two_conflicting_needs(wb, a),
    "set_account_situation": lambda wb, a, _p: wb.set_buying_situation(
        a, {"purchase_importance": 4, "switching_costs": 2}
    ),
    "save_detractor_followup": lambda wb, _a, _p: wb.save_detractor_followup(
        _detractor(wb), owner="Sam Seller", due_on=date(2027, 1, 15)
    ),
    "_not_committed": lambda wb, _a, path: wb.import_files(path, check=False),
}


#: What a writer needs written before the tables are fingerprinted.
BEFORE: dict[str, Callable[[Workbench, str], object]] = {
    "_delete_one": lambda wb, a: wb.set_relationship(a, "transactional", "for now"),
}


@pytest.fixture
def rejected_file(tmp_path: Path) -> Path:
    path = tmp_path / "Contact.csv"
    path.write_text("Id,AccountId,LastName\n003A,001A,\n003A,001A,Twice\n")
    return path


@pytest.mark.parametrize("writer", sorted(DECISIONS))
def test_a_write_of_decisions_touches_no_fact(demo_db, rejected_file, writer):
    with open_workbench(demo_db) as wb:
        account_id = str(wb.accounts()["account_id"][0])
        if writer in BEFORE:
            BEFORE[writer](wb, account_id)
    before = _fingerprints(demo_db)
    versions = store.file_versions(demo_db)
    with open_workbench(demo_db) as wb:
        DECISIONS[writer](wb, account_id, rejected_file)
    after = _fingerprints(demo_db)
    changed = {table for table in before if before[table] != after[table]}
    # the versions always move: a decision table must have changed too
    assert changed - {"workbench_meta"}, "the call wrote nothing: it checks nothing"
    assert changed <= {*store.DECISION_TABLES, "workbench_meta"}, changed
    moved = store.file_versions(demo_db)
    assert moved.data > versions.data and moved.facts == versions.facts


def test_a_write_of_facts_moves_the_facts_version(demo_db):
    versions = store.file_versions(demo_db)
    with open_workbench(demo_db) as wb:
        account_id = str(wb.accounts()["account_id"][0])
        wb.set_wallet_estimate(account_id, 2_500_000.0)
    assert store.file_versions(demo_db).facts > versions.facts


def _writers_of_decisions() -> set[str]:
    """The functions whose write transaction is given ``facts=`` anything but True."""
    found: set[str] = set()
    for path in (ROOT / "workbench").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for call in ast.walk(function):
                if (
                    isinstance(call, ast.Call)
                    and getattr(call.func, "attr", getattr(call.func, "id", ""))
                    == "write_transaction"
                    and any(
                        k.arg == "facts"
                        and not (
                            isinstance(k.value, ast.Constant) and k.value.value is True
                        )
                        for k in call.keywords
                    )
                ):
                    found.add(function.name)
    return found


def test_every_write_of_decisions_is_checked():
    assert _writers_of_decisions() == set(DECISIONS)


# --- the reads kept under the facts version read no decision ------------------------


@pytest.fixture
def logged(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[store.Connection]:
    """The app's reads on one connection to a demo copy, its statements logged."""
    monkeypatch.setenv(store.DB_ENV_VAR, str(demo_db))
    con = store.connect(demo_db)
    opened = session.OpenDatabase(con=con, path=str(demo_db), created_demo=False)
    monkeypatch.setattr(session, "database", lambda: opened)
    con.execute("CALL enable_logging('QueryLog')").fetchall()
    yield con
    con.close()


def _arguments(
    read: Callable[..., object], as_of: date, account_id: str
) -> dict[str, object]:
    import inspect

    known = {
        "as_of": as_of,
        "default_term_months": 18,
        "account_id": account_id,
        "months": 12,
        "options": network.MapOptions(),
        "language": "en",
        "query": "a",
        "limit": 20,
        # the effort's dimension that joins the most tables (the people)
        "dimension": "department",
    }
    arguments: dict[str, object] = {}
    for name, parameter in inspect.signature(read).parameters.items():
        if name in known:
            arguments[name] = known[name]
        else:
            assert parameter.default is not inspect.Parameter.empty, (
                f"give {read.__qualname__}'s {name} a value here"
            )
    return arguments


def _tables_read(con: store.Connection, statement: str) -> set[str]:
    """The tables a logged statement reads; none for a setting (SET, PRAGMA)."""
    head = statement.lstrip().upper()
    if head.startswith(("SET ", "RESET ", "PRAGMA ", "CALL ", "BEGIN ", "ROLLBACK")):
        return set()
    # a read's own temporary table (the features brought up to date): its query
    created = re.match(r"\s*CREATE TEMP TABLE \w+ AS\s", statement, re.IGNORECASE)
    if created:
        statement = statement[created.end() :]
    # parsed, not bound (a read's statements have parameters); a read that
    # writes is refused here, as only SELECT statements parse this way
    parsed = json.loads(
        con.sql("SELECT json_serialize_sql($s)", params={"s": statement}).fetchall()[0][
            0
        ]
    )
    assert not parsed["error"], (statement[:200], parsed)
    named: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE":
                named.add(str(node["table_name"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(parsed)
    # the names of the file's tables, not of the statement's own CTEs
    return named & set(list_tables_static())


def test_the_reads_kept_under_the_facts_version_read_no_decision(logged):
    from workbench.app import buying_centre_reads, reads  # noqa: F401  (registers them)

    assert cached.FACTS_READS, "no read is kept under the facts version"
    as_of = store.resolve_as_of(logged)
    # an account with people and deals, so that its reads read something
    account_id = str(
        logged.sql(
            "SELECT account_id FROM contacts c JOIN opportunities o USING (account_id) "
            "GROUP BY account_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchall()[0][0]
    )
    for name, read in sorted(cached.FACTS_READS.items()):
        # each read from scratch: the reads it calls run their statements too
        st.cache_data.clear()
        st.cache_resource.clear()
        held_features._HELD.clear()
        logged.execute("CALL truncate_duckdb_logs()").fetchall()
        read(**_arguments(read, as_of, account_id))
        statements = [
            str(m)
            for (m,) in logged.sql(
                "SELECT message FROM duckdb_logs WHERE type = 'QueryLog'"
            ).fetchall()
        ]
        tables = set().union(*(_tables_read(logged, s) for s in statements))
        assert tables, f"{name} read nothing from the file: it checks nothing"
        assert not tables & store.DECISION_TABLES, (name, tables)
    st.cache_data.clear()
    st.cache_resource.clear()


# --- the app keeps the features across a decision -------------------------------------


def test_segments_keep_the_features_across_a_plan_saved_elsewhere(app_db, monkeypatch):
    # features an earlier test held for another copy of the demo file (copies
    # share its database ID) are not this test's
    monkeypatch.setattr(held_features, "_HELD", OrderedDict())
    page = open_page("pages/segments.py")
    first = accounts_table(page).iloc[0]
    account_id = str(first["account_id"])
    other = "transactional" if first["relationship"] == "partnership" else "partnership"
    # another session (here the notebook API) decides: a plan and an override
    with open_workbench(app_db) as wb:
        _plan_saved(wb, account_id)
        wb.set_relationship(account_id, other, "workshop decision")
    aggregated = count_calls(monkeypatch, store, "features_up_to_date")
    narrowed = count_calls(monkeypatch, feature_changes, "_narrow")
    page.run()
    assert not page.exception, page.exception
    assert aggregated == []
    # the override shows: the segmentation reads decisions under the data version
    table = accounts_table(page)
    assert list(table[table["account_id"] == account_id]["relationship"]) == [other]
    # a change of facts reads them again: that account's alone
    with open_workbench(app_db) as wb:
        wb.set_wallet_estimate(account_id, 2_500_000.0)
    page.run()
    assert not page.exception, page.exception
    assert len(aggregated) == 1
    assert [sorted(args[1]) for args, _ in narrowed] == [[account_id]]
    with open_workbench(app_db) as wb:
        this_file = store.database_id(wb.connection)
    (held,) = (h for h in held_features._HELD.values() if h.database == this_file)
    wallets = held.features.filter(pl.col("account_id") == account_id)
    assert wallets["wallet_estimate"].to_list() == [2_500_000.0]
