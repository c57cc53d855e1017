"""The Buying centre screen: one account's people, the map, coverage and edits."""

from __future__ import annotations

import math

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from workbench import access, charts, domain, privacy
from workbench.analytics import network
from workbench.app import actions, reads, session
from workbench.app.components import csv_download, preselect_linked_account
from workbench.errors import WorkbenchError


def pick_account() -> tuple[str, int, domain.BuyingCentreData]:
    """Show the account and window pickers; return them and the account's data."""
    accounts = reads.buying_centre_accounts()
    first_day, last_day = reads.data_date_range()
    if accounts.height == 0 or first_day is None or last_day is None:
        st.info("No accounts or activities yet: load CRM exports on the Import page.")
        st.stop()

    account_labels = dict(
        zip(
            accounts["account_id"].to_list(),
            [
                f"{name} ({count} people)" if count else f"{name} (no people on record)"
                for name, count in zip(
                    accounts["name"].to_list(),
                    accounts["contacts"].to_list(),
                    strict=True,
                )
            ],
            strict=True,
        )
    )
    span_months = max(1, math.ceil((last_day - first_day).days / 30.44))
    top = st.columns([3, 2])
    preselect_linked_account("bc_account", list(account_labels))
    account_id = top[0].selectbox(
        "Account (type to search)",
        options=list(account_labels),
        format_func=account_labels.__getitem__,
        key="bc_account",
    )
    months = top[1].slider(
        "Time window, months up to the data's last day",
        min_value=1,
        max_value=max(2, min(span_months, 60)),
        value=min(12, max(2, span_months)),
        key="bc_window_months",
    )
    data = reads.buying_centre(account_id, months)
    top[1].caption(f"Window: {data.start} (exclusive) to {data.end}")
    if data.contacts.height == 0:
        st.info(
            "Nobody at this account is on record, so there is no buying centre to "
            "map yet. Import its contacts (a Contact export with this account's ID or "
            "name) on the Import page, or pick another account."
        )
        st.stop()
    return account_id, months, data


def map_section(
    account_id: str, months: int, data: domain.BuyingCentreData
) -> tuple[network.MapOptions, DeltaGenerator]:
    """Show the map's filters and the map; return the options and the facts column."""
    report = reads.buying_centre_report(account_id, months)
    filters = st.columns([3, 3, 2, 2])
    chosen_departments = filters[0].multiselect(
        "Departments", options=network.departments(data), key="bc_departments"
    )
    chosen_roles = filters[1].multiselect(
        "Buying roles",
        options=[*domain.BUYING_ROLES, network.UNKNOWN],
        key="bc_roles",
    )
    layout = filters[2].radio(
        "Layout",
        options=["force", "hierarchy"],
        format_func={"force": "Force", "hierarchy": "Hierarchy"}.__getitem__,
        key="bc_layout",
        horizontal=True,
        help="Hierarchy puts each person at their level in the reporting tree; on a "
        "large account filter by department first.",
    )
    freeze = filters[3].toggle(
        "Freeze when settled",
        value=True,
        key="bc_freeze",
        help="Stop the physics once the layout has settled; nodes stay where you drag them.",
    )
    show_sellers = filters[3].toggle(
        "Our sellers", value=True, key="bc_sellers", help="Show who of us touched whom."
    )
    reach = report.reach_next
    reach_labels = {
        contact_id: f"{rank}. {name} ({role}, influence {influence})"
        for rank, contact_id, name, role, influence in zip(
            reach["rank"].to_list(),
            reach["contact_id"].to_list(),
            reach["name"].to_list(),
            reach["role"].to_list(),
            reach["influence"].to_list(),
            strict=True,
        )
    }
    map_column, facts_column = st.columns([3, 2])
    with map_column:
        highlight = st.selectbox(
            "Show the warm path to",
            options=[None, *reach_labels],
            format_func=lambda contact_id: (
                "nobody"
                if contact_id is None
                else reach_labels.get(contact_id, contact_id)
            ),
            key="bc_reach",
        )

        options = network.MapOptions(
            departments=tuple(chosen_departments),
            roles=tuple(chosen_roles),
            layout="hierarchy" if layout == "hierarchy" else "force",
            freeze=freeze,
            highlight_contact_id=highlight,
            show_sellers=show_sellers,
        )
        st.iframe(
            reads.buying_centre_html(account_id, months, options),
            height=options.height_px + 60,
        )
        st.altair_chart(charts.legend_chart(), width="content")
        st.caption(network.legend_markdown())
    return options, facts_column


def facts(report: network.BuyingCentreReport) -> None:
    """Show coverage by role, the share of our effort, and the risks."""
    breadth = report.breadth
    st.subheader("Coverage")
    metrics = st.columns(3)
    metrics[0].metric(
        "People engaged",
        f"{breadth.contacts_engaged}/{breadth.contacts_present}",
        help="People we touched in the window, of everyone in the account.",
    )
    metrics[1].metric(
        "Departments",
        f"{breadth.departments_engaged}/{breadth.departments_present}",
        help="Departments engaged in the window, of those present.",
    )
    metrics[2].metric(
        "Org levels",
        f"{breadth.levels_reached}/{breadth.levels_present}",
        help="Depth in the reporting tree: level 1 is the top. "
        f"Highest level we touched: {breadth.top_level_reached or '–'}.",
    )
    st.dataframe(
        report.coverage,
        hide_index=True,
        width="stretch",
        column_config={
            "role": "Buying role",
            "present": st.column_config.NumberColumn("People"),
            "engaged": st.column_config.NumberColumn("Engaged by us"),
            "status": "Status",
        },
    )
    csv_download(
        report.coverage,
        "Download coverage (CSV)",
        "buying-centre-coverage.csv",
        "bc_coverage_csv",
    )
    st.markdown("**Share of our effort in the window**")
    st.dataframe(
        breadth.effort,
        hide_index=True,
        width="stretch",
        column_config={
            "function": "With",
            "touches": st.column_config.NumberColumn("Touches"),
            "minutes": st.column_config.NumberColumn("Minutes", format="%.0f"),
            "touch_share": st.column_config.ProgressColumn(
                "Share of touches", min_value=0.0, max_value=1.0, format="percent"
            ),
            "minute_share": st.column_config.ProgressColumn(
                "Share of minutes", min_value=0.0, max_value=1.0, format="percent"
            ),
        },
    )
    st.subheader(f"Risks ({report.risks.height})")
    if report.risks.height:
        st.dataframe(
            report.risks,
            hide_index=True,
            width="stretch",
            column_config={"contact_id": None},
        )
    else:
        st.success("No relationship risk found in this window.")


def reach_next(report: network.BuyingCentreReport) -> None:
    """Show whom to reach next, ranked."""
    reach = report.reach_next
    st.subheader("Whom to reach next")
    st.caption(
        "People we did not touch in the window, with influence of at least "
        f"{network.REACH_MIN_INFLUENCE}, ranked by influence, role and staleness. The "
        "warm path starts from one of our champions or supporters and follows reporting "
        "lines and influence links; pick a person above to see it on the map."
    )
    st.dataframe(
        reach,
        hide_index=True,
        width="stretch",
        column_order=[
            "rank",
            "name",
            "title",
            "department",
            "role",
            "influence",
            "attitude",
            "days_since_touch",
            "score",
            "path",
        ],
    )


def people_editor(account_id: str, months: int, options: network.MapOptions) -> None:
    """Show the account's people: editable roles, influence and attitude for editors."""
    st.subheader("People")
    actor = session.current_actor()
    persons = network.filter_people(
        reads.buying_centre_people(account_id, months),
        departments=options.departments,
        roles=options.roles,
    )
    people_table = privacy.mask_personal_data(network.editable_contacts(persons), actor)
    if not access.can(actor, "edit"):
        st.info(
            f"You are signed in as {actor.role}: roles, influence and attitudes are read "
            "only. Ask an analyst or an admin to change them."
        )
        st.dataframe(people_table, hide_index=True, width="stretch")
    else:
        saved_message = st.session_state.pop("bc_saved_message", None)
        if saved_message:
            st.success(saved_message)
        edited = st.data_editor(
            people_table,
            key="contact_editor",
            hide_index=True,
            width="stretch",
            num_rows="fixed",
            disabled=["contact_id", "name", "title", "department", "email", "phone"],
            column_config={
                "buying_role": st.column_config.SelectboxColumn(
                    "Buying role", options=list(domain.BUYING_ROLES), required=False
                ),
                "influence": st.column_config.SelectboxColumn(
                    "Influence (1–5)",
                    options=list(
                        range(domain.INFLUENCE_RANGE[0], domain.INFLUENCE_RANGE[1] + 1)
                    ),
                    required=False,
                ),
                "attitude": st.column_config.SelectboxColumn(
                    "Attitude", options=list(domain.ATTITUDES), required=False
                ),
            },
        )
        changes = network.contact_changes(people_table, edited)
        if changes.height:
            st.caption(f"{changes.height} unsaved change(s).")
        if st.button(
            "Save changes", key="bc_save", type="primary", disabled=changes.height == 0
        ):
            try:
                saved = actions.save_contact_edits(changes)
            except WorkbenchError as error:
                st.error(f"Nothing was saved: {error}")
            else:
                st.session_state["bc_saved_message"] = (
                    f"Saved {saved} change(s) as {actor.name}; the map shows them."
                )
                del st.session_state["contact_editor"]
                st.rerun()


def edit_history(account_id: str) -> None:
    """Show the latest edits to the account's people."""
    with st.expander("Edits to this account's people"):
        st.dataframe(
            reads.contact_edit_history(account_id), hide_index=True, width="stretch"
        )
