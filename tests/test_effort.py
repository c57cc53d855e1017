"""Effort allocation: hand-computed totals from Salesforce-shaped data, charts, the CLI.

The service model, the verdicts and the what-if: tests/test_effort_verdicts.py.
"""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from tests.factories import load_frames, rows_frame
from tests.test_cli_all import EFFORT_JSON_KEYS
from workbench import readers, store
from workbench.analytics import effort, segment

# --- effort totals from activities as the Salesforce importer writes them -------------


def _salesforce_like_frames() -> dict[str, pl.DataFrame]:
    # Salesforce Task.CallDurationInSeconds / 60 and Event.DurationInMinutes arrive in
    # duration_minutes; a task without call seconds (an e-mail, a to-do) has NULL.
    sellers = pl.DataFrame(
        {
            "seller_id": ["005A", "005B"],
            "name": ["Ada Kim", "Bo Li"],
            "team": ["Key Account Management", "Inside Sales"],
        }
    )
    accounts = pl.DataFrame(
        {
            "account_id": ["001A", "001B"],
            "name": ["Acme", "Bolt"],
            "gross_margin_pct": [30.0, 20.0],
            "created_on": [date(2015, 1, 1), date(2024, 1, 1)],
        }
    )
    contacts = pl.DataFrame(
        {
            "contact_id": ["003A", "003B", "003C"],
            "account_id": ["001A", "001A", "001B"],
            "department": ["Engineering", "Procurement", "Procurement"],
            "buying_role": ["influencer", "buyer", "buyer"],
        }
    )
    # Task 900 s → 15 min; e-mail and to-do tasks: no duration; Events: 90 and 30
    # minutes; Bolt's call 1,200 s → 20 min.
    activities = rows_frame(
        "activity_id account_id contact_id seller_id kind activity_date duration_minutes",
        ("00T1", "001A", "003A", "005A", "call", date(2026, 5, 2), 900 / 60),
        ("00T2", "001A", "003B", "005B", "email", date(2026, 5, 3), None),
        ("00T3", "001A", "003B", "005B", "task", date(2026, 4, 1), None),
        ("00U1", "001A", "003A", "005A", "meeting", date(2026, 3, 10), 90.0),
        ("00U2", "001A", "003B", "005A", "visit", date(2025, 11, 20), 30.0),
        ("00T4", "001B", "003C", "005B", "call", date(2026, 2, 1), 1200 / 60),
    ).with_columns(source=pl.lit("salesforce"), source_id=pl.col("activity_id"))
    opportunities = pl.DataFrame(
        {
            "opportunity_id": ["006A", "006B"],
            "account_id": ["001A", "001B"],
            "amount": [100_000.0, 5_000.0],
            "close_date": [date(2026, 1, 15), date(2026, 1, 15)],
            "is_closed": [True, True],
            "is_won": [True, True],
        }
    )
    return {
        "sellers": sellers,
        "accounts": accounts,
        "contacts": contacts,
        "activities": activities,
        "opportunities": opportunities,
    }


@pytest.fixture
def salesforce_con(con):
    load_frames(con, _salesforce_like_frames())
    return con


AS_OF = date(2026, 6, 30)


def test_effort_totals_mix_call_seconds_event_minutes_and_missing(salesforce_con):
    segments = readers.account_segments(salesforce_con, as_of=AS_OF)
    accounts = effort.account_effort(segments)
    acme = accounts.filter(pl.col("account_id") == "001A").row(0, named=True)
    # recorded 15 + 90 + 30 = 135 min; 2 without a duration at 15 min → 165 min
    assert acme["effort_minutes_recorded"] == pytest.approx(135)
    assert acme["activities"] == 5
    assert acme["activities_without_duration"] == 2
    assert acme["effort_minutes"] == pytest.approx(165)
    assert acme["effort_hours"] == pytest.approx(2.75)
    bolt = accounts.filter(pl.col("account_id") == "001B").row(0, named=True)
    assert bolt["effort_minutes"] == pytest.approx(20)
    # another assumption changes only the assumed part
    other = effort.account_effort(
        segment.assign_segments(
            store.account_features(salesforce_con, AS_OF),
            segment.Thresholds(minutes_per_activity_without_duration=0),
        )
    )
    assert other.filter(pl.col("account_id") == "001A")["effort_minutes"][0] == 135
    totals = effort.effort_totals(accounts, hourly_cost=100)
    assert totals["effort_hours"] == pytest.approx(185 / 60)
    assert totals["activities_without_duration"] == 2
    assert totals["cost"] == pytest.approx(185 / 60 * 100)


def test_each_effort_dimension_alone_is_its_rows_of_all_of_them(salesforce_con):
    every = store.effort_aggregates(salesforce_con, AS_OF)
    assert set(every["dimension"]) == set(store.EFFORT_DIMENSIONS)
    for asked in (
        *((d,) for d in store.EFFORT_DIMENSIONS),
        ("kind", "month"),
        ("department", "seller", "kind"),
    ):
        some = store.effort_aggregates(salesforce_con, AS_OF, asked)
        assert some.schema == every.schema
        assert some.equals(every.filter(pl.col("dimension").is_in(asked))), asked
    with pytest.raises(ValueError, match="not effort dimensions"):
        store.effort_aggregates(salesforce_con, AS_OF, ("seller", "weather"))
    with pytest.raises(ValueError, match="not effort dimensions"):
        store.effort_aggregates(salesforce_con, AS_OF, ())


def test_breakdowns_add_up_to_the_account_totals(salesforce_con):
    segments = readers.account_segments(salesforce_con, as_of=AS_OF)
    aggregates = store.effort_aggregates(salesforce_con, AS_OF)
    total_hours = 185 / 60
    for view in effort.BREAKDOWNS:
        if view == "month":
            continue
        breakdown = effort.effort_breakdown(aggregates, segments, view)
        assert breakdown["effort_hours"].sum() == pytest.approx(total_hours), view
    sellers = effort.seller_effort(aggregates, segments)
    by_seller = dict(zip(sellers["seller_name"], sellers["effort_hours"], strict=True))
    # Ada: 15 + 90 + 30 min; Bo: two tasks without a duration (2 × 15) + 20 min
    assert by_seller == pytest.approx({"Ada Kim": 135 / 60, "Bo Li": 50 / 60})
    departments = effort.effort_breakdown(aggregates, segments, "department")
    per_department = departments.group_by("department").agg(
        pl.col("effort_hours").sum()
    )
    assert dict(per_department.iter_rows()) == pytest.approx(
        {"Engineering": 105 / 60, "Procurement": 80 / 60}
    )
    roles = effort.effort_breakdown(aggregates, segments, "role")
    assert set(roles["buying_role"]) == {"influencer", "buyer"}
    trend = effort.effort_trend(aggregates, segments, granularity="quarter")
    assert trend["effort_hours"].sum() == pytest.approx(total_hours)
    assert trend["period_start"].min() == date(2025, 10, 1)


def test_top_labels_keeps_the_busiest(salesforce_con):
    segments = readers.account_segments(salesforce_con, as_of=AS_OF)
    breakdown = effort.effort_breakdown(
        store.effort_aggregates(salesforce_con, AS_OF), segments, "kind"
    )
    top = effort.top_labels(breakdown, 1)
    assert set(top["label"]) == {"meeting"}


# --- the demo and the command line --------------------------------------------------


def test_cli_effort(demo_db, capsys):
    from workbench.cli import main

    assert main(["effort", "--db", str(demo_db), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 60
    assert set(rows[0]) >= EFFORT_JSON_KEYS
    assert sum(r["activities"] for r in rows) > 0
    assert main(["effort", "--db", str(demo_db), "--csv", "--issues"]) == 0
    text = capsys.readouterr().out
    assert text.lstrip("\ufeff").startswith("issue,account_id")
    assert main(["effort", "--db", str(demo_db), "--over-factor", "0"]) == 1


def test_effort_charts_encode_the_right_fields(salesforce_con):
    from workbench import charts

    accounts = effort.account_effort(
        readers.account_segments(salesforce_con, as_of=AS_OF)
    )
    scatter = charts.effort_value_scatter(accounts).to_dict()
    assert scatter["encoding"]["x"]["field"] == "margin"
    assert scatter["encoding"]["y"]["field"] == "effort_hours"
    assert scatter["encoding"]["shape"]["field"] == "relationship"
    groups = effort.effort_by_group(accounts, "value_segment")
    bars = charts.share_bars(effort.share_comparison(groups, "value_segment")).to_dict()
    assert bars["encoding"]["x"]["field"] == "share_pct"
    assert bars["encoding"]["color"]["field"] == "measure"
    segments = readers.account_segments(salesforce_con, as_of=AS_OF)
    aggregates = store.effort_aggregates(salesforce_con, AS_OF)
    stacked = charts.effort_stacked_bars(
        effort.effort_breakdown(aggregates, segments, "seller"), "Effort by seller"
    ).to_dict()
    assert stacked["encoding"]["color"]["field"] == "relationship"
    assert stacked["encoding"]["y"]["field"] == "label"
    trend = charts.effort_trend_chart(
        effort.effort_trend(aggregates, segments, "value_segment"), "value_segment"
    ).to_dict()
    assert trend["encoding"]["x"]["field"] == "period_start"
    assert trend["encoding"]["color"]["field"] == "value_segment"


def test_cli_effort_issue_thresholds(demo_db, capsys):
    from workbench.cli import main

    assert main(["effort", "--db", str(demo_db), "--issues", "--json"]) == 0
    default = json.loads(capsys.readouterr().out)
    args = ["--broad-share", "101", "--executive-share", "101", "--thin-factor", "0"]
    assert main(["effort", "--db", str(demo_db), "--issues", "--json", *args]) == 0
    strict = json.loads(capsys.readouterr().out)
    assert any(r["issue"] == "broad_transactional" for r in default)
    assert not any(r["issue"] == "broad_transactional" for r in strict)
    assert main(["effort", "--db", str(demo_db), "--issues", "--shrink-pct", "-1"]) == 1
    capsys.readouterr()
    # the retired option still runs, says it changes nothing, and changes nothing
    assert (
        main(
            ["effort", "--db", str(demo_db), "--issues", "--json", "--shrink-pct", "50"]
        )
        == 0
    )
    retired = capsys.readouterr()
    assert "--shrink-pct no longer changes anything" in retired.err
    assert json.loads(retired.out) == default


# --- the effort-against-value chart draws at most about 2,000 accounts --------------


def _many_accounts(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "account_id": [f"A{i:04d}" for i in range(n)],
            "value_segment": [("maintain", "most_valuable", "below_zero")[i % 3] for i in range(n)],
            "effort_hours": [float((i * 37) % 101) for i in range(n)],
            "margin": [float((i * 53) % 997) for i in range(n)],
            "effort_index": [1.0 + (i % 7) / 10 for i in range(n)],
        }
    )  # fmt: skip


def test_the_chart_draws_every_account_up_to_the_limit():
    accounts = _many_accounts(50)
    assert effort.drawn_accounts(accounts, 50).equals(accounts)


def test_the_chart_keeps_the_accounts_that_matter_in_their_order():
    accounts = _many_accounts(3_000).with_columns(
        # one account far above its band, one far below, neither busy nor large
        effort_index=pl.when(pl.col("account_id") == "A0007")
        .then(40.0)
        .when(pl.col("account_id") == "A0008")
        .then(0.01)
        .otherwise(pl.col("effort_index"))
    )
    drawn = effort.drawn_accounts(accounts, 300)
    # about the limit: a third of each segment's share per measure, overlapping,
    # plus each segment's lowest and highest hours and margin
    assert 150 <= drawn.height <= 300 + 4 * 3
    ids = set(drawn["account_id"])
    for measure in ("effort_hours", "margin"):
        for _segment, rows in accounts.group_by("value_segment"):
            for picked in (rows.sort(measure).head(1), rows.sort(measure).tail(1)):
                assert picked["account_id"][0] in ids
        assert accounts.sort(measure, descending=True)["account_id"][0] in ids
    assert {"A0007", "A0008"} <= ids
    assert drawn["account_id"].to_list() == sorted(ids)  # the rows keep their order
