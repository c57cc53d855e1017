"""An import's problems read in the reader's language; data, places and JSON do not.

A problem keeps its English sentence (``message``: the ``--json`` output, the
import log, scripts) and the template it was made from; the Import page, the
survey import and the command line's report word it in the language in force.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from workbench import i18n, ingest, store
from workbench.domain import Actor, Problem, Wording
from workbench.ingest import surveys
from workbench.ingest.problems import (
    WHOLE_SENTENCES,
    joined,
    make_problem,
    problem_text,
    worded,
)

ANALYST = Actor(name="ana", role="analyst")

#: A small export with one problem of each common kind: a number that is none, a
#: number out of range, a record without a name, a duplicate ID, an unknown
#: attitude and buying role, and references to an account and a manager that
#: exist nowhere.
ACCOUNTS = (
    "account_id,name,annual_revenue,employees\n"
    "A1,Acme,abc,10\n"
    "A2,,100,-5\n"
    "A3,Beta,1e20,3\n"
)
CONTACTS = (
    "contact_id,account_id,first_name,last_name,buying_role,attitude,reports_to_id\n"
    "C1,A1,Li,Wei,boss,angry,C9\n"
    "C2,A9,Wang,Fang,user,champion,\n"
    "C1,A1,Li,Wei,user,neutral,\n"
)

#: Per language, a phrase each kind of problem must read in (English: as before).
EXPECTED = {
    "en": [
        "“abc” is not a number",
        "“1e20” is out of range: annual revenue must lie between 0 and 10^15",
        "the record has no name (required)",
        "duplicate ID “C1” in contacts: contacts.csv row 1, contacts.csv row 3",
        "“angry” is not an attitude",
        "“boss” is not a known buying role",
        "refers to an account “A9” that is neither in the import nor in the database",
    ],
    "zh-Hans": [
        "“abc” 不是数字",
        "“1e20” 超出范围：年收入须在 0 到 10^15 之间",
        "该记录没有名称（必填）",
        "contacts 中 ID “C1” 重复：contacts.csv 第 1 行, contacts.csv 第 3 行",
        "“angry” 不是态度值",
        "“boss” 不是已知的采购角色",
        "引用的客户 “A9” 既不在本次导入中也不在数据库中；此人未导入",
    ],
    "zh-Hant": [
        "“abc” 不是數字",
        "“1e20” 超出範圍：年收入須在 0 到 10^15 之間",
        "該記錄沒有名稱（必填）",
        "contacts 中 ID “C1” 重複：contacts.csv 第 1 列, contacts.csv 第 3 列",
        "“angry” 不是態度值",
        "“boss” 不是已知的採購角色",
        "引用的客戶 “A9” 既不在本次匯入中也不在資料庫中；此人未匯入",
    ],
}


@pytest.fixture
def rejected(tmp_path: Path) -> ingest.ImportReport:
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (tmp_path / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
    con = store.connect(":memory:")
    try:
        report = ingest.import_files(
            con, [tmp_path / "accounts.csv", tmp_path / "contacts.csv"], actor=ANALYST
        )
    finally:
        con.close()
    assert not report.ok
    return report


def _places(frame: pl.DataFrame) -> list[tuple[object, ...]]:
    return frame.select("level", "file", "row", "column").rows()


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_an_import_s_problems_read_in_the_language_with_their_places_intact(
    rejected: ingest.ImportReport, language: str
) -> None:
    english = rejected.problems_frame()
    english_json = json.dumps(rejected.as_json(), ensure_ascii=False, sort_keys=True)
    i18n.set_language(language)
    translated = rejected.problems_frame()
    # The same problems at the same file, row and column; only the sentence moves.
    assert _places(translated) == _places(english)
    assert translated.height >= len(EXPECTED[language])
    messages = "\n".join(translated["message"].to_list())
    for phrase in EXPECTED[language]:
        assert phrase in messages
    for before, after in zip(
        english["message"].to_list(), translated["message"].to_list(), strict=True
    ):
        assert before != after, f"still in English: {before}"
    # --json and the stored log keep the English prose, whatever the language.
    assert (
        json.dumps(rejected.as_json(), ensure_ascii=False, sort_keys=True)
        == english_json
    )
    assert {p.message for p in rejected.problems} == set(english["message"])


def test_in_english_the_sentences_are_the_ones_json_carries(
    rejected: ingest.ImportReport,
) -> None:
    frame = rejected.problems_frame()
    assert frame["message"].to_list() == [p.message for p in rejected.problems]
    messages = "\n".join(frame["message"].to_list())
    for phrase in EXPECTED["en"]:
        assert phrase in messages


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        (
            "zh-Hans",
            [
                "评分 11 超出 0–10",
                "日期 soon 不是有效日期",
                "没有已知联系人 nobody@x.cn",
            ],
        ),
        (
            "zh-Hant",
            [
                "評分 11 超出 0–10",
                "日期 soon 不是有效日期",
                "沒有已知聯絡人 nobody@x.cn",
            ],
        ),
    ],
)
def test_a_survey_s_problems_read_in_the_language(
    language: str, phrases: list[str]
) -> None:
    contacts = pl.DataFrame(
        {"contact_id": ["C1"], "account_id": ["A1"], "email": ["ann@acme.com"]}
    )
    accounts = pl.DataFrame({"account_id": ["A1"], "name": ["Acme"]})
    text = (
        "account,email,score,date\n"
        "A1,ann@acme.com,11,2026-03-01\n"
        "A1,ann@acme.com,7,soon\n"
        "A1,nobody@x.cn,9,2026-03-02\n"
    )
    result = surveys.read_survey_file(
        "调查.csv", text.encode("utf-8"), contacts, accounts
    )
    english = surveys.problems_frame(result.problems)
    i18n.set_language(language)
    translated = surveys.problems_frame(result.problems)
    assert _places(translated) == _places(english)
    messages = "\n".join(translated["message"].to_list())
    for phrase in phrases:
        assert phrase in messages
    # The English sentences are kept (no Chinese in them: the file name is not).
    assert not any(
        "\u4e00" <= ch <= "\u9fff" for p in result.problems for ch in p.message
    )


def test_the_command_line_report_reads_in_lang_and_its_json_stays_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from workbench.cli import main

    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    database = str(tmp_path / "wb.duckdb")
    path = str(tmp_path / "accounts.csv")
    assert main(["--lang", "zh-Hant", "--db", database, "import", path]) == 1
    out = capsys.readouterr().out
    assert "accounts.csv, 第 1 列, annual_revenue: “abc” 不是數字" in out
    assert main(["--lang", "zh-Hant", "--db", database, "import", path, "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert {"file", "row", "column", "message", "level", "code"} == set(problems[0])
    assert any(
        p["message"].startswith("“abc” is not a number") and p["row"] == 1
        for p in problems
    )


def test_a_wording_keeps_data_literal_and_words_nested_parts() -> None:
    # Data with braces, and a separator with braces, are never read as placeholders.
    places = joined(
        [worded("{file} row {row}", file="{x}.csv", row=2), "{y}"], " {and} "
    )
    wording = worded(
        "duplicate ID {id} in {table}: {places}", id="“{0}”", table="t", places=places
    )
    assert wording.text() == "duplicate ID “{0}” in t: {x}.csv row 2 {and} {y}"
    catalogue = {"{file} row {row}": "{file} 第 {row} 行"}
    said = wording.text(lambda template: catalogue.get(template, template))
    assert said == "duplicate ID “{0}” in t: {x}.csv 第 2 行 {and} {y}"
    problem = make_problem("warning", "f.csv", 3, "Name", wording, "duplicate_id")
    assert problem.message == wording.text()
    assert problem.as_dict() == {
        "level": "warning",
        "file": "f.csv",
        "row": 3,
        "column": "Name",
        "message": wording.text(),
        "code": "duplicate_id",
    }


def test_a_problem_written_whole_is_shown_as_written() -> None:
    # Code that gave no template (or an older caller) still shows its sentence.
    problem = Problem("warning", "f.csv", None, None, "a sentence nobody marked")
    i18n.set_language("zh-Hans")
    assert problem_text(problem) == "a sentence nobody marked"
    marked = Problem(
        "warning", "f.csv", None, None, "the file has a header but no rows"
    )
    assert problem_text(marked) == "该文件有表头但没有数据行"
    assert isinstance(make_problem("error", "f", 1, None, "x").message, str)
    assert Wording("no {x}", (("x", "y"),)).text() == "no y"


def test_the_pipeline_s_whole_sentences_are_in_the_catalogue(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text("account_id,name\n", encoding="utf-8")
    con = store.connect(":memory:")
    try:
        report = ingest.import_files(con, [tmp_path / "accounts.csv"], actor=ANALYST)
    finally:
        con.close()
    nothing = [p for p in report.problems if p.code == "nothing_to_import"]
    assert nothing and nothing[0].message in WHOLE_SENTENCES
    i18n.set_language("zh-Hant")
    assert problem_text(nothing[0]) == "沒有可匯入的內容：檔案只有表頭，沒有資料列"


def test_the_garbled_text_warning_reads_in_the_language_and_keeps_its_figures() -> None:
    # A UTF-8 survey read as GBK: its Chinese comments come out as mojibake.
    survey = "account,score,date,comment\nA1,9,2026-03-01,客户名称\nA1,8,2026-03-02,上海北京\n"
    accounts = pl.DataFrame({"account_id": ["A1"], "name": ["Acme"]})
    contacts = pl.DataFrame(
        schema={"contact_id": pl.String, "account_id": pl.String, "email": pl.String}
    )
    result = surveys.read_survey_file(
        "nps.csv", survey.encode("utf-8"), contacts, accounts, encoding="gbk"
    )
    (garbled,) = [p for p in result.problems if p.code == "encoding"]
    assert garbled.message.startswith("the text may be garbled when read as gbk")
    i18n.set_language("zh-Hant")
    said = problem_text(garbled)
    assert said.startswith("按 gbk 讀取時文字可能是亂碼：")
    assert "--encoding utf-8" in said and "重新匯入" in said


def test_a_translation_with_a_wrong_placeholder_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = make_problem(
        "error",
        "f.csv",
        2,
        "Amount",
        worded("{value} is odd", value="“x”"),
        "bad_value",
    )
    monkeypatch.setattr(
        "workbench.ingest.problems.gettext", lambda _message: "{wert} ist seltsam"
    )
    assert problem_text(problem) == "“x” is odd"


def test_a_file_the_workbench_does_not_import_says_why_in_the_language(
    tmp_path: Path,
) -> None:
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (tmp_path / "{odd} notes.csv").write_text("colour,flavour\nred,sweet\n", "utf-8")
    con = store.connect(":memory:")
    try:
        report = ingest.import_files(
            con,
            [tmp_path / "accounts.csv", tmp_path / "{odd} notes.csv"],
            actor=ANALYST,
            dry_run=True,
        )
    finally:
        con.close()
    (skipped,) = [p for p in report.problems if p.code == "file_not_imported"]
    assert skipped.file == "{odd} notes.csv"
    assert skipped.message == (
        "not imported: the columns do not match any workbench table; map them by hand"
    )
    i18n.set_language("zh-Hans")
    assert problem_text(skipped) == "未导入：这些列与工作台的任何表都不对应；请手动映射"
    notes = report.files_frame()["note"].to_list()
    assert "这些列与工作台的任何表都不对应；请手动映射" in notes


def test_an_association_table_s_note_reads_in_the_language(tmp_path: Path) -> None:
    files = {
        "company_data.csv": "id,is_deleted,_fivetran_synced,property_name\n"
        "501,false,2024-01-01 0:00:00,Huadong\n",
        "contact_data.csv": "_fivetran_deleted,_fivetran_synced,property_email,id,"
        "property_firstname,property_lastname\n"
        "FALSE,2024-01-01 0:00:00,a@x.example,7001,Wei,Wang\n",
        "contact_company_data.csv": "contact_id,company_id,type_id,category\n"
        "7001,501,1,HUBSPOT_DEFINED\n",
    }
    con = store.connect(":memory:")
    try:
        report = ingest.import_files(
            con,
            [(name, text.encode()) for name, text in files.items()],
            actor=ANALYST,
            source="hubspot",
            dry_run=True,
        )
    finally:
        con.close()
    (note,) = [p for p in report.problems if p.file == "contact_company_data.csv"]
    english = (
        "not imported: an association table: it gives the people in "
        "contact_data.csv their company"
    )
    assert note.message == english  # as --json and the import log carry it
    i18n.set_language("zh-Hans")
    assert problem_text(note) == (
        "未导入：关联表：为 contact_data.csv 中的人员提供所属公司"
    )
    notes = report.files_frame()["note"].to_list()
    assert "关联表：为 contact_data.csv 中的人员提供所属公司" in notes
    i18n.set_language("zh-Hant")
    assert problem_text(note) == (
        "未匯入：關聯表：為 contact_data.csv 中的人員提供所屬公司"
    )
