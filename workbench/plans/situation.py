"""The situation a plan opens with, computed from the analytics for an as-of date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import polars as pl

from workbench import readers, store
from workbench.analytics import effort, network, voice
from workbench.analytics.segment import explain_segments
from workbench.errors import RejectedInputError
from workbench.i18n import N_
from workbench.plans.facts import CRM_FACTS, EFFORT_FACTS, SEGMENT_FACTS, facts_of
from workbench.plans.model import (
    DETRACTORS_TABLE,
    EFFORT_ISSUES_TABLE,
    MAX_TABLE_ROWS,
    Cell,
    Fact,
    SituationPart,
)
from workbench.plans.wording import reasons_worded, situation_table

if TYPE_CHECKING:
    from collections.abc import Callable


def _missing_part(
    con: store.Connection, key: str, title: str, account_id: str
) -> SituationPart:
    """Return the part of an account the portfolio's figures do not hold."""
    typed = store.accounts_not_segmented(con).filter(pl.col("account_id") == account_id)
    if typed.height:
        # a competitor, partner or supplier: no customer to value
        note = _note(
            N_(
                "Not segmented: the CRM types this account as no customer "
                "({crm_type}) and no deal is on record for it."
            ),
            crm_type=str(typed["crm_type"][0]),
        )
    else:
        note = _note(N_("no such account"))
    return SituationPart(key, title, "unavailable", **note)


def _note(template: str, **args: Cell) -> dict[str, Any]:
    """Return a part's note in English with the message and values it came from.

    ``template`` is a catalogue message (marked ``N_``); the note is stored as
    written in English and re-written in the language in force when shown.
    """
    return {
        "note": template.format(**args),
        "note_template": template,
        "note_args": args,
    }


def default_as_of(con: store.Connection) -> date:
    """Return the as-of date situations use: the last day in the data, else today."""
    _, last_day = store.data_date_range(con)
    return last_day or datetime.now(UTC).date()


def situation_from_crm(
    con: store.Connection, account_id: str, as_of: date
) -> SituationPart:
    """Return what the CRM tables say directly: revenue, effort, people by role."""
    facts = store.account_plan_facts(con, account_id, as_of)
    if facts is None:
        return SituationPart(
            "crm",
            N_("From the CRM"),
            "unavailable",
            **_note(N_("no account {account_id}"), account_id=account_id),
        )
    roles = store.account_contacts_by_role(con, account_id)
    gaps = roles.filter(
        (pl.col("contacts") == 0) & (pl.col("buying_role") != "(unknown)")
    )["buying_role"].to_list()
    part = SituationPart(
        key="crm",
        title=N_("From the CRM"),
        status="ready",
        **_note(
            N_(
                "Won revenue, effort and activities cover the 12 months up to "
                "{as_of}; the pipeline is every open deal."
            ),
            as_of=as_of.isoformat(),
        ),
        facts=[
            *facts_of(facts, CRM_FACTS),
            Fact(N_("Buying roles with nobody known"), ", ".join(gaps) or "none"),
        ],
        tables=[situation_table(N_("People by buying role"), roles)],
    )
    if facts["relationship_override"]:
        part.facts.append(
            Fact(N_("Relationship set by a person"), facts["relationship_override"])
        )
        part.facts.append(
            Fact(
                N_("Reason for the relationship"),
                f"{facts['relationship_reason']} ({facts['relationship_set_by']})",
            )
        )
    return part


#: The strategy each value segment implies (Peppers & Rogers' differentiation).
SEGMENT_STRATEGY: dict[str, str] = {
    "most_valuable": N_(
        "Retain: protect the relationship with senior coverage, dependable service "
        "and no surprises at renewal."
    ),
    "most_growable": N_(
        "Grow: win share of wallet; reach the deciders and influencers we do not "
        "cover yet and widen the offer."
    ),
    "below_zero": N_(
        "Fix the economics: lower the cost to serve (fewer visits, inside sales, "
        "self-service) or raise price and margin before investing more."
    ),
    "maintain": N_(
        "Maintain efficiently: standard offer and service at a low cost to serve; "
        "watch for signs of growth."
    ),
    "no_data": N_(
        "Find out first: the CRM holds no revenue, people, activity or open deal for "
        "this account; record who buys and what before ranking or investing."
    ),
}


def _account_row(frame: pl.DataFrame, account_id: str) -> dict[str, Any] | None:
    rows = frame.filter(pl.col("account_id") == account_id)
    return rows.row(0, named=True) if rows.height else None


def situation_from_segment(
    con: store.Connection,
    account_id: str,
    as_of: date,
    segments: pl.DataFrame | None = None,
) -> SituationPart:
    """Return the value segment, relationship type, contribution and cost-to-serve.

    ``segments``: :func:`workbench.readers.account_segments` for ``as_of`` at
    the default thresholds already worked out (see :class:`PortfolioFrames`),
    explained or not; read when not given.
    """
    if segments is None:
        segments = readers.account_segments(con, as_of=as_of, explain=False)
    account = segments.filter(pl.col("account_id") == account_id).head(1)
    title = N_("Value segment and relationship")
    if not account.height:
        return _missing_part(con, "segment", title, account_id)
    if "value_reason" not in account.columns:
        # this account's reasons alone: the same text as explaining every account
        account = explain_segments(account)
    row = account.row(0, named=True)
    value_segment = str(row["value_segment"])
    return SituationPart(
        key="segment",
        title=title,
        status="ready",
        **_note(
            N_(
                "Segmentation with the default thresholds, over the 12 months up to "
                "{as_of}. Strategy: {strategy}"
            ),
            as_of=as_of.isoformat(),
            strategy=SEGMENT_STRATEGY.get(value_segment, ""),
        ),
        facts=reasons_worded(
            facts_of(row, SEGMENT_FACTS),
            account,
            {c: SEGMENT_FACTS[c] for c in ("value_reason", "relationship_reason")},
        ),
    )


def situation_from_effort(
    con: store.Connection,
    account_id: str,
    as_of: date,
    judged: pl.DataFrame | None = None,
) -> SituationPart:
    """Return the effort we spend on the account against the value it brings.

    From :mod:`workbench.analytics.effort` over the 12 months up to ``as_of``,
    judged as on the Effort page (:func:`workbench.readers.judged_effort`): shares
    of the portfolio's effort, revenue and contribution, the band of hours its
    service model deserves, whom the model says to involve, and the verdicts (one
    per dimension, never two that contradict). Drafting quotes the involvement,
    so the plan says what the verdicts say. ``judged``: that frame for ``as_of``
    already worked out (see :class:`PortfolioFrames`); read when not given.
    """
    title = N_("Effort against value")
    if judged is None:
        judged = readers.judged_effort(con, as_of=as_of)
    accounts = judged.with_columns(
        # accounts with the same hours share a rank
        pl.col("effort_hours")
        .rank("min", descending=True)
        .cast(pl.Int64)
        .alias("effort_rank")
    )
    row = _account_row(accounts, account_id)
    if row is None:
        return _missing_part(con, "effort", title, account_id)
    issues = effort.issues(accounts.filter(pl.col("account_id") == account_id))
    effort_share = row["effort_share_pct"]
    revenue_share = row["revenue_share_pct"]
    ratio = (
        effort_share / revenue_share
        if effort_share is not None and revenue_share
        else None
    )
    # The note quotes the issues in English; shown in another language, they are
    # said again from the issues table (wording.part_note).
    found = "; ".join(
        f"{issue.replace('_', ' ')} ({why})"
        for issue, why in issues.select("issue", "why").rows()
    )
    if issues.height:
        note = N_(
            "12 months up to {as_of}, shares of the portfolio's totals. "
            "Effort issues: {issues}."
        )
    elif row["investment"] == "not_judged":
        note = N_(
            "12 months up to {as_of}, shares of the portfolio's totals. "
            "No data to judge the effort by."
        )
    else:
        note = N_(
            "12 months up to {as_of}, shares of the portfolio's totals. "
            "Effort fits the account's service model."
        )
    hours = row["effort_hours"] or 0.0
    by_kind = store.account_effort_by_kind(con, account_id, as_of)
    part = SituationPart(
        key="effort",
        title=title,
        status="ready",
        **_note(note, as_of=as_of.isoformat(), issues=found),
        facts=facts_of(
            {
                **row,
                "effort_hours": hours,
                "ratio": ratio,
                # no hours: no place in the ranking (every such account would
                # share the last, or with no effort recorded, the first)
                "rank": f"{row['effort_rank']} of {accounts.height}" if hours else None,
                "contribution_per_hour": row["contribution"] / hours if hours else None,
                "issues_found": issues.height,
            },
            EFFORT_FACTS,
        ),
    )
    if issues.height:
        part.tables.append(
            situation_table(
                EFFORT_ISSUES_TABLE,
                issues.select("issue", "why"),
                lambda language: effort.issues(
                    accounts.filter(pl.col("account_id") == account_id),
                    language=language,
                ).select("issue", "why"),
            )
        )
    if by_kind.height:
        part.tables.append(situation_table(N_("Effort by kind of activity"), by_kind))
    return part


#: The situation's table of our people who worked the account (drafting reads it
#: to propose owners by role).
OUR_TEAM_TABLE = N_("Our people on the account")


def our_team(touches: pl.DataFrame) -> pl.DataFrame:
    """Return our people who touched the account in the window, the busiest first.

    Columns: ``name, team, touches, people`` (how many of the customer's people).
    """
    return (
        touches.filter(pl.col("seller_id").is_not_null())
        .group_by("seller_id")
        .agg(
            pl.col("seller_name").first().alias("name"),
            pl.col("seller_team").first().alias("team"),
            pl.col("touches").sum().cast(pl.Int64),
            pl.col("contact_id").drop_nulls().n_unique().cast(pl.Int64).alias("people"),
        )
        .with_columns(pl.col("name").fill_null(pl.col("seller_id")))
        .sort(["touches", "name"], descending=[True, False])
        .head(MAX_TABLE_ROWS)
        .select("name", "team", "touches", "people")
    )


def situation_from_network(
    con: store.Connection, account_id: str, as_of: date
) -> SituationPart:
    """Return the buying-centre map's coverage gaps and risks for the account."""
    title = N_("Coverage of the buying centre")
    try:
        data = store.read_buying_centre(con, account_id, months=12, as_of=as_of)
    except RejectedInputError as error:
        return SituationPart("coverage", title, "unavailable", str(error))
    report = network.analyse_buying_centre(data)
    coverage = report.coverage
    breadth = report.breadth
    missing = coverage.filter(pl.col("status") == "missing")["role"].to_list()
    not_engaged = coverage.filter(pl.col("status") == "not engaged")["role"].to_list()
    part = SituationPart(
        key="coverage",
        title=title,
        status="ready",
        **_note(
            N_("Our touches from {start} (excluded) to {end}."),
            start=str(data.start),
            end=str(data.end),
        ),
        facts=[
            Fact(
                N_("People we touched"),
                f"{breadth.contacts_engaged} of {breadth.contacts_present}",
            ),
            Fact(
                N_("Departments we touched"),
                f"{breadth.departments_engaged} of {breadth.departments_present}",
            ),
            Fact(
                N_("Levels reached"),
                f"{breadth.levels_reached} of {breadth.levels_present}",
            ),
            Fact(N_("Highest level reached (1 = top)"), breadth.top_level_reached),
            Fact(N_("Our people involved"), breadth.sellers_engaged),
            Fact(N_("People who have left (not counted above)"), breadth.contacts_left),
            Fact(
                N_("Roles with nobody known"),
                ", ".join(r for r in missing if r != network.UNKNOWN) or "none",
            ),
            Fact(N_("Roles known but not touched"), ", ".join(not_engaged) or "none"),
            Fact(N_("Relationship risks found"), report.risks.height),
        ],
        tables=[situation_table(N_("Coverage by buying role"), coverage)],
    )
    if report.risks.height:
        shown = ("risk", "name", "detail")
        persons = network.people(data)
        part.tables.append(
            situation_table(
                N_("Relationship risks"),
                report.risks.select(shown).head(MAX_TABLE_ROWS),
                lambda language: (
                    network.find_risks(data, persons, language=language)
                    .select(shown)
                    .head(MAX_TABLE_ROWS)
                ),
            )
        )
    team = our_team(data.touches)
    if team.height:
        part.tables.append(situation_table(OUR_TEAM_TABLE, team))
    if report.reach_next.height:
        part.tables.append(
            situation_table(
                N_("Whom to reach next"),
                report.reach_next.head(5).select(
                    "rank", "name", "title", "role", "influence", "attitude", "path"
                ),
            )
        )
    return part


_NO_ANSWERS = N_(
    "Nobody at this account answered an NPS survey between {since} and {as_of}."
)
_ANSWERS_COUNTED = N_(
    "NPS answers from {since} (excluded) to {as_of}, each person once (the latest); "
    "NPS = {percent} promoters (9–10) − {percent} detractors (0–6), with a 95 "
    "{percent} interval; under {minimum} answers a figure is “{too_few}”."
)
_BY_ROLE_COLUMNS = (
    "role",
    "responses",
    "promoters",
    "passives",
    "detractors",
    "nps",
    "nps_low",
    "nps_high",
    "basis",
)


def situation_from_voice(
    con: store.Connection, account_id: str, as_of: date
) -> SituationPart:
    """Return the account's NPS by buying role over the 12 months up to ``as_of``."""
    title = N_("Voice of the customer")
    since = _months_before(as_of, 12)
    responses = store.account_nps_responses(con, account_id, since, as_of)
    if responses.filter(pl.col("score").is_not_null()).height == 0:
        return SituationPart(
            "voice",
            title,
            "unavailable",
            **_note(_NO_ANSWERS, since=since.isoformat(), as_of=as_of.isoformat()),
        )
    # Each person once (the latest answer); a figure on fewer than
    # voice.MIN_RESPONSES answers is shown as "too few answers", never as a number.
    counted = voice.one_answer_per_person(responses)
    overall = voice.summarise_nps(counted).row(0, named=True)
    by_role = _trusted_figures(voice.nps_by_role(counted)).select(_BY_ROLE_COLUMNS)
    risky = voice.risky_detractors(responses).select(
        "contact_name", "title", "buying_role", "influence", "score", "why"
    )
    conflicts = voice.role_conflict_tests(counted).filter(pl.col("flagged"))
    silent_roles = by_role.filter(pl.col("responses") == 0)["role"].to_list()
    enough = not overall["too_few"]
    part = SituationPart(
        key="voice",
        title=title,
        status="ready",
        **_note(
            _ANSWERS_COUNTED,
            since=since.isoformat(),
            as_of=as_of.isoformat(),
            percent="%",
            minimum=voice.MIN_RESPONSES,
            too_few=voice.TOO_FEW_LABEL,
        ),
        facts=[
            Fact(N_("NPS, all roles"), overall["nps"] if enough else None),
            Fact(
                N_("NPS interval, all roles"),
                f"{overall['nps_low']:+.0f} to {overall['nps_high']:+.0f}"
                if enough
                else voice.TOO_FEW_LABEL,
            ),
            Fact(N_("Answers"), overall["responses"]),
            Fact(N_("Roles nobody answered for"), ", ".join(silent_roles) or "none"),
            Fact(N_("Influential or deciding detractors"), risky.height),
            Fact(N_("Role conflicts beyond chance"), conflicts.height),
        ],
        tables=[situation_table(N_("NPS by buying role"), by_role)],
    )
    if conflicts.height:
        part.tables.append(
            situation_table(
                N_("Role conflicts beyond chance"),
                conflicts.select(
                    "high_role",
                    "high_nps",
                    "high_responses",
                    "low_role",
                    "low_nps",
                    "low_responses",
                    "gap",
                    "p_value",
                ),
            )
        )
    open_needs = store.requirement_conflicts(con, account_id).filter(
        pl.col("status") == "open"
    )
    part.facts.append(Fact(N_("Open requirement conflicts"), open_needs.height))
    if open_needs.height:
        part.tables.append(
            situation_table(
                N_("Open requirement conflicts"),
                open_needs.select("role_a", "need_a", "role_b", "need_b", "owner").head(
                    MAX_TABLE_ROWS
                ),
            )
        )
    if risky.height:
        part.tables.append(
            situation_table(DETRACTORS_TABLE, risky.head(MAX_TABLE_ROWS))
        )
    return part


def _trusted_figures(counts: pl.DataFrame) -> pl.DataFrame:
    # A plan is a document: no grey, so a thin figure is blanked and labelled.
    too_few = pl.col("too_few") & (pl.col("responses") > 0)
    return counts.with_columns(
        *(
            pl.when(too_few).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("nps", "nps_low", "nps_high")
        ),
        pl.when(too_few)
        .then(pl.lit(voice.TOO_FEW_LABEL))
        .when(pl.col("responses") == 0)
        .then(pl.lit("no answers"))
        .otherwise(pl.lit("enough answers"))
        .alias("basis"),
    )


def _months_before(day: date, months: int) -> date:
    # The same day ``months`` earlier, clipped to the month's end (29 Feb → 28 Feb).
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"cannot go back {months} months from {day}")


#: The situation's sources in the order the plan shows them (and
#: :func:`workbench.plans.assembly.build_situation` calls them); each is one function.
SITUATION_SOURCES: tuple[
    Callable[[store.Connection, str, date], SituationPart], ...
] = (
    situation_from_crm,
    situation_from_segment,
    situation_from_effort,
    situation_from_network,
    situation_from_voice,
)
