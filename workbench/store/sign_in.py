"""Failed sign-ins: the sign-in throttle's memory, kept in the database.

The rules live in :mod:`workbench.throttle` (with the two record types this module
shares: a failure, and the window a limit counts); this module only stores and counts.
Writes run in their own short transaction and do not bump the data version: a
wrong password changes no data a chart shows, and must not let a stranger
invalidate everybody's cached analytics. They queue on their own lock rather than
the data writer's, so a sign-in never waits for a long import (they touch no row
an import touches, and DuckDB lets transactions on different rows commit side by
side).
"""

from __future__ import annotations

import threading

from workbench.store._base import Connection
from workbench.throttle import FailureWindow, SignInFailure

_SIGN_IN_LOCK = threading.Lock()


def record_sign_in_failure(
    con: Connection, failure: SignInFailure, *, prune_before: float
) -> None:
    """Keep one failed or refused sign-in; drop failures older than ``prune_before``."""
    with _SIGN_IN_LOCK, con.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            cur.execute(
                "DELETE FROM sign_in_failures WHERE failed_at < $before",
                {"before": prune_before},
            )
            cur.execute(
                "INSERT INTO sign_in_failures VALUES ($at, $user, $address, $counts)",
                {
                    "at": failure.at,
                    "user": failure.user_name,
                    "address": failure.client_address,
                    "counts": failure.counts_for_user,
                },
            )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise


def recent_sign_in_failures(con: Connection, window: FailureWindow) -> list[float]:
    """Return the times of the failures in ``window``, newest first.

    The SQL twin of :meth:`FailureWindow.newest` (which a ledger in memory uses).
    """
    with con.cursor() as cur:
        rows = cur.execute(
            """
            SELECT failed_at FROM sign_in_failures
            WHERE failed_at >= $since
              AND ($user IS NULL OR (user_name = $user AND counts_for_user))
              AND ($address IS NULL OR client_address = $address)
            ORDER BY failed_at DESC
            LIMIT $limit
            """,
            {
                "since": window.since,
                "user": window.user_name,
                "address": window.client_address,
                "limit": window.limit,
            },
        ).fetchall()
    return [float(row[0]) for row in rows]


def forget_sign_in_failures(con: Connection, user_name: str) -> None:
    """Stop counting a user name's failures (the address's rows still count)."""
    with _SIGN_IN_LOCK, con.cursor() as cur:
        cur.execute(
            "UPDATE sign_in_failures SET counts_for_user = false WHERE user_name = $u",
            {"u": user_name},
        )


class SignInLedger:
    """The sign-in throttle's :class:`~workbench.throttle.Ledger` in the database."""

    def __init__(self, con: Connection) -> None:
        self._con = con

    def record(self, failure: SignInFailure, *, prune_before: float) -> None:
        """Keep one failed or refused attempt; drop those older than ``prune_before``."""
        record_sign_in_failure(self._con, failure, prune_before=prune_before)

    def newest(self, window: FailureWindow) -> list[float]:
        """Return the times of the failures in ``window``, newest first."""
        return recent_sign_in_failures(self._con, window)

    def forget_user(self, user_name: str) -> None:
        """Stop counting a user name's failures (after a correct password)."""
        forget_sign_in_failures(self._con, user_name)
