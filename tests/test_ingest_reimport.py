"""Re-imports, edits that survive them, undo, remembered mappings, survey files."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from tests.conftest import ANALYST, assert_rejected_unchanged
from tests.conftest import INGEST_FIXTURES as FIXTURES
from tests.ingest_support import _import, _messages, _rows, imported_small_and_large
from workbench import ingest, store
from workbench.errors import RejectedInputError

# --- re-imports, edits, undo, remembered mappings ---------------------------------------


def test_reimport_is_idempotent_and_newer_exports_update(con: store.Connection) -> None:
    assert _import(con, "salesforce").ok
    first = store.database_fingerprint(con)
    activities_sql = "SELECT * EXCLUDE (import_run_id) FROM activities ORDER BY ALL"
    first_activities = _rows(con, activities_sql)
    assert _import(con, "salesforce", again=True).ok
    second = store.database_fingerprint(con)
    # Activities carry the run that last wrote them; everything else is unchanged.
    ignored = {"import_undo_rows", "activities"}
    assert {t: v for t, v in first.items() if t not in ignored} == {
        t: v for t, v in second.items() if t not in ignored
    }
    assert first_activities and _rows(con, activities_sql) == first_activities
    assert _rows(con, "SELECT DISTINCT import_run_id FROM activities") == [(2,)]
    newer = (
        (FIXTURES / "salesforce" / "Account.csv")
        .read_text()
        .replace('"5400"', '"5600"')
    )
    report = ingest.import_files(con, [("Account.csv", newer.encode())], actor=ANALYST)
    assert report.ok
    assert _rows(
        con, "SELECT employees FROM accounts WHERE account_id = '0011x000003AAAAAA1'"
    ) == [(5600,)]
    assert report.counts["accounts"] == 3


def test_workbench_edits_survive_a_reimport_unless_overwritten(
    con: store.Connection,
) -> None:
    assert _import(con, "hubspot_en").ok
    con.execute(
        "UPDATE contacts SET buying_role = 'influencer' WHERE contact_id = '101'"
    )
    con.execute(
        "INSERT INTO contact_edits VALUES (1, '101', 'buying_role', 'decider', 'influencer', 'ana', now()::TIMESTAMP)"
    )
    assert _import(con, "hubspot_en", again=True).ok
    assert _rows(con, "SELECT buying_role FROM contacts WHERE contact_id = '101'") == [
        ("influencer",)
    ]
    assert _import(con, "hubspot_en", overwrite_edits=True).ok
    assert _rows(con, "SELECT buying_role FROM contacts WHERE contact_id = '101'") == [
        ("decider",)
    ]


def test_undo_restores_the_exact_previous_state(demo_con: store.Connection) -> None:
    before = store.database_fingerprint(demo_con)
    assert _import(demo_con, "salesforce").ok
    assert _import(demo_con, "chinese_gbk").ok
    middle = store.database_fingerprint(demo_con)
    changed = ingest.import_files(
        demo_con,
        [
            (
                "Account.csv",
                (FIXTURES / "salesforce" / "Account.csv")
                .read_text()
                .replace("Machinery", "Robots")
                .encode(),
            )
        ],
        actor=ANALYST,
    )
    assert changed.ok
    undone = store.undo_last_import(demo_con, ANALYST)
    assert undone["run_id"] == changed.run_id
    after = store.database_fingerprint(demo_con)
    assert {t: v for t, v in after.items() if t != "import_undo_rows"} == {
        t: v for t, v in middle.items() if t != "import_undo_rows"
    }
    assert store.import_runs(demo_con)["status"][0] == "undone"
    with pytest.raises(RejectedInputError, match="no import to undo"):
        store.undo_last_import(demo_con, ANALYST)
    assert before != after


def test_undoing_a_first_import_empties_its_tables(con: store.Connection) -> None:
    before = store.database_fingerprint(con)
    report = _import(con, "salesforce")
    assert report.ok
    # every table the run wrote held nothing: one journal row without a key
    # each says that all its rows are the run's (none per row)
    journal = _rows(
        con,
        "SELECT table_name, count(*), count(row_key) FROM import_undo_rows "
        "GROUP BY 1 ORDER BY 1",
    )
    written = {t: n for t, n in report.written.items() if n and t != "activities"}
    assert journal == [(table, 1, 0) for table in sorted(written)]
    undone = store.undo_last_import(con, ANALYST)
    assert {t: n for t, n in undone["restored"].items() if t != "activities"} == written
    assert store.database_fingerprint(con) == before
    # a second import into tables that hold rows journals each key again
    assert _import(con, "salesforce").ok
    assert _import(con, "hubspot_en").ok
    assert _rows(
        con, "SELECT count(*) FROM import_undo_rows WHERE row_key IS NULL"
    ) == [(0,)]


def test_data_written_over_an_import_leaves_nothing_of_it_to_undo(
    con: store.Connection,
) -> None:
    # A first import journals its tables whole; the demo written over it
    # afterwards must not be what an undo of that import takes away.
    from workbench import demo

    assert _import(con, "salesforce").ok
    demo.write_demo(con, accounts=5, activities=50)
    demo_rows = store.database_fingerprint(con)
    assert store.last_undoable_import(con) is None
    with pytest.raises(RejectedInputError, match="no import to undo"):
        store.undo_last_import(con, ANALYST)
    assert store.database_fingerprint(con) == demo_rows


def test_a_users_mapping_is_used_and_remembered(con: store.Connection) -> None:
    data = b"Firma,Mitarbeiter\nZahnrad AG,40\n"
    report = ingest.import_files(con, [("firmen.csv", data)], actor=ANALYST)
    assert not report.ok
    mapping = ingest.ColumnMapping(
        "accounts", {"Firma": "name", "Mitarbeiter": "employees"}
    )
    report = ingest.import_files(
        con, [("firmen.csv", data)], actor=ANALYST, mappings={"firmen.csv": mapping}
    )
    assert report.ok, _messages(report, "error")
    assert _rows(con, "SELECT name, employees FROM accounts") == [("Zahnrad AG", 40)]
    # The next file with the same header is mapped the same way without asking.
    report = ingest.import_files(
        con,
        [("firmen2.csv", b"Firma,Mitarbeiter\nKette KG,7\n")],
        actor=ANALYST,
    )
    assert report.ok, _messages(report, "error")
    assert report.counts["accounts"] == 2


def test_large_files_go_through_duckdb_with_the_same_result(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    small = store.connect(":memory:")
    try:
        assert _import(small, "salesforce", "chinese_gbk").ok
        expected = {
            t: store.read_table(small, t).drop("source_id", strict=False)
            for t in ("accounts", "contacts", "activities", "opportunities")
        }
    finally:
        small.close()
    monkeypatch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 0)
    report = _import(con, "salesforce", "chinese_gbk")
    assert report.ok, _messages(report, "error")
    assert all(f.path is not None for f in report.files)
    for table, frame in expected.items():
        assert (
            store.read_table(con, table).drop("source_id", strict=False).equals(frame)
        ), table
    monkeypatch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 0)
    ragged = tmp_path / "Account.csv"
    ragged.write_text("Id,Name\n001R00000000000001,A\n001R00000000000002,B,extra\n")
    report = assert_rejected_unchanged(con, lambda: _import(con, ragged))
    assert "row 2 has more fields than the header (2)" in _messages(report, "error")


# --- NPS survey files go through workbench.ingest.surveys, all or nothing ----------------------

SURVEY = (
    "account,email,date,score,comment\n"
    "Huadong Machinery Co.,zhang.mei@huadong.example,2024-05-01,9,Great service\n"
    "Rheinstahl GmbH,k.weber@rheinstahl.example,2024-05-02,4,Slow delivery\n"
)


def test_survey_files_are_recognised_and_imported_with_the_crm_files(
    con: store.Connection,
) -> None:
    report = ingest.import_files(
        con,
        [
            *(
                (p.name, p.read_bytes())
                for p in sorted((FIXTURES / "salesforce").glob("*.csv"))
            ),
            ("nps.csv", SURVEY.encode()),
        ],
        actor=ANALYST,
    )
    assert report.ok, _messages(report, "error")
    assert [(f.source, f.table) for f in report.files if f.name == "nps.csv"] == [
        ("survey", "nps_responses")
    ]
    assert _rows(
        con, "SELECT account_id, contact_id, score FROM nps_responses ORDER BY score"
    ) == [
        ("0011x000003AAAAAA4", "0031x000004AAAAAA4", 4),
        ("0011x000003AAAAAA1", "0031x000004AAAAAA2", 9),
    ]
    again = ingest.import_files(con, [("nps.csv", SURVEY.encode())], actor=ANALYST)
    assert again.ok
    assert again.counts["nps_responses"] == 2


def test_a_large_survey_file_is_read_whole_as_a_small_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A survey is read in a frame: a file above the large size (its rows left on
    # disk for DuckDB's reader) was refused ("split the file"); it is read whole.
    files: dict[str, str | bytes] = {
        p.name: p.read_bytes() for p in sorted((FIXTURES / "salesforce").glob("*.csv"))
    }
    files["nps.csv"] = SURVEY
    in_memory, large = imported_small_and_large(
        tmp_path,
        monkeypatch,
        files,
        lambda con, _report: _rows(
            con,
            "SELECT account_id, contact_id, score FROM nps_responses ORDER BY score",
        ),
    )
    assert (
        large
        == in_memory
        == [
            ("0011x000003AAAAAA4", "0031x000004AAAAAA4", 4),
            ("0011x000003AAAAAA1", "0031x000004AAAAAA2", 9),
        ]
    )


def test_a_bad_survey_row_rejects_the_whole_import(con: store.Connection) -> None:
    assert _import(con, "salesforce").ok
    bad = SURVEY + "Rheinstahl GmbH,k.weber@rheinstahl.example,2024-05-03,11,??\n"
    report = assert_rejected_unchanged(
        con,
        lambda: ingest.import_files(con, [("nps.csv", bad.encode())], actor=ANALYST),
    )
    assert "nps.csv|3|score|score 11 is outside 0–10" in _messages(report, "error")


def test_past_imports_read_as_names_and_counts_even_from_an_unreadable_record():
    runs = pl.DataFrame(
        {
            "run_id": [2, 1],
            "started_at": [None, None],
            "finished_at": [None, None],
            "source": ["salesforce", "generic"],
            "status": ["committed", "undone"],
            "files": [
                '[{"name": "Account.csv", "rows": 4, "sha256": "ab", "tables": '
                '["accounts"]}, {"name": "<b>x</b>.csv", "rows": 5}]',
                "not json",
            ],
            "counts": ["{}", "{}"],
            "problems": ['[{"code": "demo_data"}, {"code": "x"}]', None],
            "user_name": ["ana", "local"],
        }
    )
    shown = ingest.summary.readable_runs(runs)
    assert shown.columns == list(ingest.summary.RUN_COLUMNS)
    assert shown["files"].to_list() == ["Account.csv, <b>x</b>.csv", ""]
    assert shown["rows"].to_list() == [9, 0]
    assert shown["problems"].to_list() == [2, 0]
