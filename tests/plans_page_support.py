"""The Account plans page's path and its opening, shared by its test modules."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import open_page
from workbench.domain import Actor

PAGE = "pages/plans.py"


def _open(actor: Actor | None = None) -> AppTest:
    return open_page(PAGE, actor)
