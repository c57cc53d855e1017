"""The Buying-centre page's cached pickers and its people editor's rows.

A move of the window slider (or any other control) reran the account picker's
labels, one sentence per account (10,000 at a time), and the deal picker's, one
per deal with its amount formatted; and every cached read came back as a copy
(``st.cache_data`` unpickles the account's people, links, touches and report at
each rerun). Here the labels are built once per data version and language (and
account, for the deals) and the people editor's rows once per filter. The
account's data, report and map (in ``reads``) are kept as one shared object each:
polars frames and the frozen dataclasses holding them are immutable.

The tables beside the map (coverage, effort, risks, whom to reach) are worded and
made Arrow once per report (:func:`report_tables`), and the people editor's rows
are kept as the pandas frame the editor works on (:func:`people_editor_rows`):
converted at each rerun, they were about a third of a rerun's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from workbench import i18n, privacy, terms
from workbench.analytics import network, segment
from workbench.app import reads
from workbench.app.cached import cached
from workbench.app.components import arrow_table
from workbench.app.language import _, format_day, format_money
from workbench.domain import Actor

if TYPE_CHECKING:
    import pyarrow as pa


@cached(max_entries=4, share=True, facts=True)
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


@cached(max_entries=16, share=True, facts=True)
def account_matches(query: str, limit: int) -> tuple[tuple[str, ...], int]:
    """Return the accounts whose name or ID holds ``query`` (any case), and how many.

    The IDs are the first ``limit`` in the picker's order (by name, those with
    people first); the count is of every match. An empty query matches all. A
    picker of all 10,000 accounts sent its options to the browser at every rerun
    of the page.
    """
    return segment.matching_accounts(reads.buying_centre_accounts(), query, limit)


@cached(max_entries=64, share=True, facts=True)
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


@cached(max_entries=32, share=True, facts=True)
def departments(account_id: str, months: int) -> list[str]:
    """Return the account's departments, sorted, for the map's filter."""
    return network.departments(reads.buying_centre(account_id, months))


@dataclass(frozen=True)
class ReportTables:
    """The tables beside the map, as shown: worded, hidden columns left out."""

    coverage: pa.Table | pl.DataFrame
    #: the deciding roles' gaps in sentences ("1 of 3 deciders covered")
    gaps: tuple[str, ...]
    effort: pa.Table | pl.DataFrame
    #: None: no risk found
    risks: pa.Table | pl.DataFrame | None
    #: None: nobody left to reach
    reach: pa.Table | pl.DataFrame | None


#: Columns of the report's tables that stay out of sight (IDs behind the names).
_HIDDEN = ("contact_id", "path_ids", "path_length")


@cached(max_entries=32, share=True)
def report_tables(
    account_id: str, months: int, deal: str | None, language: str
) -> ReportTables:
    """Return the tables beside the map for the chosen deal (None: the account).

    Built and made Arrow once per report and language, not at every rerun.
    """
    report = reads.buying_centre_report(account_id, months, deal, language)

    def shown(frame: pl.DataFrame) -> pa.Table | pl.DataFrame:
        return arrow_table(frame.drop(_HIDDEN, strict=False))

    return ReportTables(
        coverage=shown(coverage_table(report.coverage)),
        gaps=tuple(coverage_sentences(report.coverage)),
        effort=shown(terms.localise_values(report.breadth.effort)),
        risks=shown(terms.localise_values(report.risks))
        if report.risks.height
        else None,
        reach=shown(reach_words(report.reach_next))
        if report.reach_next.height
        else None,
    )


def reach_words(reach: pl.DataFrame) -> pl.DataFrame:
    """Return whom to reach next as shown: roles, attitudes and "no warm path" in words.

    The report keeps the codes and the English "no warm path" (the plans match
    on them); a path of names stays as it is.
    """
    shown = terms.localise_values(reach).with_columns(
        pl.col("path").replace({network.NO_WARM_PATH: _("no warm path")})
    )
    if i18n.current_language() == "en":
        return shown
    # a person without a role: its code, "unknown", is no word of the glossary
    return shown.with_columns(
        pl.col("role").replace({network.UNKNOWN: network.role_name(network.UNKNOWN)})
    )


def coverage_table(coverage: pl.DataFrame) -> pl.DataFrame:
    """Return the coverage table as shown: role names and the gap in words."""
    # a handful of rows: worded in Python (a polars function per row cost more)
    present = coverage.get_column("present")
    engaged = coverage.get_column("engaged")
    return pl.DataFrame(
        {
            "role": [network.role_name(r) for r in coverage.get_column("role")],
            "present": present,
            "engaged": engaged,
            "coverage": [
                _coverage_words(e, p)
                for e, p in zip(engaged.to_list(), present.to_list(), strict=True)
            ],
        },
        schema_overrides={"role": pl.String, "coverage": pl.String},
    )


def _coverage_words(engaged: int, present: int) -> str:
    if present == 0:
        return _("nobody known")
    return _("{engaged} of {present} covered").format(engaged=engaged, present=present)


def coverage_sentences(coverage: pl.DataFrame) -> list[str]:
    """Return the deciding roles' gaps as sentences ("1 of 3 deciders covered")."""
    sentences = []
    for row in coverage.iter_rows(named=True):
        if row["role"] not in ("decider", "approver", "buyer"):
            continue
        if row["present"] == 0:
            sentences.append(
                _("Nobody known in the role of {role}.").format(
                    role=network.role_name(row["role"])
                )
            )
        elif row["engaged"] < row["present"]:
            sentences.append(
                _("{role}: {engaged} of {present} covered.").format(
                    role=network.role_name(row["role"]).capitalize(),
                    engaged=row["engaged"],
                    present=row["present"],
                )
            )
    return sentences


@cached(max_entries=32, share=True, by_repr=True)
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


@cached(max_entries=32, share=True, by_repr=True)
def people_editor_rows(
    account_id: str,
    months: int,
    departments: tuple[str, ...],
    roles: tuple[str, ...],
    contact_ids: tuple[str, ...] | None,
    actor: Actor,
) -> Any:  # a pandas DataFrame (pandas is typed loosely)
    """Return :func:`people_table` as the pandas frame the table editor works on.

    The editor copies it before applying edits, so the shared frame stays as is.
    Given the polars frame, the editor converted it to pandas and its result back
    at every rerun.
    """
    return people_table(
        account_id, months, departments, roles, contact_ids, actor
    ).to_pandas()
