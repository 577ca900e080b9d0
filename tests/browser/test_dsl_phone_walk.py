"""The DSL on her own phone after school: the alert email's link, sign-in with two-step, the
record, and an interruption: her session times out while she writes on the record, and when
she signs in again she is back on the record at the form she was writing in, not on an error."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select, update

from classroom.accounts.models import Account, UserSession
from classroom.db import get_session, utcnow
from classroom.outbox.models import OutboxMessage
from classroom.pupils.models import Pupil
from classroom.worries import services
from tests import two_step
from tests.app_settings import base_url
from tests.browser.conftest import DEMO_PASSWORD, WAIT_MS, LiveServer, assert_accessible, sign_in

PHONES = {"phone": {"width": 390, "height": 844}, "older phone": {"width": 375, "height": 667}}


def _worry(server: LiveServer) -> tuple[int, str]:
    """Amira's worry, sent from a class iPad: its id and the link the DSL's email gives."""
    with server.app.app_context():
        db = get_session()
        amira = db.scalar(select(Pupil).where(Pupil.first_name == "Amira"))
        assert amira is not None
        choices = services.WorryChoices(what="photo_or_secret", where="game", feeling="scared")
        incident = services.raise_worry(
            db, amira, None, str(uuid.uuid4()), choices, now=utcnow(), base_url=base_url()
        )
        db.commit()
        dsl = db.scalar(select(Account).where(Account.username == "dsl"))
        assert dsl is not None
        assert dsl.email
        email = db.scalar(
            select(OutboxMessage).where(
                OutboxMessage.to_address == dsl.email,
                OutboxMessage.subject == f"New worry or concern {incident.reference}",
            )
        )
        assert email is not None
        link = re.search(r"https?://\S+", email.body)
        assert link is not None
        return incident.id, link.group(0)


def _phone(browser: Browser, size: dict[str, int]) -> Page:
    context = browser.new_context(
        viewport=size, is_mobile=True, has_touch=True, device_scale_factor=2, locale="en-GB"
    )
    context.set_default_timeout(WAIT_MS)
    return context.new_page()


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width  # type: ignore[index]


def _time_out(server: LiveServer, username: str) -> None:
    """Her session ends as an idle one does: the server no longer knows it."""
    with server.app.app_context():
        db = get_session()
        account = db.scalar(select(Account).where(Account.username == username))
        assert account is not None
        past = utcnow() - timedelta(minutes=1)
        db.execute(
            update(UserSession)
            .where(UserSession.account_id == account.id)
            .values(expires_at=past, last_seen_at=past - timedelta(hours=2))
        )
        db.commit()


@pytest.mark.parametrize("phone", sorted(PHONES))
def test_the_dsl_on_her_phone_is_back_on_the_record_after_a_time_out(
    browser: Browser, live_server: LiveServer, phone: str
) -> None:
    incident_id, link = _worry(live_server)
    page = _phone(browser, PHONES[phone])
    sign_in(page, live_server, "dsl")  # her first sign-in sets up two-step
    page.context.clear_cookies()  # the email is opened later, in a browser not signed in
    page.goto(live_server.url + urlsplit(link).path)  # the email's link: the record
    page.get_by_label("Username").fill("dsl")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    _code(page, live_server)
    # Signed in, she is on the record the email is about, not the queue.
    expect(page).to_have_url(f"{live_server.url}/safeguarding/{incident_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("photo or a secret")
    _no_sideways_scroll(page)
    assert_accessible(page)

    note = page.get_by_label("Action taken or decision")
    note.fill("Spoke to Amira at the gate")
    _time_out(live_server, "dsl")  # she was interrupted for over an hour
    page.get_by_role("button", name="Add to chronology").click()
    page.wait_for_load_state()
    page.get_by_label("Username").fill("dsl")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    _code(page, live_server)
    # Back on the record she was writing on: not "Method not allowed".
    expect(page).to_have_url(f"{live_server.url}/safeguarding/{incident_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("photo or a secret")
    expect(page.get_by_label("Action taken or decision")).to_be_visible()
    _no_sideways_scroll(page)
    assert_accessible(page)


def _code(page: Page, server: LiveServer) -> None:
    page.wait_for_url(re.compile(r"/sign-in/code"))
    with server.app.app_context():
        code = two_step.current_code(get_session(), "dsl")
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
