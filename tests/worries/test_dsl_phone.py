"""The DSL on her phone after school: interrupted while writing on a worry's record, her session
times out; the form she sends goes to sign-in, and sign-in takes her on to the page above the
form's address (web._back_after_sign_in): the record, never the form's address opened as a page
("Method not allowed"). Opening it writes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.worries import services
from classroom.worries.models import Category, Incident, IncidentEntry, Risk, Source, Status
from tests import two_step
from tests.conftest import Clock
from tests.factories import PASSWORD, make_account

AFTER_SCHOOL = datetime(2027, 1, 12, 16, 30, tzinfo=UTC)


@pytest.fixture
def worry(session: Session, clock: Clock) -> tuple[Account, Incident]:
    clock.set(AFTER_SCHOOL)
    dsl = make_account(session, Role.DSL, display_name="Mr Bell")
    incident = Incident(
        school_id=dsl.school_id,
        idempotency_key=str(uuid.uuid4()),
        source=Source.STAFF,
        status=Status.OPEN,
        created_at=AFTER_SCHOOL,
        summary="A worry",
    )
    session.add(incident)
    session.flush()
    choice = services.Triage(Category.WELLBEING, Risk.MEDIUM, "Repeated", False, dsl.id)
    services.triage(session, dsl, incident, choice, now=AFTER_SCHOOL)
    session.commit()
    return dsl, incident


def _entries(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(IncidentEntry)) or 0


def test_a_note_sent_after_a_time_out_leads_back_to_the_record_after_sign_in(
    app: Flask, session: Session, worry: tuple[Account, Incident]
) -> None:
    dsl, incident = worry
    phone = app.test_client()  # her own phone: signed out (timed out) while she wrote
    before = _entries(session)
    sent = phone.post(f"/safeguarding/{incident.id}/notes", data={"note-text": "Spoke to her"})
    assert sent.status_code == 302
    signing_in = sent.headers["Location"]
    assert signing_in == f"/sign-in?next=/safeguarding/{incident.id}"
    response = phone.post(signing_in, data={"username": dsl.username, "password": PASSWORD})
    response = two_step.finish(phone, response, dsl.username)
    assert response.headers["Location"] == f"/safeguarding/{incident.id}"
    landed = phone.get(response.headers["Location"])
    assert landed.status_code == 200, landed.status_code  # the record, not 405
    assert "Action taken or decision" in landed.text
    assert _entries(session) == before  # the note sent signed out wrote nothing


@pytest.mark.parametrize(
    "address",
    [
        "acknowledge", "triage", "assignee", "actions", "actions/1/done", "actions/1/owner",
        "parent-contact", "referrals", "referrals/reply", "referrals/chase", "pupils", "close",
        "carers-released", "reopen", "lesson", "chosen-adult", "about-staff",
    ],
)  # fmt: skip
def test_every_form_on_the_record_sent_signed_out_signs_in_to_the_record(
    app: Flask, worry: tuple[Account, Incident], address: str
) -> None:
    _, incident = worry
    sent = app.test_client().post(f"/safeguarding/{incident.id}/{address}", data={})
    assert sent.headers["Location"] == f"/sign-in?next=/safeguarding/{incident.id}"


def test_other_forms_sign_in_to_their_page_and_a_page_keeps_its_own_address(app: Flask) -> None:
    """Every staff form, not only the record's: a teacher's map change goes back to the map;
    a page (a GET) signs in to itself, its query kept."""
    phone = app.test_client()
    sent = phone.post("/pupils/3/lessons/L01/up", data={})
    assert sent.headers["Location"] == "/sign-in?next=/pupils/3/lessons"
    page = phone.get("/safeguarding/?page=2")
    assert page.headers["Location"] == "/sign-in?next=/safeguarding/?page%3D2"
