"""The sign-in throttle's rules: per user name, per client address and for everyone.

Pure Python: the failures live in a :class:`Ledger` (the database in the app, see
:class:`workbench.store.SignInLedger`; a list in memory in tests), never in a
Streamlit cache, so no message from a browser can wipe them and a restart keeps
them.

Three limits, checked before any password is verified:

- **per client address** (the weight-bearing one): ten wrong passwords from one
  address within 15 minutes close sign-in from that address until the oldest of
  them is 15 minutes old. Attempts refused because the user name was paused count
  here too, so whoever keeps hammering a locked name locks their own address first.
- **per user name**: five wrong passwords within 15 minutes are free, then each
  further one pauses the name for twice as long as the one before (15 s, 30 s, 1 min,
  2 min, 4 min), capped at 5 minutes after the last wrong password. The cap is what
  stops an outsider from keeping a known admin out for good: with one address they
  get ten tries, then their address is closed for 15 minutes while the admin's name
  opens again after at most five.
- **for everyone**: sixty wrong passwords within a minute, from any mix of names and
  addresses, pause password sign-in for everybody until the oldest is a minute old:
  a spray from many addresses gets at most one guess a second.

A correct password forgets the user name's failures (not the address's: a person
with one valid account cannot wash their address clean with it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Literal, Protocol, TypeVar

RefusalReason = Literal["address", "user", "everyone"]
SignedIn = TypeVar("SignedIn")

# One attempt at a time in this process, from the check to the record: otherwise
# many sessions submitting at once could all pass the check before the first
# failure is recorded. A check and a record take milliseconds, a password hash
# about 50 ms, so this allows some twenty sign-ins a second: plenty for a team.
_ATTEMPT_LOCK = threading.Lock()


@dataclass(frozen=True)
class ThrottleLimits:
    """The numbers behind the three limits (see the module docstring for why)."""

    address_max_failures: int = 10
    address_window_seconds: float = 900.0
    user_free_failures: int = 5
    user_window_seconds: float = 900.0
    user_first_pause_seconds: float = 15.0
    user_max_pause_seconds: float = 300.0
    everyone_max_failures: int = 60
    everyone_window_seconds: float = 60.0

    @property
    def longest_window(self) -> float:
        """How long a failure can matter; older ones are pruned."""
        return max(
            self.address_window_seconds,
            self.user_window_seconds,
            self.everyone_window_seconds,
        )

    @property
    def user_rows_needed(self) -> int:
        """Failures past this many no longer lengthen a user name's pause."""
        pause, count = self.user_first_pause_seconds, self.user_free_failures
        while pause < self.user_max_pause_seconds:
            pause, count = pause * 2, count + 1
        return count + 1


DEFAULT_LIMITS = ThrottleLimits()


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in is refused before its password is checked, and for how long."""

    reason: RefusalReason
    seconds: float


@dataclass(frozen=True)
class SignInFailure:
    """One failed (or refused) sign-in as a ledger keeps it.

    ``at`` is seconds since the epoch. ``counts_for_user`` is false for an attempt
    refused because the user name was paused (it counts against the address only),
    and becomes false when a correct password forgets the name's failures.
    """

    at: float
    user_name: str
    client_address: str
    counts_for_user: bool


@dataclass(frozen=True)
class FailureWindow:
    """The failures one limit counts: the newest ``limit`` at or after ``since``.

    With ``user_name``, only the failures that count for that name; with
    ``client_address``, only those from that address; with neither, everyone's.
    The store asks the same question in SQL (``store.recent_sign_in_failures``).
    """

    since: float
    limit: int
    user_name: str | None = None
    client_address: str | None = None

    def holds(self, failure: SignInFailure) -> bool:
        """Whether ``failure`` is one this window counts (ignoring ``limit``)."""
        return (
            failure.at >= self.since
            and (
                self.user_name is None
                or (failure.user_name == self.user_name and failure.counts_for_user)
            )
            and (
                self.client_address is None
                or failure.client_address == self.client_address
            )
        )

    def newest(self, failures: Iterable[SignInFailure]) -> list[float]:
        """The times of the failures this window counts, newest first."""
        times = [failure.at for failure in failures if self.holds(failure)]
        return sorted(times, reverse=True)[: self.limit]


class Ledger(Protocol):
    """Where failed sign-ins are kept."""

    def record(self, failure: SignInFailure, *, prune_before: float) -> None:
        """Keep one failed or refused attempt; drop those older than ``prune_before``."""

    def newest(self, window: FailureWindow) -> list[float]:
        """Return the times of the failures in ``window``, newest first."""

    def forget_user(self, user_name: str) -> None:
        """Stop counting a user name's failures (after a correct password)."""


class MemoryLedger:
    """A :class:`Ledger` in memory: for tests and for a process with no database."""

    def __init__(self) -> None:
        self._failures: list[SignInFailure] = []
        self._lock = threading.Lock()

    def record(self, failure: SignInFailure, *, prune_before: float) -> None:
        """Keep one failed or refused attempt; drop those older than ``prune_before``."""
        with self._lock:
            kept = [old for old in self._failures if old.at >= prune_before]
            self._failures = [*kept, failure]

    def newest(self, window: FailureWindow) -> list[float]:
        """Return the times of the failures in ``window``, newest first."""
        with self._lock:
            return window.newest(self._failures)

    def forget_user(self, user_name: str) -> None:
        """Stop counting a user name's failures."""
        with self._lock:
            self._failures = [
                replace(failure, counts_for_user=False)
                if failure.user_name == user_name
                else failure
                for failure in self._failures
            ]


def _user_key(user_name: str) -> str:
    return user_name.strip().lower()


class SignInThrottle:
    """Decide whether a sign-in attempt may check its password, and count failures.

    ``clock`` gives seconds since the epoch (wall time, because the ledger outlives
    the process); tests pass their own.
    """

    def __init__(
        self,
        ledger: Ledger,
        *,
        limits: ThrottleLimits = DEFAULT_LIMITS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._ledger = ledger
        self._limits = limits
        self._clock = clock

    def _window_lock(self, max_failures: int, window: float, **scope: str) -> float:
        now = self._clock()
        times = self._ledger.newest(
            FailureWindow(since=now - window, limit=max_failures, **scope)
        )
        if len(times) < max_failures:
            return 0.0
        return max(0.0, times[-1] + window - now)

    def _user_lock(self, user_key: str) -> float:
        limits, now = self._limits, self._clock()
        times = self._ledger.newest(
            FailureWindow(
                since=now - limits.user_window_seconds,
                limit=limits.user_rows_needed,
                user_name=user_key,
            )
        )
        if len(times) < limits.user_free_failures:
            return 0.0
        doublings = len(times) - limits.user_free_failures
        pause = min(
            limits.user_max_pause_seconds,
            limits.user_first_pause_seconds * float(2**doublings),
        )
        return max(0.0, times[0] + pause - now)

    def check(self, user_name: str, client_address: str) -> Refusal | None:
        """Return why this attempt may not check its password now, or ``None``.

        A refusal because of the user name's pause is itself counted against the
        client address (not against the name), so hammering a paused name closes
        the hammering address.
        """
        limits = self._limits
        address_wait = self._window_lock(
            limits.address_max_failures,
            limits.address_window_seconds,
            client_address=client_address,
        )
        if address_wait > 0:
            return Refusal("address", address_wait)
        everyone_wait = self._window_lock(
            limits.everyone_max_failures, limits.everyone_window_seconds
        )
        if everyone_wait > 0:
            return Refusal("everyone", everyone_wait)
        user_wait = self._user_lock(_user_key(user_name))
        if user_wait > 0:
            self._record(user_name, client_address, counts_for_user=False)
            return Refusal("user", user_wait)
        return None

    def _record(
        self, user_name: str, client_address: str, *, counts_for_user: bool
    ) -> None:
        now = self._clock()
        failure = SignInFailure(
            now, _user_key(user_name), client_address, counts_for_user
        )
        self._ledger.record(failure, prune_before=now - self._limits.longest_window)

    def record_failure(self, user_name: str, client_address: str) -> None:
        """Count one wrong password (or unknown user name) from this address."""
        self._record(user_name, client_address, counts_for_user=True)

    def record_success(self, user_name: str) -> None:
        """Forget the user name's failures; the address's still count."""
        self._ledger.forget_user(_user_key(user_name))

    def attempt(
        self,
        user_name: str,
        client_address: str,
        verify: Callable[[], SignedIn | None],
    ) -> SignedIn | Refusal | None:
        """Check, verify and record one sign-in attempt as one step.

        Args:
            user_name: the user name typed.
            client_address: the browser's address.
            verify: checks the password; returns who signed in, or ``None``.

        Returns:
            a :class:`Refusal` (the password was not checked), ``None`` for a
            wrong password (recorded), or what ``verify`` returned (the user
            name's failures forgotten).
        """
        with _ATTEMPT_LOCK:
            refusal = self.check(user_name, client_address)
            if refusal is not None:
                return refusal
            signed_in = verify()
            if signed_in is None:
                self.record_failure(user_name, client_address)
            else:
                self.record_success(user_name)
            return signed_in
