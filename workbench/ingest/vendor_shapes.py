"""Vendor export shapes turned into the workbench's columns before staging.

What a header dictionary cannot say alone: HubSpot gives a call's duration in
milliseconds (or as ``h:mm:ss`` in a UI export) and a meeting's start and end
rather than minutes (both may be times in seconds stored as milliseconds), and
lists several associated IDs in one cell (``123;456``); a Salesforce task
exported without ``AccountId`` names its account in ``WhatId``, among other
records. Each adjustment adds a computed column to the recognised file
and maps it, so the staged rows hold plain values and the usual checks apply.
"""

from __future__ import annotations

import polars as pl

from workbench.domain import SECONDS_READ_AS_MILLISECONDS, Problem
from workbench.i18n import N_
from workbench.ingest.model import RecognisedFile
from workbench.ingest.problems import make_problem, worded
from workbench.ingest.sources import normalise_header
from workbench.ingest.sources.hubspot import HOME_CURRENCY_AMOUNTS

#: Normalised headers of a meeting's start and end (UI, API and warehouse exports).
_MEETING_TIMES: tuple[tuple[str, str], ...] = (
    ("meetingstarttime", "meetingendtime"),
    ("hsmeetingstarttime", "hsmeetingendtime"),
    ("starttime", "endtime"),
)
#: Normalised headers of a call's duration in milliseconds (or h:mm:ss).
_CALL_DURATIONS: tuple[str, ...] = (
    "propertyhscallduration",
    "hscallduration",
    "callduration",
    "calldurationhhmmss",
)
#: Canonical columns whose cells may list several associated IDs.
_ASSOCIATION_COLUMNS: tuple[str, ...] = ("account_id", "contact_id")


def _clock_minutes(text: pl.Expr) -> pl.Expr:
    """Return minutes of ``h:mm:ss`` or ``mm:ss`` text (NULL for other text)."""
    parts = text.str.extract_groups(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})$")
    hours = parts.struct.field("1").cast(pl.Float64, strict=False).fill_null(0)
    minutes = parts.struct.field("2").cast(pl.Float64, strict=False)
    seconds = parts.struct.field("3").cast(pl.Float64, strict=False)
    return hours * 60 + minutes + seconds / 60


def _call_minutes(column: str) -> pl.Expr:
    """Minutes of a call: a number is milliseconds, ``h:mm:ss`` a clock.

    Text that is neither is kept as it is, so the import's number check
    reports it with its row rather than dropping it.
    """
    text = pl.col(column).cast(pl.String).str.strip_chars()
    milliseconds = text.cast(pl.Float64, strict=False)
    minutes = pl.coalesce(milliseconds / 60_000, _clock_minutes(text))
    return (
        pl.when(minutes.is_not_null())
        .then(minutes.round(1).cast(pl.String))
        .otherwise(text)
    )


def _read_as_milliseconds(time: pl.Expr) -> pl.Expr:
    """Return whether a time is one in seconds stored as milliseconds (1970-01)."""
    first, last = SECONDS_READ_AS_MILLISECONDS
    milliseconds = time.dt.epoch("ms")
    return milliseconds.is_between(first, last)


def _duration_expr(by_normal: dict[str, str]) -> tuple[str, pl.Expr] | None:
    """Return the computed column's header and the minutes of a HubSpot activity file.

    None when the file holds neither a meeting's start and end nor a call's
    duration. The header names the file's own column(s), so a problem with a
    value points at them.
    """
    for start_key, end_key in _MEETING_TIMES:
        if start_key in by_normal and end_key in by_normal:
            start, end = (
                pl.col(by_normal[k]).str.to_datetime(strict=False)
                for k in (start_key, end_key)
            )
            # (whole seconds would cut a misread meeting's 5.4 to 5: 83 minutes)
            seconds = (end - start).dt.total_microseconds() / 1_000_000
            # both times in seconds stored as milliseconds (the import reads
            # each as its seconds): their gap is a thousandth of the meeting's
            misread = _read_as_milliseconds(start) & _read_as_milliseconds(end)
            minutes = (
                pl.when(misread).then(seconds * 1000).otherwise(seconds) / 60
            ).round(1)
            header = f"{by_normal[start_key]} to {by_normal[end_key]} (minutes)"
            return header, minutes.cast(pl.String)
    for key in _CALL_DURATIONS:
        if key in by_normal:
            return f"{by_normal[key]} (minutes)", _call_minutes(by_normal[key])
    return None


def _activity_files(
    recognised: list[RecognisedFile], source: str, unmapped: str
) -> list[RecognisedFile]:
    """Return ``source``'s activity files read in a frame that map no ``unmapped``."""
    return [
        entry
        for entry in recognised
        if entry.source == source
        and entry.table == "activities"
        and entry.frame is not None
        and unmapped not in entry.mapping.values()
    ]


def engagement_durations(recognised: list[RecognisedFile]) -> None:
    """Give HubSpot meetings and calls their duration in minutes."""
    for entry in _activity_files(recognised, "hubspot", "duration_minutes"):
        assert entry.frame is not None
        computed = _duration_expr({normalise_header(h): h for h in entry.frame.columns})
        if computed is None:
            continue
        header, minutes = computed
        entry.frame = entry.frame.with_columns(minutes.alias(header))
        entry.headers = [*entry.headers, header]
        entry.mapping = {**entry.mapping, header: "duration_minutes"}
        entry.unmapped = [
            h
            for h in entry.unmapped
            if normalise_header(h)
            not in {k for pair in _MEETING_TIMES for k in pair} | set(_CALL_DURATIONS)
        ]


def first_of_several_ids(recognised: list[RecognisedFile]) -> list[Problem]:
    """Keep the first of several associated IDs in one cell (``123;456``); say how often.

    HubSpot's UI exports list every associated company or contact of a record
    in one cell. A person or an activity belongs to one account here, so the
    first (HubSpot's primary comes first) is kept.
    """
    problems: list[Problem] = []
    for entry in recognised:
        if entry.source != "hubspot" or entry.frame is None or entry.table is None:
            continue
        for header, column in entry.mapping.items():
            if column not in _ASSOCIATION_COLUMNS or header not in entry.frame.columns:
                continue
            cells = pl.col(header).cast(pl.String)
            several = entry.frame.select(
                cells.str.contains(";", literal=True).fill_null(False).sum()
            ).item()
            if not several:
                continue
            entry.frame = entry.frame.with_columns(
                cells.str.split(";").list.first().str.strip_chars().alias(header)
            )
            message = (
                N_(
                    "{count} row(s) list several associated companies; each keeps the first one listed"
                )
                if column == "account_id"
                else N_(
                    "{count} row(s) list several associated contacts; each keeps the first one listed"
                )
            )
            problems.append(
                make_problem(
                    "warning",
                    entry.name,
                    None,
                    header,
                    worded(message, count=f"{several:,}"),
                    "several_associations",
                )
            )
    return problems


def home_currency_amounts(recognised: list[RecognisedFile]) -> None:
    """Read a HubSpot deal's currency no more where its amount is the company's.

    HubSpot converts each deal's amount into the company's currency ("Amount
    in company currency"); where that is the amount read, the deal's own
    currency says nothing of it, and is not checked against the portfolio's.
    """
    home = {normalise_header(h) for h in HOME_CURRENCY_AMOUNTS}
    for entry in recognised:
        if entry.source != "hubspot" or entry.table != "opportunities":
            continue
        amounts = [h for h, c in entry.mapping.items() if c == "amount"]
        if not amounts or normalise_header(amounts[0]) not in home:
            continue
        dropped = [h for h, c in entry.mapping.items() if c == "currency"]
        entry.mapping = {h: c for h, c in entry.mapping.items() if c != "currency"}
        entry.unmapped = [*entry.unmapped, *dropped]


#: Salesforce's ID prefixes of the records a task's or an event's ``WhatId``
#: may name that give it an account: an account, and an opportunity (read
#: through the deal; :func:`workbench.store.imports.account_names`). A case, a
#: campaign or a custom object gives none: the person's account fills it.
SALESFORCE_ACCOUNT_PREFIXES: tuple[str, ...] = ("001", "006")


def salesforce_related_accounts(recognised: list[RecognisedFile]) -> None:
    """Give Salesforce tasks and events exported without ``AccountId`` their ``WhatId``.

    Salesforce fills a task's ``AccountId`` from what it is related to
    (``WhatId``) or from its person (``WhoId``), but an export may leave the
    column out. Where it does, an account or an opportunity ``WhatId`` names
    stands in (the opportunity's account is read through the deal); any other
    record (a case, a campaign) gives no account, and the person's does.
    """
    for entry in _activity_files(recognised, "salesforce", "account_id"):
        assert entry.frame is not None
        what = next(
            (h for h in entry.frame.columns if normalise_header(h) == "whatid"), None
        )
        if what is None:
            continue
        header = f"{what} (an account or an opportunity)"
        related = pl.col(what).cast(pl.String).str.strip_chars()
        entry.frame = entry.frame.with_columns(
            pl.when(related.str.slice(0, 3).is_in(SALESFORCE_ACCOUNT_PREFIXES))
            .then(related)
            .alias(header)
        )
        entry.headers = [*entry.headers, header]
        entry.mapping = {**entry.mapping, header: "account_id"}
        entry.unmapped = [h for h in entry.unmapped if h != what]
