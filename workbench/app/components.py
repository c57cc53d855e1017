"""Widgets more than one screen shows: download pairs, number columns, flashes."""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import polars as pl
import pyarrow as pa
import streamlit as st

from workbench import exports, ingest, terms
from workbench.analytics import segment
from workbench.errors import WorkbenchError
from workbench.i18n import current_language, format_number, set_language
from workbench.i18n import gettext as _

if TYPE_CHECKING:
    from collections.abc import Sequence

T = TypeVar("T")

EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Rows a long table shows in the browser: the issues first, as the Segments
#: page's table page shows 200. Each shown row costs every rerun (two 1,000-row
#: tables were about a tenth of an Effort rerun) and a workshop reads the top of
#: the list; the downloads carry every row.
TABLE_ROWS = 200


def first_rows_caption(total: int, shown: int) -> None:
    """Say that a table shows its first ``shown`` of ``total`` rows, when it does.

    For a long table cut to its first rows next to a CSV that holds them all.
    """
    if total > shown:
        st.caption(
            _("The first {shown} of {total} rows; the CSV holds them all.").format(
                shown=format_number(shown), total=format_number(total)
            )
        )


def download_pair(
    frame: pl.DataFrame | Callable[[], pl.DataFrame],
    name: str,
    key: str,
    *,
    labels: tuple[str, str] | None = None,
    sheet: str | None = None,
) -> None:
    """Show a CSV and an Excel download of ``frame`` side by side.

    The files are built only when clicked; ``frame`` may be a function that
    returns the frame, which then also runs only on a click. ``name`` is the
    files' name; ``labels`` replaces the buttons' default "Download CSV" and
    "Download Excel" (the name is a file's, not words to read in a language);
    keys are ``<key>_csv`` and ``<key>_xlsx``.
    """
    csv_label, excel_label = labels or (_("Download CSV"), _("Download Excel"))
    # one row holding both: a row of two columns is three blocks to build and
    # send at every rerun, a horizontal container one
    row = st.container(horizontal=True)
    row.download_button(
        csv_label,
        built_on_click(_built, exports.to_csv_bytes, frame),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )
    row.download_button(
        excel_label,
        built_on_click(_built, exports.to_excel_bytes, frame, sheet or name),
        file_name=f"{name}.xlsx",
        mime=EXCEL_MIME,
        key=f"{key}_xlsx",
        on_click="ignore",
    )


def built_on_click(build: Callable[..., T], *args: Any) -> Callable[[], T]:
    """Return ``build(*args)`` as a download's data, to run when it is clicked.

    Streamlit runs such a function in a worker thread of its own, where this
    run's language (a context variable set by the page) is not in force: a file
    written in the page's language (a plan's Markdown or one-page summary) would
    come out in English on a Chinese page. The language is taken now and put in
    force for the build.
    """
    return functools.partial(_in_language, current_language(), build, *args)


def _in_language(language: str, build: Callable[..., T], *args: Any) -> T:
    set_language(language)
    return build(*args)


def _built(
    write: Callable[..., bytes],
    frame: pl.DataFrame | Callable[[], pl.DataFrame],
    *args: Any,
) -> bytes:
    return write(frame if isinstance(frame, pl.DataFrame) else frame(), *args)


def csv_download(frame: pl.DataFrame, label: str, file_name: str, key: str) -> None:
    """Show one button downloading ``frame`` as CSV, built only when clicked.

    Built with the page, the leaders' overview wrote three CSVs of up to 10,000
    rows at every visit of the Account plans page.
    """
    st.download_button(
        label,
        built_on_click(exports.to_csv_bytes, frame),
        file_name=file_name,
        mime="text/csv",
        key=key,
        on_click="ignore",
    )


#: How the segment and effort tables label their shared figures.
SHARE_COLUMNS: dict[str, Any] = {
    "won_12m": st.column_config.NumberColumn("Won, 12 months", format="%,.0f"),
    "margin": st.column_config.NumberColumn(format="%,.0f"),
    "cost_to_serve": st.column_config.NumberColumn("Cost-to-serve", format="%,.0f"),
    "contribution": st.column_config.NumberColumn(format="%,.0f"),
    "effort_share_pct": st.column_config.NumberColumn("Effort %", format="%.1f"),
    "revenue_share_pct": st.column_config.NumberColumn("Revenue %", format="%.1f"),
    "contribution_share_pct": st.column_config.NumberColumn(
        "Contribution %", format="%.1f"
    ),
}


def choice_column(
    label: str,
    options: Iterable[str],
    words: Callable[[str], str] | None = None,
    **more: Any,
) -> Any:
    """Return an editor's column choosing among ``options`` (each once, in order).

    ``words`` says an option (a code such as ``decider``) in the language in force
    (:mod:`workbench.terms`); the cells keep the option itself, so what is saved
    reads the same in every language.
    """
    return st.column_config.SelectboxColumn(
        label,
        options=list(dict.fromkeys(options)),
        format_func=None if words is None else lambda option: words(str(option)),
        **more,
    )


def share_columns(currency: str) -> dict[str, Any]:
    """Return how the segment tables label their shared figures, in the language in force.

    Amounts say their currency in the header; shares are percent of the portfolio.
    """
    money = "%,.0f"
    return {
        "revenue": st.column_config.NumberColumn(
            _("Revenue a year ({currency})").format(currency=currency), format=money
        ),
        "won_12m": st.column_config.NumberColumn(
            _("Won, 12 months ({currency})").format(currency=currency), format=money
        ),
        "margin": st.column_config.NumberColumn(
            _("Margin ({currency})").format(currency=currency), format=money
        ),
        "cost_to_serve": st.column_config.NumberColumn(
            _("Cost-to-serve ({currency})").format(currency=currency), format=money
        ),
        "contribution": st.column_config.NumberColumn(
            _("Contribution ({currency})").format(currency=currency), format=money
        ),
        "effort_share_pct": st.column_config.NumberColumn(_("Effort %"), format="%.1f"),
        "revenue_share_pct": st.column_config.NumberColumn(
            _("Revenue %"), format="%.1f"
        ),
        "contribution_share_pct": st.column_config.NumberColumn(
            _("Contribution %"), format="%.1f"
        ),
    }


def shown_columns(
    columns: Iterable[str], config: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return a table's column configuration with its headers in the language in force.

    Headers read :func:`workbench.terms.column_header` (the column codes, which the
    downloads carry, are never shown as headers). A column configured with a label
    of its own (an amount naming its currency) keeps it.
    """
    merged = dict(config or {})
    for column in columns:
        entry = merged.get(column)
        if column in merged and entry is None:
            continue  # hidden by the screen
        if isinstance(entry, str) or (
            isinstance(entry, Mapping) and entry.get("label")
        ):
            continue  # labelled by the screen
        label = terms.column_header(column)
        merged[column] = (
            {**entry, "label": label} if isinstance(entry, Mapping) else label
        )
    return merged


#: How a table shows a value that is missing (a file-level problem's row, a
#: large file's rows not counted): the dash terms.py writes for a missing term.
MISSING_VALUE = "–"


def dataframe(
    data: Any, *, column_config: Mapping[str, Any] | None = None, **kwargs: Any
) -> Any:
    """Show a table (``st.dataframe``) with its headers in the language in force.

    A polars frame goes over as the Arrow table Streamlit would have made of it
    (:func:`arrow_table`), without Streamlit's detour through pandas.
    """
    # an Arrow table names its columns in ``column_names``; its ``columns`` are
    # the columns' data
    names = getattr(data, "column_names", None)
    columns = [
        str(c) for c in (names if names is not None else getattr(data, "columns", []))
    ]
    if isinstance(data, pl.DataFrame):
        data = arrow_table(terms.localise_unknown(data))
    # a missing value reads as a dash, as terms.py writes one, not as "None"
    kwargs.setdefault("placeholder", MISSING_VALUE)
    return st.dataframe(
        data, column_config=shown_columns(columns, column_config), **kwargs
    )


def metric_row() -> Any:
    """Return a row for figures (``st.metric``), side by side, wrapping when narrow.

    One block, where ``st.columns`` makes one for the row and one per column:
    every block is a message to each session at every rerun, and with twenty
    sessions at once a server spends most of its time per message
    (docs/performance.md, twenty-seventh pass). A narrow window wraps the
    figures onto a second line instead of cutting their labels short.
    """
    return st.container(horizontal=True, gap="medium")


def opened_expander(label: str, key: str, *, expanded: bool = False) -> Any:
    """Show an expander, collapsed unless ``expanded``; return it when open, else ``None``.

    Its content runs only while it is open (opening it reruns the page), so a
    page whose reader leaves it closed does not build and send what is inside
    at every rerun.
    """
    box = st.expander(label, expanded=expanded, key=key, on_change="rerun")
    return box if box.open else None


def arrow_table(frame: pl.DataFrame) -> pa.Table | pl.DataFrame:
    """Return ``frame`` as the Arrow table ``st.dataframe`` would send of it.

    ``st.dataframe`` turns a polars frame into a pandas one and that into Arrow,
    which costs milliseconds a table at every rerun (a 200-row page of the
    accounts table: about 4 ms, against 0.5 ms straight from polars). For frames
    of text, numbers and truth values this is the same table made directly:
    whole numbers with a value missing become floating-point, as pandas holds
    them. Other frames are returned as they are, for Streamlit's own path.
    """
    plain = all(
        dtype.is_integer() or dtype.is_float() or dtype in (pl.String, pl.Boolean)
        for dtype in frame.dtypes
    )
    if not plain:
        return frame
    as_pandas_would = [
        pl.col(name).cast(pl.Float64)
        for name, dtype in frame.schema.items()
        if dtype.is_integer() and frame.get_column(name).null_count()
    ]
    return frame.with_columns(as_pandas_would).to_arrow()


def show_table(
    data: Any,
    key: str | None = None,
    column_config: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """Show a full-width table without its index, headers in the language in force."""
    return dataframe(
        data,
        hide_index=True,
        width="stretch",
        key=key,
        column_config=column_config,
        **kwargs,
    )


#: Messages waiting to be shown as toasts on the next run (a save reruns the page,
#: which would wipe a message shown before the rerun).
TOASTS_KEY = "workbench_pending_toasts"


def notify_after_rerun(message: str) -> None:
    """Queue a confirmation that survives the rerun a save triggers."""
    st.session_state.setdefault(TOASTS_KEY, []).append(message)


def save_then_rerun(save: Callable[[], object], done: str) -> None:
    """Run a write from a form; rerun with ``done`` as a toast, or show its error.

    A refused write (:class:`~workbench.errors.WorkbenchError`) shows its message
    on the page and keeps what the person entered.
    """
    try:
        save()
    except WorkbenchError as error:
        show_refusal(error)
        return
    notify_after_rerun(done)
    st.rerun()


def show_pending_toasts() -> None:
    """Show (once) every confirmation queued before the last rerun."""
    for message in st.session_state.pop(TOASTS_KEY, []):
        st.toast(message, icon=":material/check_circle:")


#: The query parameter that opens a page on one account (``?account=A00042``), as
#: the Effort page links to the map and the plan.
ACCOUNT_PARAMETER = "account"


def preselect_linked_account(key: str, options: Sequence[str]) -> None:
    """Select the account a link names (``?account=``) in the picker ``key``, once.

    Only on the first run of the page with that link: a choice the user makes
    afterwards wins. An ID that is not among ``options`` is ignored.
    """
    linked = st.query_params.get(ACCOUNT_PARAMETER)
    marker = f"{key}__linked"
    if linked and linked in options and st.session_state.get(marker) != linked:
        st.session_state[key] = linked
        st.session_state[marker] = linked


#: The choices of the last few tables a picker listed, by the table's identity
#: (held weakly): the pages' tables are shared objects, one per data version and
#: thresholds, so a rerun lists the same choices without building them again.
_CHOICES: dict[tuple[int, int], tuple[Any, tuple[list[str], list[str]]]] = {}
_CHOICES_KEPT = 16
_CHOICES_LOCK = threading.Lock()


def account_choices(table: pl.DataFrame, limit: int) -> tuple[list[str], list[str]]:
    """Return :func:`~workbench.analytics.segment.account_choices`, kept per table.

    The lists returned are shared: read them, do not change them.
    """
    key = (id(table), limit)
    with _CHOICES_LOCK:
        kept = _CHOICES.get(key)
    if kept is not None and kept[0]() is table:
        return kept[1]
    choices = segment.account_choices(table, limit)
    with _CHOICES_LOCK:
        for stale in [k for k, (ref, _c) in _CHOICES.items() if ref() is None]:
            del _CHOICES[stale]
        while len(_CHOICES) >= _CHOICES_KEPT:
            del _CHOICES[next(iter(_CHOICES))]
        _CHOICES[key] = (weakref.ref(table), choices)
    return choices


def pick_account(table: pl.DataFrame, limit: int, key: str) -> str | None:
    """Show a picker of the first ``limit`` accounts of ``table``; return the chosen ID.

    Returns ``None`` (and shows nothing) when the table has no accounts. The
    picker's value is the row's position, so two accounts of one name stay apart.
    """
    ids, labels = account_choices(table, limit)
    if not ids:
        return None
    picked = st.selectbox(
        _("Account"), range(len(ids)), format_func=labels.__getitem__, key=key
    )
    return ids[picked]


def show_refusal(error: WorkbenchError) -> None:
    """Show why an action was refused, in the reader's language, as plain text.

    The sentence names what the user supplied (a file ``**x**.csv``, a value
    ``$5``, a currency code): escaped, any Markdown in it reads as typed.
    """
    st.error(ingest.markdown_safe(ingest.refusal_text(error)))


def searched_account_picker(
    labels: Mapping[str, str],
    matches: Callable[[str], tuple[Sequence[str], int]],
    *,
    key: str,
    search_key: str,
) -> str:
    """Show a search box, then a picker of the accounts it matches; return the ID.

    ``labels``: every account's label by ID, in the picker's order; ``matches``:
    the IDs a search names (at most a few hundred) and how many match of all
    (:func:`~workbench.analytics.segment.matching_accounts`, cached per search).
    A picker of every account sent ten thousand options to the browser at every
    rerun. The account chosen (or named by a link) stays listed whatever the search.
    """
    query = st.text_input(
        _("Find an account by name or ID"), key=search_key, max_chars=200
    )
    matched, found = matches(query)
    chosen = st.session_state.get(key)
    options = list(matched)
    if isinstance(chosen, str) and chosen in labels and chosen not in matched:
        options.insert(0, chosen)
    account_id: str = st.selectbox(
        _("Account"),
        options=options or [next(iter(labels))],
        format_func=labels.__getitem__,
        key=key,
    )
    counts = {
        "found": format_number(found),
        "total": format_number(len(labels)),
        "listed": format_number(len(matched)),
    }
    if not query.strip() and found > len(matched):
        st.caption(
            _(
                "The first {listed} of {total} accounts are listed (by name); "
                "find the others by name or ID."
            ).format(**counts)
        )
    elif found > len(matched):
        st.caption(
            _(
                "{found} of {total} accounts match; the first {listed} are listed."
            ).format(**counts)
        )
    elif query.strip():
        st.caption(_("{found} of {total} accounts match.").format(**counts))
    return account_id
