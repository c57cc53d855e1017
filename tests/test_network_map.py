"""The buying-centre map: offline and escaped, one meaning per channel, org charts."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest

from tests.network_support import (
    END,
    HOSTILE,
    START,
    centre,
    person,
    small_account,
    touch,
)
from workbench import charts, domain
from workbench.analytics import network

# --- the map ---------------------------------------------------------------------------


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
