"""The safeguarding team's pages read what they show, not the school's history: years of closed
worries cost the queue, its live view's poll and an incident's record nothing more (counted in
SQLite's steps: see tests/history.py).
"""

from __future__ import annotations

import re
import uuid

from flask import Flask
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.worries import services
from classroom.worries.models import Category, Incident, IncidentAction, Risk, StaffAlert
from classroom.worries.queue import RECENTLY_CLOSED
from tests.app_settings import base_url
from tests.conftest import client_for
from tests.history import copies, page_steps, sqlite_only
from tests.worry_helpers import School, make_school

pytestmark = sqlite_only

REFERENCE = re.compile(r"<td><a [^>]*>(W\d{5})</a>")
QUEUE = ("/safeguarding/", "/safeguarding/queue/rows", "/safeguarding/queue/state")
INCIDENTS: Table = Incident.__table__  # type: ignore[assignment]
ALERTS: Table = StaffAlert.__table__  # type: ignore[assignment]
ACTIONS: Table = IncidentAction.__table__  # type: ignore[assignment]


def _closed_worry(session: Session, school: School) -> Incident:
    worry = services.raise_worry(
        session, school.pupil, school.device, str(uuid.uuid4()), services.WorryChoices("sad"),
        now=utcnow(), base_url=base_url(),
    )  # fmt: skip
    triage = services.Triage(Category.CYBERBULLYING, Risk.LOW, "Spoke to her", False, None)
    services.triage(session, school.dsl, worry, triage, now=utcnow())
    services.close(
        session, school.dsl, worry, "Resolved", "Check settings", keep_carers_held=False,
        carers_reason="Decided with the head",
        now=utcnow(),
    )  # fmt: skip
    session.commit()
    return worry


def test_years_of_closed_worries_cost_the_queue_nothing_more(app: Flask, session: Session) -> None:
    school = make_school(session)
    for what in ("unkind", "upsetting", "stranger"):  # today's open worries
        services.raise_worry(
            session, school.pupil, school.device, str(uuid.uuid4()),
            services.WorryChoices(what), now=utcnow(), base_url=base_url(),
        )  # fmt: skip
    closed = _closed_worry(session, school)
    # "Recently closed" is full before, as after: as many rows are shown.
    copies(session, INCIDENTS, closed.id, RECENTLY_CLOSED)
    dsl = client_for(app, school.dsl)
    before = {path: page_steps(app, dsl, path) for path in QUEUE}

    copies(session, INCIDENTS, closed.id, 3_000)
    after = {path: page_steps(app, dsl, path) for path in QUEUE}

    for path in QUEUE:
        assert after[path] == before[path], (path, before[path], after[path])
    open_rows, closed_rows = dsl.get("/safeguarding/").data.decode().split('id="closed-heading"')
    assert len(REFERENCE.findall(open_rows)) == 3  # today's, and only today's
    assert len(REFERENCE.findall(closed_rows)) == RECENTLY_CLOSED


def test_years_of_done_actions_cost_the_queues_follow_ups_nothing_more(
    app: Flask, session: Session
) -> None:
    """The queue's "Follow-ups due" reads the actions still to do from their own index: the
    thousands done over the years are never read."""
    school = make_school(session)
    worry = services.raise_worry(
        session, school.pupil, school.device, str(uuid.uuid4()), services.WorryChoices("sad"),
        now=utcnow(), base_url=base_url(),
    )  # fmt: skip
    today = utcnow().date()
    done = services.add_action(
        session, school.dsl, worry, "Checked", school.dsl.id, today, now=utcnow(), today=today
    )
    services.complete_action(session, school.dsl, done, now=utcnow())
    session.commit()
    dsl = client_for(app, school.dsl)
    before = page_steps(app, dsl, "/safeguarding/")
    copies(session, ACTIONS, done.id, 3_000)
    assert page_steps(app, dsl, "/safeguarding/") == before


def test_years_of_alerts_cost_an_incidents_record_nothing_more(
    app: Flask, session: Session
) -> None:
    """The record shows its own re-alert ladder: every other incident's alerts stay unread."""
    school = make_school(session)
    worry = services.raise_worry(
        session, school.pupil, school.device, str(uuid.uuid4()), services.WorryChoices("sad"),
        now=utcnow(), base_url=base_url(),
    )  # fmt: skip
    session.commit()
    closed = _closed_worry(session, school)
    other_alert = session.scalars(select(StaffAlert).filter_by(incident_id=closed.id)).first()
    assert other_alert is not None
    other_alert.seen_at = utcnow()  # history: alerts long since seen
    session.commit()
    dsl = client_for(app, school.dsl)
    record = f"/safeguarding/{worry.id}"
    before = page_steps(app, dsl, record)
    ladder = dsl.get(record).data.decode().count("Mrs Shah")
    assert ladder >= 1  # the headteacher was alerted to it, and the ladder says so

    copies(session, ALERTS, other_alert.id, 3_000)
    after = page_steps(app, dsl, record)

    assert after == before, (before, after)
    assert dsl.get(record).data.decode().count("Mrs Shah") == ladder  # its own alerts, no more
