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
