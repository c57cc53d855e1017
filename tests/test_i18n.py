"""Three languages: complete catalogues, placeholders intact, the app switchable."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from tests.conftest import APP
from workbench import i18n, terms
from workbench.analytics import sentences

ROOT = Path(__file__).resolve().parents[1]
CHINESE = ("zh-Hans", "zh-Hant")


def _catalogue(language: str):
    path = (
        i18n.LOCALE_DIR / i18n.CATALOGUE_DIRS[language] / "LC_MESSAGES" / "workbench.po"
    )
    with path.open("rb") as source:
        return read_po(source)


def _marked_messages() -> set[str]:
    """Every message marked with _() in the code, as pybabel extracts it."""
    files = [
        ROOT / "app.py",
        *(ROOT / "pages").glob("*.py"),
        *(ROOT / "workbench").rglob("*.py"),
    ]
    found: set[str] = set()
    for path in files:
        for _line, message, _comments, _context in extract_from_file("python", path):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _placeholders(text: str) -> set[str]:
    return {
        name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name
    }


@pytest.mark.parametrize("language", CHINESE)
def test_every_marked_message_has_a_translation(language):
    catalogue = _catalogue(language)
    translated = {
        m.id: m.string
        for m in catalogue
        if m.id and m.string and "fuzzy" not in m.flags
    }
    missing = sorted(_marked_messages() - set(translated))
    assert missing == []


@pytest.mark.parametrize("language", CHINESE)
def test_placeholders_survive_translation(language):
    for message in _catalogue(language):
        if message.id and message.string:
            assert _placeholders(message.string) == _placeholders(message.id), (
                message.id
            )


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("zh-CN", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("zh_CN.UTF-8", "zh-Hans"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh_Hant_HK", "zh-Hant"),
        ("en-GB", "en"),
        ("de-DE", None),
        ("C", None),
        ("", None),
        (None, None),
    ],
)
def test_language_tags_map_to_the_three_languages(tag, language):
    assert i18n.normalise_language(tag) == language


def test_the_browser_s_first_known_language_wins():
    assert i18n.negotiate("de-DE,zh-TW;q=0.8,en;q=0.5") == "zh-Hant"
    assert i18n.negotiate("fr;q=0.9, en;q=0.95") == "en"
    assert i18n.negotiate("de, fr") is None


def test_numbers_money_and_dates_follow_the_language():
    try:
        i18n.set_language("en")
        assert i18n.format_number(1234567.891) == "1,234,568"
        assert i18n.format_money(1234567, "EUR") == "€1,234,567"
        assert i18n.format_percent(12.5, 1) == "12.5%"
        assert i18n.format_number(None) == "–"
        i18n.set_language("zh-Hans")
        assert i18n.format_money(1234567, "CNY") == "¥1,234,567"
        assert "2026" in i18n.format_day(date(2026, 9, 30))
        assert "年" in i18n.format_day(date(2026, 9, 30))
        i18n.set_language("zh-Hant")
        assert i18n.format_money(1234567, "TWD") == "$1,234,567"
        assert i18n.gettext("Buying centre") == "採購中心"
        i18n.set_language("zh-Hans")
        assert i18n.gettext("Buying centre") == "采购中心"
    finally:
        i18n.set_language("en")


def test_an_uncompiled_catalogue_is_compiled_in_memory(tmp_path, monkeypatch):
    folder = tmp_path / "zh_Hans" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    source = _catalogue("zh-Hans")
    from babel.messages.pofile import write_po

    with (folder / "workbench.po").open("wb") as target:
        write_po(target, source)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        assert not (folder / "workbench.mo").exists()
        assert i18n.translations("zh-Hans").gettext("Overview") == "概览"
    finally:
        i18n.translations.cache_clear()


@pytest.mark.parametrize(
    ("asked", "hint"),
    [("zh_Hans", "'zh-Hans'"), ("zh", "'zh-Hans'"), ("zh-TW", "'zh-Hant'"), ("fr", "")],
)
def test_a_sentence_in_a_language_the_workbench_does_not_know_is_refused(asked, hint):
    # written in English it would read as the language asked for in a notebook
    # (and five tests once checked their Chinese case in English unawares)
    from workbench.analytics.segment import explain_segments

    rows = pl.DataFrame({"account_id": ["A1"]})
    with pytest.raises(ValueError, match=f"unknown language '{asked}'") as refused:
        explain_segments(rows, language=asked)
    assert (
        ("did you mean " + hint) in str(refused.value)
        if hint
        else ("did you mean" not in str(refused.value))
    )
    # the three languages build their sentences as before
    assert sentences.words("no data", "zh-Hans") == "无数据"
    assert sentences.words("no data", "en") == "no data"


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("language", "title", "overview"),
    [
        ("en", "Account-planning workbench", "Overview"),
        ("zh-Hans", "大客户规划工作台", "概览"),
        ("zh-Hant", "大客戶規劃工作台", "總覽"),
    ],
)
def test_the_overview_opens_in_the_language_of_the_link(
    app_db, language, title, overview
):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = language
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == title
    assert at.selectbox(key="language_picker").value == language
    labels = [m.label for m in at.metric]
    if language == "en":
        assert "Accounts" in labels
    else:
        assert all(CJK.search(label) for label in labels), labels


def test_the_picker_switches_the_language_and_the_link(app_db):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.title[0].value == "Account-planning workbench"
    at.selectbox(key="language_picker").set_value("zh-Hant").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "大客戶規劃工作台"
    assert (
        at.query_params["lang"] == ["zh-Hant"] or at.query_params["lang"] == "zh-Hant"
    )


def test_the_command_line_speaks_the_language_of_lang_or_the_environment(
    capsys, monkeypatch
):
    from workbench.cli import main

    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "結束代碼" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--lang", "zh-Hans", "--help"])
    assert "退出码" in capsys.readouterr().out
    monkeypatch.setenv("LANG", "C.UTF-8")
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "exit codes" in capsys.readouterr().out


# --- every page in every language, and nothing marked left in English --------------

#: The pages whose every string is marked: in Chinese, none of their texts may be a
#: marked message still in English (the others are being marked page by page).
TRANSLATED_PAGES = (
    "overview.py",
    "import_data.py",
    "segments.py",
    "voice.py",
    "plans.py",
    "buying_centre.py",
    "effort.py",
)
#: Element kinds whose ``label`` a person reads; and those whose ``value`` they read.
LABELLED = (
    "metric",
    "button",
    "selectbox",
    "multiselect",
    "radio",
    "slider",
    "number_input",
    "text_input",
    "text_area",
    "date_input",
    "checkbox",
    "toggle",
    "tab",
    "expander",
)
VALUED = (
    "title",
    "header",
    "subheader",
    "caption",
    "markdown",
    "info",
    "warning",
    "success",
    "error",
    "text",
)


def _texts(at: AppTest) -> list[str]:
    found = []
    for kind in LABELLED:
        found += [str(element.label) for element in at.get(kind)]
    for kind in VALUED:
        found += [str(element.value) for element in at.get(kind)]
    return found


def _still_english(language: str) -> set[str]:
    """Marked messages whose translation reads differently from the English."""
    return {
        m.id
        for m in _catalogue(language)
        if isinstance(m.id, str) and m.id and m.string and m.string != m.id
    }


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "pages").glob("*.py")))
@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_page_runs_in_every_language(app_db, page, language):
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = language
    at.run()
    at.switch_page(f"pages/{page}").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    if language != "en" and page in TRANSLATED_PAGES:
        english = _still_english(language)
        untranslated = sorted({text for text in _texts(at) if text in english})
        assert untranslated == []
        assert any(CJK.search(text) for text in _texts(at))


def test_a_segments_page_in_chinese_shows_vocabulary_in_chinese_and_keeps_codes(
    app_db,
):
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = "zh-Hant"
    at.run()
    # the decisions are built only while their expander is open; opened before
    # the page runs, as AppTest formats the page's choices again in English
    at.session_state["seg_decisions_open"] = True
    at.switch_page("pages/segments.py").run()
    assert not at.exception, at.exception
    labels = {m.label for m in at.metric}
    assert {"最有價值客戶", "最具成長性客戶", "負值客戶", "合作型關係"} <= labels
    table = next(d.value for d in at.dataframe if "value_segment" in d.value.columns)
    assert set(table["value_segment"]) <= {
        "最有價值客戶",
        "最具成長性客戶",
        "維持型客戶",
        "負值客戶",
        "無資料",
    }
    # the widget keeps the code: a saved decision stores "partnership", not 合作型關係
    assert set(at.radio(key="seg_override_type").options) == {
        "交易型關係",
        "合作型關係",
    }
    assert at.radio(key="seg_override_type").value in {"transactional", "partnership"}


# --- vocabularies, charts, controls and exports -------------------------------------


def test_vocabulary_values_are_translated_for_display_only():
    import polars as pl

    from workbench import terms

    frame = pl.DataFrame(
        {
            "value_segment": ["most_valuable", "below_zero", None],
            "relationship": ["partnership", "transactional", "partnership"],
            "buying_role": ["decider", "approver", "Einkäufer"],
            "band": ["detractor", "passive", "promoter"],  # an NPS answer's
            "name": ["decider", "A", "B"],
        }
    )
    assert terms.localise_values(frame).equals(frame)  # English keeps the codes
    assert terms.value_segment("most_valuable") == "most valuable"
    i18n.set_language("zh-Hans")
    shown = terms.localise_values(frame)
    assert shown["value_segment"].to_list() == ["最有价值客户", "负值客户", None]
    assert shown["relationship"].to_list() == ["合作型关系", "交易型关系", "合作型关系"]
    # a CRM's own spelling is shown as it is; a column outside a vocabulary is data
    assert shown["buying_role"].to_list() == ["决策者", "批准者", "Einkäufer"]
    assert shown["band"].to_list() == ["贬损者", "被动者", "推荐者"]
    assert shown["name"].to_list() == ["decider", "A", "B"]
    assert frame["value_segment"][0] == "most_valuable"  # the original is untouched
    i18n.set_language("zh-Hant")
    assert terms.buying_role("approver") == "核准者"
    assert terms.attitude("blocker") == "阻撓者"
    assert terms.activity_kind("joint_planning") == "聯合規劃"
    assert terms.value_segment(None) == "–"


def test_charts_read_in_the_language_and_name_a_cjk_font():
    import polars as pl

    from workbench import charts

    frame = pl.DataFrame(
        {
            "role": ["decider", "user", "all"],
            "nps": [10.0, -20.0, 0.0],
            "responses": [5, 6, 11],
            "promoters": [2, 1, 3],
            "detractors": [1, 2, 3],
        }
    )
    english = charts.role_bars(frame).to_dict()
    assert english["title"] == "NPS by buying role"
    assert "Noto Sans CJK SC" in english["config"]["font"]
    i18n.set_language("zh-Hant")
    spec = charts.role_bars(frame).to_dict()
    assert spec["title"] == "各採購角色的淨推薦值"
    assert spec["encoding"]["x"]["title"] == "淨推薦值"
    assert spec["config"]["font"].index("TC") < spec["config"]["font"].index("SC")
    rows = next(iter(spec["datasets"].values()))
    assert {r["role"] for r in rows} == {"決策者", "使用者", "所有角色"}
    segments = pl.DataFrame(
        {
            "account_id": ["A", "B"],
            "name": ["甲", "乙"],
            "value_segment": ["most_valuable", "below_zero"],
            "relationship": ["partnership", "transactional"],
            "relationship_score": [70.0, 10.0],
            "contribution": [100_000.0, -5_000.0],
            "headroom": [50_000.0, 0.0],
            "potential": [150_000.0, 0.0],
            "effort_hours": [40.0, 80.0],
            "won_12m": [120_000.0, 1_000.0],
        }
    )
    scatter = charts.segment_scatter(segments, None, None).to_dict()
    colour = scatter["layer"][0]["encoding"]["color"]
    assert colour["field"] == "value_segment"  # the same field, its values in Chinese
    assert colour["scale"]["domain"][0] == "最有價值客戶"
    assert colour["title"] == "價值區隔"


def test_slider_labels_translate_and_keep_their_percent_sign():
    from workbench.analytics.controls import SEGMENT_CONTROLS

    top = SEGMENT_CONTROLS[0]
    assert top.shown_label() == "Most valuable: top % of accounts"
    i18n.set_language("zh-Hans")
    assert top.shown_label() == "最有价值客户：客户中的前 %"
    assert "最有价值客户" in top.shown_help()


def _plan():
    from datetime import datetime

    from workbench import plans

    plan = plans.Plan(
        "A1",
        account_name="华东机械",
        identify="谁签框架协议？",
        relationship="partnership",
        value_services=["Joint promotion"],
        actions=[
            plans.Action("王经理", "高层拜访", "Sam", date(2026, 1, 15), "in_progress")
        ],
    )
    plan.situation = plans.Situation("A1", date(2026, 9, 30), datetime(2026, 10, 1), [])
    return plan


def test_plan_exports_follow_the_language():
    from workbench import plans

    plan = _plan()
    english = plans.plan_to_markdown(plan)
    assert english.startswith("# Account plan: 华东机械 (A1)")
    assert (
        "## Value proposition" in english and "Relationship: **partnership**" in english
    )
    i18n.set_language("zh-Hans")
    text = plans.plan_to_markdown(plan)
    assert text.startswith("# 客户计划：华东机械（A1）")
    for heading in ("## 目标", "## 1. 识别", "## 价值主张", "## 行动", "## 风险"):
        assert heading in text
    assert "关系：**合作型关系**" in text and "- [x] 联合推广" in text
    assert "| 王经理 | 高层拜访 | Sam | 2026-01-15 | 进行中 |" in text
    assert "谁签框架协议？" in text  # what people wrote stays as written
    assert "Value proposition" not in text and "Objectives" not in text
    i18n.set_language("zh-Hant")
    page = plans.plan_to_html(plan)
    assert '<html lang="zh-Hant">' in page and "<h2>價值主張</h2>" in page
    header = plans.actions_csv(plan).decode("utf-8-sig").splitlines()[0]
    assert header.split(",")[:3] == ["客戶ID", "客戶", "聯絡人"]
    i18n.set_language("en")
    header = plans.actions_csv(plan).decode("utf-8-sig").splitlines()[0]
    assert header.startswith("account_id,account,contact,action")


def test_the_plan_command_prints_the_plan_in_the_language_of_lang(
    capsys, demo_db, monkeypatch
):
    from workbench.cli import main

    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert main(["plan", "A00001", "--format", "md", "--db", str(demo_db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# 客戶計畫：") and "## 價值主張" in out


def test_table_headers_read_in_the_language_and_keep_their_own_labels():
    from workbench.app.components import shown_columns

    config = {
        "contribution": {"label": "Contribution (EUR)"},
        "nps": {"format": "%+.0f"},
    }
    columns = ["value_segment", "contribution", "nps", "a_column_of_the_crm"]
    # a column nobody labelled reads as words, never as its code
    assert shown_columns(columns, {**config, "hidden": None}) == {
        "value_segment": "Value segment",
        "contribution": {"label": "Contribution (EUR)"},
        "nps": {"format": "%+.0f", "label": "NPS"},
        "a_column_of_the_crm": "A column of the crm",
        "hidden": None,
    }
    i18n.set_language("zh-Hans")
    assert shown_columns(columns, config) == {
        "value_segment": "价值细分",
        "contribution": {"label": "Contribution (EUR)"},
        "nps": {"format": "%+.0f", "label": "净推荐值"},
        "a_column_of_the_crm": "A column of the crm",
    }


def test_an_unknown_label_reads_in_the_language_and_other_text_stays():
    frame = pl.DataFrame(
        {
            "seller_name": ["(unknown)", "Anna"],
            "team": ["(unknown)", "KAM"],
            "n": [1, 2],
        }
    )
    assert terms.localise_unknown(frame).equals(frame)  # English: as stored
    try:
        i18n.set_language("zh-Hans")
        shown = terms.localise_unknown(frame)
    finally:
        i18n.set_language("en")
    assert shown["seller_name"].to_list() == ["（未知）", "Anna"]
    assert shown["team"].to_list() == ["（未知）", "KAM"]
    assert shown["n"].to_list() == [1, 2]


def test_the_import_page_s_tables_have_a_heading_for_every_column():
    from workbench import ingest

    plan = {"activities": {"add": 1, "update": 0, "skip": 0, "why": []}}
    frames = [
        ingest.files_frame([]),
        ingest.problems_frame([]),
        ingest.plan_frame(plan),
    ]
    columns = {c for frame in frames for c in frame.columns}
    columns |= set(ingest.summary.RUN_COLUMNS)
    assert sorted(c for c in columns if terms.column_label(c) is None) == []


def test_a_short_amount_keeps_its_currency_in_every_language():
    shown = {}
    try:
        for language in i18n.LANGUAGES:
            i18n.set_language(language)
            shown[language] = i18n.format_money_short(130_012_345, "USD")
    finally:
        i18n.set_language("en")
    assert shown == {"en": "$130M", "zh-Hans": "US$1.3亿", "zh-Hant": "US$1.3億"}
    assert i18n.format_money_short(None, "USD") == "–"
