"""Three languages: complete catalogues, placeholders intact, the app switchable."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from tests.conftest import APP
from workbench import i18n

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


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "pages").glob("*.py")))
@pytest.mark.parametrize("language", CHINESE)
def test_every_page_runs_in_chinese(app_db, page, language):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = language
    at.run()
    at.switch_page(f"pages/{page}").run()
    assert not at.exception, at.exception


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
