"""What the workbench's methods hand back: plans, maps, survey imports, refusals."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from workbench import ingest, plans
from workbench.analytics import network
from workbench.analytics.network import BuyingCentreReport
from workbench.errors import RejectedInputError
from workbench.ingest import surveys

if TYPE_CHECKING:
    pass


#: What :meth:`Workbench.effort` can split effort by.
EffortBy = Literal["account", "relationship", "value_segment", "segment_and_type"]
#: What :meth:`Workbench.nps` can split the NPS by.
NpsBy = Literal["role", "department", "org_level", "quarter", "account"]


@dataclass(frozen=True)
class AccountPlan:
    """An account's plan as the notebook sees it: the content and where it stands.

    Attributes:
        plan: the plan itself (situation, sections, objectives, actions, risks);
            edit it in place, then :meth:`Workbench.save_plan` it.
        version: the stored version it was read from (0: a new draft, not saved).
        saved: the stored version's metadata (who saved it when), None for a draft.
        currency: the portfolio's ISO currency code, which the exports' money
            figures carry (None: figures without it).
    """

    plan: plans.Plan
    version: int = 0
    saved: plans.PlanVersion | None = field(default=None, repr=False)
    currency: str | None = field(default=None, repr=False)

    @property
    def is_draft(self) -> bool:
        """Return whether this plan has never been saved."""
        return self.version == 0

    def to_markdown(self) -> str:
        """Return the plan as Markdown (any HTML in its text stays inert)."""
        return plans.plan_to_markdown(self.plan, self.saved, self.currency)

    def to_html(self) -> str:
        """Return the plan as one self-contained, printable HTML page."""
        return plans.plan_to_html(self.plan, self.saved, self.currency)

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
