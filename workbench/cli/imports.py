"""``workbench import``: load CRM exports (files, folders, zip archives), all or nothing."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench import ingest, vocabulary
from workbench.cli._command import Command, add_flags, database, open_workbench
from workbench.cli._output import print_counts, print_json, progress, usage_error
from workbench.domain import LOCAL_ACTOR
from workbench.errors import RejectedInputError
from workbench.i18n import N_
from workbench.i18n import gettext as _

EXAMPLES = (
    "workbench import exports/Account.csv exports/Contact.csv",
    "workbench import salesforce_export.zip --db data/workbench.duckdb",
    "workbench import hubspot/ --source hubspot --dry-run --json",
    "workbench import 联系人.csv --encoding gb18030 --date-order dmy",
    "workbench import exports/ --replace-demo     ({why})",
    "workbench import --undo",
)
#: The options passed on to the import as they are: each is named after the keyword
#: of ``ingest.import_files`` it sets.
IMPORT_OPTIONS = (
    "source",
    "dry_run",
    "overwrite_edits",
    "encoding",
    "date_order",
    "again",
    "replace_demo",
)
WHY_REPLACE_DEMO = N_("the first real import into the demo")
EXIT_CODES = N_(
    """\
exit codes:
  0  imported (or, with --dry-run, would import)
  1  rejected: nothing was changed; the problems say why
  2  usage error
"""
)


def _add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help=_("files, folders or .zip archives")
    )
    parser.add_argument(
        "--source",
        choices=["auto", *vocabulary.SOURCES],
        default="auto",
        help=_("which CRM the files come from (default: recognise it)"),
    )
    add_flags(
        parser,
        {
            "--dry-run": _("check everything, change nothing"),
            "--json": _("print the report as one JSON object"),
            "--overwrite-edits": _(
                "let the files replace roles, influence and attitude edited in the "
                "workbench"
            ),
        },
    )
    parser.add_argument(
        "--encoding",
        metavar="NAME",
        help=_("force a text encoding (utf-8, gb18030, big5, cp1252, …)"),
    )
    parser.add_argument(
        "--date-order",
        choices=["mdy", "dmy"],
        help=_("how to read dates like 03/04/2024 when the file does not say"),
    )
    add_flags(
        parser,
        {
            "--replace-demo": _(
                "when the database holds the demo portfolio, remove it in the same "
                "transaction so that only your data remains"
            ),
            "--again": _("import even when these files were the last committed import"),
            "--undo": _(
                "undo the last committed import instead (refused while work done "
                "since names a record it added)"
            ),
        },
    )


def run(args: argparse.Namespace) -> int:
    """Import the paths (or undo the last import) and report."""
    if args.undo:
        if args.paths:
            return usage_error("import", _("--undo takes no PATH"))
        with open_workbench(args) as wb:
            undone = wb.undo_last_import(actor=LOCAL_ACTOR)
            counts = wb.info()["counts"]
        if args.json:
            print_json({"ok": True, "undone_run": undone["run_id"], "counts": counts})
        else:
            print(_("undid import run {run}").format(run=undone["run_id"]))
        return 0
    if not args.paths:
        return usage_error("import", _("give at least one PATH (file, folder or .zip)"))
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise RejectedInputError(
            _("no such file or folder: {paths}").format(paths=", ".join(missing))
        )
    with database(args, create=True) as con:
        report = ingest.import_files(
            con,
            [Path(p) for p in args.paths],
            actor=LOCAL_ACTOR,
            progress=lambda _fraction, message: progress(message),
            **{option: getattr(args, option) for option in IMPORT_OPTIONS},
        )
    if args.json:
        print_json(report.as_json())
    else:
        _print_report(report)
    return 0 if report.ok else 1


def _print_report(report: ingest.ImportReport) -> None:
    for entry in report.files:
        where = entry.table or _("not imported")
        print(f"{entry.name}: {entry.source} {entry.object_name or ''} → {where}")
    for problem in report.problems:
        place = ", ".join(
            part
            for part in (
                problem.file,
                _("row {row}").format(row=problem.row)
                if problem.row is not None
                else "",
                problem.column or "",
            )
            if part
        )
        level = ingest.summary.level_text(problem.level)
        print(f"{level}: {place}: {ingest.problem_text(problem)}")
    kinds = ingest.summary.readable_kinds(report.as_json()["warning_kinds"])
    if kinds:
        print(_("warnings by kind:"))
        for kind in kinds:
            print(f"  {kind['count']:>6,}  {kind['kind']}")
    _print_plan(report)
    if report.ok and not report.dry_run and report.run_id is None:
        print(_("nothing written: these files were the last committed import"))
        return
    left_out = ingest.summary.rows_left_out(report.plan)
    tail = (
        _(", leaving out {rows} row(s) of the files").format(rows=f"{left_out:,}")
        if left_out
        else ""
    )
    if report.ok and not report.dry_run:
        print(
            _("imported (run {run}){tail}; rows now in the database:").format(
                run=report.run_id, tail=tail
            )
        )
    elif report.ok:
        print(
            _("dry run: the import would succeed{tail}; nothing was changed").format(
                tail=tail
            )
        )
    else:
        print(_("rejected: nothing was changed"))
        return
    print_counts(report.counts, indent="  ")


def _print_plan(report: ingest.ImportReport) -> None:
    """Print per table what the import adds, updates and leaves out (and why)."""
    if not report.plan:
        return
    done = report.ok and not report.dry_run
    print(
        _("added, updated, left out:")
        if done
        else _("the import would add, update, leave out:")
    )
    for table, step in report.plan.items():
        line = f"  {table:22} +{step['add']:,}  ~{step['update']:,}  -{step['skip']:,}"
        if step.get("created_from_names"):
            line += "  " + _("({count} created from names)").format(
                count=f"{step['created_from_names']:,}"
            )
        print(line)
        for why in step.get("why") or []:
            print(
                f"  {'':22}   "
                + _("left out: {why}").format(why=ingest.summary.why_text(why))
            )


COMMANDS = (
    Command(
        "import",
        summary=N_(
            "import CRM exports (Salesforce, HubSpot, Dynamics 365, Chinese CRMs, "
            "CSV/Excel)"
        ),
        description=N_(
            "Import CRM export files, folders or zip archives into the database "
            "in one transaction: recognise the source and the tables, check every "
            "value and reference, then update rows by their CRM IDs. Any error "
            "rejects the whole import and changes nothing; warnings are imported and "
            "listed."
        ),
        examples=EXAMPLES,
        notes=EXIT_CODES,
        fill=lambda: {"why": _(WHY_REPLACE_DEMO)},
        add_options=_add_options,
        run=run,
    ),
)
