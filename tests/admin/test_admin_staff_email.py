"""An admin changes a member of staff's email address on their account page: at once for most
staff, and only once the headteacher or another team member approves for the safeguarding
team, whose alerts go to it (as a role change or password reset of theirs waits). A carer's
address is the carer's to change, and an admin's own is changed with their password."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.admin.models import AccountChangeRequest, ChangeKind, ChangeStatus
from classroom.audit.models import AuditEvent
from classroom.db import get_session
from classroom.outbox.models import OutboxMessage
from classroom.worker import tick
from tests.conftest import Clock, build_app, client_for
from tests.factories import make_account, make_school
from tests.smtp import Inbox
from tests.test_one_commit import commits

SCHOOL_HOURS = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
NEW = "new.address@school.example.org"


@dataclass
class School:
    admin: Account
    head: Account
    dsl: Account
    deputy: Account
    teacher: Account
    carer: Account


@pytest.fixture
def school(session: Session, clock: Clock) -> School:
    clock.set(SCHOOL_HOURS)
    found = School(
        make_account(session, Role.ADMIN, display_name="Mrs Office"),
        make_account(session, Role.HEADTEACHER, display_name="Mrs Shah"),
        make_account(session, Role.DSL, display_name="Mr Bell"),
        make_account(session, Role.DEPUTY_DSL, display_name="Mrs Okafor"),
        make_account(session, Role.TEACHER, display_name="Ms Lopez"),
        make_account(session, Role.PARENT, display_name="Mrs Khan"),
    )
    session.commit()
    return found


def _address(session: Session, account: Account) -> str | None:
    session.expire_all()
    return session.scalar(select(Account.email).where(Account.id == account.id))


def _audit(session: Session, action: str) -> list[tuple[int | None, str]]:
    rows = session.execute(
        select(AuditEvent.actor_id, AuditEvent.summary).where(AuditEvent.action == action)
    )
    return [(actor, summary) for actor, summary in rows]


def _to(session: Session) -> list[str]:
    return list(session.scalars(select(OutboxMessage.to_address).order_by(OutboxMessage.id)))


@pytest.mark.usefixtures("mail_server")
def test_an_admin_changes_a_teachers_address_at_once(
    app: Flask, session: Session, school: School, inbox: Inbox
) -> None:
    old = str(school.teacher.email)
    office = client_for(app, school.admin)
    page = office.get(f"/admin/accounts/{school.teacher.id}").get_data(as_text=True)
    assert '<h2 id="email-h">Email address</h2>' in page
    assert "The change is made at once" in page
    assert f'value="{old}"' in page
    response = office.post(f"/admin/accounts/{school.teacher.id}/email", data={"email": NEW})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/admin/accounts/{school.teacher.id}?email=changed"
    )
    page = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "Email address changed. We have emailed their old address to say so." in page
    assert _address(session, school.teacher) == NEW
    assert _audit(session, "account.email_changed") == [
        (school.admin.id, f"changed: {old} to {NEW}")
    ]
    assert session.scalars(select(AccountChangeRequest)).all() == []  # no approval needed
    tick()
    [told] = inbox.to(old)
    assert str(told["Subject"]) == "Your email address for school emails was changed"
    body = told.get_payload(decode=True)
    assert isinstance(body, bytes)
    for detail in (NEW, "Lopez", "Office"):
        assert detail not in body.decode()  # no new address, no names (not even the admin's)


def test_an_admin_removes_a_teachers_address(app: Flask, session: Session, school: School) -> None:
    office = client_for(app, school.admin)
    response = office.post(f"/admin/accounts/{school.teacher.id}/email", data={"email": " "})
    assert response.headers["Location"].endswith("?email=removed")
    assert _address(session, school.teacher) is None


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("lopez at school", "Enter an email address like name@example.com."),
        ("l\u00f3pez@example.org", "Emails from school cannot reach an address with accents"),
        ("x" * 300 + "@example.org", "That email address is too long to send emails to."),
    ],
)
def test_a_bad_address_is_refused_with_what_was_typed(
    app: Flask, session: Session, school: School, typed: str, problem: str
) -> None:
    old = school.teacher.email
    office = client_for(app, school.admin)
    response = office.post(f"/admin/accounts/{school.teacher.id}/email", data={"email": typed})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert page.count(str(escape(problem))) >= 2  # at the top, and under the box
    assert f'value="{escape(typed)}"' in page
    assert 'aria-invalid="true"' in page
    assert _address(session, school.teacher) == old
    assert _audit(session, "account.email_changed") == []


def test_a_dsls_address_waits_for_the_head_and_the_asker_cannot_approve(
    app: Flask, session: Session, school: School
) -> None:
    old = str(school.dsl.email)
    office = client_for(app, school.admin)
    page = office.get(f"/admin/accounts/{school.dsl.id}").get_data(as_text=True)
    assert "no effect until the headteacher or another team member" in page
    assert "Ask to change email address" in page
    response = office.post(f"/admin/accounts/{school.dsl.id}/email", data={"email": NEW})
    assert response.headers["Location"].endswith(f"/admin/accounts/{school.dsl.id}?approval=1")
    # Nothing changed yet: not the address, and nothing is sent to the new one.
    assert _address(session, school.dsl) == old
    assert _audit(session, "account.email_changed") == []
    assert NEW not in _to(session)
    # The team hears of it, the DSL too, at the address still in use.
    assert {old, school.deputy.email, school.head.email} <= set(_to(session))
    change = session.scalars(select(AccountChangeRequest)).one()
    assert (change.kind, change.new_email, change.status) == (
        ChangeKind.EMAIL,
        NEW,
        ChangeStatus.PENDING,
    )
    assert _audit(session, "account_change.requested") == [
        (school.admin.id, f"#{change.id}: email -> {NEW}")
    ]
    page = office.get(f"/admin/accounts/{school.dsl.id}").get_data(as_text=True)
    assert f"a change to {NEW}" in page  # shown as waiting on the account page
    # The admin who asked cannot approve (no admin can), nor the DSL whose address it is.
    decide = f"/admin/approvals/{change.id}"
    assert office.post(decide, data={"decision": "approve"}).status_code == 403
    bell = client_for(app, school.dsl)
    assert bell.post(decide, data={"decision": "approve"}).status_code == 404
    assert f"Email address to {NEW}" not in bell.get("/admin/approvals").get_data(as_text=True)
    assert _address(session, school.dsl) == old
    # The head sees what it changes, and approves: only now does it take effect.
    shah = client_for(app, school.head)
    approvals = shah.get("/admin/approvals").get_data(as_text=True)
    assert f"Email address to {NEW}" in approvals
    assert f"(now {old})" in approvals
    assert shah.post(decide, data={"decision": "approve"}).status_code == 302
    assert _address(session, school.dsl) == NEW
    assert _audit(session, "account_change.approved") == [(school.head.id, f"#{change.id}")]
    assert _audit(session, "account.email_changed") == [
        (school.head.id, f"changed: {old} to {NEW}")
    ]
    told = session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject.contains("was changed"))
    ).one()
    assert told.to_address == old


def test_a_declined_change_changes_nothing(app: Flask, session: Session, school: School) -> None:
    old = school.deputy.email
    office = client_for(app, school.admin)
    office.post(f"/admin/accounts/{school.deputy.id}/email", data={"email": ""})
    change = session.scalars(select(AccountChangeRequest)).one()
    assert change.new_email is None  # removing the address
    bell = client_for(app, school.dsl)
    approvals = bell.get("/admin/approvals").get_data(as_text=True)
    assert "Remove email address (they would get no safeguarding alerts by" in approvals
    assert (
        bell.post(f"/admin/approvals/{change.id}", data={"decision": "decline"}).status_code == 302
    )
    assert _address(session, school.deputy) == old
    assert _audit(session, "account.email_changed") == []


def test_the_heads_address_waits_too_and_the_same_address_asks_nothing(
    app: Flask, session: Session, school: School
) -> None:
    office = client_for(app, school.admin)
    same = office.post(f"/admin/accounts/{school.head.id}/email", data={"email": school.head.email})
    assert same.headers["Location"].endswith("?email=unchanged")
    assert session.scalars(select(AccountChangeRequest)).all() == []
    office.post(f"/admin/accounts/{school.head.id}/email", data={"email": NEW})
    assert session.scalars(select(AccountChangeRequest.kind)).all() == [ChangeKind.EMAIL]
    assert _address(session, school.head) != NEW


def test_a_carers_address_is_not_an_admins_to_change(
    app: Flask, session: Session, school: School
) -> None:
    old = school.carer.email
    office = client_for(app, school.admin)
    page = office.get(f"/admin/accounts/{school.carer.id}").get_data(as_text=True)
    assert "Carers change their own address, with their password" in page
    assert f'action="/admin/accounts/{school.carer.id}/email"' not in page
    response = office.post(f"/admin/accounts/{school.carer.id}/email", data={"email": NEW})
    assert response.status_code == 404
    assert _address(session, school.carer) == old
    assert session.scalars(select(AccountChangeRequest)).all() == []


def test_an_admins_own_address_is_changed_with_their_password(
    app: Flask, session: Session, school: School
) -> None:
    office = client_for(app, school.admin)
    page = office.get(f"/admin/accounts/{school.admin.id}").get_data(as_text=True)
    assert '<a href="/account/email">Your email address</a>.' in page
    response = office.post(f"/admin/accounts/{school.admin.id}/email", data={"email": NEW})
    assert response.status_code == 404
    assert _address(session, school.admin) != NEW


def test_only_an_admin_of_the_same_school(app: Flask, session: Session, school: School) -> None:
    elsewhere = make_account(session, Role.ADMIN, school=make_school(session, name="Far"))
    session.commit()
    path = f"/admin/accounts/{school.teacher.id}/email"
    assert client_for(app, elsewhere).post(path, data={"email": NEW}).status_code == 404
    for who in (school.head, school.dsl, school.teacher, school.carer):
        assert client_for(app, who).post(path, data={"email": NEW}).status_code == 403
    assert _address(session, school.teacher) != NEW


def test_the_form_needs_the_pages_csrf_token(
    tmp_path: Path, template_db: Path, clock: Clock
) -> None:
    app = build_app(tmp_path, template_db, clock)  # CSRF on, as in production
    app.config["WTF_CSRF_ENABLED"] = False  # only while signing in
    with app.app_context():
        admin = make_account(get_session(), Role.ADMIN)
        teacher = make_account(get_session(), Role.TEACHER)
        get_session().commit()
        office = client_for(app, admin)
        app.config["WTF_CSRF_ENABLED"] = True
        path = f"/admin/accounts/{teacher.id}/email"
        assert office.post(path, data={"email": NEW}).status_code == 400
        assert _address(get_session(), teacher) != NEW
        page = office.get(f"/admin/accounts/{teacher.id}").get_data(as_text=True)
        token = re.findall(r'name="csrf_token" value="([^"]+)"', page)
        assert office.post(path, data={"email": NEW, "csrf_token": token[0]}).status_code == 302
        assert _address(get_session(), teacher) == NEW


def test_each_change_commits_once_when_the_view_has_returned(
    app: Flask, session: Session, school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = client_for(app, school.admin)
    teacher, dsl = (f"/admin/accounts/{a.id}/email" for a in (school.teacher, school.dsl))
    # At once, asked for approval, and refused.
    for path, typed, status in ((teacher, NEW, 302), (dsl, NEW, 302), (teacher, "no", 400)):
        session.commit()  # the test client would commit the test's own session first
        with commits(app, monkeypatch) as seen:
            assert office.post(path, data={"email": typed}).status_code == status
        assert seen == (["END", "COMMIT"] if status == 302 else ["END"])
