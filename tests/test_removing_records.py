"""Removing records never leaves work pointing at nothing.

Two writes remove records: an import that replaces the demo, and the undo of
an import (the records it added go). Work done in the workbench names records
too (plans, decisions, estimates, ratings, edits, needs, follow-ups): the demo's
goes with the demo; an undo that would strand work done since is refused, and
the database stays as it was.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from tests.conftest import ANALYST
from tests.conftest import INGEST_FIXTURES as FIXTURES
from workbench import i18n, ingest, store
from workbench.domain import Actor
from workbench.errors import RejectedInputError

#: Plans, decides and edits in a workshop.
LEAD = Actor(name="lee", role="admin")

ACCOUNTS_CSV = b"account_id,name,industry\nX1,Acme,Manufacturing\nX2,Beta,Retail\n"


def _accounts_and_an_estimate(con: store.Connection) -> ingest.ImportReport:
    """Import two accounts, X1 and X2, and estimate X1's wallet by hand."""
    report = ingest.import_files(
        con, [("accounts.csv", ACCOUNTS_CSV)], actor=ANALYST, source="generic"
    )
    assert report.ok
    store.set_account_wallet(con, LEAD, "X1", 1_000.0)
    return report


def _work_on(con: store.Connection, account_id: str) -> None:
    """Do every kind of work the workbench records on one account."""
    person = store.query_frame(
        con,
        "SELECT min(contact_id) AS id FROM contacts WHERE account_id = $a",
        {"a": account_id},
    )["id"][0]
    answer = store.query_frame(
        con,
        "SELECT min(response_id) AS id FROM nps_responses WHERE account_id = $a",
        {"a": account_id},
    )["id"][0]
    store.set_account_wallet(con, LEAD, account_id, 250_000.0)
    store.set_account_situation(con, LEAD, account_id, {"purchase_importance": 4})
    store.set_relationship_override(con, LEAD, account_id, "partnership", "pilot")
    if person is not None:
        store.save_contact_edits(
            con,
            LEAD,
            pl.DataFrame(
                {
                    "contact_id": [person],
                    "field": ["attitude"],
                    "new_value": ["champion"],
                }
            ),
        )
    needs = [
        store.add_requirement(
            con,
            LEAD,
            account_id=account_id,
            role=None,
            category=category,
            need=need,
            source="meeting",
        )
        for category, need in (("price", "cheaper"), ("quality", "fewer defects"))
    ]
    store.save_requirement_conflict(
        con, LEAD, requirement_a=needs[0], requirement_b=needs[1], owner="lee"
    )
    if answer is not None:
        store.save_detractor_followup(
            con, LEAD, response_id=answer, owner="lee", due_on=date(2026, 12, 31)
        )


def _work_rows(con: store.Connection) -> dict[str, int]:
    return {
        table: int(store.query_frame(con, f"SELECT count(*) AS n FROM {table}")["n"][0])
        for table in dict.fromkeys(t for t, *_ in store.WORK_REFERENCES)
    }


def test_replacing_the_demo_takes_its_work_with_it(demo_con: store.Connection):
    account = store.query_frame(
        demo_con,
        "SELECT account_id FROM nps_responses GROUP BY 1 ORDER BY 1 LIMIT 1",
    )["account_id"][0]
    _work_on(demo_con, account)
    worked = _work_rows(demo_con)
    assert worked["account_wallet_estimates"] == worked["detractor_followups"] == 1
    assert worked["requirement_conflicts"] == 1 and worked["contact_edits"] == 1

    replaced = ingest.import_files(
        demo_con, [FIXTURES / "salesforce"], actor=ANALYST, replace_demo=True
    )
    assert replaced.ok, [p.message for p in replaced.errors]
    assert store.orphan_counts(demo_con) == dict.fromkeys(
        store.orphan_counts(demo_con), 0
    )
    assert not any(_work_rows(demo_con).values())


def _work_content(con: store.Connection) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: sorted(store.query_frame(con, f"SELECT * FROM {table}").rows(), key=repr)
        for table in dict.fromkeys(t for t, *_ in store.WORK_REFERENCES)
    }


def test_undoing_the_import_that_replaced_the_demo_brings_it_back(
    demo_con: store.Connection,
):
    account = store.query_frame(
        demo_con,
        "SELECT account_id FROM nps_responses GROUP BY 1 ORDER BY 1 LIMIT 1",
    )["account_id"][0]
    _work_on(demo_con, account)
    data, work = store.database_fingerprint(demo_con), _work_content(demo_con)
    replaced = ingest.import_files(
        demo_con, [FIXTURES / "salesforce"], actor=ANALYST, replace_demo=True
    )
    assert replaced.ok
    undone = store.undo_last_import(demo_con, ANALYST)
    assert undone["run_id"] == replaced.run_id
    assert store.database_fingerprint(demo_con) == data
    assert _work_content(demo_con) == work
    assert store.holds_demo(demo_con)
    assert not any(store.orphan_counts(demo_con).values())


def test_the_demo_does_not_come_back_over_work_done_since(
    demo_con: store.Connection,
):
    replaced = ingest.import_files(
        demo_con, [FIXTURES / "salesforce"], actor=ANALYST, replace_demo=True
    )
    assert replaced.ok
    imported = store.query_frame(demo_con, "SELECT min(account_id) AS a FROM accounts")
    store.set_relationship_override(
        demo_con, LEAD, imported["a"][0], "partnership", "pilot"
    )
    before = store.database_fingerprint(demo_con)
    with pytest.raises(RejectedInputError, match="relationship_overrides: 1"):
        store.undo_last_import(demo_con, ANALYST)
    assert store.database_fingerprint(demo_con) == before
    assert not store.holds_demo(demo_con)


def test_orphan_counts_see_work_pointing_at_nothing(con: store.Connection):
    _accounts_and_an_estimate(con)
    with store.write_transaction(con) as cur:
        cur.execute("DELETE FROM accounts WHERE account_id = 'X1'")
    assert store.orphan_counts(con)["account_wallet_estimates.account_id"] == 1


def test_an_undo_that_would_strand_work_is_refused_and_changes_nothing(
    con: store.Connection,
):
    report = _accounts_and_an_estimate(con)
    store.set_relationship_override(con, LEAD, "X2", "partnership", "pilot")
    before = store.database_fingerprint(con)
    with pytest.raises(RejectedInputError) as refused:
        store.undo_last_import(con, ANALYST)
    message = str(refused.value)
    assert f"import run {report.run_id}" in message
    assert "account_wallet_estimates.account_id → accounts (“X1”)" in message
    assert "relationship_overrides.account_id → accounts (“X2”)" in message
    assert store.database_fingerprint(con) == before
    # the work taken back, the undo goes through and strands nothing
    store.set_account_wallet(con, LEAD, "X1", None)
    store.delete_relationship_override(con, LEAD, "X2")
    assert store.undo_last_import(con, ANALYST)["run_id"] == report.run_id
    assert store.table_counts(con)["accounts"] == 0
    assert not any(store.orphan_counts(con).values())


def test_an_undo_that_only_changes_records_back_keeps_their_work(
    con: store.Connection,
):
    _accounts_and_an_estimate(con)
    renamed = ACCOUNTS_CSV.replace(b"Acme", b"Acme Holding")
    again = ingest.import_files(
        con, [("accounts.csv", renamed)], actor=ANALYST, source="generic"
    )
    assert again.ok
    # the second run changed X1; undoing it puts the old name back, X1 stays
    assert store.undo_last_import(con, ANALYST)["run_id"] == again.run_id
    names = store.query_frame(con, "SELECT name FROM accounts ORDER BY account_id")
    assert names["name"].to_list() == ["Acme", "Beta"]
    assert store.query_frame(con, "SELECT account_id FROM account_wallet_estimates")[
        "account_id"
    ].to_list() == ["X1"]


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh-Hans", "没有撤销任何内容"), ("zh-Hant", "沒有撤銷任何內容")],
)
def test_the_undo_s_refusal_reads_in_the_language_and_keeps_its_data(
    con: store.Connection, language: str, words: str
):
    _accounts_and_an_estimate(con)
    with pytest.raises(RejectedInputError) as refused:
        store.undo_last_import(con, ANALYST)
    try:
        i18n.set_language(language)
        said = ingest.refusal_text(refused.value)
    finally:
        i18n.set_language("en")
    assert words in said
    assert "account_wallet_estimates.account_id → accounts (“X1”)" in said


def test_the_demo_written_again_keeps_the_work_on_its_records_only(
    con: store.Connection,
):
    from workbench import demo

    _accounts_and_an_estimate(con)
    demo.write_demo(con, accounts=4, activities=40)
    assert not any(store.orphan_counts(con).values())
    assert not _work_rows(con)["account_wallet_estimates"]
    # work on the demo's own accounts survives the same demo written again
    account = store.query_frame(con, "SELECT min(account_id) AS a FROM accounts")["a"][
        0
    ]
    store.set_account_wallet(con, LEAD, account, 2_000.0)
    demo.write_demo(con, accounts=4, activities=40)
    assert store.query_frame(con, "SELECT account_id FROM account_wallet_estimates")[
        "account_id"
    ].to_list() == [account]
