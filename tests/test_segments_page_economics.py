"""The Segments page's economics: each account's costs, hourly costs, wallets."""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from tests.segments_page_support import accounts_table, table_with
from tests.segments_page_support import page as page
from workbench import ingest, readers, store, terms
from workbench.analytics import economics
from workbench.domain import LOCAL_ACTOR


def _open_economics(at) -> None:
    """Open the economics' expanders (their content is built only while open)."""
    for key in ("econ_costs_open", "econ_rates_open", "econ_shares_open"):
        at.session_state[key] = True
    at.run()
    assert not at.exception, at.exception


def test_economics_inputs_are_built_only_when_opened(page):
    assert not any(n.key == "econ_rate_executive" for n in page.number_input)
    _open_economics(page)
    assert any(n.key == "econ_rate_executive" for n in page.number_input)


def test_one_account_s_costs_add_up_and_the_hourly_costs_are_saved(page, app_db):
    # the breakdown of the first account of the table adds up to its cost to serve
    _open_economics(page)
    table = accounts_table(page)
    first = table.iloc[0]
    lines = table_with(page, "hourly_cost")
    assert lines["cost"].sum() == pytest.approx(first["cost_to_serve"])
    assert "executive" in set(lines["line"]) or "key account manager" in set(
        lines["line"]
    )
    assert any("years" in c.value and "retention" in c.value for c in page.caption)
    # an executive's hour gets dearer: the accounts executives serve cost more
    page.number_input(key="econ_rate_executive").set_value(400.0)
    submit = next(b for b in page.button if b.label == "Save hourly costs")
    submit.click()
    page.run()
    assert not page.exception, page.exception
    with store.connect(app_db) as con:
        rates = store.cost_rates(con)
    executive = rates.filter(pl.col("rate_key") == "executive").row(0, named=True)
    assert executive["hourly_cost"] == 400.0 and executive["edited"]
    assert not rates.filter(pl.col("rate_key") != "executive")["edited"].any()
    assert accounts_table(page)["cost_to_serve"].sum() > table["cost_to_serve"].sum()


def test_a_wallet_estimated_by_hand_sets_the_potential(page, app_db):
    _open_economics(page)
    account = accounts_table(page)["account_id"].iloc[0]
    page.number_input(key=f"econ_wallet_{account}").set_value(12_345_678.0)
    page.text_input(key=f"econ_wallet_note_{account}").input("workshop")
    submit = next(
        b for b in page.button if b.label == "Save the wallet (empty: forget it)"
    )
    submit.click()
    page.run()
    assert not page.exception, page.exception
    table = accounts_table(page)
    row = table[table["account_id"] == account].iloc[0]
    assert row["potential"] == pytest.approx(12_345_678.0)
    assert row["potential_source"] == "edited_estimate"


def _wallet_warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "more from us than their wallet" in w.value]


def test_accounts_buying_more_than_their_wallet_are_named(page, app_db):
    # A wallet below what the account buys (a stale estimate; customers' revenue
    # exported in millions, as in the Maven CRM data): the page says how many,
    # and names the widest gaps as the CRM wrote them.
    with store.connect(app_db) as con:
        valued = readers.account_segments(con, explain=False)
    before = economics.wallets_below_revenue(valued).height
    assert len(_wallet_warnings(page)) == (1 if before else 0)
    fine = valued.filter(
        (pl.col("revenue") > 0) & (pl.col("revenue") <= pl.col("potential"))
    )["account_id"][0]
    hostile = "**Bold** [x](javascript:alert(1)) <b>"
    with store.connect(app_db) as con, store.write_transaction(con) as cur:
        cur.execute(
            "UPDATE accounts SET name = $name WHERE account_id = $id",
            {"name": hostile, "id": fine},
        )
    with store.connect(app_db) as con:
        store.set_account_wallet(con, LOCAL_ACTOR, fine, 1.0)
    page.run()
    assert not page.exception, page.exception
    (warning,) = _wallet_warnings(page)
    assert warning.startswith(f"{before + 1} of {valued.height} accounts")
    # its gap is the widest (a wallet of 1): named first, every Markdown sign
    # escaped so that it reads as typed
    assert "The widest gaps: " + ingest.markdown_safe(hostile) in warning
    # its headroom is unknown too, not 0: it cannot be most growable
    assert "their share of wallet and their headroom are unknown" in warning
    table = accounts_table(page)
    row = table[table["account_id"] == fine].iloc[0]
    assert row["headroom"] is None or row["headroom"] != row["headroom"]  # NaN
    assert row["value_segment"] != terms.value_segment("most_growable")
