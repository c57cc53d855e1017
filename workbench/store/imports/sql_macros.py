"""The import's SQL macros: how a cell's text reads as a number, a date, a month, a truth.

Defined in each import's connection (:func:`import_macros`), read by the
staged checks, the build and the one-pass loads alike, so that a value reads the
same on every path.
"""

from __future__ import annotations

from datetime import date, timedelta

from workbench import vocabulary
from workbench.domain import SECONDS_READ_AS_MILLISECONDS
from workbench.store.connection import _sql_text_literal

_MACROS = (
    # Numbers as people write them: 1,200,000.00 / 1.200.000,00 / $1.2M / 120万.
    r"""
    CREATE OR REPLACE TEMP MACRO wb_num_core(x) AS
        regexp_replace(x, '(?i)(k|m|mm|mio|mn|b|bn|万|萬|亿|億|千)$', '')
    """,
    r"""
    CREATE OR REPLACE TEMP MACRO wb_num_scale(x) AS CASE
        WHEN x ~ '(?i).*[0-9](k|千)$' THEN 1e3
        WHEN x ~ '(?i).*[0-9](m|mm|mio|mn)$' THEN 1e6
        WHEN x ~ '(?i).*[0-9](b|bn)$' THEN 1e9
        WHEN x ~ '.*[0-9](万|萬)$' THEN 1e4
        WHEN x ~ '.*[0-9](亿|億)$' THEN 1e8
        ELSE 1 END
    """,
    r"""
    CREATE OR REPLACE TEMP MACRO wb_num_plain(x) AS CASE
        WHEN x ~ '^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$' THEN replace(x, ',', '')
        WHEN x ~ '^[+-]?[0-9]{1,3}(\.[0-9]{3})+,[0-9]+$' THEN replace(replace(x, '.', ''), ',', '.')
        WHEN x ~ '^[+-]?[0-9]{1,3}(\.[0-9]{3}){2,}$' THEN replace(x, '.', '')
        WHEN x ~ '^[+-]?[0-9]+,[0-9]+$' THEN replace(x, ',', '.')
        ELSE x END
    """,
    r"""
    CREATE OR REPLACE TEMP MACRO wb_num_text(s) AS
        regexp_replace(trim(s), '[\s$€£¥￥%]|(?i:usd|eur|rmb|cny|gbp|chf|元)', '', 'g')
    """,
    """
    CREATE OR REPLACE TEMP MACRO wb_finite(x) AS CASE WHEN isfinite(x) THEN x END
    """,
    """
    CREATE OR REPLACE TEMP MACRO wb_num(s) AS CASE
        -- plain numbers skip the regular expressions; a CASE, not coalesce():
        -- DuckDB computes the regular expressions' shared part for every row
        -- of a coalesce(), ten times the cost of a plain 2-million-row column
        WHEN isfinite(TRY_CAST(s AS DOUBLE)) THEN TRY_CAST(s AS DOUBLE)
        -- NaN, inf, Infinity and 1e400 parse as DOUBLE but are no amount: NULL,
        -- so the checks report them and nothing non-finite is ever stored
        WHEN s IS NOT NULL THEN
            wb_finite(TRY_CAST(wb_num_plain(wb_num_core(wb_num_text(s))) AS DOUBLE)
                      * wb_num_scale(wb_num_text(s)))
        END
    """,
    # A time in seconds since 1970 that a system upstream stored as milliseconds
    # reads as a time in January 1970 (workbench.domain.SECONDS_READ_AS_MILLISECONDS:
    # September 2001 to September 2039 read as 1970-01-12 13:46:40 to
    # 1970-01-26 11:06:39; the Fivetran HubSpot seeds' meetings "start" on
    # 1970-01-19 07:51:57.600, that is 2020-03-06 18:00 UTC). No CRM held a
    # record then, so such a time is read as the seconds it holds, to the day.
    # Only a time with its time of day: a day alone has lost the seconds (a
    # day of milliseconds is 2.7 years of seconds), and is warned of as written.
    """
    CREATE OR REPLACE TEMP MACRO wb_epoch_seconds(s) AS CASE
        WHEN starts_with(s, '1970-01-') AND contains(s, ':') THEN CASE
            WHEN epoch_ms(TRY_CAST(s AS TIMESTAMP)) BETWEEN $first_seconds AND $last_seconds
            THEN make_timestamp(epoch_ms(TRY_CAST(s AS TIMESTAMP)) * 1000000)::DATE
            END
        END
    """,
    r"""
    CREATE OR REPLACE TEMP MACRO wb_date(s, date_order) AS CASE
        -- ISO dates first, and only the rest tries the other spellings (a CASE:
        -- a coalesce() of them all costs twice a plain column's parse)
        -- (but for the days of January 1970 a time in seconds stored as
        -- milliseconds reads as: those try wb_epoch_seconds first, below)
        WHEN TRY_CAST(s AS DATE) NOT BETWEEN $epoch_days
            THEN TRY_CAST(s AS DATE)
        WHEN s IS NOT NULL THEN coalesce(
            wb_epoch_seconds(s),
            TRY_CAST(TRY_CAST(s AS TIMESTAMP) AS DATE),
            TRY_CAST(try_strptime(s, '%d.%m.%Y') AS DATE),
            TRY_CAST(try_strptime(split_part(s, ' ', 1), '%Y年%m月%d日') AS DATE),
            TRY_CAST(try_strptime(split_part(s, ' ', 1), '%Y/%m/%d') AS DATE),
            CASE
                WHEN date_order = 'mdy' THEN TRY_CAST(try_strptime(split_part(s, ' ', 1), '%m/%d/%Y') AS DATE)
                WHEN date_order = 'dmy' THEN TRY_CAST(try_strptime(split_part(s, ' ', 1), '%d/%m/%Y') AS DATE)
            END)
        END
    """,
    # A month as ERPs write it: 2024-03, 2024/3, 202403, 2024年3月, 2024年第3期,
    # 003/2024 (SAP's period/year), Mar-24 (Oracle's period name), or a date.
    """
    CREATE OR REPLACE TEMP MACRO wb_ym(y, m) AS CASE
        WHEN TRY_CAST(y AS INTEGER) BETWEEN 1900 AND 2200
         AND TRY_CAST(m AS INTEGER) BETWEEN 1 AND 16
        -- SAP's special periods 13-16 close the year: December
        THEN make_date(TRY_CAST(y AS INTEGER), least(TRY_CAST(m AS INTEGER), 12), 1) END
    """,
    """
    CREATE OR REPLACE TEMP MACRO wb_ym12(y, m) AS
        CASE WHEN TRY_CAST(m AS INTEGER) <= 12 THEN wb_ym(y, m) END
    """,
    r"""
    CREATE OR REPLACE TEMP MACRO wb_month(s) AS coalesce(
        wb_ym12(regexp_extract(trim(s), '^(\d{4})\s*(?:[-/.]|年\s*第?)\s*(\d{1,2})\s*(?:月|期)?$', 1),
              regexp_extract(trim(s), '^(\d{4})\s*(?:[-/.]|年\s*第?)\s*(\d{1,2})\s*(?:月|期)?$', 2)),
        wb_ym12(regexp_extract(trim(s), '^(\d{4})(\d{2})$', 1),
              regexp_extract(trim(s), '^(\d{4})(\d{2})$', 2)),
        wb_ym(regexp_extract(trim(s), '^(\d{1,3})\s*[./]\s*(\d{4})$', 2),
              regexp_extract(trim(s), '^(\d{1,3})\s*[./]\s*(\d{4})$', 1)),
        TRY_CAST(try_strptime(trim(s), '%b-%y') AS DATE),
        TRY_CAST(try_strptime(trim(s), '%b-%Y') AS DATE),
        date_trunc('month', TRY_CAST(s AS DATE))::DATE,
        date_trunc('month', TRY_CAST(TRY_CAST(s AS TIMESTAMP) AS DATE))::DATE,
        date_trunc('month', TRY_CAST(try_strptime(split_part(s, ' ', 1), '%Y/%m/%d') AS DATE))::DATE)
    """,
    """
    CREATE OR REPLACE TEMP MACRO wb_bool(s) AS CASE
        -- the usual spellings first, compared as they are: lower(trim()) copies
        -- the text, which costs seconds over millions of IsDeleted cells
        WHEN s IN ('false', 'FALSE', 'False', '0') THEN false
        WHEN s IN ('true', 'TRUE', 'True', '1') THEN true
        WHEN lower(trim(s)) IN $true_values THEN true
        WHEN lower(trim(s)) IN $false_values THEN false
        END
    """,
)


def _epoch_days() -> str:
    """Return the SQL bounds of the days times in seconds stored as milliseconds read as."""
    days = [
        date(1970, 1, 1) + timedelta(milliseconds=ms)
        for ms in SECONDS_READ_AS_MILLISECONDS
    ]
    return f"DATE '{days[0]}' AND DATE '{days[1]}'"


#: ``BETWEEN`` bounds (SQL) of the ISO days a time in seconds stored as
#: milliseconds reads as: ``wb_date`` reads those days by ``wb_epoch_seconds``.
EPOCH_DAYS = _epoch_days()


def import_macros() -> list[str]:
    """Return the statements that define the import's macros, in order."""
    # Macro bodies cannot take parameters: the two lists of truth values
    # (workbench.vocabulary) and the seconds read as milliseconds
    # (workbench.domain) are written in.
    trues = ", ".join(_sql_text_literal(v) for v in vocabulary.TRUE_VALUES)
    falses = ", ".join(_sql_text_literal(v) for v in vocabulary.FALSE_VALUES)
    first, last = SECONDS_READ_AS_MILLISECONDS
    return [
        statement.replace("$true_values", f"({trues})")
        .replace("$false_values", f"({falses})")
        .replace("$first_seconds", str(int(first)))
        .replace("$last_seconds", str(int(last)))
        .replace("$epoch_days", EPOCH_DAYS)
        for statement in _MACROS
    ]
