"""Pages read what they show, not what the school has gathered over the years: every email it
ever sent, every member of staff in every other class (counted in SQLite's steps: see
tests/history.py). The safeguarding team's pages have their own: tests/worries/."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.outbox.models import OutboxMessage
from classroom.outbox.services import enqueue_email
from classroom.pupils.models import ClassStaff
from tests.conftest import client_for
from tests.factories import make_account, make_class
from tests.history import copies, page_steps, sqlite_only
from tests.worry_helpers import make_school

pytestmark = sqlite_only

MESSAGES: Table = OutboxMessage.__table__  # type: ignore[assignment]
ACCOUNTS: Table = Account.__table__  # type: ignore[assignment]


def _email(session: Session, key: str, school_id: int, *, sent: bool) -> OutboxMessage:
    message = enqueue_email(
        session, key, "carer@example.invalid", f"Subject {key}", "b", school_id=school_id,
        now=utcnow(),
    )  # fmt: skip
    assert message is not None
    message.attempts = 1
    if sent:
        message.sent_at = utcnow()
    else:
        message.last_error = "connection refused"
    session.commit()
    return message


def test_years_of_sent_email_cost_the_email_problems_page_nothing_more(
    app: Flask, session: Session
) -> None:
    admin = make_account(session, Role.ADMIN)
    _email(session, "failed", admin.school_id, sent=False)
    sent = _email(session, "sent", admin.school_id, sent=True)  # sent on its second try
    client = client_for(app, admin)
    before = page_steps(app, client, "/admin/mail")

    copies(session, MESSAGES, sent.id, 3_000)
    after = page_steps(app, client, "/admin/mail")

    assert after == before, (before, after)
    page = client.get("/admin/mail").data.decode()
    assert "Subject failed" in page
    assert "Subject sent" not in page  # a message sent in the end is no longer a problem


def test_staff_in_other_classes_cost_a_teachers_pages_nothing_more(
    app: Flask, session: Session
) -> None:
    """Every teacher's page asks which classes are theirs; a school of many classes and staff
    must not make each teacher's pages read every other class's staff."""
    school = make_school(session)
    elm = make_class(session, name="Elm")
    colleague = make_account(session, Role.TEACHER, classes=[elm], display_name="Mr Ahmed")
    session.commit()
    teacher = client_for(app, school.teacher)
    pages = ("/pupils/", f"/pupils/{school.pupil.id}/lessons")
    before = {path: page_steps(app, teacher, path) for path in pages}

    # 3,000 more staff, all working in Elm (a stand-in for many classes' staff).
    newest = colleague.id
    copies(session, ACCOUNTS, colleague.id, 3_000)
    session.execute(
        insert(ClassStaff).from_select(
            ["class_id", "account_id"],
            select(elm.id, Account.id).where(Account.id > newest),  # type: ignore[arg-type]
        )
    )
    session.commit()
    after = {path: page_steps(app, teacher, path) for path in pages}

    assert after == before, (before, after)
    assert "Amira" in teacher.get("/pupils/").data.decode()
