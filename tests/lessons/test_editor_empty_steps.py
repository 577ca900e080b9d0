"""The lesson editor with an empty step box between filled ones (steps 1, 2 and 4, say).

The empty box is not a step, so the pupil's third screen is the teacher's box 4. Whatever the
lesson rules find is still said, and marked, on the box the teacher filled, in the numbers the
teacher sees; a "Next goes back to step" names the teacher's box, is saved as the screen that
box became, and one naming an empty box is refused, never sent somewhere else.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.lessons.authored_models import AuthoredLesson
from tests.authoring_helpers import lesson_form
from tests.conftest import client_for
from tests.worry_helpers import make_school, pupil_on_ipad

# Semi-formal boxes 1 and 2 as the helper fills them, box 3 left empty, and box 4 a step
# where the pupil asks for more (back to box 2) or finished; both are right.
GAP_AT_3 = {
    "sf-3-kind": None,
    "sf-3-text": None,
    "sf-4-kind": "choose",
    "sf-4-text": "More or finished?",
    "sf-4-o1-text": "More",
    "sf-4-o1-again": "2",
    "sf-4-o2-text": "Finished",
    "sf-4-correct": ["1", "2"],
    "sf-4-feedback": "Thank you for telling me.",
}


def _post(client: FlaskClient, **changes: Any) -> Any:
    return client.post("/authoring/new", data=lesson_form(**{**GAP_AT_3, **changes}))


def _teacher(app: Flask, session: Session) -> FlaskClient:
    return client_for(app, make_school(session).teacher)


def _box(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    assert found is not None, name
    return found.group(0)


def _saved(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuthoredLesson)) or 0)


def _marked_only(page: str, name: str) -> None:
    """The box `name` is marked, linked from the summary and holds what was typed; no other
    "goes back" box is marked, and box 4's words are still in box 4."""
    assert 'aria-invalid="true"' in _box(page, name)
    assert f'href="#f-{name}"' in page
    marked = re.findall(r'<input[^>]*name="([^"]+-again)"[^>]*aria-invalid="true"', page)
    assert marked == [name]
    assert 'value="More or finished?"' in _box(page, "sf-4-text")
    assert 'value=""' in _box(page, "sf-3-text")  # the empty box stays empty


def test_a_wrong_answer_going_back_is_shown_on_the_box_the_teacher_filled(
    app: Flask, session: Session
) -> None:
    response = _post(_teacher(app, session), **{"sf-4-correct": "2"})
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert (
        "Semi-formal, step 4, answer 1: only a right answer lets the pupil go on, so only a "
        "right answer can go back to an earlier step."
    ) in page
    assert "Semi-formal, step 3" not in page
    _marked_only(response.text, "sf-4-o1-again")
    assert 'value="2"' in _box(response.text, "sf-4-o1-again")
    assert _saved(session) == 0


def test_every_right_answer_going_back_is_shown_on_the_box_the_teacher_filled(
    app: Flask, session: Session
) -> None:
    response = _post(_teacher(app, session), **{"sf-4-o2-again": "1"})
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert "Semi-formal, step 4, every right answer goes back to an earlier step" in page
    _marked_only(response.text, "sf-4-o2-again")
    assert 'value="1"' in _box(response.text, "sf-4-o2-again")


def test_going_back_to_an_empty_box_is_refused_on_the_box_saying_it_is_empty(
    app: Flask, session: Session
) -> None:
    response = _post(_teacher(app, session), **{"sf-4-o1-again": "3"})
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert (
        "Semi-formal, step 4, answer 1: step 3 is empty, so Next cannot go back to it: “Next "
        "goes back to step” must be the number of an earlier step that is not empty (1 or 2), "
        "or left empty to go on to the next step."
    ) in page
    _marked_only(response.text, "sf-4-o1-again")
    assert 'value="3"' in _box(response.text, "sf-4-o1-again")  # as typed, to correct
    assert _saved(session) == 0


@pytest.mark.parametrize("typed", ["4", "6"])
def test_a_step_that_is_not_earlier_lists_only_the_earlier_steps_in_use(
    app: Flask, session: Session, typed: str
) -> None:
    response = _post(_teacher(app, session), **{"sf-4-o1-again": typed})
    assert response.status_code == 400
    assert (
        "Semi-formal, step 4, answer 1: “Next goes back to step” must be the number of an "
        "earlier step that is not empty (1 or 2), or left empty to go on to the next step."
    ) in html.unescape(response.text)
    _marked_only(response.text, "sf-4-o1-again")
    assert f'value="{typed}"' in _box(response.text, "sf-4-o1-again")


def test_other_problems_name_the_box_the_teacher_filled(app: Flask, session: Session) -> None:
    response = _post(_teacher(app, session), **{"sf-4-feedback": None})
    assert response.status_code == 400
    page = html.unescape(response.text)
    # Said as the box says it, in the summary too: not the lesson file's "is missing 'feedback'".
    assert page.count("Semi-formal step 4, feedback: please fill this in.") == 2
    assert "is missing" not in page
    assert "step 3 of semi_formal" not in page
    assert 'value="More or finished?"' in _box(response.text, "sf-4-text")


def test_a_picture_problem_names_the_box_the_teacher_filled(app: Flask, session: Session) -> None:
    # Both answers show the picture of their first word, "Tell": the same speaking head.
    cards = {
        "sf-4-o1-text": "Tell a trusted adult",
        "sf-4-o2-text": "Tell them your address",
        "sf-4-o1-again": None,
    }
    response = _post(_teacher(app, session), **cards)
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert "Semi-formal, step 4: the cards “Tell a trusted adult” and “Tell them" in page
    assert "Semi-formal, step 3" not in page
    assert 'value="Tell a trusted adult"' in _box(response.text, "sf-4-o1-text")


def test_a_long_box_after_an_empty_one_is_marked_and_given_back_whole(
    app: Flask, session: Session
) -> None:
    long = "More " * 70
    response = _post(_teacher(app, session), **{"sf-4-text": long})
    assert response.status_code == 400
    box = _box(response.text, "sf-4-text")
    assert 'aria-invalid="true"' in box
    assert f'value="{long.strip()}"' in box
    assert "Semi-formal step 4, words on the screen" in html.unescape(response.text)


def test_going_back_past_an_empty_box_takes_the_pupil_to_the_screen_the_teacher_chose(
    app: Flask, session: Session
) -> None:
    """Boxes 1, 2, 4 and 5: box 5's "goes back to step 4" is the pupil's step 3, box 4's words."""
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    fifth = {
        "sf-5-kind": "choose",
        "sf-5-text": "Again or finished?",
        "sf-5-o1-text": "Again",
        "sf-5-o1-again": "4",
        "sf-5-o2-text": "Finished",
        "sf-5-correct": ["1", "2"],
        "sf-5-feedback": "Thank you.",
    }
    made = _post(teacher, **fifth)
    assert made.status_code == 302, html.unescape(made.text)[:3000]
    row = session.scalars(select(AuthoredLesson)).one()
    steps = json.loads(row.document)["semi_formal"]["steps"]
    assert [step["text"] for step in steps][2:] == ["More or finished?", "Again or finished?"]
    assert [o.get("again") for o in steps[2]["options"]] == [2, None]  # box 2 is step 2
    assert [o.get("again") for o in steps[3]["options"]] == [3, None]  # box 4 is step 3
    assert teacher.post(f"/authoring/{row.id}/share").status_code == 302
    add = f"/pupils/{school.pupil.id}/lessons/x/add"
    assert teacher.post(add, data={"lesson_id": row.key}).status_code == 302
    ipad = pupil_on_ipad(app, school)
    start = ipad.post(f"/pupil/lessons/{row.key}/start")
    last = start.location.replace("/steps/1", "/steps/4")
    back = start.location.replace("/steps/1", "/steps/3")
    again = ipad.post(last, data={"answer": "o1", "tries": "1", "key": "again"})
    assert f'href="{back}"' in again.text
    assert "More or finished?" in ipad.get(back).text
