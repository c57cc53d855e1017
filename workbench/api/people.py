"""The workbench's voice-of-the-customer, buying-centre and plan methods; the Workbench itself."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from workbench import plans, store
from workbench.analytics import network, segment, voice
from workbench.api.analysis import SegmentsAndEffort
from workbench.api.results import AccountPlan, BuyingCentreMap, NpsBy
from workbench.domain import LOCAL_ACTOR, Actor
from workbench.errors import RejectedInputError
from workbench.privacy import mask_personal_data

if TYPE_CHECKING:
    from collections.abc import Sequence

    import altair as alt

# Splits that voice.nps_by computes as they are (role and account have their own).
_NPS_DIMENSIONS: tuple[str, ...] = ("department", "org_level", "quarter")


class Workbench(SegmentsAndEffort):
    """One open database with the workbench's analyses as methods.

    Create it with :func:`open_workbench`. Reading methods return polars frames
    (or altair charts, or dataclasses); writing methods check the actor's role
    first and change nothing when they refuse.
    """

    # --- notebook explorers (the pages' controls as ipywidgets) -----------------

    def explore_segments(self, thresholds: segment.Thresholds | None = None) -> Any:
        """Return the Segments page's thresholds as notebook widgets, live.

        The returned box holds the sliders, the chart, the summary and the table,
        plus rows to save the thresholds as a scenario and compare two; its
        ``.result`` is the current segments frame. Needs the ``notebook`` extra.

        Example:
            >>> box = wb.explore_segments()  # doctest: +SKIP
            >>> box  # in Jupyter: the sliders and the chart  # doctest: +SKIP
        """
        return _explorers().explore_segments(self, thresholds)

    def explore_effort(
        self,
        thresholds: segment.Thresholds | None = None,
        as_of: date | None = None,
    ) -> Any:
        """Return the Effort page's grouping and rules as notebook widgets, live."""
        return _explorers().explore_effort(self, thresholds, as_of)

    def explore_buying_centre(self, account_id: str, months: int = 12) -> Any:
        """Return one account's map with its filters as notebook widgets, live."""
        self._require_account(account_id)
        return _explorers().explore_buying_centre(self, account_id, months)

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
            ``detractors`` and ``nps`` (−100…100; null where nobody answered),
            ``nps_low``/``nps_high`` (95 % interval) and ``too_few`` (fewer than
            five answers). Each person counts once: their latest answer.

        Example:
            >>> wb.nps(by="quarter", since=date(2026, 1, 1))  # doctest: +SKIP
        """
        answers = self.nps_responses(since, account_id=account_id)
        # Each person counts once per period: the period's latest answer, or for a
        # split by quarter, each quarter's.
        responses = (
            voice.one_answer_per_person(voice.with_quarter(answers), by=["quarter"])
            if by == "quarter"
            else voice.one_answer_per_person(answers)
        )
        if by == "role":
            return voice.nps_by_role(responses)
        if by == "account":
            left_out = self.accounts_not_segmented().get_column("account_id")
            return voice.nps_by_account(responses, self.accounts(), left_out.to_list())
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
        from workbench import charts  # altair: only where a chart is drawn

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
        min_responses: int = voice.MIN_RESPONSES,
        roles_a: Sequence[str] | None = None,
        roles_b: Sequence[str] | None = None,
        since: date | None = None,
        alpha: float = voice.CONFLICT_ALPHA,
    ) -> pl.DataFrame:
        """Return accounts where two roles' NPS differ beyond chance and the floor.

        Only roles with at least ``min_responses`` answers (one per person) in the
        account count; the widest gap must pass a permutation test within the
        account (Benjamini–Hochberg at ``alpha`` across accounts) and exceed
        ``gap_threshold`` points. ``roles_a``/``roles_b`` restrict the pairs (for
        example users against deciders and approvers). Widest gap first; see
        :mod:`workbench.analytics.voice.conflicts`.
        """
        return voice.role_conflicts(
            self.nps_responses(since),
            gap_threshold=gap_threshold,
            min_responses=min_responses,
            roles_a=roles_a,
            roles_b=roles_b,
            alpha=alpha,
        )

    def nps_period_start(
        self, quarters: int | None = voice.DEFAULT_QUARTERS
    ) -> date | None:
        """Return the first day of the last ``quarters`` quarters of answers.

        The quarter of the newest answer counts as the first; ``None`` (or no
        answers) means all time. The default period of NPS figures is four quarters.
        """
        last_day = voice.last_response_day(
            store.nps_responses_enriched(self.connection)
        )
        return voice.period_start(last_day, quarters)

    def chart_role_intervals(
        self, account_ids: Sequence[str], *, since: date | None = None
    ) -> alt.FacetChart:
        """Return each account's NPS per role with its 95 % interval (one panel each)."""
        responses = voice.one_answer_per_person(self.nps_responses(since))
        per_role = voice.nps_by_account_role(
            responses.filter(pl.col("account_id").is_in(list(account_ids)))
        )
        from workbench import charts  # altair: only where a chart is drawn

        return charts.role_intervals(per_role)

    def risky_detractors(
        self, *, influence_min: int = voice.HIGH_INFLUENCE_MIN
    ) -> pl.DataFrame:
        """Return people whose latest score is 0–6 and who can sink a deal.

        Deciders and approvers always count; others from ``influence_min`` on.
        """
        return voice.risky_detractors(self.nps_responses(), influence_min=influence_min)

    def detractor_followups(self, today: date | None = None) -> pl.DataFrame:
        """Return the follow-up of every detractor among deciders and approvers.

        Stored ones (owner, due date, status) and proposed ones (no owner yet, due
        14 days after the answer); ``overdue`` is judged against ``today``
        (default: today, UTC). See :func:`workbench.analytics.voice.detractor_followups`.
        """
        day = today or datetime.now(UTC).date()
        # The answers with who answered are enough (no reporting tree, no last
        # touch); they hold no e-mail or phone, so a viewer sees them as they are.
        return voice.detractor_followups(
            store.nps_answers(self.connection),
            store.detractor_followups(self.connection),
            today=day,
        )

    def save_detractor_followup(
        self,
        response_id: str,
        *,
        owner: str,
        due_on: date,
        status: str = "open",
        note: str | None = None,
        actor: Actor | None = None,
    ) -> None:
        """Record who follows up a detractor's answer, by when, and whether done.

        Needs the ``plan`` right.
        """
        store.save_detractor_followup(
            self.connection,
            self._actor(actor),
            response_id=response_id,
            owner=owner,
            due_on=due_on,
            status=status,
            note=note,
        )

    # --- the requirements register ------------------------------------------

    def requirements(self, account_id: str | None = None) -> pl.DataFrame:
        """Return the register: what each role needs, in its words, with its source."""
        return store.account_requirements(self.connection, account_id)

    def add_requirement(
        self,
        account_id: str,
        need: str,
        *,
        role: str | None,
        category: str,
        source: str = "meeting",
        contact_id: str | None = None,
        actor: Actor | None = None,
    ) -> str:
        """Record what a role needs, in its own words; return the requirement's ID."""
        return store.add_requirement(
            self.connection,
            self._actor(actor),
            account_id=account_id,
            role=role,
            category=category,
            need=need,
            source=source,
            contact_id=contact_id,
        )

    def promote_comment(
        self,
        response_id: str,
        *,
        category: str,
        need: str | None = None,
        actor: Actor | None = None,
    ) -> str:
        """Put a survey comment into the register (its words, unless ``need`` says).

        The requirement takes the answer's account, person and buying role, with
        source ``survey comment``; returns its ID.
        """
        answer = store.survey_comment(self.connection, response_id)
        return store.add_requirement(
            self.connection,
            self._actor(actor),
            account_id=str(answer["account_id"]),
            role=answer["role"],
            category=category,
            need=need or str(answer["comment"]),
            source="survey comment",
            contact_id=answer["contact_id"],
            response_id=response_id,
        )

    def requirement_conflicts(
        self, account_id: str | None = None, *, open_only: bool = False
    ) -> pl.DataFrame:
        """Return the conflicts between requirements with both needs and the owner."""
        conflicts = store.requirement_conflicts(self.connection, account_id)
        return conflicts.filter(pl.col("status") == "open") if open_only else conflicts

    def mark_requirement_conflict(
        self,
        requirement_a: str,
        requirement_b: str,
        *,
        owner: str,
        status: str = "open",
        resolution: str | None = None,
        actor: Actor | None = None,
    ) -> str:
        """Mark two needs of one account as in conflict, with who resolves it."""
        return store.save_requirement_conflict(
            self.connection,
            self._actor(actor),
            requirement_a=requirement_a,
            requirement_b=requirement_b,
            owner=owner,
            status=status,
            resolution=resolution,
        )

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
        opportunity_id: str | None = None,
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
            opportunity_id: only the deal's buying centre (the people the CRM names
                on it), on the map and in the report; a deal naming nobody of the
                account gives the whole account, and ``report.deal`` says so.

        Raises:
            RejectedInputError: no such account, a window under one month, or no
                such deal at this account.

        Example:
            >>> bc = wb.buying_centre("A00001", roles=["decider", "approver"])  # doctest: +SKIP
            >>> bc  # in Jupyter: the map  # doctest: +SKIP
            >>> bc.report.risks  # doctest: +SKIP
        """
        data = store.read_buying_centre(
            self.connection, account_id, months=months, as_of=as_of
        )
        deals = None
        if opportunity_id is not None:
            deals = store.account_deals(self.connection, account_id)
            if opportunity_id not in deals["opportunity_id"].to_list():
                raise RejectedInputError(
                    f"account {account_id!r} has no deal with the ID {opportunity_id!r}"
                )
        report = network.analyse_buying_centre(
            data, deals=deals, opportunity_id=opportunity_id
        )
        options = network.MapOptions(
            departments=tuple(departments),
            roles=tuple(roles),
            layout=layout,
            highlight_contact_id=highlight_contact_id,
            show_sellers=show_sellers,
            height_px=height_px,
            contact_ids=(report.deal.contact_ids or None) if report.deal else None,
        )
        net = network.build_buying_centre(data, options)
        return BuyingCentreMap(
            account_id=account_id,
            account_name=data.account_name,
            network=net,
            html=network.network_html(net, freeze=options.freeze),
            report=report,
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
            return self._stored_plan(saved)
        if version is not None:
            raise RejectedInputError(
                f"{account_id} ({name}) has no plan version {version}"
            )
        situation = plans.build_situation(self.connection, account_id, as_of=as_of)
        return AccountPlan(
            plan=plans.new_plan(account_id, name, situation),
            currency=store.portfolio_currency(self.connection),
        )

    def _stored_plan(self, saved: plans.PlanVersion) -> AccountPlan:
        """Return a stored version as the notebook sees it, money in our currency."""
        return AccountPlan(
            plan=saved.plan,
            version=saved.version,
            saved=saved,
            currency=store.portfolio_currency(self.connection),
        )

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
        return self._stored_plan(saved)

    def restore_plan(
        self,
        account_id: str,
        version: int,
        *,
        based_on: int,
        actor: Actor | None = None,
    ) -> AccountPlan:
        """Save an older version of the account's plan again as the current one.

        ``based_on`` is the version the caller saw as current: a newer save made
        meanwhile makes this refuse (``PlanConflictError``) rather than overwrite.
        """
        saved = plans.restore_version(
            self.connection, self._actor(actor), account_id, version, based_on=based_on
        )
        return self._stored_plan(saved)

    def plan_history(self, account_id: str) -> pl.DataFrame:
        """Return every stored version of the account's plan, newest first."""
        return plans.plan_history(self.connection, account_id)

    def plans_overview(
        self, today: date | None = None, segmentation: pl.DataFrame | None = None
    ) -> plans.PlansOverview:
        """Return the leaders' overview: missing plans, overdue actions, per segment.

        Args:
            today: the day overdue and stale are judged against (default: today).
            segmentation: the segments to group by, e.g.
                ``wb.segments(valuable_top_pct=15)`` (default: the default
                thresholds at the data's last day).
        """
        return plans.plans_overview(
            self.connection, today=today, segmentation=segmentation
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


def _explorers() -> ModuleType:
    """Return the explorers module, or say how to install what it needs."""
    try:
        from workbench.api import explore
    except ImportError as error:  # the optional ``notebook`` extra is missing
        raise RejectedInputError(
            'the notebook explorers need ipywidgets: pip install -e ".[notebook]"'
        ) from error
    return explore
