"""What the import hands back: mappings, recognised files, the report and its frames."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl

from workbench.domain import Problem, Wording
from workbench.i18n import gettext
from workbench.ingest.problems import problem_text
from workbench.ingest.sources import normalise_header
from workbench.ingest.summary import level_text, warning_kinds, why_text

DateOrder = Literal["mdy", "dmy"]
ProgressCallback = Callable[[float, str], None]


@dataclass(frozen=True)
class ColumnMapping:
    """A user's mapping of one file: its target table and source → workbench columns.

    A header mapped to ``""`` is not read at all: not even to fill the empty
    cells of a column the dictionary knows it for (an activity's
    ``CreatedDate`` where its ``ActivityDate`` is empty:
    :data:`workbench.vocabulary.ROW_FALLBACK_COLUMNS`).
    """

    table: str
    columns: dict[str, str]


@dataclass(frozen=True)
class ExchangeRates:
    """An org's exchange rates, as its CRM exports them (Salesforce's ``CurrencyType``).

    Attributes:
        rates: ISO 4217 code → units of it per unit of the corporate currency.
        corporate: the corporate currency's code, where the file names it.
        file: the files they were read from.
        dated: the dated rates (``DatedConversionRate``), where the export has
            them: ``code``, ``rate``, ``start`` and ``next_start`` (null: open).
    """

    rates: dict[str, float]
    corporate: str | None
    file: str
    # a frame has no truth value: two rates compare by their other fields
    dated: pl.DataFrame | None = field(default=None, compare=False)


@dataclass
class RecognisedFile:
    """What the import made of one input file (or one part of a report export).

    Attributes:
        name: the file's base name.
        digest: the SHA-256 of its bytes, or the hashing of them still under way
            (read :attr:`sha256`, which waits for it).
        rows: data rows read.
        source: ``salesforce``, ``hubspot``, ``dynamics``, ``chinese_crm``,
            ``generic``, ``survey``.
        object_name: the CRM object (``Contact``, ``deals``, …), or None.
        table: the workbench table it fills, or None when it is not imported.
        mapping: file column → workbench column (the editable proposal).
        unmapped: file columns that are not imported.
        header_signature: identifies files with the same header (remembered mappings).
        encoding: the text encoding used.
        delimiter: the CSV delimiter, or None.
        note: why the file is not imported, when it is not.
        rates: a deals' file's: the org's exchange rates the same export holds.
        fallbacks: workbench column → the file's other headers for it that fill
            a row's empty cell, in their order (see
            :data:`workbench.vocabulary.ROW_FALLBACK_COLUMNS`).
        not_fallbacks: headers a person chose not to read as such (a mapping
            of them to ``""``: see :class:`ColumnMapping`), remembered with it.
    """

    name: str
    digest: str | Future[str] = field(repr=False)
    rows: int
    source: str
    object_name: str | None
    table: str | None
    mapping: dict[str, str]
    unmapped: list[str]
    header_signature: str
    encoding: str
    delimiter: str | None
    note: str | Wording | None = None
    kind: str | None = None
    frame: pl.DataFrame | None = field(default=None, repr=False)
    path: Path | None = field(default=None, repr=False)
    headers: list[str] = field(default_factory=list, repr=False)
    fallbacks: dict[str, list[str]] = field(default_factory=dict)
    rates: ExchangeRates | None = None
    not_fallbacks: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        """Return the SHA-256 of the file's bytes, waiting for its hashing if need be."""
        if isinstance(self.digest, Future):
            self.digest = self.digest.result()
        return self.digest


def settle_digests(entries: Iterable[RecognisedFile]) -> None:
    """Turn each entry's digest into its text, waiting for the hashing if need be.

    What the library hands back holds plain values (a pending hash is not
    copied or pickled).
    """
    for entry in entries:
        entry.digest = entry.sha256


@dataclass
class ImportReport:
    """The outcome of :func:`import_files`.

    ``ok`` is True when the import was committed (or, for a dry run, would be).
    ``counts`` are the rows per table in the database after the run.
    """

    ok: bool
    source: str
    counts: dict[str, int]
    problems: list[Problem]
    run_id: int | None
    files: list[RecognisedFile]
    dry_run: bool = False
    written: dict[str, int] = field(default_factory=dict)
    #: per table: rows to ``add``, ``update``, ``skip`` and ``why`` (see ingest.summary).
    plan: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that rejected the import."""
        return [p for p in self.problems if p.level == "error"]

    def as_json(self) -> dict[str, Any]:
        """Return the report in the command line's ``--json`` shape."""
        return {
            "ok": self.ok,
            "source": self.source,
            "counts": self.counts,
            "problems": [p.as_dict() for p in self.problems],
            # Added keys (the four above keep their meaning): what the import
            # does per table, what the commit added, and warnings by kind.
            "plan": self.plan,
            "added": {t: p["add"] for t, p in self.plan.items()}
            if self.ok and not self.dry_run
            else {},
            "warning_kinds": warning_kinds(self.problems),
        }

    def problems_frame(self) -> pl.DataFrame:
        """Return the problems as a frame (level, file, row, column, message)."""
        return problems_frame(self.problems)

    def files_frame(self) -> pl.DataFrame:
        """Return one row per recognised file: what it is and where it goes."""
        return files_frame(self.files)


def readable_problems(frame: pl.DataFrame) -> pl.DataFrame:
    """Return a :func:`problems_frame` with each level in the language in force.

    For the screens: the frame the API returns keeps ``error``/``warning``, which
    notebooks filter on.
    """
    if "level" not in frame.columns or frame.height == 0:
        return frame
    return frame.with_columns(
        pl.col("level").replace_strict(
            {level: level_text(level) for level in ("error", "warning")},
            default=pl.col("level"),
            return_dtype=pl.String,
        )
    )


def files_frame(
    files: Sequence[RecognisedFile], counted: Sequence[RecognisedFile] = ()
) -> pl.DataFrame:
    """Return one row per recognised file: what it is and where it goes.

    The note (why a file is not imported) is in the reader's language. A large
    file's rows are counted only when it is read (its ``rows`` are -1 until
    then): ``counted``, the same files once checked (:attr:`ImportReport.files`),
    gives those counts; a file counted nowhere has no rows (null).
    """
    counts = {(f.name, f.table): f.rows for f in counted if f.rows >= 0}
    return pl.DataFrame(
        [
            {
                "file": f.name,
                "source": f.source,
                "object": f.object_name,
                "table": f.table,
                "rows": f.rows if f.rows >= 0 else counts.get((f.name, f.table)),
                "encoding": f.encoding,
                # the headers read: mapped, or filling a mapped one's gaps
                "mapped_columns": len(f.mapping)
                + sum(len(others) for others in f.fallbacks.values()),
                "ignored_columns": len(f.unmapped),
                # A note is a sentence marked where it is written (or data).
                "note": f.note.text(gettext)
                if isinstance(f.note, Wording)
                else gettext(f.note)
                if f.note
                else f.note,
            }
            for f in files
        ],
        schema={
            "file": pl.String,
            "source": pl.String,
            "object": pl.String,
            "table": pl.String,
            "rows": pl.Int64,
            "encoding": pl.String,
            "mapped_columns": pl.Int64,
            "ignored_columns": pl.Int64,
            "note": pl.String,
        },
    )


def plan_frame(plan: dict[str, dict[str, Any]]) -> pl.DataFrame:
    """Return the import's plan as a frame: table, add, update, skip, why.

    Why rows were skipped reads in the language in force (the plan keeps English).
    """
    return pl.DataFrame(
        [
            {
                "table": table,
                "add": int(step.get("add", 0)),
                "update": int(step.get("update", 0)),
                "skip": int(step.get("skip", 0)),
                "created from names": int(step.get("created_from_names", 0)),
                "deleted in the CRM": int(step.get("deleted_in_crm", 0)),
                "not done in the CRM": int(step.get("not_done_in_crm", 0)),
                "why skipped": "; ".join(
                    why_text(why) for why in step.get("why") or []
                ),
            }
            for table, step in plan.items()
        ],
        schema={
            "table": pl.String,
            "add": pl.Int64,
            "update": pl.Int64,
            "skip": pl.Int64,
            "created from names": pl.Int64,
            "deleted in the CRM": pl.Int64,
            "not done in the CRM": pl.Int64,
            "why skipped": pl.String,
        },
    )


def counts_frame(counts: dict[str, int]) -> pl.DataFrame:
    """Return rows per table as a two-column frame (table, rows)."""
    return pl.DataFrame(
        {"table": list(counts), "rows": list(counts.values())},
        schema={"table": pl.String, "rows": pl.Int64},
    )


def problems_frame(problems: Sequence[Problem]) -> pl.DataFrame:
    """Return problems as a frame with the columns level, file, row, column, message.

    The message is in the reader's language (the language in force), for the
    screens and downloads a person reads; ``--json`` keeps the English one.
    """
    return pl.DataFrame(
        [{**p.as_dict(), "message": problem_text(p)} for p in problems],
        schema={
            "level": pl.String,
            "file": pl.String,
            "row": pl.Int64,
            "column": pl.String,
            "message": pl.String,
        },
    )


def header_signature(headers: Sequence[str]) -> str:
    """Return a short hash of a file's normalised header (order does not matter)."""
    joined = "\x1f".join(sorted(normalise_header(h) for h in headers))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def markdown_safe(text: str) -> str:
    """Return text that Streamlit labels show literally (Markdown characters escaped).

    File names come from users: ``**x**.csv`` or ``<img …>`` must read as typed.
    """
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~:$])", r"\\\1", text)
