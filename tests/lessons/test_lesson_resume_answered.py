"""A screen the pupil has already answered, opened again in the same go (back from "Report a
worry" by Not now or Back, a reload, Back then Forward), shows their answer kept: its feedback
and Next, never the question to answer again. A loud sound they stopped stays stopped. A screen
answered wrongly (not finished yet) asks again: back from a worry with its prompt on the same
try, on Back afresh. Opening it writes nothing.

Driven as a pupil does it: the step screen's own form, then the address the worry flow's
Not now goes back to."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.lessons import arrangement, content, kinds
from classroom.lessons.content import ChooseStep, SortStep
from classroom.lessons.models import StepResponse
from classroom.pupils.models import Pathway
from tests.conftest import client_for
from tests.worry_helpers import make_school, pupil_on_ipad


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    return found.group(1)


def _step(app: Flask, lesson: str, pathway: content.Pathway, number: int) -> content.Step:
    lessons: content.Catalogue = app.extensions["lessons"]
    return lessons.get(lesson).version(pathway).steps[number - 1]


def _screen(first: str, number: int) -> str:
    return re.sub(r"/steps/\d+$", f"/steps/{number}", first)


def _attempt_id(url: str) -> int:
    found = re.search(r"/attempts/(\d+)/", url)
    assert found is not None, url
    return int(found.group(1))


def _post(ipad: FlaskClient, screen: str, answer: str, item: int = 0) -> str:
    page = ipad.get(screen).text
    data = {"answer": answer, "key": _hidden(page, "key"), "tries": "1", "item": str(item)}
    response = ipad.post(screen, data=data)
    assert response.status_code == 200
    return response.text


def _responses(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(StepResponse)) or 0


def _asks(page: str) -> bool:
    """The screen offers its answers to tap."""
    return 'name="answer"' in page


def test_a_screen_answered_then_a_worry_shows_the_answer_kept_with_next(
    app: Flask, session: Session
) -> None:
    school = make_school(session)  # Amira, semi-formal
    ipad = pupil_on_ipad(app, school)
    lesson = "stop-block-tell"  # story, choose, choose, choose, who can I tell
    first = str(ipad.post(f"/pupil/lessons/{lesson}/start").location)
    step = _step(app, lesson, content.Pathway.SEMI_FORMAL, 2)
    assert isinstance(step, ChooseStep)
    right = next(f"o{n}" for n, o in enumerate(step.options, 1) if o.correct)
    answered = _post(ipad, _screen(first, 2), right)
    assert step.feedback.text in answered
    assert not _asks(answered)

    before = _responses(session)
    worry = ipad.get(f"/pupil/worry?back={_screen(first, 2)}").text
    assert f'href="{_screen(first, 2)}"' in worry  # Not now: back to this screen
    again = ipad.get(_screen(first, 2))  # Not now
    assert again.status_code == 200
    assert step.feedback.text in again.text  # her answer's feedback, as she left it
    assert not _asks(again.text)  # not the question again
    assert f'href="{_screen(first, 3)}"' in again.text  # and Next on to screen 3
    assert _responses(session) == before  # opening it writes nothing

    wrong = next(f"o{n}" for n, o in enumerate(step.options, 1) if not o.correct)
    _post(ipad, _screen(first, 3), wrong)  # screen 3 tapped wrongly: not finished yet
    assert _asks(ipad.get(_screen(first, 3)).text)  # so it asks again


def test_a_loud_sound_stopped_stays_stopped_after_a_worry(app: Flask, session: Session) -> None:
    school = make_school(session)
    school.pupil.pathway = Pathway.PRE_FORMAL
    session.commit()
    ipad = pupil_on_ipad(app, school)
    lesson = "stop-and-finish"  # story, until I act (stop), story, until I act (finish)
    first = str(ipad.post(f"/pupil/lessons/{lesson}/start").location)
    playing = ipad.get(_screen(first, 2)).text
    assert "data-until-sound" in playing  # the loud video plays until she presses stop
    stopped = _post(ipad, _screen(first, 2), "stop")
    assert "data-until-sound" not in stopped

    again = ipad.get(_screen(first, 2)).text  # back from Report a worry
    assert "data-until-sound" not in again  # the sound does not start again
    assert not _asks(again)
    assert f'href="{_screen(first, 3)}"' in again


def test_a_sort_finished_then_a_worry_shows_it_finished(app: Flask, session: Session) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    lesson = "kind-and-unkind"  # story, sort (6 items), choose, yes/no, choose
    first = str(ipad.post(f"/pupil/lessons/{lesson}/start").location)
    step = _step(app, lesson, content.Pathway.SEMI_FORMAL, 2)
    assert isinstance(step, SortStep)
    screen = _screen(first, 2)
    page = ""
    for position in range(len(step.items)):
        _index, item = kinds.shown_item(step, position, _attempt_id(first))
        assert item is not None
        page = _post(ipad, screen, arrangement.group_value(item.group), position)
    assert step.feedback.text in page
    assert not _asks(page)

    again = ipad.get(screen).text  # back from Report a worry
    assert step.feedback.text in again  # finished, not the first thing to sort again
    assert not _asks(again)
    assert f'href="{_screen(first, 3)}"' in again


def _tap(ipad: FlaskClient, screen: str, page: str, answer: str) -> str:
    """Tap a card on the screen `page` shows, with the key and tries it carries."""
    data = {"answer": answer, "key": _hidden(page, "key"), "tries": _hidden(page, "tries")}
    response = ipad.post(screen, data=data)
    assert response.status_code == 200
    return response.text


def _href(page: str, pattern: str) -> str:
    found = re.search(rf'href="({pattern}[^"]*)"', page)
    assert found is not None, pattern
    return html.unescape(found.group(1))


def test_a_prompt_is_still_there_after_a_worry_and_back_asks_afresh(
    app: Flask, session: Session
) -> None:
    """Amira taps a wrong card, gets "Let's look again. This one.", presses Report a worry,
    then Not now: she comes back to the prompt (the right card shown, the same try), and her
    right tap there is "right after a prompt", not a first try answered again after a Back she
    never pressed. Back within the lesson still asks afresh, as the right-first-time rule has
    it (tests/lessons/test_right_first_time_agrees.py)."""
    school = make_school(session)  # Amira, semi-formal
    ipad = pupil_on_ipad(app, school)
    lesson = "stop-block-tell"  # story, choose, choose, choose, who can I tell
    first = str(ipad.post(f"/pupil/lessons/{lesson}/start").location)
    step = _step(app, lesson, content.Pathway.SEMI_FORMAL, 2)
    assert isinstance(step, ChooseStep)
    right = next(f"o{n}" for n, o in enumerate(step.options, 1) if o.correct)
    wrong = next(f"o{n}" for n, o in enumerate(step.options, 1) if not o.correct)
    screen = _screen(first, 2)
    prompted = _tap(ipad, screen, ipad.get(screen).text, wrong)
    assert "Let&#39;s look again. This one." in prompted
    assert _hidden(prompted, "tries") == "2"

    before = _responses(session)
    worry = ipad.get(_href(prompted, "/pupil/worry")).text  # Report a worry
    not_now = re.search(r'class="pupil-button not-now" href="([^"]+)"', worry)
    assert not_now is not None
    again = ipad.get(html.unescape(not_now.group(1)))  # Not now
    assert again.status_code == 200
    assert "Let&#39;s look again. This one." in again.text  # the prompt, as she left it
    assert _asks(again.text)  # the cards to tap
    assert _hidden(again.text, "tries") == "2"  # the same try, not a first try again
    assert _responses(session) == before  # coming back writes nothing

    _tap(ipad, screen, again.text, right)
    teacher = client_for(app, school.teacher)
    page = teacher.get(f"/pupils/{school.pupil.id}/lessons/{lesson}/responses").text
    assert "Right after a prompt" in page
    assert "Asked again" not in page
    assert '<p id="first-time">0 of 1 right first time.</p>' in page

    # Back within the lesson (a plain load of the screen) still asks screen 3 afresh.
    screen = _screen(first, 3)
    assert _hidden(_tap(ipad, screen, ipad.get(screen).text, wrong), "tries") == "2"
    fresh = ipad.get(screen).text
    assert _hidden(fresh, "tries") == "1"
    assert "Let&#39;s look again. This one." not in fresh
