"""The notebook runs from top to bottom in a real Jupyter kernel of this interpreter."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "account_planning.ipynb"
KERNEL_NAME = "workbench-test"
#: One cell may take this long before the run is called hung (a loaded CI machine
#: is slow; this is a hang guard, not a speed target).
CELL_TIMEOUT_SECONDS = 300


@pytest.fixture(scope="module")
def executed(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[nbformat.NotebookNode, float]:
    monkeypatch = pytest.MonkeyPatch()
    base = tmp_path_factory.mktemp("notebook")
    spec_dir = base / "jupyter" / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    sys.executable,
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "workbench tests",
                "language": "python",
                # this checkout's library, whatever else is installed
                "env": {
                    "PYTHONPATH": os.pathsep.join(
                        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p
                    )
                },
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(base / "jupyter"))
    # The notebook must not depend on the working directory or a default database.
    monkeypatch.delenv("WORKBENCH_DB", raising=False)
    work = base / "cwd"
    work.mkdir()
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # One extra cell, in memory only, tells which interpreter and library ran.
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            "import sys, workbench\nprint(sys.executable)\nprint(workbench.__file__, end='')"
        )
    )
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT_SECONDS,
        resources={"metadata": {"path": str(work)}},
    )
    started = time.perf_counter()
    try:
        client.execute()
    finally:
        monkeypatch.undo()
    return notebook, time.perf_counter() - started


def _outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    return [
        o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs
    ]


def _cell_with(
    notebook: nbformat.NotebookNode, source_part: str
) -> nbformat.NotebookNode:
    found = [
        c for c in notebook.cells if c.cell_type == "code" and source_part in c.source
    ]
    assert len(found) == 1, source_part
    return found[0]


def _text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(
                output.data.get("text/html", output.data.get("text/plain", ""))
            )
    return "\n".join(parts)


def test_every_cell_runs_without_error(executed):
    # How long the run takes is the benchmarks' business, not a test's.
    notebook, _seconds = executed
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert code_cells and all(c.execution_count is not None for c in code_cells)
    assert not [o for o in _outputs(notebook) if o.output_type == "error"]


def test_kernel_is_this_interpreter_with_this_checkout(executed):
    notebook, _ = executed
    interpreter, library = _text(notebook.cells[-1]).splitlines()
    assert interpreter == sys.executable
    assert library == str(ROOT / "workbench" / "__init__.py")


def test_map_shows_inline_as_escaped_offline_iframe(executed):
    notebook, _ = executed
    cell = _cell_with(notebook, "centre = wb.buying_centre(")
    page = cell.outputs[-1].data["text/html"]
    assert page.startswith("<iframe") and 'srcdoc="' in page
    # the whole map is inside the attribute: <iframe> and </iframe> are the only
    # live markup
    assert page.count("<") == 2 and page.endswith("</iframe>") and "&lt;script" in page
    assert "cdn.jsdelivr.net" not in page and "bootstrap" not in page


def test_charts_render_as_vega_lite(executed):
    notebook, _ = executed
    # Altair's default renderer: an HTML snippet embedding the Vega-Lite spec.
    for marker, field in (
        ("wb.chart_segments(", "headroom"),
        ("wb.chart_effort(", "share_pct"),
        ("wb.chart_nps(", "nps"),
    ):
        page = _cell_with(notebook, marker).outputs[-1].data.get("text/html", "")
        assert "vegaEmbed" in page and f'"field": "{field}"' in page


# Each cell prints what it did: the marker finds the cell, the parts must show.
@pytest.mark.parametrize(
    ("marker", "parts"),
    [
        ("report = wb.import_files(export_dir)", ["ok=True source=salesforce"]),
        ("report = wb.import_files(export_dir)", ["Account.csv"]),
        ("rejected = wb.import_files(", ["ok=False; contacts still 2,533"]),
        ("rejected = wb.import_files(", ["refers to an account"]),
        ("saved = wb.save_plan(draft)", ["saved version 1 by local"]),
        ("saved = wb.save_plan(draft)", ["# Account plan:", "## Objectives"]),
        ("survey = wb.import_survey(", ["'inserted': 2"]),
        ('wb.effort(by="relationship"', ["partnership", "transactional"]),
        ("wb.misallocations(", ["over_served"]),
    ],
)
def test_cells_report_imports_plans_surveys_and_effort(executed, marker, parts):
    notebook, _ = executed
    text = _text(_cell_with(notebook, marker))
    assert all(part in text for part in parts), (marker, parts)


def test_committed_notebook_carries_no_outputs():
    # Outputs are made by running it; stored ones would go stale and bloat diffs.
    stored = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(stored)
    code_cells = [c for c in stored.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code_cells)


def test_threshold_changes_show_the_accounts_they_move(executed):
    notebook, _ = executed
    moves = _text(_cell_with(notebook, "moves = wb.compare_scenarios("))
    assert "value_segment_a" in moves and "most_valuable" in moves


def test_role_conflicts_are_listed(executed):
    notebook, _ = executed
    text = _text(_cell_with(notebook, "wb.role_conflicts("))
    assert "high_role" in text and "low_role" in text and "shape: (0" not in text


def test_explorers_run_in_the_notebook(executed):
    notebook, _ = executed
    sources = [cell.source for cell in notebook.cells]
    assert any("wb.explore_segments()" in source for source in sources)
    grouped = next(
        cell
        for cell in notebook.cells
        if cell.cell_type == "code" and "segments_box.result" in cell.source
    )
    text = "".join(
        output.get("data", {}).get("text/plain", "") for output in grouped.outputs
    )
    assert "most_valuable" in text
