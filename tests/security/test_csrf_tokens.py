"""The CSRF token a page carries: each session's own, still accepted on its later pages.

Pages take their token from `web.csrf_token`, which signs a session's token once per worker and
hands the same signed token to that session's later pages.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from classroom.accounts.models import Role
from classroom.db import get_session
from tests.conftest import Clock, build_app, client_for
from tests.factories import make_account


def _page_token(client: FlaskClient) -> str:
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    tokens = set(re.findall(r'name="csrf-token" content="([^"]+)"', page))
    tokens |= set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert len(tokens) == 1, tokens  # the page's forms and its script use one token
    return tokens.pop()


def _two_teachers(
    tmp_path: Path, template_db: Path, clock: Clock
) -> tuple[Flask, list[FlaskClient]]:
    app = build_app(tmp_path, template_db, clock)  # CSRF on, as in production
    app.config["WTF_CSRF_ENABLED"] = False  # only while the two sign in
    with app.app_context():
        names = [make_account(get_session(), Role.TEACHER).username for _ in range(2)]
        get_session().commit()
    clients = [client_for(app, name) for name in names]
    app.config["WTF_CSRF_ENABLED"] = True
    return app, clients


def test_a_later_page_carries_a_token_its_form_accepts(
    tmp_path: Path, template_db: Path, clock: Clock
) -> None:
    _app, (teacher, _other) = _two_teachers(tmp_path, template_db, clock)
    _page_token(teacher)  # the session has its token from here on
    first = _page_token(teacher)
    again = _page_token(teacher)
    assert again == first
    assert teacher.post("/sign-out", data={"csrf_token": again}).status_code == 302


def test_each_session_gets_its_own_token(tmp_path: Path, template_db: Path, clock: Clock) -> None:
    """Another person's page token is refused, and never handed to someone else."""
    _app, (first, second) = _two_teachers(tmp_path, template_db, clock)
    for client in (first, second):
        _page_token(client)  # each session has its token from here on
    first_token = _page_token(first)
    second_token = _page_token(second)
    assert second_token != first_token
    refused = second.post("/sign-out", data={"csrf_token": first_token})
    assert refused.status_code == 400
    assert second.post("/sign-out", data={"csrf_token": second_token}).status_code == 302
    assert first.post("/sign-out", data={"csrf_token": first_token}).status_code == 302
