"""The Account plans page: write and save, versions, the concurrent-edit refusal."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import count_calls, open_page
from tests.plans_page_support import PAGE, _open
from workbench import i18n, plans, store
from workbench.domain import Actor


def _open_account() -> tuple[AppTest, str]:
    """The page, and the account it opened on."""
    at = _open()
    return at, at.selectbox(key="plan_account").value


def _press(at: AppTest, key: str) -> None:
    """Click the button ``key``; the rerun must not raise."""
    at.button(key=key).click().run()
    assert not at.exception, at.exception


def _add_rows(at: AppTest, table: str, rows: list[dict[str, str]]) -> None:
    """Add ``rows`` to the plan editor's ``table`` as a person typing them would."""
    nonce = at.session_state["plan_editor_nonce"]
    at.session_state[f"plan_{table}_{nonce}"] = {
        "edited_rows": {},
        "added_rows": rows,
        "deleted_rows": [],
    }


def _captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def _stored(db: Path, account_id: str) -> list[plans.PlanVersion]:
    # The app keeps the file open in this process; a second connection shares it.
    con = store.connect(db)
    try:
        history = plans.plan_history(con, account_id)
        return [
            saved
            for v in history["version"].to_list()
            if (saved := plans.load_plan(con, account_id, v)) is not None
        ]
    finally:
        con.close()


def test_write_and_save_a_plan_then_a_second_version(app_db):
    at, account_id = _open_account()
    assert "No saved plan yet" in _captions(at)
    # a new plan starts with the situation computed from the data
    assert any("Won revenue" in str(df.value) for df in at.dataframe)
    at.text_area(key="plan_identify").input("Dora decides; no initiator known.").run()
    at.text_area(key="plan_customise").input("Consignment stock </script>").run()
    at.selectbox(key="plan_relationship").select("partnership").run()
    at.multiselect(key="plan_value_services").select("Joint promotion").run()
    _add_rows(
        at,
        "actions",
        [{"contact": "Dora", "action": "Executive visit", "status": "open"}],
    )
    _press(at, "plan_save")
    saved_message = (
        f"Saved version 1 of the plan for {at.session_state['plan_base'].account_name}."
    )
    # at the top and beside the Save button, where the user is
    assert [s.value for s in at.success] == [saved_message, saved_message]
    assert "Current version **1**" in _captions(at)

    at.text_area(key="plan_differentiate").input("Most growable: grow share.").run()
    _press(at, "plan_save")
    assert "Current version **2**" in _captions(at)
    assert "You are editing from version 2" in _captions(at)
    # the text survived the reload onto version 2
    assert at.text_area(key="plan_identify").value.startswith("Dora decides")

    versions = _stored(app_db, account_id)
    assert [v.version for v in versions] == [2, 1]
    assert versions[0].saved_by == "local"
    latest = versions[0].plan
    assert latest.differentiate == "Most growable: grow share."
    assert latest.customise == "Consignment stock </script>"
    assert latest.relationship == "partnership"
    assert latest.value_services == ["Joint promotion"]
    assert [(a.contact, a.action) for a in latest.actions] == [
        ("Dora", "Executive visit")
    ]
    assert latest.situation is not None and latest.situation.part("crm") is not None
    # versions, downloads and the view of a version are there
    assert at.selectbox(key="plan_view_version").options == ["2", "1"]
    labels = {b.label for b in at.get("download_button")}
    assert labels >= {"Markdown", "Printable page (HTML)", "Actions (CSV)"}
    at.selectbox(key="plan_view_version").select(1).run()
    shown = at.get("iframe")[0].proto.srcdoc
    assert "Version 1 · saved by local" in shown
    assert "Consignment stock &lt;/script&gt;" in shown
    assert "Most growable" not in shown  # written for version 2
    # version 1 made current again: saved as version 3, nothing lost
    _press(at, "plan_restore_version")
    assert "Current version **3**" in _captions(at)
    versions = _stored(app_db, account_id)
    assert [v.version for v in versions] == [3, 2, 1]
    assert versions[0].plan.differentiate == ""
    assert at.text_area(key="plan_differentiate").value == ""


def test_second_of_two_saves_on_the_same_version_is_refused_and_kept(app_db):
    anna = _open(Actor("anna", "analyst"))
    ben = _open(Actor("ben", "analyst"))
    account_id = anna.selectbox(key="plan_account").value
    assert ben.selectbox(key="plan_account").value == account_id

    anna.text_area(key="plan_identify").input("Anna's plan").run()
    anna.button(key="plan_save").click().run()
    assert "Current version **1**" in _captions(anna)

    # Ben opened the page before Anna saved: his editor is still based on nothing
    ben.text_area(key="plan_identify").input("Ben's plan").run()
    _press(ben, "plan_save")
    errors = [e.value for e in ben.error]
    assert len(errors) == 2  # at the top, and above the comparison by the Save button
    assert all("anna saved version 1" in e and "Your text is kept" in e for e in errors)
    # both texts side by side, and Ben's editor still holds his text
    codes = [c.value for c in ben.code]
    assert "Ben's plan" in codes and "Anna's plan" in codes
    assert ben.text_area(key="plan_identify").value == "Ben's plan"
    versions = _stored(app_db, account_id)
    assert [(v.version, v.plan.identify) for v in versions] == [(1, "Anna's plan")]

    # Ben merges on top of Anna's version and saves: version 2, both kept
    ben.button(key="plan_conflict_keep").click().run()
    ben.text_area(key="plan_identify").input("Anna's plan + Ben's plan").run()
    ben.button(key="plan_save").click().run()
    assert not ben.error, [e.value for e in ben.error]
    versions = _stored(app_db, account_id)
    assert [(v.version, v.saved_by, v.based_on) for v in versions] == [
        (2, "ben", 1),
        (1, "anna", 0),
    ]


def test_discarding_a_refused_edit_loads_the_current_version(app_db):
    anna = _open(Actor("anna", "analyst"))
    ben = _open(Actor("ben", "analyst"))
    anna.text_area(key="plan_identify").input("Anna's plan").run()
    anna.button(key="plan_save").click().run()
    ben.text_area(key="plan_identify").input("Ben's plan").run()
    ben.button(key="plan_save").click().run()
    assert ben.error
    ben.button(key="plan_conflict_discard").click().run()
    assert not ben.error
    assert ben.text_area(key="plan_identify").value == "Anna's plan"
    assert "You are editing from version 1" in _captions(ben)


def test_a_newer_version_is_announced_before_saving(app_db):
    anna = _open(Actor("anna", "analyst"))
    ben = _open(Actor("ben", "analyst"))
    anna.text_area(key="plan_identify").input("Anna's plan").run()
    anna.button(key="plan_save").click().run()
    ben.run()
    warnings = [w.value for w in ben.warning]
    assert any("anna saved version 1" in w for w in warnings)
    ben.button(key="plan_load_newer").click().run()
    assert ben.text_area(key="plan_identify").value == "Anna's plan"
    assert not any("anna saved version 1" in w.value for w in ben.warning)


def test_viewers_read_but_cannot_save(app_db):
    con = store.connect(app_db)
    account_id = store.plan_accounts(con)["account_id"][0]
    plans.save_plan(
        con,
        Actor("anna", "analyst"),
        plans.Plan(account_id, "x", identify="Written by Anna"),
        based_on=0,
    )
    con.close()
    at = _open(Actor("vera", "viewer"))
    assert at.selectbox(key="plan_account").value == account_id
    assert any("signed in as **viewer**" in i.value for i in at.info)
    assert at.button(key="plan_save").disabled
    assert at.text_area(key="plan_identify").disabled
    assert at.text_area(key="plan_identify").value == "Written by Anna"
    assert {b.label for b in at.get("download_button")} >= {"Markdown"}


def test_refreshing_the_situation_recomputes_it(app_db):
    at = _open()
    before = at.session_state["plan_situation"]
    at.button(key="plan_refresh_situation").click().run()
    after = at.session_state["plan_situation"]
    assert after.computed_at >= before.computed_at
    assert after is not before
    assert [p.key for p in after.parts] == [p.key for p in before.parts]


def test_drafting_fills_only_empty_sections(app_db):
    at = _open()
    at.text_area(key="plan_identify").input("Our own words").run()
    _press(at, "plan_draft_sections")
    assert at.text_area(key="plan_identify").value == "Our own words"
    assert at.text_area(key="plan_differentiate").value.startswith("Value segment:")
    assert any("Drafted from the situation" in s.value for s in at.success)


def test_suggested_actions_join_the_table_and_unsaved_edits_stay(app_db):
    at, account_id = _open_account()
    _add_rows(at, "objectives", [{"objective": "Grow share", "status": "open"}])
    _press(at, "plan_suggest_actions")
    assert any("suggested actions" in s.value for s in at.success)
    base = at.session_state["plan_base"]
    assert [o.objective for o in base.objectives] == ["Grow share"]
    assert base.actions, "the demo account has findings to act on"
    at.button(key="plan_save").click().run()
    saved = _stored(app_db, account_id)[0].plan
    assert [o.objective for o in saved.objectives] == ["Grow share"]
    assert [(a.contact, a.action) for a in saved.actions] == [
        (a.contact, a.action) for a in base.actions
    ]


def test_invalid_plan_shows_the_problem_and_saves_nothing(app_db):
    at, account_id = _open_account()
    _add_rows(at, "actions", [{"contact": "Dora", "status": "open"}])
    _press(at, "plan_save")
    assert any("actions row 1, action" in e.value for e in at.error)
    assert _stored(app_db, account_id) == []


def test_a_saved_plan_offers_the_one_page_summary_and_confirms_with_a_toast(app_db):
    at = _open()
    at.text_area(key="plan_identify").input("Dora decides.").run()
    _press(at, "plan_save")
    assert any("Saved version 1" in t.value for t in at.toast)
    labels = {b.label for b in at.get("download_button")}
    assert "One-page summary for leaders" in labels


def test_suggested_actions_have_owners_and_due_dates_in_the_editor(app_db):
    at = _open()
    _press(at, "plan_suggest_actions")
    assert any("owners and due dates" in t.value for t in at.toast)
    actions = at.session_state["plan_base"].actions
    assert actions and all(a.owner and a.due_on for a in actions)
    assert len({a.contact for a in actions}) == len(actions)


def test_the_account_picker_lists_a_page_and_a_search_finds_the_rest(
    app_db, monkeypatch
):
    from workbench.app import plan_editor

    # the picker sends at most this many accounts to the browser at once
    monkeypatch.setattr(plan_editor, "PICKER_ACCOUNTS", 5)
    con = store.connect(app_db)
    try:
        accounts = store.plan_accounts(con)
    finally:
        con.close()
    total = accounts.height
    at = _open()
    picker = at.selectbox(key="plan_account")
    assert picker.options == [
        f"{name} · {account_id}"
        for account_id, name in accounts.select("account_id", "name").head(5).rows()
    ]
    first = picker.value
    assert any(f"The first 5 of {total} accounts" in c.value for c in at.caption)

    # an account far down the list, found by its ID in another case, then opened
    far_id, far_name = accounts.select("account_id", "name").row(total - 1)
    at.text_input(key="plan_account_search").input(far_id.lower()).run()
    assert not at.exception, at.exception
    picker = at.selectbox(key="plan_account")
    assert picker.value == first  # the account chosen stays chosen, listed first
    assert picker.options[1] == f"{far_name} · {far_id}"
    picker.select(far_id).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="plan_account").value == far_id


def test_a_link_opens_an_account_beyond_the_listed_page(app_db, monkeypatch):
    from workbench.app import plan_editor

    monkeypatch.setattr(plan_editor, "PICKER_ACCOUNTS", 5)
    con = store.connect(app_db)
    try:
        far_id = store.plan_accounts(con)["account_id"][-1]
    finally:
        con.close()
    at = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"))
    at.query_params["account"] = far_id
    at.run()
    at.switch_page("pages/plans.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="plan_account").value == far_id


def test_going_to_another_account_aggregates_no_features_again(app_db, monkeypatch):
    at, first = _open_account()
    aggregated = count_calls(monkeypatch, store, "account_features")
    picker = at.selectbox(key="plan_account")
    other = next(o for o in picker.options if not o.endswith(first))
    picker.select(other).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="plan_account").value != first
    # the portfolio's segments and judged effort are kept per data version
    assert aggregated == []


def _recorded_openings(monkeypatch) -> list[store.Connection]:
    """Record every opening of the database file from here on; return the list."""
    opened: list[store.Connection] = []
    original = store.connect

    def recorded(*args, **kwargs):
        con = original(*args, **kwargs)
        opened.append(con)
        return con

    # unit_of_work opens through the module's own name, session's shared one
    # through the package's
    monkeypatch.setattr(store, "connect", recorded)
    monkeypatch.setattr(store.connection, "connect", recorded)
    return opened


def test_going_to_another_account_opens_the_file_once_and_closes_it(
    app_db, monkeypatch
):
    at, first = _open_account()
    opened = _recorded_openings(monkeypatch)
    picker = at.selectbox(key="plan_account")
    other = next(o for o in picker.options if not o.endswith(first))
    picker.select(other).run()
    assert not at.exception, at.exception
    other_id = at.selectbox(key="plan_account").value
    # its plan, situation, people and versions were read, in one opening
    assert at.session_state["plan_loaded_account"] == other_id != first
    assert len(opened) == 1
    # and the file was let go when the page was done with it
    with pytest.raises(duckdb.ConnectionException):
        opened[0].execute("SELECT 1")
    # the editor holds that account's plan, with the situation worked out for it
    base = at.session_state["plan_base"]
    assert base.account_id == other_id
    assert base.situation is not None and base.situation.parts
    # a rerun with everything read already opens nothing
    at.run()
    assert len(opened) == 1


def test_the_plan_editor_and_a_refused_save_read_in_chinese(app_db):
    # AppTest formats the options of the widgets it sends back in this thread:
    # the same language as the page's
    i18n.set_language("zh-Hans")
    try:
        _edit_and_save_in_chinese()
    finally:
        i18n.set_language("en")


def _edit_and_save_in_chinese() -> None:
    anna = open_page(PAGE, Actor("anna", "analyst"), language="zh-Hans")
    ben = open_page(PAGE, Actor("ben", "analyst"), language="zh-Hans")
    # the relationship reads as a term, its guidance and the services in Chinese
    relationship = ben.selectbox(key="plan_relationship")
    relationship.select_index(1).run()  # ("", transactional, partnership)
    assert not ben.exception, ben.exception
    assert "交易型关系" in relationship.options
    assert "Work mainly" not in _captions(ben) and "采购" in _captions(ben)
    services = ben.multiselect(key="plan_value_services")
    assert services.options and not [o for o in services.options if o.isascii()]
    # a refused save compares the two texts under Chinese headings
    anna.text_area(key="plan_identify").input("Anna").run()
    anna.button(key="plan_save").click().run()
    ben.text_area(key="plan_identify").input("Ben").run()
    _press(ben, "plan_save")
    shown = " ".join(m.value for m in ben.markdown)
    assert "左侧：您的文本（未保存）" in shown and "您的行动" in shown
    assert "Left: your text" not in shown and "1. Identify" not in shown


def test_a_rerun_hands_the_editors_pandas_made_before(app_db, monkeypatch):
    # st.data_editor turned each polars table into pandas at every rerun; the
    # page gives it pandas made once per content, which it only copies
    at, _account = _open_account()
    conversions = count_calls(monkeypatch, pl.DataFrame, "to_pandas")
    at.run()
    assert not at.exception, at.exception
    assert conversions == []
    # and what the editors hold is still what is saved
    _add_rows(at, "objectives", [{"objective": "Win the renewal", "status": "open"}])
    at.run()
    assert not at.exception, at.exception
    _press(at, "plan_save")
    assert any(
        o.objective == "Win the renewal"
        for o in at.session_state["plan_base"].objectives
    )


def test_an_editor_frame_is_the_plan_part_as_pandas_made_once_per_content():
    from datetime import date

    from pandas.testing import assert_frame_equal

    from workbench.app.plan_editor import editor_frame

    plan = plans.Plan(
        account_id="A1",
        account_name="Acme",
        objectives=[
            plans.Objective("Grow share", "share", "30 %", date(2027, 1, 31), "open"),
            plans.Objective("=1+1 <b>x</b>", "", "", None, "done"),
        ],
    )
    frame = plans.objectives_frame(plan)
    made = editor_frame(frame)
    assert_frame_equal(made, frame.to_pandas())
    assert editor_frame(plans.objectives_frame(plan)) is made  # made once
    empty = plans.risks_frame(plan)
    assert_frame_equal(editor_frame(empty), empty.to_pandas())
    # a value that cannot be a key is converted, not kept
    listed = pl.DataFrame({"a": [[1, 2]]})
    assert_frame_equal(editor_frame(listed), listed.to_pandas())


def test_a_situation_part_s_tables_are_built_only_while_it_is_open(app_db):
    from workbench.app import plan_editor

    at, _account = _open_account()
    situation = at.session_state["plan_situation"]
    titles = [e.label for e in at.expander]
    for part in situation.parts:  # every part is listed, open or not
        assert plans.part_title(part) in titles
    closed = next(
        p
        for p in situation.parts
        if p.key not in plan_editor.SITUATION_PARTS_OPEN
        and p.status == "ready"
        and p.tables
    )
    heading = f"**{plans.table_title(closed.tables[0])}**"
    assert heading not in [m.value for m in at.markdown]
    at.session_state[plan_editor.SITUATION_PART_KEY + closed.key] = True
    at.run()
    assert not at.exception, at.exception
    assert heading in [m.value for m in at.markdown]
