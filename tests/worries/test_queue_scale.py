"""The safeguarding queue costs what it shows, not what is waiting: a fixed number of statements
whatever the backlog, and a live state the page polls that answers 304 while nothing changes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.worries import services
from tests import databases
from tests.app_settings import base_url
from tests.conftest import sign_in
from tests.statements import statements
from tests.worry_helpers import School, make_school


def _worries(session: Session, school: School, count: int) -> None:
    for _ in range(count):
        services.raise_worry(
            session,
            school.pupil,
            school.device,
            str(uuid.uuid4()),
            services.WorryChoices(what="sad"),
            now=utcnow(),
            base_url=base_url(),
        )
    session.commit()


def _statements(app: Flask, fetch: Callable[[], Any]) -> int:
    with statements(app) as seen:
        assert fetch().status_code == 200
    return len(seen)


def test_the_queue_runs_as_many_statements_with_a_long_backlog_as_a_short_one(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    sign_in(client, school.dsl.username)
    _worries(session, school, 3)
    client.get("/safeguarding/")
    few = _statements(app, lambda: client.get("/safeguarding/"))
    _worries(session, school, 40)
    many = _statements(app, lambda: client.get("/safeguarding/"))
    assert many == few


@pytest.mark.usefixtures("app")
def test_the_live_state_answers_304_until_a_worry_arrives(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    sign_in(client, school.dsl.username)
    _worries(session, school, 2)
    first = client.get("/safeguarding/queue/state")
    state = first.get_json()["state"]
    assert first.headers["ETag"] == f'"{state}"'
    again = client.get("/safeguarding/queue/state", headers={"If-None-Match": f'"{state}"'})
    assert again.status_code == 304
    assert again.data == b""
    _worries(session, school, 1)
    changed = client.get("/safeguarding/queue/state", headers={"If-None-Match": f'"{state}"'})
    assert changed.status_code == 200
    assert changed.get_json()["state"] != state


def _sqlite_plan(session: Session, sql: str, params: Any) -> list[str]:
    """SQLite's plan, a step a line; a sort shows as a step of its own after what it sorts."""
    explained = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", tuple(params))
    return [row[3] for row in explained]


def _postgres_plan(session: Session, sql: str, params: Any) -> list[str]:
    """PostgreSQL's plan, a node a line, each above what it reads. With a handful of rows it
    would rather scan the table; told not to, it shows whether the index can serve the page."""
    connection = session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
    return [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}", params)]


def test_the_first_page_is_read_in_order_from_the_index_not_sorted(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    """With thousands open, sorting every open worry for each page was most of the queue's
    time: each open status's first worries are read from ix_incidents_queue_order in order."""
    school = make_school(session)
    sign_in(client, school.dsl.username)
    _worries(session, school, 3)
    seen: list[tuple[str, Any]] = []

    def note(_conn: object, _cursor: object, statement: str, params: Any, *_rest: object) -> None:
        seen.append((statement, params))

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get("/safeguarding/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    page = [(sql, params) for sql, params in seen if "UNION ALL" in sql and "LIMIT" in sql]
    assert len(page) == 1
    if databases.POSTGRES:
        plan = _postgres_plan(session, *page[0])
        reads = [at for at, node in enumerate(plan) if "ix_incidents_queue_order" in node]
        assert len(reads) == 2  # one per open status: new, and open
        # Each is read in order and stopped at a page: a Limit right over it, no Sort.
        assert all("Limit" in plan[at - 1] for at in reads), plan
        return
    plan = _sqlite_plan(session, *page[0])
    reads = [at for at, step in enumerate(plan) if "ix_incidents_queue_order" in step]
    assert len(reads) == 2  # one per open status: new, and open
    # Each is read in order and stopped at a page: no sort follows it. What is sorted is only the
    # statuses' pages together, and the page's own rows.
    assert all("TEMP B-TREE" not in plan[at + 1] for at in reads), plan
