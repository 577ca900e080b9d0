"""Message-IDs, as the receiving mail systems see them: no two emails share one, even from two
schools' servers or two instances restored from the same backup, and a retry of one queued
email keeps its own, so copies of it can be merged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from classroom.db import get_session
from classroom.outbox.services import message_id_host
from classroom.worker import tick
from classroom.worries.models import ParentContact
from tests.conftest import Clock, build_app
from tests.parents_helpers import Family, incident_about, make_family, moment, send_notice
from tests.smtp import Inbox

BASE = "https://classroom.oak-school.example.org:8443/school/"
HOST = "classroom.oak-school.example.org"


def _a_days_emails(app: Flask, clock: Clock) -> Family:
    """In `app`: a family, a concern about their child with a notice to the carers, a learning
    moment; then one worker round (alerts to the DSL, notices and moments to the carers)."""
    with app.app_context():
        session = get_session()
        family = make_family(session, clock)
        incident = incident_about(session, family, ParentContact.INFORM_NOW)
        send_notice(session, family.dsl, incident, family.child, "Amira is safe.")
        session.commit()
        moment(session, family)
        tick()
        get_session().close()
    return family


@pytest.fixture
def restored(app: Flask, smtp_port: int, tmp_path: Path, template_db: Path, clock: Clock) -> Flask:
    """A second instance whose database is a copy of the same backup (the same empty start):
    its rows get the same ids as the first one's; it sends to the same mail server."""
    instance = tmp_path / "restored"
    instance.mkdir()
    return build_app(
        instance,
        template_db,
        clock,
        BASE_URL=app.config["BASE_URL"],
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_port,
    )


@pytest.mark.usefixtures("mail_server")
def test_two_instances_restored_from_one_backup_never_send_two_emails_one_message_id(
    app: Flask, restored: Flask, inbox: Inbox, clock: Clock
) -> None:
    """The same ids, the same kinds of email, the same address: still a Message-ID each, so no
    mail system drops a carer's or the DSL's email as a copy of another one."""
    _a_days_emails(app, clock)
    first = len(inbox.messages)
    _a_days_emails(restored, clock)
    assert first >= 5  # the DSL's alert, and each carer's notice and moment
    assert len(inbox.messages) == 2 * first
    message_ids = [m["Message-ID"] for m in inbox.messages]
    assert all(re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", m) for m in message_ids)
    assert len(set(message_ids)) == len(message_ids)


@pytest.mark.usefixtures("mail_server")
def test_a_carers_email_is_identified_by_the_schools_own_host(
    app: Flask, inbox: Inbox, clock: Clock
) -> None:
    app.config["BASE_URL"] = BASE
    family = _a_days_emails(app, clock)
    to_carers = inbox.to(family.carer.email) + inbox.to(family.second_carer.email)
    assert len(to_carers) == 4  # each carer's notice and moment
    for message in to_carers:
        assert message["Message-ID"].endswith(f"@{HOST}>")
        left = message["Message-ID"][1:].split("@")[0]
        assert "parents" not in left  # nothing in it says whom, or about what, it is
        assert len(left) >= 32  # random enough that no other email anywhere has it


class TakesItThenHangsUp(Inbox):
    """A mail server that keeps the first message, then hangs up before answering 250 (as a
    dropped connection does): the sender cannot know, and sends it again."""

    def __init__(self) -> None:
        super().__init__()
        self.hung_up = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        answer = await super().handle_DATA(server, session, envelope)
        if not self.hung_up:
            self.hung_up = True
            server.transport.close()
        return answer


@pytest.fixture
def flaky_server(smtp_port: int) -> Iterator[TakesItThenHangsUp]:
    handler = TakesItThenHangsUp()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield handler
    controller.stop()


def test_a_retried_email_keeps_its_message_id_and_a_new_email_gets_another(
    app: Flask, flaky_server: TakesItThenHangsUp, clock: Clock
) -> None:
    """The receiving server can see the second copy is the same email, and no other is."""
    with app.app_context():
        session = get_session()
        family = make_family(session, clock)
        family.second_carer.email = None  # one carer, so one email goes at a time
        session.commit()
        moment(session, family)
        tick()  # the server keeps it but hangs up before saying so
        clock.advance(seconds=31)
        tick()  # so it is sent again
        copies = flaky_server.to(family.carer.email)
        assert len(copies) == 2
        assert copies[0]["Message-ID"] == copies[1]["Message-ID"]
        assert copies[0]["Date"] == copies[1]["Date"]
        moment(session, family, note="Another good day")
        tick()
        emails = flaky_server.to(family.carer.email)
        assert len(emails) == 3
        assert emails[2]["Message-ID"] != emails[0]["Message-ID"]


@pytest.mark.parametrize(
    ("base_url", "host"),
    [
        ("https://Classroom.Oak-School.example.org/", "classroom.oak-school.example.org"),
        ("http://127.0.0.1:5000", "127.0.0.1"),
        ("http://[::1]:5000/", "[::1]"),
        ("https://bücher.example/classroom", "xn--bcher-kva.example"),
        ("", "classroom.invalid"),  # no address configured
        (None, "classroom.invalid"),
        ("classroom.example.org", "classroom.invalid"),  # no scheme: no host to be sure of
        ("https://bad host.example/", "classroom.invalid"),
    ],
)
def test_the_host_a_message_id_ends_with(base_url: str | None, host: str) -> None:
    assert message_id_host(base_url) == host
