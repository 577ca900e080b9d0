"""A member of staff sees where their emails go and changes or removes the address, with their
password, as carers do theirs (tests/parents/test_carer_email_change.py): wrong passwords count
with sign-in failures, the old address is told, emails still waiting follow the change, and
every change is audited. The safeguarding team may remove theirs only once they have said they
understand that their safeguarding alerts will no longer come by email."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts import email_change
from classroom.accounts.models import Account, LoginAttempt, Role
from classroom.audit.models import AuditEvent
from classroom.db import get_session, utcnow
from classroom.outbox.models import OutboxMessage
from classroom.pupils.models import Pupil
from classroom.worker import tick
from classroom.worries import services as worries
from tests.app_settings import base_url
from tests.conftest import Clock, build_app, client_for
from tests.factories import PASSWORD, make_account, make_class, make_pupil
from tests.smtp import Inbox
from tests.test_one_commit import commits

# A Tuesday in term, in winter, so the school's clock (Europe/London) reads as UTC.
SCHOOL_HOURS = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
NEW = "ms.lopez@newschool.example.org"


@dataclass
class Staff:
    teacher: Account  # Ms Lopez, Oak's teacher
    dsl: Account  # Mr Bell
    deputy: Account  # Mrs Okafor


@pytest.fixture
def staff(session: Session, clock: Clock) -> Staff:
    clock.set(SCHOOL_HOURS)
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Amira", last_name="Khan")
    found = Staff(
        make_account(session, Role.TEACHER, classes=[oak], display_name="Ms Lopez"),
        make_account(session, Role.DSL, display_name="Mr Bell"),
        make_account(session, Role.DEPUTY_DSL, display_name="Mrs Okafor"),
    )
    session.commit()
    return found


def _change(
    client: FlaskClient, email: str, password: str = PASSWORD, **more: str
) -> tuple[int, str]:
    data = {"email": email, "password": password, **more}
    response = client.post("/account/email", data=data)
    return response.status_code, response.get_data(as_text=True)


def _address(session: Session, account: Account) -> str | None:
    session.expire_all()
    return session.scalar(select(Account.email).where(Account.id == account.id))


def _audit(session: Session, action: str) -> list[tuple[int | None, str]]:
    rows = session.execute(
        select(AuditEvent.actor_id, AuditEvent.summary).where(AuditEvent.action == action)
    )
    return [(actor, summary) for actor, summary in rows]


def _body(message: Message) -> str:
    body = message.get_payload(decode=True)  # as read: quoted-printable undone
    assert isinstance(body, bytes)
    return body.decode()


def _worry(session: Session, talk_to: Account | None = None) -> None:
    """A pupil's worry: the team's alerts (and the chosen adult's) wait in the outbox."""
    amira = session.scalars(select(Pupil).where(Pupil.first_name == "Amira")).one()
    choices = worries.WorryChoices(what="sad", talk_to_id=talk_to.id if talk_to else None)
    worries.raise_worry(
        session, amira, None, str(uuid.uuid4()), choices, now=utcnow(), base_url=base_url()
    )
    session.commit()


def test_staff_reach_the_page_from_every_page_and_see_where_emails_go(
    app: Flask, staff: Staff
) -> None:
    lopez = client_for(app, staff.teacher)
    home = lopez.get("/about").get_data(as_text=True)
    assert '<a href="/account/email">Your email address</a>' in home  # beside Change password
    page = lopez.get("/account/email").get_data(as_text=True)
    assert "Emails go to" in page
    assert f'value="{staff.teacher.email}"' in page  # the address as it is, to change
    assert 'autocomplete="current-password"' in page
    assert "safeguarding alerts" not in page  # a teacher gets none: nothing to warn about


@pytest.mark.usefixtures("mail_server")
def test_a_teacher_changes_their_address_and_the_old_one_is_told(
    app: Flask, session: Session, staff: Staff, inbox: Inbox
) -> None:
    old = str(staff.teacher.email)
    lopez = client_for(app, staff.teacher)
    response = lopez.post("/account/email", data={"email": NEW, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/email?email=changed"
    page = lopez.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your email address is changed. We have emailed your old address to say so." in page
    assert f'value="{NEW}"' in page
    assert _address(session, staff.teacher) == NEW
    assert _audit(session, "account.email_changed") == [
        (staff.teacher.id, f"changed: {old} to {NEW}")
    ]
    tick()
    [told] = inbox.to(old)
    assert str(told["Subject"]) == "Your email address for school emails was changed"
    body = _body(told)
    assert "your staff account in the school's classroom app was changed on" in body
    assert "If you did not do this or ask for it, please tell the school office" in body
    for detail in (NEW, "Lopez", staff.teacher.username):
        assert detail not in body  # no new address and no names
    assert inbox.to(NEW) == []


def test_the_password_is_needed_and_counted_as_sign_in_failures(
    app: Flask, session: Session, staff: Staff, clock: Clock
) -> None:
    old = staff.teacher.email
    lopez = client_for(app, staff.teacher)
    clock.advance(seconds=1)  # after signing in, which cleared the count
    status, page = _change(lopez, NEW, "")
    assert status == 400
    assert "Enter your password." in page
    status, page = _change(lopez, NEW, "not my password at all")
    assert status == 400
    assert "Your password is not right." in page
    assert 'aria-invalid="true"' in page
    assert 'href="#password"' in page  # the error summary, linked to the box
    assert f'value="{NEW}"' in page  # what they typed is kept, the password never is
    assert "not my password at all" not in page
    assert _address(session, staff.teacher) == old
    assert _audit(session, "account.email_change_refused") == [
        (staff.teacher.id, "password not right")
    ]
    assert session.scalars(select(OutboxMessage)).all() == []  # nobody was told anything
    failures = select(LoginAttempt).where(
        LoginAttempt.username == staff.teacher.username, LoginAttempt.success.is_(False)
    )
    assert len(session.scalars(failures).all()) == 1  # kept through the 400, as at sign-in
    for _ in range(4):
        _change(lopez, NEW, "guess")
    status, page = _change(lopez, NEW, PASSWORD)  # even the right one waits now
    assert status == 429
    assert "Too many attempts" in page
    assert _address(session, staff.teacher) == old
    # Sign-in counts the same failures: the account is throttled there too.
    again = app.test_client().post(
        "/sign-in", data={"username": staff.teacher.username, "password": PASSWORD}
    )
    assert again.status_code == 429


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("lopez at example", "Enter an email address like name@example.com."),
        ("l\u00f3pez@example.org", "Emails from school cannot reach an address with accents"),
        ("lopez@localhost", "The part after the @ is not a domain emails can be sent to."),
        ("x" * 250 + "@example.org", "That email address is too long to send emails to."),
        ("lopez,jo@example.org", "Enter an email address like name@example.com."),
    ],
)
def test_an_address_no_email_reaches_is_refused_with_what_was_typed(
    app: Flask, session: Session, staff: Staff, typed: str, problem: str
) -> None:
    old = staff.teacher.email
    status, page = _change(client_for(app, staff.teacher), typed)
    assert status == 400
    assert page.count(str(escape(problem))) >= 2  # in the summary, and under the box
    assert f'value="{escape(typed)}"' in page
    assert "<title>Error: " in page
    assert _address(session, staff.teacher) == old
    assert session.scalars(select(LoginAttempt).where(LoginAttempt.success.is_(False))).all() == []


def test_a_domain_in_another_alphabet_is_kept_as_emails_reach_it(
    app: Flask, session: Session, staff: Staff
) -> None:
    lopez = client_for(app, staff.teacher)
    typed = "lopez@ex\u00e4mple.co.uk"
    status, page = _change(lopez, typed, "wrong password")
    assert status == 400
    assert f'value="{typed}"' in page  # given back as typed, not as it would be kept
    assert _change(lopez, typed)[0] == 302
    assert _address(session, staff.teacher) == "lopez@xn--exmple-cua.co.uk"


def test_the_same_address_again_changes_nothing(app: Flask, session: Session, staff: Staff) -> None:
    status, _page = _change(client_for(app, staff.teacher), f" {staff.teacher.email} ")
    assert status == 302
    assert _audit(session, "account.email_changed") == []
    assert session.scalars(select(OutboxMessage)).all() == []


@pytest.mark.usefixtures("mail_server")
def test_alerts_still_waiting_follow_the_new_address(
    app: Flask, session: Session, staff: Staff, inbox: Inbox
) -> None:
    """A worry's alerts wait in the outbox (the mail server is not asked until the worker's next
    round); the DSL changes their address meanwhile: theirs goes to the new one, the deputy's
    stays the deputy's, and one that failed for good stays a record of where it failed."""
    old, deputy = str(staff.dsl.email), str(staff.deputy.email)
    _worry(session)
    failed = OutboxMessage(
        dedupe_key=f"incident:0:new:0:{staff.dsl.id}",
        message_id="<failed@example.invalid>",
        to_address=old,
        subject="Given up",
        body="Body",
        created_at=utcnow(),
        next_attempt_at=utcnow(),
        attempts=8,
        dead_at=utcnow(),
        school_id=staff.dsl.school_id,
    )
    session.add(failed)
    session.commit()
    bell = client_for(app, staff.dsl)
    assert _change(bell, NEW)[0] == 302
    tick()
    assert [str(m["Subject"]) for m in inbox.to(old)] == [
        "Your email address for school emails was changed"
    ]
    [alert] = inbox.to(NEW)
    assert str(alert["Subject"]).startswith("New worry or concern")
    assert len(inbox.to(deputy)) == 1
    session.expire_all()
    assert session.get(OutboxMessage, failed.id).to_address == old  # type: ignore[union-attr]


@pytest.mark.usefixtures("mail_server")
def test_a_teachers_waiting_email_follows_too(
    app: Flask, session: Session, staff: Staff, inbox: Inbox
) -> None:
    """Amira chose her teacher to talk to: that email waits, and follows the teacher's change."""
    _worry(session, talk_to=staff.teacher)
    assert _change(client_for(app, staff.teacher), NEW)[0] == 302
    tick()
    assert [str(m["Subject"]) for m in inbox.to(NEW)] == ["A pupil would like to talk to you"]


def test_the_safeguarding_team_are_warned_before_removing_their_address(
    app: Flask, session: Session, staff: Staff
) -> None:
    old = staff.dsl.email
    bell = client_for(app, staff.dsl)
    page = bell.get("/account/email").get_data(as_text=True)
    assert email_change.NO_ALERT_EMAILS.replace("'", "&#39;") in page
    assert "I understand that I will get no safeguarding alerts by email" in page
    status, page = _change(bell, "")
    assert status == 400
    assert email_change.UNDERSTOOD in page
    assert 'href="#understood"' in page
    assert _address(session, staff.dsl) == old
    failures = select(LoginAttempt).where(LoginAttempt.success.is_(False))
    assert session.scalars(failures).all() == []  # not a password guess: nothing counted
    # A change to another address needs no tick.
    assert _change(bell, "bell@school.example.org")[0] == 302


@pytest.mark.usefixtures("mail_server")
def test_a_team_member_who_understands_may_remove_their_address(
    app: Flask, session: Session, staff: Staff, inbox: Inbox
) -> None:
    """Allowed, with the tick: the alerts still reach them in the app, and refusing would only
    push them to type a made-up address. Alerts waiting for them are withdrawn with it."""
    old = str(staff.dsl.email)
    _worry(session)
    bell = client_for(app, staff.dsl)
    response = bell.post(
        "/account/email", data={"email": "", "password": PASSWORD, "understood": "y"}
    )
    assert response.headers["Location"] == "/account/email?email=removed"
    page = bell.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your email address is removed, so the app sends you no emails." in page
    assert "you get no safeguarding alerts by email" in page
    assert _address(session, staff.dsl) is None
    assert _audit(session, "account.email_changed") == [(staff.dsl.id, f"removed: {old} to -")]
    tick()
    assert [str(m["Subject"]) for m in inbox.to(old)] == [
        "Your email address for school emails was removed"
    ]
    assert len(inbox.to(staff.deputy.email)) == 1  # the deputy is still alerted


def test_a_teacher_removes_theirs_without_a_tick(
    app: Flask, session: Session, staff: Staff
) -> None:
    assert _change(client_for(app, staff.teacher), "")[0] == 302
    assert _address(session, staff.teacher) is None


def test_only_staff_have_this_page(app: Flask, session: Session, staff: Staff) -> None:
    carer = make_account(session, Role.PARENT)
    session.commit()
    mum = client_for(app, carer)
    assert mum.get("/account/email").status_code == 403
    assert _change(mum, NEW)[0] == 403
    nobody = app.test_client().get("/account/email")
    assert nobody.status_code == 302
    assert "/sign-in" in nobody.headers["Location"]
    assert staff.teacher.email != NEW


def test_the_form_needs_the_pages_csrf_token(
    tmp_path: Path, template_db: Path, clock: Clock
) -> None:
    app = build_app(tmp_path, template_db, clock)  # CSRF on, as in production
    app.config["WTF_CSRF_ENABLED"] = False  # only while signing in
    with app.app_context():
        teacher = make_account(get_session(), Role.TEACHER)
        get_session().commit()
        lopez = client_for(app, teacher)
        app.config["WTF_CSRF_ENABLED"] = True
        assert _change(lopez, NEW)[0] == 400
        assert _address(get_session(), teacher) != NEW
        page = lopez.get("/account/email").get_data(as_text=True)
        token = re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        data = {"email": NEW, "password": PASSWORD, "csrf_token": token[0]}
        assert lopez.post("/account/email", data=data).status_code == 302
        assert _address(get_session(), teacher) == NEW


def test_one_commit_after_the_view_and_a_wrong_password_kept_before_the_400(
    app: Flask, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    lopez = client_for(app, staff.teacher)
    with commits(app, monkeypatch) as seen:
        assert _change(lopez, NEW, "wrong")[0] == 400
    assert seen == ["COMMIT", "END"]  # the failed try (and its audit), kept for throttling
    with commits(app, monkeypatch) as seen:
        assert _change(lopez, NEW)[0] == 302
    assert seen == ["END", "COMMIT"]
