"""A shared teacher lesson staff have assessed pupils on is locked, as one pupils have played:
changed in place, the levels recorded would sit under new words, or under another pathway's
objective. The teacher is told before typing, and both ways out (a copy, or saving what they
typed as a new draft) keep the lesson and what was recorded on it as they were."""

from __future__ import annotations

import html
import json
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.assessment.models import Observation
from classroom.audit.models import AuditEvent
from classroom.lessons.authored_models import AuthoredLesson, LessonStatus
from classroom.lessons.models import LessonAttempt
from tests.authoring_helpers import lesson_form, record_on_class_page
from tests.conftest import client_for
from tests.worry_helpers import School, make_school

SEMI_FORMAL_OBJECTIVE = "Picks the kind message"
LOCKED = "Staff have already recorded assessments on this lesson, so it cannot be changed"
WITHOUT_SEMI_FORMAL = {name: None for name in lesson_form() if name.startswith("sf-")}


def _shared_and_assessed(
    app: Flask, session: Session
) -> tuple[School, FlaskClient, AuthoredLesson]:
    """A shared lesson on Oak's map, and Amira (semi-formal) recorded Secure on it from the
    class record page: no pupil has played it."""
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    made = teacher.post("/authoring/new", data=lesson_form())
    lesson_id = int(re.search(r"/authoring/(\d+)", made.location).group(1))  # type: ignore[union-attr]
    assert teacher.post(f"/authoring/{lesson_id}/share").status_code == 302
    row = session.get(AuthoredLesson, lesson_id)
    assert row is not None
    assert row.status is LessonStatus.SHARED
    on = teacher.post(f"/classes/{school.oak.id}/lessons", data={"lesson_id": row.key, "on": "1"})
    assert on.status_code == 302
    recorded = record_on_class_page(teacher, school.oak.id, row.key, [school.pupil.id])
    assert recorded.status_code == 303
    assert session.scalar(select(func.count()).select_from(LessonAttempt)) == 0
    return school, teacher, row


def _progress(teacher: FlaskClient, school: School) -> str:
    return html.unescape(teacher.get(f"/assessment/pupils/{school.pupil.id}").text)


def test_the_editor_says_an_assessed_lesson_cannot_change_before_anything_is_typed(
    app: Flask, session: Session
) -> None:
    _school, teacher, row = _shared_and_assessed(app, session)
    editor = html.unescape(teacher.get(f"/authoring/{row.id}/edit").text)
    assert LOCKED in editor
    assert f'action="/authoring/{row.id}/copy"' in editor  # Make a copy
    # Its one save button keeps what is typed as a new draft; none changes the lesson.
    assert ">Save as a new draft</button>" in editor
    assert f'formaction="/authoring/{row.id}/save-copy"' in editor
    assert ">Save</button>" not in editor
    shown = html.unescape(teacher.get(f"/authoring/{row.id}").text)
    assert LOCKED in shown
    assert f'href="/authoring/{row.id}/edit"' not in shown  # no Change button


def test_changing_the_objective_of_an_assessed_lesson_is_refused_and_its_secure_stays_put(
    app: Flask, session: Session
) -> None:
    school, teacher, row = _shared_and_assessed(app, session)
    before = row.document
    assert SEMI_FORMAL_OBJECTIVE in _progress(teacher, school)

    refused = teacher.post(
        f"/authoring/{row.id}/edit", data=lesson_form(**{"sf-objective": "Blocks a stranger"})
    )
    assert refused.status_code == 409
    page = html.unescape(refused.text)
    assert f"{LOCKED}: what they recorded points at its objectives" in page
    assert 'value="Blocks a stranger"' in page  # what was typed is given back, not lost
    session.refresh(row)
    assert row.document == before
    assert row.revision == 1
    progress = _progress(teacher, school)
    assert SEMI_FORMAL_OBJECTIVE in progress
    assert "Blocks a stranger" not in progress
    assert [o.objective_id for o in session.scalars(select(Observation))] == [f"{row.key}.sf"]


def test_taking_out_an_assessed_pathway_is_refused_and_the_observation_stays_shown(
    app: Flask, session: Session
) -> None:
    school, teacher, row = _shared_and_assessed(app, session)
    refused = teacher.post(f"/authoring/{row.id}/edit", data=lesson_form(**WITHOUT_SEMI_FORMAL))
    assert refused.status_code == 409
    session.refresh(row)
    assert "semi_formal" in json.loads(row.document)
    progress = _progress(teacher, school)
    assert f'{SEMI_FORMAL_OBJECTIVE}</a> <span class="hint">(semi-formal)' in progress
    assert "Responds to a kind sound" not in progress  # not the pre-formal objective


def test_make_a_copy_gives_a_draft_to_change_and_leaves_the_assessed_lesson_alone(
    app: Flask, session: Session
) -> None:
    _school, teacher, row = _shared_and_assessed(app, session)
    copied = teacher.post(f"/authoring/{row.id}/copy")
    assert copied.status_code == 302
    copy = session.scalar(select(AuthoredLesson).where(AuthoredLesson.id != row.id))
    assert copy is not None
    assert copy.status is LessonStatus.DRAFT
    editor = html.unescape(teacher.get(f"/authoring/{copy.id}/edit").text)
    assert LOCKED not in editor
    assert ">Save</button>" in editor
    changed = teacher.post(
        f"/authoring/{copy.id}/edit", data=lesson_form(**{"sf-objective": "Blocks a stranger"})
    )
    assert changed.status_code == 302
    session.refresh(copy)
    assert json.loads(copy.document)["semi_formal"]["objective"] == "Blocks a stranger"
    session.refresh(row)
    assert json.loads(row.document)["semi_formal"]["objective"] == SEMI_FORMAL_OBJECTIVE


def test_save_as_a_new_draft_keeps_what_was_typed_and_leaves_the_lesson_alone(
    app: Flask, session: Session
) -> None:
    _school, teacher, row = _shared_and_assessed(app, session)
    typed = lesson_form(**{"sf-objective": "Blocks a stranger", "title": "Kind words again"})
    saved = teacher.post(f"/authoring/{row.id}/save-copy", data=typed)
    assert saved.status_code == 302
    copy = session.scalar(select(AuthoredLesson).where(AuthoredLesson.id != row.id))
    assert copy is not None
    assert copy.status is LessonStatus.DRAFT
    assert saved.location.endswith(f"/authoring/{copy.id}?saved=1")
    assert json.loads(copy.document)["semi_formal"]["objective"] == "Blocks a stranger"
    assert copy.title == "Kind words again"
    session.refresh(row)
    assert json.loads(row.document)["semi_formal"]["objective"] == SEMI_FORMAL_OBJECTIVE
    assert row.revision == 1
    audit = session.scalar(
        select(AuditEvent.summary).where(AuditEvent.action == "authored_lesson.copied")
    )
    assert audit == f"from {row.key}, with changes"
    # A form that breaks the lesson rules comes back to fix, still offering a new draft.
    broken = teacher.post(f"/authoring/{row.id}/save-copy", data=typed | {"title": ""})
    assert broken.status_code == 400
    assert ">Save as a new draft</button>" in broken.text
    assert session.scalar(select(func.count()).select_from(AuthoredLesson)) == 2


def test_a_shared_lesson_no_one_has_assessed_or_played_can_still_change(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    made = teacher.post("/authoring/new", data=lesson_form())
    lesson_id = int(re.search(r"/authoring/(\d+)", made.location).group(1))  # type: ignore[union-attr]
    teacher.post(f"/authoring/{lesson_id}/share")
    editor = teacher.get(f"/authoring/{lesson_id}/edit").text
    assert "cannot be changed" not in editor
    assert ">Save</button>" in editor
    changed = teacher.post(
        f"/authoring/{lesson_id}/edit", data=lesson_form(**{"sf-objective": "Blocks a stranger"})
    )
    assert changed.status_code == 302
