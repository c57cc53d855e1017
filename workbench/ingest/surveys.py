"""Reading NPS survey exports into ``nps_responses`` rows, with every problem located.

Two layouts are understood:

* a plain table (CSV, Excel, …) with an account, a contact ID or an e-mail, a
  date, a 0–10 score and a comment, under headers in English, Chinese, German,
  Spanish or French (see :data:`HEADER_SYNONYMS`);
* a Qualtrics export: three header rows (question IDs, question texts, ImportId
  JSON), the score question found by its text ("How likely are you to recommend
  …", "推荐", …) or named by the user.

Responses link to contacts by contact ID or e-mail and to accounts by ID or name,
all case-insensitively. Whatever cannot be linked or read is reported as a
:class:`~workbench.domain.Problem` with its row and column, never dropped in
silence. This module never touches the database: :func:`read_survey` returns
rows ready for :func:`workbench.store.write_survey_responses`.

The import page and ``workbench import`` call :func:`looks_like_survey` on a
file's header to route it here, then :func:`read_survey`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from workbench.domain import Problem
from workbench.errors import RejectedInputError
from workbench.i18n import N_
from workbench.ingest.model import problems_frame
from workbench.ingest.problems import file_problem, make_problem, worded
from workbench.ingest.read import read_table
from workbench.ingest.sources.surveys import (
    COMMENT_WORDS,
    HEADER_SYNONYMS,
    QUALTRICS_HEADER_ROWS,
    RECOMMEND_WORDS,
    RELATIONSHIP_WORDS,
    SOURCE_PLAIN,
    SOURCE_QUALTRICS,
    TOUCHPOINT_WORDS,
    field_of,
    is_qualtrics,
    looks_like_survey,
    mentions,
    normalise_header,
)
from workbench.ingest.survey_checks import classify, row_problems

__all__ = [
    "COMMENT_WORDS",
    "HEADER_SYNONYMS",
    "QUALTRICS_HEADER_ROWS",
    "RECOMMEND_WORDS",
    "SOURCE_PLAIN",
    "SOURCE_QUALTRICS",
    "SurveyResult",
    "columns_frame",
    "is_qualtrics",
    "looks_like_survey",
    "normalise_header",
    "problems_frame",
    "read_survey",
    "read_survey_file",
]

_RESPONSE_COLUMNS: dict[str, pl.DataType] = {
    "account_id": pl.String(),
    "contact_id": pl.String(),
    "responded_on": pl.Date(),
    "score": pl.Int8(),
    "comment": pl.String(),
    "source": pl.String(),
    "source_id": pl.String(),
    "survey_type": pl.String(),
}


@dataclass(frozen=True)
class SurveyResult:
    """What reading a survey export found.

    Attributes:
        responses: rows in the ``nps_responses`` layout (``account_id``,
            ``contact_id``, ``responded_on``, ``score``, ``comment``, ``source``,
            ``source_id``); only rows without errors.
        preview: one row per data row of the file: ``row``, the raw values read,
            the linked IDs and ``status`` (``ok``, ``warning``, ``error``).
        problems: everything wrong, with file, row and column.
        layout: ``plain`` or ``qualtrics``.
        columns: which file column was read for each field (``score``, ``account``,
            ``contact``, ``email``, ``date``, ``comment``, ``response_id``).
        score_candidates: columns that could hold the score, for the user to pick.
        file_columns: every column of the file, in order.
    """

    responses: pl.DataFrame
    preview: pl.DataFrame
    problems: list[Problem]
    layout: str
    columns: dict[str, str] = field(default_factory=dict)
    score_candidates: list[str] = field(default_factory=list)
    file_columns: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that block a commit."""
        return [p for p in self.problems if p.level == "error"]

    @property
    def can_commit(self) -> bool:
        """Return whether the responses may be stored: no errors, at least one row."""
        return not self.errors and self.responses.height > 0


# --- reading ---------------------------------------------------------------------------


def read_survey_file(
    file_name: str,
    data: bytes,
    contacts: pl.DataFrame,
    accounts: pl.DataFrame,
    score_column: str | None = None,
    encoding: str | None = None,
) -> SurveyResult:
    """Decode a survey file's bytes (any format the import reads) and read it.

    Raises:
        RejectedInputError: the file cannot be decoded or parsed as a table.
    """
    read = read_table(file_name, data, encoding)
    result = read_survey(file_name, read.frame, contacts, accounts, score_column)
    if read.warning:  # mojibake: the comments and names may need another encoding
        message = read.garbled or read.warning.removeprefix(f"{read.name}: ")
        result.problems.insert(
            0, file_problem("warning", file_name, message, "encoding")
        )
    return result


def read_survey(
    file_name: str,
    table: pl.DataFrame,
    contacts: pl.DataFrame,
    accounts: pl.DataFrame,
    score_column: str | None = None,
) -> SurveyResult:
    """Read a survey table (all text) into responses and problems.

    Args:
        file_name: shown in problems.
        table: the file as read by :func:`workbench.ingest.read_table_file`; for a
            Qualtrics export the question texts and ImportId rows are its first two
            rows.
        contacts: ``contact_id``, ``account_id``, ``email`` of known people.
        accounts: ``account_id``, ``name`` of known accounts.
        score_column: the column holding the 0–10 answer, when the user chose one.

    Returns:
        The responses without errors, a row-by-row preview and every problem.

    Raises:
        RejectedInputError: ``score_column`` is not a column of the table.
    """
    qualtrics = is_qualtrics(table)
    questions: dict[str, str] = {}
    data = table
    if qualtrics:
        questions = {
            name: str(text)
            for name, text in zip(table.columns, table.row(0), strict=True)
            if text is not None
        }
        data = table.slice(QUALTRICS_HEADER_ROWS - 1)
    layout = "qualtrics" if qualtrics else "plain"
    columns, candidates = _choose_columns(table.columns, questions, score_column)
    problems = _missing_columns(file_name, columns)
    if problems:
        return SurveyResult(
            responses=pl.DataFrame(schema=_RESPONSE_COLUMNS),
            preview=pl.DataFrame(),
            problems=problems,
            layout=layout,
            columns=columns,
            score_candidates=candidates,
            file_columns=list(table.columns),
        )
    raw = _raw_values(data, columns)
    parsed, date_note = _parse_values(raw)
    linked = _link(parsed, contacts, accounts)
    source = SOURCE_QUALTRICS if qualtrics else SOURCE_PLAIN
    keyed = _with_source_ids(linked, source)
    checked = classify(keyed)
    problems = row_problems(file_name, columns, checked)
    problems += _unknown_survey_types(file_name, columns, checked)
    if date_note:
        problems.insert(
            0,
            make_problem(
                "warning",
                file_name,
                None,
                columns["date"],
                worded(date_note),
                "date_order",
            ),
        )
    responses, preview = _responses_and_preview(checked, source)
    return SurveyResult(
        responses=responses,
        preview=preview,
        problems=problems,
        layout=layout,
        columns=columns,
        score_candidates=candidates,
        file_columns=list(table.columns),
    )


def _missing_columns(file_name: str, columns: dict[str, str]) -> list[Problem]:
    """Return an error for each field a survey cannot be read without."""
    missing: list[str] = []
    if "score" not in columns:
        missing.append(
            N_(
                "no score column found: name it 'score' or 'NPS', or choose the "
                "column that holds the 0–10 answer"
            )
        )
    if not ({"account", "contact", "email"} & columns.keys()):
        missing.append(
            N_("no column links responses to an account, a contact ID or an e-mail")
        )
    if "date" not in columns:
        missing.append(N_("no date column found"))
    return [
        file_problem("error", file_name, worded(message), "missing_column")
        for message in missing
    ]


def _raw_values(data: pl.DataFrame, columns: dict[str, str]) -> pl.DataFrame:
    """Return the row number and each field's trimmed text (``raw_<field>``)."""
    # Data rows are numbered from 1 after the header rows, as the problems say.
    return data.select(
        pl.int_range(1, data.height + 1, dtype=pl.Int64).alias("row"),
        *[
            pl.col(source)
            .cast(pl.String)
            .str.strip_chars()
            .replace("", None)
            .alias(f"raw_{name}")
            if source in data.columns
            else pl.lit(None, dtype=pl.String).alias(f"raw_{name}")
            for name, source in (
                (n, columns.get(n, ""))
                for n in (
                    "account",
                    "contact",
                    "email",
                    "date",
                    "score",
                    "comment",
                    "response_id",
                    "survey_type",
                )
            )
        ],
    )


def _responses_and_preview(
    checked: pl.DataFrame, source: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the rows to store (the last of each response) and the row-by-row preview."""
    responses = (
        checked.filter(pl.col("status").is_in(["ok", "warning"]))
        .unique("source_id", keep="last", maintain_order=True)
        .select(
            "account_id",
            "contact_id",
            "responded_on",
            pl.col("score").cast(pl.Int8),
            pl.col("raw_comment").alias("comment"),
            pl.lit(source).alias("source"),
            "source_id",
            survey_type_expr().alias("survey_type"),
        )
    )
    preview = checked.select(
        "row",
        pl.col("raw_account").alias("account"),
        pl.col("raw_contact").alias("contact"),
        pl.col("raw_email").alias("email"),
        "responded_on",
        "score",
        pl.col("raw_comment").alias("comment"),
        "account_id",
        "contact_id",
        "status",
    )
    return responses, preview


def survey_type_expr(raw: pl.Expr | None = None) -> pl.Expr:
    """Return ``relationship``/``touchpoint`` from a survey-type cell, else null.

    Null (no column, empty cell, or a value naming neither) leaves the choice to
    the import (:meth:`workbench.api.Workbench.commit_survey`'s ``survey_type``).
    """
    value = (pl.col("raw_survey_type") if raw is None else raw).str.to_lowercase()
    touchpoint = pl.any_horizontal(
        [value.str.contains(w, literal=True) for w in TOUCHPOINT_WORDS]
    )
    relationship = pl.any_horizontal(
        [value.str.contains(w, literal=True) for w in RELATIONSHIP_WORDS]
    )
    return (
        pl.when(touchpoint)
        .then(pl.lit("touchpoint"))
        .when(relationship)
        .then(pl.lit("relationship"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def _unknown_survey_types(
    file_name: str, columns: dict[str, str], checked: pl.DataFrame
) -> list[Problem]:
    """Return one warning naming survey-type values that are neither known type."""
    unknown = (
        checked.filter(
            pl.col("raw_survey_type").is_not_null() & survey_type_expr().is_null()
        )
        .get_column("raw_survey_type")
        .unique(maintain_order=True)
    )
    if unknown.len() == 0:
        return []
    shown = ", ".join(repr(v) for v in unknown.head(5).to_list())
    return [
        make_problem(
            "warning",
            file_name,
            None,
            columns.get("survey_type"),
            worded(
                N_(
                    "survey types neither relationship nor touchpoint ({values}): "
                    "those answers take the type chosen at import"
                ),
                values=shown,
            ),
            "unknown_value",
        )
    ]


def _choose_columns(
    headers: Sequence[str], questions: dict[str, str], score_column: str | None
) -> tuple[dict[str, str], list[str]]:
    """Return the column chosen for each field, and the columns that may be scores."""
    chosen: dict[str, str] = {}
    for header in headers:
        name = field_of(header)
        if name and name != "score" and name not in chosen:
            chosen[name] = header
    # Qualtrics also exports the computed band as "<question>_NPS_GROUP".
    usable = [h for h in headers if not normalise_header(h).endswith("npsgroup")]
    candidates = [
        h
        for h in usable
        if field_of(h) == "score"
        or mentions(h, RECOMMEND_WORDS)
        or mentions(questions.get(h), RECOMMEND_WORDS)
    ]
    if score_column is not None:
        if score_column not in headers:
            raise RejectedInputError(
                worded(
                    N_("the file has no column {column}; choose one of its columns"),
                    column=repr(score_column),
                )
            )
        chosen["score"] = score_column
    elif candidates:
        chosen["score"] = candidates[0]
    if "comment" not in chosen:
        for header in usable:
            if header != chosen.get("score") and mentions(
                questions.get(header), COMMENT_WORDS
            ):
                chosen["comment"] = header
                break
    choices = candidates or [h for h in usable if h not in chosen.values()]
    return chosen, choices


# Dates: ISO first, then the forms people type; the time of day is ignored.
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%Y.%m.%d", "%Y年%m月%d日")


def _parse_values(raw: pl.DataFrame) -> tuple[pl.DataFrame, str | None]:
    """Parse score and date; return the frame and a note about ambiguous dates."""
    text_score = pl.col("raw_score")
    # "9", "9.0", or a Qualtrics choice label such as "10 - Extremely likely".
    plain = text_score.str.contains(r"^[+-]?\d+(\.0+)?$")
    labelled = text_score.str.contains(r"^\d{1,2}\s*[-–—:]\s*\D")
    score_value = text_score.str.extract(r"^([+-]?\d+)", 1).cast(pl.Int64, strict=False)
    day_text = pl.col("raw_date").str.replace(r"[ T]\d{1,2}:\d{2}.*$", "")
    slash = (
        pl.col("raw_date").str.extract(r"^(\d{1,2})/(\d{1,2})/\d{4}", 1).cast(pl.Int64)
    )
    slash_second = (
        pl.col("raw_date").str.extract(r"^\d{1,2}/(\d{1,2})/\d{4}", 1).cast(pl.Int64)
    )
    # One reading per file: day-first when some first part exceeds 12, else
    # month-first (the US form Qualtrics and Excel use).
    flags = raw.select(
        (slash > 12).any().alias("day_first"),
        (slash_second > 12).any().alias("month_first"),
        slash.is_not_null().any().alias("has_slash"),
    ).row(0, named=True)
    slash_format = (
        "%d/%m/%Y" if flags["day_first"] and not flags["month_first"] else "%m/%d/%Y"
    )
    note = None
    if flags["has_slash"] and not flags["day_first"] and not flags["month_first"]:
        note = N_(
            "dates such as 03/04/2024 could be read either way; read as month/day/year"
        )
    formats = [*_DATE_FORMATS, slash_format]
    responded_on = pl.coalesce([day_text.str.to_date(f, strict=False) for f in formats])
    parsed = raw.with_columns(
        pl.when(plain | labelled).then(score_value).alias("score"),
        responded_on.alias("responded_on"),
    )
    return parsed, note


def _link(
    parsed: pl.DataFrame, contacts: pl.DataFrame, accounts: pl.DataFrame
) -> pl.DataFrame:
    """Add ``contact_id`` and ``account_id`` found for each row, and why not."""
    known = contacts.select(
        pl.col("contact_id").cast(pl.String),
        pl.col("account_id").cast(pl.String).alias("contact_account_id"),
        pl.col("email").cast(pl.String),
    )
    by_id = known.select(
        pl.col("contact_id").str.to_lowercase().alias("_key"),
        pl.col("contact_id").alias("_id_contact"),
    ).unique("_key", keep="first")
    # An address shared by several people cannot say who answered.
    emails = known.filter(pl.col("email").is_not_null()).with_columns(
        pl.col("email").str.strip_chars().str.to_lowercase().alias("_key")
    )
    email_counts = emails.group_by("_key").agg(
        pl.col("contact_id").first().alias("_email_contact"),
        pl.len().alias("_email_matches"),
    )
    account_ids = accounts.select(
        pl.col("account_id").cast(pl.String).str.to_lowercase().alias("_key"),
        pl.col("account_id").cast(pl.String).alias("_account_by_id"),
    ).unique("_key", keep="first")
    names = accounts.filter(pl.col("name").is_not_null()).with_columns(
        pl.col("name")
        .cast(pl.String)
        .str.strip_chars()
        .str.to_lowercase()
        .alias("_key")
    )
    name_counts = names.group_by("_key").agg(
        pl.col("account_id").first().alias("_account_by_name"),
        pl.len().alias("_name_matches"),
    )
    contact_key = pl.col("raw_contact").str.to_lowercase()
    email_key = pl.coalesce(
        pl.col("raw_email"),
        pl.when(pl.col("raw_contact").str.contains("@")).then(pl.col("raw_contact")),
    ).str.to_lowercase()
    account_key = pl.col("raw_account").str.to_lowercase()
    frame = (
        parsed.with_columns(
            contact_key.alias("_contact_key"),
            email_key.alias("_email_key"),
            account_key.alias("_account_key"),
        )
        .join(by_id, left_on="_contact_key", right_on="_key", how="left")
        .join(email_counts, left_on="_email_key", right_on="_key", how="left")
        .join(account_ids, left_on="_account_key", right_on="_key", how="left")
        .join(name_counts, left_on="_account_key", right_on="_key", how="left")
    )
    unique_email = pl.when(pl.col("_email_matches") == 1).then(pl.col("_email_contact"))
    frame = frame.with_columns(
        pl.coalesce(pl.col("_id_contact"), unique_email).alias("contact_id"),
        pl.coalesce(
            pl.col("_account_by_id"),
            pl.when(pl.col("_name_matches") == 1).then(pl.col("_account_by_name")),
        ).alias("stated_account_id"),
    ).join(
        known.select("contact_id", "contact_account_id"), on="contact_id", how="left"
    )
    return frame.with_columns(
        pl.coalesce(pl.col("contact_account_id"), pl.col("stated_account_id")).alias(
            "account_id"
        )
    )


def _with_source_ids(linked: pl.DataFrame, source: str) -> pl.DataFrame:
    # A response's ID in the survey tool when the file has one; otherwise who
    # answered for which account on which day, so re-importing the same export
    # updates rather than duplicates.
    natural = pl.concat_str(
        [
            pl.coalesce(pl.col("account_id"), pl.col("raw_account"), pl.lit("")),
            pl.coalesce(
                pl.col("contact_id"),
                pl.col("raw_email"),
                pl.col("raw_contact"),
                pl.lit(""),
            ),
            pl.col("responded_on").cast(pl.String).fill_null(""),
        ],
        separator="|",
    )
    return linked.with_columns(
        pl.coalesce(pl.col("raw_response_id"), natural).alias("source_id")
    )


def columns_frame(result: SurveyResult) -> pl.DataFrame:
    """Return which file column was read for each field, as a small table."""
    fields = (
        "score",
        "account",
        "contact",
        "email",
        "date",
        "comment",
        "response_id",
        "survey_type",
    )
    return pl.DataFrame(
        {
            "field": list(fields),
            "file column": [result.columns.get(name) for name in fields],
        },
        schema={"field": pl.String, "file column": pl.String},
    )
