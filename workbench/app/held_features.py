"""The account features of each file and day, held to be brought up to date.

The cached read of the features (:func:`workbench.app.reads.account_features`)
is keyed on the facts version: after a change of facts it runs again. It then
starts from the features this process last read for the same file, day and
term, and reads again only the accounts the change touched
(:mod:`workbench.store.feature_changes`). A few entries, shared by every
session; each is the same frame the cache holds while the cache holds it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

import polars as pl

from workbench import store
from workbench.app import session

#: Files, days and terms held at once: a workshop looks at one or two days.
MAX_HELD = 4

_LOCK = threading.Lock()
_HELD: OrderedDict[tuple[str, date, int], store.HeldFeatures] = OrderedDict()


def features(as_of: date, default_term_months: int) -> pl.DataFrame:
    """Return the account features as of ``as_of``, from those held where they can."""
    key = (session.database().path, as_of, default_term_months)
    with _LOCK:
        held = _HELD.get(key)
    now = session.workbench().features_up_to_date(as_of, default_term_months, held)
    with _LOCK:
        _HELD[key] = now
        _HELD.move_to_end(key)
        while len(_HELD) > MAX_HELD:
            _HELD.popitem(last=False)
    return now.features
