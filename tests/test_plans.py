"""Account plans: the model, the situation worked out from the data, the drafts."""

from __future__ import annotations

import json
from datetime import date, datetime

import polars as pl
import pytest

from tests.plans_seed import full_plan
from workbench import plans, readers, store
from workbench.analytics import effort, network

# --- the model -------------------------------------------------------------------


def test_plan_survives_json_round_trip_with_situation_and_dates(seeded):
    plan = full_plan()
    plan.situation = plans.build_situation(
        seeded, "A1", as_of=date(2026, 9, 30), now=datetime(2026, 10, 1, 8, 0)
    )
    again = plans.plan_from_json(plans.plan_to_json(plan))
    assert again == plan
    assert json.loads(plans.plan_to_json(plan))["format"] == plans.PLAN_FORMAT


def test_situation_from_crm_states_real_figures_and_gaps(seeded):
    situation = plans.build_situation(seeded, "A1", as_of=date(2026, 9, 30))
    assert situation.as_of == date(2026, 9, 30)
    crm = situation.part("crm")
    assert crm is not None and crm.status == "ready"
    facts = {f.label: f.value for f in crm.facts}
    # O2 closed more than 12 months before the as-of date; O3 is open pipeline.
    assert facts["Won revenue, last 12 months"] == 1000
    assert facts["Open pipeline"] == 700
    assert facts["Effort, last 12 months"] == pytest.approx(1.5)
    assert facts["Contacts known, still at the account"] == 3
    assert facts["Account owner"] == "Sam Seller"
    gaps = str(facts["Buying roles with nobody known"])
    assert "initiator" in gaps and "decider" not in gaps and "buyer" not in gaps
    roles = crm.tables[0]
    by_role = {row[0]: row[1] for row in roles.rows}
    assert by_role["decider"] == 1 and by_role["initiator"] == 0
    assert by_role["(unknown)"] == 1


def test_account_facts_count_each_figure_over_its_own_rows(seeded):
    day = date(2026, 9, 30)
    facts = store.account_plan_facts(seeded, "A1", day)
    assert facts is not None
    assert (facts["won_revenue_12m"], facts["open_pipeline"]) == (1000.0, 700.0)
    assert (facts["open_opportunities"], facts["activities_12m"]) == (1, 1)
    assert facts["effort_hours_12m"] == pytest.approx(1.5)
    assert facts["contacts"] == 3
    # an account with no deals, activities or people: zeros, not unknowns
    empty = store.account_plan_facts(seeded, "A3", day)
    assert empty is not None
    assert [empty[k] for k in ("won_revenue_12m", "open_pipeline")] == [0.0, 0.0]
    assert [empty[k] for k in ("open_opportunities", "activities_12m", "contacts")] == [
        0,
        0,
        0,
    ]
    assert empty["effort_hours_12m"] == 0.0
    # a deal whose state is unknown is open; one won but not marked closed is
    # open too, and its amount counts as won in its month
    with store.write_transaction(seeded) as cur:
        cur.execute(
            """
            INSERT INTO opportunities (opportunity_id, account_id, amount,
                                       close_date, is_closed, is_won)
            VALUES ('O4', 'A2', 300, DATE '2026-09-01', NULL, NULL),
                   ('O5', 'A2', 200, DATE '2026-08-01', NULL, true)
            """
        )
    beta = store.account_plan_facts(seeded, "A2", day)
    assert beta is not None
    assert (beta["won_revenue_12m"], beta["open_pipeline"]) == (200.0, 500.0)
    assert beta["open_opportunities"] == 2
    assert store.account_plan_facts(seeded, "NOPE", day) is None
    # open deals none of which has an amount yet (a CRM's early stages, as in the
    # Maven CRM data): the pipeline is not known, not 0
    with store.write_transaction(seeded) as cur:
        cur.execute(
            """
            INSERT INTO opportunities (opportunity_id, account_id, amount,
                                       close_date, is_closed, is_won)
            VALUES ('O6', 'A3', NULL, DATE '2026-12-01', false, false),
                   ('O7', 'A3', NULL, NULL, NULL, NULL)
            """
        )
    early = store.account_plan_facts(seeded, "A3", day)
    assert early is not None
    assert early["open_pipeline"] is None and early["open_opportunities"] == 2


def test_an_exported_plan_gives_its_money_in_the_portfolio_s_currency(seeded):
    situation = plans.build_situation(seeded, "A1", as_of=date(2026, 9, 30))
    plan = plans.new_plan("A1", "Alpha", situation)
    markdown = plans.plan_to_markdown(plan, currency="EUR")
    assert "- **Won revenue, last 12 months**: €1,000" in markdown
    assert "- **Open pipeline**: €700" in markdown
    page = plans.plan_to_html(plan, currency="EUR")
    assert "<dt>Open pipeline</dt><dd>€700</dd>" in page
    # without a currency, as before: the figure alone
    assert "- **Open pipeline**: 700" in plans.plan_to_markdown(plan)


def test_situation_takes_segment_and_relationship_from_the_segmentation(seeded):
    situation = plans.build_situation(seeded, "A1", as_of=date(2026, 9, 30))
    part = situation.part("segment")
    assert part is not None and part.status == "ready"
    facts = {f.label: f.value for f in part.facts}
    expected = (
        readers.account_segments(seeded, as_of=date(2026, 9, 30))
        .filter(pl.col("account_id") == "A1")
        .row(0, named=True)
    )
    assert facts["Value segment"] == expected["value_segment"]
    assert facts["Relationship type"] == expected["relationship"]
    assert facts["Contribution"] == expected["contribution"]
    assert facts["Cost to serve"] == expected["cost_to_serve"]
    assert plans.SEGMENT_STRATEGY[expected["value_segment"]] in part.note
    assert plans.proposed_relationship(situation) == expected["relationship"]


def test_situations_from_portfolio_frames_worked_out_once_are_the_same(
    demo_con, monkeypatch
):
    from tests.conftest import count_calls

    day = plans.default_as_of(demo_con)
    now = datetime(2026, 10, 1, 9, 0)
    frames = plans.portfolio_frames(demo_con)
    assert frames.as_of == day
    aggregated = count_calls(monkeypatch, store, "account_features")
    account_ids = ["A00001", "A00002", "A00003"]
    given = [
        plans.build_situation(demo_con, a, now=now, portfolio=frames)
        for a in account_ids
    ]
    assert aggregated == []  # every account's rows come from the frames given
    own = [plans.build_situation(demo_con, a, now=now) for a in account_ids]
    # the features once per situation (segments and judged effort share them)
    assert len(aggregated) == len(account_ids)
    assert [plans.situation_to_dict(s) for s in given] == [
        plans.situation_to_dict(s) for s in own
    ]
    # frames of another day are not used for this one
    aggregated.clear()
    earlier = plans.build_situation(
        demo_con, "A00001", as_of=date(2026, 3, 31), now=now, portfolio=frames
    )
    assert earlier.as_of == date(2026, 3, 31) and len(aggregated) == 1


def test_a_situation_explains_its_own_account_as_every_account_explained_would(
    demo_con,
):
    # the portfolio's segmentation is kept without reasons in words; each
    # situation words its own account's, the same text as explaining them all
    day = plans.default_as_of(demo_con)
    now = datetime(2026, 10, 1, 9, 0)
    unexplained = plans.portfolio_frames(demo_con)
    assert "value_reason" not in unexplained.segments.columns
    explained = plans.portfolio_frames(
        demo_con, segments=readers.account_segments(demo_con, as_of=day)
    )
    assert "value_reason" in explained.segments.columns
    for account_id in ("A00001", "A00007", "A00042"):
        own, given = (
            plans.build_situation(demo_con, account_id, now=now, portfolio=frames)
            for frames in (unexplained, explained)
        )
        assert plans.situation_to_dict(own) == plans.situation_to_dict(given)
        part = own.part("segment")
        assert part is not None
        facts = {f.label: f.value for f in part.facts}
        expected = explained.segments.filter(pl.col("account_id") == account_id)
        assert facts["Why this segment"] == expected["value_reason"].item()
        assert facts["Why this relationship"] == expected["relationship_reason"].item()


def test_a_situation_has_every_source_in_the_documented_order(seeded):
    day = date(2026, 9, 30)
    situation = plans.build_situation(seeded, "A1", as_of=day)
    expected = [source(seeded, "A1", day).key for source in plans.SITUATION_SOURCES]
    assert [part.key for part in situation.parts] == expected
    assert len(set(expected)) == len(expected) == 5


def test_situation_weighs_effort_against_value(seeded):
    as_of = date(2026, 9, 30)
    part = plans.build_situation(seeded, "A1", as_of=as_of).part("effort")
    assert part is not None and part.status == "ready"
    facts = {f.label: f.value for f in part.facts}
    accounts = readers.judged_effort(seeded, as_of=as_of)
    mine = accounts.filter(pl.col("account_id") == "A1").row(0, named=True)
    # A1 has all the portfolio's effort and revenue in this tiny data set
    assert (
        facts["Share of our effort"] == pytest.approx(mine["effort_share_pct"]) == 100
    )
    assert facts["Share of won revenue"] == pytest.approx(100)
    assert facts["Effort share ÷ revenue share"] == pytest.approx(1.0)
    assert facts["Effort index (hours ÷ justified)"] == mine["effort_index"]
    assert facts["Investment verdict"] == mine["investment"]
    assert facts["People verdict"] == mine["people"]
    assert facts["Rank by effort"] == "1 of 3"
    # an account with no hours has no place in the ranking
    idle = plans.build_situation(seeded, "A3", as_of=as_of).part("effort")
    assert idle is not None
    assert {f.label: f.value for f in idle.facts}["Rank by effort"] is None
    issues = effort.issues(accounts).filter(pl.col("account_id") == "A1")
    assert facts["Effort issues found"] == issues.height
    if issues.height:
        table = next(t for t in part.tables if t.title == "Effort issues")
        assert [row[0] for row in table.rows] == issues["issue"].to_list()
        assert "Effort issues:" in part.note
    # T1, the one activity in the window, has no kind: it is counted, not dropped
    kinds = next(t for t in part.tables if t.title == "Effort by kind of activity")
    assert kinds.rows == [["(unknown)", 1, 1.5]]


def test_situation_shows_coverage_gaps_and_risks_from_the_buying_centre(seeded):
    part = plans.build_situation(seeded, "A1", as_of=date(2026, 9, 30)).part("coverage")
    assert part is not None and part.status == "ready"
    report = network.analyse_buying_centre(
        store.read_buying_centre(seeded, "A1", months=12, as_of=date(2026, 9, 30))
    )
    facts = {f.label: f.value for f in part.facts}
    assert facts["Relationship risks found"] == report.risks.height > 0
    assert "initiator" in str(facts["Roles with nobody known"])
    # nobody was touched in the window (T1 names no person): every known role is dark
    assert "decider" in str(facts["Roles known but not touched"])
    titles = [table.title for table in part.tables]
    assert titles[:2] == ["Coverage by buying role", "Relationship risks"]
    risks = {row[0] for row in part.tables[1].rows}
    assert "dark decider" in risks
    missing = plans.build_situation(seeded, "NOPE", as_of=date(2026, 9, 30))
    coverage = missing.part("coverage")
    assert coverage is not None and coverage.status == "unavailable"


def test_long_risk_lists_are_capped_in_the_stored_situation(seeded):
    with store.write_transaction(seeded) as cur:
        cur.execute(
            """
            INSERT INTO contacts (contact_id, account_id, name, buying_role, influence)
            SELECT 'D' || i, 'A2', 'Decider ' || i, 'decider', 5
            FROM range(40) t(i)
            """
        )
    part = plans.build_situation(seeded, "A2", as_of=date(2026, 9, 30)).part("coverage")
    facts = {f.label: f.value for f in part.facts}
    risks = next(t for t in part.tables if t.title == "Relationship risks")
    assert facts["Relationship risks found"] > plans.MAX_TABLE_ROWS
    assert len(risks.rows) == plans.MAX_TABLE_ROWS


def test_situation_hears_nps_by_role_from_the_voice_analysis(seeded):
    with store.write_transaction(seeded) as cur:
        cur.execute(
            """
            INSERT INTO nps_responses (response_id, account_id, contact_id,
                                       responded_on, score)
            VALUES ('R1', 'A1', 'C1', DATE '2026-05-01', 10),
                   ('R2', 'A1', 'C2', DATE '2026-06-01', 3),
                   ('R3', 'A1', 'C2', DATE '2024-06-01', 9)
            """
        )
    part = plans.build_situation(seeded, "A1", as_of=date(2026, 9, 30)).part("voice")
    assert part is not None and part.status == "ready"
    facts = {f.label: f.value for f in part.facts}
    # R3 is older than 12 months: one promoter, one detractor. Two answers are
    # too few for a figure: the plan says so instead of printing NPS 0.
    assert facts["Answers"] == 2 and facts["NPS, all roles"] is None
    assert facts["NPS interval, all roles"] == "too few answers"
    assert facts["Role conflicts beyond chance"] == 0
    by_role = {row[0]: row for row in part.tables[0].rows}
    assert by_role["decider"][1:] == [1, 1, 0, 0, None, None, None, "too few answers"]
    assert by_role["buyer"][1:] == [1, 0, 0, 1, None, None, None, "too few answers"]
    assert by_role["initiator"][-1] == "no answers"
    assert "initiator" in str(facts["Roles nobody answered for"])
    silent = plans.build_situation(seeded, "A2", as_of=date(2026, 9, 30)).part("voice")
    assert silent is not None and silent.status == "unavailable"
    assert "Nobody at this account answered" in silent.note


def test_sections_are_drafted_from_what_the_situation_found(seeded):
    situation = plans.build_situation(seeded, "A1", as_of=date(2026, 9, 30))
    drafts = plans.draft_sections(situation)
    assert list(drafts) == list(plans.SECTIONS)
    seg = {f.label: f.value for f in situation.part("segment").facts}
    assert f"Value segment: {seg['Value segment']}" in drafts["differentiate"]
    assert plans.SEGMENT_STRATEGY[str(seg["Value segment"])] in drafts["differentiate"]
    assert "Roles with nobody known: initiator" in drafts["identify"]
    assert "dark decider: Dora Decider" in drafts["identify"]
    relationship = str(seg["Relationship type"])
    assert plans.RELATIONSHIP_GUIDANCE[relationship] in drafts["customise"]
    # a plan keeps what people wrote; only empty sections are filled
    plan = plans.new_plan("A1", "Acme", situation)
    plan.identify = "Written in the workshop"
    assert plans.fill_empty_sections(plan) == ["differentiate", "interact", "customise"]
    assert plan.identify == "Written in the workshop"


def test_actions_are_suggested_per_stakeholder_finding(seeded):
    situation = plans.build_situation(seeded, "A1", as_of=date(2026, 9, 30))
    suggested = plans.suggested_actions(situation)
    # Dora (decider) and Bert (buyer) were not touched in the window
    by_contact = {a.contact: a for a in suggested}
    assert by_contact["Dora Decider (decider)"].action.startswith(
        ("First conversation", "Meet: nobody touched")
    )
    assert all(a.owner and a.status == "open" for a in suggested)
    assert all(a.due_on is not None and a.due_on > date(2026, 9, 30) for a in suggested)
    assert len({a.contact for a in suggested}) == len(suggested)  # one per person
    plan = plans.new_plan("A1", "Acme", situation)
    plan.actions.append(suggested[0])
    added = plans.add_suggested_actions(plan)
    assert added == len(suggested) - 1
    assert plans.add_suggested_actions(plan) == 0  # nothing twice
    assert plans.validate_plan(plan) == []


def _part(key: str, facts=(), tables=()) -> plans.SituationPart:
    return plans.SituationPart(
        key,
        key,
        "ready",
        facts=[plans.Fact(label, value) for label, value in facts],
        tables=[
            plans.SituationTable(title, columns, [list(r) for r in rows])
            for title, columns, rows in tables
        ],
    )


def _situation_with_team(team_rows):
    return plans.Situation(
        "A1",
        date(2026, 9, 30),
        datetime(2026, 10, 1),
        [
            _part("crm", facts=[("Account owner", "Olga Owner")]),
            _part("segment", facts=[("Relationship type", "partnership")]),
            _part(
                "coverage",
                tables=[
                    (
                        "Our people on the account",
                        ["name", "team", "touches", "people"],
                        team_rows,
                    ),
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
                            (1, "Dora", "CEO", "decider", 5, None, "no warm path"),
                            (2, "Bert", "Buyer", "buyer", 3, None, "Ann → Bert"),
                        ],
                    ),
                    (
                        "Relationship risks",
                        ["risk", "name", "detail"],
                        [("dark decider", "Dora", "no touch in 12 months")],
                    ),
                ],
            ),
            _part(
                "voice",
                tables=[
                    (
                        "Detractors who can sink a deal",
                        ["contact_name", "buying_role", "why", "score"],
                        [
                            ("Dora", "decider", "decider", 3),
                            ("Cora", "user", "user", 2),
                        ],
                    )
                ],
            ),
        ],
    )


def test_suggested_actions_have_owners_by_role_due_dates_and_no_duplicate_people():
    situation = _situation_with_team(
        [
            ("Sid Service", "Customer Service", 9, 3),
            ("Eve Exec", "Executive Sponsors", 2, 1),
            ("Kim Key", "Key Account Management", 20, 8),
        ]
    )
    suggested = {
        a.contact: a for a in plans.suggested_actions(situation, date(2026, 12, 1))
    }
    assert list(suggested) == ["Dora (decider)", "Bert (buyer)", "Cora (user)"]
    dora = suggested["Dora (decider)"]
    # three findings, one action; the executive sponsor owns it; the detractor's
    # two weeks decide the date
    assert dora.action.count(" · ") == 2 and "Hear why the score is 3" in dora.action
    assert dora.owner == "Eve Exec"
    assert dora.due_on == date(2026, 12, 15)
    assert suggested["Bert (buyer)"].owner == "Olga Owner"  # the account owner
    assert suggested["Bert (buyer)"].due_on == date(
        2026, 12, 31
    )  # partnership: 30 days
    assert suggested["Cora (user)"].owner == "Sid Service"  # the service lead


def test_suggested_owners_fall_back_to_the_account_owner_without_a_team():
    situation = _situation_with_team([])
    suggested = plans.suggested_actions(situation)
    assert {a.owner for a in suggested} == {"Olga Owner"}
    assert min(a.due_on for a in suggested) == date(2026, 10, 14)  # from the as-of day


def test_nothing_is_drafted_from_a_situation_without_findings():
    empty = plans.Situation(
        "A9",
        date(2026, 9, 30),
        datetime(2026, 10, 1),
        [plans.SituationPart("segment", "Value segment", "pending", "later")],
    )
    assert plans.draft_sections(empty) == dict.fromkeys(plans.SECTIONS, "")


def test_situation_parts_never_invent_figures(seeded):
    situation = plans.build_situation(seeded, "A1", as_of=date(2026, 9, 30))
    keys = [p.key for p in situation.parts]
    assert keys == ["crm", "segment", "effort", "coverage", "voice"]
    for part in situation.parts:
        assert part.status in ("ready", "pending", "unavailable")
        if part.status != "ready":
            assert part.note and not part.facts and not part.tables


def test_situation_of_unknown_account_is_unavailable(seeded):
    crm = plans.build_situation(seeded, "NOPE", as_of=date(2026, 9, 30)).part("crm")
    assert crm is not None and crm.status == "unavailable"
    assert not crm.facts


@pytest.mark.parametrize(
    ("relationship", "expected_in", "expected_out"),
    [
        ("transactional", "Reliable delivery", "Joint promotion"),
        ("partnership", "Joint promotion", "Fast quotes and easy ordering"),
    ],
)
def test_value_checklist_follows_the_relationship(
    relationship, expected_in, expected_out
):
    services = plans.value_services_for(relationship)
    assert expected_in in services and expected_out not in services


def test_relationship_override_is_proposed_for_a_new_plan(seeded):
    with store.write_transaction(seeded) as cur:
        cur.execute(
            "INSERT INTO relationship_overrides VALUES "
            "('A1', 'partnership', 'five-year framework', 'anna', now())"
        )
    situation = plans.build_situation(seeded, "A1")
    assert plans.new_plan("A1", "Acme", situation).relationship == "partnership"
    assert plans.new_plan("A2", "Beta").relationship is None


def test_editor_frames_drop_blank_rows_and_read_dates():
    edited = pl.DataFrame(
        {
            "contact": ["Dora", None, "  "],
            "action": ["Visit", None, ""],
            "owner": ["Sam", None, None],
            "due_on": [date(2026, 2, 1), None, None],
            "status": [None, None, None],
            "extra": [1, 2, 3],
        }
    )
    actions = plans.actions_from_frame(edited)
    assert actions == [plans.Action("Dora", "Visit", "Sam", date(2026, 2, 1), "open")]
    plan = full_plan()
    assert plans.objectives_from_frame(plans.objectives_frame(plan)) == plan.objectives
    assert plans.risks_from_frame(plans.risks_frame(plan)) == plan.risks
