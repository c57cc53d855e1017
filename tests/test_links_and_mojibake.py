"""Exports keep active links dead; imports warn when the text looks garbled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workbench import exports, ingest, plans
from workbench.domain import Actor

ANALYST = Actor(name="ana", role="analyst")
FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
ACTIVE_LINKS = [
    "[click me](javascript:alert(document.cookie))",
    "[x]( JaVaScRiPt:alert(1) )",
    "![pixel](data:image/svg+xml;base64,PHN2Zz4=)",
    "[vb](vbscript:msgbox(1))",
    "[ref]: javascript:alert(2)\n\nsee [the ref][ref]",
    "<javascript:alert(3)>",
    "plain javascript:alert(4) in prose",
    "[file](file:///etc/passwd)",
]
# A live link to an active scheme: the scheme name, optional spaces, an ASCII colon.
LIVE_SCHEME = re.compile(r"(javascript|vbscript|data|file)\s*:(?=\S)", re.IGNORECASE)


@pytest.mark.parametrize("text", ACTIVE_LINKS)
def test_defused_text_holds_no_live_scheme(text):
    defused = exports.defuse_links(text)
    assert not LIVE_SCHEME.search(defused), defused
    assert not re.search(r"^\s*\[[^\]]+\]:", defused, re.MULTILINE), defused


def test_ordinary_links_and_prose_are_left_alone():
    text = "See [the site](https://example.com) or mail [us](mailto:a@b.c). Data: 2024."
    assert exports.defuse_links(text) == text


def test_a_plans_markdown_export_has_no_live_active_link():
    plan = plans.new_plan("A1", "[Acme](javascript:alert(1))")
    plan.identify = "\n".join(ACTIVE_LINKS)
    plan.value_notes = "Proposal: [open](data:text/html,<script>alert(1)</script>)"
    plan.actions = [
        plans.Action(
            contact="[Li](vbscript:x)",
            action=ACTIVE_LINKS[0],
            owner="me",
            due_on=None,
            status="open",
        )
    ]
    plan.risks = [plans.Risk(risk=ACTIVE_LINKS[2], risk_date=None, severity="high")]
    text = plans.plan_to_markdown(plan)
    assert not LIVE_SCHEME.search(text), LIVE_SCHEME.findall(text)
    assert "](javascript" not in text.lower()
    assert "click me (link removed: javascript" in text  # the words stay readable
    page = plans.plan_to_html(plan)
    assert "href" not in page.lower()  # the HTML export makes no link at all


def _warnings(report: ingest.ImportReport) -> list[tuple[str, str]]:
    return [(p.file, p.message) for p in report.problems if p.level == "warning"]


def _garbled(report: ingest.ImportReport) -> list[tuple[str, str]]:
    return [(f, m) for f, m in _warnings(report) if "garbled" in m]


def test_a_gbk_file_read_as_latin_1_warns_and_suggests_gb18030(con):
    data = (FIXTURES / "chinese_gbk" / "联系人.csv").read_bytes()
    report = ingest.import_files(
        con, [("联系人.csv", data)], actor=ANALYST, encoding="latin-1", dry_run=True
    )
    found = _garbled(report)
    assert len(found) == 1, _warnings(report)
    file, message = found[0]
    assert file == "联系人.csv"
    assert "read as latin-1" in message and "--encoding gb18030" in message
    assert re.search(r"\(\d+%\)", message)  # the share measured


def test_a_utf8_file_read_as_gbk_warns_and_suggests_utf8(con):
    text = "account_id,name,city\nA1,客户名称,北京\nA2,上海,北京\n"
    report = ingest.import_files(
        con,
        [("accounts.csv", text.encode("utf-8"))],
        actor=ANALYST,
        encoding="gbk",
        dry_run=True,
    )
    found = _garbled(report)
    assert len(found) == 1, _warnings(report)
    assert "read as gbk" in found[0][1] and "--encoding utf-8" in found[0][1]


@pytest.mark.parametrize(
    "path",
    [
        FIXTURES / "chinese_gbk" / "联系人.csv",
        FIXTURES / "chinese_big5" / "聯絡人.csv",
        FIXTURES / "chinese_utf8_bom",
    ],
)
def test_clean_files_get_no_mojibake_warning(con, path):
    report = ingest.import_files(con, [path], actor=ANALYST, dry_run=True)
    assert not _garbled(report), _warnings(report)


def test_accented_european_text_gets_no_mojibake_warning(con):
    text = (
        "account_id,name,city\nA1,Informação Ltda,São Paulo\nA2,Müller & Söhne,Zürich\n"
    )
    for encoding in ("utf-8", "cp1252"):
        report = ingest.import_files(
            con, [("accounts.csv", text.encode(encoding))], actor=ANALYST, dry_run=True
        )
        assert not _garbled(report), (encoding, _warnings(report))


def test_text_encoded_twice_warns_and_advises_a_new_export(con):
    text = "account_id,name\nA1,José Müller\nA2,Straße — Nord\n"
    twice = text.encode("utf-8").decode("cp1252").encode("utf-8")
    report = ingest.import_files(
        con, [("accounts.csv", twice)], actor=ANALYST, dry_run=True
    )
    found = _garbled(report)
    assert len(found) == 1 and "re-export the file as UTF-8" in found[0][1], found
