"""A term's account work as the office manager does it: a second change refused while one waits
for the head is on the audit log (who tried what, for whom), as the policy asks of every action;
and a member of staff who leaves mid-term is said to be deactivated, sessions ended, with the
classes they are still listed on, which the Classes page marks as having no access."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.admin.models import AccountChangeRequest
from classroom.audit.models import AuditEvent
from tests.conftest import Clock, client_for
from tests.factories import make_account, make_class, make_pupil

TERM = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)


def _said(page: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def people(session: Session, clock: Clock) -> dict[str, Account]:
    clock.set(TERM)
    oak = make_class(session, name="Oak")
    found = {
        "office": make_account(session, Role.ADMIN, display_name="Mrs Office"),
        "head": make_account(session, Role.HEADTEACHER, display_name="Mrs Shah"),
        "dsl": make_account(session, Role.DSL, display_name="Mr Bell"),
        "teacher": make_account(session, Role.TEACHER, display_name="Ms Lopez"),
        "leaver": make_account(session, Role.TEACHER, [oak], display_name="Ms Leaver"),
    }
    session.commit()
    return found


def _audit(session: Session, action: str) -> list[tuple[str, int | None, str]]:
    session.expire_all()
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return [(e.actor_name, e.object_id, e.summary) for e in session.scalars(query)]


def _count(session: Session) -> int:
    session.expire_all()
    return len(list(session.scalars(select(AccountChangeRequest))))


SECOND_TRIES = [
    (
        "role",
        {"role": "dsl"},
        {"role": "deputy_dsl"},
        "change of role (to Designated Safeguarding Lead)",
    ),
    ("reset-password", {}, {}, "password reset"),
    (
        "email",
        {"email": "bell.new@school.example.org"},
        {"email": "bell.other@school.example.org"},
        "change of email address (to bell.new@school.example.org)",
    ),
]


@pytest.mark.parametrize(("path", "first", "second", "waits"), SECOND_TRIES)
def test_a_refused_second_change_is_on_the_audit_log(
    app: Flask,
    session: Session,
    people: dict[str, Account],
    path: str,
    first: dict[str, str],
    second: dict[str, str],
    waits: str,
) -> None:
    office = client_for(app, people["office"])
    who = people["teacher"] if path == "role" else people["dsl"]
    asked = office.post(f"/admin/accounts/{who.id}/{path}", data=first)
    assert asked.status_code == 302
    refused = office.post(f"/admin/accounts/{who.id}/{path}", data=second)
    assert refused.status_code == 400
    assert "already waiting for approval" in _said(refused.get_data(as_text=True))
    assert _count(session) == 1  # nothing asked by the refused try
    entries = _audit(session, "account_change.refused")
    assert entries == [("Mrs Office", who.id, f"{waits}: #1 still waits")]
    # The head finds it by action on the audit log.
    head = client_for(app, people["head"])
    page = _said(head.get("/admin/audit?action=account_change.refused").get_data(as_text=True))
    assert "1 entry." in page
    assert f"Mrs Office (staff) account_change.refused Account #{who.id}" in page


def test_a_leaver_is_said_deactivated_with_the_classes_still_listing_them(
    app: Flask, people: dict[str, Account]
) -> None:
    leaver = people["leaver"]
    laptop = client_for(app, leaver)  # still signed in on another device
    office = client_for(app, people["office"])
    done = office.post(f"/admin/accounts/{leaver.id}/active", data={"active": "0"})
    assert done.status_code == 302
    page = _said(office.get(done.headers["Location"]).get_data(as_text=True))
    assert "Account deactivated: their sessions have ended." in page
    assert "Classes Oak: still listed there for the record, with no access." in page
    assert laptop.get("/").headers["Location"].startswith("/sign-in")
    classes = _said(office.get("/admin/classes").get_data(as_text=True))
    assert "Ms Leaver (Teacher; deactivated: no access)" in classes


def test_the_head_finds_what_was_done_to_a_person_or_pupil_by_name(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    leaver = people["leaver"]
    pupil = make_pupil(session, first_name="Zainab", last_name="Okoro")
    session.commit()
    office = client_for(app, people["office"])
    office.post(f"/admin/accounts/{leaver.id}/active", data={"active": "0"})
    head = client_for(app, people["head"])
    head.get(f"/pupils/{pupil.id}")
    # Nothing was done by Ms Leaver (the Who box finds nothing); her leaving was about her.
    assert "0 entries." in _said(head.get("/admin/audit?who=Leaver").get_data(as_text=True))
    page = _said(head.get("/admin/audit?about=Leaver").get_data(as_text=True))
    assert f"Mrs Office (staff) account.deactivated Account #{leaver.id} (Ms Leaver)" in page
    assert "1 entry." in page  # not the others' sign-ins, nor the pupil's page
    # Typed as it comes: any capitals, on PostgreSQL as on SQLite.
    pupil_page = _said(head.get("/admin/audit?about=zainab okoro").get_data(as_text=True))
    assert f"Pupil #{pupil.id} (Zainab Okoro)" in pupil_page
    assert "account.deactivated" not in pupil_page


def test_the_head_approving_for_someone_deactivated_is_told_so_and_can_go_back(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    dsl, teacher = people["dsl"], people["teacher"]
    office = client_for(app, people["office"])
    office.post(f"/admin/accounts/{dsl.id}/reset-password")
    office.post(f"/admin/accounts/{teacher.id}/role", data={"role": "dsl"})
    office.post(f"/admin/accounts/{dsl.id}/active", data={"active": "0"})  # left meanwhile
    head = client_for(app, people["head"])
    listed = _said(head.get("/admin/approvals").get_data(as_text=True))
    gone = "(Designated Safeguarding Lead; deactivated: approving gives them no access until"
    assert f"Mr Bell {gone}" in listed
    assert "Ms Lopez (Teacher) Role to" in listed  # still active: nothing more said
    change = session.scalar(
        select(AccountChangeRequest).where(AccountChangeRequest.account_id == dsl.id)
    )
    assert change is not None
    shown = head.post(f"/admin/approvals/{change.id}", data={"decision": "approve"})
    page = shown.get_data(as_text=True)
    assert "this password lets them in only once the account is reactivated" in _said(page)
    back = re.search(r'<a class="tap-link" href="([^"]+)">([^<]+)</a>', page)
    assert back is not None
    assert back.group(2) == "Back to approvals"
    assert head.get(back.group(1)).status_code == 200  # never a page the head may not open
