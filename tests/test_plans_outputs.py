"""Account plans: exports, the leaders' overview and the command line."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from html.parser import HTMLParser

import polars as pl

from tests.plans_seed import ANNA, BEN, HOSTILE, full_plan, seed
from workbench import charts, plans, readers, store
from workbench.cli import main as cli_main
from workbench.domain import Actor
from workbench.plans.overview import SEGMENT_PRIORITY

# --- exports ---------------------------------------------------------------------


def _hostile_plan(con: store.Connection) -> plans.PlanVersion:
    plan = full_plan(text=HOSTILE)
    plan.account_name = HOSTILE
    plan.value_notes = HOSTILE
    plan.value_services.append(HOSTILE)
    plan.actions.append(plans.Action(HOSTILE, '=HYPERLINK("http://x")', "@SUM(A1)"))
    plan.risks.append(plans.Risk(HOSTILE))
    plan.situation = plans.build_situation(con, "A1", as_of=date(2026, 9, 30))
    return plans.save_plan(con, Actor(HOSTILE, "analyst"), plan, based_on=0)


def test_markdown_export_has_every_part_in_order_and_inert_html(seeded):
    saved = _hostile_plan(seeded)
    text = plans.plan_to_markdown(saved.plan, saved)
    assert "<script" not in text and "<img" not in text
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text
    # the plan first, the situation it was written from as an appendix
    order = [
        "## Objectives",
        "1. Identify",
        "2. Differentiate",
        "3. Interact",
        "4. Customise",
        "Value proposition",
        "## Actions",
        "## Risks",
        "## Appendix: Situation as of 2026-09-30",
    ]
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert "Version 1 · saved by" in text
    assert "- [x] Delivery guarantees" in text and "- [ ] Technical assistance" in text
    assert "| Dora Decider | Executive visit | Sam Seller | 2026-01-15 | open |" in text
    # a source with nothing on the account says so instead of showing figures
    assert "_Unavailable: Nobody at this account answered" in text
    pending = plans.Plan(
        "A1",
        situation=plans.Situation(
            "A1",
            date(2026, 9, 30),
            datetime(2026, 10, 1),
            [plans.SituationPart("later", "Later", "pending", "not yet computed")],
        ),
    )
    assert "_Pending: not yet computed_" in plans.plan_to_markdown(pending)
    assert "Pending: not yet computed" in plans.plan_to_html(pending)


ALLOWED_TAGS = {
    *("html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p"),
    *("div", "dl", "dt", "dd", "ul", "li", "table", "thead", "tbody", "tr"),
    *("th", "td", "strong", "em"),
}


def _start_tags(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(page)
    return found


def test_markdown_export_shows_image_links_as_text():
    plan = plans.Plan(
        "A1", identify="See ![pixel](http://tracker.example/p.png) and *this*"
    )
    text = plans.plan_to_markdown(plan)
    assert "![pixel]" not in text and "!\\[pixel](http://tracker.example/p.png)" in text
    assert "*this*" in text  # the author's own emphasis stays


def test_html_export_is_self_contained_printable_and_escaped(seeded):
    saved = _hostile_plan(seeded)
    page = plans.plan_to_html(saved.plan, saved)
    assert page.startswith("<!DOCTYPE html>")
    assert "@media print" in page and "<style>" in page
    assert page.count("<script") == 0
    assert "<img" not in page and "onerror=alert(1)>" not in page
    assert '" onmouseover="' not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # parse the page: only our own tags, no event handlers, nothing loaded
    tags = _start_tags(page)
    assert {name for name, _ in tags} <= ALLOWED_TAGS
    attributes = {attr for _, attrs in tags for attr, _ in attrs}
    assert attributes <= {"lang", "charset", "name", "content", "class"}
    assert "Won revenue, last 12 months" in page


def test_actions_csv_neutralises_formulas(seeded):
    saved = _hostile_plan(seeded)
    rows = list(
        csv.DictReader(io.StringIO(plans.actions_csv(saved.plan).decode("utf-8-sig")))
    )
    assert [r["contact"] for r in rows][:2] == ["Dora Decider", "Bert Buyer"]
    hostile = rows[-1]
    assert hostile["action"] == '\'=HYPERLINK("http://x")'
    assert hostile["owner"] == "'@SUM(A1)"
    assert hostile["account_id"] == "A1"


# --- the leaders' overview --------------------------------------------------------


def test_overview_finds_missing_stale_plans_and_overdue_actions(seeded):
    plans.save_plan(seeded, ANNA, full_plan("A1"), based_on=0, now=datetime(2026, 1, 1))
    old = full_plan("A2")
    old.actions[0].due_on = date(2024, 1, 1)
    plans.save_plan(seeded, ANNA, old, based_on=0, now=datetime(2024, 1, 1))
    overview = plans.plans_overview(seeded, today=date(2026, 2, 1))
    states = dict(overview.accounts.select("account_id", "plan_state").rows())
    assert states == {"A1": "current", "A2": "stale", "A3": "no plan"}
    assert sorted(overview.missing["account_id"]) == ["A2", "A3"]
    # A1's open action was due 2026-01-15; its done action does not count
    overdue = overview.overdue.select("account_id", "action", "days_overdue").rows()
    assert overdue == [("A2", "Executive visit", 762), ("A1", "Executive visit", 17)]
    totals = overview.summary.drop("segment").sum().row(0, named=True)
    assert totals["accounts"] == 3 and totals["current_plans"] == 1
    assert totals["no_plan"] == 1 and totals["stale_plans"] == 1
    assert totals["agreed"] == 1 and totals["overdue_actions"] == 2
    assert overview.agreed_plans == 1
    # segments come from the segmentation, one summary row per segment present
    assert not overview.segments_pending
    expected = readers.account_segments(seeded).select(
        "account_id", pl.col("value_segment").alias("segment")
    )
    assert dict(overview.accounts.select("account_id", "segment").rows()) == dict(
        expected.rows()
    )
    assert sorted(overview.summary["segment"]) == sorted(set(expected["segment"]))


def test_the_overview_lists_the_segments_most_valuable_first(demo_con):
    # by the segments' priority, as the accounts without a plan; not by name
    # (which put "below_zero" and "maintain" before "most_valuable")
    shown = plans.plans_overview(demo_con, today=date(2026, 10, 1)).summary["segment"]
    assert len(shown) >= 4
    assert shown.to_list() == sorted(
        shown, key=lambda name: SEGMENT_PRIORITY.get(name, len(SEGMENT_PRIORITY))
    )


def test_overview_and_situation_of_an_empty_database(con):
    overview = plans.plans_overview(con, today=date(2026, 2, 1))
    assert overview.accounts.height == overview.summary.height == 0
    assert overview.missing.height == overview.overdue.height == 0
    assert charts.overview_chart(overview).to_dict()["mark"]["type"] == "bar"
    situation = plans.build_situation(con, "X", as_of=date(2026, 9, 30))
    assert {p.status for p in situation.parts} == {"unavailable"}
    assert plans.draft_sections(situation) == dict.fromkeys(plans.SECTIONS, "")


def test_overview_counts_only_the_current_version(seeded):
    plans.save_plan(seeded, ANNA, full_plan(), based_on=0, now=datetime(2026, 1, 1))
    done = full_plan()
    for action in done.actions:
        action.status = "done"
    plans.save_plan(seeded, ANNA, done, based_on=1, now=datetime(2026, 1, 2))
    overview = plans.plans_overview(seeded, today=date(2026, 2, 1))
    assert overview.overdue.height == 0
    row = overview.accounts.filter(pl.col("account_id") == "A1").row(0, named=True)
    assert (row["plan_version"], row["open_actions"]) == (2, 0)


def test_overview_chart_stacks_plan_states_per_segment(seeded):
    plans.save_plan(seeded, ANNA, full_plan(), based_on=0, now=datetime(2026, 1, 1))
    overview = plans.plans_overview(seeded, today=date(2026, 2, 1))
    spec = charts.overview_chart(overview).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["field"] == "accounts"
    assert spec["encoding"]["y"]["field"] == "segment"
    assert spec["encoding"]["color"]["field"] == "plan_state"
    rows = next(iter(spec["datasets"].values()))
    assert sum(r["accounts"] for r in rows) == 3
    assert sum(r["accounts"] for r in rows if r["plan_state"] == "current") == 1


# --- the command line --------------------------------------------------------------


def test_cli_exports_a_plan_as_markdown_html_and_csv(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    con = store.connect(db)
    seed(con)
    _hostile_plan(con)
    con.close()
    assert cli_main(["plan", "A1", "--db", str(db), "--format", "md"]) == 0
    assert "# Account plan:" in capsys.readouterr().out
    out = tmp_path / "plan.html"
    assert (
        cli_main(["plan", "A1", "--db", str(db), "--format", "html", "--out", str(out)])
        == 0
    )
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    csv_out = tmp_path / "actions.csv"
    assert (
        cli_main(
            ["plan", "A1", "--db", str(db), "--format", "csv", "--out", str(csv_out)]
        )
        == 0
    )
    assert "'=HYPERLINK" in csv_out.read_text(encoding="utf-8-sig")


def test_cli_prints_the_draft_of_an_account_without_a_plan(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    con = store.connect(db)
    seed(con)
    con.close()
    assert cli_main(["plan", "A2", "--db", str(db), "--format", "md"]) == 0
    assert "Unsaved draft" in capsys.readouterr().out
    assert cli_main(["plan", "NOPE", "--db", str(db), "--format", "md"]) == 1
    assert "no account 'NOPE'" in capsys.readouterr().err


def test_cli_overview_as_json(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    con = store.connect(db)
    seed(con)
    plans.save_plan(con, ANNA, full_plan(), based_on=0)
    con.close()
    assert (
        cli_main(
            ["plans", "--overview", "--json", "--db", str(db), "--today", "2026-02-01"]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["today"] == "2026-02-01"
    assert {a["account_id"] for a in report["missing"]} == {"A2", "A3"}
    assert report["overdue"][0]["action"] == "Executive visit"


def test_cli_overview_in_words_and_older_versions(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    con = store.connect(db)
    seed(con)
    plans.save_plan(con, ANNA, full_plan(text="first"), based_on=0)
    plans.save_plan(con, BEN, full_plan(text="second"), based_on=1)
    con.close()
    assert (
        cli_main(["plans", "--overview", "--db", str(db), "--today", "2026-02-01"]) == 0
    )
    out = capsys.readouterr().out
    assert "Accounts without a current plan: 2" in out
    assert "Overdue actions: 1" in out and "Executive visit" in out
    assert (
        cli_main(["plan", "A1", "--version", "1", "--format", "md", "--db", str(db)])
        == 0
    )
    first = capsys.readouterr().out
    assert "first" in first and "Version 1 · saved by anna" in first
    assert (
        cli_main(["plan", "A1", "--version", "7", "--format", "md", "--db", str(db)])
        == 1
    )
    assert "no plan version 7" in capsys.readouterr().err


def test_cli_exports_the_stored_plan_as_json(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    con = store.connect(db)
    seed(con)
    plans.save_plan(con, ANNA, full_plan(text="first"), based_on=0)
    con.close()
    assert cli_main(["plan", "A1", "--format", "json", "--db", str(db)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["version"], document["saved_by"]) == (1, "anna")
    assert plans.plan_from_dict(document["plan"]) == full_plan(text="first")


def test_overview_lists_missing_plans_by_value_first(demo_con):
    overview = plans.plans_overview(demo_con, today=date(2026, 10, 1))
    segments = overview.missing["segment"].to_list()
    rank = [SEGMENT_PRIORITY.get(s, 9) for s in segments]
    assert rank == sorted(rank)
    assert segments[0] == "most_valuable"
    contributions = (
        readers.account_segments(demo_con)
        .select("account_id", "contribution")
        .join(overview.missing, on="account_id")
        .filter(pl.col("segment") == "most_valuable")
    )
    ordered = overview.missing.join(
        contributions.select("account_id", "contribution"),
        on="account_id",
        how="inner",
        maintain_order="left",
    )
    values = ordered["contribution"].to_list()
    assert values == sorted(values, reverse=True)


def test_overview_groups_by_a_segmentation_given(demo_con):
    from workbench.analytics import segment

    default = plans.plans_overview(demo_con, today=date(2026, 10, 1))
    # the same as the default thresholds' segmentation, given
    given = plans.plans_overview(
        demo_con,
        today=date(2026, 10, 1),
        segmentation=readers.account_segments(demo_con),
    )
    assert given.accounts.equals(default.accounts)
    # a wider top share puts more accounts in the most valuable segment
    wider = segment.Thresholds.from_dict(
        {**segment.DEFAULT_THRESHOLDS.to_dict(), "valuable_top_pct": 40}
    )
    overview = plans.plans_overview(
        demo_con,
        today=date(2026, 10, 1),
        segmentation=readers.account_segments(demo_con, wider),
    )

    def most_valuable(o: plans.PlansOverview) -> int:
        return o.accounts.filter(pl.col("segment") == "most_valuable").height

    assert most_valuable(overview) > most_valuable(default)
    assert overview.accounts.height == default.accounts.height
