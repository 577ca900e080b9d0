"""A go at a lesson left part way (the bell, the iPad idling out, Home) is carried on where
the pupil stopped, in the same go, so the answers already given are kept and each question
still counts once, by its first answer. Not into a changed lesson or another pathway, not
after the go is finished, and not days later: then a new go starts at screen 1.

Driven as a pupil does it: the step screen's own key and tries, a new sign-in after leaving."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.audit.models import AuditEvent
from classroom.lessons import content, player
from classroom.lessons.content import ChooseStep
from classroom.lessons.kinds import KINDS
from classroom.lessons.models import LessonAttempt, StepResponse
from classroom.lessons.web import SCHOOL_CATALOGUES_EXTENSION
from classroom.localtime import school_zone
from classroom.pupils.models import Pathway
from tests.conftest import Clock, client_for
from tests.factories import make_pupil
from tests.statements import statements
from tests.worry_helpers import School, make_school, pupil_on_ipad

LESSON = "stop-block-tell"  # semi-formal: story, choose, choose, choose, who can I tell
INTRO = f"/pupil/lessons/{LESSON}"
FRIDAY = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def _version(app: Flask) -> content.Version:
    lessons: content.Catalogue = app.extensions["lessons"]
    return lessons.get(LESSON).version(content.Pathway.SEMI_FORMAL)


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    return found.group(1)


def _card(app: Flask, number: int, right: bool) -> str:
    step = _version(app).steps[number - 1]
    assert isinstance(step, ChooseStep)
    return next(f"o{n}" for n, o in enumerate(step.options, 1) if o.correct is right)


def _answer(app: Flask, ipad: FlaskClient, url: str, number: int, right: bool) -> str:
    """Open screen `number` of the go at `url` and tap a card, as the screen's form sends it."""
    screen = re.sub(r"/steps/\d+$", f"/steps/{number}", url)
    page = ipad.get(screen).text
    data = {"answer": _card(app, number, right), "key": _hidden(page, "key"), "tries": "1"}
    response = ipad.post(screen, data=data)
    assert response.status_code == 200
    return response.text


def _half_way(app: Flask, school: School) -> str:
    """Amira starts the lesson, gets screen 2 right, taps a wrong card on screen 3, and the bell
    rings: the address of her go's first screen."""
    ipad = pupil_on_ipad(app, school)
    first = str(ipad.post(f"{INTRO}/start").location)
    assert first.endswith("/steps/1")
    _answer(app, ipad, first, 2, right=True)
    prompted = _answer(app, ipad, first, 3, right=False)
    assert _hidden(prompted, "tries") == "2"  # "Let's look again": she has not got it yet
    return first


def _choices(page: str) -> list[str]:
    """The lesson's first screen's buttons, in words (each word is under its picture)."""
    row = page.split('class="primary-row', 1)[1].split("</div>", 1)[0]
    found = re.findall(r"<(?:a|button) [^>]*>(.*?)</(?:a|button)>", row, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", words).split()) for words in found]


CARRY_ON = ["My lessons", "Start again", "Go on"]
START = ["My lessons", "Start"]


def _go_on(ipad: FlaskClient) -> str:
    response = ipad.post(f"{INTRO}/start", data={"go": "on"})
    assert response.status_code == 302
    return str(response.location)


def _attempts(session: Session) -> list[LessonAttempt]:
    session.expire_all()
    return list(session.scalars(select(LessonAttempt).order_by(LessonAttempt.id)))


def test_a_pupil_who_leaves_half_way_carries_on_at_the_screen_she_left(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    first = _half_way(app, school)
    ipad = pupil_on_ipad(app, school)  # later, after the iPad idled out: signed in again

    intro = ipad.get(INTRO).text
    assert 'aria-label="Screen 3 of 5"' in intro  # how far she got, as dots
    assert _choices(intro) == CARRY_ON
    assert _go_on(ipad) == first.replace("/steps/1", "/steps/3")
    assert len(_attempts(session)) == 1  # the same go, carried on


def test_answers_before_and_after_leaving_count_once_by_the_first_answer(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    first = _half_way(app, school)
    ipad = pupil_on_ipad(app, school)
    carried_on = _go_on(ipad)
    _answer(app, ipad, carried_on, 3, right=True)  # screen 3 again: her first answer counts
    _answer(app, ipad, carried_on, 4, right=True)
    assert ipad.post(first.replace("/steps/1", "/finish")).status_code == 200

    progress = player.progress(session, school.pupil, zone=school_zone(app.config))[LESSON]
    assert (progress.attempts, progress.finished) == (1, 1)
    assert (progress.answered, progress.first_time) == (3, 2)  # screens 2, 3 and 4, once each
    teacher = client_for(app, school.teacher)
    answers = teacher.get(f"/pupils/{school.pupil.id}/lessons/{LESSON}/responses").text
    assert re.search(r'<p id="first-time">\s*2 of 3 right first time.', answers)


def test_opening_the_lesson_writes_nothing_and_only_go_on_is_recorded(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    _half_way(app, school)
    ipad = pupil_on_ipad(app, school)
    with statements(app) as seen:
        assert ipad.get(INTRO).status_code == 200
    writes = [s for s in seen if s.split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []

    _go_on(ipad)
    session.expire_all()
    carried = session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "lesson.carried_on")
    ).all()
    assert carried == [f"{LESSON} (screen 3)"]


def test_start_again_begins_a_new_go_and_keeps_the_old_gos_answers(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    _half_way(app, school)
    ipad = pupil_on_ipad(app, school)
    assert _choices(ipad.get(INTRO).text) == CARRY_ON
    response = ipad.post(f"{INTRO}/start", data={"go": "again"})
    assert str(response.location).endswith("/steps/1")
    old, new = _attempts(session)
    assert str(response.location).endswith(f"/attempts/{new.id}/steps/1")
    kept = session.scalars(select(StepResponse.attempt_id)).all()
    assert kept == [old.id, old.id]
    assert _choices(ipad.get(INTRO).text) == START  # the new go has nothing to carry on yet


def test_a_finished_lesson_starts_again_at_screen_one(app: Flask, session: Session) -> None:
    school = make_school(session)
    first = _half_way(app, school)
    ipad = pupil_on_ipad(app, school)
    assert _choices(ipad.get(INTRO).text) == CARRY_ON
    ipad.post(first.replace("/steps/1", "/finish"))

    intro = ipad.get(INTRO).text
    assert _choices(intro) == START
    assert _go_on(ipad).endswith("/steps/1")  # an old "Go on" page: a new go
    assert len(_attempts(session)) == 2


def test_a_go_is_carried_on_over_a_weekend_but_not_after_three_days(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(FRIDAY)
    school = make_school(session)
    _half_way(app, school)

    clock.set(datetime(2026, 12, 7, 15, 0, tzinfo=UTC))  # Monday afternoon
    assert _choices(pupil_on_ipad(app, school).get(INTRO).text) == CARRY_ON
    clock.set(datetime(2026, 12, 8, 9, 0, tzinfo=UTC))  # Tuesday morning: a new go
    ipad = pupil_on_ipad(app, school)
    assert _choices(ipad.get(INTRO).text) == START
    assert _go_on(ipad).endswith("/steps/1")
    assert len(_attempts(session)) == 2


def test_a_lesson_changed_since_starts_a_new_go_and_keeps_the_old_answers(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    _half_way(app, school)
    before = session.scalars(select(StepResponse.answer).order_by(StepResponse.id)).all()
    assert _choices(pupil_on_ipad(app, school).get(INTRO).text) == CARRY_ON
    # A new release with the lesson file's screen 2 reworded: the server starts with it.
    files: content.Catalogue = app.extensions["lessons"]
    lesson = files.get(LESSON)
    version = lesson.version(content.Pathway.SEMI_FORMAL)
    step = version.steps[1]
    changed_step = dataclasses.replace(step, text=dataclasses.replace(step.text, text="Now?"))
    changed = dataclasses.replace(
        version, steps=(version.steps[0], changed_step, *version.steps[2:])
    )
    versions = tuple(changed if v is version else v for v in lesson.versions)
    app.extensions["lessons"] = content.Catalogue(
        tuple(dataclasses.replace(x, versions=versions) if x is lesson else x for x in files)
    )
    app.extensions.pop(SCHOOL_CATALOGUES_EXTENSION, None)
    assert player.version_digest(changed) != player.version_digest(version)

    ipad = pupil_on_ipad(app, school)
    assert _choices(ipad.get(INTRO).text) == START
    assert _go_on(ipad).endswith("/steps/1")
    assert len(_attempts(session)) == 2
    assert session.scalars(select(StepResponse.answer).order_by(StepResponse.id)).all() == before


def test_a_new_pathway_for_the_lesson_starts_a_new_go(app: Flask, session: Session) -> None:
    school = make_school(session)
    _half_way(app, school)
    assert _choices(pupil_on_ipad(app, school).get(INTRO).text) == CARRY_ON
    teacher = client_for(app, school.teacher)
    changed = teacher.post(
        f"/pupils/{school.pupil.id}/lessons/{LESSON}/pathway", data={"pathway": "formal"}
    )
    assert changed.status_code == 302

    ipad = pupil_on_ipad(app, school)
    assert _choices(ipad.get(INTRO).text) == START
    assert _go_on(ipad).endswith("/steps/1")
    assert [a.pathway for a in _attempts(session)] == [Pathway.SEMI_FORMAL, Pathway.FORMAL]


def test_another_pupil_on_the_same_ipad_never_carries_on_her_go(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    _half_way(app, school)
    assert _choices(pupil_on_ipad(app, school).get(INTRO).text) == CARRY_ON
    other = make_pupil(session, school.oak, first_name="Ben", home_lessons=0)
    session.commit()
    ben = dataclasses.replace(school, pupil=other)
    ipad = pupil_on_ipad(app, ben)
    assert _choices(ipad.get(INTRO).text) == START
    assert _go_on(ipad).endswith("/steps/1")
    assert session.scalar(select(func.count()).select_from(LessonAttempt)) == 2


def test_the_same_lesson_content_has_the_same_fingerprint_in_every_load(app: Flask) -> None:
    again = content.load_lessons(kinds=KINDS)  # read from the files again, as a restart does
    version = again.get(LESSON).version(content.Pathway.SEMI_FORMAL)
    assert version is not _version(app)
    assert player.version_digest(version) == player.version_digest(_version(app))


def test_a_go_stopped_on_its_first_screen_starts_again_rather_than_going_on_to_it(
    app: Flask, session: Session
) -> None:
    """ "Go on" would only show screen 1 again; once screen 1 is done, it goes on to screen 2."""
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    first = str(ipad.post("/pupil/lessons/trusted-adults/start").location)  # 1: yes or no
    page = ipad.get(first).text
    wrong = ipad.post(first, data={"answer": "no", "key": _hidden(page, "key"), "tries": "1"})
    assert _choices(ipad.get("/pupil/lessons/trusted-adults").text) == START
    ipad.post(first, data={"answer": "yes", "key": _hidden(wrong.text, "key"), "tries": "2"})
    intro = ipad.get("/pupil/lessons/trusted-adults").text
    assert _choices(intro) == CARRY_ON
    assert 'aria-label="Screen 2 of 5"' in intro
