"""The workbench from Python: one object over one database, for notebooks and scripts.

Everything the pages do is available here, returning polars frames, altair charts
and small dataclasses, so an analyst can work in Jupyter and a strategy team can
script its monthly refresh::

    from workbench import open_workbench

    with open_workbench("data/workbench.duckdb") as wb:
        segments = wb.segments(valuable_top_pct=15)   # one row per account
        wb.chart_segments(segments)                   # an altair chart
        wb.buying_centre("A00001")                    # the map, inline in Jupyter
        print(wb.plan("A00001").to_markdown())

Writes (imports, the demo, plan saves) are checked against the workbench's actor,
:data:`~workbench.domain.LOCAL_ACTOR` unless another is given, exactly as in the
app: a viewer's workbench reads everything and changes nothing. Each writing
method also takes ``actor=`` to act as someone else for one call.

DuckDB lets one process write a file at a time: close the app (or use another
file) before opening the same database here, and :meth:`Workbench.close` it (or
use ``with``) when done.
"""

from __future__ import annotations

import hashlib
import html
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self

import polars as pl

from workbench import charts, demo, ingest, plans, readers, store
from workbench.access import require
from workbench.analytics import effort, network, segment, voice
from workbench.analytics.effort import MisallocationRules
from workbench.analytics.network import BuyingCentreReport
from workbench.backup import BackupSummary, backup_database
from workbench.domain import LOCAL_ACTOR, Actor
from workbench.errors import RejectedInputError
from workbench.ingest import surveys
from workbench.privacy import mask_personal_data

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType

    import altair as alt

__all__ = [
    "AccountPlan",
    "BuyingCentreMap",
    "EffortBy",
    "ImportRejectedError",
    "NpsBy",
    "SurveyImport",
    "Workbench",
    "open_workbench",
]

#: What :meth:`Workbench.effort` can split effort by.
EffortBy = Literal["account", "relationship", "value_segment", "segment_and_type"]
#: What :meth:`Workbench.nps` can split the NPS by.
NpsBy = Literal["role", "department", "org_level", "quarter", "account"]
# Splits that voice.nps_by computes as they are (role and account have their own).
_NPS_DIMENSIONS: tuple[str, ...] = ("department", "org_level", "quarter")


@dataclass(frozen=True)
class AccountPlan:
    """An account's plan as the notebook sees it: the content and where it stands.

    Attributes:
        plan: the plan itself (situation, sections, objectives, actions, risks);
            edit it in place, then :meth:`Workbench.save_plan` it.
        version: the stored version it was read from (0: a new draft, not saved).
        saved: the stored version's metadata (who saved it when), None for a draft.
    """

    plan: plans.Plan
    version: int = 0
    saved: plans.PlanVersion | None = field(default=None, repr=False)

    @property
    def is_draft(self) -> bool:
        """Return whether this plan has never been saved."""
        return self.version == 0

    def to_markdown(self) -> str:
        """Return the plan as Markdown (any HTML in its text stays inert)."""
        return plans.plan_to_markdown(self.plan, self.saved)

    def to_html(self) -> str:
        """Return the plan as one self-contained, printable HTML page."""
        return plans.plan_to_html(self.plan, self.saved)

    def actions_csv(self) -> bytes:
        """Return the plan's actions as spreadsheet-safe CSV bytes."""
        return plans.actions_csv(self.plan)

    def export(self, path: str | os.PathLike[str]) -> Path:
        """Write the plan to a file: ``.md``, ``.html`` or ``.csv`` (the actions).

        Returns:
            The path written.

        Raises:
            RejectedInputError: the file name has another suffix.
        """
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix in {".md", ".markdown"}:
            target.write_text(self.to_markdown(), encoding="utf-8")
        elif suffix in {".html", ".htm"}:
            target.write_text(self.to_html(), encoding="utf-8")
        elif suffix == ".csv":
            target.write_bytes(self.actions_csv())
        else:
            raise RejectedInputError(
                f"cannot export a plan as {suffix or 'a file without a suffix'}; "
                "use .md, .html or .csv"
            )
        return target

    def _repr_markdown_(self) -> str:
        # Jupyter shows a plan as its Markdown document.
        return self.to_markdown()


@dataclass(frozen=True)
class BuyingCentreMap:
    """One account's buying-centre map, shown inline by Jupyter.

    Attributes:
        account_id: the account.
        account_name: its name.
        network: the pyvis ``Network`` (to tweak and render yourself).
        html: the map as one self-contained page: vis-network inlined, nothing
            loaded from a CDN, every text from the data made inert.
        report: role coverage, breadth and depth, risks, whom to reach next.
        people: one row per person with role, level, touches and flags (e-mail
            and phone masked for viewers).
        height_px: the map's height.
    """

    account_id: str
    account_name: str
    network: Any = field(repr=False)
    html: str = field(repr=False)
    report: BuyingCentreReport = field(repr=False)
    people: pl.DataFrame = field(repr=False)
    height_px: int = 640

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the map as a standalone HTML file (opens offline); return the path."""
        target = Path(path)
        target.write_text(self.html, encoding="utf-8")
        return target

    def summary(self) -> dict[str, Any]:
        """Return coverage, breadth, risks and reach-next as plain JSON-ready data."""
        return network.map_summary(self.report)

    def _repr_html_(self) -> str:
        # The page goes into an iframe's srcdoc, escaped as an attribute value, so
        # nothing in it can close the attribute; the sandbox lets the map's own
        # scripts run but gives them no access to the notebook's page.
        return (
            f'<iframe title="Buying centre of {html.escape(self.account_name)}" '
            f'srcdoc="{html.escape(self.html, quote=True)}" '
            'sandbox="allow-scripts" '
            f'style="width: 100%; height: {self.height_px + 60}px; border: none;">'
            "</iframe>"
        )


@dataclass(frozen=True)
class SurveyImport:
    """The outcome of :meth:`Workbench.import_survey`.

    Attributes:
        result: what reading the file found: ``responses``, ``preview`` (one row
            per file row with its status), ``problems``, the columns used.
        written: ``inserted``, ``updated`` and ``run_id``; empty for a dry run.
    """

    result: surveys.SurveyResult
    written: dict[str, int] = field(default_factory=dict)

    def problems_frame(self) -> pl.DataFrame:
        """Return the problems as a frame (level, file, row, column, message)."""
        return surveys.problems_frame(self.result.problems)


class Workbench:
    """One open database with the workbench's analyses as methods.

    Create it with :func:`open_workbench`. Reading methods return polars frames
    (or altair charts, or dataclasses); writing methods check the actor's role
    first and change nothing when they refuse.
    """

    def __init__(self, con: store.Connection, *, actor: Actor = LOCAL_ACTOR) -> None:
        self._con: store.Connection | None = con
        self.actor = actor

    # --- the connection --------------------------------------------------------

    @property
    def connection(self) -> store.Connection:
        """Return the open DuckDB connection (for :mod:`workbench.store` functions).

        Raises:
            RejectedInputError: the workbench has been closed.
        """
        if self._con is None:
            raise RejectedInputError(
                "this workbench is closed; open it again with open_workbench()"
            )
        return self._con

    @property
    def path(self) -> str:
        """Return the database file (``:memory:`` for an in-memory database)."""
        return store.database_path(self.connection)

    def close(self) -> None:
        """Close the database; further calls raise. Closing twice is harmless."""
        if self._con is not None:
            self._con.close()
            self._con = None

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
        where = "closed" if self._con is None else self.path
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
        )
        if check and not report.ok:
            raise ImportRejectedError(report)
        return report

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
        contacts, accounts = store.survey_link_targets(self.connection)
        result = surveys.read_survey_file(
            source.name, data, contacts, accounts, score_column, encoding
        )
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
        written = store.write_survey_responses(
            self.connection,
            who,
            result.responses,
            file_name=source.name,
            file_sha256=hashlib.sha256(data).hexdigest(),
            problems=[p.as_dict() for p in result.problems],
        )
        return SurveyImport(result, written)

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

    def features(self, as_of: date | None = None) -> pl.DataFrame:
        """Return one row per account with every signal segmentation uses.

        Windows are the 12 months up to ``as_of`` (default: the data's last day);
        see :func:`workbench.store.account_features` for the columns.
        """
        return store.account_features(self.connection, as_of)

    def thresholds(
        self, thresholds: segment.Thresholds | None = None, **changes: Any
    ) -> segment.Thresholds:
        """Return thresholds: the defaults (or ``thresholds``) with ``changes`` applied.

        Raises:
            RejectedInputError: an unknown threshold or a value out of range.

        Example:
            >>> wb.thresholds(valuable_top_pct=15, relationship_threshold=55)  # doctest: +SKIP
        """
        base = thresholds or segment.DEFAULT_THRESHOLDS
        if not changes:
            return base
        return segment.Thresholds.from_dict({**base.to_dict(), **changes})

    def segments(
        self,
        thresholds: segment.Thresholds | None = None,
        as_of: date | None = None,
        **threshold_changes: Any,
    ) -> pl.DataFrame:
        """Return one row per account with its value segment and relationship type.

        Args:
            thresholds: the thresholds (default: the documented defaults).
            as_of: the last day of the 12-month window (default: the data's last day).
            **threshold_changes: single thresholds to change, e.g.
                ``valuable_top_pct=15`` (see :class:`workbench.segment.Thresholds`).

        Returns:
            :func:`workbench.segment.assign_segments`' columns: ``value_segment``,
            ``relationship``, ``relationship_score``, ``contribution``, the reasons…
            Manual relationship overrides are applied.

        Example:
            >>> wb.segments(valuable_top_pct=15).group_by("value_segment").len()  # doctest: +SKIP
        """
        chosen = self.thresholds(thresholds, **threshold_changes)
        return readers.account_segments(self.connection, chosen, as_of)

    def segment_summary(
        self,
        segments: pl.DataFrame | None = None,
        thresholds: segment.Thresholds | None = None,
        **threshold_changes: Any,
    ) -> pl.DataFrame:
        """Return accounts, revenue, contribution and shares per segment and type.

        Pass the frame of :meth:`segments`, or thresholds to compute it.
        """
        if segments is None:
            segments = self.segments(thresholds, **threshold_changes)
        return segment.segment_summary(segments)

    def chart_segments(
        self,
        segments: pl.DataFrame | None = None,
        thresholds: segment.Thresholds | None = None,
        **threshold_changes: Any,
    ) -> alt.LayerChart:
        """Return the portfolio chart: contribution against headroom, one point per account.

        Colour is the value segment, shape the relationship type; dashed rules mark
        the cuts of the thresholds used.

        Args:
            segments: rows of :meth:`segments` (computed with ``thresholds`` and
                ``threshold_changes`` when omitted).
            thresholds: the thresholds the cuts are drawn for.
            **threshold_changes: single thresholds to change.
        """
        chosen = self.thresholds(thresholds, **threshold_changes)
        if segments is None:
            segments = readers.account_segments(self.connection, chosen)
        cuts = segment.segment_cuts(segments, chosen)
        return charts.segment_scatter(
            segments, cuts.contribution_cut, cuts.headroom_cut
        )

    def set_relationship(
        self,
        account_id: str,
        relationship: Literal["transactional", "partnership"],
        reason: str,
        *,
        actor: Actor | None = None,
    ) -> None:
        """Decide an account's relationship type by hand (it wins over the score).

        Raises:
            PermissionDeniedError: the actor may not edit.
            RejectedInputError: unknown account or type, or no reason given.
        """
        store.set_relationship_override(
            self.connection, self._actor(actor), account_id, relationship, reason
        )

    def clear_relationship(
        self, account_id: str, *, actor: Actor | None = None
    ) -> bool:
        """Remove an account's manual decision; return whether there was one."""
        return store.delete_relationship_override(
            self.connection, self._actor(actor), account_id
        )

    def scenarios(self) -> pl.DataFrame:
        """Return the saved threshold scenarios: name, thresholds (JSON), who, when."""
        return store.segment_scenarios(self.connection)

    def save_scenario(
        self,
        name: str,
        thresholds: segment.Thresholds | None = None,
        *,
        actor: Actor | None = None,
        **threshold_changes: Any,
    ) -> segment.Thresholds:
        """Save thresholds under a name (replacing one of that name); return them."""
        chosen = self.thresholds(thresholds, **threshold_changes)
        store.save_segment_scenario(
            self.connection, self._actor(actor), name, chosen.to_dict()
        )
        return chosen

    def compare_scenarios(
        self,
        first: str | segment.Thresholds,
        second: str | segment.Thresholds,
        *,
        as_of: date | None = None,
    ) -> pl.DataFrame:
        """Return each account's segment and type under two scenarios, movers first.

        Args:
            first: a saved scenario's name, or thresholds.
            second: the same.
            as_of: the last day of the 12-month window.

        Raises:
            RejectedInputError: no saved scenario has that name.
        """
        return segment.compare_scenarios(
            self.features(as_of),
            self._scenario(first),
            self._scenario(second),
            store.relationship_overrides(self.connection),
        )

    def _scenario(self, chosen: str | segment.Thresholds) -> segment.Thresholds:
        if isinstance(chosen, segment.Thresholds):
            return chosen
        found = segment.scenario_thresholds(self.scenarios(), chosen)
        if found is None:
            raise RejectedInputError(f"no saved scenario named {chosen!r}")
        return found

    # --- effort ----------------------------------------------------------------

    def _segments_and_day(
        self,
        thresholds: segment.Thresholds | None,
        as_of: date | None,
        changes: dict[str, Any],
    ) -> tuple[pl.DataFrame, segment.Thresholds, date]:
        chosen = self.thresholds(thresholds, **changes)
        day = store.resolve_as_of(self.connection, as_of)
        return readers.account_segments(self.connection, chosen, day), chosen, day

    def effort(
        self,
        by: EffortBy = "account",
        *,
        thresholds: segment.Thresholds | None = None,
        as_of: date | None = None,
        **threshold_changes: Any,
    ) -> pl.DataFrame:
        """Return our effort against what accounts bring, per account or per group.

        Hours are recorded durations plus the assumed minutes of activities without
        one (``minutes_per_activity_without_duration``), over the 12 months up to
        ``as_of``.

        Args:
            by: ``account`` (one row per account, most effort first, with effort,
                revenue and contribution shares, hours per 1,000 of margin and the
                effort index: hours against what the margin justifies for the
                account's type), or a grouping: ``relationship``,
                ``value_segment`` or ``segment_and_type``.
            thresholds: segmentation thresholds (default: the documented ones).
            as_of: the last day of the window (default: the data's last day).
            **threshold_changes: single thresholds to change.

        Example:
            >>> wb.effort(by="relationship")  # doctest: +SKIP
        """
        segments, _, _ = self._segments_and_day(thresholds, as_of, threshold_changes)
        accounts = effort.account_effort(segments)
        if by == "account":
            return accounts
        if by in effort.GROUPINGS:
            return effort.effort_by_group(accounts, by)
        raise RejectedInputError(
            f"cannot split effort by {by!r}; choose account, "
            + ", ".join(effort.GROUPINGS)
        )

    def effort_breakdown(
        self,
        view: str = "seller",
        *,
        period: Literal["current", "previous", "both"] = "current",
        thresholds: segment.Thresholds | None = None,
        as_of: date | None = None,
        **threshold_changes: Any,
    ) -> pl.DataFrame:
        """Return effort hours per seller, team, department, role, kind or month.

        Each label is split by relationship type and value segment (see
        :func:`workbench.effort.effort_breakdown`).
        """
        if view not in effort.BREAKDOWNS:
            raise RejectedInputError(
                f"cannot break effort down by {view!r}; choose "
                + ", ".join(effort.BREAKDOWNS)
            )
        segments, chosen, day = self._segments_and_day(
            thresholds, as_of, threshold_changes
        )
        return effort.effort_breakdown(
            store.effort_aggregates(self.connection, day),
            segments,
            view,
            chosen.minutes_per_activity_without_duration,
            period,
        )

    def seller_effort(
        self,
        *,
        thresholds: segment.Thresholds | None = None,
        as_of: date | None = None,
        **threshold_changes: Any,
    ) -> pl.DataFrame:
        """Return who spends time where: one row per seller, hours per type and segment."""
        segments, chosen, day = self._segments_and_day(
            thresholds, as_of, threshold_changes
        )
        return effort.seller_effort(
            store.effort_aggregates(self.connection, day),
            segments,
            chosen.minutes_per_activity_without_duration,
        )

    def misallocations(
        self,
        rules: MisallocationRules | None = None,
        *,
        thresholds: segment.Thresholds | None = None,
        as_of: date | None = None,
        **rule_changes: float,
    ) -> pl.DataFrame:
        """Return over- and under-served accounts, one row per account and issue.

        Args:
            rules: when an account counts as over- or under-served (default:
                :class:`workbench.effort.MisallocationRules`).
            thresholds: segmentation thresholds.
            as_of: the last day of the window.
            **rule_changes: single rules to change, e.g. ``over_factor=4``.
        """
        segments, _, _ = self._segments_and_day(thresholds, as_of, {})
        return effort.misallocations(
            effort.account_effort(segments), rules, **rule_changes
        )

    def chart_effort(
        self,
        by: EffortBy = "account",
        *,
        thresholds: segment.Thresholds | None = None,
        as_of: date | None = None,
        **threshold_changes: Any,
    ) -> alt.Chart:
        """Return effort against value as a chart.

        ``account``: effort hours against gross margin, one point per account;
        a grouping: effort, revenue and contribution shares side by side per group.
        """
        accounts = self.effort(thresholds=thresholds, as_of=as_of, **threshold_changes)
        if by == "account":
            return charts.effort_value_scatter(accounts)
        if by in effort.GROUPINGS:
            groups = effort.effort_by_group(accounts, by)
            return charts.share_bars(effort.share_comparison(groups, by))
        raise RejectedInputError(
            f"cannot chart effort by {by!r}; choose account, "
            + ", ".join(effort.GROUPINGS)
        )

    # --- voice of the customer -------------------------------------------------

    def nps_responses(
        self, since: date | None = None, *, account_id: str | None = None
    ) -> pl.DataFrame:
        """Return the NPS responses with who answered (masked for viewers).

        Args:
            since: only responses on or after this day.
            account_id: only this account's responses.

        See :func:`workbench.store.nps_responses_enriched` for the columns.
        """
        responses = voice.responses_since(
            store.nps_responses_enriched(self.connection), since
        )
        if account_id is not None:
            responses = voice.responses_for_account(responses, account_id)
        return mask_personal_data(responses, self.actor)

    def nps(
        self,
        by: NpsBy = "role",
        *,
        since: date | None = None,
        account_id: str | None = None,
    ) -> pl.DataFrame:
        """Return the Net Promoter Score split by buying role (or another dimension).

        Args:
            by: ``role`` (every role in the vocabulary's order, roles nobody
                answered for with a null NPS), ``department``, ``org_level``,
                ``quarter`` or ``account`` (every account, with the roles heard
                and missing).
            since: only responses on or after this day.
            account_id: only this account's responses.

        Returns:
            One row per group: ``responses``, ``promoters``, ``passives``,
            ``detractors`` and ``nps`` (−100…100; null where nobody answered).

        Example:
            >>> wb.nps(by="quarter", since=date(2026, 1, 1))  # doctest: +SKIP
        """
        responses = self.nps_responses(since, account_id=account_id)
        if by == "role":
            return voice.nps_by_role(responses)
        if by == "account":
            return voice.nps_by_account(responses, self.accounts())
        if by in _NPS_DIMENSIONS:
            return voice.nps_by(responses, by)
        raise RejectedInputError(
            f"cannot split the NPS by {by!r}; choose role, department, org_level, "
            "quarter or account"
        )

    def chart_nps(
        self,
        by: Literal["role", "quarter"] = "role",
        *,
        since: date | None = None,
        account_id: str | None = None,
    ) -> alt.Chart:
        """Return NPS bars per buying role, or NPS per quarter as a line per role."""
        responses = self.nps_responses(since, account_id=account_id)
        if by == "role":
            return charts.role_bars(voice.nps_by_role(responses))
        if by == "quarter":
            return charts.trend_lines(voice.quarterly_trend(responses, by_role=True))
        raise RejectedInputError(
            f"cannot chart the NPS by {by!r}; choose role or quarter"
        )

    def role_conflicts(
        self,
        gap_threshold: float = 70,
        *,
        min_responses: int = 5,
        roles_a: Sequence[str] | None = None,
        roles_b: Sequence[str] | None = None,
        since: date | None = None,
    ) -> pl.DataFrame:
        """Return accounts where two roles' NPS differ by more than ``gap_threshold``.

        Only roles with at least ``min_responses`` answers in the account count;
        ``roles_a``/``roles_b`` restrict the pairs (for example users against
        deciders and approvers). Widest gap first.
        """
        return voice.role_conflicts(
            self.nps_responses(since),
            gap_threshold=gap_threshold,
            min_responses=min_responses,
            roles_a=roles_a,
            roles_b=roles_b,
        )

    def risky_detractors(
        self, *, influence_min: int = voice.HIGH_INFLUENCE_MIN
    ) -> pl.DataFrame:
        """Return people whose latest score is 0–6 and who can sink a deal.

        Deciders and approvers always count; others from ``influence_min`` on.
        """
        return voice.risky_detractors(self.nps_responses(), influence_min=influence_min)

    def comments(
        self,
        text: str = "",
        *,
        roles: Sequence[str] | None = None,
        account_id: str | None = None,
        since: date | None = None,
    ) -> pl.DataFrame:
        """Return survey comments containing ``text`` (plain, any case), newest first."""
        return voice.search_comments(
            self.nps_responses(since, account_id=account_id), text, roles
        )

    # --- buying centres --------------------------------------------------------

    def buying_centre(
        self,
        account_id: str,
        *,
        months: int = 12,
        as_of: date | None = None,
        departments: Sequence[str] = (),
        roles: Sequence[str] = (),
        layout: Literal["force", "hierarchy"] = "force",
        highlight_contact_id: str | None = None,
        show_sellers: bool = True,
        height_px: int = 640,
    ) -> BuyingCentreMap:
        """Return one account's buying-centre map; Jupyter shows it inline.

        Args:
            account_id: the account.
            months: the window of our touches, in months up to ``as_of``.
            as_of: the window's last day (default: the data's last day).
            departments: only these departments (default: all).
            roles: only these buying roles (``unknown`` for none; default: all).
            layout: ``force`` or ``hierarchy`` (the reporting tree top-down).
            highlight_contact_id: draw the warm path to this person.
            show_sellers: draw our sellers and their touches.
            height_px: the map's height.

        Raises:
            RejectedInputError: no such account, or a window under one month.

        Example:
            >>> bc = wb.buying_centre("A00001", roles=["decider", "approver"])  # doctest: +SKIP
            >>> bc  # in Jupyter: the map  # doctest: +SKIP
            >>> bc.report.risks  # doctest: +SKIP
        """
        data = store.read_buying_centre(
            self.connection, account_id, months=months, as_of=as_of
        )
        options = network.MapOptions(
            departments=tuple(departments),
            roles=tuple(roles),
            layout=layout,
            highlight_contact_id=highlight_contact_id,
            show_sellers=show_sellers,
            height_px=height_px,
        )
        net = network.build_buying_centre(data, options)
        return BuyingCentreMap(
            account_id=account_id,
            account_name=data.account_name,
            network=net,
            html=network.network_html(net, freeze=options.freeze),
            report=network.analyse_buying_centre(data),
            people=mask_personal_data(network.people(data), self.actor),
            height_px=height_px,
        )

    def edit_contacts(
        self, changes: pl.DataFrame, *, actor: Actor | None = None
    ) -> int:
        """Set people's buying roles, influence and attitudes; every change is logged.

        Args:
            changes: one row per value: ``contact_id``, ``field`` (``buying_role``,
                ``influence`` or ``attitude``), ``new_value`` (text, or null to
                clear it).
            actor: who edits (default: the workbench's actor); needs ``edit``.

        Returns:
            How many values changed.

        Raises:
            RejectedInputError: an unknown person, field or value; nothing is saved.

        Example:
            >>> wb.edit_contacts(pl.DataFrame({"contact_id": ["C0000001"],
            ...     "field": ["buying_role"], "new_value": ["decider"]}))  # doctest: +SKIP
            1
        """
        return store.save_contact_edits(self.connection, self._actor(actor), changes)

    # --- account plans ---------------------------------------------------------

    def situation(self, account_id: str, as_of: date | None = None) -> plans.Situation:
        """Return the account's situation as computed now from every source."""
        self._require_account(account_id)
        return plans.build_situation(self.connection, account_id, as_of=as_of)

    def plan(
        self,
        account_id: str,
        *,
        version: int | None = None,
        as_of: date | None = None,
    ) -> AccountPlan:
        """Return the account's current plan, or a new draft with its situation.

        Args:
            account_id: the account.
            version: an older stored version (default: the current one).
            as_of: the day a new draft's situation is computed for.

        Raises:
            RejectedInputError: no such account, or no such version.

        Example:
            >>> draft = wb.plan("A00001")  # doctest: +SKIP
            >>> draft.plan.identify = "Who decides the 2027 framework?"  # doctest: +SKIP
            >>> wb.save_plan(draft)  # doctest: +SKIP
        """
        name = self._require_account(account_id)
        saved = plans.load_plan(self.connection, account_id, version)
        if saved is not None:
            return AccountPlan(plan=saved.plan, version=saved.version, saved=saved)
        if version is not None:
            raise RejectedInputError(
                f"{account_id} ({name}) has no plan version {version}"
            )
        situation = plans.build_situation(self.connection, account_id, as_of=as_of)
        return AccountPlan(plan=plans.new_plan(account_id, name, situation))

    def save_plan(
        self, account_plan: AccountPlan, *, actor: Actor | None = None
    ) -> AccountPlan:
        """Save the plan as a new version and return it as now stored.

        The save is refused (``PlanConflictError``, with your plan attached) when
        someone saved a newer version since ``account_plan`` was read.

        Raises:
            PermissionDeniedError: the actor may not write plans.
            RejectedInputError: the plan has problems (all listed).
            workbench.plans.PlanConflictError: a newer version exists.
        """
        saved = plans.save_plan(
            self.connection,
            self._actor(actor),
            account_plan.plan,
            based_on=account_plan.version,
        )
        return AccountPlan(plan=saved.plan, version=saved.version, saved=saved)

    def plan_history(self, account_id: str) -> pl.DataFrame:
        """Return every stored version of the account's plan, newest first."""
        return plans.plan_history(self.connection, account_id)

    def plans_overview(self, today: date | None = None) -> plans.PlansOverview:
        """Return the leaders' overview: missing plans, overdue actions, per segment."""
        return plans.plans_overview(self.connection, today=today)

    def _require_account(self, account_id: str) -> str:
        name = store.account_name(self.connection, account_id)
        if name is None:
            raise RejectedInputError(f"there is no account {account_id!r}")
        return name


class ImportRejectedError(RejectedInputError):
    """An import was rejected; nothing changed. ``report`` lists every problem."""

    def __init__(self, report: ingest.ImportReport) -> None:
        self.report = report
        errors = report.errors
        shown = "; ".join(
            f"{p.file}{f' row {p.row}' if p.row else ''}"
            f"{f' column {p.column}' if p.column else ''}: {p.message}"
            for p in errors[:5]
        )
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(
            f"import rejected, nothing changed: {shown}{more}. "
            "See .report.problems_frame() for every problem."
        )


def open_workbench(
    path: str | os.PathLike[str] | None = None,
    *,
    actor: Actor = LOCAL_ACTOR,
    read_only: bool = False,
) -> Workbench:
    """Open a workbench database (creating and upgrading it as needed).

    Args:
        path: the database file; ``None`` uses ``$WORKBENCH_DB`` or
            ``data/workbench.duckdb``; ``":memory:"`` a private in-memory database.
        actor: who acts on writes (default: the local, login-free user).
        read_only: open the file without the right to write (it must exist and be
            up to date; other processes still cannot write while it is open).

    Returns:
        The :class:`Workbench`; close it, or use it in a ``with`` block.

    Raises:
        DatabaseBusyError: another process holds the file open for writing.

    Example:
        >>> with open_workbench(":memory:") as wb:
        ...     wb.info()["counts"]["accounts"]
        0
    """
    return Workbench(store.connect(path, read_only=read_only), actor=actor)
