"""Quiet hours end with one email per carer, counting what they held back, through the outbox.

Before, each thing made in the evening was its own email, and they all arrived at 08:00.
Withdrawing something while it waits (a carer disconnected, "do not contact") changes the count;
nothing is lost and nothing is emailed twice.
"""

from __future__ import annotations

from datetime import timedelta
from email.message import Message

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.outbox.models import OutboxMessage
from classroom.parents import delivery, invites, services
from classroom.parents.models import FeedItem
from classroom.pupils.models import ParentLink, Pupil
from classroom.worker import tick
from classroom.worries import services as worries
from classroom.worries.models import ParentContact
from tests.app_settings import base_url, carer_emails
from tests.conftest import Clock
from tests.parents_helpers import (
    NEXT_MORNING,
    QUIET_EVENING,
    Family,
    incident_about,
    moment,
    send_notice,
)
from tests.smtp import Inbox


def _body(message: Message) -> str:
    payload = message.get_payload()
    assert isinstance(payload, str)
    return payload


def _message(session: Session, family: Family, text: str, pupil: Pupil | None = None) -> None:
    sister = pupil is not None and pupil.id == family.sister.id
    services.send_staff_message(
        session,
        family.willow_teacher if sister else family.teacher,
        pupil or family.child,
        text,
        now=utcnow(),
        emails=carer_emails(),
    )
    session.commit()


def _morning(clock: Clock) -> None:
    clock.set(NEXT_MORNING + timedelta(minutes=1))
    tick()
    tick()


def _parents_mail(session: Session) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("parents:"))
    return list(session.scalars(query))


@pytest.mark.usefixtures("mail_server")
def test_an_evenings_things_come_as_one_email_when_quiet_hours_end(
    session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    clock.set(QUIET_EVENING)
    moment(session, family)
    clock.advance(hours=1)
    _message(session, family, "PE kit tomorrow please")
    clock.advance(hours=2)
    moment(session, family, note="And a second one")
    tick()
    assert inbox.messages == []  # quiet hours
    _morning(clock)
    for carer in (family.carer, family.second_carer):
        mail = inbox.to(carer.email)
        assert len(mail) == 1, carer.display_name
        body = _body(mail[0])
        assert "There are 3 new things for you in the school's parents' app." in body
        for secret in ("Amira", "Khan", "PE kit", "Ms Lopez", "second one"):
            assert secret not in body
            assert secret not in str(mail[0]["Subject"])
    clock.advance(hours=1)
    tick()
    assert len(inbox.messages) == 2  # nothing sent twice


@pytest.mark.usefixtures("mail_server")
def test_one_email_covers_each_of_a_carers_children(
    session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    clock.set(QUIET_EVENING)
    moment(session, family)
    _message(session, family, "Swimming on Friday", family.sister)
    _morning(clock)
    assert len(inbox.to(family.carer.email)) == 1
    assert "There are 2 new things" in _body(inbox.to(family.carer.email)[0])
    assert len(inbox.to(family.second_carer.email)) == 1  # dad is Amira's carer only
    assert "There is something new for you" in _body(inbox.to(family.second_carer.email)[0])


def test_the_same_item_counts_once(session: Session, family: Family, clock: Clock) -> None:
    clock.set(QUIET_EVENING)
    moment(session, family)
    moment(session, family, note="Another")
    for item in session.scalars(select(FeedItem)):
        delivery.notify(session, item, now=utcnow(), base_url=base_url())
    session.commit()
    mail = _parents_mail(session)
    assert len(mail) == 2  # one each for mum and dad
    assert all("There are 2 new things" in m.body for m in mail)
    assert all(m.next_attempt_at == NEXT_MORNING for m in mail)


def test_a_rolled_back_item_leaves_no_email(
    session: Session, family: Family, clock: Clock
) -> None:
    clock.set(QUIET_EVENING)
    moment(session, family)
    services.send_staff_message(
        session, family.teacher, family.child, "Undone", now=utcnow(), emails=carer_emails()
    )
    session.rollback()
    assert all("There is something new" in m.body for m in _parents_mail(session))


@pytest.mark.usefixtures("mail_server")
def test_a_disconnected_carer_is_told_only_of_their_other_childs_things(
    session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    clock.set(QUIET_EVENING)
    moment(session, family)
    _message(session, family, "Swimming on Friday", family.sister)
    for carer in (family.carer, family.second_carer):
        link = session.scalar(
            select(ParentLink).where(
                ParentLink.parent_id == carer.id, ParentLink.pupil_id == family.child.id
            )
        )
        assert link is not None
        invites.revoke_link(session, family.teacher, link, now=utcnow())
    session.commit()
    _morning(clock)
    assert len(inbox.to(family.carer.email)) == 1  # Zara's message is not lost
    assert "There is something new for you" in _body(inbox.to(family.carer.email)[0])
    assert inbox.to(family.second_carer.email) == []  # nothing left to tell dad about


@pytest.mark.usefixtures("mail_server")
def test_do_not_contact_takes_the_notice_out_of_the_count(
    session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    clock.set(QUIET_EVENING)
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    send_notice(session, family.dsl, incident, family.child, "About something online.")
    session.commit()
    _message(session, family, "Swimming on Friday", family.sister)
    mums = [m for m in _parents_mail(session) if m.to_address == family.carer.email]
    assert [m.body.split(" for you")[0] for m in mums] == ["There are 2 new things"]
    worries.decide_parent_contact(
        session, family.dsl, incident, ParentContact.DO_NOT_CONTACT, "Risk at home", None,
        now=utcnow(),
    )
    session.commit()
    tick()  # the worker's round withdraws what "do not contact" blocks
    _morning(clock)
    assert len(inbox.to(family.carer.email)) == 1
    assert "There is something new for you" in _body(inbox.to(family.carer.email)[0])
    assert inbox.to(family.second_carer.email) == []


@pytest.mark.usefixtures("mail_server")
def test_an_item_made_while_the_email_is_being_sent_gets_its_own(
    session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    """Quiet hours end as staff press send: the worker holds the one email already, so the
    new thing is emailed on its own rather than left out."""
    clock.set(QUIET_EVENING)
    moment(session, family)
    for message in _parents_mail(session):
        message.lease_until = NEXT_MORNING + timedelta(minutes=2)  # a worker is sending it
    session.commit()
    moment(session, family, note="Just in time")
    keys = sorted(m.dedupe_key.split(":")[2] for m in _parents_mail(session))
    assert keys == ["held", "held", "item", "item"]
    for message in _parents_mail(session):
        message.lease_until = None  # that worker got no further: the next one sends both
    session.commit()
    _morning(clock)
    assert len(inbox.to(family.carer.email)) == 2
