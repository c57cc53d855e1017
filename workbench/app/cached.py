"""One decorator for every cached read: keyed on the database and its data version.

A read written as a plain function of its arguments (a date, thresholds, an
account ID…) becomes a cached one whose entries die when any write bumps the
database's data version, so no page ever shows data older than the last write.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import streamlit as st

from workbench.app import session
from workbench.i18n import TranslatedWhenShown

P = ParamSpec("P")
R = TypeVar("R")

#: The reads kept under the facts version, by name, as written (not cached):
#: tests/test_versions.py runs each and checks that it reads no decision.
FACTS_READS: dict[str, Callable[..., Any]] = {}


def cached(
    *,
    spinner: bool | str = False,
    max_entries: int = 16,
    share: bool = False,
    by_repr: bool = False,
    facts: bool = False,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Cache a read per database file, data version and arguments.

    Args:
        spinner: the text shown while it runs (``False``: nothing), marked with
            ``N_()``: it is shown in the session's language.
        max_entries: how many results to keep.
        share: keep one shared object (``st.cache_resource``) instead of a copy
            per call (``st.cache_data``): for large, immutable polars frames,
            which ``cache_data`` would unpickle again at every rerun.
        by_repr: key on ``repr()`` of the arguments instead of Streamlit's hash of
            them. Only for arguments whose repr names their whole value (dates,
            strings, numbers, frozen dataclasses of those such as thresholds and
            rules): Streamlit hashes a dataclass by copying it into a dict, about
            a millisecond for the thresholds, at every call of every read.
        facts: key on the facts version instead of the data version, so that a
            write of decisions alone (a plan, an override, a rating) keeps the
            result. Only for reads of facts: no table of
            :data:`workbench.store.DECISION_TABLES` (tests/test_versions.py
            checks each such read's statements).
    """

    def decorate(read: Callable[P, R]) -> Callable[P, R]:
        # path and version take part in the key; Streamlit skips arguments
        # whose names start with an underscore, so these must not. Everything is
        # passed by name: Streamlit looks up a function's signature again for each
        # argument passed by position, a large part of a cached read's cost.
        def keyed(
            path: str,
            version: int,
            arguments: tuple[tuple[str, Any], ...],
            _args: tuple[Any, ...],
            _kwargs: dict[str, Any],
        ) -> R:
            return read(*_args, **_kwargs)

        def keyed_by_repr(
            path: str,
            version: int,
            key: str,
            _args: tuple[Any, ...],
            _kwargs: dict[str, Any],
        ) -> R:
            return read(*_args, **_kwargs)

        # Streamlit names a function's cache by module, name and source: give each
        # read its own, since every ``keyed`` has the same source.
        function: Callable[..., R] = keyed_by_repr if by_repr else keyed
        function.__module__ = read.__module__
        function.__qualname__ = read.__qualname__
        function.__name__ = read.__name__
        cache = st.cache_resource if share else st.cache_data
        # Streamlit keeps the spinner's text from here on and turns it into text
        # with str() when it shows it: in the language of the session that waits.
        shown = TranslatedWhenShown(spinner) if isinstance(spinner, str) else spinner
        stored = cache(show_spinner=shown, max_entries=max_entries)(function)
        if facts:
            FACTS_READS[read.__qualname__] = read
        signature = inspect.signature(read)

        def arguments(
            args: tuple[Any, ...], kwargs: dict[str, Any]
        ) -> tuple[tuple[str, Any], ...]:
            # The key is each parameter's value, however the call spells it
            # (by position, by name, or left to its default): keyed on the
            # spelling, the same read called two ways was computed and kept twice.
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            return tuple(bound.arguments.items())

        @functools.wraps(read)
        def cached_read(*args: P.args, **kwargs: P.kwargs) -> R:
            db = session.database()
            version = session.facts_version(db) if facts else session.data_version(db)
            named = arguments(args, kwargs)
            if by_repr:
                return stored(
                    path=db.path,
                    version=version,
                    key=repr(named),
                    _args=args,
                    _kwargs=kwargs,
                )
            return stored(
                path=db.path,
                version=version,
                arguments=named,
                _args=args,
                _kwargs=kwargs,
            )

        return cached_read

    return decorate
