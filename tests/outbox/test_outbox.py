"""Email goes through a real local SMTP server (aiosmtpd): outage, recovery, exactly once."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.db import utcnow
from classroom.outbox.models import OutboxMessage
from classroom.outbox.services import backoff, enqueue_email, failures
from classroom.worker import tick
from tests.conftest import Clock, sign_in
from tests.factories import make_account
from tests.factories import make_school as make_bare_school
from tests.smtp import Inbox
from tests.worry_helpers import make_school, pupil_on_ipad


@pytest.mark.usefixtures("mail_server")
def test_alerts_are_delivered_by_smtp(app: Flask, session: Session, inbox: Inbox) -> None:
    school = make_school(session)
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k", "what": "sad"})
    assert tick() == (0, 2, 0)
    assert sorted(m["To"] for m in inbox.messages) == sorted(
        [school.dsl.email, school.deputy.email]
    )
    assert all(m["Message-ID"].endswith("@classroom.invalid>") for m in inbox.messages)


def test_mail_outage_then_recovery_delivers_each_alert_exactly_once(
    app: Flask, session: Session, smtp_port: int, inbox: Inbox, clock: Clock
) -> None:
    school = make_school(session)
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k", "what": "sad"})
    assert tick() == (0, 0, 2)  # the server is down: nothing is lost, both wait
    assert tick() == (0, 0, 0)  # not yet due again (backoff)
    assert len(failures(session, select(OutboxMessage))) == 2
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        clock.advance(seconds=31)
        assert tick()[1:] == (2, 0)
        clock.advance(minutes=5)
        assert tick() == (0, 0, 0)
    finally:
        controller.stop()
    assert len(inbox.messages) == 2
    assert len({m["Message-ID"] for m in inbox.messages}) == 2
    assert failures(session, select(OutboxMessage)) == []


def test_the_same_alert_is_never_queued_twice(session: Session) -> None:
    assert (
        enqueue_email(
            session, "incident:1:new:0:5", "a@b.c", "s", "b", school_id=None, now=utcnow()
        )
        is not None
    )
    session.flush()
    assert (
        enqueue_email(
            session, "incident:1:new:0:5", "a@b.c", "s", "b", school_id=None, now=utcnow()
        )
        is None
    )


def test_backoff_grows_and_is_capped() -> None:
    waits = [backoff(n).total_seconds() for n in range(1, 12)]
    assert waits[:4] == [30, 60, 120, 240]
    assert max(waits) == 3600


@pytest.mark.usefixtures("smtp_port")
def test_gives_up_after_many_attempts_and_lists_it(
    app: Flask, session: Session, clock: Clock
) -> None:
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    enqueue_email(session, "k1", "dsl@example.invalid", "s", "b", school_id=None, now=utcnow())
    session.commit()
    for _ in range(4):
        tick()
        clock.advance(hours=1)
    message = session.scalar(select(OutboxMessage))
    assert message is not None
    assert message.attempts == 3
    assert message.dead_at is not None
    assert message.last_error


@pytest.mark.usefixtures("smtp_port")
def test_staff_see_failed_emails_and_can_send_them_again(
    app: Flask, session: Session, clock: Clock
) -> None:
    app.config["OUTBOX_MAX_ATTEMPTS"] = 1
    admin = make_account(session, Role.ADMIN)
    enqueue_email(
        session,
        "k1",
        "dsl@example.invalid",
        "New worry W00001",
        "b",
        school_id=admin.school_id,
        now=utcnow(),
    )
    session.commit()
    tick()
    client = app.test_client()
    sign_in(client, admin.username)
    page = client.get("/admin/mail").data.decode()
    assert "dsl@example.invalid" in page
    assert "Given up" in page
    message = session.scalar(select(OutboxMessage))
    assert message is not None
    assert client.post(f"/admin/mail/{message.id}/retry").status_code == 302
    session.expire_all()
    assert message.dead_at is None
    assert message.next_attempt_at <= clock()


@pytest.mark.usefixtures("smtp_port")
def test_another_schools_staff_neither_see_nor_resend_failed_emails(
    app: Flask, session: Session
) -> None:
    """Issue 14 item 5: the email-problems page and "send again" are per school."""

    app.config["OUTBOX_MAX_ATTEMPTS"] = 1
    school = make_school(session)
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k", "what": "sad"})
    tick()  # no mail server: the safeguarding alerts fail and are given up
    other = make_bare_school(session, name="Other School")
    session.commit()
    failed = session.scalars(select(OutboxMessage)).all()
    assert failed
    assert {m.school_id for m in failed} == {school.dsl.school_id}
    for role in (Role.ADMIN, Role.DSL):
        outsider = make_account(session, role, school=other)
        session.commit()
        client = app.test_client()
        sign_in(client, outsider.username)
        page = client.get("/admin/mail").data.decode()
        assert school.dsl.email not in page
        assert "New worry" not in page
        for message in failed:
            assert client.post(f"/admin/mail/{message.id}/retry").status_code == 404
    session.expire_all()
    assert all(m.dead_at is not None for m in session.scalars(select(OutboxMessage)))
    insider = app.test_client()
    sign_in(insider, school.dsl.username)
    assert school.dsl.email in insider.get("/admin/mail").data.decode()
