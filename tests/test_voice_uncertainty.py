"""How sure an NPS is: one answer per person, intervals, minimum sample, conflicts.

The portfolios here are small frames shaped like a year of relationship surveys:
a few accounts, a handful of answers per role, people who answered twice, roles
with a single answer.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from tests.conftest import nps_response_frame, older_database
from workbench import plans, store
from workbench.analytics import voice
from workbench.errors import RejectedInputError

D = date(2026, 3, 1)
ROLES = ("user", "influencer", "decider")


def _frame(rows: list[tuple[str, str, str | None, int, date]]) -> pl.DataFrame:
    """Rows of (account, contact, role, score, day) with the enriched columns."""
    return nps_response_frame(rows)


def _null_portfolio(seed: int, accounts: int = 40, per_role: int = 8) -> pl.DataFrame:
    """Accounts whose roles do not differ: every answer from the account's own mix."""
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(accounts):
        # Accounts differ (some loyal, some not); roles within one do not.
        mix = rng.dirichlet([2.0, 2.0, 2.0])
        for r, role in enumerate(ROLES):
            for p in range(per_role):
                band = rng.choice(3, p=mix)
                score = (3, 8, 10)[band]
                rows.append((f"A{a:03d}", f"A{a:03d}-{r}-{p}", role, score, D))
    return _frame(rows)


def _shuffled_roles(frame: pl.DataFrame, seed: int) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("buying_role").shuffle(seed=seed).over("account_id")
    )


# --- one answer per person ---------------------------------------------------------


def test_a_person_who_answers_twice_counts_once_with_the_latest_answer():
    frame = _frame(
        [
            ("A1", "c1", "user", 0, D),
            ("A1", "c1", "user", 10, D + timedelta(days=95)),  # changed their mind
            ("A1", "c2", "user", 9, D),
            ("A1", None, "user", 3, D),  # anonymous answers all count
            ("A1", None, "user", 4, D),
        ]
    )
    counted = voice.one_answer_per_person(frame)
    assert counted.height == 4
    assert counted.filter(pl.col("contact_id") == "c1")["score"].to_list() == [10]
    row = voice.summarise_nps(counted).row(0, named=True)
    assert row["responses"] == 4
    assert row["nps"] == pytest.approx(0.0)  # two promoters, two detractors
    # Per quarter (a trend), the same person counts once in each quarter.
    per_quarter = voice.one_answer_per_person(voice.with_quarter(frame), by=["quarter"])
    assert per_quarter.filter(pl.col("contact_id") == "c1").height == 2


def test_same_day_duplicates_keep_one_answer_whatever_the_input_order():
    rows = [("A1", "c1", "user", 2, D), ("A1", "c1", "user", 9, D)]
    forward = voice.one_answer_per_person(_frame(rows))
    backward = voice.one_answer_per_person(_frame(rows).reverse())
    assert forward["score"].to_list() == backward["score"].to_list() == [9]


def _latest_ranked(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Each person's latest answer as a rank of the day and ID picks it."""
    keys = ["contact_id", *by, "survey_type"]
    order = ["responded_on", "response_id"]
    scored = frame.filter(pl.col("score").is_not_null())
    latest = scored.filter(
        pl.col("contact_id").is_not_null()
        & (pl.struct(order).rank("ordinal", descending=True).over(keys) == 1)
    )
    anonymous = scored.filter(pl.col("contact_id").is_null())
    return pl.concat([latest, anonymous]).sort(order, nulls_last=True)


def _survey_export(seed: int, shape: str) -> pl.DataFrame:
    """Answers as survey tools export them: the same person on the same day,
    several survey types, anonymous answers, unscored rows; ``shape`` spoils
    the IDs or the days the way some exports do."""
    rng = np.random.default_rng(seed)
    count = 400
    frame = pl.DataFrame(
        {
            "response_id": [f"R{i:04d}" for i in rng.permutation(count)],
            "account_id": [f"A{i}" for i in rng.integers(0, 5, count)],
            "contact_id": [
                None if i == 0 else f"c{i}" for i in rng.integers(0, 40, count)
            ],
            "responded_on": [
                D + timedelta(days=int(i)) for i in rng.integers(0, 6, count)
            ],
            "score": [None if i == 11 else int(i) for i in rng.integers(0, 12, count)],
            "survey_type": rng.choice(["relationship", "touchpoint"], count).tolist(),
        }
    )
    if shape == "an ID twice":
        # an answer exported twice, its score corrected in the second copy: a
        # tie on day and ID, which the ranking breaks by place
        doubled = frame.filter(pl.col("contact_id").is_not_null()).head(3)
        frame = pl.concat(
            [frame, doubled.with_columns((10 - pl.col("score")).alias("score"))]
        )
    if shape == "a day missing":
        frame = frame.with_columns(
            pl.when(pl.int_range(pl.len()) % 50 == 3)
            .then(None)
            .otherwise(pl.col("responded_on"))
            .alias("responded_on")
        )
    return frame.with_columns(pl.col("score").cast(pl.Int64))


@pytest.mark.parametrize("shape", ["clean", "an ID twice", "a day missing"])
@pytest.mark.parametrize("by", [[], ["account_id"]])
@pytest.mark.parametrize("seed", range(3))
def test_the_latest_answer_is_the_one_a_rank_of_day_and_id_picks(seed, by, shape):
    frame = _survey_export(seed, shape)
    for given in (
        frame,
        frame.reverse(),
        frame.sample(fraction=1.0, seed=seed, shuffle=True),
    ):
        counted = voice.one_answer_per_person(given, by=by)
        assert counted.equals(_latest_ranked(given, by)), shape


def test_relationship_and_touchpoint_answers_are_kept_apart():
    frame = _frame(
        [("A1", "c1", "user", 0, D), ("A1", "c1", "user", 10, D + timedelta(days=1))]
    ).with_columns(pl.Series("survey_type", ["relationship", "touchpoint"]))
    assert voice.one_answer_per_person(frame).height == 2
    relationship = voice.of_survey_type(frame, "relationship")
    assert relationship["score"].to_list() == [0]
    assert voice.of_survey_type(frame, None).height == 2


# --- intervals ----------------------------------------------------------------------


def test_intervals_widen_as_samples_shrink():
    widths = []
    for copies in (20, 10, 4, 2, 1):
        scores = [10, 9, 8, 6, 0] * copies  # the same mix, fewer answers
        row = voice.summarise_nps(pl.DataFrame({"score": scores})).row(0, named=True)
        assert row["nps"] == pytest.approx(0.0)
        widths.append(row["nps_high"] - row["nps_low"])
    assert widths == sorted(widths)
    assert len(set(widths)) == len(widths)


def test_one_answer_has_a_wide_interval_that_holds_its_figure():
    for score, nps in ((0, -100.0), (8, 0.0), (10, 100.0)):
        row = voice.summarise_nps(pl.DataFrame({"score": [score]})).row(0, named=True)
        assert row["nps"] == nps
        assert row["nps_low"] <= nps <= row["nps_high"]
        assert row["nps_high"] - row["nps_low"] > 100
        assert row["too_few"]


def test_every_small_mix_lies_inside_its_interval_within_bounds():
    # Every composition of up to 12 answers: bounds within −100…100, figure inside.
    mixes = [
        (p, a, d)
        for n in range(1, 13)
        for p in range(n + 1)
        for a in range(n - p + 1)
        for d in [n - p - a]
    ]
    counts = pl.DataFrame(
        mixes, schema=["promoters", "passives", "detractors"], orient="row"
    )
    counts = counts.with_columns(
        (pl.col("promoters") + pl.col("passives") + pl.col("detractors")).alias(
            "responses"
        )
    ).with_columns(
        (
            100.0 * (pl.col("promoters") - pl.col("detractors")) / pl.col("responses")
        ).alias("nps")
    )
    shown = voice.with_interval(counts)
    assert (
        shown.filter(
            (pl.col("nps_low") > pl.col("nps"))
            | (pl.col("nps_high") < pl.col("nps"))
            | (pl.col("nps_low") < -100)
            | (pl.col("nps_high") > 100)
        ).height
        == 0
    )
    assert shown.filter(pl.col("too_few"))["responses"].max() == voice.MIN_RESPONSES - 1


def test_a_silent_group_has_no_interval():
    row = voice.summarise_nps(pl.DataFrame(schema={"score": pl.Int64})).row(
        0, named=True
    )
    assert row["nps"] is None and row["nps_low"] is None and row["nps_high"] is None


# --- role conflicts beyond noise ----------------------------------------------------


def test_shuffled_roles_flag_almost_nothing():
    flagged = tested = 0
    for seed in range(8):
        shuffled = _shuffled_roles(_null_portfolio(seed), seed)
        result = voice.role_conflict_tests(shuffled, seed=seed)
        tested += result.height
        flagged += int(result["flagged"].sum())
    assert tested == 8 * 40
    # Benjamini–Hochberg at 5 %: with no real conflict, any flag at all happens in
    # at most 5 % of portfolios; 320 accounts tested give at most one.
    assert flagged <= 1
    # The old rule (a gap above 70 points between roles of 3+ answers) on the same
    # shuffled data flags accounts in every portfolio.
    old_rule = voice.role_conflict_tests(
        _shuffled_roles(_null_portfolio(0, per_role=3), 0), min_responses=3
    ).filter(pl.col("gap") > 70)
    assert old_rule.height >= 4


def test_a_planted_conflict_with_enough_answers_is_flagged():
    planted = _frame(
        [("Z1", f"u{i}", "user", 3 + i % 3, D) for i in range(8)]
        + [("Z1", f"d{i}", "decider", 9 + i % 2, D) for i in range(8)]
        + [("Z1", f"i{i}", "influencer", (8, 9, 6)[i % 3], D) for i in range(6)]
    )
    portfolio = pl.concat([_null_portfolio(3), planted])
    conflicts = voice.role_conflicts(portfolio, gap_threshold=70)
    assert conflicts["account_id"].to_list() == ["Z1"]
    found = conflicts.row(0, named=True)
    assert (found["high_role"], found["low_role"]) == ("decider", "user")
    assert found["gap"] == pytest.approx(200.0)
    assert found["high_responses"] == found["low_responses"] == 8
    assert found["low_nps_high"] < found["high_nps_low"]  # the intervals part
    # Shuffling the same portfolio's roles within each account removes it.
    shuffled = voice.role_conflicts(_shuffled_roles(portfolio, 11), gap_threshold=70)
    assert "Z1" not in shuffled["account_id"].to_list()


def test_the_same_answers_give_the_same_p_values():
    portfolio = _null_portfolio(5, accounts=6)
    first = voice.role_conflict_tests(portfolio)
    again = voice.role_conflict_tests(portfolio)
    assert first["p_value"].to_list() == again["p_value"].to_list()


def test_one_answer_groups_never_drive_a_flag():
    # Each role one answer, at opposite ends: the widest gap there is, and no test.
    thin = _frame(
        [(f"T{a}", f"u{a}", "user", 0, D) for a in range(30)]
        + [(f"T{a}", f"d{a}", "decider", 10, D) for a in range(30)]
    )
    assert voice.role_conflict_tests(thin).height == 0
    assert (
        voice.role_conflict_tests(thin, min_responses=1, alpha=0.05)["flagged"].sum()
        == 0
    )
    # A role repeated by one person twice is still one answer.
    twice = _frame(
        [("T1", "u1", "user", 0, D + timedelta(days=i)) for i in range(6)]
        + [("T1", f"d{i}", "decider", 10, D) for i in range(6)]
    )
    assert voice.role_conflict_tests(twice).height == 0


def test_permutation_p_value_of_a_perfect_split_and_of_no_gap():
    rng = np.random.default_rng(1)
    values = np.array([1] * 8 + [-1] * 8)
    codes = np.array([0] * 8 + [1] * 8)
    every = np.ones(2, dtype=bool)
    split = voice.permutation_p_value(
        values, codes, every, every, permutations=4999, rng=rng
    )
    # Exact: 2 of C(16, 8) = 12,870 arrangements are as extreme.
    assert split == pytest.approx(1 / 5000, abs=3 / 5000)
    same = voice.permutation_p_value(
        np.array([1, -1] * 8), codes, every, every, permutations=999, rng=rng
    )
    assert same == 1.0


class _CountingGenerator:
    """A seeded generator that counts the shuffles drawn from it (rows of keys)."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.shuffles = 0

    def random(self, shape: tuple[int, int]) -> np.ndarray:
        self.shuffles += shape[0]
        return self.rng.random(shape)


def _exact_p_value(values: list[int], sizes: tuple[int, int]) -> float:
    """The exact p-value of the gap between two roles, over every arrangement."""
    from itertools import combinations

    def gap(first: list[int], second: list[int]) -> float:
        return abs(100 * sum(first) / len(first) - 100 * sum(second) / len(second))

    observed = gap(values[: sizes[0]], values[sizes[0] :])
    arrangements = list(combinations(range(len(values)), sizes[0]))
    at_least = 0
    for chosen in arrangements:
        first = [values[i] for i in chosen]
        second = [v for i, v in enumerate(values) if i not in chosen]
        at_least += gap(first, second) >= observed - 1e-9
    return at_least / len(arrangements)


def test_a_test_far_from_a_conflict_stops_early_and_estimates_the_exact_p_value():
    # Users a little happier than deciders: nothing like a conflict.
    values = [1, 1, 0, 0, -1, 1, 0, 0, -1, -1]
    exact = _exact_p_value(values, (5, 5))
    assert 0.2 < exact < 0.8
    codes = np.array([0] * 5 + [1] * 5)
    every = np.ones(2, dtype=bool)
    estimates = []
    for seed in range(30):
        counting = _CountingGenerator(seed)
        estimates.append(
            voice.permutation_p_value(
                np.array(values),
                codes,
                every,
                every,
                permutations=19999,
                rng=counting,  # type: ignore[arg-type]
            )
        )
        # twenty shuffles at least as wide come within the first batch or two
        assert counting.shuffles <= 64 + 256
    assert float(np.mean(estimates)) == pytest.approx(exact, rel=0.1)


def test_a_test_near_the_bar_draws_every_shuffle():
    counting = _CountingGenerator(1)
    values = np.array([1] * 8 + [-1] * 8)
    codes = np.array([0] * 8 + [1] * 8)
    every = np.ones(2, dtype=bool)
    p = voice.permutation_p_value(
        values,
        codes,
        every,
        every,
        permutations=4999,
        rng=counting,  # type: ignore[arg-type]
    )
    assert counting.shuffles == 4999
    assert p == pytest.approx(1 / 5000, abs=3 / 5000)


def test_sequential_p_values_are_valid_under_no_conflict():
    # A p-value is valid when, with no real difference, it falls at or under u in
    # at most a share u of tests. 600 accounts of two roles with random answers.
    rng = np.random.default_rng(7)
    every = np.ones(2, dtype=bool)
    codes = np.array([0] * 6 + [1] * 6)
    p_values = np.array(
        [
            voice.permutation_p_value(
                rng.integers(-1, 2, 12), codes, every, every, permutations=999, rng=rng
            )
            for _ in range(600)
        ]
    )
    for bar in (0.05, 0.1, 0.25):
        # three standard errors of a share of 600 above the bar
        assert (p_values <= bar).mean() <= bar + 3 * np.sqrt(bar * (1 - bar) / 600)


def test_benjamini_hochberg_by_hand():
    q = voice.benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.5]))
    # sorted 0.01, 0.03, 0.04, 0.5 → 0.04, 0.06, 0.0533, 0.5 → monotone from the top
    assert q.tolist() == pytest.approx([0.04, 0.0533333, 0.0533333, 0.5])


# --- the plan and the database -------------------------------------------------------


def test_a_one_answer_role_drives_no_plan_finding(con):
    with store.write_transaction(con) as cur:
        cur.execute("INSERT INTO accounts (account_id, name) VALUES ('A1', 'Acme')")
        cur.execute(
            """
            INSERT INTO contacts (contact_id, account_id, name, buying_role)
            SELECT 'U' || i, 'A1', 'User ' || i, 'user' FROM range(6) t(i)
            UNION ALL SELECT 'G1', 'A1', 'Gate Keeper', 'gatekeeper'
            """
        )
        cur.execute(
            """
            INSERT INTO nps_responses (response_id, account_id, contact_id,
                                       responded_on, score)
            SELECT 'R' || i, 'A1', 'U' || i, DATE '2026-05-01', 10 FROM range(6) t(i)
            UNION ALL SELECT 'RG', 'A1', 'G1', DATE '2026-05-01', 0
            """
        )
    situation = plans.build_situation(con, "A1", as_of=date(2026, 9, 30))
    part = situation.part("voice")
    assert part is not None
    by_role = {row[0]: row for row in part.tables[0].rows}
    columns = part.tables[0].columns
    gatekeeper = dict(zip(columns, by_role["gatekeeper"], strict=True))
    assert gatekeeper["nps"] is None and gatekeeper["basis"] == "too few answers"
    user = dict(zip(columns, by_role["user"], strict=True))
    assert user["nps"] == 100.0 and user["basis"] == "enough answers"
    facts = {f.label: f.value for f in part.facts}
    assert facts["Role conflicts beyond chance"] == 0
    drafts = plans.draft_sections(situation)
    assert "Role conflict" not in drafts["interact"]
    assert "gatekeeper" not in drafts["interact"].split("Ask for NPS")[0]


def test_older_files_get_the_survey_type_as_relationship(tmp_path):
    upgraded = older_database(
        tmp_path / "old.duckdb",
        8,
        "INSERT INTO nps_responses (response_id, account_id, score) VALUES ('R1', 'A1', 9)",
    )
    try:
        assert store.schema_version(upgraded) >= 12
        rows = store.nps_responses_enriched(upgraded)
        assert rows["survey_type"].to_list() == ["relationship"]
    finally:
        upgraded.close()


# --- survey type at import -----------------------------------------------------------


def test_survey_type_is_read_from_the_export_or_chosen_at_import(con):
    from workbench.api import Workbench
    from workbench.ingest import surveys

    con.execute("INSERT INTO accounts (account_id, name) VALUES ('A1', 'Acme GmbH')")
    con.execute(
        "INSERT INTO contacts (contact_id, account_id, email) VALUES "
        "('C1', 'A1', 'ann@acme.com'), ('C2', 'A1', 'bob@acme.com'), "
        "('C3', 'A1', 'cy@acme.com'), ('C4', 'A1', 'di@acme.com')"
    )
    contacts, accounts = store.survey_link_targets(con)
    data = (
        b"account,email,date,score,Survey type\n"
        b"A1,ann@acme.com,2026-01-02,4,Touchpoint (support case)\n"
        b"A1,bob@acme.com,2026-01-02,9,Relationship 2026\n"
        b"A1,cy@acme.com,2026-01-02,7,\n"
        b"A1,di@acme.com,2026-01-02,10,quarterly pulse\n"
    )
    result = surveys.read_survey_file("a.csv", data, contacts, accounts)
    assert result.columns["survey_type"] == "Survey type"
    assert result.responses["survey_type"].to_list() == [
        "touchpoint",
        "relationship",
        None,
        None,
    ]
    warnings = [p.message for p in result.problems if p.level == "warning"]
    assert any("'quarterly pulse'" in m for m in warnings)
    wb = Workbench(con)
    wb.commit_survey("a.csv", data, result, survey_type="touchpoint")
    stored = dict(
        con.sql("SELECT contact_id, survey_type FROM nps_responses").fetchall()
    )
    assert stored == {
        "C1": "touchpoint",
        "C2": "relationship",
        "C3": "touchpoint",
        "C4": "touchpoint",
    }
    # A type that is neither is refused, and nothing is written.
    with pytest.raises(RejectedInputError, match="survey type"):
        wb.commit_survey("b.csv", data, result, survey_type="pulse")
    assert con.sql("SELECT count(*) FROM nps_responses").fetchall()[0][0] == 4


def test_influence_weighted_nps_by_hand():
    frame = _frame(
        [
            ("A1", "d1", "decider", 10, D),  # influence 5
            ("A1", "u1", "user", 0, D),  # influence 1
            ("A2", "x1", "user", 0, D),  # influence unknown: weight 3
            ("A2", "x2", "user", 10, D),  # influence 1
        ]
    ).with_columns(pl.Series("influence", [5, 1, None, 1], dtype=pl.Int64))
    weighted = voice.influence_weighted_nps(frame).rows_by_key("account_id", named=True)
    a1 = weighted["A1"][0]
    assert a1["nps_by_influence"] == pytest.approx(100 * (5 - 1) / 6)
    assert a1["effective_responses"] == pytest.approx(36 / 26)
    assert a1["nps_by_influence_low"] <= a1["nps_by_influence"]
    assert a1["nps_by_influence"] <= a1["nps_by_influence_high"]
    assert weighted["A2"][0]["nps_by_influence"] == pytest.approx(100 * (1 - 3) / 4)
    accounts = pl.DataFrame({"account_id": ["A1", "A2"], "name": ["One", "Two"]})
    table = voice.nps_by_account(frame, accounts)
    assert table["nps"].to_list() == [0.0, 0.0]  # unweighted: one each way
    assert table["nps_by_influence"].to_list() == pytest.approx([200 / 3, -50.0])
