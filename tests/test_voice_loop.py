"""The closed loop: a follow-up for every detractor among deciders and approvers."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import open_page
from workbench import store
from workbench.api import Workbench
from workbench.domain import LOCAL_ACTOR, Actor
from workbench.errors import PermissionDeniedError, RejectedInputError

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest


@pytest.fixture
def wb(con: store.Connection) -> Workbench:
    with store.write_transaction(con) as cur:
        cur.execute("INSERT INTO accounts (account_id, name) VALUES ('A1', 'Acme')")
        cur.execute(
            """
            INSERT INTO contacts (contact_id, account_id, name, buying_role, influence)
            VALUES ('D1', 'A1', 'Dora Decider', 'decider', 5),
                   ('P1', 'A1', 'Paul Approver', 'approver', 3),
                   ('U1', 'A1', 'Uma User', 'user', 5),
                   ('D2', 'A1', 'Dan Decider', 'decider', 4)
            """
        )
        cur.execute(
            """
            INSERT INTO nps_responses (response_id, account_id, contact_id,
                                       responded_on, score, comment)
            VALUES ('R1', 'A1', 'D1', DATE '2026-03-01', 3, 'too slow'),
                   ('R2', 'A1', 'P1', DATE '2026-05-01', 6, NULL),
                   ('R3', 'A1', 'U1', DATE '2026-05-01', 0, 'influential user'),
                   ('R4', 'A1', 'D2', DATE '2026-01-01', 2, 'old grudge'),
                   ('R5', 'A1', 'D2', DATE '2026-04-01', 9, 'better now')
            """
        )
    return Workbench(con)


def test_every_deciding_detractor_gets_a_follow_up_due_two_weeks_later(wb):
    followups = wb.detractor_followups(today=date(2026, 5, 10))
    # Deciders and approvers only (the influential user is on the detractors list,
    # not in the loop); Dan's latest answer is a promoter's, so no follow-up.
    assert followups["response_id"].to_list() == ["R1", "R2"]
    first, second = followups.to_dicts()
    assert first["due_on"] == date(2026, 3, 15) and first["overdue"]
    assert second["due_on"] == date(2026, 5, 15) and not second["overdue"]
    assert first["owner"] is None and first["status"] == "open"


def test_follow_ups_read_the_answers_alone_and_match_the_enriched_ones(wb, monkeypatch):
    from tests.conftest import count_queries
    from workbench.analytics import voice

    wb.save_detractor_followup("R4", owner="Sam Seller", due_on=date(2026, 2, 1))
    context = count_queries(monkeypatch, store.voice, "ASOF")
    followups = wb.detractor_followups(today=date(2026, 5, 10))
    # no reporting tree, no last touch: the answers with who answered suffice
    assert context == []
    from_enriched = voice.detractor_followups(
        store.nps_responses_enriched(wb.connection),
        store.detractor_followups(wb.connection),
        today=date(2026, 5, 10),
    )
    assert followups.equals(from_enriched)
    # the promise kept for an answer that is no longer Dan's latest
    assert followups["response_id"].to_list() == ["R4", "R1", "R2"]
    viewer = Actor("Vic Viewer", "viewer")
    assert (
        Workbench(wb.connection, actor=viewer)
        .detractor_followups(today=date(2026, 5, 10))
        .equals(followups)
    )


def test_a_saved_follow_up_keeps_its_owner_date_and_status(wb):
    wb.save_detractor_followup(
        "R1", owner="Sam Seller", due_on=date(2026, 6, 1), note="call booked"
    )
    followups = wb.detractor_followups(today=date(2026, 5, 10))
    row = followups.filter(followups["response_id"] == "R1").row(0, named=True)
    assert (row["owner"], row["due_on"], row["overdue"]) == (
        "Sam Seller",
        date(2026, 6, 1),
        False,
    )
    wb.save_detractor_followup(
        "R1", owner="Sam Seller", due_on=date(2026, 4, 1), status="done"
    )
    done = wb.detractor_followups(today=date(2026, 5, 10)).row(0, named=True)
    assert done["status"] == "done" and not done["overdue"]
    assert store.detractor_followups(wb.connection).height == 1


def test_follow_ups_refuse_bad_input_and_viewers_and_change_nothing(wb):
    with pytest.raises(RejectedInputError, match="owner"):
        wb.save_detractor_followup("R1", owner=" ", due_on=date(2026, 6, 1))
    with pytest.raises(RejectedInputError, match="open or done"):
        wb.save_detractor_followup(
            "R1", owner="Sam", due_on=date(2026, 6, 1), status="maybe"
        )
    with pytest.raises(RejectedInputError, match="no survey answer"):
        wb.save_detractor_followup("R9", owner="Sam", due_on=date(2026, 6, 1))
    viewer = Actor(name="guest", role="viewer")
    with pytest.raises(PermissionDeniedError):
        wb.save_detractor_followup(
            "R1", owner="Sam", due_on=date(2026, 6, 1), actor=viewer
        )
    assert store.detractor_followups(wb.connection).height == 0
    assert LOCAL_ACTOR.role != "viewer"


def _tables_with(at: AppTest, columns: set[str]) -> list[Any]:
    """The page's tables that have all of ``columns``."""
    return [d.value for d in at.dataframe if columns <= set(d.value.columns)]


def _submit(at: AppTest, label: str, *, says: str) -> None:
    """Press the form button ``label``; the page must run and say ``says``."""
    next(b for b in at.get("form_submit_button") if b.label == label).click().run()
    assert not at.exception, at.exception
    assert any(says in s.value for s in at.success)


def _voice_tab(label: str) -> AppTest:
    """The Voice page with its tab ``label`` chosen (built only while open)."""
    at = open_page("pages/voice.py")
    at.session_state["voice_tab"] = label
    at.run()
    assert not at.exception, at.exception
    return at


def test_voice_page_saves_a_follow_up_and_the_overview_lists_overdue_ones(app_db):
    at = _voice_tab("Detractors")
    tables = _tables_with(at, {"owner", "due_on"})
    assert len(tables) == 1 and len(tables[0]) > 0
    chosen = at.selectbox(key="voice_followup").value
    at.text_input(key=f"voice_followup_owner_{chosen}").input("Sam Seller")
    _submit(at, "Save follow-up", says="Follow-up saved")
    con = store.connect(app_db)
    try:
        saved = store.detractor_followups(con)
    finally:
        con.close()
    assert saved["response_id"].to_list() == [chosen]
    assert saved["owner"].to_list() == ["Sam Seller"]
    at.switch_page("pages/plans.py").run()
    at.session_state["plans_tab"] = "Leaders' overview"  # built only while open
    at.run()
    assert not at.exception, at.exception
    overdue = [
        d.value
        for d in at.dataframe
        if {"owner", "due_on", "response_id"} <= set(d.value.columns)
    ]
    # The demo's answers are months old and nobody called back: all overdue.
    assert len(overdue) == 1 and len(overdue[0]) == len(tables[0])


def test_the_follow_ups_come_from_the_answers_the_page_already_read(
    app_db, monkeypatch
):
    from tests.conftest import count_queries

    at = open_page("pages/voice.py")  # its first tab reads every answer
    assert not at.exception, at.exception
    read_again = count_queries(monkeypatch, store.voice, "FROM nps_responses")
    at.session_state["voice_tab"] = "Detractors"
    at.run()
    assert not at.exception, at.exception
    assert read_again == []
    # the same follow-ups as the API's, which reads the answers itself
    shown = _tables_with(at, {"owner", "due_on"})[0]
    con = store.connect(app_db, read_only=True)
    try:
        expected = Workbench(con).detractor_followups()
    finally:
        con.close()
    assert len(shown) == expected.height > 0
    assert sorted(shown["response_id"]) == sorted(expected["response_id"])


# --- the requirements register -------------------------------------------------------


def test_register_records_needs_promotes_comments_and_marks_conflicts(wb):
    price = wb.add_requirement(
        "A1", "Lowest unit price, 3 quotes", role="buyer", category="price"
    )
    # Dora's comment becomes a requirement in her words, with her role and source.
    response = wb.promote_comment("R1", category="response time")
    register = wb.requirements("A1")
    assert register["requirement_id"].to_list() == [price, response]
    promoted = register.row(1, named=True)
    assert (promoted["need"], promoted["role"], promoted["source"]) == (
        "too slow",
        "decider",
        "survey comment",
    )
    assert promoted["response_id"] == "R1" and promoted["contact_id"] == "D1"
    conflict = wb.mark_requirement_conflict(price, response, owner="Sam Seller")
    # The pair is unordered: marking it the other way round updates the same row.
    again = wb.mark_requirement_conflict(
        response, price, owner="Sam Seller", status="resolved", resolution="SLA tier"
    )
    assert again == conflict
    conflicts = wb.requirement_conflicts("A1")
    assert conflicts.height == 1
    assert conflicts.row(0, named=True)["status"] == "resolved"
    assert wb.requirement_conflicts("A1", open_only=True).height == 0


def test_register_refuses_bad_input_and_viewers(wb):
    with pytest.raises(RejectedInputError, match="words"):
        wb.add_requirement("A1", "  ", role="buyer", category="price")
    with pytest.raises(RejectedInputError, match="category"):
        wb.add_requirement("A1", "cheap", role="buyer", category="cheapness")
    with pytest.raises(RejectedInputError, match="no account"):
        wb.add_requirement("A9", "cheap", role="buyer", category="price")
    with pytest.raises(RejectedInputError, match="no comment"):
        wb.promote_comment("R2", category="price")
    viewer = Actor(name="guest", role="viewer")
    with pytest.raises(PermissionDeniedError):
        wb.add_requirement("A1", "cheap", role="buyer", category="price", actor=viewer)
    only = wb.add_requirement("A1", "cheap", role="buyer", category="price")
    with pytest.raises(RejectedInputError, match="itself"):
        wb.mark_requirement_conflict(only, only, owner="Sam")
    other = wb.add_requirement(
        "A1", "4h response", role="user", category="response time"
    )
    with pytest.raises(RejectedInputError, match="owner"):
        wb.mark_requirement_conflict(only, other, owner="")
    assert wb.requirement_conflicts().height == 0


def test_the_plan_shows_open_requirement_conflicts_and_their_owner(wb):
    from workbench import plans

    price = wb.add_requirement("A1", "Lowest price", role="buyer", category="price")
    speed = wb.add_requirement(
        "A1", "Four-hour response on site", role="user", category="response time"
    )
    wb.mark_requirement_conflict(price, speed, owner="Sam Seller")
    situation = plans.build_situation(wb.connection, "A1", as_of=date(2026, 9, 30))
    part = situation.part("voice")
    assert part is not None
    table = next(t for t in part.tables if t.title == "Open requirement conflicts")
    assert table.rows == [
        ["buyer", "Lowest price", "user", "Four-hour response on site", "Sam Seller"]
    ]
    drafted = plans.draft_sections(situation)["interact"]
    assert "Requirement conflict" in drafted and "Sam Seller resolves it" in drafted


def test_voice_page_register_tab_adds_a_requirement(app_db):
    at = _voice_tab("Requirements")
    assert "Requirements" in [t.label for t in at.tabs]
    at.text_input(key="register_need").input("Security review before any pilot")
    _submit(at, "Add requirement", says="Requirement added")
    register = _tables_with(at, {"need", "category"})
    assert list(register[0]["need"]) == ["Security review before any pilot"]
