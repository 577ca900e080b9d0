"""A leaver's child-protection file has gone, then something is added to a record that was in it:
a referral's reply, a note, an action, a new triage, its closing. They come back on the team's
list of files to send, saying so, because a file made now would hold it and the next school has
not had it (KCSIE: new information is passed on). Reading the record is not new information."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Table, event, select
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.worries import services
from classroom.worries.models import (
    Category,
    Incident,
    IncidentEntry,
    ParentContact,
    Risk,
)
from tests.conftest import Clock, client_for
from tests.history import copies, sqlite_only
from tests.worries.cp_file_helpers import (
    LIST_AND_QUEUE,
    amira_has_left,
    list_and_queue_steps,
    raise_concern,
    record_police_reply,
    send_file,
    still_to_send,
    worry_of_another_pupil,
)
from tests.worry_helpers import School, follow_ups_due

UPDATED = "New since the file was sent on 9 Mar 2027: updates to 1 worry already in the file"
ENTRIES: Table = IncidentEntry.__table__  # type: ignore[assignment]


@pytest.fixture
def school(app: Flask, session: Session, clock: Clock) -> School:
    """Amira's child-protection worry, referred to the police; she has left and her file went
    on Tuesday 9 March, before the police replied."""
    school = amira_has_left(app, session, clock, referred=True, sent_on=date(2027, 3, 9))
    clock.advance(days=2)
    assert still_to_send(client_for(app, school.dsl)) == []
    return school


def _worry(session: Session) -> Incident:
    """Amira's worry: the first record made."""
    worry = session.scalars(select(Incident).order_by(Incident.id)).first()
    assert worry is not None
    return worry


def _note(session: Session, school: School) -> None:
    services.add_note(
        session, school.dsl, _worry(session), "Her aunt rang", "Worried", now=utcnow()
    )


def _action(session: Session, school: School) -> None:
    services.add_action(
        session, school.dsl, _worry(session), "Ring the new school", school.dsl.id,
        date(2027, 3, 12), now=utcnow(), today=date(2027, 3, 10),
    )  # fmt: skip


def _decision(session: Session, school: School) -> None:
    services.decide_parent_contact(
        session, school.dsl, _worry(session), ParentContact.DO_NOT_CONTACT, "Police advice",
        None, now=utcnow(), today=date(2027, 3, 10),
    )  # fmt: skip


def _escalated(session: Session, school: School) -> None:
    triage = services.Triage(Category.CYBERBULLYING, Risk.HIGH, "Threats went on", True, None)
    services.triage(session, school.dsl, _worry(session), triage, now=utcnow())


def _closed(session: Session, school: School) -> None:
    services.close(
        session, school.dsl, _worry(session), "Police dealt with it", "Ask sooner",
        keep_carers_held=False, carers_reason="Decided with the head", now=utcnow(),
    )  # fmt: skip


CHANGES: dict[str, Callable[[Session, School], None]] = {
    "referral reply": record_police_reply,
    "note": _note,
    "action": _action,
    "parent-contact decision": _decision,
    "escalated": _escalated,
    "closed": _closed,
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_to_a_record_already_sent_brings_the_leaver_back_saying_so(
    app: Flask,
    session: Session,
    school: School,
    change: Callable[[Session, School], None],
) -> None:
    change(session, school)
    session.commit()
    [row] = still_to_send(client_for(app, school.dsl))
    assert row == (
        f"Amira Khan 8 Mar 2027 2 days ago (2 school days) 1 incident {UPDATED} "
        "New file not made yet"
    )
    assert follow_ups_due(app, school)[0] == (
        "Child-protection file to send: Amira Khan left the school on 8 Mar 2027, 2 days ago "
        "(2 school days); new since the file was sent on 9 Mar 2027: updates to 1 worry "
        "already in the file"
    )


def test_reading_the_record_brings_nobody_back_and_writing_in_it_does(
    app: Flask, session: Session, school: School
) -> None:
    dsl = client_for(app, school.dsl)
    assert dsl.get(f"/safeguarding/{_worry(session).id}").status_code == 200
    assert still_to_send(dsl) == []
    _note(session, school)
    session.commit()
    assert UPDATED in still_to_send(dsl)[0]


def test_sending_a_new_file_clears_the_update_and_a_later_one_brings_them_back(
    app: Flask, session: Session, clock: Clock, school: School
) -> None:
    record_police_reply(session, school)
    session.commit()
    assert UPDATED in still_to_send(client_for(app, school.dsl))[0]
    clock.advance(hours=1)
    send_file(app, session, school, date(2027, 3, 10))
    assert still_to_send(client_for(app, school.dsl)) == []
    clock.advance(days=1)
    _note(session, school)
    session.commit()
    [row] = still_to_send(client_for(app, school.dsl))
    assert "New since the file was sent on 10 Mar 2027: updates to 1 worry already" in row


def test_a_new_concern_and_an_update_are_each_counted_once(
    app: Flask, session: Session, school: School
) -> None:
    """The new concern's own chronology is part of it being new, not an update."""
    raise_concern(session, school, school.pupil.id)
    _note(session, school)
    session.commit()
    [row] = still_to_send(client_for(app, school.dsl))
    assert (
        "2 incidents New since the file was sent on 9 Mar 2027: 1 concern, and updates to "
        "1 worry already in the file"
    ) in row


def test_a_change_to_another_pupils_record_brings_nobody_back(
    app: Flask, session: Session, clock: Clock, school: School
) -> None:
    other = worry_of_another_pupil(session, school)
    clock.advance(hours=1)
    services.add_note(session, school.dsl, other, "Spoke to Grace", None, now=utcnow())
    session.commit()
    assert still_to_send(client_for(app, school.dsl)) == []


@sqlite_only
def test_years_of_chronology_cost_the_list_and_the_queue_nothing_more(
    app: Flask, session: Session, school: School
) -> None:
    """Amira is back for a note on her worry; thousands of other records' chronology entries
    are never read to say so (tests/worries/test_cp_file_news.py: nor other incidents)."""
    other = worry_of_another_pupil(session, school)
    services.add_note(session, school.dsl, other, "Spoke to Grace", None, now=utcnow())
    _note(session, school)
    session.commit()
    entry = session.scalars(
        select(IncidentEntry.id).where(IncidentEntry.incident_id == other.id)
    ).first()
    assert entry is not None
    dsl = client_for(app, school.dsl)
    before = list_and_queue_steps(app, dsl)
    copies(session, ENTRIES, entry, 3_000)
    assert list_and_queue_steps(app, dsl) == before
    assert UPDATED in still_to_send(dsl)[0]


@sqlite_only
def test_files_awaiting_receipt_are_read_from_their_index(
    app: Flask, session: Session, school: School
) -> None:
    """Every file a school has sent stays on record: the list of files and the queue find
    those still awaiting receipt in ix_cp_file_transfers_awaiting, never by reading them all."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: object, _cursor: object, statement: str, params: Any, *_rest: object) -> None:
        seen.append((statement, params))

    dsl = client_for(app, school.dsl)
    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", note)
    try:
        for path in LIST_AND_QUEUE:
            assert dsl.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    awaited = [(sql, p) for sql, p in seen if "cp_file_transfers.received_on IS NULL" in sql]
    assert len(awaited) == 2  # the list's, and the queue's receipts to chase
    for sql, params in awaited:
        explained = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", tuple(params))
        plan = [row[3] for row in explained]
        assert any("USING INDEX ix_cp_file_transfers_awaiting" in step for step in plan), plan
        assert not any(step.startswith("SCAN cp_file_transfers") for step in plan), plan
