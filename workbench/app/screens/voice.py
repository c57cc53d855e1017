"""The Voice of the customer screen: NPS by account, role and group, and survey import."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
import streamlit as st

from workbench import charts, domain, terms
from workbench.analytics import voice
from workbench.app import drawn, reads, voice_reads
from workbench.app.components import (
    TABLE_ROWS,
    csv_download,
    first_rows_caption,
    opened_expander,
    searched_account_picker,
    show_table,
)
from workbench.app.screens import voice_import
from workbench.i18n import (
    N_,
    current_language,
    format_day,
    format_number,
    format_percent,
)
from workbench.i18n import gettext as _

#: The periods offered, by their label (translated when shown).
PERIODS = {
    N_("All quarters"): None,
    N_("Last 8 quarters"): 8,
    N_("Last 4 quarters"): 4,
    N_("Last quarter"): 1,
}
#: The default period: four quarters (a year of relationship surveys).
DEFAULT_PERIOD = N_("Last 4 quarters")
GREY = "color: #9a9a9a"
ROLE_PAIRS = {
    N_("Any two roles"): (None, None),
    N_("Users and influencers vs deciders and approvers"): (
        ("user", "influencer"),
        ("decider", "approver"),
    ),
    N_("Users vs deciders"): (("user",), ("decider",)),
    N_("Buyers vs users"): (("buyer",), ("user",)),
}
#: The groups NPS is broken down by (the analytics' dimensions), as labels.
DIMENSION_LABELS = {
    "department": N_("Department"),
    "org_level": N_("Org level (1 = top of the reporting tree)"),
    "quarter": N_("Quarter"),
    "buying_role": N_("Buying role"),
}
TOO_FEW = N_("too few answers")
# NPS shown as whole signed points, days as dates; columns a table lacks are ignored.
NPS_FORMAT = st.column_config.NumberColumn(format="%+.0f")
TABLE_CONFIG = {
    **dict.fromkeys(("nps", "high_nps", "low_nps", *domain.BUYING_ROLES), NPS_FORMAT),
    **dict.fromkeys(
        (
            "nps_low",
            "nps_high",
            "high_nps_low",
            "high_nps_high",
            "low_nps_low",
            "low_nps_high",
            "nps_by_influence",
            "nps_by_influence_low",
            "nps_by_influence_high",
        ),
        NPS_FORMAT,
    ),
    "effective_responses": st.column_config.NumberColumn(format="%.1f"),
    "gap": st.column_config.NumberColumn(format="%.0f"),
    "responded_on": st.column_config.DateColumn(format="YYYY-MM-DD"),
}


def _table_config() -> dict[str, Any]:
    """Return the voice tables' column formats, the roles' columns named in the language."""
    return {
        **TABLE_CONFIG,
        **{
            role: st.column_config.NumberColumn(terms.buying_role(role), format="%+.0f")
            for role in domain.BUYING_ROLES
        },
    }


def _format_nps(value: object) -> str:
    return f"{value:+.0f}" if isinstance(value, int | float) else "–"


def _greyed(frame: pl.DataFrame, mask: pl.DataFrame | None = None) -> object:
    """Return the table with figures on too few answers greyed (a pandas Styler).

    Without ``mask``, whole rows whose ``too_few`` is true are greyed; with it,
    the cells where the mask is true.
    """
    shown = frame.to_pandas()
    if mask is None:
        if "too_few" not in frame.columns:
            return shown
        rows = frame["too_few"].fill_null(True).to_list()
        return shown.style.apply(
            lambda row: [GREY if rows[row.name] else ""] * len(row), axis=1
        )
    cells = mask.to_pandas()
    cells.index = shown.index
    return shown.style.apply(
        lambda _: cells.replace({True: GREY, False: ""}), axis=None
    )


def _per_quarter(responses: pl.DataFrame) -> pl.DataFrame:
    # A trend counts each person once per quarter (their latest answer in it).
    return voice.one_answer_per_person(voice.with_quarter(responses), by=["quarter"])


@dataclass(frozen=True)
class Heard:
    """The responses of the chosen period and what the tabs derive from them."""

    responses: pl.DataFrame
    counted: pl.DataFrame
    accounts: pl.DataFrame
    by_account: pl.DataFrame
    risky: pl.DataFrame
    #: how many accounts of ``by_account`` have an answer
    accounts_heard: int
    #: the period and survey type chosen (what the cached views are keyed on)
    period: str
    survey_type: str | None


def headline() -> Heard:
    """Show the period picker and the headline figures; return what the tabs show."""
    _contacts, accounts = reads.survey_link_targets()
    last_day = voice_reads.last_answer_day()

    picks = st.columns(2)
    period = picks[0].selectbox(
        _("Period"),
        list(PERIODS),
        index=list(PERIODS).index(DEFAULT_PERIOD),
        format_func=_,
        key="voice_period",
    )
    survey_type = voice_import.pick_survey_type(
        picks[1].selectbox,
        _("Survey"),
        "voice_survey_type",
        _(
            "Relationship NPS (periodic, everyone) and touchpoint NPS (after a "
            "support case or a delivery) answer different questions: never pooled."
        ),
    )
    since = voice.period_start(last_day, PERIODS[period])
    # Figures count each person once (the latest answer in the period); the
    # comments keep every answer.
    responses, counted = voice_reads.period_answers(PERIODS[period], survey_type)
    figures = voice_reads.period_figures(PERIODS[period], survey_type)
    headline, by_account, risky = figures.headline, figures.by_account, figures.risky

    cols = st.columns(4)
    cols[0].metric(
        _("Responses"),
        format_number(headline["responses"]),
        help=_(
            "People counted, one answer each (the latest); {answers} answers in "
            "the period."
        ).format(answers=format_number(responses.height)),
    )
    cols[1].metric(
        _("NPS"),
        _format_nps(headline["nps"]),
        help=_(
            "95 {percent} interval: adjusted Wald for promoters minus detractors."
        ).format(percent="%"),
    )
    cols[2].metric(
        _("Accounts heard"),
        _("{heard} of {total}").format(
            heard=format_number(figures.accounts_heard),
            total=format_number(by_account.height),
        ),
    )
    cols[3].metric(
        _("Risky detractors"),
        format_number(risky.height),
        help=_(
            "People still at the account whose latest score is 0–6 and who are "
            "deciders or approvers, or whose influence is {influence} or more."
        ).format(influence=voice.HIGH_INFLUENCE_MIN),
    )
    basis = (
        _("NPS 95 {percent} interval {low} to {high} from {people} people.").format(
            percent="%",
            low=_format_nps(headline["nps_low"]),
            high=_format_nps(headline["nps_high"]),
            people=format_number(headline["responses"]),
        )
        if headline["responses"]
        else _("NPS: no answers.")
    )
    period_text = (
        _("Responses from {first} to {last}.").format(
            first=format_day(since), last=format_day(last_day)
        )
        + " "
        if since
        else ""
    )
    st.caption(
        period_text
        + basis
        + " "
        + _(
            "Figures from fewer than {minimum} answers are grey and marked "
            "“{label}”: they drive no flag."
        ).format(minimum=voice.MIN_RESPONSES, label=_(TOO_FEW))
    )
    return Heard(
        responses,
        counted,
        accounts,
        by_account,
        risky,
        figures.accounts_heard,
        period,
        survey_type,
    )


def _first_rows_greyed(
    frame: pl.DataFrame, by_role: pl.DataFrame | None, key: str
) -> None:
    """Show the first rows of ``frame``, figures on too few answers grey.

    With ``by_role`` (:func:`~workbench.analytics.voice.nps_by_account_role`),
    ``frame`` is the account-by-role matrix and its cells are greyed; without,
    whole rows whose ``too_few`` is true.
    """
    shown = frame.head(TABLE_ROWS)
    show_table(
        _greyed(
            terms.localise_values(shown) if by_role is None else shown,
            None if by_role is None else voice.too_few_mask(shown, by_role),
        ),
        key=key,
        column_config=_table_config(),
    )
    first_rows_caption(frame.height, TABLE_ROWS)


def accounts_tab(heard: Heard) -> None:
    """Show NPS per account, per account and role, and one account's detail."""
    responses, by_account = heard.counted, heard.by_account
    st.subheader(_("NPS per account and which roles were heard"))
    st.caption(
        _(
            "NPS by influence weighs each person's answer by their influence (1–5; "
            "unknown counts 3): the account's loyalty as its buying centre would "
            "act on it. Effective answers are what its interval rests on."
        )
    )
    # Stylers (the grey rows and cells) are rendered cell by cell at every run:
    # each table is kept as drawn per period and survey type
    drawn.replayed(
        ("voice_accounts_table", heard.period, heard.survey_type, TABLE_ROWS),
        lambda: _first_rows_greyed(by_account, None, "voice_accounts_table"),
    )
    csv_download(
        by_account,
        _("Download accounts (CSV)"),
        "nps_by_account.csv",
        "voice_accounts_download",
    )
    st.subheader(_("NPS per account and role"))
    st.caption(
        _(
            "“–”: nobody in that role answered in the period. Grey figures: "
            "{label} (under {minimum})."
        ).format(label=_(TOO_FEW), minimum=voice.MIN_RESPONSES)
    )
    matrix, by_role = voice_reads.account_role_figures(
        PERIODS[heard.period], heard.survey_type
    )
    drawn.replayed(
        ("voice_matrix_table", heard.period, heard.survey_type, TABLE_ROWS),
        lambda: _first_rows_greyed(matrix, by_role, "voice_matrix_table"),
    )
    csv_download(
        matrix,
        _("Download accounts by role (CSV)"),
        "nps_by_account_and_role.csv",
        "voice_matrix_download",
    )
    st.subheader(_("One account"))
    names = voice_reads.account_labels()
    chosen_account = (
        searched_account_picker(
            names,
            voice_reads.account_matches,
            key="voice_account",
            search_key="voice_account_search",
        )
        if names
        else None
    )
    if chosen_account is not None:
        # each built once per period, survey type and account (the period's
        # answers filtered to one account, its charts' specs, its comments)
        chosen = (heard.period, heard.survey_type, chosen_account)
        left, right = st.columns(2)
        with left:
            drawn.altair_chart(
                ("voice_account_roles", *chosen),
                lambda: charts.role_intervals(
                    voice.nps_by_account_role(
                        voice.responses_for_account(responses, chosen_account)
                    )
                ),
                width="stretch",
            )
        with right:
            drawn.altair_chart(
                ("voice_account_trend", *chosen),
                lambda: charts.trend_lines(
                    voice.quarterly_trend(
                        _per_quarter(
                            voice.responses_for_account(heard.responses, chosen_account)
                        )
                    )
                ),
                width="stretch",
            )
        show_table(
            drawn.table(
                ("voice_account_comments", *chosen),
                lambda: terms.localise_values(
                    voice.search_comments(
                        voice.responses_for_account(heard.responses, chosen_account)
                    )
                ),
            ),
            key="voice_account_comments",
            column_config=_table_config(),
        )


def roles_tab(heard: Heard) -> None:
    """Show NPS per buying role, per chosen group, and its trend."""
    responses = heard.counted
    # each chart and table kept as built per period, survey type and choice:
    # every one reads all the period's answers, and the tables are Stylers
    chosen = (heard.period, heard.survey_type)
    drawn.altair_chart(
        ("voice_role_bars", *chosen),
        lambda: charts.role_bars(voice.nps_by_role(responses)),
        width="stretch",
    )
    drawn.replayed(
        ("voice_roles_table", *chosen),
        lambda: show_table(
            _greyed(terms.localise_values(voice.nps_by_role(responses))),
            key="voice_roles_table",
            column_config=_table_config(),
        ),
    )
    dimension = st.selectbox(
        _("NPS by"),
        list(DIMENSION_LABELS),
        format_func=lambda name: _(DIMENSION_LABELS[name]),
        key="voice_dimension",
    )
    drawn.replayed(
        ("voice_dimension_table", *chosen, dimension),
        lambda: show_table(
            _greyed(
                terms.localise_values(
                    voice.nps_by(
                        voice_reads.counted_answers(
                            PERIODS[heard.period], heard.survey_type, dimension
                        ),
                        dimension,
                    )
                )
            ),
            key="voice_dimension_table",
            column_config=_table_config(),
        ),
    )
    trend_by_role = st.toggle(_("Trend per role"), key="voice_trend_by_role")
    drawn.altair_chart(
        ("voice_role_trend", *chosen, trend_by_role),
        lambda: charts.trend_lines(
            voice.quarterly_trend(_per_quarter(heard.responses), by_role=trend_by_role)
        ),
        width="stretch",
    )


def conflicts_tab(heard: Heard) -> None:
    """Show accounts where one role is happier than another beyond chance."""
    responses = heard.counted
    st.caption(
        _(
            "Accounts where one role is much happier than another: an average "
            "would hide it. Only roles with at least the answers set below (one per "
            "person) compare; an account is flagged when its widest gap is unlikely "
            "under chance (roles shuffled within the account up to thousands of times; at "
            "most {share} of flags false, Benjamini–Hochberg) and wider than the "
            "gap set here."
        ).format(share=format_percent(voice.CONFLICT_ALPHA * 100))
    )
    conflict_cols = st.columns(3)
    gap_threshold = conflict_cols[0].slider(
        _("Gap above (NPS points)"), 0, 200, 70, step=5, key="voice_gap"
    )
    min_responses = conflict_cols[1].number_input(
        _("Answers per role at least"),
        2,
        50,
        voice.MIN_RESPONSES,
        key="voice_min_responses",
    )
    pair = conflict_cols[2].selectbox(
        _("Compare"), list(ROLE_PAIRS), format_func=_, key="voice_pair"
    )
    roles_a, roles_b = ROLE_PAIRS[pair]
    # kept per period, survey, answers and pair: moving the gap only filters
    tested = voice_reads.conflict_tests(
        PERIODS[heard.period], heard.survey_type, int(min_responses), roles_a, roles_b
    )
    conflicts = tested.filter(pl.col("flagged") & (pl.col("gap") > gap_threshold)).drop(
        "flagged"
    )
    st.metric(
        _("Accounts with a role conflict"),
        _("{heard} of {total}").format(
            heard=format_number(conflicts.height),
            total=format_number(heard.accounts_heard),
        ),
        help=_("{count} accounts have two roles with enough answers to test.").format(
            count=format_number(tested.height)
        ),
    )
    show_table(
        terms.localise_values(conflicts),
        key="voice_conflicts",
        column_config=_table_config(),
    )
    if conflicts.height:
        st.altair_chart(
            charts.role_intervals(
                voice.nps_by_account_role(
                    voice.responses_for_account_ids(
                        responses, conflicts["account_id"].head(8).to_list()
                    )
                )
            ),
            width="content",
        )
    # built only while open, its first rows shown: every account tested is
    # thousands of rows at scale, and was sent at every move of the gap
    box = opened_expander(
        _("Every account tested ({count})").format(count=format_number(tested.height)),
        "voice_tested_open",
    )
    if box is not None:
        with box:
            _table_and_csv(
                tested,
                "voice_conflicts_tested",
                (_("Download every account tested (CSV)"), "nps_role_tests.csv"),
                "voice_tested_download",
            )
    st.subheader(_("The comments behind them"))
    behind = voice.conflict_comments(heard.responses, conflicts)
    _table_and_csv(
        behind,
        "voice_conflict_comments",
        (_("Download conflicts with comments (CSV)"), "nps_role_conflicts.csv"),
        "voice_conflicts_download",
    )


def _table_and_csv(
    frame: pl.DataFrame, key: str, download: tuple[str, str], download_key: str
) -> None:
    # the table's first rows in words, and all its codes as CSV: (label, file name)
    show_table(
        terms.localise_values(frame.head(TABLE_ROWS)),
        key=key,
        column_config=_table_config(),
    )
    first_rows_caption(frame.height, TABLE_ROWS)
    csv_download(frame, *download, download_key)


def comments_tab(heard: Heard) -> None:
    """Search the comments by text and role."""
    comment_cols = st.columns([2, 3])
    search = comment_cols[0].text_input(
        _("Search comments"),
        key="voice_comment_search",
        placeholder=_("price, 交期, …"),
    )
    roles = comment_cols[1].multiselect(
        _("Roles"),
        [*domain.BUYING_ROLES, voice.UNKNOWN_ROLE],
        format_func=terms.buying_role,
        key="voice_comment_roles",
        # an empty filter keeps every row
        placeholder=_("All"),
    )
    found = voice_reads.found_comments(
        PERIODS[heard.period], heard.survey_type, search, tuple(roles)
    )
    st.caption(_("{count} comments").format(count=format_number(found.height)))
    _table_and_csv(
        found,
        "voice_comments",
        (_("Download the comments found (CSV)"), "nps_comments.csv"),
        "voice_comments_download",
    )


def drivers_tab(heard: Heard) -> None:
    """Show NPS per bucket of breadth, freshness, effort and relationship type."""
    st.caption(
        _(
            "NPS of all answers from the accounts (or people) in each bucket; no "
            "model, just counts. Breadth and effort cover the 12 months up to the "
            "last activity; freshness is the days between our last touch of the "
            "person and the answer; effort buckets are the quartiles of accounts; "
            "relationship types are the Segments page's at its default thresholds, "
            "with manual overrides."
        )
    )
    # kept per period and survey type: the four bucketings read every answer;
    # their labels are put in words where shown (charts and tables are kept
    # per language)
    buckets = voice_reads.driver_buckets(PERIODS[heard.period], heard.survey_type)
    language = current_language()
    drivers = {
        "breadth": (
            _("Breadth: departments we work with (12 months)"),
            lambda: voice.buckets_worded(buckets.breadth, language),
        ),
        "freshness": (
            _("Freshness: days from our last touch to the answer"),
            lambda: voice.buckets_worded(buckets.freshness, language),
        ),
        "effort": (
            _("Effort: our hours per account per year"),
            lambda: voice.buckets_worded(buckets.effort, language),
        ),
        "relationship": (
            _("Relationship type"),
            lambda: voice.buckets_worded(
                buckets.relationship.with_columns(
                    pl.col("bucket").replace(
                        {t: terms.relationship(t) for t in terms.RELATIONSHIPS}
                    )
                ),
                language,
            ),
        ),
    }
    driver_cols = st.columns(2)
    for index, (name, (title, frame)) in enumerate(drivers.items()):
        chosen = (name, heard.period, heard.survey_type)
        with driver_cols[index % 2]:
            st.markdown(f"**{title}**")
            drawn.altair_chart(
                ("voice_driver_chart", *chosen),
                functools.partial(_driver_chart, frame),
                width="stretch",
            )
            show_table(
                drawn.table(("voice_driver_table", *chosen), frame),
                key=f"voice_driver_{index}",
                column_config=_table_config(),
            )


def _driver_chart(frame: Callable[[], pl.DataFrame]) -> object:
    return charts.driver_bars(frame(), "")
