"""Staff sign-in as its people meet it: a TA whose password is over 6 months old, and a teacher
on the safeguarding team who lost her phone and signs in with her recovery codes."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts import two_factor
from classroom.accounts.models import Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from tests.conftest import Clock
from tests.factories import PASSWORD, make_account

NEW_PASSWORD = "purple otters juggle lanterns"


def _actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_new_password_rules_are_said_before_she_types(app: Flask, session: Session) -> None:
    """The username and the current password are refused: the hint says so before, not after."""
    ta = make_account(session, Role.TEACHING_ASSISTANT)
    session.commit()
    client = app.test_client()
    client.post("/sign-in", data={"username": ta.username, "password": PASSWORD})
    hint = client.get("/account/password").get_data(as_text=True)  # before any try
    assert "At least 12 characters" in hint
    assert "without your username" in hint
    assert "not the one you have now" in hint


def test_an_expired_password_is_changed_then_she_is_told_it_is_done(
    app: Flask, session: Session, clock: Clock
) -> None:
    ta = make_account(session, Role.TEACHING_ASSISTANT)
    session.commit()
    clock.advance(days=183)
    client = app.test_client()
    client.post("/sign-in", data={"username": ta.username, "password": PASSWORD})
    done = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert "Your password has been changed." in done.get_data(as_text=True)
    assert _actions(session).count("password.changed") == 1


def test_an_expired_password_then_goes_on_to_the_page_she_was_opening(
    app: Flask, session: Session, clock: Clock
) -> None:
    """Signing in from a link to a page (here her account's two-step page) asks for the new
    password first, then opens that page, not the start page."""
    ta = make_account(session, Role.TEACHING_ASSISTANT)
    session.commit()
    clock.advance(days=183)
    client = app.test_client()
    signed = client.post(
        "/sign-in?next=/account/two-step",
        data={"username": ta.username, "password": PASSWORD},
    )
    assert signed.status_code == 302
    assert "/account/password" in signed.location
    asked = client.get(signed.location)
    assert "choose a new password before you carry on" in asked.get_data(as_text=True)
    changed = client.post(
        signed.location, data={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert changed.status_code == 302
    assert changed.location.endswith("/account/two-step")
    assert client.get(changed.location).status_code == 200


def test_a_used_recovery_code_says_so_and_not_to_read_the_lost_phone(
    app: Flask, session: Session
) -> None:
    dsl = make_account(session, Role.DSL)
    codes = two_factor.new_recovery_codes(
        session, dsl, now=utcnow(), secret_key=str(app.config["SECRET_KEY"])
    )
    session.commit()
    first = app.test_client()
    first.post("/sign-in", data={"username": dsl.username, "password": PASSWORD})
    assert first.post("/sign-in/code", data={"code": codes[0]}).status_code == 302
    again = app.test_client()
    again.post("/sign-in", data={"username": dsl.username, "password": PASSWORD})
    refused = again.post("/sign-in/code", data={"code": codes[0]})
    assert refused.status_code == 401
    text = refused.get_data(as_text=True)
    assert "That recovery code did not work" in text
    assert "ask an admin to reset your two-step sign-in" in text
    assert "Type the 6 numbers your app shows now" not in text
    # The rest still work.
    assert again.post("/sign-in/code", data={"code": codes[1]}).status_code == 302
    assert _actions(session).count("two_factor.recovery_code_used") == 2
