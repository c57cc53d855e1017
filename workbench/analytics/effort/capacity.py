"""Capacity: the headline, who spends time where, and a what-if that moves hours.

All pure functions over the rows of :func:`.verdicts.judge`. The what-if changes
hours only; what that does to margin is an **assumption the user sets** (margin
returned per hour, as a multiple of the hour's cost, by value segment), never a
forecast, and every result says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from workbench.analytics.effort.allocation import GROUPINGS, _hours

#: Margin an extra hour returns, as a multiple of what the hour costs, by value
#: segment; the same multiple is lost per hour taken away. The workbench's starting
#: assumption, not a measurement (docs/effort.md): growth accounts return more than
#: their cost, retained ones about their cost, mature ones half, loss-making and
#: unknown ones nothing. Set it from your own win history.
DEFAULT_RESPONSE: dict[str, float] = {
    "most_valuable": 1.0,
    "most_growable": 1.5,
    "maintain": 0.5,
    "below_zero": 0.0,
    "no_data": 0.0,
}
RESPONSE_SOURCE = (
    "a starting assumption of the workbench, not a measurement: set it from your "
    "own history of hours and won margin"
)
#: Customer-facing hours a seller gives in a year: about 28 % of a 2,000-hour
#: working year goes to selling (Salesforce, State of Sales, 2022), rounded up.
DEFAULT_HOURS_PER_SELLER = 600.0
HOURS_PER_SELLER_SOURCE = (
    "about 28 % of a 2,000-hour working year is spent selling (Salesforce, State "
    "of Sales, 2022)"
)
#: The what-if's own grouping: single accounts, by ID.
ACCOUNT_GROUPING = "account"


def group_label(grouping: str) -> pl.Expr:
    """Return the label of an account's group (its ID for the account grouping)."""
    if grouping == ACCOUNT_GROUPING:
        return pl.col("account_id").cast(pl.String)
    return pl.concat_str([pl.col(k) for k in GROUPINGS[grouping]], separator=" · ")


@dataclass(frozen=True)
class CapacityChange:
    """What the what-if did, in totals (see :func:`move_capacity`).

    Attributes:
        hours_moved: hours taken from the source (or added, or removed).
        hours_change: change of the portfolio's hours (0 when moving).
        cost_change: change of the cost of our time.
        assumed_margin_change: margin change under the response assumption.
        assumed_contribution_change: margin change − cost change.
        verdicts_changed: accounts whose investment verdict changes.
    """

    hours_moved: float
    hours_change: float
    cost_change: float
    assumed_margin_change: float
    assumed_contribution_change: float
    verdicts_changed: int


def _weights(selected: pl.Expr, by: pl.Expr) -> pl.Expr:
    # Each selected account's part of the group's hours: in proportion to ``by``,
    # or equal parts when ``by`` adds up to nothing.
    total = by.filter(selected).sum()
    count = selected.cast(pl.Int64).sum()
    return (
        pl.when(~selected)
        .then(0.0)
        .when(total > 0)
        .then(by / total)
        .otherwise(1.0 / count)
    )


def _rejudged(
    framed: pl.DataFrame, delta: pl.Expr, hourly_cost: float, rates: dict[str, float]
) -> pl.DataFrame:
    # The accounts with their hours changed by ``delta``, judged again on the same
    # bands, with the cost and the assumed margin of the change.
    current = pl.col("effort_hours").fill_null(0)
    band = pl.col("investment") == "not_judged"
    projected = framed.with_columns(hours_change=delta).with_columns(
        projected_hours=current + pl.col("hours_change"),
        cost_change=pl.col("hours_change") * hourly_cost,
        assumed_margin_change=pl.col("hours_change")
        * hourly_cost
        * pl.col("value_segment").replace_strict(
            rates, default=0.0, return_dtype=pl.Float64
        ),
    )
    return (
        projected.with_columns(
            assumed_contribution_change=pl.col("assumed_margin_change")
            - pl.col("cost_change"),
            projected_investment=pl.when(band)
            .then(pl.lit("not_judged"))
            .when(pl.col("projected_hours") < pl.col("under_limit_hours"))
            .then(pl.lit("under_invested"))
            .when(pl.col("projected_hours") > pl.col("over_limit_hours"))
            .then(pl.lit("over_invested"))
            .otherwise(pl.lit("right")),
        )
        .with_columns(
            verdict_changes=pl.col("projected_investment") != pl.col("investment")
        )
        .select(
            "account_id",
            "name",
            "relationship",
            "value_segment",
            "effort_hours",
            "projected_hours",
            "hours_change",
            "cost_change",
            "assumed_margin_change",
            "assumed_contribution_change",
            "investment",
            "projected_investment",
            "verdict_changes",
        )
        .sort([pl.col("hours_change").abs(), "account_id"], descending=[True, False])
    )


def _member(group: str | None) -> pl.Expr:
    return pl.lit(False) if group is None else pl.col("_group") == group


def move_capacity(
    judged: pl.DataFrame,
    grouping: str,
    from_group: str | None,
    to_group: str | None,
    hours: float,
    *,
    hourly_cost: float,
    response: dict[str, float] | None = None,
) -> tuple[pl.DataFrame, CapacityChange]:
    """Move ``hours`` from one group (or account) to another, or add or remove them.

    ``from_group`` None adds hours (a seller hired); ``to_group`` None removes them
    (a seller gone). Hours taken from a group leave its accounts in proportion to
    their current hours, and never more than it has; hours given to a group go to
    its accounts in proportion to the hours their service model deserves. The
    deserved bands stay as they are (they depend on value, not on effort), so the
    investment verdicts are judged again on the new hours.

    Returns:
        Per account (every account, movers first): ``account_id``, ``name``,
        ``relationship``, ``value_segment``, ``effort_hours``, ``projected_hours``,
        ``hours_change``, ``cost_change``, ``assumed_margin_change``,
        ``assumed_contribution_change``, ``investment``,
        ``projected_investment``, ``verdict_changes``; and the totals.

    Raises:
        ValueError: negative hours, no source and no destination, or an unknown
            grouping.
    """
    if hours < 0:
        raise ValueError("hours must be 0 or more")
    if from_group is None and to_group is None:
        raise ValueError("name where the hours come from or go to")
    if grouping != ACCOUNT_GROUPING and grouping not in GROUPINGS:
        raise ValueError(f"unknown grouping {grouping!r}")
    rates = {**DEFAULT_RESPONSE, **(response or {})}
    label = group_label(grouping)
    current = pl.col("effort_hours").fill_null(0)
    framed = judged.with_columns(_group=label)
    available = (
        float(framed.filter(pl.col("_group") == from_group)["effort_hours"].sum())
        if from_group is not None
        else hours
    )
    moved = 0.0 if from_group == to_group else min(hours, available)
    if to_group is not None and framed.filter(pl.col("_group") == to_group).height == 0:
        moved = 0.0
    give = _weights(_member(from_group), current) * moved
    take = _weights(_member(to_group), pl.col("expected_hours").fill_null(0))
    delta = take * moved - give
    result = _rejudged(framed, delta, hourly_cost, rates)
    totals = result.select(
        pl.col("hours_change").sum(),
        pl.col("cost_change").sum(),
        pl.col("assumed_margin_change").sum(),
        pl.col("assumed_contribution_change").sum(),
        pl.col("verdict_changes").sum(),
    ).row(0)
    clean = [round(float(value or 0), 6) + 0.0 for value in totals[:4]]
    return result, CapacityChange(
        hours_moved=moved,
        hours_change=clean[0],
        cost_change=clean[1],
        assumed_margin_change=clean[2],
        assumed_contribution_change=clean[3],
        verdicts_changed=int(totals[4]),
    )


@dataclass(frozen=True)
class Headline:
    """The verdict in one sentence's figures (the page words it with the currency).

    Attributes:
        transactional_hours_pct: share of all hours spent on transactional accounts
            (None without hours).
        transactional_contribution_pct: their share of the contribution (None when
            the portfolio's contribution is not positive).
        over_invested: accounts over-invested.
        top_over_count: how many of the largest over-investments are summed (≤ 5).
        top_over_cost: the cost a year of their hours beyond the band.
        biggest: the three biggest misallocations (rows of :func:`.verdicts.judge`,
            over or under, largest cost first).
    """

    transactional_hours_pct: float | None
    transactional_contribution_pct: float | None
    over_invested: int
    top_over_count: int
    top_over_cost: float
    biggest: pl.DataFrame


def headline(judged: pl.DataFrame, top: int = 5) -> Headline:
    """Return the figures of the page's opening sentence and its three worst cases."""
    transactional = pl.col("relationship") == "transactional"
    hours_all, hours_tr, contribution_all, contribution_tr = judged.select(
        pl.col("effort_hours").sum().alias("a"),
        pl.col("effort_hours").filter(transactional).sum().alias("b"),
        pl.col("contribution").sum().alias("c"),
        pl.col("contribution").filter(transactional).sum().alias("d"),
    ).row(0)
    over = judged.filter(pl.col("investment") == "over_invested").sort(
        "misallocation_cost", descending=True
    )
    largest = over.head(top)
    biggest = (
        judged.filter(pl.col("investment").is_in(["over_invested", "under_invested"]))
        .sort(["misallocation_cost", "account_id"], descending=[True, False])
        .head(3)
    )
    return Headline(
        transactional_hours_pct=hours_tr / hours_all * 100 if hours_all else None,
        transactional_contribution_pct=(
            contribution_tr / contribution_all * 100
            if contribution_all and contribution_all > 0
            else None
        ),
        over_invested=over.height,
        top_over_count=largest.height,
        top_over_cost=float(largest["misallocation_cost"].sum()),
        biggest=biggest,
    )


def seller_verdicts(
    aggregates: pl.DataFrame,
    judged: pl.DataFrame,
    minutes_without_duration: float,
    by: str = "seller",
) -> pl.DataFrame:
    """Return whose time is where: per seller (or team), hours by verdict.

    Args:
        aggregates: rows of :func:`workbench.store.effort_aggregates`.
        judged: rows of :func:`.verdicts.judge`.
        minutes_without_duration: minutes assumed per activity without a duration.
        by: ``seller`` or ``team``.

    Returns:
        ``seller_name`` and ``team`` (or ``team``), ``accounts``, ``effort_hours``,
        ``over_invested_hours``, ``under_invested_hours``,
        ``wrong_people_hours`` (hours on accounts of each verdict),
        ``transactional_share_pct`` and ``excess_cost`` (their part, by hours, of
        the cost of the hours beyond the band of over-invested accounts); the
        busiest first.
    """
    if by not in SELLER_KEYS:
        raise ValueError(f"unknown grouping {by!r}")
    return judged_seller_hours(
        seller_account_hours(aggregates, judged, minutes_without_duration), judged, by
    )


#: The columns each grouping of :func:`seller_verdicts` is by.
SELLER_KEYS: dict[str, tuple[str, ...]] = {
    "seller": ("seller_id", "seller_name", "team"),
    "team": ("team",),
}


@dataclass(frozen=True)
class SellerAccountHours:
    """Each seller's hours per account, prepared once for many verdict rules.

    The verdicts change with every move of a rule; the sellers' hours, the accounts'
    types and the groups' totals do not. :func:`judged_seller_hours` adds the
    verdicts to these rows by position (a gather of four columns) and sums them
    per group number, instead of joining and grouping by names again.

    Attributes:
        rows: one row per seller and account: ``_position`` (the account's row in
            ``account_ids``), ``_seller`` and ``_team`` (the row's group number in
            ``groups``), ``_hours`` and ``_part`` (the seller's share of the
            account's hours).
        account_ids: the accounts the rows were joined to, sorted.
        groups: per grouping, its keys, ``_group``, ``accounts``, ``effort_hours``
            and ``transactional_share_pct``.
    """

    rows: pl.DataFrame
    account_ids: pl.Series
    groups: dict[str, pl.DataFrame]


def seller_account_hours(
    aggregates: pl.DataFrame, accounts: pl.DataFrame, minutes_without_duration: float
) -> SellerAccountHours:
    """Return each seller's hours of the 12 months per account (see :func:`seller_verdicts`).

    Args:
        aggregates: rows of :func:`workbench.store.effort_aggregates`.
        accounts: rows of :func:`.allocation.account_effort` (or of
            :func:`.verdicts.judge`): ``account_id``, ``relationship``,
            ``effort_hours``.
        minutes_without_duration: minutes assumed per activity without a duration.
    """
    positions = (
        accounts.select("account_id", "relationship", account_hours="effort_hours")
        .sort("account_id")
        .with_row_index("_position")
    )
    hours = pl.col("_hours")
    joined = (
        aggregates.filter(
            (pl.col("dimension") == "seller") & (pl.col("period") == "current")
        )
        .join(positions, on="account_id", how="inner")
        .with_columns(_hours(minutes_without_duration).alias("_hours"))
        .with_columns(
            _part=pl.when(pl.col("account_hours") > 0).then(
                hours / pl.col("account_hours")
            )
        )
    )
    groups: dict[str, pl.DataFrame] = {}
    for by, keys in SELLER_KEYS.items():
        totals = (
            joined.group_by(keys)
            .agg(
                accounts=pl.col("account_id").n_unique(),
                effort_hours=hours.sum(),
                transactional_hours=hours.filter(
                    pl.col("relationship") == "transactional"
                ).sum(),
            )
            .sort(keys)
            .with_row_index("_group")
        )
        groups[by] = totals.with_columns(
            transactional_share_pct=pl.when(pl.col("effort_hours") > 0).then(
                pl.col("transactional_hours") / pl.col("effort_hours") * 100
            )
        ).drop("transactional_hours")
        joined = joined.join(
            totals.select(*keys, pl.col("_group").alias(f"_{by}")),
            on=list(keys),
            how="left",
            nulls_equal=True,
        )
    return SellerAccountHours(
        rows=joined.select("_position", "_seller", "_team", "_hours", "_part"),
        account_ids=positions["account_id"],
        groups=groups,
    )


def judged_seller_hours(
    prepared: SellerAccountHours, judged: pl.DataFrame, by: str = "seller"
) -> pl.DataFrame:
    """Return :func:`seller_verdicts` from hours prepared once and these verdicts.

    ``judged`` must hold the accounts ``prepared`` was built from (same IDs).

    Raises:
        ValueError: an unknown ``by``, or verdicts of other accounts.
    """
    if by not in SELLER_KEYS:
        raise ValueError(f"unknown grouping {by!r}")
    verdicts = judged.select(
        "account_id",
        _over=pl.col("investment") == "over_invested",
        _under=pl.col("investment") == "under_invested",
        _wrong=pl.col("people") == "wrong_people",
        _cost=pl.col("misallocation_cost"),
    ).sort("account_id")
    if not verdicts["account_id"].equals(prepared.account_ids):
        raise ValueError("the verdicts are not those of the prepared accounts")
    position = prepared.rows["_position"]
    rows = prepared.rows.select(pl.col(f"_{by}").alias("_group"), "_hours", "_part")
    rows = rows.with_columns(
        verdicts[name].gather(position)
        for name in ("_over", "_under", "_wrong", "_cost")
    )
    hours = pl.col("_hours")
    over = pl.col("_over")
    sums = rows.group_by("_group").agg(
        over_invested_hours=hours.filter(over).sum(),
        under_invested_hours=hours.filter(pl.col("_under")).sum(),
        wrong_people_hours=hours.filter(pl.col("_wrong")).sum(),
        excess_cost=(pl.col("_part") * pl.col("_cost")).filter(over).sum(),
    )
    keys = list(SELLER_KEYS[by])
    return (
        prepared.groups[by]
        .join(sums, on="_group", how="left")
        .select(
            *keys,
            "accounts",
            "effort_hours",
            "over_invested_hours",
            "under_invested_hours",
            "wrong_people_hours",
            "excess_cost",
            "transactional_share_pct",
        )
        .sort(["effort_hours", *keys], descending=[True, *([False] * len(keys))])
    )
