"""The one-pass load of a large activity export, alone or with the rest of its export.

Activity exports (calls, e-mails, tasks) are the files with millions of rows.
When the activity file holds nothing the staged path would report, it is parsed
straight into ``activities`` instead of being staged as text, checked and copied
again (see :func:`workbench.store.import_activities_load`). The other files of
the same export (users, accounts, contacts, deals) are staged, checked and
written after it, in the same transaction, and the activities' references are
checked last, against the rows just written. Anything to report rolls the whole
transaction back and the caller stages every file, which reports each problem
with its file, row and column: the result and the report are those of the
staged path either way. This module also records a run (:class:`RunRecord`),
for the staged path as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench import store
from workbench.access import require
from workbench.domain import Actor, Problem
from workbench.errors import RejectedInputError
from workbench.i18n import gettext as _
from workbench.ingest import guards, summary
from workbench.ingest.checks import (
    large_csv,
    reference_code,
    reference_message,
    stage_and_check,
    utf8_copy,
)
from workbench.ingest.messages import (
    account_via_problems,
    filled_problems,
    merged_reference_problems,
    not_done_problem,
)
from workbench.ingest.model import (
    ColumnMapping,
    DateOrder,
    ImportReport,
    ProgressCallback,
    RecognisedFile,
)
from workbench.ingest.problems import capped_problems


class NotClean(Exception):
    """Raised inside the one-pass load's transaction to roll it back for the staged path."""


@dataclass
class RunRecord:
    """What an import run records beside its problems: the files, source, who and when."""

    recognised: list[RecognisedFile]
    importable: list[RecognisedFile]
    source_label: str
    actor: Actor
    started: Any
    mappings: dict[str, ColumnMapping] | None

    def commit(
        self, cur: store.Connection, run_id: int, problems: list[Problem]
    ) -> dict[str, int]:
        """Remember the user's mappings and record the committed run; return the counts."""
        for entry in self.importable:
            if entry.name in (self.mappings or {}) and entry.table:
                store.save_column_mapping(
                    cur,
                    self.actor,
                    entry.header_signature,
                    entry.table,
                    # a header chosen not to read even where another is empty
                    {**dict.fromkeys(entry.not_fallbacks, ""), **entry.mapping},
                )
        return self.record(cur, run_id, "committed", problems)

    def record(
        self,
        cur: store.Connection,
        run_id: int,
        status: str,
        problems: list[Problem],
    ) -> dict[str, int]:
        """Record a run (``committed`` or ``rejected``) with its files and problems.

        Returns the rows per table as the run leaves them.
        """
        counts = store.import_table_counts(cur)
        store.record_import_run(
            cur,
            run_id=run_id,
            started_at=self.started,
            source=self.source_label,
            status=status,
            files=guards.files_record(self.recognised),
            counts=counts,
            problems=[p.as_dict() for p in problems],
            user_name=self.actor.name,
        )
        return counts


def large_activity_file(importable: list[RecognisedFile]) -> RecognisedFile | None:
    """Return the import's one large activity CSV, or None when there is none.

    Only a file read from disk (a large one) qualifies, and only when it is the
    import's only activity file: several activity files are staged together so
    that duplicates between them are reported.
    """
    activity_files = [r for r in importable if r.table == "activities"]
    if len(activity_files) != 1:
        return None
    entry = activity_files[0]
    if entry.path is None or entry.delimiter is None or entry.source == "survey":
        return None
    return entry


def direct_load(
    con: store.Connection,
    run: RunRecord,
    problems: list[Problem],
    *,
    actor: Actor,
    overwrite_edits: bool,
    date_order: DateOrder | None,
    say: ProgressCallback,
    memory_limit: str | None = None,
) -> ImportReport | None:
    """Import with the large activity file loaded in one pass; None to stage instead.

    The activity file is loaded first, then the other files are staged,
    checked and written, then the activities' references are checked; a
    problem with an error level among the other files, or anything to report
    in the activity file, rolls everything back (None): the staged path then
    reports every problem of every file at once.

    ``memory_limit``: DuckDB's cap while the load runs with other files (see
    :data:`~.pipeline.ONE_PASS_MEMORY_PER_FILE_BYTE`), the cap in force given
    back after it. A load that runs out of memory under it is rolled back and
    run again under the cap in force (the staged path's).
    """
    require(actor, "import")
    entry = large_activity_file(run.importable)
    if entry is None:
        return None
    arguments: dict[str, Any] = {
        "overwrite_edits": overwrite_edits,
        "date_order": date_order,
        "say": say,
    }
    # alone, the activity file holds nothing until the commit that a lower cap
    # would spill (its rows are written as they come): it keeps the cap in force
    if memory_limit is None or len(run.importable) == 1:
        return _load(con, run, problems, entry, **arguments)
    in_force = store.set_memory_limit(con, memory_limit)
    try:
        try:
            return _load(con, run, problems, entry, **arguments)
        except store.OutOfMemoryError:
            # the lower cap does not hold this export: nothing was written
            store.set_memory_limit(con, in_force)
            return _load(con, run, problems, entry, **arguments)
    finally:
        store.set_memory_limit(con, in_force)


def _load(
    con: store.Connection,
    run: RunRecord,
    problems: list[Problem],
    entry: RecognisedFile,
    *,
    overwrite_edits: bool,
    date_order: DateOrder | None,
    say: ProgressCallback,
) -> ImportReport | None:
    """Run :func:`direct_load`'s transaction once, under the cap in force."""
    others = [r for r in run.importable if r is not entry]
    try:
        with store.write_transaction(con) as cur:
            run_id = store.import_next_run_id(cur)
            store.import_begin(cur)
            # The activities first: their load needs a few hundred megabytes
            # while it runs, the other files' tables hold theirs until the
            # commit (see store.import_activities_load); in this order the
            # two do not add up.
            say(0.3, _("loading {file}").format(file=entry.name))
            with utf8_copy(entry) as path:
                csv = large_csv(entry, path)
                rows = store.import_activities_load(cur, run_id, csv)
                if rows is None:
                    raise NotClean
                not_done, filled = store.import_activities_recount(cur, csv)
                plan, written, found = _write_others(
                    con, cur, run_id, others, overwrite_edits, date_order, say
                )
                # what names a record merged into another counts for its
                # survivor, as on the staged path (the other files made the map)
                merged = (
                    store.import_redirect_loaded(cur, run_id, entry.name)
                    if others and store.import_merged_count(cur)
                    else None
                )
                say(
                    0.95,
                    _("checking the references of {file}").format(file=entry.name),
                )
                references = store.import_activities_references(cur, run_id, csv)
            if references is None:
                raise NotClean
            entry.rows = rows
            problems = [
                *problems,
                *([not_done_problem(entry.name, not_done)] if not_done else []),
                *filled_problems(filled, {entry.name: [entry]}, "activities"),
                *found,
                *(
                    merged_reference_problems(merged, {entry.name: [entry]})
                    if merged is not None
                    else []
                ),
                *account_via_problems(store.import_account_via(cur, entry.name)),
                *capped_problems(
                    references,
                    {entry.name: [entry]},
                    "",
                    reference_message,
                    reference_code,
                ),
            ]
            counts = run.commit(cur, run_id, problems)
    except (NotClean, RejectedInputError):
        # The staged path finds the same problems and reports them row by row.
        say(0.3, _("checking {file} row by row").format(file=entry.name))
        return None
    say(1.0, _("done"))
    plan["activities"] = {
        "add": rows,
        "update": 0,
        "skip": 0,
        "created_from_names": 0,
        "deleted_in_crm": 0,
        "not_done_in_crm": not_done,
        "why": [],
    }
    written["activities"] = rows
    return ImportReport(
        True,
        run.source_label,
        counts,
        problems,
        run_id,
        run.recognised,
        False,
        written,
        plan,
    )


def _in_place(others: list[RecognisedFile]) -> dict[str, RecognisedFile]:
    """Return, per table, the people's or deals' file its build may read in place.

    A UTF-8 CSV file on disk, the only one of its table (several are staged
    together, so that doubles between them are reported).
    """
    chosen: dict[str, RecognisedFile] = {}
    for table in store.DIRECT_BUILD_TABLES:
        files = [r for r in others if r.table == table]
        if len(files) == 1 and (
            files[0].path is not None
            and files[0].delimiter is not None
            and files[0].encoding in {"utf-8", "ascii"}
            and files[0].source != "survey"
        ):
            chosen[table] = files[0]
    return chosen


def _write_others(
    con: store.Connection,
    cur: store.Connection,
    run_id: int,
    others: list[RecognisedFile],
    overwrite_edits: bool,
    date_order: DateOrder | None,
    say: ProgressCallback,
) -> tuple[dict[str, dict[str, Any]], dict[str, int], list[Problem]]:
    """Stage, check and write the export's other files; return plan, written, problems.

    Raises NotClean when they hold an error: the staged path then reports it with
    the activity file's problems.
    """
    if not others:
        return {}, {}, []
    try:
        found = stage_and_check(
            con, cur, others, overwrite_edits, date_order, say, _in_place(others)
        )
    except store.NotDirect:
        # A row of the people's or deals' file that the staged path acts on:
        # the others are staged after all, beside the activities loaded.
        store.import_drop_inputs(cur, store.IMPORT_ORDER)
        found = stage_and_check(con, cur, others, overwrite_edits, date_order, say)
    if any(p.level == "error" for p in found):
        raise NotClean
    tables = sorted({r.table for r in others if r.table})
    plan = summary.import_plan(store.import_plan(cur, tables), others, found)
    say(0.7, _("writing"))
    return plan, store.import_commit(cur, run_id, tables), found
