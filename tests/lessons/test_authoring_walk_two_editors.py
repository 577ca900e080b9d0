"""Two people change one lesson at once: the second save never silently lays over the first."""

from __future__ import annotations

import html
import json
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.audit.models import AuditEvent
from classroom.lessons.authored_models import AuthoredLesson
from tests.authoring_helpers import lesson_form
from tests.conftest import client_for
from tests.worry_helpers import make_school


def _opened_at(client: FlaskClient, lesson_id: int) -> str:
    """The revision the editor page was drawn at, as its form will send it back."""
    page = client.get(f"/authoring/{lesson_id}/edit").data.decode()
    found = re.search(r'name="revision" value="([^"]*)"', page)
    assert found is not None, "the editor sends the revision it was opened at"
    return found.group(1)


def _audits(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_a_second_save_from_an_editor_opened_earlier_is_refused_and_keeps_what_was_typed(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher, head = client_for(app, school.teacher), client_for(app, school.head)
    made = teacher.post("/authoring/new", data=lesson_form())
    assert made.status_code == 302
    lesson_id = int(re.search(r"/authoring/(\d+)", made.location).group(1))  # type: ignore[union-attr]
    # Both open the editor; the head saves first.
    theirs, mine = _opened_at(head, lesson_id), _opened_at(teacher, lesson_id)
    first = head.post(
        f"/authoring/{lesson_id}/edit", data=lesson_form(topic="Head's topic", revision=theirs)
    )
    assert first.status_code == 302
    audits = _audits(session)
    second = teacher.post(
        f"/authoring/{lesson_id}/edit", data=lesson_form(topic="Teacher's topic", revision=mine)
    )
    assert second.status_code == 409
    page = html.unescape(second.data.decode())
    assert "Someone saved a change to this lesson after you opened it" in page
    assert 'value="Teacher\'s topic"' in page  # nothing the teacher typed is lost
    row = session.get(AuthoredLesson, lesson_id)
    assert row is not None
    session.refresh(row)
    assert json.loads(row.document)["topic"] == "Head's topic"  # the first save stands
    assert row.revision == 2
    assert _audits(session) == audits  # nothing changed, nothing recorded as changed
    # Given back at the revision saved now: the teacher can choose to save theirs over it.
    again = re.search(r'name="revision" value="([^"]*)"', page)
    assert again is not None
    assert again.group(1) == "2"
    assert "Save mine as a new draft" in page
    third = teacher.post(
        f"/authoring/{lesson_id}/edit", data=lesson_form(topic="Teacher's topic", revision="2")
    )
    assert third.status_code == 302
    session.refresh(row)
    assert json.loads(row.document)["topic"] == "Teacher's topic"
    assert row.revision == 3


def test_a_refused_save_given_back_keeps_the_revision_the_editor_was_opened_at(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher, head = client_for(app, school.teacher), client_for(app, school.head)
    made = teacher.post("/authoring/new", data=lesson_form())
    lesson_id = int(re.search(r"/authoring/(\d+)", made.location).group(1))  # type: ignore[union-attr]
    mine = _opened_at(teacher, lesson_id)
    assert head.post(f"/authoring/{lesson_id}/edit", data=lesson_form(topic="Head's")).status_code
    # The teacher's save is refused for a title too long; shortened, it must still be checked
    # against the head's save, not against the lesson as it is when the form is given back.
    long = lesson_form(title="x" * 400, revision=mine)
    bad = teacher.post(f"/authoring/{lesson_id}/edit", data=long)
    assert bad.status_code == 400
    kept = re.search(r'name="revision" value="([^"]*)"', bad.data.decode())
    assert kept is not None
    assert kept.group(1) == mine
    fixed = teacher.post(
        f"/authoring/{lesson_id}/edit", data=lesson_form(topic="Mine", revision=kept.group(1))
    )
    assert fixed.status_code == 409
    row = session.get(AuthoredLesson, lesson_id)
    assert row is not None
    session.refresh(row)
    assert json.loads(row.document)["topic"] == "Head's"
