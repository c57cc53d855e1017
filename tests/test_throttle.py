"""The sign-in throttle: per user name, per client address, for everyone; kept in
the database so that neither a browser's "clear cache" nor a restart forgets it."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import duckdb
import pytest

from workbench import store
from workbench.throttle import (
    FailureWindow,
    Ledger,
    MemoryLedger,
    Refusal,
    SignInThrottle,
    ThrottleLimits,
)

if TYPE_CHECKING:
    from collections.abc import Iterator


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["memory", "database"])
def ledger(request: pytest.FixtureRequest) -> Iterator[Ledger]:
    """Each rule holds over both ledgers: the list in memory and the database's."""
    if request.param == "memory":
        yield MemoryLedger()
        return
    con = store.connect(":memory:")
    yield store.SignInLedger(con)
    con.close()


def _fail(throttle: SignInThrottle, user: str, address: str, times: int) -> None:
    for _ in range(times):
        assert throttle.check(user, address) is None
        throttle.record_failure(user, address)


def test_a_user_name_pauses_after_five_failures_and_the_pause_doubles(clock, ledger):
    limits = ThrottleLimits()
    throttle = SignInThrottle(ledger, clock=clock, limits=limits)
    # Five wrong passwords are free, from several addresses (none of them locks).
    for i in range(5):
        _fail(throttle, "Vera", f"10.0.0.{i}", 1)
    assert throttle.check("vera ", "10.0.1.1") == Refusal("user", 15.0)
    assert throttle.check("anna", "10.0.1.1") is None  # only that user name
    clock.now += 15
    _fail(throttle, "VERA", "10.0.0.9", 1)
    assert throttle.check("vera", "10.0.1.1") == Refusal("user", 30.0)


def test_the_user_pause_is_capped_so_an_outsider_cannot_keep_an_admin_out(
    clock, ledger
):
    throttle = SignInThrottle(ledger, clock=clock)
    pauses = []
    for i in range(20):  # each from a fresh address, waiting out every pause
        refusal = throttle.check("admin", f"192.0.2.{i}")
        if refusal is not None:
            clock.now += refusal.seconds
        throttle.record_failure("admin", f"192.0.2.{i}")
        refusal = throttle.check("admin", "198.51.100.1")
        pauses.append(refusal.seconds if refusal else 0.0)
    assert pauses[:4] == [0.0, 0.0, 0.0, 0.0]
    assert pauses[4:10] == [15.0, 30.0, 60.0, 120.0, 240.0, 300.0]
    # However long it goes on, no pause is longer than five minutes.
    assert max(pauses) == 300.0
    # Five minutes after the last wrong password the admin may try again.
    clock.now += 300
    assert throttle.check("admin", "198.51.100.1") is None


@pytest.mark.parametrize(
    ("reason", "failures", "window", "address_of", "unaffected"),
    [
        # One address spraying many user names locks itself first; another
        # address, and the names it guessed, are not affected.
        ("address", 10, 900, lambda i: "203.0.113.7", ("guess0", "198.51.100.1")),
        # A spray from many addresses meets the limit for everyone.
        ("everyone", 60, 60, lambda i: f"10.1.{i // 250}.{i % 250}", None),
    ],
)
def test_a_spray_of_wrong_passwords_meets_its_limit(
    clock, ledger, reason, failures, window, address_of, unaffected
):
    throttle = SignInThrottle(ledger, clock=clock)
    for i in range(failures):
        _fail(throttle, f"guess{i}", address_of(i), 1)
    refusal = throttle.check("guess99", address_of(failures))
    assert refusal is not None and refusal.reason == reason
    assert refusal.seconds == pytest.approx(window)
    if unaffected is not None:
        assert throttle.check(*unaffected) is None
    clock.now += window + 1
    assert throttle.check("guess99", address_of(failures)) is None


def test_hammering_a_paused_user_name_counts_against_the_address(clock, ledger):
    throttle = SignInThrottle(ledger, clock=clock)
    _fail(throttle, "admin", "203.0.113.7", 5)
    for _ in range(5):  # refused without checking a password: the name is paused
        refusal = throttle.check("admin", "203.0.113.7")
        assert refusal is not None and refusal.reason == "user"
    refusal = throttle.check("admin", "203.0.113.7")
    assert refusal is not None and refusal.reason == "address"
    # The refusals did not lengthen the admin's own pause (still 15 s from the
    # fifth wrong password), and the admin's own address is open.
    clock.now += 16
    assert throttle.check("admin", "198.51.100.1") is None


def test_a_correct_password_forgets_the_user_name_not_the_address(clock, ledger):
    throttle = SignInThrottle(ledger, clock=clock)
    _fail(throttle, "vera", "203.0.113.7", 5)
    throttle.record_success("vera")
    assert throttle.check("vera", "198.51.100.1") is None
    _fail(throttle, "other", "203.0.113.7", 4)
    _fail(throttle, "vera", "203.0.113.7", 1)  # ten from this address in all
    refusal = throttle.check("vera", "203.0.113.7")
    assert refusal is not None and refusal.reason == "address"


def test_failures_persist_in_the_database_across_connections(tmp_path, clock):
    path = tmp_path / "workbench.duckdb"
    con = store.connect(path)
    version_before = store.data_version(con)
    throttle = SignInThrottle(store.SignInLedger(con), clock=clock)
    _fail(throttle, "admin", "203.0.113.7", 5)
    # Failed sign-ins change no data: cached analytics stay valid.
    assert store.data_version(con) == version_before
    con.close()

    # A new connection (a restart, or the app's cache cleared) sees them all.
    con = store.connect(path)
    throttle = SignInThrottle(store.SignInLedger(con), clock=clock)
    assert throttle.check("admin", "198.51.100.1") == Refusal("user", 15.0)
    throttle.record_success("admin")
    assert throttle.check("admin", "198.51.100.1") is None
    # Five wrong passwords and one refusal (which counts against its address).
    assert (
        len(store.recent_sign_in_failures(con, FailureWindow(since=0, limit=100))) == 6
    )
    con.close()


def test_old_failures_are_pruned_when_new_ones_arrive(clock):
    con = store.connect(":memory:")
    throttle = SignInThrottle(store.SignInLedger(con), clock=clock)
    _fail(throttle, "vera", "203.0.113.7", 3)
    clock.now += 3600
    _fail(throttle, "anna", "203.0.113.8", 1)
    assert store.recent_sign_in_failures(con, FailureWindow(since=0, limit=100)) == [
        clock.now
    ]


def test_hostile_text_in_a_user_name_is_stored_as_text(clock):
    con = store.connect(":memory:")
    throttle = SignInThrottle(store.SignInLedger(con), clock=clock)
    name = "x'); DROP TABLE accounts; --"
    _fail(throttle, name, "203.0.113.7", 5)
    assert throttle.check(name, "198.51.100.1") == Refusal("user", 15.0)
    assert "accounts" in store.catalog_tables(con)


def test_a_version_8_database_gains_the_sign_in_table(tmp_path):
    path = tmp_path / "old.duckdb"
    raw = duckdb.connect(str(path))
    store.migrate(raw, target=8)
    assert "sign_in_failures" not in store.catalog_tables(raw)
    raw.close()
    con = store.connect(path)
    assert store.schema_version(con) == store.MIGRATIONS[-1].version
    assert store.recent_sign_in_failures(con, FailureWindow(since=0, limit=1)) == []
    con.close()


def test_a_sign_in_failure_does_not_wait_for_a_long_import(tmp_path, clock):
    con = store.connect(tmp_path / "workbench.duckdb")
    throttle = SignInThrottle(store.SignInLedger(con), clock=clock)
    finished = threading.Event()

    def sign_in_elsewhere() -> None:
        throttle.record_failure("vera", "203.0.113.7")
        finished.set()

    with store.write_transaction(con) as cur:  # an import holding the writer
        cur.execute("INSERT INTO workbench_meta VALUES ('import', 'running')")
        other = threading.Thread(target=sign_in_elsewhere)
        other.start()
        assert finished.wait(10), "the sign-in waited for the data writer"
    other.join()
    assert store.get_meta(con, "import") == "running"
    assert (
        len(store.recent_sign_in_failures(con, FailureWindow(since=0, limit=10))) == 1
    )
    con.close()


def test_many_sessions_submitting_at_once_get_no_more_guesses(tmp_path):
    # Forty sessions from one address submit wrong passwords at the same moment;
    # only as many passwords are checked as the address limit allows.
    con = store.connect(tmp_path / "workbench.duckdb")
    throttle = SignInThrottle(store.SignInLedger(con))
    checked: list[str] = []
    start = threading.Barrier(40)

    def wrong_password(name: str) -> None:
        time.sleep(0.005)  # a password hash takes time
        checked.append(name)

    def session(i: int) -> None:
        start.wait()
        outcome = throttle.attempt(
            f"name{i}", "203.0.113.7", lambda: wrong_password(f"name{i}")
        )
        assert outcome is None or isinstance(outcome, Refusal)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) == ThrottleLimits().address_max_failures
    con.close()


def test_a_right_password_through_attempt_signs_in_and_forgets(clock, ledger):
    throttle = SignInThrottle(ledger, clock=clock)
    for _ in range(4):
        assert throttle.attempt("vera", "local", lambda: None) is None
    assert throttle.attempt("vera", "local", lambda: "Vera") == "Vera"
    for _ in range(4):  # the earlier four no longer count towards a pause
        assert throttle.attempt("vera", "local", lambda: None) is None
    assert throttle.check("vera", "elsewhere") is None
