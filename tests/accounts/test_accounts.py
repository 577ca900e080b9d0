"""Staff and parent sign-in, sessions that really end, password rules and throttling."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, LoginAttempt, Role
from classroom.audit.models import AuditEvent
from classroom.db import get_session
from tests.conftest import Clock, build_app, sign_in
from tests.factories import PASSWORD, make_account

GENERIC = b"That username and password do not match an active account."


def _actions(session: Session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_staff_signs_in_and_lands_on_their_home(client: FlaskClient, session: Session) -> None:
    teacher = make_account(session, Role.TEACHER, display_name="Ms Lopez")
    session.commit()
    response = sign_in(client, teacher.username)
    assert response.status_code == 302
    page = client.get("/", follow_redirects=True)
    assert b"Hello Ms Lopez" in page.data
    assert "sign_in.succeeded" in _actions(session)


def test_wrong_password_and_unknown_user_get_the_same_message(
    client: FlaskClient, session: Session
) -> None:
    teacher = make_account(session)
    session.commit()
    wrong = sign_in(client, teacher.username, "not the password")
    unknown = sign_in(client, "nobody-by-this-name", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert GENERIC in wrong.data
    assert GENERIC in unknown.data
    assert _actions(session).count("sign_in.failed") == 2


def test_passwords_are_stored_as_argon2id(session: Session) -> None:
    account = make_account(session)
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash


def test_deactivated_account_cannot_sign_in(client: FlaskClient, session: Session) -> None:
    account = make_account(session, active=False)
    session.commit()
    assert sign_in(client, account.username).status_code == 401


def test_session_cookie_is_new_after_sign_in(client: FlaskClient, session: Session) -> None:
    account = make_account(session)
    session.commit()
    client.get("/sign-in")
    before = client.get_cookie("classroom")
    sign_in(client, account.username)
    after = client.get_cookie("classroom")
    assert after is not None
    assert before is None or before.value != after.value


def test_copied_cookie_stops_working_after_sign_out(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.TEACHER)
    copied = client.get_cookie("classroom")
    assert copied is not None
    assert client.get("/pupils/").status_code == 200
    client.post("/sign-out")
    client.set_cookie("classroom", copied.value)
    replay = client.get("/pupils/")
    assert replay.status_code == 302
    assert "/sign-in" in replay.location


def test_sign_out_is_post_only(client: FlaskClient, login_as: Callable[..., Account]) -> None:
    login_as(Role.TEACHER)
    assert client.get("/sign-out").status_code == 405
    assert client.get("/pupils/").status_code == 200


def test_failures_are_throttled_per_account_even_with_the_right_password(
    client: FlaskClient, session: Session
) -> None:
    account = make_account(session)
    session.commit()
    for _ in range(5):
        assert sign_in(client, account.username, "wrong").status_code == 401
    blocked = sign_in(client, account.username)
    assert blocked.status_code == 429
    assert b"Too many attempts" in blocked.data


def test_throttling_is_shared_by_every_server_process(
    tmp_path: Path, template_db: Path, clock: Clock
) -> None:
    """Two app instances (as two gunicorn workers would be) share one count of failures."""
    first = build_app(tmp_path, template_db, clock, WTF_CSRF_ENABLED=False)
    second = build_app(tmp_path, template_db, clock, WTF_CSRF_ENABLED=False)
    with first.app_context():
        account = make_account(get_session())
        get_session().commit()
        username = account.username
    for n in range(5):
        worker = first if n % 2 else second
        assert sign_in(worker.test_client(), username, "wrong").status_code == 401
    assert sign_in(first.test_client(), username).status_code == 429
    assert sign_in(second.test_client(), username).status_code == 429


def test_throttle_lifts_after_the_window(
    client: FlaskClient, session: Session, clock: Clock
) -> None:
    account = make_account(session)
    session.commit()
    for _ in range(5):
        sign_in(client, account.username, "wrong")
    assert sign_in(client, account.username).status_code == 429
    clock.advance(minutes=16)
    assert sign_in(client, account.username).status_code == 302


def test_attempts_are_recorded_for_every_address(client: FlaskClient, session: Session) -> None:
    sign_in(client, "someone", "wrong")
    attempt = session.scalar(select(LoginAttempt))
    assert attempt is not None
    assert attempt.ip == "127.0.0.1"
    assert not attempt.success


def test_password_change_needs_the_current_password_and_a_strong_new_one(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.TEACHER)
    wrong = client.post(
        "/account/password",
        data={"current_password": "nope", "new_password": "a long enough passphrase here"},
    )
    assert wrong.status_code == 400
    assert b"current password is not right" in wrong.data
    weak = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": "short"}
    )
    assert weak.status_code == 400
    assert b"at least 12 characters" in weak.data
    ok = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "purple otters juggle lanterns"},
    )
    assert ok.status_code == 302


def test_password_change_ends_other_sessions(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    account = make_account(session)
    session.commit()
    other = app.test_client()
    sign_in(other, account.username)
    sign_in(client, account.username)
    client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "purple otters juggle lanterns"},
    )
    assert client.get("/pupils/").status_code == 200
    assert other.get("/pupils/").status_code == 302


def test_expired_password_redirects_every_page_to_change(
    client: FlaskClient, session: Session, clock: Clock
) -> None:
    account = make_account(session)
    session.commit()
    clock.advance(days=183)
    sign_in(client, account.username)
    response = client.get("/pupils/")
    assert response.status_code == 302
    assert response.location.endswith("/account/password")
    page = client.get("/account/password")
    assert b"at least every 6 months" in page.data
    client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "purple otters juggle lanterns"},
    )
    assert client.get("/pupils/").status_code == 200


def test_staff_session_ends_after_idle_time(
    client: FlaskClient, login_as: Callable[..., Account], clock: Clock
) -> None:
    login_as(Role.TEACHER)
    clock.advance(minutes=61)
    assert "/sign-in" in client.get("/pupils/").location


def test_open_redirect_after_sign_in_is_refused(client: FlaskClient, session: Session) -> None:
    account = make_account(session)
    session.commit()
    response = client.post(
        "/sign-in?next=//evil.example/",
        data={"username": account.username, "password": PASSWORD},
    )
    assert response.location == "/"


def test_parent_lands_on_their_children(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.PARENT)
    assert client.get("/").location.endswith("/family/")


def test_own_successful_sign_ins_do_not_lift_the_address_throttle(
    app: Flask, session: Session
) -> None:
    """Someone with any account (a carer's) cannot sign in between guesses to reset the count."""
    own = make_account(session, Role.PARENT)
    session.commit()
    for n in range(30):
        if n % 10 == 9:  # the attacker's own account, signed in from the same address
            assert sign_in(app.test_client(), own.username).status_code == 302
        assert sign_in(app.test_client(), f"victim{n % 4}x{n}", "guess").status_code == 401
    blocked = sign_in(app.test_client(), "victim-next", "guess")
    assert blocked.status_code == 429
    assert b"Too many attempts" in blocked.data
