"""Two posts of the sending (or receipt) form at the same moment: the second was checked before
the first committed, so it saw nothing on record. The database settles it: the second gets
what a second post one after the other gets (nothing changed for the same details, refused
for others), and the record is written and audited once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account
from classroom.audit.models import AuditEvent
from classroom.worries import transfer
from classroom.worries.transfer_models import CpTransfer, CpTransferCorrection
from tests.conftest import Clock
from tests.worries.cp_file_helpers import make_file, school_with_cp_worry
from tests.worry_helpers import School

FRIDAY = datetime(2027, 3, 12, 10, 0, tzinfo=UTC)
TODAY = date(2027, 3, 12)
ELM, BIRCH = "Elm School, Ms Green (DSL)", "Birch School, Mr Ash (DSL)"

Post = Callable[[Session, Account, CpTransfer], None]


@pytest.fixture
def school(session: Session, clock: Clock) -> School:
    return school_with_cp_worry(session, clock, on=FRIDAY)


@pytest.fixture
def made(app: Flask, session: Session, school: School) -> CpTransfer:
    return make_file(app, session, school)


def _sent_to(to: str) -> Post:
    def post(db: Session, dsl: Account, row: CpTransfer) -> None:
        zone = ZoneInfo("Europe/London")
        transfer.record_sent(db, dsl, row, TODAY, to, "By hand", today=TODAY, zone=zone)

    return post


def _received_by(name: str) -> Post:
    def post(db: Session, dsl: Account, row: CpTransfer) -> None:
        transfer.record_receipt(db, dsl, row, TODAY, name, "Signed slip", FRIDAY, today=TODAY)

    return post


def _at_once(engine: Engine, school: School, made: CpTransfer, first: Post, second: Post) -> str:
    """`second` checks the record before `first` commits, and writes after: what it answered
    ("" or the refusal's message). Each commits as its request would (a refusal's audit kept)."""
    late = Session(engine, expire_on_commit=False)
    seen = late.get(CpTransfer, made.id)  # the second post's check reads the record now ...
    late_dsl = late.get(Account, school.dsl.id)
    assert seen is not None
    assert late_dsl is not None
    assert seen.pupil is not None
    if engine.dialect.name == "sqlite":
        # ... SQLite's writing transactions take the lock at BEGIN (IMMEDIATE), so there the
        # read ends here; PostgreSQL's stays open while the first post commits.
        late.commit()
    with Session(engine) as early:
        dsl, row = early.get(Account, school.dsl.id), early.get(CpTransfer, made.id)
        assert dsl is not None
        assert row is not None
        first(early, dsl, row)
        early.commit()
    answer = ""
    try:
        second(late, late_dsl, seen)
    except transfer.AlreadyRecorded as refused:
        answer = refused.message
    late.commit()
    late.close()
    return answer


def _audited(session: Session, action: str) -> int:
    return session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0


def _on_record(session: Session, made: CpTransfer) -> tuple[object, ...]:
    session.expire_all()
    row = session.get(CpTransfer, made.id)
    assert row is not None
    return row.sent_on, row.sent_to, row.received_on, row.received_by_name


@pytest.fixture
def engine(app: Flask, session: Session) -> Engine:
    session.commit()  # the test holds no transaction while the two posts work
    found: Engine = app.extensions["db_engine"]
    return found


def test_the_same_sending_posted_twice_at_once_is_recorded_and_audited_once(
    engine: Engine, session: Session, school: School, made: CpTransfer
) -> None:
    assert _at_once(engine, school, made, _sent_to(ELM), _sent_to(ELM)) == ""
    assert _on_record(session, made) == (TODAY, ELM, None, None)
    assert _audited(session, "cp_file.sent_recorded") == 1
    assert _audited(session, "cp_file.sent_refused") == 0


def test_another_sending_posted_at_the_same_moment_is_refused_and_changes_nothing(
    engine: Engine, session: Session, school: School, made: CpTransfer
) -> None:
    answer = _at_once(engine, school, made, _sent_to(ELM), _sent_to(BIRCH))
    assert (
        answer == f"This was already recorded as sent on 12 Mar 2027 to {ELM}: nothing was changed."
    )
    assert _on_record(session, made) == (TODAY, ELM, None, None)
    assert _audited(session, "cp_file.sent_recorded") == 1
    assert _audited(session, "cp_file.sent_refused") == 1


def test_receipts_posted_at_the_same_moment_are_recorded_once(
    engine: Engine, session: Session, school: School, made: CpTransfer
) -> None:
    _sent_to(ELM)(session, school.dsl, made)
    session.commit()
    assert _at_once(engine, school, made, _received_by("Ms Green"), _received_by("Ms Green")) == ""
    answer = _at_once(engine, school, made, _received_by("Ms Green"), _received_by("Mr Ash"))
    assert answer == (
        "Receipt was already recorded as confirmed on 12 Mar 2027 by Ms Green: nothing was changed."
    )
    assert _on_record(session, made) == (TODAY, ELM, TODAY, "Ms Green")
    assert _audited(session, "cp_file.receipt_recorded") == 1
    assert _audited(session, "cp_file.receipt_refused") == 1


def test_two_corrections_at_the_same_moment_the_second_is_refused(
    engine: Engine, session: Session, school: School, made: CpTransfer
) -> None:
    _sent_to(ELM)(session, school.dsl, made)
    session.commit()

    def corrected(to: str) -> Post:
        def post(db: Session, dsl: Account, row: CpTransfer) -> None:
            given = transfer.Corrected(None, to, None, "Wrong school typed")
            zone = ZoneInfo("Europe/London")
            transfer.correct_sent(db, dsl, row, given, FRIDAY, today=TODAY, zone=zone)

        return post

    answer = _at_once(engine, school, made, corrected(BIRCH), corrected("Ash School"))
    assert answer.startswith("Someone changed this record a moment ago: nothing was changed.")
    assert _on_record(session, made) == (TODAY, BIRCH, None, None)
    olds = [(c.old_who, c.new_who) for c in session.scalars(select(CpTransferCorrection))]
    assert olds == [(ELM, BIRCH)]
    assert _audited(session, "cp_file.sent_corrected") == 1
    assert _audited(session, "cp_file.sent_correction_refused") == 1
