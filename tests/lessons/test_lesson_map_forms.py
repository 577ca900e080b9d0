"""The teacher's lesson map for a pupil has five small forms a row; they share one CSRF token
made once per page, and each still works."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from tests.factories import make_class, make_pupil

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
LATER = re.compile(r'<form method="post" action="(/pupils/\d+/lessons/[^"/]+/down)">')


def test_every_form_on_the_lesson_map_carries_the_pages_token_and_works(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session)
    amira = make_pupil(session, oak)
    login_as(Role.TEACHER, classes=[oak])
    session.commit()
    app.config["WTF_CSRF_ENABLED"] = True

    page = client.get(f"/pupils/{amira.id}/lessons")

    assert page.status_code == 200
    html = page.data.decode()
    meta = META.search(html)
    assert meta is not None
    tokens = TOKEN.findall(html)
    assert len(tokens) > 10  # a row of forms per lesson
    assert set(tokens) == {meta.group(1)}
    later = LATER.search(html)
    assert later is not None
    moved = client.post(later.group(1), data={"csrf_token": tokens[-1]})
    assert moved.status_code == 302, moved.data
    refused = client.post(later.group(1), data={"csrf_token": "not-the-token"})
    assert refused.status_code == 400
