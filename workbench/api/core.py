"""The workbench's connection, its data as a whole: info, demo, imports, undo, backup."""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, Self, TypeVar

import polars as pl

from workbench import demo, ingest, store
from workbench.access import require
from workbench.api.results import ImportRejectedError, SurveyImport
from workbench.backup import BackupSummary, backup_database
from workbench.domain import LOCAL_ACTOR, Actor, Problem
from workbench.errors import RejectedInputError
from workbench.ingest import surveys

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from types import TracebackType

P = ParamSpec("P")
R = TypeVar("R")

# Methods that manage the connection themselves, never wrapped in a unit of work.
_NOT_UNITS = frozenset({"close", "unit", "on_file"})


def _in_unit(method: Callable[P, R]) -> Callable[P, R]:
    """Run a Workbench method inside the workbench's unit of work."""

    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        workbench: WorkbenchCore = args[0]  # type: ignore[assignment]
        with workbench.unit():
            return method(*args, **kwargs)

    return run


def _wrap_public_methods(cls: type) -> None:
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or name in _NOT_UNITS or not callable(member):
            continue
        if isinstance(member, staticmethod | classmethod):
            continue
        setattr(cls, name, _in_unit(member))


class WorkbenchCore:
    """The open database under a :class:`~workbench.api.Workbench` and its actor.

    Two ways to hold the file. Made over a connection (``open_workbench``, for
    notebooks and scripts), it holds the file until closed, and no other process
    can open it meanwhile. Made with :meth:`on_file` (the app and the commands),
    each public method call is one unit of work: the file is opened for the call
    and closed after it, so other processes take turns (see
    :func:`workbench.store.unit_of_work`).
    """

    def __init__(self, con: store.Connection, *, actor: Actor = LOCAL_ACTOR) -> None:
        self._con: store.Connection | None = con
        self._file: str | None = None
        self._units = threading.local()
        self.actor = actor

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _wrap_public_methods(cls)

    @classmethod
    def on_file(
        cls, path: str | os.PathLike[str], *, actor: Actor = LOCAL_ACTOR
    ) -> Self:
        """Return a workbench that opens ``path`` for each method call only.

        The file is created and migrated at the first call.
        """
        if str(path) == ":memory:":
            raise RejectedInputError("an in-memory database must stay open")
        workbench = cls.__new__(cls)
        WorkbenchCore.__init__(workbench, None, actor=actor)  # type: ignore[arg-type]
        workbench._file = str(store.resolve_db_path(path))
        return workbench

    # --- the connection --------------------------------------------------------

    @contextmanager
    def unit(self) -> Iterator[store.Connection]:
        """Hold the database for the ``with`` block: one unit of work.

        A workbench made over a connection yields it; one made with
        :meth:`on_file` opens the file (waiting while another process has it)
        and closes it at the end of the outermost block of this thread.
        """
        if self._con is not None:
            yield self._con
            return
        current: store.Connection | None = getattr(self._units, "con", None)
        if current is not None:
            yield current
            return
        if self._file is None:
            raise RejectedInputError(
                "this workbench is closed; open it again with open_workbench()"
            )
        with store.unit_of_work(self._file) as con:
            self._units.con = con
            try:
                yield con
            finally:
                self._units.con = None

    @property
    def connection(self) -> store.Connection:
        """Return the open DuckDB connection (for :mod:`workbench.store` functions).

        For a workbench made with :meth:`on_file`, only inside :meth:`unit` (and
        inside its methods, which run in one).

        Raises:
            RejectedInputError: the workbench has been closed, or opens its file
                per call and no unit of work is running.
        """
        if self._con is not None:
            return self._con
        current: store.Connection | None = getattr(self._units, "con", None)
        if current is not None:
            return current
        if self._file is not None:
            raise RejectedInputError(
                "this workbench opens its file for each call; use `with wb.unit() "
                "as con:` to hold it for several statements"
            )
        raise RejectedInputError(
            "this workbench is closed; open it again with open_workbench()"
        )

    @property
    def path(self) -> str:
        """Return the database file (``:memory:`` for an in-memory database)."""
        if self._file is not None:
            return str(Path(self._file).resolve())
        return store.database_path(self.connection)

    def close(self) -> None:
        """Close the database; further calls raise. Closing twice is harmless."""
        if self._con is not None:
            store.close(self._con)
            self._con = None
        self._file = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "closed" if self._con is None and self._file is None else self.path
        return f"<Workbench {where} as {self.actor.name} ({self.actor.role})>"

    def _actor(self, actor: Actor | None) -> Actor:
        return self.actor if actor is None else actor

    # --- the data --------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """Return the database file, its schema version and rows per CRM table.

        Example:
            >>> wb.info()["counts"]["accounts"]  # doctest: +SKIP
            60
        """
        con = self.connection
        return {
            "database": store.database_path(con),
            "schema_version": store.schema_version(con),
            "counts": store.table_counts(con),
        }

    def currency(self) -> str:
        """Return the ISO 4217 code every money figure of this portfolio is in.

        Example:
            >>> wb.currency()  # doctest: +SKIP
            'USD'
        """
        return store.portfolio_currency(self.connection)

    def set_currency(self, code: str, *, actor: Actor | None = None) -> str:
        """Set the portfolio's currency (three letters, ISO 4217); needs ``import``.

        Amounts are not converted: the currency says what the imported amounts are in.
        """
        try:
            return store.set_portfolio_currency(
                self.connection, self._actor(actor), code
            )
        except ValueError as exc:
            raise RejectedInputError(str(exc)) from exc

    def load_demo(
        self,
        accounts: int = demo.DEFAULT_ACCOUNTS,
        activities: int = demo.DEFAULT_ACTIVITIES,
        *,
        seed: int = demo.DEFAULT_SEED,
        actor: Actor | None = None,
    ) -> dict[str, int]:
        """Replace the CRM data with the deterministic demo portfolio; return row counts.

        Plans, scenarios and settings are kept. Needs the ``import`` right.

        Example:
            >>> wb.load_demo(accounts=20, activities=5_000)  # doctest: +SKIP
        """
        require(self._actor(actor), "import")
        if accounts < 1 or activities < 0:
            raise RejectedInputError("need at least 1 account and 0 or more activities")
        return demo.write_demo(self.connection, accounts, activities, seed=seed)

    def accounts(self) -> pl.DataFrame:
        """Return every account: ``account_id``, ``name``, ``contacts``, by name."""
        return store.buying_centre_accounts(self.connection)

    def import_files(
        self,
        paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
        *,
        source: str = "auto",
        dry_run: bool = False,
        encoding: str | None = None,
        date_order: Literal["mdy", "dmy"] | None = None,
        overwrite_edits: bool = False,
        check: bool = True,
        actor: Actor | None = None,
        again: bool = False,
        replace_demo: bool = False,
    ) -> ingest.ImportReport:
        """Import CRM exports (files, folders, zip archives), all or nothing.

        Args:
            paths: one path or several.
            source: ``auto`` or a CRM (``salesforce``, ``hubspot``, ``dynamics``,
                ``chinese_crm``, ``generic``).
            dry_run: check everything, change nothing.
            encoding: force a text encoding for every file.
            date_order: ``mdy`` or ``dmy`` for dates like 03/04/2024.
            overwrite_edits: let the files replace roles, influence and attitude
                edited in the workbench (default: the edits win).
            check: raise :class:`ImportRejectedError` when the import is rejected
                (its ``report`` attribute holds the problems); False returns the
                report either way.
            actor: who imports (default: the workbench's actor); needs ``import``.
            again: import even when these files were the last committed import.
            replace_demo: remove the demo portfolio in the same transaction.

        Returns:
            The :class:`workbench.ingest.ImportReport`: ``ok``, ``counts``,
            ``problems`` (also as ``problems_frame()``), ``files_frame()``.

        Example:
            >>> report = wb.import_files(["exports/Account.csv", "exports/Contact.csv"])  # doctest: +SKIP
            >>> report.counts["contacts"]  # doctest: +SKIP
        """
        listed: list[str | os.PathLike[str]] = (
            [paths] if isinstance(paths, str | os.PathLike) else list(paths)
        )
        report = ingest.import_files(
            self.connection,
            [Path(p) for p in listed],
            actor=self._actor(actor),
            source=source,
            dry_run=dry_run,
            encoding=encoding,
            date_order=date_order,
            overwrite_edits=overwrite_edits,
            again=again,
            replace_demo=replace_demo,
        )
        if check and not report.ok:
            raise ImportRejectedError(report)
        return report

    def propose_uploads(
        self,
        files: Sequence[tuple[str, bytes]],
        *,
        source: str = "auto",
        encoding: str | None = None,
    ) -> tuple[list[ingest.RecognisedFile], list[Problem]]:
        """Return how each uploaded ``(name, bytes)`` file would be read, changing nothing.

        Mappings remembered for the same header are used (see
        :func:`workbench.ingest.propose_files`).
        """
        return ingest.propose_files(
            self.connection, files, source=source, encoding=encoding
        )

    def import_uploads(
        self,
        files: Sequence[tuple[str, bytes]],
        *,
        actor: Actor | None = None,
        **options: Any,
    ) -> ingest.ImportReport:
        """Import (or check, ``dry_run=True``) uploaded ``(name, bytes)`` files.

        ``options`` are :func:`workbench.ingest.import_files`' (source, mappings,
        overwrite_edits, encoding, date_order, progress…). Unlike
        :meth:`import_files`, a rejected import returns its report, never raises.
        """
        return ingest.import_files(
            self.connection, files, actor=self._actor(actor), **options
        )

    def import_survey(
        self,
        path: str | os.PathLike[str],
        *,
        score_column: str | None = None,
        encoding: str | None = None,
        dry_run: bool = False,
        actor: Actor | None = None,
    ) -> SurveyImport:
        """Import an NPS survey export (a plain table or a Qualtrics export).

        Responses link to contacts by ID or e-mail and to accounts by ID or name;
        importing the same export twice changes nothing.

        Args:
            path: the survey file (CSV, Excel, …).
            score_column: the column holding the 0–10 score when it is not found.
            encoding: force a text encoding.
            dry_run: read and check only.
            actor: who imports (default: the workbench's actor); needs ``import``.

        Raises:
            PermissionDeniedError: the actor may not import.
            RejectedInputError: the file has errors (listed; nothing is written)
                or no response to import.

        Example:
            >>> wb.import_survey("surveys/2026-Q3.csv").written  # doctest: +SKIP
            {'inserted': 212, 'updated': 0, 'run_id': 4}
        """
        who = self._actor(actor)
        require(who, "import")
        source = Path(path)
        data = source.read_bytes()
        result = self.read_survey(source.name, data, score_column, encoding)
        if not result.can_commit:
            errors = result.errors
            shown = "; ".join(
                f"row {p.row}: {p.message}" if p.row else p.message for p in errors[:5]
            )
            raise RejectedInputError(
                f"{source.name}: not imported, nothing changed: "
                + (shown or "no response to import")
                + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else "")
            )
        if dry_run:
            return SurveyImport(result)
        return SurveyImport(
            result, self.commit_survey(source.name, data, result, actor=who)
        )

    def read_survey(
        self,
        file_name: str,
        data: bytes,
        score_column: str | None = None,
        encoding: str | None = None,
    ) -> surveys.SurveyResult:
        """Read a survey file's content against the database's people and accounts.

        Changes nothing; :meth:`commit_survey` stores what was read.
        """
        contacts, accounts = store.survey_link_targets(self.connection)
        return surveys.read_survey_file(
            file_name, data, contacts, accounts, score_column, encoding
        )

    def commit_survey(
        self,
        file_name: str,
        data: bytes,
        result: surveys.SurveyResult,
        *,
        actor: Actor | None = None,
        survey_type: str = "relationship",
    ) -> dict[str, int]:
        """Store a survey file's read responses; return what changed.

        ``data`` is the file's content, remembered by its SHA-256 with the run.
        Needs the ``import`` right (the store checks it). ``survey_type``
        (``relationship`` or ``touchpoint``) is given to the answers whose file
        does not say which survey they answered.
        """
        responses = result.responses
        if "survey_type" in responses.columns:
            responses = responses.with_columns(
                pl.col("survey_type").fill_null(survey_type)
            )
        else:
            responses = responses.with_columns(pl.lit(survey_type).alias("survey_type"))
        return store.write_survey_responses(
            self.connection,
            self._actor(actor),
            responses,
            file_name=file_name,
            file_sha256=hashlib.sha256(data).hexdigest(),
            problems=[p.as_dict() for p in result.problems],
        )

    def undo_last_import(self, *, actor: Actor | None = None) -> dict[str, Any]:
        """Undo the last committed import and return ``run_id`` and rows restored.

        The rows it inserted are deleted; rows it changed get their earlier values.

        Raises:
            PermissionDeniedError: the actor may not import.
            RejectedInputError: there is no import to undo.
        """
        who = self._actor(actor)
        require(who, "import")
        return store.undo_last_import(self.connection, who)

    def backup(
        self, directory: str | os.PathLike[str], *, actor: Actor | None = None
    ) -> BackupSummary:
        """Write every table to a new (or empty) directory as Parquet with a manifest.

        Restore with ``workbench restore DIR --db FILE``. Needs the ``admin`` right.
        """
        return backup_database(self.connection, directory, self._actor(actor))

    # --- segmentation ----------------------------------------------------------

    def _require_account(self, account_id: str) -> str:
        name = store.account_name(self.connection, account_id)
        if name is None:
            raise RejectedInputError(f"there is no account {account_id!r}")
        return name


_wrap_public_methods(WorkbenchCore)
