"""Account features held from before, brought up to date for the accounts that changed.

Adding up every account's features reads every activity, deal and person (about
0.3 s at 10,000 accounts, 3 s at 100,000). A change of facts in a workshop or
a small import touches a few accounts: an edited role, a wallet estimate, a
file of one region's activities. The file logs which accounts each change of
facts touched (:mod:`.versions`); features held as of a day are brought up to
date by running the same statement over those accounts' rows alone and putting
the rows in place (:func:`features_up_to_date`).

What an account's features read beyond its own rows, and how the narrowing
keeps it:

- *people of other accounts*: an activity may name someone of another account
  (a person who moved, a shared contact). Her department, role and seniority
  count in the engagement of the account whose activity names her, and her
  account's count of deciders engaged counts that activity. The accounts
  brought up to date are therefore the changed ones, the accounts whose
  activities name their people, and the accounts of the people their
  activities name; the people read are every person of those accounts and of
  the accounts of the people named (each reporting tree whole: levels are
  counted within an account).
- *the portfolio's retention counts*, the same on every row: sums over each
  account's years with revenue (:data:`~.economic_inputs.RETENTION_MASK`), so the
  changed accounts' parts are taken out and put back. Where the file's counts
  are not the sum of its accounts' parts (deals of an account the file does not
  hold, which an older file may have), the features are added up again
  instead.
- *sellers, cost rates, wallet shares by industry, ERP revenue*: read whole
  (small) and joined to the rows read. A seller whose team or title changes
  touches every account; a wallet share touches its industry's accounts, an
  ERP file the accounts it covers (its first file adds columns the held frame
  lacks, and the features are then added up again).
- *an hourly cost of a seller role or team*: every account's priced hours
  (``rated_*``) and nothing else of its features. The write says so
  (:func:`~.versions.scope_shared`), and the priced hours alone are read again
  for every account, by the same parts of the statement over the same rows
  (:data:`~.portfolio.PRICED_HOURS_SQL`: 30 ms at 10,000 accounts, against
  about 300 ms for adding everything up), then put in place.

The statement is the one :func:`workbench.store.account_features` runs: the
tables it reads are shadowed, in the reading cursor's own connection, by
temporary tables of the rows of those accounts, so there is no second copy of
the rules to keep equal. Each bringing up to date is one read transaction:
the versions, the changes and the rows are one state of the file.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import polars as pl

from workbench.store._base import Connection, _frame
from workbench.store.connection import finite_or_null
from workbench.store.economic_inputs import LATER_YEARS_BITS, RETENTION_MASK
from workbench.store.erp_revenue import with_erp_revenue
from workbench.store.portfolio import (
    ACCOUNT_FEATURES_SQL,
    PRICED_HOURS_COLUMNS,
    PRICED_HOURS_SQL,
    TOUCHES_MONTHS,
    account_feature_params,
    priced_hours_params,
)
from workbench.store.term_revenue import RETENTION_COUNT_COLUMNS
from workbench.store.versions import (
    COST_RATES,
    Versions,
    database_id,
    fact_changes,
    stored_versions,
)

#: Above this share of the held accounts changed, the features are added up from
#: scratch: the narrowed read copies each account's rows first, so past about a
#: quarter of them it costs as much as the whole statement.
MAX_CHANGED_SHARE = 0.25

#: The columns :data:`~.portfolio.ACCOUNT_FEATURES_SQL` reads of each table that
#: bringing features up to date narrows to a few accounts (:func:`_narrow`).
#: The narrowed copies hold these alone: a few accounts' rows are then read
#: without their free text (an activity's subject, an answer's comment, a
#: person's name and email), a sixth of that read, a third when the accounts'
#: activities are spread over the table. A column the statement comes to read
#: and this list lacks fails to bind in the narrowed read, which the tests of
#: bringing features up to date run (tests/test_feature_changes.py).
FEATURE_READ_COLUMNS: dict[str, tuple[str, ...]] = {
    "activities": (
        "account_id",
        "contact_id",
        "seller_id",
        "kind",
        "activity_date",
        "duration_minutes",
    ),
    "contacts": (
        "contact_id",
        "account_id",
        "title",
        "department",
        "reports_to_id",
        "buying_role",
        "attitude",
    ),
    "accounts": (
        "account_id",
        "name",
        "industry",
        "region",
        "annual_revenue",
        "owner_seller_id",
        "wallet_estimate",
        "gross_margin_pct",
        "created_on",
        "contract_type",
        "direct_cost_annual",
        "account_type",
    ),
    "opportunities": (
        "account_id",
        "amount",
        "close_date",
        "is_closed",
        "is_won",
        "created_on",
        "contract_id",
        "term_months",
    ),
    "contracts": (
        "contract_id",
        "account_id",
        "start_date",
        "end_date",
        "term_months",
        "status",
    ),
    "nps_responses": ("account_id", "responded_on", "score"),
    "account_wallet_estimates": ("account_id", "wallet_estimate"),
}


#: The tables of the statement narrowed to the accounts brought up to date
#: (``_brought``), by a condition on their rows; the rest (sellers, cost rates,
#: wallet shares by industry) are read whole. People and activities are
#: narrowed apart (:func:`_narrow`).
_NARROWED_BY_ACCOUNT = tuple(
    table for table in FEATURE_READ_COLUMNS if table not in ("activities", "contacts")
)

#: The client's warning that Arrow fetched from an executed statement is copied
#: once more; for the features (one row per account) that copy is the cheaper
#: part (:func:`_read`).
_ARROW_COPY_NOTE = "Arrow output on a DB-API result"
#: ``warnings.catch_warnings`` swaps the process's one list of filters: the app's
#: sessions bring features up to date in threads of one process, and two at once
#: would each restore the list the other changed.
_WARNINGS_LOCK = threading.Lock()

#: :func:`_narrow`'s own temporary tables.
_HELPERS = ("_window", "_changed", "_people", "_linked", "_brought")


@dataclass(frozen=True)
class HeldFeatures:
    """Account features as of a day, and what bringing them up to date needs.

    ``features`` is the frame of :func:`workbench.store.account_features`;
    ``versions`` and ``database`` say which state of which file it is of.
    """

    database: str | None
    versions: Versions
    as_of: date
    default_term_months: int
    features: pl.DataFrame
    #: each row's years with revenue (``None``: the file's retention counts
    #: are not the sum of its accounts', and only a whole read is right)
    retention_masks: pl.Series | None

    def holds(self, database: str | None, as_of: date, default_term: int) -> bool:
        """Whether these are the features of that file, day and term."""
        return (
            database is not None
            and self.database == database
            and self.as_of == as_of
            and self.default_term_months == default_term
        )


def features_up_to_date(
    con: Connection,
    as_of: date,
    default_term_months: int = 12,
    held: HeldFeatures | None = None,
) -> HeldFeatures:
    """Return the account features as of ``as_of``, from ``held`` where it can.

    ``held`` itself when no fact changed since it was read; ``held`` with the
    rows of the accounts that changed read again when the file logged which
    those are and they are few; else every account's features added up again.
    The result's ``features`` equal :func:`workbench.store.account_features`'s
    for the same state (tests/test_feature_changes.py).
    """
    with con.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            return _up_to_date(cur, as_of, default_term_months, held)
        finally:
            # a read: nothing to keep, and the temporary tables go with it
            cur.execute("ROLLBACK")


def _up_to_date(
    cur: Connection, as_of: date, term: int, held: HeldFeatures | None
) -> HeldFeatures:
    database = database_id(cur)
    now = stored_versions(cur)
    if held is not None and held.holds(database, as_of, term):
        changes = fact_changes(cur, held.versions)
        if changes is not None and not changes:
            return held
        if (
            changes is not None
            and changes.shared <= {COST_RATES}
            and held.retention_masks is not None
            and len(changes.accounts)
            <= MAX_CHANGED_SHARE * max(held.features.height, 1)
        ):
            # the priced hours first: read whole, before the changed accounts'
            # read shadows the tables with those accounts' rows
            priced = _priced_hours(cur, as_of) if changes.shared else None
            patched = (
                _with_changes(cur, held, changes.accounts)
                if changes.accounts
                else held.features.with_columns(held.retention_masks)
            )
            if patched is not None:
                if priced is not None:
                    patched = _with_priced_hours(patched, priced)
                return _held(database, now, as_of, term, patched)
    return _held(database, now, as_of, term, _read(cur, as_of, term))


def hold_features(
    held: HeldFeatures,
    default_term_months: int,
    features: pl.DataFrame,
    masks: pl.Series,
) -> HeldFeatures:
    """Return features worked out for another term from ``held``, held in turn.

    ``features``: ``held.features`` with another term's revenue in place
    (:func:`~.term_revenue.with_term_revenue`), of the same state of the file;
    ``masks``: its accounts' retention masks for that term
    (:func:`~.term_steps.term_revenue_and_masks`), row for row.
    """
    return _held(
        held.database,
        held.versions,
        held.as_of,
        default_term_months,
        features.with_columns(masks.alias(RETENTION_MASK)),
    )


def _read(cur: Connection, as_of: date, term: int) -> pl.DataFrame:
    # run and fetched as Arrow: a relation (``cur.sql``) binds this long
    # statement once to describe it and again to run it, 16 ms of the 80 a
    # few accounts' read costs; the Arrow copy of 10,000 rows costs less
    cur.execute(ACCOUNT_FEATURES_SQL, account_feature_params(as_of, term))
    with _WARNINGS_LOCK, warnings.catch_warnings():
        # the client's note that this Arrow is copied once more (see above)
        warnings.filterwarnings("ignore", message=_ARROW_COPY_NOTE)
        reader = cur.to_arrow_reader()
    assert reader is not None
    rows = pl.from_arrow(reader.read_all())
    assert isinstance(rows, pl.DataFrame)
    frame = finite_or_null(rows)
    # the ERP's figures of every account it covers, joined to these rows
    return with_erp_revenue(cur, frame, as_of)


def _held(
    database: str | None,
    versions: Versions,
    as_of: date,
    term: int,
    with_masks: pl.DataFrame,
) -> HeldFeatures:
    masks = with_masks.get_column(RETENTION_MASK)
    features = with_masks.drop(RETENTION_MASK)
    counted = _retention_counts(masks)
    stated = (
        features.select(RETENTION_COUNT_COLUMNS).row(0)
        if features.height
        else (0, 0, 0)
    )
    return HeldFeatures(
        database=database,
        versions=versions,
        as_of=as_of,
        default_term_months=term,
        features=features,
        retention_masks=masks if counted == tuple(stated) else None,
    )


def _retention_counts(masks: pl.Series) -> tuple[int, int, int]:
    """Return the portfolio's retention counts from its accounts' masks (as the SQL)."""
    mask = pl.col(RETENTION_MASK).cast(pl.Int64)
    later = mask & LATER_YEARS_BITS
    counts = (
        masks.to_frame(RETENTION_MASK)
        .select(
            later.bitwise_count_ones().sum().alias("years"),
            (later & (mask * 2)).bitwise_count_ones().sum().alias("retained"),
            later.bitwise_or().alias("reached"),
        )
        .row(0)
    )
    years, retained, reached = (int(value or 0) for value in counts)
    return years, retained, reached.bit_count()


def _priced_hours(cur: Connection, as_of: date) -> pl.DataFrame:
    """Return every account's priced hours (:data:`~.portfolio.PRICED_HOURS_SQL`)."""
    priced: pl.DataFrame = _frame(
        cur.sql(PRICED_HOURS_SQL, params=priced_hours_params(as_of))
    )
    return finite_or_null(priced)


def _with_priced_hours(rows: pl.DataFrame, priced: pl.DataFrame) -> pl.DataFrame:
    """Return ``rows`` with their priced hours those of ``priced`` (0 where none).

    As the features statement puts them in (an account none of whose
    activities of the twelve months was priced has 0), in the rows' order and
    types.
    """
    placed = rows.select("account_id").join(
        priced, on="account_id", how="left", maintain_order="left"
    )
    return rows.with_columns(
        placed.get_column(name).fill_null(0).cast(rows.schema[name]).alias(name)
        for name in PRICED_HOURS_COLUMNS
    )


def _with_changes(
    cur: Connection, held: HeldFeatures, changed: Collection[str]
) -> pl.DataFrame | None:
    """Return the held rows with those of the changed accounts read again.

    ``None`` when the rows read do not fit the held frame (an ERP file's
    columns came or went): the caller adds everything up again.
    """
    accounts = _narrow(cur, changed, held.as_of)
    fresh = _read(cur, held.as_of, held.default_term_months)
    assert held.retention_masks is not None
    kept = held.features.with_columns(held.retention_masks).filter(
        ~pl.col("account_id").is_in(accounts.to_list())
    )
    if fresh.height and fresh.schema != kept.schema:
        # the whole read that follows reads the file's tables; otherwise the
        # shadows go with the read's rollback
        _unshadow(cur)
        return None
    rows = pl.concat([kept, fresh]) if fresh.height else kept
    # the file's order: byte order of the IDs, as the statement's ORDER BY
    rows = rows.sort("account_id")
    counts = _retention_counts(rows.get_column(RETENTION_MASK))
    return rows.with_columns(
        pl.lit(value, dtype=rows.schema[name]).alias(name)
        for name, value in zip(RETENTION_COUNT_COLUMNS, counts, strict=True)
    )


def _narrow(cur: Connection, changed: Collection[str], as_of: date) -> pl.Series:
    """Shadow the statement's tables with the rows it needs for the changed accounts.

    Returns the accounts brought up to date (the changed ones and those their
    people link them to, see the module's text). Activities are read for the
    statement's 24 months only. Each condition is a semi-join of one column
    (an ``OR`` of two made DuckDB scan the activities several times slower),
    and the activities are scanned once per direction (their account, the
    person they name) unless people link other accounts in.
    """
    catalog = str(cur.execute("SELECT current_database()").fetchall()[0][0])
    quoted = catalog.replace('"', '""')

    def source(table: str) -> str:
        return f'"{quoted}".main.{table}'

    def read(table: str) -> str:
        # the columns the statement reads, not the rows' free text
        return ", ".join(FEATURE_READ_COLUMNS[table])

    contacts = source("contacts")
    window = {"as_of": as_of}
    cur.execute(
        f"""
        CREATE TEMP TABLE _window AS
        SELECT rowid AS _activity_row, {read("activities")}
        FROM {source("activities")}
        WHERE account_id IS NOT NULL
          AND activity_date > $as_of::DATE - INTERVAL 24 MONTH
          AND activity_date <= $as_of::DATE
        LIMIT 0
        """,
        window,
    )

    def activities_of(accounts: str, people: str) -> None:
        # the accounts' own activities, and other accounts' naming their people
        # in the months the statement's touches read (the deciders engaged
        # count those; older ones reach no other account: where activities
        # are stored in the order they were logged, the dates spare most of
        # that scan of every person named); the rows are found by their
        # few columns first and then the columns read by rowid: a condition
        # that is a join does not spare the scan the other columns of every row
        cur.execute(
            f"""
            INSERT INTO _window
            SELECT rowid, {read("activities")} FROM {source("activities")}
            WHERE rowid IN (
                SELECT rowid FROM {source("activities")}
                WHERE account_id IN (SELECT account_id FROM {accounts})
                  AND activity_date > $as_of::DATE - INTERVAL 24 MONTH
                  AND activity_date <= $as_of::DATE
                UNION ALL
                SELECT rowid FROM {source("activities")}
                WHERE contact_id IN ({people})
                  AND account_id NOT IN (SELECT account_id FROM {accounts})
                  AND activity_date > $as_of::DATE - INTERVAL {TOUCHES_MONTHS} MONTH
                  AND activity_date <= $as_of::DATE)
            """,
            window,
        )

    cur.execute(
        "CREATE TEMP TABLE _changed AS SELECT unnest($ids::VARCHAR[]) AS account_id",
        {"ids": sorted(changed)},
    )
    # the changed accounts' people, read once for both uses below
    cur.execute(
        f"CREATE TEMP TABLE _people AS SELECT contact_id FROM {contacts} "
        "WHERE account_id IN (SELECT account_id FROM _changed)"
    )
    activities_of("_changed", "SELECT contact_id FROM _people")
    # linked in: the accounts whose activities name the changed accounts'
    # people, and the accounts of the people the changed accounts' activities
    # name (their engagement and deciders engaged read what changed). Those
    # named are looked up among all people only when they are not the changed
    # accounts' own (mostly none: the people's scan is then spared).
    cur.execute(
        f"""
        CREATE TEMP TABLE _linked AS
        SELECT account_id FROM (
            SELECT account_id FROM _window
            UNION
            SELECT account_id FROM {contacts} WHERE contact_id IN (
                SELECT contact_id FROM _window
                WHERE account_id IN (SELECT account_id FROM _changed)
                  AND contact_id NOT IN (SELECT contact_id FROM _people))
        ) ANTI JOIN _changed USING (account_id)
        """
    )
    linked = bool(cur.execute("SELECT count(*) FROM _linked").fetchall()[0][0])
    if linked:
        activities_of(
            "_linked",
            f"SELECT contact_id FROM {contacts} "
            "WHERE account_id IN (SELECT account_id FROM _linked)",
        )
    cur.execute(
        "CREATE TEMP TABLE _brought AS "
        "SELECT account_id FROM _changed UNION SELECT account_id FROM _linked"
    )
    # a table, not a view: the statement keys people and deals on rowid; each
    # activity once (one read for a changed account may be a linked one's own)
    once = "DISTINCT ON (_activity_row)" if linked else ""
    cur.execute(
        f"CREATE TEMP TABLE activities AS "
        f"SELECT {once} * EXCLUDE (_activity_row) FROM _window"
    )
    # everyone of the accounts whose people the activities name: whole trees.
    # With no account linked in, those are the changed accounts themselves
    # (another account's person named would have linked hers in): the
    # people's second scan, by the IDs the activities name, is spared.
    named = (
        f"""UNION
                SELECT account_id FROM {contacts}
                WHERE contact_id IN (SELECT contact_id FROM activities)"""
        if linked
        else ""
    )
    cur.execute(
        f"""
        CREATE TEMP TABLE contacts AS
        SELECT {read("contacts")} FROM {contacts} WHERE rowid IN (
            SELECT rowid FROM {contacts} WHERE account_id IN (
                SELECT account_id FROM _brought
                {named}))
        """
    )
    for table in _NARROWED_BY_ACCOUNT:
        # found by the one column first, then read by rowid (as above)
        cur.execute(
            f"CREATE TEMP TABLE {table} AS SELECT {read(table)} FROM {source(table)} "
            f"WHERE rowid IN (SELECT rowid FROM {source(table)} "
            "WHERE account_id IN (SELECT account_id FROM _brought))"
        )
    brought: pl.Series = _frame(cur.sql("SELECT account_id FROM _brought")).to_series()
    return brought


def _unshadow(cur: Connection) -> None:
    """Drop what :func:`_narrow` made: the file's tables are read whole again."""
    for table in (*_NARROWED_BY_ACCOUNT, "activities", "contacts", *_HELPERS):
        cur.execute(f"DROP TABLE IF EXISTS temp.main.{table}")
