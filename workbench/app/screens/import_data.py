"""The Import screen: upload CRM exports, check the mapping, commit, undo."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from typing import Any

import polars as pl
import streamlit as st

from workbench import access, ingest, terms, vocabulary
from workbench.app import actions, reads, session
from workbench.app.components import (
    csv_download,
    dataframe,
    notify_after_rerun,
    show_refusal,
)
from workbench.errors import WorkbenchError
from workbench.i18n import N_, format_number
from workbench.i18n import gettext as _

#: How dates like 03/04/2024 are read: the choice's label, and the order it means.
DATE_ORDERS: dict[str, str | None] = {
    N_("ask me"): None,
    N_("month first (mdy)"): "mdy",
    N_("day first (dmy)"): "dmy",
}
NOT_IMPORTED = N_("(do not import)")
#: Currencies offered first; any other ISO 4217 code can be typed in.
COMMON_CURRENCIES = ("USD", "EUR", "CNY", "TWD", "HKD", "GBP", "JPY", "SGD")


@dataclass(frozen=True)
class Upload:
    """The uploaded files and the options chosen for their import."""

    files: list[tuple[str, bytes]]
    source: str
    encoding: str | None
    date_order: str | None
    overwrite_edits: bool
    replace_demo: bool = False
    again: bool = False

    def options(self) -> dict[str, Any]:
        """Return the import's options as :meth:`Workbench.import_uploads` takes them."""
        # Every field but the files is an option, under the keyword the import takes.
        return {
            option.name: getattr(self, option.name)
            for option in fields(self)
            if option.name != "files"
        }


def may_import() -> bool:
    """Return whether the current user may import; say so when they may not."""
    actor = session.current_actor()
    can_import = access.can(actor, "import")
    if not can_import:
        st.info(
            _(
                "You are signed in as {role}: you can see past imports but not "
                "import or undo. Ask an analyst or an admin."
            ).format(role=actor.role)
        )
    return can_import


def upload_form() -> Upload:
    """Show the uploader and the import's options; return what was chosen."""
    limit_mb = int(st.get_option("server.maxUploadSize"))
    uploads = st.file_uploader(
        _("CRM export files (up to {limit} MB each)").format(
            limit=format_number(limit_mb)
        ),
        accept_multiple_files=True,
        key="import_files",
        type=["csv", "tsv", "txt", "xlsx", "xlsm", "parquet", "json", "zip"],
        help=_(
            "The upload limit is {limit} MB per file (server.maxUploadSize)."
        ).format(limit=format_number(limit_mb)),
    )
    st.caption(
        _("Upload limit: {limit} MB per file.").format(limit=format_number(limit_mb))
    )
    options = st.columns(4)
    source = options[0].selectbox(
        _("Source"),
        ["auto", *vocabulary.SOURCES],
        format_func=lambda s: _("auto") if s == "auto" else s,
        key="import_source",
    )
    encoding_choice = options[1].selectbox(
        _("Text encoding"),
        ["detect", *ingest.ENCODING_CHOICES],
        format_func=lambda e: _("detect") if e == "detect" else e,
        key="import_encoding",
    )
    date_order_choice = options[2].selectbox(
        _("Dates like 03/04/2024"),
        list(DATE_ORDERS),
        format_func=_,
        key="import_date_order",
    )
    overwrite_edits = options[3].checkbox(
        _("Overwrite workbench edits"),
        key="import_overwrite_edits",
        help=_(
            "Roles, influence and attitude edited in the workbench normally "
            "survive a re-import."
        ),
    )
    replace_demo, again = _start_options()
    encoding = None if encoding_choice == "detect" else encoding_choice
    date_order = DATE_ORDERS[date_order_choice]
    files = [(upload.name, upload.getvalue()) for upload in uploads or []]
    return Upload(
        files, source, encoding, date_order, overwrite_edits, replace_demo, again
    )


def _start_options() -> tuple[bool, bool]:
    """Offer to replace the demo portfolio (while it is there) and to re-import."""
    replace_demo = False
    if reads.holds_demo():
        st.info(
            _(
                "This database holds the demo portfolio. Replace it to start from "
                "your data only; otherwise your accounts are added next to the demo's."
            )
        )
        replace_demo = st.checkbox(
            _("Replace the demo portfolio with these files"),
            key="import_replace_demo",
            help=_(
                "The demo's accounts, people and answers, and the work done on them "
                "(plans, decisions, estimates, ratings, edits), are removed in the "
                "same transaction as the import; a rejected import keeps them, "
                "and undoing the import brings them back."
            ),
        )
    again = st.checkbox(
        _("Import again even if these files were the last import"),
        key="import_again",
        help=_("The same files are normally committed once; a second commit says so."),
    )
    return replace_demo, again


@dataclass(frozen=True)
class Review:
    """What the page showed of the files before their check.

    The files as recognised, the mappings changed on the page, and the place of
    the recognised files' table (drawn once they are checked).
    """

    proposed: list[ingest.RecognisedFile]
    mappings: dict[str, ingest.ColumnMapping]
    recognised: Any


def review_mappings(upload: Upload) -> Review:
    """Show each file's mapping, with a place for what was recognised above them.

    The table of the recognised files is drawn by :func:`recognised_files`
    after the check, which counts a large file's rows.
    """
    files, source, encoding = upload.files, upload.source, upload.encoding
    try:
        proposed, _reading_problems = actions.propose_uploads(files, source, encoding)
    except WorkbenchError as error:
        show_refusal(error)
        proposed = []
    mappings: dict[str, ingest.ColumnMapping] = {}
    recognised = None
    if proposed:
        st.subheader(_("What was recognised"))
        recognised = st.empty()
        st.caption(
            _(
                "Check the mapping of each file; change the workbench column where "
                "it is wrong, or leave it empty to skip a column. Mappings you "
                "change are remembered for files with the same header."
            )
        )
        for number, entry in enumerate(proposed):
            if entry.source == "survey" or not entry.headers:
                continue
            label = ingest.markdown_safe(
                entry.name + " → " + (entry.table or _("not imported"))
            )
            with st.expander(label, expanded=entry.table is None):
                table = st.selectbox(
                    _("Workbench table"),
                    [NOT_IMPORTED, *vocabulary.TARGET_TABLES],
                    format_func=lambda t: _(t) if t == NOT_IMPORTED else t,
                    index=(
                        1 + vocabulary.TARGET_TABLES.index(entry.table)
                        if entry.table in vocabulary.TARGET_TABLES
                        else 0
                    ),
                    key=f"import_table_{number}",
                )
                if table == NOT_IMPORTED:
                    continue
                edited = st.data_editor(
                    ingest.mapping_table(entry),
                    key=f"import_mapping_{number}_{table}",
                    hide_index=True,
                    disabled=["file column", "fills empty cells of"],
                    column_config={
                        "file column": st.column_config.TextColumn(_("File column")),
                        "workbench column": st.column_config.SelectboxColumn(
                            _("Workbench column"),
                            options=["", *vocabulary.CANONICAL_COLUMNS[table]],
                        ),
                        "fills empty cells of": st.column_config.TextColumn(
                            _("Fills empty cells of"),
                            help=_(
                                "Read where the column mapped to it is empty, "
                                "in the order shown."
                            ),
                        ),
                        "fills": st.column_config.CheckboxColumn(
                            _("Fills"),
                            help=_(
                                "Untick to leave this column unread, also where "
                                "the column mapped to it is empty."
                            ),
                        ),
                    },
                )
                chosen = ingest.mapping_from_table(table, edited)
                if table != entry.table or chosen.columns != entry.mapping:
                    mappings[entry.name] = chosen
    return Review(proposed, mappings, recognised)


def recognised_files(review: Review, report: ingest.ImportReport) -> None:
    """Draw the recognised files' table, a large file's rows as the check counted them."""
    if review.recognised is None:
        return
    with review.recognised:
        dataframe(
            ingest.files_frame(review.proposed, report.files),
            hide_index=True,
            key="import_recognised",
        )


def check(
    upload: Upload, mappings: dict[str, ingest.ColumnMapping]
) -> ingest.ImportReport:
    """Check the import without changing anything (once per choice of options)."""
    files = upload.files
    options_key = hashlib.sha256(
        repr(
            (
                [(name, hashlib.sha256(data).hexdigest()) for name, data in files],
                sorted(upload.options().items()),
                sorted(
                    (k, v.table, sorted(v.columns.items())) for k, v in mappings.items()
                ),
                session.data_version(),
            )
        ).encode()
    ).hexdigest()
    checked = st.session_state.get("import_checked")
    if not checked or checked[0] != options_key:
        with st.spinner(_("Checking every value and reference…")):
            report = actions.import_uploads(
                files, dry_run=True, mappings=mappings, **upload.options()
            )
        st.session_state["import_checked"] = (options_key, report)
    else:
        report = checked[1]
    return report


def report_and_commit(
    upload: Upload,
    mappings: dict[str, ingest.ColumnMapping],
    report: ingest.ImportReport,
) -> None:
    """Show the validation report and, when nothing is wrong, the commit button."""
    st.subheader(_("Validation report"))
    errors = len(report.errors)
    warnings = len(report.problems) - errors
    cols = st.columns(3)
    cols[0].metric(_("Errors"), format_number(errors))
    cols[1].metric(_("Warnings"), format_number(warnings))
    cols[2].metric(_("Files"), format_number(len({f.name for f in report.files})))
    kinds = ingest.summary.warning_kinds(report.problems)
    if kinds:
        st.caption(_("Warnings by kind (errors are listed first in the table below):"))
        dataframe(
            pl.DataFrame(ingest.summary.readable_kinds(kinds)),
            hide_index=True,
            key="import_warning_kinds",
            column_config={"kind": _("Kind of warning"), "count": _("Warnings")},
        )
    problems = ingest.readable_problems(report.problems_frame())
    if problems.height:
        dataframe(problems, hide_index=True, key="import_problems")
        csv_download(
            problems,
            _("Download the report (CSV)"),
            "import_report.csv",
            "import_report_download",
        )
    plan_table(report)
    left_out = ingest.summary.rows_left_out(report.plan)
    if errors:
        st.error(
            _(
                "The import would be rejected: fix the errors above (or the mapping) "
                "and upload again. Nothing has been changed."
            )
        )
        return
    if left_out:
        st.warning(
            _(
                "{count} row(s) of the files will be left out (the plan and the "
                "warnings say why); the rest can be imported."
            ).format(count=format_number(left_out))
        )
    else:
        st.success(_("Everything can be imported. Warnings will stay visible."))
    if st.button(_("Commit the import"), key="import_commit", type="primary"):
        _commit(upload, mappings)


def plan_table(report: ingest.ImportReport) -> None:
    """Show per table the rows to add, update and leave out, and why."""
    if not report.plan:
        return
    st.subheader(_("What the import will do") if report.dry_run else _("What was done"))
    dataframe(ingest.plan_frame(report.plan), hide_index=True, key="import_plan")


def _commit(upload: Upload, mappings: dict[str, ingest.ColumnMapping]) -> None:
    """Commit the checked import; show what it added (not the table totals)."""
    bar = st.progress(0.0, text=_("starting"))
    with st.status(_("Importing…"), expanded=False) as status:
        result = actions.import_uploads(
            upload.files,
            mappings=mappings,
            # the message may name a file: its name is shown as text, never as
            # Markdown (a progress bar's text is Markdown)
            progress=lambda fraction, message: bar.progress(
                min(1.0, fraction), text=ingest.markdown_safe(message)
            ),
            **upload.options(),
        )
        status.update(
            label=_("Imported") if result.ok else _("Rejected"),
            state="complete" if result.ok else "error",
        )
    st.session_state.pop("import_checked", None)
    if result.ok and result.run_id is None:
        st.info(
            _(
                "These files were the last committed import: nothing was written. "
                "Tick “Import again” to apply them once more."
            )
        )
    elif result.ok:
        left_out = ingest.summary.rows_left_out(result.plan)
        if left_out:
            st.warning(
                _(
                    "Imported (run {run}), with {count} row(s) of the files left out "
                    "(the warnings say why). Rows added and updated:"
                ).format(run=result.run_id, count=format_number(left_out))
            )
        else:
            st.success(
                _("Imported (run {run}). Rows added and updated:").format(
                    run=result.run_id
                )
            )
        dataframe(ingest.plan_frame(result.plan), hide_index=True, key="import_counts")
    else:
        st.error(_("Rejected: nothing was changed."))
        dataframe(
            ingest.readable_problems(result.problems_frame()),
            hide_index=True,
            key="import_commit_problems",
        )


def past_imports(can_import: bool) -> None:
    """Show the past import runs and the undo of the last one."""
    actor = session.current_actor()
    st.subheader(_("Past imports"))
    runs = reads.import_runs()
    if runs.height:
        dataframe(
            terms.localise_values(ingest.summary.readable_runs(runs)),
            hide_index=True,
            key="import_runs_table",
        )
    else:
        st.text(_("No imports yet."))

    undoable = reads.last_undoable_import()
    if can_import and undoable is not None:
        st.caption(
            _(
                "Undo puts back every row that import run {run} added or changed, "
                "exactly as it was before, and a demo portfolio it replaced with "
                "the work done on it. It is refused while work done since (a "
                "plan, a decision, an estimate) names a record the import added."
            ).format(run=undoable)
        )
        if st.button(
            _("Undo last import (run {run})").format(run=undoable), key="import_undo"
        ):
            try:
                undone = actions.undo_last_import(actor)
                st.success(
                    _("Import run {run} was undone.").format(run=undone["run_id"])
                )
            except WorkbenchError as error:
                show_refusal(error)


def currency_setting(can_import: bool) -> None:
    """Show the currency every amount is in; analysts may change it."""
    current = reads.portfolio_currency()
    with st.expander(_("Currency of the amounts: {currency}").format(currency=current)):
        st.caption(
            _(
                "The amounts in your exports are taken as they are, in one currency "
                "for the whole workbench; every page shows it beside each amount. "
                "Changing it converts nothing."
            )
        )
        choices = list(dict.fromkeys([current, *COMMON_CURRENCIES]))
        with st.form("imp_currency_form", border=False):
            chosen = st.selectbox(
                _("Currency"),
                choices,
                key="imp_currency",
                disabled=not can_import,
                accept_new_options=True,
                help=_("Three letters (ISO 4217), e.g. CNY, TWD, EUR."),
            )
            saved = st.form_submit_button(
                _("Save the currency"), disabled=not can_import
            )
        if saved and chosen:
            try:
                code = actions.set_currency(str(chosen))
            except WorkbenchError as error:
                show_refusal(error)
            else:
                notify_after_rerun(
                    _("Amounts are now shown in {currency}.").format(currency=code)
                )
                st.rerun()
