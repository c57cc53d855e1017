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
        N_("The share of accounts, by contribution, that are most valuable."),
    ),
    Control(
        "growable_top_pct",
        N_("Most growable: top {percent} of the rest by headroom"),
        0.0,
        100.0,
        1.0,
        N_("Of the accounts left, the share with the most headroom."),
    ),
    Control("hourly_cost", N_("Hourly cost of our time"), 0.0, 1000.0, 5.0),
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

#: The Effort page's misallocation rules.
EFFORT_CONTROLS: tuple[Control, ...] = (
    Control(
        "over_factor",
        N_("Over-served at × the hours the margin justifies"),
        1.0,
        10.0,
        0.5,
    ),
    Control(
        "thin_factor",
        N_("Under-served at × the hours the margin justifies"),
        0.0,
        1.0,
        0.05,
    ),
    Control("shrink_pct", N_("… or hours shrinking by at least %"), 0.0, 100.0, 5.0),
    Control(
        "broad_share_pct",
        N_("Transactional: hours beyond purchasing, at least %"),
        0.0,
        100.0,
        5.0,
    ),
    Control(
        "executive_share_pct",
        N_("Transactional: hours with executives, at least %"),
        0.0,
        100.0,
        1.0,
    ),
)


def clamp(control: Control, value: float) -> float:
    """Return ``value`` within the control's range (a slider refuses values outside)."""
    return min(max(value, control.low), control.high)
