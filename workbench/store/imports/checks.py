"""The import's checks: every problem found in staged and built rows, as frames.

Values that do not parse, unknown roles, missing required values, duplicates,
ID collisions, references to nothing, unresolved names, reporting lines, and
the date orders (day or month first) of slash dates.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from workbench import vocabulary
from workbench.i18n import N_
from workbench.store._base import Connection, _frame, _registered
from workbench.store.imports.account_names import may_name_record
from workbench.store.imports.staging import (
    _IMPORT_KEYS,
    IMPORT_PROBLEM_ROWS,
    _import_columns,
    filled_from,
)
from workbench.store.imports.task_status import kept_rows
from workbench.store.imports.value_rules import value_checks


def import_slash_dates(cur: Connection, table: str, column: str) -> pl.DataFrame:
    """Return, per file, how slash dates (a/b/yyyy) in a column could be read.

    Columns: ``_file``, ``slash_values``, ``max_first``, ``max_second``.
    """
    if column not in _import_columns(table) or column not in vocabulary.DATE_COLUMNS:
        raise ValueError(f"{table}.{column} is not a date column")
    stats: pl.DataFrame = _frame(
        cur.sql(
            f"""
        SELECT _file, count(*)::BIGINT AS slash_values,
               max(TRY_CAST(split_part(v, '/', 1) AS INTEGER)) AS max_first,
               max(TRY_CAST(split_part(v, '/', 2) AS INTEGER)) AS max_second
        FROM (
            SELECT _file, split_part({column}, ' ', 1) AS v FROM _import_in_{table}
            WHERE contains({column}, '/')  -- cheap filter before the pattern
        )
        WHERE regexp_full_match(v, '[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{4}}')
        GROUP BY _file
        """
        )
    )
    return stats


def import_set_date_orders(
    cur: Connection, tables: Sequence[str], orders: pl.DataFrame
) -> None:
    """Attach the date order chosen per (file, column) to every staged table.

    ``orders`` has ``_file``, ``col`` and ``date_order`` (``mdy``, ``dmy`` or null).
    """
    with _registered(
        cur, "_import_orders_in", orders.select("_file", "col", "date_order")
    ):
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE _import_date_orders AS "
            "SELECT * FROM _import_orders_in"
        )
    for table in tables:
        dates = [c for c in _import_columns(table) if c in vocabulary.DATE_COLUMNS]
        files = [
            str(r[0])
            for r in cur.execute(
                f"SELECT DISTINCT _file FROM _import_all_{table}"
            ).fetchall()
        ]
        chosen = orders.filter(
            pl.col("col").is_in(dates) & pl.col("_file").is_in(files)
        )
        distinct = chosen.select("col", "date_order").unique()
        if distinct.filter(pl.col("date_order").is_not_null()).height == 0 or (
            len(files) == 1
        ):
            # One order per column for the whole table (the usual case): constants,
            # and the parsed input stays a cheap view over the staged rows.
            by_column = {
                str(c): str(o) for c, o in distinct.rows() if o in {"mdy", "dmy"}
            }
            columns = ", ".join(
                f"'{by_column[c]}' AS _order_{c}"
                if c in by_column
                else f"NULL::VARCHAR AS _order_{c}"
                for c in dates
            )
            cur.execute(
                f"CREATE OR REPLACE TEMP VIEW _import_in_{table} AS "
                f"SELECT *{', ' + columns if columns else ''} "
                f"FROM _import_all_{table} s WHERE {kept_rows(table, 's')}"
            )
            continue
        columns = ", ".join(f"o_{c}.date_order AS _order_{c}" for c in dates)
        joins = " ".join(
            f"LEFT JOIN (SELECT _file, date_order FROM _import_date_orders "
            f"WHERE col = '{c}') o_{c} ON o_{c}._file = a._file"
            for c in dates
        )
        # Files with different orders: joined once and kept as a table.
        cur.execute(f"DROP VIEW IF EXISTS _import_in_{table}")
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE _import_in_{table} AS "
            f"SELECT a.*, {columns} "
            f"FROM _import_all_{table} a {joins} WHERE {kept_rows(table, 'a')}"
        )


def _no_rows(**columns: pl.DataType | type[pl.DataType]) -> pl.DataFrame:
    """Return an empty frame of problem rows: ``_file``, ``_row`` and ``columns``."""
    return pl.DataFrame(schema={"_file": pl.String, "_row": pl.Int64, **columns})


def _capped(sql: str) -> str:
    # Keep the first rows of each (file, check) and count them all.
    return f"""
        SELECT _file, _row, value, check_id, filled_from, count(*) OVER (PARTITION BY _file, check_id) AS total
        FROM ({sql})
        QUALIFY row_number() OVER (PARTITION BY _file, check_id ORDER BY _row) <= {IMPORT_PROBLEM_ROWS}
    """


def _filled_columns(
    cur: Connection, table: str, checks: list[tuple[str, str, str, str]]
) -> set[str]:
    """Return the checked columns of a staged table that hold a value in some row."""
    columns = sorted({column for column, *_rest in checks})
    if not columns:
        return set()
    counts = cur.execute(
        "SELECT "
        + ", ".join(f"count({column}) > 0" for column in columns)
        + f" FROM _import_in_{table}"
    ).fetchall()[0]
    return {column for column, filled in zip(columns, counts, strict=True) if filled}


def import_value_problems(cur: Connection, table: str) -> pl.DataFrame:
    """Return unreadable values of a staged table (the filled columns only).

    Columns: ``level``, ``_file``, ``_row``, ``column``, ``value``, ``message``,
    ``total`` (how many rows of that file fail the same check) and
    ``filled_from`` (0, or which of the column's fallback headers held the value:
    see :func:`.staging.filled_from`).
    """
    checks = value_checks(table)
    empty = pl.DataFrame(
        schema={
            "level": pl.String,
            "_file": pl.String,
            "_row": pl.Int64,
            "column": pl.String,
            "value": pl.String,
            "message": pl.String,
            "total": pl.Int64,
            "filled_from": pl.Int64,
        }
    )
    fallbacks = vocabulary.ROW_FALLBACK_COLUMNS.get(table, ())
    # Only columns some file filled: a column no file maps is NULL in every row,
    # and its checks (each number or date reader a large expression) would cost
    # DuckDB more to plan than the rows cost to scan.
    filled = _filled_columns(cur, table, checks)
    checks = [c for c in checks if c[0] in filled]
    if not checks:
        return empty
    # One scan finds the rows with any bad value; only those are split by check.
    conditions = [
        f"(s.{column} IS NOT NULL AND {condition})"
        for column, _level, condition, _message in checks
    ]
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE _import_bad AS SELECT * FROM _import_in_{table} s "
        f"WHERE {' OR '.join(conditions)}"
    )
    if not cur.execute("SELECT count(*) FROM _import_bad").fetchall()[0][0]:
        return empty  # the usual case: nothing to split
    # A value read from a fallback header is named under that header.
    arms = " UNION ALL ".join(
        f"SELECT s._file, s._row, s.{column} AS value, {i} AS check_id, "
        + (f"coalesce(s.{filled_from(column)}, 0)" if column in fallbacks else "0")
        + f" AS filled_from FROM _import_bad s WHERE {conditions[i]}"
        for i, (column, _level, _condition, _message) in enumerate(checks)
    )
    found: pl.DataFrame = _frame(cur.sql(_capped(arms)))
    if found.height == 0:
        return empty
    meta = pl.DataFrame(
        {
            "check_id": list(range(len(checks))),
            "column": [c[0] for c in checks],
            "level": [c[1] for c in checks],
            "message": [c[3] for c in checks],
        },
        schema={
            "check_id": pl.Int32,
            "column": pl.String,
            "level": pl.String,
            "message": pl.String,
        },
    )
    return (
        found.with_columns(pl.col("check_id").cast(pl.Int32))
        .join(meta, on="check_id")
        .select(
            "level",
            "_file",
            pl.col("_row").cast(pl.Int64),
            "column",
            "value",
            "message",
            pl.col("total").cast(pl.Int64),
            pl.col("filled_from").cast(pl.Int64),
        )
        .sort("_file", "column", "_row")
    )


def import_role_problems(cur: Connection) -> pl.DataFrame:
    """Return buying-role values not in the vocabularies, and multi-role cells.

    Columns: ``level``, ``_file``, ``_row``, ``column``, ``value``, ``message``,
    ``total``, ``kept`` (the role kept, the message's ``{role}``).
    """
    sql = """
        WITH parts AS (
            SELECT s._file, s._row, s.buying_role,
                   trim(unnest(string_split(s.buying_role, ';'))) AS part
            FROM _import_in_contacts s WHERE s.buying_role IS NOT NULL
        ), mapped AS (
            SELECT p.*, v.value IS NULL AS unknown, v.role, v.precedence FROM parts p
            LEFT JOIN _import_roles v ON v.value = lower(p.part)
        ), per_row AS (
            SELECT _file, _row, any_value(buying_role) AS value,
                   bool_or(unknown) AS has_unknown,
                   count(DISTINCT role) AS roles,
                   arg_min(role, precedence) AS kept
            FROM mapped GROUP BY _file, _row
        )
        SELECT _file, _row, value, CASE WHEN has_unknown THEN 0 ELSE 1 END AS check_id,
               kept
        FROM per_row WHERE has_unknown OR roles > 1
    """
    found: pl.DataFrame = _frame(
        cur.sql(
            f"""
        SELECT _file, _row, value, check_id, kept,
               count(*) OVER (PARTITION BY _file, check_id) AS total
        FROM ({sql})
        QUALIFY row_number() OVER (PARTITION BY _file, check_id ORDER BY _row) <= {IMPORT_PROBLEM_ROWS}
        """
        )
    )
    return found.select(
        pl.lit("warning").alias("level"),
        "_file",
        pl.col("_row").cast(pl.Int64),
        pl.lit("buying_role").alias("column"),
        "value",
        pl.when(pl.col("check_id") == 0)
        .then(pl.lit(N_("is not a known buying role; stored as unknown")))
        .otherwise(pl.lit(N_("holds several roles; kept the most decisive: {role}")))
        .alias("message"),
        pl.col("total").cast(pl.Int64),
        pl.col("kept").fill_null("none"),
    )


def import_skipped_rows(cur: Connection, table: str) -> pl.DataFrame:
    """Return staged rows that build could not keep (no key, no account), capped.

    Columns: ``_file``, ``_row``, ``reason``, ``total``.
    """
    reasons = {
        "sellers": (
            "coalesce(s.seller_id, s.name, s.first_name, s.last_name, s.email) IS NULL",
            N_("has no ID, name or e-mail"),
        ),
        "accounts": (
            "coalesce(s.account_id, s.name) IS NULL",
            N_("has no ID and no name"),
        ),
        "contacts": (
            "s.account_id IS NULL AND (s.account_name IS NULL)",
            N_("names no account; the person was not imported"),
        ),
        "opportunities": (
            "s.account_id IS NULL AND s.account_name IS NULL",
            N_("names no account; the deal was not imported"),
        ),
        "opportunity_contacts": (
            "s.opportunity_id IS NULL OR s.contact_id IS NULL",
            N_("lacks the deal or the person; the link was not imported"),
        ),
        "contracts": (
            "s.contract_id IS NULL OR (s.account_id IS NULL AND s.account_name IS NULL)",
            N_("has no ID or names no account; the contract was not imported"),
        ),
        "contact_influences": (
            "s.from_contact_id IS NULL OR s.to_contact_id IS NULL",
            N_("lacks one of the two people; the link was not imported"),
        ),
        "erp_revenue": (
            "coalesce(s.account_id, s.account_name) IS NULL OR s.month IS NULL",
            N_("has no customer or no month; the ERP line was not imported"),
        ),
    }
    if table not in reasons:
        return _no_rows(reason=pl.String, total=pl.Int64)
    condition, reason = reasons[table]
    frame: pl.DataFrame = _frame(
        cur.sql(
            f"""
        SELECT s._file, s._row::BIGINT AS _row, $reason AS reason,
               (count(*) OVER (PARTITION BY s._file))::BIGINT AS total
        FROM _import_in_{table} s WHERE {condition}
        QUALIFY row_number() OVER (PARTITION BY s._file ORDER BY s._row) <= {IMPORT_PROBLEM_ROWS}
        """,
            params={"reason": reason},
        )
    )
    return frame


def import_missing_required(cur: Connection, table: str) -> pl.DataFrame:
    """Return accounts or contacts without a name, capped: ``_file``, ``_row``, ``total``."""
    if table not in {"accounts", "contacts"}:
        raise ValueError(f"{table} has no required name")
    frame: pl.DataFrame = _frame(
        cur.sql(
            f"""
        SELECT _file, _row::BIGINT AS _row, (count(*) OVER (PARTITION BY _file))::BIGINT AS total
        FROM _import_new_{table} WHERE name IS NULL AND _row IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY _file ORDER BY _row) <= {IMPORT_PROBLEM_ROWS}
        """
        )
    )
    return frame


def import_account_notes(cur: Connection) -> pl.DataFrame:
    """Return accounts matched by name or created from a name reference.

    Columns: ``_file``, ``_row``, ``name``, ``account_id``, ``how`` (``matched`` or ``created``).
    """
    frame: pl.DataFrame = _frame(
        cur.sql(
            """
        SELECT _file, _row::BIGINT AS _row, name, account_id,
               CASE WHEN created_from_reference THEN 'created' ELSE 'matched' END AS how
        FROM _import_new_accounts WHERE matched_by_name OR created_from_reference
        ORDER BY _file, _row
        """
        )
    )
    return frame


def import_duplicates(cur: Connection, table: str) -> pl.DataFrame:
    """Return keys that appear more than once in the import: ``key``, ``files``, ``rows``."""
    key = _IMPORT_KEYS[table]
    # A plain count first: listing places is only needed when there are doubles.
    doubled = cur.execute(
        f"""
        SELECT k FROM (SELECT {key} AS k FROM _import_new_{table})
        GROUP BY k HAVING count(*) > 1 ORDER BY k LIMIT {IMPORT_PROBLEM_ROWS * 5}
        """
    ).fetchall()
    if not doubled:
        return pl.DataFrame(
            schema={
                "key": pl.String,
                "files": pl.List(pl.String),
                "rows": pl.List(pl.Int64),
            }
        )
    frame: pl.DataFrame = _frame(
        cur.sql(
            f"""
        SELECT {key} AS key, list(_file ORDER BY _file, _row) AS files,
               list(_row::BIGINT ORDER BY _file, _row) AS rows
        FROM _import_new_{table} WHERE {key} IN (SELECT unnest($keys))
        GROUP BY 1 ORDER BY 1
        """,
            params={"keys": [str(r[0]) for r in doubled]},
        )
    )
    return frame


def import_id_collisions(cur: Connection, table: str) -> pl.DataFrame:
    """Return imported IDs that already belong to a record from another source.

    Columns: ``_file``, ``_row``, ``key``, ``other_source``.
    """
    key_column = vocabulary.KEY_COLUMNS.get(table)
    if key_column is None:
        return _no_rows(key=pl.String, other_source=pl.String)
    frame: pl.DataFrame = _frame(
        cur.sql(
            f"""
        SELECT n._file, n._row::BIGINT AS _row, n.{key_column} AS key,
               coalesce(e.source, '(unknown)') AS other_source
        FROM _import_new_{table} n JOIN {table} e USING ({key_column})
        WHERE e.source IS DISTINCT FROM n._source OR e.source_id IS DISTINCT FROM n.source_id
        ORDER BY n._file, n._row LIMIT {IMPORT_PROBLEM_ROWS * 5}
        """
        )
    )
    return frame


#: (table, column, referenced table, referenced key, what a dangling value does)
#: checked after build. ``clear`` leaves the reference empty and keeps the row;
#: ``drop`` leaves the row out (it cannot live without the record it names). Both
#: are warnings: real CRM exports hold deleted and unexported records.
_IMPORT_REFERENCES: tuple[tuple[str, str, str, str, str], ...] = (
    ("accounts", "parent_account_id", "accounts", "account_id", "clear"),
    ("accounts", "owner_seller_id", "sellers", "seller_id", "clear"),
    ("contacts", "account_id", "accounts", "account_id", "drop"),
    ("contacts", "reports_to_id", "contacts", "contact_id", "clear"),
    ("opportunities", "account_id", "accounts", "account_id", "drop"),
    ("opportunities", "owner_seller_id", "sellers", "seller_id", "clear"),
    (
        "opportunity_contacts",
        "opportunity_id",
        "opportunities",
        "opportunity_id",
        "drop",
    ),
    ("opportunity_contacts", "contact_id", "contacts", "contact_id", "drop"),
    ("activities", "account_id", "accounts", "account_id", "clear"),
    ("activities", "contact_id", "contacts", "contact_id", "clear"),
    ("activities", "seller_id", "sellers", "seller_id", "clear"),
    ("contact_influences", "from_contact_id", "contacts", "contact_id", "drop"),
    ("contact_influences", "to_contact_id", "contacts", "contact_id", "drop"),
    ("nps_responses", "account_id", "accounts", "account_id", "clear"),
    ("nps_responses", "contact_id", "contacts", "contact_id", "clear"),
    ("contracts", "account_id", "accounts", "account_id", "drop"),
    ("opportunities", "contract_id", "contracts", "contract_id", "clear"),
    ("erp_revenue", "account_id", "accounts", "account_id", "drop"),
)


def _reference_problem_rows(
    cur: Connection,
    dangling_sql: str,
    *,
    level: str,
    table: str,
    column: str,
    regarding: str = "false",
) -> pl.DataFrame:
    """Group dangling references (``_file``, ``_row``, ``value``) per value, capped per file.

    ``regarding``: SQL over the dangling rows of whether the value may name a
    deal or a person as well as an account (:func:`~.account_names.may_name_record`),
    given in a column of that name so that the warning does not call a deal's
    ID an account's.
    """
    frame: pl.DataFrame = _frame(
        cur.sql(
            f"""
        SELECT $level AS level, $table AS "table", $column AS "column",
               _file, min(_row)::BIGINT AS _row, value, count(*)::BIGINT AS rows,
               (count(*) OVER (PARTITION BY _file))::BIGINT AS total,
               bool_or({regarding}) AS regarding
        FROM ({dangling_sql})
        GROUP BY _file, value
        QUALIFY row_number() OVER (PARTITION BY _file ORDER BY min(_row)) <= {IMPORT_PROBLEM_ROWS}
        """,
            params={"level": level, "table": table, "column": column},
        )
    )
    return frame


def import_missing_references(cur: Connection, tables: Sequence[str]) -> pl.DataFrame:
    """Return references to records neither the import nor the database holds.

    Each is a warning applied at once, in reference order (a person left out for
    a missing account is then missing for the deals and visits naming them): the
    reference is cleared, or the row that cannot live without it is left out.
    Columns: ``level``, ``table``, ``column``, ``_file``, ``_row``, ``value``,
    ``rows``, ``total``, ``regarding`` (the value may name a deal or a person),
    ``action`` (``clear`` or ``drop``).
    """
    staged = set(tables) | {"accounts", "sellers"}
    found: list[pl.DataFrame] = []
    for table, column, target, target_key, action in _IMPORT_REFERENCES:
        if table not in staged:
            continue
        targets = f"SELECT {target_key} AS k FROM {target}"
        if target in staged:
            targets += f" UNION ALL SELECT {target_key} FROM _import_new_{target}"
        # a Dynamics Regarding, a HubSpot deal association or a Salesforce
        # WhatId may name a deal or a person the export does not hold
        regarding = (table, column) == ("activities", "account_id")
        frame = _reference_problem_rows(
            cur,
            f"SELECT n._file, n._row, n.{column} AS value"
            + (f", {may_name_record('n')} AS regarding" if regarding else "")
            + f" FROM _import_new_{table} n "
            f"WHERE n.{column} IS NOT NULL AND n.{column} NOT IN ({targets})",
            level="warning",
            table=table,
            column=column,
            regarding="regarding" if regarding else "false",
        )
        if frame.height:
            if action == "drop":
                cur.execute(
                    f"DELETE FROM _import_new_{table} WHERE {column} NOT IN ({targets})"
                )
            else:
                cur.execute(
                    f"UPDATE _import_new_{table} SET {column} = NULL "
                    f"WHERE {column} IS NOT NULL AND {column} NOT IN ({targets})"
                )
        found.append(frame.with_columns(pl.lit(action).alias("action")))
    if not found:
        return pl.DataFrame()
    return pl.concat(found, how="vertical_relaxed")


def import_unresolved_names(cur: Connection, tables: Sequence[str]) -> pl.DataFrame:
    """Return names of sellers, managers and contacts that matched nobody.

    Columns: ``level``, ``table``, ``column``, ``_file``, ``_row``, ``value``, ``total``.
    """
    checks = []
    staged = set(tables)
    if "accounts" in staged:
        checks += [
            ("warning", "accounts", "parent_account_name", "parent_account_id"),
            ("warning", "accounts", "owner_seller_name", "owner_seller_id"),
        ]
    if "contacts" in staged:
        checks.append(("warning", "contacts", "reports_to_name", "reports_to_id"))
    if "opportunities" in staged:
        checks.append(
            ("warning", "opportunities", "owner_seller_name", "owner_seller_id")
        )
    if "activities" in staged:
        checks += [
            ("warning", "activities", "seller_name", "seller_id"),
            ("warning", "activities", "contact_name", "contact_id"),
        ]
    found: list[pl.DataFrame] = []
    for level, table, name_column, id_column in checks:
        found.append(
            _frame(
                cur.sql(
                    f"""
                SELECT $level AS level, $table AS "table", $column AS "column",
                       _file, min(_row)::BIGINT AS _row, {name_column} AS value,
                       count(*)::BIGINT AS rows,
                       (count(*) OVER (PARTITION BY _file))::BIGINT AS total
                FROM _import_new_{table}
                WHERE {name_column} IS NOT NULL AND {id_column} IS NULL
                  AND _row IS NOT NULL
                GROUP BY _file, {name_column}
                QUALIFY row_number() OVER (PARTITION BY _file ORDER BY min(_row)) <= {IMPORT_PROBLEM_ROWS}
                """,
                    params={"level": level, "table": table, "column": name_column},
                )
            )
        )
    if not found:
        return pl.DataFrame()
    return pl.concat(found, how="vertical_relaxed")
