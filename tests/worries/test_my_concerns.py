"""The "My concerns" page: what a member of staff raised, a page at a time, newest first. A
teacher raises concerns year after year; the page shows thirty and reads no more than that."""

from __future__ import annotations

import re
import uuid

from flask import Flask
from sqlalchemy import Table, insert, literal, select
from sqlalchemy.orm import Session

from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.worries import services
from classroom.worries.models import Incident, IncidentPupil, PupilRole
from classroom.worries.views import CONCERNS_PAGE
from tests.app_settings import base_url
from tests.conftest import client_for
from tests.history import copies, page_steps, sqlite_only
from tests.worry_helpers import School, make_school

INCIDENTS: Table = Incident.__table__  # type: ignore[assignment]
WROTE = re.compile(r"<strong>What you wrote:</strong> (Concern \d+)</p>")


def _concerns(session: Session, school: School, count: int) -> list[Incident]:
    raised = []
    for n in range(1, count + 1):
        concern = services.ConcernInput(school.pupil.id, f"Concern {n}", "speech", "", None)
        key = str(uuid.uuid4())
        raised.append(
            services.raise_concern(
                session, school.teacher, key, concern, now=utcnow(), base_url=base_url()
            )
        )
    session.commit()
    return raised


def test_my_concerns_come_a_page_at_a_time_newest_first(app: Flask, session: Session) -> None:
    school = make_school(session)
    _concerns(session, school, CONCERNS_PAGE + 1)
    teacher = client_for(app, school.teacher)

    first = teacher.get("/concerns/").data.decode()
    assert WROTE.findall(first) == [f"Concern {n}" for n in range(CONCERNS_PAGE + 1, 1, -1)]
    assert first.count("Amira Khan") == CONCERNS_PAGE  # each names its pupil
    assert 'href="/concerns/?page=2">Older</a>' in first
    assert ">Newer</a>" not in first

    second = teacher.get("/concerns/?page=2").data.decode()
    assert WROTE.findall(second) == ["Concern 1"]
    assert 'href="/concerns/">Newer</a>' in second
    assert ">Older</a>" not in second

    past_the_end = teacher.get("/concerns/?page=3").data.decode()
    assert WROTE.findall(past_the_end) == []
    assert "Nothing older than this." in past_the_end
    assert "You have not raised any concerns." not in past_the_end
    for nonsense in ("0", "-1", "two", "99999999999999"):  # the first page, not an error
        assert WROTE.findall(teacher.get(f"/concerns/?page={nonsense}").data.decode()) == (
            WROTE.findall(first)
        )


def test_another_teachers_concerns_are_not_on_my_pages(app: Flask, session: Session) -> None:
    school = make_school(session)
    _concerns(session, school, 2)
    head = client_for(app, school.head)
    page = head.get("/concerns/").data.decode()
    assert WROTE.findall(page) == []
    assert "You have not raised any concerns." in page


@sqlite_only
def test_years_of_concerns_cost_my_concerns_nothing_more(app: Flask, session: Session) -> None:
    school = make_school(session)
    oldest, *_ = _concerns(session, school, CONCERNS_PAGE + 1)
    teacher = client_for(app, school.teacher)
    before = page_steps(app, teacher, "/concerns/")

    # 3,000 more of hers, each about a pupil as a concern is.
    newest = session.scalar(select(Incident.id).order_by(Incident.id.desc()).limit(1))
    copies(session, INCIDENTS, oldest.id, 3_000)
    session.execute(
        insert(IncidentPupil).from_select(
            ["incident_id", "pupil_id", "role"],
            select(Incident.id, literal(school.pupil.id), literal(PupilRole.AFFECTED.value)).where(
                Incident.id > newest
            ),
        )
    )
    session.commit()
    after = page_steps(app, teacher, "/concerns/")

    assert after == before, (before, after)
    assert len(WROTE.findall(teacher.get("/concerns/").data.decode())) == CONCERNS_PAGE


def test_opening_my_concerns_is_on_the_audit_log(app: Flask, session: Session) -> None:
    """The page names pupils and what was written about them: every view is on record."""
    school = make_school(session)
    _concerns(session, school, 2)
    teacher = client_for(app, school.teacher)

    assert teacher.get("/concerns/").status_code == 200

    session.expire_all()
    viewed = session.execute(
        select(AuditEvent.actor_id, AuditEvent.summary).where(
            AuditEvent.action == "concern.list_viewed"
        )
    ).all()
    assert viewed == [(school.teacher.id, "page 1: 2 shown")]
