"""How the map draws people: one visual channel per meaning, shared with the legend.

A workshop reads the map from across a room, so each channel carries exactly one
thing: the node's **shape** is the buying role, its **fill** the attitude, its
**ring** (border) whether we covered the person in the window, the **badge** their
latest NPS, and the **size** their influence. Colours are never reused across
channels: red appears only for a blocker's fill and a detractor's badge, which are
both bad news.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.analytics.network.people import UNKNOWN

#: vis-network shape per buying role; every shape draws its label below the node.
#: A person whose role is unknown is a plain dot with a "?" drawn on it.
ROLE_SHAPES: dict[str, str] = {
    "decider": "star",
    "approver": "hexagon",
    "buyer": "square",
    "influencer": "diamond",
    "initiator": "triangle",
    "gatekeeper": "triangleDown",
    "user": "dot",
    UNKNOWN: "dot",
}
#: The same shapes as a symbol for the legend (HTML text, no images).
ROLE_SYMBOLS: dict[str, str] = {
    "decider": "★",
    "approver": "⬢",
    "buyer": "■",
    "influencer": "◆",
    "initiator": "▲",
    "gatekeeper": "▼",
    "user": "●",
    UNKNOWN: "?",
}


@dataclass(frozen=True)
class AttitudeMark:
    """How one attitude looks on the map: the node's fill, and its name for the legend."""

    fill: str
    colour_name: str


ATTITUDE_MARKS: dict[str, AttitudeMark] = {
    "champion": AttitudeMark("#1a7f37", "dark green"),
    "supporter": AttitudeMark("#8fd19e", "light green"),
    "neutral": AttitudeMark("#c9c9c9", "grey"),
    "skeptic": AttitudeMark("#f59f00", "amber"),
    "blocker": AttitudeMark("#c92a2a", "red"),
    UNKNOWN: AttitudeMark("#ffffff", "white"),
}

#: The ring: a thick dark ring for people we touched in the window, a thin dashed
#: grey one for people nobody of ours touched (a gap).
COVERED_RING = "#1f3b57"
COVERED_RING_WIDTH = 3
UNCOVERED_RING = "#8a8a8a"
UNCOVERED_RING_WIDTH = 1.5

#: The NPS badge's colour per verdict (0–6 detractor, 7–8 passive, 9–10 promoter).
NPS_BADGE_COLOURS: dict[str, str] = {
    "detractor": "#d00000",
    "passive": "#6b7280",
    "promoter": "#0b7a2a",
}

#: A person who has left the account is drawn faded, with "left" under the name:
#: kept for the history (whom we talked to, who decided), out of play now.
LEFT_OPACITY = 0.4

SELLER_COLOUR = "#1f3b57"
PATH_COLOUR = "#ff7f0e"
DETRACTOR_COLOUR = NPS_BADGE_COLOURS["detractor"]
REPORTING_COLOUR = "#9a9a9a"
INFLUENCE_COLOUR = "#7e57c2"
#: The label font: CJK names need a CJK face, whichever system the map opens on.
FONT_FACE = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK SC', "
    "'Noto Sans CJK TC', 'PingFang SC', 'PingFang TC', 'Microsoft YaHei', "
    "'Microsoft JhengHei', 'Source Han Sans SC', 'WenQuanYi Micro Hei', sans-serif"
)
