"""The survey import tab on the Voice of the customer page: read, preview, commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from workbench import access, ingest, privacy, terms
from workbench.analytics import voice
from workbench.app import actions, reads, session
from workbench.app.components import csv_download, dataframe, show_refusal, show_table
from workbench.domain import Actor
from workbench.errors import WorkbenchError
from workbench.i18n import format_number
from workbench.i18n import gettext as _
from workbench.ingest import surveys

AUTO = "detect"


def _encoding_label(choice: str) -> str:
    return _("detect") if choice == AUTO else choice


def import_tab() -> None:
    """Read an uploaded survey file, show what was found, and import it."""
    actor = session.current_actor()
    st.caption(
        _(
            "A plain table (account, contact or e-mail, date, score 0–10, comment) "
            "or a Qualtrics export with its three header rows. Responses link to "
            "people by contact ID or e-mail and to accounts by ID or name; whatever "
            "cannot be linked is listed below."
        )
    )
    may_import = access.can(actor, "import")
    if not may_import:
        st.info(_("Importing needs the analyst or admin role."))
    upload = st.file_uploader(
        _("Survey export"),
        type=["csv", "tsv", "txt", "xlsx"],
        key="survey_upload",
        disabled=not may_import,
    )
    encoding = st.selectbox(
        _("Encoding"),
        [AUTO, *ingest.ENCODING_CHOICES],
        format_func=_encoding_label,
        key="survey_encoding",
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
            show_refusal(error)
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
        _("Score column"),
        options,
        format_func=lambda c: (
            _("detected: {column}").format(column=detected) if c == "" else c
        ),
        key="survey_score_column",
        help=_(
            "The column holding the 0–10 answer. Qualtrics files name it "
            "by question ID (Q1, …); the question text decides by default."
        ),
    )
    dataframe(
        surveys.columns_frame(result),
        hide_index=True,
        key="survey_columns",
    )
    errors = len(result.errors)
    warnings = len(result.problems) - errors
    st.caption(
        _(
            "{layout} layout · {rows} rows · {responses} responses ready · "
            "{errors} errors · {warnings} warnings"
        ).format(
            layout=result.layout,
            rows=format_number(result.preview.height),
            responses=format_number(result.responses.height),
            errors=format_number(errors),
            warnings=format_number(warnings),
        )
    )
    show_table(
        privacy.mask_personal_data(result.preview, actor).head(500),
        key="survey_preview",
    )
    problems = ingest.readable_problems(surveys.problems_frame(result.problems))
    if problems.height:
        st.subheader(_("Problems"))
        show_table(problems, key="survey_problems")
        csv_download(
            problems,
            _("Download problems (CSV)"),
            "survey_problems.csv",
            "survey_problems_download",
        )
    if errors:
        st.warning(
            _(
                "Fix the errors in the file (or choose the score column) before "
                "importing; nothing has been stored."
            )
        )
    survey_type = pick_survey_type(
        st.selectbox,
        _("Survey type"),
        "survey_type_choice",
        _(
            "For answers whose file does not say (a 'survey type' column naming "
            "relationship or touchpoint wins): relationship surveys ask everyone "
            "periodically; touchpoint surveys follow a support case or a delivery."
        ),
    )
    if st.button(
        _("Import responses"),
        key="survey_commit",
        type="primary",
        disabled=not result.can_commit,
    ):
        try:
            outcome = actions.commit_survey_upload(file_name, data, result, survey_type)
        except WorkbenchError as error:
            show_refusal(error)
        else:
            st.success(
                _(
                    "Stored {inserted} new and updated {updated} responses "
                    "(import run {run})."
                ).format(
                    inserted=format_number(outcome["inserted"]),
                    updated=format_number(outcome["updated"]),
                    run=outcome["run_id"],
                )
            )


def pick_survey_type(
    widget: Callable[..., Any], label: str, key: str, explained: str
) -> Any:
    """Return the NPS survey type chosen in ``widget`` (a select box), in words."""
    return widget(
        label,
        voice.SURVEY_TYPES,
        format_func=terms.survey_type,
        key=key,
        help=explained,
    )
