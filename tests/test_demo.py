from __future__ import annotations

import networkx as nx
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from workbench import demo, domain, store


@pytest.fixture(scope="module")
def frames() -> dict[str, pl.DataFrame]:
    return demo.generate()


def test_same_seed_gives_identical_tables(frames):
    again = demo.generate()
    assert frames.keys() == again.keys()
    for table in frames:
        assert_frame_equal(frames[table], again[table])


def test_another_seed_gives_another_portfolio(frames):
    other = demo.generate(seed=7)
    assert not other["accounts"].equals(frames["accounts"])


def test_sizes_look_like_the_brief(frames):
    accounts = frames["accounts"]
    customers = accounts.filter(pl.col("account_type") == "customer")["account_id"]
    assert customers.len() == 60
    # and a partner or competitor for every twenty, as a real CRM holds them
    assert accounts.height == 63
    assert 2_300 <= frames["contacts"].height <= 2_700
    assert frames["sellers"].height == 40
    activities = frames["activities"]
    assert (
        activities.filter(pl.col("account_id").is_in(customers.implode())).height
        == 50_000
    )
    assert activities.height > 50_000
    assert frames["nps_responses"].height > 60 * 8
    opportunities = frames["opportunities"]
    years = opportunities["close_date"].dt.year().unique().to_list()
    assert len(years) >= 3


def test_ids_are_unique(frames):
    for table, key in [
        ("accounts", "account_id"),
        ("contacts", "contact_id"),
        ("sellers", "seller_id"),
        ("opportunities", "opportunity_id"),
        ("activities", "activity_id"),
        ("nps_responses", "response_id"),
    ]:
        assert frames[table][key].is_unique().all(), table


def test_every_reference_points_to_an_existing_row(frames):
    accounts = set(frames["accounts"]["account_id"])
    contacts = set(frames["contacts"]["contact_id"])
    sellers = set(frames["sellers"]["seller_id"])
    assert set(frames["contacts"]["account_id"]) <= accounts
    assert set(frames["opportunities"]["account_id"]) <= accounts
    assert set(frames["activities"]["account_id"]) <= accounts
    assert set(frames["activities"]["contact_id"].drop_nulls()) <= contacts
    assert set(frames["activities"]["seller_id"].drop_nulls()) <= sellers
    assert set(frames["nps_responses"]["contact_id"]) <= contacts
    assert set(frames["accounts"]["owner_seller_id"]) <= sellers
    assert set(frames["opportunity_contacts"]["contact_id"]) <= contacts
    parents = set(frames["accounts"]["parent_account_id"].drop_nulls())
    assert parents <= accounts


def test_activities_belong_to_their_contacts_account(frames):
    joined = frames["activities"].join(
        frames["contacts"].select(
            "contact_id", pl.col("account_id").alias("contact_account")
        ),
        on="contact_id",
    )
    assert (joined["account_id"] == joined["contact_account"]).all()


def test_reporting_lines_are_sparse_trees_within_each_account(frames):
    contacts = frames["contacts"]
    account_of = dict(zip(contacts["contact_id"], contacts["account_id"], strict=True))
    graph = nx.DiGraph()
    graph.add_nodes_from(contacts["contact_id"])
    for child, boss in (
        contacts.select("contact_id", "reports_to_id").drop_nulls().iter_rows()
    ):
        assert account_of[boss] == account_of[child], "reports-to crosses accounts"
        graph.add_edge(boss, child)
    assert nx.is_forest(graph)
    # as in real CRMs, the manager is known for about a fifth of the people
    known = contacts["reports_to_id"].is_not_null().mean()
    assert 0.15 <= known <= 0.25
    depth = max(
        nx.dag_longest_path_length(graph.subgraph(c))
        for c in nx.weakly_connected_components(graph)
    )
    assert depth <= 4, "at most five levels: CEO and four below"


def test_some_activities_name_no_person_and_a_few_no_seller(frames):
    activities = frames["activities"]
    no_person = activities["contact_id"].is_null().mean()
    no_seller = activities["seller_id"].is_null().mean()
    assert 0.05 <= no_person <= 0.3
    assert 0.01 <= no_seller <= 0.05
    # only e-mails, calls and quotes are logged without a person
    unnamed = activities.filter(pl.col("contact_id").is_null())
    assert set(unnamed["kind"]) <= {"email", "call", "quote"}


def test_some_transactional_accounts_lapsed(frames):
    kinds = demo.archetypes()
    last_win = (
        frames["opportunities"]
        .filter(pl.col("is_won") & pl.col("contract_id").is_null())
        .group_by("account_id")
        .agg(pl.col("close_date").max())
        .join(kinds, on="account_id")
    )
    lapsed = last_win.filter(pl.col("close_date") < pl.date(2025, 9, 30))
    assert lapsed.height >= 3
    assert set(lapsed["archetype"]) <= {"steady", "overserved"}


def test_vocabularies_hold_and_unknowns_stay_null(frames):
    contacts = frames["contacts"]
    assert set(contacts["buying_role"].drop_nulls()) == set(domain.BUYING_ROLES)
    assert set(contacts["attitude"].drop_nulls()) == set(domain.ATTITUDES)
    assert contacts["influence"].drop_nulls().is_between(1, 5).all()
    assert contacts["buying_role"].null_count() > 0
    assert contacts["attitude"].null_count() > 0
    assert set(frames["activities"]["kind"]) <= set(domain.ACTIVITY_KINDS)
    assert frames["nps_responses"]["score"].is_between(0, 10).all()


def test_portfolio_mixes_chinese_and_taiwanese_accounts(frames):
    countries = set(frames["accounts"]["country"])
    assert {"China", "Taiwan", "Germany", "United States"} <= countries
    assert frames["accounts"]["name"].str.contains("有限公司").any()


def test_every_archetype_occurs_and_drives_value(frames):
    kinds = demo.archetypes()
    assert set(kinds["archetype"]) == set(demo.ARCHETYPES)
    # A rough contribution (won revenue × margin − hours × 90) in the last year:
    # over-served accounts lose money and strategic ones earn the most.
    last_year = pl.col("close_date") > pl.date(2025, 9, 30)
    won = (
        frames["opportunities"]
        .filter(pl.col("is_won") & last_year)
        .group_by("account_id")
        .agg(won=pl.col("amount").sum())
    )
    hours = (
        frames["activities"]
        .filter(pl.col("activity_date") > pl.date(2025, 9, 30))
        .group_by("account_id")
        .agg(hours=pl.col("duration_minutes").sum() / 60)
    )
    contribution = (
        frames["accounts"]
        .join(kinds, on="account_id")
        .join(won, on="account_id", how="left")
        .join(hours, on="account_id", how="left")
        .with_columns(
            value=pl.col("won").fill_null(0)
            * pl.col("gross_margin_pct").fill_null(25)
            / 100
            - pl.col("hours") * 90
        )
        .group_by("archetype")
        .agg(pl.col("value").median())
    )
    by_kind = dict(contribution.iter_rows())
    assert by_kind["overserved"] < 0
    assert by_kind["strategic"] > max(v for k, v in by_kind.items() if k != "strategic")


def test_overserved_accounts_get_more_hours_than_steady_ones(frames):
    kinds = demo.archetypes()
    hours = (
        frames["activities"]
        .join(kinds, on="account_id")
        .group_by("archetype")
        .agg(
            (
                pl.col("duration_minutes").sum() / 60 / pl.col("account_id").n_unique()
            ).alias("hours_per_account")
        )
    )
    per_kind = dict(hours.iter_rows())
    assert per_kind["overserved"] > 3 * per_kind["steady"]


def test_scales_to_larger_portfolios():
    frames = demo.generate(accounts=400, activities=120_000, contacts=8_000)
    customers = frames["accounts"].filter(pl.col("account_type") == "customer")
    # and one partner or competitor for every twenty customers
    assert customers.height == 400 and frames["accounts"].height == 420
    ids = customers["account_id"].implode()
    assert frames["contacts"].filter(pl.col("account_id").is_in(ids)).height == 8_000
    activities = frames["activities"].filter(pl.col("account_id").is_in(ids))
    assert activities.height == 120_000


def test_write_demo_fills_the_store(con):
    counts = demo.write_demo(con, accounts=12, activities=2_000)
    assert store.table_counts(con)["accounts"] == 12 == counts["accounts"]
    assert store.table_counts(con)["activities"] == 2_000
    assert store.get_meta(con, "demo_seed") == str(demo.DEFAULT_SEED)
