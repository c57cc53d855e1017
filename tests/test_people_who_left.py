"""People who left the account: read from each CRM, kept, and out of the current buying centre.

Real CRMs keep the people who moved on: Dynamics 365 deactivates a contact
(``statecode`` 1), Salesforce orgs tick "No Longer at Company" (the Fivetran
Salesforce seed carries ``no_longer_at_company_c``), Chinese CRMs mark 离职.
Read as current, a decider who left kept the role covered, a detractor who left
was proposed for a call back and a warm path ran through someone gone.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import ANALYST, imported_into, imported_ok, open_page
from workbench import ingest, store
from workbench.analytics import network, voice
from workbench.domain import BuyingCentreData
from workbench.errors import RejectedInputError

AS_OF = date(2026, 6, 30)
REAL = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "real"


def _left(con: store.Connection) -> dict[str, object]:
    rows = store.query_frame(con, "SELECT contact_id, has_left FROM contacts").rows()
    return {str(r[0]): r[1] for r in rows}


# One account: a decider who left (our thread went through her), her
# successor nobody has met, a buyer still there, a detractor approver who left.
_ACCOUNT = {
    "accounts.csv": "account_id,name\nA1,Acme Tools\n",
    "contacts.csv": (
        "contact_id,account_id,name,title,reports_to_id,buying_role,influence,"
        "attitude,has_left\n"
        "c1,A1,Ann Old,CEO,,decider,5,champion,yes\n"
        "c2,A1,Ben New,CEO,,decider,5,neutral,no\n"
        "c3,A1,Cy Buyer,Purchasing Manager,c1,buyer,3,supporter,\n"
        "c4,A1,Di Gone,CFO,c1,approver,4,skeptic,true\n"
    ),
    "activities.csv": (
        "activity_id,account_id,contact_id,kind,activity_date,duration_minutes\n"
        "x1,A1,c1,meeting,2026-01-10,60\n"
        "x2,A1,c1,meeting,2026-02-10,60\n"
        "x3,A1,c1,call,2026-03-10,30\n"
        "x4,A1,c3,call,2026-05-10,30\n"
    ),
    "nps.csv": (
        "response_id,account_id,contact_id,responded_on,score\n"
        "n1,A1,c4,2026-04-01,2\n"
        "n2,A1,c3,2026-04-02,9\n"
    ),
}


def test_the_workbenchs_own_column_is_read_and_an_unknown_state_said(
    con: store.Connection,
):
    report = imported_ok(
        con,
        {
            **_ACCOUNT,
            "contacts.csv": "contact_id,account_id,name,has_left\n"
            "c1,A1,Ann,yes\nc2,A1,Ben,no\nc3,A1,Cy,\nc4,A1,Di,on sabbatical\n",
        },
    )
    assert _left(con) == {"c1": True, "c2": False, "c3": None, "c4": None}
    unknown = [p for p in report.problems if p.column == "has_left"]
    assert [(p.file, p.row, p.level, p.code) for p in unknown] == [
        ("contacts.csv", 4, "warning", "unknown_value")
    ]
    assert "kept as still at the account" in unknown[0].message


@pytest.mark.parametrize(
    ("source", "files", "expected"),
    [
        (
            "dynamics",
            # a Web API export: the state's code (0 active, 1 inactive)
            {
                "contact.csv": "contactid,fullname,parentcustomerid,statecode\n"
                "d1,Ann,a1,1\nd2,Ben,a1,0\n",
                "account.csv": "accountid,name\na1,One\n",
            },
            {"d1": True, "d2": False},
        ),
        (
            "dynamics",
            # an "Export to Excel" view: the label
            {
                "Contacts.csv": "(Do Not Modify) Contact,Full Name,Company Name,Status\n"
                "d1,Ann,One,Inactive\nd2,Ben,One,Active\n",
                "Accounts.csv": "(Do Not Modify) Account,Account Name\na1,One\n",
            },
            {"d1": True, "d2": False},
        ),
        (
            "salesforce",
            {
                "Contact.csv": "Id,AccountId,LastName,No_Longer_at_Company__c\n"
                "003A,001A,Old,true\n003B,001A,New,false\n",
                "Account.csv": "Id,Name\n001A,Acme\n",
            },
            {"003A": True, "003B": False},
        ),
        (
            "chinese_crm",
            {
                "联系人.csv": "联系人编号,客户编号,姓名,在职状态\nP1,K1,张三,离职\nP2,K1,李四,在职\n",
                "客户.csv": "客户编号,客户名称\nK1,华东机电\n",
            },
            {"P1": True, "P2": False},
        ),
        (
            "chinese_crm",
            {
                "联系人.csv": "联系人编号,客户编号,姓名,联系人状态\nP1,K1,张三,无效\nP2,K1,李四,有效\n",
                "客户.csv": "客户编号,客户名称\nK1,华东机电\n",
            },
            {"P1": True, "P2": False},
        ),
    ],
    ids=[
        "dynamics-code",
        "dynamics-label",
        "salesforce",
        "chinese_crm",
        "chinese_state",
    ],
)
def test_each_crms_flag_is_read(
    con: store.Connection,
    source: str,
    files: dict[str, str],
    expected: dict[str, bool],
):
    report = imported_ok(con, files, source=source)
    assert report.source == source
    assert _left(con) == expected
    assert not [p for p in report.problems if p.code == "unknown_value"]


@pytest.mark.skipif(
    not (REAL / "fivetran-salesforce-seeds").is_dir(),
    reason="the real public exports are not here",
)
def test_the_fivetran_salesforce_seeds_flag_is_read(con: store.Connection):
    folder = REAL / "fivetran-salesforce-seeds"
    people = (folder / "sf_contact_data.csv").read_bytes()
    # the seed's people name accounts its account file does not hold: give them
    named = pl.read_csv(people, infer_schema_length=0)["account_id"].drop_nulls()
    accounts = "Id,Name\n" + "".join(f"{a},Account {a}\n" for a in named.unique())
    report = ingest.import_files(
        con,
        [("Account.csv", accounts.encode()), ("sf_contact_data.csv", people)],
        actor=ANALYST,
    )
    assert report.ok, [p.message for p in report.problems if p.level == "error"]
    # its no_longer_at_company_c reads FALSE for each of them: nobody has left
    assert list(_left(con).values()) == [False] * named.len()
    assert not [p for p in report.problems if p.column == "no_longer_at_company_c"]


def test_a_file_without_the_flag_keeps_it_and_a_workshops_tick_wins(
    con: store.Connection,
):
    imported_ok(con, _ACCOUNT)
    imported_ok(
        con, {"contacts.csv": "contact_id,account_id,name,title\nc1,A1,Ann Old,CEO\n"}
    )
    assert _left(con)["c1"] is True
    # a workshop says Cy left; a later export without a word on Cy keeps it,
    # and one that says he is there does not undo the workshop's edit
    changes = pl.DataFrame(
        {"contact_id": ["c3"], "field": ["has_left"], "new_value": ["true"]}
    )
    assert store.save_contact_edits(con, ANALYST, changes) == 1
    history = store.contact_edit_history(con, "A1")
    assert history.select("field", "old_value", "new_value").rows() == [
        ("has_left", None, "true")
    ]
    imported_ok(
        con,
        {"contacts.csv": "contact_id,account_id,name,has_left\nc3,A1,Cy Buyer,no\n"},
        again=True,
    )
    assert _left(con)["c3"] is True
    with pytest.raises(RejectedInputError, match="not a valid has_left"):
        store.save_contact_edits(
            con,
            ANALYST,
            pl.DataFrame(
                {"contact_id": ["c3"], "field": ["has_left"], "new_value": ["maybe"]}
            ),
        )


def test_undoing_the_import_that_said_someone_left_brings_them_back(
    con: store.Connection,
):
    imported_ok(
        con, {**_ACCOUNT, "contacts.csv": "contact_id,account_id,name\nc1,A1,Ann\n"}
    )
    imported_ok(
        con, {"contacts.csv": "contact_id,account_id,name,has_left\nc1,A1,Ann,yes\n"}
    )
    assert _left(con) == {"c1": True}
    store.undo_last_import(con, ANALYST)
    assert _left(con) == {"c1": None}


def test_a_file_from_before_the_flag_reads_everyone_as_there(tmp_path):
    from tests.conftest import older_database

    old = older_database(
        tmp_path / "old.duckdb",
        20,
        "INSERT INTO accounts (account_id, name) VALUES ('A1', 'Old One')",
        "INSERT INTO contacts (contact_id, account_id, name, buying_role) "
        "VALUES ('c1', 'A1', 'Ann', 'decider')",
    )
    try:
        assert store.schema_version(old) == store.MIGRATIONS[-1].version
        assert _left(old) == {"c1": None}
        data = store.read_buying_centre(old, "A1", as_of=AS_OF)
        assert data.contacts["has_left"].to_list() == [False]
        coverage = network.role_coverage(network.people(data))
        assert coverage.filter(pl.col("role") == "decider")["present"].item() == 1
    finally:
        store.close(old)


def _centre(con: store.Connection) -> BuyingCentreData:
    imported_ok(con, _ACCOUNT)
    return store.read_buying_centre(con, "A1", as_of=AS_OF)


def test_who_left_is_not_present_covered_or_reachable(con: store.Connection):
    data = _centre(con)
    report = network.analyse_buying_centre(data)
    deciders = report.coverage.filter(pl.col("role") == "decider").row(0, named=True)
    # Ann, whom we met three times, left: her successor is known, not covered
    assert (deciders["present"], deciders["engaged"], deciders["status"]) == (
        1,
        0,
        "not engaged",
    )
    approvers = report.coverage.filter(pl.col("role") == "approver").row(0, named=True)
    assert approvers["status"] == "missing"
    breadth = report.breadth
    assert (breadth.contacts_present, breadth.contacts_engaged) == (2, 1)
    assert breadth.contacts_left == 2
    # the hours spent with Ann still count, as an executive's
    effort = dict(breadth.effort.select("function", "minutes").iter_rows())
    assert effort["executive"] == 150.0
    risks = report.risks.select("risk", "contact_id").rows()
    assert ("key person left", "c1") in risks
    assert ("key person left", "c4") in risks
    # Di, a skeptic approver who left, is no longer a live risk of her own
    assert ("high-influence skeptic", "c4") not in risks
    assert ("dark decider", "c2") in risks
    assert "c1" not in report.reach_next["contact_id"].to_list()
    assert report.reach_next["contact_id"].to_list() == ["c2"]
    # no warm path starts at Ann (a champion who left), nor runs through her
    assert "c1" not in network.warm_paths(network.people(data), data.influences)
    left_risk = report.risks.filter(pl.col("contact_id") == "c1")["detail"].item()
    assert left_risk == (
        "has left the account (decider); 3 of our touches in the window"
    )


def test_a_person_who_left_is_drawn_faded_and_says_so(con: store.Connection):
    data = _centre(con)
    net = network.build_buying_centre(data, network.MapOptions())
    nodes = {n["title"].split(" — ")[0]: n for n in net.nodes if "title" in n}
    assert nodes["Ann Old"]["opacity"] == network.LEFT_OPACITY
    assert "(has left)" in nodes["Ann Old"]["label"]
    assert "Has left the account" in nodes["Ann Old"]["title"]
    assert "opacity" not in nodes["Ben New"]
    assert "(has left)" not in nodes["Ben New"]["label"]


def test_a_detractor_who_left_is_not_called_back(con: store.Connection):
    imported_ok(con, _ACCOUNT)
    answers = store.nps_answers(con)
    assert answers.filter(pl.col("contact_id") == "c4")["has_left"].to_list() == [True]
    # her answer still counts in the score of its time
    assert answers.height == 2
    assert voice.risky_detractors(answers).height == 0
    followups = voice.detractor_followups(
        answers, store.detractor_followups(con), today=AS_OF
    )
    assert followups.height == 0
    # had she stayed, she would be
    stayed = answers.with_columns(has_left=pl.lit(False))
    assert voice.risky_detractors(stayed)["contact_id"].to_list() == ["c4"]


def test_a_plan_counts_and_offers_the_people_still_there(con: store.Connection):
    imported_ok(con, _ACCOUNT)
    people, _sellers = store.plan_people_choices(con, "A1")
    assert [name for name, _role in people] == ["Ben New", "Cy Buyer"]
    by_role = store.account_contacts_by_role(con, "A1")
    assert dict(by_role.select("buying_role", "contacts").iter_rows())["approver"] == 0
    snapshot = store.account_plan_facts(con, "A1", AS_OF)
    assert snapshot is not None and snapshot["contacts"] == 2


def test_the_map_command_counts_who_left(tmp_path, capsys):
    from workbench.cli import main

    path = imported_into(tmp_path / "left.duckdb", _ACCOUNT)
    args = ["map", "--db", str(path), "A1"]
    assert main([*args, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["breadth"]["contacts_left"] == 2
    assert document["breadth"]["contacts_present"] == 2
    assert main([*args, "--html", str(tmp_path / "map.html")]) == 0
    assert "people who have left, not counted: 2" in capsys.readouterr().out


def test_the_page_ticks_who_left_and_saves_a_workshops_tick(app_db):
    con = store.connect(app_db)
    try:
        left = store.query_frame(
            con,
            "SELECT account_id, count(*) AS n FROM contacts WHERE has_left "
            "GROUP BY 1 ORDER BY n DESC, account_id LIMIT 1",
        ).row(0)
    finally:
        store.close(con)
    at = open_page("pages/buying_centre.py")
    at.selectbox(key="bc_account").select(left[0]).run()
    assert not at.exception, at.exception
    table = at.data_editor(key="contact_editor").value
    assert int(table["has_left"].sum()) == left[1]
    touched = next(m for m in at.metric if m.label == "People touched")
    assert int(touched.value.split(" of ")[1]) == len(table) - left[1]
    assert f"People who have left are not counted: {left[1]}" in touched.help
    row = int(table.index[~table["has_left"]][0])
    at.session_state["contact_editor"] = {
        "edited_rows": {row: {"has_left": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="bc_save").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert int(at.data_editor(key="contact_editor").value["has_left"].sum()) == (
        left[1] + 1
    )


def test_the_demo_holds_people_who_left_none_touched_lately(
    demo_con: store.Connection,
):
    quiet = store.query_frame(
        demo_con,
        """
        SELECT count(*) FILTER (WHERE c.has_left) AS left_people,
               count(*) FILTER (WHERE c.has_left AND EXISTS (
                   SELECT 1 FROM activities a WHERE a.contact_id = c.contact_id
                     AND a.activity_date > DATE '2026-09-30' - INTERVAL 180 DAY))
                   AS touched_lately,
               count(*) FILTER (WHERE c.has_left AND c.buying_role = 'decider')
                   AS deciders
        FROM contacts c
        """,
    ).row(0, named=True)
    assert quiet["left_people"] > 0 and quiet["deciders"] > 0
    assert quiet["touched_lately"] == 0


def test_a_plan_suggests_meeting_whoever_took_over_from_a_key_person(
    con: store.Connection,
):
    from workbench import plans
    from workbench.api import Workbench

    imported_ok(con, _ACCOUNT)
    situation = Workbench(con).situation("A1", AS_OF)
    suggested = {a.contact: a for a in plans.suggested_actions(situation, AS_OF)}
    # Ann and Di left: whoever took over from them is met by the sponsor within
    # a month; Ben, the new decider nobody met, is met as a dark decider
    assert {"Ann Old", "Di Gone"} <= set(suggested)
    assert suggested["Ann Old"].action == (
        "Find who took over from them, and meet them: they have left"
    )
    assert suggested["Ann Old"].due_on == date(2026, 7, 30)
    assert "Ben New (decider)" in suggested
    # nobody who left is proposed for a first conversation or a call back
    assert not any(
        "First conversation" in a.action or "Hear why" in a.action
        for contact, a in suggested.items()
        if contact.startswith(("Ann Old", "Di Gone"))
    )


def test_the_leaders_overview_lists_the_key_people_who_left(con: store.Connection):
    from workbench import plans

    imported_ok(con, _ACCOUNT)
    gone = plans.plans_overview(con, today=AS_OF).key_people_left
    # Ann (decider) and Di (approver, influence 4); Cy and Ben are still there
    assert gone.select(
        "account", "contact_name", "buying_role", "last_touch"
    ).rows() == [
        ("Acme Tools", "Ann Old", "decider", date(2026, 3, 10)),
        ("Acme Tools", "Di Gone", "approver", None),
    ]


def test_the_plans_command_lists_the_key_people_who_left(tmp_path, capsys):
    from workbench.cli import main

    path = imported_into(tmp_path / "left.duckdb", _ACCOUNT)
    args = ["plans", "--db", str(path), "--overview", "--today", "2026-06-30"]
    assert main([*args, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [p["contact_name"] for p in document["key_people_left"]] == [
        "Ann Old",
        "Di Gone",
    ]
    # the other keys are as they were
    assert {"today", "segments_pending", "summary", "missing", "overdue"} <= set(
        document
    )
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Key people who have left: 2" in text
    assert "  Acme Tools: Ann Old (decider, CEO)" in text


def test_the_leaders_overview_page_shows_the_key_people_who_left(app_db):
    from tests.plans_page_support import _open

    at = _open()
    at.session_state["plans_tab"] = "Leaders' overview"
    at.run()
    assert not at.exception, at.exception
    con = store.connect(app_db)
    try:
        gone = store.query_frame(
            con,
            "SELECT count(*) FROM contacts WHERE has_left "
            "AND (buying_role IN ('decider', 'approver') OR influence >= 4)",
        ).item()
    finally:
        store.close(con)
    assert gone > 0
    assert any(f"Key people who have left ({gone})" in m.value for m in at.markdown)
    table = next(
        d.value
        for d in at.dataframe
        if "contact_name" in d.value.columns and "last_touch" in d.value.columns
    )
    assert len(table) == gone
    assert "Key people who have left (CSV)" in {
        b.label for b in at.get("download_button")
    }
