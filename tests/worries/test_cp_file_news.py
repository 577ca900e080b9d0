"""A leaver's child-protection file has gone, then a worry or concern about them is received, or
linked to them: they come back on the team's list of files to send, saying what is new, so the
update goes to the next school too (KCSIE: new information is passed on)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Table
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.worries import services, transfer
from classroom.worries.models import Category, Incident, PupilRole, Risk
from classroom.worries.queue import RECENTLY_CLOSED
from classroom.worries.transfer_models import CpTransfer
from tests.app_settings import base_url, zone
from tests.conftest import Clock, client_for
from tests.factories import make_pupil
from tests.history import copies, page_steps, sqlite_only
from tests.worries.test_leaver_cp_files import TO_SEND, _leaves, _still_to_send, _words
from tests.worry_helpers import School, follow_ups_due, make_school, triaged_worry

MONDAY = datetime(2027, 3, 8, 10, 0, tzinfo=UTC)
PHRASE = "harbour violin pepper seventeen"
INCIDENTS: Table = Incident.__table__  # type: ignore[assignment]


@pytest.fixture
def school(app: Flask, session: Session, clock: Clock) -> School:
    """Amira, with a child-protection worry, has left; her file went on Tuesday 9 March."""
    clock.set(MONDAY)
    school = make_school(session)
    triaged_worry(session, school, child_protection=True)
    session.commit()
    _leaves(app, school.head, school.pupil)
    _send_file(app, session, school, date(2027, 3, 9))
    clock.advance(days=2)
    return school


def _send_file(app: Flask, session: Session, school: School, on: date) -> CpTransfer:
    made = transfer.export_file(
        session, school.dsl, school.pupil, PHRASE, utcnow(), Path(app.instance_path), 10
    )
    transfer.record_sent(
        session, school.dsl, made.transfer, on, "Elm School, Ms Green", "By hand",
        today=on, zone=zone(),
    )  # fmt: skip
    session.commit()
    return made.transfer


def _concern(session: Session, school: School, pupil_id: int) -> Incident:
    data = services.ConcernInput(pupil_id, "Upset at the gate", "speech", None, None)
    concern = services.raise_concern(
        session, school.teacher, str(uuid.uuid4()), data, now=utcnow(), base_url=base_url()
    )
    session.commit()
    return concern


def _worry_of_another_pupil(session: Session, school: School) -> Incident:
    grace = make_pupil(session, school.oak, first_name="Grace", last_name="Adeyemi")
    worry = services.raise_worry(
        session, grace, school.device, str(uuid.uuid4()), services.WorryChoices("unkind"),
        now=utcnow(), base_url=base_url(),
    )  # fmt: skip
    session.commit()
    return worry


def test_a_concern_after_the_file_went_brings_the_leaver_back_saying_what_is_new(
    app: Flask, session: Session, clock: Clock, school: School
) -> None:
    assert _still_to_send(client_for(app, school.dsl)) == []
    _concern(session, school, school.pupil.id)
    [row] = _still_to_send(client_for(app, school.dsl))
    assert row == (
        "Amira Khan 8 Mar 2027 2 days ago (2 school days) 2 incidents "
        "New since the file was sent on 9 Mar 2027: 1 concern New file not made yet"
    )
    assert follow_ups_due(app, school) == [
        "Child-protection file to send: Amira Khan left the school on 8 Mar 2027, 2 days ago "
        "(2 school days); new since the file was sent on 9 Mar 2027: 1 concern"
    ]
    clock.advance(days=10)  # an update is not late against a leaving long ago
    assert "Late" not in _still_to_send(client_for(app, school.dsl))[0]
    _send_file(app, session, school, date(2027, 3, 21))
    assert _still_to_send(client_for(app, school.dsl)) == []
    # Nothing left to send: only the receipt of the first file, never confirmed, to chase.
    assert [f.split(":")[0] for f in follow_ups_due(app, school)] == ["Receipt to chase"]


def test_an_older_worry_linked_to_the_leaver_after_the_file_went_brings_them_back(
    app: Flask, session: Session, clock: Clock, school: School
) -> None:
    worry = _worry_of_another_pupil(session, school)
    assert _still_to_send(client_for(app, school.dsl)) == []  # Grace's worry is not Amira's
    clock.advance(hours=1)
    _send_file(app, session, school, date(2027, 3, 10))  # made after Grace's worry came
    clock.advance(days=1)
    services.link_pupil(
        session, school.dsl, worry, school.pupil.id, PupilRole.INVOLVED, now=utcnow(),
        reason="Named in the worry",
    )  # fmt: skip
    session.commit()
    [row] = _still_to_send(client_for(app, school.dsl))
    assert "2 incidents New since the file was sent on 10 Mar 2027: 1 worry" in row


def test_what_came_between_making_the_file_and_sending_it_is_new_too(
    app: Flask, session: Session, clock: Clock, school: School
) -> None:
    """The file holds what there was when it was made: a worry and a concern after that, though
    before the day it was sent, did not go with it."""
    made = transfer.export_file(
        session, school.dsl, school.pupil, PHRASE, utcnow(), Path(app.instance_path), 10
    )
    session.commit()
    clock.advance(hours=1)
    _concern(session, school, school.pupil.id)
    services.link_pupil(
        session, school.dsl, _worry_of_another_pupil(session, school), school.pupil.id,
        PupilRole.AFFECTED, now=utcnow(),
    )  # fmt: skip
    session.commit()
    on = date(2027, 3, 11)
    transfer.record_sent(
        session, school.dsl, made.transfer, on, "Elm School", "By hand", today=on, zone=zone()
    )
    session.commit()
    dsl = client_for(app, school.dsl)
    [row] = _still_to_send(dsl)
    assert "New since the file was sent on 11 Mar 2027: 1 worry and 1 concern" in row
    assert "3 incidents" in row
    assert "comes back on it if a worry or concern about them is received" in _words(
        dsl.get(TO_SEND).text
    )


def test_a_new_concern_about_another_pupil_brings_nobody_back(
    app: Flask, session: Session, school: School
) -> None:
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Taylor")
    session.commit()
    _concern(session, school, ben.id)
    assert _still_to_send(client_for(app, school.dsl)) == []


@sqlite_only
def test_years_of_history_cost_the_list_of_files_to_send_nothing_more(
    app: Flask, session: Session, school: School
) -> None:
    """Amira is back on the list for a concern; thousands of other pupils' incidents are never
    read to say so."""
    other = _worry_of_another_pupil(session, school)
    triage = services.Triage(Category.CYBERBULLYING, Risk.LOW, "Spoke to her", False, None)
    services.triage(session, school.dsl, other, triage, now=utcnow())
    services.close(
        session, school.dsl, other, "Resolved", "Check settings", keep_carers_held=False,
        carers_reason="Decided with the head", now=utcnow(),
    )  # fmt: skip
    _concern(session, school, school.pupil.id)
    copies(session, INCIDENTS, other.id, RECENTLY_CLOSED)  # the queue's "Recently closed" full
    dsl = client_for(app, school.dsl)
    before = {path: page_steps(app, dsl, path) for path in (TO_SEND, "/safeguarding/")}
    copies(session, INCIDENTS, other.id, 3_000)
    after = {path: page_steps(app, dsl, path) for path in (TO_SEND, "/safeguarding/")}
    assert after == before
    assert len(_still_to_send(dsl)) == 1
