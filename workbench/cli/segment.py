"""``workbench segment``: value segment and relationship type of every account."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from workbench import terms
from workbench.analytics import segment
from workbench.cli._command import (
    Command,
    add_as_of_and_scenario,
    add_table_output,
    open_workbench,
)
from workbench.cli._output import fit, print_table, progress
from workbench.i18n import N_
from workbench.i18n import gettext as _

if TYPE_CHECKING:
    import polars as pl

    from workbench.api import Workbench

# option name → Thresholds field
_THRESHOLD_OPTIONS: dict[str, tuple[str, str]] = {
    "hourly_cost": ("--hourly-cost", N_("cost of one hour of our time (default 90)")),
    "default_margin_pct": (
        "--default-margin",
        N_("gross margin %% where an account has none (default 25)"),
    ),
    "wallet_share_of_revenue_pct": (
        "--wallet-share",
        N_(
            "potential as %% of the customer's revenue when the wallet is unknown "
            "(default 0.3)"
        ),
    ),
    "minutes_per_activity_without_duration": (
        "--minutes-without-duration",
        N_("minutes assumed per activity without a duration (default 15)"),
    ),
    "default_term_months": (
        "--default-term",
        N_(
            "months a won deal's revenue is spread over when no contract is known "
            "(default 12)"
        ),
    ),
    "expected_remaining_years": (
        "--remaining-years",
        N_(
            "lifetime value: years an account is expected to stay where its "
            "contract leaves fewer (default 3)"
        ),
    ),
    "valuable_top_pct": (
        "--top-pct",
        N_("most valuable: top %% of accounts by contribution (default 20)"),
    ),
    "valuable_min_contribution": (
        "--min-contribution",
        N_("most valuable: contribution at least this (switches to the absolute mode)"),
    ),
    "growable_top_pct": (
        "--growable-pct",
        N_("most growable: top %% of the rest by headroom (default 25)"),
    ),
    "relationship_threshold": (
        "--relationship-threshold",
        N_("partnership at a relationship score of at least this, 0-100 (default 60)"),
    ),
}


def _add_options(parser: argparse.ArgumentParser) -> None:
    add_as_of_and_scenario(
        parser,
        _("start from a saved scenario's thresholds (options below override it)"),
    )
    for field, (option, help_text) in _THRESHOLD_OPTIONS.items():
        parser.add_argument(
            option, dest=field, type=float, metavar="N", help=_(help_text)
        )
    add_table_output(
        parser,
        _(
            "print {as_of, currency, thresholds, accounts: [one object per "
            "account], not_segmented: [accounts typed as no customer]}"
        ),
    )


def _thresholds(args: argparse.Namespace, wb: Workbench) -> segment.Thresholds:
    values: dict[str, Any] = (
        wb.scenario(args.scenario).to_dict() if args.scenario else {}
    )
    for field in _THRESHOLD_OPTIONS:
        given = getattr(args, field)
        if given is not None:
            values[field] = given
    if args.valuable_min_contribution is not None:
        values["valuable_mode"] = "absolute"
    return segment.Thresholds.from_dict(values)


def run(args: argparse.Namespace) -> int:
    """Print the segmentation of every account."""
    with open_workbench(args) as wb:
        thresholds = _thresholds(args, wb)
        as_of = wb.as_of(args.as_of)
        progress(_("segmenting accounts as of {day}").format(day=as_of))
        segments = wb.segments(thresholds, as_of)
        currency = wb.currency()
        left_out = wb.accounts_not_segmented()
    table = segment.account_table(segments)
    document = {
        "as_of": as_of,
        # the money in every row is in it
        "currency": currency,
        "thresholds": thresholds.to_dict(),
        "accounts": table,
        # competitors, partners, suppliers: kept, but no customer to segment
        "not_segmented": left_out,
    }

    def text() -> None:
        _print_accounts(table, currency)
        if left_out.height:
            print(
                _(
                    "Not segmented, typed in the CRM as no customer and with no "
                    "deal on record: {accounts}"
                ).format(
                    accounts=", ".join(
                        f"{name} ({kind})"
                        for name, kind in left_out.select("name", "crm_type").rows()
                    )
                )
            )

    return print_table(args, table, text, document)


def _print_accounts(table: pl.DataFrame, currency: str) -> None:
    columns = ("account_id", "value_segment", "relationship", "contribution")
    contribution = _("contribution")
    headings = (
        _("account"),
        _("segment"),
        _("relationship"),
        f"{contribution} ({currency})",
    )
    print(
        f"{fit(headings[0], 12)} {fit(headings[1], 14)} {fit(headings[2], 14)} "
        f"{fit(headings[3], 18, right=True)}  " + _("name")
    )
    # a person reads the segment and the relationship in the language in force
    # (the codes in English, as --json and --csv carry them)
    shown = terms.localise_values(table.select(*columns, "name"))
    for account, value_segment, relationship, contribution, name in shown.iter_rows():
        print(
            f"{fit(account, 12)} {fit(value_segment, 14)} {fit(relationship, 14)} "
            f"{contribution:>18,.0f}  {name}"
        )


COMMANDS = (
    Command(
        "segment",
        summary=N_("value segment and transactional/partnership type of every account"),
        description=N_(
            "Segment every account: most_valuable, most_growable, "
            "below_zero or maintain by contribution and headroom (no_data for "
            "accounts with no revenue, people, activity or open deal: never ranked), "
            "and transactional or partnership by a transparent relationship score "
            "(manual overrides win). Revenue is the won deals in force, each spread "
            "over its contract term (revenue_basis says which). Prints one row per "
            "account with the features used. Accounts the CRM types as no customer "
            "(competitors, partners, suppliers, the press, investors) with no deal "
            "on record are not segmented: --json lists them in not_segmented."
        ),
        examples=(
            "workbench segment",
            "workbench segment --as-of 2026-06-30 --hourly-cost 120 --csv "
            "> segments.csv",
            "workbench segment --scenario 'Workshop A' --json",
            "workbench segment --min-contribution 250000 --relationship-threshold 50",
        ),
        add_options=_add_options,
        run=run,
    ),
)
