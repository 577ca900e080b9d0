"""A leaver's child-protection file has gone, then a worry or concern about them is received, or
linked to them: they come back on the team's list of files to send, saying what is new, so the
update goes to the next school too (KCSIE: new information is passed on)."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import Table
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.worries import services
from classroom.worries.models import Incident, PupilRole
from classroom.worries.queue import RECENTLY_CLOSED
from tests.conftest import Clock, client_for
from tests.factories import make_pupil
from tests.history import copies, sqlite_only
from tests.worries.cp_file_helpers import (
    TO_SEND,
    amira_has_left,
    list_and_queue_steps,
    make_file,
    raise_concern,
    record_sent,
    send_file,
    still_to_send,
    triage_and_close,
    words,
    worry_of_another_pupil,
)
from tests.worry_helpers import School, follow_ups_due

INCIDENTS: Table = Incident.__table__  # type: ignore[assignment]


@pytest.fixture
def school(app: Flask, session: Session, clock: Clock) -> School:
    """Amira, with a child-protection worry, has left; her file went on Tuesday 9 March."""
    school = amira_has_left(app, session, clock, sent_on=date(2027, 3, 9))
    clock.advance(days=2)
    return school


def test_a_concern_after_the_file_went_brings_the_leaver_back_saying_what_is_new(
    app: Flask, session: Session, clock: Clock, school: School
) -> None:
    assert still_to_send(client_for(app, school.dsl)) == []
    raise_concern(session, school, school.pupil.id)
    [row] = still_to_send(client_for(app, school.dsl))
    assert row == (
        "Amira Khan 8 Mar 2027 2 days ago (2 school days) 2 incidents "
        "New since the file was sent on 9 Mar 2027: 1 concern New file not made yet"
    )
    assert follow_ups_due(app, school) == [
        "Child-protection file to send: Amira Khan left the school on 8 Mar 2027, 2 days ago "
        "(2 school days); new since the file was sent on 9 Mar 2027: 1 concern"
    ]
    clock.advance(days=10)  # an update is not late against a leaving long ago
    assert "Late" not in still_to_send(client_for(app, school.dsl))[0]
    send_file(app, session, school, date(2027, 3, 21))
    assert still_to_send(client_for(app, school.dsl)) == []
    # Nothing left to send: only the receipt of the first file, never confirmed, to chase.
    assert [f.split(":")[0] for f in follow_ups_due(app, school)] == ["Receipt to chase"]


def test_an_older_worry_linked_to_the_leaver_after_the_file_went_brings_them_back(
    app: Flask, session: Session, clock: Clock, school: School
) -> None:
    worry = worry_of_another_pupil(session, school)
    assert still_to_send(client_for(app, school.dsl)) == []  # Grace's worry is not Amira's
    clock.advance(hours=1)
    send_file(app, session, school, date(2027, 3, 10))  # made after Grace's worry came
    clock.advance(days=1)
    services.link_pupil(
        session, school.dsl, worry, school.pupil.id, PupilRole.INVOLVED, now=utcnow(),
        reason="Named in the worry",
    )  # fmt: skip
    session.commit()
    [row] = still_to_send(client_for(app, school.dsl))
    assert "2 incidents New since the file was sent on 10 Mar 2027: 1 worry" in row


def test_what_came_between_making_the_file_and_sending_it_is_new_too(
    app: Flask, session: Session, clock: Clock, school: School
) -> None:
    """The file holds what there was when it was made: a worry and a concern after that, though
    before the day it was sent, did not go with it."""
    made = make_file(app, session, school)
    clock.advance(hours=1)
    raise_concern(session, school, school.pupil.id)
    services.link_pupil(
        session, school.dsl, worry_of_another_pupil(session, school), school.pupil.id,
        PupilRole.AFFECTED, now=utcnow(),
    )  # fmt: skip
    session.commit()
    record_sent(session, school, made, date(2027, 3, 11), "Elm School")
    dsl = client_for(app, school.dsl)
    [row] = still_to_send(dsl)
    assert "New since the file was sent on 11 Mar 2027: 1 worry and 1 concern" in row
    assert "3 incidents" in row
    assert "comes back on it if a worry or concern about them is received" in words(
        dsl.get(TO_SEND).text
    )


def test_a_new_concern_about_another_pupil_brings_nobody_back(
    app: Flask, session: Session, school: School
) -> None:
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Taylor")
    session.commit()
    raise_concern(session, school, ben.id)
    assert still_to_send(client_for(app, school.dsl)) == []


@sqlite_only
def test_years_of_history_cost_the_list_of_files_to_send_nothing_more(
    app: Flask, session: Session, school: School
) -> None:
    """Amira is back on the list for a concern; thousands of other pupils' incidents are never
    read to say so."""
    other = worry_of_another_pupil(session, school)
    triage_and_close(session, school, other)
    raise_concern(session, school, school.pupil.id)
    copies(session, INCIDENTS, other.id, RECENTLY_CLOSED)  # the queue's "Recently closed" full
    dsl = client_for(app, school.dsl)
    before = list_and_queue_steps(app, dsl)
    copies(session, INCIDENTS, other.id, 3_000)
    assert list_and_queue_steps(app, dsl) == before
    assert len(still_to_send(dsl)) == 1
