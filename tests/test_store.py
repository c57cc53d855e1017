from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.conftest import older_database
from workbench import store
from workbench.domain import LOCAL_ACTOR

SCHEMA_DOC = Path(__file__).parents[1] / "docs" / "schema.md"
CRM_TABLES = (
    "accounts",
    "contacts",
    "sellers",
    "opportunities",
    "opportunity_contacts",
    "activities",
    "nps_responses",
)


def documented_columns(table: str) -> list[str]:
    """The columns docs/schema.md lists for ``table``, in the order it lists them."""
    section = SCHEMA_DOC.read_text().split(f"\n### `{table}`", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE)


@pytest.mark.parametrize("table", sorted(CRM_TABLES))
def test_required_columns_exist_in_order(con, table):
    # Analysts query the file directly (docs/schema.md): the CRM tables keep the
    # documented columns first and in the documented order.
    required = documented_columns(table)
    assert required, f"docs/schema.md describes no columns of {table}"
    columns = store.table_columns(con, table)
    assert columns[: len(required)] == required


def test_new_database_is_at_latest_schema_version(con):
    assert store.schema_version(con) == store.MIGRATIONS[-1].version


def test_every_table_is_documented():
    schema_doc = SCHEMA_DOC.read_text()
    con = store.connect(":memory:")
    tables = [
        r[0]
        for r in con.sql("SELECT table_name FROM information_schema.tables").fetchall()
    ]
    for table in tables:
        assert f"`{table}`" in schema_doc, f"docs/schema.md does not describe {table}"
        for column in (
            store.table_columns(con, table) if table != "schema_version" else []
        ):
            assert f"`{column}`" in schema_doc, f"docs/schema.md lacks {table}.{column}"


def test_the_tables_listed_are_those_the_migrations_create():
    con = store.connect(":memory:")
    created = {
        r[0]
        for r in con.sql(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary"
        ).fetchall()
    }
    assert set(store.list_tables_static()) == created
    assert set(store.DATA_TABLES) < created


def test_older_file_upgrades_in_place_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    store.migrate(old, target=1)
    old.execute("INSERT INTO accounts (account_id, name) VALUES ('A1', 'Old GmbH')")
    assert store.schema_version(old) == 1
    assert "contract_type" not in store.table_columns(old, "accounts")
    old.close()

    upgraded = store.connect(path)
    assert store.schema_version(upgraded) == store.MIGRATIONS[-1].version
    assert "contract_type" in store.table_columns(upgraded, "accounts")
    assert upgraded.sql("SELECT name FROM accounts").fetchall() == [("Old GmbH",)]
    versions = upgraded.sql("SELECT version FROM schema_version ORDER BY 1").fetchall()
    assert [v[0] for v in versions] == [m.version for m in store.MIGRATIONS]
    upgraded.close()
    # opening again applies nothing
    again = store.connect(path)
    assert store.migrate(again) == []
    again.close()


def test_migration_8_keeps_activities_and_stores_crm_ids_once(tmp_path):
    upgraded = older_database(
        tmp_path / "v7.duckdb",
        7,
        """
        INSERT INTO activities (activity_id, account_id, kind, activity_date, source, source_id)
        VALUES ('00T1', 'A1', 'call', DATE '2024-03-01', 'salesforce', '00T1'),
               ('visits:abc', 'A1', 'visit', DATE '2024-03-02', 'chinese_crm', 'A1|Li|#1')
        """,
    )
    assert store.schema_version(upgraded) == store.MIGRATIONS[-1].version
    assert upgraded.sql(
        "SELECT activity_id, kind, source, source_id, import_run_id "
        "FROM activities ORDER BY 1"
    ).fetchall() == [
        ("00T1", "call", "salesforce", None, None),
        ("visits:abc", "visit", "chinese_crm", "A1|Li|#1", None),
    ]
    # No key index any more: the import, not the table, keeps IDs unique.
    assert not upgraded.sql(
        "SELECT * FROM duckdb_constraints() WHERE table_name = 'activities' "
        "AND constraint_type = 'PRIMARY KEY'"
    ).fetchall()
    upgraded.close()


def test_migration_17_keeps_people_and_deals_without_their_key_index(tmp_path):
    upgraded = older_database(
        tmp_path / "v16.duckdb",
        16,
        "INSERT INTO accounts (account_id, name) VALUES ('A1', 'Acme')",
        "INSERT INTO contacts (contact_id, account_id, name, influence) "
        "VALUES ('C1', 'A1', 'Ana', 4), ('C2', 'A1', 'Bo', NULL)",
        "INSERT INTO opportunities (opportunity_id, account_id, amount, term_months) "
        "VALUES ('O1', 'A1', 1200.5, 24)",
        "INSERT INTO import_undo_rows VALUES (3, 'contacts', 'C2', false, NULL)",
    )
    assert store.schema_version(upgraded) == store.MIGRATIONS[-1].version
    assert upgraded.sql(
        "SELECT contact_id, account_id, name, influence FROM contacts ORDER BY 1"
    ).fetchall() == [("C1", "A1", "Ana", 4), ("C2", "A1", "Bo", None)]
    assert upgraded.sql(
        "SELECT opportunity_id, amount, term_months FROM opportunities"
    ).fetchall() == [("O1", 1200.5, 24)]
    constraints = upgraded.sql(
        "SELECT table_name, constraint_type, constraint_column_names "
        "FROM duckdb_constraints() WHERE table_name IN ('contacts', 'opportunities') "
        "ORDER BY ALL"
    ).fetchall()
    # no key index any more (the import keeps the IDs unique); NOT NULL kept
    assert constraints == [
        ("contacts", "NOT NULL", ["account_id"]),
        ("contacts", "NOT NULL", ["contact_id"]),
        ("opportunities", "NOT NULL", ["account_id"]),
        ("opportunities", "NOT NULL", ["opportunity_id"]),
    ]
    with pytest.raises(duckdb.ConstraintException):
        upgraded.execute(
            "INSERT INTO contacts (contact_id, account_id) VALUES ('C3', NULL)"
        )
    # the undo journal keeps its rows and may hold a row without a key
    upgraded.execute(
        "INSERT INTO import_undo_rows VALUES (3, 'accounts', NULL, false, NULL)"
    )
    assert upgraded.sql("SELECT count(*) FROM import_undo_rows").fetchall() == [(2,)]
    upgraded.close()


def test_write_transaction_rolls_back_everything_on_error(con):
    before = store.data_version(con)

    def insert_then_fail(cur):
        cur.execute("INSERT INTO accounts (account_id, name) VALUES ('A1', 'x')")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.run_in_write(con, insert_then_fail)
    assert store.table_counts(con)["accounts"] == 0
    assert store.data_version(con) == before


def test_write_transaction_commits_and_bumps_data_version(con):
    before = store.data_version(con)
    with store.write_transaction(con) as cur:
        store.insert_frame(
            cur, "accounts", pl.DataFrame({"account_id": ["A1"], "name": ["Acme"]})
        )
    assert store.table_counts(con)["accounts"] == 1
    assert store.data_version(con) == before + 1


def test_insert_frame_rejects_unknown_columns_and_tables(con):
    with store.write_transaction(con) as cur:
        with pytest.raises(ValueError, match="unknown columns"):
            store.insert_frame(
                cur, "accounts", pl.DataFrame({"account_id": ["A"], "nope": [1]})
            )
        with pytest.raises(ValueError, match="unknown table"):
            store.insert_frame(
                cur, "accounts; DROP TABLE accounts", pl.DataFrame({"a": [1]})
            )


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("contacts", "contact_id"),
        ("opportunities", "opportunity_id"),
        ("activities", "activity_id"),
    ],
)
def test_an_id_no_index_guards_is_still_refused_twice(con, table, key):
    # these tables lost their key index (migrations 8 and 17): the library's
    # own writer refuses what the index refused, in the frame or against the file
    accounts = pl.DataFrame({"account_id": ["A1"], "name": ["Acme"]})
    with store.write_transaction(con) as cur:
        store.insert_frame(cur, "accounts", accounts)
        store.insert_frame(
            cur, table, pl.DataFrame({key: ["X1"], "account_id": ["A1"]})
        )
    before = store.database_fingerprint(con)
    twice_in_frame = pl.DataFrame({key: ["X2", "X2"], "account_id": ["A1", "A1"]})
    twice_with_stored = pl.DataFrame({key: ["X3", "X1"], "account_id": ["A1", "A1"]})
    for frame, doubled in ((twice_in_frame, "'X2'"), (twice_with_stored, "'X1'")):
        with (
            pytest.raises(ValueError, match=f"{key} held twice: {doubled}"),
            store.write_transaction(con) as cur,
        ):
            store.insert_frame(cur, table, frame)
        assert store.database_fingerprint(con) == before
    with pytest.raises(ValueError, match="held twice"):
        store.run_in_write(
            con,
            lambda cur: store.replace_data(
                cur, {"accounts": accounts, table: twice_in_frame}
            ),
        )
    assert store.database_fingerprint(con) == before


def test_replacing_the_data_takes_the_work_on_records_gone_with_them(con):
    # Work on an account the new data holds again stays; work on one it no
    # longer holds goes in the same write, so that nothing points at nothing.
    accounts = pl.DataFrame({"account_id": ["A1", "A2"], "name": ["Acme", "Bolt"]})
    with store.write_transaction(con) as cur:
        store.replace_data(cur, {"accounts": accounts})
    for account_id in ("A1", "A2"):
        store.set_relationship_override(
            con, LOCAL_ACTOR, account_id, "partnership", "workshop"
        )
    with store.write_transaction(con) as cur:
        removed = store.replace_data(cur, {"accounts": accounts.head(1)})
    assert removed == {"relationship_overrides": 1}
    assert store.relationship_overrides(con)["account_id"].to_list() == ["A1"]
    assert not any(store.orphan_counts(con).values())


def test_hostile_text_is_stored_verbatim(con):
    hostile = "Robert'); DROP TABLE accounts;-- <script>alert(1)</script> =1+1"
    with store.write_transaction(con) as cur:
        store.insert_frame(
            cur, "accounts", pl.DataFrame({"account_id": ["A1"], "name": [hostile]})
        )
    assert store.read_table(con, "accounts")["name"].to_list() == [hostile]


def test_db_path_precedence(monkeypatch):
    monkeypatch.delenv(store.DB_ENV_VAR, raising=False)
    assert store.resolve_db_path() == Path("data/workbench.duckdb")
    monkeypatch.setenv(store.DB_ENV_VAR, "/tmp/env.duckdb")
    assert store.resolve_db_path() == Path("/tmp/env.duckdb")
    assert store.resolve_db_path("/tmp/arg.duckdb") == Path("/tmp/arg.duckdb")


def test_portfolio_summary_counts_trailing_twelve_months(con):
    with store.write_transaction(con) as cur:
        store.insert_frame(
            cur, "accounts", pl.DataFrame({"account_id": ["A1"], "name": ["Acme"]})
        )
        store.insert_frame(
            cur,
            "opportunities",
            pl.DataFrame(
                {
                    "opportunity_id": ["O1", "O2", "O3", "O4"],
                    "account_id": ["A1"] * 4,
                    "amount": [100.0, 200.0, 400.0, 800.0],
                    "close_date": [
                        date(2024, 6, 30),
                        date(2024, 7, 1),
                        date(2025, 6, 30),
                        date(2025, 5, 1),
                    ],
                    "is_closed": [True, True, True, True],
                    "is_won": [True, True, True, False],
                }
            ),
        )
        store.insert_frame(
            cur,
            "activities",
            pl.DataFrame(
                {
                    "activity_id": ["X1", "X2"],
                    "account_id": ["A1", "A1"],
                    "activity_date": [date(2024, 1, 1), date(2025, 1, 1)],
                    "duration_minutes": [60.0, 90.0],
                }
            ),
        )
    summary = store.portfolio_summary(con)
    assert summary["as_of"] == date(2025, 6, 30)
    # 2024-06-30 is exactly 12 months back: excluded; 2024-07-01 and 2025-06-30 in.
    assert summary["won_revenue_12m"] == 600.0
    assert summary["effort_hours"] == 2.5
    assert summary["effort_hours_12m"] == 1.5
    assert summary["first_day"] == date(2024, 1, 1)
