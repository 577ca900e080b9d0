"""How hard each commit is pushed to disk: every change to a record (a worry, a decision, a
note, and its audit row) is flushed at commit, while the audit row of a page someone only looked
at is written without its own flush (SQLite's synchronous NORMAL, PostgreSQL's
synchronous_commit off, for that one transaction), unless the school sets
FSYNC_EACH_VIEW_AUDIT. Either way the row is written before the page is answered, and the
pooled connection goes back to flushing every commit."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import exc, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from classroom import sqlite_reads
from classroom.audit.models import AuditEvent
from tests import databases
from tests.conftest import client_for
from tests.statements import statements
from tests.worry_helpers import make_school

NORMAL, FULL = "PRAGMA synchronous=NORMAL", "PRAGMA synchronous=FULL"
UNFLUSHED = "SET LOCAL synchronous_commit TO off"  # PostgreSQL's, for one transaction


def _queue_views(session: Session) -> int:
    query = select(func.count()).where(AuditEvent.action == "incidents.queue_viewed")
    return session.scalar(query) or 0


def test_a_page_view_is_audited_without_its_own_flush_and_the_connection_flushes_again(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    dsl = client_for(app, school.dsl)
    with statements(app) as seen:
        assert dsl.get("/safeguarding/").status_code == 200
    audit = next(n for n, s in enumerate(seen) if s.startswith("INSERT INTO audit_events"))
    if databases.POSTGRES:
        assert seen[audit - 1] == UNFLUSHED  # SET LOCAL: it ends with the transaction
        assert seen[audit + 1 :] == []
    else:
        assert seen[audit - 2 : audit] == [NORMAL, "BEGIN IMMEDIATE"]
        assert seen[audit + 1 :] == [FULL]  # nothing after it runs unflushed
        engine = app.extensions["db_engine"]
        with engine.connect() as connection:  # the pool's connection, as the next request has it
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    assert _queue_views(session) == 1


def test_a_change_is_always_flushed_at_commit(app: Flask, session: Session) -> None:
    school = make_school(session)
    dsl = client_for(app, school.dsl)
    with statements(app) as seen:
        concern = dsl.post(
            "/concerns/new",
            data={"pupil_id": str(school.pupil.id), "summary": "Upset after a game",
                  "communication": "signs", "exact_words": "", "category": "",
                  "key": str(uuid.uuid4())},
        )  # fmt: skip
    assert concern.status_code == 302, concern.data
    assert any(s.startswith("INSERT INTO incidents") for s in seen)
    assert NORMAL not in seen
    assert UNFLUSHED not in seen


def test_a_school_may_flush_every_view_audit_too(app: Flask, session: Session) -> None:
    app.config["FSYNC_EACH_VIEW_AUDIT"] = 1
    school = make_school(session)
    dsl = client_for(app, school.dsl)
    with statements(app) as seen:
        assert dsl.get("/safeguarding/").status_code == 200
    assert not [s for s in seen if s.startswith("PRAGMA synchronous") or s == UNFLUSHED]
    assert _queue_views(session) == 1


def test_a_connection_that_cannot_flush_again_is_closed_not_reused(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """If setting it back fails, the page is still answered and its view still audited, the
    failure is logged, and that connection is closed: no later request writes unflushed."""
    if databases.POSTGRES:
        pytest.skip("SET LOCAL ends with its transaction: nothing to set back")
    school = make_school(session)
    dsl = client_for(app, school.dsl)
    real = sqlite_reads.execute
    closed: list[object] = []

    def failing(connection: Connection, sql: str, params: Sequence[Any] = ()) -> Sequence[Any]:
        if sql == FULL:
            closed.append(connection.connection.driver_connection)
            raise exc.OperationalError(sql, params, sqlite3.OperationalError("disk I/O error"))
        return real(connection, sql, params)

    monkeypatch.setattr(sqlite_reads, "execute", failing)
    assert dsl.get("/safeguarding/").status_code == 200
    monkeypatch.undo()
    assert "could not set a connection back to synchronous=FULL" in caplog.text
    with app.extensions["db_engine"].connect() as connection:
        assert connection.connection.driver_connection is not closed[0]
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    assert _queue_views(session) == 1
