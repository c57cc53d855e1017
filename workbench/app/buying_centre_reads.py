"""The Buying-centre page's cached pickers and its people editor's rows.

A move of the window slider (or any other control) reran the account picker's
labels, one sentence per account (10,000 at a time), and the deal picker's, one
per deal with its amount formatted; and every cached read came back as a copy
(``st.cache_data`` unpickles the account's people, links, touches and report at
each rerun). Here the labels are built once per data version and language (and
account, for the deals) and the people editor's rows once per filter. The
account's data, report and map (in ``reads``) are kept as one shared object each:
polars frames and the frozen dataclasses holding them are immutable.
"""

from __future__ import annotations

import polars as pl

from workbench import privacy
from workbench.analytics import network
from workbench.app import reads
from workbench.app.cached import cached
from workbench.app.language import _, format_day, format_money
from workbench.domain import Actor


@cached(max_entries=4, share=True)
def account_labels(language: str) -> dict[str, str]:
    """Return ``{account_id: "name (n people)"}`` for every account, in ``language``."""
    del language  # part of the key: the labels are written in it
    accounts = reads.buying_centre_accounts()
    return dict(
        zip(
            accounts["account_id"].to_list(),
            [
                _("{name} ({n} people)").format(name=name, n=count)
                if count
                else _("{name} (no people on record)").format(name=name)
                for name, count in zip(
                    accounts["name"].to_list(),
                    accounts["contacts"].to_list(),
                    strict=True,
                )
            ],
            strict=True,
        )
    )


#: At most this many accounts in the account picker at once; a search finds others.
PICKER_ACCOUNTS = 200


@cached(max_entries=16, share=True)
def account_matches(query: str, limit: int) -> tuple[tuple[str, ...], int]:
    """Return the accounts whose name or ID holds ``query`` (any case), and how many.

    The IDs are the first ``limit`` in the picker's order (by name, those with
    people first); the count is of every match. An empty query matches all. A
    picker of all 10,000 accounts sent its options to the browser at every rerun
    of the page.
    """
    accounts = reads.buying_centre_accounts()
    needle = query.strip().lower()
    if needle:
        accounts = accounts.filter(
            pl.col("name")
            .fill_null("")
            .str.to_lowercase()
            .str.contains(needle, literal=True)
            | pl.col("account_id").str.to_lowercase().str.contains(needle, literal=True)
        )
    ids = accounts.get_column("account_id").head(limit).to_list()
    return tuple(ids), accounts.height


@cached(max_entries=64, share=True)
def deal_labels(account_id: str, language: str) -> dict[str, str]:
    """Return ``{opportunity_id: "deal · state · amount · closes day · n named"}``."""
    del language  # part of the key: the labels are written in it
    listed = network.deal_list(reads.account_deals(account_id))
    currency = reads.portfolio_currency()
    labels: dict[str, str] = {}
    for row in listed.iter_rows(named=True):
        state = (
            _("won")
            if row["is_won"]
            else _("lost")
            if row["is_closed"]
            else row["stage"] or _("open")
        )
        labels[row["opportunity_id"]] = _(
            "{deal} · {state} · {amount} · closes {day} · {people} named"
        ).format(
            deal=row["deal"] or row["opportunity_id"],
            state=state,
            amount=format_money(row["amount"], currency)
            if row["amount"] is not None
            else "–",
            day=format_day(row["close_date"]) if row["close_date"] else "–",
            people=row["people"],
        )
    return labels


@cached(max_entries=32, share=True)
def people_table(
    account_id: str,
    months: int,
    departments: tuple[str, ...],
    roles: tuple[str, ...],
    contact_ids: tuple[str, ...] | None,
    actor: Actor,
) -> pl.DataFrame:
    """Return the people editor's rows: filtered, editable columns, masked for viewers."""
    persons = network.filter_people(
        reads.buying_centre_people(account_id, months),
        departments=departments,
        roles=roles,
    )
    if contact_ids is not None:
        persons = persons.filter(pl.col("contact_id").is_in(list(contact_ids)))
    return privacy.mask_personal_data(network.editable_contacts(persons), actor)
