"""A record closed under "Inform parents/carers now" says whether, and how, they were told.

Found acting as the team: a DSL decided "inform now", sent no notice, and closed the record.
The closed record read only "In force: Inform parents/carers now", which a later reader takes
for "they were told". Closing now asks how they were told, or why they were not, unless a
notice went from the record under that decision.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.pupils.models import Pupil
from classroom.worries import services as worries
from classroom.worries.models import Category, Incident, IncidentEntry, ParentContact, Risk, Status
from tests.conftest import Clock, client_for
from tests.parents_helpers import Family, incident_about, make_family, send_notice

QUESTION = "How parents/carers were told, or why they have not been"
CLOSING = {"close-outcome": "Resolved with a talk", "close-lessons_learnt": "Filters helped"}


@pytest.fixture
def family(session: Session, clock: Clock) -> Family:
    return make_family(session, clock)


def _triaged(
    session: Session, family: Family, decision: ParentContact, *others: Pupil
) -> Incident:
    incident = incident_about(session, family, decision, *others)
    worries.triage(
        session,
        family.dsl,
        incident,
        worries.Triage(Category.CYBERBULLYING, Risk.LOW, "Spoke to her", False, None),
        now=utcnow(),
    )
    session.commit()
    return incident


def _close(dsl: FlaskClient, incident: Incident, **extra: str) -> tuple[int, str]:
    response = dsl.post(f"/safeguarding/{incident.id}/close", data=CLOSING | extra)
    return response.status_code, response.text


def test_closing_under_inform_now_with_no_notice_asks_how_carers_were_told(
    app: Flask, session: Session, family: Family
) -> None:
    incident = _triaged(session, family, ParentContact.INFORM_NOW)
    dsl = client_for(app, family.dsl)
    assert QUESTION in dsl.get(f"/safeguarding/{incident.id}").text

    status, page = _close(dsl, incident)
    assert status == 400
    assert "say how they were told, or why they have not been" in page
    session.expire_all()
    assert incident.status == Status.OPEN

    told = "Mrs Khan phoned on Tuesday by the DSL; she will watch the tablet at home"
    assert _close(dsl, incident, **{"close-carers_told": told})[0] == 302
    session.expire_all()
    assert incident.status == Status.CLOSED
    entry = session.scalar(select(IncidentEntry).where(IncidentEntry.kind == "carers_told"))
    assert entry is not None
    assert entry.reason == told
    assert entry.author_id == family.dsl.id
    record = dsl.get(f"/safeguarding/{incident.id}").text
    assert "How they were told, or why not" in record
    assert "Mrs Khan phoned on Tuesday" in record


def test_a_notice_sent_under_the_decision_needs_no_more_at_closing(
    app: Flask, session: Session, family: Family
) -> None:
    incident = _triaged(session, family, ParentContact.INFORM_NOW)
    send_notice(session, family.dsl, incident, family.child, "About an online-safety matter.")
    session.commit()
    dsl = client_for(app, family.dsl)
    assert QUESTION not in dsl.get(f"/safeguarding/{incident.id}").text
    assert _close(dsl, incident)[0] == 302


def test_a_notice_sent_under_an_earlier_decision_does_not_count(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    """Told once, then "do not contact", then "inform now" again: the new decision is untold."""
    incident = _triaged(session, family, ParentContact.INFORM_NOW)
    send_notice(session, family.dsl, incident, family.child, "About an online-safety matter.")
    for decision in (ParentContact.DO_NOT_CONTACT, ParentContact.INFORM_NOW):
        clock.advance(minutes=5)
        worries.decide_parent_contact(
            session, family.dsl, incident, decision, "New information", None, now=utcnow()
        )
    session.commit()
    dsl = client_for(app, family.dsl)
    assert _close(dsl, incident)[0] == 400


@pytest.mark.parametrize("decision", [ParentContact.DO_NOT_CONTACT, ParentContact.NOT_NOW])
def test_other_decisions_are_not_asked_how_carers_were_told(
    app: Flask, session: Session, family: Family, decision: ParentContact
) -> None:
    incident = _triaged(session, family, decision)
    dsl = client_for(app, family.dsl)
    assert QUESTION not in dsl.get(f"/safeguarding/{incident.id}").text
    held = {"close-carers": "keep", "close-carers-reason": "Police enquiring"}
    assert _close(dsl, incident, **held)[0] == 302


def test_each_linked_pupils_carers_are_asked_about_not_only_the_first(
    app: Flask, session: Session, family: Family
) -> None:
    """Amira's carers had a notice; Ben, also on the record, had nothing: closing asks about
    Ben's, by name."""
    incident = _triaged(session, family, ParentContact.INFORM_NOW, family.other)
    send_notice(session, family.dsl, incident, family.child, "About an online-safety matter.")
    session.commit()
    dsl = client_for(app, family.dsl)
    page = dsl.get(f"/safeguarding/{incident.id}").text
    assert QUESTION in page
    assert "nothing has reached the carers of Ben Taylor from this record" in page
    status, refused = _close(dsl, incident)
    assert status == 400
    assert "nothing has reached the carers of Ben Taylor" in refused
    send_notice(session, family.dsl, incident, family.other, "About an online-safety matter.")
    session.commit()
    assert QUESTION not in dsl.get(f"/safeguarding/{incident.id}").text
    assert _close(dsl, incident)[0] == 302


def test_a_notice_another_incident_holds_back_has_not_told_anyone(
    app: Flask, session: Session, family: Family
) -> None:
    """A second record about Amira says "not now": the notice approved here waits unseen, so
    closing must not take it for carers told."""
    incident_about(session, family, ParentContact.NOT_NOW)
    incident = _triaged(session, family, ParentContact.INFORM_NOW)
    send_notice(session, family.dsl, incident, family.child, "About an online-safety matter.")
    session.commit()
    dsl = client_for(app, family.dsl)
    assert "nothing has reached the carers of Amira Khan" in dsl.get(
        f"/safeguarding/{incident.id}"
    ).text
    assert _close(dsl, incident)[0] == 400
    told = "Not yet: the other record about Amira holds carers back while police enquire"
    assert _close(dsl, incident, **{"close-carers_told": told})[0] == 302
