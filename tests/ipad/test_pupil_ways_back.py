"""Ways back for a pupil: My lessons on every lesson screen, and "Not now" in the worry flow
back to the screen the pupil was on (issue 11, item 6)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.lessons import maps
from classroom.lessons.content import Pathway as ContentPathway
from classroom.lessons.content import StepKind
from classroom.pupils.models import Pathway
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import make_school, pupil_on_ipad

# A link home whose words "My lessons" carry their pictures (word by word, as every pupil label).
MY_LESSONS = re.compile(
    r'<a class="pupil-button[^"]*" href="/pupil/">(?:(?!</a>).)*?<img[^>]*>'
    r"(?:(?!</a>).)*?>My</span>(?:(?!</a>).)*?>lessons</span>",
    re.S,
)


def _has_my_lessons(page: str) -> bool:
    return MY_LESSONS.search(page) is not None


def _walk_lessons(ipad: FlaskClient, lesson_ids: list[str], wanted: set[str]) -> set[str]:
    """Every screen of each lesson in turn, until every step kind wanted has been seen."""
    kinds: set[str] = set()
    for lesson_id in lesson_ids:
        intro = ipad.get(f"/pupil/lessons/{lesson_id}").data.decode()
        assert _has_my_lessons(intro), f"intro of {lesson_id}"
        first = ipad.post(f"/pupil/lessons/{lesson_id}/start").location
        base = first.rsplit("/", 1)[0]
        number = 1
        while (screen := ipad.get(f"{base}/{number}")).status_code == 200:
            page = screen.data.decode()
            kind = re.search(r'class="step step-([a-z_]+)"', page)
            assert kind is not None
            kinds.add(kind.group(1))
            assert _has_my_lessons(page), f"step {number} ({kind.group(1)}) of {lesson_id}"
            number += 1
        assert screen.status_code == 404  # past the last screen
        if kinds >= wanted:
            break
    return kinds


def test_my_lessons_is_on_every_lesson_screen_of_every_step_kind(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    seen: set[str] = set()
    for pathway in (Pathway.SEMI_FORMAL, Pathway.PRE_FORMAL):
        school.pupil.pathway = pathway
        session.commit()
        planned = maps.pupil_map(session, school.pupil, all_lessons(session), today=utcnow().date())
        wanted = {
            step.kind.value
            for p in planned
            for step in p.lesson.version(ContentPathway(pathway.value)).steps
        }
        seen |= _walk_lessons(ipad, [p.lesson.id for p in planned], wanted)
    assert seen == {kind.value for kind in StepKind}


def test_my_lessons_is_on_feedback_and_on_well_done(app: Flask, session: Session) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    first = ipad.post("/pupil/lessons/feelings-online/start").location
    number, page = 1, ""
    while 'class="choice-card' not in page:  # the first screen with answer cards
        step_url = f"{first.rsplit('/', 1)[0]}/{number}"
        page = ipad.get(step_url).data.decode()
        number += 1
    answer = re.search(r'name="answer" value="([^"]+)" class="choice-card', page)
    assert answer is not None
    key = re.search(r'name="key" value="([^"]+)"', page)
    assert key is not None
    # Any answer: a wrong one shows the gentle prompt, a right one the feedback.
    after = ipad.post(step_url, data={"answer": answer.group(1), "key": key.group(1)})
    assert after.status_code == 200
    assert 'class="pupil-message' in after.data.decode()
    assert _has_my_lessons(after.data.decode())
    attempt = step_url.split("/attempts/")[1].split("/")[0]
    done = ipad.post(f"/pupil/lessons/attempts/{attempt}/finish")
    assert done.status_code == 200
    assert _has_my_lessons(done.data.decode())


def _not_now(page: str) -> str:
    found = re.search(r'<a class="pupil-button not-now" href="([^"]+)"', page)
    assert found is not None, "the worry flow has no Not now"
    return found.group(1).replace("&amp;", "&")


def _worry_button(page: str) -> str:
    found = re.search(r'<a class="worry-button" href="([^"]+)"', page)
    assert found is not None
    return found.group(1).replace("&amp;", "&")


def test_not_now_goes_back_to_the_lesson_step_the_worry_button_was_pressed_on(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    step_url = ipad.post("/pupil/lessons/feelings-online/start").location
    step_path = step_url.removeprefix("http://localhost")
    worry = _worry_button(ipad.get(step_path).data.decode())
    # No Referer: the app's pages send none (Referrer-Policy: no-referrer), as on an iPad.
    flow = ipad.get(worry)
    assert flow.status_code == 200
    assert _not_now(flow.data.decode()) == step_path
    assert ipad.get(step_path).status_code == 200


@pytest.mark.parametrize(
    ("where", "back"),
    [
        ("/pupil/", "/pupil/"),
        ("/pupil/rules", "/pupil/rules"),
        ("/pupil/lessons/feelings-online", "/pupil/lessons/feelings-online"),
    ],
)
def test_not_now_goes_back_to_home_rules_or_a_lesson_intro(
    app: Flask, session: Session, where: str, back: str
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    worry = _worry_button(ipad.get(where).data.decode())
    assert _not_now(ipad.get(worry).data.decode()) == back


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/pupil/",
        "//evil.example/pupil/",
        "/pupils/1",  # a staff page
        "/pupil/worry",  # the worry flow itself
        "/pupil/\\evil",
        "javascript:alert(1)",
    ],
)
def test_not_now_never_leads_off_the_pupils_screens(
    app: Flask, session: Session, back: str
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    page = ipad.get("/pupil/worry", query_string={"back": back}).data.decode()
    assert _not_now(page) == "/pupil/"


def test_the_worry_flow_asks_one_question_per_screen(app: Flask, session: Session) -> None:
    school = make_school(session)
    page = pupil_on_ipad(app, school).get("/pupil/worry").data.decode()
    for step in re.findall(r'<fieldset class="worry-step".*?</fieldset>', page, re.S):
        assert len(re.findall(r'class="sym-text[^"]*step-question', step)) == 1
