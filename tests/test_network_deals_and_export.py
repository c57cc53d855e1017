"""The map's exports (legend in the PNG, the SVG builder), its translated hover text,
and the figures beside it narrowed to one deal's buying centre."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date

import polars as pl
import pytest

from tests.test_network import END, HOSTILE, centre, person, small_account, touch
from workbench import i18n, store
from workbench.analytics import network
from workbench.analytics.network import overlay
from workbench.analytics.network.export import EXPORT_SCRIPT
from workbench.errors import RejectedInputError

SVG_NS = "{http://www.w3.org/2000/svg}"
FORMULA = '=HYPERLINK("http://x.example","click")'
ATTRIBUTE = '"><img src=x onerror=alert(1)>'


def run_export(call: str, argument: object) -> str:
    """Run the page's export script under Node with ``argument`` and return its output."""
    node = shutil.which("node")
    if node is None:  # pragma: no cover - Node is part of the test machine
        pytest.skip("Node is needed to run the page's script outside a browser")
    script = re.search(r"<script[^>]*>(.*)</script>", EXPORT_SCRIPT, re.DOTALL)
    assert script
    program = (
        script.group(1)
        + f"\nprocess.stdout.write(String({call}(JSON.parse(process.argv[1]))));\n"
    )
    done = subprocess.run(
        [node, "-e", program, json.dumps(argument)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def scene(names: list[str], caption: str) -> dict[str, object]:
    """A scene as the page collects it: two people, a line, a badge, the legend."""
    people = [
        {
            "x": 100 + 150 * index,
            "y": 120,
            "size": 20,
            "shape": shape,
            "fill": "#1a7f37",
            "stroke": "#1f3b57",
            "strokeWidth": 3,
            "dashes": [4, 3] if index else None,
            "opacity": 1,
            "label": f"{name}\nTitle {index}",
            "labelPx": 14,
            "badge": {"score": 2, "colour": "#d00000"} if index == 0 else None,
            "badgeRadius": 9,
            "unknownRole": index == 1,
        }
        for index, (name, shape) in enumerate(
            zip(names, ["star", "dot", "square"], strict=True)
        )
    ]
    return {
        "width": 640,
        "height": 400,
        "font": "system-ui, 'Segoe UI', sans-serif",
        "caption": caption,
        "legend": overlay.legend_config(network.legend_blocks()),
        "legendTitle": "What the map shows",
        "nodes": people,
        "edges": [
            {
                "x1": 100,
                "y1": 120,
                "x2": 250,
                "y2": 120,
                "targetSize": 20,
                "colour": "#9a9a9a",
                "width": 1,
                "dashed": False,
                "opacity": 1,
                "arrow": True,
            }
        ],
    }


def texts(root: ET.Element) -> list[str]:
    # each text's own words, and each line (tspan) of a label on its own
    return [
        element.text
        for element in root.iter()
        if element.tag in (f"{SVG_NS}text", f"{SVG_NS}tspan") and element.text
    ]


def test_the_svg_holds_hostile_names_as_text_and_the_legend():
    names = [HOSTILE[1], FORMULA, ATTRIBUTE]
    caption = "<script>alert(1)</script> & Co \u0007"
    svg = run_export("WorkbenchExport.buildSvg", scene(names, caption))
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == f"{SVG_NS}svg"
    shown = texts(root)
    for name in names:
        assert name in shown, name  # the whole name, as text, nothing dropped
    assert "<script>alert(1)</script> & Co " in shown  # the bell cannot be in XML
    assert "".join(root.find(f"{SVG_NS}title").itertext()) == caption.replace(
        "\u0007", ""
    )
    # no element or attribute came from the data: only drawing elements, no events
    tags = {element.tag.removeprefix(SVG_NS) for element in root.iter()}
    assert tags <= {
        "svg",
        "title",
        "rect",
        "g",
        "line",
        "polygon",
        "circle",
        "text",
    } | {"tspan"}
    assert not any(
        name.lower().startswith("on") or "href" in name.lower()
        for element in root.iter()
        for name in element.attrib
    )
    # the legend is in the picture: every block's title and every row's label
    for block in network.legend_blocks():
        assert block.title in shown
        for _mark, label in block.rows:
            assert label in shown
    # the star has ten corners, the badge says its score, the "?" of no role
    assert any(
        len(p.attrib["points"].split()) == 10 for p in root.iter(f"{SVG_NS}polygon")
    )
    assert "2" in shown and "?" in shown
    assert root.attrib["width"] == str(640 + 300)  # the map, then the legend


def test_the_legend_stands_where_it_stood_on_the_map_when_shown_there():
    shown = {**scene(["Ann", "Bo", "Cy"], "Acme"), "legendAt": {"x": 8, "y": 8}}
    root = ET.fromstring(run_export("WorkbenchExport.buildSvg", shown))
    assert root.attrib["width"] == "640"  # no room wasted beside the map
    assert int(root.attrib["height"]) >= 400
    legend = next(g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "legend")
    assert legend.attrib["transform"] == "translate(8,8)"
    assert "Shape = buying role" in texts(legend)
    # drawn after the map, so on top of it
    assert list(root).index(legend) > 0


def test_the_legend_of_the_png_is_laid_out_from_the_same_blocks():
    legend = overlay.legend_config(network.legend_blocks())
    laid_out = json.loads(
        run_export(
            "(function (l) { return JSON.stringify("
            "WorkbenchExport.legendOps(l, 'Legend')); })",
            legend,
        )
    )
    labels = [op["text"] for op in laid_out["ops"] if op["op"] == "text"]
    assert labels[0] == "Legend"
    assert labels.count("Shape = buying role") == 1
    marks = [op["mark"] for op in laid_out["ops"] if op["op"] == "mark"]
    assert len(marks) == sum(len(block["rows"]) for block in legend)
    assert {m["kind"] for m in marks} == {"glyph", "dot", "line"}
    assert 300 < laid_out["height"] < 700  # fits beside a 600–680 px map
    assert laid_out["width"] == 300


def test_the_page_offers_both_exports_with_the_legend_in_its_config():
    html = network.buying_centre_html(
        small_account(), network.MapOptions(title="Acme <Holdings>")
    )
    assert 'id="wb-png"' in html and 'id="wb-svg"' in html
    assert "WorkbenchExport.buildSvg(scene())" in html
    assert "WorkbenchExport.drawOps(" in html  # the PNG draws the legend too
    config = json.loads(
        re.search(r"var CONFIG = (\{.*?\});\n", html, re.DOTALL).group(1)
    )
    assert config["svgFilename"] == "Acme-Holdings.svg"
    assert [b["title"] for b in config["legend"]] == [
        b.title for b in network.legend_blocks()
    ]
    assert "http" not in EXPORT_SCRIPT.replace("http://www.w3.org/2000/svg", "")


# --- hover text --------------------------------------------------------------------


def test_the_hover_text_reads_in_chinese_with_vocabulary_terms():
    data = small_account()
    contacts = data.contacts.with_columns(
        pl.when(pl.col("contact_id") == "FIN")
        .then(pl.lit(4, dtype=pl.Int64))
        .otherwise(None)
        .alias("nps_answers")
    )
    data = dataclasses.replace(data, contacts=contacts)
    english = {
        n["label"].split("\n")[0]: n["title"]
        for n in network.build_buying_centre(data).nodes
    }
    assert (
        "Latest NPS: 3 (detractor, Jun 30, 2026); answers on record: 4"
        in (english["Person FIN"])
    )
    i18n.set_language("zh-Hans")
    nodes = {
        n["label"].split("\n")[0]: n for n in network.build_buying_centre(data).nodes
    }
    fin = nodes["Person FIN"]["title"]
    assert "角色：批准者" in fin  # approver, through the shared vocabulary
    assert "态度：中立者" in fin
    assert "影响力：4（满分 5）" in fin
    assert "覆盖：时间窗口内我方未接触（缺口）" in fin
    assert "最新净推荐值：3（贬损者，" in fin and "共 4 份答卷" in fin
    assert "汇报对象：GONE（不在该客户中）" in fin
    buyer = nodes["Person BUY"]["title"]
    assert "汇报对象：Person CEO" in buyer
    assert "覆盖：时间窗口内我方 1 人接触 6 次" in buyer
    assert "最新净推荐值：无" in buyer
    ceo = nodes["Person CEO"]["title"]
    assert "汇报对象：无记录" in ceo and "角色：决策者" in ceo
    seller = next(n for n in nodes.values() if n["kind"] == "seller")["title"]
    assert seller.startswith("我方Key Account Management：Seller ")
    assert not re.search(r"\b(Role|Attitude|Influence|Coverage|Reports to)\b", fin)


def test_hostile_text_in_the_translated_hover_stays_text():
    i18n.set_language("zh-Hant")
    data = centre([person("X", name=HOSTILE[0], title=FORMULA)])
    title = str(network.build_buying_centre(data).nodes[0]["title"])
    assert title.startswith("‹img src=x onerror=alert(1)› — =HYPERLINK(")
    assert "角色：未知" in title and "匯報對象：無記錄" in title
    assert "<img" not in network.buying_centre_html(data)


# --- a deal's buying centre --------------------------------------------------------

# Six people of one account, as a Salesforce export gives them: a sparse org chart
# (two managers known), roles only on some, NPS from one. Deal O1 names two of them
# with OpportunityContactRole values; O2 names nobody (no contact roles exported);
# O3 names someone of another account only.
SIX = [
    person("C1", buying_role="decider", influence=5, attitude="champion"),
    person("C2", reports_to_id="C1", buying_role="user", influence=4),
    person("C3", reports_to_id="C1", influence=4, attitude="skeptic"),
    person("C4", buying_role="approver", influence=3, nps_score=5, nps_date=END),
    person("C5", department="Procurement", buying_role="buyer", influence=2),
    person("C6", influence=1),
]
SIX_TOUCHES = [
    touch("S1", "C1", 5, 120),
    touch("S1", "C5", 3, 60),
    touch("S2", "C2", 1, 30),
    touch("S1", None, 2, 20),
]
DEALS = pl.DataFrame(
    [
        # deal, name, stage, amount, closes, person named, their contact role, primary
        ("O1", "Pilot 2026", "Proposal", 120_000.0, END, "C2", "Decision Maker", True),
        (
            "O1",
            "Pilot 2026",
            "Proposal",
            120_000.0,
            END,
            "C3",
            "Technical Buyer",
            False,
        ),
        ("O2", "Renewal", "Negotiation", 80_000.0, END, None, None, None),
        ("O3", "Group deal", "Prospecting", None, None, "ELSEWHERE", "Other", True),
    ],
    schema=[
        "opportunity_id",
        "deal",
        "stage",
        "amount",
        "close_date",
        "contact_id",
        "deal_role",
        "is_primary",
    ],
    orient="row",
).with_columns(is_closed=pl.lit(False), is_won=pl.lit(False))


def six_people() -> network.BuyingCentreReport:
    return network.analyse_buying_centre(
        centre(SIX, SIX_TOUCHES), deals=DEALS, opportunity_id="O1"
    )


def test_coverage_and_effort_are_the_deals_with_the_roles_it_names():
    report = six_people()
    assert report.deal == network.DealBasis("O1", "Pilot 2026", ("C2", "C3"))
    assert not report.deal.names_nobody
    coverage = {row["role"]: row for row in report.coverage.iter_rows(named=True)}
    # C2 is a user in the account but the deal's decision maker; C3 has no role
    # in the account and is the deal's technical buyer (an influencer)
    assert coverage["decider"]["present"] == 1 and coverage["decider"]["engaged"] == 1
    assert coverage["influencer"]["coverage"] == "0 of 1 covered"
    assert coverage["approver"]["coverage"] == "nobody known"  # C4 is not on it
    assert coverage["user"]["present"] == 0
    assert report.breadth.contacts_present == 2
    assert report.breadth.contacts_engaged == 1
    assert report.breadth.sellers_engaged == 1  # S2 only: S1 never met C2 or C3
    effort = dict(report.breadth.effort.select("function", "touches").iter_rows())
    assert effort["no person named"] == 0  # touches naming nobody are not the deal's
    assert sum(effort.values()) == 1


def test_risks_and_whom_to_reach_are_about_the_deals_people():
    report = six_people()
    risks = report.risks.select("risk", "contact_id").rows()
    assert ("high-influence skeptic", "C3") in risks
    assert ("single-threaded", "C2") in risks  # all our deal touches go via C2
    assert ("dark approver", "C4") not in risks  # an account risk, not this deal's
    assert all(contact in (None, "C2", "C3") for _risk, contact in risks)
    assert report.reach_next["contact_id"].to_list() == ["C3"]
    # the warm path runs through the account: from the champion C1 to C3
    assert report.reach_next["path_ids"].to_list() == [["C1", "C3"]]


def test_a_deal_naming_nobody_falls_back_to_the_account_and_says_so():
    data = centre(SIX, SIX_TOUCHES)
    whole = network.analyse_buying_centre(data)
    for deal in ("O2", "O3"):  # no contact roles; only another account's person
        report = network.analyse_buying_centre(data, deals=DEALS, opportunity_id=deal)
        assert report.deal is not None and report.deal.names_nobody
        assert report.breadth.contacts_present == 6
        assert report.coverage.equals(whole.coverage)
        assert report.risks.equals(whole.risks)
    assert whole.deal is None
    assert ("dark approver", "C4") in whole.risks.select("risk", "contact_id").rows()


def test_the_workbench_map_of_a_deal(con: store.Connection):
    # one account of three people; deal O1 names Bo, deal O2 nobody; Bo answered
    # the NPS survey twice
    people = [("C1", "Ann", "decider"), ("C2", "Bo", "user"), ("C3", "Cy", None)]
    frames = {
        "accounts": pl.DataFrame({"account_id": ["A1"], "name": ["Acme"]}),
        "contacts": pl.DataFrame(
            people, schema=["contact_id", "name", "buying_role"], orient="row"
        ).with_columns(account_id=pl.lit("A1")),
        "opportunities": pl.DataFrame(
            [("O1", "Pilot"), ("O2", "Empty")],
            schema=["opportunity_id", "name"],
            orient="row",
        ).with_columns(account_id=pl.lit("A1"), is_closed=False, is_won=False),
        "opportunity_contacts": pl.DataFrame(
            {"opportunity_id": ["O1"], "contact_id": ["C2"], "role": ["Decision Maker"]}
        ),
        "nps_responses": pl.DataFrame(
            [("N1", date(2026, 1, 5), 9), ("N2", date(2026, 6, 5), 4)],
            schema=["response_id", "responded_on", "score"],
            orient="row",
        ).with_columns(account_id=pl.lit("A1"), contact_id=pl.lit("C2")),
    }
    with store.write_transaction(con) as cur:
        for table, frame in frames.items():
            store.insert_frame(cur, table, frame)
    from workbench.api import Workbench

    bench = Workbench(con)
    deal = bench.buying_centre("A1", opportunity_id="O1", as_of=date(2026, 6, 30))
    assert deal.report.deal == network.DealBasis("O1", "Pilot", ("C2",))
    assert [n["label"] for n in deal.network.nodes] == ["Bo"]
    assert "Latest NPS: 4 (detractor, Jun 5, 2026); answers on record: 2" in str(
        deal.network.nodes[0]["title"]
    )
    empty = bench.buying_centre("A1", opportunity_id="O2", as_of=date(2026, 6, 30))
    assert empty.report.deal is not None and empty.report.deal.names_nobody
    assert len(empty.network.nodes) == 3  # the whole account
    with pytest.raises(RejectedInputError, match="no deal with the ID 'O9'"):
        bench.buying_centre("A1", opportunity_id="O9")
