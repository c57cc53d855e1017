"""Work a server process does once, after its first page is drawn rather than later.

Three pages need pandas: Streamlit's table editor (Account plans), the styled
tables of Voice of the customer and the buying centre's table of people. Its
import takes about half a second on two cores, and until now whoever first
opened one of those pages after the server started paid it, on top of the page.

:func:`after_page` imports it at the end of the process's first page run, in
that run's own thread: the page's elements have been sent by then, so the
first paint is not delayed, and the half second passes while the visitor reads
the first page. It runs once per process, not per session. It is not done in a
thread of its own: two threads importing the same packages at once can meet
half-initialised modules, which Streamlit's script threads already avoid by
importing in the order a page needs.
"""

from __future__ import annotations

import importlib
import logging
import threading

_LOG = logging.getLogger("workbench.warm")

#: Imported after the first page: what a later page would otherwise import first.
MODULES_AFTER_FIRST_PAGE: tuple[str, ...] = ("pandas",)

_DONE = threading.Event()
_LOCK = threading.Lock()


def after_page(modules: tuple[str, ...] = MODULES_AFTER_FIRST_PAGE) -> bool:
    """Import ``modules`` if this process has not yet; return whether this call did.

    Called after a page has run. A module that cannot be imported is logged and
    skipped: the page that needs it reports the error where it is used.
    """
    with _LOCK:
        if _DONE.is_set():
            return False
        _DONE.set()
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            _LOG.warning("could not import %s ahead of the pages using it", name)
    return True


def warmed() -> bool:
    """Return whether this process has done its after-first-page work."""
    return _DONE.is_set()
