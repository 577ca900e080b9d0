"""Issue 14 item 8: no admin alone can put an account on the safeguarding team or take one over."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.admin.models import AccountChangeRequest, ChangeStatus
from classroom.audit.models import AuditEvent
from classroom.outbox.models import OutboxMessage
from tests.conftest import sign_in
from tests.factories import PASSWORD, make_account, make_school


def _team(session: Session) -> tuple[Account, Account]:
    dsl = make_account(session, Role.DSL, display_name="Mr Bell")
    head = make_account(session, Role.HEADTEACHER, display_name="Mrs Shah")
    session.commit()
    return dsl, head


def test_admin_cannot_give_itself_the_dsl_role(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    admin = login_as(Role.ADMIN)
    response = client.post(f"/admin/accounts/{admin.id}/role", data={"role": "dsl"})
    assert response.status_code == 400
    assert b"cannot change your own role" in response.data
    session.refresh(admin)
    assert admin.role == Role.ADMIN
    assert client.get("/safeguarding/").status_code in (403, 404)


def test_no_account_can_change_its_own_role_even_to_a_lesser_one(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    admin = login_as(Role.ADMIN)
    assert (
        client.post(f"/admin/accounts/{admin.id}/role", data={"role": "teacher"}).status_code == 400
    )
    session.refresh(admin)
    assert admin.role == Role.ADMIN


def test_granting_a_safeguarding_role_waits_for_the_head_and_alerts_the_team(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    dsl, head = _team(session)
    accomplice = make_account(session, Role.TEACHER)
    session.commit()
    login_as(Role.ADMIN)
    response = client.post(f"/admin/accounts/{accomplice.id}/role", data={"role": "dsl"})
    assert "approval=1" in response.location
    session.refresh(accomplice)
    assert accomplice.role == Role.TEACHER  # no effect until approved
    theirs = app.test_client()
    sign_in(theirs, accomplice.username)
    assert theirs.get("/safeguarding/").status_code in (403, 404)
    alerted = {m.to_address for m in session.scalars(select(OutboxMessage))}
    assert {dsl.email, head.email} <= alerted
    actions = set(session.scalars(select(AuditEvent.action)))
    assert "account_change.requested" in actions
    # The head approves; only now does the role change.
    approver = app.test_client()
    sign_in(approver, head.username)
    assert "Role to" in approver.get("/admin/approvals").data.decode()
    change = session.scalar(select(AccountChangeRequest))
    assert change is not None
    assert (
        approver.post(f"/admin/approvals/{change.id}", data={"decision": "approve"}).status_code
        == 302
    )
    session.expire_all()
    assert session.get(Account, accomplice.id).role == Role.DSL
    assert "account_change.approved" in set(session.scalars(select(AuditEvent.action)))


def test_resetting_the_dsls_password_needs_approval(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    dsl, head = _team(session)
    login_as(Role.ADMIN)
    response = client.post(f"/admin/accounts/{dsl.id}/reset-password")
    assert response.status_code == 302
    assert b"One-time password" not in response.data
    # The DSL's own password still works: nothing happened yet.
    assert sign_in(app.test_client(), dsl.username, PASSWORD).status_code == 302
    change = session.scalar(select(AccountChangeRequest))
    assert change is not None
    # The DSL cannot approve a change to their own account, nor the admin who asked.
    own = app.test_client()
    sign_in(own, dsl.username)
    assert (
        own.post(f"/admin/approvals/{change.id}", data={"decision": "approve"}).status_code == 404
    )
    assert (
        client.post(f"/admin/approvals/{change.id}", data={"decision": "approve"}).status_code
        == 403
    )
    approver = app.test_client()
    sign_in(approver, head.username)
    page = approver.post(f"/admin/approvals/{change.id}", data={"decision": "approve"})
    assert b"One-time password" in page.data
    session.expire_all()
    assert session.get(AccountChangeRequest, change.id).status == ChangeStatus.APPROVED
    assert sign_in(app.test_client(), dsl.username, PASSWORD).status_code == 401


def test_admin_cannot_create_a_safeguarding_account_directly(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    login_as(Role.ADMIN)
    response = client.post(
        "/admin/accounts/new",
        data={"username": "sneaky", "display_name": "Sneaky", "email": "", "role": "dsl"},
    )
    assert response.status_code == 400
    assert session.scalar(select(Account).where(Account.username == "sneaky")) is None


def test_another_schools_team_sees_no_approvals(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    _team(session)
    teacher = make_account(session, Role.TEACHER)
    session.commit()
    login_as(Role.ADMIN)
    client.post(f"/admin/accounts/{teacher.id}/role", data={"role": "deputy_dsl"})
    change = session.scalar(select(AccountChangeRequest))
    assert change is not None
    outsider = make_account(session, Role.HEADTEACHER, school=make_school(session, name="Other"))
    session.commit()
    theirs = app.test_client()
    sign_in(theirs, outsider.username)
    assert "Nothing is waiting" in theirs.get("/admin/approvals").data.decode()
    assert (
        theirs.post(f"/admin/approvals/{change.id}", data={"decision": "approve"}).status_code
        == 404
    )
