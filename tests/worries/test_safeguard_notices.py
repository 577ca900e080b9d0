"""One notice per parent-contact decision per carer, and the record says queued or delivered."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.outbox import services as outbox
from classroom.outbox.models import OutboxMessage
from classroom.parents.models import FeedItem
from classroom.worker import tick
from classroom.worries import services as worries
from classroom.worries.models import IncidentEntry, ParentContact, Status
from tests.conftest import Clock, client_for
from tests.parents_helpers import Family, incident_about, make_family

EVENING = datetime(2027, 1, 12, 18, 0, tzinfo=UTC)  # the family's Tuesday, after quiet hours


@pytest.fixture
def family(session: Session, clock: Clock) -> Family:
    return make_family(session, clock)


def _carer_emails(session: Session) -> int:
    query = select(func.count()).where(OutboxMessage.dedupe_key.startswith("parents:"))
    return session.scalar(query) or 0


def _send(client: object, incident_id: int, pupil_id: int, key: str) -> str:
    response = client.post(  # type: ignore[attr-defined]
        f"/parents/incidents/{incident_id}/notice/{pupil_id}",
        data={f"p{pupil_id}-text": "Amira is safe and well.", f"p{pupil_id}-key": key},
    )
    assert response.status_code == 302, response.data
    return str(response.location)


def test_second_approve_and_send_queues_nothing_and_says_so(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    clock.set(EVENING)
    dsl = client_for(app, family.dsl)
    first = _send(dsl, incident.id, family.child.id, "first-page-load")
    assert _carer_emails(session) == 2  # one each for mum and dad
    again = _send(dsl, incident.id, family.child.id, "second-page-load")
    assert "notice=again" in again
    assert _carer_emails(session) == 2
    assert session.scalar(select(func.count()).select_from(FeedItem)) == 1
    page = dsl.get(again).data.decode()
    assert "already sent under this decision, so nothing new was queued" in page
    assert "queued until 13 Jan 08:00 GMT" in page  # the day too: it reads the same tomorrow
    assert "notice=sent" in first
    notice_page = dsl.get(f"/parents/incidents/{incident.id}/notice").data.decode()
    assert "another cannot be sent until a new decision is recorded" in notice_page
    assert "Approve and send" not in notice_page


def test_chronology_says_queued_not_sent_during_quiet_hours(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    clock.set(EVENING)
    _send(client_for(app, family.dsl), incident.id, family.child.id, "k1")
    entry = session.scalar(select(IncidentEntry).where(IncidentEntry.kind == "parents"))
    assert entry is not None
    assert "queued until Wed 13 Jan 2027, 08:00 GMT (quiet hours)" in entry.text
    assert "sent" not in entry.text


@pytest.mark.usefixtures("clock")
def test_delivered_notice_shows_delivered_in_the_app(
    app: Flask, session: Session, family: Family
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    dsl = client_for(app, family.dsl)
    _send(dsl, incident.id, family.child.id, "k1")  # school hours: straight into the app
    entry = session.scalar(select(IncidentEntry).where(IncidentEntry.kind == "parents"))
    assert entry is not None
    assert re.match(r"Notice #\d+ approved and delivered in the app to", entry.text)
    page = dsl.get(f"/safeguarding/{incident.id}").data.decode()
    assert "delivered in the app" in page
    assert "email waiting to be sent (due " in page  # no worker in a test: it is due now


@pytest.mark.usefixtures("clock")
def test_a_notice_held_after_a_restore_says_so_on_the_record(
    app: Flask, session: Session, family: Family
) -> None:
    """Restored from a backup made while the notice's email waited: the DSL reads that it is
    held for a person to send (it may have gone out before the restore), not that it failed."""
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    dsl = client_for(app, family.dsl)
    _send(dsl, incident.id, family.child.id, "k1")
    assert outbox.hold_after_restore(session.connection(), utcnow()) == 2  # mum's and dad's
    session.commit()
    page = dsl.get(f"/safeguarding/{incident.id}").data.decode()
    assert page.count("email held after a restore (see Email problems)") == 2
    assert "email failed" not in page
    assert "email waiting to be sent" not in page
    # The DSL checks with mum, who had hers: it is left unsent, and the record says why.
    carers = select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("parents:"))
    mums = session.scalars(carers.order_by(OutboxMessage.id)).first()
    assert mums is not None
    outbox.leave_unsent(mums, now=utcnow())
    session.commit()
    page = dsl.get(f"/safeguarding/{incident.id}").data.decode()
    assert page.count("email held after a restore (see Email problems)") == 1
    assert page.count("email not sent again after a restore: they had had it") == 1


def test_a_new_decision_allows_a_new_notice(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    dsl = client_for(app, family.dsl)
    _send(dsl, incident.id, family.child.id, "k1")
    clock.advance(minutes=5)
    worries.decide_parent_contact(
        session,
        family.dsl,
        incident,
        ParentContact.INFORM_NOW,
        "New information to share",
        None,
        now=utcnow(),
    )
    session.commit()
    assert "notice=sent" in _send(dsl, incident.id, family.child.id, "k2")
    assert session.scalar(select(func.count()).select_from(FeedItem)) == 2


def test_chronology_records_delivery_when_quiet_hours_end(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    clock.set(EVENING)
    _send(client_for(app, family.dsl), incident.id, family.child.id, "k1")
    tick()
    assert _delivered(session) == []  # still quiet hours: queued, not delivered
    clock.advance(hours=15)  # 09:00 the next morning
    tick()
    tick()  # a second round (or a second worker) records it once
    (entry,) = _delivered(session)
    assert entry.endswith("delivered in the app at Wed 13 Jan 2027, 08:00 GMT")


def _delivered(session: Session) -> list[str]:
    session.expire_all()
    query = select(IncidentEntry.text).where(IncidentEntry.kind == "parents_delivered")
    return list(session.scalars(query))


def test_a_notice_held_back_by_another_incident_is_never_shown_as_delivered(
    app: Flask, session: Session, family: Family
) -> None:
    """The DSL approves a notice under "inform now" while a newer worry about the same child has
    no decision yet: carers are told nothing new until it has one. Every page the DSL reads
    says the notice is held back and by which incident, never that it was delivered."""
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    newer = incident_about(session, family, None)
    dsl = client_for(app, family.dsl)
    notice_page = dsl.get(f"/parents/incidents/{incident.id}/notice").data.decode()
    assert f"{newer.reference} about Amira holds back what carers are told" in notice_page

    _send(dsl, incident.id, family.child.id, "held")
    assert _carer_emails(session) == 0
    entry = session.scalar(select(IncidentEntry).where(IncidentEntry.kind == "parents"))
    assert entry is not None
    assert f"held back by {newer.reference}" in entry.text
    record = dsl.get(f"/safeguarding/{incident.id}").data.decode()
    assert f"held back by {newer.reference}" in record
    assert "delivered in the app" not in record
    carer = client_for(app, family.carer)
    feed = f"/family/children/{family.child.id}"
    assert "Amira is safe and well." not in carer.get(feed).data.decode()
    tick()
    assert not session.scalar(
        select(IncidentEntry).where(IncidentEntry.kind == "parents_delivered")
    )

    worries.decide_parent_contact(
        session, family.dsl, newer, ParentContact.INFORM_NOW, "Same family, same news", None,
        now=utcnow(),
    )  # fmt: skip
    session.commit()
    assert "Amira is safe and well." in carer.get(feed).data.decode()
    assert "delivered in the app" in dsl.get(f"/safeguarding/{incident.id}").data.decode()


def test_a_notice_to_a_closed_record_says_why_nothing_went_and_keeps_what_was_written(
    app: Flask, session: Session, family: Family
) -> None:
    """A colleague closed the record while the DSL wrote the notice: the page says it is closed
    (not only a 400 with the words still in a box and no reason), shows what she wrote to copy,
    and nothing reaches the carers."""
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    dsl = client_for(app, family.dsl)
    assert "Approve and send" in dsl.get(f"/parents/incidents/{incident.id}/notice").text
    incident.status = Status.CLOSED  # by a colleague, meanwhile
    session.commit()
    child = family.child.id
    written = "Amira told us about messages from another child; we are helping her."
    answer = dsl.post(
        f"/parents/incidents/{incident.id}/notice/{child}",
        data={f"p{child}-text": written, f"p{child}-key": "written-before-closing"},
    )
    assert answer.status_code == 400
    summary = answer.text.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    assert f"{incident.reference} is closed, so it cannot be changed." in summary
    assert "What you wrote (not sent):" in answer.text
    assert written in answer.text
    assert "Approve and send" not in answer.text
    assert _carer_emails(session) == 0
    assert session.scalar(select(func.count()).select_from(FeedItem)) == 0
    again = dsl.get(f"/parents/incidents/{incident.id}/notice").text
    assert f"{incident.reference} is closed, so no notice can be sent from it." in again
    assert "Approve and send" not in again
