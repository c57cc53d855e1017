"""Account plans' versions: each save a new one, the concurrent-edit refusal."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest

from tests.plans_seed import ANNA, BEN, VERA, full_plan, seed
from workbench import plans, store
from workbench.domain import Actor
from workbench.errors import PermissionDeniedError, RejectedInputError

# --- versions and the never-lost rules --------------------------------------------


def _versions(con: store.Connection, account_id: str = "A1") -> list[int]:
    return plans.plan_history(con, account_id)["version"].to_list()


def test_every_save_is_a_new_version_with_who_and_when(seeded):
    first = plans.save_plan(
        seeded, ANNA, full_plan(text="v1"), based_on=0, now=datetime(2026, 1, 1, 9)
    )
    second = plans.save_plan(
        seeded, BEN, full_plan(text="v2"), based_on=1, now=datetime(2026, 1, 2, 9)
    )
    assert (first.version, second.version) == (1, 2)
    history = plans.plan_history(seeded, "A1")
    assert history["version"].to_list() == [2, 1]
    assert history["saved_by"].to_list() == ["ben", "anna"]
    assert history["based_on"].to_list() == [1, 0]
    assert history["saved_at"].to_list() == [
        datetime(2026, 1, 2, 9),
        datetime(2026, 1, 1, 9),
    ]
    current = plans.load_plan(seeded, "A1")
    assert current is not None and current.plan.identify == "v2"
    old = plans.load_plan(seeded, "A1", 1)
    assert old is not None and old.plan.identify == "v1" and old.saved_by == "anna"
    # the lines of each version stay queryable
    lines = store.query_frame(
        seeded, "SELECT version, count(*) AS n FROM plan_actions GROUP BY 1 ORDER BY 1"
    )
    assert lines.rows() == [(1, 2), (2, 2)]


def test_second_save_on_the_same_version_is_refused_and_its_text_kept(seeded):
    plans.save_plan(seeded, ANNA, full_plan(text="base"), based_on=0)
    plans.save_plan(seeded, ANNA, full_plan(text="anna's edit"), based_on=1)
    bens = full_plan(text="ben's edit")
    with pytest.raises(plans.PlanConflictError) as refused:
        plans.save_plan(seeded, BEN, bens, based_on=1)
    error = refused.value
    assert error.mine.identify == "ben's edit"
    assert (error.based_on, error.current_version, error.saved_by) == (1, 2, "anna")
    message = str(error)
    assert "anna saved version 2" in message and "Your text is kept" in message
    assert _versions(seeded) == [2, 1]
    current = plans.load_plan(seeded, "A1")
    assert current is not None and current.plan.identify == "anna's edit"
    # after merging on top of version 2, the save goes through as version 3
    merged = plans.save_plan(seeded, BEN, error.mine, based_on=2)
    assert merged.version == 3


def test_first_plans_saved_twice_from_empty_conflict(seeded):
    plans.save_plan(seeded, ANNA, full_plan(text="anna"), based_on=0)
    with pytest.raises(
        plans.PlanConflictError, match="after you started from an empty"
    ):
        plans.save_plan(seeded, BEN, full_plan(text="ben"), based_on=0)


def test_based_on_a_version_that_does_not_exist_is_rejected(seeded):
    with pytest.raises(RejectedInputError, match="no version 4"):
        plans.save_plan(seeded, ANNA, full_plan(), based_on=4)
    assert _versions(seeded) == []


def test_concurrent_saves_on_one_version_let_exactly_one_through(seeded):
    plans.save_plan(seeded, ANNA, full_plan(text="base"), based_on=0)
    writers = 6
    barrier = threading.Barrier(writers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def save(index: int) -> None:
        barrier.wait()
        try:
            plans.save_plan(
                seeded,
                Actor(f"user{index}", "analyst"),
                full_plan(text=f"{index}"),
                based_on=1,
            )
            result = "saved"
        except plans.PlanConflictError:
            result = "refused"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * (writers - 1) + ["saved"]
    assert _versions(seeded) == [2, 1]


def test_failed_save_leaves_the_previous_version_intact(seeded, monkeypatch):
    plans.save_plan(seeded, ANNA, full_plan(text="safe"), based_on=0)
    data_version = store.data_version(seeded)

    def fail_mid_way(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    # the version row is inserted first; the failure comes while writing its lines
    monkeypatch.setattr(store, "insert_plan_lines", fail_mid_way)
    with pytest.raises(OSError, match="disk full"):
        plans.save_plan(seeded, ANNA, full_plan(text="lost?"), based_on=1)
    assert _versions(seeded) == [1]
    current = plans.load_plan(seeded, "A1")
    assert current is not None and current.plan.identify == "safe"
    assert store.data_version(seeded) == data_version
    lines = store.query_frame(seeded, "SELECT DISTINCT version FROM plan_actions")
    assert lines["version"].to_list() == [1]


def test_an_old_version_can_be_made_current_again_without_losing_any(seeded):
    plans.save_plan(seeded, ANNA, full_plan(text="good"), based_on=0)
    plans.save_plan(seeded, BEN, full_plan(text="worse"), based_on=1)
    restored = plans.restore_version(seeded, ANNA, "A1", 1, based_on=2)
    assert (restored.version, restored.plan.identify) == (3, "good")
    assert _versions(seeded) == [3, 2, 1]
    with pytest.raises(plans.PlanConflictError):
        plans.restore_version(seeded, BEN, "A1", 2, based_on=2)
    with pytest.raises(RejectedInputError, match="no plan version 9"):
        plans.restore_version(seeded, ANNA, "A1", 9, based_on=3)


def test_segments_are_recomputed_after_the_data_changes(tmp_path):
    seeded = store.connect(tmp_path / "w.duckdb")
    seed(seeded)
    day = date(2026, 9, 30)
    before = plans.build_situation(seeded, "A1", as_of=day).part("segment")
    with store.write_transaction(seeded) as cur:
        cur.execute(
            "INSERT INTO opportunities (opportunity_id, account_id, amount, "
            "close_date, is_closed, is_won) "
            "VALUES ('O9', 'A1', 100000, DATE '2026-09-01', true, true)"
        )
    after = plans.build_situation(seeded, "A1", as_of=day).part("segment")
    won = "Won revenue, last 12 months"
    assert {f.label: f.value for f in before.facts}[won] == 1000
    assert {f.label: f.value for f in after.facts}[won] == 101000
    seeded.close()


def test_viewers_cannot_save(seeded):
    with pytest.raises(PermissionDeniedError, match="viewer"):
        plans.save_plan(seeded, VERA, full_plan(), based_on=0)
    assert _versions(seeded) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: setattr(p, "status", "final"), "status must be one of"),
        (lambda p: setattr(p.actions[0], "action", "  "), "actions row 1, action"),
        (lambda p: setattr(p.actions[1], "contact", ""), "actions row 2, contact"),
        (lambda p: setattr(p.risks[0], "severity", "huge"), "risks row 1, severity"),
        (lambda p: setattr(p.objectives[0], "status", "x"), "objectives row 1"),
        (lambda p: setattr(p, "relationship", "friends"), "relationship must be"),
        (lambda p: setattr(p, "identify", "x" * 20_001), "identify: longer than"),
    ],
)
def test_invalid_plans_are_rejected_and_change_nothing(seeded, change, message):
    plan = full_plan()
    change(plan)
    with pytest.raises(RejectedInputError, match=message):
        plans.save_plan(seeded, ANNA, plan, based_on=0)
    assert _versions(seeded) == []
