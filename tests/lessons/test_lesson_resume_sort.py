"""A go left part way through a sort screen (items placed one at a time) carries on at the
first item not yet placed: the items already placed are not asked again, so each counts once,
by its first answer, and none is listed as "answered again".

The screen opened again (a reload, Back then Forward, Safari reopening the tab) goes on there
too, and opening it writes nothing.

Driven as a pupil does it: the step screen's own key and item, a new sign-in after leaving."""

from __future__ import annotations

import dataclasses
import html
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
from tests.factories import make_pupil
from tests.statements import statements
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


def _words(app: Flask, screen: str, position: int) -> str:
    """The words of the item at `position` of the sort screen, in that go's own order."""
    _index, item = kinds.shown_item(_sort_step(app), position, _attempt_id(screen))
    assert item is not None
    return item.text.text


def _shown(page: str) -> str:
    """The words of the one item the sort screen shows, as the pupil sees them."""
    found = re.search(r'<div class="sort-item">(.*?)</div>', page, re.DOTALL)
    assert found is not None, "no item shown"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def _placed(app: Flask, ipad: FlaskClient, count: int) -> str:
    """Start the lesson, open the sort screen and place `count` items: its address."""
    first = str(ipad.post(f"{INTRO}/start").location)
    screen = first.replace("/steps/1", "/steps/2")
    page = ipad.get(screen).text
    for _ in range(count):
        page = _place(app, ipad, screen, page)
    return screen


def _ben(session: Session, school: School) -> School:
    """Ben, in Amira's class, on the same class iPad."""
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Ade", home_lessons=0)
    session.commit()
    return dataclasses.replace(school, pupil=ben)


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
    assert carried_on.location == screen
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
    assert "Asked again" not in answers
    assert re.search(r'<p id="first-time">\s*6 of 6 right first time.', answers)


def test_reloading_a_sort_screen_shows_the_third_item_after_two_were_placed(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    screen = _placed(app, ipad, 2)

    page = ipad.get(screen).text  # the reload
    assert _shown(page) == _words(app, screen, 2)  # the third item, not the first again
    assert _hidden(page, "item") == "2"  # and the form answers for it
    assert _words(app, screen, 0) not in page


def test_an_old_address_naming_an_item_goes_on_at_the_first_item_not_placed(
    app: Flask, session: Session
) -> None:
    """Back to the screen as "Go on" or an earlier page opened it: not an item already placed."""
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    screen = _placed(app, ipad, 2)

    for address in (f"{screen}?item=0", f"{screen}?item=5"):
        page = ipad.get(address).text
        assert _shown(page) == _words(app, screen, 2), address


def test_reloading_a_sort_screen_writes_nothing(app: Flask, session: Session) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    screen = _placed(app, ipad, 2)

    with statements(app) as seen:
        page = ipad.get(screen).text
    assert _shown(page) == _words(app, screen, 2)
    writes = [s for s in seen if s.split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_another_pupils_placed_items_do_not_move_a_pupils_screen_on(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    amira_ipad = pupil_on_ipad(app, school)
    amiras = _placed(app, amira_ipad, 2)
    ben = _ben(session, school)
    ben_ipad = pupil_on_ipad(app, ben)
    bens = _placed(app, ben_ipad, 4)

    assert _shown(amira_ipad.get(amiras).text) == _words(app, amiras, 2)
    assert _shown(ben_ipad.get(bens).text) == _words(app, bens, 4)
    assert ben_ipad.get(amiras).status_code == 404  # and nobody opens another pupil's go


def test_a_new_go_starts_the_sort_screen_at_its_first_item(app: Flask, session: Session) -> None:
    """Items placed in an earlier go are not this go's: a new go asks them all."""
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    _placed(app, ipad, 3)
    screen = _placed(app, ipad, 0)  # Start again: a new go

    page = ipad.get(screen).text
    assert _shown(page) == _words(app, screen, 0)
    assert _hidden(page, "item") == "0"


def test_a_sort_screen_with_every_item_placed_opens_finished_with_next(
    app: Flask, session: Session
) -> None:
    """Every item placed: the screen is done, and opening it again (back from Report a
    worry, a reload) shows it finished, with its feedback and Next, never its first item to
    sort again (each would be "answered again"). "Go on" goes to the next screen."""
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    screen = _placed(app, ipad, len(_sort_step(app).items))

    page = ipad.get(screen).text
    assert 'class="sort-item"' not in page
    assert 'name="answer"' not in page
    assert _sort_step(app).feedback.text in page
    assert 'href="' + re.sub(r"/steps/2$", "/steps/3", screen) + '"' in page
