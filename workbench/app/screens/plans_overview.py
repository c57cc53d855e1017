"""The Account-plans page's leaders' overview.

Plans missing by value, overdue actions and every account's plan, each table its
first rows with a CSV of all; the plan history's table shares their columns.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import polars as pl
import streamlit as st

from workbench import charts, plans, terms
from workbench.app import drawn, reads
from workbench.app.components import csv_download, first_rows_caption, show_table
from workbench.app.language import _, format_day, format_number
from workbench.i18n import N_

if TYPE_CHECKING:
    from datetime import date

#: Headers of the overview's tables, by column (marked for translation).
_OVERVIEW_COLUMNS: dict[str, str] = {
    "account_id": N_("CRM ID"),
    "name": N_("Account"),
    "account": N_("Account"),
    "account_name": N_("Account"),
    "segment": N_("Segment"),
    "industry": N_("Industry"),
    "region": N_("Region"),
    "owner": N_("Owner"),
    "plan_state": N_("Plan"),
    "plan_status": N_("Plan status"),
    "plan_version": N_("Version"),
    "plan_saved_by": N_("Saved by"),
    "objectives": N_("Objectives"),
    "open_actions": N_("Open actions"),
    "overdue_actions": N_("Overdue actions"),
    "accounts": N_("Accounts"),
    "current_plans": N_("Current plans"),
    "stale_plans": N_("Stale plans"),
    "no_plan": N_("Without a plan"),
    "draft": N_("Drafts"),
    "agreed": N_("Agreed"),
    "under_review": N_("Under review"),
    "contact": N_("Person"),
    "contact_name": N_("Person"),
    "action": N_("Action"),
    "status": N_("Status"),
    "buying_role": N_("Buying role"),
    "title": N_("Title"),
    "influence": N_("Influence (1–5)"),
    "score": N_("NPS score"),
    "comment": N_("Comment"),
    "note": N_("Note"),
    "version": N_("Version"),
    "saved_by": N_("Saved by"),
    "based_on": N_("Based on version"),
}


def overview_config(currency: str) -> dict[str, Any]:
    """Return the column configuration of the overview's tables: words, dates, money."""
    config: dict[str, Any] = {
        column: _(label) for column, label in _OVERVIEW_COLUMNS.items()
    }
    config.update(
        {
            "contribution": st.column_config.NumberColumn(
                _("Contribution ({currency})").format(currency=currency),
                format="localized",
                help=_("Margin less the cost to serve, last 12 months."),
            ),
            "plan_saved_at": st.column_config.DatetimeColumn(
                _("Last saved (UTC)"), format="YYYY-MM-DD"
            ),
            "saved_at": st.column_config.DatetimeColumn(
                _("Saved (UTC)"), format="YYYY-MM-DD HH:mm"
            ),
            "due_on": st.column_config.DateColumn(_("Due"), format="YYYY-MM-DD"),
            "responded_on": st.column_config.DateColumn(
                _("Answered"), format="YYYY-MM-DD"
            ),
            "days_overdue": st.column_config.NumberColumn(_("Days overdue")),
            "last_touch": st.column_config.DateColumn(
                _("Our last touch"), format="YYYY-MM-DD"
            ),
            "response_id": None,
            "contact_id": None,
        }
    )
    return config


#: A plan's state in the overview's cells (the chart's legend says the same words).
_PLAN_STATES: dict[str, str] = {
    "current": N_("current"),
    "stale": N_("stale"),
    "no plan": N_("no plan"),
}


def in_words(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with our codes (most_valuable, under_review, decider) as words."""
    coded = [c for c in ("segment", "plan_status", "status") if c in frame.columns]
    if "contribution" in frame.columns:  # money in whole units
        frame = frame.with_columns(pl.col("contribution").round(0))
    # a follow-up's or an action's status (open, done) too; the plans' own
    # words win where both name a code
    words = {k: _(v) for k, v in {**terms.STATUSES, **plans.CODE_WORDS}.items()}
    frame = frame.with_columns(pl.col(c).replace(words) for c in coded)
    if "buying_role" in frame.columns:  # a person's role: decider, approver, …
        frame = frame.with_columns(
            pl.col("buying_role").replace(
                {code: terms.buying_role(code) for code in terms.BUYING_ROLES}
            )
        )
    if "plan_state" in frame.columns:  # current, stale, no plan: as the chart says
        frame = frame.with_columns(
            pl.col("plan_state").replace({k: _(v) for k, v in _PLAN_STATES.items()})
        )
    return frame


#: Rows each leaders' table shows (those to act on come first); the CSV holds all.
#: At 10,000 accounts the tables held 30,000 rows, sent at every visit of the page.
LEADERS_TABLE_ROWS = 200


def _leaders_table(
    frame: pl.DataFrame, key: str, config: dict[str, Any], today: date
) -> None:
    # its first rows in words, made once per day and data version (``key``
    # names the table: the frame is the same for the same day)
    shown = drawn.table(
        (key, today, LEADERS_TABLE_ROWS),
        lambda: in_words(frame.head(LEADERS_TABLE_ROWS)),
    )
    show_table(shown, key=key, column_config=config)
    first_rows_caption(frame.height, LEADERS_TABLE_ROWS)


def leaders_overview() -> None:
    """Show the leaders' overview: missing plans by value, overdue actions, accounts."""
    with st.spinner(_("Gathering every plan…")):
        overview = reads.plans_overview()
    config = overview_config(reads.portfolio_currency())
    cols = st.columns(3)
    cols[0].metric(
        _("Accounts without a current plan"), format_number(overview.missing.height)
    )
    cols[1].metric(_("Overdue actions"), format_number(overview.overdue.height))
    cols[2].metric(_("Plans agreed"), format_number(overview.agreed_plans))
    drawn.altair_chart(
        ("plans_overview_chart", overview.today),
        lambda: charts.overview_chart(
            replace(overview, summary=in_words(overview.summary))
        ),
        width="stretch",
    )
    if overview.segments_pending:
        st.caption(_("Segments will show once the segmentation is available."))
    st.markdown(
        "**"
        + _("Accounts without a current plan, most valuable first")
        + "** · "
        + _("current: saved within {days} days").format(days=plans.STALE_AFTER_DAYS)
    )
    _leaders_table(overview.missing, "plans_overview_missing", config, overview.today)
    csv_download(
        overview.missing,
        _("Accounts without a current plan (CSV)"),
        f"accounts-without-plan-{overview.today}.csv",
        "plans_overview_download_missing",
    )
    st.markdown(
        "**"
        + _("Overdue actions")
        + "** · "
        + _("open and due before {day}").format(day=format_day(overview.today))
    )
    if overview.overdue.height == 0:
        st.caption(_("No action is overdue."))
    _leaders_table(overview.overdue, "plans_overview_overdue", config, overview.today)
    csv_download(
        overview.overdue,
        _("Overdue actions (CSV)"),
        f"overdue-plan-actions-{overview.today}.csv",
        "plans_overview_download",
    )
    followups = reads.detractor_followups(overview.today)
    overdue_followups = followups.filter(pl.col("overdue")).drop("overdue")
    st.markdown(
        "**"
        + _("Overdue detractor follow-ups ({n})").format(
            n=format_number(overdue_followups.height)
        )
        + "** · "
        + _(
            "deciders and approvers whose latest NPS answer was 0–6, not called "
            "back by the due date; set owners on the Voice of the customer page"
        )
    )
    _leaders_table(
        overdue_followups, "plans_overview_followups", config, overview.today
    )
    csv_download(
        overdue_followups,
        _("Overdue detractor follow-ups (CSV)"),
        f"overdue-detractor-follow-ups-{overview.today}.csv",
        "plans_overview_download_followups",
    )
    key_people_left(overview, config)
    st.markdown("**" + _("Plans by segment") + "**")
    show_table(
        drawn.table(
            ("plans_overview_summary", overview.today),
            lambda: in_words(overview.summary),
        ),
        key="plans_overview_summary",
        column_config=config,
    )
    st.markdown("**" + _("Every account") + "**")
    _leaders_table(overview.accounts, "plans_overview_accounts", config, overview.today)
    csv_download(
        overview.accounts,
        _("Every account (CSV)"),
        f"account-plans-{overview.today}.csv",
        "plans_overview_download_accounts",
    )


def key_people_left(overview: plans.PlansOverview, config: dict[str, Any]) -> None:
    """Show the key people who have left an account: the sponsors lost."""
    gone = overview.key_people_left
    st.markdown(
        "**"
        + _("Key people who have left ({n})").format(n=format_number(gone.height))
        + "** · "
        + _(
            "deciders, approvers and people of influence 4–5 the CRM or a workshop "
            "marks as gone; meet whoever took over (an account plan suggests it)"
        )
    )
    if gone.height == 0:
        st.caption(_("Nobody the CRM marks as having left was a key person."))
        return
    _leaders_table(gone, "plans_overview_key_people_left", config, overview.today)
    csv_download(
        gone,
        _("Key people who have left (CSV)"),
        f"key-people-who-left-{overview.today}.csv",
        "plans_overview_download_key_people_left",
    )
