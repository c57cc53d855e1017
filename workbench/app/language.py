"""Which language a session reads: the URL, the picker, the settings, the browser.

Order of precedence: ``?lang=`` in the URL (a shared link opens in its language),
then the session's earlier choice in the sidebar picker, then the workbench's
setting (``language`` under ``[workbench]`` in secrets, or ``$WORKBENCH_LANGUAGE``),
then the browser's language when it is one of the three, else English. The choice
is written back to the URL so that the address bar can be shared as it is.
"""

from __future__ import annotations

import os

import streamlit as st

from workbench import i18n
from workbench.app.entry import run_through_app
from workbench.app.secrets_file import any_secrets_file
from workbench.i18n import (
    format_day,
    format_money,
    format_money_short,
    format_number,
    format_percent,
    gettext,
    ngettext,
)

__all__ = [
    "_",
    "apply_language",
    "format_day",
    "format_money",
    "format_money_short",
    "format_number",
    "format_percent",
    "language_picker",
    "ngettext",
    "restore_language",
]

#: Marks a message for translation and returns it in the session's language.
_ = gettext

LANGUAGE_KEY = "workbench_language"
PICKER_KEY = "language_picker"
QUERY_PARAMETER = "lang"
SETTING_ENV_VAR = "WORKBENCH_LANGUAGE"


def _setting() -> str | None:
    if not any_secrets_file():  # a local install: nothing to parse
        return i18n.normalise_language(os.environ.get(SETTING_ENV_VAR))
    try:
        section = st.secrets.get("workbench", {})
        configured = section.get("language") if hasattr(section, "get") else None
    except FileNotFoundError:  # no secrets file: a local install
        configured = None
    return i18n.normalise_language(configured or os.environ.get(SETTING_ENV_VAR))


def _browser() -> str | None:
    language = i18n.normalise_language(st.context.locale)
    if language is None:
        language = i18n.negotiate(st.context.headers.get("Accept-Language"))
    return language


def apply_language() -> str:
    """Decide this run's language, put it in force for the script; return its tag."""
    # the first thing every page and the entry do: before it, make sure the run
    # goes through the entry (app.py) and not a page script alone
    run_through_app()
    picked = st.session_state.get(PICKER_KEY)
    previous = st.session_state.get(LANGUAGE_KEY)
    if picked in i18n.LANGUAGES and previous and picked != previous:
        # the picker changed since the last run: follow it, and share it in the URL
        chosen = picked
        st.query_params[QUERY_PARAMETER] = picked
    else:
        chosen = (
            i18n.normalise_language(st.query_params.get(QUERY_PARAMETER))
            or previous
            or _setting()
            or _browser()
            or i18n.DEFAULT_LANGUAGE
        )
    st.session_state[LANGUAGE_KEY] = chosen
    return i18n.set_language(chosen)


def restore_language() -> str:
    """Put the language the session's last run decided in force again; return it.

    For a widget's callback: Streamlit runs it before the page, in a context where
    :func:`apply_language` has not run yet (so English would be in force).
    """
    return i18n.set_language(st.session_state.get(LANGUAGE_KEY))


def language_picker() -> None:
    """Show the language picker in the sidebar; a pick reruns the app in it."""
    current = i18n.current_language()
    if st.session_state.get(PICKER_KEY) != current:
        st.session_state[PICKER_KEY] = current
    st.sidebar.selectbox(
        "Language · 语言 · 語言",
        i18n.LANGUAGES,
        format_func=i18n.LANGUAGE_NAMES.__getitem__,
        key=PICKER_KEY,
    )
