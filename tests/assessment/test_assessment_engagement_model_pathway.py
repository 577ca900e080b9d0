"""Engagement Model notes are for pupils working at pre-formal (PRODUCT.md, assessment): the
pathway a pupil is taught a lesson on decides, not the version shown. A semi-formal pupil
taught a teacher's lesson that has no semi-formal version is shown its nearest (pre-formal)
version: her objective page offered the Engagement Model boxes, which said she worked at
pre-formal. Now the page offers them where the service takes them, and notes sent anyway (from
a page opened before) are refused with everything typed given back to put right."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from classroom.assessment.models import Observation
from classroom.lessons.authored_models import AuthoredLesson
from classroom.lessons.content import Pathway as ContentPathway
from classroom.pupils.models import Pupil
from classroom.web import school_today
from tests.authoring_helpers import lesson_form
from tests.conftest import client_for
from tests.factories import make_pupil
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school

WITHOUT_SEMI_FORMAL = {name: None for name in lesson_form() if name.startswith("sf-")}
NOTE = "Smiled & turned to the sound <twice>"
BOXES = 'name="engagement"'


def _lesson_without_semi_formal(app: Flask, session: Session) -> tuple[School, FlaskClient, str]:
    """A teacher's lesson on Oak's map with no semi-formal version; Amira is semi-formal.
    Returns the objective she is shown (the nearest version's)."""
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    made = teacher.post("/authoring/new", data=lesson_form())
    lesson_id = int(re.search(r"/authoring/(\d+)", made.location).group(1))  # type: ignore[union-attr]
    assert teacher.post(f"/authoring/{lesson_id}/share").status_code == 302
    row = session.get(AuthoredLesson, lesson_id)
    assert row is not None
    on = teacher.post(f"/classes/{school.oak.id}/lessons", data={"lesson_id": row.key, "on": "1"})
    assert on.status_code == 302
    out = teacher.post(f"/authoring/{lesson_id}/edit", data=lesson_form(**WITHOUT_SEMI_FORMAL))
    assert out.status_code == 302
    assert school.pupil.pathway.value == "semi_formal"
    shown = all_lessons(session).get(row.key).version(ContentPathway.SEMI_FORMAL)
    assert shown.pathway is ContentPathway.PRE_FORMAL  # the nearest version written
    return school, teacher, shown.objective.id


def _record(teacher: FlaskClient, pupil: Pupil, objective_id: str, **extra: object) -> TestResponse:
    data = {
        "objective_id": objective_id,
        "level": "2",
        "context": "lesson",
        "observed_on": school_today().isoformat(),
        "note": NOTE,
        **extra,
    }
    return teacher.post(f"/assessment/pupils/{pupil.id}/observations", data=data)


def _recorded(session: Session, pupil: Pupil) -> list[tuple[str, str]]:
    session.expire_all()
    rows = session.scalars(select(Observation).where(Observation.pupil_id == pupil.id))
    return [(o.note, o.engagement) for o in rows]


def test_a_semi_formal_pupil_shown_the_pre_formal_version_is_offered_no_engagement_boxes(
    app: Flask, session: Session
) -> None:
    school, teacher, objective_id = _lesson_without_semi_formal(app, session)
    page = teacher.get(f"/assessment/pupils/{school.pupil.id}/objectives/{objective_id}").text
    assert "<strong>Objective (pre-formal):</strong>" in page  # the version she is shown
    assert "Record an observation" in page
    assert BOXES not in page
    assert "Engagement Model notes" not in page
    saved = _record(teacher, school.pupil, objective_id)
    assert saved.status_code == 302
    assert _recorded(session, school.pupil) == [(NOTE, "")]


def test_engagement_notes_sent_for_her_are_refused_with_what_was_typed_given_back(
    app: Flask, session: Session
) -> None:
    school, teacher, objective_id = _lesson_without_semi_formal(app, session)
    refused = _record(teacher, school.pupil, objective_id, engagement=["exploration"])
    assert refused.status_code == 400
    page = refused.text
    assert "Engagement Model notes are for pupils working at pre-formal." in page
    assert "Amira is taught this lesson on the semi-formal pathway" in page
    assert f">{html.escape(NOTE)}</textarea>" in page  # the note, as typed
    assert '<option value="2" selected>' in page
    assert re.search(r'value="exploration" checked>', page)  # the tick, to take off
    assert _recorded(session, school.pupil) == []
    saved = _record(teacher, school.pupil, objective_id)  # unticked, sent again
    assert saved.status_code == 302
    assert _recorded(session, school.pupil) == [(NOTE, "")]


def test_a_pre_formal_pupil_on_the_same_lesson_is_offered_the_boxes_and_keeps_the_notes(
    app: Flask, session: Session
) -> None:
    school, teacher, objective_id = _lesson_without_semi_formal(app, session)
    ben = make_pupil(session, school.oak, first_name="Ben", pathway="pre_formal")
    session.commit()
    page = teacher.get(f"/assessment/pupils/{ben.id}/objectives/{objective_id}").text
    assert BOXES in page
    saved = _record(teacher, ben, objective_id, engagement=["exploration", "anticipation"])
    assert saved.status_code == 302
    assert _recorded(session, ben) == [(NOTE, "exploration,anticipation")]
