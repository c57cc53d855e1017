"""Hosted mode: who may sign in and with which role. Pure Python, no Streamlit.

Local single-user mode (the default) needs no login. Hosted mode is switched on by
``hosted = true`` in the ``[workbench]`` section of ``.streamlit/secrets.toml`` or
by the environment variable ``WORKBENCH_HOSTED=1``. The environment can switch it
on but never off, so a container image that sets it fails closed even when its
secrets are missing.

People sign in either through Streamlit's own OIDC login (``st.login``, configured
in the ``[auth]`` secrets section; roles are mapped by e-mail address) or, for
teams without an identity provider, with a user name and a password checked
against salted scrypt hashes kept in the secrets::

    [workbench]
    hosted = true
    oidc_default_role = "viewer"     # optional: role of OIDC users not listed

    [workbench.users.alice]
    role = "analyst"
    password_hash = "scrypt$16384$8$1$…$…"   # workbench hash-password

    [workbench.roles]                # OIDC e-mail address → role
    "ceo@example.com" = "viewer"

``WORKBENCH_USERS`` may hold the same users as JSON
(``{"alice": {"role": "analyst", "password_hash": "…"}}``) for containers that
pass settings through the environment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast, get_args

from workbench.domain import Actor, Role
from workbench.errors import WorkbenchError

HOSTED_ENV_VAR = "WORKBENCH_HOSTED"
USERS_ENV_VAR = "WORKBENCH_USERS"
SECRETS_SECTION = "workbench"
ROLES: tuple[str, ...] = get_args(Role)

# scrypt cost: 2^14 × 8 × 128 bytes = 16 MB and about 50 ms per check, the
# parameters OWASP lists as a floor for interactive logins.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_SCRYPT_MAXMEM = 64 * 1024 * 1024
_SALT_BYTES = 16
_KEY_BYTES = 32
# Bounds on what a stored hash may ask for, so a mistyped secret cannot make each
# login take minutes or gigabytes.
_MAX_SCRYPT_N = 2**20
_MAX_PBKDF2_ITERATIONS = 5_000_000


class HostedConfigError(WorkbenchError):
    """The hosted-mode settings are wrong; nobody can sign in until they are fixed."""


@dataclass(frozen=True)
class UserRecord:
    """One person allowed to sign in with a password."""

    name: str
    role: Role
    password_hash: str


@dataclass(frozen=True)
class HostedSettings:
    """Everything the sign-in gate needs to know, read once per script run.

    Attributes:
        hosted: whether a login is required at all.
        users: password users by lower-cased user name.
        oidc_providers: names to pass to ``st.login``; ``""`` is the default
            provider (an ``[auth]`` section with its own ``client_id``).
        oidc_roles: roles of OIDC users by lower-cased e-mail address.
        oidc_default_role: role for OIDC users not listed, or ``None`` to refuse them.
    """

    hosted: bool
    users: Mapping[str, UserRecord] = field(default_factory=dict)
    oidc_providers: tuple[str, ...] = ()
    oidc_roles: Mapping[str, Role] = field(default_factory=dict)
    oidc_default_role: Role | None = None

    @property
    def oidc_configured(self) -> bool:
        """Whether Streamlit's OIDC login is set up in the ``[auth]`` section."""
        return bool(self.oidc_providers)

    @property
    def can_sign_in(self) -> bool:
        """Whether anybody at all could sign in with these settings."""
        return bool(self.users) or self.oidc_configured


LOCAL_SETTINGS = HostedSettings(hosted=False)


# --- password hashes ---------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def hash_password(
    password: str,
    *,
    salt: bytes | None = None,
    n: int = SCRYPT_N,
    r: int = SCRYPT_R,
    p: int = SCRYPT_P,
) -> str:
    """Return a salted scrypt hash of a password, as text to keep in the secrets.

    The format is ``scrypt$N$r$p$<salt, base64>$<key, base64>``; every call uses a
    fresh random salt unless one is given (tests only).

    Raises:
        HostedConfigError: the password is empty.
    """
    if not password:
        raise HostedConfigError("a password cannot be empty")
    salt = salt if salt is not None else secrets.token_bytes(_SALT_BYTES)
    key = hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=_SCRYPT_MAXMEM,
        dklen=_KEY_BYTES,
    )
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(key)}"


@dataclass(frozen=True)
class _ParsedHash:
    scheme: str
    costs: tuple[int, ...]
    salt: bytes
    key: bytes


def _parse_hash(encoded: str) -> _ParsedHash:
    """Split a stored hash into its parts and check its costs are sane.

    Raises:
        HostedConfigError: the text is not a usable hash.
    """
    parts = encoded.split("$")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
            if not (1 < n <= _MAX_SCRYPT_N and 0 < r <= 32 and 0 < p <= 16):
                raise HostedConfigError("a password hash asks for unreasonable costs")
            return _ParsedHash("scrypt", (n, r, p), _unb64(parts[4]), _unb64(parts[5]))
        if parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            iterations = int(parts[1])
            if not 0 < iterations <= _MAX_PBKDF2_ITERATIONS:
                raise HostedConfigError("a password hash asks for unreasonable costs")
            return _ParsedHash(
                "pbkdf2_sha256", (iterations,), _unb64(parts[2]), _unb64(parts[3])
            )
    except (ValueError, TypeError) as error:  # bad numbers or base64
        raise HostedConfigError(f"a password hash cannot be read ({error})") from error
    raise HostedConfigError(
        "a password hash is not in a known format (scrypt$… or pbkdf2_sha256$…); "
        "make one with `workbench hash-password`"
    )


def check_hash_format(encoded: str) -> None:
    """Raise :class:`HostedConfigError` unless the text is a usable password hash.

    Only parses: cheap enough to run on every script run.
    """
    parsed = _parse_hash(encoded)
    if len(parsed.key) < 16 or not parsed.salt:
        raise HostedConfigError("a password hash is too short to be real")


def _derive(password: str, parsed: _ParsedHash) -> bytes:
    secret = password.encode("utf-8")
    if parsed.scheme == "scrypt":
        n, r, p = parsed.costs
        return hashlib.scrypt(
            secret,
            salt=parsed.salt,
            n=n,
            r=r,
            p=p,
            maxmem=_SCRYPT_MAXMEM,
            dklen=len(parsed.key),
        )
    return hashlib.pbkdf2_hmac(
        "sha256", secret, parsed.salt, parsed.costs[0], len(parsed.key)
    )


def verify_password(password: str, encoded: str) -> bool:
    """Return whether the password matches the stored hash, in constant time.

    A malformed hash never matches (and never raises): the settings are checked
    when they are loaded, so here a bad hash only means "refuse".
    """
    try:
        parsed = _parse_hash(encoded)
        key = _derive(password, parsed)
    except (HostedConfigError, ValueError):
        return False
    return hmac.compare_digest(key, parsed.key)


# Checked when the user name is unknown, so that a wrong name takes as long as a
# wrong password and response times do not reveal who has an account. Written
# out rather than hashed at import (50 ms of every command's and app's start):
# ``hash_password("no such user", salt=bytes(16))`` with the cost above, which
# tests/test_auth.py checks it still is.
_DUMMY_HASH = (
    "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
    "uRMxBjDlrxAU4KfwWeVeJGpGDPW5pIkkPOaTSynRzQM="
)


# --- settings ------------------------------------------------------------------------


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _role(value: Any, where: str) -> Role:
    text = str(value).strip().lower()
    if text not in ROLES:
        raise HostedConfigError(
            f"{where}: role {value!r} is not one of {', '.join(ROLES)}"
        )
    return cast("Role", text)


def _users(raw: Any, where: str) -> dict[str, UserRecord]:
    if not isinstance(raw, Mapping):
        raise HostedConfigError(f"{where} must be a table of users")
    users: dict[str, UserRecord] = {}
    for name, entry in raw.items():
        label = f"{where}.{name}"
        if not isinstance(entry, Mapping):
            raise HostedConfigError(f"{label} must have a role and a password_hash")
        password_hash = str(entry.get("password_hash", ""))
        try:
            check_hash_format(password_hash)
        except HostedConfigError as error:
            raise HostedConfigError(f"{label}: {error}") from error
        key = str(name).strip().lower()
        if not key:
            raise HostedConfigError(f"{where}: a user name cannot be empty")
        users[key] = UserRecord(
            name=str(name).strip(),
            role=_role(entry.get("role"), label),
            password_hash=password_hash,
        )
    return users


def _oidc_providers(auth_section: Any) -> tuple[str, ...]:
    if not isinstance(auth_section, Mapping) or not auth_section:
        return ()
    # A flat [auth] with client_id is Streamlit's default provider; [auth.<name>]
    # sub-tables are named providers.
    named = tuple(
        str(key) for key, value in auth_section.items() if isinstance(value, Mapping)
    )
    default = ("",) if "client_id" in auth_section else ()
    return default + named


def load_settings(
    secrets: Mapping[str, Any], environ: Mapping[str, str]
) -> HostedSettings:
    """Read the hosted-mode settings from the secrets and the environment.

    Args:
        secrets: the secrets as a plain mapping (``st.secrets.to_dict()``).
        environ: the process environment (``os.environ``).

    Returns:
        The settings; ``hosted`` is false in local mode.

    Raises:
        HostedConfigError: hosted mode is on but a user, role or hash is wrong,
            or nobody could sign in at all.
    """
    section = secrets.get(SECRETS_SECTION, {})
    if not isinstance(section, Mapping):
        raise HostedConfigError(f"[{SECRETS_SECTION}] in the secrets must be a table")
    hosted = _truthy(section.get("hosted", False)) or _truthy(
        environ.get(HOSTED_ENV_VAR, "")
    )
    if not hosted:
        return LOCAL_SETTINGS
    users = _users(section.get("users", {}), f"[{SECRETS_SECTION}.users]")
    env_users = environ.get(USERS_ENV_VAR, "").strip()
    if env_users:
        try:
            parsed = json.loads(env_users)
        except json.JSONDecodeError as error:
            raise HostedConfigError(
                f"${USERS_ENV_VAR} is not JSON ({error})"
            ) from error
        users.update(_users(parsed, f"${USERS_ENV_VAR}"))
    roles_raw = section.get("roles", {})
    if not isinstance(roles_raw, Mapping):
        raise HostedConfigError(f"[{SECRETS_SECTION}.roles] must map e-mails to roles")
    oidc_roles = {
        str(email).strip().lower(): _role(role, f"[{SECRETS_SECTION}.roles] {email}")
        for email, role in roles_raw.items()
    }
    default_raw = section.get("oidc_default_role")
    settings = HostedSettings(
        hosted=True,
        users=users,
        oidc_providers=_oidc_providers(secrets.get("auth")),
        oidc_roles=oidc_roles,
        oidc_default_role=(
            _role(default_raw, f"[{SECRETS_SECTION}] oidc_default_role")
            if default_raw not in (None, "")
            else None
        ),
    )
    if not settings.can_sign_in:
        raise HostedConfigError(
            "hosted mode is on but no way to sign in is configured: add users under "
            f"[{SECRETS_SECTION}.users] or an OIDC provider under [auth]"
        )
    return settings


# --- signing in ----------------------------------------------------------------------


def authenticate(
    settings: HostedSettings, user_name: str, password: str
) -> Actor | None:
    """Return the actor for a correct user name and password, else ``None``.

    User names are matched without regard to case or surrounding spaces. An unknown
    name costs as much time as a wrong password.
    """
    record = settings.users.get(user_name.strip().lower())
    if record is None:
        verify_password(password, _DUMMY_HASH)
        return None
    if not verify_password(password, record.password_hash):
        return None
    return Actor(name=record.name, role=record.role)


def role_for_email(settings: HostedSettings, email: str | None) -> Role | None:
    """Return the role of an OIDC user by e-mail, the default role, or ``None``."""
    if not email:
        return None
    return settings.oidc_roles.get(email.strip().lower(), settings.oidc_default_role)


def actor_for_oidc(settings: HostedSettings, email: str | None) -> Actor | None:
    """Return the actor for a person signed in through OIDC, or ``None`` if refused."""
    role = role_for_email(settings, email)
    if role is None or email is None:
        return None
    return Actor(name=email.strip(), role=role)


def current_role(settings: HostedSettings, actor: Actor) -> Role | None:
    """Return the role a signed-in password user has now (``None`` if removed).

    The gate calls this at every run, so removing a user or changing a role in the
    secrets takes effect without waiting for people to sign out.
    """
    record = settings.users.get(actor.name.strip().lower())
    return record.role if record is not None else None
