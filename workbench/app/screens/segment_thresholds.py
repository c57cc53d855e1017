"""The Segments screen's thresholds: the sidebar's sliders, their defaults, scenarios.

Every threshold lives in a widget of the session (``THRESHOLD_KEYS``), so that a
saved scenario loads into the same widgets a person moves.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from workbench.analytics import segment
from workbench.app import reads
from workbench.app.components import opened_expander
from workbench.i18n import N_
from workbench.i18n import gettext as _

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
#: Each number threshold's default, by its widget's key.
_DEFAULT_OF_KEY: dict[str, float] = {
    key: float(value)
    for field, key in THRESHOLD_KEYS.items()
    if isinstance(value := getattr(DEFAULTS, field), int | float)
}
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


def portfolio_currency() -> str:
    """Return the portfolio's currency (ISO code) that every amount shown is in."""
    # Cached per data version: the page asks for it several times a rerun, and
    # each uncached call opened the database file.
    return reads.portfolio_currency()


def init_thresholds() -> None:
    """Give every threshold widget its default on the session's first run.

    The cost and value assumptions, the score's weights and full points are
    drawn only while their expander is open, and a widget not drawn in a run
    loses its value: theirs (:data:`DRAWN_WHEN_OPEN`) are written back into the
    session at every run, so they outlive the runs without them.
    """
    for field, key in THRESHOLD_KEYS.items():
        if key in DRAWN_WHEN_OPEN:
            st.session_state[key] = st.session_state.get(key, getattr(DEFAULTS, field))
        else:
            st.session_state.setdefault(key, getattr(DEFAULTS, field))


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


def sidebar(currency: str) -> date:
    """Show the as-of day and every threshold (in the session's widgets); return the day.

    ``currency``: the portfolio's (:func:`portfolio_currency`), which amounts are in.
    """
    with st.sidebar:
        st.subheader(_("Thresholds"))
        as_of = st.date_input(
            _("As of"),
            value=reads.segment_as_of(),
            key="seg_as_of",
            help=_(
                "Won revenue, effort and engagement cover the 12 months up to this day."
            ),
        )
        _value_basis()
        mode = st.radio(
            _("Most valuable by"),
            ["percent", "absolute"],
            key="seg_mode",
            horizontal=True,
            format_func=lambda m: (
                _("top share") if m == "percent" else _("contribution floor")
            ),
        )
        _slider(
            "seg_top_pct",
            _("Most valuable: top {percent} of accounts").format(percent="%"),
            1.0,
            disabled=mode != "percent",
        )
        st.number_input(
            _("Most valuable: contribution at least ({currency})").format(
                currency=currency
            ),
            step=50_000.0,
            key="seg_min_contribution",
            disabled=mode != "absolute",
        )
        _slider(
            "seg_growable_pct",
            _("Most growable: top {percent} of the rest by headroom").format(
                percent="%"
            ),
            1.0,
        )
        _economics_sliders(currency)
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
    _slider(
        "seg_growth_headroom_weight",
        _("Most growable: weight of headroom in the growth score, %"),
        5.0,
        _(
            "The rest is the signs the headroom can be won: open pipeline, "
            "revenue trend, deciders and approvers engaged, sentiment."
        ),
    )


def _slider(
    key: str,
    label: str,
    step: float,
    help: str | None = None,
    *,
    disabled: bool = False,
) -> None:
    # a threshold's slider, over its limits (0–100 unless SLIDER_LIMITS says).
    # The session's value wins over ``value`` (init_thresholds sets every key
    # first); given, it spares Streamlit a copy of the whole session state per
    # slider, which it makes to tell a range slider from a single one.
    low, high = SLIDER_LIMITS.get(key, (0.0, 100.0))
    st.slider(
        label,
        low,
        high,
        value=_DEFAULT_OF_KEY[key],
        step=step,
        key=key,
        help=help,
        disabled=disabled,
    )


def _economics_sliders(currency: str) -> None:
    """Show the sliders of what serving an account costs and what it is worth.

    The six assumptions are drawn only while their expander is open (opening it
    reruns the page): six sliders fewer to build and send at every move of a
    top share. The two relationship thresholds stay in sight, as the top shares.
    """
    box = opened_expander(_("Cost and value assumptions"), "seg_economics_open")
    if box is not None:
        with box:
            _assumption_sliders(currency)
    _slider(
        "seg_target_threshold",
        _("Aim for a partnership at a target score of at least"),
        1.0,
        _(
            "The target score rates the buying situation (workshop ratings, "
            "contract length, value, wallet) over the signals that are known."
        ),
    )
    _slider(
        "seg_rel_threshold",
        _("Observed partnership at a relationship score of at least"),
        1.0,
    )


def _assumption_sliders(currency: str) -> None:
    # what an hour costs, the margin, wallet, minutes, term and years assumed
    _slider(
        "seg_hourly_cost",
        _("Hourly cost of our time ({currency})").format(currency=currency),
        5.0,
    )
    _slider(
        "seg_default_margin",
        _("Default gross margin %"),
        0.5,
        _("For accounts without a margin of their own."),
    )
    _slider(
        "seg_wallet_share",
        _("Wallet when unknown: {percent} of the customer's revenue").format(
            percent="%"
        ),
        0.05,
    )
    _slider(
        "seg_minutes_without_duration",
        _("Minutes assumed per activity without a duration"),
        5.0,
    )
    _slider(
        "seg_default_term",
        _("Contract term where none is known, months"),
        1.0,
        _(
            "A won deal's amount is spread over its contract's term; deals "
            "without a known contract over this many months."
        ),
    )
    _slider(
        "seg_remaining_years",
        _("Expected remaining years (lifetime value)"),
        0.5,
        _(
            "Lifetime value = contribution × the years left on the contract "
            "in force, at least this many."
        ),
    )


#: The relationship score's weights (each 0–100 points), by widget key.
SCORE_WEIGHTS: dict[str, str] = {
    "seg_w_tenure": N_("Tenure"),
    "seg_w_share_of_wallet": N_("Share of wallet"),
    "seg_w_breadth": N_("Breadth (departments)"),
    "seg_w_executive": N_("Executive engagement"),
    "seg_w_contract": N_("Contract"),
    "seg_w_joint": N_("Joint activity"),
}
#: Where each signal earns its full points: key → (label, lowest, highest, step).
FULL_POINTS: dict[str, tuple[str, float, float, float]] = {
    "seg_full_tenure": (N_("Years a customer"), 0.5, 50.0, 0.5),
    "seg_full_share_of_wallet": (N_("{percent} of the wallet won"), 1.0, 100.0, 1.0),
    "seg_full_breadth": (N_("Departments engaged"), 1.0, 50.0, 1.0),
    "seg_full_executive": (N_("Executives engaged"), 1.0, 50.0, 1.0),
    "seg_full_joint": (N_("Joint planning sessions or workshops"), 1.0, 200.0, 1.0),
}


#: The threshold widgets drawn only while their expander is open (their values
#: are kept in the session between the runs that do not draw them).
DRAWN_WHEN_OPEN: frozenset[str] = frozenset(
    {
        *SLIDER_LIMITS,
        *SCORE_WEIGHTS,
        *FULL_POINTS,
    }
)


def _score_settings() -> None:
    # Built only while open (opening one reruns the page): eleven inputs fewer to
    # build and send at every move of a slider above.
    box = opened_expander(_("Relationship score weights"), "seg_weights_open")
    if box is not None:
        with box:
            for key, label in SCORE_WEIGHTS.items():
                st.number_input(_(label), 0.0, 100.0, step=1.0, key=key)
    box = opened_expander(_("Full points at"), "seg_full_points_open")
    if box is not None:
        with box:
            for key, (label, low, high, step) in FULL_POINTS.items():
                st.number_input(
                    _(label).format(percent="%"), low, high, step=step, key=key
                )
    st.button(_("Back to the defaults"), key="seg_reset", on_click=reset_thresholds)
