"""The import pipeline: the one-pass load, the staged import, commit and its record.

Files are read and recognised here; the store stages them as text in one write
transaction, parses and checks them with SQL, and upserts them. Errors reject the
whole import (the transaction rolls back); warnings import and stay visible. This
module holds no SQL: it calls :mod:`workbench.store`.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from workbench import store, vocabulary
from workbench.access import require
from workbench.domain import Actor, Problem, Wording
from workbench.errors import RejectedInputError
from workbench.i18n import N_
from workbench.i18n import gettext as _
from workbench.ingest import guards, summary
from workbench.ingest.checks import file_problems, stage_and_check
from workbench.ingest.direct import RunRecord, direct_load
from workbench.ingest.model import (
    ColumnMapping,
    DateOrder,
    ImportReport,
    ProgressCallback,
    RecognisedFile,
    settle_digests,
)
from workbench.ingest.problems import file_problem, refusal_wording, worded
from workbench.ingest.proposal import first_file_name, propose_files

#: DuckDB's memory cap while large files are imported, at least (it spills to
#: disk beyond): a one-pass load of 2 million activities needs about 250 MB of
#: buffers (the reader's and the row groups waiting to be written); with a cap
#: of 1 GB DuckDB kept about 300 MB more until the commit, so an import took
#: nearly twice the memory of DuckDB's own read of the file.
LARGE_IMPORT_MEMORY_FLOOR_MB = 400
#: The cap grows with the large files' bytes: the staged path, which reports a
#: file's problems row by row, holds the file's text in temporary tables and some
#: of its steps do not spill (2 million activities, 136 MB of CSV, ran out of
#: memory under a cap of 100 MB and passed under 200 MB).
LARGE_IMPORT_MEMORY_PER_FILE_BYTE = 3
#: Never above this share of the machine's memory (DuckDB's own default cap).
LARGE_IMPORT_MEMORY_MAX_SHARE = 0.8
#: While the one-pass load runs beside other files (:mod:`.direct`) the cap is
#: lower: half the large files' bytes, at least the floor. The load needs a few
#: hundred megabytes of buffers; what the import holds beyond them (the people's
#: and deals' tables built beside it, which DuckDB keeps until the commit)
#: spills to disk under this cap instead of adding to the process's memory.
#: Measured on a whole Salesforce export of 2.8 GB (100,000 accounts, 20
#: million tasks): a peak of 1.5 GB against 2.1 GB under the staged path's cap,
#: 22.0 against 21.3 s (DuckDB's own read of the five files peaks at 1.1 GB); a
#: cap of a third of the bytes took 1.1 GB and 24.4 s. On the 276 MB export
#: (the floor): 354 to 363 MB against 475 MB, in the same time. An activity
#: file alone holds nothing until its commit: under the lower cap it took 60 to
#: 100 MB less and 2 to 4 % longer (1.4 GB of CSV), so it keeps the staged
#: path's cap. An export the lower cap does not hold is loaded again under the
#: staged path's cap (:func:`.direct.direct_load`).
ONE_PASS_MEMORY_PER_FILE_BYTE = 0.5


def large_import_memory_limit(
    file_bytes: int,
    machine_bytes: int | None,
    per_file_byte: float = LARGE_IMPORT_MEMORY_PER_FILE_BYTE,
) -> str:
    """Return DuckDB's memory cap (``"412MiB"``) for importing large files of that size.

    ``machine_bytes``: the machine's memory, None when it cannot be told.
    ``per_file_byte``: the cap's bytes per file byte above the floor (the staged
    path's; :data:`ONE_PASS_MEMORY_PER_FILE_BYTE` for the one-pass load).
    """
    wanted = max(
        LARGE_IMPORT_MEMORY_FLOOR_MB * 2**20,
        math.ceil(per_file_byte * file_bytes),
    )
    if machine_bytes:
        wanted = min(wanted, int(LARGE_IMPORT_MEMORY_MAX_SHARE * machine_bytes))
    # in binary megabytes, as computed: DuckDB reads "MB" as 1,000,000 bytes
    return f"{math.ceil(wanted / 2**20)}MiB"


def _machine_memory_bytes() -> int | None:
    """Return the machine's physical memory, or None where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


class _RejectedImport(Exception):
    """Raised inside the write transaction to roll it back."""


def import_files(
    con: store.Connection,
    files: Sequence[tuple[str, bytes]] | Sequence[Path] | Sequence[str | Path],
    *,
    actor: Actor,
    source: str = "auto",
    dry_run: bool = False,
    mappings: dict[str, ColumnMapping] | None = None,
    overwrite_edits: bool = False,
    progress: ProgressCallback | None = None,
    encoding: str | None = None,
    date_order: DateOrder | None = None,
    again: bool = False,
    replace_demo: bool = False,
) -> ImportReport:
    """Import CRM exports into the database, all or nothing.

    Args:
        con: the database.
        files: ``(name, bytes)`` pairs (uploads) or paths of files, folders and zip
            archives.
        actor: who imports; needs the ``import`` right.
        source: ``auto`` or one of ``salesforce``, ``hubspot``, ``dynamics``,
            ``chinese_crm``, ``generic``.
        dry_run: check everything, change nothing.
        mappings: per file name, the user's table and column mapping; saved for
            files with the same header when the import commits.
        overwrite_edits: let the files replace roles, influence and attitude
            edited in the workbench (default: edits win).
        progress: called with (fraction done, what is happening).
        encoding: force a text encoding for every file.
        date_order: ``mdy`` or ``dmy`` for dates like 03/04/2024 that could be either.
        again: import even when the same files were the last committed import
            (by default that is said and nothing is written).
        replace_demo: when the database holds the demo portfolio, remove it in
            the import's transaction, so that only the files' data remains.

    Returns:
        The report: ok, source, counts after the run, problems, run ID, files.

    Raises:
        PermissionDeniedError: the actor may not import.
    """
    require(actor, "import")
    if source not in {"auto", "survey", *vocabulary.SOURCES}:
        raise RejectedInputError(
            worded(
                N_("unknown source {source}; choose auto, {sources}."),
                source=repr(source),
                sources=", ".join(vocabulary.SOURCES),
            )
        )
    started = store.now_utc()
    say = progress or (lambda _fraction, _message: None)
    say(0.0, _("reading files"))
    # Large uploads are written here for DuckDB's reader; removed at the end.
    try:
        with (
            tempfile.TemporaryDirectory(prefix="workbench-import-") as spill,
            # the files' digests, computed beside the reading and the load; the
            # executor's end waits for them, before their spilled copies go
            ThreadPoolExecutor(max_workers=1) as hasher,
        ):
            report = _import_with(
                con,
                files,
                actor=actor,
                source=source,
                dry_run=dry_run,
                mappings=mappings,
                overwrite_edits=overwrite_edits,
                say=say,
                encoding=encoding,
                date_order=date_order,
                started=started,
                spill=Path(spill),
                again=again,
                replace_demo=replace_demo,
                hasher=hasher,
            )
        # every digest is done (the executor's end waited): plain text from here
        settle_digests(report.files)
        return report
    except (MemoryError, RecursionError, store.OutOfMemoryError) as error:
        # A hostile or absurd file (a zip bomb's member, JSON nested thousands
        # deep): the write transaction has rolled back, so the database is as
        # it was; the person gets a refusal, not a traceback.
        raise RejectedInputError(
            worded(
                N_(
                    "{files}: the import ran out of nesting depth and was refused; "
                    "nothing was changed. Split the file, or export it as CSV with "
                    "fewer columns."
                )
                if isinstance(error, RecursionError)
                else N_(
                    "{files}: the import ran out of memory and was refused; nothing "
                    "was changed. Split the file, or export it as CSV with fewer "
                    "columns."
                ),
                files=_input_names(files),
            )
        ) from error


def _upload_error(files: Sequence[Any], message: str | Wording, code: str) -> Problem:
    """Return an error about the whole upload, placed on its first file."""
    return file_problem("error", first_file_name(files), message, code)


def _input_names(files: Sequence[Any]) -> str:
    """Return the base names of the inputs, for a message about all of them."""
    names = [
        Path(str(item[0] if isinstance(item, tuple) else item)).name for item in files
    ]
    shown = ", ".join(names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _import_with(
    con: store.Connection,
    files: Sequence[Any],
    *,
    actor: Actor,
    source: str,
    dry_run: bool,
    mappings: dict[str, ColumnMapping] | None,
    overwrite_edits: bool,
    say: ProgressCallback,
    encoding: str | None,
    date_order: DateOrder | None,
    started: Any,
    spill: Path,
    again: bool,
    replace_demo: bool,
    hasher: Executor,
) -> ImportReport:
    recognised, problems = propose_files(
        con,
        files,
        source=source,
        encoding=encoding,
        mappings=mappings,
        progress=say,
        spill_dir=spill,
        hasher=hasher,
    )
    for entry in recognised:
        problems += file_problems(entry)
    importable = [r for r in recognised if r.table is not None]
    if (
        importable
        and all(r.rows == 0 for r in importable)
        and not any(p.level == "error" for p in problems)
    ):
        message = "nothing to import: the file(s) hold a header but no data rows"
        problems.append(_upload_error(files, message, "nothing_to_import"))
    if not importable and not any(p.level == "error" for p in problems):
        message = "nothing to import: no file could be mapped to a workbench table"
        problems.append(_upload_error(files, message, "nothing_to_import"))
    sources_used = sorted({r.source for r in importable}) or (
        [source] if source != "auto" else ["unknown"]
    )
    source_label = "+".join(sources_used)
    # A large file is loaded by DuckDB under a memory cap, spilling to disk
    # rather than growing past it.
    large_files = {r.path for r in importable if r.path is not None}
    large_bytes = sum(path.stat().st_size for path in large_files)
    machine_bytes = _machine_memory_bytes()
    previous_limit = (
        store.set_memory_limit(
            con, large_import_memory_limit(large_bytes, machine_bytes)
        )
        if large_files
        else None
    )
    one_pass_limit = (
        large_import_memory_limit(
            large_bytes, machine_bytes, ONE_PASS_MEMORY_PER_FILE_BYTE
        )
        if large_files
        else None
    )
    try:
        report = _run_import(
            con,
            files,
            recognised,
            problems,
            importable,
            source_label,
            actor=actor,
            started=started,
            dry_run=dry_run,
            mappings=mappings,
            overwrite_edits=overwrite_edits,
            date_order=date_order,
            say=say,
            again=again,
            replace_demo=replace_demo,
            one_pass_limit=one_pass_limit,
        )
    finally:
        if previous_limit is not None:
            store.set_memory_limit(con, previous_limit)
    report.problems = summary.ordered_problems(report.problems)
    return report


def _run_import(
    con: store.Connection,
    files: Sequence[Any],
    recognised: list[RecognisedFile],
    problems: list[Problem],
    importable: list[RecognisedFile],
    source_label: str,
    *,
    actor: Actor,
    started: Any,
    dry_run: bool,
    mappings: dict[str, ColumnMapping] | None,
    overwrite_edits: bool,
    date_order: DateOrder | None,
    say: ProgressCallback,
    again: bool,
    replace_demo: bool,
    one_pass_limit: str | None = None,
) -> ImportReport:
    """Stage, check and (unless rejected or a dry run) commit; record the run.

    ``one_pass_limit``: DuckDB's memory cap while a large activity file is
    loaded in one pass (None: the cap in force).
    """
    replacing = guards.offer_to_replace_demo(con, files, problems, replace_demo)
    if guards.committed_already(
        con, files, recognised, problems, again or overwrite_edits or replacing, dry_run
    ):
        say(1.0, _("imported already"))
        return ImportReport(
            True, source_label, store.table_counts(con), problems, None, recognised
        )
    run = RunRecord(recognised, importable, source_label, actor, started, mappings)
    # Replacing the demo takes the staged path: it clears in the same transaction.
    if not (replacing or dry_run or any(p.level == "error" for p in problems)):
        direct = direct_load(
            con,
            run,
            problems,
            actor=actor,
            overwrite_edits=overwrite_edits,
            date_order=date_order,
            say=say,
            memory_limit=one_pass_limit,
        )
        if direct is not None:
            return direct
    plan: dict[str, dict[str, Any]] = {}
    if not any(p.level == "error" for p in problems):
        try:
            with store.write_transaction(con) as cur:
                run_id = store.import_next_run_id(cur)
                tables, plan = _stage_check_plan(
                    con,
                    cur,
                    files,
                    importable,
                    problems,
                    run_id if replacing else None,
                    overwrite_edits,
                    date_order,
                    say,
                )
                if any(p.level == "error" for p in problems) or dry_run:
                    raise _RejectedImport
                say(0.85, _("writing"))
                written = store.import_commit(cur, run_id, tables)
                counts = run.commit(cur, run_id, problems)
            say(1.0, _("done"))
            done = ImportReport(
                True, source_label, counts, problems, run_id, recognised
            )
            done.written, done.plan = written, plan
            return done
        except _RejectedImport:
            pass
        except RejectedInputError as error:
            problems.append(_upload_error(files, refusal_wording(error), "refused"))
    return _not_committed(con, run, problems, dry_run=dry_run, plan=plan, say=say)


def _not_committed(
    con: store.Connection,
    run: RunRecord,
    problems: list[Problem],
    *,
    dry_run: bool,
    plan: dict[str, dict[str, Any]],
    say: ProgressCallback,
) -> ImportReport:
    """Record a rejected run (a dry run records nothing) and report it."""
    ok = dry_run and not any(p.level == "error" for p in problems)
    run_id_recorded: int | None = None
    if not dry_run:
        # the rejected run's record alone: no fact changed
        with store.write_transaction(con, facts=False) as cur:
            run_id_recorded = store.import_next_run_id(cur)
            run.record(cur, run_id_recorded, "rejected", problems)
    say(1.0, _("checked") if dry_run else _("rejected"))
    return ImportReport(
        ok,
        run.source_label,
        store.table_counts(con),
        problems,
        run_id_recorded,
        run.recognised,
        dry_run,
        {},
        plan,
    )


def _stage_check_plan(
    con: store.Connection,
    cur: store.Connection,
    files: Sequence[Any],
    importable: list[RecognisedFile],
    problems: list[Problem],
    replacing_in_run: int | None,
    overwrite_edits: bool,
    date_order: DateOrder | None,
    say: ProgressCallback,
) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """Stage and check every file (adding to ``problems``); return tables and plan.

    ``replacing_in_run``: the run that replaces the demo, if this one does.
    """
    if replacing_in_run is not None:
        # In the import's transaction: a rejection keeps the demo; journalled
        # under the run, so that its undo brings the demo back.
        store.clear_demo(cur, replacing_in_run)
    problems += stage_and_check(con, cur, importable, overwrite_edits, date_order, say)
    tables = sorted({r.table for r in importable if r.table})
    return tables, _plan(cur, files, tables, importable, problems)


def _plan(
    cur: store.Connection,
    files: Sequence[Any],
    tables: list[str],
    importable: list[RecognisedFile],
    problems: list[Problem],
) -> dict[str, dict[str, Any]]:
    """Return what the commit would do; an error when it would write nothing."""
    plan = summary.import_plan(store.import_plan(cur, tables), importable, problems)
    if not any(p.level == "error" for p in problems) and not any(
        p["add"] or p["update"] for p in plan.values()
    ):
        message = "nothing to import: every row was left out (the warnings say why)"
        problems.append(_upload_error(files, message, "nothing_to_import"))
    return plan
