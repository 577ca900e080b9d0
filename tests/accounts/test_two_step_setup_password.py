"""Turning two-step sign-in on from one's own account page asks for the password: someone at an
unlocked staff computer must not tie the account to their own phone and lock its owner out until
an admin resets it. A wrong password counts with sign-in's failures, is audited and kept through
the 400; too many give a clear 429. At first sign-in the password was typed a moment before, so
the set-up step there does not ask again."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts import two_factor
from classroom.accounts.models import Account, LoginAttempt, Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from tests.conftest import Clock, client_for
from tests.factories import PASSWORD, make_account

SCHOOL_HOURS = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
PAGE = "/account/two-step"


def _start(browser: FlaskClient) -> str:
    """Press "Set up two-step sign-in"; the key the page shows for the app."""
    page = browser.post(PAGE).get_data(as_text=True)
    assert '<label for="password">Your password</label>' in page
    return _key_on_page(page)


def _confirm(browser: FlaskClient, key: str, password: str) -> tuple[int, str]:
    code = pyotp.TOTP(key).at(utcnow())
    data = {"step": "confirm", "code": code, "password": password}
    response = browser.post(PAGE, data=data)
    return response.status_code, response.get_data(as_text=True)


def _failures(session: Session, account: Account) -> int:
    rows = session.scalars(
        select(LoginAttempt).where(
            LoginAttempt.username == account.username,
            LoginAttempt.kind == "password",
            LoginAttempt.success.is_(False),
        )
    )
    return len(rows.all())


def _refusals(session: Session, account: Account) -> list[str]:
    rows = session.scalars(
        select(AuditEvent.summary).where(
            AuditEvent.action == "two_factor.enrolment_refused", AuditEvent.object_id == account.id
        )
    )
    return list(rows)


def _enrolled(session: Session, account: Account) -> bool:
    session.expire_all()
    return two_factor.is_enrolled(session, account)


def _teacher(app: Flask, session: Session, clock: Clock) -> tuple[Account, FlaskClient]:
    clock.set(SCHOOL_HOURS)
    teacher = make_account(session, Role.TEACHER)
    session.commit()
    browser = client_for(app, teacher)
    clock.advance(seconds=1)  # after signing in, which cleared the count
    return teacher, browser


def test_someone_at_an_unlocked_computer_cannot_turn_it_on_without_the_password(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, browser = _teacher(app, session, clock)
    key = _start(browser)
    status, page = _confirm(browser, key, "not my password at all")
    assert status == 400
    assert "Your password is not right. Type the one you sign in with." in page
    assert "not my password at all" not in page
    assert _key_on_page(page) == key  # the same key again: the app already holds it
    assert not _enrolled(session, teacher)
    assert _failures(session, teacher) == 1  # kept through the 400, as at sign-in
    assert _refusals(session, teacher) == ["password not right"]
    assert "Two-step sign-in is off" in browser.get(PAGE).get_data(as_text=True)


def test_the_code_typed_stays_in_its_box_when_the_password_is_missing(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, browser = _teacher(app, session, clock)
    key = _start(browser)
    status, page = _confirm(browser, key, "")
    assert status == 400
    assert "Enter your password." in page
    code = pyotp.TOTP(key).at(utcnow())
    assert f'value="{code}"' in page
    assert not _enrolled(session, teacher)


def test_with_the_password_the_owner_turns_it_on(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, browser = _teacher(app, session, clock)
    status, page = _confirm(browser, _start(browser), PASSWORD)
    assert status == 200
    assert len(re.findall(r"<code>([0-9A-F]{5}-[0-9A-F]{5})</code>", page)) == 10
    assert _enrolled(session, teacher)
    assert _failures(session, teacher) == 0


def test_too_many_wrong_passwords_give_a_clear_wait_not_an_error(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, browser = _teacher(app, session, clock)
    key = _start(browser)
    for _ in range(5):
        assert _confirm(browser, key, "guess")[0] == 400
    status, page = _confirm(browser, key, PASSWORD)  # even the right one waits now
    assert status == 429
    assert "Too many attempts. Please wait" in page
    # Said by the password box, the first the page asks for, not by the code's.
    assert re.search(r'id="password-error">Too many attempts', page)
    assert _key_on_page(page) == key
    assert not _enrolled(session, teacher)
    assert _failures(session, teacher) == 5
    # Sign-in counts the same failures: the account is throttled there too.
    again = app.test_client().post(
        "/sign-in", data={"username": teacher.username, "password": PASSWORD}
    )
    assert again.status_code == 429


def test_at_first_sign_in_the_set_up_step_does_not_ask_again(
    client: FlaskClient, session: Session
) -> None:
    dsl = make_account(session, Role.DSL, two_factor=False)
    session.commit()
    client.post("/sign-in", data={"username": dsl.username, "password": PASSWORD})
    page = client.post("/sign-in/set-up-app").get_data(as_text=True)
    assert "Your password" not in page
    code = pyotp.TOTP(_key_on_page(page)).at(utcnow())
    done = client.post("/sign-in/set-up-app", data={"step": "confirm", "code": code})
    assert done.status_code == 200
    assert _enrolled(session, dsl)


def _key_on_page(page: str) -> str:
    found = re.search(r"Key to type instead: <code>([A-Z2-7 ]+)</code>", page)
    assert found is not None, "no key to type on the page"
    return found.group(1).replace(" ", "")
