""""Needs help" meant two things one click apart: on the lesson map, that more than a third of
a pupil's answers needed a prompt; on the assessment pages, that an objective had made no
progress for some weeks. Each now says what it means: "Often needed a prompt" on the map, "No
progress for N weeks" on the assessment pages and the heatmap's key."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.assessment import services
from classroom.assessment.models import Level
from classroom.db import utcnow
from classroom.lessons.content import ChooseStep
from classroom.lessons.content import Pathway as ContentPathway
from tests.app_settings import school_today
from tests.conftest import sign_in
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school, pupil_on_ipad

SF = "kind-and-unkind.sf"


def _stuck(session: Session, school: School) -> None:
    """Emerging ten weeks ago and Emerging today: no progress for the six weeks asked for."""
    for ago in (70, 0):
        services.observe(
            session, school.teacher, school.pupil, SF,
            services.Entry(level=Level.EMERGING, observed_on=school_today() - timedelta(days=ago)),
            all_lessons(session), now=utcnow(), today=school_today(),
        )  # fmt: skip
    session.commit()


def _answer_all_wrong(app: Flask, school: School, lesson_id: str) -> None:
    version = app.extensions["lessons"].get(lesson_id).version(ContentPathway.SEMI_FORMAL)
    ipad = pupil_on_ipad(app, school)
    url = ipad.post(f"/pupil/lessons/{lesson_id}/start").location
    for n, step in enumerate(version.steps, 1):
        if isinstance(step, ChooseStep):
            wrong = next(i for i, o in enumerate(step.options, 1) if not o.correct)
            ipad.post(
                url.replace("/steps/1", f"/steps/{n}"),
                data={"answer": f"o{wrong}", "tries": "1", "key": f"w{n}"},
            )


def test_the_assessment_page_says_no_progress_for_n_weeks(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    _stuck(session, school)
    sign_in(client, school.teacher.username)
    page = client.get(f"/assessment/pupils/{school.pupil.id}").text
    assert "Needs help" not in page
    assert '<th scope="col">No progress for 6 weeks</th>' in page
    link = f'href="/assessment/pupils/{school.pupil.id}/objectives/{SF}"'
    row = page.split(link, 1)[1].split("</tr>", 1)[0]
    assert '<span class="needs-help">No progress</span>' in row
    # The weeks asked for are the weeks said.
    longer = client.get(f"/assessment/pupils/{school.pupil.id}?weeks=12").text
    assert '<th scope="col">No progress for 12 weeks</th>' in longer
    assert '<span class="needs-help">No progress</span>' not in longer


def test_the_heatmap_and_its_key_say_no_progress(client: FlaskClient, session: Session) -> None:
    school = make_school(session)
    _stuck(session, school)
    sign_in(client, school.teacher.username)
    page = client.get(f"/assessment/classes/{school.oak.id}").text
    assert "needs help" not in page.lower()
    assert '<label for="weeks">Mark "no progress" after this many weeks</label>' in page
    assert "and a thick red border: no progress for 6 weeks" in page
    assert '<span class="visually-hidden">, no progress for 6 weeks</span>!</td>' in page
    assert "Emerging (full support), no progress for 6 weeks</title>" in page


def test_the_lesson_map_says_often_needed_a_prompt_and_the_assessment_page_does_not(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    _answer_all_wrong(app, school, "stop-block-tell")
    sign_in(client, school.teacher.username)
    lesson_map = client.get(f"/pupils/{school.pupil.id}/lessons").text
    row = re.search(r'<tr id="lesson-stop-block-tell".*?</tr>', lesson_map, re.S)
    assert row is not None
    assert '<span class="needs-help">Often needed a prompt</span>: 0 of' in row.group(0)
    assert "Needs help" not in lesson_map
    # One click away, the same lesson: nothing recorded, so no "no progress" either, and no
    # word that reads like the map's.
    page = client.get(f"/assessment/pupils/{school.pupil.id}").text
    assert "Needs help" not in page
    assert "Often needed a prompt" not in page
