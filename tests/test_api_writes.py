"""The notebook API's writes: plans, imports, surveys, edits, undo; a real export."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import polars as pl
import pytest

from tests.api_support import HOSTILE, VIEWER
from tests.api_support import account_id as account_id
from tests.api_support import wb as wb
from tests.conftest import REAL_DATASETS, salesforce_export
from workbench import plans, store
from workbench.analytics import segment
from workbench.api import AccountPlan, ImportRejectedError, Workbench, open_workbench
from workbench.domain import Actor
from workbench.errors import PermissionDeniedError, RejectedInputError

if TYPE_CHECKING:
    from pathlib import Path


# --- plans ------------------------------------------------------------------------------


def test_new_plan_is_a_draft_with_its_situation(wb: Workbench, account_id: str):
    draft = wb.plan(account_id)
    assert draft.is_draft and draft.version == 0 and draft.saved is None
    assert draft.plan.account_id == account_id
    assert draft.plan.situation is not None
    crm = draft.plan.situation.part("crm")
    assert crm is not None and crm.status == "ready"
    assert draft.to_markdown().startswith("# Account plan:")
    assert draft._repr_markdown_() == draft.to_markdown()
    # its money in the portfolio's currency, as the app and the summary give it
    assert draft.currency == wb.currency()
    assert "- **Won revenue, last 12 months**: $" in draft.to_markdown()


def test_saved_plan_comes_back_as_the_current_version(wb: Workbench, account_id: str):
    draft = wb.plan(account_id)
    draft.plan.identify = "Who signs the 2027 framework?"
    draft.plan.actions.append(plans.Action(contact="Anna", action="=1+2 review"))
    saved = wb.save_plan(draft)
    assert saved.version == 1 and saved.saved is not None
    assert saved.saved.saved_by == "local"
    current = wb.plan(account_id)
    assert current.version == 1 and not current.is_draft
    assert current.plan.identify == "Who signs the 2027 framework?"
    assert wb.plan_history(account_id).height == 1
    # a save from the stale draft is refused, and nothing is lost
    with pytest.raises(plans.PlanConflictError):
        wb.save_plan(draft)
    current.plan.interact = "Monthly plant visits."
    assert wb.save_plan(current).version == 2
    assert wb.plan(account_id, version=1).plan.interact == ""


def test_plan_exports_by_suffix(wb: Workbench, account_id: str, tmp_path):
    draft = wb.plan(account_id)
    draft.plan.actions.append(plans.Action(contact="Anna", action="=1+2 review"))
    saved = wb.save_plan(draft)
    markdown = saved.export(tmp_path / "plan.md").read_text(encoding="utf-8")
    assert markdown == saved.to_markdown() and "Version 1 · saved by local" in markdown
    # a stored version, read again, gives its money in the portfolio's currency too
    assert saved.currency == wb.plan(account_id).currency == wb.currency()
    assert "- **Won revenue, last 12 months**: $" in markdown
    assert (
        "<!doctype html>"
        in saved.export(tmp_path / "plan.html").read_text(encoding="utf-8").lower()
    )
    # actions CSV is spreadsheet-safe: the formula-like text is quoted
    assert "'=1+2 review" in saved.export(tmp_path / "actions.csv").read_text(
        encoding="utf-8-sig"
    )
    with pytest.raises(RejectedInputError, match=r"\.md, \.html or \.csv"):
        saved.export(tmp_path / "plan.docx")


def test_plan_errors(wb: Workbench, account_id: str):
    with pytest.raises(RejectedInputError, match="no account"):
        wb.plan("NO-SUCH-ACCOUNT")
    with pytest.raises(RejectedInputError, match="no plan version 4"):
        wb.plan(account_id, version=4)


def test_viewer_cannot_save_a_plan_and_nothing_is_stored(demo_db: Path):
    with open_workbench(demo_db, actor=VIEWER) as wb:
        account = str(wb.accounts()["account_id"][0])
        draft = wb.plan(account)
        with pytest.raises(PermissionDeniedError):
            wb.save_plan(draft)
        assert wb.plan_history(account).height == 0
        # one call may act as someone else
        analyst = Actor(name="ana", role="analyst")
        saved = wb.save_plan(draft, actor=analyst)
        assert isinstance(saved, AccountPlan) and saved.saved is not None
        assert saved.saved.saved_by == "ana"


def test_plans_overview_counts_the_saved_plan(wb: Workbench, account_id: str):
    wb.save_plan(wb.plan(account_id))
    overview = wb.plans_overview(today=date(2026, 10, 1))
    assert overview.missing.height == 59
    assert account_id not in overview.missing["account_id"].to_list()


# --- import -----------------------------------------------------------------------------


def test_import_files_adds_a_salesforce_export(wb: Workbench, tmp_path):
    folder = salesforce_export(tmp_path / "export")
    report = wb.import_files(folder)
    assert report.ok and report.source == "salesforce"
    assert report.counts["accounts"] == 64 and report.counts["contacts"] == 2531
    assert set(report.files_frame()["table"]) == {"accounts", "contacts"}
    centre = wb.buying_centre("001SF0000001")
    assert sorted(centre.people["name"]) == ["Anna Becker", "Jonas Weber"]


def test_import_files_takes_single_paths_and_dry_runs(wb: Workbench, tmp_path):
    folder = salesforce_export(tmp_path / "export")
    report = wb.import_files(
        str(folder / "Account.csv"), source="salesforce", dry_run=True
    )
    assert report.ok and report.dry_run
    assert wb.info()["counts"]["accounts"] == 63


def test_rejected_import_raises_with_its_report_and_changes_nothing(
    wb: Workbench, tmp_path
):
    folder = salesforce_export(tmp_path / "export", account_id="001MISSING")
    (folder / "Account.csv").unlink()
    before = wb.info()["counts"]
    with pytest.raises(ImportRejectedError, match="import rejected") as rejected:
        wb.import_files(folder)
    assert not rejected.value.report.ok
    problems = rejected.value.report.problems_frame()
    assert problems.filter(pl.col("level") == "error").height > 0
    assert wb.info()["counts"] == before
    # without check the report comes back instead
    assert not wb.import_files(folder, check=False).ok


def test_viewer_cannot_import(demo_db: Path, tmp_path):
    folder = salesforce_export(tmp_path / "export")
    with open_workbench(demo_db, actor=VIEWER) as wb:
        with pytest.raises(PermissionDeniedError):
            wb.import_files(folder)
        assert wb.info()["counts"]["accounts"] == 63


# --- surveys and features ---------------------------------------------------------------


def _survey(path: Path, email: str, score: str = "3") -> Path:
    path.write_text(
        "Account,Email,Date,How likely are you to recommend us? (0-10),Comment\n"
        f'A00001,{email},2026-09-15,{score},"{HOSTILE.replace(chr(34), chr(39))} slow"\n',
        encoding="utf-8",
    )
    return path


def test_import_survey_adds_responses_once(wb: Workbench, tmp_path):
    email = str(store.read_buying_centre(wb.connection, "A00001").contacts["email"][0])
    survey = _survey(tmp_path / "survey.csv", email)
    checked = wb.import_survey(survey, dry_run=True)
    assert checked.written == {} and checked.result.responses.height == 1
    assert wb.nps_responses().height == 2103
    first = wb.import_survey(survey)
    assert first.written["inserted"] == 1
    responses = wb.nps_responses()
    assert responses.height == 2104
    # the comment is stored as the text it is
    assert (
        responses.filter(
            pl.col("comment").str.contains("<script>", literal=True)
        ).height
        == 1
    )
    again = wb.import_survey(survey)
    assert again.written["inserted"] == 0 and wb.nps_responses().height == 2104
    assert again.problems_frame().columns == [
        "level",
        "file",
        "row",
        "column",
        "message",
    ]


def test_bad_survey_is_rejected_and_changes_nothing(wb: Workbench, tmp_path):
    email = str(store.read_buying_centre(wb.connection, "A00001").contacts["email"][0])
    survey = _survey(tmp_path / "survey.csv", email, score="11")
    with pytest.raises(RejectedInputError, match="nothing changed"):
        wb.import_survey(survey)
    assert wb.nps_responses().height == 2103


def test_viewer_cannot_import_a_survey(demo_db: Path, tmp_path):
    survey = _survey(tmp_path / "survey.csv", "nobody@example.com")
    with open_workbench(demo_db, actor=VIEWER) as wb:
        with pytest.raises(PermissionDeniedError):
            wb.import_survey(survey)
        assert wb.nps_responses().height == 2103


def test_features_have_one_row_per_account_and_move_with_as_of(wb: Workbench):
    latest = wb.features()
    earlier = wb.features(as_of=date(2025, 9, 30))
    assert latest.height == earlier.height == 60
    assert latest["account_id"].n_unique() == 60
    assert latest["won_12m"].sum() != earlier["won_12m"].sum()


# --- overrides, scenarios, contact edits, undo, backup ----------------------------------


def test_relationship_override_wins_and_can_be_cleared(wb: Workbench):
    scored = wb.segments().filter(pl.col("relationship") == "transactional")
    account = str(scored["account_id"][0])
    wb.set_relationship(account, "partnership", "joint roadmap agreed in 2026")
    row = wb.segments().filter(pl.col("account_id") == account).row(0, named=True)
    assert row["relationship"] == "partnership"
    assert row["relationship_source"] == "override" and row["override_by"] == "local"
    assert wb.clear_relationship(account) is True
    assert wb.clear_relationship(account) is False
    row = wb.segments().filter(pl.col("account_id") == account).row(0, named=True)
    assert row["relationship"] == "transactional"


def test_relationship_override_needs_a_reason_and_the_right(wb: Workbench, demo_db):
    account = str(wb.accounts()["account_id"][0])
    with pytest.raises(RejectedInputError, match="reason"):
        wb.set_relationship(account, "partnership", "  ")
    with pytest.raises(PermissionDeniedError):
        wb.set_relationship(account, "partnership", "because", actor=VIEWER)
    # nothing was saved: every type still comes from the target or observed score
    assert set(wb.segments()["relationship_source"]) <= {"target", "observed"}


def test_scenarios_are_saved_and_compared(wb: Workbench):
    saved = wb.save_scenario("Workshop A", valuable_top_pct=10)
    assert saved.valuable_top_pct == 10
    assert wb.scenarios()["name"].to_list() == ["Workshop A"]
    comparison = wb.compare_scenarios("Workshop A", segment.DEFAULT_THRESHOLDS)
    assert comparison.height == 60
    moved = comparison.filter(pl.col("moved"))
    # 6 most valuable at 10 %, 12 at 20 %: at least 6 accounts change segment
    assert moved.height >= 6
    assert comparison["moved"].to_list()[: moved.height] == [True] * moved.height
    with pytest.raises(RejectedInputError, match="no saved scenario"):
        wb.compare_scenarios("Workshop B", "Workshop A")


def test_contact_edits_change_the_map_and_are_checked(wb: Workbench):
    centre = wb.buying_centre("A00001")
    others = centre.people.filter(
        (pl.col("role") != "decider") & (pl.col("influence").fill_null(0) != 5)
    )
    person = str(others["contact_id"][0])
    changes = pl.DataFrame(
        {
            "contact_id": [person, person],
            "field": ["buying_role", "influence"],
            "new_value": ["decider", "5"],
        }
    )
    assert wb.edit_contacts(changes) == 2
    row = wb.buying_centre("A00001").people.filter(pl.col("contact_id") == person)
    assert row["buying_role"].item() == "decider" and row["influence"].item() == 5
    bad = pl.DataFrame(
        {"contact_id": [person], "field": ["buying_role"], "new_value": ["king"]}
    )
    with pytest.raises(RejectedInputError):
        wb.edit_contacts(bad)
    with pytest.raises(PermissionDeniedError):
        wb.edit_contacts(changes, actor=VIEWER)


def test_undo_last_import_restores_the_counts(wb: Workbench, tmp_path):
    with pytest.raises(RejectedInputError):
        wb.undo_last_import()
    wb.import_files(salesforce_export(tmp_path / "export"))
    assert wb.info()["counts"]["accounts"] == 64
    undone = wb.undo_last_import()
    assert undone["run_id"] >= 1 and wb.info()["counts"]["accounts"] == 63


def test_backup_needs_an_admin_and_writes_a_manifest(wb: Workbench, tmp_path):
    with pytest.raises(PermissionDeniedError):
        wb.backup(tmp_path / "b1", actor=Actor(name="ana", role="analyst"))
    summary = wb.backup(tmp_path / "b2")
    assert summary.counts["accounts"] == 63
    assert (tmp_path / "b2").is_dir() and any((tmp_path / "b2").iterdir())


# --- a real CRM export, end to end ------------------------------------------------------


def test_real_salesforce_export_end_to_end(tmp_path):
    export = REAL_DATASETS / "salesforce-lwc-recipes"
    if not export.exists():
        pytest.skip("real data set salesforce-lwc-recipes is not available")
    with open_workbench(":memory:") as wb:
        report = wb.import_files(export)
        assert report.source == "salesforce" and report.counts["accounts"] == 10
        segments = wb.segments()
        assert segments.height == 10
        assert wb.chart_segments(segments).to_dict()["layer"]
        assert wb.effort()["effort_hours"].sum() == 0  # the export has no activities
        assert wb.chart_effort().to_dict()["mark"]["type"] == "point"
        assert wb.nps()["responses"].sum() == 0
        centre = wb.buying_centre("AccountRef1")
        assert sorted(centre.people["title"]) == [
            "CEO",
            "VP of Engineering",
            "VP of Technology",
        ]
        assert centre._repr_html_().count("<") == 2
        saved = wb.save_plan(wb.plan("AccountRef1"))
        markdown = saved.export(tmp_path / "plan.md").read_text(encoding="utf-8")
        assert markdown.startswith("# Account plan: Alpha Dynamics (AccountRef1)")
