"""The one Streamlit-aware module: the cached connection, cached queries, shared widgets.

Pages import this and :mod:`workbench`'s pure modules; nothing else in the library
imports Streamlit. One DuckDB connection serves the whole server process
(``st.cache_resource``); every query takes its own cursor, because Streamlit runs
each session's script in its own thread.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from workbench import auth, demo, domain, plans, store
from workbench.analytics import effort, network, segment
from workbench.domain import LOCAL_ACTOR, Actor
from workbench.errors import WorkbenchError
from workbench.ingest import surveys


@dataclass(frozen=True)
class OpenDatabase:
    """The process-wide database handle and how it came to be."""

    con: store.Connection
    path: str
    created_demo: bool


def _close(db: OpenDatabase) -> None:
    db.con.close()


@st.cache_resource(show_spinner="Opening the database…", on_release=_close)
def _open_database(path: str) -> OpenDatabase:
    # A new user starts with no database: build the demo portfolio so that every
    # page has something real to show, and say so on the Overview.
    created_demo = path != ":memory:" and not Path(path).exists()
    con = store.connect(path)
    if created_demo:
        demo.write_demo(con)
    return OpenDatabase(con=con, path=path, created_demo=created_demo)


def database() -> OpenDatabase:
    """Return the open database named by ``$WORKBENCH_DB`` (or the default file).

    In hosted mode, stops the script unless someone is signed in: no data leaves
    the database for a visitor who has not passed the sign-in gate.
    """
    _stop_unless_signed_in()
    path = store.resolve_db_path()
    return _open_database(str(path) if str(path) == ":memory:" else str(path.resolve()))


def connection() -> store.Connection:
    """Return the process-wide connection; store functions take a cursor from it."""
    return database().con


def data_version() -> int:
    """Return the database's data version, the key that invalidates cached analytics."""
    return store.data_version(connection())


def current_actor() -> Actor:
    """Return who is using the app and their role; pass it to every library write.

    Local single-user mode (the default) is login-free: the one user may do all.
    """
    actor = st.session_state.get("workbench_actor")
    if isinstance(actor, Actor):
        return actor
    # Hosted mode with nobody signed in (the gate normally stops before any page
    # runs): fail closed with a read-only nobody rather than the local admin.
    return LOCAL_ACTOR if not _hosted_mode() else SIGNED_OUT_ACTOR


# --- cached queries: keyed by database path and data version ----------------------


@st.cache_data(show_spinner=False, max_entries=64)
def _portfolio_summary(path: str, version: int) -> dict[str, Any]:
    return store.portfolio_summary(connection())


def portfolio_summary() -> dict[str, Any]:
    """Return the Overview's headline figures, cached until the data changes."""
    return _portfolio_summary(database().path, data_version())


@st.cache_data(show_spinner=False, max_entries=64)
def _accounts_by_industry(path: str, version: int) -> Any:
    return store.accounts_by_industry(connection())


def accounts_by_industry() -> Any:
    """Return accounts and won revenue per industry, cached until the data changes."""
    return _accounts_by_industry(database().path, data_version())


# --- hosted mode: the sign-in gate (issue 10) ----------------------------------------

#: Who a page sees in hosted mode when nobody is signed in: may only read.
SIGNED_OUT_ACTOR = Actor(name="(signed out)", role="viewer")
_ACTOR_KEY = "workbench_actor"
_METHOD_KEY = "workbench_sign_in_method"


def _secrets() -> dict[str, Any]:
    try:
        secrets: dict[str, Any] = st.secrets.to_dict()
    except FileNotFoundError:  # Streamlit's "no secrets" error subclasses it
        # Streamlit treats an unreadable secrets file like a missing one; a file
        # that exists but cannot be read must not silently mean "no login".
        files = [Path(f) for f in st.get_option("secrets.files") or []]
        broken = [str(f) for f in files if f.is_file()]
        if broken:
            raise auth.HostedConfigError(
                f"the secrets file {broken[0]} cannot be read; check its TOML syntax"
            ) from None
        return {}
    return secrets


def hosted_settings() -> auth.HostedSettings:
    """Return the hosted-mode settings from ``st.secrets`` and the environment.

    Raises:
        auth.HostedConfigError: hosted mode is misconfigured (nobody may sign in).
    """
    return auth.load_settings(_secrets(), os.environ)


def _hosted_mode() -> bool:
    try:
        return hosted_settings().hosted
    except auth.HostedConfigError:
        return True


@st.cache_resource
def _login_throttle() -> auth.LoginThrottle:
    # One for the server process: wrong passwords count across sessions.
    return auth.LoginThrottle()


def _oidc_login_state() -> tuple[bool, str | None]:
    logged_in = bool(st.user.get("is_logged_in", False))
    email = st.user.get("email")
    return logged_in, str(email) if email else None


def _signed_in_actor(settings: auth.HostedSettings) -> Actor | None:
    """Return who is signed in now, with their role as the settings say today."""
    actor = st.session_state.get(_ACTOR_KEY)
    if st.session_state.get(_METHOD_KEY) == "password" and isinstance(actor, Actor):
        role = auth.current_role(settings, actor)
        return Actor(name=actor.name, role=role) if role is not None else None
    if settings.oidc_configured:
        logged_in, email = _oidc_login_state()
        if logged_in:
            st.session_state[_METHOD_KEY] = "oidc"
            return auth.actor_for_oidc(settings, email)
    return None


def _stop_unless_signed_in() -> None:
    if isinstance(st.session_state.get(_ACTOR_KEY), Actor) or not _hosted_mode():
        return
    # Only reachable when a page runs without app.py's gate: on a server's very
    # first request for a page URL, Streamlit runs the script from pages/ directly
    # (its old multipage mode) before app.py has ever called st.navigation. Send
    # the visitor to the main script (app.py), whose gate shows the sign-in form.
    ctx = get_script_run_ctx()
    if ctx is None:
        st.stop()
    st.switch_page(ctx.main_script_path)


def require_sign_in() -> bool:
    """Return whether the app's pages may run; call it before ``st.navigation``.

    Local mode: always true, no login. Hosted mode: true when someone is signed
    in; their :class:`Actor` is then in ``st.session_state["workbench_actor"]``
    (read by :func:`current_actor`) and the sidebar shows who it is, with a
    sign-out button. When false, run :func:`sign_in_page` as the only page.
    """
    try:
        settings = hosted_settings()
    except auth.HostedConfigError:
        st.session_state.pop(_ACTOR_KEY, None)
        return False
    if not settings.hosted:
        return True
    actor = _signed_in_actor(settings)
    if actor is None:
        st.session_state.pop(_ACTOR_KEY, None)
        return False
    st.session_state[_ACTOR_KEY] = actor
    with st.sidebar:
        st.text(f"Signed in as {actor.name} ({actor.role})")
        if actor.role == "viewer":
            st.caption("Read only: e-mail addresses and phone numbers are masked.")
        if st.button("Sign out", key="workbench_sign_out"):
            _sign_out()
    return True


def _sign_out() -> None:
    method = st.session_state.pop(_METHOD_KEY, None)
    st.session_state.pop(_ACTOR_KEY, None)
    if method == "oidc":
        st.logout()  # clears Streamlit's identity cookie and reruns
    st.rerun()


def _password_sign_in(
    settings: auth.HostedSettings, user_name: str, password: str
) -> None:
    throttle = _login_throttle()
    wait = throttle.seconds_locked(user_name)
    if wait > 0:
        st.error(
            "Too many wrong passwords for this user name; try again in "
            f"{math.ceil(wait / 60)} min."
        )
        return
    actor = auth.authenticate(settings, user_name, password)
    if actor is None:
        throttle.record_failure(user_name)
        st.error("Wrong user name or password.")
        return
    throttle.record_success(user_name)
    st.session_state[_ACTOR_KEY] = actor
    st.session_state[_METHOD_KEY] = "password"
    st.rerun()


def sign_in_page() -> None:
    """Render the sign-in screen: OIDC buttons and/or the user-name form."""
    st.title("Account-planning workbench")
    try:
        settings = hosted_settings()
    except auth.HostedConfigError as error:
        st.error(f"Nobody can sign in until an admin fixes the settings: {error}")
        return
    logged_in, email = (
        _oidc_login_state() if settings.oidc_configured else (False, None)
    )
    if logged_in:
        st.warning(f"{email or 'This account'} has no role here; ask an admin for one.")
        if st.button("Sign out", key="workbench_refused_sign_out"):
            st.logout()
        return
    st.write("Sign in to see the accounts.")
    for provider in settings.oidc_providers:
        label = (
            f"Sign in with {provider.title()}"
            if provider
            else "Sign in with your company account"
        )
        if st.button(
            label, key=f"workbench_oidc_{provider or 'default'}", type="primary"
        ):
            if importlib.util.find_spec("authlib") is None:
                st.error("OIDC sign-in needs Authlib: pip install 'workbench[oidc]'.")
            else:
                st.login(provider or None)
    if settings.users:
        with st.form("workbench_sign_in_form"):
            user_name = st.text_input(
                "User name", key="workbench_sign_in_user", autocomplete="username"
            )
            password = st.text_input(
                "Password",
                type="password",
                key="workbench_sign_in_password",
                autocomplete="current-password",
            )
            submitted = st.form_submit_button("Sign in", type="primary")
        if submitted:
            _password_sign_in(settings, user_name, password)


# --- buying centre (issue 5) ---------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=16)
def _buying_centre_accounts(path: str, version: int) -> Any:
    return store.buying_centre_accounts(connection())


def buying_centre_accounts() -> Any:
    """Return every account with its number of people, for the account picker."""
    return _buying_centre_accounts(database().path, data_version())


@st.cache_data(show_spinner=False, max_entries=16)
def _data_date_range(path: str, version: int) -> Any:
    return store.data_date_range(connection())


def data_date_range() -> Any:
    """Return the first and last day in the data (``(None, None)`` when empty)."""
    return _data_date_range(database().path, data_version())


@st.cache_data(show_spinner="Reading the buying centre…", max_entries=32)
def _buying_centre(
    path: str, version: int, account_id: str, months: int
) -> domain.BuyingCentreData:
    return store.read_buying_centre(connection(), account_id, months=months)


def buying_centre(account_id: str, months: int) -> domain.BuyingCentreData:
    """Return one account's people, links and our touches in the last ``months``."""
    return _buying_centre(database().path, data_version(), account_id, months)


@st.cache_data(show_spinner=False, max_entries=32)
def _buying_centre_people(path: str, version: int, account_id: str, months: int) -> Any:
    return network.people(_buying_centre(path, version, account_id, months))


def buying_centre_people(account_id: str, months: int) -> Any:
    """Return the account's people with levels, touches and flags (see network.people)."""
    return _buying_centre_people(database().path, data_version(), account_id, months)


@st.cache_data(show_spinner=False, max_entries=32)
def _buying_centre_report(
    path: str, version: int, account_id: str, months: int
) -> network.BuyingCentreReport:
    return network.analyse_buying_centre(
        _buying_centre(path, version, account_id, months)
    )


def buying_centre_report(account_id: str, months: int) -> network.BuyingCentreReport:
    """Return coverage, breadth and depth, risks and whom to reach next."""
    return _buying_centre_report(database().path, data_version(), account_id, months)


@st.cache_data(show_spinner="Drawing the map…", max_entries=16)
def _buying_centre_html(
    path: str,
    version: int,
    account_id: str,
    months: int,
    options: network.MapOptions,
) -> str:
    return network.buying_centre_html(
        _buying_centre(path, version, account_id, months), options
    )


def buying_centre_html(
    account_id: str, months: int, options: network.MapOptions
) -> str:
    """Return the account's map as safe, offline HTML, cached until the data changes."""
    return _buying_centre_html(
        database().path, data_version(), account_id, months, options
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _contact_edit_history(path: str, version: int, account_id: str) -> Any:
    return store.contact_edit_history(connection(), account_id)


def contact_edit_history(account_id: str) -> Any:
    """Return the latest edits to the account's people (who, when, old, new)."""
    return _contact_edit_history(database().path, data_version(), account_id)


# --- segmentation (issue 6) and effort allocation (issue 7) -----------------------


@st.cache_data(show_spinner=False, max_entries=16)
def _segment_as_of(path: str, version: int) -> date:
    return store.resolve_as_of(connection())


def segment_as_of() -> date:
    """Return the default as-of date: the last day in the data."""
    return _segment_as_of(database().path, data_version())


@st.cache_data(show_spinner="Adding up account features…", max_entries=16)
def _account_features(path: str, version: int, as_of: date) -> Any:
    return store.account_features(connection(), as_of)


def account_features(as_of: date) -> Any:
    """Return one row of features per account, cached per data version and as-of date.

    Threshold changes reuse this frame; only the small recompute runs again.
    """
    return _account_features(database().path, data_version(), as_of)


# cache_resource, not cache_data: at 2 million activities this frame has about a
# million rows, and cache_data would unpickle a copy (about 1 s) at every rerun.
# polars frames are immutable, so sharing one between sessions is safe.
@st.cache_resource(show_spinner="Adding up effort…", max_entries=4)
def _effort_aggregates(path: str, version: int, as_of: date) -> Any:
    return store.effort_aggregates(connection(), as_of)


def effort_aggregates(as_of: date) -> Any:
    """Return effort per account × period × dimension, cached like the features."""
    return _effort_aggregates(database().path, data_version(), as_of)


def _effort_segments(as_of: date, thresholds: segment.Thresholds) -> Any:
    return segment.assign_segments(
        account_features(as_of), thresholds, relationship_overrides()
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _effort_breakdown(
    path: str,
    version: int,
    as_of: date,
    thresholds: segment.Thresholds,
    view: str,
) -> Any:
    return effort.effort_breakdown(
        effort_aggregates(as_of),
        _effort_segments(as_of, thresholds),
        view,
        thresholds.minutes_per_activity_without_duration,
    )


def effort_breakdown(as_of: date, thresholds: segment.Thresholds, view: str) -> Any:
    """Return :func:`workbench.effort.effort_breakdown`, cached per view and thresholds."""
    return _effort_breakdown(database().path, data_version(), as_of, thresholds, view)


@st.cache_data(show_spinner=False, max_entries=64)
def _effort_trend(
    path: str,
    version: int,
    as_of: date,
    thresholds: segment.Thresholds,
    by: str,
    granularity: str,
) -> Any:
    return effort.effort_trend(
        effort_aggregates(as_of),
        _effort_segments(as_of, thresholds),
        by,
        granularity,
        thresholds.minutes_per_activity_without_duration,
    )


def effort_trend(
    as_of: date, thresholds: segment.Thresholds, by: str, granularity: str
) -> Any:
    """Return :func:`workbench.effort.effort_trend`, cached per choice and thresholds."""
    return _effort_trend(
        database().path, data_version(), as_of, thresholds, by, granularity
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _seller_effort(
    path: str, version: int, as_of: date, thresholds: segment.Thresholds
) -> Any:
    return effort.seller_effort(
        effort_aggregates(as_of),
        _effort_segments(as_of, thresholds),
        thresholds.minutes_per_activity_without_duration,
    )


def seller_effort(as_of: date, thresholds: segment.Thresholds) -> Any:
    """Return :func:`workbench.effort.seller_effort`, cached per thresholds."""
    return _seller_effort(database().path, data_version(), as_of, thresholds)


@st.cache_data(show_spinner=False, max_entries=16)
def _relationship_overrides(path: str, version: int) -> Any:
    return store.relationship_overrides(connection())


def relationship_overrides() -> Any:
    """Return the manual relationship decisions, cached until the data changes."""
    return _relationship_overrides(database().path, data_version())


@st.cache_data(show_spinner=False, max_entries=16)
def _segment_scenarios(path: str, version: int) -> Any:
    return store.segment_scenarios(connection())


def segment_scenarios() -> Any:
    """Return the saved segmentation scenarios, cached until the data changes."""
    return _segment_scenarios(database().path, data_version())


# --- voice of the customer (issue 8) ------------------------------------------------


@st.cache_data(show_spinner="Reading survey responses…", max_entries=16)
def _voice_responses(path: str, version: int) -> Any:
    return store.nps_responses_enriched(connection())


def voice_responses() -> Any:
    """Return every NPS response with who answered, cached until the data changes."""
    return _voice_responses(database().path, data_version())


@st.cache_data(show_spinner=False, max_entries=16)
def _voice_account_signals(path: str, version: int) -> Any:
    return store.voice_account_signals(connection())


def voice_account_signals() -> Any:
    """Return breadth, freshness and effort per account, cached until data changes."""
    return _voice_account_signals(database().path, data_version())


@st.cache_data(show_spinner=False, max_entries=16)
def _survey_link_targets(path: str, version: int) -> Any:
    return store.survey_link_targets(connection())


def survey_link_targets() -> Any:
    """Return ``(contacts, accounts)`` that survey responses may link to."""
    return _survey_link_targets(database().path, data_version())


@st.cache_data(show_spinner="Sorting accounts into relationship types…", max_entries=16)
def _voice_relationships(path: str, version: int) -> Any:
    con = connection()
    segments = segment.assign_segments(
        store.account_features(con),
        segment.DEFAULT_THRESHOLDS,
        store.relationship_overrides(con),
    )
    return segments.select("account_id", "relationship")


def voice_relationships() -> Any:
    """Return each account's relationship type (default thresholds and overrides)."""
    return _voice_relationships(database().path, data_version())


@st.cache_data(show_spinner="Reading the survey file…", max_entries=8)
def _read_survey_upload(
    path: str,
    version: int,
    file_name: str,
    data: bytes,
    score_column: str | None,
    encoding: str | None,
) -> surveys.SurveyResult:
    contacts, accounts = store.survey_link_targets(connection())
    return surveys.read_survey_file(
        file_name, data, contacts, accounts, score_column, encoding
    )


def read_survey_upload(
    file_name: str, data: bytes, score_column: str | None, encoding: str | None
) -> surveys.SurveyResult:
    """Read an uploaded survey file against the current contacts and accounts."""
    return _read_survey_upload(
        database().path, data_version(), file_name, data, score_column, encoding
    )


def commit_survey_upload(
    file_name: str, data: bytes, result: surveys.SurveyResult
) -> dict[str, int]:
    """Store a read survey's responses as the current user; return what changed."""
    return store.write_survey_responses(
        connection(),
        current_actor(),
        result.responses,
        file_name=file_name,
        file_sha256=hashlib.sha256(data).hexdigest(),
        problems=[p.as_dict() for p in result.problems],
    )


# --- account plans (issue 9) --------------------------------------------------------

#: Editor widgets holding the plan's text, by plan field.
PLAN_TEXT_KEYS: dict[str, str] = {
    "identify": "plan_identify",
    "differentiate": "plan_differentiate",
    "interact": "plan_interact",
    "customise": "plan_customise",
    "value_notes": "plan_value_notes",
}


@st.cache_data(show_spinner=False, max_entries=16)
def _plan_accounts(path: str, version: int) -> Any:
    return plans.plan_accounts(connection())


def plan_accounts() -> Any:
    """Return every account with its current plan version, cached until data change."""
    return _plan_accounts(database().path, data_version())


def plan_account_labels() -> dict[str, str]:
    """Return a label per account ID for the account picker: name and ID.

    The labels stay the same when plans are saved: the picker keeps showing the
    label it first rendered, so a version number in it would go stale.
    """
    accounts = plan_accounts()
    labels = accounts.select(
        "account_id",
        (
            pl.col("name").fill_null("(no name)") + pl.lit(" · ") + pl.col("account_id")
        ).alias("label"),
    )
    return dict(zip(labels["account_id"], labels["label"], strict=True))


@st.cache_data(show_spinner="Computing the situation…", max_entries=32)
def _plan_situation(
    path: str, version: int, account_id: str, refreshed: int
) -> plans.Situation:
    return plans.build_situation(connection(), account_id)


def plan_situation(account_id: str, refreshed: int = 0) -> plans.Situation:
    """Return the account's situation from the analytics (``refreshed`` busts the cache)."""
    return _plan_situation(database().path, data_version(), account_id, refreshed)


@st.cache_data(show_spinner=False, max_entries=64)
def _plan_version(
    path: str, version: int, account_id: str, plan_version: int | None
) -> plans.PlanVersion | None:
    return plans.load_plan(connection(), account_id, plan_version)


def plan_version(
    account_id: str, plan_version: int | None = None
) -> plans.PlanVersion | None:
    """Return one stored version of the account's plan (default: the current one)."""
    return _plan_version(database().path, data_version(), account_id, plan_version)


@st.cache_data(show_spinner=False, max_entries=32)
def _plan_history(path: str, version: int, account_id: str) -> Any:
    return plans.plan_history(connection(), account_id)


def plan_history(account_id: str) -> Any:
    """Return every version of the account's plan, newest first."""
    return _plan_history(database().path, data_version(), account_id)


@st.cache_data(show_spinner=False, max_entries=32)
def _plan_people_choices(path: str, version: int, account_id: str) -> Any:
    return store.plan_people_choices(connection(), account_id)


def plan_people_choices(account_id: str) -> dict[str, list[str]]:
    """Return the account's contacts and our sellers, to pick in the plan's tables."""
    choices: dict[str, list[str]] = _plan_people_choices(
        database().path, data_version(), account_id
    )
    return choices


@st.cache_data(show_spinner="Gathering every plan…", max_entries=16)
def _plans_overview(path: str, version: int, today: date) -> plans.PlansOverview:
    return plans.plans_overview(connection(), today=today)


def plans_overview() -> plans.PlansOverview:
    """Return the leaders' overview of all plans as of today, cached."""
    return _plans_overview(database().path, data_version(), date.today())


def open_plan(account_id: str) -> None:
    """Load the account's current plan into the editor when the account changes.

    Also reloads after a save or when asked (``plan_reload``). The editor remembers
    the version it started from in ``plan_based_on``; saves send it along.
    """
    state = st.session_state
    changed = state.get("plan_loaded_account") != account_id
    if not changed and not state.pop("plan_reload", False):
        return
    current = plan_version(account_id)
    if current is None:
        name = store.account_name(connection(), account_id) or account_id
        plan = plans.new_plan(account_id, name, plan_situation(account_id))
    else:
        plan = current.plan
    for field_name, key in PLAN_TEXT_KEYS.items():
        state[key] = getattr(plan, field_name)
    state["plan_status"] = plan.status
    state["plan_relationship"] = plan.relationship or ""
    state["plan_value_services"] = list(plan.value_services)
    state["plan_base"] = plan
    state["plan_situation"] = plan.situation
    state["plan_based_on"] = current.version if current else 0
    state["plan_loaded_account"] = account_id
    # New editor keys: the tables' pending edits belong to the plan just replaced.
    state["plan_editor_nonce"] = int(state.get("plan_editor_nonce", 0)) + 1
    if changed:
        state.pop("plan_conflict", None)


def plan_editor_key(table: str) -> str:
    """Return the widget key of one of the plan's table editors (objectives, …)."""
    return f"plan_{table}_{st.session_state.get('plan_editor_nonce', 0)}"


def refresh_plan_situation(account_id: str) -> None:
    """Recompute the situation from today's data into the editor (saved with the plan)."""
    refreshed = int(st.session_state.get("plan_situation_refreshed", 0)) + 1
    st.session_state["plan_situation_refreshed"] = refreshed
    st.session_state["plan_situation"] = plan_situation(account_id, refreshed)


def _as_polars(frame: Any) -> pl.DataFrame:
    # st.data_editor hands back the type it was given; accept pandas too.
    return frame if isinstance(frame, pl.DataFrame) else pl.from_pandas(frame)


def plan_from_editor(
    account_id: str, objectives: Any, actions: Any, risks: Any
) -> plans.Plan:
    """Return the plan as the editor's widgets hold it now."""
    state = st.session_state
    base: plans.Plan = state["plan_base"]
    return plans.Plan(
        account_id=account_id,
        account_name=base.account_name,
        status=str(state.get("plan_status") or "draft"),
        situation=state.get("plan_situation"),
        relationship=state.get("plan_relationship") or None,
        value_services=list(state.get("plan_value_services") or []),
        objectives=plans.objectives_from_frame(_as_polars(objectives)),
        actions=plans.actions_from_frame(_as_polars(actions)),
        risks=plans.risks_from_frame(_as_polars(risks)),
        **{name: str(state.get(key) or "") for name, key in PLAN_TEXT_KEYS.items()},
    )


def add_suggested_plan_actions(
    account_id: str, objectives: Any, actions: Any, risks: Any
) -> None:
    """Append the situation's suggested actions to the editor, keeping unsaved edits.

    The tables' current content becomes the editors' new starting point (still
    unsaved), with the suggestions the plan lacks added to the actions.
    """
    state = st.session_state
    edited = plan_from_editor(account_id, objectives, actions, risks)
    added = plans.add_suggested_actions(edited)
    base: plans.Plan = state["plan_base"]
    state["plan_base"] = replace(
        base, objectives=edited.objectives, actions=edited.actions, risks=edited.risks
    )
    state["plan_editor_nonce"] = int(state.get("plan_editor_nonce", 0)) + 1
    state["plan_flash"] = (
        ("success", f"Added {added} suggested actions. Set dates, then save.")
        if added
        else ("info", "The situation suggests no actions the plan does not have.")
    )
    st.rerun()


def save_plan_from_editor(plan: plans.Plan) -> None:
    """Save the edited plan as the current user, based on the version it started from.

    Success reloads the editor on the new version. A refused save keeps the
    author's plan in ``plan_conflict`` (and in the widgets) for merging; a rejected
    one leaves a message in ``plan_flash``.
    """
    state = st.session_state
    try:
        saved = plans.save_plan(
            connection(), current_actor(), plan, based_on=int(state["plan_based_on"])
        )
    except plans.PlanConflictError as conflict:
        state["plan_conflict"] = {
            "account_id": plan.account_id,
            "mine": conflict.mine,
            "message": str(conflict),
            "current_version": conflict.current_version,
        }
        return
    except WorkbenchError as error:
        state["plan_flash"] = ("error", str(error))
        return
    state["plan_flash"] = (
        "success",
        f"Saved version {saved.version} of the plan for {plan.account_name}.",
    )
    state["plan_reload"] = True
    state.pop("plan_conflict", None)
    st.rerun()


def restore_plan_version(account_id: str, version: int, seen_current: int) -> None:
    """Save an older version again as the current one, then reload the editor.

    ``seen_current`` is the version the user saw as current; a newer save made
    meanwhile makes this refuse rather than overwrite (message in ``plan_flash``).
    """
    state = st.session_state
    try:
        saved = plans.restore_version(
            connection(), current_actor(), account_id, version, based_on=seen_current
        )
    except WorkbenchError as error:
        state["plan_flash"] = ("error", str(error))
    else:
        state["plan_flash"] = (
            "success",
            f"Version {version} is current again, saved as version {saved.version}.",
        )
        state["plan_reload"] = True
    st.rerun()


def plan_conflict(account_id: str) -> dict[str, Any] | None:
    """Return the refused save waiting to be merged for this account, if any."""
    conflict = st.session_state.get("plan_conflict")
    if isinstance(conflict, dict) and conflict.get("account_id") == account_id:
        return conflict
    return None


def build_on_current_version() -> None:
    """Keep the author's text and base the next save on the version now current."""
    conflict = st.session_state.pop("plan_conflict", None)
    if conflict:
        st.session_state["plan_based_on"] = int(conflict["current_version"])


def discard_and_reload_plan() -> None:
    """Drop the author's unsaved text and load the current version."""
    st.session_state.pop("plan_conflict", None)
    st.session_state["plan_reload"] = True


def show_plan_situation(situation: plans.Situation | None) -> None:
    """Render the situation: each source's facts and tables, or why it is pending."""
    if situation is None:
        st.info("No situation computed yet: press **Refresh the situation**.")
        return
    st.caption(
        f"As of **{situation.as_of}**, computed "
        f"{situation.computed_at:%Y-%m-%d %H:%M} UTC."
    )
    for part in situation.parts:
        with st.expander(part.title, expanded=part.key in ("crm", "segment")):
            if part.status != "ready":
                st.warning(f"{part.status.capitalize()}: {part.note}")
                continue
            if part.note:
                st.caption(part.note)
            facts = pl.DataFrame(
                {
                    "figure": [f.label for f in part.facts],
                    "value": [plans.format_value(f.value, f.unit) for f in part.facts],
                },
                schema={"figure": pl.String, "value": pl.String},
            )
            st.dataframe(facts, hide_index=True, width="stretch")
            for table in part.tables:
                st.markdown(f"**{table.title}**")
                st.dataframe(
                    pl.DataFrame(table.rows, schema=table.columns, orient="row"),
                    hide_index=True,
                    width="stretch",
                )


def draft_empty_plan_sections() -> None:
    """Fill the editor's empty sections with drafts from the situation (a callback)."""
    state = st.session_state
    situation = state.get("plan_situation")
    if situation is None:
        return
    filled = []
    for name, text in plans.draft_sections(situation).items():
        key = PLAN_TEXT_KEYS[name]
        if text and not str(state.get(key) or "").strip():
            state[key] = text
            filled.append(name)
    state["plan_flash"] = (
        (
            "success",
            "Drafted from the situation: " + ", ".join(filled) + ". Edit, then save.",
        )
        if filled
        else (
            "info",
            "Every section already has text, or the situation has nothing to add.",
        )
    )


# --- import of CRM exports (issue 4) ---------------------------------------------


@st.cache_data(show_spinner=False, max_entries=16)
def _import_runs(path: str, version: int) -> Any:
    return store.import_runs(connection())


def import_runs() -> Any:
    """Return the latest import runs (newest first), cached until the data changes."""
    return _import_runs(database().path, data_version())


def last_undoable_import() -> int | None:
    """Return the import run that Undo would undo, or None."""
    return store.last_undoable_import(connection())


def undo_last_import(actor: Actor) -> dict[str, Any]:
    """Undo the last committed import (the library checks the actor's role)."""
    return store.undo_last_import(connection(), actor)
