"""A carer's email address is one our emails reach, wherever it is typed: a domain in other
alphabets is kept in IDNA (so the email really arrives), and what no email can reach is refused
with what to do, never accepted to fail where the carer cannot see it."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.forms import deliverable_email
from classroom.accounts.models import Account
from classroom.db import utcnow
from classroom.parents import delivery, invites
from classroom.worker import tick
from tests.app_settings import invite_settings
from tests.conftest import client_for
from tests.parents_helpers import Family, moment
from tests.smtp import Inbox

STRONG = "blue kettle on a windy hill"
NAME_REFUSED = "Emails from school cannot reach an address with accents or other alphabets"
DOMAIN_REFUSED = "The part after the @ is not a domain emails can be sent to."
READ_TWO_WAYS = "Emails from school could go to the wrong place with this domain"


def _join(app: Flask, session: Session, family: Family, email: str) -> tuple[int, str]:
    """A carer joins with a code for Amira, giving `email`; the status and the page."""
    _invite, code = invites.issue_invite(
        session, family.teacher, family.child, "Gran", invite_settings(), now=utcnow()
    )
    session.commit()
    data = {"code": code, "display_name": "Mrs Ada Khan", "email": email, "username": "gran"}
    response = app.test_client().post(
        "/family/join", data=data | {"password": STRONG, "confirm": STRONG}
    )
    return response.status_code, response.text


def _make_carer(app: Flask, family: Family, email: str) -> tuple[int, str]:
    """The class teacher makes a carer's account for Amira, with `email`."""
    response = client_for(app, family.teacher).post(
        f"/parents/pupils/{family.child.id}/carers",
        data={
            "carer-display_name": "Mrs Ada Khan",
            "carer-username": "gran",
            "carer-email": email,
            "carer-relationship": "Grandparent",
        },
    )
    return response.status_code, response.text


def _gran(session: Session) -> Account | None:
    return session.scalar(select(Account).where(Account.username == "gran"))


@pytest.mark.usefixtures("mail_server")
def test_a_carer_joining_with_an_accented_domain_gets_their_emails(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    status, _page = _join(app, session, family, "ada@exämple.co.uk")
    assert status == 302
    gran = _gran(session)
    assert gran is not None
    # Held until she confirms it (tests/parents/test_carer_email_confirm_on_join.py): the link
    # to confirm it is the first email, and it goes to the address in the form that arrives.
    assert delivery.waiting_address(session, gran) == "ada@xn--exmple-cua.co.uk"
    moment(session, family)
    tick()
    [link] = inbox.to("ada@xn--exmple-cua.co.uk")  # it arrived: nothing failed quietly
    assert str(link["Subject"]) == delivery.CONFIRM_SUBJECT


def test_staff_making_a_carer_account_keep_a_domain_in_another_alphabet_sendable(
    app: Flask, session: Session, family: Family
) -> None:
    status, _page = _make_carer(app, family, " ada@пример.рф ")
    assert status == 200
    gran = _gran(session)
    assert gran is not None
    # Held until she confirms it, as an address she typed herself would be.
    assert delivery.waiting_address(session, gran) == "ada@xn--e1afmkfd.xn--p1ai"


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("adä@example.co.uk", NAME_REFUSED),
        ("ада@пример.рф", NAME_REFUSED),
        ("ada@exämple..co.uk", DOMAIN_REFUSED),
        ("ada@straße.de", READ_TWO_WAYS),  # IDNA 2003 would send it to strasse.de
    ],
)
@pytest.mark.parametrize("where", [_join, _make_carer])
def test_an_address_no_email_can_reach_is_refused_saying_what_to_do(
    app: Flask, session: Session, family: Family, where: object, email: str, problem: str
) -> None:
    if where is _join:
        status, page = _join(app, session, family, email)
    else:
        status, page = _make_carer(app, family, email)
    assert status == 400
    assert _gran(session) is None
    assert problem in page
    assert "Give a different email address" in page or "typing mistakes" in page
    assert f'value="{email}"' in page  # what they typed is there to correct
    assert 'aria-invalid="true"' in page


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ada@example.co.uk", "ada@example.co.uk"),
        ("  Ada.Khan+school@Example.COM ", "Ada.Khan+school@Example.COM"),
        ("ada@exämple.co.uk", "ada@xn--exmple-cua.co.uk"),
        ("ada@EXÄMPLE.co.uk", "ada@xn--exmple-cua.co.uk"),
        ("ada@bücher\u3002de", "ada@xn--bcher-kva.de"),
        ("ada@xn--exmple-cua.co.uk", "ada@xn--exmple-cua.co.uk"),
    ],
)
def test_every_address_is_stored_as_emails_are_sent_to_it(typed: str, stored: str) -> None:
    assert deliverable_email(typed) == stored


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("ada", "Enter an email address like name@example.com."),
        ("ada,omar@example.com", "Enter an email address like name@example.com."),
        ("ada@home@example.com", "Enter an email address like name@example.com."),
        ("adé@example.com", NAME_REFUSED),
        ("ada@example", DOMAIN_REFUSED),
        ("ada@example.com.", DOMAIN_REFUSED),
        ("ada@-example.com", DOMAIN_REFUSED),
        ("ada@ex_ample.com", DOMAIN_REFUSED),
        ("ada@ex\u200bample.com", READ_TWO_WAYS),  # an invisible space IDNA 2003 drops
        ("ada@\u03c0\u03b1\u03c2.gr", READ_TWO_WAYS),  # a final sigma IDNA 2003 changes
        ("a" * 65 + "@example.com", "too long"),
        ("ada@" + "ä" * 60 + ".co.uk", DOMAIN_REFUSED),  # over 63 letters once in IDNA
    ],
)
def test_an_address_no_email_can_reach_is_refused(typed: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        deliverable_email(typed)
