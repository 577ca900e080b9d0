"""Changing one's own password asks for the current one, and a wrong one counts exactly as it
does when changing one's email address (tests/accounts/test_staff_email.py): with sign-in's
failures, kept through the 400, audited, and refused with sign-in's message once too many have
failed. So someone at an unlocked staff computer guesses no faster here than at sign-in."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, LoginAttempt, Role
from classroom.accounts.passwords import verify_password
from classroom.audit.models import AuditEvent
from tests.conftest import Clock, client_for
from tests.factories import PASSWORD, make_account

SCHOOL_HOURS = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
NEW_PASSWORD = "purple otters juggle lanterns"
EXPIRED_BANNER = "You need to choose a new password before you carry on."


def _change(client: FlaskClient, current: str, new: str = NEW_PASSWORD) -> tuple[int, str]:
    data = {"current_password": current, "new_password": new}
    response = client.post("/account/password", data=data)
    return response.status_code, response.get_data(as_text=True)


def _failures(session: Session, account: Account) -> int:
    rows = session.scalars(
        select(LoginAttempt).where(
            LoginAttempt.username == account.username, LoginAttempt.success.is_(False)
        )
    )
    return len(rows.all())


def _refusals(session: Session, account: Account) -> list[tuple[int | None, str]]:
    rows = session.execute(
        select(AuditEvent.actor_id, AuditEvent.summary).where(
            AuditEvent.action == "password.change_refused", AuditEvent.object_id == account.id
        )
    )
    return [(actor, summary) for actor, summary in rows]


def _password_is(session: Session, account: Account, password: str) -> bool:
    session.expire_all()
    stored = session.scalar(select(Account.password_hash).where(Account.id == account.id))
    return stored is not None and verify_password(stored, password)


def test_a_wrong_current_password_counts_with_sign_in_failures(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(SCHOOL_HOURS)
    teacher = make_account(session, Role.TEACHER)
    session.commit()
    browser = client_for(app, teacher)
    clock.advance(seconds=1)  # after signing in, which cleared the count
    status, page = _change(browser, "not my password at all")
    assert status == 400
    assert "Your current password is not right." in page
    assert "<title>Error: " in page
    assert 'href="#current_password"' in page  # the error summary, linked to the box
    assert "not my password at all" not in page
    assert _failures(session, teacher) == 1  # kept through the 400, as at sign-in
    assert _refusals(session, teacher) == [(teacher.id, "password not right")]
    for _ in range(4):
        assert _change(browser, "guess")[0] == 400
    status, page = _change(browser, PASSWORD)  # even the right one waits now
    assert status == 429
    assert "Too many attempts. Please wait" in page
    assert 'href="#current_password"' in page
    assert _password_is(session, teacher, PASSWORD)
    assert _failures(session, teacher) == 5  # a refused try while locked out is not a guess
    # Sign-in counts the same failures: the account is throttled there too.
    again = app.test_client().post(
        "/sign-in", data={"username": teacher.username, "password": PASSWORD}
    )
    assert again.status_code == 429


def test_guesses_at_sign_in_lock_the_password_page_too(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(SCHOOL_HOURS)
    teacher = make_account(session, Role.TEACHER)
    session.commit()
    browser = client_for(app, teacher)
    clock.advance(seconds=1)
    guesser = app.test_client()
    for _ in range(5):
        data = {"username": teacher.username, "password": "guess"}
        assert guesser.post("/sign-in", data=data).status_code == 401
    status, page = _change(browser, PASSWORD)
    assert status == 429
    assert "Too many attempts. Please wait" in page
    assert _password_is(session, teacher, PASSWORD)


def test_a_locked_out_expired_password_page_keeps_its_explanation(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(SCHOOL_HOURS)
    teacher = make_account(session, Role.TEACHER, must_change_password=True)
    session.commit()
    browser = client_for(app, teacher)
    clock.advance(seconds=1)
    for _ in range(5):
        status, page = _change(browser, "guess")
        assert status == 400
        assert EXPIRED_BANNER in page
    status, page = _change(browser, PASSWORD)
    assert status == 429
    assert EXPIRED_BANNER in page  # why they are here, with why they must wait
    assert "Too many attempts. Please wait" in page
    assert 'name="current_password"' in page
    assert 'name="new_password"' in page
    clock.advance(minutes=16)  # the throttle's window passes (its session idles out meanwhile)
    browser = client_for(app, teacher)
    assert _change(browser, PASSWORD)[0] == 302
    assert _password_is(session, teacher, NEW_PASSWORD)


def test_the_right_password_with_a_weak_new_one_is_not_a_failure(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(SCHOOL_HOURS)
    teacher = make_account(session, Role.TEACHER)
    session.commit()
    browser = client_for(app, teacher)
    status, page = _change(browser, PASSWORD, "short")
    assert status == 400
    assert "at least 12 characters" in page
    assert _failures(session, teacher) == 0
    assert _refusals(session, teacher) == []
