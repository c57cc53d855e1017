"""The hosted-mode sign-in gate: the sign-in page, sign-out, and who may pass.

Local mode has no gate. Hosted mode (see :mod:`workbench.auth`) lets nobody past
:func:`require_sign_in` before they sign in with a password or an OIDC provider.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from workbench import auth, store
from workbench.app import hardening
from workbench.app.language import language_picker
from workbench.app.session import (
    ACTOR_KEY,
    METHOD_KEY,
    hosted_settings,
    sign_in_unit,
)
from workbench.domain import Actor
from workbench.i18n import gettext as _
from workbench.throttle import Refusal, SignInThrottle

#: The client address used when Streamlit reports none (a loopback connection:
#: local use, or a reverse proxy on the same host that sends no X-Forwarded-For).
LOCAL_ADDRESS = "local"


@contextmanager
def _login_throttle() -> Iterator[SignInThrottle]:
    # The failures live in the database, not in a Streamlit cache: a browser's
    # "clear cache" message or a restart must not forget them.
    with sign_in_unit() as con:
        yield SignInThrottle(store.SignInLedger(con))


def client_address() -> str:
    """Return the signing-in browser's address as the server sees it.

    Behind a reverse proxy this is the proxy's ``X-Forwarded-For`` only when the
    proxy's address is trusted (``FORWARDED_ALLOW_IPS``, see docs/security.md).
    """
    address = st.context.ip_address
    # Only a real address string counts (a test harness may give something else).
    return address if isinstance(address, str) and address else LOCAL_ADDRESS


def hosted_now() -> bool:
    """Return whether hosted mode is on now (a misconfigured hosted mode counts)."""
    try:
        return hosted_settings().hosted
    except auth.HostedConfigError:
        return True  # misconfigured hosted mode fails closed


def _refusal_text(refusal: Refusal) -> str:
    wait = (
        _("{seconds} s").format(seconds=math.ceil(refusal.seconds))
        if refusal.seconds < 120
        else _("{minutes} min").format(minutes=math.ceil(refusal.seconds / 60))
    )
    if refusal.reason == "address":
        message = _(
            "Too many wrong passwords from your network address; try again in {wait}."
        )
    elif refusal.reason == "everyone":
        message = _(
            "Too many wrong passwords on this server just now; try again in {wait}."
        )
    else:
        message = _("Too many wrong passwords for this user name; try again in {wait}.")
    return message.format(wait=wait)


def _oidc_login_state() -> tuple[bool, str | None]:
    logged_in = bool(st.user.get("is_logged_in", False))
    email = st.user.get("email")
    return logged_in, str(email) if email else None


def _signed_in_actor(settings: auth.HostedSettings) -> Actor | None:
    """Return who is signed in now, with their role as the settings say today."""
    actor = st.session_state.get(ACTOR_KEY)
    if st.session_state.get(METHOD_KEY) == "password" and isinstance(actor, Actor):
        role = auth.current_role(settings, actor)
        return Actor(name=actor.name, role=role) if role is not None else None
    if settings.oidc_configured:
        logged_in, email = _oidc_login_state()
        if logged_in:
            st.session_state[METHOD_KEY] = "oidc"
            return auth.actor_for_oidc(settings, email)
    return None


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
        hardening.install_clear_cache_guard(hosted_now, ACTOR_KEY)
        st.session_state.pop(ACTOR_KEY, None)
        return False
    if not settings.hosted:
        return True
    hardening.install_clear_cache_guard(hosted_now, ACTOR_KEY)
    actor = _signed_in_actor(settings)
    if actor is None:
        st.session_state.pop(ACTOR_KEY, None)
        return False
    st.session_state[ACTOR_KEY] = actor
    with st.sidebar:
        st.text(
            _("Signed in as {name} ({role})").format(name=actor.name, role=actor.role)
        )
        if actor.role == "viewer":
            st.caption(_("Read only: e-mail addresses and phone numbers are masked."))
        if st.button(_("Sign out"), key="workbench_sign_out"):
            _sign_out()
    return True


def _sign_out() -> None:
    method = st.session_state.pop(METHOD_KEY, None)
    st.session_state.pop(ACTOR_KEY, None)
    if method == "oidc":
        st.logout()  # clears Streamlit's identity cookie and reruns
    st.rerun()


def _password_sign_in(
    settings: auth.HostedSettings, user_name: str, password: str
) -> None:
    with _login_throttle() as throttle:
        outcome = throttle.attempt(
            user_name,
            client_address(),
            lambda: auth.authenticate(settings, user_name, password),
        )
    if isinstance(outcome, Refusal):
        st.error(_refusal_text(outcome))
        return
    if outcome is None:
        st.error(_("Wrong user name or password."))
        return
    actor = outcome
    st.session_state[ACTOR_KEY] = actor
    st.session_state[METHOD_KEY] = "password"
    st.rerun()


def sign_in_page() -> None:
    """Render the sign-in screen: OIDC buttons and/or the user-name form."""
    # The picker here too: a person reads the sign-in form in their language.
    language_picker()
    st.title(_("Account-planning workbench"))
    try:
        settings = hosted_settings()
    except auth.HostedConfigError as error:
        st.error(
            _("Nobody can sign in until an admin fixes the settings: {error}").format(
                error=error
            )
        )
        return
    logged_in, email = (
        _oidc_login_state() if settings.oidc_configured else (False, None)
    )
    if logged_in:
        st.warning(
            _("{account} has no role here; ask an admin for one.").format(
                account=email or _("This account")
            )
        )
        if st.button(_("Sign out"), key="workbench_refused_sign_out"):
            st.logout()
        return
    st.write(_("Sign in to see the accounts."))
    for provider in settings.oidc_providers:
        label = (
            _("Sign in with {provider}").format(provider=provider.title())
            if provider
            else _("Sign in with your company account")
        )
        if st.button(
            label, key=f"workbench_oidc_{provider or 'default'}", type="primary"
        ):
            if importlib.util.find_spec("authlib") is None:
                st.error(
                    _("OIDC sign-in needs Authlib: pip install 'workbench[oidc]'.")
                )
            else:
                st.login(provider or None)
    if settings.users:
        with st.form("workbench_sign_in_form"):
            user_name = st.text_input(
                _("User name"), key="workbench_sign_in_user", autocomplete="username"
            )
            password = st.text_input(
                _("Password"),
                type="password",
                key="workbench_sign_in_password",
                autocomplete="current-password",
            )
            submitted = st.form_submit_button(_("Sign in"), type="primary")
        if submitted:
            _password_sign_in(settings, user_name, password)
