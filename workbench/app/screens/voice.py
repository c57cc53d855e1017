"""The Voice of the customer screen: NPS by account, role and group, and survey import."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from workbench import access, charts, domain, ingest, privacy
from workbench.analytics import voice
from workbench.app import actions, reads, session
from workbench.app.components import csv_download
from workbench.app.screens import voice_loop
from workbench.domain import Actor
from workbench.errors import WorkbenchError
from workbench.ingest import surveys

PERIODS = {
    "All quarters": None,
    "Last 8 quarters": 8,
    "Last 4 quarters": 4,
    "Last quarter": 1,
}
#: The default period: four quarters (a year of relationship surveys).
DEFAULT_PERIOD = "Last 4 quarters"
GREY = "color: #9a9a9a"
ROLE_PAIRS = {
    "Any two roles": (None, None),
    "Users and influencers vs deciders and approvers": (
        ("user", "influencer"),
        ("decider", "approver"),
    ),
    "Users vs deciders": (("user",), ("decider",)),
    "Buyers vs users": (("buyer",), ("user",)),
}
AUTO = "detect"
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


def headline() -> Heard:
    """Show the period picker and the headline figures; return what the tabs show."""
    all_responses = reads.voice_responses()
    _contacts, accounts = reads.survey_link_targets()
    last_day = voice.last_response_day(all_responses)

    picks = st.columns(2)
    period = picks[0].selectbox(
        "Period",
        list(PERIODS),
        index=list(PERIODS).index(DEFAULT_PERIOD),
        key="voice_period",
    )
    survey_type = picks[1].selectbox(
        "Survey",
        voice.SURVEY_TYPES,
        key="voice_survey_type",
        help="Relationship NPS (periodic, everyone) and touchpoint NPS (after a "
        "support case or a delivery) answer different questions: never pooled.",
    )
    since = voice.period_start(last_day, PERIODS[period])
    responses = voice.of_survey_type(
        voice.responses_since(all_responses, since), survey_type
    )
    # Figures count each person once (the latest answer in the period); the
    # comments keep every answer.
    counted = voice.one_answer_per_person(responses)
    headline = voice.summarise_nps(counted).row(0, named=True)
    by_account = voice.nps_by_account(counted, accounts)
    risky = voice.risky_detractors(responses)

    cols = st.columns(4)
    cols[0].metric(
        "Responses",
        f"{headline['responses']:,}",
        help=f"People counted, one answer each (the latest); {responses.height:,} "
        "answers in the period.",
    )
    cols[1].metric(
        "NPS",
        _format_nps(headline["nps"]),
        help="95 % interval: adjusted Wald for promoters minus detractors.",
    )
    cols[2].metric(
        "Accounts heard",
        f"{voice.accounts_heard(by_account):,} of {by_account.height:,}",
    )
    cols[3].metric(
        "Risky detractors",
        f"{risky.height:,}",
        help="People whose latest score is 0–6 and who are deciders or approvers, "
        f"or whose influence is {voice.HIGH_INFLUENCE_MIN} or more.",
    )
    basis = (
        f"95 % interval {_format_nps(headline['nps_low'])} to "
        f"{_format_nps(headline['nps_high'])} from {headline['responses']:,} people"
        if headline["responses"]
        else "no answers"
    )
    period_text = f"Responses from {since} to {last_day}. " if since else ""
    st.caption(
        f"{period_text}NPS {basis}. Figures from fewer than {voice.MIN_RESPONSES} "
        f"answers are grey and marked “{voice.TOO_FEW_LABEL}”: they drive no flag."
    )
    return Heard(responses, counted, accounts, by_account, risky)


def accounts_tab(heard: Heard) -> None:
    """Show NPS per account, per account and role, and one account's detail."""
    responses, accounts, by_account = heard.counted, heard.accounts, heard.by_account
    st.subheader("NPS per account and which roles were heard")
    st.caption(
        "nps_by_influence weighs each person's answer by their influence (1–5; "
        "unknown counts 3): the account's loyalty as its buying centre would act on "
        "it. effective_responses is what its interval rests on."
    )
    st.dataframe(
        _greyed(by_account),
        hide_index=True,
        width="stretch",
        key="voice_accounts_table",
        column_config=TABLE_CONFIG,
    )
    csv_download(
        by_account,
        "Download accounts (CSV)",
        "nps_by_account.csv",
        "voice_accounts_download",
    )
    st.subheader("NPS per account and role")
    st.caption(
        "Empty cells: nobody in that role answered in the period. Grey cells: "
        f"{voice.TOO_FEW_LABEL} (under {voice.MIN_RESPONSES})."
    )
    matrix = voice.account_role_matrix(responses)
    st.dataframe(
        _greyed(
            matrix, voice.too_few_mask(matrix, voice.nps_by_account_role(responses))
        ),
        hide_index=True,
        width="stretch",
        key="voice_matrix_table",
        column_config=TABLE_CONFIG,
    )
    st.subheader("One account")
    names = voice.account_names(accounts)
    chosen_account = st.selectbox(
        "Account",
        list(names),
        format_func=lambda account_id: f"{names[account_id]} · {account_id}",
        key="voice_account",
    )
    if chosen_account is not None:
        one = voice.responses_for_account(responses, chosen_account)
        left, right = st.columns(2)
        left.altair_chart(
            charts.role_intervals(voice.nps_by_account_role(one)), width="stretch"
        )
        right.altair_chart(
            charts.trend_lines(
                voice.quarterly_trend(
                    _per_quarter(
                        voice.responses_for_account(heard.responses, chosen_account)
                    )
                )
            ),
            width="stretch",
        )
        st.dataframe(
            voice.search_comments(
                voice.responses_for_account(heard.responses, chosen_account)
            ),
            hide_index=True,
            width="stretch",
            key="voice_account_comments",
            column_config=TABLE_CONFIG,
        )


def roles_tab(heard: Heard) -> None:
    """Show NPS per buying role, per chosen group, and its trend."""
    responses = heard.counted
    by_role = voice.nps_by_role(responses)
    st.altair_chart(charts.role_bars(by_role), width="stretch")
    st.dataframe(
        _greyed(by_role),
        hide_index=True,
        width="stretch",
        key="voice_roles_table",
        column_config=TABLE_CONFIG,
    )
    dimension = st.selectbox(
        "NPS by",
        ["department", "org_level", "quarter", "buying_role"],
        format_func=lambda name: voice.DIMENSIONS[name],
        key="voice_dimension",
    )
    st.dataframe(
        _greyed(voice.nps_by(responses, dimension)),
        hide_index=True,
        width="stretch",
        key="voice_dimension_table",
        column_config=TABLE_CONFIG,
    )
    trend_by_role = st.toggle("Trend per role", key="voice_trend_by_role")
    st.altair_chart(
        charts.trend_lines(
            voice.quarterly_trend(_per_quarter(heard.responses), by_role=trend_by_role)
        ),
        width="stretch",
    )


def conflicts_tab(heard: Heard) -> None:
    """Show accounts where one role is happier than another beyond chance."""
    responses, by_account = heard.counted, heard.by_account
    st.caption(
        "Accounts where one role is much happier than another: an average would hide "
        f"it. Only roles with at least the answers set below (one per person) "
        "compare; an account is flagged when its widest gap is unlikely under chance "
        "(roles shuffled within the account thousands of times; at most "
        f"{voice.CONFLICT_ALPHA:.0%} of flags false, Benjamini–Hochberg) and wider "
        "than the gap set here."
    )
    conflict_cols = st.columns(3)
    gap_threshold = conflict_cols[0].slider(
        "Gap above (NPS points)", 0, 200, 70, step=5, key="voice_gap"
    )
    min_responses = conflict_cols[1].number_input(
        "Answers per role at least",
        2,
        50,
        voice.MIN_RESPONSES,
        key="voice_min_responses",
    )
    pair = conflict_cols[2].selectbox("Compare", list(ROLE_PAIRS), key="voice_pair")
    roles_a, roles_b = ROLE_PAIRS[pair]
    tested = voice.role_conflict_tests(
        responses, min_responses=int(min_responses), roles_a=roles_a, roles_b=roles_b
    )
    conflicts = tested.filter(pl.col("flagged") & (pl.col("gap") > gap_threshold)).drop(
        "flagged"
    )
    heard_count = voice.accounts_heard(by_account)
    st.metric(
        "Accounts with a role conflict",
        f"{conflicts.height:,} of {heard_count:,}",
        help=f"{tested.height:,} accounts have two roles with enough answers to test.",
    )
    st.dataframe(
        conflicts,
        hide_index=True,
        width="stretch",
        key="voice_conflicts",
        column_config=TABLE_CONFIG,
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
    with st.expander(f"Every account tested ({tested.height:,})"):
        st.dataframe(
            tested, hide_index=True, width="stretch", key="voice_conflicts_tested"
        )
    st.subheader("The comments behind them")
    behind = voice.conflict_comments(heard.responses, conflicts)
    st.dataframe(
        behind,
        hide_index=True,
        width="stretch",
        key="voice_conflict_comments",
        column_config=TABLE_CONFIG,
    )
    csv_download(
        behind,
        "Download conflicts with comments (CSV)",
        "nps_role_conflicts.csv",
        "voice_conflicts_download",
    )


def detractors_tab(heard: Heard) -> None:
    """Show the risky detractors."""
    risky = heard.risky
    st.caption(
        "Latest score 0–6 from a decider or an approver, or from anyone with influence "
        f"{voice.HIGH_INFLUENCE_MIN} or more: a risk no average shows. The buying-centre "
        "map marks the same people."
    )
    st.dataframe(
        risky,
        hide_index=True,
        width="stretch",
        key="voice_detractors",
        column_config=TABLE_CONFIG,
    )
    csv_download(
        risky,
        "Download detractors (CSV)",
        "nps_risky_detractors.csv",
        "voice_detractors_download",
    )
    voice_loop.followups_section()


def comments_tab(heard: Heard) -> None:
    """Search the comments by text and role."""
    responses = heard.responses
    comment_cols = st.columns([2, 3])
    search = comment_cols[0].text_input(
        "Search comments", key="voice_comment_search", placeholder="price, 交期, …"
    )
    roles = comment_cols[1].multiselect(
        "Roles", [*domain.BUYING_ROLES, voice.UNKNOWN_ROLE], key="voice_comment_roles"
    )
    found = voice.search_comments(responses, search, roles)
    st.caption(f"{found.height:,} comments")
    st.dataframe(
        found,
        hide_index=True,
        width="stretch",
        key="voice_comments",
        column_config=TABLE_CONFIG,
    )


def drivers_tab(heard: Heard) -> None:
    """Show NPS per bucket of breadth, freshness, effort and relationship type."""
    responses = heard.responses
    st.caption(
        "NPS of all answers from the accounts (or people) in each bucket; no model, "
        "just counts. Breadth and effort cover the 12 months up to the last activity; "
        "freshness is the days between our last touch of the person and the answer; "
        "effort buckets are the quartiles of accounts; relationship types are the "
        "Segments page's at its default thresholds, with manual overrides."
    )
    signals = reads.voice_account_signals()
    drivers = {
        "Breadth: departments we work with (12 months)": voice.nps_by_bucket(
            responses, voice.breadth_buckets(signals)
        ),
        "Freshness: days from our last touch to the answer": voice.nps_by_bucket(
            responses, voice.freshness_buckets(responses), key="response_id"
        ),
        "Effort: our hours per account per year": voice.nps_by_bucket(
            responses, voice.effort_buckets(signals)
        ),
        "Relationship type": voice.nps_by_bucket(
            responses, voice.relationship_buckets(reads.voice_relationships())
        ),
    }
    driver_cols = st.columns(2)
    for index, (title, table) in enumerate(drivers.items()):
        with driver_cols[index % 2]:
            st.markdown(f"**{title}**")
            st.altair_chart(charts.driver_bars(table, ""), width="stretch")
            st.dataframe(
                table,
                hide_index=True,
                width="stretch",
                key=f"voice_driver_{index}",
                column_config=TABLE_CONFIG,
            )


def import_tab() -> None:
    """Read an uploaded survey file, show what was found, and import it."""
    actor = session.current_actor()
    st.caption(
        "A plain table (account, contact or e-mail, date, score 0–10, comment) or a "
        "Qualtrics export with its three header rows. Responses link to people by "
        "contact ID or e-mail and to accounts by ID or name; whatever cannot be "
        "linked is listed below."
    )
    may_import = access.can(actor, "import")
    if not may_import:
        st.info("Importing needs the analyst or admin role.")
    upload = st.file_uploader(
        "Survey export",
        type=["csv", "tsv", "txt", "xlsx"],
        key="survey_upload",
        disabled=not may_import,
    )
    encoding = st.selectbox(
        "Encoding", [AUTO, *ingest.ENCODING_CHOICES], key="survey_encoding"
    )
    if upload is not None and may_import:
        data = upload.getvalue()
        chosen_column = st.session_state.get("survey_score_column")
        try:
            result = reads.read_survey_upload(
                upload.name,
                data,
                chosen_column or None,
                None if encoding == AUTO else encoding,
            )
        except WorkbenchError as error:
            st.error(str(error))
            result = None
        if result is not None:
            _preview_and_commit(upload.name, data, result, actor)


def _preview_and_commit(
    file_name: str, data: bytes, result: surveys.SurveyResult, actor: Actor
) -> None:
    """Show the read survey, its problems, and the button that imports it."""
    detected = result.columns.get("score")
    options = ["", *result.score_candidates]
    options += [c for c in result.file_columns if c not in options]
    st.selectbox(
        "Score column",
        options,
        format_func=lambda c: f"detected: {detected}" if c == "" else c,
        key="survey_score_column",
        help="The column holding the 0–10 answer. Qualtrics files name it "
        "by question ID (Q1, …); the question text decides by default.",
    )
    st.dataframe(
        surveys.columns_frame(result),
        hide_index=True,
        key="survey_columns",
    )
    errors = len(result.errors)
    warnings = len(result.problems) - errors
    st.caption(
        f"{result.layout} layout · {result.preview.height:,} rows · "
        f"{result.responses.height:,} responses ready · {errors:,} errors · "
        f"{warnings:,} warnings"
    )
    st.dataframe(
        privacy.mask_personal_data(result.preview, actor).head(500),
        hide_index=True,
        width="stretch",
        key="survey_preview",
    )
    problems = surveys.problems_frame(result.problems)
    if problems.height:
        st.subheader("Problems")
        st.dataframe(problems, hide_index=True, width="stretch", key="survey_problems")
        csv_download(
            problems,
            "Download problems (CSV)",
            "survey_problems.csv",
            "survey_problems_download",
        )
    if errors:
        st.warning(
            "Fix the errors in the file (or choose the score column) before "
            "importing; nothing has been stored."
        )
    survey_type = st.selectbox(
        "Survey type",
        voice.SURVEY_TYPES,
        key="survey_type_choice",
        help="For answers whose file does not say (a 'survey type' column naming "
        "relationship or touchpoint wins): relationship surveys ask everyone "
        "periodically; touchpoint surveys follow a support case or a delivery.",
    )
    if st.button(
        "Import responses",
        key="survey_commit",
        type="primary",
        disabled=not result.can_commit,
    ):
        try:
            outcome = actions.commit_survey_upload(file_name, data, result, survey_type)
        except WorkbenchError as error:
            st.error(str(error))
        else:
            st.success(
                f"Stored {outcome['inserted']:,} new and updated "
                f"{outcome['updated']:,} responses (import run "
                f"{outcome['run_id']})."
            )
