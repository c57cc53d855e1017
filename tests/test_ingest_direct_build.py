"""People and deals of a whole export built from their files in place: the staged result.

In a whole export's one-pass import the contacts' and deals' files are built
straight from the files (no text stage). Whatever the files hold, the database,
the report and the undo journal must be exactly what staging them gives; a row
the staged path acts on before its build (a deleted row, a value that does not
parse, a name to look up, ...) makes the import stage the file after all, which
reports the row.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.test_ingest_direct import (
    ANALYST,
    _outcome,
    _tasks,
    _write_people,
    _write_tasks,
)
from workbench import ingest, store
from workbench.ingest import direct as ingest_direct
from workbench.ingest.model import ColumnMapping
from workbench.store.imports import direct_build

Lines = list[str]
#: The people's file as the user maps it: Salesforce has no buying role column.
MAPPINGS = {
    "Contact.csv": ColumnMapping(
        "contacts",
        {
            "Id": "contact_id",
            "IsDeleted": "is_deleted",
            "AccountId": "account_id",
            "LastName": "last_name",
            "Title": "title",
            "ReportsToId": "reports_to_id",
            "Buying Role": "buying_role",
        },
    )
}

CONTACT_HEADER = "Id,IsDeleted,AccountId,LastName,Title,ReportsToId,Buying Role"
CONTACTS: Lines = [
    "003C00000000000001,false,001A00000000000001,Zhang,Plant Manager,,Decision Maker",
    "003C00000000000002,false,001A00000000000002,Weber,Buyer,,",
    # a manager who is not in the export: a warning naming the row
    "003C00000000000003,false,001A00000000000002,Kim,Engineer,003C00000000000099,",
    "003C00000000000004,false,001A00000000000001,Lopez,,003C00000000000001,",
]
DEAL_HEADER = (
    "Id,IsDeleted,AccountId,Name,StageName,Amount,CloseDate,IsClosed,IsWon,OwnerId"
)
DEALS: Lines = [
    "006O00000000000001,false,001A00000000000001,Line 3 retrofit,Closed Won,"
    "120000,2024-03-31,true,true,005U00000000000001",
    "006O00000000000002,false,001A00000000000002,Spare parts,Negotiation,"
    '"8,500",2024-11-30,false,false,005U00000000000002',
    "006O00000000000003,false,001A00000000000002,Service,Closed Lost,,,,,",
]


def _write_export(folder: Path, contacts: Lines, deals: Lines) -> list[Path]:
    folder.mkdir()
    _write_people(folder)  # the users and accounts; the people written again below
    (folder / "Contact.csv").write_text(
        CONTACT_HEADER + "\n" + "\n".join(contacts) + "\n"
    )
    (folder / "Opportunity.csv").write_text(
        DEAL_HEADER + "\n" + "\n".join(deals) + "\n"
    )
    names = ("User", "Account", "Contact", "Opportunity")
    return [*(folder / f"{name}.csv" for name in names), _write_tasks(folder, _tasks())]


def _import(
    files: list[Path], monkeypatch: pytest.MonkeyPatch, way: str
) -> tuple[tuple[object, ...], list[str]]:
    """Import the export into a new database one ``way``; return the outcome and the
    tables built in place (``in-place``), or with the people and deals staged
    (``staged-others``), or with every file staged (``staged``)."""
    con = store.connect(":memory:")
    before = store.database_fingerprint(con)
    built_in_place: list[str] = []
    build = direct_build.direct_built

    def watched(cur: Any, table: str, *args: Any) -> int:
        rows = build(cur, table, *args)
        built_in_place.append(table)
        return rows

    with monkeypatch.context() as patch:
        patch.setattr(ingest.inputs, "LARGE_FILE_BYTES", 0)
        patch.setattr(direct_build, "direct_built", watched)
        if way == "staged-others":
            patch.setattr(ingest_direct, "_in_place", lambda _others: {})
        if way == "staged":
            patch.setattr(store, "import_activities_load", lambda *_a, **_k: None)
        report = ingest.import_files(con, files, actor=ANALYST, mappings=MAPPINGS)
    outcome = _outcome(con, report, before)
    con.close()
    return outcome, built_in_place


def _unordered(outcome: tuple[object, ...]) -> tuple[object, ...]:
    problems = sorted(outcome[1], key=repr)  # type: ignore[call-overload]
    return (outcome[0], problems, *outcome[2:])


@pytest.fixture
def three_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Lines, Lines], tuple[tuple[object, ...], list[str]]]:
    """Import an export three ways: the outcomes must be the same (with every
    file staged, the problems come in another order). Gives the outcome and
    the tables the one-pass import built in place."""
    calls: list[None] = []

    def import_three_ways(
        contacts: Lines, deals: Lines
    ) -> tuple[tuple[object, ...], list[str]]:
        outcomes = []
        in_place: list[str] = []
        calls.append(None)
        for way in ("in-place", "staged-others", "staged"):
            files = _write_export(tmp_path / f"{way}-{len(calls)}", contacts, deals)
            outcome, built = _import(files, monkeypatch, way)
            outcomes.append(outcome)
            if way == "in-place":
                in_place = built
            else:
                assert built == []
        assert outcomes[0] == outcomes[1]
        assert _unordered(outcomes[0]) == _unordered(outcomes[2])
        return outcomes[0], in_place

    return import_three_ways


def test_clean_people_and_deals_are_built_in_place_with_the_staged_result(
    three_ways: Callable[[Lines, Lines], tuple[tuple[object, ...], list[str]]],
) -> None:
    outcome, in_place = three_ways(CONTACTS, DEALS)
    assert sorted(in_place) == ["contacts", "opportunities"]
    ok, problems, counts = outcome[0], outcome[1], outcome[2]
    assert ok is True
    assert counts["contacts"] == 4 and counts["opportunities"] == 3  # type: ignore[index]
    # the manager outside the export is named with the file's row
    assert any(
        p[1] == "Contact.csv" and p[2] == 3 and "003C00000000000099" in str(p[4])
        for p in problems  # type: ignore[attr-defined]
    )


def _change(lines: Lines, row: int, column: int, value: str) -> Lines:
    changed = [line.split(",") for line in lines]
    changed[row][column] = value
    return [",".join(fields) for fields in changed]


@pytest.mark.parametrize(
    ("contacts", "deals", "reported"),
    [
        pytest.param(_change(CONTACTS, 1, 1, "true"), DEALS, True, id="deleted-person"),
        pytest.param(_change(CONTACTS, 1, 0, ""), DEALS, False, id="person-without-id"),
        pytest.param(
            _change(CONTACTS, 1, 2, ""), DEALS, True, id="person-without-account"
        ),
        pytest.param(_change(CONTACTS, 1, 6, "Wizard"), DEALS, True, id="unknown-role"),
        pytest.param(
            _change(CONTACTS, 1, 6, "Decision Maker; User"), DEALS, True, id="two-roles"
        ),
        pytest.param(CONTACTS, _change(DEALS, 0, 5, "lots"), True, id="bad-amount"),
        pytest.param(
            CONTACTS, _change(DEALS, 0, 6, "31/03/2024"), False, id="slash-date"
        ),
        pytest.param(
            CONTACTS, _change(DEALS, 0, 6, "03/04/2024"), True, id="unclear-date"
        ),
        pytest.param(CONTACTS, _change(DEALS, 0, 6, "someday"), True, id="bad-date"),
        pytest.param(CONTACTS, _change(DEALS, 0, 7, "perhaps"), True, id="bad-boolean"),
        pytest.param(
            CONTACTS, _change(DEALS, 0, 2, ""), True, id="deal-without-account"
        ),
    ],
)
def test_a_row_the_staged_path_acts_on_stages_the_file_with_the_same_result(
    three_ways: Callable[[Lines, Lines], tuple[tuple[object, ...], list[str]]],
    contacts: Lines,
    deals: Lines,
    reported: bool,
) -> None:
    clean, _in_place = three_ways(CONTACTS, DEALS)
    outcome, in_place = three_ways(contacts, deals)
    changed = "contacts" if contacts != CONTACTS else "opportunities"
    # the changed file was staged (the other one may have been built in place)
    assert changed not in in_place
    file = "Contact.csv" if changed == "contacts" else "Opportunity.csv"
    # what the staged path says of the change, in the file's own words
    said = [
        p
        for p in outcome[1]  # type: ignore[attr-defined]
        if p not in clean[1] and p[1] == file  # type: ignore[operator]
    ]
    assert bool(said) == reported


def test_a_names_only_deal_owner_is_looked_up_by_staging_the_deals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = DEAL_HEADER.replace("OwnerId", "Owner Name")
    deals = [line.rsplit(",", 1)[0] + ",Li Wei" for line in DEALS]
    files = _write_export(tmp_path / "export", CONTACTS, deals)
    files[3].write_text(header + "\n" + "\n".join(deals) + "\n")
    outcome, in_place = _import(files, monkeypatch, "in-place")
    assert in_place == ["contacts"]
    assert outcome[0] is True
    owners = {row[8] for row in outcome[5]["opportunities"]}  # type: ignore[index]
    assert owners == {"005U00000000000001"}


#: Deals whose value comes from the columns a deal's worth can be read from
#: besides its amount (HubSpot's ACV, TCV, ARR and MRR; a term; a created date).
VALUED_HEADER = DEAL_HEADER + ",ACV,TCV,ARR,MRR,Term,CreatedDate"
VALUED_DEALS: Lines = [
    DEALS[0] + ",,,,,36,2023-12-01",  # its amount, on a three-year term
    DEALS[1].replace('"8,500"', "") + ",30000,90000,,,,2024-01-15",  # TCV and ACV
    DEALS[2] + ",,,24000,,,",  # its ARR alone
]
VALUED_MAPPING = ColumnMapping(
    "opportunities",
    {
        "Id": "opportunity_id",
        "IsDeleted": "is_deleted",
        "AccountId": "account_id",
        "Name": "name",
        "StageName": "stage",
        "Amount": "amount",
        "CloseDate": "close_date",
        "IsClosed": "is_closed",
        "IsWon": "is_won",
        "OwnerId": "owner_seller_id",
        "ACV": "annual_value",
        "TCV": "total_value",
        "ARR": "recurring_annual",
        "MRR": "recurring_monthly",
        "Term": "term_months",
        "CreatedDate": "created_on",
    },
)


def test_deals_valued_from_their_other_columns_are_built_in_place_with_the_staged_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The build in place leaves out what a file cannot hold (a deal's ACV, TCV,
    # ARR, MRR, term and created date where it maps none): where it maps them,
    # they are read as the stage reads them.
    monkeypatch.setitem(MAPPINGS, "Opportunity.csv", VALUED_MAPPING)
    outcomes = []
    for way in ("in-place", "staged-others", "staged"):
        files = _write_export(tmp_path / way, CONTACTS, VALUED_DEALS)
        files[3].write_text(VALUED_HEADER + "\n" + "\n".join(VALUED_DEALS) + "\n")
        outcome, built = _import(files, monkeypatch, way)
        assert built == (["contacts", "opportunities"] if way == "in-place" else [])
        outcomes.append(outcome)
    assert outcomes[0] == outcomes[1]
    assert _unordered(outcomes[0]) == _unordered(outcomes[2])
    assert outcomes[0][0] is True
    stored = {
        row[0]: row
        for row in outcomes[0][5]["opportunities"]  # type: ignore[index]
    }
    columns = _deal_columns()
    amount, term, created = (
        columns.index("amount"),
        columns.index("term_months"),
        columns.index("created_on"),
    )
    first, second, third = (stored[f"006O0000000000000{n}"] for n in (1, 2, 3))
    assert (first[amount], first[term], str(first[created])) == (
        120000.0,
        36,
        "2023-12-01",
    )
    # the total contract value, over three years of its annual value
    assert (second[amount], second[term]) == (90000.0, 36)
    assert (third[amount], third[term], third[created]) == (24000.0, 12, None)


def _deal_columns() -> list[str]:
    con = store.connect(":memory:")
    try:
        return store.query_frame(con, "SELECT * FROM opportunities LIMIT 0").columns
    finally:
        con.close()
