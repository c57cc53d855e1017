"""Failed sign-ins: the sign-in throttle's memory, kept in the database.

The rules live in :mod:`workbench.throttle`; this module only stores and counts.
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

_SIGN_IN_LOCK = threading.Lock()


def record_sign_in_failure(
    con: Connection,
    *,
    at: float,
    user_name: str,
    client_address: str,
    counts_for_user: bool,
    prune_before: float,
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
                    "at": at,
                    "user": user_name,
                    "address": client_address,
                    "counts": counts_for_user,
                },
            )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise


def recent_sign_in_failures(
    con: Connection,
    *,
    since: float,
    limit: int,
    user_name: str | None = None,
    client_address: str | None = None,
) -> list[float]:
    """Return up to ``limit`` failure times at or after ``since``, newest first.

    With ``user_name``, only the failures that count for that user name; with
    ``client_address``, only those from that address.
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
                "since": since,
                "user": user_name,
                "address": client_address,
                "limit": limit,
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
    """The sign-in throttle's ledger over a connection to the workbench database.

    It has the shape of :class:`workbench.throttle.Ledger` (the store does not
    import the throttle's rules).
    """

    def __init__(self, con: Connection) -> None:
        self._con = con

    def record(
        self,
        *,
        at: float,
        user_name: str,
        client_address: str,
        counts_for_user: bool,
        prune_before: float,
    ) -> None:
        """Keep one failed or refused attempt; drop those older than ``prune_before``."""
        record_sign_in_failure(
            self._con,
            at=at,
            user_name=user_name,
            client_address=client_address,
            counts_for_user=counts_for_user,
            prune_before=prune_before,
        )

    def newest(
        self,
        *,
        since: float,
        limit: int,
        user_name: str | None = None,
        client_address: str | None = None,
    ) -> list[float]:
        """Return up to ``limit`` failure times since ``since``, newest first."""
        return recent_sign_in_failures(
            self._con,
            since=since,
            limit=limit,
            user_name=user_name,
            client_address=client_address,
        )

    def forget_user(self, user_name: str) -> None:
        """Stop counting a user name's failures (after a correct password)."""
        forget_sign_in_failures(self._con, user_name)
