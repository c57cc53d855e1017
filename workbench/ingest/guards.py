"""Guards around a run: the demo's offer, files committed already, the run's file list.

An import into the demo portfolio offers to replace it; the same files as the
last committed import are said to be imported already and not written twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from workbench import store
from workbench.domain import Problem, Wording
from workbench.i18n import N_
from workbench.ingest import summary
from workbench.ingest.model import RecognisedFile
from workbench.ingest.problems import file_problem, worded
from workbench.ingest.proposal import first_file_name


def offer_to_replace_demo(
    con: store.Connection,
    files: Sequence[Any],
    problems: list[Problem],
    replace_demo: bool,
) -> bool:
    """Return whether this import replaces the demo; else say the demo stays."""
    if not store.holds_demo(con):
        return False
    if replace_demo:
        return True
    demo_stays = N_(
        "the database holds the demo portfolio: these rows go next to it. Replace "
        "the demo to start from your data only (--replace-demo, or the Import "
        "page's option)"
    )
    problems.append(_upload_warning(files, worded(demo_stays), "demo_data"))
    return False


def say_if_imported_already(
    con: store.Connection,
    files: Sequence[Any],
    recognised: list[RecognisedFile],
    problems: list[Problem],
) -> bool:
    """Add a warning and return True when these files were the last commit."""
    previous = same_files_committed(con, recognised)
    if previous is None:
        return False
    already = N_(
        "these files were imported already (run {run}, the last committed import); "
        "nothing was written. Import them again on purpose with --again (or the "
        "page's option)"
    )
    problems.append(
        _upload_warning(files, worded(already, run=previous), "already_imported")
    )
    return True


def _upload_warning(files: Sequence[Any], message: Wording, code: str) -> Problem:
    """Return a warning about the whole upload, placed on its first file."""
    return file_problem("warning", first_file_name(files), message, code)


def same_files_committed(
    con: store.Connection, recognised: list[RecognisedFile]
) -> int | None:
    """Return the last committed run if it imported exactly these files, else None."""
    settled = store.last_settled_import(con)
    if settled is None or settled[1] != "committed":
        return None
    run_id, _status, files = settled
    stored = json.loads(files or "[]")
    # The files' tables first: where they differ, the files do, and their
    # digests (perhaps still being computed beside the import) are not awaited.
    if summary.files_tables(stored) != summary.files_tables(
        files_record(recognised, digests=False)
    ) or summary.files_fingerprint(stored) != summary.files_fingerprint(
        files_record(recognised)
    ):
        return None
    return run_id


def files_record(
    recognised: Sequence[RecognisedFile], *, digests: bool = True
) -> list[dict[str, Any]]:
    """Return the run's record of its files: name, sha256, rows, tables.

    ``digests=False`` leaves ``sha256`` out (not waiting for a file's hashing).
    """
    seen: dict[str, dict[str, Any]] = {}
    for entry in recognised:
        record = seen.setdefault(
            entry.name,
            {
                "name": entry.name,
                "sha256": entry.sha256 if digests else None,
                "rows": 0,
                "tables": [],
            },
        )
        record["rows"] = max(int(record["rows"]), entry.rows)
        if entry.table:
            record["tables"].append(entry.table)
    return list(seen.values())


def committed_already(
    con: store.Connection,
    files: Sequence[Any],
    recognised: list[RecognisedFile],
    problems: list[Problem],
    rerun: bool,
    dry_run: bool,
) -> bool:
    """Return True when nothing should be written: these files were the last commit.

    A dry run and a deliberate re-run (``rerun``) are told, not stopped; an
    import with errors goes on to be rejected as usual.
    """
    if rerun or not say_if_imported_already(con, files, recognised, problems):
        return False
    return not dry_run and not any(p.level == "error" for p in problems)
