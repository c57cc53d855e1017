"""Problems carry a stable code; lists and counts group warnings by it, not by
the wording of their messages."""

from __future__ import annotations

import polars as pl

from workbench import ingest
from workbench.domain import Problem
from workbench.ingest import summary
from workbench.ingest.problems import capped_problems


def test_warnings_group_by_code_whatever_their_messages_say() -> None:
    problems = [
        Problem("warning", "a.csv", 1, None, "one wording", "reporting_cycle"),
        Problem("error", "a.csv", 2, "Amount", "“x” is not a number", "bad_value"),
        Problem("warning", "a.csv", 3, None, "another wording", "missing_reference"),
        Problem("warning", "b.csv", 4, None, "a third wording", "reporting_cycle"),
    ]
    ordered = summary.ordered_problems(problems)
    assert [p.level for p in ordered] == ["error", "warning", "warning", "warning"]
    assert [p.code for p in ordered[1:]] == [
        "reporting_cycle",
        "reporting_cycle",
        "missing_reference",
    ]
    assert summary.warning_kinds(problems) == [
        {
            "kind": "reporting cycle: one line left out",
            "code": "reporting_cycle",
            "count": 2,
        },
        {
            "kind": "reference to a missing record",
            "code": "missing_reference",
            "count": 1,
        },
    ]


def test_a_problem_without_a_code_is_still_grouped_by_its_message() -> None:
    old = Problem("warning", "a.csv", 1, None, "“Q” matches no seller; left empty")
    assert summary.problem_code(old) == "unmatched_name"
    assert summary.problem_code(Problem("warning", "a.csv", None, None, "?")) == "other"


def test_the_summary_line_of_a_long_list_keeps_its_groups_code() -> None:
    found = pl.DataFrame(
        {
            "level": ["warning"] * 2,
            "_file": ["a.csv"] * 2,
            "_row": [1, 2],
            "column": ["", ""],
            "message": ["m", "m"],
            "total": [30, 30],
        }
    )
    problems = capped_problems(found, {}, "", lambda r: "m", "manager_missing")
    assert [p.code for p in problems] == ["manager_missing"] * 3
    assert problems[-1].message.startswith("… and 28 more")
    assert summary.warning_kinds(problems)[0]["count"] == 3


def test_the_json_problem_keeps_its_five_keys_and_adds_the_code() -> None:
    problem = Problem("warning", "a.csv", 1, "Owner", "<b>x</b>", "unmatched_name")
    assert problem.as_dict() == {
        "level": "warning",
        "file": "a.csv",
        "row": 1,
        "column": "Owner",
        "message": "<b>x</b>",
        "code": "unmatched_name",
    }
    # The table of problems keeps its five columns.
    assert ingest.problems_frame([problem]).columns == [
        "level",
        "file",
        "row",
        "column",
        "message",
    ]
