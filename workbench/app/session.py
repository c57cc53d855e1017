"""The app's session: the shared database, who is using it, hosted or local mode.

The app holds no database file open between units of work: every read and write
opens the file, runs, and closes it (:func:`run`, :func:`workbench`), so a nightly
``workbench import`` or ``workbench backup`` from another process takes its turn
instead of failing, and the next rerun shows its data (the cached reads are keyed
on :func:`data_version`, which checks the file without holding it). Only an
in-memory database (tests, demos) stays open for the server process's lifetime.
Streamlit runs each session's script in its own thread; each unit of work takes its
own connection, except inside :func:`one_opening`, where a screen's units share one
(opened by the first that needs it, closed at the end of the block).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from workbench import auth, demo, store
from workbench.api import Workbench
from workbench.app.components import show_pending_toasts
from workbench.app.language import apply_language
from workbench.app.secrets_file import any_secrets_file, secrets_files
from workbench.domain import LOCAL_ACTOR, Actor
from workbench.i18n import N_, TranslatedWhenShown

#: Who a page sees in hosted mode when nobody is signed in: may only read.
SIGNED_OUT_ACTOR = Actor(name="(signed out)", role="viewer")
ACTOR_KEY = "workbench_actor"
METHOD_KEY = "workbench_sign_in_method"
MEMORY = ":memory:"

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class OpenDatabase:
    """The app's database and how it came to be.

    ``con`` is the process-wide connection of an in-memory database, and ``None``
    for a file, which is opened per unit of work (:func:`unit`).
    """

    con: store.Connection | None
    path: str
    created_demo: bool


def _close(db: OpenDatabase) -> None:
    if db.con is not None:
        db.con.close()


@st.cache_resource(
    show_spinner=TranslatedWhenShown(N_("Opening the database…")), on_release=_close
)
def _open_database(path: str) -> OpenDatabase:
    # A new user starts with no database: build the demo portfolio so that every
    # page has something real to show, and say so on the Overview.
    if path == MEMORY:
        con = store.connect(path)
        return OpenDatabase(con=con, path=path, created_demo=False)
    created_demo = not Path(path).exists()
    with store.unit_of_work(path) as con:
        if created_demo:
            demo.write_demo(con)
    return OpenDatabase(con=None, path=path, created_demo=created_demo)


#: The attribute of a script run's context holding the database found in that run.
_RUN_DATABASE = "_workbench_run_database"


def database() -> OpenDatabase:
    """Return the database named by ``$WORKBENCH_DB`` (or the default file).

    In hosted mode, stops the script unless someone is signed in: no data leaves
    the database for a visitor who has not passed the sign-in gate.

    Found once per script run: every cached read asks for it (a dozen times a
    rerun of the Effort page), and finding it (the language, the sign-in gate,
    whether a secrets file exists, the path resolved) cost about a millisecond
    each time. The data version is still read at every call (:func:`data_version`),
    so a write earlier in the same run is seen.
    """
    ctx = get_script_run_ctx()
    # ``cursors`` is a new dict at each run of the script (and of a fragment):
    # the one kept here is held, so ``is`` cannot match a later run's by accident
    found = getattr(ctx, _RUN_DATABASE, None) if ctx is not None else None
    if found is not None and found[0] is ctx.cursors:  # type: ignore[union-attr]
        db: OpenDatabase = found[1]
        return db
    db = _find_database()
    if ctx is not None:
        setattr(ctx, _RUN_DATABASE, (ctx.cursors, db))
    return db


def _find_database() -> OpenDatabase:
    # A page run on its own (a server's first request for a page URL runs the
    # script from pages/ without app.py) still reads in the session's language and
    # still confirms the save that led to it.
    apply_language()
    show_pending_toasts()
    _stop_unless_signed_in()
    path = store.resolve_db_path()
    return _open_database(str(path) if str(path) == MEMORY else str(path.resolve()))


#: Per thread (each session's script runs in its own): the connection the units
#: of work inside :func:`one_opening` share, once the first of them opened it.
_SHARED_OPENING = threading.local()


@contextmanager
def one_opening() -> Iterator[None]:
    """Let the units of work inside the block share one opening of the file.

    Opening the file costs about 15 ms (DuckDB starts a database instance each
    time, and the schema is checked), and a screen that reads several things
    at once (an account's plan, its history, its people, its situation) opened
    it for each. Inside the block, the first unit that needs the file opens it,
    the others reuse that connection, and it is closed when the block ends; a
    block whose reads are all cached opens nothing. The file is held from the
    first read to the end of the block, so keep the block to one screen's run.
    """
    if getattr(_SHARED_OPENING, "slot", None) is not None:
        yield  # inside an outer block: its opening is shared
        return
    slot: list[store.Connection] = []
    _SHARED_OPENING.slot = slot
    try:
        yield
    finally:
        _SHARED_OPENING.slot = None
        for con in slot:
            store.close(con)


@contextmanager
def unit() -> Iterator[store.Connection]:
    """Hold the database for one unit of work (the ``with`` block), then release it.

    Inside :func:`one_opening`, the block's one connection, left open for the
    block's other units.
    """
    db = database()
    if db.con is not None:
        yield db.con
        return
    shared = _shared_connection(db)
    if shared is None:
        with store.unit_of_work(db.path) as con:
            yield con
        return
    yield shared


def _shared_connection(db: OpenDatabase) -> store.Connection | None:
    """Return the connection of the :func:`one_opening` block this thread is in.

    Opened at the first call in the block; None outside any block.
    """
    slot: list[store.Connection] | None = getattr(_SHARED_OPENING, "slot", None)
    return None if slot is None else _opened_in(slot, db, None)


def _opened_in(
    slot: list[store.Connection], db: OpenDatabase, timeout: float | None
) -> store.Connection:
    """Return the block's connection held in ``slot``, opening it the first time.

    ``timeout``: how long to wait for the file (None:
    :func:`workbench.store.lock_timeout`).
    """
    if not slot:
        slot.append(store.connect(db.path, timeout=timeout))
    return slot[0]


def run(
    read: Callable[Concatenate[store.Connection, P], R],
    *args: P.args,
    **kwargs: P.kwargs,
) -> R:
    """Call ``read(connection, *args, **kwargs)`` in one unit of work."""
    with unit() as con:
        return read(con, *args, **kwargs)


@contextmanager
def sign_in_unit() -> Iterator[store.Connection]:
    """Hold the database for one sign-in attempt's throttle (the ``with`` block).

    Unlike :func:`unit`, it does not stop a visitor who is not signed in: the
    sign-in form itself needs it, and it only reads and writes failed sign-ins.
    """
    path = store.resolve_db_path()
    db = _open_database(str(path) if str(path) == MEMORY else str(path.resolve()))
    if db.con is not None:
        yield db.con
        return
    # For a file, a unit of work of its own (a few milliseconds), closed in turn.
    with store.unit_of_work(db.path) as con:
        yield con


def connection() -> store.Connection:
    """Return a connection to the database, opened for the caller.

    For a file, a new connection that holds the file until it is dropped or
    closed: prefer :func:`run` or :func:`unit`, which release it at once.
    """
    db = database()
    return db.con if db.con is not None else store.connect(db.path)


def data_version(db: OpenDatabase | None = None) -> int:
    """Return the database's data version, the key that invalidates cached analytics.

    For a file it is read without holding the file (see
    :func:`workbench.store.file_data_version`), so a rerun whose reads are cached
    never opens it, and a write by another process shows at the next rerun.
    ``db``: the database :func:`database` just returned (saves finding it again).
    """
    return versions(db).data


def facts_version(db: OpenDatabase | None = None) -> int:
    """Return the database's facts version: it stays when a write changes no fact.

    The key of the reads that add up the portfolio's facts (see
    :mod:`workbench.store.versions`), read as :func:`data_version` is.
    """
    return versions(db).facts


def versions(db: OpenDatabase | None = None) -> store.Versions:
    """Return the database's data and facts versions (see :func:`data_version`)."""
    db = db or database()
    if db.con is not None:
        return store.versions(db.con)
    slot: list[store.Connection] | None = getattr(_SHARED_OPENING, "slot", None)
    if slot is not None:
        # inside one_opening: after a write, the versions are read on the
        # block's connection, which the screen's reads then use (one opening
        # of the file, not two); a file held by another process past the
        # versions' short wait still keeps the versions last read
        return store.file_versions(
            db.path,
            resolved=True,
            opened=lambda timeout: _opened_in(slot, db, timeout),
        )
    # the path was resolved when the database was found (:func:`database`)
    return store.file_versions(db.path, resolved=True)


def current_actor() -> Actor:
    """Return who is using the app and their role; pass it to every library write.

    Local single-user mode (the default) is login-free: the one user may do all.
    """
    actor = st.session_state.get(ACTOR_KEY)
    if isinstance(actor, Actor):
        return actor
    # Hosted mode with nobody signed in (the gate normally stops before any page
    # runs): fail closed with a read-only nobody rather than the local admin.
    return LOCAL_ACTOR if not _hosted_mode() else SIGNED_OUT_ACTOR


def workbench() -> Workbench:
    """Return the notebook API over the app's database, acting as the current user.

    Each of its method calls is one unit of work on a file (inside
    :func:`one_opening`, on the block's one connection). Never close it.
    """
    db = database()
    if db.con is not None:
        return Workbench(db.con, actor=current_actor())
    shared = _shared_connection(db)
    if shared is not None:  # inside one_opening: as the units of work there
        return Workbench(shared, actor=current_actor())
    return Workbench.on_file(db.path, actor=current_actor())


def _secrets() -> dict[str, Any]:
    if not any_secrets_file():
        return {}
    try:
        secrets: dict[str, Any] = st.secrets.to_dict()
    except FileNotFoundError:  # Streamlit's "no secrets" error subclasses it
        # Streamlit treats an unreadable secrets file like a missing one; a file
        # that exists but cannot be read must not silently mean "no login".
        broken = [str(f) for f in secrets_files() if f.is_file()]
        if broken:
            raise auth.HostedConfigError(
                f"the secrets file {broken[0]} cannot be read; check its TOML syntax"
            ) from None
        return {}
    return secrets


def hosted_settings() -> auth.HostedSettings:
    """Return the hosted-mode settings from ``st.secrets`` and the environment.

    Raises:
        auth.HostedConfigError: hosted mode is misconfigured (nobody may sign in).
    """
    return auth.load_settings(_secrets(), os.environ)


def _hosted_mode() -> bool:
    try:
        return hosted_settings().hosted
    except auth.HostedConfigError:
        return True


def _stop_unless_signed_in() -> None:
    if isinstance(st.session_state.get(ACTOR_KEY), Actor) or not _hosted_mode():
        return
    # Only reachable when a page runs without app.py's gate: on a server's very
    # first request for a page URL, Streamlit runs the script from pages/ directly
    # (its old multipage mode) before app.py has ever called st.navigation. Send
    # the visitor to the main script (app.py), whose gate shows the sign-in form.
    ctx = get_script_run_ctx()
    if ctx is None:
        st.stop()
    st.switch_page(ctx.main_script_path)
