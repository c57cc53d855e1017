"""Checking survey rows: one flag per problem kind, then located, readable problems.

:func:`classify` flags each parsed and linked response; :func:`row_problems` turns
the flags into :class:`~workbench.domain.Problem` rows with their file column.
"""

from __future__ import annotations

import polars as pl

from workbench.domain import Problem
from workbench.i18n import N_
from workbench.ingest.problems import make_problem, worded


def classify(keyed: pl.DataFrame) -> pl.DataFrame:
    """Add one boolean per problem kind and the row's overall ``status``."""
    has_who = pl.col("raw_contact").is_not_null() | pl.col("raw_email").is_not_null()
    frame = keyed.with_columns(
        pl.col("raw_score").is_null().alias("p_blank_score"),
        (pl.col("raw_score").is_not_null() & pl.col("score").is_null()).alias(
            "p_bad_score"
        ),
        (pl.col("score").is_not_null() & ~pl.col("score").is_between(0, 10)).alias(
            "p_score_range"
        ),
        pl.col("raw_date").is_null().alias("p_no_date"),
        (pl.col("raw_date").is_not_null() & pl.col("responded_on").is_null()).alias(
            "p_bad_date"
        ),
        (pl.col("account_id").is_null()).alias("p_no_account"),
        (pl.col("_email_matches") > 1).fill_null(False).alias("p_shared_email"),
        # Not found at all; an address several people share is its own problem.
        (
            has_who
            & pl.col("contact_id").is_null()
            & ~(pl.col("_email_matches") > 1).fill_null(False)
        ).alias("p_unlinked_contact"),
        (
            pl.col("raw_account").is_not_null()
            & pl.col("stated_account_id").is_null()
            & pl.col("account_id").is_not_null()
        ).alias("p_unlinked_account_ok"),
        ((pl.col("_name_matches") > 1) & pl.col("_account_by_id").is_null())
        .fill_null(False)
        .alias("p_ambiguous_account"),
        (
            pl.col("stated_account_id").is_not_null()
            & pl.col("contact_account_id").is_not_null()
            & (pl.col("stated_account_id") != pl.col("contact_account_id"))
        ).alias("p_account_mismatch"),
    )
    error = (
        pl.col("p_bad_score")
        | pl.col("p_score_range")
        | pl.col("p_no_date")
        | pl.col("p_bad_date")
        | pl.col("p_no_account")
    )
    warning = (
        pl.col("p_unlinked_contact")
        | pl.col("p_unlinked_account_ok")
        | pl.col("p_account_mismatch")
        | pl.col("p_shared_email")
    )
    duplicate = pl.col("source_id").is_duplicated() & (
        pl.col("row") != pl.col("row").max().over("source_id")
    )
    frame = frame.with_columns(
        (duplicate & ~error & ~pl.col("p_blank_score")).alias("p_duplicate")
    )
    # A blank score is a question the person skipped: reported, not stored.
    return frame.with_columns(
        pl.when(error)
        .then(pl.lit("error"))
        .when(pl.col("p_blank_score"))
        .then(pl.lit("skipped"))
        .when(warning | pl.col("p_duplicate"))
        .then(pl.lit("warning"))
        .otherwise(pl.lit("ok"))
        .alias("status")
    )


def row_problems(
    file_name: str, columns: dict[str, str], checked: pl.DataFrame
) -> list[Problem]:
    """Turn the problem flags into located, readable problems (one per row and kind)."""
    kinds = _value_kinds(columns) + _link_kinds(columns)
    found = pl.concat(
        [
            checked.filter(pl.col(flag)).select(
                "row",
                pl.lit(index).alias("kind"),
                pl.struct(
                    [expr.cast(pl.String).alias(name) for name, expr in params.items()]
                    or [pl.lit("").alias("_")]
                ).alias("params"),
            )
            for index, (flag, _level, _column, _template, params) in enumerate(kinds)
        ],
        how="diagonal_relaxed",
    ).sort("row", maintain_order=True)
    problems: list[Problem] = []
    for item in found.iter_rows(named=True):
        _flag, level, column, template, params = kinds[item["kind"]]
        values = {name: item["params"][name] for name in params}
        problems.append(
            make_problem(
                level,
                file_name,
                item["row"],
                column,
                worded(template, **values),
                "survey_answer",
            )
        )
    return problems


#: One problem kind: its flag column, level, file column, message template and the
#: expressions of the template's parameters.
_Kind = tuple[str, str, str | None, str, dict[str, pl.Expr]]


def _value_kinds(columns: dict[str, str]) -> list[_Kind]:
    """Return the kinds of unreadable or missing scores and dates."""
    score_col = columns.get("score")
    date_col = columns.get("date")
    raw_score = {"score": pl.col("raw_score")}
    return [
        (
            "p_bad_score",
            "error",
            score_col,
            N_("score {score} is not a whole number from 0 to 10"),
            raw_score,
        ),
        (
            "p_score_range",
            "error",
            score_col,
            N_("score {score} is outside 0–10"),
            raw_score,
        ),
        (
            "p_blank_score",
            "warning",
            score_col,
            N_("no score (question skipped); the row is not imported"),
            {},
        ),
        ("p_no_date", "error", date_col, N_("no date"), {}),
        (
            "p_bad_date",
            "error",
            date_col,
            N_("date {date} is not a date (use YYYY-MM-DD)"),
            {"date": pl.col("raw_date")},
        ),
    ]


def _link_kinds(columns: dict[str, str]) -> list[_Kind]:
    """Return the kinds of responses that link badly, or repeat, by their columns."""
    date_col = columns.get("date")
    who_col = columns.get("contact") or columns.get("email")
    account_col = columns.get("account")
    contact = pl.coalesce(pl.col("raw_contact"), pl.col("raw_email"))
    return [
        (
            "p_no_account",
            "error",
            account_col or who_col,
            N_(
                "cannot link to an account: no account {account} and no known contact {contact}"
            ),
            {
                "account": pl.col("raw_account").fill_null("(empty)"),
                "contact": contact.fill_null("(empty)"),
            },
        ),
        (
            "p_ambiguous_account",
            "warning",
            account_col,
            N_("several accounts are named {account}; use the account ID"),
            {"account": pl.col("raw_account")},
        ),
        (
            "p_unlinked_contact",
            "warning",
            who_col,
            N_("no known contact {contact}; the response counts for the account only"),
            {"contact": contact},
        ),
        (
            "p_shared_email",
            "warning",
            columns.get("email") or who_col,
            N_("several contacts share the e-mail {email}; linked to the account only"),
            {"email": pl.coalesce(pl.col("raw_email"), pl.col("raw_contact"))},
        ),
        (
            "p_unlinked_account_ok",
            "warning",
            account_col,
            N_(
                "no known account {account}; linked through the contact to {account_id}"
            ),
            {"account": pl.col("raw_account"), "account_id": pl.col("account_id")},
        ),
        (
            "p_account_mismatch",
            "warning",
            account_col,
            N_(
                "the contact belongs to account {contact_account}, not {account}; "
                "stored under the contact's"
            ),
            {
                "contact_account": pl.col("contact_account_id"),
                "account": pl.col("stated_account_id"),
            },
        ),
        (
            "p_duplicate",
            "warning",
            columns.get("response_id") or date_col,
            N_(
                "the same response ({response}) appears again later; the later row wins"
            ),
            {"response": pl.col("source_id")},
        ),
    ]
