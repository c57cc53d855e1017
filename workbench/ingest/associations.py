"""Association tables: records' companies, people and deals kept beside them.

HubSpot's API, UI and warehouse exports keep a deal's and a person's company,
and an engagement's company, person and deal, in tables of their own, not on
the record. Such a table is not imported: it fills the column of the records it
names (:func:`attach_associations`), before the files are checked.
"""

from __future__ import annotations

import re

import polars as pl

from workbench.domain import Problem
from workbench.i18n import N_
from workbench.ingest.model import RecognisedFile
from workbench.ingest.problems import file_problem, worded
from workbench.ingest.sources import normalise_header

#: Association tables (HubSpot's API, UI and warehouse exports keep a deal's and a
#: person's company there, not on the record): the normalised header of the
#: record's ID, the table it fills, the canonical ID column and what to call it.
_COMPANY_ASSOCIATIONS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("dealid", "companyid", "opportunities", "opportunity_id", "account_id", "deals"),
    ("contactid", "companyid", "contacts", "contact_id", "account_id", "people"),
    # HubSpot engagements (calls, meetings, e-mails, notes, tasks): their company
    # and their person.
    (
        "engagementid",
        "companyid",
        "activities",
        "activity_id",
        "account_id",
        "activities",
    ),
    (
        "engagementid",
        "contactid",
        "activities",
        "activity_id",
        "contact_id",
        "activities",
    ),
    # An engagement logged on a deal alone: the deal's company (its ID stands in
    # the activity's account column, which the build reads through the deal;
    # after the company associations, so it fills only what they leave empty).
    (
        "engagementid",
        "dealid",
        "activities",
        "activity_id",
        "account_id",
        "activities",
    ),
)


_NOUNS = {
    "opportunities": N_("deal(s)"),
    "contacts": N_("person(s)"),
    "activities": N_("activities"),
}
#: What an association table gives a record, one and several.
_ONE = {"company": N_("company"), "person": N_("person"), "deal": N_("deal")}
_SEVERAL = {"company": N_("companies"), "person": N_("people"), "deal": N_("deals")}
#: What an association table gives its records' companies or people to.
_RECORDS = {
    "deals": N_("the deals"),
    "people": N_("the people"),
    "activities": N_("the activities"),
}


def attach_associations(recognised: list[RecognisedFile]) -> list[Problem]:
    """Give deals and people without a company ID their company from association files.

    The association file is used, not imported as a table of its own. A record
    with several companies keeps the first one the file lists (a warning says
    how many); records it does not list keep their company name, if any, or
    stay without a company and are reported when the import checks them.
    """
    problems: list[Problem] = []
    for record_key, value_key, table, id_column, target, what in _COMPANY_ASSOCIATIONS:
        problems += _attach_companies(
            recognised, (record_key, value_key), (table, id_column, target), what
        )
    return problems


def _association_links(
    recognised: list[RecognisedFile], record_key: str, value_key: str
) -> list[tuple[RecognisedFile, pl.DataFrame]]:
    """Return the unimported files that pair a record ID with another record's ID."""
    links: list[tuple[RecognisedFile, pl.DataFrame]] = []
    for entry in recognised:
        if entry.table is not None or entry.frame is None:
            continue
        by_normal = {normalise_header(h): h for h in entry.frame.columns}
        # Exactly one pair of records per file: a deal–contact table is not this.
        others = {key for spec in _COMPANY_ASSOCIATIONS for key in spec[:2]} - {
            record_key,
            value_key,
        }
        if (
            record_key in by_normal
            and value_key in by_normal
            and not (others & set(by_normal))
        ):
            links.append(
                (
                    entry,
                    entry.frame.select(
                        pl.col(by_normal[record_key]).str.strip_chars().alias("record"),
                        pl.col(by_normal[value_key]).str.strip_chars().alias("company"),
                    ).drop_nulls(),
                )
            )
    return links


def _attach_companies(
    recognised: list[RecognisedFile],
    keys: tuple[str, str],
    columns: tuple[str, str, str],
    what: str,
) -> list[Problem]:
    """Fill ``target`` of ``table``'s files from the association files ``keys`` pair."""
    table, id_column, target_column = columns
    links = _association_links(recognised, *keys)
    targets = [
        e
        for e in recognised
        if e.table == table and e.frame is not None and id_column in e.mapping.values()
    ]
    if not links or not targets:
        return []
    pairs = pl.concat([frame for _entry, frame in links]).unique(maintain_order=True)
    first_company = pairs.group_by("record", maintain_order=True).agg(
        pl.col("company").first(), pl.len().alias("companies")
    )
    names = ", ".join(entry.name for entry, _frame in links)
    other = (
        "deal"
        if keys[1] == "dealid"
        else "company"
        if target_column == "account_id"
        else "person"
    )
    for entry, _frame in links:
        # worded where it is read; the files' names are data
        entry.note = worded(
            N_("an association table: it gives {records} in {files} their {other}"),
            records=worded(_RECORDS[what]),
            files=", ".join(d.name for d in targets),
            other=worded(_ONE[other]),
        )
    problems: list[Problem] = []
    for target in targets:
        assert target.frame is not None
        id_header = next(h for h, c in target.mapping.items() if c == id_column)
        company_header = f"{other} (from {names})"
        joined = target.frame.with_columns(
            pl.col(id_header).str.strip_chars().alias("__record_key")
        ).join(
            first_company.rename({"record": "__record_key", "company": company_header}),
            on="__record_key",
            how="left",
            maintain_order="left",
        )
        mapped = next(
            (h for h, c in target.mapping.items() if c == target_column), None
        )
        # the records this association gives a value to, and that it lists twice
        takes = (
            pl.lit(True)
            if mapped is None
            else pl.col(mapped).replace("", None).is_null()
        )
        several = joined.filter((pl.col("companies") > 1) & takes).height
        if mapped is None:
            target.frame = joined.drop("__record_key", "companies")
            target.headers = [*target.headers, company_header]
            target.mapping = {**target.mapping, company_header: target_column}
        else:
            # the file's own column (or an association before) wins; this one
            # fills the cells it leaves empty
            filled = pl.col(mapped).replace("", None).fill_null(pl.col(company_header))
            target.frame = joined.with_columns(filled.alias(mapped)).drop(
                "__record_key", "companies", company_header
            )
            made = _ASSOCIATION_HEADER.fullmatch(mapped)
            if made is not None and other not in made["others"].split(" or "):
                # a column an association made, filled by another: its header
                # (which problems name) says both, not a deal's ID a company's
                _rename(
                    target,
                    mapped,
                    f"{made['others']} or {other} (from {made['files']}, {names})",
                )
        if several:
            problems.append(
                file_problem(
                    "warning",
                    target.name,
                    worded(
                        N_(
                            "{count} {records} are associated with several {others} "
                            "in {files}; each keeps the first {other} listed"
                        ),
                        count=f"{several:,}",
                        records=worded(_NOUNS[table]),
                        others=worded(_SEVERAL[other]),
                        files=names,
                        other=worded(_ONE[other]),
                    ),
                    "several_associations",
                )
            )
    return problems


#: The header of a column association tables made: what they give, and from where.
_ASSOCIATION_HEADER = re.compile(
    r"(?P<others>(?:company|deal|person)(?: or (?:company|deal|person))*)"
    r" \(from (?P<files>.+)\)"
)


def _rename(target: RecognisedFile, header: str, new: str) -> None:
    """Give the column ``header`` of ``target``'s frame, headers and mapping ``new``."""
    assert target.frame is not None
    target.frame = target.frame.rename({header: new})
    target.headers = [new if h == header else h for h in target.headers]
    target.mapping = {(new if h == header else h): c for h, c in target.mapping.items()}
