"""A carer sees where school emails go and changes or removes the address, with their password:
a new address is held until the carer opens the link emailed to it (the address in use keeps
getting school emails meanwhile, and is told at once that another was given), the old address
is told of the change, emails still waiting follow it, and every step is audited."""

from __future__ import annotations

import re
from email.message import Message
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, LoginAttempt
from classroom.audit.models import AuditEvent
from classroom.db import get_session
from classroom.outbox.models import OutboxMessage
from classroom.parents import delivery
from classroom.worker import tick
from tests.conftest import Clock, build_app, client_for
from tests.factories import PASSWORD
from tests.parents_helpers import (
    NEXT_MORNING,
    QUIET_EVENING,
    Family,
    make_family,
    moment,
)
from tests.smtp import Inbox

NEW = "sara.khan@example.org"


def _change(client: FlaskClient, email: str, password: str = PASSWORD) -> tuple[int, str]:
    response = client.post("/family/settings/email", data={"email": email, "password": password})
    return response.status_code, response.get_data(as_text=True)


def _address(session: Session, carer: Account) -> str | None:
    session.expire_all()
    return session.scalar(select(Account.email).where(Account.id == carer.id))


def _body(message: Message) -> str:
    body = message.get_payload(decode=True)  # as read: quoted-printable undone
    assert isinstance(body, bytes)
    return body.decode()


def _waiting(session: Session, carer: Account) -> str | None:
    session.expire_all()
    return delivery.waiting_address(session, carer)


def _confirm_new(client: FlaskClient, inbox: Inbox, address: str = NEW) -> None:
    """The carer opens the newest link emailed to `address` and confirms it."""
    tick()
    links = [m for m in inbox.to(address) if str(m["Subject"]) == delivery.CONFIRM_SUBJECT]
    match = re.search(r"/family/email/confirm\?link=(\S+)", _body(links[-1]))
    assert match is not None
    response = client.post("/family/email/confirm", data={"link": match.group(1)})
    assert response.headers["Location"] == "/family/settings?email=confirmed"


def _audit(session: Session, action: str) -> list[str]:
    rows = session.scalars(select(AuditEvent.summary).where(AuditEvent.action == action))
    return list(rows)


def test_settings_say_where_emails_go(app: Flask, session: Session, family: Family) -> None:
    mum = client_for(app, family.carer)
    page = mum.get("/family/settings").get_data(as_text=True)
    assert "Emails go to" in page
    assert str(family.carer.email) in page
    assert 'href="/family/settings/email">Change or remove your email address</a>' in page
    family.second_carer.email = None
    session.commit()
    dad = client_for(app, family.second_carer).get("/family/settings").get_data(as_text=True)
    assert "No email address: emails are off." in dad
    assert 'href="/family/settings/email">Add an email address</a>' in dad


@pytest.mark.usefixtures("mail_server")
def test_a_new_address_waits_for_the_link_and_the_old_one_keeps_the_emails_till_then(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    old = str(family.carer.email)
    mum = client_for(app, family.carer)
    form = mum.get("/family/settings/email").get_data(as_text=True)
    assert f'value="{old}"' in form  # the address as it is, to change
    assert 'autocomplete="current-password"' in form
    response = mum.post("/family/settings/email", data={"email": NEW, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/family/settings?email=asked"
    settings = mum.get(response.headers["Location"]).get_data(as_text=True)
    assert "We have emailed a link to your new address." in settings
    assert "Please confirm your new email address." in settings
    assert NEW in settings
    assert f"Until you do, school emails keep going to {old}." in settings
    assert _address(session, family.carer) == old  # still the one in use
    assert _waiting(session, family.carer) == NEW
    assert _audit(session, "carer.email_held") == [f"given: {old} to {NEW}"]
    assert _audit(session, "carer.email_changed") == []
    moment(session, family)
    tick()
    [link] = inbox.to(NEW)  # the new address gets the link and nothing else yet
    assert str(link["Subject"]) == delivery.CONFIRM_SUBJECT
    assert "school emails keep going to the address you had before" in _body(link)
    told, news = sorted(inbox.to(old), key=lambda m: str(m["Subject"]))
    assert str(told["Subject"]) == delivery.CHANGE_ASKED_SUBJECT
    body = _body(told)
    assert "If you did not do this, please phone the school office" in body
    for detail in (NEW, "Amira", "Khan", family.carer.display_name):
        assert detail not in body  # no new address and no names
    assert str(news["Subject"]) == delivery.SUBJECT  # the news went to the old address
    _confirm_new(mum, inbox)
    assert _address(session, family.carer) == NEW
    assert _waiting(session, family.carer) is None
    assert _audit(session, "carer.email_confirmed") == [f"changed: {old} to {NEW}"]
    tick()
    changed = inbox.to(old)[-1]
    assert "changed" in str(changed["Subject"])
    assert NEW not in _body(changed)
    moment(session, family, note="Another one.")
    tick()
    assert str(inbox.to(NEW)[-1]["Subject"]) == delivery.SUBJECT  # news goes to the new one now
    assert len(inbox.to(old)) == 3  # told of the request, one item's news, told of the change


@pytest.mark.usefixtures("mail_server")
def test_a_carer_keeps_their_address_by_typing_it_again_and_the_link_stops_working(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    old = str(family.carer.email)
    mum = client_for(app, family.carer)
    assert _change(mum, NEW)[0] == 302
    tick()
    [link] = inbox.to(NEW)
    form = mum.get("/family/settings/email").get_data(as_text=True)
    assert "Waiting for you to confirm" in form
    assert f'value="{NEW}"' in form  # the waiting one, to correct
    response = mum.post("/family/settings/email", data={"email": old, "password": PASSWORD})
    assert response.headers["Location"] == "/family/settings?email=kept"
    settings = mum.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your email address stays as it was." in settings
    assert "Please confirm" not in settings
    assert _audit(session, "carer.email_held") == [f"given: {old} to {NEW}", f"dropped: {NEW}"]
    match = re.search(r"/family/email/confirm\?link=(\S+)", _body(link))
    assert match is not None
    refused = mum.post("/family/email/confirm", data={"link": match.group(1)})
    assert refused.status_code == 400
    assert "This link is old." in refused.text
    assert _address(session, family.carer) == old


@pytest.mark.usefixtures("mail_server")
def test_a_carer_removes_their_address(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    old = str(family.carer.email)
    mum = client_for(app, family.carer)
    response = mum.post("/family/settings/email", data={"email": "", "password": PASSWORD})
    assert response.headers["Location"] == "/family/settings?email=removed"
    settings = mum.get(response.headers["Location"]).get_data(as_text=True)
    assert "No email address: emails are off." in settings
    assert "Your email address is removed, so the app sends you no emails." in settings
    assert _address(session, family.carer) is None
    assert _audit(session, "carer.email_changed") == [f"removed: {old} to -"]
    moment(session, family)
    tick()
    [told] = inbox.to(old)
    assert "removed" in str(told["Subject"])
    # Adding one back tells nobody (there was no address to tell); emails start once confirmed.
    response = mum.post("/family/settings/email", data={"email": NEW, "password": PASSWORD})
    assert response.headers["Location"] == "/family/settings?email=sent"
    _confirm_new(mum, inbox)
    moment(session, family, note="Another one.")
    tick()
    assert [str(m["Subject"]) for m in inbox.to(NEW)] == [
        delivery.CONFIRM_SUBJECT,
        delivery.SUBJECT,
    ]
    assert len(inbox.to(old)) == 1


def test_the_password_is_needed_and_counted(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    old = family.carer.email
    mum = client_for(app, family.carer)
    clock.advance(seconds=1)  # after signing in, which cleared the count
    status, page = _change(mum, NEW, "")
    assert status == 400
    assert "Enter your password." in page
    assert page.count("<title>Error: ") == 1
    status, page = _change(mum, NEW, "not my password at all")
    assert status == 400
    assert "Your password is not right." in page
    assert 'aria-invalid="true"' in page
    assert "There is a problem" in page  # the error summary, linked to the box
    assert 'href="#password"' in page
    assert NEW in page  # what they typed is kept, the password never is
    assert "not my password at all" not in page
    assert _address(session, family.carer) == old
    assert _audit(session, "carer.email_change_refused") == ["password not right"]
    assert session.scalars(select(OutboxMessage)).all() == []  # nobody was told anything
    failures = select(LoginAttempt).where(
        LoginAttempt.username == family.carer.username, LoginAttempt.success.is_(False)
    )
    assert len(session.scalars(failures).all()) == 1  # kept through the 400, as at sign-in
    for _ in range(4):
        _change(mum, NEW, "guess")
    status, page = _change(mum, NEW, PASSWORD)  # even the right one waits now
    assert status == 429
    assert "Too many attempts" in page
    assert _address(session, family.carer) == old


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("sara at example", "Enter an email address like name@example.com."),
        ("s\u00e4ra@example.org", "Emails from school cannot reach an address with accents"),
        ("sara@exa mple.org", "Enter an email address like name@example.com."),
        ("sara@localhost", "The part after the @ is not a domain emails can be sent to."),
        ("x" * 250 + "@example.org", "must be 254 characters or fewer - it has 262."),
        ("sara,jo@example.org", "Enter an email address like name@example.com."),
    ],
)
def test_an_address_no_email_reaches_is_refused_with_what_to_do(
    app: Flask, session: Session, family: Family, typed: str, problem: str
) -> None:
    old = family.carer.email
    status, page = _change(client_for(app, family.carer), typed)
    assert status == 400
    assert problem in page
    assert _address(session, family.carer) == old


def test_a_domain_in_another_alphabet_is_kept_as_emails_reach_it(
    app: Flask, session: Session, family: Family
) -> None:
    status, _page = _change(client_for(app, family.carer), "sara@ex\u00e4mple.co.uk")
    assert status == 302
    assert _waiting(session, family.carer) == "sara@xn--exmple-cua.co.uk"


def test_the_same_address_again_changes_nothing(
    app: Flask, session: Session, family: Family
) -> None:
    response = client_for(app, family.carer).post(
        "/family/settings/email",
        data={"email": f" {family.carer.email} ", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/family/settings?email=unchanged"
    assert _audit(session, "carer.email_changed") == []
    assert session.scalars(select(OutboxMessage)).all() == []


@pytest.mark.usefixtures("mail_server")
def test_emails_waiting_for_quiet_hours_follow_the_change(
    app: Flask, session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    """Mum changes her address in the evening and confirms it: the news waiting for 08:00 goes
    to the new one, and the old one hears of the request and the change straight away."""
    old, dads = str(family.carer.email), str(family.second_carer.email)
    clock.set(QUIET_EVENING)
    moment(session, family)
    mum = client_for(app, family.carer)
    assert _change(mum, NEW)[0] == 302
    _confirm_new(mum, inbox)
    tick()
    assert len(inbox.to(old)) == 2  # told of the request and the change at once
    assert len(inbox.to(NEW)) == 1  # the link: the news still waits for quiet hours to end
    clock.set(NEXT_MORNING)
    tick()
    tick()
    assert str(inbox.to(NEW)[-1]["Subject"]) == delivery.SUBJECT
    assert len(inbox.to(NEW)) == 2
    assert len(inbox.to(old)) == 2
    assert len(inbox.to(dads)) == 1  # dad's own email is his, as it was


@pytest.mark.usefixtures("mail_server")
def test_emails_waiting_for_quiet_hours_are_withdrawn_with_the_address(
    app: Flask, session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    old = str(family.carer.email)
    clock.set(QUIET_EVENING)
    moment(session, family)
    assert _change(client_for(app, family.carer), "")[0] == 302
    clock.set(NEXT_MORNING)
    tick()
    tick()
    assert [str(m["Subject"]) for m in inbox.to(old)] == [
        "Your email address for school emails was removed"
    ]


def test_only_a_carer_has_this_page(app: Flask, family: Family) -> None:
    teacher = client_for(app, family.teacher)
    assert teacher.get("/family/settings/email").status_code == 403
    assert _change(teacher, NEW)[0] == 403


def test_the_form_needs_the_pages_csrf_token(
    tmp_path: Path, template_db: Path, clock: Clock
) -> None:
    app = build_app(tmp_path, template_db, clock)  # CSRF on, as in production
    app.config["WTF_CSRF_ENABLED"] = False  # only while the carer signs in
    with app.app_context():
        family = make_family(get_session(), clock)
        mum = client_for(app, family.carer)
        app.config["WTF_CSRF_ENABLED"] = True
        assert _change(mum, NEW)[0] == 400
        page = mum.get("/family/settings/email").get_data(as_text=True)
        token = re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        token = token or re.findall(r'name="csrf_token" value="([^"]+)"', page)
        data = {"email": NEW, "password": PASSWORD, "csrf_token": token[0]}
        assert mum.post("/family/settings/email", data=data).status_code == 302
        assert delivery.waiting_address(get_session(), family.carer) == NEW
