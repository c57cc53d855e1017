"""A server process imports what later pages need once, after its first page."""

from __future__ import annotations

import sys
import threading

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP
from workbench.app import warm


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if no page had run in this process yet."""
    monkeypatch.setattr(warm, "_DONE", threading.Event())


def _module_file(folder, name: str) -> None:
    (folder / f"{name}.py").write_text("LOADED = True\n", encoding="utf-8")


def test_the_modules_are_imported_once_per_process(
    fresh_process, tmp_path, monkeypatch
):
    _module_file(tmp_path, "wb_warm_first")
    _module_file(tmp_path, "wb_warm_second")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("wb_warm_first", "wb_warm_second"):
        monkeypatch.delitem(sys.modules, name, raising=False)

    assert not warm.warmed()
    assert warm.after_page(("wb_warm_first",)) is True
    assert "wb_warm_first" in sys.modules
    assert warm.warmed()
    # a later page, in any session, does nothing more
    assert warm.after_page(("wb_warm_second",)) is False
    assert "wb_warm_second" not in sys.modules


def test_a_module_that_cannot_be_imported_is_logged_not_raised(fresh_process, caplog):
    assert warm.after_page(("wb_no_such_module_here",)) is True
    assert "wb_no_such_module_here" in caplog.text


def test_the_app_does_it_after_its_first_page(fresh_process, app_db, monkeypatch):
    asked: list[tuple[str, ...]] = []
    original = warm.after_page

    def recorded(modules=warm.MODULES_AFTER_FIRST_PAGE):
        asked.append(modules)
        return original(modules)

    monkeypatch.setattr(warm, "after_page", recorded)
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception, app.exception
    # the Overview was drawn first, then the process imported what later pages use
    assert app.metric, "the Overview drew nothing"
    assert asked == [warm.MODULES_AFTER_FIRST_PAGE]
    assert warm.warmed()
    assert "pandas" in warm.MODULES_AFTER_FIRST_PAGE
