"""Two-step sign-in: the safeguarding team, head and admins need a code from an app as well."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts import two_factor
from classroom.accounts.models import Account, RecoveryCode, Role, TwoFactor
from classroom.audit.models import AuditEvent
from classroom.db import Base, utcnow
from tests import two_step
from tests.conftest import Clock
from tests.factories import PASSWORD, make_account


def _password(client: FlaskClient, account: Account, next_path: str = "") -> str:
    url = f"/sign-in?next={next_path}" if next_path else "/sign-in"
    response = client.post(url, data={"username": account.username, "password": PASSWORD})
    assert response.status_code == 302
    return str(response.location)


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/pupils/").status_code == 200


def _key_on(page: str) -> str:
    """The key the set-up page offers to type into the app instead of scanning its QR code."""
    found = re.search(r"Key to type instead: <code>([A-Z2-7 ]+)</code>", page)
    assert found is not None, "no key to type on the page"
    return found.group(1).replace(" ", "")


def _actions(session: Session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.mark.parametrize("role", [Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER, Role.ADMIN])
def test_required_roles_cannot_skip_setting_up_the_app(
    client: FlaskClient, session: Session, role: Role
) -> None:
    account = make_account(session, role, two_factor=False)
    session.commit()
    assert _password(client, account).endswith("/sign-in/set-up-app")
    assert not _signed_in(client)  # the password alone reaches no page
    assert client.get("/account/two-step").status_code == 302
    assert "/sign-in" in client.get("/safeguarding/").location


def test_enrolment_shows_a_qr_code_then_recovery_codes_and_signs_in(
    client: FlaskClient, session: Session
) -> None:
    dsl = make_account(session, Role.DSL, two_factor=False)
    session.commit()
    _password(client, dsl, "/safeguarding/")
    assert client.get("/sign-in/set-up-app").status_code == 200
    page = client.post("/sign-in/set-up-app").data.decode()
    assert '<svg class="qr"' in page
    key = _key_on(page)
    assert "<script" not in page.split("</head>")[1]
    row = session.scalar(select(TwoFactor).where(TwoFactor.account_id == dsl.id))
    assert row is not None
    assert row.confirmed_at is None
    wrong = client.post("/sign-in/set-up-app", data={"step": "confirm", "code": "000000"})
    assert wrong.status_code == 400
    assert _key_on(wrong.data.decode()) == key  # shown again, to try once more
    code = pyotp.TOTP(key).at(utcnow())
    done = client.post("/sign-in/set-up-app", data={"step": "confirm", "code": code})
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9A-F]{5}-[0-9A-F]{5})</code>", done.data.decode())
    assert len(codes) == 10
    assert 'href="/safeguarding/"' in done.data.decode()
    assert _signed_in(client)
    stored = list(session.scalars(select(RecoveryCode.code_hash)))
    assert len(stored) == 10
    assert not any(c.replace("-", "") in h or c in h for c in codes for h in stored)
    assert "two_factor.enrolled" in _actions(session)


def test_enrolled_staff_sign_in_with_a_code_and_keep_their_next_page(
    client: FlaskClient, session: Session
) -> None:
    head = make_account(session, Role.HEADTEACHER)
    session.commit()
    assert _password(client, head, "/safeguarding/").endswith("/sign-in/code")
    assert not _signed_in(client)
    code = two_step.current_code(session, head.username)
    response = client.post("/sign-in/code", data={"code": code})
    assert response.location == "/safeguarding/"
    assert _signed_in(client)
    assert "two_factor.code_accepted" in _actions(session)


def test_a_code_works_only_once(app: Flask, session: Session) -> None:
    dsl = make_account(session, Role.DSL)
    session.commit()
    first, second = app.test_client(), app.test_client()
    _password(first, dsl)
    _password(second, dsl)
    code = two_step.current_code(session, dsl.username)
    assert first.post("/sign-in/code", data={"code": code}).status_code == 302
    assert second.post("/sign-in/code", data={"code": code}).status_code == 401


def test_wrong_codes_are_throttled_like_passwords(client: FlaskClient, session: Session) -> None:
    admin = make_account(session, Role.ADMIN)
    session.commit()
    _password(client, admin)
    for _ in range(5):
        response = client.post("/sign-in/code", data={"code": "123456"})
        assert response.status_code == 401
        assert b"That code did not work" in response.data
    right = two_step.current_code(session, admin.username)
    blocked = client.post("/sign-in/code", data={"code": right})
    assert blocked.status_code == 429
    assert not _signed_in(client)
    assert "two_factor.code_refused" in _actions(session)


def test_a_recovery_code_works_once(app: Flask, session: Session) -> None:
    dsl = make_account(session, Role.DSL)
    codes = two_factor.new_recovery_codes(
        session, dsl, now=utcnow(), secret_key=str(app.config["SECRET_KEY"])
    )
    session.commit()
    first = app.test_client()
    _password(first, dsl)
    assert first.post("/sign-in/code", data={"code": codes[0].lower()}).status_code == 302
    assert _signed_in(first)
    again = app.test_client()
    _password(again, dsl)
    assert again.post("/sign-in/code", data={"code": codes[0]}).status_code == 401
    assert "two_factor.recovery_code_used" in _actions(session)


def test_the_code_step_expires_and_cannot_be_reached_without_the_password(
    client: FlaskClient, session: Session, clock: Clock
) -> None:
    assert client.get("/sign-in/code").location == "/sign-in"
    dsl = make_account(session, Role.DSL)
    session.commit()
    _password(client, dsl)
    clock.advance(minutes=11)
    code = two_step.current_code(session, dsl.username)
    assert client.post("/sign-in/code", data={"code": code}).location == "/sign-in"
    assert not _signed_in(client)


@pytest.mark.usefixtures("clock")
def test_class_staff_may_have_an_ipad_remembered_until_they_forget_it(
    app: Flask, session: Session
) -> None:
    teacher = make_account(session, Role.TEACHER, two_factor=True)
    session.commit()
    ipad = app.test_client()
    _password(ipad, teacher)
    code = two_step.current_code(session, teacher.username)
    assert ipad.post("/sign-in/code", data={"code": code, "remember": "y"}).status_code == 302
    ipad.post("/sign-out")
    assert _password(ipad, teacher) == "/"  # remembered: no code asked
    assert "two_factor.remembered_device_used" in _actions(session)
    other = app.test_client()
    assert _password(other, teacher).endswith("/sign-in/code")  # another browser still asks
    page = ipad.get("/account/two-step").data.decode()
    device_id = re.search(r"/account/two-step/devices/(\d+)/forget", page)
    assert device_id is not None
    assert ipad.post(f"/account/two-step/devices/{device_id.group(1)}/forget").status_code == 302
    ipad.post("/sign-out")
    assert _password(ipad, teacher).endswith("/sign-in/code")


def test_a_remembered_ipad_expires(app: Flask, session: Session, clock: Clock) -> None:
    ta = make_account(session, Role.TEACHING_ASSISTANT, two_factor=True)
    session.commit()
    ipad = app.test_client()
    _password(ipad, ta)
    code = two_step.current_code(session, ta.username)
    ipad.post("/sign-in/code", data={"code": code, "remember": "y"})
    ipad.post("/sign-out")
    clock.advance(days=31)
    assert _password(ipad, ta).endswith("/sign-in/code")


def test_the_safeguarding_team_is_never_remembered(app: Flask, session: Session) -> None:
    dsl = make_account(session, Role.DSL)
    session.commit()
    browser = app.test_client()
    _password(browser, dsl)
    page = browser.get("/sign-in/code").data.decode()
    assert "Do not ask again" not in page
    code = two_step.current_code(session, dsl.username)
    browser.post("/sign-in/code", data={"code": code, "remember": "y"})
    browser.post("/sign-out")
    assert _password(browser, dsl).endswith("/sign-in/code")


def test_other_staff_may_turn_it_on_from_their_account(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    teacher = login_as(Role.TEACHER)
    assert "Two-step sign-in is off" in client.get("/account/two-step").data.decode()
    page = client.post("/account/two-step").data.decode()
    assert '<svg class="qr"' in page
    code = pyotp.TOTP(_key_on(page)).at(utcnow())
    confirmed = {"step": "confirm", "code": code, "password": PASSWORD}
    done = client.post("/account/two-step", data=confirmed)
    assert done.status_code == 200
    assert "Two-step sign-in is on" in client.get("/account/two-step").data.decode()
    client.post("/sign-out")
    assert _password(client, teacher).endswith("/sign-in/code")


# --- The app's secret, kept sealed -------------------------------------------------------------


def _enrol_by_page(client: FlaskClient, account: Account) -> str:
    """Set up the app as the person does, and return the key the page showed them."""
    _password(client, account)
    key = _key_on(client.post("/sign-in/set-up-app").data.decode())
    code = pyotp.TOTP(key).at(utcnow())
    done = client.post("/sign-in/set-up-app", data={"step": "confirm", "code": code})
    assert done.status_code == 200
    return key


def test_a_copy_of_the_database_holds_no_authenticator_secret(
    client: FlaskClient, session: Session
) -> None:
    """A stolen dump could otherwise make every DSL's codes: the secret is kept sealed."""
    dsl = make_account(session, Role.DSL, two_factor=False)
    session.commit()
    key = _enrol_by_page(client, dsl)
    raw = base64.b32decode(key)
    session.expire_all()
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)).all():
            for value in row:
                text = value.hex() if isinstance(value, bytes) else str(value)
                assert key not in str(value).upper(), table.name
                assert raw.hex() not in text, table.name
    stored = session.scalar(select(TwoFactor).where(TwoFactor.account_id == dsl.id))
    assert stored is not None
    assert two_factor.open_secret(Path(client.application.instance_path), stored) == key


def test_a_sealed_secret_moved_to_another_account_makes_no_codes_for_it(
    app: Flask, session: Session
) -> None:
    dsl, head = make_account(session, Role.DSL), make_account(session, Role.HEADTEACHER)
    session.flush()
    rows = {r.account_id: r for r in session.scalars(select(TwoFactor))}
    rows[head.id].sealed_secret = rows[dsl.id].sealed_secret
    session.commit()
    browser = app.test_client()
    _password(browser, head)
    code = two_step.current_code(session, dsl.username)  # the moved secret's own codes
    refused = browser.post("/sign-in/code", data={"code": code})
    assert refused.status_code == 401
    assert "cannot read your authenticator" in refused.data.decode()
    assert not _signed_in(browser)
    assert "two_factor.secret_unreadable" in _actions(session)


def test_without_the_instance_key_the_team_is_told_to_use_a_recovery_code(
    app: Flask, session: Session
) -> None:
    """A restore that left the key behind: a clear way in, not an error page."""
    dsl = make_account(session, Role.DSL)
    codes = two_factor.new_recovery_codes(
        session, dsl, now=utcnow(), secret_key=str(app.config["SECRET_KEY"])
    )
    session.commit()
    code = two_step.current_code(session, dsl.username)
    key_file = Path(app.instance_path) / "evidence_key"
    key_file.write_bytes(bytes(32))  # another key than the one the secret was sealed with
    browser = app.test_client()
    _password(browser, dsl)
    refused = browser.post("/sign-in/code", data={"code": code})
    assert refused.status_code == 401
    assert "Type one of your recovery codes" in refused.data.decode()
    assert browser.post("/sign-in/code", data={"code": codes[0]}).status_code == 302
    assert _signed_in(browser)
