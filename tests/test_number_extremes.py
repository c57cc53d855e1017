"""Numbers at and beyond their limits: refused at import, harmless once stored.

An import refuses NaN, infinities, 1e400 and values outside a column's range
with the file, row and column, and writes nothing. A database holding the
largest values an import allows (and zeros, blanks, negative margins, an account
with nothing) serves every page and the segment, effort and plans commands; so
does one holding NaN and infinities written by an older version.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import open_page
from tests.test_pages import _listed_pages
from workbench import ingest, store
from workbench.cli import main
from workbench.domain import Actor

ANALYST = Actor(name="ana", role="analyst")

ACCOUNTS = """account_id,name,industry,annual_revenue,employees,wallet_estimate,gross_margin_pct,created_on
A1,Largest Corp,Energy,1000000000000000,100000000,1000000000000000,100,2015-01-01
A2,Zero Ltd,Retail,0,0,0,-1000,2020-06-01
A3,Blank GmbH,,,,,,
A4,Loss Making Inc,Retail,5000000,200,9000000,-35.5,2019-03-01
A5,Nothing At All,Energy,,,,,
"""
CONTACTS = """contact_id,account_id,name,title,department,buying_role
C1,A1,Ada Largest,CEO,Executive,decision_maker
C2,A2,Zed Zero,Buyer,Procurement,
C3,A4,Lou Loss,CFO,Finance,economic_buyer
"""
OPPORTUNITIES = """opportunity_id,account_id,opportunity_name,stage,amount,close_date,is_closed,is_won,created_on
O1,A1,Giant,Closed Won,1000000000000000,2026-03-01,true,true,2025-10-01
O2,A1,Credit,Closed Won,-1000000000000000,2026-04-01,true,true,2025-11-01
O3,A2,Nil,Closed Won,0,2026-02-01,true,true,2025-12-01
O4,A4,Open,Prospecting,,2026-09-01,false,false,2026-01-01
O5,A4,Reversal,Closed Won,-250000,2026-05-01,true,true,2026-01-15
"""
ACTIVITIES = """activity_id,account_id,contact_id,kind,activity_date,duration_minutes
T1,A1,C1,meeting,2026-05-01,10080
T2,A2,C2,call,2026-05-02,0
T3,A4,C3,email,2026-05-03,
T4,A4,,call,2026-04-03,30
"""


def _import(con: store.Connection, files: dict[str, str]) -> ingest.ImportReport:
    return ingest.import_files(
        con, [(name, text.encode()) for name, text in files.items()], actor=ANALYST
    )


def _row_counts(con: store.Connection) -> dict[str, int]:
    return {
        t: int(con.sql(f"SELECT count(*) FROM {t}").fetchall()[0][0])
        for t in store.DATA_TABLES
    }


@pytest.mark.parametrize("value", ["NaN", "nan", "inf", "-inf", "Infinity", "1e400"])
@pytest.mark.parametrize(
    ("file", "header", "column"),
    [
        ("Account.csv", "Id,Name,AnnualRevenue\n001A,Acme,{}\n", "AnnualRevenue"),
        (
            "Opportunity.csv",
            "Id,AccountId,Name,Amount,StageName,CloseDate\n"
            "006A,001X,Deal,{},Prospecting,2026-01-05\n",
            "Amount",
        ),
    ],
)
def test_non_finite_numbers_are_refused_with_file_row_and_column(
    demo_con, value, file, header, column
):
    before = _row_counts(demo_con)
    report = ingest.import_files(
        demo_con, [(file, header.format(value).encode())], actor=ANALYST
    )
    assert not report.ok
    errors = [p for p in report.problems if p.level == "error"]
    assert any(
        p.file == file and p.row == 1 and p.column == column and value in p.message
        for p in errors
    ), [p.as_dict() for p in errors]
    assert _row_counts(demo_con) == before


@pytest.mark.parametrize(
    ("files", "column", "value"),
    [
        ({"accounts.csv": "name,annual_revenue\nA,2e15\n"}, "annual_revenue", "2e15"),
        ({"accounts.csv": "name,annual_revenue\nA,-5\n"}, "annual_revenue", "-5"),
        ({"accounts.csv": "name,employees\nA,-1\n"}, "employees", "-1"),
        ({"accounts.csv": "name,employees\nA,1e20\n"}, "employees", "1e20"),
        ({"accounts.csv": "name,gross_margin_pct\nA,150\n"}, "gross_margin_pct", "150"),
        (
            {
                "opportunities.csv": "opportunity_id,account,stage,amount,close_date\n"
                "O1,A,won,-3e15,2026-01-01\n"
            },
            "amount",
            "-3e15",
        ),
        (
            {
                "activities.csv": "activity_id,account,kind,activity_date,duration_minutes\n"
                "T1,A,call,2026-01-01,20000\n"
            },
            "duration_minutes",
            "20000",
        ),
        (
            {
                "activities.csv": "activity_id,account,kind,activity_date,duration_minutes\n"
                "T1,A,call,2026-01-01,-3\n"
            },
            "duration_minutes",
            "-3",
        ),
    ],
)
def test_numbers_outside_their_range_are_refused(con, files, column, value):
    report = _import(con, files)
    assert not report.ok
    found = [
        p
        for p in report.problems
        if p.level == "error" and p.column == column and value in p.message
    ]
    assert found and "out of range" in found[0].message, [
        p.as_dict() for p in report.problems
    ]
    assert found[0].row == 1 and found[0].file == next(iter(files))
    assert sum(_row_counts(con).values()) == 0


def _extremes_db(path: Path) -> Path:
    con = store.connect(path)
    try:
        report = _import(
            con,
            {
                "accounts.csv": ACCOUNTS,
                "contacts.csv": CONTACTS,
                "opportunities.csv": OPPORTUNITIES,
                "activities.csv": ACTIVITIES,
            },
        )
        assert report.ok, [p.as_dict() for p in report.problems]
    finally:
        con.close()
    return path


def _write_non_finite(path: Path) -> None:
    """Write NaN and infinities as an older version could have stored them."""
    con = store.connect(path)
    try:
        with store.write_transaction(con) as cur:
            cur.execute(
                "UPDATE accounts SET annual_revenue = 'nan'::DOUBLE, "
                "wallet_estimate = 'inf'::DOUBLE, gross_margin_pct = '-inf'::DOUBLE, "
                "direct_cost_annual = 'nan'::DOUBLE "
                "WHERE account_id IN (SELECT account_id FROM accounts "
                "ORDER BY account_id LIMIT 3)"
            )
            cur.execute(
                "UPDATE opportunities SET amount = CASE WHEN hash(opportunity_id) % 2 = 0 "
                "THEN 'nan'::DOUBLE ELSE 'inf'::DOUBLE END "
                "WHERE opportunity_id IN (SELECT opportunity_id FROM opportunities "
                "ORDER BY opportunity_id LIMIT 40)"
            )
            cur.execute(
                "UPDATE activities SET duration_minutes = '-inf'::DOUBLE "
                "WHERE activity_id IN (SELECT activity_id FROM activities "
                "ORDER BY activity_id LIMIT 200)"
            )
        stored = con.sql(
            "SELECT count(*) FROM opportunities WHERE NOT isfinite(amount)"
        ).fetchall()[0][0]
        assert stored == 40
    finally:
        con.close()


def test_the_largest_allowed_values_import(tmp_path):
    con = store.connect(_extremes_db(tmp_path / "x.duckdb"))
    try:
        amounts = dict(
            con.sql("SELECT opportunity_id, amount FROM opportunities").fetchall()
        )
        assert amounts["O1"] == 1e15 and amounts["O2"] == -1e15
        assert amounts["O4"] is None
    finally:
        con.close()


def _run_cli(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for command in (
        ["segment", "--json"],
        ["effort", "--json"],
        ["plans", "--overview", "--json"],
        ["segment"],
        ["effort"],
    ):
        capsys.readouterr()
        assert main(["--db", str(db), *command]) == 0, command
        out = capsys.readouterr().out
        if "--json" in command:
            json.loads(out)


def test_cli_reads_a_database_of_extremes(tmp_path, capsys):
    _run_cli(_extremes_db(tmp_path / "x.duckdb"), capsys)


def test_cli_reads_non_finite_values_an_older_version_stored(demo_db, capsys):
    _write_non_finite(demo_db)
    _run_cli(demo_db, capsys)


def test_segments_of_an_account_with_nothing_and_of_blanks(tmp_path, capsys):
    db = _extremes_db(tmp_path / "x.duckdb")
    capsys.readouterr()
    assert main(["--db", str(db), "segment", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    listed = rows if isinstance(rows, list) else rows.get("accounts", rows)
    assert {"A1", "A2", "A3", "A4", "A5"} <= {r["account_id"] for r in listed}


@pytest.fixture(params=["extremes", "non_finite"])
def odd_db(request, tmp_path, demo_db, monkeypatch) -> Path:
    if request.param == "extremes":
        path = _extremes_db(tmp_path / "extremes.duckdb")
    else:
        _write_non_finite(demo_db)
        path = demo_db
    monkeypatch.setenv(store.DB_ENV_VAR, str(path))
    return path


@pytest.mark.parametrize("page", _listed_pages())
def test_every_page_renders_on_extremes_and_non_finite_values(odd_db, page):
    at = open_page(page, timeout=90)
    assert not at.error, [e.value for e in at.error]


def test_segments_and_effort_of_hand_made_features_with_nan_and_infinity(demo_con):
    import polars as pl

    from workbench.analytics import effort, segment

    features = (
        store.account_features(demo_con)
        .with_columns(
            pl.when(pl.col("account_id") == pl.col("account_id").min())
            .then(float("nan"))
            .otherwise(pl.col(c))
            .alias(c)
            for c in ("won_12m", "annual_revenue", "gross_margin_pct")
        )
        .with_columns(pl.lit(float("inf")).alias("effort_minutes_recorded_12m"))
    )
    segments = segment.assign_segments(features)
    assert segments.height == features.height
    assert segments["value_segment"].null_count() == 0
    effort.account_effort(segments)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_floats_in_parquet_are_refused_and_excel_stores_none(con, value):
    import io

    import polars as pl

    frame = pl.DataFrame({"name": ["Acme"], "annual_revenue": [value]})
    parquet, excel = io.BytesIO(), io.BytesIO()
    frame.write_parquet(parquet)
    report = ingest.import_files(
        con, [("accounts.parquet", parquet.getvalue())], actor=ANALYST
    )
    errors = [p for p in report.problems if p.level == "error"]
    assert not report.ok and any(
        p.file == "accounts.parquet" and p.column == "annual_revenue" and p.row == 1
        for p in errors
    ), [p.as_dict() for p in report.problems]
    assert sum(_row_counts(con).values()) == 0
    # A spreadsheet cannot hold NaN: the cell arrives blank (or as an error text,
    # which is refused); either way nothing non-finite is stored.
    frame.write_excel(excel)
    ingest.import_files(con, [("accounts.xlsx", excel.getvalue())], actor=ANALYST)
    stored = con.sql(
        "SELECT count(*) FROM accounts WHERE NOT isfinite(annual_revenue)"
    ).fetchall()
    assert stored == [(0,)]
