"""The safeguarding queue reads what it shows, not the school's history: years of closed worries
cost its page and its live view's poll nothing more.

Work is counted as SQLite counts it, in virtual-machine steps (its progress handler), not in
time: the count is the same on every run, so the test can be exact where a timing could not.
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
from sqlalchemy import Engine, String, cast, event, insert, literal, select, true
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.worries import services
from classroom.worries.models import Category, Incident, Risk
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
STEPS_PER_TICK = 100


@contextmanager
def counting(engine: Engine) -> Iterator[list[int]]:
    """Ticks of SQLite's progress handler (one per 100 steps) on every connection checked out."""
    ticks = [0]

    def tick() -> int:
        ticks[0] += 1
        return 0  # carry on

    def start(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        dbapi_conn.set_progress_handler(tick, STEPS_PER_TICK)

    def stop(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.set_progress_handler(None, 0)

    event.listen(engine, "checkout", start)
    event.listen(engine, "checkin", stop)
    try:
        yield ticks
    finally:
        event.remove(engine, "checkout", start)
        event.remove(engine, "checkin", stop)


def _steps(app: Flask, dsl: FlaskClient, path: str) -> int:
    dsl.get(path)  # anything built once per worker is built before counting
    with counting(app.extensions["db_engine"]) as ticks:
        assert dsl.get(path).status_code == 200
    return ticks[0]


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


def _copies(session: Session, incident: Incident, count: int) -> None:
    """`count` more closed incidents like this one: the history years of worries leave."""
    table = Incident.__table__
    copy = select(literal(1).label("n")).cte("copy", recursive=True)
    copy = copy.union_all(select(copy.c.n + 1).where(copy.c.n < count))
    key = table.c.idempotency_key + f"-{count}-" + cast(copy.c.n, String)
    columns = [c for c in table.columns if c.name != "id"]
    values = [key if c.name == "idempotency_key" else c for c in columns]
    rows = select(*values).select_from(table.join(copy, true())).where(table.c.id == incident.id)
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
    _copies(session, closed, RECENTLY_CLOSED)  # "Recently closed" is full before, as after
    dsl = client_for(app, school.dsl)
    before = {path: _steps(app, dsl, path) for path in QUEUE}

    _copies(session, closed, 3_000)
    after = {path: _steps(app, dsl, path) for path in QUEUE}

    # Reading 3,000 more rows would take tens of thousands of steps more: hundreds of ticks.
    for path in QUEUE:
        assert after[path] <= before[path] + 2, (path, before[path], after[path])
    open_rows, closed_rows = dsl.get("/safeguarding/").data.decode().split('id="closed-heading"')
    assert len(REFERENCE.findall(open_rows)) == 3  # today's, and only today's
    assert len(REFERENCE.findall(closed_rows)) == RECENTLY_CLOSED
