"""A pupil's progress as a spreadsheet leaves the school only inside an AES-256 zip, with a
passphrase the member of staff chooses (PRODUCT.md section 6), as the incident log and the
message log do: asked for with a POST form, audited, refused clearly when the passphrase is bad,
and only for staff who may see the pupil."""

from __future__ import annotations

import csv
import io
import re

import pytest
import pyzipper
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.assessment import services
from classroom.assessment.models import Level
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from tests.app_settings import school_today
from tests.conftest import client_for, sign_in
from tests.factories import make_account, make_class
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school

SF = "stop-block-tell.sf"
PHRASE = "a long enough passphrase"
HEADER = [
    "pupil",
    "lesson",
    "strands",
    "pathway",
    "objective",
    "current level",
    "maintained",
    "last assessed",
    "observations in force (corrected ones not counted)",
    "misconception",
    "earlier pathway",
    "engagement model notes",
    "on the map now",
]


def _observed(session: Session) -> School:
    school = make_school(session)
    services.observe(
        session,
        school.teacher,
        school.pupil,
        SF,
        services.Entry(level=Level.DEVELOPING, observed_on=school_today(), misconception=True),
        all_lessons(session),
        now=utcnow(),
        today=school_today(),
    )
    session.commit()
    return school


def _url(school: School) -> str:
    return f"/assessment/pupils/{school.pupil.id}/export"


def _exports(session: Session) -> list[AuditEvent]:
    action = AuditEvent.action == "assessment.report_exported"
    return list(session.scalars(select(AuditEvent).where(action)))


def _audit_rows(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_the_download_is_a_zip_only_the_passphrase_opens_with_the_progress_rows(
    client: FlaskClient, session: Session
) -> None:
    school = _observed(session)
    sign_in(client, school.teacher.username)
    response = client.post(_url(school), data={"passphrase": PHRASE, "confirm": PHRASE})
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    archive = pyzipper.AESZipFile(io.BytesIO(response.data))
    (name,) = archive.namelist()
    for outside in (disposition, name):  # neither name is encrypted: neither names her
        assert "Amira" not in outside
        assert "Khan" not in outside
    assert b"Amira" not in response.data
    with pytest.raises(RuntimeError):
        archive.read(name)  # no passphrase, no data
    archive.setpassword(b"the wrong passphrase")
    with pytest.raises(RuntimeError):
        archive.read(name)
    archive.setpassword(PHRASE.encode())
    rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    lesson, version = all_lessons(session).objective(SF)
    assert rows[0] == HEADER
    assert [
        "Amira Khan",
        lesson.title.text,
        " ".join(s.value for s in lesson.strands),
        "semi_formal",
        version.objective.text,
        "Developing (prompted or modelled)",
        "no",
        school_today().isoformat(),
        "1",
        "yes",
        "no",
        "",  # no Engagement Model notes: she is semi-formal
        "yes",  # on her map, not hidden
    ] in rows
    # One row per lesson on her map, as on the printed summary.
    report = client.get(f"/assessment/pupils/{school.pupil.id}/report").data.decode()
    assert len(rows) - 1 == report.count("<tr><td>")
    level = HEADER.index("current level")
    assert sum(r[level] == "Not assessed yet" for r in rows) == len(rows) - 2


def test_the_export_is_audited_and_asking_for_the_form_writes_nothing(
    client: FlaskClient, session: Session
) -> None:
    school = _observed(session)
    sign_in(client, school.teacher.username)
    before = _audit_rows(session)
    form = client.get(_url(school))
    assert form.status_code == 200
    page = form.data.decode()
    assert '<form method="post"' in page
    assert '<label for="passphrase">Passphrase</label>' in page
    assert '<label for="confirm">Passphrase again</label>' in page
    old_link = client.get(f"/assessment/pupils/{school.pupil.id}/report?format=csv")
    assert old_link.status_code == 302  # an old bookmark: to the form, never a plain file
    assert old_link.location.endswith(_url(school))
    assert _audit_rows(session) == before
    assert _exports(session) == []

    client.post(_url(school), data={"passphrase": PHRASE, "confirm": PHRASE})
    (event,) = _exports(session)
    assert (event.actor_kind, event.actor_id) == ("staff", school.teacher.id)
    assert event.actor_name == "Ms Lopez"
    assert (event.object_type, event.object_id) == ("Pupil", school.pupil.id)
    assert PHRASE not in event.summary


def test_the_pupils_page_offers_the_encrypted_download_only(
    client: FlaskClient, session: Session
) -> None:
    school = _observed(session)
    sign_in(client, school.teacher.username)
    page = client.get(f"/assessment/pupils/{school.pupil.id}").data.decode()
    assert f'href="{_url(school)}">Download spreadsheet (encrypted)</a>' in page
    assert "format=csv" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"passphrase": "short", "confirm": "short"}, "at least 12 characters"),
        ({"passphrase": PHRASE, "confirm": PHRASE + "!"}, "They do not match."),
        ({"passphrase": "", "confirm": ""}, "Choose a passphrase."),
        ({"passphrase": PHRASE}, "Type it again."),
    ],
)
def test_a_bad_passphrase_gets_a_clear_message_a_400_and_no_file(
    client: FlaskClient, session: Session, data: dict[str, str], message: str
) -> None:
    school = _observed(session)
    sign_in(client, school.teacher.username)
    response = client.post(_url(school), data=data)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    page = response.data.decode()
    assert message in page
    assert 'aria-invalid="true"' in page  # the field in error says so to a screen reader
    assert _exports(session) == []


@pytest.mark.parametrize("role", [Role.TEACHER, Role.TEACHING_ASSISTANT])
def test_staff_of_another_class_get_404(app: Flask, session: Session, role: Role) -> None:
    school = _observed(session)
    other = make_account(session, role, classes=[make_class(session, name="Willow")])
    session.commit()
    stranger = client_for(app, other)
    assert stranger.get(_url(school)).status_code == 404
    posted = stranger.post(_url(school), data={"passphrase": PHRASE, "confirm": PHRASE})
    assert posted.status_code == 404
    assert _exports(session) == []


def test_the_classes_own_teaching_assistant_may_export(app: Flask, session: Session) -> None:
    school = _observed(session)
    ta = make_account(session, Role.TEACHING_ASSISTANT, classes=[school.oak])
    session.commit()
    response = client_for(app, ta).post(
        _url(school), data={"passphrase": PHRASE, "confirm": PHRASE}
    )
    assert response.mimetype == "application/zip"
    assert [e.actor_id for e in _exports(session)] == [ta.id]


def test_a_governor_is_refused(app: Flask, session: Session) -> None:
    school = _observed(session)
    governor = make_account(session, Role.GOVERNOR)
    session.commit()
    client = client_for(app, governor)
    assert client.get(_url(school)).status_code == 403
    posted = client.post(_url(school), data={"passphrase": PHRASE, "confirm": PHRASE})
    assert posted.status_code == 403
    assert _exports(session) == []


def test_the_form_needs_its_csrf_token(app: Flask, session: Session) -> None:
    school = _observed(session)
    client = client_for(app, school.teacher)
    app.config["WTF_CSRF_ENABLED"] = True
    forged = client.post(_url(school), data={"passphrase": PHRASE, "confirm": PHRASE})
    assert forged.status_code == 400
    assert forged.mimetype == "text/html"
    assert _exports(session) == []
    found = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(_url(school)).text
    )
    assert found is not None
    data = {"passphrase": PHRASE, "confirm": PHRASE, "csrf_token": found.group(1)}
    assert client.post(_url(school), data=data).mimetype == "application/zip"
