"""NPS analytics on hand-built frames: every expected number is computed by hand."""

from __future__ import annotations

import functools
from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.conftest import nps_response_frame
from tests.factories import load_frames, rows_frame
from workbench import charts, store
from workbench.analytics import voice

D = date(2026, 3, 1)


def _responses(rows: list[tuple]) -> pl.DataFrame:
    """Rows of (account, contact, role, score, day, comment, influence)."""
    return nps_response_frame(rows, with_people=True)


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([6, 7, 8, 9], 0.0),  # one promoter, one detractor, two passives
        ([9, 9, 7, 6], 25.0),  # (2 - 1) / 4
        ([10, 0], 0.0),
        ([6, 6, 6], -100.0),
        ([9, 10], 100.0),
        ([7, 8], 0.0),  # passives only: 0, not null
        ([8, 9, 9], 200 / 3),
        ([6], -100.0),
        ([], None),  # nobody answered: no score at all
    ],
)
def test_nps_score_boundaries(scores, expected):
    result = voice.nps_score(scores)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


def test_summarise_nps_counts_each_band_at_the_boundaries():
    frame = pl.DataFrame({"g": ["a"] * 5 + ["b"] * 2, "score": [6, 7, 8, 9, 10, 0, 6]})
    expected = pl.DataFrame(
        {
            "g": ["a", "b"],
            "responses": [5, 2],
            "promoters": [2, 0],
            "passives": [2, 0],
            "detractors": [1, 2],
            "nps": [20.0, -100.0],
        }
    )
    summary = voice.summarise_nps(frame, ["g"])
    assert_frame_equal(summary.select(expected.columns), expected)
    # Every NPS carries its interval and whether it rests on too few answers.
    assert summary["too_few"].to_list() == [False, True]
    assert (summary["nps_low"] <= summary["nps"]).all()
    assert (summary["nps"] <= summary["nps_high"]).all()


def test_summarise_nps_of_nothing_is_null_not_zero():
    empty = pl.DataFrame(schema={"score": pl.Int64})
    row = voice.summarise_nps(empty).row(0, named=True)
    assert row["responses"] == 0
    assert row["nps"] is None
    assert voice.overall_nps(empty)["nps"] is None


def test_nps_by_role_lists_every_role_and_nulls_the_silent_ones():
    frame = _responses(
        [
            ("A1", "c1", "user", 3, D, None, 2),
            ("A1", "c2", "user", 9, D, None, 2),
            ("A1", "c3", "decider", 10, D, None, 5),
            ("A1", "c4", None, 8, D, None, None),
        ]
    )
    by_role = voice.nps_by_role(frame)
    assert by_role["role"].to_list() == [*voice.BUYING_ROLES, voice.UNKNOWN_ROLE]
    values = dict(zip(by_role["role"], by_role["nps"], strict=True))
    counts = dict(zip(by_role["role"], by_role["responses"], strict=True))
    assert values["user"] == 0.0
    assert values["decider"] == 100.0
    assert values[voice.UNKNOWN_ROLE] == 0.0
    assert values["buyer"] is None
    assert counts["buyer"] == 0
    # Without role-less answers there is no "(no role)" row.
    assert voice.UNKNOWN_ROLE not in voice.nps_by_role(frame.head(3))["role"].to_list()


def test_nps_by_account_keeps_silent_accounts_and_names_missing_roles():
    frame = _responses(
        [
            ("A1", "c1", "decider", 9, D, None, 5),
            ("A1", "c2", "user", 6, D, None, 2),
            ("A1", "c3", "user", 7, D, None, 2),
        ]
    )
    accounts = pl.DataFrame({"account_id": ["A1", "A2"], "name": ["One", "Two"]})
    table = voice.nps_by_account(frame, accounts)
    first, second = table.to_dicts()
    assert first["nps"] == pytest.approx(0.0)
    assert first["responses"] == 3
    assert first["roles_heard"] == ["user", "decider"]
    assert "decider" not in first["roles_missing"]
    assert len(first["roles_missing"]) == 5
    assert second["responses"] == 0
    assert second["nps"] is None
    assert second["roles_missing"] == list(voice.BUYING_ROLES)
    assert voice.accounts_heard(table) == 1


CONFLICT_ROWS = [
    # A1: users -100 (3 answers), deciders +100 (3), approvers 0 (2 answers only)
    ("A1", "u1", "user", 3, D, "nobody asked our engineers", 2),
    ("A1", "u2", "user", 4, D, None, 2),
    ("A1", "u3", "user", 5, D, "slow support", 2),
    ("A1", "d1", "decider", 9, D, "great partner", 5),
    ("A1", "d2", "decider", 10, D, None, 5),
    ("A1", "d3", "decider", 9, D, None, 5),
    ("A1", "p1", "approver", 8, D, "fine", 4),
    ("A1", "p2", "approver", 8, D, None, 4),
    # A2: users 0 (9, 6, 8), deciders +66.7 (9, 9, 7): gap 66.7
    ("A2", "u4", "user", 9, D, None, 2),
    ("A2", "u5", "user", 6, D, None, 2),
    ("A2", "u6", "user", 8, D, None, 2),
    ("A2", "d4", "decider", 9, D, None, 5),
    ("A2", "d5", "decider", 9, D, None, 5),
    ("A2", "d6", "decider", 7, D, None, 5),
]


def test_role_conflicts_hand_computed_gaps():
    # The gaps and the threshold, with the chance test switched off (alpha 1):
    # three answers a side cannot pass it (see test_voice_uncertainty).
    frame = _responses(CONFLICT_ROWS)
    gaps = functools.partial(voice.role_conflicts, alpha=1.0)
    wide = gaps(frame, gap_threshold=100, min_responses=3)
    assert wide.select("account_id", "high_role", "low_role", "gap").to_dicts() == [
        {"account_id": "A1", "high_role": "decider", "low_role": "user", "gap": 200.0}
    ]
    both = gaps(frame, gap_threshold=50, min_responses=3)
    assert both["account_id"].to_list() == ["A1", "A2"]
    assert both["gap"].to_list() == pytest.approx([200.0, 200 / 3])
    assert both["high_responses"].to_list() == [3, 3]
    # The threshold is strict, and roles need enough answers each.
    assert gaps(frame, gap_threshold=200, min_responses=3).height == 0
    assert gaps(frame, gap_threshold=0, min_responses=4).height == 0
    # Approvers have only two answers: at min 2 they join, but the widest gap stays.
    with_approvers = gaps(frame, gap_threshold=50, min_responses=2)
    assert with_approvers["gap"].to_list()[0] == 200.0
    # A chosen pair: approvers against users in A1 is a gap of 100.
    pair = gaps(
        frame,
        gap_threshold=50,
        min_responses=2,
        roles_a=["user"],
        roles_b=["approver"],
    )
    assert pair.select("account_id", "high_role", "gap").rows() == [
        ("A1", "approver", 100.0)
    ]


def test_conflict_comments_come_from_the_two_roles_only():
    frame = _responses(CONFLICT_ROWS)
    conflicts = voice.role_conflicts(
        frame, gap_threshold=100, min_responses=3, alpha=1.0
    )
    comments = voice.conflict_comments(frame, conflicts)
    assert sorted(comments["comment"].to_list()) == [
        "great partner",
        "nobody asked our engineers",
        "slow support",
    ]
    assert set(comments["side"]) == {"high", "low"}


def test_conflict_comments_leave_out_accounts_not_in_conflict():
    # A3 has the same roles, commented, but is no conflict: its comments stay out
    rows = [
        *CONFLICT_ROWS,
        ("A3", "u7", "user", 2, D, "not ours to judge", 2),
        ("A3", "d7", "decider", 10, D, "also not", 5),
    ]
    frame = _responses(rows)
    conflicts = voice.role_conflicts(
        frame, gap_threshold=100, min_responses=3, alpha=1.0
    )
    assert conflicts["account_id"].to_list() == ["A1"]
    comments = voice.conflict_comments(frame, conflicts)
    assert set(comments["account_id"]) == {"A1"}
    assert "not ours to judge" not in comments["comment"].to_list()
    none = voice.conflict_comments(frame, conflicts.clear())
    assert none.height == 0
    assert none.columns == comments.columns


def test_latest_score_per_contact_uses_the_newest_answer():
    frame = _responses(
        [
            ("A1", "c1", "decider", 3, date(2025, 1, 1), "old anger", 5),
            ("A1", "c1", "decider", 9, date(2026, 1, 1), "better now", 5),
            ("A1", "c2", "user", 9, date(2026, 1, 1), None, 2),
            ("A1", "c2", "user", 5, date(2026, 1, 1), None, 2),  # same day, later ID
            ("A1", None, None, 0, date(2026, 1, 1), None, None),
        ]
    )
    latest = voice.latest_score_per_contact(frame)
    assert latest.select("contact_id", "score", "band", "is_detractor").rows() == [
        ("c1", 9, "promoter", False),
        ("c2", 5, "detractor", True),
    ]


def test_risky_detractors_are_deciders_approvers_or_influential():
    frame = _responses(
        [
            ("A1", "dec", "decider", 5, D, "too expensive", 2),
            ("A1", "inf", "user", 6, D, None, 4),
            ("A1", "low", "user", 2, D, None, 3),  # angry but little say
            ("A1", "app", "approver", 7, D, None, 5),  # a passive, not a detractor
            ("A1", "was", "decider", 3, date(2025, 1, 1), None, 5),
            ("A1", "was", "decider", 9, D, None, 5),  # recovered
        ]
    )
    risky = voice.risky_detractors(frame)
    assert risky.select("contact_id", "score", "why").rows() == [
        ("dec", 5, "decider"),
        ("inf", 6, "influence 4"),
    ]
    assert risky["comment"].to_list() == ["too expensive", None]


def test_search_comments_is_literal_case_insensitive_and_filters_roles():
    frame = _responses(
        [
            ("A1", "c1", "user", 3, D, "Price (list) too HIGH", 2),
            ("A1", "c2", "buyer", 9, D, "price is fair", 2),
            ("A1", "c3", None, 5, D, "<script>alert(1)</script>", None),
            ("A1", "c4", "user", 5, D, None, 2),
            ("A1", "c5", "user", 5, D, "  ", 2),
        ]
    )
    assert voice.search_comments(frame).height == 3
    assert voice.search_comments(frame, "PRICE")["score"].to_list() == [3, 9]
    assert voice.search_comments(frame, "(list)")["score"].to_list() == [3]
    assert voice.search_comments(frame, ".*").height == 0
    assert voice.search_comments(frame, "price", ["buyer"])["score"].to_list() == [9]
    unknown = voice.search_comments(frame, "", [voice.UNKNOWN_ROLE])
    assert unknown["comment"].to_list() == ["<script>alert(1)</script>"]


def test_bucket_labels_and_nps_per_bucket():
    label, order = voice.bucket_by_edges(pl.col("x"), [10, 50], "h")
    frame = pl.DataFrame({"x": [0.0, 10.0, 49.9, 50.0, None]})
    labelled = frame.select(label.alias("bucket"), order.alias("order"))
    assert labelled["bucket"].to_list() == [
        "< 10 h",
        "10–50 h",
        "10–50 h",
        "≥ 50 h",
        "none",
    ]
    assert labelled["order"].to_list() == [0, 1, 1, 2, 3]
    responses = _responses(
        [
            ("A1", "c1", "user", 9, D, None, 2),
            ("A1", "c2", "user", 6, D, None, 2),
            ("A2", "c3", "user", 10, D, None, 2),
            ("A3", "c4", "user", 8, D, None, 2),
        ]
    )
    signals = pl.DataFrame(
        {"account_id": ["A1", "A2", "A3"], "departments_engaged": [1, 3, 12]}
    )
    table = voice.nps_by_bucket(responses, voice.breadth_buckets(signals))
    assert table.select("bucket", "accounts", "responses", "nps").rows() == [
        ("< 2 departments", 1, 2, 0.0),
        ("2–4 departments", 1, 1, 100.0),
        ("≥ 10 departments", 1, 1, 0.0),
    ]


def test_freshness_and_relationship_buckets():
    responses = _responses(
        [("A1", "c1", "user", 9, D, None, 2), ("A2", "c2", "user", 3, D, None, 2)]
    ).with_columns(pl.Series("days_since_touch", [12, None]))
    fresh = voice.nps_by_bucket(
        responses, voice.freshness_buckets(responses), key="response_id"
    )
    assert fresh.select("bucket", "nps").rows() == [
        ("< 30 days", 100.0),
        ("never touched", -100.0),
    ]
    kinds = pl.DataFrame(
        {"account_id": ["A1", "A2"], "relationship": ["transactional", "partnership"]}
    )
    by_kind = voice.nps_by_bucket(responses, voice.relationship_buckets(kinds))
    assert by_kind.select("bucket", "nps").rows() == [
        ("partnership", -100.0),
        ("transactional", 100.0),
    ]


def _joined_by_bucket(
    responses: pl.DataFrame, buckets: pl.DataFrame, key: str
) -> list[tuple]:
    """The figures per bucket as the plain join of every column gives them."""
    joined = responses.join(
        buckets.select(key, "bucket", "bucket_order"), on=key, how="inner"
    )
    return sorted(
        joined.group_by("bucket")
        .agg(
            pl.col("account_id").n_unique().alias("accounts"),
            pl.len().alias("responses"),
            (pl.col("score") >= 9).sum().alias("promoters"),
            (pl.col("score") <= 6).sum().alias("detractors"),
        )
        .rows()
    )


@pytest.mark.parametrize(
    "case", ["own rows", "shuffled", "a key twice", "a key missing", "a null key"]
)
def test_response_buckets_counted_as_the_join_counts_them(case):
    # an answer's own bucket is put beside it; anything else (another order, a
    # key twice or missing) is joined, and both count what the join counts
    responses = _responses(
        [
            ("A1", "c1", "user", 9, D, None, 2),
            ("A1", "c2", "buyer", 3, D, None, 2),
            ("A2", "c3", "user", 10, D, None, 2),
            ("A3", "c4", "decider", 7, D, None, 2),
            ("A3", "c5", "user", 0, D, None, 2),
        ]
    ).with_columns(pl.Series("days_since_touch", [12, None, 40, 400, 12]))
    if case == "a key twice":
        responses = responses.with_columns(
            pl.Series("response_id", ["R1", "R1", "R2", "R3", "R4"])
        )
    if case == "a null key":
        responses = responses.with_columns(
            pl.Series("response_id", ["R1", None, "R2", "R3", "R4"])
        )
    buckets = voice.freshness_buckets(responses)
    if case == "shuffled":
        buckets = buckets.reverse()
    if case == "a key missing":
        buckets = buckets.head(4)
    table = voice.nps_by_bucket(responses, buckets, key="response_id")
    counted = sorted(
        table.select(
            "bucket", "accounts", "responses", "promoters", "detractors"
        ).rows()
    )
    assert counted == _joined_by_bucket(responses, buckets, "response_id")
    assert (
        table.get_column("responses").sum()
        == {
            "own rows": 5,
            "shuffled": 5,
            "a key twice": 7,  # R1's two answers each joined to R1's two buckets
            "a key missing": 4,
            "a null key": 4,
        }[case]
    )


def test_effort_buckets_cut_at_quartiles():
    hours = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0]
    signals = pl.DataFrame(
        {"account_id": [f"A{i}" for i in range(8)], "effort_hours_12m": hours}
    )
    # Quartiles 27.5, 45, 62.5 rounded to whole hours: two accounts per bucket.
    assert voice.effort_buckets(signals)["bucket"].to_list() == [
        "< 28 h/year",
        "< 28 h/year",
        "28–45 h/year",
        "28–45 h/year",
        "45–62 h/year",
        "45–62 h/year",
        "≥ 62 h/year",
        "≥ 62 h/year",
    ]
    assert voice.quartile_edges(pl.Series([5.0, 5.0, 5.0, 5.0])) == []


def test_periods_quarters_and_cli_rows():
    assert voice.period_start(date(2026, 9, 25), 4) == date(2025, 10, 1)
    assert voice.period_start(date(2026, 2, 1), 1) == date(2026, 1, 1)
    assert voice.period_start(date(2026, 2, 1), None) is None
    frame = _responses(
        [
            ("A1", "c1", "user", 9, date(2025, 12, 31), None, 2),
            ("A1", "c2", "decider", 3, date(2026, 1, 1), None, 5),
        ]
    )
    assert voice.with_quarter(frame)["quarter"].to_list() == ["2025-Q4", "2026-Q1"]
    assert voice.responses_since(frame, date(2026, 1, 1)).height == 1
    rows = voice.nps_rows_for_cli(frame)
    assert rows.select("account_id", "role", "responses", "nps").rows() == [
        ("A1", "all", 2, 0.0),
        ("A1", "decider", 1, -100.0),
        ("A1", "user", 1, 100.0),
    ]
    assert rows["too_few"].to_list() == [True, True, True]
    by_quarter = voice.nps_rows_for_cli(frame, by="quarter")
    assert by_quarter["quarter"].to_list() == ["all", "2025-Q4", "2026-Q1"]
    trend = voice.quarterly_trend(frame, by_role=True)
    assert trend.select("quarter", "role", "nps").rows() == [
        ("2025-Q4", "user", 100.0),
        ("2026-Q1", "decider", -100.0),
    ]


def test_account_role_matrix_has_a_column_per_role():
    matrix = voice.account_role_matrix(_responses(CONFLICT_ROWS))
    assert matrix.columns[:4] == ["account_id", "account_name", "responses", "nps"]
    assert matrix.columns[4:] == list(voice.BUYING_ROLES)
    first = matrix.row(0, named=True)
    assert (first["user"], first["decider"], first["approver"]) == (-100.0, 100.0, 0.0)
    assert first["buyer"] is None
    # the per-role rows a caller has already give the same matrix
    by_role = voice.nps_by_account_role(_responses(CONFLICT_ROWS))
    given = voice.account_role_matrix(_responses(CONFLICT_ROWS), by_role)
    assert given.equals(matrix)


def test_role_bars_chart_encodes_existing_fields():
    by_role = voice.nps_by_role(_responses(CONFLICT_ROWS))
    spec = charts.role_bars(by_role).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["field"] == "nps"
    assert spec["encoding"]["y"]["field"] == "role"
    trend = charts.trend_lines(voice.quarterly_trend(_responses(CONFLICT_ROWS)))
    assert trend.to_dict()["encoding"]["x"]["field"] == "quarter"


def test_store_enriches_responses_with_level_and_last_touch(con):
    load_frames(
        con,
        {
            "accounts": rows_frame("account_id name", ("A1", "Acme")),
            "contacts": rows_frame(
                "contact_id account_id name buying_role influence department "
                "reports_to_id",
                ("boss", "A1", "Boss", "decider", 5, "Executive", None),
                ("mid", "A1", "Mid", "influencer", 3, "Engineering", "boss"),
                ("low", "A1", "Low", "user", 1, "Production", "mid"),
            ),
            "activities": rows_frame(
                "activity_id account_id contact_id activity_date duration_minutes",
                ("a1", "A1", "low", date(2026, 1, 1), 60),
                ("a2", "A1", "low", date(2026, 3, 1), 60),
                ("a3", "A1", "mid", date(2026, 2, 1), 120),
            ),
            "nps_responses": rows_frame(
                "response_id account_id contact_id responded_on score",
                ("r1", "A1", "low", date(2026, 2, 10), 4),
                ("r2", "A1", "boss", date(2026, 2, 10), 10),
                ("r3", "A1", "mid", date(2026, 2, 11), 8),
            ),
        },
    )
    enriched = store.nps_responses_enriched(con).sort("response_id")
    assert enriched.select("contact_id", "org_level", "days_since_touch").rows() == [
        ("low", 3, 40),  # touched 2026-01-01; the March visit came after the answer
        ("boss", 1, None),  # never touched before answering
        ("mid", 2, 10),
    ]
    assert enriched["account_name"].to_list() == ["Acme"] * 3
    assert enriched["buying_role"].to_list() == ["user", "decider", "influencer"]
    signals = store.voice_account_signals(con).row(0, named=True)
    assert signals["departments_engaged"] == 2
    assert signals["effort_hours_12m"] == pytest.approx(4.0)
    assert signals["days_since_last_touch"] == 0
    # The answers alone: the same rows, in the same order, without the context
    # (what the follow-ups read: no reporting tree, no last touch).
    answers = store.nps_answers(con)
    everything = store.nps_responses_enriched(con)
    assert answers.columns == [
        c for c in everything.columns if c not in ("org_level", "days_since_touch")
    ]
    assert answers.equals(everything.select(answers.columns))
    assert everything.columns[9] == "org_level"  # after the person's influence
    assert everything.columns[-1] == "days_since_touch"


def test_answers_read_apart_from_their_context_never_take_anothers(con):
    # The app keeps the answers and reads their context later: an answer written
    # between the two reads gets no context, and no answer gets another's.
    load_frames(
        con,
        {
            "accounts": rows_frame("account_id name", ("A1", "Acme")),
            "contacts": rows_frame(
                "contact_id account_id name reports_to_id",
                ("boss", "A1", "Boss", None),
                ("low", "A1", "Low", "boss"),
            ),
            "activities": rows_frame(
                "activity_id account_id contact_id activity_date",
                ("a1", "A1", "low", date(2026, 1, 1)),
            ),
            "nps_responses": rows_frame(
                "response_id account_id contact_id responded_on score",
                ("r2", "A1", "low", date(2026, 2, 1), 4),
                ("r1", "A1", "boss", date(2026, 2, 1), 9),
                ("r3", "A1", None, date(2026, 2, 2), 5),
                ("r4", "A1", "low", None, 6),
            ),
        },
    )
    answers = store.nps_answers(con)
    con.execute(
        "INSERT INTO nps_responses (response_id, account_id, contact_id, "
        "responded_on, score) VALUES ('r0', 'A1', 'low', DATE '2026-01-15', 7)"
    )
    context = store.nps_answer_context(con)
    assert sorted(context["response_id"]) == ["r0", "r1", "r2", "r3", "r4"]
    enriched = store.with_answer_context(answers, context)
    # the answers' order (by day, then ID; no day last), each with its own context
    assert enriched.select("response_id", "org_level", "days_since_touch").rows() == [
        ("r1", 1, None),
        ("r2", 2, 31),
        ("r3", None, None),
        ("r4", 2, None),
    ]


def test_account_names_and_one_account():
    accounts = pl.DataFrame({"account_id": ["B", "A"], "name": ["Beta", None]})
    assert voice.account_names(accounts) == {"A": "A", "B": "Beta"}
    frame = _responses(CONFLICT_ROWS)
    assert set(voice.responses_for_account(frame, "A2")["account_id"]) == {"A2"}
    assert voice.responses_for_account(frame, "nope").height == 0
