"""The Effort screen: where our time goes against what each account brings."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from workbench import charts
from workbench.analytics import effort, segment
from workbench.app import reads
from workbench.app.components import TABLE_ROWS, download_pair

DEFAULT_RULES = effort.MisallocationRules()
DEFAULTS_LABEL = "(default thresholds)"
VIEW_TITLES = {
    "seller": "Seller",
    "team": "Team",
    "department": "Contact department",
    "role": "Contact buying role",
    "kind": "Kind of activity",
}
#: (rule, label, low, high, step, widget key) of each misallocation slider.
RULE_SLIDERS: tuple[tuple[str, str, float, float, float, str], ...] = (
    (
        "over_factor",
        "Over-served at × the hours the margin justifies",
        1.0,
        10.0,
        0.5,
        "eff_over_factor",
    ),
    (
        "thin_factor",
        "Under-served at × the hours the margin justifies",
        0.0,
        1.0,
        0.05,
        "eff_thin_factor",
    ),
    (
        "shrink_pct",
        "… or hours shrinking by at least %",
        0.0,
        100.0,
        5.0,
        "eff_shrink_pct",
    ),
    (
        "broad_share_pct",
        "Transactional: hours beyond purchasing, at least %",
        0.0,
        100.0,
        5.0,
        "eff_broad_share",
    ),
    (
        "executive_share_pct",
        "Transactional: hours with executives, at least %",
        0.0,
        100.0,
        1.0,
        "eff_exec_share",
    ),
)
GROUPING_TITLES = {
    "relationship": "Relationship type",
    "value_segment": "Value segment",
    "segment_and_type": "Segment × type",
}


def sidebar() -> tuple[date, segment.Thresholds, effort.MisallocationRules]:
    """Show the as-of day, the scenario and the misallocation rules; return them."""
    scenarios = reads.segment_scenarios()
    with st.sidebar:
        st.subheader("Segmentation")
        as_of = st.date_input("As of", value=reads.segment_as_of(), key="eff_as_of")
        scenario_name = st.selectbox(
            "Thresholds",
            [DEFAULTS_LABEL, *scenarios["name"].to_list()],
            key="eff_scenario",
            help="Saved on the Segments page.",
        )
        st.subheader("Misallocation")
        rule_values = {
            field: st.slider(
                label,
                low,
                high,
                value=getattr(DEFAULT_RULES, field),
                step=step,
                key=key,
            )
            for field, label, low, high, step, key in RULE_SLIDERS
        }

    thresholds = segment.scenario_thresholds(scenarios, scenario_name) or (
        segment.DEFAULT_THRESHOLDS
    )
    rules = effort.MisallocationRules(**rule_values)
    return as_of, thresholds, rules


def accounts_or_stop(as_of: date, thresholds: segment.Thresholds) -> pl.DataFrame:
    """Return effort per account, or stop the page when there are no accounts."""
    features = reads.account_features(as_of, round(thresholds.default_term_months))
    if features.height == 0:
        st.info("No accounts yet: import CRM exports on the Import page.")
        st.stop()
    # cached per thresholds: moving an effort rule does not segment again
    accounts = effort.account_effort(reads.segments_unexplained(as_of, thresholds))
    return accounts


def headline(
    as_of: date, thresholds: segment.Thresholds, accounts: pl.DataFrame
) -> None:
    """Show total hours, activities and their cost."""
    minutes_each = thresholds.minutes_per_activity_without_duration
    totals = effort.effort_totals(accounts, thresholds.hourly_cost)
    cols = st.columns(4)
    cols[0].metric("Effort hours, 12 months", f"{totals['effort_hours']:,.0f}")
    cols[1].metric("Activities", f"{totals['activities']:,.0f}")
    cols[2].metric(
        "Activities without a duration",
        f"{totals['activities_without_duration']:,.0f}",
        help=f"Counted at {minutes_each:g} minutes each (a threshold on the Segments "
        "page); Salesforce call seconds and event minutes are recorded durations.",
    )
    cols[3].metric("Cost of that time", f"{totals['cost']:,.0f}")
    st.caption(
        f"12 months up to {as_of}; hours cost {thresholds.hourly_cost:g} each. "
        "Value segments and types as on the Segments page."
    )


def groups_section(accounts: pl.DataFrame) -> None:
    """Show effort against revenue and contribution per group, and per account."""
    st.subheader("Effort against what accounts bring")
    grouping = st.radio(
        "Group by",
        list(effort.GROUPINGS),
        format_func=GROUPING_TITLES.__getitem__,
        horizontal=True,
        key="eff_grouping",
    )
    groups = effort.effort_by_group(accounts, grouping)
    st.altair_chart(
        charts.share_bars(effort.share_comparison(groups, grouping)), width="stretch"
    )
    st.dataframe(
        groups,
        hide_index=True,
        width="stretch",
        column_config={
            "effort_hours": st.column_config.NumberColumn("Hours", format="%,.0f"),
            "won_12m": st.column_config.NumberColumn("Won, 12 months", format="%,.0f"),
            "margin": st.column_config.NumberColumn(format="%,.0f"),
            "cost_to_serve": st.column_config.NumberColumn(
                "Cost-to-serve", format="%,.0f"
            ),
            "contribution": st.column_config.NumberColumn(format="%,.0f"),
            "effort_share_pct": st.column_config.NumberColumn(
                "Effort %", format="%.1f"
            ),
            "revenue_share_pct": st.column_config.NumberColumn(
                "Revenue %", format="%.1f"
            ),
            "contribution_share_pct": st.column_config.NumberColumn(
                "Contribution %", format="%.1f"
            ),
            "hours_per_1000_margin": st.column_config.NumberColumn(
                "Hours per 1,000 margin", format="%.2f"
            ),
        },
    )
    download_pair(groups, "effort-by-group", "eff_groups")

    st.altair_chart(charts.effort_value_scatter(accounts), width="stretch")


def misallocation_section(
    accounts: pl.DataFrame, rules: effort.MisallocationRules
) -> None:
    """Show the over- and under-served accounts under the sidebar's rules."""
    st.subheader("Misallocation")
    issues = effort.misallocations(accounts, rules)
    issue_counts = effort.issue_counts(issues)
    issue_cols = st.columns(4)
    issue_cols[0].metric("Over-served", issue_counts["over_served"])
    issue_cols[1].metric("Under-served", issue_counts["under_served"])
    issue_cols[2].metric(
        "Partnerships via purchasing only", issue_counts["procurement_only_partnership"]
    )
    issue_cols[3].metric(
        "Transactional, broad effort", issue_counts["broad_transactional"]
    )
    st.caption(
        "Expected hours: the account's margin × its type's average hours per unit of "
        "margin. Over-served lists below-zero accounts first."
    )
    st.dataframe(issues.head(TABLE_ROWS), hide_index=True, width="stretch")
    download_pair(issues, "misallocation", "eff_issues")


def breakdown_section(as_of: date, thresholds: segment.Thresholds) -> None:
    """Show effort per seller, team, department, role or kind, and per seller."""
    st.subheader("Who spends time where")
    view = st.selectbox(
        "Break effort down by",
        list(VIEW_TITLES),
        format_func=VIEW_TITLES.__getitem__,
        key="eff_view",
    )
    breakdown = reads.effort_breakdown(as_of, thresholds, view)
    st.altair_chart(
        charts.effort_stacked_bars(
            effort.top_labels(breakdown, 25), f"Effort by {VIEW_TITLES[view].lower()}"
        ),
        width="stretch",
    )
    download_pair(breakdown, f"effort-by-{view}", "eff_breakdown")

    sellers = reads.seller_effort(as_of, thresholds)
    st.dataframe(sellers, hide_index=True, width="stretch")
    download_pair(sellers, "sellers", "eff_sellers")


def trend_section(as_of: date, thresholds: segment.Thresholds) -> None:
    """Show effort per month or quarter, a line per type or segment."""
    st.subheader("Over time")
    trend_cols = st.columns(2)
    granularity = trend_cols[0].radio(
        "Per", ["month", "quarter"], horizontal=True, key="eff_granularity"
    )
    trend_by = trend_cols[1].radio(
        "Lines by",
        ["relationship", "value_segment"],
        format_func=GROUPING_TITLES.__getitem__,
        horizontal=True,
        key="eff_trend_by",
    )
    trend = reads.effort_trend(as_of, thresholds, trend_by, granularity)
    st.altair_chart(charts.effort_trend_chart(trend, trend_by), width="stretch")


def what_if_section(accounts: pl.DataFrame, thresholds: segment.Thresholds) -> None:
    """Project moving a share of one group's hours to another."""
    st.subheader("What if we moved hours?")
    st.info(effort.WHAT_IF_ASSUMPTION)
    whatif_cols = st.columns(4)
    whatif_grouping = whatif_cols[0].selectbox(
        "Groups",
        list(effort.GROUPINGS),
        format_func=GROUPING_TITLES.__getitem__,
        key="eff_whatif_by",
    )
    labels = effort.group_labels(accounts, whatif_grouping)
    from_group = whatif_cols[1].selectbox(
        "Move hours from", labels, key="eff_whatif_from"
    )
    to_group = whatif_cols[2].selectbox(
        "to", labels, index=min(1, len(labels) - 1), key="eff_whatif_to"
    )
    share = whatif_cols[3].slider(
        "Share of its hours %", 0, 100, 20, key="eff_whatif_share"
    )
    projection = effort.what_if(
        accounts,
        whatif_grouping,
        from_group,
        to_group,
        float(share),
        thresholds.hourly_cost,
    )
    st.dataframe(
        projection,
        hide_index=True,
        width="stretch",
        column_config={
            c: st.column_config.NumberColumn(format="%,.0f")
            for c in projection.columns
            if c != "group"
        },
    )
    download_pair(projection, "what-if", "eff_whatif")


def accounts_section(accounts: pl.DataFrame) -> None:
    """Show the busiest accounts and the download of all."""
    st.subheader("Accounts")
    st.dataframe(accounts.head(TABLE_ROWS), hide_index=True, width="stretch")
    if accounts.height > TABLE_ROWS:
        st.caption(
            f"The {TABLE_ROWS:,} busiest accounts; the downloads hold every row."
        )
    download_pair(accounts, "effort-by-account", "eff_accounts")
