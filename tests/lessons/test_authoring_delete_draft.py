"""A teacher deletes a draft they no longer want (a try-out, a copy made by mistake): asked
first, then gone from their list, audited. A shared lesson (it may be on pupils' maps) is never
deleted, and nobody else's draft can be."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.audit.models import AuditEvent
from classroom.lessons.authored_models import AuthoredLesson
from tests.authoring_helpers import lesson_form
from tests.conftest import client_for
from tests.factories import make_account
from tests.worry_helpers import make_school


def _draft(client: FlaskClient, title: str = "Kind words online") -> int:
    made = client.post("/authoring/new", data=lesson_form(title=title))
    assert made.status_code == 302
    found = re.search(r"/authoring/(\d+)", made.location)
    assert found is not None
    return int(found.group(1))


def _exists(session: Session, lesson_id: int) -> bool:
    session.expire_all()
    return session.get(AuthoredLesson, lesson_id) is not None


def test_a_draft_is_deleted_after_asking_and_the_deletion_is_audited(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    lesson_id = _draft(teacher, "Try out lesson")
    page = teacher.get(f"/authoring/{lesson_id}").data.decode()
    assert f'href="/authoring/{lesson_id}/delete">Delete this draft</a>' in page
    asked = teacher.get(f"/authoring/{lesson_id}/delete").data.decode()
    assert "Delete the draft &ldquo;Try out lesson&rdquo;?" in asked
    assert _exists(session, lesson_id)  # asking deletes nothing
    done = teacher.post(f"/authoring/{lesson_id}/delete")
    assert done.status_code == 302
    assert done.location == "/authoring/?deleted=1"
    listing = teacher.get(done.location).data.decode()
    assert "The draft was deleted." in listing
    assert "Try out lesson" not in listing
    assert not _exists(session, lesson_id)
    assert teacher.get(f"/authoring/{lesson_id}").status_code == 404
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "authored_lesson.deleted")
    ).one()
    assert audit.actor_id == school.teacher.id
    assert audit.summary is not None
    assert "Try out lesson" in audit.summary


def test_a_shared_lesson_is_never_deleted(app: Flask, session: Session) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    lesson_id = _draft(teacher)
    assert teacher.post(f"/authoring/{lesson_id}/share").status_code == 302
    page = teacher.get(f"/authoring/{lesson_id}").data.decode()
    assert "Delete this draft" not in page
    asked = teacher.get(f"/authoring/{lesson_id}/delete")
    assert asked.status_code == 302  # back to the lesson: there is nothing to ask
    refused = teacher.post(f"/authoring/{lesson_id}/delete")
    assert refused.status_code == 409
    assert "Only a draft nobody has used can be deleted" in refused.data.decode()
    assert _exists(session, lesson_id)


def test_another_teachers_draft_cannot_be_deleted(app: Flask, session: Session) -> None:
    school = make_school(session)
    lesson_id = _draft(client_for(app, school.teacher))
    other = make_account(session, Role.TEACHER, display_name="Mr Other")
    session.commit()
    stranger = client_for(app, other)
    assert stranger.get(f"/authoring/{lesson_id}/delete").status_code == 404
    assert stranger.post(f"/authoring/{lesson_id}/delete").status_code == 404
    assert _exists(session, lesson_id)
