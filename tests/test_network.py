"""Buying-centre metrics on small hand-built accounts: levels, coverage, risks."""

from __future__ import annotations

import json
import re
from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.network_support import END as END
from tests.network_support import HOSTILE as HOSTILE
from tests.network_support import (
    INFLUENCE_SCHEMA,
    SMALL_ACCOUNT_COLUMNS,
    SMALL_ACCOUNT_PEOPLE,
    centre,
    person,
    small_account,
    touch,
)
from workbench import domain, i18n, terms
from workbench.analytics import network


def reporting_lines(*lines: str) -> pl.DataFrame:
    """The contacts of an org chart written as "PERSON>MANAGER" (reports to) or
    "PERSON" (reports to nobody)."""
    people = []
    for line in lines:
        contact_id, _, manager = line.partition(">")
        people.append(person(contact_id, reports_to_id=manager or None))
    return centre(people).contacts


# --- levels, cycles, graphs ------------------------------------------------------------


def test_org_levels_follow_the_reporting_tree_and_leave_cycles_undefined():
    contacts = reporting_lines(
        "A", "B>A", "C>B", "D", "E>F", "F>E", "G>E", "H>MISSING", "S>S"
    )
    levels = dict(network.org_levels(contacts).iter_rows())
    assert levels == {
        "A": 1,
        "B": 2,
        "C": 3,
        "D": 1,
        "E": None,
        "F": None,
        "G": None,
        "H": 1,
        "S": None,
    }


def test_reporting_cycles_found_including_self_reports():
    contacts = reporting_lines("E>F", "F>G", "G>E", "S>S", "OK>E")
    assert network.reporting_cycles(contacts) == [["E", "F", "G"], ["S"]]
    assert network.sorted_cycle(["G", "E", "F"]) == ["E", "F", "G"]


def test_relationship_graph_joins_reporting_and_influence_links_within_the_account():
    data = small_account()
    graph = network.relationship_graph(
        data.contacts,
        pl.DataFrame(
            [("TECH", "FIN", 2), ("TECH", "OUTSIDER", 1)],
            schema=INFLUENCE_SCHEMA,
            orient="row",
        ),
    )
    assert set(graph.nodes) == {"CEO", "BUY", "CLERK", "ENG", "TECH", "FIN"}
    assert {frozenset(e) for e in graph.edges} == {
        frozenset(p)
        for p in [
            ("CEO", "BUY"),
            ("BUY", "CLERK"),
            ("CEO", "ENG"),
            ("ENG", "TECH"),
            ("TECH", "FIN"),
        ]
    }


def test_people_adds_levels_functions_touches_and_flags():
    persons = network.people(small_account())
    rows = {r["contact_id"]: r for r in persons.iter_rows(named=True)}
    assert rows["CEO"]["function"] == "executive"
    assert rows["BUY"]["function"] == "procurement"
    assert rows["ENG"]["function"] == "other"
    assert rows["BUY"]["touches"] == 6 and rows["BUY"]["engaged"]
    assert rows["TECH"]["touches"] == 0 and not rows["TECH"]["engaged"]
    assert rows["CLERK"]["role"] == "gatekeeper"
    assert rows["CLERK"]["attitude_mark"] == "unknown"
    assert rows["FIN"]["detractor"] and not rows["CEO"]["detractor"]
    assert rows["CEO"]["days_since_touch"] == 29
    assert rows["TECH"]["days_since_touch"] is None
    assert rows["TECH"]["level"] == 3 and rows["FIN"]["level"] == 1


# --- coverage and breadth --------------------------------------------------------------


def test_role_coverage_counts_present_and_engaged_per_role():
    coverage = network.role_coverage(network.people(small_account()))
    expected = pl.DataFrame(
        {
            "role": [*domain.BUYING_ROLES, "unknown"],
            "present": [0, 1, 1, 1, 1, 1, 1, 0],
            "engaged": [0, 0, 1, 1, 0, 0, 0, 0],
            "status": [
                "missing",
                "not engaged",
                "engaged",
                "engaged",
                "not engaged",
                "not engaged",
                "not engaged",
                "missing",
            ],
            "coverage": [
                "nobody known",
                "0 of 1 covered",
                "1 of 1 covered",
                "1 of 1 covered",
                "0 of 1 covered",
                "0 of 1 covered",
                "0 of 1 covered",
                "nobody known",
            ],
        }
    )
    assert_frame_equal(coverage, expected)


def test_coverage_states_a_partly_covered_role_as_a_gap():
    deciders = centre(
        [person(f"D{i}", buying_role="decider") for i in range(3)],
        touches=[touch("S1", "D0", 2)],
    )
    coverage = network.role_coverage(network.people(deciders))
    decider = coverage.filter(pl.col("role") == "decider").row(0, named=True)
    assert decider["coverage"] == "1 of 3 covered"


def test_breadth_and_depth_counts_departments_levels_and_effort_shares():
    data = small_account()
    breadth = network.breadth_and_depth(network.people(data), data.touches)
    assert breadth.contacts_present == 6 and breadth.contacts_engaged == 2
    assert (
        breadth.departments_present == 4
    )  # Executive, Procurement, Engineering, Finance
    assert breadth.departments_engaged == 2
    assert breadth.levels_present == 3 and breadth.levels_reached == 1
    assert breadth.top_level_reached == 2
    assert breadth.sellers_engaged == 2
    effort = {r["function"]: r for r in breadth.effort.iter_rows(named=True)}
    assert effort["procurement"]["minutes"] == 300
    assert effort["procurement"]["minute_share"] == pytest.approx(0.6)
    assert effort["other"]["minute_share"] == pytest.approx(0.2)
    assert effort["no person named"]["touches"] == 2
    assert effort["executive"]["touch_share"] == 0
    assert sum(r["touch_share"] for r in effort.values()) == pytest.approx(1)


def test_breadth_with_no_touches_has_zero_shares():
    data = centre([person("A", department="Sales")])
    breadth = network.breadth_and_depth(network.people(data), data.touches)
    assert breadth.contacts_engaged == 0 and breadth.top_level_reached is None
    assert breadth.effort["minute_share"].to_list() == [0.0, 0.0, 0.0, 0.0]


# --- risks -----------------------------------------------------------------------------


def risks_of(
    data: domain.BuyingCentreData, **kwargs: object
) -> set[tuple[str, str | None]]:
    risks = network.find_risks(data, **kwargs)  # type: ignore[arg-type]
    return {(r["risk"], r["contact_id"]) for r in risks.iter_rows(named=True)}


def test_risks_of_the_small_account():
    # 6 of the 8 touches with named people go through BUY: 75%, not single-threaded
    assert risks_of(small_account()) == {
        ("dark decider", "CEO"),
        ("dark approver", "FIN"),
        ("stale key player", "TECH"),
        ("stale key player", "FIN"),
        ("high-influence skeptic", "TECH"),
        ("detractor decider", "FIN"),
        ("broken reporting line", "FIN"),
    }


@pytest.mark.parametrize(
    ("touches", "expected"),
    [
        ([("S1", "A", 5)], "all our touches"),
        ([("S1", "A", 9), ("S2", "B", 1)], "90% of our touches"),
        ([("S1", "A", 8), ("S2", "B", 2)], None),  # exactly 80% is not above 80%
        ([("S1", "A", 3), ("S2", "A", 3), ("S1", "B", 1)], "86% of our touches"),
        ([("S1", None, 4)], "no touch with any named person"),
        ([], "no touch with any named person"),
    ],
)
def test_single_threaded(touches, expected):
    data = centre(
        [person("A"), person("B")],
        touches=[touch(s, c, n) for s, c, n in touches],
    )
    risks = network.find_risks(data).filter(
        pl.col("risk").is_in(["single-threaded", "no contact"])
    )
    if expected is None:
        assert risks.height == 0
    else:
        assert risks.height == 1
        assert expected in risks["detail"][0]
        if "touches" in expected:
            assert risks["risk"][0] == "single-threaded"
            assert risks["contact_id"][0] == "A"
        else:
            assert risks["risk"][0] == "no contact"
            assert risks["contact_id"][0] is None


def test_stale_key_players_use_the_threshold_in_days():
    data = centre(
        [
            person("FRESH", influence=5, last_touch=date(2026, 9, 1)),
            person("OLD", influence=4, last_touch=date(2026, 5, 1)),
            person("LOW", influence=3),
        ],
        touches=[touch("S1", "FRESH", 1), touch("S1", "OLD", 1)],
    )
    assert ("stale key player", "OLD") in risks_of(data, stale_days=120)
    assert ("stale key player", "OLD") not in risks_of(data, stale_days=200)
    assert not {r for r in risks_of(data) if r[1] in {"FRESH", "LOW"}}


def test_broken_lines_and_cycles_are_reported():
    data = centre(
        [
            person("A", reports_to_id="B"),
            person("B", reports_to_id="A"),
            person("C", reports_to_id="ELSEWHERE", manager_account_id="A2"),
            person("D", reports_to_id="NOBODY"),
        ],
        touches=[touch("S1", "A", 1), touch("S1", "C", 1)],
        influences=[("D", "STRANGER", 1)],
    )
    risks = network.find_risks(data)
    by_risk = {
        (r["risk"], r["contact_id"]): r["detail"] for r in risks.iter_rows(named=True)
    }
    assert by_risk[("reporting cycle", "A")] == "Person A → Person B → Person A"
    assert "another account (A2)" in by_risk[("broken reporting line", "C")]
    assert "not in the data" in by_risk[("broken reporting line", "D")]
    assert "STRANGER" in by_risk[("broken influence link", "D")]


@pytest.mark.parametrize(
    ("language", "stale", "influence", "broken"),
    [
        (
            "zh-Hans",
            "从未接触",
            "使用者，影响力 4（满分 5）",
            "汇报给 GONE，但数据中没有此人",
        ),
        (
            "zh-Hant",
            "從未接觸",
            "使用者，影響力 4（滿分 5）",
            "匯報給 GONE，但資料中沒有此人",
        ),
    ],
)
def test_risk_details_are_written_in_the_language_asked(
    language, stale, influence, broken
):
    english = network.find_risks(small_account())
    chinese = network.find_risks(small_account(), language=language)
    # the codes are the same in every language: other code keys on them
    assert chinese["risk"].to_list() == english["risk"].to_list()
    assert chinese["contact_id"].to_list() == english["contact_id"].to_list()
    detail = {
        (r["risk"], r["contact_id"]): r["detail"] for r in chinese.iter_rows(named=True)
    }
    assert detail[("stale key player", "TECH")] == stale
    assert detail[("high-influence skeptic", "TECH")] == influence
    assert detail[("broken reporting line", "FIN")] == broken
    # dates and figures are kept, only the words change
    assert "2025-09-30" in detail[("dark decider", "CEO")]
    assert "2026-06-30" in detail[("detractor decider", "FIN")]
    assert not any(
        re.search("[a-z]{4,}", d.replace("GONE", "")) for d in detail.values()
    )


def test_risk_details_in_english_are_unchanged_whatever_language_is_in_force():
    i18n.set_language("zh-Hans")
    try:
        details = network.find_risks(small_account())["detail"].to_list()
    finally:
        i18n.set_language("en")
    assert "user with influence 4 of 5" in details
    assert "never touched" in details


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["dark decider", "single-threaded", "broken influence link"]),
        ("zh-Hans", ["未接触的决策者", "单线联系", "影响关系断开"]),
        ("zh-Hant", ["未接觸的決策者", "單線聯繫", "影響關係斷開"]),
    ],
)
def test_risk_names_read_in_the_language_in_force(language, words):
    i18n.set_language(language)
    try:
        shown = [
            terms.relationship_risk(code)
            for code in ("dark decider", "single-threaded", "broken influence link")
        ]
        table = terms.localise_values(pl.DataFrame({"risk": ["no contact", "odd"]}))
    finally:
        i18n.set_language("en")
    assert shown == words
    assert table["risk"][1] == "odd"  # a value outside the vocabulary is kept
    assert (table["risk"][0] == "no contact") == (language == "en")


# --- whom to reach next -----------------------------------------------------------------


def test_warm_paths_start_from_engaged_champions_when_there_are_any():
    data = small_account()
    persons = network.people(data)
    paths = network.warm_paths(persons, data.influences)
    # ENG (supporter, engaged) is nearer to TECH and is the one we talk to
    assert paths["TECH"] == ["ENG", "TECH"]
    assert paths["FIN"] == ["ENG", "TECH", "FIN"]
    assert paths["ENG"] == ["ENG"]
    # CEO (champion, not engaged) only counts when no engaged friend reaches a person;
    # here ENG reaches everyone, through CEO where needed.
    assert paths["CLERK"] == ["ENG", "CEO", "BUY", "CLERK"]


def test_warm_paths_fall_back_to_any_champion_and_skip_unreachable_people():
    data = centre(
        [
            person("CHAMP", attitude="champion"),
            person("X", reports_to_id="CHAMP"),
            person("ALONE"),
        ]
    )
    paths = network.warm_paths(network.people(data), data.influences)
    assert paths == {"CHAMP": ["CHAMP"], "X": ["CHAMP", "X"]}


def test_reach_next_ranks_uncovered_high_influence_people():
    data = small_account()
    reach = network.reach_next(network.people(data), data.influences)
    # CEO: 2×5 + decider 3 + 29/365×2; TECH: 2×4 + user 1 + 2 (never);
    # FIN: 2×4 + approver 2.5 + 2 (more than a year ago). BUY and ENG are engaged,
    # CLERK's influence is too low.
    assert reach["contact_id"].to_list() == ["CEO", "FIN", "TECH"]
    assert reach["rank"].to_list() == [1, 2, 3]
    assert reach["score"].to_list() == [
        pytest.approx(13.16, abs=0.01),
        12.5,
        11.0,
    ]
    assert reach["path_ids"].to_list() == [
        ["ENG", "CEO"],
        ["ENG", "TECH", "FIN"],
        ["ENG", "TECH"],
    ]
    assert reach["path"][1] == "Person ENG → Person TECH → Person FIN"
    assert reach["path_length"].to_list() == [1, 2, 1]


def test_reach_next_leaves_out_blockers_and_says_when_there_is_no_path():
    data = centre(
        [
            person("B", influence=5, attitude="blocker"),
            person("N", influence=4, buying_role="decider"),
        ]
    )
    reach = network.reach_next(network.people(data), data.influences, limit=5)
    assert reach["contact_id"].to_list() == ["N"]
    assert reach["path"][0] == "no warm path"
    assert reach["path_ids"][0].to_list() == []
    assert reach["path_length"][0] is None


def test_analyse_buying_centre_bundles_every_metric():
    report = network.analyse_buying_centre(small_account())
    assert report.coverage.height == 8
    assert report.breadth.contacts_engaged == 2
    assert report.risks.height == 7
    assert report.reach_next.height == 3
    summary = network.map_summary(report)
    assert json.loads(json.dumps(summary, default=str))["reach_next"][0][
        "path_ids"
    ] == [
        "ENG",
        "CEO",
    ]


def test_the_top_of_a_deep_tree_is_executive_only_when_the_title_is_unknown():
    # Seniority comes from the title first; the org chart decides only where the
    # title is unknown, and only the top of a tree deep enough to be management.
    persons = network.people(
        centre(
            [
                person("TOP", department="Operations", title=None),
                person("MID", department="Operations", reports_to_id="TOP", title=""),
                person("LOW", department="Operations", reports_to_id="MID", title=None),
                person("LEAD", department="Sales", title=None),
                person("REP", department="Sales", reports_to_id="LEAD"),
                person("LONE", department="Operations", title=None),
                person("STAFF", department="Service"),
                person("CLERK", department="Service", reports_to_id="STAFF"),
                person("AGENT", department="Service", reports_to_id="CLERK"),
            ]
        )
    )
    functions = dict(persons.select("contact_id", "function").iter_rows())
    assert functions == {
        "TOP": "executive",  # top of a 3-level tree, title unknown
        "MID": "executive",  # second level of it
        "LOW": "other",
        "LEAD": "other",  # a 2-level team: its boss is simply not on record
        "REP": "other",
        "LONE": "other",  # no manager on record is not seniority
        "STAFF": "other",  # the title says staff, whatever the tree says
        "CLERK": "other",
        "AGENT": "other",
    }


def test_titles_in_english_and_chinese_decide_seniority_not_a_missing_manager():
    titled = [
        ("CEO", "Chief Executive Officer", "Operations"),
        ("VP", "VP Sales", "Sales"),
        ("DIR", "IT总监", "IT"),
        ("GM", "總經理", "Operations"),
        ("VICE", "副总经理", "Operations"),
        ("HEAD", "Head of Engineering", "Engineering"),
        ("ASSIST", "总经理助理", "Operations"),
        ("EA", "Assistant to the CEO", "Operations"),
        ("AE", "Account Executive", "Sales"),
        ("PM", "Product Manager", "Product Management"),
        ("CPO", "Director of Purchasing", "Procurement"),
        ("BOARD", None, "Executive"),
    ]
    persons = network.people(
        centre([person(c, title=t, department=d) for c, t, d in titled])
    )
    functions = dict(persons.select("contact_id", "function").iter_rows())
    executives = {c for c, f in functions.items() if f == "executive"}
    assert executives == {"CEO", "VP", "DIR", "GM", "VICE", "HEAD", "BOARD"}
    # buying from the head of purchasing is still transactional
    assert functions["CPO"] == "procurement"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "unknown with influence 4 of 5"),
        ("zh-Hans", "角色未知，影响力 4（满分 5）"),
    ],
)
def test_a_risky_person_without_a_role_is_said_to_have_none(language, expected):
    # a high-influence skeptic the CRM gave no buying role (common in real exports)
    people = [
        person(**dict(zip(SMALL_ACCOUNT_COLUMNS, row, strict=True)))
        for row in SMALL_ACCOUNT_PEOPLE
    ]
    people[4].update(buying_role=None)  # TECH
    details = network.find_risks(centre(people), language=language)
    skeptic = details.filter(pl.col("risk") == "high-influence skeptic")
    assert skeptic["detail"].to_list() == [expected]


def test_whom_our_time_went_to_reads_in_the_language():
    effort = network.breadth_and_depth(
        network.people(small_account()), small_account().touches
    ).effort
    i18n.set_language("zh-Hans")
    try:
        shown = terms.localise_values(effort)["function"].to_list()
    finally:
        i18n.set_language("en")
    assert shown == ["高层", "采购部门", "其他职能", "未指明联系人"]
