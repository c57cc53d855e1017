"""Small types several modules share: problems found in input, and who is acting."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

ProblemLevel = Literal["error", "warning"]
Role = Literal["viewer", "analyst", "admin"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely enough to fix it.

    ``row`` counts data rows from 1 as a spreadsheet shows them after the header
    (``None`` when the problem is about the whole file or a column); ``column`` is
    the column's name in the file as given.
    """

    level: ProblemLevel
    file: str
    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        """Return the problem as a plain dict (for JSON and tables)."""
        return asdict(self)


@dataclass(frozen=True)
class Actor:
    """Who performs an action, and with which role; every write takes one."""

    name: str
    role: Role


#: The single user of a local, login-free workbench: may do everything.
LOCAL_ACTOR = Actor(name="local", role="admin")
