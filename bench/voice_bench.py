"""Benchmark: how often role conflicts are flagged by chance, and what the test costs.

Run ``python -m bench.voice_bench`` (``--db FILE`` to reuse a demo database). It
prints, on the demo portfolio and on synthetic portfolios with no real conflict:

* accounts flagged by the old rule (a gap above 70 points between two roles with
  3+ answers) and by the new one (permutation test within the account,
  Benjamini–Hochberg at 5 %, and the same 70-point floor), with the real roles and
  with the roles shuffled within each account (mean of many shuffles): the
  shuffled count is the rule's false-positive level on the same data;
* on synthetic null portfolios (40 accounts, 3 roles, 8 answers each), the share
  of accounts flagged and the share of portfolios with any flag;
* the time of the conflict test against summarising the NPS of the same answers
  (a ratio, both measured here).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from workbench import demo, store
from workbench.analytics import voice

SHUFFLES = 20
NULL_PORTFOLIOS = 50
GAP = 70.0


def _demo_answers(db: Path | None) -> pl.DataFrame:
    if db is None:
        db = Path(tempfile.mkdtemp()) / "demo.duckdb"
    con = store.connect(db)
    try:
        if store.table_counts(con)["nps_responses"] == 0:
            demo.write_demo(con)
        return store.nps_responses_enriched(con)
    finally:
        con.close()


def _shuffled(frame: pl.DataFrame, seed: int) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("buying_role").shuffle(seed=seed).over("account_id")
    )


def _old_rule(answers: pl.DataFrame) -> int:
    tested = voice.role_conflict_tests(answers, min_responses=3, alpha=1.0)
    return int(tested.filter(pl.col("gap") > GAP).height)


def _new_rule(answers: pl.DataFrame) -> int:
    return int(voice.role_conflicts(answers, gap_threshold=GAP).height)


def _demo_rows(all_answers: pl.DataFrame) -> list[tuple[str, int, float, int, float]]:
    rows = []
    last = voice.last_response_day(all_answers)
    for label, quarters in (("last 4 quarters", 4), ("all time (8 quarters)", None)):
        answers = voice.one_answer_per_person(
            voice.responses_since(all_answers, voice.period_start(last, quarters))
        )
        old_shuffled = [_old_rule(_shuffled(answers, s)) for s in range(SHUFFLES)]
        new_shuffled = [_new_rule(_shuffled(answers, s)) for s in range(SHUFFLES)]
        rows.append(
            (
                label,
                _old_rule(answers),
                statistics.mean(old_shuffled),
                _new_rule(answers),
                statistics.mean(new_shuffled),
            )
        )
    return rows


def _null_portfolio(seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    accounts, per_role, roles = 40, 8, ("user", "influencer", "decider")
    mix = rng.dirichlet([2.0, 2.0, 2.0], size=accounts)
    n = accounts * len(roles) * per_role
    account = np.repeat(np.arange(accounts), len(roles) * per_role)
    cumulative = mix.cumsum(axis=1)[account]
    band = (rng.random(n)[:, None] > cumulative).sum(axis=1)
    return pl.DataFrame(
        {
            "account_id": [f"A{a:03d}" for a in account],
            "account_name": [f"A{a:03d}" for a in account],
            "contact_id": [f"C{i}" for i in range(n)],
            "buying_role": np.tile(np.repeat(roles, per_role), accounts),
            "score": np.array([3, 8, 10])[band.clip(max=2)],
            "responded_on": [None] * n,
        },
        schema_overrides={"responded_on": pl.Date},
    )


def main() -> None:
    """Print the false-positive levels and the cost ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, help="a demo database to reuse")
    args = parser.parse_args()
    answers = _demo_answers(args.db)
    print("Demo portfolio: accounts flagged (real roles / roles shuffled, mean)")
    print(f"{'period':<24}{'old real':>9}{'old shuf':>9}{'new real':>9}{'new shuf':>9}")
    for label, old_real, old_shuf, new_real, new_shuf in _demo_rows(answers):
        print(f"{label:<24}{old_real:>9}{old_shuf:>9.1f}{new_real:>9}{new_shuf:>9.2f}")

    flagged = tested = portfolios_with_flag = 0
    for seed in range(NULL_PORTFOLIOS):
        result = voice.role_conflict_tests(_null_portfolio(seed), seed=seed)
        tested += result.height
        hits = int(result["flagged"].sum())
        flagged += hits
        portfolios_with_flag += hits > 0
    print(
        f"Null portfolios: {flagged} of {tested} accounts flagged "
        f"({flagged / tested:.2%}); {portfolios_with_flag} of {NULL_PORTFOLIOS} "
        "portfolios with any flag"
    )

    counted = voice.one_answer_per_person(answers)
    started = time.perf_counter()
    voice.role_conflict_tests(counted, min_responses=3)
    test_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(10):
        voice.nps_by_account_role(counted)
    summary_seconds = (time.perf_counter() - started) / 10
    print(
        f"Conflict test on {counted.height:,} answers: {test_seconds * 1000:.0f} ms, "
        f"{test_seconds / summary_seconds:.0f}× summarising their NPS per account "
        "and role"
    )


if __name__ == "__main__":
    main()
