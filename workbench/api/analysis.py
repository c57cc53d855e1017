"""The workbench's segmentation and effort methods."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from workbench import readers, store
from workbench.analytics import effort, segment
from workbench.analytics.effort import CapacityChange, Headline, MisallocationRules
from workbench.api.economics import EconomicsInputs
from workbench.api.results import EffortBy
from workbench.domain import Actor
from workbench.errors import RejectedInputError

if TYPE_CHECKING:
    import altair as alt


class SegmentsAndEffort(EconomicsInputs):
    """Segments, scenarios and effort over the open database."""

    def features(
        self, as_of: date | None = None, default_term_months: int = 12
    ) -> pl.DataFrame:
        """Return one row per customer account with every signal segmentation uses.

        Accounts the CRM types as no customer are left out
        (:meth:`accounts_not_segmented` lists them). Windows are the 12 months up to ``as_of`` (default: the data's last day);
        see :func:`workbench.store.account_features` for the columns.
        """
        return store.account_features(self.connection, as_of, default_term_months)

    def accounts_not_segmented(self) -> pl.DataFrame:
        """Return the accounts the CRM types as no customer, left out of the segments.

        A competitor, partner, supplier, the press or an investor with no deal on
        record (see :func:`workbench.store.accounts_not_segmented` for the
        columns): kept, shown in its buying centre, but not valued or ranked.
        """
        return store.accounts_not_segmented(self.connection)

    def features_up_to_date(
        self,
        as_of: date,
        default_term_months: int = 12,
        held: store.HeldFeatures | None = None,
    ) -> store.HeldFeatures:
        """Return :meth:`features` as of ``as_of``, kept up to date from ``held``.

        ``held``: what an earlier call returned, or ``None``. When facts changed
        since, only the accounts they touched are read again (see
        :mod:`workbench.store.feature_changes`); ``.features`` is the frame.
        """
        return store.features_up_to_date(
            self.connection, as_of, default_term_months, held
        )

    def term_revenue(
        self, as_of: date | None = None, default_term_months: int = 12
    ) -> pl.DataFrame:
        """Return per account the features that the default contract term changes.

        The :data:`workbench.store.TERM_COLUMNS` of :meth:`features` for
        ``default_term_months``, read apart from the rest (at 10,000 accounts, a
        quarter of reading every feature); ``store.with_term_revenue(features,
        this)`` puts them in place in features read for another term.
        """
        day = store.resolve_as_of(self.connection, as_of)
        return store.account_term_revenue(self.connection, day, default_term_months)

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
        from workbench import charts  # altair: only where a chart is drawn

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

    def buying_situation(self) -> pl.DataFrame:
        """Return the buying situation workshops rated: one row per rated account.

        One column per factor of :data:`workbench.domain.SITUATION_FACTORS` (1–5,
        NULL when unknown); see :func:`workbench.store.account_situation`.
        """
        return store.account_situation(self.connection)

    def set_buying_situation(
        self,
        account_id: str,
        levels: dict[str, int | None],
        *,
        actor: Actor | None = None,
    ) -> None:
        """Rate factors of an account's buying situation (``None`` forgets one).

        The target relationship follows from them (docs/segments.md).

        Raises:
            PermissionDeniedError: the actor may not edit.
            RejectedInputError: unknown account or factor, or a level outside 1–5.
        """
        store.set_account_situation(
            self.connection, self._actor(actor), account_id, levels
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
        side_a, side_b = self.scenario(first), self.scenario(second)
        # each side's revenue is spread over its own default contract term
        term_a, term_b = (round(side.default_term_months) for side in (side_a, side_b))
        features_a = self.features(as_of, term_a)
        return segment.compare_scenarios(
            features_a,
            side_a,
            side_b,
            store.relationship_overrides(self.connection),
            store.account_situation(self.connection),
            second_features=(
                features_a if term_b == term_a else self.features(as_of, term_b)
            ),
        )

    def scenario(self, chosen: str | segment.Thresholds) -> segment.Thresholds:
        """Return a saved scenario's thresholds by name (thresholds pass through).

        Raises:
            RejectedInputError: no saved scenario has that name.
        """
        if isinstance(chosen, segment.Thresholds):
            return chosen
        found = segment.scenario_thresholds(self.scenarios(), chosen)
        if found is None:
            raise RejectedInputError(f"no saved scenario named {chosen!r}")
        return found

    def as_of(self, as_of: date | None = None) -> date:
        """Return the day the analyses end on: ``as_of``, or the data's last day."""
        return store.resolve_as_of(self.connection, as_of)

    # --- effort ----------------------------------------------------------------

    def _segments_and_day(
        self,
        thresholds: segment.Thresholds | None,
        as_of: date | None,
        changes: dict[str, Any],
    ) -> tuple[pl.DataFrame, segment.Thresholds, date]:
        chosen = self.thresholds(thresholds, **changes)
        day = self.as_of(as_of)
        return readers.account_segments(self.connection, chosen, day), chosen, day

    def service_model(self, scenario: str | None = None) -> pl.DataFrame:
        """Return the service model of a scenario: what each kind of account deserves.

        One row per relationship type × value segment (docs/effort.md): the band
        of hours as a share of the margin at stake (``low_pct``, ``high_pct``),
        ``headroom_weight``, ``floor_hours``, ``involve`` and ``touches_per_year``.
        The one saved with the scenario (``None``: the default thresholds'), else
        the documented defaults.
        """
        saved = store.service_model(self.connection, scenario or "")
        return effort.default_model() if saved is None else effort.validate_model(saved)

    def save_service_model(
        self,
        model: pl.DataFrame,
        scenario: str | None = None,
        *,
        actor: Actor | None = None,
    ) -> pl.DataFrame:
        """Check and save a service model with a scenario (``None``: the defaults').

        Raises:
            PermissionDeniedError: the actor may not edit.
            RejectedInputError: every problem of the model at once (see
                :func:`workbench.analytics.effort.validate_model`), or no saved
                scenario has that name.
        """
        checked = effort.model_from_frame(model)
        if scenario:
            self.scenario(scenario)
        store.save_service_model(
            self.connection, self._actor(actor), scenario or "", checked.to_dicts()
        )
        return checked

    def judged_effort(
        self,
        *,
        thresholds: segment.Thresholds | None = None,
        as_of: date | None = None,
        model: pl.DataFrame | None = None,
        rules: MisallocationRules | None = None,
        **threshold_changes: Any,
    ) -> pl.DataFrame:
        """Return effort per account judged against the service model.

        Rows of :func:`workbench.analytics.effort.judge`: the deserved band, whom
        the hours went to (unattributed when no person is named), and one verdict
        per dimension (``investment``, ``people``).
        """
        chosen = self.thresholds(thresholds, **threshold_changes)
        return readers.judged_effort(
            self.connection,
            chosen,
            self.as_of(as_of),
            self.service_model() if model is None else effort.model_from_frame(model),
            rules,
        )

    def effort(
        self,
        by: EffortBy = "account",
        *,
        thresholds: segment.Thresholds | None = None,
        as_of: date | None = None,
        model: pl.DataFrame | None = None,
        **threshold_changes: Any,
    ) -> pl.DataFrame:
        """Return our effort against what accounts bring, per account or per group.

        Hours are recorded durations plus the assumed minutes of activities without
        one (``minutes_per_activity_without_duration``), over the 12 months up to
        ``as_of``.

        Args:
            by: ``account`` (one row per account, most effort first: the rows of
                :meth:`judged_effort`, with shares, the band its service model
                deserves and its verdicts), or a grouping: ``relationship``,
                ``value_segment`` or ``segment_and_type``.
            thresholds: segmentation thresholds (default: the documented ones).
            as_of: the last day of the window (default: the data's last day).
            model: a service model (default: :meth:`service_model`).
            **threshold_changes: single thresholds to change.

        Example:
            >>> wb.effort(by="relationship")  # doctest: +SKIP
        """
        accounts = self.judged_effort(
            thresholds=thresholds, as_of=as_of, model=model, **threshold_changes
        )
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

    def seller_verdicts(
        self,
        by: Literal["seller", "team"] = "seller",
        *,
        thresholds: segment.Thresholds | None = None,
        as_of: date | None = None,
        model: pl.DataFrame | None = None,
    ) -> pl.DataFrame:
        """Return whose time is where: per seller or team, hours by verdict.

        See :func:`workbench.analytics.effort.seller_verdicts`.
        """
        chosen = self.thresholds(thresholds)
        day = self.as_of(as_of)
        judged = self.judged_effort(thresholds=chosen, as_of=day, model=model)
        return effort.seller_verdicts(
            store.effort_aggregates(self.connection, day),
            judged,
            chosen.minutes_per_activity_without_duration,
            by,
        )

    def misallocations(
        self,
        rules: MisallocationRules | None = None,
        *,
        thresholds: segment.Thresholds | None = None,
        as_of: date | None = None,
        model: pl.DataFrame | None = None,
        **rule_changes: float,
    ) -> pl.DataFrame:
        """Return the accounts whose effort does not fit their service model.

        One row per account and issue (at most one investment and one people
        issue each, never two that contradict); see
        :func:`workbench.analytics.effort.issues`.

        Args:
            rules: how strictly accounts are held to their model (default:
                :class:`workbench.analytics.effort.MisallocationRules`).
            thresholds: segmentation thresholds.
            as_of: the last day of the window.
            model: a service model (default: :meth:`service_model`).
            **rule_changes: single rules to change, e.g. ``over_factor=1.5``.
        """
        chosen = (rules or MisallocationRules()).changed(**rule_changes)
        judged = self.judged_effort(
            thresholds=thresholds, as_of=as_of, model=model, rules=chosen
        )
        return effort.issues(judged, self.currency())

    def effort_headline(
        self,
        *,
        thresholds: segment.Thresholds | None = None,
        as_of: date | None = None,
        model: pl.DataFrame | None = None,
    ) -> Headline:
        """Return the figures of the Effort page's opening sentence.

        See :func:`workbench.analytics.effort.headline`; money is in :meth:`currency`.
        """
        return effort.headline(
            self.judged_effort(thresholds=thresholds, as_of=as_of, model=model)
        )

    def move_capacity(
        self,
        grouping: str,
        from_group: str | None,
        to_group: str | None,
        hours: float,
        *,
        response: dict[str, float] | None = None,
        thresholds: segment.Thresholds | None = None,
        as_of: date | None = None,
        model: pl.DataFrame | None = None,
    ) -> tuple[pl.DataFrame, CapacityChange]:
        """Project moving, adding or removing hours (an assumption, not a forecast).

        See :func:`workbench.analytics.effort.move_capacity`: ``from_group`` None
        adds hours (a seller hired), ``to_group`` None removes them.

        Raises:
            RejectedInputError: negative hours, no source and no destination, or
                an unknown grouping.
        """
        chosen = self.thresholds(thresholds)
        judged = self.judged_effort(thresholds=chosen, as_of=as_of, model=model)
        try:
            return effort.move_capacity(
                judged,
                grouping,
                from_group,
                to_group,
                hours,
                hourly_cost=chosen.hourly_cost,
                response=response,
            )
        except ValueError as error:
            raise RejectedInputError(str(error)) from None

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
        from workbench import charts  # altair: only where a chart is drawn

        if by == "account":
            return charts.effort_value_scatter(accounts)
        if by in effort.GROUPINGS:
            groups = effort.effort_by_group(accounts, by)
            return charts.share_bars(effort.share_comparison(groups, by))
        raise RejectedInputError(
            f"cannot chart effort by {by!r}; choose account, "
            + ", ".join(effort.GROUPINGS)
        )
