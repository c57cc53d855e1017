"""How the map draws people: role colours and attitude marks, shared with the legend."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.analytics.network.people import UNKNOWN

# Role colours: distinct hues from the Tableau palette; grey means unknown.
ROLE_COLOURS: dict[str, str] = {
    "initiator": "#9b59b6",
    "user": "#3b82f6",
    "influencer": "#22a34a",
    "buyer": "#f28e2b",
    "decider": "#e15759",
    "gatekeeper": "#e8c33a",
    "approver": "#8d5b3c",
    UNKNOWN: "#cfcfcf",
}


@dataclass(frozen=True)
class AttitudeMark:
    """How one attitude looks on the map: the node's shape and border."""

    shape: str
    border: str
    border_width: int
    symbol: str
    dashed: bool = False


ATTITUDE_MARKS: dict[str, AttitudeMark] = {
    "champion": AttitudeMark("star", "#1a7f37", 4, "★"),
    "supporter": AttitudeMark("dot", "#1a7f37", 3, "●"),
    "neutral": AttitudeMark("dot", "#555555", 1, "●"),
    "skeptic": AttitudeMark("diamond", "#e8590c", 3, "◆"),
    "blocker": AttitudeMark("triangleDown", "#c92a2a", 4, "▼"),
    UNKNOWN: AttitudeMark("dot", "#999999", 1, "◌", dashed=True),
}
_ATTITUDE_BORDER_NAMES = {
    "#1a7f37": "green",
    "#555555": "grey",
    "#e8590c": "orange",
    "#c92a2a": "red",
    "#999999": "dashed grey",
}
SELLER_COLOUR = "#1f3b57"
PATH_COLOUR = "#ff7f0e"
DETRACTOR_COLOUR = "#d00000"
REPORTING_COLOUR = "#9a9a9a"
INFLUENCE_COLOUR = "#7e57c2"
