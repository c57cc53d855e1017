"""The Voice of the customer page under AppTest, on a private copy of the demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import count_calls, open_page, run_cli
from workbench import store
from workbench.domain import Actor

PAGE = "pages/voice.py"


@pytest.fixture
def page(app_db: Path) -> AppTest:
    return open_page(PAGE)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# AppTest does not expose a dataframe's key: tables are told apart by their columns.
TABLE_COLUMNS = {
    "voice_comments": {"comment", "band", "department"},
    "survey_problems": {"level", "message"},
    "survey_columns": {"field", "file column"},
    "survey_preview": {"status", "account_id", "row"},
}


def _frame(at: AppTest, name: str, position: int | None = None):
    wanted = TABLE_COLUMNS[name]
    found = [d.value for d in at.dataframe if wanted <= set(d.value.columns)]
    if position is not None:
        return found[position]
    assert len(found) == 1, f"{len(found)} tables look like {name}"
    return found[0]


def on_tab(at: AppTest, label: str) -> AppTest:
    """Choose the tab ``label``: a tab's content is built only while it is open."""
    at.session_state["voice_tab"] = label
    at.run()
    assert not at.exception, at.exception
    return at


def _comments(at: AppTest):
    # The account drill-down (first tab) and the Comments tab share a layout.
    return _frame(at, "voice_comments", position=-1)


def test_page_shows_demo_figures(page, app_db):
    metrics = _metrics(page)
    con = store.connect(app_db)  # the app holds the file open in this process
    try:
        # The default period is the last four quarters (the newest answer's quarter
        # and the three before it); each person counts once.
        people = con.sql(
            """
            WITH bounds AS (
                SELECT date_trunc('quarter', max(responded_on))
                       - INTERVAL 9 MONTH AS since FROM nps_responses
            )
            SELECT count(DISTINCT contact_id) + count(*) FILTER (contact_id IS NULL)
            FROM nps_responses, bounds
            WHERE responded_on >= bounds.since AND survey_type = 'relationship'
            """
        ).fetchall()[0][0]
        total = store.table_counts(con)["nps_responses"]
    finally:
        con.close()
    assert metrics["Responses"] == f"{people:,}"
    assert people < total
    assert metrics["Accounts heard"] == "58 of 60"
    # the first tab is built, the others wait until chosen
    assert not any(s.key == "voice_gap" for s in page.slider)
    metrics = _metrics(on_tab(page, "Role conflicts"))
    # The demo's planted conflicts rest on a handful of answers per role a year:
    # few pass the chance test (the old gap-only rule flagged a third of them).
    conflicts = int(metrics["Accounts with a role conflict"].split(" of ")[0])
    assert 1 <= conflicts <= 10
    assert int(metrics["Risky detractors"].replace(",", "")) > 0
    assert not page.error


def test_gap_slider_and_period_change_the_conflicts(page):
    on_tab(page, "Role conflicts")
    before = int(_metrics(page)["Accounts with a role conflict"].split(" of ")[0])
    page.slider(key="voice_gap").set_value(150).run()
    after = int(_metrics(page)["Accounts with a role conflict"].split(" of ")[0])
    assert after < before
    page.selectbox(key="voice_period").select("Last quarter").run()
    assert not page.exception
    responses = int(_metrics(page)["Responses"].replace(",", ""))
    assert 0 < responses < 2000


def test_comment_search_and_role_filter(page):
    on_tab(page, "Comments")
    page.text_input(key="voice_comment_search").input("price").run()
    found = _comments(page)
    assert len(found) > 0
    assert all("price" in c.lower() for c in found["comment"])
    page.multiselect(key="voice_comment_roles").select("buyer").run()
    found = _comments(page)
    assert set(found["role"]) <= {"buyer"}


def test_one_account_drill_down(page):
    page.selectbox(key="voice_account").select("A00007").run()
    assert not page.exception
    account_comments = _frame(page, "voice_comments", position=0)
    assert len(account_comments) > 0
    assert set(account_comments["account_name"]) == {"Meridian Dynamics Corp."}


def test_upload_reports_problems_and_blocks_the_commit(page):
    on_tab(page, "Import survey")
    csv = (
        b"account,email,date,score,comment\n"
        b"A00001,nobody@example.com,2026-09-01,9,=cmd|' /C calc'!A0\n"
        b"A00001,,2026-09-02,12,too high\n"
    )
    page.file_uploader(key="survey_upload").upload("nps.csv", csv, "text/csv").run()
    assert not page.exception
    problems = _frame(page, "survey_problems")
    assert list(problems["level"]) == ["warning", "error"]
    assert list(problems["row"]) == [1, 2]
    assert page.button(key="survey_commit").disabled


def test_upload_and_commit_adds_responses_shown_as_text(page, app_db):
    hostile = "<script>alert('x')</script> **bold**"
    csv = (
        "Kunde,E-Mail,Datum,Bewertung,Kommentar\n"
        f'A00002,,2026-09-20,2,"{hostile}"\n'
        "A00003,,2026-09-21,10,\n"
    ).encode()
    before = int(_metrics(page)["Responses"].replace(",", ""))
    on_tab(page, "Import survey")
    page.file_uploader(key="survey_upload").upload("umfrage.csv", csv, "text/csv").run()
    assert not page.button(key="survey_commit").disabled
    page.button(key="survey_commit").click().run()
    assert not page.exception
    assert any("Stored 2 new" in s.value for s in page.success)
    page.run()
    after = int(_metrics(page)["Responses"].replace(",", ""))
    assert after == before + 2
    # The same file again updates instead of duplicating.
    page.button(key="survey_commit").click().run()
    assert any("updated 2" in s.value for s in page.success)
    on_tab(page, "Comments")
    page.text_input(key="voice_comment_search").input("<script>").run()
    assert list(_comments(page)["comment"]) == [hostile]
    assert not any("<script" in m.value for m in page.markdown)


def test_qualtrics_upload_offers_the_score_column(page):
    on_tab(page, "Import survey")
    text = (
        "RecordedDate,ResponseId,ExternalReference,Q1,Q7\n"
        "Recorded Date,Response ID,External Data Reference,"
        "How likely are you to recommend us?,Overall satisfaction\n"
        '"{""ImportId"":""recordedDate""}","{""ImportId"":""_recordId""}",'
        '"{""ImportId"":""externalDataReference""}","{""ImportId"":""QID1""}",'
        '"{""ImportId"":""QID7""}"\n'
        "2026-09-01 10:00:00,R_1,C0000001,8,3\n"
    )
    page.file_uploader(key="survey_upload").upload(
        "q.csv", text.encode(), "text/csv"
    ).run()
    columns = _frame(page, "survey_columns")
    assert (
        dict(zip(columns["field"], columns["file column"], strict=True))["score"]
        == "Q1"
    )
    assert list(_frame(page, "survey_preview")["score"]) == [8]
    page.selectbox(key="survey_score_column").select("Q7").run()
    assert list(_frame(page, "survey_preview")["score"]) == [3]
    assert not page.button(key="survey_commit").disabled


def test_viewer_cannot_upload(app_db):
    at = on_tab(open_page(PAGE, Actor(name="guest", role="viewer")), "Import survey")
    assert at.file_uploader(key="survey_upload").disabled
    assert any("analyst or admin" in i.value for i in at.info)


def test_cli_prints_nps_rows(demo_db):
    result = run_cli("nps", "--db", str(demo_db), "--json")
    import json

    rows = json.loads(result.stdout)
    assert set(rows[0]) == {
        "account_id",
        "role",
        "responses",
        "nps",
        "nps_low",
        "nps_high",
        "too_few",
    }
    assert all(r["nps_low"] <= r["nps"] <= r["nps_high"] for r in rows)
    overall = [r for r in rows if r["role"] == "all"]
    assert len(overall) == 58  # every demo account with people (two are empty)
    assert all(-100 <= r["nps"] <= 100 for r in overall)
    bad = run_cli("nps", "--by", "nope", check=False)
    assert bad.returncode == 2


def test_cli_lists_conflicts_beyond_chance(demo_db):
    import json

    result = run_cli(
        "nps", "--conflicts", "--quarters", "0", "--db", str(demo_db), "--json"
    )
    conflicts = json.loads(result.stdout)
    assert conflicts, "two years of demo answers hold at least one real conflict"
    for row in conflicts:
        assert {"account_id", "high_role", "low_role", "gap", "p_value"} <= set(row)
        for side in ("high", "low"):
            assert row[f"{side}_responses"] >= 5
            assert row[f"{side}_nps_low"] <= row[f"{side}_nps"]
            assert row[f"{side}_nps"] <= row[f"{side}_nps_high"]
        assert row["gap"] > 70 and row["q_value"] <= 0.05
    text = run_cli("nps", "--db", str(demo_db))
    assert "too few answers" in text.stdout and "95% interval" in text.stdout


def test_moving_the_gap_tests_no_account_again(page, monkeypatch):
    # the permutation tests are kept per period, survey, answers and pair
    from workbench.analytics import voice

    calls = count_calls(monkeypatch, voice, "role_conflict_tests")
    on_tab(page, "Role conflicts")
    page.slider(key="voice_gap").set_value(100).run()
    calls.clear()
    for gap in (120, 40, 100):
        page.slider(key="voice_gap").set_value(gap).run()
        assert not page.exception, page.exception
    assert calls == []
    page.number_input(key="voice_min_responses").set_value(4).run()
    assert len(calls) == 1  # a new number of answers per role tests again, once


def test_long_account_tables_show_their_first_rows(app_db, monkeypatch):
    from workbench.app import voice_reads
    from workbench.app.screens import voice as screen
    from workbench.app.screens import voice_loop

    monkeypatch.setattr(screen, "TABLE_ROWS", 5)
    monkeypatch.setattr(voice_loop, "TABLE_ROWS", 5)
    monkeypatch.setattr(voice_reads, "PICKER_ACCOUNTS", 5)
    at = open_page(PAGE)
    by_account = next(d.value for d in at.dataframe if "roles_heard" in d.value.columns)
    assert len(by_account) == 5
    assert any("The first 5 of 60 rows" in c.value for c in at.caption)
    # the one-account picker lists five, by name as its caption says; a search
    # finds the last account
    con = store.connect(app_db)
    try:
        by_name = con.sql(
            "SELECT coalesce(name, account_id) || ' · ' || account_id FROM accounts "
            "ORDER BY coalesce(name, account_id), account_id LIMIT 5"
        ).fetchall()
    finally:
        con.close()
    assert at.selectbox(key="voice_account").options == [row[0] for row in by_name]
    assert any("listed (by name)" in c.value for c in at.caption), [
        c.value for c in at.caption
    ]
    at.text_input(key="voice_account_search").input("a00060").run()
    assert not at.exception, at.exception
    picker = at.selectbox(key="voice_account")
    picker.select("A00060").run()
    assert at.selectbox(key="voice_account").value == "A00060"
    # the comments and the detractors too: the first rows, the CSV holds them all
    for tab in ("Comments", "Detractors"):
        on_tab(at, tab)
        assert any("The first 5 of" in c.value for c in at.caption), tab
        assert all(len(d.value) <= 5 for d in at.dataframe), tab


def test_every_account_tested_is_built_only_while_open(app_db, monkeypatch):
    # thousands of rows at scale, once sent at every move of the gap
    from workbench.app.screens import voice as screen

    monkeypatch.setattr(screen, "TABLE_ROWS", 3)
    at = on_tab(open_page(PAGE), "Role conflicts")

    def tested_tables() -> list:
        return [d.value for d in at.dataframe if "flagged" in d.value.columns]

    assert tested_tables() == []
    assert not any(b.key == "voice_tested_download" for b in at.get("download_button"))
    at.session_state["voice_tested_open"] = True
    at.run()
    assert not at.exception, at.exception
    [shown] = tested_tables()
    assert len(shown) == 3  # its first rows; the CSV holds every account tested
    assert any("The first 3 of" in c.value for c in at.caption)
    assert any(b.key == "voice_tested_download" for b in at.get("download_button"))


def test_styled_tables_are_drawn_once_per_period_and_tab(page, monkeypatch):
    # pandas' Styler (the grey figures on too few answers) is rendered cell by
    # cell: a rerun with the same period replays the tables as drawn
    from workbench.app.screens import voice as screen

    styled = count_calls(monkeypatch, screen, "_greyed")
    page.run()
    drawn_first = [d.value for d in page.dataframe]
    styled.clear()
    page.run()
    assert not page.exception, page.exception
    assert styled == []
    again = [d.value for d in page.dataframe]
    assert len(again) == len(drawn_first) >= 2
    assert all(a.equals(b) for a, b in zip(again, drawn_first, strict=True))
    # another period is drawn anew, with its own figures
    page.selectbox(key="voice_period").select("Last quarter").run()
    assert styled, "a new period must style its tables"
    by_account = next(
        d.value for d in page.dataframe if "roles_heard" in d.value.columns
    )
    assert not by_account.equals(
        next(d for d in drawn_first if "roles_heard" in d.columns)
    )
    # the roles tab: its tables and the dimension's, kept per choice
    on_tab(page, "By role and group")
    styled.clear()
    page.run()
    assert styled == []
    page.selectbox(key="voice_dimension").select("quarter").run()
    assert not page.exception, page.exception
    assert len(styled) == 1  # the table of the new dimension only


def test_a_comment_search_runs_once_per_search(page, monkeypatch):
    # every other widget of the tab reran the search through all the answers
    from workbench.analytics import voice

    searches = count_calls(monkeypatch, voice, "search_comments")
    on_tab(page, "Comments")
    page.text_input(key="voice_comment_search").input("price").run()
    found = _comments(page)
    searches.clear()
    page.run()
    assert searches == []
    assert _comments(page).equals(found)
    page.multiselect(key="voice_comment_roles").select("decider").run()
    [(args, _kwargs)] = searches
    assert args[1:] == ("price", ("decider",))


def test_drivers_tab_reuses_the_segments_pages_features(app_db, monkeypatch):
    from workbench.analytics import voice
    from workbench.api import Workbench

    at = open_page("pages/segments.py")  # aggregates the account features
    aggregated = count_calls(monkeypatch, store, "account_features")
    at.switch_page(PAGE).run()
    on_tab(at, "Drivers")
    assert aggregated == []  # the relationship types come from the kept ones
    assert len(at.get("vega_lite_chart")) == 4
    shown = next(
        d.value
        for d in at.dataframe
        if "partnership" in set(d.value["bucket"]) and "accounts" in d.value.columns
    )
    # the same figures as the API's segmentation at its defaults, last 4 quarters
    con = store.connect(app_db, read_only=True)
    try:
        every = store.nps_responses_enriched(con)
        types = Workbench(con).segments().select("account_id", "relationship")
    finally:
        con.close()
    since = voice.period_start(voice.last_response_day(every), 4)
    expected = voice.nps_by_bucket(
        voice.responses_since(every, since), voice.relationship_buckets(types)
    )
    assert shown["accounts"].to_list() == expected["accounts"].to_list()
    assert shown["responses"].to_list() == expected["responses"].to_list()


def test_the_answers_context_is_read_only_where_a_figure_shows_it(app_db, monkeypatch):
    # The org level and the days since the last touch (the reporting trees and
    # every answer's last touch: most of reading the answers at scale) are read
    # for the figures by org level and for the drivers, not at the opening.
    from tests.conftest import count_queries
    from workbench.analytics import voice

    context = count_queries(monkeypatch, store.voice, "ASOF")
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert context == []
    on_tab(at, "By role and group")
    assert context == []
    at.selectbox(key="voice_dimension").select("org_level").run()
    assert not at.exception, at.exception
    assert len(context) == 1
    shown = next(d.value for d in at.dataframe if "org_level" in d.value.columns)
    con = store.connect(app_db, read_only=True)
    try:
        every = store.nps_responses_enriched(con)
    finally:
        con.close()
    since = voice.period_start(voice.last_response_day(every), 4)
    expected = voice.nps_by(
        voice.one_answer_per_person(voice.responses_since(every, since)), "org_level"
    )
    assert shown["org_level"].to_list() == expected["org_level"].to_list()
    assert shown["responses"].to_list() == expected["responses"].to_list()
    assert expected["org_level"].null_count() < expected.height  # levels known
    context.clear()  # this test's own read above
    on_tab(at, "Drivers")  # the freshness buckets: the same context, kept
    assert context == []
    assert len(at.get("vega_lite_chart")) == 4
