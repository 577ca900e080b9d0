"""A lesson for older pupils (lesson 15, "My body, my choice", is for 14 to 19) reaches no
younger pupil, however it was put on their map: the class map, the teacher's own choice or the
DSL's follow-up after a worry. The day they are old enough, it is there."""

from __future__ import annotations

import html
import uuid
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.errors import Invalid
from classroom.lessons import maps
from classroom.worries import services as worries
from tests.app_settings import base_url
from tests.conftest import Clock, client_for
from tests.factories import make_pupil
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import make_school

FOR_14_TO_19 = "pressure-secrets-pictures"
NOON = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)


def _on_map(session: Session, pupil: object) -> set[str]:
    return {
        p.lesson.id
        for p in maps.pupil_map(session, pupil, all_lessons(session), today=utcnow().date())
    }  # type: ignore[arg-type]


def test_a_lesson_for_14_to_19_reaches_a_pupil_on_their_14th_birthday(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(NOON)
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben", date_of_birth=date(2013, 3, 11))
    school.pupil.date_of_birth = date(2012, 1, 1)  # Amira is 15
    session.commit()
    lessons = all_lessons(session)
    maps.set_class_lesson(session, school.teacher, school.oak, FOR_14_TO_19, True, lessons)
    session.commit()

    assert FOR_14_TO_19 in _on_map(session, school.pupil)
    assert FOR_14_TO_19 not in _on_map(session, ben)  # 13 until tomorrow
    with pytest.raises(Invalid, match="is for pupils aged 14 to 19; Ben is 13"):
        maps.add(session, school.teacher, ben, FOR_14_TO_19, lessons, today=utcnow().date())
    session.rollback()
    teacher = client_for(app, school.teacher)
    page = teacher.get(f"/pupils/{ben.id}/lessons")
    assert page.status_code == 200
    shown = html.unescape(page.data.decode())
    assert "Kind and unkind" in shown  # on his map, and to add: not this one
    assert f'<tr id="lesson-{FOR_14_TO_19}"' not in shown  # not a row of his map yet
    assert '<option value="pressure-secrets-pictures"' not in shown  # nor offered to add
    # Said to his teacher instead: the day it reaches him, with the choice to keep it off.
    assert "Ben gets it on 11 March 2027" in shown
    assert "Keep it off Ben's map" in shown

    clock.advance(days=1)
    assert FOR_14_TO_19 in _on_map(session, ben)


def test_the_dsls_follow_up_is_refused_for_a_pupil_too_young_and_says_why(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(NOON)
    school = make_school(session)
    school.pupil.date_of_birth = date(2015, 9, 1)  # Amira is 11
    session.commit()
    incident = worries.raise_worry(
        session, school.pupil, school.device, str(uuid.uuid4()), worries.WorryChoices(),
        now=utcnow(), base_url=base_url(),
    )  # fmt: skip
    session.commit()
    dsl = client_for(app, school.dsl)
    page = dsl.get(f"/safeguarding/{incident.id}").data.decode()
    assert "My body, my choice (for pupils aged 14 to 19)" in page

    follow_up = f"/safeguarding/{incident.id}/lesson"
    data = {
        "lesson-pupil_id": str(school.pupil.id),
        "lesson-lesson_id": FOR_14_TO_19,
        "lesson-reason": "Revisit",
    }
    refused = dsl.post(follow_up, data=data)
    assert refused.status_code == 400
    assert "is for pupils aged 14 to 19; Amira is 11." in refused.data.decode()
    assert FOR_14_TO_19 not in _on_map(session, school.pupil)
    fits_her_age = dsl.post(follow_up, data=data | {"lesson-lesson_id": "stop-block-tell"})
    assert fits_her_age.status_code == 302
