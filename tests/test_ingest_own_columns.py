"""Files written in the workbench's own column names import without naming a source."""

from __future__ import annotations

from workbench import ingest, store
from workbench.domain import LOCAL_ACTOR
from workbench.ingest import sources

ACCOUNTS = b"account_id,name,industry\nA1,Acme GmbH,Chemicals\nA2,Beta Ltd,Energy\n"
ACTIVITIES = (
    b"activity_id,account_id,contact_id,seller_id,kind,activity_date,duration_minutes,subject\n"
    b"X1,A1,,S1,call,2025-03-01,30,Call\n"
    b"X2,A2,,S1,visit,2025-03-02,120,Visit\n"
)


def test_own_column_names_are_generic_not_dynamics():
    headers = ACTIVITIES.decode().splitlines()[0].split(",")
    assert sources.detect_source(headers) == "generic"
    # Dynamics' own headers still read as Dynamics.
    assert (
        sources.detect_source(
            ["accountid", "name", "parentaccountid", "revenue", "statecode"]
        )
        != "generic"
    )


def test_own_column_names_import_with_auto_source(con: store.Connection):
    report = ingest.import_files(
        con,
        [("accounts.csv", ACCOUNTS), ("activities.csv", ACTIVITIES)],
        actor=LOCAL_ACTOR,
    )
    assert report.ok, [p.message for p in report.problems if p.level == "error"]
    assert report.counts["activities"] == 2
    minutes = store.read_table(con, "activities")["duration_minutes"].to_list()
    assert sorted(minutes) == [30.0, 120.0]


def test_own_link_files_keep_the_export_generic(con: store.Connection):
    # A deal–person link file in the workbench's own names read as Salesforce's
    # OpportunityContactRole (OpportunityId, ContactId, Role) made the whole
    # upload Salesforce's: the deals' file lost its opportunity_id (Salesforce
    # keys a deal by Id), and every link then named a missing deal.
    files = [
        ("accounts.csv", ACCOUNTS),
        ("contacts.csv", b"contact_id,account_id,name\nC1,A1,Ada Lee\nC2,A1,Ben Wu\n"),
        (
            "opportunities.csv",
            b"opportunity_id,account_id,opportunity_name,stage,amount,close_date\n"
            b"O1,A1,Renewal,Closed Won,1000,2025-03-01\n",
        ),
        (
            "opportunity_contacts.csv",
            b"opportunity_id,contact_id,role,is_primary\nO1,C1,Decision Maker,true\n",
        ),
        (
            "contact_influences.csv",
            b"from_contact_id,to_contact_id,strength\nC2,C1,2\n",
        ),
    ]
    report = ingest.import_files(con, files, actor=LOCAL_ACTOR)
    assert report.ok, [p.message for p in report.problems if p.level == "error"]
    assert {f.name: f.source for f in report.files} == dict.fromkeys(
        (name for name, _ in files), "generic"
    )
    assert store.read_table(con, "opportunities")["opportunity_id"].to_list() == ["O1"]
    links = store.read_table(con, "opportunity_contacts")
    assert links.select("opportunity_id", "contact_id", "is_primary").rows() == [
        ("O1", "C1", True)
    ]
    influences = store.read_table(con, "contact_influences")
    assert influences.select("from_contact_id", "to_contact_id", "strength").rows() == [
        ("C2", "C1", 2)
    ]
    assert not [
        p for p in report.problems if p.level == "warning" and "missing" in p.message
    ]


def test_every_stored_column_of_the_main_tables_is_read_by_its_own_name():
    # A file in the workbench's own names (docs/schema.md) loses nothing: each
    # stored column of these tables is a header the generic layout reads. The
    # accounts' owner and direct cost, and the deals' name, owner and contract,
    # were not.
    from workbench import vocabulary
    from workbench.ingest.sources import generic

    layouts = {layout.table: layout for layout in generic.OBJECTS}
    stored = {
        "accounts": vocabulary.ACCOUNT_COLUMNS,
        "contacts": vocabulary.CONTACT_COLUMNS,
        "opportunities": vocabulary.OPPORTUNITY_COLUMNS,
    }
    for table, columns in stored.items():
        mapped = sources.map_headers(layouts[table], list(columns))
        # an account's type is worked out from the CRM's type text (crm_type)
        derived = {"source", "source_id", "account_type"}
        unread = [c for c in columns if c not in derived]
        assert [c for c in unread if mapped.get(c) != c] == [], table


def test_a_deals_file_in_own_names_keeps_its_name_owner_and_contract(
    con: store.Connection,
):
    files = [
        ("accounts.csv", ACCOUNTS),
        ("sellers.csv", b"seller_id,seller_name\nS1,Li Wei\n"),
        (
            "opportunities.csv",
            b"opportunity_id,account_id,name,stage,amount,close_date,owner_seller_id\n"
            b"O1,A1,Line 3 retrofit,Closed Won,1000,2025-03-01,S1\n",
        ),
    ]
    report = ingest.import_files(con, files, actor=LOCAL_ACTOR)
    assert report.ok, [p.message for p in report.problems if p.level == "error"]
    deals = store.read_table(con, "opportunities")
    assert deals.select("opportunity_id", "name", "owner_seller_id").rows() == [
        ("O1", "Line 3 retrofit", "S1")
    ]
