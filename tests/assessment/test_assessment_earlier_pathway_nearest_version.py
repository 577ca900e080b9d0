"""A shared teacher lesson whose semi-formal version was taken out (allowed while nobody has
played or been assessed on it) is taught to a semi-formal pupil from the nearest version. Her
progress page and spreadsheet label its objective with that version's pathway, not with the
semi-formal pathway asked for; and her answers to it are still offered to confirm.

The progress page read "Responds to a kind sound (semi-formal)": a pre-formal objective under
the semi-formal label, on the page and in the spreadsheet."""

from __future__ import annotations

import csv
import io
import re

import pyzipper
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.assessment.models import Observation
from classroom.lessons.authored_models import AuthoredLesson
from classroom.lessons.content import Pathway as ContentPathway
from classroom.lessons.content import YesNoStep
from tests.authoring_helpers import lesson_form
from tests.conftest import client_for
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school, pupil_on_ipad

WITHOUT_SEMI_FORMAL = {name: None for name in lesson_form() if name.startswith("sf-")}
PHRASE = "a long enough passphrase"


def _shared_without_semi_formal(
    app: Flask, session: Session
) -> tuple[School, FlaskClient, AuthoredLesson]:
    """A shared lesson on Oak's map, its semi-formal version then taken out; Amira is
    semi-formal."""
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
    return school, teacher, row


def _row(page: str, objective_id: str) -> str:
    link = f"/objectives/{objective_id}"
    return page.split(link, 1)[0].rsplit("<tr", 1)[1] + page.split(link, 1)[1].split("</tr>")[0]


def test_the_objective_is_labelled_with_the_pathway_of_the_version_shown(
    app: Flask, session: Session
) -> None:
    school, teacher, row = _shared_without_semi_formal(app, session)
    shown = all_lessons(session).get(row.key).version(ContentPathway.SEMI_FORMAL)
    assert shown.pathway is not ContentPathway.SEMI_FORMAL  # the nearest version
    label = shown.pathway.value.replace("_", "-")
    page = teacher.get(f"/assessment/pupils/{school.pupil.id}").text
    assert f'{shown.objective.text}</a> <span class="hint">({label})</span>' in page
    assert f'{shown.objective.text}</a> <span class="hint">(semi-formal)</span>' not in page
    # Its objective page says the same pathway.
    objective = teacher.get(f"/assessment/pupils/{school.pupil.id}/objectives/{shown.objective.id}")
    assert f"<strong>Objective ({label}):</strong> {shown.objective.text}" in objective.text

    response = teacher.post(
        f"/assessment/pupils/{school.pupil.id}/export",
        data={"passphrase": PHRASE, "confirm": PHRASE},
    )
    with pyzipper.AESZipFile(io.BytesIO(response.data)) as archive:
        archive.setpassword(PHRASE.encode())
        text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    sheet = [r for r in csv.DictReader(io.StringIO(text)) if r["objective"] == shown.objective.text]
    assert [r["pathway"] for r in sheet] == [shown.pathway.value]


def test_her_answers_to_the_nearest_version_are_still_offered_and_confirmed(
    app: Flask, session: Session
) -> None:
    """Her attempt is recorded at semi-formal, the pathway she is taught the lesson on: the
    label of the version shown must not hide those answers from the page or the confirming."""
    school, teacher, row = _shared_without_semi_formal(app, session)
    shown = all_lessons(session).get(row.key).version(ContentPathway.SEMI_FORMAL)
    n, step = next((n, s) for n, s in enumerate(shown.steps, 1) if isinstance(s, YesNoStep))
    ipad = pupil_on_ipad(app, school)
    url = ipad.post(f"/pupil/lessons/{row.key}/start").location
    answer = "yes" if step.answer else "no"
    answered = ipad.post(
        url.replace("/steps/1", f"/steps/{n}"), data={"answer": answer, "tries": "1", "key": "k"}
    )
    assert answered.status_code < 400
    page = teacher.get(f"/assessment/pupils/{school.pupil.id}").text
    assert "The answers suggest" in _row(page, shown.objective.id)
    confirmed = teacher.post(
        f"/assessment/pupils/{school.pupil.id}/observations",
        data={"objective_id": shown.objective.id, "level": "2", "from_proposal": "y"},
    )
    assert confirmed.status_code == 302
    recorded = session.scalars(select(Observation.objective_id)).all()
    assert recorded == [shown.objective.id]
