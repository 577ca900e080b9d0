"""A teacher with two-step sign-in gets a new phone (or signed in with a recovery code after
losing hers): her two-step page says how many recovery codes she has left and warns when few
are; she moves the app to the new phone, and makes new recovery codes, herself, her password
first. The old phone stops only once the new one's first code is right; old recovery codes stop
when new ones are made; everything is audited as an account (security) event, throttled with
sign-in's counts, and a page that showed a secret or codes is never kept by the browser."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts import two_factor
from classroom.accounts.models import Account, LoginAttempt, Role
from classroom.audit.models import AuditEvent, AuditTier
from classroom.db import utcnow
from classroom.errors import Invalid
from classroom.web import sign_in_settings
from tests import two_step
from tests.conftest import Clock, client_for
from tests.factories import PASSWORD, make_account

SCHOOL_HOURS = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
PAGE = "/account/two-step"
NEW_PHONE = "/account/two-step/new-phone"
NEW_CODES = "/account/two-step/recovery-codes"
CODE_ON_PAGE = re.compile(r"<code>([0-9A-F]{5}-[0-9A-F]{5})</code>")


def _teacher(app: Flask, session: Session, clock: Clock) -> tuple[Account, FlaskClient, list[str]]:
    """A teacher with two-step sign-in (the known secret) and ten recovery codes, signed in."""
    clock.set(SCHOOL_HOURS)
    teacher = make_account(session, Role.TEACHER, two_factor=True)
    codes = two_factor.new_recovery_codes(session, teacher, now=utcnow(), secret_key=_key(app))
    session.commit()
    browser = client_for(app, teacher)
    clock.advance(seconds=31)  # the sign-in's code step is spent; a new step for the next code
    return teacher, browser, codes


def _key(app: Flask) -> str:
    return str(app.config["SECRET_KEY"])


def _key_on_page(page: str) -> str:
    found = re.search(r"Key to type instead: <code>([A-Z2-7 ]+)</code>", page)
    assert found is not None, "no key to type on the page"
    return found.group(1).replace(" ", "")


def _secret(app: Flask, session: Session, account: Account) -> str | None:
    session.expire_all()
    row = two_factor.enrolment(session, account)
    assert row is not None
    return two_factor.open_secret(Path(app.instance_path), row)


def _recovery_works(app: Flask, session: Session, account: Account, code: str) -> bool:
    """Whether a recovery code is still good (tried in a transaction rolled back after)."""
    session.expire_all()
    try:
        with app.test_request_context():
            two_factor.verify(
                session, account, code, "192.0.2.9", now=utcnow(), settings=sign_in_settings()
            )
    except Invalid:
        return False
    finally:
        session.rollback()
    return True


def _actions(session: Session, account: Account) -> list[str]:
    session.expire_all()
    rows = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_id == account.id, AuditEvent.action.like("two_factor.%"))
        .order_by(AuditEvent.id)
    )
    return list(rows)


def _audit_count(session: Session) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def _password_failures(session: Session, account: Account) -> int:
    session.expire_all()
    rows = session.scalars(
        select(LoginAttempt).where(
            LoginAttempt.username == account.username,
            LoginAttempt.kind == "password",
            LoginAttempt.success.is_(False),
        )
    )
    return len(rows.all())


# --- How many recovery codes are left -------------------------------------------------------


def test_the_page_says_how_many_recovery_codes_are_left_never_which(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, browser, codes = _teacher(app, session, clock)
    page = browser.get(PAGE).get_data(as_text=True)
    assert "You have 10 recovery codes left." in page
    assert "only" not in page
    assert not any(code in page for code in codes)
    assert "Make new recovery codes" in page
    assert "Set up on a new phone" in page


def test_it_warns_when_two_or_fewer_are_left(app: Flask, session: Session, clock: Clock) -> None:
    teacher, browser, codes = _teacher(app, session, clock)
    for code in codes[:8]:
        with app.test_request_context():
            two_factor.verify(
                session, teacher, code, "192.0.2.9", now=utcnow(), settings=sign_in_settings()
            )
    session.commit()
    page = browser.get(PAGE).get_data(as_text=True)
    assert "You have only 2 recovery codes left." in page
    assert "Make new recovery codes now." in page
    for code in codes[8:]:
        with app.test_request_context():
            two_factor.verify(
                session, teacher, code, "192.0.2.9", now=utcnow(), settings=sign_in_settings()
            )
    session.commit()
    page = browser.get(PAGE).get_data(as_text=True)
    assert "You have no recovery codes left." in page


# --- A new phone ----------------------------------------------------------------------------


def _start(browser: FlaskClient) -> str:
    """Press "Show the QR code for the new phone"; the key the page shows."""
    response = browser.post(NEW_PHONE)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "Set up on a new phone" in page
    assert '<label for="password">Your password</label>' in page
    return _key_on_page(page)


def _confirm(browser: FlaskClient, key: str, password: str, code: str | None = None) -> object:
    typed = code if code is not None else pyotp.TOTP(key).at(utcnow())
    return browser.post(NEW_PHONE, data={"step": "confirm", "code": typed, "password": password})


def test_the_old_phone_works_until_the_new_ones_first_code_then_stops(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, browser, old_codes = _teacher(app, session, clock)
    intro = browser.get(NEW_PHONE)
    assert intro.status_code == 200
    assert "Key to type instead" not in intro.get_data(as_text=True)  # a GET shows no secret
    key = _start(browser)
    assert key != two_step.SECRET
    assert _secret(app, session, teacher) == two_step.SECRET  # not yet: the old phone works

    wrong = _confirm(browser, key, PASSWORD, code="000000")
    assert wrong.status_code == 400  # type: ignore[attr-defined]
    assert "That code did not work" in wrong.get_data(as_text=True)  # type: ignore[attr-defined]
    assert _secret(app, session, teacher) == two_step.SECRET
    assert _recovery_works(app, session, teacher, old_codes[0])

    done = _confirm(browser, key, PASSWORD)
    assert done.status_code == 200  # type: ignore[attr-defined]
    assert done.headers["Cache-Control"] == "no-store"  # type: ignore[attr-defined]
    page = done.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Your new phone is set up" in page
    new_codes = CODE_ON_PAGE.findall(page)
    assert len(new_codes) == 10
    assert _secret(app, session, teacher) == key  # the new phone now; the old one stopped
    assert not _recovery_works(app, session, teacher, old_codes[0])
    assert _recovery_works(app, session, teacher, new_codes[0])
    assert "You have 10 recovery codes left." in browser.get(PAGE).get_data(as_text=True)
    actions = _actions(session, teacher)
    started = actions.index("two_factor.new_phone_started")
    assert actions[started:] == [
        "two_factor.new_phone_started",
        "two_factor.code_refused",  # the wrong code first
        "two_factor.moved_to_new_phone",
        "two_factor.recovery_codes_made",
    ]
    moved = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "two_factor.moved_to_new_phone")
    )
    assert moved is not None
    assert moved.tier == AuditTier.ACCOUNT  # with password changes

    # Sent again (Back, then reload): the secret is spent, nothing changes, nothing shown.
    again = _confirm(browser, key, PASSWORD)
    assert again.status_code == 400  # type: ignore[attr-defined]
    assert "Key to type instead" not in again.get_data(as_text=True)  # type: ignore[attr-defined]
    assert _secret(app, session, teacher) == key


def test_someone_at_her_unlocked_computer_cannot_move_it_without_the_password(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, browser, _codes = _teacher(app, session, clock)
    key = _start(browser)
    refused = _confirm(browser, key, "not her password")
    assert refused.status_code == 400  # type: ignore[attr-defined]
    page = refused.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Your password is not right" in page
    assert "not her password" not in page
    assert _key_on_page(page) == key  # the same key: the new phone already holds it
    assert _secret(app, session, teacher) == two_step.SECRET
    assert _password_failures(session, teacher) == 1  # kept through the 400
    assert "two_factor.new_phone_refused" in _actions(session, teacher)


def test_wrong_codes_are_throttled_like_the_others(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, browser, _codes = _teacher(app, session, clock)
    key = _start(browser)
    statuses = [
        _confirm(browser, key, PASSWORD, code="000000").status_code  # type: ignore[attr-defined]
        for _ in range(6)
    ]
    assert statuses[:5] == [400] * 5
    assert statuses[5] == 429
    assert _confirm(browser, key, PASSWORD).status_code == 429  # type: ignore[attr-defined]
    assert _secret(app, session, teacher) == two_step.SECRET


def test_another_accounts_sealed_secret_in_the_session_does_not_open(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, browser, _codes = _teacher(app, session, clock)
    other = make_account(session, Role.TEACHER)
    session.commit()
    sealed = two_factor.seal_new_phone(Path(app.instance_path), other.id, two_step.SECRET)
    assert two_factor.open_new_phone(Path(app.instance_path), teacher.id, sealed) is None
    # Confirming with no set-up started says to start again.
    response = _confirm(browser, two_step.SECRET, PASSWORD)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Start setting up your new phone again" in response.get_data(  # type: ignore[attr-defined]
        as_text=True
    )
    assert _secret(app, session, teacher) == two_step.SECRET


def test_without_two_step_sign_in_the_new_pages_lead_back(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(SCHOOL_HOURS)
    teacher = make_account(session, Role.TEACHER)
    session.commit()
    browser = client_for(app, teacher)
    for url in (NEW_PHONE, NEW_CODES):
        response = browser.post(url, data={"password": PASSWORD})
        assert response.status_code == 302
        assert response.location.endswith(PAGE)


# --- New recovery codes ---------------------------------------------------------------------


def _codes_form(browser: FlaskClient) -> str:
    response = browser.get(NEW_CODES)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    found = re.search(r'name="made_after" type="hidden" value="(\d+)"', page)
    assert found is not None
    return found.group(1)


def test_new_recovery_codes_need_the_password_and_the_old_ones_stop(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, browser, old_codes = _teacher(app, session, clock)
    before = _audit_count(session)
    mark = _codes_form(browser)
    assert _audit_count(session) == before  # the GET writes nothing
    refused = browser.post(NEW_CODES, data={"password": "wrong guess", "made_after": mark})
    assert refused.status_code == 400
    assert not CODE_ON_PAGE.findall(refused.get_data(as_text=True))
    assert _recovery_works(app, session, teacher, old_codes[0])
    assert _password_failures(session, teacher) == 1
    assert "two_factor.recovery_codes_refused" in _actions(session, teacher)

    made = browser.post(NEW_CODES, data={"password": PASSWORD, "made_after": mark})
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    new_codes = CODE_ON_PAGE.findall(made.get_data(as_text=True))
    assert len(new_codes) == 10
    assert not _recovery_works(app, session, teacher, old_codes[1])
    assert _recovery_works(app, session, teacher, new_codes[0])
    assert _actions(session, teacher)[-1] == "two_factor.recovery_codes_made"
    assert _secret(app, session, teacher) == two_step.SECRET  # her phone is untouched


def test_the_form_sent_again_makes_and_shows_no_other_set(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, browser, _old = _teacher(app, session, clock)
    mark = _codes_form(browser)
    first = browser.post(NEW_CODES, data={"password": PASSWORD, "made_after": mark})
    kept = CODE_ON_PAGE.findall(first.get_data(as_text=True))
    again = browser.post(NEW_CODES, data={"password": PASSWORD, "made_after": mark})
    assert again.status_code == 302
    page = browser.get(again.location).get_data(as_text=True)
    assert "New recovery codes were made already" in page
    assert not CODE_ON_PAGE.findall(page)
    assert _recovery_works(app, session, teacher, kept[0])  # the set she kept still works


def test_too_many_wrong_passwords_wait_with_sign_in(
    app: Flask, session: Session, clock: Clock
) -> None:
    teacher, browser, _old = _teacher(app, session, clock)
    mark = _codes_form(browser)
    for _ in range(5):
        browser.post(NEW_CODES, data={"password": "guess", "made_after": mark})
    waited = browser.post(NEW_CODES, data={"password": PASSWORD, "made_after": mark})
    assert waited.status_code == 429
    assert "Too many attempts" in waited.get_data(as_text=True)


# --- The carer's password hint --------------------------------------------------------------


def test_the_carer_join_form_says_the_password_rules(client: FlaskClient) -> None:
    page = client.get("/family/join").get_data(as_text=True)
    assert "At least 12 characters, without the username you choose" in page
    assert "not an easy one" in page
