"""The workbench's own settings, kept in the database file with its data.

One database is one supplier's portfolio, so what describes the portfolio as a
whole lives with it: today the currency every money figure is in. Settings are
rows of ``workbench_meta``; unknown or unset keys read as their default.
"""

from __future__ import annotations

import re

from workbench.access import require
from workbench.domain import Actor
from workbench.store._base import Connection
from workbench.store.connection import get_meta, set_meta, write_transaction

#: Meta key of the portfolio's currency (an ISO 4217 code).
CURRENCY_KEY = "currency"

#: Currency of a database that never set one. The demo supplier invoices in dollars;
#: a real portfolio sets its own with ``workbench init --currency`` or in the app.
DEFAULT_CURRENCY = "USD"

_ISO_CODE = re.compile(r"^[A-Z]{3}$")


def portfolio_currency(con: Connection) -> str:
    """Return the ISO 4217 code every money figure of this database is in."""
    code = get_meta(con, CURRENCY_KEY)
    return code if code and _ISO_CODE.match(code) else DEFAULT_CURRENCY


def set_portfolio_currency(con: Connection, actor: Actor, code: str) -> str:
    """Record the portfolio's currency; return the code as stored.

    Needs the ``import`` right: the currency says what imported amounts are in.

    Raises:
        PermissionDeniedError: the actor may not import (the currency says what
            the imported amounts are in).
        ValueError: ``code`` is not three letters (ISO 4217).
    """
    require(actor, "import")
    normalised = code.strip().upper()
    if not _ISO_CODE.match(normalised):
        raise ValueError(f"a currency is three letters (ISO 4217), not {code!r}")
    with write_transaction(con) as cur:
        set_meta(cur, CURRENCY_KEY, normalised)
    return normalised
