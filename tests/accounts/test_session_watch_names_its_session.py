"""A page asks whether the session it was drawn for still holds (static/js/session-watch.js),
naming that session by its sign-out form's token. On a shared laptop the DSL's session can time
out in one tab while a teacher signs in in another: the browser's cookie is alive again, but it
is the teacher's, and the page drawn for the DSL must hear that its session has gone."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from tests.conftest import Clock, sign_in
from tests.factories import make_account

ALIVE = "/session/alive"


def _page_token(client: FlaskClient) -> str:
    """The token in the sign-out form of a staff page, as session-watch.js reads it."""
    page = client.get("/account/password").get_data(as_text=True)
    form = re.search(r'<form[^>]*data-sign-out[^>]*>(.*?)</form>', page, re.S)
    assert form is not None
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(1))
    assert token is not None
    return token.group(1)


def test_a_page_drawn_for_a_timed_out_session_is_not_kept_by_the_next_persons(
    app: Flask, session: Session, clock: Clock
) -> None:
    make_account(session, Role.DSL, username="lead")
    make_account(session, Role.TEACHER, username="next")
    session.commit()
    client = app.test_client()
    sign_in(client, "lead")
    leads_page = _page_token(client)
    assert client.get(ALIVE, headers={"X-Page-Token": leads_page}).status_code == 204

    clock.advance(hours=3)  # the DSL walked away: the idle time-out ended the session
    assert client.get(ALIVE, headers={"X-Page-Token": leads_page}).status_code == 302
    sign_in(client, "next")  # in another tab of the same browser

    answer = client.get(ALIVE, headers={"X-Page-Token": leads_page})
    assert answer.status_code == 403
    assert answer.headers["Cache-Control"] == "no-store"
    assert client.get(ALIVE, headers={"X-Page-Token": _page_token(client)}).status_code == 204


def test_an_ask_without_a_token_or_with_a_forged_one(app: Flask, session: Session) -> None:
    make_account(session, Role.TEACHER, username="next")
    session.commit()
    client = app.test_client()
    sign_in(client, "next")
    assert client.get(ALIVE).status_code == 204  # a page from before this release
    assert client.get(ALIVE, headers={"X-Page-Token": "x" * 90}).status_code == 403
    assert client.get(ALIVE, headers={"X-Page-Token": ""}).status_code == 403
