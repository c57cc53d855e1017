"""The notebook API opened on the demo database, shared by its test modules."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from workbench.api import Workbench, open_workbench
from workbench.domain import Actor

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

VIEWER = Actor(name="vera", role="viewer")
HOSTILE = '</iframe><script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def wb(demo_db: Path) -> Iterator[Workbench]:
    with open_workbench(demo_db) as opened:
        yield opened


@pytest.fixture
def account_id(wb: Workbench) -> str:
    return str(wb.accounts()["account_id"][0])
