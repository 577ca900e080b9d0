"""A box the lesson needs, left empty: the teacher is told beside that box, and keeps their work."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.lessons.authored_models import AuthoredLesson
from tests.authoring_helpers import lesson_form
from tests.conftest import client_for
from tests.worry_helpers import make_school


@pytest.mark.parametrize(
    ("changes", "box", "said"),
    [
        ({"title": ""}, "title", "Title: please fill this in."),
        ({"sf-objective": ""}, "sf-objective", "Semi-formal objective: please fill this in."),
        ({"pf-1-note": ""}, "pf-1-note", "Pre-formal step 1, what to look for: please fill"),
        ({"sf-2-feedback": ""}, "sf-2-feedback", "Semi-formal step 2, feedback: please fill"),
    ],
)
def test_an_empty_box_the_lesson_needs_is_marked_beside_it(
    app: Flask, session: Session, changes: dict[str, str], box: str, said: str
) -> None:
    school = make_school(session)
    response = client_for(app, school.teacher).post("/authoring/new", data=lesson_form(**changes))
    assert response.status_code == 400
    page = html.unescape(response.data.decode())
    beside = re.search(rf'<p class="error" id="f-{box}-error">([^<]*)</p>', page)
    assert beside is not None, f"no message beside the {box} box"
    assert beside.group(1).startswith(said)
    field = re.search(rf'<input type="text" id="f-{box}"[^>]*>', page, re.S)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert f"f-{box}-error" in field.group(0)  # read out with the box
    assert f'<a href="#f-{box}">' in page  # the list of problems leads to the box
    assert 'value="Which message is kind?"' in page  # nothing typed is lost
    assert session.scalar(select(func.count()).select_from(AuthoredLesson)) == 0
