"""What every CRM family's header dictionary is made of: the layout and the header key."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


def normalise_header(header: str) -> str:
    """Return a header in a comparable form: case-folded, no spaces or punctuation."""
    return re.sub(
        r"[\s_\-./:()'’\[\]#]+", "", header.strip().lstrip("\ufeff").casefold()
    )


@dataclass(frozen=True)
class ObjectLayout:
    """How one kind of CRM file maps onto a workbench table.

    Attributes:
        source: ``salesforce``, ``hubspot``, ``dynamics``, ``chinese_crm``, ``generic``.
        name: the CRM's object name (``Contact``, ``Task``, ``deals``, …).
        table: the workbench table it fills.
        aliases: canonical column → header aliases, best first (normalised on use).
        signature: canonical columns at least one of which must be present.
        file_stems: normalised file-name stems that name this object.
        kind: the activity kind when the file does not say (Task → ``task``).
    """

    source: str
    name: str
    table: str
    aliases: dict[str, tuple[str, ...]]
    signature: tuple[str, ...]
    file_stems: tuple[str, ...] = ()
    kind: str | None = None
    normalised: dict[str, tuple[str, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "normalised",
            {
                column: tuple(normalise_header(a) for a in names)
                for column, names in self.aliases.items()
            },
        )
