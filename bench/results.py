"""The machine a run measured on, and ``bench/RESULTS.md`` written from its rows."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path

from bench import common
from bench.common import PACKAGES, Row, sizes_text

# --- the machine -------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
                break
    except OSError:
        pass
    os_name = platform.platform()
    try:
        release = dict(
            line.split("=", 1)
            for line in Path("/etc/os-release").read_text().splitlines()
            if "=" in line
        )
        os_name = (
            f"{release.get('PRETTY_NAME', '').strip(chr(34))} ({platform.release()})"
        )
    except OSError:
        pass
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    chromium = "not found"
    with contextlib.suppress(OSError):
        chromium = subprocess.run(
            ["/usr/bin/chromium", "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout.strip()
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": os_name,
        "Python": platform.python_version(),
        "packages": ", ".join(versions),
        "browser": chromium,
        "load average at start": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# --- output ------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    header = (
        "measure",
        "value",
        "baseline (same run)",
        "ratio",
        "target",
        "load (1 min)",
    )
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for row in rows:
        cells = (row.measure, row.value, row.baseline, row.ratio, row.target, row.load)
        lines.append(
            "| "
            + " | ".join(" ".join(c.replace("|", "/").split()) for c in cells)
            + " |"
        )
    return "\n".join(lines)


def previous_rows() -> list[Row]:
    """Return the rows of the results file as written last (for ``--only`` runs)."""
    if not common.RESULTS.exists():
        return []
    lines = common.RESULTS.read_text().splitlines()
    rows: list[Row] = []
    notes: list[str] = []
    in_results = False
    pending = ""  # a row whose cell broke over lines (older runs wrote such)
    for line in lines:
        if line.startswith("## "):
            in_results = line == "## Results"
        elif in_results and (pending or line.startswith("| ")):
            if line.startswith("| measure") or line.startswith("|---"):
                continue
            pending = f"{pending} {line.strip()}".strip()
            cells = [" ".join(c.split()) for c in pending.strip("|").split(" | ")]
            if len(cells) >= 6 and pending.endswith("|"):
                measure, value, baseline, ratio, target = cells[:5]
                rows.append(Row(measure, value, baseline, ratio, target, load=cells[5]))
                pending = ""
        elif line.startswith("- "):
            notes.append(line[2:])
    # a note is its line's measure, ": ", then the note; a measure may hold
    # ": " itself ("browser: slider release..."), so each row finds its own
    for row in rows:
        prefix = f"{row.measure}: "
        row.note = next(
            (note[len(prefix) :] for note in notes if note.startswith(prefix)), ""
        )
    return rows


def merged(rows: list[Row]) -> list[Row]:
    """Return the last results with the rows measured now in their place."""

    # a line's words before its first parenthesis name it; the sizes inside may
    # have changed since (e.g. the rows a table shows)
    def name(row: Row) -> str:
        return row.measure.split(" (")[0]

    fresh: dict[str, list[Row]] = {}
    for row in rows:
        fresh.setdefault(name(row), []).append(row)
    kept = [
        fresh[name(row)].pop(0) if fresh.get(name(row)) else row
        for row in previous_rows()
    ]
    return kept + [row for left in fresh.values() for row in left]


def write_results(
    rows: list[Row],
    info: dict[str, str],
    seconds: float,
    partial: list[str] | None = None,
) -> None:
    notes = [f"- {row.measure}: {row.note}" for row in rows if row.note]
    text = "\n".join(
        [
            "# Benchmark results",
            "",
            "Written by `python -m bench` (`bash dev.sh bench`); do not edit by hand.",
            "",
            f"Run on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
            f"{seconds / 60:.1f} minutes in all. Scale data: {sizes_text()} "
            "(`workbench demo`, fixed seed).",
            *(
                [
                    "",
                    f"This run measured only: {', '.join(partial)}; the other lines "
                    "come from the run before, each with the load it was measured "
                    "under.",
                ]
                if partial
                else []
            ),
            "",
            "## Machine",
            "",
            *[f"- {key}: {value}" for key, value in info.items()],
            "",
            "## Results",
            "",
            "Each figure has a baseline measured in the same run on the same machine;",
            "the ratio is figure ÷ baseline. On a shared machine the absolute figures",
            "move with the load (the last column: the one-minute load average when",
            "the figure was taken, on a machine of the cores above); the ratios move",
            "less. Each target says met or MISSED; the targets are issue 24's.",
            "",
            table(rows),
            "",
            *(["## Notes", "", *notes, ""] if notes else []),
        ]
    )
    common.RESULTS.write_text(text)
