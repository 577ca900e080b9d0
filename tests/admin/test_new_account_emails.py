"""An admin making a staff or carer account gives an email address our emails reach: a domain in
other alphabets is kept in IDNA (so the emails arrive), and what no email can reach is refused
beside the field, with what to do, before any account is made."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.parents import delivery
from classroom.worker import tick
from tests.conftest import Clock, client_for
from tests.parents_helpers import make_family
from tests.smtp import Inbox

NAME_REFUSED = "Emails from school cannot reach an address with accents or other alphabets"
DOMAIN_REFUSED = "The part after the @ is not a domain emails can be sent to."
READ_TWO_WAYS = "Emails from school could go to the wrong place with this domain"
SHAPE = "Enter an email address like name@example.com."


def _new_account(client: FlaskClient, email: str, role: Role = Role.PARENT) -> tuple[int, str]:
    response = client.post(
        "/admin/accounts/new",
        data={
            "username": "gran",
            "display_name": "Mrs Ada Khan",
            "role": role.value,
            "email": email,
        },
    )
    return response.status_code, response.text


def _gran(session: Session) -> Account | None:
    return session.scalar(select(Account).where(Account.username == "gran"))


@pytest.mark.usefixtures("mail_server")
def test_a_carer_account_with_an_accented_domain_gets_its_emails(
    app: Flask, session: Session, inbox: Inbox, clock: Clock
) -> None:
    family = make_family(session, clock)
    status, page = _new_account(client_for(app, family.admin), " ada@exämple.co.uk ")
    assert status == 201, page
    gran = _gran(session)
    assert gran is not None
    # Held until she confirms it (tests/admin/test_carer_accounts_held.py): the link to confirm
    # it goes to the address in the form that arrives.
    assert delivery.waiting_address(session, gran) == "ada@xn--exmple-cua.co.uk"
    tick()
    [link] = inbox.to("ada@xn--exmple-cua.co.uk")  # it arrived: nothing failed quietly
    assert str(link["Subject"]) == delivery.CONFIRM_SUBJECT


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("adä@example.co.uk", NAME_REFUSED),
        ("ada@exämple..co.uk", DOMAIN_REFUSED),
        ("ada@straße.de", READ_TWO_WAYS),  # IDNA 2003 would send it to strasse.de
        ("ada,omar@example.com", SHAPE),  # the outbox would read two addresses
        ("ada@example", DOMAIN_REFUSED),
    ],
)
@pytest.mark.parametrize("role", [Role.PARENT, Role.TEACHER])
def test_an_address_no_email_can_reach_is_refused_beside_the_field(
    client: FlaskClient,
    login_as: Callable[..., Account],
    session: Session,
    email: str,
    problem: str,
    role: Role,
) -> None:
    login_as(Role.ADMIN)
    status, page = _new_account(client, email, role)
    assert status == 400
    assert _gran(session) is None  # no account, so no one-time password handed over
    assert problem in page
    assert 'id="email-error"' in page  # beside the email field, not somewhere else
    assert 'aria-describedby="email-count-hint email-error" aria-invalid="true"' in page
    assert f'value="{email}"' in page  # what they typed is there to correct
    assert 'value="Mrs Ada Khan"' in page  # and the rest of the form too


def test_an_account_without_an_email_is_still_made(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    login_as(Role.ADMIN)
    status, _page = _new_account(client, "  ")
    assert status == 201
    gran = _gran(session)
    assert gran is not None
    assert gran.email is None
