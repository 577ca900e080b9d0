"""Headers, CSRF, error pages, input limits and the rule that every route names an access rule."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Account, Role
from classroom.db import get_session
from tests import two_step
from tests.conftest import Clock, build_app, sign_in
from tests.factories import PASSWORD, make_account


def test_every_route_names_an_access_rule(app: Flask) -> None:
    """A new route without a rule fails here (and is refused at run time)."""
    missing = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and policy.route_rule(app.view_functions[rule.endpoint]) is None
    ]
    assert missing == []


def test_get_routes_never_change_state_by_design(app: Flask) -> None:
    """State-changing verbs are POST; no endpoint takes both GET and a state change by name."""
    for rule in app.url_map.iter_rules():
        verbs = (rule.methods or set()) - {"HEAD", "OPTIONS"}
        if any(word in rule.endpoint for word in ("sign_out", "revoke", "finished", "reset")):
            assert verbs == {"POST"}, rule.endpoint


@pytest.mark.parametrize("path", ["/sign-in", "/no-such-page", "/health", "/about"])
def test_security_headers_on_every_response(client: FlaskClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    for directive in (
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"


STRICT = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/about", 200),
        ("GET", "/no-such-page", 404),
        ("POST", "/health", 405),  # an answer Flask makes itself
        ("GET", "/static/css/app.css", 200),
    ],
)
def test_each_strict_header_is_sent_once_on_every_kind_of_answer(
    client: FlaskClient, method: str, path: str, status: int
) -> None:
    with client.open(path, method=method) as response:
        assert response.status_code == status
        for name in STRICT:
            assert len(response.headers.getlist(name)) == 1, name


def test_only_the_voice_page_may_ask_for_the_microphone(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    """Staff record phrases in their own voice on /symbols/voice; every other page (a pupil's
    included) may not ask for the microphone, and none for the camera."""
    login_as(Role.TEACHER)
    with client.get("/symbols/voice") as voice, client.get("/pupils/") as other:
        assert voice.status_code == other.status_code == 200
        policy = voice.headers["Permissions-Policy"]
        assert "microphone=(self)" in policy
        assert "camera=()" in policy
        assert "microphone=()" in other.headers["Permissions-Policy"]


def test_static_files_are_cacheable_and_versioned(client: FlaskClient) -> None:
    page = client.get("/sign-in").data.decode()
    assert "/static/css/app.css?v=" in page
    with client.get("/static/css/app.css") as response:
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert "Content-Security-Policy" in response.headers


def test_no_inline_script_or_style_in_any_page(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.ADMIN)
    for path in (
        "/pupils/",
        "/admin/accounts",
        "/admin/audit",
        "/admin/access-rights",
        "/admin/classes",
        "/admin/import",
        "/class-ipads/",
        "/about",
    ):
        html = client.get(path).data.decode()
        for forbidden in ("<script>", " style=", "onclick"):
            assert forbidden not in html, path


def test_production_cookies_are_secure_and_host_only(
    tmp_path: Path, template_db: Path, clock: Clock
) -> None:
    app = build_app(tmp_path, template_db, clock, ENV="production")
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-classroom"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    with app.app_context():
        response = app.test_client().get("/sign-in", base_url="https://school.example")
    assert "max-age=63072000" in response.headers["Strict-Transport-Security"]


def test_session_cookie_is_httponly(client: FlaskClient, session: Session) -> None:
    account = make_account(session)
    session.commit()
    response = sign_in(client, account.username)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("classroom="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_forms_without_a_csrf_token_are_refused(
    tmp_path: Path, template_db: Path, clock: Clock
) -> None:
    app = build_app(tmp_path, template_db, clock)  # CSRF on, as in production
    with app.app_context():
        account = make_account(get_session())
        get_session().commit()
        client = app.test_client()
        response = client.post(
            "/sign-in", data={"username": account.username, "password": "x" * 20}
        )
    assert response.status_code == 400
    assert b"form had expired" in response.data


def test_csrf_token_from_the_page_lets_the_form_through(
    tmp_path: Path, template_db: Path, clock: Clock
) -> None:
    app = build_app(tmp_path, template_db, clock)
    with app.app_context():
        account = make_account(get_session())
        get_session().commit()
        client = app.test_client()
        page = client.get("/sign-in").data.decode()
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post(
            "/sign-in",
            data={
                "username": account.username,
                "password": "correct horse battery staple",
                "csrf_token": token,
            },
        )
    assert response.status_code == 302


def test_oversize_request_gets_413_with_a_message(client: FlaskClient) -> None:
    response = client.post("/sign-in", data={"username": "a", "password": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert b"larger than we accept" in response.data


def test_unexpected_error_shows_a_friendly_page_without_details(app: Flask) -> None:
    @policy.allow("public")
    def explode() -> str:
        raise RuntimeError("secret internals /etc/passwd")

    app.add_url_rule("/explode", "explode", explode)
    response = app.test_client().get("/explode")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data
    assert b"secret internals" not in response.data
    assert b"Traceback" not in response.data
    assert "Content-Security-Policy" in response.headers


def test_route_without_a_rule_is_refused(app: Flask) -> None:
    app.add_url_rule("/forgotten", "forgotten", lambda: "leak")
    response = app.test_client().get("/forgotten")
    assert response.status_code == 403
    assert b"leak" not in response.data


def test_health_reports_app_and_database(client: FlaskClient) -> None:
    assert client.get("/health").get_json() == {"app": "ok", "database": "ok"}


def test_high_contrast_option_for_everyone(client: FlaskClient) -> None:
    response = client.post("/display/contrast", data={"back": "/about"})
    assert response.location == "/about"
    assert 'class="staff high-contrast"' in client.get("/about").data.decode()
    assert client.post("/display/contrast", data={"back": "//evil.example"}).location == "/"


def test_malformed_ids_are_404_not_500(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.ADMIN)
    for path in (
        "/pupils/99999",
        "/pupils/abc",
        "/admin/accounts/99999",
        "/symbols/..%2Fetc.svg",
        "/ipad/enrol/" + "x" * 500,
    ):
        assert client.get(path).status_code in (404, 410), path


def test_a_locked_database_is_a_503_to_retry_not_a_500(app: Flask) -> None:
    @policy.allow("public")
    def busy() -> str:
        raise OperationalError(
            "BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked")
        )

    app.add_url_rule("/busy", "busy", busy)
    response = app.test_client().get("/busy")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert b"very busy" in response.data
    assert "Content-Security-Policy" in response.headers


def test_a_stray_request_racing_the_code_step_does_not_expire_its_form(
    tmp_path: Path, template_db: Path, clock: Clock
) -> None:
    """Safari asks for /apple-touch-icon.png (Chromium for /favicon.ico) while the DSL types
    their code; that request can carry the cookie from the password step, before the code page
    made its form token. Its 404 must not replace the session, or "Sign in" says "expired"."""
    app = build_app(tmp_path, template_db, clock)
    with app.app_context():
        account = make_account(get_session(), Role.DSL)
        get_session().commit()
        client = app.test_client()
        page = client.get("/sign-in").data.decode()
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post(
            "/sign-in",
            data={"username": account.username, "password": PASSWORD, "csrf_token": token},
        )
        after_password = client.get_cookie("classroom")
        assert after_password is not None
        page = client.get("/sign-in/code").data.decode()
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]

        stray = app.test_client()  # the same browser, one request behind
        stray.set_cookie("classroom", after_password.value)
        answer = stray.get("/apple-touch-icon-120x120-precomposed.png")
        assert answer.status_code == 404
        assert "Set-Cookie" not in answer.headers  # so the browser keeps the code page's session
        with stray.get("/apple-touch-icon-precomposed.png") as answer:  # one we serve: the same
            assert answer.status_code == 200
            assert "Set-Cookie" not in answer.headers

        code = two_step.current_code(get_session(), account.username)
        response = client.post("/sign-in/code", data={"code": code, "csrf_token": token})
    assert response.status_code == 302
