"""A copied session cookie is worthless once its session has ended: after signing out, after a
password change or reset, after deactivation or a role change, and after a pupil's "Finished".

Each test copies the cookie from a signed-in browser, ends the session the way a person would
(over HTTP), then replays the copy from a different browser.
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.admin.models import AccountChangeRequest
from classroom.devices.web import cookie_name
from tests.conftest import client_for, sign_in
from tests.factories import PASSWORD, make_account, make_class, make_device, make_pupil

COOKIE = "classroom"  # the testing configuration's name; production uses __Host-classroom


def copied_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def replay(app: Flask, stolen: str, path: str = "/pupils/") -> tuple[int, str]:
    """The copied cookie in a different browser; (status, where it leads)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, stolen)
    response = thief.get(path)
    return response.status_code, response.headers.get("Location", "")


def assert_refused(app: Flask, stolen: str) -> None:
    status, location = replay(app, stolen)
    assert (status, location.split("?")[0]) == (302, "/sign-in")


def test_the_copy_works_while_the_session_lives(app: Flask, session: Session) -> None:
    """The control: without this, the refusals below would prove nothing."""
    teacher = make_account(session, Role.TEACHER)
    session.commit()
    stolen = copied_cookie(client_for(app, teacher))
    assert replay(app, stolen) == (200, "")


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app: Flask, session: Session) -> None:
    teacher = make_account(session, Role.TEACHER)
    session.commit()
    browser = client_for(app, teacher)
    stolen = copied_cookie(browser)
    assert browser.post("/sign-out").status_code == 302
    assert_refused(app, stolen)


def test_a_password_change_ends_every_other_session(app: Flask, session: Session) -> None:
    teacher = make_account(session, Role.TEACHER)
    session.commit()
    laptop, stolen = client_for(app, teacher), copied_cookie(client_for(app, teacher))
    changed = laptop.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "a brand new passphrase 42"},
    )
    assert changed.status_code == 302
    assert_refused(app, stolen)
    assert laptop.get("/pupils/").status_code == 200  # the browser that changed it stays in


def test_deactivation_ends_the_session_at_once(app: Flask, session: Session) -> None:
    teacher, admin_account = make_account(session, Role.TEACHER), make_account(session, Role.ADMIN)
    session.commit()
    stolen = copied_cookie(client_for(app, teacher))
    admin = client_for(app, admin_account)
    deactivated = admin.post(f"/admin/accounts/{teacher.id}/active", data={"active": "0"})
    assert deactivated.status_code == 302
    assert_refused(app, stolen)
    assert sign_in(app.test_client(), teacher.username).status_code == 401


def test_an_admin_password_reset_and_a_role_change_end_sessions(
    app: Flask, session: Session
) -> None:
    teacher, admin_account = make_account(session, Role.TEACHER), make_account(session, Role.ADMIN)
    session.commit()
    admin = client_for(app, admin_account)
    before_reset = copied_cookie(client_for(app, teacher))
    assert admin.post(f"/admin/accounts/{teacher.id}/reset-password").status_code == 200
    assert_refused(app, before_reset)

    teacher_two = make_account(session, Role.TEACHER)
    session.commit()
    before_role_change = copied_cookie(client_for(app, teacher_two))
    changed = admin.post(
        f"/admin/accounts/{teacher_two.id}/role", data={"role": "teaching_assistant"}
    )
    assert changed.status_code == 302
    assert_refused(app, before_role_change)


def test_a_dsls_role_change_ends_their_sessions_only_once_the_head_approves_it(
    app: Flask, session: Session
) -> None:
    """A safeguarding-team account changes only with a second person's approval (issue 14)."""
    dsl, admin_account = make_account(session, Role.DSL), make_account(session, Role.ADMIN)
    head_account = make_account(session, Role.HEADTEACHER)
    session.commit()
    admin, head = client_for(app, admin_account), client_for(app, head_account)
    before = copied_cookie(client_for(app, dsl))
    asked = admin.post(f"/admin/accounts/{dsl.id}/role", data={"role": "teacher"})
    assert asked.status_code == 302
    assert replay(app, before) == (200, "")  # asked for, not yet in force
    change_id = session.scalar(select(AccountChangeRequest.id))
    approved = head.post(f"/admin/approvals/{change_id}", data={"decision": "approve"})
    assert approved.status_code == 302
    assert_refused(app, before)


def test_a_pupils_cookie_is_dead_after_finished_and_useless_off_the_class_ipad(
    app: Flask, session: Session
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak)
    _device, token = make_device(session, oak)
    session.commit()
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), token)
    assert ipad.post(f"/class-ipad/pupils/{pupil.id}").status_code == 302
    stolen = copied_cookie(ipad)
    # Off the iPad (no device cookie), the pupil's session is not honoured even while it lives.
    assert replay(app, stolen, "/pupil/") == (302, "/class-ipad")
    assert ipad.post("/pupil/finished").status_code == 302
    other_ipad = app.test_client()
    other_ipad.set_cookie(cookie_name(), token)
    other_ipad.set_cookie(COOKIE, stolen)
    assert other_ipad.get("/pupil/").headers.get("Location", "") == "/class-ipad"
