"""``workbench nps``: Net Promoter Score per account, overall and per role."""

from __future__ import annotations

import argparse
from datetime import date

import polars as pl

from workbench import terms
from workbench.analytics import voice
from workbench.analytics.voice.conflicts import CONFLICT_COLUMNS
from workbench.cli._command import Command, add_flags, open_workbench
from workbench.cli._output import fit, print_json
from workbench.i18n import N_, current_language
from workbench.i18n import gettext as _

EXAMPLES = (
    "workbench nps",
    "workbench nps --db data/workbench.duckdb --json",
    "workbench nps --by quarter --since 2026-01-01",
    "",
    "workbench nps --conflicts --db data/workbench.duckdb --json",
)
# {percent} is "%": a bare one would read as a printf placeholder to the catalogues.
NOTES = N_(
    """\
Each account gets a row for all its responses ("all"), then one per role (or
department, or quarter). NPS = {percent} promoters (9-10) - {percent} detractors (0-6); it is
empty (null in JSON) where nobody answered. Each person counts once (their
latest answer in the period; with --by quarter, in each quarter); the period is
the last four quarters unless
--quarters or --since says otherwise. Every row carries its 95{percent} interval
(nps_low, nps_high) and too_few (fewer than 5 answers: not a finding).

--conflicts lists the accounts whose widest gap between two roles is unlikely
under chance (a permutation test within the account, Benjamini-Hochberg at 5{percent}
across accounts) and wider than --gap points.
"""
)


# The analytics' label for a group with too few answers, marked for the catalogues
# here because this command shows it.
N_("too few answers")


def _add_options(parser: argparse.ArgumentParser) -> None:
    add_flags(parser, {"--json": _("print as JSON")})
    parser.add_argument(
        "--by",
        choices=("role", "department", "quarter"),
        default="role",
        help=_("split each account by this (default %(default)s)"),
    )
    parser.add_argument(
        "--since",
        type=_date,
        metavar="YYYY-MM-DD",
        help=_("only responses on or after this day (instead of --quarters)"),
    )
    parser.add_argument(
        "--quarters",
        type=int,
        default=voice.DEFAULT_QUARTERS,
        metavar="N",
        help=_("the last N quarters of answers (default %(default)s; 0 = all time)"),
    )
    add_flags(
        parser, {"--conflicts": _("list the role conflicts beyond chance instead")}
    )
    parser.add_argument(
        "--gap",
        type=float,
        default=70.0,
        help=_(
            "with --conflicts: the smallest gap worth a flag, in NPS points "
            "(default %(default)s)"
        ),
    )
    parser.add_argument(
        "--min-responses",
        type=int,
        default=voice.MIN_RESPONSES,
        help=_(
            "with --conflicts: answers a role needs in the account "
            "(default %(default)s)"
        ),
    )


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            _("not a date: {text!r}").format(text=text)
        ) from error


def run(args: argparse.Namespace) -> int:
    """Print one row per account and group, or the role conflicts."""
    with open_workbench(args) as wb:
        since = args.since or wb.nps_period_start(args.quarters or None)
        if args.conflicts:
            conflicts = wb.role_conflicts(
                args.gap, min_responses=args.min_responses, since=since
            )
            return _print_conflicts(conflicts, args.json)
        answers = wb.nps_responses(since)
    # Each person once per period; split by quarter, once per quarter.
    responses = (
        voice.one_answer_per_person(voice.with_quarter(answers), by=["quarter"])
        if args.by == "quarter"
        else voice.one_answer_per_person(answers)
    )
    rows = voice.nps_rows_for_cli(responses, args.by)
    if args.json:
        print_json(rows)
        return 0
    responses_heading, interval_heading = (
        _("responses"),
        _("95{percent} interval").format(percent="%"),
    )
    print(
        f"{fit(_('account'), 14)}{fit(_(_GROUP_HEADINGS[args.by]), 22)}"
        f"{fit(responses_heading, 10, right=True)}"
        f"{fit(_('NPS'), 9, right=True)}{fit(interval_heading, 16, right=True)}"
    )
    too_few_label = _(voice.TOO_FEW_LABEL)
    for account_id, code, count, nps, low, high, too_few in rows.iter_rows():
        group = _group_label(args.by, code)
        shown = "" if nps is None else f"{nps:+.0f}"
        interval = (
            ""
            if low is None
            else _("{low} to {high}").format(low=f"{low:+.0f}", high=f"{high:+.0f}")
        )
        note = f"  ({too_few_label})" if too_few and count else ""
        print(
            f"{account_id:<14}{fit(group, 22)}{count:>10,}{shown:>9}"
            f"{fit(interval, 16, right=True)}{note}"
        )
    return 0


#: The heading of the group column by what ``--by`` splits on.
_GROUP_HEADINGS = {
    "role": N_("role"),
    "department": N_("department"),
    "quarter": N_("quarter"),
}


def _group_label(by: str, group: str) -> str:
    """A group's name as a person reads it: every answer, a role, or as stored.

    Roles are codes (``decider``), read in the language in force (codes in
    English, as ``--json`` carries them); departments and quarters are shown
    as they are.
    """
    if group == voice.ALL_GROUP:
        return _("all")
    if group == terms.UNKNOWN:  # a department the CRM left empty
        return _("(unknown)")
    if by == "role" and current_language() != "en":
        return terms.buying_role(group)
    return group


def _print_conflicts(conflicts: pl.DataFrame, as_json: bool) -> int:
    columns = [c for c in CONFLICT_COLUMNS if c != "flagged"]
    rows = conflicts.select(columns)
    if as_json:
        print_json(rows)
        return 0
    if rows.height == 0:
        print(_("No role conflict beyond chance in the period."))
        return 0
    english = current_language() == "en"
    for row in rows.iter_rows(named=True):
        if not english:
            row = {
                **row,
                "high_role": terms.buying_role(row["high_role"]),
                "low_role": terms.buying_role(row["low_role"]),
            }
        print(
            _(
                "{account_id}  {account_name}: "
                "{high_role} {high_nps:+.0f} [{high_nps_low:+.0f}, {high_nps_high:+.0f}] "
                "n={high_responses} vs {low_role} {low_nps:+.0f} "
                "[{low_nps_low:+.0f}, {low_nps_high:+.0f}] "
                "n={low_responses}; gap {gap:.0f}, p={p_value:.4f}, q={q_value:.3f}"
            ).format(**row)
        )
    return 0


COMMANDS = (
    Command(
        "nps",
        summary=N_("print the NPS per account and buying role"),
        description=N_(
            "Print the Net Promoter Score of every account that has survey "
            "responses: overall and per buying role, department or quarter."
        ),
        examples=EXAMPLES,
        notes=NOTES,
        fill=lambda: {"percent": "%"},
        add_options=_add_options,
        run=run,
    ),
)
