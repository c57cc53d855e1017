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

#: Files and days held at once (each with its last other term): a workshop
#: looks at one or two days.
MAX_HELD = 6
#: The term whose features are added up (the others are worked out from them).
FEATURES_HELD_TERM = 12

_LOCK = threading.Lock()
_HELD: OrderedDict[tuple[str, date, int], store.HeldFeatures] = OrderedDict()


def features(as_of: date, default_term_months: int) -> pl.DataFrame:
    """Return the account features as of ``as_of``, from those held where they can."""
    key = _key(as_of, default_term_months)
    with _LOCK:
        held = _HELD.get(key)
    now = session.workbench().features_up_to_date(as_of, default_term_months, held)
    _keep(key, now)
    return now.features


def kept_for_term(as_of: date, default_term_months: int) -> pl.DataFrame | None:
    """Return the features of a term held before, brought up to date; None if none.

    For a term other than the one added up: a term's move works its features
    out from the won deals' steps (:func:`hold_term`), which a change of facts
    would otherwise make read again in full.
    """
    key = _key(as_of, default_term_months)
    with _LOCK:
        held = _HELD.get(key)
    if held is None:
        return None
    now = session.workbench().features_up_to_date(as_of, default_term_months, held)
    _keep(key, now)
    return now.features


def hold_term(
    as_of: date,
    default_term_months: int,
    base: pl.DataFrame,
    moved: pl.DataFrame,
    masks: pl.Series,
) -> None:
    """Hold ``moved``, ``base`` (features held) with another term's revenue in place.

    ``masks``: its accounts' retention masks for that term. Kept only when
    ``base`` is the frame held for its day, so that its file and versions are
    known.
    """
    base_key, key = _key(as_of, FEATURES_HELD_TERM), _key(as_of, default_term_months)
    with _LOCK:
        held = _HELD.get(base_key)
        if held is None or held.features is not base:
            return
        # one other term per file and day (the slider's last), and the features
        # it is worked out from kept as used: a slider moved through many terms
        # would otherwise push them out, and every later term with them
        for other in [k for k in _HELD if k[:2] == key[:2] and k[2] != base_key[2]]:
            del _HELD[other]
        _HELD.move_to_end(base_key)
    _keep(key, store.hold_features(held, default_term_months, moved, masks))


def _key(as_of: date, default_term_months: int) -> tuple[str, date, int]:
    return (session.database().path, as_of, default_term_months)


def _keep(key: tuple[str, date, int], held: store.HeldFeatures) -> None:
    with _LOCK:
        _HELD[key] = held
        _HELD.move_to_end(key)
        while len(_HELD) > MAX_HELD:
            _HELD.popitem(last=False)
