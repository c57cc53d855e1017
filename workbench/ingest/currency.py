"""An export's currencies: the org's exchange rates and the portfolio's currency.

A Salesforce org with several currencies exports its rates (``CurrencyType``:
each ISO code, its ``ConversionRate`` per unit of the corporate currency, and
``IsCorporate``); one with advanced currency management also its dated rates
(``DatedConversionRate``: a rate per code from its ``StartDate`` to the next
period's ``NextStartDate``), by which Salesforce converts a deal at its close
date's rate. :func:`attach_rates` reads them onto the same export's deals'
files; :func:`currency_problems` hands them to the import's transaction, sets
the portfolio's currency where a first import names one, and says how many
deals the rates converted (:mod:`workbench.store.imports.currency`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from workbench import store
from workbench.domain import Problem
from workbench.i18n import N_
from workbench.ingest.model import ExchangeRates, RecognisedFile
from workbench.ingest.problems import file_problem, make_problem, worded
from workbench.ingest.sources import normalise_header

if TYPE_CHECKING:
    from collections.abc import Sequence

#: The CRM objects whose files hold the rates (recognised by their headers).
RATES_OBJECT = "CurrencyType"
DATED_RATES_OBJECT = "DatedConversionRate"
#: Normalised headers a rates file has; a dated one has its periods' starts too.
RATES_HEADERS = frozenset({"isocode", "conversionrate"})
DATED_HEADERS = frozenset({"startdate"})


def is_rates_file(headers: Sequence[str]) -> bool:
    """Return whether a file's headers are those of an org's exchange rates."""
    return {normalise_header(h) for h in headers} >= RATES_HEADERS


def rates_object(headers: Sequence[str]) -> str | None:
    """Return which rates a file's headers hold: static, dated, or None."""
    if not is_rates_file(headers):
        return None
    normal = {normalise_header(h) for h in headers}
    return DATED_RATES_OBJECT if normal >= DATED_HEADERS else RATES_OBJECT


def attach_rates(recognised: list[RecognisedFile]) -> list[Problem]:
    """Read the export's exchange rates onto its deals' files; report what is unread."""
    problems: list[Problem] = []
    static: dict[str, float] = {}
    corporate: str | None = None
    dated: list[pl.DataFrame] = []
    files: list[str] = []
    for entry in recognised:
        if entry.object_name not in {RATES_OBJECT, DATED_RATES_OBJECT}:
            continue
        frame = _rows(entry)
        if frame is None:
            continue
        files.append(entry.name)
        if entry.object_name == DATED_RATES_OBJECT:
            periods, unread = _dated_rates(entry.name, frame)
            dated.append(periods)
            problems += unread
            continue
        rates, corporates, unread = _static_rates(entry.name, frame)
        static |= rates
        corporate = corporates[0] if len(corporates) == 1 else None
        problems += unread
    if files:
        found = ExchangeRates(
            static,
            corporate,
            ", ".join(files),
            pl.concat(dated) if dated else None,
        )
        for entry in recognised:
            if entry.table == "opportunities":
                entry.rates = found
    return problems


def _unread_rate(file: str, row: int, header: str) -> Problem:
    return make_problem(
        "warning",
        file,
        row,
        header,
        worded(N_("not a rate of a currency code: this currency is not converted")),
        "unknown_value",
    )


def _read_rates(frame: pl.DataFrame) -> tuple[dict[str, str], pl.DataFrame]:
    """Return the headers by normalised name and each row's code, rate and number."""
    by_normal = {normalise_header(h): h for h in frame.columns}
    codes = pl.col(by_normal["isocode"]).cast(pl.String).str.strip_chars()
    rate = pl.col(by_normal["conversionrate"]).cast(pl.String).str.strip_chars()
    read = frame.with_columns(
        codes.str.to_uppercase().alias("code"),
        rate.cast(pl.Float64, strict=False).alias("rate"),
        pl.int_range(1, frame.height + 1).alias("row"),
    )
    return by_normal, read


#: A rate read: a three-letter code and a positive rate.
_USABLE = pl.col("code").str.contains(r"^[A-Z]{3}$") & (pl.col("rate") > 0)


def _static_rates(
    file: str, frame: pl.DataFrame
) -> tuple[dict[str, float], list[str], list[Problem]]:
    """Return a ``CurrencyType`` file's rates, corporate codes and unread rows."""
    by_normal, read = _read_rates(frame)
    corporate = (
        pl.col(by_normal["iscorporate"]).cast(pl.String).str.to_lowercase() == "true"
        if "iscorporate" in by_normal
        else pl.lit(False)
    )
    read = read.with_columns(corporate.fill_null(False).alias("corporate"))
    usable = read.filter(_USABLE)
    unread = [
        _unread_rate(file, row, by_normal["conversionrate"])
        for row in read.join(usable, on="row", how="anti")["row"]
    ]
    rates = dict(zip(usable["code"], usable["rate"], strict=True))
    return rates, usable.filter("corporate")["code"].to_list(), unread


def _dated_rates(file: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[Problem]]:
    """Return a ``DatedConversionRate`` file's periods and its unread rows.

    Columns: ``code``, ``rate``, ``start`` and ``next_start`` (null: open). A
    row whose rate, start or next start cannot be read is named under that
    column's header, and not used (an unread end would leave its period open
    over the ones after it).
    """
    by_normal, read = _read_rates(frame)

    def text(normal: str) -> pl.Expr:
        if normal not in by_normal:
            return pl.lit(None, dtype=pl.String)
        return pl.col(by_normal[normal]).cast(pl.String).str.strip_chars()

    def day(normal: str) -> pl.Expr:
        return text(normal).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)

    read = read.with_columns(
        day("startdate").alias("start"),
        day("nextstartdate").alias("next_start"),
        # which column cannot be read, in the order the row is named by
        pl.when(~_USABLE.fill_null(False))
        .then(pl.lit(by_normal["conversionrate"]))
        .when(day("startdate").is_null())
        .then(pl.lit(by_normal["startdate"]))
        .when(day("nextstartdate").is_null() & (text("nextstartdate") != ""))
        .then(pl.lit(by_normal.get("nextstartdate")))
        .alias("unread"),
    )
    unread = [
        _unread_rate(file, row, header)
        for row, header in read.filter(pl.col("unread").is_not_null())
        .select("row", "unread")
        .rows()
    ]
    periods = read.filter(pl.col("unread").is_null()).select(
        "code", "rate", "start", "next_start"
    )
    return periods, unread


def _rows(entry: RecognisedFile) -> pl.DataFrame | None:
    """Return a rates file's rows: read, or from disk where it was left there."""
    if entry.frame is not None and entry.frame.height:
        return entry.frame
    if entry.path is None:
        return entry.frame
    # a file left on disk for its size: a few hundred rows at most are read
    return pl.read_csv(
        entry.path,
        infer_schema=False,
        separator=entry.delimiter or ",",
        encoding="utf8-lossy",
    )


def currency_problems(
    cur: store.Connection,
    importable: list[RecognisedFile],
    in_place: store.LargeCsv | None,
    files_by_name: dict[str, list[RecognisedFile]],
) -> list[Problem]:
    """Give the import its rates; set a first import's currency; count conversions."""
    rates = next((e.rates for e in importable if e.rates is not None), None)
    if rates is not None:
        store.import_set_rates(cur, rates.rates, rates.corporate, rates.dated)
    problems: list[Problem] = []
    adopted = store.import_adopt_currency(cur, in_place)
    if adopted is not None:
        code, from_rates = adopted
        file = next(
            name
            for name, entries in files_by_name.items()
            if any(e.table == "opportunities" for e in entries)
        )
        message = (
            worded(
                N_(
                    "the deals are in several currencies and the portfolio's currency "
                    "was never set: this import sets it to the org's corporate "
                    "currency, {code} ({rates}), and converts the deals into it "
                    "(change it on the Import page)"
                ),
                code=code,
                rates=rates.file if rates is not None else "",
            )
            if from_rates
            else worded(
                N_(
                    "every deal is in {code} and the portfolio's currency was never "
                    "set: this import sets it to {code} (every money figure reads in "
                    "it; change it on the Import page)"
                ),
                code=code,
            )
        )
        problems.append(file_problem("warning", file, message, "currency_set"))
    if rates is None:
        return problems
    for record in store.import_converted_deals(cur).iter_rows(named=True):
        low, high = (
            f"{float(record['factor']):.6g}",
            f"{float(record['factor_high']):.6g}",
        )
        said = {
            "count": f"{int(record['rows']):,}",
            "code": record["code"],
            "portfolio": record["portfolio"],
            "file": rates.file,
        }
        message = (
            worded(
                N_(
                    "{count} deal(s) in {code} converted into {portfolio} with the "
                    "org's rates ({file}): each amount × {factor}"
                ),
                factor=low,
                **said,
            )
            if low == high
            else worded(
                N_(
                    "{count} deal(s) in {code} converted into {portfolio} with the "
                    "org's dated rates ({file}), each at its close date's rate: "
                    "× {low} to × {high}"
                ),
                low=low,
                high=high,
                **said,
            )
        )
        problems.append(
            file_problem("warning", record["_file"], message, "converted_currency")
        )
    return problems
