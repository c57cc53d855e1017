"""Survey exports: plain tables in several languages and Qualtrics' three header rows."""

from __future__ import annotations

import io
import json
from datetime import date

import polars as pl
import pytest

from workbench import store
from workbench.domain import LOCAL_ACTOR, Actor
from workbench.errors import PermissionDeniedError, RejectedInputError
from workbench.ingest import surveys

CONTACTS = pl.DataFrame(
    {
        "contact_id": ["C1", "C2", "C3", "C4"],
        "account_id": ["A1", "A1", "A2", "A2"],
        "email": ["Ann@Acme.com", "bob@acme.com", "li@huadong.cn", "li@huadong.cn"],
    }
)
ACCOUNTS = pl.DataFrame(
    {
        "account_id": ["A1", "A2", "A3", "A4"],
        "name": ["Acme GmbH", "华东自动化", "Twin", "Twin"],
    }
)


def _read(text: str, name: str = "nps.csv", **kwargs: object) -> surveys.SurveyResult:
    return surveys.read_survey_file(
        name, text.encode("utf-8"), CONTACTS, ACCOUNTS, **kwargs
    )


def _messages(result: surveys.SurveyResult) -> list[tuple[str, int | None, str | None]]:
    return [(p.level, p.row, p.column) for p in result.problems]


def test_plain_csv_links_by_email_case_insensitively_and_by_account_name():
    result = _read(
        "Account,E-Mail,Date,Score,Comment\n"
        "acme gmbh,ANN@acme.COM,2026-03-05,9,great\n"
        "华东自动化,,2026-03-06,6,价格太高\n"
    )
    assert result.problems == []
    assert result.can_commit
    rows = result.responses.sort("account_id").to_dicts()
    assert rows[0]["account_id"] == "A1"
    assert rows[0]["contact_id"] == "C1"
    assert rows[0]["responded_on"] == date(2026, 3, 5)
    assert rows[0]["score"] == 9
    assert rows[0]["source"] == "survey"
    assert rows[1]["account_id"] == "A2"
    assert rows[1]["contact_id"] is None
    assert result.responses.schema["score"] == pl.Int8


@pytest.mark.parametrize(
    "header",
    [
        "客户,联系人,日期,评分,评论",
        "Kunde,Kontakt,Datum,Bewertung,Kommentar",
        "Cliente,Contacto,Fecha,Puntuación,Comentario",
        "Client,Contact,Date,Note,Commentaire",
        "account_id,contact_id,responded_on,nps,comment",
    ],
)
def test_header_synonyms_in_five_languages(header):
    result = _read(f"{header}\nA1,c2,05.03.2026,10,ok\n")
    assert result.problems == []
    row = result.responses.row(0, named=True)
    assert (row["account_id"], row["contact_id"], row["score"]) == ("A1", "C2", 10)
    assert row["responded_on"] == date(2026, 3, 5)
    assert surveys.looks_like_survey(header.split(","))


def test_bad_scores_are_errors_with_row_and_column():
    result = _read(
        "account,contact,date,score\n"
        "A1,C1,2026-01-02,11\n"
        "A1,C2,2026-01-02,-1\n"
        "A1,C1,2026-01-03,eight\n"
        "A1,C2,2026-01-04,7.5\n"
        "A1,C1,2026-01-05,7\n"
    )
    errors = [(p.row, p.column) for p in result.errors]
    assert errors == [(1, "score"), (2, "score"), (3, "score"), (4, "score")]
    assert "outside 0–10" in result.errors[0].message
    assert "not a whole number" in result.errors[2].message
    assert not result.can_commit
    # Only the good row is a candidate response; the commit is refused anyway.
    assert result.responses["score"].to_list() == [7]


def test_unlinked_contact_is_reported_and_kept_for_the_account():
    result = _read("account,email,date,score\nA1,nobody@acme.com,2026-01-02,8\n")
    assert _messages(result) == [("warning", 1, "email")]
    assert "nobody@acme.com" in result.problems[0].message
    assert result.responses["account_id"].to_list() == ["A1"]
    assert result.responses["contact_id"].to_list() == [None]
    assert result.can_commit


def test_nothing_to_link_is_an_error_not_a_silent_drop():
    result = _read(
        "account,email,date,score\nUnknown Ltd,x@y.z,2026-01-02,8\nA1,,2026-01-02,9\n"
    )
    assert ("error", 1, "account") in _messages(result)
    assert result.responses.height == 1
    assert not result.can_commit
    assert result.preview["status"].to_list() == ["error", "ok"]


def test_contact_wins_over_a_contradicting_account_and_says_so():
    result = _read("account,contact,date,score\nA2,C1,2026-01-02,8\n")
    assert result.responses["account_id"].to_list() == ["A1"]
    assert [p.level for p in result.problems] == ["warning"]
    assert "belongs to account A1" in result.problems[0].message


def test_shared_email_and_ambiguous_names_are_not_guessed():
    result = _read(
        "account,email,date,score\nA2,li@huadong.cn,2026-01-02,5\nTwin,,2026-01-02,5\n"
    )
    levels = _messages(result)
    assert ("warning", 1, "email") in levels
    assert ("warning", 2, "account") in levels
    assert ("error", 2, "account") in levels
    assert result.responses["contact_id"].to_list() == [None]


def test_blank_score_is_reported_and_skipped():
    result = _read("account,date,score\nA1,2026-01-02,\nA1,2026-01-03,10\n")
    assert _messages(result) == [("warning", 1, "score")]
    assert result.responses["score"].to_list() == [10]
    assert result.preview["status"].to_list() == ["skipped", "ok"]


def test_missing_score_column_is_an_error_with_candidates_to_choose():
    result = _read("account,date,q5\nA1,2026-01-02,10\n")
    assert [p.level for p in result.problems] == ["error"]
    assert "q5" in result.score_candidates
    chosen = _read("account,date,q5\nA1,2026-01-02,10\n", score_column="q5")
    assert chosen.problems == []
    assert chosen.responses["score"].to_list() == [10]
    with pytest.raises(RejectedInputError, match="no column"):
        _read("account,date,q5\nA1,2026-01-02,10\n", score_column="nope")


def test_ambiguous_slash_dates_are_read_month_first_with_a_note():
    result = _read("account,date,score\nA1,03/04/2026,9\n")
    assert result.responses["responded_on"].to_list() == [date(2026, 3, 4)]
    assert result.problems[0].level == "warning"
    day_first = _read("account,date,score\nA1,03/04/2026,9\nA1,25/04/2026,9\n")
    assert day_first.responses["responded_on"].to_list() == [
        date(2026, 4, 3),
        date(2026, 4, 25),
    ]
    assert day_first.problems == []


def test_duplicate_rows_keep_the_later_one_with_a_warning():
    result = _read(
        "account,contact,date,score\nA1,C1,2026-01-02,5\nA1,C1,2026-01-02,9\n"
    )
    assert _messages(result) == [("warning", 1, "date")]
    assert result.responses["score"].to_list() == [9]


QUALTRICS = (
    "StartDate,EndDate,Status,RecordedDate,ResponseId,RecipientEmail,"
    "ExternalReference,Company,Q1,Q1_NPS_GROUP,Q2\n"
    "Start Date,End Date,Response Type,Recorded Date,Response ID,Recipient Email,"
    "External Data Reference,Company,"
    '"How likely are you to recommend Acme to a colleague, 0-10?",'
    "How likely ... - Group,Why did you give this score?\n"
    '"{""ImportId"":""startDate"",""timeZone"":""America/Denver""}",'
    '"{""ImportId"":""endDate""}","{""ImportId"":""status""}",'
    '"{""ImportId"":""recordedDate""}","{""ImportId"":""_recordId""}",'
    '"{""ImportId"":""recipientEmail""}","{""ImportId"":""externalDataReference""}",'
    '"{""ImportId"":""Company""}","{""ImportId"":""QID1""}",'
    '"{""ImportId"":""QID1_NPS_GROUP""}","{""ImportId"":""QID2_TEXT""}"\n'
    "2026-05-01 09:00:00,2026-05-01 09:03:00,0,2026-05-01 09:03:01,R_1a,"
    "bob@ACME.com,,Acme GmbH,3,Detractor,<script>alert(1)</script>\n"
    "2026-05-02 10:00:00,2026-05-02 10:01:00,0,2026-05-02 10:01:30,R_2b,"
    ',C3,,10 - Extremely likely,Promoter,=HYPERLINK("x")\n'
    "2026-05-03 10:00:00,2026-05-03 10:01:00,0,2026-05-03 10:01:30,R_3c,"
    ",C4,,,,\n"
)


def test_qualtrics_three_header_rows_and_score_found_by_question_text():
    result = _read(QUALTRICS, name="qualtrics.csv")
    assert result.layout == "qualtrics"
    assert result.columns["score"] == "Q1"
    assert result.columns["comment"] == "Q2"
    assert result.score_candidates == ["Q1"]
    # Row 3 skipped the question: reported at data row 3 (after the header rows).
    assert _messages(result) == [("warning", 3, "Q1")]
    rows = result.responses.to_dicts()
    assert [r["source_id"] for r in rows] == ["R_1a", "R_2b"]
    assert [r["source"] for r in rows] == ["qualtrics", "qualtrics"]
    assert [r["contact_id"] for r in rows] == ["C2", "C3"]
    assert [r["account_id"] for r in rows] == ["A1", "A2"]
    assert [r["score"] for r in rows] == [3, 10]
    assert rows[0]["responded_on"] == date(2026, 5, 1)
    # Hostile text is kept verbatim as data; it is never interpreted here.
    assert rows[0]["comment"] == "<script>alert(1)</script>"


def test_qualtrics_chinese_question_text():
    text = QUALTRICS.replace(
        '"How likely are you to recommend Acme to a colleague, 0-10?"',
        "您向同事推荐我们的可能性有多大？",
    )
    result = _read(text, name="qualtrics.csv")
    assert result.columns["score"] == "Q1"


def test_looks_like_survey_rejects_crm_exports():
    assert surveys.looks_like_survey(["ResponseId", "RecordedDate", "Q1"])
    assert not surveys.looks_like_survey(["Id", "Name", "Rating", "Email", "AccountId"])
    assert not surveys.looks_like_survey(["Email", "HubSpot Score", "Company"])
    assert not surveys.looks_like_survey(["Score", "Date"])


def test_write_survey_responses_upserts_and_logs_the_run(con):
    con.execute("INSERT INTO accounts (account_id, name) VALUES ('A1', 'Acme GmbH')")
    con.execute(
        "INSERT INTO contacts (contact_id, account_id, email) "
        "VALUES ('C1', 'A1', 'ann@acme.com')"
    )
    contacts, accounts = store.survey_link_targets(con)

    def write(score_and_comment: str, sha256: str) -> tuple[int, int]:
        read = surveys.read_survey_file(
            "a.csv",
            b"account,email,date,score,comment\nA1,ann@acme.com,2026-01-02,"
            + score_and_comment.encode()
            + b"\n",
            contacts,
            accounts,
        )
        outcome = store.write_survey_responses(
            con, LOCAL_ACTOR, read.responses, file_name="a.csv", file_sha256=sha256
        )
        return outcome["inserted"], outcome["updated"]

    assert write("4,slow", "abc") == (1, 0)
    assert write("9,fixed", "def") == (0, 1)
    stored = store.read_table(con, "nps_responses")
    assert stored.height == 1
    assert stored.row(0, named=True)["score"] == 9
    assert stored.row(0, named=True)["comment"] == "fixed"
    runs = store.read_table(con, "import_runs")
    assert runs["status"].to_list() == ["committed", "committed"]
    assert json.loads(runs["files"][1])[0]["sha256"] == "def"
    assert json.loads(runs["counts"][1]) == {"nps_responses": 1}


def test_write_survey_responses_checks_rights_and_rejects_bad_rows(con):
    rows = pl.DataFrame(
        {
            "account_id": ["A1"],
            "contact_id": [None],
            "responded_on": [date(2026, 1, 1)],
            "score": [11],
            "comment": [None],
            "source": ["survey"],
            "source_id": ["x"],
        },
        schema_overrides={"contact_id": pl.String, "comment": pl.String},
    )
    viewer = Actor(name="v", role="viewer")
    with pytest.raises(PermissionDeniedError):
        store.write_survey_responses(con, viewer, rows, file_name="f", file_sha256="s")
    with pytest.raises(RejectedInputError, match="0 to 10"):
        store.write_survey_responses(
            con, LOCAL_ACTOR, rows, file_name="f", file_sha256="s"
        )
    assert store.read_table(con, "nps_responses").height == 0
    assert store.read_table(con, "import_runs").height == 0


def test_excel_and_gbk_files_read_through_the_import_reader():
    frame = pl.DataFrame(
        {
            "客户": ["华东自动化", "Acme GmbH"],
            "电子邮件": ["LI@huadong.cn", "bob@acme.com"],
            "日期": ["2026-04-01", "2026年4月2日"],
            "评分": ["0", "10"],
            "评论": ["交期太长", None],
        }
    )
    buffer = io.BytesIO()
    frame.write_excel(buffer)
    from_excel = surveys.read_survey_file(
        "调查.xlsx", buffer.getvalue(), CONTACTS, ACCOUNTS
    )
    gbk = frame.write_csv().encode("gbk")
    from_gbk = surveys.read_survey_file("调查.csv", gbk, CONTACTS, ACCOUNTS)
    for result in (from_excel, from_gbk):
        # li@huadong.cn is shared by two people: linked to the account only.
        assert [p.level for p in result.problems] == ["warning"]
        assert result.responses["account_id"].to_list() == ["A2", "A1"]
        assert result.responses["contact_id"].to_list() == [None, "C2"]
        assert result.responses["responded_on"].to_list() == [
            date(2026, 4, 1),
            date(2026, 4, 2),
        ]
        assert result.responses["comment"].to_list() == ["交期太长", None]


def test_columns_and_problems_tables():
    result = _read("account,date,score\nA1,2026-01-02,x\n")
    columns = surveys.columns_frame(result)
    assert dict(columns.rows())["score"] == "score"
    problems = surveys.problems_frame(result.problems)
    assert problems.columns == ["level", "file", "row", "column", "message"]
    assert problems.row(0) == (
        "error",
        "nps.csv",
        1,
        "score",
        "score x is not a whole number from 0 to 10",
    )
    assert surveys.problems_frame([]).height == 0
