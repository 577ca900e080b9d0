"""A member of staff locked out by too many failed sign-ins: the admin sees until when, and can
let them sign in again now, for that account only (never an address, nor another account)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts import services as accounts
from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.db import get_session
from classroom.errors import Throttled
from tests.conftest import Clock, build_app, client_for, sign_in
from tests.factories import make_account, make_school

UNLOCK = "Let them sign in again now"
LIMIT = 5  # LOGIN_MAX_FAILURES_PER_ACCOUNT
NOON = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # 12:00 GMT on the school's clock


def _lock_out(app: Flask, username: str, times: int = LIMIT) -> FlaskClient:
    """Their browser, after `times` wrong passwords."""
    theirs = app.test_client()
    for _ in range(times):
        theirs.post("/sign-in", data={"username": username, "password": "not-it"})
    return theirs


def _settings(app: Flask) -> accounts.SignInSettings:
    return accounts.SignInSettings.from_config(app.config)


def test_admin_lets_a_locked_out_teacher_sign_in_again_now(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., Account],
    session: Session,
    clock: Clock,
) -> None:
    clock.set(NOON)
    teacher = make_account(session)
    session.commit()
    theirs = _lock_out(app, teacher.username)
    assert sign_in(theirs, teacher.username).status_code == 429  # the right password waits
    admin = login_as(Role.ADMIN)

    page = client.get(f"/admin/accounts/{teacher.id}").get_data(as_text=True)
    assert "Signing in is locked until 12:15 GMT" in page
    assert UNLOCK in page
    done = client.post(f"/admin/accounts/{teacher.id}/sign-in-lock", follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "They can sign in again now." in page
    assert UNLOCK not in page  # not locked any more, so not offered

    assert sign_in(theirs, teacher.username).status_code == 302
    unlocked = select(AuditEvent).where(AuditEvent.action == "account.sign_in_unlocked")
    entry = session.scalar(unlocked)
    assert entry is not None
    assert (entry.actor_id, entry.object_id) == (admin.id, teacher.id)


def test_the_unlock_is_offered_only_while_the_account_is_locked(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., Account],
    session: Session,
    clock: Clock,
) -> None:
    clock.set(NOON)
    teacher = make_account(session)
    session.commit()
    _lock_out(app, teacher.username, LIMIT - 1)  # one try left: not locked
    login_as(Role.ADMIN)
    assert UNLOCK not in client.get(f"/admin/accounts/{teacher.id}").get_data(as_text=True)

    _lock_out(app, teacher.username, 1)
    assert UNLOCK in client.get(f"/admin/accounts/{teacher.id}").get_data(as_text=True)
    clock.advance(minutes=15)  # the wait is over by itself
    page = client.get(f"/admin/accounts/{teacher.id}").get_data(as_text=True)
    assert UNLOCK not in page
    assert "Signing in is locked" not in page
    # A page left open past the wait: the press changes nothing, and says so.
    late = client.post(f"/admin/accounts/{teacher.id}/sign-in-lock", follow_redirects=True)
    assert "Their wait had already ended" in late.get_data(as_text=True)
    unlocked = select(AuditEvent).where(AuditEvent.action == "account.sign_in_unlocked")
    assert session.scalar(unlocked) is None


def test_two_step_codes_lock_an_account_too(app: Flask, session: Session, clock: Clock) -> None:
    clock.set(NOON)
    dsl = make_account(session, Role.DSL)
    for _ in range(LIMIT):
        accounts.note_attempt(session, "totp", dsl.username, "10.0.0.9", False, now=NOON)
    settings = _settings(app)
    assert accounts.sign_in_locked_until(session, dsl, now=NOON, settings=settings) == NOON + (
        timedelta(minutes=15)
    )
    admin = make_account(session, Role.ADMIN)
    accounts.clear_sign_in_lock(session, admin, dsl, now=NOON, settings=settings)
    accounts.check_throttle(
        session, "totp", dsl.username, "10.0.0.9", LIMIT, now=NOON, settings=settings
    )  # not Throttled


def test_unlocking_one_account_leaves_other_accounts_and_the_address_locked(
    app: Flask, session: Session, clock: Clock
) -> None:
    """Someone at one computer guessed at many accounts: letting one member of staff back in
    opens neither the others nor that computer."""
    clock.set(NOON)
    settings = _settings(app)
    teacher, other = make_account(session), make_account(session)
    guesser = "10.0.0.66"
    for n in range(settings.max_failures_per_address):
        name = (teacher, other)[n % 2].username
        accounts.note_attempt(session, "password", name, guesser, False, now=NOON)
    admin = make_account(session, Role.ADMIN)
    accounts.clear_sign_in_lock(session, admin, teacher, now=NOON, settings=settings)

    assert accounts.sign_in_locked_until(session, teacher, now=NOON, settings=settings) is None
    assert accounts.sign_in_locked_until(session, other, now=NOON, settings=settings)
    with pytest.raises(Throttled):
        accounts.check_throttle(
            session, "password", teacher.username, guesser, LIMIT, now=NOON, settings=settings
        )
    # From the teacher's own computer, they may try again.
    accounts.check_throttle(
        session, "password", teacher.username, "10.0.0.5", LIMIT, now=NOON, settings=settings
    )


def test_only_an_admin_of_the_same_school_may_unlock(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(NOON)
    teacher = make_account(session)
    head = make_account(session, Role.HEADTEACHER)
    elsewhere = make_account(session, Role.ADMIN, school=make_school(session))
    session.commit()
    _lock_out(app, teacher.username)
    path = f"/admin/accounts/{teacher.id}/sign-in-lock"
    assert client_for(app, head).post(path).status_code == 403
    assert client_for(app, elsewhere).post(path).status_code == 404
    assert client_for(app, head).get(path).status_code == 405  # no GET writes
    assert accounts.sign_in_locked_until(session, teacher, now=NOON, settings=_settings(app))


def test_the_unlock_needs_the_pages_csrf_token(
    tmp_path: Path, template_db: Path, clock: Clock
) -> None:
    clock.set(NOON)
    app = build_app(tmp_path, template_db, clock)  # CSRF on, as in production
    app.config["WTF_CSRF_ENABLED"] = False  # only while they sign in
    with app.app_context():
        teacher = make_account(get_session())
        admin = make_account(get_session(), Role.ADMIN)
        get_session().commit()
        _lock_out(app, teacher.username)
        office = client_for(app, admin)
        app.config["WTF_CSRF_ENABLED"] = True
        assert office.post(f"/admin/accounts/{teacher.id}/sign-in-lock").status_code == 400
        assert accounts.sign_in_locked_until(
            get_session(), teacher, now=NOON, settings=_settings(app)
        )
