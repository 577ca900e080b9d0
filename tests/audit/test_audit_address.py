"""Audit rows name the client a request served, and no client when a command wrote them (issue 17).

`audit.record` takes the address from the unit of work (the request layer puts it on the
session), not from the request itself, so the same service call works from a command.
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.audit.models import AuditEvent, AuditTier
from classroom.audit.services import record
from classroom.db import utcnow
from tests.factories import PASSWORD, make_account, make_class, make_pupil

ADDRESS = "203.0.113.7"


def _entry(session: Session, action: str) -> AuditEvent:
    found = session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    ).first()
    assert found is not None, f"no {action} entry"
    return found


def test_an_audited_post_records_the_clients_address_and_its_time(
    client: FlaskClient, session: Session
) -> None:
    account = make_account(session)
    session.commit()
    before = utcnow()
    client.post(
        "/sign-in",
        data={"username": account.username, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": ADDRESS},
    )
    entry = _entry(session, "sign_in.succeeded")
    assert entry.ip == ADDRESS
    assert entry.at >= before


def test_a_row_written_by_a_command_names_no_client(
    client: FlaskClient, runner: Any, session: Session
) -> None:
    make_class(session, name="Oak")
    session.commit()
    # A request served a client first, in this same thread: its address must not linger.
    client.post("/sign-in", data={"username": "nobody", "password": "x"},
                environ_base={"REMOTE_ADDR": ADDRESS})  # fmt: skip
    result = runner.invoke(args=["devices", "enrol-link", "--class", "Oak"])
    assert result.exit_code == 0, result.output
    entry = _entry(session, "device.enrolment_link_created")
    assert entry.ip is None
    assert entry.at is not None


def test_a_row_written_outside_a_request_names_no_client(session: Session) -> None:
    oak = make_class(session, name="Oak")
    record(session, None, "class.renamed", oak, "by the worker")
    session.commit()
    entry = _entry(session, "class.renamed")
    assert entry.ip is None
    assert entry.at is not None


def test_viewing_a_pupil_is_audited_whole_after_the_read(
    client: FlaskClient, session: Session
) -> None:
    """A page that only reads writes its audit row once the read has ended (db.finish_read),
    as one plain INSERT: the row still has everything an audit row must have."""
    oak = make_class(session, name="Oak")
    teacher = make_account(session, classes=[oak])
    pupil = make_pupil(session, oak)
    session.commit()
    client.post("/sign-in", data={"username": teacher.username, "password": PASSWORD})
    before = utcnow()
    page = client.get(f"/pupils/{pupil.id}", environ_base={"REMOTE_ADDR": ADDRESS})
    assert page.status_code == 200
    session.expire_all()
    entry = _entry(session, "pupil.viewed")
    assert (entry.actor_kind, entry.actor_id, entry.actor_name) == (
        "staff", teacher.id, teacher.display_name
    )
    assert (entry.object_type, entry.object_id) == ("Pupil", pupil.id)
    assert (entry.ip, entry.school_id) == (ADDRESS, teacher.school_id)
    assert entry.tier is AuditTier.RECORD
    assert entry.at >= before
    viewed = select(AuditEvent).where(AuditEvent.action == "pupil.viewed")
    assert len(session.scalars(viewed).all()) == 1  # once, not again at the next commit
