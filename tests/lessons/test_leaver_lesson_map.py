"""A pupil who has left the school keeps their lesson map as it was, as their settings are:
staff read it, and a change is refused (409, saying why) until they are back at the school."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.lessons.models import MapEntry
from tests.conftest import client_for
from tests.worries.cp_file_helpers import leaves, words
from tests.worry_helpers import School, make_school

LEFT = (
    "Amira has left the school, so Amira's lesson map cannot be changed. If Amira comes back, "
    "record that Amira is back at the school and it can be changed again."
)
DOWN = re.compile(r'<form method="post" action="(/pupils/\d+/lessons/[^"/]+/down)">')


def _own_entries(session: Session, school: School) -> int:
    mine = select(func.count()).where(MapEntry.pupil_id == school.pupil.id)
    return session.scalar(mine.select_from(MapEntry)) or 0


def _map(teacher: FlaskClient, school: School) -> str:
    page = teacher.get(f"/pupils/{school.pupil.id}/lessons")
    assert page.status_code == 200
    return page.text


def test_a_leavers_lesson_map_is_read_only_and_a_change_is_refused_until_they_are_back(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    down = DOWN.findall(_map(teacher, school))[0]
    leaves(app, school.head, school.pupil)

    shown = _map(teacher, school)
    assert LEFT in words(shown)
    assert f'action="/pupils/{school.pupil.id}/lessons' not in shown  # no edit controls
    base = f"/pupils/{school.pupil.id}/lessons"
    for path, data in (
        (down, {}),
        (f"{base}/reset", {"confirm": "yes"}),
        (f"{base}/reset", {}),
        (f"{base}/clear-target", {}),
        (f"{base}/x/add", {"lesson_id": "anything"}),
    ):
        refused = teacher.post(path, data=data)
        assert refused.status_code == 409, path
        assert f"Nothing was changed. {LEFT}" in words(refused.text)
    assert _own_entries(session, school) == 0  # still following the class map

    leaves(app, school.head, school.pupil, "back")
    assert LEFT not in words(_map(teacher, school))
    assert teacher.post(down).status_code == 302
    assert _own_entries(session, school) > 0
