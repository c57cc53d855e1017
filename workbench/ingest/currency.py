"""An export's currencies: the org's exchange rates and the portfolio's currency.

A Salesforce org with several currencies exports its rates (``CurrencyType``:
each ISO code, its ``ConversionRate`` per unit of the corporate currency, and
``IsCorporate``). :func:`attach_rates` reads them onto the same export's deals'
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

#: The CRM object whose file holds the rates (recognised by its headers).
RATES_OBJECT = "CurrencyType"
#: Normalised headers a rates file has.
RATES_HEADERS = frozenset({"isocode", "conversionrate"})


def is_rates_file(headers: Sequence[str]) -> bool:
    """Return whether a file's headers are those of an org's exchange rates."""
    return {normalise_header(h) for h in headers} >= RATES_HEADERS


def attach_rates(recognised: list[RecognisedFile]) -> list[Problem]:
    """Read the export's exchange rates onto its deals' files; report what is unread."""
    problems: list[Problem] = []
    found: ExchangeRates | None = None
    for entry in recognised:
        if entry.object_name != RATES_OBJECT:
            continue
        frame = _rows(entry)
        if frame is None:
            continue
        by_normal = {normalise_header(h): h for h in frame.columns}
        codes = pl.col(by_normal["isocode"]).cast(pl.String).str.strip_chars()
        rate = pl.col(by_normal["conversionrate"]).cast(pl.String).str.strip_chars()
        corporate = (
            pl.col(by_normal["iscorporate"]).cast(pl.String).str.to_lowercase()
            == "true"
            if "iscorporate" in by_normal
            else pl.lit(False)
        )
        read = frame.select(
            codes.str.to_uppercase().alias("code"),
            rate.cast(pl.Float64, strict=False).alias("rate"),
            corporate.fill_null(False).alias("corporate"),
            pl.int_range(1, frame.height + 1).alias("row"),
        )
        usable = read.filter(
            pl.col("code").str.contains(r"^[A-Z]{3}$") & (pl.col("rate") > 0)
        )
        for row in read.join(usable, on="row", how="anti").iter_rows(named=True):
            problems.append(
                make_problem(
                    "warning",
                    entry.name,
                    row["row"],
                    by_normal["conversionrate"],
                    worded(
                        N_(
                            "not a rate of a currency code: this currency is not converted"
                        )
                    ),
                    "unknown_value",
                )
            )
        corporates = usable.filter("corporate")["code"].to_list()
        found = ExchangeRates(
            dict(zip(usable["code"], usable["rate"], strict=True)),
            corporates[0] if len(corporates) == 1 else None,
            entry.name,
        )
    if found is not None:
        for entry in recognised:
            if entry.table == "opportunities":
                entry.rates = found
    return problems


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
        store.import_set_rates(cur, rates.rates, rates.corporate)
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
        message = worded(
            N_(
                "{count} deal(s) in {code} converted into {portfolio} with the org's "
                "rates ({file}): each amount × {factor}"
            ),
            count=f"{int(record['rows']):,}",
            code=record["code"],
            portfolio=record["portfolio"],
            file=rates.file,
            factor=f"{float(record['factor']):.6g}",
        )
        problems.append(
            file_problem("warning", record["_file"], message, "converted_currency")
        )
    return problems
