"""Every page that names pupils is in the audit log, as the pupil list is: the pickers that list
every pupil a member of staff may choose, the class recording page, and the safeguarding
queue's rows each time they are redrawn (a security review found these unlogged)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.audit.models import AuditEvent
from tests.conftest import client_for
from tests.worry_helpers import School, make_school


def _last(session: Session) -> AuditEvent | None:
    session.expire_all()
    return session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))


@pytest.mark.parametrize(
    ("who", "path", "action", "summary"),
    [
        ("teacher", "/concerns/new", "concern.form_viewed", "raising a concern"),
        ("teacher", "/symbols/choose", "pupils.list_viewed", "choosing symbols"),
        ("teacher", "/symbols/voice", "pupils.list_viewed", "recording a voice"),
        ("teacher", "/assessment/classes/{oak}/record", "assessment.class_record_viewed", ""),
        ("dsl", "/safeguarding/cp-files/import", "cp_file.import_form_viewed", "importing"),
        ("dsl", "/safeguarding/queue/rows", "incidents.queue_viewed", "refreshed"),
    ],
)
def test_a_page_naming_pupils_is_audited(
    app: Flask, session: Session, who: str, path: str, action: str, summary: str
) -> None:
    school: School = make_school(session)
    account = school.teacher if who == "teacher" else school.dsl
    browser = client_for(app, account)
    before = _last(session)
    response = browser.get(path.format(oak=school.oak.id))
    assert response.status_code == 200
    entry = _last(session)
    assert entry is not None
    assert before is None or entry.id > before.id
    assert (entry.action, entry.actor_id) == (action, account.id)
    assert summary in entry.summary
