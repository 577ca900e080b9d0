"""Who is signed in is read in one statement per request (classroom/web.py load_principal):
the session row with the account, or with the pupil and their class iPad, joined."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.devices.web import cookie_name
from classroom.pupils.models import Pupil
from tests.factories import make_class, make_device, make_pupil
from tests.statements import statements

BY_ID = re.compile(r"FROM (pupils|devices|accounts) WHERE \1\.id = \?")


def _ipad(app: Flask, session: Session, pupil: Pupil) -> tuple[FlaskClient, str]:
    """A class iPad of the pupil's class with the pupil signed in, and its device token."""
    ipad = app.test_client()
    _, token = make_device(session, pupil.school_class)
    session.commit()
    ipad.set_cookie(cookie_name(), token)
    assert ipad.post(f"/class-ipad/pupils/{pupil.id}").status_code == 302
    return ipad, token


def _session_lookups(seen: list[str]) -> list[str]:
    return [s for s in seen if "FROM user_sessions" in s and s.startswith("SELECT")]


def test_a_pupil_page_reads_the_session_the_pupil_and_the_ipad_in_one_statement(
    app: Flask, session: Session
) -> None:
    ipad, _ = _ipad(app, session, make_pupil(session, make_class(session)))
    ipad.get("/pupil/")

    with statements(app) as seen:
        response = ipad.get("/pupil/")

    assert response.status_code == 200
    lookups = _session_lookups(seen)
    assert len(lookups) == 1
    assert "JOIN pupils" in lookups[0]
    assert "JOIN devices" in lookups[0]
    assert [s for s in seen if BY_ID.search(s)] == []  # neither is looked up again


def test_a_staff_page_reads_the_session_and_the_account_in_one_statement(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.TEACHER)
    client.get("/pupils/")

    with statements(app) as seen:
        response = client.get("/pupils/")

    assert response.status_code == 200
    lookups = _session_lookups(seen)
    assert len(lookups) == 1
    assert "JOIN accounts" in lookups[0]
    assert [s for s in seen if BY_ID.search(s)] == []


def test_a_pupil_session_is_refused_from_another_ipad_of_the_same_class(
    app: Flask, session: Session
) -> None:
    oak = make_class(session)
    amiras, _ = _ipad(app, session, make_pupil(session, oak))
    _, other_token = make_device(session, oak)
    session.commit()
    elsewhere = app.test_client()  # the same class's other iPad, holding her session cookie
    elsewhere.set_cookie(cookie_name(), other_token)
    cookie = amiras.get_cookie("classroom")
    assert cookie is not None
    elsewhere.set_cookie("classroom", cookie.value)

    response = elsewhere.get("/pupil/")

    assert response.status_code == 302
    assert response.location.endswith("/class-ipad")
    assert amiras.get("/pupil/").status_code == 302  # the session ended: not allowed any more
