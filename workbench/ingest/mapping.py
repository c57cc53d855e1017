"""Recognising each file's CRM and table and mapping its columns, by dictionary or by hand."""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING, Any

import polars as pl

from workbench import vocabulary
from workbench.errors import RejectedInputError
from workbench.i18n import N_
from workbench.ingest import currency, sources, surveys
from workbench.ingest.garbled import garbled_text
from workbench.ingest.inputs import InputFile, input_sha256
from workbench.ingest.model import ColumnMapping, RecognisedFile, header_signature
from workbench.ingest.problems import worded
from workbench.ingest.read import (
    TableFile,
    codec_name,
    decode_text,
    file_refused,
    looks_binary,
    read_table,
    sniff_delimiter,
    unique_headers,
)

if TYPE_CHECKING:
    from concurrent.futures import Future


def recognise_file(
    file_name: str,
    data: bytes,
    *,
    source: str = "auto",
    encoding: str | None = None,
    mapping: ColumnMapping | None = None,
    saved: tuple[str, dict[str, str]] | None = None,
) -> list[RecognisedFile]:
    """Read one file and say what it holds: source, table and proposed mapping.

    A Salesforce report export (``Account: Account Name``, ``Contact: Title``)
    gives one entry per object in it.

    Raises:
        RejectedInputError: the file cannot be read.
    """
    table_file = read_table(file_name, data, encoding)
    item = InputFile(table_file.name, data, None, len(data))
    return recognise_table(item, table_file, input_sha256(item), source, mapping, saved)


def recognise_table(
    item: InputFile,
    table_file: TableFile,
    digest: str | Future[str],
    source: str,
    user_mapping: ColumnMapping | None,
    saved: tuple[str, dict[str, str]] | None,
    *,
    guessed_source: bool = False,
    common_source: str | None = None,
    allow_survey: bool = False,
) -> list[RecognisedFile]:
    """Recognise a read file; ``guessed_source`` lets it fall back to generic layouts."""
    frame = table_file.frame
    headers = list(frame.columns)
    signature = header_signature(headers)
    base: dict[str, Any] = {
        "name": table_file.name,
        "digest": digest,
        "rows": frame.height,
        "header_signature": signature,
        "encoding": table_file.encoding,
        "delimiter": table_file.delimiter,
        "frame": frame,
        "headers": headers,
    }
    stem = sources.file_stem(table_file.name)
    if table_file.name.lower() == "data-plan.json" or (
        {"sobject", "files"} <= {h.lower() for h in headers}
    ):
        return [
            _not_stored(
                base,
                "salesforce",
                "plan",
                [],
                N_(
                    "Salesforce CLI data plan: the files it lists are read on their own"
                ),
            )
        ]
    chosen = user_mapping or (ColumnMapping(saved[0], saved[1]) if saved else None)
    if chosen is not None:
        return [_with_user_mapping(base, headers, chosen, source)]
    if (source in {"auto", "survey"} or guessed_source or allow_survey) and (
        surveys.looks_like_survey(headers)
    ):
        return [
            RecognisedFile(
                **base,
                source="survey",
                object_name="NPS survey",
                table="nps_responses",
                mapping={},
                unmapped=[],
            )
        ]
    report = (
        _split_report(base, frame, headers)
        if source in {"auto", "salesforce"}
        else None
    )
    if report:
        return report
    rates = currency.rates_object(headers)
    if rates is not None:
        return [
            _not_stored(
                base,
                "salesforce",
                rates,
                [],
                N_(
                    "the org's exchange rates: a deal in another currency is "
                    "converted into the portfolio's with them"
                )
                if rates == currency.RATES_OBJECT
                else N_(
                    "the org's dated exchange rates: a deal in another currency "
                    "is converted into the portfolio's at its close date's rate"
                ),
            )
        ]
    if stem in sources.SALESFORCE_SKIPPED and "salesforce" in {
        source,
        common_source,
        "salesforce" if source == "auto" else None,
    }:
        return [
            _not_stored(
                base,
                "salesforce",
                table_file.name.rsplit(".", 1)[0],
                headers,
                N_(
                    "a Salesforce object the workbench does not store (leads, "
                    "products, line items, roles, history)"
                ),
            )
        ]
    return [
        _by_dictionary(
            base,
            table_file,
            headers,
            source,
            guessed_source=guessed_source,
            common_source=common_source,
        )
    ]


def _not_stored(
    base: dict[str, Any],
    source: str,
    object_name: str | None,
    unmapped: list[str],
    note: str,
) -> RecognisedFile:
    """Return a recognised file that goes to no table, with the note saying why."""
    return RecognisedFile(
        **base,
        source=source,
        object_name=object_name,
        table=None,
        mapping={},
        unmapped=unmapped,
        note=note,
    )


def _by_dictionary(
    base: dict[str, Any],
    table_file: TableFile,
    headers: list[str],
    source: str,
    *,
    guessed_source: bool,
    common_source: str | None,
) -> RecognisedFile:
    """Recognise a file by the header dictionaries, or say it needs a hand mapping."""
    found = sources.recognise(table_file.name, headers, source, table_file.sobject)
    if guessed_source and common_source:
        # The export's common source wins when it knows this file better.
        other = sources.recognise(
            table_file.name, headers, common_source, table_file.sobject
        )
        if other is not None and (found is None or other.score >= found.score):
            found = other
    if found is None and guessed_source:
        fallback = sources.recognise(table_file.name, headers, "generic")
        found = fallback if fallback is not None and fallback.score >= 3 else None
    if found is None:
        detected = (
            sources.detect_source(headers, table_file.sobject)
            if source == "auto"
            else source
        )
        return _not_stored(
            base,
            detected,
            None,
            headers,
            N_("the columns do not match any workbench table; map them by hand"),
        )
    mapping = {header: column for column, header in found.mapping.items()}
    fallbacks = sources.row_fallbacks(found.layout, headers, found.mapping)
    return RecognisedFile(
        **base,
        source=found.layout.source,
        object_name=found.layout.name,
        table=found.layout.table,
        mapping=mapping,
        unmapped=_unread(headers, mapping, fallbacks),
        kind=found.layout.kind,
        fallbacks=fallbacks,
    )


def _unread(
    headers: list[str], mapping: dict[str, str], fallbacks: dict[str, list[str]]
) -> list[str]:
    """Return the headers neither mapped nor read where a mapped one is empty."""
    read = {h for others in fallbacks.values() for h in others}
    return [h for h in headers if h not in mapping and h not in read]


def _with_user_mapping(
    base: dict[str, Any], headers: list[str], chosen: ColumnMapping, source: str
) -> RecognisedFile:
    def refused(template: str, **values: object) -> RejectedInputError:
        # Every refusal of a hand-made mapping names the file it was made for.
        return file_refused(base["name"], worded(template, **values))

    if chosen.table not in vocabulary.CANONICAL_COLUMNS:
        raise refused(
            N_("the mapping names an unknown table {table}; choose one of {tables}."),
            table=repr(chosen.table),
            tables=", ".join(vocabulary.TARGET_TABLES),
        )
    allowed = set(vocabulary.CANONICAL_COLUMNS[chosen.table])
    mapping: dict[str, str] = {}
    for header, column in chosen.columns.items():
        if not column:
            continue
        if header not in headers:
            raise refused(
                N_("the mapping names a column {header} the file does not have."),
                header=repr(header),
            )
        if column not in allowed:
            raise refused(
                N_("{column} is not a column of {table}; choose from {columns}."),
                column=repr(column),
                table=chosen.table,
                columns=", ".join(sorted(allowed)),
            )
        mapping[header] = column
    targets = list(mapping.values())
    doubled = sorted({c for c in targets if targets.count(c) > 1})
    if doubled:
        raise refused(
            N_("several file columns map to {columns}; keep one each."),
            columns=", ".join(doubled),
        )
    detected = source if source != "auto" else sources.detect_source(headers)
    layout = sources.layout_by_name(detected, chosen.table)
    # The dictionary's other headers for a column still fill its empty cells,
    # but for those the person chose not to read at all (mapped to ""); only
    # the headers that would have filled one are remembered as not read.
    not_read = {h for h, column in chosen.columns.items() if not column}
    possible = (
        sources.row_fallbacks(
            layout, headers, {column: header for header, column in mapping.items()}
        )
        if layout
        else {}
    )
    fallbacks = {
        column: kept
        for column, others in possible.items()
        if (kept := [h for h in others if h not in not_read])
    }
    refused_fallbacks = list(
        dict.fromkeys(
            h for others in possible.values() for h in others if h in not_read
        )
    )
    return RecognisedFile(
        **base,
        source=detected,
        object_name=layout.name if layout else chosen.table,
        table=chosen.table,
        mapping=mapping,
        unmapped=_unread(headers, mapping, fallbacks),
        kind=layout.kind if layout else None,
        fallbacks=fallbacks,
        not_fallbacks=refused_fallbacks,
    )


def _split_report(
    base: dict[str, Any], frame: pl.DataFrame, headers: list[str]
) -> list[RecognisedFile]:
    """Split a Salesforce report export ("Object: Field") into one entry per object."""
    prefixed = [h for h in headers if re.match(r"^[A-Za-z][\w ]*: .+", h)]
    if len(prefixed) < 2 or len(prefixed) < len(headers) // 2:
        return []
    objects: dict[str, list[str]] = {}
    for header in prefixed:
        objects.setdefault(header.split(":", 1)[0].strip(), []).append(header)
    results: list[RecognisedFile] = []
    account_name = next(
        (
            h
            for h in objects.get("Account", [])
            if sources.normalise_header(h.split(":", 1)[1]) in {"accountname", "name"}
        ),
        None,
    )
    frame = frame.with_row_index("__source_row", offset=1)
    for object_name, columns in objects.items():
        layout = next(
            (
                candidate
                for candidate in sources.LAYOUTS
                if candidate.source == "salesforce" and candidate.name == object_name
            ),
            None,
        )
        if layout is None:
            continue
        labels = {h: h.split(":", 1)[1].strip() for h in columns}
        found = sources.map_headers(layout, list(labels.values()))
        by_label = {label: header for header, label in labels.items()}
        mapping = {by_label[label]: column for column, label in found.items()}
        part = frame.select("__source_row", *columns)
        part = part.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in columns))
        if object_name == "Account":
            name_header = next((h for h, c in mapping.items() if c == "name"), None)
            if name_header:
                part = part.unique(
                    subset=[name_header], keep="first", maintain_order=True
                )
        elif account_name is not None and "account_id" not in mapping.values():
            part = frame.select(["__source_row", *columns, account_name]).filter(
                pl.any_horizontal(pl.col(c).is_not_null() for c in columns)
            )
            mapping[account_name] = "account_name"
        if part.height == 0:
            continue
        results.append(
            RecognisedFile(
                **{
                    **base,
                    "frame": part,
                    "rows": part.height,
                    "headers": [c for c in part.columns if c != "__source_row"],
                },
                source="salesforce",
                object_name=f"{object_name} (report)",
                table=layout.table,
                mapping=mapping,
                unmapped=[h for h in columns if h not in mapping],
                kind=layout.kind,
            )
        )
    return results


def _read_large_header(
    item: InputFile, encoding: str | None
) -> tuple[list[str], str, str]:
    """Return (headers, delimiter, encoding) from the start of a large file."""
    assert item.path is not None
    with item.path.open("rb") as handle:
        head = handle.read(256 * 1024)
    cut = head.rfind(b"\n")
    if cut < 0 and len(head) == 256 * 1024:
        # No line break in the first 256 KB: no CRM export's header is that long
        # (a zip bomb's member of zeros is); refused before DuckDB reads it all.
        raise file_refused(
            item.name,
            worded(
                N_(
                    "the first line is longer than 256 KB, so it is no table's "
                    "header; check the file is a CSV export."
                )
            ),
        )
    sample = head[: cut + 1] if cut > 0 else head
    text, used = decode_text(item.name, sample, encoding)
    if looks_binary(text):
        raise file_refused(
            item.name, worded(N_("the file holds binary data, not text."))
        )
    delimiter = (
        "\t" if item.name.lower().endswith((".tsv", ".tab")) else sniff_delimiter(text)
    )
    try:
        first = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error as error:
        raise file_refused(
            item.name,
            worded(N_("the header is not valid CSV ({reason})."), reason=str(error)),
        ) from error
    if not first:
        raise file_refused(item.name, worded(N_("the file is empty.")))
    return unique_headers(first), delimiter, used


def large_table_file(item: InputFile, encoding: str | None) -> TableFile:
    """Return a large file's header as an empty frame (the rows stay on disk)."""
    headers, delimiter, used = _read_large_header(item, encoding)
    empty = pl.DataFrame(schema=dict.fromkeys(headers, pl.String))
    assert item.path is not None
    with item.path.open("rb") as handle:
        sample = handle.read(1024 * 1024)
    # The mojibake check reads the first megabyte, as for a file held in memory.
    text = sample.decode(codec_name(used), "ignore")
    garbled = garbled_text(sample, text, used)
    warning = f"{item.name}: {garbled.text()}" if garbled is not None else None
    return TableFile(
        item.name, empty, used, delimiter, warning=warning, garbled=garbled
    )


def mapping_table(entry: RecognisedFile) -> pl.DataFrame:
    """Return a file's mapping as rows for an editor.

    Columns: ``file column``, ``workbench column`` (the editable mapping),
    ``fills empty cells of``: the workbench column a header fills where the
    mapped one is empty, with its place among the headers read (2 after the
    mapped one, then 3, …), and ``fills``: whether it does (editable: a person
    may choose not to read it; empty where the header fills nothing). A header
    a person chose not to read so keeps its line, unticked.
    """
    fills = {
        header: f"{column} ({place})"
        for column, others in entry.fallbacks.items()
        for place, header in enumerate(others, start=2)
    }
    return pl.DataFrame(
        {
            "file column": entry.headers,
            "workbench column": [entry.mapping.get(h, "") for h in entry.headers],
            "fills empty cells of": [fills.get(h, "") for h in entry.headers],
            "fills": [
                True if h in fills else False if h in entry.not_fallbacks else None
                for h in entry.headers
            ],
        },
        schema={
            "file column": pl.String,
            "workbench column": pl.String,
            "fills empty cells of": pl.String,
            "fills": pl.Boolean,
        },
    )


def mapping_from_table(table: str, edited: Any) -> ColumnMapping:
    """Return the mapping a person edited (a frame of :func:`mapping_table`'s columns).

    A header left unmapped whose ``fills`` a person unticked is mapped to ``""``:
    not read at all (see :class:`ColumnMapping`).
    """
    frame = edited if isinstance(edited, pl.DataFrame) else pl.DataFrame(edited)
    fills = (
        frame.get_column("fills").to_list()
        if "fills" in frame.columns
        else [None] * frame.height
    )
    columns: dict[str, str] = {}
    for (header, column), filling in zip(
        frame.select("file column", "workbench column").rows(), fills, strict=True
    ):
        if header is None:
            continue
        if column:
            columns[str(header)] = str(column)
        elif filling is False:
            columns[str(header)] = ""
    return ColumnMapping(table=table, columns=columns)
