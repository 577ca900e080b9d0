"""An admin's change to a safeguarding-team member's email address waits for approval; it is
made only from the address it was asked to change from. If the member changes their own
address meanwhile (or another change is approved first), approving it changes nothing: the
approver is told why, the request is void and audited, and the address the member chose stays.
An admin whose page is out of date is told the same before anything is asked."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.admin.models import AccountChangeRequest, ChangeStatus
from classroom.audit.models import AuditEvent
from classroom.migrate import alembic_config, upgrade
from classroom.outbox.models import OutboxMessage
from tests.conftest import Clock, client_for
from tests.factories import PASSWORD, make_account

SCHOOL_HOURS = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
ASKED = "bell.asked@school.example.org"  # what the admin asks for
CHOSEN = "bell.chosen@home.example.org"  # what Mr Bell chooses himself
OTHER = "bell.other@school.example.org"
REVISION = "account_change_old_email"


@dataclass
class School:
    admin: Account
    head: Account
    dsl: Account
    deputy: Account


@pytest.fixture
def school(session: Session, clock: Clock) -> School:
    clock.set(SCHOOL_HOURS)
    found = School(
        make_account(session, Role.ADMIN, display_name="Mrs Office"),
        make_account(session, Role.HEADTEACHER, display_name="Mrs Shah"),
        make_account(session, Role.DSL, display_name="Mr Bell"),
        make_account(session, Role.DEPUTY_DSL, display_name="Mrs Okafor"),
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


def _ask(office: FlaskClient, account: Account, typed: str, was: str | None) -> tuple[int, str]:
    """The admin's form as their page sends it: the address it showed goes with it."""
    response = office.post(
        f"/admin/accounts/{account.id}/email", data={"email": typed, "was": was or ""}
    )
    return response.status_code, response.get_data(as_text=True)


def _requests(session: Session) -> list[AccountChangeRequest]:
    session.expire_all()
    query = select(AccountChangeRequest).order_by(AccountChangeRequest.id)
    return list(session.scalars(query))


def _decide(client: FlaskClient, change: AccountChangeRequest, decision: str) -> tuple[int, str]:
    response = client.post(f"/admin/approvals/{change.id}", data={"decision": decision})
    return response.status_code, response.get_data(as_text=True)


def _change_own(client: FlaskClient, address: str) -> None:
    response = client.post("/account/email", data={"email": address, "password": PASSWORD})
    assert response.status_code == 302


def test_approving_after_the_member_changed_their_own_address_changes_nothing(
    app: Flask, session: Session, school: School
) -> None:
    old = school.dsl.email
    assert _ask(client_for(app, school.admin), school.dsl, ASKED, old)[0] == 302
    [change] = _requests(session)
    assert change.old_email == old
    _change_own(client_for(app, school.dsl), CHOSEN)  # Mr Bell moves his alerts himself
    shah = client_for(app, school.head)
    listed = shah.get("/admin/approvals").get_data(as_text=True)
    assert f"Their address has changed since this was asked (it was\n        {old})" in listed
    # Nothing to approve is offered for it: only Decline, which clears it.
    assert f"Approve <span class=\"visually-hidden\">change #{change.id}" not in listed
    assert f"Decline <span class=\"visually-hidden\">change #{change.id}" in listed
    status, page = _decide(shah, change, "approve")
    assert status == 409
    assert "<title>Error: " in page
    assert "Not changed: the email address of Mr Bell has changed since this change was" in page
    assert f"(it was {old}, it is now {CHOSEN})" in page
    assert "The request is void." in page
    assert f"Email address to {ASKED}" not in page  # no longer waiting
    assert _address(session, school.dsl) == CHOSEN  # his own choice stands
    [change] = _requests(session)
    assert (change.status, change.decided_by_id) == (ChangeStatus.VOID, school.head.id)
    assert _audit(session, "account_change.void") == [
        (school.head.id, f"#{change.id}: address changed since asked ({old} to {CHOSEN}), not made")
    ]
    assert _audit(session, "account_change.approved") == []
    assert [who for who, _ in _audit(session, "account.email_changed")] == [school.dsl.id]
    told = session.scalars(
        select(OutboxMessage.to_address).where(OutboxMessage.subject.contains("was changed"))
    )
    assert list(told) == [old]  # only his own change told anyone; nothing went to CHOSEN
    # It is decided: nobody can approve or decline it again.
    assert _decide(shah, change, "decline")[0] == 404


def test_a_second_request_while_one_waits_is_refused(
    app: Flask, session: Session, school: School
) -> None:
    """Two waiting side by side would leave the head to guess which address is right (and the
    other void once one is made): the second is refused, saying what waits."""
    old = school.dsl.email
    office = client_for(app, school.admin)
    assert _ask(office, school.dsl, ASKED, old)[0] == 302
    status, page = _ask(office, school.dsl, OTHER, old)  # asked again, before any decision
    assert status == 400
    assert f"A change of email address for Mr Bell (to {ASKED}) is already waiting" in page
    [first] = _requests(session)
    assert first.new_email == ASKED
    assert _decide(client_for(app, school.head), first, "approve")[0] == 302
    assert _address(session, school.dsl) == ASKED


def test_a_change_asked_after_the_member_changed_their_address_goes_ahead(
    app: Flask, session: Session, school: School
) -> None:
    _change_own(client_for(app, school.dsl), CHOSEN)
    office = client_for(app, school.admin)
    shown = office.get(f"/admin/accounts/{school.dsl.id}").get_data(as_text=True)
    assert f'name="was" value="{CHOSEN}"' in shown  # the page the admin saw
    assert _ask(office, school.dsl, ASKED, CHOSEN)[0] == 302
    [change] = _requests(session)
    assert change.old_email == CHOSEN
    assert _decide(client_for(app, school.head), change, "approve")[0] == 302
    assert _address(session, school.dsl) == ASKED


def test_an_admin_whose_page_is_out_of_date_is_told_before_anything_is_asked(
    app: Flask, session: Session, school: School
) -> None:
    old = school.dsl.email
    office = client_for(app, school.admin)
    shown = office.get(f"/admin/accounts/{school.dsl.id}").get_data(as_text=True)
    assert f'name="was" value="{old}"' in shown
    _change_own(client_for(app, school.dsl), CHOSEN)  # while the admin's page is open
    status, page = _ask(office, school.dsl, ASKED, old)
    assert status == 400
    assert f"Their email address changed while you had this page open: it is now {CHOSEN}." in (
        page
    )
    assert f'value="{ASKED}"' in page  # what they typed is kept
    assert f'name="was" value="{CHOSEN}"' in page  # the page now shows the address as it is
    assert _requests(session) == []
    assert _address(session, school.dsl) == CHOSEN
    # Having seen it, the admin may still ask: the request is from the address he has now.
    assert _ask(office, school.dsl, ASKED, CHOSEN)[0] == 302
    assert [change.old_email for change in _requests(session)] == [CHOSEN]


def test_a_teachers_address_is_not_overwritten_from_an_out_of_date_page(
    app: Flask, session: Session, school: School
) -> None:
    teacher = make_account(session, Role.TEACHER, display_name="Ms Lopez")
    session.commit()
    old = teacher.email
    _change_own(client_for(app, teacher), CHOSEN)
    status, _page = _ask(client_for(app, school.admin), teacher, ASKED, old)
    assert status == 400
    assert _address(session, teacher) == CHOSEN


def _waiting_request(path: Path) -> None:
    """A DSL's address change asked for, waiting, before requests kept their old address."""
    at = "2026-11-01 10:00:00+00:00"
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("INSERT INTO schools (id, name, created_at) VALUES (1, 'A school', ?)", (at,))
        for number, role, email in ((7, "dsl", "bell@school.example.org"), (8, "admin", None)):
            db.execute(
                "INSERT INTO accounts (id, school_id, username, display_name, email, role, "
                "password_hash, password_changed_at, must_change_password, active, created_at) "
                "VALUES (?, 1, ?, ?, ?, ?, 'x', ?, 0, 1, ?)",
                (number, role, role, email, role, at, at),
            )
        db.execute(
            "INSERT INTO account_change_requests (id, school_id, account_id, kind, new_email, "
            "requested_by_id, requested_at, status, note) "
            "VALUES (1, 1, 7, 'email', 'new@school.example.org', 8, ?, 'pending', '')",
            (at,),
        )


def test_waiting_requests_are_taken_as_asked_from_the_address_in_use(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url, "outbox_refusals")
    _waiting_request(path)
    upgrade(url, REVISION)
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT old_email FROM account_change_requests").fetchall() == [
            ("bell@school.example.org",)
        ]
        with db:
            db.execute("UPDATE account_change_requests SET status = 'void'")
    command.downgrade(alembic_config(url), "outbox_refusals")
    with closing(sqlite3.connect(path)) as db:
        # An older app cannot read "void": the request was never made, as a declined one.
        assert db.execute("SELECT status FROM account_change_requests").fetchall() == [
            ("declined",)
        ]
