"""The Segments screen: value segments and relationship types under live thresholds."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import date
from typing import Any

import polars as pl
import streamlit as st

from workbench import access, terms
from workbench.analytics import segment
from workbench.app import actions, reads, segment_reads, session
from workbench.app.components import (
    account_choices,
    download_pair,
    metric_row,
    opened_expander,
    pick_account,
    save_then_rerun,
    share_columns,
    show_refusal,
    show_table,
)
from workbench.app.language import _
from workbench.app.screens.economics_inputs import (
    economics_section as economics_section,
)
from workbench.app.screens.segment_thresholds import (
    THRESHOLD_KEYS,
    load_scenario,
)
from workbench.domain import SITUATION_FACTORS
from workbench.errors import WorkbenchError
from workbench.i18n import N_, current_language, format_day, format_number

CURRENT = "(current sliders)"
CURRENT_LABEL = N_("(current sliders)")
OVERRIDE_CHOICES = 500
# Points the portfolio chart draws at most. What a slider move costs in the
# browser grows with them: at 10,000 accounts, release to redrawn chart took
# 232 ms with 2,000 points and 180 ms with 500, against 139 ms for a 60-account
# portfolio (Chromium, same run). Five hundred keep every segment's largest
# accounts and its extremes (so the axes and cuts stay), and the clusters read
# the same; the caption says how many of how many are drawn.
CHART_POINTS = 500
# Rows the accounts table shows at a time: each row's reasons are built and sent
# at every rerun, so a page of them, not the whole portfolio.
PAGE_ROWS = 200


def may_edit() -> bool:
    """Return whether the current user may save decisions and scenarios."""
    return access.can(session.current_actor(), "edit")


def thresholds_or_stop() -> segment.Thresholds:
    """Return the thresholds the widgets hold, or say why not and stop the page."""
    try:
        thresholds = segment.Thresholds.from_dict(
            {field: st.session_state[key] for field, key in THRESHOLD_KEYS.items()}
        )
    except WorkbenchError as error:
        show_refusal(error)
        st.stop()
    return thresholds


def features_or_stop(as_of: date, thresholds: segment.Thresholds) -> pl.DataFrame:
    """Return the accounts' features, or stop the page when there are no accounts."""
    features = reads.account_features(as_of, round(thresholds.default_term_months))
    if features.height == 0:
        if reads.accounts_not_segmented().height == 0:
            st.info(_("No accounts yet: import CRM exports on the Import page."))
        else:
            st.info(
                _(
                    "No customer accounts yet: the CRM types every account as no customer."
                )
            )
            not_segmented_note()
        st.stop()
    return features


def not_segmented_note() -> None:
    """Say which accounts the CRM types as no customer, left out of the figures."""
    left_out = reads.accounts_not_segmented()
    if left_out.height == 0:
        return
    st.caption(
        _(
            "Accounts typed in the CRM as no customer (competitors, partners, "
            "suppliers, the press or investors) with no deal on record: {count}. "
            "They are not segmented, valued or counted in the effort; their "
            "buying centres are shown."
        ).format(count=format_number(left_out.height))
    )
    with st.expander(_("Accounts not segmented")):
        show_table(
            terms.localise_values(left_out.drop("account_id")),
            key="not_segmented_table",
        )


def overview_section(
    as_of: date, thresholds: segment.Thresholds, currency: str
) -> None:
    """Show the counts, the portfolio chart, the summary and how the score works."""
    # computed once per thresholds and language, shared by every session
    view = segment_reads.overview(as_of, thresholds, CHART_POINTS, current_language())
    counts = view.counts
    row = metric_row()
    shown = ("most_valuable", "most_growable", "maintain", "below_zero", "no_data")
    for name in shown:
        row.metric(
            terms.value_segment(name).capitalize(),
            format_number(counts[name]),
            help=_("No revenue, people, activity or open deal on record: not ranked.")
            if name == "no_data"
            else None,
        )
    for name in ("partnership", "transactional"):
        row.metric(
            terms.relationship(name).capitalize(),
            format_number(counts[name]),
            help=_transactional_help(view.transactional)
            if name == "transactional"
            else None,
        )

    # the top level copied: Streamlit takes the datasets out of the spec it gets
    st.vega_lite_chart(spec=dict(view.chart), width="stretch")
    if view.drawn < view.ranked:
        st.caption(
            _(
                "Drawn: {drawn} of {ranked} accounts with data, each segment's "
                "largest by revenue in proportion to its size and its extremes; "
                "the counts, the summary and the table cover them all."
            ).format(drawn=format_number(view.drawn), ranked=format_number(view.ranked))
        )
    st.caption(
        _(
            "Right of the green line: most valuable. Above the blue line: most "
            "growable (of the rest). Left of the red line: below zero. Circles are "
            "partnerships, triangles transactional; size is revenue (won deals in "
            "force, each spread over its contract term; the basis is in every row). "
            "Both axes are symmetric-log, in {currency}. Accounts without data are "
            "not ranked and not drawn."
        ).format(currency=currency)
    )

    st.subheader(_("Segment summary"))
    show_table(
        view.summary,
        column_config={
            **share_columns(currency),
            "effort_hours": st.column_config.NumberColumn(
                _("Effort hours"), format="%,.0f"
            ),
        },
        key="seg_summary_table",
    )
    # below the summary: the counts, the chart and the summary cover customers
    not_segmented_note()

    box = opened_expander(_("How the relationship score works"), "seg_score_help_open")
    if box is None:
        return
    with box:
        st.write(
            _(
                "Each signal gives points in proportion to its value, up to its "
                "maximum (reached at the value shown). Partnership at a score of at "
                "least {threshold}; a manual override wins over the score."
            ).format(threshold=format_number(thresholds.relationship_threshold))
        )
        show_table(segment.score_weights(thresholds))


def _transactional_help(detail: segment.TransactionalDetail) -> str | None:
    """Say what the transactional count holds that its figure does not show."""
    said = []
    if detail.without_data:
        said.append(
            _(
                "Including the {count} accounts without data: no revenue, people, "
                "activity or open deal on record."
            ).format(count=format_number(detail.without_data))
        )
    if detail.by_default:
        said.append(
            _(
                "{count} accounts are transactional by default: no relationship "
                "signal is known of them, and the service that costs less is the "
                "default until evidence or a workshop says otherwise."
            ).format(count=format_number(detail.by_default))
        )
    return " ".join(said) or None


def _relationships(widget: Callable[..., Any], key: str, **options: Any) -> Any:
    # a choice of relationship types (several or one, by the widget), in words
    return widget(
        _("Relationship"),
        list(segment.RELATIONSHIPS),
        format_func=terms.relationship,
        key=key,
        **options,
    )


def accounts_section(
    as_of: date, thresholds: segment.Thresholds, currency: str
) -> segment_reads.FilteredAccounts:
    """Show the filtered accounts with downloads; return them."""
    st.subheader(_("Accounts"))
    filter_cols = st.columns([2, 2, 3])
    chosen_segments = filter_cols[0].multiselect(
        _("Value segment"),
        list(segment.VALUE_SEGMENTS),
        format_func=terms.value_segment,
        key="seg_filter_segments",
        # an empty filter keeps every row
        placeholder=_("All"),
    )
    # an empty filter keeps every row
    chosen_types = _relationships(
        filter_cols[1].multiselect, "seg_filter_types", placeholder=_("All")
    )
    search = filter_cols[2].text_input(_("Name or ID contains"), key="seg_filter_name")
    filters = (tuple(chosen_segments), tuple(chosen_types), search)
    accounts = segment_reads.filtered_accounts(as_of, thresholds, filters)
    table = accounts.table
    st.caption(
        _("{shown} of {total} accounts, as of {day}; amounts in {currency}.").format(
            shown=format_number(table.height),
            total=format_number(accounts.total),
            day=format_day(as_of),
            currency=currency,
        )
    )
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
    every_column = st.toggle(
        _("Every column"),
        key="seg_all_columns",
        help=_(
            "Also show the signals and inputs behind the scores and the full "
            "reasons. The downloads hold every column either way."
        ),
    )
    show_table(
        segment_reads.table_page(
            as_of,
            thresholds,
            filters,
            first,
            PAGE_ROWS,
            current_language(),
            every_column,
        ),
        key="seg_accounts_table",
        column_config=share_columns(currency),
    )
    # every row is explained only when a download is asked for
    download_pair(
        functools.partial(segment.shown_account_table, table, thresholds),
        f"segments-{as_of}",
        "seg_download",
        labels=(_("Download CSV"), _("Download Excel")),
        sheet="segments",
    )
    return accounts


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


def overrides_section(accounts: segment_reads.FilteredAccounts, may_edit: bool) -> None:
    """Show the manual relationship decisions, to add (from ``accounts``) or remove.

    Built only while its expander is open (opening it reruns the page): its
    pickers, form and table are not built and sent at every move of a slider.
    """
    box = opened_expander(_("Manual relationship decisions"), "seg_decisions_open")
    if box is None:
        return
    with box:
        table = accounts.best_first
        overrides = reads.relationship_overrides()
        # The picker lists the accounts of the filtered table above (at most
        # OVERRIDE_CHOICES of them), so a large portfolio does not send every name each run.
        choice_ids, choice_labels = account_choices(table, OVERRIDE_CHOICES)
        if table.height > OVERRIDE_CHOICES:
            st.caption(
                _(
                    "The picker lists the first {count} accounts of the table above; "
                    "filter the table to reach others."
                ).format(count=format_number(OVERRIDE_CHOICES))
            )
        with st.form("seg_override_form"):
            override_cols = st.columns([3, 2, 4])
            override_choice = override_cols[0].selectbox(
                _("Account"),
                range(len(choice_ids)),
                format_func=choice_labels.__getitem__,
                key="seg_override_account",
            )
            override_account = choice_ids[override_choice] if choice_ids else ""
            override_type = _relationships(override_cols[1].radio, "seg_override_type")
            override_reason = override_cols[2].text_input(
                _("Reason (required)"), key="seg_override_reason", max_chars=500
            )
            saved = st.form_submit_button(_("Save decision"), disabled=not may_edit)
        if saved:
            save_then_rerun(
                lambda: actions.set_relationship(
                    override_account, override_type, override_reason
                ),
                _("Relationship decision for {account} saved: {relationship}.").format(
                    account=override_account,
                    relationship=terms.relationship(override_type),
                ),
            )
        if overrides.height:
            show_table(terms.localise_values(overrides), key="seg_overrides_table")
            remove_cols = st.columns([3, 1])
            to_remove = remove_cols[0].selectbox(
                _("Remove the decision for"),
                overrides["account_id"].to_list(),
                key="seg_override_remove",
            )
            if remove_cols[1].button(
                _("Remove"), key="seg_override_delete", disabled=not may_edit
            ):
                save_then_rerun(
                    lambda: actions.clear_relationship(to_remove),
                    _("Decision for {account} removed.").format(account=to_remove),
                )
        else:
            st.caption(_("No manual decisions yet: every type comes from the score."))
        if not may_edit:
            st.caption(
                _(
                    "You can view segments; saving decisions and scenarios needs an analyst."
                )
            )


def scenarios_section(
    as_of: date, thresholds: segment.Thresholds, may_edit: bool
) -> None:
    """Save, load and compare threshold scenarios (built only while open)."""
    box = opened_expander(_("Scenarios"), "seg_scenarios_open")
    if box is None:
        return
    with box:
        scenarios = reads.segment_scenarios()
        save_cols = st.columns([3, 1])
        scenario_name = save_cols[0].text_input(
            _("Save the current thresholds as"), key="seg_scenario_name", max_chars=200
        )
        if save_cols[1].button(
            _("Save scenario"), key="seg_scenario_save", disabled=not may_edit
        ):
            save_then_rerun(
                lambda: actions.save_scenario(scenario_name, thresholds),
                _("Scenario “{name}” saved.").format(name=scenario_name.strip()),
            )

        if scenarios.height:
            names_saved = scenarios["name"].to_list()
            load_cols = st.columns([3, 1])
            to_load = load_cols[0].selectbox(
                _("Load a scenario"), names_saved, key="seg_scenario_load"
            )
            load_cols[1].button(
                _("Load"),
                key="seg_scenario_apply",
                on_click=load_scenario,
                args=(to_load,),
            )
            compare_cols = st.columns(2)
            choice_a = compare_cols[0].selectbox(
                _("Compare"),
                [CURRENT, *names_saved],
                format_func=_scenario_label,
                key="seg_compare_a",
            )
            choice_b = compare_cols[1].selectbox(
                _("with"),
                [CURRENT, *names_saved],
                index=1,
                format_func=_scenario_label,
                key="seg_compare_b",
            )
            side_a = segment.scenario_thresholds(scenarios, choice_a) or thresholds
            side_b = segment.scenario_thresholds(scenarios, choice_b) or thresholds
            comparison = segment_reads.scenario_comparison(as_of, side_a, side_b)
            moved = segment.moved_accounts(comparison)
            st.caption(
                _(
                    "{count} accounts change segment or type between the two "
                    "(a = left, b = right)."
                ).format(count=format_number(moved.height))
            )
            show_table(
                terms.localise_values(segment.scenario_moves(comparison)),
                key="seg_moves_table",
            )
            show_table(terms.localise_values(moved), key="seg_moved_table")
        else:
            st.caption(_("No saved scenarios yet."))


def _scenario_label(name: str) -> str:
    # The current sliders are a choice of their own, named in the language in force.
    return _(CURRENT_LABEL) if name == CURRENT else name


#: How a workshop rates a situation factor: unknown, or 1 (low) to 5 (high).
SITUATION_CHOICES: tuple[int | None, ...] = (None, 1, 2, 3, 4, 5)


def situation_section(accounts: segment_reads.FilteredAccounts, may_edit: bool) -> None:
    """Let a workshop rate an account's buying situation (the target's inputs).

    Built only while its expander is open, like the decisions above.
    """
    box = opened_expander(
        _("Buying situation (sets the target relationship)"), "seg_situation_open"
    )
    if box is None:
        return
    with box:
        st.caption(
            _(
                "Rate what you know, 1 (low) to 5 (high); leave the rest unknown. The "
                "target score counts only the known signals (contract length, value and "
                "wallet come from the data), so no type is out of reach for lack of a "
                "field."
            )
        )
        # outside the form, so the ratings below show the chosen account's at once
        account_id = pick_account(
            accounts.best_first, OVERRIDE_CHOICES, "seg_situation_account"
        )
        if account_id is None:
            return
        # the account's row found by a comparison of one column (a filter is planned)
        rated = reads.account_situation()
        at = (rated.get_column("account_id") == account_id).arg_true()
        current = rated.row(at[0], named=True) if at.len() else {}
        with st.form("seg_situation_form"):
            cols = st.columns(len(SITUATION_FACTORS))
            levels: dict[str, int | None] = {}
            for col, factor in zip(cols, SITUATION_FACTORS, strict=True):
                known = current.get(factor)
                levels[factor] = col.selectbox(
                    terms.situation_factor(factor),
                    SITUATION_CHOICES,
                    index=SITUATION_CHOICES.index(known) if known else 0,
                    format_func=lambda v: _("unknown") if v is None else str(v),
                    key=f"seg_situation_{factor}_{account_id}",
                )
            saved = st.form_submit_button(
                _("Save the situation"), disabled=not may_edit
            )
        if saved:
            try:
                actions.set_situation(account_id, levels)
                st.success(_("Saved."))
                st.rerun()
            except WorkbenchError as error:
                show_refusal(error)
