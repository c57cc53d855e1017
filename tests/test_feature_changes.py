"""Account features brought up to date for the accounts a change of facts touched.

Each test holds the features of a small portfolio shaped like a real export
(tests/test_feature_aggregation.py's: sparse org charts, a loop, a manager and
an activity's person at another account, activities naming no person, deals
over several years, an account with people but no activity), writes through
the workbench's own writers, and compares the features brought up to date with
those added up from scratch: the same frame, row for row. Each also checks
which path was taken (only the touched accounts read again, or everything), and
that the write changed the features at all, so that equality says something.
"""

from __future__ import annotations

import importlib
from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.conftest import count_calls, import_texts
from tests.factories import load_frames, rows_frame
from tests.test_feature_aggregation import _frames
from workbench import ingest, store
from workbench.domain import LOCAL_ACTOR
from workbench.store import feature_changes
from workbench.store.portfolio import TOUCHES_MONTHS

#: the module, not the function of the same name the store exports
versions_module = importlib.import_module("workbench.store.versions")

AS_OF = date(2026, 6, 30)


def _portfolio() -> dict[str, pl.DataFrame]:
    frames = _frames()
    # IDs whose byte order is not their case-blind one, and a name in Chinese
    extra = rows_frame(
        "account_id name industry created_on",
        ("b-lower", "lower case", "Energy", date(2021, 5, 1)),
        ("Z9", "Zed", "Energy", date(2021, 5, 1)),
        ("客户-1", "华东客户", "Retail", date(2022, 1, 1)),
    )
    frames["accounts"] = pl.concat([frames["accounts"], extra])
    # as a generic export wrote them, so that a later one may update them
    for table, key in (
        ("sellers", "seller_id"),
        ("contacts", "contact_id"),
        ("activities", "activity_id"),
        ("opportunities", "opportunity_id"),
    ):
        frames[table] = frames[table].with_columns(
            source=pl.lit("generic"), source_id=pl.col(key)
        )
    return frames


@pytest.fixture
def con(tmp_path):
    connection = store.connect(tmp_path / "changes.duckdb")
    store.migrate(connection)
    load_frames(connection, _portfolio())
    yield connection
    store.close(connection)


def _brought_up(
    con: store.Connection,
    held: store.HeldFeatures,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[store.HeldFeatures, list[str] | None]:
    """Bring ``held`` up to date; return it and the accounts read again (None: all)."""
    narrowed = count_calls(monkeypatch, feature_changes, "_narrow")
    now = store.features_up_to_date(con, AS_OF, held=held)
    assert_frame_equal(now.features, store.account_features(con, AS_OF))
    if not narrowed:
        return now, None
    ((_cur, changed, _day), _kwargs) = narrowed[0]
    return now, sorted(changed)


def _changed_rows(before: pl.DataFrame, after: pl.DataFrame) -> list[str]:
    joined = before.join(after, on="account_id", how="full", suffix="_after")
    differs = pl.any_horizontal(
        pl.col(c).ne_missing(pl.col(f"{c}_after"))
        for c in before.columns
        if c != "account_id"
    )
    return sorted(joined.filter(differs)["account_id"].drop_nulls().to_list())


def test_nothing_changed_or_a_decision_keeps_what_is_held(con, monkeypatch):
    held = store.features_up_to_date(con, AS_OF)
    assert held.retention_masks is not None
    assert store.features_up_to_date(con, AS_OF, held=held) is held
    store.set_relationship_override(con, LOCAL_ACTOR, "A1", "partnership", "workshop")
    assert store.features_up_to_date(con, AS_OF, held=held) is held


def test_a_role_edit_reads_again_the_accounts_that_name_the_person(con, monkeypatch):
    held = store.features_up_to_date(con, AS_OF)
    # b1 (at A2) is named by an activity of A3; c2 (A3) by none elsewhere
    changes = rows_frame("contact_id field new_value", ("b1", "buying_role", "user"))
    store.save_contact_edits(con, LOCAL_ACTOR, changes)
    now, read_again = _brought_up(con, held, monkeypatch)
    assert read_again == ["A2"]  # the accounts the write named
    assert "A2" in _changed_rows(held.features, now.features)


def test_the_accounts_linked_through_people_are_read_again(con, monkeypatch):
    held = store.features_up_to_date(con, AS_OF)
    accounts = count_calls(monkeypatch, feature_changes, "_read")
    store.save_contact_edits(
        con,
        LOCAL_ACTOR,
        rows_frame("contact_id field new_value", ("b1", "buying_role", "user")),
    )
    now = store.features_up_to_date(con, AS_OF, held=held)
    assert len(accounts) == 1  # one narrowed read, not a whole one
    # A3's activity names b1: A3 is among the rows read again
    with con.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        brought = feature_changes._narrow(cur, ["A2"], AS_OF).sort().to_list()
        cur.execute("ROLLBACK")
    assert brought == ["A2", "A3"]
    assert_frame_equal(now.features, store.account_features(con, AS_OF))


def _b1_heads_purchasing(con: store.Connection) -> None:
    # b1 of A2 becomes the head of purchasing: other accounts' activities naming
    # her now count as time with purchasing, at those accounts
    _import(
        con,
        (
            "contacts.csv",
            "contact_id,account_id,name,title,department\n"
            "b1,A2,Bea,Head of Purchasing,Procurement\n",
        ),
    )


def test_a_person_named_by_another_account_changes_that_account(con, monkeypatch):
    held = store.features_up_to_date(con, AS_OF)
    # A3's activity naming b1 now counts as time with purchasing, at A3
    _b1_heads_purchasing(con)
    now, read_again = _brought_up(con, held, monkeypatch)
    assert read_again == ["A2"]
    assert "A3" in _changed_rows(held.features, now.features)


def test_other_accounts_naming_a_person_count_for_the_touches_months_only(
    con, monkeypatch
):
    # A5 met A2's b1 nine months before the day, A4 eighteen: when b1 moves to
    # purchasing, A5's time with purchasing grows (the touches' twelve months);
    # A4's older meeting counts in its own sums only, so A4 is not read again
    assert TOUCHES_MONTHS == 12
    _import(
        con,
        (
            "activities.csv",
            _ACTIVITY_HEADER
            + "near,A5,b1,s_kam,meeting,2025-09-30,60\n"
            + "far,A4,b1,s_kam,meeting,2024-12-30,60\n",
        ),
    )
    held = store.features_up_to_date(con, AS_OF)
    _b1_heads_purchasing(con)
    now, read_again = _brought_up(con, held, monkeypatch)
    assert read_again == ["A2"]
    assert "A5" in _changed_rows(held.features, now.features)
    assert "A4" not in _changed_rows(held.features, now.features)


def test_a_linked_account_keeps_the_third_account_people_it_names(con, monkeypatch):
    # A3 meets A5's CEO too: A3's engagement reads her department and
    # seniority, though A5 is neither changed nor linked in when A2 changes
    _import(
        con,
        ("activities.csv", _ACTIVITY_HEADER + "x1,A3,e1,s_kam,meeting,2026-04-04,60\n"),
    )
    held = store.features_up_to_date(con, AS_OF)
    assert held.features.filter(pl.col("account_id") == "A3")[
        "executive_contacts_engaged"
    ].item()
    store.save_contact_edits(
        con,
        LOCAL_ACTOR,
        rows_frame("contact_id field new_value", ("b1", "buying_role", "user")),
    )
    # A3 is linked in by its activity naming b1; the whole read compared in
    # _brought_up holds e1 among A3's people engaged
    _now, read_again = _brought_up(con, held, monkeypatch)
    assert read_again == ["A2"]


def test_wallet_estimates_read_again_their_accounts(con, monkeypatch):
    held = store.features_up_to_date(con, AS_OF)
    store.set_account_wallet(
        con, LOCAL_ACTOR, "客户-1", 2_000_000.0, "from the workshop"
    )
    now, read_again = _brought_up(con, held, monkeypatch)
    assert read_again == ["客户-1"]
    assert _changed_rows(held.features, now.features) == ["客户-1"]
    store.set_industry_wallet_share(con, LOCAL_ACTOR, "Energy", 12.5)
    later, read_again = _brought_up(con, now, monkeypatch)
    assert read_again == ["Z9", "b-lower"]
    assert _changed_rows(now.features, later.features) == ["Z9", "b-lower"]


def _import(con: store.Connection, *files: tuple[str, str]) -> None:
    report = ingest.import_files(
        con, [(name, text.encode()) for name, text in files], actor=LOCAL_ACTOR
    )
    assert report.ok, [p.message for p in report.problems if p.level == "error"]


_ACTIVITY_HEADER = (
    "activity_id,account_id,contact_id,seller_id,kind,activity_date,duration_minutes\n"
)


def test_an_import_reads_again_the_accounts_of_the_rows_before_and_after(
    con, monkeypatch
):
    # an activity of A3 naming b1, A2's decider (an earlier import)
    _import(
        con,
        ("activities.csv", _ACTIVITY_HEADER + "x1,A3,b1,s_kam,visit,2026-03-03,60\n"),
    )
    held = store.features_up_to_date(con, AS_OF)
    _import(
        con,
        (
            "contacts.csv",
            "contact_id,account_id,name,title,department\n"
            # a person moves from A1 to A3; another becomes a chief executive
            "away,A3,Analyst Moved,Analyst,Finance\n"
            "c3,A3,Chief,Chief Executive Officer,Executive\n",
        ),
        (
            "activities.csv",
            _ACTIVITY_HEADER
            # the activity now names c1, at A3: A2's deciders engaged drop
            + "x1,A3,c1,s_kam,visit,2026-03-03,60\n"
            + "new1,客户-1,,s_kam,call,2026-04-01,45\n",
        ),
        (
            "opportunities.csv",
            "opportunity_id,account_id,amount,close_date,is_closed,is_won\n"
            # a won deal two years back: the portfolio's retention counts move
            "d-new,b-lower,5000,2024-03-01,true,true\n",
        ),
    )
    # most of this small portfolio: read again all the same
    monkeypatch.setattr(feature_changes, "MAX_CHANGED_SHARE", 0.75)
    now, read_again = _brought_up(con, held, monkeypatch)
    # A1: the moved person's old account; A2: b1's, whom x1 named before
    assert read_again == ["A1", "A2", "A3", "b-lower", "客户-1"]
    changed = _changed_rows(held.features, now.features)
    assert {"A1", "A2", "A3", "b-lower", "客户-1"} <= set(changed)
    retention = [
        "retention_account_years",
        "retention_retained",
        "retention_year_pairs",
    ]
    before, after = (f.select(retention).row(0) for f in (held.features, now.features))
    assert before != after


_SELLER_HEADER = "seller_id,seller_name,team,title\n"


def test_the_same_users_exported_again_keep_the_import_to_its_accounts(
    con, monkeypatch
):
    held = store.features_up_to_date(con, AS_OF)
    # the users of the export again (a name corrected, a team left empty),
    # with one account's new activity
    _import(
        con,
        (
            "sellers.csv",
            _SELLER_HEADER + "s_kam,Bo Chen,,Key Account Manager\n"
            "s_exec,Ann,Leadership,Vice President Sales\n",
        ),
        ("activities.csv", _ACTIVITY_HEADER + "y1,A5,e1,s_kam,visit,2026-06-01,45\n"),
    )
    now, read_again = _brought_up(con, held, monkeypatch)
    assert read_again == ["A5"]
    assert _changed_rows(held.features, now.features) == ["A5"]
    # a seller promoted prices every account's hours again
    _import(
        con,
        ("sellers.csv", _SELLER_HEADER + "s_kam,Bo Chen,,Vice President Sales\n"),
        ("activities.csv", _ACTIVITY_HEADER + "y2,A5,e1,s_kam,visit,2026-06-02,30\n"),
    )
    later, read_again = _brought_up(con, now, monkeypatch)
    assert read_again is None
    assert _changed_rows(now.features, later.features)


def test_survey_answers_read_again_their_accounts(con, monkeypatch):
    held = store.features_up_to_date(con, AS_OF)
    answers = rows_frame(
        "_file _row account_id contact_id responded_on score comment source source_id",
        ("s.csv", 1, "A1", "p", date(2026, 5, 1), 3, "slow", "survey", "r1"),
        ("s.csv", 2, "A5", None, date(2026, 6, 1), 10, None, "survey", "r2"),
    )
    store.write_survey_responses(
        con, LOCAL_ACTOR, answers, file_name="s.csv", file_sha256="0" * 64
    )
    now, read_again = _brought_up(con, held, monkeypatch)
    assert read_again == ["A1", "A5"]
    assert _changed_rows(held.features, now.features) == ["A1", "A5"]


def test_a_write_that_names_no_accounts_adds_everything_up_again(con, monkeypatch):
    held = store.features_up_to_date(con, AS_OF)
    with store.write_transaction(con) as cur:  # a seller's title, say
        cur.execute("UPDATE sellers SET title = 'Vice President Sales'")
    now, read_again = _brought_up(con, held, monkeypatch)
    assert read_again is None
    assert _changed_rows(held.features, now.features)


def _priced_columns_only(before: pl.DataFrame, after: pl.DataFrame) -> list[str]:
    """Return the columns that differ between two frames of the same rows."""
    return [c for c in before.columns if not before[c].equals(after[c])]


def test_an_hourly_cost_reads_again_the_priced_hours_alone(con, monkeypatch):
    held = store.features_up_to_date(con, AS_OF)
    statements = count_calls(monkeypatch, feature_changes, "_read")
    priced = count_calls(monkeypatch, feature_changes, "_priced_hours")
    store.set_cost_rate(con, LOCAL_ACTOR, "key accounts", 250.0)
    now, read_again = _brought_up(con, held, monkeypatch)
    # neither the whole statement nor a narrowed one: every account's priced
    # hours, the same as adding everything up gives (compared in _brought_up)
    assert read_again is None and statements == [] and len(priced) == 1
    assert _changed_rows(held.features, now.features)
    assert set(_priced_columns_only(held.features, now.features)) <= {
        "rated_recorded_cost_12m",
        "rated_without_duration_rate_sum_12m",
    }
    # back to the default, and a rate for a team (it wins over the role)
    store.set_cost_rate(con, LOCAL_ACTOR, "key accounts", None)
    store.set_cost_rate(con, LOCAL_ACTOR, "leadership", 400.0)
    later, _read_again = _brought_up(con, now, monkeypatch)
    assert statements == [] and len(priced) == 2
    assert _priced_columns_only(now.features, later.features)


def test_an_hourly_cost_and_an_accounts_fact_read_both(con, monkeypatch):
    held = store.features_up_to_date(con, AS_OF)
    store.set_account_wallet(con, LOCAL_ACTOR, "A1", 10_000.0)
    store.set_cost_rate(con, LOCAL_ACTOR, "key accounts", 250.0)
    priced = count_calls(monkeypatch, feature_changes, "_priced_hours")
    now, read_again = _brought_up(con, held, monkeypatch)
    assert read_again == ["A1"] and len(priced) == 1
    assert "A1" in _changed_rows(held.features, now.features)


def test_an_hourly_cost_on_a_file_without_the_shared_log_adds_everything_up(
    con, monkeypatch
):
    # a file written before migration 18 (its table dropped here): the change
    # is logged as touching every account, as any change was then
    held = store.features_up_to_date(con, AS_OF)
    with con.cursor() as cur:
        cur.execute("DROP TABLE shared_fact_changes")
    store.set_cost_rate(con, LOCAL_ACTOR, "key accounts", 250.0)
    priced = count_calls(monkeypatch, feature_changes, "_priced_hours")
    _now, read_again = _brought_up(con, held, monkeypatch)
    assert read_again is None and priced == []


def test_many_accounts_changed_add_everything_up_again(con, monkeypatch):
    held = store.features_up_to_date(con, AS_OF)
    changes = rows_frame(
        "contact_id field new_value",
        *((person, "attitude", "neutral") for person in ("p", "b1", "c1")),
    )
    store.save_contact_edits(con, LOCAL_ACTOR, changes)  # 3 of 8 accounts
    _now, read_again = _brought_up(con, held, monkeypatch)
    assert read_again is None


def test_deals_of_an_account_not_on_file_keep_the_whole_read(con, monkeypatch):
    # an older file may hold a deal of an account it does not hold: the
    # portfolio's retention counts it, and no account's part has it
    with store.write_transaction(con) as cur:
        cur.execute(
            "INSERT INTO opportunities (opportunity_id, account_id, amount, "
            "close_date, is_closed, is_won) "
            "VALUES ('gone', 'GONE', 900, DATE '2025-01-01', true, true)"
        )
    held = store.features_up_to_date(con, AS_OF)
    assert held.retention_masks is None
    store.set_account_wallet(con, LOCAL_ACTOR, "A1", 10_000.0)
    _now, read_again = _brought_up(con, held, monkeypatch)
    assert read_again is None


def test_another_file_at_the_same_place_is_read_whole(con, tmp_path, monkeypatch):
    held = store.features_up_to_date(con, AS_OF)
    other = store.connect(tmp_path / "other.duckdb")
    store.migrate(other)
    load_frames(other, _portfolio())
    store.set_account_wallet(other, LOCAL_ACTOR, "A1", 10_000.0)
    narrowed = count_calls(monkeypatch, feature_changes, "_narrow")
    now = store.features_up_to_date(other, AS_OF, held=held)
    assert narrowed == [] and now.database != held.database
    assert_frame_equal(now.features, store.account_features(other, AS_OF))
    store.close(other)


# --- the log of changes ----------------------------------------------------------------


def _log(con: store.Connection) -> list[tuple[int, str | None]]:
    rows = con.sql(
        "SELECT data_version, account_id FROM fact_changes ORDER BY ALL"
    ).fetchall()
    return [(int(version), account) for version, account in rows]


def _shared(con: store.Connection) -> list[tuple[int, str]]:
    rows = con.sql(
        "SELECT data_version, shared FROM shared_fact_changes ORDER BY ALL"
    ).fetchall()
    return [(int(version), str(what)) for version, what in rows]


def _changed(con: store.Connection, since: store.Versions) -> frozenset[str] | None:
    """The accounts changed since ``since`` (None: any may have; a shared change
    of every account counts as such, as a reader that knows none reads it)."""
    with con.cursor() as cur:
        changes = versions_module.fact_changes(cur, since)
    return None if changes is None or changes.shared else changes.accounts


def test_the_log_names_each_change_and_forgets_what_everything_covers(con):
    start = store.versions(con)
    assert _log(con) == [(start.data, None)]  # the load touched every account
    store.set_account_wallet(con, LOCAL_ACTOR, "A1", 10.0)
    store.set_account_wallet(con, LOCAL_ACTOR, "A2", 20.0)
    assert _changed(con, start) == {"A1", "A2"}
    middle = store.versions(con)
    store.set_relationship_override(con, LOCAL_ACTOR, "A3", "partnership", "why")
    assert _changed(con, middle) == frozenset()
    store.set_cost_rate(con, LOCAL_ACTOR, "key accounts", 99.0)
    rated = store.versions(con).data
    # every account to a reader that knows no shared change (its row of every
    # account); the earlier rows kept for one that does
    assert _changed(con, middle) is None
    assert _log(con)[-1] == (rated, None) and len(_log(con)) > 1
    assert _shared(con) == [(rated, "cost_rates")]
    with con.cursor() as cur:
        changes = versions_module.fact_changes(cur, middle)
    assert changes == versions_module.FactChanges(
        frozenset(), frozenset({"cost_rates"})
    )
    with con.cursor() as cur:
        assert versions_module.fact_changes(cur, start) == versions_module.FactChanges(
            frozenset({"A1", "A2"}), frozenset({"cost_rates"})
        )
    # a write that names no account touched every account: what came before goes
    with store.write_transaction(con) as cur:
        cur.execute("UPDATE sellers SET title = title")
    assert _log(con) == [(store.versions(con).data, None)]
    assert _shared(con) == []
    with con.cursor() as cur:
        assert versions_module.fact_changes(cur, middle) is None


def test_a_shared_change_this_code_does_not_know_counts_as_every_account(con):
    since = store.versions(con)
    store.set_cost_rate(con, LOCAL_ACTOR, "key accounts", 99.0)
    with con.cursor() as cur:
        # as a later version might name a shared change of its own
        cur.execute("UPDATE shared_fact_changes SET shared = 'exchange_rates'")
        assert versions_module.fact_changes(cur, since) is None
    with (
        pytest.raises(ValueError, match="not a shared change"),
        store.write_transaction(con) as cur,
    ):
        versions_module.scope_shared(cur, "exchange_rates")


def test_a_rolled_back_write_logs_nothing(con):
    before = _log(con)

    def refused_write() -> None:
        with store.write_transaction(con) as cur:
            store.scope_facts(cur, "SELECT 'A1'", {})
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        refused_write()
    assert _log(con) == before


def test_a_write_this_code_did_not_mark_counts_as_every_account(con):
    since = store.versions(con)
    store.set_account_wallet(con, LOCAL_ACTOR, "A1", 10.0)
    # an older version of the workbench writes: the data version alone moves
    with con.cursor() as cur:
        cur.execute(
            "UPDATE workbench_meta SET value = (value::BIGINT + 1)::VARCHAR "
            "WHERE key = 'data_version'"
        )
    assert _changed(con, since) is None
    # and stays so after a later marked write logs it
    store.set_account_wallet(con, LOCAL_ACTOR, "A2", 20.0)
    assert _changed(con, since) is None


def test_a_long_log_is_cut_to_every_account(con, monkeypatch):
    monkeypatch.setattr(versions_module, "MAX_LOGGED_CHANGES", 2)
    since = store.versions(con)
    store.set_industry_wallet_share(con, LOCAL_ACTOR, "Retail", 10.0)  # 6 accounts
    assert _changed(con, since) is None
    assert len(_log(con)) == 1


def test_an_erp_file_reads_again_the_accounts_it_covers(con, monkeypatch):
    accounts = "account_id,name\nE1,Huadong Machinery\nE2,Rheinstahl GmbH\n"
    _import(con, ("accounts.csv", accounts))
    held = store.features_up_to_date(con, AS_OF)
    # the first ERP file adds its columns to every row: the account's row read
    # again does not fit the held frame, and every account is read again (on
    # the file's own tables, not the account's rows: a bug once)
    first = import_texts(con, {"erp.csv": "客户编码,期间,收入\nE1,2026-03,100\n"})
    assert first.ok
    now, read_again = _brought_up(con, held, monkeypatch)
    assert read_again == ["E1"]
    assert "erp_revenue_12m" in now.features.columns
    # a later one: the accounts it covers, before and after
    again = import_texts(
        con, {"erp.csv": "客户编码,期间,收入\nE1,2026-03,250\nE2,2026-04,70\n"}
    )
    assert again.ok
    later, read_again = _brought_up(con, now, monkeypatch)
    assert read_again == ["E1", "E2"]
    assert _changed_rows(now.features, later.features) == ["E1", "E2"]


# --- another term's features, worked out from the won deals' steps ---------------------


def _held_at_term(con: store.Connection, term: int) -> store.HeldFeatures:
    """Hold the features of ``term`` as the app does: from the steps, with masks."""
    held = store.features_up_to_date(con, AS_OF)
    steps = store.term_steps(con, AS_OF, held.features.get_column("account_id"))
    revenue, masks = store.term_revenue_and_masks(steps, term)
    moved = store.with_term_revenue(held.features, revenue)
    return store.hold_features(held, term, moved, masks)


@pytest.mark.parametrize("term", [12, 30])
def test_the_steps_give_the_statements_retention_masks(con, term):
    held = _held_at_term(con, term)
    with con.cursor() as cur:
        whole = feature_changes._read(cur, AS_OF, term)
    assert held.retention_masks is not None
    assert held.retention_masks.to_list() == whole["_retention_years_mask"].to_list()
    assert set(held.retention_masks.to_list()) > {0}  # years with revenue, some


def test_features_of_another_term_are_brought_up_to_date(con, monkeypatch):
    held = _held_at_term(con, 30)
    store.set_account_wallet(con, LOCAL_ACTOR, "A1", 75_000.0)
    _import(
        con,
        (
            "opportunities.csv",
            "opportunity_id,account_id,amount,close_date,is_closed,is_won\n"
            "d-30,b-lower,9000,2025-01-15,true,true\n",
        ),
    )
    narrowed = count_calls(monkeypatch, feature_changes, "_narrow")
    now = store.features_up_to_date(con, AS_OF, 30, held)
    assert [sorted(args[1]) for args, _ in narrowed] == [["A1", "b-lower"]]
    assert_frame_equal(now.features, store.account_features(con, AS_OF, 30))
    # the deal two years back moves the portfolio's retention on every row
    portfolio = ["retention_account_years", "retention_retained"]
    before, after = (f.drop(portfolio) for f in (held.features, now.features))
    assert _changed_rows(before, after) == ["A1", "b-lower"]
    assert (
        held.features["retention_retained"][0] != now.features["retention_retained"][0]
    )


def test_an_account_typed_as_no_customer_leaves_the_features_in_place(con, monkeypatch):
    # A4 has no deal: typed a competitor, it is no customer to segment; A1
    # has deals: typed a partner, we sell to it too and it stays
    con.execute("UPDATE accounts SET source = 'generic', source_id = account_id")
    held = store.features_up_to_date(con, AS_OF)
    _import(
        con,
        (
            "accounts.csv",
            "account_id,name,account_type\n"
            "A4,Account 4,Competitor\n"
            "A1,Account 1,Technology Partner\n",
        ),
    )
    now, read_again = _brought_up(con, held, monkeypatch)
    assert read_again is not None and {"A1", "A4"} <= set(read_again)
    assert "A4" in held.features["account_id"].to_list()
    assert "A4" not in now.features["account_id"].to_list()
    assert "A1" in now.features["account_id"].to_list()
    # typed a customer again: back in its place, read again alone
    held = now
    _import(
        con, ("accounts.csv", "account_id,name,account_type\nA4,Account 4,Customer\n")
    )
    now, read_again = _brought_up(con, held, monkeypatch)
    assert read_again is not None and "A4" in read_again
    assert "A4" in now.features["account_id"].to_list()
