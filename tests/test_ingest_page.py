"""The Import page under AppTest: upload a small Salesforce export, check, commit, undo."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from workbench import store
from workbench.domain import Actor

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def _page(at: AppTest) -> AppTest:
    at.switch_page("pages/import_data.py").run()
    assert not at.exception, at.exception
    return at


def _frame_with(at: AppTest, column: str):
    # st.dataframe keys are not exposed by AppTest: find the table by its columns.
    for element in at.dataframe:
        if column in element.value.columns:
            return element.value
    raise AssertionError(f"no table with a {column!r} column")


def _upload(at: AppTest, *names: str) -> AppTest:
    uploader = at.file_uploader(key="import_files")
    for name in names:
        uploader.upload(Path(name).name, (FIXTURES / name).read_bytes(), "text/csv")
    return at.run()


def test_page_states_the_upload_limit(at: AppTest) -> None:
    page = _page(at)
    captions = " ".join(c.value for c in page.caption)
    assert "Upload limit: 200 MB per file" in captions


def test_upload_check_commit_and_undo(at: AppTest, app_db: Path) -> None:
    page = _upload(_page(at), "salesforce/Account.csv", "salesforce/Contact.csv")
    assert not page.exception, page.exception
    recognised = _frame_with(page, "ignored_columns")
    assert sorted(recognised["table"].tolist()) == ["accounts", "contacts"]
    assert page.metric[0].value == "0"  # errors
    page.button(key="import_commit").click().run()
    assert not page.exception, page.exception
    assert any("Imported (run" in s.value for s in page.success)

    con = store.connect(app_db)
    try:
        names = store.query_frame(
            con, "SELECT name FROM contacts WHERE source = 'salesforce' ORDER BY name"
        )["name"].to_list()
    finally:
        con.close()
    assert names == ["Hao Chen", "Jun Li", "Klaus Weber", "Mei Zhang"]
    # the past imports name their files, not the run's JSON record
    runs = _frame_with(page, "run_id")
    assert runs["files"].tolist() == ["Account.csv, Contact.csv"]
    assert runs["status"].tolist() == ["committed"] and runs["rows"].tolist() == [9]

    page.button(key="import_undo").click().run()
    assert not page.exception, page.exception
    con = store.connect(app_db)
    try:
        left = store.query_frame(
            con, "SELECT count(*) AS n FROM contacts WHERE source = 'salesforce'"
        )["n"][0]
    finally:
        con.close()
    assert left == 0


def test_a_rejected_upload_shows_errors_and_offers_no_commit(at: AppTest) -> None:
    page = _upload(_page(at), "bad/missing_account/Contact.csv")
    assert not page.exception, page.exception
    assert page.metric[0].value != "0"
    assert not [b for b in page.button if b.key == "import_commit"]
    problems = _frame_with(page, "message")
    assert (
        problems["message"]
        .str.contains("neither in the import nor in the database")
        .any()
    )


def test_viewers_are_told_they_cannot_import(at: AppTest) -> None:
    at.session_state["workbench_actor"] = Actor(name="guest", role="viewer")
    page = _page(at)
    assert any("cannot" in i.value or "not import" in i.value for i in page.info)
    assert not list(page.get("file_uploader"))


@pytest.mark.parametrize(
    "name", ["bad/junk.csv", "bad/unclosed_quote.csv", "bad/empty.csv"]
)
def test_bad_files_give_a_message_not_a_traceback(at: AppTest, name: str) -> None:
    page = _upload(_page(at), name)
    assert not page.exception, page.exception
    problems = _frame_with(page, "message")
    assert (problems["level"] == "error").any()


def test_hostile_file_names_are_shown_as_text(at: AppTest) -> None:
    page = _page(at)
    data = (FIXTURES / "salesforce" / "Account.csv").read_bytes()
    page.file_uploader(key="import_files").upload(
        "**<img src=x onerror=alert(1)>**.csv", data, "text/csv"
    )
    page.run()
    assert not page.exception, page.exception
    # the expanders that name the uploaded file (not, e.g., the currency's)
    labels = [e.label for e in page.expander if "img" in e.label]
    assert labels
    assert all("\\<img" in label and "\\*\\*" in label for label in labels)


def test_the_currency_is_set_on_the_import_page_and_shown_with_amounts(app_db):
    from tests.conftest import open_page

    at = open_page("pages/import_data.py")
    assert any("USD" in e.label for e in at.expander)
    at.selectbox(key="imp_currency").set_value("TWD")
    next(b for b in at.button if b.label == "Save the currency").click()
    at.run()
    assert not at.exception, at.exception
    with store.connect(app_db, read_only=True) as con:
        assert store.portfolio_currency(con) == "TWD"
    assert any("TWD" in e.label for e in at.expander)
    assert any("TWD" in t.value for t in at.toast)


def test_a_viewer_sees_the_currency_but_cannot_change_it(app_db):
    from tests.conftest import open_page

    at = open_page("pages/import_data.py", Actor(name="vera", role="viewer"))
    assert at.selectbox(key="imp_currency").disabled
    with store.connect(app_db, read_only=True) as con:
        assert store.portfolio_currency(con) == "USD"


def test_a_large_file_s_rows_are_shown_as_its_check_counted_them(
    at: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every file read from disk as a large one: its rows are not counted when it
    # is recognised, only when the check reads it.
    from workbench import ingest

    monkeypatch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 0)
    page = _upload(_page(at), "salesforce/Account.csv", "salesforce/Contact.csv")
    assert not page.exception, page.exception
    recognised = _frame_with(page, "ignored_columns")
    rows = dict(zip(recognised["table"], recognised["rows"], strict=True))
    expected = {
        table: pl.read_csv(FIXTURES / "salesforce" / name).height
        for table, name in (("accounts", "Account.csv"), ("contacts", "Contact.csv"))
    }
    assert rows == expected
    # a missing value (a file-level problem's row) reads as a dash, not "None"
    shown = [
        table.proto.placeholder
        for table in page.dataframe
        if {"ignored_columns", "message"} & set(table.value.columns)
    ]
    assert shown == ["–", "–"]


def test_open_tasks_are_counted_apart_in_the_check_before_the_commit(
    at: AppTest,
) -> None:
    page = _page(at)
    tasks = (FIXTURES / "salesforce" / "Task.csv").read_text()
    # one call still to make: Salesforce exports its open to-dos too
    tasks = tasks.replace(
        "Price call,2024-02-01,Call,1800,Completed",
        "Price call,2024-02-01,Call,,Not Started",
    )
    uploader = page.file_uploader(key="import_files")
    account = (FIXTURES / "salesforce" / "Account.csv").read_bytes()
    uploader.upload("Account.csv", account, "text/csv")
    uploader.upload("Task.csv", tasks.encode(), "text/csv")
    page.run()
    assert not page.exception, page.exception
    plan = _frame_with(page, "not done in the CRM")
    activities = plan[plan["table"] == "activities"]
    assert activities["not done in the CRM"].tolist() == [1]
    assert activities["skip"].tolist() == [0]
    kinds = _frame_with(page, "kind")["kind"].tolist()
    assert "not done (open, cancelled, only proposed): not effort, left out" in kinds


def test_a_date_read_from_another_column_is_shown_in_the_mapping_and_the_check(
    at: AppTest,
) -> None:
    page = _page(at)
    lines = (FIXTURES / "salesforce" / "Task.csv").read_text().splitlines()
    # Salesforce exports when each task was done; a to-do had no due date
    tasks = [lines[0] + ",CompletedDateTime"] + [
        line + ",2024-02-06T10:00:00.000+0000" for line in lines[1:]
    ]
    tasks[2] = tasks[2].replace("Send specs,2024-02-03,", "Send specs,,")
    uploader = page.file_uploader(key="import_files")
    account = (FIXTURES / "salesforce" / "Account.csv").read_bytes()
    uploader.upload("Account.csv", account, "text/csv")
    uploader.upload("Task.csv", "\n".join(tasks).encode(), "text/csv")
    page.run()
    assert not page.exception, page.exception
    (mapping,) = [
        element.value
        for element in page.dataframe
        if "fills empty cells of" in element.value.columns
        and "CompletedDateTime" in element.value["file column"].tolist()
    ]
    fills = dict(
        zip(mapping["file column"], mapping["fills empty cells of"], strict=True)
    )
    assert fills["CompletedDateTime"] == "activity_date (2)"
    # ticked, and may be unticked (the editor's one column besides the mapping)
    ticked = dict(zip(mapping["file column"], mapping["fills"], strict=True))
    assert ticked["CompletedDateTime"] is True
    kinds = _frame_with(page, "kind")["kind"].tolist()
    assert "empty or stand-in value read from another column" in kinds
