"""A carer's whole walk on a phone and on a family iPad: the QR link, joining, the child's news,
a reply, photo consent, settings, signing out, and the next person on the same device; and a
carer whom staff disconnect from a child while they are writing to the class.

At every page: no axe-core violations, nothing wider than the screen, every link that stands
alone on its line, in the page or in its header and footer, big enough for a thumb (44px), no
footer link to the page itself, and a tick box beside its own words.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import select

from classroom import photos
from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.parents import invites
from classroom.parents import services as parents
from classroom.parents.demo import DEMO_INVITE_CODE
from classroom.parents.models import ConsentPurpose, PhotoConsent
from classroom.pupils.models import ParentLink, Pupil
from classroom.worries import services as worries
from classroom.worries.models import ParentContact
from tests.app_settings import base_url, carer_emails, invite_settings
from tests.browser.conftest import DEMO_PASSWORD, WAIT_MS, assert_accessible
from tests.live import LiveServer

PHONE = ViewportSize(width=390, height=844)
IPAD = ViewportSize(width=810, height=1080)  # as tests/browser/conftest.py
LONDON = ZoneInfo("Europe/London")
PASSWORD = "purple giraffe under the stairs"
WELLIES = "Please send wellies on Thursday."

# Links alone on their line in the page's main part that are shorter than a thumb.
SMALL_LONE_LINKS = """() => [...document.querySelectorAll('main a')]
  .filter(a => a.offsetParent !== null
    && a.parentElement.textContent.trim() === a.textContent.trim()
    && a.getBoundingClientRect().height < 44)
  .map(a => a.textContent.trim())"""
# The header's and footer's links and buttons (each stands alone) shorter than a thumb.
SMALL_HEADER_AND_FOOTER_TARGETS = """() => [...document.querySelectorAll(
    '.site-header a, .site-header button, .site-footer a, .site-footer button')]
  .filter(a => a.offsetParent !== null && a.getBoundingClientRect().height < 44)
  .map(a => a.textContent.trim())"""
# Footer links that lead to the page they are on (a query string, such as the join code, aside).
FOOTER_LINKS_TO_HERE = """() => [...document.querySelectorAll('.site-footer a')]
  .filter(a => a.pathname === location.pathname)
  .map(a => a.textContent.trim())"""
# Radio buttons and tick boxes whose words (their target with the box) are shorter than a thumb.
SMALL_CHOICES = """() => [...document.querySelectorAll(
    'main input[type=radio], main input[type=checkbox]')]
  .filter(box => box.labels.length && box.labels[0].getBoundingClientRect().height < 44)
  .map(box => box.labels[0].textContent.trim())"""
# Tick boxes whose words have dropped below them (the label starts under the box's bottom).
TICK_BOXES_APART = """() => [...document.querySelectorAll('main input[type=checkbox]')]
  .filter(box => box.labels.length
    && box.labels[0].getBoundingClientRect().top >= box.getBoundingClientRect().bottom)
  .map(box => box.labels[0].textContent.trim())"""


class Clock:
    """The app's clock (app.config["CLOCK"]): a Tuesday morning, outside quiet hours."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _next_tuesday_morning() -> datetime:
    day = datetime.now(LONDON).date() + timedelta(days=1)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return datetime.combine(day, time(10, 0), tzinfo=LONDON).astimezone(UTC)


@pytest.fixture(scope="module", autouse=True)
def clock(live_server: LiveServer) -> Iterator[Clock]:
    clock = Clock(_next_tuesday_morning())
    live_server.app.config["CLOCK"] = clock
    yield clock
    live_server.app.config.pop("CLOCK", None)


def _looks_right(page: Page) -> None:
    """What a carer on this screen can use: nothing needs scrolling sideways, nothing tiny."""
    assert_accessible(page)
    wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wider <= 0, f"{page.url} scrolls sideways by {wider}px"
    assert page.evaluate(SMALL_LONE_LINKS) == [], page.url
    assert page.evaluate(FOOTER_LINKS_TO_HERE) == [], page.url
    assert page.evaluate(TICK_BOXES_APART) == [], page.url
    if "/family/" in page.url:  # the carers' own pages (sign-in is every user's: app.css)
        assert page.evaluate(SMALL_HEADER_AND_FOOTER_TARGETS) == [], page.url
        assert page.evaluate(SMALL_CHOICES) == [], page.url


def _code_for(server: LiveServer, first_name: str) -> tuple[str, int, list[str]]:
    """A one-time code for the child (the demo's for Ben), the child's id, other pupils' names."""
    with server.app.app_context():
        session = get_session()
        child = session.scalar(select(Pupil).where(Pupil.first_name == first_name))
        teacher = session.scalar(select(Account).where(Account.username == "teacher"))
        assert child is not None
        assert teacher is not None
        others = [p.first_name for p in session.scalars(select(Pupil)) if p.id != child.id]
        if first_name == "Ben":
            return DEMO_INVITE_CODE, child.id, others
        _invite, code = invites.issue_invite(
            session, teacher, child, "Dad", invite_settings(), now=utcnow()
        )
        session.commit()
        return code, child.id, others


def _school_writes(server: LiveServer, pupil_id: int) -> None:
    """Class staff share a moment and a message; the DSL sends the notice they chose to send."""
    with server.app.app_context():
        session = get_session()
        teacher = session.scalar(select(Account).where(Account.username == "teacher"))
        dsl = session.scalar(select(Account).where(Account.username == "dsl"))
        child = session.get(Pupil, pupil_id)
        assert teacher is not None
        assert dsl is not None
        assert child is not None
        now, emails = utcnow(), carer_emails()
        parents.share_learning_moment(
            session, teacher, child, "Sorts kind and unkind messages",
            "Secure (independent)", "Sorted every message.", now=now, emails=emails,
        )  # fmt: skip
        parents.send_staff_message(session, teacher, child, WELLIES, now=now, emails=emails)
        incident = worries.raise_concern(
            session, teacher, str(uuid.uuid4()),
            worries.ConcernInput(child.id, "Upset by a game chat", "speech", None, None),
            now=now, base_url=base_url(),
        )  # fmt: skip
        worries.decide_parent_contact(
            session, dsl, incident, ParentContact.INFORM_NOW, "Low risk", None, now=now
        )
        text = parents.notice_template(incident, child)
        parents.send_incident_notice(session, dsl, incident, child, text, now=now, emails=emails)
        session.commit()


@pytest.mark.parametrize(
    ("viewport", "first_name"), [(PHONE, "Ben"), (IPAD, "Chloe")], ids=["phone", "ipad"]
)
def test_a_carer_walks_from_the_qr_link_to_signing_out_on_a_shared_device(
    live_server: LiveServer, browser: Browser, viewport: ViewportSize, first_name: str
) -> None:
    context = browser.new_context(
        viewport=viewport, has_touch=True, is_mobile=viewport == PHONE, locale="en-GB"
    )
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    code, child_id, others = _code_for(live_server, first_name)

    page.goto(invites.join_url(code, live_server.url))  # what the slip's QR code opens
    expect(page.get_by_label("Code from school")).to_have_value(code)
    _looks_right(page)
    page.get_by_label("Your name").fill("Mrs Lucy Wright")
    page.get_by_label("Choose a username").fill(f"lucy{uuid.uuid4().hex[:6]}")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD + " typo")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("alert")).to_contain_text("The passwords do not match")
    expect(page.get_by_label("Your name")).to_have_value("Mrs Lucy Wright")  # kept
    _looks_right(page)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", name="My children")).to_be_visible()
    _looks_right(page)

    _school_writes(live_server, child_id)
    page.reload()
    page.get_by_role("link", name=f"{first_name}'s news").click()
    feed = page.get_by_role("region", name="From school")
    expect(feed.get_by_text(WELLIES)).to_be_visible()
    expect(feed.get_by_text("Does it on their own")).to_be_visible()  # not staff's "Secure"
    expect(feed.get_by_text("A notice from the school")).to_be_visible()
    main_text = page.locator("main").inner_text()
    assert [name for name in others if name in main_text] == []
    _looks_right(page)

    page.get_by_label("Your message").fill("Thank you. " * 200)  # too long: 2,200 characters
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Your message")).to_have_value("Thank you. " * 200)  # kept
    _looks_right(page)
    page.get_by_label("Your message").fill("Thank you, the wellies are packed.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(f"Sent to {first_name}'s class staff.")).to_be_visible()
    _looks_right(page)

    page.get_by_role("link", name=f"Photo consent for {first_name}").click()
    expect(page.get_by_text("No consent on record.")).to_have_count(2)  # nothing chosen for them
    expect(page.locator("main input:checked")).to_have_count(0)
    _looks_right(page)
    page.get_by_role("link", name=f"{first_name}'s news").click()
    expect(page.get_by_role("heading", name=f"{first_name}'s news")).to_be_visible()

    page.get_by_role("link", name="Settings").click()
    _looks_right(page)
    page.get_by_label("No emails: I will look in the app").check()
    page.get_by_label("Show symbols and read-aloud buttons with school news").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    _looks_right(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in")
    _looks_right(page)
    for _ in range(3):  # the next person presses Back, and Back again
        page.go_back()
        page.wait_for_load_state()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text(first_name)
        expect(page.locator("main")).not_to_contain_text("wellies")
    # ...and signs in there as themselves: the page Back came from is not theirs to see.
    page.get_by_label("Username").fill("parent")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    expect(page.locator("main")).not_to_contain_text(WELLIES)
    expect(page.locator("main")).not_to_contain_text(f"{first_name}'s news")
    page.goto(f"{live_server.url}/")  # opening the app again
    expect(page.locator("main")).not_to_contain_text(first_name)
    _looks_right(page)
    context.close()


def _disconnect(server: LiveServer, carer_name: str, pupil_id: int) -> None:
    """The class teacher disconnects the carer from the child (say, after a court order)."""
    with server.app.app_context():
        session = get_session()
        teacher = session.scalar(select(Account).where(Account.username == "teacher"))
        link = session.scalar(
            select(ParentLink)
            .join(Account, Account.id == ParentLink.parent_id)
            .where(Account.display_name == carer_name, ParentLink.pupil_id == pupil_id)
        )
        assert teacher is not None
        assert link is not None
        invites.revoke_link(session, teacher, link, now=utcnow())
        session.commit()


def test_a_carer_disconnected_while_writing_is_told_and_keeps_their_words(
    live_server: LiveServer, browser: Browser
) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    code, child_id, _others = _code_for(live_server, "Dev")
    page.goto(invites.join_url(code, live_server.url))
    page.get_by_label("Your name").fill("Mr Raj Patel")
    page.get_by_label("Choose a username").fill(f"raj{uuid.uuid4().hex[:6]}")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Join").click()
    page.get_by_role("link", name="Dev's news").click()
    words = "Can Dev bring his charger home on Friday?"
    page.get_by_label("Your message").fill(words)

    _disconnect(live_server, "Mr Raj Patel", child_id)
    page.get_by_role("button", name="Send").click()
    told = page.get_by_role("heading", name="You are no longer connected to this child")
    expect(told).to_be_visible()
    expect(page.get_by_role("region", name="Your message was not sent")).to_contain_text(words)
    expect(page.locator("main")).not_to_contain_text("Page not found")
    _looks_right(page)
    page.get_by_role("link", name="My children").last.click()
    expect(page.get_by_role("heading", name="My children")).to_be_visible()
    expect(page.get_by_role("link", name="Dev's news")).to_have_count(0)
    _looks_right(page)
    context.close()


LAPTOP = ViewportSize(width=1280, height=800)


def _photos_then_a_year_on(server: LiveServer, first_name: str, staff: str) -> list[Path]:
    """Two photos shared home under consent in date; then that consent has run out."""
    with server.app.app_context():
        session = get_session()
        child = session.scalar(select(Pupil).where(Pupil.first_name == first_name))
        teacher = session.scalar(select(Account).where(Account.username == staff))
        assert child is not None
        assert teacher is not None
        now, folder = utcnow(), photos.photo_dir(server.app.instance_path)
        today = now.astimezone(LONDON).date()
        parents.record_consent(
            session, teacher, child, ConsentPurpose.APP, True, "Signed form", today,
            now=now, today=today,
        )  # fmt: skip
        items = [
            parents.share_learning_moment(
                session,
                teacher,
                child,
                "Sorts kind and unkind messages",
                "Secure (independent)",
                "Sorted every message.",
                photo=_jpeg(),
                photo_folder=folder,
                now=now,
                emails=carer_emails(),
            )
            for _ in range(2)
        ]
        session.flush()
        # A year on: rows are never edited in the app; here the form is dated back instead.
        for row in session.scalars(
            select(PhotoConsent).where(
                PhotoConsent.pupil_id == child.id, PhotoConsent.purpose == ConsentPurpose.APP
            )
        ):
            row.given_on, row.expires_on = today - timedelta(days=400), today - timedelta(days=35)
        session.commit()
        return [folder / item.photo_file for item in items if item.photo_file]


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "purple").save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("viewport", "username", "first_name", "staff"),
    [(PHONE, "parent", "Amira", "teacher"), (LAPTOP, "parent2", "Grace", "teacher2")],
    ids=["phone", "laptop"],
)
def test_a_carer_whose_photo_consent_ran_out_has_the_photos_deleted(
    live_server: LiveServer,
    browser: Browser,
    viewport: ViewportSize,
    username: str,
    first_name: str,
    staff: str,
) -> None:
    paths = _photos_then_a_year_on(live_server, first_name, staff)
    assert len(paths) == 2
    assert all(p.is_file() for p in paths)
    context = browser.new_context(
        viewport=viewport, has_touch=True, is_mobile=viewport == PHONE, locale="en-GB"
    )
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=f"{first_name}'s news").click()
    expect(page.get_by_text("It is hidden because photo consent").first).to_be_visible()
    page.get_by_role("link", name=f"Photo consent for {first_name}").click()
    expect(page.get_by_text("still kept, but nobody can see them")).to_be_visible()
    _looks_right(page)
    page.get_by_role("link", name="Withdraw consent and delete the photos").click()
    heading = page.get_by_role("heading", name=f"Withdraw photo consent for {first_name}?")
    expect(heading).to_be_visible()
    expect(page.get_by_text(re.compile(rf"All \d+ photos of {first_name}"))).to_be_visible()
    _looks_right(page)
    assert all(p.is_file() for p in paths)  # asking deletes nothing
    page.get_by_role("button", name="Yes, withdraw consent and delete the photos").click()
    expect(page.get_by_text("Saved. Thank you.")).to_be_visible()
    expect(page.get_by_role("link", name="Withdraw consent and delete the photos")).to_have_count(0)
    _looks_right(page)
    assert not any(p.exists() for p in paths)
    page.get_by_role("link", name=f"{first_name}'s news").click()
    expect(page.get_by_text("The photo shared with this was deleted on").first).to_be_visible()
    context.close()
