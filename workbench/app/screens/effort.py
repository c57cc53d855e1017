"""The Effort screen: the verdict in money, the service model, and what to change.

The page opens with one sentence a sales leader can act on, then the three biggest
misallocations (each linked to the account's map and plan), the service model
(editable, saved with the threshold scenario), the verdicts, whose time is where,
and a what-if that moves capacity. Codes stay in the downloads; tables show words.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import polars as pl
import streamlit as st

from workbench import charts, ingest, terms
from workbench.analytics import effort, segment
from workbench.app import drawn, effort_reads, reads
from workbench.app.components import (
    TABLE_ROWS,
    download_pair,
    opened_expander,
    show_table,
)
from workbench.app.language import _, format_money, format_number, format_percent
from workbench.app.screens import segments as segments_screen
from workbench.i18n import N_, current_language

DEFAULT_RULES = effort.MisallocationRules()
DEFAULTS_LABEL = N_("(default thresholds)")
VIEW_TITLES = {
    "seller": N_("Seller"),
    "team": N_("Team"),
    "department": N_("Contact department"),
    "role": N_("Contact buying role"),
    "kind": N_("Kind of activity"),
}
#: (rule, label, low, high, step, widget key) of each verdict slider.
RULE_SLIDERS: tuple[tuple[str, str, float, float, float, str], ...] = (
    ("over_factor", N_("Over-invested above × the band's top"), 1.0, 5.0, 0.25, "eff_over_factor"),
    ("thin_factor", N_("Under-invested below × the band's bottom"), 0.0, 1.0, 0.05, "eff_thin_factor"),
    ("broad_share_pct", N_("Purchasing-only: too broad from this percent beyond purchasing"), 0.0, 100.0, 5.0, "eff_broad_share"),
    ("executive_share_pct", N_("Purchasing-only: too broad from this percent with executives"), 0.0, 100.0, 1.0, "eff_exec_share"),
    ("narrow_share_pct", N_("Broader models: too narrow below this percent beyond purchasing"), 0.0, 100.0, 5.0, "eff_narrow_share"),
)  # fmt: skip
GROUPING_TITLES = {
    "relationship": N_("Relationship type"),
    "value_segment": N_("Value segment"),
    "segment_and_type": N_("Segment × type"),
    "account": N_("Single account"),
}
#: Our codes in the reader's words: segments, relationship types, the verdicts.
WORDS = {**terms.VALUE_SEGMENTS, **terms.RELATIONSHIPS, **terms.EFFORT_VERDICTS}


#: An account's hours against the band its service model deserves.
BAND_HOURS = ("effort_hours", "deserved_low_hours", "deserved_high_hours")


def in_words(*columns: str) -> list[pl.Expr]:
    """Return code columns in the reader's words, each under its own name."""
    return [words(column).alias(column) for column in columns]


def words(column: str) -> pl.Expr:
    """Return a code column in the reader's words (codes stay in the downloads)."""
    return _words(column, current_language())


@functools.lru_cache(maxsize=128)
def _words(column: str, language: str) -> pl.Expr:
    # built once per column and language: the mapping's sentences and the Series
    # polars makes of it cost about half a millisecond, sixteen times a rerun
    del language  # part of the key: ``_`` reads the language in force
    return pl.col(column).replace({code: _(text) for code, text in WORDS.items()})


def codes(model: pl.DataFrame) -> pl.DataFrame:
    """Return an edited model with its words back as codes (the store keeps codes)."""
    back = {_(text): code for code, text in WORDS.items()}
    return model.with_columns(
        pl.col("relationship", "value_segment", "involve").replace(back)
    )


@dataclass(frozen=True)
class Choices:
    """What the sidebar chose."""

    as_of: date
    thresholds: segment.Thresholds
    scenario: str | None
    rules: effort.MisallocationRules

    def judging(self, currency: str) -> effort_reads.Judging:
        """Return the arguments of the cached reads that judge under these choices."""
        return (self.as_of, self.thresholds, self.scenario, self.rules, currency)


def sidebar() -> Choices:
    """Show the as-of day, the scenario and the verdict rules; return them."""
    scenarios = reads.segment_scenarios()
    with st.sidebar:
        st.subheader(_("Segmentation"))
        as_of = st.date_input(_("As of"), value=reads.segment_as_of(), key="eff_as_of")
        names = [DEFAULTS_LABEL, *scenarios["name"].to_list()]
        scenario_name = st.selectbox(
            _("Thresholds"),
            names,
            format_func=lambda name: _(name) if name == DEFAULTS_LABEL else name,
            key="eff_scenario",
            help=_("Saved on the Segments page; the service model is saved with it."),
        )
        st.subheader(_("Verdict rules"))
        values = {
            field: st.slider(
                _(label),
                low,
                high,
                value=getattr(DEFAULT_RULES, field),
                step=step,
                key=key,
            )
            for field, label, low, high, step, key in RULE_SLIDERS
        }
    thresholds = effort_reads.scenario_thresholds(str(scenario_name))
    scenario = None if scenario_name == DEFAULTS_LABEL else str(scenario_name)
    return Choices(as_of, thresholds, scenario, DEFAULT_RULES.changed(**values))


def judged_or_stop(choices: Choices, currency: str) -> pl.DataFrame:
    """Return every account judged against its service model, or stop without accounts."""
    # no customer account: the Segments page's message (and which accounts
    # the CRM types as no customer, when those are all there is)
    segments_screen.features_or_stop(choices.as_of, choices.thresholds)
    # cached per rules and shared: a move of a rule judges the accounts added up
    # once per thresholds again, and a move back to a value seen costs nothing
    return effort_reads.judged(*choices.judging(currency))


def shown_table(frame: Any, column_config: dict[str, Any]) -> None:
    """Show a table of the page (a polars frame, or Arrow from ``drawn.table``).

    Only the configuration of the frame's own columns is passed: Streamlit copies
    every entry it is given at each rerun, and the shared label sets hold many.
    """
    names = set(getattr(frame, "column_names", None) or frame.columns)
    shown = {k: v for k, v in column_config.items() if k in names}
    show_table(frame, column_config=shown)


def _links(frame: pl.DataFrame) -> pl.DataFrame:
    # The map and plan pages open on the account named in ?account=.
    ids = [quote(str(i), safe="") for i in frame["account_id"].to_list()]
    return frame.with_columns(
        map_link=pl.Series(
            [f"buying_centre?account={i}" for i in ids], dtype=pl.String
        ),
        plan_link=pl.Series([f"plans?account={i}" for i in ids], dtype=pl.String),
    )


def verdicts(choices: Choices, currency: str) -> effort_reads.VerdictView:
    """Return the headline, counts and shown issues under the choices (cached)."""
    return effort_reads.verdict_view(*choices.judging(currency), current_language())


def headline(choices: Choices, view: effort_reads.VerdictView, currency: str) -> None:
    """Open with the verdict in one sentence and money, then the three worst cases."""
    figures = view.headline
    if figures.transactional_hours_pct is None:
        st.info(_("No effort recorded in the 12 months: nothing to judge yet."))
        return
    share = (
        _("{contribution} of contribution").format(
            contribution=format_percent(figures.transactional_contribution_pct)
        )
        if figures.transactional_contribution_pct is not None
        else _("a portfolio whose contribution is not positive")
    )
    sentence = _(
        "{hours} of hours go to transactional accounts that bring {share}"
    ).format(hours=format_percent(figures.transactional_hours_pct), share=share)
    if figures.top_over_count:
        sentence += _(
            "; the {count} largest over-investments cost {money} a year."
        ).format(
            count=figures.top_over_count,
            money=format_money(figures.top_over_cost, currency),
        )
    else:
        sentence += _("; no account gets more hours than its service model allows.")
    # the currency's sign ($) would start a formula in Markdown: shown as typed
    st.markdown("### " + ingest.markdown_safe(sentence))
    if figures.biggest.height == 0:
        return
    st.caption(
        _(
            "The three biggest misallocations, by the cost of the hours outside the band."
        )
    )
    biggest = drawn.table(
        ("biggest_table", *choices.judging(currency)),
        lambda: _misallocations(_links(figures.biggest), "map_link", "plan_link"),
    )
    shown_table(
        biggest,
        column_config={
            **misallocation_columns(currency),
            "map_link": st.column_config.LinkColumn(
                _("Map"), display_text=_("Open the map")
            ),
            "plan_link": st.column_config.LinkColumn(
                _("Plan"), display_text=_("Open the plan")
            ),
        },
    )


def _misallocations(
    accounts: pl.DataFrame, *more: str, lead: tuple[pl.Expr, ...] = ()
) -> pl.DataFrame:
    # an account's verdicts, its hours against its band and what the gap costs
    return accounts.select(
        *lead,
        "name",
        *in_words("investment", "people"),
        *BAND_HOURS,
        "misallocation_cost",
        *more,
    )


def misallocation_columns(currency: str) -> dict[str, Any]:
    """Return the columns of a table of verdicts, hours and the misallocation cost."""
    return {
        **verdict_columns(),
        **hours_columns(),
        "misallocation_cost": money_column(_("Hours outside the band cost"), currency),
    }


def money_column(label: str, currency: str) -> Any:
    """Return a money column whose label carries the currency."""
    return st.column_config.NumberColumn(f"{label} ({currency})", format="%,.0f")


def hours_columns() -> dict[str, Any]:
    """Return the hours and band columns' labels and formats."""
    return {
        "effort_hours": st.column_config.NumberColumn(
            _("Hours, 12 months"), format="%,.0f"
        ),
        "deserved_low_hours": st.column_config.NumberColumn(
            _("Deserved from (h)"), format="%,.0f"
        ),
        "deserved_high_hours": st.column_config.NumberColumn(
            _("Deserved up to (h)"), format="%,.0f"
        ),
        "projected_hours": st.column_config.NumberColumn(
            _("Hours after"), format="%,.0f"
        ),
        "hours_change": st.column_config.NumberColumn(
            _("Hours change"), format="%+,.0f"
        ),
    }


def totals(choices: Choices, currency: str) -> None:
    """Show total hours, activities, unattributed hours and their cost."""
    t = choices.thresholds
    # no verdict is involved: summed once per thresholds, whatever the rules say
    summed = effort_reads.totals(choices.as_of, t, choices.scenario, currency)
    figures, unattributed = summed.figures, summed.unattributed_hours
    # one horizontal container: a row of four columns is five blocks to build
    # and send at every rerun
    row = st.container(horizontal=True)
    row.metric(_("Effort hours, 12 months"), format_number(figures["effort_hours"]))
    row.metric(_("Activities"), format_number(figures["activities"]))
    row.metric(
        _("Hours naming no person"),
        format_number(unattributed),
        help=_(
            "Unattributed: counted in the hours, never as beyond purchasing or "
            "with executives. {count} activities without a duration count "
            "{minutes} minutes each."
        ).format(
            count=format_number(figures["activities_without_duration"]),
            minutes=format_number(t.minutes_per_activity_without_duration),
        ),
    )
    row.metric(_("Cost of that time"), format_money(figures["cost"], currency))
    st.caption(
        _("12 months up to {day}; an hour costs {money}.").format(
            day=choices.as_of, money=format_money(t.hourly_cost, currency)
        )
    )


def verdicts_section(
    choices: Choices,
    judged: pl.DataFrame,
    view: effort_reads.VerdictView,
    currency: str,
) -> None:
    """Show how many accounts get each verdict, and the issues one row each."""
    st.subheader(_("Verdicts"))
    counts = view.counts
    # one horizontal container: a row of four columns is five blocks to build
    # and send at every rerun
    row = st.container(horizontal=True)
    row.metric(_("Under-invested"), counts["investment:under_invested"])
    row.metric(_("Over-invested"), counts["investment:over_invested"])
    row.metric(_("Wrong people"), counts["people:wrong_people"])
    row.metric(_("Not judged"), counts["investment:not_judged"])
    # the table reads in the page's language; the download keeps English sentences,
    # built only when it is clicked
    shown = drawn.table(
        ("issues_table", *choices.judging(currency)),
        lambda: _misallocations(
            view.shown_issues,
            "non_procurement_share_pct",
            "executive_share_pct",
            "unattributed_share_pct",
            "why",
            lead=tuple(in_words("issue")),
        ),
    )
    shown_table(
        shown,
        column_config={
            **misallocation_columns(currency),
            "why": st.column_config.TextColumn(_("Why")),
        },
    )
    download_pair(
        lambda: effort.issues(judged, currency), "misallocation", "eff_issues"
    )


def people_section(choices: Choices, currency: str) -> None:
    """Show whose time is where: per seller or team, hours by verdict."""
    st.subheader(_("Whose time is where"))
    by = st.radio(
        _("Per"),
        ["seller", "team"],
        format_func=lambda v: _(VIEW_TITLES[v]),
        horizontal=True,
        key="eff_people_by",
    )
    # the sellers' hours per account are prepared once; a move sums them again
    table = effort_reads.seller_verdicts(*choices.judging(currency), by)
    hours = {
        "over_invested_hours": _("On over-invested accounts (h)"),
        "under_invested_hours": _("On under-invested accounts (h)"),
        "wrong_people_hours": _("With the wrong people (h)"),
    }
    shown = drawn.table(
        ("people_table", *choices.judging(currency), by),
        lambda: table.drop("seller_id", strict=False),
    )
    shown_table(shown, column_config={
            "seller_name": st.column_config.TextColumn(_("Seller")),
            "team": st.column_config.TextColumn(_("Team")),
            "accounts": st.column_config.NumberColumn(_("Accounts"), format="%d"),
            **hours_columns(),
            **{k: st.column_config.NumberColumn(v, format="%,.0f") for k, v in hours.items()},
            "transactional_share_pct": st.column_config.NumberColumn(_("On transactional accounts, %"), format="%.0f"),
            "excess_cost": money_column(_("Their part of the over-investment"), currency),
        })  # fmt: skip
    download_pair(table, f"effort-verdicts-by-{by}", "eff_people")


def verdict_columns() -> dict[str, Any]:
    """Return the labels and formats of the account, verdict and people columns."""
    return {
        "issue": st.column_config.TextColumn(_("Issue")),
        "name": st.column_config.TextColumn(_("Account")),
        "investment": st.column_config.TextColumn(_("Investment")),
        "people": st.column_config.TextColumn(_("People")),
        "involve": st.column_config.TextColumn(_("Who to involve")),
        "touches_per_year": st.column_config.NumberColumn(_("Cadence (activities a year)"), format="%.0f"),
        "non_procurement_share_pct": st.column_config.NumberColumn(_("Beyond purchasing (percent of named hours)"), format="%.0f"),
        "executive_share_pct": st.column_config.NumberColumn(_("With executives (percent of named hours)"), format="%.0f"),
        "unattributed_share_pct": st.column_config.NumberColumn(_("Naming no person, %"), format="%.0f"),
    }  # fmt: skip


def share_columns(currency: str) -> dict[str, Any]:
    """Return the labels and formats of the value and share columns."""
    return {
        "won_12m": money_column(_("Won, 12 months"), currency),
        "revenue": money_column(_("Revenue a year"), currency),
        "margin": money_column(_("Margin"), currency),
        "cost_to_serve": money_column(_("Cost to serve"), currency),
        "contribution": money_column(_("Contribution"), currency),
        "accounts": st.column_config.NumberColumn(_("Accounts"), format="%d"),
        "activities": st.column_config.NumberColumn(_("Activities"), format="%,d"),
        "activities_without_duration": st.column_config.NumberColumn(_("Without a duration"), format="%,d"),
        "effort_share_pct": st.column_config.NumberColumn(_("Effort %"), format="%.1f"),
        "revenue_share_pct": st.column_config.NumberColumn(_("Revenue %"), format="%.1f"),
        "contribution_share_pct": st.column_config.NumberColumn(_("Contribution %"), format="%.1f"),
        "hours_per_1000_margin": st.column_config.NumberColumn(_("Hours per 1,000 of margin"), format="%.2f"),
        "relationship": st.column_config.TextColumn(_("Relationship type")),
        "value_segment": st.column_config.TextColumn(_("Value segment")),
    }  # fmt: skip


def groups_section(choices: Choices, judged: pl.DataFrame, currency: str) -> None:
    """Show effort against revenue and contribution per group."""
    st.subheader(_("Effort against what accounts bring"))
    grouping = st.radio(
        _("Group by"),
        list(effort.GROUPINGS),
        format_func=lambda g: _(GROUPING_TITLES[g]),
        horizontal=True,
        key="eff_grouping",
    )
    # no verdict is involved: the groups and their chart change with the data only
    groups = effort_reads.effort_by_group(
        choices.as_of, choices.thresholds, choices.scenario, currency, grouping
    )
    drawn.altair_chart(
        ("share_bars", choices.as_of, choices.thresholds, choices.scenario, grouping),
        lambda: charts.share_bars(effort.share_comparison(groups, grouping)),
        width="stretch",
    )
    keys = [k for k in ("relationship", "value_segment") if k in groups.columns]
    shown = drawn.table(
        (
            "groups_table",
            choices.as_of,
            choices.thresholds,
            choices.scenario,
            currency,
            grouping,
        ),
        lambda: groups.with_columns(words(k).alias(k) for k in keys),
    )
    shown_table(
        shown,
        column_config={**share_columns(currency), **hours_columns()},
    )
    download_pair(groups, "effort-by-group", "eff_groups")
    # the effort index reads the band, which the rules do not move
    points = effort_reads.chart_accounts(
        choices.as_of, choices.thresholds, choices.scenario, currency
    )
    drawn.altair_chart(
        ("effort_value_scatter", choices.as_of, choices.thresholds, choices.scenario),
        lambda: charts.effort_value_scatter(points),
        width="stretch",
    )
    if points.height < judged.height:
        st.caption(
            _(
                "{drawn} of {total} accounts drawn: each value segment's busiest, "
                "largest by margin and furthest from its band, in proportion to its "
                "size; the tables and downloads cover them all."
            ).format(
                drawn=format_number(points.height), total=format_number(judged.height)
            )
        )


def breakdown_section(choices: Choices) -> None:
    """Show effort per seller, team, department, role or kind.

    Built only while its expander is open (opening it reruns the page): no
    verdict rule changes it, and its chart and downloads cost every rerun.
    """
    box = opened_expander(_("Who spends time where"), "eff_breakdown_open")
    if box is None:
        return
    with box:
        view = st.selectbox(
            _("Break effort down by"),
            list(VIEW_TITLES),
            format_func=lambda v: _(VIEW_TITLES[v]),
            key="eff_view",
        )

        def breakdown() -> pl.DataFrame:
            return reads.effort_breakdown(choices.as_of, choices.thresholds, view)

        drawn.altair_chart(
            ("effort_stacked_bars", choices.as_of, choices.thresholds, view),
            lambda: charts.effort_stacked_bars(
                effort.top_labels(breakdown(), 25),
                _("Effort by {view}").format(view=_(VIEW_TITLES[view]).lower()),
            ),
            width="stretch",
        )
        download_pair(breakdown, f"effort-by-{view}", "eff_breakdown")


def trend_section(choices: Choices) -> None:
    """Show effort per month or quarter, a line per type or segment.

    Built only while its expander is open, like the breakdown.
    """
    box = opened_expander(_("Over time"), "eff_trend_open")
    if box is None:
        return
    with box:
        row = st.container(horizontal=True)
        granularity = row.radio(
            _("Per"),
            ["month", "quarter"],
            format_func=lambda g: _("month") if g == "month" else _("quarter"),
            horizontal=True,
            key="eff_granularity",
        )
        trend_by = row.radio(
            _("Lines by"),
            ["relationship", "value_segment"],
            format_func=lambda g: _(GROUPING_TITLES[g]),
            horizontal=True,
            key="eff_trend_by",
        )
        drawn.altair_chart(
            (
                "effort_trend_chart",
                choices.as_of,
                choices.thresholds,
                trend_by,
                granularity,
            ),
            lambda: charts.effort_trend_chart(
                reads.effort_trend(
                    choices.as_of, choices.thresholds, trend_by, granularity
                ),
                trend_by,
            ),
            width="stretch",
        )


def accounts_section(choices: Choices, judged: pl.DataFrame, currency: str) -> None:
    """Show the busiest accounts with their band and verdicts; download all."""
    st.subheader(_("Accounts"))
    shown = drawn.table(
        ("accounts_table", *choices.judging(currency)),
        lambda: judged.head(TABLE_ROWS).select(
            "name",
            *in_words("relationship", "value_segment"),
            *BAND_HOURS,
            *in_words("investment", "people", "involve"),
            "touches_per_year",
            "activities",
            "unattributed_share_pct",
            "revenue",
            "contribution",
            "effort_share_pct",
            "contribution_share_pct",
        ),
    )
    shown_table(shown, column_config={
            **share_columns(currency),
            **hours_columns(),
            **verdict_columns(),
        })  # fmt: skip
    if judged.height > TABLE_ROWS:
        st.caption(
            _("The {rows} busiest accounts; the downloads hold every row.").format(
                rows=format_number(TABLE_ROWS)
            )
        )
    # each row's reason in words, written only when a download is clicked
    download_pair(
        lambda: effort.explain_verdicts(judged, currency),
        "effort-by-account",
        "eff_accounts",
    )
