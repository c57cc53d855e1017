"""Segmentation over a database: the feature SQL, stored overrides and scenarios.

On a tiny database built for each rule; then the demo portfolio and the command
line.
"""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from tests.factories import load_frames
from tests.segment_support import _tiny_frames, by_id
from workbench import demo, readers, store
from workbench.analytics import segment
from workbench.domain import LOCAL_ACTOR, Actor
from workbench.errors import PermissionDeniedError, RejectedInputError

VIEWER = Actor(name="viewer", role="viewer")


# --- the feature SQL on a tiny database ----------------------------------------


def test_account_features_sql(con):
    load_frames(con, _tiny_frames())
    features = store.account_features(con, date(2026, 6, 30))
    one = features.filter(pl.col("account_id") == "A1").row(0, named=True)
    assert one["won_12m"] == 100
    assert one["won_prev_12m"] == 50
    assert one["open_pipeline"] == 1000 + 70  # o3 was still open on the as-of date
    assert one["effort_minutes_recorded_12m"] == 60 + 240 + 6
    assert one["activities_12m"] == 4
    assert one["activities_without_duration_12m"] == 1
    assert one["effort_minutes_recorded_prev_12m"] == 180
    assert one["procurement_minutes_12m"] == 6
    assert one["contacts"] == 4
    assert one["contacts_engaged"] == 3
    assert one["departments_engaged"] == 3
    assert one["non_procurement_departments_engaged"] == 2
    assert one["org_levels_engaged"] == 3  # c1 level 1, c4 level 2, c3 level 3
    # executive: the Executive department (c1); c4 is level 2 but heads procurement
    assert one["executive_touches"] == 1
    assert one["executive_contacts_engaged"] == 1
    assert one["executive_minutes_12m"] == 60
    assert one["joint_activities"] == 1  # the workshop; joint planning was earlier
    assert one["nps"] == pytest.approx(0.0)  # one promoter, one detractor
    assert one["nps_responses"] == 2
    assert one["tenure_years"] == pytest.approx(6.0, abs=0.01)
    assert one["as_of"] == date(2026, 6, 30)
    two = features.filter(pl.col("account_id") == "A2").row(0, named=True)
    assert two["won_12m"] == 30
    assert two["procurement_only"] is True
    assert two["nps"] is None
    # a later as-of date moves the windows
    later = store.account_features(con, date(2026, 12, 31))
    assert later.filter(pl.col("account_id") == "A1")["won_12m"][0] == 170


def test_org_levels_stop_at_cycles_other_accounts_and_twelve_levels(con):
    # A1: a chain of 14 (levels 1-12 counted, 13 and 14 cut), two people managing
    # each other (no top: no level), one whose manager is at A2 (a top here).
    chain = [f"k{i}" for i in range(14)]
    ids = [*chain, "p", "q", "x", "y"]
    contacts = pl.DataFrame(
        {
            "contact_id": ids,
            "account_id": ["A1"] * 17 + ["A2"],
            "title": ["Engineer"] * 18,
            "department": ["Engineering"] * 18,
            "reports_to_id": [None, *chain[:-1], "q", "p", "y", None],
        }
    )
    activities = pl.DataFrame(
        {
            "activity_id": [f"t{i}" for i in range(len(ids))],
            "account_id": ["A1"] * 17 + ["A2"],
            "contact_id": ids,
            "kind": ["meeting"] * len(ids),
            "activity_date": [date(2026, 5, 1)] * len(ids),
            "duration_minutes": [30.0] * len(ids),
        }
    )
    frames = _tiny_frames()
    load_frames(con, {**frames, "contacts": contacts, "activities": activities})
    features = store.account_features(con, as_of=date(2026, 6, 30))
    row = features.filter(pl.col("account_id") == "A1").row(0, named=True)
    # levels 1 to 12 from the chain; x sits at the top (level 1) too
    assert row["org_levels_engaged"] == 12
    assert row["contacts_engaged"] == 17
    assert row["activities_12m"] == 17


def test_default_as_of_is_the_last_day_in_the_data(con):
    load_frames(con, _tiny_frames())
    assert store.resolve_as_of(con) == date(2026, 9, 1)


def test_account_segments_from_the_database(con):
    load_frames(con, _tiny_frames())
    store.set_relationship_override(con, LOCAL_ACTOR, "A2", "partnership", "pilot")
    segments = readers.account_segments(con, as_of=date(2026, 6, 30))
    assert by_id(segments, "relationship")["A2"] == "partnership"
    assert by_id(segments, "effort_hours")["A1"] == pytest.approx((306 + 15) / 60)


# --- overrides and scenarios -----------------------------------------------------


def test_overrides_crud_and_validation(con):
    load_frames(con, _tiny_frames())
    version = store.data_version(con)
    store.set_relationship_override(
        con, LOCAL_ACTOR, "A1", "transactional", " tender only "
    )
    store.set_relationship_override(con, LOCAL_ACTOR, "A1", "partnership", "renewed")
    overrides = store.relationship_overrides(con)
    assert overrides.height == 1
    assert overrides.row(0, named=True)["reason"] == "renewed"
    assert overrides.row(0, named=True)["set_by"] == "local"
    assert store.data_version(con) > version
    with pytest.raises(RejectedInputError, match="reason"):
        store.set_relationship_override(con, LOCAL_ACTOR, "A1", "partnership", "  ")
    with pytest.raises(RejectedInputError, match="one of"):
        store.set_relationship_override(con, LOCAL_ACTOR, "A1", "friends", "x")
    with pytest.raises(RejectedInputError, match="no account"):
        store.set_relationship_override(con, LOCAL_ACTOR, "nope", "partnership", "x")
    with pytest.raises(PermissionDeniedError):
        store.set_relationship_override(con, VIEWER, "A1", "partnership", "x")
    assert store.relationship_overrides(con).row(0, named=True)["reason"] == "renewed"
    assert store.delete_relationship_override(con, LOCAL_ACTOR, "A1")
    assert store.relationship_overrides(con).height == 0


def test_hostile_override_reason_is_stored_as_text(con):
    load_frames(con, _tiny_frames())
    evil = "<script>alert(1)</script>'; DROP TABLE accounts; --"
    store.set_relationship_override(con, LOCAL_ACTOR, "A1", "partnership", evil)
    assert store.relationship_overrides(con)["reason"][0] == evil
    assert store.table_counts(con)["accounts"] == 2


def test_scenarios_persist(demo_db):
    connection = store.connect(demo_db)
    thresholds = segment.Thresholds(hourly_cost=120, valuable_top_pct=10)
    store.save_segment_scenario(
        connection, LOCAL_ACTOR, "Workshop A", thresholds.to_dict()
    )
    with pytest.raises(RejectedInputError):
        store.save_segment_scenario(connection, LOCAL_ACTOR, " ", thresholds.to_dict())
    with pytest.raises(PermissionDeniedError):
        store.save_segment_scenario(connection, VIEWER, "x", thresholds.to_dict())
    connection.close()
    reopened = store.connect(demo_db)
    scenarios = store.segment_scenarios(reopened)
    assert scenarios["name"].to_list() == ["Workshop A"]
    saved = segment.Thresholds.from_dict(json.loads(scenarios["thresholds"][0]))
    assert saved == thresholds
    assert store.delete_segment_scenario(reopened, LOCAL_ACTOR, "Workshop A")
    assert store.segment_scenarios(reopened).height == 0
    reopened.close()


# --- the demo portfolio -----------------------------------------------------------


def test_demo_yields_every_segment_and_type(demo_con):
    segments = readers.account_segments(demo_con)
    assert set(segments["value_segment"]) == set(segment.VALUE_SEGMENTS)
    assert set(segments["relationship"]) == {"transactional", "partnership"}
    kinds = segments.join(demo.archetypes(), on="account_id")
    overserved = kinds.filter(pl.col("archetype") == "overserved")
    assert overserved.height > 0
    assert set(overserved["value_segment"]) == {"below_zero"}
    assert set(overserved["relationship"]) == {"transactional"}
    strategic = kinds.filter(pl.col("archetype") == "strategic")
    assert set(strategic["value_segment"]) == {"most_valuable"}
    assert set(strategic["relationship"]) == {"partnership"}


# --- the command line -------------------------------------------------------------


def test_cli_segment_json_and_csv(demo_db, capsys):
    from workbench.cli import main

    assert (
        main(["segment", "--db", str(demo_db), "--json", "--hourly-cost", "120"]) == 0
    )
    printed = json.loads(capsys.readouterr().out)
    assert printed["thresholds"]["hourly_cost"] == 120
    assert printed["as_of"] == "2026-09-30"
    rows = printed["accounts"]
    assert len(rows) == 60
    assert {
        "account_id",
        "name",
        "value_segment",
        "relationship",
        "contribution",
    } <= set(rows[0])
    assert {r["value_segment"] for r in rows} <= set(segment.VALUE_SEGMENTS)
    assert (
        main(["segment", "--db", str(demo_db), "--csv", "--as-of", "2026-06-30"]) == 0
    )
    csv_text = capsys.readouterr().out
    assert csv_text.lstrip("\ufeff").startswith(
        "account_id,name,value_segment,relationship"
    )
    assert len(csv_text.strip().splitlines()) == 61


def test_cli_segment_rejects_bad_input(demo_db, capsys):
    from workbench.cli import main

    assert main(["segment", "--db", str(demo_db), "--top-pct", "150"]) == 1
    assert "between 0 and 100" in capsys.readouterr().err
    assert main(["segment", "--db", str(demo_db), "--scenario", "missing"]) == 1
    with pytest.raises(SystemExit) as exit_info:
        main(["segment", "--db", str(demo_db), "--as-of", "yesterday"])
    assert exit_info.value.code == 2
