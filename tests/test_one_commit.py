"""Each feature's POST ends in exactly one COMMIT: the request's own, made after the view returns.

Statement capture on the engine: a view or service that commits by itself (half a change on
disk before the rest is decided) shows up here as a second COMMIT.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from classroom import web
from classroom.accounts.models import Role
from classroom.db import end_unit_of_work
from classroom.devices.web import cookie_name
from classroom.worries.models import Incident
from tests.conftest import client_for
from tests.factories import link_parent, make_account
from tests.worry_helpers import School, make_school, pupil_on_ipad


@contextmanager
def commits(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record each COMMIT the database is sent while the block runs, and when the request's
    own end of its unit of work begins ("END"): a COMMIT before it came from the view."""
    seen: list[str] = []
    engine = app.extensions["db_engine"]

    def end(session: Session, status: int) -> None:
        seen.append("END")
        end_unit_of_work(session, status)

    monkeypatch.setattr(web, "end_unit_of_work", end)

    def note(_conn: Any) -> None:
        seen.append("COMMIT")

    event.listen(engine, "commit", note)
    try:
        yield seen
    finally:
        event.remove(engine, "commit", note)


def _worry(app: Flask, session: Session, school: School) -> Incident:
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k-0", "what": "sad"})
    incident = session.scalar(select(Incident))
    assert incident is not None
    return incident


# Each case: (who posts, what) -> (url, form data); run after the school is made.
Post = Callable[[Flask, Session, School], tuple[FlaskClient, str, dict[str, Any]]]


def _pupil_worry(
    app: Flask, _session: Session, school: School
) -> tuple[FlaskClient, str, dict[str, Any]]:
    return pupil_on_ipad(app, school), "/pupil/worry", {"key": "k-1", "what": "unkind"}


def _pupil_sign_in(
    app: Flask, _session: Session, school: School
) -> tuple[FlaskClient, str, dict[str, Any]]:
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), school.token)
    return ipad, f"/class-ipad/pupils/{school.pupil.id}", {}


def _acknowledge(
    app: Flask, session: Session, school: School
) -> tuple[FlaskClient, str, dict[str, Any]]:
    incident = _worry(app, session, school)
    return client_for(app, school.dsl.username), f"/safeguarding/{incident.id}/acknowledge", {}


def _hide_lesson(
    app: Flask, _session: Session, school: School
) -> tuple[FlaskClient, str, dict[str, Any]]:
    client = client_for(app, school.teacher.username)
    return client, f"/pupils/{school.pupil.id}/lessons/passwords/hide", {}


def _observe(
    app: Flask, _session: Session, school: School
) -> tuple[FlaskClient, str, dict[str, Any]]:
    client = client_for(app, school.teacher.username)
    data = {"objective_id": "stop-block-tell.sf", "level": "2", "context": "lesson"}
    return client, f"/assessment/pupils/{school.pupil.id}/observations", data


def _rules(
    app: Flask, _session: Session, school: School
) -> tuple[FlaskClient, str, dict[str, Any]]:
    data = {"rule-1": "I am kind online.", "symbol-1": ""}
    return client_for(app, school.head.username), "/rules/edit", data


def _flag(app: Flask, _session: Session, school: School) -> tuple[FlaskClient, str, dict[str, Any]]:
    data = {"phrase": "stay", "symbol": "1F9CD", "note": "looks wrong", "lesson": ""}
    return client_for(app, school.teacher.username), "/symbols/flags", data


def _carer_message(
    app: Flask, session: Session, school: School
) -> tuple[FlaskClient, str, dict[str, Any]]:
    carer = make_account(session, Role.PARENT)
    link_parent(session, carer, school.pupil)
    session.commit()
    url = f"/family/children/{school.pupil.id}/messages"
    return client_for(app, carer.username), url, {"body": "See you at 3.", "key": "k-carer"}


def _new_class(
    app: Flask, session: Session, _school: School
) -> tuple[FlaskClient, str, dict[str, Any]]:
    admin = make_account(session, Role.ADMIN)
    session.commit()
    return client_for(app, admin.username), "/admin/classes", {"name": "Willow"}


def _sign_out(
    app: Flask, _session: Session, school: School
) -> tuple[FlaskClient, str, dict[str, Any]]:
    return client_for(app, school.teacher.username), "/sign-out", {}


@pytest.mark.parametrize(
    "make_post",
    [
        _pupil_worry,
        _pupil_sign_in,
        _acknowledge,
        _hide_lesson,
        _observe,
        _rules,
        _flag,
        _carer_message,
        _new_class,
        _sign_out,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_a_post_commits_exactly_once_when_the_view_has_returned(
    app: Flask, session: Session, make_post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, url, data = make_post(app, session, make_school(session))
    session.commit()  # the test client would commit the test's own session first
    with commits(app, monkeypatch) as seen:
        response = client.post(url, data=data)
    assert response.status_code < 400, response.data[:300]
    assert seen == ["END", "COMMIT"]


def test_a_refused_post_commits_nothing(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    school = make_school(session)
    client = client_for(app, school.head.username)
    session.commit()
    with commits(app, monkeypatch) as seen:
        response = client.post("/rules/edit", data={"rule-1": "", "symbol-1": "../etc"})
    assert response.status_code == 400
    assert seen == ["END"]
