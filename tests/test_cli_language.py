"""The command line in three languages, and the pieces every command shares.

Help (argparse's own words included) and messages follow ``--lang`` or the locale;
``--json`` never does. The shared pieces: how a command's help is filled, the options
passed on by name, the table output, the database opened for a block.
"""

from __future__ import annotations

import argparse
import dataclasses
import gettext
import inspect
import json
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
from babel.messages.extract import extract_from_file

from tests.test_cli_all import COMMANDS, _run, _subparsers
from workbench import i18n, ingest, plans
from workbench.analytics import effort as effort_analytics
from workbench.cli import build_parser
from workbench.cli import effort as effort_command
from workbench.cli._argparse_words import ARGPARSE_MESSAGES, argparse_in_language
from workbench.cli._command import database
from workbench.cli._output import fit, print_table
from workbench.cli.imports import IMPORT_OPTIONS

ACCOUNT = "A00001"
FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


@pytest.fixture
def clean_locale(monkeypatch):
    """Only what a test sets chooses the language; English again afterwards."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    yield monkeypatch
    i18n.set_language("en")


#: Three or more English words in a row: a sentence left untranslated. Option names
#: (``--min-named-hours``) are taken out first; code values and file names
#: (``most_valuable``, ``docs/effort.md``) never match (underscores, dots, slashes).
ENGLISH_WORDS = re.compile(r"[A-Za-z][a-z']+(?:[ -][A-Za-z][a-z']+){2,}")
OPTION = re.compile(r"--[\w-]+")


def _untranslated(help_text: str, examples_heading: str) -> list[str]:
    """English sentences in a help text, leaving out the usage (option names and
    placeholders only) and the example command lines."""
    kept: list[str] = []
    in_examples = False
    for line in help_text.split("\n\n", 1)[1].splitlines():
        if line == examples_heading:
            in_examples = True
        elif in_examples and not line.strip():
            in_examples = False
        elif not in_examples:
            kept.append(OPTION.sub(" ", line))
    return ENGLISH_WORDS.findall("\n".join(kept))


# (how the language is chosen, argparse's words, the heading of the examples)
CHINESE_SHELLS = [
    pytest.param(
        {"LANG": "zh_CN.UTF-8"}, [], ("用法：", "选项"), "示例：", id="LANG=zh_CN"
    ),
    pytest.param(
        {"LANG": "C.UTF-8"},
        ["--lang", "zh-Hant"],
        ("用法：", "選項"),
        "範例：",
        id="zh-Hant",
    ),
]


@pytest.mark.parametrize(("environment", "argv", "words", "examples"), CHINESE_SHELLS)
@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_reads_entirely_in_chinese(
    capsys, clean_locale, environment, argv, words, examples, command
):
    for variable, value in environment.items():
        clean_locale.setenv(variable, value)
    code, out, _ = _run(capsys, *argv, *([command] if command else []), "--help")
    assert code == 0
    assert out.startswith(words[0]) and f"\n{words[1]}" in out, (command, out[:300])
    assert command is None or examples in out
    assert _untranslated(out, examples) == [], command


def test_the_english_help_is_still_english(capsys, clean_locale):
    code, out, _ = _run(capsys, "plan", "--help")
    assert code == 0 and out.startswith("usage: workbench plan")
    assert "show this help message and exit" in out and "positional arguments" in out
    assert _untranslated(out, "examples:")  # the check does see English


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["plan"], "缺少以下必需的参数：ACCOUNT_ID, --format"),
        (["map", ACCOUNT, "--layout", "circle"], "参数 --layout：无效的选择：'circle'"),
        (["info", "--no-such-option"], "无法识别的参数：--no-such-option"),
        (["nps", "--quarters", "many"], "无效的 int 值：'many'"),
        (["segment", "--json", "--csv"], "不能与参数 --json 同时使用"),
    ],
)
def test_argparse_errors_follow_the_language(capsys, clean_locale, argv, expected):
    code, out, err = _run(capsys, "--lang", "zh-Hans", *argv)
    assert code == 2 and out == ""
    assert err.startswith("用法：workbench") and "workbench" in err
    assert "：错误：" in err and expected in err, err


def test_argparse_gets_its_own_words_back_after_a_run(capsys, clean_locale):
    _run(capsys, "--lang", "zh-Hant", "info", "--help")
    assert vars(argparse)["_"] is gettext.gettext
    assert vars(argparse)["ngettext"] is gettext.ngettext
    i18n.set_language("zh-Hant")
    assert "show this help message and exit" in argparse.ArgumentParser().format_help()
    with argparse_in_language():
        assert "顯示此說明訊息並結束" in argparse.ArgumentParser().format_help()


#: What argparse can say about a wrongly built parser (a programming error, never
#: shown to a person typing a command), and its one plural message.
NOT_FOR_PEOPLE = {
    "%r is not callable",
    "'required' is an invalid argument for positionals",
    ".__call__() not defined",
    'argument "-" with mode %r',
    "cannot have multiple subparser arguments",
    "cannot merge actions - two groups are named %r",
    "conflicting subparser alias: %s",
    "conflicting subparser: %s",
    "dest= is required for options like %r",
    "invalid conflict_resolution value: %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "mutually exclusive arguments must be optional",
    "conflicting option string: %s",
    "expected %s argument",
}


def test_every_message_argparse_shows_people_is_in_the_catalogue():
    source = inspect.getsourcefile(argparse)
    assert source is not None
    found = {
        message if isinstance(message, str) else message[0]
        for _line, message, _comments, _context in extract_from_file(
            "python", source, keywords={"_": None, "ngettext": (1, 2)}
        )
    }
    assert found - NOT_FOR_PEOPLE <= set(ARGPARSE_MESSAGES)
    for language in ("zh-Hans", "zh-Hant"):
        catalogue = i18n.translations(language)
        for message in ARGPARSE_MESSAGES:
            assert catalogue.gettext(message) != message, (language, message)


@pytest.mark.parametrize(
    "argv",
    [
        ["info", "--json"],
        ["segment", "--json"],
        ["effort", "--issues", "--json"],
        ["nps", "--json"],
        ["map", ACCOUNT, "--json"],
        ["plan", ACCOUNT, "--format", "json"],
        ["plans", "--overview", "--json", "--today", "2026-10-01"],
    ],
    ids=lambda argv: argv[0],
)
def test_json_is_the_same_in_a_chinese_shell(capsys, clean_locale, demo_db, argv):
    code, english, _ = _run(capsys, *argv, "--db", str(demo_db))
    assert code == 0
    clean_locale.setenv("LANG", "zh_CN.UTF-8")
    code, chinese, err = _run(capsys, *argv, "--db", str(demo_db))
    assert code == 0
    # a plan carries the time its situation was computed; nothing else may differ
    computed = re.compile(r'"computed_at": "[^"]*"')
    assert computed.sub("", chinese) == computed.sub("", english)
    assert json.loads(chinese)
    if argv[0] in ("segment", "effort"):
        assert "正在" in err  # while the progress on stderr is Chinese


def test_text_output_of_map_and_plans_follows_the_language(
    capsys, clean_locale, demo_db
):
    db = ["--db", str(demo_db)]
    _code, english, _ = _run(capsys, "map", ACCOUNT, "--html", "/dev/null", *db)
    assert re.search(
        r"^people engaged \d+ of \d+, departments \d+ of \d+, org levels \d+ of \d+$",
        english,
        re.M,
    )
    _code, chinese, err = _run(
        capsys, "--lang", "zh-Hant", "map", ACCOUNT, "--html", "/dev/null", *db
    )
    assert "有往來的人員" in chinese and "風險：" in chinese and "正在讀取客戶" in err
    today = ["--today", "2026-10-01"]
    _code, english, _ = _run(capsys, "plans", "--overview", *today, *db)
    assert (
        english.startswith("Plans on 2026-10-01\n") and "Overdue actions: " in english
    )
    _code, chinese, _ = _run(
        capsys, "--lang", "zh-Hans", "plans", "--overview", *today, *db
    )
    assert chinese.startswith("2026-10-01 的计划\n") and "逾期行动：" in chinese


#: Codes a person must not read in a Chinese table (``--json`` and ``--csv`` keep
#: them). Lower case and whole words: the accounts' names are capitalised.
CODES = re.compile(
    r"\b(most_valuable|most_growable|below_zero|maintain|no_data|partnership|"
    r"transactional|under_invested|over_invested|wrong_people|not_judged|right|"
    r"initiator|decider|influencer|approver|buyer|user|gatekeeper|all)\b"
)


@pytest.mark.parametrize(
    ("argv", "labels"),
    [
        (["segment"], ("最有价值客户", "合作型关系")),
        (["effort"], ("合作型关系", "恰当")),
        (["nps"], ("全部", "决策者", "净推荐值")),
        (["nps", "--conflicts"], ("对比",)),
    ],
)
def test_chinese_tables_read_the_vocabulary_and_english_keeps_the_codes(
    capsys, clean_locale, demo_db, argv, labels
):
    db = ["--db", str(demo_db)]
    code, chinese, _ = _run(capsys, "--lang", "zh-Hans", *argv, *db)
    assert code == 0
    assert all(label in chinese for label in labels)
    assert CODES.findall(chinese) == []
    _code, english, _ = _run(capsys, *argv, *db)
    assert CODES.search(english)


# --- the shared pieces ---------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-Hans", "zh-Hant"])
def test_every_field_of_a_command_s_help_is_filled(capsys, clean_locale, language):
    helps = {
        command: _run(capsys, "--lang", language, command, "--help")[1]
        for command in COMMANDS
    }
    for command, text in helps.items():
        assert not re.search(r"\{[a-z_]+\}", text), command
    assert f" {plans.STALE_AFTER_DAYS} " in helps["plans"]
    assert "95%" in helps["nps"] and "{percent}" not in helps["nps"]
    why = i18n.translations(language).gettext("the first real import into the demo")
    assert f"--replace-demo     ({why})" in helps["import"]


def test_options_passed_to_the_import_by_name_are_its_keywords():
    keywords = inspect.signature(ingest.import_files).parameters
    destinations = {action.dest for action in _subparsers()["import"]._actions}
    assert set(IMPORT_OPTIONS) <= set(keywords) and set(IMPORT_OPTIONS) <= destinations


def test_effort_options_set_every_misallocation_rule():
    rules = effort_analytics.MisallocationRules()
    assert set(effort_command._RULE_OPTIONS) == {
        field.name for field in dataclasses.fields(rules)
    }
    args = build_parser().parse_args(
        [
            "effort",
            "--over-factor",
            "2",
            "--broad-share",
            "50",
            "--min-named-hours",
            "3",
        ]
    )
    assert effort_command._rules(args) == rules.changed(
        over_factor=2.0, broad_share_pct=50.0, min_named_hours=3.0
    )


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"json": True, "csv": False}, '[\n  {\n    "account_id": "A1"'),
        ({"json": False, "csv": True}, "account_id,name\nA1,Acme\n"),
        ({"json": False, "csv": False}, "text\n"),
    ],
)
def test_a_table_prints_as_json_csv_or_text(capsys, flags, expected):
    table = pl.DataFrame({"account_id": ["A1"], "name": ["Acme"]})
    code = print_table(argparse.Namespace(**flags), table, lambda: print("text"))
    out = capsys.readouterr().out
    assert code == 0 and out.replace("\r\n", "\n").lstrip("\ufeff").startswith(expected)


def test_a_table_prints_its_own_json_document_when_given(capsys):
    table = pl.DataFrame({"account_id": ["A1"]})
    flags = argparse.Namespace(json=True, csv=False)
    print_table(flags, table, lambda: None, {"accounts": table.to_dicts()})
    assert json.loads(capsys.readouterr().out) == {"accounts": [{"account_id": "A1"}]}


def test_a_chinese_heading_is_padded_by_the_columns_it_takes():
    assert fit("客户", 6) == "客户  " and fit("account", 9) == "account  "
    assert fit("95% 區間", 10, right=True) == "  95% 區間"
    assert fit("a longer text", 4) == "a longer text"


def test_the_database_is_closed_after_its_block_even_when_it_fails(tmp_path):
    args = argparse.Namespace(db=str(tmp_path / "w.duckdb"))
    opened = []

    def fail_while_open() -> None:
        with database(args, create=True) as con:
            opened.append(con)
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        fail_while_open()
    with pytest.raises(duckdb.ConnectionException, match="closed"):
        opened[0].execute("select 1")


def test_an_import_s_progress_follows_the_language(capsys, clean_locale, demo_db):
    files = [
        str(FIXTURES / "salesforce" / name) for name in ("Account.csv", "User.csv")
    ]
    db = ["--db", str(demo_db)]
    code, _out, english = _run(capsys, "import", *files, "--dry-run", *db)
    assert code == 0 and "… reading files" in english and "… staging " in english
    code, _out, chinese = _run(
        capsys, "--lang", "zh-Hans", "import", *files, "--dry-run", *db
    )
    assert code == 0 and "… 正在读取文件" in chinese and "… 正在暂存 " in chinese
    assert not re.search(r"… (reading|staging|checking|resolving|writing)", chinese)
