"""The leaders' one-page plan summary: what it shows, in what order, and that it is safe."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from workbench import plans
from workbench.cli import main

HOSTILE = "<script>alert(1)</script>"


def _situation() -> plans.Situation:
    def part(key, facts=(), tables=()):
        return plans.SituationPart(
            key,
            key,
            "ready",
            facts=[plans.Fact(label, value, unit) for label, value, unit in facts],
            tables=[
                plans.SituationTable(t, c, [list(r) for r in rows])
                for t, c, rows in tables
            ],
        )

    return plans.Situation(
        "A1",
        date(2026, 9, 30),
        datetime(2026, 10, 1, tzinfo=UTC),
        [
            part(
                "crm",
                facts=[
                    ("Account owner", "Olga", ""),
                    ("Won revenue, last 12 months", 1_250_000.0, ""),
                    ("Open pipeline", 300_000.0, ""),
                ],
            ),
            part(
                "segment",
                facts=[
                    ("Value segment", "most_valuable", ""),
                    ("Relationship type", "partnership", ""),
                    ("Contribution", -12_500.5, ""),
                ],
            ),
            part(
                "coverage",
                facts=[("People we touched", "4 of 9", "")],
                tables=[
                    (
                        "Coverage by buying role",
                        ["role", "present", "engaged", "status", "coverage"],
                        [
                            ("decider", 3, 1, "engaged", "1 of 3 covered"),
                            ("approver", 0, 0, "missing", "nobody known"),
                            ("buyer", 2, 2, "engaged", "2 of 2 covered"),
                            ("user", 4, 0, "not engaged", "0 of 4 covered"),
                        ],
                    )
                ],
            ),
            part("voice", facts=[("NPS, all roles", 26.666, ""), ("Answers", 15, "")]),
        ],
    )


def _plan() -> plans.Plan:
    plan = plans.new_plan("A1", f"Acme {HOSTILE}", _situation())
    plan.objectives = [
        plans.Objective(f"Renew {HOSTILE}", target="3 years", due_on=date(2027, 3, 31))
    ]
    plan.actions = [
        plans.Action("Dora (decider)", "Meet", "Eve", date(2026, 11, 1)),
        plans.Action("Bert (buyer)", "Call", "Olga", date(2026, 10, 15)),
        plans.Action("Cora (user)", "Done already", "Olga", date(2026, 10, 1), "done"),
    ]
    plan.risks = [
        plans.Risk("Re-tender", date(2027, 1, 1), "medium"),
        plans.Risk("Champion leaves", None, "high"),
    ]
    return plan


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_summary_leads_with_figures_then_objectives_actions_risks_and_gaps():
    page = plans.plan_summary_html(_plan(), None, "EUR")
    text = _text(page)
    order = [
        "Draft, not saved",
        "Most valuable",
        "€1,250,000",
        "-€12,500",
        "4 of 9",
        "+27",
        "Objectives",
        "Next actions",
        "Risks",
        "Where we are blind",
    ]
    positions = [text.index(item) for item in order]
    assert positions == sorted(positions), text
    # open actions soonest first, done ones left out; the high risk first
    assert text.index("Bert (buyer)") < text.index("Dora (decider)")
    assert "Done already" not in text
    assert text.index("Champion leaves") < text.index("Re-tender")
    # gaps in words: a partly covered decider is a gap, a fully covered buyer is not
    assert "decider: 1 of 3 covered" in text
    assert "approver: nobody known" in text
    assert "buyer:" not in text
    assert "user:" not in text  # only the deciding roles


def test_the_summary_is_printable_and_runs_nothing():
    page = plans.plan_summary_html(_plan(), None, "USD")
    assert "@page" in page and "@media print" in page
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"""(src|href)\s*=""", page)


def test_a_saved_version_says_who_saved_it_and_a_plan_without_situation_says_so():
    plan = _plan()
    plan.situation = None
    meta = plans.PlanVersion(
        "A1", 3, 2, "anna", datetime(2026, 10, 2, 9, 30, tzinfo=UTC), plan
    )
    text = _text(plans.plan_summary_html(plan, meta, "USD"))
    assert "Version 3, saved by anna" in text
    assert "Draft" not in text
    assert "the gaps are not known" in text


def test_the_command_line_writes_the_summary(demo_db, tmp_path, capsys):
    out = tmp_path / "summary.html"
    code = main(
        [
            "plan",
            "A00001",
            "--format",
            "summary",
            "--out",
            str(out),
            "--db",
            str(demo_db),
        ]
    )
    assert code == 0
    page = out.read_text(encoding="utf-8")
    assert "Plan summary:" in page and "Draft, not saved" in page
    assert "$" in page  # the demo portfolio's money is in US dollars
    assert "wrote the draft of A00001" in capsys.readouterr().err
