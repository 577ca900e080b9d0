"""Pupil pages are rendered from per-worker caches (classroom/symbols/cache.py, the lesson
catalogue in classroom/lessons/maps.py); whatever staff change shows on the pupil's next page."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.devices.web import cookie_name
from classroom.lessons.authored_models import AuthoredLesson
from classroom.pupils.models import Pupil, SchoolClass
from tests.authoring_helpers import lesson_form
from tests.conftest import sign_in
from tests.factories import make_account, make_class, make_device, make_pupil
from tests.factories import make_school as make_school_record
from tests.worry_helpers import make_school, pupil_on_ipad

WORRY_BUTTON = re.compile(r'<a class="worry-button"[^>]*>(.*?)</a>', re.S)
CAT = "/symbols/1F431.svg"


def _ipad(app: Flask, session: Session, pupil: Pupil) -> FlaskClient:
    """The pupil's class iPad, signed in as the pupil."""
    ipad = app.test_client()
    _, token = make_device(session, pupil.school_class)
    session.commit()
    ipad.set_cookie(cookie_name(), token)
    assert ipad.post(f"/class-ipad/pupils/{pupil.id}").status_code == 302
    return ipad


def _worry_button(ipad: FlaskClient) -> str:
    found = WORRY_BUTTON.search(ipad.get("/pupil/").data.decode())
    assert found is not None, "no Report a worry button"
    return found.group(1)


def _choose(client: FlaskClient, phrase: str, symbol: str, layer: str) -> None:
    response = client.post(
        "/symbols/choices", data={"phrase": phrase, "symbol": symbol, "layer": layer}
    )
    assert response.status_code == 302, response.data


def _shared_lesson(session: Session, teacher: FlaskClient, title: str) -> AuthoredLesson:
    """A lesson the signed-in teacher writes and shares with their school."""
    created = teacher.post("/authoring/new", data=lesson_form(title=title))
    assert created.status_code == 302, created.data
    found = re.search(r"/authoring/(\d+)", created.location)
    assert found is not None
    row = session.get(AuthoredLesson, int(found.group(1)))
    assert row is not None
    assert teacher.post(f"/authoring/{row.id}/share").status_code == 302
    return row


def _class_with_pupils(session: Session) -> tuple[SchoolClass, Pupil, Pupil]:
    oak = make_class(session)
    return oak, make_pupil(session, oak), make_pupil(session, oak)


def test_a_symbol_a_teacher_chooses_for_a_pupil_shows_on_their_next_page_only(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak, amira, ben = _class_with_pupils(session)
    login_as(Role.TEACHER, classes=[oak])
    amiras, bens = _ipad(app, session, amira), _ipad(app, session, ben)
    assert "/symbols/worry.svg" in _worry_button(amiras)
    assert "/symbols/worry.svg" in _worry_button(bens)

    _choose(client, "worry", "1F431", f"pupil-{amira.id}")

    assert CAT in _worry_button(amiras)
    assert "/symbols/worry.svg" not in _worry_button(amiras)
    assert CAT not in _worry_button(bens)  # the classmate's layers did not change
    assert "/symbols/worry.svg" in _worry_button(bens)


def test_a_symbol_cleared_for_the_class_goes_back_on_the_next_page(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak, amira, _ben = _class_with_pupils(session)
    login_as(Role.TEACHER, classes=[oak])
    amiras = _ipad(app, session, amira)
    _choose(client, "finished", "1F431", f"class-{oak.id}")
    assert CAT in amiras.get("/pupil/").data.decode()

    response = client.post(
        "/symbols/choices/clear", data={"phrase": "finished", "layer": f"class-{oak.id}"}
    )

    assert response.status_code == 302, response.data
    page = amiras.get("/pupil/").data.decode()
    assert CAT not in page
    assert "/symbols/1F3C1.svg" in page  # Finished's own picture again


def test_a_shared_lesson_a_teacher_changes_shows_its_new_title_on_the_pupils_next_page(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher = app.test_client()
    assert sign_in(teacher, school.teacher.username).status_code == 302
    row = _shared_lesson(session, teacher, title="Kind words online")
    added = teacher.post(f"/pupils/{school.pupil.id}/lessons/x/add", data={"lesson_id": row.key})
    assert added.status_code == 302
    ipad = pupil_on_ipad(app, school)
    assert "Kind words online" in ipad.get("/pupil/").data.decode()

    edited = teacher.post(f"/authoring/{row.id}/edit", data=lesson_form(title="Kind words"))

    assert edited.status_code == 302, edited.data
    page = ipad.get("/pupil/").data.decode()
    assert "Kind words online" not in page
    assert "Kind words" in page
    assert ipad.get(f"/pupil/lessons/{row.key}").status_code == 200


def test_a_lesson_shared_in_another_school_never_reaches_this_schools_catalogue(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    assert ipad.get("/pupil/").status_code == 200  # this school's catalogue is now cached
    elsewhere = make_school_record(session, name="Elsewhere")
    author = make_account(session, Role.TEACHER, school=elsewhere)
    session.commit()
    writer = app.test_client()
    assert sign_in(writer, author.username).status_code == 302
    row = _shared_lesson(session, writer, title="Only over there")

    assert ipad.get(f"/pupil/lessons/{row.key}").status_code == 404
    assert "Only over there" not in ipad.get("/pupil/").data.decode()
