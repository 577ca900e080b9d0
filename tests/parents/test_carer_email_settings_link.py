"""A carer's email says where to change or stop these emails: a plain line at its end and a
List-Unsubscribe header, both naming their email settings page (signed in). Staff alerts about
worries and accounts, which nobody may opt out of, carry neither."""

from __future__ import annotations

from email.message import Message
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.db import utcnow
from classroom.parents import services
from classroom.parents.models import EmailMode
from classroom.worker import tick
from tests.conftest import Clock, client_for
from tests.factories import PASSWORD, make_account
from tests.parents_helpers import SCHOOL_HOURS, Family, make_family, moment
from tests.smtp import Inbox
from tests.worry_helpers import make_school, pupil_on_ipad

BASE = "https://classroom.oak-school.example.org"
SETTINGS = f"{BASE}/family/settings"


@pytest.fixture
def family(app: Flask, session: Session, clock: Clock) -> Family:
    app.config["BASE_URL"] = BASE + "/"  # as an admin might write it, with a slash at the end
    return make_family(session, clock)


def _body(message: Message) -> str:
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    return body.decode()


def _last_line(message: Message) -> str:
    return _body(message).strip().splitlines()[-1]


def _assert_says_where_to_stop(message: Message) -> None:
    """What the carer sees: the last line says where, and the mail app's own unsubscribe."""
    last = _last_line(message)
    assert "stop these emails" in last
    assert last.endswith(f": {SETTINGS}")
    assert message["List-Unsubscribe"] == f"<{SETTINGS}>"
    # A page to sign in to, not a one-click unsubscribe that works without signing in.
    assert message["List-Unsubscribe-Post"] is None


@pytest.mark.usefixtures("mail_server")
def test_each_email_to_a_carer_ends_with_where_to_change_or_stop_them(
    session: Session, family: Family, inbox: Inbox
) -> None:
    moment(session, family)
    tick()
    [email] = inbox.to(family.carer.email)
    _assert_says_where_to_stop(email)


@pytest.mark.usefixtures("mail_server")
def test_a_long_school_address_is_still_a_link_the_mail_app_can_follow(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    """Folded as other headers are, it would arrive as =?utf-8?q?...?= that nothing follows."""
    long = "https://classroom.st-mary-and-st-joseph-primary-and-nursery.example.org.uk/classroom"
    app.config["BASE_URL"] = long
    moment(session, family)
    tick()
    [email] = inbox.to(family.carer.email)
    assert email["List-Unsubscribe"] == f"<{long}/family/settings>"
    assert _last_line(email).endswith(f"{long}/family/settings")


@pytest.mark.usefixtures("mail_server")
def test_the_daily_digest_ends_with_where_to_change_or_stop_it(
    session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    services.update_settings(session, family.carer, EmailMode.DAILY, False, now=utcnow())
    session.commit()
    moment(session, family)
    tick()
    assert inbox.to(family.carer.email) == []
    clock.set(SCHOOL_HOURS.replace(hour=15, minute=31))
    tick()
    tick()
    [digest] = inbox.to(family.carer.email)
    assert "1 new thing" in _body(digest)
    _assert_says_where_to_stop(digest)


@pytest.mark.usefixtures("mail_server")
def test_the_link_leads_through_signing_in_to_the_page_that_stops_the_emails(
    app: Flask, session: Session, family: Family, inbox: Inbox
) -> None:
    moment(session, family)
    tick()
    [email] = inbox.to(family.carer.email)
    link = urlsplit(email["List-Unsubscribe"].strip("<>"))
    assert f"{link.scheme}://{link.netloc}" == BASE  # the school's own address, not the request's
    assert _last_line(email).endswith(link.geturl())  # the line in the email is the same link
    browser = app.test_client()
    asked = browser.get(link.path)
    assert asked.status_code == 302  # nobody changes a carer's emails without signing in
    assert urlsplit(asked.location).path == "/sign-in"
    signed_in = browser.post(
        asked.location, data={"username": family.carer.username, "password": PASSWORD}
    )
    assert signed_in.location == link.path  # straight back to the settings after signing in
    page = browser.get(link.path)
    assert page.status_code == 200
    assert "No emails: I will look in the app" in page.text
    browser.post(link.path, data={"email_mode": EmailMode.OFF.value})
    moment(session, family, note="Another good day")
    tick()
    assert len(inbox.to(family.carer.email)) == 1  # no more emails
    assert len(inbox.to(family.second_carer.email)) == 2  # the other carer still gets theirs


@pytest.mark.usefixtures("mail_server")
def test_staff_alerts_about_a_worry_have_no_way_to_stop_them(
    app: Flask, session: Session, inbox: Inbox
) -> None:
    app.config["BASE_URL"] = BASE
    school = make_school(session)
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k", "what": "sad"})
    tick()
    alerts = inbox.to(school.dsl.email) + inbox.to(school.deputy.email)
    assert len(alerts) == 2
    for alert in alerts:
        assert alert["List-Unsubscribe"] is None
        assert "/family/settings" not in _body(alert)
        assert "stop these emails" not in _body(alert)


@pytest.mark.usefixtures("mail_server")
def test_an_account_change_alert_to_the_team_has_no_way_to_stop_it(
    app: Flask, session: Session, inbox: Inbox
) -> None:
    app.config["BASE_URL"] = BASE
    school = make_school(session)
    admin = make_account(session, Role.ADMIN)
    session.commit()
    asked = client_for(app, admin).post(
        f"/admin/accounts/{school.teacher.id}/role", data={"role": Role.DSL.value}
    )
    assert "approval=1" in asked.location
    tick()
    alerts = inbox.to(school.dsl.email)
    assert [str(m["Subject"]) for m in alerts] == ["An account change needs approval"]
    assert alerts[0]["List-Unsubscribe"] is None
    assert "/family/settings" not in _body(alerts[0])
