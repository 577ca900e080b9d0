"""Reads run straight on SQLite's cursor (classroom.sqlite_reads) give what SQLAlchemy gives.

Every page's plain-column reads take this path on SQLite, so a row read back differently (a
datetime left as text, an enum as a string, a flag as 0 or 1, a column under another name)
would show on pupils' and staff's pages. Each test compares against SQLAlchemy's own run of
the same statement. On PostgreSQL the same reads go through SQLAlchemy, and the tests of what
`plain_rows` answers run there too.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    exc,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session

from classroom import sqlite_reads
from classroom.accounts.models import Account, Role, UserSession
from classroom.audit.models import AuditEvent, AuditTier
from classroom.db import plain_rows, writing
from classroom.pupils.models import Pathway, Pupil
from tests import databases, factories

# The tests of the path itself; the answers of plain_rows are checked on every database.
on_sqlite_only = pytest.mark.skipif(databases.POSTGRES, reason="the path taken on SQLite only")

SINCE, SCHOOL = bindparam("since"), bindparam("school")
# Datetimes (aware UTC), an enum, a flag worked out in SQL, two columns both called "id", a
# NULL, an embedded enum value and a datetime parameter, all in one statement.
MIXED = (
    select(
        Account.id,
        Pupil.id,
        Account.role,
        Account.created_at,
        Account.deactivated_at,
        Account.active,
        (Pupil.pathway == Pathway.FORMAL).label("formal"),
        Pupil.pathway,
        literal("a word").label("word"),
    )
    .join(Pupil, Pupil.school_id == Account.school_id)
    .where(Account.school_id == SCHOOL, Account.role == Role.TEACHER, Account.created_at > SINCE)
    .order_by(Account.id, Pupil.id)
)


@pytest.fixture
def school(session: Session) -> int:
    """A school of two teachers and two pupils, one formal and one pre-formal."""
    with writing():
        school = factories.make_school(session)
        for _ in range(2):
            factories.make_account(session, Role.TEACHER, school=school)
        klass = factories.make_class(session, school=school)
        factories.make_pupil(session, klass, pathway=Pathway.FORMAL)
        factories.make_pupil(session, klass, pathway=Pathway.PRE_FORMAL)
        session.commit()
    return school.id


def _since(school: int, days: int = -1) -> dict[str, object]:
    return {"school": school, "since": datetime.now(UTC) + timedelta(days=days)}


@on_sqlite_only
def test_rows_keys_and_types_are_those_sqlalchemy_reads(session: Session, school: int) -> None:
    connection = session.connection()
    prepared = sqlite_reads.prepared(MIXED, connection.dialect)
    assert prepared is not None, "a plain SELECT takes the fast path"
    fast = prepared.run(connection, _since(school))
    core = connection.execute(MIXED, _since(school))
    assert list(fast.keys()) == list(core.keys())
    fast_rows, core_rows = fast.all(), core.all()
    assert len(fast_rows) == 4
    assert fast_rows == core_rows
    first = fast_rows[0]
    assert first.role is Role.TEACHER
    assert first.created_at.tzinfo is not None
    assert first.deactivated_at is None
    assert first.active is True
    assert {row.formal for row in fast_rows} == {True, False}
    assert {row.pathway for row in fast_rows} == {Pathway.FORMAL, Pathway.PRE_FORMAL}


def test_plain_rows_answers_as_before_for_every_way_pages_read(
    session: Session, school: int
) -> None:
    count = (
        select(func.count())
        .select_from(Account)
        .where(Account.school_id == SCHOOL, Account.created_at > SINCE)
    )
    assert plain_rows(session, count, _since(school)).scalar_one() == 2
    assert len(set(plain_rows(session, MIXED, _since(school)).scalars().all())) == 2
    first = plain_rows(session, MIXED, _since(school)).mappings().first()
    assert first is not None
    assert first["word"] == "a word"
    rows = plain_rows(session, MIXED, _since(school))
    assert [(role, word) for _a, _p, role, *_, word in rows][0] == (Role.TEACHER, "a word")
    assert plain_rows(session, count, _since(school, days=1)).scalar_one() == 0


def test_in_lists_read_the_rows_sqlalchemy_reads(session: Session, school: int) -> None:
    """An IN list of ids and one of enums (bound through the enum's type), beside a datetime."""
    listed = MIXED.where(
        Pupil.id.in_(bindparam("pupils", expanding=True)),
        Pupil.pathway.in_(bindparam("pathways", expanding=True)),
    )
    connection = session.connection()
    pupils = plain_rows(session, select(Pupil.id).where(Pupil.school_id == school)).scalars()
    ids = list(pupils)
    for chosen, pathways in [
        (ids, [Pathway.FORMAL, Pathway.PRE_FORMAL]),
        (ids[:1], [Pathway.FORMAL, Pathway.PRE_FORMAL]),
        (ids, [Pathway.PRE_FORMAL]),
        (ids, [Pathway.SEMI_FORMAL]),
    ]:
        params = {**_since(school), "pupils": chosen, "pathways": pathways}
        fast = plain_rows(session, listed, params).all()
        assert fast == connection.execute(listed, params).all()
    assert len(plain_rows(session, listed, {**params, "pathways": [Pathway.FORMAL]}).all()) == 2
    assert plain_rows(session, listed, {**params, "pathways": [Pathway.SEMI_FORMAL]}).all() == []


def test_an_in_list_of_values_given_in_the_statement_reads_what_sqlalchemy_reads(
    session: Session, school: int
) -> None:
    """`role.in_([...])` with its values in the statement: SQLAlchemy names the list itself."""
    listed = MIXED.where(Pupil.pathway.in_([Pathway.FORMAL, Pathway.SEMI_FORMAL]))
    fast = plain_rows(session, listed, _since(school)).all()
    assert fast == session.connection().execute(listed, _since(school)).all()
    assert len(fast) == 2
    assert {row.pathway for row in fast} == {Pathway.FORMAL}


@on_sqlite_only
def test_an_empty_in_list_is_left_to_sqlalchemy(session: Session, school: int) -> None:
    listed = MIXED.where(Pupil.id.in_(bindparam("pupils", expanding=True)))
    prepared = sqlite_reads.prepared(listed, session.connection().dialect)
    assert prepared is not None
    assert prepared.run(session.connection(), {**_since(school), "pupils": []}) is None
    assert plain_rows(session, listed, {**_since(school), "pupils": []}).all() == []


def test_a_missing_parameter_is_refused_as_sqlalchemy_refuses_it(session: Session) -> None:
    missing = "A value is required for bind parameter 'school'"
    with pytest.raises(exc.SQLAlchemyError, match=missing):
        plain_rows(session, MIXED, {"since": datetime.now(UTC)})
    with pytest.raises(exc.SQLAlchemyError, match=missing):
        session.connection().execute(MIXED, {"since": datetime.now(UTC)})


@on_sqlite_only
def test_statement_listeners_see_each_read_and_each_begin(app: Flask) -> None:
    from tests.statements import statements  # noqa: PLC0415 - the tests' own helper

    with app.app_context(), statements(app) as seen:
        session = app.extensions["db_sessionmaker"]()
        try:
            plain_rows(session, select(UserSession.id).where(UserSession.id == -1)).all()
        finally:
            session.close()
    assert seen[0] == "BEGIN IMMEDIATE"  # tests run with write intent (see conftest)
    assert seen[1].startswith("SELECT user_sessions.id FROM user_sessions")


@on_sqlite_only
def test_a_locked_database_is_sqlalchemys_operational_error(app: Flask) -> None:
    """So the request layer still answers "very busy, try again" (503), not a 500."""
    engine = app.extensions["db_engine"]
    holder = sqlite3.connect(str(engine.url.database), isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with engine.connect() as connection:
            # No waiting for the lock: the driver's own setting, changed before any BEGIN.
            connection.connection.driver_connection.execute("PRAGMA busy_timeout=0")
            with pytest.raises(exc.OperationalError, match="locked"), writing():
                connection.begin()
            connection.invalidate()  # not back to the pool with that setting
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@on_sqlite_only
def test_an_audit_row_written_on_the_cursor_is_the_row_sqlalchemy_writes(session: Session) -> None:
    """The row a staff page's read leaves (db.finish_read): same columns, same defaults."""
    table = AuditEvent.__table__
    values = {
        "actor_kind": "staff",
        "actor_id": 7,
        "actor_name": "Ms Oak",
        "action": "pupil.viewed",
        "object_type": "Pupil",
        "object_id": 12,
        "ip": "10.0.0.9",
        "school_id": 3,
    }  # no time, summary or tier: those come from the columns' defaults
    connection = session.connection()
    assert sqlite_reads.insert_row(connection, table, {**values, "actor_name": "fast"})
    connection.execute(insert(table), {**values, "actor_name": "core"})
    fast, core = (
        session.scalars(select(AuditEvent).where(AuditEvent.actor_name == name)).one()
        for name in ("fast", "core")
    )
    columns = [c.key for c in table.columns if c.key not in ("id", "at", "actor_name")]
    assert [getattr(fast, c) for c in columns] == [getattr(core, c) for c in columns]
    assert fast.tier is AuditTier.RECORD
    assert fast.summary == ""
    assert fast.at.tzinfo is not None
    assert abs(fast.at - core.at) < timedelta(seconds=5)


def test_a_default_only_sqlalchemy_can_work_out_is_left_to_it(session: Session) -> None:
    """A default that reads the row being inserted is SQLAlchemy's to work out."""
    table = Table(
        "echoes",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("word", String(10)),
        Column(
            "copy", String(10), default=lambda context: context.get_current_parameters()["word"]
        ),
    )
    assert not sqlite_reads.insert_row(session.connection(), table, {"word": "hello"})
