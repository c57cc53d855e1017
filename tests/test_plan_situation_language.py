"""The situation appendix of a plan reads in the language in force; its data does not."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import polars as pl
import pytest

from workbench import i18n, plans, terms
from workbench.api import open_workbench

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: A word joined by underscores, as code names things (most_valuable, p_value).
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def english_after() -> Iterator[None]:
    yield
    i18n.set_language("en")


def appendix(markdown: str) -> str:
    # the situation is the plan's last section
    return markdown[markdown.rindex("\n## ") + 1 :]


def test_the_plan_s_appendix_reads_in_chinese_and_keeps_its_data(
    demo_db: Path, english_after: None
):
    with open_workbench(demo_db) as wb:
        draft = wb.plan("A00001")
        facts = {f.label: f.value for p in draft.plan.situation.parts for f in p.facts}
        english = draft.to_markdown()
        i18n.set_language("zh-Hans")
        text = draft.to_markdown()
    shown = appendix(text)
    # what the CRM left empty (a person's role) reads as every table labels it
    assert "| (unknown) |" in appendix(english)
    assert "| （未知） |" in shown and "(unknown)" not in shown
    # the relationship risks are stored as codes and named in the glossary's words
    coverage = draft.plan.situation.part("coverage")
    risks = next(t for t in coverage.tables if t.title == "Relationship risks")
    codes = {row[risks.columns.index("risk")] for row in risks.rows}
    assert codes and codes <= set(terms.RELATIONSHIP_RISKS)
    for code in codes:
        assert f"| {code} |" in english and f"| {code} |" not in shown
        words = i18n.translations("zh-Hans").gettext(terms.RELATIONSHIP_RISKS[code])
        assert f"| {words} |" in shown
    assert shown.startswith("## 附录："), shown[:80]
    for heading in (
        "### 来自 CRM",
        "### 价值细分与关系",
        "### 采购中心的覆盖",
        "**按采购角色的人员**",
        "**按采购角色的覆盖**",
    ):
        assert heading in shown, heading
    assert "- **行业**: " + str(facts["Industry"]) in shown  # the data as it is
    assert "- **客户负责人**: " + str(facts["Account owner"]) in shown
    assert "的 12 个月" in shown  # the notes, re-written with their dates
    for english in (
        "From the CRM",
        "Industry",
        "People by buying role",
        "Coverage by buying role",
        "Won revenue",
        "12 months up to",
        "Our touches from",
    ):
        assert english not in shown, english
    header = next(line for line in shown.splitlines() if line.startswith("| "))
    assert not SNAKE.findall(header), header
    assert not SNAKE.findall(re.sub(r"\(.*?\)", "", shown.split("###")[1])), (
        "codes in the CRM part"
    )


def test_the_html_and_the_summary_follow_the_language_too(
    demo_db: Path, english_after: None
):
    with open_workbench(demo_db) as wb:
        draft = wb.plan("A00001")
        currency = wb.currency()
    i18n.set_language("zh-Hant")
    page = plans.plan_to_html(draft.plan)
    assert "<h3>來自 CRM</h3>" in page and "<dt>產業</dt>" not in page
    assert "<dt>客戶負責人</dt>" in page and "From the CRM" not in page
    summary = plans.plan_summary_html(draft.plan, None, currency)
    assert '<html lang="zh-Hant">' in summary
    assert "Value segment" not in summary


def test_english_reads_as_before_and_an_older_note_as_stored(english_after: None):
    part = plans.SituationPart(
        "coverage",
        "Coverage of the buying centre",
        "ready",
        "Our touches from 2025-09-30 (excluded) to 2026-09-30.",
        facts=[
            plans.Fact("People we touched", "16 of 25"),
            plans.Fact("Roles known but not touched", "decider, approver"),
            plans.Fact("Roles with nobody known", "none"),
        ],
    )
    situation = plans.Situation(
        "A1", date(2026, 9, 30), datetime(2026, 10, 1, tzinfo=UTC), [part]
    )
    plan = plans.Plan("A1", "Acme", situation=situation)
    text = plans.plan_to_markdown(plan)
    assert "### Coverage of the buying centre" in text
    assert "Our touches from 2025-09-30 (excluded) to 2026-09-30." in text
    assert "- **People we touched**: 16 of 25" in text
    assert "- **Roles known but not touched**: decider, approver" in text
    i18n.set_language("zh-Hans")
    text = plans.plan_to_markdown(plan)
    # a plan saved before notes kept their message: the note as it was stored
    assert "Our touches from 2025-09-30 (excluded) to 2026-09-30." in text
    assert "- **已接触人员**: 16 / 25" in text
    assert "- **已知但未接触的角色**: 决策者, 批准者" in text
    assert "- **无已知人员的角色**: 无" in text


def test_a_stored_situation_keeps_its_note_s_message_through_json():
    part = plans.SituationPart(
        "voice",
        "Voice of the customer",
        "unavailable",
        note_template="no account {account_id}",
        note_args={"account_id": "A9"},
        note="no account A9",
    )
    situation = plans.Situation(
        "A9", date(2026, 9, 30), datetime(2026, 10, 1, tzinfo=UTC), [part]
    )
    again = plans.situation_from_dict(plans.situation_to_dict(situation))
    assert again.parts[0].note_template == "no account {account_id}"
    assert again.parts[0].note_args == {"account_id": "A9"}
    try:
        i18n.set_language("zh-Hans")
        assert plans.part_note(again.parts[0]) == "没有客户 A9"
    finally:
        i18n.set_language("en")


def test_the_plan_screen_shows_the_situation_in_the_language(app_db: Path):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP

    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = "zh-Hans"
    at.run()
    at.switch_page("pages/plans.py").run()
    assert not at.exception, at.exception
    titles = [e.label for e in at.expander]
    assert "来自 CRM" in titles and "采购中心的覆盖" in titles, titles
    assert "From the CRM" not in titles
    shown = " ".join(m.value for m in at.markdown)
    assert "**按采购角色的人员**" in shown and "People by buying role" not in shown


def test_the_segment_s_reasons_read_in_the_language_and_are_stored_in_english(
    demo_db: Path, english_after: None
):
    with open_workbench(demo_db) as wb:
        draft = wb.plan("A00001")
    part = draft.plan.situation.part("segment")
    reasons = {f.label: f for f in part.facts if f.label.startswith("Why this")}
    assert set(reasons) == {"Why this segment", "Why this relationship"}
    for fact in reasons.values():
        assert isinstance(fact.value, str) and not CJK.search(fact.value)
        assert set(fact.worded) == {"zh-Hans", "zh-Hant"}
    english = appendix(draft.to_markdown())
    assert [plans.fact_text(f) for f in reasons.values()] == [
        f.value for f in reasons.values()
    ]
    i18n.set_language("zh-Hans")
    chinese = appendix(draft.to_markdown())
    for fact in reasons.values():
        assert plans.fact_text(fact) == fact.worded["zh-Hans"]
        # the export escapes what Markdown would read: compare the first words
        start = " ".join(str(fact.value).split()[:2])
        assert start in english and start not in chinese
        assert fact.worded["zh-Hans"][:4] in chinese
    # through the stored JSON, and an older plan's fact (no words) as stored
    again = plans.situation_from_dict(plans.situation_to_dict(draft.plan.situation))
    kept = next(f for f in again.part("segment").facts if f.label == "Why this segment")
    assert kept.worded == reasons["Why this segment"].worded
    older = plans.Fact("Why this segment", "lifetime value 5 is below …")
    assert plans.fact_text(older) == "lifetime value 5 is below …"


def test_the_situation_s_sentences_in_tables_read_in_the_language(
    demo_db: Path, english_after: None
):
    with open_workbench(demo_db) as wb:
        draft = wb.plan("A00001")
    situation = draft.plan.situation
    tables = {
        t.title: t
        for key in ("coverage", "effort")
        for t in situation.part(key).tables
        if t.title in ("Relationship risks", "Effort issues")
    }
    assert "Relationship risks" in tables  # the demo's first account has some
    for table in tables.values():
        assert set(table.worded) == {"zh-Hans", "zh-Hant"}
        sentence = table.columns.index("detail" if "detail" in table.columns else "why")
        english = [row[sentence] for row in plans.table_rows(table)]
        assert not any(CJK.search(str(text)) for text in english)
        i18n.set_language("zh-Hant")
        chinese = [row[sentence] for row in plans.table_rows(table)]
        i18n.set_language("en")
        assert all(CJK.search(str(text)) for text in chinese), chinese
        assert len(chinese) == len(english)
    again = plans.situation_from_dict(plans.situation_to_dict(situation))
    kept = next(
        t for t in again.part("coverage").tables if t.title == "Relationship risks"
    )
    assert kept.worded == tables["Relationship risks"].worded
    # an older plan's table (no other language) is shown as stored
    older = plans.SituationTable("Relationship risks", ["risk", "detail"], [["x", "y"]])
    i18n.set_language("zh-Hans")
    assert plans.table_rows(older) == [["x", "y"]]


def test_a_table_s_other_language_is_kept_only_when_its_rows_are_the_same_rows():
    from workbench.plans.wording import situation_table

    english = pl.DataFrame(
        {"risk": ["dark decider", "no contact"], "detail": ["a", "b"]}
    )
    same = english.with_columns(pl.Series("detail", ["甲", "乙"]))
    table = situation_table("Relationship risks", english, lambda _language: same)
    chinese = [["dark decider", "甲"], ["no contact", "乙"]]
    assert table.worded == {"zh-Hans": chinese, "zh-Hant": chinese}
    for other in (
        same.reverse(),  # the rows in another order
        same.head(1),  # fewer rows
        same.rename({"detail": "why"}),  # other columns
    ):
        assert situation_table("t", english, lambda _language, o=other: o).worded == {}
    rounded = situation_table("t", pl.DataFrame({"x": ["a"], "share": [0.12345]}))
    assert rounded.rows == [["a", 0.12]] and rounded.worded == {}
