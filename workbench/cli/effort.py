"""``workbench effort``: our effort per account against its type, segment and value."""

from __future__ import annotations

import argparse
import sys

import polars as pl

from workbench import terms
from workbench.analytics import effort
from workbench.cli._command import (
    Command,
    add_as_of_and_scenario,
    add_flags,
    add_table_output,
    open_workbench,
)
from workbench.cli._output import fit, print_table, progress
from workbench.errors import RejectedInputError
from workbench.i18n import N_, current_language
from workbench.i18n import gettext as _

# MisallocationRules field → its option and help (%% is a percent sign to argparse).
_RULE_OPTIONS: dict[str, tuple[str, str]] = {
    "over_factor": (
        "--over-factor",
        N_(
            "over-served above X times the high end of the hours its service model "
            "deserves (default %(default)s)"
        ),
    ),
    "thin_factor": (
        "--thin-factor",
        N_("under-served below X times the low end of that band (default %(default)s)"),
    ),
    "broad_share_pct": (
        "--broad-share",
        N_(
            "purchasing-only model: too broad with X %% or more of the named hours "
            "beyond purchasing (default %(default)s)"
        ),
    ),
    "executive_share_pct": (
        "--executive-share",
        N_(
            "purchasing-only model: too broad with X %% or more of the named hours "
            "with executives (default %(default)s)"
        ),
    ),
    "narrow_share_pct": (
        "--narrow-share",
        N_(
            "broader models: too narrow with less than X %% of the named hours "
            "beyond purchasing (default %(default)s)"
        ),
    ),
    "min_named_hours": (
        "--min-named-hours",
        N_(
            "judge whom we work with only on X hours or more with named people "
            "(default %(default)s)"
        ),
    ),
}


def _add_options(parser: argparse.ArgumentParser) -> None:
    add_as_of_and_scenario(
        parser, _("segment with a saved scenario's thresholds (default: the defaults)")
    )
    add_flags(
        parser,
        {
            "--issues": _(
                "print the over-/under-served accounts instead of every account"
            )
        },
    )
    defaults = effort.MisallocationRules()
    for field, (option, help_text) in _RULE_OPTIONS.items():
        parser.add_argument(
            option,
            dest=field,
            type=float,
            default=getattr(defaults, field),
            metavar="X",
            help=_(help_text),
        )
    # Kept so that older scripts still run: a fall in hours is no verdict on its
    # own any more (an account is judged against its service model).
    parser.add_argument(
        "--shrink-pct", type=float, default=None, metavar="X", help=argparse.SUPPRESS
    )
    add_table_output(parser, _("print a JSON list of rows"))


def _rules(args: argparse.Namespace) -> effort.MisallocationRules:
    """The misallocation rules the options give, checked before any data is read."""
    given = {field: float(getattr(args, field)) for field in _RULE_OPTIONS}
    if given["over_factor"] <= 0:
        raise RejectedInputError(_("--over-factor must be above 0"))
    others = [value for field, value in given.items() if field != "over_factor"]
    if min(others) < 0 or (args.shrink_pct is not None and args.shrink_pct < 0):
        raise RejectedInputError(_("misallocation thresholds must not be negative"))
    if args.shrink_pct is not None:
        # kept so older scripts still run; say so rather than ignore it silently
        print(
            _(
                "note: --shrink-pct no longer changes anything: verdicts compare each "
                "account's hours with its service model's band (docs/effort.md)"
            ),
            file=sys.stderr,
        )
    return effort.MisallocationRules().changed(**given)


def run(args: argparse.Namespace) -> int:
    """Print effort per account (or the misallocation list)."""
    rules = _rules(args)
    with open_workbench(args) as wb:
        thresholds = wb.scenario(args.scenario) if args.scenario else None
        as_of = wb.as_of(args.as_of)
        progress(_("adding up effort as of {day}").format(day=as_of))
        accounts = wb.judged_effort(
            thresholds=thresholds,
            as_of=as_of,
            model=wb.service_model(args.scenario),
            rules=rules,
        )
        currency = wb.currency()
    if args.issues:
        issues = effort.issues(accounts, currency)
        return print_table(args, issues, lambda: _print_issues(issues))
    table = accounts.select(effort.CLI_COLUMNS)
    return print_table(args, table, lambda: _print_accounts(table))


def _print_issues(table: pl.DataFrame) -> None:
    for row in table.select("issue", "account_id", "name", "why").iter_rows():
        print(f"{row[0]:30} {row[1]:12} {row[2]}: {row[3]}")


def _print_accounts(table: pl.DataFrame) -> None:
    headings = (
        _("account"),
        _("relationship"),
        _("segment"),
        _("hours"),
        _("deserved"),
        _("investment"),
        _("people"),
    )
    widths = (12, 14, 14, -8, -13, 15, 13)  # negative: aligned right
    print(
        " ".join(
            fit(heading, abs(width), right=width < 0)
            for heading, width in zip(headings, widths, strict=True)
        )
        + " "
        + _("name")
    )
    columns = (
        "account_id",
        "relationship",
        "value_segment",
        "effort_hours",
        "deserved_low_hours",
        "deserved_high_hours",
        "investment",
        "people",
        "name",
    )
    # codes in English (as --json and --csv carry them), labels in Chinese
    shown = terms.localise_values(table.select(columns))
    english = current_language() == "en"
    for row in shown.iter_rows():
        band = "" if row[4] is None else f"{row[4]:,.0f}-{row[5]:,.0f}"
        investment, people = (
            (row[6], row[7])
            if english
            else (terms.effort_verdict(row[6]), terms.effort_verdict(row[7]))
        )
        print(
            f"{fit(row[0], 12)} {fit(row[1], 14)} {fit(row[2], 14)} {row[3]:>8,.0f} "
            f"{band:>13} {fit(investment, 15)} {fit(people, 13)} {row[8]}"
        )


COMMANDS = (
    Command(
        "effort",
        summary=N_("effort hours per account against what its service model deserves"),
        description=N_(
            "Effort of the 12 months up to the as-of date per account: "
            "recorded minutes plus assumed minutes for activities without a duration, "
            "activities, shares of effort, revenue and contribution, the band of hours "
            "the account's service model deserves (docs/effort.md; the one saved with "
            "the scenario, else the defaults) and its verdicts: investment (under, "
            "over, right) and people (wrong people, right). Activities naming no "
            "person are unattributed and never count as beyond purchasing. With "
            "--issues, the misallocation list instead (one investment and one people "
            "issue at most per account, never two that contradict)."
        ),
        examples=(
            "workbench effort",
            "workbench effort --json > effort.json",
            "workbench effort --as-of 2026-06-30 --csv > effort.csv",
            "workbench effort --issues --over-factor 1.5",
        ),
        add_options=_add_options,
        run=run,
    ),
)
