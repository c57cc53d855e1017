"""Voice of the customer: Net Promoter Score by account, buying role and more.

Pure functions over polars frames. The input is one row per survey response,
already joined to the person who answered (see
:func:`workbench.store.nps_responses_enriched`)::

    response_id | account_id | account_name | contact_id | contact_name | title
    buying_role | department | influence | org_level | responded_on | score
    comment | days_since_touch

Most functions need only a few of these columns; each says which.

NPS is the share of promoters (9–10) minus the share of detractors (0–6), in
percentage points from −100 to 100; passives (7–8) count in the denominator only.
A group with no responses has no NPS (null), never 0: "nobody answered" and
"as many promoters as detractors" are different findings.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from typing import Literal

import altair as alt
import polars as pl

from workbench.domain import BUYING_ROLES

#: Shown where a respondent has no buying role recorded.
UNKNOWN_ROLE = "(no role)"
PROMOTER_MIN_SCORE = 9
PASSIVE_MIN_SCORE = 7
#: Latest score at or below this makes a person a detractor.
DETRACTOR_MAX_SCORE = 6
#: Roles whose detractors are a deal risk whatever their influence.
DECIDING_ROLES: tuple[str, ...] = ("decider", "approver")
HIGH_INFLUENCE_MIN = 4

Dimension = Literal["buying_role", "department", "org_level", "quarter", "account"]
DIMENSIONS: dict[str, str] = {
    "buying_role": "Buying role",
    "department": "Department",
    "org_level": "Org level (1 = top of the reporting tree)",
    "quarter": "Quarter",
    "account": "Account",
}

_COUNT_COLUMNS = ("responses", "promoters", "passives", "detractors")


# --- the score itself ---------------------------------------------------------------


def nps_score(scores: Sequence[int]) -> float | None:
    """Return the NPS of a list of 0–10 scores, or ``None`` when the list is empty.

    >>> nps_score([10, 9, 8, 6])
    25.0
    """
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= PROMOTER_MIN_SCORE)
    detractors = sum(1 for s in scores if s <= DETRACTOR_MAX_SCORE)
    return 100.0 * (promoters - detractors) / len(scores)


def band_expr(score: pl.Expr | None = None) -> pl.Expr:
    """Return an expression naming a score's band: promoter, passive or detractor."""
    value = pl.col("score") if score is None else score
    return (
        pl.when(value >= PROMOTER_MIN_SCORE)
        .then(pl.lit("promoter"))
        .when(value >= PASSIVE_MIN_SCORE)
        .then(pl.lit("passive"))
        .when(value.is_not_null())
        .then(pl.lit("detractor"))
    )


def _count_aggregations() -> list[pl.Expr]:
    score = pl.col("score")
    return [
        score.count().cast(pl.Int64).alias("responses"),
        (score >= PROMOTER_MIN_SCORE).sum().cast(pl.Int64).alias("promoters"),
        score.is_between(PASSIVE_MIN_SCORE, PROMOTER_MIN_SCORE - 1)
        .sum()
        .cast(pl.Int64)
        .alias("passives"),
        (score <= DETRACTOR_MAX_SCORE).sum().cast(pl.Int64).alias("detractors"),
    ]


def _with_nps(counts: pl.DataFrame) -> pl.DataFrame:
    # Null when nobody answered: a division by zero is not a score of 0.
    return counts.with_columns(
        pl.when(pl.col("responses") > 0)
        .then(
            100.0
            * (pl.col("promoters") - pl.col("detractors")).cast(pl.Float64)
            / pl.col("responses").cast(pl.Float64)
        )
        .cast(pl.Float64)
        .alias("nps")
    )


def summarise_nps(responses: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """Return responses, promoters, passives, detractors and NPS per group.

    Args:
        responses: needs ``score`` and the ``by`` columns.
        by: grouping columns; none gives one row for everything (with a null NPS
            when there are no responses).

    Returns:
        One row per group present in the data, sorted by the group columns.
    """
    scored = responses.filter(pl.col("score").is_not_null())
    if not by:
        return _with_nps(scored.select(_count_aggregations()))
    counts = scored.group_by(list(by)).agg(_count_aggregations())
    return _with_nps(counts).sort(list(by), nulls_last=True)


# --- slicing: roles, quarters, periods -----------------------------------------------


def with_quarter(responses: pl.DataFrame) -> pl.DataFrame:
    """Return the responses with a ``quarter`` label such as ``2026-Q3``."""
    day = pl.col("responded_on")
    return responses.with_columns(
        (
            day.dt.year().cast(pl.String)
            + pl.lit("-Q")
            + day.dt.quarter().cast(pl.String)
        ).alias("quarter")
    )


def with_role_label(responses: pl.DataFrame) -> pl.DataFrame:
    """Return the responses with ``role``: the buying role, or ``(no role)``."""
    return responses.with_columns(
        pl.col("buying_role").fill_null(UNKNOWN_ROLE).alias("role")
    )


def responses_since(responses: pl.DataFrame, since: date | None) -> pl.DataFrame:
    """Return the responses on or after ``since`` (a date); all when ``None``."""
    if since is None:
        return responses
    return responses.filter(pl.col("responded_on") >= pl.lit(since))


def responses_for_account(responses: pl.DataFrame, account_id: str) -> pl.DataFrame:
    """Return one account's responses."""
    return responses.filter(pl.col("account_id") == account_id)


def account_names(accounts: pl.DataFrame) -> dict[str, str]:
    """Return account ID → name (the ID where the name is missing), in ID order."""
    ordered = accounts.select(
        "account_id", pl.coalesce(pl.col("name"), pl.col("account_id")).alias("name")
    ).sort("account_id")
    return dict(zip(ordered["account_id"], ordered["name"], strict=True))


def nps_by(responses: pl.DataFrame, dimension: str) -> pl.DataFrame:
    """Return the NPS per value of one dimension (see :data:`DIMENSIONS`).

    The result's first column is named after the dimension; missing values show
    as ``(unknown)`` so that nobody's answer disappears from the table.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    frame = with_quarter(responses) if dimension == "quarter" else responses
    if dimension == "account":
        return summarise_nps(frame, ["account_id", "account_name"])
    if dimension == "org_level":
        return summarise_nps(frame, ["org_level"])
    labelled = frame.with_columns(
        pl.col(dimension).cast(pl.String).fill_null("(unknown)")
    )
    return summarise_nps(labelled, [dimension])


def nps_by_role(responses: pl.DataFrame) -> pl.DataFrame:
    """Return the NPS for each of the seven roles, in the vocabulary's order.

    Every role has a row; a role nobody answered for has 0 responses and a null
    NPS. Respondents without a role are added as ``(no role)`` when there are any.
    """
    counted = summarise_nps(with_role_label(responses), ["role"])
    order = [*BUYING_ROLES, UNKNOWN_ROLE]
    roles = pl.DataFrame({"role": order, "role_order": list(range(len(order)))})
    joined = roles.join(counted, on="role", how="left").with_columns(
        pl.col(c).fill_null(0) for c in _COUNT_COLUMNS
    )
    return (
        joined.filter((pl.col("role") != UNKNOWN_ROLE) | (pl.col("responses") > 0))
        .sort("role_order")
        .drop("role_order")
    )


def quarterly_trend(responses: pl.DataFrame, by_role: bool = False) -> pl.DataFrame:
    """Return the NPS per quarter, overall (``role`` = ``all``) or per role."""
    quartered = with_role_label(with_quarter(responses))
    if by_role:
        return summarise_nps(quartered, ["quarter", "role"])
    return summarise_nps(quartered, ["quarter"]).with_columns(
        pl.lit("all").alias("role")
    )


# --- per account --------------------------------------------------------------------


def nps_by_account(responses: pl.DataFrame, accounts: pl.DataFrame) -> pl.DataFrame:
    """Return every account with its NPS, counts and which roles were heard from.

    Args:
        responses: needs ``account_id``, ``score``, ``buying_role``.
        accounts: rows of ``account_id``, ``name``; accounts without responses keep
            a row with 0 responses and a null NPS.

    Returns:
        ``account_id``, ``account_name``, the counts, ``nps``, ``roles_heard`` and
        ``roles_missing`` (lists of role names, in the vocabulary's order).
    """
    counts = summarise_nps(responses, ["account_id"])
    heard = (
        responses.filter(pl.col("buying_role").is_in(list(BUYING_ROLES)))
        .group_by("account_id")
        .agg(pl.col("buying_role").unique().alias("roles_set"))
    )
    base = accounts.select(
        pl.col("account_id"), pl.col("name").alias("account_name")
    ).unique("account_id", keep="first", maintain_order=True)
    joined = (
        base.join(counts, on="account_id", how="left")
        .join(heard, on="account_id", how="left")
        .with_columns(pl.col(c).fill_null(0) for c in _COUNT_COLUMNS)
        .with_columns(
            pl.col("roles_set").fill_null(pl.lit([], dtype=pl.List(pl.String)))
        )
    )
    in_order = [
        pl.when(pl.col("roles_set").list.contains(role)).then(pl.lit(role))
        for role in BUYING_ROLES
    ]
    missing = [
        pl.when(~pl.col("roles_set").list.contains(role)).then(pl.lit(role))
        for role in BUYING_ROLES
    ]
    return (
        joined.with_columns(
            pl.concat_list(in_order).list.drop_nulls().alias("roles_heard"),
            pl.concat_list(missing).list.drop_nulls().alias("roles_missing"),
        )
        .drop("roles_set")
        .sort("account_id")
    )


def accounts_heard(by_account: pl.DataFrame) -> int:
    """Return how many accounts (rows of :func:`nps_by_account`) have any response."""
    return int(by_account.filter(pl.col("responses") > 0).height)


def nps_by_account_role(responses: pl.DataFrame) -> pl.DataFrame:
    """Return the NPS of each role in each account that has responses.

    Needs ``account_id``, ``account_name``, ``buying_role``, ``score``; responses
    without a role count under ``(no role)``.
    """
    return summarise_nps(
        with_role_label(responses), ["account_id", "account_name", "role"]
    )


def nps_rows_for_cli(responses: pl.DataFrame, by: str = "role") -> pl.DataFrame:
    """Return ``account_id``, a group column, ``responses`` and ``nps`` for the CLI.

    Each account gets a row for ``all`` first, then one per value of ``by``
    (``role``, ``department`` or ``quarter``).
    """
    if by not in {"role", "department", "quarter"}:
        raise ValueError(f"cannot group by {by!r}")
    frame = with_role_label(with_quarter(responses)).with_columns(
        pl.col("department").fill_null("(unknown)")
    )
    overall = summarise_nps(frame, ["account_id"]).with_columns(
        pl.lit("all").alias(by), pl.lit(0).alias("_order")
    )
    split = summarise_nps(frame, ["account_id", by]).with_columns(
        pl.lit(1).alias("_order")
    )
    columns = ["account_id", by, "responses", "nps"]
    return (
        pl.concat(
            [overall.select([*columns, "_order"]), split.select([*columns, "_order"])]
        )
        .sort(["account_id", "_order", by])
        .drop("_order")
    )


def account_role_matrix(responses: pl.DataFrame) -> pl.DataFrame:
    """Return one row per account and one NPS column per role (null: not heard).

    Columns: ``account_id``, ``account_name``, ``responses``, ``nps`` (all roles),
    then the seven roles in the vocabulary's order.
    """
    overall = summarise_nps(responses, ["account_id", "account_name"]).select(
        "account_id", "account_name", "responses", "nps"
    )
    per_role = nps_by_account_role(responses).filter(
        pl.col("role").is_in(list(BUYING_ROLES))
    )
    wide = per_role.pivot(
        on="role", index="account_id", values="nps", on_columns=list(BUYING_ROLES)
    )
    matrix = overall.join(wide, on="account_id", how="left")
    return matrix.select(
        "account_id",
        "account_name",
        "responses",
        "nps",
        *[
            (
                pl.col(role) if role in matrix.columns else pl.lit(None, pl.Float64)
            ).alias(role)
            for role in BUYING_ROLES
        ],
    ).sort("account_id")


def last_response_day(responses: pl.DataFrame) -> date | None:
    """Return the date of the newest response (``None`` when there are none)."""
    if responses.height == 0:
        return None
    found = responses["responded_on"].max()
    return found if isinstance(found, date) else None


# --- role conflicts -----------------------------------------------------------------


def role_conflicts(
    responses: pl.DataFrame,
    *,
    gap_threshold: float,
    min_responses: int = 3,
    roles_a: Sequence[str] | None = None,
    roles_b: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Return accounts where two roles' NPS differ by more than the threshold.

    Only roles with at least ``min_responses`` answers in the account count. Without
    ``roles_a``/``roles_b`` every pair of roles is compared; with them, only pairs of
    one role from each side (for example users against deciders and approvers).
    Each account appears once, with its widest qualifying gap.

    Returns:
        ``account_id``, ``account_name``, ``high_role``, ``high_nps``,
        ``high_responses``, ``low_role``, ``low_nps``, ``low_responses``, ``gap``,
        sorted by the widest gap first.
    """
    per_role = nps_by_account_role(responses).filter(
        (pl.col("role") != UNKNOWN_ROLE) & (pl.col("responses") >= min_responses)
    )
    side = per_role.select("account_id", "account_name", "role", "nps", "responses")
    pairs = side.join(side, on=["account_id", "account_name"], suffix="_other").filter(
        pl.col("role") != pl.col("role_other")
    )
    if roles_a is not None and roles_b is not None:
        a, b = list(roles_a), list(roles_b)
        pairs = pairs.filter(
            (pl.col("role").is_in(a) & pl.col("role_other").is_in(b))
            | (pl.col("role").is_in(b) & pl.col("role_other").is_in(a))
        )
    widest = (
        pairs.filter(pl.col("nps") > pl.col("nps_other"))
        .with_columns((pl.col("nps") - pl.col("nps_other")).alias("gap"))
        .filter(pl.col("gap") > gap_threshold)
        .sort(
            ["account_id", "gap", "role", "role_other"],
            descending=[False, True, False, False],
        )
        .unique("account_id", keep="first", maintain_order=True)
    )
    return widest.select(
        "account_id",
        "account_name",
        pl.col("role").alias("high_role"),
        pl.col("nps").alias("high_nps"),
        pl.col("responses").alias("high_responses"),
        pl.col("role_other").alias("low_role"),
        pl.col("nps_other").alias("low_nps"),
        pl.col("responses_other").alias("low_responses"),
        "gap",
    ).sort(["gap", "account_id"], descending=[True, False])


def conflict_comments(responses: pl.DataFrame, conflicts: pl.DataFrame) -> pl.DataFrame:
    """Return the comments behind each conflict: from its high and its low role.

    Returns:
        ``account_name``, ``role``, ``side`` (``high``/``low``), ``score``,
        ``responded_on``, ``contact_name``, ``comment``; newest first per account.
    """
    sides = pl.concat(
        [
            conflicts.select(
                "account_id",
                pl.col("high_role").alias("role"),
                pl.lit("high").alias("side"),
            ),
            conflicts.select(
                "account_id",
                pl.col("low_role").alias("role"),
                pl.lit("low").alias("side"),
            ),
        ]
    )
    commented = with_role_label(responses).filter(
        pl.col("comment").is_not_null() & (pl.col("comment").str.strip_chars() != "")
    )
    return (
        commented.join(sides, on=["account_id", "role"], how="inner")
        .select(
            "account_id",
            "account_name",
            "role",
            "side",
            "score",
            "responded_on",
            "contact_name",
            "comment",
        )
        .sort(["account_id", "side", "responded_on"], descending=[False, False, True])
    )


# --- people: latest score, risky detractors ----------------------------------------


def _latest_rows(responses: pl.DataFrame) -> pl.DataFrame:
    # The newest answer per person; response_id breaks ties on the same day so
    # that the result does not depend on the input order.
    tie_break = "response_id" if "response_id" in responses.columns else "score"
    return (
        responses.filter(
            pl.col("contact_id").is_not_null() & pl.col("score").is_not_null()
        )
        .sort(["contact_id", "responded_on", tie_break])
        .group_by("contact_id", maintain_order=True)
        .last()
    )


def latest_score_per_contact(responses: pl.DataFrame) -> pl.DataFrame:
    """Return each contact's most recent answer: the basis for marking detractors.

    Needs ``contact_id``, ``account_id``, ``responded_on``, ``score`` (and uses
    ``response_id`` to break ties on the same day). Responses not linked to a
    contact are left out.

    Returns:
        ``contact_id``, ``account_id``, ``responded_on``, ``score``, ``band``
        (promoter/passive/detractor) and ``is_detractor``; one row per contact.
    """
    return (
        _latest_rows(responses)
        .select(
            "contact_id",
            "account_id",
            "responded_on",
            "score",
            band_expr().alias("band"),
            (pl.col("score") <= DETRACTOR_MAX_SCORE).alias("is_detractor"),
        )
        .sort("contact_id")
    )


def risky_detractors(
    responses: pl.DataFrame, *, influence_min: int = HIGH_INFLUENCE_MIN
) -> pl.DataFrame:
    """Return people whose latest score is a detractor's and who can sink a deal.

    A person counts when the latest score is 0–6 and they are a decider or an
    approver, or their influence is at least ``influence_min``. Needs the
    enriched columns (``buying_role``, ``influence``, names, ``comment``).

    Returns:
        ``account_id``, ``account_name``, ``contact_id``, ``contact_name``,
        ``title``, ``buying_role``, ``influence``, ``score``, ``responded_on``,
        ``comment`` (of that latest answer) and ``why``; lowest score first.
    """
    deciding = pl.col("buying_role").is_in(list(DECIDING_ROLES)).fill_null(False)
    influential = (pl.col("influence") >= influence_min).fill_null(False)
    influence_text = pl.lit("influence ") + pl.col("influence").cast(pl.String)
    why = (
        pl.when(deciding & influential)
        .then(pl.col("buying_role") + pl.lit(", ") + influence_text)
        .when(deciding)
        .then(pl.col("buying_role"))
        .otherwise(influence_text)
    )
    return (
        _latest_rows(responses)
        .filter((pl.col("score") <= DETRACTOR_MAX_SCORE) & (deciding | influential))
        .select(
            "account_id",
            "account_name",
            "contact_id",
            "contact_name",
            "title",
            "buying_role",
            "influence",
            "score",
            "responded_on",
            "comment",
            why.alias("why"),
        )
        .sort(["score", "account_id", "contact_id"])
    )


# --- comments -----------------------------------------------------------------------


def search_comments(
    responses: pl.DataFrame, text: str = "", roles: Sequence[str] | None = None
) -> pl.DataFrame:
    """Return the responses with a comment, filtered by text and role.

    Args:
        responses: the enriched responses.
        text: a plain piece of text, matched case-insensitively anywhere in the
            comment (not a pattern: ``.`` or ``(`` mean themselves).
        roles: keep only these roles (``(no role)`` included); all when empty.

    Returns:
        ``responded_on``, ``account_name``, ``contact_name``, ``role``,
        ``department``, ``score``, ``band``, ``comment``; newest first.
    """
    commented = with_role_label(responses).filter(
        pl.col("comment").is_not_null() & (pl.col("comment").str.strip_chars() != "")
    )
    needle = text.strip().lower()
    if needle:
        commented = commented.filter(
            pl.col("comment").str.to_lowercase().str.contains(needle, literal=True)
        )
    if roles:
        commented = commented.filter(pl.col("role").is_in(list(roles)))
    return commented.select(
        "responded_on",
        "account_name",
        "contact_name",
        "role",
        "department",
        "score",
        band_expr().alias("band"),
        "comment",
    ).sort(["responded_on", "account_name"], descending=[True, False])


# --- drivers: NPS against plain buckets --------------------------------------------


def bucket_by_edges(
    values: pl.Expr, edges: Sequence[float], unit: str, *, missing: str = "none"
) -> tuple[pl.Expr, pl.Expr]:
    """Return expressions for a bucket label and its order, cut at the given edges.

    Edges ``[10, 50]`` with unit ``h`` give ``< 10 h``, ``10–50 h`` and ``≥ 50 h``;
    a null value falls into ``missing`` (ordered last).
    """
    cut = sorted(set(edges))
    label: pl.Expr = pl.lit(missing)
    order: pl.Expr = pl.lit(len(cut) + 1)
    bounds = [None, *cut, None]
    labels: list[tuple[float | None, float | None, str]] = []
    for low, high in itertools.pairwise(bounds):
        if low is None and high is None:
            text = f"all {unit}".strip()
        elif low is None:
            text = f"< {_number(high)} {unit}".strip()
        elif high is None:
            text = f"≥ {_number(low)} {unit}".strip()
        else:
            text = f"{_number(low)}–{_number(high)} {unit}".strip()
        labels.append((low, high, text))
    # Build from the last bucket backwards so the first matching condition wins.
    for index in reversed(range(len(labels))):
        low, high, text = labels[index]
        condition = values.is_not_null()
        if low is not None:
            condition = condition & (values >= low)
        if high is not None:
            condition = condition & (values < high)
        label = pl.when(condition).then(pl.lit(text)).otherwise(label)
        order = pl.when(condition).then(pl.lit(index)).otherwise(order)
    return label, order


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def quartile_edges(values: pl.Series) -> list[float]:
    """Return rounded quartile cut points of a numeric series (fewer when tied)."""
    clean = values.drop_nulls().cast(pl.Float64)
    if clean.len() < 4:
        return []
    edges = []
    for q in (0.25, 0.5, 0.75):
        found = clean.quantile(q, "linear")
        if found is not None:
            edges.append(float(round(found)))
    return sorted({e for e in edges if e > float(clean.min())})  # type: ignore[arg-type]


#: Fixed, readable cut points for the drivers that have a natural scale.
BREADTH_EDGES: tuple[float, ...] = (2, 4, 7, 10)
FRESHNESS_EDGES_DAYS: tuple[float, ...] = (30, 90, 180, 365)


def nps_by_bucket(
    responses: pl.DataFrame, buckets: pl.DataFrame, key: str = "account_id"
) -> pl.DataFrame:
    """Return NPS, responses and accounts per bucket, in the buckets' order.

    Args:
        responses: needs ``score``, ``account_id`` and ``key``.
        buckets: rows of ``key``, ``bucket``, ``bucket_order``.
        key: the column that links a response to its bucket (``account_id`` for
            account-level drivers, ``response_id`` for response-level ones).
    """
    joined = responses.join(
        buckets.select(key, "bucket", "bucket_order"), on=key, how="inner"
    )
    counts = joined.group_by(["bucket", "bucket_order"]).agg(
        pl.col("account_id").n_unique().cast(pl.Int64).alias("accounts"),
        *_count_aggregations(),
    )
    return (
        _with_nps(counts)
        .sort("bucket_order")
        .drop("bucket_order")
        .select(
            "bucket",
            "accounts",
            "responses",
            "promoters",
            "passives",
            "detractors",
            "nps",
        )
    )


def breadth_buckets(signals: pl.DataFrame) -> pl.DataFrame:
    """Bucket accounts by how many of their departments we touched (last 12 months).

    Needs ``account_id``, ``departments_engaged``.
    """
    label, order = bucket_by_edges(
        pl.col("departments_engaged"), BREADTH_EDGES, "departments", missing="none"
    )
    return signals.select(
        "account_id", label.alias("bucket"), order.alias("bucket_order")
    )


def effort_buckets(signals: pl.DataFrame) -> pl.DataFrame:
    """Bucket accounts by our hours spent on them per year, cut at the quartiles.

    Needs ``account_id``, ``effort_hours_12m``.
    """
    edges = quartile_edges(signals["effort_hours_12m"]) if signals.height else []
    label, order = bucket_by_edges(
        pl.col("effort_hours_12m"), edges, "h/year", missing="no effort"
    )
    return signals.select(
        "account_id", label.alias("bucket"), order.alias("bucket_order")
    )


def freshness_buckets(responses: pl.DataFrame) -> pl.DataFrame:
    """Bucket responses by days between our last touch of the respondent and the answer.

    Needs ``response_id``, ``days_since_touch`` (null: never touched before).
    """
    label, order = bucket_by_edges(
        pl.col("days_since_touch"),
        FRESHNESS_EDGES_DAYS,
        "days",
        missing="never touched",
    )
    return responses.select(
        "response_id", label.alias("bucket"), order.alias("bucket_order")
    )


def relationship_buckets(relationships: pl.DataFrame) -> pl.DataFrame:
    """Bucket accounts by relationship type. Needs ``account_id``, ``relationship``."""
    kinds = ("partnership", "transactional")
    order = pl.col("relationship").replace_strict(
        list(kinds), [0, 1], default=2, return_dtype=pl.Int64
    )
    return relationships.select(
        "account_id",
        pl.col("relationship").fill_null("(unknown)").alias("bucket"),
        order.alias("bucket_order"),
    )


def overall_nps(responses: pl.DataFrame) -> dict[str, float | int | None]:
    """Return the headline figures: responses, promoters, passives, detractors, NPS."""
    row = summarise_nps(responses).row(0, named=True)
    return {key: row[key] for key in (*_COUNT_COLUMNS, "nps")}


def period_start(last_day: date | None, quarters: int | None) -> date | None:
    """Return the first day of the last ``quarters`` calendar quarters to ``last_day``.

    The quarter holding ``last_day`` counts as the first; ``None`` means all time.

    >>> period_start(date(2026, 9, 25), 4)
    datetime.date(2025, 10, 1)
    """
    if last_day is None or quarters is None:
        return None
    first_month_index = last_day.year * 12 + (last_day.month - 1) // 3 * 3
    start_index = first_month_index - 3 * (quarters - 1)
    return date(start_index // 12, start_index % 12 + 1, 1)


# --- charts (altair; data in, chart out) -----------------------------------------------

_NPS_SCALE = alt.Scale(domain=[-100, 100])
_NPS_COLOUR = alt.condition(
    "datum.nps >= 0", alt.value("#2e7d32"), alt.value("#c62828")
)


def role_bars(by_role: pl.DataFrame) -> alt.Chart:
    """Return horizontal bars of NPS per role (rows of :func:`nps_by_role`)."""
    data = by_role.filter(pl.col("nps").is_not_null()).with_columns(
        pl.col("nps").cast(pl.Float64)
    )
    chart: alt.Chart = (
        alt.Chart(data, title="NPS by buying role")
        .mark_bar()
        .properties(height=alt.Step(28))
        .encode(
            x=alt.X("nps:Q", title="NPS", scale=_NPS_SCALE),
            y=alt.Y("role:N", sort=list(data["role"]), title=None),
            color=_NPS_COLOUR,
            tooltip=[
                alt.Tooltip("role:N"),
                alt.Tooltip("nps:Q", format=".0f"),
                alt.Tooltip("responses:Q"),
                alt.Tooltip("promoters:Q"),
                alt.Tooltip("detractors:Q"),
            ],
        )
    )
    return chart


def trend_lines(trend: pl.DataFrame) -> alt.Chart:
    """Return NPS per quarter, one line per ``role`` (rows of :func:`quarterly_trend`)."""
    data = trend.filter(pl.col("nps").is_not_null()).with_columns(
        pl.col("nps").cast(pl.Float64)
    )
    chart: alt.Chart = (
        alt.Chart(data, title="NPS per quarter")
        .mark_line(point=True)
        .encode(
            x=alt.X("quarter:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("nps:Q", title="NPS", scale=_NPS_SCALE),
            color=alt.Color("role:N", title="Role"),
            tooltip=[
                alt.Tooltip("quarter:O"),
                alt.Tooltip("role:N"),
                alt.Tooltip("nps:Q", format=".0f"),
                alt.Tooltip("responses:Q"),
            ],
        )
    )
    return chart


def driver_bars(drivers: pl.DataFrame, title: str = "") -> alt.Chart:
    """Return NPS per bucket in the buckets' order (rows of :func:`nps_by_bucket`)."""
    data = drivers.filter(pl.col("nps").is_not_null()).with_columns(
        pl.col("nps").cast(pl.Float64)
    )
    chart: alt.Chart = (
        (alt.Chart(data, title=title) if title else alt.Chart(data))
        .mark_bar()
        .encode(
            x=alt.X(
                "bucket:N",
                sort=list(data["bucket"]),
                title=None,
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("nps:Q", title="NPS", scale=_NPS_SCALE),
            color=_NPS_COLOUR,
            tooltip=[
                alt.Tooltip("bucket:N"),
                alt.Tooltip("nps:Q", format=".0f"),
                alt.Tooltip("accounts:Q"),
                alt.Tooltip("responses:Q"),
            ],
        )
    )
    return chart
