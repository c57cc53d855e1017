"""Buying-centre metrics on small hand-built accounts, the safe map, and its store reads."""

from __future__ import annotations

import json
import re
from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.factories import load_frames, rows_frame
from workbench import charts, domain, i18n, store, terms
from workbench.analytics import network
from workbench.domain import Actor
from workbench.errors import PermissionDeniedError, RejectedInputError

END = date(2026, 9, 30)
START = date(2025, 9, 30)

CONTACT_SCHEMA = {
    "contact_id": pl.String,
    "name": pl.String,
    "title": pl.String,
    "department": pl.String,
    "reports_to_id": pl.String,
    "manager_account_id": pl.String,
    "buying_role": pl.String,
    "influence": pl.Int8,
    "attitude": pl.String,
    "email": pl.String,
    "phone": pl.String,
    "last_touch": pl.Date,
    "nps_score": pl.Int8,
    "nps_date": pl.Date,
}
TOUCH_SCHEMA = {
    "seller_id": pl.String,
    "seller_name": pl.String,
    "seller_team": pl.String,
    "contact_id": pl.String,
    "touches": pl.Int64,
    "minutes": pl.Float64,
    "last_touch": pl.Date,
}
INFLUENCE_SCHEMA = {
    "from_contact_id": pl.String,
    "to_contact_id": pl.String,
    "strength": pl.Int8,
}


def person(contact_id: str, **fields: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(CONTACT_SCHEMA)
    row.update(contact_id=contact_id, name=f"Person {contact_id}", title="Staff")
    row.update(fields)
    return row


def touch(seller_id: str, contact_id: str | None, touches: int, minutes: float = 0):
    return {
        "seller_id": seller_id,
        "seller_name": f"Seller {seller_id}",
        "seller_team": "Key Account Management",
        "contact_id": contact_id,
        "touches": touches,
        "minutes": minutes,
        "last_touch": END,
    }


def centre(
    people: list[dict[str, object]],
    touches: list[dict[str, object]] | None = None,
    influences: list[tuple[str, str, int]] | None = None,
) -> domain.BuyingCentreData:
    return domain.BuyingCentreData(
        account_id="A1",
        account_name="Acme",
        start=START,
        end=END,
        contacts=pl.DataFrame(people, schema=CONTACT_SCHEMA),
        influences=pl.DataFrame(
            influences or [], schema=INFLUENCE_SCHEMA, orient="row"
        ),
        touches=pl.DataFrame(touches or [], schema=TOUCH_SCHEMA),
    )


def reporting_lines(*lines: str) -> pl.DataFrame:
    """The contacts of an org chart written as "PERSON>MANAGER" (reports to) or
    "PERSON" (reports to nobody)."""
    people = []
    for line in lines:
        contact_id, _, manager = line.partition(">")
        people.append(person(contact_id, reports_to_id=manager or None))
    return centre(people).contacts


# A small account used by several tests:
#
#   CEO (decider, champion, Executive)
#   ├── BUY (buyer, Procurement)            ← touched 6 times
#   │   └── CLERK (gatekeeper, Procurement)
#   └── ENG (influencer, Engineering, supporter) ← touched 2 times
#       └── TECH (user, Engineering, influence 4, never touched)
#   FIN (approver, Finance, reports to nobody known: "GONE")
#   TECH influences FIN (dashed link)
SMALL_ACCOUNT_COLUMNS = (
    "contact_id",
    "department",
    "reports_to_id",
    "buying_role",
    "influence",
    "attitude",
    "last_touch",
)
SMALL_ACCOUNT_PEOPLE = (
    ("CEO", "Executive", None, "decider", 5, "champion", date(2026, 9, 1)),
    ("BUY", "Procurement", "CEO", "buyer", 3, "neutral", date(2026, 8, 1)),
    ("CLERK", "Procurement", "BUY", "gatekeeper", 1, None, None),
    ("ENG", "Engineering", "CEO", "influencer", 3, "supporter", date(2026, 9, 20)),
    ("TECH", "Engineering", "ENG", "user", 4, "skeptic", None),
    ("FIN", "Finance", "GONE", "approver", 4, "neutral", date(2025, 1, 1)),
)


def small_account() -> domain.BuyingCentreData:
    people = [
        person(**dict(zip(SMALL_ACCOUNT_COLUMNS, row, strict=True)))
        for row in SMALL_ACCOUNT_PEOPLE
    ]
    people[-1].update(nps_score=3, nps_date=date(2026, 6, 30))  # FIN answered
    return centre(
        people,
        touches=[
            touch("S1", "BUY", 6, 300),
            touch("S2", "ENG", 2, 100),
            touch("S1", None, 2, 100),
        ],
        influences=[("TECH", "FIN", 2)],
    )


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


# --- the map ---------------------------------------------------------------------------

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "<a href='javascript:alert(1)'>x</a>",
]


def hostile_account() -> domain.BuyingCentreData:
    return centre(
        [
            person(
                HOSTILE[0],
                name=HOSTILE[0],
                title=HOSTILE[1],
                department=HOSTILE[2],
                attitude="champion",
                influence=5,
            ),
            person(
                HOSTILE[1],
                name=HOSTILE[1],
                title=HOSTILE[3],
                department=HOSTILE[0],
                reports_to_id=HOSTILE[0],
                buying_role="decider",
                influence=4,
                nps_score=2,
                nps_date=END,
            ),
            person(
                "href", name="href HREF", title="a href b", reports_to_id=HOSTILE[1]
            ),
        ],
        touches=[
            {
                **touch(HOSTILE[3], HOSTILE[1], 3, 30),
                "seller_name": HOSTILE[0],
                "seller_team": HOSTILE[1],
            }
        ],
        influences=[(HOSTILE[0], "href", 3)],
    )


@pytest.mark.parametrize("layout", ["force", "hierarchy"])
def test_map_html_is_offline_and_escapes_every_text(layout):
    html = network.buying_centre_html(
        hostile_account(),
        network.MapOptions(layout=layout, highlight_contact_id="href"),
    )
    assert "<img" not in html
    assert "<svg onload" not in html  # the page's own SVG export builds "<svg" in JS
    assert "<script>alert" not in html
    assert "onerror=alert(1)" in html.replace("\\u003e", ">")  # shown as text
    assert "cdn.jsdelivr" not in html
    assert "cdnjs" not in html
    assert "bootstrap" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)
    nodes = _vis_data(html, "nodes")
    assert "popup.innerHTML" not in html  # pyvis' HTML popup stays off
    assert all(isinstance(n["id"], int) for n in nodes)
    assert not any("href" in str(n.get("title", "")).lower() for n in nodes)
    assert any("‹img src=x onerror=alert(1)›" in n["label"] for n in nodes)


def _vis_data(html: str, name: str) -> list[dict[str, object]]:
    match = re.search(rf"{name} = new vis\.DataSet\((\[.*?\])\);", html, re.DOTALL)
    assert match, f"no {name} in the page"
    return json.loads(match.group(1))


def test_map_marks_one_meaning_per_channel():
    net = network.build_buying_centre(small_account())
    nodes = {n["label"].split("\n")[0]: n for n in net.nodes}
    ceo, tech, fin = nodes["Person CEO"], nodes["Person TECH"], nodes["Person FIN"]
    # shape = role, fill = attitude, ring = coverage, size = influence
    assert ceo["shape"] == network.ROLE_SHAPES["decider"] == "star"
    assert tech["shape"] == network.ROLE_SHAPES["user"]
    assert nodes["Person CLERK"]["shape"] == "triangleDown"  # gatekeeper
    assert ceo["color"]["background"] == network.ATTITUDE_MARKS["champion"].fill
    assert (
        nodes["Person CLERK"]["color"]["background"]
        == network.ATTITUDE_MARKS["unknown"].fill
    )
    buyer = nodes["Person BUY"]
    assert buyer["color"]["border"] == network.COVERED_RING  # touched in the window
    assert tech["color"]["border"] == network.UNCOVERED_RING  # never touched
    assert ceo["color"]["border"] == network.UNCOVERED_RING  # not in the window
    assert tech["shapeProperties"] == {"borderDashes": [4, 3]}
    assert "shapeProperties" not in buyer
    assert ceo["size"] > tech["size"] > nodes["Person CLERK"]["size"]
    # no colour is shared between the fill and the ring
    fills = {m.fill for m in network.ATTITUDE_MARKS.values()}
    assert not fills & {network.COVERED_RING, network.UNCOVERED_RING}
    assert "Latest NPS: 3 (detractor, Jun 30, 2026)" in fin["title"]
    assert "Reports to: GONE, who is not in this account" in fin["title"]
    assert "Last touch: never" in tech["title"]
    sellers = [n for n in net.nodes if n["kind"] == "seller"]
    assert sorted(n["label"] for n in sellers) == ["Seller S1", "Seller S2"]
    assert all(n["group"] == n["kind"] for n in net.nodes)  # for notebooks
    page_nodes = _vis_data(network.buying_centre_html(small_account()), "nodes")
    assert all("group" not in n for n in page_nodes)  # groups would repaint nodes
    dashed = [e for e in net.edges if e.get("dashes")]
    assert len(dashed) == 1  # TECH influences FIN
    reporting = [e for e in net.edges if e.get("title") == "reports to"]
    assert len(reporting) == 4  # FIN's manager is missing
    seller_edges = [e for e in net.edges if "touches" in e.get("title", "")]
    assert sorted(e["width"] for e in seller_edges) == [
        pytest.approx(1 + 7 * (2 / 6) ** 0.5, abs=0.01),
        8.0,
    ]


def test_the_page_carries_badges_the_legend_and_the_label_logic():
    html = network.buying_centre_html(
        small_account(), network.MapOptions(title="Acme <Holdings>")
    )
    config = json.loads(
        re.search(r"var CONFIG = (\{.*?\});\n", html, re.DOTALL).group(1)
    )
    nodes = {n["label"].split("\n")[0]: n["id"] for n in _vis_data(html, "nodes")}
    fin = str(nodes["Person FIN"])
    assert config["badges"][fin] == {
        "score": 3,
        "colour": network.NPS_BADGE_COLOURS["detractor"],
    }
    # the decider's label comes first; our sellers after every customer person
    ranked = sorted(config["rank"], key=config["rank"].get)
    assert ranked[0] == str(nodes["Person CEO"])
    assert {ranked[-1], ranked[-2]} == {
        str(nodes["Seller S1"]),
        str(nodes["Seller S2"]),
    }
    assert config["labelPx"] >= 14
    assert set(config["reports"][str(nodes["Person CEO"])]) == {
        str(nodes["Person BUY"]),
        str(nodes["Person ENG"]),
    }
    assert config["filename"] == "Acme-Holdings.png"
    # the legend is on the map, one block per channel, as escaped text
    for block in (
        "Shape = buying role",
        "Fill = attitude",
        "Ring = our coverage",
        "Badge = latest NPS",
        "Size = influence",
    ):
        assert f'<div class="wb-block-title">{block}</div>' in html
    assert 'id="wb-png"' in html and "toDataURL" in html
    assert "requestFullscreen" in html
    assert "Noto Sans CJK SC" in html and "Microsoft YaHei" in html
    assert "Acme \\u003cHoldings\\u003e" in html  # the caption, escaped in JSON


def test_label_ranks_put_who_decides_first():
    data = centre(
        [
            person("U", buying_role="user", influence=5),
            person("A", buying_role="approver", influence=2),
            person("D", buying_role="decider", influence=4),
            person("N", influence=5),
        ]
    )
    assert network.label_ranks(network.people(data)) == ["D", "A", "U", "N"]


def test_a_deal_shows_only_the_people_named_on_it():
    deals = pl.DataFrame(
        {
            "opportunity_id": ["O1", "O1", "O2", "O3"],
            "deal": ["Pilot", "Pilot", "Renewal", "Empty"],
            "stage": ["Proposal", "Proposal", "Closed Won", "Prospecting"],
            "amount": [100.0, 100.0, 50.0, None],
            "close_date": [END, END, START, None],
            "is_closed": [False, False, True, False],
            "is_won": [False, False, True, False],
            "contact_id": ["CEO", "BUY", "FIN", None],
            "deal_role": ["Decision Maker", None, "Approver", None],
            "is_primary": [True, False, True, None],
        }
    )
    listed = network.deal_list(deals)
    assert listed["opportunity_id"].to_list() == ["O1", "O2", "O3"]
    assert listed["people"].to_list() == [2, 1, 0]
    assert network.deal_people(deals, "O1") == ("BUY", "CEO")
    assert network.deal_people(deals, "O3") == ()
    options = network.MapOptions(
        contact_ids=network.deal_people(deals, "O1"), show_sellers=False
    )
    net = network.build_buying_centre(small_account(), options)
    assert sorted(n["label"].split("\n")[0] for n in net.nodes) == [
        "Person BUY",
        "Person CEO",
    ]
    roles = network.deal_roles(deals, "O1", network.people(small_account()))
    assert roles["name"].to_list() == ["Person CEO", "Person BUY"]  # primary first
    assert roles["engaged"].to_list() == [False, True]


def test_map_filters_keep_the_highlighted_path_and_fade_the_rest():
    options = network.MapOptions(
        departments=("Finance",), highlight_contact_id="FIN", show_sellers=False
    )
    net = network.build_buying_centre(small_account(), options)
    labels = sorted(n["label"].split("\n")[0] for n in net.nodes)
    assert labels == ["Person ENG", "Person FIN", "Person TECH"]
    path_edges = [e for e in net.edges if e.get("title") == "warm path"]
    assert len(path_edges) == 2
    faded = [n for n in net.nodes if n.get("opacity")]
    assert faded == []  # everyone shown is on the path
    net = network.build_buying_centre(
        small_account(), network.MapOptions(highlight_contact_id="FIN")
    )
    assert {n["label"].split("\n")[0] for n in net.nodes if n.get("opacity")} == {
        "Person CEO",
        "Person BUY",
        "Person CLERK",
    }


def test_role_filter_and_the_org_chart_layout():
    options = network.MapOptions(roles=("buyer", "gatekeeper"), layout="hierarchy")
    net = network.build_buying_centre(small_account(), options)
    levels = {n["label"].split("\n")[0]: n["level"] for n in net.nodes}
    assert levels == {"Person BUY": 2, "Person CLERK": 3, "Seller S1": 0}
    # fixed positions, no physics: the org chart does not move
    assert net.options["physics"]["enabled"] is False
    assert net.options["layout"]["hierarchical"]["enabled"] is False
    at = {n["label"].split("\n")[0]: (n["x"], n["y"]) for n in net.nodes}
    assert at["Seller S1"][1] < at["Person BUY"][1] < at["Person CLERK"][1]


def test_org_chart_puts_managers_above_their_teams_and_loose_people_below():
    data = centre(
        [
            person("CEO"),
            person("CFO", reports_to_id="CEO"),
            person("CTO", reports_to_id="CEO"),
            *[person(f"F{i}", reports_to_id="CFO") for i in range(3)],
            person("ENG", reports_to_id="CTO"),
            *[person(f"E{i}", reports_to_id="ENG") for i in range(2)],
            person("LOOSE"),
            person("X", reports_to_id="Y"),
            person("Y", reports_to_id="X"),  # a reporting cycle
        ]
    )
    at = network.org_chart_positions(network.people(data))
    assert set(at) == set(data.contacts["contact_id"])
    assert at["CEO"][1] < at["CFO"][1] < at["F0"][1]
    assert at["CFO"][1] == at["CTO"][1]
    # a small team hangs in a column under its manager, not spread sideways
    assert at["F0"][0] == at["F1"][0] == at["F2"][0]
    assert at["F0"][1] < at["F1"][1] < at["F2"][1]
    assert at["CFO"][0] <= at["F0"][0]
    # the top is centred over the managers below
    assert (
        min(at["CFO"][0], at["CTO"][0])
        <= at["CEO"][0]
        <= max(at["CFO"][0], at["CTO"][0])
    )
    deepest = max(y for name, (_, y) in at.items() if name not in {"LOOSE", "X", "Y"})
    assert all(at[p][1] > deepest for p in ("LOOSE", "X", "Y"))
    assert len(set(at.values())) == len(at)  # nobody on top of anyone


def test_org_chart_of_a_long_chain_needs_no_recursion():
    chain = [person("P0")] + [
        person(f"P{i}", reports_to_id=f"P{i - 1}") for i in range(1, 1500)
    ]
    at = network.org_chart_positions(network.people(centre(chain)))
    assert len(at) == 1500


def test_eighty_people_fit_a_projector_wide_org_chart():
    # an 80-person account: a CEO, 8 directors, 71 staff in teams of 8–9
    rows = [person("CEO", buying_role="decider", influence=5)]
    for d in range(8):
        rows.append(person(f"D{d}", reports_to_id="CEO", buying_role="approver"))
    rows += [person(f"S{i:02d}", reports_to_id=f"D{i % 8}") for i in range(71)]
    at = network.org_chart_positions(network.people(centre(rows)))
    xs = [x for x, _ in at.values()]
    ys = [y for _, y in at.values()]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    # wider than tall, as a 16:9 screen, and not a strip
    assert 1.0 < width / height < 4.0


def test_freeze_stops_physics_after_stabilisation_and_large_maps_go_fast():
    frozen = network.buying_centre_html(small_account())
    assert "stabilizationIterationsDone" in frozen
    assert "physics: false" in frozen
    moving = network.buying_centre_html(
        small_account(), network.MapOptions(freeze=False)
    )
    assert "physics: false" not in moving
    many = centre([person(f"P{i:04d}") for i in range(network.LARGE_MAP_NODES)])
    options = network.build_buying_centre(many).options
    assert options["layout"]["improvedLayout"] is False
    assert options["edges"]["smooth"] is False
    assert options["physics"]["stabilization"]["iterations"] <= 150


def test_seller_edges_are_capped_heaviest_first():
    data = centre(
        [person(f"P{i}") for i in range(5)],
        touches=[touch("S1", f"P{i}", i + 1) for i in range(5)],
    )
    net = network.build_buying_centre(data, network.MapOptions(max_seller_edges=2))
    widths = [e["title"] for e in net.edges if "touches" in e.get("title", "")]
    assert widths == [
        "5 touches, 0 minutes in the window",
        "4 touches, 0 minutes in the window",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, ""),
        ("<b>", "‹b›"),
        ("see href=x", "see h\u200bref=x"),
        ("HREF", "H\u200bREF"),
        ("x" * 100, "x" * 79 + "…"),
    ],
)
def test_safe_text(text, expected):
    assert network.safe_text(text) == expected


def test_legend_items_follow_the_channels():
    items = network.legend_items()
    roles = items.filter(pl.col("column") == "Shape = buying role")
    assert roles["label"].to_list() == [*domain.BUYING_ROLES, "unknown"]
    assert roles["shape"][roles["label"].to_list().index("gatekeeper")] == (
        "triangle-down"
    )
    attitudes = items.filter(pl.col("column") == "Fill = attitude")
    assert attitudes["label"].to_list()[0] == "champion (dark green)"
    assert attitudes["fill"].to_list() == [
        network.ATTITUDE_MARKS[a].fill for a in [*domain.ATTITUDES, "unknown"]
    ]
    spec = charts.legend_chart().to_dict()
    assert len(spec["hconcat"]) == 3
    assert "detractor" in network.legend_markdown()


# --- editing ---------------------------------------------------------------------------


def test_contact_changes_lists_only_changed_values():
    original = pl.DataFrame(
        {
            "contact_id": ["A", "B", "C"],
            "buying_role": ["buyer", None, "user"],
            "influence": pl.Series([3, None, 2], dtype=pl.Int64),
            "attitude": ["neutral", "skeptic", None],
        }
    )
    edited = original.with_columns(
        pl.Series("buying_role", ["decider", None, "user"]),
        pl.Series("influence", [3.0, 5.0, None]),  # editors return floats
        pl.Series("attitude", ["neutral", "skeptic", None]),
    )
    changes = network.contact_changes(original, edited)
    assert changes.to_dicts() == [
        {"contact_id": "A", "field": "buying_role", "new_value": "decider"},
        {"contact_id": "B", "field": "influence", "new_value": "5"},
        {"contact_id": "C", "field": "influence", "new_value": None},
    ]
    assert network.contact_changes(original, original).height == 0


# --- store: reading an account and saving edits ------------------------------------------

ANALYST = Actor(name="ana", role="analyst")


@pytest.fixture
def small_db(con: store.Connection) -> store.Connection:
    frames = {
        "sellers": pl.DataFrame(
            {"seller_id": ["S1", "S2"], "name": ["Sam", "Sue"], "team": ["KAM", "TS"]}
        ),
        "accounts": pl.DataFrame(
            {"account_id": ["A1", "A2"], "name": ["Acme", "Other"]}
        ),
        "contacts": pl.DataFrame(
            {
                "contact_id": ["C1", "C2", "C3", "X1"],
                "account_id": ["A1", "A1", "A1", "A2"],
                "name": ["Ann", "Bob", "Cy", "Xu"],
                "reports_to_id": [None, "C1", "X1", None],
                "buying_role": ["decider", None, "user", "buyer"],
                "influence": pl.Series([5, 2, None, 3], dtype=pl.Int8),
                "attitude": ["champion", None, "neutral", None],
            }
        ),
        "contact_influences": pl.DataFrame(
            {
                "from_contact_id": ["C2", "X1"],
                "to_contact_id": ["C1", "X1"],
                "strength": pl.Series([2, 1], dtype=pl.Int8),
            }
        ),
        "activities": rows_frame(
            "activity_id account_id contact_id seller_id activity_date duration_minutes",
            ("a1", "A1", "C1", "S1", date(2026, 9, 1), 30.0),
            ("a2", "A1", "C1", "S1", date(2026, 3, 1), 60.0),
            ("a3", "A1", "C2", "S2", date(2025, 1, 1), 15.0),
            ("a4", "A1", None, "S1", date(2026, 9, 30), None),
            ("a5", "A2", "X1", "S1", date(2026, 9, 30), 5.0),
        ),
        "nps_responses": pl.DataFrame(
            {
                "response_id": ["r1", "r2", "r3"],
                "account_id": ["A1", "A1", "A1"],
                "contact_id": ["C1", "C1", "C2"],
                "responded_on": [
                    date(2026, 3, 31),
                    date(2026, 6, 30),
                    date(2026, 10, 5),
                ],
                "score": pl.Series([9, 4, 10], dtype=pl.Int8),
            }
        ),
    }
    load_frames(con, frames)
    return con


def test_read_buying_centre_aggregates_in_the_window(small_db):
    data = store.read_buying_centre(small_db, "A1", months=6, as_of=END)
    assert (data.account_name, data.start, data.end) == ("Acme", date(2026, 3, 30), END)
    contacts = {r["contact_id"]: r for r in data.contacts.iter_rows(named=True)}
    assert set(contacts) == {"C1", "C2", "C3"}
    assert contacts["C1"]["last_touch"] == date(2026, 9, 1)
    assert contacts["C1"]["nps_score"] == 4  # the latest answer up to the window's end
    assert contacts["C2"]["nps_score"] is None  # answered after the window's end
    assert contacts["C3"]["manager_account_id"] == "A2"
    assert contacts["C2"]["manager_account_id"] == "A1"
    touches = data.touches.select("seller_id", "seller_name", "contact_id", "touches")
    assert touches.to_dicts() == [
        {"seller_id": "S1", "seller_name": "Sam", "contact_id": "C1", "touches": 1},
        {"seller_id": "S1", "seller_name": "Sam", "contact_id": None, "touches": 1},
    ]
    assert data.influences.height == 1
    # without as_of the window ends on the last day in the data (an NPS answer here)
    assert store.read_buying_centre(small_db, "A1").end == date(2026, 10, 5)
    longer = store.read_buying_centre(small_db, "A1", months=7, as_of=END)
    assert longer.touches.filter(pl.col("contact_id") == "C1")["touches"][0] == 2


def test_read_buying_centre_counts_other_accounts_activities_naming_its_people(
    small_db,
):
    # Another account's visit to Bob (a person who moved, a shared contact), a
    # call on nobody's account to Ann, and an older visit to Cy outside the
    # window: the first two are touches of A1's people, the third is not.
    with store.write_transaction(small_db) as cur:
        cur.execute(
            """
            INSERT INTO activities (activity_id, account_id, contact_id, seller_id,
                                    activity_date, duration_minutes)
            VALUES ('b1', 'A2', 'C2', 'S2', DATE '2026-08-01', 45),
                   ('b2', NULL, 'C1', 'S1', DATE '2026-07-01', 20),
                   ('b3', 'A2', 'C3', 'S2', DATE '2025-08-01', 10)
            """
        )
    data = store.read_buying_centre(small_db, "A1", months=6, as_of=END)
    touches = data.touches.select("seller_id", "contact_id", "touches", "minutes")
    assert touches.sort("seller_id", "contact_id", nulls_last=True).to_dicts() == [
        {"seller_id": "S1", "contact_id": "C1", "touches": 2, "minutes": 50.0},
        {"seller_id": "S1", "contact_id": None, "touches": 1, "minutes": 0.0},
        {"seller_id": "S2", "contact_id": "C2", "touches": 1, "minutes": 45.0},
    ]
    # the other account's map counts its own activity too, naming A1's person
    other = store.read_buying_centre(small_db, "A2", months=6, as_of=END)
    assert set(other.touches["contact_id"].to_list()) == {"X1", "C2"}


def test_read_buying_centre_rejects_unknown_accounts_and_bad_windows(small_db):
    with pytest.raises(RejectedInputError, match="no account"):
        store.read_buying_centre(small_db, "NOPE")
    with pytest.raises(RejectedInputError, match="at least one month"):
        store.read_buying_centre(small_db, "A1", months=0)


def test_buying_centre_accounts_lists_people_per_account(small_db):
    accounts = store.buying_centre_accounts(small_db)
    assert accounts.rows() == [("A1", "Acme", 3), ("A2", "Other", 1)]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 9, 30), 12, date(2025, 9, 30)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 1, date(2025, 12, 15)),
        (date(2026, 1, 15), 25, date(2023, 12, 15)),
    ],
)
def test_months_before(day, months, expected):
    assert domain.months_before(day, months) == expected


def changes(*rows: tuple[str, str, str | None]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["contact_id", "field", "new_value"], orient="row")


def test_save_contact_edits_updates_and_records_who_and_when(small_db):
    version = store.data_version(small_db)
    saved = store.save_contact_edits(
        small_db,
        ANALYST,
        changes(
            ("C2", "buying_role", "buyer"),
            ("C2", "influence", "4"),
            ("C1", "attitude", None),
            ("C3", "attitude", "neutral"),  # unchanged: not recorded
        ),
    )
    assert saved == 3
    assert store.data_version(small_db) == version + 1
    contacts = store.read_buying_centre(small_db, "A1").contacts
    rows = {r["contact_id"]: r for r in contacts.iter_rows(named=True)}
    assert rows["C2"]["buying_role"] == "buyer" and rows["C2"]["influence"] == 4
    assert rows["C1"]["attitude"] is None
    history = store.contact_edit_history(small_db, "A1")
    assert history.select(
        "name", "field", "old_value", "new_value", "edited_by"
    ).rows() == [
        ("Bob", "influence", "2", "4", "ana"),
        ("Bob", "buying_role", None, "buyer", "ana"),
        ("Ann", "attitude", "champion", None, "ana"),
    ]
    assert history["edited_at"].null_count() == 0
    store.save_contact_edits(small_db, ANALYST, changes(("C3", "influence", "1")))
    edit_ids = store.read_table(small_db, "contact_edits")["edit_id"].to_list()
    assert edit_ids == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("C1", "buying_role", "boss")], "not a valid buying_role"),
        ([("C1", "influence", "9")], "not a valid influence"),
        ([("C1", "attitude", "fan")], "not a valid attitude"),
        ([("C1", "name", "Eve")], "cannot be edited"),
        ([("NOPE", "attitude", "fan"), ("NOPE", "attitude", "neutral")], "twice"),
        ([("NOPE", "attitude", "neutral")], "no contact has the ID 'NOPE'"),
    ],
)
def test_save_contact_edits_rejects_bad_input_and_changes_nothing(
    small_db, rows, message
):
    before = store.read_table(small_db, "contacts")
    version = store.data_version(small_db)
    with pytest.raises(RejectedInputError, match=message):
        store.save_contact_edits(small_db, ANALYST, changes(*rows))
    assert_frame_equal(store.read_table(small_db, "contacts"), before)
    assert store.read_table(small_db, "contact_edits").height == 0
    assert store.data_version(small_db) == version


def test_viewers_may_not_save_edits(small_db):
    viewer = Actor(name="vic", role="viewer")
    with pytest.raises(PermissionDeniedError):
        store.save_contact_edits(small_db, viewer, changes(("C1", "attitude", None)))
    assert store.read_table(small_db, "contact_edits").height == 0


def test_an_account_without_people_still_gets_a_map_and_a_report():
    data = centre([], touches=[touch("S1", None, 3, 30)])
    report = network.analyse_buying_centre(data)
    assert report.coverage["present"].sum() == 0
    assert report.reach_next.height == 0
    assert report.risks["risk"].to_list() == ["no contact"]
    assert report.breadth.effort.filter(pl.col("function") == "no person named")[
        "touches"
    ].to_list() == [3]
    html = network.buying_centre_html(data)
    assert "vis.Network" in html and _vis_data(html, "nodes") == []


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


# --- the command line --------------------------------------------------------------------


def test_map_command_writes_the_html_and_prints_json(demo_db, tmp_path, capsys):
    from workbench.cli import main

    out = tmp_path / "maps" / "a00001.html"
    code = main(["map", "A00001", "--db", str(demo_db), "--html", str(out), "--json"])
    assert code == 0
    page = out.read_text(encoding="utf-8")
    assert "vis.Network" in page and "cdnjs" not in page and "cdn.jsdelivr" not in page
    printed = json.loads(capsys.readouterr().out)
    assert printed["account_id"] == "A00001"
    assert [r["role"] for r in printed["coverage"]] == [*domain.BUYING_ROLES, "unknown"]
    assert printed["window"] == {"start": "2025-09-30", "end": "2026-09-30"}
    assert {"risks", "reach_next", "breadth"} <= set(printed)


def test_map_command_exit_codes(demo_db, tmp_path, capsys):
    from workbench.cli import main

    assert main(["map", "NOPE", "--db", str(demo_db), "--json"]) == 1
    assert "no account has the ID 'NOPE'" in capsys.readouterr().err
    assert main(["map", "A00001", "--db", str(demo_db)]) == 2
    assert main(["map", "A00001", "--db", str(demo_db), "--json", "--months", "0"]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["map", "--db", str(demo_db)])
    assert usage.value.code == 2
    out = tmp_path / "plain.html"
    assert main(["map", "A00001", "--db", str(demo_db), "--html", str(out)]) == 0
    assert "people engaged" in capsys.readouterr().out


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
