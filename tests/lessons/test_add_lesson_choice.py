"""Adding a lesson to a pupil's map is a choice the teacher makes: nothing is chosen for them,
and a tap on "Add to the end" with nothing chosen says so and adds nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.lessons.models import MapEntry
from tests.factories import make_class, make_pupil

ADD_BOX = re.compile(r'<select id="add-id"[^>]*>(.*?)</select>', re.S)


def test_the_add_a_lesson_box_starts_with_no_lesson_chosen(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak)  # 15: the teacher-enabled lessons are offered
    login_as(Role.TEACHER, classes=[oak])

    page = client.get(f"/pupils/{pupil.id}/lessons").text

    box = ADD_BOX.search(page)
    assert box is not None
    assert re.search(r'<select id="add-id"[^>]*\brequired\b', page)
    options = re.findall(r'<option value="([^"]*)"([^>]*)>', box.group(1))
    assert options[0] == ("", "")  # "Choose a lesson...", not the first lesson
    assert len(options) > 1
    assert not any("selected" in rest for _, rest in options)


def test_adding_with_no_lesson_chosen_says_so_and_adds_nothing(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak)
    login_as(Role.TEACHER, classes=[oak])

    response = client.post(f"/pupils/{pupil.id}/lessons/_/add", data={"lesson_id": ""})

    assert response.status_code == 400
    assert "Choose a lesson to add." in response.text
    count = select(func.count()).select_from(MapEntry).where(MapEntry.pupil_id == pupil.id)
    assert session.scalar(count) == 0
