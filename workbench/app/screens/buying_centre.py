"""The Buying centre screen: one account's people, the map, coverage and edits."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from workbench import access, domain, exports, terms
from workbench.analytics import network
from workbench.app import actions, reads, session
from workbench.app import buying_centre_reads as bc_reads
from workbench.app.components import (
    built_on_click,
    choice_column,
    notify_after_rerun,
    opened_expander,
    preselect_linked_account,
    searched_account_picker,
    show_table,
)
from workbench.app.language import _, format_day
from workbench.errors import WorkbenchError
from workbench.i18n import N_, current_language

if TYPE_CHECKING:
    import pyarrow as pa


def pick_account() -> tuple[str, int, domain.BuyingCentreData]:
    """Show the account and window pickers; return them and the account's data."""
    # built once per data version and language: one label per account
    account_labels = bc_reads.account_labels(current_language())
    first_day, last_day = reads.data_date_range()
    if not account_labels or first_day is None or last_day is None:
        st.info(
            _("No accounts or activities yet: load CRM exports on the Import page.")
        )
        st.stop()

    span_months = max(1, math.ceil((last_day - first_day).days / 30.44))
    top = st.columns([3, 2])
    preselect_linked_account("bc_account", list(account_labels))
    with top[0]:
        account_id = _account_picker(account_labels)
    months = top[1].slider(
        _("Time window, months up to the data's last day"),
        min_value=1,
        max_value=max(2, min(span_months, 60)),
        value=min(12, max(2, span_months)),
        key="bc_window_months",
    )
    data = reads.buying_centre(account_id, months)
    top[1].caption(
        _("Window: {start} (exclusive) to {end}").format(
            start=format_day(data.start), end=format_day(data.end)
        )
    )
    if data.contacts.height == 0:
        st.info(
            _(
                "Nobody at this account is on record, so there is no buying centre "
                "to map yet. Import its contacts (a Contact export with this "
                "account's ID or name) on the Import page, or pick another account."
            )
        )
        st.stop()
    return account_id, months, data


def _account_picker(account_labels: dict[str, str]) -> str:
    # A search box, then a picker of the accounts it matches (at most a few hundred)
    return searched_account_picker(
        account_labels,
        lambda query: bc_reads.account_matches(query, bc_reads.PICKER_ACCOUNTS),
        key="bc_account",
        search_key="bc_account_search",
    )


def _deal_picker(account_id: str, column: DeltaGenerator) -> str | None:
    # The deal whose buying centre to show; None: the whole account.
    # built once per account, data version and language
    labels = bc_reads.deal_labels(account_id, current_language())
    chosen: str | None = column.selectbox(
        _("Deal"),
        options=[None, *labels],
        format_func=lambda deal: (
            _("Whole account") if deal is None else labels.get(deal, deal)
        ),
        key="bc_deal",
        help=_(
            "A deal has its own buying centre: the people the CRM names on it "
            "(opportunity contact roles)."
        ),
        disabled=not labels,
    )
    return chosen


@dataclass(frozen=True)
class MapView:
    """What the map section chose: the map's options, where the facts go, the report."""

    options: network.MapOptions
    facts_column: DeltaGenerator
    #: coverage, risks and whom to reach, for the chosen deal or the whole account
    report: network.BuyingCentreReport
    #: the report's tables as shown, built once per report
    tables: bc_reads.ReportTables


#: The map's switches: (key, label, help), each on by default.
_MAP_SWITCHES: tuple[tuple[str, str, str], ...] = (
    (
        "bc_full_width",
        N_("Full width"),
        N_("The map across the whole page, for the projector."),
    ),
    (
        "bc_freeze",
        N_("Freeze when settled"),
        N_(
            "Stop the physics once the layout has settled; people stay where "
            "you drag them."
        ),
    ),
    (
        "bc_sellers",
        N_("Our sellers"),
        N_(
            "Show who of us touched whom (on the network; on the org chart the "
            "ring shows our coverage)."
        ),
    ),
)


def map_section(account_id: str, months: int, data: domain.BuyingCentreData) -> MapView:
    """Show the map's filters and the map; return what they chose and the report.

    The report (coverage, risks, whom to reach) is the chosen deal's buying
    centre, or the whole account's when no deal is chosen or the deal names nobody.
    """
    filters = st.columns([3, 2, 2, 3, 2, 1])
    deal = _deal_picker(account_id, filters[0])
    report = reads.buying_centre_report(account_id, months, deal, current_language())
    chosen_departments = filters[1].multiselect(
        _("Departments"),
        options=bc_reads.departments(account_id, months),
        key="bc_departments",
        # an empty filter keeps every row
        placeholder=_("All"),
    )
    chosen_roles = filters[2].multiselect(
        _("Buying roles"),
        options=[*domain.BUYING_ROLES, network.UNKNOWN],
        format_func=network.role_name,
        key="bc_roles",
        # an empty filter keeps every row
        placeholder=_("All"),
    )
    with filters[3]:
        highlight = _warm_path_picker(report)
    layout = filters[4].radio(
        _("Layout"),
        options=["force", "hierarchy"],
        format_func={"force": _("Network"), "hierarchy": _("Org chart")}.__getitem__,
        key="bc_layout",
        horizontal=True,
        help=_(
            "Org chart puts each person at their level in the reporting tree, top "
            "down; double-click a manager on the map to fold their team."
        ),
    )
    with filters[5].popover(_("Map"), width="stretch"):
        switches = {
            key: st.toggle(_(label), value=True, key=key, help=_(hint))
            for key, label, hint in _MAP_SWITCHES
        }
    full_width = switches["bc_full_width"]
    named = report.deal.contact_ids if report.deal is not None else ()
    options = network.MapOptions(
        departments=tuple(chosen_departments),
        roles=tuple(chosen_roles),
        layout="hierarchy" if layout == "hierarchy" else "force",
        freeze=switches["bc_freeze"],
        highlight_contact_id=highlight,
        # the org chart stays an org chart: coverage is the ring, not lines to us
        show_sellers=switches["bc_sellers"] and layout != "hierarchy",
        height_px=680 if full_width else 600,
        contact_ids=named or None,  # a deal naming nobody: the whole account
        title=data.account_name,
    )
    if report.deal is not None:
        _deal_caption(account_id, months, report.deal)
    st.iframe(
        reads.buying_centre_html(account_id, months, options, current_language()),
        height=options.height_px + 4,
    )
    facts_column = st.container() if full_width else st.columns([3, 2])[1]
    tables = bc_reads.report_tables(account_id, months, deal, current_language())
    return MapView(options, facts_column, report, tables)


def _warm_path_picker(report: network.BuyingCentreReport) -> str | None:
    reach = report.reach_next
    reach_labels = {
        contact_id: f"{rank}. {name} ({network.role_name(role)}, "
        + _("influence {n}").format(n=influence)
        + ")"
        for rank, contact_id, name, role, influence in zip(
            reach["rank"].to_list(),
            reach["contact_id"].to_list(),
            reach["name"].to_list(),
            reach["role"].to_list(),
            reach["influence"].to_list(),
            strict=True,
        )
    }
    highlight: str | None = st.selectbox(
        _("Show the warm path to"),
        options=[None, *reach_labels],
        format_func=lambda contact_id: (
            _("nobody")
            if contact_id is None
            else reach_labels.get(contact_id, contact_id)
        ),
        key="bc_reach",
    )
    return highlight


def _deal_caption(account_id: str, months: int, deal: network.DealBasis) -> None:
    # The deal's buying centre in words, with its gaps; or why it falls back.
    if deal.names_nobody:
        st.warning(
            _(
                "The CRM names nobody of this account on the deal {deal} (no "
                "opportunity contact roles): the map and the figures below are the "
                "whole account's. Add contact roles to the deal in the CRM and "
                "import again."
            ).format(deal=_plain(deal.name))
        )
        return
    roles = network.deal_roles(
        reads.account_deals(account_id),
        deal.opportunity_id,
        reads.buying_centre_people(account_id, months),
    )
    st.caption(
        _(
            "This deal's buying centre: {named} people named in the CRM, {covered} of "
            "them touched by us in the window. Coverage, risks and whom to reach "
            "next below are for deal {deal}."
        ).format(
            named=roles.height,
            covered=int(roles["engaged"].sum()),
            deal=_plain(deal.name),
        )
    )


def _for_deal(heading: str, report: network.BuyingCentreReport) -> str:
    # A heading that says which buying centre its figures are about.
    if report.deal is None or report.deal.names_nobody:
        return heading
    return _("{heading} for deal {deal}").format(
        heading=heading, deal=_plain(report.deal.name)
    )


def facts(report: network.BuyingCentreReport, shown: bc_reads.ReportTables) -> None:
    """Show coverage by role (gaps as gaps), the share of our effort, and the risks.

    ``shown``: the report's tables as shown (:func:`bc_reads.report_tables`).
    """
    breadth = report.breadth
    st.subheader(_for_deal(_("Coverage"), report))
    metrics = st.columns(3)
    metrics[0].metric(
        _("People touched"),
        _("{engaged} of {present}").format(
            engaged=breadth.contacts_engaged, present=breadth.contacts_present
        ),
        help=(
            _("People we touched in the window, of everyone in the account.")
            if report.deal is None or report.deal.names_nobody
            else _("People we touched in the window, of everyone named on the deal.")
        )
        + (
            " "
            + _("People who have left are not counted: {n} (faded on the map).").format(
                n=breadth.contacts_left
            )
            if breadth.contacts_left
            else ""
        ),
    )
    metrics[1].metric(
        _("Departments"),
        _("{engaged} of {present}").format(
            engaged=breadth.departments_engaged, present=breadth.departments_present
        ),
        help=_("Departments touched in the window, of those present."),
    )
    metrics[2].metric(
        _("Org levels"),
        _("{engaged} of {present}").format(
            engaged=breadth.levels_reached, present=breadth.levels_present
        ),
        help=_(
            "Depth in the reporting tree: level 1 is the top. Highest level we "
            "touched: {level}."
        ).format(level=breadth.top_level_reached or "–"),
    )
    if shown.gaps:
        st.warning("\n\n".join(shown.gaps))
    _table(
        shown.coverage,
        column_config={
            "role": _("Buying role"),
            "present": st.column_config.NumberColumn(_("People")),
            "engaged": st.column_config.NumberColumn(_("Touched by us")),
            "coverage": _("Coverage"),
        },
    )
    # built only when clicked: the safe CSV (formulas neutralised) cost about 10 ms
    # at every rerun when it was built with the page
    st.download_button(
        _("Download coverage (CSV)"),
        built_on_click(exports.to_csv_bytes, report.coverage),
        file_name="buying-centre-coverage.csv",
        mime="text/csv",
        key="bc_coverage_csv",
        on_click="ignore",
    )
    st.markdown("**" + _("Share of our effort in the window") + "**")
    _table(
        shown.effort,
        column_config={
            "function": _("With"),
            "touches": st.column_config.NumberColumn(_("Touches")),
            "minutes": st.column_config.NumberColumn(_("Minutes"), format="%.0f"),
            "touch_share": st.column_config.ProgressColumn(
                _("Share of touches"), min_value=0.0, max_value=1.0, format="percent"
            ),
            "minute_share": st.column_config.ProgressColumn(
                _("Share of minutes"), min_value=0.0, max_value=1.0, format="percent"
            ),
        },
    )
    st.subheader(_for_deal(_("Risks ({n})").format(n=report.risks.height), report))
    if shown.risks is not None:
        _table(
            shown.risks,
            column_config={
                "risk": _("Risk"),
                "name": _("Person"),
                "detail": _("Detail"),
            },
        )
    else:
        st.success(_("No relationship risk found in this window."))


def _table(frame: pl.DataFrame | pa.Table, column_config: dict[str, Any]) -> None:
    # Every table of the screen: full width, no row numbers, as Arrow.
    show_table(frame, column_config=column_config)


def _plain(text: object) -> str:
    # Data text inside markdown (a deal's name): its markup characters escaped.
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", str(text))


def reach_next(
    report: network.BuyingCentreReport, shown: bc_reads.ReportTables
) -> None:
    """Show whom to reach next, ranked (``shown``: the report's tables as shown)."""
    reach = shown.reach  # the IDs behind the names and the path left out
    st.subheader(_for_deal(_("Whom to reach next"), report))
    st.caption(
        _(
            "People we did not touch in the window, with influence of at least "
            "{n}, ranked by influence, role and staleness. The warm path starts from "
            "one of our champions or supporters and follows reporting lines and "
            "influence links; pick a person above to see it on the map."
        ).format(n=network.REACH_MIN_INFLUENCE)
    )
    if reach is None:
        st.success(_("Nobody influential is left untouched in this window."))
        return
    _table(
        reach,
        column_config={
            "rank": st.column_config.NumberColumn(_("Rank")),
            "name": _("Name"),
            "title": _("Title"),
            "department": _("Department"),
            "role": _("Buying role"),
            "influence": st.column_config.NumberColumn(_("Influence (1–5)")),
            "attitude": _("Attitude"),
            "days_since_touch": st.column_config.NumberColumn(
                _("Days since last touch"), format="%d"
            ),
            "score": st.column_config.NumberColumn(
                _("Priority"),
                format="%.1f",
                help=_("Influence × role weight, higher when the last touch is old."),
            ),
            "path": _("Warm path"),
        },
    )


_PEOPLE_COLUMNS = {
    "contact_id": N_("CRM ID"),
    "name": N_("Name"),
    "title": N_("Title"),
    "department": N_("Department"),
    "email": N_("Email"),
    "phone": N_("Phone"),
}


def _people_config() -> dict[str, Any]:
    config: dict[str, Any] = {key: _(label) for key, label in _PEOPLE_COLUMNS.items()}
    config.update(
        {
            "buying_role": choice_column(
                _("Buying role"), domain.BUYING_ROLES, terms.buying_role, required=False
            ),
            "influence": st.column_config.SelectboxColumn(
                _("Influence (1–5)"),
                options=list(
                    range(domain.INFLUENCE_RANGE[0], domain.INFLUENCE_RANGE[1] + 1)
                ),
                required=False,
            ),
            "attitude": choice_column(
                _("Attitude"), domain.ATTITUDES, terms.attitude, required=False
            ),
            "has_left": st.column_config.CheckboxColumn(
                _("Has left"),
                help=_(
                    "Ticked: the person has left the account (the CRM says so, or "
                    "you do). Kept with their history; no longer counted as "
                    "present, covered or reachable."
                ),
            ),
        }
    )
    return config


def people_editor(account_id: str, months: int, options: network.MapOptions) -> None:
    """Show the account's people: editable roles, influence and attitude for editors."""
    st.subheader(_("People"))
    actor = session.current_actor()
    filters = (
        account_id,
        months,
        options.departments,
        options.roles,
        options.contact_ids,
        actor,
    )
    if not access.can(actor, "edit"):
        st.info(
            _(
                "You are signed in as {role}: roles, influence, attitudes and who "
                "has left are read only. Ask an analyst or an admin to change them."
            ).format(role=actor.role)
        )
        _table(bc_reads.people_table(*filters), column_config=_people_config())
        return
    # the editor works on pandas: given the rows as pandas, kept per filter, it
    # no longer converts them there and back at every rerun
    edited = st.data_editor(
        bc_reads.people_editor_rows(*filters),
        key="contact_editor",
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        disabled=["contact_id", "name", "title", "department", "email", "phone"],
        column_config=_people_config(),
    )
    # compared with the table only when the editor holds edits (a rerun of
    # another control compared every row for nothing)
    edits = st.session_state.get("contact_editor") or {}
    changes = (
        network.contact_changes(bc_reads.people_table(*filters), pl.from_pandas(edited))
        if edits.get("edited_rows")
        else None
    )
    unsaved = 0 if changes is None else changes.height
    if unsaved:
        st.caption(_("{n} unsaved change(s).").format(n=unsaved))
    if (
        st.button(
            _("Save changes"), key="bc_save", type="primary", disabled=unsaved == 0
        )
        and changes is not None
    ):
        try:
            saved = actions.save_contact_edits(changes)
        except WorkbenchError as error:
            st.error(_("Nothing was saved: {error}").format(error=error))
        else:
            notify_after_rerun(
                _("Saved {n} change(s) as {name}; the map shows them.").format(
                    n=saved, name=actor.name
                )
            )
            del st.session_state["contact_editor"]
            st.rerun()


_EDIT_COLUMNS = {
    "edited_by": N_("By"),
    "name": N_("Person"),
    "field": N_("Field"),
    "old_value": N_("Before"),
    "new_value": N_("After"),
}


def edit_history(account_id: str) -> None:
    """Show the latest edits to the account's people."""
    # its table is built and sent only while the expander is open
    box = opened_expander(_("Edits to this account's people"), "bc_edits_open")
    if box is None:
        return
    with box:
        _table(
            reads.contact_edit_history(account_id),
            column_config={
                "edited_at": st.column_config.DatetimeColumn(
                    _("When (UTC)"), format="YYYY-MM-DD HH:mm"
                ),
                **{column: _(label) for column, label in _EDIT_COLUMNS.items()},
            },
        )
