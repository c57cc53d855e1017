"""Hosted mode: password hashes, settings, roles, and the sign-in gate under AppTest."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import APP
from workbench import access, auth, ingest, plans, privacy, store
from workbench.domain import Actor
from workbench.errors import PermissionDeniedError
from workbench.throttle import DEFAULT_LIMITS

# Cheap hashes keep the tests fast; the production cost is tested once below.
FAST = {"n": 2**10, "r": 8, "p": 1}
VIEWER_HASH = auth.hash_password("viewer-pass", **FAST)
ANALYST_HASH = auth.hash_password("analyst-pass", **FAST)


def _secrets(**section: object) -> dict[str, object]:
    return {
        "workbench": {
            "hosted": True,
            "users": {
                "Vera": {"role": "viewer", "password_hash": VIEWER_HASH},
                "anna": {"role": "analyst", "password_hash": ANALYST_HASH},
            },
            **section,
        }
    }


# --- hashes ------------------------------------------------------------------------


def test_hash_is_salted_and_verifies():
    first = auth.hash_password("correct horse")
    second = auth.hash_password("correct horse")
    assert first != second  # a fresh salt each time
    assert first.startswith(f"scrypt${auth.SCRYPT_N}$8$1$")
    assert auth.verify_password("correct horse", first)
    assert auth.verify_password("correct horse", second)
    assert not auth.verify_password("correct horsE", first)
    assert not auth.verify_password("", first)


def test_pbkdf2_hashes_are_accepted():
    import base64
    import hashlib

    salt = b"0123456789abcdef"
    key = hashlib.pbkdf2_hmac("sha256", b"pw", salt, 1000)
    encoded = (
        f"pbkdf2_sha256$1000${base64.b64encode(salt).decode()}"
        f"${base64.b64encode(key).decode()}"
    )
    assert auth.verify_password("pw", encoded)
    assert not auth.verify_password("pw2", encoded)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "plain-text-password",
        "md5$abc",
        "scrypt$16384$8$1$not base64!$AAAA",
        "scrypt$99999999$8$1$AAAA$AAAA",  # absurd cost
        "pbkdf2_sha256$0$AAAA$AAAA",
    ],
)
def test_malformed_hashes_never_match_and_are_rejected_in_settings(bad):
    assert not auth.verify_password("anything", bad)
    with pytest.raises(auth.HostedConfigError):
        auth.load_settings(
            {
                "workbench": {
                    "hosted": True,
                    "users": {"x": {"role": "viewer", "password_hash": bad}},
                }
            },
            {},
        )


def test_empty_password_cannot_be_hashed():
    with pytest.raises(auth.HostedConfigError):
        auth.hash_password("")


def test_unknown_user_costs_as_much_as_a_wrong_password(monkeypatch):
    settings = auth.load_settings(
        {
            "workbench": {
                "hosted": True,
                "users": {
                    "u": {"role": "viewer", "password_hash": auth.hash_password("pw")}
                },
            }
        },
        {},
    )

    derived: list[str] = []
    real_derive = auth._derive

    def counting(password, parsed):
        derived.append(password)
        return real_derive(password, parsed)

    monkeypatch.setattr(auth, "_derive", counting)
    for name in ("u", "nobody"):
        derived.clear()
        for _ in range(3):
            assert auth.authenticate(settings, name, "wrong") is None
        # a known and an unknown name both cost one full scrypt per attempt, so
        # the time taken does not tell which names exist
        assert len(derived) == 3, name


def test_the_hash_an_unknown_name_is_checked_against_costs_what_a_real_one_does():
    # written out in the module (hashing it at import cost every start 50 ms):
    # it must stay the hash of its text under the cost new hashes are made with
    assert (
        auth.hash_password("no such user", salt=bytes(auth._SALT_BYTES))
        == auth._DUMMY_HASH
    )


# --- settings ----------------------------------------------------------------------


def test_local_mode_is_the_default():
    assert auth.load_settings({}, {}) == auth.LOCAL_SETTINGS
    assert not auth.load_settings({"workbench": {"hosted": False}}, {}).hosted


def test_environment_switches_hosted_mode_on_but_never_off():
    with pytest.raises(auth.HostedConfigError, match="no way to sign in"):
        auth.load_settings({}, {auth.HOSTED_ENV_VAR: "1"})
    settings = auth.load_settings(_secrets(), {auth.HOSTED_ENV_VAR: "0"})
    assert settings.hosted


def test_users_come_from_secrets_and_environment():
    env_users = {"ops": {"role": "admin", "password_hash": ANALYST_HASH}}
    settings = auth.load_settings(
        _secrets(), {auth.USERS_ENV_VAR: json.dumps(env_users)}
    )
    assert sorted(settings.users) == ["anna", "ops", "vera"]
    assert settings.users["vera"].role == "viewer"
    assert settings.users["ops"].role == "admin"
    with pytest.raises(auth.HostedConfigError, match="not JSON"):
        auth.load_settings(_secrets(), {auth.USERS_ENV_VAR: "{oops"})


@pytest.mark.parametrize(
    "section",
    [
        {"users": {"x": {"role": "superuser", "password_hash": VIEWER_HASH}}},
        {"users": {"x": "just-a-string"}},
        {"users": ["x"]},
        {"roles": {"a@b.c": "owner"}},
        {"oidc_default_role": "root"},
    ],
)
def test_bad_settings_are_refused(section):
    secrets = _secrets()
    secrets["workbench"].update(section)  # type: ignore[attr-defined]
    with pytest.raises(auth.HostedConfigError):
        auth.load_settings(secrets, {})


def test_password_sign_in():
    settings = auth.load_settings(_secrets(), {})
    assert auth.authenticate(settings, "vera", "viewer-pass") == Actor("Vera", "viewer")
    assert auth.authenticate(settings, "  VERA ", "viewer-pass") == Actor(
        "Vera", "viewer"
    )
    assert auth.authenticate(settings, "anna", "analyst-pass") == Actor(
        "anna", "analyst"
    )
    assert auth.authenticate(settings, "vera", "analyst-pass") is None
    assert auth.authenticate(settings, "nobody", "viewer-pass") is None
    assert auth.current_role(settings, Actor("Vera", "viewer")) == "viewer"
    assert auth.current_role(settings, Actor("gone", "admin")) is None


def test_oidc_roles_are_mapped_by_email():
    secrets = _secrets(
        roles={"CEO@Example.com": "viewer", "kam@example.com": "analyst"}
    )
    secrets["auth"] = {
        "redirect_uri": "https://wb.example.com/oauth2callback",
        "cookie_secret": "x" * 32,
        "google": {"client_id": "id", "client_secret": "s", "server_metadata_url": "u"},
    }
    settings = auth.load_settings(secrets, {})
    assert settings.oidc_providers == ("google",)
    assert auth.actor_for_oidc(settings, "ceo@example.com") == Actor(
        "ceo@example.com", "viewer"
    )
    assert auth.actor_for_oidc(settings, "kam@example.com").role == "analyst"  # type: ignore[union-attr]
    assert auth.actor_for_oidc(settings, "stranger@example.com") is None
    assert auth.actor_for_oidc(settings, None) is None
    secrets["workbench"]["oidc_default_role"] = "viewer"  # type: ignore[index]
    open_door = auth.load_settings(secrets, {})
    assert auth.actor_for_oidc(open_door, "stranger@example.com") == Actor(
        "stranger@example.com", "viewer"
    )


def test_flat_auth_section_is_the_default_provider():
    secrets = {
        "workbench": {"hosted": True},
        "auth": {"redirect_uri": "r", "cookie_secret": "c", "client_id": "i"},
    }
    settings = auth.load_settings(secrets, {})
    assert settings.oidc_providers == ("",)
    assert settings.can_sign_in and not settings.users


# The sign-in throttle (per user name, per address, for everyone) is tested in
# tests/test_throttle.py.


# --- the gate in the app (AppTest) ----------------------------------------------------


def _hosted_app(secrets: dict[str, object]) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    for key, value in secrets.items():
        app.secrets[key] = value
    return app


def _sign_in(app: AppTest, user: str, password: str) -> AppTest:
    app.text_input(key="workbench_sign_in_user").input(user)
    app.text_input(key="workbench_sign_in_password").input(password)
    return app.button[0].click().run()


def test_local_mode_needs_no_login(at):
    assert not at.text_input
    assert {m.label for m in at.metric} >= {"Accounts"}


def test_hosted_mode_shows_only_the_sign_in_form(app_db: Path):
    app = _hosted_app(_secrets()).run()
    assert not app.exception, app.exception
    assert not app.metric  # no figures before signing in
    assert [t.key for t in app.text_input] == [
        "workbench_sign_in_user",
        "workbench_sign_in_password",
    ]
    assert "workbench_actor" not in app.session_state


def test_wrong_password_is_refused(app_db: Path):
    app = _sign_in(_hosted_app(_secrets()).run(), "vera", "analyst-pass")
    assert not app.exception, app.exception
    assert [e.value for e in app.error] == ["Wrong user name or password."]
    assert "workbench_actor" not in app.session_state
    assert not app.metric
    app = _sign_in(app, "mallory", "viewer-pass")
    assert [e.value for e in app.error] == ["Wrong user name or password."]
    assert "workbench_actor" not in app.session_state


def test_viewer_signs_in_reads_and_cannot_write(app_db: Path):
    app = _sign_in(_hosted_app(_secrets()).run(), "vera", "viewer-pass")
    assert not app.exception, app.exception
    actor = app.session_state["workbench_actor"]
    assert actor == Actor("Vera", "viewer")
    assert {m.label: m.value for m in app.metric}["Accounts"] == "60"
    assert "Signed in as Vera (viewer)" in [t.value for t in app.sidebar.text]
    # The library refuses the viewer's writes whatever the page shows.
    con = store.connect(app_db)
    try:
        contacts = store.read_table(con, "contacts").head(20)
        accounts = store.read_table(con, "accounts")
        before = {t: store.read_table(con, t) for t in store.list_tables_static()}
        version = store.data_version(con)
        change = pl.DataFrame(
            {
                "contact_id": [contacts["contact_id"][0]],
                "field": ["attitude"],
                "new_value": ["blocker"],
            }
        )
        account_id = accounts["account_id"][0]
        writes = [
            lambda: store.save_contact_edits(con, actor, change),
            lambda: store.set_relationship_override(
                con, actor, account_id, "partnership", "because"
            ),
            lambda: store.save_segment_scenario(con, actor, "mine", {"x": 1}),
            lambda: plans.save_plan(con, actor, plans.new_plan(account_id), based_on=0),
            lambda: ingest.import_files(
                con,
                [("accounts.csv", b"Account ID,Account Name\nV-1,Viewer Ltd\n")],
                actor=actor,
            ),
        ]
        for write in writes:
            with pytest.raises(PermissionDeniedError, match="viewer"):
                write()
        for action in ("import", "edit", "plan", "admin"):
            assert not access.can(actor, action)
        assert store.data_version(con) == version
        for table, frame in before.items():
            assert store.read_table(con, table).equals(frame, null_equal=True), table
    finally:
        con.close()
    masked = privacy.mask_personal_data(contacts, actor)
    assert masked["email"].str.contains(r"^.\*\*\*@").all()
    assert masked["phone"].str.starts_with("*** ").all()
    assert not masked["email"].is_in(contacts["email"].implode()).any()


def test_analyst_signs_in_with_edit_rights_and_unmasked_data(app_db: Path):
    app = _sign_in(_hosted_app(_secrets()).run(), "ANNA", "analyst-pass")
    actor = app.session_state["workbench_actor"]
    assert actor == Actor("anna", "analyst")
    assert access.can(actor, "edit") and not access.can(actor, "admin")
    frame = pl.DataFrame({"email": ["a@b.com"], "phone": ["+1 555 0100"]})
    assert privacy.mask_personal_data(frame, actor).equals(frame)


def test_misconfigured_hosted_mode_fails_closed(app_db: Path):
    bad = {
        "workbench": {
            "hosted": True,
            "users": {"x": {"role": "god", "password_hash": VIEWER_HASH}},
        }
    }
    app = _hosted_app(bad).run()
    assert not app.exception, app.exception
    assert not app.metric
    assert any("Nobody can sign in" in e.value for e in app.error)


def test_oidc_user_with_a_mapped_email_is_signed_in(app_db: Path):
    secrets = _secrets(roles={"ceo@example.com": "viewer"})
    secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "c" * 32,
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "https://idp.example.com/.well-known/openid-configuration",
    }
    app = _hosted_app(secrets)
    app.user = {"is_logged_in": True, "email": "CEO@example.com", "name": "C. E. O."}
    app.run()
    assert not app.exception, app.exception
    assert app.session_state["workbench_actor"] == Actor("CEO@example.com", "viewer")
    assert {m.label: m.value for m in app.metric}["Accounts"] == "60"


def test_oidc_user_without_a_role_is_refused(app_db: Path):
    secrets = _secrets()
    secrets["auth"] = {
        "redirect_uri": "r",
        "cookie_secret": "c" * 32,
        "client_id": "id",
    }
    app = _hosted_app(secrets)
    app.user = {"is_logged_in": True, "email": "stranger@example.com"}
    app.run()
    assert not app.exception, app.exception
    assert not app.metric
    assert "workbench_actor" not in app.session_state
    assert any("has no role here" in w.value for w in app.warning)


def test_signed_out_hosted_session_is_read_only(app_db: Path):
    # current_actor() fails closed when nobody is signed in: a viewer, not the
    # local admin.
    from workbench.app import session as ui

    assert ui.SIGNED_OUT_ACTOR.role == "viewer"
    assert not access.can(ui.SIGNED_OUT_ACTOR, "import")


@pytest.mark.skipif(
    not (Path(APP).parent / "pages" / "buying_centre.py").exists(),
    reason="the buying-centre page is not there yet",
)
@pytest.mark.parametrize(
    ("user", "password", "masked"),
    [("vera", "viewer-pass", True), ("anna", "analyst-pass", False)],
)
def test_buying_centre_people_are_masked_for_viewers_only(
    app_db: Path, user: str, password: str, masked: bool
):
    app = _sign_in(_hosted_app(_secrets()).run(), user, password)
    app.switch_page("pages/buying_centre.py").run()
    assert not app.exception, app.exception
    people = [d.value for d in app.dataframe if "email" in d.value.columns]
    assert people, "no table of people with e-mail addresses"
    emails = [e for frame in people for e in frame["email"].dropna()]
    phones = [p for frame in people for p in frame["phone"].dropna()]
    assert emails and phones
    if masked:
        assert all("***@" in e for e in emails), emails[:3]
        assert all(p.startswith("*** ") for p in phones), phones[:3]
    else:
        assert not any("***" in e for e in emails)


def _pages() -> list[str]:
    from tests.test_pages import _listed_pages

    return _listed_pages()


@pytest.mark.parametrize("page", _pages())
def test_a_signed_in_viewer_sees_every_page_without_errors(app_db: Path, page: str):
    app = _sign_in(_hosted_app(_secrets()).run(), "vera", "viewer-pass")
    app.switch_page(page).run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    assert app.session_state["workbench_actor"].role == "viewer"


def test_an_unreadable_secrets_file_never_means_no_login(tmp_path, monkeypatch):
    from workbench.app import session as ui

    broken = tmp_path / "secrets.toml"
    broken.write_text("[workbench\nhosted = true\n")  # a TOML syntax error

    class Unreadable:
        def to_dict(self) -> dict[str, object]:
            raise FileNotFoundError("Streamlit found no usable secrets")

    monkeypatch.setattr(ui.st, "secrets", Unreadable())
    monkeypatch.setattr(ui.st, "get_option", lambda name: [str(broken)])
    with pytest.raises(auth.HostedConfigError, match="cannot be read"):
        ui.hosted_settings()
    assert ui._hosted_mode()  # fail closed: treated as hosted, nobody signed in
    broken.unlink()
    assert ui.hosted_settings() == auth.LOCAL_SETTINGS  # no file at all: local mode


def test_repeated_wrong_passwords_pause_that_user_name(app_db: Path):
    app = _hosted_app(_secrets()).run()
    for _ in range(DEFAULT_LIMITS.user_free_failures):
        app = _sign_in(app, "vera", "guess")
        assert [e.value for e in app.error] == ["Wrong user name or password."]
    app = _sign_in(app, "vera", "viewer-pass")  # right, but too late
    assert any("Too many wrong passwords" in e.value for e in app.error)
    assert "workbench_actor" not in app.session_state
    app = _sign_in(app, "anna", "analyst-pass")  # other names are not paused
    assert app.session_state["workbench_actor"] == Actor("anna", "analyst")


def test_the_pause_survives_clearing_the_servers_caches(app_db: Path):
    # What a browser's "clear cache" message does on the server: both caches go.
    # The failures are in the database, so the pause holds.
    app = _hosted_app(_secrets()).run()
    for _ in range(DEFAULT_LIMITS.user_free_failures):
        app = _sign_in(app, "vera", "guess")
    st.cache_resource.clear()
    st.cache_data.clear()
    app = _sign_in(app, "vera", "viewer-pass")
    assert any("Too many wrong passwords" in e.value for e in app.error)
    assert "workbench_actor" not in app.session_state
