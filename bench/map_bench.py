"""Benchmark: the buying-centre map of a 1,000-person account, against a 10-person one.

Run: ``python -m bench.map_bench`` (add ``--people 2000`` for a bigger account).
Each size gets its own in-memory demo database with one account; the timed work is
what the page does on a cache miss: read the account from DuckDB, compute the
metrics, and build the map's HTML. The small account, measured in the same run on
the same machine, is the baseline, so the ratio is comparable across machines.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

from workbench import demo, store
from workbench.analytics import network

ACTIVITIES_PER_PERSON = 20


@dataclass(frozen=True)
class MapTiming:
    """Best-of-N seconds for each step of building one account's map."""

    people: int
    read_s: float
    analyse_s: float
    html_s: float
    html_bytes: int

    @property
    def total_s(self) -> float:
        """Return the time of the whole build."""
        return self.read_s + self.analyse_s + self.html_s


def time_account_map(people: int, repeats: int = 3) -> MapTiming:
    """Return the best time of ``repeats`` map builds for a one-account demo of ``people``."""
    con = store.connect(":memory:")
    try:
        demo.write_demo(
            con,
            accounts=1,
            activities=people * ACTIVITIES_PER_PERSON,
            contacts=people,
        )
        account_id = str(store.buying_centre_accounts(con)["account_id"][0])
        reads, analyses, pages = [], [], []
        page = ""
        for _ in range(repeats):
            started = time.perf_counter()
            data = store.read_buying_centre(con, account_id, months=12)
            read_done = time.perf_counter()
            network.analyse_buying_centre(data)
            analysed = time.perf_counter()
            page = network.buying_centre_html(data)
            finished = time.perf_counter()
            reads.append(read_done - started)
            analyses.append(analysed - read_done)
            pages.append(finished - analysed)
        return MapTiming(
            people=data.contacts.height,
            read_s=min(reads),
            analyse_s=min(analyses),
            html_s=min(pages),
            html_bytes=len(page.encode()),
        )
    finally:
        con.close()


def run(
    people: int = 1_000, baseline_people: int = 10, repeats: int = 3
) -> dict[str, float]:
    """Time the large and the baseline account; print and return the figures."""
    baseline = time_account_map(baseline_people, repeats)
    large = time_account_map(people, repeats)
    ratio = large.total_s / baseline.total_s
    for timing in (baseline, large):
        print(
            f"{timing.people:>6,} people: read {timing.read_s * 1000:7.1f} ms, "
            f"metrics {timing.analyse_s * 1000:7.1f} ms, "
            f"html {timing.html_s * 1000:7.1f} ms, "
            f"total {timing.total_s * 1000:7.1f} ms, "
            f"page {timing.html_bytes / 1e6:.2f} MB"
        )
    print(
        f"map of {large.people:,} people takes {ratio:.1f}× the time of "
        f"{baseline.people} people "
        f"({large.total_s * 1000:.0f} ms vs "
        f"{baseline.total_s * 1000:.0f} ms)"
    )
    return {
        "people": large.people,
        "total_s": large.total_s,
        "baseline_people": baseline.people,
        "baseline_total_s": baseline.total_s,
        "ratio": ratio,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--baseline", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    run(options.people, options.baseline, options.repeats)
