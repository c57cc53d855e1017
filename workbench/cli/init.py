"""``workbench init``: create a database, empty or with the demo portfolio.

``--empty`` starts clean for real data: a new file gets the schema and nothing
else; a file that still holds the demo loses it (and the work done on it). A
database holding imported data is never emptied by this command.
"""

from __future__ import annotations

import argparse

from workbench import demo, store
from workbench.cli._command import Command, add_flags, database
from workbench.cli._output import print_counts, print_outcome, progress
from workbench.domain import LOCAL_ACTOR
from workbench.errors import RejectedInputError
from workbench.i18n import N_
from workbench.i18n import gettext as _

#: The outcome as the JSON says it (never translated) → the sentence a person reads.
OUTCOMES = {
    "kept its imported data": N_("kept its imported data"),
    "emptied the demo portfolio": N_("emptied the demo portfolio"),
    "created empty": N_("created empty"),
    "holds the demo portfolio already": N_("holds the demo portfolio already"),
    "wrote the demo portfolio": N_("wrote the demo portfolio"),
}


def _add_options(parser: argparse.ArgumentParser) -> None:
    add_flags(parser, {"--empty": _("no demo data: start from your exports")})
    parser.add_argument(
        "--currency",
        metavar="CODE",
        help=_(
            "the currency the portfolio's amounts are in (ISO 4217, e.g. EUR, CNY, "
            "TWD); recorded in the database and shown with every money figure"
        ),
    )
    add_flags(parser, {"--json": _("print the outcome as one JSON object")})


def run(args: argparse.Namespace) -> int:
    """Create or empty the database, record its currency; print the rows per table."""
    currency_code = _checked_currency(args.currency)
    with database(args, create=True) as con:
        outcome = _create_or_empty(con, args.empty, currency_only=bool(currency_code))
        if currency_code:
            store.set_portfolio_currency(con, LOCAL_ACTOR, currency_code)
        counts = store.table_counts(con)
        currency = store.portfolio_currency(con)

    def print_text() -> None:
        print(
            _("database {outcome}; amounts in {currency}").format(
                outcome=_(OUTCOMES[outcome]), currency=currency
            )
        )
        print_counts(counts, indent="  ")

    document = {"ok": True, "outcome": outcome, "counts": counts, "currency": currency}
    return print_outcome(args.json, document, print_text)


def _checked_currency(code: str | None) -> str | None:
    # Checked before the file is touched, so a typo changes nothing.
    if not code:
        return None
    normalised = code.strip().upper()
    if len(normalised) != 3 or not normalised.isalpha() or not normalised.isascii():
        raise RejectedInputError(
            _(
                "a currency is three letters (ISO 4217, e.g. EUR, CNY, TWD), "
                "not {code!r}"
            ).format(code=code)
        )
    return normalised


def _create_or_empty(con: store.Connection, empty: bool, *, currency_only: bool) -> str:
    holds_demo = store.holds_demo(con)
    holds_data = any(store.table_counts(con).values())
    if holds_data and not holds_demo:
        if currency_only and not empty:
            return "kept its imported data"
        raise RejectedInputError(
            _(
                "the database holds imported data; init changes nothing. Use another "
                "--db file for a fresh start."
            )
        )
    if empty:
        store.remove_demo(con, LOCAL_ACTOR)
        return "emptied the demo portfolio" if holds_demo else "created empty"
    if holds_demo:
        return "holds the demo portfolio already"
    demo.write_demo(con, progress=progress)
    return "wrote the demo portfolio"


COMMANDS = (
    Command(
        "init",
        summary=N_("create a database: empty (--empty) or with the demo portfolio"),
        description=N_(
            "Create the database file with its schema. With --empty it holds "
            "no data, ready for your CRM exports; an existing file that holds only "
            "the demo portfolio is emptied. Without --empty the demo portfolio is "
            "written into a new or empty database. A database with imported data is "
            "left as it is."
        ),
        examples=(
            "workbench init --empty --db data/acme.duckdb",
            "workbench init --db /tmp/demo.duckdb",
        ),
        add_options=_add_options,
        run=run,
    ),
)
