"""The Segments page's economics inputs: hourly costs, wallet shares, one account's costs.

Rendered from the Segments screen by one call (:func:`economics_section`): the
retention the lifetime values rest on, the editable hourly cost per seller role or
team, the wallet share of revenue per industry, and one account's cost to serve
line by line with its wallet estimate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import streamlit as st

from workbench import ingest
from workbench.analytics import segment
from workbench.analytics.cost import cost_breakdown
from workbench.analytics.economics import DIRECT_COST_COLUMNS
from workbench.analytics.retention import retention_from_features
from workbench.app import actions, reads, segment_reads
from workbench.app.components import (
    opened_expander,
    pick_account,
    save_then_rerun,
    show_table,
)
from workbench.app.language import _, format_money, format_number
from workbench.i18n import N_

if TYPE_CHECKING:
    from datetime import date

#: The seller roles as the cost table names them.
ROLE_LABELS: dict[str, str] = {
    "executive": N_("Executive"),
    "key_account_manager": N_("Key account manager"),
    "field_sales": N_("Field sales"),
    "inside_sales": N_("Inside sales"),
    "presales": N_("Presales / solution engineer"),
    "service": N_("Service"),
}
#: Which rates priced an account's hours (``cost_basis``), in words.
COST_BASIS_LABELS: dict[str, str] = {
    "role_rates": N_("every hour at its seller's role or team rate"),
    "flat_rate": N_("every hour at the flat hourly cost (no role known)"),
    "mixed": N_("hours at role rates, the rest at the flat hourly cost"),
    "none": N_("no hours logged"),
}
#: Where the lifetime value's years come from (``remaining_years_source``).
YEARS_SOURCE_LABELS: dict[str, str] = {
    "contract": N_("the years left on the contract in force"),
    "measured": N_("the portfolio's measured retention"),
    "option": N_("the option: retention not measurable"),
}
#: Where the potential comes from (``potential_source``).
POTENTIAL_LABELS: dict[str, str] = {
    "edited_estimate": N_("wallet estimated by hand"),
    "wallet_estimate": N_("imported wallet estimate"),
    "industry_share": N_("the industry's share of the customer's revenue"),
    "default_share": N_("the default share of the customer's revenue"),
}


def _label(labels: dict[str, str], value: object) -> str:
    return _(labels[str(value)]) if str(value) in labels else "–"


#: Accounts the warning on wallets below revenue names, the widest gaps first.
WALLET_NAMES_SHOWN = 5
#: Industries listed for a wallet share (the largest first); the API sets any.
INDUSTRY_ROWS = 30
ACCOUNT_CHOICES = 500


def _rate_label(rate_key: str, kind: str) -> str:
    if kind == "role" and rate_key in ROLE_LABELS:
        return _(ROLE_LABELS[rate_key])
    return _("Team “{team}”").format(team=rate_key)


def cost_rates_form(
    thresholds: segment.Thresholds, currency: str, may_edit: bool
) -> None:
    """Show the hourly cost per seller role and team, editable in one form."""
    rates = reads.cost_rates()
    st.caption(
        _(
            "Each logged hour costs its seller's rate: the role comes from the "
            "seller's team and title; a team can have a rate of its own. Sellers "
            "whose role nobody can tell, and activities naming no seller, cost the "
            "flat hourly cost ({flat}). Defaults: rough fully loaded costs (salary, "
            "on-costs, travel, tools over about 1,600 working hours a year); set "
            "your own."
        ).format(flat=format_money(thresholds.hourly_cost, currency))
    )
    with st.form("econ_rates_form"):
        entered: dict[str, tuple[float, float | None]] = {}
        for row in rates.iter_rows(named=True):
            key = str(row["rate_key"])
            default = row["default_cost"]
            help_text = _("{sellers} sellers; default {default}").format(
                sellers=format_number(row["sellers"]),
                default=format_money(default, currency) if default is not None else "–",
            )
            value = st.number_input(
                f"{_rate_label(key, str(row['kind']))} ({currency}/h)",
                min_value=0.0,
                max_value=100_000.0,
                value=float(row["hourly_cost"]),
                step=5.0,
                help=help_text,
                key=f"econ_rate_{key}",
            )
            entered[key] = (value, default)
        cols = st.columns([3, 2])
        team = cols[0].text_input(
            _("Add a rate for one team (its exact name)"),
            key="econ_rate_team",
            max_chars=200,
        )
        team_cost = cols[1].number_input(
            _("Its hourly cost ({currency})").format(currency=currency),
            min_value=0.0,
            max_value=100_000.0,
            value=None,
            step=5.0,
            key="econ_rate_team_cost",
        )
        saved = st.form_submit_button(_("Save hourly costs"), disabled=not may_edit)
    if not saved:
        return

    def save() -> None:
        current = dict(zip(rates["rate_key"], rates["hourly_cost"], strict=True))
        for key, (value, default) in entered.items():
            if value != current.get(key):
                # a role back at its default keeps no edit of its own
                actions.set_cost_rate(key, None if value == default else value)
        if team.strip() and team_cost is not None:
            actions.set_cost_rate(team, team_cost)

    save_then_rerun(save, _("Hourly costs saved."))


def industry_shares_form(thresholds: segment.Thresholds, may_edit: bool) -> None:
    """Show the wallet share of revenue per industry, editable in one form."""
    shares = reads.industry_wallet_shares().head(INDUSTRY_ROWS)
    st.caption(
        _(
            "Where no wallet estimate is known, an account's potential is this "
            "percentage of its annual revenue; empty: the default, {default} percent (the sidebar's "
            "“Wallet when unknown”)."
        ).format(default=f"{thresholds.wallet_share_of_revenue_pct:g}")
    )
    if shares.height == 0:
        st.caption(_("No industries on the accounts yet."))
        return
    with st.form("econ_industry_form"):
        entered: dict[str, float | None] = {}
        for i, row in enumerate(shares.iter_rows(named=True)):
            entered[str(row["industry"])] = st.number_input(
                _("{industry} ({accounts} accounts): percentage of revenue").format(
                    industry=row["industry"], accounts=format_number(row["accounts"])
                ),
                min_value=0.0,
                max_value=100.0,
                value=row["share_of_revenue_pct"],
                step=0.05,
                format="%.2f",
                key=f"econ_industry_{i}",
            )
        saved = st.form_submit_button(_("Save wallet shares"), disabled=not may_edit)
    if not saved:
        return

    def save() -> None:
        current = dict(
            zip(shares["industry"], shares["share_of_revenue_pct"], strict=True)
        )
        for industry, share in entered.items():
            if share != current.get(industry):
                actions.set_industry_wallet_share(industry, share)

    save_then_rerun(save, _("Wallet shares saved."))


def account_costs(
    segments: pl.DataFrame,
    table: pl.DataFrame,
    thresholds: segment.Thresholds,
    as_of: date,
    currency: str,
    may_edit: bool,
) -> None:
    """Show one account's cost to serve line by line, and its wallet estimate."""
    account_id = pick_account(table, ACCOUNT_CHOICES, "econ_account")
    if account_id is None:
        return
    row = segments.filter(pl.col("account_id") == account_id).row(0, named=True)
    cols = st.columns(4)
    cols[0].metric(
        _("Cost to serve, 12 months"), format_money(row["cost_to_serve"], currency)
    )
    cols[1].metric(_("Contribution"), format_money(row["contribution"], currency))
    cols[2].metric(_("Lifetime value"), format_money(row["lifetime_value"], currency))
    cols[3].metric(_("Potential"), format_money(row["potential"], currency))
    st.caption(
        _(
            "Hours: {basis}. Lifetime value = contribution × {years} years ({source}). "
            "Potential: {potential}."
        ).format(
            basis=_label(COST_BASIS_LABELS, row["cost_basis"]),
            years=format_number(row["remaining_years"], 1),
            source=_label(YEARS_SOURCE_LABELS, row["remaining_years_source"]),
            potential=_label(POTENTIAL_LABELS, row["potential_source"]),
        )
    )
    direct = {
        label: row.get(column)
        for column, label in DIRECT_COST_COLUMNS.items()
        if column in row
    }
    lines = cost_breakdown(reads.effort_by_rate(account_id, as_of), direct, thresholds)
    show_table(
        lines,
        column_config={
            "line": st.column_config.TextColumn(_("Line")),
            "kind": None,
            "activities": st.column_config.NumberColumn(_("Activities")),
            "hours": st.column_config.NumberColumn(_("Hours"), format="%,.1f"),
            "hourly_cost": st.column_config.NumberColumn(
                _("Hourly cost ({currency})").format(currency=currency),
                format="%,.0f",
            ),
            "cost": st.column_config.NumberColumn(
                _("Cost ({currency})").format(currency=currency), format="%,.0f"
            ),
            "basis": st.column_config.TextColumn(_("Basis")),
        },
        key="econ_breakdown_table",
    )
    wallet_form(account_id, currency, may_edit)


def wallet_form(account_id: str, currency: str, may_edit: bool) -> None:
    """Let a workshop estimate the account's wallet by hand (or forget it)."""
    edited = reads.wallet_estimates().filter(pl.col("account_id") == account_id)
    known = edited.row(0, named=True) if edited.height else {}
    with st.form(f"econ_wallet_form_{account_id}"):
        cols = st.columns([2, 3])
        wallet = cols[0].number_input(
            _("Wallet a year ({currency}), estimated by hand").format(
                currency=currency
            ),
            min_value=0.0,
            value=known.get("wallet_estimate"),
            step=10_000.0,
            key=f"econ_wallet_{account_id}",
        )
        note = cols[1].text_input(
            _("Where the estimate comes from"),
            value=known.get("note") or "",
            max_chars=500,
            key=f"econ_wallet_note_{account_id}",
        )
        saved = st.form_submit_button(
            _("Save the wallet (empty: forget it)"), disabled=not may_edit
        )
    if saved:
        save_then_rerun(
            lambda: actions.set_wallet_estimate(account_id, wallet, note),
            _("Wallet estimate saved."),
        )


def economics_section(
    features: pl.DataFrame,
    accounts: segment_reads.FilteredAccounts,
    thresholds: segment.Thresholds,
    as_of: date,
    may_edit: bool,
) -> None:
    """Show the economics' inputs: retention, hourly costs, wallet shares, one account.

    ``accounts``: the accounts table's (the one-account picker lists them).
    """
    currency = reads.portfolio_currency()
    st.subheader(_("Cost to serve, lifetime value and wallets"))
    retention = retention_from_features(features, thresholds)
    if retention.source == "measured" and retention.rate is not None:
        st.caption(
            _(
                "Lifetime value counts {years} years: retention {rate} % measured "
                "({retained} of {account_years} accounts with revenue in a year kept "
                "it the next, {pairs} pairs of years; at most {horizon} years)."
            ).format(
                years=format_number(retention.expected_years, 1),
                rate=format_number(retention.rate * 100),
                retained=format_number(retention.retained),
                account_years=format_number(retention.account_years),
                pairs=retention.year_pairs,
                horizon=f"{thresholds.lifetime_horizon_years:g}",
            )
        )
    else:
        st.caption(
            _(
                "Lifetime value counts {years} years, the option: {account_years} "
                "account-years of revenue history are too few to measure retention "
                "(at least {needed})."
            ).format(
                years=f"{retention.expected_years:g}",
                account_years=format_number(retention.account_years),
                needed=f"{thresholds.retention_min_accounts:g}",
            )
        )
    below = segment_reads.accounts_above_wallet(as_of, thresholds)
    if below.height:
        # names are the CRM's: shown as typed, never as Markdown
        names = ", ".join(
            ingest.markdown_safe(str(name))
            for name in below["name"].head(WALLET_NAMES_SHOWN).to_list()
        )
        st.warning(
            _(
                "{count} of {accounts} accounts buy more from us than their wallet "
                "(its estimate, else the customer's revenue × the share below): "
                "their share of wallet and their headroom are unknown and left out, "
                "so none of them can be most growable. A wallet estimate gone "
                "stale, or customers' revenue exported in thousands or millions, "
                "does this."
            ).format(
                count=format_number(below.height),
                accounts=format_number(accounts.segments.height),
            )
            + " "
            + _("The widest gaps: {names}.").format(names=names)
        )
    # Built only while open: a slider move does not rebuild their dozens of inputs.
    box = opened_expander(
        _("One account's cost to serve and wallet"), "econ_costs_open"
    )
    if box is not None:
        with box:
            account_costs(
                accounts.segments,
                accounts.best_first,
                thresholds,
                as_of,
                currency,
                may_edit,
            )
    box = opened_expander(_("Hourly cost per seller role or team"), "econ_rates_open")
    if box is not None:
        with box:
            cost_rates_form(thresholds, currency, may_edit)
    box = opened_expander(_("Wallet share of revenue per industry"), "econ_shares_open")
    if box is not None:
        with box:
            industry_shares_form(thresholds, may_edit)
