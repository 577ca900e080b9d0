"""What a password change, an admin's reset, a new phone and new recovery codes leave behind.

Someone typed the teacher's password in another browser and reached the code step (kept in that
browser's session for ten minutes); meanwhile she changed how she signs in. That half-finished
sign-in was started with what she has just changed: it is refused, with a clear message, sent
back to sign-in and audited, as her other sessions are ended. New recovery codes (the old
printed sheet may have been seen) end her other sessions too, and the page showing them says so.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts import two_factor
from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from tests import two_step
from tests.accounts.test_sessions_after_change import _end_reasons
from tests.conftest import Clock, client_for
from tests.factories import PASSWORD, make_account

SCHOOL_HOURS = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
NEW_PASSWORD = "purple otters juggle lanterns"
CODE_PAGE = "/sign-in/code"
NEW_CODES = "/account/two-step/recovery-codes"
STAFF_PAGE = "/pupils/"
CODE_ON_PAGE = re.compile(r"<code>([0-9A-F]{5}-[0-9A-F]{5})</code>")
PASSWORD_CHANGED = "Your password was changed. Sign in again."
TWO_STEP_CHANGED = "Your two-step sign-in was changed. Sign in again."


def _teacher(app: Flask, session: Session, clock: Clock) -> tuple[Account, list[str]]:
    """A teacher with two-step sign-in and ten recovery codes, in school hours."""
    clock.set(SCHOOL_HOURS)
    teacher = make_account(session, Role.TEACHER, two_factor=True)
    key = str(app.config["SECRET_KEY"])
    codes = two_factor.new_recovery_codes(session, teacher, now=utcnow(), secret_key=key)
    session.commit()
    return teacher, codes


def _at_code_step(app: Flask, account: Account, password: str = PASSWORD) -> FlaskClient:
    """Browser 1: her password typed, the code page reached, nobody signed in yet."""
    browser = app.test_client()
    data = {"username": account.username, "password": password}
    response = browser.post("/sign-in", data=data)
    assert response.location.endswith(CODE_PAGE), response.location
    assert browser.get(CODE_PAGE).status_code == 200
    return browser


def _signed_in(browser: FlaskClient) -> bool:
    response = browser.get(STAFF_PAGE)
    return response.status_code == 200


def _refused(browser: FlaskClient, code: str, message: str) -> None:
    """The code is not even tried: back to sign-in, which says why, and nobody is signed in."""
    response = browser.post(CODE_PAGE, data={"code": code})
    assert response.status_code == 302
    assert response.location.startswith("/sign-in?again=")
    page = browser.get(response.location)
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)
    assert not _signed_in(browser)
    # The half-finished sign-in is gone: the code page sends her to sign in again.
    assert browser.get(CODE_PAGE).location.endswith("/sign-in")


def _refusals(session: Session, account: Account) -> list[str]:
    session.expire_all()
    rows = session.scalars(
        select(AuditEvent.summary)
        .where(AuditEvent.object_id == account.id, AuditEvent.action == "sign_in.refused")
        .order_by(AuditEvent.id)
    )
    return [summary or "" for summary in rows]


def _change_password(browser: FlaskClient) -> None:
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert browser.post("/account/password", data=data).status_code == 302


def _make_new_codes(browser: FlaskClient, password: str = PASSWORD) -> str:
    form = browser.get(NEW_CODES).get_data(as_text=True)
    mark = re.search(r'name="made_after" type="hidden" value="(\d+)"', form)
    assert mark is not None
    made = browser.post(NEW_CODES, data={"password": password, "made_after": mark.group(1)})
    assert made.status_code == 200
    page = made.get_data(as_text=True)
    assert len(CODE_ON_PAGE.findall(page)) == 10
    return page


# --- 1. A half-finished sign-in started before the change ------------------------------------


def _half_done(
    app: Flask, session: Session, clock: Clock
) -> tuple[Account, list[str], FlaskClient, FlaskClient]:
    """The teacher signed in on her laptop; a little later browser 1 types her password and
    waits at the code step. Returns her, her recovery codes, the laptop and browser 1."""
    teacher, codes = _teacher(app, session, clock)
    laptop = client_for(app, teacher)
    clock.advance(seconds=31)
    browser_1 = _at_code_step(app, teacher)
    clock.advance(seconds=1)
    return teacher, codes, laptop, browser_1


def test_a_code_step_started_before_her_password_change_is_refused(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, _, laptop, browser_1 = _half_done(app, session, clock)
    _change_password(laptop)
    clock.advance(seconds=31)
    _refused(browser_1, two_step.current_code(session, teacher.username), PASSWORD_CHANGED)
    assert _refusals(session, teacher) == ["password changed after the password step"]
    assert _signed_in(laptop)  # the browser that changed it stays signed in


def test_a_recovery_code_cannot_finish_it_either(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, codes, laptop, browser_1 = _half_done(app, session, clock)
    _change_password(laptop)
    _refused(browser_1, codes[0], PASSWORD_CHANGED)
    # The code was never tried, so it still works for her.
    clock.advance(seconds=31)
    again = _at_code_step(app, teacher, NEW_PASSWORD)
    assert again.post(CODE_PAGE, data={"code": codes[0]}).status_code == 302
    assert _signed_in(again)


def test_an_admins_password_reset_refuses_it(app: Flask, session: Session, clock: Clock) -> None:
    teacher, _ = _teacher(app, session, clock)
    admin = make_account(session, Role.ADMIN)
    session.commit()
    office = client_for(app, admin)
    clock.advance(seconds=31)
    browser_1 = _at_code_step(app, teacher)
    clock.advance(seconds=1)
    assert office.post(f"/admin/accounts/{teacher.id}/reset-password").status_code == 200
    clock.advance(seconds=31)
    _refused(browser_1, two_step.current_code(session, teacher.username), PASSWORD_CHANGED)
    assert _refusals(session, teacher) == ["password changed after the password step"]


def test_moving_to_a_new_phone_refuses_it(app: Flask, session: Session, clock: Clock) -> None:
    teacher, codes, laptop, browser_1 = _half_done(app, session, clock)
    page = laptop.post("/account/two-step/new-phone", data={"csrf_token": ""})
    key = re.search(r"Key to type instead: <code>([A-Z2-7 ]+)</code>", page.get_data(as_text=True))
    assert key is not None
    secret = key.group(1).replace(" ", "")
    data = {"step": "confirm", "password": PASSWORD, "code": pyotp.TOTP(secret).at(utcnow())}
    moved = laptop.post("/account/two-step/new-phone", data=data)
    new_codes = CODE_ON_PAGE.findall(moved.get_data(as_text=True))
    assert len(new_codes) == 10
    clock.advance(seconds=31)
    # Even the new phone's code (or a new recovery code) does not finish what began before.
    _refused(browser_1, pyotp.TOTP(secret).at(utcnow()), TWO_STEP_CHANGED)
    assert _refusals(session, teacher) == ["two-step sign-in changed after the password step"]


def test_new_recovery_codes_refuse_it(app: Flask, session: Session, clock: Clock) -> None:
    teacher, _, laptop, browser_1 = _half_done(app, session, clock)
    _make_new_codes(laptop)
    clock.advance(seconds=31)
    _refused(browser_1, two_step.current_code(session, teacher.username), TWO_STEP_CHANGED)


def test_a_code_step_started_after_the_change_still_works(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, _ = _teacher(app, session, clock)
    laptop = client_for(app, teacher)
    clock.advance(seconds=31)
    _change_password(laptop)
    _make_new_codes(laptop, NEW_PASSWORD)
    clock.advance(seconds=1)
    browser_1 = _at_code_step(app, teacher, NEW_PASSWORD)
    clock.advance(seconds=31)
    code = two_step.current_code(session, teacher.username)
    assert browser_1.post(CODE_PAGE, data={"code": code}).location == "/"
    assert _signed_in(browser_1)
    assert _refusals(session, teacher) == []


def test_merely_opening_the_code_page_after_the_change_sends_her_to_sign_in(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, _, laptop, browser_1 = _half_done(app, session, clock)
    _change_password(laptop)
    response = browser_1.get(CODE_PAGE)
    assert response.status_code == 302
    assert PASSWORD_CHANGED in browser_1.get(response.location).get_data(as_text=True)
    assert _refusals(session, teacher) == ["password changed after the password step"]


# --- 2. New recovery codes end her other sessions ---------------------------------------------


def test_new_recovery_codes_sign_out_her_other_browsers_and_keep_this_one(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, old_codes = _teacher(app, session, clock)
    laptop = client_for(app, teacher)
    clock.advance(seconds=31)
    # Whoever saw the printed sheet signed in with one of its codes.
    someone = _at_code_step(app, teacher)
    assert someone.post(CODE_PAGE, data={"code": old_codes[0]}).status_code == 302
    assert _signed_in(someone)
    clock.advance(seconds=31)
    page = _make_new_codes(laptop)
    assert "You are now signed out everywhere else" in page
    assert _signed_in(laptop)
    assert not _signed_in(someone)
    assert "recovery_codes_made" in _end_reasons(session, teacher)
    session.expire_all()
    made = session.scalars(
        select(AuditEvent.summary)
        .where(
            AuditEvent.object_id == teacher.id,
            AuditEvent.action == "two_factor.recovery_codes_made",
        )
        .order_by(AuditEvent.id)
    )
    assert list(made)[-1] == "other sessions ended"
