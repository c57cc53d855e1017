"""Every command of ``workbench``: help with examples, --db anywhere, usage errors.

What holds for all commands at once (help in each language, the options each
takes, the modules each loads), and the installed console script.
"""

from __future__ import annotations

import json
import sys

import pytest

from tests.cli_all_support import EFFORT_JSON_KEYS as EFFORT_JSON_KEYS
from tests.cli_all_support import _run
from tests.conftest import run_cli
from workbench.cli import build_parser


def _subparsers() -> dict[str, object]:
    parser = build_parser()
    actions = [
        a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"
    ]
    assert len(actions) == 1
    return dict(actions[0].choices)  # type: ignore[attr-defined]


COMMANDS = sorted(_subparsers())


# --- every command -----------------------------------------------------------------


def test_top_level_help_lists_every_command_with_a_description(capsys):
    code, out, _ = _run(capsys, "--help")
    assert code == 0
    parser = build_parser()
    listed = {
        action.dest: action.help
        for sub in parser._actions
        if sub.__class__.__name__ == "_SubParsersAction"
        for action in sub._choices_actions  # type: ignore[attr-defined]
    }
    assert sorted(listed) == COMMANDS
    for command, description in listed.items():
        assert description and len(description) > 15, command
        assert command in out
    assert "exit codes" in out and "0  done" in out and "2  usage error" in out


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_help_with_examples(capsys, command):
    code, out, _ = _run(capsys, command, "--help")
    assert code == 0
    assert "examples:" in out
    examples = out.split("examples:", 1)[1]
    assert f"workbench {command}" in examples


@pytest.fixture
def no_locale_in_environment(monkeypatch):
    """A clean environment: only what the test sets chooses the language."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("environment", "argv", "description", "option_help", "examples"),
    [
        (
            {"LANG": "zh_CN.UTF-8"},
            [],
            "对每个客户做细分",
            "我方一小时时间的成本（默认 90）",
            "示例：",
        ),
        (
            {"LANG": "C.UTF-8"},
            ["--lang", "zh-Hant"],
            "對每個客戶做區隔",
            "我方一小時時間的成本（預設 90）",
            "範例：",
        ),
        (
            {"LC_ALL": "zh_TW.UTF-8", "LANG": "zh_CN.UTF-8"},
            [],
            "對每個客戶做區隔",
            "我方一小時時間的成本（預設 90）",
            "範例：",
        ),
    ],
)
def test_segment_help_speaks_the_language_of_the_environment_or_lang(
    capsys,
    no_locale_in_environment,
    environment,
    argv,
    description,
    option_help,
    examples,
):
    for variable, value in environment.items():
        no_locale_in_environment.setenv(variable, value)
    code, out, _ = _run(capsys, "segment", *argv, "--help")
    assert code == 0
    assert description in out and option_help in out
    # the examples' command lines are never translated
    assert f"{examples}\n  workbench segment\n" in out
    assert "examples:" not in out and "cost of one hour" not in out


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_s_help_is_translated(capsys, no_locale_in_environment, command):
    english = _run(capsys, "--lang", "en", command, "--help")[1]
    for language, examples in (("zh-Hans", "示例："), ("zh-Hant", "範例：")):
        code, out, _ = _run(capsys, "--lang", language, command, "--help")
        assert code == 0 and examples in out, (command, language)
        description = english.split("\n\n")[1]
        assert description not in out, (command, language)


def test_messages_follow_the_language_but_json_does_not(capsys, demo_db):
    code, out, _ = _run(capsys, "--lang", "zh-Hans", "info", "--db", str(demo_db))
    assert code == 0 and "结构版本" in out
    code, out, _ = _run(
        capsys, "--lang", "zh-Hant", "info", "--db", str(demo_db), "--json"
    )
    assert code == 0 and "schema_version" in json.loads(out)
    code, _, err = _run(
        capsys, "--lang", "zh-Hant", "import", "--db", str(demo_db), "nowhere.csv"
    )
    assert code == 1 and "沒有這個檔案或資料夾" in err


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_takes_db_after_its_name(command):
    subparser = _subparsers()[command]
    assert "--db" in subparser._option_string_actions  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", COMMANDS)
def test_unknown_option_is_a_usage_error(capsys, command):
    code, out, err = _run(capsys, command, "--no-such-option")
    assert code == 2 and out == "" and "error:" in err


def test_each_command_is_declared_by_the_module_the_registry_names():
    import importlib

    from workbench.cli import COMMAND_MODULE, COMMAND_MODULES

    declared = {
        command.name: module
        for module in COMMAND_MODULES
        for command in importlib.import_module(f"workbench.cli.{module}").COMMANDS
    }
    assert declared == COMMAND_MODULE


@pytest.mark.parametrize(
    ("argv", "modules"),
    [
        (["--db", "x.duckdb", "info", "--json"], ("info",)),
        (["restore", "--db", "x.duckdb", "folder"], ("backup",)),
        (["--db", "plan", "info"], ("info", "plan")),  # a file named like a command
        (["--help"], None),
        (["--help", "info"], None),  # the help asked for first lists every command
        (["infp"], None),  # no command named: argparse lists every choice
        ([], None),
        (["--version"], ()),
    ],
)
def test_a_command_line_builds_the_commands_it_names(argv, modules):
    from workbench.cli import COMMAND_MODULES, command_modules

    assert command_modules(argv) == (COMMAND_MODULES if modules is None else modules)


def test_a_command_does_not_load_what_only_others_need():
    # altair (the charts) and pyvis (the maps) were a third of a second of start-up
    probe = (
        "import sys\n"
        "from workbench.cli import main\n"
        "main(['info', '--db', sys.argv[1]])\n"
        "print(sorted(m for m in ('altair', 'pyvis', 'streamlit')"
        " if m in sys.modules))"
    )
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-c", probe, f"{folder}/empty.duckdb"],
            capture_output=True,
            text=True,
            check=True,
        )
    assert done.stdout.strip().splitlines()[-1] == "[]"


# --- the installed console script --------------------------------------------------


def test_console_script_keeps_stdout_json_and_progress_on_stderr(demo_db):
    result = run_cli("segment", "--json", "--db", str(demo_db), check=False)
    assert result.returncode == 0
    assert len(json.loads(result.stdout)["accounts"]) == 60
    assert result.stderr.startswith("…")


def test_console_script_help_in_a_chinese_shell():
    simplified = run_cli("segment", "--help", language="zh_CN.UTF-8")
    assert "对每个客户做细分" in simplified.stdout and "示例：" in simplified.stdout
    traditional = run_cli("--lang", "zh-Hant", "segment", "--help")
    assert "對每個客戶做區隔" in traditional.stdout and "範例：" in traditional.stdout
