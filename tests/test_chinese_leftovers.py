"""Texts a Chinese session still showed in English, now in the session's language.

The drafting confirmation names the sections as the page heads them; a plan's
contacts show their buying role in the glossary's words while the plan keeps
"Name (decider)"; a detractor's "why" and the effort note's issues are said in
the language where they are shown. English reads as it always has; data (names,
titles) is never translated.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import TYPE_CHECKING

import polars as pl
import pytest

from tests.conftest import open_page
from workbench import i18n, plans, store, terms
from workbench.analytics import network, voice
from workbench.api import open_workbench
from workbench.plans import wording

if TYPE_CHECKING:
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

CJK = re.compile(r"[\u4e00-\u9fff]")
CHINESE = ["zh-Hans", "zh-Hant"]
#: The demo account whose detractors count for every reason (a decider with
#: influence, influence alone, an approver with influence) and with effort issues.
EVERY_REASON = "A00004"


def _words(language: str, message: str) -> str:
    return i18n.translations(language).gettext(message)


# --- 1. the drafting button's confirmation --------------------------------------------


def _drafting_messages(language: str) -> tuple[str, str]:
    """Draft on the plans page in ``language``; return the confirmation and the
    message of a second press (every section has text by then)."""
    # AppTest formats the options of the widgets it sends back in this thread
    i18n.set_language(language)
    at = open_page("pages/plans.py", language=language)
    at.button(key="plan_draft_sections").click().run()
    assert not at.exception, at.exception
    drafted = at.success[0].value
    at.button(key="plan_draft_sections").click().run()
    assert not at.exception, at.exception
    return drafted, at.info[0].value


def test_the_drafting_confirmation_names_the_sections_as_the_page_heads_them(
    app_db: Path,
):
    drafted, nothing = _drafting_messages("en")
    assert drafted == (
        "Drafted from the situation: **1. Identify — key people and gaps**, "
        "**2. Differentiate — segment and the strategy it implies**, "
        "**3. Interact — actions per stakeholder**, "
        "**4. Customise — the tailored offer**. Edit, then save."
    )
    assert nothing == (
        "Every section already has text, or the situation has nothing to add."
    )


@pytest.mark.parametrize("language", CHINESE)
def test_the_drafting_confirmation_reads_in_chinese(app_db: Path, language: str):
    drafted, nothing = _drafting_messages(language)
    for title in plans.SECTION_TITLES.values():
        assert f"**{_words(language, title)}**" in drafted, drafted
    assert drafted.startswith(
        _words(language, "Drafted from the situation: {sections}. Edit, then save.")[:5]
    )
    assert "Drafted" not in drafted and "Edit, then save" not in drafted
    for code in plans.SECTIONS:
        assert code not in drafted, code
    assert nothing == _words(
        language, "Every section already has text, or the situation has nothing to add."
    )
    assert CJK.search(nothing)


# --- 2. the contact picker ------------------------------------------------------------


def test_contacts_show_their_role_in_the_language_and_keep_the_stored_label():
    stored = ["Dora Decider (decider)", "X (Y) (approver)", "Uli", "Uli (unknown)"]
    assert [wording.contact_words(c) for c in stored] == stored  # English as stored
    assert wording.contact_label("Dora Decider", "decider") == stored[0]
    assert wording.contact_label("Uli", "unknown") == "Uli"
    i18n.set_language("zh-Hans")
    assert [wording.contact_words(c) for c in stored] == [
        "Dora Decider（决策者）",
        "X (Y)（批准者）",
        "Uli",
        "Uli (unknown)",  # not a buying role of ours: as the CRM wrote it
    ]
    i18n.set_language("zh-Hant")
    assert wording.contact_words(stored[0]) == "Dora Decider（決策者）"


def test_the_picker_labels_people_as_the_suggested_actions_do():
    # one label for both: an action suggested for a person the picker offers
    # is that person (the store reads names and roles; the plan labels them)
    contacts = [("Dora Decider", "decider"), ("Uli", None), ("Una", "unknown")]
    choices = wording.people_choices(contacts, ["Sam Seller"])
    assert choices == {
        "contacts": ["Dora Decider (decider)", "Uli", "Una"],
        "sellers": ["Sam Seller"],
    }
    assert choices["contacts"] == [wording.contact_label(*c) for c in contacts]


def test_the_plan_editor_s_contact_picker_reads_in_chinese_and_stores_codes(
    app_db: Path,
):
    i18n.set_language("zh-Hans")
    at = open_page("pages/plans.py", language="zh-Hans")
    at.button(key="plan_suggest_actions").click().run()
    assert not at.exception, at.exception
    actions = at.session_state["plan_base"].actions
    assert actions
    options = _contact_options(at)
    shown = {option["value"]: option["label"] for option in options}
    # the plan keeps "Name (decider)"; the picker shows the glossary's word
    for action in actions:
        assert re.fullmatch(r".+ \([a-z]+\)|[^()]+", action.contact), action.contact
        assert action.contact in shown
    roles = 0
    for value, label in shown.items():
        match = re.fullmatch(r"(?P<name>.+) \((?P<role>[a-z]+)\)", value)
        if match is None:
            assert label == value  # a contact without a role: the name
            continue
        roles += 1
        role = _words("zh-Hans", terms.BUYING_ROLES[match["role"]])
        assert label == f"{match['name']}（{role}）", (value, label)
    assert roles
    # the same people are recognised whatever the language: no second action
    before = [a.contact for a in actions]
    at.button(key="plan_suggest_actions").click().run()
    assert not at.exception, at.exception
    assert [a.contact for a in at.session_state["plan_base"].actions] == before


def _contact_options(at: AppTest) -> list[dict[str, str]]:
    # the actions editor's contact column (AppTest exposes no widget key for it)
    for frame in at.dataframe:
        columns = json.loads(frame.proto.columns or "{}")
        contact = columns.get("contact", {})
        if contact.get("type_config", {}).get("type") == "selectbox":
            return contact["type_config"]["options"]
    raise AssertionError("no contact picker on the page")


def _plan_with_actions() -> plans.Plan:
    return plans.Plan(
        "A1",
        "Acme",
        actions=[
            plans.Action("Dora Decider (decider)", "Meet", "Eve", date(2026, 11, 1)),
            plans.Action("Uli", "Call", "Olga", date(2026, 10, 15)),
        ],
    )


def test_a_plan_s_exports_name_its_contacts_roles_in_the_language():
    plan = _plan_with_actions()
    assert "| Dora Decider (decider) |" in plans.plan_to_markdown(plan)
    assert b"Dora Decider (decider)" in plans.actions_csv(plan)
    i18n.set_language("zh-Hans")
    markdown = plans.plan_to_markdown(plan)
    assert "| Dora Decider（决策者） |" in markdown and "(decider)" not in markdown
    assert "Dora Decider（决策者）" in plans.plan_to_html(plan)
    assert "Dora Decider（决策者）".encode() in plans.actions_csv(plan)
    summary = plans.plan_summary_html(plan, None, "USD")
    assert "Dora Decider（决策者）" in summary and "(decider)" not in summary
    # the plan itself keeps the label it was saved with
    assert [a.contact for a in plan.actions] == ["Dora Decider (decider)", "Uli"]


def test_suggested_actions_added_in_english_are_recognised_in_chinese(demo_db: Path):
    with open_workbench(demo_db) as wb:
        plan = wb.plan(EVERY_REASON).plan
    assert plans.add_suggested_actions(plan, date(2026, 10, 1))
    contacts = [a.contact for a in plan.actions]
    i18n.set_language("zh-Hant")
    assert plans.add_suggested_actions(plan, date(2026, 10, 1)) == 0
    assert [a.contact for a in plan.actions] == contacts
    assert any(wording.contact_words(c) != c for c in contacts)


# --- 3. a detractor's "why" -----------------------------------------------------------


def test_a_detractor_s_why_is_said_again_from_its_role_and_influence():
    cases = [
        ("decider, influence 5", "decider", 5),
        ("approver", "approver", 2),
        ("influence 4", "user", 4),
        ("written otherwise", "user", 4),
        (None, "user", 4),
    ]
    assert [voice.detractor_why(*case, "en") for case in cases] == [
        case[0] for case in cases
    ]
    assert [voice.detractor_why(*case, "zh-Hans") for case in cases] == [
        "决策者，影响力 5",
        "批准者",
        "影响力 4",
        "written otherwise",
        None,
    ]
    assert voice.detractor_why(*cases[0], "zh-Hant") == "決策者，影響力 5"


def test_the_appendix_says_why_each_detractor_counts_in_the_language(demo_db: Path):
    with open_workbench(demo_db) as wb:
        plan = wb.plan(EVERY_REASON).plan
    table = next(
        t
        for t in plan.situation.part("voice").tables
        if t.title == "Detractors who can sink a deal"
    )
    why = table.columns.index("why")
    stored = [row[why] for row in table.rows]
    assert {"decider, influence 4", "influence 5", "approver, influence 4"} <= set(
        stored
    )
    assert [row[why] for row in plans.table_rows(table)] == stored
    english = plans.plan_to_markdown(plan)
    assert "| decider, influence 4 |" in english
    for language, expected in (
        ("zh-Hans", ["决策者，影响力 4", "影响力 5", "批准者，影响力 4"]),
        ("zh-Hant", ["決策者，影響力 4", "影響力 5", "核准者，影響力 4"]),
    ):
        i18n.set_language(language)
        shown = [row[why] for row in plans.table_rows(table)]
        assert all(CJK.search(str(text)) for text in shown), shown
        assert not any("influence" in str(text) for text in shown), shown
        assert set(expected) <= set(shown)
        markdown = plans.plan_to_markdown(plan)
        assert f"| {expected[0]} |" in markdown
        assert "| decider, influence 4 |" not in markdown
    # the situation keeps the English
    assert [row[why] for row in table.rows] == stored


def test_the_voice_page_s_detractors_say_why_in_chinese(app_db: Path):
    i18n.set_language("zh-Hans")
    at = open_page("pages/voice.py", language="zh-Hans")
    at.session_state["voice_tab"] = _words("zh-Hans", "Detractors")
    at.run()
    assert not at.exception, at.exception
    shown = next(
        d.value
        for d in at.dataframe
        if {"why", "contact_name", "influence"} <= set(d.value.columns)
    )
    reasons = shown["why"].to_list()
    assert reasons and all(CJK.search(str(text)) for text in reasons), reasons
    assert not any("influence" in str(text) for text in reasons), reasons
    assert "影响力" in " ".join(reasons)
    # the follow-up picker names each answer in the language too (data as is)
    picker = at.selectbox(key="voice_followup")
    labels = list(picker.options)  # AppTest holds the labels shown
    assert labels and all("评分" in label for label in labels), labels[:3]
    assert not any(" on " in label for label in labels), labels[:3]


def test_the_detractors_shown_are_worded_and_the_data_is_not():
    frame = voice.risky_detractors(
        pl.DataFrame(
            {
                "response_id": ["r1", "r2"],
                "account_id": ["A1", "A1"],
                "account_name": ["Acme", "Acme"],
                "contact_id": ["c1", "c2"],
                "contact_name": ["Dora", "Ida"],
                "title": ["CEO", "Engineer"],
                "buying_role": ["decider", "user"],
                "influence": [5, 4],
                "score": [3, 2],
                "responded_on": [date(2026, 9, 1), date(2026, 9, 2)],
                "comment": [None, None],
            }
        )
    )
    assert sorted(frame["why"].to_list()) == ["decider, influence 5", "influence 4"]
    assert voice.detractors_worded(frame, "en").equals(frame)
    worded = voice.detractors_worded(frame, "zh-Hant")
    assert sorted(worded["why"].to_list()) == ["影響力 4", "決策者，影響力 5"]
    assert sorted(frame["why"].to_list()) == ["decider, influence 5", "influence 4"]


# --- 4. the effort note ---------------------------------------------------------------


@pytest.mark.parametrize("language", CHINESE)
def test_the_appendix_s_effort_note_quotes_its_issues_in_the_language(
    demo_db: Path, language: str
):
    with open_workbench(demo_db) as wb:
        plan = wb.plan(EVERY_REASON).plan
    part = plan.situation.part("effort")
    issues = next(t for t in part.tables if t.title == "Effort issues")
    english_note = plans.part_note(part)
    assert english_note == part.note  # English reads as stored
    assert "Effort issues: " in english_note
    i18n.set_language(language)
    note = plans.part_note(part)
    for code, why in issues.worded[language]:
        verdict = _words(language, terms.EFFORT_VERDICTS[str(code)])
        assert f"{verdict}（{why}）" in note, note
    for code, why in issues.rows:
        assert str(code).replace("_", " ") not in note, note
        assert str(why) not in note, note
    # the same words as the drafts quote, and in the exports
    assert wording.effort_verdict_words(part) in note
    assert note in plans.plan_to_markdown(plan).replace("\\", "")


@pytest.mark.parametrize("language", CHINESE)
def test_several_effort_issues_are_joined_as_the_language_joins_clauses(language: str):
    rows = [["over_served", "too many hours"], ["wrong_people", "no buyer met"]]
    part = plans.SituationPart(
        "effort",
        "Effort",
        "ready",
        tables=[
            plans.SituationTable(
                "Effort issues", ["issue", "why"], rows, {language: rows}
            )
        ],
    )
    assert wording.effort_issues_words(part) == (
        "over-served (too many hours); wrong people (no buyer met)"
    )
    i18n.set_language(language)
    worded = wording.effort_issues_words(part)
    assert worded.count("；") == 1 and "; " not in worded, worded


# --- codes the editors offer: shown in the language, kept as codes ---------------------


def _select_options(at: AppTest, column: str) -> dict[str, str]:
    """Return the options of the page's editors' choice columns ``column``, value → label."""
    shown: dict[str, str] = {}
    for frame in at.dataframe:
        columns = json.loads(frame.proto.columns or "{}")
        config = columns.get(column, {}).get("type_config", {})
        if config.get("type") == "selectbox":
            # options with no words of their own are bare codes
            shown |= dict(
                (o["value"], o["label"]) if isinstance(o, dict) else (o, o)
                for o in config["options"]
            )
    assert shown, f"no choice column {column!r} on the page"
    return shown


@pytest.mark.parametrize("language", CHINESE)
def test_the_editors_offer_codes_in_the_language_and_keep_the_codes(
    app_db: Path, language: str
):
    expected = {
        "status": (
            (*plans.OBJECTIVE_STATUSES, *plans.ACTION_STATUSES),
            terms.STATUSES,
        ),
        "severity": (plans.RISK_SEVERITIES, terms.SEVERITIES),
    }
    at = open_page("pages/plans.py", language=language)
    for column, (codes, vocabulary) in expected.items():
        shown = _select_options(at, column)
        assert set(codes) <= set(shown), column
        for code in codes:
            assert shown[code] == _words(language, vocabulary[code]), (column, code)
            assert CJK.search(shown[code]), (column, code)
    at = open_page("pages/buying_centre.py", language=language)
    for column, vocabulary in (
        ("buying_role", terms.BUYING_ROLES),
        ("attitude", terms.ATTITUDES),
    ):
        shown = _select_options(at, column)
        assert shown and all(CJK.search(label) for label in shown.values()), column
        assert shown == {c: _words(language, vocabulary[c]) for c in shown}, column
    # the people editor's cells keep the codes the store writes
    editor = at.data_editor(key="contact_editor")
    roles = set(editor.value["buying_role"].dropna())
    assert roles and roles <= set(terms.BUYING_ROLES)


# --- whom to reach next, and the drivers' buckets ---------------------------------------


@pytest.mark.parametrize("language", CHINESE)
def test_whom_to_reach_next_reads_in_the_language(app_db: Path, language: str):
    at = open_page("pages/buying_centre.py", language=language)
    reach = next(
        pl.from_pandas(d.value)
        for d in at.dataframe
        if {"path", "influence", "rank"} <= set(d.value.columns)
    )
    assert reach.height
    assert network.NO_WARM_PATH not in reach["path"].to_list()
    roles = reach["role"].drop_nulls().to_list()
    assert roles and all(CJK.search(role) for role in roles), roles
    assert not set(roles) & set(terms.BUYING_ROLES)
    # the report itself keeps the code the plans match on
    con = store.connect(app_db, read_only=True)
    try:
        account = con.sql("SELECT min(account_id) FROM accounts").fetchall()[0][0]
        centre = store.read_buying_centre(con, account, months=12)
    finally:
        con.close()
    paths = network.analyse_buying_centre(centre, language=language).reach_next["path"]
    # (the demo's names are in Latin letters: no path is in Chinese words)
    assert not any(CJK.search(path) for path in paths), paths


def _driver_frames() -> dict[str, pl.DataFrame]:
    signals = pl.DataFrame(
        {
            "account_id": ["A", "B", "C", "D"],
            "departments_engaged": [None, 1, 3, 6],
            "effort_hours_12m": [None, 5.0, 40.0, 400.0],
        }
    )
    answers = pl.DataFrame(
        {
            "response_id": ["r1", "r2", "r3", "r4"],
            "account_id": ["A", "B", "C", "D"],
            "score": [9, 3, 7, 10],
            "days_since_touch": [None, 3, 45, 400],
        }
    )
    relationships = pl.DataFrame(
        {"account_id": ["A", "B"], "relationship": [None, "partnership"]}
    )
    return {
        "breadth": voice.nps_by_bucket(answers, voice.breadth_buckets(signals)),
        "effort": voice.nps_by_bucket(answers, voice.effort_buckets(signals)),
        "freshness": voice.nps_by_bucket(
            answers, voice.freshness_buckets(answers), key="response_id"
        ),
        "relationship": voice.nps_by_bucket(
            answers, voice.relationship_buckets(relationships)
        ),
    }


@pytest.mark.parametrize("language", CHINESE)
def test_the_drivers_buckets_read_in_the_language_and_keep_their_figures(
    language: str,
):
    for name, frame in _driver_frames().items():
        shown = voice.buckets_worded(frame, language)
        assert shown.drop("bucket").equals(frame.drop("bucket")), name
        for english, worded in zip(frame["bucket"], shown["bucket"], strict=True):
            if name == "relationship" and english in terms.RELATIONSHIPS:
                continue  # the page words relationship types through terms
            assert CJK.search(worded), (name, english, worded)
            # the figures and signs stay as they are
            assert re.findall(r"[<≥–\d,.]+", english) == re.findall(
                r"[<≥–\d,.]+", worded
            ), (english, worded)
        assert voice.buckets_worded(frame, "en").equals(frame)


# --- the leaders' overview and whom to reach next ------------------------------------


def test_the_leaders_tables_say_a_persons_role_and_status_in_the_language_in_force():
    from workbench import i18n
    from workbench.app.screens import plans_overview

    frame = pl.DataFrame(
        {"contact_name": ["Ann Old"], "buying_role": ["decider"], "status": ["open"]}
    )
    i18n.set_language("zh-Hans")
    try:
        shown = plans_overview.in_words(frame)
    finally:
        i18n.set_language("en")
    assert shown["buying_role"].to_list() == ["决策者"]
    # a follow-up's status too (it showed "open")
    assert shown["status"].to_list() == ["待处理"]


def test_whom_to_reach_next_says_an_unknown_role_in_chinese():
    from workbench import i18n
    from workbench.app import buying_centre_reads

    reach = pl.DataFrame(
        {
            "role": ["unknown", "decider"],
            "attitude": [None, "neutral"],
            "path": ["x", "y"],
        }
    )
    assert buying_centre_reads.reach_words(reach)["role"].to_list() == [
        "unknown",
        "decider",
    ]
    i18n.set_language("zh-Hans")
    try:
        shown = buying_centre_reads.reach_words(reach)
    finally:
        i18n.set_language("en")
    assert shown["role"].to_list() == ["角色未知", "决策者"]
