"""The Segments screen: value segments and relationship types under live thresholds."""

from __future__ import annotations

import functools
import math
from datetime import date

import polars as pl
import streamlit as st

from workbench import access, charts
from workbench.analytics import segment
from workbench.app import actions, reads, session
from workbench.app.components import (
    SHARE_COLUMNS,
    download_pair,
    notify_after_rerun,
)
from workbench.app.language import _
from workbench.app.screens.economics_inputs import (
    economics_section as economics_section,
)
from workbench.domain import SITUATION_FACTORS
from workbench.errors import WorkbenchError
from workbench.i18n import format_number

DEFAULTS = segment.DEFAULT_THRESHOLDS
# Which widget holds which threshold: scenarios load into these keys.
THRESHOLD_KEYS = {
    "valuable_basis": "seg_value_basis",
    "growth_headroom_weight_pct": "seg_growth_headroom_weight",
    "valuable_mode": "seg_mode",
    "valuable_top_pct": "seg_top_pct",
    "valuable_min_contribution": "seg_min_contribution",
    "growable_top_pct": "seg_growable_pct",
    "hourly_cost": "seg_hourly_cost",
    "default_margin_pct": "seg_default_margin",
    "wallet_share_of_revenue_pct": "seg_wallet_share",
    "minutes_per_activity_without_duration": "seg_minutes_without_duration",
    "default_term_months": "seg_default_term",
    "expected_remaining_years": "seg_remaining_years",
    "relationship_threshold": "seg_rel_threshold",
    "target_threshold": "seg_target_threshold",
    "weight_tenure": "seg_w_tenure",
    "weight_share_of_wallet": "seg_w_share_of_wallet",
    "weight_breadth": "seg_w_breadth",
    "weight_executive": "seg_w_executive",
    "weight_contract": "seg_w_contract",
    "weight_joint": "seg_w_joint",
    "tenure_full_at_years": "seg_full_tenure",
    "share_of_wallet_full_at_pct": "seg_full_share_of_wallet",
    "breadth_full_at_departments": "seg_full_breadth",
    "executive_full_at_contacts": "seg_full_executive",
    "joint_full_at_activities": "seg_full_joint",
}
CURRENT = "(current sliders)"
# (lowest, highest) of the sliders whose range is not 0-100; a loaded scenario is
# clamped to them, since a slider refuses a value outside its range.
SLIDER_LIMITS = {
    "seg_hourly_cost": (0.0, 1000.0),
    "seg_default_margin": (0.0, 100.0),
    "seg_wallet_share": (0.0, 10.0),
    "seg_minutes_without_duration": (0.0, 480.0),
    "seg_default_term": (1.0, 120.0),
    "seg_remaining_years": (0.0, 20.0),
}
OVERRIDE_CHOICES = 500
# Points the portfolio chart draws at most: beyond a few thousand, sending and
# drawing them costs more than the whole segmentation, and they overlap anyway.
CHART_POINTS = 2_000
# Rows the accounts table shows at a time: each row's reasons are built and sent
# at every rerun, so a page of them, not the whole portfolio.
PAGE_ROWS = 200


def init_thresholds() -> None:
    """Give every threshold widget its default on the session's first run."""
    for field, key in THRESHOLD_KEYS.items():
        st.session_state.setdefault(key, getattr(DEFAULTS, field))


def may_edit() -> bool:
    """Return whether the current user may save decisions and scenarios."""
    return access.can(session.current_actor(), "edit")


def load_scenario(name: str) -> None:
    """Load a saved scenario into the threshold widgets (a callback)."""
    saved = segment.scenario_thresholds(reads.segment_scenarios(), name)
    if saved is not None:
        for field, key in THRESHOLD_KEYS.items():
            value = getattr(saved, field)
            if key in SLIDER_LIMITS:
                low, high = SLIDER_LIMITS[key]
                value = min(max(value, low), high)
            st.session_state[key] = value


def reset_thresholds() -> None:
    """Put every threshold widget back to its default (a callback)."""
    for field, key in THRESHOLD_KEYS.items():
        st.session_state[key] = getattr(DEFAULTS, field)


def sidebar() -> date:
    """Show the as-of day and every threshold (in the session's widgets); return the day."""
    with st.sidebar:
        st.subheader("Thresholds")
        as_of = st.date_input(
            "As of",
            value=reads.segment_as_of(),
            key="seg_as_of",
            help="Won revenue, effort and engagement cover the 12 months up to this day.",
        )
        _value_basis()
        mode = st.radio(
            "Most valuable by",
            ["percent", "absolute"],
            key="seg_mode",
            horizontal=True,
            format_func=lambda m: (
                "top share" if m == "percent" else "contribution floor"
            ),
        )
        st.slider(
            "Most valuable: top % of accounts",
            0.0,
            100.0,
            step=1.0,
            key="seg_top_pct",
            disabled=mode != "percent",
        )
        st.number_input(
            "Most valuable: contribution at least",
            step=50_000.0,
            key="seg_min_contribution",
            disabled=mode != "absolute",
        )
        st.slider(
            "Most growable: top % of the rest by headroom",
            0.0,
            100.0,
            step=1.0,
            key="seg_growable_pct",
        )
        st.slider(
            "Hourly cost of our time",
            *SLIDER_LIMITS["seg_hourly_cost"],
            step=5.0,
            key="seg_hourly_cost",
        )
        st.slider(
            "Default gross margin %",
            *SLIDER_LIMITS["seg_default_margin"],
            step=0.5,
            key="seg_default_margin",
            help="For accounts without a margin of their own.",
        )
        st.slider(
            "Wallet when unknown: % of the customer's revenue",
            *SLIDER_LIMITS["seg_wallet_share"],
            step=0.05,
            key="seg_wallet_share",
        )
        st.slider(
            "Minutes assumed per activity without a duration",
            *SLIDER_LIMITS["seg_minutes_without_duration"],
            step=5.0,
            key="seg_minutes_without_duration",
        )
        st.slider(
            "Contract term where none is known, months",
            *SLIDER_LIMITS["seg_default_term"],
            step=1.0,
            key="seg_default_term",
            help="A won deal's amount is spread over its contract's term; deals "
            "without a known contract over this many months.",
        )
        st.slider(
            "Expected remaining years (lifetime value)",
            *SLIDER_LIMITS["seg_remaining_years"],
            step=0.5,
            key="seg_remaining_years",
            help="Lifetime value = contribution × the years left on the contract "
            "in force, at least this many.",
        )
        st.slider(
            "Aim for a partnership at a target score of at least",
            0.0,
            100.0,
            step=1.0,
            key="seg_target_threshold",
            help="The target score rates the buying situation (workshop ratings, "
            "contract length, value, wallet) over the signals that are known.",
        )
        st.slider(
            "Observed partnership at a relationship score of at least",
            0.0,
            100.0,
            step=1.0,
            key="seg_rel_threshold",
        )
        _score_settings()
    return as_of


def _value_basis() -> None:
    """Show what "most valuable" ranks by and how much headroom weighs in growth."""
    st.radio(
        _("Most valuable ranked by"),
        list(segment.VALUE_BASES),
        key="seg_value_basis",
        format_func=lambda b: (
            _("lifetime value") if b == "lifetime_value" else _("12-month contribution")
        ),
        help=_(
            "Lifetime value = contribution × the years an account is expected to "
            "stay (the portfolio's measured retention, or the contract in force)."
        ),
    )
    st.slider(
        _("Most growable: weight of headroom in the growth score, %"),
        0.0,
        100.0,
        step=5.0,
        key="seg_growth_headroom_weight",
        help=_(
            "The rest is the signs the headroom can be won: open pipeline, "
            "revenue trend, deciders and approvers engaged, sentiment."
        ),
    )


def _score_settings() -> None:
    with st.expander("Relationship score weights"):
        st.number_input("Tenure", 0.0, 100.0, step=1.0, key="seg_w_tenure")
        st.number_input(
            "Share of wallet", 0.0, 100.0, step=1.0, key="seg_w_share_of_wallet"
        )
        st.number_input(
            "Breadth (departments)", 0.0, 100.0, step=1.0, key="seg_w_breadth"
        )
        st.number_input(
            "Executive engagement", 0.0, 100.0, step=1.0, key="seg_w_executive"
        )
        st.number_input("Contract", 0.0, 100.0, step=1.0, key="seg_w_contract")
        st.number_input("Joint activity", 0.0, 100.0, step=1.0, key="seg_w_joint")
    with st.expander("Full points at"):
        st.number_input("Years a customer", 0.5, 50.0, step=0.5, key="seg_full_tenure")
        st.number_input(
            "% of the wallet won", 1.0, 100.0, step=1.0, key="seg_full_share_of_wallet"
        )
        st.number_input(
            "Departments engaged", 1.0, 50.0, step=1.0, key="seg_full_breadth"
        )
        st.number_input(
            "Executives engaged", 1.0, 50.0, step=1.0, key="seg_full_executive"
        )
        st.number_input(
            "Joint planning sessions or workshops",
            1.0,
            200.0,
            step=1.0,
            key="seg_full_joint",
        )
    st.button("Back to the defaults", key="seg_reset", on_click=reset_thresholds)


def thresholds_or_stop() -> segment.Thresholds:
    """Return the thresholds the widgets hold, or say why not and stop the page."""
    try:
        thresholds = segment.Thresholds.from_dict(
            {field: st.session_state[key] for field, key in THRESHOLD_KEYS.items()}
        )
    except WorkbenchError as error:
        st.error(str(error))
        st.stop()
    return thresholds


def segments_or_stop(
    as_of: date, thresholds: segment.Thresholds
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the features and segments, or stop the page when there are no accounts."""
    features = reads.account_features(as_of, round(thresholds.default_term_months))
    if features.height == 0:
        st.info("No accounts yet: import CRM exports on the Import page.")
        st.stop()
    # The reasons are built later, for the rows the table shows (explain_segments).
    return features, reads.segments_unexplained(as_of, thresholds)


def overview_section(segments: pl.DataFrame, thresholds: segment.Thresholds) -> None:
    """Show the counts, the portfolio chart, the summary and how the score works."""
    cuts = segment.segment_cuts(segments, thresholds)
    summary = segment.segment_summary(segments)
    counts = segment.segment_counts(segments)
    cols = st.columns(7)
    cols[0].metric("Most valuable", counts["most_valuable"])
    cols[1].metric("Most growable", counts["most_growable"])
    cols[2].metric("Maintain", counts["maintain"])
    cols[3].metric("Below zero", counts["below_zero"])
    cols[4].metric(
        "No data",
        counts["no_data"],
        help="No revenue, people, activity or open deal on record: not ranked.",
    )
    cols[5].metric("Partnership", counts["partnership"])
    cols[6].metric("Transactional", counts["transactional"])

    drawn = segment.drawn_accounts(segments, CHART_POINTS)
    st.altair_chart(
        charts.segment_scatter(drawn, cuts.contribution_cut, cuts.headroom_cut),
        width="stretch",
    )
    ranked = segments.height - counts["no_data"]
    if drawn.height < ranked:
        st.caption(
            _(
                "Drawn: {drawn} of {ranked} accounts with data, each segment's "
                "largest by revenue in proportion to its size and its extremes; "
                "the counts, the summary and the table cover them all."
            ).format(drawn=format_number(drawn.height), ranked=format_number(ranked))
        )
    st.caption(
        "Right of the green line: most valuable. Above the blue line: most growable (of "
        "the rest). Left of the red line: below zero. Circles are partnerships, triangles "
        "transactional; size is revenue (won deals in force, each spread over its "
        "contract term; the basis is in every row). Both axes are symmetric-log. "
        "Accounts without data are not ranked and not drawn."
    )

    st.subheader("Segment summary")
    st.dataframe(
        summary,
        hide_index=True,
        width="stretch",
        column_config={
            **SHARE_COLUMNS,
            "effort_hours": st.column_config.NumberColumn(
                "Effort hours", format="%,.0f"
            ),
        },
        key="seg_summary_table",
    )

    with st.expander("How the relationship score works"):
        st.write(
            "Each signal gives points in proportion to its value, up to its maximum "
            "(reached at the value shown). Partnership at a score of at least "
            f"{thresholds.relationship_threshold:g}; a manual override wins over the score."
        )
        st.dataframe(
            segment.score_weights(thresholds), hide_index=True, width="stretch"
        )


def accounts_section(
    segments: pl.DataFrame, as_of: date, thresholds: segment.Thresholds
) -> pl.DataFrame:
    """Show the filtered accounts with downloads; return the filtered accounts."""
    st.subheader("Accounts")
    filter_cols = st.columns([2, 2, 3])
    chosen_segments = filter_cols[0].multiselect(
        "Value segment", list(segment.VALUE_SEGMENTS), key="seg_filter_segments"
    )
    chosen_types = filter_cols[1].multiselect(
        "Relationship", list(segment.RELATIONSHIPS), key="seg_filter_types"
    )
    search = filter_cols[2].text_input("Name or ID contains", key="seg_filter_name")
    table = segment.filter_accounts(
        segments,
        value_segments=chosen_segments,
        relationships=chosen_types,
        name_contains=search,
    ).sort("contribution", descending=True)
    st.caption(f"{table.height:,} of {segments.height:,} accounts, as of {as_of}.")
    first = (_table_page(table.height) - 1) * PAGE_ROWS
    if table.height > PAGE_ROWS:
        st.caption(
            _(
                "Rows {first}–{last} of {count}, highest contribution first; the "
                "downloads hold every row."
            ).format(
                first=format_number(first + 1),
                last=format_number(min(first + PAGE_ROWS, table.height)),
                count=format_number(table.height),
            )
        )
    st.dataframe(
        segment.shown_account_table(table, thresholds, PAGE_ROWS, first),
        hide_index=True,
        width="stretch",
        key="seg_accounts_table",
    )
    # every row is explained only when a download is asked for
    download_pair(
        functools.partial(segment.shown_account_table, table, thresholds),
        f"segments-{as_of}",
        "seg_download",
        labels=("Download CSV", "Download Excel"),
        sheet="segments",
    )
    return table


def _table_page(rows: int) -> int:
    """Show a page picker when the table has more than one page; return the page."""
    pages = max(1, math.ceil(rows / PAGE_ROWS))
    if pages == 1:
        return 1
    # a filter may leave fewer pages than the one shown before
    if st.session_state.get("seg_table_page", 1) > pages:
        st.session_state["seg_table_page"] = pages
    return int(
        st.number_input(
            _("Page of the table ({pages} pages)").format(pages=format_number(pages)),
            min_value=1,
            max_value=pages,
            step=1,
            key="seg_table_page",
        )
    )


def overrides_section(table: pl.DataFrame, may_edit: bool) -> None:
    """Show the manual relationship decisions, to add (from ``table``) or remove."""
    st.subheader("Manual relationship decisions")
    overrides = reads.relationship_overrides()
    # The picker lists the accounts of the filtered table above (at most
    # OVERRIDE_CHOICES of them), so a large portfolio does not send every name each run.
    choice_ids, choice_labels = segment.account_choices(table, OVERRIDE_CHOICES)
    if table.height > OVERRIDE_CHOICES:
        st.caption(
            f"The picker lists the first {OVERRIDE_CHOICES:,} accounts of the table above; "
            "filter the table to reach others."
        )
    with st.form("seg_override_form"):
        override_cols = st.columns([3, 2, 4])
        override_choice = override_cols[0].selectbox(
            "Account",
            range(len(choice_ids)),
            format_func=choice_labels.__getitem__,
            key="seg_override_account",
        )
        override_account = choice_ids[override_choice] if choice_ids else ""
        override_type = override_cols[1].radio(
            "Relationship", list(segment.RELATIONSHIPS), key="seg_override_type"
        )
        override_reason = override_cols[2].text_input(
            "Reason (required)", key="seg_override_reason", max_chars=500
        )
        saved = st.form_submit_button("Save decision", disabled=not may_edit)
    if saved:
        try:
            actions.set_relationship(override_account, override_type, override_reason)
            notify_after_rerun(
                f"Relationship decision for {override_account} saved: {override_type}."
            )
            st.rerun()
        except WorkbenchError as error:
            st.error(str(error))
    if overrides.height:
        st.dataframe(
            overrides, hide_index=True, width="stretch", key="seg_overrides_table"
        )
        remove_cols = st.columns([3, 1])
        to_remove = remove_cols[0].selectbox(
            "Remove the decision for",
            overrides["account_id"].to_list(),
            key="seg_override_remove",
        )
        if remove_cols[1].button(
            "Remove", key="seg_override_delete", disabled=not may_edit
        ):
            try:
                actions.clear_relationship(to_remove)
                notify_after_rerun(f"Decision for {to_remove} removed.")
                st.rerun()
            except WorkbenchError as error:
                st.error(str(error))
    else:
        st.caption("No manual decisions yet: every type comes from the score.")
    if not may_edit:
        st.caption(
            "You can view segments; saving decisions and scenarios needs an analyst."
        )


def scenarios_section(
    features: pl.DataFrame, thresholds: segment.Thresholds, may_edit: bool
) -> None:
    """Save, load and compare threshold scenarios."""
    overrides = reads.relationship_overrides()
    st.subheader("Scenarios")
    scenarios = reads.segment_scenarios()
    save_cols = st.columns([3, 1])
    scenario_name = save_cols[0].text_input(
        "Save the current thresholds as", key="seg_scenario_name", max_chars=200
    )
    if save_cols[1].button(
        "Save scenario", key="seg_scenario_save", disabled=not may_edit
    ):
        try:
            actions.save_scenario(scenario_name, thresholds)
            notify_after_rerun(f"Scenario “{scenario_name.strip()}” saved.")
            st.rerun()
        except WorkbenchError as error:
            st.error(str(error))

    if scenarios.height:
        names_saved = scenarios["name"].to_list()
        load_cols = st.columns([3, 1])
        to_load = load_cols[0].selectbox(
            "Load a scenario", names_saved, key="seg_scenario_load"
        )
        load_cols[1].button(
            "Load", key="seg_scenario_apply", on_click=load_scenario, args=(to_load,)
        )
        compare_cols = st.columns(2)
        choice_a = compare_cols[0].selectbox(
            "Compare", [CURRENT, *names_saved], key="seg_compare_a"
        )
        choice_b = compare_cols[1].selectbox(
            "with", [CURRENT, *names_saved], index=1, key="seg_compare_b"
        )
        side_a = segment.scenario_thresholds(scenarios, choice_a) or thresholds
        side_b = segment.scenario_thresholds(scenarios, choice_b) or thresholds
        comparison = segment.compare_scenarios(features, side_a, side_b, overrides)
        moved = segment.moved_accounts(comparison)
        st.caption(
            f"{moved.height:,} accounts change segment or type between the two "
            "(a = left, b = right)."
        )
        st.dataframe(
            segment.scenario_moves(comparison),
            hide_index=True,
            width="stretch",
            key="seg_moves_table",
        )
        st.dataframe(moved, hide_index=True, width="stretch", key="seg_moved_table")
    else:
        st.caption("No saved scenarios yet.")


#: How a workshop rates a situation factor: unknown, or 1 (low) to 5 (high).
SITUATION_CHOICES: tuple[int | None, ...] = (None, 1, 2, 3, 4, 5)


def situation_section(table: pl.DataFrame, may_edit: bool) -> None:
    """Let a workshop rate an account's buying situation (the target's inputs)."""
    st.subheader("Buying situation (sets the target relationship)")
    st.caption(
        "Rate what you know, 1 (low) to 5 (high); leave the rest unknown. The "
        "target score counts only the known signals (contract length, value and "
        "wallet come from the data), so no type is out of reach for lack of a field."
    )
    choice_ids, choice_labels = segment.account_choices(table, OVERRIDE_CHOICES)
    if not choice_ids:
        return
    # outside the form, so the ratings below show the chosen account's at once
    picked = st.selectbox(
        "Account",
        range(len(choice_ids)),
        format_func=choice_labels.__getitem__,
        key="seg_situation_account",
    )
    account_id = choice_ids[picked]
    rated = reads.account_situation().filter(pl.col("account_id") == account_id)
    current = rated.row(0, named=True) if rated.height else {}
    with st.form("seg_situation_form"):
        cols = st.columns(len(SITUATION_FACTORS))
        levels: dict[str, int | None] = {}
        for col, factor in zip(cols, SITUATION_FACTORS, strict=True):
            known = current.get(factor)
            levels[factor] = col.selectbox(
                factor.replace("_", " ").capitalize(),
                SITUATION_CHOICES,
                index=SITUATION_CHOICES.index(known) if known else 0,
                format_func=lambda v: "unknown" if v is None else str(v),
                key=f"seg_situation_{factor}_{account_id}",
            )
        saved = st.form_submit_button("Save the situation", disabled=not may_edit)
    if saved:
        try:
            actions.set_situation(account_id, levels)
            st.success("Saved.")
            st.rerun()
        except WorkbenchError as error:
            st.error(str(error))
