"""What hovering the map says: a person's, a seller's and a line's text, translated.

vis-network shows a string ``title`` as plain text (never as HTML), one line per
line break. Every label is marked for translation and the vocabulary values (buying
role, attitude) read through :mod:`workbench.terms`; texts from the data go through
:func:`~workbench.analytics.network.people.safe_text` first.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

import polars as pl

from workbench import terms
from workbench.analytics.network.people import (
    DETRACTOR_MAX_SCORE,
    UNKNOWN,
    safe_text,
)
from workbench.i18n import current_language, format_day, format_number
from workbench.i18n import gettext as _

#: NPS scores from 7 up to this are passives; above, promoters.
PASSIVE_MAX_SCORE = 8


def nps_verdict(score: int) -> str:
    """Return ``detractor`` (0–6), ``passive`` (7–8) or ``promoter`` (9–10)."""
    if score <= DETRACTOR_MAX_SCORE:
        return "detractor"
    return "passive" if score <= PASSIVE_MAX_SCORE else "promoter"


@functools.lru_cache(maxsize=4096)
def _formatted(value: date | int | float, language: str) -> str:
    # Babel's formats are the slow part of a thousand tooltips, and a map repeats
    # the same days and counts: each is formatted once per language.
    del language  # part of the cache key: the format follows the language in force
    return format_day(value) if isinstance(value, date) else format_number(value)


def _shown(value: date | int | float) -> str:
    return _formatted(value, current_language())


def with_manager_names(shown: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """Return ``shown`` with ``manager_name``: the name of whom each person reports to."""
    managers = persons.select(
        pl.col("contact_id").alias("reports_to_id"),
        pl.col("name").alias("manager_name"),
    )
    return shown.join(managers, on="reports_to_id", how="left", maintain_order="left")


def _value(value: object) -> str:
    return safe_text(value) or _("unknown")


def person_tooltip(person: dict[str, Any], end: date) -> str:
    """Return a person's hover text: role, attitude, influence, coverage, NPS, manager."""
    role = person["role"]
    attitude = person["attitude_mark"]
    lines = [
        f"{safe_text(person['name'])} — {safe_text(person['title']) or _('no title')}",
        *(
            [_("Has left the account: kept for the history, out of the coverage")]
            if person.get("has_left")
            else []
        ),
        _("Department: {value}").format(value=_value(person["department"])),
        _("Role: {value}").format(
            value=_("unknown") if role == UNKNOWN else terms.buying_role(role)
        ),
        _("Influence: {value} of 5").format(value=person["influence"] or "?"),
        _("Attitude: {value}").format(
            value=_("unknown") if attitude == UNKNOWN else terms.attitude(attitude)
        ),
        _("Reports to: {value}").format(value=_manager(person)),
        _("Org level: {value}").format(value=person["level"] or "?"),
        _coverage(person),
    ]
    if person["last_touch"] is None:
        lines.append(_("Last touch: never"))
    else:
        lines.append(
            _("Last touch: {day} ({days} days before {end})").format(
                day=_shown(person["last_touch"]),
                days=person["days_since_touch"],
                end=_shown(end),
            )
        )
    lines.append(_nps(person))
    return "\n".join(lines)


def _manager(person: dict[str, Any]) -> str:
    if person.get("reports_to_id") is None:
        return _("nobody on record")
    if person.get("manager_name") is not None:
        return safe_text(person["manager_name"])
    return _("{id}, who is not in this account").format(
        id=safe_text(person["reports_to_id"])
    )


def _coverage(person: dict[str, Any]) -> str:
    if not person["engaged"]:
        return _("Coverage: not touched by us in the window (a gap)")
    return _(
        "Coverage: {touches} touches by {sellers} of our people in the window"
    ).format(touches=_shown(person["touches"]), sellers=person["sellers"])


def _nps(person: dict[str, Any]) -> str:
    if person["nps_score"] is None:
        return _("Latest NPS: none")
    score = int(person["nps_score"])
    latest = _("Latest NPS: {score} ({verdict}, {day})").format(
        score=score,
        verdict=_(terms.NPS_BANDS[nps_verdict(score)]),
        day=_shown(person["nps_date"]),
    )
    answers = person.get("nps_answers")
    if answers is None:  # a frame read without the count: say nothing of it
        return latest
    return latest + _("; answers on record: {n}").format(n=answers)


def seller_tooltip(seller: dict[str, Any]) -> str:
    """Return one of our sellers' hover text: team, name, touches in the window."""
    team = safe_text(seller["seller_team"]) or _("seller")
    name = safe_text(seller["seller_name"] or seller["seller_id"])
    return "\n".join(
        [
            _("Our {team}: {name}").format(team=team, name=name),
            _("{touches} touches with {people} people in the window").format(
                touches=_shown(seller["touches"]), people=seller["people"]
            ),
        ]
    )


def reports_to_title() -> str:
    """Return a reporting line's hover text."""
    return _("reports to")


def influence_title(strength: int | None) -> str:
    """Return an influence link's hover text."""
    return _("influences (strength {n} of 3)").format(n=strength or "?")


def touches_title(count: int, minutes: float) -> str:
    """Return a seller-to-person line's hover text."""
    return _("{count} touches, {minutes} minutes in the window").format(
        count=_shown(count), minutes=_shown(minutes)
    )


def warm_path_title() -> str:
    """Return a warm path's hover text."""
    return _("warm path")
