"""A plan's drafts and suggested actions read in the language they are drafted in.

Our sentences and codes (roles, attitudes, risks, segments, verdicts) read in the
language in force; names, needs and paths stay as the CRM holds them; English
reads as it always has.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING

import pytest

from tests.conftest import open_page
from workbench import i18n, plans, terms
from workbench.api import open_workbench
from workbench.plans.wording import code_words

if TYPE_CHECKING:
    from pathlib import Path

#: A word joined by underscores, as code names things (most_valuable, below_zero).
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
CJK = re.compile(r"[\u4e00-\u9fff]")
#: Words of the drafts' own English sentences (none of them is in the data).
ENGLISH_WORDS = (
    "Roles with nobody known",
    "Roles known but not touched",
    "Detractor",
    "Value segment",
    "Strategy",
    "Relationship",
    "Effort",
    "effort",
    "won revenue",
    "Offer",
    "influence",
    "reach",
    "warm path",
    "hear why",
    "agree what we fix",
    "Ask for NPS",
    "Invest more",
    "Spend less",
    "Keep the time",
    "Work with",
    "Work mainly",
    "First conversation",
    "Meet",
    "nobody touched",
    "account",
    "a role",
    "needs",
    "resolves",
    "answers",
    "unknown",
    *terms.RELATIONSHIP_RISKS,  # the risks' codes ("dark decider")
)
CHINESE = ["zh-Hans", "zh-Hant"]


def _english_in(text: str) -> list[str]:
    return [words for words in ENGLISH_WORDS if words in text]


def _part(key: str, facts=(), tables=(), note: str = "") -> plans.SituationPart:
    return plans.SituationPart(
        key,
        key,
        "ready",
        note=note,
        facts=[plans.Fact(label, value) for label, value in facts],
        tables=[
            table
            if isinstance(table, plans.SituationTable)
            else plans.SituationTable(table[0], table[1], [list(r) for r in table[2]])
            for table in tables
        ],
    )


#: The relationship risks, their details also written in Chinese (as a situation
#: computed now keeps them).
RISKS = plans.SituationTable(
    "Relationship risks",
    ["risk", "name", "detail"],
    [["dark decider", "Dora Decider", "never touched"], ["no contact", None, "–"]],
    {
        language: [["dark decider", "Dora Decider", detail], ["no contact", None, "–"]]
        for language, detail in (("zh-Hans", "从未接触"), ("zh-Hant", "從未接觸"))
    },
)


def _every_finding() -> plans.Situation:
    """A situation with one of each finding the drafts write a sentence for."""
    return plans.Situation(
        "A1",
        date(2026, 9, 30),
        datetime(2026, 10, 1),
        [
            _part(
                "crm",
                facts=[
                    ("Account owner", "Olga Owner"),
                    ("Buying roles with nobody known", "buyer, user"),
                    ("Relationship set by a person", "partnership"),
                    ("Reason for the relationship", "board decision (Olga Owner)"),
                ],
            ),
            _part(
                "segment",
                facts=[
                    ("Value segment", "below_zero"),
                    ("Why this segment", "contribution -5 < 0"),
                    ("Relationship type", "transactional"),
                    ("Why this relationship", "score 20 < 60"),
                ],
            ),
            _part(
                "effort",
                note="12 months up to 2026-09-30, shares of the portfolio's "
                "totals. Effort fits the account's service model.",
                facts=[
                    ("Share of our effort", 1.5),
                    ("Share of won revenue", 0.5),
                    ("Who to involve", "purchasing"),
                    ("Investment verdict", "right"),
                    ("Hours its service model deserves, from", 10.0),
                    ("Hours its service model deserves, up to", 120.0),
                    ("Effort, last 12 months", 50.0),
                ],
            ),
            _part(
                "coverage",
                facts=[("Roles known but not touched", "decider, unknown")],
                tables=[
                    (
                        "Whom to reach next",
                        [
                            "rank",
                            "name",
                            "title",
                            "role",
                            "influence",
                            "attitude",
                            "path",
                        ],
                        [
                            (
                                1,
                                "Dora Decider",
                                "CEO",
                                "decider",
                                5,
                                None,
                                "no warm path",
                            ),
                            (
                                2,
                                "Uli User",
                                "Planner",
                                "unknown",
                                2,
                                "champion",
                                "Ann Able → Uli User",
                            ),
                        ],
                    ),
                    RISKS,
                ],
            ),
            _part(
                "voice",
                facts=[("Roles nobody answered for", "approver, gatekeeper")],
                tables=[
                    (
                        "Detractors who can sink a deal",
                        [
                            "contact_name",
                            "title",
                            "buying_role",
                            "influence",
                            "score",
                            "why",
                        ],
                        [
                            (
                                "Dora Decider",
                                "CEO",
                                "decider",
                                5,
                                3,
                                "decider, influence 5",
                            ),
                            ("Bert Buyer", "Buyer", "approver", 2, 4, "approver"),
                            ("Ida Nobody", "Clerk", None, 4, 2, "influence 4"),
                        ],
                    ),
                    (
                        "Role conflicts beyond chance",
                        [
                            "high_role",
                            "high_nps",
                            "high_responses",
                            "low_role",
                            "low_nps",
                            "low_responses",
                            "gap",
                            "p_value",
                        ],
                        [("user", 50.0, 8, "decider", -20.0, 6, 70.0, 0.01)],
                    ),
                    (
                        "Open requirement conflicts",
                        ["role_a", "need_a", "role_b", "need_b", "owner"],
                        [
                            (
                                "buyer",
                                "Lowest price",
                                None,
                                "On-site in 4 h",
                                "Sam Seller",
                            )
                        ],
                    ),
                ],
            ),
        ],
    )


#: What the drafts of :func:`_every_finding` say in English (as they always have).
EVERY_FINDING_IN_ENGLISH = {
    "identify": "\n".join(
        [
            "- Roles with nobody known: buyer, user.",
            "- Roles known but not touched: decider, unknown.",
            "- dark decider: Dora Decider — never touched.",
            "- no contact: account — –.",
            "- Detractor: Dora Decider (decider, influence 5), NPS 3.",
            "- Detractor: Bert Buyer (approver), NPS 4.",
            "- Detractor: Ida Nobody (influence 4), NPS 2.",
        ]
    ),
    "differentiate": "\n".join(
        [
            "Value segment: below_zero — contribution -5 < 0.",
            "Strategy: " + plans.SEGMENT_STRATEGY["below_zero"],
            "Relationship: transactional — score 20 < 60.",
            "Effort: 1.5 % of our effort for 0.5 % of won revenue. Effort fits the "
            "account's service model.",
            "Relationship set by a person: partnership (board decision (Olga Owner)).",
        ]
    ),
    "interact": "\n".join(
        [
            "- Dora Decider (decider, influence 5, attitude unknown): reach no warm "
            "path yet.",
            "- Uli User (unknown, influence 2, champion): reach through Ann Able → "
            "Uli User.",
            "- Dora Decider (decider): hear why the score is 3 and agree what we fix.",
            "- Bert Buyer (approver): hear why the score is 4 and agree what we fix.",
            "- Ida Nobody (role unknown): hear why the score is 2 and agree what we "
            "fix.",
            "- Role conflict beyond chance: user NPS +50 (8 answers) against decider "
            "-20 (6): hear what each needs and who resolves it.",
            "- Requirement conflict: buyer needs “Lowest price”, a role needs "
            "“On-site in 4 h”; Sam Seller resolves it.",
            "- Ask for NPS from the roles nobody answered for: approver, gatekeeper.",
        ]
    ),
    "customise": "\n".join(
        [
            "Keep the time within the 10.00 h–120 h a year it deserves.",
            "Offer: Coordinated planning that lowers both sides' costs; Technical "
            "assistance; Delivery guarantees; Joint promotion; Help with the "
            "customer's production planning; Shared information and operating links.",
        ]
    ),
}


def test_english_drafts_read_as_they_always_have():
    situation = _every_finding()
    assert plans.draft_sections(situation) == EVERY_FINDING_IN_ENGLISH
    actions = plans.suggested_actions(situation)
    assert [(a.contact, a.action) for a in actions] == [
        (
            "Dora Decider (decider)",
            "First conversation (no warm path) · Hear why the score is 3; agree what "
            "we fix · Meet: nobody touched them in the window",
        ),
        ("Uli User", "First conversation through Ann Able → Uli User"),
        ("Bert Buyer (approver)", "Hear why the score is 4; agree what we fix"),
        ("Ida Nobody", "Hear why the score is 2; agree what we fix"),
    ]
    # drafting in Chinese first leaves nothing behind
    i18n.set_language("zh-Hant")
    plans.draft_sections(situation)
    i18n.set_language("en")
    assert plans.draft_sections(situation) == EVERY_FINDING_IN_ENGLISH


@pytest.mark.parametrize("language", CHINESE)
def test_every_drafted_sentence_reads_in_chinese_and_its_data_stays(language: str):
    situation = _every_finding()
    english_actions = plans.suggested_actions(situation)
    i18n.set_language(language)
    drafts = plans.draft_sections(situation)
    actions = plans.suggested_actions(situation)
    words = i18n.translations(language).gettext
    for name, text in drafts.items():
        assert text.count("\n") == EVERY_FINDING_IN_ENGLISH[name].count("\n"), name
        for line in text.splitlines():
            assert CJK.search(line), line
            assert not _english_in(line), line
        assert not SNAKE.findall(text), text
        # clauses joined as the language joins them (a full-width semicolon)
        assert "; " not in text, text
    # our codes in the glossary's words, as the rest of the plan shows them
    assert str(code_words("below_zero")) in drafts["differentiate"]
    assert words("transactional") in drafts["differentiate"]
    assert words("partnership") in drafts["differentiate"]
    assert words("dark decider") in drafts["identify"]
    assert RISKS.worded[language][0][2] in drafts["identify"]
    assert words("champion") in drafts["interact"]
    assert words(plans.SEGMENT_STRATEGY["below_zero"]) in drafts["differentiate"]
    # the data as the CRM holds it
    for data in ("Dora Decider", "Ann Able → Uli User", "Lowest price", "Sam Seller"):
        assert data in drafts["interact"], data
    assert "board decision (Olga Owner)" in drafts["differentiate"]
    # the same people, owners and dates; what to do in the language
    assert [(a.contact, a.owner, a.due_on) for a in actions] == [
        (a.contact, a.owner, a.due_on) for a in english_actions
    ]
    for action in actions:
        assert CJK.search(action.action), action
        assert not _english_in(action.action), action
    assert "Ann Able → Uli User" in actions[1].action


@pytest.mark.parametrize("language", CHINESE)
def test_the_demo_s_drafts_and_suggested_actions_read_in_chinese(
    demo_db: Path, language: str
):
    with open_workbench(demo_db) as wb:
        situation = wb.plan("A00001").plan.situation
    english = plans.draft_sections(situation)
    english_actions = plans.suggested_actions(situation)
    i18n.set_language(language)
    drafts = plans.draft_sections(situation)
    actions = plans.suggested_actions(situation)
    i18n.set_language("en")
    assert all(drafts.values()), "the demo's first account fills every section"
    for text in drafts.values():
        for line in text.splitlines():
            assert CJK.search(line), line
            assert not _english_in(line), line
        assert not SNAKE.findall(text), text
    assert actions and len(actions) == len(english_actions)
    for action, in_english in zip(actions, english_actions, strict=True):
        assert CJK.search(action.action) and not _english_in(action.action), action
        assert (action.contact, action.owner) == (in_english.contact, in_english.owner)
    # a person's name as the CRM holds it
    reach = next(
        t for t in situation.part("coverage").tables if t.title == "Whom to reach next"
    )
    name = reach.rows[0][reach.columns.index("name")]
    assert f"- {name} (" in english["interact"] and f"- {name}（" in drafts["interact"]
    # the effort's issues in the language, from the situation's issues table
    effort = situation.part("effort")
    issues = next(t for t in effort.tables if t.title == "Effort issues")
    for code, why in issues.worded[language]:
        words = i18n.translations(language).gettext(terms.EFFORT_VERDICTS[str(code)])
        assert f"{words}（{why}）" in drafts["differentiate"]
    assert plans.draft_sections(situation) == english


def test_the_plans_page_drafts_and_suggests_in_the_session_s_language(app_db: Path):
    # AppTest formats the options of the widgets it sends back in this thread:
    # the same language as the page's
    i18n.set_language("zh-Hans")
    at = open_page("pages/plans.py", language="zh-Hans")
    at.button(key="plan_draft_sections").click().run()
    assert not at.exception, at.exception
    for name in plans.SECTIONS:
        text = at.text_area(key=f"plan_{name}").value
        assert text and CJK.search(text) and not _english_in(text), (name, text)
    segment = i18n.gettext("Value segment: {segment} — {why}.")
    assert at.text_area(key="plan_differentiate").value.startswith(
        segment.split("{")[0]
    )
    at.button(key="plan_suggest_actions").click().run()
    assert not at.exception, at.exception
    actions = at.session_state["plan_base"].actions
    assert actions and all(CJK.search(a.action) for a in actions)
