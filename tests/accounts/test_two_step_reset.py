"""A lost phone whose recovery codes are lost too: an admin resets the two-step sign-in, with a
second person's approval for the safeguarding team (whoever knows a team member's password
could otherwise set up their own app), and the person sets it up again at their next sign-in."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, RecoveryCode, RememberedDevice, Role, TwoFactor
from classroom.admin.models import AccountChangeRequest, ChangeStatus
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.outbox.models import OutboxMessage
from tests.conftest import client_for, sign_in
from tests.factories import PASSWORD, make_account

RESET = "/admin/accounts/{}/reset-two-step"


def _password_step(app: Flask, account: Account) -> str:
    """Where the password alone leads: the code step, setting up an app, or in."""
    response = app.test_client().post(
        "/sign-in", data={"username": account.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return str(response.location)


def _audit(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_resetting_the_dsls_two_step_waits_for_approval_then_they_set_it_up_again(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    dsl = make_account(session, Role.DSL, display_name="Mr Bell")
    head = make_account(session, Role.HEADTEACHER, display_name="Mrs Shah")
    session.add(RecoveryCode(account_id=dsl.id, code_hash="a" * 64, created_at=utcnow()))
    session.commit()
    dsls_laptop = client_for(app, dsl)
    login_as(Role.ADMIN)
    page = client.get(f"/admin/accounts/{dsl.id}").data.decode()
    assert "Reset two-step sign-in" in page

    asked = client.post(RESET.format(dsl.id))
    assert "approval=1" in asked.location
    # Nothing happened yet: the DSL still needs their code, and stays signed in.
    assert _password_step(app, dsl).endswith("/sign-in/code")
    assert dsls_laptop.get("/safeguarding/").status_code == 200
    assert {dsl.email, head.email} <= set(session.scalars(select(OutboxMessage.to_address)))

    change = session.scalar(select(AccountChangeRequest))
    assert change is not None
    approver = client_for(app, head)
    listed = approver.get("/admin/approvals").data.decode()
    assert "Reset two-step sign-in" in listed
    decided = approver.post(f"/admin/approvals/{change.id}", data={"decision": "approve"})
    assert decided.status_code == 302

    session.expire_all()
    assert session.get(AccountChangeRequest, change.id).status == ChangeStatus.APPROVED
    assert session.scalar(select(TwoFactor).where(TwoFactor.account_id == dsl.id)) is None
    codes = session.scalars(select(RecoveryCode).where(RecoveryCode.account_id == dsl.id))
    assert all(code.used_at is not None for code in codes)
    assert "/sign-in" in dsls_laptop.get("/safeguarding/").location  # signed out everywhere
    # The password alone reaches no page: the DSL sets up a new app first.
    assert _password_step(app, dsl).endswith("/sign-in/set-up-app")
    [entry] = _audit(session, "two_factor.reset")
    assert entry.actor_id == head.id
    assert entry.object_id == dsl.id


def test_a_declined_reset_changes_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    dsl = make_account(session, Role.DSL)
    head = make_account(session, Role.HEADTEACHER)
    session.commit()
    login_as(Role.ADMIN)
    client.post(RESET.format(dsl.id))
    change = session.scalar(select(AccountChangeRequest))
    assert change is not None
    approver = client_for(app, head)
    approver.post(f"/admin/approvals/{change.id}", data={"decision": "decline"})
    assert _password_step(app, dsl).endswith("/sign-in/code")
    assert _audit(session, "two_factor.reset") == []


def test_a_teachers_own_choice_of_two_step_is_reset_at_once(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    """Not on the team: no approval. Their remembered iPads ask again, and as two-step sign-in is
    their own choice, the password alone signs them in until they set it up again."""
    teacher = make_account(session, Role.TEACHER, two_factor=True)
    session.add(
        RememberedDevice(
            account_id=teacher.id,
            token_hash="b" * 64,
            label="Class iPad",
            created_at=utcnow(),
            expires_at=utcnow().replace(year=utcnow().year + 1),
        )
    )
    session.commit()
    assert _password_step(app, teacher).endswith("/sign-in/code")
    login_as(Role.ADMIN)
    done = client.post(RESET.format(teacher.id))
    assert "two_step_reset=1" in done.location
    assert "Two-step sign-in reset" in client.get(done.location).data.decode()
    session.expire_all()
    assert session.scalar(select(AccountChangeRequest)) is None
    device = session.scalar(select(RememberedDevice))
    assert device is not None
    assert device.revoked_at is not None
    assert _password_step(app, teacher) == "/"
    assert len(_audit(session, "two_factor.reset")) == 1


def test_an_account_without_two_step_has_nothing_to_reset(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    teacher = make_account(session, Role.TEACHER, two_factor=False)
    session.commit()
    login_as(Role.ADMIN)
    assert "Reset two-step sign-in" not in client.get(f"/admin/accounts/{teacher.id}").data.decode()
    refused = client.post(RESET.format(teacher.id))
    assert refused.status_code == 400
    assert "no two-step sign-in to reset" in refused.data.decode()


def test_only_admins_may_reset_two_step(app: Flask, session: Session) -> None:
    dsl = make_account(session, Role.DSL)
    head = make_account(session, Role.HEADTEACHER)
    session.commit()
    for who in (head, make_account(session, Role.TEACHER)):
        session.commit()
        browser = app.test_client()
        sign_in(browser, who.username)
        assert browser.post(RESET.format(dsl.id)).status_code == 403
    assert session.scalar(select(AccountChangeRequest)) is None
    assert _password_step(app, dsl).endswith("/sign-in/code")
