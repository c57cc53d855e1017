"""The Buying centre page under AppTest: pick an account, change the window, edit a role."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP, open_page
from workbench import i18n, store, terms
from workbench.api import Workbench
from workbench.domain import Actor

PAGE = "pages/buying_centre.py"


def open_buying_centre(actor: Actor | None = None) -> AppTest:
    return open_page(PAGE, actor)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def map_html(at: AppTest) -> str:
    frames = at.get("iframe")
    assert len(frames) == 1
    return str(frames[0].proto.srcdoc)


def largest_account(db: Path) -> tuple[str, str, int]:
    """Return the account with the most people, and how many are still there.

    The picker counts everyone on the map; the coverage, the people still at the
    account (the demo's CRM marks some as having left).
    """
    con = store.connect(db)
    try:
        accounts = store.buying_centre_accounts(con)
        row = accounts.sort(["contacts", "account_id"], descending=[True, False]).row(0)
        present = store.query_frame(
            con,
            "SELECT count(*) FROM contacts "
            "WHERE account_id = $a AND NOT coalesce(has_left, false)",
            {"a": row[0]},
        ).item()
    finally:
        con.close()
    return str(row[0]), str(row[1]), int(present)


def test_select_account_change_window_and_filter(app_db):
    at = open_buying_centre()
    account_id, _name, people = largest_account(app_db)
    at.selectbox(key="bc_account").select(account_id).run()
    assert not at.exception, at.exception
    assert metrics(at)["People touched"].endswith(f" of {people}")
    html = map_html(at)
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html and "<img" not in html
    assert "vis.Network" in html

    wide = metrics(at)["People touched"]
    at.slider(key="bc_window_months").set_value(1).run()
    assert not at.exception, at.exception
    narrow = metrics(at)["People touched"]
    assert int(narrow.split(" of ")[0]) < int(wide.split(" of ")[0])
    assert any("Window:" in c.value for c in at.caption)

    at.multiselect(key="bc_roles").select("decider").run()
    assert not at.exception, at.exception
    filtered = at.data_editor(key="contact_editor").value
    assert set(filtered["buying_role"]) == {"decider"}
    assert map_html(at) != html


def test_warm_path_selection_redraws_the_map(app_db):
    at = open_buying_centre()
    # with a sparse org chart (managers known for a fifth of the people) many a
    # person has no warm path, and none runs through someone who left: pick the
    # first account, and in it the first person, that has one
    con = store.connect(app_db)
    try:
        workbench = Workbench(con)
        for account_id in store.buying_centre_accounts(con)["account_id"]:
            reach = workbench.buying_centre(account_id).report.reach_next
            with_path = reach.filter(pl.col("path_length") >= 1)["rank"].to_list()
            if with_path:
                break
    finally:
        con.close()
    assert with_path, "some account of the demo has someone to reach warmly"
    at.selectbox(key="bc_account").select(account_id).run()
    before = map_html(at)
    assert len(at.selectbox(key="bc_reach").options) > 1
    at.selectbox(key="bc_reach").select_index(with_path[0]).run()
    assert not at.exception, at.exception
    after = map_html(at)
    assert "warm path" in after and after != before


def test_edit_a_role_saves_it_and_the_map_shows_it(app_db):
    at = open_buying_centre()
    editor = at.data_editor(key="contact_editor")
    first = editor.value.iloc[0]
    contact_id, old_role = first["contact_id"], first["buying_role"]
    new_role = "gatekeeper" if old_role != "gatekeeper" else "buyer"
    at.session_state["contact_editor"] = {
        "edited_rows": {0: {"buying_role": new_role}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert any("1 unsaved change" in c.value for c in at.caption)
    at.button(key="bc_save").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("Saved 1 change" in t.value for t in at.toast)

    # saved in the database, with who and when
    con = store.connect(app_db)
    try:
        role = con.sql(
            "SELECT buying_role FROM contacts WHERE contact_id = $c",
            params={"c": contact_id},
        ).fetchall()[0][0]
        edits = con.sql(
            "SELECT field, old_value, new_value, edited_by FROM contact_edits"
        ).fetchall()
    finally:
        con.close()
    assert role == new_role
    assert edits == [("buying_role", old_role, new_role, "local")]

    # reflected at once: the table, the map's tooltip and the edit history
    assert at.data_editor(key="contact_editor").value.iloc[0]["buying_role"] == new_role
    assert f"Role: {new_role}" in map_html(at)
    assert not any("unsaved change" in c.value for c in at.caption)


def test_viewers_get_a_read_only_table_with_masked_details(app_db):
    at = open_buying_centre(Actor(name="vic", role="viewer"))
    assert len(at.data_editor) == 0
    assert any("read only" in i.value for i in at.info)
    people = next(d.value for d in at.dataframe if "email" in d.value.columns)
    assert "email" in people.columns
    assert all("***@" in e for e in people["email"].dropna())


def add_rows(db: Path, table: str, row: dict[str, object]) -> None:
    """Add one row to a table of the app's database, through the store."""
    con = store.connect(db)
    try:
        with store.write_transaction(con) as cur:
            store.insert_frame(cur, table, pl.DataFrame([row]))
    finally:
        con.close()


def test_an_account_with_nobody_on_record_is_listed_last_and_says_what_to_do(app_db):
    add_rows(
        app_db,
        "accounts",
        {
            "account_id": "A99999",
            "name": "AAA Empty Holdings",  # first by name
            "source": "test",
            "source_id": "A99999",
        },
    )
    con = store.connect(app_db)
    accounts = store.buying_centre_accounts(con)
    con.close()
    counts = accounts["contacts"].to_list()
    first_empty = counts.index(0)
    assert all(c == 0 for c in counts[first_empty:])  # the empty ones come last
    assert "A99999" in accounts["account_id"].to_list()[first_empty:]
    at = open_buying_centre()
    picker = at.selectbox(key="bc_account")
    assert picker.value != "A99999"
    picker.set_value("A99999").run()
    assert not at.exception, at.exception
    assert any("Nobody at this account is on record" in i.value for i in at.info)


def test_a_deal_shows_only_its_buying_centre_and_says_its_gaps(app_db):
    at = open_buying_centre()
    account_id, _name, _people = largest_account(app_db)
    at.selectbox(key="bc_account").select(account_id).run()
    whole = map_html(at)
    deals = at.selectbox(key="bc_deal")
    assert deals.options[0] == "Whole account"
    assert len(deals.options) > 1
    # the label carries the money in the portfolio's currency
    assert any("$" in option or "US" in option for option in deals.options[1:])
    deals.select_index(1).run()
    assert not at.exception, at.exception
    deal_map = map_html(at)
    assert deal_map != whole
    assert deal_map.count('"kind": "contact"') < whole.count('"kind": "contact"')
    assert any("This deal's buying centre" in c.value for c in at.caption)
    shown = at.data_editor(key="contact_editor").value
    assert 0 < len(shown) < _people
    # the figures beside the map are the deal's, and say so
    assert any(h.value.startswith("Coverage for deal ") for h in at.subheader)
    assert any(
        h.value.startswith("Risks (") and " for deal " in h.value for h in at.subheader
    )
    assert metrics(at)["People touched"].endswith(f" of {len(shown)}")


def test_a_deal_naming_nobody_shows_the_whole_account_and_says_so(app_db):
    account_id, _name, people = largest_account(app_db)
    add_rows(
        app_db,
        "opportunities",
        {
            "opportunity_id": "OPP-NOBODY",
            "account_id": account_id,
            "name": "[Nobody named](javascript:alert(1))",
            "is_closed": False,
            "is_won": False,
        },
    )
    at = open_buying_centre()
    at.selectbox(key="bc_account").select(account_id).run()
    at.selectbox(key="bc_deal").select("OPP-NOBODY").run()
    assert not at.exception, at.exception
    warning = next(w.value for w in at.warning if "names nobody" in w.value)
    assert "whole account" in warning
    assert "\\[Nobody named\\]\\(javascript" in warning  # shown as text, not a link
    assert metrics(at)["People touched"].endswith(f" of {people}")
    assert any(h.value == "Coverage" for h in at.subheader)
    # the table lists everyone, those who left ticked
    table = at.data_editor(key="contact_editor").value
    assert len(table) - int(table["has_left"].sum()) == people


def test_coverage_says_gaps_in_words_and_the_legend_is_on_the_map(app_db):
    at = open_buying_centre()
    assert not at.exception, at.exception
    coverage = next(d.value for d in at.dataframe if "coverage" in d.value.columns)
    assert all(
        text == "nobody known" or " of " in text for text in coverage["coverage"]
    )
    html = map_html(at)
    assert 'id="wb-legend"' in html and "Shape = buying role" in html
    assert 'id="wb-png"' in html and 'id="wb-full"' in html
    assert len(at.get("vega_lite_chart")) == 0  # no legend chart below the map


def test_the_org_chart_has_fixed_positions_and_no_physics(app_db):
    at = open_buying_centre()
    at.radio(key="bc_layout").set_value("hierarchy").run()
    assert not at.exception, at.exception
    html = map_html(at)
    assert '"x": ' in html and '"y": ' in html
    assert '"physics": {"enabled": false' in html


def test_the_page_reads_in_chinese(app_db):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "zh-Hans"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert "采购中心" in at.title[0].value
    html = map_html(at)
    assert "形状 = 采购角色" in html
    assert "保存 SVG" in html
    # the hover text: every label in Chinese, roles and attitudes in the glossary's words
    nodes = json.loads(
        re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", html, re.DOTALL).group(1)
    )
    titles = [n["title"] for n in nodes if n.get("kind") == "contact"]
    assert titles and all("角色：" in t and "覆盖：" in t for t in titles)
    assert all("汇报对象：" in t and "最新净推荐值：" in t for t in titles)
    assert not any("Role:" in t or "Coverage:" in t for t in titles)
    assert any(
        re.search(r"角色：(决策者|批准者|采购者|影响者|使用者|把关者|发起者)", t)
        for t in titles
    )


def risks_table(at: AppTest) -> pl.DataFrame:
    tables = [pl.from_pandas(d.value) for d in at.dataframe if "risk" in d.value]
    assert len(tables) == 1
    return tables[0]


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_the_risks_read_in_chinese_and_the_english_codes_stay_the_same(
    app_db, language
):
    names = {
        i18n.translations(language).gettext(message)
        for message in terms.RELATIONSHIP_RISKS.values()
    }
    english = open_buying_centre()
    assert not english.exception, english.exception
    codes = risks_table(english)
    assert codes.height > 0
    assert set(codes["risk"]) <= set(terms.RELATIONSHIP_RISKS)

    at = open_page(PAGE, language=language)
    shown = risks_table(at)
    assert shown.height == codes.height
    assert set(shown["risk"]) <= names
    # the same findings, their sentences in Chinese: no English word left
    assert shown["name"].to_list() == codes["name"].to_list()
    assert shown["detail"].to_list() != codes["detail"].to_list()
    assert not any(
        re.search(r"\b(touch|never|influence|reports|whose|linked)\b", d)
        for d in shown["detail"].to_list()
    )


def test_the_account_picker_lists_a_few_and_a_search_finds_any(app_db, monkeypatch):
    from workbench.app import buying_centre_reads

    # the picker sends at most this many accounts to the browser at once
    monkeypatch.setattr(buying_centre_reads, "PICKER_ACCOUNTS", 5)
    con = store.connect(app_db)
    try:
        accounts = store.buying_centre_accounts(con)
    finally:
        con.close()
    total = accounts.height
    at = open_buying_centre()
    picker = at.selectbox(key="bc_account")
    assert picker.options == [
        f"{name} ({n} people)"
        for name, n in accounts.select("name", "contacts").head(5).rows()
    ]
    first = picker.value
    assert any(f"The first 5 of {total} accounts" in c.value for c in at.caption)

    # an account far down the list, found by part of its ID in another case
    far_id, far_name = accounts.select("account_id", "name").row(total - 1)
    at.text_input(key="bc_account_search").input(far_id.lower()).run()
    assert not at.exception, at.exception
    picker = at.selectbox(key="bc_account")
    assert picker.value == first  # the account chosen stays chosen, listed first
    assert picker.options[1].startswith(f"{far_name} (")
    assert any(f"of {total} accounts match" in c.value for c in at.caption)
    picker.select(far_id).run()
    assert at.selectbox(key="bc_account").value == far_id

    # a search matching nothing keeps the account shown
    at.text_input(key="bc_account_search").input("<b>no such account</b>").run()
    assert not at.exception, at.exception
    assert len(at.selectbox(key="bc_account").options) == 1
    assert at.selectbox(key="bc_account").value == far_id
    assert any(f"0 of {total} accounts match." == c.value for c in at.caption)


def test_the_tables_beside_the_map_send_no_hidden_columns(app_db):
    # the IDs behind the names stay out of the tables sent to the browser (sent
    # hidden, a list column of them took the whom-to-reach table through pandas)
    at = open_buying_centre()
    assert not at.exception, at.exception
    reach = next(d.value for d in at.dataframe if "path" in d.value.columns)
    assert len(reach) > 0
    assert not {"contact_id", "path_ids", "path_length"} & set(reach.columns)
    assert "contact_id" not in risks_table(at).columns
