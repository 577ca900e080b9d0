"""Deactivating a member of the safeguarding team stays possible at once (a DSL who has left must
lose access), but the admin is told first how much open work is theirs, as counts only (the admin
may not read child-protection records), and whether they are the last DSL or deputy DSL; once
done, the audit entry says what was left and the rest of the team are emailed to reassign it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.outbox.models import OutboxMessage
from classroom.pupils.models import Pupil
from classroom.worries.models import (
    Incident,
    IncidentAction,
    IncidentPupil,
    PupilRole,
    Source,
    Status,
)
from tests.conftest import Clock, client_for
from tests.factories import make_account, make_class, make_pupil, make_school

SCHOOL_HOURS = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
SECRET = "Zebedee told me about the man in the park"
LEFT = "2 open worries assigned to them and 1 open action they own"
LAST = "last active DSL or deputy DSL"


@dataclass
class School:
    admin: Account
    head: Account
    dsl: Account
    deputy: Account
    teacher: Account
    pupil: Pupil
    worries: list[Incident]


def _worry(session: Session, school_id: int, pupil: Pupil | None, **values: object) -> Incident:
    given = {"status": Status.OPEN, "created_at": SCHOOL_HOURS, "summary": SECRET, **values}
    incident = Incident(
        school_id=school_id, idempotency_key=str(uuid.uuid4()), source=Source.STAFF, **given
    )
    session.add(incident)
    session.flush()
    if pupil is not None:
        session.add(
            IncidentPupil(incident_id=incident.id, pupil_id=pupil.id, role=PupilRole.AFFECTED)
        )
    return incident


def _action(session: Session, incident: Incident, owner: Account, *, done: bool = False) -> None:
    session.add(
        IncidentAction(
            incident_id=incident.id,
            description=f"Ring {SECRET}",
            owner_id=owner.id,
            due_on=date(2027, 1, 14),
            created_at=SCHOOL_HOURS,
            created_by_id=owner.id,
            done_at=SCHOOL_HOURS if done else None,
        )
    )


def _give_work(session: Session, school: School, who: Account) -> None:
    """Two open worries (one new, one open) and one open action; besides them a closed worry
    and a done action, which are nobody's work any more."""
    pupil, school_id = school.pupil, who.school_id
    new = _worry(session, school_id, pupil, status=Status.NEW, assignee_id=who.id)
    opened = _worry(session, school_id, pupil, assignee_id=who.id)
    closed = _worry(session, school_id, pupil, status=Status.CLOSED, assignee_id=who.id)
    _action(session, opened, who)
    _action(session, opened, who, done=True)
    _action(session, closed, who, done=True)
    school.worries += [new, opened, closed]
    session.commit()


@pytest.fixture
def school(session: Session, clock: Clock) -> School:
    clock.set(SCHOOL_HOURS)
    found = School(
        make_account(session, Role.ADMIN, display_name="Mrs Office"),
        make_account(session, Role.HEADTEACHER, display_name="Mrs Shah"),
        make_account(session, Role.DSL, display_name="Mr Bell"),
        make_account(session, Role.DEPUTY_DSL, display_name="Mrs Okafor"),
        make_account(session, Role.TEACHER, display_name="Ms Lopez"),
        make_pupil(session, make_class(session), first_name="Zebedee", last_name="Quartz"),
        [],
    )
    session.commit()
    return found


def _page(app: Flask, school: School, account: Account) -> str:
    response = client_for(app, school.admin).get(f"/admin/accounts/{account.id}")
    assert response.status_code == 200
    return " ".join(response.text.split())


def _messages(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_the_page_counts_a_dsls_open_work_before_the_deactivate_button(
    app: Flask, session: Session, school: School
) -> None:
    _give_work(session, school, school.dsl)
    page = _page(app, school, school.dsl)
    assert f"Theirs now: {LEFT}." in page
    assert "the DSL or headteacher reassigns them in the safeguarding queue" in page
    assert page.index(LEFT) < page.index("Deactivate account</button>")
    assert LAST not in page  # the deputy is still there


def test_the_page_warns_that_the_last_dsl_or_deputy_is_going(
    app: Flask, session: Session, school: School
) -> None:
    school.deputy.active = False
    session.commit()
    page = _page(app, school, school.dsl)
    assert f"They are the school's {LAST}" in page
    assert "new worries will alert only the headteacher" in page
    assert "Theirs now" not in page  # no open work: no counts
    # The headteacher is no lead: their going leaves the DSL to hear of new worries.
    assert LAST not in _page(app, school, school.head)


def test_no_counts_for_a_teacher_without_work_or_with_another_schools(
    app: Flask, session: Session, school: School
) -> None:
    _give_work(session, school, school.dsl)
    # A teacher holds no incident work, whatever a row says; another school's is not this one's.
    _worry(session, school.dsl.school_id, None, assignee_id=school.teacher.id)
    elsewhere = make_school(session, name="Other School")
    away = _worry(session, elsewhere.id, None, assignee_id=school.deputy.id)
    _action(session, away, school.deputy)
    session.commit()
    assert "Theirs now" not in _page(app, school, school.teacher)
    assert "Theirs now" not in _page(app, school, school.deputy)
    assert "Theirs now" not in _page(app, school, school.head)
    assert f"Theirs now: {LEFT}." in _page(app, school, school.dsl)


def test_the_page_names_no_pupil_and_no_record(
    app: Flask, session: Session, school: School
) -> None:
    _give_work(session, school, school.dsl)
    page = _page(app, school, school.dsl)
    assert LEFT in page
    for secret in ("Zebedee", "Quartz", SECRET, *(w.reference for w in school.worries)):
        assert secret not in page


def test_a_get_writes_nothing_but_who_looked(app: Flask, session: Session, school: School) -> None:
    _give_work(session, school, school.dsl)
    office = client_for(app, school.admin)
    before = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    assert LEFT in office.get(f"/admin/accounts/{school.dsl.id}").text
    session.expire_all()
    assert _messages(session) == []
    assert session.scalar(select(Account.active).where(Account.id == school.dsl.id)) is True
    written = session.execute(
        select(AuditEvent.action, AuditEvent.summary).where(AuditEvent.id > (before or 0))
    )
    assert [tuple(row) for row in written] == [("account.viewed", "")]


def test_deactivating_a_dsl_with_open_work_ends_their_sessions_and_tells_the_team(
    app: Flask, session: Session, school: School
) -> None:
    _give_work(session, school, school.dsl)
    theirs = client_for(app, school.dsl)
    assert theirs.get("/safeguarding/").status_code == 200
    office = client_for(app, school.admin)
    response = office.post(f"/admin/accounts/{school.dsl.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert "/sign-in" in theirs.get("/safeguarding/").location
    session.expire_all()
    summary = session.scalar(
        select(AuditEvent.summary).where(AuditEvent.action == "account.deactivated")
    )
    assert summary == "left 2 open worries and 1 open action"
    # The rest of the team are emailed once each; the person deactivated is not.
    sent = _messages(session)
    assert sorted(m.to_address for m in sent) == sorted([school.head.email, school.deputy.email])
    said = (
        "Mr Bell's account was deactivated with 2 open worries and 1 open action still assigned "
        "to them: reassign them."
    )
    for message in sent:
        assert said in message.body
        for secret in ("Zebedee", "Quartz", SECRET, *(w.reference for w in school.worries)):
            assert secret not in message.body
    done = " ".join(office.get(response.location).text.split())
    assert "Account deactivated: their sessions have ended." in done
    assert f"Still theirs: {LEFT}." in done
    told = "The rest of the safeguarding team has an alert in the app to reassign them, and those"
    assert told in done
    assert "Zebedee" not in done
    assert SECRET not in done


def test_deactivating_the_last_dsl_or_deputy_says_so_in_the_audit(
    app: Flask, session: Session, school: School
) -> None:
    _give_work(session, school, school.deputy)
    school.dsl.active = False
    session.commit()
    office = client_for(app, school.admin)
    response = office.post(f"/admin/accounts/{school.deputy.id}/active", data={"active": "0"})
    assert response.status_code == 302
    session.expire_all()
    summary = session.scalar(
        select(AuditEvent.summary).where(AuditEvent.action == "account.deactivated")
    )
    assert summary == "left 2 open worries and 1 open action; was the last DSL or deputy DSL"
    assert [m.to_address for m in _messages(session)] == [school.head.email]
    done = " ".join(office.get(response.location).text.split())
    assert "They were the school's last active DSL or deputy DSL" in done
