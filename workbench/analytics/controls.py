"""The thresholds people move by hand: labels, ranges, steps and why each exists.

One description of every control, so that a notebook's sliders offer what the
Segments and Effort pages offer: the same limits, steps and explanations. The
labels and explanations are marked for translation and read in the language in
force through :meth:`Control.shown_label` and :meth:`Control.shown_help`. The
defaults are the dataclasses' own (:class:`~workbench.analytics.thresholds.Thresholds`,
:class:`~workbench.analytics.effort.MisallocationRules`).
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.i18n import N_, gettext


@dataclass(frozen=True)
class Control:
    """One number a person sets: which field, what it is called, its range."""

    field: str
    label: str
    low: float
    high: float
    step: float
    help: str = ""

    def shown_label(self) -> str:
        """Return the label in the language in force (the field keeps the English)."""
        # A literal % beside a letter reads as a printf placeholder to the
        # catalogue's checker, so the messages name it {percent}.
        return gettext(self.label).format(percent="%")

    def shown_help(self) -> str:
        """Return the explanation in the language in force ("" when there is none)."""
        return gettext(self.help).format(percent="%") if self.help else ""


#: The segmentation's main thresholds, in the order the Segments page lists them.
SEGMENT_CONTROLS: tuple[Control, ...] = (
    Control(
        "valuable_top_pct",
        N_("Most valuable: top {percent} of accounts"),
        0.0,
        100.0,
        1.0,
        N_(
            "The share of accounts, by lifetime value (or the 12-month contribution, "
            "see valuable_basis), that are most valuable."
        ),
    ),
    Control(
        "growable_top_pct",
        N_("Most growable: top {percent} of the rest by headroom"),
        0.0,
        100.0,
        1.0,
        N_("Of the accounts left, the share with the most headroom."),
    ),
    Control(
        "growth_headroom_weight_pct",
        N_("Most growable: weight of headroom in the growth score, %"),
        0.0,
        100.0,
        5.0,
        N_(
            "The rest is the signs the headroom can be won: open pipeline, revenue "
            "trend, deciders and approvers engaged, sentiment."
        ),
    ),
    Control(
        "hourly_cost",
        N_("Flat hourly cost (hours no seller role prices)"),
        0.0,
        1000.0,
        5.0,
        N_("Each seller role has an hourly cost of its own (Workbench.cost_rates)."),
    ),
    Control(
        "discount_rate_pct",
        N_("Lifetime value: discount rate % a year"),
        0.0,
        50.0,
        1.0,
        N_(
            "With the portfolio's measured retention r, a lifetime counts "
            "(1 + i) / (1 + i - r) years of contribution."
        ),
    ),
    Control(
        "default_margin_pct",
        N_("Default gross margin %"),
        0.0,
        100.0,
        0.5,
        N_("For accounts without a margin of their own."),
    ),
    Control(
        "wallet_share_of_revenue_pct",
        N_("Wallet when unknown: {percent} of the customer's revenue"),
        0.0,
        10.0,
        0.05,
    ),
    Control(
        "minutes_per_activity_without_duration",
        N_("Minutes assumed per activity without a duration"),
        0.0,
        480.0,
        5.0,
    ),
    Control(
        "relationship_threshold",
        N_("Partnership at a relationship score of at least"),
        0.0,
        100.0,
        1.0,
    ),
)

#: The Effort page's verdict rules (:class:`~workbench.analytics.effort.MisallocationRules`).
EFFORT_CONTROLS: tuple[Control, ...] = (
    Control("over_factor", N_("Over-invested above × the band's top"), 1.0, 5.0, 0.25),
    Control(
        "thin_factor", N_("Under-invested below × the band's bottom"), 0.0, 1.0, 0.05
    ),
    Control(
        "broad_share_pct",
        N_("Purchasing-only: too broad from % beyond purchasing"),
        0.0,
        100.0,
        5.0,
    ),
    Control(
        "executive_share_pct",
        N_("Purchasing-only: too broad from % with executives"),
        0.0,
        100.0,
        1.0,
    ),
    Control(
        "narrow_share_pct",
        N_("Broader models: too narrow below % beyond purchasing"),
        0.0,
        100.0,
        5.0,
    ),
)


def clamp(control: Control, value: float) -> float:
    """Return ``value`` within the control's range (a slider refuses values outside)."""
    return min(max(value, control.low), control.high)
