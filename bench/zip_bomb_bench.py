"""Benchmark: peak memory of importing zip bombs against importing a small clean zip.

Run ``python bench/zip_bomb_bench.py [--entry-mb 800] [--single-mb 900]``. In a
temporary folder it writes

* ``clean.zip``: a small Salesforce-like ``Account.csv`` (the baseline);
* ``three.zip``: three members of ``--entry-mb`` MB of zeros each (a few MB packed);
* ``single.zip``: one member of ``--single-mb`` MB of zeros (one line, no header);
* ``nested.zip``: a zip inside a zip inside a zip;

then imports each into a fresh database in its own child process, which prints
its peak memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``; the parent also
reads ``RUSAGE_CHILDREN`` as a cross-check), the seconds it took, whether the
import was refused and the first refusal message. Each bomb's peak is printed
against the clean zip's. Nothing here asserts: the tests assert the refusals.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_BLOCK = b"0" * (1024 * 1024)

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from workbench import ingest, store
from workbench.domain import LOCAL_ACTOR
from workbench.errors import RejectedInputError
con = store.connect(sys.argv[1])
started = time.perf_counter()
try:
    report = ingest.import_files(con, [Path(sys.argv[2])], actor=LOCAL_ACTOR)
    refused = not report.ok
    message = next((p.message for p in report.errors), "")
except RejectedInputError as error:
    refused, message = True, str(error)
seconds = time.perf_counter() - started
rows = sum(store.table_counts(con).values())
con.close()
print(json.dumps({"seconds": seconds, "refused": refused, "message": message[:160],
                  "rows": rows,
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _zeros_member(archive: zipfile.ZipFile, name: str, megabytes: int) -> None:
    with archive.open(name, "w", force_zip64=True) as member:
        for _ in range(megabytes):
            member.write(_BLOCK)


def _write_bombs(folder: Path, entry_mb: int, single_mb: int) -> dict[str, Path]:
    paths = {name: folder / f"{name}.zip" for name in ("clean", "three", "single")}
    with zipfile.ZipFile(paths["clean"], "w", zipfile.ZIP_DEFLATED) as archive:
        rows = "".join(f"001{i:012d},Account {i},Energy\n" for i in range(2_000))
        archive.writestr("Account.csv", "Id,Name,Industry\n" + rows)
    with zipfile.ZipFile(paths["three"], "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(3):
            _zeros_member(archive, f"Account{i}.csv", entry_mb)
    with zipfile.ZipFile(paths["single"], "w", zipfile.ZIP_DEFLATED) as archive:
        _zeros_member(archive, "Account.csv", single_mb)
    inner = paths["clean"].read_bytes()
    for _level in range(2):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("inner.zip", inner)
        inner = buffer.getvalue()
    paths["nested"] = folder / "nested.zip"
    paths["nested"].write_bytes(inner)
    return paths


def _measure(folder: Path, name: str, archive: Path) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder / f"{name}.duckdb"), str(archive)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if completed.returncode != 0:
        return {"error": completed.stderr.strip().splitlines()[-1:]}
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    result["children_peak_kb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entry-mb", type=int, default=800)
    parser.add_argument("--single-mb", type=int, default=900)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zip-bomb-bench-") as scratch:
        folder = Path(scratch)
        paths = _write_bombs(folder, args.entry_mb, args.single_mb)
        results = {name: _measure(folder, name, path) for name, path in paths.items()}
        sizes = {name: path.stat().st_size for name, path in paths.items()}
    baseline = float(results["clean"].get("peak_kb", 0) or 1)  # type: ignore[arg-type]
    print(
        f"{'archive':<8} {'packed':>10} {'peak MB':>9} {'× clean':>8} {'s':>7}  result"
    )
    for name, result in results.items():
        if "error" in result:
            print(f"{name:<8} {sizes[name]:>10,} crashed: {result['error']}")
            continue
        peak = float(result["peak_kb"])  # type: ignore[arg-type]
        outcome = (
            "refused: " + str(result["message"])
            if result["refused"]
            else (f"imported {result['rows']} rows")
        )
        print(
            f"{name:<8} {sizes[name]:>10,} {peak / 1024:>9,.0f} "
            f"{peak / baseline:>8.2f} {float(result['seconds']):>7.1f}  {outcome}"  # type: ignore[arg-type]
        )


if __name__ == "__main__":
    main()
