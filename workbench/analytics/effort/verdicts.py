"""Verdicts: each account against its service model, one verdict per dimension.

Two dimensions, each with one verdict per account, so two verdicts can never
contradict each other:

- **investment** (``under_invested``, ``over_invested``, ``right`` or
  ``not_judged``): the account's hours against the band its row of the service
  model (:mod:`.model`) deserves;
- **people** (``wrong_people``, ``right`` or ``not_judged``): whom our named hours
  went to against whom the model says to involve. Activities that name no person
  are *unattributed*: they count in the hours, never in a people share, so an
  account whose contacts are unknown is not judged on people at all.

One rule keeps the two consistent: an account under-invested on a
purchasing-only model is never also told its effort is too broad (more hours,
with purchasing, is one message). :func:`issues` lists the verdicts as rows for
the command line, the page and plans.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import polars as pl

from workbench import terms
from workbench.analytics.effort.model import default_model
from workbench.analytics.sentences import phrase_expr, sentence, term_expr, words
from workbench.i18n import DEFAULT_LANGUAGE, N_

INVESTMENT_VERDICTS: tuple[str, ...] = (
    "under_invested",
    "over_invested",
    "right",
    "not_judged",
)
PEOPLE_VERDICTS: tuple[str, ...] = ("wrong_people", "right", "not_judged")

#: Issues of :func:`issues`: ``over_served`` / ``under_served`` (investment), and
#: the people issue the account's involvement calls for: ``broad_transactional``
#: (the model says purchasing only, and our named hours go beyond it),
#: ``procurement_only_partnership`` (the model says functions and executives, and
#: nearly all named hours are with purchasing), ``deciders_not_reached`` (the model
#: says purchasing and the deciders, and nearly all are with purchasing).
ISSUES: tuple[str, ...] = (
    "over_served",
    "under_served",
    "procurement_only_partnership",
    "deciders_not_reached",
    "broad_transactional",
)
#: Issues that may never sit together on one account.
CONTRADICTIONS: tuple[tuple[str, str], ...] = (
    ("under_served", "over_served"),
    ("under_served", "broad_transactional"),
)


@dataclass(frozen=True)
class MisallocationRules:
    """How strictly accounts are held to their service model; every field a slider.

    Attributes:
        over_factor: over-invested above the band's high end × this (1: the band
            itself; 1.5 tolerates half as much again).
        thin_factor: under-invested below the band's low end × this (1: the band
            itself; 0.5 only when below half of it).
        broad_share_pct: on a purchasing-only model, effort is too broad when at
            least this share of the named hours goes beyond purchasing (60) ...
        executive_share_pct: ... or at least this share to executives (10).
        narrow_share_pct: on a model that involves more than purchasing, effort is
            too narrow when less than this share of the named hours goes beyond
            purchasing (20).
        min_named_hours: people are judged only on at least this many hours with
            named people (1): below it, too little is known.
    """

    over_factor: float = 1.0
    thin_factor: float = 1.0
    broad_share_pct: float = 60.0
    executive_share_pct: float = 10.0
    narrow_share_pct: float = 20.0
    min_named_hours: float = 1.0

    def changed(self, **changes: float) -> MisallocationRules:
        """Return a copy with some rules changed."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown rules: {', '.join(unknown)}")
        return MisallocationRules(**{**self.__dict__, **changes})


def _whole(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null(0).round(0).cast(pl.Int64).cast(pl.String)


def _money(expr: pl.Expr) -> pl.Expr:
    # A whole amount with thousands separators ("-1,234,567"), vectorised: the
    # groups of three digits padded, joined, and the leading zeros cut.
    whole = expr.fill_null(0).round(0).cast(pl.Int64)
    size = whole.abs()
    groups = [
        ((size // 10 ** (3 * k)) % 1000).cast(pl.String).str.zfill(3)
        for k in range(6, -1, -1)
    ]
    digits = (
        pl.concat_str(groups, separator=",").str.replace(r"^[0,]+", "").replace("", "0")
    )
    return pl.concat_str(
        [pl.when(whole < 0).then(pl.lit("-")).otherwise(pl.lit("")), digits]
    )


def _words(column: str, vocabulary: dict[str, str], language: str) -> pl.Expr:
    # A code in plain words for a sentence ("most_valuable" → "most valuable"),
    # in Chinese the vocabulary's words.
    if language == DEFAULT_LANGUAGE:
        return pl.col(column).str.replace_all("_", " ")
    return phrase_expr(column, vocabulary, language)


def _hours_text(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null(0).round(1).cast(pl.String)


def _banded(
    accounts: pl.DataFrame, model: pl.DataFrame, hourly_cost: float
) -> pl.DataFrame:
    # Each account with its model's row, its margin at stake and the band of
    # hours deserved (docs/effort.md): never below the floor, and at least half
    # as wide again as its low end, so a floor alone is no knife's edge.
    cost = max(hourly_cost, 1e-9)
    joined = accounts.join(
        model, on=["relationship", "value_segment"], how="left"
    ).with_columns(
        margin_at_stake=pl.col("margin_pct").fill_null(0)
        / 100
        * (
            pl.max_horizontal(
                pl.col("revenue").fill_null(0), pl.col("revenue_prev").fill_null(0)
            )
            + pl.col("headroom_weight") * pl.col("headroom").fill_null(0)
        ),
    )
    low = pl.max_horizontal(
        pl.col("floor_hours"),
        pl.col("margin_at_stake") * pl.col("low_pct") / 100 / cost,
    )
    return joined.with_columns(deserved_low_hours=low).with_columns(
        deserved_high_hours=pl.max_horizontal(
            pl.col("margin_at_stake") * pl.col("high_pct") / 100 / cost,
            pl.col("deserved_low_hours") * 1.5,
        )
    )


def any_effort_recorded(accounts: pl.DataFrame) -> bool:
    """Whether any account of ``accounts`` has an activity or an hour in the window.

    Rows of :func:`~workbench.analytics.effort.account_effort`; a portfolio with
    none has not recorded its effort (no activities imported), rather than spent
    none on every account.
    """
    counted = [c for c in ("activities", "effort_hours") if c in accounts.columns]
    if accounts.height == 0 or not counted:
        return True
    return bool(
        accounts.select(
            pl.any_horizontal(pl.col(c).fill_null(0) > 0 for c in counted).any()
        ).item()
    )


def judge(
    accounts: pl.DataFrame,
    model: pl.DataFrame | None = None,
    rules: MisallocationRules | None = None,
    hourly_cost: float = 90.0,
    currency: str = "",
    *,
    explain: bool = True,
    effort_recorded: bool | None = None,
) -> pl.DataFrame:
    """Return the accounts with their service model, deserved band and verdicts.

    Args:
        accounts: rows of :func:`~workbench.analytics.effort.account_effort`.
        model: the service model (default :func:`.model.default_model`).
        rules: the rules (default :class:`MisallocationRules`).
        hourly_cost: cost of one hour of our time (the segmentation threshold).
        currency: the portfolio's currency, for the money in ``verdict_why``.
        explain: add ``verdict_why`` (an English sentence per account).
        effort_recorded: whether the portfolio has any effort recorded in the
            window. Without one (an export of accounts and deals alone, or a
            window before the first activity) an account's zero hours are not
            known to be zero: no account is judged on its hours. By default read
            from ``accounts``, which must then be the whole portfolio.

    Returns:
        The accounts plus ``margin_at_stake``, ``deserved_low_hours``,
        ``deserved_high_hours``, ``under_limit_hours`` and ``over_limit_hours``
        (the band with the rules' factors), ``expected_hours`` (the band's middle),
        ``effort_index`` (hours ÷ that), ``involve``, ``touches_per_year``,
        ``investment``, ``people``, ``hours_outside_band`` (negative below the
        band, positive above), ``misallocation_cost`` (those hours × the hourly
        cost, always 0 or more) and ``verdict_why`` (only with ``explain``;
        :func:`explain_verdicts` adds it later to the rows that need it, and
        :func:`issues` to the rows it returns).
    """
    r = rules or MisallocationRules()
    banded = _banded(accounts, default_model() if model is None else model, hourly_cost)
    banded = banded.with_columns(
        under_limit_hours=pl.col("deserved_low_hours") * r.thin_factor,
        over_limit_hours=pl.col("deserved_high_hours") * r.over_factor,
    )
    hours = pl.col("effort_hours").fill_null(0)
    if effort_recorded is None:
        effort_recorded = any_effort_recorded(accounts)
    judged = pl.col("involve").is_not_null() & pl.lit(effort_recorded)
    under = hours < pl.col("under_limit_hours")
    over = hours > pl.col("over_limit_hours")
    investment = (
        pl.when(~judged)
        .then(pl.lit("not_judged"))
        .when(under)
        .then(pl.lit("under_invested"))
        .when(over)
        .then(pl.lit("over_invested"))
        .otherwise(pl.lit("right"))
    )
    beyond = pl.col("non_procurement_share_pct")
    broad = (beyond >= r.broad_share_pct) | (
        pl.col("executive_share_pct") >= r.executive_share_pct
    )
    narrow = beyond < r.narrow_share_pct
    known_people = judged & (pl.col("named_hours") >= r.min_named_hours)
    wrong = (
        pl.when(pl.col("involve") == "purchasing")
        .then(broad & (pl.col("investment") != "under_invested"))
        .otherwise(narrow)
    )
    judged_accounts = (
        banded.with_columns(investment=investment)
        .with_columns(
            people=pl.when(~known_people.fill_null(False))
            .then(pl.lit("not_judged"))
            .when(wrong.fill_null(False))
            .then(pl.lit("wrong_people"))
            .otherwise(pl.lit("right")),
            expected_hours=(
                pl.col("deserved_low_hours") + pl.col("deserved_high_hours")
            )
            / 2,
            hours_outside_band=pl.when(pl.col("investment") == "under_invested")
            .then(hours - pl.col("deserved_low_hours"))
            .when(pl.col("investment") == "over_invested")
            .then(hours - pl.col("deserved_high_hours"))
            .otherwise(0.0),
        )
        .with_columns(
            effort_index=pl.when(pl.col("expected_hours") > 0).then(
                hours / pl.col("expected_hours")
            ),
            misallocation_cost=pl.col("hours_outside_band").abs() * hourly_cost,
        )
    )
    return explain_verdicts(judged_accounts, currency) if explain else judged_accounts


def explain_verdicts(
    judged: pl.DataFrame, currency: str = "", language: str = DEFAULT_LANGUAGE
) -> pl.DataFrame:
    """Return rows of :func:`judge` with ``verdict_why`` in words (last column).

    Built from each row's own columns, so explaining some rows gives the same
    sentences as explaining all of them and keeping those rows.
    """
    return judged.with_columns(verdict_why=_why(currency, language))


def _money_in(expr: pl.Expr, currency: str) -> pl.Expr:
    return pl.concat_str([_money(expr), pl.lit(f" {currency}".rstrip())])


def _why(currency: str, language: str = DEFAULT_LANGUAGE) -> pl.Expr:
    band = sentence(
        N_("{hours} h against the {low}–{high} h its service model deserves"),
        language,
        hours=_hours_text(pl.col("effort_hours")),
        low=_hours_text(pl.col("deserved_low_hours")),
        high=_hours_text(pl.col("deserved_high_hours")),
    )
    return (
        pl.when((pl.col("investment") == "not_judged") & pl.col("involve").is_null())
        .then(
            pl.lit(words(N_("no service model applies (no data to judge)"), language))
        )
        .when(pl.col("investment") == "not_judged")
        .then(
            pl.lit(
                words(
                    N_(
                        "no effort recorded in the portfolio's 12 months (no "
                        "activities imported): hours not judged"
                    ),
                    language,
                )
            )
        )
        .otherwise(
            sentence(
                N_(
                    "{band} ({relationship} {segment} · {involve}); margin at stake "
                    "{margin} a year"
                ),
                language,
                band=band,
                relationship=term_expr("relationship", terms.RELATIONSHIPS, language),
                segment=_words("value_segment", terms.VALUE_SEGMENTS, language),
                involve=_words("involve", terms.EFFORT_VERDICTS, language),
                margin=_money_in(pl.col("margin_at_stake"), currency),
            )
        )
    )


_ISSUE_COLUMNS = (
    "issue",
    "account_id",
    "name",
    "relationship",
    "value_segment",
    "investment",
    "people",
    "effort_hours",
    "deserved_low_hours",
    "deserved_high_hours",
    "expected_hours",
    "effort_index",
    "misallocation_cost",
    "contribution",
    "non_procurement_share_pct",
    "executive_share_pct",
    "unattributed_share_pct",
    "why",
)


def issues(
    judged: pl.DataFrame,
    currency: str = "",
    language: str = DEFAULT_LANGUAGE,
    limit: int | None = None,
) -> pl.DataFrame:
    """Return one row per account and issue, biggest money first within each issue.

    Rows of :func:`judge` in, the columns of ``_ISSUE_COLUMNS`` out (``issue`` one of
    :data:`ISSUES`, ``why`` in words, in ``language``: English by default, as the
    downloads and ``--json`` carry it). An account carries at most one investment
    issue and one people issue, never two of :data:`CONTRADICTIONS`. ``limit``: only
    the first rows (a page's table), the same as ``.head(limit)`` of all of them; the
    sentences are built for those rows only.
    """
    investment = judged.filter(
        pl.col("investment").is_in(["under_invested", "over_invested"])
    ).with_columns(
        issue=pl.when(pl.col("investment") == "over_invested")
        .then(pl.lit("over_served"))
        .otherwise(pl.lit("under_served"))
    )
    people = judged.filter(pl.col("people") == "wrong_people").with_columns(
        issue=pl.when(pl.col("involve") == "purchasing")
        .then(pl.lit("broad_transactional"))
        .when(pl.col("involve") == "purchasing_and_deciders")
        .then(pl.lit("deciders_not_reached"))
        .otherwise(pl.lit("procurement_only_partnership"))
    )
    order = pl.col("issue").replace_strict(
        {name: position for position, name in enumerate(ISSUES)}, return_dtype=pl.Int64
    )
    # the rows in order first, their sentences after: only for the rows kept
    rows = (
        pl.concat([investment, people])
        .with_columns(_order=order)
        .sort(
            ["_order", "misallocation_cost", "effort_hours"],
            descending=[False, True, True],
            nulls_last=True,
        )
        .drop("_order")
    )
    if limit is not None:
        rows = rows.head(limit)
    if language != DEFAULT_LANGUAGE or "verdict_why" not in rows.columns:
        rows = explain_verdicts(rows, currency, language)
    # each kind of issue worded on its own rows, then put back in order
    rows = rows.with_row_index("_row")
    about_investment = pl.col("issue").is_in(["over_served", "under_served"])
    investment_why, people_why = _issue_why(currency, language)
    return (
        pl.concat(
            [
                rows.filter(about_investment).with_columns(why=investment_why),
                rows.filter(~about_investment).with_columns(why=people_why),
            ]
        )
        .sort("_row")
        .select(_ISSUE_COLUMNS)
    )


def _issue_why(currency: str, language: str) -> tuple[pl.Expr, pl.Expr]:
    # An issue's reason in words: the band and its cost for an investment issue,
    # whom the hours went to for a people issue.
    shares = sentence(
        N_(
            "{beyond} {percent} of the named hours beyond purchasing, {executives} "
            "{percent} with executives; {unnamed} {percent} of all hours name no "
            "person"
        ),
        language,
        beyond=_whole(pl.col("non_procurement_share_pct")),
        executives=_whole(pl.col("executive_share_pct")),
        unnamed=_whole(pl.col("unattributed_share_pct")),
        percent=pl.lit("%"),
    )
    cost = _money_in(pl.col("misallocation_cost"), currency)
    investment = (
        pl.when(pl.col("issue") == "over_served")
        .then(
            sentence(
                N_("{why}: hours beyond the band cost {cost} a year"),
                language,
                why="verdict_why",
                cost=cost,
            )
        )
        .otherwise(
            sentence(
                N_("{why}: the missing hours would cost {cost} a year"),
                language,
                why="verdict_why",
                cost=cost,
            )
        )
    )
    people = sentence(
        N_("the service model says {involve}; {shares}"),
        language,
        involve=_words("involve", terms.EFFORT_VERDICTS, language),
        shares=shares,
    )
    return investment, people


def issue_counts(found: pl.DataFrame) -> dict[str, int]:
    """Return the number of accounts listed under each issue of :func:`issues`."""
    counts = dict.fromkeys(ISSUES, 0)
    for issue, accounts in found.group_by("issue").len().iter_rows():
        counts[str(issue)] = int(accounts)
    return counts


def verdict_counts(judged: pl.DataFrame) -> dict[str, int]:
    """Return the number of accounts per investment and per people verdict."""
    counts = {f"investment:{v}": 0 for v in INVESTMENT_VERDICTS}
    counts.update({f"people:{v}": 0 for v in PEOPLE_VERDICTS})
    for column in ("investment", "people"):
        for verdict, number in judged.group_by(column).len().iter_rows():
            counts[f"{column}:{verdict}"] = int(number)
    return counts


def misallocations(
    accounts: pl.DataFrame,
    rules: MisallocationRules | None = None,
    *,
    model: pl.DataFrame | None = None,
    hourly_cost: float = 90.0,
    currency: str = "",
    **changes: float,
) -> pl.DataFrame:
    """Return the issue rows of accounts judged against a service model.

    The earlier entry point, kept for notebooks and scripts: :func:`judge` (with
    ``rules`` and single ``changes``, e.g. ``over_factor=1.5``) then :func:`issues`.
    """
    chosen = (rules or MisallocationRules()).changed(**changes)
    judged = judge(accounts, model, chosen, hourly_cost, currency)
    return issues(judged, currency)
