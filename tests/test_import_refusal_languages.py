"""Why an import is refused reads in the reader's language; logs and JSON stay English.

A file that cannot be read at all (empty, binary, ragged), the import's own
refusals (an unknown source) and the words around the problems (their level, the
headings warnings are grouped under, why rows were skipped) are shown through the
catalogue where a person reads them: the Import page and ``workbench import``'s
human output. ``str(error)``, ``--json`` and the stored problems keep English.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP, run_cli
from workbench import i18n, ingest, store
from workbench.domain import Actor, Problem
from workbench.errors import RejectedInputError
from workbench.ingest import summary
from workbench.ingest.read import read_table

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
ANALYST = Actor(name="ana", role="analyst")

#: Per language: the level "error", a file's refusal reason, a warning heading.
WORDS = {
    "zh-Hans": ("错误", "文件是空的。", "人员已略去：其客户不存在"),
    "zh-Hant": ("錯誤", "檔案是空的。", "人員已略去：其客戶不存在"),
}


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    i18n.set_language("en")


def _refusal(name: str) -> RejectedInputError:
    with pytest.raises(RejectedInputError) as raised:
        read_table(name, (FIXTURES / "bad" / name).read_bytes())
    return raised.value


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_a_file_s_refusal_reads_in_the_language_and_stays_english_as_text(
    language: str,
) -> None:
    error = _refusal("empty.csv")
    i18n.set_language(language)
    assert ingest.refusal_text(error) == f"empty.csv: {WORDS[language][1]}"
    assert str(error) == "empty.csv: the file is empty."


def test_a_ragged_file_keeps_its_figures_in_every_language() -> None:
    error = _refusal("ragged.csv")
    i18n.set_language("zh-Hant")
    said = ingest.refusal_text(error)
    assert said.startswith("ragged.csv: 第 2 列有 4 個欄位，但標題列只有 2 個")
    assert "row 2 has 4 fields" in str(error)


def test_the_import_s_own_refusal_reads_in_the_language(tmp_path: Path) -> None:
    con = store.connect(tmp_path / "wb.duckdb")
    try:
        with pytest.raises(RejectedInputError) as raised:
            ingest.import_files(con, [], actor=ANALYST, source="nowhere")
    finally:
        con.close()
    assert str(raised.value).startswith("unknown source 'nowhere'; choose auto")
    i18n.set_language("zh-Hans")
    assert ingest.refusal_text(raised.value).startswith(
        "未知来源 'nowhere'；请选择 auto"
    )


def test_an_error_written_whole_is_shown_as_written() -> None:
    i18n.set_language("zh-Hans")
    assert ingest.refusal_text(RejectedInputError("no such plan: P9")) == (
        "no such plan: P9"
    )


def test_levels_kinds_and_reasons_for_skipping_move_and_codes_stay() -> None:
    left_out = Problem("warning", "c.csv", 2, None, "x", code="contact_without_account")
    kinds = summary.warning_kinds([left_out])
    i18n.set_language("zh-Hant")
    assert summary.level_text("error") == "錯誤"
    assert summary.level_text("warning") == "警告"
    readable = summary.readable_kinds(kinds)
    assert readable == [
        {"kind": WORDS["zh-Hant"][2], "code": "contact_without_account", "count": 1}
    ]
    assert kinds[0]["kind"] == "person left out: their account is missing"
    assert summary.why_text("person left out: their account is missing (1,204)") == (
        f"{WORDS['zh-Hant'][2]} (1,204)"
    )


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_the_import_page_shows_the_level_and_the_reason_in_the_language(
    app_db: Path, language: str
) -> None:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = language
    at.run()
    at.switch_page("pages/import_data.py").run()
    assert not at.exception, at.exception
    # AppTest compares a selectbox's value with its translated labels; point each
    # translated one at its first label so that the run can send it (the options
    # do not matter for an empty file).
    for box in at.selectbox:
        if box.options and box.value not in box.options:
            box.set_value(box.options[0])
    uploader = at.file_uploader(key="import_files")
    uploader.upload(
        "empty.csv", (FIXTURES / "bad" / "empty.csv").read_bytes(), "text/csv"
    )
    at.run()
    assert not at.exception, at.exception
    tables = [t.value for t in at.dataframe if "message" in t.value.columns]
    assert tables, "no table of problems"
    problems = tables[0]
    level, reason, _heading = WORDS[language]
    shown = list(zip(problems["level"], problems["message"], strict=True))
    assert (level, reason) in shown


def test_the_command_line_says_why_in_lang_and_its_json_stays_the_same(
    tmp_path: Path,
) -> None:
    path = str(FIXTURES / "bad" / "junk.csv")
    database = str(tmp_path / "wb.duckdb")
    human = run_cli(
        "--db", database, "import", path, check=False, language="zh_CN.UTF-8"
    )
    assert human.returncode == 1
    assert "错误: junk.csv: 该文件包含二进制数据，不是文本" in human.stdout
    english = run_cli("--db", database, "import", path, "--json", check=False)
    chinese = run_cli(
        "--db", database, "import", path, "--json", check=False, language="zh_CN.UTF-8"
    )
    assert english.stdout == chinese.stdout
    assert "the file holds binary data, not text" in english.stdout
    assert "二进制" not in chinese.stdout
