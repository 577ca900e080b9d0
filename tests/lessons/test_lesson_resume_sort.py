"""A go left part way through a sort screen (items placed one at a time) carries on at the
first item not yet placed: the items already placed are not asked again, so each counts once,
by its first answer, and none is listed as "answered again".

Driven as a pupil does it: the step screen's own key and item, a new sign-in after leaving."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.lessons import arrangement, content, kinds, player
from classroom.lessons.content import SortStep
from classroom.lessons.models import StepResponse
from classroom.localtime import school_zone
from tests.conftest import client_for
from tests.worry_helpers import School, make_school, pupil_on_ipad

LESSON = "kind-and-unkind"  # semi-formal: story, sort (6 items), choose, yes/no, choose
INTRO = f"/pupil/lessons/{LESSON}"


def _sort_step(app: Flask) -> SortStep:
    lessons: content.Catalogue = app.extensions["lessons"]
    step = lessons.get(LESSON).version(content.Pathway.SEMI_FORMAL).steps[1]
    assert isinstance(step, SortStep)
    return step


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    return found.group(1)


def _attempt_id(url: str) -> int:
    found = re.search(r"/attempts/(\d+)/", url)
    assert found is not None, url
    return int(found.group(1))


def _place(app: Flask, ipad: FlaskClient, screen: str, page: str) -> str:
    """Put the item `page` shows in its right group, as the screen's form sends it."""
    position = int(_hidden(page, "item"))
    _index, item = kinds.shown_item(_sort_step(app), position, _attempt_id(screen))
    assert item is not None
    data = {
        "answer": arrangement.group_value(item.group),
        "key": _hidden(page, "key"),
        "tries": "1",
        "item": str(position),
    }
    response = ipad.post(screen, data=data)
    assert response.status_code == 200
    return response.text


def _two_placed(app: Flask, school: School) -> str:
    """Amira starts the lesson, puts two of the six messages in their group, and the bell
    rings: the address of the sort screen."""
    ipad = pupil_on_ipad(app, school)
    first = str(ipad.post(f"{INTRO}/start").location)
    screen = first.replace("/steps/1", "/steps/2")
    page = ipad.get(screen).text
    assert _hidden(page, "item") == "0"
    page = _place(app, ipad, screen, page)
    page = _place(app, ipad, screen, page)
    assert _hidden(page, "item") == "2"  # the third message is on the screen when she leaves
    return screen


def test_a_sort_screen_left_part_way_goes_on_at_the_next_message(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    screen = _two_placed(app, school)
    ipad = pupil_on_ipad(app, school)  # later, signed in again

    carried_on = ipad.post(f"{INTRO}/start", data={"go": "on"})
    assert carried_on.status_code == 302
    assert carried_on.location == f"{screen}?item=2"
    page = ipad.get(carried_on.location).text
    assert _hidden(page, "item") == "2"
    _index, third = kinds.shown_item(_sort_step(app), 2, _attempt_id(screen))
    assert third is not None
    assert third.text.text in page  # the third message, not the first again


def test_messages_placed_before_leaving_count_once_and_none_is_answered_again(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    screen = _two_placed(app, school)
    ipad = pupil_on_ipad(app, school)
    page = ipad.get(str(ipad.post(f"{INTRO}/start", data={"go": "on"}).location)).text
    for _ in range(4):  # the four messages left
        page = _place(app, ipad, screen, page)
    assert "/steps/3" in page  # the sort screen is done: Next goes on to screen 3

    ids = session.scalars(select(StepResponse.step_id).order_by(StepResponse.id)).all()
    assert len(ids) == len(set(ids)) == 6  # each message answered once
    progress = player.progress(session, school.pupil, zone=school_zone(app.config))[LESSON]
    assert (progress.attempts, progress.answered, progress.first_time) == (1, 6, 6)
    teacher = client_for(app, school.teacher)
    answers = teacher.get(f"/pupils/{school.pupil.id}/lessons/{LESSON}/responses").text
    assert "Answered again" not in answers
    assert re.search(r'<p id="first-time">\s*6 of 6 right first time.', answers)
