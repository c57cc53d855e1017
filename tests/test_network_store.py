"""The buying centre's store reads and contact edits, and the ``map`` command."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.factories import load_frames, rows_frame
from tests.network_support import END
from workbench import domain, store
from workbench.analytics import network
from workbench.domain import Actor
from workbench.errors import PermissionDeniedError, RejectedInputError

# --- editing ---------------------------------------------------------------------------


def test_contact_changes_lists_only_changed_values():
    original = pl.DataFrame(
        {
            "contact_id": ["A", "B", "C"],
            "buying_role": ["buyer", None, "user"],
            "influence": pl.Series([3, None, 2], dtype=pl.Int64),
            "attitude": ["neutral", "skeptic", None],
        }
    )
    edited = original.with_columns(
        pl.Series("buying_role", ["decider", None, "user"]),
        pl.Series("influence", [3.0, 5.0, None]),  # editors return floats
        pl.Series("attitude", ["neutral", "skeptic", None]),
    )
    changes = network.contact_changes(original, edited)
    assert changes.to_dicts() == [
        {"contact_id": "A", "field": "buying_role", "new_value": "decider"},
        {"contact_id": "B", "field": "influence", "new_value": "5"},
        {"contact_id": "C", "field": "influence", "new_value": None},
    ]
    assert network.contact_changes(original, original).height == 0


# --- store: reading an account and saving edits ------------------------------------------

ANALYST = Actor(name="ana", role="analyst")


@pytest.fixture
def small_db(con: store.Connection) -> store.Connection:
    frames = {
        "sellers": pl.DataFrame(
            {"seller_id": ["S1", "S2"], "name": ["Sam", "Sue"], "team": ["KAM", "TS"]}
        ),
        "accounts": pl.DataFrame(
            {"account_id": ["A1", "A2"], "name": ["Acme", "Other"]}
        ),
        "contacts": pl.DataFrame(
            {
                "contact_id": ["C1", "C2", "C3", "X1"],
                "account_id": ["A1", "A1", "A1", "A2"],
                "name": ["Ann", "Bob", "Cy", "Xu"],
                "reports_to_id": [None, "C1", "X1", None],
                "buying_role": ["decider", None, "user", "buyer"],
                "influence": pl.Series([5, 2, None, 3], dtype=pl.Int8),
                "attitude": ["champion", None, "neutral", None],
            }
        ),
        "contact_influences": pl.DataFrame(
            {
                "from_contact_id": ["C2", "X1"],
                "to_contact_id": ["C1", "X1"],
                "strength": pl.Series([2, 1], dtype=pl.Int8),
            }
        ),
        "activities": rows_frame(
            "activity_id account_id contact_id seller_id activity_date duration_minutes",
            ("a1", "A1", "C1", "S1", date(2026, 9, 1), 30.0),
            ("a2", "A1", "C1", "S1", date(2026, 3, 1), 60.0),
            ("a3", "A1", "C2", "S2", date(2025, 1, 1), 15.0),
            ("a4", "A1", None, "S1", date(2026, 9, 30), None),
            ("a5", "A2", "X1", "S1", date(2026, 9, 30), 5.0),
        ),
        "nps_responses": pl.DataFrame(
            {
                "response_id": ["r1", "r2", "r3"],
                "account_id": ["A1", "A1", "A1"],
                "contact_id": ["C1", "C1", "C2"],
                "responded_on": [
                    date(2026, 3, 31),
                    date(2026, 6, 30),
                    date(2026, 10, 5),
                ],
                "score": pl.Series([9, 4, 10], dtype=pl.Int8),
            }
        ),
    }
    load_frames(con, frames)
    return con


def test_read_buying_centre_aggregates_in_the_window(small_db):
    data = store.read_buying_centre(small_db, "A1", months=6, as_of=END)
    assert (data.account_name, data.start, data.end) == ("Acme", date(2026, 3, 30), END)
    contacts = {r["contact_id"]: r for r in data.contacts.iter_rows(named=True)}
    assert set(contacts) == {"C1", "C2", "C3"}
    assert contacts["C1"]["last_touch"] == date(2026, 9, 1)
    assert contacts["C1"]["nps_score"] == 4  # the latest answer up to the window's end
    assert contacts["C2"]["nps_score"] is None  # answered after the window's end
    assert contacts["C3"]["manager_account_id"] == "A2"
    assert contacts["C2"]["manager_account_id"] == "A1"
    touches = data.touches.select("seller_id", "seller_name", "contact_id", "touches")
    assert touches.to_dicts() == [
        {"seller_id": "S1", "seller_name": "Sam", "contact_id": "C1", "touches": 1},
        {"seller_id": "S1", "seller_name": "Sam", "contact_id": None, "touches": 1},
    ]
    assert data.influences.height == 1
    # without as_of the window ends on the last day in the data (an NPS answer here)
    assert store.read_buying_centre(small_db, "A1").end == date(2026, 10, 5)
    longer = store.read_buying_centre(small_db, "A1", months=7, as_of=END)
    assert longer.touches.filter(pl.col("contact_id") == "C1")["touches"][0] == 2


def test_read_buying_centre_counts_other_accounts_activities_naming_its_people(
    small_db,
):
    # Another account's visit to Bob (a person who moved, a shared contact), a
    # call on nobody's account to Ann, and an older visit to Cy outside the
    # window: the first two are touches of A1's people, the third is not.
    with store.write_transaction(small_db) as cur:
        cur.execute(
            """
            INSERT INTO activities (activity_id, account_id, contact_id, seller_id,
                                    activity_date, duration_minutes)
            VALUES ('b1', 'A2', 'C2', 'S2', DATE '2026-08-01', 45),
                   ('b2', NULL, 'C1', 'S1', DATE '2026-07-01', 20),
                   ('b3', 'A2', 'C3', 'S2', DATE '2025-08-01', 10)
            """
        )
    data = store.read_buying_centre(small_db, "A1", months=6, as_of=END)
    touches = data.touches.select("seller_id", "contact_id", "touches", "minutes")
    assert touches.sort("seller_id", "contact_id", nulls_last=True).to_dicts() == [
        {"seller_id": "S1", "contact_id": "C1", "touches": 2, "minutes": 50.0},
        {"seller_id": "S1", "contact_id": None, "touches": 1, "minutes": 0.0},
        {"seller_id": "S2", "contact_id": "C2", "touches": 1, "minutes": 45.0},
    ]
    # the other account's map counts its own activity too, naming A1's person
    other = store.read_buying_centre(small_db, "A2", months=6, as_of=END)
    assert set(other.touches["contact_id"].to_list()) == {"X1", "C2"}


def test_read_buying_centre_rejects_unknown_accounts_and_bad_windows(small_db):
    with pytest.raises(RejectedInputError, match="no account"):
        store.read_buying_centre(small_db, "NOPE")
    with pytest.raises(RejectedInputError, match="at least one month"):
        store.read_buying_centre(small_db, "A1", months=0)


def test_buying_centre_accounts_lists_people_per_account(small_db):
    accounts = store.buying_centre_accounts(small_db)
    assert accounts.rows() == [("A1", "Acme", 3), ("A2", "Other", 1)]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 9, 30), 12, date(2025, 9, 30)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 1, date(2025, 12, 15)),
        (date(2026, 1, 15), 25, date(2023, 12, 15)),
    ],
)
def test_months_before(day, months, expected):
    assert domain.months_before(day, months) == expected


def changes(*rows: tuple[str, str, str | None]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["contact_id", "field", "new_value"], orient="row")


def test_save_contact_edits_updates_and_records_who_and_when(small_db):
    version = store.data_version(small_db)
    saved = store.save_contact_edits(
        small_db,
        ANALYST,
        changes(
            ("C2", "buying_role", "buyer"),
            ("C2", "influence", "4"),
            ("C1", "attitude", None),
            ("C3", "attitude", "neutral"),  # unchanged: not recorded
        ),
    )
    assert saved == 3
    assert store.data_version(small_db) == version + 1
    contacts = store.read_buying_centre(small_db, "A1").contacts
    rows = {r["contact_id"]: r for r in contacts.iter_rows(named=True)}
    assert rows["C2"]["buying_role"] == "buyer" and rows["C2"]["influence"] == 4
    assert rows["C1"]["attitude"] is None
    history = store.contact_edit_history(small_db, "A1")
    assert history.select(
        "name", "field", "old_value", "new_value", "edited_by"
    ).rows() == [
        ("Bob", "influence", "2", "4", "ana"),
        ("Bob", "buying_role", None, "buyer", "ana"),
        ("Ann", "attitude", "champion", None, "ana"),
    ]
    assert history["edited_at"].null_count() == 0
    store.save_contact_edits(small_db, ANALYST, changes(("C3", "influence", "1")))
    edit_ids = store.read_table(small_db, "contact_edits")["edit_id"].to_list()
    assert edit_ids == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("C1", "buying_role", "boss")], "not a valid buying_role"),
        ([("C1", "influence", "9")], "not a valid influence"),
        ([("C1", "attitude", "fan")], "not a valid attitude"),
        ([("C1", "name", "Eve")], "cannot be edited"),
        ([("NOPE", "attitude", "fan"), ("NOPE", "attitude", "neutral")], "twice"),
        ([("NOPE", "attitude", "neutral")], "no contact has the ID 'NOPE'"),
    ],
)
def test_save_contact_edits_rejects_bad_input_and_changes_nothing(
    small_db, rows, message
):
    before = store.read_table(small_db, "contacts")
    version = store.data_version(small_db)
    with pytest.raises(RejectedInputError, match=message):
        store.save_contact_edits(small_db, ANALYST, changes(*rows))
    assert_frame_equal(store.read_table(small_db, "contacts"), before)
    assert store.read_table(small_db, "contact_edits").height == 0
    assert store.data_version(small_db) == version


def test_viewers_may_not_save_edits(small_db):
    viewer = Actor(name="vic", role="viewer")
    with pytest.raises(PermissionDeniedError):
        store.save_contact_edits(small_db, viewer, changes(("C1", "attitude", None)))
    assert store.read_table(small_db, "contact_edits").height == 0


# --- the command line --------------------------------------------------------------------


def test_map_command_writes_the_html_and_prints_json(demo_db, tmp_path, capsys):
    from workbench.cli import main

    out = tmp_path / "maps" / "a00001.html"
    code = main(["map", "A00001", "--db", str(demo_db), "--html", str(out), "--json"])
    assert code == 0
    page = out.read_text(encoding="utf-8")
    assert "vis.Network" in page and "cdnjs" not in page and "cdn.jsdelivr" not in page
    printed = json.loads(capsys.readouterr().out)
    assert printed["account_id"] == "A00001"
    assert [r["role"] for r in printed["coverage"]] == [*domain.BUYING_ROLES, "unknown"]
    assert printed["window"] == {"start": "2025-09-30", "end": "2026-09-30"}
    assert {"risks", "reach_next", "breadth"} <= set(printed)


def test_map_command_exit_codes(demo_db, tmp_path, capsys):
    from workbench.cli import main

    assert main(["map", "NOPE", "--db", str(demo_db), "--json"]) == 1
    assert "no account has the ID 'NOPE'" in capsys.readouterr().err
    assert main(["map", "A00001", "--db", str(demo_db)]) == 2
    assert main(["map", "A00001", "--db", str(demo_db), "--json", "--months", "0"]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["map", "--db", str(demo_db)])
    assert usage.value.code == 2
    out = tmp_path / "plain.html"
    assert main(["map", "A00001", "--db", str(demo_db), "--html", str(out)]) == 0
    assert "people engaged" in capsys.readouterr().out
