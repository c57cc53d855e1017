"""Slices of the responses: roles, quarters, accounts, conflicts, detractors, comments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from workbench import terms
from workbench.analytics.sentences import sentence, words
from workbench.analytics.voice.score import (
    _COUNT_COLUMNS,
    DECIDING_ROLES,
    DETRACTOR_MAX_SCORE,
    DIMENSIONS,
    HIGH_INFLUENCE_MIN,
    UNKNOWN_ROLE,
    band_expr,
    summarise_nps,
)
from workbench.analytics.voice.uncertainty import influence_weighted_nps
from workbench.domain import BUYING_ROLES
from workbench.i18n import DEFAULT_LANGUAGE, N_

# --- slicing: roles, quarters, periods -----------------------------------------------

#: The group of every answer of an account or a quarter, beside its roles.
ALL_GROUP = "all"


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


def responses_for_account_ids(
    responses: pl.DataFrame, account_ids: Sequence[str]
) -> pl.DataFrame:
    """Return the responses of the given accounts."""
    return responses.filter(pl.col("account_id").is_in(list(account_ids)))


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
        *(pl.col(c).fill_null(0) for c in _COUNT_COLUMNS),
        pl.col("too_few").fill_null(True),
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
        pl.lit(ALL_GROUP).alias("role")
    )


# --- per account --------------------------------------------------------------------


def nps_by_account(
    responses: pl.DataFrame,
    accounts: pl.DataFrame,
    not_customers: Sequence[str] = (),
) -> pl.DataFrame:
    """Return every account with its NPS, counts and which roles were heard from.

    Args:
        responses: needs ``account_id``, ``score``, ``buying_role``.
        accounts: rows of ``account_id``, ``name``; accounts without responses keep
            a row with 0 responses and a null NPS.
        not_customers: accounts the CRM types as no customer (a partner, a
            competitor: :func:`workbench.store.accounts_not_segmented`): left
            out unless they answered, so that the accounts heard are counted
            of the customers a survey goes to.

    Returns:
        ``account_id``, ``account_name``, the counts, ``nps`` with its interval and
        ``too_few``, ``roles_heard`` and ``roles_missing`` (lists of role names, in
        the vocabulary's order); with an ``influence`` column, also
        ``nps_by_influence`` and its interval (see
        :func:`workbench.analytics.voice.influence_weighted_nps`).
    """
    counts = summarise_nps(responses, ["account_id"])
    heard = (
        responses.filter(pl.col("buying_role").is_in(list(BUYING_ROLES)))
        .group_by("account_id")
        .agg(pl.col("buying_role").unique().alias("roles_set"))
    )
    base = (
        accounts.select(pl.col("account_id"), pl.col("name").alias("account_name"))
        .unique("account_id", keep="first", maintain_order=True)
        .filter(
            ~pl.col("account_id").is_in(list(not_customers))
            | pl.col("account_id").is_in(counts.get_column("account_id").to_list())
        )
    )
    joined = (
        base.join(counts, on="account_id", how="left")
        .join(heard, on="account_id", how="left")
        .with_columns(
            *(pl.col(c).fill_null(0) for c in _COUNT_COLUMNS),
            pl.col("too_few").fill_null(True),
        )
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
    if "influence" in responses.columns:
        joined = joined.join(
            influence_weighted_nps(responses), on="account_id", how="left"
        )
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
    (``role``, ``department`` or ``quarter``), with the interval (``nps_low``,
    ``nps_high``) and ``too_few``. Count each person once first
    (:func:`one_answer_per_person`).
    """
    if by not in {"role", "department", "quarter"}:
        raise ValueError(f"cannot group by {by!r}")
    frame = with_role_label(with_quarter(responses)).with_columns(
        pl.col("department").fill_null("(unknown)")
    )
    overall = summarise_nps(frame, ["account_id"]).with_columns(
        pl.lit(ALL_GROUP).alias(by), pl.lit(0).alias("_order")
    )
    split = summarise_nps(frame, ["account_id", by]).with_columns(
        pl.lit(1).alias("_order")
    )
    columns = ["account_id", by, "responses", "nps", "nps_low", "nps_high", "too_few"]
    return (
        pl.concat(
            [overall.select([*columns, "_order"]), split.select([*columns, "_order"])]
        )
        .sort(["account_id", "_order", by])
        .drop("_order")
    )


def account_role_matrix(
    responses: pl.DataFrame, by_role: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Return one row per account and one NPS column per role (null: not heard).

    Columns: ``account_id``, ``account_name``, ``responses``, ``nps`` (all roles),
    then the seven roles in the vocabulary's order. ``by_role``: the same
    responses' :func:`nps_by_account_role`, where the caller has it already.
    """
    overall = summarise_nps(responses, ["account_id", "account_name"]).select(
        "account_id", "account_name", "responses", "nps"
    )
    if by_role is None:
        by_role = nps_by_account_role(responses)
    per_role = by_role.filter(pl.col("role").is_in(list(BUYING_ROLES)))
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


def _commented(responses: pl.DataFrame) -> pl.DataFrame:
    """Return the responses with a comment that is not blank, with ``role``."""
    return with_role_label(responses).filter(
        pl.col("comment").is_not_null() & (pl.col("comment").str.strip_chars() != "")
    )


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
    # the conflicted accounts' answers first: a handful of accounts, where the
    # labels and the blank test over every answer of the period cost milliseconds
    in_conflict = responses.filter(
        pl.col("account_id").is_in(conflicts.get_column("account_id").implode())
    )
    commented = _commented(in_conflict)
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


#: Why a detractor counts (:func:`risky_detractors`'s ``why``): their deciding
#: role and their influence, their role alone ("decider") or their influence
#: alone. Written in English, the role named by its code; said in another
#: language by :func:`detractor_why` where a person reads it.
WHY_ROLE_AND_INFLUENCE = N_("{role}, influence {influence}")
WHY_INFLUENCE = N_("influence {influence}")


def risky_detractors(
    responses: pl.DataFrame, *, influence_min: int = HIGH_INFLUENCE_MIN
) -> pl.DataFrame:
    """Return people whose latest score is a detractor's and who can sink a deal.

    A person counts when the latest score is 0–6 and they are a decider or an
    approver, or their influence is at least ``influence_min``, and they have
    not left the account (``has_left``, where the answers carry it: their answer
    still counts in the scores, but nobody is left to win back). Needs the
    enriched columns (``buying_role``, ``influence``, names, ``comment``).

    Returns:
        ``account_id``, ``account_name``, ``contact_id``, ``contact_name``,
        ``title``, ``buying_role``, ``influence``, ``score``, ``responded_on``,
        ``comment`` (of that latest answer) and ``why``; lowest score first.
    """
    deciding = pl.col("buying_role").is_in(list(DECIDING_ROLES)).fill_null(False)
    influential = (pl.col("influence") >= influence_min).fill_null(False)
    influence = pl.col("influence").cast(pl.String)
    why = (
        pl.when(deciding & influential)
        .then(sentence(WHY_ROLE_AND_INFLUENCE, role="buying_role", influence=influence))
        .when(deciding)
        .then(pl.col("buying_role"))
        .otherwise(sentence(WHY_INFLUENCE, influence=influence))
    )
    still_there = (
        ~pl.col("has_left").fill_null(False)
        if "has_left" in responses.columns
        else pl.lit(True)
    )
    return (
        _latest_rows(responses)
        .filter(
            (pl.col("score") <= DETRACTOR_MAX_SCORE)
            & (deciding | influential)
            & still_there
        )
        .select(
            *(["response_id"] if "response_id" in responses.columns else []),
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


def detractor_why(
    why: str | None, role: str | None, influence: object, language: str
) -> str | None:
    """Return a detractor's ``why`` as written by :func:`risky_detractors` in ``language``.

    ``role`` and ``influence`` are the same row's: the reason is said again from
    them when it is one of the English forms written from them; any other text (a
    ``why`` written otherwise) stays as it is, and English as stored.
    """
    if language == DEFAULT_LANGUAGE or why is None:
        return why
    role_words = (
        words(terms.BUYING_ROLES[role], language)
        if role in terms.BUYING_ROLES
        else role
    )
    for message in (WHY_ROLE_AND_INFLUENCE, WHY_INFLUENCE):
        if why == message.format(role=role, influence=influence):
            return words(message, language).format(role=role_words, influence=influence)
    return role_words if why == role else why


def detractors_worded(frame: pl.DataFrame, language: str) -> pl.DataFrame:
    """Return :func:`risky_detractors` rows with their ``why`` in ``language``.

    For display (a few rows): the data and its downloads keep the English.
    """
    if language == DEFAULT_LANGUAGE or frame.is_empty():
        return frame
    reasons = [
        detractor_why(why, role, influence, language)
        for why, role, influence in frame.select(
            "why", "buying_role", "influence"
        ).iter_rows()
    ]
    return frame.with_columns(pl.Series("why", reasons, dtype=pl.String))


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
    commented = _commented(responses)
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
