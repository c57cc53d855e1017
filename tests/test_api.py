"""The notebook API: opening and closing, segments, effort, voice, buying centres."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from typing import TYPE_CHECKING

import polars as pl
import pytest

import workbench
from tests.api_support import HOSTILE, VIEWER
from tests.api_support import account_id as account_id
from tests.api_support import wb as wb
from workbench import readers, store
from workbench.analytics import effort, segment, voice
from workbench.api import Workbench, open_workbench
from workbench.errors import PermissionDeniedError, RejectedInputError

if TYPE_CHECKING:
    from pathlib import Path


# --- opening and closing ---------------------------------------------------------------


def test_open_workbench_is_exported_from_the_package():
    assert workbench.open_workbench is open_workbench
    assert "open_workbench" in workbench.__all__
    with pytest.raises(AttributeError):
        _ = workbench.no_such_thing  # type: ignore[attr-defined]


def test_importing_the_store_does_not_load_the_notebook_api():
    # The command line and the app import workbench.store; the API (pyvis, altair,
    # every analysis) loads only when someone asks for it.
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, workbench.store; print('workbench.api' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"


def test_info_reports_the_database_and_counts(wb: Workbench, demo_db: Path):
    info = wb.info()
    assert info["database"] == str(demo_db) == wb.path
    assert info["schema_version"] == store.MIGRATIONS[-1].version
    assert info["counts"]["accounts"] == wb.accounts().height == 63
    assert repr(wb) == f"<Workbench {demo_db} as local (admin)>"


def test_in_memory_workbench_starts_empty_and_loads_the_demo():
    with open_workbench(":memory:") as wb:
        assert wb.info()["counts"]["accounts"] == 0
        counts = wb.load_demo(accounts=8, activities=500)
        assert counts["accounts"] == 8 == wb.info()["counts"]["accounts"]


def test_closed_workbench_refuses_clearly_and_closes_twice(demo_db: Path):
    wb = open_workbench(demo_db)
    with wb:
        pass
    assert repr(wb) == "<Workbench closed as local (admin)>"
    with pytest.raises(RejectedInputError, match="closed"):
        wb.segments()
    wb.close()
    # the file is free again for another connection
    with open_workbench(demo_db) as again:
        assert again.info()["counts"]["accounts"] == 63


def test_viewer_reads_but_cannot_load_the_demo(demo_db: Path):
    with open_workbench(demo_db, actor=VIEWER) as wb:
        assert wb.segments().height == 60
        with pytest.raises(PermissionDeniedError):
            wb.load_demo(accounts=3, activities=10)
        assert wb.info()["counts"]["accounts"] == 63


def test_load_demo_rejects_impossible_sizes():
    with open_workbench(":memory:") as wb, pytest.raises(RejectedInputError):
        wb.load_demo(accounts=0)


# --- segmentation and effort ------------------------------------------------------------


def test_segments_equal_the_library_with_the_same_thresholds(wb: Workbench):
    chosen = segment.Thresholds(valuable_top_pct=10, relationship_threshold=50)
    mine = wb.segments(valuable_top_pct=10, relationship_threshold=50)
    library = readers.account_segments(wb.connection, chosen)
    assert mine.sort("account_id").equals(library.sort("account_id"))
    assert wb.thresholds(valuable_top_pct=10, relationship_threshold=50) == chosen
    assert wb.thresholds() == segment.DEFAULT_THRESHOLDS


def test_threshold_changes_move_accounts(wb: Workbench):
    def valuable(frame: pl.DataFrame) -> int:
        return frame.filter(pl.col("value_segment") == "most_valuable").height

    assert valuable(wb.segments(valuable_top_pct=10)) < valuable(wb.segments())
    base = wb.thresholds(valuable_top_pct=30)
    # changes apply on top of the thresholds given
    assert wb.thresholds(base, growable_top_pct=5).valuable_top_pct == 30


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"no_such_threshold": 1}, "unknown thresholds"),
        ({"valuable_top_pct": 140}, "between 0 and 100"),
        ({"hourly_cost": "lots"}, "must be a number"),
    ],
)
def test_bad_thresholds_are_rejected(wb: Workbench, changes, message):
    with pytest.raises(RejectedInputError, match=message):
        wb.segments(**changes)


def test_segment_summary_covers_every_account(wb: Workbench):
    summary = wb.segment_summary(valuable_top_pct=15)
    assert summary["accounts"].sum() == 60
    assert set(summary["value_segment"]) <= set(segment.VALUE_SEGMENTS)


def test_segment_chart_draws_the_cuts_of_the_chosen_thresholds(wb: Workbench):
    chosen = wb.thresholds(valuable_top_pct=15)
    segments = wb.segments(chosen)
    cuts = segment.segment_cuts(segments, chosen)
    spec = wb.chart_segments(segments, chosen).to_dict()
    rules = [
        spec["datasets"][layer["data"]["name"]][0]
        for layer in spec["layer"][1:]
        if layer["mark"]["type"] == "rule"
    ]
    assert {"contribution": cuts.contribution_cut} in rules
    assert {"headroom": cuts.headroom_cut} in rules
    assert spec["layer"][0]["encoding"]["color"]["field"] == "value_segment"


def test_effort_per_account_equals_the_effort_library(wb: Workbench):
    mine = wb.effort(valuable_top_pct=15)
    chosen = segment.Thresholds(valuable_top_pct=15)
    library = readers.judged_effort(wb.connection, chosen)
    assert mine.equals(library)
    # the service model's verdicts on top of the effort library's columns
    plain = effort.account_effort(readers.account_segments(wb.connection, chosen))
    assert set(plain.columns) < set(mine.columns)
    assert {"investment", "people", "deserved_low_hours"} <= set(mine.columns)
    assert mine.height == 60 and mine["effort_hours"].is_sorted(descending=True)
    for column in ("effort_share_pct", "revenue_share_pct", "contribution_share_pct"):
        assert mine[column].sum() == pytest.approx(100)


@pytest.mark.parametrize("by", ["relationship", "value_segment", "segment_and_type"])
def test_effort_per_group_adds_up_to_the_accounts(wb: Workbench, by):
    groups = wb.effort(by)
    accounts = wb.effort()
    assert groups["accounts"].sum() == 60
    assert groups["effort_hours"].sum() == pytest.approx(accounts["effort_hours"].sum())
    assert groups["effort_share_pct"].sum() == pytest.approx(100)


def test_effort_breakdowns_and_sellers_add_up(wb: Workbench):
    total = wb.effort()["effort_hours"].sum()
    for view in ("seller", "team", "department", "role", "kind"):
        hours = wb.effort_breakdown(view)["effort_hours"].sum()
        # activities without an account are not in any account's effort
        assert hours == pytest.approx(total, rel=0.01), view
    sellers = wb.seller_effort()
    assert sellers["effort_hours"].is_sorted(descending=True)
    assert sellers["effort_hours"].sum() == pytest.approx(total, rel=0.01)


def test_misallocations_follow_the_rules(wb: Workbench):
    default = wb.misallocations()
    assert set(default["issue"]) <= set(effort.ISSUES)
    strict = wb.misallocations(over_factor=1.0)
    relaxed = wb.misallocations(over_factor=3.0)

    def over(frame: pl.DataFrame) -> int:
        return frame.filter(pl.col("issue") == "over_served").height

    assert over(relaxed) <= over(default) <= over(strict)
    # below-zero accounts with real effort are over-served even at 3 times the band
    below_zero = wb.effort().filter(
        (pl.col("value_segment") == "below_zero") & (pl.col("effort_hours") > 10)
    )
    assert over(relaxed) >= below_zero.height > 0


def test_effort_charts(wb: Workbench):
    scatter = wb.chart_effort().to_dict()
    assert scatter["mark"]["type"] == "point"
    shares = wb.chart_effort("relationship").to_dict()
    assert shares["mark"]["type"] == "bar"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda wb: wb.effort("colour"), "cannot split effort"),
        (lambda wb: wb.effort_breakdown("colour"), "cannot break effort down"),
        (lambda wb: wb.chart_effort("colour"), "cannot chart effort"),
    ],
)
def test_effort_rejects_unknown_splits(wb: Workbench, call, message):
    with pytest.raises(RejectedInputError, match=message):
        call(wb)


# --- voice of the customer --------------------------------------------------------------


def test_nps_by_role_lists_every_role_and_every_response(wb: Workbench):
    # the demo's answers; its two empty accounts (no people) have none
    by_role = wb.nps()
    assert by_role["role"].to_list()[:7] == list(voice.BUYING_ROLES)
    responses = wb.nps_responses()
    assert responses.height == 2103
    # Each person counts once: their latest answer.
    people = responses["contact_id"].n_unique()
    assert responses["contact_id"].null_count() == 0
    assert by_role["responses"].sum() == people < 2103
    overall = voice.overall_nps(voice.one_answer_per_person(responses))
    promoters = by_role["promoters"].sum()
    detractors = by_role["detractors"].sum()
    assert overall["nps"] == pytest.approx(100 * (promoters - detractors) / people)
    assert (by_role["nps_low"] <= by_role["nps"]).all()


@pytest.mark.parametrize("by", ["department", "org_level", "quarter"])
def test_nps_by_other_dimensions_counts_every_response(wb: Workbench, by):
    frame = wb.nps(by=by)
    people = wb.nps()["responses"].sum()
    # Each person once (per quarter when split by quarter).
    expected = range(people, 2104) if by == "quarter" else range(people, people + 1)
    assert frame.columns[0] == by and frame["responses"].sum() in expected


def test_nps_by_account_has_every_account_and_since_filters(wb: Workbench):
    by_account = wb.nps(by="account")
    assert by_account.height == 60 and "roles_missing" in by_account.columns
    recent = wb.nps(by="quarter", since=date(2026, 1, 1))
    assert recent["quarter"].min() >= "2026-Q1"
    assert recent["responses"].sum() < 2103


def test_nps_rejects_unknown_splits(wb: Workbench):
    with pytest.raises(RejectedInputError, match="cannot split"):
        wb.nps(by="colour")  # type: ignore[arg-type]
    with pytest.raises(RejectedInputError, match="cannot chart"):
        wb.chart_nps(by="colour")  # type: ignore[arg-type]


def test_nps_charts(wb: Workbench):
    bars = wb.chart_nps().to_dict()
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["x"]["field"] == "nps"
    lines = wb.chart_nps(by="quarter").to_dict()
    assert lines["mark"]["type"] == "line"
    assert lines["encoding"]["color"]["field"] == "role"


def test_nps_of_one_account(wb: Workbench):
    one = wb.nps(account_id="A00001")
    answers = wb.nps_responses(account_id="A00001")
    assert one["responses"].sum() == answers["contact_id"].n_unique() > 0
    assert one["responses"].sum() < 2103
    bars = wb.chart_nps(account_id="A00001").to_dict()
    assert bars["mark"]["type"] == "bar"


def test_role_conflicts_widen_with_a_lower_threshold(wb: Workbench):
    # All time: two years of answers give some roles enough to pass the chance test.
    wide = wb.role_conflicts(150)
    narrow = wb.role_conflicts(20)
    assert wide.height <= narrow.height and narrow.height > 0
    assert (narrow["gap"] > 20).all() and narrow["gap"].is_sorted(descending=True)
    assert (narrow["q_value"] <= 0.05).all()
    assert (narrow[["high_responses", "low_responses"]].min_horizontal() >= 5).all()
    chart = wb.chart_role_intervals(narrow["account_id"].to_list()).to_dict()
    assert chart["facet"]["row"]["field"] == "account_name"
    users_vs_deciders = wb.role_conflicts(
        0, min_responses=1, roles_a=["user"], roles_b=["decider", "approver"]
    )
    pairs = set(
        zip(users_vs_deciders["high_role"], users_vs_deciders["low_role"], strict=True)
    )
    assert all("user" in pair for pair in pairs)


def test_risky_detractors_and_comments(wb: Workbench):
    risky = wb.risky_detractors()
    assert risky.height > 0 and (risky["score"] <= 6).all()
    assert (
        risky["buying_role"].is_in(["decider", "approver"]) | (risky["influence"] >= 4)
    ).all()
    found = wb.comments("PRICE")
    assert found.height > 0
    assert found["comment"].str.to_lowercase().str.contains("price", literal=True).all()
    one = wb.comments(account_id="A00001")
    assert one["account_name"].n_unique() == 1


# --- buying centre ----------------------------------------------------------------------


def test_buying_centre_returns_map_report_and_people(wb: Workbench, account_id: str):
    centre = wb.buying_centre(account_id, roles=["decider", "approver", "buyer"])
    assert centre.account_id == account_id
    assert (
        centre.people.height
        == store.read_buying_centre(wb.connection, account_id).contacts.height
    )
    assert centre.report.coverage.height > 0
    assert set(centre.summary()) == {"coverage", "breadth", "risks", "reach_next"}
    # the pyvis Network holds only the chosen roles (plus our sellers)
    contact_nodes = [n for n in centre.network.nodes if n.get("group") == "contact"]
    chosen = centre.people.filter(
        pl.col("role").is_in(["decider", "approver", "buyer"])
    )
    assert len(contact_nodes) == chosen.height
    assert "cdn.jsdelivr.net" not in centre.html and "vis-network" in centre.html


def test_buying_centre_displays_inline_as_sandboxed_escaped_iframe(
    wb: Workbench, account_id: str
):
    wb.connection.execute(
        "UPDATE accounts SET name = $n WHERE account_id = $a",
        {"n": HOSTILE, "a": account_id},
    )
    first = wb.buying_centre(account_id).people["contact_id"][0]
    wb.connection.execute(
        "UPDATE contacts SET name = $n, title = $n WHERE contact_id = $c",
        {"n": HOSTILE, "c": first},
    )
    shown = wb.buying_centre(account_id, height_px=500)._repr_html_()
    assert shown.startswith("<iframe ") and shown.endswith("></iframe>")
    # only the iframe's own tags are markup; the map and the hostile names are text
    assert shown.count("<") == 2
    assert 'sandbox="allow-scripts"' in shown and "allow-same-origin" not in shown
    assert "height: 560px" in shown


def test_buying_centre_masks_contact_details_for_viewers(demo_db: Path):
    with open_workbench(demo_db, actor=VIEWER) as wb:
        account = str(wb.accounts()["account_id"][0])
        emails = wb.buying_centre(account).people["email"].drop_nulls()
    assert emails.len() > 0 and emails.str.contains(r"^.\*\*\*@").all()


def test_buying_centre_saves_a_standalone_page(
    wb: Workbench, account_id: str, tmp_path
):
    centre = wb.buying_centre(account_id)
    page = centre.save(tmp_path / "map.html")
    assert page.read_text(encoding="utf-8") == centre.html


def test_buying_centre_of_unknown_account_is_rejected(wb: Workbench):
    with pytest.raises(RejectedInputError, match="no account"):
        wb.buying_centre("NO-SUCH-ACCOUNT")
    with pytest.raises(RejectedInputError, match="at least one month"):
        wb.buying_centre(str(wb.accounts()["account_id"][0]), months=0)
