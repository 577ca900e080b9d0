"""The email address a carer types when joining is held until they open the link emailed to it:
no school email goes to it before (a typing mistake must not send them to a stranger), their
feed works at once, settings say it is waiting, the link can be sent again (a few an hour) or
the address corrected, the link runs out, and confirming is audited."""

from __future__ import annotations

import re
from email.message import Message

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.parents import delivery, invites
from classroom.worker import tick
from tests.app_settings import invite_settings
from tests.conftest import Clock, client_for, sign_in
from tests.parents_helpers import Family, moment
from tests.smtp import Inbox

STRONG = "blue kettle on a windy hill"
TYPED = "ada.khan@example.org"
RIGHT = "ada.k@example.org"
WAITING = "Please confirm your email address."


def _join(app: Flask, session: Session, family: Family, email: str = TYPED) -> FlaskClient:
    """Gran joins with a code for Amira, giving `email`: her browser, signed in."""
    _invite, code = invites.issue_invite(
        session, family.teacher, family.child, "Gran", invite_settings(), now=utcnow()
    )
    session.commit()
    client = app.test_client()
    data = {"code": code, "display_name": "Mrs Ada Khan", "email": email, "username": "gran"}
    response = client.post("/family/join", data=data | {"password": STRONG, "confirm": STRONG})
    assert response.status_code == 302
    return client


def _signed_in_again(app: Flask) -> FlaskClient:
    """Gran's browser after her session ran out: she signs in again."""
    client = app.test_client()
    assert sign_in(client, "gran", STRONG).status_code == 302
    return client


def _gran(session: Session) -> Account:
    session.expire_all()
    gran = session.scalar(select(Account).where(Account.username == "gran"))
    assert gran is not None
    return gran


def _body(message: Message) -> str:
    body = message.get_payload(decode=True)  # as read: quoted-printable undone
    assert isinstance(body, bytes)
    return body.decode()


def _links(inbox: Inbox, address: str) -> list[str]:
    """The confirm links emailed to `address`, oldest first (the path and query)."""
    found = []
    for message in inbox.to(address):
        assert str(message["Subject"]) == delivery.CONFIRM_SUBJECT
        match = re.search(r"https?://[^/\s]+(/family/email/confirm\?link=\S+)", _body(message))
        assert match is not None
        found.append(match.group(1))
    return found


def _confirm(client: FlaskClient, link: str) -> tuple[int, str]:
    token = link.split("link=", 1)[1]
    response = client.post("/family/email/confirm", data={"link": token})
    return response.status_code, response.headers.get("Location") or response.text


def _audit(session: Session, action: str) -> list[str]:
    rows = session.scalars(select(AuditEvent.summary).where(AuditEvent.action == action))
    return list(rows)


@pytest.mark.usefixtures("mail_server")
def test_joining_holds_the_address_and_emails_it_a_link(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    _join(app, session, family)
    assert _gran(session).email is None  # not used for school emails yet
    tick()
    [message] = inbox.to(TYPED)
    body = _body(message)
    assert str(message["Subject"]) == "Please confirm your email address"
    assert f"The link works for {delivery.LINK_DAYS} days." in body
    for detail in ("Amira", "Khan", "Ada", "gran"):
        assert detail not in body  # emails from the app never carry names
    assert len(_links(inbox, TYPED)) == 1
    assert _audit(session, "carer.email_link_sent") == [TYPED]


def test_the_join_page_says_a_link_will_check_the_address(app: Flask) -> None:
    page = app.test_client().get("/family/join").get_data(as_text=True)
    assert "We email you a link to check the address is right." in page


@pytest.mark.usefixtures("mail_server")
def test_no_news_email_goes_before_confirming_but_the_feed_works_at_once(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    gran = _join(app, session, family)
    moment(session, family, note="Sorted every message.")
    tick()
    assert [str(m["Subject"]) for m in inbox.to(TYPED)] == [delivery.CONFIRM_SUBJECT]
    feed = gran.get(f"/family/children/{family.child.id}").get_data(as_text=True)
    assert "Sorted every message." in feed
    [link] = _links(inbox, TYPED)
    assert _confirm(gran, link) == (302, "/family/settings?email=confirmed")
    moment(session, family, note="Another one.")
    tick()
    assert str(inbox.to(TYPED)[-1]["Subject"]) == delivery.SUBJECT  # news goes now


@pytest.mark.usefixtures("mail_server")
def test_the_link_shows_a_button_and_confirming_is_audited(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    gran = _join(app, session, family)
    tick()
    [link] = _links(inbox, TYPED)
    page = gran.get(link).get_data(as_text=True)
    assert "Yes, confirm my email address" in page
    assert TYPED in page
    assert _gran(session).email is None  # opening the link changed nothing
    assert _audit(session, "carer.email_confirmed") == []
    status, where = _confirm(gran, link)
    assert status == 302
    settings = gran.get(where).get_data(as_text=True)
    assert "Your email address is confirmed. School emails will go to it." in settings
    assert "Emails go to" in settings
    assert WAITING not in settings
    assert _gran(session).email == TYPED
    assert _audit(session, "carer.email_confirmed") == [f"added: - to {TYPED}"]
    assert _confirm(gran, link) == (302, "/family/settings?email=confirmed")  # a second tap
    assert len(_audit(session, "carer.email_confirmed")) == 1


@pytest.mark.usefixtures("mail_server")
def test_settings_say_the_address_waits_and_the_link_can_be_sent_again_a_few_times(
    app: Flask, session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    gran = _join(app, session, family)
    page = gran.get("/family/settings").get_data(as_text=True)
    assert WAITING in page
    assert TYPED in page
    assert "Until you do, the school does not send you emails." in page
    assert 'action="/family/settings/email/again"' in page
    assert 'href="/family/settings/email">Is the address wrong? Change it</a>' in page
    response = gran.post("/family/settings/email/again")
    assert response.headers["Location"] == "/family/settings?email=sent"
    assert "We have sent you an email." in gran.get(response.headers["Location"]).text
    for _ in range(delivery.LINKS_PER_HOUR - 2):
        assert gran.post("/family/settings/email/again").status_code == 302
    refused = gran.post("/family/settings/email/again")
    assert refused.status_code == 429
    assert "Too many attempts. Please wait 60 minutes" in refused.text
    tick()
    links = _links(inbox, TYPED)
    assert len(links) == delivery.LINKS_PER_HOUR
    clock.advance(minutes=61)
    gran = _signed_in_again(app)
    assert gran.post("/family/settings/email/again").status_code == 302
    assert _confirm(gran, links[0])[0] == 302  # any link to the address works while in date


@pytest.mark.usefixtures("mail_server")
def test_the_link_runs_out(
    app: Flask, session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    _join(app, session, family)
    tick()
    [old] = _links(inbox, TYPED)
    clock.advance(days=delivery.LINK_DAYS, minutes=1)
    gran = _signed_in_again(app)
    status, page = _confirm(gran, old)
    assert status == 400
    assert "This link has run out" in page
    assert "Send the link again" in page
    assert _gran(session).email is None
    gran.post("/family/settings/email/again")
    tick()
    assert _confirm(gran, _links(inbox, TYPED)[-1])[0] == 302
    assert _gran(session).email == TYPED


@pytest.mark.usefixtures("mail_server")
def test_a_wrong_address_is_corrected_and_only_the_new_link_works(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    gran = _join(app, session, family)
    tick()
    [wrong_link] = _links(inbox, TYPED)
    form = gran.get("/family/settings/email").get_data(as_text=True)
    assert "Waiting for you to confirm" in form
    assert f'value="{TYPED}"' in form
    refused = gran.post("/family/settings/email", data={"email": RIGHT, "password": "no"})
    assert refused.status_code == 400
    assert "Your password is not right." in refused.text
    response = gran.post("/family/settings/email", data={"email": RIGHT, "password": STRONG})
    assert response.headers["Location"] == "/family/settings?email=sent"
    assert _gran(session).email is None
    assert _audit(session, "carer.email_held") == [f"corrected: {TYPED} to {RIGHT}"]
    tick()
    assert len(inbox.to(TYPED)) == 1  # only the first link: nothing about the change
    [right_link] = _links(inbox, RIGHT)
    status, page = _confirm(gran, wrong_link)
    assert status == 400
    assert "This link is old. Please use the link in the newest email we sent you." in page
    assert _confirm(gran, right_link)[0] == 302
    assert _gran(session).email == RIGHT


def test_emptying_the_box_drops_the_waiting_address(
    app: Flask, session: Session, family: Family
) -> None:
    gran = _join(app, session, family)
    response = gran.post("/family/settings/email", data={"email": "", "password": STRONG})
    assert response.headers["Location"] == "/family/settings?email=dropped"
    page = gran.get(response.headers["Location"]).text
    assert "No email address: emails are off." in page
    assert WAITING not in page


@pytest.mark.usefixtures("mail_server")
def test_a_link_works_only_for_its_own_carer_signed_in(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    _join(app, session, family)
    tick()
    [link] = _links(inbox, TYPED)
    signed_out = app.test_client().get(link)
    assert signed_out.status_code == 302
    assert signed_out.headers["Location"].startswith("/sign-in?next=")
    mum = client_for(app, family.carer)
    status, page = _confirm(mum, link)
    assert status == 400
    assert "This link is for a different account." in page
    gran = _signed_in_again(app)
    forged = link.rsplit(".", 1)[0] + "." + "0" * 32  # another time or address: a new mac
    assert _confirm(gran, forged)[0] == 400
    assert _confirm(gran, "/family/email/confirm?link=12.nonsense")[0] == 400
    no_link = gran.get("/family/email/confirm").text  # the address typed without its link
    assert "open the link in the email we sent you" in no_link
    assert "Yes, confirm" not in no_link
    broken = gran.post("/family/email/confirm", data={"link": ""})
    assert broken.status_code == 400
    assert "This link does not work." in broken.text
    assert _gran(session).email is None


@pytest.mark.usefixtures("mail_server")
def test_carers_who_joined_before_keep_their_addresses_working(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    """Their address is in use as it was: nothing waits, and news is emailed as before."""
    page = client_for(app, family.carer).get("/family/settings").text
    assert WAITING not in page
    moment(session, family)
    tick()
    assert [str(m["Subject"]) for m in inbox.to(str(family.carer.email))] == [delivery.SUBJECT]
