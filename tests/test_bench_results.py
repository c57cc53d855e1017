"""The bench's results file: a run of some parts keeps the other lines and notes."""

from __future__ import annotations

from bench import common, results
from bench.common import Row


def test_a_partial_run_keeps_every_other_lines_note(tmp_path, monkeypatch):
    monkeypatch.setattr(common, "RESULTS", tmp_path / "RESULTS.md")
    # measures holding ": " themselves, as the browser's and the segments' do
    first = [
        Row(
            "browser: slider release to updated chart (10,000 accounts)",
            "102 ms",
            "77 ms",
            "1.3×",
            "≤ 1.3×: MISSED",
            note="samples ms: 126, 114",
            load="0.9",
        ),
        Row(
            "segment recompute (10,000 accounts: segments, cuts)",
            "1.8 ms",
            "1.1 ms",
            "1.6×",
            "< 10 ms: met",
            note="explaining every account instead: 52.2 ms",
            load="1.2",
        ),
        Row(
            "Account plans: a move (AppTest)", "210 ms", "172 ms", "1.2×", "", load="1"
        ),
    ]
    results.write_results(first, {}, 60.0)
    again = Row("Account plans: a move (AppTest)", "139 ms", "123 ms", "1.1×", "")
    results.write_results(results.merged([again]), {}, 6.0, ["openings"])
    kept = {row.measure: row for row in results.previous_rows()}
    assert kept["Account plans: a move (AppTest)"].value == "139 ms"
    assert kept[first[0].measure].note == "samples ms: 126, 114"
    assert kept[first[1].measure].note == "explaining every account instead: 52.2 ms"
