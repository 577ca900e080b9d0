"""After a lost phone or a leaked password: the session that made the change stays signed in,
every other one of hers (another browser, the staff-room PC) is signed out at its next request;
a class iPad that skipped her code is forgotten when her password changes; and after a recovery
code she is told, once, how many are left and where to set up her new phone."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts import two_factor
from classroom.accounts.models import Account, Role, UserSession
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.web import sign_in_settings
from tests import two_step
from tests.conftest import Clock, client_for
from tests.factories import PASSWORD, make_account

SCHOOL_HOURS = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
NEW_PASSWORD = "purple otters juggle lanterns"
STAFF_PAGE = "/pupils/"


def _signed_in(browser: FlaskClient, page: str = STAFF_PAGE) -> bool:
    response = browser.get(page)
    if response.status_code == 200:
        return True
    assert response.status_code == 302, response.status_code
    assert "/sign-in" in response.location
    return False


def _password_step(browser: FlaskClient, account: Account, password: str) -> str:
    """Where her password alone leads this browser: the code step, or straight in."""
    response = browser.post("/sign-in", data={"username": account.username, "password": password})
    assert response.status_code == 302, response.data
    return str(response.location)


def _remembered_ipad(app: Flask, session: Session, teacher: Account) -> FlaskClient:
    """A class iPad she ticked "do not ask again" on, then signed out of."""
    ipad = app.test_client()
    assert _password_step(ipad, teacher, PASSWORD).endswith("/sign-in/code")
    code = two_step.current_code(session, teacher.username)
    assert ipad.post("/sign-in/code", data={"code": code, "remember": "y"}).status_code == 302
    ipad.post("/sign-out")
    assert not _password_step(ipad, teacher, PASSWORD).endswith("/sign-in/code")
    ipad.post("/sign-out")
    return ipad


def _live_remembered(session: Session, account: Account) -> int:
    session.expire_all()
    return len(two_factor.remembered_devices(session, account, now=utcnow()))


def _end_reasons(session: Session, account: Account) -> list[str | None]:
    session.expire_all()
    rows = session.scalars(
        select(UserSession.end_reason)
        .where(UserSession.account_id == account.id)
        .order_by(UserSession.id)
    )
    return list(rows)


def _change_password(browser: FlaskClient, old: str = PASSWORD) -> None:
    response = browser.post(
        "/account/password", data={"current_password": old, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 302, response.data


# --- Her own password change -------------------------------------------------------------------


def test_a_password_change_signs_out_her_other_browsers_and_keeps_this_one(
    app: Flask, session: Session
) -> None:
    teacher = make_account(session, Role.TEACHER)
    session.commit()
    staff_room = client_for(app, teacher)
    laptop = client_for(app, teacher)
    _change_password(laptop)
    assert _signed_in(laptop)
    assert not _signed_in(staff_room)
    assert not _signed_in(staff_room, "/session/alive")  # what session-watch.js asks


def test_a_password_change_forgets_the_class_ipads_that_skipped_her_code(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(SCHOOL_HOURS)
    teacher = make_account(session, Role.TEACHER, two_factor=True)
    session.commit()
    ipad = _remembered_ipad(app, session, teacher)
    assert _live_remembered(session, teacher) == 1
    clock.advance(seconds=31)
    laptop = client_for(app, teacher)
    _change_password(laptop)

    # Whoever saw her password (and has her new one too) cannot skip the code on that iPad.
    assert _live_remembered(session, teacher) == 0
    assert _password_step(ipad, teacher, NEW_PASSWORD).endswith("/sign-in/code")
    page = laptop.get("/account/two-step").get_data(as_text=True)
    assert "No iPad skips the code for you." in page
    session.expire_all()
    [entry] = session.scalars(select(AuditEvent).where(AuditEvent.action == "password.changed"))
    assert "1 remembered iPad forgotten" in (entry.summary or "")


def test_a_carers_password_change_signs_out_their_other_phone(app: Flask, session: Session) -> None:
    carer = make_account(session, Role.PARENT)
    session.commit()
    phone = client_for(app, carer)
    tablet = client_for(app, carer)
    _change_password(phone)
    assert _signed_in(phone, "/family/settings")
    assert not _signed_in(tablet, "/family/settings")


# --- Her two-step sign-in moved to a new phone -------------------------------------------------


def test_moving_to_a_new_phone_signs_out_her_other_browsers_and_keeps_this_one(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(SCHOOL_HOURS)
    teacher = make_account(session, Role.TEACHER, two_factor=True)
    session.commit()
    staff_room = client_for(app, teacher)
    laptop = client_for(app, teacher)
    clock.advance(seconds=31)
    page = laptop.post("/account/two-step/new-phone", data={"csrf_token": ""})
    key = re.search(r"Key to type instead: <code>([A-Z2-7 ]+)</code>", page.get_data(as_text=True))
    assert key is not None
    code = pyotp.TOTP(key.group(1).replace(" ", "")).at(utcnow())
    moved = laptop.post(
        "/account/two-step/new-phone",
        data={"step": "confirm", "password": PASSWORD, "code": code},
    )
    assert "Your new phone is set up" in moved.get_data(as_text=True)
    assert _signed_in(laptop)
    assert not _signed_in(staff_room)
    assert "two_step_moved" in _end_reasons(session, teacher)


# --- An admin's reset ----------------------------------------------------------------------------


def test_an_admins_password_reset_signs_her_out_and_forgets_her_remembered_ipads(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(SCHOOL_HOURS)
    teacher = make_account(session, Role.TEACHER, two_factor=True)
    admin = make_account(session, Role.ADMIN)
    session.commit()
    ipad = _remembered_ipad(app, session, teacher)
    clock.advance(seconds=31)
    laptop = client_for(app, teacher)
    clock.advance(seconds=31)
    office = client_for(app, admin)
    page = office.post(f"/admin/accounts/{teacher.id}/reset-password")
    assert page.status_code == 200
    temporary = re.search(
        r"<code[^>]*>([0-9a-f]{6}(?:-[0-9a-f]{6}){3})</code>", page.get_data(as_text=True)
    )
    assert temporary is not None
    assert _signed_in(office, "/admin/accounts")
    assert not _signed_in(laptop)
    assert _live_remembered(session, teacher) == 0
    assert _password_step(ipad, teacher, temporary.group(1)).endswith("/sign-in/code")


def test_an_admins_two_step_reset_signs_her_out_everywhere(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(SCHOOL_HOURS)
    teacher = make_account(session, Role.TEACHER, two_factor=True)
    admin = make_account(session, Role.ADMIN)
    session.commit()
    _remembered_ipad(app, session, teacher)
    clock.advance(seconds=31)
    laptop = client_for(app, teacher)
    clock.advance(seconds=31)
    office = client_for(app, admin)
    assert office.post(f"/admin/accounts/{teacher.id}/reset-two-step").status_code == 302
    assert _signed_in(office, "/admin/accounts")
    assert not _signed_in(laptop)
    assert _live_remembered(session, teacher) == 0


# --- Signed in with a recovery code ----------------------------------------------------------


def _recovery_sign_in(
    app: Flask, teacher: Account, code: str, next_path: str = ""
) -> tuple[FlaskClient, str]:
    browser = app.test_client()
    url = f"/sign-in?next={next_path}" if next_path else "/sign-in"
    response = browser.post(url, data={"username": teacher.username, "password": PASSWORD})
    assert response.location.endswith("/sign-in/code")
    landed = browser.post("/sign-in/code", data={"code": code})
    assert landed.status_code == 302, landed.data
    return browser, str(landed.location)


def _teacher_with_codes(app: Flask, session: Session, clock: Clock) -> tuple[Account, list[str]]:
    """A teacher with two-step sign-in and her ten recovery codes, in school hours."""
    clock.set(SCHOOL_HOURS)
    teacher = make_account(session, Role.TEACHER, two_factor=True)
    codes = two_factor.new_recovery_codes(
        session, teacher, now=utcnow(), secret_key=str(app.config["SECRET_KEY"])
    )
    session.commit()
    return teacher, codes


def test_after_a_recovery_code_she_is_told_how_many_are_left_and_where_to_set_up_a_new_phone(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, codes = _teacher_with_codes(app, session, clock)
    going = "/account/email"
    browser, landing = _recovery_sign_in(app, teacher, codes[0], going)
    page = browser.get(landing).get_data(as_text=True)
    assert "You signed in with a recovery code" in page
    assert "You have 9 recovery codes left." in page
    assert 'href="/account/two-step/new-phone"' in page
    assert f'href="{going}"' in page  # on to where she was going
    # Said once: the page she goes on to, and the two-step page itself, do not say it again.
    assert "recovery code" not in browser.get(going).get_data(as_text=True)
    assert "You signed in with a recovery code" not in browser.get("/account/two-step").get_data(
        as_text=True
    )


def test_after_her_last_recovery_code_she_is_told_none_is_left(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, codes = _teacher_with_codes(app, session, clock)
    with app.test_request_context():
        settings = sign_in_settings()
    for code in codes[:-1]:
        two_factor.verify(session, teacher, code, "192.0.2.9", now=utcnow(), settings=settings)
    session.commit()
    browser, landing = _recovery_sign_in(app, teacher, codes[-1])
    page = browser.get(landing).get_data(as_text=True)
    assert "You have no recovery codes left." in page
    assert "carry on to your start page" in page


def test_a_code_from_the_app_lands_where_it_always_did(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(SCHOOL_HOURS)
    teacher = make_account(session, Role.TEACHER, two_factor=True)
    session.commit()
    browser = app.test_client()
    _password_step(browser, teacher, PASSWORD)
    code = two_step.current_code(session, teacher.username)
    assert browser.post("/sign-in/code", data={"code": code}).location == "/"
