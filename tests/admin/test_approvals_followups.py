"""Two role changes for one person must not both wait for the head: a second is refused while
one waits, with why; one approved closes any other still waiting (same commit, audited); and a
waiting change that would now change nothing is shown as already in force, with only Decline."""

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
from tests.conftest import Clock, client_for
from tests.factories import make_account

ASKED = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)


def _said(page: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _buttons(page: str) -> list[str]:
    found = re.findall(r"<button[^>]*>(.*?)</button>", page, flags=re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", b)).split()) for b in found]


@pytest.fixture
def people(session: Session, clock: Clock) -> dict[str, Account]:
    clock.set(ASKED)
    found = {
        "office": make_account(session, Role.ADMIN, display_name="Mrs Office"),
        "head": make_account(session, Role.HEADTEACHER, display_name="Mrs Shah"),
        "dsl": make_account(session, Role.DSL, display_name="Mr Bell"),
        "teacher": make_account(session, Role.TEACHER, display_name="Ms Lopez"),
    }
    session.commit()
    return found


def _waiting(session: Session, people: dict[str, Account], role: Role) -> AccountChangeRequest:
    """A role change for Ms Lopez waiting as one asked before this check could be (two could
    be asked then): made directly, as the database may already hold it."""
    teacher = people["teacher"]
    change = AccountChangeRequest(
        school_id=teacher.school_id,
        account_id=teacher.id,
        kind=ChangeKind.ROLE,
        new_role=role,
        requested_by_id=people["office"].id,
        requested_at=ASKED,
    )
    session.add(change)
    session.commit()
    return change


def _role_requests(session: Session) -> list[AccountChangeRequest]:
    session.expire_all()
    query = select(AccountChangeRequest).where(AccountChangeRequest.kind == ChangeKind.ROLE)
    return list(session.scalars(query.order_by(AccountChangeRequest.id)))


def _audit(session: Session, action: str) -> list[str]:
    query = select(AuditEvent.summary).where(AuditEvent.action == action)
    return list(session.scalars(query.order_by(AuditEvent.id)))


def test_a_second_role_change_is_refused_while_one_waits(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    office = client_for(app, people["office"])
    teacher = people["teacher"]
    first = office.post(f"/admin/accounts/{teacher.id}/role", data={"role": "dsl"})
    assert "approval=1" in first.location
    again = office.post(f"/admin/accounts/{teacher.id}/role", data={"role": "deputy_dsl"})
    assert again.status_code == 400
    page = _said(again.get_data(as_text=True))
    assert (
        "A change of role for Ms Lopez (to Designated Safeguarding Lead) is already waiting"
        " for approval." in page
    )
    assert 'href="#role"' in again.get_data(as_text=True)  # the summary links to the box
    # Nor is a change made at once (to a role off the team) while one waits.
    direct = office.post(f"/admin/accounts/{teacher.id}/role", data={"role": "admin"})
    assert direct.status_code == 400
    (only,) = _role_requests(session)
    assert only.new_role == Role.DSL
    assert only.status == ChangeStatus.PENDING
    assert session.get(Account, teacher.id).role == Role.TEACHER  # type: ignore[union-attr]
    assert len(_audit(session, "account_change.requested")) == 1
    # Once it is decided, their role can be changed again.
    head = client_for(app, people["head"])
    assert head.post(f"/admin/approvals/{only.id}", data={"decision": "decline"}).status_code == 302
    assert (
        "approval=1"
        in office.post(f"/admin/accounts/{teacher.id}/role", data={"role": "deputy_dsl"}).location
    )


def test_approving_one_role_change_closes_the_other_waiting_in_the_same_commit(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    first = _waiting(session, people, Role.DSL)
    second = _waiting(session, people, Role.DEPUTY_DSL)
    head = client_for(app, people["head"])
    assert (
        head.post(f"/admin/approvals/{first.id}", data={"decision": "approve"}).status_code == 302
    )
    approved, closed = _role_requests(session)
    assert approved.status == ChangeStatus.APPROVED
    assert closed.id == second.id
    assert closed.status == ChangeStatus.VOID
    assert closed.decided_by_id == people["head"].id
    assert f"#{first.id} was approved first" in closed.note
    (summary,) = _audit(session, "account_change.void")
    assert summary.startswith(f"#{second.id}: closed, #{first.id} approved first")
    assert session.get(Account, people["teacher"].id).role == Role.DSL  # type: ignore[union-attr]
    page = _said(head.get("/admin/approvals").get_data(as_text=True))
    assert "Nothing is waiting for approval." in page
    assert f"Role to {Role.DEPUTY_DSL.label}" not in page


def test_a_change_already_in_force_has_nothing_to_approve_only_decline(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    teacher = people["teacher"]
    teacher.role = Role.DSL  # the other change was approved before closing was in place
    session.commit()
    empty = _waiting(session, people, Role.DSL)
    head = client_for(app, people["head"])
    page = head.get("/admin/approvals").get_data(as_text=True)
    assert "Already in force - nothing to approve" in _said(page)
    names = _buttons(page)
    assert not any(n.startswith("Approve") for n in names), names
    assert any(
        n.startswith("Decline") and "Ms Lopez, role to Designated Safeguarding Lead" in n
        for n in names
    ), names
    # The page only shows it: a GET closes nothing.
    assert _role_requests(session)[0].status == ChangeStatus.PENDING
    assert _audit(session, "account_change.void") == []
    # An Approve sent anyway (an old page, or forged) approves nothing: closed, said, audited.
    forced = head.post(f"/admin/approvals/{empty.id}", data={"decision": "approve"})
    assert forced.status_code == 409
    said = _said(forced.get_data(as_text=True))
    assert (
        "Nothing to approve: the role of Ms Lopez is already Designated Safeguarding Lead" in said
    )
    (closed,) = _role_requests(session)
    assert closed.status == ChangeStatus.VOID
    assert _audit(session, "account_change.approved") == []
    assert _audit(session, "account_change.void") == [
        f"#{empty.id}: role already Designated Safeguarding Lead, nothing to approve"
    ]


def test_a_change_already_in_force_can_be_declined(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    people["teacher"].role = Role.DSL
    session.commit()
    empty = _waiting(session, people, Role.DSL)
    head = client_for(app, people["head"])
    declined = head.post(f"/admin/approvals/{empty.id}", data={"decision": "decline"})
    page = _said(head.get(declined.location).get_data(as_text=True))
    assert "Declined: Ms Lopez, role to Designated Safeguarding Lead. Nothing was changed." in page
    assert "Nothing is waiting for approval." in page
    assert _audit(session, "account_change.declined") == [f"#{empty.id}"]
