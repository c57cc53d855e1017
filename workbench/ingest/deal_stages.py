"""HubSpot's deal stages, kept by its API and warehouse exports in a table of their own.

HubSpot keeps a deal's stage as the stage's internal ID: ``closedwon`` and
``closedlost`` in the default pipeline, a number (``12345678``) in every
pipeline a portal adds. Its API and the warehouse syncs give each stage's label,
and whether it is closed and won, in a table of their own (Fivetran's
``deal_pipeline_stage``: ``stage_id``, ``label``, ``closed_won``,
``is_closed``). Read through the stages' names alone, every deal of a pipeline
a portal added read as open, and no account had revenue from it.

Such a table is not imported: it gives the deals of the same import their
stage's label, and whether they are closed and won (:func:`attach_deal_stages`),
before the files are checked. A deal's own "Is Closed Won" wins where the file
has one. A deal naming a stage no table lists is read as open, and the import
names it among the deals read as open for want of a flag
(:func:`workbench.store.import_open_stage_rows`).
"""

from __future__ import annotations

import polars as pl

from workbench.i18n import N_
from workbench.ingest.model import RecognisedFile
from workbench.ingest.problems import worded
from workbench.ingest.sources import normalise_header

#: The normalised headers a stage table has: the stage's ID and whether it is
#: won; its label and whether it is closed where the table gives them.
_STAGE_ID, _WON = "stageid", "closedwon"
_LABEL, _CLOSED = "label", "isclosed"


def _stage_tables(recognised: list[RecognisedFile]) -> list[RecognisedFile]:
    """Return the files not imported that list deal stages with whether each is won."""
    tables = []
    for entry in recognised:
        if entry.table is not None or entry.frame is None:
            continue
        normal = {normalise_header(h) for h in entry.frame.columns}
        if {_STAGE_ID, _WON} <= normal:
            tables.append(entry)
    return tables


def _stages(tables: list[RecognisedFile]) -> pl.DataFrame:
    """Return one row per stage ID: ``__stage``, ``__label``, ``__won``, ``__closed`` (text)."""
    frames = []
    for entry in tables:
        assert entry.frame is not None
        by_normal = {normalise_header(h): h for h in entry.frame.columns}
        frames.append(
            entry.frame.select(
                _text(by_normal.get(key)).alias(name)
                for key, name in (
                    (_STAGE_ID, "__stage"),
                    (_LABEL, "__label"),
                    (_WON, "__won"),
                    (_CLOSED, "__closed"),
                )
            )
        )
    return (
        pl.concat(frames)
        .drop_nulls("__stage")
        .unique("__stage", keep="first", maintain_order=True)
    )


def _text(header: str | None) -> pl.Expr:
    """Return a column's trimmed text, empty as NULL; NULL where the file lacks it."""
    if header is None:
        return pl.lit(None, dtype=pl.String)
    return pl.col(header).cast(pl.String).str.strip_chars().replace("", None)


def attach_deal_stages(recognised: list[RecognisedFile]) -> None:
    """Give the deals whose stage is a stage table's ID its label, and whether won and closed.

    The deals' own won and closed columns win; the stage table fills the cells
    they leave empty, or adds the columns.
    """
    tables = _stage_tables(recognised)
    deals = [
        e
        for e in recognised
        if e.table == "opportunities"
        and e.frame is not None
        and "stage" in e.mapping.values()
    ]
    if not tables or not deals:
        return
    stages = _stages(tables)
    names = ", ".join(t.name for t in tables)
    for table in tables:
        # worded where it is read; the files' names are data
        table.note = worded(
            N_(
                "a deal stage table: it gives the deals in {files} their stage's "
                "name, and whether it is won and closed"
            ),
            files=", ".join(d.name for d in deals),
        )
    for deal_file in deals:
        _attach(deal_file, stages, names)


def _attach(deal_file: RecognisedFile, stages: pl.DataFrame, names: str) -> None:
    """Fill one deals file's stage, won and closed columns from ``stages``."""
    assert deal_file.frame is not None
    by_column = {c: h for h, c in deal_file.mapping.items()}
    stage_header = by_column["stage"]
    joined = deal_file.frame.with_columns(_text(stage_header).alias("__stage")).join(
        stages, on="__stage", how="left", maintain_order="left"
    )
    # the stage's label where the table gives one: what the CRM shows (a deal
    # won and no closed flag is closed: the build reads it so)
    frame = joined.with_columns(
        pl.coalesce("__label", stage_header).alias(stage_header)
    )
    for column, source in (("is_won", "__won"), ("is_closed", "__closed")):
        header = f"{column.replace('_', ' ')} (from {names})"
        mapped = by_column.get(column)
        if mapped is None:
            frame = frame.rename({source: header})
            deal_file.headers = [*deal_file.headers, header]
            deal_file.mapping = {**deal_file.mapping, header: column}
        else:
            # the file's own column wins; the stage fills the cells it leaves empty
            frame = frame.with_columns(
                pl.col(mapped).replace("", None).fill_null(pl.col(source))
            ).drop(source)
    deal_file.frame = frame.drop("__stage", "__label")
