"""The safeguarding team's pages read what they show, not the school's history: years of closed
worries cost the queue, its live view's poll and an incident's record nothing more.

Work is counted as SQLite counts it, in virtual-machine steps (its progress handler called at
every step), not in time: the count is the same on every run, so the test can be exact where a
timing could not. Reading 3,000 rows more would take tens of thousands of steps more.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import (
    ColumnElement,
    Engine,
    String,
    Table,
    cast,
    event,
    insert,
    literal,
    select,
    true,
)
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.worries import services
from classroom.worries.models import Category, Incident, Risk, StaffAlert
from classroom.worries.views import RECENTLY_CLOSED
from tests import databases
from tests.app_settings import base_url
from tests.conftest import client_for
from tests.worry_helpers import School, make_school

pytestmark = pytest.mark.skipif(
    databases.POSTGRES, reason="counts SQLite's own steps; PostgreSQL plans for itself"
)

REFERENCE = re.compile(r"<td><a [^>]*>(W\d{5})</a>")
QUEUE = ("/safeguarding/", "/safeguarding/queue/rows", "/safeguarding/queue/state")
INCIDENTS: Table = Incident.__table__  # type: ignore[assignment]
ALERTS: Table = StaffAlert.__table__  # type: ignore[assignment]


@contextmanager
def counting(engine: Engine) -> Iterator[list[int]]:
    """SQLite's virtual-machine steps on every connection checked out meanwhile."""
    steps = [0]

    def step() -> int:
        steps[0] += 1
        return 0  # carry on

    def start(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        dbapi_conn.set_progress_handler(step, 1)

    def stop(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.set_progress_handler(None, 0)

    event.listen(engine, "checkout", start)
    event.listen(engine, "checkin", stop)
    try:
        yield steps
    finally:
        event.remove(engine, "checkout", start)
        event.remove(engine, "checkin", stop)


def _steps(app: Flask, dsl: FlaskClient, path: str) -> int:
    dsl.get(path)  # anything built once per worker is built before counting
    with counting(app.extensions["db_engine"]) as steps:
        assert dsl.get(path).status_code == 200
    return steps[0]


def _closed_worry(session: Session, school: School) -> Incident:
    worry = services.raise_worry(
        session, school.pupil, school.device, str(uuid.uuid4()), services.WorryChoices("sad"),
        now=utcnow(), base_url=base_url(),
    )  # fmt: skip
    triage = services.Triage(Category.CYBERBULLYING, Risk.LOW, "Spoke to her", False, None)
    services.triage(session, school.dsl, worry, triage, now=utcnow())
    services.close(session, school.dsl, worry, "Resolved", "Check settings", now=utcnow())
    session.commit()
    return worry


def _copies(session: Session, table: Table, row_id: int, count: int) -> None:
    """`count` more rows like this one: the history years of worries leave behind them."""
    copy = select(literal(1).label("n")).cte("copy", recursive=True)
    copy = copy.union_all(select(copy.c.n + 1).where(copy.c.n < count))
    columns = [c for c in table.columns if c.name != "id"]
    values: list[ColumnElement[Any]] = [
        c + f"-{count}-" + cast(copy.c.n, String) if c.unique else c for c in columns
    ]
    rows = select(*values).select_from(table.join(copy, true())).where(table.c.id == row_id)
    session.execute(insert(table).from_select([c.name for c in columns], rows))
    session.commit()


def test_years_of_closed_worries_cost_the_queue_nothing_more(app: Flask, session: Session) -> None:
    school = make_school(session)
    for what in ("unkind", "upsetting", "stranger"):  # today's open worries
        services.raise_worry(
            session, school.pupil, school.device, str(uuid.uuid4()),
            services.WorryChoices(what), now=utcnow(), base_url=base_url(),
        )  # fmt: skip
    closed = _closed_worry(session, school)
    # "Recently closed" is full before, as after: as many rows are shown.
    _copies(session, INCIDENTS, closed.id, RECENTLY_CLOSED)
    dsl = client_for(app, school.dsl)
    before = {path: _steps(app, dsl, path) for path in QUEUE}

    _copies(session, INCIDENTS, closed.id, 3_000)
    after = {path: _steps(app, dsl, path) for path in QUEUE}

    for path in QUEUE:
        assert after[path] == before[path], (path, before[path], after[path])
    open_rows, closed_rows = dsl.get("/safeguarding/").data.decode().split('id="closed-heading"')
    assert len(REFERENCE.findall(open_rows)) == 3  # today's, and only today's
    assert len(REFERENCE.findall(closed_rows)) == RECENTLY_CLOSED


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
    before = _steps(app, dsl, record)
    ladder = dsl.get(record).data.decode().count("Mrs Shah")
    assert ladder >= 1  # the headteacher was alerted to it, and the ladder says so

    _copies(session, ALERTS, other_alert.id, 3_000)
    after = _steps(app, dsl, record)

    assert after == before, (before, after)
    assert dsl.get(record).data.decode().count("Mrs Shah") == ladder  # its own alerts, no more
