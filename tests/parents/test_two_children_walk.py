"""A carer with two children in two classes, on a family tablet shared with the other carer
(each has their own account): the "something new" email's link, opened on the tablet while it
is still signed in as the other carer, must not show that carer's children or their messages.
"""

from __future__ import annotations

import re
from email.message import Message
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.parents import services
from classroom.worker import tick
from tests.app_settings import carer_emails
from tests.conftest import client_for, sign_in
from tests.parents_helpers import Family, moment
from tests.smtp import Inbox

SARAS_NOTE = "Sara asked about the trip."  # Sara's own message to Zara's class staff


def _link(message: Message) -> str:
    """The path (and query) of the sign-in link in a carer's email, as the carer taps it."""
    raw = message.get_payload(decode=True)  # as the carer's mail app shows it
    assert isinstance(raw, bytes)
    body = raw.decode()
    found = re.search(r"Please sign in to see it: (\S+)", body)
    assert found is not None, body
    url = urlsplit(found.group(1))
    return f"{url.path}?{url.query}" if url.query else url.path


def _emails_about_amira(session: Session, family: Family, inbox: Inbox) -> tuple[str, str]:
    """A learning moment for Amira (both carers' child); each carer's email link."""
    services.send_carer_message(
        session, family.carer, family.sister, SARAS_NOTE, now=utcnow(), emails=carer_emails()
    )
    session.commit()
    moment(session, family, "Amira sorted them all.")
    tick()
    (to_sara,) = inbox.to(family.carer.email)
    (to_omar,) = inbox.to(family.second_carer.email)
    return _link(to_sara), _link(to_omar)


def _page(client: FlaskClient, path: str) -> str:
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.mark.usefixtures("mail_server")
def test_an_email_link_opened_on_a_tablet_signed_in_as_the_other_carer_shows_nothing_of_theirs(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    for_sara, for_omar = _emails_about_amira(session, family, inbox)
    tablet = client_for(app, family.carer)  # Sara left the family tablet signed in
    page = _page(tablet, for_omar)  # Omar taps the link in his email on it
    assert "This link is for another account" in page
    assert "Mrs Sara Khan" in page  # who the tablet is signed in as: the header says so too
    for hers in ("Zara", "Amira", "Willow", "Oak", SARAS_NOTE):
        assert hers not in page
    # Sara's own link, on the same tablet, is her page as always.
    mine = _page(tablet, for_sara)
    assert "Zara" in mine
    assert "Amira" in mine
    assert "This link is for another account" not in mine
    assert for_sara != for_omar  # each email says whose it is, and names no one


@pytest.mark.usefixtures("mail_server")
def test_an_email_link_signed_out_asks_to_sign_in_then_shows_the_right_carers_children(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    _for_sara, for_omar = _emails_about_amira(session, family, inbox)
    tablet = app.test_client()
    response = tablet.get(for_omar)
    assert response.status_code == 302
    assert "/sign-in" in response.location
    assert sign_in(tablet, family.second_carer.username).status_code == 302
    page = _page(tablet, for_omar)
    assert "Amira" in page  # Omar's one child, not Sara's two
    assert "Zara" not in page
    assert "This link is for another account" not in page
