"""The Effort page's what-if: move hours, or add or remove sellers.

It shows the cost, the verdicts that change and the effect on contribution under
the user's assumption (never a forecast).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Final

import polars as pl
import streamlit as st

from workbench.analytics import effort
from workbench.app import drawn, effort_reads
from workbench.app.components import TABLE_ROWS, download_pair, opened_expander
from workbench.app.language import _, format_money, format_number
from workbench.app.screens.effort import (
    GROUPING_TITLES,
    Choices,
    hours_columns,
    in_words,
    money_column,
    shown_table,
    verdict_columns,
)
from workbench.i18n import N_

MODES = {
    "move": N_("Move hours"),
    "add": N_("Add sellers"),
    "remove": N_("Remove sellers"),
}
#: The assumptions' sources as the page shows them (the analytics' constants say
#: the same in English for notebooks and the command line).
RESPONSE_SOURCE = N_(
    "a starting assumption of the workbench, not a measurement: set it from your "
    "own history of hours and won margin"
)
HOURS_PER_SELLER_SOURCE = N_(
    "about 28 percent of a 2,000-hour working year is spent selling (Salesforce, "
    "State of Sales, 2022)"
)
SEGMENT_TITLES = {
    "most_valuable": N_("Most valuable"),
    "most_growable": N_("Most growable"),
    "maintain": N_("Maintain"),
    "below_zero": N_("Below zero"),
    "no_data": N_("No data"),
}


#: Each input of the what-if keeps its value while its expander is closed (and so
#: not drawn), for as long as the reader stays on the page.
KEPT: Final = "page"


def _response() -> dict[str, float]:
    # drawn only while open; closed, the values set (or the defaults) still count
    box = opened_expander(
        _("Assumption: margin an hour returns, by segment"), "eff_response_open"
    )
    if box is None:
        return {
            name: float(st.session_state.get(f"eff_response_{name}", default))
            for name, default in effort.DEFAULT_RESPONSE.items()
        }
    with box:
        st.caption(
            _(
                "A multiple of what the hour costs; the same is lost per hour taken "
                "away. Default: {source}."
            ).format(source=_(RESPONSE_SOURCE))
        )
        cols = st.columns(len(SEGMENT_TITLES))
        return {
            name: float(
                cols[i].number_input(
                    _(title),
                    min_value=0.0,
                    max_value=10.0,
                    value=effort.DEFAULT_RESPONSE[name],
                    step=0.25,
                    key=f"eff_response_{name}",
                    persist_state=KEPT,
                )
            )
            for i, (name, title) in enumerate(SEGMENT_TITLES.items())
        }


def what_if_section(choices: Choices, currency: str) -> None:
    """Project moving, adding or removing capacity; label every result an assumption.

    Built only while its expander is open: nothing else on the page reads it, and
    its twenty-odd elements cost every rerun of a page whose reader left it closed.
    Its inputs keep their values while it is closed.
    """
    box = opened_expander(_("What if we moved capacity?"), "eff_whatif_open")
    if box is None:
        return
    with box:
        _what_if(choices, currency)


def _what_if(choices: Choices, currency: str) -> None:
    judging = choices.judging(currency)
    top = st.columns(3)
    mode = top[0].radio(
        _("Change"),
        list(MODES),
        format_func=lambda m: _(MODES[m]),
        key="eff_whatif_mode",
        persist_state=KEPT,
    )
    grouping = top[1].selectbox(
        _("Groups"),
        [*effort.GROUPINGS, effort.ACCOUNT_GROUPING],
        format_func=lambda g: _(GROUPING_TITLES[g]),
        key="eff_whatif_by",
        persist_state=KEPT,
    )
    names = effort_reads.group_names(*judging, grouping)
    options = list(names)
    source: str | None
    target: str | None
    if mode == "move":
        source = top[2].selectbox(
            _("Move hours from"),
            options,
            format_func=names.__getitem__,
            key="eff_whatif_from",
            persist_state=KEPT,
        )
        target = top[2].selectbox(
            _("to"),
            options,
            index=min(1, len(options) - 1),
            format_func=names.__getitem__,
            key="eff_whatif_to",
            persist_state=KEPT,
        )
        hours = float(
            top[2].number_input(
                _("Hours a year"),
                min_value=0.0,
                value=200.0,
                step=50.0,
                key="eff_whatif_hours",
                persist_state=KEPT,
            )
        )
    else:
        sellers = int(
            top[2].number_input(
                _("Sellers"),
                min_value=0,
                value=1,
                step=1,
                key="eff_whatif_sellers",
                persist_state=KEPT,
            )
        )
        each = float(
            top[2].number_input(
                _("Hours with customers per seller a year"),
                min_value=0.0,
                value=effort.DEFAULT_HOURS_PER_SELLER,
                step=50.0,
                key="eff_whatif_seller_hours",
                persist_state=KEPT,
                help=_("Default: {source}.").format(source=_(HOURS_PER_SELLER_SOURCE)),
            )
        )
        group = top[2].selectbox(
            _("Their hours go to") if mode == "add" else _("Their hours come from"),
            options,
            format_func=names.__getitem__,
            key="eff_whatif_group",
            persist_state=KEPT,
        )
        hours = sellers * each
        source, target = (None, group) if mode == "add" else (group, None)
    response = _response()
    # cached on every input: a move of a verdict rule back to a value seen, or of
    # another section's control, projects nothing again
    projected, change = effort_reads.capacity_move(
        judging, grouping, source, target, hours, response
    )
    assumed = tuple(response.items())
    key = ("what_if_table", judging, grouping, source, target, hours, assumed)
    _show(key, projected, change, currency)


def _show(
    key: tuple[Hashable, ...],
    projected: pl.DataFrame,
    change: effort.CapacityChange,
    currency: str,
) -> None:
    st.warning(
        _(
            "An assumption, not a forecast: hours leave a group in proportion to its "
            "accounts' hours and reach a group in proportion to the hours their "
            "service model deserves; revenue response is the assumption above."
        )
    )
    cols = st.columns(4)
    cols[0].metric(_("Hours moved"), format_number(change.hours_moved))
    cols[1].metric(_("Cost change a year"), format_money(change.cost_change, currency))
    cols[2].metric(
        _("Assumed contribution change"),
        format_money(change.assumed_contribution_change, currency),
    )
    cols[3].metric(_("Accounts whose verdict changes"), change.verdicts_changed)
    moved = projected.filter(pl.col("hours_change") != 0)
    # the largest changes first (as projected); a browser table of thousands of
    # rows costs every rerun, and the download carries them all; kept as Arrow
    # per what-if (``key``), since a move of another section changes nothing here
    shown = drawn.table(
        key,
        lambda: moved.head(TABLE_ROWS).select(
            "name",
            "effort_hours",
            "projected_hours",
            "hours_change",
            "cost_change",
            "assumed_contribution_change",
            *in_words("investment", "projected_investment"),
        ),
    )
    shown_table(shown, column_config={
            **verdict_columns(),
            **hours_columns(),
            "cost_change": money_column(_("Cost change"), currency),
            "assumed_contribution_change": money_column(_("Assumed contribution change"), currency),
            "investment": st.column_config.TextColumn(_("Investment now")),
            "projected_investment": st.column_config.TextColumn(_("Investment after")),
        })  # fmt: skip
    if moved.height > TABLE_ROWS:
        st.caption(
            _(
                "The {rows} largest changes of {total} accounts; the downloads hold "
                "every row."
            ).format(rows=format_number(TABLE_ROWS), total=format_number(moved.height))
        )
    download_pair(projected, "what-if", "eff_whatif")
