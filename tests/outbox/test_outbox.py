"""Email goes through a real local SMTP server (aiosmtpd): outage, recovery, exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import smtplib
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.outbox.models import OutboxMessage
from classroom.outbox.services import (
    MalformedEmailError,
    backoff,
    enqueue_email,
    failures,
    refused,
)
from classroom.worker import tick
from tests.app_settings import base_url
from tests.conftest import SECRET, Clock, client_for, sign_in
from tests.factories import make_account
from tests.factories import make_school as make_bare_school
from tests.smtp import Inbox
from tests.worry_helpers import make_school, pupil_on_ipad

HANG = "hang"  # Answering.quit: never answer
DROP = "drop"  # Answering.data or .quit: close the connection instead of answering


class Answering(Inbox):
    """An inbox whose server answers RCPT, DATA or QUIT as the test says (None: as usual)."""

    def __init__(self) -> None:
        super().__init__()
        self.rcpt: str | None = None  # e.g. "550 5.1.1 No such user", to every recipient
        self.data: str | None = None  # a reply, or DROP
        self.quit: str | None = None  # a reply, HANG or DROP
        self.on_quit: Callable[[], None] = lambda: None  # called as QUIT arrives

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, _server: Any, _session: Any, envelope: Any, address: str, _options: Any
    ) -> str:
        if self.rcpt:
            return self.rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.data == DROP:
            server.transport.close()
            return "421 gone"  # never reaches the client: the connection is closed
        if self.data:
            return self.data
        return await super().handle_DATA(server, session, envelope)

    async def handle_QUIT(self, server: Any, _session: Any, _envelope: Any) -> str:  # noqa: N802
        self.on_quit()
        if self.quit == HANG:
            await asyncio.Event().wait()  # until the client goes away or the server stops
        if self.quit == DROP:
            server.transport.close()
            return "221 Bye"  # never reaches the client
        return self.quit or "221 Bye"


@contextmanager
def smtp_server(handler: Inbox, port: int) -> Iterator[None]:
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield
    finally:
        controller.stop()


def alert(session: Session, to: Account, key: str = "incident:1:new:0:1") -> OutboxMessage:
    """A safeguarding alert in the outbox, due now (keyed as the worry alerts are)."""
    assert to.email is not None
    message = enqueue_email(
        session, key, to.email, "New worry W00001", "b", school_id=to.school_id, now=utcnow()
    )
    assert message is not None
    session.commit()
    return message


@pytest.mark.usefixtures("mail_server")
def test_alerts_are_delivered_by_smtp(app: Flask, session: Session, inbox: Inbox) -> None:
    school = make_school(session)
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k", "what": "sad"})
    assert tick() == (0, 2, 0)
    assert sorted(m["To"] for m in inbox.messages) == sorted(
        [school.dsl.email, school.deputy.email]
    )
    # The school's own host ends each Message-ID (the test app's BASE_URL), never another's.
    host = urlsplit(base_url()).hostname
    assert all(m["Message-ID"].endswith(f"@{host}>") for m in inbox.messages)


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
    # Dated when the worry came, not 31 s later when the server was back; never auto-answered.
    written = {m.created_at.replace(microsecond=0) for m in session.scalars(select(OutboxMessage))}
    assert {parsedate_to_datetime(m["Date"]) for m in inbox.messages} == written
    assert {m["Auto-Submitted"] for m in inbox.messages} == {"auto-generated"}


OUTAGES = ["nothing listens", "answers 451 to the recipient", "hangs up on the message"]


@contextmanager
def mail_server_down(kind: str, handler: Answering, port: int) -> Iterator[None]:
    """The mail server cannot take mail, in one of the OUTAGES ways, until the block ends."""
    if kind == OUTAGES[0]:
        yield
        return
    if kind == OUTAGES[1]:
        handler.rcpt = "451 4.3.0 Try again later"
    else:
        handler.data = DROP
    with smtp_server(handler, port):
        yield
    handler.rcpt = handler.data = None


@pytest.mark.parametrize("outage", OUTAGES)
def test_a_long_outage_never_gives_an_alert_up_and_it_goes_once_mail_works(
    app: Flask, session: Session, smtp_port: int, clock: Clock, outage: str
) -> None:
    """Issue: alerts were given up after 12 failed rounds (about 5 hours) and never sent."""
    school = make_school(session)
    message = alert(session, school.dsl)
    start = clock()
    clock.set(start)
    handler = Answering()
    rounds = 0
    with mail_server_down(outage, handler, smtp_port):
        while clock() - start < timedelta(hours=24):
            assert tick() == (0, 0, 1)
            rounds += 1
            session.expire_all()
            assert message.dead_at is None
            wait = message.next_attempt_at - clock()
            assert timedelta(seconds=30) <= wait <= timedelta(hours=1)
            clock.set(message.next_attempt_at)
    assert rounds > 2 * int(app.config["OUTBOX_MAX_ATTEMPTS"])
    assert message.attempts == rounds
    assert message.last_error
    # Staff still see it waiting, with why, on the team's email-problems page.
    page = client_for(app, school.dsl).get("/admin/mail").text
    assert str(school.dsl.email) in page
    assert "Next try" in page
    assert "Given up" not in page
    with smtp_server(handler, smtp_port):
        assert tick() == (0, 1, 0)
        clock.advance(hours=3)
        assert tick() == (0, 0, 0)
    assert [m["Message-ID"] for m in handler.messages] == [message.message_id]
    assert failures(session, select(OutboxMessage)) == []


@pytest.mark.parametrize(
    ("error", "final"),
    [
        (ConnectionRefusedError(111, "Connection refused"), False),
        (TimeoutError("timed out"), False),
        (socket.gaierror(-2, "Name or service not known"), False),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False),
        (smtplib.SMTPConnectError(421, b"Too busy"), False),
        (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), False),
        (smtplib.SMTPSenderRefused(530, b"Authentication required", "a@b.c"), False),
        (smtplib.SMTPSenderRefused(451, b"Try later", "a@b.c"), False),
        (smtplib.SMTPRecipientsRefused({"d@e.f": (450, b"Mailbox busy")}), False),
        (smtplib.SMTPDataError(452, b"Out of space"), False),
        (smtplib.SMTPSenderRefused(553, b"Not allowed", "a@b.c"), True),
        (smtplib.SMTPRecipientsRefused({"d@e.f": (550, b"No such user")}), True),
        (smtplib.SMTPDataError(554, b"Refused"), True),
        (MalformedEmailError("not an email address"), True),
    ],
)
def test_only_a_refusal_of_the_message_itself_counts_toward_giving_up(
    error: Exception, final: bool
) -> None:
    assert refused(error) is final


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
    assert backoff(100_000) == timedelta(hours=1)  # a week-long outage: still hourly


@pytest.mark.parametrize(
    ("rcpt", "data"), [("550 5.1.1 No such user", None), (None, "554 5.6.0 Message refused")]
)
def test_a_refused_alert_is_given_up_after_the_most_tries_and_listed(
    app: Flask,
    session: Session,
    smtp_port: int,
    clock: Clock,
    rcpt: str | None,
    data: str | None,
) -> None:
    """A 5xx is retried (a server being set up may refuse for a while), then given up."""
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    school = make_school(session)
    message = alert(session, school.dsl)
    handler = Answering()
    handler.rcpt, handler.data = rcpt, data
    with smtp_server(handler, smtp_port):
        for _ in range(4):
            tick()
            clock.advance(hours=1)
    session.expire_all()
    assert message.attempts == 3
    assert message.dead_at is not None
    assert str(rcpt or data)[:3] in str(message.last_error)  # 550 or 554
    assert handler.messages == []
    assert "Given up" in client_for(app, school.dsl).get("/admin/mail").text


def test_an_alert_refused_once_after_a_long_outage_still_gets_its_tries(
    app: Flask, session: Session, smtp_port: int, clock: Clock
) -> None:
    """A school's mail server comes back from a night's outage and refuses the first alert
    while it is still being set up: the alert is tried again, not given up on that refusal."""
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    school = make_school(session)
    message = alert(session, school.dsl)
    for _ in range(5):  # nothing listens: five tries never reach a server
        assert tick() == (0, 0, 1)
        session.expire_all()
        clock.set(message.next_attempt_at)
    handler = Answering()
    handler.rcpt = "550 5.7.1 Relaying denied"
    with smtp_server(handler, smtp_port):
        assert tick() == (0, 0, 1)
        session.expire_all()
        assert message.dead_at is None
        page = client_for(app, school.dsl).get("/admin/mail").text
        assert "Given up" not in page
        handler.rcpt = None  # set up now
        clock.set(message.next_attempt_at)
        assert tick() == (0, 1, 0)
    assert [m["Message-ID"] for m in handler.messages] == [message.message_id]
    session.expire_all()
    assert message.attempts == 7


def test_an_alert_sent_again_by_staff_gets_its_tries_afresh(
    app: Flask, session: Session, smtp_port: int, clock: Clock
) -> None:
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    school = make_school(session)
    message = alert(session, school.dsl)
    handler = Answering()
    handler.rcpt = "550 5.1.1 No such user"
    with smtp_server(handler, smtp_port):
        for _ in range(2):
            tick()
            clock.advance(hours=1)
        session.expire_all()
        assert message.dead_at is not None
        staff = client_for(app, school.dsl)
        listed = staff.get("/admin/mail").text
        assert "Given up" in listed
        assert "Send again" in listed  # tried, and refused: "again" is true of it
        assert "they have not had it" not in listed  # that choice is only after a restore
        assert staff.post(f"/admin/mail/{message.id}/retry").status_code == 302
        assert tick() == (0, 0, 1)  # refused once more: waits for its second try
        session.expire_all()
        assert message.dead_at is None
        assert "Given up" not in staff.get("/admin/mail").text


@pytest.mark.usefixtures("mail_server")
def test_an_alert_to_a_malformed_address_is_given_up_at_once(
    session: Session, inbox: Inbox
) -> None:
    """No retry can mend an address that is not one; the others go as usual."""
    school = make_school(session)
    school.deputy.email = "not an address"
    bad = alert(session, school.deputy, "incident:1:new:0:2")
    good = alert(session, school.dsl)
    assert tick() == (0, 1, 1)
    session.expire_all()
    assert bad.attempts == 1
    assert bad.dead_at is not None
    assert "not an email address" in str(bad.last_error)
    assert good.sent_at is not None
    assert [m["To"] for m in inbox.messages] == [school.dsl.email]


def test_staff_see_failed_emails_and_can_send_them_again(
    app: Flask, session: Session, smtp_port: int, clock: Clock
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
    refusing = Answering()
    refusing.rcpt = "550 5.1.1 No such user"
    with smtp_server(refusing, smtp_port):
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


def test_another_schools_staff_neither_see_nor_resend_failed_emails(
    app: Flask, session: Session, smtp_port: int
) -> None:
    """Issue 14 item 5: the email-problems page and "send again" are per school."""

    app.config["OUTBOX_MAX_ATTEMPTS"] = 1
    school = make_school(session)
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k", "what": "sad"})
    refusing = Answering()
    refusing.rcpt = "550 5.1.1 No such user"
    with smtp_server(refusing, smtp_port):
        tick()  # the server refuses the safeguarding alerts: they are given up
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


def _sent_at_in_another_connection(url: str, message_id: int) -> Callable[[], datetime | None]:
    """What another process would read as the message's sent time: only what is committed."""

    def read() -> datetime | None:
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                return conn.scalar(
                    select(OutboxMessage.sent_at).where(OutboxMessage.id == message_id)
                )
        finally:
            engine.dispose()

    return read


@pytest.mark.parametrize("quit_reply", [HANG, DROP, "451 4.3.2 Busy, try later"])
def test_an_accepted_alert_is_recorded_before_quit_and_never_sent_again(
    app: Flask, session: Session, smtp_port: int, clock: Clock, quit_reply: str
) -> None:
    """Issue: a worker killed while QUIT's answer was slow sent the same alert again."""
    app.config["SMTP_TIMEOUT"] = 1  # the HANG case waits this long for QUIT's answer
    school = make_school(session)
    message = alert(session, school.dsl)
    handler = Answering()
    handler.quit = quit_reply
    sent_at_quit: list[datetime | None] = []
    read_sent_at = _sent_at_in_another_connection(app.config["DATABASE_URL"], message.id)
    handler.on_quit = lambda: sent_at_quit.append(read_sent_at())
    with smtp_server(handler, smtp_port):
        assert tick() == (0, 1, 0)
        for _ in range(3):
            clock.advance(hours=1)
            assert tick() == (0, 0, 0)
    assert len(sent_at_quit) == 1
    assert sent_at_quit[0] is not None  # committed before QUIT was sent
    session.expire_all()
    assert message.sent_at is not None
    assert message.attempts == 1
    assert message.last_error is None
    assert len(handler.messages) == 1


def test_a_worker_killed_while_quit_hangs_never_sends_that_alert_again(
    app: Flask, session: Session, smtp_port: int, clock: Clock, tmp_path: Path
) -> None:
    """The reviewer's case: a real `flask worker run` is SIGKILLed while QUIT gets no answer.

    The alert the server accepted is not sent again, and the next one, which the killed worker
    had not started, goes at the next round rather than after a lease.
    """
    school = make_school(session)
    first = alert(session, school.dsl)
    second = alert(session, school.deputy, "incident:1:new:0:2")
    handler = Answering()
    handler.quit = HANG
    quit_seen = threading.Event()
    handler.on_quit = quit_seen.set
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "CLASSROOM_INSTANCE": str(tmp_path),
        "CLASSROOM_DATABASE_URL": app.config["DATABASE_URL"],
        "CLASSROOM_ENV": "testing",
        "CLASSROOM_SECRET_KEY": SECRET,
        "CLASSROOM_SMTP_HOST": "127.0.0.1",
        "CLASSROOM_SMTP_PORT": str(smtp_port),
        "CLASSROOM_SMTP_TIMEOUT": "120",
    }
    command = [sys.executable, "-m", "flask", "--app", "classroom", "worker", "run", "--once"]
    with smtp_server(handler, smtp_port), log.open("wb") as output:
        worker = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
            command, env=env, stdout=output, stderr=output, start_new_session=True
        )
        try:
            while not quit_seen.wait(0.1):
                assert worker.poll() is None, log.read_text()  # it ended without QUIT
        finally:
            with suppress(ProcessLookupError):  # already gone if it ended without QUIT
                os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        assert tick() == (0, 1, 0)  # the second alert: no lease of the dead worker holds it
        clock.advance(minutes=30)  # long past any lease
        assert tick() == (0, 0, 0)
    session.expire_all()
    assert first.sent_at is not None
    assert second.sent_at is not None
    assert sorted(str(m["To"]) for m in handler.messages) == sorted(
        [str(school.dsl.email), str(school.deputy.email)]
    )
