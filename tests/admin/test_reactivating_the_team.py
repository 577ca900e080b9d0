"""A deactivated member of the safeguarding team gets their access to child-protection records
back only when a second person agrees: one admin alone pressing Reactivate asks the headteacher
or another team member, as for a role that puts someone on the team. Anyone else's account is
reactivated at once, as before."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.admin.models import AccountChangeRequest, ChangeKind, ChangeStatus
from classroom.audit.models import AuditEvent
from classroom.outbox.models import OutboxMessage
from tests.conftest import Clock, client_for
from tests.factories import make_account

ASKED = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)


def _said(page: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def people(session: Session, clock: Clock) -> dict[str, Account]:
    clock.set(ASKED)
    found = {
        "office": make_account(session, Role.ADMIN, display_name="Mrs Office"),
        "head": make_account(session, Role.HEADTEACHER, display_name="Mrs Shah"),
        "dsl": make_account(session, Role.DSL, display_name="Mr Bell"),
        "deputy": make_account(session, Role.DEPUTY_DSL, display_name="Mrs Okafor"),
        "teacher": make_account(session, Role.TEACHER, display_name="Ms Lee"),
    }
    found["dsl"].active = False
    found["teacher"].active = False
    session.commit()
    return found


def _audit(session: Session, action: str) -> list[str]:
    query = select(AuditEvent.summary).where(AuditEvent.action == action)
    return list(session.scalars(query.order_by(AuditEvent.id)))


def _active(session: Session, account: Account) -> bool:
    session.expire_all()
    return session.get(Account, account.id).active  # type: ignore[union-attr]


def test_one_admin_cannot_give_a_leaver_back_safeguarding_access(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    office, dsl = client_for(app, people["office"]), people["dsl"]
    page = _said(office.get(f"/admin/accounts/{dsl.id}").get_data(as_text=True))
    assert "Ask to reactivate account" in page
    assert "the headteacher or another team member approves it first" in page

    asked = office.post(f"/admin/accounts/{dsl.id}/active", data={"active": "1"})
    assert "approval=1" in asked.location
    assert not _active(session, dsl)  # no access yet
    (change,) = session.scalars(select(AccountChangeRequest))
    assert (change.kind, change.status) == (ChangeKind.REACTIVATE, ChangeStatus.PENDING)
    assert _audit(session, "account_change.requested") == [f"#{change.id}: reactivation"]
    assert _audit(session, "account.activated") == []
    told = session.scalars(select(OutboxMessage.to_address)).all()
    assert people["head"].email in told  # the team hears of it
    assert people["deputy"].email in told

    # The page says what waits where the button was; pressing again (an old tab) is refused.
    page = _said(office.get(f"/admin/accounts/{dsl.id}").get_data(as_text=True))
    assert "Waiting for approval: reactivating the account, asked by Mrs Office" in page
    assert "Ask to reactivate account" not in page
    again = office.post(f"/admin/accounts/{dsl.id}/active", data={"active": "1"})
    assert again.status_code == 400
    assert "A reactivation for Mr Bell is already waiting for approval." in _said(again.text)
    assert _audit(session, "account_change.refused") == [f"reactivation: #{change.id} still waits"]
    assert len(session.scalars(select(AccountChangeRequest)).all()) == 1


def test_the_head_approves_and_only_then_the_account_is_active(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    office, dsl = client_for(app, people["office"]), people["dsl"]
    office.post(f"/admin/accounts/{dsl.id}/active", data={"active": "1"})
    head = client_for(app, people["head"])
    listed = _said(head.get("/admin/approvals").get_data(as_text=True))
    assert "Reactivate the account (its access comes back, to child-protection records too)" in (
        listed
    )
    (change,) = session.scalars(select(AccountChangeRequest))
    decided = head.post(f"/admin/approvals/{change.id}", data={"decision": "approve"})
    assert decided.status_code == 302
    assert _active(session, dsl)
    assert _audit(session, "account_change.approved") == [f"#{change.id}"]
    (activated,) = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.activated")
    )
    assert activated.actor_id == people["head"].id


def test_declined_the_account_stays_deactivated(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    office, dsl = client_for(app, people["office"]), people["dsl"]
    office.post(f"/admin/accounts/{dsl.id}/active", data={"active": "1"})
    (change,) = session.scalars(select(AccountChangeRequest))
    deputy = client_for(app, people["deputy"])
    assert deputy.post(f"/admin/approvals/{change.id}", data={"decision": "decline"}).status_code
    assert not _active(session, dsl)
    page = _said(office.get(f"/admin/accounts/{dsl.id}").get_data(as_text=True))
    assert "Ask to reactivate account" in page  # it may be asked again


def test_anyone_else_is_reactivated_at_once(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    office, teacher = client_for(app, people["office"]), people["teacher"]
    page = _said(office.get(f"/admin/accounts/{teacher.id}").get_data(as_text=True))
    assert "Reactivate account" in page
    assert "Ask to reactivate" not in page
    done = office.post(f"/admin/accounts/{teacher.id}/active", data={"active": "1"})
    assert "saved=1" in done.location
    assert _active(session, teacher)
    assert session.scalars(select(AccountChangeRequest)).all() == []
