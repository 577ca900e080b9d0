"""A carer account staff make (on the admin pages, or on the child's carers page) holds the
address staff typed until the carer signs in and opens the link emailed to it, as one a carer
types is: no school news goes to a mistyped address, and the staff pages say it is waiting."""

from __future__ import annotations

import io
import re
from email.message import Message

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.accounts.passwords import hash_password
from classroom.audit.models import AuditEvent
from classroom.parents import delivery
from classroom.pupils.importer import make_upn
from classroom.worker import tick
from tests.conftest import Clock, client_for
from tests.factories import PASSWORD, link_parent
from tests.parents_helpers import Family, make_family, moment
from tests.smtp import Inbox

TYPED = "ada.khan@example.org"
WAITING = f"{TYPED}: waiting for the carer to confirm"


def _gran(session: Session) -> Account:
    session.expire_all()
    gran = session.scalar(select(Account).where(Account.username == "gran"))
    assert gran is not None
    return gran


def _audit(session: Session, action: str) -> list[tuple[int | None, str]]:
    rows = session.execute(
        select(AuditEvent.actor_id, AuditEvent.summary).where(AuditEvent.action == action)
    )
    return [(actor, summary) for actor, summary in rows]


def _body(message: Message) -> str:
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    return body.decode()


def _signed_in(app: Flask, session: Session) -> FlaskClient:
    """Gran after signing in with her one-time password and choosing her own."""
    gran = _gran(session)
    gran.password_hash, gran.must_change_password = hash_password(PASSWORD), False
    session.commit()
    return client_for(app, gran)


def _admin_makes_gran(app: Flask, family: Family, role: Role = Role.PARENT) -> str:
    data = {"username": "gran", "display_name": "Mrs Ada Khan", "role": role.value, "email": TYPED}
    response = client_for(app, family.admin).post("/admin/accounts/new", data=data)
    assert response.status_code == 201, response.text
    return response.text


@pytest.fixture
def family(session: Session, clock: Clock) -> Family:
    made = make_family(session, clock)
    session.commit()
    return made


@pytest.mark.usefixtures("mail_server")
def test_an_admin_made_carer_account_holds_its_address_until_the_carer_confirms(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    page = _admin_makes_gran(app, family)
    assert WAITING in page
    gran = _gran(session)
    assert gran.email is None
    assert delivery.waiting_address(session, gran) == TYPED
    assert (family.admin.id, f"given by staff: {TYPED}") in _audit(session, "carer.email_held")
    assert _audit(session, "carer.email_link_sent") == [(family.admin.id, TYPED)]
    detail = client_for(app, family.admin).get(f"/admin/accounts/{gran.id}").text
    assert WAITING in detail  # the account page is truthful too
    link_parent(session, gran, family.child)
    session.commit()
    moment(session, family)
    tick()
    [link] = inbox.to(TYPED)  # the link, and no news before she confirms
    assert str(link["Subject"]) == delivery.CONFIRM_SUBJECT
    match = re.search(r"/family/email/confirm\?link=(\S+)", _body(link))
    assert match is not None
    confirmed = _signed_in(app, session).post(
        "/family/email/confirm", data={"link": match.group(1)}
    )
    assert confirmed.headers["Location"] == "/family/settings?email=confirmed"
    assert _gran(session).email == TYPED
    assert WAITING not in client_for(app, family.admin).get(f"/admin/accounts/{gran.id}").text
    moment(session, family, note="Another one.")
    tick()
    assert str(inbox.to(TYPED)[-1]["Subject"]) == delivery.SUBJECT  # news goes now


def test_a_staff_account_made_by_an_admin_keeps_its_address_at_once(
    app: Flask, session: Session, family: Family
) -> None:
    """Staff addresses are not held: only carers' (the policy's unchecked recipients)."""
    page = _admin_makes_gran(app, family, Role.TEACHER)
    assert "waiting for the carer" not in page
    assert _gran(session).email == TYPED


@pytest.mark.usefixtures("mail_server")
def test_a_carer_account_made_on_the_childs_page_holds_its_address(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    data = {
        "carer-display_name": "Mrs Ada Khan",
        "carer-username": "gran",
        "carer-email": TYPED,
        "carer-relationship": "Grandmother",
    }
    teacher = client_for(app, family.teacher)
    response = teacher.post(f"/parents/pupils/{family.child.id}/carers", data=data)
    assert response.status_code == 200, response.text
    assert WAITING in response.text
    gran = _gran(session)
    assert gran.email is None
    assert delivery.waiting_address(session, gran) == TYPED
    assert _audit(session, "carer.email_link_sent") == [(family.teacher.id, TYPED)]
    moment(session, family)
    tick()
    assert [str(m["Subject"]) for m in inbox.to(TYPED)] == [delivery.CONFIRM_SUBJECT]


@pytest.mark.usefixtures("mail_server")
def test_a_carer_account_the_mis_import_makes_holds_its_address_and_is_found_again(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    body = (
        "UPN,Legal Forename,Legal Surname,DOB,Reg Group,"
        "Contact 1 Name,Contact 1 Email,Contact 1 Relationship\n"
        f"{make_upn('823100000009')},Omar,Khan,14/03/2011,Oak,Ada Khan,{TYPED},Grandmother\n"
    )
    admin = client_for(app, family.admin)
    for _ in range(2):  # the next export names her the same way: found again, not made twice
        data = {"file": (io.BytesIO(body.encode()), "export.csv")}
        response = admin.post("/admin/import", data=data, content_type="multipart/form-data")
        assert response.status_code == 200, response.text
    session.expire_all()
    [ada] = session.scalars(select(Account).where(Account.display_name == "Ada Khan"))
    assert ada.email is None
    assert delivery.waiting_address(session, ada) == TYPED
    assert WAITING in admin.get(f"/admin/accounts/{ada.id}").text
    assert _audit(session, "carer.email_link_sent") == [(family.admin.id, TYPED)]
    tick()
    assert [str(m["Subject"]) for m in inbox.to(TYPED)] == [delivery.CONFIRM_SUBJECT]
