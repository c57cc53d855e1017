"""Metrics of one buying centre: role coverage, breadth and depth, risks, and the report.

Whom to reach next, and the warm paths, are :mod:`.reach`'s; the report gathers them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import networkx as nx
import polars as pl

from workbench import terms
from workbench.analytics.network.deals import DealBasis, deal_basis, deal_focus
from workbench.analytics.network.people import (
    HIGH_INFLUENCE,
    SINGLE_THREAD_SHARE,
    STALE_DAYS,
    UNKNOWN,
    people,
    reporting_graph,
    still_there,
)
from workbench.analytics.network.reach import reach_next
from workbench.analytics.sentences import sentence, term_expr, words
from workbench.domain import BUYING_ROLES
from workbench.i18n import DEFAULT_LANGUAGE, N_

if TYPE_CHECKING:
    from workbench.domain import BuyingCentreData


@dataclass(frozen=True)
class BreadthDepth:
    """How wide and how deep our contact with the account reaches."""

    contacts_present: int
    contacts_engaged: int
    departments_present: int
    departments_engaged: int
    levels_present: int
    levels_reached: int
    top_level_reached: int | None  # the highest rank we touched: 1 is the top
    sellers_engaged: int
    #: people the CRM (or a workshop) says have left: not counted as present
    contacts_left: int
    #: ``function, touches, minutes, touch_share, minute_share`` with functions
    #: ``executive``, ``procurement``, ``other`` and ``no person named``.
    effort: pl.DataFrame = field(repr=False)


@dataclass(frozen=True)
class BuyingCentreReport:
    """Everything computed beside the map."""

    coverage: pl.DataFrame
    breadth: BreadthDepth
    risks: pl.DataFrame
    reach_next: pl.DataFrame
    #: the deal the figures are for; None: the whole account
    deal: DealBasis | None = None


def role_coverage(persons: pl.DataFrame) -> pl.DataFrame:
    """Return, for each of the seven roles (and unknown), who is present and engaged.

    People who have left the account are not present: a decider who left
    leaves the role uncovered, whatever our touches with them were.

    Returns:
        ``role, present, engaged, status, coverage`` where ``present`` and ``engaged`` count
        people and ``status`` is ``engaged`` (at least one touched), ``not
        engaged`` or ``missing``; ``coverage`` says the gap in words ("1 of 3
        covered", "nobody known").
    """
    roles = pl.DataFrame({"role": [*BUYING_ROLES, UNKNOWN]})
    counts = (
        still_there(persons)
        .group_by("role")
        .agg(
            pl.len().cast(pl.Int64).alias("present"),
            pl.col("engaged").sum().cast(pl.Int64).alias("engaged"),
        )
    )
    return (
        roles.join(counts, on="role", how="left", maintain_order="left")
        .with_columns(pl.col("present", "engaged").fill_null(0))
        .with_columns(
            pl.when(pl.col("engaged") > 0)
            .then(pl.lit("engaged"))
            .when(pl.col("present") > 0)
            .then(pl.lit("not engaged"))
            .otherwise(pl.lit("missing"))
            .alias("status")
        )
        .with_columns(
            # the gap in words: "1 of 3 covered" is not "engaged"
            pl.when(pl.col("present") == 0)
            .then(pl.lit("nobody known"))
            .otherwise(pl.format("{} of {} covered", "engaged", "present"))
            .alias("coverage")
        )
    )


def breadth_and_depth(persons: pl.DataFrame, touches: pl.DataFrame) -> BreadthDepth:
    """Return departments and org levels engaged out of those present, and effort by function.

    Present and engaged count the people still at the account; the effort by
    function counts every touch in the window, with people who left since too
    (the hours were spent).
    """
    function_of = persons.select("contact_id", "function")
    left = persons.height
    persons = still_there(persons)
    left -= persons.height
    engaged = persons.filter(pl.col("engaged"))
    effort_rows = (
        touches.join(function_of, on="contact_id", how="left")
        .with_columns(pl.col("function").fill_null("no person named"))
        .group_by("function")
        .agg(
            pl.col("touches").sum().cast(pl.Int64),
            pl.col("minutes").sum().cast(pl.Float64),
        )
    )
    functions = pl.DataFrame(
        {"function": ["executive", "procurement", "other", "no person named"]}
    )
    effort = (
        functions.join(effort_rows, on="function", how="left", maintain_order="left")
        .with_columns(pl.col("touches").fill_null(0), pl.col("minutes").fill_null(0.0))
        .with_columns(
            _share(pl.col("touches")).alias("touch_share"),
            _share(pl.col("minutes")).alias("minute_share"),
        )
    )
    top = engaged["level"].drop_nulls().min()
    return BreadthDepth(
        contacts_present=persons.height,
        contacts_engaged=engaged.height,
        departments_present=persons["department"].drop_nulls().n_unique(),
        departments_engaged=engaged["department"].drop_nulls().n_unique(),
        levels_present=persons["level"].drop_nulls().n_unique(),
        levels_reached=engaged["level"].drop_nulls().n_unique(),
        top_level_reached=int(top) if isinstance(top, int) else None,
        sellers_engaged=touches["seller_id"].drop_nulls().n_unique(),
        contacts_left=left,
        effort=effort,
    )


def _share(column: pl.Expr) -> pl.Expr:
    total = column.sum()
    return pl.when(total > 0).then(column / total).otherwise(0.0).cast(pl.Float64)


_RISK_SCHEMA = pl.Schema(
    {
        "risk": pl.String(),
        "contact_id": pl.String(),
        "name": pl.String(),
        "detail": pl.String(),
    }
)


def find_risks(
    data: BuyingCentreData,
    persons: pl.DataFrame | None = None,
    *,
    stale_days: int = STALE_DAYS,
    single_thread_share: float = SINGLE_THREAD_SHARE,
    focus: pl.DataFrame | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> pl.DataFrame:
    """Return the account's relationship risks, one row per finding.

    Risks: ``single-threaded`` (all, or more than ``single_thread_share``, of our
    touches with named people go through one person), ``key person left`` (a
    decider or approver, a person of influence 4 or 5, or one we touched in the
    window, has left the account), ``no contact`` (no touch
    with any named person in the window), ``dark
    decider`` / ``dark approver`` (no touch in the window), ``high-influence
    skeptic`` / ``high-influence blocker`` (influence ≥ 4), ``stale key player``
    (influence ≥ 4, last touch older than ``stale_days`` or never), ``detractor
    decider`` (decider or approver whose latest NPS is a detractor): these four
    about the people still at the account; ``reporting
    cycle``, ``broken reporting line`` (to a missing person or another account)
    and ``broken influence link`` (to someone outside the account).

    With ``focus`` (some of ``persons``, e.g. a deal's buying centre, their roles
    on the deal) the risks are about those people only; reporting lines and
    influence links are still judged on the whole account.

    The ``risk`` column holds the codes above in every language (a screen shows
    them through ``workbench.terms.relationship_risk``); the ``detail`` sentences
    are written in ``language`` (English by default, as ``--json`` carries them).

    Returns:
        ``risk, contact_id, name, detail`` (``contact_id`` NULL for account-wide risks).
    """
    persons = people(data) if persons is None else persons
    about = persons if focus is None else focus
    # what a person can still do (decide, block, be reached) is judged on the
    # people still there; who left, on everyone
    now = still_there(about)
    # a person without a role reads as such, not as the code ``unknown``
    role = term_expr(
        "role", {**terms.BUYING_ROLES, UNKNOWN: N_("role unknown")}, language
    )
    frames = [
        _single_thread_risk(about, single_thread_share, language),
        _left_risks(about, language),
        now.filter(
            pl.col("role").is_in(["decider", "approver"]) & ~pl.col("engaged")
        ).select(
            ("dark " + pl.col("role")).alias("risk"),
            "contact_id",
            "name",
            sentence(
                N_("no touch between {start} and {end}; last touch {last_touch}"),
                language,
                start=pl.lit(str(data.start)),
                end=pl.lit(str(data.end)),
                last_touch=pl.col("last_touch")
                .cast(pl.String)
                .fill_null(words(N_("never"), language)),
            ).alias("detail"),
        ),
        now.filter(
            pl.col("attitude").is_in(["skeptic", "blocker"])
            & (pl.col("influence") >= HIGH_INFLUENCE)
        ).select(
            ("high-influence " + pl.col("attitude")).alias("risk"),
            "contact_id",
            "name",
            sentence(
                N_("{role} with influence {influence} of 5"),
                language,
                role=role,
                influence="influence",
            ).alias("detail"),
        ),
        _stale_risks(now, stale_days, data.end, language),
        now.filter(
            pl.col("role").is_in(["decider", "approver"]) & pl.col("detractor")
        ).select(
            pl.lit("detractor decider").alias("risk"),
            "contact_id",
            "name",
            sentence(
                N_("{role} whose latest NPS is {score} ({day})"),
                language,
                role=role,
                score="nps_score",
                day=pl.col("nps_date").cast(pl.String),
            ).alias("detail"),
        ),
        _cycle_risks(persons),
        _broken_line_risks(persons, language),
        _broken_influence_risks(persons, data.influences, language),
    ]
    risks = pl.concat(
        [frame.select(list(_RISK_SCHEMA)).cast(_RISK_SCHEMA) for frame in frames]
    )
    if focus is None:
        return risks
    return risks.filter(
        pl.col("contact_id").is_null()
        | pl.col("contact_id").is_in(focus["contact_id"].implode())
    )


def _left_risks(persons: pl.DataFrame, language: str) -> pl.DataFrame:
    # A key person who left: a decider or approver, an influence of 4 or 5, or
    # someone our touches in the window went through (the thread we lost). The
    # classic warning that a deal or a renewal has lost its sponsor.
    role = term_expr(
        "role", {**terms.BUYING_ROLES, UNKNOWN: N_("role unknown")}, language
    )
    return persons.filter(
        pl.col("has_left")
        & (
            pl.col("role").is_in(["decider", "approver"])
            | (pl.col("influence") >= HIGH_INFLUENCE).fill_null(False)
            | (pl.col("touches") > 0)
        )
    ).select(
        pl.lit("key person left").alias("risk"),
        "contact_id",
        "name",
        sentence(
            N_("has left the account ({role}); {touches} of our touches in the window"),
            language,
            role=role,
            touches="touches",
        ).alias("detail"),
    )


def _stale_risks(
    persons: pl.DataFrame, stale_days: int, end: date, language: str
) -> pl.DataFrame:
    # Key players (influence 4 or 5) not touched for ``stale_days`` or never.
    return persons.filter(
        (pl.col("influence") >= HIGH_INFLUENCE)
        & (
            pl.col("days_since_touch").is_null()
            | (pl.col("days_since_touch") > stale_days)
        )
    ).select(
        pl.lit("stale key player").alias("risk"),
        "contact_id",
        "name",
        pl.when(pl.col("last_touch").is_null())
        .then(pl.lit(words(N_("never touched"), language)))
        .otherwise(
            sentence(
                N_("last touch {day} ({days} days before {end})"),
                language,
                day=pl.col("last_touch").cast(pl.String),
                days="days_since_touch",
                end=pl.lit(str(end)),
            )
        )
        .alias("detail"),
    )


def _single_thread_risk(
    persons: pl.DataFrame, threshold: float, language: str
) -> pl.DataFrame:
    touched = persons.filter(pl.col("touches") > 0).sort(
        ["touches", "contact_id"], descending=[True, False]
    )
    total = int(touched["touches"].sum())
    if total == 0:
        return pl.DataFrame(
            {
                "risk": ["no contact"],
                "contact_id": [None],
                "name": [None],
                "detail": [
                    words(N_("no touch with any named person in the window"), language)
                ],
            },
            schema=_RISK_SCHEMA,
        )
    top = touched.row(0, named=True)
    share = top["touches"] / total
    if touched.height > 1 and share <= threshold:
        return pl.DataFrame(schema=_RISK_SCHEMA)
    detail = (
        words(N_("all our touches in the window go through this person"), language)
        if touched.height == 1
        else words(
            N_("{share} of our touches in the window go through this person"),
            language,
        ).format(share=f"{share:.0%}")
    )
    return pl.DataFrame(
        {
            "risk": ["single-threaded"],
            "contact_id": [top["contact_id"]],
            "name": [top["name"]],
            "detail": [detail],
        },
        schema=_RISK_SCHEMA,
    )


def reporting_cycles(contacts: pl.DataFrame) -> list[list[str]]:
    """Return every reporting cycle as the list of people in it (A reports to B … to A)."""
    graph = reporting_graph(contacts)
    cycles = [sorted_cycle(cycle) for cycle in nx.simple_cycles(graph)]
    return sorted(cycles)


def sorted_cycle(cycle: list[str]) -> list[str]:
    """Return a cycle rotated to start at its smallest ID (one spelling per cycle)."""
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


def _cycle_risks(persons: pl.DataFrame) -> pl.DataFrame:
    names = dict(
        zip(persons["contact_id"].to_list(), persons["name"].to_list(), strict=True)
    )
    rows = [
        {
            "risk": "reporting cycle",
            "contact_id": cycle[0],
            "name": names.get(cycle[0]),
            "detail": " → ".join(str(names.get(c) or c) for c in [*cycle, cycle[0]]),
        }
        for cycle in reporting_cycles(persons)
    ]
    return pl.DataFrame(rows, schema=_RISK_SCHEMA)


def _broken_line_risks(persons: pl.DataFrame, language: str) -> pl.DataFrame:
    broken = persons.filter(
        pl.col("reports_to_id").is_not_null()
        & ~pl.col("reports_to_id").is_in(persons["contact_id"].implode())
    )
    return broken.select(
        pl.lit("broken reporting line").alias("risk"),
        "contact_id",
        "name",
        pl.when(pl.col("manager_account_id").is_null())
        .then(
            sentence(
                N_("reports to {manager}, who is not in the data"),
                language,
                manager="reports_to_id",
            )
        )
        .otherwise(
            sentence(
                N_("reports to {manager} of another account ({account})"),
                language,
                manager="reports_to_id",
                account="manager_account_id",
            )
        )
        .alias("detail"),
    )


def _broken_influence_risks(
    persons: pl.DataFrame, influences: pl.DataFrame, language: str
) -> pl.DataFrame:
    inside = persons["contact_id"].implode()
    broken = influences.filter(
        ~pl.col("from_contact_id").is_in(inside)
        | ~pl.col("to_contact_id").is_in(inside)
    )
    named = broken.with_columns(
        pl.when(pl.col("from_contact_id").is_in(inside))
        .then(pl.col("from_contact_id"))
        .otherwise(pl.col("to_contact_id"))
        .alias("contact_id"),
        pl.when(pl.col("from_contact_id").is_in(inside))
        .then(pl.col("to_contact_id"))
        .otherwise(pl.col("from_contact_id"))
        .alias("outsider"),
    ).join(persons.select("contact_id", "name"), on="contact_id", how="left")
    return named.select(
        pl.lit("broken influence link").alias("risk"),
        "contact_id",
        "name",
        sentence(
            N_("linked to {outsider}, who is not in this account"),
            language,
            outsider="outsider",
        ).alias("detail"),
    )


def analyse_buying_centre(
    data: BuyingCentreData,
    *,
    stale_days: int = STALE_DAYS,
    single_thread_share: float = SINGLE_THREAD_SHARE,
    reach_limit: int = 10,
    deals: pl.DataFrame | None = None,
    opportunity_id: str | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> BuyingCentreReport:
    """Return role coverage, breadth and depth, risks and whom to reach next.

    With ``deals`` (``store.account_deals``) and an ``opportunity_id`` the figures
    are the deal's buying centre: the people the CRM names on it, with their role
    on the deal (:func:`~workbench.analytics.network.deals.deal_focus`), and our
    touches with them. A deal that names nobody of the account gives the whole
    account's figures, and the report's ``deal`` says so (``names_nobody``).
    The risks' sentences are written in ``language`` (see :func:`find_risks`).
    """
    persons = people(data)
    focus, touches, basis = persons, data.touches, None
    if deals is not None and opportunity_id is not None:
        named = deal_focus(deals, opportunity_id, persons)
        basis = deal_basis(deals, opportunity_id, named)
        if not basis.names_nobody:
            focus = named
            touches = touches.filter(
                pl.col("contact_id").is_in(list(basis.contact_ids))
            )
    return BuyingCentreReport(
        coverage=role_coverage(focus),
        breadth=breadth_and_depth(focus, touches),
        risks=find_risks(
            data,
            persons,
            stale_days=stale_days,
            single_thread_share=single_thread_share,
            focus=None if focus is persons else focus,
            language=language,
        ),
        reach_next=reach_next(
            persons,
            data.influences,
            limit=reach_limit,
            candidates=None if focus is persons else focus,
        ),
        deal=basis,
    )
