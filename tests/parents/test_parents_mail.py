"""Carers' emails through a real local SMTP server: exactly once, after quiet hours, no details."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.outbox.models import OutboxMessage
from classroom.parents import delivery, invites, services
from classroom.parents.models import EmailMode, FeedItem
from classroom.pupils.models import ParentLink
from classroom.worker import tick
from classroom.worries import services as worries
from classroom.worries.models import ParentContact
from tests.app_settings import base_url, carer_emails
from tests.conftest import Clock, client_for
from tests.parents_helpers import (
    NEXT_MORNING,
    QUIET_EVENING,
    SCHOOL_HOURS,
    Family,
    incident_about,
    moment,
    send_notice,
)
from tests.smtp import Inbox


def _assert_no_detail(message: Message, family: Family, *texts: str) -> None:
    body = message.get_payload()
    assert isinstance(body, str)
    assert "/family/" in body
    for secret in ("Amira", "Khan", "Ben", family.teacher.display_name, *texts):
        assert secret not in body
        assert secret not in str(message["Subject"])


def test_notice_emails_survive_an_outage_and_arrive_exactly_once(
    app: Flask, session: Session, family: Family, smtp_port: int, inbox: Inbox, clock: Clock
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    send_notice(session, family.dsl, incident, family.child, "Amira is safe.")
    session.commit()
    pending = [
        m for m in session.scalars(select(OutboxMessage)) if m.dedupe_key.startswith("parents:")
    ]
    assert {m.to_address for m in pending} == {family.carer.email, family.second_carer.email}
    assert tick()[1] == 0  # the mail server is down: nothing is lost, every email waits
    assert all(m.attempts == 1 and m.sent_at is None for m in pending)
    admin = client_for(app, family.admin)
    assert family.carer.email in admin.get("/admin/mail").data.decode()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        clock.advance(seconds=31)
        tick()
        clock.advance(minutes=10)
        tick()
        tick()
    finally:
        controller.stop()
    parent_mail = [m for m in inbox.messages if m["To"] != family.dsl.email]
    assert sorted(m["To"] for m in parent_mail) == sorted(
        [family.carer.email, family.second_carer.email]
    )
    assert len({m["Message-ID"] for m in parent_mail}) == 2
    for message in parent_mail:
        _assert_no_detail(message, family, "Amira is safe.")


def test_the_same_item_is_never_emailed_twice(session: Session, family: Family) -> None:
    moment(session, family)
    item = session.scalar(select(FeedItem))
    assert item is not None
    assert (
        delivery.notify(session, item, now=utcnow(), base_url=base_url()) == 0
    )  # already queued once for each carer
    keys = [m.dedupe_key for m in session.scalars(select(OutboxMessage))]
    assert len(keys) == len(set(keys)) == 2


@pytest.mark.usefixtures("mail_server")
def test_quiet_hours_hold_the_email_until_morning(
    session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    clock.set(QUIET_EVENING)
    services.send_staff_message(
        session,
        family.teacher,
        family.child,
        "See you tomorrow",
        now=utcnow(),
        emails=carer_emails(),
    )
    session.commit()
    tick()
    clock.advance(hours=3)
    tick()
    assert inbox.to(family.carer.email) == []
    clock.set(NEXT_MORNING + timedelta(minutes=1))
    tick()
    tick()
    assert len(inbox.to(family.carer.email)) == 1
    _assert_no_detail(inbox.to(family.carer.email)[0], family, "See you tomorrow")


@pytest.mark.usefixtures("app", "mail_server")
def test_email_off_means_no_email_and_carer_messages_email_no_carer(
    session: Session, family: Family, inbox: Inbox
) -> None:
    services.update_settings(session, family.carer, EmailMode.OFF, False, now=utcnow())
    services.send_carer_message(
        session,
        family.second_carer,
        family.child,
        "A question",
        now=utcnow(),
        emails=carer_emails(),
    )
    moment(session, family)
    tick()
    assert inbox.to(family.carer.email) == []
    assert len(inbox.to(family.second_carer.email)) == 1


@pytest.mark.usefixtures("mail_server")
def test_daily_digest_is_sent_once_a_day_with_no_detail(
    session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    services.update_settings(session, family.carer, EmailMode.DAILY, False, now=utcnow())
    session.commit()
    moment(session, family)
    services.send_staff_message(
        session, family.teacher, family.child, "Hello", now=utcnow(), emails=carer_emails()
    )
    session.commit()
    tick()  # 10:00: each-mode dad gets his emails; mum waits for the digest
    assert inbox.to(family.carer.email) == []
    assert len(inbox.to(family.second_carer.email)) == 2
    clock.set(SCHOOL_HOURS.replace(hour=15, minute=31))
    tick()
    tick()
    clock.advance(minutes=30)
    tick()
    digests = inbox.to(family.carer.email)
    assert len(digests) == 1
    assert "2 new things" in str(digests[0].get_payload())
    _assert_no_detail(digests[0], family, "Hello")
    clock.advance(days=1)
    tick()
    assert len(inbox.to(family.carer.email)) == 1  # nothing new: no digest
    moment(session, family, note="Another good day")
    clock.advance(days=1)
    tick()
    assert len(inbox.to(family.carer.email)) == 2


@pytest.mark.usefixtures("mail_server")
def test_digest_waits_for_the_weekend_to_end(
    session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    services.update_settings(session, family.carer, EmailMode.DAILY, False, now=utcnow())
    moment(session, family)
    clock.set(SCHOOL_HOURS + timedelta(days=4, hours=6))  # Saturday 16:00
    tick()
    assert inbox.to(family.carer.email) == []
    clock.advance(days=2)  # Monday 16:00: quiet hours start at 16:30
    tick()
    assert len(inbox.to(family.carer.email)) == 1


@pytest.mark.usefixtures("mail_server")
def test_revoking_a_carer_withdraws_emails_still_waiting(
    session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    clock.set(QUIET_EVENING)
    services.send_staff_message(
        session, family.teacher, family.child, "Tomorrow", now=utcnow(), emails=carer_emails()
    )
    link = session.scalar(select(ParentLink).where(ParentLink.parent_id == family.second_carer.id))
    assert link is not None
    invites.revoke_link(session, family.teacher, link, now=utcnow())
    session.commit()
    clock.set(NEXT_MORNING + timedelta(minutes=5))
    tick()
    assert inbox.to(family.second_carer.email) == []
    assert len(inbox.to(family.carer.email)) == 1


@pytest.mark.usefixtures("mail_server")
def test_do_not_contact_withdraws_a_notice_email_still_waiting(
    session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    clock.set(QUIET_EVENING)
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    send_notice(session, family.dsl, incident, family.child, "Amira is safe.")
    session.commit()
    worries.decide_parent_contact(
        session, family.dsl, incident, ParentContact.DO_NOT_CONTACT, "Risk at home", None,
        now=utcnow(),
    )
    session.commit()
    clock.set(NEXT_MORNING + timedelta(minutes=5))
    tick()
    tick()
    assert inbox.to(family.carer.email) == []
    assert inbox.to(family.second_carer.email) == []


@pytest.mark.usefixtures("mail_server")
def test_turning_emails_off_withdraws_those_waiting_for_quiet_hours_to_end(
    app: Flask, session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    """Found by a reviewer: mum chose "No emails" in the evening and still got the emails
    that were waiting for 08:00. Dad, who wants each, still gets his."""
    clock.set(datetime(2026, 12, 3, 20, 0, tzinfo=UTC))  # a Thursday evening: quiet hours
    moment(session, family)
    session.commit()
    assert family.carer.email in session.scalars(select(OutboxMessage.to_address)).all()
    mum = client_for(app, family.carer)
    assert mum.post("/family/settings", data={"email_mode": "off"}).status_code == 302
    clock.set(datetime(2026, 12, 4, 8, 5, tzinfo=UTC))  # Friday morning: quiet hours over
    tick()
    assert inbox.to(family.carer.email) == []
    assert len(inbox.to(family.second_carer.email)) == 1
